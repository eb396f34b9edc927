"""Company names for matching: transliteration, legal forms, blocking keys, and the tokens that tell two
similar names apart.

Every function is a Polars expression (vectorised); the rare rows that need more work (non-ASCII letters,
punctuation) are picked out first so that plain ASCII names, nearly all of them, take the cheap path.

>>> import polars as pl
>>> name = pl.lit("Müller & Söhne GmbH")
>>> pl.select(name_variants(clean(fold(name)), transcribed(name))).item().to_list()
['muller and sohne', 'mueller and soehne']
>>> pl.select(qualifiers(clean(pl.lit("Blue Fjord Capital Fund II, L.P.")))).item()
'2 capital fund'
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import polars as pl
from cleanco import termdata

NONE = (
    "(none)"  # the qualifier of a name without any: having none is a value too ('Notion' / 'Notion Capital')
)

# Letters Unicode decomposition leaves alone (NFKD splits 'é' into 'e' and an accent, not 'ł' or 'ß').
FOLD = {
    "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L",
    "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ı": "i", "ħ": "h", "Ħ": "H",
}  # fmt: skip
# How German and Nordic writers spell their letters without them: the second reading of a name.
TRANSCRIBE = {
    "ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "å": "aa", "Å": "Aa", "ø": "oe",
    "Ø": "Oe",
}  # fmt: skip
# Legal forms cleanco lacks (Indian, Singaporean, Chinese, Luxembourgish partnerships, Estonian OÜ, ...).
EXTRA_LEGAL_FORMS = [
    *(
        "llc ltd limited gmbh plc pty sas sarl bv ab oy as aps se kg nv pvt pte scsp scs ou llp lllp kk bhd "
        "srl spa sro kft ltda"
    ).split(),
    "pty ltd",
    "co ltd",
    "private limited",
    "limited partnership",
    "sdn bhd",
    "sp z o o",
]
# A site's name written as its address ("Kite.ai"): the TLD is not part of the name.
WEB_SUFFIX = r"\.(?:ai|io|so|com|co|app|dev|tech|net|org|xyz|vc|me|ly|sh|gg|to|hq)$"

# Words that make a different organisation of the same name: an investment vehicle, a venture studio, a
# foundation, a bank, a group or holding ("Notion" / "Notion Capital").
ENTITY_WORDS = [
    *(
        "capital ventures venture partners partnership fund funds holdings holding group foundation bank "
        "trust equity advisors advisers investments invest asset management securities insurance realty "
        "properties institute association society university college school church club council party "
        "spv syndicate industries studio studios"
    ).split(),
    "family office",
    "private equity",
]
# Regions: an office abroad is another legal entity ("Acme" / "Acme India").
REGION_WORDS = [
    *(
        "international global worldwide europe european emea apac asia latam africa americas america nordics "
        "nordic dach benelux mena gcc anz uk usa us india china japan korea singapore australia canada mexico "
        "brazil brasil germany deutschland france espana spain italia italy netherlands nederland belgium "
        "switzerland schweiz suisse austria osterreich sweden sverige norway norge denmark danmark finland "
        "suomi poland polska ireland eire scotland wales cymru england israel turkey uae dubai hongkong taiwan "
        "indonesia vietnam thailand philippines malaysia nigeria kenya egypt argentina chile colombia peru"
    ).split(),
    "hong kong",
    "north america",
    "south america",
    "middle east",
    "new zealand",
    "south africa",
]
# Sectors a name may carry ("Apex Health", "Vertex AI"). A company's own name may carry or drop its sector
# ("Plaid" / "Plaid Payments": no evidence), but two different sectors make two companies ("Patel Robotics"
# / "Patel Software"). Words companies use loosely of themselves ('Labs', 'Technologies', 'Software',
# 'Systems', 'Solutions') are in neither list: 'Notion' is 'Notion Labs'.
DESCRIPTORS = (
    "health healthcare bio biotech pharma therapeutics medical ai robotics analytics data cloud energy "
    "media games payments pay finance fintech logistics security mobility learning education materials "
    "foods food consulting networks network devices genomics commerce retail motors aerospace space "
    "vision insurtech proptech realestate travel fashion beauty sports music film"
).split()
SERIES_WORDS = "fund funds series spv class tranche vintage part phase round program programme".split()
ROMAN = {
    "i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7", "viii": "8", "ix": "9",
    "x": "10", "xi": "11", "xii": "12", "xiii": "13", "xiv": "14", "xv": "15",
}  # fmt: skip


# ---------------------------------------------------------------------------------------------- helpers
def _on_rows(series: pl.Series, rows: pl.Series, func: Callable[[pl.Series], pl.Series]) -> pl.Series:
    """``series`` with ``func`` applied to the rows where ``rows`` holds (the rest kept as they are)."""
    where = rows.fill_null(False)
    if not where.any():
        return series
    index = where.arg_true()
    return series.scatter(index, func(series.gather(index)))


@lru_cache(maxsize=1)
def _legal_form_pattern() -> str:
    """Trailing legal forms (cleanco's list and :data:`EXTRA_LEGAL_FORMS`), one or more, at the end."""
    terms = {_ascii(t) for terms in termdata.terms_by_type.values() for t in terms} | set(EXTRA_LEGAL_FORMS)
    alternatives = "|".join(sorted((re.escape(t) for t in terms if t), key=len, reverse=True))
    return rf"(?:\s+(?:{alternatives}))+$"


def _ascii(text: str) -> str:
    """A legal form as :func:`clean` leaves the words before it: lowercase ASCII words ('S.A.' → 'sa')."""
    text = re.sub(r"(?<=\w)[.'](?=\w)", "", text.lower().replace("&", " and "))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


# ---------------------------------------------------------------------------------------------- folding
def _fold_series(values: pl.Series, transcribe: bool) -> pl.Series:
    def fold(part: pl.Series) -> pl.Series:
        if transcribe:
            part = part.str.replace_many(list(TRANSCRIBE), list(TRANSCRIBE.values()))
        part = part.str.replace_many(list(FOLD), list(FOLD.values()))
        return part.str.normalize("NFKD").str.replace_all(r"[^\x00-\x7F]", "")

    return _on_rows(values, values.str.contains(r"[^\x00-\x7F]"), fold)


def fold(expr: pl.Expr, *, transcribe: bool = False) -> pl.Expr:
    """Names in ASCII: accents dropped ('é' → 'e'), letters decomposition leaves spelt out ('Ł' → 'L',
    'ß' → 'ss', 'Æ' → 'Ae'); with ``transcribe``, German and Nordic letters as their writers spell them
    without ('ü' → 'ue', 'å' → 'aa', 'ø' → 'oe'), else plainly ('ü' → 'u', 'ø' → 'o')."""
    return expr.map_batches(lambda s: _fold_series(s, transcribe), return_dtype=pl.String)


def _clean_series(values: pl.Series) -> pl.Series:
    text = values.str.to_lowercase().str.strip_chars()
    text = _on_rows(text, text.str.contains("."), lambda s: s.str.replace(WEB_SUFFIX, ""))
    text = _on_rows(text, text.str.contains("&"), lambda s: s.str.replace_all("&", " and ", literal=True))

    def punctuation(part: pl.Series) -> pl.Series:
        for _ in range(2):  # two passes join every dot or apostrophe between word characters ('i.b.m')
            part = part.str.replace_all(r"(\w)[.'’](\w)", "${1}${2}")
        return part.str.replace_all(r"[^a-z0-9]+", " ").str.strip_chars()

    text = _on_rows(text, text.str.contains(r"[^a-z0-9 ]|\s\s"), punctuation)
    stripped = text.str.replace(r"^the\s+", "").str.replace(_legal_form_pattern(), "")
    stripped = stripped.str.replace(r"\s+and$", "")
    return pl.select(pl.when(stripped.str.len_chars() > 0).then(stripped).otherwise(text)).to_series()


def clean(expr: pl.Expr) -> pl.Expr:
    """An ASCII name for comparison: lowercase words, punctuation gone ('I.B.M.' → 'ibm'), '&' → 'and', a
    web address's TLD dropped ('Kite.ai' → 'kite'), a leading 'the' and trailing legal forms removed."""
    return expr.map_batches(_clean_series, return_dtype=pl.String)


def _transcribed_series(values: pl.Series) -> pl.Series:
    """:func:`clean` of the transcribed name for names with letters :data:`TRANSCRIBE` knows, else None
    (such names are few: only they are worked on)."""
    letters = "[" + "".join(TRANSCRIBE) + "]"
    empty = pl.Series(values.name, [None] * values.len(), dtype=pl.String)
    rows = values.str.contains(letters)
    if not rows.fill_null(False).any():
        return empty
    index = rows.fill_null(False).arg_true()
    return empty.scatter(index, _clean_series(_fold_series(values.gather(index), transcribe=True)))


def _joined(name: pl.Expr) -> pl.Expr:
    """A cleaned name as one word, 'and' left out ('hale and ross' → 'haleross')."""
    return name.str.replace_all(" and ", " ", literal=True).str.replace_all(" ", "", literal=True)


_SEP = "\x1f"  # joins a row's readings into one string, split into a list at the end (faster than lists)


def _readings(*readings: pl.Expr) -> pl.Expr:
    """A list of the non-null ``readings`` of each row (nulls left out; empty when all are null)."""
    joined = pl.concat_str(readings, separator=_SEP, ignore_nulls=True)
    return (
        pl.when(joined.str.len_chars() > 0)
        .then(joined.str.split(_SEP))
        .otherwise(pl.lit([], pl.List(pl.String)))
    )


def transcribed(expr: pl.Expr) -> pl.Expr:
    """The name :func:`clean` after transcribing its German and Nordic letters ('Müller' → 'mueller'), where
    the name has any; else None."""
    return expr.map_batches(_transcribed_series, return_dtype=pl.String)


def name_variants(plain: pl.Expr, transcribed: pl.Expr) -> pl.Expr:
    """The readings of a name to compare, as a list, from its plain reading (``clean(fold(name))``) and
    :func:`transcribed`: plainly folded ('muller'), and transcribed where that differs ('mueller'), so that
    'Müller' agrees with both 'Muller' and 'Mueller'. Empty for an empty name. (Names written as one word,
    'BlueFjord', meet through :func:`joined` and compare as near-equal.)"""
    return _readings(pl.when(plain.str.len_chars() > 0).then(plain), transcribed)


def joined(plain: pl.Expr) -> pl.Expr:
    """A reading as one word, the blocking key for names written apart or together ('Blue Fjord',
    'BlueFjord', 'blue-fjord', 'bluefjord.ai' → 'bluefjord'; 'and' left out); None for an empty name."""
    key = _joined(plain)
    return pl.when(key.str.len_chars() > 0).then(key)


def transcribed_key(plain: pl.Expr, transcribed: pl.Expr) -> pl.Expr:
    """The second blocking key: the transcribed reading as one word ('Müller' → 'mueller'), or for a name
    already written so ('Mueller': 'ae', 'oe', 'ue' or 'aa' in it) the plain one; else None. 'Müller' meets
    'Muller' on :func:`joined` and 'Mueller' on this."""
    plain_key = joined(plain)
    written_so = plain_key.str.contains("ae|oe|ue|aa")
    return pl.when(transcribed.is_not_null()).then(joined(transcribed)).when(written_so).then(plain_key)


_CONSONANTS = "bcdfghjklmnpqrstvwxz"


def _skeleton_series(plain: pl.Series, min_length: int) -> pl.Series:
    joined = plain.str.replace_all(" and ", " ", literal=True).str.replace_all(" ", "", literal=True)
    rest = joined.str.slice(1).str.replace_all(r"[aeiouy0-9]+", "")
    rest = rest.str.replace_many([c * 2 for c in _CONSONANTS], list(_CONSONANTS))
    key = joined.str.head(1) + rest
    return key.set(key.str.len_chars() < min_length, None)


def skeleton(plain: pl.Expr, min_length: int = 5) -> pl.Expr:
    """A phonetic key for a typo ('Zenovalum' / 'Zenvalum' / 'Zennovalum' → 'znvlm'): the plain reading's
    first letter, then its consonants with doubles collapsed; None for keys shorter than ``min_length``,
    which a dropped vowel would make too common to block on."""
    return plain.map_batches(lambda s: _skeleton_series(s, min_length), return_dtype=pl.String)


def ends(plain: pl.Expr, size: int = 3, min_length: int = 7) -> pl.Expr:
    """A key for a typo inside a longer name: the one-word reading's first and last ``size`` letters
    ('zenovalum' / 'zenoalum' → 'zen~lum'); None for names shorter than ``min_length``. With
    :func:`skeleton` (which a dropped vowel or doubled letter keeps), most single-letter slips meet."""
    return plain.map_batches(lambda s: _ends_series(s, size, min_length), return_dtype=pl.String)


def _ends_series(plain: pl.Series, size: int, min_length: int) -> pl.Series:
    key = plain.str.replace_all(" and ", " ", literal=True).str.replace_all(" ", "", literal=True)
    out = key.str.head(size) + "~" + key.str.tail(size)
    return out.set(key.str.len_chars().fill_null(0) < min_length, None)


# ---------------------------------------------------------------------------------------------- qualifiers
def _phrase_table() -> dict[str, str]:
    """Multi-word terms written as one token ('hong kong' → 'hongkong'), so names split on spaces."""
    phrases = [w for w in ENTITY_WORDS + REGION_WORDS + DESCRIPTORS if " " in w]
    return {f" {w} ": f" {w.replace(' ', '')} " for w in phrases}


@lru_cache(maxsize=1)
def _word_classes() -> pl.DataFrame:
    """Token → (class, canonical form): 'q' for qualifiers (entity words, regions, roman numerals from II),
    'd' for descriptors, 'r' for I, V and X (numerals only after a series word)."""
    rows = [(w.replace(" ", ""), "q", w.replace(" ", "")) for w in ENTITY_WORDS + REGION_WORDS]
    rows += [(w, "d", w) for w in DESCRIPTORS]
    rows += [(r, "q", n) for r, n in ROMAN.items() if r not in ("i", "v", "x")]
    rows += [(r, "r", ROMAN[r]) for r in ("i", "v", "x")]
    return pl.DataFrame(rows, schema=["tok", "class", "canon"], orient="row").unique("tok", keep="first")


def _marks_series(names: pl.Series) -> pl.Series:
    """Per cleaned name, a struct of ``qualifier`` and ``descriptor`` (see :func:`qualifiers`)."""
    padded = (" " + names.fill_null("") + " ").str.replace_many(_phrase_table())
    tokens = (
        pl.DataFrame(
            {
                "_row": pl.int_range(names.len(), dtype=pl.UInt32, eager=True),
                "tok": padded.str.strip_chars().str.split(" "),
            }
        )
        .explode("tok")
        .with_columns(prev=pl.col("tok").shift(1), same_row=pl.col("_row") == pl.col("_row").shift(1))
    )
    tokens = tokens.join(_word_classes(), on="tok", how="left", maintain_order="left")
    after_number = (
        pl.col("same_row") & pl.col("prev").str.contains(r"^\d+$") & pl.col("tok").str.contains(r"^[a-z]$")
    )
    number = pl.col("tok").str.extract(r"(\d+)")
    roman_after_series = (pl.col("class") == "r") & pl.col("same_row") & pl.col("prev").is_in(SERIES_WORDS)
    tokens = tokens.with_columns(
        mark=pl.when(number.is_not_null())
        .then(number)
        .when(after_number)
        .then(pl.col("prev") + pl.col("tok"))
        .when(roman_after_series | (pl.col("class") == "q") | (pl.col("class") == "d"))
        .then(pl.col("canon")),
        kind=pl.when(pl.col("class") == "d").then(pl.lit("d")).otherwise(pl.lit("q")),
    ).filter(pl.col("mark").is_not_null())
    # '2023 a' is one mark ('2023a'): the bare number goes when a letter follows it
    tokens = tokens.filter(
        ~(
            pl.col("tok").str.contains(r"^\d+$")
            & (pl.col("_row") == pl.col("_row").shift(-1))
            & pl.col("mark").shift(-1).str.starts_with(pl.col("tok")).fill_null(False)
        )
    )
    marks = tokens.group_by("_row", "kind").agg(pl.col("mark").unique().sort().str.join(" "))
    wide = pl.DataFrame({"_row": pl.int_range(names.len(), dtype=pl.UInt32, eager=True)})
    for kind, column in (("q", "qualifier"), ("d", "descriptor")):
        part = marks.filter(pl.col("kind") == kind).select("_row", pl.col("mark").alias(column))
        wide = wide.join(part, on="_row", how="left", maintain_order="left")
    return wide.select(pl.struct(pl.col("qualifier").fill_null(NONE), "descriptor")).to_series()


def _marks_by_key(names: pl.Series) -> pl.Series:
    """:func:`_marks_series` once per distinct name, an ordinary first word (no digit, no word of ours)
    read as '·' first: it gives no mark and is context to none, so 'acme labs' and 'zeta labs' are one."""
    parts = names.str.splitn(" ", 2).struct.rename_fields(["first", "rest"])
    first, rest = parts.struct.field("first"), parts.struct.field("rest")
    listed = [*_word_classes()["tok"].to_list(), *SERIES_WORDS]
    ordinary = ~first.is_in(listed) & ~first.str.contains(r"\d") & ~first.str.contains(_SEP, literal=True)
    key = pl.select(
        pl.when(ordinary.fill_null(False))
        .then(pl.concat_str(pl.lit("·"), rest, separator=" ", ignore_nulls=True))
        .otherwise(names)
    ).to_series()
    distinct = key.unique()
    table = pl.DataFrame({"key": distinct, "marks": _marks_series(distinct)})
    return pl.DataFrame({"key": key}).join(
        table, on="key", how="left", maintain_order="left", nulls_equal=True
    )["marks"]


def marks(name: pl.Expr) -> pl.Expr:
    """The words that tell two similar names apart, as a struct of two strings of sorted words:
    ``qualifier``, what makes a different organisation (numbers: 'Fund II' → '2', 'SPV 2023-A' →
    '2023a', a roman I, V or X only after a series word; entity words: 'Capital', 'Foundation',
    'Holdings'; regions: 'India', 'UK', 'APAC'), NONE for a name without any; ``descriptor``, the sectors
    a name carries ('Health', 'Robotics', 'AI'), None without any (a name may drop its sector, so only two
    different sectors tell names apart). ``name`` is cleaned (:func:`clean`), so legal forms are not
    among them."""
    struct = pl.Struct({"qualifier": pl.String, "descriptor": pl.String})
    return name.map_batches(_marks_by_key, return_dtype=struct)


def qualifiers(name: pl.Expr) -> pl.Expr:
    """The ``qualifier`` of :func:`marks`."""
    return marks(name).struct.field("qualifier")


def descriptors(name: pl.Expr) -> pl.Expr:
    """The ``descriptor`` of :func:`marks`."""
    return marks(name).struct.field("descriptor")


# ---------------------------------------------------------------------------------------------- location
def _place(field: pl.Expr) -> pl.Expr:
    folded = clean(fold(field))
    return pl.when(folded.str.len_chars() > 0).then(folded)


def city(location: pl.Expr) -> pl.Expr:
    """A location struct's locality and country ('München', 'DE' → 'munchen de'); None without a locality."""
    locality = _place(location.struct.field("locality"))
    code = location.struct.field("country_code").str.to_lowercase()
    return pl.when(locality.is_not_null()).then(
        pl.concat_str(locality, code, separator=" ", ignore_nulls=True)
    )


def country(location: pl.Expr) -> pl.Expr:
    """A location struct's country code, lowercase."""
    code = location.struct.field("country_code").str.to_lowercase().str.strip_chars()
    return pl.when(code.str.len_chars() > 0).then(code)

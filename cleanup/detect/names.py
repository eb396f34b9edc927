"""Person names and profiles for matching, as Polars expressions: transliteration that keeps every letter
('Søren Østergaard' → 'soren ostergaard', 'Strauß' → 'strauss'), generational suffixes ('Jr.',
'III'), a first-name relation (the same, a nickname, an initial, a misspelling, or different) and
LinkedIn profile slugs.

>>> import polars as pl
>>> pl.select(fold(pl.lit("Jürgen Strauß"))).item()
'juergen strauss'
>>> pl.select(linkedin_slug(pl.lit("http://uk.linkedin.com/in/Jane-Doe-1a2b/?trk=x"))).item()
'jane-doe-1a2b'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache

import numpy as np
import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import OSA, JaroWinkler

from .matching import register_scorer
from .normalise import FREE_MAIL_DOMAINS, NICKNAMES

# Letters NFKD cannot take apart, and German umlauts as ASCII writers (and passports) spell them.
TRANSLITERATION: dict[str, str] = {
    "ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ẞ": "SS",
    "æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "Oe", "å": "aa", "Å": "Aa",
    "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ı": "i",
}  # fmt: skip

GENERATIONS: dict[str, str] = {
    "jr": "jr", "junior": "jr", "sr": "sr", "senior": "sr", "snr": "sr", "jnr": "jr",
    "ii": "ii", "iii": "iii", "iv": "iv", "2nd": "ii", "3rd": "iii", "4th": "iv",
}  # fmt: skip
_GENERATION = r"(?i)[\s,]+(jr|junior|jnr|sr|snr|senior|ii|iii|iv|2nd|3rd|4th)\.?\s*$"
_GENERATION_WRITTEN = r"(?i)[\s,]+((?:jr|junior|jnr|sr|snr|senior|ii|iii|iv|2nd|3rd|4th)\.?)\s*$"

# Formal first name → its nicknames, diminutives and short forms across languages (lowercase ASCII). A
# short form may stand for several formal names ('alex': Alexander, Alexandra, Alejandro); two formal
# names are never each other's nickname, so Alexander and Alexandra stay different people.
DIMINUTIVES: dict[str, tuple[str, ...]] = {
    "abigail": ("abby", "abbie", "gail"), "albert": ("al", "bert", "bertie"),
    "aleksandr": ("sasha", "sacha", "sanya", "alex"), "aleksandra": ("sasha", "sacha", "ola", "alex"),
    "alejandra": ("ale", "sandra", "alex"), "alejandro": ("alex", "ale", "jandro"),
    "alessandra": ("ale", "sandra", "alex"), "alessandro": ("sandro", "ale", "alex"),
    "alexander": ("alex", "al", "xander", "sasha", "sandy", "lex", "alec", "alek"),
    "alexandra": ("alex", "lexi", "lexie", "sandra", "sandy", "sasha", "ali"), "alexis": ("alex", "lexi"),
    "alfred": ("alf", "fred", "freddie"), "amanda": ("mandy",), "andrea": ("andi",),
    "andreas": ("andi", "andy", "andre"), "andrew": ("andy", "drew"), "angela": ("angie",),
    "anthony": ("tony", "ant"), "antonio": ("toni", "tony", "toto"), "arthur": ("art", "artie"),
    "barbara": ("barb", "babs"), "beatrice": ("bea",), "benedict": ("ben", "benny"),
    "benjamin": ("ben", "benji", "benny"), "bernard": ("bernie",), "bradley": ("brad",),
    "caroline": ("carrie", "caro"), "catherine": ("cathy", "kate", "katie", "cat"),
    "charles": ("charlie", "chuck", "chas", "chaz"), "charlotte": ("charlie", "lotte", "lottie"),
    "christian": ("chris", "christ"), "christina": ("chris", "tina", "chrissy", "kiki"),
    "christine": ("chris", "tina", "chrissy"), "christoph": ("chris",),
    "christopher": ("chris", "kit", "topher"), "cynthia": ("cindy",), "daniel": ("dan", "danny", "dani"),
    "daniela": ("dani", "ela"), "david": ("dave", "davey", "davy"), "deborah": ("debbie", "deb", "debby"),
    "donald": ("don", "donny"), "dorothy": ("dot", "dottie", "dolly"), "douglas": ("doug",),
    "edward": ("ed", "eddie", "ted", "teddy", "ned"), "eleanor": ("ellie", "nell", "nora"),
    "elisabeth": ("lisa", "liesl", "elli", "sissi", "betty", "liz"),
    "elizabeth": ("liz", "beth", "betty", "lizzie", "eliza", "libby", "bess", "betsy", "elsie", "lisa"),
    "emily": ("em", "emmy"), "eugene": ("gene",), "francesca": ("fran", "frankie", "cesca"),
    "francesco": ("franco", "cesco", "checco"), "francis": ("frank", "fran", "frankie"),
    "francisco": ("paco", "pancho", "curro", "fran", "cisco"), "franziska": ("franzi", "fran"),
    "frederick": ("fred", "freddie", "fritz"), "friedrich": ("fritz", "fred"), "gabriel": ("gabe", "gabi"),
    "gabriela": ("gabi", "gaby", "ela"), "gabriele": ("gabi", "gaby"), "gerald": ("jerry", "gerry"),
    "giovanni": ("gianni", "nanni", "vanni"), "giuseppe": ("beppe", "peppe", "pino", "bepi"),
    "gregory": ("greg",), "guillermo": ("memo", "guille"), "harold": ("harry", "hal"),
    "helena": ("lena", "hella"), "henry": ("harry", "hank", "hal"), "ignacio": ("nacho",),
    "isabel": ("isa", "bel", "izzy", "belle"), "isabella": ("bella", "isa", "izzy"),
    "jacqueline": ("jackie", "jacky"), "james": ("jim", "jimmy", "jamie", "jimbo"),
    "jeffrey": ("jeff",), "jennifer": ("jen", "jenny", "jenn"), "jessica": ("jess", "jessie"),
    "joanna": ("jo", "joan"), "johann": ("hans", "jo"), "johannes": ("hannes", "hans", "jo", "jan"),
    "john": ("jack", "johnny", "jon"), "jonathan": ("jon", "jonny", "johnny", "jo", "nate"),
    "jose": ("pepe", "chepe", "josito"), "joseph": ("joe", "joey", "jo", "jos"),
    "josephine": ("jo", "josie", "fifi"), "joshua": ("josh",), "judith": ("judy", "jude"),
    "katharina": ("kathi", "katja", "kati", "kate"), "katherine": ("kate", "katie", "kathy", "kat", "kitty"),
    "kathleen": ("kathy", "kate"), "kenneth": ("ken", "kenny"), "kimberly": ("kim",),
    "konstantin": ("kostya", "konni"), "lawrence": ("larry", "laurie"), "leonard": ("leo", "len", "lenny"),
    "leonardo": ("leo",), "lorenzo": ("enzo", "renzo"), "louise": ("lou", "lulu"),
    "magdalena": ("lena", "magda", "leni"), "manuel": ("manu", "manolo", "lolo"),
    "margaret": ("peggy", "maggie", "meg", "marge", "greta", "madge"), "maria": ("mia", "mari"),
    "matthew": ("matt", "matty"), "matthias": ("matze", "matti", "hias"), "maximilian": ("max", "maxi"),
    "maxine": ("max",), "michael": ("mike", "mikey", "mick", "micha", "mischa", "misha"),
    "nathan": ("nate", "nat"), "nathaniel": ("nate", "nat", "nathan"),
    "nicholas": ("nick", "nicky", "nico", "klaus"), "nicolas": ("nico", "nick"), "nicole": ("nicky", "nikki"),
    "pamela": ("pam",), "patricia": ("pat", "patty", "trish", "tricia"), "patrick": ("pat", "paddy"),
    "peter": ("pete",), "philip": ("phil", "pip"), "phillip": ("phil",), "rafael": ("rafa",),
    "raymond": ("ray",), "rebecca": ("becky", "becca", "beck"), "richard": ("rick", "rich", "dick", "ricky"),
    "robert": ("bob", "rob", "bobby", "robbie", "bert"), "ronald": ("ron", "ronnie"),
    "russell": ("russ",), "samantha": ("sam", "sammy"), "samuel": ("sam", "sammy"),
    "sebastian": ("seb", "basti", "bas"), "stephanie": ("steph", "steffi"), "stephen": ("steve", "stevie"),
    "steven": ("steve", "stevie"), "susan": ("sue", "susie", "suzy"), "susanne": ("susi", "sanne"),
    "theodore": ("ted", "teddy", "theo"), "thomas": ("tom", "tommy"), "timothy": ("tim", "timmy"),
    "valentina": ("vale", "tina"), "victoria": ("vicky", "vic", "tori"), "vincent": ("vince", "vinny"),
    "vladimir": ("vova", "volodya", "vlad"), "walter": ("walt", "wally"),
    "william": ("bill", "will", "billy", "willy", "liam"), "wolfgang": ("wolf",),
    "yekaterina": ("katya", "katia"), "zachary": ("zach", "zack"),
}  # fmt: skip


def on_distinct(func: Callable[[pl.Expr], pl.Expr], expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """``func`` (a vectorised expression) computed once per distinct value of ``expr`` and mapped back: a
    column of a million names holds a few thousand distinct ones."""

    def apply(values: pl.Series) -> pl.Series:
        distinct = pl.DataFrame({"v": values.unique()})
        mapped = distinct.with_columns(func(pl.col("v")).alias("out"))
        frame = pl.DataFrame({"v": values}).join(
            mapped, on="v", how="left", maintain_order="left", nulls_equal=True
        )
        return frame["out"].alias(values.name)

    return expr.map_batches(apply, return_dtype=dtype)


def _fold_expr(expr: pl.Expr) -> pl.Expr:
    text = expr.cast(pl.String)
    for letter, ascii_ in TRANSLITERATION.items():
        text = text.str.replace_all(letter, ascii_, literal=True)
    text = text.str.normalize("NFKD").str.replace_all(r"[^\x00-\x7F]", "").str.to_lowercase()
    for _ in range(2):  # two passes join every dot or apostrophe between word characters
        text = text.str.replace_all(r"(\w)[.'](\w)", "${1}${2}")
    return text.str.replace_all(r"[^a-z0-9]+", " ").str.strip_chars()


def fold(expr: pl.Expr) -> pl.Expr:
    """A name in lowercase ASCII words, every letter kept: German umlauts and ß as ASCII writers spell them
    (ü → ue, ß → ss), ø → o, æ → ae, ł → l, other marks dropped (é → e); apostrophes and dots inside a word
    joined ('O'Brien' → 'obrien'), other punctuation a space. 'Søren Østergaard' → 'soren ostergaard'.
    Computed once per distinct value."""
    return on_distinct(_fold_expr, expr.cast(pl.String), pl.String())


def generation_as_written(expr: pl.Expr) -> pl.Expr:
    """The generational suffix at the end of a name as written ('Hale, Jr.' → 'Jr.'), else None."""
    return expr.cast(pl.String).str.extract(_GENERATION_WRITTEN, 1)


def generation(expr: pl.Expr) -> pl.Expr:
    """The generational suffix at the end of a name or on its own ('Hale Jr.' → 'jr', 'Henry Ford III' →
    'iii', 'Smith, Senior' → 'sr', 'Jr.' → 'jr'), else None."""
    text = expr.cast(pl.String)
    found = pl.coalesce(text.str.extract(_GENERATION, 1), text.str.extract(r"^\s*([^\s.]+)\.?\s*$", 1))
    return found.str.to_lowercase().replace_strict(GENERATIONS, default=None, return_dtype=pl.String)


def without_generation(expr: pl.Expr) -> pl.Expr:
    """A name without its generational suffix ('Hale Jr.' → 'Hale')."""
    return expr.cast(pl.String).str.replace(_GENERATION, "")


def linkedin_slug(expr: pl.Expr) -> pl.Expr:
    """The profile slug of a LinkedIn person URL, whatever its shape: scheme or none, 'www.' or a country
    subdomain, a trailing slash, a query or fragment, percent-escapes, case ('https://uk.linkedin.com/in/
    Jane-Doe/?trk=x' and 'linkedin.com/in/jane-doe' → 'jane-doe'). A bare slug is kept; company pages and
    other URLs give None."""
    text = expr.cast(pl.String).str.strip_chars().str.to_lowercase()
    url = text.str.extract(r"^(?:[a-z]+://)?(?:[a-z0-9-]+\.)*linkedin\.com/(?:pub|in)/([^/?#\s]+)", 1)
    bare = pl.when(text.str.contains(r"^[a-z0-9][a-z0-9%_-]{2,99}$")).then(text)
    slug = pl.coalesce(url, bare).str.replace_all("%2d", "-", literal=True)
    return pl.when(slug.str.len_chars() >= 3).then(slug)


def split_full_name(expr: pl.Expr) -> pl.Expr:
    """A full name in one field as a struct of ``first`` and ``last`` (the last word, or the last words
    from a particle: 'Jane van der Berg' → Jane / van der Berg; 'Smith, John' → John / Smith; titles and
    suffixes dropped). Vectorised: for names imported whole into one field, which may be many."""
    text = expr.cast(pl.String).str.strip_chars()
    comma = text.str.contains(r"^[^,]+,\s*[^,]+$") & ~text.str.contains(_GENERATION)
    swapped = pl.when(comma).then(
        text.str.replace(r"^([^,]+),\s*(.+)$", "${2} ${1}")
    )  # 'Smith, John' → 'John Smith'
    plain = without_generation(pl.coalesce(swapped, text))
    plain = plain.str.replace(r"(?i)^(?:(?:dr|mr|mrs|ms|miss|prof|sir|dame)\.?\s+)+", "")
    words = plain.str.replace_all(r"\s+", " ").str.strip_chars(" ,")
    particle = r"(?i)^(.+?)\s+((?:(?:van|von|de|der|den|del|della|da|di|du|la|le|ter|ten|bin|al|el)\s+)+\S+)$"
    last = pl.coalesce(words.str.extract(particle, 2), words.str.extract(r"\s(\S+)$", 1))
    first = pl.coalesce(words.str.extract(particle, 1), words.str.extract(r"^(.*)\s\S+$", 1), words)
    return pl.struct(first=first.str.strip_chars(), last=last)


@lru_cache(maxsize=1)
def nickname_pairs() -> pl.DataFrame:
    """Every pair of first names that may name one person (``a``, ``b``; both orders): a formal name and
    its nicknames, or two nicknames of one formal name. From :data:`DIMINUTIVES` and the English table
    :data:`cleanup.detect.normalise.NICKNAMES`."""
    groups: dict[str, set[str]] = {formal: set(short) for formal, short in DIMINUTIVES.items()}
    for short, formal in NICKNAMES.items():
        groups.setdefault(formal, set()).add(short)
    return _pairs_of(groups)


def _pairs_of(groups: Mapping[str, Iterable[str]]) -> pl.DataFrame:
    pairs: set[tuple[str, str]] = set()
    for formal, shorts in groups.items():
        members = {formal, *shorts}
        pairs |= {(a, b) for a in members for b in members if a != b}
    pairs -= {(a, b) for a, b in pairs if a in groups and b in groups}  # two formal names: two people
    rows = sorted(pairs)
    return pl.DataFrame(
        {"a": [a for a, _ in rows], "b": [b for _, b in rows]}, schema={"a": pl.String, "b": pl.String}
    )


# Name relation scores: the levels a comparison declares read these thresholds.
SAME = 1.0
NICKNAME = 0.9
INITIAL = 0.8
SPELLING = 0.7
SPELLING_JARO_WINKLER = 0.9


def _sides(left: pl.Series, right: pl.Series) -> pl.DataFrame:
    """Pairs of ``'this|other'`` values as columns ``t1``, ``o1``, ``t2``, ``o2`` ('' when missing), the
    same with umlaut spellings reduced (:func:`_umlauts_plain`) as ``t1_u``, ``o1_u``, ``t2_u``, ``o2_u``
    (for :func:`_same` only), and ``g1``, ``h1``, ``g2``, ``h2``: the first word of each 'this' and 'other'
    as written (for nickname tables)."""
    frame = pl.DataFrame({"l": left, "r": right}).with_columns(
        g1=pl.col("l").str.extract(r"^([^| ]*)", 1).fill_null(""),
        g2=pl.col("r").str.extract(r"^([^| ]*)", 1).fill_null(""),
        h1=pl.col("l").str.extract(r"\|([^| ]*)", 1).fill_null(""),
        h2=pl.col("r").str.extract(r"\|([^| ]*)", 1).fill_null(""),
        left=pl.col("l").str.split_exact("|", 1).struct.rename_fields(["t1", "o1"]),
        right=pl.col("r").str.split_exact("|", 1).struct.rename_fields(["t2", "o2"]),
    )
    frame = frame.unnest("left", "right").with_columns(pl.col("t1", "o1", "t2", "o2").fill_null(""))
    return frame.with_columns(_umlauts_plain(pl.col(c)).alias(f"{c}_u") for c in ("t1", "o1", "t2", "o2"))


def _jaro_winkler(frame: pl.DataFrame, a: str, b: str) -> pl.Series:
    scores = process.cpdist(
        frame[a].to_list(), frame[b].to_list(), scorer=JaroWinkler.normalized_similarity, workers=-1
    )
    return pl.Series(np.asarray(scores, dtype=np.float32))


def _edits(frame: pl.DataFrame, a: str, b: str) -> pl.Series:
    """The optimal string alignment distance (one edit: a letter changed, added, dropped or two swapped)."""
    distances = process.cpdist(frame[a].to_list(), frame[b].to_list(), scorer=OSA.distance, workers=-1)
    return pl.Series(np.asarray(distances, dtype=np.int32))


@lru_cache(maxsize=1)
def known_first_names() -> list[str]:
    """The first names the nickname tables know: two of them are two names, never one name misspelt
    ('Daniel' / 'Daniela', 'Alexander' / 'Alexandra')."""
    known = set(DIMINUTIVES) | set(NICKNAMES.values())
    return sorted(known | {short for shorts in DIMINUTIVES.values() for short in shorts if len(short) > 3})


def _umlauts_plain(expr: pl.Expr) -> pl.Expr:
    """A folded name with umlaut spellings reduced to the bare vowel ('mueller', 'muller' → 'muller'), so
    the ways ASCII writers spell 'Müller' agree. Lossy ('hope' and 'hpoe' are not one spelling, though
    'hpoe' reduces to 'hpo'): only ever compared with another reduced name by :func:`_same`, never scored
    or shown."""
    return expr.str.replace_all(r"([a-z])([aou])e", "${1}${2}")


def umlaut_key(expr: pl.Expr) -> pl.Expr:
    """A folded name as a blocking key, with umlaut spellings reduced to the bare vowel ('mueller',
    'muller' → 'muller'; 'jurgen', 'juergen' → 'jurgen'), so records under either spelling meet. Lossy
    ('joe' → 'jo'): for keys that only propose pairs to compare, never for scoring or display."""
    return _umlauts_plain(expr)


def _same(a: str, b: str) -> pl.Expr:
    """Whether columns ``a`` and ``b`` of :func:`_sides` hold one name: equal as written, or once umlaut
    spellings are reduced on both ('mueller' / 'muller'; 'jurgen' / 'juergen')."""
    return (pl.col(a) == pl.col(b)) | (pl.col(f"{a}_u") == pl.col(f"{b}_u"))


def _swapped() -> pl.Expr:
    return _same("t1", "o2") & _same("o1", "t2") & ~_same("t1", "o1")


# A typo a Jaro–Winkler threshold misses in a short name ('Jarod' / 'Jatod'): one edit in names this long.
SPELLING_ONE_EDIT_LENGTH = 5


def _gendered(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """Whether two names are one name's masculine and feminine forms ('Daniel' / 'Daniela', 'Carlo' /
    'Carla', 'Louis' / 'Louise', 'Michel' / 'Michelle'): two people, however alike the spellings."""

    def grown(x: pl.Expr, y: pl.Expr) -> pl.Expr:  # y is x with a feminine ending
        return (
            (y == x + "a")
            | (y == x + "e")
            | ((y == x + "le") & x.str.ends_with("l"))
            | ((y == x + "ne") & x.str.ends_with("n"))
        )

    same_stem = a.str.slice(0, a.str.len_chars() - 1) == b.str.slice(0, b.str.len_chars() - 1)
    endings = (a.str.ends_with("a") & b.str.ends_with("o")) | (a.str.ends_with("o") & b.str.ends_with("a"))
    return grown(a, b) | grown(b, a) | (same_stem & endings)


def _given_relation(frame: pl.DataFrame, x: str, y: str, gx: str, gy: str) -> pl.Series:
    """The relation of two given names (columns ``x``, ``y``; ``gx``, ``gy`` their first words as written),
    both present: SAME, NICKNAME, INITIAL, SPELLING or 0."""
    pair = frame.select(
        x=pl.col(x), y=pl.col(y), gx=pl.col(gx), gy=pl.col(gy), x_u=pl.col(f"{x}_u"), y_u=pl.col(f"{y}_u")
    )
    nick = nickname_pairs().with_columns(_nick=pl.lit(True))
    pair = pair.join(nick, left_on=["gx", "gy"], right_on=["a", "b"], how="left", maintain_order="left")
    pair = pair.with_columns(_jw=_jaro_winkler(pair, "x", "y"), _edits=_edits(pair, "x", "y"))
    g1, g2 = pl.col("gx"), pl.col("gy")
    one_word = ~pl.col("x").str.contains(" ") | ~pl.col("y").str.contains(" ")
    first1, first2 = pl.col("x_u").str.extract(r"^(\S*)", 1), pl.col("y_u").str.extract(r"^(\S*)", 1)
    initial = ((g1.str.len_chars() == 1) & g2.str.starts_with(g1)) | (
        (g2.str.len_chars() == 1) & g1.str.starts_with(g2)
    )
    known = pl.lit(pl.Series(known_first_names(), dtype=pl.String)).implode()
    misspelt = (
        (g1.str.len_chars() > 1)
        & (g2.str.len_chars() > 1)
        & ~(g1.is_in(known) & g2.is_in(known))
        & ~_gendered(pl.col("x"), pl.col("y"))
    )
    one_edit = (pl.col("_edits") <= 1) & (
        pl.min_horizontal(pl.col("x").str.len_chars(), pl.col("y").str.len_chars())
        >= SPELLING_ONE_EDIT_LENGTH
    )
    score = (
        pl.when(_same("x", "y") | (one_word & (first1 == first2)))
        .then(SAME)
        .when(one_word & pl.col("_nick").is_not_null())
        .then(NICKNAME)
        .when(initial)
        .then(INITIAL)
        .when(((pl.col("_jw") >= SPELLING_JARO_WINKLER) | one_edit) & misspelt)
        .then(SPELLING)
        .otherwise(0.0)
    )
    return pair.select(score.cast(pl.Float32).alias("score")).to_series()


def first_name_relation(left: pl.Series, right: pl.Series) -> pl.Series:
    """How two people's first names relate, per pair of folded ``'first|last'`` values: 1.0 the same (or the
    names swapped between the fields, or one the first of the other's given names: 'jose' / 'jose maria'),
    0.9 a nickname of the other ('bob' / 'robert', 'beppe' / 'giuseppe'), 0.8 an initial of the other
    ('j' / 'jonathan'), 0.7 a misspelling (Jaro–Winkler ≥ 0.9, or one edit in names of five letters or
    more, unless both are known names or one name's masculine and feminine forms: 'Daniel' / 'Daniela',
    'Carlo' / 'Carla'), else 0: different first names, evidence of two people (siblings, colleagues). Names
    swapped between the fields with a typo ('Robin Morrison' / 'Morrison Robni') relate as the closer of
    the two crossed pairs, when both relate. Umlaut spellings agree ('Jürgen', 'Juergen', 'Jurgen'). Vectorised over the
    pairs."""
    frame = _sides(left, right)
    straight = _given_relation(frame, "t1", "t2", "g1", "g2")
    frame = frame.with_columns(
        _straight=straight,
        _a=_given_relation(frame, "t1", "o2", "g1", "h2"),
        _b=_given_relation(frame, "o1", "t2", "h1", "g2"),
    ).with_columns(
        # swapped with a typo: both crossed pairs relate; the closer is taken for the first names (the last
        # names' comparison counts the other)
        _crossed=pl.when((pl.col("_a") > 0) & (pl.col("_b") > 0))
        .then(pl.max_horizontal("_a", "_b"))
        .otherwise(0.0)
    )
    return _relation(frame, _swapped(), "_straight", "_crossed")


def last_name_relation(left: pl.Series, right: pl.Series) -> pl.Series:
    """How two people's last names relate, per pair of folded ``'last|first'`` values: 1.0 the same (or the
    names swapped between the fields), else their Jaro–Winkler similarity, or when the names are swapped
    between the fields with a typo the lesser similarity of the two crossed pairs. Vectorised over the
    pairs."""
    frame = _sides(left, right)
    frame = frame.with_columns(
        _jw=_jaro_winkler(frame, "t1", "t2"),
        _crossed=pl.min_horizontal(_jaro_winkler(frame, "t1", "o2"), _jaro_winkler(frame, "o1", "t2")),
    )
    return _relation(frame, _same("t1", "t2") | _swapped(), "_jw", "_crossed")


def _relation(frame: pl.DataFrame, same: pl.Expr, straight: str, crossed: str) -> pl.Series:
    """Per pair of :func:`_sides`: None when either side has no name, SAME where ``same``, else the
    ``straight`` relation, or the closer of it and the ``crossed`` one (the names swapped between the
    fields) when both sides hold both names."""
    both_full = (pl.col("o1") != "") & (pl.col("o2") != "")
    score = (
        pl.when((pl.col("t1") == "") | (pl.col("t2") == ""))
        .then(None)
        .when(same)
        .then(SAME)
        .when(both_full)
        .then(pl.max_horizontal(straight, crossed))
        .otherwise(pl.col(straight))
    )
    return frame.select(score.cast(pl.Float32).alias("score")).to_series()


def work_email_relation(left: pl.Series, right: pl.Series) -> pl.Series:
    """How two (canonical) email addresses relate: 1.0 the same, 0.5 two addresses at one work domain
    ('ann@acme.com' / 'bob@acme.com': at one employer, usually two people), else 0 (other domains, or
    addresses at a free-mail provider, which strangers share). Vectorised over the pairs."""
    frame = pl.DataFrame({"a": left, "b": right}).with_columns(
        da=pl.col("a").str.extract(r"@(.+)$", 1), db=pl.col("b").str.extract(r"@(.+)$", 1)
    )
    free = pl.col("da").is_in(list(FREE_MAIL_DOMAINS))
    score = (
        pl.when(pl.col("a").is_null() | pl.col("b").is_null())
        .then(None)
        .when(pl.col("a") == pl.col("b"))
        .then(SAME)
        .when((pl.col("da") == pl.col("db")) & ~free)
        .then(0.5)
        .otherwise(0.0)
    )
    return frame.select(score.cast(pl.Float32).alias("score")).to_series()


register_scorer("first_name", first_name_relation)
register_scorer("work_email", work_email_relation, distinct=False)  # addresses seldom repeat
register_scorer("last_name", last_name_relation)

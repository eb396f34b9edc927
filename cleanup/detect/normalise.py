"""Normalisers for matching, as Polars expressions (vectorised; per-value library calls only on distinct
values): company names, domains and URLs, emails, phone numbers and person names.

>>> import polars as pl
>>> pl.select(company_name(pl.lit("The ACME Gmbh."))).item()
'acme'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import polars as pl
import tldextract
from cleanco import termdata
from nameparser import HumanName

from ..values.contact import host_expr, parse_phone


def _shared_hosts() -> frozenset[str]:
    """The hosts listed in ``shared_hosts.txt`` (platforms the PSL's private section lacks)."""
    text = resources.files("cleanup.detect").joinpath("shared_hosts.txt").read_text(encoding="utf-8")
    lines = (line.split("#", 1)[0].strip().lower() for line in text.splitlines())
    return frozenset(line for line in lines if line)


# Platforms whose sites are their own hosts (x.substack.com, linktr.ee/x); github.io, vercel.app,
# notion.site, webflow.io and the like come from the public suffix list's private section.
SHARED_HOSTS = _shared_hosts()
_extract = tldextract.TLDExtract(
    suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True, extra_suffixes=sorted(SHARED_HOSTS)
)
FREE_MAIL_DOMAINS = frozenset(
    "gmail.com googlemail.com outlook.com hotmail.com live.com msn.com yahoo.com ymail.com icloud.com me.com "
    "mac.com aol.com proton.me protonmail.com pm.me gmx.com gmx.de gmx.net web.de mail.com zoho.com "
    "yandex.com yandex.ru mail.ru fastmail.com hey.com tutanota.com qq.com 163.com 126.com naver.com "
    "hotmail.co.uk hotmail.fr live.co.uk yahoo.co.uk yahoo.fr outlook.de".split()
)
# Providers that ignore dots in the local part.
DOTLESS_LOCAL = frozenset({"gmail.com", "googlemail.com"})


def _plain(text: str) -> str:
    """Lowercase ASCII words: accents folded, punctuation dropped, '&' read as 'and'."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    folded = folded.lower().replace("&", " and ")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", re.sub(r"(?<=\w)[.'](?=\w)", "", folded)).split())


def plain_text(expr: pl.Expr) -> pl.Expr:
    """:func:`_plain` as a Polars expression (vectorised): the same result for every input."""
    folded = (
        expr.str.normalize("NFKD")
        .str.replace_all(r"[^\x00-\x7F]", "")
        .str.to_lowercase()
        .str.replace_all("&", " and ", literal=True)
    )
    for _ in range(2):  # two passes join every dot or apostrophe between word characters ('i.b.m')
        folded = folded.str.replace_all(r"(\w)[.'](\w)", "${1}${2}")
    return folded.str.replace_all(r"[^a-z0-9]+", " ").str.strip_chars()


@lru_cache(maxsize=1)
def _legal_suffix_pattern() -> str:
    terms = {_plain(t) for terms in termdata.terms_by_type.values() for t in terms}
    terms |= set("llc ltd limited gmbh plc pty sas sarl bv ab oy as aps se kg nv".split()) | {"pty ltd"}
    alternatives = "|".join(sorted((re.escape(t) for t in terms if t), key=len, reverse=True))
    return rf"(?:\s+(?:{alternatives}))+$"


def _by_value(func: Callable[[str], str | None], expr: pl.Expr) -> pl.Expr:
    """Apply a Python function once per distinct value of a string column (libraries like tldextract and
    phonenumbers have no vectorised form; distinct values are far fewer than rows)."""

    def apply(series: pl.Series) -> pl.Series:
        distinct = series.drop_nulls().unique()
        mapping = dict(zip(distinct.to_list(), (func(v) for v in distinct.to_list()), strict=True))
        return series.replace_strict(mapping, default=None, return_dtype=pl.String)

    return expr.map_batches(apply, return_dtype=pl.String)


def company_name(expr: pl.Expr) -> pl.Expr:
    """A company name for comparison: accents and case folded, punctuation gone, '&' → 'and', a leading
    'the' and trailing legal forms (cleanco's list: GmbH, Inc., S.A., Pty Ltd, AB, ...) removed.

    'The ACME Gmbh.' → 'acme'; 'Smith & Sons Ltd' → 'smith and sons'.
    """
    plain = plain_text(expr)
    stripped = plain.str.replace(r"^the\s+", "").str.replace(_legal_suffix_pattern(), "")
    return pl.when(stripped.str.len_chars() > 0).then(stripped).otherwise(plain)


def _registered(host: str) -> str | None:
    """The reference for :func:`registered_domain`, one value at a time through tldextract."""
    text = host.strip().lower()
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text)
    text = re.split(r"[/?#]", text, maxsplit=1)[0].rsplit("@", 1)[-1].split(":", 1)[0].strip(".")
    parts = _extract(text)
    if not parts.domain or not parts.suffix or parts.domain == "www":
        return None
    return f"{parts.domain}.{parts.suffix}"


_TAILS = 4  # the vectorised path looks up a host's last 1..4 labels; longer rules go through tldextract


@dataclass(frozen=True)
class _SuffixRules:
    """The bundled public suffix list (ICANN and private sections) plus :data:`SHARED_HOSTS`, split for the
    vectorised path: ``plain`` suffixes of up to four labels; ``special`` bases of wildcard and exception
    rules ('*.ck', '!www.ck' → 'ck'); ``long`` the last four labels of longer rules or bases. Hosts that
    end in a ``special`` base or a ``long`` tail are resolved by tldextract itself."""

    plain: list[str]
    special: list[str]
    long: list[str]


@lru_cache(maxsize=1)
def _suffixes() -> _SuffixRules:
    rules = _extract._get_tld_extractor().tlds(include_psl_private_domains=True) | SHARED_HOSTS
    bases = {r.lstrip("*!").split(".", 1)[1] if r.startswith("!") else r[2:] for r in rules if r[0] in "*!"}
    plain = {r for r in rules if r[0] not in "*!"}

    def short(names: set[str]) -> list[str]:
        return sorted(n for n in names if n.count(".") < _TAILS)

    long = {".".join(n.split(".")[-_TAILS:]) for n in plain | bases if n.count(".") >= _TAILS}
    return _SuffixRules(short(plain), short(bases), sorted(long))


def _host(expr: pl.Expr) -> pl.Expr:
    """The host of a domain or URL: scheme, credentials, port, path and outer dots removed, lowercased."""
    return host_expr(expr)


def _registered_series(values: pl.Series) -> pl.Series:
    rules = _suffixes()
    tails = range(1, _TAILS + 1)
    frame = pl.DataFrame({"raw": values}).with_columns(labels=_host(pl.col("raw")).str.split("."))
    frame = frame.with_columns(
        count=pl.col("labels").list.len(),
        **{f"tail{k}": pl.col("labels").list.slice(-k, k).list.join(".") for k in tails},
    )
    suffix_length = pl.lit(0, dtype=pl.Int64)
    for k in tails:  # later (longer) matches win
        known = (pl.col("count") >= k) & pl.col(f"tail{k}").is_in(rules.plain)
        suffix_length = pl.when(known).then(pl.lit(k, dtype=pl.Int64)).otherwise(suffix_length)
    frame = frame.with_columns(
        suffix=suffix_length,
        needs_library=pl.any_horizontal(
            *((pl.col("count") > k) & pl.col(f"tail{k}").is_in(rules.special) for k in tails),
            (pl.col("count") > _TAILS) & pl.col(f"tail{_TAILS}").is_in(rules.long),
        ),
    )
    domain = pl.col("labels").list.slice(-(pl.col("suffix") + 1), pl.col("suffix") + 1).list.join(".")
    registered = pl.when(
        (pl.col("suffix") > 0) & (pl.col("count") > pl.col("suffix")) & ~domain.str.starts_with("www.")
    ).then(domain)  # 'www.' + a suffix is the platform's own site ('www.medium.com'): no one's
    by_library = _by_value(
        _registered, pl.when(pl.col("needs_library")).then(pl.col("raw"))
    )  # the few flagged
    return (
        frame.select(pl.when(pl.col("needs_library")).then(by_library).otherwise(registered))
        .to_series()
        .alias(values.name)
    )


def registered_domain(expr: pl.Expr) -> pl.Expr:
    """The registered domain of a domain or URL, from the bundled public suffix list (never fetched) with
    its private section and :data:`SHARED_HOSTS`: 'https://www.app.acme.co.uk/x' → 'acme.co.uk', and a
    site on a shared platform is its own ('acme.github.io', 'acme.substack.com'). The platform itself
    ('github.io', 'www.medium.com/@acme') is no one's: None. Vectorised: the longest known suffix among a
    host's last four labels, plus one label; hosts under wildcard or longer rules go through tldextract."""
    return expr.map_batches(_registered_series, return_dtype=pl.String)


def _identifying_series(values: pl.Series) -> pl.Series:
    registered = _registered_series(values)
    return registered.set(registered.is_in(list(FREE_MAIL_DOMAINS)).fill_null(False), None)


def identifying_domain(expr: pl.Expr) -> pl.Expr:
    """The registered domain when it can identify one organisation: None for free-mail providers (and, by
    :func:`registered_domain`, for shared platforms), which unrelated records share."""
    return expr.map_batches(_identifying_series, return_dtype=pl.String)


def domain_label(expr: pl.Expr) -> pl.Expr:
    """The registered domain without its suffix ('acme.co.uk' → 'acme'): TLD variants of one brand match."""
    return registered_domain(expr).str.split(".").list.first()


def email(expr: pl.Expr) -> pl.Expr:
    """A canonical email: lowercased, plus-tags dropped, dots ignored where the provider ignores them."""
    text = expr.str.strip_chars().str.to_lowercase()
    local = text.str.replace(r"@[^@]*$", "").str.replace(r"\+.*$", "")
    host = text.str.replace(r"^.*@", "")
    dotless = host.is_in(list(DOTLESS_LOCAL))
    local = pl.when(dotless).then(local.str.replace_all(".", "", literal=True)).otherwise(local)
    host = pl.when(dotless).then(pl.lit("gmail.com")).otherwise(host)
    valid = text.str.contains(r"^[^@]+@[^@]+$") & (local.str.len_chars() > 0)
    return pl.when(valid).then(pl.concat_str([local, pl.lit("@"), host]))


def is_free_mail(expr: pl.Expr) -> pl.Expr:
    """Whether an email is at a free-mail provider (weak evidence: many people share the domain)."""
    return expr.str.to_lowercase().str.split("@").list.last().is_in(list(FREE_MAIL_DOMAINS))


def _phone(raw: str, country: str | None = None) -> str | None:
    parsed = parse_phone(raw, country)
    return parsed[0] if parsed else None


def phone(expr: pl.Expr, country: str | None = None) -> pl.Expr:
    """A phone number in E.164 ('+44 20 7946 0958' and '+442079460958' agree); local numbers need ``country``."""
    return _by_value(lambda raw: _phone(raw, country), expr)


def person_first_name(expr: pl.Expr, nicknames: dict[str, str] | None = None) -> pl.Expr:
    """A first name for comparison, with nicknames mapped to the formal name ('Bob' → 'robert')."""
    table = {_plain(k): _plain(v) for k, v in (nicknames or NICKNAMES).items()}
    return plain_text(expr).replace(table)


def _name_part(name: str, part: str) -> str | None:
    value = getattr(HumanName(name), part)
    return str(value) if value else None


def full_name_first(expr: pl.Expr) -> pl.Expr:
    """The first name within a full name, by nameparser ('Dr. Jane van der Berg' → 'Jane', 'Smith, John'
    → 'John'): for records whose first and last name fields are empty."""
    return _by_value(lambda name: _name_part(name, "first"), expr)


def full_name_last(expr: pl.Expr) -> pl.Expr:
    """The last name within a full name, by nameparser ('Dr. Jane van der Berg' → 'van der Berg')."""
    return _by_value(lambda name: _name_part(name, "last"), expr)


def person_last_name(expr: pl.Expr) -> pl.Expr:
    """A last name for comparison: accents, case and punctuation folded ('O'Brien' → 'obrien')."""
    return plain_text(expr)


# nickname → formal first name (lowercase). Common English forms; recipes may pass their own table.
NICKNAMES: dict[str, str] = {
    "bob": "robert", "rob": "robert", "robbie": "robert", "bobby": "robert",
    "bill": "william", "will": "william", "billy": "william", "liam": "william",
    "dick": "richard", "rick": "richard", "rich": "richard", "ricky": "richard",
    "jim": "james", "jimmy": "james", "jamie": "james",
    "jack": "john", "johnny": "john", "jon": "jonathan",
    "mike": "michael", "mikey": "michael", "mick": "michael",
    "liz": "elizabeth", "beth": "elizabeth", "betty": "elizabeth", "lizzie": "elizabeth",
    "jen": "jennifer", "jenny": "jennifer", "pat": "patricia", "patty": "patricia",
    "joe": "joseph", "joey": "joseph", "tom": "thomas", "tommy": "thomas",
    "chuck": "charles", "charlie": "charles", "chris": "christopher",
    "dan": "daniel", "danny": "daniel", "matt": "matthew", "tony": "anthony",
    "steve": "steven", "andy": "andrew", "drew": "andrew", "josh": "joshua",
    "ken": "kenneth", "kenny": "kenneth", "tim": "timothy", "ron": "ronald",
    "ed": "edward", "eddie": "edward", "ted": "edward", "jeff": "jeffrey",
    "nick": "nicholas", "ben": "benjamin", "sam": "samuel", "greg": "gregory",
    "alex": "alexander", "kate": "katherine", "katie": "katherine", "kathy": "katherine",
    "peggy": "margaret", "maggie": "margaret", "meg": "margaret", "becky": "rebecca",
    "debbie": "deborah", "deb": "deborah", "kim": "kimberly", "steph": "stephanie",
    "vicky": "victoria", "cathy": "catherine", "jackie": "jacqueline", "abby": "abigail",
    "zach": "zachary", "larry": "lawrence", "doug": "douglas", "ray": "raymond",
    "jerry": "gerald", "harry": "harold", "al": "albert", "brad": "bradley",
    "russ": "russell", "vince": "vincent", "gene": "eugene", "phil": "philip",
    "dot": "dorothy", "sue": "susan", "pam": "pamela",
}  # fmt: skip

"""The demo workspace generated as Polars frames, vectorised, with its planted defects and ground truth.

This is the seed's first stage: it knows nothing of the sandbox and is fast at any scale (the detection
benchmarks use it directly for a million companies or people). :mod:`.demo` turns the frames into a
sandbox workspace.

>>> frames = generate_frames(scale=0.01)
>>> frames.companies.columns[:3]
['id', 'name', 'domain']
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import polars as pl

from . import words as W
from .ground_truth import GroundTruth

BASE = {
    "companies": 5000,
    "people": 15000,
    "notes": 30000,
    "reimported": 3000,
    "pipeline": 1500,
    "tasks": 1200,
    "deals": 300,
    "investments": 120,
}
DUPLICATE_COMPANY_RATE = 0.04
DUPLICATE_PERSON_RATE = 0.04
REIMPORT_ONLY_SHARE = 0.05
ORPHAN_ENTRY_RATE = 0.04
DUPLICATE_ENTRY_RATE = 0.05
TEMPLATE_NOTE_RATE = 1 / 40
INTERACTION_TYPES = ("email", "calendar-event")
"""Interaction types valid in both the Feb 2026 spec and the newer one (which no longer lists ``call``)."""
EPOCH = datetime(2018, 1, 1, tzinfo=UTC)
IMPORT_MOMENT = datetime(2024, 3, 12, 9, 30, tzinfo=UTC)
REIMPORT_MOMENT = datetime(2026, 3, 3, 14, 0, tzinfo=UTC)
LATEST = datetime(2026, 10, 31, tzinfo=UTC)
TEMPLATE_NOTE = "## Intro call agenda\n- Team\n- Traction\n- Fundraise"
FREE_MAIL = ("gmail.com", "outlook.com", "icloud.com", "yahoo.com")
MEMBERS = (
    ("Ava", "Lindgren", "admin"),
    ("Marcus", "Oyelaran", "admin"),
    ("Sofia", "Bianchi", "member"),
    ("Daniel", "Okafor", "member"),
    ("Hannah", "Weiss", "member"),
    ("Leo", "Tanaka", "member"),
    ("Priya", "Raman", "member"),
    ("Oscar", "Dahl", "suspended"),
)
TOKENS = ("primary", "affinity-import", "affinity-reimport", "readonly")


@dataclass
class DemoFrames:
    """Every entity of the demo workspace as a frame; actors are ``(actor_type, actor_id)`` columns."""

    workspace_id: str
    members: pl.DataFrame
    token_ids: dict[str, str]
    companies: pl.DataFrame
    people: pl.DataFrame
    deals: pl.DataFrame
    investments: pl.DataFrame
    entries: pl.DataFrame
    notes: pl.DataFrame
    tasks: pl.DataFrame
    truth: GroundTruth


class _Gen:
    """A seeded numpy generator with helpers for ids, timestamps and choices."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)

    def ids(self, n: int) -> pl.Series:
        """``n`` random UUIDv4 strings (deterministic for the seed)."""
        raw = self.rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
        raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
        raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
        text = raw.tobytes().hex()
        return pl.Series(
            [
                f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"
                for h in (text[i : i + 32] for i in range(0, 32 * n, 32))
            ],
            dtype=pl.String,
        )

    def one_id(self) -> str:
        return str(self.ids(1)[0])

    def timestamps(self, n: int, start: datetime, end: datetime) -> pl.Series:
        """``n`` uniform random timestamps in Attio's format (UTC, nine fractional digits)."""
        lo, hi = int(start.timestamp() * 1e6), int(end.timestamp() * 1e6)
        micros = pl.Series(self.rng.integers(lo, hi, size=n, dtype=np.int64))
        return as_attio_ts(micros)

    def choice(self, options: tuple[str, ...] | list[str], n: int) -> pl.Series:
        return pl.Series(
            np.asarray(options, dtype=object)[self.rng.integers(0, len(options), size=n)], dtype=pl.String
        )

    def bools(self, share: float, n: int) -> np.ndarray:
        return self.rng.random(n) < share


def where(
    mask: np.ndarray, then: pl.Series | str | None, otherwise: pl.Series | str | None = None
) -> pl.Series:
    """``then`` where ``mask`` holds, else ``otherwise`` (``None`` for a null), as one Series."""
    expr = pl.when(pl.lit(pl.Series(mask))).then(pl.lit(then)).otherwise(pl.lit(otherwise))
    return pl.select(expr).to_series()


def as_attio_ts(micros: pl.Series) -> pl.Series:
    """Microseconds since the epoch → ``YYYY-MM-DDTHH:MM:SS.ffffff000Z``."""
    moment = micros.cast(pl.Datetime("us", "UTC"))
    return (moment.dt.strftime("%Y-%m-%dT%H:%M:%S.%6f") + "000Z").rename("")


_IMPORT_TS = f"{IMPORT_MOMENT:%Y-%m-%dT%H:%M:%S}.000000000Z"


def _n(base: str, scale: float) -> int:
    return max(1, round(BASE[base] * scale))


def _actors(
    g: _Gen, n: int, import_share: float, import_id: str, member_ids: list[str]
) -> tuple[pl.Series, pl.Series, np.ndarray]:
    imported = g.bools(import_share, n)
    kind = where(imported, "api-token", "workspace-member")
    actor = where(imported, import_id, g.choice(member_ids, n))
    return kind, actor, imported


def generate_frames(
    *,
    scale: float = 1.0,
    seed: int = 42,
    parts: frozenset[str] | None = None,
    note_scale: float | None = None,
) -> DemoFrames:
    """Generate the demo workspace as frames. ``parts`` limits it to some of ``companies``, ``people``
    (which needs companies), and the rest; everything by default. ``note_scale`` sizes the notes
    separately (default: ``scale``)."""
    want = parts or frozenset({"companies", "people", "deals", "investments", "entries", "notes", "tasks"})
    g = _Gen(seed)
    truth = GroundTruth(seed=seed, scale=scale)
    workspace_id = g.one_id()
    member_ids = [str(x) for x in g.ids(len(MEMBERS))]
    members = pl.DataFrame(
        {
            "id": member_ids,
            "first_name": [m[0] for m in MEMBERS],
            "last_name": [m[1] for m in MEMBERS],
            "email_address": [f"{m[0].lower()}@northwind.vc" for m in MEMBERS],
            "access_level": [m[2] for m in MEMBERS],
            "created_at": g.timestamps(len(MEMBERS), EPOCH, datetime(2019, 2, 1, tzinfo=UTC)),
        }
    )
    token_ids = dict(zip(TOKENS, (str(x) for x in g.ids(len(TOKENS))), strict=True))
    truth.tokens = dict(token_ids)
    empty = pl.DataFrame()
    companies = _companies(g, scale, token_ids["affinity-import"], member_ids, truth)
    people = (
        _people(g, scale, companies, token_ids["affinity-import"], member_ids, truth)
        if "people" in want
        else empty
    )
    deals = _deals(g, scale, companies, member_ids) if "deals" in want else empty
    investments = _investments(g, scale, companies, member_ids) if "investments" in want else empty
    entries = (
        _entries(g, scale, companies, token_ids["affinity-import"], member_ids, truth)
        if "entries" in want
        else empty
    )
    notes = (
        _notes(
            g, scale if note_scale is None else note_scale, companies, people, token_ids, member_ids, truth
        )
        if "notes" in want and not people.is_empty()
        else empty
    )
    tasks = _tasks(g, scale, companies, token_ids["primary"], member_ids) if "tasks" in want else empty
    return DemoFrames(
        workspace_id, members, token_ids, companies, people, deals, investments, entries, notes, tasks, truth
    )


# ---------------------------------------------------------------------------------------------- companies
def _company_bases(g: _Gen, n: int) -> pl.DataFrame:
    """``n`` distinct (stem, word) name bases, drawn without replacement from the product of word lists."""
    a, b = np.asarray(W.SYLLABLES_A, dtype=object), np.asarray(W.SYLLABLES_B, dtype=object)
    middle = np.asarray(["", *W.SYLLABLES_A], dtype=object)
    word = np.asarray(["", "", *W.COMPANY_WORDS], dtype=object)
    sizes = (len(a), len(middle), len(b), len(word))
    space = int(np.prod(sizes))
    if n > space:
        raise ValueError(f"the demo seed can make at most {space:,} distinct companies; asked for {n:,}")
    index = g.rng.choice(space, size=n, replace=False)
    i_word = index % sizes[3]
    index //= sizes[3]
    i_b = index % sizes[2]
    index //= sizes[2]
    i_mid = index % sizes[1]
    i_a = index // sizes[1]
    stems = pl.Series(a[i_a] + middle[i_mid] + b[i_b], dtype=pl.String).str.to_titlecase()
    return pl.DataFrame({"stem": stems, "word": pl.Series(word[i_word], dtype=pl.String)})


def _interactions(g: _Gen, n: int, member_ids: list[str], share: float) -> dict[str, pl.Series]:
    """The last interaction Attio records for a share of records (system-written, read-only)."""
    has = g.bools(share, n)
    return {
        "last_interaction_at": where(has, g.timestamps(n, IMPORT_MOMENT, LATEST)),
        "last_interaction_type": where(has, g.choice(INTERACTION_TYPES, n)),
        "last_interaction_owner": where(has, g.choice(member_ids, n)),
    }


def _join_name(*parts: pl.Expr) -> pl.Expr:
    return (
        pl.concat_str(parts, separator=" ", ignore_nulls=True).str.replace_all(r"\s+", " ").str.strip_chars()
    )


def _companies(
    g: _Gen, scale: float, import_id: str, member_ids: list[str], truth: GroundTruth
) -> pl.DataFrame:
    n = _n("companies", scale)
    bases = _company_bases(g, int(n * 1.02) + 10)
    tld = g.choice(W.TLDS, bases.height)
    suffix = where(g.bools(0.3, bases.height), g.choice(W.LEGAL_SUFFIXES, bases.height), "")
    frame = (
        bases.with_columns(tld=tld, suffix=suffix)
        .with_columns(
            domain=pl.concat_str(
                [
                    pl.col("stem").str.to_lowercase(),
                    pl.col("word").str.to_lowercase(),
                    pl.lit("."),
                    pl.col("tld"),
                ]
            )
        )
        # one company per name: distinct companies never share a stem and word (only planted duplicates do)
        .unique(["stem", "word"], keep="first", maintain_order=True)
        .head(n)
    )
    n = frame.height
    cities = np.asarray(W.CITIES, dtype=object)
    city = g.rng.integers(0, len(cities), size=n)
    kind, actor, imported = _actors(g, n, 0.6, import_id, member_ids)
    created = where(imported, _IMPORT_TS, g.timestamps(n, IMPORT_MOMENT, LATEST))
    categories = sorted(
        ("B2B", "B2C", "SaaS", "Fintech", "Health", "Climate", "AI", "Marketplace", "Hardware")
    )
    cat_count = g.rng.integers(0, 3, size=n)
    cat_pick = g.rng.integers(0, len(categories), size=(n, 2))
    cat_lists = [sorted({categories[cat_pick[i, j]] for j in range(cat_count[i])}) for i in range(n)]
    frame = frame.with_columns(
        id=g.ids(n),
        created_at=created,
        actor_type=kind,
        actor_id=actor,
        city=pl.Series(cities[city, 0], dtype=pl.String),
        region=pl.Series(cities[city, 1], dtype=pl.String),
        country=pl.Series(cities[city, 2], dtype=pl.String),
        phone_prefix=pl.Series(cities[city, 3], dtype=pl.String),
        phone_area=pl.Series(cities[city, 4], dtype=pl.String),
        categories=pl.Series(cat_lists, dtype=pl.List(pl.String)),
        has_description=pl.Series(g.bools(0.7, n)),
        audience=g.choice(("SMBs", "enterprises", "developers", "consumers", "hospitals", "banks"), n),
        product=g.choice(W.COMPANY_WORDS, n).str.to_lowercase(),
        has_linkedin=pl.Series(g.bools(0.5, n)),
        employee_range=where(
            g.bools(0.4, n),
            g.choice(("1-10", "11-50", "51-250", "251-1K", "1K-5K", "5K-10K", "10K-50K", "50K+"), n),
        ),
    ).with_columns(
        name=_join_name(pl.col("stem"), pl.col("word"), pl.col("suffix")),
        **_interactions(g, n, member_ids, 0.4),
    )
    planted = _duplicate_companies(g, frame, member_ids)
    truth.duplicate_companies = [
        {"ids": [o, d], "variant": v}
        for o, d, v in planted.select("original_id", "id", "variant").iter_rows()
    ]
    return _company_columns(
        pl.concat([frame, planted.drop("original_id", "variant")], how="diagonal_relaxed")
    )


def _company_columns(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        "id",
        "name",
        "domain",
        "created_at",
        "actor_type",
        "actor_id",
        "city",
        "region",
        "country",
        "phone_prefix",
        "phone_area",
        "categories",
        description=pl.when("has_description").then(
            pl.format("{} builds {} products for {}.", "name", "product", "audience")
        ),
        linkedin=pl.when("has_linkedin").then(
            pl.concat_str(
                [
                    pl.lit("https://www.linkedin.com/company/"),
                    pl.col("name").str.split(" ").list.first().str.to_lowercase(),
                ]
            )
        ),
        employee_range="employee_range",
        last_interaction_at="last_interaction_at",
        last_interaction_type="last_interaction_type",
        last_interaction_owner="last_interaction_owner",
    )


def _typo(rng: np.random.Generator, texts: list[str]) -> list[str]:
    """One keyboard-slip edit per text (drop, swap or double a letter inside the word)."""
    out = []
    for text, kind, at in zip(
        texts, rng.integers(0, 3, size=len(texts)), rng.random(len(texts)), strict=True
    ):
        if len(text) < 4:
            out.append(text + text[-1])
            continue
        i = 1 + int(at * (len(text) - 2))
        i = min(i, len(text) - 2)
        if kind == 0:
            out.append(text[:i] + text[i + 1 :])
        elif kind == 1:
            out.append(text[:i] + text[i + 1] + text[i] + text[i + 2 :])
        else:
            out.append(text[:i] + text[i] + text[i:])
    return out


def _duplicate_companies(g: _Gen, frame: pl.DataFrame, member_ids: list[str]) -> pl.DataFrame:
    """Second records for 4% of companies: suffix/case, typo, TLD, split-domain and subdomain variants."""
    n = frame.height
    k = round(n * DUPLICATE_COMPANY_RATE)
    if k == 0:
        return frame.clear().with_columns(
            original_id=pl.lit(None, pl.String), variant=pl.lit(None, pl.String)
        )
    step = n // k
    chosen = frame[[i * step for i in range(k)]].with_columns(
        variant=pl.Series(["suffix", "typo", "tld", "split", "subdomain"] * (k // 5 + 1))[:k],
        new_suffix=g.choice(W.LEGAL_SUFFIXES, k),
        alt_tld=g.choice(("io", "app", "co", "net", "ai"), k),
        prefix=g.choice(("get", "try", "use", "join"), k),
        sub=g.choice(("app", "eu", "us", "go"), k),
        typo_stem=pl.Series(
            _typo(g.rng, frame["stem"][[i * step for i in range(k)]].to_list()), dtype=pl.String
        ),
        lower_name=pl.Series(g.bools(0.5, k)),
    )
    base = pl.concat_str([pl.col("stem").str.to_lowercase(), pl.col("word").str.to_lowercase()])
    alt_tld = pl.when(pl.col("alt_tld") == pl.col("tld")).then(pl.lit("org")).otherwise(pl.col("alt_tld"))
    variant = pl.col("variant")
    dup = chosen.with_columns(
        original_id=pl.col("id"),
        name=pl.when(variant == "suffix")
        .then(_join_name(pl.col("stem").str.to_uppercase(), pl.col("word"), pl.col("new_suffix")))
        .when(variant == "typo")
        .then(_join_name(pl.col("typo_stem"), pl.col("word"), pl.col("suffix")))
        .when((variant == "split") & pl.col("lower_name"))
        .then(pl.col("name").str.to_lowercase())
        .otherwise(_join_name(pl.col("stem"), pl.col("word"))),
        domain=pl.when(variant == "suffix")
        .then(pl.concat_str([pl.lit("www."), pl.col("domain")]))
        .when(variant.is_in(["typo", "tld"]))
        .then(pl.concat_str([base, pl.lit("."), alt_tld]))
        .when(variant == "split")
        .then(pl.concat_str([pl.col("prefix"), base, pl.lit(".com")]))
        .otherwise(pl.concat_str([pl.col("sub"), pl.lit("."), pl.col("domain")])),
        id=g.ids(k),
        created_at=g.timestamps(k, IMPORT_MOMENT, LATEST),
        actor_type=pl.lit("workspace-member"),
        actor_id=g.choice(member_ids, k),
    )
    taken = set(frame["domain"].to_list())
    return dup.filter(~pl.col("domain").is_in(list(taken))).unique(
        "domain", keep="first", maintain_order=True
    )


# ---------------------------------------------------------------------------------------------- people
def _people(
    g: _Gen, scale: float, companies: pl.DataFrame, import_id: str, member_ids: list[str], truth: GroundTruth
) -> pl.DataFrame:
    n = _n("people", scale)
    m = int(n * 1.05) + 10
    first = g.choice(W.FIRST_NAMES, m)
    last = g.choice(W.LAST_NAMES, m)
    employed = g.bools(0.9, m)
    company_idx = g.rng.integers(0, companies.height, size=m)
    company = companies[company_idx].select(
        company_id="id",
        company_domain="domain",
        city="city",
        region="region",
        country="country",
        phone_prefix="phone_prefix",
        phone_area="phone_area",
    )
    pattern = g.rng.integers(0, 4, size=m)
    frame = (
        pl.DataFrame({"first_name": first, "last_name": last, "employed": employed, "pattern": pattern})
        .hstack(company)
        .with_columns(
            company_id=pl.when("employed").then("company_id"),
            mail_domain=pl.when("employed")
            .then(pl.col("company_domain").str.strip_prefix("www."))
            .otherwise(g.choice(FREE_MAIL[:3], m)),
            local=pl.when(pl.col("pattern") == 0)
            .then(pl.concat_str(["first_name", pl.lit("."), "last_name"]))
            .when(pl.col("pattern") == 1)
            .then("first_name")
            .when(pl.col("pattern") == 2)
            .then(pl.concat_str([pl.col("first_name").str.slice(0, 1), "last_name"]))
            .otherwise(pl.concat_str(["first_name", pl.col("last_name").str.slice(0, 1)]))
            .str.to_lowercase(),
        )
        .with_columns(email=pl.concat_str(["local", pl.lit("@"), "mail_domain"]))
        .unique("email", keep="first", maintain_order=True)
        .head(n)
    )
    n = frame.height
    # seven digits that make a valid number in every city (no exchange starting with 1, as in the US)
    digits = pl.Series(g.rng.integers(1_000_000, 10_000_000, size=n)).cast(pl.String).str.replace("^1", "5")
    kind, actor, imported = _actors(g, n, 0.6, import_id, member_ids)
    created = where(imported, _IMPORT_TS, g.timestamps(n, IMPORT_MOMENT, LATEST))
    frame = frame.with_columns(
        id=g.ids(n),
        created_at=created,
        actor_type=kind,
        actor_id=actor,
        digits=digits,
        phone_style=pl.Series(g.rng.integers(0, 3, size=n)),
        has_phone=pl.Series(g.bools(0.6, n)),
        job_title=where(g.bools(0.8, n), g.choice(W.JOB_TITLES, n)),
        linkedin_n=pl.Series(np.where(g.bools(0.4, n), g.rng.integers(100, 999, size=n), -1)),
        **_interactions(g, n, member_ids, 0.5),
    ).with_columns(phone=pl.when("has_phone").then(_phone_expr(pl.col("phone_style"))))
    planted = _duplicate_people(g, frame, member_ids)
    truth.duplicate_people = [
        {"ids": [o, d], "variant": v}
        for o, d, v in planted.select("original_id", "id", "variant").iter_rows()
    ]
    originals_with_new_phone = planted.filter(pl.col("variant") == "phone_format").select(
        "original_id", original_phone="original_phone"
    )
    frame = frame.join(
        originals_with_new_phone, left_on="id", right_on="original_id", how="left"
    ).with_columns(phone=pl.coalesce("original_phone", "phone"))
    return _person_columns(
        pl.concat(
            [frame.drop("original_phone"), planted.drop("original_id", "variant", "original_phone")],
            how="diagonal_relaxed",
        )
    )


def _phone_expr(style: pl.Expr) -> pl.Expr:
    prefix, area, digits = pl.col("phone_prefix"), pl.col("phone_area"), pl.col("digits")
    return (
        pl.when(style == 0)
        .then(
            pl.concat_str(
                [
                    prefix,
                    pl.lit(" "),
                    area,
                    pl.lit(" "),
                    digits.str.slice(0, 4),
                    pl.lit(" "),
                    digits.str.slice(4),
                ]
            )
        )
        .when(style == 1)
        .then(pl.concat_str([prefix, area, digits]))
        .otherwise(
            pl.concat_str(
                [
                    prefix,
                    pl.lit(" ("),
                    area,
                    pl.lit(") "),
                    digits.str.slice(0, 3),
                    pl.lit("-"),
                    digits.str.slice(3),
                ]
            )
        )
    )


def _person_columns(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        "id",
        "first_name",
        "last_name",
        "email",
        "phone",
        phone_country="country",
        company_id="company_id",
        created_at="created_at",
        actor_type="actor_type",
        actor_id="actor_id",
        city="city",
        region="region",
        country="country",
        job_title="job_title",
        last_interaction_at="last_interaction_at",
        last_interaction_type="last_interaction_type",
        last_interaction_owner="last_interaction_owner",
        linkedin=pl.when(pl.col("linkedin_n") >= 0).then(
            pl.format(
                "https://www.linkedin.com/in/{}-{}-{}",
                pl.col("first_name").str.to_lowercase(),
                pl.col("last_name").str.to_lowercase(),
                "linkedin_n",
            )
        ),
    )


def _duplicate_people(g: _Gen, frame: pl.DataFrame, member_ids: list[str]) -> pl.DataFrame:
    """Second records for 4% of people: nickname, swapped order, second email, phone format, typo."""
    n = frame.height
    k = round(n * DUPLICATE_PERSON_RATE)
    variants = ["nickname", "swapped", "second_email", "phone_format", "typo"]
    nick = frame.with_row_index("row").filter(pl.col("first_name").is_in(list(W.NICKNAMES)))
    per_variant = k // 5 + 1
    step = max(1, n // k) if k else 1
    others = frame.with_row_index("row").filter(pl.col("row") % step == 0)
    picked_nick = nick.filter(pl.col("row") % max(1, nick.height // per_variant) == 0).head(per_variant)
    picked_nick = picked_nick.with_columns(variant=pl.lit("nickname"))
    rest = others.join(picked_nick.select("row"), on="row", how="anti").head(k - picked_nick.height)
    rest = rest.with_columns(variant=pl.Series(variants[1:] * (rest.height // 4 + 1))[: rest.height])
    chosen = pl.concat([picked_nick, rest]).drop("row")
    k = chosen.height
    if k == 0:
        return frame.clear().with_columns(
            original_id=pl.lit(None, pl.String),
            variant=pl.lit(None, pl.String),
            original_phone=pl.lit(None, pl.String),
        )
    v = pl.col("variant")
    typo_last = pl.Series(_typo(g.rng, chosen["last_name"].to_list()), dtype=pl.String)
    dup = (
        chosen.with_columns(
            original_id=pl.col("id"),
            typo_last=typo_last,
            new_digits=pl.Series(g.rng.integers(1_000_000, 10_000_000, size=k))
            .cast(pl.String)
            .str.replace("^1", "5"),
            new_style=(pl.col("phone_style") + pl.Series(g.rng.integers(1, 3, size=k))) % 3,
            mail_n=pl.Series(g.rng.integers(10, 99, size=k)).cast(pl.String),
            free=g.choice(FREE_MAIL[:3], k),
        )
        .with_columns(
            first_name=pl.when(v == "nickname")
            .then(pl.col("first_name").replace_strict(W.NICKNAMES, default=pl.col("first_name")))
            .when(v == "swapped")
            .then("last_name")
            .otherwise("first_name"),
            last_name=pl.when(v == "swapped")
            .then("first_name")
            .when(v == "typo")
            .then("typo_last")
            .otherwise("last_name"),
        )
        .with_columns(
            email=pl.concat_str(
                [
                    pl.col("first_name").str.to_lowercase(),
                    pl.lit("."),
                    pl.col("last_name").str.to_lowercase(),
                    "mail_n",
                    pl.lit("@"),
                    "free",
                ]
            ),
            digits=pl.when(pl.col("has_phone")).then("digits").otherwise("new_digits"),
            has_phone=pl.col("has_phone") | (v == "phone_format"),
            phone_style=pl.when(pl.col("has_phone")).then("new_style").otherwise(pl.lit(2)),
            id=g.ids(k),
            created_at=g.timestamps(k, IMPORT_MOMENT, LATEST),
            actor_type=pl.lit("workspace-member"),
            actor_id=g.choice(member_ids, k),
        )
    )
    # a phone-format duplicate of someone without a phone: the original gets the number in another format
    dup = dup.with_columns(
        phone=_phone_expr(pl.col("phone_style")),
        original_phone=pl.when((v == "phone_format") & pl.col("phone").is_null()).then(
            _phone_expr(pl.lit(0))
        ),
    )
    taken = set(frame["email"].to_list())
    return (
        dup.filter(~pl.col("email").is_in(list(taken)))
        .unique("email", keep="first", maintain_order=True)
        .drop("typo_last", "new_digits", "new_style", "mail_n", "free")
    )


# ---------------------------------------------------------------------------------------------- deals, investments
def _deals(g: _Gen, scale: float, companies: pl.DataFrame, member_ids: list[str]) -> pl.DataFrame:
    n = min(_n("deals", scale), companies.height)
    picked = companies[g.rng.choice(companies.height, size=n, replace=False)]
    return pl.DataFrame(
        {
            "id": g.ids(n),
            "name": picked["name"] + " — " + g.choice(W.ROUNDS, n),
            "stage": g.choice(("Lead", "In Progress", "Won 🎉", "Lost"), n),
            "owner": g.choice(member_ids, n),
            "value": pl.Series(np.round(g.rng.uniform(0.5, 10, size=n) * 1_000_000, 2)),
            "company_id": picked["id"],
            "created_at": g.timestamps(n, IMPORT_MOMENT, LATEST),
            "actor_type": pl.Series(["workspace-member"] * n),
            "actor_id": g.choice(member_ids, n),
        }
    )


def _investments(g: _Gen, scale: float, companies: pl.DataFrame, member_ids: list[str]) -> pl.DataFrame:
    n = min(_n("investments", scale), companies.height)
    picked = companies[g.rng.choice(companies.height, size=n, replace=False)]
    created = g.timestamps(n, EPOCH, LATEST)
    return pl.DataFrame(
        {
            "id": g.ids(n),
            "company_id": picked["id"],
            "round": g.choice(W.ROUNDS, n),
            "amount": pl.Series(np.round(g.rng.uniform(0.25, 8, size=n) * 1_000_000, 2)),
            "invested_on": created.str.slice(0, 10),
            "fund": g.choice(("Fund I", "Fund II", "Fund III"), n),
            "lead_partner": g.choice(member_ids[:3], n),
            "ownership": pl.Series(np.round(g.rng.uniform(1, 20, size=n), 2)),
            "pro_rata": pl.Series(g.bools(0.7, n)),
            "memo_url": "https://docs.northwind.vc/memos/" + picked["id"].str.slice(0, 8),
            "created_at": created,
        }
    )


# ---------------------------------------------------------------------------------------------- entries
def _entries(
    g: _Gen, scale: float, companies: pl.DataFrame, import_id: str, member_ids: list[str], truth: GroundTruth
) -> pl.DataFrame:
    """Pipeline entries, plus companies entered twice and entries whose parent company does not exist."""
    n = min(_n("pipeline", scale), companies.height)
    parents = companies["id"][g.rng.choice(companies.height, size=n, replace=False)]
    twice = parents[g.rng.choice(n, size=round(n * DUPLICATE_ENTRY_RATE), replace=False)]
    ghosts = g.ids(round(n * ORPHAN_ENTRY_RATE))
    all_parents = pl.concat([parents, twice, ghosts])
    m = all_parents.len()
    kind, actor, _imported = _actors(g, m, 0.3, import_id, member_ids)
    created = g.timestamps(m, EPOCH, LATEST)
    frame = pl.DataFrame(
        {
            "id": g.ids(m),
            "parent_record_id": all_parents,
            "created_at": created,
            "actor_type": kind,
            "actor_id": actor,
            "stage": g.choice(W.PIPELINE_STAGES, m),
            "owner": g.choice(member_ids, m),
            "round": g.choice(W.ROUNDS, m),
            "check_size": where(
                g.bools(0.7, m), pl.Series(np.round(g.rng.uniform(0.1, 5, size=m) * 1_000_000, 2))
            ),
            "conviction": pl.Series(g.rng.integers(1, 6, size=m)),
            "source": g.choice(W.DEAL_SOURCES, m),
            "next_step": where(
                g.bools(0.5, m),
                g.choice(
                    (
                        "Send term sheet",
                        "Schedule partner meeting",
                        "Reference calls",
                        "Wait for Q3 numbers",
                        "Intro to co-investor",
                    ),
                    m,
                ),
            ),
            "first_contact": created.str.slice(0, 10),
        }
    )
    first_of = frame.head(n).select("id", "parent_record_id")
    seconds = frame.slice(n, twice.len()).select("id", "parent_record_id")
    pairs = seconds.join(first_of, on="parent_record_id", suffix="_first")
    truth.duplicate_entries = [{"ids": [a, b], "parent_record_id": p} for b, p, a in pairs.iter_rows()]
    orphans = frame.slice(n + twice.len())
    truth.orphan_entries = [
        {"id": e, "parent_record_id": p} for e, p in orphans.select("id", "parent_record_id").iter_rows()
    ]
    return frame


# ---------------------------------------------------------------------------------------------- notes
def _note_contents(g: _Gen, n: int, markdown: np.ndarray) -> list[str]:
    sentences = W.NOTE_SENTENCES
    count = g.rng.integers(2, 6, size=n)
    picks = g.rng.integers(0, len(sentences), size=(n, 5))
    nums = g.rng.integers(1, 100, size=(n, 9))
    cities = g.choice([c[0] for c in W.CITIES], n).to_list()
    rounds = g.choice(W.ROUNDS, n).to_list()
    nexts = g.choice(("follow up", "pass", "partner meeting"), n).to_list()
    out = []
    for i in range(n):
        chosen = dict.fromkeys(int(p) for p in picks[i, : count[i]])
        lines = [
            sentences[p].format(
                pct=nums[i, 0],
                round=rounds[i],
                amount=nums[i, 1] % 40 + 1,
                burn=nums[i, 2] * 9,
                runway=nums[i, 3] % 24 + 6,
                city=cities[i],
                team=nums[i, 4] + 3,
                weeks=nums[i, 5] % 8 + 1,
                deals=nums[i, 6] % 25 + 2,
            )
            for p in chosen
        ]
        if markdown[i]:
            out.append("## Summary\n" + "\n".join(f"- {s}" for s in lines) + f"\n\n**Next:** {nexts[i]}")
        else:
            out.append("\n".join(lines))
    return out


def _notes(
    g: _Gen,
    scale: float,
    companies: pl.DataFrame,
    people: pl.DataFrame,
    token_ids: dict[str, str],
    member_ids: list[str],
    truth: GroundTruth,
) -> pl.DataFrame:
    """Original notes (45% from the first Affinity import), template notes, and the re-imported batch."""
    total = _n("notes", scale)
    reimported = _n("reimported", scale)
    n = total - reimported
    on_company = g.bools(0.55, n)
    company_pick = companies["id"][g.rng.integers(0, companies.height, size=n)]
    person_pick = people["id"][g.rng.integers(0, people.height, size=n)]
    markdown = g.bools(0.5, n)
    template = np.arange(n) % round(1 / TEMPLATE_NOTE_RATE) == 0
    markdown = markdown | template
    contents = _note_contents(g, n, markdown)
    from_import = g.bools(0.45, n)
    writers = [*member_ids, token_ids["primary"]]
    writer = np.asarray(writers, dtype=object)[g.rng.integers(0, len(writers), size=n)]
    writer_type = np.where(writer == token_ids["primary"], "api-token", "workspace-member")
    originals = pl.DataFrame(
        {
            "id": g.ids(n),
            "parent_object": pl.Series(np.where(on_company, "companies", "people"), dtype=pl.String),
            "parent_record_id": where(on_company, company_pick, person_pick),
            "title": pl.Series(
                np.where(template, "Intro call", g.choice(W.NOTE_TITLES, n).to_numpy()), dtype=pl.String
            ),
            "content": pl.Series(
                np.where(template, TEMPLATE_NOTE, np.asarray(contents, dtype=object)), dtype=pl.String
            ),
            "format": pl.Series(np.where(markdown, "markdown", "plaintext"), dtype=pl.String),
            "created_at": where(
                from_import, g.timestamps(n, EPOCH, IMPORT_MOMENT), g.timestamps(n, EPOCH, LATEST)
            ),
            "actor_type": pl.Series(np.where(from_import, "api-token", writer_type), dtype=pl.String),
            "actor_id": pl.Series(
                np.where(from_import, token_ids["affinity-import"], writer), dtype=pl.String
            ),
        }
    )
    imported = originals.filter(pl.col("actor_id") == token_ids["affinity-import"])
    copies_of = imported[
        np.sort(g.rng.choice(imported.height, size=min(reimported, imported.height), replace=False))
    ]
    k = copies_of.height
    start = int(REIMPORT_MOMENT.timestamp() * 1e6)
    steps = pl.Series(np.cumsum(g.rng.integers(50_000, 400_000, size=k)) + start)
    copies = copies_of.with_columns(
        original_id=pl.col("id"),
        id=g.ids(k),
        created_at=as_attio_ts(steps),
        actor_type=pl.lit("api-token"),
        actor_id=pl.lit(token_ids["affinity-reimport"]),
    )
    gone = np.zeros(k, dtype=bool)
    gone[g.rng.choice(k, size=round(k * REIMPORT_ONLY_SHARE), replace=False)] = True
    copies = copies.with_columns(original_gone=pl.Series(gone))
    lost = copies.filter("original_gone").select(
        "id", "original_id", original_created_at=copies_of.filter(pl.Series(gone))["created_at"]
    )
    truth.reimport_only_notes = [
        {"id": i, "original_created_at": t} for i, t in lost.select("id", "original_created_at").iter_rows()
    ]
    truth.duplicate_notes = [
        {"id": i, "original_id": o}
        for i, o in copies.filter(~pl.col("original_gone")).select("id", "original_id").iter_rows()
    ]
    truth.notes_source = [
        {"affinity_note_id": 10_000_000 + i, **row}
        for i, row in enumerate(
            imported.select(
                "parent_object", "parent_record_id", "title", "content", "format", "created_at"
            ).iter_rows(named=True)
        )
    ]
    kept = originals.join(lost.select(pl.col("original_id").alias("id")), on="id", how="anti")
    return pl.concat([kept, copies.drop("original_id", "original_gone")])


# ---------------------------------------------------------------------------------------------- tasks
def _tasks(
    g: _Gen, scale: float, companies: pl.DataFrame, primary_id: str, member_ids: list[str]
) -> pl.DataFrame:
    n = _n("tasks", scale)
    picked = companies[g.rng.integers(0, companies.height, size=n)]
    verbs = g.choice(
        (
            "Send follow-up to {}",
            "Book partner meeting with {}",
            "Check references for {}",
            "Review Q3 numbers from {}",
        ),
        n,
    )
    created = g.timestamps(n, IMPORT_MOMENT, LATEST)
    done = g.bools(0.5, n)
    writers = [*member_ids, primary_id]
    writer = g.choice(writers, n)
    return pl.DataFrame(
        {
            "id": g.ids(n),
            "content": [
                v.format(name) for v, name in zip(verbs.to_list(), picked["name"].to_list(), strict=True)
            ],
            "deadline_at": where(
                g.bools(0.8, n), g.timestamps(n, IMPORT_MOMENT, datetime(2026, 12, 31, tzinfo=UTC))
            ),
            "is_completed": pl.Series(done),
            "company_id": picked["id"],
            "assignee": g.choice(member_ids, n),
            "created_at": created,
            "completed_at": where(done, created),
            "actor_type": pl.Series(
                np.where(writer.to_numpy() == primary_id, "api-token", "workspace-member"), dtype=pl.String
            ),
            "actor_id": writer,
        }
    )

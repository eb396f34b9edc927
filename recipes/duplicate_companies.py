"""Duplicate companies: records of one company under name variants (legal suffix, case, typo, accents,
'&' / 'and', one word or two) and domain variants (``www.``, a subdomain, another TLD, a prefixed domain) →
``merge_records`` into a survivor.

Blocking: any registered domain in common, any domain label in common (``acme.de`` / ``acme.io``), a name
key in common (the name as one word in either spelling of its accents: 'Blue Fjord' / 'BlueFjord' /
'Kite.ai' / 'Mueller'), the same key in the same city (for names too common to block on alone), and two
typo keys, a phonetic one and the first and last letters, for a dropped, doubled or swapped letter (these
only pair a record without a domain with another: between two records with domains, the domains decide).
Blocks larger than ``max_block`` are skipped.

Comparisons: the registered domains as sets, their labels, the name's readings (exact, Jaro–Winkler, token
sort), the words that make a different organisation of a similar name (numbers, 'Fund II', 'SPV 2023-A',
entity words such as 'Capital' or 'Foundation', regions such as 'India'), the sectors names carry
('Health', 'Robotics'; a name may drop its own), and the city and country; weighed by Fellegi–Sunter with
m estimated by EM (the word and country comparisons are weighed by hand).

Evidence against caps the probability whatever else agrees: a differing number, entity word or region, or
two different sectors ('Robotics' / 'Software'), keep a pair below the proposal threshold; a differing city
or country below 0.99; and so does a pair without a domain on both sides (a name match no domain confirms).

Domains that unrelated organisations share are no evidence: a free-mail provider (``gmail.com``) or a
shared platform itself (``medium.com/@acme``, ``linktr.ee/acme``) is neither a blocking key nor compared,
and a site on a platform is its own domain (``acme.notion.site`` and ``beta.notion.site`` differ).
"""

from __future__ import annotations

import polars as pl

from cleanup.actions import ActionTable
from cleanup.detect import company_names as names
from cleanup.detect import normalise as norm
from cleanup.detect.findings import MATCH_PARAMS, SURVIVOR_PARAMS, merge_findings
from cleanup.detect.matching import (
    Block,
    Comparison,
    MatchSpec,
    exact,
    fuzzy,
)
from cleanup.detect.recipe import Recipe, needs_records
from cleanup.export.snapshot import Snapshot

NAME = "duplicate_companies"
OBJECT = "companies"


NAME_ONLY_CEILING = 0.98  # a name match no domain confirms: proposed, never in the ≥ 0.99 band
CONTRADICTED_CEILING = 0.5  # 'Fund I' / 'Fund II', 'Acme' / 'Acme India': not proposed
SOFT_CEILING = 0.98  # another city or country: proposed at most below 0.99


def spec(threshold: float = 0.9, max_block: int = 50) -> MatchSpec:
    """The match spec: what is blocked on and compared."""
    return MatchSpec(
        blocks=(
            Block(("_domain",), max_block),
            Block(("_label",), max_block),
            Block(("_key",), max_block),
            Block(("_key_alt",), max_block),
            Block(("_key_city",), max_block),
            Block(("_skeleton",), max_block, either="_no_domain"),
            Block(("_ends",), max_block, either="_no_domain"),
        ),
        comparisons=(
            Comparison(
                "_domain", (exact(),), noun="domain", display="domains", null_ceiling=NAME_ONLY_CEILING
            ),
            Comparison("_label", (exact(), fuzzy("ratio", 0.85)), noun="domain names"),
            Comparison(
                "_name",
                (exact(), fuzzy("jaro_winkler", 0.95), fuzzy("jaro_winkler", 0.88), fuzzy("token_sort", 0.8)),
                noun="names",
                display="name",
                as_held=True,
            ),
            # Hand-set: agreeing says little (most names have none), differing says much.
            Comparison(
                "_qualifier",
                (exact(m=0.995, u=0.8),),
                noun="qualifiers",
                quiet_when_same=True,
                else_m=0.005,
                else_u=0.2,
                else_ceiling=CONTRADICTED_CEILING,
            ),
            # Only two different sectors tell names apart ('Patel Robotics' / 'Patel Software'): a name
            # without one says nothing ('Plaid' / 'Plaid Payments').
            Comparison(
                "_descriptor",
                (exact(m=0.95, u=0.3),),
                noun="sectors",
                quiet_when_same=True,
                else_m=0.05,
                else_u=0.7,
                else_ceiling=CONTRADICTED_CEILING,
            ),
            Comparison("_city", (exact(),), noun="city", else_m=0.15, else_ceiling=SOFT_CEILING),
            # Hand-set: one company's records rarely disagree on the country (3%); two companies of a
            # workspace usually do (60%), while agreeing adds little to an agreeing city.
            Comparison(
                "_country",
                (exact(m=0.97, u=0.4),),
                noun="country",
                else_m=0.03,
                else_u=0.6,
                else_ceiling=SOFT_CEILING,
            ),
        ),
        threshold=threshold,
    )


def _locations(records: pl.DataFrame) -> list[pl.Expr]:
    """``_city`` and ``_country`` from ``primary_location`` (None where the records have none)."""
    if "primary_location" not in records.columns or not isinstance(
        records.schema["primary_location"], pl.Struct
    ):
        return [pl.lit(None, pl.String).alias("_city"), pl.lit(None, pl.String).alias("_country")]
    location = pl.col("primary_location")
    return [names.city(location).alias("_city"), names.country(location).alias("_country")]


def _hashed(column: str) -> pl.Expr:
    """A blocking key as a 64-bit hash (blocks join faster on integers); None stays None."""
    return pl.when(pl.col(column).is_not_null()).then(pl.col(column).hash()).alias(column)


def _domains(records: pl.DataFrame) -> pl.DataFrame:
    """Per record, in the records' order: every identifying registered domain (``_domain``) and its label
    (``_label``) as lists, the first label (``_label_main``), and whether it has none (``_no_domain``)."""
    found = (
        records.select("domains")
        .with_row_index("_row")
        .explode("domains")
        .with_columns(_domain=norm.identifying_domain(pl.col("domains")))
        .with_columns(_label=pl.col("_domain").str.split(".").list.first())
        .group_by("_row")
        .agg(
            pl.col("_domain").drop_nulls().unique(),
            pl.col("_label").drop_nulls().unique(),
            _label_main=pl.col("_label").min(),
        )
    )
    rows = pl.DataFrame({"_row": pl.int_range(records.height, dtype=pl.UInt32, eager=True)})
    return (
        rows.join(found, on="_row", how="left", maintain_order="left")  # no domains: no row found
        .with_columns(_no_domain=pl.col("_domain").list.len().fill_null(0) == 0)
        .drop("_row")
    )


def _names(records: pl.DataFrame) -> pl.DataFrame:
    """``records`` with the name and location columns the spec reads (see :func:`prepare`)."""
    return (
        records.with_columns(
            *_locations(records),
            _plain=names.clean(names.fold(pl.col("name"))),
            _transcribed=names.transcribed(pl.col("name")),
        )
        .with_columns(
            _name=names.name_variants(pl.col("_plain"), pl.col("_transcribed")),
            _key=names.joined(pl.col("_plain")),
            _key_alt=names.transcribed_key(pl.col("_plain"), pl.col("_transcribed")),
            _skeleton=names.skeleton(pl.col("_plain")),
            _ends=names.ends(pl.col("_plain")),
            _marks=names.marks(pl.col("_plain")),
        )
        .unnest("_marks")
        .rename({"qualifier": "_qualifier", "descriptor": "_descriptor"})
        .with_columns(_key_city=pl.concat_str("_key", "_city", separator="|"))
        .with_columns(*(_hashed(c) for c in ("_key", "_key_alt", "_key_city", "_skeleton", "_ends")))
        .drop("_plain", "_transcribed")
    )


def prepare(records: pl.DataFrame) -> pl.DataFrame:
    """The normalised columns the spec reads: ``_name`` (the name's readings, a list), ``_key`` and
    ``_key_alt`` (one-word blocking keys, plain and transcribed, hashed), ``_key_city`` (the key in a
    city), ``_skeleton`` and ``_ends`` (typo keys, hashed), ``_qualifier`` and ``_descriptor``, ``_city``
    and ``_country``, and every identifying registered domain (``_domain``) and its label (``_label``) as
    lists; ``_label_main`` (the first label) is for tools that compare one value per record."""
    return pl.concat([_names(records), _domains(records)], how="horizontal")


def detect(
    snapshot: Snapshot,
    *,
    threshold: float,
    max_block: int,
    survivor: tuple[str, ...],
    prefer_created_by: str | None,
) -> ActionTable:
    prepared = prepare(snapshot.records(OBJECT).collect())
    return merge_findings(
        snapshot,
        NAME,
        OBJECT,
        prepared,
        spec(threshold, max_block),
        survivor=survivor,
        prefer_created_by=prefer_created_by,
        noun="company",
    )


RECIPE = Recipe(
    name=NAME,
    description="Companies recorded more than once (name and domain variants): merge each cluster into the "
    "record with the most notes and entries, then the most complete, then the oldest.",
    run=detect,
    params=(
        *MATCH_PARAMS,
        *SURVIVOR_PARAMS,
    ),
    needs=needs_records(OBJECT),
)

"""Duplicate people: records of one person under a nickname, swapped first and last names, a typo, another
email address or a differently formatted phone number → ``merge_records`` into a survivor.

Blocking: a shared email or phone, the same company with the same first or last name, the same
(nickname-aware) name in either order in the same town, the same postcode and last name, or a shared
identifier. A name alone is not a block: common names would make millions of pairs that a name alone could
never link. Comparisons: the name in either order, company, emails, phones, street, town, postcode and any
identifiers, weighed by Fellegi–Sunter (u from value frequencies and random pairs, m by EM).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from cleanup.actions import ActionTable
from cleanup.detect import normalise as norm
from cleanup.detect.findings import MATCH_PARAMS, SURVIVOR_PARAMS, merge_findings
from cleanup.detect.matching import (
    Block,
    Comparison,
    MatchSpec,
    exact,
    fuzzy,
)
from cleanup.detect.recipe import Param, Recipe, RecipeError
from cleanup.export.snapshot import Snapshot

NAME = "duplicate_people"
OBJECT = "people"


def spec(threshold: float = 0.9, max_block: int = 50, identifiers: Sequence[str] = ()) -> MatchSpec:
    """The match spec: what is blocked on and compared. ``identifiers`` are extra attributes that identify
    a person (a date of birth, an employee or national id): blocked on, and compared exactly or nearly."""
    extra_blocks = tuple(Block((f"_id_{slug}",), max_block) for slug in identifiers)
    extra = tuple(
        Comparison(f"_id_{slug}", (exact(), fuzzy("ratio", 0.8)), noun=slug.replace("_", " "))
        for slug in identifiers
    )
    return MatchSpec(
        blocks=(
            Block(("_emails",), max_block),
            Block(("_phones",), max_block),
            Block(("_name_key", "_locality"), max_block),
            Block(("_company", "_last"), max_block),
            Block(("_company", "_first"), max_block),
            Block(("_postcode", "_last"), max_block),
            *extra_blocks,
        ),
        comparisons=(
            Comparison(
                "_name_key",
                (exact(), fuzzy("jaro_winkler", 0.95), fuzzy("jaro_winkler", 0.88)),
                noun="names",
                display="_full_name",
            ),
            Comparison("_company", (exact(),), noun="company"),
            Comparison("_emails", (exact(),), noun="email", display="email_addresses"),
            Comparison("_phones", (exact(),), noun="phone", display="phone_numbers"),
            Comparison("_street", (exact(), fuzzy("token_sort", 0.85)), noun="street"),
            Comparison("_locality", (exact(), fuzzy("jaro_winkler", 0.9)), noun="town"),
            Comparison("_postcode", (exact(),), noun="postcode"),
            *extra,
        ),
        threshold=threshold,
    )


def _canonical_list(records: pl.DataFrame, column: str, func: Any) -> pl.DataFrame:
    return (
        records.select("_id", column)
        .explode(column)
        .with_columns(func(pl.col(column)).alias("_v"))
        .group_by("_id", maintain_order=True)
        .agg(pl.col("_v").drop_nulls().unique().alias(f"_{column}"))
    )


def _plain(expr: pl.Expr) -> pl.Expr:
    return norm.person_last_name(expr.cast(pl.String))


def prepare(records: pl.DataFrame, identifiers: Sequence[str] = ()) -> pl.DataFrame:
    """The normalised columns the spec reads."""
    missing = [slug for slug in identifiers if slug not in records.columns]
    if missing:
        raise RecipeError(
            f"{NAME}: people have no attribute {', '.join(map(repr, missing))} to use as an identifier"
        )
    name = pl.col("name")
    location = pl.col("primary_location")
    full = name.struct.field("full_name")
    given = pl.when(name.struct.field("first_name").str.strip_chars() != "").then(
        name.struct.field("first_name")
    )
    family = pl.when(name.struct.field("last_name").str.strip_chars() != "").then(
        name.struct.field("last_name")
    )
    # a name imported into full_name only is split by nameparser
    unsplit = pl.when(given.is_null() & family.is_null()).then(
        full
    )  # parse only these (few): nameparser is slow
    first = norm.person_first_name(pl.coalesce(given, norm.full_name_first(unsplit)))
    last = norm.person_last_name(pl.coalesce(family, norm.full_name_last(unsplit)))
    frame = records.with_columns(
        _first=first,
        _last=last,
        _full_name=name.struct.field("full_name"),
        _company=pl.col("company").struct.field("target_record_id"),
        _street=_plain(location.struct.field("line_1")),
        _locality=_plain(location.struct.field("locality")),
        _postcode=location.struct.field("postcode").str.replace_all(r"\s", "").str.to_uppercase(),
    ).with_columns(
        *(_plain(pl.col(slug)).alias(f"_id_{slug}") for slug in identifiers),
        _name_key=pl.concat_str(
            pl.min_horizontal("_first", "_last"), pl.max_horizontal("_first", "_last"), separator=" "
        ),
    )
    emails = _canonical_list(records, "email_addresses", norm.email).rename({"_email_addresses": "_emails"})
    # Attio answers phone numbers in E.164 already: compare them as they are
    phones = records.select("_id", pl.col("phone_numbers").list.drop_nulls().list.unique().alias("_phones"))
    return frame.join(emails, on="_id", how="left").join(phones, on="_id", how="left")


def detect(
    snapshot: Snapshot,
    *,
    threshold: float,
    max_block: int,
    survivor: tuple[str, ...],
    prefer_created_by: str | None,
    identifiers: tuple[str, ...] | None,
) -> ActionTable:
    prepared = prepare(snapshot.records(OBJECT).collect(), identifiers or ())
    return merge_findings(
        snapshot,
        NAME,
        OBJECT,
        prepared,
        spec(threshold, max_block, identifiers or ()),
        survivor=survivor,
        prefer_created_by=prefer_created_by,
        noun="person",
    )


def _needs(snapshot: Snapshot, params: Mapping[str, Any]) -> Sequence[str]:
    return [f"records/{OBJECT}"]


RECIPE = Recipe(
    name=NAME,
    description="People recorded more than once (nicknames, swapped or misspelt names, other emails or phone "
    "formats): merge each cluster into the record with the most notes and entries, then the most complete.",
    run=detect,
    params=(
        *MATCH_PARAMS,
        Param(
            "identifiers", tuple, None, "attributes that identify a person, e.g. date_of_birth,employee_id"
        ),
        *SURVIVOR_PARAMS,
    ),
    needs=_needs,
)

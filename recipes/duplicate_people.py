"""Duplicate people: records of one person under a nickname, swapped first and last names, a typo, a
transliteration, another email address, a new employer or a differently formatted phone number →
``merge_records`` into a survivor.

Blocking: a shared email, phone or LinkedIn profile, the same company with the same first or last name, the
same (nickname-aware) name in either order in the same town, the same postcode and last name, the first two
letters of both names (either order: a typo further on, or swapped names with a typo) at the same postcode or
street address, or a shared identifier. A name alone is not a block: common names would make millions of
pairs that a name alone could never link.

Comparisons, weighed by Fellegi–Sunter (u from value frequencies and random pairs, m by EM):

* the first names: the same, a nickname or diminutive ('Bob' / 'Robert', 'Beppe' / 'Giuseppe'), an initial
  ('J.' / 'Jonathan'), a misspelling, or different: different first names are strong evidence of two
  people (siblings, colleagues), whatever else they share;
* the last names (either order, transliterations folded: 'Østergaard' / 'Ostergaard');
* a generational suffix ('Jr.' / 'Sr.', 'II' / 'III'): different ones are strong evidence of two people;
* the LinkedIn profile, whatever the URL's shape: a strong identifier (the names are still compared);
* company, emails, street, town, postcode and any identifiers; phones by frequency (an office line shared
  by a whole team counts for little, a personal number for much).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from cleanup.actions import ActionTable
from cleanup.detect import names
from cleanup.detect import normalise as norm
from cleanup.detect.findings import MATCH_PARAMS, SURVIVOR_PARAMS, merge_findings
from cleanup.detect.matching import (
    Block,
    Comparison,
    Level,
    MatchSpec,
    exact,
    exact_tf,
    fuzzy,
)
from cleanup.detect.recipe import Param, Recipe, RecipeError, needs_records
from cleanup.export.snapshot import Snapshot
from cleanup.labels import Namer

NAME = "duplicate_people"
OBJECT = "people"

# How often one person's two records hold different first names (not nicknames, initials or typos) or
# different generational suffixes: data-entry slips, rare. Set, not learned: EM over candidates blocked on
# company and surname would learn from siblings and fathers and sons that such pairs are common.
DIFFERENT_FIRST_NAMES_M = 0.0005
DIFFERENT_GENERATION_M = 1e-6  # the engine's floor: in effect a veto, a "Jr." and a "Sr." are two people
# One person under two unrelated last names: a marriage, a typo past recognition. EM would learn far more
# from namesakes of a first name at one company.
DIFFERENT_LAST_NAMES_M = 0.02
# One person with two LinkedIn profiles (an old vanity URL, a second account) happens, but seldom.
DIFFERENT_LINKEDIN_M = 0.05
# A LinkedIn profile is one person's: two people share one only by a slip (a colleague's URL pasted). Set,
# not counted: in a small workspace the few shared profiles are the duplicates themselves.
LINKEDIN_SHARED_U = 1e-8
# Two records compared and found more likely two people than one are never merged through a third record
# (a son recorded once without his "Jr." links to himself and to his father "Sr." alike), when what tells
# them apart is decisive: different first names (not nicknames, initials or misspellings), generations or
# LinkedIn profiles. Two records of one person that score low only because each holds typos (in the last
# name, the street, the date of birth) stay linkable through a third.
CANNOT_LINK = 0.5
# Blocking on the first letters of both names (with a town, postcode or street) finds a person under a typo
# past them; typos in the first two letters of a name are far rarer than later ones.
PREFIX_LETTERS = 2

FIRST_NAME_LEVELS = (
    Level("same first name", "first_name", names.SAME),
    Level("a nickname", "first_name", names.NICKNAME),
    Level("an initial", "first_name", names.INITIAL),
    Level("a similar spelling", "first_name", names.SPELLING),
)
LAST_NAME_LEVELS = (
    Level("same last name", "last_name", names.SAME),
    Level("a similar spelling", "last_name", 0.92),
    Level("a loosely similar spelling", "last_name", 0.85),
)

# Two addresses at one work domain: one person seldom has two at one employer, colleagues always do. Weighed
# against the pairs that reach this level (people at one company), not random pairs: the shared employer
# is counted by the company comparison already.
EMAIL_LEVELS = (
    exact(),
    Level("another address at the same work domain", "work_email", 0.5, m=0.02, u=0.5),
)


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
            Block(("_linkedin",), max_block),
            Block(("_name_key", "_locality"), max_block),
            Block(("_company", "_last_key"), max_block),
            Block(("_company", "_first"), max_block),
            Block(("_postcode", "_last_key"), max_block),
            # a typo past the second letter of a name, or swapped names with a typo, breaks the keys above;
            # at one postcode or street address (a town, often a city, is too wide for two letters of a name)
            Block(("_name_prefixes", "_postcode"), max_block),
            Block(("_name_prefixes", "_street"), max_block),
            *extra_blocks,
        ),
        comparisons=(
            Comparison(
                "_given_key",
                FIRST_NAME_LEVELS,
                noun="first name",
                display="_first_shown",
                else_m=DIFFERENT_FIRST_NAMES_M,
                decisive=True,
            ),
            Comparison(
                "_family_key",
                LAST_NAME_LEVELS,
                noun="last name",
                display="_last_shown",
                else_m=DIFFERENT_LAST_NAMES_M,
            ),
            Comparison(
                "_generation",
                (exact(m=0.95, u=0.5),),
                noun="generation",
                display="_generation_shown",
                as_held=True,
                else_m=DIFFERENT_GENERATION_M,
                else_u=0.5,
                decisive=True,
            ),
            Comparison(
                "_linkedin",
                (exact(u=LINKEDIN_SHARED_U),),
                noun="LinkedIn profile",
                display="linkedin",
                as_held=True,
                else_m=DIFFERENT_LINKEDIN_M,
                decisive=True,
            ),
            Comparison("_company", (exact(),), noun="company", display="_company_shown"),
            Comparison("_emails", EMAIL_LEVELS, noun="email", display="email_addresses", as_held=True),
            Comparison("_phones", (exact_tf(),), noun="phone", display="phone_numbers", as_held=True),
            Comparison("_street", (exact(), fuzzy("token_sort", 0.85)), noun="street"),
            Comparison("_locality", (exact(), fuzzy("jaro_winkler", 0.9)), noun="town"),
            Comparison("_postcode", (exact(),), noun="postcode"),
            *extra,
        ),
        threshold=threshold,
        cannot_link=CANNOT_LINK,
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
    return names.fold(expr.cast(pl.String))


def _filled(expr: pl.Expr) -> pl.Expr:
    """The value when it holds more than blanks, else None."""
    return pl.when(expr.str.strip_chars() != "").then(expr.str.strip_chars())


def _name_parts(records: pl.DataFrame) -> pl.DataFrame:
    """The first and last name as written (``_first_written``, ``_last_written``): the fields when both
    are filled; a full name written whole into one field (first name, last name or only full name) split
    into its parts (once per distinct such name)."""
    name = pl.col("name")
    frame = records.with_columns(
        _g=_filled(name.struct.field("first_name")),
        _f=_filled(name.struct.field("last_name")),
        _full=_filled(name.struct.field("full_name")),
    )
    given, family = pl.col("_g"), pl.col("_f")
    frame = frame.with_columns(
        _whole=pl.when(given.is_not_null() & family.is_null() & given.str.contains(" "))
        .then(given)
        .when(given.is_null() & family.is_not_null() & family.str.contains(" "))
        .then(family)
        .when(given.is_null() & family.is_null())
        .then(pl.col("_full"))
    )
    split_type = pl.Struct({"first": pl.String, "last": pl.String})
    split = names.on_distinct(names.split_full_name, pl.col("_whole"), split_type)
    frame = frame.with_columns(_split=split)
    return frame.with_columns(
        _first_written=pl.coalesce(pl.col("_split").struct.field("first"), given),
        _last_written=pl.coalesce(
            pl.col("_split").struct.field("last"), pl.when(pl.col("_whole").is_null()).then(family)
        ),
    ).drop("_g", "_f", "_full", "_whole", "_split")


def _names(records: pl.DataFrame) -> pl.DataFrame:
    """The name columns: as shown (``_first_shown``, ``_last_shown``, ``_generation_shown``), folded
    (``_last`` without its suffix, ``_generation``), the keys the name comparisons read (``_given_key``
    'first|last', ``_family_key`` 'last|first'), and the blocking keys, umlaut spellings reduced so
    'Jürgen Müller' and 'Jurgen Muller' meet: ``_first`` (nickname-aware), ``_last_key``, ``_name_key``
    (both names, in either order) and ``_name_prefixes`` (their first two letters, in either order:
    'Morrison Robni' and 'Robin Morisson' → 'mo ro')."""
    full = pl.col("name").struct.field("full_name")
    frame = _name_parts(records)
    first, last = pl.col("_first_written"), pl.col("_last_written")
    frame = frame.with_columns(_first_shown=first, _last_shown=names.without_generation(last))
    frame = frame.with_columns(
        _generation_shown=pl.coalesce(names.generation_as_written(last), names.generation_as_written(full)),
        _given=_plain(names.without_generation(pl.col("_first_shown"))),
        _last=_plain(pl.col("_last_shown")),
    ).with_columns(
        _generation=names.generation(pl.col("_generation_shown")),
        _first=names.umlaut_key(norm.person_first_name(pl.col("_given"))),
        _last_key=names.umlaut_key(pl.col("_last")),
    )
    given, family = pl.col("_given").fill_null(""), pl.col("_last").fill_null("")
    first_two = pl.col("_first").str.replace_all(" ", "", literal=True).str.slice(0, PREFIX_LETTERS)
    last_two = pl.col("_last_key").str.replace_all(" ", "", literal=True).str.slice(0, PREFIX_LETTERS)
    return frame.with_columns(
        _given_key=pl.when(given != "").then(pl.concat_str(given, family, separator="|")),
        _family_key=pl.when(family != "").then(pl.concat_str(family, given, separator="|")),
        _name_key=pl.concat_str(
            pl.min_horizontal("_first", "_last_key"), pl.max_horizontal("_first", "_last_key"), separator=" "
        ),
        _name_prefixes=pl.concat_str(
            pl.min_horizontal(first_two, last_two), pl.max_horizontal(first_two, last_two), separator=" "
        ),
    )


def prepare(
    records: pl.DataFrame, identifiers: Sequence[str] = (), company_names: Mapping[str, str] | None = None
) -> pl.DataFrame:
    """The normalised columns the spec reads; evidence names a company by ``company_names`` (id → name)."""
    missing = [slug for slug in identifiers if slug not in records.columns]
    if missing:
        raise RecipeError(
            f"{NAME}: people have no attribute {', '.join(map(repr, missing))} to use as an identifier"
        )
    if "linkedin" not in records.columns:
        records = records.with_columns(linkedin=pl.lit(None, dtype=pl.String))
    location = pl.col("primary_location")
    frame = _names(records).with_columns(
        *(_plain(pl.col(slug)).alias(f"_id_{slug}") for slug in identifiers),
        _company=pl.col("company").struct.field("target_record_id"),
        _company_shown=pl.col("company").struct.field("target_record_id").replace(dict(company_names or {})),
        _linkedin=names.linkedin_slug(pl.col("linkedin")),
        _street=_plain(location.struct.field("line_1")),
        _locality=_plain(location.struct.field("locality")),
        _postcode=location.struct.field("postcode").str.replace_all(r"\s", "").str.to_uppercase(),
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
    records = snapshot.records(OBJECT).collect()
    companies = records["company"].struct.field("target_record_id").drop_nulls().unique().to_list()
    prepared = prepare(records, identifiers or (), Namer(snapshot).records("companies", companies))
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


RECIPE = Recipe(
    name=NAME,
    description="People recorded more than once (nicknames, initials, swapped, misspelt or transliterated names, "
    "other emails, a new employer under the same LinkedIn profile, phone formats), never siblings, colleagues "
    "or a Jr. and a Sr.: merge each cluster into the record with the most notes and entries, then the most "
    "complete.",
    run=detect,
    params=(
        *MATCH_PARAMS,
        Param(
            "identifiers", tuple, None, "attributes that identify a person, e.g. date_of_birth,employee_id"
        ),
        *SURVIVOR_PARAMS,
    ),
    needs=needs_records(OBJECT),
)

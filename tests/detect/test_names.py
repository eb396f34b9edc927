"""Person-name and LinkedIn normalisers: table-driven cases."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import pytest

from cleanup.detect.matching import VECTOR_SCORERS
from cleanup.detect.names import (
    INITIAL,
    NICKNAME,
    SAME,
    SPELLING,
    first_name_relation,
    fold,
    generation,
    generation_as_written,
    last_name_relation,
    linkedin_slug,
    nickname_pairs,
    split_full_name,
    without_generation,
    work_email_relation,
)


def run(func: Callable[[pl.Expr], pl.Expr], values: list[str | None]) -> list[str | None]:
    return pl.DataFrame({"v": values}, schema={"v": pl.String}).select(func(pl.col("v")))["v"].to_list()


@pytest.mark.parametrize(
    ("url", "slug"),
    [
        ("https://www.linkedin.com/in/jane-doe/", "jane-doe"),
        ("https://www.linkedin.com/in/jane-doe", "jane-doe"),
        ("linkedin.com/in/jane-doe", "jane-doe"),
        ("http://uk.linkedin.com/in/Jane-Doe?trk=profile", "jane-doe"),
        ("www.linkedin.com/in/jane-doe/", "jane-doe"),
        ("https://linkedin.com/in/jane-doe/?originalSubdomain=de", "jane-doe"),
        ("https://de.linkedin.com/in/jane-doe-4a5b6c#about", "jane-doe-4a5b6c"),
        ("  HTTPS://WWW.LINKEDIN.COM/IN/JANE-DOE/  ", "jane-doe"),
        ("https://www.linkedin.com/pub/jane-doe/1/2/3", "jane-doe"),
        ("jane-doe", "jane-doe"),  # a bare slug
        ("https://www.linkedin.com/company/acme", None),  # a company page, not a person
        ("https://twitter.com/janedoe", None),
        ("", None),
        (None, None),
    ],
)
def test_linkedin_urls_fold_to_their_slug(url: str | None, slug: str | None) -> None:
    assert run(linkedin_slug, [url]) == [slug]


@pytest.mark.parametrize(
    ("name", "folded"),
    [
        ("Søren Østergaard", "soren ostergaard"),
        ("Jürgen Strauß", "juergen strauss"),
        ("Bækgaard", "baekgaard"),
        ("Łukasz Wąsik", "lukasz wasik"),
        ("Åsa", "aasa"),
        ("Chloé Lefèvre", "chloe lefevre"),
        ("Ágnes Núñez", "agnes nunez"),
        ("O'Brien", "obrien"),
        ("Jean-Luc", "jean luc"),
        ("  ", ""),
    ],
)
def test_fold_keeps_every_letter(name: str, folded: str) -> None:
    assert run(fold, [name]) == [folded]


@pytest.mark.parametrize(
    ("name", "suffix", "written", "rest"),
    [
        ("Hale Jr.", "jr", "Jr.", "Hale"),
        ("John Hale, Jr.", "jr", "Jr.", "John Hale"),
        ("Hale Sr", "sr", "Sr", "Hale"),
        ("Henry Ford III", "iii", "III", "Henry Ford"),
        ("Smith, Senior", "sr", "Senior", "Smith"),
        ("Jr.", "jr", None, "Jr."),  # the suffix on its own (for generation only)
        ("Hale", None, None, "Hale"),
        ("Ivy", None, None, "Ivy"),  # a name ending in 'iv' letters, not a suffix
    ],
)
def test_generational_suffixes(name: str, suffix: str | None, written: str | None, rest: str) -> None:
    assert run(generation, [name]) == [suffix]
    assert run(generation_as_written, [name]) == [written]
    assert run(without_generation, [name]) == [rest]


@pytest.mark.parametrize(
    ("full", "first", "last"),
    [
        ("Jane Doe", "Jane", "Doe"),
        ("Dr. Robert van der Berg", "Robert", "van der Berg"),
        ("Smith, John", "John", "Smith"),
        ("John Hale, Jr.", "John", "Hale"),
        ("José María García", "José María", "García"),
        ("Madonna", "Madonna", None),
    ],
)
def test_split_full_name(full: str, first: str, last: str | None) -> None:
    parts = pl.select(split_full_name(pl.lit(full))).to_series()[0]
    assert (parts["first"], parts["last"]) == (first, last)


@pytest.mark.parametrize(
    ("a", "b", "score"),
    [
        ("robert|smith", "robert|smith", SAME),
        ("smith|john", "john|smith", SAME),  # first and last swapped between the fields
        ("jose|garcia", "jose maria|garcia", SAME),  # the first of two given names
        ("juergen|x", "jurgen|x", SAME),  # two ASCII spellings of Jürgen
        ("bob|smith", "robert|smith", NICKNAME),
        ("bob|smith", "rob|smith", NICKNAME),  # two nicknames of one name
        ("alex|x", "alejandro|x", NICKNAME),
        ("sam|x", "samantha|x", NICKNAME),
        ("beppe|x", "giuseppe|x", NICKNAME),
        ("paco|x", "francisco|x", NICKNAME),
        ("sasha|x", "aleksandr|x", NICKNAME),
        ("hannes|x", "johannes|x", NICKNAME),
        ("j|ross", "jonathan|ross", INITIAL),
        ("jonh|x", "john|x", SPELLING),  # a typo
        ("jarod|mccarthy", "jatod|mccarthy", SPELLING),  # one letter changed in a five-letter name
        ("robin|morrison", "morrison|robni", SAME),  # swapped between the fields, the last name misspelt
        ("aelx|kranz", "kranz|alex", SAME),  # swapped and one misspelt: the closer pair counts here
        ("hope|george", "george|hpoe", SAME),  # swapped, one misspelt: 'hpoe' is no umlaut spelling
        ("daniel|smith", "smith|daniela", 0.0),  # swapped, yet two names
        ("carlo|x", "carla|x", 0.0),  # a name's masculine and feminine forms: two people
        ("louis|x", "louise|x", 0.0),
        ("michel|x", "michelle|x", 0.0),
        ("alexander|x", "alexandra|x", 0.0),  # two known names: two people
        ("daniel|x", "daniela|x", 0.0),
        ("samuel|x", "samantha|x", 0.0),  # both 'Sam', yet two names
        ("anna|berg", "maria|berg", 0.0),
        ("jean luc|x", "jean pierre|x", 0.0),
        ("j|ross", "peter|ross", 0.0),
    ],
)
def test_first_name_relation(a: str, b: str, score: float) -> None:
    forward = first_name_relation(pl.Series([a]), pl.Series([b]))[0]
    backward = first_name_relation(pl.Series([b]), pl.Series([a]))[0]
    assert forward == pytest.approx(score)
    assert backward == pytest.approx(score)


def test_last_name_relation_folds_swaps_and_spellings() -> None:
    scores = last_name_relation(
        pl.Series(["mueller|anna", "smith|john", "berg|anna", "smith|x"]),
        pl.Series(["muller|anna", "john|smith", "brandt|anna", "smtih|x"]),
    ).to_list()
    assert scores[:2] == [SAME, SAME]
    assert scores[2] < 0.85 < scores[3] < 1.0


def test_last_name_relation_keeps_plain_vowel_pairs() -> None:
    # 'hpoe' is 'hope' misspelt, not an umlaut spelling of 'hpo': scored as written
    assert last_name_relation(pl.Series(["hpoe|x"]), pl.Series(["hope|x"]))[0] > 0.92


def test_last_name_relation_reads_a_swap_with_a_typo() -> None:
    swapped, unrelated = last_name_relation(
        pl.Series(["morrison|robin", "morrison|robin"]), pl.Series(["robni|morrison", "robin|thomas"])
    ).to_list()
    assert 0.9 < swapped < 1.0
    assert unrelated < 0.85


def test_work_email_relation() -> None:
    scores = work_email_relation(
        pl.Series(["ann@acme.com", "ann@acme.com", "ann@gmail.com", "ann@acme.com"]),
        pl.Series(["ann@acme.com", "bob@acme.com", "bob@gmail.com", "ann@beta.io"]),
    ).to_list()
    assert scores == [1.0, 0.5, 0.0, 0.0]


def test_nickname_pairs_never_pair_two_formal_names() -> None:
    pairs = set(nickname_pairs().iter_rows())
    assert ("alex", "alexander") in pairs
    assert ("alexander", "alex") in pairs
    assert ("alexander", "alexandra") not in pairs
    assert ("samuel", "samantha") not in pairs


def test_scorers_are_registered_with_the_engine() -> None:
    assert {"first_name", "last_name", "work_email"} <= set(VECTOR_SCORERS)

"""The matching engine: blocking, comparison levels, weights, clusters and survivorship (table-driven)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from cleanup.detect.matching import (
    OLDEST,
    Block,
    Comparison,
    MatchSpec,
    MatchSpecError,
    Prefer,
    candidate_pairs,
    choose_survivors,
    compare,
    connected_components,
    exact,
    fuzzy,
    match,
    unlink_conflicts,
)

FRAME = pl.DataFrame(
    {
        "_id": ["a", "b", "c", "d", "e"],
        "name": ["acme", "acme", "acne", "zeta", None],
        "domains": [["acme.com"], ["acme.com", "acme.de"], [], ["zeta.io"], ["acme.de"]],
    }
)
NAME = Comparison("name", (exact(), fuzzy("jaro_winkler", 0.9)), noun="names")
DOMAIN = Comparison("domains", (exact(),), noun="domain")


@pytest.mark.parametrize(
    ("blocks", "expected"),
    [
        ((Block(("name",)),), [(0, 1)]),
        ((Block(("domains",)),), [(0, 1), (1, 4)]),
        ((Block(("name",)), Block(("domains",))), [(0, 1), (1, 4)]),
        ((Block(("domains",), max_block=1),), []),
    ],
)
def test_blocking(blocks: tuple[Block, ...], expected: list[tuple[int, int]]) -> None:
    assert candidate_pairs(FRAME, blocks).rows() == expected


@pytest.mark.parametrize(
    ("left", "right", "name_level", "domain_level"),
    [
        (0, 1, 0, 0),  # same name, a shared domain
        (0, 2, 2, -1),  # acme / acne: Jaro-Winkler 0.87, below 0.9: else; c has no domain
        (0, 3, 2, 1),  # nothing alike: else (the domain has one level, so else is 1)
        (1, 4, -1, 0),  # e has no name: the name says nothing
    ],
)
def test_comparison_levels(left: int, right: int, name_level: int, domain_level: int) -> None:
    pairs = pl.DataFrame({"left": [left], "right": [right]}, schema={"left": pl.UInt32, "right": pl.UInt32})
    scored = compare(FRAME, pairs, [NAME, DOMAIN])
    assert scored["name_level"][0] == name_level
    assert scored["domains_level"][0] == domain_level


def test_similarity_is_symmetric_and_scored_once_per_distinct_pair() -> None:
    frame = pl.DataFrame({"_id": ["1", "2", "3"], "name": ["martha", "marhta", "martha"]})
    pairs = pl.DataFrame(
        {"left": [0, 1, 0], "right": [1, 2, 2]}, schema={"left": pl.UInt32, "right": pl.UInt32}
    )
    scores = compare(frame, pairs, [Comparison("name", (fuzzy("jaro_winkler", 0.9),), noun="names")])[
        "name_score"
    ]
    assert scores[0] == scores[1] == pytest.approx(0.9611, abs=1e-3)
    assert scores[2] == 1.0


@pytest.mark.parametrize(
    ("edges", "n", "labels"),
    [
        ([], 3, [0, 1, 2]),
        ([(0, 1), (1, 2)], 4, [0, 0, 0, 3]),
        ([(3, 2), (2, 1), (1, 0)], 4, [0, 0, 0, 0]),  # a chain found from its far end
        ([(0, 4), (1, 3), (3, 4)], 5, [0, 0, 2, 0, 0]),
    ],
)
def test_connected_components(edges: list[tuple[int, int]], n: int, labels: list[int]) -> None:
    left = np.array([e[0] for e in edges], dtype=np.int64)
    right = np.array([e[1] for e in edges], dtype=np.int64)
    assert connected_components(left, right, n).tolist() == labels


def test_match_links_clusters_and_explains() -> None:
    spec = MatchSpec(
        blocks=(Block(("name",)), Block(("domains",))), comparisons=(NAME, DOMAIN), threshold=0.5
    )
    matches = match(FRAME, spec, id_column="_id")
    assert matches.clusters.rows() == [("a", "a"), ("b", "a"), ("e", "a")]
    evidence = matches.links.filter(pl.col("left_id") == "a")["evidence"][0]
    assert evidence == "same names acme; same domain acme.com"
    assert set(matches.weights.table(spec)["comparison"]) == {"name", "domains"}


def test_rejected_pairs_are_never_linked() -> None:
    spec = MatchSpec(
        blocks=(Block(("name",)), Block(("domains",))), comparisons=(NAME, DOMAIN), threshold=0.5
    )
    rejected = pl.DataFrame({"left_id": ["b"], "right_id": ["a"]})
    matches = match(FRAME, spec, id_column="_id", exclude=rejected)
    assert ("a", "b") not in set(matches.links.select("left_id", "right_id").rows())


# Three records: "c" links to "a" and to "b" alike, and "a" / "b" score low. Whether "a" and "b" cannot share a
# cluster depends on why they score low: a contradicting level of a decisive comparison, or typos only.
GIVEN = Comparison("given", (exact(), fuzzy("jaro_winkler", 0.9)), noun="first name", decisive=True)
STREET = Comparison("street", (exact(), fuzzy("jaro_winkler", 0.9)), noun="street")


def triangle(given_level: int, street_level: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "left": [0, 0, 1],
            "right": [1, 2, 2],
            "probability": [0.1, 0.97, 0.98],
            "given_level": [given_level, 0, 0],
            "street_level": [street_level, 0, 1],
        },
        schema_overrides={"left": pl.UInt32, "right": pl.UInt32, "given_level": pl.Int8},
    ).with_columns(linked=pl.col("probability") >= 0.9)


@pytest.mark.parametrize(
    ("given_level", "street_level", "comparisons", "kept"),
    [
        (2, 2, (GIVEN, STREET), 0),  # two first names (the decisive else): c can join neither
        (1, 2, (GIVEN, STREET), 2),  # a misspelt first name, another street: low only from typos
        (-1, 2, (GIVEN, STREET), 2),  # a first name missing says nothing against
        (1, 2, (), 0),  # no decisive comparison: any pair below the bar cannot link
    ],
)
def test_only_decisive_contradictions_cannot_link(
    given_level: int, street_level: int, comparisons: tuple[Comparison, ...], kept: int
) -> None:
    scored = unlink_conflicts(triangle(given_level, street_level), 3, 0.5, comparisons=comparisons)
    assert scored["linked"].sum() == kept


def test_spec_errors_name_the_problem() -> None:
    with pytest.raises(MatchSpecError, match="unknown scorer 'soundex'"):
        fuzzy("soundex", 0.9)
    spec = MatchSpec(blocks=(Block(("missing",)),), comparisons=(NAME,))
    with pytest.raises(MatchSpecError, match="lacks the column"):
        match(FRAME, spec, id_column="_id")


LABELS = pl.DataFrame(
    {
        "labels": [["acme", "acme-old"], ["acme-old"], ["acmee"], ["zeta"], [], ["zeta", "acme"]],
    }
)
LABEL = Comparison("labels", (exact(), fuzzy("ratio", 0.85)), noun="domain names")


@pytest.mark.parametrize(
    ("left", "right", "level", "score"),
    [
        (0, 1, 0, 1.0),  # 'acme-old' in both: a value in common, whichever is first
        (0, 2, 1, 0.89),  # acme / acmee: the best pair of values, not the first
        (2, 5, 1, 0.89),  # acmee / acme, beside an unrelated 'zeta'
        (1, 3, 2, 0.17),  # nothing alike: else, with the best score seen
        (0, 4, -1, 0.0),  # an empty list says nothing
    ],
)
def test_list_columns_compare_every_value(left: int, right: int, level: int, score: float) -> None:
    pairs = pl.DataFrame({"left": [left], "right": [right]}, schema={"left": pl.UInt32, "right": pl.UInt32})
    scored = compare(LABELS, pairs, [LABEL])
    assert scored["labels_level"].to_list() == [level]
    assert scored["labels_score"].to_list() == [pytest.approx(score, abs=0.01)]


def test_list_fuzzy_levels_keep_the_pairs_in_order() -> None:
    pairs = pl.DataFrame(
        {"left": [4, 0, 2, 1], "right": [5, 2, 5, 3]}, schema={"left": pl.UInt32, "right": pl.UInt32}
    )
    assert compare(LABELS, pairs, [LABEL])["labels_level"].to_list() == [-1, 1, 1, 2]


def test_survivors_follow_the_rules_in_order_then_id() -> None:
    clusters = pl.DataFrame({"id": ["a", "b", "c", "x", "y"], "cluster": ["a", "a", "a", "x", "x"]})
    records = pl.DataFrame(
        {
            "_id": ["a", "b", "c", "x", "y"],
            "_activity": [1, 5, 5, 0, 0],
            "_created_at": [3, 2, 1, 7, 7],
        }
    )
    rules = (Prefer("most activity", "_activity"), OLDEST)
    chosen = choose_survivors(clusters, records, rules)
    assert dict(chosen.select("id", "survivor").rows()) == {"a": "c", "b": "c", "c": "c", "x": "x", "y": "x"}

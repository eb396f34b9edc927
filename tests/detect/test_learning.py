"""Reviewer decisions that teach: patterns kept by label, shifts fitted to approvals and rejections."""

from __future__ import annotations

import numpy as np
import orjson
import polars as pl
import pytest

from cleanup.detect.learning import Labels, labelled, learn, pattern_keys, patterns
from cleanup.detect.matching import Comparison, Weights, exact, fuzzy

NAME = Comparison("name", (exact(), fuzzy("jaro_winkler", 0.9)), noun="names")
CITY = Comparison("city", (exact(),), noun="city")
COMPARISONS = (NAME, CITY)
# levels: name exact 0 / fuzzy 1 / else 2; city exact 0 / else 1
WEIGHTS = Weights(
    m=[np.array([0.7, 0.2, 0.1]), np.array([0.8, 0.2])],
    u=[np.array([0.005, 0.01, 0.985]), np.array([0.05, 0.95])],
    prior=0.05,
)


def _labels(rows: list[tuple[int, int, bool]]) -> Labels:
    levels = np.array([[a, b] for a, b, _ in rows], dtype=np.int8)
    return Labels(levels, np.zeros(len(rows)), np.array([d for *_, d in rows]))


def _p(weights: Weights, name: int, city: int) -> float:
    return float(weights.probability(np.array([[name, city]], dtype=np.int8))[0])


def test_patterns_are_kept_by_level_label_and_read_back_in_a_changed_spec() -> None:
    scored = pl.DataFrame(
        {"name_level": [1, -1], "city_level": [0, 1]},
        schema=dict.fromkeys(("name_level", "city_level"), pl.Int8),
    )
    kept = patterns(scored, np.array([0.5, 0.0]), COMPARISONS)
    assert orjson.loads(kept[0]) == {"levels": {"name": "jaro_winkler ≥ 0.9", "city": "exact"}, "tf": 0.5}
    assert orjson.loads(kept[1])["levels"] == {"name": "no value", "city": "else"}
    decisions = pl.DataFrame({"pattern": kept, "duplicate": [True, False]})
    read = labelled(decisions, COMPARISONS)
    assert read.levels.tolist() == [[1, 0], [-1, 1]]
    assert read.offset.tolist() == [0.5, 0.0]
    # a spec that gained a name level and lost the city: labels found by name, the rest say nothing
    wider = (Comparison("name", (exact(), fuzzy("ratio", 0.95), fuzzy("jaro_winkler", 0.9)), noun="n"),)
    assert labelled(decisions, wider).levels.tolist() == [[2], [-1]]


def test_no_decisions_change_nothing() -> None:
    assert learn(WEIGHTS, _labels([])) is WEIGHTS


def test_rejections_pull_their_pattern_down_and_leave_others_nearly_alone() -> None:
    before_rejected, before_other = _p(WEIGHTS, 1, 0), _p(WEIGHTS, 0, 0)
    learned = learn(WEIGHTS, _labels([(1, 0, False)] * 3))
    assert learned.learned_from == 3
    assert before_rejected > 0.9 > _p(learned, 1, 0)
    assert abs(_p(learned, 0, 0) - before_other) < 0.01


def test_approvals_raise_their_pattern_but_not_every_pair_sharing_a_level() -> None:
    approved, sharing = (1, 0), (1, 1)  # fuzzy name in the same city; fuzzy name elsewhere
    learned = learn(WEIGHTS, _labels([(*approved, True)] * 20))
    assert _p(learned, *approved) > _p(WEIGHTS, *approved) + 0.02
    assert _p(learned, *sharing) < 0.5
    assert _p(learned, *sharing) == pytest.approx(_p(WEIGHTS, *sharing), abs=0.05)


def test_decisions_agreeing_across_patterns_move_the_level_they_share() -> None:
    # the fuzzy name level rejected in one pattern, then in two: the more patterns agree, the more the
    # level itself (not only the patterns) loses weight
    one = learn(WEIGHTS, _labels([(1, 0, False)] * 40))
    two = learn(WEIGHTS, _labels([(1, 0, False)] * 20 + [(1, 1, False)] * 20))
    assert one.adjust is not None
    assert two.adjust is not None
    assert two.adjust[0][1] < one.adjust[0][1] < 0
    assert two.ratios()[0][1] < WEIGHTS.ratios()[0][1]


def test_pattern_keys_are_equal_for_equal_rows_only() -> None:
    keys = pattern_keys(np.array([[0, -1], [0, -1], [-1, 0], [2, 1]], dtype=np.int8))
    assert keys[0] == keys[1]
    assert len(set(keys.tolist())) == 3

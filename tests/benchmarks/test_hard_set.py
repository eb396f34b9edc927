"""The hard evaluation set (``benchmarks/hard_set.py``): deterministic for a seed, every kind planted with
true duplicates and hard negatives, a ground truth that agrees with itself, and records Attio accepts."""

from __future__ import annotations

import dataclasses
from itertools import combinations
from pathlib import Path

import pytest

from benchmarks import hard_set
from benchmarks.hard_set import COMPANIES, PEOPLE, HardSet, Planted, generate
from cleanup.sandbox import SandboxConfig
from cleanup.testing import sandbox_server, snapshot_of

SMALL = 0.05


@pytest.fixture(scope="module")
def small() -> HardSet:
    return generate(seed=3, scale=SMALL)


def test_the_same_seed_gives_the_same_set_and_another_seed_another(small: HardSet) -> None:
    assert generate(seed=3, scale=SMALL) == small
    other = generate(seed=4, scale=SMALL)
    assert other.companies != small.companies
    assert other.people != small.people


def test_the_full_size_is_a_fund_crm() -> None:
    full = generate(seed=7, scale=1.0)
    assert 1_300 <= len(full.companies) <= 1_700
    assert len(full.people) == 2_500
    assert len(full.clusters(COMPANIES)) > 150
    assert len(full.clusters(PEOPLE)) > 200


@pytest.mark.parametrize(
    ("obj", "kinds", "makers"),
    [
        (COMPANIES, hard_set.COMPANY_KINDS, hard_set.COMPANY_MAKERS),
        (PEOPLE, hard_set.PEOPLE_KINDS, hard_set.PEOPLE_MAKERS),
    ],
)
def test_every_kind_has_true_duplicates_and_hard_negatives(
    small: HardSet, obj: str, kinds: tuple[str, ...], makers: dict[str, object]
) -> None:
    assert set(kinds) == set(makers)
    labelled = small.labelled(obj)
    assert {p.kind for p in labelled} == set(kinds)
    for kind in kinds:
        assert any(p.duplicate for p in labelled if p.kind == kind), f"{kind}: no true duplicates"
        assert any(not p.duplicate for p in labelled if p.kind == kind), f"{kind}: no hard negatives"


@pytest.mark.parametrize("obj", [COMPANIES, PEOPLE])
def test_the_ground_truth_agrees_with_itself(small: HardSet, obj: str) -> None:
    small.check()
    clusters = small.clusters(obj)
    in_cluster = {key: n for n, members in enumerate(clusters) for key in members}
    assert sum(len(c) for c in clusters) == len(in_cluster), "a record in two clusters"
    true_pairs = {frozenset(pair) for members in clusters for pair in combinations(members, 2)}
    for p in small.labelled(obj):
        assert (frozenset((p.a, p.b)) in true_pairs) == p.duplicate, p
    labelled = {frozenset((p.a, p.b)) for p in small.labelled(obj, duplicate=True)}
    assert labelled == true_pairs, "every true pair is planted under a kind"


def test_check_finds_a_wrong_label_and_a_reused_unique_value(small: HardSet) -> None:
    first = small.labelled(COMPANIES, duplicate=True)[0]
    flipped = dataclasses.replace(small, pairs=[Planted(COMPANIES, first.kind, first.a, first.b, False)])
    with pytest.raises(ValueError, match="label disagrees"):
        flipped.check()
    key, values = next((k, v) for k, v in small.companies.items() if v.get("domains"))
    other = next(k for k in small.companies if k != key)
    clash = {**small.companies, other: {**small.companies[other], "domains": values["domains"]}}
    with pytest.raises(ValueError, match="domain"):
        dataclasses.replace(small, companies=clash).check()


def test_the_set_loads_into_a_workspace_as_it_is(small: HardSet, tmp_path: Path) -> None:
    config = SandboxConfig(read_rps=0, write_rps=0, merge_rps=0, company_from_email=False)
    with sandbox_server("empty", config=config) as sb:
        ids = hard_set.load(sb, small)
        snapshot = snapshot_of(sb, tmp_path / "snap")
    assert len(set(ids.values())) == len(small.companies) + len(small.people)
    companies = snapshot.records(COMPANIES).collect()
    people = snapshot.records(PEOPLE).collect()
    assert companies.height == len(small.companies)
    assert people.height == len(small.people)
    employer = {
        row["_id"]: (row["company"] or {}).get("target_record_id") for row in people.iter_rows(named=True)
    }
    for person, company in small.employer.items():
        assert employer[ids[person]] == ids[company]

"""Several columns into one attribute, by declaration: Location sub-columns compose one location; two
columns on one single-valued attribute are refused at the mapping check unless a rule says how to combine
them (first non-empty, prefer a column, join)."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import polars as pl
import pytest

from cleanup.importers.mapping import Combine, Mapping, location_part
from cleanup.importers.reading import ImportInputError
from cleanup.importers.session import prepare_affinity
from cleanup.testing import RunningSandbox
from tests.conftest import client_for
from tests.importers.conftest import FIXTURES

TWO_COLUMNS = '"Year Founded" = "description"\n"Year Founded (2)" = "description"\n'
LOCATION = '"Location (Country)" = "primary_location"\n"Location (City)" = "primary_location"\n'


def _mapping(tmp_path: Path, combine: str = "") -> tuple[Path, Mapping]:
    folder = tmp_path / "exports"
    shutil.copytree(FIXTURES, folder, ignore=shutil.ignore_patterns("list-only"))
    path = folder / "mapping.toml"
    text = path.read_text().replace('"Description" = "description"\n', TWO_COLUMNS + LOCATION)
    if combine:
        text += f"\n[objects.organizations.combine]\ndescription = {combine}\n"
    path.write_text(text)
    return folder, Mapping.load(path)


def _values(workspace: RunningSandbox, tmp_path: Path, combine: str) -> dict[str, dict[str, object]]:
    folder, mapping = _mapping(tmp_path, combine)
    with client_for(workspace) as client:
        prepared = prepare_affinity(client, mapping, folder, None, tmp_path / "w")
    rows = prepared.result.table.frame.filter(pl.col("action_id").str.starts_with("affinity:organizations:"))
    return {
        a.rsplit(":", 1)[1]: orjson.loads(p)["values"] for a, p in rows.select("action_id", "payload").rows()
    }


def test_two_columns_on_one_attribute_are_refused_without_a_rule(
    workspace: RunningSandbox, tmp_path: Path
) -> None:
    folder, mapping = _mapping(tmp_path)
    with client_for(workspace) as client, pytest.raises(ImportInputError) as caught:
        prepare_affinity(client, mapping, folder, None, tmp_path / "w")
    message = str(caught.value)
    assert "'Year Founded' and 'Year Founded (2)' all go to 'description', which holds one value" in message
    assert "[objects.organizations.combine]" in message
    assert "primary_location" not in message  # location sub-columns compose, no rule needed


@pytest.mark.parametrize(
    ("rule", "affinity", "planet_a"),
    [
        ('"first"', "2014", "2020"),
        ('{ prefer = "Year Founded (2)" }', "2014", "2020"),  # Planet A has no second value: the first
        ('{ join = " / " }', "2014 / 2014", "2020"),
    ],
)
def test_a_rule_combines_them_and_location_parts_make_one_location(
    workspace: RunningSandbox, tmp_path: Path, rule: str, affinity: str, planet_a: str
) -> None:
    values = _values(workspace, tmp_path, rule)
    assert values["64779194"]["description"] == affinity
    assert values["290555008"]["description"] == planet_a
    assert values["64779194"]["primary_location"] == "San Francisco, United States"  # city before country
    assert "primary_location" not in values["55100"]  # no parts, no location


@pytest.mark.parametrize(
    ("rule", "cells", "expected"),
    [
        (Combine("first"), [("A", ""), ("B", "b"), ("C", "c")], "b"),
        (Combine("prefer", "C"), [("A", "a"), ("B", "b"), ("C", "c")], "c"),
        (Combine("prefer", "C"), [("A", "a"), ("C", " ")], "a"),
        (Combine("join"), [("A", "a"), ("B", ""), ("C", "c")], "a; c"),
        (Combine("first"), [("A", ""), ("B", "")], ""),
    ],
)
def test_combine_rules(rule: Combine, cells: list[tuple[str, str]], expected: str) -> None:
    assert rule.apply(cells) == expected


def test_location_parts() -> None:
    assert [location_part(c) for c in ("Location (City)", "Location (State/Region)", "Year Founded (2)")] == [
        "city",
        "state/region",
        None,
    ]

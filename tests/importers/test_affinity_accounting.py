"""Every input item accounted for, on every Affinity fixture: read = imported + already there + pending +
refused + skipped, per file and kind; replies land on their parent's records; dates Attio cannot store are
left for a decision, in the open."""

from __future__ import annotations

import csv
from pathlib import Path

import orjson
import polars as pl
import pytest

from cleanup.importers.affinity import Outcome
from cleanup.importers.mapping import Mapping
from cleanup.importers.session import prepare_affinity
from cleanup.testing import RunningSandbox
from tests.conftest import client_for
from tests.importers.conftest import FIXTURES

NOTES = [FIXTURES / "notes-v1.json", FIXTURES / "notes-v2.json", FIXTURES / "notes-dates.json"]


def _rows_in(path: Path) -> int:
    """Data rows of a CSV, counted apart from the importer (blank lines are not rows)."""
    with path.open(newline="", encoding="utf-8") as handle:
        return sum(1 for row in list(csv.reader(handle))[1:] if any(cell.strip() for cell in row))


def _notes_in(path: Path) -> int:
    data = orjson.loads(path.read_bytes())
    return len(data["data"] if isinstance(data, dict) else data)


@pytest.mark.parametrize(
    "notes",
    [pytest.param(NOTES[:2], id="v1+v2"), pytest.param(NOTES, id="replies-and-dates")],
)
def test_every_item_is_accounted_for(workspace: RunningSandbox, tmp_path: Path, notes: list[Path]) -> None:
    mapping = Mapping.load(FIXTURES / "mapping.toml")
    files = {m.file for m in [*mapping.objects.values(), *mapping.lists.values()]}
    expected = {**{f: _rows_in(FIXTURES / f) for f in files}, **{n.name: _notes_in(n) for n in notes}}
    for run in ("first", "second"):  # before anything is imported, and after: "already there" counts too
        with client_for(workspace) as client:
            prepared = prepare_affinity(client, mapping, FIXTURES, notes, tmp_path / run)
            if run == "first":
                prepared.plan().apply(client)
        accounting = prepared.result.accounting()
        assert accounting["balanced"].all(), accounting
        assert dict(zip(accounting["file"], accounting["read"], strict=True)) == expected
        for item in prepared.result.reasons(Outcome.REFUSED, Outcome.SKIPPED):
            assert item.reason, item
    totals = accounting.select(pl.exclude("file", "kind", "balanced")).sum().row(0, named=True)
    assert totals["already there"] > 0


def test_replies_and_dates_are_judged_in_the_open(workspace: RunningSandbox, tmp_path: Path) -> None:
    with client_for(workspace) as client:
        prepared = prepare_affinity(
            client,
            Mapping.load(FIXTURES / "mapping.toml"),
            FIXTURES,
            NOTES,
            tmp_path / "w",
        )
    result = prepared.result
    by_key = {(i.file, i.key): i for i in result.items}
    assert by_key[("notes-dates.json", "40001")].outcome == Outcome.PENDING  # the future
    assert "dated 1 Jan 2199 09:00 UTC, in the future" in by_key[("notes-dates.json", "40001")].reason
    assert "correct the date in Affinity" in by_key[("notes-dates.json", "40001")].reason
    assert by_key[("notes-v1.json", "22987")].outcome == Outcome.PENDING  # 1965
    assert by_key[("notes-dates.json", "40002")].outcome == Outcome.IMPORTED  # a reply to 22984
    refused = by_key[("notes-dates.json", "40003")]
    assert refused.outcome == Outcome.REFUSED
    assert "reply to note 12345, which is in none of the notes files" in refused.reason
    assert by_key[("notes-dates.json", "40004")].outcome == Outcome.SKIPPED  # only on a workspace member
    frame = prepared.result.table.frame
    future = frame.filter(pl.col("action_id").str.starts_with("affinity:note:40001:"))
    assert future["decision"].to_list() == ["pending"]
    replies = frame.filter(pl.col("action_id").str.starts_with("affinity:note:40002:"))
    parents = frame.filter(pl.col("action_id").str.starts_with("affinity:note:22984:"))
    assert [a.split(":", 3)[3] for a in replies["action_id"]] == [
        a.split(":", 3)[3] for a in parents["action_id"]
    ]
    content = orjson.loads(replies["payload"][0])["content"]
    assert content.startswith(
        'Reply to the note of 28 Mar 2017 by Sandbox Admin <admin@sandbox.test>: "Had a lunch meeting with Jane'
    )
    assert "Agreed: follow up in Q3." in content
    assert orjson.loads(replies["payload"][0])["created_at"].startswith("2017-03-29T10:00:00")

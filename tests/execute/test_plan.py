"""The plan (dry run): approved rows validated against the snapshot, summarised, and nothing written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import polars as pl
import pytest
from typer.testing import CliRunner

import cleanup
from cleanup.actions import ActionTable
from cleanup.cli import app
from cleanup.execute import Plan, PlanError
from cleanup.export.snapshot import Snapshot
from cleanup.testing import RunningSandbox, snapshot_of


@pytest.fixture(scope="module")
def demo(
    tmp_path_factory: pytest.TempPathFactory, demo_sandbox: RunningSandbox
) -> tuple[Snapshot, ActionTable]:
    snapshot = snapshot_of(demo_sandbox, tmp_path_factory.mktemp("plan") / "snap")
    tables = [
        cleanup.detect(
            snapshot, "duplicate_notes", reimport_token=demo_sandbox.token_ids["affinity-reimport"]
        ),
        cleanup.detect(snapshot, "duplicate_companies"),
        cleanup.detect(snapshot, "orphan_entries"),
        cleanup.detect(snapshot, "duplicate_entries"),
    ]
    return snapshot, ActionTable.concat(tables)


def test_only_approved_rows_are_planned_and_summarised(demo: tuple[Snapshot, ActionTable]) -> None:
    snapshot, table = demo
    approved = table.decide("approve", where=pl.col("recipe") != "duplicate_entries")
    plan = Plan(approved, snapshot)
    assert len(plan) == approved.frame.filter(pl.col("recipe") != "duplicate_entries").height
    summary = {(a, w): n for a, w, n in plan.summary().rows()}
    assert (
        summary[("merge_records", "companies")]
        == table.frame.filter(pl.col("action") == "merge_records").height
    )
    calls = {k: n for k, n, _ in plan.api_calls().rows()}
    notes = table.frame.filter(pl.col("action") == "delete_note").height
    orphans = table.frame.filter(pl.col("recipe") == "orphan_entries").height
    assert calls["write"] == notes + orphans
    assert calls["merge"] == summary[("merge_records", "companies")]
    assert plan.estimated_seconds() == pytest.approx(
        max(calls["read"] / 100, calls["write"] / 25, calls["merge"] / 5)
    )
    assert len(Plan(table, snapshot)) == 0  # nothing approved, nothing planned


def _one(table: ActionTable, action: str) -> pl.DataFrame:
    return table.frame.filter(pl.col("action") == action).head(1)


def _waiting(table: ActionTable, action_id: str, waits_for: str) -> pl.DataFrame:
    """An assert that references the record another row (``waits_for``) makes."""
    values = {"domains": [f"{action_id}.example"]}
    payload = {"matching_attribute": "domains", "values": values, "depends_on": [waits_for]}
    return _one(table, "merge_records").with_columns(
        action_id=pl.lit(action_id),
        action=pl.lit("assert_record"),
        target_id=pl.lit(None, pl.String),
        survivor_id=pl.lit(None, pl.String),
        payload=pl.lit(orjson.dumps(payload).decode()),
    )


BAD: list[tuple[str, Callable[[ActionTable], pl.DataFrame], str]] = [
    (
        "unknown object",
        lambda t: _one(t, "merge_records").with_columns(object=pl.lit("unicorns")),
        "unknown object 'unicorns'",
    ),
    (
        "target not in the snapshot",
        lambda t: _one(t, "delete_note").with_columns(target_id=pl.lit("no-such-note")),
        "the target is not in the snapshot",
    ),
    (
        "survivor not in the snapshot",
        lambda t: _one(t, "merge_records").with_columns(survivor_id=pl.lit("no-such-record")),
        "the survivor no-such-record is not in the snapshot",
    ),
    (
        "survivor merged away",
        lambda t: pl.concat(
            [
                _one(t, "merge_records"),
                _one(t, "merge_records").with_columns(
                    action_id=pl.lit("x1"),
                    target_id=pl.col("survivor_id"),
                    survivor_id=pl.col("target_id"),
                ),
            ]
        ),
        "is itself merged away or deleted by another approved row",
    ),
    (
        "two actions on one target",
        lambda t: pl.concat(
            [_one(t, "delete_note"), _one(t, "delete_note").with_columns(action_id=pl.lit("x2"))]
        ),
        "is acted on by more than one approved row",
    ),
    (
        "payload names an unknown attribute",
        lambda t: _one(t, "update_entry").with_columns(payload=pl.lit('{"colour": "red"}')),
        "payload names 'colour'",
    ),
    (
        "rows waiting for each other's records",
        lambda t: pl.concat([_waiting(t, "a", "b"), _waiting(t, "b", "a")]),
        "wait for each other in a circle (row 2 (a) → row 3 (b) → row 2 (a))",
    ),
    (
        "a row waiting for a record no approved row makes",
        lambda t: _waiting(t, "a", "not-approved"),
        "not-approved would make, which the plan does not apply",
    ),
    (
        "payload writes a read-only attribute",
        lambda t: _one(t, "update_entry").with_columns(payload=pl.lit('{"created_at": "2020-01-01"}')),
        "Attio does not let the API write",
    ),
]


@pytest.mark.parametrize(("case", "rows", "message"), BAD, ids=[b[0] for b in BAD])
def test_invalid_plans_name_the_row(
    demo: tuple[Snapshot, ActionTable], case: str, rows: Any, message: str
) -> None:
    snapshot, table = demo
    bad = ActionTable(rows(table)).decide("approve")
    with pytest.raises(PlanError) as caught:
        Plan(bad, snapshot)
    assert message in str(caught.value), case
    assert "row 2" in str(caught.value)


def test_blast_radius(demo: tuple[Snapshot, ActionTable]) -> None:
    snapshot, table = demo
    with pytest.raises(PlanError, match="more than the limit of 10"):
        Plan(table.decide("approve"), snapshot, max_deletes=10)


def test_cli_plan_prints_the_dry_run(tmp_path: Path, demo: tuple[Snapshot, ActionTable]) -> None:
    snapshot, table = demo
    path = table.decide("approve", where=pl.col("recipe") == "orphan_entries").write(tmp_path / "a.xlsx")
    result = CliRunner().invoke(
        app, ["plan", str(path), "--snapshot", str(snapshot.path)], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert "Plan: 60 approved actions" in result.output
    assert "Nothing was written" in result.output
    refused = CliRunner().invoke(
        app, ["plan", str(path), "--snapshot", str(snapshot.path), "--max-deletes", "5"]
    )
    assert refused.exit_code == 1
    assert "more than the limit of 5" in refused.output


def test_cli_plan_remembers_the_decisions_that_teach(
    tmp_path: Path, demo: tuple[Snapshot, ActionTable]
) -> None:
    snapshot, table = demo
    import shutil

    local = Snapshot.load(shutil.copytree(snapshot.path, tmp_path / "snapshots" / "today"))
    merges = table.frame.filter(pl.col("recipe") == "duplicate_companies").head(3)
    reviewed = (
        ActionTable(merges)
        .decide("approve", action_ids=merges["action_id"][:2])
        .decide("reject", action_ids=merges["action_id"][2:])
    )
    path = reviewed.write(tmp_path / "companies.xlsx")
    result = CliRunner().invoke(
        app, ["plan", str(path), "--snapshot", str(local.path)], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert "Remembered 3 decisions" in result.output
    stored = pl.read_parquet(tmp_path / "snapshots" / "decisions.parquet").sort("decision")
    assert stored["decision"].to_list() == ["approve", "approve", "reject"]
    assert stored["pattern"].null_count() == 0

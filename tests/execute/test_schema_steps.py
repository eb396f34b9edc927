"""Schema changes as journalled steps: a list, attributes and a choice made before the rows that use them,
looked for before they are made (a kill, a dropped connection, a second run), checked in the dry run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cleanup.actions import ActionTable
from cleanup.actions.schema_rows import attribute_row, list_row, option_row
from cleanup.execute import Plan, PlanError, Run
from cleanup.execute.journal import Status
from cleanup.testing import RunningSandbox, sandbox_server, snapshot_of
from tests.conftest import client_for, unlimited
from tests.execute.test_creates import _rows


def _schema_rows() -> list[dict[str, Any]]:
    """A source-id attribute on companies, a new list with a status attribute and a choice, and the rows
    that write them."""
    made = [
        attribute_row("import", "objects", "companies", "source_id", "Source ID", "text", unique=True),
        list_row("import", "portfolio_watch", "Portfolio watch", "companies"),
        attribute_row("import", "lists", "portfolio_watch", "stage", "Stage", "status"),
        option_row("import", "lists", "portfolio_watch", "stage", "Watching"),
        attribute_row("import", "lists", "portfolio_watch", "source_id", "Source ID", "text"),
    ]
    writes = [
        {
            "action_id": "import:company:s-1",
            "action": "assert_record",
            "object": "companies",
            "payload": {
                "matching_attribute": "source_id",
                "values": {"source_id": "s-1", "name": "Schema Steps GmbH"},
            },
        },
        {
            "action_id": "import:entry:s-1",
            "action": "create_entry",
            "list": "portfolio_watch",
            "payload": {
                "parent_object": "companies",
                "parent_action": "import:company:s-1",
                "entry_values": {"stage": "Watching", "source_id": "row-1"},
                "depends_on": ["import:company:s-1"],
            },
        },
    ]
    return [
        {k: v for k, v in r.items() if k not in ("decision", "confidence", "reason")} for r in made
    ] + writes


def _state(sb: RunningSandbox) -> tuple[int, int, int, int]:
    """(source_id attributes on companies, portfolio_watch lists, 'Watching' statuses, entries of it)."""
    with sb.http() as http:
        attributes = http.get("/v2/objects/companies/attributes").json()["data"]
        lists = http.get("/v2/lists").json()["data"]
        watch = [li for li in lists if li["api_slug"] == "portfolio_watch"]
        statuses = entries = 0
        if watch:
            statuses = sum(
                s["title"] == "Watching"
                for s in http.get("/v2/lists/portfolio_watch/attributes/stage/statuses").json()["data"]
            )
            entries = len(http.post("/v2/lists/portfolio_watch/entries/query", json={}).json()["data"])
    return sum(a["api_slug"] == "source_id" for a in attributes), len(watch), statuses, entries


def test_schema_rows_are_made_first_then_used_and_a_second_run_finds_them(tmp_path: Path) -> None:
    with sandbox_server("demo", scale=0.05, config=unlimited()) as sb:
        snapshot = snapshot_of(sb, tmp_path / "snap")
        plan = Plan(_rows(_schema_rows()), snapshot)
        assert "source_id" in {a.slug for a in plan.schema.objects["companies"].attributes}
        assert "portfolio_watch" in plan.schema.lists
        with client_for(sb) as client:
            report = plan.apply(client, progress=False)
            assert report.counts() == {"done": 7}, report.frame
            assert report.frame["verified"].all()
            assert _state(sb) == (1, 1, 1, 1)
            again = Plan(_rows(_schema_rows()), snapshot).apply(client, progress=False)
        assert again.counts() == {"done": 7}, again.frame
        found = again.frame.filter(again.frame["action"].str.starts_with("create_"))
        assert set(found.filter(found["action"] != "create_entry")["detail"]) == {"already there"}
        assert _state(sb) == (1, 1, 1, 2)  # the entry is a second one (a plain create): nothing else doubled


def test_the_dry_run_refuses_rows_writing_what_no_approved_row_makes(tmp_path: Path) -> None:
    with sandbox_server("demo", scale=0.05, config=unlimited()) as sb:
        snapshot = snapshot_of(sb, tmp_path / "snap")
        table = _rows(_schema_rows())
        frame = table.frame
        without_list = ActionTable.build(
            frame.with_columns(
                decision=frame["action_id"].map_elements(
                    lambda a: "reject" if a == "schema:list:portfolio_watch" else "approve", return_dtype=str
                )
            )
        )
        with pytest.raises(PlanError) as error:
            Plan(without_list, snapshot)
        said = str(error.value)
        assert "unknown list 'portfolio_watch'" in said
        assert "no object or list 'portfolio_watch' to add to" in said
        bad_choice = _rows([option_row("import", "objects", "companies", "name", "Nope")])
        with pytest.raises(PlanError, match="'name' on companies is not a select or status attribute"):
            Plan(bad_choice, snapshot)


def test_a_dropped_connection_or_a_kill_while_making_the_id_attribute_is_looked_for_not_doubled(
    tmp_path: Path,
) -> None:
    with sandbox_server("demo", scale=0.05, config=unlimited()) as sb:
        snapshot = snapshot_of(sb, tmp_path / "snap")
        rows = _schema_rows()[:1] + _schema_rows()[5:6]
        with client_for(sb) as client:
            # Every POST to attributes is processed and its answer lost once: the step looks, finds, goes on.
            with sb.faults(
                drop_after_rate=1.0, methods=["POST"], paths=["/v2/objects/companies/attributes"], seed=3
            ):
                report = Plan(_rows(rows), snapshot).apply(client, progress=False)
            assert report.counts() == {"done": 2}, report.frame
            assert _state(sb)[0] == 1
        # A kill after sending (the journal says sent, the attribute exists): the resume finds it.
        plan = Plan(_rows([rows[0] | {"action_id": "schema:again"}]), snapshot)
        run = Run.start(plan, root=tmp_path / "runs")
        run.journal.mark("schema:again", "read", Status.DONE)
        run.journal.mark("schema:again", "schema", Status.SENT)
        run.close()
        with client_for(sb) as client:
            resumed = Run.open(run.run_id, root=tmp_path / "runs")
            try:
                report = resumed.apply(client, progress=False)
            finally:
                resumed.close()
        assert report.counts() == {"done": 1}
        assert _state(sb)[0] == 1

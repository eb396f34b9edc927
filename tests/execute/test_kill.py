"""kill -9 at dozens of seeded points of a run, then resume: every approved action done exactly once.

The run mixes every kind of step — note deletes and recreations, entry updates and deletes, merges by hand
(each a chain of journalled moves), and creates hanging on a created record — and runs in a child process
(``attio-cleanup resume``) that is killed with SIGKILL: as a write arrives (nothing applied), once the server
committed a write but before it answered (applied, unknown to the client), and at random moments (start-up,
the drift read, the backup). After the last child is let finish, the sandbox's state is checked.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import polars as pl

from cleanup.actions import ActionTable
from cleanup.execute import Plan, Run
from cleanup.testing import Killer
from tests.execute.test_creates import _import_rows
from tests.execute.test_merge import _busy_companies, _merge, _state

KILL_POINTS = 36


def _all_notes(http: Any) -> list[dict[str, Any]]:
    notes: list[dict[str, Any]] = []
    while True:
        page = http.get("/v2/notes", params={"limit": 50, "offset": len(notes)}).json()["data"]
        notes += page
        if len(page) < 50:
            return notes


def test_kill_9_at_dozens_of_points_then_resume_does_everything_exactly_once(world: Any) -> None:
    sb, snapshot, table = world
    frame = table.frame
    picked = pl.concat(
        [
            frame.filter(pl.col("action") == "recreate_note"),
            frame.filter(pl.col("action") == "delete_note"),
            frame.filter(pl.col("recipe") == "duplicate_entries"),
            frame.filter(pl.col("recipe") == "orphan_entries").head(10),
        ]
    )
    first, second, third, fourth = _busy_companies(snapshot, 4)
    merges = [_merge(snapshot, first, second, {}), _merge(snapshot, third, fourth, {})]
    plan_table = ActionTable.concat(
        [ActionTable(picked).decide("approve"), *merges, _import_rows("no-such-domain.example")]
    )
    plan = Plan(plan_table, snapshot)
    with sb.http() as http:
        notes_before = len(_all_notes(http))
        going = set(picked.filter(pl.col("action") == "delete_note")["target_id"])
        merged_notes = {}
        for survivor, loser in ((first, second), (third, fourth)):
            on_both = [
                n
                for record_id in (survivor, loser)
                for n in http.get(
                    "/v2/notes",
                    params={"parent_record_id": record_id, "parent_object": "companies", "limit": 50},
                ).json()["data"]
                if n["id"]["note_id"] not in going
            ]
            merged_notes[survivor] = sorted(
                (n["title"], n["content_plaintext"], n["created_at"]) for n in on_both
            )
    run = Run.start(plan)
    run.close()
    root = run.folder.parent
    killer = Killer(sb, run.run_id, root, seed=20261124, merge="fallback", max_writes=4)
    code = killer.run(KILL_POINTS)
    log = (root / f"{run.run_id}.child.log").read_text(errors="replace")
    assert code == 0, log[-3000:]
    assert len(killer.kills) == KILL_POINTS, killer.kills
    report = pl.read_parquet(Path(run.folder) / "report.parquet")
    assert report["status"].to_list() == ["done"] * len(plan), report.filter(pl.col("status") != "done")
    kinds = Counter(k.split(" ")[0] + (" committed" if "committed" in k else "") for k in killer.kills)
    assert min(kinds["write"], kinds["write committed"], kinds["after"]) > 0, kinds  # every kind of point

    rows = plan.rows
    with sb.http() as http:
        notes = _all_notes(http)
        deleted = rows.filter(pl.col("action") == "delete_note").height
        assert len(notes) == notes_before - deleted + 1  # recreations and merges change no count; one import
        by_parent = Counter((n["parent_record_id"], n["title"], n["created_at"]) for n in notes)
        for row in rows.filter(pl.col("action") == "recreate_note").iter_rows(named=True):
            payload = orjson.loads(row["payload"])
            key = (payload["parent_record_id"], payload["title"], payload["created_at"])
            assert by_parent[key] == 1, key  # recreated exactly once
            assert http.get(f"/v2/notes/{row['target_id']}").status_code == 404
        for row in rows.filter(pl.col("action").is_in(["delete_note", "delete_entry"])).iter_rows(named=True):
            path = (
                f"/v2/notes/{row['target_id']}"
                if row["action"] == "delete_note"
                else f"/v2/lists/{row['list']}/entries/{row['target_id']}"
            )
            assert http.get(path).status_code == 404
        for (survivor, loser), wanted in zip(
            ((first, second), (third, fourth)), merged_notes.values(), strict=True
        ):
            assert http.get(f"/v2/objects/companies/records/{loser}").status_code == 404
            assert _state(http, survivor)["notes"] == wanted  # every note once: none lost, none doubled
        found = http.post(
            "/v2/objects/companies/records/query", json={"filter": {"domains": "newco-robotics.example"}}
        ).json()["data"]
        assert len(found) == 1  # created once
        new_id = found[0]["id"]["record_id"]
        assert [n["title"] for n in notes if n["parent_record_id"] == new_id] == ["First call"]
        entries = http.get(f"/v2/objects/companies/records/{new_id}/entries").json()["data"]
        assert len(entries) == 1

"""kill -9 at dozens of seeded points of a run, then resume: every approved action done exactly once.

The run mixes every kind of step — note deletes and recreations, entry updates and deletes, merges by hand
(each a chain of journalled moves), and creates hanging on a created record — and runs in a child process
(``attio-cleanup resume``) that is killed with SIGKILL: as a write arrives (nothing applied), once the server
committed a write but before it answered (applied, unknown to the client), and at random moments (start-up,
the drift read, the backup). After the last child is let finish, the sandbox's state is checked.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import polars as pl

from cleanup.actions import ActionTable
from cleanup.client import AttioClient
from cleanup.execute import Plan, Run
from cleanup.export.snapshot import Snapshot
from cleanup.testing import Killer, RunningSandbox
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


@dataclass
class CrashScenario:
    """A mixed plan on a demo sandbox and what its end state must be, however often the run is killed."""

    sb: RunningSandbox
    plan: Plan
    merged: list[tuple[str, str]]  # (survivor, loser)
    notes_before: int
    merged_notes: dict[str, list[tuple[str, str, str]]]

    @classmethod
    def build(
        cls, sb: RunningSandbox, snapshot: Snapshot, table: ActionTable, merges: int = 2
    ) -> CrashScenario:
        frame = table.frame
        picked = pl.concat(
            [
                frame.filter(pl.col("action") == "recreate_note"),
                frame.filter(pl.col("action") == "delete_note"),
                frame.filter(pl.col("recipe") == "duplicate_entries"),
                frame.filter(pl.col("recipe") == "orphan_entries").head(10),
            ]
        )
        busy = _busy_companies(snapshot, 2 * merges)
        pairs = list(zip(busy[0::2], busy[1::2], strict=True))
        merge_tables = [_merge(snapshot, survivor, loser, {}) for survivor, loser in pairs]
        plan_table = ActionTable.concat(
            [ActionTable(picked).decide("approve"), *merge_tables, _import_rows("no-such-domain.example")]
        )
        plan = Plan(plan_table, snapshot)
        going = set(picked.filter(pl.col("action") == "delete_note")["target_id"])
        merged_notes = {}
        with sb.http() as http:
            notes_before = len(_all_notes(http))
            for survivor, loser in pairs:
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
        return cls(sb, plan, pairs, notes_before, merged_notes)

    def check(self, run_folder: Path) -> None:
        """Every approved action done exactly once: nothing duplicated, nothing lost."""
        report = pl.read_parquet(run_folder / "report.parquet")
        assert report["status"].to_list() == ["done"] * len(self.plan), report.filter(
            pl.col("status") != "done"
        )
        rows = self.plan.rows
        with self.sb.http() as http:
            notes = _all_notes(http)
            deleted = rows.filter(pl.col("action") == "delete_note").height
            assert len(notes) == self.notes_before - deleted + 1  # recreations and merges change no count
            by_parent = Counter((n["parent_record_id"], n["title"], n["created_at"]) for n in notes)
            for row in rows.filter(pl.col("action") == "recreate_note").iter_rows(named=True):
                payload = orjson.loads(row["payload"])
                key = (payload["parent_record_id"], payload["title"], payload["created_at"])
                assert by_parent[key] == 1, key  # recreated exactly once
                assert http.get(f"/v2/notes/{row['target_id']}").status_code == 404
            for row in rows.filter(pl.col("action").is_in(["delete_note", "delete_entry"])).iter_rows(
                named=True
            ):
                path = (
                    f"/v2/notes/{row['target_id']}"
                    if row["action"] == "delete_note"
                    else f"/v2/lists/{row['list']}/entries/{row['target_id']}"
                )
                assert http.get(path).status_code == 404
            for survivor, loser in self.merged:
                assert http.get(f"/v2/objects/companies/records/{loser}").status_code == 404
                assert (
                    _state(http, survivor)["notes"] == self.merged_notes[survivor]
                )  # none lost, none doubled
            found = http.post(
                "/v2/objects/companies/records/query", json={"filter": {"domains": "newco-robotics.example"}}
            ).json()["data"]
            assert len(found) == 1  # created once
            new_id = found[0]["id"]["record_id"]
            assert [n["title"] for n in notes if n["parent_record_id"] == new_id] == ["First call"]
            entries = http.get(f"/v2/objects/companies/records/{new_id}/entries").json()["data"]
            assert len(entries) == 1


def kill_and_resume(scenario: CrashScenario, points: int, seed: int) -> list[str]:
    """Start the scenario's run, kill it at ``points`` points, let it finish, check; returns the points."""
    run = Run.start(scenario.plan)
    run.close()
    root = run.folder.parent
    killer = Killer(scenario.sb, run.run_id, root, seed=seed, merge="fallback", max_writes=4)
    code = killer.run(points)
    log = (root / f"{run.run_id}.child.log").read_text(errors="replace")
    assert code == 0, log[-3000:]
    scenario.check(run.folder)
    return killer.kills


def test_kill_9_at_dozens_of_points_then_resume_does_everything_exactly_once(world: Any) -> None:
    sb, snapshot, table = world
    kills = kill_and_resume(CrashScenario.build(sb, snapshot, table), KILL_POINTS, seed=20261124)
    assert len(kills) == KILL_POINTS, kills
    kinds = Counter(k.split(" ")[0] + (" committed" if "committed" in k else "") for k in kills)
    assert min(kinds["write"], kinds["write committed"], kinds["after"]) > 0, kinds  # every kind of point


def test_injected_faults_still_do_everything_exactly_once(world: Any, tmp_path: Path) -> None:
    """5xx before and after the server committed, spurious 401s (unattended policy), dropped connections
    after a commit, and 429s from a server whose write limit is below the client's."""
    sb, snapshot, table = world
    scenario = CrashScenario.build(sb, snapshot, table)
    sb.config.write_rps = 12  # the client sends up to 25/s: Attio answers 429 with Retry-After
    faults = {
        "error_rate": 0.05,
        "error_after_rate": 0.05,
        "unauthorized_rate": 0.05,
        "drop_after_rate": 0.05,
        "seed": 7,
    }
    log: list[int] = []
    try:
        with sb.faults(**faults):
            client = AttioClient(
                sb.tokens["primary"],
                sb.base_url,
                policy="unattended",
                max_attempts=12,  # a fifth of all requests fail here, far above Attio: retries must not run out
                event_hooks={"response": [_status_to(log)]},
            )
            with client:
                report = scenario.plan.apply(client, merge="fallback")
    finally:
        sb.config.write_rps = 0
    assert report.counts() == {"done": len(scenario.plan)}, report.frame.filter(pl.col("status") != "done")
    scenario.check(report.folder)
    seen = Counter(log)
    assert min(seen[429], seen[401], sum(n for code, n in seen.items() if code >= 500)) > 0, seen


def _status_to(log: list[int]) -> Any:
    async def record(response: Any) -> None:
        log.append(response.status_code)

    return record

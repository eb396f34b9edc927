"""kill -9 at a hundred seeded points of a run, then resume: every approved action done exactly once.

The run mixes every kind of action — note deletes and recreations, entry updates and deletes, record updates
and deletes, merges by hand (each a chain of journalled moves) and native merges, creates and asserts with a
note and an entry hanging on a created record — and runs in a child process (``attio-cleanup resume``) that
is killed with SIGKILL: as a write arrives (nothing applied), once the server committed a write but before it
answered (applied, unknown to the client), as a read arrives (the re-read and backup, verification), and at
random moments. The end state is compared, item by item, with a twin sandbox's after one clean run of the
same plan (``tests/execute/crash.py``): nothing lost, nothing duplicated, nothing unexpected.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from cleanup.actions import ActionTable
from cleanup.client import AttioClient, endpoints
from cleanup.execute import Plan, Run
from cleanup.execute.steps import target_path
from cleanup.testing import Killer, KillPoint, RunningSandbox, sandbox_server
from tests.conftest import client_for, unlimited
from tests.execute.crash import CrashScenario, crash_round, known_ids, set_check, workspace_state
from tests.execute.test_creates import _rows
from tests.execute.test_merge import _busy_companies, _merge, _state

KILL_POINTS = 100
RESTORE_KILL_POINTS = 12


@pytest.fixture
def twin() -> Iterator[RunningSandbox]:
    """A second sandbox seeded as ``world``'s: the plan runs there once, cleanly, for comparison."""
    with sandbox_server("demo", scale=0.1, config=unlimited()) as sb:
        yield sb


@pytest.mark.parametrize("merge", ["fallback", "native"])
def test_kill_9_at_a_hundred_points_then_resume_ends_as_one_clean_run(
    world: Any, twin: RunningSandbox, tmp_path: Path, merge: str
) -> None:
    sb, snapshot, table = world
    scenario = CrashScenario.build(sb, snapshot, table, merge=merge)
    assert set(scenario.actions()) >= {
        "delete_note", "recreate_note", "update_entry", "delete_entry", "update_record", "delete_record",
        "merge_records", "create_record", "assert_record", "create_note", "create_entry",
    }  # fmt: skip
    result = crash_round(scenario, twin, tmp_path, points=KILL_POINTS // 2, seed=20261129)
    assert result.code == 0, result.log
    assert result.statuses == {"done": len(scenario.plan)}, result.statuses
    assert result.after_run.exact, str(result.after_run)
    assert len(result.kills) >= KILL_POINTS // 2 - 5, [str(k) for k in result.kills]
    kinds = Counter(k.point.kind for k in result.kills)
    assert min(kinds["arrival"], kinds["committed"], kinds["read"], kinds["time"]) > 0, kinds
    phases = Counter(k.phase for k in result.kills)
    assert {"read", "delete", "verify"} <= set(phases), phases  # kills fell in every long phase
    assert len(set(phases) - {None}) >= 5, phases  # and in short ones: creates, updates, merges


def test_a_restore_killed_at_a_dozen_points_ends_as_one_clean_restore(
    world: Any, twin: RunningSandbox, tmp_path: Path
) -> None:
    """The restore of the mixed run (un-merges, records, notes and entries created again, what the run made
    deleted) is a run of its own: killed with SIGKILL at a dozen seeded points and run again each time, it
    ends as the twin's clean restore, item by item."""
    sb, snapshot, table = world
    scenario = CrashScenario.build(sb, snapshot, table, merges=1, merge="native")
    result = crash_round(
        scenario, twin, tmp_path, points=0, seed=20261130, restore_points=RESTORE_KILL_POINTS
    )
    assert result.code == 0
    assert result.after_run.exact, str(result.after_run)
    assert result.restore_code == 0, result.log
    assert len(result.restore_kills) >= RESTORE_KILL_POINTS - 3, [str(k) for k in result.restore_kills]
    kinds = Counter(k.point.kind for k in result.restore_kills)
    assert kinds["arrival"], kinds
    assert kinds["committed"], kinds
    assert result.after_restore is not None
    assert result.after_restore.exact, str(result.after_restore)


def test_a_kill_once_a_merged_loser_is_deleted_resumes_without_reading_what_went_with_it(world: Any) -> None:
    """Issue 18's 404 on resume: a merge by hand copies a note the run made on the loser to the survivor, then
    deletes the loser (and that note with it). Killed once the loser's delete is committed but unanswered,
    every resume used to ask for the note again, get 404, and die; the run could never finish."""
    sb, snapshot, _ = world
    survivor, loser = _busy_companies(snapshot, 2)
    note = {
        "parent_object": "companies",
        "parent_record_id": loser,
        "title": "Made on the loser",
        "format": "plaintext",
        "content": "Written by the run, then moved by the merge.",
        "created_at": "2020-05-06T07:08:09.000000000Z",
    }
    made = _rows(
        [{"action_id": "make:note", "action": "create_note", "object": "companies", "payload": note}]
    )
    plan = Plan(ActionTable.concat([made, _merge(snapshot, survivor, loser, {})]), snapshot)
    run = Run.start(plan)
    run.close()
    killer = Killer(sb, run.run_id, run.folder.parent, merge="fallback")
    point = KillPoint("committed", 1, match=f"DELETE /v2/objects/companies/records/{loser}")
    code = killer.run([point])
    log = (run.folder.parent / f"{run.run_id}.child.log").read_text(errors="replace")
    assert [k.point for k in killer.kills] == [point]
    assert killer.kills[0].phase == "merge"
    assert code == 0, log[-3000:]
    report = pl.read_parquet(run.folder / "report.parquet")
    assert report["status"].to_list() == ["done", "done"], report
    assert report["verified"].all(), report  # the made note read back where the merge moved it
    with sb.http() as http:
        assert http.get(f"/v2/objects/companies/records/{loser}").status_code == 404
        on_survivor = [n for n in _state(http, survivor)["notes"] if n[0] == "Made on the loser"]
    assert on_survivor == [("Made on the loser", note["content"], note["created_at"])]  # moved, once


def test_injected_faults_still_do_everything_exactly_once(
    world: Any, twin: RunningSandbox, tmp_path: Path
) -> None:
    """5xx before and after the server committed, spurious 401s (unattended policy), dropped connections
    after a commit, and 429s from a server whose write limit is below the client's."""
    sb, snapshot, table = world
    scenario = CrashScenario.build(sb, snapshot, table)
    scenario.apply_cleanly(twin)
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
    known = known_ids(snapshot)
    check = set_check(
        workspace_state(sb, known, scenario.started, tmp_path / "faulty"),
        workspace_state(twin, known, scenario.started, tmp_path / "clean"),
    )
    assert check.exact, str(check)
    seen = Counter(log)
    assert min(seen[429], seen[401], sum(n for code, n in seen.items() if code >= 500)) > 0, seen


def _status_to(log: list[int]) -> Any:
    async def record(response: Any) -> None:
        log.append(response.status_code)

    return record


def test_a_kill_in_the_re_read_goes_on_from_the_reads_already_made(world: Any) -> None:
    """The re-read and backup phase makes progress across kills: what a killed child read is journalled
    (every 50 reads) and the next one does not read it again."""
    sb, snapshot, table = world
    scenario = CrashScenario.build(sb, snapshot, table)
    run, killer = scenario.killer(seed=3)
    assert killer.run([KillPoint("read", 130, "read")], finish=False) == -9
    assert [k.phase for k in killer.kills] == ["read"]
    reopened = Run.open(run.run_id)
    kept = reopened.journal.kept_reads()
    assert len(kept) >= 100, len(kept)  # journalled in batches of 50 as they arrived
    paths = {
        target_path(row)
        for row in reopened.rows.to_dicts()
        if f"target:{row['action_id']}" in kept and row["target_id"]
    } | {  # the value histories read before the kill
        endpoints.attribute_values(*key.removeprefix("history:").split("/"))  # type: ignore[arg-type]
        for key in kept
        if key.startswith("history:")
    }
    log: list[str] = []
    try:
        with client_for(sb, log) as client:
            report = reopened.apply(client, merge="fallback", progress=False)
        assert set(report.counts()) == {"done"}
        assert reopened.journal.kept_reads() == {}  # dropped once the backup holds them
    finally:
        reopened.close()
    backup_reads = log[: next(i for i, e in enumerate(log) if not e.startswith("GET") and "query" not in e)]
    again = [e for e in backup_reads if e.removeprefix("GET ") in paths]
    assert not again, again[:5]  # nothing read twice, value histories included
    items = [e for e in backup_reads if "/attributes/" not in e]  # the value histories come on top
    assert len(items) < len(scenario.plan) - 100 + 50  # the rest of the targets and what hangs on them

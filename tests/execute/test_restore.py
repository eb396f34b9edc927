"""Restore finishes what it started: a restore is a run of its own (``<run>-restore-<n>``); one cut short is
finished by the next restore (without doing its finished steps again), the dry run says what is left in plain
words, ``--unattended`` reaches the client, and Ctrl-C stops after the requests in flight.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import orjson
import polars as pl
import pytest
from rich.console import Console
from typer.testing import CliRunner

from cleanup.actions import ActionTable
from cleanup.cli import app
from cleanup.client import AttioClient
from cleanup.client.errors import AttioError
from cleanup.execute import Plan, Run, restore
from cleanup.execute.restore import RestoreError, plan_restore
from cleanup.export.snapshot import Snapshot
from cleanup.testing import RunningSandbox
from tests.conftest import client_for
from tests.execute.conftest import writes_in
from tests.execute.test_merge import _busy_companies, _merge, _state

VALUE_META = frozenset({"active_from", "active_until", "created_by_actor"})
FAULTS = {
    "error_rate": 0.08,
    "error_after_rate": 0.08,
    "unauthorized_rate": 0.08,
    "drop_after_rate": 0.08,
}


def _scenario(snapshot: Snapshot, table: ActionTable, merges: int = 2) -> tuple[Plan, list[tuple[str, str]]]:
    """Note deletes and recreations, entry updates and deletes (some orphans, which cannot come back) and
    merges of busy companies: every kind of restore sub-step."""
    frame = table.frame
    picked = pl.concat(
        [
            frame.filter(pl.col("action").is_in(["recreate_note", "delete_note"])),
            frame.filter(pl.col("recipe") == "duplicate_entries"),
            frame.filter(pl.col("recipe") == "orphan_entries").head(3),
        ]
    )
    busy = _busy_companies(snapshot, 2 * merges)
    pairs = list(zip(busy[0::2], busy[1::2], strict=True))
    tables = [_merge(snapshot, survivor, loser, {}) for survivor, loser in pairs]
    return Plan(ActionTable.concat([ActionTable(picked).decide("approve"), *tables]), snapshot), pairs


def _paged(http: httpx.Client, method: str, path: str, size: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        if method == "GET":
            page = http.get(path, params={"limit": size, "offset": len(items)}).json()["data"]
        else:
            page = http.post(path, json={"limit": size, "offset": len(items)}).json()["data"]
        items += page
        if len(page) < size:
            return items


def _bare(values: dict[str, list[dict[str, Any]]]) -> str:
    kept = {
        slug: [{k: v for k, v in item.items() if k not in VALUE_META} for item in items]
        for slug, items in values.items()
        if items and slug not in ("created_at", "created_by", "entry_id")
    }
    return orjson.dumps(kept, option=orjson.OPT_SORT_KEYS).decode()


def _workspace(http: httpx.Client, renamed: dict[str, str]) -> dict[str, Counter[Any]]:
    """Every note and list entry, comparable across restores: by parent (``renamed`` maps a restored
    record's new id to its old one), content and dates."""
    notes = Counter(
        (
            renamed.get(n["parent_record_id"], n["parent_record_id"]),
            n["title"],
            n["content_plaintext"],
            n["created_at"][:19],
        )
        for n in _paged(http, "GET", "/v2/notes", 50)
    )
    entries: Counter[Any] = Counter()
    for listed in http.get("/v2/lists").json()["data"]:
        slug = listed["api_slug"]
        for entry in _paged(http, "POST", f"/v2/lists/{slug}/entries/query", 500):
            parent = renamed.get(entry["parent_record_id"], entry["parent_record_id"])
            entries[(slug, parent, _bare(entry["entry_values"]))] += 1
    companies = len(_paged(http, "POST", "/v2/objects/companies/records/query", 500))
    return {"notes": notes, "entries": entries, "companies": Counter({"companies": companies})}


def _orphan_keys(http: httpx.Client, plan: Plan) -> list[tuple[str, str, str]]:
    keys = []
    for row in plan.rows.filter(pl.col("action") == "delete_entry").iter_rows(named=True):
        entry = http.get(f"/v2/lists/{row['list']}/entries/{row['target_id']}").json()["data"]
        parent = http.get(f"/v2/objects/{entry['parent_object']}/records/{entry['parent_record_id']}")
        if parent.status_code == 404:
            keys.append((row["list"], entry["parent_record_id"], _bare(entry["entry_values"])))
    return keys


def _steps(root: Path, run_id: str) -> dict[tuple[str, str, str], tuple[str, str | None, str]]:
    """Every journalled step of the restores of ``run_id``: (restore run, row, step) → (status, created id,
    when marked)."""
    found = {}
    for folder in sorted(root.glob(f"{run_id}-restore-*")):
        with contextlib.closing(sqlite3.connect(folder / "journal.sqlite")) as db:
            rows = db.execute("SELECT action_id, step, status, created_id, updated_at FROM steps").fetchall()
        found.update({(folder.name, a, step): (status, made, when) for a, step, status, made, when in rows})
    return found


@pytest.mark.parametrize("merge", ["fallback", "native"])
def test_a_restore_cut_short_by_faults_is_finished_by_the_next_one(world: Any, merge: str) -> None:
    """Under 5xx (before and after the server committed), spurious 401s and dropped connections, with a
    client that gives up after two tries, some actions fail; a second restore finishes exactly those
    (their finished sub-steps are not done again), and the workspace is as it was before the run: nothing
    lost, nothing doubled."""
    sb, snapshot, table = world
    plan, pairs = _scenario(snapshot, table)
    with sb.http() as http:
        before = _workspace(http, {})
        merged_before = {s: (_state(http, s), _state(http, loser)) for s, loser in pairs}
        orphans = _orphan_keys(http, plan)
    assert orphans
    with client_for(sb) as client:
        report = plan.apply(client, merge=merge)
    assert report.counts() == {"done": len(plan)}, report.frame.filter(pl.col("status") != "done")
    merged = report.frame.filter(pl.col("action") == "merge_records")
    final = dict(merged.select("target_id", "created_id").rows())  # loser → the merged record
    first: pl.DataFrame | None = None
    for seed in range(1, 40):  # a seed whose faults cut the restore short (an error, or actions failed)
        with (
            sb.faults(**FAULTS, seed=seed),
            AttioClient(sb.tokens["primary"], sb.base_url, max_attempts=2) as client,
        ):
            try:
                first = restore(report.run_id, client)
            except AttioError:
                first = None  # a read the restore run could not do: it stopped, unfinished
        if first is None or (first["status"] == "failed").any():
            break
    assert first is None or (first["status"] == "failed").any(), first
    left = [
        o.source.action_id
        for o in plan_restore(report.run_id).outcomes()
        if o.status in ("failed", "not_started")
    ]
    assert left
    steps_first = _steps(report.folder.parent, report.run_id)

    with client_for(sb) as client:
        second = restore(report.run_id, client)
    failed = second.filter(pl.col("status") == "failed").select("action", "detail").to_dicts()
    assert set(second["status"]) <= {"restored", "not_restorable"}, failed
    retried = second.filter(~pl.col("earlier"))
    assert sorted(retried["action_id"]) == sorted(left)  # only what was left is redone
    steps_second = _steps(report.folder.parent, report.run_id)
    for key, (status, made, when) in steps_first.items():
        if status == "done":  # a finished step is not sent (nor marked) again
            assert steps_second[key] == (status, made, when), key

    log: list[str] = []
    with client_for(sb, log) as client:
        third = restore(report.run_id, client)
    assert writes_in(log) == []  # everything finished: nothing is sent again
    assert third["earlier"].all()
    assert third["restored_id"].to_list() == second["restored_id"].to_list()
    new_loser = dict(
        second.filter(pl.col("action") == "merge_records").select("target_id", "restored_id").rows()
    )
    renamed = {new_loser[loser]: loser for loser in new_loser} | {
        final[loser]: survivor for survivor, loser in pairs
    }
    with sb.http() as http:
        after = _workspace(http, renamed)
        for survivor, loser in pairs:
            now = (_state(http, final[loser]), _state(http, new_loser[loser]))
            assert now == merged_before[survivor]
    for key in orphans:  # their parents are gone: Attio cannot hold them
        before["entries"][key] -= 1
    before["entries"] = +before["entries"]
    for part in ("notes", "entries", "companies"):
        assert after[part] == before[part], (part, after[part] - before[part], before[part] - after[part])


def test_a_restore_is_a_run_that_can_be_restored_in_turn(world: Any) -> None:
    """The restore of a run that merged, deleted and re-dated is planned (the dry run names what it will do
    and the run it makes), applied as a run of its own with a backup of what it overwrites, and restoring
    that run leaves the workspace as the first run left it."""
    sb, snapshot, table = world
    plan, _ = _scenario(snapshot, table, merges=1)
    with client_for(sb) as client:
        report = plan.apply(client, merge="native")
    assert report.counts() == {"done": len(plan)}
    with sb.http() as http:
        after_run = _workspace(http, {})

    restoring = plan_restore(report.run_id)
    assert len(restoring) > 0
    assert restoring.resume is None
    said = Console(width=200, record=True)
    said.print(restoring)
    text = said.export_text()
    assert "merge_records: 1 to put back. 1 merge the run made will be undone" in text
    assert f"as a run of its own ({report.run_id}-restore-1)" in text
    page = restoring._repr_html_()  # a notebook shows the same dry run
    assert f"<p>Restore of run {report.run_id}.</p>" in page
    assert "merge_records: 1 to put back." in page
    with client_for(sb) as client:
        done = restoring.apply(client, progress=False)
    assert done.exit_code == 0, done.frame
    assert done.run is not None
    assert done.run.run_id == f"{report.run_id}-restore-1"
    assert done.run.counts() == {"done": len(restoring)}  # every row applied and read back
    assert done.run.frame["verified"].all()
    assert f"The restore ran as run {done.run.run_id}" in done._repr_html_()
    folder = report.folder.parent / done.run.run_id
    assert (folder / "backup" / "manifest.json").exists()  # what the restore overwrote, backed up first

    with client_for(sb) as client:
        undone = restore(done.run.run_id, client)
    assert set(undone["status"]) <= {"restored", "not_restorable"}, undone
    with sb.http() as http:
        assert _workspace(http, {}) == after_run


def _env(sb: RunningSandbox) -> dict[str, str]:
    return {"ATTIO_API_KEY": sb.tokens["primary"], "ATTIO_BASE_URL": sb.base_url, "COLUMNS": "250"}


def test_the_dry_run_says_what_is_left_and_a_second_restore_what_was_done_earlier(world: Any) -> None:
    sb, snapshot, table = world
    frame = table.frame
    notes = frame.filter(pl.col("action") == "delete_note").head(6)
    orphans = frame.filter(pl.col("recipe") == "orphan_entries").head(2)
    plan = Plan(ActionTable(pl.concat([notes, orphans])).decide("approve"), snapshot)
    with client_for(sb) as client:
        report = plan.apply(client)
    assert report.counts() == {"done": 8}
    runner, env, run_id = CliRunner(), _env(sb), report.run_id
    first = [notes["action_id"][0], orphans["action_id"][0]]
    once = runner.invoke(app, ["restore", run_id, "--yes", *(f"--action={a}" for a in first)], env=env)
    assert once.exit_code == 0, once.output
    assert "restored: 1 put back now" in once.output
    assert "not_restorable: 1 cannot be put back" in once.output
    # Attio refuses the note creates (a 401 the interactive policy does not retry): both fail
    with (
        sb.faults(unauthorized_rate=1.0, methods=["POST"], path_prefix="/v2/notes"),
        client_for(sb) as client,
    ):
        failed = restore(run_id, client, action_ids=notes["action_id"][1:3].to_list())
    assert failed["status"].to_list() == ["failed", "failed"]
    assert "--unattended" in failed["detail"][0]  # and what to do about it

    dry = runner.invoke(app, ["restore", run_id], env=env)
    assert dry.exit_code == 0, dry.output
    lines = dry.output.splitlines()
    assert (
        "delete_note: 5 to put back. 5 notes the run deleted will be created again with their original "
        "date and content (2 of them failed last time and will be tried again); 1 was already put back by "
        "an earlier restore." in lines
    ), dry.output
    assert (  # an orphan's parent is gone: known before anything is tried
        "delete_entry: nothing left to put back of 2 list entries the run deleted; 2 cannot be put back."
        in lines
    ), dry.output
    assert (
        "In all: 5 to put back, 2 of them failed last time; 1 already put back; 2 cannot be put back."
        in lines
    )

    rest = runner.invoke(app, ["restore", run_id, "--yes"], env=env)
    assert rest.exit_code == 0, rest.output
    assert "restored: 5 put back now" in rest.output
    assert "1 was already put back by an earlier restore (nothing sent for them)" in rest.output
    assert "not_restorable: 2 cannot be put back" in rest.output

    again = runner.invoke(app, ["restore", run_id, "--yes"], env=env)
    assert again.exit_code == 0, again.output
    assert "restored:" not in again.output  # nothing was put back now
    assert "6 were already put back by an earlier restore" in again.output
    assert "Nothing was sent" in again.output
    done = runner.invoke(app, ["restore", run_id], env=env)
    assert (
        "delete_note: nothing left to put back of 6 notes the run deleted; 6 were already put back"
        in done.output
    )
    assert "Nothing is left to put back" in done.output
    with sb.http() as http:  # every note back once
        assert len(_paged(http, "GET", "/v2/notes", 50)) == snapshot.notes().collect().height


@pytest.mark.parametrize("unattended", [True, False])
def test_unattended_reaches_the_client(monkeypatch: pytest.MonkeyPatch, unattended: bool) -> None:
    import cleanup.client

    policies: list[str] = []

    class Recording(AttioClient):
        def __init__(self, *args: Any, **options: Any) -> None:
            super().__init__(*args, **options)
            policies.append(self.aio.policy)

    monkeypatch.setattr(cleanup.client, "AttioClient", Recording)
    flags = ["--unattended"] if unattended else []
    result = CliRunner().invoke(
        app,
        ["restore", "20260101T000000Z-000000", "--yes", *flags],
        env={"ATTIO_API_KEY": "test-key", "ATTIO_BASE_URL": "http://127.0.0.1:9"},
    )
    assert result.exit_code == 1  # no such run
    assert policies == ["unattended" if unattended else "interactive"]


def _restore_states(journal: Path) -> dict[str, int]:
    """The restore run's note creates by status."""
    with contextlib.closing(sqlite3.connect(journal)) as db:
        rows = db.execute("SELECT status, count(*) FROM steps WHERE step = 'create' GROUP BY status")
        return dict(rows.fetchall())


def _interrupt(
    command: list[str], env: dict[str, str], journal: Path, after: int, times: int
) -> tuple[int, str]:
    """Start ``command``, press Ctrl-C ``times`` once ``after`` actions are restored; its code and output."""
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if journal.exists() and _restore_states(journal).get("done", 0) >= after:
            break
        time.sleep(0.02)
    for _ in range(times):
        child.send_signal(signal.SIGINT)
        time.sleep(0.3)
    output, _ = child.communicate(timeout=120)
    return child.returncode, output


def test_ctrl_c_stops_after_the_requests_in_flight_and_twice_at_once(world: Any) -> None:
    sb, snapshot, table = world
    notes = table.frame.filter(pl.col("action") == "delete_note")
    assert notes.height >= 30
    plan = Plan(ActionTable(notes).decide("approve"), snapshot)
    with client_for(sb) as client:
        report = plan.apply(client)
    env = {**os.environ, **_env(sb)}
    command = [
        sys.executable,
        "-c",
        "from cleanup.cli import main; main()",
        "restore",
        report.run_id,
        "--yes",
    ]
    journal = report.folder.parent / f"{report.run_id}-restore-1" / "journal.sqlite"

    with sb.faults(latency_ms=300):  # slow enough to press Ctrl-C halfway
        code, output = _interrupt(command, env, journal, after=5, times=1)
    assert code == 4, output  # stopped early: run it again
    assert f"go on with: attio-cleanup restore {report.run_id} --yes" in output
    assert "not_started:" in output
    states = _restore_states(journal)
    assert "sent" not in states  # the requests in flight were finished and journalled
    assert states["planned"] > 0

    with sb.faults(latency_ms=1500):  # an action takes long enough for two presses within it
        code, output = _interrupt(command, env, journal, after=states["done"] + 1, times=2)
    assert code == 130, output
    assert "stopped at once" in output.lower()
    assert "Traceback" not in output
    assert _restore_states(journal).get("sent", 0) >= 1  # those in flight: looked for, not sent twice

    final = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert final.returncode == 0, final.stdout + final.stderr
    assert set(_restore_states(journal)) == {"done"}
    with sb.http() as http:  # every note back once: the one in flight at the second Ctrl-C was looked for
        assert len(_paged(http, "GET", "/v2/notes", 50)) == snapshot.notes().collect().height


def test_a_run_restored_by_an_earlier_version_is_not_restored_twice(world: Any) -> None:
    """``restore.sqlite`` (an earlier version's restore): what it finished counts as put back and is never
    sent again; one it left half done is refused, with what to do."""
    sb, snapshot, table = world
    notes = table.frame.filter(pl.col("action") == "delete_note").head(2)
    plan = Plan(ActionTable(notes).decide("approve"), snapshot)
    with client_for(sb) as client:
        report = plan.apply(client)
    first, second = notes["action_id"].to_list()
    legacy = report.folder / "restore.sqlite"
    with contextlib.closing(sqlite3.connect(legacy)) as db:
        db.execute(
            "CREATE TABLE steps (action_id TEXT, step TEXT, status TEXT, created_id TEXT, detail TEXT, "
            "updated_at TEXT, PRIMARY KEY (action_id, step))"
        )
        db.execute(
            "INSERT INTO steps VALUES (?, 'restore', 'done', 'n-new', NULL, '2026-11-01T00:00:00')", [first]
        )
        db.commit()
    restoring = plan_restore(report.run_id)
    assert restoring.rows["action_id"].to_list() == [f"restore:{second}:note"]  # only the other one
    assert restoring.outlook().row(0) == ("delete_note", 1, 0, 1, 0)
    log: list[str] = []
    with client_for(sb, log) as client:
        done = restoring.apply(client, progress=False)
    assert len(writes_in(log)) == 1
    assert dict(done.frame.select("action_id", "status").rows()) == {first: "restored", second: "restored"}

    with contextlib.closing(sqlite3.connect(legacy)) as db:
        db.execute("UPDATE steps SET status = 'sent'")
        db.commit()
    with pytest.raises(RestoreError, match="partly restored by an earlier version"):
        plan_restore(report.run_id)


def test_merges_into_one_record_are_undone_together(world: Any, tmp_path: Path) -> None:
    """Undoing one of two merges into a record would put its values back to before both: refused, naming
    the other merge to add."""
    _, snapshot, _ = world
    survivor, first, second = _busy_companies(snapshot, 3)
    table = ActionTable.concat([_merge(snapshot, survivor, loser, {}) for loser in (first, second)])
    run = Run.start(Plan(table, snapshot), root=tmp_path)
    run.close()
    ids = dict(run.rows.select("target_id", "action_id").rows())
    with pytest.raises(RestoreError, match=f"--action {ids[second]} to undo them together"):
        plan_restore(run.run_id, root=tmp_path, action_ids=[ids[first]])
    assert len(plan_restore(run.run_id, root=tmp_path, action_ids=list(ids.values())).sources) == 0

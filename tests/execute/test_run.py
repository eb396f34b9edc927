"""Applying a plan over real HTTP: backup first, journalled writes, resume without repeats, drift, faults."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import openpyxl
import orjson
import polars as pl
from typer.testing import CliRunner

import cleanup
from cleanup.actions import ActionTable
from cleanup.actions.fingerprint import fingerprint
from cleanup.cli import app
from cleanup.execute import Plan, Run, Status, restore
from cleanup.execute.steps import note_body
from cleanup.export.snapshot import Snapshot
from tests.conftest import client_for
from tests.execute.conftest import writes_in


def test_apply_backs_up_first_then_applies_exactly_the_approved_rows(world: Any) -> None:
    sb, snapshot, table = world
    approved = table.decide("approve", where=pl.col("action") != "delete_entry").decide(
        "approve", where=pl.col("recipe") == "orphan_entries"
    )
    plan = Plan(approved, snapshot)
    log: list[str] = []
    with client_for(sb, log) as client:
        report = plan.apply(client)
    assert report.counts() == {"done": len(plan)}
    assert report.frame["verified"].all()
    assert report.exit_code == 0
    # every target was read back (and backed up) before the first write
    first_write = next(i for i, entry in enumerate(log) if not entry.startswith("GET"))
    reads_before = [entry for entry in log[:first_write] if entry.startswith("GET")]
    assert len(reads_before) >= len(plan)
    with sb.http() as http:
        for row in (
            approved.approved().filter(pl.col("action") == "delete_note").head(20).iter_rows(named=True)
        ):
            assert http.get(f"/v2/notes/{row['target_id']}").status_code == 404
        recreated = report.frame.filter(pl.col("action") == "recreate_note")
        truth = {d["id"]: d["original_created_at"] for d in sb.ground_truth.reimport_only_notes}
        for target, new_id in recreated.select("target_id", "created_id").rows():
            note = http.get(f"/v2/notes/{new_id}").json()["data"]
            assert note["created_at"][:19] == truth[target][:19]
            assert http.get(f"/v2/notes/{target}").status_code == 404
        # the copies of duplicate entries were left pending: still there
        pending = table.frame.filter(
            pl.col("action") == "delete_entry", pl.col("recipe") == "duplicate_entries"
        )
        for row in pending.head(5).iter_rows(named=True):
            assert http.get(f"/v2/lists/{row['list']}/entries/{row['target_id']}").status_code == 200


def test_run_folder_is_private_and_holds_no_api_key(world: Any, tmp_path: Path) -> None:
    sb, snapshot, table = world
    plan = Plan(table.decide("approve", where=pl.col("recipe") == "orphan_entries"), snapshot)
    with client_for(sb) as client:
        report = plan.apply(client)
    folder = report.folder
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {
        "plan.parquet",
        "journal.sqlite",
        "report.json",
        "report.parquet",
        "meta.json",
    }
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert sb.tokens["primary"].encode() not in path.read_bytes(), path
    backup = folder / "backup" / "entries__pipeline.jsonl"
    assert len(backup.read_bytes().splitlines()) == len(plan)


def test_a_finished_run_resumed_sends_nothing_again(world: Any) -> None:
    sb, snapshot, table = world
    plan = Plan(table.decide("approve", where=pl.col("recipe") == "duplicate_notes"), snapshot)
    with client_for(sb) as client:
        first = plan.apply(client)
    log: list[str] = []
    run = Run.open(first.run_id)
    try:
        with client_for(sb, log) as client:
            again = run.apply(client)
    finally:
        run.close()
    assert writes_in(log) == []
    assert again.counts() == first.counts()


def test_an_interrupted_run_resumes_where_it_stopped(world: Any) -> None:
    sb, snapshot, table = world
    plan = Plan(table.decide("approve", where=pl.col("action") == "recreate_note"), snapshot)
    run = Run.start(plan)
    # the process dies after half the creates were sent (their journal rows still say "sent")
    rows = run.rows.to_dicts()
    with client_for(sb) as client:
        client.run(run._read_and_back_up(client.aio, rows, asyncio.Semaphore(4)))
        for row in rows[: len(rows) // 2]:
            run.journal.mark(row["action_id"], "create", Status.SENT)
            client.post("/v2/notes", {"data": note_body(row)})
    run.close()
    log: list[str] = []
    resumed = Run.open(run.run_id)
    try:
        with client_for(sb, log) as client:
            report = resumed.apply(client)
    finally:
        resumed.close()
    assert report.counts() == {"done": len(rows)}
    creates = [entry for entry in log if entry == "POST /v2/notes"]
    assert len(creates) == len(rows) - len(rows) // 2  # the sent ones were found, not created again
    with sb.http() as http:
        for row in rows:
            payload = orjson.loads(row["payload"])
            parent = http.get(
                "/v2/notes", params={"parent_record_id": payload["parent_record_id"], "limit": 50}
            ).json()["data"]
            twins = [
                n
                for n in parent
                if n["title"] == payload["title"] and n["created_at"] == payload["created_at"]
            ]
            assert len(twins) == 1  # recreated once, never twice


def test_drift_is_skipped_and_said(world: Any) -> None:
    sb, snapshot, table = world
    orphans = table.frame.filter(
        pl.col("recipe") == "duplicate_entries", pl.col("action") == "delete_entry"
    ).head(1)
    row = orphans.row(0, named=True)
    with sb.http() as http:
        changed = http.patch(
            f"/v2/lists/{row['list']}/entries/{row['target_id']}",
            json={"data": {"entry_values": {"next_step": "Call back"}}},
        )
        assert changed.status_code == 200, changed.text
    plan = Plan(ActionTable(orphans).decide("approve"), snapshot)
    with client_for(sb) as client:
        report = plan.apply(client)
    assert report.frame["status"].to_list() == ["skipped"]
    assert "changed since the snapshot" in report.frame["detail"][0]
    assert report.exit_code == 3


def test_ambiguous_creates_are_looked_up_not_repeated(world: Any) -> None:
    sb, snapshot, table = world
    plan = Plan(table.decide("approve", where=pl.col("action") == "recreate_note"), snapshot)
    with (
        client_for(sb) as client,
        sb.faults(drop_after_rate=1.0, methods=["POST"], path_prefix="/v2/notes", seed=3),
    ):
        report = plan.apply(client)
    assert report.counts() == {"done": len(plan)}
    assert all("found after an ambiguous answer" in d for d in report.frame["detail"].to_list())


def _merge_rows(snapshot: Snapshot, survivor: str, losers: list[str]) -> ActionTable:
    raws = dict(snapshot.records("companies").select("_id", "_raw").collect().rows())
    rows = pl.DataFrame(
        {
            "recipe": "repair",
            "action": "merge_records",
            "object": "companies",
            "target_id": losers,
            "survivor_id": survivor,
            "cluster_id": survivor,
            "payload": ['{"carry": {"description": "Merged by the ops team"}}'] + [None] * (len(losers) - 1),
            "reason": "the same company",
            "fingerprint": [fingerprint(raws[loser]) for loser in losers],
        }
    )
    return ActionTable.build(rows).decide("approve")


def test_native_merges_chain_through_new_ids_and_carry_values(world: Any) -> None:
    sb, snapshot, _ = world
    a, b, c = snapshot.records("companies").select("_id").head(3).collect()["_id"].to_list()
    plan = Plan(_merge_rows(snapshot, a, [b, c]), snapshot)
    sb.config.merge_delay_ms = 300  # answered 202 and merge_in_progress for a while
    try:
        with client_for(sb) as client:
            report = plan.apply(client)
    finally:
        sb.config.merge_delay_ms = 0
    assert report.counts() == {"done": 2}
    assert report.frame["verified"].all()
    first, second = report.frame["created_id"].to_list()
    assert first != second
    with sb.http() as http:
        for old in (a, b, c, first):
            assert http.get(f"/v2/objects/companies/records/{old}").status_code == 404
        final = http.get(f"/v2/objects/companies/records/{second}").json()["data"]["values"]
        assert final["description"][0]["value"] == "Merged by the ops team"


def test_an_ambiguous_merge_is_looked_up_not_repeated(world: Any) -> None:
    sb, snapshot, _ = world
    ids = snapshot.records("companies").select("_id").head(2).collect()["_id"].to_list()
    plan = Plan(_merge_rows(snapshot, ids[0], [ids[1]]), snapshot)
    with (
        client_for(sb) as client,
        sb.faults(drop_after_rate=1.0, methods=["POST"], path_prefix="/v2/objects/companies/records/merge"),
    ):
        report = plan.apply(client)
    assert report.counts() == {"done": 1}
    assert "found after an ambiguous answer" in report.frame["detail"][0]
    assert report.frame["verified"].all()


def test_record_updates_and_deletes(world: Any) -> None:
    sb, snapshot, _ = world
    companies = snapshot.records("companies").select("_id", "_raw").head(2).collect()
    (keep, keep_raw), (drop, drop_raw) = companies.rows()
    rows = pl.DataFrame(
        {
            "recipe": "repair",
            "action": ["update_record", "delete_record"],
            "object": "companies",
            "target_id": [keep, drop],
            "payload": ['{"values": {"description": "Checked by the ops team"}}', None],
            "reason": "a one-off repair",
            "fingerprint": [fingerprint(keep_raw), fingerprint(drop_raw)],
        }
    )
    plan = Plan(ActionTable.build(rows).decide("approve"), snapshot)
    with client_for(sb) as client:
        report = plan.apply(client)
    assert report.counts() == {"done": 2}
    assert report.frame["verified"].all()
    # what Attio deletes with the record (its notes and list entries) was backed up first
    backup = report.folder / "backup"
    notes_of_drop = snapshot.notes().filter(pl.col("parent_record_id") == drop).collect()
    entries_of_drop = snapshot.entries("pipeline").filter(pl.col("_parent_record_id") == drop).collect()
    if notes_of_drop.height:
        saved = pl.read_parquet(backup / "notes.parquet")["id"].to_list()
        assert set(notes_of_drop["note_id"]) <= set(saved)
    if entries_of_drop.height:
        saved = pl.read_parquet(backup / "entries__pipeline.parquet")["id"].to_list()
        assert set(entries_of_drop["_id"]) <= set(saved)
    assert notes_of_drop.height + entries_of_drop.height > 0
    with sb.http() as http:
        values = http.get(f"/v2/objects/companies/records/{keep}").json()["data"]["values"]
        assert values["description"][0]["value"] == "Checked by the ops team"
        assert http.get(f"/v2/objects/companies/records/{drop}").status_code == 404


def test_cli_apply_is_a_dry_run_without_yes(world: Any, tmp_path: Path) -> None:
    sb, snapshot, table = world
    path = table.decide("approve", where=pl.col("recipe") == "orphan_entries").write(tmp_path / "a.xlsx")
    env = {"ATTIO_API_KEY": sb.tokens["primary"], "ATTIO_BASE_URL": sb.base_url, "COLUMNS": "200"}
    runner = CliRunner()
    dry = runner.invoke(app, ["apply", str(path), "--snapshot", str(snapshot.path)], env=env)
    assert dry.exit_code == 0, dry.output
    assert "Dry run only" in dry.output
    with sb.http() as http:
        row = table.frame.filter(pl.col("recipe") == "orphan_entries").row(0, named=True)
        assert http.get(f"/v2/lists/{row['list']}/entries/{row['target_id']}").status_code == 200
    done = runner.invoke(app, ["apply", str(path), "--snapshot", str(snapshot.path), "--yes"], env=env)
    assert done.exit_code == 0, done.output
    found = re.search(r"\d{8}T\d{6}Z-[0-9a-f]{6}", done.output)
    assert found, done.output
    run_id = found.group(0)
    again = runner.invoke(app, ["resume", run_id], env=env)
    assert again.exit_code == 0, again.output
    missing = runner.invoke(app, ["resume", "no-such-run"], env=env)
    assert missing.exit_code == 1
    assert "no run 'no-such-run'" in missing.output


def test_the_company_recipe_merges_apply(world: Any) -> None:
    sb, snapshot, _ = world
    merges = cleanup.detect(snapshot, "duplicate_companies").decide("approve")
    plan = Plan(merges, snapshot)
    with client_for(sb) as client:
        report = plan.apply(client)
    assert report.counts() == {"done": len(plan)}
    assert report.frame["verified"].all()


def test_restore_puts_back_deleted_notes_and_entries(world: Any, tmp_path: Path) -> None:
    sb, snapshot, table = world
    chosen = table.decide(
        "approve",
        where=pl.col("action").is_in(["delete_note", "recreate_note", "delete_entry", "update_entry"]),
    )
    plan = Plan(chosen, snapshot)
    with client_for(sb) as client:
        report = plan.apply(client)
        assert report.counts() == {"done": len(plan)}
        restored = restore(report.run_id, client)
        again = restore(report.run_id, client)  # journalled: nothing twice
    counts = {
        f"{status}/{action}": n for status, action, n in restored.group_by("status", "action").len().rows()
    }
    approved = chosen.approved()
    orphans = approved.filter(pl.col("recipe") == "orphan_entries").height
    copies = approved.filter(
        pl.col("recipe") == "duplicate_entries", pl.col("action") == "delete_entry"
    ).height
    assert (
        counts["restored/delete_note"] + counts["restored/recreate_note"]
        == approved.filter(pl.col("action").str.ends_with("_note")).height
    )
    assert counts["restored/delete_entry"] == copies > 0
    assert counts["not_restorable/delete_entry"] == orphans > 0  # their parents are gone: Attio refuses them
    assert counts["restored/update_entry"] == approved.filter(pl.col("action") == "update_entry").height
    assert again["restored_id"].to_list() == restored["restored_id"].to_list()
    notes = snapshot.notes().collect()
    with sb.http() as http:
        for action, target, new_id in (
            restored.filter(pl.col("status") == "restored")
            .select("action", "target_id", "restored_id")
            .rows()
        ):
            if action == "delete_entry":
                entry = http.get(f"/v2/lists/pipeline/entries/{new_id}").json()["data"]
                original = (
                    snapshot.entries("pipeline").filter(pl.col("_id") == target).collect().row(0, named=True)
                )
                assert entry["parent_record_id"] == original["_parent_record_id"]
                continue
            if action == "update_entry":  # the values the run wrote are back to what they were
                entry = http.get(f"/v2/lists/pipeline/entries/{target}").json()["data"]["entry_values"]
                original_raw = (
                    snapshot.entries("pipeline").filter(pl.col("_id") == target).collect()["_raw"][0]
                )
                was = orjson.loads(original_raw)["entry_values"]
                payload = orjson.loads(chosen.frame.filter(pl.col("target_id") == target)["payload"][0])
                wrote = payload.get("entry_values", payload)
                for slug in wrote:
                    assert _bare(entry.get(slug, [])) == _bare(was.get(slug, [])), slug
                continue
            note = http.get(f"/v2/notes/{new_id}").json()["data"]
            original = notes.filter(pl.col("note_id") == target).row(0, named=True)
            assert note["title"] == original["title"]
            assert note["content_plaintext"] == original["content_plaintext"]
            assert note["created_at"][:23] == original["_raw"].split('"created_at":"')[-1][:23]
        # the replacements the run made are gone again
        for new_id in report.frame.filter(pl.col("action") == "recreate_note")["created_id"].to_list():
            assert http.get(f"/v2/notes/{new_id}").status_code == 404


def _bare(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Values without when and by whom they were written."""
    meta = {"active_from", "active_until", "created_by_actor"}
    return [{k: v for k, v in value.items() if k not in meta} for value in values]


def test_a_canary_applies_the_first_actions_and_resume_the_rest(world: Any) -> None:
    sb, snapshot, table = world
    plan = Plan(table.decide("approve", where=pl.col("action") == "delete_note"), snapshot)
    with client_for(sb) as client:
        first = plan.apply(client, canary=3)
        assert first.counts() == {"done": 3, "not_started": len(plan) - 3}
        assert first.exit_code == 4  # incomplete: resume it
        run = Run.open(first.run_id)
        try:
            rest = run.apply(client)
        finally:
            run.close()
    assert rest.counts() == {"done": len(plan)}


def test_ctrl_c_stops_cleanly_after_the_requests_in_flight_and_resume_finishes(
    world: Any, tmp_path: Path
) -> None:
    sb, snapshot, table = world
    path = table.decide("approve", where=pl.col("action") == "delete_note").write(tmp_path / "notes.parquet")
    root = Path(os.environ["ATTIO_CLEANUP_BACKUP_ROOT"])
    env = {
        **os.environ,
        "ATTIO_API_KEY": sb.tokens["primary"],
        "ATTIO_BASE_URL": sb.base_url,
        "COLUMNS": "200",
    }
    command = [sys.executable, "-c", "from cleanup.cli import main; main()"]
    child = subprocess.Popen(
        [*command, "apply", str(path), "--snapshot", str(snapshot.path), "--yes"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    journal = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # interrupt once some notes are deleted (client limit: 25 writes/s)
        journals = list(root.glob("*/journal.sqlite"))
        if journals:
            journal = journals[0]
            with contextlib.closing(sqlite3.connect(journal)) as db:
                try:
                    done = db.execute(
                        "SELECT count(*) FROM steps WHERE step = 'delete' AND status = 'done'"
                    ).fetchone()[0]
                except sqlite3.OperationalError:  # the run is still making its journal's tables
                    done = 0
                if done >= 20:
                    break
        time.sleep(0.05)
    child.send_signal(signal.SIGINT)
    output, _ = child.communicate(timeout=120)
    assert child.returncode == 4, output  # stopped early: resume it
    assert "stopping after the requests in flight" in output
    assert journal is not None
    with contextlib.closing(sqlite3.connect(journal)) as db:
        states = dict(db.execute("SELECT status, count(*) FROM steps WHERE step = 'delete' GROUP BY status"))
    assert "sent" not in states  # every request in flight was answered and journalled
    assert states["done"] >= 20
    assert states["planned"] > 0
    run_id = journal.parent.name
    resumed = subprocess.run(
        [*command, "resume", run_id], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    report = pl.read_parquet(journal.parent / "report.parquet")
    assert report["status"].unique().to_list() == ["done"]


def test_rejected_and_pending_rows_never_run_and_a_tampered_file_is_refused(
    world: Any, tmp_path: Path
) -> None:
    sb, snapshot, table = world
    notes = table.frame.filter(pl.col("action") == "delete_note").head(6)
    ids = notes["action_id"].to_list()
    reviewed = (
        ActionTable(notes)
        .decide("approve", action_ids=ids[:2])
        .decide("reject", action_ids=ids[2:4])  # the last two stay pending
        .write(tmp_path / "reviewed.xlsx")
    )
    env = {"ATTIO_API_KEY": sb.tokens["primary"], "ATTIO_BASE_URL": sb.base_url, "COLUMNS": "200"}
    runner = CliRunner()
    # someone changed a target in the reviewed file: refused before any request
    tampered = openpyxl.load_workbook(reviewed)
    sheet = tampered["actions"]  # the workbook opens on "How to review"
    header = [cell.value for cell in sheet[1]]
    sheet.cell(row=2, column=header.index("target_id") + 1, value=notes["target_id"][5])
    tampered.save(tmp_path / "tampered.xlsx")
    refused = runner.invoke(
        app, ["apply", str(tmp_path / "tampered.xlsx"), "--snapshot", str(snapshot.path), "--yes"], env=env
    )
    assert refused.exit_code == 1
    assert "target_id" in refused.output
    assert not any(Path(os.environ["ATTIO_CLEANUP_BACKUP_ROOT"]).iterdir())  # no run was even started
    done = runner.invoke(app, ["apply", str(reviewed), "--snapshot", str(snapshot.path), "--yes"], env=env)
    assert done.exit_code == 0, done.output
    with sb.http() as http:
        status = {t: http.get(f"/v2/notes/{t}").status_code for t in notes["target_id"].to_list()}
    assert [status[t] for t in notes["target_id"].to_list()] == [404, 404, 200, 200, 200, 200]


def test_cli_restores_one_action_on_request(world: Any, tmp_path: Path) -> None:
    sb, snapshot, table = world
    notes = table.frame.filter(pl.col("action") == "delete_note").head(3)
    path = ActionTable(notes).decide("approve").write(tmp_path / "notes.xlsx")
    env = {"ATTIO_API_KEY": sb.tokens["primary"], "ATTIO_BASE_URL": sb.base_url, "COLUMNS": "200"}
    runner = CliRunner()
    done = runner.invoke(app, ["apply", str(path), "--snapshot", str(snapshot.path), "--yes"], env=env)
    assert done.exit_code == 0, done.output
    found = re.search(r"\d{8}T\d{6}Z-[0-9a-f]{6}", done.output)
    assert found, done.output
    first = notes["action_id"][0]
    dry = runner.invoke(app, ["restore", found.group(0), "--action", first], env=env)
    assert "delete_note: 1 to put back" in dry.output
    one = runner.invoke(app, ["restore", found.group(0), "--action", first, "--yes"], env=env)
    assert one.exit_code == 0, one.output
    assert "restored: 1" in one.output
    on = snapshot.notes().select("note_id", "parent_record_id", "parent_object").collect()
    kinds = dict(on.select("parent_record_id", "parent_object").rows())
    parents = dict(
        on.filter(pl.col("note_id").is_in(notes["target_id"].implode()))
        .select("note_id", "parent_record_id")
        .rows()
    )
    with sb.http() as http:  # two notes stay deleted; the restored one is back (under a new id)
        for parent in set(parents.values()):
            before = on.filter(pl.col("parent_record_id") == parent).height
            gone = sum(1 for p in parents.values() if p == parent)
            back = 1 if parent == parents[notes["target_id"][0]] else 0
            params = {"parent_record_id": parent, "parent_object": kinds[parent], "limit": 50}
            now = http.get("/v2/notes", params=params).json()["data"]
            assert len(now) == before - gone + back

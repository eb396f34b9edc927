"""Where runs live: a per-user folder whatever the current folder, `--runs-dir` and the environment to look
elsewhere, `attio-cleanup runs` to list them, and errors that name the folders looked in."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import cleanup
from cleanup.cli import app
from cleanup.client import AttioClient
from cleanup.execute import Plan, RunError, restore
from cleanup.execute.run import RUNS_ENV, Run, backup_root
from cleanup.execute.runs import list_runs
from cleanup.testing import sandbox_server, snapshot_of
from tests.conftest import unlimited


def test_runs_live_in_the_users_data_folder_unless_told(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(RUNS_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    assert backup_root().parts[-2:] == ("attio-cleanup", "runs")
    assert backup_root().is_absolute()
    monkeypatch.setenv(RUNS_ENV, str(tmp_path / "elsewhere"))
    assert backup_root() == tmp_path / "elsewhere"


def test_a_missing_run_names_every_folder_looked_in(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(RUNS_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RunError) as caught:
        Run.open("20261129T000000Z-abcdef")
    message = str(caught.value)
    assert str(backup_root()) in message
    assert str(tmp_path / "backups") in message
    assert "attio-cleanup runs" in message


def test_runs_are_listed_with_what_they_did_and_whether_they_can_be_put_back(tmp_path: Path) -> None:
    root = tmp_path / "runs"
    with sandbox_server("empty", config=unlimited()) as sb, sb.http() as http:
        record = http.post("/v2/objects/companies/records", json={"data": {"values": {"name": "Acme"}}})
        parent = record.json()["data"]["id"]["record_id"]
        for when in ("2021-03-01T10:00:00Z", "2026-10-01T10:00:00Z"):
            note = {
                "parent_object": "companies",
                "parent_record_id": parent,
                "title": "Intro call",
                "format": "plaintext",
                "content": "Met the CEO.",
                "created_at": when,
            }
            http.post("/v2/notes", json={"data": note}).raise_for_status()
        snapshot = snapshot_of(sb, tmp_path / "snap")
        table = cleanup.detect(snapshot, "duplicate_notes").decide("approve")
        run = Run.start(Plan(table, snapshot), root=root)
        with AttioClient(sb.tokens["primary"], sb.base_url) as client:
            run.apply(client, progress=False)
            run.close()
            (listed,) = list_runs(root).iter_rows(named=True)
            assert listed["run_id"] == run.run_id
            assert listed["workspace"] == "Sandbox"
            assert listed["did"] == "deleted 1 note"
            assert listed["status"] == "done"
            assert listed["restorable"] == "yes"
            restore(run.run_id, client, root=root)
        runs = {row["run_id"]: row for row in list_runs(root).iter_rows(named=True)}
        assert runs[run.run_id]["restorable"] == "restored"
        again = runs[f"{run.run_id}-restore-1"]  # the restore is a run of its own, restorable in turn
        assert again["did"] == f"restore of {run.run_id}: created 1 note"
        assert (again["status"], again["restorable"]) == ("done", "yes")
    shown = CliRunner().invoke(app, ["--runs-dir", str(root), "runs"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert run.run_id in shown.output
    assert "deleted 1 note" in shown.output
    assert f"Runs in {root}" in shown.output

"""The README's first command: `attio-cleanup demo` runs end to end and reports what it found."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cleanup.actions import ActionTable
from cleanup.export import Snapshot


def test_demo_runs_the_whole_story(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cleanup", "demo", "--out", str(tmp_path / "snap"), "--scale", "0.3"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "re-imported duplicate notes" in result.stdout
    assert "records/companies" in result.stdout
    snapshot = Snapshot.load(tmp_path / "snap" / "snapshot", require_complete=True)
    assert snapshot.counts()["notes"] > 8000
    assert "Found against the planted defects" in result.stdout
    reviewed = ActionTable.read(tmp_path / "snap" / "actions.xlsx")  # the sign-off workbook reads back
    assert reviewed.frame["recipe"].n_unique() == 5
    assert "Sign-off report:" in result.stdout
    assert (tmp_path / "snap" / "report.html").stat().st_size > 10_000
    assert (tmp_path / "snap" / "report-after-run.html").exists()
    assert "read back and verified" in result.stdout
    assert "Restored one deleted note from the backup" in result.stdout
    assert "Planted defects: found and fixed" in result.stdout
    backups = sorted((tmp_path / "snap" / "backups").glob("*/backup/manifest.json"))
    assert len(backups) == 2  # the run's, and its restore's (a run of its own, restorable in turn)
    assert backups[1].parent.parent.name == f"{backups[0].parent.parent.name}-restore-1"

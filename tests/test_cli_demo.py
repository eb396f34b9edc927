"""The README's first command: `attio-cleanup demo` runs end to end and reports what it found."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cleanup.actions import ActionTable
from cleanup.export import Snapshot


def test_demo_runs_and_keeps_its_snapshot(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cleanup", "demo", "--out", str(tmp_path / "snap")],
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
    assert snapshot.counts()["notes"] > 28000
    assert "Found against the planted defects" in result.stdout
    reviewed = ActionTable.read(tmp_path / "snap" / "actions.xlsx")
    assert reviewed.frame["recipe"].n_unique() == 5

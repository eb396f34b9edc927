"""Every notebook in notebooks/ runs top to bottom against the sandbox (as a person would run it in
Jupyter), is committed without outputs, and never shows an API key."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
TOKEN = re.compile(r"[0-9a-f]{64}")  # how the sandbox's API keys look


def test_there_is_a_notebook_per_use_case() -> None:
    names = [p.stem for p in NOTEBOOKS]
    assert len(names) >= 4
    for word in ("notes", "merge", "affinity", "repair"):
        assert any(word in name for name in names), word


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_a_notebook_runs_top_to_bottom_and_shows_no_key(path: Path, tmp_path: Path) -> None:
    book = nbformat.read(path, as_version=4)
    assert all(not cell.get("outputs") for cell in book.cells if cell.cell_type == "code"), (
        "commit without outputs"
    )
    NotebookClient(
        book, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    ).execute()
    shown = nbformat.writes(book)
    assert "Traceback" not in shown
    assert not TOKEN.search(shown), "an API key appears in the notebook's outputs"
    assert any(cell.get("outputs") for cell in book.cells if cell.cell_type == "code")


def test_snapshots_action_tables_plans_and_reports_display_in_a_notebook(tmp_path: Path) -> None:
    from cleanup.testing import sandbox_server, snapshot_of
    from tests.conftest import unlimited

    with sandbox_server("demo", scale=0.05, config=unlimited()) as sb:
        snapshot = snapshot_of(sb, tmp_path / "snap")
    shown = snapshot._repr_html_()
    assert "Northwind" in shown
    assert "records/companies" in shown

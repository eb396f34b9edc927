"""Every notebook in notebooks/ runs top to bottom against the sandbox (as a person would run it in
Jupyter), is committed without outputs, never shows an API key, shows no warning, shows progress while it
exports and applies, and names things rather than showing their ids."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
TOKEN = re.compile(r"[0-9a-f]{64}")  # how the sandbox's API keys look
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")  # record, note, entry ids
SHORT_ID = re.compile(r"…[0-9a-f]{5}\b")  # how a display shows an id it found no name for
CHANGE_LABEL = re.compile(r"<td [^>]*title='action [^']*'>(.*?)</td>")  # a change, as the displays name it
PROGRESS = re.compile(r"\d+/\d+")  # "520/520": a progress display's counts


def visible(shown: str) -> str:
    """The text a person sees of some HTML (hovers and tags left out)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", shown))


def check_outputs(book: Any) -> None:
    """No warning anywhere; a progress display for every export and run; names, not ids, in displays."""
    labels: list[str] = []
    for cell in book.cells:
        if cell.cell_type != "code":
            continue
        shows_progress = False
        for output in cell.outputs:
            if output.output_type == "stream":
                assert not (output.name == "stderr" and "warn" in output.text.lower()), output.text
                continue
            data = output.get("data", {})
            text = str(data.get("text/plain", ""))
            assert "Warning" not in text, text
            assert "ipywidgets" not in text, text
            shows_progress |= output.output_type == "display_data" and bool(PROGRESS.search(text))
            if "text/html" in data:
                shown = str(data["text/html"])
                assert not UUID.search(visible(shown)), f"an id shown where a name belongs in {cell.source!r}"
                labels += [html.unescape(label) for label in CHANGE_LABEL.findall(shown)]
        if "progress=True" in cell.source or ".apply(client" in cell.source:
            assert shows_progress, f"no progress display for {cell.source!r}"
    assert labels, "no action table, plan or run report is displayed"
    unnamed = [label for label in labels if SHORT_ID.search(label)]
    assert not unnamed, f"changes shown by id rather than by name: {unnamed}"


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
    check_outputs(book)


def test_snapshots_action_tables_plans_and_reports_display_in_a_notebook(tmp_path: Path) -> None:
    from cleanup.testing import sandbox_server, snapshot_of
    from tests.conftest import unlimited

    with sandbox_server("demo", scale=0.05, config=unlimited()) as sb:
        snapshot = snapshot_of(sb, tmp_path / "snap")
    shown = visible(snapshot._repr_html_())
    assert shown.startswith(" Snapshot of Northwind Ventures, exported ")
    assert re.search(r"[\d,]+ companies, [\d,]+ people", shown)
    assert "records/companies" not in shown  # the part's name is a hover away, not the label

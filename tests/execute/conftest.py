"""Shared fixtures of the executor tests: a fresh small demo sandbox per test (runs change it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

import cleanup
from cleanup.actions import ActionTable
from cleanup.export.snapshot import Snapshot
from cleanup.testing import RunningSandbox, sandbox_server, snapshot_of
from tests.conftest import unlimited


def note_and_entry_findings(sb: RunningSandbox, snapshot: Snapshot, folder: Path) -> ActionTable:
    """Every finding of the note and entry recipes on a demo sandbox."""
    truth = sb.ground_truth
    assert truth is not None
    source = folder / "source.parquet"
    pl.DataFrame(truth.notes_source).write_parquet(source)
    return ActionTable.concat(
        [
            cleanup.detect(
                snapshot,
                "duplicate_notes",
                reimport_token=sb.token_ids["affinity-reimport"],
                original_token=sb.token_ids["affinity-import"],
                source=str(source),
            ),
            cleanup.detect(snapshot, "orphan_entries"),
            cleanup.detect(snapshot, "duplicate_entries"),
        ]
    )


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[RunningSandbox, Snapshot, ActionTable]]:
    """A fresh small demo workspace (runs change it), its snapshot, and every finding of the note and
    entry recipes."""
    with sandbox_server("demo", scale=0.1, config=unlimited()) as sb:
        snapshot = snapshot_of(sb, tmp_path / "snap")
        yield sb, snapshot, note_and_entry_findings(sb, snapshot, tmp_path)


def writes_in(log: list[str]) -> list[str]:
    """The requests of ``log`` that write (a ``POST`` to a query endpoint reads)."""
    return [entry for entry in log if not entry.startswith("GET") and not entry.endswith("/query")]

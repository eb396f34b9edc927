"""A snapshot: a folder with ``manifest.json`` and Parquet files, read back as lazy frames.

Layout::

    manifest.json                 workspace, API base, times, schema, per-part progress, ``complete``
    records/<object>.parquet      _id, _created_at, _web_url, one column per attribute, _raw
    entries/<list>.parquet        _id, _parent_record_id, _parent_object, _created_at, attributes, _raw
    notes.parquet  tasks.parquet  members.parquet

``_raw`` is each item's JSON as the API sent it, so nothing is lost to flattening.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import polars as pl
from rich.markup import escape
from rich.table import Table

from ..errors import ExportStageError
from ..notebook import html
from .schema import WorkspaceSchema

MANIFEST = "manifest.json"
FORMAT = "attio-cleanup-snapshot"
VERSION = 1


class SnapshotError(ExportStageError):
    """A snapshot folder is missing, incomplete where completeness is needed, or lacks a part asked for."""


def part_file(folder: Path, part: str) -> Path:
    """Where a part's Parquet file lives (``records/companies`` → ``records/companies.parquet``)."""
    return folder / f"{part}.parquet"


@dataclass
class Snapshot:
    """An exported workspace on disk."""

    path: Path
    manifest: dict[str, Any]

    @classmethod
    def load(cls, path: str | Path, *, require_complete: bool = False) -> Snapshot:
        """Open a snapshot folder; with ``require_complete`` refuse one whose export did not finish."""
        folder = Path(path)
        manifest_path = folder / MANIFEST
        if not manifest_path.exists():
            raise SnapshotError(
                f"{folder} is not a snapshot: it has no {MANIFEST}. Export one with `attio-cleanup export --out {folder}`."
            )
        manifest = orjson.loads(manifest_path.read_bytes())
        if manifest.get("format") != FORMAT:
            raise SnapshotError(f"{manifest_path} is not an attio-cleanup snapshot manifest")
        snapshot = cls(folder, manifest)
        if require_complete and not snapshot.complete:
            unfinished = ", ".join(p for p, s in manifest["parts"].items() if s["status"] != "complete")
            raise SnapshotError(
                f"the snapshot at {folder} is incomplete ({unfinished}); re-run the export into the same folder to finish it"
            )
        return snapshot

    @property
    def complete(self) -> bool:
        return bool(self.manifest.get("complete"))

    @property
    def schema(self) -> WorkspaceSchema:
        return WorkspaceSchema.from_json(self.manifest["schema"])

    @property
    def parts(self) -> dict[str, dict[str, Any]]:
        parts: dict[str, dict[str, Any]] = self.manifest["parts"]
        return parts

    def counts(self) -> dict[str, int]:
        return {name: int(state.get("rows", 0)) for name, state in self.parts.items()}

    def _scan(self, part: str) -> pl.LazyFrame:
        state = self.parts.get(part)
        if state is None:
            have = ", ".join(sorted(self.parts)) or "nothing"
            raise SnapshotError(f"the snapshot at {self.path} has no {part} (it has: {have})")
        if state["status"] != "complete":
            raise SnapshotError(
                f"{part} in the snapshot at {self.path} is incomplete; re-run the export into the same folder"
            )
        return pl.scan_parquet(part_file(self.path, part), glob=False)  # a folder may be named "[q3]"

    def records(self, object_slug: str) -> pl.LazyFrame:
        """The records of one object."""
        return self._scan(f"records/{object_slug}")

    def entries(self, list_slug: str) -> pl.LazyFrame:
        """The entries of one list."""
        return self._scan(f"entries/{list_slug}")

    def notes(self) -> pl.LazyFrame:
        return self._scan("notes")

    def tasks(self) -> pl.LazyFrame:
        return self._scan("tasks")

    def members(self) -> pl.LazyFrame:
        return self._scan("members")

    def _repr_html_(self) -> str:
        """In a notebook: the workspace, when it was exported, what it holds, and whether it is complete."""
        return html(self)

    def __rich__(self) -> Table:
        """On a rich console (the ``export`` command prints it): the rows of each part."""
        table = Table(title=escape(f"Snapshot of {self.schema.workspace_name} at {self.path}"))
        table.add_column("part")
        table.add_column("rows", justify="right")
        for part, rows in self.counts().items():
            table.add_row(part, f"{rows:,}")
        return table

    def __repr__(self) -> str:
        state = "complete" if self.complete else "incomplete"
        return (
            f"Snapshot({str(self.path)!r}, workspace={self.manifest['schema']['workspace_name']!r}, {state})"
        )

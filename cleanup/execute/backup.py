"""The backup a run writes before its first write: every item it will touch, as Parquet and as raw JSON
lines, fsynced, read back and checked, readable by the owner only. No backup, no write.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import orjson
import polars as pl

from ..errors import ExecuteError
from ..export.schema import WorkspaceSchema, references_to
from ..files import DIR_MODE, FILE_MODE, private_dir, write_private
from .hanging import Hanging

JSON = dict[str, Any]


class BackupError(ExecuteError, OSError):
    """The backup could not be written or did not read back as written: the run stops before any write."""


def _file_name(part: str) -> str:
    return part.replace("/", "__")


def write_backup(folder: Path, items: dict[str, list[tuple[str, str]]]) -> dict[str, dict[str, object]]:
    """Back up ``items`` (part → [(id, raw JSON)]) into ``folder``; returns what was written, per part.

    Each part becomes ``<part>.parquet`` (columns ``id``, ``raw``) and ``<part>.jsonl`` (the raw JSON, one
    item per line). Both are read back and compared with what was meant to be written.
    """
    private_dir(folder)
    written: dict[str, dict[str, object]] = {}
    for part, rows in items.items():
        frame = pl.DataFrame(rows, schema={"id": pl.String, "raw": pl.String}, orient="row")
        buffer = io.BytesIO()
        frame.write_parquet(buffer)
        parquet = folder / f"{_file_name(part)}.parquet"
        jsonl = folder / f"{_file_name(part)}.jsonl"
        write_private(parquet, buffer.getvalue())
        write_private(jsonl, b"".join(raw.encode() + b"\n" for _, raw in rows))
        _check(part, rows, parquet, jsonl)
        written[part] = {
            "rows": len(rows),
            "parquet": parquet.name,
            "jsonl": jsonl.name,
            "sha256": hashlib.sha256(parquet.read_bytes()).hexdigest(),
        }
    write_private(folder / "manifest.json", orjson.dumps(written, option=orjson.OPT_INDENT_2))
    return written


def _check(part: str, rows: list[tuple[str, str]], parquet: Path, jsonl: Path) -> None:
    try:
        back = pl.read_parquet(parquet)
        lines = jsonl.read_bytes().splitlines()
    except (OSError, pl.exceptions.PolarsError) as error:
        raise BackupError(f"the backup of {part} cannot be read back: {error}") from None
    if back.rows() != [tuple(r) for r in rows] or [line.decode() for line in lines] != [
        raw for _, raw in rows
    ]:
        raise BackupError(f"the backup of {part} did not read back as written; nothing was changed")
    for raw in lines:
        orjson.loads(raw)


def read_backup(folder: Path, part: str) -> pl.DataFrame:
    """A backed-up part as ``id``, ``raw``."""
    return pl.read_parquet(folder / f"{_file_name(part)}.parquet")


class BackupView:
    """A run's backup, read lazily: items by id, and what hung on a record when it was backed up."""

    def __init__(self, folder: Path, schema: WorkspaceSchema) -> None:
        self.folder = folder
        self.schema = schema
        self._parts: dict[str, dict[str, JSON]] = {}

    @property
    def exists(self) -> bool:
        return (self.folder / "manifest.json").exists()

    def parts(self) -> list[str]:
        if not self.exists:
            return []
        return list(orjson.loads((self.folder / "manifest.json").read_bytes()))

    def items(self, part: str) -> dict[str, JSON]:
        """Backed-up items of one part by id (empty when the run backed up none)."""
        if part not in self._parts:
            path = self.folder / f"{_file_name(part)}.parquet"
            rows = read_backup(self.folder, part).rows() if path.exists() else []
            self._parts[part] = {item_id: orjson.loads(raw) for item_id, raw in rows}
        return self._parts[part]

    def raw(self, part: str, item_id: str) -> JSON | None:
        return self.items(part).get(item_id)

    def history(self, target: str, identifier: str, item_id: str) -> dict[str, list[JSON]]:
        """The value histories kept of one record or entry, by attribute slug (``show_historic`` reads)."""
        if not hasattr(self, "_histories"):
            self._histories: dict[str, dict[str, list[JSON]]] = {}
            for key, values in self.items("history").items():
                owner, _, slug = key.rpartition("/")
                self._histories.setdefault(owner, {})[slug] = list(values)  # type: ignore[arg-type]
        return self._histories.get(f"{target}/{identifier}/{item_id}", {})

    def hanging(self, object_slug: str, record_id: str) -> Hanging:
        """What hung on the record when it was backed up (its notes, entries, tasks and referrers)."""
        found = Hanging()
        found.notes = [n for n in self.items("notes").values() if n.get("parent_record_id") == record_id]
        for part in self.parts():
            if part.startswith("entries/"):
                found.entries += [
                    (part.removeprefix("entries/"), e)
                    for e in self.items(part).values()
                    if e.get("parent_record_id") == record_id
                ]
        found.tasks = [
            t
            for t in self.items("tasks").values()
            if any(link["target_record_id"] == record_id for link in t.get("linked_records", []))
        ]
        for source, attr in references_to(self.schema, object_slug):
            for rid, record in self.items(f"records/{source}").items():
                if rid == record_id:
                    continue
                values = record.get("values", {}).get(attr.slug, [])
                if any(v.get("target_record_id") == record_id for v in values):
                    found.referrers.append((source, attr.slug, record))
        return found


__all__ = [  # the owner-only helpers live in cleanup.files; named here too for the modules that import them
    "DIR_MODE",
    "FILE_MODE",
    "BackupError",
    "BackupView",
    "private_dir",
    "read_backup",
    "write_backup",
    "write_private",
]

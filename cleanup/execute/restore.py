"""Restore: put back what a run deleted, from its backup.

>>> report = restore(run_id, client)  # doctest: +SKIP

So far: deleted notes are created again with their title, markdown content and original ``created_at``
(a note recreated by the run is put back the same way and its replacement removed), and deleted list
entries are added again with their entry values. What cannot be put back exactly is said per item: new
ids, and a note's author, which becomes the restoring API token. Deleted and merged records are not
restored yet. Restoring is journalled too (``restore.sqlite``): running it again does nothing twice.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import orjson
import polars as pl

from ..actions import Action
from ..client import AsyncAttioClient, AttioClient
from ..client.errors import ApiError, NotFoundError
from ..export import pages
from ..values import AttributeType, encode_cell
from ..values.notes import note_content
from ..values.types import READ_ONLY_TYPES
from .backup import read_backup
from .journal import FINISHED, Journal, Status
from .run import Run, RunError, backup_root

RESTORABLE = frozenset({Action.DELETE_NOTE, Action.RECREATE_NOTE, Action.DELETE_ENTRY})


def restore(run_id: str, client: AttioClient, *, root: Path | None = None) -> pl.DataFrame:
    """Put back what run ``run_id`` deleted; returns one row per action: restored, not_restorable or failed."""
    return client.run(restore_async(run_id, client.aio, root=root))


async def restore_async(run_id: str, client: AsyncAttioClient, *, root: Path | None = None) -> pl.DataFrame:
    run = Run.open(run_id, root=root)
    journal = Journal(run.folder / "restore.sqlite")
    try:
        done = {a for a, step, status, _, _ in run.journal.rows() if status == Status.DONE and step != "read"}
        rows = [r for r in run.rows.to_dicts() if r["action_id"] in done]
        journal.plan([(r["action_id"], "restore") for r in rows])
        out = []
        for row in rows:
            out.append(await _restore_one(client, run, journal, row))
        return pl.DataFrame(
            out,
            schema={
                "action_id": pl.String,
                "action": pl.String,
                "target_id": pl.String,
                "status": pl.String,
                "restored_id": pl.String,
                "detail": pl.String,
            },
            orient="row",
        )
    finally:
        journal.close()
        run.close()


async def _restore_one(
    client: AsyncAttioClient, run: Run, journal: Journal, row: dict[str, Any]
) -> tuple[Any, ...]:
    action = Action(row["action"])
    key = (row["action_id"], row["action"], row["target_id"])
    if action not in RESTORABLE:
        return (*key, "not_restorable", None, f"restoring {action.value} is not built yet")
    status, created, detail = journal.state(row["action_id"], "restore")
    if status in FINISHED:
        shown = {Status.DONE: "restored", Status.SKIPPED: "not_restorable"}.get(status, status.value)
        return (*key, shown, created, detail)
    raws = dict(read_backup(run.folder / "backup", row["part"]).rows())
    raw = raws.get(row["target_id"])
    if raw is None:
        journal.mark(row["action_id"], "restore", Status.FAILED, detail="not in the backup")
        return (*key, "failed", None, "not in the backup")
    journal.mark(row["action_id"], "restore", Status.SENT)
    try:
        if action == Action.DELETE_ENTRY:
            restored = await _restore_entry(client, run, row, raw)
            detail = "a new entry id; entry values put back"
        else:
            restored = await _restore_note(client, run, row, raw)
            detail = "a new note id; its author is now the restoring API token"
    except ApiError as error:
        if action == Action.DELETE_ENTRY and error.code == "value_not_found":
            why = "its parent record no longer exists, so Attio cannot hold the entry (the backup keeps it)"
            journal.mark(row["action_id"], "restore", Status.SKIPPED, detail=why)
            return (*key, "not_restorable", None, why)
        journal.mark(row["action_id"], "restore", Status.FAILED, detail=str(error))
        return (*key, "failed", None, str(error))
    journal.mark(row["action_id"], "restore", Status.DONE, created_id=restored, detail=detail)
    return (*key, "restored", restored, detail)


async def _restore_note(client: AsyncAttioClient, run: Run, row: dict[str, Any], raw: str) -> str:
    note = orjson.loads(raw)
    if Action(row["action"]) == Action.RECREATE_NOTE:  # remove the replacement the run made
        _, replacement, _ = run.journal.state(row["action_id"], "create")
        if replacement:
            with contextlib.suppress(NotFoundError):
                await client.delete(f"/v2/notes/{replacement}")
    form, content = note_content(note.get("content_markdown"), note.get("content_plaintext"))
    body = {
        "parent_object": note["parent_object"],
        "parent_record_id": note["parent_record_id"],
        "title": note.get("title") or "",
        "format": form,
        "content": content,
        "created_at": note["created_at"],
    }
    made = await client.post("/v2/notes", {"data": body})
    return str(made["data"]["id"]["note_id"])


async def _restore_entry(client: AsyncAttioClient, run: Run, row: dict[str, Any], raw: str) -> str:
    entry = orjson.loads(raw)
    attributes = run.meta.get("list_attributes", {}).get(row["list"])
    if attributes is None:
        raise RunError(f"run {run.run_id} did not record the attributes of list {row['list']}")
    writable = [
        AttributeType(slug, info["type"], info["multiselect"])
        for slug, info in attributes.items()
        if info["writable"] and info["type"] not in READ_ONLY_TYPES
    ]
    page = orjson.dumps({"data": [entry]})
    flat = pages.flatten_entries(pages.parse_items(page, pages.entry_schema(writable)), writable)
    values = {
        attr.slug: encode_cell(attr, flat[attr.slug][0])
        for attr in writable
        if flat[attr.slug][0] is not None and flat[attr.slug][0] != []
    }
    body = {
        "parent_record_id": entry["parent_record_id"],
        "parent_object": entry["parent_object"],
        "entry_values": values,
    }
    made = await client.post(f"/v2/lists/{row['list']}/entries", {"data": body})
    return str(made["data"]["id"]["entry_id"])


__all__ = ["backup_root", "restore", "restore_async"]

"""Seed the sandbox from a snapshot, keeping every id, so a cleanup can be rehearsed on a copy.

Objects, attributes (with options and statuses), lists, records, entries, notes (with their
``created_at`` and ``created_by_actor``), tasks and members are loaded from the snapshot's manifest and
the raw JSON kept beside each row. Tokens are new: a ``primary`` and a ``readonly`` one.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import orjson
import polars as pl

from ...export.snapshot import Snapshot
from ..clock import new_id, now_ts
from ..model import (
    READ_ONLY_SCOPES,
    Attribute,
    Container,
    ListDef,
    Member,
    Note,
    ObjectDef,
    Record,
    SelectOption,
    Status,
    Task,
    Token,
)
from ..workspace import Workspace

JSON = dict[str, Any]


def _attribute(info: JSON, kind: str, parent_id: str, order: int) -> Attribute:
    config = info.get("config") or {}
    currency = config.get("currency") or {}
    reference = config.get("record_reference") or {}
    relationship = info.get("relationship") or {}
    rel_id = (relationship.get("id") or {}) if relationship else {}
    return Attribute(
        id=info["id"],
        parent_kind=kind,
        parent_id=parent_id,
        api_slug=info["slug"],
        title=info["title"],
        type=info["type"],
        created_at=now_ts(),
        is_system_attribute=info["is_system"],
        is_writable=info["is_writable"],
        is_required=info["is_required"],
        is_unique=info["is_unique"],
        is_multiselect=info["is_multiselect"],
        relationship_id=rel_id.get("attribute_id"),
        relationship_object_id=rel_id.get("object_id"),
        currency_code=currency.get("default_currency_code"),
        currency_display=currency.get("display_type"),
        allowed_object_ids=reference.get("allowed_object_ids"),
        options=[SelectOption(o["id"], o["title"], o["is_archived"]) for o in info.get("options", [])],
        statuses=[Status(s["id"], s["title"], s["is_archived"]) for s in info.get("statuses", [])],
        order=order,
    )


def _raw(snapshot: Snapshot, part: str) -> list[JSON]:
    if part not in snapshot.parts:
        return []
    frame = pl.scan_parquet(snapshot.path / f"{part}.parquet", glob=False).select("_raw").collect()
    return [orjson.loads(raw) for raw in frame["_raw"]]


def _values(ws: Workspace, parent_id: str, values: JSON) -> dict[str, list[JSON]]:
    by_slug = {a.api_slug: a.id for a in ws.attributes_of(parent_id, archived=True)}
    return {by_slug[slug]: items for slug, items in values.items() if slug in by_slug and items}


def seed_from_snapshot(ws: Workspace, folder: Path) -> dict[str, Token]:
    """Load the snapshot at ``folder`` into an empty workspace; returns the new sandbox tokens."""
    snapshot = Snapshot.load(folder, require_complete=True)
    schema = snapshot.manifest["schema"]
    ws.id, ws.name, ws.slug = schema["workspace_id"], schema["workspace_name"], schema["workspace_slug"]
    ws.store.put("meta", "workspace", "workspace", {"id": ws.id, "name": ws.name, "slug": ws.slug})
    created = now_ts()
    for slug, info in schema["objects"].items():
        ws.objects[info["id"]] = ObjectDef(
            info["id"], slug, info["singular_noun"], info["plural_noun"], created
        )
        ws.records[info["id"]] = Container()
        ws.store.put("meta", "object", info["id"], orjson.dumps(ws.objects[info["id"]]))
    for info in schema["objects"].values():
        for order, attr in enumerate(info["attributes"]):
            ws.add_attribute(_attribute(attr, "objects", info["id"], order))
    for member in _raw(snapshot, "members"):
        ws.add_member(
            Member(
                member["id"]["workspace_member_id"],
                member["first_name"],
                member["last_name"],
                member["email_address"],
                member["access_level"],
                member["created_at"],
                member.get("avatar_url"),
            )
        )
    system: JSON = {"type": "system", "id": None}
    for slug, info in schema["lists"].items():
        parent = next(o["id"] for s, o in schema["objects"].items() if s == info["parent_object"])
        li = ListDef(info["id"], slug, info["name"], parent, "full-access", [], system, created)
        ws.lists[li.id] = li
        ws.entries[li.id] = Container()
        ws.store.put("meta", "list", li.id, orjson.dumps(li))
        for order, attr in enumerate(info["attributes"]):
            ws.add_attribute(_attribute(attr, "lists", li.id, order))
    rows: list[tuple[str, str, int, bytes]] = []
    for slug, info in schema["objects"].items():
        for raw in _raw(snapshot, f"records/{slug}"):
            rec = Record(raw["id"]["record_id"], info["id"], raw["created_at"], seq=ws.next_seq())
            rec.values = _values(ws, info["id"], raw["values"])
            ws.records[info["id"]][rec.id] = rec
            ws.index_unique(rec)
            rows.append((rec.id, "record", rec.seq, rec.doc()))
    for slug, info in schema["lists"].items():
        for raw in _raw(snapshot, f"entries/{slug}"):
            entry = Record(
                raw["id"]["entry_id"],
                info["id"],
                raw["created_at"],
                parent_record_id=raw["parent_record_id"],
                parent_object_id=ws.object(raw["parent_object"]).id,
                seq=ws.next_seq(),
            )
            entry.values = _values(ws, info["id"], raw["entry_values"])
            ws.entries[info["id"]][entry.id] = entry
            rows.append((entry.id, "entry", entry.seq, entry.doc()))
    ws.store.put_many("records", rows)
    note_rows = []
    for raw in _raw(snapshot, "notes"):
        note = Note(
            id=raw["id"]["note_id"],
            parent_object_id=ws.object(raw["parent_object"]).id,
            parent_record_id=raw["parent_record_id"],
            title=raw["title"],
            content_plaintext=raw["content_plaintext"],
            content_markdown=raw["content_markdown"],
            created_by_actor=raw["created_by_actor"],
            created_at=raw["created_at"],
            meeting_id=raw.get("meeting_id"),
            tags=raw.get("tags") or [],
            seq=ws.next_seq(),
        )
        ws.notes[note.id] = note
        note_rows.append((note.id, "note", note.seq, orjson.dumps(note)))
    ws.store.put_many("notes", note_rows)
    task_rows = []
    for raw in _raw(snapshot, "tasks"):
        task = Task(
            id=raw["id"]["task_id"],
            content_plaintext=raw["content_plaintext"],
            deadline_at=raw["deadline_at"],
            is_completed=raw["is_completed"],
            linked_records=raw["linked_records"],
            assignees=raw["assignees"],
            created_by_actor=raw["created_by_actor"],
            created_at=raw["created_at"],
            completed_at=raw.get("completed_at"),
            seq=ws.next_seq(),
        )
        ws.tasks[task.id] = task
        task_rows.append((task.id, "task", task.seq, orjson.dumps(task)))
    ws.store.put_many("tasks", task_rows)
    admin = next((m.id for m in ws.members.values() if m.access_level == "admin"), None)
    tokens = {
        "primary": Token(new_id(), secrets.token_hex(32), "primary", member_id=admin),
        "readonly": Token(new_id(), secrets.token_hex(32), "readonly", READ_ONLY_SCOPES, admin),
    }
    for token in tokens.values():
        ws.add_token(token)
    ws.commit()
    return tokens

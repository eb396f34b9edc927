"""Cells that name records of another object (record-reference attributes: a person's ``company``, a deal's
``associated_company``), looked up once the workspace and the import's own rows are known.

A name is looked for, in order:

1. among the rows of the same import that make records of the target object (Affinity: by the source id,
   then by the exact name in the export): a record that already exists is referenced by its id; one this
   run creates is referenced by its source id (Attio looks the record up when the value is written), and
   the row waits for the row that creates it (``depends_on``);
2. among the target object's records in the snapshot: by record id, by a unique value (a domain, an email,
   a source id), then by exact name (case and spacing aside).

Nothing is guessed: a name that matches no record, or several, and several names for a single-valued
attribute, are left out of the row and said in words, for a reviewer to settle (a finding).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from ..export.schema import AttributeInfo, ObjectInfo, WorkspaceSchema
from ..export.snapshot import Snapshot
from .coerce import CoerceError, Reference, domain_of

JSON = dict[str, Any]
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def name_key(text: str) -> str:
    """A record name as names are compared: lower case, spacing collapsed."""
    return " ".join(text.lower().split())


@dataclass(frozen=True)
class Target:
    """Where a name leads: an Attio record, or the import row that creates it (``action_id``), which is
    referenced by a unique value it writes (``match``) until it exists."""

    object: str
    record_id: str | None = None
    action_id: str | None = None
    match: tuple[str, str] | None = None

    def write_value(self) -> JSON:
        if self.record_id is not None:
            return {"target_object": self.object, "target_record_id": self.record_id}
        assert self.match is not None
        slug, value = self.match
        return {"target_object": self.object, slug: [value]}


@dataclass
class ImportedRecords:
    """The records an import's rows make or update, for one target object: by source id and by name."""

    by_key: dict[str, Target] = field(default_factory=dict)
    by_name: dict[str, list[Target]] = field(default_factory=dict)

    def add(self, key: str, name: str | None, target: Target) -> None:
        self.by_key[key] = target
        if name and name.strip():
            self.by_name.setdefault(name_key(name), []).append(target)


class RecordIndex:
    """The records of one object in a snapshot, found by record id, unique value or exact name."""

    def __init__(self, snapshot: Snapshot, info: ObjectInfo) -> None:
        self.ids: set[str] = set()
        self.by_name: dict[str, list[str]] = {}
        self.holders: dict[str, dict[str, str]] = {}  # unique attribute → value (lower case) → record
        self.uniques = [a for a in info.attributes if a.is_unique and a.slug != "record_id"]
        part = f"records/{info.slug}"
        if part not in snapshot.parts:
            return
        frame = snapshot.records(info.slug)
        columns = set(frame.collect_schema().names())
        self.ids = set(frame.select("_id").collect()["_id"].to_list())
        name = next((a for a in info.attributes if a.slug == "name"), None)
        if name is not None and name.type in ("text", "personal-name") and "name" in columns:
            text = (
                pl.col("name").struct.field("full_name") if name.type == "personal-name" else pl.col("name")
            )
            if name.is_multiselect:
                text = text.list.first()
            names = (
                frame.select(
                    "_id", key=text.str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()
                )
                .drop_nulls("key")
                .group_by("key")
                .agg("_id")
                .collect()
            )
            self.by_name = dict(zip(names["key"].to_list(), names["_id"].to_list(), strict=True))
        for attr in self.uniques:
            if attr.slug not in columns or attr.type not in ("text", "domain", "email-address"):
                continue
            cells = frame.select("_id", pl.col(attr.slug).alias("value"))
            if attr.is_multiselect:
                cells = cells.explode("value")
            pairs = cells.drop_nulls("value").select("_id", pl.col("value").str.to_lowercase()).collect()
            self.holders[attr.slug] = dict(zip(pairs["value"].to_list(), pairs["_id"].to_list(), strict=True))

    def find(self, text: str) -> list[str]:
        """The records ``text`` names: by record id, else by a unique value, else by exact name."""
        value = text.strip()
        if UUID.fullmatch(value.lower()) and value.lower() in self.ids:
            return [value.lower()]
        for attr in self.uniques:
            holder = self.holders.get(attr.slug, {}).get(_unique_key(attr, value) or "")
            if holder is not None:
                return [holder]
        return list(self.by_name.get(name_key(value), []))


def _unique_key(attr: AttributeInfo, text: str) -> str | None:
    if attr.type == "domain":
        try:
            return domain_of(text)
        except CoerceError:
            return None
    if attr.type == "email-address":
        return text.lower() if "@" in text else None
    return text.lower()


class ReferenceResolver:
    """Turns the :class:`Reference` cells of a row into write values (see the module's docstring)."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.schema: WorkspaceSchema = snapshot.schema
        self.slugs = {info.id: slug for slug, info in self.schema.objects.items()}
        self.imported: dict[str, ImportedRecords] = {}
        self._indexes: dict[str, RecordIndex] = {}

    def imported_for(self, object_slug: str) -> ImportedRecords:
        """The import's own records of ``object_slug`` (filled by the importer as it builds rows)."""
        return self.imported.setdefault(object_slug, ImportedRecords())

    def resolve(
        self,
        values: JSON,
        attributes: dict[str, AttributeInfo],
        column_of: dict[str, str],
        *,
        unmatched_held: bool = True,
    ) -> Resolved:
        """Replace each :class:`Reference` in ``values`` by its write value, in place; what cannot be settled
        is left out and said in ``held``. ``column_of``: attribute slug → the column it came from (for words).
        With ``unmatched_held=False`` a name that matches no record is said in ``unmatched`` instead (the row
        goes on without the link), by attribute slug."""
        out = Resolved()
        for slug in [s for s, v in values.items() if _is_reference(v)]:
            attr = attributes[slug]
            cell = values.pop(slug)
            references = cell if isinstance(cell, list) else [cell]
            names = [(ref, name) for ref in references for name in ref.names]
            where = f"{column_of.get(slug, slug)} → {slug}"
            if not attr.is_multiselect and len(names) > 1:
                shown = "; ".join(name for _, name in names)
                out.held.append(
                    f"{where}: names {len(names)} records ({shown}) but {slug} holds one; set it in Attio"
                )
                continue
            found: list[JSON] = []
            for ref, name in names:
                target, problem, nothing = self._target(ref, name)
                if target is None and nothing and not unmatched_held:
                    out.unmatched.setdefault(slug, []).append(f"{where}: {problem}")
                    continue
                if target is None:
                    out.held.append(f"{where}: {problem}")
                    continue
                if target.action_id is not None:
                    out.depends_on.append(target.action_id)
                value = target.write_value()
                if value not in found:
                    found.append(value)
            if found:
                values[slug] = found if attr.is_multiselect else found[0]
        out.depends_on = list(dict.fromkeys(out.depends_on))
        return out

    def _target(self, ref: Reference, name: str) -> tuple[Target | None, str, bool]:
        """The record ``name`` leads to, else why not (and whether it is because nothing matched)."""
        objects = [self.slugs[i] for i in ref.object_ids if i in self.slugs] or list(self.schema.objects)
        found: list[Target] = []
        for slug in objects:
            found += self._in_import(slug, name) or self._in_workspace(slug, name)
        unique = list(dict.fromkeys(found))
        if not unique:
            return (
                None,
                f"{name!r} names no {' or '.join(objects)} record (by id, domain, email or name)",
                True,
            )
        if len(unique) > 1:
            shown = ", ".join(t.record_id or t.action_id or "?" for t in unique[:3])
            return None, f"{name!r} names {len(unique)} records ({shown}); say which in Attio", False
        return unique[0], "", False

    def _in_import(self, object_slug: str, name: str) -> list[Target]:
        rows = self.imported.get(object_slug)
        if rows is None:
            return []
        if name in rows.by_key:
            return [rows.by_key[name]]
        return list(rows.by_name.get(name_key(name), []))

    def _in_workspace(self, object_slug: str, name: str) -> list[Target]:
        if object_slug not in self._indexes:
            self._indexes[object_slug] = RecordIndex(self.snapshot, self.schema.objects[object_slug])
        return [Target(object_slug, record_id=r) for r in self._indexes[object_slug].find(name)]


@dataclass
class Resolved:
    """What resolving a row's references left out (in words) and the rows it must wait for."""

    held: list[str] = field(default_factory=list)
    depends_on: list[str] = field(default_factory=list)
    unmatched: dict[str, list[str]] = field(default_factory=dict)  # slug → names matching no record, in words


def _is_reference(value: Any) -> bool:
    return isinstance(value, Reference) or (
        isinstance(value, list) and bool(value) and isinstance(value[0], Reference)
    )


def _waits_for(row: JSON) -> list[str]:
    """The rows a row cannot go without: the records its references name (``depends_on``) and the record a
    note or an entry hangs on (``parent_action``)."""
    payload = row.get("payload") or {}
    parent = [payload["parent_action"]] if payload.get("parent_action") else []
    return [*(payload.get("depends_on") or []), *parent]


def hold_dependents(rows: list[JSON]) -> None:
    """Leave for review every approved row that waits for a row left for review (a reference to the record
    it makes, or a note or entry on it), and say so in its reason: approving both runs them in order."""
    pending = {row["action_id"] for row in rows if row["decision"] == "pending"}
    waiting = [row for row in rows if _waits_for(row)]
    changed = True
    while changed:
        changed = False
        for row in waiting:
            held = [a for a in _waits_for(row) if a in pending]
            if row["decision"] != "pending" and held:
                row["decision"] = "pending"
                row["reason"] += f"; waits for {', '.join(held)}, which is left for review"
                pending.add(row["action_id"])
                changed = True


def referenced_objects(
    schema: WorkspaceSchema, attributes: list[AttributeInfo], columns: dict[str, list[str]]
) -> set[str]:
    """The objects the record-reference attributes among ``columns``' targets point at (to be read with
    the workspace, so names can be looked up)."""
    slugs = {info.id: slug for slug, info in schema.objects.items()}
    mapped = {slug for targets in columns.values() for slug in targets}
    out: set[str] = set()
    for attr in attributes:
        if attr.slug in mapped and attr.type == "record-reference":
            allowed = (attr.config.get("record_reference") or {}).get("allowed_object_ids") or []
            out |= {slugs[i] for i in allowed if i in slugs} if allowed else set(schema.objects)
    return out

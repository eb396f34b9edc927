"""One import from start to end: check the inputs, make sure the source-id attributes exist, take a fresh
snapshot of what the import touches, build the action table, and (when told to) apply it through the
executor like any cleanup.

>>> prepared = prepare_affinity(client, mapping, "exports/", "notes.json", "imports/2026-11-24")  # doctest: +SKIP
>>> prepared.result.table.summary()                # what it would do
>>> report = prepared.plan().apply(client)         # doctest: +SKIP
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..client import AttioClient
from ..client.errors import ApiError
from ..execute import Plan
from ..export import export
from ..export.schema import WorkspaceSchema, fetch_schema
from ..export.snapshot import Snapshot
from .affinity import AffinityImporter, ImportResult
from .csv import CsvSpec, build_csv_import
from .mapping import Mapping
from .reading import read_csv
from .references import referenced_objects

ID_DESCRIPTION = "The record's id in the system it was imported from (set by attio-cleanup imports)."


@dataclass
class Prepared:
    """An import ready to review and apply: its action table, the snapshot it was built against, and the
    source-id attributes still to be created (a dry run creates none)."""

    result: ImportResult
    snapshot: Snapshot
    missing_attributes: list[str]

    def plan(self, max_deletes: int = 0) -> Plan:
        """The executor's plan of the approved rows (an import deletes nothing)."""
        return Plan(self.result.table, self.snapshot, max_deletes=max_deletes)


def missing_id_attributes(mapping: Mapping, schema: WorkspaceSchema) -> list[tuple[str, str]]:
    """(``objects`` or ``lists``, slug) of each object and list the mapping writes that lacks the id
    attribute."""
    missing = []
    for slug in dict.fromkeys(m.object for m in mapping.objects.values()):
        info = schema.objects.get(slug)
        if info is not None and mapping.id_attribute not in {a.slug for a in info.attributes}:
            missing.append(("objects", slug))
    for slug in dict.fromkeys(m.list_slug for m in mapping.lists.values()):
        li = schema.lists.get(slug)
        if li is not None and mapping.id_attribute not in {a.slug for a in li.attributes}:
            missing.append(("lists", slug))
    return missing


def create_id_attributes(client: AttioClient, mapping: Mapping, missing: list[tuple[str, str]]) -> None:
    """Create the source-id attribute: unique text on objects (what records are asserted on), text on lists.
    ``config`` is sent even though empty: Attio answers 400 without it."""
    for target, slug in missing:
        body: dict[str, Any] = {
            "data": {
                "title": "Affinity ID" if mapping.id_attribute.startswith("affinity") else "Source ID",
                "description": ID_DESCRIPTION,
                "api_slug": mapping.id_attribute,
                "type": "text",
                "is_required": False,
                "is_unique": target == "objects",
                "is_multiselect": False,
                "config": {},
            }
        }
        try:
            client.post(f"/v2/{target}/{slug}/attributes", body)
        except ApiError as error:
            if error.code != "slug_conflict":  # made meanwhile (a re-run): fine
                raise


def prepare_affinity(
    client: AttioClient,
    mapping: Mapping,
    exports: str | Path,
    notes: str | Path | list[str | Path] | None,
    folder: str | Path,
    *,
    create_attributes: bool = False,
) -> Prepared:
    """Check the inputs (before any request), check the mapping against the live schema, create the
    source-id attributes if asked, snapshot what the import touches, and build the action table."""
    folder = Path(folder)
    probe = AffinityImporter(mapping, exports, _EmptySnapshot(), notes)
    probe.read_inputs()  # file problems end here, before any request
    schema = client.run(fetch_schema(client.aio))
    probe.validate(schema)  # the slugs and every cell, before anything is written or exported
    missing = missing_id_attributes(mapping, schema)
    if missing and create_attributes:
        create_id_attributes(client, mapping, missing)
        missing = []
    objects = {m.object for m in mapping.objects.values()}
    for om in mapping.objects.values():
        objects |= referenced_objects(schema, schema.objects[om.object].attributes, om.columns)
    for lm in mapping.lists.values():
        objects |= referenced_objects(schema, schema.lists[lm.list_slug].attributes, lm.columns)
    lists = sorted({m.list_slug for m in mapping.lists.values()})
    snapshot = export(
        client,
        folder / "snapshot",
        objects=sorted(objects),
        lists=lists,
        notes=bool(notes),
        tasks=False,
        progress=False,
    )
    importer = AffinityImporter(mapping, exports, snapshot, notes, inputs=probe.read_inputs())
    result = importer.build()
    return Prepared(result, snapshot, [f"{target[:-1]} {slug}" for target, slug in missing])


def prepare_csv(client: AttioClient, spec: CsvSpec, folder: str | Path) -> Prepared:
    """Read the file (before any request), check the spec and every cell against the live schema, snapshot
    what the import touches, and build the action table."""
    table = read_csv(spec.path, encoding=spec.encoding)
    schema = client.run(fetch_schema(client.aio))
    build_csv_import(
        replace(spec, reject_file=Path(os.devnull), skip_invalid=True), _EmptySnapshot(schema), table
    )
    build_csv_import(
        replace(spec, skip_invalid=spec.skip_invalid, reject_file=Path(os.devnull)),
        _EmptySnapshot(schema),
        table,
    )
    objects = {spec.object} | referenced_objects(schema, schema.objects[spec.object].attributes, spec.columns)
    if spec.list_slug:
        list_attributes = schema.lists[spec.list_slug].attributes
        objects |= referenced_objects(schema, list_attributes, spec.entry_columns)
    snapshot = export(
        client,
        Path(folder) / "snapshot",
        objects=sorted(objects),
        lists=[spec.list_slug] if spec.list_slug else [],
        notes=spec.note is not None,
        tasks=False,
        progress=False,
    )
    return Prepared(build_csv_import(spec, snapshot, table), snapshot, [])


class _EmptySnapshot(Snapshot):
    """Stands in for the workspace while only the files (and the schema) are checked."""

    def __init__(self, schema: WorkspaceSchema | None = None) -> None:
        shape = schema.to_json() if schema is not None else _EMPTY_SCHEMA
        super().__init__(Path("."), {"parts": {}, "schema": shape})


_EMPTY_SCHEMA = {"workspace_id": "", "workspace_name": "", "workspace_slug": "", "objects": {}, "lists": {}}


def imported_counts(client: AttioClient, mapping: Mapping) -> dict[str, int]:
    """What Attio holds from the source, counted on Attio's side: records and entries carrying a source id."""
    condition = {"filter": {mapping.id_attribute: {"$not_empty": True}}}
    counts = {}
    for om in mapping.objects.values():
        items = client.run(
            client.aio.all_items(
                "POST", f"/v2/objects/{om.object}/records/query", page_size=500, body=condition
            )
        )
        counts[om.name] = len(items)
    for lm in mapping.lists.values():
        items = client.run(
            client.aio.all_items(
                "POST", f"/v2/lists/{lm.list_slug}/entries/query", page_size=500, body=condition
            )
        )
        counts[f"{lm.name} entries"] = len(items)
    return counts

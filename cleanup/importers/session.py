"""One import from start to end: check the inputs, make sure the source-id attributes exist, take a fresh
snapshot of what the import touches, build the action table, and (when told to) apply it through the
executor like any cleanup.

>>> prepared = prepare_affinity(client, mapping, "exports/", "notes.json", "imports/2026-11-24")  # doctest: +SKIP
>>> prepared.result.table.summary()                # what it would do
>>> report = prepared.plan().apply(client)         # doctest: +SKIP
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from ..actions import ActionTable
from ..actions.schema import SCHEMA_ACTIONS
from ..actions.schema_rows import attribute_row, describe, list_row, option_row, planned_schema
from ..client import AttioClient, endpoints
from ..execute import Plan, Run, RunReport
from ..execute.backup import write_private
from ..execute.report import ACCOUNTING, ITEMS
from ..export import export
from ..export.schema import WorkspaceSchema, fetch_schema
from ..export.snapshot import Snapshot
from .affinity import RECIPE, AffinityImporter, ImportResult
from .csv import CsvSpec, build_csv_import
from .mapping import ListMapping, Mapping, ObjectMapping, combined
from .reading import CsvTable, read_csv
from .references import referenced_objects
from .rows import records_frame

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

JSON = dict[str, Any]

ID_DESCRIPTION = "The record's id in the system it was imported from (set by attio-cleanup imports)."


@dataclass
class Prepared:
    """An import ready to review and apply: its action table (the lists, attributes and options it makes
    come first, as rows), the snapshot it was built against and, for an Affinity import, its mapping."""

    result: ImportResult
    snapshot: Snapshot
    mapping: Mapping | None = None

    def plan(self, max_deletes: int = 0) -> Plan:
        """The executor's plan of the approved rows (an import deletes nothing)."""
        return Plan(self.result.table, self.snapshot, max_deletes=max_deletes)

    def apply(self, client: AttioClient, **options: Any) -> RunReport:
        """Apply the approved rows (``options`` as :meth:`Plan.apply`); the run folder keeps the import's
        accounting beside its journal, so the run's report says where every item of the files went."""
        run = Run.start(self.plan())
        try:
            for name, frame in ((ACCOUNTING, self.result.accounting()), (ITEMS, self.result.items_frame())):
                buffer = io.BytesIO()
                frame.write_parquet(buffer)
                write_private(run.folder / name, buffer.getvalue())
            return run.apply(client, **options)
        finally:
            run.close()

    @property
    def schema_changes(self) -> list[str]:
        """What the import makes in the workspace before any record, in words."""
        frame = self.result.table.frame.filter(pl.col("action").is_in([a.value for a in SCHEMA_ACTIONS]))
        schema = planned_schema(self.snapshot.schema, frame.to_dicts())
        return [describe(row, schema) for row in frame.to_dicts()]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """What the import would do (see :class:`~cleanup.importers.summary.ImportPreview`)."""
        from .summary import ImportPreview

        yield ImportPreview(self)


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


def schema_rows(mapping: Mapping, schema: WorkspaceSchema, tables: dict[str, CsvTable]) -> list[JSON]:
    """The rows that make what the import needs and the workspace lacks, in the order they are made: lists
    (``create = "Name"``), the source-id attribute, ``new_attributes``, and (``create_options``) the select
    options and statuses the files hold that the attributes lack."""
    rows: list[JSON] = []
    for lm in mapping.lists.values():
        if lm.list_slug not in schema.lists and lm.create and lm.records in mapping.objects:
            parent = mapping.objects[lm.records].object
            rows.append(list_row(RECIPE, lm.list_slug, lm.create, parent))
    planned = planned_schema(schema, rows)
    title = "Affinity ID" if mapping.id_attribute.startswith("affinity") else "Source ID"
    for target, slug in missing_id_attributes(mapping, planned):
        rows.append(
            attribute_row(
                RECIPE,
                target,
                slug,
                mapping.id_attribute,
                title,
                "text",
                unique=target == "objects",  # what records are asserted on
                description=ID_DESCRIPTION,
            )
        )
    sections: list[tuple[str, str, ObjectMapping | ListMapping]] = [
        *(("objects", om.object, om) for om in mapping.objects.values()),
        *(("lists", lm.list_slug, lm) for lm in mapping.lists.values()),
    ]
    for target, slug, section in sections:
        container = (planned.objects if target == "objects" else planned.lists).get(slug)
        have = {a.slug for a in container.attributes} if container else set()
        for attribute, new in section.new_attributes.items():
            if attribute not in have:
                rows.append(
                    attribute_row(
                        RECIPE, target, slug, attribute, new.title, new.type, multiselect=new.multiselect
                    )
                )
    if mapping.create_options:
        planned = planned_schema(schema, rows)
        for target, slug, section in sections:
            key = f"{'objects' if target == 'objects' else 'lists'}.{section.name}"
            rows += _option_rows(mapping, planned, target, slug, section, tables[key])
    return rows


def _option_rows(
    mapping: Mapping,
    schema: WorkspaceSchema,
    target: str,
    slug: str,
    section: ObjectMapping | ListMapping,
    table: CsvTable,
) -> list[JSON]:
    """Options (statuses) the file's cells name that the select (status) attributes lack, once each."""
    container = (schema.objects if target == "objects" else schema.lists).get(slug)
    if container is None:
        return []
    attributes = {a.slug: a for a in container.attributes}
    table, columns = combined(table, section.columns, section.combine, attributes)
    choices = {
        s: a
        for s, a in attributes.items()
        if a.type in ("select", "status") and any(s in targets for targets in columns.values())
    }
    if not choices:
        return []
    rows = []
    for attribute, info in choices.items():
        have = {
            str(c.get("title")).casefold() for c in (info.options if info.type == "select" else info.statuses)
        }
        named: dict[str, str] = {}  # casefolded → as first written (Attio matches titles as the import does)
        for column in (c for c, targets in columns.items() if attribute in targets):
            for cell in table.frame[column].drop_nulls().unique(maintain_order=True).to_list():
                parts = cell.split(mapping.options.separator) if info.is_multiselect else [cell]
                for part in (p.strip() for p in parts):
                    if part and part.casefold() not in have:
                        named.setdefault(part.casefold(), part)
        named_titles = list(named.values())
        rows += [option_row(RECIPE, target, slug, attribute, title) for title in named_titles]
    return rows


def prepare_affinity(
    client: AttioClient,
    mapping: Mapping,
    exports: str | Path,
    notes: str | Path | list[str | Path] | None,
    folder: str | Path,
    *,
    create_attributes: bool | None = None,
) -> Prepared:
    """Check the inputs (before any request), check the mapping against the live schema (as the import's
    own schema rows leave it), snapshot what the import touches, and build the action table: first the
    rows that make the lists, attributes and options it needs, then the records, entries and notes.

    ``create_attributes`` is gone: what the import makes is planned as rows, applied by the executor."""
    if create_attributes is not None:
        warnings.warn(
            "create_attributes is no longer needed: the import plans the attributes it makes as rows of its "
            "action table, and the executor makes them first; drop the argument",
            DeprecationWarning,
            stacklevel=2,
        )
    folder = Path(folder)
    probe = AffinityImporter(mapping, exports, _EmptySnapshot(), notes)
    inputs = probe.read_inputs()  # file problems end here, before any request
    schema = client.run(fetch_schema(client.aio))
    makes = schema_rows(mapping, schema, inputs.tables)
    planned = planned_schema(schema, makes)
    probe.validate(planned)  # the slugs and every cell, before anything is written or exported
    objects = {m.object for m in mapping.objects.values()}
    for om in mapping.objects.values():
        objects |= referenced_objects(planned, planned.objects[om.object].attributes, om.columns)
    for lm in mapping.lists.values():
        objects |= referenced_objects(planned, planned.lists[lm.list_slug].attributes, lm.columns)
    lists = sorted({m.list_slug for m in mapping.lists.values()} & set(schema.lists))
    snapshot = export(
        client,
        folder / "snapshot",
        objects=sorted(objects),
        lists=lists,
        notes=bool(notes),
        tasks=False,
        progress=False,
    )
    importer = AffinityImporter(mapping, exports, snapshot, notes, inputs=inputs, schema=planned)
    result = importer.build()
    result.table = _with_schema_rows(makes, result.table)
    return Prepared(result, snapshot, mapping)


def _with_schema_rows(makes: list[JSON], table: ActionTable) -> ActionTable:
    """The import's table with the rows that make its lists, attributes and options first."""
    if not makes:
        return table
    made = ActionTable.build(records_frame(makes))
    return ActionTable.concat([made, table]) if len(table) else made


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
    return Prepared(build_csv_import(spec, snapshot, table), snapshot)


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
                "POST", endpoints.records_query(om.object), page_size=endpoints.RECORDS_PAGE, body=condition
            )
        )
        counts[om.name] = len(items)
    for lm in mapping.lists.values():
        items = client.run(
            client.aio.all_items(
                "POST",
                endpoints.entries_query(lm.list_slug),
                page_size=endpoints.ENTRIES_PAGE,
                body=condition,
            )
        )
        counts[f"{lm.name} entries"] = len(items)
    return counts

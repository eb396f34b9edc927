"""Affinity → Attio: organization, person and list exports (CSV) and notes (API v1 or v2 JSON) become an
action table that the executor applies like any cleanup — planned, backed up, journalled — and that can be
run ten times with the workspace looking as if it ran once.

* Identity: every imported record keeps its Affinity id in a unique text attribute (``id_attribute``,
  created if missing) and is asserted on it, never blindly created; list entries keep their Affinity row id
  in a list attribute of the same name. A row whose values are already in Attio makes no action at all.
* Collisions: a domain or email another Attio record already holds (or an earlier row of the file claimed)
  is left out of the row, which is left ``pending`` with the reason — a finding to review, not a failure.
* Values Attio would refuse (an owner who is not a workspace member, an archived option or status) are left
  out the same way, the rest of the row kept (see ``unwritable``); a row whose only change was such a value
  stays ``pending`` too, so the finding is seen.
* References: a column mapped to a record-reference attribute (a person's "Organizations" → ``company``, an
  opportunity's → ``associated_company``) names records by Affinity id or exact name, in the export or
  already in Attio (see ``references``); a row naming a record this run creates waits for it.
* Internal persons (whose email is a workspace member's) are not imported as people; they name note authors.
* Notes: one Affinity note becomes one Attio note per directly tagged record (or one, on the first, with
  ``note_parent = "first"``); HTML becomes Markdown; ``created_at`` is kept in UTC; the author and the
  source are named in a last line — ``From Affinity note <id> by <author>`` — which is also how a later run
  finds the note again and creates nothing (the export's format and each note's body:
  :mod:`cleanup.affinity_notes`).
* Replies (a v1 note with ``parent_id``, a v2 ``user-reply``) carry no records of their own: a reply becomes
  a note on the same record(s) as the note it answers, with its own date, its first line naming what it
  answers — ``Reply to the note of 4 Jun 2019 by Ann Lee: "Had a lunch meeting…"``. A reply whose parent is
  in none of the notes files is refused, with the reason.
* Dates Attio cannot store (before 1970, or in the future) are not quietly changed: the note is left
  ``pending`` with the real date and the fix in its reason; approved, it is dated 1 Jan 1970 (or now), and
  its source line keeps the real date.
* Every input item is accounted for (:attr:`ImportResult.accounting`), per file and kind:
  read = imported + already there + pending + refused + skipped, each refusal and skip with its reason.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from ..actions import ActionTable
from ..actions.fingerprint import fingerprint
from ..affinity_notes import MARKER, AffinityNote, load_all_notes, note_body
from ..errors import ImportInputError
from ..execute.writable import Writable
from ..export.schema import AttributeInfo, ListInfo, ObjectInfo, WorkspaceSchema
from ..export.snapshot import Snapshot
from ..values.notes import same_text
from .mapping import ListMapping, Mapping, ObjectMapping, combined
from .reading import CsvTable, encoding_setting, read_csv
from .references import ReferenceResolver, Target, hold_dependents
from .rows import (
    Coerced,
    Existing,
    changes,
    coerce,
    hold_back_collisions,
    members_of,
    records_frame,
    repeated_keys,
    review,
)
from .unwritable import hold_back_unwritable

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

JSON = dict[str, Any]
RECIPE = "affinity_import"
ENTITY_SECTIONS = {"organization": "organizations", "person": "persons", "opportunity": "opportunities"}


@dataclass(frozen=True)
class AffinityInputs:
    """Every file of an import, read and checked: the CSV exports (by mapping section) and the notes."""

    tables: dict[str, CsvTable]
    notes: list[AffinityNote]


class Outcome(StrEnum):
    """What became of one input item (a row, a note)."""

    IMPORTED = "imported"  # approved rows write it
    ALREADY = "already there"  # Attio holds it as it is: nothing to write
    PENDING = "pending"  # its rows wait for a reviewer's decision (the reason says why and the fix)
    REFUSED = "refused"  # it cannot be imported as it stands (the reason says why)
    SKIPPED = "skipped"  # left out on purpose (the reason says why)


OUTCOMES = [o.value for o in Outcome]


@dataclass(frozen=True)
class Item:
    """One input item and its outcome."""

    file: str
    kind: str  # organizations, pipeline entries, notes...
    key: str  # its Affinity id (row id for list entries)
    outcome: Outcome
    reason: str = ""


@dataclass
class ImportResult:
    """The action table of an import, what the source holds, and what could not be imported (and why).

    ``read``: (file, kind) → items read; ``items``: what became of each one (see :meth:`accounting`)."""

    table: ActionTable
    source_counts: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    not_imported: list[str] = field(default_factory=list)
    read: dict[tuple[str, str], int] = field(default_factory=dict)
    items: list[Item] = field(default_factory=list)
    encodings: dict[str, str] = field(default_factory=dict)  # file → how it was read, when not plain UTF-8

    def accounting(self) -> pl.DataFrame:
        """One row per file and kind: ``read`` and how many were imported, already there, pending, refused
        and skipped; ``balanced`` is true when those add up to ``read`` (they always should)."""
        counts = Counter((i.file, i.kind, i.outcome.value) for i in self.items)
        rows = [
            {"file": file, "kind": kind, "read": n, **{o: counts[(file, kind, o)] for o in OUTCOMES}}
            for (file, kind), n in self.read.items()
        ]
        schema = {"file": pl.String, "kind": pl.String, "read": pl.Int64, **dict.fromkeys(OUTCOMES, pl.Int64)}
        frame = pl.DataFrame(rows, schema=schema)
        return frame.with_columns(balanced=pl.col("read") == pl.sum_horizontal(*OUTCOMES))

    def reasons(self, *outcomes: Outcome) -> list[Item]:
        """The items of these outcomes (each with its reason), in input order."""
        return [i for i in self.items if i.outcome in outcomes]

    def items_frame(self) -> pl.DataFrame:
        """Every item read, one row each: file, kind, key (its id, or ``line N``), outcome and reason."""
        schema = {
            "file": pl.String,
            "kind": pl.String,
            "key": pl.String,
            "outcome": pl.String,
            "reason": pl.String,
        }
        rows = [(i.file, i.kind, i.key, i.outcome.value, i.reason) for i in self.items]
        return pl.DataFrame(rows, schema=schema, orient="row")

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """Every item accounted for, the rows by action and decision, and the alerts (see :mod:`.render`)."""
        from .render import result_lines

        yield from result_lines(self)


# ---------------------------------------------------------------------------------------------- building
@dataclass
class _SourceRow:
    """One row of an [objects.*] section between the two passes (its references not yet looked up)."""

    action_id: str
    source_id: str
    name: str | None
    record_id: str | None
    values: JSON
    held: list[str]


@dataclass
class _Records:
    """One [objects.*] section after building: Affinity id → Attio record id (existing) or action id."""

    mapping: ObjectMapping
    existing: dict[str, str] = field(default_factory=dict)
    created_by: dict[str, str] = field(default_factory=dict)
    source_rows: list[_SourceRow] = field(default_factory=list)
    current: dict[str, JSON] = field(default_factory=dict)
    attributes: dict[str, AttributeInfo] = field(default_factory=dict)
    file: str = ""


@dataclass
class _Tracked:
    """One input item while building: its outcome, or the rows whose decisions give it."""

    file: str
    kind: str
    key: str
    action_ids: list[str] = field(default_factory=list)
    outcome: Outcome | None = None
    reason: str = ""


class AffinityImporter:
    """Builds the action table of an Affinity import against a snapshot of the target workspace."""

    def __init__(
        self,
        mapping: Mapping,
        exports: str | Path,
        snapshot: Snapshot,
        notes: str | Path | list[str | Path] | None = None,
        *,
        inputs: AffinityInputs | None = None,
        schema: WorkspaceSchema | None = None,
    ) -> None:
        """``inputs``: the files as another importer of the same mapping already read them (not read again);
        ``schema``: the workspace's as the import's own schema rows leave it (default: the snapshot's)."""
        self.mapping = mapping
        self.exports = Path(exports)
        self.snapshot = snapshot
        given = notes if isinstance(notes, list) else [notes] if notes else []
        self.notes_paths = [Path(p) for p in given]
        self.schema: WorkspaceSchema = schema or snapshot.schema
        self.rows: list[JSON] = []
        self.result = ImportResult(ActionTable.empty())
        self.records: dict[str, _Records] = {}
        self.member_emails = self._member_emails()
        self.options = replace(mapping.options, members=self._members())
        self.authors: dict[str, str] = {}  # Affinity person id → how a note names its author
        self.members: set[str] = set()  # Affinity person ids that are workspace members
        self.references = ReferenceResolver(snapshot)
        self._inputs = inputs
        self._tracked: list[_Tracked] = []

    def _track(
        self, file: str, kind: str, key: str, outcome: Outcome | None = None, reason: str = "", *ids: str
    ) -> None:
        self._tracked.append(_Tracked(file, kind, key, list(ids), outcome, reason))

    def _account(self) -> None:
        """Each tracked item's outcome, from its rows' final decisions when it has rows."""
        rows = {row["action_id"]: row for row in self.rows}
        items = []
        for t in self._tracked:
            outcome, reason = t.outcome, t.reason
            if outcome is None:
                waiting = [rows[a] for a in t.action_ids if rows[a]["decision"] == "pending"]
                outcome = Outcome.PENDING if waiting else Outcome.IMPORTED
                reason = waiting[0]["reason"] if waiting else ""
            items.append(Item(t.file, t.kind, t.key, outcome, reason))
        self.result.items = items

    def read_inputs(self) -> AffinityInputs:
        """Read every file the mapping names and check ids (present, not repeated; a note in one notes file
        only); raises on any problem. Read once: later calls return the same inputs."""
        if self._inputs is None:
            self._inputs = self._read_inputs()
        return self._inputs

    def _read_inputs(self) -> AffinityInputs:
        tables: dict[str, CsvTable] = {}
        problems: list[str] = []
        sections: list[tuple[str, str, list[str]]] = [
            (f"objects.{m.name}", m.file, [m.id_column]) for m in self.mapping.objects.values()
        ] + [
            (f"lists.{m.name}", m.file, [m.record_id_column, m.row_id_column])
            for m in self.mapping.lists.values()
        ]
        for key, file, id_columns in sections:
            section: ObjectMapping | ListMapping | None = self.mapping.objects.get(
                key.removeprefix("objects.")
            ) or self.mapping.lists.get(key.removeprefix("lists."))
            allowed = section is not None and section.allow_empty
            fix = f"export it again with its rows, or set allow_empty = true in [{key}] to import nothing from it"
            path = self.exports / file
            if path.is_file() and not path.read_bytes().strip():
                if not allowed:
                    problems.append(f"{file}: the file is empty (not even a header); {fix}")
                    continue
                names = [*id_columns, *(section.columns if section is not None else {})]
                schema = {**dict.fromkeys(names, pl.String), "_line": pl.Int64}
                tables[key] = CsvTable(path, pl.DataFrame(schema=schema), "utf-8", ",")
                continue
            try:
                table = read_csv(path, encoding=self.mapping.encoding, how=encoding_setting)
            except ImportInputError as error:
                problems += error.problems
                continue
            if not table.frame.height and not allowed:
                problems.append(f"{file}: has a header but no rows; {fix}")
            tables[key] = table
            columns = section.columns if section is not None else {}
            missing = [c for c in columns if c not in table.frame.columns]
            if missing:
                problems.append(
                    f"{file}: the mapping names column(s) {', '.join(map(repr, missing))}, which the file lacks "
                    f"(it has: {', '.join(table.columns)})"
                )
            for column in id_columns:
                if column not in table.frame.columns:
                    problems.append(
                        f"{file}: no column {column!r} ([{key}]); it has: {', '.join(table.columns)}"
                    )
            if id_columns[-1] in table.frame.columns:
                ids = table.frame[id_columns[-1]].str.strip_chars()
                problems += repeated_keys(table, ids, id_columns[-1])
        notes: list[AffinityNote] = []
        try:
            notes = load_all_notes(self.notes_paths)
        except ImportInputError as error:
            problems += error.problems
        if problems:
            raise ImportInputError(problems)
        return AffinityInputs(tables, notes)

    def validate(self, schema: WorkspaceSchema) -> None:
        """Every mapped cell against the attribute types of ``schema``: raises on any bad cell (before the
        workspace is read, so bad input costs only the schema's requests)."""
        problems = self.mapping.check(schema)
        if problems:
            raise ImportInputError(problems)
        tables = self.read_inputs().tables
        for om in self.mapping.objects.values():
            attributes = {a.slug: a for a in schema.objects[om.object].attributes}
            table, columns = combined(tables[f"objects.{om.name}"], om.columns, om.combine, attributes)
            problems += coerce(table, columns, attributes, self.mapping.options).problems
        for lm in self.mapping.lists.values():
            attributes = {a.slug: a for a in schema.lists[lm.list_slug].attributes}
            table, columns = combined(tables[f"lists.{lm.name}"], lm.columns, lm.combine, attributes)
            problems += coerce(table, columns, attributes, self.mapping.options).problems
        if problems:
            raise ImportInputError(problems)

    def build(self) -> ImportResult:
        """The action table (and counts) of the import; raises :class:`ImportInputError` on bad input."""
        problems = self.mapping.check(self.schema)
        if problems:
            raise ImportInputError(problems)
        inputs = self.read_inputs()
        tables = inputs.tables
        self.result.encodings = {
            t.path.name: t.encoding_note for t in tables.values() if t.encoding_note and t.encoding != "utf-8"
        }
        bad: list[str] = []
        for om in self.mapping.objects.values():
            bad += self._records(om, tables[f"objects.{om.name}"])
        if bad:
            raise ImportInputError(bad)
        for state in self.records.values():
            self._record_rows(state)
        for lm in self.mapping.lists.values():
            bad += self._entries(lm, tables[f"lists.{lm.name}"])
        if bad:
            raise ImportInputError(bad)
        if self.notes_paths:
            self._notes(inputs.notes)
        hold_back_unwritable(self.rows, self.schema, Writable(self.snapshot))
        hold_dependents(self.rows)
        self._account()
        frame = records_frame(self.rows)
        table = ActionTable.build(frame) if frame.height else ActionTable.empty()
        self.result.table = table
        return self.result

    # ------------------------------------------------------------------ records
    def _member_emails(self) -> set[str]:
        return set(self._members())

    def _members(self) -> dict[str, str]:
        return members_of(self.snapshot)

    def _coerced(
        self,
        section: ObjectMapping | ListMapping,
        info: ObjectInfo | ListInfo,
        table: CsvTable,
        *,
        unique: bool,
    ) -> tuple[CsvTable, dict[str, list[str]], dict[str, AttributeInfo], Coerced]:
        """One section's cells as write values: the table and its column mapping as :func:`combined` makes
        them, the attributes by slug (those of ``info``, and the source-id attribute as it will be once
        made: ``unique`` on objects) and what :func:`coerce` made of the cells."""
        attributes = {a.slug: a for a in info.attributes}
        attributes.setdefault(
            self.mapping.id_attribute, _id_attribute(self.mapping.id_attribute, unique=unique)
        )
        table, columns = combined(table, section.columns, section.combine, attributes)
        return table, columns, attributes, coerce(table, columns, attributes, self.options)

    def _records(self, om: ObjectMapping, table: CsvTable) -> list[str]:
        """First pass over one [objects.*] section: cells coerced, each row matched to its record and
        registered as a target other rows' references can name; rows are written by :meth:`_record_rows`."""
        info = self.schema.objects[om.object]
        table, _, attributes, coerced = self._coerced(om, info, table, unique=True)
        if coerced.problems:
            return coerced.problems
        existing = Existing.of(self.snapshot, info, self.mapping.id_attribute)
        state = self.records[om.name] = _Records(
            om, existing=dict(existing.by_identity), file=table.path.name
        )
        ids = [str(v).strip() for v in table.frame[om.id_column].to_list()]
        names = self._names(table, om)
        self.result.source_counts[om.name] = len(ids)
        self.result.read[(table.path.name, om.name)] = len(ids)
        claimed: dict[tuple[str, Any], str] = {}
        uniques = [a for a in info.attributes if a.is_unique and a.slug != self.mapping.id_attribute]
        targets = self.references.imported_for(om.object)
        for source_id, values, name in zip(ids, coerced.values, names, strict=True):
            emails = {
                v["email_address"].lower() for v in values.get("email_addresses", []) if isinstance(v, dict)
            }
            if om.object == "people" and emails & self.member_emails:
                self.members.add(source_id)
                self.authors[source_id] = (
                    f"{name} <{sorted(emails & self.member_emails)[0]}>" if name else sorted(emails)[0]
                )
                why = f"{om.name} {source_id} ({name}) is a workspace member (internal person): not imported as a person"
                self.result.not_imported.append(why)
                self._track(table.path.name, om.name, source_id, Outcome.SKIPPED, why)
                continue
            if name:
                self.authors.setdefault(source_id, f"{name} <{sorted(emails)[0]}>" if emails else name)
            record_id = existing.by_identity.get(source_id)
            held = hold_back_collisions(values, uniques, existing, record_id, claimed, source_id, om.name)
            values[self.mapping.id_attribute] = source_id
            action_id = f"affinity:{om.name}:{source_id}"
            if record_id is None:
                state.created_by[source_id] = action_id
                target = Target(om.object, action_id=action_id, match=(self.mapping.id_attribute, source_id))
            else:
                target = Target(om.object, record_id=record_id)
            targets.add(source_id, name, target)
            state.source_rows.append(_SourceRow(action_id, source_id, name, record_id, values, held))
        state.current = existing.current
        state.attributes = attributes
        return []

    def _record_rows(self, state: _Records) -> None:
        """Second pass: references looked up (every section is registered by now), then the rows that
        change something."""
        om = state.mapping
        column_of = {slug: column for column, slugs in om.columns.items() for slug in slugs}
        unchanged = 0
        for row in state.source_rows:
            resolved = self.references.resolve(row.values, state.attributes, column_of)
            held = row.held + resolved.held
            current = state.current.get(row.record_id) if row.record_id else None
            diff = changes(current, row.values, state.attributes)
            if not diff and not held:
                unchanged += 1
                self._track(state.file, om.name, row.source_id, Outcome.ALREADY)
                continue
            self._track(state.file, om.name, row.source_id, None, "", row.action_id)
            what = "update" if row.record_id else "import"
            decision, told = review(held)
            payload: JSON = {
                "matching_attribute": self.mapping.id_attribute,
                "values": {self.mapping.id_attribute: row.source_id, **diff},
            }
            if resolved.depends_on:
                payload["depends_on"] = resolved.depends_on
            self.rows.append(
                {
                    "action_id": row.action_id,
                    "recipe": RECIPE,
                    "action": "assert_record",
                    "object": om.object,
                    "payload": payload,
                    "reason": f"{what} Affinity {om.name} {row.source_id} ({row.name or 'no name'}){told}",
                    "confidence": 1.0,
                    **decision,
                }
            )
        state.source_rows = []
        self.result.unchanged[om.name] = unchanged

    def _names(self, table: CsvTable, om: ObjectMapping) -> list[str | None]:
        for column in ("Name", "Full Name", "Organization Name", "Opportunity Name"):
            if column in table.frame.columns:
                return table.frame[column].to_list()
        return [None] * table.frame.height

    def _parent(self, section: str, source_id: str) -> JSON | None:
        """How a note or entry names its record: an existing id, or the row that creates it."""
        state = self.records.get(section)
        if state is None:
            return None
        if source_id in state.existing:
            return {"parent_record_id": state.existing[source_id]}
        if source_id in state.created_by:
            return {"parent_action": state.created_by[source_id]}
        return None

    # ------------------------------------------------------------------ list entries
    def _entries(self, lm: ListMapping, table: CsvTable) -> list[str]:
        table, columns, attributes, coerced = self._coerced(
            lm, self.schema.lists[lm.list_slug], table, unique=False
        )
        if coerced.problems:
            return coerced.problems
        current = self._current_entries(lm.list_slug, attributes)
        parent_object = self.mapping.objects[lm.records].object
        row_ids = [str(v).strip() for v in table.frame[lm.row_id_column].to_list()]
        entity_ids = [str(v or "").strip() for v in table.frame[lm.record_id_column].to_list()]
        kind, file = f"{lm.name} entries", table.path.name
        self.result.source_counts[kind] = len(row_ids)
        self.result.read[(file, kind)] = len(row_ids)
        column_of = {slug: column for column, slugs in columns.items() for slug in slugs}
        unchanged = 0
        for row_id, entity_id, values in zip(row_ids, entity_ids, coerced.values, strict=True):
            values[self.mapping.id_attribute] = row_id
            action_id = f"affinity:{lm.name}:{row_id}"
            resolved = self.references.resolve(values, attributes, column_of)
            decision, told = review(resolved.held)
            waits = {"depends_on": resolved.depends_on} if resolved.depends_on else {}
            if row_id in current:
                entry_id, have = current[row_id]
                diff = changes(have, values, attributes)
                if not diff:
                    unchanged += 1
                    self.result.not_imported += [f"{lm.name} row {row_id}: {h}" for h in resolved.held]
                    self._track(file, kind, row_id, Outcome.ALREADY)
                    continue
                self._track(file, kind, row_id, None, "", action_id)
                self.rows.append(
                    {
                        "action_id": action_id,
                        "recipe": RECIPE,
                        "action": "update_entry",
                        "list": lm.list_slug,
                        "target_id": entry_id,
                        "payload": {"entry_values": diff, **waits},
                        "reason": f"update Affinity {lm.name} row {row_id}{told}",
                        "confidence": 1.0,
                        **decision,
                    }
                )
                continue
            parent = self._parent(lm.records, entity_id)
            if parent is None:
                why = f"{lm.name} row {row_id}: {lm.records} {entity_id or '(none)'} is neither in the export nor in Attio"
                self.result.not_imported.append(why)
                self._track(file, kind, row_id, Outcome.REFUSED, why)
                continue
            self._track(file, kind, row_id, None, "", action_id)
            if "parent_action" in parent:  # its record is made in this run: the entry waits for it
                waits = {"depends_on": [*waits.get("depends_on", []), parent["parent_action"]]}
            self.rows.append(
                {
                    "action_id": action_id,
                    "recipe": RECIPE,
                    "action": "create_entry",
                    "list": lm.list_slug,
                    "payload": {"parent_object": parent_object, **parent, "entry_values": values, **waits},
                    "reason": f"import Affinity {lm.name} row {row_id} ({lm.records} {entity_id}){told}",
                    "confidence": 1.0,
                    **decision,
                }
            )
        self.result.unchanged[f"{lm.name} entries"] = unchanged
        return []

    def _current_entries(
        self, list_slug: str, attributes: dict[str, AttributeInfo]
    ) -> dict[str, tuple[str, JSON]]:
        part = f"entries/{list_slug}"
        if part not in self.snapshot.parts:
            return {}
        frame = self.snapshot.entries(list_slug).collect()
        if self.mapping.id_attribute not in frame.columns:
            return {}
        keep = [c for c in frame.columns if c in attributes]
        out = {}
        for row in frame.select("_id", *keep).iter_rows(named=True):
            key = row.get(self.mapping.id_attribute)
            if key is not None:
                out[str(key)] = (row["_id"], row)
        return out

    # ------------------------------------------------------------------ notes
    def _imported_notes(self) -> dict[tuple[str, str], tuple[str, str, str, str]]:
        """Notes already imported, from their source line: (Affinity note id, Attio parent record id) →
        (Attio note id, title, Markdown content, raw JSON)."""
        if "notes" not in self.snapshot.parts:
            return {}
        found = (
            self.snapshot.notes()
            .select(
                "note_id",
                "parent_record_id",
                "title",
                "content_markdown",
                "_raw",
                pl.col("content_plaintext").str.extract_all(MARKER.pattern).alias("m"),
            )
            .explode("m")
            .drop_nulls("m")
            .select(
                pl.col("m").str.extract(r"(\d+)").alias("note"),
                "parent_record_id",
                "note_id",
                pl.col("title").fill_null(""),
                pl.col("content_markdown").fill_null(""),
                "_raw",
            )
            .collect()
        )
        return {
            (n, parent): (note_id, title, text, raw) for n, parent, note_id, title, text, raw in found.rows()
        }

    def _notes(self, notes: list[AffinityNote]) -> None:
        done = self._imported_notes()
        self.result.source_counts["notes"] = len(notes)
        for note in notes:
            key = (note.file, "notes")
            self.result.read[key] = self.result.read.get(key, 0) + 1
        by_id = {n.id: n for n in notes}
        unchanged = 0
        for note in notes:
            parent = by_id.get(note.reply_to) if note.is_reply else None
            if note.is_reply and parent is None:
                why = (
                    f"note {note.id} is a reply to note {note.reply_to}, which is in none of the notes files; "
                    "give the file that holds it with --notes"
                    if note.reply_to
                    else f"note {note.id} is a reply that does not name the note it answers; export the notes "
                    "with API v1, whose replies carry parent_id"
                )
                self.result.not_imported.append(why)
                self._track(note.file, "notes", note.id, Outcome.REFUSED, why)
                continue
            targets, missing, members = self._note_targets(note, parent)
            if not targets:
                skipped = members and not missing
                why = (
                    f"note {note.id} is tagged only to workspace members; Attio keeps no notes on them"
                    if skipped
                    else f"note {note.id} is on no record the import can reach: "
                    + ("; ".join(missing) or "it is tagged to none")
                )
                if not skipped and not missing:
                    self.result.not_imported.append(why)
                self._track(note.file, "notes", note.id, Outcome.SKIPPED if skipped else Outcome.REFUSED, why)
                continue
            title, content, created_at, problem = note_body(note, self.authors, parent)
            made: list[str] = []
            for section, source_id, where in targets:
                there = done.get((note.id, where.get("parent_record_id", "")))
                if there is not None:
                    if not same_text((title, content), there[1:3]):
                        made.append(self._correction(note, section, source_id, there, title, content))
                    continue
                action_id = f"affinity:note:{note.id}:{section}:{source_id}"
                made.append(action_id)
                what = f"import Affinity {'reply' if parent else 'note'} {note.id} onto {section} {source_id}"
                self.rows.append(
                    {
                        "action_id": action_id,
                        "recipe": RECIPE,
                        "action": "create_note",
                        "object": self.mapping.objects[section].object,
                        "payload": {
                            "parent_object": self.mapping.objects[section].object,
                            **where,
                            "title": title,
                            "format": "markdown",
                            "content": content,
                            "created_at": created_at,
                        },
                        "reason": f"{what}; left for review: {problem}" if problem else what,
                        "evidence": problem,
                        "confidence": 1.0,
                        "decision": "pending" if problem else "approve",
                    }
                )
            if made:
                self._track(note.file, "notes", note.id, None, "", *made)
            else:
                unchanged += 1
                self._track(note.file, "notes", note.id, Outcome.ALREADY)
        self.result.unchanged["notes"] = unchanged

    def _correction(
        self,
        note: AffinityNote,
        section: str,
        source_id: str,
        there: tuple[str, str, str, str],
        title: str,
        content: str,
    ) -> str:
        """An ``update_note`` row, left for review: a note imported before whose title or text Attio holds
        otherwise than the export gives. Either the note was edited in Affinity since (then approve: it is
        corrected in place, keeping its id and date) or someone edited it in Attio (then reject: the edit
        stays). Drift-protected: a note changed after the snapshot is left alone."""
        note_id, _, _, raw = there
        action_id = f"affinity:note:{note.id}:{section}:{source_id}:text"
        self.rows.append(
            {
                "action_id": action_id,
                "recipe": RECIPE,
                "action": "update_note",
                "object": self.mapping.objects[section].object,
                "target_id": note_id,
                "payload": {"title": title, "format": "markdown", "content": content},
                "reason": (
                    f"Affinity note {note.id} on {section} {source_id} reads otherwise in Attio than in the "
                    "export: approve to write the export's title and text over it (same note, id and date), "
                    "reject if the note was edited in Attio on purpose"
                ),
                "confidence": 0.9,
                "decision": "pending",
                "fingerprint": fingerprint(raw),
            }
        )
        return action_id

    def _note_targets(
        self, note: AffinityNote, parent: AffinityNote | None
    ) -> tuple[list[tuple[str, str, JSON]], list[str], bool]:
        """(section, Affinity id, how the note names its record) of each record a note (or, for a reply,
        its parent) goes on; the tagged records it cannot reach, said in words (and listed as not
        imported); and whether it was tagged to a workspace member."""
        targets: list[tuple[str, str, JSON]] = []
        missing: list[str] = []
        members = False
        for section, ids in (parent or note).tagged.items():
            for source_id in ids:
                if section == "persons" and source_id in self.members:
                    members = True
                    continue  # an internal person: a workspace member, named as the author instead
                where = self._parent(section, source_id)
                if where is None:
                    why = (
                        f"note {note.id} → {section} {source_id}: not in the export or in Attio"
                        if section in self.records
                        else f"note {note.id} → {section} {source_id}: no [objects.{section}] in the mapping"
                    )
                    self.result.not_imported.append(why)
                    missing.append(why)
                    continue
                targets.append((section, source_id, where))
        if self.mapping.note_parent == "first":
            targets = targets[:1]
        return targets, missing, members


def _id_attribute(slug: str, *, unique: bool) -> AttributeInfo:
    """The source-id attribute as it will be once created (for a dry run before it exists)."""
    return AttributeInfo(slug, "", "Affinity ID", "text", False, unique, False, True, False)

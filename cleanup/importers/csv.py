"""Any CSV into one Attio object: each row asserted on a chosen unique attribute (so a re-run updates
instead of duplicating and writes nothing when nothing changed), optionally an entry per record in a list
and a note per row.

>>> spec = CsvSpec(path, object="companies", match="domains", columns={"Website": ["domains"], "Company": ["name"]})
>>> result = build_csv_import(spec, snapshot)   # doctest: +SKIP

Every cell is validated first: a bad one is reported with its line, column, value and the fix, and the whole
file is refused (nothing written) unless ``skip_invalid`` is set, in which case the rows with bad cells are
left out and written, with the reason, to a reject file.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from ..actions import ActionTable
from ..export.schema import AttributeInfo
from ..export.snapshot import Snapshot
from .affinity import ImportResult
from .coerce import CONVERTERS, CoerceError, Options, clamp_note_date
from .reading import CsvTable, ImportInputError, read_csv
from .references import ReferenceResolver
from .rows import (
    Existing,
    changes,
    coerce,
    hold_back_collisions,
    identity_value,
    members_of,
    records_frame,
    repeated_keys,
    review,
)

RECIPE = "csv_import"
JSON = dict[str, Any]


@dataclass(frozen=True)
class NoteColumns:
    """Which columns make a note on each row's record (``content`` is required for a note)."""

    content: str
    title: str | None = None
    created_at: str | None = None


@dataclass(frozen=True)
class CsvSpec:
    """What to import from one CSV file."""

    path: Path
    object: str
    match: str  # the unique attribute rows are matched on
    columns: dict[str, list[str]]
    list_slug: str | None = None
    entry_columns: dict[str, list[str]] = field(default_factory=dict)
    note: NoteColumns | None = None
    options: Options = field(default_factory=Options)
    encoding: str | None = None
    skip_invalid: bool = False
    reject_file: Path | None = None


def check_spec(spec: CsvSpec, snapshot: Snapshot) -> list[str]:
    """The spec against the workspace's schema: object, list, match attribute and every slug."""
    schema = snapshot.schema
    info = schema.objects.get(spec.object)
    if info is None:
        return [
            f"object {spec.object!r} is not in the workspace (it has {', '.join(sorted(schema.objects))})"
        ]
    attrs = {a.slug: a for a in info.attributes}
    problems = []
    match = attrs.get(spec.match)
    if match is None or not match.is_unique:
        uniques = ", ".join(sorted(a.slug for a in info.attributes if a.is_unique)) or "none"
        problems.append(
            f"--match {spec.match!r} is not a unique attribute of {spec.object} (unique ones: {uniques})"
        )
    elif spec.match not in {s for slugs in spec.columns.values() for s in slugs}:
        problems.append(f"--match {spec.match}: no column is mapped to it; map the column that holds it")
    for column, slugs in spec.columns.items():
        for slug in slugs:
            if slug not in attrs:
                problems.append(f"column {column!r} → {slug!r}: {spec.object} has no such attribute")
            elif not attrs[slug].is_writable:
                problems.append(f"column {column!r} → {slug!r}: Attio does not let the API write it")
    if spec.list_slug is not None:
        li = schema.lists.get(spec.list_slug)
        if li is None:
            problems.append(f"list {spec.list_slug!r} is not in the workspace")
        else:
            if li.parent_object != spec.object:
                problems.append(f"list {spec.list_slug} holds {li.parent_object}, not {spec.object}")
            list_attrs = {a.slug for a in li.attributes}
            problems += [
                f"entry column {c!r} → {s!r}: list {spec.list_slug} has no such attribute"
                for c, slugs in spec.entry_columns.items()
                for s in slugs
                if s not in list_attrs
            ]
    elif spec.entry_columns:
        problems.append("entry columns are mapped but no list is given; add --list")
    return problems


def build_csv_import(spec: CsvSpec, snapshot: Snapshot, table: CsvTable | None = None) -> ImportResult:
    """The action table of one CSV import against ``snapshot`` (raises :class:`ImportInputError`)."""
    table = table or read_csv(spec.path, encoding=spec.encoding)
    problems = check_spec(spec, snapshot)
    wanted = [*spec.columns, *spec.entry_columns, *_note_columns(spec)]
    missing = [c for c in dict.fromkeys(wanted) if c not in table.frame.columns]
    if missing:
        problems.append(
            f"{table.path.name}: no column(s) {', '.join(map(repr, missing))} (it has: {', '.join(table.columns)})"
        )
    if problems:
        raise ImportInputError(problems)
    info = snapshot.schema.objects[spec.object]
    attributes = {a.slug: a for a in info.attributes}
    options = replace(spec.options, members=members_of(snapshot))
    coerced = coerce(table, spec.columns, attributes, options)
    entry_values: list[JSON] = [{} for _ in range(table.frame.height)]
    list_attrs = (
        {a.slug: a for a in snapshot.schema.lists[spec.list_slug].attributes} if spec.list_slug else {}
    )
    if spec.list_slug is not None and spec.entry_columns:
        entries = coerce(table, spec.entry_columns, list_attrs, options)
        coerced.problems += entries.problems
        coerced.bad_lines |= entries.bad_lines
        entry_values = entries.values
    lines = table.frame["_line"].to_list()
    dates = _note_dates(spec, table, coerced)
    keys = [identity_value(v.get(spec.match)) if v.get(spec.match) else None for v in coerced.values]
    for i, key in enumerate(keys):
        if key is None and lines[i] not in coerced.bad_lines:
            coerced.problems.append(
                f"{table.path.name}: line {lines[i]}: no {spec.match} to match the row on; fill it"
            )
            coerced.bad_lines.add(lines[i])
    repeated = repeated_keys(table, keys, spec.match)
    if repeated:
        raise ImportInputError(repeated)
    if coerced.problems and not spec.skip_invalid:
        raise ImportInputError(
            [
                *coerced.problems,
                "fix the cells, or add --skip-invalid to import the other rows and get a reject file",
            ]
        )
    result = ImportResult(ActionTable.empty())
    if coerced.bad_lines:
        _write_rejects(spec, table, coerced.problems, coerced.bad_lines)
        result.not_imported += coerced.problems
    existing = Existing.of(snapshot, info, spec.match)
    uniques = [a for a in info.attributes if a.is_unique and a.slug != spec.match]
    entry_of = _entries_by_parent(snapshot, spec.list_slug) if spec.list_slug else {}
    notes_of = _notes_by_parent(snapshot)
    rows: list[JSON] = []
    claimed: dict[tuple[str, Any], str] = {}
    unchanged = 0
    stem = spec.path.stem
    references = ReferenceResolver(snapshot)
    column_of = {slug: column for column, slugs in spec.columns.items() for slug in slugs}
    entry_column_of = {slug: column for column, slugs in spec.entry_columns.items() for slug in slugs}
    for i, values in enumerate(coerced.values):
        if lines[i] in coerced.bad_lines:
            continue
        key = keys[i]
        assert key is not None
        record_id = existing.by_identity.get(key)
        held = hold_back_collisions(values, uniques, existing, record_id, claimed, key, "the row for")
        held += references.resolve(values, attributes, column_of).held
        entry_held = references.resolve(entry_values[i], list_attrs, entry_column_of).held
        diff = changes(existing.current.get(record_id) if record_id else None, values, attributes)
        record_action = f"csv:{stem}:{spec.object}:{key}"
        parent: JSON | None = {"parent_record_id": record_id} if record_id else None
        if diff or held:
            decision, told = review(held)
            rows.append(
                {
                    "action_id": record_action,
                    "recipe": RECIPE,
                    "action": "assert_record",
                    "object": spec.object,
                    "payload": {
                        "matching_attribute": spec.match,
                        "values": {spec.match: values[spec.match], **diff},
                    },
                    "reason": f"line {lines[i]}: {'update' if record_id else 'import'} {spec.object} {key}{told}",
                    "confidence": 1.0,
                    **decision,
                }
            )
            parent = parent or {"parent_action": record_action}
        else:
            unchanged += 1
        if parent is None:
            continue
        if spec.list_slug is not None:
            rows += _entry_row(
                spec, key, lines[i], parent, record_id, entry_values[i], entry_held, entry_of, list_attrs
            )
        if spec.note is not None:
            rows += _note_row(spec, table, i, key, parent, record_id, dates[i], notes_of)
    result.source_counts[spec.path.name] = table.frame.height
    result.unchanged[spec.path.name] = unchanged
    frame = records_frame(rows)
    result.table = ActionTable.build(frame) if frame.height else ActionTable.empty()
    return result


def _note_columns(spec: CsvSpec) -> list[str]:
    if spec.note is None:
        return []
    return [c for c in (spec.note.content, spec.note.title, spec.note.created_at) if c]


def _note_dates(spec: CsvSpec, table: CsvTable, coerced: Any) -> list[tuple[str | None, str | None]]:
    """Each row's note ``created_at`` in UTC (and a flag when clamped); a bad date is a cell problem."""
    out: list[tuple[str | None, str | None]] = [(None, None)] * table.frame.height
    if spec.note is None or spec.note.created_at is None:
        return out
    lines = table.frame["_line"].to_list()
    for i, text in enumerate(table.frame[spec.note.created_at].to_list()):
        if not text or not text.strip():
            continue
        try:
            stamp = CONVERTERS["timestamp"](text, spec.options)
        except CoerceError as error:
            coerced.problems.append(
                f"{table.path.name}: line {lines[i]}, column {spec.note.created_at!r}: {error}"
            )
            coerced.bad_lines.add(lines[i])
            continue
        out[i] = clamp_note_date(datetime.fromisoformat(stamp.replace("Z", "+00:00")))
    return out


def _entries_by_parent(snapshot: Snapshot, list_slug: str | None) -> dict[str, tuple[str, JSON]]:
    if list_slug is None or f"entries/{list_slug}" not in snapshot.parts:
        return {}
    frame = snapshot.entries(list_slug).collect()
    return {row["_parent_record_id"]: (row["_id"], row) for row in frame.iter_rows(named=True)}


def _notes_by_parent(snapshot: Snapshot) -> dict[str, set[tuple[str, str]]]:
    if "notes" not in snapshot.parts:
        return {}
    out: dict[str, set[tuple[str, str]]] = {}
    frame = snapshot.notes().select("parent_record_id", "title", "content_plaintext").collect()
    for parent, title, text in frame.rows():
        out.setdefault(parent, set()).add((title or "", (text or "").strip()))
    return out


def _entry_row(
    spec: CsvSpec,
    key: str,
    line: int,
    parent: JSON,
    record_id: str | None,
    values: JSON,
    held: list[str],
    entry_of: dict[str, tuple[str, JSON]],
    attributes: dict[str, AttributeInfo],
) -> list[JSON]:
    assert spec.list_slug is not None
    action_id = f"csv:{spec.path.stem}:{spec.list_slug}:{key}"
    decision, told = review(held)
    if record_id and record_id in entry_of:
        entry_id, have = entry_of[record_id]
        diff = changes(have, values, attributes) if values else {}
        if not diff:
            return []
        return [
            {
                "action_id": action_id,
                "recipe": RECIPE,
                "action": "update_entry",
                "list": spec.list_slug,
                "target_id": entry_id,
                "payload": {"entry_values": diff},
                "reason": f"line {line}: update the {spec.list_slug} entry of {key}{told}",
                "confidence": 1.0,
                **decision,
            }
        ]
    return [
        {
            "action_id": action_id,
            "recipe": RECIPE,
            "action": "create_entry",
            "list": spec.list_slug,
            "payload": {"parent_object": spec.object, **parent, "entry_values": values},
            "reason": f"line {line}: add {key} to {spec.list_slug}{told}",
            "confidence": 1.0,
            **decision,
        }
    ]


def _note_row(
    spec: CsvSpec,
    table: CsvTable,
    i: int,
    key: str,
    parent: JSON,
    record_id: str | None,
    date: tuple[str | None, str | None],
    notes_of: dict[str, set[tuple[str, str]]],
) -> list[JSON]:
    assert spec.note is not None
    content = (table.frame[spec.note.content][i] or "").strip()
    if not content:
        return []
    title = ((table.frame[spec.note.title][i] or "") if spec.note.title else "").strip() or "Imported note"
    if record_id and (title, content) in notes_of.get(record_id, set()):
        return []  # already there: a re-run creates nothing
    created_at, flag = date
    payload: JSON = {
        "parent_object": spec.object,
        **parent,
        "title": title,
        "format": "plaintext",
        "content": content,
    }
    if created_at:
        payload["created_at"] = created_at
    line = table.frame["_line"][i]
    return [
        {
            "action_id": f"csv:{spec.path.stem}:note:{key}:{line}",
            "recipe": RECIPE,
            "action": "create_note",
            "object": spec.object,
            "payload": payload,
            "reason": f"line {line}: a note on {key}" + (f" ({flag})" if flag else ""),
            "evidence": flag,
            "confidence": 1.0,
            "decision": "approve",
        }
    ]


def _write_rejects(spec: CsvSpec, table: CsvTable, problems: list[str], bad: set[int]) -> None:
    """The rows left out, with their line and why, for the user to fix and import again."""
    path = spec.reject_file or spec.path.with_name(f"{spec.path.stem}.rejected.csv")
    why: dict[int, list[str]] = {}
    for problem in problems:
        for line in bad:
            if f"line {line}," in problem or f"line {line}:" in problem:
                why.setdefault(line, []).append(problem.split(": ", 1)[-1])
    rows = table.frame.filter(table.frame["_line"].is_in(sorted(bad)))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*table.columns, "line", "problem"])
        for row in rows.iter_rows(named=True):
            writer.writerow(
                [*(row[c] or "" for c in table.columns), row["_line"], " | ".join(why.get(row["_line"], []))]
            )

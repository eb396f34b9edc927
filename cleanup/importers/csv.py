"""Any CSV into one Attio object: each row asserted on a chosen unique attribute (so a re-run updates
instead of duplicating and writes nothing when nothing changed), optionally an entry per record in a list
and a note per row.

>>> spec = CsvSpec(path, object="companies", match="domains", columns={"Website": ["domains"], "Company": ["name"]})
>>> result = build_csv_import(spec, snapshot)   # doctest: +SKIP

Every cell is validated first: a bad one is reported with its line, column, value and the fix, and the whole
file is refused (nothing written) unless ``skip_invalid`` is set, in which case the rows with bad cells are
left out and written, with the reason, to a reject file.

Conveniences: a personal name from separate columns (``"First Name": ["name.first_name"]``,
``"Last Name": ["name.last_name"]``); a phone region per row from a country column; an exact repeat of a
row imported once (and said); a link whose name finds no record left out of the row, which is imported
without it (and listed), unless the link is in ``required_links``. A value Attio would refuse (an owner who
is not a workspace member, an archived option) is left out of its row, which is left ``pending`` with the
reason and the fix (see ``unwritable``) — even when it was the row's only change, so the finding is seen.
Every line of the file is accounted for (:class:`Accounting`): read = imported + already there + pending +
refused + skipped.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import polars as pl

from ..actions import ActionTable
from ..errors import ImportInputError
from ..execute.writable import Writable
from ..export.schema import AttributeInfo
from ..export.snapshot import Snapshot
from ..files import private_file
from ..values.timestamps import parse_timestamp
from .affinity import ImportResult, Item, Outcome
from .coerce import CONVERTERS, CoerceError, Options, clamp_note_date, region_of
from .reading import CsvTable, read_csv
from .references import ReferenceResolver, referenced_objects
from .rows import (
    Coerced,
    Existing,
    changes,
    coerce,
    hold_back_collisions,
    identity_value,
    members_of,
    records_frame,
    review,
)
from .unwritable import hold_back_unwritable

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

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
    phone_region_column: str | None = None  # a country column giving each row's phone region
    required_links: frozenset[str] = frozenset()  # reference attributes a row is refused without


NAME_PARTS = ("first_name", "last_name", "full_name")


@dataclass
class Accounting:
    """Where every line of the file went: read = imported + already there + pending + refused + skipped
    (refused and skipped lines with their reason)."""

    read: int = 0
    imported: list[int] = field(default_factory=list)
    already: list[int] = field(default_factory=list)
    pending: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)
    skipped: dict[int, str] = field(default_factory=dict)

    @property
    def balanced(self) -> bool:
        """Whether every line read is in exactly one of the five."""
        counted = [*self.imported, *self.already, *self.pending, *self.refused, *self.skipped]
        return len(counted) == len(set(counted)) == self.read

    def items(self, file: str) -> list[Item]:
        """The lines as the importers' shared :class:`Item` list (see :meth:`ImportResult.accounting`)."""
        out = [Item(file, "rows", f"line {n}", Outcome.IMPORTED) for n in self.imported]
        out += [Item(file, "rows", f"line {n}", Outcome.ALREADY) for n in self.already]
        out += [Item(file, "rows", f"line {n}", Outcome.PENDING) for n in self.pending]
        for outcome, reasons in ((Outcome.REFUSED, self.refused), (Outcome.SKIPPED, self.skipped)):
            out += [
                Item(
                    file, "rows", f"line {n}", outcome, why if why.startswith("line ") else f"line {n}: {why}"
                )
                for n, why in reasons.items()
            ]
        return sorted(out, key=lambda item: int(item.key.split()[-1]))

    def sentence(self) -> str:
        """``"12 lines read: 8 to import, 2 already in Attio, ..."`` (a dry run "to import")."""
        return (
            f"{self.read:,} lines read: {len(self.imported):,} to import, {len(self.already):,} already in "
            f"Attio, {len(self.pending):,} pending a finding, {len(self.refused):,} refused, "
            f"{len(self.skipped):,} skipped"
        )


@dataclass
class CsvImportResult(ImportResult):
    """An import's result with the CSV's accounting, how its encoding was read, and the links left out."""

    lines: Accounting = field(default_factory=Accounting)
    encoding_note: str = ""
    links_left_out: list[str] = field(default_factory=list)
    file: str = ""  # the file's name
    reject_file: Path | None = None  # where the refused rows were written, when some were

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """How the file was read, where its lines went, the alerts, and the reject file."""
        from .render import csv_result_lines

        yield from csv_result_lines(self)


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
        for target in slugs:
            slug, _, part = target.partition(".")
            if slug not in attrs:
                problems.append(f"column {column!r} → {target!r}: {spec.object} has no such attribute")
            elif not attrs[slug].is_writable:
                problems.append(f"column {column!r} → {target!r}: Attio does not let the API write it")
            elif part and (attrs[slug].type != "personal-name" or part not in NAME_PARTS):
                problems.append(
                    f"column {column!r} → {target!r}: only a personal name has parts "
                    f"({', '.join(NAME_PARTS)}); map the column to {slug!r}"
                )
    problems += _shared_targets(spec.columns, attrs, "column")
    if spec.phone_region_column is not None and not any(
        attrs[s].type == "phone-number" for slugs in spec.columns.values() for s in slugs if s in attrs
    ):
        problems.append("--phone-region-column is given but no column is mapped to a phone number attribute")
    for slug in sorted(spec.required_links):
        if slug not in attrs or attrs[slug].type != "record-reference":
            problems.append(f"--require-link {slug}: {spec.object} has no such record-reference attribute")
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
            problems += _shared_targets(
                spec.entry_columns, {a.slug: a for a in li.attributes}, "entry column"
            )
    elif spec.entry_columns:
        problems.append("entry columns are mapped but no list is given; add --list")
    return problems


def _shared_targets(columns: dict[str, list[str]], attrs: dict[str, AttributeInfo], what: str) -> list[str]:
    """Two columns on one single-valued attribute, which would silently keep only the last: refused, with
    how to declare the name parts a personal name is made of."""
    feeding: dict[str, list[str]] = {}
    for column, slugs in columns.items():
        for slug in slugs:
            feeding.setdefault(slug, []).append(column)
    problems = []
    for slug, cols in feeding.items():
        attr = attrs.get(slug)
        if len(cols) < 2 or attr is None or attr.is_multiselect:
            continue
        shown = " and ".join(map(repr, cols))
        fix = (
            f"map them to its parts: {', '.join(f'{slug}.{p}' for p in NAME_PARTS)} "
            f"(e.g. --column 'First Name={slug}.first_name')"
            if attr.type == "personal-name"
            else "map only one of them"
        )
        problems.append(f"{what}s {shown} both map to {slug!r}, which holds one value; {fix}")
    return problems


def build_csv_import(spec: CsvSpec, snapshot: Snapshot, table: CsvTable | None = None) -> CsvImportResult:
    """The action table of one CSV import against ``snapshot`` (raises :class:`ImportInputError`, and then
    nothing is written)."""
    table = table or read_csv(spec.path, encoding=spec.encoding)
    problems = check_spec(spec, snapshot)
    region_column = [spec.phone_region_column] if spec.phone_region_column else []
    wanted = [*spec.columns, *spec.entry_columns, *_note_columns(spec), *region_column]
    missing = [c for c in dict.fromkeys(wanted) if c not in table.frame.columns]
    if missing:
        problems.append(
            f"{table.path.name}: no column(s) {', '.join(map(repr, missing))} (it has: {', '.join(table.columns)})"
        )
    if problems:
        raise ImportInputError(problems)
    name = table.path.name
    info = snapshot.schema.objects[spec.object]
    attributes = {a.slug: a for a in info.attributes}
    options = replace(spec.options, members=members_of(snapshot))
    plain = {c: [s for s in slugs if "." not in s] for c, slugs in spec.columns.items()}
    regions, region_problems = _phone_regions(spec, table)
    coerced = coerce(table, {c: s for c, s in plain.items() if s}, attributes, options, phone_regions=regions)
    _name_parts(spec, table, coerced)
    for line, problem in region_problems:
        coerced.problems.append(problem)
        coerced.bad_lines.add(line)
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
    kind = attributes[spec.match].type
    keys = [identity_value(v[spec.match], kind) if v.get(spec.match) else None for v in coerced.values]
    for i, key in enumerate(keys):
        if key is None and lines[i] not in coerced.bad_lines:
            coerced.problems.append(f"{name}: line {lines[i]}: no {spec.match} to match the row on; fill it")
            coerced.bad_lines.add(lines[i])
    accounting = Accounting(read=table.frame.height + len(table.blank_lines))
    accounting.skipped = dict.fromkeys(table.blank_lines, "blank line")
    conflicts: dict[int, list[str]] = {}
    for line, why in _repeats(spec, table, keys, coerced, entry_values).items():
        if why.startswith("repeats"):
            accounting.skipped[line] = why
        else:
            conflicts[line] = [why]
            coerced.bad_lines.add(line)
    coerced.problems += dict.fromkeys(why for whys in conflicts.values() for why in whys)
    if coerced.problems and not spec.skip_invalid:
        raise ImportInputError(
            [
                *dict.fromkeys(coerced.problems),
                "fix the cells, or add --skip-invalid to import the other rows and get a reject file",
            ]
        )
    result = CsvImportResult(
        ActionTable.empty(), lines=accounting, encoding_note=table.encoding_note, file=name
    )
    refused = _reasons([p for p in coerced.problems if p.startswith(name + ": line ")], coerced.bad_lines)
    refused.update(conflicts)
    for line in coerced.bad_lines - set(refused):  # every bad line is refused, said or not
        refused[line] = [f"{name}: line {line}: a cell of it could not be read"]
    existing = Existing.of(snapshot, info, spec.match)
    uniques = [a for a in info.attributes if a.is_unique and a.slug != spec.match]
    entry_of = _entries_by_parent(snapshot, spec.list_slug) if spec.list_slug else {}
    notes_of = _notes_by_parent(snapshot)
    rows: list[JSON] = []
    claimed: dict[tuple[str, Any], str] = {}
    stem = spec.path.stem
    references = ReferenceResolver(snapshot)
    writable = Writable(snapshot)
    enforced = [  # a required link is judged only where the snapshot holds the records it may point at
        slug
        for slug in sorted(spec.required_links)
        if all(
            f"records/{o}" in snapshot.parts
            for o in referenced_objects(snapshot.schema, [attributes[slug]], {slug: [slug]})
        )
    ]
    column_of = {slug.partition(".")[0]: c for c, slugs in spec.columns.items() for slug in slugs}
    entry_column_of = {slug: column for column, slugs in spec.entry_columns.items() for slug in slugs}
    for i, values in enumerate(coerced.values):
        line = lines[i]
        if line in refused or line in accounting.skipped:
            continue
        key = keys[i]
        assert key is not None
        record_id = existing.by_identity.get(key)
        held = hold_back_collisions(values, uniques, existing, record_id, claimed, key, "the row for")
        resolved = references.resolve(values, attributes, column_of, unmatched_held=False)
        required = [why for slug in enforced for why in resolved.unmatched.get(slug, [])]
        if required:
            refused[line] = [
                f"{name}: line {line}: {why}; the link is required (--require-link)" for why in required
            ]
            continue
        held += resolved.held
        left_out = [why for slug, whys in resolved.unmatched.items() for why in whys]
        result.links_left_out += [f"line {line}: {why}" for why in left_out]
        entry_held = references.resolve(entry_values[i], list_attrs, entry_column_of).held
        diff = changes(existing.current.get(record_id) if record_id else None, values, attributes)
        record_action = f"csv:{stem}:{spec.object}:{key}"
        parent: JSON | None = {"parent_record_id": record_id} if record_id else None
        made: list[JSON] = []
        if diff or held:
            decision, told = review(held)
            without = f"; imported without the link: {'; '.join(left_out)}" if left_out else ""
            made.append(
                {
                    "action_id": record_action,
                    "recipe": RECIPE,
                    "action": "assert_record",
                    "object": spec.object,
                    "payload": {
                        "matching_attribute": spec.match,
                        "values": {spec.match: values[spec.match], **diff},
                    },
                    "reason": f"line {line}: {'update' if record_id else 'import'} {spec.object} {key}{told}{without}",
                    "confidence": 1.0,
                    **decision,
                }
            )
            parent = parent or {"parent_action": record_action}
        if parent is not None:
            if spec.list_slug is not None:
                made += _entry_row(
                    spec, key, line, parent, record_id, entry_values[i], entry_held, entry_of, list_attrs
                )
            if spec.note is not None:
                made += _note_row(spec, table, i, key, parent, record_id, dates[i], notes_of)
        hold_back_unwritable(made, snapshot.schema, writable)
        if made and made[0]["action"] == "assert_record" and made[0]["decision"] == "pending":
            for row in made[1:]:  # a record left for review: what hangs on it waits too
                row["decision"] = "pending"
                row["reason"] += f"; waits for {record_action}, which is left for review"
        rows += made
        if any(row["decision"] == "pending" for row in made):
            accounting.pending.append(line)
        elif made:
            accounting.imported.append(line)
        else:
            accounting.already.append(line)
    if refused and not spec.skip_invalid:
        raise ImportInputError(
            [
                *(why for whys in refused.values() for why in whys),
                "link the rows to records that exist, or add --skip-invalid to import the other rows "
                "and get a reject file",
            ]
        )
    accounting.refused = {
        line: "; ".join(w.split(": ", 1)[-1] for w in whys) for line, whys in refused.items()
    }
    if refused:
        result.reject_file = _write_rejects(spec, table, refused)
        result.not_imported += [why.split(": ", 1)[-1] for whys in refused.values() for why in whys]
    result.source_counts[name] = table.frame.height
    result.unchanged[name] = len(accounting.already)
    frame = records_frame(rows)
    result.table = ActionTable.build(frame) if frame.height else ActionTable.empty()
    result.read[name, "rows"] = accounting.read
    result.items += accounting.items(name)
    if not accounting.balanced:  # every line is put in one place above: a broken sum is a bug here
        raise AssertionError(f"{name}: the lines do not add up: {accounting.sentence()}")
    return result


LINE = re.compile(r"^[^:]*: line (\d+)[,:]")


def _reasons(problems: list[str], bad: set[int]) -> dict[int, list[str]]:
    """The problems of each bad line (a cell's problem starts ``FILE: line N,`` or ``FILE: line N:``)."""
    out: dict[int, list[str]] = {}
    for problem in dict.fromkeys(problems):
        found = LINE.match(problem)
        if found is not None and int(found.group(1)) in bad:
            out.setdefault(int(found.group(1)), []).append(problem)
    return out


def _phone_regions(spec: CsvSpec, table: CsvTable) -> tuple[list[str | None] | None, list[tuple[int, str]]]:
    """Each row's phone region from the country column (``--phone-region`` where the cell is empty), and a
    problem per country cell that names no region."""
    if spec.phone_region_column is None:
        return None, []
    column = spec.phone_region_column
    countries = table.frame[column].to_list()
    lines = table.frame["_line"].to_list()
    known: dict[str, str | CoerceError] = {}
    regions: list[str | None] = []
    problems: list[tuple[int, str]] = []
    for line, country in zip(lines, countries, strict=True):
        if country is None or not country.strip():
            regions.append(spec.options.phone_region)
            continue
        if country not in known:
            try:
                known[country] = region_of(country)
            except CoerceError as error:
                known[country] = error
        region = known[country]
        if isinstance(region, CoerceError):
            problems.append((line, f"{table.path.name}: line {line}, column {column!r}: {region}"))
            regions.append(None)
        else:
            regions.append(region)
    return regions, problems


def _name_parts(spec: CsvSpec, table: CsvTable, coerced: Coerced) -> None:
    """Personal names from part columns (``name.first_name``, ``name.last_name``, ``name.full_name``): the
    full name is the given one, else first and last joined; first and last from the full name when missing."""
    parts: dict[str, dict[str, str]] = {}
    for column, slugs in spec.columns.items():
        for target in slugs:
            slug, _, part = target.partition(".")
            if part:
                parts.setdefault(slug, {})[part] = column
    for slug, columns in parts.items():
        frame = table.frame.select(
            *(
                (pl.col(columns[p]) if p in columns else pl.lit(None, pl.String))
                .str.strip_chars()
                .fill_null("")
                .alias(p)
                for p in NAME_PARTS
            )
        )
        for i, (first, last, full) in enumerate(frame.rows()):
            if not (first or last or full):
                continue
            if full and not (first or last):
                coerced.values[i][slug] = CONVERTERS["personal-name"](full, spec.options)
            else:
                whole = full or " ".join(p for p in (first, last) if p)
                coerced.values[i][slug] = {"first_name": first, "last_name": last, "full_name": whole}


def _repeats(
    spec: CsvSpec, table: CsvTable, keys: list[str | None], coerced: Coerced, entry_values: list[JSON]
) -> dict[int, str]:
    """Lines whose match key an earlier line has: ``repeats line N ...`` when every imported value is the
    same (imported once), else a problem naming the lines, the columns that differ, and the fix."""
    groups: dict[str, list[int]] = {}
    for i, key in enumerate(keys):
        if key is not None and table.frame["_line"][i] not in coerced.bad_lines:
            groups.setdefault(key, []).append(i)
    keyed = {c for c, slugs in spec.columns.items() if slugs == [spec.match]}  # equal as keys by definition
    used = [
        c for c in dict.fromkeys([*spec.columns, *spec.entry_columns, *_note_columns(spec)]) if c not in keyed
    ]
    out: dict[int, str] = {}
    lines = table.frame["_line"].to_list()
    for key, rows in groups.items():
        if len(rows) < 2:
            continue
        texts = [
            orjson.dumps(
                [coerced.values[i], entry_values[i], *(table.frame[c][i] for c in _note_columns(spec))],
                default=repr,
                option=orjson.OPT_SORT_KEYS,
            )
            for i in rows
        ]
        if len(set(texts)) == 1:
            for i in rows[1:]:
                out[lines[i]] = f"repeats line {lines[rows[0]]} exactly: imported once"
            continue
        differ = [c for c in used if len({(table.frame[c][i] or "").strip() for i in rows}) > 1]
        shown = ", ".join(str(lines[i]) for i in rows[:-1]) + f" and {lines[rows[-1]]}"
        problem = (
            f"{table.path.name}: lines {shown} are all {spec.match} {key} but differ"
            + (f" in column(s) {', '.join(map(repr, differ))}" if differ else "")
            + "; keep one line (or make them the same)"
        )
        for i in rows:
            out[lines[i]] = problem
    return out


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
        out[i] = clamp_note_date(parse_timestamp(stamp))
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


def _write_rejects(spec: CsvSpec, table: CsvTable, refused: dict[int, list[str]]) -> Path:
    """The rows left out, with their line and why, for the user to fix and import again; returns the file."""
    path = spec.reject_file or spec.path.with_name(f"{spec.path.stem}.rejected.csv")
    rows = table.frame.filter(table.frame["_line"].is_in(sorted(refused)))
    with private_file(path) as tmp, tmp.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*table.columns, "line", "problem"])
        for row in rows.iter_rows(named=True):
            why = [
                w.split(": ", 1)[-1] if w.startswith(table.path.name) else w for w in refused[row["_line"]]
            ]
            writer.writerow([*(row[c] or "" for c in table.columns), row["_line"], " | ".join(why)])
    return path

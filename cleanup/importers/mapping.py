"""The mapping file of an import (TOML): which file goes to which Attio object or list, and which column to
which attribute. ``attio-cleanup import affinity init`` writes one to edit; every slug in it is checked
against the live schema before anything runs.

    [import]
    id_attribute = "affinity_id"   # a unique text attribute holding the source id (created if missing)
    separator = ";"                # between the values of a multi-valued cell
    date_format = "iso"            # iso | mdy | dmy (for slashed dates)
    phone_region = ""              # e.g. "GB" for numbers written without +country
    encoding = ""                  # the files' encoding when not UTF-8 (recognised if left empty)
    note_parent = "each"           # each: one Attio note per tagged record; first: one note
    create_options = false         # true: select options and statuses the workspace lacks are made
                                   # (else each such value is left out of its row, which waits for review)

    [objects.organizations]        # one section per exported file of records
    file = "organizations.csv"
    object = "companies"
    id_column = "Organization Id"
    [objects.organizations.columns]
    "Name" = "name"
    "Website" = "domains"

    [lists.pipeline]               # a list export: entries on the imported records
    file = "pipeline.csv"
    list = "pipeline"
    records = "organizations"      # the [objects.*] section whose ids the rows name
    record_id_column = "Organization Id"
    row_id_column = "Affinity Row ID"
    allow_empty = false            # true: a file with a header and no rows imports nothing (else refused)
    create = "Pipeline"            # when the workspace has no list `pipeline`: make it, with this name
    [lists.pipeline.columns]
    "Status" = "stage"
    [lists.pipeline.new_attributes]  # attributes the workspace lacks, made by the import (any section)
    stage = "status"                 # a type; or { type = "select", title = "Stage", multiselect = true }

What the import makes in the workspace — the source-id attribute, a list, new attributes, options — is
planned as rows of the action table, shown in the dry run, and made by the executor before any record.

Several columns into one attribute: Location sub-columns ("Location (City)", "(State)", "(Country)",
"(Street)"...) mapped to one location attribute make one location; several columns on one multi-valued
attribute add up; on any other attribute the mapping check refuses them unless a rule says how to combine:

    [objects.organizations.combine]
    description = "first"                        # the first non-empty cell, in the columns' order
    year_founded = { prefer = "Year Founded (2)" }  # that column when not empty, else the first non-empty
    notes = { join = "; " }                      # every non-empty cell, joined ("join" alone: "; ")
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import polars as pl

from ..actions.schema_rows import CREATABLE_TYPES
from ..errors import ImportInputError
from ..export.schema import AttributeInfo, WorkspaceSchema
from .coerce import Options
from .reading import CsvTable

NOTE_PARENTS = ("each", "first")
# Location sub-columns, in the order their parts make one location.
LOCATION_PARTS = ("street", "address", "street address", "city", "state", "state/region", "region", "country")
LOCATION_COLUMN = re.compile(r"^.*\((?P<part>[^()]+)\)(?: \(\d+\))?$")


@dataclass(frozen=True)
class Combine:
    """How several columns make one value: ``first`` non-empty, ``prefer`` a column, or ``join`` them."""

    how: str  # first | prefer | join
    argument: str = ""  # prefer: the column; join: the separator

    def apply(self, cells: list[tuple[str, str]]) -> str:
        """One value from (column, cell) pairs, in the mapping's column order."""
        present = [(c, v.strip()) for c, v in cells if v and v.strip()]
        if self.how == "join":
            return (self.argument or "; ").join(v for _, v in present)
        if self.how == "prefer":
            present.sort(key=lambda cv: cv[0] != self.argument)
        return present[0][1] if present else ""


def location_part(column: str) -> str | None:
    """The part of a location a sub-column holds ("Location (City)" → "city"), or None."""
    found = LOCATION_COLUMN.match(column)
    part = found["part"].strip().lower() if found else ""
    return part if part in LOCATION_PARTS else None


def shared_slugs(columns: dict[str, list[str]]) -> dict[str, list[str]]:
    """Attribute slug → the columns feeding it, for slugs fed by more than one column."""
    feeding: dict[str, list[str]] = {}
    for column, slugs in columns.items():
        for slug in slugs:
            feeding.setdefault(slug, []).append(column)
    return {slug: cols for slug, cols in feeding.items() if len(cols) > 1}


def combined(
    table: CsvTable,
    columns: dict[str, list[str]],
    combine: dict[str, Combine],
    attributes: dict[str, AttributeInfo],
) -> tuple[CsvTable, dict[str, list[str]]]:
    """The table and column mapping with each attribute fed by several columns (location sub-columns, or
    a ``combine`` rule) fed instead by one made column, "A + B", holding the combined cell."""
    columns = {c: list(s) for c, s in columns.items()}
    made: dict[str, list[str]] = {}
    frame = table.frame
    for slug, feeding in shared_slugs(columns).items():
        attr = attributes.get(slug)
        if attr is None or (attr.is_multiselect and slug not in combine):
            continue  # unknown: the mapping check says so; multi-valued: the values add up
        if attr.type == "location" and slug not in combine:
            order = sorted(feeding, key=lambda c: LOCATION_PARTS.index(location_part(c) or "country"))
            rule = Combine("join", ", ")
        elif slug in combine:
            order, rule = feeding, combine[slug]
        else:
            continue
        name = " + ".join(order)
        cells = zip(*(frame[c].fill_null("").to_list() for c in order), strict=True)
        values = [rule.apply(list(zip(order, row, strict=True))) for row in cells]
        frame = frame.with_columns(pl.Series(name, values, dtype=pl.String))
        for column in feeding:
            columns[column].remove(slug)
        made[name] = [slug]
    if not made:
        return table, columns
    kept = {c: s for c, s in columns.items() if s}
    return replace(table, frame=frame), {**kept, **made}


@dataclass(frozen=True)
class NewAttribute:
    """An attribute the mapping asks the import to make: its type, title and whether it holds several."""

    type: str
    title: str = ""
    multiselect: bool = False


@dataclass(frozen=True)
class ObjectMapping:
    name: str
    file: str
    object: str
    id_column: str
    columns: dict[str, list[str]]  # column → attribute slugs (a column may feed several)
    combine: dict[str, Combine] = field(default_factory=dict)  # slug → how its several columns make one
    allow_empty: bool = False  # a file with a header and no rows imports nothing (else it is refused)
    new_attributes: dict[str, NewAttribute] = field(
        default_factory=dict
    )  # made when the workspace lacks them


@dataclass(frozen=True)
class ListMapping:
    name: str
    file: str
    list_slug: str
    records: str
    record_id_column: str
    row_id_column: str
    columns: dict[str, list[str]]
    combine: dict[str, Combine] = field(default_factory=dict)
    allow_empty: bool = False
    new_attributes: dict[str, NewAttribute] = field(default_factory=dict)
    create: str = ""  # the name of the list to make when the workspace has none with this slug


@dataclass(frozen=True)
class Mapping:
    path: Path
    id_attribute: str = "affinity_id"
    options: Options = field(default_factory=Options)
    note_parent: str = "each"
    encoding: str | None = None
    objects: dict[str, ObjectMapping] = field(default_factory=dict)
    lists: dict[str, ListMapping] = field(default_factory=dict)
    create_options: bool = False  # select options and statuses the workspace lacks are made

    @classmethod
    def load(cls, path: str | Path) -> Mapping:
        """Read and shape-check a mapping file (slugs are checked later, against the live schema)."""
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise ImportInputError([f"{path}: cannot be read ({error.strerror})"]) from None
        except tomllib.TOMLDecodeError as error:
            raise ImportInputError([f"{path.name}: not valid TOML: {error}"]) from None
        problems: list[str] = []
        settings = data.get("import", {})
        unknown = set(data) - {"import", "objects", "lists"}
        if unknown:
            problems.append(
                f"{path.name}: unknown section(s) {', '.join(sorted(unknown))}; use import, objects, lists"
            )
        note_parent = settings.get("note_parent", "each")
        if note_parent not in NOTE_PARENTS:
            problems.append(f"{path.name}: note_parent must be each or first, not {note_parent!r}")
        date_format = settings.get("date_format", "iso")
        if date_format not in ("iso", "mdy", "dmy"):
            problems.append(f"{path.name}: date_format must be iso, mdy or dmy, not {date_format!r}")
        objects = {}
        for name, section in data.get("objects", {}).items():
            got = _section(path, f"objects.{name}", section, ("file", "object", "id_column"), problems)
            if got is not None:
                objects[name] = ObjectMapping(
                    name,
                    got["file"],
                    got["object"],
                    got["id_column"],
                    got["columns"],
                    got["combine"],
                    got["allow_empty"],
                    got["new_attributes"],
                )
        lists = {}
        for name, section in data.get("lists", {}).items():
            keys = ("file", "list", "records", "record_id_column", "row_id_column")
            got = _section(path, f"lists.{name}", section, keys, problems)
            if got is None:
                continue
            if got["records"] not in data.get("objects", {}):
                problems.append(
                    f"{path.name}: [lists.{name}] records = {got['records']!r} names no [objects.*] section"
                )
            lists[name] = ListMapping(
                name,
                got["file"],
                got["list"],
                got["records"],
                got["record_id_column"],
                got["row_id_column"],
                got["columns"],
                got["combine"],
                got["allow_empty"],
                got["new_attributes"],
                got.get("create") or "",
            )
            if not isinstance(got.get("create", ""), str):
                problems.append(
                    f'{path.name}: [lists.{name}] create must be the new list\'s name, e.g. "Pipeline"'
                )
        if not isinstance(settings.get("create_options", False), bool):
            problems.append(f"{path.name}: create_options must be true or false")
        if problems:
            raise ImportInputError(problems)
        options = Options(
            separator=settings.get("separator", ";"),
            date_format=date_format,
            phone_region=settings.get("phone_region") or None,
            in_mapping=True,
        )
        return cls(
            path,
            settings.get("id_attribute", "affinity_id"),
            options,
            note_parent,
            settings.get("encoding") or None,
            objects,
            lists,
            settings.get("create_options") is True,
        )

    def check(self, schema: WorkspaceSchema) -> list[str]:
        """Every object, list and attribute slug against the live schema; the problems, each with a fix."""
        problems = []
        for mapping in self.objects.values():
            info = schema.objects.get(mapping.object)
            if info is None:
                problems.append(
                    f"[objects.{mapping.name}] object {mapping.object!r} is not in the workspace "
                    f"(it has {', '.join(sorted(schema.objects))})"
                )
                continue
            problems += _attribute_problems(f"objects.{mapping.name}", mapping.columns, info.attributes)
            problems += _shared_problems(f"objects.{mapping.name}", mapping, info.attributes)
        for lm in self.lists.values():
            li = schema.lists.get(lm.list_slug)
            if li is None:
                problems.append(
                    f"[lists.{lm.name}] list {lm.list_slug!r} is not in the workspace (it has "
                    f"{', '.join(sorted(schema.lists)) or 'none'}); name one of those, or let the import make "
                    f'it: create = "{lm.list_slug.replace("_", " ").capitalize()}" in [lists.{lm.name}]'
                )
                continue
            parent = self.objects.get(lm.records)
            if parent is not None and li.parent_object != parent.object:
                problems.append(
                    f"[lists.{lm.name}] list {lm.list_slug} holds {li.parent_object}, but its rows name "
                    f"{parent.object} records ([objects.{lm.records}])"
                )
            problems += _attribute_problems(f"lists.{lm.name}", lm.columns, li.attributes)
            problems += _shared_problems(f"lists.{lm.name}", lm, li.attributes)
        return problems


def _section(
    path: Path, where: str, section: Any, keys: tuple[str, ...], problems: list[str]
) -> dict[str, Any] | None:
    if not isinstance(section, dict):
        problems.append(f"{path.name}: [{where}] must be a table")
        return None
    missing = [k for k in keys if not isinstance(section.get(k), str) or not section.get(k)]
    if missing:
        problems.append(f"{path.name}: [{where}] needs {', '.join(missing)}")
        return None
    extra = {"columns", "combine", "allow_empty", "new_attributes"} | (
        {"create"} if where.startswith("lists.") else set()
    )
    unknown = set(section) - {*keys, *extra}
    if not isinstance(section.get("allow_empty", False), bool):
        problems.append(f"{path.name}: [{where}] allow_empty must be true or false")
    if unknown:
        problems.append(f"{path.name}: [{where}] has unknown key(s) {', '.join(sorted(unknown))}")
    columns: dict[str, list[str]] = {}
    for column, target in (section.get("columns") or {}).items():
        slugs = [target] if isinstance(target, str) else target
        if not isinstance(slugs, list) or not all(isinstance(s, str) and s for s in slugs):
            problems.append(
                f"{path.name}: [{where}.columns] {column!r} must name an attribute slug (or a list)"
            )
            continue
        columns[column] = slugs
    combine: dict[str, Combine] = {}
    for slug, rule in (section.get("combine") or {}).items():
        if rule in ("first", "join"):
            combine[slug] = Combine(rule)
        elif isinstance(rule, dict) and set(rule) == {"prefer"} and isinstance(rule["prefer"], str):
            combine[slug] = Combine("prefer", rule["prefer"])
        elif isinstance(rule, dict) and set(rule) == {"join"} and isinstance(rule["join"], str):
            combine[slug] = Combine("join", rule["join"])
        else:
            problems.append(
                f'{path.name}: [{where}.combine] {slug} must be "first", "join", {{ prefer = "Column" }} '
                f'or {{ join = "; " }}'
            )
    allow_empty = section.get("allow_empty") is True
    new_attributes = _new_attributes(path, where, section.get("new_attributes") or {}, columns, problems)
    return {
        **section,
        "columns": columns,
        "combine": combine,
        "allow_empty": allow_empty,
        "new_attributes": new_attributes,
    }


def _new_attributes(
    path: Path, where: str, given: Any, columns: dict[str, list[str]], problems: list[str]
) -> dict[str, NewAttribute]:
    """``[<section>.new_attributes]``: slug = "type", or slug = { type, title, multiselect }. The title
    defaults to the header of the column that feeds it."""
    out: dict[str, NewAttribute] = {}
    if not isinstance(given, dict):
        problems.append(f"{path.name}: [{where}.new_attributes] must be a table of slug = type")
        return out
    for slug, written in given.items():
        spec = {"type": written} if isinstance(written, str) else written
        if not isinstance(spec, dict) or set(spec) - {"type", "title", "multiselect"}:
            problems.append(
                f'{path.name}: [{where}.new_attributes] {slug} must be a type or {{ type = "select", '
                'title = "Stage", multiselect = false }'
            )
            continue
        if spec.get("type") not in CREATABLE_TYPES:
            problems.append(
                f"{path.name}: [{where}.new_attributes] {slug}: type {spec.get('type')!r} cannot be made; "
                f"use one of {', '.join(CREATABLE_TYPES)}"
            )
            continue
        feeding = next((c for c, slugs in columns.items() if slug in slugs), None)
        title = str(spec.get("title") or feeding or slug.replace("_", " ").capitalize())
        out[slug] = NewAttribute(spec["type"], title, spec.get("multiselect") is True)
    return out


def _shared_problems(
    where: str, section: ObjectMapping | ListMapping, attributes: list[AttributeInfo]
) -> list[str]:
    """Several columns on one single-valued attribute, with no rule to combine them (the last would win)."""
    by_slug = {a.slug: a for a in attributes}
    problems = []
    for slug, feeding in shared_slugs(section.columns).items():
        attr = by_slug.get(slug)
        rule = section.combine.get(slug)
        named = " and ".join(repr(c) for c in feeding)
        if rule is not None and rule.how == "prefer" and rule.argument not in feeding:
            problems.append(
                f"[{where}.combine] {slug}: prefers {rule.argument!r}, which is not one of {named}"
            )
        if attr is None or rule is not None or attr.is_multiselect:
            continue
        if attr.type == "location" and all(location_part(c) for c in feeding):
            continue
        problems.append(
            f"[{where}.columns] {named} all go to {slug!r}, which holds one value, so one would be lost: "
            f'map only one, or say how to combine them in [{where}.combine]: {slug} = "first" (the first '
            f'non-empty), {{ prefer = {feeding[-1]!r} }}, or "join"'
        )
    return problems


def _attribute_problems(
    where: str, columns: dict[str, list[str]], attributes: list[AttributeInfo]
) -> list[str]:
    by_slug = {a.slug: a for a in attributes}
    problems = []
    for column, slugs in columns.items():
        for slug in slugs:
            attr = by_slug.get(slug)
            if attr is None:
                problems.append(
                    f"[{where}.columns] {column!r} → {slug!r}: no such attribute (there are: "
                    f"{', '.join(sorted(by_slug))}); map another, or let the import make it: "
                    f'{slug} = "text" (or another type) in [{where}.new_attributes]'
                )
            elif not attr.is_writable:
                problems.append(
                    f"[{where}.columns] {column!r} → {slug!r}: Attio does not let the API write it"
                )
    return problems

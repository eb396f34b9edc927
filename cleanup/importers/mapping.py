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
    [lists.pipeline.columns]
    "Status" = "stage"
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..export.schema import AttributeInfo, WorkspaceSchema
from .coerce import Options
from .reading import ImportInputError

NOTE_PARENTS = ("each", "first")


@dataclass(frozen=True)
class ObjectMapping:
    name: str
    file: str
    object: str
    id_column: str
    columns: dict[str, list[str]]  # column → attribute slugs (a column may feed several)


@dataclass(frozen=True)
class ListMapping:
    name: str
    file: str
    list_slug: str
    records: str
    record_id_column: str
    row_id_column: str
    columns: dict[str, list[str]]


@dataclass(frozen=True)
class Mapping:
    path: Path
    id_attribute: str = "affinity_id"
    options: Options = field(default_factory=Options)
    note_parent: str = "each"
    encoding: str | None = None
    objects: dict[str, ObjectMapping] = field(default_factory=dict)
    lists: dict[str, ListMapping] = field(default_factory=dict)

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
                    name, got["file"], got["object"], got["id_column"], got["columns"]
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
            )
        if problems:
            raise ImportInputError(problems)
        options = Options(
            separator=settings.get("separator", ";"),
            date_format=date_format,
            phone_region=settings.get("phone_region") or None,
        )
        return cls(
            path,
            settings.get("id_attribute", "affinity_id"),
            options,
            note_parent,
            settings.get("encoding") or None,
            objects,
            lists,
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
        for lm in self.lists.values():
            li = schema.lists.get(lm.list_slug)
            if li is None:
                problems.append(
                    f"[lists.{lm.name}] list {lm.list_slug!r} is not in the workspace (it has {', '.join(sorted(schema.lists)) or 'none'})"
                )
                continue
            parent = self.objects.get(lm.records)
            if parent is not None and li.parent_object != parent.object:
                problems.append(
                    f"[lists.{lm.name}] list {lm.list_slug} holds {li.parent_object}, but its rows name "
                    f"{parent.object} records ([objects.{lm.records}])"
                )
            problems += _attribute_problems(f"lists.{lm.name}", lm.columns, li.attributes)
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
    unknown = set(section) - {*keys, "columns"}
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
    return {**section, "columns": columns}


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
                    f"[{where}.columns] {column!r} → {slug!r}: no such attribute (there are: {', '.join(sorted(by_slug))})"
                )
            elif not attr.is_writable:
                problems.append(
                    f"[{where}.columns] {column!r} → {slug!r}: Attio does not let the API write it"
                )
    return problems

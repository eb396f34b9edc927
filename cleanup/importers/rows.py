"""From a CSV table and a column mapping to action rows: cells coerced per attribute (every bad cell
reported with its line, column, value and fix), each row matched to the record that already holds its
identity, and only what would change written — so a second run writes nothing.

Unique values (domains, emails) that another record already holds, or that an earlier row of the file
claimed, are left out of the row and said in its reason; the row is then left ``pending`` for a reviewer
(a finding, not a failure mid-run).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

import orjson
import polars as pl

from ..errors import ImportInputError
from ..export.schema import AttributeInfo, ObjectInfo
from ..export.snapshot import Snapshot
from ..values.timestamps import parse_timestamp
from .coerce import CoerceError, Options, converter
from .reading import CsvTable

JSON = dict[str, Any]
# Attributes an import fills only when empty: Attio reshapes what it is given (free-text locations).
FILL_ONLY = frozenset({"location"})


@dataclass
class Coerced:
    """Each row's write values by attribute, and the bad cells."""

    values: list[JSON]
    problems: list[str] = field(default_factory=list)
    bad_lines: set[int] = field(default_factory=set)


def coerce(
    table: CsvTable,
    columns: dict[str, list[str]],
    attributes: dict[str, AttributeInfo],
    options: Options,
    *,
    phone_regions: list[str | None] | None = None,
) -> Coerced:
    """Every mapped cell as its attribute's write value; several columns into one multiselect attribute add
    up (e.g. "Primary Email" and "Email Addresses"). ``phone_regions``: each row's phone region (from a
    country column), where set overriding ``options.phone_region``."""
    missing = [c for c in columns if c not in table.frame.columns]
    if missing:
        known = ", ".join(table.columns)
        raise ImportInputError(
            [
                f"{table.path.name}: the mapping names column(s) {', '.join(map(repr, missing))}, which the file lacks (it has: {known})"
            ]
        )
    out: list[JSON] = [{} for _ in range(table.frame.height)]
    found = Coerced(out)
    lines = table.frame["_line"].to_list()
    for column, slugs in columns.items():
        cells = table.frame[column].to_list()
        for slug in slugs:
            attr = attributes[slug]
            by_region = phone_regions is not None and attr.type == "phone-number"
            converters: dict[str | None, Any] = {None: converter(attr, options)}
            cache: dict[tuple[str, str | None], Any] = {}
            for i, text in enumerate(cells):
                if text is None or not text.strip():
                    continue
                region = phone_regions[i] if by_region and phone_regions is not None else None
                if region not in converters:
                    converters[region] = converter(attr, replace(options, phone_region=region))
                if (text, region) not in cache:
                    try:
                        cache[text, region] = converters[region](text)
                    except CoerceError as error:
                        cache[text, region] = error
                value = cache[text, region]
                if isinstance(value, CoerceError):
                    found.problems.append(f"{table.path.name}: line {lines[i]}, column {column!r}: {value}")
                    found.bad_lines.add(lines[i])
                    continue
                if attr.is_multiselect:
                    have = out[i].setdefault(slug, [])
                    have += [v for v in value if v not in have]
                else:
                    out[i][slug] = value
    return found


# ---------------------------------------------------------------------------------------------- comparing
def canon(kind: str, value: Any) -> Any:
    """A value in a form both a write payload and a snapshot cell reduce to, for comparison."""
    if value is None:
        return None
    if isinstance(value, dict):
        for key in ("domain", "email_address", "original_phone_number", "phone_number", "full_name", "title"):
            if key in value:
                return canon(kind, value[key])
        if "currency_value" in value:
            return canon(kind, value["currency_value"])
        if "target_record_id" in value:
            return value["target_record_id"]
        if "referenced_actor_id" in value:
            return value["referenced_actor_id"]
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if kind == "timestamp" and isinstance(value, str):
        return parse_timestamp(value).isoformat()
    if kind in ("number", "currency", "rating") and isinstance(value, int | float):
        return float(value)
    if kind in ("email-address", "domain") and isinstance(value, str):
        return value.strip().lower()  # Attio stores both lower case: compare as it does
    return value


def changes(current: JSON | None, wanted: JSON, attributes: dict[str, AttributeInfo]) -> JSON:
    """What of ``wanted`` is not already on the record: multiselect values are added to what is there
    (an import never removes a value), fill-only attributes are written only when empty."""
    out: JSON = {}
    for slug, value in wanted.items():
        attr = attributes[slug]
        have = None if current is None else current.get(slug)
        if attr.type in FILL_ONLY:
            if not have:
                out[slug] = value
            continue
        if attr.is_multiselect:
            present = {canon(attr.type, v) for v in (have or [])}
            new = [v for v in value if canon(attr.type, v) not in present]
            if new:
                out[slug] = [*(_as_write(attr, v) for v in (have or [])), *new]
            continue
        if canon(attr.type, have) != canon(attr.type, value):
            out[slug] = value
    return out


def _as_write(attr: AttributeInfo, cell: Any) -> Any:
    """A snapshot cell of a multiselect attribute as a write value (kept when values are added)."""
    if attr.type == "domain":
        return {"domain": cell}
    if attr.type == "email-address":
        return {"email_address": cell}
    if attr.type == "phone-number":
        return {"original_phone_number": cell}
    if attr.type in ("select", "status") and isinstance(cell, dict):
        return cell.get("title")
    if attr.type == "record-reference" and isinstance(cell, dict):
        return {"target_object": cell["target_object"], "target_record_id": cell["target_record_id"]}
    return cell


# ---------------------------------------------------------------------------------------------- the workspace
@dataclass
class Existing:
    """The records of one object as the snapshot has them: by identity value, and who holds which unique
    value."""

    by_identity: dict[str, str]
    current: dict[str, JSON]
    holders: dict[tuple[str, Any], str]

    @classmethod
    def of(cls, snapshot: Snapshot, info: ObjectInfo, identity: str) -> Existing:
        part = f"records/{info.slug}"
        if part not in snapshot.parts:
            return cls({}, {}, {})
        uniques = [a for a in info.attributes if a.is_unique and a.slug != "record_id"]
        kind = next((a.type for a in info.attributes if a.slug == identity), "text")
        wanted = ["_id", *(a.slug for a in info.attributes if a.is_writable and a.type != "interaction")]
        frame = (
            snapshot.records(info.slug)
            .select([c for c in wanted if c in snapshot.records(info.slug).collect_schema().names()])
            .collect()
        )
        current = {row["_id"]: row for row in frame.iter_rows(named=True)}
        by_identity: dict[str, str] = {}
        holders: dict[tuple[str, Any], str] = {}
        for record_id, row in current.items():
            for attr in uniques:
                cells = row.get(attr.slug)
                for cell in cells if isinstance(cells, list) else [cells]:
                    if cell is not None:
                        holders[(attr.slug, canon(attr.type, cell))] = record_id
            key = row.get(identity)
            for cell in key if isinstance(key, list) else [key]:
                if cell is not None:
                    by_identity[identity_value(cell, kind)] = record_id
        return cls(by_identity, current, holders)

    def name_of(self, record_id: str) -> str:
        """A record as a reviewer finds it in Attio: 'the record “Acme GmbH” (…4dd)'."""
        name = (self.current.get(record_id) or {}).get("name")
        if isinstance(name, list):
            name = name[0] if name else None
        if isinstance(name, dict):
            name = name.get("full_name") or name.get("value")
        return f"the record “{name}” (…{record_id[-5:]})" if name else f"record {record_id}"


def hold_back_collisions(
    values: JSON,
    uniques: list[AttributeInfo],
    existing: Existing,
    record_id: str | None,
    claimed: dict[tuple[str, Any], str],
    source: str,
    label: str,
) -> list[str]:
    """Take out of ``values`` the unique values another record holds (in Attio, or claimed by an earlier row
    of the file, tracked in ``claimed``); returns what was held back, in words."""
    held: list[str] = []
    for attr in uniques:
        if attr.slug not in values:
            continue
        keep = []
        for value in values[attr.slug] if attr.is_multiselect else [values[attr.slug]]:
            key = (attr.slug, canon(attr.type, value))
            holder = existing.holders.get(key)
            if holder is not None and holder != record_id:
                held.append(f"{_shown(value)} is already on {existing.name_of(holder)} in Attio")
            elif claimed.get(key, source) != source:
                held.append(f"{_shown(value)} is also on {label} {claimed[key]} earlier in the file")
            else:
                claimed[key] = source
                keep.append(value)
        if keep:
            values[attr.slug] = keep if attr.is_multiselect else keep[0]
        else:
            values.pop(attr.slug)
    return held


def review(held: list[str]) -> tuple[JSON, str]:
    """A row's decision (and evidence) and the words its reason ends with, from what was left out of it:
    approved when nothing was, else ``pending`` for a reviewer."""
    if not held:
        return {"decision": "approve"}, ""
    told = "; ".join(held)
    return {"decision": "pending", "evidence": told}, f"; left out, to review: {told}"


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        value = next(iter(value.values()))
    return str(value)


def repeated_keys(table: CsvTable, keys: list[str | None] | pl.Series, what: str) -> list[str]:
    """Problems for keys that appear on more than one line of the file (each must appear once)."""
    frame = pl.DataFrame(
        {"key": keys, "line": table.frame["_line"]}, schema={"key": pl.String, "line": pl.Int64}
    )
    repeated = (
        frame.drop_nulls("key")
        .filter(pl.len().over("key") > 1)
        .group_by("key", maintain_order=True)
        .agg("line")
    )
    return [
        f"{table.path.name}: {what} {key} appears on lines {', '.join(map(str, lines))}; it must appear once"
        for key, lines in repeated.rows()
    ]


def members_of(snapshot: Snapshot) -> dict[str, str]:
    """Workspace members: email (lower case) → member id."""
    if "members" not in snapshot.parts:
        return {}
    frame = snapshot.members().select("email_address", "workspace_member_id").collect()
    return {email.lower(): member for email, member in frame.rows() if email}


def identity_value(value: Any, kind: str = "text") -> str:
    """A record's identity (source id or unique value of attribute type ``kind``) as a plain string key,
    compared as Attio compares it: ``identity_value({"email_address": "Jane@X.com"}, "email-address")``
    and ``identity_value("jane@x.com", "email-address")`` are both ``"jane@x.com"``."""
    if isinstance(value, list):
        value = value[0] if value else None
    return str(canon(kind, value))


def records_frame(rows: list[JSON]) -> pl.DataFrame:
    """Action rows (dicts) → an action-table frame (payloads as JSON text)."""
    schema = {
        "action_id": pl.String,
        "recipe": pl.String,
        "action": pl.String,
        "object": pl.String,
        "list": pl.String,
        "target_id": pl.String,
        "payload": pl.String,
        "reason": pl.String,
        "evidence": pl.String,
        "confidence": pl.Float64,
        "decision": pl.String,
        "fingerprint": pl.String,
    }
    shaped = [
        {
            key: (
                orjson.dumps(row[key]).decode()
                if key == "payload" and row.get(key) is not None
                else row.get(key)
            )
            for key in schema
        }
        for row in rows
    ]
    return pl.DataFrame(shaped, schema=schema)

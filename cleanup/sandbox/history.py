"""Writing the whole value history of one attribute of a record or entry (2026 sheet §3):
``PUT …/attributes/{attribute}/values`` with ``{"data": {"values": [...], "replace_history": true}}``.

Checks run in this order, and nothing is stored unless all pass: the body's schema (400
``validation_type``); whether the attribute's history may be written (``system_edit_unauthorized``,
``formula_edit_unauthorized``); each value, parsed as a record update parses it (same errors); the
intervals (``multiple_values_for_single_value_attribute``, ``duplicate_values``); a required attribute
left without a current value (``missing_value``); uniqueness (``uniqueness_conflict``). Afterwards the
attribute holds exactly the supplied values: those with ``active_until: null`` are current, the others
are its history, so every read (GET values with and without ``show_historic``, records, filters) sees them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

from .clock import format_ts, parse_ts
from .errors import MISSING, ApiError, body_error, json_type, reject_unknown_keys
from .model import Attribute, Record
from .records import historic_values
from .value_types import value_key
from .workspace import Workspace
from .writes import Change, check_uniqueness, parse_input

JSON = dict[str, Any]

HISTORY_MAX_VALUES = 400
IMMUTABLE_SYSTEM_SLUGS = ("record_id", "entry_id", "created_at", "created_by")
ENTRY_PARENT = "parent_record"
"""The pseudo-attribute naming an entry's parent record: immutable, so its history cannot be written."""
OVERLAP_MESSAGE = (
    "This attribute accepts a single value, so its values may not be active at the same time. "
    "Please ensure the supplied intervals do not overlap."
)
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


@dataclass(frozen=True)
class Item:
    """One supplied value with its interval (``until`` is ``None`` for the current value)."""

    raw: Any
    since: datetime
    until: datetime | None


def read_body(body: Any) -> list[Item]:
    """The supplied values, checked against the endpoint's schema (``additionalProperties: false`` at the
    top, in ``data`` and in each item), or Attio's 400 ``validation_type``."""
    if not isinstance(body, dict):
        raise body_error([], "Expected object", expected="object", received=_received(body))
    reject_unknown_keys([], body, ("data",))
    data = body.get("data", MISSING)
    if not isinstance(data, dict):
        raise body_error(["data"], "Required", expected="object", received=json_type(data))
    reject_unknown_keys(["data"], data, ("values", "replace_history"))
    values = data.get("values", MISSING)
    if not isinstance(values, list):
        raise body_error(["data", "values"], "Required", expected="array", received=json_type(values))
    if not 1 <= len(values) <= HISTORY_MAX_VALUES:
        raise body_error(
            ["data", "values"], f"Between 1 and {HISTORY_MAX_VALUES} values are accepted, not {len(values)}."
        )
    consent = data.get("replace_history", MISSING)
    if consent is not True:
        raise body_error(
            ["data", "replace_history"],
            "replace_history must be true: the supplied values replace the attribute's whole history.",
            expected="true",
            received=json_type(consent),
        )
    now = datetime.now(UTC)
    return [_read_item(["data", "values", i], item, now) for i, item in enumerate(values)]


def _received(body: Any) -> str:
    return "undefined" if body is None else json_type(body)


def _read_item(path: list[str | int], item: Any, now: datetime) -> Item:
    if not isinstance(item, dict):
        raise body_error(path, "Expected object", expected="object", received=json_type(item))
    reject_unknown_keys(path, item, ("value", "active_from", "active_until"))
    raw = item.get("value", MISSING)
    if raw is MISSING or raw is None or isinstance(raw, list):
        raise body_error(
            [*path, "value"],
            "Expected an object, string, number or boolean (one item per value, no arrays).",
            expected="object | string | number | boolean",
            received=json_type(raw),
        )
    since = _moment([*path, "active_from"], item.get("active_from", MISSING), now)
    if "active_until" not in item:
        raise body_error(
            [*path, "active_until"],
            "Required: give null for a value that is still active.",
            expected="string | null",
            received="undefined",
        )
    until = (
        None if item["active_until"] is None else _moment([*path, "active_until"], item["active_until"], now)
    )
    if until is not None and until <= since:
        raise body_error([*path, "active_until"], "active_until must be later than active_from.")
    return Item(raw, since, until)


def _moment(path: list[str | int], text: Any, now: datetime) -> datetime:
    """An RFC 3339 date-time no later than ``now``, or the 400."""
    if not isinstance(text, str):
        raise body_error(
            path,
            "Required" if text is MISSING else "Expected string",
            expected="string",
            received=json_type(text),
        )
    try:
        if not _RFC3339.match(text):
            raise ValueError(text)
        moment = parse_ts(text.upper())
    except (ValueError, OverflowError):
        raise body_error(path, "Invalid datetime (RFC 3339, e.g. 2021-06-15T09:30:00Z).") from None
    if moment > now:
        raise body_error(path, "Values cannot be active from or until a moment in the future.")
    return moment


def check_history_writable(ws: Workspace, attr: Attribute) -> None:
    """Refuse immutable system attributes and relationship sides (``system_edit_unauthorized``) and
    attributes whose values Attio computes: enriched, interaction and other read-only ones
    (``formula_edit_unauthorized``)."""
    slug = attr.api_slug
    if attr.is_system_attribute and slug in IMMUTABLE_SYSTEM_SLUGS:
        raise ApiError(
            f'Cannot write the value history of the system attribute with slug "{slug}".',
            code="system_edit_unauthorized",
        )
    if attr.relationship_id:
        raise ApiError(
            f'Cannot write the value history of attribute with slug "{slug}": it is one side of a relationship.',
            code="system_edit_unauthorized",
        )
    if ws.is_enriched(attr) or attr.type == "interaction" or not attr.is_writable:
        raise ApiError(
            f'Cannot write the value history of attribute with slug "{slug}": its values are computed by Attio.',
            code="formula_edit_unauthorized",
        )


def refuse_entry_parent() -> ApiError:
    """The 400 for writing the history of an entry's parent record."""
    return ApiError(
        "Cannot write the value history of an entry's parent record: it cannot be changed.",
        code="system_edit_unauthorized",
    )


def _stamp(ws: Workspace, attr: Attribute, item: Item, actor: JSON) -> JSON:
    value = parse_input(ws, attr, item.raw)
    value.update(
        active_from=format_ts(item.since),
        active_until=format_ts(item.until) if item.until else None,
        created_by_actor=actor,
        attribute_type=attr.type,
    )
    return value


def _overlapping(items: list[Item]) -> bool:
    """Whether any two of ``items`` are active at the same moment (touching ends do not overlap)."""
    ordered = sorted(items, key=lambda i: i.since)
    return any(before.until is None or before.until > after.since for before, after in pairwise(ordered))


def _check_intervals(attr: Attribute, items: list[Item], values: list[JSON]) -> None:
    if not attr.is_multiselect:
        if _overlapping(items):
            raise ApiError(OVERLAP_MESSAGE, code="multiple_values_for_single_value_attribute")
        return
    same: dict[Any, list[Item]] = {}
    for item, value in zip(items, values, strict=True):
        same.setdefault(value_key(attr.type, value), []).append(item)
    if any(_overlapping(group) for group in same.values()):
        raise ApiError(
            f'The same value of attribute with slug "{attr.api_slug}" may not be active twice at the same time.',
            code="duplicate_values",
        )


def write_history(
    ws: Workspace, rec: Record, attr: Attribute, body: Any, actor: JSON, *, kind: str = "record"
) -> list[JSON]:
    """Replace the whole history of ``rec``'s ``attr`` with the values ``body`` supplies; returns them in
    read shape, oldest ``active_from`` first."""
    items = read_body(body)
    check_history_writable(ws, attr)
    values = [_stamp(ws, attr, item, actor) for item in items]
    _check_intervals(attr, items, values)
    current = [v for v in values if v["active_until"] is None]
    if attr.is_required and not current:
        raise ApiError(
            f'Required value for attribute with ID "{attr.id}" was not provided.', code="missing_value"
        )
    check_uniqueness(ws, rec, [Change(attr, current)])
    _store(ws, rec, attr, current, [v for v in values if v["active_until"] is not None], kind)
    return historic_values(rec, attr, show_historic=True)


def _store(
    ws: Workspace, rec: Record, attr: Attribute, current: list[JSON], ended: list[JSON], kind: str
) -> None:
    if attr.is_unique:
        for old in rec.values.get(attr.id, []):
            ws.unique_index.pop((attr.id, value_key(attr.type, old)), None)
        for new in current:
            ws.unique_index[(attr.id, value_key(attr.type, new))] = rec.id
    rec.values[attr.id] = current
    rec.history.pop(attr.id, None)
    if ended:
        rec.history[attr.id] = ended
    ws.save_record(rec, kind)

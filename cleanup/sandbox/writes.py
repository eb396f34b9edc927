"""Writing values to records and entries with Attio's semantics.

* create and PUT replace multiselect values; PATCH adds new ones in front and never removes;
* assert replaces every multiselect attribute except the matching one, which it appends to;
* single-value attributes take the new value; the old one moves to history (``active_until`` set);
* unique attributes are checked before anything is stored (400 ``uniqueness_conflict``);
* required attributes cannot be left empty (400 ``missing_value``);
* record references with a relationship keep the paired attribute on the other record in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from .clock import now_ts
from .errors import (
    ApiError,
    UniquenessConflict,
    ValidationError,
    ValueNotFound,
    body_error,
    invalid_value,
    json_type,
)
from .model import Attribute, Record, SelectOption, Status
from .value_types import parse_value, value_key
from .workspace import Workspace

JSON = dict[str, Any]
Mode = Literal["create", "patch", "put", "assert"]


@dataclass
class Change:
    """The new list of current values for one attribute of one record."""

    attr: Attribute
    values: list[JSON]


def _resolve_live(ws: Workspace, attr: Attribute, parsed: JSON) -> JSON:
    if isinstance(parsed.get("option"), SelectOption):
        parsed["option"] = attr.option_to_api(ws.id, parsed["option"])
    if isinstance(parsed.get("status"), Status):
        parsed["status"] = attr.status_to_api(ws.id, parsed["status"])
    return parsed


def parse_input(ws: Workspace, attr: Attribute, raw: Any) -> JSON:
    """One write input for ``attr`` in its read shape (without the common keys), or the 400 an update sends."""
    return _resolve_live(ws, attr, parse_value(attr, raw, ws))


def _as_items(attr: Attribute, raw: Any) -> list[Any]:
    if raw is None:
        return []
    if isinstance(raw, list):
        if not attr.is_multiselect and len(raw) > 1:
            raise invalid_value(attr.api_slug, "This attribute accepts a single value.")
        return raw
    if attr.is_multiselect:
        raise invalid_value(attr.api_slug, "Multiselect attributes must be given an array of values.")
    return [raw]


def plan_changes(
    ws: Workspace,
    parent_id: str,
    rec: Record | None,
    values: Any,
    mode: Mode,
    *,
    matching_attr: Attribute | None = None,
    check_unique: bool = True,
) -> list[Change]:
    """Validate ``values`` and work out the new current values; raises before anything is stored."""
    if not isinstance(values, dict):
        raise body_error(["data", "values"], "Expected object", expected="object", received=json_type(values))
    changes: list[Change] = []
    seen: set[str] = set()
    for key, raw in values.items():
        attr = ws.find_attribute(parent_id, key)
        if attr is None:
            raise ValueNotFound(f'Cannot find attribute with slug/ID "{key}".')
        if attr.id in seen:
            raise ValidationError(f'Attribute "{attr.api_slug}" was given more than once.')
        seen.add(attr.id)
        if not attr.is_writable:
            raise ValidationError(
                f'Cannot write to attribute with slug "{attr.api_slug}": it is not writable.',
                code="immutable_value",
            )
        parsed: list[JSON] = []
        keys: set[Any] = set()
        for item in _as_items(attr, raw):
            value = parse_input(ws, attr, item)
            k = value_key(attr.type, value)
            if k not in keys:
                keys.add(k)
                parsed.append(value)
        current = rec.values.get(attr.id, []) if rec else []
        appending = mode == "patch" or (mode == "assert" and attr is matching_attr)
        if attr.is_multiselect and appending:
            present = {value_key(attr.type, v) for v in current}
            new = [v for v in parsed if value_key(attr.type, v) not in present] + list(current)
        else:
            new = parsed
        if attr.is_required and not new:
            raise ApiError(
                f'Required value for attribute with ID "{attr.id}" was not provided.', code="missing_value"
            )
        changes.append(Change(attr, new))
    if mode == "create" or (mode == "assert" and rec is None):
        given = {c.attr.id for c in changes}
        for attr in ws.attributes_of(parent_id):
            if attr.is_required and attr.id not in given:
                raise ApiError(
                    f'Required value for attribute with ID "{attr.id}" was not provided.',
                    code="missing_value",
                )
    if check_unique:
        check_uniqueness(ws, rec, changes)
    return changes


def check_uniqueness(ws: Workspace, rec: Record | None, changes: list[Change]) -> None:
    """Attio's 400 ``uniqueness_conflict`` if a unique attribute's new value is held by another record."""
    for change in changes:
        if not change.attr.is_unique:
            continue
        for value in change.values:
            holder = ws.unique_index.get((change.attr.id, value_key(change.attr.type, value)))
            if holder is not None and (rec is None or holder != rec.id):
                raise UniquenessConflict(
                    f'A value provided for attribute with slug "{change.attr.api_slug}" conflicts with one '
                    "already in the system. This attribute has a uniqueness constraint, so each value must be "
                    "unique across all records."
                )


def apply_changes(
    ws: Workspace, rec: Record, changes: list[Change], actor: JSON, *, kind: str = "record"
) -> None:
    """Store planned changes on ``rec``: superseded values get ``active_until``, new ones are stamped."""
    moment = now_ts()
    relink: list[tuple[Attribute, set[str], set[str]]] = []
    for change in changes:
        attr = change.attr
        old = rec.values.get(attr.id, [])
        old_by_key = {value_key(attr.type, v): v for v in old}
        new_values: list[JSON] = []
        for value in change.values:
            k = value_key(attr.type, value)
            if k in old_by_key and _same(old_by_key[k], value):
                new_values.append(old_by_key.pop(k))
            else:
                stamped = dict(value)
                stamped.update(
                    active_from=moment, active_until=None, created_by_actor=actor, attribute_type=attr.type
                )
                new_values.append(stamped)
        if attr.is_unique:
            for v in old:
                ws.unique_index.pop((attr.id, value_key(attr.type, v)), None)
            for v in new_values:
                ws.unique_index[(attr.id, value_key(attr.type, v))] = rec.id
        for gone in old_by_key.values():
            ended = dict(gone)
            ended["active_until"] = moment
            rec.history.setdefault(attr.id, []).append(ended)
        rec.values[attr.id] = new_values
        if attr.type == "record-reference" and attr.relationship_id:
            before = {v["target_record_id"] for v in old}
            after = {v["target_record_id"] for v in new_values}
            relink.append((attr, after - before, before - after))
    ws.save_record(rec, kind)
    for attr, added, removed in relink:
        _sync_relationship(ws, rec, attr, added, removed, actor)


def _same(a: JSON, b: JSON) -> bool:
    skip = {"active_from", "active_until", "created_by_actor", "attribute_type"}
    return {k: v for k, v in a.items() if k not in skip} == {k: v for k, v in b.items() if k not in skip}


def _sync_relationship(
    ws: Workspace, rec: Record, attr: Attribute, added: set[str], removed: set[str], actor: JSON
) -> None:
    """Mirror a change of ``rec.attr`` onto the paired attribute of the records it now (or no longer) points at."""
    assert attr.relationship_id
    assert attr.relationship_object_id
    pair = next(a for a in ws.attributes[attr.relationship_object_id] if a.id == attr.relationship_id)
    here = {"target_object": ws.object_slug(rec.parent_id), "target_record_id": rec.id}
    for target_id in removed:
        target = ws.records[pair.parent_id].get(target_id)
        if target is None:
            continue
        current = target.values.get(pair.id, [])
        kept = [v for v in current if v["target_record_id"] != rec.id]
        if len(kept) != len(current):
            apply_changes(ws, target, [Change(pair, kept)], actor)
    for target_id in added:
        target = ws.records[pair.parent_id].get(target_id)
        if target is None:
            continue
        current = target.values.get(pair.id, [])
        if any(v["target_record_id"] == rec.id for v in current):
            continue
        new = [here, *current] if pair.is_multiselect else [here]
        apply_changes(ws, target, [Change(pair, new)], actor)


def system_values(ws: Workspace, rec: Record, actor: JSON) -> None:
    """Stamp the system attributes every new record or entry has (record_id/entry_id, created_at, created_by)."""
    stamp = {"active_from": rec.created_at, "active_until": None, "created_by_actor": actor}
    for attr in ws.attributes_of(rec.parent_id):
        if attr.api_slug in ("record_id", "entry_id") and attr.is_system_attribute:
            rec.values[attr.id] = [{"value": rec.id, **stamp, "attribute_type": "text"}]
        elif attr.api_slug == "created_at" and attr.is_system_attribute:
            rec.values[attr.id] = [{"value": rec.created_at, **stamp, "attribute_type": "timestamp"}]
        elif attr.api_slug == "created_by" and attr.is_system_attribute:
            rec.values[attr.id] = [
                {
                    "referenced_actor_type": actor["type"],
                    "referenced_actor_id": actor["id"],
                    **stamp,
                    "attribute_type": "actor-reference",
                }
            ]

"""Record and entry operations: create, assert, update, delete, merge, search, historic values."""

from __future__ import annotations

import time
from typing import Any

from .clock import now_ts
from .errors import ApiError, NotFound, ValidationError, ValueNotFound, body_error, json_type
from .model import Attribute, Record
from .value_types import value_key
from .workspace import Workspace
from .writes import Change, apply_changes, plan_changes, system_values

JSON = dict[str, Any]


FREE_MAIL_DOMAINS = frozenset(
    "gmail.com googlemail.com outlook.com hotmail.com live.com msn.com yahoo.com ymail.com icloud.com me.com "
    "mac.com aol.com proton.me protonmail.com gmx.com gmx.de gmx.net web.de mail.com zoho.com yandex.com "
    "fastmail.com hey.com qq.com 163.com".split()
)


def create_record(
    ws: Workspace, object_id: str, values: Any, actor: JSON, *, company_from_email: bool = False
) -> Record:
    """Create a record. With ``company_from_email`` (Attio's behaviour for new people), a person without a
    company is linked to the company of their work email's domain, which is created if none has it."""
    changes = plan_changes(ws, object_id, None, values, "create")
    rec = Record(id=ws.make_id("record"), parent_id=object_id, created_at=now_ts())
    system_values(ws, rec, actor)
    ws.insert_record(rec)
    apply_changes(ws, rec, changes, actor)
    if company_from_email and ws.object_slug(object_id) == "people":
        link_company_from_email(ws, rec)
    return rec


def link_company_from_email(ws: Workspace, person: Record) -> None:
    """Attio's side effect of creating a person: match or create a company from a work email's domain."""
    company_attr = ws.find_attribute(person.parent_id, "company")
    email_attr = ws.find_attribute(person.parent_id, "email_addresses")
    companies = ws.object_id_for("companies")
    domains_attr = ws.find_attribute(companies, "domains") if companies else None
    if not (company_attr and email_attr and companies and domains_attr) or person.values.get(company_attr.id):
        return
    system: JSON = {"type": "system", "id": None}
    for email in person.values.get(email_attr.id, []):
        root = email["email_root_domain"]
        if root in FREE_MAIL_DOMAINS:
            continue
        holder = ws.unique_index.get((domains_attr.id, email["email_domain"])) or ws.unique_index.get(
            (domains_attr.id, root)
        )
        if holder is None:
            name = root.split(".", 1)[0].replace("-", " ").title()
            holder = create_record(ws, companies, {"domains": [root], "name": name}, system).id
        ref = {"target_object": "companies", "target_record_id": holder}
        apply_changes(ws, person, [Change(company_attr, [ref])], system)
        return


def assert_record(
    ws: Workspace,
    object_id: str,
    matching: str,
    values: Any,
    actor: JSON,
    *,
    company_from_email: bool = False,
) -> Record:
    """Upsert on a unique ``matching`` attribute, as ``PUT /records?matching_attribute=`` does."""
    attr = ws.find_attribute(object_id, matching)
    if attr is None:
        raise ValueNotFound(f'No attribute was found for matching_attribute slug/ID "{matching}".')
    if not attr.is_unique:
        raise ApiError(
            "The matching attribute specified is not a unique attribute.",
            code="matching_attribute_definition_not_unique",
        )
    if not isinstance(values, dict):
        raise body_error(["data", "values"], "Expected object", expected="object", received=json_type(values))
    given = next((v for k, v in values.items() if k in (attr.api_slug, attr.id)), None)
    if given is None:
        raise ValidationError(
            f'The request did not include a value for the matching attribute "{attr.api_slug}".'
        )
    probe = plan_changes(ws, object_id, None, {attr.api_slug: given}, "put", check_unique=False)[0].values
    holders = {ws.unique_index.get((attr.id, value_key(attr.type, v))) for v in probe} - {None}
    if len(holders) > 1:
        raise ApiError("Multiple records match the matching attribute values.", code="multiple_match_results")
    if not holders:
        return create_record(ws, object_id, values, actor, company_from_email=company_from_email)
    rec = ws.records[object_id][holders.pop()]  # type: ignore[index]
    changes = plan_changes(ws, object_id, rec, values, "assert", matching_attr=attr)
    apply_changes(ws, rec, changes, actor)
    return rec


def update_record(
    ws: Workspace, rec: Record, values: Any, actor: JSON, *, replace: bool, kind: str = "record"
) -> Record:
    """PATCH (``replace=False``, append multiselect) or PUT (``replace=True``, overwrite multiselect)."""
    changes = plan_changes(ws, rec.parent_id, rec, values, "put" if replace else "patch")
    apply_changes(ws, rec, changes, actor, kind=kind)
    return rec


def _references_to(ws: Workspace, record_ids: set[str]) -> list[tuple[Record, Attribute, str]]:
    """Every (record or entry, record-reference attribute, kind) whose current values point at ``record_ids``."""
    found = []
    for parent_id, attrs in ws.attributes.items():
        refs = [a for a in attrs if a.type == "record-reference"]
        if not refs:
            continue
        kind = "entry" if parent_id in ws.entries else "record"
        for rec in ws.container(parent_id).values():
            for attr in refs:
                if any(v["target_record_id"] in record_ids for v in rec.values.get(attr.id, [])):
                    found.append((rec, attr, kind))
    return found


def delete_record(ws: Workspace, rec: Record, actor: JSON) -> None:
    """Delete a record and what Attio deletes with it: its list entries, its notes, references to it."""
    for rec_ref, attr, kind in _references_to(ws, {rec.id}):
        kept = [v for v in rec_ref.values.get(attr.id, []) if v["target_record_id"] != rec.id]
        apply_changes(ws, rec_ref, [Change(attr, kept)], actor, kind=kind)
    for entries in ws.entries.values():
        for entry in [e for e in entries.values() if e.parent_record_id == rec.id]:
            ws.remove_record(entry, "entry")
    for note in [n for n in ws.notes.values() if n.parent_record_id == rec.id]:
        del ws.notes[note.id]
        ws.store.delete("notes", note.id)
    for task in ws.tasks.values():
        links = [lr for lr in task.linked_records if lr["target_record_id"] != rec.id]
        if len(links) != len(task.linked_records):
            task.linked_records = links
            ws.save_task(task)
    ws.remove_record(rec)


def merge_records(
    ws: Workspace, object_id: str, primary_id: str, secondary_id: str, actor: JSON, delay_s: float
) -> tuple[str, bool]:
    """Attio's native merge: a new record with the primary's values winning; both originals gone.

    Returns the new record id and whether the merge is complete (200) or still applying (202).
    """
    if primary_id == secondary_id:
        raise ApiError("Cannot merge a record with itself.", code="self_merge")
    records = ws.records[object_id]
    missing = [r for r in (primary_id, secondary_id) if r not in records]
    if missing:
        raise NotFound(f'Record with ID "{missing[0]}" not found.')
    primary, secondary = records[primary_id], records[secondary_id]
    merged = Record(
        id=ws.make_id("record"), parent_id=object_id, created_at=min(primary.created_at, secondary.created_at)
    )
    system_values(ws, merged, actor)
    ws.unindex_unique(primary)
    ws.unindex_unique(secondary)
    for attr in ws.attributes_of(object_id, archived=True):
        if attr.api_slug in ("record_id", "created_at", "created_by"):
            continue
        chosen = primary.values.get(attr.id) or secondary.values.get(attr.id) or []
        if chosen:
            merged.values[attr.id] = [dict(v) for v in chosen]
        history = primary.history.get(attr.id, []) + secondary.history.get(attr.id, [])
        if history:
            merged.history[attr.id] = history
    old_ids = {primary_id, secondary_id}
    for rec in (primary, secondary):
        records.pop(rec.id)
        ws.store.delete("records", rec.id)
        ws.merged[rec.id] = merged.id
        ws.store.put("meta", "merged", rec.id, {"new_id": merged.id})
    ws.insert_record(merged)
    _repoint(ws, object_id, old_ids, merged.id)
    if delay_s > 0:
        ws.pending_merges[merged.id] = time.monotonic() + delay_s
        return merged.id, False
    return merged.id, True


def _repoint(ws: Workspace, object_id: str, old_ids: set[str], new_id: str) -> None:
    slug = ws.object_slug(object_id)
    for rec, attr, kind in _references_to(ws, old_ids):
        seen: set[str] = set()
        values = []
        for value in rec.values.get(attr.id, []):
            moved = value
            if value["target_record_id"] in old_ids:
                moved = {**value, "target_object": slug, "target_record_id": new_id}
            if moved["target_record_id"] not in seen:
                seen.add(moved["target_record_id"])
                values.append(moved)
        rec.values[attr.id] = values
        ws.save_record(rec, kind)
    for entries in ws.entries.values():
        for entry in entries.values():
            if entry.parent_record_id in old_ids:
                entry.parent_record_id = new_id
                ws.save_record(entry, "entry")
    for note in ws.notes.values():
        if note.parent_record_id in old_ids:
            note.parent_record_id = new_id
            ws.save_note(note)
    for task in ws.tasks.values():
        if any(lr["target_record_id"] in old_ids for lr in task.linked_records):
            task.linked_records = [
                {**lr, "target_record_id": new_id} if lr["target_record_id"] in old_ids else lr
                for lr in task.linked_records
            ]
            ws.save_task(task)


def historic_values(rec: Record, attr: Attribute, *, show_historic: bool) -> list[JSON]:
    """Current values, or with ``show_historic`` every value sorted oldest to newest by ``active_from``."""
    current = rec.values.get(attr.id, [])
    if not show_historic:
        return list(current)
    return sorted(rec.history.get(attr.id, []) + list(current), key=lambda v: v["active_from"])


def create_entry(
    ws: Workspace, list_id: str, parent_object: str, parent_record_id: str, values: Any, actor: JSON
) -> Record:
    li = ws.lists[list_id]
    obj = ws.object(parent_object)
    if obj.id != li.parent_object_id or parent_record_id not in ws.records[obj.id]:
        raise ValueNotFound(f'Parent record with slug/ID "{parent_record_id}" not found.')
    changes = plan_changes(ws, list_id, None, values, "create")
    entry = Record(
        id=ws.make_id("entry"),
        parent_id=list_id,
        created_at=now_ts(),
        parent_record_id=parent_record_id,
        parent_object_id=obj.id,
    )
    system_values(ws, entry, actor)
    ws.insert_record(entry, "entry")
    apply_changes(ws, entry, changes, actor, kind="entry")
    return entry


def assert_entry(
    ws: Workspace, list_id: str, parent_object: str, parent_record_id: str, values: Any, actor: JSON
) -> Record:
    """``PUT /lists/{list}/entries``: update the parent's only entry (overwriting multiselects) or create one."""
    existing = [e for e in ws.entries[list_id].values() if e.parent_record_id == parent_record_id]
    if len(existing) > 1:
        raise ApiError(
            "Multiple entries were found for the given parent record; cannot determine which to update.",
            code="multiple_match_results",
        )
    if not existing:
        return create_entry(ws, list_id, parent_object, parent_record_id, values, actor)
    return update_record(ws, existing[0], values, actor, replace=True, kind="entry")


def search_records(ws: Workspace, query: str, object_ids: list[str], limit: int) -> list[JSON]:
    """``records/search``: case-insensitive substring match on names, domains, emails and phones."""
    needle = query.strip().lower()
    out: list[JSON] = []
    for object_id in object_ids:
        slug = ws.object_slug(object_id)
        attrs = {a.api_slug: a for a in ws.attributes_of(object_id)}
        for rec in ws.records[object_id].values():
            text = _record_text(rec, attrs)
            haystack = [text.lower()]
            emails = (
                [v["email_address"] for v in rec.values.get(attrs["email_addresses"].id, [])]
                if "email_addresses" in attrs
                else []
            )
            phones = (
                [v["phone_number"] for v in rec.values.get(attrs["phone_numbers"].id, [])]
                if "phone_numbers" in attrs
                else []
            )
            domains = (
                [v["domain"] for v in rec.values.get(attrs["domains"].id, [])] if "domains" in attrs else []
            )
            haystack += emails + phones + domains
            if needle and not any(needle in h for h in haystack):
                continue
            item: JSON = {
                "id": {"workspace_id": ws.id, "object_id": object_id, "record_id": rec.id},
                "record_text": text,
                "record_image": None,
                "object_slug": slug,
            }
            if slug == "people":
                item["email_addresses"] = emails
                item["phone_numbers"] = phones
            if slug == "companies":
                item["domains"] = domains
            out.append(item)
            if len(out) >= limit:
                return out
    return out


def _record_text(rec: Record, attrs: dict[str, Attribute]) -> str:
    name = attrs.get("name")
    if name is None:
        return rec.id
    values = rec.values.get(name.id, [])
    if not values:
        return ""
    value = values[0]
    return str(value.get("full_name", value.get("value", "")))

"""The requests behind each simple step, and how to find what an unanswered create may have made.

A step is one write: ``delete``, ``update``, ``create`` (a note or an entry), ``create_record`` or
``assert``. Creates are the only writes Attio cannot take twice, so after an unclear answer (or a crash
between sending and journalling) the executor looks for their result before sending again:
a note by parent, title, content and ``created_at``; a record by a unique value it was created with; an
entry by its parent record, among that parent's entries in the list made since the step was sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import orjson

from ..actions import Action
from ..client import AsyncAttioClient, endpoints
from ..values.timestamps import parse_timestamp
from .hanging import notes_of
from .payloads import (
    EntryPayload,
    HistoryPayload,
    NotePayload,
    NoteUpdatePayload,
    TaskPayload,
    ValuesPayload,
    parse,
)
from .rows import Row
from .shape import filter_value
from .stepping import looking_first

JSON = dict[str, Any]
MADE = "@made:"  # a placeholder for the id another row makes: "@made:<action id>"
# How far Attio's clock may be behind ours when a created entry is looked for by its creation time.
CLOCK_SKEW = timedelta(minutes=5)


def target_path(row: Row) -> str:
    """The API path of a row's target."""
    action = Action(row["action"])
    if action == Action.UPDATE_TASK:
        return endpoints.task(row["target_id"])
    if action.value.endswith("_note"):
        return endpoints.note(row["target_id"])
    if action.value.endswith("_entry") or (action == Action.WRITE_HISTORY and row["list"]):
        return endpoints.entry(row["list"], row["target_id"])
    return endpoints.record(row["object"], row["target_id"])


def history_path(row: Row, attribute: str) -> str:
    """The path of an attribute's values on a row's target record (or entry, when the row has a list)."""
    if row["list"]:
        return endpoints.attribute_values("lists", row["list"], row["target_id"], attribute)
    return endpoints.attribute_values("objects", row["object"], row["target_id"], attribute)


def payload_of(row: Row) -> JSON:
    return orjson.loads(row["payload"]) if row["payload"] else {}


def made_by(action_id: str) -> str:
    """The placeholder a row's payload or target holds for the id another row of its run makes: the executor
    puts the id in before it sends the row (which waits for that row through ``depends_on``)."""
    return f"{MADE}{action_id}"


def placeholders(row: Row) -> set[str]:
    """The rows whose made ids this row's target or payload holds (:func:`made_by`): whole string values
    only, so a note's text that happens to hold the marker is left alone."""
    found: set[str] = set()
    _walk(row["target_id"], found.add)
    if row["payload"] and MADE in row["payload"]:
        _walk(orjson.loads(row["payload"]), found.add)
    return found


def with_made(row: Row, made: dict[str, str]) -> Row:
    """The row with each placeholder replaced by the id its row made (``made``: action id → id); a
    placeholder whose row made nothing stays."""
    if not made:
        return row
    target = _walk(row["target_id"], None, made)
    payload = row["payload"]
    if payload and MADE in payload:
        payload = orjson.dumps(_walk(orjson.loads(payload), None, made)).decode()
    return Row(**{**row, "target_id": target, "payload": payload})


def _walk(value: Any, seen: Callable[[str], None] | None, made: dict[str, str] | None = None) -> Any:
    """``value`` with its placeholders replaced from ``made`` (each one found passed to ``seen``)."""
    if isinstance(value, str) and value.startswith(MADE):
        action_id = value.removeprefix(MADE)
        if seen is not None:
            seen(action_id)
        return made.get(action_id, value) if made else value
    if isinstance(value, dict):
        return {k: _walk(v, seen, made) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, seen, made) for v in value]
    return value


def note_body(row: Row, parent_record_id: str | None = None) -> JSON:
    """The ``POST /v2/notes`` body of a ``create_note`` or ``recreate_note`` row."""
    note = parse(Action(row["action"]), row["payload"])
    assert isinstance(note, NotePayload)
    return note.body(parent_record_id)


def entry_body(row: Row, parent_record_id: str | None = None) -> JSON:
    entry = parse(Action(row["action"]), row["payload"])
    assert isinstance(entry, EntryPayload)
    return entry.body(parent_record_id)


def values_of(row: Row) -> ValuesPayload:
    """The values a record or entry write sends (and how)."""
    values = parse(Action(row["action"]), row["payload"])
    assert isinstance(values, ValuesPayload)
    return values


def record_values(row: Row) -> JSON:
    return values_of(row).values


async def send(client: AsyncAttioClient, row: Row, step: str, parent: str | None = None) -> str | None:
    """Send one step; returns the id it created (or asserted), if any."""
    action = Action(row["action"])
    if step == "delete":
        await client.delete(target_path(row))
        return None
    if step == "create" and action == Action.CREATE_ENTRY:
        body = await client.post(endpoints.entries(row["list"]), {"data": entry_body(row, parent)})
        return str(body["data"]["id"]["entry_id"])
    if step == "create":
        body = await client.post(endpoints.notes(), {"data": note_body(row, parent)})
        return str(body["data"]["id"]["note_id"])
    if step == "create_record":
        body = await client.post(endpoints.records(row["object"]), {"data": {"values": record_values(row)}})
        return str(body["data"]["id"]["record_id"])
    if step == "assert":
        asserted = values_of(row)
        body = await client.put(
            endpoints.records(row["object"]),
            {"data": {"values": asserted.values}},
            params={"matching_attribute": asserted.matching_attribute},
        )
        return str(body["data"]["id"]["record_id"])
    payload = parse(action, row["payload"])
    if isinstance(payload, NoteUpdatePayload):
        await client.patch(target_path(row), {"data": payload.changes()})
        return None
    if isinstance(payload, HistoryPayload):
        body = {"data": {"values": list(payload.values), "replace_history": True}}
        await client.put(history_path(row, payload.attribute), body)
        return None
    if isinstance(payload, TaskPayload):
        await client.patch(target_path(row), {"data": {"linked_records": list(payload.linked_records)}})
        return None
    update = values_of(row)
    body = {"data": {update.key: update.values}}
    if update.overwrite:  # every value as given (a restore): multiselects replaced, not appended to
        await client.put(target_path(row), body)
    else:
        await client.patch(target_path(row), body)
    return None


async def create_looking_first(
    client: AsyncAttioClient, path: str, body: JSON, id_key: str, look: Callable[[], Awaitable[str | None]]
) -> tuple[str, bool]:
    """POST a create; after each unclear answer, look for what it may have made before sending it again
    (:func:`.stepping.looking_first`). Returns (the id, whether it was found rather than made)."""

    async def post() -> str:
        made = await client.post(path, {"data": body})
        return str(made["data"]["id"][id_key])

    made = await looking_first(post, look)
    assert made.id is not None
    return made.id, made.detail is not None


async def find_created(
    client: AsyncAttioClient,
    row: Row,
    step: str,
    *,
    parent: str | None,
    sent_at: str | None,
    unique: set[str],
    claimed: set[str],
) -> str | None:
    """What an unanswered create of this row may have made (``None``: nothing, it is safe to send again).

    ``claimed`` holds ids other steps of the run already made, which are never taken for this one's.
    """
    action = Action(row["action"])
    if step == "create" and action == Action.CREATE_ENTRY:
        return await _find_entry(client, row, parent, sent_at, claimed)
    if step == "create":
        return await find_note(client, row, parent, claimed)
    if step == "create_record":
        return await _find_record(client, row, unique, claimed)
    return None


async def find_note(client: AsyncAttioClient, row: Row, parent: str | None, claimed: set[str]) -> str | None:
    wanted = note_body(row, parent)
    for note in await notes_of(client, wanted["parent_object"], wanted["parent_record_id"]):
        note_id = str(note["id"]["note_id"])
        if note_id == row["target_id"] or note_id in claimed:
            continue
        same_text = wanted.get("content") in (note.get("content_markdown"), note.get("content_plaintext"))
        same_date = "created_at" not in wanted or _same_time(note.get("created_at"), wanted["created_at"])
        if note.get("title") == wanted.get("title") and same_text and same_date:
            return note_id
    return None


async def _find_entry(
    client: AsyncAttioClient, row: Row, parent: str | None, sent_at: str | None, claimed: set[str]
) -> str | None:
    body = entry_body(row, parent)
    since = datetime.fromisoformat(sent_at) - CLOCK_SKEW if sent_at else None
    refs = await client.all_items(
        "GET",
        endpoints.record_entries(body["parent_object"], body["parent_record_id"]),
        page_size=endpoints.RECORD_ENTRIES_PAGE,
        concurrency=1,
    )
    for ref in refs:
        if ref["list_api_slug"] != row["list"] or ref["entry_id"] in claimed:
            continue
        if since is None or parse_timestamp(ref["created_at"]) >= since:
            return str(ref["entry_id"])
    return None


async def _find_record(client: AsyncAttioClient, row: Row, unique: set[str], claimed: set[str]) -> str | None:
    values = record_values(row)
    keys = [slug for slug in values if slug in unique and values[slug] not in (None, [], "")]
    if not keys:
        raise LookupError(
            "a record create got no answer and the row writes no unique attribute to look it up by; "
            "check the workspace by hand, then mark the step done or resend (or use assert_record)"
        )
    slug = keys[0]
    body = await client.post(
        endpoints.records_query(row["object"]),
        {"filter": {slug: filter_value(values[slug])}, "limit": 5},
    )
    for record in body["data"]:
        record_id = str(record["id"]["record_id"])
        if record_id not in claimed:
            return record_id
    return None


def _same_time(read: str | None, wanted: str) -> bool:
    if read is None:
        return False
    try:
        return parse_timestamp(read) == parse_timestamp(wanted)
    except ValueError:
        return read == wanted

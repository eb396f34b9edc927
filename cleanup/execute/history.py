"""Value histories: read into the backup for every attribute a run touches, and written back by a restore.

Attio keeps each attribute's past values with the time each was active (``show_historic=true``). A merge,
a delete or an overwrite ends that history; since 2026 the API can write it again
(``PUT …/attributes/{attribute}/values``, ``attio-api-2026.md`` §3), for attributes that are writable and
neither a relationship, enriched, computed nor filled by Attio (:func:`.shape.history_writable`).

The backup keeps one item per (record or entry, attribute) in the part :data:`HISTORY_PART`, its id
:func:`history_key` and its raw JSON the list of values as read. A restore turns them into
``write_history`` rows (:func:`history_rows`) that run last, over the values the restore put back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

import orjson

from ..actions import Action
from ..client import AsyncAttioClient, endpoints
from ..client.endpoints import Target
from ..client.errors import NotFoundError
from ..export.schema import AttributeInfo, WorkspaceSchema
from .journal import KeptReads
from .payloads import ValuesPayload, parse
from .rows import Row
from .shape import history_writable, write_payload

JSON = dict[str, Any]
HISTORY_PART = "history"
NO_ENDPOINT = "the server cannot write value history (no history write endpoint): current values only"
Wanted = tuple[Target, str, str, str]  # (objects|lists, slug, record or entry id, attribute slug)


def history_key(target: Target, identifier: str, item_id: str, attribute: str) -> str:
    """A history's id in the backup: ``objects/companies/<record id>/name``."""
    return "/".join((target, identifier, item_id, attribute))


def _attributes(schema: WorkspaceSchema, target: Target, identifier: str) -> dict[str, AttributeInfo]:
    container = schema.lists.get(identifier) if target == "lists" else schema.objects.get(identifier)
    return {a.slug: a for a in container.attributes if history_writable(a)} if container else {}


def _valued(raw: str | None, key: str) -> set[str]:
    """The attributes an item (raw JSON as read) holds a value for."""
    if raw is None:
        return set()
    values = orjson.loads(raw).get(key) or {}
    return {slug for slug, items in values.items() if items}


def histories_wanted(
    rows: Iterable[Row], backed_up: dict[str, list[tuple[str, str]]], schema: WorkspaceSchema
) -> list[Wanted]:
    """The histories a run's backup keeps: per record it merges (both sides) or deletes, and per entry it
    deletes, every attribute either side holds a value for; per update, the attributes it writes; per history write, its attribute.
    (An assert that updated a record is put back by its current values only.)"""
    raw_of = {(part, item_id): raw for part, pairs in backed_up.items() for item_id, raw in pairs}
    wanted: dict[Wanted, None] = {}

    def want(target: Target, identifier: str, item_id: str, slugs: Iterable[str]) -> None:
        allowed = _attributes(schema, target, identifier)
        for slug in sorted(set(slugs) & allowed.keys()):
            wanted[(target, identifier, item_id, slug)] = None

    for row in rows:
        action, part = Action(row["action"]), row["part"]
        if (part, row["target_id"]) not in raw_of:
            continue  # skipped (gone, drifted) or made by the run: nothing to keep
        if action == Action.MERGE_RECORDS:
            sides = [row["target_id"], row["survivor_id"]]
            slugs = set().union(*(_valued(raw_of.get((part, side)), "values") for side in sides))
            for side in sides:
                want("objects", row["object"], side, slugs)
        elif action == Action.DELETE_RECORD:
            want(
                "objects",
                row["object"],
                row["target_id"],
                _valued(raw_of[(part, row["target_id"])], "values"),
            )
        elif action == Action.DELETE_ENTRY:
            raw = raw_of[(part, row["target_id"])]
            want("lists", row["list"], row["target_id"], _valued(raw, "entry_values"))
        elif action in (Action.UPDATE_RECORD, Action.UPDATE_ENTRY):
            update = parse(action, row["payload"])
            assert isinstance(update, ValuesPayload)
            target: Target = "lists" if action == Action.UPDATE_ENTRY else "objects"
            want(target, row["list"] if target == "lists" else row["object"], row["target_id"], update.values)
        elif action == Action.WRITE_HISTORY:
            attribute = orjson.loads(row["payload"] or "{}")["attribute"]
            target = "lists" if row["list"] else "objects"
            want(target, row["list"] or row["object"], row["target_id"], [attribute])
    return list(wanted)


async def read_histories(
    client: AsyncAttioClient, wanted: list[Wanted], kept: KeptReads, gate: asyncio.Semaphore
) -> list[tuple[str, str]]:
    """Read each wanted history (``show_historic=true``), journalled as it arrives like every re-read; returns
    backup items (id, raw JSON list). A record gone since has none."""
    out: dict[str, str] = {}

    async def read(target: Target, identifier: str, item_id: str, attribute: str) -> None:
        key = history_key(target, identifier, item_id, attribute)
        if f"history:{key}" not in kept:
            path = endpoints.attribute_values(target, identifier, item_id, attribute)
            async with gate:
                try:
                    body = await client.get(path, {"show_historic": "true"})
                    raw: str | None = orjson.dumps(body["data"]).decode()
                except NotFoundError:
                    raw = None
            kept.add(f"history:{key}", raw)
        if (found := kept[f"history:{key}"]) is not None:
            out[key] = found

    await asyncio.gather(*(read(*w) for w in wanted))
    return sorted(out.items())


def history_values(items: list[JSON], attr: AttributeInfo, *, entry: bool = False) -> list[JSON]:
    """Values read with ``show_historic=true``, as a history write's items: each value in write form, with
    its interval. A value that has no write form (cleared) is left out."""
    out: list[JSON] = []
    key = "entry_values" if entry else "values"
    for item in items:
        written = write_payload({key: {attr.slug: [item]}}, [attr.value_type], entry=entry)[attr.slug]
        value = written[0] if isinstance(written, list) and written else written
        if value in (None, [], ""):
            continue
        out.append(
            {"value": value, "active_from": item["active_from"], "active_until": item.get("active_until")}
        )
    return out


__all__ = [
    "HISTORY_PART",
    "NO_ENDPOINT",
    "histories_wanted",
    "history_key",
    "history_values",
    "read_histories",
]

"""What hangs on a record: its notes, list entries, tasks, and the other records whose references point at
it. Attio deletes or unlinks all of them with the record, and a merge re-points them, so the executor backs
them up before a record is deleted or merged and moves them when it merges without the native endpoint."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

from ..client import AsyncAttioClient, endpoints
from ..export.schema import WorkspaceSchema, references_to

JSON = dict[str, Any]


@dataclass
class Hanging:
    """Everything hanging on one record, as read from the API."""

    notes: list[JSON] = field(default_factory=list)
    entries: list[tuple[str, JSON]] = field(default_factory=list)  # (list slug, entry)
    tasks: list[JSON] = field(default_factory=list)
    referrers: list[tuple[str, str, JSON]] = field(default_factory=list)  # (object, attribute, record)

    def backup_items(self) -> dict[str, list[tuple[str, str]]]:
        """Backup parts: ``notes``, ``entries/<list>``, ``tasks``, ``records/<object>``."""
        items: dict[str, list[tuple[str, str]]] = {}
        for note in self.notes:
            items.setdefault("notes", []).append((note["id"]["note_id"], orjson.dumps(note).decode()))
        for list_slug, entry in self.entries:
            items.setdefault(f"entries/{list_slug}", []).append(
                (entry["id"]["entry_id"], orjson.dumps(entry).decode())
            )
        for task in self.tasks:
            items.setdefault("tasks", []).append((task["id"]["task_id"], orjson.dumps(task).decode()))
        for object_slug, _, record in self.referrers:
            items.setdefault(f"records/{object_slug}", []).append(
                (record["id"]["record_id"], orjson.dumps(record).decode())
            )
        return items


async def notes_of(client: AsyncAttioClient, object_slug: str, record_id: str) -> list[JSON]:
    """Every note on one record."""
    params = {"parent_object": object_slug, "parent_record_id": record_id}
    return await client.all_items(
        "GET", endpoints.notes(), page_size=endpoints.NOTES_PAGE, params=params, concurrency=2
    )


async def entries_of(client: AsyncAttioClient, object_slug: str, record_id: str) -> list[tuple[str, JSON]]:
    """Every list entry whose parent is the record, with its entry values."""
    path = endpoints.record_entries(object_slug, record_id)
    refs = await client.all_items("GET", path, page_size=endpoints.RECORD_ENTRIES_PAGE, concurrency=1)
    bodies = await asyncio.gather(
        *(client.get(endpoints.entry(ref["list_api_slug"], ref["entry_id"])) for ref in refs)
    )
    return [(ref["list_api_slug"], body["data"]) for ref, body in zip(refs, bodies, strict=True)]


async def tasks_of(client: AsyncAttioClient, object_slug: str, record_id: str) -> list[JSON]:
    """Every task linked to the record."""
    params = {"linked_object": object_slug, "linked_record_id": record_id}
    return await client.all_items(
        "GET", endpoints.tasks(), page_size=endpoints.TASKS_PAGE, params=params, concurrency=1
    )


async def referrers_of(
    client: AsyncAttioClient, schema: WorkspaceSchema, object_slug: str, record_ids: Iterable[str]
) -> dict[str, list[tuple[str, str, JSON]]]:
    """For each record id: the (object, attribute, record) of every record referencing it."""
    wanted = sorted(set(record_ids))
    found: dict[str, list[tuple[str, str, JSON]]] = {rid: [] for rid in wanted}
    if not wanted:
        return found

    async def query(source: str, attribute: str, chunk: list[str]) -> None:
        condition = {attribute: {"target_object": object_slug, "target_record_id": {"$in": chunk}}}
        records = await client.all_items(
            "POST",
            endpoints.records_query(source),
            page_size=endpoints.RECORDS_PAGE,
            body={"filter": condition},
        )
        for record in records:
            for value in record["values"].get(attribute, []):
                if value.get("target_record_id") in found:
                    found[value["target_record_id"]].append((source, attribute, record))

    jobs = [
        query(source, attr.slug, wanted[i : i + 100])
        for source, attr in references_to(schema, object_slug)
        for i in range(0, len(wanted), 100)
    ]
    await asyncio.gather(*jobs)
    return found


async def hanging_on(
    client: AsyncAttioClient, schema: WorkspaceSchema, object_slug: str, record_ids: list[str]
) -> dict[str, Hanging]:
    """Notes, entries, tasks and referrers of each record."""
    out = {rid: Hanging() for rid in record_ids}
    referrers = await referrers_of(client, schema, object_slug, record_ids)

    async def one(record_id: str) -> None:
        hanging = out[record_id]
        hanging.notes, hanging.entries, hanging.tasks = await asyncio.gather(
            notes_of(client, object_slug, record_id),
            entries_of(client, object_slug, record_id),
            tasks_of(client, object_slug, record_id),
        )
        hanging.referrers = referrers[record_id]

    gate = asyncio.Semaphore(8)

    async def guarded(record_id: str) -> None:
        async with gate:
            await one(record_id)

    await asyncio.gather(*(guarded(rid) for rid in record_ids))
    return out

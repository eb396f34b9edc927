"""Restore: put back what a run deleted or changed, from its backup.

>>> report = restore(run_id, client)  # doctest: +SKIP

Per action the run finished:

* ``delete_note`` / ``recreate_note``: the note is created again with its title, markdown content and
  original ``created_at`` (and a replacement the run made is removed).
* ``delete_entry``: the entry is added again with its entry values.
* ``update_record`` / ``update_entry`` / an ``assert_record`` that updated: the attributes it wrote get their
  backed-up values back; ``create_*`` and an ``assert_record`` that created: what was made is deleted.
* ``delete_record``: the record is created again with its values, then its notes, list entries, task links
  and the references other records held to it are put back on the new record.
* ``merge_records`` (un-merge): the survivor gets its own values back (which frees the loser's unique values),
  the loser is created again from the backup, and what the merge moved onto the survivor — notes, entries,
  task links, references — moves back to it.

What cannot be put back exactly is said per item: records and notes get new ids (references and notes are
pointed at the new ids), a note's author becomes the restoring API token, a native merge's record keeps its
new id. Each restore step is journalled in ``restore.sqlite``: running restore again does nothing twice.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

import orjson
import polars as pl

from ..actions import Action
from ..client import AsyncAttioClient, AttioClient
from ..client.errors import ApiError, NotFoundError
from ..values.notes import note_content
from .journal import FINISHED, Journal, Status
from .merge import MOVE
from .run import Run
from .shape import SYSTEM_SLUGS, non_empty, unique_slugs, writable, write_payload
from .steps import create_looking_first, find_created, payload_of, target_path

JSON = dict[str, Any]
RESULT_SCHEMA = {
    "action_id": pl.String,
    "action": pl.String,
    "target_id": pl.String,
    "status": pl.String,
    "restored_id": pl.String,
    "detail": pl.String,
}
# Restored first: records (notes and entries may hang on them), then what was made is removed, then values.
ORDER = {
    Action.MERGE_RECORDS: 0,
    Action.DELETE_RECORD: 1,
    Action.CREATE_NOTE: 2,
    Action.CREATE_ENTRY: 2,
    Action.CREATE_RECORD: 3,
    Action.ASSERT_RECORD: 3,
    Action.UPDATE_RECORD: 4,
    Action.UPDATE_ENTRY: 4,
    Action.DELETE_NOTE: 5,
    Action.RECREATE_NOTE: 5,
    Action.DELETE_ENTRY: 5,
}


class NotRestorable(Exception):
    """An item the backup holds but Attio cannot take back as it was (the reason is the message)."""


def restore(
    run_id: str, client: AttioClient, *, root: Path | None = None, action_ids: Iterable[str] | None = None
) -> pl.DataFrame:
    """Put back what run ``run_id`` deleted or changed (only ``action_ids``, when given); one row per
    action: restored, not_restorable or failed, with the new id and what could not be put back exactly."""
    return client.run(restore_async(run_id, client.aio, root=root, action_ids=action_ids))


async def restore_async(
    run_id: str,
    client: AsyncAttioClient,
    *,
    root: Path | None = None,
    action_ids: Iterable[str] | None = None,
) -> pl.DataFrame:
    run = Run.open(run_id, root=root)
    restorer = Restorer(run, client)
    try:
        return await restorer.all(set(action_ids) if action_ids is not None else None)
    finally:
        restorer.journal.close()
        run.close()


class Restorer:
    """Restores one run's finished actions, each step journalled."""

    def __init__(self, run: Run, client: AsyncAttioClient) -> None:
        self.run = run
        self.client = client
        self.journal = Journal(run.folder / "restore.sqlite")
        self.backup = run.backup
        self.records: dict[str, str] = {}  # a record the run deleted or merged away → its restored id
        self.targets = set(run.rows["target_id"].drop_nulls().to_list())

    async def all(self, only: set[str] | None = None) -> pl.DataFrame:
        finished = {
            action_id
            for action_id, step, status, _, _ in self.run.journal.rows()
            if status == Status.DONE and step != "read" and not step.startswith(MOVE)
        }
        if only is not None:
            finished &= only
        rows = [r for r in self.run.rows.to_dicts() if r["action_id"] in finished]
        rows.sort(key=lambda r: ORDER[Action(r["action"])])
        self.journal.plan([(r["action_id"], "restore") for r in rows])
        out = [await self.one(row) for row in rows]
        return pl.DataFrame(out, schema=RESULT_SCHEMA, orient="row")

    async def one(self, row: JSON) -> tuple[Any, ...]:
        action = Action(row["action"])
        key = (row["action_id"], row["action"], row["target_id"])
        status, created, detail = self.journal.state(row["action_id"], "restore")
        if status in FINISHED:
            if action in (Action.DELETE_RECORD, Action.MERGE_RECORDS) and created:
                self.records[row["target_id"]] = created
            shown = {Status.DONE: "restored", Status.SKIPPED: "not_restorable"}.get(status, status.value)
            return (*key, shown, created, detail)
        self.journal.mark(row["action_id"], "restore", Status.SENT)
        try:
            restored, detail = await self._restore(action, row)
        except NotRestorable as why:
            self.journal.mark(row["action_id"], "restore", Status.SKIPPED, detail=str(why))
            return (*key, "not_restorable", None, str(why))
        except (ApiError, LookupError) as error:
            self.journal.mark(row["action_id"], "restore", Status.FAILED, detail=str(error))
            return (*key, "failed", None, str(error))
        if action in (Action.DELETE_RECORD, Action.MERGE_RECORDS) and restored:
            self.records[row["target_id"]] = restored
        self.journal.mark(row["action_id"], "restore", Status.DONE, created_id=restored, detail=detail)
        return (*key, "restored", restored, detail)

    async def _restore(self, action: Action, row: JSON) -> tuple[str | None, str]:
        if action in (Action.DELETE_NOTE, Action.RECREATE_NOTE):
            return await self._note(row)
        if action == Action.DELETE_ENTRY:
            return await self._entry(row)
        if action in (Action.UPDATE_RECORD, Action.UPDATE_ENTRY):
            return await self._values(row)
        if action in (Action.CREATE_NOTE, Action.CREATE_ENTRY, Action.CREATE_RECORD, Action.ASSERT_RECORD):
            return await self._unmake(row)
        if action == Action.DELETE_RECORD:
            return await self._record(row)
        return await self._unmerge(row)

    # ------------------------------------------------------------------ journalled sub-steps
    async def _sub(self, row: JSON, step: str, work: Callable[[bool], Awaitable[str | None]]) -> str | None:
        """One journalled restore step (``work(sent_before)`` returns the id it made)."""
        self.journal.plan([(row["action_id"], step)])
        status, created, _ = self.journal.state(row["action_id"], step)
        if status in FINISHED:
            return created
        self.journal.mark(row["action_id"], step, Status.SENT)
        made = await work(status == Status.SENT)
        self.journal.mark(row["action_id"], step, Status.DONE, created_id=made)
        return made

    async def _create(
        self, row: JSON, step: str, fake: JSON, create_step: str, path: str, body: JSON, id_key: str
    ) -> str:
        """A create that is looked for (never blindly repeated) when an earlier attempt got no answer."""

        async def look() -> str | None:
            unique = unique_slugs(self.run.schema.objects[fake["object"]]) if fake.get("object") else set()
            return await find_created(
                self.client,
                fake,
                create_step,
                parent=None,
                sent_at=self.journal.sent_at(row["action_id"], step),
                unique=unique,
                claimed=self.journal.created_ids(),
            )

        async def work(sent_before: bool) -> str | None:
            if sent_before and (found := await look()):
                return found
            made, _ = await create_looking_first(self.client, path, body, id_key, look)
            return made

        made = await self._sub(row, step, work)
        assert made is not None
        return made

    # ------------------------------------------------------------------ notes and entries
    def _parent(self, record_id: str) -> str:
        return self.records.get(record_id, record_id)

    async def _put_note(self, row: JSON, step: str, note: JSON, parent: str) -> str:
        form, content = note_content(note.get("content_markdown"), note.get("content_plaintext"))
        body = {
            "parent_object": note["parent_object"],
            "parent_record_id": parent,
            "title": note.get("title") or "",
            "format": form,
            "content": content,
            "created_at": note["created_at"],
        }
        fake = {
            "action": "create_note",
            "payload": orjson.dumps(body).decode(),
            "target_id": note["id"]["note_id"],
        }
        return await self._create(row, step, fake, "create", "/v2/notes", body, "note_id")

    async def _put_entry(self, row: JSON, step: str, list_slug: str, entry: JSON, parent: str) -> str:
        values = non_empty(write_payload(entry, writable(self.run.schema.lists[list_slug]), entry=True))
        body = {"parent_record_id": parent, "parent_object": entry["parent_object"], "entry_values": values}
        fake = {
            "action": "create_entry",
            "list": list_slug,
            "payload": orjson.dumps(body).decode(),
            "target_id": entry["id"]["entry_id"],
        }
        try:
            return await self._create(
                row, step, fake, "create", f"/v2/lists/{list_slug}/entries", body, "entry_id"
            )
        except ApiError as error:
            if error.code == "value_not_found":
                raise NotRestorable(
                    "its parent record no longer exists, so Attio cannot hold the entry (the backup keeps it)"
                ) from None
            raise

    async def _note(self, row: JSON) -> tuple[str | None, str]:
        note = self._backed_up(row)
        if Action(row["action"]) == Action.RECREATE_NOTE:  # remove the replacement the run made
            _, replacement, _ = self.run.journal.state(row["action_id"], "create")
            if replacement:

                async def remove(_: bool, note_id: str = replacement) -> str | None:
                    with contextlib.suppress(NotFoundError):
                        await self.client.delete(f"/v2/notes/{note_id}")
                    return None

                await self._sub(row, "remove_replacement", remove)
        made = await self._put_note(row, "note", note, self._parent(note["parent_record_id"]))
        return made, "a new note id; its author is now the restoring API token"

    async def _entry(self, row: JSON) -> tuple[str | None, str]:
        entry = self._backed_up(row)
        made = await self._put_entry(
            row, "entry", row["list"], entry, self._parent(entry["parent_record_id"])
        )
        return made, "a new entry id; entry values put back"

    # ------------------------------------------------------------------ values and creates
    async def _values(self, row: JSON) -> tuple[str | None, str]:
        before = self._backed_up(row)
        payload = payload_of(row)
        is_entry = Action(row["action"]) == Action.UPDATE_ENTRY
        wrote = payload.get("entry_values" if is_entry else "values", payload)
        info = self.run.schema.lists[row["list"]] if is_entry else self.run.schema.objects[row["object"]]
        attrs = [a for a in writable(info) if a.slug in wrote]
        values = write_payload(before, attrs, entry=is_entry)

        async def put(_: bool) -> str | None:
            key = "entry_values" if is_entry else "values"
            await self.client.put(target_path(row), {"data": {key: values}})
            return None

        await self._sub(row, "values", put)
        return row["target_id"], f"put back: {', '.join(sorted(values)) or 'nothing'}"

    async def _unmake(self, row: JSON) -> tuple[str | None, str]:
        action = Action(row["action"])
        step = {"create_record": "create_record", "assert_record": "assert"}.get(row["action"], "create")
        _, made, _ = self.run.journal.state(row["action_id"], step)
        if made is None:
            raise NotRestorable("the run journalled no id for what it made")
        if action == Action.ASSERT_RECORD:
            before = self.backup.raw(row["part"], made)
            if before is not None:  # it updated an existing record: put its values back
                wrote = payload_of(row).get("values", {})
                attrs = [a for a in writable(self.run.schema.objects[row["object"]]) if a.slug in wrote]
                values = write_payload(before, attrs)

                async def put(_: bool) -> str | None:
                    path = f"/v2/objects/{row['object']}/records/{made}"
                    await self.client.put(path, {"data": {"values": values}})
                    return None

                await self._sub(row, "values", put)
                return made, f"the asserted record's values put back: {', '.join(sorted(values))}"
        if action == Action.CREATE_ENTRY:
            path = f"/v2/lists/{row['list']}/entries/{made}"
        elif action == Action.CREATE_NOTE:
            path = f"/v2/notes/{made}"
        else:
            path = f"/v2/objects/{row['object']}/records/{made}"

        async def delete(_: bool) -> str | None:
            with contextlib.suppress(NotFoundError):
                await self.client.delete(path)
            return None

        await self._sub(row, "delete", delete)
        return made, "what the run created is deleted again"

    # ------------------------------------------------------------------ records
    async def _recreate_record(self, row: JSON, record: JSON) -> tuple[str, str]:
        """The record created again from its backup; and a note of the values the API cannot write."""
        info = self.run.schema.objects[row["object"]]
        values = non_empty(write_payload(record, writable(info)))
        unwritable = sorted(
            slug
            for slug, items in record.get("values", {}).items()
            if items and slug not in values and slug not in SYSTEM_SLUGS and not _is_reference(info, slug)
        )
        note = (
            f"; not writable through the API, left for Attio to fill: {', '.join(unwritable)}"
            if unwritable
            else ""
        )
        fake = {
            "action": "create_record",
            "object": row["object"],
            "payload": orjson.dumps({"values": values}).decode(),
        }
        path = f"/v2/objects/{row['object']}/records"
        made = await self._create(row, "record", fake, "create_record", path, {"values": values}, "record_id")
        return made, note

    async def _record(self, row: JSON) -> tuple[str | None, str]:
        record = self._backed_up(row)
        new_id, unwritable = await self._recreate_record(row, record)
        self.records[row["target_id"]] = new_id
        moved = await self._hang_back(row, row["target_id"], new_id, survivor=None)
        return new_id, f"a new record id; put back {moved}{unwritable}"

    async def _unmerge(self, row: JSON) -> tuple[str | None, str]:
        steps = self.run.journal.steps_of(row["action_id"])
        by_hand = any(s.startswith(MOVE) for s in steps)
        final = self._final_record(row)
        survivor = self.backup.raw(row["part"], row["survivor_id"])
        loser = self._backed_up(row)
        if survivor is None:
            raise LookupError(f"the survivor {row['survivor_id']} is not in the backup")
        values = write_payload(survivor, writable(self.run.schema.objects[row["object"]]))

        async def put(_: bool) -> str | None:  # frees the loser's unique values for its own record
            await self.client.put(
                f"/v2/objects/{row['object']}/records/{final}", {"data": {"values": values}}
            )
            return None

        await self._sub(row, "survivor_values", put)
        new_id, unwritable = await self._recreate_record(row, loser)
        self.records[row["target_id"]] = new_id
        moved = await self._hang_back(row, row["target_id"], new_id, survivor=(final, by_hand, steps))
        same = "" if final == row["survivor_id"] else f"; the merged record keeps its new id {final}"
        return new_id, f"un-merged: the loser is a new record; put back {moved}{same}{unwritable}"

    def _final_record(self, row: JSON) -> str:
        """The record a survivor's merges left (a native merge chain ends in a new id)."""
        final = str(row["survivor_id"])
        for action_id in self.run.actions_on_survivor(row["survivor_id"]):
            status, made, _ = self.run.journal.state(action_id, "merge")
            if status == Status.DONE and made:
                final = made
        return final

    async def _hang_back(
        self,
        row: JSON,
        old_id: str,
        new_id: str,
        *,
        survivor: tuple[str, bool, dict[str, tuple[Status, str | None, str | None]]] | None,
    ) -> str:
        """Put back on ``new_id`` what hung on ``old_id`` (notes, entries, task links, references); for a merge,
        take the copies off the survivor."""
        hanging = self.backup.hanging(row["object"], old_id)
        final = survivor[0] if survivor else None
        moves = survivor[2] if survivor else {}
        by_hand = bool(survivor and survivor[1])
        counts = {"notes": 0, "entries": 0, "tasks": 0, "references": 0}
        for note in hanging.notes:
            if note["id"]["note_id"] in self.targets:
                continue  # its own action restores it
            await self._put_note(row, f"note:{note['id']['note_id']}", note, new_id)
            if survivor:  # the copy on the survivor goes: the same note (native) or the run's copy (by hand)
                copy = (
                    moves.get(f"{MOVE}note:{note['id']['note_id']}", (None, None, None))[1]
                    if by_hand
                    else note["id"]["note_id"]
                )
                await self._delete(
                    row, f"unnote:{note['id']['note_id']}", f"/v2/notes/{copy}" if copy else None
                )
            counts["notes"] += 1
        for list_slug, entry in hanging.entries:
            entry_id = entry["id"]["entry_id"]
            if entry_id in self.targets:
                continue
            await self._put_entry(row, f"entry:{entry_id}", list_slug, entry, new_id)
            if survivor:
                state = moves.get(f"{MOVE}entry:{list_slug}:{entry_id}", (None, None, None))
                copy = state[1] if by_hand else entry_id
                await self._delete(
                    row, f"unentry:{entry_id}", f"/v2/lists/{list_slug}/entries/{copy}" if copy else None
                )
                if (
                    by_hand and state[1] is None and state[2]
                ):  # its values were filled into the survivor's entry
                    await self._survivor_entry_back(row, list_slug, state[2])
            counts["entries"] += 1
        for task in hanging.tasks:
            await self._relink_task(row, task, old_id, new_id, final)
            counts["tasks"] += 1
        for object_slug, attribute, referrer in hanging.referrers:
            await self._rerefer(row, object_slug, attribute, referrer, old_id, new_id, final)
            counts["references"] += 1
        return ", ".join(f"{n} {what}" for what, n in counts.items())

    async def _delete(self, row: JSON, step: str, path: str | None) -> None:
        async def work(_: bool) -> str | None:
            if path:
                with contextlib.suppress(NotFoundError):
                    await self.client.delete(path)
            return None

        await self._sub(row, step, work)

    async def _survivor_entry_back(self, row: JSON, list_slug: str, detail: str) -> None:
        into = detail.split(":", 1)[0].removeprefix("into ").strip()
        before = self.backup.raw(f"entries/{list_slug}", into)
        if before is None:
            return
        values = write_payload(before, writable(self.run.schema.lists[list_slug]), entry=True)

        async def put(_: bool) -> str | None:
            await self.client.put(f"/v2/lists/{list_slug}/entries/{into}", {"data": {"entry_values": values}})
            return None

        await self._sub(row, f"entry_values:{into}", put)

    async def _relink_task(self, row: JSON, task: JSON, old_id: str, new_id: str, final: str | None) -> None:
        slugs = {info.id: slug for slug, info in self.run.schema.objects.items()}
        links = []
        for link in task["linked_records"]:
            target = link["target_record_id"]
            target = (
                new_id
                if target == old_id
                else (final if final and target == row["survivor_id"] else self._parent(target))
            )
            links.append(
                {
                    "target_object": slugs.get(link["target_object_id"], link["target_object_id"]),
                    "target_record_id": target,
                }
            )

        async def work(_: bool) -> str | None:
            await self.client.patch(f"/v2/tasks/{task['id']['task_id']}", {"data": {"linked_records": links}})
            return None

        await self._sub(row, f"task:{task['id']['task_id']}", work)

    async def _rerefer(
        self,
        row: JSON,
        object_slug: str,
        attribute: str,
        referrer: JSON,
        old_id: str,
        new_id: str,
        final: str | None,
    ) -> None:
        record_id = self._parent(referrer["id"]["record_id"])
        targets = []
        for value in referrer["values"].get(attribute, []):
            target = value["target_record_id"]
            target = (
                new_id
                if target == old_id
                else (final if final and target == row["survivor_id"] else self._parent(target))
            )
            item = {"target_object": value["target_object"], "target_record_id": target}
            if item not in targets:
                targets.append(item)

        async def work(_: bool) -> str | None:
            path = f"/v2/objects/{object_slug}/records/{record_id}"
            # a referring record that is gone too is restored separately, with its own references
            with contextlib.suppress(NotFoundError):
                await self.client.put(path, {"data": {"values": {attribute: targets}}})
            return None

        await self._sub(row, f"ref:{object_slug}:{record_id}:{attribute}", work)

    def _backed_up(self, row: JSON) -> JSON:
        raw = self.backup.raw(row["part"], row["target_id"])
        if raw is None:
            raise LookupError("not in the backup")
        return dict(raw)


__all__ = ["restore", "restore_async"]


def _is_reference(info: Any, slug: str) -> bool:
    """Record references are put back from the referring side (a relationship's other half follows)."""
    return any(a.slug == slug and a.type == "record-reference" for a in info.attributes)

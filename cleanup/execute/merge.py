"""Merging records: Attio's native ``records/merge`` when the server has it, else a merge by hand.

Both start by carrying over the values the action row names (never a denied fill: a status or stage, or a
consent-like checkbox, unless the row's ``allow_fill`` names it) and the values a reviewer chose to take from
the loser (the payload's ``take``, written over the survivor's own), and end by adding the loser's unique
values (domains, emails), which only a merge or a release frees.

Native (fact sheet §2.3): a new record id, both originals unreadable, ``202`` + ``merge_in_progress`` while it
settles, not idempotent. The new id is journalled before anything else; after an unclear answer the
executor looks for the merged record before merging again.

By hand (the endpoint is missing, or ``merge="fallback"``): everything hanging on the loser moves to the
survivor, each move its own journalled step — notes are copied (with their ``created_at``; notes cannot be
re-parented), list entries are copied with their values (or their values filled into the survivor's entry in
that list), tasks and other records' references are re-pointed — then the carried unique values are released
from the loser and the loser is deleted. The survivor keeps its id.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, Literal, Protocol

import orjson
from tenacity import AsyncRetrying, RetryError, retry_if_exception, stop_after_delay, wait_fixed

from ..actions import Action
from ..client import AsyncAttioClient, endpoints
from ..client.errors import AmbiguousWriteError, ApiError, NotFoundError
from ..values.notes import note_content
from .backup import read_backup
from .hanging import Hanging, entries_of, notes_of, tasks_of
from .journal import FINISHED, Status
from .rows import Row
from .shape import attribute_types, filter_value, unique_slugs, writable, write_payload
from .stepping import Made, journalled, looking_first
from .steps import create_looking_first, find_note, note_body

if TYPE_CHECKING:
    from pathlib import Path

    from ..export.schema import WorkspaceSchema
    from .backup import BackupView
    from .journal import Journal

JSON = dict[str, Any]
MergeMode = Literal["auto", "native", "fallback"]
# Fills a merge never makes silently: a stage or status, and consent-like checkboxes.
DENIED_FILL_TYPES = frozenset({"status", "checkbox"})
MERGE_SETTLE_SECONDS = 60.0
SETTLE_POLL_SECONDS = 0.2


class _NoNativeMerge(Exception):
    """The server has no native merge endpoint (control flow inside :meth:`Merger.natively`)."""


MOVE = "move:"


class RunState(Protocol):
    """What a merge needs of its run (a :class:`~cleanup.execute.run.Run` is one): the journal, the schema and
    the backup it goes by, whether a stop was asked for, and what the run's other rows do to records."""

    journal: Journal
    schema: WorkspaceSchema
    backup: BackupView
    folder: Path
    stopping: bool

    def targets_of(self, *actions: Action) -> set[str]: ...

    def created_on(self, record_id: str) -> list[tuple[Action, str, str | None]]: ...

    def actions_on_survivor(self, survivor_id: str) -> list[str]: ...


class Merger:
    """Applies one run's merges, survivor by survivor."""

    def __init__(self, run: RunState, client: AsyncAttioClient, mode: MergeMode = "auto") -> None:
        self.run = run
        self.client = client
        self.native: bool | None = {"auto": None, "native": True, "fallback": False}[mode]
        self.inner = asyncio.Semaphore(4)

    # ------------------------------------------------------------------ per survivor
    async def group(self, rows: list[Row]) -> None:
        """Merge one survivor's losers into it in order: a native merge makes a new record, which is the
        primary of the next."""
        current = rows[0]["survivor_id"]
        for row in rows:
            if self.run.stopping:
                return
            merged, created, _ = self.run.journal.state(row["action_id"], "merge")
            if merged == Status.DONE and created:
                await self.carry(row, created, unique=True)
                current = created
                continue
            if merged in FINISHED:
                continue
            await self.carry(row, current, unique=False)
            if self.run.journal.state(row["action_id"], "merge")[0] in FINISHED or self.run.stopping:
                continue
            new_id = await self.merge(row, current)
            if new_id:
                await self.carry(row, new_id, unique=True)
                current = new_id

    async def carry(self, row: Row, primary: str, *, unique: bool) -> None:
        """Write onto ``primary`` the values the row says to carry over. Unique values are held by the loser
        until the merge (or the release) frees them, so they are written afterwards (``unique=True``)."""
        journal = self.run.journal
        action_id = row["action_id"]
        step = "carry_unique" if unique else "carry"
        if journal.state(action_id, step)[0] in FINISHED:
            return
        payload = orjson.loads(row["payload"]) if row["payload"] else {}
        info = self.run.schema.objects[row["object"]]
        types = attribute_types(info)
        uniques = unique_slugs(info)
        taken = payload.get("take", {})  # the reviewer's choice: never held back
        allowed = set(payload.get("allow_fill", [])) | set(taken)
        values = {**payload.get("carry", {}), **taken}
        mine = {slug: v for slug, v in values.items() if (slug in uniques) == unique}
        carry = {
            slug: value
            for slug, value in mine.items()
            if slug not in types or types[slug].type not in DENIED_FILL_TYPES or slug in allowed
        }
        held_back = sorted(set(mine) - set(carry))
        note = f"not filled without allow_fill: {', '.join(held_back)}" if held_back else None
        if not carry:
            journal.mark(action_id, step, Status.DONE, detail=note)
            return
        journal.mark(action_id, step, Status.SENT)
        try:
            if unique:  # a 202 merge is readable (and writable) only once it has settled
                await settled_record(self.client, row["object"], primary)
            await self.client.patch(endpoints.record(row["object"], primary), {"data": {"values": carry}})
        except ApiError as error:
            journal.mark(action_id, step, Status.FAILED, detail=str(error))
            if not unique:
                for later in ("merge", "carry_unique"):
                    journal.mark(
                        action_id, later, Status.SKIPPED, detail="its values could not be carried over"
                    )
            return
        journal.mark(action_id, step, Status.DONE, detail=note)

    async def merge(self, row: Row, primary: str) -> str | None:
        """Merge the row's target into ``primary``; returns the record that holds both afterwards."""
        started_by_hand = any(s.startswith(MOVE) for s in self.run.journal.steps_of(row["action_id"]))
        if self.native is False or started_by_hand:
            return await self.by_hand(row, primary)
        return await self.natively(row, primary)

    # ------------------------------------------------------------------ native
    async def natively(self, row: Row, primary: str) -> str | None:
        """Merge with Attio's endpoint, journalled (a merge sent before is looked for before it is sent
        again); a server without the endpoint turns this and every later merge of the run to by hand."""
        journal = self.run.journal
        action_id = row["action_id"]
        body = {"data": {"primary_record_id": primary, "secondary_record_id": row["target_id"]}}

        async def send() -> str:
            answer = await self.client.post(endpoints.records_merge(row["object"]), body)
            return str(answer["data"]["new_record_id"])

        async def work(sent_before: bool) -> Made:
            try:
                return await looking_first(
                    send, lambda: self.find_merged(row, primary), sent_before=sent_before
                )
            except NotFoundError as error:
                if "endpoint" in error.message and self.native is None:
                    raise _NoNativeMerge from None
                raise

        try:
            status = await journalled(journal, action_id, "merge", work)
        except _NoNativeMerge:
            self.native = False  # this server has no native merge: merge by hand from now on
            journal.mark(action_id, "merge", Status.PLANNED)
            return await self.by_hand(row, primary)
        except AmbiguousWriteError:  # no answer however often it was sent: a resume looks again
            journal.mark(action_id, "merge", Status.SENT, detail="no answer; resume looks for it first")
            return None
        if status == Status.FAILED:
            journal.mark(action_id, "carry_unique", Status.SKIPPED, detail="not merged")
            return None
        merged, new_id, how = journal.state(action_id, "merge")
        if merged == Status.DONE and how is None:
            self.native = True  # answered by the endpoint itself
        return new_id

    def _failed(self, row: Row, why: str) -> None:
        self.run.journal.mark(row["action_id"], "merge", Status.FAILED, detail=why)
        self.run.journal.mark(row["action_id"], "carry_unique", Status.SKIPPED, detail="not merged")

    async def find_merged(self, row: Row, primary: str) -> str | None:
        """After an unclear merge: if both originals are gone, the record now holding the primary's unique
        values (from the backup) is the merged one."""
        for record_id in (row["target_id"], primary):
            try:
                await self.client.get(endpoints.record(row["object"], record_id))
                return None  # an original is still readable: not merged
            except NotFoundError as error:
                if error.code == "merge_in_progress":
                    return None
        raws = dict(read_backup(self.run.folder / "backup", row["part"]).rows())
        raw = raws.get(primary) or raws.get(row["survivor_id"])
        if raw is None:
            return None
        values = orjson.loads(raw)["values"]
        for slug in sorted(unique_slugs(self.run.schema.objects[row["object"]])):
            if not values.get(slug):
                continue
            key = filter_value(values[slug])
            if key is None:
                continue
            body = await self.client.post(
                endpoints.records_query(row["object"]), {"filter": {slug: key}, "limit": 2}
            )
            hits = [
                r["id"]["record_id"]
                for r in body["data"]
                if r["id"]["record_id"] not in (primary, row["target_id"])
            ]
            if hits:
                return str(hits[0])
        return None

    # ------------------------------------------------------------------ by hand
    async def by_hand(self, row: Row, survivor: str) -> str | None:
        """Move what hangs on the loser to ``survivor``, release the carried unique values, delete the loser.

        What moves is worked out once, before anything moves, and journalled with each move step; a resume
        takes it from the journal (the loser, and the notes the run made on it, may be gone by then)."""
        journal = self.run.journal
        action_id = row["action_id"]
        hanging = await self._moves(row)
        if hanging is None:
            return None
        journal.mark(action_id, "merge", Status.SENT, detail="merging by hand (no native merge endpoint)")
        await self._gather([self._move_note(row, note, survivor) for note in hanging.notes])
        for list_slug in dict.fromkeys(s for s, _ in hanging.entries):
            for _, entry in [(s, e) for s, e in hanging.entries if s == list_slug]:
                await self._move_entry(row, list_slug, entry, survivor)
        await self._gather([self._move_task(row, task, survivor) for task in hanging.tasks])
        await self._gather([self._move_ref(row, o, a, r, survivor) for o, a, r in hanging.referrers])
        if self.run.stopping:
            return None
        moves = journal.steps_of(action_id)
        failed = [s for s, (st, _, _) in moves.items() if s.startswith(MOVE) and st == Status.FAILED]
        if failed:
            self._failed(row, f"could not move {', '.join(failed)}; the loser is kept")
            return None
        await self._release(row)
        await self._delete_loser(row)
        if journal.state(action_id, f"{MOVE}delete")[0] != Status.DONE:
            self._failed(row, "the loser could not be deleted")
            return None
        journal.mark(action_id, "merge", Status.DONE, created_id=survivor, detail="merged by hand")
        return survivor

    async def _moves(self, row: Row) -> Hanging | None:
        """What the merge by hand moves: from the journal once planned, else worked out and journalled with
        its steps in one transaction (``None``: the merge is skipped, something was added to the loser)."""
        journal = self.run.journal
        action_id, loser, object_slug = row["action_id"], row["target_id"], row["object"]
        planned = [step for step in journal.steps_of(action_id) if step.startswith(MOVE)]
        recorded = journal.inputs_of(action_id)
        if f"{MOVE}delete" in planned:
            if len(recorded) == len(planned) - 2:  # every move but the release and the delete
                return _recorded_moves(recorded)
            return await self._what_moves(object_slug, loser)  # planned by a version that kept no inputs
        hanging = await self._what_moves(object_slug, loser)
        late = await self._added_since_backup(object_slug, loser)
        if late:
            self._skip_merge(row, f"{late} added to the loser since the backup; detect and run again")
            return None
        inputs = _move_inputs(action_id, hanging)
        journal.plan([*inputs, (action_id, f"{MOVE}release"), (action_id, f"{MOVE}delete")], inputs=inputs)
        return hanging

    async def _gather(self, jobs: list[Any]) -> None:
        async def guarded(job: Any) -> None:
            async with self.inner:
                await job

        await asyncio.gather(*(guarded(j) for j in jobs))

    def _skip_merge(self, row: Row, why: str) -> None:
        for step in ("merge", "carry_unique"):
            self.run.journal.mark(row["action_id"], step, Status.SKIPPED, detail=why)

    async def _what_moves(self, object_slug: str, loser: str) -> Hanging:
        """What hung on the loser at backup time, less the notes and entries this run deletes or replaces,
        plus the notes and entries it created there (a recreated note, an imported one)."""
        backed_up = self.run.backup.hanging(object_slug, loser)
        going_notes = self.run.targets_of(Action.DELETE_NOTE, Action.RECREATE_NOTE)
        going_entries = self.run.targets_of(Action.DELETE_ENTRY)
        moves = Hanging(
            notes=[n for n in backed_up.notes if n["id"]["note_id"] not in going_notes],
            entries=[(s, e) for s, e in backed_up.entries if e["id"]["entry_id"] not in going_entries],
            tasks=backed_up.tasks,
            referrers=backed_up.referrers,
        )
        for action, made, list_slug in self.run.created_on(loser):
            try:
                if action == Action.CREATE_ENTRY and list_slug:
                    body = await self.client.get(endpoints.entry(list_slug, made))
                    moves.entries.append((list_slug, body["data"]))
                elif action != Action.CREATE_ENTRY:
                    moves.notes.append((await self.client.get(endpoints.note(made)))["data"])
            except NotFoundError:
                continue  # deleted since the run made it: nothing of it to move
        return moves

    async def _added_since_backup(self, object_slug: str, loser: str) -> str | None:
        hanging = self.run.backup.hanging(object_slug, loser)
        created = {made for _, made, _ in self.run.created_on(loser)}
        notes, entries, tasks = await asyncio.gather(
            notes_of(self.client, object_slug, loser),
            entries_of(self.client, object_slug, loser),
            tasks_of(self.client, object_slug, loser),
        )
        known_notes = {n["id"]["note_id"] for n in hanging.notes} | created
        known_entries = {e["id"]["entry_id"] for _, e in hanging.entries} | created
        known_tasks = {t["id"]["task_id"] for t in hanging.tasks}
        late = (
            [f"note {n['id']['note_id']}" for n in notes if n["id"]["note_id"] not in known_notes]
            + [f"entry {e['id']['entry_id']}" for _, e in entries if e["id"]["entry_id"] not in known_entries]
            + [f"task {t['id']['task_id']}" for t in tasks if t["id"]["task_id"] not in known_tasks]
        )
        return ", ".join(late) or None

    async def _step(self, row: Row, step: str, work: Any) -> None:
        """Run one journalled move: ``work(sent_before)`` returns (created id, detail)."""
        if self.run.stopping:
            return

        async def made(sent_before: bool) -> Made:
            created, detail = await work(sent_before)
            return Made(created, detail)

        await journalled(self.run.journal, row["action_id"], step, made)

    async def _move_note(self, row: Row, note: JSON, survivor: str) -> None:
        body = {
            "parent_object": row["object"],
            "parent_record_id": survivor,
            "title": note.get("title") or "",
            "created_at": note["created_at"],
        }
        body["format"], body["content"] = note_content(
            note.get("content_markdown"), note.get("content_plaintext")
        )
        fake = Row(
            action=Action.CREATE_NOTE.value,
            payload=orjson.dumps(body).decode(),
            target_id=note["id"]["note_id"],
        )

        def look() -> Awaitable[str | None]:  # never the survivor's own notes, nor another step's copy
            had = {n["id"]["note_id"] for n in self.run.backup.hanging(row["object"], survivor).notes}
            return find_note(self.client, fake, None, self.run.journal.created_ids() | had)

        async def work(sent_before: bool) -> tuple[str | None, str | None]:
            if sent_before:
                earlier = await look()
                if earlier:
                    return earlier, "found after an interruption"
            made, found = await create_looking_first(
                self.client,
                endpoints.notes(),
                note_body(fake),
                "note_id",
                look,
            )
            return made, "found after an ambiguous answer" if found else None

        await self._step(row, f"{MOVE}note:{note['id']['note_id']}", work)

    async def _move_entry(self, row: Row, list_slug: str, entry: JSON, survivor: str) -> None:
        attrs = writable(self.run.schema.lists[list_slug])

        async def work(_: bool) -> tuple[str | None, str | None]:
            try:  # its values now (an update earlier in the run may have filled some), else as backed up
                live = (await self.client.get(endpoints.entry(list_slug, entry["id"]["entry_id"])))["data"]
            except NotFoundError:
                live = entry
            values = write_payload(live, attrs, entry=True)
            wanted = {slug: v for slug, v in values.items() if v not in (None, [], "")}
            into = self._survivor_entry(row, list_slug, survivor)
            if into is None:  # the survivor has no entry in this list: assert one (idempotent by parent)
                body = {"parent_record_id": survivor, "parent_object": row["object"], "entry_values": wanted}
                made = await self.client.put(endpoints.entries(list_slug), {"data": body})
                return str(made["data"]["id"]["entry_id"]), None
            current = (await self.client.get(endpoints.entry(list_slug, into)))["data"]
            have = current.get("entry_values", {})
            fill = {slug: v for slug, v in wanted.items() if not have.get(slug)}
            if fill:
                await self.client.patch(endpoints.entry(list_slug, into), {"data": {"entry_values": fill}})
            return None, f"into {into}: " + (", ".join(sorted(fill)) or "nothing it lacked")

        await self._step(row, f"{MOVE}entry:{list_slug}:{entry['id']['entry_id']}", work)

    def _survivor_entry(self, row: Row, list_slug: str, survivor: str) -> str | None:
        """The survivor's entry in a list: one it had at backup time, else one an earlier move made."""
        for slug, entry in self.run.backup.hanging(row["object"], row["survivor_id"]).entries:
            if slug == list_slug:
                return str(entry["id"]["entry_id"])
        for action_id in self.run.actions_on_survivor(row["survivor_id"]):
            for step, (status, created, _) in self.run.journal.steps_of(action_id).items():
                if step.startswith(f"{MOVE}entry:{list_slug}:") and status == Status.DONE and created:
                    return created
        return None

    async def _move_task(self, row: Row, task: JSON, survivor: str) -> None:
        slugs = {info.id: slug for slug, info in self.run.schema.objects.items()}

        async def work(_: bool) -> tuple[str | None, str | None]:
            live = (await self.client.get(endpoints.task(task["id"]["task_id"])))["data"]
            links: list[JSON] = []
            for link in live["linked_records"]:
                target = (
                    survivor if link["target_record_id"] == row["target_id"] else link["target_record_id"]
                )
                item = {
                    "target_object": slugs.get(link["target_object_id"], link["target_object_id"]),
                    "target_record_id": target,
                }
                if item not in links:
                    links.append(item)
            if survivor not in {link["target_record_id"] for link in links}:
                links.append({"target_object": row["object"], "target_record_id": survivor})
            await self.client.patch(
                endpoints.task(task["id"]["task_id"]), {"data": {"linked_records": links}}
            )
            return None, None

        await self._step(row, f"{MOVE}task:{task['id']['task_id']}", work)

    async def _move_ref(
        self, row: Row, object_slug: str, attribute: str, referrer: JSON, survivor: str
    ) -> None:
        record_id = referrer["id"]["record_id"]
        multi = attribute_types(self.run.schema.objects[object_slug])[attribute].is_multiselect

        async def work(_: bool) -> tuple[str | None, str | None]:
            if record_id == row["target_id"]:
                return None, "the loser referred to itself"
            path = endpoints.record(object_slug, record_id)
            try:
                live = (await self.client.get(path))["data"]["values"].get(attribute, [])
            except NotFoundError:
                return None, "the referring record no longer exists"
            targets: list[JSON] = []
            for value in live:
                target = (
                    survivor if value["target_record_id"] == row["target_id"] else value["target_record_id"]
                )
                if target == record_id:
                    continue  # a record never comes to refer to itself
                item = {"target_object": value["target_object"], "target_record_id": target}
                if item not in targets:
                    targets.append(item)
            if multi:
                await self.client.put(path, {"data": {"values": {attribute: targets}}})
            else:
                await self.client.patch(path, {"data": {"values": {attribute: targets[:1] or []}}})
            return None, None

        await self._step(row, f"{MOVE}ref:{object_slug}:{record_id}:{attribute}", work)

    async def _release(self, row: Row) -> None:
        payload = orjson.loads(row["payload"]) if row["payload"] else {}
        uniques = unique_slugs(self.run.schema.objects[row["object"]])
        moving = {**payload.get("carry", {}), **payload.get("take", {})}
        release: dict[str, list[Any]] = {slug: [] for slug in moving if slug in uniques}

        async def work(_: bool) -> tuple[str | None, str | None]:
            if release:
                path = endpoints.record(row["object"], row["target_id"])
                try:
                    await self.client.put(path, {"data": {"values": release}})
                except NotFoundError:
                    return None, "the loser is already gone"
            return None, ", ".join(sorted(release)) or None

        await self._step(row, f"{MOVE}release", work)

    async def _delete_loser(self, row: Row) -> None:
        async def work(_: bool) -> tuple[str | None, str | None]:
            try:
                await self.client.delete(endpoints.record(row["object"], row["target_id"]))
            except NotFoundError:
                return None, "already gone"
            return None, None

        await self._step(row, f"{MOVE}delete", work)


def _move_inputs(action_id: str, hanging: Hanging) -> dict[tuple[str, str], str]:
    """The move steps of a merge by hand, each with the item it moves (JSON text), in the order they run."""
    inputs: dict[tuple[str, str], str] = {}
    for note in hanging.notes:
        inputs[(action_id, f"{MOVE}note:{note['id']['note_id']}")] = orjson.dumps(note).decode()
    for list_slug, entry in hanging.entries:
        inputs[(action_id, f"{MOVE}entry:{list_slug}:{entry['id']['entry_id']}")] = orjson.dumps(
            entry
        ).decode()
    for task in hanging.tasks:
        inputs[(action_id, f"{MOVE}task:{task['id']['task_id']}")] = orjson.dumps(task).decode()
    for object_slug, attribute, record in hanging.referrers:
        step = f"{MOVE}ref:{object_slug}:{record['id']['record_id']}:{attribute}"
        inputs[(action_id, step)] = orjson.dumps(record).decode()
    return inputs


def _recorded_moves(recorded: dict[str, str]) -> Hanging:
    """What moves, as journalled when the merge by hand was planned (in the order it was planned)."""
    moves = Hanging()
    for step, raw in recorded.items():
        kind, *key = step.removeprefix(MOVE).split(":")
        item = orjson.loads(raw)
        if kind == "note":
            moves.notes.append(item)
        elif kind == "entry":
            moves.entries.append((key[0], item))
        elif kind == "task":
            moves.tasks.append(item)
        elif kind == "ref":
            moves.referrers.append((key[0], key[2], item))
    return moves


async def settled_record(client: AsyncAttioClient, object_slug: str, record_id: str) -> bool:
    """Whether a merged record becomes readable (a 202 merge answers ``merge_in_progress`` for a while):
    polled every 0.2 s for up to :data:`MERGE_SETTLE_SECONDS`."""
    polling = AsyncRetrying(
        stop=stop_after_delay(MERGE_SETTLE_SECONDS),
        wait=wait_fixed(SETTLE_POLL_SECONDS),
        retry=retry_if_exception(lambda e: isinstance(e, NotFoundError) and e.code == "merge_in_progress"),
    )
    try:
        async for attempt in polling:
            with attempt:
                await client.get(endpoints.record(object_slug, record_id))
    except (RetryError, NotFoundError):
        return False
    return True

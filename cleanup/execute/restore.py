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
new id. Each restore step is journalled in ``restore.sqlite``: running restore again does nothing twice,
and retries what failed (its finished sub-steps are not repeated; a create whose answer was lost is looked
for before it is sent again). :func:`outlook` says what is left, without sending anything. Ctrl-C (or
:meth:`Restorer.request_stop`) stops after the current action; a second Ctrl-C stops at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import threading
from collections.abc import Awaitable, Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson
import polars as pl

from ..actions import Action
from ..actions.schema import SCHEMA_ACTIONS
from ..client import AsyncAttioClient, AttioClient
from ..client.errors import (
    ApiError,
    AttioError,
    AuthenticationError,
    NotFoundError,
    RateLimitError,
    ServerError,
    TransportError,
)
from ..client.portal import interrupted_again
from ..export.snapshot import Snapshot
from ..values.notes import note_content
from .journal import Journal, Status
from .merge import MOVE
from .run import Run
from .shape import SYSTEM_SLUGS, non_empty, unique_slugs, writable, write_payload
from .stepping import Made, journalled
from .steps import create_looking_first, find_created, payload_of, target_path

JSON = dict[str, Any]
RESULT_SCHEMA = {
    "action_id": pl.String,
    "action": pl.String,
    "target_id": pl.String,
    "status": pl.String,
    "restored_id": pl.String,
    "detail": pl.String,
    "earlier": pl.Boolean,  # finished by an earlier restore: nothing was sent for it this time
}
OUTLOOK_SCHEMA = {
    "action": pl.String,
    "to_restore": pl.Int64,  # not tried yet, or failed last time
    "failed": pl.Int64,  # of those, failed last time (tried again)
    "restored": pl.Int64,  # put back by an earlier restore
    "not_restorable": pl.Int64,
}
RECORD_ACTIONS = (Action.DELETE_RECORD, Action.MERGE_RECORDS)
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
    Action.CREATE_OPTION: 6,
    Action.CREATE_ATTRIBUTE: 7,
    Action.CREATE_LIST: 8,
}


class NotRestorable(Exception):
    """An item the backup holds but Attio cannot take back as it was (the reason is the message)."""


class NotYet(Exception):
    """An item that hangs on a record the run deleted or merged away, which is not back yet."""


def restore(
    run_id: str, client: AttioClient, *, root: Path | None = None, action_ids: Iterable[str] | None = None
) -> pl.DataFrame:
    """Put back what run ``run_id`` deleted or changed (only ``action_ids``, when given); one row per
    action: restored, not_restorable, failed or not_started (stopped by Ctrl-C), with the new id, what
    could not be put back exactly, and whether an earlier restore had already finished it.

    The first Ctrl-C stops after the current action (run restore again to finish); a second one raises
    :class:`KeyboardInterrupt` at once (the journal still knows what was sent)."""
    run = Run.open(run_id, root=root)
    restorer = Restorer(run, client.aio)
    only = set(action_ids) if action_ids is not None else None
    try:
        with restorer.stop_on_sigint():
            return client.run(restorer.all(only))
    except KeyboardInterrupt:
        restorer.wait_stopped()
        raise
    finally:
        restorer.close()


async def restore_async(
    run_id: str,
    client: AsyncAttioClient,
    *,
    root: Path | None = None,
    action_ids: Iterable[str] | None = None,
) -> pl.DataFrame:
    """:func:`restore` with the async client (no Ctrl-C handling: the caller owns the event loop)."""
    run = Run.open(run_id, root=root)
    restorer = Restorer(run, client)
    try:
        return await restorer.all(set(action_ids) if action_ids is not None else None)
    finally:
        restorer.close()


def outlook(
    run_id: str, *, root: Path | None = None, action_ids: Iterable[str] | None = None
) -> pl.DataFrame:
    """What a restore of run ``run_id`` has left, per action, without sending anything: how many are still
    to put back (``failed`` of them failed last time), how many an earlier restore put back, and how many
    cannot be put back."""
    run = Run.open(run_id, root=root)
    try:
        path = run.folder / "restore.sqlite"
        journal = Journal(path) if path.exists() else None
        try:
            counts: dict[str, list[int]] = {}
            for row in finished_rows(run, set(action_ids) if action_ids is not None else None):
                state = _state_of(journal, row["action_id"])
                if state == Status.PLANNED and offline_reason(run, row):
                    state = Status.SKIPPED
                tally = counts.setdefault(row["action"], [0, 0, 0, 0])
                if state in (Status.PLANNED, Status.SENT, Status.FAILED):
                    tally[0] += 1
                tally[1] += state == Status.FAILED
                tally[2] += state == Status.DONE
                tally[3] += state == Status.SKIPPED
        finally:
            if journal is not None:
                journal.close()
    finally:
        run.close()
    rows = [(action, *tally) for action, tally in sorted(counts.items(), key=lambda kv: ORDER[Action(kv[0])])]
    return pl.DataFrame(rows, schema=OUTLOOK_SCHEMA, orient="row")


# Per action: what the run did (one, many) and what a restore does about it ({its}: its or their).
WORDS: dict[Action, tuple[str, str, str]] = {
    Action.DELETE_NOTE: (
        "note the run deleted",
        "notes the run deleted",
        "created again with {its} original date and content",
    ),
    Action.RECREATE_NOTE: (
        "note the run re-created",
        "notes the run re-created",
        "put back as before, in place of the copy the run made",
    ),
    Action.DELETE_ENTRY: (
        "list entry the run deleted",
        "list entries the run deleted",
        "added to {its} list again with {its} values",
    ),
    Action.UPDATE_RECORD: (
        "record the run changed",
        "records the run changed",
        "given back the values it overwrote",
    ),
    Action.UPDATE_ENTRY: (
        "list entry the run changed",
        "list entries the run changed",
        "given back the values it overwrote",
    ),
    Action.CREATE_RECORD: ("record the run created", "records the run created", "deleted"),
    Action.ASSERT_RECORD: (
        "record the run created or updated",
        "records the run created or updated",
        "deleted (if the run made {them}) or given back the values it overwrote",
    ),
    Action.CREATE_NOTE: ("note the run created", "notes the run created", "deleted"),
    Action.CREATE_ENTRY: (
        "list entry the run created",
        "list entries the run created",
        "removed from {its} list",
    ),
    Action.DELETE_RECORD: (
        "record the run deleted",
        "records the run deleted",
        "created again (with a new id), with {its} notes, list entries, task links and references",
    ),
    Action.CREATE_LIST: (
        "list the run made",
        "lists the run made",
        "left in place (empty once its entries go)",
    ),
    Action.CREATE_ATTRIBUTE: (
        "attribute the run added",
        "attributes the run added",
        "left in place (empty once the values the run wrote go)",
    ),
    Action.CREATE_OPTION: ("choice the run added", "choices the run added", "left in place"),
    Action.MERGE_RECORDS: (
        "merge the run made",
        "merges the run made",
        "undone: the merged-away record is created again (with a new id) and what the merge moved goes back to it",
    ),
}


def _count(n: int, action: Action) -> str:
    """``12 notes the run deleted``, ``1 note the run deleted``."""
    one, many, _ = WORDS[action]
    return f"{n:,} {one if n == 1 else many}"


def _outcome(n: int, action: Action) -> str:
    words = {"its": "its", "them": "it"} if n == 1 else {"its": "their", "them": "them"}
    return f"will be {WORDS[action][2].format(**words)}"


def _was(n: int) -> str:
    return f"{n:,} was" if n == 1 else f"{n:,} were"


def describe_outlook(frame: pl.DataFrame) -> list[str]:
    """The dry run in plain sentences, one per action type and a total (``frame``: :func:`outlook`)."""
    lines = []
    for slug, todo, failed, restored, skipped in frame.rows():
        action = Action(slug)
        if todo:
            line = f"{slug}: {todo:,} to put back. {_count(todo, action)} {_outcome(todo, action)}"
            if failed:
                line += f" ({'it' if todo == 1 else f'{failed:,} of them'} failed last time and will be tried again)"
        else:
            line = f"{slug}: nothing left to put back of {_count(restored + skipped, action)}"
        if restored:
            line += f"; {_was(restored)} already put back by an earlier restore"
        if skipped:
            line += f"; {skipped:,} cannot be put back"
        lines.append(line + ".")
    todo, failed, restored, skipped = (
        int(frame[c].sum()) for c in ("to_restore", "failed", "restored", "not_restorable")
    )
    if not todo:
        lines.append("Nothing is left to put back: a restore would send nothing.")
    else:
        retried = f", {failed:,} of them failed last time" if failed else ""
        lines.append(
            f"In all: {todo:,} to put back{retried}; {restored:,} already put back; {skipped:,} cannot be put back."
        )
    return lines


def describe_result(frame: pl.DataFrame, run_id: str) -> list[str]:
    """What a restore did, in plain sentences: put back now or earlier, failed (and what to do), not
    started, cannot be put back; then the rows that need a look (``frame``: :func:`restore`)."""
    now = frame.filter(~pl.col("earlier"))
    earlier = frame.filter(pl.col("earlier"))
    counts = dict(now.group_by("status").len().rows())
    again = f"run `attio-cleanup restore {run_id} --yes` again"
    lines = []
    if counts.get("restored"):
        lines.append(f"restored: {counts['restored']:,} put back now")
    done_before = int((earlier["status"] == "restored").sum())
    if done_before:
        lines.append(f"{_was(done_before)} already put back by an earlier restore (nothing sent for them)")
    skipped = frame.filter(pl.col("status") == "not_restorable")
    if skipped.height:
        lines.append(f"not_restorable: {skipped.height:,} cannot be put back (the backup keeps them):")
        for slug, why, n in skipped.group_by("action", "detail").len().sort("len", descending=True).rows():
            lines.append(f"  {_count(n, Action(slug))}: {why}")
    if counts.get("failed"):
        lines.append(f"failed: {counts['failed']:,} could not be put back this time: {again} to retry them")
    if counts.get("not_started"):
        lines.append(f"not_started: {counts['not_started']:,} not started (stopped): {again} to finish")
    if now.is_empty():
        lines.append("Nothing was sent: an earlier restore had finished everything.")
    failed = now.filter(pl.col("status") == "failed")
    for _, slug, target, _, _, detail, _ in failed.head(20).rows():
        lines.append(f"  failed: {slug} {target}: {detail}")
    if failed.height > 20:
        lines.append(f"  … and {failed.height - 20:,} more (restore.sqlite in the run folder has them all)")
    return lines


def _state_of(journal: Journal | None, action_id: str) -> Status:
    if journal is None:
        return Status.PLANNED
    try:
        return journal.state(action_id, "restore")[0]
    except KeyError:
        return Status.PLANNED


def finished_rows(run: Run, only: set[str] | None = None) -> list[JSON]:
    """The run's rows whose action finished (what a restore puts back), in restore order."""
    finished = {
        action_id
        for action_id, step, status, _, _ in run.journal.rows()
        if status == Status.DONE and step != "read" and not step.startswith(MOVE)
    }
    if only is not None:
        finished &= only
    rows = [r for r in run.rows.to_dicts() if r["action_id"] in finished]
    rows.sort(key=lambda r: ORDER[Action(r["action"])])
    return rows


def offline_reason(run: Run, row: JSON) -> str | None:
    """Why an action cannot be put back, when that is known without asking Attio (else ``None``)."""
    action = Action(row["action"])
    if action in SCHEMA_ACTIONS:
        return (
            "Attio keeps lists, attributes and choices once made (the API deletes none of them); "
            "archive it in Attio's settings if it is not wanted"
        )
    if action in (Action.CREATE_NOTE, Action.CREATE_ENTRY, Action.CREATE_RECORD, Action.ASSERT_RECORD):
        step = {"create_record": "create_record", "assert_record": "assert"}.get(row["action"], "create")
        if run.journal.state(row["action_id"], step)[1] is None:
            return "the run journalled no id for what it made"
        return None
    if run.backup.raw(row["part"], row["target_id"]) is None:
        return "the backup does not hold it"
    if action == Action.MERGE_RECORDS and run.backup.raw(row["part"], row["survivor_id"]) is None:
        return f"the backup does not hold the survivor {row['survivor_id']}"
    return None


def advice(error: Exception) -> str:
    """What to do about a failed restore action, in a sentence."""
    if isinstance(error, NotYet):
        return "it is put back by the restore after its record's own restore succeeds: run restore again"
    if isinstance(error, AuthenticationError):
        return (
            "Attio refused the API key (under load it answers spurious 401s): run restore again, with "
            "--unattended to retry them; if it persists, check ATTIO_API_KEY"
        )
    if isinstance(error, ServerError | RateLimitError | TransportError):
        return "a passing failure (Attio or the network): run restore again to retry it"
    if isinstance(error, ApiError):
        return (
            "Attio refused it, and will again until the cause is fixed in Attio: fix what the message says "
            "(e.g. a value another record holds now), then run restore again"
        )
    return "check it in Attio by hand, then run restore again"


class Restorer:
    """Restores one run's finished actions, each step journalled."""

    def __init__(self, run: Run, client: AsyncAttioClient) -> None:
        self.run = run
        self.client = client
        self.journal = Journal(run.folder / "restore.sqlite")
        self.backup = run.backup
        self.records: dict[str, str] = {}  # a record the run deleted or merged away → its restored id
        self.targets = set(run.rows["target_id"].drop_nulls().to_list())
        records = run.rows.filter(pl.col("action").is_in([a.value for a in RECORD_ACTIONS]))
        # a record the run deleted or merged away → the action that restores it
        self.gone: dict[str, str] = dict(records.select("target_id", "action_id").rows())
        self.keep = set(run.rows["survivor_id"].drop_nulls().to_list()) | run.journal.created_ids()
        self.stopping = False
        self._task: asyncio.Task[Any] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopped = threading.Event()  # set while no restore runs
        self._stopped.set()
        self._notes_before: set[str] | None = None

    def close(self) -> None:
        self.journal.close()
        self.run.close()

    # ------------------------------------------------------------------ stopping
    def request_stop(self) -> None:
        """Stop after the current action (its steps are journalled); run restore again to finish."""
        self.stopping = True

    def stop_now(self) -> None:
        """Cancel the restore at once, from any thread (sent steps stay ``sent``: looked for next time)."""
        if self._loop is not None and self._task is not None:
            self._loop.call_soon_threadsafe(self._task.cancel)

    def wait_stopped(self, timeout: float = 10.0) -> None:
        """Wait for a cancelled restore to let go of its journal."""
        self._stopped.wait(timeout)

    @contextlib.contextmanager
    def stop_on_sigint(self) -> Iterator[None]:
        """For the sync client (its loop runs in a thread): the first Ctrl-C in the main thread stops after
        the current action; a second one cancels at once (the command line exits with 130, elsewhere
        :class:`KeyboardInterrupt` reaches the caller). Steps in flight stay ``sent``: looked for next time."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def handler(signum: int, frame: Any) -> None:
            if self.stopping:
                self.stop_now()
                interrupted_again(
                    f"stopped at once: `attio-cleanup restore {self.run.run_id} --yes` finishes the restore"
                )
            self.request_stop()
            print(
                "\nstopping after the current action; run `attio-cleanup restore "
                f"{self.run.run_id} --yes` again to finish (Ctrl-C again to stop at once)",
                file=sys.stderr,
            )

        previous = signal.signal(signal.SIGINT, handler)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)

    # ------------------------------------------------------------------ actions
    async def all(self, only: set[str] | None = None) -> pl.DataFrame:
        """Restore every finished action of the run (only ``only``, when given); one row per action."""
        self._loop, self._task = asyncio.get_running_loop(), asyncio.current_task()
        self._stopped.clear()
        try:
            rows = finished_rows(self.run, only)
            self.journal.plan([(r["action_id"], "restore") for r in rows])
            self.records.update(self._restored_records())
            out = [await self.one(row) for row in rows]
            return pl.DataFrame(out, schema=RESULT_SCHEMA, orient="row")
        finally:
            self._stopped.set()

    def _restored_records(self) -> dict[str, str]:
        """Records an earlier restore made again (also those outside ``only``): old id → new id."""
        made = {}
        for record_id, action_id in self.gone.items():
            status, created = self._restore_state(action_id)
            if status == Status.DONE and created:
                made[record_id] = created
        return made

    def _restore_state(self, action_id: str) -> tuple[Status, str | None]:
        try:
            status, created, _ = self.journal.state(action_id, "restore")
        except KeyError:
            return Status.PLANNED, None
        return status, created

    async def one(self, row: JSON) -> tuple[Any, ...]:
        """Restore one action (a failed one again), journalled; its result row."""
        action = Action(row["action"])
        key = (row["action_id"], row["action"], row["target_id"])
        status, created, detail = self.journal.state(row["action_id"], "restore")
        if status in (Status.DONE, Status.SKIPPED):
            shown = "restored" if status == Status.DONE else "not_restorable"
            return (*key, shown, created, detail, True)
        if self.stopping:
            return (*key, "not_started", None, "stopped before it: run restore again to put it back", False)
        self.journal.mark(row["action_id"], "restore", Status.SENT)
        try:
            if reason := offline_reason(self.run, row):
                raise NotRestorable(reason)
            restored, detail = await self._restore(action, row)
        except NotRestorable as why:
            self.journal.mark(row["action_id"], "restore", Status.SKIPPED, detail=str(why))
            return (*key, "not_restorable", None, str(why), False)
        except (AttioError, LookupError, NotYet) as error:
            said = f"{error} ({advice(error)})"
            self.journal.mark(row["action_id"], "restore", Status.FAILED, detail=said)
            return (*key, "failed", None, said, False)
        if action in RECORD_ACTIONS and restored:
            self.records[row["target_id"]] = restored
        self.journal.mark(row["action_id"], "restore", Status.DONE, created_id=restored, detail=detail)
        return (*key, "restored", restored, detail, False)

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

        async def made(sent_before: bool) -> Made:
            return Made(await work(sent_before))

        await journalled(self.journal, row["action_id"], step, made, refused=())  # errors end the action
        return self.journal.state(row["action_id"], step)[1]

    async def _create(
        self, row: JSON, step: str, fake: JSON, create_step: str, path: str, body: JSON, id_key: str
    ) -> str:
        """A create that is looked for (never blindly repeated) when an earlier attempt got no answer."""

        async def look() -> str | None:
            unique = unique_slugs(self.run.schema.objects[fake["object"]]) if fake.get("object") else set()
            earlier = self._snapshot_notes() if fake["action"] == "create_note" else set()
            try:
                return await find_created(
                    self.client,
                    fake,
                    create_step,
                    parent=None,
                    sent_at=self.journal.sent_at(row["action_id"], step),
                    unique=unique,
                    claimed=self.journal.created_ids() | self.keep | earlier,
                )
            except NotFoundError:  # the parent is gone: nothing can have been made on it
                return None

        async def work(sent_before: bool) -> str | None:
            if sent_before and (found := await look()):
                return found
            made, _ = await create_looking_first(self.client, path, body, id_key, look)
            return made

        made = await self._sub(row, step, work)
        assert made is not None
        return made

    def _snapshot_notes(self) -> set[str]:
        """Notes that existed when the run was planned: never taken for a note a restore made (a duplicate
        the run deleted has the same title, content and date as the copy it kept)."""
        if self._notes_before is None:
            try:
                notes = Snapshot.load(self.run.meta["snapshot"]).notes().select("note_id").collect()
                self._notes_before = set(notes["note_id"].to_list())
            except (AttioError, OSError, KeyError, pl.exceptions.PolarsError):
                self._notes_before = set()  # the snapshot was moved: rely on the other checks
        return self._notes_before

    # ------------------------------------------------------------------ notes and entries
    def _parent(self, record_id: str) -> str:
        """A record's id now: a record the run deleted or merged away has a new one once it is back, and
        a survivor of native merges has the id its last merge gave it."""
        if record_id in self.records:
            return self.records[record_id]
        return self._final_of(record_id)

    def _hang_on(self, record_id: str) -> str:
        """The record to hang a note or entry on: a record the run deleted or merged away must be back."""
        if record_id in self.gone and record_id not in self.records:
            if self._restore_state(self.gone[record_id])[0] == Status.SKIPPED:
                raise NotRestorable(f"its record {record_id} cannot be put back, so neither can it")
            raise NotYet(f"its record {record_id} is not back yet (its own restore failed or has not run)")
        return self._parent(record_id)

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
        made = await self._put_note(row, "note", note, self._hang_on(note["parent_record_id"]))
        return made, "a new note id; its author is now the restoring API token"

    async def _entry(self, row: JSON) -> tuple[str | None, str]:
        entry = self._backed_up(row)
        made = await self._put_entry(
            row, "entry", row["list"], entry, self._hang_on(entry["parent_record_id"])
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
        return self._final_of(str(row["survivor_id"]))

    def _final_of(self, record_id: str) -> str:
        """The id a record has after the run's merges into it (its own id when there were none)."""
        final = record_id
        for action_id in self.run.actions_on_survivor(record_id):
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
        if before is None or into in self.run.targets_of(Action.DELETE_ENTRY):  # its own action restores it
            return
        values = write_payload(before, writable(self.run.schema.lists[list_slug]), entry=True)

        async def put(_: bool) -> str | None:
            with contextlib.suppress(NotFoundError):  # deleted since: nothing to put back on it
                path = f"/v2/lists/{list_slug}/entries/{into}"
                await self.client.put(path, {"data": {"entry_values": values}})
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
            with contextlib.suppress(NotFoundError):  # a task deleted since has nothing to link
                path = f"/v2/tasks/{task['id']['task_id']}"
                await self.client.patch(path, {"data": {"linked_records": links}})
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


__all__ = ["describe_outlook", "describe_result", "outlook", "restore", "restore_async"]


def _is_reference(info: Any, slug: str) -> bool:
    """Record references are put back from the referring side (a relationship's other half follows)."""
    return any(a.slug == slug and a.type == "record-reference" for a in info.attributes)

"""Applying a plan: re-read every target (drift check), back it up, then write, journalled step by step.

>>> report = plan.apply(client)              # doctest: +SKIP
>>> report = Run.open(run_id).apply(client)  # resume an interrupted run: finished steps are not repeated

Every action is a fixed sequence of steps (``STEPS``), each one journalled as planned → sent → done (with
the id it created) / failed / skipped, so a crash, a kill or Ctrl-C resumes exactly where it stopped and a
create whose answer was lost is looked for before it is sent again. Steps run phase by phase: records are
created or asserted first (notes and entries may hang on them), then updates, then note and entry creates,
then merges, then deletes. Within a phase, a row whose values reference records other rows make
(``depends_on``) is sent in a later wave than those rows, and skipped if they were not made. Ctrl-C (or
:meth:`Run.request_stop`) stops cleanly: requests in flight finish and are journalled, nothing new is sent,
and the report says what is left for ``attio-cleanup resume``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import os
import secrets
import shutil
import signal
import sys
import threading
from collections.abc import Awaitable, Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import polars as pl

from ..actions import Action
from ..actions.fingerprint import fingerprint
from ..actions.schema import SCHEMA_ACTIONS
from ..client import AsyncAttioClient, AttioClient, endpoints
from ..client.capabilities import server_capabilities
from ..client.errors import AmbiguousWriteError, ApiError, NotFoundError
from ..client.portal import interrupted_again
from ..errors import ExecuteError
from ..export.schema import WorkspaceSchema, fetch_schema
from ..files import RUNS_ENV, backup_root, private_file
from ..progress import progress_bar
from .backup import BackupView, private_dir, write_backup, write_private
from .hanging import hanging_on
from .history import HISTORY_PART, NO_ENDPOINT, histories_wanted, read_histories
from .journal import FINISHED, Journal, KeptReads, Status
from .merge import MOVE, MergeMode, Merger
from .payloads import EntryPayload, NotePayload, Payload, normalised_rows, parse
from .plan import Plan, Planned
from .report import RunReport, build_report
from .rows import RUN_COLUMNS, Row, row_dicts
from .schema_steps import make
from .shape import filter_value, unique_slugs
from .stepping import Made, journalled, looking_first
from .steps import (
    MADE,
    find_created,
    payload_of,
    placeholders,
    send,
    target_path,
    values_of,
    with_made,
)

STEPS: dict[Action, tuple[str, ...]] = {
    Action.DELETE_NOTE: ("delete",),
    Action.DELETE_ENTRY: ("delete",),
    Action.DELETE_RECORD: ("delete",),
    Action.RECREATE_NOTE: ("create", "delete"),
    Action.UPDATE_ENTRY: ("update",),
    Action.UPDATE_RECORD: ("update",),
    Action.UPDATE_TASK: ("update",),
    Action.UPDATE_NOTE: ("update",),
    Action.WRITE_HISTORY: ("history",),
    Action.MERGE_RECORDS: ("carry", "merge", "carry_unique"),
    Action.CREATE_RECORD: ("create_record",),
    Action.ASSERT_RECORD: ("assert",),
    Action.CREATE_NOTE: ("create",),
    Action.CREATE_ENTRY: ("create",),
    Action.CREATE_LIST: ("schema",),
    Action.CREATE_ATTRIBUTE: ("schema",),
    Action.CREATE_OPTION: ("schema",),
}
# The schema first (lists, attributes, options the rows write), then records (notes and entries may hang
# on them), carried values before their duplicates go.
PHASES = ("schema", "create_record", "assert", "update", "create", "history", "merge", "delete")
# Within the schema phase: a list before its attributes, an attribute before its options.
SCHEMA_WAVES = (Action.CREATE_LIST, Action.CREATE_ATTRIBUTE, Action.CREATE_OPTION)
PHASE_LABELS = {
    "schema": "make lists, attributes and options",
    "create_record": "create records",
    "assert": "assert records",
    "update": "update",
    "create": "create notes and entries",
    "history": "write value histories back",
    "merge": "merge",
    "delete": "delete",
    "update+create_record": "put back values and records",
}
MAKING = frozenset({"create_record", "assert", "create"})  # the steps that make something with an id


def made_later(row: Row) -> bool:
    """The row's target is made by another row of the run (nothing to re-read or back up before)."""
    return bool(row["target_id"]) and str(row["target_id"]).startswith(MADE)


def step_in(row: Row, group: tuple[str, ...]) -> str:
    """The row's step that runs in a phase of ``group``'s steps ("" when it has none there)."""
    return next((step for step in STEPS[Action(row["action"])] if step in group), "")


ASSERTS_PER_QUERY = endpoints.RECORDS_PAGE  # asserts looked up by one records/query
CREATES = frozenset({Action.CREATE_NOTE, Action.CREATE_ENTRY, Action.CREATE_RECORD, Action.ASSERT_RECORD})
UNREAD = CREATES | SCHEMA_ACTIONS  # nothing to re-read before: they make what is not there yet


class RunError(ExecuteError, RuntimeError):
    """A run that cannot start or continue: names the run folder and the command that resumes it."""


LEGACY_ROOT = Path("backups")  # where runs were kept before, relative to the folder a command ran in


def run_folder(run_id: str, root: Path | None = None) -> Path:
    """The folder of run ``run_id``: under ``root`` (default :func:`backup_root`), else — for a run made
    before runs moved to the data folder — under ``./backups``; an error names every folder looked in."""
    where = root or backup_root()
    folder = where / run_id
    if (folder / "plan.parquet").exists():
        return folder
    looked = [where]
    if root is None and not os.environ.get(RUNS_ENV):
        legacy = LEGACY_ROOT / run_id
        if (legacy / "plan.parquet").exists():
            return legacy
        looked.append(LEGACY_ROOT.resolve())
    raise RunError(
        f"no run {run_id!r} in {' nor in '.join(str(p) for p in looked)} (a run folder holds plan.parquet); "
        "`attio-cleanup runs` lists the runs there, `--runs-dir DIR` looks elsewhere"
    )


class Run:
    """One application of a plan, kept in its own folder: the plan, the backup, the journal, the report."""

    def __init__(self, folder: Path, rows: pl.DataFrame) -> None:
        self.folder = folder
        self.run_id = folder.name
        self.rows = normalised_rows(rows)  # a run planned by an earlier version may hold the older shape
        self.meta: dict[str, Any] = orjson.loads((folder / "meta.json").read_bytes())
        self.schema = WorkspaceSchema.from_json(orjson.loads((folder / "schema.json").read_bytes()))
        self.journal = Journal(folder / "journal.sqlite")
        self.backup = BackupView(folder / "backup", self.schema)
        self.phases: list[tuple[str, ...]] = [
            tuple(p) for p in self.meta.get("phases", [[p] for p in PHASES])
        ]
        # ids made before this run that a look for what a create made must never take (a restore's: what
        # earlier restores and the restored run made, and the survivors)
        self.claimed: set[str] = set(self.meta.get("claimed", []))
        self.stopping = False
        self._creates_by_parent: dict[str, list[dict[str, Any]]] | None = None
        self._by_survivor: dict[str, list[str]] = {}
        for action_id, action, survivor in rows.select("action_id", "action", "survivor_id").rows():
            if action == Action.MERGE_RECORDS.value:
                self._by_survivor.setdefault(survivor, []).append(action_id)

    # ------------------------------------------------------------------ creating and reopening
    @classmethod
    def start(cls, plan: Plan | Planned, *, root: Path | None = None, run_id: str | None = None) -> Run:
        """A new run folder for ``plan`` (nothing is sent yet). The folder is made whole under a temporary
        name and then renamed, so a kill while it is made leaves no half run behind."""
        run_id = run_id or datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)
        where = private_dir(root or backup_root())
        partial = where / f".{run_id}.partial"
        if partial.exists():  # what a kill left of an earlier start
            shutil.rmtree(partial)
        folder = private_dir(partial)
        rows = plan.rows.select(*RUN_COLUMNS)
        with private_file(folder / "plan.parquet") as tmp:
            rows.write_parquet(tmp)
        meta = {"run_id": run_id, "started_at": datetime.now(UTC).isoformat(), **plan.run_meta()}
        write_private(folder / "meta.json", orjson.dumps(meta, option=orjson.OPT_INDENT_2))
        write_private(folder / "schema.json", orjson.dumps(plan.schema.to_json()))
        for name, data in plan.run_files().items():
            write_private(folder / name, data)
        journal = Journal(folder / "journal.sqlite")
        journal.plan(
            [
                (action_id, step)
                for action_id, action in rows.select("action_id", "action").iter_rows()
                for step in ("read", *STEPS[Action(action)])
            ]
        )
        for action_id, step, sent_at in plan.sent_before():  # looked for before they are sent again
            journal.mark_sent(action_id, step, sent_at)
        journal.close()
        final = where / run_id
        os.rename(partial, final)
        return cls(final, rows)

    @classmethod
    def open(cls, run_id: str, *, root: Path | None = None) -> Run:
        """Reopen a run to resume it (or restore it)."""
        folder = run_folder(run_id, root)
        return cls(folder, pl.read_parquet(folder / "plan.parquet"))

    def close(self) -> None:
        self.journal.close()

    @property
    def go_on(self) -> str:
        """The command that finishes the run after a stop: a restore's goes on through ``restore``."""
        restores = self.meta.get("restores")
        return (
            f"attio-cleanup restore {restores} --yes" if restores else f"attio-cleanup resume {self.run_id}"
        )

    def request_stop(self) -> None:
        """Stop cleanly: requests in flight finish and are journalled; nothing new is sent."""
        self.stopping = True

    def targets_of(self, *actions: Action) -> set[str]:
        """The targets of this run's rows of the given actions."""
        wanted = [a.value for a in actions]
        return set(self.rows.filter(pl.col("action").is_in(wanted))["target_id"].drop_nulls().to_list())

    def created_on(self, record_id: str) -> list[tuple[Action, str, str | None]]:
        """Notes and entries this run created on a record: (action, id, list)."""
        if self._creates_by_parent is None:
            creates = [a.value for a in (Action.RECREATE_NOTE, Action.CREATE_NOTE, Action.CREATE_ENTRY)]
            self._creates_by_parent = {}
            for row in self.rows.filter(pl.col("action").is_in(creates)).iter_rows(named=True):
                parent = payload_of(row).get("parent_record_id")
                if parent:
                    self._creates_by_parent.setdefault(parent, []).append(row)
        made = []
        for row in self._creates_by_parent.get(record_id, []):
            status, created, _ = self.journal.state(row["action_id"], "create")
            if status == Status.DONE and created:
                made.append((Action(row["action"]), created, row["list"]))
        return made

    def actions_on_survivor(self, survivor_id: str) -> list[str]:
        """The merge actions into one survivor, in plan order."""
        return self._by_survivor.get(survivor_id, [])

    # ------------------------------------------------------------------ applying
    def apply(
        self,
        client: AttioClient,
        *,
        concurrency: int = 8,
        canary: int | None = None,
        merge: MergeMode = "auto",
        progress: bool | None = None,
    ) -> RunReport:
        """Apply (or resume) the run with a sync client; see :meth:`apply_async`."""
        with self._stop_on_sigint():
            return client.run(
                self.apply_async(
                    client.aio, concurrency=concurrency, canary=canary, merge=merge, progress=progress
                )
            )

    async def apply_async(
        self,
        client: AsyncAttioClient,
        *,
        concurrency: int = 8,
        canary: int | None = None,
        merge: MergeMode = "auto",
        progress: bool | None = None,
    ) -> RunReport:
        """Re-read and back up every target, then write, journalled; returns (and saves) the report.

        ``canary=N`` applies only the first N actions (after backing up all of them) and stops, so their
        result can be looked at; resuming the run applies the rest. ``merge`` picks the native merge
        endpoint (``"native"``), the merge by hand (``"fallback"``), or the native one when the server has
        it (``"auto"``). ``progress`` shows a bar per phase (by default in a terminal or a notebook).
        """
        every = row_dicts(self.rows)
        gate = asyncio.Semaphore(max(1, concurrency))
        with self._stop_on_interrupt(), progress_bar(enabled=progress) as bar:
            if not self.backup.exists:
                self.journal.set_phase("read")
                task = bar.add_task("re-read and back up", total=None, rate="")
                await self._read_and_back_up(client, every, gate)
                bar.update(task, total=len(every), completed=len(every))
            rows = every[:canary] if canary is not None else every
            merger = Merger(self, client, merge)
            for group in self.phases:
                phase = group[0]
                if self.stopping:
                    break
                if phase == "merge":
                    waves = [[merger.group(merged) for merged in self._merge_groups(rows)]]
                elif phase == "schema":
                    waves = [
                        [self._step(client, row, phase) for row in rows if Action(row["action"]) == kind]
                        for kind in SCHEMA_WAVES
                    ]
                else:
                    waves = [
                        [self._step(client, row, step_in(row, group)) for row in wave]
                        for wave in in_waves([r for r in rows if step_in(r, group)])
                    ]
                total = sum(len(jobs) for jobs in waves)
                if total:
                    self.journal.set_phase(phase)
                    label = PHASE_LABELS.get("+".join(group), PHASE_LABELS[phase])
                    task = bar.add_task(label, total=total, rate="")
                    for jobs in waves:  # a wave starts once the rows it references are written
                        await _gather(gate, jobs, functools.partial(bar.advance, task))
                if phase == "schema" and any(Action(r["action"]) in SCHEMA_ACTIONS for r in rows):
                    await self._schema_made(client)
            self.journal.set_phase("verify")
            task = bar.add_task("verify", total=None, rate="")
            report = await build_report(self, client, [self.resolved(r) for r in every], gate)
            bar.update(task, total=len(every), completed=len(every))
        report.save()
        self.journal.set_phase("finished" if not report.counts().get("not_started") else "stopped")
        return report

    async def _schema_made(self, client: AsyncAttioClient) -> None:
        """Read the schema again once the run's lists, attributes and options are made (or found), so the
        writes after them see their real ids; kept in the run folder for a resume and a restore."""
        makes = self.rows.filter(pl.col("action").is_in([a.value for a in SCHEMA_ACTIONS]))["action_id"]
        if any(self.journal.state(action_id, "schema")[0] != Status.DONE for action_id in makes):
            return  # some failed or were not sent: the planned schema stays what the run goes by
        self.schema = await fetch_schema(client)
        write_private(self.folder / "schema.json", orjson.dumps(self.schema.to_json()))
        self.backup = BackupView(self.folder / "backup", self.schema)

    def _merge_groups(self, rows: list[Row]) -> list[list[Row]]:
        groups: dict[str, list[Row]] = {}
        for row in rows:
            if Action(row["action"]) == Action.MERGE_RECORDS:
                groups.setdefault(row["survivor_id"], []).append(row)
        return list(groups.values())

    def _interrupted_once(self) -> None:
        self.request_stop()
        print(
            f"\nstopping after the requests in flight; go on with: {self.go_on}"
            " (Ctrl-C again to stop at once)",
            file=sys.stderr,
        )

    @contextlib.contextmanager
    def _stop_on_sigint(self) -> Iterator[None]:
        """For the sync client (its loop runs in a thread): the first Ctrl-C in the main thread asks for a
        clean stop, a second one interrupts at once: the command line exits (the journal knows what was
        sent, as after a kill), elsewhere the client cancels the run's requests and lets them unwind
        before ``KeyboardInterrupt`` reaches the caller (who may close the journal then)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def handler(signum: int, frame: Any) -> None:
            if self.stopping:
                interrupted_again(f"stopped at once: `{self.go_on}` finishes the run")
            self._interrupted_once()

        previous = signal.signal(signal.SIGINT, handler)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)

    @contextlib.contextmanager
    def _stop_on_interrupt(self) -> Iterator[None]:
        """The first Ctrl-C asks for a clean stop; a second one interrupts at once (the journal still
        knows what was sent, so a resume looks before sending it again)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        task = asyncio.current_task()

        def interrupted() -> None:
            if self.stopping and task is not None:
                task.cancel()
                return
            self._interrupted_once()

        installed = False
        if loop is not None:
            try:
                loop.add_signal_handler(signal.SIGINT, interrupted)
                installed = True
            except (RuntimeError, ValueError, NotImplementedError):
                installed = False  # not the main thread (e.g. inside Jupyter's loop thread)
        try:
            yield
        finally:
            if installed and loop is not None:
                loop.remove_signal_handler(signal.SIGINT)

    # ------------------------------------------------------------------ reading and backing up
    async def _read_and_back_up(
        self, client: AsyncAttioClient, rows: list[Row], gate: asyncio.Semaphore
    ) -> None:
        """Read every target (and each merge's survivor), judge drift, and back up what the run touches.
        Reads are journalled as they arrive: a run stopped here goes on from the reads it has."""
        kept = KeptReads(self.journal)
        current: dict[str, str | None] = {}
        survivors: dict[str, str | None] = {}

        async def read(into: dict[str, str | None], key: str, name: str, path: str) -> None:
            if f"{name}:{key}" in kept:
                into[key] = kept[f"{name}:{key}"]
                return
            try:
                into[key] = orjson.dumps((await client.get(path))["data"]).decode()
            except NotFoundError:
                into[key] = None
            kept.add(f"{name}:{key}", into[key])

        merges = [r for r in rows if Action(r["action"]) == Action.MERGE_RECORDS]
        wanted = {(r["object"], r["survivor_id"]) for r in merges}
        asserts = [r for r in rows if Action(r["action"]) == Action.ASSERT_RECORD]
        for row in asserts:
            if f"target:{row['action_id']}" in kept:
                current[row["action_id"]] = kept[f"target:{row['action_id']}"]
        await _gather(
            gate,
            [
                read(current, row["action_id"], "target", target_path(row))
                for row in rows
                if Action(row["action"]) not in UNREAD  # asserts are read below, many at a time
                and not made_later(row)
            ]
            + [read(survivors, s, "survivor", endpoints.record(o, s)) for o, s in wanted]
            + _asserted_records(
                client, self.schema, [r for r in asserts if r["action_id"] not in current], current
            ),
        )
        for row in asserts:
            if f"target:{row['action_id']}" not in kept:
                kept.add(f"target:{row['action_id']}", current[row["action_id"]])
        kept.flush()
        with self.journal.batch():  # every read step marked in one transaction
            items, doomed = self._judge_reads(rows, current, survivors)
        for object_slug, record_ids in doomed.items():
            key = f"hanging:{object_slug}"
            if key not in kept:
                found = await hanging_on(client, self.schema, object_slug, sorted(record_ids))
                parts: dict[str, list[tuple[str, str]]] = {}
                for hanging in found.values():
                    for part, pairs in hanging.backup_items().items():
                        parts.setdefault(part, []).extend(pairs)
                kept.add(key, orjson.dumps(parts).decode())
                kept.flush()
            for part, pairs in orjson.loads(kept[key] or "{}").items():
                items.setdefault(part, []).extend((item_id, raw) for item_id, raw in pairs)
        wanted_histories = histories_wanted(rows, items, self.schema)
        if wanted_histories:
            items[HISTORY_PART] = await read_histories(client, wanted_histories, kept, gate)
            kept.flush()
        write_backup(self.folder / "backup", {part: _first_by_id(pairs) for part, pairs in items.items()})
        self.journal.forget_reads()

    def _judge_reads(
        self, rows: list[Row], current: dict[str, str | None], survivors: dict[str, str | None]
    ) -> tuple[dict[str, list[tuple[str, str]]], dict[str, set[str]]]:
        """Mark each action's read step: done, or skipped when its target is gone or drifted. Returns what to
        back up (part → [(id, raw JSON)]) and, per object, the records deleted or merged (with survivors)."""
        items: dict[str, list[tuple[str, str]]] = {}
        doomed: dict[str, set[str]] = {}
        for row in rows:
            action = Action(row["action"])
            if (action in UNREAD and action != Action.ASSERT_RECORD) or made_later(row):
                self.journal.mark(row["action_id"], "read", Status.DONE)
                continue
            raw = current.get(row["action_id"])
            if action == Action.ASSERT_RECORD:
                if raw is not None:  # it will update this record: back it up
                    record_id = orjson.loads(raw)["id"]["record_id"]
                    items.setdefault(row["part"], []).append((record_id, raw))
                self.journal.mark(row["action_id"], "read", Status.DONE)
                continue
            if raw is None:
                self._skip(row, "the target no longer exists")
                continue
            if row["fingerprint"] and fingerprint(raw) != row["fingerprint"]:
                self._skip(
                    row, "changed since the snapshot (drift); detect again to act on its current state"
                )
                continue
            if action == Action.MERGE_RECORDS:
                kept = survivors.get(row["survivor_id"])
                if kept is None:
                    self._skip(row, f"the survivor {row['survivor_id']} no longer exists")
                    continue
                items.setdefault(row["part"], []).append((row["survivor_id"], kept))
                doomed.setdefault(row["object"], set()).update({row["target_id"], row["survivor_id"]})
            if action == Action.DELETE_RECORD:
                doomed.setdefault(row["object"], set()).add(row["target_id"])
            items.setdefault(row["part"], []).append((row["target_id"], raw))
            self.journal.mark(row["action_id"], "read", Status.DONE)
        return items, doomed

    def _skip(self, row: Row, why: str) -> None:
        for step in ("read", *STEPS[Action(row["action"])]):
            self.journal.mark(row["action_id"], step, Status.SKIPPED, detail=why)

    # ------------------------------------------------------------------ one step
    def _made_by(self, action_id: str) -> tuple[bool, str | None]:
        """Whether another row is done (a create: with the id it made), and the id it made, if any."""
        steps = {
            step: state
            for step, state in self.journal.steps_of(action_id).items()
            if step != "read" and not step.startswith(MOVE)
        }
        made = next((c for step, (_, c, _) in steps.items() if step in MAKING and c), None)
        done = bool(steps) and all(status == Status.DONE for status, _, _ in steps.values())
        return done and (made is not None or not steps.keys() & MAKING), made

    def resolved(self, row: Row) -> Row:
        """The row with the ids other rows made in place of its placeholders (those made so far)."""
        marks = placeholders(row)
        if not marks:
            return row
        made = {a: m for a in marks if (m := self._made_by(a)[1])}
        return with_made(row, made)

    def _parent(self, payload: Payload) -> tuple[bool, str | None]:
        """The record a create hangs on when the row names another row's created record (``parent_action``):
        (ready, id)."""
        wanted = payload.parent_action if isinstance(payload, NotePayload | EntryPayload) else None
        return self._made_by(wanted) if wanted else (True, None)

    def _waiting_for(self, payload: Payload) -> list[str]:
        """The rows this one waits for (``depends_on``: the records its references name) not yet done."""
        return [a for a in payload.depends_on if not self._made_by(a)[0]]

    async def _step(self, client: AsyncAttioClient, row: Row, step: str) -> None:
        action_id = row["action_id"]
        status, _, _ = self.journal.state(action_id, step)
        if status in FINISHED or self.stopping:
            return
        if step == "schema":
            await self._make(client, row)
            return
        if step == "delete" and Action(row["action"]) == Action.RECREATE_NOTE:
            made, _, _ = self.journal.state(action_id, "create")
            if made != Status.DONE:
                self.journal.mark(action_id, step, Status.SKIPPED, detail="the new note was not created")
                return
        payload = parse(Action(row["action"]), row["payload"])
        ready, parent = self._parent(payload)
        if not ready:
            self.journal.mark(
                action_id, step, Status.SKIPPED, detail="the record it hangs on was not created"
            )
            return
        waiting = self._waiting_for(payload) + [
            a for a in sorted(placeholders(row)) if not self._made_by(a)[1]
        ]
        if waiting:
            self.journal.mark(
                action_id,
                step,
                Status.SKIPPED,
                detail=f"the record(s) it references were not created ({', '.join(dict.fromkeys(waiting))})",
            )
            return
        row = self.resolved(row)

        async def look() -> str | None:
            return await self._look(client, row, step, parent)

        async def work(sent_before: bool) -> Made:
            try:
                if step in ("create", "create_record"):  # Attio cannot take a create twice: look first
                    return await looking_first(
                        lambda: send(client, row, step, parent), look, sent_before=sent_before
                    )
                return Made(await send(client, row, step, parent))
            except NotFoundError as error:
                if step == "delete":
                    return Made(None, "already gone")
                if step == "history" and "endpoint" in error.message:
                    return Made(None, NO_ENDPOINT)  # this server keeps current values only: nothing to do
                raise

        try:
            await journalled(self.journal, action_id, step, work, refused=(ApiError, LookupError))
        except AmbiguousWriteError:  # no answer however often it was sent: left sent, a resume looks again
            self.journal.mark(action_id, step, Status.SENT, detail="no answer; resume looks for it first")

    async def _make(self, client: AsyncAttioClient, row: Row) -> None:
        """A list, attribute or option: looked for, then made (a resend after a kill looks first too)."""

        async def work(_: bool) -> Made:
            made, there = await make(client, row)
            return Made(made, "already there" if there else None)

        await journalled(
            self.journal, row["action_id"], "schema", work, refused=(ApiError, AmbiguousWriteError)
        )

    async def _look(self, client: AsyncAttioClient, row: Row, step: str, parent: str | None) -> str | None:
        """What an earlier send of a create may have made (``None``: nothing); raises :class:`LookupError`
        when it cannot be looked for."""
        unique = (
            unique_slugs(self.schema.objects[row["object"]])
            if row["object"] in self.schema.objects
            else set()
        )
        payload = parse(Action(row["action"]), row["payload"])
        skip = set(payload.skip_ids) if isinstance(payload, NotePayload) else set()
        return await find_created(
            client,
            row,
            step,
            parent=parent,
            sent_at=self.journal.sent_at(row["action_id"], step),
            unique=unique,
            claimed=self.journal.created_ids() | skip | self.claimed,
        )


def _asserted_records(
    client: AsyncAttioClient,
    schema: WorkspaceSchema,
    rows: list[Row],
    found: dict[str, str | None],
) -> list[Awaitable[None]]:
    """Jobs that put into ``found`` (by action id) the record each ``assert_record`` row would update, as raw
    JSON (``None``: it will create one). Rows matching on a unique text attribute (an import's source id) are
    looked up :data:`ASSERTS_PER_QUERY` values a query with ``$in`` (of the unique types, only text filters
    take a list); the others one query each."""
    by_attribute: dict[tuple[str, str], dict[str, list[str]]] = {}  # (object, slug) → value → action ids
    jobs: list[Awaitable[None]] = []
    unmade = {  # attributes the run itself makes (planned, no id yet): no record can hold them yet
        (object_slug, a.slug)
        for object_slug, info in schema.objects.items()
        for a in info.attributes
        if not a.id
    }

    async def query(object_slug: str, slug: str, body: dict[str, Any]) -> list[dict[str, Any]]:
        if (object_slug, slug) in unmade:  # made by this run, after the reads: nothing holds it yet
            return []
        answer = await client.post(endpoints.records_query(object_slug), body)
        data: list[dict[str, Any]] = answer["data"]
        return data

    async def one(action_id: str, object_slug: str, slug: str, value: Any) -> None:
        data = await query(object_slug, slug, {"filter": {slug: value}, "limit": 1})
        found[action_id] = orjson.dumps(data[0]).decode() if data else None

    async def many(object_slug: str, slug: str, wanted: dict[str, list[str]]) -> None:
        data = await query(  # unique: one record a value
            object_slug, slug, {"filter": {slug: {"$in": list(wanted)}}, "limit": len(wanted)}
        )
        for action_ids in wanted.values():
            for action_id in action_ids:
                found[action_id] = None
        for record in data:
            raw = orjson.dumps(record).decode()
            for value in record["values"].get(slug, []):
                for action_id in wanted.get(value.get("value"), []):
                    found[action_id] = raw

    for row in rows:
        asserted = values_of(row)
        slug = str(asserted.matching_attribute)
        value = filter_value(asserted.values[slug])  # the plan checked both are there
        info = schema.objects.get(row["object"])
        attribute = next((a for a in info.attributes if a.slug == slug), None) if info else None
        if (
            attribute is not None
            and attribute.type == "text"
            and attribute.is_unique
            and isinstance(value, str)
        ):
            by_attribute.setdefault((row["object"], slug), {}).setdefault(value, []).append(row["action_id"])
        else:
            jobs.append(one(row["action_id"], row["object"], slug, value))
    for (object_slug, slug), wanted in by_attribute.items():
        values = list(wanted)
        for i in range(0, len(values), ASSERTS_PER_QUERY):
            chunk = {v: wanted[v] for v in values[i : i + ASSERTS_PER_QUERY]}
            jobs.append(many(object_slug, slug, chunk))
    return jobs


def in_waves(rows: list[Row]) -> list[list[Row]]:
    """Rows in the order their ``depends_on`` asks: each row in a wave after every row it waits for (a
    dependency outside ``rows`` is waited for by :meth:`Run._step`, not here). The plan refuses cycles."""
    waiting = {
        row["action_id"]: needs
        for row in rows
        if (needs := parse(Action(row["action"]), row["payload"]).depends_on)
    }
    if not waiting:
        return [rows]
    here = {row["action_id"] for row in rows}
    wave_of: dict[str, int] = {}

    def wave(action_id: str, seen: frozenset[str]) -> int:
        if action_id not in wave_of:
            deps = [d for d in waiting.get(action_id, []) if d in here and d not in seen]
            wave_of[action_id] = 1 + max((wave(d, seen | {action_id}) for d in deps), default=-1)
        return wave_of[action_id]

    waves: list[list[Row]] = []
    for row in rows:
        n = wave(row["action_id"], frozenset())
        waves += [[] for _ in range(n + 1 - len(waves))]
        waves[n].append(row)
    return [w for w in waves if w]


def _first_by_id(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Items once each (an item read twice, e.g. as a target and as a referrer, keeps its first read)."""
    seen: dict[str, str] = {}
    for item_id, raw in pairs:
        seen.setdefault(item_id, raw)
    return list(seen.items())


async def _gather(
    gate: asyncio.Semaphore, jobs: Sequence[Awaitable[None]], done: Callable[[], None] | None = None
) -> None:
    async def guarded(job: Awaitable[None]) -> None:
        try:
            async with gate:
                await job
        finally:
            if inspect.iscoroutine(job):  # cancelled before its turn (another job failed): never started
                job.close()
        if done is not None:
            done()

    await asyncio.gather(*(guarded(job) for job in jobs))


def apply_plan(
    plan: Plan,
    client: AttioClient,
    *,
    root: Path | None = None,
    concurrency: int = 8,
    canary: int | None = None,
    merge: MergeMode = "auto",
    progress: bool | None = None,
) -> RunReport:
    """Start a run for ``plan`` and apply it (``canary``: only its first N actions). A plan that corrects
    notes asks the server first whether it can (three requests that change nothing); where it cannot, the
    notes are created anew instead (:meth:`Plan.recreate_note_updates`)."""
    if isinstance(plan, Plan) and plan.note_updates():
        probed = server_capabilities(client).check("note_update")
        if probed.verdict == "absent":  # not when it could not tell: the updates then fail, saying why
            plan.recreate_note_updates()
    run = Run.start(plan, root=root)
    try:
        return run.apply(client, concurrency=concurrency, canary=canary, merge=merge, progress=progress)
    finally:
        run.close()


__all__ = ["RUNS_ENV", "Run", "RunError", "RunReport", "apply_plan", "backup_root"]

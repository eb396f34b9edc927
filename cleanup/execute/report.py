"""The run's report: per action done / skipped / failed / unsettled / not started, the reason, the id it
made, and whether reading the end state back confirmed it."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import orjson
import polars as pl

from ..actions import Action
from ..client import AsyncAttioClient, endpoints
from ..client.errors import NotFoundError
from ..files import private_file
from ..notebook import html
from ..values.notes import same_text
from ..values.timestamps import parse_timestamp
from .backup import write_private
from .history import NO_ENDPOINT
from .journal import Status
from .merge import MOVE, settled_record
from .payloads import HistoryPayload, NoteUpdatePayload, TaskPayload, ValuesPayload, parse
from .render import run_report_renderables
from .rows import Row
from .schema_steps import present
from .steps import history_path, note_body, target_path

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

    from .run import Run

StepState = tuple[str, str, str | None, str | None]  # step, status, created id, detail

REPORT_SCHEMA = {
    "action_id": pl.String,
    "action": pl.String,
    "target_id": pl.String,
    "status": pl.String,
    "detail": pl.String,
    "created_id": pl.String,
    "verified": pl.Boolean,
}
RECORD_CREATES = ("create_record", "assert")  # the steps that make (or find) a record
RECORDS_PER_CHECK = endpoints.RECORDS_PAGE  # records read back by one records/query
NOTES_PER_PAGE = endpoints.NOTES_PAGE
# Exit codes a cron job can act on.
EXIT_DONE = 0  # everything done (or nothing to do)
EXIT_FAILED = 1  # some action failed or its outcome is unknown
EXIT_SKIPPED = 3  # done, with some actions skipped (drift, gone)
EXIT_INCOMPLETE = 4  # stopped (Ctrl-C) or a canary: resume the run for the rest
EXIT_NOTHING = 5  # no approved action was applied: nothing to do
ACCOUNTING, ITEMS = "accounting.parquet", "items.parquet"  # an import's, in its run folder


@dataclass
class RunReport:
    """What a run did, per action: ``done``, ``skipped``, ``failed``, ``unsettled`` or ``not_started`` with
    the reason, the id it made, and ``verified`` (the end state read back agrees)."""

    run_id: str
    folder: Path
    frame: pl.DataFrame

    def counts(self) -> dict[str, int]:
        return dict(self.frame.group_by("status").len().sort("status").rows())

    @property
    def exit_code(self) -> int:
        """0 done, 1 failures (or unsettled), 3 done with skips, 4 stopped early (resume it), 5 nothing to do."""
        counts = self.counts()
        if counts.get("failed") or counts.get("unsettled"):
            return EXIT_FAILED
        if counts.get("not_started"):
            return EXIT_INCOMPLETE
        if not counts.get("done"):
            return EXIT_SKIPPED if counts.get("skipped") else EXIT_NOTHING
        return EXIT_SKIPPED if counts.get("skipped") else EXIT_DONE

    def save(self) -> None:
        write_private(self.folder / "report.json", self.frame.write_json().encode())
        with private_file(self.folder / "report.parquet") as tmp:
            self.frame.write_parquet(tmp)

    @property
    def started_at(self) -> datetime | None:
        """When the run started (its ``meta.json``), or None when the folder does not say."""
        try:
            meta = orjson.loads((self.folder / "meta.json").read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return None
        return datetime.fromisoformat(meta["started_at"]) if meta.get("started_at") else None

    @property
    def finished_at(self) -> datetime | None:
        """When the run's last journalled step changed (read-only look at ``journal.sqlite``)."""
        last = _last_update(self.folder / "journal.sqlite")
        return datetime.fromisoformat(last) if last else None

    @property
    def seconds(self) -> float | None:
        """How long the run took, from its start to its last journalled step."""
        start, end = self.started_at, self.finished_at
        return (end - start).total_seconds() if start and end else None

    def restores(self) -> pl.DataFrame:
        """What restores of this run put back since (read only): per action id its status, the new id, what
        could not be put back exactly, and the restore runs that did it."""
        from .restore import restores_of  # the restore is planned from runs: it sits above this module

        return restores_of(self.run_id, self.folder.parent)

    def accounting(self) -> pl.DataFrame | None:
        """An import's accounting, kept in the run folder when the run was an import (else None): per file
        and kind, read = imported + already there + pending + refused + skipped."""
        path = self.folder / ACCOUNTING
        return pl.read_parquet(path) if path.exists() else None

    def items(self) -> pl.DataFrame | None:
        """An import's items (file, kind, key, outcome, reason), when the run was an import."""
        path = self.folder / ITEMS
        return pl.read_parquet(path) if path.exists() else None

    def _repr_html_(self) -> str:
        return html(self)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """The counts by status, the actions that did not go through, and where the run folder is."""
        yield from run_report_renderables(self)


def action_status(states: list[StepState]) -> str:
    """One action's status from its steps (the drift read excluded)."""
    statuses = {status for step, status, _, _ in states if step != "read"}
    if Status.FAILED in statuses:
        return "failed"
    if statuses <= {Status.DONE}:
        return "done"
    if Status.SKIPPED in statuses and not statuses & {Status.SENT, Status.PLANNED}:
        return "skipped"
    if statuses <= {Status.PLANNED}:
        return "not_started"  # beyond a canary or a stop: resume the run to apply it
    return "unsettled"


async def build_report(
    run: Run, client: AsyncAttioClient, rows: list[Row], gate: asyncio.Semaphore
) -> RunReport:
    """Read back what each action should have left and build (not save) the report."""
    steps: dict[str, list[StepState]] = {}
    for action_id, step, status, created, detail in run.journal.rows():
        steps.setdefault(action_id, []).append((step, status, created, detail))
    final: dict[str, str] = {}  # survivor → the record its last merge left
    for row in rows:
        if Action(row["action"]) == Action.MERGE_RECORDS:
            made = next((c for step, _, c, _ in steps[row["action_id"]] if step == "merge" and c), None)
            if made:
                final[row["survivor_id"]] = made
    verified: dict[str, bool] = {}
    known = ReadBack(
        await _records_existing(client, rows, steps, gate),
        await _note_dates(client, rows, steps, run.meta.get("notes_in_workspace")),
        {
            step.removeprefix(f"{MOVE}note:"): created
            for states in steps.values()
            for step, status, created, _ in states
            if step.startswith(f"{MOVE}note:") and status == Status.DONE and created
        },
    )

    async def verify_one(row: Row) -> None:
        async with gate:
            check = {**row, "final_id": final.get(row["survivor_id"])} if row["survivor_id"] else row
            verified[row["action_id"]] = await verify(client, check, steps[row["action_id"]], known)

    await asyncio.gather(*(verify_one(row) for row in rows))
    out = []
    for row in rows:
        states = steps[row["action_id"]]
        made_ids = [c for s, _, c, _ in states if c and not s.startswith(MOVE)]
        detail = "; ".join(dict.fromkeys(d for s, _, _, d in states if d and not s.startswith(MOVE))) or None
        moved = sum(1 for s, st, _, _ in states if s.startswith(MOVE) and st == Status.DONE)
        if moved:
            detail = f"{detail}; {moved} moves" if detail else f"{moved} moves"
        out.append(
            (
                row["action_id"],
                row["action"],
                row["target_id"],
                action_status(states),
                detail,
                made_ids[-1] if made_ids else None,
                verified[row["action_id"]],
            )
        )
    return RunReport(run.run_id, run.folder, pl.DataFrame(out, schema=REPORT_SCHEMA, orient="row"))


def _last_update(path: Path) -> str | None:
    if not path.exists():
        return None
    with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as db:
        found = db.execute("SELECT max(updated_at) FROM steps").fetchone()
    return str(found[0]) if found and found[0] else None


async def _records_existing(
    client: AsyncAttioClient,
    rows: list[Row],
    steps: dict[str, list[StepState]],
    gate: asyncio.Semaphore,
) -> set[str]:
    """Which of the records the rows' record creates and asserts made exist now: read
    :data:`RECORDS_PER_CHECK` a query (``record_id`` ``$in``) rather than one ``GET`` each."""
    made: dict[str, list[str]] = {}  # object → record ids
    for row in rows:
        for step, status, created, _ in steps[row["action_id"]]:
            if step in RECORD_CREATES and status == Status.DONE and created:
                made.setdefault(row["object"], []).append(created)
    found: set[str] = set()

    async def query(object_slug: str, record_ids: list[str]) -> None:
        async with gate:
            body = await client.post(
                endpoints.records_query(object_slug),
                {"filter": {"record_id": {"$in": record_ids}}, "limit": len(record_ids)},
            )
        found.update(record["id"]["record_id"] for record in body["data"])

    await asyncio.gather(
        *(
            query(object_slug, ids[i : i + RECORDS_PER_CHECK])
            for object_slug, ids in made.items()
            for i in range(0, len(ids), RECORDS_PER_CHECK)
        )
    )
    return found


@dataclass(frozen=True)
class ReadBack:
    """What the report read back in bulk before checking each action."""

    records: set[str]  # the records the run's creates and asserts made that exist now
    note_dates: dict[str, str] | None  # every note's created_at by id, when listing them all was cheaper
    moved_notes: dict[str, str]  # a note a merge by hand copied to its survivor → the copy


def _notes_made(rows: list[Row], steps: dict[str, list[StepState]]) -> int:
    return sum(
        1
        for row in rows
        if Action(row["action"]) != Action.CREATE_ENTRY
        for step, status, created, _ in steps[row["action_id"]]
        if step == "create" and status == Status.DONE and created
    )


async def _note_dates(
    client: AsyncAttioClient,
    rows: list[Row],
    steps: dict[str, list[StepState]],
    notes_in_workspace: int | None,
) -> dict[str, str] | None:
    """Every note's ``created_at`` by id, listed :data:`NOTES_PER_PAGE` a request, when that takes fewer
    requests than reading the run's new notes one by one (an import of 100,000 notes: 2,000 rather than
    100,000); ``None`` when it does not, or when the workspace's note count is unknown."""
    made = _notes_made(rows, steps)
    if notes_in_workspace is None or (notes_in_workspace + made) // NOTES_PER_PAGE + 1 >= made:
        return None
    dates: dict[str, str] = {}
    async for page in client.pages("GET", endpoints.notes(), page_size=NOTES_PER_PAGE, parse=_dates_of):
        dates.update(page)
    return dates


def _dates_of(body: bytes) -> dict[str, str]:
    return {note["id"]["note_id"]: note.get("created_at", "") for note in orjson.loads(body)["data"]}


async def verify(client: AsyncAttioClient, row: Row, steps: list[StepState], known: ReadBack) -> bool:
    """Read back what the row's finished steps should have left (records and, when listed, notes from what
    ``known`` holds)."""
    checks: list[Callable[[], Awaitable[bool]]] = []
    for step, status, created, detail in steps:
        if status != Status.DONE or step == "read":
            continue
        if step == "delete":
            checks.append(partial(_gone, client, target_path(row)))
        elif step == "schema":
            checks.append(partial(present, client, row))
        elif step == "create" and created and Action(row["action"]) == Action.CREATE_ENTRY:
            checks.append(partial(_exists, client, endpoints.entry(row["list"], created)))
        elif step == "create" and created:
            note_id = known.moved_notes.get(created, created)  # a merge by hand may have moved it since
            wanted = note_body(row).get("created_at")
            if known.note_dates is not None:
                checks.append(partial(_known, _same_second(known.note_dates.get(note_id), wanted)))
            else:
                checks.append(partial(_note_dated, client, note_id, wanted))
        elif step in RECORD_CREATES and created:
            checks.append(partial(_known, created in known.records))
        elif step == "merge" and created:
            checks.append(partial(_merged, client, row, row.get("final_id") or created))
        elif step.startswith(f"{MOVE}note:") and created:
            checks.append(partial(_exists, client, endpoints.note(created)))
        elif step == "update":
            checks.append(partial(_updated, client, row))
        elif step == "history":  # nothing to read back where the server cannot write history
            checks.append(
                partial(_known, True) if detail == NO_ENDPOINT else partial(_history_written, client, row)
            )
    results = [await check() for check in checks]  # one at a time: the row already holds a gate slot
    return all(results) if results else False


async def _note_dated(client: AsyncAttioClient, note_id: str, created_at: str | None) -> bool:
    try:
        body = await client.get(endpoints.note(note_id))
    except NotFoundError:
        return False
    return _same_second(body["data"].get("created_at", ""), created_at)


def _same_second(found: str | None, wanted: str | None) -> bool:
    """A note that exists (``found``: its ``created_at``) carries the ``created_at`` asked for, if any."""
    return found is not None and (wanted is None or found[:19] == wanted[:19])


async def _merged(client: AsyncAttioClient, row: Row, new_id: str) -> bool:
    return await _gone(client, target_path(row)) and await settled_record(client, row["object"], new_id)


async def _updated(client: AsyncAttioClient, row: Row) -> bool:
    try:
        body = await client.get(target_path(row))
    except NotFoundError:
        return False  # gone since (a later merge or delete of the run): the update cannot be read back
    payload = parse(Action(row["action"]), row["payload"])
    if isinstance(payload, NoteUpdatePayload):
        note = body["data"]
        wanted = (
            note.get("title") or "" if payload.title is None else payload.title,
            note.get("content_markdown") or "" if payload.content is None else payload.content,
        )
        read = (note.get("title") or "", note.get("content_markdown") or "")
        plain = (read[0], note.get("content_plaintext") or "")
        return same_text(wanted, read) or same_text(wanted, plain)
    if isinstance(payload, TaskPayload):
        linked = {link["target_record_id"] for link in body["data"].get("linked_records", [])}
        return all(link["target_record_id"] in linked for link in payload.linked_records)
    assert isinstance(payload, ValuesPayload)
    values = body["data"].get(payload.key) or {}
    if payload.overwrite:  # a value put back empty reads back empty
        return all(bool(values.get(slug)) == (v not in (None, [], "")) for slug, v in payload.values.items())
    return all(values.get(slug) for slug in payload.values)


async def _history_written(client: AsyncAttioClient, row: Row) -> bool:
    """The attribute's history reads back with the intervals written (the values' form may differ)."""
    history = parse(Action(row["action"]), row["payload"])
    assert isinstance(history, HistoryPayload)
    try:
        body = await client.get(history_path(row, history.attribute), {"show_historic": "true"})
    except NotFoundError:
        return False
    read = sorted((_instant(v["active_from"]), _instant(v.get("active_until"))) for v in body["data"])
    wanted = sorted((_instant(v["active_from"]), _instant(v.get("active_until"))) for v in history.values)
    return read == wanted


def _instant(stamp: str | None) -> str | None:
    return None if stamp is None else parse_timestamp(stamp).isoformat()


async def _gone(client: AsyncAttioClient, path: str) -> bool:
    try:
        await client.get(path)
    except NotFoundError:
        return True
    return False


async def _known(answer: bool) -> bool:
    return answer


async def _exists(client: AsyncAttioClient, path: str) -> bool:
    try:
        await client.get(path)
    except NotFoundError:
        return False
    return True

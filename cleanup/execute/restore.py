"""Restore: put back what a run deleted or changed, as a plan of its own applied by the executor.

>>> plan = plan_restore(run_id)          # doctest: +SKIP
>>> rich.print(plan)                     # the dry run: what is left to put back, nothing sent
>>> report = plan.apply(client)          # a run of its own: backup, journal, rate limits, verification

:mod:`.restore_rows` turns the run's backup and journal into rows of ordinary actions (create the deleted
note again, overwrite the values the run wrote, delete what it made, create the record again and hang its
notes, entries, tasks and references back on it, un-merge). They are applied as a run named
``<run>-restore-<n>`` in the runs folder: its targets are re-read and backed up before anything is written,
every step is journalled, requests go concurrently under Attio's write limit with progress bars, and what
it did is read back — so a restore is itself restorable (``attio-cleanup restore <run>-restore-1``).

Running restore again does nothing twice: an interrupted restore run is resumed; otherwise only what no
restore has put back yet (what failed, what was never tried) is planned again, written in terms of the ids
earlier restores made. What cannot be put back exactly is said per action: records and notes get new ids
(references and notes are pointed at the new ids), a note's author becomes the restoring API token, a native
merge's record keeps its new id.
"""

from __future__ import annotations

import contextlib
import io
import re
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from rich.console import Console, ConsoleOptions, RenderResult

from ..actions import Action
from ..actions.costs import Rates, request_costs
from ..client import AsyncAttioClient, AttioClient
from ..errors import CleanupError, ExecuteError
from ..export.schema import WorkspaceSchema
from ..export.snapshot import Snapshot
from ..labels import duration
from ..notebook import html
from .history import NO_ENDPOINT
from .journal import Status
from .report import RunReport, action_status
from .restore_rows import ORDER, RestoreBuilder, Source, row_id
from .rows import RUN_COLUMNS
from .run import MAKING, Run, RunError

JSON = dict[str, Any]
# What goes first: deletes (what the run made, copies a merge left on a survivor: so a record made by a restore
# is gone before its unique values are put back elsewhere), then values and records, then what hangs on them.
# Deletes first, then values and records, then what hangs on them, then value histories (over the values).
RESTORE_PHASES = [["delete"], ["update", "create_record"], ["create"], ["history"]]
NO_HISTORY = "value history not written back: this server has no history write endpoint (current values were)"
UNCERTAIN = ("may or may not", "no answer", "unique")  # a create that failed so may have been made
LINKS = "restores.parquet"  # in a restore run's folder: which rows put back which action of the run
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
GONE = "the target no longer exists"  # the executor's word for a target read back as gone


class RestoreError(ExecuteError, RuntimeError):
    """A restore that cannot be planned as things stand: says why and what to do."""


# ---------------------------------------------------------------------------------------------- states
@dataclass(frozen=True)
class RowState:
    """Where one restore row stands after the restore runs so far."""

    status: str  # done, gone (its target was gone: nothing to do), failed, not_started
    made: str | None  # the id it made
    detail: str | None
    run_id: str
    at: str | None  # when its last step was journalled
    first_at: str | None = None  # when its first step was journalled (before anything was sent)
    uncertain: str | None = None  # a making step that failed as if it may have made something

    @property
    def final(self) -> bool:
        return self.status in ("done", "gone")


def restore_runs(root: Path, run_id: str) -> list[Path]:
    """The folders of the restores of run ``run_id`` in ``root``, oldest first."""
    pattern = re.compile(rf"^{re.escape(run_id)}-restore-(\d+)$")
    found = []
    for folder in root.glob(f"{run_id}-restore-*"):
        if (match := pattern.match(folder.name)) and (folder / "plan.parquet").exists():
            found.append((int(match[1]), folder))
    return [folder for _, folder in sorted(found)]


def _journal_rows(folder: Path) -> list[tuple[str, str, str, str | None, str | None, str | None]]:
    """A restore run's journal, every step. Opened for writing: a journal a kill left in the middle of a
    write (its WAL not yet folded in) is recovered on opening, which a read-only connection cannot do."""
    with contextlib.closing(sqlite3.connect(folder / "journal.sqlite", timeout=30)) as db:
        return db.execute(
            "SELECT action_id, step, status, created_id, detail, updated_at FROM steps"
        ).fetchall()


def row_states(folders: list[Path]) -> dict[str, RowState]:
    """Each restore row's state: finished in any restore run, else as the latest run that had it left it."""
    states: dict[str, RowState] = {}
    for folder in folders:
        steps: dict[str, list[tuple[str, str, str | None, str | None]]] = {}
        moments: dict[str, str] = {}
        firsts: dict[str, str | None] = {}
        for action_id, step, status, made, detail, at in _journal_rows(folder):
            steps.setdefault(action_id, []).append((step, status, made, detail))
            moments[action_id] = max(moments.get(action_id, ""), at or "")
            firsts[action_id] = min(filter(None, (firsts.get(action_id), at)), default=None)
        for action_id, states_of in steps.items():
            if action_id in states and states[action_id].final:
                continue
            status = action_status(states_of)
            made = next((m for step, _, m, _ in states_of if m and step != "read"), None)
            detail = "; ".join(dict.fromkeys(d for _, _, _, d in states_of if d)) or None
            if status == "skipped":
                status = "gone" if detail and GONE in detail else "failed"
            elif status == "unsettled":
                status = "not_started" if _open(states_of) else "failed"
            uncertain = next(
                (
                    step
                    for step, st, _, d in states_of
                    if step in MAKING and st == Status.FAILED and d and any(w in d for w in UNCERTAIN)
                ),
                None,
            )
            states[action_id] = RowState(
                status, made, detail, folder.name, moments[action_id] or None, firsts[action_id], uncertain
            )
    return states


def _open(states: list[tuple[str, str, str | None, str | None]]) -> bool:
    return any(status in (Status.PLANNED, Status.SENT) for _, status, _, _ in states)


def unfinished(folders: list[Path]) -> Path | None:
    """A restore run that stopped or was killed before it finished (the one to resume), if any."""
    for folder in folders:
        if any(row[2] in (Status.PLANNED, Status.SENT) for row in _journal_rows(folder)):
            return folder
    return None


def _legacy(run: Run) -> dict[str, str | None]:
    """Actions an earlier version's restore (``restore.sqlite``) finished, with the id each made; refuses to
    go on from one it left half done, which this version cannot take over without doing something twice."""
    path = run.folder / "restore.sqlite"
    if not path.exists():
        return {}
    with contextlib.closing(sqlite3.connect(path, timeout=30)) as db:
        rows = db.execute("SELECT action_id, status, created_id FROM steps WHERE step = 'restore'").fetchall()
    open_ = sorted(a for a, status, _ in rows if status not in (Status.DONE, Status.SKIPPED))
    if open_:
        raise RestoreError(
            f"run {run.run_id} was partly restored by an earlier version of attio-cleanup ({len(open_)} "
            f"actions not finished, e.g. {open_[0]}; see {path}); finish that restore with the version that "
            "began it, or put those items back by hand"
        )
    return {a: made for a, _, made in rows}


def _refuse_half_a_survivor(run: Run, only: set[str]) -> None:
    """Merges into one record are undone together: the survivor's values go back to what they were before
    all of them, which would drop what the others carried while their records stay merged."""
    merges = run.rows.filter(pl.col("action") == Action.MERGE_RECORDS.value)
    for survivor, ids in merges.group_by("survivor_id").agg("action_id").rows():
        chosen = only & set(ids)
        if chosen and chosen != set(ids):
            left = ", ".join(sorted(set(ids) - chosen))
            raise RestoreError(
                f"{len(ids)} merges of the run went into record {survivor}; undoing only some of them would "
                f"put its values back to before all of them. Add --action {left.replace(', ', ' --action ')} "
                "to undo them together"
            )


def _claimed(run: Run, states: dict[str, RowState]) -> set[str]:
    """Ids made before the restore — by the restored run, by earlier restores — and the survivors of its
    merges: a look for what one of the restore's creates made never takes one of them."""
    survivors = set(run.rows["survivor_id"].drop_nulls().to_list())
    return run.journal.created_ids() | survivors | {s.made for s in states.values() if s.made}


def _known_notes(run: Run) -> dict[str, tuple[str, str]]:
    """Notes of the run's snapshot (id → parent, title): never taken for a note a restore made."""
    try:
        notes = Snapshot.load(run.meta["snapshot"]).notes().select("note_id", "parent_record_id", "title")
        return {n: (p, t or "") for n, p, t in notes.collect().iter_rows()}
    except (CleanupError, OSError, KeyError, TypeError, pl.exceptions.PolarsError):  # moved, or none
        # the other checks of a look still hold
        return {}


# ---------------------------------------------------------------------------------------------- the plan
@dataclass
class Outcome:
    """What became of one action of the run, over every restore of it."""

    source: Source
    status: str  # restored, not_restorable, failed, not_started (planned, not finished)
    restored_id: str | None
    detail: str | None


@dataclass
class RestorePlan:
    """The restore of one run: its rows still to apply and, per action of the run, where it stands."""

    run_id: str
    root: Path
    rows: pl.DataFrame
    sources: list[Source]
    states: dict[str, RowState]
    targets: dict[str, str | None]  # restore row id → its target
    schema: WorkspaceSchema
    notes_in_workspace: int | None
    resume: Path | None = None  # an interrupted restore run, resumed rather than planned anew
    legacy: set[str] = field(default_factory=set)
    claimed: set[str] = field(default_factory=set)  # ids made before: never taken for what a create made
    only: set[str] | None = None  # the actions of the run it restores (None: all)

    # -------------------------------------------------------------- Planned
    def run_meta(self) -> dict[str, Any]:
        return {
            "restores": self.run_id,
            "phases": RESTORE_PHASES,
            "snapshot": None,
            "notes_in_workspace": self.notes_in_workspace,
            "claimed": sorted(self.claimed),
        }

    def sent_before(self) -> list[tuple[str, str, str]]:
        """Creates an earlier restore run sent with an unclear outcome: looked for before they go again."""
        out = []
        for rid in self.rows["action_id"]:
            state = self.states.get(rid)
            if state is not None and state.uncertain and state.first_at:
                out.append((rid, state.uncertain, state.first_at))
        return out

    def run_files(self) -> dict[str, bytes]:
        links = [
            (s.action_id, s.action.value, s.target_id, rid, i == 0, s.caveat)
            for s in self.sources
            for i, rid in enumerate(s.rows)
        ]
        frame = pl.DataFrame(
            links,
            schema={
                "source_action_id": pl.String,
                "source_action": pl.String,
                "source_target_id": pl.String,
                "row_id": pl.String,
                "main": pl.Boolean,
                "caveat": pl.String,
            },
            orient="row",
        )
        buffer = io.BytesIO()
        frame.write_parquet(buffer)
        return {LINKS: buffer.getvalue()}

    # -------------------------------------------------------------- where it stands
    def outcomes(self, states: dict[str, RowState] | None = None) -> list[Outcome]:
        states = self.states if states is None else states
        out = []
        for source in self.sources:
            if source.action_id in self.legacy:
                out.append(Outcome(source, "restored", None, "put back by an earlier version's restore"))
                continue
            if source.reason:
                out.append(Outcome(source, "not_restorable", None, source.reason))
                continue
            rows = [states.get(rid) for rid in source.rows]
            main = rows[0] if rows else None
            restored_id = (main.made if main else None) or (
                self.targets.get(source.rows[0]) if source.rows else None
            )
            if all(r is not None and r.final for r in rows):
                if main is not None and main.status == "gone" and source.action in _PUT_BACK_ON_TARGET:
                    out.append(Outcome(source, "not_restorable", None, "it no longer exists in Attio"))
                else:
                    caveat = source.caveat
                    if any(r is not None and r.detail == NO_ENDPOINT for r in rows):
                        caveat += f"; {NO_HISTORY}"
                    out.append(Outcome(source, "restored", restored_id, caveat.removeprefix("; ") or None))
                continue
            failed = [r for r in rows if r is not None and r.status == "failed"]
            if failed:
                out.append(Outcome(source, "failed", None, _advice(failed[0].detail)))
            else:
                out.append(Outcome(source, "not_started", None, "not put back yet: run restore again"))
        return out

    def outlook(self) -> pl.DataFrame:
        """Per action of the run: how many are still to put back (``failed`` of them failed last time), how
        many earlier restores put back, and how many cannot be put back."""
        counts: dict[str, list[int]] = {}
        for outcome in self.outcomes():
            tally = counts.setdefault(outcome.source.action.value, [0, 0, 0, 0])
            tally[0] += outcome.status in ("failed", "not_started")
            tally[1] += outcome.status == "failed"
            tally[2] += outcome.status == "restored"
            tally[3] += outcome.status == "not_restorable"
        rows = [(a, *t) for a, t in sorted(counts.items(), key=lambda kv: ORDER[Action(kv[0])])]
        return pl.DataFrame(rows, schema=OUTLOOK_SCHEMA, orient="row")

    def __len__(self) -> int:
        return self.rows.height

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """The dry run: one sentence per action type, then the total and the restore's own requests."""
        for line in describe_outlook(self.outlook()):
            yield console.render_str(line, markup=False, highlight=False)
        if self.resume is not None:
            yield console.render_str(
                f"Restore run {self.resume.name} was interrupted: restoring goes on with it.", markup=False
            )
        elif self.rows.height:
            seconds = max((t for _, t in request_costs(self.rows, Rates()).values()), default=0.0)
            yield console.render_str(
                f"The restore applies {self.rows.height:,} actions as a run of its own "
                f"({self.run_id}-restore-{_next_number(self)}), about {duration(seconds)} at Attio's rate "
                "limits: what it overwrites is backed up first, so it can be restored too.",
                markup=False,
                highlight=False,
            )

    def _repr_html_(self) -> str:
        return html(self)

    # -------------------------------------------------------------- applying
    def apply(
        self, client: AttioClient, *, concurrency: int = 8, progress: bool | None = None
    ) -> RestoreReport:
        """Apply the restore as a run; what it did, per action of the restored run. An interrupted restore
        run is finished first, and what it left failed is then planned again and applied once more."""
        report = None
        for run in self._runs():
            report = run.apply(client, concurrency=concurrency, progress=progress)
        return self._report(report)

    async def apply_async(
        self, client: AsyncAttioClient, *, concurrency: int = 8, progress: bool | None = None
    ) -> RestoreReport:
        """:meth:`apply` with the async client."""
        report = None
        for run in self._runs():
            report = await run.apply_async(client, concurrency=concurrency, progress=progress)
        return self._report(report)

    def _runs(self) -> Iterator[Run]:
        """The restore runs to apply in turn (each closed after), until one is stopped (Ctrl-C)."""
        for plan in self._rounds():
            run = plan._run()
            if run is None:
                return
            try:
                yield run
            finally:
                run.close()
            if run.stopping:
                return  # the next restore goes on

    def _rounds(self) -> Iterator[RestorePlan]:
        """This plan; after the resume of an interrupted restore run, the plan of what is left."""
        yield self
        if self.resume is not None:
            yield plan_restore(self.run_id, root=self.root, action_ids=self.only)

    def _run(self) -> Run | None:
        if self.resume is not None:
            return Run.open(self.resume.name, root=self.root)
        if not self.rows.height:
            return None
        return Run.start(self, root=self.root, run_id=f"{self.run_id}-restore-{_next_number(self)}")

    def _report(self, report: RunReport | None) -> RestoreReport:
        source = Run.open(self.run_id, root=self.root)
        try:
            states = row_states(restore_runs(source.folder.parent, source.run_id))
        finally:
            source.close()
        before = {o.source.action_id: o.status for o in self.outcomes()}
        rows = []
        for outcome in self.outcomes(states):
            s = outcome.source
            earlier = (
                before[s.action_id] in ("restored", "not_restorable")
                and outcome.status == before[s.action_id]
            )
            rows.append(
                (
                    s.action_id,
                    s.action.value,
                    s.target_id,
                    outcome.status,
                    outcome.restored_id,
                    outcome.detail,
                    earlier,
                )
            )
        frame = pl.DataFrame(rows, schema=RESULT_SCHEMA, orient="row")
        return RestoreReport(self.run_id, frame, report)


_PUT_BACK_ON_TARGET = frozenset(
    {Action.UPDATE_RECORD, Action.UPDATE_ENTRY, Action.UPDATE_TASK, Action.UPDATE_NOTE, Action.WRITE_HISTORY}
)


def _next_number(plan: RestorePlan) -> int:
    made = restore_runs(plan.root, plan.run_id)
    return int(made[-1].name.rsplit("-", 1)[1]) + 1 if made else 1


def plan_restore(
    run_id: str, *, root: Path | None = None, action_ids: Iterable[str] | None = None
) -> RestorePlan:
    """The restore of run ``run_id`` (only ``action_ids`` of it, when given), built from its backup and
    journal and from what earlier restores of it did; sends nothing."""
    run = Run.open(run_id, root=root)
    try:
        legacy_made = _legacy(run)
        legacy = set(legacy_made)
        folders = restore_runs(run.folder.parent, run.run_id)
        states = row_states(folders)
        earlier = {rid: state.made for rid, state in states.items() if state.final}
        earlier |= {row_id(a, "record"): made for a, made in legacy_made.items() if made}
        only = set(action_ids) if action_ids is not None else None
        if only is not None:
            _refuse_half_a_survivor(run, only)
        everything = set(run.rows["action_id"].to_list())
        built = RestoreBuilder(run, earlier, _known_notes(run)).build((only or everything) - legacy)
        built.sources += [
            Source(r["action_id"], Action(r["action"]), r["target_id"])
            for r in run.rows.filter(
                pl.col("action_id").is_in(list(legacy & (only or everything)))
            ).to_dicts()
        ]
        resume = unfinished(folders)
        todo = [row for rid, row in built.rows.items() if rid not in earlier and resume is None]
        rows = pl.DataFrame(todo, schema=dict.fromkeys(RUN_COLUMNS, pl.String))
        return RestorePlan(
            run_id=run.run_id,
            root=run.folder.parent,
            rows=rows.select(RUN_COLUMNS),
            sources=built.sources,
            states=states,
            targets={rid: row["target_id"] for rid, row in built.rows.items()},
            schema=run.schema,
            notes_in_workspace=run.meta.get("notes_in_workspace"),
            resume=resume,
            legacy=legacy,
            only=only,
            claimed=_claimed(run, states),
        )
    finally:
        run.close()


# ---------------------------------------------------------------------------------------------- the report
@dataclass
class RestoreReport:
    """What the restores of ``run_id`` did, per action of the run (``frame``: :data:`RESULT_SCHEMA`), and the
    report of the restore run this one applied (``None`` when nothing was left to send)."""

    run_id: str
    frame: pl.DataFrame
    run: RunReport | None = None

    @property
    def exit_code(self) -> int:
        """0 put back, 1 some failed (run it again), 4 stopped early (run it again)."""
        statuses = set(self.frame["status"])
        if "failed" in statuses:
            return EXIT_FAILED
        return EXIT_INCOMPLETE if "not_started" in statuses else EXIT_RESTORED

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """Put back now or earlier, failed (and what to do), not started, cannot be put back, what could not
        be put back exactly; then the rows that need a look."""
        for line in describe_result(self.frame, self.run_id, self.run.run_id if self.run else None):
            yield console.render_str(line, markup=False, highlight=False)

    def _repr_html_(self) -> str:
        return html(self)


# Exit codes of a restore.
EXIT_RESTORED = 0  # everything put back (or nothing was left to put back)
EXIT_FAILED = 1  # some items failed: run the restore again to retry them
EXIT_INCOMPLETE = 4  # stopped early (Ctrl-C): run the restore again to finish


def _advice(detail: str | None) -> str:
    """A failed restore row's message, and what to do about it."""
    said = detail or "it failed"
    if "were not created" in said or "was not created" in said:
        return f"{said} (it is put back once its record's own restore succeeds: run restore again)"
    if said.startswith(("HTTP 401", "401")) or "unauthorized" in said.lower() or "API key" in said:
        return (
            f"{said} (Attio refused the API key; under load it answers spurious 401s: run restore again, with "
            "--unattended to retry them; if it persists, check ATTIO_API_KEY)"
        )
    return (
        f"{said} (run restore again to retry it; if Attio refuses it again, fix what the message says first)"
    )


# ---------------------------------------------------------------------------------------------- functions
def restore(
    run_id: str,
    client: AttioClient,
    *,
    root: Path | None = None,
    action_ids: Iterable[str] | None = None,
    concurrency: int = 8,
    progress: bool | None = None,
) -> pl.DataFrame:
    """Put back what run ``run_id`` deleted or changed (only ``action_ids``, when given); one row per action
    of the run: restored, not_restorable, failed or not_started (stopped by Ctrl-C), with the new id, what
    could not be put back exactly, and whether an earlier restore had already finished it."""
    plan = plan_restore(run_id, root=root, action_ids=action_ids)
    return plan.apply(client, concurrency=concurrency, progress=progress).frame


async def restore_async(
    run_id: str,
    client: AsyncAttioClient,
    *,
    root: Path | None = None,
    action_ids: Iterable[str] | None = None,
) -> pl.DataFrame:
    """:func:`restore` with the async client (no Ctrl-C handling: the caller owns the event loop)."""
    plan = plan_restore(run_id, root=root, action_ids=action_ids)
    return (await plan.apply_async(client, progress=False)).frame


def outlook(
    run_id: str, *, root: Path | None = None, action_ids: Iterable[str] | None = None
) -> pl.DataFrame:
    """What a restore of run ``run_id`` has left, per action, without sending anything."""
    return plan_restore(run_id, root=root, action_ids=action_ids).outlook()


def restores_of(run_id: str, root: Path) -> pl.DataFrame:
    """What restores of a run put back since: per action id its status, the new id, what could not be put
    back exactly, and the restore run (empty when it was never restored)."""
    schema = {
        "action_id": pl.String,
        "status": pl.String,
        "restored_id": pl.String,
        "detail": pl.String,
        "at": pl.String,
    }
    try:
        plan = plan_restore(run_id, root=root)
    except (RunError, RestoreError):
        return pl.DataFrame(schema=schema)
    if not plan.states:
        return pl.DataFrame(schema=schema)
    rows = [
        (o.source.action_id, o.status, o.restored_id, o.detail, _when(plan, o.source))
        for o in plan.outcomes()
        if any(rid in plan.states for rid in o.source.rows)
    ]
    return pl.DataFrame(rows, schema=schema, orient="row")


def _when(plan: RestorePlan, source: Source) -> str | None:
    """When the last restore row of an action was journalled."""
    moments = [m for rid in source.rows if rid in plan.states and (m := plan.states[rid].at)]
    return max(moments) if moments else None


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
    Action.UPDATE_TASK: ("task the run re-linked", "tasks the run re-linked", "given back {its} links"),
    Action.UPDATE_NOTE: (
        "note the run corrected",
        "notes the run corrected",
        "given back {its} title and content",
    ),
    Action.WRITE_HISTORY: (
        "value history the run wrote",
        "value histories the run wrote",
        "written back as {them} stood before",
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
    """The dry run in plain sentences, one per action type and a total (``frame``: :meth:`RestorePlan.outlook`)."""
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


def describe_result(frame: pl.DataFrame, run_id: str, restore_run: str | None = None) -> list[str]:
    """What a restore did, in plain sentences: put back now or earlier, failed (and what to do), not
    started, cannot be put back, what was not put back exactly; then the rows that need a look."""
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
    inexact = now.filter(
        (pl.col("status") == "restored")
        & pl.col("detail").str.contains("new record id|new note id|new entry id|not writable|new id")
    )
    if inexact.height:
        lines.append("Put back, but not exactly as it was:")
        shown = inexact.with_columns(caveat=pl.col("detail").str.replace(r"; put back \d.*$", ""))
        for slug, caveat, n in (
            shown.group_by("action", "caveat").len().sort("len", descending=True).head(8).rows()
        ):
            lines.append(f"  {_count(n, Action(slug))}: {caveat}")
    failed = now.filter(pl.col("status") == "failed")
    for _, slug, target, _, _, detail, _ in failed.head(20).rows():
        lines.append(f"  failed: {slug} {target}: {detail}")
    if failed.height > 20:
        lines.append(f"  … and {failed.height - 20:,} more (the restore run's report has them all)")
    if restore_run:
        lines.append(
            f"The restore ran as run {restore_run} (its folder keeps the backup of what it overwrote: "
            f"`attio-cleanup restore {restore_run}` would undo it)."
        )
    return lines


__all__ = [
    "RestoreError",
    "RestorePlan",
    "RestoreReport",
    "describe_outlook",
    "describe_result",
    "outlook",
    "plan_restore",
    "restore",
    "restore_async",
    "restores_of",
]

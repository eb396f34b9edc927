"""The runs kept in a runs folder, one row each: when, on which workspace, what it did, how it ended, and
whether it can be put back.

>>> list_runs(backup_root())  # doctest: +SKIP
>>> rich.print(kept_runs())  # doctest: +SKIP
>>> saved_report("20261124T054500Z-1a2b3c").counts()  # doctest: +SKIP
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import orjson
import polars as pl
from rich.console import Console, ConsoleOptions, RenderResult
from rich.markup import escape
from rich.table import Table

from ..actions import Action
from ..labels import when
from .report import REPORT_SCHEMA, RunReport
from .restore import restore_runs, row_states
from .run import Run, backup_root

SCHEMA = pl.Schema(
    {
        "run_id": pl.String(),
        "started": pl.Datetime("us", "UTC"),
        "workspace": pl.String(),
        "did": pl.String(),  # "deleted 2,850 notes; merged 199 records"
        "status": pl.String(),  # done / unfinished / failed
        "restorable": pl.String(),  # yes / restored / no backup
        "folder": pl.String(),
    }
)
# What each action does, in words: the verb and what it does it to.
DID = {
    Action.DELETE_NOTE: ("deleted", "note"),
    Action.RECREATE_NOTE: ("re-dated", "note"),
    Action.CREATE_NOTE: ("created", "note"),
    Action.MERGE_RECORDS: ("merged", "record"),
    Action.DELETE_RECORD: ("deleted", "record"),
    Action.CREATE_RECORD: ("created", "record"),
    Action.ASSERT_RECORD: ("wrote", "record"),
    Action.UPDATE_RECORD: ("updated", "record"),
    Action.DELETE_ENTRY: ("deleted", "list entry"),
    Action.CREATE_ENTRY: ("added", "list entry"),
    Action.UPDATE_ENTRY: ("updated", "list entry"),
    Action.UPDATE_TASK: ("re-linked", "task"),
    Action.UPDATE_NOTE: ("corrected", "note"),
    Action.WRITE_HISTORY: ("wrote the history of", "attribute"),
    Action.CREATE_LIST: ("made", "list"),
    Action.CREATE_ATTRIBUTE: ("added", "attribute"),
    Action.CREATE_OPTION: ("added", "choice"),
}


def _counted(n: int, noun: str) -> str:
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{n:,} {noun if n == 1 else plural}"


def _steps(journal: Path) -> dict[str, int]:
    """How many journalled steps are in each status."""
    if not journal.exists():
        return {}
    query = "SELECT status, COUNT(*) FROM steps GROUP BY status"
    try:
        with closing(sqlite3.connect(f"file:{journal}?mode=ro", uri=True)) as db:
            return dict(db.execute(query).fetchall())
    except sqlite3.OperationalError:  # left mid-write by a kill: opening it for writing recovers it
        with closing(sqlite3.connect(journal, timeout=30)) as db:
            return dict(db.execute(query).fetchall())


def _did(plan: Path, restores: str | None = None) -> str:
    counts = pl.read_parquet(plan, columns=["action"]).group_by("action").len().sort("len", descending=True)
    said = [f"{DID[Action(a)][0]} {_counted(n, DID[Action(a)][1])}" for a, n in counts.iter_rows()]
    done = "; ".join(said) or "nothing"
    return f"restore of {restores}: {done}" if restores else done


def _status(steps: dict[str, int]) -> str:
    waiting = steps.get("planned", 0) + steps.get("sent", 0)
    if waiting:
        return f"unfinished ({waiting:,} steps left): resume it"
    if steps.get("failed"):
        return f"done, {steps['failed']:,} steps refused by Attio"
    return "done" if steps else "not started"


def _restorable(folder: Path) -> str:
    if not (folder / "backup" / "manifest.json").exists():
        return "no backup (nothing was written)"
    if (folder / "restore.sqlite").exists():  # restored by an earlier version
        restored = _steps(folder / "restore.sqlite")
        if restored.get("planned") or restored.get("sent"):
            return "restore unfinished: run it again"
        return "restored"
    states = row_states(restore_runs(folder.parent, folder.name))
    if not states:
        return "yes"
    if any(s.status == "not_started" for s in states.values()):
        return "restore unfinished: run it again"
    return "partly restored: run restore again" if any(not s.final for s in states.values()) else "restored"


def list_runs(root: Path) -> pl.DataFrame:
    """Every run under ``root``, newest first (see :data:`SCHEMA`)."""
    rows = []
    for plan in sorted(root.glob("*/plan.parquet")) if root.exists() else []:
        folder = plan.parent
        meta = orjson.loads((folder / "meta.json").read_bytes()) if (folder / "meta.json").exists() else {}
        schema = (
            orjson.loads((folder / "schema.json").read_bytes()) if (folder / "schema.json").exists() else {}
        )
        started = meta.get("started_at")
        rows.append(
            (
                folder.name,
                datetime.fromisoformat(started) if started else None,
                schema.get("workspace_name") or "unknown workspace",
                _did(plan, meta.get("restores")),
                _status(_steps(folder / "journal.sqlite")),
                _restorable(folder),
                str(folder),
            )
        )
    return pl.DataFrame(rows, schema=SCHEMA, orient="row").sort("started", descending=True, nulls_last=True)


@dataclass(frozen=True)
class RunList:
    """The runs kept in ``root`` (``frame``: :func:`list_runs`), as the ``runs`` command shows them."""

    root: Path
    frame: pl.DataFrame

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """A table, newest first: when, on which workspace, what each did, how it ended, whether it can be
        put back."""
        if self.frame.height == 0:
            yield f"No runs in {escape(str(self.root))}."
            return
        table = Table(title=escape(f"Runs in {self.root}"))
        for column in ("run", "started", "workspace", "what it did", "how it ended", "can be put back"):
            table.add_column(column, no_wrap=column in ("run", "started"))
        for row in self.frame.iter_rows(named=True):
            table.add_row(
                row["run_id"],
                when(row["started"]),
                escape(row["workspace"]),
                row["did"],
                row["status"],
                row["restorable"],
            )
        yield table


def kept_runs(root: Path | None = None) -> RunList:
    """The runs in ``root`` (default: the runs folder, :func:`~cleanup.execute.run.backup_root`)."""
    folder = root if root is not None else backup_root()
    return RunList(folder, list_runs(folder))


def saved_report(run_id: str, *, root: Path | None = None) -> RunReport:
    """The report run ``run_id`` saved (empty, with the report's columns, when the run has not finished);
    raises :class:`~cleanup.execute.run.RunError` when there is no such run."""
    run = Run.open(run_id, root=root)
    run.close()
    path = run.folder / "report.parquet"
    frame = pl.read_parquet(path) if path.exists() else pl.DataFrame(schema=REPORT_SCHEMA)
    return RunReport(run.run_id, run.folder, frame)

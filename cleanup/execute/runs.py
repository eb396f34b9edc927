"""The runs kept in a runs folder, one row each: when, on which workspace, what it did, how it ended, and
whether it can be put back.

>>> list_runs(backup_root())  # doctest: +SKIP
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path

import orjson
import polars as pl

from ..actions import Action

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
    with closing(sqlite3.connect(f"file:{journal}?mode=ro", uri=True)) as db:
        return dict(db.execute("SELECT status, COUNT(*) FROM steps GROUP BY status").fetchall())


def _did(plan: Path) -> str:
    counts = pl.read_parquet(plan, columns=["action"]).group_by("action").len().sort("len", descending=True)
    said = [f"{DID[Action(a)][0]} {_counted(n, DID[Action(a)][1])}" for a, n in counts.iter_rows()]
    return "; ".join(said) or "nothing"


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
    restored = _steps(folder / "restore.sqlite")
    if restored.get("done") and not restored.get("planned") and not restored.get("sent"):
        return "restored"
    return "yes" if not restored else "restore unfinished: run it again"


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
                _did(plan),
                _status(_steps(folder / "journal.sqlite")),
                _restorable(folder),
                str(folder),
            )
        )
    return pl.DataFrame(rows, schema=SCHEMA, orient="row").sort("started", descending=True, nulls_last=True)

"""The dry run of a reviewed action table: check its approved rows into the executor's plan and say what
applying them would do, the requests that takes and how long at Attio's rate limits. Nothing is sent to
Attio; the reviewer's decisions are kept beside the snapshot (rejected pairs are not proposed again, and
the next detection learns from them).

>>> preview = preview_plan("review/notes.xlsx", "snapshots/today")  # doctest: +SKIP
>>> rich.print(preview)  # what the ``plan`` command prints
>>> preview.plan.apply(client)  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl
from rich.console import Console, ConsoleOptions, RenderResult
from rich.markup import escape
from rich.table import Table

from ..actions import ActionTable
from ..detect.store import remember, store_path
from ..export.snapshot import Snapshot
from .plan import Plan


@dataclass(frozen=True)
class Remembered:
    """How many of a reviewed table's decisions were kept, and where (they teach the next detection)."""

    count: int
    path: Path

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if self.count:
            yield (
                f"Remembered {self.count:,} decisions in {escape(str(self.path))}: rejected pairs are not "
                "proposed again, and the next detection learns from every decided merge."
            )


@dataclass(frozen=True)
class PlanPreview:
    """A reviewed action table checked into a plan: the table, the snapshot it was detected on, the plan of
    its approved rows, and the decisions kept for learning."""

    table: ActionTable
    snapshot: Snapshot
    plan: Plan
    remembered: Remembered

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """The decisions kept, the changes by action and object or list (with what is left alone), the API
        calls at the rate limits, and the estimated time."""
        yield self.remembered
        decided = self.table.summary()
        pending = int(decided.filter(pl.col("decision") == "pending")["rows"].sum())
        rejected = int(decided.filter(pl.col("decision") == "reject")["rows"].sum())
        changes = Table(
            title=f"Plan: {len(self.plan):,} approved actions ({pending:,} pending and {rejected:,} rejected "
            "are left alone)"
        )
        for column in ("action", "object or list", "rows"):
            changes.add_column(column, justify="right" if column == "rows" else "left")
        for action, where, rows in self.plan.summary().rows():
            changes.add_row(action, where or "", f"{rows:,}")
        yield changes
        calls = Table(title="API calls at the rate limits")
        for column in ("kind", "requests", "seconds"):
            calls.add_column(column, justify="left" if column == "kind" else "right")
        for kind, requests, seconds in self.plan.api_calls().rows():
            calls.add_row(kind, f"{requests:,}", f"{seconds:,.1f}")
        yield calls
        if updates := self.plan.note_updates():
            yield (
                f"{updates:,} note(s) are corrected in place with Attio's note update (same id, date and "
                "author). Where the server has no note update, they are created anew with their own date "
                "instead (a new id; the cleanup's token as author): the run asks the server first and says so."
            )
        yield (
            f"About {self.plan.estimated_seconds():,.0f} s at Attio's rate limits. Nothing was written to Attio."
        )


def preview_plan(actions: str | Path, snapshot: str | Path, *, max_deletes: int = 10_000) -> PlanPreview:
    """Read a reviewed action table and the snapshot it was detected on, plan its approved rows (refusing a
    plan that deletes or merges away more than ``max_deletes``), and keep the reviewer's decisions."""
    table = ActionTable.read(actions)
    loaded = Snapshot.load(snapshot)
    plan = Plan(table, loaded, max_deletes=max_deletes)
    return PlanPreview(table, loaded, plan, Remembered(remember(table, loaded), store_path(loaded)))

"""A run's report on a rich console (the ``apply`` and ``resume`` commands print it; so does ``rich.print``
in a script): the actions by status, the first that did not go through with the reason, the run folder, and
what to do about steps left unsettled.

>>> rich.print(plan.apply(client))  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import polars as pl
from rich.console import RenderableType
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from .report import RunReport

SHOWN = 20  # actions that did not go through, listed one a line


def run_report_renderables(report: RunReport, shown: int = SHOWN) -> Iterator[RenderableType]:
    """The counts by status, then up to ``shown`` actions that are not done (status, action, target, id and
    the reason), then where the backup, journal and report are."""
    counts = report.counts()
    table = Table(title=f"Run {report.run_id}")
    for column in ("status", "actions"):
        table.add_column(column, justify="right" if column == "actions" else "left")
    for status, count in counts.items():
        table.add_row(status, f"{count:,}")
    yield table
    problems = report.frame.filter(pl.col("status") != "done").head(shown)
    for action_id, action, target, status, detail, _, _ in problems.rows():
        yield escape(f"  {status}: {action} {target} ({action_id}): {detail}")
    yield f"Backup, journal and report in [bold]{escape(str(report.folder))}[/bold]"
    if counts.get("unsettled"):
        yield f"Some steps are unsettled: run `attio-cleanup resume {report.run_id}` to finish them."

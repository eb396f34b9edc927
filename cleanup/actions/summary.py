"""A rich summary of an action table: rows by recipe, action and decision, and a confidence histogram.

>>> print_summary(table, title="duplicate_notes: 2,850 findings")  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console, Group
from rich.table import Table

if TYPE_CHECKING:
    from .table import ActionTable


def summary_renderable(table: ActionTable, title: str = "Findings") -> Group:
    """Two tables: counts by recipe and action, and how confident the findings are."""
    counts = Table(title=title)
    for column in ("recipe", "action", "decision", "rows", "mean confidence"):
        counts.add_column(column, justify="right" if column in ("rows", "mean confidence") else "left")
    for recipe, action, decision, rows, mean in table.summary().rows():
        counts.add_row(recipe, action, decision, f"{rows:,}", "" if mean is None else f"{mean:.3f}")
    histogram = Table(title="Confidence")
    histogram.add_column("band")
    histogram.add_column("rows", justify="right")
    histogram.add_column("")
    bands = table.confidence_histogram().rows()
    peak = max((rows for _, rows in bands), default=0) or 1
    for band, rows in bands:
        histogram.add_row(band, f"{rows:,}", "█" * round(30 * rows / peak))
    return Group(counts, histogram)


def print_summary(table: ActionTable, console: Console | None = None, title: str = "Findings") -> None:
    (console or Console()).print(summary_renderable(table, title))


__all__ = ["print_summary", "summary_renderable"]

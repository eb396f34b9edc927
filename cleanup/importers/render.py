"""An import's result on a rich console, in sentences: how each file was read, every input item accounted
for (read = imported + already there + pending + refused + skipped), the rows by action and decision, then
the alerts: what needs a decision (with the reason and the fix), what was refused and what was skipped.
:class:`~cleanup.importers.affinity.ImportResult` renders itself with these; user text is escaped.

>>> rich.print(prepared.result)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import polars as pl
from rich.markup import escape

from .affinity import Outcome

if TYPE_CHECKING:
    from .affinity import ImportResult
    from .csv import CsvImportResult

SHOWN = 20  # items listed per alert; the action table (or the report) has them all


def result_lines(result: ImportResult, shown: int = SHOWN) -> Iterator[str]:
    """How the files were read (when not plain UTF-8), the accounting, the rows and the alerts."""
    for file, note in result.encodings.items():
        yield f"{escape(file)}: {escape(note)}"
    yield from accounting_lines(result)
    counts = result.table.frame.group_by("action", "decision").len().sort("action", "decision")
    for action, decision, n in counts.rows():
        yield f"  {action} ({decision}): {n:,}"
    yield from alert_lines(result, shown)


def csv_result_lines(result: CsvImportResult, shown: int = SHOWN) -> Iterator[str]:
    """A CSV import's: how the file was read and where its lines went, then :func:`result_lines`, the rows
    imported without a link they name, and where the refused rows were written."""
    yield f"{escape(result.file)}: {escape(result.encoding_note)}"
    yield f"{escape(result.file)}: {result.lines.sentence()}"
    yield from result_lines(result, shown)
    if result.links_left_out:
        yield f"[bold]Imported without the link[/bold] ({len(result.links_left_out):,}):"
        for line in result.links_left_out[:shown]:
            yield f"  {escape(line)}"
    if result.not_imported and result.reject_file is not None:
        yield (
            f"  {len(result.not_imported):,} problems; their rows are in "
            f"[bold]{escape(str(result.reject_file))}[/bold]"
        )


def accounting_lines(result: ImportResult) -> Iterator[str]:
    """Every input item accounted for, per file and kind: read = imported + already there + pending +
    refused + skipped."""
    for row in result.accounting().iter_rows(named=True):
        parts = [f"{row[o.value]:,} {o.value}" for o in Outcome if row[o.value]]
        yield (
            f"{escape(row['file'])} ({escape(row['kind'])}): {row['read']:,} read = "
            f"{' + '.join(parts) or 'none'}"
        )


def alert_lines(result: ImportResult, shown: int = SHOWN) -> Iterator[str]:
    """What needs a decision (pending, with the reason and the fix), what was refused and what was skipped,
    each in a sentence; then what else was not imported."""
    pending = result.table.frame.filter(pl.col("decision") == "pending")
    if pending.height:
        yield (
            f"[bold]Needs a decision[/bold] ({pending.height:,} rows left pending: write the table with --out, "
            "set `decision` to approve, then `attio-cleanup plan`):"
        )
        for action_id, reason in pending.select("action_id", "reason").head(shown).rows():
            yield f"  {escape(action_id)}: {escape(reason or '')}"
        if pending.height > shown:
            yield f"  ... and {pending.height - shown:,} more (all in the action table)"
    for outcome in (Outcome.REFUSED, Outcome.SKIPPED):
        items = result.reasons(outcome)
        if items:
            yield f"[bold]{outcome.value.capitalize()}[/bold] ({len(items):,}):"
            for item in items[:shown]:
                yield f"  {escape(item.file)}: {escape(item.reason)}"
            if len(items) > shown:
                yield f"  ... and {len(items) - shown:,} more"
    others = [line for line in result.not_imported if not any(line in i.reason for i in result.items)]
    for line in others[:shown]:
        yield f"  not imported: {escape(line)}"
    if len(others) > shown:
        yield f"  ... and {len(others) - shown:,} more not imported"

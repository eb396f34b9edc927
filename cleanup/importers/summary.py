"""An import told in sentences, step by step: what it would do (before it runs), the dry run's check and
sign-off report, and what it did. The ``import`` commands print these objects; so does ``rich.print``.

>>> prepared = prepare_affinity(client, mapping, "exports/", "notes.json", default_folder())  # doctest: +SKIP
>>> rich.print(preview_import(prepared, "review/import.xlsx"))  # doctest: +SKIP
>>> rich.print(check_import(prepared, "review/import.html"))  # the dry run  # doctest: +SKIP
>>> done = apply_import(client, prepared, "review/import.html")  # doctest: +SKIP
>>> rich.print(done); done.exit_code  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console, ConsoleOptions, RenderResult
from rich.markup import escape

from ..client import AttioClient
from ..execute import Plan, RunReport
from ..execute.report import EXIT_DONE
from ..report import write_report
from .csv import CsvImportResult
from .session import Prepared, imported_counts


def default_folder(now: datetime | None = None) -> Path:
    """Where an import keeps its snapshot unless told: ``imports/<UTC time>``."""
    return Path("imports") / (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")


@dataclass(frozen=True)
class ImportPreview:
    """What an import would do, as told before it runs: the snapshot it was built on (an Affinity import;
    a CSV import tells how its file was read instead), every input item accounted for, what needs a
    decision, where the action table was written for review, and what it makes in the workspace first."""

    prepared: Prepared
    table_path: Path | None = None

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        result = self.prepared.result
        if not isinstance(result, CsvImportResult):
            yield f"Snapshot of the workspace in [bold]{escape(str(self.prepared.snapshot.path))}[/bold]"
        yield result
        if self.table_path is not None:
            yield f"Action table for review: [bold]{escape(str(self.table_path))}[/bold]"
        changes = self.prepared.schema_changes
        if changes:  # the executor makes these first, journalled
            yield f"[bold]Made in the workspace first[/bold] ({len(changes):,}):"
            for line in changes:
                yield f"  {escape(line)}"


def preview_import(prepared: Prepared, table: str | Path | None = None) -> ImportPreview:
    """Write the import's action table for review (when ``table`` is given: .xlsx, .csv or .parquet) and
    return what the import would do."""
    return ImportPreview(prepared, prepared.result.table.write(table) if table is not None else None)


def sign_off(prepared: Prepared, path: str | Path | None, run: RunReport | None = None) -> Path | None:
    """Write the import's sign-off report to ``path`` (.html or .xlsx; nothing when None): what the import
    does and where every item of the files went, with the run's results after one."""
    if path is None:
        return None
    result = prepared.result
    return write_report(
        result.table,
        prepared.snapshot,
        path,
        run=run,
        title="Import sign-off" if run is None else "Import results",
        accounting=result.accounting(),
        items=result.items_frame(),
    )


@dataclass(frozen=True)
class ImportCheck:
    """The dry run's check of an import: the plan of its approved rows and the sign-off report written."""

    plan: Plan
    report_path: Path | None = None

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if self.report_path is not None:
            yield f"Report: [bold]{escape(str(self.report_path))}[/bold]"


def check_import(prepared: Prepared, report: str | Path | None = None) -> ImportCheck:
    """Plan the approved rows, so that what Attio would refuse is refused now rather than when applying,
    and write the sign-off report (when ``report`` is given)."""
    plan = prepared.plan()
    return ImportCheck(plan, sign_off(prepared, report))


NOTHING = "Nothing to import: the workspace already holds every approved row."
DIFFERENCE = "  (the difference: members, findings left pending, skipped rows)"


@dataclass(frozen=True)
class ImportOutcome:
    """What applying an import did: the run's report (None when no row was approved: nothing to do), the
    report written, and for an Affinity import what the export held beside what Attio holds now."""

    run: RunReport | None
    report_path: Path | None = None
    source_counts: dict[str, int] = field(default_factory=dict)
    in_attio: dict[str, int] | None = None

    @property
    def exit_code(self) -> int:
        """The run's (see :attr:`RunReport.exit_code`); 0 when there was nothing to import."""
        return self.run.exit_code if self.run is not None else EXIT_DONE

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if self.run is None:
            yield NOTHING
            return
        if self.report_path is not None:
            yield f"Report: [bold]{escape(str(self.report_path))}[/bold]"
        yield self.run
        if self.in_attio is None:
            return
        yield "In the export and in Attio now:"
        for kind, count in self.source_counts.items():
            if kind in self.in_attio:
                found = self.in_attio[kind]
                mark = "" if found == count else DIFFERENCE
                yield f"  {kind}: {count:,} in the export, {found:,} in Attio{mark}"


def apply_import(client: AttioClient, prepared: Prepared, report: str | Path | None = None) -> ImportOutcome:
    """Apply the approved rows (nothing when none is approved), count what Attio holds from the source (an
    Affinity import), and write the sign-off report with the run's results (when ``report`` is given)."""
    if not prepared.result.table.approved().height:
        return ImportOutcome(None)
    run = prepared.apply(client)
    in_attio = imported_counts(client, prepared.mapping) if prepared.mapping is not None else None
    written = sign_off(prepared, report, run)
    return ImportOutcome(run, written, prepared.result.source_counts, in_attio)

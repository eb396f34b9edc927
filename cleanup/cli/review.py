"""``report`` and ``plan``: what a reviewer reads and signs off before anything is written."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from .common import DetectedOnOption, MaxDeletesOption, ReviewedArgument, console, exits_on_error, fail


def report_command(
    actions: Annotated[Path, typer.Argument(help="The action table (.parquet, .csv or .xlsx).")],
    snapshot: DetectedOnOption,
    out: Annotated[Path, typer.Option("--out", help="report.html (a page) or report.xlsx (to sign off).")],
    run: Annotated[
        str | None, typer.Option(help="Add the results of this run (its id, see `attio-cleanup runs`).")
    ] = None,
    token_label: Annotated[
        list[str] | None,
        typer.Option(
            "--token-label",
            help="Name an API token in the report: <token id>=<label>, e.g. 6c1f…=Affinity re-import "
            "(repeatable). Others show as 'API token …7aef7'.",
        ),
    ] = None,
) -> None:
    """Write the dry-run report a reviewer signs off: a self-contained HTML page, or a workbook with a
    summary sheet and one sheet per recipe (which `plan` and `apply` read back after review).

    Example: attio-cleanup report review/actions.xlsx --snapshot snapshots/today --out review/report.html
    --token-label 6c1f0a2e-…=Affinity re-import
    """
    labels = _token_labels(token_label or [])
    with exits_on_error():
        from ..actions import ActionTable
        from ..execute.runs import saved_report
        from ..export.snapshot import Snapshot
        from ..report import write_report  # the report layer (templates, workbooks): loaded when used

        table, loaded = ActionTable.read(actions), Snapshot.load(snapshot)
        result = saved_report(run) if run is not None else None
        path = write_report(table, loaded, out, run=result, token_labels=labels)
    console.print(f"Report written to [bold]{escape(str(path))}[/bold]")


def _token_labels(options: list[str]) -> dict[str, str]:
    """``--token-label`` options as token id → label."""
    labels: dict[str, str] = {}
    for item in options:
        token_id, sep, label = item.partition("=")
        if not sep or not token_id.strip() or not label.strip():
            raise fail(f"--token-label {item!r}: give it as <token id>=<label>")
        labels[token_id.strip()] = label.strip()
    return labels


def plan_command(
    actions: ReviewedArgument,
    snapshot: DetectedOnOption,
    max_deletes: MaxDeletesOption = 10_000,
) -> None:
    """Check the approved rows of a reviewed action table and show what applying them would do. Writes nothing.

    Example: attio-cleanup plan review/notes.xlsx --snapshot snapshots/today
    """
    with exits_on_error():
        from ..execute.preview import preview_plan

        preview = preview_plan(actions, snapshot, max_deletes=max_deletes)
    console.print(preview)

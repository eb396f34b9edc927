"""``apply``, ``resume``, ``restore`` and ``runs``: the commands that write to Attio, journalled, and put
back what a run changed."""

from __future__ import annotations

from typing import Annotated, NoReturn

import typer

from ..execute import Run, RunReport
from ..execute.preview import preview_plan
from ..execute.report import EXIT_NOTHING
from ..execute.restoring import preview_restore, restore_run
from ..execute.runs import kept_runs
from .common import (
    STOPPED_RUN,
    BaseUrlOption,
    ConcurrencyOption,
    DetectedOnOption,
    MaxDeletesOption,
    MergeChoice,
    MergeOption,
    ReviewedArgument,
    UnattendedOption,
    attio_client,
    console,
    exits_on_error,
    stopped_at_once,
    stops_on_ctrl_c,
)


def runs_command() -> None:
    """The runs kept in the runs folder: when, on which workspace, what each did, how it ended, and whether
    it can be put back (`attio-cleanup restore RUN_ID`).

    Example: attio-cleanup runs
    """
    console.print(kept_runs())


def apply_command(
    actions: ReviewedArgument,
    snapshot: DetectedOnOption,
    yes: Annotated[bool, typer.Option("--yes", help="Really apply; without it this is the dry run.")] = False,
    max_deletes: MaxDeletesOption = 10_000,
    base_url: BaseUrlOption = None,
    canary: Annotated[
        int | None,
        typer.Option(help="Apply only the first N actions, verify them and stop; resume for the rest."),
    ] = None,
    unattended: UnattendedOption = False,
    merge: MergeOption = MergeChoice.auto,
    concurrency: ConcurrencyOption = 8,
) -> None:
    """Apply the approved rows: back up every target, then write, journalled. Dry run unless --yes.
    Ctrl-C stops cleanly after the requests in flight; `attio-cleanup resume RUN_ID` finishes the run.

    Exit codes: 0 done, 1 failed, 2 configuration or authentication, 3 done with skips, 4 stopped early
    (a canary or Ctrl-C: resume it), 5 nothing to do.

    Example: attio-cleanup apply review/notes.xlsx --snapshot snapshots/today --yes
    """
    with exits_on_error():
        preview = preview_plan(actions, snapshot, max_deletes=max_deletes)
    if not yes:
        console.print(preview)
        console.print("Dry run only: add [bold]--yes[/bold] to apply.")
        return
    console.print(preview.remembered)
    if len(preview.plan) == 0:
        console.print("Nothing is approved: nothing to do.")
        raise typer.Exit(EXIT_NOTHING)
    stopped = STOPPED_RUN.format(run="the run (the newest in `attio-cleanup runs`)")
    with exits_on_error(), stops_on_ctrl_c(stopped), attio_client(base_url, unattended) as client:
        report = preview.plan.apply(client, canary=canary, merge=merge.value, concurrency=concurrency)
    _ended(report, then="look at the result, then ")


def resume_command(
    run_id: Annotated[str, typer.Argument(help="The run to finish (its id, see `attio-cleanup runs`).")],
    base_url: BaseUrlOption = None,
    unattended: UnattendedOption = False,
    merge: MergeOption = MergeChoice.auto,
    concurrency: ConcurrencyOption = 8,
) -> None:
    """Finish an interrupted run: steps already done are not repeated, creates that may have happened are
    looked up first.

    Example: attio-cleanup resume 20261124T054500Z-1a2b3c
    """
    with exits_on_error():
        run = Run.open(run_id)
        try:
            with (
                stops_on_ctrl_c(STOPPED_RUN.format(run=run_id)),
                attio_client(base_url, unattended) as client,
            ):
                report = run.apply(client, merge=merge.value, concurrency=concurrency)
        finally:
            run.close()
    _ended(report)


def _ended(report: RunReport, then: str = "") -> NoReturn:
    """Print the run's report (and, when it stopped early, how to go on); exit with its code."""
    console.print(report)
    if report.counts().get("not_started"):
        console.print(f"Stopped early: {then}`attio-cleanup resume {report.run_id}` applies the rest.")
    raise typer.Exit(report.exit_code)


def restore_command(
    run_id: Annotated[str, typer.Argument(help="The run whose deletions to put back.")],
    yes: Annotated[
        bool, typer.Option("--yes", help="Really restore; without it, list what would be put back.")
    ] = False,
    only: Annotated[
        list[str] | None,
        typer.Option("--action", help="Restore only this action (its action_id; repeatable)."),
    ] = None,
    base_url: BaseUrlOption = None,
    unattended: UnattendedOption = False,
) -> None:
    """Put back what a run deleted or changed, from its backup: notes with their original dates, entries
    with their values, deleted records with their notes, entries, task links and references, merges
    un-merged, updated values put back, created items removed. The restore is a run of its own
    (RUN-restore-N): what it overwrites is backed up first, so it can be restored too. Running it again
    restores nothing twice and retries what failed. Ctrl-C stops after the requests in flight (run restore
    again to finish).

    Exit codes: 0 done, 1 some failed (run it again), 4 stopped early (run it again), 130 stopped at once.

    Example: attio-cleanup restore 20261124T054500Z-1a2b3c --yes
    """
    again = f"\nStopped at once: run `attio-cleanup restore {run_id} --yes` again to finish."
    with exits_on_error(), stopped_at_once(again):
        if not yes:
            console.print(preview_restore(run_id, action_ids=only))
            console.print("Dry run only: add [bold]--yes[/bold] to restore.")
            return
        with attio_client(base_url, unattended) as client:
            report = restore_run(run_id, client, action_ids=only)
    console.print(report)
    raise typer.Exit(report.exit_code)

"""A restore in sentences: what a restore of a run would put back (the dry run, nothing sent), and what it
did, with the exit code a cron job can act on. The ``restore`` command prints these; so does ``rich.print``.

>>> rich.print(preview_restore("20261124T054500Z-1a2b3c"))  # doctest: +SKIP
>>> done = restore_run("20261124T054500Z-1a2b3c", client)  # doctest: +SKIP
>>> done.exit_code
0
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from rich.console import Console, ConsoleOptions, RenderResult

from ..client import AttioClient
from .restore import describe_outlook, describe_result, outlook, restore

# Exit codes of a restore.
EXIT_RESTORED = 0  # everything put back (or nothing was left to put back)
EXIT_FAILED = 1  # some items failed: run the restore again to retry them
EXIT_INCOMPLETE = 4  # stopped early (Ctrl-C): run the restore again to finish


@dataclass(frozen=True)
class RestorePreview:
    """What a restore of ``run_id`` has left, per action (``frame``: :func:`~cleanup.execute.restore.outlook`)."""

    run_id: str
    frame: pl.DataFrame

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """One sentence per action type, then the total."""
        for line in describe_outlook(self.frame):
            yield console.render_str(line, markup=False, highlight=False)


@dataclass(frozen=True)
class RestoreReport:
    """What a restore of ``run_id`` did, per action (``frame``: :func:`~cleanup.execute.restore.restore`)."""

    run_id: str
    frame: pl.DataFrame

    @property
    def exit_code(self) -> int:
        """0 put back, 1 some failed (run it again), 4 stopped early (run it again)."""
        statuses = set(self.frame["status"])
        if "failed" in statuses:
            return EXIT_FAILED
        return EXIT_INCOMPLETE if "not_started" in statuses else EXIT_RESTORED

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """Put back now or earlier, failed (and what to do), not started, cannot be put back; then the rows
        that need a look."""
        for line in describe_result(self.frame, self.run_id):
            yield console.render_str(line, markup=False, highlight=False)


def preview_restore(
    run_id: str, *, root: Path | None = None, action_ids: Iterable[str] | None = None
) -> RestorePreview:
    """What a restore of ``run_id`` (only ``action_ids``, when given) would put back; sends nothing."""
    return RestorePreview(run_id, outlook(run_id, root=root, action_ids=action_ids))


def restore_run(
    run_id: str,
    client: AttioClient,
    *,
    root: Path | None = None,
    action_ids: Iterable[str] | None = None,
) -> RestoreReport:
    """Put back what run ``run_id`` deleted or changed (see :func:`~cleanup.execute.restore.restore`)."""
    return RestoreReport(run_id, restore(run_id, client, root=root, action_ids=action_ids))

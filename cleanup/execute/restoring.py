"""A restore in sentences: what a restore of a run would put back (the dry run, nothing sent), and what it
did, with the exit code a cron job can act on. The ``restore`` command prints these; so does ``rich.print``.

>>> rich.print(preview_restore("20261124T054500Z-1a2b3c"))  # doctest: +SKIP
>>> done = restore_run("20261124T054500Z-1a2b3c", client)  # doctest: +SKIP
>>> done.exit_code
0
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..client import AttioClient
from .restore import EXIT_FAILED, EXIT_INCOMPLETE, EXIT_RESTORED, RestorePlan, RestoreReport, plan_restore


def preview_restore(
    run_id: str, *, root: Path | None = None, action_ids: Iterable[str] | None = None
) -> RestorePlan:
    """What a restore of ``run_id`` (only ``action_ids``, when given) would put back; sends nothing."""
    return plan_restore(run_id, root=root, action_ids=action_ids)


def restore_run(
    run_id: str,
    client: AttioClient,
    *,
    root: Path | None = None,
    action_ids: Iterable[str] | None = None,
    concurrency: int = 8,
) -> RestoreReport:
    """Put back what run ``run_id`` deleted or changed, as a run of its own (see
    :mod:`~cleanup.execute.restore`)."""
    plan = plan_restore(run_id, root=root, action_ids=action_ids)
    return plan.apply(client, concurrency=concurrency)


__all__ = ["EXIT_FAILED", "EXIT_INCOMPLETE", "EXIT_RESTORED", "preview_restore", "restore_run"]

"""Applying an approved action table: the plan (dry run), then a run: re-read, backup, journalled writes,
verification and a report; and restore, which puts back what a run changed."""

from __future__ import annotations

from ..actions.costs import Rates
from .backup import BackupError
from .journal import Journal, Status
from .plan import Plan, PlanError
from .report import RunReport
from .restore import RestorePlan, RestoreReport, plan_restore, restore, restore_async
from .run import Run, RunError

__all__ = [
    "BackupError",
    "Journal",
    "Plan",
    "PlanError",
    "Rates",
    "RestorePlan",
    "RestoreReport",
    "Run",
    "RunError",
    "RunReport",
    "Status",
    "plan_restore",
    "restore",
    "restore_async",
]

"""Applying an approved action table: the plan (dry run), then a run: re-read, backup, journalled writes,
verification and a report. Merges, creates and restore are still to come."""

from __future__ import annotations

from .backup import BackupError
from .journal import Journal, Status
from .plan import Plan, PlanError, Rates
from .restore import restore, restore_async
from .run import Run, RunError, RunReport

__all__ = [
    "BackupError",
    "Journal",
    "Plan",
    "PlanError",
    "Rates",
    "Run",
    "RunError",
    "RunReport",
    "Status",
    "restore",
    "restore_async",
]

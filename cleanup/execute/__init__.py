"""Applying an approved action table: the plan (dry run) first; backup, journal, apply and restore follow."""

from __future__ import annotations

from .plan import Plan, PlanError, Rates

__all__ = ["Plan", "PlanError", "Rates"]

"""The action table: what a recipe proposes, what a reviewer decides, what the executor applies."""

from __future__ import annotations

from .repair import (
    delete_entries,
    delete_notes,
    delete_records,
    recreate_notes,
    update_entries,
    update_notes,
    update_records,
)
from .schema import COLUMNS, EDITABLE, SCHEMA, Action, Decision
from .table import ActionTable, ActionTableError, TamperedError, make_action_id

__all__ = [
    "COLUMNS",
    "EDITABLE",
    "SCHEMA",
    "Action",
    "ActionTable",
    "ActionTableError",
    "Decision",
    "TamperedError",
    "delete_entries",
    "delete_notes",
    "delete_records",
    "make_action_id",
    "recreate_notes",
    "update_entries",
    "update_notes",
    "update_records",
]

"""A run's rows as the executor reads them: the columns a run keeps, typed.

>>> for row in row_dicts(run.rows): target_path(row)  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TypedDict, cast

import polars as pl

# What a run keeps of each row (``plan.parquet``).
RUN_COLUMNS = (
    "action_id",
    "recipe",
    "action",
    "object",
    "list",
    "target_id",
    "survivor_id",
    "payload",
    "fingerprint",
    "part",
)


class Row(TypedDict, total=False):
    """One row of a run (:data:`RUN_COLUMNS`), as the executor reads it. ``object``, ``list``,
    ``target_id``, ``survivor_id`` and ``part`` are typed as the actions that use them see them: the plan
    checked that each row holds what its action needs (a note's row has no list, a create no target)."""

    action_id: str
    recipe: str | None
    action: str  # an Action
    object: str
    list: str
    target_id: str
    survivor_id: str
    payload: str | None  # JSON, one shape per action (:mod:`.payloads`)
    fingerprint: str | None
    part: str
    final_id: str | None  # a merge's: the record its survivor's last merge left (the report's read-back)


def row_dicts(frame: pl.DataFrame) -> list[Row]:
    """A frame of run rows as :class:`Row` dicts."""
    return cast(list[Row], frame.to_dicts())


__all__ = ["RUN_COLUMNS", "Row", "row_dicts"]

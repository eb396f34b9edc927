"""What applying actions costs: the requests each kind of action sends, and how long they take at Attio's rate
limits. The plan's dry run and the sign-off report count with the same table.

>>> request_costs(table.frame, Rates())  # doctest: +SKIP
{'read': (2850, 28.5), 'write': (2850, 114.0), 'merge': (0, 0.0)}
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from .schema import Action

# Requests per action: the re-read of the target before acting (drift check) and the value histories the
# backup keeps (about one read per attribute holding a value: HISTORY_READS per record), then the writes.
HISTORY_READS = 6
CALLS: dict[Action, dict[str, int]] = {
    Action.DELETE_NOTE: {"read": 1, "write": 1},
    Action.RECREATE_NOTE: {"read": 1, "write": 2},
    Action.CREATE_NOTE: {"read": 0, "write": 1},
    Action.UPDATE_NOTE: {"read": 1, "write": 1},
    Action.MERGE_RECORDS: {"read": 2 + 2 * HISTORY_READS, "write": 0, "merge": 1},
    Action.DELETE_RECORD: {"read": 1 + HISTORY_READS, "write": 1},
    Action.CREATE_RECORD: {"read": 0, "write": 1},
    Action.ASSERT_RECORD: {"read": 1, "write": 1},
    Action.UPDATE_RECORD: {"read": 2, "write": 1},
    Action.DELETE_ENTRY: {"read": 1 + HISTORY_READS // 2, "write": 1},
    Action.CREATE_ENTRY: {"read": 0, "write": 1},
    Action.UPDATE_ENTRY: {"read": 2, "write": 1},
    Action.UPDATE_TASK: {"read": 1, "write": 1},
    Action.WRITE_HISTORY: {"read": 2, "write": 1},
    Action.CREATE_LIST: {"read": 1, "write": 1},  # looked for first, then made
    Action.CREATE_ATTRIBUTE: {"read": 1, "write": 1},
    Action.CREATE_OPTION: {"read": 2, "write": 1},
}


@dataclass(frozen=True)
class Rates:
    """Requests per second the run keeps under (Attio's defaults)."""

    read: float = 100.0
    write: float = 25.0
    merge: float = 5.0


def request_costs(frame: pl.DataFrame, rates: Rates) -> dict[str, tuple[int, float]]:
    """Per kind of request (read, write, merge): how many the rows of ``frame`` send, and the seconds they
    take at ``rates`` (a rate of 0 means no limit)."""
    totals = {"read": 0, "write": 0, "merge": 0}
    for action, n in frame.group_by("action").len().rows():
        for kind, per in CALLS[Action(action)].items():
            totals[kind] += per * n
    rate = {"read": rates.read, "write": rates.write, "merge": rates.merge}
    return {kind: (n, n / rate[kind] if rate[kind] else 0.0) for kind, n in totals.items()}


__all__ = ["CALLS", "Rates", "request_costs"]

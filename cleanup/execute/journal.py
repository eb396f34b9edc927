"""The durable journal of a run: one row per step, committed before and after each request, so a crash
or Ctrl-C resumes exactly where it stopped and nothing is done twice.

Statuses: ``planned`` (not sent), ``sent`` (the request may have reached Attio: look before re-sending a
create), ``done`` (with the ids it created), ``failed`` (with the reason), ``skipped`` (with the reason).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path


class Status(StrEnum):
    PLANNED = "planned"  # not sent yet
    SENT = "sent"  # sent; its outcome is not known until it is looked up
    DONE = "done"  # applied (``created_id`` holds what it created)
    FAILED = "failed"  # Attio refused it (``detail`` says why)
    SKIPPED = "skipped"  # not applied on purpose (drift, already gone; ``detail`` says why)


FINISHED = frozenset({Status.DONE, Status.FAILED, Status.SKIPPED})


def _now() -> str:
    return datetime.now(UTC).isoformat()


class Journal:
    """Steps keyed by (action id, step name) in a SQLite file readable by its owner only."""

    def __init__(self, path: Path) -> None:
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))  # journals inherit these permissions
        self.path = path
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS steps (action_id TEXT, step TEXT, status TEXT, created_id TEXT, "
            "detail TEXT, updated_at TEXT, PRIMARY KEY (action_id, step))"
        )

    def close(self) -> None:
        self._db.close()

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Make the marks inside one transaction: one disk sync for all of them rather than one each
        (the connection autocommits otherwise). For marks made together, with no request between."""
        self._db.execute("BEGIN")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def plan(self, steps: Iterable[tuple[str, str]]) -> None:
        """Record steps as planned (steps already journalled keep their state)."""
        now = _now()
        with self.batch():
            self._db.executemany(
                "INSERT OR IGNORE INTO steps VALUES (?, ?, 'planned', NULL, NULL, ?)",
                [(a, s, now) for a, s in steps],
            )

    def mark(
        self,
        action_id: str,
        step: str,
        status: Status,
        *,
        created_id: str | None = None,
        detail: str | None = None,
    ) -> None:
        """Set a step's status, durably, before the caller moves on."""
        self._db.execute(
            "UPDATE steps SET status = ?, created_id = COALESCE(?, created_id), detail = ?, updated_at = ? "
            "WHERE action_id = ? AND step = ?",
            (status.value, created_id, detail, _now(), action_id, step),
        )

    def state(self, action_id: str, step: str) -> tuple[Status, str | None, str | None]:
        row = self._db.execute(
            "SELECT status, created_id, detail FROM steps WHERE action_id = ? AND step = ?", (action_id, step)
        ).fetchone()
        if row is None:
            raise KeyError(f"no journalled step {step!r} for action {action_id}")
        return Status(row[0]), row[1], row[2]

    def steps_of(self, action_id: str) -> dict[str, tuple[Status, str | None, str | None]]:
        """Every journalled step of one action: step → (status, created id, detail)."""
        rows = self._db.execute(
            "SELECT step, status, created_id, detail FROM steps WHERE action_id = ?", (action_id,)
        ).fetchall()
        return {step: (Status(status), created, detail) for step, status, created, detail in rows}

    def sent_at(self, action_id: str, step: str) -> str | None:
        """When a step was last marked (for a ``sent`` step: when it was sent)."""
        row = self._db.execute(
            "SELECT updated_at FROM steps WHERE action_id = ? AND step = ?", (action_id, step)
        ).fetchone()
        return None if row is None else str(row[0])

    def created_ids(self) -> set[str]:
        """Every id the journalled steps created."""
        rows = self._db.execute("SELECT created_id FROM steps WHERE created_id IS NOT NULL").fetchall()
        return {row[0] for row in rows}

    def rows(self) -> list[tuple[str, str, str, str | None, str | None]]:
        """Every step as (action id, step, status, created id, detail)."""
        return self._db.execute(
            "SELECT action_id, step, status, created_id, detail FROM steps ORDER BY action_id, step"
        ).fetchall()

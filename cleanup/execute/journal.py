"""The durable journal of a run: one row per step, committed before and after each request, so a crash
or Ctrl-C resumes exactly where it stopped and nothing is done twice.

Statuses: ``planned`` (not sent), ``sent`` (the request may have reached Attio: look before re-sending a
create), ``done`` (with the ids it created), ``failed`` (with the reason), ``skipped`` (with the reason).

A step may carry its *input* (JSON, written before the step is first sent: the note a merge copies, the
entry it moves), so a resume decides from what it recorded, never from a read that may now answer 404
because the step itself deleted what it read. The run also records which phase it is in, and the reads of
its re-read-and-backup phase as they arrive, so a kill there does not start that phase over.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
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
        self._db.execute("PRAGMA busy_timeout=10000")  # a crash test may read the phase meanwhile
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS steps (action_id TEXT, step TEXT, status TEXT, created_id TEXT, "
            "detail TEXT, updated_at TEXT, PRIMARY KEY (action_id, step))"
        )
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS inputs (action_id TEXT, step TEXT, input TEXT, "
            "PRIMARY KEY (action_id, step))"
        )
        self._db.execute("CREATE TABLE IF NOT EXISTS reads (key TEXT PRIMARY KEY, raw TEXT)")
        self._db.execute("CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT)")

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

    def plan(
        self, steps: Iterable[tuple[str, str]], inputs: dict[tuple[str, str], str] | None = None
    ) -> None:
        """Record steps as planned (steps already journalled keep their state), with the input of each step
        ``inputs`` names (JSON text), all in one transaction."""
        now = _now()
        with self.batch():
            self._db.executemany(
                "INSERT OR IGNORE INTO steps VALUES (?, ?, 'planned', NULL, NULL, ?)",
                [(a, s, now) for a, s in steps],
            )
            if inputs:
                self._db.executemany(
                    "INSERT OR IGNORE INTO inputs VALUES (?, ?, ?)",
                    [(a, s, raw) for (a, s), raw in inputs.items()],
                )

    def inputs_of(self, action_id: str) -> dict[str, str]:
        """The recorded inputs of one action's steps: step → JSON text."""
        rows = self._db.execute(
            "SELECT step, input FROM inputs WHERE action_id = ? ORDER BY rowid", (action_id,)
        ).fetchall()
        return dict(rows)

    def set_phase(self, phase: str) -> None:
        """Record the phase the run is in (``read``, a write phase, ``verify``, ``finished``)."""
        self._db.execute("INSERT OR REPLACE INTO state VALUES ('phase', ?)", (phase,))

    def phase(self) -> str | None:
        row = self._db.execute("SELECT value FROM state WHERE key = 'phase'").fetchone()
        return None if row is None else str(row[0])

    def keep_reads(self, reads: Iterable[tuple[str, str | None]]) -> None:
        """Record reads of the re-read phase (key → raw JSON, ``None``: not found), in one transaction."""
        with self.batch():
            self._db.executemany("INSERT OR REPLACE INTO reads VALUES (?, ?)", list(reads))

    def kept_reads(self) -> dict[str, str | None]:
        """The re-read phase's reads recorded so far."""
        return dict(self._db.execute("SELECT key, raw FROM reads").fetchall())

    def forget_reads(self) -> None:
        """Drop the recorded reads once the backup holds them."""
        self._db.execute("DELETE FROM reads")

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

    def mark_sent(self, action_id: str, step: str, sent_at: str) -> None:
        """Mark a step ``sent`` at ``sent_at``: an earlier attempt (another run's) may have made it."""
        self._db.execute(
            "UPDATE steps SET status = ?, updated_at = ? WHERE action_id = ? AND step = ?",
            (Status.SENT.value, sent_at, action_id, step),
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


class KeptReads:
    """The re-read phase's reads, journalled as they arrive (a batch every half second or every 50 reads,
    whichever comes first), so a run killed in that phase goes on from the reads it already has."""

    def __init__(self, journal: Journal, *, every: float = 0.5, batch: int = 50) -> None:
        self.journal = journal
        self.kept = journal.kept_reads()
        self.every = every
        self.batch = batch
        self._pending: list[tuple[str, str | None]] = []
        self._flushed = time.monotonic()

    def __contains__(self, key: str) -> bool:
        return key in self.kept

    def __getitem__(self, key: str) -> str | None:
        return self.kept[key]

    def add(self, key: str, raw: str | None) -> None:
        self.kept[key] = raw
        self._pending.append((key, raw))
        if len(self._pending) >= self.batch or time.monotonic() - self._flushed >= self.every:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            self.journal.keep_reads(self._pending)
            self._pending = []
        self._flushed = time.monotonic()

"""SQLite persistence for the sandbox: every change is written through, the whole state loads at start.

The database is a file (``--db PATH``) or ``:memory:`` for tests. Documents are orjson blobs in a few
tables; the working copy lives in memory so reads never touch SQLite.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

_TABLES = ("meta", "records", "notes", "tasks")


class Store:
    """A write-through document store. Call :meth:`commit` at the end of each request."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        self.path = str(path)
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute(
            "PRAGMA journal_mode=WAL" if self.path != ":memory:" else "PRAGMA journal_mode=MEMORY"
        )
        self._db.execute("PRAGMA synchronous=NORMAL")
        for table in _TABLES:
            self._db.execute(
                f"CREATE TABLE IF NOT EXISTS {table} "
                "(id TEXT PRIMARY KEY, kind TEXT NOT NULL, seq INTEGER NOT NULL, doc BLOB NOT NULL)"
            )
        self._in_tx = False

    def _begin(self) -> None:
        if not self._in_tx:
            self._db.execute("BEGIN")
            self._in_tx = True

    def put(self, table: str, kind: str, doc_id: str, doc: Any, seq: int = 0) -> None:
        """Insert or replace one document (``doc`` is bytes or anything orjson can dump)."""
        self._begin()
        blob = doc if isinstance(doc, bytes) else orjson.dumps(doc)
        self._db.execute(
            f"INSERT OR REPLACE INTO {table} (id, kind, seq, doc) VALUES (?, ?, ?, ?)",
            (doc_id, kind, seq, blob),
        )

    def put_many(self, table: str, rows: Iterable[tuple[str, str, int, bytes]]) -> None:
        """Bulk insert ``(id, kind, seq, doc)`` rows (used by seeds)."""
        self._begin()
        self._db.executemany(f"INSERT OR REPLACE INTO {table} (id, kind, seq, doc) VALUES (?, ?, ?, ?)", rows)

    def delete(self, table: str, doc_id: str) -> None:
        self._begin()
        self._db.execute(f"DELETE FROM {table} WHERE id = ?", (doc_id,))

    def commit(self) -> None:
        if self._in_tx:
            self._db.execute("COMMIT")
            self._in_tx = False

    def rows(self, table: str) -> Iterator[tuple[str, str, bytes]]:
        """All ``(id, kind, doc)`` rows of a table in insertion order."""
        yield from self._db.execute(f"SELECT id, kind, doc FROM {table} ORDER BY seq, rowid")

    def is_empty(self) -> bool:
        count: int = self._db.execute("SELECT COUNT(*) FROM meta").fetchone()[0]
        return count == 0

    def close(self) -> None:
        self.commit()
        self._db.close()

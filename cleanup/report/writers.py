"""Who wrote what in a snapshot, as the ``tokens`` command shows it: every API token and member that wrote
notes, records or list entries, by label, with counts, first and last write and a sparkline of writes by
day (a re-import shows as a wave); and the token labels kept on the way (see :mod:`cleanup.tokens`).

>>> rich.print(who_wrote(snapshot, [("d4c82aec-…", "Affinity re-import")]))  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl
from rich.console import Console, ConsoleOptions, RenderResult
from rich.markup import escape
from rich.table import Table

from ..export.snapshot import Snapshot
from ..labels import Namer, when
from ..tokens import load_labels, save_label, sparkline, writers


@dataclass(frozen=True)
class Writers:
    """Who wrote what in a snapshot (``frame``: :func:`writers`), with the token labels kept just before
    (label, token id, labels file), as the ``tokens`` command shows them."""

    snapshot: Snapshot
    frame: pl.DataFrame
    kept: list[tuple[str, str, Path]] = field(default_factory=list)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """The labels kept, then one row per writer: who (by label), id, counts, first and last write, and
        a sparkline of writes by day; and how to name the tokens, while none is."""
        for label, token_id, path in self.kept:
            yield escape(f"Kept the label {label!r} for {token_id} in {path}")
        if self.frame.height == 0:
            yield "Nothing in this snapshot says who wrote it."
            return
        labels = load_labels(self.snapshot)
        namer = Namer(self.snapshot, token_labels=labels)
        start, end = self.frame["first"].dt.min(), self.frame["last"].dt.max()
        assert isinstance(start, datetime)
        assert isinstance(end, datetime)
        workspace = self.snapshot.schema.workspace_name
        table = Table(title=escape(f"Who wrote what in {workspace} (snapshot {self.snapshot.path.name})"))
        for column in ("who", "id", "notes", "records", "entries", "first write", "last write"):
            table.add_column(
                column,
                justify="right" if column in ("notes", "records", "entries") else "left",
                no_wrap=column in ("id", "first write", "last write"),
            )
        table.add_column(f"writes by day, {_day(start)} to {_day(end)}", no_wrap=True)
        for row in self.frame.iter_rows(named=True):
            table.add_row(
                escape(namer.actor(row["actor_id"], row["actor_type"])),
                row["actor_id"],
                f"{row['notes']:,}",
                f"{row['records']:,}",
                f"{row['entries']:,}",
                _day(row["first"]),
                _day(row["last"]),
                sparkline(row["day"], row["len"], start, end),
            )
        yield table
        if not labels:
            yield (
                "Name the import keys to use them by name: attio-cleanup tokens --snapshot "
                f'{self.snapshot.path} --label ID="Affinity import"'
            )


def _day(moment: datetime) -> str:
    return when(moment)[:11].strip()


def who_wrote(snapshot: Snapshot, labels: Iterable[tuple[str, str]] = ()) -> Writers:
    """Keep ``labels`` (token id, label; an empty label forgets the token's), then read who wrote what."""
    kept = [(label.strip(), token_id, save_label(snapshot, token_id, label)) for token_id, label in labels]
    return Writers(snapshot, writers(snapshot), kept)

"""Where a row or a cell of an action table is, in the terms of the file a reviewer edited.

A workbook names the sheet, the row as the sheet shows it and the column's letter and title ("sheet
'duplicate_people', row 17, column C (why)"); a CSV file names the row and the column's letter; a table
in memory or read from Parquet names the row and the action id.

>>> Layout.of(frame).cell(0, "reason")  # doctest: +SKIP
'row 2 (action 1a2b3c4d5e6f7a8b), column `reason`'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import polars as pl

MAX_REPORTED = 20
HEADER_ROWS = 1


def column_letter(index: int) -> str:
    """A spreadsheet column's letter from its 0-based index: 0 → 'A', 27 → 'AB'."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@dataclass(frozen=True)
class Layout:
    """Per table row, its sheet (``None`` without sheets) and row number as the file shows it; per sheet,
    each table column's letter and the title it shows."""

    sheets: list[str | None]
    lines: list[int]
    ids: list[str | None]
    columns: dict[str | None, dict[str, tuple[str, str]]] = field(default_factory=dict)

    @classmethod
    def of(cls, frame: pl.DataFrame) -> Layout:
        """A table in memory (or from Parquet): row ``i + 2``, as if written with a header row."""
        ids = frame["action_id"].to_list() if "action_id" in frame.columns else [None] * frame.height
        return cls([None] * frame.height, [i + 1 + HEADER_ROWS for i in range(frame.height)], ids)

    @classmethod
    def of_csv(cls, frame: pl.DataFrame, header: list[str]) -> Layout:
        """A CSV file: row ``i + 2`` (its line as a spreadsheet opens it) and the header's letters."""
        base = cls.of(frame)
        letters = {name: (column_letter(i), name) for i, name in enumerate(header)}
        return cls(base.sheets, base.lines, base.ids, {None: letters})

    def filter(self, keep: Iterable[bool]) -> Layout:
        chosen = [i for i, k in enumerate(keep) if k]
        return Layout(
            [self.sheets[i] for i in chosen],
            [self.lines[i] for i in chosen],
            [self.ids[i] for i in chosen],
            self.columns,
        )

    def place(self, i: int) -> str:
        """'sheet 'x', row 17' (a workbook), else 'row 17'."""
        sheet = self.sheets[i]
        return f"sheet '{sheet}', row {self.lines[i]}" if sheet is not None else f"row {self.lines[i]}"

    def row(self, i: int) -> str:
        """:meth:`place`, with the action id when there is no file to look in."""
        if self.sheets[i] is not None or self.columns or not self.ids[i]:
            return self.place(i)
        return f"{self.place(i)} (action {self.ids[i]})"

    def column(self, i: int, column: str) -> str:
        """'column C (why)' where the file shows it, else 'column `reason`'."""
        found = self.columns.get(self.sheets[i], {}).get(column)
        return f"column {found[0]} ({found[1]})" if found else f"column `{column}`"

    def cell(self, i: int, column: str) -> str:
        return f"{self.row(i)}, {self.column(i, column)}"

    def rows(self, indices: Iterable[int], column: str | None = None) -> str:
        """Up to :data:`MAX_REPORTED` rows (or cells of ``column``), then how many more."""
        shown = [self.cell(i, column) if column else self.row(i) for i in indices]
        more = "" if len(shown) <= MAX_REPORTED else f" and {len(shown) - MAX_REPORTED} more"
        return "; ".join(shown[:MAX_REPORTED]) + more

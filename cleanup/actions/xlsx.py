"""An action table as a review workbook (xlsxwriter) and back (openpyxl).

Cells are written as literal strings and numbers (never formulas, URLs or guessed numbers), the header
is frozen with an autofilter, and ``decision`` / ``cluster_decision`` offer a drop-down.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from .schema import CHECK_COLUMN, EDITABLE, Decision

SHEET = "actions"
EXCEL_CELL_LIMIT = 32_767
WIDTHS = {"reason": 60, "evidence": 60, "payload": 40, "comment": 30, CHECK_COLUMN: 12}


def write_xlsx(frame: pl.DataFrame, target: Path) -> None:
    """Write ``frame`` (with its ``_check`` column) as the review workbook."""
    from xlsxwriter import Workbook

    from .table import ActionTableError, _rows

    too_long = [
        (column, frame[column].str.len_chars().fill_null(0).gt(EXCEL_CELL_LIMIT).arg_true().to_list())
        for column in frame.columns
        if frame.schema[column] == pl.String
    ]
    too_long = [(column, rows) for column, rows in too_long if rows]
    if too_long:
        column, rows = too_long[0]
        raise ActionTableError(
            f"{target.name}: `{column}` is longer than Excel's {EXCEL_CELL_LIMIT:,}-character cell limit in "
            f"{_rows(rows, frame)}; write this table as .parquet or .csv instead"
        )
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    with Workbook(str(target), options) as book:
        sheet = book.add_worksheet(SHEET)
        header = book.add_format({"bold": True, "bg_color": "#EEF1F5", "bottom": 1})
        editable = book.add_format({"bold": True, "bg_color": "#FFF4CE", "bottom": 1})
        for col, name in enumerate(frame.columns):
            sheet.write_string(0, col, name, editable if name in EDITABLE else header)
            sheet.set_column(col, col, WIDTHS.get(name, 18))
            values = frame[name].to_list()
            for row, value in enumerate(values, start=1):
                if value is None:
                    continue
                if isinstance(value, float):
                    sheet.write_number(row, col, value)
                else:
                    sheet.write_string(row, col, str(value))
        last = max(frame.height, 1)
        choices = [d.value for d in Decision]
        for name in ("decision", "cluster_decision"):
            col = frame.columns.index(name)
            sheet.data_validation(
                1,
                col,
                last,
                col,
                {
                    "validate": "list",
                    "source": choices,
                    "error_title": "approve, reject or pending",
                    "error_message": f"{name} is one of: {', '.join(choices)}",
                },
            )
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, last, len(frame.columns) - 1)
        sheet.set_column(
            frame.columns.index(CHECK_COLUMN), frame.columns.index(CHECK_COLUMN), 12, None, {"hidden": True}
        )


def read_xlsx(source: Path) -> pl.DataFrame:
    """The ``actions`` sheet of a review workbook as a frame of strings (and the confidence numbers)."""
    from openpyxl import load_workbook

    from .table import ActionTableError

    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise ActionTableError(f"{source.name}: not a readable .xlsx workbook ({error})") from None
    try:
        if SHEET not in book.sheetnames:
            raise ActionTableError(
                f"{source.name}: the workbook has no `{SHEET}` sheet (found: {', '.join(book.sheetnames)})"
            )
        rows = list(book[SHEET].iter_rows(values_only=True))
    finally:
        book.close()
    if not rows:
        raise ActionTableError(f"{source.name}: the `{SHEET}` sheet is empty")
    header = [str(h) if h is not None else "" for h in rows[0]]
    while header and header[-1] == "":
        header.pop()
    body = [r[: len(header)] for r in rows[1:] if any(v is not None for v in r)]
    columns: dict[str, list[Any]] = {
        name: [row[i] if i < len(row) else None for row in body] for i, name in enumerate(header)
    }
    data = {
        name: pl.Series(
            name,
            values,
            dtype=pl.Float64 if name == "confidence" and _numeric(values) else pl.String,
            strict=False,
        )
        if name == "confidence"
        else pl.Series(name, [None if v is None else str(v) for v in values], dtype=pl.String)
        for name, values in columns.items()
    }
    return pl.DataFrame(data)


def _numeric(values: list[Any]) -> bool:
    return all(v is None or (isinstance(v, int | float) and not isinstance(v, bool)) for v in values)

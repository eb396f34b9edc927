"""An action table as a review workbook (xlsxwriter) and back (openpyxl).

Cells are written as literal strings and numbers (never formulas, URLs or guessed numbers), the header
is frozen with an autofilter, ``decision`` / ``cluster_decision`` offer a drop-down, and ``confidence`` is
coloured by value. The plain workbook has one ``actions`` sheet; the sign-off workbook (``by_recipe``) has a
``summary`` sheet first and one sheet per recipe, and reads back the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from .schema import CHECK_COLUMN, EDITABLE, Decision

SHEET = "actions"
SUMMARY = "summary"
EXCEL_CELL_LIMIT = 32_767
WIDTHS = {"reason": 60, "evidence": 60, "payload": 40, "comment": 30, CHECK_COLUMN: 12}


def write_xlsx(
    frame: pl.DataFrame,
    target: Path,
    *,
    by_recipe: bool = False,
    summary: list[tuple[Any, ...]] | None = None,
) -> None:
    """Write ``frame`` (with its ``_check`` column) as the review workbook; ``by_recipe`` puts each recipe
    on its own sheet after a ``summary`` sheet of ``summary`` rows (the first row is the header)."""
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
        if not by_recipe:
            _sheet(book, SHEET, frame)
            return
        bold = book.add_format({"bold": True, "bg_color": "#EEF1F5", "bottom": 1})
        first = book.add_worksheet(SUMMARY)
        for row, cells in enumerate(summary or []):
            for col, value in enumerate(cells):
                if isinstance(value, int | float) and not isinstance(value, bool):
                    first.write_number(row, col, value)
                else:
                    first.write_string(row, col, str(value), bold if row == 0 else None)
        first.set_column(0, 8, 22)
        names: set[str] = set()
        for (recipe,), part in frame.group_by("recipe", maintain_order=True):
            _sheet(book, _sheet_name(str(recipe), names), part)


def _sheet_name(recipe: str, taken: set[str]) -> str:
    """An Excel sheet name (≤ 31 characters, none of []:*?/\\) unique in the workbook."""
    base = "".join("_" if c in "[]:*?/\\" else c for c in recipe)[:31] or "actions"
    name, n = base, 2
    while name.lower() in taken or name.lower() == SUMMARY:
        name = f"{base[:28]}_{n}"
        n += 1
    taken.add(name.lower())
    return name


def _sheet(book: Any, title: str, frame: pl.DataFrame) -> None:
    """One sheet of actions: header, values, drop-downs, filter, frozen header, confidence colours."""
    sheet = book.add_worksheet(title)
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
    if "confidence" in frame.columns and frame.height:
        col = frame.columns.index("confidence")
        sheet.conditional_format(
            1,
            col,
            last,
            col,
            {
                "type": "3_color_scale",
                "min_type": "num",
                "min_value": 0.5,
                "min_color": "#F8696B",
                "mid_type": "num",
                "mid_value": 0.8,
                "mid_color": "#FFEB84",
                "max_type": "num",
                "max_value": 1,
                "max_color": "#63BE7B",
            },
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
        if SHEET in book.sheetnames:
            sheets = [SHEET]
        else:  # a sign-off workbook: one sheet per recipe after the summary
            sheets = [name for name in book.sheetnames if name != SUMMARY]
            if not sheets:
                raise ActionTableError(
                    f"{source.name}: the workbook has no `{SHEET}` sheet and no recipe sheets (found: {', '.join(book.sheetnames)})"
                )
        frames = [_read_sheet(source, name, list(book[name].iter_rows(values_only=True))) for name in sheets]
    finally:
        book.close()
    return pl.concat(frames, how="diagonal_relaxed") if len(frames) > 1 else frames[0]


def _read_sheet(source: Path, name: str, rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    from .table import ActionTableError

    if not rows:
        raise ActionTableError(f"{source.name}: the `{name}` sheet is empty")
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

"""An action table as the reviewer's workbook (xlsxwriter) and back (openpyxl).

Sheets: "How to review" (plain sentences), then ``summary`` (the sign-off workbook only), then one sheet of
actions per recipe (or one ``actions`` sheet), then a hidden ``choices`` sheet holding each merge cluster's
records for the ``keep`` drop-down and the attribute titles for ``take``.

An actions sheet reads left to right the way a reviewer works: the record by name, the kept record, what
happens in one sentence, the key differences (evidence against first, marked red), the confidence in words;
then the columns a reviewer sets (decision, keep, take from the merged record, comment, decide the whole
cluster; yellow headers, with drop-downs); then why it was proposed; then, grey and grouped at the far right,
the table's own columns (ids, payload, confidence number, fingerprint and the hidden ``_check``). Panes are
frozen at the decision, so the names stay in view. Cells are written as literal strings and numbers (never
formulas, URLs or guessed numbers).

Reading back takes only the table's columns: the derived ones (names, what happens, confidence in words)
are ignored, a ``keep`` label is turned back into its record id through the ``choices`` sheet, and every
row remembers its sheet and row, and every column its letter and title, for error messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from ..files import private_file
from .layout import Layout, column_letter
from .review import CONFIDENCE, DERIVED, KEPT, RECORD, WHAT, Derived, derive
from .schema import CHECK_COLUMN, Action, Decision

if TYPE_CHECKING:
    from ..labels import Namer

SHEET = "actions"
SUMMARY = "summary"
GUIDE = "How to review"
CHOICES = "choices"
RESERVED = frozenset({SUMMARY, GUIDE.lower(), CHOICES})
EXCEL_CELL_LIMIT = 32_767
# How a sheet titles the table's columns a reviewer reads or sets (the rest keep their names).
TITLES = {
    "decision": "decision",
    "keep": "keep",
    "take": "take from the merged record",
    "comment": "comment",
    "cluster_decision": "decide the whole cluster",
    "reason": "why",
}
DIFFERENCES = "key differences"  # the `evidence` column on a sheet of merges
TECHNICAL = (
    "action_id",
    "recipe",
    "action",
    "object",
    "list",
    "target_id",
    "survivor_id",
    "cluster_id",
    "confidence",
    "payload",
    "fingerprint",
    CHECK_COLUMN,
)
HIDDEN = frozenset({"fingerprint", CHECK_COLUMN})
WIDTHS = {
    RECORD: 28,
    KEPT: 28,
    WHAT: 48,
    "evidence": 48,
    CONFIDENCE: 14,
    "decision": 12,
    "keep": 28,
    "take": 24,
    "comment": 30,
    "cluster_decision": 14,
    "reason": 50,
    "payload": 40,
}
BAND_COLOURS = {"sure": "#C6EFCE", "likely": "#FFEB9C", "unsure": "#FFC7CE"}


# ---------------------------------------------------------------------------------------------- writing
@dataclass
class _Formats:
    header: Any
    editable_header: Any
    technical_header: Any
    text: Any
    editable: Any
    technical: Any
    against: Any
    bands: dict[str, Any]
    title: Any
    heading: Any

    @classmethod
    def of(cls, book: Any) -> _Formats:
        top = {"valign": "top"}
        wrap = {"text_wrap": True, **top}
        return cls(
            header=book.add_format({"bold": True, "bg_color": "#EEF1F5", "bottom": 1, **wrap}),
            editable_header=book.add_format({"bold": True, "bg_color": "#FFE699", "bottom": 1, **wrap}),
            technical_header=book.add_format({"bold": True, "bg_color": "#D9D9D9", "bottom": 1, **wrap}),
            text=book.add_format(wrap),
            editable=book.add_format({"bg_color": "#FFF4CE", **wrap}),
            technical=book.add_format({"font_color": "#7F7F7F", **top}),
            against=book.add_format({"bg_color": "#FFC7CE", **wrap}),
            bands={w: book.add_format({"bg_color": c, **top}) for w, c in BAND_COLOURS.items()},
            title=book.add_format({"bold": True, "font_size": 14}),
            heading=book.add_format({"bold": True, "font_size": 11, "top": 1}),
        )


def write_xlsx(
    frame: pl.DataFrame,
    target: Path,
    *,
    by_recipe: bool = False,
    summary: list[tuple[Any, ...]] | None = None,
    namer: Namer | None = None,
) -> None:
    """Write ``frame`` (with its ``_check`` column) as the review workbook; ``by_recipe`` puts each recipe
    on its own sheet after a ``summary`` sheet of ``summary`` rows (the first row is the header)."""
    from xlsxwriter import Workbook

    _refuse_long_cells(frame, target)
    derived = derive(frame.drop(CHECK_COLUMN), namer)
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    with private_file(target) as tmp, Workbook(str(tmp), options) as book:
        formats = _Formats.of(book)
        guide = book.add_worksheet(GUIDE)
        if by_recipe:
            _summary_sheet(book, summary or [])
        indexed = frame.with_row_index("_i")
        if by_recipe:
            names: set[str] = set()
            parts = [
                (_sheet_name(str(recipe), names), part)
                for (recipe,), part in indexed.group_by("recipe", maintain_order=True)
            ]
        else:
            parts = [(SHEET, indexed)]
        takeable = _take_ranges(derived)
        for title, part in parts:
            _sheet(book, formats, title, part, derived, takeable)
        if derived.choices.height:
            _choices_sheet(book, derived)
        _guide(guide, formats, parts)


def _refuse_long_cells(frame: pl.DataFrame, target: Path) -> None:
    from .table import ActionTableError, _rows

    for column in frame.columns:
        if frame.schema[column] != pl.String:
            continue
        rows = frame[column].str.len_chars().fill_null(0).gt(EXCEL_CELL_LIMIT).arg_true().to_list()
        if rows:
            raise ActionTableError(
                f"{target.name}: `{column}` is longer than Excel's {EXCEL_CELL_LIMIT:,}-character cell limit "
                f"in {_rows(rows, frame)}; write this table as .parquet or .csv instead"
            )


def _summary_sheet(book: Any, rows: list[tuple[Any, ...]]) -> None:
    bold = book.add_format({"bold": True, "bg_color": "#EEF1F5", "bottom": 1})
    sheet = book.add_worksheet(SUMMARY)
    for row, cells in enumerate(rows):
        for col, value in enumerate(cells):
            if isinstance(value, int | float) and not isinstance(value, bool):
                sheet.write_number(row, col, value)
            else:
                sheet.write_string(row, col, str(value), bold if row == 0 else None)
    sheet.set_column(0, 8, 22)


def _sheet_name(recipe: str, taken: set[str]) -> str:
    """An Excel sheet name (≤ 31 characters, none of []:*?/\\) unique in the workbook."""
    base = "".join("_" if c in "[]:*?/\\" else c for c in recipe)[:31] or "actions"
    name, n = base, 2
    while name.lower() in taken or name.lower() in RESERVED:
        name = f"{base[:28]}_{n}"
        n += 1
    taken.add(name.lower())
    return name


def _layout(has_merges: bool) -> list[tuple[str, str, str]]:
    """A sheet's columns: (key, title, kind) with kind reader, editable or technical."""
    reader = [RECORD, *([KEPT] if has_merges else []), WHAT, "evidence", CONFIDENCE]
    editable = ["decision", *(["keep", "take"] if has_merges else []), "comment", "cluster_decision"]
    columns = [(key, DIFFERENCES if key == "evidence" and has_merges else key, "reader") for key in reader]
    columns += [(key, TITLES[key], "editable") for key in editable]
    columns += [("reason", TITLES["reason"], "reader")]
    columns += [(key, key, "technical") for key in TECHNICAL]
    return columns


def _sheet(
    book: Any,
    formats: _Formats,
    title: str,
    part: pl.DataFrame,
    derived: Derived,
    takeable: dict[str, str],
) -> None:
    """One sheet of actions (see the module docstring)."""
    from ..labels import confidence_word
    from .table import HAS_AGAINST

    sheet = book.add_worksheet(title)
    merge_rows = part["action"] == Action.MERGE_RECORDS.value
    has_merges = bool(merge_rows.any())
    shown = derived.rows.select(pl.all().gather(part["_i"]))
    against = part.select(HAS_AGAINST.fill_null(False)).to_series().to_list()
    bands = [confidence_word(c) for c in part["confidence"].to_list()]
    columns = _layout(has_merges)
    for col, (key, header, kind) in enumerate(columns):
        head = {"reader": formats.header, "editable": formats.editable_header}.get(
            kind, formats.technical_header
        )
        sheet.write_string(0, col, header, head)
        options: dict[str, Any] = {"hidden": True} if key in HIDDEN else {}
        if kind == "technical":
            options["level"] = 1
        cell = {"editable": formats.editable, "technical": formats.technical}.get(kind, formats.text)
        sheet.set_column(col, col, WIDTHS.get(key, 18), cell, options)  # empty cells take it too
        values: list[Any]
        if key == "keep":
            values = [derived.label(c, k) for c, k in zip(part["cluster_id"], part["keep"], strict=True)]
        else:
            values = (shown[key] if key in DERIVED else part[key]).to_list()
        for row, value in enumerate(values, start=1):
            if value is None:
                continue
            style = None  # the column's
            if key == "evidence" and against[row - 1]:
                style = formats.against
            elif key == CONFIDENCE and bands[row - 1]:
                style = formats.bands[bands[row - 1]]
            if isinstance(value, float):
                sheet.write_number(row, col, value, style)
            else:
                sheet.write_string(row, col, str(value), style)
    keys = [key for key, _, _ in columns]
    last = max(part.height, 1)
    _drop_downs(sheet, keys, last, part, takeable)
    col = keys.index("confidence")  # the number, coloured like the words
    scale = {"min_color": "#F8696B", "mid_color": "#FFEB84", "max_color": "#63BE7B"}
    sheet.conditional_format(
        1,
        col,
        last,
        col,
        {"type": "3_color_scale", "min_type": "num", "min_value": 0.5, "mid_type": "num", "mid_value": 0.8}
        | {"max_type": "num", "max_value": 1}
        | scale,
    )
    sheet.freeze_panes(1, keys.index("decision"))
    sheet.autofilter(0, 0, last, len(columns) - 1)
    sheet.set_row(0, 30)


def _drop_downs(sheet: Any, keys: list[str], last: int, part: pl.DataFrame, takeable: dict[str, str]) -> None:
    choices = [d.value for d in Decision]
    for name in ("decision", "cluster_decision"):
        col = keys.index(name)
        sheet.data_validation(
            1,
            col,
            last,
            col,
            {
                "validate": "list",
                "source": choices,
                "input_title": TITLES[name],
                "input_message": "approve: do it. reject: never do it. pending: not decided yet."
                + (" Decides every pending row of the cluster." if name == "cluster_decision" else ""),
                "error_title": "approve, reject or pending",
                "error_message": f"{TITLES[name]} is one of: {', '.join(choices)}",
            },
        )
    if "keep" not in keys:
        return
    cluster = f"${column_letter(keys.index('cluster_id'))}2"
    col = keys.index("keep")
    sheet.data_validation(
        1,
        col,
        last,
        col,
        {
            "validate": "list",
            "source": f"=OFFSET({CHOICES}!$B$1,MATCH({cluster},{CHOICES}!$A:$A,0)-1,0,"
            f"COUNTIF({CHOICES}!$A:$A,{cluster}),1)",
            "input_title": "keep",
            "input_message": "Leave empty to keep the proposed record (kept record), or pick another record "
            "of this cluster to keep. One row of the cluster is enough.",
            "error_title": "a record of this cluster",
            "error_message": "Pick the record to keep from the list: the records of this row's cluster.",
        },
    )
    col = keys.index("take")
    objects = part.filter(pl.col("action") == Action.MERGE_RECORDS.value)["object"].drop_nulls().unique()
    source = takeable.get(objects[0]) if objects.len() == 1 else None
    take: dict[str, Any] = {
        "validate": "list" if source else "any",
        "input_title": "take from the merged record",
        "input_message": "Titles of attributes (e.g. Job title) whose value comes from the record this row "
        "merges away instead of the kept one. Separate several with commas.",
    }
    if source:  # a drop-down of the titles that still lets a reviewer type several, comma-separated
        take |= {"source": source, "show_error": False}
    sheet.data_validation(1, col, last, col, take)


def _take_ranges(derived: Derived) -> dict[str, str]:
    """Per object, the range of the ``choices`` sheet holding the titles a reviewer may take."""
    ranges: dict[str, str] = {}
    for offset, (object_slug, titles) in enumerate(sorted(derived.takeable.items())):
        if titles:
            letter = column_letter(4 + offset)
            ranges[object_slug] = f"={CHOICES}!${letter}$2:${letter}${len(titles) + 1}"
    return ranges


def _choices_sheet(book: Any, derived: Derived) -> None:
    """The hidden sheet of each cluster's records (A: cluster, B: label, C: record id) and, from column E,
    per object the attribute titles a reviewer may take (see :func:`_take_ranges`)."""
    sheet = book.add_worksheet(CHOICES)
    for col, header in enumerate(("cluster_id", "label", "record_id")):
        sheet.write_string(0, col, header)
    for row, values in enumerate(derived.choices.iter_rows(), start=1):
        for col, value in enumerate(values):
            sheet.write_string(row, col, str(value))
    for offset, (object_slug, titles) in enumerate(sorted(derived.takeable.items())):
        sheet.write_string(0, 4 + offset, object_slug)
        for row, title in enumerate(titles, start=1):
            sheet.write_string(row, 4 + offset, title)
    sheet.hide()


def _guide(sheet: Any, formats: _Formats, parts: list[tuple[str, pl.DataFrame]]) -> None:
    """The "How to review" sheet: plain sentences."""
    from .review import sheet_sentence

    lines: list[tuple[str, str]] = [
        ("title", "How to review this workbook"),
        (
            "",
            "Each row is one change attio-cleanup proposes to make in Attio. Nothing happens until you approve "
            "it and the file is applied with `attio-cleanup apply`; before that, `attio-cleanup plan` shows "
            "what applying it would do.",
        ),
        ("heading", "The sheets"),
        *[("", f"“{title}”: {sheet_sentence(part)}") for title, part in parts],
        (
            "",
            "The columns of each sheet read from left to right: the record by name, the record kept (merges), "
            "what happens in one sentence, the key differences (evidence against the change comes first, on "
            "red), and how sure the match is in words: sure (0.99 and above), likely (0.95 to 0.99), unsure "
            "(below 0.95).",
        ),
        ("heading", "What to set (the yellow columns)"),
        (
            "",
            "decision: approve (do it), reject (never do it; for a pair of records it is also remembered that "
            "they are not the same) or pending (not decided yet; it is not done).",
        ),
        (
            "",
            "keep (merges): the record of the cluster that stays. Leave it empty to keep the proposed one "
            "(shown in “kept record”), or pick another record of the cluster from the drop-down, on any one row "
            "of the cluster. Every other record of the cluster, the proposed one included, is then merged into "
            "the record you chose; on that record's own row, the proposed record is the one merged away.",
        ),
        (
            "",
            "take from the merged record (merges): titles of attributes, such as Job title, whose value should "
            "come from the record this row merges away rather than from the kept record. Separate several with "
            "commas. Only attributes with one value can be taken; values the kept record lacks are carried over "
            "anyway.",
        ),
        ("", "comment: your note; it is kept with the decision."),
        (
            "",
            "decide the whole cluster: set it on any one row to decide every pending row of that cluster. A "
            "row's own decision wins, and approving a whole cluster leaves its rows with evidence against them "
            "pending: approve those one by one.",
        ),
        ("heading", "Approving many rows at once"),
        (
            "",
            "Approving in bulk (a whole cluster here, or by confidence with attio-cleanup) never takes a merge "
            "with evidence against it (red in “key differences”): such a merge is approved only on its own row, "
            "after a look.",
        ),
        ("heading", "What must not change"),
        (
            "",
            "Only decision, keep, take from the merged record, comment and decide the whole cluster may change. "
            "Every row carries a check of its other cells, so a change anywhere else stops plan and apply with "
            "the sheet, row and column of the changed cell. Sorting and filtering are fine. The grey columns at "
            "the right (ids, the payload that will be written, the fingerprint) are for the tool.",
        ),
    ]
    sheet.set_column(0, 0, 120, formats.text)
    for row, (kind, text) in enumerate(lines):
        style = {"title": formats.title, "heading": formats.heading}.get(kind, formats.text)
        sheet.write_string(row, 0, text, style)


# ---------------------------------------------------------------------------------------------- reading
COLUMN_OF = {title: key for key, title in TITLES.items()} | {DIFFERENCES: "evidence"}


def read_xlsx(source: Path) -> tuple[pl.DataFrame, Layout]:
    """The actions of a review workbook as a frame of strings (and the confidence numbers), with where each
    row and column is."""
    from openpyxl import load_workbook

    from .table import ActionTableError

    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise ActionTableError(f"{source.name}: not a readable .xlsx workbook ({error})") from None
    try:
        if SHEET in book.sheetnames:
            sheets = [SHEET]
        else:  # a sign-off workbook: one sheet per recipe after the guide and the summary
            sheets = [name for name in book.sheetnames if name.lower() not in RESERVED]
            if not sheets:
                raise ActionTableError(
                    f"{source.name}: the workbook has no `{SHEET}` sheet and no recipe sheets "
                    f"(found: {', '.join(book.sheetnames)})"
                )
        labels = (
            _labels(list(book[CHOICES].iter_rows(values_only=True))) if CHOICES in book.sheetnames else {}
        )
        read = [_read_sheet(source, name, list(book[name].iter_rows(values_only=True))) for name in sheets]
    finally:
        book.close()
    frames = [frame for frame, _ in read]
    frame = pl.concat(frames, how="diagonal_relaxed") if len(frames) > 1 else frames[0]
    layout = Layout(
        [s for _, part in read for s in part.sheets],
        [n for _, part in read for n in part.lines],
        [i for _, part in read for i in part.ids],
        {s: c for _, part in read for s, c in part.columns.items()},
    )
    if labels and "keep" in frame.columns and "cluster_id" in frame.columns:
        frame = frame.with_columns(
            keep=pl.Series(
                [
                    labels.get((c, k), k) if k is not None else None
                    for c, k in zip(frame["cluster_id"], frame["keep"], strict=True)
                ],
                dtype=pl.String,
            )
        )
    return frame, layout


def _labels(rows: list[tuple[Any, ...]]) -> dict[tuple[str, str], str]:
    """(cluster, label) → record id, from the ``choices`` sheet."""
    return {
        (str(r[0]), str(r[1])): str(r[2])
        for r in rows[1:]
        if len(r) >= 3 and r[0] is not None and r[1] is not None and r[2] is not None
    }


def _read_sheet(source: Path, name: str, rows: list[tuple[Any, ...]]) -> tuple[pl.DataFrame, Layout]:
    from .table import ActionTableError

    if not rows:
        raise ActionTableError(f"{source.name}: the `{name}` sheet is empty")
    titles = [str(h).strip() if h is not None else "" for h in rows[0]]
    while titles and titles[-1] == "":
        titles.pop()
    lines = [n for n, r in enumerate(rows[1:], start=2) if any(v is not None for v in r[: len(titles)])]
    body = [rows[n - 1][: len(titles)] for n in lines]
    data: dict[str, pl.Series] = {}
    letters: dict[str, tuple[str, str]] = {}
    for i, title in enumerate(titles):
        if title in DERIVED or title == "":
            continue
        key = COLUMN_OF.get(title, title)
        values = [row[i] if i < len(row) else None for row in body]
        letters[key] = (column_letter(i), title)
        if key == "confidence" and _numeric(values):
            data[key] = pl.Series(key, values, dtype=pl.Float64, strict=False)
        else:
            data[key] = pl.Series(key, [None if v is None else str(v) for v in values], dtype=pl.String)
    frame = pl.DataFrame(data)
    ids = frame["action_id"].to_list() if "action_id" in frame.columns else [None] * frame.height
    return frame, Layout([name] * frame.height, lines, ids, {name: letters})


def _numeric(values: list[Any]) -> bool:
    return all(v is None or (isinstance(v, int | float) and not isinstance(v, bool)) for v in values)

"""Sign-off reports: what an action table will do, for a reviewer who is not an engineer.

>>> write_report(actions, snapshot, "review/report.html")   # doctest: +SKIP
>>> write_report(actions, snapshot, "review/report.xlsx")   # a workbook `plan` and `apply` read back

HTML: one self-contained page for a reviewer who is not an engineer: first what approving does, in
sentences, what waits for a decision, how old the data is, how long the run takes and what the backup can put
back; then what needs a closer look; then per recipe the findings as cards, every record, note, entry and
person by name (paged, searchable, sortable and filterable by confidence and decision). XLSX: a summary sheet and one
sheet per recipe with the decision drop-downs; it is an action table, so the reviewed file is what
``attio-cleanup plan`` and ``apply`` read (with their check that nothing but the decisions changed).
After a run, ``run=`` adds its results: done, skipped and failed per action, the backup and how to restore.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

from ..actions import ActionTable
from ..errors import ReportError
from ..export.snapshot import Snapshot
from ..files import private_dir
from ..labels import Namer
from .data import ReportData, RunResults, build_report_data
from .html import render_html, write_html
from .runview import run_view


def run_summary(report: RunResults) -> dict[str, Any]:
    """What the report shows of a run."""
    problems = report.frame.filter(report.frame["status"] != "done").head(200)
    return {
        "run_id": report.run_id,
        "folder": str(report.folder),
        "counts": report.counts(),
        "problems": problems.select("status", "action", "target_id", "detail").to_dicts(),
    }


def write_report(
    table: ActionTable,
    snapshot: Snapshot,
    path: str | Path,
    *,
    run: RunResults | None = None,
    title: str = "Cleanup sign-off",
    token_labels: Mapping[str, str] | None = None,
    accounting: pl.DataFrame | None = None,
    items: pl.DataFrame | None = None,
) -> Path:
    """Write the report as ``.html`` or ``.xlsx`` (by the suffix). ``token_labels`` names API tokens by id
    (``{"6c1f…": "Affinity re-import"}``); others show as "API token …7aef7". An import's ``accounting``
    and ``items`` (its result's ``accounting()`` and ``items_frame()``) open the HTML page with where every
    item of its files went."""
    target = Path(path)
    private_dir(target.parent)  # folders it makes are owner-only, as the report is
    suffix = target.suffix.lower()
    if suffix not in (".html", ".xlsx"):
        raise ReportError(
            f"{target.name}: a report is .html or .xlsx; name the file report.html or report.xlsx"
        )
    data = build_report_data(
        table, snapshot, title=title, token_labels=token_labels, run=run, accounting=accounting, items=items
    )
    if suffix == ".html":
        view = None
        if run is not None:
            view = run_view(run, table, data, Namer(snapshot, token_labels))
        return write_html(data, target, view)
    summary = run_summary(run) if run is not None else None
    return write_signoff_workbook(table, data, target, summary, namer=Namer(snapshot, token_labels))


def write_signoff_workbook(
    table: ActionTable,
    data: ReportData,
    target: Path,
    run: dict[str, Any] | None = None,
    *,
    namer: Namer | None = None,
) -> Path:
    """The reviewer's workbook: "How to review", a summary sheet (with a run's results, when given), one
    sheet per recipe naming records by ``namer`` (by default a :class:`Namer` of the snapshot at
    ``data.snapshot``), and the hidden ``choices`` sheet behind the drop-downs."""
    if namer is None and (Path(data.snapshot) / "manifest.json").exists():
        namer = Namer(Snapshot.load(data.snapshot))
    summary: list[tuple[Any, ...]] = [("recipe", "action", "object or list", "rows", "approved")]
    summary += list(data.by_recipe)
    summary += [(), ("kind of request", "requests (all rows)", "minutes", "requests (approved)", "minutes")]
    summary += [
        (k, n_all, round(s_all / 60, 1), n_ok, round(s_ok / 60, 1))
        for k, n_all, s_all, n_ok, s_ok in data.calls
    ]
    summary += [(), ("workspace", data.workspace), ("snapshot", data.snapshot)]
    if run is not None:
        summary += [(), ("run", run["run_id"]), ("backup, journal and report", run["folder"])]
        summary += [(status, n) for status, n in run["counts"].items()]
        summary += [("to put it back", f"attio-cleanup restore {run['run_id']} --yes")]
    return table.write(target, by_recipe=True, summary=summary, namer=namer)


__all__ = ["ReportData", "RunResults", "build_report_data", "render_html", "run_summary", "write_report"]

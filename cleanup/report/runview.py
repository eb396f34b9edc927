"""What the after-run report says about the run: when and how long, what it did in words, what was checked
in Attio afterwards, every row that was not done (and why), what still waits for a decision, restores made
since, and the exact command that undoes it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl

from ..labels import STATUS_WORDS, Namer, duration, plural, when
from .data import ReportData, RunResults, with_run
from .words import changes

if TYPE_CHECKING:
    from ..actions import ActionTable

JSON = dict[str, Any]
SHOWN = 200  # rows listed per table (the counts say how many in all)
NOT_EXACT = (
    "A restored note or record gets a new id; a restored note shows the restoring API token as its author; a "
    "merged-away record comes back as a new record, and what the merge moved goes back to it."
)


def _labels(data: ReportData) -> dict[str, tuple[str, str]]:
    """Action id → (the name its card shows, the recipe's title)."""
    out: dict[str, tuple[str, str]] = {}
    for recipe, section in data.sections.items():
        title = data.titles.get(recipe, recipe)
        for unit in section.units:
            rows = [*unit.get("items", []), *unit.get("others", []), *unit.get("removed", [])]
            rows += [unit["upd"]] if unit.get("upd") else []
            rows += [unit["row"]] if unit.get("row") else []
            for row in rows:
                label = unit["label"]
                if "title" in row and row.get("title"):
                    label = f"“{row['title']}” on {unit['label']}"
                elif "name" in row and row.get("name"):
                    label = f"{row['name']} → {unit['label']}"
                out[row["a"]] = (label, title)
    return out


def run_view(run: RunResults, table: ActionTable, data: ReportData, namer: Namer) -> JSON:
    """The after-run section's content."""
    frame = with_run(table.frame.with_columns(decision=table.effective_decisions()), run)
    in_run = frame.filter(pl.col("status") != "not in the run")
    counts = run.counts()
    done = in_run.filter(pl.col("status") == "done")
    labels = _labels(data)
    finished, seconds = run.finished_at, run.seconds
    headline = "Ran"
    if finished is not None:
        headline = (
            f"Done on {when(finished)}" if not counts.get("not_started") else f"Stopped on {when(finished)}"
        )
    if seconds is not None:
        headline += f" in {duration(seconds)}"
    did = changes(done, data.sections, namer)
    unchecked = done.filter(~pl.col("verified").fill_null(False))
    problems = in_run.filter(pl.col("status") != "done").head(SHOWN)
    restores = run.restores()
    restored = restores.filter(pl.col("status") == "restored")
    return {
        "run_id": run.run_id,
        "folder": str(run.folder),
        "headline": headline,
        "counts": counts,
        "count_words": [(STATUS_WORDS.get(s, s), s, n) for s, n in counts.items()],
        "did": did,
        "total": in_run.height,
        "done": done.height,
        "checked": done.height - unchecked.height,
        "unchecked": [_row(r, labels) for r in unchecked.head(SHOWN).to_dicts()],
        "unchecked_total": unchecked.height,
        "problems": [_row(r, labels) for r in problems.to_dicts()],
        "problems_total": in_run.height - done.height,
        "waiting": data.waiting,
        "waiting_rows": frame.filter(pl.col("decision") == "pending").height,
        "restored": [
            {
                "label": labels.get(r["action_id"], ("an item", ""))[0],
                "at": when(r["at"]) if r["at"] else "",
                "detail": r["detail"] or "",
            }
            for r in restored.head(SHOWN).to_dicts()
        ],
        "restored_total": restored.height,
        "restore_failed": restores.height - restored.height,
        "undo": f"attio-cleanup restore {run.run_id} --yes",
        "not_exact": NOT_EXACT,
        "in_words": plural(done.height, "change"),
    }


def _row(row: JSON, labels: dict[str, tuple[str, str]]) -> JSON:
    label, title = labels.get(row["action_id"], (row["target_id"] or "a new item", row["recipe"]))
    return {
        "status": STATUS_WORDS.get(row["status"], row["status"]),
        "cls": row["status"].replace(" ", "_"),
        "label": label,
        "title": title,
        "why": row["detail"] or "",
        "id": row["target_id"] or "",
    }

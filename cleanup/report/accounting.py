"""Where every item of an import's files went, as a person reads it: read = imported + already in Attio +
waiting for a decision + refused + skipped, per file and kind, and the refused and skipped items with their
reason. The frames come from the importer's result (``accounting()``, ``items_frame()``) or, after a run, from
the run folder (:meth:`cleanup.execute.RunReport.accounting`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from ..labels import plural

# The importer's outcome → how the report says it.
OUTCOME_WORDS = {
    "imported": "to import",
    "already there": "already in Attio",
    "pending": "waiting for a decision",
    "refused": "refused",
    "skipped": "skipped",
}
LEFT_OUT_SHOWN = 200  # refused and skipped items listed (the count says how many in all)


@dataclass
class AccountingView:
    """The accounting as the report shows it: a sentence, one row per file and kind, and what was left out."""

    sentence: str
    rows: list[dict[str, Any]]
    left_out: list[dict[str, Any]] = field(default_factory=list)
    left_out_total: int = 0


def accounting_view(
    accounting: pl.DataFrame, items: pl.DataFrame | None = None, *, ran: bool = False
) -> AccountingView:
    """The view of an import's accounting (``ran``: after the run, "imported" rather than "to import")."""
    words = {**OUTCOME_WORDS, "imported": "imported" if ran else "to import"}
    totals = {o: int(accounting[o].sum()) for o in OUTCOME_WORDS if o in accounting.columns}
    read = int(accounting["read"].sum())
    parts = [f"{n:,} {words[o]}" for o, n in totals.items() if n]
    files = accounting["file"].n_unique()
    sentence = f"Every item of the {plural(files, 'file')} is accounted for: {read:,} read = {' + '.join(parts) or 'none'}."
    rows = [
        {
            "file": row["file"],
            "kind": row["kind"],
            "read": row["read"],
            "parts": " + ".join(f"{row[o]:,} {words[o]}" for o in OUTCOME_WORDS if row.get(o)) or "none",
            "balanced": row.get("balanced", True),
        }
        for row in accounting.iter_rows(named=True)
    ]
    left = items.filter(pl.col("outcome").is_in(["refused", "skipped"])) if items is not None else None
    if left is None:
        return AccountingView(sentence, rows)
    return AccountingView(sentence, rows, left.head(LEFT_OUT_SHOWN).to_dicts(), left.height)

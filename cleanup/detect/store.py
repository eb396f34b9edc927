"""Remembered decisions: pairs a reviewer rejected ("not a duplicate") are kept in ``decisions.parquet``
beside the snapshots and never proposed again, unless the rejected record has changed since.

>>> remember(ActionTable.read("reviewed.xlsx"), snapshot)  # doctest: +SKIP
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from ..actions import ActionTable
from ..export.snapshot import Snapshot
from .findings import fingerprints

STORE_NAME = "decisions.parquet"
STORE_SCHEMA = pl.Schema(
    {
        "recipe": pl.String(),
        "part": pl.String(),
        "left_id": pl.String(),
        "right_id": pl.String(),
        "fingerprint": pl.String(),
        "decided_at": pl.Datetime("us", "UTC"),
    }
)


def store_path(snapshot: Snapshot) -> Path:
    """Where decisions about this snapshot's workspace are kept: beside the snapshot folder."""
    return snapshot.path.parent / STORE_NAME


def _part(action: pl.Expr, obj: pl.Expr) -> pl.Expr:
    return pl.when(action.str.ends_with("_note")).then(pl.lit("notes")).otherwise(pl.lit("records/") + obj)


def remember(table: ActionTable, snapshot: Snapshot) -> int:
    """Keep the rejected pairs of ``table`` (target with survivor, or with its cluster); returns how many."""
    rejected = table.frame.with_columns(decision=table.effective_decisions()).filter(
        pl.col("decision") == "reject"
    )
    pairs = rejected.select(
        "recipe",
        _part(pl.col("action"), pl.col("object")).alias("part"),
        pl.col("target_id").alias("left_id"),
        pl.coalesce("survivor_id", "cluster_id").alias("right_id"),
        "fingerprint",
        pl.lit(datetime.now(UTC)).cast(pl.Datetime("us", "UTC")).alias("decided_at"),
    ).filter(pl.col("left_id").is_not_null() & pl.col("right_id").is_not_null())
    if pairs.height == 0:
        return 0
    path = store_path(snapshot)
    known = pl.read_parquet(path) if path.exists() else pl.DataFrame(schema=STORE_SCHEMA)
    merged = pl.concat([known, pairs]).unique(
        ["recipe", "left_id", "right_id"], keep="last", maintain_order=True
    )
    tmp = path.with_suffix(".tmp")
    merged.write_parquet(tmp)
    tmp.replace(path)
    return pairs.height


def rejected_pairs(snapshot: Snapshot, recipe: str) -> pl.DataFrame:
    """The pairs of ``recipe`` a reviewer rejected whose rejected record is unchanged in ``snapshot``."""
    empty = pl.DataFrame(schema={"left_id": pl.String, "right_id": pl.String})
    path = store_path(snapshot)
    if not path.exists():
        return empty
    stored = pl.read_parquet(path).filter(pl.col("recipe") == recipe)
    kept = []
    for part, group in stored.group_by("part"):
        name = str(part[0])
        if name not in snapshot.parts:
            continue
        id_column = "note_id" if name == "notes" else "_id"
        current = (
            pl.scan_parquet(snapshot.path / f"{name}.parquet")
            .filter(pl.col(id_column).is_in(group["left_id"].implode()))
            .select(pl.col(id_column).alias("left_id"), "_raw")
            .collect()
        )
        current = current.with_columns(current_fingerprint=fingerprints(current["_raw"]))
        unchanged = group.join(current, on="left_id").filter(
            pl.col("fingerprint").is_null() | (pl.col("fingerprint") == pl.col("current_fingerprint"))
        )
        kept.append(unchanged.select("left_id", "right_id"))
    return pl.concat(kept) if kept else empty

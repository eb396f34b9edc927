"""Remembered decisions, kept in ``decisions.parquet`` beside the snapshots.

A pair a reviewer rejected ("not a duplicate") is never proposed again, unless the rejected record has
changed since. Every decided pair that carries its pattern (a merge from a matching recipe) also teaches:
the next detection re-estimates its weights from the approvals and rejections (:mod:`.learning`).

>>> remember(ActionTable.read("reviewed.xlsx"), snapshot)  # doctest: +SKIP
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from ..actions import ActionTable, Decision
from ..actions.fingerprint import fingerprints
from ..export.snapshot import Snapshot
from ..files import private_file

STORE_NAME = "decisions.parquet"
STORE_SCHEMA = pl.Schema(
    {
        "recipe": pl.String(),
        "part": pl.String(),
        "left_id": pl.String(),
        "right_id": pl.String(),
        "fingerprint": pl.String(),
        "decided_at": pl.Datetime("us", "UTC"),
        "decision": pl.String(),  # approve or reject
        "pattern": pl.String(),  # the pair's levels as compared (JSON), for a matching recipe's pairs
    }
)


def store_path(snapshot: Snapshot) -> Path:
    """Where decisions about this snapshot's workspace are kept: beside the snapshot folder."""
    return snapshot.path.parent / STORE_NAME


def _part(action: pl.Expr, obj: pl.Expr) -> pl.Expr:
    return pl.when(action.str.ends_with("_note")).then(pl.lit("notes")).otherwise(pl.lit("records/") + obj)


def remember(table: ActionTable, snapshot: Snapshot) -> int:
    """Keep the decided pairs of ``table`` (target with survivor, or with its cluster): every rejection, and
    every approval that can teach (it carries its pattern). A later decision on a pair replaces an earlier
    one. Returns how many were kept."""
    decided = table.frame.with_columns(decision=table.effective_decisions())
    pattern = pl.col("payload").str.json_path_match("$.pattern")
    kept = decided.filter(
        (pl.col("decision") == Decision.REJECT.value)
        | ((pl.col("decision") == Decision.APPROVE.value) & pattern.is_not_null())
    )
    pairs = kept.select(
        "recipe",
        _part(pl.col("action"), pl.col("object")).alias("part"),
        pl.col("target_id").alias("left_id"),
        pl.coalesce("survivor_id", "cluster_id").alias("right_id"),
        "fingerprint",
        pl.lit(datetime.now(UTC)).cast(pl.Datetime("us", "UTC")).alias("decided_at"),
        "decision",
        pattern.alias("pattern"),
    ).filter(pl.col("left_id").is_not_null() & pl.col("right_id").is_not_null())
    if pairs.height == 0:
        return 0
    path = store_path(snapshot)
    merged = pl.concat([_stored(path), pairs]).unique(
        ["recipe", "left_id", "right_id"], keep="last", maintain_order=True
    )
    with private_file(path) as tmp:
        merged.write_parquet(tmp)
    return pairs.height


def _stored(path: Path) -> pl.DataFrame:
    """The store at ``path`` in today's schema (a store from before approvals were kept holds rejections)."""
    if not path.exists():
        return pl.DataFrame(schema=STORE_SCHEMA)
    stored = pl.read_parquet(path)
    if "decision" not in stored.columns:
        stored = stored.with_columns(decision=pl.lit(Decision.REJECT.value))
    if "pattern" not in stored.columns:
        stored = stored.with_columns(pattern=pl.lit(None, dtype=pl.String))
    return stored.select(STORE_SCHEMA.names()).cast(STORE_SCHEMA)


def decisions(snapshot: Snapshot, recipe: str) -> pl.DataFrame:
    """The decided pairs of ``recipe`` that can teach: ``pattern`` and ``duplicate`` (approved)."""
    return (
        _stored(store_path(snapshot))
        .filter((pl.col("recipe") == recipe) & pl.col("pattern").is_not_null())
        .select("pattern", duplicate=pl.col("decision") == Decision.APPROVE.value)
    )


def rejected_pairs(snapshot: Snapshot, recipe: str) -> pl.DataFrame:
    """The pairs of ``recipe`` a reviewer rejected whose rejected record is unchanged in ``snapshot``."""
    empty = pl.DataFrame(schema={"left_id": pl.String, "right_id": pl.String})
    path = store_path(snapshot)
    if not path.exists():
        return empty
    stored = _stored(path).filter(
        (pl.col("recipe") == recipe) & (pl.col("decision") == Decision.REJECT.value)
    )
    kept = []
    for part, group in stored.group_by("part"):
        name = str(part[0])
        if name not in snapshot.parts:
            continue
        id_column = "note_id" if name == "notes" else "_id"
        current = (
            pl.scan_parquet(snapshot.path / f"{name}.parquet", glob=False)
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

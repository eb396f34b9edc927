"""Orphan entries: list entries whose parent record no longer exists → ``delete_entry``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from cleanup.actions import ActionTable
from cleanup.actions.fingerprint import fingerprints
from cleanup.detect.recipe import Param, Recipe, list_slugs
from cleanup.export.snapshot import Snapshot

NAME = "orphan_entries"


def detect(snapshot: Snapshot, *, lists: tuple[str, ...] | None) -> ActionTable:
    tables = []
    for slug in list_slugs(snapshot, lists, NAME):
        parent = snapshot.schema.lists[slug].parent_object
        entries = snapshot.entries(slug).collect()
        records = snapshot.records(parent).select("_id").collect()
        orphans = entries.join(records, left_on="_parent_record_id", right_on="_id", how="anti")
        rows = orphans.select(
            recipe=pl.lit(NAME),
            action=pl.lit("delete_entry"),
            object=pl.col("_parent_object"),
            list=pl.lit(slug),
            target_id=pl.col("_id"),
            cluster_id=pl.col("_id"),
            reason=pl.format(
                "Its parent {} record {} no longer exists.",
                pl.col("_parent_object"),
                pl.col("_parent_record_id"),
            ),
            confidence=pl.lit(1.0),
            evidence=pl.format(
                "entry created {} in list {}; no {} record {} among the snapshot's {} records",
                pl.col("_created_at").dt.strftime("%Y-%m-%d"),
                pl.lit(slug),
                pl.col("_parent_object"),
                pl.col("_parent_record_id"),
                pl.lit(f"{records.height:,}"),
            ),
            fingerprint=fingerprints(orphans["_raw"]),
        )
        tables.append(ActionTable.build(rows))
    return ActionTable.concat(tables)


def _needs(snapshot: Snapshot, params: Mapping[str, Any]) -> Sequence[str]:
    slugs = list_slugs(snapshot, params.get("lists"), NAME)
    return [
        part
        for slug in slugs
        for part in (f"entries/{slug}", f"records/{snapshot.schema.lists[slug].parent_object}")
    ]


RECIPE = Recipe(
    name=NAME,
    description="List entries whose parent record no longer exists: delete them.",
    run=detect,
    params=(Param("lists", tuple, None, "comma-separated list slugs (default: every exported list)"),),
    needs=_needs,
)

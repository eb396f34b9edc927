"""Duplicate entries: one record entered twice in the same list. The oldest entry is kept; values only a
duplicate holds are carried over to it (``update_entry``) before the duplicates are deleted
(``delete_entry``), so nothing is lost. Values that conflict are named in the evidence, and the keeper's
value stays.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson
import polars as pl

from cleanup.actions import ActionTable
from cleanup.actions.fingerprint import fingerprints
from cleanup.detect.recipe import Param, Recipe, list_slugs
from cleanup.export.snapshot import Snapshot
from cleanup.values import AttributeType, encode_cell

NAME = "duplicate_entries"
KEY = "_parent_record_id"


def _empty(column: str, dtype: pl.DataType) -> pl.Expr:
    if isinstance(dtype, pl.List):
        return pl.col(column).is_null() | (pl.col(column).list.len() == 0)
    return pl.col(column).is_null()


def _list_duplicates(snapshot: Snapshot, slug: str) -> ActionTable:
    info = snapshot.schema.lists[slug]
    entries = snapshot.entries(slug).collect()
    attrs = [
        a for a in info.attributes if a.is_writable and a.slug in entries.columns and a.type != "interaction"
    ]
    dups = entries.filter(pl.len().over(KEY) > 1).sort(KEY, "_created_at", "_id")
    if dups.height == 0:
        return ActionTable.empty()
    groups = dups.group_by(KEY, maintain_order=True).agg(
        pl.col("_id").first().alias("keeper"),
        pl.col("_id").slice(1).alias("copies"),
        pl.col("_parent_object").first(),
        *(pl.col(a.slug).first().alias(f"{a.slug}__keeper") for a in attrs),
        *(
            pl.col(a.slug).filter(~_empty(a.slug, entries.schema[a.slug])).last().alias(f"{a.slug}__donor")
            for a in attrs
        ),
        *(
            pl.col(a.slug)
            .filter(~_empty(a.slug, entries.schema[a.slug]))
            .n_unique()
            .alias(f"{a.slug}__distinct")
            for a in attrs
        ),
    )
    deletions = groups.explode("copies").join(dups.select("_id", "_raw"), left_on="copies", right_on="_id")
    updates: list[dict[str, Any]] = []
    notes: dict[str, list[str]] = {}
    for row in groups.iter_rows(named=True):
        carried: dict[str, Any] = {}
        said: list[str] = []
        for attr in attrs:
            keeper, donor, distinct = (
                row[f"{attr.slug}__keeper"],
                row[f"{attr.slug}__donor"],
                row[f"{attr.slug}__distinct"],
            )
            keeper_empty = keeper is None or (isinstance(keeper, list) and not keeper)
            if keeper_empty and donor is not None:
                carried[attr.slug] = encode_cell(
                    AttributeType(attr.slug, attr.type, attr.is_multiselect), donor
                )
                said.append(f"{attr.slug} carried over")
            elif distinct > 1:
                said.append(f"{attr.slug} differs (the kept entry's value stays)")
        notes[row["keeper"]] = said
        if carried:
            updates.append(
                {
                    "keeper": row["keeper"],
                    "parent": row[KEY],
                    "object": row["_parent_object"],
                    "payload": carried,
                }
            )
    described = pl.DataFrame(
        {"keeper": list(notes), "_said": ["; ".join(v) or "no differing values" for v in notes.values()]}
    )
    conflicts = pl.DataFrame(
        {"keeper": list(notes), "_conflict": [any("differs" in s for s in v) for v in notes.values()]}
    )
    rows = (
        deletions.join(described, on="keeper")
        .join(conflicts, on="keeper")
        .select(
            recipe=pl.lit(NAME),
            action=pl.lit("delete_entry"),
            object=pl.col("_parent_object"),
            list=pl.lit(slug),
            target_id=pl.col("copies"),
            cluster_id=pl.col("keeper"),
            reason=pl.format(
                "The same {} record is in {} more than once; entry {} (the oldest) is kept.",
                pl.col("_parent_object"),
                pl.lit(slug),
                pl.col("keeper"),
            ),
            confidence=pl.when(pl.col("_conflict")).then(pl.lit(0.9)).otherwise(pl.lit(0.99)),
            evidence=pl.format("same parent record {}; {}", pl.col(KEY), pl.col("_said")),
            fingerprint=fingerprints(deletions["_raw"]),
        )
    )
    tables = [ActionTable.build(rows)]
    if updates:
        keepers = entries.filter(pl.col("_id").is_in([u["keeper"] for u in updates])).select("_id", "_raw")
        raw_by_id = dict(keepers.iter_rows())
        update_rows = pl.DataFrame(
            {
                "recipe": NAME,
                "action": "update_entry",
                "object": [u["object"] for u in updates],
                "list": slug,
                "target_id": [u["keeper"] for u in updates],
                "cluster_id": [u["keeper"] for u in updates],
                "payload": [orjson.dumps(u["payload"]).decode() for u in updates],
                "reason": "Values only its duplicate entries hold are carried over before they are deleted.",
                "confidence": 0.99,
                "evidence": [
                    f"same parent record {u['parent']}; carries {', '.join(u['payload'])}" for u in updates
                ],
                "fingerprint": fingerprints(
                    pl.Series([raw_by_id[u["keeper"]] for u in updates], dtype=pl.String)
                ),
            }
        )
        tables.append(ActionTable.build(update_rows))
    return ActionTable.concat(tables)


def detect(snapshot: Snapshot, *, lists: tuple[str, ...] | None) -> ActionTable:
    return ActionTable.concat(
        [_list_duplicates(snapshot, slug) for slug in list_slugs(snapshot, lists, NAME)]
    )


def _needs(snapshot: Snapshot, params: Mapping[str, Any]) -> Sequence[str]:
    return [f"entries/{slug}" for slug in list_slugs(snapshot, params.get("lists"), NAME)]


RECIPE = Recipe(
    name=NAME,
    description="A record entered twice in one list: keep the oldest entry, carry over values only the "
    "duplicates hold, delete the duplicates.",
    run=detect,
    params=(Param("lists", tuple, None, "comma-separated list slugs (default: every exported list)"),),
    needs=_needs,
)

"""From matches to action rows: fingerprints of the targets' state, and merge rows for clusters."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import orjson
import polars as pl

from .matching import Matches, Prefer, choose_survivors


def fingerprint(raw: str | None) -> str | None:
    """A stable digest of an item's JSON (keys sorted), for the executor's check that it did not change."""
    if raw is None:
        return None
    canonical = orjson.dumps(orjson.loads(raw), option=orjson.OPT_SORT_KEYS)
    return hashlib.blake2b(canonical, digest_size=12).hexdigest()


def fingerprints(raws: pl.Series) -> pl.Series:
    """:func:`fingerprint` of each value (run on action targets only, which are few)."""
    return pl.Series("fingerprint", [fingerprint(r) for r in raws.to_list()], dtype=pl.String)


def merge_rows(
    recipe: str,
    object_slug: str,
    matches: Matches,
    records: pl.DataFrame,
    rules: Sequence[Prefer],
    *,
    noun: str,
) -> pl.DataFrame:
    """One ``merge_records`` finding per non-survivor of each cluster.

    ``records`` holds ``_id``, ``_raw`` and the survivorship columns. Confidence is the linked pair's
    probability with the survivor when they were compared directly, else the weakest link of the cluster.
    """
    clusters = choose_survivors(matches.clusters, records, rules)
    if clusters.height == 0:
        return pl.DataFrame()
    links = matches.links.select(
        pl.min_horizontal("left_id", "right_id").alias("a"),
        pl.max_horizontal("left_id", "right_id").alias("b"),
        "probability",
        "evidence",
    )
    losers = clusters.filter(pl.col("id") != pl.col("survivor")).with_columns(
        a=pl.min_horizontal("id", "survivor"), b=pl.max_horizontal("id", "survivor")
    )
    weakest = (
        matches.links.join(clusters.select(pl.col("id").alias("left_id"), "cluster"), on="left_id")
        .group_by("cluster")
        .agg(
            weakest=pl.col("probability").min(),
            cluster_evidence=pl.col("evidence").sort_by("probability", descending=True).first(),
        )
    )
    size = clusters.group_by("cluster").agg(size=pl.len())
    rows = (
        losers.join(links, on=["a", "b"], how="left")
        .join(weakest, on="cluster", how="left")
        .join(size, on="cluster", how="left")
        .join(records.select(pl.col("_id").alias("id"), "_raw"), on="id", how="left")
    )
    rule_words = ", then ".join(rule.label for rule in rules) or "first by id"
    direct = pl.col("probability").is_not_null()
    return rows.select(
        recipe=pl.lit(recipe),
        action=pl.lit("merge_records"),
        object=pl.lit(object_slug),
        target_id=pl.col("id"),
        survivor_id=pl.col("survivor"),
        cluster_id=pl.col("cluster"),
        reason=pl.format(
            f"Likely the same {noun} as {{}} ({{}} records in the cluster; survivor chosen as {rule_words}).",
            pl.col("survivor"),
            pl.col("size"),
        ),
        confidence=pl.when(direct).then(pl.col("probability")).otherwise(pl.col("weakest")),
        evidence=pl.when(direct)
        .then(pl.col("evidence"))
        .otherwise(pl.lit("linked through another record of the cluster: ") + pl.col("cluster_evidence")),
        fingerprint=fingerprints(rows["_raw"]),
    )

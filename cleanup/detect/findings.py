"""From matches to action rows: merge rows for clusters, with the values a merge carries over."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson
import polars as pl

from ..actions import ActionTable
from ..actions.fingerprint import fingerprints
from ..export.snapshot import Snapshot
from ..values import AttributeType, encode_cell
from .matching import (
    MOST_ACTIVITY,
    MOST_COMPLETE,
    NEWEST,
    OLDEST,
    PREFERRED,
    Matches,
    MatchSpec,
    Prefer,
    choose_survivors,
    match,
)
from .recipe import Param, RecipeError


def merge_rows(
    recipe: str,
    object_slug: str,
    matches: Matches,
    records: pl.DataFrame,
    rules: Sequence[Prefer],
    *,
    noun: str,
    carry: Sequence[AttributeType] = (),
    names: Mapping[str, str] | None = None,
) -> pl.DataFrame:
    """One ``merge_records`` finding per non-survivor of each cluster (``names``: record id → its name, for
    the reason's words).

    ``records`` holds ``_id``, ``_raw``, the survivorship columns and the ``carry`` attributes. Confidence
    is the pair's probability with the survivor when they were compared directly (linked or not), else the
    weakest link of the cluster. The payload names the values to carry over (``{"carry": {slug: value}}``):
    what the loser holds and the survivor lacks (for multiselect attributes, the values it does not have);
    what counts against the match (``against``) and the pair's pattern (see :func:`_payloads`).
    """
    clusters = choose_survivors(matches.clusters, records, rules)
    if clusters.height == 0:
        return pl.DataFrame()
    # the loser and its survivor as compared, linked or not (a pair joined through a third record may have
    # been compared and found unlike: its own probability and evidence are what a reviewer should see)
    compared = matches.pairs.select(
        pl.min_horizontal("left_id", "right_id").alias("a"),
        pl.max_horizontal("left_id", "right_id").alias("b"),
        "probability",
        "evidence",
        "pattern",
        "against",
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
            cluster_against=pl.col("against")
            .list.explode(keep_nulls=False, empty_as_null=False)
            .unique()
            .sort(),
        )
    )
    size = clusters.group_by("cluster").agg(size=pl.len())
    rows = (
        losers.join(compared, on=["a", "b"], how="left")
        .join(weakest, on="cluster", how="left")
        .join(size, on="cluster", how="left")
        .join(records.select(pl.col("_id").alias("id"), "_raw"), on="id", how="left")
    )
    direct = pl.col("probability").is_not_null()
    rows = rows.with_columns(
        against=pl.when(direct & pl.col("against").is_not_null())
        .then(pl.col("against"))
        .otherwise(pl.col("cluster_against"))
    )
    rows = rows.with_columns(payload=_payloads(rows, records, carry))
    rule_words = ", then ".join(rule.label for rule in rules) or "first by id"
    return rows.select(
        recipe=pl.lit(recipe),
        action=pl.lit("merge_records"),
        object=pl.lit(object_slug),
        target_id=pl.col("id"),
        survivor_id=pl.col("survivor"),
        cluster_id=pl.col("cluster"),
        payload=pl.col("payload"),
        reason=pl.format(
            f"Likely the same {noun} as {{}} ({{}} records in all; the one kept is chosen as {rule_words}).",
            pl.col("survivor").replace(dict(names or {})),
            pl.col("size"),
        ),
        confidence=pl.when(direct).then(pl.col("probability")).otherwise(pl.col("weakest")),
        evidence=pl.when(direct & pl.col("evidence").is_not_null())
        .then(pl.col("evidence"))
        .otherwise(pl.lit("linked through another record of the cluster: ") + pl.col("cluster_evidence")),
        fingerprint=fingerprints(rows["_raw"]),
    )


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, list) and not value)


def _payloads(rows: pl.DataFrame, records: pl.DataFrame, carry: Sequence[AttributeType]) -> pl.Series:
    """Per merge row, the payload's JSON: ``carry``, the loser's values the survivor lacks; ``against``, what
    counts against the match (a merge with any is never approved in bulk); ``pattern``, the pair's levels
    as compared, for the reviewer's decision to teach the matching (:mod:`.learning`)."""
    carried = carried_values(rows, records, carry)
    out = []
    for values, against, pattern in zip(
        carried, rows["against"].to_list(), rows["pattern"].to_list(), strict=True
    ):
        payload: dict[str, Any] = {"carry": values}
        if against:
            payload["against"] = against
        if pattern is not None:
            payload["pattern"] = orjson.loads(pattern)
        out.append(orjson.dumps(payload, default=str).decode())
    return pl.Series("payload", out, dtype=pl.String)


def carried_values(
    rows: pl.DataFrame, records: pl.DataFrame, carry: Sequence[AttributeType]
) -> list[dict[str, Any]]:
    """Per merge row, the loser's values the survivor lacks, encoded for a write."""
    carry = [a for a in carry if a.slug in records.columns]
    if not carry or rows.height == 0:
        return [{} for _ in range(rows.height)]
    columns = [a.slug for a in carry]
    loser = rows.select("id").join(records.select(pl.col("_id").alias("id"), *columns), on="id", how="left")
    survivor = rows.select(pl.col("survivor").alias("id")).join(
        records.select(pl.col("_id").alias("id"), *columns), on="id", how="left"
    )
    out: list[dict[str, Any]] = []
    for theirs, ours in zip(
        loser.select(columns).iter_rows(), survivor.select(columns).iter_rows(), strict=True
    ):
        values: dict[str, Any] = {}
        for attr, lost, kept in zip(carry, theirs, ours, strict=True):
            if _empty(lost):
                continue
            if attr.is_multiselect:
                missing = [v for v in lost if v not in (kept or [])]
                if missing:
                    values[attr.slug] = encode_cell(attr, missing)
            elif _empty(kept):
                values[attr.slug] = encode_cell(attr, lost)
        out.append(values)
    return out


def carried_attributes(snapshot: Snapshot, object_slug: str) -> list[AttributeType]:
    """The attributes a merge may carry over: the writable ones (Attio computes interactions itself)."""
    info = snapshot.schema.objects[object_slug]
    return [a.value_type for a in info.attributes if a.is_writable and a.type != "interaction"]


SURVIVOR_RULES = {"activity": MOST_ACTIVITY, "complete": MOST_COMPLETE, "oldest": OLDEST, "newest": NEWEST}
DEFAULT_SURVIVOR = ("activity", "complete", "oldest")
SURVIVOR_PARAMS = (
    Param(
        "survivor",
        tuple,
        DEFAULT_SURVIVOR,
        "the order of survivorship rules, from: activity (most notes and entries), complete, oldest, newest",
    ),
    Param("prefer_created_by", str, None, "id of a member or API token whose records survive first"),
)


def survivor_rules(order: Sequence[str] | None, prefer_created_by: str | None) -> tuple[Prefer, ...]:
    """The survivorship rules a recipe's parameters ask for (an explicit author preference first)."""
    names = tuple(order or DEFAULT_SURVIVOR)
    unknown = [n for n in names if n not in SURVIVOR_RULES]
    if unknown:
        raise RecipeError(
            f"survivor: unknown rule(s) {', '.join(unknown)}; choose from {', '.join(SURVIVOR_RULES)}"
        )
    rules = tuple(SURVIVOR_RULES[n] for n in names)
    return (PREFERRED, *rules) if prefer_created_by else rules


def record_profile(
    snapshot: Snapshot, object_slug: str, records: pl.DataFrame, *, prefer_created_by: str | None = None
) -> pl.DataFrame:
    """``records`` with the survivorship columns: ``_completeness`` (writable attributes with a value),
    ``_activity`` (notes and list entries on the record) and ``_created_at``."""
    info = snapshot.schema.objects[object_slug]
    writable = [a.slug for a in info.attributes if a.is_writable and a.slug in records.columns]
    filled = [
        (pl.col(c).list.len() > 0) if isinstance(records.schema[c], pl.List) else pl.col(c).is_not_null()
        for c in writable
    ]
    counts = [pl.DataFrame(schema={"_id": pl.String, "n": pl.UInt32})]
    if "notes" in snapshot.parts:
        counts.append(
            snapshot.notes()
            .filter(pl.col("parent_object") == object_slug)
            .group_by(pl.col("parent_record_id").alias("_id"))
            .agg(n=pl.len())
            .collect()
        )
    for slug, lst in snapshot.schema.lists.items():
        if lst.parent_object == object_slug and f"entries/{slug}" in snapshot.parts:
            counts.append(
                snapshot.entries(slug)
                .group_by(pl.col("_parent_record_id").alias("_id"))
                .agg(n=pl.len())
                .collect()
            )
    activity = pl.concat(counts).group_by("_id").agg(_activity=pl.col("n").sum())
    preferred = (
        pl.col("created_by").struct.field("referenced_actor_id") == prefer_created_by
        if prefer_created_by and "created_by" in records.columns
        else pl.lit(False)
    )
    return (
        records.with_columns(
            _preferred=preferred.fill_null(False),
            _completeness=pl.sum_horizontal(*(f.cast(pl.UInt32) for f in filled)) if filled else pl.lit(0),
        )
        .join(activity, on="_id", how="left")
        .with_columns(pl.col("_activity").fill_null(0))
    )


MATCH_PARAMS = (
    Param("threshold", float, 0.9, "match probability (0..1) from which two records are linked"),
    Param("max_block", int, 50, "skip blocking keys shared by more records than this (e.g. a common name)"),
)


def merge_findings(
    snapshot: Snapshot,
    recipe: str,
    object_slug: str,
    prepared: pl.DataFrame,
    spec: MatchSpec,
    *,
    survivor: Sequence[str] | None,
    prefer_created_by: str | None,
    noun: str,
) -> ActionTable:
    """The action table of a duplicate-records recipe: match ``prepared`` (the object's records with the
    spec's normalised columns) with weights taught by earlier decisions, leave out rejected pairs, choose
    survivors, and propose the merges."""
    from .store import decisions, rejected_pairs

    matches = match(
        prepared,
        spec,
        id_column="_id",
        exclude=rejected_pairs(snapshot, recipe),
        decisions=decisions(snapshot, recipe),
    )
    rules = survivor_rules(survivor, prefer_created_by)
    profile = record_profile(snapshot, object_slug, prepared, prefer_created_by=prefer_created_by)
    from ..labels import Namer

    survivors = matches.clusters["id"].to_list()
    rows = merge_rows(
        recipe,
        object_slug,
        matches,
        profile,
        rules,
        carry=carried_attributes(snapshot, object_slug),
        noun=noun,
        names=Namer(snapshot).records(object_slug, survivors),
    )
    return ActionTable.build(rows) if rows.height else ActionTable.empty()

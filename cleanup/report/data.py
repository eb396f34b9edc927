"""What a sign-off report shows, computed from an action table and the snapshot it was detected on: the
summary, the requests and time at the rate limits, the chart series, and per recipe the findings with the
values a reviewer compares (each record of a duplicate cluster side by side)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from ..actions import Action, ActionTable
from ..execute.plan import CALLS, Rates
from ..export.snapshot import Snapshot

JSON = dict[str, Any]
NOTE_ACTIONS = (Action.DELETE_NOTE.value, Action.RECREATE_NOTE.value)
# Columns shown for records of a cluster, when the object has them (plus its unique attributes).
RECORD_FIELDS = (
    "name",
    "description",
    "job_title",
    "phone_numbers",
    "primary_location",
    "company",
    "linkedin",
)
SNIPPET = 240


@dataclass
class ReportData:
    """Everything the HTML and XLSX reports show."""

    title: str
    workspace: str
    snapshot: str
    totals: dict[str, int]
    by_recipe: list[tuple[str, str, str, int, int]]  # recipe, action, object or list, rows, approved
    calls: list[
        tuple[str, int, float, int, float]
    ]  # kind, requests (all), seconds, requests (approved), seconds
    confidence: list[tuple[str, int]]
    waves_by_month: list[tuple[str, int]] = field(default_factory=list)
    waves_by_token: list[tuple[str, int]] = field(default_factory=list)
    recipes: dict[str, JSON] = field(default_factory=dict)


def _calls(frame: pl.DataFrame, rates: Rates) -> dict[str, tuple[int, float]]:
    totals = {"read": 0, "write": 0, "merge": 0}
    for action, n in frame.group_by("action").len().rows():
        for kind, per in CALLS[Action(action)].items():
            totals[kind] += per * n
    rate = {"read": rates.read, "write": rates.write, "merge": rates.merge}
    return {kind: (n, n / rate[kind] if rate[kind] else 0.0) for kind, n in totals.items()}


def _as_text(frame: pl.LazyFrame, column: str) -> pl.Expr:
    dtype = frame.collect_schema()[column]
    expr = pl.col(column)
    if isinstance(dtype, pl.List):
        inner = dtype.inner
        if isinstance(inner, pl.Struct):
            names = [f.name for f in inner.fields]
            pick = next((n for n in ("title", "full_name", "target_record_id") if n in names), names[0])
            expr = expr.list.eval(pl.element().struct.field(pick).cast(pl.String))
        return expr.cast(pl.List(pl.String)).list.join(", ")
    if isinstance(dtype, pl.Struct):
        names = [f.name for f in dtype.fields]
        if "locality" in names:
            return pl.concat_str(
                [expr.struct.field(n) for n in ("locality", "region", "country_code")],
                separator=", ",
                ignore_nulls=True,
            )
        pick = next(
            (n for n in ("full_name", "title", "target_record_id", "currency_value") if n in names), names[0]
        )
        return expr.struct.field(pick).cast(pl.String)
    return expr.cast(pl.String)


def record_values(snapshot: Snapshot, object_slug: str, ids: list[str]) -> dict[str, JSON]:
    """The values a reviewer compares, per record id (text)."""
    part = f"records/{object_slug}"
    if part not in snapshot.parts or not ids:
        return {}
    info = snapshot.schema.objects[object_slug]
    lazy = snapshot.records(object_slug)
    names = lazy.collect_schema().names()
    uniques = [a.slug for a in info.attributes if a.is_unique and a.slug != "record_id"]
    fields = [c for c in dict.fromkeys(["name", *uniques, *RECORD_FIELDS]) if c in names]
    frame = (
        lazy.filter(pl.col("_id").is_in(ids))
        .select(
            "_id",
            pl.col("_created_at").cast(pl.String).alias("created"),
            *(_as_text(lazy, c).alias(c) for c in fields),
        )
        .collect()
    )
    by_slug = {a.slug: a for a in info.attributes}
    for column in fields:  # a reference shows the referenced record's name, not its id
        attr = by_slug[column]
        target = _referenced_object(snapshot, attr.config)
        if attr.type == "record-reference" and target and not attr.is_multiselect:
            named = _names(snapshot, target, frame[column].drop_nulls().to_list())
            frame = frame.with_columns(pl.col(column).replace(named))
    return {row.pop("_id"): row for row in frame.iter_rows(named=True)}


def _referenced_object(snapshot: Snapshot, config: JSON) -> str | None:
    allowed = (config.get("record_reference") or {}).get("allowed_object_ids") or []
    slugs = [slug for slug, info in snapshot.schema.objects.items() if info.id in allowed or slug in allowed]
    return slugs[0] if len(slugs) == 1 else None


def _names(snapshot: Snapshot, object_slug: str, ids: list[str]) -> dict[str, str]:
    part = f"records/{object_slug}"
    if part not in snapshot.parts or not ids:
        return {}
    lazy = snapshot.records(object_slug)
    if "name" not in lazy.collect_schema().names():
        return {}
    found = (
        lazy.filter(pl.col("_id").is_in(ids)).select("_id", _as_text(lazy, "name").alias("name")).collect()
    )
    return {record_id: name for record_id, name in found.rows() if name}


def note_values(snapshot: Snapshot, ids: list[str]) -> dict[str, JSON]:
    if "notes" not in snapshot.parts or not ids:
        return {}
    frame = (
        snapshot.notes()
        .filter(pl.col("note_id").is_in(ids))
        .select(
            "note_id",
            "title",
            "parent_object",
            "parent_record_id",
            pl.col("created_at").cast(pl.String),
            pl.col("created_by_actor_id").alias("created_by"),
            pl.col("content_plaintext").str.slice(0, SNIPPET).alias("content"),
        )
        .collect()
    )
    return {row.pop("note_id"): row for row in frame.iter_rows(named=True)}


def entry_values(snapshot: Snapshot, list_slug: str, ids: list[str]) -> dict[str, JSON]:
    part = f"entries/{list_slug}"
    if part not in snapshot.parts or not ids:
        return {}
    lazy = snapshot.entries(list_slug)
    names = [c for c in lazy.collect_schema().names() if not c.startswith("_")][:6]
    frame = (
        lazy.filter(pl.col("_id").is_in(ids))
        .select(
            "_id", pl.col("_parent_record_id").alias("parent"), *(_as_text(lazy, c).alias(c) for c in names)
        )
        .collect()
    )
    return {row.pop("_id"): row for row in frame.iter_rows(named=True)}


def build_report_data(
    table: ActionTable, snapshot: Snapshot, *, title: str = "Cleanup sign-off", rates: Rates | None = None
) -> ReportData:
    """The report's content for ``table`` (all rows, whatever their decision)."""
    rates = rates or Rates()
    frame = table.frame.with_columns(decision=table.effective_decisions())
    approved = frame.filter(pl.col("decision") == "approve")
    where = pl.coalesce("list", "object").fill_null("")
    by_recipe = (
        frame.with_columns(where=where)
        .group_by("recipe", "action", "where")
        .agg(rows=pl.len(), approved=(pl.col("decision") == "approve").sum())
        .sort("recipe", "action", "where")
    )
    all_calls, ok_calls = _calls(frame, rates), _calls(approved, rates)
    bins = (
        frame.select(
            (pl.col("confidence").fill_null(0).clip(0, 0.9999) * 10).floor().cast(pl.Int64).alias("bin")
        )
        .group_by("bin")
        .len()
    )
    counts = dict(bins.rows())
    confidence = [(f"{b / 10:.1f}–{(b + 1) / 10:.1f}", int(counts.get(b, 0))) for b in range(10)]
    data = ReportData(
        title=title,
        workspace=snapshot.schema.workspace_name,
        snapshot=str(snapshot.path),
        totals={
            "actions": frame.height,
            "approved": approved.height,
            "pending": frame.filter(pl.col("decision") == "pending").height,
            "rejected": frame.filter(pl.col("decision") == "reject").height,
            "recipes": frame["recipe"].n_unique(),
        },
        by_recipe=[tuple(r) for r in by_recipe.rows()],
        calls=[(k, all_calls[k][0], all_calls[k][1], ok_calls[k][0], ok_calls[k][1]) for k in all_calls],
        confidence=confidence,
    )
    _waves(data, frame, snapshot)
    for (recipe,), rows in frame.group_by("recipe", maintain_order=True):
        data.recipes[str(recipe)] = _recipe_section(rows, snapshot)
    return data


def _waves(data: ReportData, frame: pl.DataFrame, snapshot: Snapshot) -> None:
    """Duplicate notes by the month they were created and by the API token that created them."""
    ids = frame.filter(pl.col("action").is_in(NOTE_ACTIONS))["target_id"].drop_nulls()
    if ids.is_empty() or "notes" not in snapshot.parts:
        return
    notes = (
        snapshot.notes()
        .filter(pl.col("note_id").is_in(ids.implode()))
        .select(
            pl.col("created_at").dt.strftime("%Y-%m").alias("month"),
            pl.col("created_by_actor_id").alias("token"),
        )
        .collect()
    )
    data.waves_by_month = sorted(notes.group_by("month").len().rows())
    data.waves_by_token = sorted(notes.group_by("token").len().rows(), key=lambda r: -r[1])


def _recipe_section(rows: pl.DataFrame, snapshot: Snapshot) -> JSON:
    actions = set(rows["action"].to_list())
    kind = "clusters" if Action.MERGE_RECORDS.value in actions else "rows"
    values: dict[str, JSON] = {}
    for (object_slug,), group in rows.filter(
        pl.col("object").is_not_null() & ~pl.col("action").str.ends_with("_note")
    ).group_by("object"):
        ids = [*group["target_id"].drop_nulls().to_list(), *group["survivor_id"].drop_nulls().to_list()]
        values.update(record_values(snapshot, str(object_slug), ids))
    notes = rows.filter(pl.col("action").str.ends_with("_note"))["target_id"].drop_nulls().to_list()
    values.update(note_values(snapshot, notes))
    for (list_slug,), group in rows.filter(pl.col("list").is_not_null()).group_by("list"):
        values.update(entry_values(snapshot, str(list_slug), group["target_id"].drop_nulls().to_list()))
    shown = rows.select(
        "action_id",
        "action",
        pl.coalesce("list", "object").alias("where"),
        "target_id",
        "survivor_id",
        "cluster_id",
        pl.col("confidence").round(3),
        "reason",
        "evidence",
        "decision",
    )
    return {"kind": kind, "rows": shown.to_dicts(), "values": values, "count": rows.height}

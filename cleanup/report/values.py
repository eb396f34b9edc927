"""Attribute values as a reviewer reads them: text per record or list entry and attribute, with referenced
records and actors named, selects and statuses by title, dates like '4 Jun 2019', and no ids.

>>> record_values(snapshot, "people", ["0b73…"], namer)  # doctest: +SKIP
{'0b73…': {'name': 'Ann Lee', 'company': 'Hyporbix Media Co.', 'email_addresses': 'ann@hyporbix.com'}}
"""

from __future__ import annotations

from typing import Any

import polars as pl

from ..export.schema import AttributeInfo
from ..export.snapshot import Snapshot
from ..labels import DAY_FORMAT, Namer, when_expr

JSON = dict[str, Any]
HIDDEN_TYPES = ("interaction",)  # computed by Attio, never merged or lost
HIDDEN_SLUGS = ("record_id", "entry_id", "avatar_url", "logo_url", "created_at", "created_by")
MAX_TEXT = 300


def shown_attributes(attributes: list[AttributeInfo]) -> list[AttributeInfo]:
    """The attributes a reviewer compares: what a person wrote, not what Attio computes."""
    return [
        a
        for a in attributes
        if a.slug not in HIDDEN_SLUGS
        and a.type not in HIDDEN_TYPES
        and (a.is_writable or a.is_unique)
        and not a.slug.startswith("strongest_connection")
    ]


def thousands(expr: pl.Expr) -> pl.Expr:
    """An integer column as text with thousands separators ('2,522,476')."""
    digits = expr.abs().cast(pl.String).str.reverse().str.replace_all(r"(\d{3})", "${1},").str.reverse()
    return pl.when(expr < 0).then(pl.lit("-")).otherwise(pl.lit("")) + digits.str.strip_chars_start(",")


def _text(column: str, dtype: pl.DataType) -> tuple[pl.Expr, str | None]:
    """The column as text, and what its ids must be named by afterwards ('record', 'actor' or None)."""
    expr = pl.col(column)
    if isinstance(dtype, pl.List):
        inner = dtype.inner
        if isinstance(inner, pl.Struct):
            names = [f.name for f in inner.fields]
            if "target_record_id" in names:
                return expr.list.eval(pl.element().struct.field("target_record_id")), "record"
            pick = next((n for n in ("title", "full_name", "original_phone_number") if n in names), names[0])
            return expr.list.eval(pl.element().struct.field(pick).cast(pl.String)).list.join(", "), None
        return expr.cast(pl.List(pl.String)).list.join(", "), None
    if isinstance(dtype, pl.Struct):
        names = [f.name for f in dtype.fields]
        if "target_record_id" in names:
            return expr.struct.field("target_record_id"), "record"
        if "referenced_actor_id" in names:
            return expr.struct.field("referenced_actor_id"), "actor"
        if "locality" in names:
            parts = [expr.struct.field(n) for n in ("locality", "region", "country_code")]
            return pl.concat_str(parts, separator=", ", ignore_nulls=True), None
        if "currency_value" in names:
            value = thousands(expr.struct.field("currency_value").round(0).cast(pl.Int64))
            code = expr.struct.field("currency_code")
            return pl.concat_str([code, value], separator=" ", ignore_nulls=True), None
        pick = next((n for n in ("full_name", "title", "value") if n in names), names[0])
        return expr.struct.field(pick).cast(pl.String), None
    if isinstance(dtype, pl.Datetime):
        return when_expr(expr), None
    if isinstance(dtype, pl.Date):
        return expr.dt.strftime(DAY_FORMAT), None
    if dtype == pl.Boolean:
        return pl.when(expr).then(pl.lit("yes")).otherwise(pl.lit("no")), None
    return expr.cast(pl.String).str.slice(0, MAX_TEXT), None


def _texts(
    lazy: pl.LazyFrame, id_column: str, ids: list[str], columns: list[str]
) -> tuple[pl.DataFrame, JSON]:
    schema = lazy.collect_schema()
    exprs, naming = [], {}
    for column in columns:
        expr, kind = _text(column, schema[column])
        exprs.append(expr.alias(column))
        if kind:
            naming[column] = kind
    frame = lazy.filter(pl.col(id_column).is_in(ids)).select(id_column, *exprs).collect()
    return frame, naming


def _name_ids(
    frame: pl.DataFrame, naming: JSON, namer: Namer, targets: dict[str, str | None]
) -> pl.DataFrame:
    """Replace record and actor ids by names (each distinct id looked up once)."""
    for column, kind in naming.items():
        dtype = frame.schema[column]
        flat = frame[column].explode() if isinstance(dtype, pl.List) else frame[column]
        ids = flat.drop_nulls().unique()
        if kind == "actor":
            mapping = namer.actors(ids.to_list())
        else:
            mapping = _record_names(namer, targets.get(column), ids)
        if isinstance(dtype, pl.List):
            named = pl.col(column).list.eval(pl.element().replace(mapping)).list.join(", ")
        else:
            named = pl.col(column).replace(mapping)
        frame = frame.with_columns(named.alias(column))
    return frame


def _record_names(namer: Namer, target: str | None, ids: pl.Series) -> dict[str, str]:
    if ids.is_empty():
        return {}
    objects = [target] if target else list(namer.snapshot.schema.objects)
    mapping: dict[str, str] = {}
    for object_slug in objects:
        names = namer.name_frame(object_slug, ids).filter(pl.col("found"))
        mapping.update(dict(names.select("id", "name").iter_rows()))
    return mapping


def _target_object(namer: Namer, attr: AttributeInfo) -> str | None:
    allowed = (attr.config.get("record_reference") or {}).get("allowed_object_ids") or []
    slugs = [s for s, info in namer.snapshot.schema.objects.items() if info.id in allowed or s in allowed]
    return slugs[0] if len(slugs) == 1 else None


def _as_dicts(frame: pl.DataFrame, id_column: str) -> dict[str, JSON]:
    """``{id: {column: text}}`` without empty values (they are most of a record's cells)."""
    out: dict[str, JSON] = {}
    for row in frame.to_dicts():
        key = row.pop(id_column)
        out[key] = {k: v for k, v in row.items() if v not in (None, "")}
    return out


def record_values(
    snapshot: Snapshot, object_slug: str, ids: list[str], namer: Namer | None = None
) -> dict[str, JSON]:
    """The values a reviewer compares, per record id, as text (empty values left out)."""
    if f"records/{object_slug}" not in snapshot.parts or not ids:
        return {}
    attributes = snapshot.schema.objects[object_slug].attributes
    return _shown_values(snapshot.records(object_slug), attributes, ids, namer or Namer(snapshot))


def entry_values(
    snapshot: Snapshot, list_slug: str, ids: list[str], namer: Namer | None = None
) -> dict[str, JSON]:
    """An entry's list values as text per entry id, plus when it was added (``_added``)."""
    if f"entries/{list_slug}" not in snapshot.parts or not ids:
        return {}
    lazy = snapshot.entries(list_slug).with_columns(_added=pl.col("_created_at"))
    attributes = snapshot.schema.lists[list_slug].attributes
    return _shown_values(lazy, attributes, ids, namer or Namer(snapshot), extra=("_added",))


def _shown_values(
    lazy: pl.LazyFrame,
    attributes: list[AttributeInfo],
    ids: list[str],
    namer: Namer,
    extra: tuple[str, ...] = (),
) -> dict[str, JSON]:
    """Per id among ``ids``: the ``extra`` columns and the shown ``attributes`` that ``lazy`` holds, as text
    (referenced records by name, empty values left out)."""
    present = set(lazy.collect_schema().names())
    attrs = [a for a in shown_attributes(attributes) if a.slug in present]
    frame, naming = _texts(lazy, "_id", ids, [*extra, *(a.slug for a in attrs)])
    targets = {a.slug: _target_object(namer, a) for a in attrs}
    return _as_dicts(_name_ids(frame, naming, namer, targets), "_id")

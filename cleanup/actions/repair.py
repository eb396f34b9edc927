"""Repair scripts: any Polars frame → actions, which then go through the same plan, report, backup and
executor as a recipe's findings.

>>> from cleanup import actions
>>> companies = snapshot.records("companies").collect()                      # doctest: +SKIP
>>> fix = actions.update_records(
...     companies.filter(pl.col("description").str.contains("TODO")),
...     object="companies",
...     values={"description": pl.col("description").str.replace("TODO", "").str.strip_chars()},
...     reason="remove a TODO left by the import",
... )                                                                         # doctest: +SKIP
>>> Plan(fix.decide("approve"), snapshot).apply(client)                      # doctest: +SKIP

``values`` maps attribute slugs to a column name or a Polars expression (evaluated on the frame, so the fix
is vectorised); ``reason`` is a sentence or an expression. When the frame carries ``_raw`` (every snapshot
frame does), each row gets the target's fingerprint, so the executor skips a target that changed since.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from .fingerprint import fingerprints
from .schema import Action
from .table import ActionTable, ActionTableError

ValueSpec = str | pl.Expr


def _expr(spec: ValueSpec) -> pl.Expr:
    return pl.col(spec) if isinstance(spec, str) else spec


def _reason(reason: str | pl.Expr) -> pl.Expr:
    return pl.lit(reason) if isinstance(reason, str) else reason


def _require(frame: pl.DataFrame, column: str, what: str) -> None:
    if column not in frame.columns:
        raise ActionTableError(
            f"{what}: the frame has no column {column!r} (it has: {', '.join(frame.columns)}); pass id_col="
        )


def _table(
    frame: pl.DataFrame,
    *,
    action: Action,
    id_col: str | None,
    recipe: str,
    reason: str | pl.Expr,
    object: str | None = None,
    list_slug: str | None = None,
    payload: pl.Expr | None = None,
) -> ActionTable:
    if id_col is not None:
        _require(frame, id_col, action.value)
        if frame[id_col].null_count():
            raise ActionTableError(f"{action.value}: {frame[id_col].null_count()} rows have no {id_col}")
    columns = [
        pl.lit(recipe).alias("recipe"),
        pl.lit(action.value).alias("action"),
        pl.lit(object, dtype=pl.String).alias("object"),
        pl.lit(list_slug, dtype=pl.String).alias("list"),
        (pl.col(id_col).cast(pl.String) if id_col else pl.lit(None, dtype=pl.String)).alias("target_id"),
        (payload if payload is not None else pl.lit(None, dtype=pl.String)).alias("payload"),
        _reason(reason).cast(pl.String).alias("reason"),
        pl.lit(1.0).alias("confidence"),
    ]
    rows = frame.select(columns)
    if "_raw" in frame.columns and id_col is not None:
        rows = rows.with_columns(fingerprint=fingerprints(frame["_raw"]))
    return ActionTable.build(rows)


def _values_payload(values: Mapping[str, ValueSpec], key: str) -> pl.Expr:
    if not values:
        raise ActionTableError(
            "values is empty: name at least one attribute slug and its column or expression"
        )
    inner = pl.struct([_expr(spec).alias(slug) for slug, spec in values.items()])
    return pl.struct(inner.alias(key)).struct.json_encode()


def update_records(
    frame: pl.DataFrame,
    *,
    object: str,
    values: Mapping[str, ValueSpec],
    id_col: str = "_id",
    reason: str | pl.Expr = "a repair",
    recipe: str = "repair",
) -> ActionTable:
    """One ``update_record`` per row: the record ``id_col`` gets ``values`` (slug → column or expression)."""
    payload = _values_payload(values, "values")
    return _table(
        frame,
        action=Action.UPDATE_RECORD,
        id_col=id_col,
        recipe=recipe,
        reason=reason,
        object=object,
        payload=payload,
    )


def delete_records(
    frame: pl.DataFrame,
    *,
    object: str,
    id_col: str = "_id",
    reason: str | pl.Expr = "a repair",
    recipe: str = "repair",
) -> ActionTable:
    """One ``delete_record`` per row (its notes, entries and references are backed up first)."""
    return _table(
        frame, action=Action.DELETE_RECORD, id_col=id_col, recipe=recipe, reason=reason, object=object
    )


def delete_notes(
    frame: pl.DataFrame,
    *,
    id_col: str = "note_id",
    reason: str | pl.Expr = "a repair",
    recipe: str = "repair",
) -> ActionTable:
    """One ``delete_note`` per row."""
    return _table(frame, action=Action.DELETE_NOTE, id_col=id_col, recipe=recipe, reason=reason)


def delete_entries(
    frame: pl.DataFrame,
    *,
    list: str,
    id_col: str = "_id",
    reason: str | pl.Expr = "a repair",
    recipe: str = "repair",
) -> ActionTable:
    """One ``delete_entry`` per row of list ``list``."""
    return _table(
        frame, action=Action.DELETE_ENTRY, id_col=id_col, recipe=recipe, reason=reason, list_slug=list
    )


def update_entries(
    frame: pl.DataFrame,
    *,
    list: str,
    values: Mapping[str, ValueSpec],
    id_col: str = "_id",
    reason: str | pl.Expr = "a repair",
    recipe: str = "repair",
) -> ActionTable:
    """One ``update_entry`` per row: the entry gets ``values``."""
    payload = _values_payload(values, "entry_values")
    return _table(
        frame,
        action=Action.UPDATE_ENTRY,
        id_col=id_col,
        recipe=recipe,
        reason=reason,
        list_slug=list,
        payload=payload,
    )


def update_notes(
    frame: pl.DataFrame,
    *,
    title: ValueSpec | None = None,
    content: ValueSpec | None = None,
    id_col: str = "note_id",
    reason: str | pl.Expr = "a repair",
    recipe: str = "repair",
) -> ActionTable:
    """One ``update_note`` per row: the note gets a new title and/or Markdown content in place, keeping its
    id, record, date and author (Attio's note update; a server without it gets ``recreate_note`` instead,
    said in the plan). For a new date or parent use :func:`recreate_notes`."""
    if title is None and content is None:
        raise ActionTableError("update_notes: give title=, content= or both (a column name or an expression)")
    fields = []
    if title is not None:
        fields.append(_expr(title).alias("title"))
    if content is not None:
        fields += [pl.lit("markdown").alias("format"), _expr(content).alias("content")]
    payload = pl.struct(*fields).struct.json_encode()
    return _table(
        frame, action=Action.UPDATE_NOTE, id_col=id_col, recipe=recipe, reason=reason, payload=payload
    )


def recreate_notes(
    frame: pl.DataFrame,
    *,
    title: ValueSpec = "title",
    content: ValueSpec = "content_markdown",
    created_at: ValueSpec = "created_at",
    id_col: str = "note_id",
    reason: str | pl.Expr = "a repair",
    recipe: str = "repair",
) -> ActionTable:
    """One ``recreate_note`` per row: a new note with the wanted title, Markdown content and date on the same
    parent, then the old one deleted (a new id, the cleanup's token as author). For a new title or content
    alone, :func:`update_notes` keeps the note as it is."""
    for column in ("parent_object", "parent_record_id"):
        _require(frame, column, "recreate_notes")
    stamp = _expr(created_at)
    if frame.select(stamp).schema.dtypes()[0] != pl.String:
        stamp = stamp.dt.strftime("%Y-%m-%dT%H:%M:%S%.fZ")
    payload = pl.struct(
        pl.col("parent_object"),
        pl.col("parent_record_id"),
        _expr(title).alias("title"),
        pl.lit("markdown").alias("format"),
        _expr(content).alias("content"),
        stamp.alias("created_at"),
    ).struct.json_encode()
    return _table(
        frame, action=Action.RECREATE_NOTE, id_col=id_col, recipe=recipe, reason=reason, payload=payload
    )

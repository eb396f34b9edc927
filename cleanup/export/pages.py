"""Parsing API pages straight into Polars frames: Polars' JSON reader with a schema built from the
attributes (no per-record Python objects), then vectorised flattening. Each row keeps its raw JSON."""

from __future__ import annotations

import io
from collections.abc import Sequence

import polars as pl

from ..values import AttributeType, flatten_expr, value_list_dtype
from ..values.types import ACTOR, TS_FORMAT

RECORD_ID = pl.Struct({"workspace_id": pl.String, "object_id": pl.String, "record_id": pl.String})
ENTRY_ID = pl.Struct({"workspace_id": pl.String, "list_id": pl.String, "entry_id": pl.String})


def _ts(expr: pl.Expr) -> pl.Expr:
    return expr.str.to_datetime(TS_FORMAT, time_unit="ns", time_zone="UTC", strict=False)


def record_schema(attrs: Sequence[AttributeType]) -> pl.Struct:
    """The dtype of one record as the API sends it, for the given attributes."""
    values = pl.Struct({a.slug: value_list_dtype(a.type) for a in attrs})
    return pl.Struct({"id": RECORD_ID, "created_at": pl.String, "web_url": pl.String, "values": values})


def entry_schema(attrs: Sequence[AttributeType]) -> pl.Struct:
    """The dtype of one list entry as the API sends it."""
    values = pl.Struct({a.slug: value_list_dtype(a.type) for a in attrs})
    return pl.Struct(
        {
            "id": ENTRY_ID,
            "parent_record_id": pl.String,
            "parent_object": pl.String,
            "created_at": pl.String,
            "entry_values": values,
        }
    )


def parse_items(content: bytes, item: pl.Struct) -> pl.DataFrame:
    """The ``data`` array of a page as a one-column frame (``data``) of ``item`` structs.

    This is the expensive step (Polars' JSON reader, which releases the GIL); flattening is cheaper done
    once over many pages, with :func:`flatten_records` and friends.
    """
    frame = pl.read_json(io.BytesIO(content), schema={"data": pl.List(item)})
    return frame.select(pl.col("data").explode()).filter(pl.col("data").is_not_null())


def parse_records(content: bytes, attrs: Sequence[AttributeType]) -> pl.DataFrame:
    """A ``records/query`` page → ``_id, _created_at, _web_url, <one column per attribute>, _raw``."""
    return flatten_records(parse_items(content, record_schema(attrs)), attrs)


def flatten_records(items: pl.DataFrame, attrs: Sequence[AttributeType]) -> pl.DataFrame:
    """Parsed record structs (:func:`parse_items`) → the snapshot's record columns."""
    rec = pl.col("data")
    values = rec.struct.field("values")
    return items.select(
        rec.struct.field("id").struct.field("record_id").alias("_id"),
        _ts(rec.struct.field("created_at")).alias("_created_at"),
        rec.struct.field("web_url").alias("_web_url"),
        *(flatten_expr(values.struct.field(a.slug), a) for a in attrs),
        rec.struct.json_encode().alias("_raw"),
    )


def parse_entries(content: bytes, attrs: Sequence[AttributeType]) -> pl.DataFrame:
    """An ``entries/query`` page → ``_id, _parent_record_id, _parent_object, _created_at, <attributes>, _raw``."""
    return flatten_entries(parse_items(content, entry_schema(attrs)), attrs)


def flatten_entries(items: pl.DataFrame, attrs: Sequence[AttributeType]) -> pl.DataFrame:
    """Parsed entry structs (:func:`parse_items`) → the snapshot's entry columns."""
    ent = pl.col("data")
    values = ent.struct.field("entry_values")
    return items.select(
        ent.struct.field("id").struct.field("entry_id").alias("_id"),
        ent.struct.field("parent_record_id").alias("_parent_record_id"),
        ent.struct.field("parent_object").alias("_parent_object"),
        _ts(ent.struct.field("created_at")).alias("_created_at"),
        *(flatten_expr(values.struct.field(a.slug), a) for a in attrs),
        ent.struct.json_encode().alias("_raw"),
    )


NOTE = pl.Struct(
    {
        "id": pl.Struct({"workspace_id": pl.String, "note_id": pl.String}),
        "parent_object": pl.String,
        "parent_record_id": pl.String,
        "title": pl.String,
        "meeting_id": pl.String,
        "content_plaintext": pl.String,
        "content_markdown": pl.String,
        "tags": pl.List(
            pl.Struct(
                {
                    "type": pl.String,
                    "workspace_member_id": pl.String,
                    "object": pl.String,
                    "record_id": pl.String,
                }
            )
        ),
        "created_by_actor": ACTOR,
        "created_at": pl.String,
    }
)


def _authored(item: pl.Expr) -> list[pl.Expr]:
    """The columns every note and task ends with: who created it, when, and its raw JSON."""
    actor = item.struct.field("created_by_actor")
    return [
        actor.struct.field("type").alias("created_by_actor_type"),
        actor.struct.field("id").alias("created_by_actor_id"),
        _ts(item.struct.field("created_at")).alias("created_at"),
        item.struct.json_encode().alias("_raw"),
    ]


def parse_notes(content: bytes) -> pl.DataFrame:
    """A ``GET /v2/notes`` page → one row per note, with ``created_by_actor`` split into type and id."""
    return flatten_notes(parse_items(content, NOTE))


def flatten_notes(items: pl.DataFrame) -> pl.DataFrame:
    """Parsed note structs → the snapshot's note columns."""
    note = pl.col("data")
    field = note.struct.field
    return items.select(
        field("id").struct.field("note_id"),
        field("parent_object"),
        field("parent_record_id"),
        field("title"),
        field("content_plaintext"),
        field("content_markdown"),
        field("meeting_id"),
        field("tags"),
        *_authored(note),
    )


TASK = pl.Struct(
    {
        "id": pl.Struct({"workspace_id": pl.String, "task_id": pl.String}),
        "content_plaintext": pl.String,
        "deadline_at": pl.String,
        "is_completed": pl.Boolean,
        "completed_at": pl.String,
        "linked_records": pl.List(pl.Struct({"target_object_id": pl.String, "target_record_id": pl.String})),
        "assignees": pl.List(
            pl.Struct({"referenced_actor_type": pl.String, "referenced_actor_id": pl.String})
        ),
        "created_by_actor": ACTOR,
        "created_at": pl.String,
    }
)


def parse_tasks(content: bytes) -> pl.DataFrame:
    """A ``GET /v2/tasks`` page → one row per task."""
    return flatten_tasks(parse_items(content, TASK))


def flatten_tasks(items: pl.DataFrame) -> pl.DataFrame:
    """Parsed task structs → the snapshot's task columns."""
    task = pl.col("data")
    field = task.struct.field
    return items.select(
        field("id").struct.field("task_id"),
        field("content_plaintext"),
        _ts(field("deadline_at")).alias("deadline_at"),
        field("is_completed"),
        _ts(field("completed_at")).alias("completed_at"),
        field("linked_records"),
        field("assignees"),
        *_authored(task),
    )


MEMBER = pl.Struct(
    {
        "id": pl.Struct({"workspace_id": pl.String, "workspace_member_id": pl.String}),
        "first_name": pl.String,
        "last_name": pl.String,
        "avatar_url": pl.String,
        "email_address": pl.String,
        "access_level": pl.String,
        "created_at": pl.String,
    }
)


def parse_members(content: bytes) -> pl.DataFrame:
    """``GET /v2/workspace_members`` → one row per member."""
    return flatten_members(parse_items(content, MEMBER))


def flatten_members(items: pl.DataFrame) -> pl.DataFrame:
    """Parsed member structs → the snapshot's member columns."""
    member = pl.col("data")
    field = member.struct.field
    return items.select(
        field("id").struct.field("workspace_member_id"),
        field("first_name"),
        field("last_name"),
        field("email_address"),
        field("access_level"),
        field("avatar_url"),
        _ts(field("created_at")).alias("created_at"),
        member.struct.json_encode().alias("_raw"),
    )


__all__ = [
    "MEMBER",
    "NOTE",
    "TASK",
    "entry_schema",
    "flatten_entries",
    "flatten_members",
    "flatten_notes",
    "flatten_records",
    "flatten_tasks",
    "parse_entries",
    "parse_items",
    "parse_members",
    "parse_notes",
    "parse_records",
    "parse_tasks",
    "record_schema",
]

"""Parsing API pages straight into Polars frames: Polars' JSON reader with a schema built from the
attributes (no per-record Python objects), then vectorised flattening.

Each row keeps its raw JSON as the API sent it. A compact page is cut into its items without copying
(:mod:`.cut`: each row's ``_raw`` is a view of the page's bytes) and Polars decodes those rows. The cut is
checked against the decoded items (same count, each piece leading with its own id); a page in any other
layout, or a cut that does not match, is read whole and each item re-serialised, so the fast path never
decides what is stored, only how fast.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence

import orjson
import polars as pl

from ..values import AttributeType, flatten_expr, value_list_dtype
from ..values.types import ACTOR, TS_FORMAT
from .cut import raw_items

RECORD_ID = pl.Struct({"workspace_id": pl.String, "object_id": pl.String, "record_id": pl.String})
ENTRY_ID = pl.Struct({"workspace_id": pl.String, "list_id": pl.String, "entry_id": pl.String})


def _ts(expr: pl.Expr) -> pl.Expr:
    return expr.str.to_datetime(TS_FORMAT, time_unit="ns", time_zone="UTC", strict=False)


def record_schema(attrs: Sequence[AttributeType]) -> pl.Struct:
    """The parts of one record the flattened columns are made from (the rest is kept in ``_raw``)."""
    values = pl.Struct({a.slug: value_list_dtype(a.type, meta=False) for a in attrs})
    return pl.Struct({"id": RECORD_ID, "created_at": pl.String, "web_url": pl.String, "values": values})


def entry_schema(attrs: Sequence[AttributeType]) -> pl.Struct:
    """The parts of one list entry the flattened columns are made from (the rest is kept in ``_raw``)."""
    values = pl.Struct({a.slug: value_list_dtype(a.type, meta=False) for a in attrs})
    return pl.Struct(
        {
            "id": ENTRY_ID,
            "parent_record_id": pl.String,
            "parent_object": pl.String,
            "created_at": pl.String,
            "entry_values": values,
        }
    )


def _own_id(item: pl.Struct) -> tuple[str, pl.Expr]:
    """The innermost field of an item's id (record_id, entry_id, note_id, ...) and its parsed value."""
    id_type = next(f.dtype for f in item.fields if f.name == "id")
    assert isinstance(id_type, pl.Struct)
    name = id_type.fields[-1].name
    return name, pl.col("data").struct.field("id").struct.field(name)


def _leads_with_own_id(item: pl.Struct) -> pl.Expr:
    """Whether each piece holds ``"<id field>":"<its own id>"`` in its first object (before its first
    ``}``), as a piece cut at an item's start does (``{"id":{..., "record_id":"..."}``); a piece cut at an
    object of a list nested inside an item starts with that object instead (only a list element opening
    with a copy of the next item's id pair, in a page whose next item does not start with its id, could
    still pass). An item without an id is not checked."""
    name, value = _own_id(item)
    pair = pl.concat_str(pl.lit(f'"{name}":"'), value, pl.lit('"'))
    own, close = pl.col("_raw").str.find(pair, literal=True), pl.col("_raw").str.find("}", literal=True)
    return pl.when(value.is_null()).then(True).otherwise((own < close).fill_null(False))


@functools.lru_cache(maxsize=64)
def _no_items(item: pl.Struct) -> pl.DataFrame:
    """An empty page's frame (made once per item type: Polars takes a while to build a wide schema)."""
    return pl.DataFrame(schema={"data": item, "_raw": pl.String})


def _parse_compact(content: bytes, item: pl.Struct) -> pl.DataFrame | None:
    """A compact page cut into its items and decoded, or None when the cut does not match the items."""
    raw = raw_items(content)
    if raw is None:
        return None
    if not raw.len():
        return _no_items(item).clone()
    try:  # Polars decodes the rows as one array (they are the page's items joined by commas)
        data = raw.str.json_decode(item).rename("data")
    except pl.exceptions.PolarsError:
        return None
    if data.len() != raw.len() or data.null_count():
        return None
    items = pl.DataFrame([data, raw])
    return items if items.select(_leads_with_own_id(item).all()).item() else None


def _parse_any(content: bytes, item: pl.Struct) -> pl.DataFrame:
    """A page in any layout: read whole, each item's ``_raw`` re-serialised from the parsed JSON."""
    page = pl.read_json(io.BytesIO(content), schema={"data": pl.List(item)})
    data = page["data"][0] if page.height else pl.Series("data", [], dtype=item)
    items = data.rename("data").to_frame()
    if data.null_count():
        items = items.filter(pl.col("data").is_not_null())
    raws = [orjson.dumps(each).decode() for each in orjson.loads(content)["data"] if each is not None]
    return items.with_columns(_raw=pl.Series(raws, dtype=pl.String))


def parse_items(content: bytes, item: pl.Struct) -> pl.DataFrame:
    """The ``data`` array of a page as a frame of ``data`` (``item`` structs) and ``_raw`` (each item's JSON).

    This is the expensive step (Polars' JSON reader, which releases the GIL); flattening is cheaper done
    once over many pages, with :func:`flatten_records` and friends.
    """
    compact = _parse_compact(content, item)
    return compact if compact is not None else _parse_any(content, item)


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
        pl.col("_raw"),
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
        pl.col("_raw"),
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


def _columns(item: pl.Expr, name: str) -> list[pl.Expr]:
    """The snapshot's column(s) for one field of an item: ``*_at`` fields as timestamps, ``created_by_actor``
    split into ``created_by_actor_type`` and ``created_by_actor_id``, any other as it is."""
    value = item.struct.field(name)
    if name == "created_by_actor":
        return [
            value.struct.field("type").alias("created_by_actor_type"),
            value.struct.field("id").alias("created_by_actor_id"),
        ]
    return [_ts(value).alias(name)] if name.endswith("_at") else [value]


def _flatten(items: pl.DataFrame, id_key: str, fields: Sequence[str]) -> pl.DataFrame:
    """Parsed structs (:func:`parse_items`) → the item's id (``id_key``), the columns of ``fields`` in order,
    and ``_raw``."""
    item = pl.col("data")
    columns = [column for name in fields for column in _columns(item, name)]
    return items.select(item.struct.field("id").struct.field(id_key), *columns, pl.col("_raw"))


def parse_notes(content: bytes) -> pl.DataFrame:
    """A ``GET /v2/notes`` page → one row per note, with ``created_by_actor`` split into type and id."""
    return flatten_notes(parse_items(content, NOTE))


def flatten_notes(items: pl.DataFrame) -> pl.DataFrame:
    """Parsed note structs → the snapshot's note columns."""
    fields = "parent_object parent_record_id title content_plaintext content_markdown meeting_id tags"
    return _flatten(items, "note_id", [*fields.split(), "created_by_actor", "created_at"])


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
    fields = "content_plaintext deadline_at is_completed completed_at linked_records assignees"
    return _flatten(items, "task_id", [*fields.split(), "created_by_actor", "created_at"])


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
    fields = "first_name last_name email_address access_level avatar_url created_at"
    return _flatten(items, "workspace_member_id", fields.split())


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

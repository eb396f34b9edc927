"""What the executor needs to know of the workspace's shape, kept in the run folder (``schema.json``) so a
resumed run or a restore sees the schema the plan was made against."""

from __future__ import annotations

from typing import Any

import orjson

from ..export import pages
from ..export.schema import AttributeInfo, ListInfo, ObjectInfo
from ..values import AttributeType, encode_cell
from ..values.types import READ_ONLY_TYPES

# Attributes Attio fills itself: never written back.
SYSTEM_SLUGS = frozenset({"record_id", "created_at", "created_by"})


def writable(info: ObjectInfo | ListInfo) -> list[AttributeType]:
    """The attributes of an object or list that the API lets us write."""
    return [
        a.value_type
        for a in info.attributes
        if a.is_writable and a.type not in READ_ONLY_TYPES and a.slug not in SYSTEM_SLUGS
    ]


def history_writable(attr: AttributeInfo) -> bool:
    """Whether Attio lets the API write the attribute's value history: a writable attribute that is not
    one side of a relationship, nor enriched, computed or filled by Attio itself."""
    return (
        attr.is_writable
        and attr.relationship is None
        and attr.type not in READ_ONLY_TYPES
        and attr.slug not in SYSTEM_SLUGS
    )


def unique_slugs(info: ObjectInfo) -> set[str]:
    return {a.slug for a in info.attributes if a.is_unique}


def attribute_types(info: ObjectInfo | ListInfo) -> dict[str, AttributeInfo]:
    return {a.slug: a for a in info.attributes}


def write_payload(item: dict[str, Any], attrs: list[AttributeType], *, entry: bool = False) -> dict[str, Any]:
    """The write payload that puts back an item's current values (as read from the API), for ``attrs``;
    an attribute without a value becomes ``[]`` (cleared) so a PUT makes the item equal to ``item``."""
    page = orjson.dumps({"data": [item]})
    if entry:
        flat = pages.flatten_entries(pages.parse_items(page, pages.entry_schema(attrs)), attrs)
    else:
        flat = pages.flatten_records(pages.parse_items(page, pages.record_schema(attrs)), attrs)
    cells = flat.row(0, named=True)
    return {attr.slug: encode_cell(attr, cells[attr.slug]) for attr in attrs}


def non_empty(values: dict[str, Any]) -> dict[str, Any]:
    """A payload without its cleared attributes (what a create sends)."""
    return {slug: value for slug, value in values.items() if value not in (None, [], "")}


def filter_value(value: Any) -> Any:
    """A unique attribute's value (read or write shape, or a list of them) as the scalar a
    ``records/query`` filter takes: the first value's domain, email, phone number or plain value."""
    first = value[0] if isinstance(value, list) and value else value
    if isinstance(first, dict):
        return next(
            (first[k] for k in ("domain", "email_address", "phone_number", "value") if k in first), None
        )
    return first

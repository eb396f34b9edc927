"""Attio's 17 attribute types on the Polars side: the read shape of one value, the flattened dtype, the
expression that flattens a column of values, and the encoder that writes a cell back.

A record page parsed with :func:`value_list_dtype` gives, per attribute, a ``List(Struct)`` column of
Attio value objects; :func:`flatten_expr` turns it into the attribute's flattened column:

* single-value scalars stay scalars (``text`` → ``String``, ``number`` → ``Float64``, ``date`` → ``Date``,
  ``timestamp`` → ``Datetime(ns, UTC)``, ``domain``/``email-address``/``phone-number`` → their normalised
  string);
* multiselect attributes become ``List`` of the same;
* composites become ``Struct`` (personal-name, location, currency with its code, record-reference,
  actor-reference, interaction, and status/select as ``{id, title}``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import polars as pl

from ..errors import ValueEncodeError

JSON = dict[str, Any]
TIMESTAMP = pl.Datetime("ns", "UTC")
TS_FORMAT = "%Y-%m-%dT%H:%M:%S%.fZ"

ACTOR = pl.Struct({"type": pl.String, "id": pl.String})
COMMON: dict[str, pl.DataType] = {
    "active_from": pl.String(),
    "active_until": pl.String(),
    "created_by_actor": ACTOR,
    "attribute_type": pl.String(),
}
_ID_FIELDS = ("workspace_id", "object_id", "attribute_id")
OPTION = pl.Struct(
    {
        "id": pl.Struct(dict.fromkeys((*_ID_FIELDS, "option_id"), pl.String)),
        "title": pl.String,
        "is_archived": pl.Boolean,
    }
)
STATUS = pl.Struct(
    {
        "id": pl.Struct(dict.fromkeys((*_ID_FIELDS, "status_id"), pl.String)),
        "title": pl.String,
        "is_archived": pl.Boolean,
        "target_time_in_status": pl.String,
        "celebration_enabled": pl.Boolean,
    }
)
LOCATION_KEYS = (
    "line_1",
    "line_2",
    "line_3",
    "line_4",
    "locality",
    "region",
    "postcode",
    "country_code",
    "latitude",
    "longitude",
)
NAME_KEYS = ("first_name", "last_name", "full_name")

# The type-specific keys of one value object as Attio sends it.
READ_FIELDS: dict[str, dict[str, pl.DataType]] = {
    "text": {"value": pl.String()},
    "number": {"value": pl.Float64()},
    "checkbox": {"value": pl.Boolean()},
    "currency": {"currency_value": pl.Float64(), "currency_code": pl.String()},
    "date": {"value": pl.String()},
    "timestamp": {"value": pl.String()},
    "rating": {"value": pl.Int64()},
    "status": {"status": STATUS},
    "select": {"option": OPTION},
    "record-reference": {"target_object": pl.String(), "target_record_id": pl.String()},
    "actor-reference": {"referenced_actor_type": pl.String(), "referenced_actor_id": pl.String()},
    "location": {k: pl.String() for k in LOCATION_KEYS},
    "domain": {"domain": pl.String(), "root_domain": pl.String()},
    "email-address": {
        "original_email_address": pl.String(),
        "email_address": pl.String(),
        "email_domain": pl.String(),
        "email_root_domain": pl.String(),
        "email_local_specifier": pl.String(),
    },
    "phone-number": {
        "original_phone_number": pl.String(),
        "country_code": pl.String(),
        "phone_number": pl.String(),
    },
    "personal-name": {k: pl.String() for k in NAME_KEYS},
    "interaction": {"interaction_type": pl.String(), "interacted_at": pl.String(), "owner_actor": ACTOR},
}
ALL_TYPES = tuple(READ_FIELDS)
CHOICE = pl.Struct({"id": pl.String, "title": pl.String})

# The flattened dtype of one value.
FLAT_DTYPES: dict[str, pl.DataType] = {
    "text": pl.String(),
    "number": pl.Float64(),
    "checkbox": pl.Boolean(),
    "currency": pl.Struct({"currency_value": pl.Float64, "currency_code": pl.String}),
    "date": pl.Date(),
    "timestamp": TIMESTAMP,
    "rating": pl.Int64(),
    "status": CHOICE,
    "select": CHOICE,
    "record-reference": pl.Struct({"target_object": pl.String, "target_record_id": pl.String}),
    "actor-reference": pl.Struct({"referenced_actor_type": pl.String, "referenced_actor_id": pl.String}),
    "location": pl.Struct(dict.fromkeys(LOCATION_KEYS, pl.String)),
    "domain": pl.String(),
    "email-address": pl.String(),
    "phone-number": pl.String(),
    "personal-name": pl.Struct(dict.fromkeys(NAME_KEYS, pl.String)),
    "interaction": pl.Struct(
        {
            "interaction_type": pl.String,
            "interacted_at": TIMESTAMP,
            "owner_actor_type": pl.String,
            "owner_actor_id": pl.String,
        }
    ),
}
READ_ONLY_TYPES = frozenset({"interaction"})


@dataclass(frozen=True)
class AttributeType:
    """What the toolkit needs to know of one attribute to read and write it."""

    slug: str
    type: str
    is_multiselect: bool = False

    @property
    def dtype(self) -> pl.DataType:
        """The flattened column's dtype."""
        single = FLAT_DTYPES[self.type]
        return pl.List(single) if self.is_multiselect else single


def value_dtype(attr_type: str, *, meta: bool = True) -> pl.Struct:
    """The Polars dtype of one value object of ``attr_type`` as read from the API.

    ``meta=False`` leaves out what every value carries (``active_from``, ``active_until``,
    ``created_by_actor``, ``attribute_type``): flattening does not need it, and parsing is faster without.
    """
    return pl.Struct({**READ_FIELDS[attr_type], **(COMMON if meta else {})})


def value_list_dtype(attr_type: str, *, meta: bool = True) -> pl.List:
    """The dtype of an attribute's entry in ``values``: a list of value objects."""
    return pl.List(value_dtype(attr_type, meta=meta))


def _element(attr_type: str, v: pl.Expr) -> pl.Expr:
    """Flatten one value object (a Struct expression) to its flattened form."""
    field = v.struct.field
    match attr_type:
        case "date":
            return field("value").str.to_date("%Y-%m-%d", strict=False)
        case "timestamp":
            return field("value").str.to_datetime(TS_FORMAT, time_unit="ns", time_zone="UTC", strict=False)
        case "currency":
            return pl.struct(field("currency_value"), field("currency_code"))
        case "status":
            return pl.struct(
                field("status").struct.field("id").struct.field("status_id").alias("id"),
                field("status").struct.field("title"),
            )
        case "select":
            return pl.struct(
                field("option").struct.field("id").struct.field("option_id").alias("id"),
                field("option").struct.field("title"),
            )
        case "record-reference":
            return pl.struct(field("target_object"), field("target_record_id"))
        case "actor-reference":
            return pl.struct(field("referenced_actor_type"), field("referenced_actor_id"))
        case "location":
            return pl.struct(*(field(k) for k in LOCATION_KEYS))
        case "domain":
            return field("domain")
        case "email-address":
            return field("email_address")
        case "phone-number":
            return field("phone_number")
        case "personal-name":
            return pl.struct(*(field(k) for k in NAME_KEYS))
        case "interaction":
            return pl.struct(
                field("interaction_type"),
                field("interacted_at").str.to_datetime(
                    TS_FORMAT, time_unit="ns", time_zone="UTC", strict=False
                ),
                field("owner_actor").struct.field("type").alias("owner_actor_type"),
                field("owner_actor").struct.field("id").alias("owner_actor_id"),
            )
        case _:
            return field("value")


def flatten_expr(column: pl.Expr, attr: AttributeType) -> pl.Expr:
    """Flatten a ``List(value struct)`` column of ``attr`` into its flattened dtype (see the module doc)."""
    if attr.is_multiselect:
        return column.list.eval(_element(attr.type, pl.element())).cast(attr.dtype).alias(attr.slug)
    value = _element(attr.type, column.list.first())
    return pl.when(column.list.len() > 0).then(value).cast(attr.dtype).alias(attr.slug)


# ---------------------------------------------------------------------------------------------- encoding
class EncodeError(ValueEncodeError):
    """A cell cannot be written to an attribute: names the attribute, the value and what it takes."""


def _timestamp(value: Any, slug: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        moment = moment.astimezone(UTC)
        return f"{moment.year:04d}-" + moment.strftime("%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}000Z"
    raise EncodeError(f"{slug}: {value!r} is not a timestamp (give a datetime or an ISO-8601 string)")


def _encode_one(attr: AttributeType, value: Any) -> Any:
    slug, kind = attr.slug, attr.type
    match kind:
        case "text" | "domain" | "email-address" | "phone-number":
            if not isinstance(value, str):
                raise EncodeError(f"{slug}: {value!r} is not text")
            return value
        case "number":
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise EncodeError(f"{slug}: {value!r} is not a number")
            return value
        case "checkbox":
            if not isinstance(value, bool):
                raise EncodeError(f"{slug}: {value!r} is not true or false")
            return value
        case "rating":
            if isinstance(value, bool) or value not in range(6):
                raise EncodeError(f"{slug}: {value!r} is not a rating from 0 to 5")
            return int(value)
        case "date":
            if isinstance(value, datetime):
                value = value.date()
            if isinstance(value, date):
                return value.isoformat()
            if isinstance(value, str):
                return value
            raise EncodeError(f"{slug}: {value!r} is not a date")
        case "timestamp":
            return _timestamp(value, slug)
        case "currency":
            amount = value.get("currency_value") if isinstance(value, dict) else value
            if isinstance(amount, bool) or not isinstance(amount, int | float):
                raise EncodeError(f"{slug}: {value!r} is not an amount")
            return {"currency_value": amount}
        case "status" | "select":
            key = "status" if kind == "status" else "option"
            wanted = (value.get("id") or value.get("title")) if isinstance(value, dict) else value
            if not isinstance(wanted, str):
                raise EncodeError(f"{slug}: {value!r} is not a {kind} id or title")
            return {key: wanted}
        case "record-reference":
            if (
                not isinstance(value, dict)
                or not value.get("target_object")
                or not value.get("target_record_id")
            ):
                raise EncodeError(f"{slug}: {value!r} is not a {{target_object, target_record_id}} reference")
            return {"target_object": value["target_object"], "target_record_id": value["target_record_id"]}
        case "actor-reference":
            if isinstance(value, str):
                return (
                    value
                    if "@" in value
                    else {"referenced_actor_type": "workspace-member", "referenced_actor_id": value}
                )
            if (
                isinstance(value, dict)
                and value.get("referenced_actor_type", "workspace-member") == "workspace-member"
            ):
                return {
                    "referenced_actor_type": "workspace-member",
                    "referenced_actor_id": value["referenced_actor_id"],
                }
            raise EncodeError(f"{slug}: {value!r}: only workspace members can be written to actor references")
        case "location":
            if isinstance(value, str):
                return value
            if not isinstance(value, dict):
                raise EncodeError(f"{slug}: {value!r} is not a location")
            return {k: value.get(k) for k in LOCATION_KEYS}
        case "personal-name":
            if isinstance(value, str):
                return value
            if not isinstance(value, dict):
                raise EncodeError(f"{slug}: {value!r} is not a name")
            first, last = value.get("first_name") or "", value.get("last_name") or ""
            return {
                "first_name": first,
                "last_name": last,
                "full_name": value.get("full_name") or f"{first} {last}".strip(),
            }
        case "interaction":
            raise EncodeError(f"{slug}: interaction attributes are written by Attio and cannot be set")
    raise EncodeError(f"{slug}: unknown attribute type {kind!r}")


def encode_cell(attr: AttributeType, value: Any) -> Any:
    """The write payload for one flattened cell: a value, a list for multiselect, ``[]`` to clear.

    >>> encode_cell(AttributeType("tags", "select", True), [{"id": "o1", "title": "A"}])
    [{'option': 'o1'}]
    """
    if attr.type in READ_ONLY_TYPES:
        raise EncodeError(f"{attr.slug}: interaction attributes are written by Attio and cannot be set")
    if value is None:
        return []
    if attr.is_multiselect:
        if not isinstance(value, list | tuple):
            raise EncodeError(f"{attr.slug}: a multiselect attribute takes a list, got {value!r}")
        return [_encode_one(attr, v) for v in value]
    return _encode_one(attr, value)

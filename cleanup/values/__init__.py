"""Attribute types: flattened Polars dtypes, vectorised flattening, and encoding back to write payloads."""

from __future__ import annotations

from .types import (
    ALL_TYPES,
    FLAT_DTYPES,
    AttributeType,
    EncodeError,
    encode_cell,
    flatten_expr,
    value_dtype,
    value_list_dtype,
)

__all__ = [
    "ALL_TYPES",
    "FLAT_DTYPES",
    "AttributeType",
    "EncodeError",
    "encode_cell",
    "flatten_expr",
    "value_dtype",
    "value_list_dtype",
]

"""Exporters: the workspace through the API into a Parquet snapshot."""

from __future__ import annotations

from .exporter import ExportError, export, export_async
from .schema import AttributeInfo, ListInfo, ObjectInfo, WorkspaceSchema, fetch_schema
from .snapshot import Snapshot, SnapshotError

__all__ = [
    "AttributeInfo",
    "ExportError",
    "ListInfo",
    "ObjectInfo",
    "Snapshot",
    "SnapshotError",
    "WorkspaceSchema",
    "export",
    "export_async",
    "fetch_schema",
]

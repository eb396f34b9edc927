"""Exporters: the workspace through the API into a Parquet snapshot. The package is callable:
``cleanup.export(client, folder, **options)`` runs :func:`.exporter.export`."""

from __future__ import annotations

from ..modules import callable_package
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

callable_package(__name__, "cleanup.export.exporter", "export")  # cleanup.export(client, folder)

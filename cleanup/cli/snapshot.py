"""``export``: the workspace to a Parquet snapshot."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..export import export
from .common import (
    BaseUrlOption,
    UnattendedOption,
    attio_client,
    console,
    exits_on_error,
    split,
    stops_on_ctrl_c,
)


def export_command(
    out: Annotated[
        Path, typer.Option("--out", help="Snapshot folder (an interrupted export there resumes).")
    ],
    objects: Annotated[
        str | None, typer.Option(help="Only these objects, comma-separated (default: all).")
    ] = None,
    lists: Annotated[
        str | None, typer.Option(help="Only these lists, comma-separated (default: all).")
    ] = None,
    notes: Annotated[bool, typer.Option(help="Export notes.")] = True,
    tasks: Annotated[bool, typer.Option(help="Export tasks.")] = True,
    members: Annotated[bool, typer.Option(help="Export workspace members.")] = True,
    base_url: BaseUrlOption = None,
    unattended: UnattendedOption = False,
) -> None:
    """Export the workspace to a Parquet snapshot. The API key comes from ATTIO_API_KEY or the keyring.

    Example: attio-cleanup export --out snapshots/today --objects companies,people --no-tasks
    """
    stopped = f"stopped: the export resumes where it left off when run again into {out}"
    with exits_on_error(), stops_on_ctrl_c(stopped), attio_client(base_url, unattended) as client:
        snapshot = export(
            client, out, objects=split(objects), lists=split(lists), notes=notes, tasks=tasks, members=members
        )
    console.print(snapshot)

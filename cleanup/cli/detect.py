"""``detect`` and ``recipes list``: run a recipe over a snapshot for review; the recipes on offer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import SnapshotOption, console, exits_on_error, pairs, stops_on_ctrl_c

recipes_app = typer.Typer(help="The detection recipes.", no_args_is_help=True)
STOPPED = "stopped: nothing was sent to Attio; run the command again for the action table"


@recipes_app.command("list")
def recipes_list() -> None:
    """List the recipes (built-in and registered by entry point) with their parameters.

    Example: attio-cleanup recipes list
    """
    from ..detect.detection import recipe_catalogue  # detection (and its libraries): loaded when used

    console.print(recipe_catalogue())


def detect_command(
    recipe: Annotated[str, typer.Argument(help="Recipe name (see `attio-cleanup recipes list`).")],
    snapshot: SnapshotOption,
    out: Annotated[Path, typer.Option("--out", help="Action table to write: .parquet, .csv or .xlsx.")],
    param: Annotated[
        list[str] | None, typer.Option("--param", help="A recipe parameter as name=value (repeatable).")
    ] = None,
) -> None:
    """Run a recipe over a snapshot and write the action table for review. Nothing is sent to Attio.

    Example: attio-cleanup detect duplicate_notes --snapshot snapshots/today --param max_gap_days=30 --out notes.xlsx
    """
    if out.suffix.lower() not in (".parquet", ".csv", ".xlsx"):
        raise typer.BadParameter("write the action table as .parquet, .csv or .xlsx", param_hint="--out")
    params = dict(pairs(param, "write parameters as name=value", "--param"))
    with exits_on_error(), stops_on_ctrl_c(STOPPED):
        from ..detect.detection import detect_to_file
        from ..export.snapshot import Snapshot

        found = detect_to_file(Snapshot.load(snapshot, require_complete=False), recipe, out, **params)
    console.print(found)

"""``doctor``: a read-only preflight of the workspace, the API key and this machine."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import orjson
import typer

from ..doctor.local import DEFAULT_SNAPSHOTS
from ..doctor.needs import Job
from .common import BaseUrlOption, console, stops_on_ctrl_c


def doctor_command(
    for_: Annotated[
        list[Job] | None,
        typer.Option(
            "--for",
            help="Check only what these commands need (repeatable; default: all).",
            case_sensitive=False,
        ),
    ] = None,
    snapshots: Annotated[
        Path, typer.Option(help="Where to look for snapshots (two folders deep).")
    ] = DEFAULT_SNAPSHOTS,
    sizes: Annotated[
        bool, typer.Option(help="Count the records of each object and the entries of each list.")
    ] = True,
    json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON, for scripts.")] = False,
    base_url: BaseUrlOption = None,
) -> None:
    """Check, without writing anything, that the API key can do what each command needs (and which scope
    to add where if not), which of Attio's newer endpoints the server has, the rate limits met, the size
    of each object and list, the age of the newest snapshot and the runs folder.

    Exit codes: 0 ready, 2 no API key, a key Attio does not accept, or one lacking a scope a checked
    command needs, 3 no Attio API answered at the base URL.

    Example: attio-cleanup doctor --for export --for apply
    """
    with stops_on_ctrl_c("stopped: nothing was written"):
        from ..doctor import doctor  # the probes: loaded when used

        report = doctor(base_url, jobs=for_, snapshots=snapshots, sizes=sizes)
    if json:
        typer.echo(orjson.dumps(report.to_json(), option=orjson.OPT_INDENT_2).decode())
    else:
        console.print(report)
    raise typer.Exit(report.exit_code)

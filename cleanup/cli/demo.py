"""``demo``: the whole story on the built-in sandbox."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import console


def demo(
    out: Annotated[
        Path | None, typer.Option(help="Where the demo keeps everything (default: ./attio-demo).")
    ] = None,
    scale: Annotated[
        float, typer.Option(min=0.05, max=1.0, help="A smaller demo workspace (0.05 to 1).")
    ] = 1.0,
) -> None:
    """The whole story on the built-in sandbox: seed, export over the API, run every recipe, write the
    sign-off report, apply the high-confidence actions (backed up, journalled, verified), restore one
    deletion, and show what was found and fixed against the planted defects."""
    from ..demo import run_demo  # the demo serves a sandbox: only loaded for it

    run_demo(console, out, scale=scale)

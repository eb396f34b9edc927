"""Progress bars shared by the exporter and the executor: shown in a terminal and in Jupyter, silent
when output goes to a file or a pipe (unless asked for)."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)


def progress_bar(console: Console | None = None, enabled: bool | None = None) -> Progress:
    """A rich progress display; ``enabled=None`` shows it only in a terminal or a notebook."""
    console = console or Console(stderr=True)
    show = enabled if enabled is not None else (console.is_terminal or console.is_jupyter)
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        console=console,
        disable=not show,
        transient=False,
    )

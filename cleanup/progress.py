"""Progress bars shared by the exporter and the executor: shown in a terminal and in Jupyter, silent
when output goes to a file or a pipe (unless asked for).

In a notebook, rich's own live display needs ``ipywidgets`` (and warns without it); :class:`NotebookProgress`
shows the same columns as HTML that updates in place instead, through IPython's display handles.
"""

from __future__ import annotations

import io
import time
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

NOTEBOOK_REFRESH_SECONDS = 0.25  # a notebook's display is redrawn at most this often (and once at the end)
NOTEBOOK_WIDTH = 100  # characters a notebook's progress display is laid out in
# How the HTML a notebook shows is wrapped; rich fills in {code} (already escaped).
NOTEBOOK_HTML = (
    "<pre style=\"white-space:pre;overflow-x:auto;line-height:normal;font-family:Menlo,'DejaVu Sans Mono',"
    'consolas,monospace">{code}</pre>'
)


def _columns() -> tuple[ProgressColumn, ...]:
    return (
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
    )


def progress_bar(console: Console | None = None, enabled: bool | None = None) -> Progress:
    """A rich progress display; ``enabled=None`` shows it only in a terminal or a notebook (where it is a
    :class:`NotebookProgress`)."""
    console = console or Console(stderr=True)
    show = enabled if enabled is not None else (console.is_terminal or console.is_jupyter)
    if show and console.is_jupyter:
        return NotebookProgress(*_columns())
    return Progress(*_columns(), console=console, disable=not show, transient=False)


class NotebookProgress(Progress):
    """The progress columns drawn as HTML (and plain text) in one notebook output that updates in place,
    at most every :data:`NOTEBOOK_REFRESH_SECONDS`: no widget, so nothing to install and no warning.

    >>> with NotebookProgress(*_columns()) as bar:  # doctest: +SKIP
    ...     task = bar.add_task("notes", total=3, rate="")
    ...     bar.advance(task)
    """

    def __init__(
        self, *columns: str | ProgressColumn, min_interval: float = NOTEBOOK_REFRESH_SECONDS
    ) -> None:
        # rich's live display stays off (disable): this class draws the tasks itself
        super().__init__(*columns, disable=True, transient=False)
        self._min_interval = min_interval
        self._handle: Any = None  # IPython's DisplayHandle, once started
        self._drawn_at = 0.0

    def start(self) -> None:
        from IPython.display import display

        with self._lock:
            self._handle = display(self._bundle(), raw=True, display_id=True)  # type: ignore[no-untyped-call]
            self._drawn_at = time.monotonic()

    def stop(self) -> None:
        self._draw(force=True)

    def refresh(self) -> None:
        self._draw(force=True)

    def update(self, *args: Any, **kwargs: Any) -> None:
        super().update(*args, **kwargs)
        self._draw()

    def advance(self, task_id: TaskID, advance: float = 1) -> None:
        super().advance(task_id, advance)
        self._draw()

    def _draw(self, *, force: bool = False) -> None:
        with self._lock:
            if self._handle is None or (not force and time.monotonic() - self._drawn_at < self._min_interval):
                return
            self._handle.update(self._bundle(), raw=True)
            self._drawn_at = time.monotonic()

    def _bundle(self) -> dict[str, str]:
        """The tasks as ``text/plain`` and ``text/html`` (escaped by rich)."""
        canvas = Console(
            file=io.StringIO(), record=True, width=NOTEBOOK_WIDTH, force_terminal=True, force_jupyter=False
        )
        for renderable in self.get_renderables():
            canvas.print(renderable)
        text = canvas.export_text(clear=False).rstrip()
        shown = canvas.export_html(inline_styles=True, code_format=NOTEBOOK_HTML)
        return {"text/plain": text, "text/html": shown if text else "<pre></pre>"}

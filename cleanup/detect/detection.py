"""A recipe run for review: detect on a snapshot, write the action table, and say what was found (and what
the recipe noticed about its input); and the recipes on offer, with their parameters. The ``detect`` and
``recipes list`` commands print these; so does ``rich.print``.

>>> found = detect_to_file(snapshot, "duplicate_notes", "review/notes.xlsx", max_gap_days=30)  # doctest: +SKIP
>>> rich.print(found)  # doctest: +SKIP
>>> rich.print(recipe_catalogue())  # doctest: +SKIP
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console, ConsoleOptions, RenderResult
from rich.markup import escape

from ..actions import ActionTable
from ..actions.summary import summary_renderable
from ..export.snapshot import Snapshot
from .recipe import Recipe, available, detect


@dataclass(frozen=True)
class Detection:
    """A recipe's findings written for review: the table, where it was written, and what the recipe said of
    its input (e.g. a source that matched few notes)."""

    recipe: str
    table: ActionTable
    path: Path
    notices: list[str]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """The notices, the findings by recipe, action and decision with their confidence, and the file."""
        for notice in self.notices:
            yield f"[yellow]Note:[/yellow] {escape(notice)}"
        yield summary_renderable(self.table, title=f"{self.recipe}: {len(self.table):,} findings")
        yield (
            f"Action table written to [bold]{escape(str(self.path))}[/bold]; set `decision` to approve or "
            "reject and save."
        )


def detect_to_file(snapshot: Snapshot, recipe: str, out: str | Path, **params: Any) -> Detection:
    """Run ``recipe`` over ``snapshot`` with ``params`` and write its action table to ``out`` (.parquet,
    .csv or .xlsx); what the recipe warns of its input is kept as the detection's notices."""
    with warnings.catch_warnings(record=True) as noticed:
        warnings.simplefilter("always", UserWarning)
        table = detect(snapshot, recipe, **params)
    written = table.write(out)
    return Detection(recipe, table, written, [str(notice.message) for notice in noticed])


@dataclass(frozen=True)
class RecipeCatalogue:
    """The recipes on offer (built-in and registered by entry point), by name."""

    recipes: dict[str, Recipe]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """Each recipe with its description, then its parameters: type, default and help."""
        for recipe in self.recipes.values():
            yield f"[bold]{recipe.name}[/bold]: {recipe.description}"
            for p in recipe.params:
                kind = "list" if p.type is tuple else p.type.__name__
                yield f"    --param {p.name}=… ({kind}, default {p.default!r}): {p.help}"


def recipe_catalogue() -> RecipeCatalogue:
    """The recipes that :func:`~cleanup.detect.recipe.detect` can run."""
    return RecipeCatalogue(available())

"""A sandbox about to be served, as the ``sandbox serve`` command announces it: what the workspace holds,
where it listens, and the tokens to call it with.

>>> add_tokens(sandbox, ["reimport", "auditor:record_permission:read,note:read"])  # doctest: +SKIP
>>> rich.print(Serving(sandbox, 8787))  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, RenderResult
from rich.markup import escape
from rich.table import Table

from .server import Sandbox, parse_token_option


def add_tokens(sandbox: Sandbox, options: Iterable[str]) -> None:
    """Add a named token for each ``NAME[:scope,scope]`` (see :func:`parse_token_option`), unless the
    workspace has it already (a kept workspace has it from last time); raises ``ValueError`` for one that
    cannot be read."""
    for option in options:
        name, scopes = parse_token_option(option)
        if name not in sandbox.tokens:
            sandbox.add_token(name, scopes)


@dataclass(frozen=True)
class Serving:
    """A sandbox served on ``127.0.0.1:port``."""

    sandbox: Sandbox
    port: int

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """What the workspace holds, then the address and each token's secret."""
        table = Table(title="Sandbox workspace")
        table.add_column("what")
        table.add_column("count", justify="right")
        for key, value in self.sandbox.workspace.counts().items():
            table.add_row(key, f"{value:,}")
        yield table
        yield f"Serving on [bold]http://127.0.0.1:{self.port}[/bold] (Ctrl-C stops). Sandbox tokens:"
        for name, held in self.sandbox.tokens.items():
            yield escape(f"  {name:<18} {held.secret}")
        yield 'More tokens: --token NAME[:scopes], or POST /_sandbox/tokens {"name": ...} with any token above.'

"""What every command shares: the console, the one error printer (:func:`fail`), the exit codes, Ctrl-C,
the Attio client, and the options several commands take."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from .. import client as api  # looked up when a command runs (tests put a recording client in its place)
from ..client import endpoints
from ..client.errors import AuthenticationError, ConfigurationError, PermissionDeniedError, TransportError
from ..client.portal import EXIT_INTERRUPTED, brace_for_repeat
from ..errors import CleanupError

console = Console()
err_console = Console(stderr=True)

# Exit codes (a run's own, 0 and 3 to 5, are RunReport.exit_code's).
EXIT_FAILED = 1  # an error: the line printed says what and the fix
EXIT_CONFIGURATION = 2  # the API key, its permissions, or the options (as typer's usage errors)
STOPPED_RUN = "stopped: what was sent is journalled; `attio-cleanup resume {run}` finishes the run"


def fail(err: CleanupError | str, code: int = EXIT_FAILED) -> typer.Exit:
    """Print one clear line for an error (or a message) and return the exit to raise: 2 for configuration or
    authentication, else ``code``."""
    if isinstance(err, AuthenticationError):
        message = f"the API key was not accepted ({err.message}). Check ATTIO_API_KEY (or the keyring entry)."
    elif isinstance(err, PermissionDeniedError):
        message = f"the API key lacks a permission: {err.message}"
    elif isinstance(err, TransportError):
        message = f"could not get an answer from {endpoints.server_of(err.url)}: {err}. Check ATTIO_BASE_URL and the network."
    else:
        message = str(err)
    console.print(f"[bold red]error:[/bold red] {escape(message)}")
    configuration = isinstance(err, AuthenticationError | ConfigurationError | PermissionDeniedError)
    return typer.Exit(EXIT_CONFIGURATION if configuration else code)


@contextlib.contextmanager
def exits_on_error() -> Iterator[None]:
    """A :class:`~cleanup.errors.CleanupError` ends the command with its line (see :func:`fail`)."""
    try:
        yield
    except CleanupError as err:
        raise fail(err) from None


@contextlib.contextmanager
def stops_on_ctrl_c(message: str) -> Iterator[None]:
    """Ctrl-C ends the command with exit code 130 and one line saying how to go on (the work itself has
    already unwound: see :mod:`cleanup.client.portal`); a second Ctrl-C meanwhile ends it at once."""
    try:
        yield
    except KeyboardInterrupt:
        brace_for_repeat()
        err_console.print(f"\n{message}", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None


@contextlib.contextmanager
def stopped_at_once(message: str) -> Iterator[None]:
    """For work that handles the first Ctrl-C itself (a restore stops after the current action): the
    ``KeyboardInterrupt`` of a second one ends the command with exit code 130 and ``message``."""
    try:
        yield
    except KeyboardInterrupt:
        console.print(message)
        raise typer.Exit(EXIT_INTERRUPTED) from None


@contextlib.contextmanager
def bad_parameter(option: str) -> Iterator[None]:
    """A ``ValueError`` reading ``option`` is a usage error naming it (exit code 2)."""
    try:
        yield
    except ValueError as err:
        raise typer.BadParameter(str(err), param_hint=option) from None


def attio_client(base_url: str | None = None, unattended: bool = False) -> api.AttioClient:
    """The Attio client; ``unattended`` retries spurious 401s (for cron jobs)."""
    return api.AttioClient(base_url=base_url, policy="unattended" if unattended else "interactive")


def split(value: str | None) -> list[str] | None:
    """``"a, b"`` → ``["a", "b"]``; None for none."""
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def pairs(values: list[str] | None, message: str, option: str) -> list[tuple[str, str]]:
    """``KEY=VALUE`` options as (key, value), in order; a value without ``=`` or a key is a usage error
    (``message``: how to write it)."""
    out = []
    for value in values or []:
        key, equals, rest = value.partition("=")
        if not equals or not key.strip():
            raise typer.BadParameter(f"{value!r}: {message}", param_hint=option)
        out.append((key.strip(), rest))
    return out


class MergeChoice(StrEnum):
    """How a run merges records (``--merge``)."""

    auto = "auto"  # Attio's merge endpoint where the workspace offers it, else by hand
    native = "native"  # Attio's merge endpoint only
    fallback = "fallback"  # by hand: what the record holds moves to the survivor, then it is deleted


BaseUrlOption = Annotated[str | None, typer.Option(help="API base URL (default: ATTIO_BASE_URL or Attio).")]
UnattendedOption = Annotated[bool, typer.Option(help="Retry spurious 401s (for cron jobs).")]
MergeOption = Annotated[
    MergeChoice,
    typer.Option(help="Merge with Attio's endpoint (native), by hand (fallback), or native where offered."),
]
ConcurrencyOption = Annotated[
    int, typer.Option(min=1, help="Requests in flight at once (the rate limits still apply).")
]
SnapshotOption = Annotated[Path, typer.Option("--snapshot", help="Snapshot folder to read.")]
DetectedOnOption = Annotated[Path, typer.Option("--snapshot", help="The snapshot the table was detected on.")]
MaxDeletesOption = Annotated[
    int, typer.Option(help="Refuse a plan that deletes or merges away more items than this.")
]
ReviewedArgument = Annotated[
    Path, typer.Argument(help="The reviewed action table (.parquet, .csv or .xlsx).")
]

"""The ``attio-cleanup`` command line: each command is a thin wrapper over one public function."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(
    help="Clean up and migrate data in the Attio CRM: export, detect, review, execute, restore.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
sandbox_app = typer.Typer(help="A local Attio-compatible API server to rehearse on.", no_args_is_help=True)
app.add_typer(sandbox_app, name="sandbox")
console = Console()


@sandbox_app.command("serve")
def sandbox_serve(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8787,
    seed: Annotated[str, typer.Option(help="demo or empty.")] = "demo",
    scale: Annotated[float, typer.Option(help="Multiply the demo seed's size.")] = 1.0,
    db: Annotated[
        Path | None, typer.Option(help="SQLite file to keep the workspace in (reused if it exists).")
    ] = None,
    latency_ms: Annotated[float, typer.Option(help="Added latency per request.")] = 0.0,
    read_rps: Annotated[int, typer.Option(help="Reads per second per token (0: unlimited).")] = 100,
    write_rps: Annotated[int, typer.Option(help="Writes per second per token (0: unlimited).")] = 25,
    fault: Annotated[
        list[str] | None,
        typer.Option(
            help="Faults, e.g. 5xx=0.05, 401=0.01, drop=0.02, drop-after=0.02, slow=0.01:1500, seed=7."
        ),
    ] = None,
    merge_endpoint: Annotated[bool, typer.Option(help="Offer the native records/merge endpoint.")] = True,
    merge_delay_ms: Annotated[
        float, typer.Option(help="How long a native merge stays in progress (202).")
    ] = 0.0,
) -> None:
    """Serve a sandbox workspace until Ctrl-C.

    Example: attio-cleanup sandbox serve --seed demo --port 8787 --fault 5xx=0.02
    """
    from .sandbox import SandboxConfig, build_sandbox, serve_forever
    from .sandbox.server import parse_faults

    try:
        faults = parse_faults(fault or [], latency_ms)
    except ValueError as err:
        raise typer.BadParameter(str(err), param_hint="--fault") from None
    config = SandboxConfig(
        read_rps=read_rps,
        write_rps=write_rps,
        merge_endpoint=merge_endpoint,
        merge_delay_ms=merge_delay_ms,
        faults=faults,
    )
    try:
        sandbox = build_sandbox(seed, scale=scale, db=db, config=config)
    except ValueError as err:
        raise typer.BadParameter(str(err), param_hint="--seed") from None
    _print_holdings(sandbox.workspace.counts())
    console.print(f"Serving on [bold]http://127.0.0.1:{port}[/bold] (Ctrl-C stops). Sandbox tokens:")
    for name, token in sandbox.tokens.items():
        console.print(f"  {name:<18} {token.secret}")
    serve_forever(sandbox, port)


def _print_holdings(counts: dict[str, int]) -> None:
    table = Table(title="Sandbox workspace")
    table.add_column("what")
    table.add_column("count", justify="right")
    for key, value in counts.items():
        table.add_row(key, f"{value:,}")
    console.print(table)


@app.command()
def demo() -> None:
    """Run the demo on the built-in sandbox: seed it and read back, over HTTP, what it holds."""
    from .demo import run_demo

    run_demo(console)


def main() -> None:  # pragma: no cover - console entry point
    app()

"""``sandbox serve``: a local Attio-compatible API server to rehearse on."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .common import bad_parameter, console

if TYPE_CHECKING:
    from ..sandbox import SandboxConfig

sandbox_app = typer.Typer(help="A local Attio-compatible API server to rehearse on.", no_args_is_help=True)


@sandbox_app.command("serve")
def sandbox_serve(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8787,
    seed: Annotated[
        str, typer.Option(help="demo, empty, or a snapshot folder (a copy of your workspace).")
    ] = "demo",
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
    setting: Annotated[
        list[str] | None,
        typer.Option(
            help="Attio's newer limits and lacks, e.g. query-score-budget=500, query-score-limit=50, "
            "query-score-window=10, absent=note_update,history_write; repeatable."
        ),
    ] = None,
    token: Annotated[
        list[str] | None,
        typer.Option(
            help="Add a named API token, NAME or NAME:scope,scope (e.g. reimport or "
            "auditor:record_permission:read,note:read); repeatable."
        ),
    ] = None,
) -> None:
    """Serve a sandbox workspace until Ctrl-C.

    Example: attio-cleanup sandbox serve --seed empty --token first-import --token reimport
    """
    from ..sandbox import build_sandbox, serve_forever  # the sandbox (uvicorn, the seeds): only loaded here
    from ..sandbox.serving import Serving, add_tokens

    config = _config(fault or [], latency_ms, read_rps, write_rps, merge_endpoint, merge_delay_ms)
    with bad_parameter("--setting"):
        config.apply_settings(setting or [])
    with bad_parameter("--seed"):
        sandbox = build_sandbox(seed, scale=scale, db=db, config=config)
    with bad_parameter("--token"):
        add_tokens(sandbox, token or [])
    console.print(Serving(sandbox, port))
    serve_forever(sandbox, port)


def _config(
    faults: list[str],
    latency_ms: float,
    read_rps: int,
    write_rps: int,
    merge_endpoint: bool,
    merge_delay_ms: float,
) -> SandboxConfig:
    """The sandbox's settings from the options (a ``--fault`` it cannot read is a usage error)."""
    from ..sandbox import SandboxConfig
    from ..sandbox.server import parse_faults

    with bad_parameter("--fault"):
        parsed = parse_faults(faults, latency_ms)
    return SandboxConfig(
        read_rps=read_rps,
        write_rps=write_rps,
        merge_endpoint=merge_endpoint,
        merge_delay_ms=merge_delay_ms,
        faults=parsed,
    )

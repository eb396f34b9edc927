"""Helpers for benchmarks: a sandbox served by its own process (pinned to one core), as users run it."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from cleanup.sandbox import build_sandbox
from cleanup.sandbox.server import free_socket


@contextlib.contextmanager
def sandbox_process(
    db: Path,
    *extra: str,
    seed: str = "demo",
    scale: float = 1.0,
    note_scale: float | None = None,
    core: int | None = 0,
) -> Iterator[tuple[str, dict[str, str]]]:
    """Seed ``db`` (once), serve it from a subprocess pinned to ``core``; yields (base URL, token secrets)."""
    sandbox = build_sandbox(seed, scale=scale, db=db, note_scale=note_scale)
    tokens = {name: t.secret for name, t in sandbox.tokens.items()}
    sandbox.workspace.store.close()
    del sandbox
    sock = free_socket()
    port = sock.getsockname()[1]
    sock.close()
    command = [
        sys.executable,
        "-m",
        "cleanup",
        "sandbox",
        "serve",
        "--db",
        str(db),
        "--port",
        str(port),
        *extra,
    ]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if core is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(proc.pid, {core})
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        while True:
            try:
                httpx.get(f"{base_url}/v2/self", timeout=1)
                break
            except httpx.TransportError:
                if time.time() > deadline or proc.poll() is not None:
                    raise RuntimeError("the sandbox process did not start") from None
                time.sleep(0.2)
        yield base_url, tokens
    finally:
        proc.terminate()
        proc.wait(timeout=30)

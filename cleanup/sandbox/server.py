"""Building a sandbox workspace (from a seed or a database file) and serving it with uvicorn on loopback."""

from __future__ import annotations

import contextlib
import secrets
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from .app import SandboxApp
from .clock import IdFactory, now_ts
from .config import Faults, SandboxConfig
from .model import READ_ONLY_SCOPES, Member, Token
from .seed.demo import seed_demo
from .seed.ground_truth import GroundTruth
from .store import Store
from .workspace import Workspace

HOST = "127.0.0.1"


@dataclass
class Sandbox:
    """A workspace ready to serve: the app, its tokens (name → secret) and, for the demo seed, the ground truth."""

    app: SandboxApp
    tokens: dict[str, Token]
    ground_truth: GroundTruth | None = None

    @property
    def workspace(self) -> Workspace:
        return self.app.ws

    @property
    def config(self) -> SandboxConfig:
        return self.app.config

    def secret(self, name: str = "primary") -> str:
        return self.tokens[name].secret

    def add_token(self, name: str, scopes: Sequence[str] | None = None) -> Token:
        """A new named API token (e.g. a second import key to rehearse a re-import), kept in the workspace."""
        token = self.workspace.create_token(name, scopes)
        self.tokens[name] = token
        return token


def parse_token_option(value: str) -> tuple[str, tuple[str, ...] | None]:
    """``NAME[:scope,scope]`` (``--token reimport:note:read-write,record_permission:read``) as name and
    scopes (None: the standard read-write scopes)."""
    name, _, scopes = value.partition(":")
    if not name.strip():
        raise ValueError(f"{value!r}: a token needs a name, e.g. reimport or reimport:note:read-write")
    listed = tuple(s.strip() for s in scopes.split(",") if s.strip())
    return name.strip(), listed or None


def _seed_empty(ws: Workspace) -> dict[str, Token]:
    ids = IdFactory("empty")
    ws.make_id = ids
    ws.initialise("Sandbox", "sandbox", workspace_id=ids("workspace"))
    admin = Member(ids("member"), "Sandbox", "Admin", "admin@sandbox.test", "admin", now_ts())
    ws.add_member(admin)
    tokens = {
        "primary": Token(ids("token"), secrets.token_hex(32), "primary", member_id=admin.id),
        "readonly": Token(ids("token"), secrets.token_hex(32), "readonly", READ_ONLY_SCOPES, admin.id),
    }
    for token in tokens.values():
        ws.add_token(token)
    ws.commit()
    return tokens


def truth_dir(db: str | Path) -> Path:
    """Where the ground truth of a database file lives: ``<db>.truth/`` beside it."""
    return Path(f"{db}.truth")


def build_sandbox(
    seed: str = "demo",
    *,
    scale: float = 1.0,
    db: str | Path | None = None,
    config: SandboxConfig | None = None,
    seed_number: int = 42,
    note_scale: float | None = None,
) -> Sandbox:
    """Make a sandbox: load ``db`` if it already holds a workspace, else seed it (``demo``, ``empty``, or a
    Snapshot folder path)."""
    store = Store(db or ":memory:")
    ws = Workspace(store)
    truth: GroundTruth | None = None
    if db is not None and ws.load():
        tokens = {t.name: t for t in ws.tokens.values()}
        if truth_dir(db).exists():
            truth = GroundTruth.read(truth_dir(db))
    elif seed == "demo":
        result = seed_demo(ws, scale=scale, seed=seed_number, note_scale=note_scale)
        tokens, truth = result.tokens, result.ground_truth
        if db is not None:
            truth.write(truth_dir(db))
    elif seed == "empty":
        tokens = _seed_empty(ws)
    elif (Path(seed) / "manifest.json").exists():
        from .seed.snapshot import seed_from_snapshot

        tokens = seed_from_snapshot(ws, Path(seed))
    else:
        raise ValueError(f"unknown seed {seed!r}: use 'demo', 'empty' or the folder of a snapshot")
    return Sandbox(SandboxApp(ws, config or SandboxConfig()), tokens, truth)


def free_socket() -> socket.socket:
    """A listening-ready TCP socket bound to a free loopback port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    return sock


class _Quiet(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # a server in a thread must not take the main thread's signals
        return None


@contextlib.contextmanager
def serve_in_thread(sandbox: Sandbox) -> Iterator[str]:
    """Serve ``sandbox`` on a free loopback port from a background thread; yields the base URL."""
    sock = free_socket()
    port = sock.getsockname()[1]
    server = _Quiet(uvicorn.Config(sandbox.app, log_level="critical", lifespan="on", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the sandbox server did not start")
        time.sleep(0.01)
    try:
        yield f"http://{HOST}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def serve_forever(sandbox: Sandbox, port: int) -> None:
    """Serve on ``127.0.0.1:port`` until interrupted (the ``sandbox serve`` command)."""
    sandbox.workspace.warm()
    uvicorn.run(sandbox.app, host=HOST, port=port, log_level="warning", access_log=False, lifespan="on")


def parse_faults(specs: list[str], latency_ms: float) -> Faults:
    faults = Faults.parse(specs)
    if latency_ms:
        faults.latency_ms = latency_ms
    return faults

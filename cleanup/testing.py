"""Public helpers for tests and recipe authors: a real sandbox server on loopback, with tokens.

>>> from cleanup.testing import sandbox_server
>>> with sandbox_server("empty") as sb:
...     client = sb.http()
...     client.get("/v2/self").json()["workspace_name"]
'Sandbox'
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from .export.snapshot import Snapshot
from .sandbox import Faults, Sandbox, SandboxConfig, build_sandbox, serve_in_thread
from .sandbox.seed.ground_truth import GroundTruth
from .sandbox.workspace import Workspace

__all__ = ["Killer", "RunningSandbox", "sandbox_server", "snapshot_of"]


@dataclass
class RunningSandbox:
    """A sandbox served over real HTTP: its base URL, token secrets by name, and the workspace behind it."""

    base_url: str
    sandbox: Sandbox

    @property
    def tokens(self) -> dict[str, str]:
        """Token secrets by name (``primary`` always; the demo seed adds ``affinity-import``,
        ``affinity-reimport`` and ``readonly``)."""
        return {name: t.secret for name, t in self.sandbox.tokens.items()}

    @property
    def token_ids(self) -> dict[str, str]:
        """Token ids by name: what ``created_by_actor.id`` shows for things each token wrote."""
        return {name: t.id for name, t in self.sandbox.tokens.items()}

    @property
    def workspace(self) -> Workspace:
        return self.sandbox.workspace

    @property
    def config(self) -> SandboxConfig:
        return self.sandbox.config

    @property
    def ground_truth(self) -> GroundTruth | None:
        return self.sandbox.ground_truth

    def http(self, token: str = "primary", **kwargs: Any) -> httpx.Client:
        """A plain httpx client authenticated as ``token`` (a name from :attr:`tokens`)."""
        headers = {"Authorization": f"Bearer {self.tokens[token]}"}
        kwargs.setdefault("timeout", 30)
        return httpx.Client(base_url=self.base_url, headers=headers, **kwargs)

    @contextlib.contextmanager
    def faults(self, **settings: Any) -> Iterator[Faults]:
        """Switch faults on for the duration of a ``with`` block, e.g. ``sb.faults(error_rate=0.2, seed=1)``."""
        before = self.config.faults
        self.config.faults = Faults.from_dict(settings)
        try:
            yield self.config.faults
        finally:
            self.config.faults = before


@contextlib.contextmanager
def sandbox_server(
    seed: str = "demo",
    *,
    scale: float = 1.0,
    db: str | Path | None = None,
    config: SandboxConfig | None = None,
) -> Iterator[RunningSandbox]:
    """Start a sandbox on 127.0.0.1 and a free port for the ``with`` block; stop it afterwards."""
    sandbox = build_sandbox(seed, scale=scale, db=db, config=config)
    with serve_in_thread(sandbox) as base_url:
        yield RunningSandbox(base_url, sandbox)


def snapshot_of(sandbox: RunningSandbox, folder: str | Path, **options: Any) -> Snapshot:
    """Export ``sandbox`` over real HTTP into ``folder`` and return the snapshot: what recipe tests read.

    >>> with sandbox_server("empty") as sb:  # doctest: +SKIP
    ...     sb.http().post("/v2/objects/companies/records", json={"data": {"values": {"name": "Acme"}}})
    ...     snapshot = snapshot_of(sb, tmp_path / "snap")
    """
    from .client import AttioClient
    from .export import export

    options.setdefault("progress", False)
    with AttioClient(sandbox.tokens["primary"], sandbox.base_url) as client:
        return export(client, folder, **options)


@dataclass
class Killer:
    """Resumes a run in a child process (``attio-cleanup resume``) again and again, killing it with SIGKILL
    at seeded points, until a child is let finish: the crash test of the executor.

    A point is either the n-th write the child sends — killed as the request arrives (nothing applied) or
    once the server committed it but before it answered (applied, unknown to the client) — or a moment after
    the child started (during start-up, the drift read, the backup, or anywhere).
    """

    sandbox: RunningSandbox
    run_id: str
    root: Path
    seed: int = 0
    max_writes: int = 6
    timed_share: float = 0.25
    merge: str = "auto"
    concurrency: int = 2
    kills: list[str] = field(default_factory=list)

    def run(self, points: int, *, timeout: float = 300.0) -> int:
        """Kill the run at ``points`` points, then let it finish; returns the finishing child's exit code."""
        rng = random.Random(self.seed)
        while True:
            plan: tuple[str, float, bool] | None = None
            if len(self.kills) < points:
                if rng.random() < self.timed_share:
                    plan = ("time", rng.uniform(0.2, 2.5), False)
                else:
                    plan = ("write", rng.randint(1, self.max_writes), rng.random() < 0.5)
            code = self._child(plan, timeout)
            if code == -signal.SIGKILL:
                assert plan is not None
                kind, at, committed = plan
                where = (
                    f"after {at:.2f} s"
                    if kind == "time"
                    else (f"write {int(at)} {'committed, unanswered' if committed else 'on arrival'}")
                )
                self.kills.append(where)
                continue
            return code  # let finish, or it finished before the point was reached

    def _child(self, plan: tuple[str, float, bool] | None, timeout: float) -> int:
        env = {
            **os.environ,
            "ATTIO_API_KEY": self.sandbox.tokens["primary"],
            "ATTIO_BASE_URL": self.sandbox.base_url,
            "ATTIO_CLEANUP_BACKUP_ROOT": str(self.root),
        }
        argv = [sys.executable, "-c", "from cleanup.cli import main; main()", "resume", self.run_id]
        argv += ["--merge", self.merge, "--concurrency", str(self.concurrency)]
        log = (self.root / f"{self.run_id}.child.log").open("ab")
        child = subprocess.Popen(argv, env=env, stdout=log, stderr=log)
        counts = {False: 0, True: 0}  # writes arrived, writes committed

        def kill() -> None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child.pid, signal.SIGKILL)

        def on_write(method: str, path: str, committed: bool) -> None:
            if plan is None or plan[0] != "write" or child.poll() is not None:
                return
            counts[committed] += 1
            if committed == plan[2] and counts[committed] == int(plan[1]):
                kill()

        self.sandbox.config.on_write = on_write
        try:
            if plan is not None and plan[0] == "time":
                deadline = time.monotonic() + plan[1]
                while child.poll() is None and time.monotonic() < deadline:
                    time.sleep(0.01)
                if child.poll() is None:
                    kill()
            return child.wait(timeout)
        finally:
            self.sandbox.config.on_write = None
            log.close()

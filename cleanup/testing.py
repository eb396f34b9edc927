"""Public helpers for tests and recipe authors: a real sandbox server on loopback, with tokens.

>>> from cleanup.testing import sandbox_server
>>> with sandbox_server("empty") as sb:
...     client = sb.http()
...     client.get("/v2/self").json()["workspace_name"]
'Sandbox'
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from .export.snapshot import Snapshot
from .sandbox import Faults, Sandbox, SandboxConfig, build_sandbox, serve_in_thread
from .sandbox.seed.ground_truth import GroundTruth
from .sandbox.workspace import Workspace

__all__ = ["RunningSandbox", "sandbox_server", "snapshot_of"]


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

"""Shared fixtures: isolated environment, and sandboxes served over real HTTP on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from cleanup.client import AttioClient
from cleanup.sandbox import SandboxConfig
from cleanup.testing import RunningSandbox, sandbox_server


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test sees the developer's Attio settings; backups land in a temp dir."""
    import os

    for name in list(os.environ):
        if name.startswith("ATTIO_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("ATTIO_CLEANUP_BACKUP_ROOT", str(tmp_path_factory.mktemp("backups")))


def unlimited() -> SandboxConfig:
    """A sandbox config with rate limits off, for tests that are not about rate limits."""
    return SandboxConfig(read_rps=0, write_rps=0, merge_rps=0)


@pytest.fixture(scope="session")
def demo_sandbox() -> Iterator[RunningSandbox]:
    """The demo workspace, served once per test session. Tests must not change it."""
    with sandbox_server("demo", config=unlimited()) as sb:
        yield sb


@pytest.fixture
def demo_http(demo_sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with demo_sandbox.http() as client:
        yield client


@pytest.fixture
def empty_sandbox() -> Iterator[RunningSandbox]:
    """A fresh empty workspace (standard objects, one member, one token) for tests that write."""
    with sandbox_server("empty", config=unlimited()) as sb:
        yield sb


@pytest.fixture
def http(empty_sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with empty_sandbox.http() as client:
        yield client


def client_for(sb: RunningSandbox, log: list[str] | None = None) -> AttioClient:
    """A client of ``sb`` (its primary token) that appends "METHOD /path" of every request to ``log``."""
    hooks: dict[str, list[Any]] = {}
    if log is not None:

        async def record(request: httpx.Request) -> None:
            log.append(f"{request.method} {request.url.path}")

        hooks["request"] = [record]
    return AttioClient(sb.tokens["primary"], sb.base_url, event_hooks=hooks)

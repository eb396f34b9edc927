"""A local Attio-compatible API server for tests, benchmarks and rehearsing a cleanup on a copy.

>>> from cleanup.sandbox import build_sandbox, serve_in_thread
>>> sandbox = build_sandbox("empty")
>>> with serve_in_thread(sandbox) as base_url:
...     ...
"""

from __future__ import annotations

from .app import SandboxApp
from .config import Faults, QueryScoreWeights, SandboxConfig
from .server import Sandbox, build_sandbox, serve_forever, serve_in_thread
from .workspace import Workspace

__all__ = [
    "Faults",
    "QueryScoreWeights",
    "Sandbox",
    "SandboxApp",
    "SandboxConfig",
    "Workspace",
    "build_sandbox",
    "serve_forever",
    "serve_in_thread",
]

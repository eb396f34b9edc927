"""Run-time settings of a sandbox server: rate limits, faults, and the native merge switch."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass
class Faults:
    """Switchable faults, each a share of requests in ``[0, 1]``; ``seed`` makes a run reproducible.

    ``error_rate`` answers 5xx without processing; ``error_after_rate`` processes (and commits) then
    answers 5xx; ``drop_rate`` closes the connection without processing, ``drop_after_rate`` after
    committing; ``unauthorized_rate`` answers a spurious 401; ``slow_rate`` delays a response by
    ``slow_ms``; ``latency_ms`` is added to every request. ``methods`` limits faults to those HTTP
    methods (e.g. ``["POST"]``), ``path_prefix`` to matching paths, ``paths`` to exactly those paths.
    """

    latency_ms: float = 0.0
    error_rate: float = 0.0
    error_after_rate: float = 0.0
    unauthorized_rate: float = 0.0
    drop_rate: float = 0.0
    drop_after_rate: float = 0.0
    slow_rate: float = 0.0
    slow_ms: float = 2000.0
    methods: list[str] | None = None
    path_prefix: str | None = None
    paths: list[str] | None = None
    seed: int = 0
    rng: random.Random = field(default_factory=random.Random, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.rng.seed(self.seed)

    def applies(self, method: str, path: str) -> bool:
        if self.methods and method.upper() not in {m.upper() for m in self.methods}:
            return False
        if self.paths is not None and path not in self.paths:
            return False
        return not (self.path_prefix and not path.startswith(self.path_prefix))

    def roll(self, share: float) -> bool:
        return share > 0 and self.rng.random() < share

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Faults:
        """Build from a JSON-like mapping; unknown keys are an error that names them."""
        known = {f.name for f in fields(cls) if f.name != "rng"}
        unknown = set(data) - known
        if unknown:
            raise ValueError(
                f"unknown fault setting(s): {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}"
            )
        return cls(**data)

    @classmethod
    def parse(cls, specs: list[str]) -> Faults:
        """Parse CLI specs like ``5xx=0.05``, ``401=0.01``, ``drop=0.02``, ``drop-after=0.02``, ``slow=0.01:1500``,
        ``latency=150``, ``seed=7``, ``methods=POST,DELETE``."""
        aliases = {
            "5xx": "error_rate",
            "5xx-after": "error_after_rate",
            "401": "unauthorized_rate",
            "drop": "drop_rate",
            "drop-after": "drop_after_rate",
            "latency": "latency_ms",
            "seed": "seed",
            "methods": "methods",
            "path": "path_prefix",
        }
        data: dict[str, Any] = {}
        for spec in specs:
            name, sep, value = spec.partition("=")
            if not sep:
                raise ValueError(f"fault spec {spec!r} should look like NAME=VALUE, e.g. 5xx=0.05")
            if name == "slow":
                share, _, ms = value.partition(":")
                data["slow_rate"] = float(share)
                if ms:
                    data["slow_ms"] = float(ms)
                continue
            if name not in aliases:
                raise ValueError(f"unknown fault {name!r}; use one of {', '.join([*aliases, 'slow'])}")
            key = aliases[name]
            if key == "methods":
                data[key] = [m.strip().upper() for m in value.split(",") if m.strip()]
            elif key == "path_prefix":
                data[key] = value
            elif key == "seed":
                data[key] = int(value)
            else:
                data[key] = float(value)
        return cls(**data)


@dataclass
class SandboxConfig:
    """Limits and behaviour of one sandbox server (rates are per token and per second; 0 means unlimited).

    ``company_from_email`` is Attio's side effect of creating a person over the API: the person is linked
    to the company of their work email's domain, created if missing (free-mail domains are skipped).
    ``on_write`` (tests only, not settable over HTTP) is called as ``on_write(method, path, committed)``
    when a write arrives (``False``) and once it is committed but not yet answered (``True``), and
    ``on_read`` as ``on_read(method, path)`` when a read arrives: crash tests kill their client there.
    """

    read_rps: int = 100
    write_rps: int = 25
    merge_rps: int = 5
    merge_endpoint: bool = True
    merge_delay_ms: float = 0.0
    company_from_email: bool = True
    faults: Faults = field(default_factory=Faults)
    on_write: Callable[[str, str, bool], None] | None = field(default=None, repr=False, compare=False)
    on_read: Callable[[str, str], None] | None = field(default=None, repr=False, compare=False)

"""Run-time settings of a sandbox server: rate limits, query score limits, faults, and which endpoints exist."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass
class Faults:
    """Switchable faults, each a share of requests in ``[0, 1]``; ``seed`` makes a run reproducible.

    ``error_rate`` answers 5xx without processing; ``error_after_rate`` processes (and commits) then
    answers 5xx; ``drop_rate`` closes the connection without processing, ``drop_after_rate`` after
    committing; ``unauthorized_rate`` answers a spurious 401; ``slow_rate`` delays a response by
    ``slow_ms``; ``latency_ms`` is added to every request; ``conflict_rate`` answers record writes
    (``POST``/``PUT …/records``, ``PATCH``/``PUT …/records/{id}``) with Attio's 409
    ``concurrent_write_conflict`` without applying them. ``methods`` limits faults to those HTTP
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
    conflict_rate: float = 0.0
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
        """Parse CLI specs like ``5xx=0.05``, ``401=0.01``, ``409=0.1``, ``drop=0.02``, ``drop-after=0.02``,
        ``slow=0.01:1500``, ``latency=150``, ``seed=7``, ``methods=POST,DELETE``."""
        aliases = {
            "5xx": "error_rate",
            "5xx-after": "error_after_rate",
            "401": "unauthorized_rate",
            "409": "conflict_rate",
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


ABSENTABLE_ENDPOINTS = {
    "merge": "POST /v2/objects/{object}/records/merge",
    "note_update": "PATCH /v2/notes/{note_id}",
    "history_write": "PUT …/records/{record_id}/attributes/{attribute}/values and the entries twin",
}
"""Endpoints newer than some Attio deployments, by the name ``SandboxConfig.absent`` takes them by."""


@dataclass
class QueryScoreWeights:
    """The weights of :func:`query_score`, the sandbox's model of Attio's (unpublished) query score."""

    base: float = 1.0
    per_condition: float = 1.0
    per_sort: float = 1.0
    per_10k_records: float = 1.0


def query_score(conditions: int, sorts: int, records: int, weights: QueryScoreWeights) -> float:
    """The score of one records/entries query: ``base + per_condition × conditions + per_sort × sorts +
    per_10k_records × records / 10 000`` (``records``: how many the object or list holds). Attio scores a
    query from its filter, its sorts and the object's size; its formula is unpublished, this is the sandbox's.

    >>> query_score(2, 1, 25_000, QueryScoreWeights())
    6.5
    """
    return (
        weights.base
        + weights.per_condition * conditions
        + weights.per_sort * sorts
        + weights.per_10k_records * records / 10_000
    )


_SETTING_ALIASES = {
    "query-score-limit": "query_score_limit",
    "query-score-budget": "query_score_budget",
    "query-score-window": "query_score_window_s",
    "absent": "absent",
}


@dataclass
class SandboxConfig:
    """Limits and behaviour of one sandbox server (rates are per token and per second; 0 means unlimited).

    ``company_from_email`` is Attio's side effect of creating a person over the API: the person is linked
    to the company of their work email's domain, created if missing (free-mail domains are skipped).
    ``query_score_limit`` (off when ``None``) is the highest score one records/entries query may have
    (:func:`query_score`, weighted by ``query_score_weights``); ``query_score_budget`` (off when ``None``) the
    sum of scores allowed within a sliding ``query_score_window_s`` window, pooled over every token of the
    workspace. Over either, the query is answered 429 and not counted. While either is on, every answer the
    two query endpoints give (200, 400, 404, 429; not the auth or 100/25 answers that come before the query is
    read) carries ``x-attio-record-query-score``. ``apply_settings`` sets these from CLI strings.
    ``absent`` names endpoints the server lacks (keys of :data:`ABSENTABLE_ENDPOINTS`): they answer as an
    unknown route does; ``merge_endpoint=False`` is the same as naming ``merge``.
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
    query_score_limit: float | None = None
    query_score_budget: float | None = None
    query_score_window_s: float = 10.0
    query_score_weights: QueryScoreWeights = field(default_factory=QueryScoreWeights)
    absent: frozenset[str] = frozenset()
    faults: Faults = field(default_factory=Faults)
    on_write: Callable[[str, str, bool], None] | None = field(default=None, repr=False, compare=False)
    on_read: Callable[[str, str], None] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.absent = check_absent(self.absent)

    @property
    def query_score_on(self) -> bool:
        """Whether queries are scored (a per-query limit or a window budget is set)."""
        return self.query_score_limit is not None or self.query_score_budget is not None

    def lacks(self, endpoint: str) -> bool:
        """Whether the server answers ``endpoint`` (a key of :data:`ABSENTABLE_ENDPOINTS`) as unknown."""
        return endpoint in self.absent or (endpoint == "merge" and not self.merge_endpoint)

    def apply_settings(self, specs: list[str]) -> None:
        """Apply CLI settings like ``query-score-limit=50``, ``query-score-budget=500``,
        ``query-score-window=10`` (seconds; ``off`` switches a limit off) and ``absent=merge,note_update``."""
        for spec in specs:
            name, sep, value = spec.partition("=")
            if not sep or name not in _SETTING_ALIASES:
                raise ValueError(
                    f"setting {spec!r} should look like NAME=VALUE with NAME one of {', '.join(_SETTING_ALIASES)}"
                )
            key = _SETTING_ALIASES[name]
            if key == "absent":
                self.absent = check_absent(v.strip() for v in value.split(",") if v.strip())
            elif key == "query_score_window_s":
                self.query_score_window_s = float(value)
            else:
                setattr(self, key, None if value.strip().lower() in ("", "off", "none") else float(value))


def check_absent(names: Iterable[str]) -> frozenset[str]:
    """``names`` as a frozenset, each a key of :data:`ABSENTABLE_ENDPOINTS` (else ``ValueError``)."""
    chosen = frozenset(names)
    unknown = sorted(chosen - set(ABSENTABLE_ENDPOINTS))
    if unknown:
        raise ValueError(
            f"unknown endpoint name(s) {', '.join(unknown)}; known: {', '.join(ABSENTABLE_ENDPOINTS)}"
        )
    return chosen

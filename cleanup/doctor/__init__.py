"""A read-only preflight of a workspace (``attio-cleanup doctor``): can the API key do what each command needs
(and, if not, which scope to add where), which of Attio's newer endpoints the server has, the rate limits
met, how big each object and list is, how old the newest snapshot is, and where runs are kept.

Nothing is written: every request is a read, except three probes built to fail before anything applies
(:mod:`cleanup.client.capabilities`).

    needs    what each command needs of the key, and the fix for a missing scope
    live     what the server says: the key, the objects and lists, the endpoints
    sizes    record and entry counts in a bounded number of one-item queries
    traffic  429s and query scores the doctor's requests met
    local    the newest snapshot and the runs folder on this machine
    report   DoctorReport: one screen, JSON, the exit code

>>> report = doctor()  # ATTIO_API_KEY, ATTIO_BASE_URL  # doctest: +SKIP
>>> report.exit_code, report.to_json()["token"]["scopes"]  # doctest: +SKIP
(0, ['record_permission:read-write', ...])
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..client import AttioClient
from ..client.client import DEFAULT_BASE_URL, ApiKey, resolve_token
from ..client.errors import ConfigurationError
from .live import Live, examine
from .local import DEFAULT_SNAPSHOTS, legacy_runs, newest_snapshot, runs_folder
from .needs import NEEDS, Job
from .report import EXIT_NOT_ALLOWED, EXIT_READY, EXIT_UNREACHABLE, DoctorReport, check_commands
from .sizes import BUDGET
from .traffic import RateLimits, Traffic

# A preflight answers quickly: fewer retries and a shorter wait than a run's client.
CLIENT_DEFAULTS: dict[str, Any] = {"max_attempts": 3, "timeout": 20.0}


def doctor(
    base_url: str | None = None,
    *,
    token: str | None = None,
    jobs: Iterable[Job | str] | None = None,
    snapshots: str | Path = DEFAULT_SNAPSHOTS,
    runs: Path | None = None,
    sizes: bool = True,
    budget: int = BUDGET,
    **client_options: Any,
) -> DoctorReport:
    """Check the workspace at ``base_url`` (default ``ATTIO_BASE_URL``, else Attio's) with the API key
    ``token`` (default ``ATTIO_API_KEY``, else the keyring) for the command groups ``jobs`` (default: all of
    :class:`~cleanup.doctor.needs.Job`), the snapshots under ``snapshots`` and the runs folder ``runs``.

    ``sizes=False`` skips counting records and entries; ``budget`` caps the queries spent per object or
    list. ``client_options`` go to :class:`~cleanup.client.AttioClient` (``transport=``, ``event_hooks=``...).
    """
    started = time.monotonic()
    checked_at = datetime.now(UTC)
    chosen = tuple(Job(j) for j in jobs) if jobs is not None else tuple(NEEDS)
    address = (base_url or os.environ.get("ATTIO_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
    live: Live | None = None
    limits: RateLimits | None = None
    configuration = ""
    key: ApiKey | None
    try:
        key = ApiKey.wrap(token) or ApiKey(resolve_token(None))
    except ConfigurationError:
        key = None
    if key is not None:
        traffic = Traffic()
        hooks = {k: list(v) for k, v in (client_options.pop("event_hooks", None) or {}).items()}
        hooks.setdefault("response", []).append(traffic)
        options = {**CLIENT_DEFAULTS, **client_options, "event_hooks": hooks}
        try:
            client = AttioClient(key, base_url, **options)
        except ConfigurationError as error:
            configuration = str(error)
        else:
            with client:
                live = client.run(examine(client.aio, sizes=sizes, budget=budget))
                limits = RateLimits.seen(client.aio, traffic)
    workspace_id = live.token.workspace_id if live is not None and live.token.active else None
    folder = Path(snapshots)
    return DoctorReport(
        jobs=chosen,
        live=live,
        commands=check_commands(chosen, live, has_key=key is not None),
        rate_limits=limits,
        snapshots=folder,
        snapshot=newest_snapshot(folder, workspace_id=workspace_id or None),
        runs=runs_folder(runs),
        legacy_runs=legacy_runs(),
        checked_at=checked_at,
        seconds=time.monotonic() - started,
        base_url=address,
        has_key=key is not None,
        configuration=configuration,
    )


__all__ = ["EXIT_NOT_ALLOWED", "EXIT_READY", "EXIT_UNREACHABLE", "DoctorReport", "Job", "doctor"]

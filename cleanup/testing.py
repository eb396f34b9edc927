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
import re
import signal
import sqlite3
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

__all__ = ["RUN_PHASES", "Kill", "KillPoint", "Killer", "RunningSandbox", "sandbox_server", "snapshot_of"]


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


# The phases a run goes through, in order, as its journal records them (``cleanup.execute.run``).
RUN_PHASES = ("read", "schema", "create_record", "assert", "update", "create", "merge", "delete", "verify")
KILL_KINDS = ("arrival", "committed", "read", "time")
READ_BATCH = 50  # the re-read phase journals its reads at least this often (``KeptReads``)


@dataclass(frozen=True)
class KillPoint:
    """Where a child is killed with SIGKILL: the ``n``-th request of a ``kind`` (``arrival``: a write as it
    arrives, nothing applied; ``committed``: a write the server committed but has not answered; ``read``: a
    read as it arrives) counted once the run's journal says it reached ``phase`` (``None``: from the start)
    and, if ``match`` is given, only among requests whose ``"METHOD /path"`` matches it; or (``time``) a
    moment ``seconds`` after the child started (``n=0``) or after its first request once the run reached
    ``phase`` (``n=1``)."""

    kind: str
    n: int = 1
    phase: str | None = None
    match: str | None = None
    seconds: float = 0.0

    def __str__(self) -> str:
        if self.kind == "time":
            since = f"{self.phase or 'the first request'} began" if self.n else "start"
            return f"{self.seconds:.2f} s after {since}"
        what = {"arrival": "write {} on arrival", "committed": "write {} committed, unanswered"}.get(
            self.kind, "read {}"
        )
        where = f" in {self.phase}" if self.phase else ""
        return what.format(self.n) + where + (f" matching {self.match}" if self.match else "")


@dataclass(frozen=True)
class Kill:
    """A kill that happened: the point aimed at and the phase the run was in when it fell."""

    point: KillPoint
    phase: str | None

    def __str__(self) -> str:
        return f"{self.point} (fell in {self.phase or 'start-up'})"


@dataclass
class Killer:
    """Runs a command of a run in a child process (``attio-cleanup resume RUN`` by default) again and again,
    killing it with SIGKILL at seeded points, until a child is let finish: the crash test of the executor.

    ``run(points)`` draws ``points`` kill points at random — a moment after start, or the n-th write (on
    arrival or committed) or read of a phase that still has work, as the run's journal tells — or takes the
    given list of :class:`KillPoint`. A point the child never reaches lets it finish, and ends the test.
    """

    sandbox: RunningSandbox
    run_id: str
    root: Path
    seed: int = 0
    max_writes: int = 6
    timed_share: float = 0.25
    merge: str = "auto"
    concurrency: int = 2
    command: tuple[str, ...] = ()
    kills: list[Kill] = field(default_factory=list)

    @property
    def journal(self) -> Path:
        """The journal the child writes: the run's, or for a restore the newest restore run's."""
        if self.command[:1] == ("restore",):
            made = sorted(
                self.root.glob(f"{self.run_id}-restore-*/journal.sqlite"),
                key=lambda p: int(p.parent.name.rsplit("-", 1)[1]),
            )
            return made[-1] if made else self.root / f"{self.run_id}-restore-1" / "journal.sqlite"
        return self.root / self.run_id / "journal.sqlite"

    def run(self, points: int | list[KillPoint], *, timeout: float = 300.0, finish: bool = True) -> int:
        """Kill the child at each point in turn, then let it finish; returns the finishing child's exit code.

        A point of a phase that the run leaves before the point's n-th request kills at the run's next
        request; a child that ends without reaching its point has finished the run, which ends the test.
        ``finish=False`` returns after the last kill instead of letting a child finish."""
        rng = random.Random(self.seed)
        given = list(points) if isinstance(points, list) else None
        wanted = len(given) if given is not None else int(points)  # type: ignore[arg-type]
        while True:
            point: KillPoint | None = None
            if len(self.kills) < wanted:
                point = (
                    given[len(self.kills)] if given is not None else self._draw(rng, wanted - len(self.kills))
                )
            code, phase = self._child(point, timeout)
            if code == -signal.SIGKILL and point is not None:
                self.kills.append(Kill(point, phase))
                if finish or len(self.kills) < wanted:
                    continue
            return code  # let finish, or it finished before the point was reached

    def _draw(self, rng: random.Random, left: int) -> KillPoint:
        """A random point: a moment (in start-up, or soon after the child's first request), or a request of
        the earliest phase with work left — a read in the re-read and in verification, a write in between —
        spread so that the ``left`` points still to come fall in every phase still to run, a like share
        each. A kill in the re-read falls past the journal's first batch of reads when there is more to
        read, so that each such kill shows the phase going on from where it stopped."""
        if rng.random() < self.timed_share:
            if rng.random() < 0.25:
                return KillPoint("time", n=0, seconds=rng.uniform(0.1, 2.5))  # start-up takes 2-3 s
            phase, work, _ = self._work_left()  # a moment within the phase: a few ms a step of its work
            return KillPoint("time", n=1, phase=phase, seconds=rng.uniform(0.0, min(0.5, 0.003 * work)))
        phase, work, phases = self._work_left()
        span = max(1, round(2 * work * phases / max(1, left)))
        if self.command:  # not a run's resume (a restore): its writes, spread over the writes left
            kind = rng.choice(("arrival", "committed"))
            return KillPoint(kind, rng.randint(1, max(1, work // max(1, left))))
        if phase == "read":
            extra = READ_BATCH + 10 if work > READ_BATCH + 10 else 0
            return KillPoint("read", extra + rng.randint(1, span), phase)
        if phase == "verify" or phase is None:
            return KillPoint("read", rng.randint(1, max(self.max_writes, span)), phase)
        return KillPoint(rng.choice(("arrival", "committed")), rng.randint(1, span), phase)

    def _work_left(self) -> tuple[str | None, int, int]:
        """From the run's journal: the earliest phase with steps still to do (``verify`` once none is left),
        the work left in it (reads in the re-read, steps in a write phase, actions in verification), and how
        many phases have work left, verification included."""
        if not self.journal.exists():
            return None, 0, 1
        if self.command:  # a restore: its write steps left (about a write each)
            try:
                with contextlib.closing(
                    sqlite3.connect(f"file:{self.journal}?mode=ro", uri=True, timeout=10)
                ) as db:
                    writes = db.execute(
                        "SELECT COUNT(*) FROM steps WHERE status IN ('planned', 'sent') AND step != 'read'"
                    ).fetchone()
            except sqlite3.OperationalError:  # killed as it was made: a read-only look cannot recover it
                return None, 0, 1
            return None, int(writes[0]), 1
        with contextlib.closing(sqlite3.connect(f"file:{self.journal}?mode=ro", uri=True, timeout=10)) as db:
            rows = db.execute(
                "SELECT step, COUNT(*) FROM steps WHERE status IN ('planned', 'sent') GROUP BY step"
            ).fetchall()
            actions = db.execute("SELECT COUNT(DISTINCT action_id) FROM steps").fetchone()[0]
            kept = db.execute("SELECT COUNT(*) FROM reads").fetchone()[0]
        left: dict[str, int] = {}
        for step, n in rows:
            phase = "merge" if step in ("carry", "carry_unique") or step.startswith("move:") else step
            left[phase] = left.get(phase, 0) + n
        if "read" in left:
            left["read"] = max(1, left["read"] - kept)
        left["verify"] = int(actions)
        phase = next(p for p in RUN_PHASES if p in left)
        return phase, left[phase], len(left)

    def _phase(self) -> str | None:
        """The phase the run's journal records now (``None`` before the run recorded any)."""
        try:
            with contextlib.closing(
                sqlite3.connect(f"file:{self.journal}?mode=ro", uri=True, timeout=10)
            ) as db:
                row = db.execute("SELECT value FROM state WHERE key = 'phase'").fetchone()
        except sqlite3.Error:
            return None
        return None if row is None else str(row[0])

    def _where(self, phase: str | None) -> int:
        """Where the run stands against ``phase``: -1 before it, 0 in it, 1 past it (0 for no phase)."""
        if phase is None:
            return 0
        now = self._phase()
        order = {p: i for i, p in enumerate((*RUN_PHASES, "stopped", "finished"))}
        if now not in order:
            return -1
        return (order[now] > order[phase]) - (order[now] < order[phase])

    def _child(self, point: KillPoint | None, timeout: float) -> tuple[int, str | None]:
        env = {
            **os.environ,
            "ATTIO_API_KEY": self.sandbox.tokens["primary"],
            "ATTIO_BASE_URL": self.sandbox.base_url,
            "ATTIO_CLEANUP_BACKUP_ROOT": str(self.root),
        }
        command = self.command or (
            "resume",
            self.run_id,
            "--merge",
            self.merge,
            "--concurrency",
            str(self.concurrency),
        )
        argv = [sys.executable, "-c", "from cleanup.cli import main; main()", *command]
        log = (self.root / f"{self.run_id}.child.log").open("ab")
        child = subprocess.Popen(argv, env=env, stdout=log, stderr=log)
        seen = {"arrival": 0, "committed": 0, "read": 0, "any": 0, "reached": 0}
        fell: list[str | None] = []
        pattern = re.compile(point.match) if point is not None and point.match else None

        def kill() -> None:
            started = seen["any"] > 0  # before its first request the child is still starting up
            fell.append((self._phase() if not self.command else "restore") if started else None)
            with contextlib.suppress(ProcessLookupError):
                os.kill(child.pid, signal.SIGKILL)

        def counted(kind: str, method: str, path: str) -> None:
            seen["any"] += 1
            if point is None or fell or child.poll() is not None:
                return
            where = self._where(point.phase)
            if where > 0 and (point.kind != "time" or point.n):  # the run left the phase first: kill now
                kill()
                return
            if point.kind == "time":
                seen["reached"] = seen["reached"] or int(where >= 0)
                return
            if where < 0 or point.kind != kind:
                return
            if pattern is not None and not pattern.search(f"{method} {path}"):
                return
            seen[kind] += 1
            if seen[kind] == point.n:
                kill()

        config = self.sandbox.config
        config.on_write = lambda method, path, committed: counted(
            "committed" if committed else "arrival", method, path
        )
        config.on_read = lambda method, path: counted("read", method, path)
        try:
            if point is not None and point.kind == "time":
                while (
                    point.n and not seen["any"] and child.poll() is None
                ):  # n=1: counted from the first request
                    time.sleep(0.005)
                deadline = time.monotonic() + point.seconds
                while child.poll() is None and time.monotonic() < deadline:
                    time.sleep(0.01)
                if child.poll() is None:
                    kill()
            code = child.wait(timeout)
            return code, (fell[0] if fell else None)
        finally:
            config.on_write = None
            config.on_read = None
            log.close()

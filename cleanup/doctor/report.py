"""The doctor's findings: what blocks which command and the fix, the server's endpoints, rate limits, sizes,
the newest snapshot and the runs folder — one screen for a person (rich) and :meth:`DoctorReport.to_json` for
scripts, with an exit code (:data:`EXIT_READY`, :data:`EXIT_NOT_ALLOWED`, :data:`EXIT_UNREACHABLE`).

>>> report = doctor()  # doctest: +SKIP
>>> rich.print(report); report.exit_code  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from rich import box
from rich.console import Console, ConsoleOptions, RenderResult
from rich.markup import escape
from rich.table import Table

from ..client.capabilities import ServerCapabilities
from ..labels import when
from .live import Live
from .local import RunsFolder, SnapshotSeen, is_stale
from .needs import NEEDS, SETTINGS, Job, Need, Use, fix, missing
from .sizes import Container
from .traffic import RateLimits

FORMAT_VERSION = 1  # of to_json(): bumped when a key changes meaning or goes away
EXIT_READY = 0  # everything checked is in place (warnings may remain)
EXIT_NOT_ALLOWED = 2  # no API key, a key Attio does not accept, or one lacking a scope a command needs
EXIT_UNREACHABLE = 3  # no Attio API answered at the base URL (address, network, or the server failing)
NO_KEY = (
    "No Attio API key: set ATTIO_API_KEY, or store one with `keyring set attio-cleanup api-key` "
    "(make one in Attio → Workspace settings → Developers → your integration)."
)
State = Literal["ready", "blocked", "no_api", "unknown"]
STATE_WORDS = {"ready": "yes", "blocked": "no", "no_api": "yes (no API)", "unknown": "not checked"}
# What a run does instead when the server lacks a capability.
FALLBACKS = {
    "merge": ("records merge", "merges are done by hand"),
    "note_update": ("note update", "notes are re-created, not edited"),
    "history_write": ("value-history write", "restores cannot write value history back"),
}


@dataclass(frozen=True)
class CommandCheck:
    """Whether a group of commands can run with the key (``missing``: the scopes it lacks for it)."""

    need: Need
    state: State
    missing: tuple[Use, ...] = ()


def check_commands(jobs: Sequence[Job], live: Live | None, *, has_key: bool) -> tuple[CommandCheck, ...]:
    """Each group of ``jobs`` against the key as ``live`` found it (``None``: the server was not asked)."""
    checks = []
    for job in jobs:
        need = NEEDS[job]
        token = live.token if live is not None else None
        if not need.calls_api:
            checks.append(CommandCheck(need, "no_api"))
        elif not has_key:
            checks.append(CommandCheck(need, "blocked"))
        elif token is None or live is None or not live.server.reachable:
            checks.append(CommandCheck(need, "unknown"))
        elif not token.active:
            checks.append(CommandCheck(need, "blocked"))
        elif token.scopes is None:
            checks.append(CommandCheck(need, "unknown"))
        else:
            lacks = tuple(missing(need, token.scopes))
            checks.append(CommandCheck(need, "blocked" if lacks else "ready", lacks))
    return tuple(checks)


def _join(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def age_words(delta: timedelta) -> str:
    """'under a minute', '12 minutes', '3 hours', '5 days'."""
    seconds = delta.total_seconds()
    if seconds < 60:
        return "under a minute"
    if seconds < 90 * 60:
        return _plural(round(seconds / 60), "minute")
    if seconds < 36 * 3600:
        return _plural(round(seconds / 3600), "hour")
    return _plural(round(seconds / 86400), "day")


def ago(delta: timedelta) -> str:
    """'just now', '12 minutes ago', '3 hours ago', '5 days ago'."""
    return "just now" if delta.total_seconds() < 60 else f"{age_words(delta)} ago"


@dataclass(frozen=True)
class DoctorReport:
    """What the doctor found (see the module docstring); nothing in it holds the API key."""

    jobs: tuple[Job, ...]
    live: Live | None  # None: the server was not asked (no API key, or a malformed base URL)
    commands: tuple[CommandCheck, ...]
    rate_limits: RateLimits | None
    snapshots: Path  # where snapshots were looked for
    snapshot: SnapshotSeen | None
    runs: RunsFolder
    legacy_runs: RunsFolder | None
    checked_at: datetime
    seconds: float
    base_url: str
    has_key: bool = True  # an API key was found (argument, ATTIO_API_KEY or the keyring)
    configuration: str = ""  # a configuration problem found before any request (a malformed base URL)

    # ------------------------------------------------------------------ verdicts
    @property
    def reachable(self) -> bool:
        return self.live is not None and self.live.server.reachable

    @property
    def capabilities(self) -> ServerCapabilities | None:
        return self.live.capabilities if self.live is not None else None

    @property
    def containers(self) -> tuple[Container, ...] | None:
        return self.live.containers if self.live is not None else None

    @property
    def blocked(self) -> tuple[CommandCheck, ...]:
        return tuple(c for c in self.commands if c.state == "blocked")

    @property
    def exit_code(self) -> int:
        if not self.has_key:
            return EXIT_NOT_ALLOWED
        if self.configuration or self.live is None or not self.live.server.reachable:
            return EXIT_UNREACHABLE
        if not self.live.token.active or self.blocked:
            return EXIT_NOT_ALLOWED
        return EXIT_READY

    @property
    def ready(self) -> bool:
        return self.exit_code == EXIT_READY

    def fixes(self) -> list[tuple[str, list[str], str]]:
        """Each missing scope once: (scope, the commands that need it, the sentence saying how to add it)."""
        held = self.live.token.scopes if self.live is not None else None
        by_scope: dict[str, list[str]] = {}
        for check in self.commands:
            for use in check.missing:
                by_scope.setdefault(use.scope, []).extend(check.need.commands)
        return [(scope, used, fix(scope, held=held or (), used_by=used)) for scope, used in by_scope.items()]

    def problems(self) -> list[str]:
        """What makes the exit code non-zero, in sentences."""
        if not self.has_key:
            return [NO_KEY]
        if self.live is None:
            return [_sentence(self.configuration or "the server was not asked")]
        if not self.live.server.reachable:
            return [_sentence(self.live.server.problem)]
        if not self.live.token.active:
            return [_sentence(self.live.token.problem)]
        return [
            f"{check.need.label} cannot run: the key lacks {', '.join(f'`{u.scope}`' for u in check.missing)}."
            for check in self.blocked
        ]

    def warnings(self, now: datetime | None = None) -> list[str]:
        """What is worth a look but blocks nothing, in sentences."""
        now = now or self.checked_at
        said: list[str] = []
        live = self.live
        if live is not None and live.token.active:
            if live.token.level == "user":
                said.append(
                    "The key is a user-level token: it acts as its member, so it may see and change less than "
                    "a workspace key; run a cleanup with a workspace integration's key."
                )
            if live.token.scopes is None:
                said.append(
                    "The server did not say which scopes the key has, so the commands were not checked."
                )
            said.extend(live.warnings)
            caps = live.capabilities
            for check in caps.checks if caps is not None else ():
                if check.verdict == "unknown":
                    said.append(
                        f"Could not find out whether the server has the {FALLBACKS[check.name][0]} "
                        f"({check.reason}); runs will do without it."
                    )
        if self.rate_limits is not None and self.rate_limits.rate_limited:
            said.append(
                f"Attio refused {_plural(self.rate_limits.rate_limited, 'request')} for rate during this check: "
                "another script or app may be using the workspace's limits; runs will be slower."
            )
        if self.snapshot is not None:
            if not self.snapshot.complete:
                said.append(
                    f"The newest snapshot ({self.snapshot.path}) is incomplete: export again into the same "
                    "folder to finish it."
                )
            elif is_stale(self.snapshot, now):
                said.append(
                    f"The newest snapshot is {age_words(self.snapshot.age(now) or timedelta())} old: a plan made on "
                    "it skips every record changed since; export again before planning."
                )
        for folder in (self.runs, self.legacy_runs):
            if folder is None:
                continue
            if folder.open_to_others:
                inside = [p for p in folder.open_to_others if p != folder.path]
                which = f" ({_plural(len(inside), 'folder')} in it)" if inside else ""
                said.append(
                    f"{folder.path}{which} can be read by other users of this machine, and backups hold "
                    f"workspace data: run `chmod -R go= '{folder.path}'`."
                )
            if not folder.writable:
                said.append(f"The runs folder {folder.path} cannot be written: apply and restore will fail.")
        return said

    # ------------------------------------------------------------------ sentences
    def headline(self) -> str:
        code = self.exit_code
        if code == EXIT_UNREACHABLE:
            return "[bold red]Cannot check:[/bold red] no Attio API answered."
        if not self.has_key:
            return "[bold red]Not ready:[/bold red] no API key."
        if code == EXIT_NOT_ALLOWED and (self.live is None or not self.live.token.active):
            return "[bold red]Not ready:[/bold red] the API key cannot be used."
        if code == EXIT_NOT_ALLOWED:
            blocked = [c.need.label for c in self.blocked]
            return (
                f"[bold red]Not ready:[/bold red] {escape(_join(blocked))} cannot run: the API key lacks "
                f"{_plural(len(self.fixes()), 'scope')}."
            )
        return "[bold green]Ready:[/bold green] the API key can do what every command checked needs."

    def fix_lines(self) -> list[str]:
        """The missing scopes for the screen: one sentence saying where to add them, then one line each with
        what the scope is for."""
        if not any(check.missing for check in self.blocked):
            return []
        held = set(self.live.token.scopes or ()) if self.live is not None else set()
        lines = [escape(f"Add to the token in {SETTINGS}, then run the doctor again:")]
        seen: set[str] = set()
        for check in self.blocked:
            for use in check.missing:
                if use.scope in seen:
                    continue
                seen.add(use.scope)
                area = use.scope.partition(":")[0]
                reads = use.scope.endswith(":read-write") and f"{area}:read" in held
                only = " (it may only read now)" if reads else ""
                lines.append(f"  [bold]{escape(use.scope)}[/bold] {escape(use.why)}{only}")
        return lines

    def facts(self) -> list[str]:
        """The key, the server's endpoints, the rate limits, the snapshot and the runs folder, a sentence each."""
        said: list[str] = []
        live = self.live
        if live is not None and live.token.active:
            token = live.token
            level = f"a {token.level}-level key" if token.level else "a key"
            by = f" made by {token.authorized_by}" if token.authorized_by else ""
            scopes = f", with {_plural(len(token.scopes), 'scope')}" if token.scopes is not None else ""
            said.append(escape(f"The API key is active: {level}{by}{scopes}."))
        caps = self.capabilities
        if caps is not None:
            said.append(capabilities_sentence(caps))
        if self.rate_limits is not None and live is not None and live.token.active:
            said.append(escape(self.rate_limits.sentence()))
        workspace = self.live.token.workspace_name if self.live is not None else ""
        of = f" of {workspace}" if workspace else ""
        if self.snapshot is None:
            said.append(
                escape(
                    f"No snapshot{of} in {self.snapshots}/ (looked two folders deep): "
                    f"`attio-cleanup export --out {self.snapshots}/today` makes one."
                )
            )
        else:
            age = self.snapshot.age(self.checked_at)
            stamp = (
                f", exported {ago(age)} ({when(self.snapshot.exported_at)})"
                if age is not None and self.snapshot.exported_at
                else ""
            )
            whole = "complete" if self.snapshot.complete else "incomplete"
            said.append(escape(f"The newest snapshot{of} is {self.snapshot.path}{stamp}, {whole}."))
        said.append(escape(runs_sentence(self.runs)))
        if self.legacy_runs is not None:
            said.append(
                escape(
                    f"Older runs are in {self.legacy_runs.path} ({_plural(self.legacy_runs.runs, 'run')})."
                )
            )
        return said

    # ------------------------------------------------------------------ rendering
    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """One screen: the verdict and its fixes, then the facts, what is worth a look, and two tables."""
        where = self.live.token.workspace_name if self.live is not None else ""
        at = f"{where} at {self.base_url}" if where else self.base_url
        yield f"[bold]attio-cleanup doctor[/bold]: {escape(at)}"
        yield self.headline()
        if not any(c.missing for c in self.blocked):  # else the headline names them, the fixes follow
            for problem in self.problems():
                yield f"  {escape(problem)}"
        yield from self.fix_lines()
        yield from self.facts()
        warnings = self.warnings()
        if warnings:
            yield "[bold yellow]Worth a look:[/bold yellow]"
            for warning in warnings:
                yield f"  {escape(warning)}"
        yield self._commands_table()
        if self.containers:
            yield self._sizes_table()
        yield f"Checked in {self.seconds:.1f} s; nothing was written. `--json` gives the same for scripts."

    def _commands_table(self) -> Table:
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
        table.add_column("commands", max_width=30)
        table.add_column("can run")
        table.add_column("the key lacks the scopes for")
        for check in self.commands:
            state = STATE_WORDS[check.state]
            colour = {"ready": "green", "no_api": "green", "blocked": "red"}.get(check.state, "yellow")
            table.add_row(
                escape(check.need.label),
                f"[{colour}]{state}[/{colour}]",
                escape(lacks_words(check.missing))
                or ("a usable API key" if check.state == "blocked" else ""),
            )
        return table

    def _sizes_table(self) -> Table:
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
        table.add_column("objects and lists")
        table.add_column("kind")
        table.add_column("size", justify="right")
        for c in self.containers or ():
            noun = "records" if c.kind == "object" else "entries"
            size = f"{c.size.words()} {noun}" if c.size is not None else f"[dim]{escape(c.note)}[/dim]"
            table.add_row(escape(c.name), c.kind, size)
        return table

    # ------------------------------------------------------------------ for scripts
    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data with stable keys (see the README's doctor section)."""
        live = self.live
        token = live.token if live is not None else None
        caps = self.capabilities
        return {
            "version": FORMAT_VERSION,
            "exit_code": self.exit_code,
            "ready": self.ready,
            "checked_at": self.checked_at.isoformat(),
            "seconds": round(self.seconds, 3),
            "checked": [job.value for job in self.jobs],
            "server": {
                "base_url": self.base_url,
                "reachable": self.reachable,
                "problem": self.configuration or (live.server.problem if live is not None else ""),
            },
            "token": {
                "configured": self.has_key,
                "active": token.active if token is not None else None,
                "level": token.level if token is not None else None,
                "scopes": list(token.scopes) if token is not None and token.scopes is not None else None,
                "workspace": {
                    "id": token.workspace_id if token is not None else "",
                    "name": token.workspace_name if token is not None else "",
                    "slug": token.workspace_slug if token is not None else "",
                },
                "authorized_by": token.authorized_by if token is not None else None,
                "problem": token.problem if token is not None else ("" if self.has_key else NO_KEY),
            },
            "commands": [
                {
                    "job": c.need.job.value,
                    "commands": list(c.need.commands),
                    "does": c.need.does,
                    "calls_api": c.need.calls_api,
                    "state": c.state,
                    "missing": [{"scope": u.scope, "why": u.why} for u in c.missing],
                }
                for c in self.commands
            ],
            "fixes": [{"scope": s, "commands": used, "fix": sentence} for s, used, sentence in self.fixes()],
            "capabilities": None
            if caps is None
            else {
                "merge": caps.merge,
                "note_update": caps.note_update,
                "history_write": caps.history_write,
                "checks": [
                    {
                        "name": c.name,
                        "method": c.method,
                        "path": c.path,
                        "verdict": c.verdict,
                        "status": c.status,
                        "code": c.code,
                        "reason": c.reason,
                    }
                    for c in caps.checks
                ],
            },
            "rate_limits": None
            if self.rate_limits is None
            else {
                "reads_per_second": self.rate_limits.reads_per_second,
                "writes_per_second": self.rate_limits.writes_per_second,
                "special": dict(self.rate_limits.special),
                "requests": self.rate_limits.answers,
                "rate_limited": self.rate_limits.rate_limited,
                "retry_after": list(self.rate_limits.retry_after),
                "query_score_max": self.rate_limits.query_score_max,
            },
            "sizes": None
            if self.containers is None
            else [
                {
                    "kind": c.kind,
                    "slug": c.slug,
                    "name": c.name,
                    "count": c.size.count if c.size is not None else None,
                    "exact": c.size.exact if c.size is not None else None,
                    "note": c.note,
                }
                for c in self.containers
            ],
            "snapshot": {
                "searched": str(self.snapshots),
                "newest": None if self.snapshot is None else _snapshot_json(self.snapshot, self.checked_at),
            },
            "runs": _runs_json(self.runs),
            "legacy_runs": None if self.legacy_runs is None else _runs_json(self.legacy_runs),
            "problems": self.problems(),
            "warnings": self.warnings(),
        }


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "." if text else text


def capabilities_sentence(caps: ServerCapabilities) -> str:
    """'The server has Attio's records merge; it lacks the note update (notes are re-created, not edited).'"""
    has = [FALLBACKS[c.name][0] for c in caps.checks if c.verdict == "present"]
    lacks = [
        f"the {FALLBACKS[c.name][0]} ({FALLBACKS[c.name][1]})" for c in caps.checks if c.verdict == "absent"
    ]
    parts = []
    if has:
        parts.append(f"The server has Attio's {_join(has)}")
    if lacks:
        parts.append(("it lacks " if has else "The server lacks ") + _join(lacks))
    return escape("; ".join(parts) + ".") if parts else ""


# What each scope's area lets a key read or write, in words.
AREA_WORDS = {
    "record_permission": "records",
    "object_configuration": "objects and attributes",
    "list_configuration": "lists",
    "list_entry": "list entries",
    "note": "notes",
    "task": "tasks",
    "user_management": "members",
    "comment": "comments",
}


def lacks_words(uses: Sequence[Use]) -> str:
    """What missing scopes keep a key from, in words: 'writing records, notes and tasks; reading members'."""
    said = []
    for level, verb in (("read", "reading"), ("read-write", "writing")):
        areas = [u.scope.partition(":")[0] for u in uses if u.scope.partition(":")[2] == level]
        if areas:
            said.append(f"{verb} {_join([AREA_WORDS.get(a, a) for a in areas])}")
    return "; ".join(said)


def runs_sentence(runs: RunsFolder) -> str:
    if not runs.exists:
        return f"Runs will be kept in {runs.path} (made owner-only by the first run)."
    private = {True: "owner-only", False: "readable by others", None: "permissions not checked"}[
        runs.owner_only
    ]
    return f"Runs are kept in {runs.path}: {private}, {_plural(runs.runs, 'run')}."


def _snapshot_json(snapshot: SnapshotSeen, now: datetime) -> dict[str, Any]:
    age = snapshot.age(now)
    return {
        "path": str(snapshot.path),
        "workspace_name": snapshot.workspace_name,
        "exported_at": snapshot.exported_at.isoformat() if snapshot.exported_at else None,
        "age_seconds": round(age.total_seconds()) if age is not None else None,
        "complete": snapshot.complete,
        "stale": is_stale(snapshot, now),
    }


def _runs_json(runs: RunsFolder) -> dict[str, Any]:
    return {
        "path": str(runs.path),
        "exists": runs.exists,
        "owner_only": runs.owner_only,
        "writable": runs.writable,
        "runs": runs.runs,
        "open_to_others": [str(p) for p in runs.open_to_others],
    }


__all__ = [
    "EXIT_NOT_ALLOWED",
    "EXIT_READY",
    "EXIT_UNREACHABLE",
    "FORMAT_VERSION",
    "CommandCheck",
    "DoctorReport",
    "check_commands",
]

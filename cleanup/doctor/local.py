"""What the doctor checks on this machine: the newest snapshot of the workspace (and how old it is), and the
runs folder (where it is, whether others can read it, how many runs it keeps). Nothing is written.

>>> newest_snapshot(Path("snapshots"), workspace_id="1b1e…")  # doctest: +SKIP
SnapshotSeen(path=PosixPath('snapshots/today'), ...)
>>> runs_folder()  # doctest: +SKIP
RunsFolder(path=PosixPath('/home/me/.local/share/attio-cleanup/runs'), exists=True, owner_only=True, ...)
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from ..export.snapshot import FORMAT, MANIFEST
from ..files import backup_root

DEFAULT_SNAPSHOTS = Path("snapshots")  # where the README's examples keep them (--out snapshots/today)
LEGACY_RUNS = Path("backups")  # where runs were kept before, relative to the folder a command runs in
STALE_AFTER = timedelta(days=7)  # a snapshot older than this is worth exporting again before planning
DEPTH = 2  # snapshot folders are looked for this many levels down (snapshots/today, snapshots/acme/today)


@dataclass(frozen=True)
class SnapshotSeen:
    """A snapshot folder found on disk: its workspace, when its export finished (or started), whether whole."""

    path: Path
    workspace_id: str
    workspace_name: str
    exported_at: datetime | None
    complete: bool

    def age(self, now: datetime) -> timedelta | None:
        return now - self.exported_at if self.exported_at is not None else None


def _moment(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _read(manifest: Path) -> SnapshotSeen | None:
    try:
        data = orjson.loads(manifest.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    schema = data.get("schema")
    if not isinstance(schema, dict):
        schema = {}
    return SnapshotSeen(
        manifest.parent,
        str(schema.get("workspace_id") or ""),
        str(schema.get("workspace_name") or ""),
        _moment(data.get("finished_at")) or _moment(data.get("started_at")),
        bool(data.get("complete")),
    )


def find_snapshots(where: Path, depth: int = DEPTH) -> list[SnapshotSeen]:
    """Every snapshot in ``where`` (the folder itself, or folders up to ``depth`` levels below it)."""
    found = []
    patterns = [MANIFEST] + ["/".join(["*"] * level + [MANIFEST]) for level in range(1, depth + 1)]
    if where.is_dir():
        for pattern in patterns:
            for manifest in sorted(where.glob(pattern)):
                seen = _read(manifest)
                if seen is not None:
                    found.append(seen)
    return found


def newest_snapshot(where: Path, *, workspace_id: str | None = None) -> SnapshotSeen | None:
    """The most recently exported snapshot in ``where`` of the workspace ``workspace_id`` (any workspace's
    when ``None``)."""
    mine = [s for s in find_snapshots(where) if workspace_id is None or s.workspace_id == workspace_id]
    dated = [s for s in mine if s.exported_at is not None]
    if dated:
        return max(dated, key=lambda s: s.exported_at or datetime.min.replace(tzinfo=UTC))
    return mine[0] if mine else None


def is_stale(snapshot: SnapshotSeen, now: datetime) -> bool:
    age = snapshot.age(now)
    return age is not None and age > STALE_AFTER


# ---------------------------------------------------------------------------------------------- runs
def owner_only(path: Path) -> bool | None:
    """Whether only the owner may read ``path`` (``None`` where the system has no such modes)."""
    if os.name == "nt":
        return None
    return stat.S_IMODE(path.stat().st_mode) & 0o077 == 0


def _existing_parent(path: Path) -> Path:
    here = path
    while not here.exists() and here.parent != here:
        here = here.parent
    return here


@dataclass(frozen=True)
class RunsFolder:
    """Where runs (backups, journals, reports) are kept: whether the folder exists, whether it and every run
    folder in it are owner-only, whether it can be written, and how many runs it holds."""

    path: Path
    exists: bool
    owner_only: bool | None  # None: not made yet, or a system without modes
    writable: bool
    runs: int
    open_to_others: tuple[Path, ...]  # the folder itself or run folders (and their backups) others can read

    @classmethod
    def look(cls, path: Path) -> RunsFolder:
        if not path.is_dir():
            parent = _existing_parent(path)
            return cls(path, False, None, os.access(parent, os.W_OK), 0, ())
        runs = sorted(p.parent for p in path.glob("*/plan.parquet"))
        folders = [path, *runs, *(r / "backup" for r in runs if (r / "backup").is_dir())]
        open_ = tuple(f for f in folders if owner_only(f) is False)
        return cls(path, True, owner_only(path), os.access(path, os.W_OK), len(runs), open_)


def runs_folder(root: Path | None = None) -> RunsFolder:
    """The runs folder (``root``, else ``--runs-dir`` / ``ATTIO_CLEANUP_BACKUP_ROOT``, else the user's
    data folder), as it is now."""
    return RunsFolder.look(root if root is not None else backup_root())


def legacy_runs(cwd: Path | None = None) -> RunsFolder | None:
    """``./backups`` when it holds runs kept there by an earlier version (``restore`` still finds them)."""
    folder = (cwd or Path.cwd()) / LEGACY_RUNS
    if not folder.is_dir() or not any(folder.glob("*/plan.parquet")):
        return None
    return RunsFolder.look(folder)


__all__ = [
    "DEFAULT_SNAPSHOTS",
    "STALE_AFTER",
    "RunsFolder",
    "SnapshotSeen",
    "find_snapshots",
    "is_stale",
    "legacy_runs",
    "newest_snapshot",
    "runs_folder",
]

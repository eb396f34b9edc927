"""Owner-only files: everything the tool writes that holds workspace data (snapshots, run folders and their
backups, reports, action tables, import work folders, reject files, mappings, token labels, remembered
decisions) is readable by its owner only — files 0600, folders 0700 — whatever the umask, and written whole
or not at all.

>>> write_private(Path("runs/r1/meta.json"), b"{}")     # doctest: +SKIP
>>> with private_file(Path("review/actions.parquet")) as tmp:  # doctest: +SKIP
...     frame.write_parquet(tmp)                        # a library writes; the file appears when it is done

Folders the tool makes on the way (``runs/`` above) are owner-only too; a folder that was already there is
left as it is (a report written into the current folder does not make it private).

Run folders go under :func:`backup_root`: the executor writes them, restores and detection read them.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import platformdirs

FILE_MODE = 0o600
DIR_MODE = 0o700
RUNS_ENV = "ATTIO_CLEANUP_BACKUP_ROOT"


def backup_root() -> Path:
    """Where run folders go: ``ATTIO_CLEANUP_BACKUP_ROOT`` (``attio-cleanup --runs-dir``), else the user's
    data folder (``~/.local/share/attio-cleanup/runs`` on Linux, ``~/Library/Application Support/…`` on
    macOS), whatever folder a command runs in."""
    configured = os.environ.get(RUNS_ENV)
    if configured:
        return Path(configured).expanduser()
    return platformdirs.user_data_path("attio-cleanup", appauthor=False) / "runs"


def private_dir(path: str | os.PathLike[str]) -> Path:
    """Make the folder ``path`` and every missing folder above it, owner-only (0700) whatever the umask;
    folders already there are left as they are. Returns ``path``."""
    folder = Path(path)
    missing: list[Path] = []
    here = folder
    while not here.is_dir() and here.parent != here:
        missing.append(here)
        here = here.parent
    for made in reversed(missing):
        try:
            os.mkdir(made, DIR_MODE)  # the umask can only narrow this: no moment it is open to others
        except FileExistsError:
            if not made.is_dir():
                raise
            continue  # made meanwhile by another process: not ours to change
        os.chmod(made, DIR_MODE)  # a umask that took the owner's bits away
    return folder


@contextlib.contextmanager
def private_file(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path beside ``path``, already made owner-only, for a library to write into (Polars,
    xlsxwriter, the csv module); when the block ends it is made owner-only again (a library may have made
    the file anew), synced and renamed over ``path`` in one step. If the block raises, ``path`` is left as it
    was. Missing folders above ``path`` are made with :func:`private_dir`.

    ``path`` that exists and is not a regular file (``/dev/null``, a named pipe) is written in place.
    """
    target = Path(path)
    if target.exists() and not target.is_file():
        yield target
        return
    private_dir(target.parent)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")  # 0600
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, FILE_MODE)
        _sync(tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync(target.parent)


def write_private(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` owner-only, whole or not at all (a temporary file, synced, then renamed);
    missing folders above it are made owner-only. Returns ``path``."""
    target = Path(path)
    with private_file(target) as tmp, open(tmp, "wb") as handle:
        handle.write(data)
    return target


def _sync(path: Path) -> None:
    """Flush a file (or a folder's entries, so a rename in it survives a crash) to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


__all__ = ["DIR_MODE", "FILE_MODE", "RUNS_ENV", "backup_root", "private_dir", "private_file", "write_private"]

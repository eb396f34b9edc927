"""Everything the tool writes that holds workspace data is its owner's only — files 0600, folders 0700,
the folders it makes on the way included — whatever the umask: snapshots, reports, action tables, token
labels, remembered decisions, an import's work folder and reject file, a mapping from ``import affinity
init``, and a run folder in a runs folder that did not exist yet. Each is written by its real path against a
small sandbox, under ``umask 000``."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

import cleanup
from cleanup.cli import app
from cleanup.detect.store import remember
from cleanup.execute import restore
from cleanup.importers.coerce import Options
from cleanup.importers.csv import CsvSpec
from cleanup.importers.session import prepare_csv
from cleanup.report import write_report
from cleanup.testing import RunningSandbox, sandbox_server, snapshot_of
from cleanup.tokens import save_label
from tests.conftest import client_for, unlimited
from tests.importers.conftest import FIXTURES

LEADS = "Company,Website\nZeta Owner-only,zeta-owner-only.example\nBad Row,not a website\n"


@pytest.fixture
def open_umask() -> Iterator[None]:
    """``umask 000``: what the tool writes gets only the modes it asks for."""
    previous = os.umask(0o000)
    try:
        yield
    finally:
        os.umask(previous)


def _modes(home: Path) -> dict[str, int]:
    """Every file and folder under ``home`` (relative, folders ending in /) → its permission bits."""
    return {
        p.relative_to(home).as_posix() + ("/" if p.is_dir() else ""): stat.S_IMODE(p.lstat().st_mode)
        for p in home.rglob("*")
    }


def test_everything_written_is_owner_only_whatever_the_umask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, open_umask: None
) -> None:
    home = tmp_path / "home"  # every file and folder below it is the tool's
    home.mkdir(mode=0o700)
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    (inputs / "leads.csv").write_text(LEADS, encoding="utf-8")
    monkeypatch.chdir(home)
    monkeypatch.setenv("ATTIO_CLEANUP_BACKUP_ROOT", str(home / "data" / "runs"))  # --runs-dir, not made yet
    sb: RunningSandbox
    with sandbox_server("demo", scale=0.05, config=unlimited()) as sb:
        snapshot = snapshot_of(sb, home / "work" / "snapshot")
        table = cleanup.detect(snapshot, "duplicate_entries")
        assert len(table), "the demo workspace has duplicate entries to write"
        write_report(table, snapshot, home / "review" / "report.html")
        for suffix in ("xlsx", "csv", "parquet"):
            table.write(home / "tables" / f"actions.{suffix}")
        save_label(snapshot, sb.token_ids["affinity-reimport"], "Affinity re-import")
        assert remember(table.decide("reject"), snapshot)
        spec = CsvSpec(
            inputs / "leads.csv",
            "companies",
            "domains",
            {"Company": ["name"], "Website": ["domains"]},
            options=Options(),
            skip_invalid=True,
            reject_file=home / "rejects" / "leads.rejected.csv",
        )
        with client_for(sb) as client:
            prepared = prepare_csv(client, spec, Path("imports") / "20260101T000000Z")  # the CLI's default
            report = prepared.plan().apply(client)
            undone = restore(report.run_id, client)  # the restore is a run folder of its own
        assert report.counts() == {"done": 1}
        assert undone["status"].to_list() == ["restored"]
    made = CliRunner().invoke(
        app,
        [
            *("import", "affinity", "init", "--offline"),
            *("--exports", str(FIXTURES), "--out", str(home / "mappings" / "affinity.toml")),
        ],
    )
    assert made.exit_code == 0, made.output

    modes = _modes(home)
    run = f"data/runs/{report.run_id}/"
    for written in (
        "work/snapshot/manifest.json",
        "work/snapshot/records/companies.parquet",
        "work/snapshot/entries/",
        "work/snapshot/notes.parquet",
        "work/tokens.toml",
        "work/decisions.parquet",
        "review/report.html",
        "tables/actions.xlsx",
        "tables/actions.csv",
        "tables/actions.parquet",
        "imports/20260101T000000Z/snapshot/manifest.json",
        "imports/20260101T000000Z/snapshot/records/companies.parquet",
        "rejects/leads.rejected.csv",
        "mappings/affinity.toml",
        "data/runs/",
        run,
        run + "plan.parquet",
        run + "journal.sqlite",
        run + "backup/manifest.json",
        run + "report.parquet",
        *(run.rstrip("/") + "-restore-1/" + name for name in ("", "plan.parquet", "restores.parquet")),
        *(run.rstrip("/") + "-restore-1/" + name for name in ("journal.sqlite", "backup/manifest.json")),
    ):
        assert written in modes, f"{written} was not written where expected: {sorted(modes)}"
    wrong = {
        path: oct(mode) for path, mode in modes.items() if mode != (0o700 if path.endswith("/") else 0o600)
    }
    assert not wrong, f"not owner-only: {wrong}"
    assert not [path for path in modes if path.endswith(".tmp")]  # no temporary file left behind
    assert pl.read_parquet(home / "tables" / "actions.parquet").height == len(table)

"""Ctrl-C in ``attio-cleanup`` run as a child process: SIGINT at seeded moments of an export, an import and
an apply; each stops within seconds and the re-run completes. Two Ctrl-Cs in a row end it at once, with no
traceback. Also the client's portal on its own: a Ctrl-C cancels the work on the loop and waits for it to
unwind, and a KeyboardInterrupt in a worker thread (as Polars raises) neither kills the loop nor hangs."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

from cleanup.actions import ActionTable
from cleanup.client import AttioClient
from cleanup.client.portal import Portal, in_thread
from cleanup.export.snapshot import Snapshot
from cleanup.importers.csv import CsvSpec, NoteColumns
from cleanup.importers.session import prepare_csv
from cleanup.sandbox import Faults, SandboxConfig
from cleanup.testing import RunningSandbox, sandbox_server, snapshot_of
from tests.execute.conftest import note_and_entry_findings

STOP_SECONDS = 8.0  # a Ctrl-C must end a child within this (it starts in about 2 s of it)
AT_ONCE_SECONDS = 3.0  # a second Ctrl-C must end it within this
SEED = 20261129
APPLIED = 60  # actions in the apply tests: a few seconds of writes at the client's write limit


def _slow(latency_ms: float) -> SandboxConfig:
    """No server rate limits, but every request takes ``latency_ms``: work long enough to interrupt."""
    return SandboxConfig(read_rps=0, write_rps=0, merge_rps=0, faults=Faults(latency_ms=latency_ms))


@pytest.fixture
def slow_demo() -> Iterator[RunningSandbox]:
    with sandbox_server("demo", scale=0.05, config=_slow(120)) as sb:
        yield sb


@dataclass
class Child:
    """One ``attio-cleanup`` command in a child process, its output in files."""

    process: subprocess.Popen[bytes]
    stdout: Path
    stderr: Path

    @classmethod
    def start(cls, sb: RunningSandbox, folder: Path, *args: str) -> Child:
        env = {
            **os.environ,
            "ATTIO_API_KEY": sb.tokens["primary"],
            "ATTIO_BASE_URL": sb.base_url,
            "ATTIO_CLEANUP_BACKUP_ROOT": str(folder / "backups"),
        }
        n = len(list(folder.glob("child-*.out")))
        stdout, stderr = folder / f"child-{n}.out", folder / f"child-{n}.err"
        argv = [sys.executable, "-c", "from cleanup.cli import main; main()", *args]
        with stdout.open("wb") as out, stderr.open("wb") as err:
            process = subprocess.Popen(argv, env=env, stdout=out, stderr=err, cwd=folder)
        return cls(process, stdout, stderr)

    def interrupt(self, when: Callable[[], bool], delay: float, *, times: int = 1) -> float:
        """Once ``when()`` holds (or the child ended), wait ``delay`` s and send SIGINT ``times`` times (50 ms
        apart: the second before a clean stop can finish); returns the seconds from the last SIGINT to the
        child's exit."""
        deadline = time.monotonic() + 60
        while not when() and self.process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(delay)
        for i in range(times):
            if i:
                time.sleep(0.05)
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGINT)
        sent = time.monotonic()
        self.wait(STOP_SECONDS)
        return time.monotonic() - sent

    def wait(self, timeout: float) -> int:
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            pytest.fail(f"the child did not stop within {timeout} s:\n{self.log()}")

    def log(self) -> str:
        return (
            self.stdout.read_text(errors="replace")[-2000:] + self.stderr.read_text(errors="replace")[-3000:]
        )

    @property
    def errors(self) -> list[str]:
        return [line for line in self.stderr.read_text(errors="replace").splitlines() if line.strip()]


def _written_after(path: Path, since: float) -> Callable[[], bool]:
    """Whether ``path`` was written since ``since`` (a child has got as far as writing it)."""
    return lambda: path.exists() and path.stat().st_mtime >= since


def _no_traceback(child: Child) -> None:
    assert not any("Traceback" in line or "Error" in line for line in child.errors), child.log()


# ---------------------------------------------------------------------- export
def test_ctrl_c_during_export_stops_within_seconds_and_the_export_resumes(
    slow_demo: RunningSandbox, tmp_path: Path
) -> None:
    clean = snapshot_of(slow_demo, tmp_path / "clean").counts()
    out = tmp_path / "snap"
    rng = random.Random(SEED)
    codes = []
    for _ in range(3):
        started = time.time()
        child = Child.start(slow_demo, tmp_path, "export", "--out", str(out))
        child.interrupt(_written_after(out / "manifest.json", started), rng.uniform(0.0, 1.5))
        codes.append(child.process.returncode)
        # -SIGINT: it had finished and was exiting (Python puts the default handler back then)
        assert child.process.returncode in (0, 130, -signal.SIGINT), child.log()
        _no_traceback(child)
        if child.process.returncode == 130:
            assert "resumes where it left off" in child.errors[-1], child.log()
    final = Child.start(slow_demo, tmp_path, "export", "--out", str(out))
    assert final.wait(60) == 0, final.log()
    snapshot = Snapshot.load(out)
    assert snapshot.complete
    assert snapshot.counts() == clean
    for part, rows in clean.items():
        assert snapshot._scan(part).select(pl.len()).collect().item() == rows
    assert 130 in codes, codes  # at least one interrupt landed during the export


# ---------------------------------------------------------------------- import
def _leads(path: Path, rows: int) -> Path:
    lines = ["Company,Website,Notes"]
    lines += [f"Lead {i},lead-{i}.example,First call with lead {i}" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_ctrl_c_during_an_import_stops_and_the_import_run_again_finishes_without_duplicates(
    tmp_path: Path,
) -> None:
    rows = 40
    leads = _leads(tmp_path / "leads.csv", rows)
    args = ["import", "csv", str(leads), "--object", "companies", "--match", "domains"]
    args += ["--column", "Company=name", "--column", "Website=domains", "--note-column", "Notes", "--yes"]
    rng = random.Random(SEED)
    with sandbox_server("empty", config=_slow(60)) as sb:
        for i in range(2):
            child = Child.start(sb, tmp_path, *args, "--work", str(tmp_path / f"work-{i}"))
            child.interrupt((tmp_path / f"work-{i}").exists, rng.uniform(0.2, 2.5))
            code = child.process.returncode
            assert code in (0, 4, 130, -signal.SIGINT), child.log()  # 4: the run stopped cleanly
            _no_traceback(child)
        again = Child.start(sb, tmp_path, *args, "--work", str(tmp_path / "work-again"))
        assert again.wait(60) in (0, 3), again.log()
        with AttioClient(sb.tokens["primary"], sb.base_url) as client:
            columns = {"Company": ["name"], "Website": ["domains"]}
            spec = CsvSpec(leads, "companies", "domains", columns, note=NoteColumns("Notes", None, None))
            planned = prepare_csv(client, spec, tmp_path / "check").result.table.frame
        assert planned.height == 0, planned  # nothing more to do
        with sb.http() as http:
            companies = _all(http, "/v2/objects/companies/records/query")
            notes = _all(http, "/v2/notes", page=50)
    domains = [v["domain"] for c in companies for v in c["values"]["domains"]]
    assert sorted(domains) == sorted(f"lead-{i}.example" for i in range(rows))  # each exactly once
    assert sorted(n["content_plaintext"] for n in notes) == sorted(
        f"First call with lead {i}" for i in range(rows)
    )


def _all(http: object, path: str, page: int = 500) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    while True:
        if path.endswith("/query"):
            answer = http.post(path, json={"limit": page, "offset": len(items)})  # type: ignore[attr-defined]
        else:
            answer = http.get(path, params={"limit": page, "offset": len(items)})  # type: ignore[attr-defined]
        data = answer.json()["data"]
        items += data
        if len(data) < page:
            return items


# ---------------------------------------------------------------------- apply
@pytest.fixture
def reviewed(slow_demo: RunningSandbox, tmp_path: Path) -> tuple[Path, Path]:
    """A snapshot of the slow demo and its note and entry findings, approved, written for review."""
    snapshot = snapshot_of(slow_demo, tmp_path / "snap")
    findings = note_and_entry_findings(slow_demo, snapshot, tmp_path).frame
    table = ActionTable(findings.head(APPLIED)).decide("approve")
    return table.write(tmp_path / "actions.parquet"), snapshot.path


def _run_ids(folder: Path) -> list[str]:
    root = folder / "backups"
    return sorted(p.name for p in root.iterdir() if (p / "plan.parquet").exists()) if root.exists() else []


def test_ctrl_c_during_apply_stops_cleanly_and_resume_finishes(
    slow_demo: RunningSandbox, reviewed: tuple[Path, Path], tmp_path: Path
) -> None:
    actions, snapshot = reviewed
    child = Child.start(slow_demo, tmp_path, "apply", str(actions), "--snapshot", str(snapshot), "--yes")
    took = child.interrupt(lambda: bool(_run_ids(tmp_path)), random.Random(SEED).uniform(0.5, 2.0))
    assert child.process.returncode == 4, child.log()  # stopped early: resume it
    assert took < STOP_SECONDS
    _no_traceback(child)
    (run_id,) = _run_ids(tmp_path)
    resumed = Child.start(slow_demo, tmp_path, "resume", run_id)
    assert resumed.wait(90) == 0, resumed.log()
    report = pl.read_parquet(tmp_path / "backups" / run_id / "report.parquet")
    assert set(report["status"]) == {"done"}, report.filter(pl.col("status") != "done")


# ---------------------------------------------------------------------- twice
def test_two_ctrl_cs_during_apply_end_it_at_once_without_a_traceback(
    slow_demo: RunningSandbox, reviewed: tuple[Path, Path], tmp_path: Path
) -> None:
    actions, snapshot = reviewed
    child = Child.start(slow_demo, tmp_path, "apply", str(actions), "--snapshot", str(snapshot), "--yes")
    took = child.interrupt(lambda: bool(_run_ids(tmp_path)), 1.0, times=2)
    assert child.process.returncode == 130, child.log()
    assert took < AT_ONCE_SECONDS
    _no_traceback(child)
    assert len(child.errors) <= 3, child.log()  # "stopping after the requests in flight", "stopped at once"
    assert "resume" in child.errors[-1]
    (run_id,) = _run_ids(tmp_path)
    resumed = Child.start(slow_demo, tmp_path, "resume", run_id)
    assert resumed.wait(90) == 0, resumed.log()


def test_two_ctrl_cs_during_export_end_it_at_once_without_a_traceback(
    slow_demo: RunningSandbox, tmp_path: Path
) -> None:
    out = tmp_path / "snap"
    child = Child.start(slow_demo, tmp_path, "export", "--out", str(out))
    took = child.interrupt((out / "manifest.json").exists, 0.3, times=2)
    # 130, or ended by the signal itself when the first Ctrl-C had already stopped it and Python, exiting,
    # had put back the default handler (a shell shows 130 for both)
    assert child.process.returncode in (130, -signal.SIGINT), child.log()
    assert took < AT_ONCE_SECONDS
    _no_traceback(child)
    assert len(child.errors) <= 2, child.log()


# ---------------------------------------------------------------------- the portal
def _interrupt_main_after(seconds: float) -> None:
    """A Ctrl-C for the main thread (the test's), from another thread."""
    import _thread

    threading.Timer(seconds, _thread.interrupt_main).start()


def test_a_ctrl_c_cancels_the_work_on_the_loop_and_waits_for_it_to_unwind() -> None:
    portal = Portal()
    unwound: list[str] = []

    async def work() -> None:
        try:
            await asyncio.sleep(30)
        finally:
            await asyncio.sleep(0.2)  # unwinding takes a moment
            unwound.append("done")

    try:
        _interrupt_main_after(0.3)
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            portal.run(work())
        assert unwound == ["done"]  # finished unwinding before KeyboardInterrupt reached the caller
        assert time.monotonic() - started < 2
        assert portal.run(asyncio.sleep(0, "still serving")) == "still serving"
    finally:
        portal.close()


def test_a_keyboard_interrupt_in_a_worker_thread_neither_kills_the_loop_nor_hangs() -> None:
    portal = Portal()

    def parse() -> None:
        raise KeyboardInterrupt  # what Polars does in the thread it computes in, on Ctrl-C

    async def raw() -> None:  # without in_thread's guard the KeyboardInterrupt escapes the task
        await asyncio.get_running_loop().run_in_executor(None, parse)

    try:
        for work in (in_thread(parse), raw()):
            with pytest.raises(KeyboardInterrupt):
                portal.run(work)
            assert portal.thread.is_alive()
            assert portal.run(asyncio.sleep(0, "still serving")) == "still serving"
    finally:
        portal.close()

"""Exporting over real HTTP: every exporter, the snapshot's shape, faults, resume, bad input, the CLI."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import orjson
import polars as pl
import pytest

from cleanup.client import AsyncAttioClient, AttioClient, AuthenticationError, TransportError
from cleanup.export import ExportError, Snapshot, SnapshotError, export, export_async
from cleanup.sandbox import SandboxConfig
from cleanup.testing import RunningSandbox, sandbox_server


async def no_sleep(_seconds: float) -> None:
    return None


async def short_sleep(seconds: float) -> None:
    """Real waits, capped: enough for a 429's window to pass, short for back-off."""
    await asyncio.sleep(min(seconds, 0.2))


def client_for(sb: RunningSandbox, **options: Any) -> AttioClient:
    options.setdefault("read_rps", 0)
    return AttioClient(sb.tokens["primary"], sb.base_url, **options)


def ids_in(snapshot: Snapshot, part: str, column: str) -> list[str]:
    frame = snapshot._scan(part).select(column).collect()
    return frame[column].to_list()


@pytest.fixture(scope="module")
def demo_export(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunningSandbox, Snapshot]:
    folder = tmp_path_factory.mktemp("snap") / "demo"
    with sandbox_server("demo", config=SandboxConfig(read_rps=0, write_rps=0)) as sb:
        with client_for(sb) as client:
            snapshot = export(client, folder, progress=False)
        yield sb, snapshot


def test_every_part_is_exported_completely(demo_export: tuple[RunningSandbox, Snapshot]) -> None:
    sb, snapshot = demo_export
    ws = sb.workspace
    assert snapshot.complete
    counts = ws.counts()
    for obj_id, records in ws.records.items():
        slug = ws.objects[obj_id].api_slug
        assert sorted(ids_in(snapshot, f"records/{slug}", "_id")) == sorted(records)
    assert sorted(ids_in(snapshot, "entries/pipeline", "_id")) == sorted(
        ws.entries[ws.list_def("pipeline").id]
    )
    assert sorted(ids_in(snapshot, "notes", "note_id")) == sorted(ws.notes)
    assert sorted(ids_in(snapshot, "tasks", "task_id")) == sorted(ws.tasks)
    assert snapshot.members().collect().height == counts["workspace_members"] == 8
    manifest = orjson.loads((snapshot.path / "manifest.json").read_bytes())
    assert manifest["counts"]["notes"] == counts["notes"]
    assert "people" in manifest["schema"]["objects"]
    assert not list(snapshot.path.rglob("*.part-*"))


def test_rows_keep_their_raw_json_and_flatten_to_typed_columns(
    demo_export: tuple[RunningSandbox, Snapshot],
) -> None:
    sb, snapshot = demo_export
    people = snapshot.records("people").collect()
    schema = people.schema
    assert schema["name"] == pl.Struct(
        {"first_name": pl.String, "last_name": pl.String, "full_name": pl.String}
    )
    assert schema["email_addresses"] == pl.List(pl.String)
    assert schema["company"] == pl.Struct({"target_object": pl.String, "target_record_id": pl.String})
    assert schema["created_at"] == pl.Datetime("ns", "UTC")
    row = people.row(0, named=True)
    raw = orjson.loads(row["_raw"])
    ws = sb.workspace
    assert raw == orjson.loads(ws.record_bytes(ws.records[ws.object("people").id][row["_id"]]))
    assert row["name"]["full_name"] == raw["values"]["name"][0]["full_name"]
    assert row["email_addresses"] == [v["email_address"] for v in raw["values"]["email_addresses"]]
    unset = people.filter(pl.col("job_title").is_null()).row(0, named=True)
    assert orjson.loads(unset["_raw"])["values"]["job_title"] == []
    companies = snapshot.records("companies").collect()
    assert companies.schema["categories"] == pl.List(pl.Struct({"id": pl.String, "title": pl.String}))
    entries = snapshot.entries("pipeline").collect()
    assert entries.schema["stage"] == pl.Struct({"id": pl.String, "title": pl.String})
    assert entries.schema["first_contact"] == pl.Date
    notes = snapshot.notes().collect()
    assert set(notes["created_by_actor_type"].unique()) == {"api-token", "workspace-member"}


def test_snapshot_load_errors(tmp_path: Path, demo_export: tuple[RunningSandbox, Snapshot]) -> None:
    with pytest.raises(SnapshotError, match=r"no manifest\.json"):
        Snapshot.load(tmp_path)
    _, snapshot = demo_export
    with pytest.raises(SnapshotError, match="has no records/nope"):
        snapshot.records("nope")


def test_subset_and_unknown_slugs(tmp_path: Path, demo_sandbox: RunningSandbox) -> None:
    with client_for(demo_sandbox) as client:
        snapshot = export(
            client,
            tmp_path / "some",
            objects=["deals"],
            lists=[],
            notes=False,
            tasks=False,
            members=False,
            progress=False,
        )
        assert set(snapshot.parts) == {"records/deals"}
        with pytest.raises(ExportError, match=r"unknown object slug\(s\): nope.*companies"):
            export(client, tmp_path / "bad", objects=["nope"], progress=False)
        with pytest.raises(ExportError, match="unknown list"):
            export(client, tmp_path / "bad", lists=["nope"], progress=False)
    assert not (tmp_path / "bad").exists()


def test_bad_token_and_unreachable_url(tmp_path: Path, demo_sandbox: RunningSandbox) -> None:
    with AttioClient("f" * 64, demo_sandbox.base_url) as client, pytest.raises(AuthenticationError):
        export(client, tmp_path / "a", progress=False)
    with (
        AttioClient("f" * 64, "http://127.0.0.1:9", sleep=no_sleep, max_attempts=2) as client,
        pytest.raises(TransportError),
    ):
        export(client, tmp_path / "b", progress=False)
    assert not (tmp_path / "a").exists()
    assert not (tmp_path / "b").exists()


def test_refuses_a_folder_with_other_content(tmp_path: Path, demo_sandbox: RunningSandbox) -> None:
    (tmp_path / "stuff.txt").write_text("mine")
    with client_for(demo_sandbox) as client, pytest.raises(ExportError, match="not empty"):
        export(client, tmp_path, objects=["deals"], progress=False)


def test_faults_lose_nothing_and_double_nothing(tmp_path: Path) -> None:
    config = SandboxConfig(read_rps=40, write_rps=0)
    with sandbox_server("demo", scale=0.2, config=config) as sb:
        with (
            sb.faults(error_rate=0.1, unauthorized_rate=0.05, drop_rate=0.05, seed=5),
            AttioClient(
                sb.tokens["primary"],
                sb.base_url,
                read_rps=0,
                policy="unattended",
                sleep=short_sleep,
                max_attempts=10,
            ) as client,
        ):
            snapshot = export(client, tmp_path / "faulty", progress=False)
            sent = client.aio.requests_sent
        ws = sb.workspace
        people = ids_in(snapshot, "records/people", "_id")
        assert len(people) == len(set(people)) == len(ws.records[ws.object("people").id])
        notes = ids_in(snapshot, "notes", "note_id")
        assert sorted(notes) == sorted(ws.notes)
        assert snapshot.complete
        assert sent > sum(1 for _ in snapshot.parts)  # the faults and 429s did cost retries


class CrashAfter(httpx.AsyncBaseTransport):
    """Passes requests through until the ``limit``-th one whose path starts with ``prefix``, which crashes."""

    def __init__(self, inner: httpx.AsyncBaseTransport, prefix: str, limit: int) -> None:
        self.inner, self.prefix, self.limit, self.seen = inner, prefix, limit, 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith(self.prefix):
            self.seen += 1
            if self.seen >= self.limit:
                raise RuntimeError("simulated crash")
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def test_an_interrupted_export_resumes_where_it_stopped(tmp_path: Path, demo_sandbox: RunningSandbox) -> None:
    folder = tmp_path / "resume"
    crash = CrashAfter(httpx.AsyncHTTPTransport(), "/v2/notes", 120)
    options = {
        "objects": ["deals"],
        "lists": [],
        "tasks": False,
        "members": False,
        "chunk_rows": 1000,
        "progress": False,
    }
    with (
        AttioClient(
            demo_sandbox.tokens["primary"], demo_sandbox.base_url, read_rps=0, transport=crash
        ) as client,
        pytest.raises(RuntimeError, match="simulated crash"),
    ):
        export(client, folder, **options)
    interrupted = orjson.loads((folder / "manifest.json").read_bytes())
    assert interrupted["complete"] is False
    assert interrupted["parts"]["records/deals"]["status"] == "complete"
    assert interrupted["parts"]["notes"]["status"] == "partial"
    done_before = interrupted["parts"]["notes"]["rows"]
    assert done_before >= 1000
    with pytest.raises(SnapshotError, match="incomplete"):
        Snapshot.load(folder, require_complete=True)
    note_requests: list[str] = []

    async def record(request: httpx.Request) -> None:
        if request.url.path == "/v2/notes":
            note_requests.append(request.url.params["offset"])

    with client_for(demo_sandbox, event_hooks={"request": [record]}) as client:
        snapshot = export(client, folder, **options)
    assert snapshot.complete
    assert min(int(o) for o in note_requests) == interrupted["parts"]["notes"]["next_offset"]
    notes = ids_in(snapshot, "notes", "note_id")
    assert sorted(notes) == sorted(demo_sandbox.workspace.notes)


def test_export_from_python_with_the_async_client(tmp_path: Path, demo_sandbox: RunningSandbox) -> None:
    async def run() -> Snapshot:
        async with AsyncAttioClient(
            demo_sandbox.tokens["primary"], demo_sandbox.base_url, read_rps=0
        ) as client:
            with pytest.raises(ExportError, match="export_async"):
                export(client, tmp_path / "wrong")  # type: ignore[arg-type]
            return await export_async(
                client,
                tmp_path / "async",
                objects=["deals"],
                lists=[],
                notes=False,
                tasks=False,
                progress=False,
            )

    assert asyncio.run(run()).records("deals").collect().height == 300


def test_cli_export_and_its_errors(tmp_path: Path, demo_sandbox: RunningSandbox) -> None:
    env = {
        **os.environ,
        "ATTIO_API_KEY": demo_sandbox.tokens["primary"],
        "ATTIO_BASE_URL": demo_sandbox.base_url,
        "COLUMNS": "200",
    }
    ok = subprocess.run(
        [
            sys.executable,
            "-m",
            "cleanup",
            "export",
            "--out",
            str(tmp_path / "cli"),
            "--objects",
            "deals",
            "--lists",
            "pipeline",
            "--no-notes",
            "--no-tasks",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "records/deals" in ok.stdout
    assert demo_sandbox.tokens["primary"] not in ok.stdout + ok.stderr
    bad = subprocess.run(
        [sys.executable, "-m", "cleanup", "export", "--out", str(tmp_path / "x"), "--objects", "nope"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 1
    assert "unknown object slug(s): nope" in bad.stdout
    wrong_key = subprocess.run(
        [sys.executable, "-m", "cleanup", "export", "--out", str(tmp_path / "y")],
        capture_output=True,
        text=True,
        env={**env, "ATTIO_API_KEY": "k" * 64},
        timeout=120,
        check=False,
    )
    assert wrong_key.returncode == 2
    assert "API key was not accepted" in wrong_key.stdout


def test_the_api_key_is_in_no_file_of_the_snapshot(demo_export: tuple[RunningSandbox, Snapshot]) -> None:
    sb, snapshot = demo_export
    secret = sb.tokens["primary"].encode()
    files = [p for p in snapshot.path.rglob("*") if p.is_file()]
    assert files
    for path in files:
        assert secret not in path.read_bytes(), path

"""`attio-cleanup doctor`: a read-only preflight. Against the demo sandbox with the full key, a read-only key,
an unknown one, an inactive one, none, and no server; what it says about sizes, endpoints, rate limits, the
newest snapshot and the runs folder; and that it writes nothing."""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from typer.testing import CliRunner

from cleanup.cli import app
from cleanup.doctor import EXIT_NOT_ALLOWED, EXIT_READY, EXIT_UNREACHABLE, Job, doctor
from cleanup.doctor.needs import NEEDS, fix, holds, missing
from cleanup.doctor.sizes import BUDGET, count_items
from cleanup.doctor.traffic import SCORE_HEADER, Traffic
from cleanup.export.snapshot import FORMAT
from cleanup.sandbox import SandboxConfig
from cleanup.testing import RunningSandbox, sandbox_server

JSON_KEYS = {
    "version",
    "exit_code",
    "ready",
    "checked_at",
    "seconds",
    "checked",
    "server",
    "token",
    "commands",
    "fixes",
    "capabilities",
    "rate_limits",
    "sizes",
    "snapshot",
    "runs",
    "legacy_runs",
    "problems",
    "warnings",
}


def _env(sb: RunningSandbox, token: str = "primary") -> dict[str, str]:
    return {"ATTIO_API_KEY": sb.tokens[token], "ATTIO_BASE_URL": sb.base_url, "COLUMNS": "100"}


def _run(args: list[str], env: dict[str, str]) -> Any:
    return CliRunner().invoke(app, ["doctor", *args], env=env)


def _json(result: Any) -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads(result.stdout)
    return data


@pytest.fixture
def unchanged(demo_sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Fails the test if the demo workspace changed: no write committed, the same counts after."""
    committed: list[str] = []

    def on_write(method: str, path: str, done: bool) -> None:
        if done:
            committed.append(f"{method} {path}")

    monkeypatch.setattr(demo_sandbox.config, "on_write", on_write)
    before = demo_sandbox.workspace.counts()
    yield committed
    assert committed == []
    assert demo_sandbox.workspace.counts() == before


# ---------------------------------------------------------------------------------------------- the CLI
def test_the_full_key_is_ready(demo_sandbox: RunningSandbox, unchanged: list[str], tmp_path: Path) -> None:
    result = _run(["--snapshots", str(tmp_path)], _env(demo_sandbox))
    assert result.exit_code == EXIT_READY, result.output
    out = result.output
    assert "Ready:" in out
    assert "Northwind Ventures" in out
    for name in ("Companies", "People", "Deals", "Deal pipeline"):  # as Attio shows them, not slugs
        assert name in out
    assert "15,600 records" in out
    assert "1,635 entries" in out
    assert "records merge, note update and value-history write" in out
    assert "nothing was written" in out
    assert demo_sandbox.tokens["primary"] not in out


def test_json_has_stable_keys_and_never_the_key(
    demo_sandbox: RunningSandbox, unchanged: list[str], tmp_path: Path
) -> None:
    result = _run(["--json", "--snapshots", str(tmp_path)], _env(demo_sandbox))
    assert result.exit_code == EXIT_READY, result.output
    assert demo_sandbox.tokens["primary"] not in result.output
    data = _json(result)
    assert set(data) == JSON_KEYS
    assert data["exit_code"] == 0
    assert data["ready"] is True
    assert data["problems"] == []
    assert set(data["token"]) == {
        "configured",
        "active",
        "level",
        "scopes",
        "workspace",
        "authorized_by",
        "problem",
    }
    assert data["token"]["active"] is True
    assert data["token"]["level"] == "workspace"
    assert data["token"]["workspace"]["name"] == "Northwind Ventures"
    assert {c["job"]: c["state"] for c in data["commands"]} == {
        "export": "ready",
        "review": "no_api",
        "apply": "ready",
        "restore": "ready",
        "import-affinity": "ready",
        "import-csv": "ready",
        "sandbox": "no_api",
    }
    caps = data["capabilities"]
    assert (caps["merge"], caps["note_update"], caps["history_write"]) == (True, True, True)
    assert {c["verdict"] for c in caps["checks"]} == {"present"}
    counts = demo_sandbox.workspace.counts()
    sizes = {(s["kind"], s["slug"]): s for s in data["sizes"]}
    assert sizes[("object", "people")]["name"] == "People"
    for (kind, slug), size in sizes.items():
        assert size["exact"] is True
        assert size["count"] == counts[f"{'records' if kind == 'object' else 'entries'}:{slug}"]
    limits = data["rate_limits"]
    assert (limits["reads_per_second"], limits["writes_per_second"]) == (100, 25)
    assert limits["rate_limited"] == 0
    assert limits["requests"] > 0
    assert data["snapshot"] == {"searched": str(tmp_path), "newest": None}
    assert data["runs"]["path"] == os.environ["ATTIO_CLEANUP_BACKUP_ROOT"]


def test_a_read_only_key_names_the_commands_and_the_scopes_to_add(
    demo_sandbox: RunningSandbox, unchanged: list[str], tmp_path: Path
) -> None:
    env = _env(demo_sandbox, "readonly")
    result = _run(["--snapshots", str(tmp_path)], env)
    assert result.exit_code == EXIT_NOT_ALLOWED, result.output
    out = " ".join(result.output.split())  # as one line, whatever the wrapping
    assert "Not ready: apply, resume, restore, import affinity and import csv cannot run" in out
    assert "Attio → Workspace settings → Developers → your integration" in out
    assert "note:read-write to delete, re-date and move notes (it may only read now)" in out
    data = _json(_run(["--json", "--snapshots", str(tmp_path)], env))
    assert data["exit_code"] == EXIT_NOT_ALLOWED
    fixes = {f["scope"]: f for f in data["fixes"]}
    assert set(fixes) == {
        "record_permission:read-write",
        "note:read-write",
        "list_entry:read-write",
        "task:read-write",
        "object_configuration:read-write",
        "list_configuration:read-write",
    }
    assert fixes["note:read-write"]["fix"].startswith(
        "Add the scope `note:read-write` to the token (it has `note:read` only) in "
        "Attio → Workspace settings → Developers → your integration"
    )
    assert fixes["task:read-write"]["commands"] == ["apply", "resume", "restore"]
    states = {c["job"]: c["state"] for c in data["commands"]}
    assert states["export"] == "ready"
    assert states["apply"] == "blocked"
    assert "apply, resume cannot run" in " ".join(data["problems"])
    # what the key can do is enough for an export
    only_export = _run(["--for", "export", "--json", "--snapshots", str(tmp_path)], env)
    assert only_export.exit_code == EXIT_READY, only_export.output
    assert _json(only_export)["checked"] == ["export"]


def test_an_unknown_key_is_not_accepted(demo_sandbox: RunningSandbox, tmp_path: Path) -> None:
    unknown = secrets.token_hex(32)
    env = {**_env(demo_sandbox), "ATTIO_API_KEY": unknown}
    result = _run(["--snapshots", str(tmp_path)], env)
    assert result.exit_code == EXIT_NOT_ALLOWED, result.output
    assert "the API key cannot be used" in result.output
    assert "not accepted" in result.output
    assert unknown not in result.output
    data = _json(_run(["--json", "--snapshots", str(tmp_path)], env))
    assert data["token"]["active"] is False
    assert data["capabilities"] is None
    assert data["sizes"] is None
    assert unknown not in orjson.dumps(data).decode()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_no_server_is_a_clear_error_with_its_own_exit_code(tmp_path: Path) -> None:
    env = {"ATTIO_API_KEY": "k" * 64, "ATTIO_BASE_URL": f"http://127.0.0.1:{_free_port()}", "COLUMNS": "100"}
    result = _run(["--snapshots", str(tmp_path)], env)
    assert result.exit_code == EXIT_UNREACHABLE, result.output
    assert "Cannot check" in result.output
    assert "Could not reach http://127.0.0.1" in result.output
    assert "ATTIO_BASE_URL" in result.output
    data = _json(_run(["--json", "--snapshots", str(tmp_path)], env))
    assert data["server"]["reachable"] is False
    assert "could not reach" in data["server"]["problem"]
    assert {c["state"] for c in data["commands"] if c["job"] == "export"} == {"unknown"}


def test_no_key_says_where_to_put_one(tmp_path: Path) -> None:
    result = _run(["--snapshots", str(tmp_path)], {"ATTIO_BASE_URL": "http://127.0.0.1:9", "COLUMNS": "100"})
    assert result.exit_code == EXIT_NOT_ALLOWED, result.output
    assert "No Attio API key: set ATTIO_API_KEY" in " ".join(result.output.split())


def test_a_malformed_base_url_cannot_be_reached(tmp_path: Path) -> None:
    report = doctor("ftp://attio.test", token="k" * 64, snapshots=tmp_path)
    assert report.exit_code == EXIT_UNREACHABLE
    assert "must start with http" in report.problems()[0]


# ---------------------------------------------------------------------------------------------- /v2/self
def _fake_attio(me: dict[str, Any]) -> httpx.MockTransport:
    """Attio as far as the doctor asks: /v2/self as given, no objects, no lists, no newer endpoints."""

    def answer(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/v2/self":
            return httpx.Response(200, json=me)
        if request.method == "GET" and path in ("/v2/objects", "/v2/lists"):
            return httpx.Response(200, json={"data": []})
        message = f'Could not find endpoint "{request.method} {path}".'
        return httpx.Response(404, json={"status_code": 404, "code": "not_found", "message": message})

    return httpx.MockTransport(answer)


def test_an_inactive_key_is_told_by_active_not_by_the_status(tmp_path: Path) -> None:
    """Attio answers an unknown or revoked key with 200 {"active": false}."""
    report = doctor(
        "http://attio.test", token="k" * 64, snapshots=tmp_path, transport=_fake_attio({"active": False})
    )
    assert report.exit_code == EXIT_NOT_ALLOWED
    assert report.live is not None
    assert report.live.token.active is False
    assert "not active" in report.problems()[0]
    assert "revoked" in report.problems()[0]
    assert report.to_json()["token"]["active"] is False


def test_a_user_level_key_and_absent_endpoints_are_said(tmp_path: Path) -> None:
    me = {
        "active": True,
        "token_level": "user",
        "scope": "object_configuration:read list_configuration:read record_permission:read list_entry:read",
        "workspace_id": "w1",
        "workspace_name": "Acme",
        "workspace_slug": "acme",
    }
    report = doctor(
        "http://attio.test", token="k" * 64, jobs=["review"], snapshots=tmp_path, transport=_fake_attio(me)
    )
    assert report.exit_code == EXIT_READY
    assert any("user-level token" in w for w in report.warnings())
    facts = " ".join(report.facts())
    assert "lacks the records merge (merges are done by hand)" in facts
    assert report.capabilities is not None
    assert report.capabilities.unknown == ()


# ---------------------------------------------------------------------------------------------- rate limits
def test_429s_and_query_scores_are_reported(tmp_path: Path) -> None:
    config = SandboxConfig(read_rps=3, write_rps=0, merge_rps=0, query_score_limit=10**6)
    with sandbox_server("empty", config=config) as sb:
        report = doctor(sb.base_url, token=sb.tokens["primary"], snapshots=tmp_path)
    assert report.exit_code == EXIT_READY, report.problems()
    limits = report.rate_limits
    assert limits is not None
    assert limits.rate_limited > 0
    assert limits.retry_after
    assert limits.retry_after[-1].endswith("GMT")
    assert limits.query_score_max is not None
    assert "refused" in limits.sentence()
    assert "record queries scored up to" in limits.sentence()
    assert any("for rate during this check" in w for w in report.warnings())


def test_the_traffic_hook_counts_answers() -> None:
    traffic = Traffic()
    request = httpx.Request("POST", "http://attio.test/v2/objects/people/records/query")

    async def answers() -> None:
        retry = {"Retry-After": "Tue, 23 May 2023 14:42:01 GMT"}
        await traffic(httpx.Response(429, headers=retry, request=request))
        await traffic(httpx.Response(200, headers={SCORE_HEADER: "12.5"}, request=request))
        await traffic(httpx.Response(200, headers={SCORE_HEADER: "n/a"}, request=request))

    asyncio.run(answers())
    assert (traffic.answers, traffic.rate_limited, traffic.scores) == (3, 1, [12.5])
    assert traffic.retry_after == ["Tue, 23 May 2023 14:42:01 GMT"]


# ---------------------------------------------------------------------------------------------- on disk
def _snapshot(folder: Path, workspace_id: str, finished: datetime, *, complete: bool = True) -> None:
    folder.mkdir(parents=True)
    manifest = {
        "format": FORMAT,
        "version": 1,
        "parts": {},
        "schema": {"workspace_id": workspace_id, "workspace_name": "Northwind Ventures"},
        "started_at": (finished - timedelta(minutes=5)).isoformat(),
        "finished_at": finished.isoformat(),
        "complete": complete,
    }
    (folder / "manifest.json").write_bytes(orjson.dumps(manifest))


def test_the_newest_snapshot_of_the_workspace_and_its_age(
    demo_sandbox: RunningSandbox, unchanged: list[str], tmp_path: Path
) -> None:
    workspace_id = demo_sandbox.workspace.id
    now = datetime.now(UTC)
    _snapshot(tmp_path / "old", workspace_id, now - timedelta(days=30))
    _snapshot(tmp_path / "acme" / "last-week", workspace_id, now - timedelta(days=10))
    _snapshot(tmp_path / "other", "another-workspace", now - timedelta(hours=1))
    report = doctor(
        demo_sandbox.base_url, token=demo_sandbox.tokens["primary"], snapshots=tmp_path, sizes=False
    )
    newest = report.to_json()["snapshot"]["newest"]
    assert newest["path"] == str(tmp_path / "acme" / "last-week")
    assert newest["stale"] is True
    assert newest["complete"] is True
    assert 10 * 86400 - 60 < newest["age_seconds"] < 10 * 86400 + 60
    assert "exported 10 days ago" in " ".join(report.facts())
    assert any("10 days old" in w and "export again" in w for w in report.warnings())
    assert report.exit_code == EXIT_READY  # an old snapshot is worth a look, not a failure


def test_a_runs_folder_others_can_read_is_flagged(
    demo_sandbox: RunningSandbox, unchanged: list[str], tmp_path: Path
) -> None:
    runs = tmp_path / "runs"
    (runs / "20261124T054500Z-1a2b3c").mkdir(parents=True)
    (runs / "20261124T054500Z-1a2b3c" / "plan.parquet").write_bytes(b"")
    os.chmod(runs, 0o755)
    os.chmod(runs / "20261124T054500Z-1a2b3c", 0o700)
    report = doctor(
        demo_sandbox.base_url,
        token=demo_sandbox.tokens["primary"],
        snapshots=tmp_path,
        runs=runs,
        sizes=False,
    )
    data = report.to_json()["runs"]
    assert (data["exists"], data["owner_only"], data["runs"]) == (True, False, 1)
    assert data["open_to_others"] == [str(runs)]
    assert any(f"chmod -R go= '{runs}'" in w for w in report.warnings())
    assert f"Runs are kept in {runs}: readable by others, 1 run." in report.facts()
    os.chmod(runs, 0o700)
    assert doctor(
        demo_sandbox.base_url, token=demo_sandbox.tokens["primary"], runs=runs, sizes=False
    ).runs.owner_only


# ---------------------------------------------------------------------------------------------- pieces
@pytest.mark.parametrize("n", [0, 1, 2, 9, 10, 11, 49, 50, 99, 100, 101, 1234, 5200, 15_600, 1_000_007])
def test_counts_are_exact_within_the_budget(n: int) -> None:
    asked: list[tuple[int, int]] = []

    async def take(offset: int, limit: int) -> int:
        asked.append((offset, limit))
        return max(0, min(limit, n - offset))

    size = asyncio.run(count_items(take))
    assert (size.count, size.exact) == (n, True)
    assert size.requests == len(asked) <= BUDGET
    assert all(limit <= 50 for _, limit in asked)  # never a heavy page


@pytest.mark.parametrize(("n", "budget"), [(15_600, 8), (10**8 + 3, BUDGET), (123_456_789, 12)])
def test_a_count_cut_short_is_a_lower_bound(n: int, budget: int) -> None:
    async def take(offset: int, limit: int) -> int:
        return max(0, min(limit, n - offset))

    size = asyncio.run(count_items(take, budget=budget))
    assert not size.exact
    assert 0 < size.count <= n
    assert size.requests <= budget
    assert size.words().startswith("at least ")


@pytest.mark.parametrize(
    ("held", "needed", "ok"),
    [
        ({"note:read"}, "note:read", True),
        ({"note:read-write"}, "note:read", True),
        ({"note:read"}, "note:read-write", False),
        ({"note:read-write"}, "note:read-write", True),
        ({"task:read-write"}, "note:read", False),
    ],
)
def test_a_read_write_scope_holds_the_read_one(held: set[str], needed: str, ok: bool) -> None:
    assert holds(held, needed) is ok


def test_each_command_group_names_what_it_needs_and_the_fix() -> None:
    assert not NEEDS[Job.review].calls_api
    assert not NEEDS[Job.sandbox].calls_api
    assert [u.scope for u in missing(NEEDS[Job.export], {"object_configuration:read"})][:2] == [
        "list_configuration:read",
        "record_permission:read",
    ]
    assert fix("note:read-write", held=[], used_by=["apply"]) == (
        "Add the scope `note:read-write` to the token in "
        "Attio → Workspace settings → Developers → your integration: apply needs it."
    )

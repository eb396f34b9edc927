"""The client over real HTTP against the sandbox: auth, errors, retries by error class, rate limits,
ambiguous writes, pagination, and use from inside a running event loop."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from cleanup.client import (
    AmbiguousWriteError,
    AsyncAttioClient,
    AttioClient,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    NotFoundError,
    ServerError,
    TransportError,
)
from cleanup.client.pagination import pages_in_flight
from cleanup.sandbox import SandboxConfig
from cleanup.testing import RunningSandbox, sandbox_server

COMPANY = {"data": {"values": {"name": "Acme"}}}


async def no_sleep(_seconds: float) -> None:
    return None


@pytest.fixture
def client(empty_sandbox: RunningSandbox) -> Iterator[AttioClient]:
    with AttioClient(
        empty_sandbox.tokens["primary"], empty_sandbox.base_url, read_rps=0, write_rps=0, sleep=no_sleep
    ) as c:
        yield c


def companies(sb: RunningSandbox) -> int:
    return len(sb.workspace.records[sb.workspace.object("companies").id])


def test_token_comes_from_the_environment_and_never_shows(
    empty_sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = empty_sandbox.tokens["primary"]
    monkeypatch.setenv("ATTIO_API_KEY", secret)
    monkeypatch.setenv("ATTIO_BASE_URL", empty_sandbox.base_url)
    with AttioClient() as c:
        assert c.get("/v2/self")["workspace_name"] == "Sandbox"
        assert secret not in repr(c)
        assert secret not in repr(c.aio)
        with pytest.raises(NotFoundError) as caught:
            c.get("/v2/objects/nope")
    assert secret not in str(caught.value)
    assert secret not in repr(caught.value)
    assert caught.value.code == "not_found"


def test_missing_token_is_a_clear_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("keyring.get_password", lambda *_: None)
    with pytest.raises(ConfigurationError, match="ATTIO_API_KEY"):
        AttioClient()
    with pytest.raises(ConfigurationError, match="http"):
        AttioClient("x" * 64, "ftp://example.com")
    with pytest.raises(ConfigurationError, match="policy"):
        AttioClient("x" * 64, policy="sometimes")  # type: ignore[arg-type]


def _locals_shown(error: BaseException) -> list[str]:
    """What an error tracker recording locals keeps: the repr of every local of every frame of the
    traceback and of the errors it chains (a repr that raises shows as such; ours must not)."""
    shown: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frame = current.__traceback__
        while frame is not None:
            for name, value in list(frame.tb_frame.f_locals.items()):
                if isinstance(value, AttioClient | AsyncAttioClient):
                    shown.append(repr(value))  # a half-built client: its repr works
                    continue
                try:
                    shown.append(f"{name}={value!r}")
                except Exception as failed:  # httpx's half-built URL, for one
                    shown.append(f"{name}=<repr failed: {type(failed).__name__}>")
            frame = frame.tb_next
        current = current.__cause__ or current.__context__
    return shown


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({"base_url": "ftp://example.com"}, id="scheme"),
        pytest.param({"base_url": "http://[::1"}, id="refused-by-httpx"),
        pytest.param({"base_url": "http://127.0.0.1:9", "policy": "sometimes"}, id="policy"),
    ],
)
@pytest.mark.parametrize("kind", [AttioClient, AsyncAttioClient])
def test_a_constructor_that_fails_keeps_the_key_out_of_every_frame(
    kind: type[AttioClient | AsyncAttioClient], options: dict[str, Any]
) -> None:
    with pytest.raises((ConfigurationError, httpx.InvalidURL)) as caught:
        kind(token="sk-secret", **options)
    shown = _locals_shown(caught.value)
    assert any("token=ApiKey('***')" in line for line in shown)
    assert not [line for line in shown if "sk-secret" in line]
    assert "sk-secret" not in str(caught.value)


def test_the_repr_never_shows_the_key_nor_raises() -> None:
    with AttioClient(token="sk-secret", base_url="http://127.0.0.1:9") as client:
        assert repr(client) == "AttioClient(base_url='http://127.0.0.1:9', policy='interactive', token='***')"
        assert "sk-secret" not in repr(client.aio) + repr(vars(client.aio))
    half = AttioClient.__new__(AttioClient)  # as a constructor that failed leaves it
    assert repr(half) == "AttioClient(base_url=None, policy=None, token='***')"
    assert "token='***'" in repr(AsyncAttioClient.__new__(AsyncAttioClient))


def test_keyring_is_asked_when_the_environment_is_silent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "keyring.get_password",
        lambda service, user: "k" * 64 if (service, user) == ("attio-cleanup", "api-key") else None,
    )
    with AttioClient(base_url="http://127.0.0.1:9") as c:
        assert c.base_url == "http://127.0.0.1:9"


def test_error_answers_map_to_the_tree(client: AttioClient) -> None:
    with pytest.raises(BadRequestError) as bad:
        client.post("/v2/objects/companies/records", {"data": {"values": {"name": 42}}})
    assert bad.value.status == 400
    assert bad.value.code == "validation_type"
    assert bad.value.validation_errors
    assert "POST" in str(bad.value)
    with pytest.raises(NotFoundError):
        client.get("/v2/objects/companies/records")


def test_401_fails_fast_when_interactive(empty_sandbox: RunningSandbox) -> None:
    with AttioClient("f" * 64, empty_sandbox.base_url, sleep=no_sleep) as c:
        with pytest.raises(AuthenticationError):
            c.get("/v2/self")
        assert c.aio.requests_sent == 1


def test_spurious_401s_are_retried_when_unattended(empty_sandbox: RunningSandbox) -> None:
    token = empty_sandbox.tokens["primary"]
    with empty_sandbox.faults(unauthorized_rate=0.5, seed=3):
        with AttioClient(
            token, empty_sandbox.base_url, policy="unattended", sleep=no_sleep, max_attempts=12
        ) as c:
            for _ in range(10):
                assert c.get("/v2/objects")["data"]
            assert c.aio.requests_sent > 10
        with AttioClient(token, empty_sandbox.base_url, sleep=no_sleep) as c:

            def ten_reads() -> None:
                for _ in range(10):
                    c.get("/v2/objects")

            with pytest.raises(AuthenticationError):
                ten_reads()


def test_5xx_and_dropped_reads_are_retried(empty_sandbox: RunningSandbox, client: AttioClient) -> None:
    with empty_sandbox.faults(error_rate=0.4, drop_rate=0.2, seed=11):
        for _ in range(15):
            assert client.post("/v2/objects/companies/records/query", {"limit": 1}) == {"data": []}
    assert client.aio.requests_sent > 15


def test_failed_create_that_may_have_happened_is_not_resent(
    empty_sandbox: RunningSandbox, client: AttioClient
) -> None:
    for fault in ({"drop_after_rate": 1.0}, {"error_after_rate": 1.0}):
        before = companies(empty_sandbox)
        sent = client.aio.requests_sent
        with empty_sandbox.faults(**fault), pytest.raises(AmbiguousWriteError) as caught:
            client.post("/v2/objects/companies/records", COMPANY)
        assert client.aio.requests_sent == sent + 1
        assert companies(empty_sandbox) == before + 1  # it did happen: the caller must look before retrying
        assert "may or may not" in str(caught.value)


def test_create_that_failed_before_processing_is_ambiguous_too_but_idempotent_writes_retry(
    empty_sandbox: RunningSandbox, client: AttioClient
) -> None:
    before = companies(empty_sandbox)
    with empty_sandbox.faults(drop_rate=1.0, methods=["POST"]), pytest.raises(AmbiguousWriteError):
        client.post("/v2/objects/companies/records", COMPANY)
    assert companies(empty_sandbox) == before
    with empty_sandbox.faults(error_rate=0.5, seed=2):
        made = client.put(
            "/v2/objects/companies/records",
            {"data": {"values": {"domains": ["acme.com"]}}},
            {"matching_attribute": "domains"},
        )
    assert made["data"]["values"]["domains"][0]["domain"] == "acme.com"


def test_unreachable_server_is_a_transport_error() -> None:
    with (
        AttioClient("x" * 64, "http://127.0.0.1:9", sleep=no_sleep, max_attempts=2) as c,
        pytest.raises(TransportError) as caught,
    ):
        c.get("/v2/self")
    assert caught.value.attempts == 2
    assert "ConnectError" in str(caught.value)


def test_server_429s_are_waited_out_and_nothing_is_doubled() -> None:
    config = SandboxConfig(read_rps=100, write_rps=4)
    statuses: list[int] = []

    async def record(response: httpx.Response) -> None:
        statuses.append(response.status_code)

    with sandbox_server("empty", config=config) as sb:
        with AttioClient(
            sb.tokens["primary"], sb.base_url, write_rps=0, event_hooks={"response": [record]}
        ) as c:

            async def burst() -> None:
                await asyncio.gather(
                    *(
                        c.aio.post("/v2/objects/companies/records", {"data": {"values": {"name": f"C{i}"}}})
                        for i in range(12)
                    )
                )

            started = time.perf_counter()
            c.run(burst())
            elapsed = time.perf_counter() - started
        assert 429 in statuses
        assert companies(sb) == 12
        names = {
            r.values[sb.workspace.attribute("companies", "name").id][0]["value"]
            for r in sb.workspace.records[sb.workspace.object("companies").id].values()
        }
        assert names == {f"C{i}" for i in range(12)}
        assert elapsed >= 1.0  # 12 writes at 4/s span at least three one-second windows


@pytest.mark.parametrize(
    "script",
    [
        [429] * 8 + [503, 200],  # a long wait at the limit leaves the 5xx its own attempts
        [503] + [429] * 8 + [200],  # and a fault first does not shorten the wait
        [429] * 3 + [401, 429, 200],  # a spurious 401 between 429s (unattended)
    ],
)
def test_429s_and_faults_are_counted_apart(script: list[int]) -> None:
    answers = iter(script)
    seen: list[int] = []

    def answer(_request: httpx.Request) -> httpx.Response:
        status = next(answers)
        seen.append(status)
        if status == 200:
            return httpx.Response(200, json={"data": {"ok": True}})
        headers = {"Retry-After": "0"} if status == 429 else {}
        return httpx.Response(status, json={"status_code": status, "type": "x", "code": "x"}, headers=headers)

    async def run() -> Any:
        async with AsyncAttioClient(
            "k" * 64,
            "http://attio.test",
            transport=httpx.MockTransport(answer),
            policy="unattended",
            sleep=no_sleep,
            max_attempts=2,
            read_rps=0,
        ) as c:
            return await c.get("/v2/self")

    assert asyncio.run(run()) == {"data": {"ok": True}}
    assert seen == script


def test_attempts_still_run_out_when_the_faults_go_on() -> None:
    sent: list[int] = []

    def answer(_request: httpx.Request) -> httpx.Response:
        sent.append(503)
        return httpx.Response(503, json={"status_code": 503, "type": "x", "code": "x"})

    async def run() -> Any:
        async with AsyncAttioClient(
            "k" * 64,
            "http://attio.test",
            transport=httpx.MockTransport(answer),
            sleep=no_sleep,
            max_attempts=3,
        ) as c:
            return await c.get("/v2/self")

    with pytest.raises(ServerError):
        asyncio.run(run())
    assert len(sent) == 3


def test_client_side_limit_keeps_clear_of_429() -> None:
    config = SandboxConfig(read_rps=100, write_rps=5)
    statuses: list[int] = []

    async def record(response: httpx.Response) -> None:
        statuses.append(response.status_code)

    with (
        sandbox_server("empty", config=config) as sb,
        AttioClient(sb.tokens["primary"], sb.base_url, write_rps=5, event_hooks={"response": [record]}) as c,
    ):

        async def burst() -> None:
            await asyncio.gather(*(c.aio.post("/v2/objects/companies/records", COMPANY) for _ in range(12)))

        c.run(burst())
    assert statuses == [200] * 12


def test_pagination_is_concurrent_in_order_and_complete(demo_sandbox: RunningSandbox) -> None:
    seen: list[str] = []

    async def record(request: httpx.Request) -> None:
        seen.append(request.url.path)

    with AttioClient(
        demo_sandbox.tokens["primary"], demo_sandbox.base_url, read_rps=0, event_hooks={"request": [record]}
    ) as c:
        people = c.all_items("POST", "/v2/objects/people/records/query", page_size=500, concurrency=8)
        notes = c.all_items("GET", "/v2/notes", page_size=50, concurrency=16)
    ws = demo_sandbox.workspace
    assert [p["id"]["record_id"] for p in people] == list(ws.records[ws.object("people").id])
    assert len(notes) == len(ws.notes)
    assert len({n["id"]["note_id"] for n in notes}) == len(notes)
    pages_needed = len(people) // 500 + 1
    assert pages_needed <= seen.count("/v2/objects/people/records/query") <= pages_needed + 8


def test_pagination_error_propagates(demo_sandbox: RunningSandbox) -> None:
    with (
        AttioClient(demo_sandbox.tokens["primary"], demo_sandbox.base_url, read_rps=0) as c,
        pytest.raises(NotFoundError),
    ):
        c.all_items("POST", "/v2/objects/nope/records/query", page_size=500)


def test_sync_client_works_inside_a_running_event_loop(empty_sandbox: RunningSandbox) -> None:
    async def notebook_cell() -> Any:
        with AttioClient(empty_sandbox.tokens["primary"], empty_sandbox.base_url) as c:
            return c.get("/v2/self")["workspace_name"]

    assert asyncio.run(notebook_cell()) == "Sandbox"


def test_async_client_with_an_in_process_transport(empty_sandbox: RunningSandbox) -> None:
    transport = httpx.ASGITransport(app=empty_sandbox.sandbox.app)

    async def run() -> Any:
        async with AsyncAttioClient(
            empty_sandbox.tokens["primary"], "http://sandbox", transport=transport
        ) as c:
            return await c.get("/v2/objects")

    assert {o["api_slug"] for o in asyncio.run(run())["data"]} >= {"people", "companies"}


@pytest.mark.parametrize(
    ("rate", "latency", "paginations", "cap", "window"),
    [
        (100, None, 1, 32, 32),  # nothing measured yet: the cap
        (100, 0.15, 1, 32, 19),  # 100/s x 0.15 s, a quarter to spare
        (100, 0.15, 3, 32, 7),  # shared by three paginations
        (100, 0.001, 1, 32, 2),  # never fewer than two...
        (100, 0.001, 1, 1, 1),  # ...unless the caller allows only one
        (100, 5.0, 1, 32, 32),  # never more than the cap
        (0, 0.15, 1, 12, 12),  # no limit: the cap
    ],
)
def test_the_window_is_what_keeps_the_read_limit_busy_through_the_latency(
    rate: float, latency: float | None, paginations: int, cap: int, window: int
) -> None:
    assert pages_in_flight(rate, latency, paginations, cap) == window


def test_pagination_spends_few_requests_past_the_last_page(demo_sandbox: RunningSandbox) -> None:
    sent: list[str] = []

    async def record(request: httpx.Request) -> None:
        sent.append(request.url.path)

    sb = demo_sandbox
    with (
        sb.faults(latency_ms=100),
        AttioClient(sb.tokens["primary"], sb.base_url, event_hooks={"request": [record]}) as c,
    ):
        c.get("/v2/self")  # a first latency to size the window by
        people = c.all_items("POST", "/v2/objects/people/records/query", page_size=500, concurrency=64)
    assert [p["id"]["record_id"] for p in people] == list(
        sb.workspace.records[sb.workspace.object("people").id]
    )
    beyond = sent.count("/v2/objects/people/records/query") - (len(people) // 500 + 1)
    # 100 reads/s through ~0.1 s of latency needs ~13 requests in flight, not the 64 allowed
    assert 0 <= beyond <= 20


CONFLICT = {
    "status_code": 409,
    "type": "invalid_request_error",
    "code": "concurrent_write_conflict",
    "message": "The record was modified by another request while this write was being validated. Please try again.",
}


def conflicted_client(answers: list[int], seen: list[str]) -> AsyncAttioClient:
    script = iter(answers)

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.method)
        status = next(script)
        if status == 409:
            return httpx.Response(409, json=CONFLICT)
        return httpx.Response(200, json={"data": {"id": {"record_id": "r1"}}})

    return AsyncAttioClient(
        "k" * 64, "http://attio.test", transport=httpx.MockTransport(answer), sleep=no_sleep, write_rps=0
    )


def test_a_write_conflict_is_sent_again_when_the_write_is_repeatable() -> None:
    seen: list[str] = []

    async def run() -> Any:
        async with conflicted_client([409, 409, 200], seen) as c:
            return await c.patch("/v2/objects/companies/records/r1", {"data": {"values": {}}})

    assert asyncio.run(run())["data"]["id"]["record_id"] == "r1"
    assert seen == ["PATCH"] * 3


def test_a_create_that_met_a_write_conflict_is_looked_for_not_resent() -> None:
    seen: list[str] = []

    async def run() -> Any:
        async with conflicted_client([409, 200], seen) as c:
            return await c.post("/v2/objects/companies/records", {"data": {"values": {}}})

    with pytest.raises(AmbiguousWriteError) as caught:
        asyncio.run(run())
    assert seen == ["POST"]
    assert "concurrent_write_conflict" in str(caught.value)
    assert "look for" in str(caught.value)


def test_an_export_under_a_workspace_score_budget_adapts_and_loses_nothing(tmp_path: Any) -> None:
    from cleanup.export import export

    config = SandboxConfig(read_rps=0, write_rps=0, query_score_budget=24.0, query_score_window_s=1.0)
    statuses: list[int] = []
    times: list[float] = []

    async def record(response: httpx.Response) -> None:
        if response.request.url.path.endswith("/query"):
            statuses.append(response.status_code)
            times.append(time.monotonic())

    with sandbox_server("demo", scale=0.2, config=config) as sb:
        with AttioClient(
            sb.tokens["primary"],
            sb.base_url,
            read_rps=0,
            query_window=1.0,
            event_hooks={"response": [record]},
        ) as c:
            snapshot = export(c, tmp_path / "snap", notes=False, tasks=False, members=False, progress=False)
            estimate = c.aio.query_budget.estimate
        people = sb.workspace.records[sb.workspace.object("people").id]
    assert snapshot.complete
    assert snapshot.records("people").select("_id").collect().height == len(people)
    assert 429 in statuses  # the budget was met...
    assert estimate is not None  # ...and the client paced itself under what it learnt
    learnt = (
        times[statuses.index(429)] + 1.0
    )  # the queries in flight when the budget was first met are refused
    settled = [status for status, at in zip(statuses, times, strict=True) if at > learnt]
    assert settled.count(200) > 10
    assert settled.count(429) <= 3  # after which the client keeps itself under what it learnt

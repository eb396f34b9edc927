"""The capability probe: which of the newer endpoints (records merge, note update, value-history write) a
server has, told apart from unknown routes by requests that cannot change anything."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest

from cleanup.client import AttioClient
from cleanup.client.capabilities import (
    INVALID_BODY,
    NIL,
    ServerCapabilities,
    probe_capabilities,
    server_capabilities,
    verdict_of,
)
from cleanup.client.errors import (
    AmbiguousWriteError,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    ServerError,
    TransportError,
    error_for,
)
from cleanup.sandbox import SandboxConfig
from cleanup.testing import RunningSandbox, sandbox_server

ALL = frozenset({"merge", "note_update", "history_write"})


@pytest.fixture(scope="module")
def present() -> Iterator[RunningSandbox]:
    """An empty workspace with every endpoint (the default config)."""
    with sandbox_server("empty", config=SandboxConfig(read_rps=0, write_rps=0, merge_rps=0)) as sb:
        yield sb


@pytest.fixture(scope="module")
def absent() -> Iterator[RunningSandbox]:
    """An empty workspace whose server lacks all three newer endpoints."""
    config = SandboxConfig(read_rps=0, write_rps=0, merge_rps=0, absent=ALL)
    with sandbox_server("empty", config=config) as sb:
        yield sb


def _client(
    sb: RunningSandbox, token: str = "primary", sent: list[httpx.Request] | None = None
) -> AttioClient:
    hooks: dict[str, list[Any]] = {}
    if sent is not None:

        async def keep(request: httpx.Request) -> None:
            sent.append(request)

        hooks["request"] = [keep]
    return AttioClient(sb.tokens[token], sb.base_url, event_hooks=hooks)


def _found(caps: ServerCapabilities) -> tuple[bool, bool, bool]:
    return caps.merge, caps.note_update, caps.history_write


def test_a_server_with_every_endpoint_has_all_three(present: RunningSandbox) -> None:
    with _client(present) as client:
        caps = server_capabilities(client)
    assert _found(caps) == (True, True, True)
    assert caps.unknown == ()
    # each route answered the empty request with a refusal of its own, never "could not find endpoint"
    assert {c.name: c.status for c in caps.checks}["merge"] == 400
    assert all(c.status in (400, 404) and c.verdict == "present" for c in caps.checks)


def test_absent_endpoints_answer_as_unknown_routes(absent: RunningSandbox) -> None:
    with _client(absent) as client:
        caps = server_capabilities(client)
    assert _found(caps) == (False, False, False)
    assert all(c.verdict == "absent" and c.status == 404 for c in caps.checks)
    assert "does not know this route" in caps.check("note_update").reason


@pytest.mark.parametrize("name", sorted(ALL))
def test_each_endpoint_is_told_apart_on_its_own(name: str) -> None:
    config = SandboxConfig(read_rps=0, write_rps=0, merge_rps=0, absent=frozenset({name}))
    with sandbox_server("empty", config=config) as sb, _client(sb) as client:
        caps = server_capabilities(client)
    assert {c.name: c.present for c in caps.checks} == {n: n != name for n in ALL}


def test_the_old_merge_switch_counts_as_absent() -> None:
    config = SandboxConfig(read_rps=0, write_rps=0, merge_rps=0, merge_endpoint=False)
    with sandbox_server("empty", config=config) as sb, _client(sb) as client:
        assert server_capabilities(client).merge is False


def test_a_read_only_token_still_finds_the_routes(present: RunningSandbox, absent: RunningSandbox) -> None:
    """A 403 comes from a route that exists (the token may not use it); an absent route is a 404 first."""
    with _client(present, "readonly") as client:
        caps = server_capabilities(client)
    assert _found(caps) == (True, True, True)
    assert {c.status for c in caps.checks} == {403}
    assert "may not use it" in caps.check("merge").reason
    with _client(absent, "readonly") as client:
        assert _found(server_capabilities(client)) == (False, False, False)


def test_the_probes_cannot_change_anything(present: RunningSandbox) -> None:
    """Each probe goes to the all-zero uuid with a body lacking every field its endpoint requires, and the
    server commits no write."""
    committed: list[str] = []

    def on_write(method: str, path: str, done: bool) -> None:
        if done:
            committed.append(f"{method} {path}")

    before = present.workspace.counts()
    sent: list[httpx.Request] = []
    present.config.on_write = on_write
    try:
        with _client(present, sent=sent) as client:
            client.run(probe_capabilities(client.aio, object_slug="people"))
    finally:
        present.config.on_write = None
    assert committed == []
    assert present.workspace.counts() == before
    assert sorted((r.method, r.url.path) for r in sent) == [
        ("PATCH", f"/v2/notes/{NIL}"),
        ("POST", "/v2/objects/people/records/merge"),
        ("PUT", f"/v2/objects/people/records/{NIL}/attributes/name/values"),
    ]
    assert all(orjson.loads(r.content) == INVALID_BODY for r in sent)
    for required in ("primary_record_id", "secondary_record_id", "values", "replace_history", "content"):
        assert all(required not in r.content.decode() for r in sent)


def _api(status: int, code: str, message: str) -> Any:
    body = {"status_code": status, "type": "x", "code": code, "message": message}
    return error_for(status, body, method="POST", url="http://x/v2/y")


@pytest.mark.parametrize(
    ("error", "verdict"),
    [
        (
            _api(404, "not_found", 'Could not find endpoint "POST /v2/objects/people/records/merge".'),
            "absent",
        ),
        (_api(405, "method_not_allowed", "Method not allowed"), "absent"),
        (_api(404, "not_found", f'Note with ID "{NIL}" was not found.'), "present"),
        (_api(404, "not_found", "The referenced object was not found."), "present"),
        (_api(400, "validation_type", "Body payload validation error."), "present"),
        (_api(403, "missing_scopes", "The API token is missing the required scope(s)."), "present"),
        (_api(401, "unauthorized", "The API key provided could not be authenticated."), "unknown"),
        (_api(503, "internal_server_error", "An unexpected error occurred."), "unknown"),
        (TransportError("ConnectError", method="POST", url="http://x"), "unknown"),
        (AmbiguousWriteError("answered 502", method="POST", url="http://x"), "unknown"),
    ],
)
def test_verdicts_by_answer(error: Exception, verdict: str) -> None:
    assert verdict_of(error)[0] == verdict


def test_the_error_classes_the_verdicts_rely_on() -> None:
    assert isinstance(_api(400, "validation_type", ""), BadRequestError)
    assert isinstance(_api(401, "unauthorized", ""), AuthenticationError)
    assert isinstance(_api(403, "missing_scopes", ""), PermissionDeniedError)
    assert isinstance(_api(404, "not_found", ""), NotFoundError)
    assert isinstance(_api(500, "x", ""), ServerError)


def test_a_refused_key_leaves_every_capability_unknown() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"status_code": 401, "code": "unauthorized", "message": "no"})

    with AttioClient("k" * 64, "http://attio.test", transport=httpx.MockTransport(answer)) as client:
        caps = server_capabilities(client)
    assert _found(caps) == (False, False, False)
    assert sorted(caps.unknown) == sorted(ALL)

"""The aiohttp transport: which failures count as "never sent" (safe to send again) and which as "may have
been received", over real sockets, and that answers reach httpx as the server sent them."""

from __future__ import annotations

import asyncio
import gzip
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import httpx
import orjson
import pytest

from cleanup.client import AmbiguousWriteError, AsyncAttioClient, TransportError
from cleanup.client.transport import AiohttpTransport, _as_httpx_errors

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
REQUEST = httpx.Request("POST", "http://127.0.0.1/v2/notes")


async def no_sleep(_seconds: float) -> None:
    return None


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (aiohttp.ConnectionTimeoutError("pool or connect timed out"), httpx.ConnectTimeout),
        (
            aiohttp.ClientConnectorError(
                aiohttp.client_reqrep.ConnectionKey("h", 1, False, True, None, None, None),
                OSError(111, "Connection refused"),
            ),
            httpx.ConnectError,
        ),
        (aiohttp.InvalidURL("not a url"), httpx.UnsupportedProtocol),
        (aiohttp.SocketTimeoutError("read timed out"), httpx.ReadTimeout),
        (aiohttp.ServerDisconnectedError(), httpx.ReadError),
        (aiohttp.ClientOSError(104, "Connection reset by peer"), httpx.ReadError),
        (aiohttp.ClientPayloadError("Response payload is not completed"), httpx.ReadError),
        (ConnectionResetError(104, "reset"), httpx.ReadError),
    ],
)
def test_only_failures_to_connect_count_as_never_sent(raised: Exception, expected: type[Exception]) -> None:
    with pytest.raises(httpx.TransportError) as caught, _as_httpx_errors(REQUEST):
        raise raised
    assert type(caught.value) is expected
    assert caught.value.__cause__ is raised


async def _read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        (
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        ),
        0,
    )
    return head + (await reader.readexactly(length) if length else b"")


def _client(base_url: str, **options: Any) -> AsyncAttioClient:
    return AsyncAttioClient("k" * 64, base_url, sleep=no_sleep, read_rps=0, write_rps=0, **options)


def against(behaviour: Handler, scenario: Callable[[str, list[bytes]], Awaitable[None]]) -> list[bytes]:
    """Run ``scenario(base_url, requests seen)`` against a raw HTTP server on loopback that reads each request
    and then does ``behaviour``; returns every request the server read."""
    seen: list[bytes] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                seen.append(await _read_request(reader))
                await behaviour(reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handler, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            await scenario(f"http://127.0.0.1:{port}", seen)
        finally:
            server.close()
            await server.wait_closed()

    asyncio.run(main())
    return seen


def test_a_create_whose_connection_closes_unanswered_is_ambiguous_and_sent_once() -> None:
    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.transport.abort()
        raise ConnectionResetError

    async def scenario(base_url: str, seen: list[bytes]) -> None:
        async with _client(base_url) as client:
            with pytest.raises(AmbiguousWriteError) as caught:
                await client.post("/v2/notes", {"data": {"title": "t"}})
        shown = f"{caught.value} {caught.value!r} {caught.value.__cause__!r} {caught.value.__context__!r}"
        assert "k" * 64 not in shown  # the key is in no message of the error or what it came from

    assert len(against(hang_up, scenario)) == 1  # received once, never re-sent


def test_a_create_left_unanswered_times_out_as_ambiguous() -> None:
    async def stall(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(3)

    async def scenario(base_url: str, seen: list[bytes]) -> None:
        async with _client(base_url, timeout=0.3) as client:
            with pytest.raises(AmbiguousWriteError) as caught:
                await client.post("/v2/notes", {"data": {"title": "t"}})
            assert "ReadTimeout" in str(caught.value)

    assert len(against(stall, scenario)) == 1


def test_a_refused_connection_is_never_sent_so_a_create_is_tried_again() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async def scenario() -> None:
        async with _client(f"http://127.0.0.1:{port}", max_attempts=3) as client:
            with pytest.raises(TransportError) as caught:
                await client.post("/v2/notes", {"data": {"title": "t"}})
        assert not isinstance(caught.value, AmbiguousWriteError)
        assert caught.value.attempts == 3
        assert "ConnectError" in str(caught.value)

    asyncio.run(scenario())


def test_answers_arrive_as_sent_gzip_decoded_by_httpx_over_one_kept_alive_connection() -> None:
    body = gzip.compress(orjson.dumps({"data": {"workspace_name": "Demo"}}))
    connections: set[int] = set()

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.add(id(writer))
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
            + f"Content-Length: {len(body)}\r\nX-Attio-Execution-Id: e1\r\n\r\n".encode()
            + body
        )
        await writer.drain()

    async def scenario(base_url: str, seen: list[bytes]) -> None:
        async with _client(base_url) as client:
            for _ in range(3):
                assert await client.get("/v2/self") == {"data": {"workspace_name": "Demo"}}
            response = await client.request_raw("GET", "/v2/self")
            assert response.headers["x-attio-execution-id"] == "e1"

    seen = against(answer, scenario)
    assert len(seen) == 4
    assert len(connections) == 1
    assert b"authorization: bearer " + b"k" * 64 in seen[0].lower()


def test_the_session_is_made_in_the_running_loop_and_closed_with_the_client() -> None:
    async def scenario() -> aiohttp.ClientSession:
        transport = AiohttpTransport(max_connections=2)
        async with httpx.AsyncClient(transport=transport) as http:
            with pytest.raises(httpx.ConnectError):
                await http.get("http://127.0.0.1:9/")
            session = transport._session
            assert session is not None
            assert not session.closed
        assert transport._session is None
        return session

    assert asyncio.run(scenario()).closed

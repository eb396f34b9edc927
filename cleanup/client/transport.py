"""httpx over aiohttp: the client keeps httpx's API (requests, event hooks, injectable transports) and
receives through aiohttp's C HTTP parser and event-driven connection pool.

Why not httpcore, httpx's own transport: on every request its pool polls each pooled socket for
readability and asks anyio for the socket's attributes (encode/httpcore#928), and its pure-Python HTTP/1.1
reader handles a large body in small pieces. Receiving one 2 MB records page cost the client 11-22 ms of
CPU that way and 4-6 ms through aiohttp, and an export at the rate limit receives 100 such pages a second.

Why not the ``httpx-aiohttp`` adapter: it maps every ``aiohttp.ClientConnectionError``, including a server
dropping the connection after the request was sent, to ``httpx.ConnectTimeout``, which the client must read
as "never sent, safe to send again" — a create would be re-sent blindly. Here an error is a
``ConnectError``/``ConnectTimeout`` only when aiohttp failed to connect (nothing was sent); anything later is
a ``ReadError``/``ReadTimeout``, which the client treats as "may have been applied". (aiohttp itself sends
an idempotent request — GET, PUT, DELETE — once more when a reused keep-alive connection turns out closed,
as RFC 9112 §9.3.1 allows; never a POST.)
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from contextlib import contextmanager

import aiohttp
import httpx

# Drop a pooled connection idle this long: shorter than the idle timeouts of common servers (uvicorn: 5 s),
# so a connection the server is about to close is not picked for a request.
KEEPALIVE_SECONDS = 4.0


@contextmanager
def _as_httpx_errors(request: httpx.Request) -> Iterator[None]:
    """Raise aiohttp's errors as httpx's, telling "never sent" apart from "may have been received"."""
    try:
        yield
    except aiohttp.ConnectionTimeoutError as exc:  # connecting (or waiting for a pooled connection) timed out
        raise httpx.ConnectTimeout(str(exc) or "timed out connecting", request=request) from exc
    except aiohttp.ClientConnectorError as exc:  # refused, DNS, TLS handshake: nothing was sent
        raise httpx.ConnectError(str(exc), request=request) from exc
    except aiohttp.InvalidURL as exc:
        raise httpx.UnsupportedProtocol(str(exc), request=request) from exc
    except aiohttp.SocketTimeoutError as exc:  # sent (perhaps in part), no answer in time
        raise httpx.ReadTimeout(str(exc) or "timed out reading the answer", request=request) from exc
    except aiohttp.ClientError as exc:  # dropped, reset or a malformed answer after the request went out
        raise httpx.ReadError(f"{type(exc).__name__}: {exc}", request=request) from exc
    except (TimeoutError, ConnectionError) as exc:
        raise httpx.ReadError(f"{type(exc).__name__}: {exc}", request=request) from exc


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An ``httpx.AsyncBaseTransport`` sending through one ``aiohttp.ClientSession`` (made on first use, in the
    running event loop). Bodies are read whole, as the client always does; content encodings are left to
    httpx. Proxies come from the environment, as with httpx; certificates are checked against certifi's
    bundle, as httpx does."""

    def __init__(self, *, max_connections: int = 32, ssl_context: ssl.SSLContext | None = None) -> None:
        self.max_connections = max_connections
        self._ssl = ssl_context
        self._session: aiohttp.ClientSession | None = None

    def _session_for_loop(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self.max_connections,
                limit_per_host=0,
                keepalive_timeout=KEEPALIVE_SECONDS,
                ssl=self._ssl or httpx.create_ssl_context(),
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                trust_env=True,
                auto_decompress=False,
                skip_auto_headers=("User-Agent", "Accept-Encoding", "Content-Type"),
            )
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._session_for_loop()
        limits = request.extensions.get("timeout", {})
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=limits.get("pool"),
            sock_connect=limits.get("connect"),
            sock_read=limits.get("read"),
        )
        body = await request.aread()
        headers = [(k, v) for k, v in request.headers.multi_items() if k.lower() != "host"]
        with _as_httpx_errors(request):
            async with session.request(
                request.method,
                str(request.url),
                headers=headers,
                data=body or None,
                allow_redirects=False,
                timeout=timeout,
            ) as answer:
                content = await answer.read()
                return httpx.Response(
                    answer.status,
                    headers=answer.raw_headers,
                    stream=httpx.ByteStream(content),
                    request=request,
                    extensions={"http_version": b"HTTP/1.1", "reason_phrase": (answer.reason or "").encode()},
                )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


__all__ = ["KEEPALIVE_SECONDS", "AiohttpTransport"]

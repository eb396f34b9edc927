"""The Attio REST API v2 client: auth, rate limits, retries by error class, concurrent pagination.

``AsyncAttioClient`` is the engine; ``AttioClient`` is the same API for scripts and notebooks (it runs
the engine on a background event loop, so it works inside Jupyter's running loop too).

>>> client = AttioClient()                     # ATTIO_API_KEY (or the keyring), ATTIO_BASE_URL
>>> client.get("/v2/self")["workspace_name"]   # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Generator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal, TypeVar

import httpx
import orjson
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception
from tenacity.stop import stop_base

from . import endpoints
from .calls import HistoryValue, NoteFormat, history_body, note_update_body
from .congestion import WINDOW, QueryBudget, score_of
from .endpoints import Target
from .errors import (
    AmbiguousWriteError,
    AuthenticationError,
    ConfigurationError,
    RateLimitError,
    ServerError,
    TransportError,
    WriteConflictError,
    error_for,
)
from .pagination import pages_in_flight, paginate
from .policy import backoff, counts_as_read, is_repeatable, is_scored, retry_after_seconds
from .portal import Portal, in_worker
from .ratelimit import SlidingWindowLimiter
from .transport import AiohttpTransport

DEFAULT_BASE_URL = "https://api.attio.com"
KEYRING_SERVICE = "attio-cleanup"
Policy = Literal["interactive", "unattended"]
T = TypeVar("T")
QUERY_SCORE = "x-attio-record-query-score"  # a query's score, when Attio sends it (undocumented)
log = logging.getLogger(__name__)
JSON = dict[str, Any]
P = TypeVar("P")
# Endpoints with a limit of their own, on top of the read/write limits.
SPECIAL_LIMITS = {"/records/merge": 5.0}
# Errors raised before the request left the machine: always safe to send again.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def resolve_token(token: str | None) -> str:
    """The API key: the argument, else ``ATTIO_API_KEY``, else the system keyring (service ``attio-cleanup``)."""
    if token:
        return token
    from_env = os.environ.get("ATTIO_API_KEY", "").strip()
    if from_env:
        return from_env
    try:
        import keyring

        stored = keyring.get_password(KEYRING_SERVICE, "api-key")
    except Exception:  # no keyring backend on this machine: fall through to the clear error below
        stored = None
    if stored:
        return stored
    raise ConfigurationError(
        "No Attio API key: set ATTIO_API_KEY, store one with "
        "`keyring set attio-cleanup api-key`, or pass token= to the client."
    )


class ApiKey:
    """An API key that never shows: its ``repr`` and ``str`` are ``ApiKey('***')``, so a traceback, a log line
    or an error tracker recording a frame's locals holds it only wrapped. :meth:`reveal` gives it to the one
    place that sends it (the ``Authorization`` header of each request).

    >>> ApiKey("sk-…")
    ApiKey('***')
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    @classmethod
    def wrap(cls, token: str | ApiKey | None) -> ApiKey | None:
        """``token`` wrapped (``None`` for no token or an empty one)."""
        if token is None or isinstance(token, ApiKey):
            return token
        return cls(token) if token else None

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "ApiKey('***')"

    __str__ = __repr__


class _Bearer(httpx.Auth):
    """Puts the key on each request as it goes out, so the httpx client itself never holds it (its
    constructor's locals included)."""

    def __init__(self, key: ApiKey) -> None:
        self._key = key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._key.reveal()}"
        yield request


class _Stop(stop_base):
    """Stop after ``limit`` failed attempts, or after ``rate_limited`` 429 answers.

    The two are counted apart: a run of 429s while the limit window drains must not use up the attempts
    a 5xx or a dropped connection is owed (nor the reverse). One instance serves one request.
    """

    def __init__(self, limit: int, rate_limited: int) -> None:
        self.limit = limit
        self.rate_limited = rate_limited
        self.failures = 0
        self.throttled = 0

    def __call__(self, retry_state: RetryCallState) -> bool:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(exc, RateLimitError):
            self.throttled += 1
            return self.throttled >= self.rate_limited
        self.failures += 1
        return self.failures >= self.limit


class AsyncAttioClient:
    """Async client for Attio's REST API v2 (or the sandbox).

    ``policy="interactive"`` fails fast on 401; ``"unattended"`` retries 401s with back-off (Attio answers
    spurious 401s under load). Rates are requests per second per bucket (0 turns a limit off). Record and
    entry queries are also paced under the score budget Attio's 429s reveal, over a sliding window of
    ``query_window`` seconds (Attio's is 10: see :mod:`cleanup.client.congestion`).
    """

    def __init__(
        self,
        token: str | ApiKey | None = None,
        base_url: str | None = None,
        *,
        policy: Policy = "interactive",
        read_rps: float = 100,
        write_rps: float = 25,
        max_attempts: int = 6,
        rate_limited_attempts: int = 30,
        timeout: float = 60.0,
        transport: httpx.AsyncBaseTransport | None = None,
        event_hooks: Mapping[str, list[Callable[..., Any]]] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        max_connections: int = 32,
        query_window: float = WINDOW,
    ) -> None:
        token = ApiKey.wrap(token)  # first, before anything can raise: no frame holds the key in clear
        if policy not in ("interactive", "unattended"):
            raise ConfigurationError(f"policy must be 'interactive' or 'unattended', not {policy!r}")
        self._key = token or ApiKey(resolve_token(None))
        self.base_url = (base_url or os.environ.get("ATTIO_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        if not self.base_url.startswith(("http://", "https://")):
            raise ConfigurationError(
                f"ATTIO_BASE_URL must start with http:// or https://, got {self.base_url!r}"
            )
        self.policy = policy
        self.max_attempts = max_attempts
        self.rate_limited_attempts = rate_limited_attempts
        self._sleep = sleep
        self.read_limiter = SlidingWindowLimiter(read_rps, sleep=sleep)
        self.write_limiter = SlidingWindowLimiter(write_rps, sleep=sleep)
        self._special = {
            suffix: SlidingWindowLimiter(rate, sleep=sleep) for suffix, rate in SPECIAL_LIMITS.items()
        }
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            headers={"Accept": "application/json"},
            auth=_Bearer(self._key),
            timeout=httpx.Timeout(timeout, connect=min(10.0, timeout)),
            transport=transport or AiohttpTransport(max_connections=max_connections),
            event_hooks=dict(event_hooks or {}),
        )
        self.requests_sent = 0
        self._took: deque[float] = deque(maxlen=64)  # seconds the last requests took once sent
        self.query_budget = QueryBudget(window=query_window)  # record and entry queries, paced under 429s
        self._paginations = 0  # paginations running now, sharing the read limit
        self.parse_workers = min(2, os.cpu_count() or 1)
        self._pool: ThreadPoolExecutor | None = None

    def _parser_pool(self) -> ThreadPoolExecutor:
        """Threads that parse pages off the event loop; as many as cores, so they do not thrash."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self.parse_workers, thread_name_prefix="attio-parse")
        return self._pool

    def __repr__(self) -> str:  # safe on a client whose constructor failed half way
        base_url, policy = getattr(self, "base_url", None), getattr(self, "policy", None)
        return f"AsyncAttioClient(base_url={base_url!r}, policy={policy!r}, token='***')"

    async def aclose(self) -> None:
        await self._http.aclose()
        if self._pool is not None:
            self._pool.shutdown(wait=False)

    async def __aenter__(self) -> AsyncAttioClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # ------------------------------------------------------------------ the request pipeline
    def _limiters(self, method: str, path: str) -> list[SlidingWindowLimiter]:
        limiters = [self.read_limiter if counts_as_read(method, path) else self.write_limiter]
        limiters += [lim for suffix, lim in self._special.items() if path.rstrip("/").endswith(suffix)]
        return limiters

    async def request_raw(
        self, method: str, path: str, *, json: Any = None, params: Mapping[str, Any] | None = None
    ) -> httpx.Response:
        """Send one API request with rate limiting and retries; returns the successful response.

        Raises an :class:`ApiError` subclass for error answers, :class:`TransportError` when no answer came,
        and :class:`AmbiguousWriteError` when a create failed in a way that may have taken effect.
        """
        method = method.upper()
        repeatable = is_repeatable(method, path)
        attempts = 0

        def should_retry(exc: BaseException) -> bool:
            if isinstance(exc, RateLimitError):
                return True
            if isinstance(exc, AuthenticationError):
                return self.policy == "unattended"
            if isinstance(exc, AmbiguousWriteError):
                return False
            return isinstance(exc, ServerError | TransportError | WriteConflictError)

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            hinted = getattr(exc, "retry_after", None)
            return float(hinted) if hinted is not None else backoff(state.attempt_number)

        retrying = AsyncRetrying(
            stop=_Stop(self.max_attempts, self.rate_limited_attempts),
            wait=wait,
            retry=retry_if_exception(should_retry),
            sleep=self._sleep,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                attempts += 1
                return await self._send_once(method, path, json, params, repeatable, attempts)
        raise AssertionError("unreachable: tenacity either returns or raises")  # pragma: no cover

    async def _send_once(
        self,
        method: str,
        path: str,
        json: Any,
        params: Mapping[str, Any] | None,
        repeatable: bool,
        attempts: int,
    ) -> httpx.Response:
        if is_scored(method, path):  # scored by Attio: paced under the budget its 429s reveal
            async with self.query_budget.query(path):
                response = await self._answer(method, path, json, params, repeatable, attempts)
            score = score_of(response.headers.get(QUERY_SCORE))
            if score is not None:
                log.debug("%s %s scored %s", method, path, score)
            if response.status_code == 429:
                self.query_budget.refused(path)
            elif response.is_success:
                self.query_budget.answered(path, score)
        else:
            response = await self._answer(method, path, json, params, repeatable, attempts)
        return self._judged(response, method, path, repeatable, attempts)

    async def _answer(
        self,
        method: str,
        path: str,
        json: Any,
        params: Mapping[str, Any] | None,
        repeatable: bool,
        attempts: int,
    ) -> httpx.Response:
        """Send the request once (within the rate limits) and read its answer, whatever its status."""
        for limiter in self._limiters(method, path):
            await limiter.acquire()
        url = f"{self.base_url}{path}"
        content = orjson.dumps(json) if json is not None else None
        headers = {"Content-Type": "application/json"} if content is not None else None
        self.requests_sent += 1
        loop = asyncio.get_running_loop()
        sent_at = loop.time()
        try:
            response = await self._http.request(method, path, content=content, params=params, headers=headers)
            await response.aread()
        except _NOT_SENT as exc:
            raise TransportError(_describe(exc), method=method, url=url, attempts=attempts) from None
        except httpx.TransportError as exc:
            if not repeatable:
                raise AmbiguousWriteError(
                    f"{_describe(exc)}; it may or may not have been applied",
                    method=method,
                    url=url,
                    attempts=attempts,
                ) from None
            raise TransportError(_describe(exc), method=method, url=url, attempts=attempts) from None
        if response.is_success:
            self._took.append(loop.time() - sent_at)
        return response

    def _judged(
        self, response: httpx.Response, method: str, path: str, repeatable: bool, attempts: int
    ) -> httpx.Response:
        """The response when it succeeded; else the error it is, raised (a 429 pauses the limiters)."""
        if response.is_success:
            return response
        url = f"{self.base_url}{path}"
        loop = asyncio.get_running_loop()
        body = _json_or_none(response.content)
        if response.status_code >= 500 and not repeatable:
            raise AmbiguousWriteError(
                f"answered {response.status_code}; it may or may not have been applied",
                method=method,
                url=url,
                attempts=attempts,
            )
        error = error_for(response.status_code, body, method=method, url=url, attempts=attempts)
        if isinstance(error, WriteConflictError) and not repeatable:
            raise AmbiguousWriteError(
                f"answered 409 {error.code}: look for what it may have made before sending it again",
                method=method,
                url=url,
                attempts=attempts,
            )
        if isinstance(error, RateLimitError):
            delay = retry_after_seconds(response.headers.get("Retry-After"))
            error.retry_after = delay if delay is not None else backoff(attempts)  # type: ignore[attr-defined]
            if not is_scored(method, path):  # a query's 429 is its score budget's, which paces queries alone
                loop_now = loop.time()
                for limiter in self._limiters(method, path):
                    limiter.pause_until(loop_now + error.retry_after)  # type: ignore[attr-defined]
        raise error

    async def request(
        self, method: str, path: str, *, json: Any = None, params: Mapping[str, Any] | None = None
    ) -> Any:
        """Send a request and return its parsed JSON body."""
        response = await self.request_raw(method, path, json=json, params=params)
        return orjson.loads(response.content) if response.content else None

    async def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return await self.request("GET", path, params=params)

    async def post(self, path: str, json: Any = None) -> Any:
        return await self.request("POST", path, json=json)

    async def put(self, path: str, json: Any = None, params: Mapping[str, Any] | None = None) -> Any:
        return await self.request("PUT", path, json=json, params=params)

    async def patch(self, path: str, json: Any = None) -> Any:
        return await self.request("PATCH", path, json=json)

    async def delete(self, path: str) -> Any:
        return await self.request("DELETE", path)

    # ------------------------------------------------------------------ pagination
    # ------------------------------------------------------------------ typed calls (attio-api-2026.md §2-3)
    async def update_note(
        self,
        note_id: str,
        *,
        title: str | None = None,
        content: str | None = None,
        format: NoteFormat | None = None,
    ) -> JSON:
        """Change a note's title and/or content in place (its id, parent, date and author stay); returns the
        note as Attio now has it."""
        body = note_update_body(title=title, content=content, format=format)
        return dict((await self.patch(endpoints.note(note_id), body))["data"])

    async def read_history(self, target: Target, identifier: str, item_id: str, attribute: str) -> list[JSON]:
        """Every value an attribute of a record (``target="objects"``) or list entry (``"lists"``) has held,
        oldest first, each with ``active_from`` and ``active_until``."""
        path = endpoints.attribute_values(target, identifier, item_id, attribute)
        return list((await self.get(path, {"show_historic": "true"}))["data"])

    async def write_history(
        self, target: Target, identifier: str, item_id: str, attribute: str, values: Sequence[HistoryValue]
    ) -> list[JSON]:
        """Replace an attribute's whole history on a record or list entry with ``values`` (beta; Attio keeps
        nothing of the history it had). Returns the values as Attio now holds them."""
        path = endpoints.attribute_values(target, identifier, item_id, attribute)
        return list((await self.put(path, history_body(values)))["data"])

    def pages(
        self,
        method: str,
        path: str,
        *,
        page_size: int,
        parse: Callable[[bytes], P],
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        concurrency: int = 16,
        start: int = 0,
        parse_in_thread: bool = False,
    ) -> AsyncIterator[P]:
        """Every page of a limit/offset endpoint from ``start``, in order, up to ``concurrency`` in flight at
        once (fewer when fewer keep the read limit busy: see :func:`~cleanup.client.pagination.pages_in_flight`).

        Each page's body is handed to ``parse`` (which returns something with a ``len``: the page's item
        count); the end is the first short page. ``parse_in_thread`` parses off the event loop, for parsers
        that release the GIL (Polars' JSON reader does).
        """

        async def fetch(offset: int) -> P:
            query = {"limit": page_size, "offset": offset}
            if method.upper() == "GET":
                response = await self.request_raw("GET", path, params={**(params or {}), **query})
            else:
                response = await self.request_raw(method, path, json={**(body or {}), **query})
            if parse_in_thread:
                loop = asyncio.get_running_loop()
                return await loop.run_in_executor(self._parser_pool(), in_worker(parse), response.content)
            return parse(response.content)

        def window() -> int:
            return pages_in_flight(self.read_limiter.rate, self.latency, self._paginations, concurrency)

        async def counted() -> AsyncIterator[P]:
            self._paginations += 1
            try:
                async for page in paginate(
                    fetch, _length, page_size=page_size, concurrency=window, start=start
                ):
                    yield page
            finally:
                self._paginations -= 1

        return counted()

    @property
    def latency(self) -> float | None:
        """The round trip of a request with no queue in front of it: the fastest of the last 64 answers
        (queues at a busy server or a busy client only lengthen the others)."""
        return min(self._took) if self._took else None

    async def all_items(
        self,
        method: str,
        path: str,
        *,
        page_size: int,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        concurrency: int = 16,
    ) -> list[Any]:
        """Every item of a paginated endpoint, parsed."""
        items: list[Any] = []
        pages = self.pages(
            method,
            path,
            page_size=page_size,
            parse=parse_data,
            body=body,
            params=params,
            concurrency=concurrency,
        )
        async for page in pages:
            items += page
        return items


def parse_data(content: bytes) -> list[Any]:
    """The ``data`` array of a response body."""
    data: list[Any] = orjson.loads(content)["data"]
    return data


def _length(page: Any) -> int:
    return len(page)


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _json_or_none(content: bytes) -> Any:
    try:
        return orjson.loads(content) if content else None
    except orjson.JSONDecodeError:
        return None


class AttioClient:
    """The synchronous client, for scripts and notebooks: the same arguments and methods as
    :class:`AsyncAttioClient`, each returning its result directly."""

    def __init__(
        self, token: str | ApiKey | None = None, base_url: str | None = None, **options: Any
    ) -> None:
        token = ApiKey.wrap(token)  # first, before anything can raise: no frame holds the key in clear
        self._portal = Portal()

        async def make() -> AsyncAttioClient:
            return AsyncAttioClient(token, base_url, **options)

        try:
            self.aio = self._portal.run(make())
        except BaseException:
            self._portal.close()
            raise

    def __repr__(self) -> str:  # safe on a client whose constructor failed half way
        aio = getattr(self, "aio", None)
        base_url, policy = getattr(aio, "base_url", None), getattr(aio, "policy", None)
        return f"AttioClient(base_url={base_url!r}, policy={policy!r}, token='***')"

    @property
    def base_url(self) -> str:
        return self.aio.base_url

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine of :attr:`aio` (the async client) to completion. Ctrl-C cancels it, waits a few
        seconds for it to unwind and raises ``KeyboardInterrupt`` (see :mod:`cleanup.client.portal`)."""
        return self._portal.run(coro)

    def request(
        self, method: str, path: str, *, json: Any = None, params: Mapping[str, Any] | None = None
    ) -> Any:
        return self.run(self.aio.request(method, path, json=json, params=params))

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.run(self.aio.get(path, params))

    def post(self, path: str, json: Any = None) -> Any:
        return self.run(self.aio.post(path, json))

    def put(self, path: str, json: Any = None, params: Mapping[str, Any] | None = None) -> Any:
        return self.run(self.aio.put(path, json, params))

    def patch(self, path: str, json: Any = None) -> Any:
        return self.run(self.aio.patch(path, json))

    def delete(self, path: str) -> Any:
        return self.run(self.aio.delete(path))

    def update_note(
        self,
        note_id: str,
        *,
        title: str | None = None,
        content: str | None = None,
        format: NoteFormat | None = None,
    ) -> JSON:
        return self.run(self.aio.update_note(note_id, title=title, content=content, format=format))

    def read_history(self, target: Target, identifier: str, item_id: str, attribute: str) -> list[JSON]:
        return self.run(self.aio.read_history(target, identifier, item_id, attribute))

    def write_history(
        self, target: Target, identifier: str, item_id: str, attribute: str, values: Sequence[HistoryValue]
    ) -> list[JSON]:
        return self.run(self.aio.write_history(target, identifier, item_id, attribute, values))

    def all_items(self, method: str, path: str, *, page_size: int, **options: Any) -> list[Any]:
        """Every item of a paginated endpoint (see :meth:`AsyncAttioClient.pages`)."""
        return self.run(self.aio.all_items(method, path, page_size=page_size, **options))

    def close(self) -> None:
        """Close the connections and stop the event loop thread (closing twice does nothing)."""
        if self._portal.closed:
            return
        try:
            self.run(self.aio.aclose())
        finally:
            self._portal.close()

    def __enter__(self) -> AttioClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

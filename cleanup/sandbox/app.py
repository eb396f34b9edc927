"""The sandbox's ASGI application: routing, auth, scopes, rate limits, faults and error bodies.

Handlers live in :mod:`.routes`; each is registered with the scope it needs and whether it counts as
a read or a write. Everything here is what Attio does around a handler: 401/403, 429 with an
HTTP-date ``Retry-After``, Attio-shaped errors, and unknown routes answered with
``Could not find endpoint "GET /v2/…".``
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from .config import Faults, SandboxConfig, check_absent
from .errors import ApiError, Forbidden, NotFound, RateLimited, Unauthorized, WriteConflict
from .model import Token
from .ratelimit import RateLimiter, ScoreWindow
from .workspace import Workspace

JSON = dict[str, Any]
log = logging.getLogger("cleanup.sandbox")
Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class DropConnection(Exception):
    """Raised after the response has started, so the server closes the connection mid-response."""


@dataclass
class Request:
    """What a handler sees: the path parameters, query, parsed body, the calling token, and the
    workspace's window of query scores."""

    method: str
    path: str
    params: dict[str, str]
    query: dict[str, str]
    body: Any
    token: Token
    ws: Workspace
    config: SandboxConfig
    scores: ScoreWindow

    @property
    def actor(self) -> JSON:
        return self.token.actor()


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Request], Response]


@dataclass
class Route:
    """A registered endpoint. ``bucket`` names an endpoint-specific rate limit; ``endpoint`` the name by
    which ``SandboxConfig.absent`` can take it away; ``conflicts`` marks the record writes the
    ``conflict_rate`` fault answers with 409."""

    method: str
    pattern: re.Pattern[str]
    template: str
    handler: Handler
    scopes: tuple[str, ...]
    write: bool
    bucket: str | None = None
    endpoint: str | None = None
    conflicts: bool = False


ROUTES: list[Route] = []


def route(
    method: str,
    template: str,
    *scopes: str,
    write: bool = False,
    bucket: str | None = None,
    endpoint: str | None = None,
    conflicts: bool = False,
) -> Callable[[Handler], Handler]:
    """Register a handler for ``METHOD /v2/...`` with ``{name}`` path parameters."""
    pattern = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$")

    def register(fn: Handler) -> Handler:
        ROUTES.append(Route(method, pattern, template, fn, scopes, write, bucket, endpoint, conflicts))
        return fn

    return register


def json_response(data: Any, status: int = 200) -> Response:
    return Response(status, orjson.dumps(data))


def _error_response(err: ApiError) -> tuple[int, bytes, dict[str, str]]:
    return err.status_code, orjson.dumps(err.body()), err.headers


_STATUS_5XX = (500, 502, 503)


class SandboxApp:
    """An ASGI app serving one :class:`Workspace` the way Attio's REST API v2 does."""

    def __init__(self, ws: Workspace, config: SandboxConfig | None = None) -> None:
        from . import routes  # noqa: F401  (registers the handlers)

        self.ws = ws
        self.config = config or SandboxConfig()
        self.limiter = RateLimiter()
        self.query_scores = ScoreWindow()
        self.requests_served = 0

    def find_route(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        """The route serving ``method path`` and its path parameters; ``None`` for an unknown route or one
        the config makes absent."""
        for r in ROUTES:
            if r.method == method and not (r.endpoint and self.config.lacks(r.endpoint)):
                m = r.pattern.match(path)
                if m:
                    return r, m.groupdict()
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    self.ws.commit()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        method, path = scope["method"], scope["path"]
        query = {k.decode(): v.decode() for k, v in _parse_qs(scope.get("query_string", b""))}
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        status, payload, extra = await self.handle(method, path, query, headers, body)
        if status < 0:
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            raise DropConnection("sandbox fault: connection dropped")
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json; charset=utf-8"),
                    (b"content-length", str(len(payload)).encode()),
                    (b"x-attio-execution-id", str(uuid.uuid4()).encode()),
                    *((k.lower().encode(), v.encode()) for k, v in extra.items()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})

    async def handle(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes
    ) -> tuple[int, bytes, dict[str, str]]:
        """Answer one request: ``(status, body, extra headers)``; status ``-1`` means drop the connection."""
        self.requests_served += 1
        faults = self.config.faults
        faulty = faults.applies(method, path)
        if faults.latency_ms and faulty:
            await asyncio.sleep(faults.latency_ms / 1000)
        if faulty and faults.roll(faults.slow_rate):
            await asyncio.sleep(faults.slow_ms / 1000)
        if path.startswith("/_sandbox/"):
            return self._admin(method, path, headers, body)
        found = self.find_route(method, path)
        if found is None:
            return _error_response(NotFound(f'Could not find endpoint "{method} {path}".'))
        rte, params = found
        try:
            token = self._authenticate(headers)
            if faulty and faults.roll(faults.unauthorized_rate):
                raise Unauthorized("The API key provided could not be authenticated.")
            missing = [s for s in rte.scopes if not token.has_scope(s)]
            if missing:
                raise Forbidden(f"The API token is missing the required scope(s): {', '.join(missing)}.")
            self._rate_limit(token, rte)
        except ApiError as err:
            return _error_response(err)
        if faulty and faults.roll(faults.drop_rate):
            return -1, b"", {}
        if faulty and faults.roll(faults.error_rate):
            return _server_error(faults.rng.choice(_STATUS_5XX))
        if faulty and rte.conflicts and faults.roll(faults.conflict_rate):
            return _error_response(WriteConflict())
        hook = self.config.on_write if rte.write else None
        if hook:
            hook(method, path, False)
        elif not rte.write and self.config.on_read:
            self.config.on_read(method, path)
        try:
            parsed = _parse_body(body)
            request = Request(
                method, path, params, query, parsed, token, self.ws, self.config, self.query_scores
            )
            response = rte.handler(request)
            self.ws.commit()
        except ApiError as err:
            self.ws.commit()
            return _error_response(err)
        except Exception:
            # A bug in the sandbox: answer as Attio would answer its own (a JSON 500), keep the details in the log.
            log.exception("sandbox handler failed on %s %s", method, path)
            self.ws.commit()
            return _server_error(500)
        if hook:
            hook(method, path, True)
        if faulty and faults.roll(faults.drop_after_rate):
            return -1, b"", {}
        if faulty and faults.roll(faults.error_after_rate):
            return _server_error(faults.rng.choice(_STATUS_5XX))
        return response.status, response.body, response.headers

    def _admin(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, bytes, dict[str, str]]:
        """Sandbox-only controls (not part of Attio's API): ``GET|PUT /_sandbox/faults``, ``GET|PATCH
        /_sandbox/config`` (the settings of :data:`RUNTIME_SETTINGS`), ``GET /_sandbox/counts``, and ``GET|POST /_sandbox/tokens`` (list the tokens;
        create one from ``{"name": ..., "scopes": [...]}``, answered with its secret once). Any valid token
        may use them."""
        try:
            self._authenticate(headers)
            data = _parse_body(body)
            cfg = self.config
            if path == "/_sandbox/faults" and method == "PUT":
                cfg.faults = Faults.from_dict(data or {})
            elif path == "/_sandbox/config" and method == "PATCH":
                _patch_config(cfg, data)
            elif path == "/_sandbox/counts" and method == "GET":
                return 200, orjson.dumps(self.ws.counts()), {}
            elif path == "/_sandbox/tokens" and method == "GET":
                listed = [
                    {"name": t.name, "id": t.id, "scopes": list(t.scopes)} for t in self.ws.tokens.values()
                ]
                return 200, orjson.dumps({"data": listed}), {}
            elif path == "/_sandbox/tokens" and method == "POST":
                if not isinstance(data, dict) or not isinstance(data.get("name"), str):
                    raise ValueError('send {"name": "reimport", "scopes": ["note:read-write", ...]}')
                token = self.ws.create_token(data["name"], data.get("scopes"))
                created = {
                    "name": token.name,
                    "id": token.id,
                    "secret": token.secret,
                    "scopes": list(token.scopes),
                }
                return 200, orjson.dumps({"data": created}), {}
            elif method != "GET" or path not in ("/_sandbox/faults", "/_sandbox/config"):
                raise NotFound(f'Could not find endpoint "{method} {path}".')
        except ValueError as err:
            return _error_response(ApiError(str(err)))
        except ApiError as err:
            return _error_response(err)
        faults = {k: v for k, v in vars(cfg.faults).items() if k != "rng"}
        settings = {k: v for k, v in vars(cfg).items() if k not in ("faults", "on_write", "on_read")}
        settings["absent"] = sorted(cfg.absent)
        return 200, orjson.dumps({"faults": faults, "config": settings}), {}

    def _authenticate(self, headers: dict[str, str]) -> Token:
        auth = headers.get("authorization", "")
        scheme, _, secret = auth.partition(" ")
        if not auth or scheme.lower() != "bearer" or not secret.strip():
            raise Unauthorized("Authentication is required. Send your API key as a Bearer token.")
        secret = secret.strip()
        token = self.ws.tokens.get(secret)
        if token is None:
            if len(secret) != 64:
                raise Unauthorized(
                    "The API Key provided was invalid because it was the wrong length (API Keys should be "
                    "64 characters long)."
                )
            raise Unauthorized("The API key provided could not be authenticated.")
        return token

    def _rate_limit(self, token: Token, rte: Route) -> None:
        cfg = self.config
        checks = [("write", cfg.write_rps) if rte.write else ("read", cfg.read_rps)]
        if rte.bucket == "merge":
            checks.insert(0, ("merge", cfg.merge_rps))
        for bucket, limit in checks:
            ok, retry_after = self.limiter.allow(token.id, bucket, limit)
            if not ok:
                raise RateLimited(
                    "Rate limit exceeded, please try again later", headers={"Retry-After": retry_after}
                )


RUNTIME_SETTINGS = (
    "read_rps",
    "write_rps",
    "merge_rps",
    "merge_endpoint",
    "merge_delay_ms",
    "company_from_email",
    "query_score_limit",
    "query_score_budget",
    "query_score_window_s",
    "absent",
)
"""The ``SandboxConfig`` fields ``PATCH /_sandbox/config`` changes (``absent`` as a list of names)."""


def _patch_config(cfg: SandboxConfig, data: Any) -> None:
    """Set the :data:`RUNTIME_SETTINGS` that ``data`` gives; an unknown endpoint name is a ``ValueError``."""
    for key in RUNTIME_SETTINGS:
        if isinstance(data, dict) and key in data:
            value = data[key]
            if key == "absent":
                value = check_absent([value] if isinstance(value, str) else value)
            setattr(cfg, key, value)


def _server_error(status: int) -> tuple[int, bytes, dict[str, str]]:
    body = {
        "status_code": status,
        "type": "internal_server_error",
        "code": "internal_server_error",
        "message": "An unexpected error occurred. Please try again.",
    }
    return status, orjson.dumps(body), {}


def _parse_body(body: bytes) -> Any:
    if not body.strip():
        return None
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        raise ApiError(
            "Body payload validation error.",
            validation_errors=[
                {"code": "invalid_json", "path": [], "message": "The request body is not valid JSON."}
            ],
        ) from None


def _parse_qs(raw: bytes) -> list[tuple[bytes, bytes]]:
    from urllib.parse import parse_qsl

    return [(k.encode(), v.encode()) for k, v in parse_qsl(raw.decode(), keep_blank_values=True)]

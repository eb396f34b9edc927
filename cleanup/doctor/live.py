"""What the doctor asks the server, none of it a write that can take effect: who the API key is
(``GET /v2/self``), its member's name, the objects and lists, their sizes (:mod:`.sizes`), and which newer
endpoints the server has (:mod:`cleanup.client.capabilities`).

>>> live = await examine(client.aio)  # doctest: +SKIP
>>> live.token.scopes  # doctest: +SKIP
('record_permission:read-write', ...)
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote

import orjson

from ..client import AsyncAttioClient, endpoints
from ..client.capabilities import UNKNOWN_ROUTE, ServerCapabilities, probe_capabilities
from ..client.errors import (
    ApiError,
    AuthenticationError,
    RateLimitError,
    ServerError,
    TransportError,
)
from .needs import holds
from .sizes import BUDGET, Container, measure

NEW_KEY = "Make a new key in Attio → Workspace settings → Developers → your integration and set ATTIO_API_KEY"


@dataclass(frozen=True)
class ServerSeen:
    """The API's address and whether an Attio API answered there (``problem`` says why not)."""

    base_url: str
    reachable: bool
    problem: str = ""


@dataclass(frozen=True)
class TokenSeen:
    """The API key as ``GET /v2/self`` describes it. ``active`` is ``None`` when it could not be asked (no key,
    no server); ``scopes`` ``None`` when the server did not say."""

    configured: bool
    active: bool | None = None
    level: str | None = None  # "workspace" | "user"
    scopes: tuple[str, ...] | None = None
    workspace_id: str = ""
    workspace_name: str = ""
    workspace_slug: str = ""
    authorized_by: str | None = None  # the member who made it, by name
    problem: str = ""


@dataclass(frozen=True)
class Live:
    """Everything the doctor learnt from the server."""

    server: ServerSeen
    token: TokenSeen
    capabilities: ServerCapabilities | None = None
    containers: tuple[Container, ...] | None = None
    warnings: tuple[str, ...] = field(default=())


def parse_scopes(raw: Any) -> tuple[str, ...] | None:
    """The scopes of ``/v2/self``'s ``scope`` (space- or comma-separated), ``None`` when it is absent."""
    if isinstance(raw, list):
        return tuple(str(s) for s in raw)
    if not isinstance(raw, str):
        return None
    return tuple(s for s in re.split(r"[\s,]+", raw) if s)


def _may(scopes: tuple[str, ...] | None, *needed: str) -> bool:
    """Whether the token may call something needing ``needed`` (when its scopes are unknown: try)."""
    return scopes is None or all(holds(scopes, s) for s in needed)


async def who(client: AsyncAttioClient) -> tuple[ServerSeen, TokenSeen, dict[str, Any]]:
    """``GET /v2/self``: whether an Attio API answers, and whether the key is active (Attio answers an unknown
    or revoked key with 200 ``{"active": false}``; some servers with 401)."""
    base = client.base_url
    try:
        me = await client.get(endpoints.self_())
    except AuthenticationError as error:
        token = TokenSeen(True, False, problem=f"the API key was not accepted ({error.message}). {NEW_KEY}.")
        return ServerSeen(base, True), token, {}
    except (ServerError, RateLimitError) as error:
        problem = f"the server at {base} kept failing (answered {error.status}); try again later"
        return ServerSeen(base, False, problem), TokenSeen(True), {}
    except ApiError as error:
        if error.status == 404 and UNKNOWN_ROUTE in error.message.lower():
            problem = f"{base} is not Attio's API (it has no /v2/self); check ATTIO_BASE_URL or --base-url"
            return ServerSeen(base, False, problem), TokenSeen(True), {}
        token = TokenSeen(
            True, False, problem=f"the server refused the API key ({error.message}). {NEW_KEY}."
        )
        return ServerSeen(base, True), token, {}
    except TransportError as error:
        problem = f"could not reach {base} ({error}); check ATTIO_BASE_URL (or --base-url) and the network"
        return ServerSeen(base, False, problem), TokenSeen(True), {}
    except orjson.JSONDecodeError:
        problem = (
            f"{base} did not answer with JSON: it is not Attio's API; check ATTIO_BASE_URL or --base-url"
        )
        return ServerSeen(base, False, problem), TokenSeen(True), {}
    if not isinstance(me, dict) or not me.get("active"):
        problem = f"the API key is not active: Attio does not know it, or it was revoked. {NEW_KEY}."
        return ServerSeen(base, True), TokenSeen(True, False, problem=problem), {}
    token = TokenSeen(
        True,
        True,
        level=str(me["token_level"]) if me.get("token_level") else None,
        scopes=parse_scopes(me.get("scope")),
        workspace_id=str(me.get("workspace_id") or ""),
        workspace_name=str(me.get("workspace_name") or ""),
        workspace_slug=str(me.get("workspace_slug") or ""),
    )
    return ServerSeen(base, True), token, me


async def _member_name(client: AsyncAttioClient, member_id: str) -> str | None:
    try:
        member = (await client.get(f"{endpoints.workspace_members()}/{quote(member_id, safe='')}"))["data"]
    except (ApiError, TransportError, KeyError, TypeError):
        return None
    name = " ".join(str(member.get(k) or "") for k in ("first_name", "last_name")).strip()
    return name or member.get("email_address") or None


async def _listed(client: AsyncAttioClient, path: str) -> list[dict[str, Any]] | str:
    """Every item of a listing (objects, lists), or why it could not be read."""
    try:
        return list((await client.get(path))["data"])
    except ApiError as error:
        return error.message
    except TransportError:
        return "no answer"


def _containers(
    objects: list[dict[str, Any]] | str | None,
    lists: list[dict[str, Any]] | str | None,
    scopes: tuple[str, ...] | None,
) -> tuple[list[Container], list[str]]:
    """The objects and lists (``None``: the key may not list them; a string: why they could not be read), by
    the names Attio shows, each either to count or with why it is not."""
    found: list[Container] = []
    warnings = []
    records_ok = _may(scopes, "record_permission:read")
    entries_ok = _may(scopes, "list_entry:read")
    if isinstance(objects, str):
        warnings.append(f"The objects could not be read: {objects}")
    elif objects is not None:
        for o in objects:
            note = "" if records_ok else "not counted: the key cannot read records"
            found.append(
                Container("object", o["api_slug"], o.get("plural_noun") or o["api_slug"], None, note)
            )
    if isinstance(lists, str):
        warnings.append(f"The lists could not be read: {lists}")
    elif lists is not None:
        for li in lists:
            note = "" if entries_ok else "not counted: the key cannot read list entries"
            found.append(Container("list", li["api_slug"], li.get("name") or li["api_slug"], None, note))
    return found, warnings


async def examine(
    client: AsyncAttioClient, *, sizes: bool = True, budget: int = BUDGET, probe: bool = True
) -> Live:
    """Ask the server who the key is, what it may do, which newer endpoints it has and how big the workspace
    is. Stops after ``/v2/self`` when no Attio API answered or the key is not active."""
    server, token, me = await who(client)
    if not server.reachable or not token.active:
        return Live(server, token)
    scopes = token.scopes
    member_id = me.get("authorized_by_workspace_member_id")

    async def member() -> str | None:
        if not member_id or not _may(scopes, "user_management:read"):
            return None
        return await _member_name(client, str(member_id))

    async def listed(path: str, scope: str) -> list[dict[str, Any]] | str | None:
        return await _listed(client, path) if _may(scopes, scope) else None

    async def capabilities() -> ServerCapabilities | None:
        return await probe_capabilities(client) if probe else None

    name, got_objects, got_lists, caps = await asyncio.gather(
        member(),
        listed(endpoints.objects(), "object_configuration:read"),
        listed(endpoints.lists(), "list_configuration:read"),
        capabilities(),
    )
    containers, warnings = _containers(got_objects, got_lists, scopes)
    if not sizes:
        containers = [replace(c, note=c.note or "not counted (--no-sizes)") for c in containers]
    measured = await measure(client, containers, budget=budget)
    token = replace(token, authorized_by=name)
    return Live(server, token, caps, tuple(measured), tuple(warnings))


__all__ = ["Live", "ServerSeen", "TokenSeen", "examine", "parse_scopes", "who"]

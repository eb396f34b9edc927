"""Which of Attio's newer endpoints a server has, found out without writing anything.

Three endpoints are recent (``attio-api-2026.md``) and may be missing from a server (an older Attio, a
sandbox set up without them): the records merge, the note update and the value-history write. Each is asked
with a request that cannot change data — a body that fails validation (``{"data": {"not_a_field": 1}}``,
without the fields the endpoint requires) sent to the all-zero uuid, which no record or note has — and the
answer tells the route apart from an unknown one:

- 404 whose message says the server ``Could not find endpoint`` (or a 405): the route is **absent**;
- any other answer — 400 (validation), 403 (the route is there, the token lacks its scope), 404 (no such
  record or note): the route is **present**;
- 401, 429 after the retries, 5xx or no answer: **unknown** (reported, and counted as absent by the
  booleans, so a caller plans the fallback).

>>> caps = await probe_capabilities(client.aio)  # doctest: +SKIP
>>> caps.merge, caps.note_update, caps.history_write  # doctest: +SKIP
(True, False, False)
>>> server_capabilities(client).merge  # doctest: +SKIP
True
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from . import endpoints
from .errors import ApiError, AuthenticationError, RateLimitError, ServerError, TransportError

if TYPE_CHECKING:
    from .client import AsyncAttioClient, AttioClient

Verdict = Literal["present", "absent", "unknown"]
NIL = "00000000-0000-0000-0000-000000000000"  # the all-zero uuid: no record or note has it
INVALID_BODY: dict[str, Any] = {"data": {"not_a_field": 1}}  # fails validation before anything applies
UNKNOWN_ROUTE = "could not find endpoint"  # Attio's (and the sandbox's) message for a route it lacks


@dataclass(frozen=True)
class CapabilityCheck:
    """One probe: what was asked (``method`` and ``path``), the answer (``status`` and Attio ``code``; ``None``
    and ``""`` when none came) and the ``verdict`` drawn from it, with the ``reason`` in words."""

    name: str
    method: str
    path: str
    verdict: Verdict
    status: int | None
    code: str
    reason: str

    @property
    def present(self) -> bool:
        return self.verdict == "present"


@dataclass(frozen=True)
class ServerCapabilities:
    """Whether the server has Attio's records merge, note update and value-history write (``False`` when
    absent or not found out: see :attr:`checks` for which, and why)."""

    merge: bool
    note_update: bool
    history_write: bool
    checks: tuple[CapabilityCheck, ...] = ()

    @property
    def unknown(self) -> tuple[str, ...]:
        """The capabilities the probe could not find out (the token was refused, the server failed)."""
        return tuple(c.name for c in self.checks if c.verdict == "unknown")

    def check(self, name: str) -> CapabilityCheck:
        """The probe of capability ``name`` (``merge``, ``note_update`` or ``history_write``)."""
        for found in self.checks:
            if found.name == name:
                return found
        raise KeyError(name)


# (name, method, path) of each probe; the body is always INVALID_BODY.
def probes(object_slug: str = "companies") -> tuple[tuple[str, str, str], ...]:
    """The three requests sent, each to the all-zero uuid where the route takes an id."""
    return (
        ("merge", "POST", endpoints.records_merge(object_slug)),
        ("note_update", "PATCH", endpoints.note(NIL)),
        ("history_write", "PUT", endpoints.attribute_values("objects", object_slug, NIL, "name")),
    )


def verdict_of(error: BaseException) -> tuple[Verdict, int | None, str, str]:
    """The verdict an error answer gives a probe: (verdict, status, code, reason)."""
    if isinstance(error, ApiError):
        status, code = error.status, error.code
        if status == 405 or (status == 404 and UNKNOWN_ROUTE in error.message.lower()):
            return "absent", status, code, "the server does not know this route"
        if isinstance(error, AuthenticationError):
            return "unknown", status, code, "the API key was not accepted"
        if isinstance(error, RateLimitError | ServerError):
            return "unknown", status, code, f"the server kept answering {status}"
        if status == 403:
            return "present", status, code, "the route exists (this token may not use it)"
        return "present", status, code, f"the route exists (it refused the empty request with {status})"
    if isinstance(error, TransportError):
        return "unknown", None, "", "no usable answer from the server"
    raise error


async def _probe(client: AsyncAttioClient, name: str, method: str, path: str) -> CapabilityCheck:
    try:
        response = await client.request_raw(method, path, json=INVALID_BODY)
    except (ApiError, TransportError) as error:
        verdict, status, code, reason = verdict_of(error)
        return CapabilityCheck(name, method, path, verdict, status, code, reason)
    # A success to a body without the required fields: the route is there (and took nothing, having nothing).
    reason = f"the route exists (it answered {response.status_code})"
    return CapabilityCheck(name, method, path, "present", response.status_code, "", reason)


async def probe_capabilities(
    client: AsyncAttioClient, *, object_slug: str = "companies"
) -> ServerCapabilities:
    """Ask the server which of the newer endpoints it has (three requests, none able to change data).

    ``object_slug`` is the object the merge and history routes are asked about; any slug tells the route
    apart from an unknown one (an unknown object is a 404 of its own, not "could not find endpoint")."""
    checks = await asyncio.gather(*(_probe(client, *probe) for probe in probes(object_slug)))
    by_name = {c.name: c.present for c in checks}
    return ServerCapabilities(
        by_name["merge"], by_name["note_update"], by_name["history_write"], tuple(checks)
    )


def server_capabilities(client: AttioClient, *, object_slug: str = "companies") -> ServerCapabilities:
    """:func:`probe_capabilities` for the synchronous client."""
    return client.run(probe_capabilities(client.aio, object_slug=object_slug))


__all__ = [
    "INVALID_BODY",
    "NIL",
    "CapabilityCheck",
    "ServerCapabilities",
    "Verdict",
    "probe_capabilities",
    "probes",
    "server_capabilities",
    "verdict_of",
]

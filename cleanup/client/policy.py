"""Which requests are reads, which are safe to repeat, and how long to wait before the next try."""

from __future__ import annotations

import random
import time
from email.utils import parsedate_to_datetime

QUERY_SUFFIXES = ("/query", "/records/search")


def is_query(method: str, path: str) -> bool:
    """POST endpoints that only read (``records/query``, ``entries/query``, ``records/search``)."""
    return method.upper() == "POST" and path.rstrip("/").endswith(QUERY_SUFFIXES)


def is_scored(method: str, path: str) -> bool:
    """The queries Attio scores against a workspace's budget (``records/query``, ``entries/query``)."""
    return method.upper() == "POST" and path.rstrip("/").endswith("/query")


def counts_as_read(method: str, path: str) -> bool:
    """Whether Attio counts the request against the read limit (GETs and POST queries) or the write limit."""
    return method.upper() in ("GET", "HEAD") or is_query(method, path)


def is_repeatable(method: str, path: str) -> bool:
    """Whether sending the request twice has the effect of sending it once.

    Reads, PUT (assert and overwrite), PATCH (appending a value already there changes nothing) and
    DELETE are; POST creates and merges are not, so they are never re-sent after an ambiguous failure.
    """
    return method.upper() in ("GET", "HEAD", "PUT", "PATCH", "DELETE") or is_query(method, path)


def retry_after_seconds(header: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date (Attio sends dates)."""
    if not header:
        return None
    header = header.strip()
    try:
        return max(0.0, float(header))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(header).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, moment - (time.time() if now is None else now))


def backoff(attempt: int, *, base: float = 0.5, cap: float = 20.0, rng: random.Random | None = None) -> float:
    """Exponential back-off with up to 25% jitter: 0.5 s, 1 s, 2 s, ... capped at ``cap``."""
    delay = min(cap, base * 2 ** max(0, attempt - 1))
    jitter = rng.random() if rng is not None else random.random()
    return float(delay * (1 + 0.25 * jitter))

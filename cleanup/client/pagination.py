"""Concurrent limit/offset pagination that yields pages in order and stops at the first short page."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

P = TypeVar("P")


def pages_in_flight(rate: float, latency: float | None, paginations: int, cap: int) -> int:
    """How many pages one pagination keeps in flight: enough to keep the read limit busy through the
    latency (Little's law: ``rate`` per second times ``latency`` seconds, shared among the ``paginations``
    running, with a quarter to spare), at least 2 and at most ``cap``; ``cap`` when nothing is
    measured yet or there is no limit. A wider window gains nothing once the limit is reached, and every
    request in flight past a part's last page is a request spent for nothing."""
    if rate <= 0 or latency is None:
        return cap
    needed = rate * latency * 1.25 / max(1, paginations)
    return min(cap, max(2, math.ceil(needed)))


async def paginate(
    fetch: Callable[[int], Awaitable[P]],
    count: Callable[[P], int],
    *,
    page_size: int,
    concurrency: int | Callable[[], int] = 16,
    start: int = 0,
) -> AsyncIterator[P]:
    """Yield ``fetch(offset)`` for offsets ``start, start + page_size, ...`` in order.

    Up to ``concurrency`` pages are in flight at once (the client's rate limiter paces them), so a run
    is bound by the API's limit rather than by latency; ``concurrency`` may be a function, asked again
    after every page, for a window that follows the measured latency. The first page is fetched alone: a
    short one (a small object, an empty list) ends the run without spending requests on pages that do not
    exist. The first page holding fewer than ``page_size`` items ends the run; pages requested beyond it
    are discarded (each one a request spent for nothing: the reason to keep the window no wider than needed).
    """
    if page_size <= 0:
        raise ValueError("page_size must be positive")
    in_flight: dict[int, asyncio.Task[P]] = {}
    next_offset = start
    expected = start
    try:
        window = 1
        while True:
            while len(in_flight) < window:
                in_flight[next_offset] = asyncio.ensure_future(fetch(next_offset))
                next_offset += page_size
            page = await in_flight.pop(expected)
            yield page
            if count(page) < page_size:
                return
            expected += page_size
            window = max(1, concurrency() if callable(concurrency) else concurrency)
    finally:
        # Let requests already sent beyond the end finish rather than cancel them mid-response: a
        # cancelled response can leave its connection open, and the pages are cheap to discard.
        if in_flight:
            await asyncio.gather(*in_flight.values(), return_exceptions=True)

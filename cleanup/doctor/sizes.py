"""How many records each object holds and how many entries each list, counted with a bounded number of tiny
queries (one item each), never by reading pages of 500.

The count is searched for by offset: is there an item at offset 0, 9, 99, 999, ...? Once an offset comes back
empty, halving the gap between the last offset with an item and the first without narrows the count, and a
last query reads the few items left (at most :data:`LAST_WINDOW`). A container whose budget of queries runs
out first is reported as "at least N", N being the largest count proved.

>>> await count_items(take, budget=28)  # doctest: +SKIP
Size(count=15600, exact=True, requests=19)
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from ..client import AsyncAttioClient, endpoints
from ..client.errors import ApiError, TransportError

BUDGET = 28  # queries per object or list at most: exact up to about a million items, "at least" past that
LAST_WINDOW = 50  # the gap read in one query once the search has narrowed it this far
CEILING = 10**9  # offsets are not searched past this


@dataclass(frozen=True)
class Size:
    """``count`` items, exactly or (``exact`` False) at least; ``requests`` spent finding out."""

    count: int
    exact: bool
    requests: int

    def words(self) -> str:
        """'1,234' or 'at least 1,234'."""
        return f"{self.count:,}" if self.exact else f"at least {self.count:,}"


@dataclass(frozen=True)
class Container:
    """An object or a list as the person sees it: ``kind``, slug, and the name shown in Attio."""

    kind: Literal["object", "list"]
    slug: str
    name: str
    size: Size | None = None  # None: not counted (the token may not read it, or counting was off)
    note: str = ""  # why it was not counted


async def count_items(
    take: Callable[[int, int], Awaitable[int]], *, budget: int = BUDGET, window: int = LAST_WINDOW
) -> Size:
    """The number of items of a listing, with at most ``budget`` calls of ``take(offset, limit)`` (which
    returns how many items the listing has from ``offset``, up to ``limit``)."""
    spent = 0

    async def has(offset: int) -> bool:
        nonlocal spent
        spent += 1
        return await take(offset, 1) > 0

    if not await has(0):
        return Size(0, True, spent)
    low, high = 0, None  # an item is at ``low``; none at ``high``
    probe = 9
    while spent < budget and probe < CEILING:
        if await has(probe):
            low, probe = probe, probe * 10 + 9
        else:
            high = probe
            break
    if high is None:
        return Size(low + 1, False, spent)
    while high - low > window and spent < budget:
        middle = (low + high) // 2
        if await has(middle):
            low = middle
        else:
            high = middle
    if high - low > 1 and spent < budget:  # read what is left of the gap in one go
        spent += 1
        return Size(low + 1 + await take(low + 1, high - low - 1), True, spent)
    return Size(low + 1, high - low == 1, spent)


def _taker(client: AsyncAttioClient, path: str) -> Callable[[int, int], Awaitable[int]]:
    async def take(offset: int, limit: int) -> int:
        answer: dict[str, Any] = await client.post(path, {"limit": limit, "offset": offset})
        return len(answer["data"])

    return take


async def measure(
    client: AsyncAttioClient, containers: list[Container], *, budget: int = BUDGET
) -> list[Container]:
    """``containers`` with their sizes, all counted at once (the client's rate limit paces the queries)."""

    async def one(container: Container) -> Container:
        if container.size is not None or container.note:
            return container
        path = (
            endpoints.records_query(container.slug)
            if container.kind == "object"
            else endpoints.entries_query(container.slug)
        )
        try:
            size = await count_items(_taker(client, path), budget=budget)
        except (ApiError, TransportError) as error:
            why = error.message if isinstance(error, ApiError) else "no answer"
            return Container(container.kind, container.slug, container.name, None, f"not counted: {why}")
        return Container(container.kind, container.slug, container.name, size)

    return list(await asyncio.gather(*(one(c) for c in containers)))


__all__ = ["BUDGET", "Container", "Size", "count_items", "measure"]

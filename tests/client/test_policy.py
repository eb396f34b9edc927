"""Table-driven tests of request classification, Retry-After parsing, back-off and the limiter."""

from __future__ import annotations

import asyncio
from email.utils import formatdate

import pytest

from cleanup.client.pagination import paginate
from cleanup.client.policy import backoff, counts_as_read, is_repeatable, retry_after_seconds
from cleanup.client.ratelimit import SlidingWindowLimiter

CLASSIFY = [
    ("GET", "/v2/objects", True, True),
    ("POST", "/v2/objects/companies/records/query", True, True),
    ("POST", "/v2/lists/pipeline/entries/query", True, True),
    ("POST", "/v2/objects/records/search", True, True),
    ("POST", "/v2/objects/companies/records", False, False),
    ("POST", "/v2/notes", False, False),
    ("POST", "/v2/objects/companies/records/merge", False, False),
    ("PUT", "/v2/objects/companies/records", False, True),
    ("PATCH", "/v2/objects/companies/records/x", False, True),
    ("DELETE", "/v2/notes/x", False, True),
]


@pytest.mark.parametrize(("method", "path", "read", "repeatable"), CLASSIFY)
def test_classification(method: str, path: str, read: bool, repeatable: bool) -> None:
    assert counts_as_read(method, path) is read
    assert is_repeatable(method, path) is repeatable


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("3", 3.0),
        ("0.5", 0.5),
        ("-2", 0.0),
        (formatdate(1_000_002, usegmt=True), 2.0),
        (formatdate(999_990, usegmt=True), 0.0),
        ("not a date", None),
    ],
)
def test_retry_after(header: str | None, expected: float | None) -> None:
    assert retry_after_seconds(header, now=1_000_000) == expected


def test_backoff_grows_and_is_capped() -> None:
    waits = [backoff(n, cap=4) for n in range(1, 8)]
    assert waits[0] < waits[2] < waits[3]
    assert max(waits) <= 4 * 1.25


def test_sliding_window_never_exceeds_the_rate_in_any_second() -> None:
    now = [0.0]
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    limiter = SlidingWindowLimiter(5, clock=lambda: now[0], sleep=fake_sleep)

    async def run() -> list[float]:
        sent = []
        for _ in range(23):
            await limiter.acquire()
            sent.append(now[0])
            now[0] += 0.01
        return sent

    sent = asyncio.run(run())
    for i, moment in enumerate(sent):
        in_window = [t for t in sent[: i + 1] if moment - t < 1.0]
        assert len(in_window) <= 5
    assert sent[-1] >= 4.0  # 23 requests at 5/s take more than four seconds
    limiter.pause_until(now[0] + 3)
    before = now[0]
    asyncio.run(limiter.acquire())
    assert now[0] - before >= 3


def test_unlimited_limiter_never_waits() -> None:
    limiter = SlidingWindowLimiter(0)

    async def run() -> None:
        await asyncio.wait_for(asyncio.gather(*(limiter.acquire() for _ in range(1000))), 1)

    asyncio.run(run())


@pytest.mark.parametrize("items", [0, 499, 500, 2_000, 16_000])
def test_pagination_asks_each_page_once_and_at_most_a_window_past_the_end(items: int) -> None:
    asked: list[int] = []

    async def fetch(offset: int) -> list[int]:
        asked.append(offset)
        await asyncio.sleep(0.005)  # answers take a while, so the window matters
        return list(range(max(0, min(500, items - offset))))

    async def every_page() -> list[list[int]]:
        return [page async for page in paginate(fetch, len, page_size=500, concurrency=8)]

    pages = asyncio.run(every_page())
    assert sum(map(len, pages)) == items
    assert [len(p) for p in pages[:-1]] == [500] * (len(pages) - 1)
    needed = items // 500 + 1  # the full pages and the short one that ends the part
    assert len(pages) == needed
    assert needed <= len(asked) <= needed + (8 if items >= 500 else 0)  # a short first page ends at once
    assert sorted(asked) == list(range(0, 500 * len(asked), 500))  # no page asked twice, none skipped

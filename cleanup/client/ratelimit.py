"""Client-side rate limiting: at most N requests in any one-second window, per bucket.

Attio counts reads and writes separately (100/s and 25/s by default) and some endpoints have their own
limits (``records/merge``: 5/s). A sliding window never sends more than N in any second, so it also stays
under a server that counts in fixed one-second windows, and a long run rarely sees a 429.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable


class SlidingWindowLimiter:
    """An asyncio limiter allowing ``rate`` acquisitions in any ``period`` seconds (``rate <= 0``: unlimited)."""

    def __init__(
        self,
        rate: float,
        period: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.rate = rate
        self.period = period
        self._clock = clock
        self._sleep = sleep
        self._sent: deque[float] = deque()
        self._lock: asyncio.Lock | None = None

    async def acquire(self) -> None:
        """Wait until one more request fits in the window, then count it."""
        if self.rate <= 0:
            return
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            limit = int(self.rate) if self.rate >= 1 else 1
            period = self.period if self.rate >= 1 else self.period / self.rate
            while True:
                now = self._clock()
                while self._sent and now - self._sent[0] >= period:
                    self._sent.popleft()
                if len(self._sent) < limit:
                    self._sent.append(now)
                    return
                await self._sleep(period - (now - self._sent[0]) + 0.001)

    def pause_until(self, moment: float) -> None:
        """Count the window as full until ``moment`` (a clock value), after the server said 429."""
        if self.rate <= 0:
            return
        limit = int(self.rate) if self.rate >= 1 else 1
        start = moment - self.period
        self._sent = deque([start] * limit)

"""Per-token rate limits counted in fixed one-second windows, as Attio's 429s suggest.

Attio answers ``Retry-After`` with an HTTP date, "usually the next second": a fixed window that
resets on each wall-clock second gives exactly that.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from email.utils import formatdate


class RateLimiter:
    """Counts requests per ``(token, bucket)`` in the current second."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._window: dict[tuple[str, str], tuple[int, int]] = {}

    def allow(self, token_id: str, bucket: str, limit: int) -> tuple[bool, str]:
        """Whether one more request fits; if not, the ``Retry-After`` HTTP date to send."""
        if limit <= 0:
            return True, ""
        now = self._clock()
        second = int(now)
        key = (token_id, bucket)
        start, count = self._window.get(key, (second, 0))
        if start != second:
            start, count = second, 0
        if count >= limit:
            return False, formatdate(second + 1, usegmt=True)
        self._window[key] = (start, count + 1)
        return True, ""

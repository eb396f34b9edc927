"""Per-token rate limits counted in fixed one-second windows, as Attio's 429s suggest, and the
workspace-wide sliding window of query scores (2026 sheet §4).

Attio answers ``Retry-After`` with an HTTP date, "usually the next second": a fixed window that
resets on each wall-clock second gives exactly that.
"""

from __future__ import annotations

import math
import time
from collections import deque
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


class ScoreWindow:
    """Query scores answered within a sliding window, pooled over every token of the workspace."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._answered: deque[tuple[float, float]] = deque()

    def _current(self, window_s: float) -> float:
        """Forget scores older than the window; the sum of those left."""
        cutoff = self._clock() - window_s
        while self._answered and self._answered[0][0] <= cutoff:
            self._answered.popleft()
        return sum(score for _, score in self._answered)

    def retry_after(self, score: float, budget: float, window_s: float) -> str:
        """``""`` if a query of ``score`` fits the budget now; else the ``Retry-After`` HTTP date by which
        enough score has left the window (a query over the whole budget waits for an empty window)."""
        total = self._current(window_s)
        if total + score <= budget:
            return ""
        free_at = float(int(self._clock()) + 1)
        for moment, answered in self._answered:
            total -= answered
            free_at = moment + window_s
            if total + score <= budget:
                break
        return formatdate(math.ceil(free_at), usegmt=True)

    def add(self, score: float) -> None:
        """Count an answered query."""
        self._answered.append((self._clock(), score))

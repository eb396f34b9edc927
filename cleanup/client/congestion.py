"""How fast the client sends record and entry queries, found out from Attio's answers.

Attio scores every ``records/query`` and ``entries/query`` request and refuses it (429) once the scores of
the last 10 seconds, summed over every app and token of the workspace, pass a budget it does not publish
(``attio-api-2026.md`` §4). No fixed rate can be right for a budget shared with other apps, so the client
learns it:

* until the first 429 it sends as the read limit allows (the budget is unknown, perhaps never met);
* a 429 tells it the budget: what its own answered queries spent in the window just then (each query's
  score from ``x-attio-record-query-score`` when Attio sends it, else 1). From then on it keeps its own
  sliding window under that budget, counting each query in flight at its path's last score, so the next 429 is
  rare rather than the pace-setter (Retry-After dates have whole seconds: waiting on them wastes the rest);
* after two windows without a 429 it tries for a quarter more (other apps may have stopped), so a budget
  others gave back is found again in minutes; a 429 then takes it back to what held, and a 429 at an
  estimate that held sets it again from what was spent (other apps may have started).

>>> budget = QueryBudget(window=10.0)
>>> budget.estimate is None
True
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import AsyncIterator, Callable

WINDOW = 10.0  # seconds: Attio's sliding window for query scores
PROBE_AFTER = 2  # windows without a 429 after which the estimate tries for more
PROBE_GROWTH = 1.25  # how much more (at least one query more)
UNSCORED = 1.0  # a query's cost when Attio does not say its score


class QueryBudget:
    """Paces queries under a score budget learnt from 429s (``async with budget.query(path):`` around each
    one, then :meth:`answered` or :meth:`refused`)."""

    def __init__(self, *, window: float = WINDOW, clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self.clock = clock
        self.estimate: float | None = None  # the budget per window, once a 429 has told it
        self._proven: float | None = None  # the estimate before the last probe above it
        self.refusals = 0
        self.reserved = 0.0  # the expected scores of the queries in flight
        self.in_flight = 0
        self._last: dict[str, float] = {}  # path → its last score
        self._spent: deque[tuple[float, float]] = deque()  # (when answered, score) within the window
        self._since = clock()  # when the estimate was last set or raised
        self._wake = asyncio.Event()

    # ------------------------------------------------------------------ the window
    def _drop_old(self, now: float) -> None:
        while self._spent and self._spent[0][0] <= now - self.window:
            self._spent.popleft()

    def spent(self) -> float:
        """The score of this client's queries answered within the last window."""
        self._drop_old(self.clock())
        return sum(score for _, score in self._spent)

    def _mean(self) -> float:
        return sum(s for _, s in self._spent) / len(self._spent) if self._spent else UNSCORED

    def expected(self, path: str) -> float:
        """What a query to ``path`` will likely cost: its last score (one object's queries score alike),
        else the mean of the window; never more than the whole estimate (it could never go otherwise)."""
        cost = self._last[path] if path in self._last else self._mean()
        return min(cost, self.estimate) if self.estimate is not None else cost

    def _wait(self, cost: float) -> float:
        """Seconds until a query of ``cost`` fits under the estimate (0: now)."""
        if self.estimate is None:
            return 0.0
        now = self.clock()
        self._drop_old(now)
        room = self.estimate - self.spent() - self.reserved
        if room >= cost or (self.in_flight == 0 and not self._spent):
            return 0.0
        needed, freed = cost - room, 0.0
        for when, score in self._spent:  # the oldest leave first
            freed += score
            if freed >= needed:
                return max(0.0, when + self.window - now)
        return self.window

    # ------------------------------------------------------------------ a query
    @contextlib.asynccontextmanager
    async def query(self, path: str) -> AsyncIterator[None]:
        """Hold a query to ``path`` until it fits under the estimate; its expected score stays reserved
        while it is in flight."""
        cost = self.expected(path)
        while (delay := self._wait(cost)) > 0:
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
        self.reserved += cost
        self.in_flight += 1
        try:
            yield
        finally:
            self.in_flight -= 1
            self.reserved = self.reserved - cost if self.in_flight else 0.0  # no float residue left over
            self._wake.set()

    def answered(self, path: str, score: float | None) -> None:
        """A query to ``path`` was answered (its score, when Attio said it)."""
        now = self.clock()
        cost = UNSCORED if score is None else score
        self._drop_old(now)
        self._spent.append((now, cost))
        self._last[path] = cost
        if self.estimate is not None and now - self._since >= PROBE_AFTER * self.window:
            self._proven = self.estimate  # it held for a while: keep it, and try for a quarter more
            self.estimate = max(self.estimate * PROBE_GROWTH, self.estimate + self._mean())
            self._since = now
        self._wake.set()

    def refused(self, path: str) -> None:
        """A query to ``path`` met a 429. After a probe, back to the estimate that held; else the budget is
        (at least) what was spent in the window, give or take this query (others may spend it too now)."""
        self.refusals += 1
        now = self.clock()
        probing = self._proven is not None and now - self._since < self.window
        if probing:
            self.estimate = self._proven
        else:
            cost = self.expected(path)
            self.estimate = max(self.spent() + cost / 2, cost)
        self._proven = None
        self._since = now


def score_of(header: str | None) -> float | None:
    """The score Attio gave a query (``x-attio-record-query-score``), if it said one."""
    try:
        return float(header) if header else None
    except ValueError:
        return None


__all__ = ["WINDOW", "QueryBudget", "score_of"]

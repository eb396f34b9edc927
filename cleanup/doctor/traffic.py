"""What the doctor's own requests met: how many were answered, which were refused with 429 (and the
``Retry-After`` they carried), and the ``x-attio-record-query-score`` header of record and entry queries
(undocumented; ``attio-api-2026.md`` §4 reads it as the query's share of the score-based limit).

>>> traffic = Traffic()
>>> client = AttioClient(event_hooks={"response": [traffic]})  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

import httpx

from ..client.client import SPECIAL_LIMITS, AsyncAttioClient

SCORE_HEADER = "x-attio-record-query-score"


@dataclass
class Traffic:
    """An httpx response hook counting answers, 429s and query scores (retried requests count each time)."""

    answers: int = 0
    rate_limited: int = 0
    retry_after: list[str] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)

    async def __call__(self, response: httpx.Response) -> None:
        self.answers += 1
        if response.status_code == 429:
            self.rate_limited += 1
            if "retry-after" in response.headers:
                self.retry_after.append(response.headers["retry-after"])
        score = response.headers.get(SCORE_HEADER)
        if score is not None:
            with contextlib.suppress(ValueError):
                self.scores.append(float(score))


@dataclass(frozen=True)
class RateLimits:
    """The client's limits (requests per second; 0: none) and what the doctor's requests met."""

    reads_per_second: float
    writes_per_second: float
    special: dict[str, float]
    answers: int
    rate_limited: int
    retry_after: tuple[str, ...]
    query_score_max: float | None
    query_scores: int

    @classmethod
    def seen(cls, client: AsyncAttioClient, traffic: Traffic) -> RateLimits:
        return cls(
            client.read_limiter.rate,
            client.write_limiter.rate,
            {suffix.strip("/"): rate for suffix, rate in SPECIAL_LIMITS.items()},
            traffic.answers,
            traffic.rate_limited,
            tuple(traffic.retry_after[-3:]),
            max(traffic.scores) if traffic.scores else None,
            len(traffic.scores),
        )

    def sentence(self) -> str:
        """One sentence: what was refused, and the limits the client keeps to."""
        if self.rate_limited:
            last = f" (the last said Retry-After: {self.retry_after[-1]})" if self.retry_after else ""
            met = (
                f"Attio refused {self.rate_limited:,} of {_plural(self.answers, 'request')} with 429 "
                f"and they were sent again{last}"
            )
        else:
            met = f"No request was refused by the rate limits ({_plural(self.answers, 'request')})"
        limits = [_rate(self.reads_per_second, "reads"), _rate(self.writes_per_second, "writes")]
        limits += [f"{rate:g}/s on {name}" for name, rate in self.special.items() if rate > 0]
        score = (
            f"; record queries scored up to {self.query_score_max:g}"
            if self.query_score_max is not None
            else ""
        )
        return f"{met}; the client keeps under {', '.join(limits)}{score}."


def _plural(n: int, one: str) -> str:
    return f"{n:,} {one if n == 1 else one + 's'}"


def _rate(rate: float, what: str) -> str:
    return f"{rate:g} {what}/s" if rate > 0 else f"no limit on {what}"


__all__ = ["SCORE_HEADER", "RateLimits", "Traffic"]

"""Timestamps in Attio's wire format and the ids the sandbox hands out."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta

_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
_FRACTION = re.compile(r"\.(\d+)")


def format_ts(moment: datetime) -> str:
    """Format a datetime as Attio does: UTC, nine fractional digits, ``Z``.

    >>> format_ts(datetime(2025, 7, 18, 13, 49, 44, 710000, tzinfo=UTC))
    '2025-07-18T13:49:44.710000000Z'
    """
    moment = moment.astimezone(UTC)
    return f"{moment.year:04d}-" + moment.strftime("%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}000Z"


def now_ts() -> str:
    """The current time in Attio's format."""
    return format_ts(datetime.now(UTC))


def parse_ts(text: str) -> datetime:
    """Parse an ISO-8601 timestamp (partial forms allowed, UTC assumed); ``ValueError`` if malformed.

    Nanosecond fractions are truncated to microseconds, which Python can hold.
    """
    text = text.strip()
    partial = _PARTIAL.match(text)
    if partial:
        year, month, day = partial.groups()
        return datetime(int(year), int(month or 1), int(day or 1), tzinfo=UTC)
    normalised = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    normalised = _FRACTION.sub(lambda m: "." + (m.group(1) + "000000")[:6], normalised, count=1)
    moment = datetime.fromisoformat(normalised)
    if "T" not in text.upper() and " " not in text:
        raise ValueError(f"not a timestamp: {text!r}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_date(text: str) -> date:
    """Parse a date as Attio's date attribute does: ``2023`` and ``2023-01`` fill out, times are cut after UTC."""
    text = text.strip()
    partial = _PARTIAL.match(text)
    if partial:
        year, month, day = partial.groups()
        return date(int(year), int(month or 1), int(day or 1))
    return parse_ts(text).date()


def seconds_ago(seconds: float) -> datetime:
    """A UTC moment ``seconds`` before now."""
    return datetime.now(UTC) - timedelta(seconds=seconds)


def new_id() -> str:
    """A fresh random UUID4 string."""
    return str(uuid.uuid4())


class IdFactory:
    """Deterministic UUIDs for seeds: the same seed and sequence give the same ids."""

    def __init__(self, seed: int | str) -> None:
        self._namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"attio-cleanup-sandbox/{seed}")
        self._counter = 0

    def __call__(self, kind: str = "") -> str:
        self._counter += 1
        return str(uuid.uuid5(self._namespace, f"{kind}/{self._counter}"))

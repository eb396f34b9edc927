"""Times as Attio and Affinity write them, read in one place: ISO 8601 with ``Z`` or an offset, and Attio's
nanoseconds (``2019-03-04T10:00:00.000000000Z``; Python keeps microseconds).

>>> parse_timestamp("2019-03-04T10:00:00.000000000Z").isoformat()
'2019-03-04T10:00:00+00:00'
"""

from __future__ import annotations

from datetime import datetime


def parse_timestamp(text: str) -> datetime:
    """``text`` (ISO 8601) as a datetime: aware when it names a zone (``Z`` is UTC), naive otherwise.
    Raises ``ValueError`` when it is not ISO 8601."""
    return datetime.fromisoformat(text)

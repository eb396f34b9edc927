"""The fingerprint of a target's state: a stable digest of its JSON, which every action row carries (the
``fingerprint`` column) so that the executor skips a target that changed since the snapshot.

>>> fingerprint('{"b": 1, "a": 2}') == fingerprint('{"a": 2, "b": 1}')
True
"""

from __future__ import annotations

import hashlib

import orjson
import polars as pl


def fingerprint(raw: str | None) -> str | None:
    """A stable digest of an item's JSON (keys sorted), for the executor's check that it did not change."""
    if raw is None:
        return None
    canonical = orjson.dumps(orjson.loads(raw), option=orjson.OPT_SORT_KEYS)
    return hashlib.blake2b(canonical, digest_size=12).hexdigest()


def fingerprints(raws: pl.Series) -> pl.Series:
    """:func:`fingerprint` of each value (run on action targets only, which are few)."""
    return pl.Series("fingerprint", [fingerprint(r) for r in raws.to_list()], dtype=pl.String)


__all__ = ["fingerprint", "fingerprints"]

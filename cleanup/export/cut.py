"""Cutting a compact API page into its items without copying: each item's JSON as a view of the page's bytes.

A compact page is ``{"data":[`` + items joined by ``,`` + ``]}``, with no space between items, as Attio (and
the sandbox) send it. Items are found at their boundaries, ``},{"id":``, which cannot occur inside a JSON
string (every quote there is escaped): NumPy finds them in the page's bytes, and each item becomes an Arrow
binary view (an offset and a length into the page), which Polars takes without copying.

A boundary can also occur between two objects of a list nested inside an item; the caller checks the cut
against the parsed items (see :func:`cleanup.export.pages.parse_items`).

>>> raw_items(b'{"data":[{"id":1,"a":[]},{"id":2}]}').to_list()
['{"id":1,"a":[]}', '{"id":2}']
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]

HEAD, TAIL, BOUNDARY = b'{"data":[', b"]}", b'},{"id":'
_INLINE = 12  # bytes an Arrow binary view holds itself; a longer value is referenced in the page


def item_spans(content: bytes) -> tuple[np.ndarray, np.ndarray] | None:
    """Where each item of a compact page starts and ends (byte offsets into ``content``), or None when the
    page is not ``{"data":[...]}``. A boundary is a ``{`` with ``},`` before it and ``"id":`` after it."""
    if not (content.startswith(HEAD) and content.endswith(TAIL)):
        return None
    first, end = len(HEAD), len(content) - len(TAIL)
    if first == end:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    page = np.frombuffer(content, dtype=np.uint8)
    brace = BOUNDARY.index(b"{")  # the boundary's brace opens the next item
    lowest, highest = first + brace, end - len(BOUNDARY) + brace  # where a whole boundary fits
    starts = lowest + np.flatnonzero(page[lowest : highest + 1] == ord("{"))
    for shift, byte in enumerate(BOUNDARY, start=-brace):  # keep the braces the whole boundary surrounds
        starts = starts[page[starts + shift] == byte]
    return np.concatenate(([first], starts)), np.concatenate((starts - 1, [end]))


def binary_views(content: bytes, starts: np.ndarray, ends: np.ndarray) -> pl.Series:
    """``content[start:end]`` for each span, as a Binary column of views into ``content`` (not copied).

    Arrow's binary-view layout: 16 bytes a row, the length (4) and then the bytes themselves when they fit in
    12, else their first 4 bytes, the index of the buffer holding them (0) and their offset in it.
    """
    page = np.frombuffer(content, dtype=np.uint8)
    lengths = ends - starts
    views = np.zeros((len(starts), 16), dtype=np.uint8)
    views[:, :4] = lengths.astype("<i4")[:, None].view(np.uint8)
    head = np.minimum(starts[:, None] + np.arange(_INLINE), len(page) - 1)
    views[:, 4:] = np.where(np.arange(_INLINE) < lengths[:, None], page[head], 0)
    referenced = lengths > _INLINE
    views[referenced, 8:12] = 0
    views[referenced, 12:] = starts[referenced].astype("<i4")[:, None].view(np.uint8)
    buffers = [None, pa.py_buffer(views), pa.py_buffer(content)]
    return pl.Series(pa.Array.from_buffers(pa.binary_view(), len(starts), buffers))


def raw_items(content: bytes) -> pl.Series | None:
    """The items of a compact page, each as the JSON text sent (a String column ``_raw``), or None: not a
    compact page, or not UTF-8 (then not JSON either)."""
    spans = item_spans(content)
    if spans is None:
        return None
    try:
        return binary_views(content, *spans).cast(pl.String).rename("_raw")
    except pl.exceptions.InvalidOperationError:
        return None


__all__ = ["BOUNDARY", "HEAD", "TAIL", "binary_views", "item_spans", "raw_items"]

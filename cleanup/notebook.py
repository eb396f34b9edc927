"""How the engine's objects show themselves in a notebook, without importing the layer that draws them.

A snapshot, an action table, a plan and a run report each have a ``_repr_html_`` that asks :func:`html` for
their page; :mod:`cleanup.display`, which sits above them all, registers the page of each class when it is
imported. The first page asked for loads it by name (:data:`PAGES_MODULE`), so a notebook always has them
while a process that never draws one (a command line run) never pays for it. Layers only point down: no
module imports the display.

>>> @renders(Snapshot)                          # in cleanup.display   # doctest: +SKIP
... def snapshot_html(snapshot: Snapshot) -> str: ...
>>> html(snapshot)                              # what Snapshot._repr_html_ returns   # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from html import escape
from typing import Any, TypeVar

T = TypeVar("T")

_PAGES: dict[type, Callable[[Any], str]] = {}
PAGES_MODULE = "cleanup.display"  # the module whose import registers the pages


def renders(cls: type[T]) -> Callable[[Callable[[T], str]], Callable[[T], str]]:
    """Register the decorated function as the notebook page of ``cls`` (and of its subclasses)."""

    def register(page: Callable[[T], str]) -> Callable[[T], str]:
        _PAGES[cls] = page
        return page

    return register


def html(item: object) -> str:
    """``item``'s notebook page: the one registered for its class (or the nearest base class), else its
    ``repr``, escaped."""
    if not _PAGES:
        importlib.import_module(PAGES_MODULE)  # registers every page
    for cls in type(item).__mro__:
        page = _PAGES.get(cls)
        if page is not None:
            return page(item)
    return f"<pre>{escape(repr(item))}</pre>"


__all__ = ["html", "renders"]

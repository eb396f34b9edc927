"""Typed calls for the writes Attio added in 2026 (``attio-api-2026.md`` §2–3): a note's title and content
updated in place, and an attribute's whole value history written.

The bodies are built and checked here, before anything is sent, so a mistake is named in the caller's terms
rather than as Attio's ``validation_type``:

>>> note_update_body(title="Call with Ada", content="## Notes", format="markdown")
{'data': {'title': 'Call with Ada', 'format': 'markdown', 'content': '## Notes'}}
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

JSON = dict[str, Any]
NoteFormat = Literal["plaintext", "markdown"]
HISTORY_MAX = 400  # values one history write may hold


@dataclass(frozen=True)
class HistoryValue:
    """One value of an attribute's history: ``value`` in the form a record update takes (one item, never a
    list), active from ``active_from`` until ``active_until`` (``None``: still active). Times are RFC 3339."""

    value: Any
    active_from: str
    active_until: str | None = None

    def body(self) -> JSON:
        return {"value": self.value, "active_from": self.active_from, "active_until": self.active_until}


def note_update_body(
    *, title: str | None = None, content: str | None = None, format: NoteFormat | None = None
) -> JSON:
    """The ``PATCH /v2/notes/{note_id}`` body: only what changes. ``format`` goes with every ``content``
    (markdown unless told), and never alone."""
    if format is not None and content is None:
        raise ValueError("a note update's format applies to its content: give the content too")
    if title is None and content is None:
        raise ValueError("a note update needs a new title, new content, or both")
    if format not in (None, "plaintext", "markdown"):
        raise ValueError(f"a note's format is 'plaintext' or 'markdown', not {format!r}")
    data: JSON = {}
    if title is not None:
        data["title"] = title
    if content is not None:
        data["format"] = format or "markdown"
        data["content"] = content
    return {"data": data}


def history_body(values: Sequence[HistoryValue]) -> JSON:
    """The ``PUT …/attributes/{attribute}/values`` body: the attribute's whole new history (1 to 400
    values), with the explicit consent to replace what it holds."""
    if not values:
        raise ValueError("a history write needs at least one value (Attio keeps no empty history)")
    if len(values) > HISTORY_MAX:
        raise ValueError(f"a history write takes at most {HISTORY_MAX} values, not {len(values)}")
    for value in values:
        if isinstance(value.value, list):
            raise ValueError("each history value is one item: give a list's items as values of their own")
    return {"data": {"values": [v.body() for v in values], "replace_history": True}}


__all__ = ["HISTORY_MAX", "HistoryValue", "NoteFormat", "history_body", "note_update_body"]

"""What a row's payload holds, typed: one shape per kind of write, parsed in one place.

>>> parse(Action.UPDATE_RECORD, '{"values": {"description": "Checked"}}')
ValuesPayload(values={'description': 'Checked'}, key='values', overwrite=False, matching_attribute=None, depends_on=())

A row's payload is JSON text in the action table (a reviewer reads it there). Every write step reads it
through :func:`parse`, which knows one shape per action; the one older shape — an update's values given
bare, without ``{"values": …}`` around them — is rewritten by :func:`normalised` when a plan is made, so
nothing past the plan meets it. Merges (``carry``/``take``, :mod:`.choices`) and schema rows
(:mod:`cleanup.actions.schema_rows`) keep their own payloads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from ..actions import Action
from ..errors import ExecuteError

JSON = dict[str, Any]


@dataclass(frozen=True)
class NotePayload:
    """A note to create: on ``parent_record_id``, or on the record the row ``parent_action`` makes."""

    parent_object: str
    title: str
    format: str
    content: str
    parent_record_id: str | None = None
    parent_action: str | None = None
    created_at: str | None = None
    skip_ids: tuple[str, ...] = ()  # notes that look the same but existed before: never taken for it
    depends_on: tuple[str, ...] = ()

    def body(self, parent_record_id: str | None = None) -> JSON:
        """The ``POST /v2/notes`` body (``parent_record_id``: the parent made by another row)."""
        body: JSON = {
            "parent_object": self.parent_object,
            "parent_record_id": parent_record_id or self.parent_record_id,
            "title": self.title,
            "format": self.format,
            "content": self.content,
        }
        if self.created_at:
            body["created_at"] = self.created_at
        return body


@dataclass(frozen=True)
class EntryPayload:
    """A list entry to create for a record (its id, or the record the row ``parent_action`` makes)."""

    parent_object: str
    entry_values: JSON = field(default_factory=dict)
    parent_record_id: str | None = None
    parent_action: str | None = None
    depends_on: tuple[str, ...] = ()

    def body(self, parent_record_id: str | None = None) -> JSON:
        return {
            "parent_record_id": parent_record_id or self.parent_record_id,
            "parent_object": self.parent_object,
            "entry_values": self.entry_values,
        }


@dataclass(frozen=True)
class ValuesPayload:
    """Values to write to a record (``key`` ``values``) or an entry (``entry_values``): appended to a
    multiselect, or every attribute named overwritten (``overwrite``, a restore's PUT)."""

    values: JSON
    key: str = "values"
    overwrite: bool = False
    matching_attribute: str | None = None  # an assert's unique attribute
    depends_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class TaskPayload:
    """The records a task is linked to."""

    linked_records: tuple[JSON, ...]
    depends_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class NoteUpdatePayload:
    """A note's new title and/or content (``None``: unchanged), written in place."""

    title: str | None = None
    content: str | None = None
    format: str | None = None
    depends_on: tuple[str, ...] = ()

    def changes(self) -> JSON:
        """The fields a ``PATCH /v2/notes/{note_id}`` sends (``format`` with every ``content``)."""
        out: JSON = {}
        if self.title is not None:
            out["title"] = self.title
        if self.content is not None:
            out["content"] = self.content
            out["format"] = self.format or "markdown"
        return out


@dataclass(frozen=True)
class HistoryPayload:
    """An attribute's whole value history, to be written over what it holds: each value in write form with
    ``active_from`` and ``active_until``."""

    attribute: str
    values: tuple[JSON, ...]
    depends_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class NoPayload:
    """A delete, or a row whose payload its own module reads (a merge, a schema row)."""

    raw: JSON = field(default_factory=dict)
    depends_on: tuple[str, ...] = ()


Payload = (
    NotePayload | EntryPayload | ValuesPayload | TaskPayload | NoteUpdatePayload | HistoryPayload | NoPayload
)
RECORD_VALUES = frozenset({Action.CREATE_RECORD, Action.ASSERT_RECORD, Action.UPDATE_RECORD})
NOTES = frozenset({Action.CREATE_NOTE, Action.RECREATE_NOTE})


class PayloadError(ExecuteError, ValueError):
    """A payload that is not the shape its action takes (names the action and what is missing)."""


def parse(action: Action, text: str | None) -> Payload:
    """The typed payload of a row of ``action`` (a row without one: :class:`NoPayload`)."""
    data: JSON = orjson.loads(text) if text else {}
    waits = tuple(data.get("depends_on") or ())
    try:
        if action in NOTES:
            return NotePayload(
                parent_object=data["parent_object"],
                title=data.get("title") or "",
                format=data.get("format", "plaintext"),
                content=data.get("content", ""),
                parent_record_id=data.get("parent_record_id"),
                parent_action=data.get("parent_action"),
                created_at=data.get("created_at"),
                skip_ids=tuple(data.get("skip_ids") or ()),
                depends_on=waits,
            )
        if action == Action.CREATE_ENTRY:
            return EntryPayload(
                parent_object=data["parent_object"],
                entry_values=data.get("entry_values") or {},
                parent_record_id=data.get("parent_record_id"),
                parent_action=data.get("parent_action"),
                depends_on=waits,
            )
        if action in RECORD_VALUES or action == Action.UPDATE_ENTRY:
            key = "entry_values" if action == Action.UPDATE_ENTRY else "values"
            return ValuesPayload(
                values=data[key],
                key=key,
                overwrite=bool(data.get("overwrite")),
                matching_attribute=data.get("matching_attribute"),
                depends_on=waits,
            )
        if action == Action.UPDATE_TASK:
            return TaskPayload(tuple(data["linked_records"]), waits)
        if action == Action.UPDATE_NOTE:
            update = NoteUpdatePayload(data.get("title"), data.get("content"), data.get("format"), waits)
            if not update.changes():
                raise KeyError("title or content")
            return update
        if action == Action.WRITE_HISTORY:
            return HistoryPayload(str(data["attribute"]), tuple(data["values"]), waits)
    except KeyError as missing:
        raise PayloadError(
            f"a {action.value} payload needs {missing}; it holds {', '.join(data) or 'nothing'}"
        ) from None
    return NoPayload(data, waits)


def normalised(action: Action, text: str | None) -> str | None:
    """The payload in the one shape :func:`parse` takes: an update's values given bare (written before the
    key was required) are put under ``values`` / ``entry_values``."""
    if not text or not (action in RECORD_VALUES or action == Action.UPDATE_ENTRY):
        return text
    data = orjson.loads(text)
    key = "entry_values" if action == Action.UPDATE_ENTRY else "values"
    if key in data:
        return text
    kept = {k: data.pop(k) for k in ("depends_on", "overwrite", "matching_attribute") if k in data}
    return orjson.dumps({key: data, **kept}).decode()


def normalised_rows(rows: Any) -> Any:
    """A frame of rows (``action``, ``payload``) with every payload in its one shape (:func:`normalised`)."""
    import polars as pl

    updates = [a.value for a in (*RECORD_VALUES, Action.UPDATE_ENTRY)]
    if rows.height == 0 or not rows["action"].is_in(updates).any():
        return rows
    fixed = [normalised(Action(a), p) for a, p in rows.select("action", "payload").iter_rows()]
    return rows.with_columns(payload=pl.Series(fixed, dtype=pl.String))


__all__ = [
    "EntryPayload",
    "HistoryPayload",
    "NoPayload",
    "NotePayload",
    "NoteUpdatePayload",
    "Payload",
    "PayloadError",
    "TaskPayload",
    "ValuesPayload",
    "normalised",
    "parse",
]

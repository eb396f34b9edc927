"""The sandbox's in-memory model of one Attio workspace.

Every entity keeps what the API shows plus what the sandbox needs to behave like Attio (history of
values, attribute ids behind slugs). ``to_api`` gives the exact response shape; ``doc``/``from_doc``
give the persisted form kept in SQLite.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar

import orjson

JSON = dict[str, Any]

STANDARD_SCOPES = (
    "record_permission:read-write",
    "object_configuration:read-write",
    "list_entry:read-write",
    "list_configuration:read-write",
    "note:read-write",
    "task:read-write",
    "user_management:read",
    "comment:read-write",
)
READ_ONLY_SCOPES = tuple(s.replace("read-write", "read") for s in STANDARD_SCOPES)
KNOWN_SCOPE_AREAS = tuple(s.partition(":")[0] for s in STANDARD_SCOPES)


@dataclass
class Token:
    """An API token: the bearer secret, the id that appears in ``created_by_actor``, and scopes."""

    id: str
    secret: str
    name: str
    scopes: tuple[str, ...] = STANDARD_SCOPES
    member_id: str | None = None

    def has_scope(self, needed: str) -> bool:
        """Whether the token carries ``needed`` (``x:read`` is satisfied by ``x:read-write``)."""
        area, _, level = needed.partition(":")
        return any(s == needed or (level == "read" and s == f"{area}:read-write") for s in self.scopes)

    def actor(self) -> JSON:
        return {"type": "api-token", "id": self.id}


@dataclass
class Member:
    id: str
    first_name: str
    last_name: str
    email_address: str
    access_level: str
    created_at: str
    avatar_url: str | None = None

    def to_api(self, ws: str) -> JSON:
        return {
            "id": {"workspace_id": ws, "workspace_member_id": self.id},
            "first_name": self.first_name,
            "last_name": self.last_name,
            "avatar_url": self.avatar_url,
            "email_address": self.email_address,
            "access_level": self.access_level,
            "created_at": self.created_at,
        }


@dataclass
class SelectOption:
    id: str
    title: str
    is_archived: bool = False


@dataclass
class Status:
    id: str
    title: str
    is_archived: bool = False
    celebration_enabled: bool = False
    target_time_in_status: str | None = None


@dataclass
class Attribute:
    """An attribute of an object (``parent_kind == "objects"``) or of a list."""

    id: str
    parent_kind: str
    parent_id: str
    api_slug: str
    title: str
    type: str
    created_at: str
    description: str | None = None
    is_system_attribute: bool = False
    is_writable: bool = True
    is_required: bool = False
    is_unique: bool = False
    is_multiselect: bool = False
    is_archived: bool = False
    default_value: JSON | None = None
    relationship_id: str | None = None
    relationship_object_id: str | None = None
    currency_code: str | None = None
    currency_display: str | None = None
    allowed_object_ids: list[str] | None = None
    options: list[SelectOption] = field(default_factory=list)
    statuses: list[Status] = field(default_factory=list)
    order: int = 0

    def config(self) -> JSON:
        return {
            "currency": {
                "default_currency_code": self.currency_code,
                "display_type": self.currency_display,
            },
            "record_reference": {"allowed_object_ids": self.allowed_object_ids},
        }

    def to_api(self, ws: str) -> JSON:
        return {
            "id": {"workspace_id": ws, "object_id": self.parent_id, "attribute_id": self.id},
            "title": self.title,
            "description": self.description,
            "api_slug": self.api_slug,
            "type": self.type,
            "is_system_attribute": self.is_system_attribute,
            "is_writable": self.is_writable,
            "is_required": self.is_required,
            "is_unique": self.is_unique,
            "is_multiselect": self.is_multiselect,
            "is_default_value_enabled": self.default_value is not None,
            "is_archived": self.is_archived,
            "default_value": self.default_value,
            "relationship": None,
            "created_at": self.created_at,
            "config": self.config(),
        }

    def option_to_api(self, ws: str, option: SelectOption) -> JSON:
        return {
            "id": {
                "workspace_id": ws,
                "object_id": self.parent_id,
                "attribute_id": self.id,
                "option_id": option.id,
            },
            "title": option.title,
            "is_archived": option.is_archived,
        }

    def status_to_api(self, ws: str, status: Status) -> JSON:
        return {
            "id": {
                "workspace_id": ws,
                "object_id": self.parent_id,
                "attribute_id": self.id,
                "status_id": status.id,
            },
            "title": status.title,
            "is_archived": status.is_archived,
            "celebration_enabled": status.celebration_enabled,
            "target_time_in_status": status.target_time_in_status,
        }

    def doc(self) -> JSON:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: JSON) -> Attribute:
        doc = dict(doc)
        doc["options"] = [SelectOption(**o) for o in doc.get("options", [])]
        doc["statuses"] = [Status(**s) for s in doc.get("statuses", [])]
        return cls(**doc)


@dataclass
class ObjectDef:
    id: str
    api_slug: str
    singular_noun: str | None
    plural_noun: str | None
    created_at: str

    def to_api(self, ws: str) -> JSON:
        return {
            "id": {"workspace_id": ws, "object_id": self.id},
            "api_slug": self.api_slug,
            "singular_noun": self.singular_noun,
            "plural_noun": self.plural_noun,
            "created_at": self.created_at,
        }


@dataclass
class ListDef:
    id: str
    api_slug: str
    name: str
    parent_object_id: str
    workspace_access: str | None
    workspace_member_access: list[JSON]
    created_by_actor: JSON
    created_at: str


@dataclass
class Record:
    """A record (or, with ``list_id`` set, a list entry) with current and superseded values.

    ``values`` and ``history`` are keyed by attribute id; values are Attio value objects. The cached
    serialisation is rebuilt when the record or its parent's schema changes.
    """

    id: str
    parent_id: str
    created_at: str
    values: dict[str, list[JSON]] = field(default_factory=dict)
    history: dict[str, list[JSON]] = field(default_factory=dict)
    parent_record_id: str | None = None
    parent_object_id: str | None = None
    seq: int = 0
    cached: bytes | None = None
    cached_version: int = -1

    def doc(self) -> bytes:
        return orjson.dumps(
            {
                "id": self.id,
                "parent_id": self.parent_id,
                "created_at": self.created_at,
                "values": self.values,
                "history": self.history,
                "parent_record_id": self.parent_record_id,
                "parent_object_id": self.parent_object_id,
                "seq": self.seq,
            }
        )

    @classmethod
    def from_doc(cls, raw: bytes | str) -> Record:
        return cls(**orjson.loads(raw))


@dataclass
class Note:
    id: str
    parent_object_id: str
    parent_record_id: str
    title: str
    content_plaintext: str
    content_markdown: str
    created_by_actor: JSON
    created_at: str
    meeting_id: str | None = None
    tags: list[JSON] = field(default_factory=list)
    seq: int = 0


@dataclass
class Task:
    id: str
    content_plaintext: str
    deadline_at: str | None
    is_completed: bool
    linked_records: list[JSON]
    assignees: list[JSON]
    created_by_actor: JSON
    created_at: str
    completed_at: str | None = None
    seq: int = 0


T = TypeVar("T")


class Ordered(dict[str, T]):
    """Items by id in creation order, with a cached list of them so a page at any offset is a slice,
    not a walk from the start (the list is rebuilt after any insert or removal)."""

    def __init__(self) -> None:
        super().__init__()
        self._ordered: list[T] | None = None

    def ordered(self) -> list[T]:
        """The items in creation order."""
        if self._ordered is None:
            self._ordered = list(self.values())
        return self._ordered

    def __setitem__(self, key: str, value: T) -> None:
        self._ordered = None
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self._ordered = None
        super().__delitem__(key)

    def pop(self, key: str, *default: Any) -> Any:
        self._ordered = None
        return super().pop(key, *default)

    def clear(self) -> None:
        self._ordered = None
        super().clear()

    def update(self, *args: Any, **kwargs: Any) -> None:
        self._ordered = None
        super().update(*args, **kwargs)

    def setdefault(self, key: str, default: Any = None) -> Any:
        self._ordered = None
        return super().setdefault(key, default)

    def popitem(self) -> tuple[str, T]:
        self._ordered = None
        return super().popitem()


Container = Ordered[Record]

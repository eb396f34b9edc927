"""The workspace's schema as the toolkit needs it: objects and lists with every attribute's slug, title,
type, flags, select options and statuses. Fetched from the API, kept in a snapshot's manifest."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from ..client import endpoints
from ..values import AttributeType

JSON = dict[str, Any]


class SchemaReader(Protocol):
    """What reading the schema needs of a client: :class:`cleanup.client.AsyncAttioClient` is one. Named
    here rather than imported, so that a snapshot's types do not depend on the HTTP layer (the sandbox
    reads snapshots and must not import the client it serves). The paths come from
    :mod:`cleanup.client.endpoints`, which only builds strings."""

    async def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any: ...


@dataclass
class AttributeInfo:
    slug: str
    id: str
    title: str
    type: str
    is_multiselect: bool
    is_unique: bool
    is_required: bool
    is_writable: bool
    is_system: bool
    config: JSON = field(default_factory=dict)
    relationship: JSON | None = None
    options: list[JSON] = field(default_factory=list)
    statuses: list[JSON] = field(default_factory=list)

    @property
    def value_type(self) -> AttributeType:
        return AttributeType(self.slug, self.type, self.is_multiselect)


class _Attributes:
    """Lookup of an object's or a list's attributes by slug."""

    slug: str
    attributes: list[AttributeInfo]

    def attribute(self, slug: str) -> AttributeInfo:
        for attr in self.attributes:
            if attr.slug == slug:
                return attr
        raise KeyError(
            f"{self.slug} has no attribute {slug!r}; it has: {', '.join(a.slug for a in self.attributes)}"
        )


@dataclass
class ObjectInfo(_Attributes):
    slug: str
    id: str
    singular_noun: str | None
    plural_noun: str | None
    attributes: list[AttributeInfo]


@dataclass
class ListInfo(_Attributes):
    slug: str
    id: str
    name: str
    parent_object: str
    attributes: list[AttributeInfo]


@dataclass
class WorkspaceSchema:
    workspace_id: str
    workspace_name: str
    workspace_slug: str
    objects: dict[str, ObjectInfo]
    lists: dict[str, ListInfo]

    def to_json(self) -> JSON:
        return asdict(self)

    @classmethod
    def from_json(cls, data: JSON) -> WorkspaceSchema:
        def attrs(items: list[JSON]) -> list[AttributeInfo]:
            return [AttributeInfo(**a) for a in items]

        return cls(
            workspace_id=data["workspace_id"],
            workspace_name=data["workspace_name"],
            workspace_slug=data["workspace_slug"],
            objects={
                k: ObjectInfo(**{**v, "attributes": attrs(v["attributes"])})
                for k, v in data["objects"].items()
            },
            lists={
                k: ListInfo(**{**v, "attributes": attrs(v["attributes"])}) for k, v in data["lists"].items()
            },
        )


def references_to(schema: WorkspaceSchema, object_slug: str) -> list[tuple[str, AttributeInfo]]:
    """Every (object, record-reference attribute) that can point at records of ``object_slug``."""
    target_id = schema.objects[object_slug].id
    found = []
    for slug, info in schema.objects.items():
        for attr in info.attributes:
            if attr.type != "record-reference" or not attr.is_writable:
                continue
            allowed = (attr.config.get("record_reference") or {}).get("allowed_object_ids")
            if allowed is None or target_id in allowed or object_slug in allowed:
                found.append((slug, attr))
    return found


async def _attributes(client: SchemaReader, target: endpoints.Target, identifier: str) -> list[AttributeInfo]:
    raw = (await client.get(endpoints.attributes(target, identifier)))["data"]
    out = [
        AttributeInfo(
            slug=a["api_slug"],
            id=a["id"]["attribute_id"],
            title=a["title"],
            type=a["type"],
            is_multiselect=a["is_multiselect"],
            is_unique=a["is_unique"],
            is_required=a["is_required"],
            is_writable=a["is_writable"],
            is_system=a["is_system_attribute"],
            config=a.get("config") or {},
            relationship=a.get("relationship"),
        )
        for a in raw
        if not a.get("is_archived")
    ]

    async def choices(attr: AttributeInfo) -> None:
        if attr.type == "select":
            kind, key, path = "options", "option_id", endpoints.options(target, identifier, attr.slug)
        else:
            kind, key, path = "statuses", "status_id", endpoints.statuses(target, identifier, attr.slug)
        items = (await client.get(path, {"show_archived": "true"}))["data"]
        setattr(
            attr,
            kind,
            [{"id": i["id"][key], "title": i["title"], "is_archived": i["is_archived"]} for i in items],
        )

    await asyncio.gather(*(choices(a) for a in out if a.type in ("select", "status")))
    return out


async def fetch_schema(client: SchemaReader) -> WorkspaceSchema:
    """Read the workspace's objects, lists and attributes (with options and statuses) from the API."""
    me, objects, lists = await asyncio.gather(
        client.get(endpoints.self_()), client.get(endpoints.objects()), client.get(endpoints.lists())
    )
    obj_attrs = await asyncio.gather(
        *(_attributes(client, "objects", o["api_slug"]) for o in objects["data"])
    )
    list_attrs = await asyncio.gather(*(_attributes(client, "lists", li["api_slug"]) for li in lists["data"]))
    return WorkspaceSchema(
        workspace_id=me.get("workspace_id", ""),
        workspace_name=me.get("workspace_name", ""),
        workspace_slug=me.get("workspace_slug", ""),
        objects={
            o["api_slug"]: ObjectInfo(
                o["api_slug"], o["id"]["object_id"], o["singular_noun"], o["plural_noun"], attrs
            )
            for o, attrs in zip(objects["data"], obj_attrs, strict=True)
        },
        lists={
            li["api_slug"]: ListInfo(
                li["api_slug"], li["id"]["list_id"], li["name"], li["parent_object"][0], attrs
            )
            for li, attrs in zip(lists["data"], list_attrs, strict=True)
        },
    )

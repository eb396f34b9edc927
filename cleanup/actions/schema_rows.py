"""Schema changes as action rows: a list, an attribute (on an object or a list), a select option or status.

An import that needs the source-id attribute, a list, a list attribute or an option plans them as rows like
any other write, so the dry run shows them (:func:`describe` says each in words), and the plan checks the rows
that use them against the schema as it will be (:func:`planned_schema`, :func:`schema_problems`). Applying
them is the executor's (:mod:`cleanup.execute.schema_steps`).

>>> row = attribute_row("import", "objects", "companies", "affinity_id", "Affinity ID", "text", unique=True)
>>> planned_schema(snapshot.schema, [row]).objects["companies"].attribute("affinity_id").type  # doctest: +SKIP
'text'
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

import orjson

from ..export.schema import AttributeInfo, ListInfo, WorkspaceSchema
from .schema import SCHEMA_ACTIONS, Action

JSON = dict[str, Any]
# Attribute types the import may create (the ones with a plain write shape and no required config).
CREATABLE_TYPES = (
    "text",
    "number",
    "checkbox",
    "currency",
    "date",
    "timestamp",
    "rating",
    "select",
    "status",
    "email-address",
    "phone-number",
    "domain",
    "location",
    "actor-reference",
)


# ---------------------------------------------------------------------------------------------- rows
def list_row(recipe: str, slug: str, name: str, parent_object: str, reason: str = "") -> JSON:
    """A plan row that makes the list ``slug`` (named ``name``) of ``parent_object`` records."""
    return {
        "action_id": f"schema:list:{slug}",
        "recipe": recipe,
        "action": Action.CREATE_LIST.value,
        "list": slug,
        "payload": {"name": name, "api_slug": slug, "parent_object": parent_object},
        "reason": reason or f"make the list “{name}” of {parent_object}",
        "confidence": 1.0,
        "decision": "approve",
    }


def attribute_row(
    recipe: str,
    target: str,
    parent: str,
    slug: str,
    title: str,
    kind: str,
    *,
    unique: bool = False,
    multiselect: bool = False,
    description: str = "",
    reason: str = "",
) -> JSON:
    """A plan row that adds the attribute ``slug`` of type ``kind`` to the object (``target="objects"``)
    or list (``"lists"``) ``parent``."""
    if target not in ("objects", "lists"):
        raise ValueError(f"target must be objects or lists, not {target!r}")
    if kind not in CREATABLE_TYPES:
        raise ValueError(f"cannot create a {kind} attribute; the types are {', '.join(CREATABLE_TYPES)}")
    where = {"object": parent} if target == "objects" else {"list": parent}
    return {
        "action_id": f"schema:attribute:{target}:{parent}:{slug}",
        "recipe": recipe,
        "action": Action.CREATE_ATTRIBUTE.value,
        **where,
        "payload": {
            "title": title,
            "description": description,
            "api_slug": slug,
            "type": kind,
            "is_required": False,
            "is_unique": unique,
            "is_multiselect": multiselect,
            "config": {},  # sent even when empty: Attio answers 400 without it
        },
        "reason": reason or f"add the {kind} attribute “{title}” to {parent}",
        "confidence": 1.0,
        "decision": "approve",
    }


def option_row(recipe: str, target: str, parent: str, attribute: str, title: str, reason: str = "") -> JSON:
    """A plan row that adds ``title`` to the options (or statuses, on a status attribute) of ``attribute``."""
    where = {"object": parent} if target == "objects" else {"list": parent}
    return {
        "action_id": f"schema:option:{target}:{parent}:{attribute}:{title}",
        "recipe": recipe,
        "action": Action.CREATE_OPTION.value,
        **where,
        "payload": {"attribute": attribute, "title": title},
        "reason": reason or f"add “{title}” to the choices of {attribute} on {parent}",
        "confidence": 1.0,
        "decision": "approve",
    }


# ---------------------------------------------------------------------------------------------- planning
def row_payload(row: Mapping[str, Any]) -> JSON:
    """A schema row's payload as a dict, whether the row holds it as a dict or as JSON text."""
    payload = row.get("payload")
    if isinstance(payload, str):
        return dict(orjson.loads(payload))
    return dict(payload or {})


def planned_schema(schema: WorkspaceSchema, rows: Iterable[JSON]) -> WorkspaceSchema:
    """``schema`` as it will be once the schema rows among ``rows`` are applied (a copy; ids of what is not
    made yet are empty). Rows naming what does not exist are left out here: :func:`schema_problems` says
    so."""
    wanted = [r for r in rows if r.get("action") in {a.value for a in SCHEMA_ACTIONS}]
    if not wanted:
        return schema
    out = copy.deepcopy(schema)
    order = {Action.CREATE_LIST.value: 0, Action.CREATE_ATTRIBUTE.value: 1, Action.CREATE_OPTION.value: 2}
    for row in sorted(wanted, key=lambda r: order[r["action"]]):
        payload = row_payload(row)
        if row["action"] == Action.CREATE_LIST.value and row["list"] not in out.lists:
            out.lists[row["list"]] = ListInfo(
                row["list"],
                "",
                str(payload.get("name") or row["list"]),
                str(payload.get("parent_object") or ""),
                [],
            )
        elif row["action"] == Action.CREATE_ATTRIBUTE.value:
            container = _container(out, row)
            if container is not None and all(a.slug != payload["api_slug"] for a in container.attributes):
                container.attributes.append(_attribute(payload))
        elif row["action"] == Action.CREATE_OPTION.value:
            container = _container(out, row)
            attr = (
                next((a for a in container.attributes if a.slug == payload["attribute"]), None)
                if container
                else None
            )
            if attr is not None and attr.type in ("select", "status"):
                choices = attr.options if attr.type == "select" else attr.statuses
                if all(c.get("title") != payload["title"] for c in choices):
                    choices.append({"id": "", "title": payload["title"], "is_archived": False})
    return out


def _container(schema: WorkspaceSchema, row: JSON) -> Any:
    if row.get("object"):
        return schema.objects.get(row["object"])
    return schema.lists.get(row.get("list") or "")


def _attribute(payload: JSON) -> AttributeInfo:
    return AttributeInfo(
        slug=payload["api_slug"],
        id="",
        title=str(payload.get("title") or payload["api_slug"]),
        type=payload["type"],
        is_multiselect=bool(payload.get("is_multiselect")),
        is_unique=bool(payload.get("is_unique")),
        is_required=False,
        is_writable=True,
        is_system=False,
        config=payload.get("config") or {},
    )


def schema_problems(schema: WorkspaceSchema, row: JSON, name: str) -> list[str]:
    """What is wrong with one schema row against the schema as planned (``schema``), each with the fix;
    ``name`` says where the row is."""
    payload = row_payload(row)
    action = row["action"]
    if action == Action.CREATE_LIST.value:
        parent = payload.get("parent_object")
        if not payload.get("name") or parent not in schema.objects:
            return [
                f"{name}: a list needs a name and a parent object of the workspace "
                f"({', '.join(sorted(schema.objects))}), not {parent!r}"
            ]
        return []
    container = _container(schema, row)
    where = row.get("object") or row.get("list")
    if container is None:
        return [f"{name}: no object or list {where!r} to add to (make the list first, or fix the name)"]
    if action == Action.CREATE_ATTRIBUTE.value:
        if payload.get("type") not in CREATABLE_TYPES:
            return [
                f"{name}: cannot create a {payload.get('type')} attribute; use one of {', '.join(CREATABLE_TYPES)}"
            ]
        if payload.get("type") == "status" and row.get("object"):
            return [f"{name}: Attio has status attributes on lists only; use a select on {where}"]
        return []
    attr = next((a for a in container.attributes if a.slug == payload.get("attribute")), None)
    if attr is None or attr.type not in ("select", "status"):
        return [f"{name}: {payload.get('attribute')!r} on {where} is not a select or status attribute"]
    archived = [
        c
        for c in (attr.options or attr.statuses)
        if c.get("title") == payload.get("title") and c.get("is_archived")
    ]
    if archived:
        return [
            f"{name}: “{payload['title']}” is an archived choice of {attr.title}; restore it in Attio instead"
        ]
    return []


# ---------------------------------------------------------------------------------------------- words
def describe(row: JSON, schema: WorkspaceSchema | None = None) -> str:
    """A schema row as a person reads it: 'make the list “Pipeline” of companies', 'add the attribute
    “Affinity ID” (text, unique) to Companies', 'add the choice “Series A” to Stage on Pipeline'. Objects,
    lists and attributes are named as Attio shows them when ``schema`` knows them (else by slug)."""
    payload = row_payload(row)
    where = _shown_container(row, schema)
    if row["action"] == Action.CREATE_LIST.value:
        parent = _shown_container({"object": payload.get("parent_object")}, schema)
        return f"make the list “{payload.get('name')}” of {parent}"
    if row["action"] == Action.CREATE_ATTRIBUTE.value:
        flags = ", ".join(
            [str(payload.get("type"))]
            + (["unique"] if payload.get("is_unique") else [])
            + (["several values"] if payload.get("is_multiselect") else [])
        )
        return f"add the attribute “{payload.get('title')}” ({flags}) to {where}"
    attribute = str(payload.get("attribute", ""))
    container = _container(schema, row) if schema is not None else None
    attr = next((a for a in container.attributes if a.slug == attribute), None) if container else None
    return f"add the choice “{payload.get('title')}” to {attr.title if attr else attribute} on {where}"


def _shown_container(row: JSON, schema: WorkspaceSchema | None) -> str:
    if row.get("object"):
        info = schema.objects.get(row["object"]) if schema is not None else None
        return (info.plural_noun if info and info.plural_noun else row["object"]) or ""
    li = schema.lists.get(row.get("list") or "") if schema is not None else None
    return li.name if li and li.name else str(row.get("list") or "")


__all__ = [
    "CREATABLE_TYPES",
    "attribute_row",
    "describe",
    "list_row",
    "option_row",
    "planned_schema",
    "row_payload",
    "schema_problems",
]

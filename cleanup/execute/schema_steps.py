"""Schema changes as plan rows: a list, an attribute (on an object or a list), a select option or status.

An import that needs the source-id attribute, a list, a list attribute or an option plans them as rows like
any other write, so the dry run shows them, the plan checks the rows that use them against the schema as it
will be (:func:`planned_schema`), and the executor applies them first, journalled. Each step looks before it
creates — a list by its slug, an attribute by its slug, an option by its title — so an answer lost to a
dropped connection or a kill is never a second list, and a re-run finds what the first one made.

>>> row = attribute_row("import", "objects", "companies", "affinity_id", "Affinity ID", "text", unique=True)
>>> planned_schema(snapshot.schema, [row]).objects["companies"].attribute("affinity_id").type  # doctest: +SKIP
'text'
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

import orjson

from ..actions import Action
from ..actions.schema import SCHEMA_ACTIONS
from ..client import AsyncAttioClient
from ..client.errors import AmbiguousWriteError, ApiError, NotFoundError
from ..export.schema import AttributeInfo, ListInfo, WorkspaceSchema

JSON = dict[str, Any]
TRIES = 5  # sends of one create after unclear answers, each looked for first
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
# Lists are made visible to the whole workspace, as a list made in Attio's app is by default.
LIST_ACCESS = "full-access"


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
def _payload(row: JSON) -> JSON:
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
        payload = _payload(row)
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
    payload = _payload(row)
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


# ---------------------------------------------------------------------------------------------- applying
async def make(client: AsyncAttioClient, row: JSON) -> tuple[str, bool]:
    """Apply one schema row: look for it first, create it if it is not there, and after an unclear
    answer look again before sending again. Returns (its id, whether it was already there)."""
    path, body, id_key = await _request(client, row)
    last: AmbiguousWriteError | None = None
    for _ in range(TRIES):
        found = await _look(client, row, path, id_key)
        if found is not None:
            return found, last is None
        try:
            made = await client.post(path, {"data": body})
        except AmbiguousWriteError as error:
            last = error
            continue
        except ApiError as error:
            if error.code == "slug_conflict":  # made meanwhile (another run): take it
                found = await _look(client, row, path, id_key)
                if found is not None:
                    return found, True
            raise
        return str(made["data"]["id"][id_key]), False
    assert last is not None
    raise last


def _where(row: JSON) -> tuple[str, str]:
    return ("objects", row["object"]) if row.get("object") else ("lists", str(row.get("list")))


async def _request(client: AsyncAttioClient, row: JSON) -> tuple[str, JSON, str]:
    """The create's path, body and the key of the id it answers with."""
    payload = _payload(row)
    target, parent = _where(row)
    if row["action"] == Action.CREATE_LIST.value:
        body = {
            "name": payload["name"],
            "api_slug": payload["api_slug"],
            "parent_object": payload["parent_object"],
            "workspace_access": LIST_ACCESS,
            "workspace_member_access": [],
        }
        return "/v2/lists", body, "list_id"
    if row["action"] == Action.CREATE_ATTRIBUTE.value:
        return f"/v2/{target}/{parent}/attributes", payload, "attribute_id"
    base = f"/v2/{target}/{parent}/attributes/{payload['attribute']}"
    attribute = (await client.get(base))["data"]
    if attribute["type"] == "status":
        return f"{base}/statuses", {"title": payload["title"]}, "status_id"
    return f"{base}/options", {"title": payload["title"]}, "option_id"


async def _look(client: AsyncAttioClient, row: JSON, path: str, id_key: str) -> str | None:
    """The id of what the row makes, if the workspace has it already: looked for in the listing it would
    join (lists, the attributes of its object or list, the attribute's choices), which answers 200 either
    way — never a 404 probe."""
    payload = _payload(row)
    if row["action"] == Action.CREATE_OPTION.value:
        items = (await client.get(path, {"show_archived": "true"}))["data"]
        found = next((c for c in items if c["title"] == payload["title"]), None)
    elif row["action"] == Action.CREATE_LIST.value:
        items = (await client.get(path))["data"]
        found = next((c for c in items if c["api_slug"] == payload["api_slug"]), None)
    else:
        items = (await client.get(path, {"show_archived": "true"}))["data"]
        found = next((c for c in items if c["api_slug"] == payload["api_slug"]), None)
    return None if found is None else str(found["id"][id_key])


# ---------------------------------------------------------------------------------------------- words
def describe(row: JSON, schema: WorkspaceSchema | None = None) -> str:
    """A schema row as a person reads it: 'make the list “Pipeline” of companies', 'add the attribute
    “Affinity ID” (text, unique) to Companies', 'add the choice “Series A” to Stage on Pipeline'. Objects,
    lists and attributes are named as Attio shows them when ``schema`` knows them (else by slug)."""
    payload = _payload(row)
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


async def present(client: AsyncAttioClient, row: JSON) -> bool:
    """Whether what the row makes is in the workspace (the run's read-back)."""
    try:
        path, _, id_key = await _request(client, row)
    except NotFoundError:
        return False
    return await _look(client, row, path, id_key) is not None

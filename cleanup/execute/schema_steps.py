"""Applying schema rows (:mod:`cleanup.actions.schema_rows`): a list, an attribute, a select option or status.

The executor applies them first, journalled. Each step looks before it creates — a list by its slug, an
attribute by its slug, an option by its title — so an answer lost to a dropped connection or a kill is never a
second list, and a re-run finds what the first one made.

>>> made_id, was_there = await make(client, row)  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from ..actions import Action
from ..actions.schema_rows import row_payload
from ..client import AsyncAttioClient, endpoints
from ..client.errors import ApiError, NotFoundError
from .rows import Row
from .stepping import looking_first

JSON = dict[str, Any]
# Lists are made visible to the whole workspace, as a list made in Attio's app is by default.
LIST_ACCESS = "full-access"


# ---------------------------------------------------------------------------------------------- applying
async def make(client: AsyncAttioClient, row: Row) -> tuple[str, bool]:
    """Apply one schema row: look for it first, create it if it is not there, and after an unclear
    answer look again before sending again (:func:`.stepping.looking_first`). Returns (its id, whether it
    was there before this call)."""
    path, body, id_key = await _request(client, row)

    async def look() -> str | None:
        return await _look(client, row, path, id_key)

    found = await look()
    if found is not None:
        return found, True

    async def send() -> str:
        try:
            made = await client.post(path, {"data": body})
        except ApiError as error:
            if error.code == "slug_conflict" and (other := await look()):  # made meanwhile: take it
                return other
            raise
        return str(made["data"]["id"][id_key])

    made = await looking_first(send, look)
    assert made.id is not None
    return made.id, False


def _where(row: Row) -> tuple[endpoints.Target, str]:
    return ("objects", row["object"]) if row.get("object") else ("lists", str(row.get("list")))


async def _request(client: AsyncAttioClient, row: Row) -> tuple[str, JSON, str]:
    """The create's path, body and the key of the id it answers with."""
    payload = row_payload(row)
    target, parent = _where(row)
    if row["action"] == Action.CREATE_LIST.value:
        body = {
            "name": payload["name"],
            "api_slug": payload["api_slug"],
            "parent_object": payload["parent_object"],
            "workspace_access": LIST_ACCESS,
            "workspace_member_access": [],
        }
        return endpoints.lists(), body, "list_id"
    if row["action"] == Action.CREATE_ATTRIBUTE.value:
        return endpoints.attributes(target, parent), payload, "attribute_id"
    slug = payload["attribute"]
    attribute = (await client.get(endpoints.attribute(target, parent, slug)))["data"]
    if attribute["type"] == "status":
        return endpoints.statuses(target, parent, slug), {"title": payload["title"]}, "status_id"
    return endpoints.options(target, parent, slug), {"title": payload["title"]}, "option_id"


async def _look(client: AsyncAttioClient, row: Row, path: str, id_key: str) -> str | None:
    """The id of what the row makes, if the workspace has it already: looked for in the listing it would
    join (lists, the attributes of its object or list, the attribute's choices), which answers 200 either
    way — never a 404 probe."""
    payload = row_payload(row)
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


async def present(client: AsyncAttioClient, row: Row) -> bool:
    """Whether what the row makes is in the workspace (the run's read-back)."""
    try:
        path, _, id_key = await _request(client, row)
    except NotFoundError:
        return False
    return await _look(client, row, path, id_key) is not None

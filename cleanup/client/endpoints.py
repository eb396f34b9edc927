"""Every Attio API path the toolkit calls, and the page size each listing is read with: the one place a
``/v2/...`` path is spelled. Each segment taken from data (a slug, an id) is percent-encoded, so a value
holding ``/``, ``?`` or ``#`` stays inside its own segment.

>>> record("companies", "0c1a5f0e-4b3c-5b9a-9d6e-2f1e8a7b6c5d")
'/v2/objects/companies/records/0c1a5f0e-4b3c-5b9a-9d6e-2f1e8a7b6c5d'
>>> await client.all_items("GET", notes(), page_size=NOTES_PAGE)  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import quote

PREFIX = "/v2"
Target = Literal["objects", "lists"]  # what owns attributes: an object or a list

# Page sizes (``limit``) of the paginated reads: the API's default, or its maximum where one is documented.
RECORDS_PAGE = 500  # POST records/query: default 500, no documented maximum
ENTRIES_PAGE = 500  # POST entries/query: as records/query
NOTES_PAGE = 50  # GET notes: maximum 50
TASKS_PAGE = 500  # GET tasks: default 500, no documented maximum
RECORD_ENTRIES_PAGE = 1000  # GET records/{id}/entries: maximum 1000


def _path(*segments: str) -> str:
    """``/v2/`` followed by ``segments``, each percent-encoded (``/`` included)."""
    return "/".join((PREFIX, *(quote(str(s), safe="") for s in segments)))


def server_of(url: str) -> str:
    """The server part of a request's URL: all before the API's path (``https://api.attio.com``)."""
    return url.partition(PREFIX + "/")[0]


# ---------------------------------------------------------------------------------- workspace
def self_() -> str:
    """``GET``: the token and its workspace (the one answer without a ``data`` wrapper)."""
    return _path("self")


def workspace_members() -> str:
    """``GET``: every member (not paginated)."""
    return _path("workspace_members")


# ---------------------------------------------------------------------------------- schema
def objects() -> str:
    """``GET``: every object (not paginated)."""
    return _path("objects")


def lists() -> str:
    """``GET`` every list (not paginated); ``POST`` creates one."""
    return _path("lists")


def attributes(target: Target, identifier: str) -> str:
    """``GET`` the attributes of an object or a list (slug or id); ``POST`` creates one."""
    return _path(target, identifier, "attributes")


def attribute(target: Target, identifier: str, attribute_slug: str) -> str:
    """``GET``/``PATCH`` one attribute (slug or id) of an object or a list."""
    return _path(target, identifier, "attributes", attribute_slug)


def options(target: Target, identifier: str, attribute_slug: str) -> str:
    """``GET`` a select attribute's options; ``POST`` adds one."""
    return _path(target, identifier, "attributes", attribute_slug, "options")


def statuses(target: Target, identifier: str, attribute_slug: str) -> str:
    """``GET`` a status attribute's statuses; ``POST`` adds one."""
    return _path(target, identifier, "attributes", attribute_slug, "statuses")


# ---------------------------------------------------------------------------------- records
def records(object_slug: str) -> str:
    """``POST`` creates a record; ``PUT ?matching_attribute=`` asserts one."""
    return _path("objects", object_slug, "records")


def records_query(object_slug: str) -> str:
    """``POST``: a page of records (:data:`RECORDS_PAGE`), filtered and sorted."""
    return _path("objects", object_slug, "records", "query")


def records_merge(object_slug: str) -> str:
    """``POST``: merge two records into a new one (beta; 5 requests per second)."""
    return _path("objects", object_slug, "records", "merge")


def record(object_slug: str, record_id: str) -> str:
    """``GET``/``PATCH`` (append)/``PUT`` (overwrite)/``DELETE`` one record."""
    return _path("objects", object_slug, "records", record_id)


def record_entries(object_slug: str, record_id: str) -> str:
    """``GET``: a page of the list entries whose parent is the record (:data:`RECORD_ENTRIES_PAGE`)."""
    return _path("objects", object_slug, "records", record_id, "entries")


def attribute_values(target: Target, identifier: str, item_id: str, attribute_slug: str) -> str:
    """``GET`` (``show_historic=true``: the whole history) an attribute's values on a record
    (``target="objects"``) or a list entry (``"lists"``); ``PUT`` writes its whole history (beta)."""
    kind = "records" if target == "objects" else "entries"
    return _path(target, identifier, kind, item_id, "attributes", attribute_slug, "values")


# ---------------------------------------------------------------------------------- list entries
def entries(list_slug: str) -> str:
    """``POST`` creates an entry; ``PUT`` asserts one by its parent record."""
    return _path("lists", list_slug, "entries")


def entries_query(list_slug: str) -> str:
    """``POST``: a page of a list's entries (:data:`ENTRIES_PAGE`), filtered and sorted."""
    return _path("lists", list_slug, "entries", "query")


def entry(list_slug: str, entry_id: str) -> str:
    """``GET``/``PATCH``/``PUT``/``DELETE`` one list entry."""
    return _path("lists", list_slug, "entries", entry_id)


# ---------------------------------------------------------------------------------- notes and tasks
def notes() -> str:
    """``GET``: a page of notes (:data:`NOTES_PAGE`), of one record with ``parent_object`` and
    ``parent_record_id``; ``POST`` creates one."""
    return _path("notes")


def note(note_id: str) -> str:
    """``GET``/``PATCH`` (title and content)/``DELETE`` one note."""
    return _path("notes", note_id)


def tasks() -> str:
    """``GET``: a page of tasks (:data:`TASKS_PAGE`), of one record with ``linked_object`` and
    ``linked_record_id``; ``POST`` creates one."""
    return _path("tasks")


def task(task_id: str) -> str:
    """``GET``/``PATCH``/``DELETE`` one task."""
    return _path("tasks", task_id)


__all__ = [
    "ENTRIES_PAGE",
    "NOTES_PAGE",
    "PREFIX",
    "RECORDS_PAGE",
    "RECORD_ENTRIES_PAGE",
    "TASKS_PAGE",
    "Target",
    "attribute",
    "attribute_values",
    "attributes",
    "entries",
    "entries_query",
    "entry",
    "lists",
    "note",
    "notes",
    "objects",
    "options",
    "record",
    "record_entries",
    "records",
    "records_merge",
    "records_query",
    "self_",
    "server_of",
    "statuses",
    "task",
    "tasks",
    "workspace_members",
]

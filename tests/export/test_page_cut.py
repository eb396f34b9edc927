"""The fast path (a compact page cut into views of its bytes, decoded by Polars) gives exactly what the
general path gives (the page read whole, each item re-serialised) on every page the demo sandbox serves:
records of every object, entries, notes, tasks and members, every attribute type, flattened as the
snapshot keeps them."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import orjson
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cleanup.client import AttioClient, endpoints
from cleanup.export import WorkspaceSchema, fetch_schema, pages
from cleanup.testing import RunningSandbox
from cleanup.values import ALL_TYPES, AttributeType

Flatten = Callable[[pl.DataFrame], pl.DataFrame]


def _pages(http: httpx.Client, method: str, path: str, size: int, most: int) -> Iterator[bytes]:
    """The bodies of the first ``most`` pages of a limit/offset endpoint (fewer when it ends sooner)."""
    for page in range(most):
        query = {"limit": size, "offset": page * size}
        response = http.request(method, path, **({"json": query} if method == "POST" else {"params": query}))
        response.raise_for_status()
        yield response.content
        if len(response.json()["data"]) < size:
            return


@pytest.fixture(scope="module")
def schema(demo_sandbox: RunningSandbox) -> WorkspaceSchema:
    with AttioClient(demo_sandbox.tokens["primary"], demo_sandbox.base_url, read_rps=0) as client:
        return client.run(fetch_schema(client.aio))


def _parts(schema: WorkspaceSchema) -> Iterator[tuple[str, str, str, int, pl.Struct, Flatten]]:
    """(name, method, path, page size, item type, flatten) of every part an export reads."""
    for slug, obj in schema.objects.items():
        types = [a.value_type for a in obj.attributes]
        path, item = endpoints.records_query(slug), pages.record_schema(types)
        yield slug, "POST", path, endpoints.RECORDS_PAGE, item, lambda f, t=types: pages.flatten_records(f, t)
    for slug, lst in schema.lists.items():
        types = [a.value_type for a in lst.attributes]
        path, item = endpoints.entries_query(slug), pages.entry_schema(types)
        yield slug, "POST", path, endpoints.ENTRIES_PAGE, item, lambda f, t=types: pages.flatten_entries(f, t)
    yield "notes", "GET", endpoints.notes(), endpoints.NOTES_PAGE, pages.NOTE, pages.flatten_notes
    yield "tasks", "GET", endpoints.tasks(), endpoints.TASKS_PAGE, pages.TASK, pages.flatten_tasks


def _types_of(schema: WorkspaceSchema) -> set[AttributeType]:
    infos = [*schema.objects.values(), *schema.lists.values()]
    return {a.value_type for info in infos for a in info.attributes}


def test_the_demo_holds_every_attribute_type(schema: WorkspaceSchema) -> None:
    types = _types_of(schema)
    assert {t.type for t in types} == set(ALL_TYPES)
    assert any(t.is_multiselect for t in types)


def test_fast_path_gives_what_the_general_path_gives_on_every_demo_page(
    demo_http: httpx.Client, schema: WorkspaceSchema
) -> None:
    for name, method, path, size, item, flatten in _parts(schema):
        for number, content in enumerate(_pages(demo_http, method, path, size, most=4)):
            fast = pages._parse_compact(content, item)
            assert fast is not None, f"{name} page {number} took the general path"
            general = pages._parse_any(content, item)
            assert fast.schema == general.schema
            assert fast.equals(general), f"{name} page {number}"
            flat_fast, flat_general = flatten(fast), flatten(general)
            assert flat_fast.schema == flat_general.schema
            assert flat_fast.equals(flat_general), f"{name} page {number}, flattened"


def test_members_take_the_fast_path_too(demo_http: httpx.Client) -> None:
    content = demo_http.get(endpoints.workspace_members()).content
    fast = pages._parse_compact(content, pages.MEMBER)
    assert fast is not None
    assert fast.equals(pages._parse_any(content, pages.MEMBER))
    assert pages.flatten_members(fast).height == len(
        demo_http.get(endpoints.workspace_members()).json()["data"]
    )


AWKWARD = st.lists(st.sampled_from([*'ab}{[],:"\\ ', "é", "🚀", '},{"id":']), max_size=6).map("".join)
NOTE_IDS = st.lists(st.text(alphabet="0123456789abcdef", min_size=4, max_size=4), max_size=6, unique=True)


@st.composite
def awkward_notes(draw: st.DrawFn) -> list[dict[str, object]]:
    """Notes whose strings hold JSON's punctuation, some not starting with their id, some holding lists of
    objects that start with an ``id`` (another note's, even): boundaries nested inside items."""
    note_ids = draw(NOTE_IDS)
    linked = st.sampled_from(note_ids) if note_ids else AWKWARD
    notes = []
    for note_id in note_ids:
        note = {
            "id": {"workspace_id": "w", "note_id": note_id},
            "title": draw(AWKWARD),
            "links": draw(st.lists(st.fixed_dictionaries({"id": st.one_of(AWKWARD, linked)}), max_size=3)),
        }
        if draw(st.booleans()):
            note = {"title": note["title"], "links": note["links"], "id": note["id"]}
        notes.append(note)
    return notes


@given(awkward_notes())
def test_every_item_keeps_exactly_its_own_json(notes: list[dict[str, object]]) -> None:
    frame = pages.parse_items(orjson.dumps({"data": notes}), pages.NOTE)
    assert frame["_raw"].to_list() == [orjson.dumps(note).decode() for note in notes]
    assert frame["data"].struct.field("title").to_list() == [note["title"] for note in notes]

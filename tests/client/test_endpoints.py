"""Every path :mod:`cleanup.client.endpoints` builds is a route of Attio's REST API as its reference spells it
(the fact sheets ``attio-api.md`` and ``attio-api-2026.md``), with each value percent-encoded in its own
segment, and the sandbox answers each of them."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cleanup.client import AttioClient, endpoints
from cleanup.testing import RunningSandbox

ID = "0c1a5f0e-4b3c-5b9a-9d6e-2f1e8a7b6c5d"

# (function, arguments, the route as Attio documents it, with the arguments in place)
ROUTES: list[tuple[Callable[..., str], tuple[str, ...], str]] = [
    (endpoints.self_, (), "/v2/self"),
    (endpoints.workspace_members, (), "/v2/workspace_members"),
    (endpoints.objects, (), "/v2/objects"),
    (endpoints.lists, (), "/v2/lists"),
    (endpoints.attributes, ("objects", "companies"), "/v2/objects/companies/attributes"),
    (endpoints.attribute, ("lists", "pipeline", "stage"), "/v2/lists/pipeline/attributes/stage"),
    (endpoints.options, ("objects", "deals", "kind"), "/v2/objects/deals/attributes/kind/options"),
    (endpoints.statuses, ("lists", "pipeline", "stage"), "/v2/lists/pipeline/attributes/stage/statuses"),
    (endpoints.records, ("people",), "/v2/objects/people/records"),
    (endpoints.records_query, ("people",), "/v2/objects/people/records/query"),
    (endpoints.records_merge, ("people",), "/v2/objects/people/records/merge"),
    (endpoints.record, ("people", ID), f"/v2/objects/people/records/{ID}"),
    (endpoints.record_entries, ("people", ID), f"/v2/objects/people/records/{ID}/entries"),
    (
        endpoints.attribute_values,
        ("objects", "people", ID, "name"),
        f"/v2/objects/people/records/{ID}/attributes/name/values",
    ),
    (endpoints.entries, ("pipeline",), "/v2/lists/pipeline/entries"),
    (endpoints.entries_query, ("pipeline",), "/v2/lists/pipeline/entries/query"),
    (endpoints.entry, ("pipeline", ID), f"/v2/lists/pipeline/entries/{ID}"),
    (endpoints.notes, (), "/v2/notes"),
    (endpoints.note, (ID,), f"/v2/notes/{ID}"),
    (endpoints.tasks, (), "/v2/tasks"),
    (endpoints.task, (ID,), f"/v2/tasks/{ID}"),
]
PATHS = [f for f, _, _ in ROUTES]


@pytest.mark.parametrize(("build", "args", "route"), ROUTES, ids=[f.__name__ for f in PATHS])
def test_each_path_is_the_documented_route(
    build: Callable[..., str], args: tuple[str, ...], route: str
) -> None:
    assert build(*args) == route


def test_every_path_function_is_checked_against_the_documentation() -> None:
    functions = {
        name
        for name in endpoints.__all__
        if inspect.isfunction(getattr(endpoints, name)) and name != "server_of"
    }
    assert functions == {f.__name__ for f in PATHS}


def test_page_sizes_are_within_the_documented_maxima() -> None:
    assert endpoints.NOTES_PAGE == 50  # GET /v2/notes: at most 50
    assert endpoints.RECORD_ENTRIES_PAGE == 1000  # GET .../records/{id}/entries: at most 1000
    assert endpoints.RECORDS_PAGE == endpoints.ENTRIES_PAGE == endpoints.TASKS_PAGE == 500  # the defaults


def test_a_value_stays_in_its_own_segment() -> None:
    assert endpoints.record("a/b c", "x?y#z%") == "/v2/objects/a%2Fb%20c/records/x%3Fy%23z%25"
    assert (
        endpoints.options("lists", "pipeline", "../stage")
        == "/v2/lists/pipeline/attributes/..%2Fstage/options"
    )


@given(
    st.sampled_from([route for route in ROUTES if route[1]]),
    st.lists(st.text(min_size=1), min_size=4, max_size=4),
)
def test_any_value_round_trips_in_its_own_segment(
    route: tuple[Callable[..., str], tuple[str, ...], str], values: list[str]
) -> None:
    build, examples, documented = route
    chosen = {e: e if e in ("objects", "lists") else v for e, v in zip(examples, values, strict=False)}
    path = build(*(chosen[e] for e in examples))
    assert [unquote(s) for s in path.split("/")] == [chosen.get(s, s) for s in documented.split("/")]


def test_server_of_a_request_url() -> None:
    assert (
        endpoints.server_of("https://api.attio.com/v2/objects/people/records/query")
        == "https://api.attio.com"
    )
    assert endpoints.server_of("http://127.0.0.1:8080/v2/self") == "http://127.0.0.1:8080"


def test_the_sandbox_answers_every_path(empty_sandbox: RunningSandbox) -> None:
    with AttioClient(empty_sandbox.tokens["primary"], empty_sandbox.base_url) as client:
        assert client.get(endpoints.self_())["workspace_name"] == "Sandbox"
        assert client.get(endpoints.workspace_members())["data"]
        assert "companies" in {o["api_slug"] for o in client.get(endpoints.objects())["data"]}
        client.get(endpoints.lists())
        assert client.get(endpoints.attribute("objects", "companies", "name"))["data"]["api_slug"] == "name"
        made = client.post(endpoints.records("companies"), {"data": {"values": {"name": "Acme"}}})["data"]
        record_id = made["id"]["record_id"]
        assert client.get(endpoints.record("companies", record_id))["data"]["id"]["record_id"] == record_id
        assert client.post(endpoints.records_query("companies"), {"limit": endpoints.RECORDS_PAGE})["data"]
        assert client.get(endpoints.record_entries("companies", record_id))["data"] == []
        history = client.get(
            endpoints.attribute_values("objects", "companies", record_id, "name"), {"show_historic": "true"}
        )
        assert history["data"][0]["active_until"] is None
        note = {
            "parent_object": "companies",
            "parent_record_id": record_id,
            "title": "t",
            "format": "plaintext",
        }
        note_id = client.post(endpoints.notes(), {"data": {**note, "content": "hi"}})["data"]["id"]["note_id"]
        assert client.get(endpoints.note(note_id))["data"]["title"] == "t"
        assert client.get(endpoints.notes(), {"limit": endpoints.NOTES_PAGE})["data"]
        assert client.get(endpoints.tasks(), {"limit": endpoints.TASKS_PAGE})["data"] == []


def test_attribute_values_of_an_entry_are_under_its_list() -> None:
    path = endpoints.attribute_values("lists", "pipeline", ID, "stage")
    assert path == f"/v2/lists/pipeline/entries/{ID}/attributes/stage/values"

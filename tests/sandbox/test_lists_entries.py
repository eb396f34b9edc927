"""Lists and entries over real HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .spec import assert_attio_error, assert_matches_spec

LIST = {
    "name": "Pipeline",
    "api_slug": "pipeline",
    "parent_object": "companies",
    "workspace_access": "full-access",
    "workspace_member_access": [],
}
ENTRIES = "/v2/lists/{list}/entries"
ENTRY = "/v2/lists/{list}/entries/{entry_id}"


@pytest.fixture
def pipeline(http: httpx.Client) -> httpx.Client:
    assert_matches_spec(http.post("/v2/lists", json={"data": LIST}), "/v2/lists")
    for slug, kind, multi in (
        ("stage", "status", False),
        ("tags", "select", True),
        ("amount", "currency", False),
    ):
        config = (
            {"currency": {"default_currency_code": "USD", "display_type": "symbol"}}
            if kind == "currency"
            else {}
        )
        body = {
            "data": {
                "title": slug,
                "description": None,
                "api_slug": slug,
                "type": kind,
                "is_required": False,
                "is_unique": False,
                "is_multiselect": multi,
                "config": config,
            }
        }
        assert http.post("/v2/lists/pipeline/attributes", json=body).status_code == 200
    for title in ("Lead", "Won"):
        http.post("/v2/lists/pipeline/attributes/stage/statuses", json={"data": {"title": title}})
    for title in ("hot", "cold", "warm"):
        http.post("/v2/lists/pipeline/attributes/tags/options", json={"data": {"title": title}})
    return http


def company(http: httpx.Client, name: str = "Acme") -> str:
    record_id: str = http.post(
        "/v2/objects/companies/records", json={"data": {"values": {"name": name}}}
    ).json()["data"]["id"]["record_id"]
    return record_id


def entry_body(parent: str, values: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"data": {"parent_record_id": parent, "parent_object": "companies", "entry_values": values or {}}}


def test_list_create_rules(http: httpx.Client) -> None:
    created = assert_matches_spec(http.post("/v2/lists", json={"data": LIST}), "/v2/lists")["data"]
    assert created["parent_object"] == ["companies"]
    assert_attio_error(http.post("/v2/lists", json={"data": LIST}), 409, "slug_conflict")
    no_access = {**LIST, "api_slug": "other", "workspace_access": None}
    assert_attio_error(http.post("/v2/lists", json={"data": no_access}), 400, "validation_type")
    missing = {k: v for k, v in LIST.items() if k != "workspace_member_access"}
    assert_attio_error(http.post("/v2/lists", json={"data": missing}), 400, "validation_type")
    unknown = {**LIST, "api_slug": "x", "parent_object": "nope"}
    assert_attio_error(http.post("/v2/lists", json={"data": unknown}), 404, "not_found")
    assert (
        assert_matches_spec(http.get("/v2/lists/pipeline"), "/v2/lists/{list}")["data"]["name"] == "Pipeline"
    )
    renamed = http.patch("/v2/lists/pipeline", json={"data": {"name": "Deals"}})
    assert assert_matches_spec(renamed, "/v2/lists/{list}")["data"]["name"] == "Deals"
    assert_attio_error(
        http.patch("/v2/lists/pipeline", json={"data": {"parent_object": "people"}}), 400, "immutable_value"
    )
    assert_attio_error(http.get("/v2/lists/nope"), 404, "not_found")


def test_entry_create_read_update_delete(pipeline: httpx.Client) -> None:
    parent = company(pipeline)
    made = pipeline.post(
        ENTRIES.format(list="pipeline"),
        json=entry_body(parent, {"stage": "Lead", "tags": ["hot"], "amount": 1000}),
    )
    entry = assert_matches_spec(made, "/v2/lists/{list}/entries")["data"]
    assert entry["parent_record_id"] == parent
    assert entry["parent_object"] == "companies"
    assert {"entry_id", "created_at", "created_by", "stage", "tags", "amount"} <= set(entry["entry_values"])
    url = ENTRY.format(list="pipeline", entry_id=entry["id"]["entry_id"])
    assert_matches_spec(pipeline.get(url), "/v2/lists/{list}/entries/{entry_id}")
    patched = pipeline.patch(url, json={"data": {"entry_values": {"tags": ["cold"], "stage": "Won"}}}).json()[
        "data"
    ]
    assert [v["option"]["title"] for v in patched["entry_values"]["tags"]] == ["cold", "hot"]
    put = pipeline.put(url, json={"data": {"entry_values": {"tags": ["warm"]}}})
    assert_matches_spec(put, "/v2/lists/{list}/entries/{entry_id}")
    assert [v["option"]["title"] for v in put.json()["data"]["entry_values"]["tags"]] == ["warm"]
    history = pipeline.get(url + "/attributes/stage/values", params={"show_historic": "true"})
    assert_matches_spec(history, "/v2/lists/{list}/entries/{entry_id}/attributes/{attribute}/values")
    assert [v["status"]["title"] for v in history.json()["data"]] == ["Lead", "Won"]
    other = company(pipeline, "Other")
    assert_attio_error(
        pipeline.patch(url, json={"data": {"parent_record_id": other, "entry_values": {}}}),
        400,
        "immutable_value",
    )
    assert_matches_spec(pipeline.delete(url), "/v2/lists/{list}/entries/{entry_id}")
    assert_attio_error(pipeline.get(url), 404, "not_found")


def test_entry_assert_and_multiple_entries(pipeline: httpx.Client) -> None:
    parent = company(pipeline)
    url = ENTRIES.format(list="pipeline")
    first = pipeline.put(url, json=entry_body(parent, {"tags": ["hot", "cold"]})).json()["data"]
    second = pipeline.put(url, json=entry_body(parent, {"tags": ["warm"]})).json()["data"]
    assert first["id"] == second["id"]
    assert [v["option"]["title"] for v in second["entry_values"]["tags"]] == ["warm"]
    pipeline.post(url, json=entry_body(parent))
    assert_attio_error(pipeline.put(url, json=entry_body(parent)), 400, "multiple_match_results")
    assert_attio_error(
        pipeline.post(url, json=entry_body("00000000-0000-0000-0000-000000000000")), 400, "value_not_found"
    )
    assert_attio_error(
        pipeline.post(url, json={"data": {"parent_record_id": parent}}), 400, "validation_type"
    )


def test_entries_query_paging_and_filter(pipeline: httpx.Client) -> None:
    url = ENTRIES.format(list="pipeline")
    for i in range(5):
        pipeline.post(url, json=entry_body(company(pipeline, f"C{i}"), {"stage": "Won" if i % 2 else "Lead"}))
    page = pipeline.post(url + "/query", json={"limit": 3})
    assert len(assert_matches_spec(page, "/v2/lists/{list}/entries/query")["data"]) == 3
    assert len(pipeline.post(url + "/query", json={"limit": 3, "offset": 3}).json()["data"]) == 2
    won = pipeline.post(url + "/query", json={"filter": {"stage": "Won"}}).json()["data"]
    assert len(won) == 2
    assert_attio_error(pipeline.post("/v2/lists/nope/entries/query", json={}), 404, "not_found")

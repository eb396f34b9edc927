"""The filter and sort grammar of records/query and entries/query, table-driven over a small workspace."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .spec import assert_attio_error

PEOPLE = [
    {
        "key": "ada",
        "values": {
            "name": "Lovelace, Ada",
            "email_addresses": ["ada@analytical.org"],
            "job_title": "Mathematician",
            "phone_numbers": ["+44 20 7946 0958"],
            "primary_location": "London, England, GB",
        },
    },
    {
        "key": "grace",
        "values": {
            "name": "Hopper, Grace",
            "email_addresses": ["grace@navy.mil", "g.hopper@yale.edu"],
            "job_title": "Rear Admiral",
        },
    },
    {
        "key": "alan",
        "values": {
            "name": "Turing, Alan",
            "email_addresses": ["alan@bletchley.co.uk"],
            "job_title": "Mathematician",
            "phone_numbers": ["+44 161 496 0000"],
        },
    },
    {"key": "nobody", "values": {"name": "Nobody, No"}},
]


@pytest.fixture
def people(http: httpx.Client) -> dict[str, str]:
    ids = {}
    for person in PEOPLE:
        response = http.post("/v2/objects/people/records", json={"data": {"values": person["values"]}})
        ids[person["key"]] = response.json()["data"]["id"]["record_id"]
    return ids


def query(http: httpx.Client, body: dict[str, Any], obj: str = "people") -> httpx.Response:
    return http.post(f"/v2/objects/{obj}/records/query", json=body)


FILTER_CASES: list[tuple[str, dict[str, Any], set[str]]] = [
    ("shorthand email", {"email_addresses": "grace@navy.mil"}, {"grace"}),
    ("shorthand name is full_name", {"name": "Ada Lovelace"}, {"ada"}),
    ("shorthand phone normalised", {"phone_numbers": "+442079460958"}, {"ada"}),
    (
        "two keys are ANDed",
        {"job_title": "Mathematician", "email_addresses": "alan@bletchley.co.uk"},
        {"alan"},
    ),
    ("text $eq", {"job_title": {"$eq": "Rear Admiral"}}, {"grace"}),
    ("text $contains is case-insensitive", {"job_title": {"$contains": "MATH"}}, {"ada", "alan"}),
    ("text $starts_with", {"job_title": {"$starts_with": "Rear"}}, {"grace"}),
    ("text $in", {"job_title": {"$in": ["Rear Admiral", "Nobody"]}}, {"grace"}),
    (
        "text $in, several",
        {"job_title": {"$in": ["Nobody", "Mathematician", "Rear Admiral"]}},
        {"ada", "alan", "grace"},
    ),
    ("text $in matches as $eq does", {"job_title": {"$in": ["rear admiral"]}}, set()),
    ("text $in, empty", {"job_title": {"$in": []}}, set()),
    ("property filter", {"name": {"last_name": {"$eq": "Turing"}}}, {"alan"}),
    ("property shorthand", {"name": {"first_name": "Grace"}}, {"grace"}),
    ("email domain", {"email_addresses": {"email_domain": "yale.edu"}}, {"grace"}),
    ("email root domain", {"email_addresses": {"email_root_domain": {"$ends_with": ".co.uk"}}}, {"alan"}),
    ("phone starts with", {"phone_numbers": {"phone_number": {"$starts_with": "+44161"}}}, {"alan"}),
    ("phone country", {"phone_numbers": {"country_code": "GB"}}, {"ada", "alan"}),
    ("location locality", {"primary_location": {"locality": "London"}}, {"ada"}),
    ("$not_empty", {"phone_numbers": {"$not_empty": True}}, {"ada", "alan"}),
    ("$or", {"$or": [{"name": {"first_name": "Ada"}}, {"name": {"first_name": "Alan"}}]}, {"ada", "alan"}),
    ("$not", {"$not": {"job_title": "Mathematician"}}, {"grace", "nobody"}),
    (
        "nested",
        {"$and": [{"job_title": "Mathematician"}, {"$not": {"name": {"first_name": "Ada"}}}]},
        {"alan"},
    ),
]


@pytest.mark.parametrize(("label", "flt", "expected"), FILTER_CASES, ids=[c[0] for c in FILTER_CASES])
def test_filters(
    http: httpx.Client, people: dict[str, str], label: str, flt: dict[str, Any], expected: set[str]
) -> None:
    response = query(http, {"filter": flt})
    assert response.status_code == 200, (label, response.text)
    found = {r["id"]["record_id"] for r in response.json()["data"]}
    assert found == {people[k] for k in expected}


def test_record_id_in(http: httpx.Client, people: dict[str, str]) -> None:
    wanted = [people["ada"], people["nobody"]]
    found = query(http, {"filter": {"record_id": {"$in": wanted}}}).json()["data"]
    assert {r["id"]["record_id"] for r in found} == set(wanted)


BAD_FILTERS = [
    {"email_addresses": ["ada@analytical.org"]},
    {"job_title": {"$gt": "a"}},
    {"job_title": {"$regex": "a"}},
    {"nope": "x"},
    {"name": {"middle_name": "x"}},
    {"$and": {"job_title": "x"}},
    {"created_at": {"$gte": "2023-11-24"}},
    {"path": [["people", "company"]], "constraints": "x"},
]


@pytest.mark.parametrize("flt", BAD_FILTERS)
def test_bad_filters_are_filter_errors(http: httpx.Client, flt: dict[str, Any]) -> None:
    body = assert_attio_error(query(http, {"filter": flt}), 400, "filter_error")
    assert body["message"].startswith("Error in filter.")


def test_timestamp_ranges_and_sorts(http: httpx.Client, people: dict[str, str]) -> None:
    everyone = query(
        http, {"filter": {"created_at": {"$gte": "2000-01-01T00:00:00Z", "$lt": "2100-01-01T00:00:00Z"}}}
    )
    assert len(everyone.json()["data"]) == 4
    by_last = query(
        http, {"sorts": [{"attribute": "name", "field": "last_name", "direction": "asc"}]}
    ).json()["data"]
    assert [r["values"]["name"][0]["last_name"] for r in by_last] == [
        "Hopper",
        "Lovelace",
        "Nobody",
        "Turing",
    ]
    by_title = query(
        http,
        {
            "sorts": [
                {"attribute": "job_title", "direction": "desc"},
                {"attribute": "name", "field": "first_name", "direction": "asc"},
            ]
        },
    ).json()["data"]
    assert [r["id"]["record_id"] for r in by_title] == [people[k] for k in ("grace", "ada", "alan", "nobody")]
    assert_attio_error(
        query(http, {"sorts": [{"attribute": "nope", "direction": "asc"}]}), 400, "filter_error"
    )


def test_limit_offset_and_bad_paging(http: httpx.Client, people: dict[str, str]) -> None:
    first = query(http, {"limit": 2, "offset": 0}).json()["data"]
    second = query(http, {"limit": 2, "offset": 2}).json()["data"]
    assert len(first) == 2
    assert len(second) == 2
    assert {r["id"]["record_id"] for r in first + second} == set(people.values())
    assert_attio_error(query(http, {"limit": -1}), 400, "validation_type")
    assert_attio_error(query(http, {"offset": "x"}), 400, "validation_type")
    assert_attio_error(query(http, {}, obj="nope"), 404, "not_found")


def test_path_filters_through_references_and_parent_record(http: httpx.Client) -> None:
    acme = http.post(
        "/v2/objects/companies/records", json={"data": {"values": {"name": "Acme", "domains": ["acme.com"]}}}
    ).json()["data"]["id"]["record_id"]
    other = http.post("/v2/objects/companies/records", json={"data": {"values": {"name": "Other"}}}).json()[
        "data"
    ]["id"]["record_id"]
    http.post(
        "/v2/objects/people/records",
        json={
            "data": {
                "values": {
                    "name": "Smith, John",
                    "company": {"target_object": "companies", "target_record_id": acme},
                }
            }
        },
    )
    flt = {
        "path": [["companies", "team"], ["people", "name"]],
        "constraints": {"first_name": {"$eq": "John"}},
    }
    found = query(http, {"filter": flt}, obj="companies").json()["data"]
    assert [r["id"]["record_id"] for r in found] == [acme]
    http.post(
        "/v2/lists",
        json={
            "data": {
                "name": "Pipe",
                "api_slug": "pipe",
                "parent_object": "companies",
                "workspace_access": "full-access",
                "workspace_member_access": [],
            }
        },
    )
    for company in (acme, other):
        http.post(
            "/v2/lists/pipe/entries",
            json={"data": {"parent_record_id": company, "parent_object": "companies", "entry_values": {}}},
        )
    by_parent = {
        "path": [["pipe", "parent_record"], ["companies", "domains"]],
        "constraints": {"domain": "acme.com"},
    }
    entries = http.post("/v2/lists/pipe/entries/query", json={"filter": by_parent}).json()["data"]
    assert [e["parent_record_id"] for e in entries] == [acme]
    ref = {"company": {"target_object": "companies", "target_record_id": acme}}
    assert len(query(http, {"filter": ref}).json()["data"]) == 1

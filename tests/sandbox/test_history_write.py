"""Value-history writes, ``PUT …/attributes/{attribute}/values`` on records and entries (attio-api-2026.md §3),
over real HTTP: the strict body, which attributes are refused, per-value and interval checks, and that every
read sees exactly what was written."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from cleanup.testing import RunningSandbox

from .spec import ENTRY_VALUES, RECORD_VALUES, assert_attio_error, assert_matches_spec
from .test_lists_entries import company, entry_body, pipeline  # noqa: F401  (pipeline is a fixture)

OLD = {
    "value": "Acme (old name)",
    "active_from": "2020-01-01T00:00:00Z",
    "active_until": "2021-06-15T09:30:00Z",
}
NEW = {"value": "Acme Corporation", "active_from": "2021-06-15T09:30:00Z", "active_until": None}


def history(*items: dict[str, Any], **data: Any) -> dict[str, Any]:
    return {"data": {"values": list(items), "replace_history": True, **data}}


def values_url(obj: str, record_id: str, attribute: str) -> str:
    return RECORD_VALUES.format(object=obj, record_id=record_id, attribute=attribute)


@pytest.fixture
def acme(http: httpx.Client) -> str:
    created = http.post("/v2/objects/companies/records", json={"data": {"values": {"name": "Acme"}}})
    record_id: str = created.json()["data"]["id"]["record_id"]
    http.patch(f"/v2/objects/companies/records/{record_id}", json={"data": {"values": {"name": "Acme Inc"}}})
    return record_id


def test_the_sheet_example_replaces_the_whole_history(
    http: httpx.Client, acme: str, empty_sandbox: RunningSandbox
) -> None:
    url = values_url("companies", acme, "name")
    written = assert_matches_spec(http.put(url, json=history(NEW, OLD)), RECORD_VALUES)["data"]
    actor = {"type": "api-token", "id": empty_sandbox.token_ids["primary"]}
    assert written == [
        {
            "value": "Acme (old name)",
            "active_from": "2020-01-01T00:00:00.000000000Z",
            "active_until": "2021-06-15T09:30:00.000000000Z",
            "created_by_actor": actor,
            "attribute_type": "text",
        },
        {
            "value": "Acme Corporation",
            "active_from": "2021-06-15T09:30:00.000000000Z",
            "active_until": None,
            "created_by_actor": actor,
            "attribute_type": "text",
        },
    ]
    assert http.get(url).json()["data"] == [written[1]]
    assert http.get(url, params={"show_historic": "true"}).json()["data"] == written
    record = http.get(f"/v2/objects/companies/records/{acme}").json()["data"]
    assert record["values"]["name"] == [written[1]]
    found = http.post("/v2/objects/companies/records/query", json={"filter": {"name": "Acme Corporation"}})
    assert [r["id"]["record_id"] for r in found.json()["data"]] == [acme]
    assert (
        http.post("/v2/objects/companies/records/query", json={"filter": {"name": "Acme Inc"}}).json()["data"]
        == []
    )


def test_a_history_without_a_current_value_empties_the_attribute(http: httpx.Client, acme: str) -> None:
    url = values_url("companies", acme, "name")
    assert http.put(url, json=history(OLD)).status_code == 200
    assert http.get(url).json()["data"] == []
    assert [v["value"] for v in http.get(url, params={"show_historic": "true"}).json()["data"]] == [
        "Acme (old name)"
    ]


def test_multiselect_values_may_be_active_together(http: httpx.Client, acme: str) -> None:
    url = values_url("companies", acme, "categories")
    written = http.put(
        url,
        json=history(
            {"value": "SaaS", "active_from": "2019-01-01T00:00:00Z", "active_until": None},
            {"value": "AI", "active_from": "2020-01-01T00:00:00Z", "active_until": None},
            {"value": "B2B", "active_from": "2018-01-01T00:00:00Z", "active_until": "2019-01-01T00:00:00Z"},
        ),
    )
    assert [v["option"]["title"] for v in assert_matches_spec(written, RECORD_VALUES)["data"]] == [
        "B2B",
        "SaaS",
        "AI",
    ]
    assert [v["option"]["title"] for v in http.get(url).json()["data"]] == ["SaaS", "AI"]
    same_twice = history(
        {"value": "AI", "active_from": "2019-01-01T00:00:00Z", "active_until": None},
        {"value": "AI", "active_from": "2020-01-01T00:00:00Z", "active_until": None},
    )
    assert_attio_error(http.put(url, json=same_twice), 400, "duplicate_values")


@pytest.mark.parametrize(
    "items",
    [
        [{**OLD, "active_until": "2021-06-15T09:30:01Z"}, NEW],
        [{**OLD, "active_until": None}, NEW],
        [NEW, {**NEW, "value": "Other", "active_from": "2022-01-01T00:00:00Z"}],
    ],
)
def test_single_value_intervals_may_not_overlap(
    http: httpx.Client, acme: str, items: list[dict[str, Any]]
) -> None:
    url = values_url("companies", acme, "name")
    body = assert_attio_error(
        http.put(url, json=history(*items)), 400, "multiple_values_for_single_value_attribute"
    )
    assert body["message"] == (
        "This attribute accepts a single value, so its values may not be active at the same time. "
        "Please ensure the supplied intervals do not overlap."
    )
    assert [v["value"] for v in http.get(url).json()["data"]] == ["Acme Inc"]


SCHEMA_CASES: list[tuple[str, Any]] = [
    ("no data", {"values": [NEW], "replace_history": True}),
    ("extra top-level key", {**history(NEW), "dry_run": True}),
    ("extra data key", history(NEW, mode="replace")),
    ("extra item key", history({**NEW, "note": "x"})),
    ("replace_history missing", {"data": {"values": [NEW]}}),
    ("replace_history false", history(NEW, replace_history=False)),
    ("no values", history()),
    ("401 values", history(*[NEW] * 401)),
    ("array value", history({**NEW, "value": ["a"]})),
    ("null value", history({**NEW, "value": None})),
    ("active_until key missing", history({"value": "x", "active_from": "2021-01-01T00:00:00Z"})),
    ("active_from missing", history({"value": "x", "active_until": None})),
    ("not RFC 3339", history({**NEW, "active_from": "2021-06-15"})),
    ("future start", history({**NEW, "active_from": "2999-01-01T00:00:00Z"})),
    ("future end", history({**OLD, "active_until": "2999-01-01T00:00:00Z"})),
    ("end before start", history({**OLD, "active_until": "2019-01-01T00:00:00Z"})),
    ("end equals start", history({**OLD, "active_until": OLD["active_from"]})),
]


@pytest.mark.parametrize(("case", "body"), SCHEMA_CASES, ids=[c for c, _ in SCHEMA_CASES])
def test_schema_violations_are_validation_type(http: httpx.Client, acme: str, case: str, body: Any) -> None:
    del case
    url = values_url("companies", acme, "name")
    response = http.put(url, json=body)
    assert assert_attio_error(response, 400, "validation_type")["message"] == "Body payload validation error."
    assert_matches_spec(response, RECORD_VALUES)
    assert [v["value"] for v in http.get(url, params={"show_historic": "true"}).json()["data"]] == [
        "Acme",
        "Acme Inc",
    ]


def test_missing_active_until_key_is_named_undefined(http: httpx.Client, acme: str) -> None:
    body = http.put(
        values_url("companies", acme, "name"),
        json=history({"value": "x", "active_from": "2021-01-01T00:00:00Z"}),
    ).json()
    assert body["validation_errors"][0]["path"] == ["data", "values", 0, "active_until"]
    assert body["validation_errors"][0]["received"] == "undefined"


@pytest.mark.parametrize(
    ("obj", "attribute", "code"),
    [
        ("companies", "created_at", "system_edit_unauthorized"),
        ("companies", "created_by", "system_edit_unauthorized"),
        ("companies", "record_id", "system_edit_unauthorized"),
        ("companies", "team", "system_edit_unauthorized"),
        ("people", "company", "system_edit_unauthorized"),
        ("companies", "employee_range", "formula_edit_unauthorized"),
        ("companies", "logo_url", "formula_edit_unauthorized"),
        ("people", "avatar_url", "formula_edit_unauthorized"),
        ("companies", "last_interaction", "formula_edit_unauthorized"),
    ],
)
def test_refused_attributes(http: httpx.Client, obj: str, attribute: str, code: str) -> None:
    record = http.post(f"/v2/objects/{obj}/records", json={"data": {"values": {}}}).json()["data"]
    response = http.put(values_url(obj, record["id"]["record_id"], attribute), json=history(NEW))
    assert attribute in assert_attio_error(response, 400, code)["message"]


def test_the_schema_is_checked_before_eligibility(http: httpx.Client, acme: str) -> None:
    response = http.put(values_url("companies", acme, "created_at"), json={"data": {"values": []}})
    assert_attio_error(response, 400, "validation_type")


def test_bad_values_get_the_update_errors_and_store_nothing(http: httpx.Client, acme: str) -> None:
    url = values_url("companies", acme, "categories")
    unknown = {"value": "Nope", "active_from": "2020-01-01T00:00:00Z", "active_until": None}
    update = http.patch(
        f"/v2/objects/companies/records/{acme}", json={"data": {"values": {"categories": ["Nope"]}}}
    )
    written = http.put(url, json=history({**unknown, "value": "AI"}, unknown))
    assert_attio_error(written, 400, "value_not_found")
    assert written.json()["message"] == update.json()["message"]
    assert http.get(url, params={"show_historic": "true"}).json()["data"] == []
    bad_number = http.put(values_url("companies", acme, "name"), json=history({**NEW, "value": 5}))
    assert_attio_error(bad_number, 400, "validation_type")
    assert bad_number.json()["message"] == 'An invalid value was passed to attribute with slug "name".'


def test_values_are_checked_before_intervals(http: httpx.Client, acme: str) -> None:
    overlapping_and_bad = history({**NEW, "value": 5}, {**NEW, "value": "x"})
    assert_attio_error(
        http.put(values_url("companies", acme, "name"), json=overlapping_and_bad), 400, "validation_type"
    )


def test_unique_current_value_must_not_clash(http: httpx.Client, acme: str) -> None:
    http.post("/v2/objects/companies/records", json={"data": {"values": {"domains": ["taken.com"]}}})
    url = values_url("companies", acme, "domains")
    clash = history({"value": "taken.com", "active_from": "2020-01-01T00:00:00Z", "active_until": None})
    assert_attio_error(http.put(url, json=clash), 400, "uniqueness_conflict")
    past = history(
        {"value": "taken.com", "active_from": "2020-01-01T00:00:00Z", "active_until": "2021-01-01T00:00:00Z"}
    )
    assert http.put(url, json=past).status_code == 200
    mine = history({"value": "acme.com", "active_from": "2020-01-01T00:00:00Z", "active_until": None})
    assert http.put(url, json=mine).status_code == 200
    other = http.post("/v2/objects/companies/records", json={"data": {"values": {"domains": ["acme.com"]}}})
    assert_attio_error(other, 400, "uniqueness_conflict")
    freed = history(
        {"value": "acme.com", "active_from": "2020-01-01T00:00:00Z", "active_until": "2021-01-01T00:00:00Z"}
    )
    assert http.put(url, json=freed).status_code == 200
    assert (
        http.post(
            "/v2/objects/companies/records", json={"data": {"values": {"domains": ["acme.com"]}}}
        ).status_code
        == 200
    )


def test_required_attribute_needs_a_current_value(http: httpx.Client) -> None:
    deal = http.post(
        "/v2/objects/deals/records",
        json={"data": {"values": {"name": "Big", "stage": "Lead", "owner": "admin@sandbox.test"}}},
    ).json()["data"]["id"]["record_id"]
    response = http.put(values_url("deals", deal, "name"), json=history(OLD))
    assert_attio_error(response, 400, "missing_value")


def test_not_found_messages(http: httpx.Client, acme: str) -> None:
    missing_attr = http.put(values_url("companies", acme, "my_attribute"), json=history(NEW))
    assert (
        assert_attio_error(missing_attr, 404, "not_found")["message"]
        == 'Attribute with slug/ID "my_attribute" not found.'
    )
    assert_matches_spec(missing_attr, RECORD_VALUES)
    ghost = "00000000-0000-0000-0000-000000000000"
    missing_record = http.put(values_url("companies", ghost, "name"), json=history(NEW))
    assert (
        assert_attio_error(missing_record, 404, "not_found")["message"]
        == f'Record with ID "{ghost}" not found.'
    )
    missing_list = http.put(
        ENTRY_VALUES.format(list="enterprise_sales", entry_id=ghost, attribute="x"), json=history(NEW)
    )
    assert (
        assert_attio_error(missing_list, 404, "not_found")["message"]
        == 'List with slug/ID "enterprise_sales" not found.'
    )


def test_scopes(empty_sandbox: RunningSandbox, acme: str) -> None:
    with empty_sandbox.http("readonly") as client:
        body = assert_attio_error(
            client.put(values_url("companies", acme, "name"), json=history(NEW)), 403, "missing_scopes"
        )
    assert "record_permission:read-write" in body["message"]


def test_entry_history(pipeline: httpx.Client, empty_sandbox: RunningSandbox) -> None:  # noqa: F811
    parent = company(pipeline)
    entry = pipeline.post("/v2/lists/pipeline/entries", json=entry_body(parent, {"stage": "Lead"})).json()[
        "data"
    ]
    url = ENTRY_VALUES.format(list="pipeline", entry_id=entry["id"]["entry_id"], attribute="stage")
    lead = {"value": "Lead", "active_from": "2021-01-01T00:00:00Z", "active_until": "2021-03-01T00:00:00Z"}
    won = {"value": "Won", "active_from": "2021-03-01T00:00:00Z", "active_until": None}
    written = assert_matches_spec(pipeline.put(url, json=history(won, lead)), ENTRY_VALUES)["data"]
    assert [(v["status"]["title"], v["active_until"]) for v in written] == [
        ("Lead", "2021-03-01T00:00:00.000000000Z"),
        ("Won", None),
    ]
    assert written[0]["created_by_actor"] == {"type": "api-token", "id": empty_sandbox.token_ids["primary"]}
    assert pipeline.get(url, params={"show_historic": "true"}).json()["data"] == written
    read = pipeline.get(f"/v2/lists/pipeline/entries/{entry['id']['entry_id']}").json()["data"]
    assert read["entry_values"]["stage"] == [written[1]]
    assert_attio_error(
        pipeline.put(url, json=history(won, {**lead, "active_until": None})),
        400,
        "multiple_values_for_single_value_attribute",
    )
    entry_url = ENTRY_VALUES.format(list="pipeline", entry_id=entry["id"]["entry_id"], attribute="{}")
    for attribute in ("parent_record", "created_at", "entry_id"):
        assert_attio_error(
            pipeline.put(entry_url.format(attribute), json=history(NEW)), 400, "system_edit_unauthorized"
        )
    with empty_sandbox.http("readonly") as client:
        body = assert_attio_error(client.put(url, json=history(won)), 403, "missing_scopes")
    assert "list_entry:read-write" in body["message"]

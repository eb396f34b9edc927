"""Records over real HTTP: every attribute type's write shorthands and read shape, write semantics,
validation, assert, history, delete, merge and search."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from cleanup.testing import RunningSandbox

from .spec import assert_attio_error, assert_matches_spec

RECORDS = "/v2/objects/{object}/records"
RECORD = "/v2/objects/{object}/records/{record_id}"
COMMON = {"active_from", "active_until", "created_by_actor", "attribute_type"}

CUSTOM_ATTRIBUTES: list[dict[str, Any]] = [
    {"api_slug": "label", "type": "text"},
    {"api_slug": "score", "type": "number"},
    {"api_slug": "active", "type": "checkbox"},
    {
        "api_slug": "price",
        "type": "currency",
        "config": {"currency": {"default_currency_code": "EUR", "display_type": "symbol"}},
    },
    {"api_slug": "launch", "type": "date"},
    {"api_slug": "seen_at", "type": "timestamp"},
    {"api_slug": "stars", "type": "rating"},
    {"api_slug": "tier", "type": "select"},
    {"api_slug": "tags", "type": "select", "is_multiselect": True},
    {
        "api_slug": "vendor",
        "type": "record-reference",
        "config": {"record_reference": {"allowed_objects": ["companies"]}},
    },
    {"api_slug": "owners", "type": "actor-reference", "is_multiselect": True},
    {"api_slug": "site", "type": "location"},
    {"api_slug": "sku", "type": "text", "is_unique": True},
    {"api_slug": "code", "type": "text", "is_required": True},
]


def attribute_body(spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "data": {
            "title": spec["api_slug"].title(),
            "description": None,
            "api_slug": spec["api_slug"],
            "type": spec["type"],
            "is_required": spec.get("is_required", False),
            "is_unique": spec.get("is_unique", False),
            "is_multiselect": spec.get("is_multiselect", False),
            "config": spec.get("config", {}),
        }
    }


@pytest.fixture
def widgets(http: httpx.Client) -> httpx.Client:
    """A custom object ``widgets`` with an attribute of every creatable type."""
    created = http.post(
        "/v2/objects",
        json={"data": {"api_slug": "widgets", "singular_noun": "Widget", "plural_noun": "Widgets"}},
    )
    assert_matches_spec(created, "/v2/objects")
    for spec in CUSTOM_ATTRIBUTES:
        response = http.post("/v2/objects/widgets/attributes", json=attribute_body(spec))
        assert_matches_spec(response, "/v2/{target}/{identifier}/attributes")
    for title in ("Gold", "Silver"):
        assert (
            http.post(
                "/v2/objects/widgets/attributes/tier/options", json={"data": {"title": title}}
            ).status_code
            == 200
        )
    for title in ("red", "blue", "green"):
        assert (
            http.post(
                "/v2/objects/widgets/attributes/tags/options", json={"data": {"title": title}}
            ).status_code
            == 200
        )
    return http


def create(http: httpx.Client, obj: str, values: dict[str, Any]) -> dict[str, Any]:
    response = http.post(RECORDS.format(object=obj), json={"data": {"values": values}})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = assert_matches_spec(response, RECORDS)["data"]
    return body


def strip(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in value.items() if k not in COMMON} for value in values]


def member_id(http: httpx.Client) -> str:
    member: str = http.get("/v2/workspace_members").json()["data"][0]["id"]["workspace_member_id"]
    return member


# ------------------------------------------------------------------------------------ read shapes
WRITE_READ_CASES = [
    ("label", "hello", [{"value": "hello"}]),
    ("label", {"value": "boxed"}, [{"value": "boxed"}]),
    ("score", 3.25, [{"value": 3.25}]),
    ("active", "true", [{"value": True}]),
    ("active", [False], [{"value": False}]),
    ("price", "4.99", [{"currency_value": 4.99, "currency_code": "EUR"}]),
    ("price", {"currency_value": 12}, [{"currency_value": 12, "currency_code": "EUR"}]),
    ("launch", "2023", [{"value": "2023-01-01"}]),
    ("launch", "2023-07", [{"value": "2023-07-01"}]),
    ("launch", "2023-01-02T23:00:00-10:00", [{"value": "2023-01-03"}]),
    ("seen_at", "2023-11-24T08:00:00Z", [{"value": "2023-11-24T08:00:00.000000000Z"}]),
    ("seen_at", "2023-11-24", [{"value": "2023-11-24T00:00:00.000000000Z"}]),
    ("stars", 4, [{"value": 4}]),
    (
        "site",
        "Berlin, Berlin, DE",
        [
            {
                "line_1": None,
                "line_2": None,
                "line_3": None,
                "line_4": None,
                "locality": "Berlin",
                "region": "Berlin",
                "postcode": None,
                "country_code": "DE",
                "latitude": None,
                "longitude": None,
            }
        ],
    ),
]


@pytest.mark.parametrize(("slug", "written", "expected"), WRITE_READ_CASES)
def test_scalar_types_write_and_read_back(
    widgets: httpx.Client, slug: str, written: Any, expected: list[Any]
) -> None:
    record = create(widgets, "widgets", {"code": "W1", slug: written})
    values = record["values"][slug]
    assert strip(values) == expected
    assert values[0]["attribute_type"] == next(s["type"] for s in CUSTOM_ATTRIBUTES if s["api_slug"] == slug)
    assert values[0]["active_until"] is None
    assert values[0]["created_by_actor"]["type"] == "api-token"


def test_every_attribute_is_present_and_unset_ones_are_empty(widgets: httpx.Client) -> None:
    record = create(widgets, "widgets", {"code": "W1"})
    slugs = {s["api_slug"] for s in CUSTOM_ATTRIBUTES} | {"record_id", "created_at", "created_by"}
    assert set(record["values"]) == slugs
    assert record["values"]["label"] == []
    assert record["values"]["record_id"][0]["value"] == record["id"]["record_id"]
    assert record["web_url"].endswith(f"/widget/{record['id']['record_id']}")


def test_select_status_reference_actor_and_name_shapes(widgets: httpx.Client) -> None:
    company = create(widgets, "companies", {"name": "Acme", "domains": ["acme.com"]})
    me = member_id(widgets)
    record = create(
        widgets,
        "widgets",
        {
            "code": "W1",
            "tier": "Gold",
            "tags": ["red", {"option": "blue"}],
            "vendor": "acme.com",
            "owners": [
                {"referenced_actor_type": "workspace-member", "referenced_actor_id": me},
                "admin@sandbox.test",
            ],
        },
    )
    assert record["values"]["tier"][0]["option"]["title"] == "Gold"
    assert [v["option"]["title"] for v in record["values"]["tags"]] == ["red", "blue"]
    assert strip(record["values"]["vendor"]) == [
        {"target_object": "companies", "target_record_id": company["id"]["record_id"]}
    ]
    assert [v["referenced_actor_id"] for v in record["values"]["owners"]] == [me]
    person = create(
        widgets,
        "people",
        {
            "name": "Lovelace, Ada",
            "email_addresses": ["Ada@Example.COM"],
            "phone_numbers": [{"original_phone_number": "020 7946 0958", "country_code": "GB"}],
        },
    )
    assert strip(person["values"]["name"]) == [
        {"first_name": "Ada", "last_name": "Lovelace", "full_name": "Ada Lovelace"}
    ]
    email = strip(person["values"]["email_addresses"])[0]
    assert email == {
        "original_email_address": "Ada@Example.COM",
        "email_address": "ada@example.com",
        "email_domain": "example.com",
        "email_root_domain": "example.com",
        "email_local_specifier": "",
    }
    assert strip(person["values"]["phone_numbers"]) == [
        {"original_phone_number": "020 7946 0958", "country_code": "GB", "phone_number": "+442079460958"}
    ]
    domain = create(widgets, "companies", {"domains": ["https://www.app.attio.co.uk/path?x=1"]})
    assert strip(domain["values"]["domains"]) == [
        {"domain": "www.app.attio.co.uk", "root_domain": "attio.co.uk"}
    ]


def test_deal_stage_status_by_title_with_emoji(http: httpx.Client) -> None:
    me = member_id(http)
    owner = {"referenced_actor_type": "workspace-member", "referenced_actor_id": me}
    deal = create(http, "deals", {"name": "Big one", "stage": "Won 🎉", "owner": owner})
    assert deal["values"]["stage"][0]["status"]["title"] == "Won 🎉"
    assert set(deal["values"]["stage"][0]["status"]) == {
        "id",
        "title",
        "is_archived",
        "target_time_in_status",
        "celebration_enabled",
    }


# ------------------------------------------------------------------------------------ validation
INVALID_CASES = [
    ({"code": "W", "score": "three"}, "validation_type"),
    ({"code": "W", "stars": 6}, "validation_type"),
    ({"code": "W", "launch": "yesterday"}, "validation_type"),
    ({"code": "W", "tags": "red"}, "validation_type"),
    ({"code": "W", "label": ["a", "b"]}, "validation_type"),
    ({"code": "W", "tier": "Platinum"}, "value_not_found"),
    (
        {
            "code": "W",
            "vendor": {
                "target_object": "companies",
                "target_record_id": "00000000-0000-0000-0000-000000000000",
            },
        },
        "value_not_found",
    ),
    ({"code": "W", "owners": ["nobody@nowhere.test"]}, "value_not_found"),
    ({"code": "W", "site": {"locality": "Paris"}}, "validation_type"),
    (
        {
            "code": "W",
            "site": {
                **dict.fromkeys(
                    [
                        "line_1",
                        "line_2",
                        "line_3",
                        "line_4",
                        "locality",
                        "region",
                        "postcode",
                        "country_code",
                        "longitude",
                    ]
                ),
                "latitude": "95.0",
            },
        },
        "validation_type",
    ),
    ({"code": "W", "unknown_slug": "x"}, "value_not_found"),
    ({"label": "no code"}, "missing_value"),
    ({"code": "W", "record_id": "x"}, "immutable_value"),
]


@pytest.mark.parametrize(("values", "code"), INVALID_CASES)
def test_invalid_writes_are_rejected_and_nothing_is_stored(
    widgets: httpx.Client, empty_sandbox: RunningSandbox, values: dict[str, Any], code: str
) -> None:
    before = len(empty_sandbox.workspace.records[empty_sandbox.workspace.object("widgets").id])
    response = widgets.post("/v2/objects/widgets/records", json={"data": {"values": values}})
    body = assert_attio_error(response, 400, code)
    assert_matches_spec(response, RECORDS)
    if code == "validation_type":
        assert body["validation_errors"]
    assert len(empty_sandbox.workspace.records[empty_sandbox.workspace.object("widgets").id]) == before


def test_phone_without_country_is_rejected(http: httpx.Client) -> None:
    response = http.post(
        RECORDS.format(object="people"), json={"data": {"values": {"phone_numbers": ["020 7946 0958"]}}}
    )
    body = assert_attio_error(response, 400, "validation_type")
    assert "missing country information" in body["validation_errors"][0]["message"]


def test_uniqueness_conflict_stores_nothing(http: httpx.Client, empty_sandbox: RunningSandbox) -> None:
    first = create(http, "people", {"email_addresses": ["a@x.com"], "job_title": "CTO"})
    response = http.post(
        RECORDS.format(object="people"),
        json={"data": {"values": {"email_addresses": ["b@x.com", "A@x.com"]}}},
    )
    assert_attio_error(response, 400, "uniqueness_conflict")
    second = create(http, "people", {"email_addresses": ["b@x.com"]})
    patch = http.patch(
        RECORD.format(object="people", record_id=second["id"]["record_id"]),
        json={"data": {"values": {"email_addresses": ["a@x.com"], "job_title": "CEO"}}},
    )
    assert_attio_error(patch, 400, "uniqueness_conflict")
    again = http.get(RECORD.format(object="people", record_id=second["id"]["record_id"])).json()["data"]
    assert again["values"]["job_title"] == []
    assert [v["email_address"] for v in again["values"]["email_addresses"]] == ["b@x.com"]
    assert first["id"] != second["id"]


def test_body_without_data_wrapper_is_rejected(http: httpx.Client) -> None:
    assert_attio_error(
        http.post(RECORDS.format(object="companies"), json={"values": {"name": "x"}}), 400, "validation_type"
    )


# ------------------------------------------------------------------------------------ write semantics
def test_patch_appends_in_front_and_put_replaces(http: httpx.Client) -> None:
    rec = create(http, "people", {"email_addresses": ["one@x.com"]})
    url = RECORD.format(object="people", record_id=rec["id"]["record_id"])
    patched = http.patch(url, json={"data": {"values": {"email_addresses": ["two@x.com", "ONE@x.com"]}}})
    assert [v["email_address"] for v in patched.json()["data"]["values"]["email_addresses"]] == [
        "two@x.com",
        "one@x.com",
    ]
    put = http.put(url, json={"data": {"values": {"email_addresses": ["three@x.com", "one@x.com"]}}})
    assert [v["email_address"] for v in put.json()["data"]["values"]["email_addresses"]] == [
        "three@x.com",
        "one@x.com",
    ]
    assert_matches_spec(put, RECORD)
    cleared = http.put(url, json={"data": {"values": {"email_addresses": []}}})
    assert cleared.json()["data"]["values"]["email_addresses"] == []
    # the freed address can be taken by another record
    create(http, "people", {"email_addresses": ["two@x.com"]})


def test_history_is_kept_for_show_historic(http: httpx.Client) -> None:
    rec = create(http, "companies", {"name": "Old name"})
    url = RECORD.format(object="companies", record_id=rec["id"]["record_id"])
    http.patch(url, json={"data": {"values": {"name": "New name"}}})
    path = url + "/attributes/name/values"
    current = http.get(path).json()["data"]
    assert [v["value"] for v in current] == ["New name"]
    historic = http.get(path, params={"show_historic": "true"})
    assert_matches_spec(historic, "/v2/objects/{object}/records/{record_id}/attributes/{attribute}/values")
    values = historic.json()["data"]
    assert [v["value"] for v in values] == ["Old name", "New name"]
    assert values[0]["active_until"] is not None
    assert values[1]["active_until"] is None
    interaction = http.get(url + "/attributes/last_interaction/values", params={"show_historic": "true"})
    assert_attio_error(interaction, 400, "validation_type")


@pytest.mark.parametrize(
    ("obj", "attribute"),
    [("companies", "employee_range"), ("companies", "funding_raised_usd"), ("people", "avatar_url")],
)
def test_show_historic_is_refused_on_enriched_attributes(
    http: httpx.Client, obj: str, attribute: str
) -> None:
    rec = create(http, obj, {})
    path = RECORD.format(object=obj, record_id=rec["id"]["record_id"]) + f"/attributes/{attribute}/values"
    assert http.get(path).json()["data"] == []
    body = assert_attio_error(http.get(path, params={"show_historic": "true"}), 400, "validation_type")
    assert body["message"] == "Cannot set show_historic param to true when querying an enriched attribute."
    plain = RECORD.format(object=obj, record_id=rec["id"]["record_id"]) + "/attributes/description/values"
    assert http.get(plain, params={"show_historic": "true"}).status_code == 200


def test_relationship_keeps_both_sides_in_step(http: httpx.Client) -> None:
    acme = create(http, "companies", {"name": "Acme"})["id"]["record_id"]
    globex = create(http, "companies", {"name": "Globex"})["id"]["record_id"]
    ada = create(http, "people", {"company": {"target_object": "companies", "target_record_id": acme}})["id"][
        "record_id"
    ]

    def team(company: str) -> list[str]:
        data = http.get(RECORD.format(object="companies", record_id=company)).json()["data"]
        return [v["target_record_id"] for v in data["values"]["team"]]

    assert team(acme) == [ada]
    http.patch(
        RECORD.format(object="people", record_id=ada),
        json={"data": {"values": {"company": {"target_object": "companies", "target_record_id": globex}}}},
    )
    assert team(acme) == []
    assert team(globex) == [ada]


# ------------------------------------------------------------------------------------ assert
def test_assert_creates_then_updates_and_appends_to_the_matching_attribute(http: httpx.Client) -> None:
    url = RECORDS.format(object="companies")
    first = http.put(
        url,
        params={"matching_attribute": "domains"},
        json={"data": {"values": {"domains": ["acme.com"], "name": "Acme", "categories": ["SaaS", "AI"]}}},
    )
    assert_matches_spec(first, RECORDS)
    second = http.put(
        url,
        params={"matching_attribute": "domains"},
        json={"data": {"values": {"domains": ["acme.io", "acme.com"], "categories": ["B2B"]}}},
    )
    a, b = first.json()["data"], second.json()["data"]
    assert a["id"] == b["id"]
    assert [v["domain"] for v in b["values"]["domains"]] == ["acme.io", "acme.com"]
    assert [v["option"]["title"] for v in b["values"]["categories"]] == ["B2B"]
    assert b["values"]["name"][0]["value"] == "Acme"


def test_assert_rejections(http: httpx.Client) -> None:
    url = RECORDS.format(object="companies")
    body = {"data": {"values": {"name": "Acme", "domains": ["acme.com"]}}}
    assert_attio_error(
        http.put(url, params={"matching_attribute": "name"}, json=body),
        400,
        "matching_attribute_definition_not_unique",
    )
    assert_attio_error(
        http.put(url, params={"matching_attribute": "nope"}, json=body), 400, "value_not_found"
    )
    assert_attio_error(http.put(url, json=body), 400, "validation_type")
    create(http, "companies", {"domains": ["b.com"]})
    create(http, "companies", {"domains": ["c.com"]})
    both = {"data": {"values": {"domains": ["b.com", "c.com"]}}}
    assert_attio_error(
        http.put(url, params={"matching_attribute": "domains"}, json=both), 400, "multiple_match_results"
    )


# ------------------------------------------------------------------------------------ delete, entries of a record
def test_delete_removes_the_record_its_notes_and_entries(http: httpx.Client) -> None:
    rec = create(http, "companies", {"name": "Doomed"})["id"]["record_id"]
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
    entry = http.post(
        "/v2/lists/pipe/entries",
        json={"data": {"parent_record_id": rec, "parent_object": "companies", "entry_values": {}}},
    ).json()["data"]
    entries = http.get(RECORD.format(object="companies", record_id=rec) + "/entries")
    assert_matches_spec(entries, "/v2/objects/{object}/records/{record_id}/entries")
    assert entries.json()["data"][0]["entry_id"] == entry["id"]["entry_id"]
    note = http.post(
        "/v2/notes",
        json={
            "data": {
                "parent_object": "companies",
                "parent_record_id": rec,
                "title": "t",
                "format": "plaintext",
                "content": "c",
            }
        },
    ).json()["data"]
    deleted = http.delete(RECORD.format(object="companies", record_id=rec))
    assert deleted.status_code == 200
    assert deleted.json() == {}
    assert_attio_error(http.get(RECORD.format(object="companies", record_id=rec)), 404, "not_found")
    assert_attio_error(http.delete(RECORD.format(object="companies", record_id=rec)), 404, "not_found")
    assert_attio_error(http.get(f"/v2/notes/{note['id']['note_id']}"), 404, "not_found")
    assert_attio_error(http.get(f"/v2/lists/pipe/entries/{entry['id']['entry_id']}"), 404, "not_found")


def test_pages_follow_creates_and_deletes(http: httpx.Client) -> None:
    """Offset pages are served from a cached order; every create and delete must show in the next page."""

    def ids() -> list[str]:
        out: list[str] = []
        for offset in range(0, 100, 2):
            page = http.post("/v2/objects/companies/records/query", json={"limit": 2, "offset": offset})
            out += [r["id"]["record_id"] for r in page.json()["data"]]
        return out

    made = [create(http, "companies", {"name": f"Paged {i}"})["id"]["record_id"] for i in range(5)]
    assert ids()[-5:] == made
    http.delete(RECORD.format(object="companies", record_id=made[2]))
    assert made[2] not in ids()
    later = create(http, "companies", {"name": "Paged later"})["id"]["record_id"]
    assert ids()[-5:] == [*made[:2], *made[3:], later]
    notes_before = http.get("/v2/notes", params={"limit": 50}).json()["data"]
    note = http.post(
        "/v2/notes",
        json={
            "data": {
                "parent_object": "companies",
                "parent_record_id": later,
                "title": "t",
                "format": "plaintext",
                "content": "c",
            }
        },
    ).json()["data"]
    notes_after = http.get("/v2/notes", params={"limit": 50}).json()["data"]
    assert [n["id"] for n in notes_after] == [n["id"] for n in notes_before] + [note["id"]]


# ------------------------------------------------------------------------------------ merge
def test_native_merge_makes_a_new_record_and_the_originals_unreadable(http: httpx.Client) -> None:
    primary = create(http, "companies", {"name": "Acme", "domains": ["acme.com"]})["id"]["record_id"]
    secondary = create(
        http, "companies", {"name": "ACME Inc", "domains": ["www.acme.com"], "description": "Rockets"}
    )["id"]["record_id"]
    ada = create(http, "people", {"company": {"target_object": "companies", "target_record_id": secondary}})[
        "id"
    ]["record_id"]
    note = http.post(
        "/v2/notes",
        json={
            "data": {
                "parent_object": "companies",
                "parent_record_id": secondary,
                "title": "t",
                "format": "plaintext",
                "content": "c",
            }
        },
    ).json()["data"]
    merged = http.post(
        "/v2/objects/companies/records/merge",
        json={"data": {"primary_record_id": primary, "secondary_record_id": secondary}},
    )
    assert merged.status_code == 200
    new_id = merged.json()["data"]["new_record_id"]
    assert new_id not in (primary, secondary)
    for old in (primary, secondary):
        assert_attio_error(http.get(RECORD.format(object="companies", record_id=old)), 404, "not_found")
    record = http.get(RECORD.format(object="companies", record_id=new_id)).json()["data"]
    assert record["values"]["name"][0]["value"] == "Acme"
    assert record["values"]["description"][0]["value"] == "Rockets"
    person = http.get(RECORD.format(object="people", record_id=ada)).json()["data"]
    assert person["values"]["company"][0]["target_record_id"] == new_id
    assert http.get(f"/v2/notes/{note['id']['note_id']}").json()["data"]["parent_record_id"] == new_id
    again = http.post(
        "/v2/objects/companies/records/merge",
        json={"data": {"primary_record_id": primary, "secondary_record_id": secondary}},
    )
    assert_attio_error(again, 404, "not_found")
    assert_attio_error(
        http.post(
            "/v2/objects/companies/records/merge",
            json={"data": {"primary_record_id": new_id, "secondary_record_id": new_id}},
        ),
        400,
        "self_merge",
    )


def test_slow_merge_answers_202_and_merge_in_progress(
    http: httpx.Client, empty_sandbox: RunningSandbox
) -> None:
    empty_sandbox.config.merge_delay_ms = 400
    a = create(http, "companies", {"name": "A"})["id"]["record_id"]
    b = create(http, "companies", {"name": "B"})["id"]["record_id"]
    merged = http.post(
        "/v2/objects/companies/records/merge",
        json={"data": {"primary_record_id": a, "secondary_record_id": b}},
    )
    assert merged.status_code == 202
    new_id = merged.json()["data"]["new_record_id"]
    assert_attio_error(
        http.get(RECORD.format(object="companies", record_id=new_id)), 404, "merge_in_progress"
    )
    time.sleep(0.5)
    assert http.get(RECORD.format(object="companies", record_id=new_id)).status_code == 200


def test_merge_endpoint_can_be_switched_off(http: httpx.Client, empty_sandbox: RunningSandbox) -> None:
    empty_sandbox.config.merge_endpoint = False
    response = http.post(
        "/v2/objects/companies/records/merge",
        json={"data": {"primary_record_id": "a", "secondary_record_id": "b"}},
    )
    body = assert_attio_error(response, 404, "not_found")
    assert body["message"].startswith("Could not find endpoint")


# ------------------------------------------------------------------------------------ search
def test_search_matches_names_domains_and_emails(http: httpx.Client) -> None:
    create(http, "companies", {"name": "Initech", "domains": ["initech.com"]})
    create(http, "people", {"name": "Peter, Gibbons", "email_addresses": ["peter@initech.com"]})
    response = http.post(
        "/v2/objects/records/search",
        json={"query": "initech", "objects": ["companies", "people"], "request_as": {"type": "workspace"}},
    )
    assert_matches_spec(response, "/v2/objects/records/search")
    found = response.json()["data"]
    assert {item["object_slug"] for item in found} == {"companies", "people"}
    too_many = http.post(
        "/v2/objects/records/search",
        json={"query": "", "objects": ["companies"], "request_as": {"type": "workspace"}, "limit": 26},
    )
    assert_attio_error(too_many, 400, "validation_type")
    unknown = http.post(
        "/v2/objects/records/search",
        json={"query": "", "objects": ["nope"], "request_as": {"type": "workspace"}},
    )
    assert_attio_error(unknown, 400, "value_not_found")


def test_creating_a_person_links_or_creates_the_company_of_their_work_email(
    http: httpx.Client, empty_sandbox: RunningSandbox
) -> None:
    acme = create(http, "companies", {"name": "Acme", "domains": ["acme.com"]})["id"]["record_id"]
    ada = create(http, "people", {"email_addresses": ["ada@acme.com"]})
    assert ada["values"]["company"][0]["target_record_id"] == acme
    assert ada["values"]["company"][0]["created_by_actor"] == {"type": "system", "id": None}
    bob = create(http, "people", {"email_addresses": ["bob@eu.globex.de"]})
    globex = http.get(
        RECORD.format(object="companies", record_id=bob["values"]["company"][0]["target_record_id"])
    )
    assert [v["domain"] for v in globex.json()["data"]["values"]["domains"]] == ["globex.de"]
    assert globex.json()["data"]["values"]["name"][0]["value"] == "Globex"
    free = create(http, "people", {"email_addresses": ["carol@gmail.com"]})
    assert free["values"]["company"] == []
    empty_sandbox.config.company_from_email = False
    dave = create(http, "people", {"email_addresses": ["dave@initech.com"]})
    assert dave["values"]["company"] == []

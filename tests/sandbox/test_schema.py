"""Objects, attributes, select options and statuses over real HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .spec import assert_attio_error, assert_matches_spec

ATTRS = "/v2/{target}/{identifier}/attributes"
ATTR = "/v2/{target}/{identifier}/attributes/{attribute}"


def attr_body(**overrides: Any) -> dict[str, Any]:
    data = {
        "title": "Stage",
        "description": None,
        "api_slug": "stage_two",
        "type": "text",
        "is_required": False,
        "is_unique": False,
        "is_multiselect": False,
        "config": {},
    }
    data.update(overrides)
    return {"data": data}


def test_standard_objects_and_their_system_attributes(http: httpx.Client) -> None:
    objects = assert_matches_spec(http.get("/v2/objects"), "/v2/objects")["data"]
    assert {o["api_slug"] for o in objects} >= {"people", "companies", "deals"}
    people = assert_matches_spec(http.get("/v2/objects/people/attributes"), ATTRS)["data"]
    by_slug = {a["api_slug"]: a for a in people}
    assert list(by_slug)[:3] == ["record_id", "name", "email_addresses"]
    assert by_slug["email_addresses"]["is_unique"]
    assert by_slug["email_addresses"]["is_multiselect"]
    assert by_slug["record_id"]["is_writable"] is False
    assert by_slug["company"]["relationship"]["api_slug"] == "team"
    assert by_slug["company"]["relationship"]["object_slug"] == "companies"
    assert by_slug["created_by"]["default_value"] == {"type": "dynamic", "template": "current-user"}
    assert by_slug["name"]["config"] == {
        "currency": {"default_currency_code": None, "display_type": None},
        "record_reference": {"allowed_object_ids": None},
    }
    deals = {a["api_slug"]: a for a in http.get("/v2/objects/deals/attributes").json()["data"]}
    assert deals["name"]["is_required"]
    assert deals["stage"]["is_required"]
    assert deals["owner"]["is_required"]
    statuses = http.get("/v2/objects/deals/attributes/stage/statuses").json()["data"]
    assert [s["title"] for s in statuses] == ["Lead", "In Progress", "Won 🎉", "Lost"]


def test_object_create_get_patch_and_conflicts(http: httpx.Client) -> None:
    body = {"data": {"api_slug": "funds", "singular_noun": "Fund", "plural_noun": "Funds"}}
    created = assert_matches_spec(http.post("/v2/objects", json=body), "/v2/objects")["data"]
    assert_attio_error(http.post("/v2/objects", json=body), 409, "slug_conflict")
    got = assert_matches_spec(http.get("/v2/objects/funds"), "/v2/objects/{object}")["data"]
    assert got["id"] == created["id"]
    assert http.get(f"/v2/objects/{created['id']['object_id']}").json()["data"]["api_slug"] == "funds"
    patched = http.patch("/v2/objects/funds", json={"data": {"plural_noun": "Our funds"}})
    assert assert_matches_spec(patched, "/v2/objects/{object}")["data"]["plural_noun"] == "Our funds"
    assert_attio_error(http.patch("/v2/objects/funds", json={"data": {}}), 400, "validation_type")
    assert_attio_error(http.post("/v2/objects", json={"data": {"api_slug": "x"}}), 400, "validation_type")
    attrs = {a["api_slug"] for a in http.get("/v2/objects/funds/attributes").json()["data"]}
    assert attrs == {"record_id", "created_at", "created_by"}


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"type": "personal-name"}, 400, "validation_type"),
        ({"type": "interaction"}, 400, "validation_type"),
        ({"type": "status"}, 400, "validation_type"),
        ({"type": "select", "is_unique": True}, 400, "validation_type"),
        ({"type": "currency"}, 400, "validation_type"),
        (
            {
                "type": "currency",
                "config": {"currency": {"default_currency_code": "XXX", "display_type": "code"}},
            },
            400,
            "validation_type",
        ),
        ({"type": "record-reference"}, 400, "validation_type"),
        (
            {"type": "record-reference", "config": {"record_reference": {"allowed_objects": ["nope"]}}},
            400,
            "value_not_found",
        ),
        ({"api_slug": "name"}, 409, "slug_conflict"),
        ({"api_slug": "Bad Slug"}, 400, "validation_type"),
    ],
)
def test_attribute_create_validation(
    http: httpx.Client, overrides: dict[str, Any], status: int, code: str
) -> None:
    response = http.post("/v2/objects/companies/attributes", json=attr_body(**overrides))
    assert_attio_error(response, status, code)


@pytest.mark.parametrize(
    "missing",
    ["title", "description", "api_slug", "type", "is_required", "is_unique", "is_multiselect", "config"],
)
def test_attribute_create_requires_every_field(http: httpx.Client, missing: str) -> None:
    body = attr_body()
    del body["data"][missing]
    error = assert_attio_error(
        http.post("/v2/objects/companies/attributes", json=body), 400, "validation_type"
    )
    assert error["validation_errors"][0]["path"] == ["data", missing]


def test_attribute_create_patch_archive(http: httpx.Client) -> None:
    currency = attr_body(
        api_slug="fee",
        type="currency",
        config={"currency": {"default_currency_code": "GBP", "display_type": "code"}},
    )
    created = assert_matches_spec(http.post("/v2/objects/companies/attributes", json=currency), ATTRS)["data"]
    assert created["config"]["currency"] == {"default_currency_code": "GBP", "display_type": "code"}
    ref = attr_body(
        api_slug="board",
        type="record-reference",
        is_multiselect=True,
        config={"record_reference": {"allowed_objects": ["people"]}},
    )
    made = http.post("/v2/objects/companies/attributes", json=ref).json()["data"]
    people_id = http.get("/v2/objects/people").json()["data"]["id"]["object_id"]
    assert made["config"]["record_reference"]["allowed_object_ids"] == [people_id]
    url = ATTR.format(target="objects", identifier="companies", attribute="fee")
    patched = http.patch(url, json={"data": {"title": "Fee", "is_archived": True}})
    assert assert_matches_spec(patched, ATTR)["data"]["is_archived"] is True
    listed = {a["api_slug"] for a in http.get("/v2/objects/companies/attributes").json()["data"]}
    assert "fee" not in listed
    archived = http.get("/v2/objects/companies/attributes", params={"show_archived": "true"}).json()["data"]
    assert "fee" in {a["api_slug"] for a in archived}
    assert_attio_error(http.patch(url, json={"data": {"type": "text"}}), 400, "validation_type")
    system = http.patch(
        ATTR.format(target="objects", identifier="companies", attribute="name"), json={"data": {"title": "x"}}
    )
    assert_attio_error(system, 400, "system_edit_unauthorized")
    assert_attio_error(
        http.get(ATTR.format(target="objects", identifier="companies", attribute="nope")), 404, "not_found"
    )


def test_select_options(http: httpx.Client) -> None:
    base = "/v2/objects/companies/attributes/categories/options"
    created = http.post(base, json={"data": {"title": "Deep tech"}})
    assert_matches_spec(created, "/v2/{target}/{identifier}/attributes/{attribute}/options")
    assert_attio_error(http.post(base, json={"data": {"title": "Deep tech"}}), 409, "slug_conflict")
    renamed = http.patch(f"{base}/Deep tech", json={"data": {"title": "DeepTech"}})
    assert renamed.json()["data"]["title"] == "DeepTech"
    company = http.post(
        "/v2/objects/companies/records", json={"data": {"values": {"categories": ["DeepTech"]}}}
    ).json()["data"]
    http.patch(f"{base}/DeepTech", json={"data": {"title": "Deep Tech"}})
    again = http.get(f"/v2/objects/companies/records/{company['id']['record_id']}").json()["data"]
    assert again["values"]["categories"][0]["option"]["title"] == "Deep Tech"
    http.patch(f"{base}/Deep Tech", json={"data": {"is_archived": True}})
    assert "Deep Tech" not in [o["title"] for o in http.get(base).json()["data"]]
    assert "Deep Tech" in [
        o["title"] for o in http.get(base, params={"show_archived": "true"}).json()["data"]
    ]
    assert_attio_error(http.patch(f"{base}/Nope", json={"data": {"title": "x"}}), 400, "value_not_found")
    assert_attio_error(
        http.post("/v2/objects/companies/attributes/name/options", json={"data": {"title": "x"}}),
        400,
        "validation_type",
    )
    assert http.get("/v2/objects/deals/attributes/stage/options").json() == {"data": []}


def test_statuses_on_lists(http: httpx.Client) -> None:
    http.post(
        "/v2/lists",
        json={
            "data": {
                "name": "Hiring",
                "api_slug": "hiring",
                "parent_object": "people",
                "workspace_access": "full-access",
                "workspace_member_access": [],
            }
        },
    )
    made = http.post("/v2/lists/hiring/attributes", json=attr_body(api_slug="stage", type="status"))
    assert_matches_spec(made, ATTRS)
    base = "/v2/lists/hiring/attributes/stage/statuses"
    created = http.post(base, json={"data": {"title": "Screen", "target_time_in_status": "P7D"}})
    assert_matches_spec(created, "/v2/{target}/{identifier}/attributes/{attribute}/statuses")
    assert_attio_error(http.post(base, json={"data": {"title": "Screen"}}), 409, "slug_conflict")
    patched = http.patch(f"{base}/Screen", json={"data": {"celebration_enabled": True}})
    assert patched.json()["data"]["celebration_enabled"] is True
    assert_attio_error(http.patch(f"{base}/Nope", json={"data": {}}), 400, "value_not_found")
    assert_attio_error(http.get("/v2/objects/companies/attributes/name/statuses"), 400, "validation_type")

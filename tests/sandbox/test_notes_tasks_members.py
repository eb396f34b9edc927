"""Notes, tasks and workspace members over real HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from cleanup.testing import RunningSandbox

from .spec import assert_attio_error, assert_matches_spec


def note_body(parent: str, **overrides: Any) -> dict[str, Any]:
    data = {
        "parent_object": "companies",
        "parent_record_id": parent,
        "title": "Call",
        "format": "markdown",
        "content": "# Notes\n- **Big** news",
    }
    data.update(overrides)
    return {"data": data}


@pytest.fixture
def acme(http: httpx.Client) -> str:
    record_id: str = http.post(
        "/v2/objects/companies/records", json={"data": {"values": {"name": "Acme"}}}
    ).json()["data"]["id"]["record_id"]
    return record_id


def test_note_create_backdated_read_delete(
    http: httpx.Client, acme: str, empty_sandbox: RunningSandbox
) -> None:
    made = http.post("/v2/notes", json=note_body(acme, created_at="2019-05-01T10:00:00+02:00"))
    note = assert_matches_spec(made, "/v2/notes")["data"]
    assert note["created_at"] == "2019-05-01T08:00:00.000000000Z"
    assert note["content_markdown"] == "# Notes\n- **Big** news"
    assert note["content_plaintext"] == "Notes\nBig news"
    assert note["created_by_actor"] == {"type": "api-token", "id": empty_sandbox.token_ids["primary"]}
    assert note["meeting_id"] is None
    url = f"/v2/notes/{note['id']['note_id']}"
    assert assert_matches_spec(http.get(url), "/v2/notes/{note_id}")["data"] == note
    plain = http.post(
        "/v2/notes", json=note_body(acme, format="plaintext", content="a *literal* star")
    ).json()["data"]
    assert plain["content_plaintext"] == "a *literal* star"
    assert_matches_spec(http.delete(url), "/v2/notes/{note_id}")
    assert_attio_error(http.get(url), 404, "not_found")
    assert_attio_error(http.patch(url, json={"data": {"title": "x"}}), 404, "not_found")


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"created_at": "1969-12-31T23:59:59Z"}, 400, "validation_type"),
        ({"created_at": "2999-01-01T00:00:00Z"}, 400, "validation_type"),
        ({"created_at": "last tuesday"}, 400, "validation_type"),
        ({"format": "html"}, 400, "validation_type"),
        ({"parent_object": "nope"}, 404, "not_found"),
        ({"parent_record_id": "00000000-0000-0000-0000-000000000000"}, 404, "not_found"),
    ],
)
def test_note_create_rejections(
    http: httpx.Client, acme: str, overrides: dict[str, Any], status: int, code: str
) -> None:
    assert_attio_error(http.post("/v2/notes", json=note_body(acme, **overrides)), status, code)


def test_note_create_requires_format(http: httpx.Client, acme: str) -> None:
    body = note_body(acme)
    del body["data"]["format"]
    assert_attio_error(http.post("/v2/notes", json=body), 400, "validation_type")


def test_notes_paging_defaults_and_parent_filters(http: httpx.Client, acme: str) -> None:
    other = http.post("/v2/objects/companies/records", json={"data": {"values": {"name": "Other"}}}).json()[
        "data"
    ]["id"]["record_id"]
    for i in range(12):
        http.post("/v2/notes", json=note_body(acme if i % 3 else other, title=f"n{i}"))
    default = assert_matches_spec(http.get("/v2/notes"), "/v2/notes")["data"]
    assert len(default) == 10
    assert len(http.get("/v2/notes", params={"limit": 50}).json()["data"]) == 12
    assert_attio_error(http.get("/v2/notes", params={"limit": 51}), 400, "validation_type")
    assert_attio_error(http.get("/v2/notes", params={"limit": 0}), 400, "validation_type")
    mine = http.get(
        "/v2/notes", params={"parent_object": "companies", "parent_record_id": other, "limit": 50}
    ).json()["data"]
    assert [n["title"] for n in mine] == ["n0", "n3", "n6", "n9"]
    paged = http.get("/v2/notes", params={"limit": 5, "offset": 10}).json()["data"]
    assert [n["title"] for n in paged] == ["n10", "n11"]
    assert_attio_error(http.get("/v2/notes", params={"parent_object": "nope"}), 404, "not_found")


def task_body(acme: str, **overrides: Any) -> dict[str, Any]:
    data = {
        "content": "Send the term sheet",
        "format": "plaintext",
        "deadline_at": "2030-01-01T09:00:00Z",
        "is_completed": False,
        "linked_records": [{"target_object": "companies", "target_record_id": acme}],
        "assignees": [{"workspace_member_email_address": "admin@sandbox.test"}],
    }
    data.update(overrides)
    return {"data": data}


def test_tasks_create_filter_patch_delete(http: httpx.Client, acme: str) -> None:
    made = http.post("/v2/tasks", json=task_body(acme))
    task = assert_matches_spec(made, "/v2/tasks")["data"]
    assert task["deadline_at"] == "2030-01-01T09:00:00.000000000Z"
    assert task["linked_records"][0]["target_record_id"] == acme
    http.post("/v2/tasks", json=task_body(acme, content="Unassigned", assignees=[], linked_records=[]))
    assert (
        len(
            http.get("/v2/tasks", params={"linked_object": "companies", "linked_record_id": acme}).json()[
                "data"
            ]
        )
        == 1
    )
    assert [
        t["content_plaintext"] for t in http.get("/v2/tasks", params={"assignee": "null"}).json()["data"]
    ] == ["Unassigned"]
    assert len(http.get("/v2/tasks", params={"assignee": "admin@sandbox.test"}).json()["data"]) == 1
    assert_attio_error(http.get("/v2/tasks", params={"linked_object": "companies"}), 400, "validation_type")
    url = f"/v2/tasks/{task['id']['task_id']}"
    done = http.patch(url, json={"data": {"is_completed": True}})
    assert assert_matches_spec(done, "/v2/tasks/{task_id}")["data"]["is_completed"] is True
    assert [
        t["content_plaintext"] for t in http.get("/v2/tasks", params={"is_completed": "true"}).json()["data"]
    ] == ["Send the term sheet"]
    assert_attio_error(http.patch(url, json={"data": {"content": "new"}}), 400, "validation_type")
    newest_first = http.get("/v2/tasks", params={"sort": "created_at:desc"}).json()["data"]
    assert newest_first[0]["content_plaintext"] == "Unassigned"
    assert_matches_spec(http.delete(url), "/v2/tasks/{task_id}")
    assert_attio_error(http.get(url), 404, "not_found")


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"content": "x" * 2001}, 400, "validation_type"),
        ({"format": "markdown"}, 400, "validation_type"),
        ({"assignees": [{"workspace_member_email_address": "ghost@x.test"}]}, 400, "value_not_found"),
        ({"linked_records": [{"target_object": "nope", "target_record_id": "x"}]}, 400, "validation_type"),
    ],
)
def test_task_create_rejections(
    http: httpx.Client, acme: str, overrides: dict[str, Any], status: int, code: str
) -> None:
    assert_attio_error(http.post("/v2/tasks", json=task_body(acme, **overrides)), status, code)


def test_workspace_members(demo_http: httpx.Client) -> None:
    members = assert_matches_spec(demo_http.get("/v2/workspace_members"), "/v2/workspace_members")["data"]
    assert len(members) == 8
    assert {m["access_level"] for m in members} == {"admin", "member", "suspended"}
    one = demo_http.get(f"/v2/workspace_members/{members[0]['id']['workspace_member_id']}")
    assert assert_matches_spec(one, "/v2/workspace_members/{workspace_member_id}")["data"] == members[0]
    assert_attio_error(demo_http.get("/v2/workspace_members/nope"), 404, "not_found")

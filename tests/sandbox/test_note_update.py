"""``PATCH /v2/notes/{note_id}`` (attio-api-2026.md §2) and the 413 on oversized note content, over real HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from cleanup.sandbox.routes import NOTE_CONTENT_MAX_BYTES
from cleanup.testing import RunningSandbox, sandbox_server

from .spec import assert_attio_error, assert_matches_spec
from .test_notes_tasks_members import note_body

NOTE = "/v2/notes/{note_id}"


@pytest.fixture
def note(http: httpx.Client) -> dict[str, Any]:
    acme = http.post("/v2/objects/companies/records", json={"data": {"values": {"name": "Acme"}}})
    made = http.post(
        "/v2/notes", json=note_body(acme.json()["data"]["id"]["record_id"], created_at="2020-02-02T10:00:00Z")
    )
    body: dict[str, Any] = made.json()["data"]
    return body


def url_of(note: dict[str, Any]) -> str:
    return NOTE.format(note_id=note["id"]["note_id"])


def test_title_update_keeps_everything_else(http: httpx.Client, note: dict[str, Any]) -> None:
    updated = assert_matches_spec(http.patch(url_of(note), json={"data": {"title": "Renamed"}}), NOTE)["data"]
    assert updated == {**note, "title": "Renamed"}
    assert http.get(url_of(note)).json()["data"] == updated


def test_content_is_re_rendered_as_create_renders_it(http: httpx.Client, note: dict[str, Any]) -> None:
    markdown = http.patch(url_of(note), json={"data": {"format": "markdown", "content": "## Next\n* *soon*"}})
    body = assert_matches_spec(markdown, NOTE)["data"]
    assert (body["content_markdown"], body["content_plaintext"]) == ("## Next\n* *soon*", "Next\nsoon")
    kept = {k: v for k, v in note.items() if not k.startswith("content_")}
    assert {k: v for k, v in body.items() if not k.startswith("content_")} == kept
    plain = http.patch(url_of(note), json={"data": {"format": "plaintext", "content": "a *literal* star"}})
    assert plain.json()["data"]["content_plaintext"] == "a *literal* star"
    assert plain.json()["data"]["content_markdown"] == "a \\*literal\\* star"


def test_content_without_format_is_plaintext(http: httpx.Client, note: dict[str, Any]) -> None:
    body = http.patch(url_of(note), json={"data": {"content": "# not a heading"}}).json()["data"]
    assert body["content_plaintext"] == "# not a heading"
    assert body["content_markdown"] == "\\# not a heading"


def test_empty_data_changes_nothing(http: httpx.Client, note: dict[str, Any]) -> None:
    assert assert_matches_spec(http.patch(url_of(note), json={"data": {}}), NOTE)["data"] == note


@pytest.mark.parametrize(
    "data",
    [
        {"format": "markdown"},
        {"format": "html", "content": "x"},
        {"title": 5},
        {"content": None},
        {"parent_object": "people"},
        {"parent_record_id": "00000000-0000-0000-0000-000000000000"},
        {"created_at": "2020-01-01T00:00:00Z"},
        {"meeting_id": None},
        {"tags": []},
        {"title": "ok", "colour": "red"},
    ],
)
def test_rejections_change_nothing(http: httpx.Client, note: dict[str, Any], data: dict[str, Any]) -> None:
    response = http.patch(url_of(note), json={"data": data})
    body = assert_attio_error(response, 400, "validation_type")
    assert_matches_spec(response, NOTE)
    assert body["message"] == "Body payload validation error."
    assert http.get(url_of(note)).json()["data"] == note


def test_unknown_key_is_named(http: httpx.Client, note: dict[str, Any]) -> None:
    body = http.patch(url_of(note), json={"data": {"title": "x", "tags": []}}).json()
    assert body["validation_errors"][0]["path"] == ["data", "tags"]


def test_body_without_data_is_400(http: httpx.Client, note: dict[str, Any]) -> None:
    body = assert_attio_error(http.patch(url_of(note), json={"title": "x"}), 400, "validation_type")
    assert body["validation_errors"][0]["received"] == "undefined"


def test_unknown_note_is_404_in_attio_words(http: httpx.Client) -> None:
    note_id = "ff3f3bd4-0000-4000-8000-000000000000"
    response = http.patch(NOTE.format(note_id=note_id), json={"data": {"title": "x"}})
    assert response.json() == {
        "status_code": 404,
        "type": "invalid_request_error",
        "code": "not_found",
        "message": f'Note with ID "{note_id}" was not found.',
    }
    assert_matches_spec(response, NOTE)


def test_oversized_content_is_413_on_update_and_create(http: httpx.Client, note: dict[str, Any]) -> None:
    too_big = "x" * (NOTE_CONTENT_MAX_BYTES + 1)
    response = http.patch(url_of(note), json={"data": {"format": "plaintext", "content": too_big}})
    body = assert_attio_error(response, 413, "validation_type")
    assert body["type"] == "invalid_request_error"
    assert_matches_spec(response, NOTE)
    assert http.get(url_of(note)).json()["data"] == note
    created = http.post("/v2/notes", json=note_body(note["parent_record_id"], content=too_big))
    assert_attio_error(created, 413, "validation_type")
    assert_matches_spec(created, "/v2/notes")
    exactly = "é" * (NOTE_CONTENT_MAX_BYTES // 2)
    assert http.patch(url_of(note), json={"data": {"content": exactly}}).status_code == 200


def test_needs_note_read_write(empty_sandbox: RunningSandbox, note: dict[str, Any]) -> None:
    with empty_sandbox.http("readonly") as client:
        body = assert_attio_error(
            client.patch(url_of(note), json={"data": {"title": "x"}}), 403, "missing_scopes"
        )
    assert "note:read-write" in body["message"]


def test_update_is_kept_in_the_database(tmp_path: Path) -> None:
    db = tmp_path / "workspace.sqlite"
    with sandbox_server("empty", db=db) as sb, sb.http() as client:
        acme = client.post("/v2/objects/companies/records", json={"data": {"values": {"name": "Acme"}}})
        made = client.post("/v2/notes", json=note_body(acme.json()["data"]["id"]["record_id"])).json()["data"]
        updated = client.patch(url_of(made), json={"data": {"title": "Kept", "content": "new body"}}).json()[
            "data"
        ]
    with sandbox_server("empty", db=db) as sb, sb.http() as client:
        assert client.get(url_of(made)).json()["data"] == updated

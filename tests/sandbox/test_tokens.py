"""Named tokens in the sandbox: a second import key to rehearse a re-import, from Python, the admin
endpoint or `sandbox serve --token`."""

from __future__ import annotations

import pytest

from cleanup.sandbox import build_sandbox
from cleanup.sandbox.server import parse_token_option
from cleanup.testing import sandbox_server


def test_a_named_token_writes_as_itself_and_survives_a_reload(tmp_path: object) -> None:
    from pathlib import Path

    db = Path(str(tmp_path)) / "ws.sqlite"
    sandbox = build_sandbox("empty", db=db)
    token = sandbox.add_token("reimport")
    assert sandbox.tokens["reimport"] is token
    with pytest.raises(ValueError, match="named 'reimport' exists already"):
        sandbox.add_token("reimport")
    reloaded = build_sandbox("empty", db=db)
    assert reloaded.tokens["reimport"].id == token.id


def test_tokens_are_created_and_listed_over_http() -> None:
    with sandbox_server("empty") as sb, sb.http() as http:
        scopes = ["note:read-write", "record_permission:read", "object_configuration:read"]
        made = http.post("/_sandbox/tokens", json={"name": "reimport", "scopes": scopes})
        assert made.status_code == 200, made.text
        created = made.json()["data"]
        assert created["scopes"] == scopes
        listed = {t["name"]: t for t in http.get("/_sandbox/tokens").json()["data"]}
        assert listed["reimport"]["id"] == created["id"]
        assert "secret" not in listed["reimport"]  # shown once, when made
        # the new token writes notes as itself, and only what its scopes allow
        headers = {"Authorization": f"Bearer {created['secret']}"}
        company = http.post("/v2/objects/companies/records", json={"data": {"values": {"name": "Acme"}}})
        record_id = company.json()["data"]["id"]["record_id"]
        note = {
            "data": {
                "parent_object": "companies",
                "parent_record_id": record_id,
                "title": "Intro",
                "format": "plaintext",
                "content": "hello",
            }
        }
        written = http.post("/v2/notes", json=note, headers=headers)
        assert written.status_code == 200, written.text
        assert written.json()["data"]["created_by_actor"] == {"type": "api-token", "id": created["id"]}
        refused = http.post("/v2/objects/companies/records", json={"data": {"values": {}}}, headers=headers)
        assert refused.status_code == 403
        bad = http.post("/_sandbox/tokens", json={"name": "x", "scopes": ["notes:write"]})
        assert bad.status_code == 400
        assert "scopes look like note:read-write" in bad.text


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        ("reimport", ("reimport", None)),
        ("auditor:record_permission:read,note:read", ("auditor", ("record_permission:read", "note:read"))),
    ],
)
def test_token_options_parse(option: str, expected: tuple[str, tuple[str, ...] | None]) -> None:
    assert parse_token_option(option) == expected


def test_a_token_option_without_a_name_is_refused() -> None:
    with pytest.raises(ValueError, match="a token needs a name"):
        parse_token_option(":note:read")

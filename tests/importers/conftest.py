"""A fresh empty workspace with a deal pipeline list (as a fund has) and two records the Affinity fixture
collides with."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cleanup.testing import RunningSandbox, sandbox_server
from tests.conftest import unlimited

FIXTURES = Path(__file__).parent / "fixtures" / "affinity"
STAGES = ("Sourced", "Due diligence", "Term sheet", "Invested", "Passed")


def make_pipeline(sb: RunningSandbox) -> None:
    with sb.http() as http:
        made = http.post(
            "/v2/lists",
            json={
                "data": {
                    "name": "Deal pipeline",
                    "api_slug": "pipeline",
                    "parent_object": "companies",
                    "workspace_access": "full-access",
                    "workspace_member_access": [],
                }
            },
        )
        assert made.status_code == 200, made.text
        for slug, kind in (("stage", "status"), ("next_step", "text"), ("first_contact", "date")):
            add_attribute(http, "/v2/lists/pipeline", slug, kind)
        for title in STAGES:
            answer = http.post(
                "/v2/lists/pipeline/attributes/stage/statuses", json={"data": {"title": title}}
            )
            assert answer.status_code == 200, answer.text
        company = {
            "data": {"values": {"name": "Quiet Capital (added by hand)", "domains": ["quiet.example"]}}
        }
        assert http.post("/v2/objects/companies/records", json=company).status_code == 200
        person = {"data": {"values": {"email_addresses": ["shared@existing.example"]}}}
        assert http.post("/v2/objects/people/records", json=person).status_code == 200


def add_attribute(http: httpx.Client, parent: str, slug: str, kind: str) -> None:
    """Add an attribute ``slug`` of type ``kind`` to ``parent`` (``/v2/lists/pipeline``, ``/v2/objects/x``)."""
    body = {
        "data": {
            "title": slug.replace("_", " ").capitalize(),
            "description": None,
            "api_slug": slug,
            "type": kind,
            "is_required": False,
            "is_unique": False,
            "is_multiselect": False,
            "config": {},
        }
    }
    answer = http.post(f"{parent}/attributes", json=body)
    assert answer.status_code == 200, answer.text


@pytest.fixture
def workspace() -> Iterator[RunningSandbox]:
    with sandbox_server("empty", config=unlimited()) as sb:
        sb.config.company_from_email = False
        make_pipeline(sb)
        yield sb

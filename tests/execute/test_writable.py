"""The dry run refuses what Attio would answer with 400: a member who is not one, a status or option that
does not exist or is archived, a referenced record that is gone — and a plan it passes applies with no 4xx."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import polars as pl
import pytest

from cleanup.actions import ActionTable
from cleanup.client import AttioClient
from cleanup.execute import Plan, PlanError
from cleanup.testing import sandbox_server, snapshot_of
from tests.conftest import unlimited


@pytest.fixture(scope="module")
def deal(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with sandbox_server("empty", config=unlimited()) as sb, sb.http() as http:
        made = http.post(
            "/v2/objects/deals/records",
            json={
                "data": {
                    "values": {
                        "name": "Series A",
                        "stage": "Lead",
                        "owner": [{"workspace_member_email_address": "admin@sandbox.test"}],
                    }
                }
            },
        )
        assert made.status_code == 200, made.text
        deal_id = made.json()["data"]["id"]["record_id"]
        yield sb, snapshot_of(sb, tmp_path_factory.mktemp("writable") / "snap"), deal_id


def _update(deal_id: str, values: dict[str, Any]) -> ActionTable:
    row = {
        "recipe": "repair",
        "action": "update_record",
        "object": "deals",
        "target_id": deal_id,
        "payload": orjson.dumps({"values": values}).decode(),
        "reason": "fix the deal",
    }
    return ActionTable.build(pl.DataFrame([row])).decide("approve")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"owner": [{"workspace_member_email_address": "ann@fund.example"}]},
            "Deal owner: ann@fund.example is not a member of the workspace; add them as a workspace member in Attio",
        ),
        (
            {"stage": "Closing"},
            "Deal stage: 'Closing' is not a status of it (it has: In Progress, Lead, Lost",
        ),
        (
            {
                "associated_company": [
                    {
                        "target_object": "companies",
                        "target_record_id": "0" * 8 + "-0000-0000-0000-" + "0" * 12,
                    }
                ]
            },
            "Associated company: the companies record 00000000-0000-0000-0000-000000000000 is not in the snapshot",
        ),
    ],
)
def test_the_dry_run_refuses_what_attio_would(deal: Any, values: dict[str, Any], message: str) -> None:
    _sb, snapshot, deal_id = deal
    with pytest.raises(PlanError) as caught:
        Plan(_update(deal_id, values), snapshot)
    assert message in str(caught.value)
    assert "row 2" in str(caught.value)


def test_a_plan_the_dry_run_passes_applies_with_no_refusal(deal: Any, tmp_path: Path) -> None:
    sb, snapshot, deal_id = deal
    values = {"stage": "Won 🎉", "owner": [{"workspace_member_email_address": "ADMIN@sandbox.test"}]}
    plan = Plan(_update(deal_id, values), snapshot)
    with AttioClient(sb.tokens["primary"], sb.base_url) as client:
        report = plan.apply(client, progress=False)
    assert report.counts() == {"done": 1}

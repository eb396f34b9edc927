"""Creates and asserts (what importers use), and restoring a deleted record with what hung on it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import orjson
import polars as pl
import pytest

from cleanup.actions import ActionTable
from cleanup.actions.fingerprint import fingerprint
from cleanup.client import AttioClient
from cleanup.execute import Plan, PlanError, Run, restore
from cleanup.execute import run as run_module
from cleanup.testing import sandbox_server, snapshot_of
from tests.conftest import client_for, unlimited
from tests.execute.conftest import writes_in
from tests.execute.test_merge import _busy_companies, _state


def _rows(rows: list[dict[str, Any]]) -> ActionTable:
    frame = pl.DataFrame(
        [
            {
                "recipe": "import",
                "object": None,
                "list": None,
                "target_id": None,
                "fingerprint": None,
                **row,
                "payload": None if row["payload"] is None else orjson.dumps(row["payload"]).decode(),
                "reason": "an import",
            }
            for row in rows
        ],
        schema_overrides={
            "object": pl.String,
            "list": pl.String,
            "target_id": pl.String,
            "fingerprint": pl.String,
        },
    )
    return ActionTable.build(frame).decide("approve")


def _import_rows(existing_domain: str) -> ActionTable:
    note = {
        "parent_object": "companies",
        "parent_action": "import:company:new",
        "title": "First call",
        "format": "markdown",
        "content": "Met the **founders**.",
        "created_at": "2019-03-04T10:00:00.000000000Z",
    }
    return _rows(
        [
            {
                "action_id": "import:company:new",
                "action": "create_record",
                "object": "companies",
                "payload": {"values": {"name": "Newco Robotics", "domains": ["newco-robotics.example"]}},
            },
            {
                "action_id": "import:company:existing",
                "action": "assert_record",
                "object": "companies",
                "payload": {
                    "matching_attribute": "domains",
                    "values": {"domains": [existing_domain], "description": "Imported from Affinity"},
                },
            },
            {
                "action_id": "import:company:asserted-new",
                "action": "assert_record",
                "object": "companies",
                "payload": {
                    "matching_attribute": "domains",
                    "values": {"domains": ["asserted-new.example"], "name": "Asserted New"},
                },
            },
            {"action_id": "import:note:1", "action": "create_note", "object": "companies", "payload": note},
            {
                "action_id": "import:entry:1",
                "action": "create_entry",
                "list": "pipeline",
                "payload": {
                    "parent_object": "companies",
                    "parent_action": "import:company:new",
                    "entry_values": {"next_step": "Intro call"},
                },
            },
        ]
    )


def test_creates_and_asserts_apply_once_and_restore_removes_them(world: Any) -> None:
    sb, snapshot, _ = world
    existing = snapshot.records("companies").select("_id", "domains").head(1).collect().row(0, named=True)
    domain = existing["domains"][0]
    with sb.http() as http:
        before = http.get(f"/v2/objects/companies/records/{existing['_id']}").json()["data"]["values"]
    plan = Plan(_import_rows(domain), snapshot)
    with client_for(sb) as client:
        report = plan.apply(client)
    assert report.counts() == {"done": 5}, report.frame.to_dicts()
    assert report.frame["verified"].all()
    made = dict(report.frame.select("action_id", "created_id").rows())
    assert made["import:company:existing"] == existing["_id"]  # asserted onto the record with that domain
    with sb.http() as http:
        note = http.get(f"/v2/notes/{made['import:note:1']}").json()["data"]
        assert note["parent_record_id"] == made["import:company:new"]
        assert note["created_at"].startswith("2019-03-04T10:00:00")
        assert note["content_markdown"] == "Met the **founders**."
        entry = http.get(f"/v2/lists/pipeline/entries/{made['import:entry:1']}").json()["data"]
        assert entry["parent_record_id"] == made["import:company:new"]
        values = http.get(f"/v2/objects/companies/records/{existing['_id']}").json()["data"]["values"]
        assert values["description"][0]["value"] == "Imported from Affinity"
    # resumed: nothing is written again
    log: list[str] = []
    run = Run.open(report.run_id)
    try:
        with client_for(sb, log) as client:
            run.apply(client)
    finally:
        run.close()
    assert writes_in(log) == []
    with client_for(sb) as client:
        restored = restore(report.run_id, client)
    assert set(restored["status"]) == {"restored"}, restored.to_dicts()
    with sb.http() as http:
        for key in ("import:company:new", "import:company:asserted-new"):
            assert http.get(f"/v2/objects/companies/records/{made[key]}").status_code == 404
        assert http.get(f"/v2/notes/{made['import:note:1']}").status_code == 404
        assert http.get(f"/v2/lists/pipeline/entries/{made['import:entry:1']}").status_code == 404
        after = http.get(f"/v2/objects/companies/records/{existing['_id']}").json()["data"]["values"]
        assert [v["value"] for v in after.get("description", [])] == [
            v["value"] for v in before.get("description", [])
        ]


def test_ambiguous_record_and_entry_creates_are_found_not_repeated(world: Any) -> None:
    sb, snapshot, _ = world
    plan = Plan(_import_rows("no-such-domain.example"), snapshot)
    with (
        client_for(sb) as client,
        sb.faults(
            drop_after_rate=1.0,
            methods=["POST"],
            paths=["/v2/objects/companies/records", "/v2/lists/pipeline/entries"],
        ),
    ):
        report = plan.apply(client)
    assert report.counts() == {"done": 5}, report.frame.to_dicts()
    details = dict(report.frame.select("action_id", "detail").rows())
    assert "found after an ambiguous answer" in details["import:company:new"]
    assert "found after an ambiguous answer" in details["import:entry:1"]
    with sb.http() as http:
        body = {"filter": {"domains": "newco-robotics.example"}}
        assert len(http.post("/v2/objects/companies/records/query", json=body).json()["data"]) == 1


def test_a_create_without_its_parent_is_skipped(world: Any) -> None:
    sb, snapshot, _ = world
    rows = _import_rows("x.example").frame.with_columns(
        payload=pl.when(pl.col("action_id") == "import:company:new")
        .then(pl.lit('{"values": {"name": "Broken", "domains": ["taken.example"], "no_such": 1}}'))
        .otherwise(pl.col("payload"))
    )
    with pytest.raises(PlanError, match="no_such"):
        Plan(ActionTable(rows), snapshot)
    for payload, problem in [
        ('{"values": {"domains": ["a.example"]}}', "needs matching_attribute and a value"),
        (
            '{"matching_attribute": "domains", "values": {"name": "A"}}',
            "needs matching_attribute and a value",
        ),
        ('{"matching_attribute": "name", "values": {"name": "A"}}', "'name' is not unique; .*domains"),
    ]:
        bad_assert = rows.with_columns(
            payload=pl.when(pl.col("action_id") == "import:company:existing")
            .then(pl.lit(payload))
            .otherwise(pl.col("payload"))
        )
        with pytest.raises(PlanError, match=problem):
            Plan(ActionTable(bad_assert), snapshot)
    # a create Attio refuses leaves the creates hanging on it skipped, and says why
    refused = rows.with_columns(
        payload=pl.when(pl.col("action_id") == "import:company:new")
        .then(pl.lit('{"values": {"name": "Refused", "domains": ["not a domain"]}}'))
        .otherwise(pl.col("payload"))
    )
    with client_for(sb) as client:
        report = Plan(ActionTable(refused), snapshot).apply(client)
    status = dict(report.frame.select("action_id", "status").rows())
    assert status["import:company:new"] == "failed"
    assert status["import:note:1"] == status["import:entry:1"] == "skipped"
    assert report.exit_code == 1


def test_restore_of_a_deleted_record_puts_back_what_hung_on_it(world: Any) -> None:
    sb, snapshot, _ = world
    (doomed,) = _busy_companies(snapshot, 1)
    raw = snapshot.records("companies").filter(pl.col("_id") == doomed).select("_raw").collect().item()
    with sb.http() as http:
        before = _state(http, doomed)
    table = _rows(
        [
            {
                "recipe": "repair",
                "action_id": "repair:delete",
                "action": "delete_record",
                "object": "companies",
                "target_id": doomed,
                "fingerprint": fingerprint(raw),
                "payload": None,
            }
        ]
    )
    with client_for(sb) as client:
        report = Plan(table, snapshot).apply(client)
        assert report.counts() == {"done": 1}
        with sb.http() as http:
            assert http.get(f"/v2/objects/companies/records/{doomed}").status_code == 404
        restored = restore(report.run_id, client)
    assert restored["status"].to_list() == ["restored"], restored.to_dicts()
    with sb.http() as http:
        assert _state(http, restored["restored_id"][0]) == before


def test_asserts_on_a_unique_text_attribute_are_read_many_a_query(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import's asserts on its source-id attribute are looked up with ``$in`` (here 2 values a query, 500
    by default), not one query each, and the records read back together; the records they update are backed
    up, so a restore puts them back."""
    monkeypatch.setattr(run_module, "ASSERTS_PER_QUERY", 2)
    with sandbox_server("demo", scale=0.1, config=unlimited()) as sb:
        with sb.http() as http:
            attribute = {
                "title": "Source ID",
                "api_slug": "source_id",
                "type": "text",
                "description": "",
                "is_required": False,
                "is_unique": True,
                "is_multiselect": False,
                "config": {},
            }
            assert http.post("/v2/objects/companies/attributes", json={"data": attribute}).status_code == 200
            existing = [
                r["id"]["record_id"]
                for r in http.post("/v2/objects/companies/records/query", json={"limit": 2}).json()["data"]
            ]
            for i, record_id in enumerate(existing):
                values = {"source_id": f"src-{i}", "description": f"kept {i}"}
                path = f"/v2/objects/companies/records/{record_id}"
                assert http.patch(path, json={"data": {"values": values}}).status_code == 200
        snapshot = snapshot_of(sb, tmp_path / "snap", lists=[], notes=False)
        table = _rows(
            [
                {
                    "action_id": f"import:company:{i}",
                    "action": "assert_record",
                    "object": "companies",
                    "payload": {
                        "matching_attribute": "source_id",
                        "values": {
                            "source_id": f"src-{i}",
                            "name": f"Imported {i}",
                            "description": "Imported",
                        },
                    },
                }
                for i in range(5)
            ]
        )
        queries: list[Any] = []

        async def record(request: httpx.Request) -> None:
            if request.url.path == "/v2/objects/companies/records/query":
                queries.append(orjson.loads(request.content)["filter"])

        with AttioClient(sb.tokens["primary"], sb.base_url, event_hooks={"request": [record]}) as client:
            report = Plan(table, snapshot).apply(client)
        assert report.counts() == {"done": 5}, report.frame.to_dicts()
        made = dict(report.frame.select("action_id", "created_id").rows())
        assert [made["import:company:0"], made["import:company:1"]] == existing  # updated, not created
        assert queries == [  # read before writing; read back (verified) in one query
            {"source_id": {"$in": ["src-0", "src-1"]}},
            {"source_id": {"$in": ["src-2", "src-3"]}},
            {"source_id": {"$in": ["src-4"]}},
            {"record_id": {"$in": list(made.values())}},
        ]
        assert report.frame["verified"].all()
        with client_for(sb) as client:
            restored = restore(report.run_id, client)
        assert set(restored["status"]) == {"restored"}, restored.to_dicts()
        with sb.http() as http:
            for i, record_id in enumerate(existing):
                values = http.get(f"/v2/objects/companies/records/{record_id}").json()["data"]["values"]
                assert [v["value"] for v in values["description"]] == [f"kept {i}"]
            for i in (2, 3, 4):
                assert (
                    http.get(f"/v2/objects/companies/records/{made[f'import:company:{i}']}").status_code
                    == 404
                )


def test_an_import_of_many_notes_is_read_back_by_listing_them(tmp_path: Path) -> None:
    """When listing every note of the workspace (50 a request) costs fewer requests than reading the run's new
    notes one by one, the report lists them; a note gone since reads back as not verified."""
    with sandbox_server("empty", config=unlimited()) as sb:
        with sb.http() as http:
            body = {"data": {"values": {"name": "Acme", "domains": ["acme.example"]}}}
            company = http.post("/v2/objects/companies/records", json=body).json()["data"]["id"]["record_id"]
        snapshot = snapshot_of(sb, tmp_path / "snap", lists=[])
        note = {"parent_object": "companies", "parent_record_id": company, "format": "plaintext"}
        table = _rows(
            [
                {
                    "action_id": f"import:note:{i}",
                    "action": "create_note",
                    "object": "companies",
                    "payload": {
                        **note,
                        "title": f"Call {i}",
                        "content": f"call {i}",
                        "created_at": f"2019-03-{1 + i % 28:02d}T10:00:00.000000000Z",
                    },
                }
                for i in range(60)
            ]
        )
        log: list[str] = []
        with client_for(sb, log) as client:
            report = Plan(table, snapshot).apply(client)
        assert report.counts() == {"done": 60}
        assert report.frame["verified"].all()
        reads = [entry for entry in log if entry.startswith("GET /v2/notes")]
        assert [entry for entry in reads if entry != "GET /v2/notes"] == []  # no note read one by one
        assert 2 <= len(reads) <= 4  # 2 pages, and what the window asked past them
        gone = report.frame.filter(pl.col("action_id") == "import:note:7")["created_id"].item()
        with sb.http() as http:
            assert http.delete(f"/v2/notes/{gone}").status_code == 200
        run = Run.open(report.run_id)
        try:
            with client_for(sb) as client:
                again = run.apply(client)  # nothing left to write: only the read-back
        finally:
            run.close()
        unverified = again.frame.filter(~pl.col("verified"))["action_id"].to_list()
        assert unverified == ["import:note:7"]


def test_rows_referencing_records_of_the_same_run_wait_for_them(world: Any) -> None:
    sb, snapshot, _ = world

    def company(action_id: str, domain: str) -> dict[str, Any]:
        values = {"domains": [domain], "name": action_id}
        return {
            "action_id": action_id,
            "action": "assert_record",
            "object": "companies",
            "payload": {"matching_attribute": "domains", "values": values},
        }

    def person(email: str, domain: str, waits_for: str) -> dict[str, Any]:
        values = {"email_addresses": [email], "company": {"target_object": "companies", "domains": [domain]}}
        return {
            "action_id": f"person:{email}",
            "action": "assert_record",
            "object": "people",
            "payload": {"matching_attribute": "email_addresses", "values": values, "depends_on": [waits_for]},
        }

    rows = _rows(
        [  # the people come first in the table: the run still writes their companies first
            person("ida@waves.example", "waves.example", "company:waves"),
            person("ugo@refused.example", "not a domain", "company:refused"),
            company("company:waves", "waves.example"),
            company("company:refused", "not a domain"),
        ]
    )
    with client_for(sb) as client:
        report = Plan(rows, snapshot).apply(client)
    status = dict(report.frame.select("action_id", "status").rows())
    details = dict(report.frame.select("action_id", "detail").rows())
    made = dict(report.frame.select("action_id", "created_id").rows())
    assert status["company:refused"] == "failed"
    assert status["person:ugo@refused.example"] == "skipped"
    assert (
        "the record(s) it references were not created (company:refused)"
        in details["person:ugo@refused.example"]
    )
    assert status["person:ida@waves.example"] == status["company:waves"] == "done"
    with sb.http() as http:
        ida = http.get(f"/v2/objects/people/records/{made['person:ida@waves.example']}").json()["data"]
    assert ida["values"]["company"][0]["target_record_id"] == made["company:waves"]

"""Attio as it is today, through the executor: a note corrected in place (``update_note``) and put back by a
restore; value history backed up for every attribute a run touches and written back by a restore (after a
merge, a delete or an overwrite), or said not to be where the server cannot write it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import polars as pl
import pytest

from cleanup import AttioClient, actions
from cleanup.actions import ActionTable
from cleanup.execute import Plan, restore
from cleanup.execute.plan import PlanError
from cleanup.testing import RunningSandbox, sandbox_server, snapshot_of
from tests.conftest import client_for, unlimited
from tests.execute.test_merge import _merge

HISTORY = ("name", "description", "domains", "categories", "linkedin")
OLD = "2020-01-01T00:00:00.000000000Z"
MIDDLE = "2021-06-15T09:30:00.000000000Z"
LATER = "2023-03-01T12:00:00.000000000Z"


@pytest.fixture
def sb() -> Iterator[RunningSandbox]:
    with sandbox_server("empty", config=unlimited()) as running:
        yield running


async def _no_sleep(_seconds: float) -> None:
    return None


def _company(http: httpx.Client, name: str, domain: str, description: str) -> str:
    body = {"data": {"values": {"name": name, "domains": [domain], "description": description}}}
    answer = http.post("/v2/objects/companies/records", json=body)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["data"]["id"]["record_id"])


def _write_history(http: httpx.Client, record_id: str, attribute: str, values: list[dict[str, Any]]) -> None:
    answer = http.put(
        f"/v2/objects/companies/records/{record_id}/attributes/{attribute}/values",
        json={"data": {"values": values, "replace_history": True}},
    )
    assert answer.status_code == 200, answer.text


def _histories(http: httpx.Client, record_id: str) -> dict[str, list[str]]:
    """Every history-writable attribute's history, comparable across ids and authors."""
    out = {}
    for slug in HISTORY:
        answer = http.get(
            f"/v2/objects/companies/records/{record_id}/attributes/{slug}/values",
            params={"show_historic": "true"},
        )
        assert answer.status_code == 200, answer.text
        out[slug] = sorted(
            orjson.dumps(
                {k: v for k, v in item.items() if k != "created_by_actor"}, option=orjson.OPT_SORT_KEYS
            ).decode()
            for item in answer.json()["data"]
        )
    return out


def _by_domain(http: httpx.Client, domain: str) -> str:
    found = http.post("/v2/objects/companies/records/query", json={"filter": {"domains": domain}}).json()
    assert len(found["data"]) == 1, found
    return str(found["data"][0]["id"]["record_id"])


def _two_companies_with_history(http: httpx.Client) -> tuple[str, str]:
    survivor = _company(http, "Acme Corporation", "acme.com", "Robots")
    loser = _company(http, "ACME Corp", "acme.io", "Robots for warehouses")
    _write_history(
        http,
        survivor,
        "name",
        [
            {"value": "Acme (old name)", "active_from": OLD, "active_until": MIDDLE},
            {"value": "Acme Corporation", "active_from": MIDDLE, "active_until": None},
        ],
    )
    _write_history(
        http,
        loser,
        "description",
        [
            {"value": "Warehouse robots", "active_from": OLD, "active_until": LATER},
            {"value": "Robots for warehouses", "active_from": LATER, "active_until": None},
        ],
    )
    return survivor, loser


def test_a_restore_after_a_merge_gives_both_records_their_value_history_back(
    sb: RunningSandbox, tmp_path: Path
) -> None:
    with sb.http() as http:
        survivor, loser = _two_companies_with_history(http)
        before = {"acme.com": _histories(http, survivor), "acme.io": _histories(http, loser)}
    snapshot = snapshot_of(sb, tmp_path / "snap")
    with client_for(sb) as client:
        report = Plan(_merge(snapshot, survivor, loser, {}), snapshot).apply(client)
        assert report.counts() == {"done": 1}
        backup = orjson.loads((report.folder / "backup" / "manifest.json").read_bytes())
        assert backup["history"]["rows"] >= 4  # both sides, every attribute either holds a value for
        restored = restore(report.run_id, client)
    assert set(restored["status"]) == {"restored"}, restored.to_dicts()
    with sb.http() as http:
        after = {domain: _histories(http, _by_domain(http, domain)) for domain in before}
    assert after == before


def test_a_restore_after_an_overwrite_or_a_delete_writes_the_history_back(
    sb: RunningSandbox, tmp_path: Path
) -> None:
    with sb.http() as http:
        kept, deleted = _two_companies_with_history(http)
        before = {"acme.com": _histories(http, kept), "acme.io": _histories(http, deleted)}
    snapshot = snapshot_of(sb, tmp_path / "snap")
    companies = snapshot.records("companies").collect()
    fix = ActionTable.concat(
        [
            actions.update_records(
                companies.filter(pl.col("_id") == kept),
                object="companies",
                values={"name": pl.lit("Acme Inc")},
            ),
            actions.delete_records(companies.filter(pl.col("_id") == deleted), object="companies"),
        ]
    )
    with client_for(sb) as client:
        report = Plan(fix.decide("approve"), snapshot).apply(client)
        assert report.counts() == {"done": 2}
        with sb.http() as http:
            assert len(_histories(http, kept)["name"]) == 3  # the overwrite ended the current name
        restored = restore(report.run_id, client)
    assert set(restored["status"]) == {"restored"}, restored.to_dicts()
    with sb.http() as http:
        after = {domain: _histories(http, _by_domain(http, domain)) for domain in before}
    assert after == before


def test_a_server_without_history_writes_gets_current_values_back_and_says_so(tmp_path: Path) -> None:
    config = dataclasses.replace(unlimited(), absent=frozenset({"history_write"}))
    with sandbox_server("empty", config=config) as sb:
        with sb.http() as http:
            survivor = _company(http, "Acme Corporation", "acme.com", "Robots")
            loser = _company(http, "ACME Corp", "acme.io", "Robots for warehouses")
        snapshot = snapshot_of(sb, tmp_path / "snap")
        with client_for(sb) as client:
            report = Plan(_merge(snapshot, survivor, loser, {}), snapshot).apply(client)
            restored = restore(report.run_id, client)
        assert restored["status"].to_list() == ["restored"]
        assert "no history write endpoint" in restored["detail"][0]
        with sb.http() as http:
            back = http.get(f"/v2/objects/companies/records/{_by_domain(http, 'acme.io')}").json()["data"]
        assert back["values"]["description"][0]["value"] == "Robots for warehouses"


def _note(http: httpx.Client, record_id: str) -> dict[str, Any]:
    body = {
        "parent_object": "companies",
        "parent_record_id": record_id,
        "title": "Call wiht Ada",
        "format": "markdown",
        "content": "Ada wants a **demo**.",
        "created_at": "2019-06-04T14:03:00.000Z",
    }
    answer = http.post("/v2/notes", json={"data": body})
    assert answer.status_code == 200, answer.text
    return dict(answer.json()["data"])


def test_a_note_is_corrected_in_place_and_a_restore_puts_its_text_back(
    sb: RunningSandbox, tmp_path: Path
) -> None:
    with sb.http() as http:
        note = _note(http, _company(http, "Acme", "acme.com", "Robots"))
    snapshot = snapshot_of(sb, tmp_path / "snap")
    notes = snapshot.notes().collect()
    fix = actions.update_notes(
        notes,
        title=pl.col("title").str.replace("wiht", "with"),
        content=pl.lit("Ada wants a **demo** in June."),
        reason="a typo in the title",
    )
    assert fix.frame["action"].to_list() == ["update_note"]
    with client_for(sb) as client:
        report = Plan(fix.decide("approve"), snapshot).apply(client)
        assert report.counts() == {"done": 1}
        assert report.frame["verified"].to_list() == [True]
        with sb.http() as http:
            now = http.get(f"/v2/notes/{note['id']['note_id']}").json()["data"]
        assert now["title"] == "Call with Ada"
        assert now["content_plaintext"] == "Ada wants a demo in June."
        assert (now["created_at"], now["parent_record_id"], now["created_by_actor"]) == (
            note["created_at"],
            note["parent_record_id"],
            note["created_by_actor"],
        )
        restored = restore(report.run_id, client)
    assert restored["status"].to_list() == ["restored"]
    with sb.http() as http:
        back = http.get(f"/v2/notes/{note['id']['note_id']}").json()["data"]
    assert (back["title"], back["content_markdown"]) == (note["title"], note["content_markdown"])


def test_a_note_update_that_changes_nothing_is_refused_by_the_plan(
    sb: RunningSandbox, tmp_path: Path
) -> None:
    with sb.http() as http:
        _note(http, _company(http, "Acme", "acme.com", "Robots"))
    snapshot = snapshot_of(sb, tmp_path / "snap")
    notes = snapshot.notes().collect()
    table = actions.update_notes(notes, title="title").frame.with_columns(payload=pl.lit("{}"))
    with pytest.raises(PlanError, match="needs 'title or content'"):
        Plan(ActionTable.build(table).decide("approve"), snapshot)
    with pytest.raises(actions.ActionTableError, match="title=, content= or both"):
        actions.update_notes(notes)


def _entry_with_history(http: httpx.Client, record_id: str) -> str:
    listed = {
        "name": "Pipeline",
        "api_slug": "pipeline",
        "parent_object": "companies",
        "workspace_access": "full-access",
        "workspace_member_access": [],
    }
    assert http.post("/v2/lists", json={"data": listed}).status_code == 200
    attribute = {
        "title": "Next step",
        "description": None,
        "api_slug": "next_step",
        "type": "text",
        "is_required": False,
        "is_unique": False,
        "is_multiselect": False,
        "config": {},
    }
    assert http.post("/v2/lists/pipeline/attributes", json={"data": attribute}).status_code == 200
    body = {
        "parent_record_id": record_id,
        "parent_object": "companies",
        "entry_values": {"next_step": "Demo"},
    }
    entry_id = str(
        http.post("/v2/lists/pipeline/entries", json={"data": body}).json()["data"]["id"]["entry_id"]
    )
    history = [
        {"value": "First call", "active_from": OLD, "active_until": MIDDLE},
        {"value": "Demo", "active_from": MIDDLE, "active_until": None},
    ]
    answer = http.put(
        f"/v2/lists/pipeline/entries/{entry_id}/attributes/next_step/values",
        json={"data": {"values": history, "replace_history": True}},
    )
    assert answer.status_code == 200, answer.text
    return entry_id


def _entry_history(http: httpx.Client, entry_id: str) -> list[tuple[Any, ...]]:
    answer = http.get(
        f"/v2/lists/pipeline/entries/{entry_id}/attributes/next_step/values", params={"show_historic": "true"}
    )
    return sorted((v["value"], v["active_from"], v["active_until"]) for v in answer.json()["data"])


def test_a_restored_list_entry_gets_its_value_history_back(sb: RunningSandbox, tmp_path: Path) -> None:
    with sb.http() as http:
        entry_id = _entry_with_history(http, _company(http, "Acme", "acme.com", "Robots"))
        before = _entry_history(http, entry_id)
    assert len(before) == 2
    snapshot = snapshot_of(sb, tmp_path / "snap")
    entries = snapshot.entries("pipeline").collect()
    with client_for(sb) as client:
        report = Plan(actions.delete_entries(entries, list="pipeline").decide("approve"), snapshot).apply(
            client
        )
        assert report.counts() == {"done": 1}
        restored = restore(report.run_id, client)
    assert restored["status"].to_list() == ["restored"]
    with sb.http() as http:
        again = http.post("/v2/lists/pipeline/entries/query", json={}).json()["data"]
        assert len(again) == 1
        assert _entry_history(http, again[0]["id"]["entry_id"]) == before


def test_without_a_note_update_the_note_is_created_anew_with_its_date_and_the_run_says_so(
    tmp_path: Path,
) -> None:
    config = dataclasses.replace(unlimited(), absent=frozenset({"note_update"}))
    with sandbox_server("empty", config=config) as sb:
        with sb.http() as http:
            note = _note(http, _company(http, "Acme", "acme.com", "Robots"))
        snapshot = snapshot_of(sb, tmp_path / "snap")
        fix = actions.update_notes(snapshot.notes().collect(), title=pl.lit("Call with Ada"))
        plan = Plan(fix.decide("approve"), snapshot)
        with client_for(sb) as client:
            report = plan.apply(client)
        assert len(plan.fallbacks) == 1
        assert "no note update" in plan.fallbacks[0]
        meta = orjson.loads((report.folder / "meta.json").read_bytes())
        assert meta["fallbacks"] == plan.fallbacks
        assert report.counts() == {"done": 1}
        with sb.http() as http:
            notes = http.get("/v2/notes").json()["data"]
        assert len(notes) == 1
        assert notes[0]["id"]["note_id"] != note["id"]["note_id"]
        assert (notes[0]["title"], notes[0]["content_markdown"]) == (
            "Call with Ada",
            note["content_markdown"],
        )
        assert notes[0]["created_at"][:19] == note["created_at"][:19]


def test_an_updated_entry_gets_its_history_back_and_a_restore_of_the_restore_too(
    sb: RunningSandbox, tmp_path: Path
) -> None:
    with sb.http() as http:
        entry_id = _entry_with_history(http, _company(http, "Acme", "acme.com", "Robots"))
        before = _entry_history(http, entry_id)
    snapshot = snapshot_of(sb, tmp_path / "snap")
    entries = snapshot.entries("pipeline").collect()
    fix = actions.update_entries(entries, list="pipeline", values={"next_step": pl.lit("Contract")})
    with client_for(sb) as client:
        report = Plan(fix.decide("approve"), snapshot).apply(client)
        with sb.http() as http:
            changed = _entry_history(http, entry_id)
        assert len(changed) == 3
        restored = restore(report.run_id, client)
        assert restored["status"].to_list() == ["restored"], restored.to_dicts()
        with sb.http() as http:
            assert _entry_history(http, entry_id) == before
        again = restore(f"{report.run_id}-restore-1", client)  # the restore undone: as the run left it
        assert set(again["status"]) == {"restored"}, again.to_dicts()
    with sb.http() as http:
        assert _entry_history(http, entry_id) == changed


def test_a_history_write_that_failed_is_written_by_the_next_restore(
    sb: RunningSandbox, tmp_path: Path
) -> None:
    with sb.http() as http:
        kept, _ = _two_companies_with_history(http)
        before = _histories(http, kept)
    snapshot = snapshot_of(sb, tmp_path / "snap")
    companies = snapshot.records("companies").collect().filter(pl.col("_id") == kept)
    fix = actions.update_records(companies, object="companies", values={"name": pl.lit("Acme Inc")})
    with client_for(sb) as client:
        report = Plan(fix.decide("approve"), snapshot).apply(client)
        with (
            sb.faults(error_rate=1.0, methods=["PUT"], path_prefix="/v2/objects/companies/records/"),
            AttioClient(sb.tokens["primary"], sb.base_url, sleep=_no_sleep, max_attempts=2) as failing,
        ):
            first = restore(report.run_id, failing)
        assert first["status"].to_list() == ["failed"]
        second = restore(report.run_id, client)
    assert second["status"].to_list() == ["restored"], second.to_dicts()
    with sb.http() as http:
        assert _histories(http, kept) == before

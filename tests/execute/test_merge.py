"""Merges both ways — Attio's native endpoint and the merge by hand — and un-merging them with restore.

Each test picks two companies of the demo workspace that have notes, list entries, tasks and people and
deals pointing at them, merges one into the other, checks that everything that hung on the loser now hangs
on the survivor, then restores and checks that the workspace is as it was on everything the run touched.
"""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import polars as pl
import pytest

from cleanup.actions import ActionTable
from cleanup.actions.fingerprint import fingerprint
from cleanup.execute import Plan, Run, restore
from cleanup.export.snapshot import Snapshot
from tests.conftest import client_for
from tests.execute.conftest import writes_in

REFERRERS = (("people", "company"), ("deals", "associated_company"))
# Compared through the referrers (team, deals), filled by Attio (system, enriched, interactions), or an id.
NOT_COMPARED = frozenset(
    {"record_id", "created_at", "created_by", "team", "associated_deals", "investments", "logo_url"}
    | {
        "twitter_follower_count",
        "estimated_arr_usd",
        "funding_raised_usd",
        "foundation_date",
        "employee_range",
    }
)


def _busy_companies(snapshot: Snapshot, n: int) -> list[str]:
    """Companies with notes, a pipeline entry, a task and a person or deal pointing at them."""
    notes = snapshot.notes().group_by("parent_record_id").len().collect()
    entries = (
        snapshot.entries("pipeline").select(pl.col("_parent_record_id").alias("parent_record_id")).collect()
    )
    people = snapshot.records("people").select(pl.col("company").struct.field("target_record_id")).collect()
    tasks = snapshot.tasks().collect()
    linked = tasks.select(pl.col("linked_records").explode().struct.field("target_record_id"))
    busy = (
        notes.filter(pl.col("len") >= 2)
        .join(entries.unique(), on="parent_record_id")
        .filter(pl.col("parent_record_id").is_in(people["target_record_id"].implode()))
        .filter(pl.col("parent_record_id").is_in(linked["target_record_id"].implode()))
        .filter(
            pl.col("parent_record_id").is_in(
                snapshot.records("companies").select("_id").collect()["_id"].implode()
            )
        )
        .sort("parent_record_id")
    )
    assert busy.height >= n, "the demo seed should have companies with notes, entries, people and tasks"
    return busy["parent_record_id"].head(n).to_list()


def _state(http: httpx.Client, record_id: str) -> dict[str, Any]:
    """What hangs on a company, comparable across ids: its values, notes, entries, tasks, referrers."""
    record = http.get(f"/v2/objects/companies/records/{record_id}")
    assert record.status_code == 200, record.text
    values = record.json()["data"]["values"]
    kept = {
        slug: sorted(
            orjson.dumps(
                {
                    k: v
                    for k, v in item.items()
                    if k not in ("active_from", "created_by_actor", "active_until")
                }
            ).decode()
            for item in items
        )
        for slug, items in values.items()
        if slug not in NOT_COMPARED and "interaction" not in slug and "connection" not in slug
    }
    notes = http.get(
        "/v2/notes", params={"parent_object": "companies", "parent_record_id": record_id, "limit": 50}
    )
    entries = http.get(f"/v2/objects/companies/records/{record_id}/entries").json()["data"]
    entry_values = []
    for ref in entries:
        entry = http.get(f"/v2/lists/{ref['list_api_slug']}/entries/{ref['entry_id']}").json()["data"]
        entry_values.append(
            sorted(
                (
                    slug,
                    orjson.dumps([v.get("value", v.get("option", v.get("status"))) for v in items]).decode(),
                )
                for slug, items in entry["entry_values"].items()
                if items and slug not in ("created_at", "created_by", "entry_id")
            )
        )
    tasks = http.get(
        "/v2/tasks", params={"linked_object": "companies", "linked_record_id": record_id}
    ).json()["data"]
    referrers = set()
    for object_slug, attribute in REFERRERS:
        body = {"filter": {attribute: {"target_object": "companies", "target_record_id": record_id}}}
        for found in http.post(f"/v2/objects/{object_slug}/records/query", json=body).json()["data"]:
            referrers.add((object_slug, found["id"]["record_id"]))
    return {
        "values": kept,
        "notes": sorted((n["title"], n["content_plaintext"], n["created_at"]) for n in notes.json()["data"]),
        "entries": sorted(entry_values),
        "tasks": sorted(t["id"]["task_id"] for t in tasks),
        "referrers": sorted(referrers),
    }


def _merge(snapshot: Snapshot, survivor: str, loser: str, carry: dict[str, Any]) -> ActionTable:
    raws = dict(snapshot.records("companies").select("_id", "_raw").collect().rows())
    rows = pl.DataFrame(
        {
            "recipe": "repair",
            "action": ["merge_records"],
            "object": "companies",
            "target_id": [loser],
            "survivor_id": survivor,
            "cluster_id": survivor,
            "payload": [orjson.dumps({"carry": carry}).decode()],
            "reason": "the same company",
            "fingerprint": [fingerprint(raws[loser])],
        }
    )
    return ActionTable.build(rows).decide("approve")


def _domains(http: httpx.Client, record_id: str) -> list[str]:
    values = http.get(f"/v2/objects/companies/records/{record_id}").json()["data"]["values"]
    return [d["domain"] for d in values.get("domains", [])]


@pytest.mark.parametrize("endpoint", ["native", "by hand"])
def test_a_merge_moves_everything_to_the_survivor_and_restore_undoes_it(world: Any, endpoint: str) -> None:
    sb, snapshot, _ = world
    survivor, loser = _busy_companies(snapshot, 2)
    with sb.http() as http:
        before = {"survivor": _state(http, survivor), "loser": _state(http, loser)}
        loser_domains = _domains(http, loser)
    assert loser_domains
    plan = Plan(_merge(snapshot, survivor, loser, {"domains": loser_domains}), snapshot)
    sb.config.merge_endpoint = endpoint == "native"
    log: list[str] = []
    try:
        with client_for(sb, log) as client:
            report = plan.apply(client)
    finally:
        sb.config.merge_endpoint = True
    assert report.counts() == {"done": 1}, report.frame.to_dicts()
    assert report.frame["verified"].all()
    merged = report.frame["created_id"][0]
    if endpoint == "by hand":
        assert merged == survivor  # the survivor keeps its id
        assert "merged by hand" in report.frame["detail"][0]
        assert sum("records/merge" in entry for entry in log) == 1  # one probe answered 404, then by hand
    with sb.http() as http:
        assert http.get(f"/v2/objects/companies/records/{loser}").status_code == 404
        after = _state(http, merged)
        # everything that hung on either record now hangs on the merged one
        assert sorted(before["survivor"]["notes"] + before["loser"]["notes"]) == after["notes"]
        assert set(after["tasks"]) == set(before["survivor"]["tasks"]) | set(before["loser"]["tasks"])
        assert {r[1] for r in after["referrers"]} == {
            r[1] for r in before["survivor"]["referrers"] + before["loser"]["referrers"]
        }
        assert len(after["entries"]) >= 1
        assert set(loser_domains) <= set(_domains(http, merged))
    with client_for(sb) as client:
        restored = restore(report.run_id, client)
        again = restore(report.run_id, client)
    assert restored["status"].to_list() == ["restored"], restored.to_dicts()
    assert "Employee range" in restored["detail"][0]  # enriched values Attio fills itself, by title
    assert again["restored_id"].to_list() == restored["restored_id"].to_list()
    new_loser = restored["restored_id"][0]
    with sb.http() as http:
        assert _state(http, new_loser) == before["loser"]
        assert _state(http, merged) == before["survivor"]


def test_merge_by_hand_can_be_chosen_and_resumes_after_a_stop(world: Any) -> None:
    sb, snapshot, _ = world
    survivor, loser = _busy_companies(snapshot, 2)
    with sb.http() as http:
        before = sorted(_state(http, survivor)["notes"] + _state(http, loser)["notes"])
    plan = Plan(_merge(snapshot, survivor, loser, {}), snapshot)
    run = Run.start(plan)
    stopped_after: list[str] = []
    with client_for(sb) as client:
        # stop cleanly once the first note copy is on its way: the rest of the moves wait for a resume
        async def stop(request: httpx.Request) -> None:
            if request.method == "POST" and request.url.path == "/v2/notes" and not stopped_after:
                stopped_after.append(request.url.path)
                run.request_stop()

        client.aio._http.event_hooks["request"].append(stop)
        first = run.apply(client, merge="fallback")
    run.close()
    assert first.frame["status"].to_list() == ["unsettled"]
    assert first.exit_code == 1
    log: list[str] = []
    resumed = Run.open(run.run_id)
    try:
        with client_for(sb, log) as client:
            report = resumed.apply(client, merge="fallback")
    finally:
        resumed.close()
    assert report.counts() == {"done": 1}
    assert not any("records/merge" in entry for entry in log)
    with sb.http() as http:
        assert sorted(_state(http, survivor)["notes"]) == before  # every note once: none lost, none twice


def test_a_kill_between_sending_and_journalling_a_note_move_finds_the_copy(world: Any) -> None:
    sb, snapshot, _ = world
    survivor, loser = _busy_companies(snapshot, 2)
    plan = Plan(_merge(snapshot, survivor, loser, {}), snapshot)
    with (
        client_for(sb) as client,
        sb.faults(drop_after_rate=1.0, methods=["POST"], path_prefix="/v2/notes", seed=1),
    ):
        report = plan.apply(client, merge="fallback")
    assert report.counts() == {"done": 1}
    with sb.http() as http:
        notes = _state(http, survivor)["notes"]
    expected = snapshot.notes().filter(pl.col("parent_record_id").is_in([survivor, loser])).collect().height
    assert len(notes) == expected


def test_nothing_is_written_twice_when_a_finished_merge_by_hand_is_resumed(world: Any) -> None:
    sb, snapshot, _ = world
    survivor, loser = _busy_companies(snapshot, 2)
    plan = Plan(_merge(snapshot, survivor, loser, {}), snapshot)
    with client_for(sb) as client:
        first = plan.apply(client, merge="fallback")
    log: list[str] = []
    run = Run.open(first.run_id)
    try:
        with client_for(sb, log) as client:
            run.apply(client, merge="fallback")
    finally:
        run.close()
    assert writes_in(log) == []

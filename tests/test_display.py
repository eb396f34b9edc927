"""Notebook displays (``_repr_html_``) of a snapshot, an action table, a plan and a run report, on a small
workspace written over real HTTP: sentences with names and confidence in words, the rows needing a look,
no bare id as a label, every user value escaped."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import polars as pl
import pytest

from cleanup.actions import ActionTable
from cleanup.execute import Plan
from cleanup.export.snapshot import Snapshot
from cleanup.testing import sandbox_server, snapshot_of
from tests.conftest import client_for, unlimited

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
EVIL = "<b>Evil</b> & Sons"  # a company name a display must escape


def visible(shown: str) -> str:
    """What a person sees of some HTML: the text, without tags or attributes (hovers)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", shown))


def create(http: httpx.Client, obj: str, values: dict[str, Any]) -> str:
    response = http.post(f"/v2/objects/{obj}/records", json={"data": {"values": values}})
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["id"]["record_id"])


def person(first: str, last: str, email: str) -> dict[str, Any]:
    return {
        "name": [{"first_name": first, "last_name": last, "full_name": f"{first} {last}"}],
        "email_addresses": [email],
    }


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Snapshot, dict[str, str]]]:
    """Two look-alike people, a company with a name that needs escaping, a note; exported."""
    ids: dict[str, str] = {}
    with sandbox_server("empty", config=unlimited()) as sb, sb.http() as http:
        ids["robert"] = create(http, "people", person("Robert", "Smith", "robert.smith@acme.com"))
        ids["bob"] = create(http, "people", person("Bob", "Smith", "bob.smith@acme.com"))
        ids["ann"] = create(http, "people", person("Ann", "Lee", "ann@initech.com"))
        ids["evil"] = create(http, "companies", {"name": EVIL, "domains": ["evil.example"]})
        response = http.post(
            "/v2/notes",
            json={
                "data": {
                    "parent_object": "companies",
                    "parent_record_id": ids["evil"],
                    "title": "Intro call",
                    "format": "plaintext",
                    "content": "Met the CEO.",
                }
            },
        )
        ids["note"] = response.json()["data"]["id"]["note_id"]
        snapshot = snapshot_of(sb, tmp_path_factory.mktemp("display") / "snap")
        yield sb, snapshot, ids


def table_of(ids: dict[str, str]) -> ActionTable:
    """A merge with evidence against it, an unsure note delete, a sure update."""
    against = {"against": ["first name"], "carry": {}}
    return ActionTable.build(
        pl.DataFrame(
            [
                {
                    "recipe": "duplicate_people",
                    "action": "merge_records",
                    "object": "people",
                    "target_id": ids["bob"],
                    "survivor_id": ids["robert"],
                    "cluster_id": ids["bob"],
                    "payload": orjson.dumps(against).decode(),
                    "reason": f"Likely the same person as {ids['robert']}",
                    "confidence": 0.97,
                    "evidence": "first name 'Bob' / 'Robert' (a nickname); same last name Smith",
                },
                {
                    "recipe": "duplicate_notes",
                    "action": "delete_note",
                    "object": "companies",
                    "target_id": ids["note"],
                    "cluster_id": ids["note"],
                    "reason": "A copy",
                    "confidence": 0.9,
                    "evidence": f"same companies record {ids['evil']}",
                },
                {
                    "recipe": "repair",
                    "action": "update_record",
                    "object": "people",
                    "target_id": ids["ann"],
                    "payload": orjson.dumps({"values": {"job_title": "CEO"}}).decode(),
                    "reason": "job title missing",
                    "confidence": 1.0,
                },
            ]
        )
    )


def test_a_snapshot_says_what_it_holds_in_words(workspace: tuple[Any, Snapshot, dict[str, str]]) -> None:
    _, snapshot, _ = workspace
    shown = visible(snapshot._repr_html_())
    assert "3 people" in shown
    assert "1 note," in shown
    assert "0 deals" in shown
    assert re.search(r"exported \d{1,2} \w{3} \d{4} \d\d:\d\d UTC", shown)
    assert "Complete." in shown


def test_an_action_table_names_records_and_puts_what_needs_a_look_first(
    workspace: tuple[Any, Snapshot, dict[str, str]],
) -> None:
    _, snapshot, ids = workspace
    table = table_of(ids)
    bare = visible(table._repr_html_())
    assert "Ids are shortened" in bare
    assert "…" in bare
    assert not UUID.search(bare)

    shown = table.with_names(snapshot)._repr_html_()
    text = visible(shown)
    assert text.startswith(
        " 3 proposed changes from duplicate_people, duplicate_notes and repair: merge 1 pair of people (1 likely)"
    )
    assert "delete 1 note (1 unsure)" in text
    assert "update 1 person (1 sure)" in text
    assert "1 change has evidence against it" in text
    assert "merge Bob Smith into Robert Smith" in text
    assert "likely (0.97)" in text
    assert "first name" in text
    assert "delete “Intro call” on <b>Evil</b> & Sons" in text  # note by title and parent
    assert "Ann Lee" not in text  # sure, nothing against it: not among the rows needing a look
    assert not UUID.search(text), "an id is shown where a name belongs"
    assert EVIL not in shown
    assert html.escape(EVIL) in shown
    rows = re.findall(r"<tr>(.*?)</tr>", shown)
    assert "Bob Smith" in rows[1]
    assert "Intro call" in rows[2]
    assert "table.frame" in text


def test_a_plan_and_a_run_report_read_as_sentences_with_names(
    workspace: tuple[Any, Snapshot, dict[str, str]],
) -> None:
    sb, snapshot, ids = workspace
    table = table_of(ids).with_names(snapshot)
    approved = table.decide("approve", where=pl.col("action") == "update_record")
    plan = Plan(approved, snapshot)
    text = visible(plan._repr_html_())
    assert text.startswith(" The plan applies 1 approved change to")
    assert "update 1 person (1 sure)" in text
    assert "update Ann Lee (Job title)" in text
    assert "2 pending rows" in text
    assert "about 1 second" in text
    assert not UUID.search(text)

    # a table made from another (decide, concat) keeps its snapshot, and its names
    decided = visible(approved._repr_html_())
    assert "merge Bob Smith into Robert Smith" in decided
    assert "merge Bob Smith into Robert Smith" in visible(ActionTable.concat([approved])._repr_html_())

    with client_for(sb) as client:
        report = plan.apply(client, progress=False)
    text = visible(report._repr_html_())
    assert f"Run {report.run_id}" in text
    assert "1 of 1 change done, 1 read back and confirmed" in text
    assert re.search(r"started \d{1,2} \w{3} \d{4} \d\d:\d\d UTC", text)
    assert "Nothing needs a look" in text
    assert "update Ann Lee (Job title)" in text
    assert not UUID.search(text)


def test_progress_in_a_notebook_draws_html_without_rich_s_live_display(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rich.console import Console

    from cleanup import progress

    published: list[tuple[str, dict[str, Any]]] = []

    class Handle:
        def update(self, bundle: dict[str, Any], raw: bool) -> None:
            published.append(("update", bundle))

    def display(bundle: dict[str, Any], raw: bool, display_id: bool) -> Handle:
        published.append(("display", bundle))
        return Handle()

    monkeypatch.setattr("IPython.display.display", display)
    with progress.progress_bar(Console(force_jupyter=True)) as bar:
        assert isinstance(bar, progress.NotebookProgress)
        task = bar.add_task("people", total=3, rate="")
        bar.advance(task, 3)
    kind, last = published[-1]
    assert published[0][0] == "display"
    assert kind == "update"
    assert "people" in last["text/plain"]
    assert "3/3" in last["text/plain"]
    assert "<pre" in last["text/html"]

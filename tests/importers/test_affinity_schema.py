"""What an import makes in the workspace — a list, its attributes, the source-id attribute, options and
statuses — planned as rows, shown in the dry run, made first by the executor, and found (not made again)
by a second run."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl

from cleanup.importers.mapping import Mapping
from cleanup.importers.session import prepare_affinity
from cleanup.testing import RunningSandbox
from tests.conftest import client_for
from tests.importers.conftest import FIXTURES

NEW_LIST = """
[lists.pipeline]
file = "deal-pipeline.csv"
list = "watchlist"
create = "Watchlist"
records = "organizations"
record_id_column = "Organization Id"
row_id_column = "Affinity Row ID"

[lists.pipeline.columns]
"Status" = "stage"
"Investment Stage" = "round"
"Date Added" = "added_on"

[lists.pipeline.new_attributes]
stage = "status"
round = { type = "select", title = "Round" }
added_on = "date"
"""


def _mapping(tmp_path: Path) -> Path:
    """The fixtures' mapping with the pipeline going to a list the workspace lacks, and options made."""
    folder = tmp_path / "exports"
    shutil.copytree(FIXTURES, folder)
    path = folder / "mapping.toml"
    text = path.read_text()
    start = text.index("[lists.pipeline]")
    end = text.index("[objects.opportunities]")
    text = text[:start] + NEW_LIST.lstrip() + "\n" + text[end:]
    path.write_text(text.replace('note_parent = "each"', 'note_parent = "each"\ncreate_options = true'))
    return path


def test_a_new_list_its_attributes_and_choices_are_planned_made_first_and_found_again(
    workspace: RunningSandbox, tmp_path: Path
) -> None:
    mapping_path = _mapping(tmp_path)
    mapping = Mapping.load(mapping_path)
    with client_for(workspace) as client:
        prepared = prepare_affinity(client, mapping, mapping_path.parent, None, tmp_path / "one")
        changes = prepared.schema_changes
        assert changes[0] == "make the list “Watchlist” of Companies"
        assert "add the attribute “Status” (status) to Watchlist" in changes
        assert "add the attribute “Round” (select) to Watchlist" in changes
        assert "add the attribute “Affinity ID” (text) to Watchlist" in changes
        assert "add the choice “Due diligence” to Status on Watchlist" in changes
        assert "add the choice “Series B” to Round on Watchlist" in changes
        deal_stages = [
            c for c in changes if c.endswith("on Deals")
        ]  # statuses deals lack, from opportunities
        assert all(c.startswith("add the choice") for c in deal_stages)
        plan = prepared.plan()  # the dry run: every row checked against the schema as it will be
        entries = plan.rows.filter(pl.col("action") == "create_entry")
        assert entries.height == 4
        report = plan.apply(client, progress=False)
        assert set(report.counts()) == {"done"}, report.frame.filter(pl.col("status") != "done")
        assert report.frame["verified"].all()
        again = prepare_affinity(client, mapping, mapping_path.parent, None, tmp_path / "two")
    assert again.schema_changes == []
    assert again.result.table.approved().height == 0
    with workspace.http() as http:
        lists = [li["api_slug"] for li in http.get("/v2/lists").json()["data"]]
        statuses = http.get("/v2/lists/watchlist/attributes/stage/statuses").json()["data"]
        rows = http.post("/v2/lists/watchlist/entries/query", json={}).json()["data"]
    assert lists.count("watchlist") == 1
    assert {"Due diligence", "Passed"} <= {s["title"] for s in statuses}
    assert len(rows) == 4
    assert {r["entry_values"]["round"][0]["option"]["title"] for r in rows if r["entry_values"]["round"]} >= {
        "Series B"
    }


def test_a_list_the_workspace_lacks_without_create_says_how_to_make_it(
    workspace: RunningSandbox, tmp_path: Path
) -> None:
    mapping_path = _mapping(tmp_path)
    mapping_path.write_text(mapping_path.read_text().replace('create = "Watchlist"\n', ""))
    with client_for(workspace) as client:
        try:
            prepare_affinity(client, Mapping.load(mapping_path), mapping_path.parent, None, tmp_path / "w")
        except Exception as error:
            said = str(error)
        else:
            raise AssertionError("a list the workspace lacks was taken without `create`")
    assert "list 'watchlist' is not in the workspace" in said
    assert 'create = "Watchlist" in [lists.pipeline]' in said


def test_a_status_the_list_lacks_is_a_finding_on_its_row_unless_options_are_made(
    workspace: RunningSandbox, tmp_path: Path
) -> None:
    folder = tmp_path / "exports"
    shutil.copytree(FIXTURES, folder)
    pipeline = folder / "deal-pipeline.csv"
    pipeline.write_text(pipeline.read_text().replace("Due diligence", "Diligence (old)"))
    mapping_path = folder / "mapping.toml"
    with client_for(workspace) as client:
        prepared = prepare_affinity(client, Mapping.load(mapping_path), folder, None, tmp_path / "one")
        rows = prepared.result.table.frame.filter(pl.col("action_id") == "affinity:pipeline:389").to_dicts()
        assert rows[0]["decision"] == "pending"
        assert "'Diligence (old)' is not a status of it" in rows[0]["reason"]
        assert "create_options = true" in rows[0]["reason"]
        assert "stage" not in (rows[0]["payload"] or "")
        prepared.plan()  # the dry run passes: the row waits, nothing is refused at apply
        text = mapping_path.read_text().replace(
            'note_parent = "each"', 'note_parent = "each"\ncreate_options = true'
        )
        mapping_path.write_text(text)
        made = prepare_affinity(client, Mapping.load(mapping_path), folder, None, tmp_path / "two")
    assert "add the choice “Diligence (old)” to Stage on Deal pipeline" in made.schema_changes
    row = made.result.table.frame.filter(pl.col("action_id") == "affinity:pipeline:389").to_dicts()[0]
    assert row["decision"] == "approve"

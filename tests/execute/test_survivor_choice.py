"""The reviewer's choice of the kept record and of values, through the sign-off workbook: chosen by name in
Excel, read back, made concrete by the plan (re-pointed merges, carry worked out again, the new loser's
fingerprint) and applied to the sandbox; and what a reviewer may not do, named by sheet, row and column."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import orjson
import polars as pl
import pytest

import cleanup
from cleanup.actions import ActionTable, ActionTableError, TamperedError
from cleanup.actions.fingerprint import fingerprint
from cleanup.actions.layout import column_letter
from cleanup.execute import Plan
from cleanup.execute.plan import PlanError
from cleanup.export.snapshot import Snapshot
from cleanup.report import write_report
from cleanup.testing import RunningSandbox, sandbox_server, snapshot_of
from tests.conftest import client_for, unlimited

SHEET = "duplicate_people"


def _people(folder: Path) -> Iterator[tuple[RunningSandbox, Snapshot, ActionTable]]:
    with sandbox_server("demo", scale=0.1, config=unlimited()) as sb:
        snapshot = snapshot_of(sb, folder / "snap")
        yield sb, snapshot, cleanup.detect(snapshot, "duplicate_people")


@pytest.fixture(scope="module")
def people(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[RunningSandbox, Snapshot, ActionTable]]:
    """A small demo workspace, its snapshot and its duplicate people, for tests that write nothing."""
    yield from _people(tmp_path_factory.mktemp("choice"))


@pytest.fixture
def fresh_people(tmp_path: Path) -> Iterator[tuple[RunningSandbox, Snapshot, ActionTable]]:
    """The same, fresh for a test that applies."""
    yield from _people(tmp_path)


def _pair(snapshot: Snapshot, table: ActionTable) -> dict[str, Any]:
    """A merge whose two people have different job titles, and whose survivor has an email the loser lacks."""
    people = snapshot.records("people").select("_id", "job_title", "email_addresses").collect()
    rows = (
        table.frame.filter(pl.col("action") == "merge_records")
        .join(people.rename(lambda c: f"loser_{c}"), left_on="target_id", right_on="loser__id")
        .join(people.rename(lambda c: f"kept_{c}"), left_on="survivor_id", right_on="kept__id")
        .filter(
            pl.col("loser_job_title").is_not_null()
            & pl.col("kept_job_title").is_not_null()
            & (pl.col("loser_job_title") != pl.col("kept_job_title"))
            & (pl.col("kept_email_addresses").list.len() > 0)
        )
        .sort("action_id")
    )
    assert rows.height, "the demo seed should have duplicate people with different job titles"
    return rows.row(0, named=True)


def _workbook(snapshot: Snapshot, table: ActionTable, folder: Path) -> tuple[Path, Any, dict[str, int]]:
    path = write_report(table, snapshot, folder / "review.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book[SHEET]
    header = {cell.value: i + 1 for i, cell in enumerate(sheet[1])}
    return path, book, header


def _row_of(sheet: Any, header: dict[str, int], action_id: str) -> int:
    column = header["action_id"]
    return next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, column).value == action_id)


@pytest.mark.parametrize("endpoint", ["native", "by hand"])
def test_a_reviewer_keeps_the_other_record_and_takes_a_value(
    fresh_people: tuple[RunningSandbox, Snapshot, ActionTable], tmp_path: Path, endpoint: str
) -> None:
    sb, snapshot, table = fresh_people
    pair = _pair(snapshot, table)
    loser, kept = pair["target_id"], pair["survivor_id"]
    path, book, header = _workbook(snapshot, table, tmp_path)
    sheet = book[SHEET]
    row = _row_of(sheet, header, pair["action_id"])
    shown = sheet.cell(row, header["record"]).value
    assert shown not in (loser, kept)  # named, not an id
    # in Excel: approve, keep the record the recipe would merge away, take the job title from the other
    sheet.cell(row, header["decision"], "approve")
    sheet.cell(row, header["keep"], shown)
    sheet.cell(row, header["take from the merged record"], "job title")
    book.save(path)

    reviewed = ActionTable.read(path)
    chosen = reviewed.frame.filter(pl.col("action_id") == pair["action_id"]).row(0, named=True)
    assert chosen["keep"] == loser  # the name in the cell is read back as the record
    plan = Plan(reviewed, snapshot)
    planned = plan.rows.row(0, named=True)
    assert len(plan) == 1
    assert (planned["target_id"], planned["survivor_id"]) == (kept, loser)  # the swap
    raws = dict(snapshot.records("people").select("_id", "_raw").collect().rows())
    assert planned["fingerprint"] == fingerprint(raws[kept])  # the drift check guards the new loser
    payload = orjson.loads(planned["payload"])
    assert payload["take"] == {"job_title": pair["kept_job_title"]}
    kept_emails = [e for e in pair["kept_email_addresses"] if e not in (pair["loser_email_addresses"] or [])]
    assert payload["carry"]["email_addresses"] == kept_emails  # carry worked out for the new direction

    with client_for(sb) as client:
        report = plan.apply(client, merge="native" if endpoint == "native" else "fallback", progress=False)
    assert report.counts() == {"done": 1}, report.frame.to_dicts()
    assert report.frame["verified"].all()
    merged = report.frame["created_id"][0]
    if endpoint == "by hand":
        assert merged == loser  # the record the reviewer chose keeps its id
    with sb.http() as http:
        assert http.get(f"/v2/objects/people/records/{kept}").status_code == 404  # the proposed one went
        values = http.get(f"/v2/objects/people/records/{merged}").json()["data"]["values"]
    assert [v["value"] for v in values["job_title"]] == [pair["kept_job_title"]]  # taken from the other
    emails = {v["email_address"] for v in values["email_addresses"]}
    assert set(kept_emails) <= emails
    assert set(pair["loser_email_addresses"]) <= emails


def test_a_wrong_title_to_take_is_named_by_sheet_row_and_column(
    people: tuple[RunningSandbox, Snapshot, ActionTable], tmp_path: Path
) -> None:
    _, snapshot, table = people
    pair = _pair(snapshot, table)
    path, book, header = _workbook(snapshot, table, tmp_path)
    sheet = book[SHEET]
    row = _row_of(sheet, header, pair["action_id"])
    sheet.cell(row, header["decision"], "approve")
    sheet.cell(row, header["take from the merged record"], "Favourite colour, Email addresses")
    book.save(path)
    with pytest.raises(PlanError) as caught:
        Plan(ActionTable.read(path), snapshot)
    where = f"sheet '{SHEET}', row {row}, column {column_letter(header['take from the merged record'] - 1)}"
    message = str(caught.value)
    assert f"{where} (take from the merged record): people have no attribute “Favourite colour”" in message
    assert "Email addresses has several values" in message
    assert "from: Name, Description" in message  # the titles that can be taken


def test_edits_outside_the_reviewer_columns_are_refused_where_they_are(
    people: tuple[RunningSandbox, Snapshot, ActionTable], tmp_path: Path
) -> None:
    _, snapshot, table = people
    path, book, header = _workbook(snapshot, table, tmp_path)
    sheet = book[SHEET]
    # swapping the survivor in the technical column is not the way: it is a change like any other
    sheet.cell(5, header["survivor_id"], sheet.cell(5, header["target_id"]).value)
    book.save(path)
    with pytest.raises(TamperedError) as caught:
        ActionTable.read(path)
    letter = column_letter(header["survivor_id"] - 1)
    assert f"sheet '{SHEET}', row 5, column {letter} (survivor_id): changed" in str(caught.value)
    assert "only decision, decide the whole cluster, keep, take from the merged record and comment" in str(
        caught.value
    )
    # a record of another cluster cannot be kept
    path, book, header = _workbook(snapshot, table, tmp_path)
    sheet = book[SHEET]
    sheet.cell(2, header["keep"], sheet.cell(3, header["record"]).value)
    book.save(path)
    with pytest.raises(ActionTableError) as refused:
        ActionTable.read(path)
    assert f"sheet '{SHEET}', row 2, column {column_letter(header['keep'] - 1)} (keep)" in str(refused.value)


def test_keep_on_any_row_re_points_every_merge_of_a_cluster(
    people: tuple[RunningSandbox, Snapshot, ActionTable],
) -> None:
    _, snapshot, _ = people
    records = snapshot.records("people").select("_id", "_raw").sort("_id").head(3).collect()
    kept, first, second = records["_id"].to_list()
    raws = dict(records.rows())
    rows = pl.DataFrame(
        {
            "recipe": "repair",
            "action": "merge_records",
            "object": "people",
            "target_id": [first, second],
            "survivor_id": kept,
            "cluster_id": "trio",
            "payload": '{"carry":{}}',
            "reason": "the same person",
            "fingerprint": [fingerprint(raws[first]), fingerprint(raws[second])],
            "keep": [None, first],  # chosen on the other row of the cluster
        }
    )
    plan = Plan(ActionTable.build(rows).decide("approve"), snapshot)
    planned = {r["target_id"]: r for r in plan.rows.to_dicts()}
    assert set(planned) == {kept, second}  # the proposed survivor is now merged away, into `first`
    assert {r["survivor_id"] for r in planned.values()} == {first}
    assert planned[kept]["fingerprint"] == fingerprint(raws[kept])
    assert planned[second]["fingerprint"] == fingerprint(raws[second])

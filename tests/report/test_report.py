"""The sign-off reports as a person sees them: the HTML page opened in headless Chromium (no console
errors, the key numbers in the DOM, search and paging working, a screenshot), and the workbook read back
with openpyxl (summary and recipe sheets, drop-downs, filters) and by `plan` after a reviewer's edit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
from typer.testing import CliRunner

import cleanup
from cleanup.actions import ActionTable
from cleanup.cli import app
from cleanup.execute import Plan
from cleanup.export.snapshot import Snapshot
from cleanup.report import write_report
from cleanup.testing import RunningSandbox, snapshot_of
from tests.execute.conftest import note_and_entry_findings
from tests.report.browser import open_page


@pytest.fixture(scope="module")
def findings(
    demo_sandbox: RunningSandbox, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Snapshot, ActionTable]:
    folder = tmp_path_factory.mktemp("report")
    snapshot = snapshot_of(demo_sandbox, folder / "snap")
    table = ActionTable.concat(
        [
            note_and_entry_findings(demo_sandbox, snapshot, folder),
            cleanup.detect(snapshot, "duplicate_companies"),
            cleanup.detect(snapshot, "duplicate_people"),
        ]
    ).decide("approve", where=pl.col("confidence") >= 0.95)
    return snapshot, table


def test_the_html_report_stays_small_at_fifty_thousand_rows(
    findings: tuple[Snapshot, ActionTable], browser: Any, tmp_path: Path
) -> None:
    snapshot, table = findings
    notes = table.frame.filter(pl.col("action") == "delete_note")
    big = pl.concat(
        [notes.with_columns(pl.col("action_id") + f"-{i}") for i in range(50_000 // notes.height + 1)]
    )
    path = write_report(ActionTable(big.head(50_000)), snapshot, tmp_path / "big.html")
    page, errors = open_page(browser, path)
    assert page.text_content("#total-actions") == "50,000"
    assert page.locator(".card").count() <= 20  # paged: the DOM holds one page of cards, not 50,000
    assert page.locator("tr").count() < 400
    assert errors == []


def test_the_signoff_workbook_is_read_back_by_plan(
    findings: tuple[Snapshot, ActionTable], tmp_path: Path
) -> None:
    snapshot, table = findings
    path = write_report(table, snapshot, tmp_path / "report.xlsx")
    book = openpyxl.load_workbook(path)
    recipes = sorted(set(table.frame["recipe"]))
    recipe_sheets = table.frame["recipe"].unique(maintain_order=True).to_list()
    assert book.sheetnames == ["How to review", "summary", *recipe_sheets, "choices"]
    sheet = book["duplicate_people"]
    assert sheet.freeze_panes == "F2"  # frozen at the decision: the names stay in view
    assert sheet.auto_filter.ref
    validations = [v for v in sheet.data_validations.dataValidation if v.type == "list"]
    assert any("approve" in (v.formula1 or "") for v in validations)
    assert sheet.conditional_formatting  # confidence coloured
    assert book["summary"]["A1"].value == "recipe"
    # a reviewer rejects a cluster in Excel: plan reads the workbook back, checks it and honours it
    header = [c.value for c in sheet[1]]
    decision = header.index("decision") + 1
    sheet.cell(row=2, column=decision, value="reject")
    book.save(path)
    reviewed = ActionTable.read(path)
    assert len(reviewed) == len(table)
    assert sorted(set(reviewed.frame["recipe"])) == recipes
    assert len(Plan(reviewed, snapshot)) == len(table.approved()) - 1


def test_cli_report_writes_both_forms(findings: tuple[Snapshot, ActionTable], tmp_path: Path) -> None:
    snapshot, table = findings
    actions = table.write(tmp_path / "actions.parquet")
    runner = CliRunner()
    for name in ("report.html", "report.xlsx"):
        result = runner.invoke(
            app, ["report", str(actions), "--snapshot", str(snapshot.path), "--out", str(tmp_path / name)]
        )
        assert result.exit_code == 0, result.output
        assert (tmp_path / name).stat().st_size > 1000
    bad = runner.invoke(
        app, ["report", str(actions), "--snapshot", str(snapshot.path), "--out", str(tmp_path / "r.pdf")]
    )
    assert bad.exit_code == 1
    assert "a report is .html or .xlsx" in bad.output


def test_record_values_name_the_referenced_record(findings: tuple[Snapshot, ActionTable]) -> None:
    from cleanup.report.data import record_values

    snapshot, _ = findings
    people = (
        snapshot.records("people").filter(pl.col("company").is_not_null()).select("_id").head(5).collect()
    )
    shown = record_values(snapshot, "people", people["_id"].to_list())
    companies = set(snapshot.records("companies").select("name").collect()["name"].to_list())
    assert len(shown) == 5
    assert all(values["company"] in companies for values in shown.values())

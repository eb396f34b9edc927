"""The sign-off reports as a person sees them: the HTML page opened in headless Chromium (no console
errors, the key numbers in the DOM, search and paging working, a screenshot), and the workbook read back
with openpyxl (summary and recipe sheets, drop-downs, filters) and by `plan` after a reviewer's edit."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
from playwright.sync_api import Page, sync_playwright
from typer.testing import CliRunner

import cleanup
from cleanup.actions import ActionTable
from cleanup.cli import app
from cleanup.execute import Plan
from cleanup.export.snapshot import Snapshot
from cleanup.report import write_report
from cleanup.testing import RunningSandbox, snapshot_of
from tests.execute.conftest import note_and_entry_findings

SCREENSHOTS = Path(__file__).resolve().parents[2] / ".artifacts"  # git-ignored: the last report screenshot


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


def _chromium() -> str:
    """Debian's Chromium, installed from Debian's packages when missing (the tests start what they need)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    for command in (
        [*sudo, "apt-get", "update", "-qq"],
        [*sudo, "apt-get", "install", "-y", "-qq", "chromium"],
    ):
        subprocess.run(command, capture_output=True, check=False, timeout=900)
    found = shutil.which("chromium")
    if not found:
        pytest.fail(
            "the report test needs Debian's chromium: `apt-get install chromium` (as root) and run again"
        )
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium = _chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield launched
        launched.close()


def _open(browser: Any, path: Path) -> tuple[Page, list[str]]:
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "request",
        lambda request: (
            errors.append(f"network: {request.url}") if not request.url.startswith("file:") else None
        ),
    )
    page.goto(path.as_uri())
    return page, errors


def test_the_html_report_opens_without_errors_and_shows_the_numbers(
    findings: tuple[Snapshot, ActionTable], browser: Any, tmp_path: Path
) -> None:
    snapshot, table = findings
    path = write_report(table, snapshot, tmp_path / "report.html")
    page, errors = _open(browser, path)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / "report.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000
    assert errors == []  # no console errors, no request off the file: self-contained
    summary = table.summary()
    assert page.inner_text("#total-actions") == f"{len(table):,}"
    assert page.inner_text("#total-approved") == f"{len(table.approved()):,}"
    pending = int(summary.filter(pl.col("decision") == "pending")["rows"].sum())
    assert page.inner_text("#total-pending") == f"{pending:,}"
    assert page.locator("svg.chart").count() >= 4  # actions, confidence, the note waves by date and token
    # duplicate clusters side by side, the survivor marked, differing values highlighted
    people = page.locator('[data-recipe="duplicate_people"]')
    assert people.locator(".cluster").count() == 25  # one page
    assert people.locator(".badge.survivor").count() == 25
    assert people.locator("td.diff").count() > 0
    # search and paging, in the page
    notes = page.locator('[data-recipe="duplicate_notes"]')
    total = table.frame.filter(pl.col("recipe") == "duplicate_notes").height
    assert f"page 1 of {-(-total // 25)}" in notes.locator(".page").inner_text()
    notes.locator(".next").click()
    assert "page 2 of" in notes.locator(".page").inner_text()
    first = table.frame.filter(pl.col("recipe") == "duplicate_notes")["target_id"][0]
    notes.locator("input").fill(first)
    assert notes.locator(".page").inner_text().endswith("· 1 rows")
    notes.locator("select").select_option("reject")
    assert notes.locator(".page").inner_text().endswith("· 0 rows")
    assert errors == []


def test_the_html_report_stays_small_at_fifty_thousand_rows(
    findings: tuple[Snapshot, ActionTable], browser: Any, tmp_path: Path
) -> None:
    snapshot, table = findings
    notes = table.frame.filter(pl.col("action") == "delete_note")
    big = pl.concat(
        [notes.with_columns(pl.col("action_id") + f"-{i}") for i in range(50_000 // notes.height + 1)]
    )
    path = write_report(ActionTable(big.head(50_000)), snapshot, tmp_path / "big.html")
    page, errors = _open(browser, path)
    assert page.inner_text("#total-actions") == "50,000"
    assert page.locator("tr").count() < 200  # paged: the DOM holds one page of rows, not 50,000
    assert errors == []


def test_the_signoff_workbook_is_read_back_by_plan(
    findings: tuple[Snapshot, ActionTable], tmp_path: Path
) -> None:
    snapshot, table = findings
    path = write_report(table, snapshot, tmp_path / "report.xlsx")
    book = openpyxl.load_workbook(path)
    recipes = sorted(set(table.frame["recipe"]))
    assert book.sheetnames == ["summary", *table.frame["recipe"].unique(maintain_order=True).to_list()]
    sheet = book["duplicate_people"]
    assert sheet.freeze_panes == "A2"
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


def test_a_run_report_renders_with_its_results_and_the_restore_command(
    findings: tuple[Snapshot, ActionTable], browser: Any, tmp_path: Path
) -> None:
    from cleanup.execute.report import REPORT_SCHEMA, RunReport

    snapshot, table = findings
    rows = table.approved().head(3)
    frame = pl.DataFrame(
        {
            "action_id": rows["action_id"],
            "action": rows["action"],
            "target_id": rows["target_id"],
            "status": ["done", "done", "skipped"],
            "detail": [None, None, "changed since the snapshot (drift)"],
            "created_id": [None, None, None],
            "verified": [True, True, False],
        },
        schema=REPORT_SCHEMA,
    )
    run = RunReport("20261124T080000Z-abcdef", tmp_path / "backups" / "20261124T080000Z-abcdef", frame)
    path = write_report(table, snapshot, tmp_path / "after.html", run=run)
    page, errors = _open(browser, path)
    assert page.inner_text("#run-done") == "2"
    assert page.inner_text("#run-skipped") == "1"
    assert "attio-cleanup restore 20261124T080000Z-abcdef --yes" in page.inner_text("#run")
    assert "drift" in page.inner_text("#run-problems")
    assert errors == []


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

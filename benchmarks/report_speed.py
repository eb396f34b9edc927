"""How fast a big sign-off report is written and opens: 50,000 actions by default.

    uv run python benchmarks/report_speed.py [--rows 50000] [--scale 1.0]

The demo workspace is seeded and exported, every recipe runs, and the duplicate-note rows are repeated
(with new action ids) to ``--rows``. Printed per size: seconds to write the HTML, its size, and in headless
Chromium (Debian's ``chromium``) the time to first render (load to the first page of cards) and to turn a
page of duplicate notes.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright

import cleanup
from cleanup.actions import ActionTable
from cleanup.report import write_report
from cleanup.testing import sandbox_server, snapshot_of


def _table(sb: cleanup.testing.RunningSandbox, folder: Path) -> tuple[cleanup.Snapshot, ActionTable]:
    snapshot = snapshot_of(sb, folder / "snap")
    truth = sb.ground_truth
    assert truth is not None
    source = folder / "source.parquet"
    pl.DataFrame(truth.notes_source).write_parquet(source)
    notes = cleanup.detect(
        snapshot,
        "duplicate_notes",
        reimport_token=sb.token_ids["affinity-reimport"],
        original_token=sb.token_ids["affinity-import"],
        source=str(source),
    )
    rest = [
        cleanup.detect(snapshot, r)
        for r in ("duplicate_companies", "duplicate_people", "orphan_entries", "duplicate_entries")
    ]
    return snapshot, ActionTable.concat([notes, *rest])


def _grow(table: ActionTable, rows: int) -> ActionTable:
    frame = table.frame
    notes = frame.filter(pl.col("action") == "delete_note")
    need = max(0, rows - frame.height)
    copies = [notes.with_columns(pl.col("action_id") + f"-{i}") for i in range(need // notes.height + 1)]
    return ActionTable(pl.concat([frame, *copies]).head(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", default="5000,50000")
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with tempfile.TemporaryDirectory() as tmp, sandbox_server("demo", scale=args.scale) as sb:
        folder = Path(tmp)
        snapshot, table = _table(sb, folder)
        print("| actions | write s | file MB | first render s | next page s |")
        print("|---:|---:|---:|---:|---:|")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            for rows in (int(r) for r in args.rows.split(",")):
                big = _grow(table, rows)
                started = time.perf_counter()
                path = write_report(big, snapshot, folder / f"report-{rows}.html")
                written = time.perf_counter() - started
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                started = time.perf_counter()
                page.goto(path.as_uri())
                page.wait_for_selector("#r-duplicate_notes .card")
                rendered = time.perf_counter() - started
                notes = page.locator("#r-duplicate_notes")
                notes.locator("select.decision").select_option("")
                started = time.perf_counter()
                notes.locator(".next").click()
                page.wait_for_function(
                    "document.querySelector('#r-duplicate_notes .page').textContent.startsWith('page 2')"
                )
                turned = time.perf_counter() - started
                page.close()
                size = path.stat().st_size / 1e6
                print(
                    f"| {big.frame.height:,} | {written:.2f} | {size:.1f} | {rendered:.2f} | {turned:.3f} |"
                )
            browser.close()


if __name__ == "__main__":
    main()

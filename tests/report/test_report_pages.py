"""The pre-run and after-run reports of the demo, read as a fund's operations lead reads them: in headless
Chromium at 1280×800 and 1920×1080, checked in the DOM (plain words above the fold, names not ids, search
by a record's name, charts inside their panels, the closer-look list, the run's statuses and time), with a
screenshot of each section under ``.artifacts/``."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page
from rich.console import Console

from cleanup.demo import run_demo
from tests.report.browser import SCREENSHOTS, open_page

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
WHEN = re.compile(r"\d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2} UTC")
VIEWPORTS = [(1280, 800), (1920, 1080)]
SECTIONS = ("summary", "charts", "closer", "findings")


@pytest.fixture(scope="module")
def demo_reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo, run once at a small scale: its report, the run, a restore and the after-run report."""
    out = tmp_path_factory.mktemp("demo")
    run_demo(Console(file=io.StringIO(), width=120), out, scale=0.1)
    return out


def _data(page: Page) -> Any:
    return page.evaluate("JSON.parse(document.getElementById('report-data').textContent)")


def _shoot(page: Page, name: str, selector: str | None = None) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if selector:
        page.evaluate(f"document.querySelector({selector!r}).scrollIntoView()")
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    assert path.stat().st_size > 5_000


def _no_overflow(page: Page) -> list[str]:
    """Charts and panels wider than their box, and a page that scrolls sideways."""
    return page.evaluate(
        """() => {
      const bad = [];
      if (document.documentElement.scrollWidth > window.innerWidth) bad.push('page scrolls sideways');
      document.querySelectorAll('.panel').forEach((panel, i) => {
        const box = panel.getBoundingClientRect();
        if (panel.scrollWidth > panel.clientWidth + 1) bad.push('panel ' + i + ' overflows');
        panel.querySelectorAll('.chart, .bar-n, .bar-label, .col').forEach(el => {
          const r = el.getBoundingClientRect();
          if (r.right > box.right + 1 || r.left < box.left - 1) bad.push('chart part outside panel ' + i + ': ' + el.className + ' ' + el.textContent.slice(0, 20));
          if (el.classList.contains('bar-n') && el.scrollWidth > el.clientWidth + 1) bad.push('count clipped: ' + el.textContent);
        });
      });
      return bad;
    }"""
    )


@pytest.mark.parametrize(("width", "height"), VIEWPORTS)
def test_the_sign_off_report_reads_in_plain_words(
    demo_reports: Path, browser: Any, width: int, height: int
) -> None:
    page, errors = open_page(browser, demo_reports / "report.html", width, height)
    _shoot(page, f"report-{width}-1-first-screen")
    will = page.locator("#will")
    box = will.bounding_box()
    assert box is not None
    assert box["y"] < height
    text = will.inner_text()
    assert "Delete" in text
    assert "copies" in text
    assert "original stays" in text
    assert "_" not in text
    assert not UUID.search(text)
    assert WHEN.fullmatch(page.inner_text("#data-as-of"))
    assert page.inner_text("#approved-time")
    assert "cannot undo" in page.inner_text("#safety")
    assert _no_overflow(page) == []
    for name, selector in (("2-charts", "#charts"), ("3-closer-look", "#closer")):
        _shoot(page, f"report-{width}-{name}", selector)
    for recipe in _data(page)["recipes"]:
        _shoot(page, f"report-{width}-4-{recipe}", f"#r-{recipe}")
    assert errors == []


def test_every_row_is_named_not_numbered(demo_reports: Path, browser: Any) -> None:
    page, errors = open_page(browser, demo_reports / "report.html", 1280, 800)
    data = _data(page)
    for recipe, section in data["recipes"].items():
        for unit in section["units"]:
            assert unit["label"], recipe
            assert not UUID.search(unit["label"]), (recipe, unit["label"])
            for item in unit.get("items", []):  # notes: a title, an author by name, a date in words
                assert item["title"]
                assert not UUID.search(item["cby"] or "")
                assert WHEN.fullmatch(item["cdate"])
            for other in unit.get("others", []):
                assert not UUID.search(other["name"])
        box = page.locator(f"#r-{recipe}")
        box.locator("select.decision").select_option("")
        headings = box.locator(".card h4").all_inner_texts()
        assert headings, recipe
        assert not any(UUID.search(h) for h in headings)
        assert not UUID.search(box.locator(".body").inner_text())  # ids only on hover
    notes = page.locator("#r-duplicate_notes .body").inner_text()
    assert "Affinity re-import" in notes
    assert "API token …" not in notes
    assert errors == []


def test_searching_a_record_name_finds_its_notes(demo_reports: Path, browser: Any) -> None:
    page, errors = open_page(browser, demo_reports / "report.html", 1280, 800)
    units = _data(page)["recipes"]["duplicate_notes"]["units"]
    name = next(u["label"] for u in units[len(units) // 2 :] if len(u["label"]) > 6)
    box = page.locator("#r-duplicate_notes")
    box.locator("select.decision").select_option("")
    box.locator("input.q").fill(name)
    headings = box.locator(".card h4").all_inner_texts()
    assert headings
    assert all(name in h for h in headings)
    assert box.locator(".card tr").count() >= 2  # the note rows of that record
    assert errors == []


def test_the_closer_look_lists_the_least_sure_first(demo_reports: Path, browser: Any) -> None:
    page, errors = open_page(browser, demo_reports / "report.html", 1280, 800)
    data = _data(page)
    unsure = {u["k"] for s in data["recipes"].values() for u in s["units"] if (u["conf"] or 1) < 0.95}
    assert unsure
    listed = page.locator("#closer li").evaluate_all("items => items.map(i => i.dataset.key)")
    assert unsure <= set(listed)
    confidences = [
        next(u["conf"] for s in data["recipes"].values() for u in s["units"] if u["k"] == key)
        for key in listed
    ]
    flagged = [c for c in confidences if c is not None]
    assert flagged[0] == min(flagged)  # the least sure first
    page.locator("#closer a.show").first.click()
    focus = page.locator(".card.focus")
    assert focus.count() == 1
    assert focus.is_visible()
    assert errors == []


@pytest.mark.parametrize(("width", "height"), VIEWPORTS)
def test_the_after_run_report_reports_the_run(
    demo_reports: Path, browser: Any, width: int, height: int
) -> None:
    (run_id,) = [  # the demo's run (its restore is a run of its own)
        p.name for p in (demo_reports / "backups").iterdir() if p.is_dir() and "-restore-" not in p.name
    ]
    page, errors = open_page(browser, demo_reports / "report-after-run.html", width, height)
    _shoot(page, f"after-run-{width}-1-first-screen")
    headline = page.inner_text("#run-headline")
    assert re.match(rf"Done on {WHEN.pattern} in \d+", headline), headline
    box = page.locator("#run-headline").bounding_box()
    assert box is not None
    assert box["y"] < height
    assert "Checked in Attio afterwards" in page.inner_text("#run-checked")
    assert page.inner_text("#undo-command") == f"attio-cleanup restore {run_id} --yes"
    assert "1 item put back" in page.inner_text("#run-restores")
    assert "waiting for your decision" in page.inner_text("#run-waiting")
    notes = page.locator("#r-duplicate_notes")
    notes.locator("select.decision").select_option("approve")
    assert notes.locator(".badge.st-done").count() > 0  # per-row status on the cards
    assert "checked in Attio" in notes.locator(".badge.st-done").first.inner_text()
    people = page.locator("#r-duplicate_people")
    assert "not in the run" in people.inner_text()  # pending rows say so
    assert _no_overflow(page) == []
    _shoot(page, f"after-run-{width}-2-waiting-and-undo", "#run-waiting")
    assert errors == []

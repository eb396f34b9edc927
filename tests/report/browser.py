"""Headless Chromium for the report tests: Debian's chromium (installed when missing) under Playwright."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

SCREENSHOTS = Path(__file__).resolve().parents[2] / ".artifacts"  # git-ignored: the reports as they look


def chromium() -> str:
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


def open_page(browser: Any, path: Path, width: int = 1400, height: int = 1800) -> tuple[Page, list[str]]:
    """The page at ``path`` and the list its console errors and any request off the file land in."""
    page = browser.new_page(viewport={"width": width, "height": height})
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

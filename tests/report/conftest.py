from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import sync_playwright

from tests.report.browser import chromium


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """One headless Chromium for the report tests. Package-scoped, not session-scoped: Playwright's sync API
    keeps an event loop running in the main thread while it is open, and tests after these call
    ``asyncio.run``."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        yield launched
        launched.close()

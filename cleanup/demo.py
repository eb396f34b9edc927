"""``attio-cleanup demo``: the whole story on the built-in sandbox.

So far it seeds the demo workspace, serves it on loopback and reads back over the API what it holds,
including the planted defects the recipes will look for.
"""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime

import httpx
from rich.console import Console
from rich.table import Table

from .testing import sandbox_server


def _get_page(client: httpx.Client, path: str, limit: int, offset: int, *, body: bool) -> list[object]:
    """One page, waiting out a 429 until the moment its ``Retry-After`` date names."""
    while True:
        if body:
            response = client.post(path, json={"limit": limit, "offset": offset})
        else:
            response = client.get(path, params={"limit": limit, "offset": offset})
        if response.status_code != 429:
            data: list[object] = response.raise_for_status().json()["data"]
            return data
        retry_at = parsedate_to_datetime(response.headers["Retry-After"]).timestamp()
        time.sleep(max(0.0, retry_at - time.time()))


def _count(client: httpx.Client, path: str, page_size: int, *, body: bool) -> int:
    total, offset = 0, 0
    while True:
        page = _get_page(client, path, page_size, offset, body=body)
        total += len(page)
        if len(page) < page_size:
            return total
        offset += page_size


def run_demo(console: Console) -> None:
    """Seed the demo sandbox and print, from the API's answers, what the workspace holds."""
    started = time.perf_counter()
    with console.status("Seeding the demo workspace..."), sandbox_server("demo") as sb:
        seeded = time.perf_counter() - started
        with sb.http() as client:
            me = client.get("/v2/self").json()
            table = Table(title=f"{me['workspace_name']} (sandbox at {sb.base_url}, seeded in {seeded:.1f}s)")
            table.add_column("what")
            table.add_column("count (read over the API)", justify="right")
            for obj in client.get("/v2/objects").json()["data"]:
                slug = obj["api_slug"]
                table.add_row(
                    f"records: {slug}",
                    f"{_count(client, f'/v2/objects/{slug}/records/query', 500, body=True):,}",
                )
            for li in client.get("/v2/lists").json()["data"]:
                path = f"/v2/lists/{li['api_slug']}/entries/query"
                table.add_row(f"entries: {li['api_slug']}", f"{_count(client, path, 500, body=True):,}")
            table.add_row("notes", f"{_count(client, '/v2/notes', 50, body=False):,}")
            table.add_row("tasks", f"{_count(client, '/v2/tasks', 500, body=False):,}")
            table.add_row("workspace members", str(len(client.get("/v2/workspace_members").json()["data"])))
        console.print(table)
        truth = sb.ground_truth
        assert truth is not None
        planted = Table(title="Planted defects (ground truth the recipes are measured against)")
        planted.add_column("defect")
        planted.add_column("count", justify="right")
        planted.add_row("re-imported duplicate notes", str(len(truth.duplicate_notes)))
        planted.add_row("re-imported notes whose original is gone", str(len(truth.reimport_only_notes)))
        planted.add_row("duplicate company clusters", str(len(truth.duplicate_companies)))
        planted.add_row("duplicate person clusters", str(len(truth.duplicate_people)))
        planted.add_row("orphan list entries", str(len(truth.orphan_entries)))
        planted.add_row("companies entered twice in the pipeline", str(len(truth.duplicate_entries)))
        console.print(planted)
    console.print(f"Done in {time.perf_counter() - started:.1f}s.")

"""How fast the sandbox serves pages, on one core: records/query pages of 500, entries, notes pages of 50.

    uv run python benchmarks/sandbox_serve.py [--seconds 5] [--concurrency 4]

The server runs in its own process pinned to core 0 with rate limits off. The load comes from the other
core through the standard library's ``http.client`` (keep-alive connections, one per thread), whose C-level
body reads keep the client from being the bottleneck.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._sandbox_process import sandbox_process

# (label, method, path, page size, counts key, a key that appears exactly once per item)
CASES = [
    (
        "records/query companies",
        "POST",
        "/v2/objects/companies/records/query",
        500,
        "records:companies",
        b'"web_url"',
    ),
    ("records/query people", "POST", "/v2/objects/people/records/query", 500, "records:people", b'"web_url"'),
    (
        "entries/query pipeline",
        "POST",
        "/v2/lists/pipeline/entries/query",
        500,
        "entries:pipeline",
        b'"entry_values"',
    ),
    ("GET /v2/notes", "GET", "/v2/notes", 50, "notes", b'"content_markdown"'),
]


def load(
    base_url: str,
    token: str,
    method: str,
    path: str,
    page: int,
    marker: bytes,
    total: int,
    seconds: float,
    threads: int,
) -> tuple[int, int, int]:
    """Fetch full pages, cycling over the first ``total`` items, for ``seconds``; returns (pages, items, bytes)."""
    url = urlparse(base_url)
    full_pages = max(1, total // page)
    counts = [0, 0, 0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker(start: int) -> None:
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        index = start
        while time.perf_counter() < stop:
            offset = (index % full_pages) * page
            if method == "POST":
                conn.request(
                    "POST", path, body=json.dumps({"limit": page, "offset": offset}), headers=headers
                )
            else:
                conn.request("GET", f"{path}?limit={page}&offset={offset}", headers=headers)
            response = conn.getresponse()
            body = response.read()
            if response.status != 200:
                raise RuntimeError(f"{method} {path} answered {response.status}: {body[:200]!r}")
            items = body.count(marker)  # parsing 2 MB pages here would measure the client, not the server
            with lock:
                counts[0] += 1
                counts[1] += items
                counts[2] += len(body)
            index += threads
        conn.close()

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return counts[0], counts[1], counts[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {1})
    rows = []
    with (
        tempfile.TemporaryDirectory() as folder,
        sandbox_process(Path(folder) / "bench.db", "--read-rps", "0") as (base_url, tokens),
    ):
        counts = httpx.get(
            f"{base_url}/_sandbox/counts", headers={"Authorization": f"Bearer {tokens['primary']}"}
        ).json()
        for label, method, path, page, key, marker in CASES:
            token = tokens["primary"]
            load(
                base_url, token, method, path, page, marker, counts[key], 1.0, args.concurrency
            )  # warm the caches
            pages, items, size = load(
                base_url, token, method, path, page, marker, counts[key], args.seconds, args.concurrency
            )
            rows.append((label, page, pages / args.seconds, items / args.seconds, size / args.seconds / 1e6))
    print(
        f"sandbox on one core (demo seed), {args.concurrency} keep-alive clients on the other, {args.seconds:.0f}s per case\n"
    )
    print("| endpoint | page size | pages/s | items/s | MB/s |")
    print("|---|---:|---:|---:|---:|")
    for label, page, pps, ips, mbs in rows:
        print(f"| {label} | {page} | {pps:,.0f} | {ips:,.0f} | {mbs:,.1f} |")


if __name__ == "__main__":
    main()

"""Export throughput against the rate limits: the sandbox adds 150 ms to every request and enforces
Attio's default limits (100 reads/s); the exporter should reach at least 0.9 of the bound.

    uv run python benchmarks/export_throughput.py [--large] [--latency-ms 150]

Prints, for records, entries and notes: items, requests (and how many of them asked past a part's last
page), seconds, requests/s, the ratio to the bound (100 requests/s) and the client's CPU per request; then
the same export done one page at a time, as a naive client would (demo seed only).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._sandbox_process import sandbox_process
from cleanup.client import AttioClient
from cleanup.export import export

READ_RPS = 100
KINDS = {
    "records": {"lists": [], "notes": False},
    "entries": {"objects": [], "notes": False},
    "notes": {"objects": [], "lists": []},
}


DATA_PATHS = ("/records/query", "/entries/query", "/v2/notes")


PAGE_SIZES = {"records": 500, "entries": 500, "notes": 50}


def run_kind(
    base_url: str, token: str, folder: Path, kind: str, concurrency: int
) -> tuple[int, int, float, int, float]:
    """Export one kind; returns (items, data requests, seconds from the first data request to the end,
    requests needed (one per full page plus each part's closing short page), client CPU seconds).

    The schema requests every export starts with (objects, attributes, options) are not counted.
    """
    sent: list[float] = []

    async def on_request(request: httpx.Request) -> None:
        if request.url.path.endswith(DATA_PATHS):
            sent.append(time.perf_counter())

    options = {"tasks": False, "members": False, "progress": False, "concurrency": concurrency, **KINDS[kind]}
    before = resource.getrusage(resource.RUSAGE_SELF)
    with AttioClient(token, base_url, event_hooks={"request": [on_request]}) as client:
        snapshot = export(client, folder / kind, **options)
        finished = time.perf_counter()
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    counts = snapshot.counts()
    needed = sum(rows // PAGE_SIZES[kind] + 1 for rows in counts.values())
    return sum(counts.values()), len(sent), finished - sent[0], needed, cpu


def naive(base_url: str, token: str, kind: str) -> tuple[int, int, float, int, float]:
    """The same data fetched one page at a time, waiting for each answer (never past the end; CPU not
    measured)."""
    headers = {"Authorization": f"Bearer {token}"}
    items = requests = 0
    started = time.perf_counter()
    with httpx.Client(base_url=base_url, headers=headers, timeout=60) as http:
        if kind == "notes":
            targets = [("GET", "/v2/notes", 50)]
        elif kind == "records":
            targets = [
                ("POST", f"/v2/objects/{o['api_slug']}/records/query", 500)
                for o in http.get("/v2/objects").json()["data"]
            ]
        else:
            targets = [
                ("POST", f"/v2/lists/{li['api_slug']}/entries/query", 500)
                for li in http.get("/v2/lists").json()["data"]
            ]
        for method, path, size in targets:
            offset = 0
            while True:
                if method == "GET":
                    response = http.get(path, params={"limit": size, "offset": offset})
                else:
                    response = http.post(path, json={"limit": size, "offset": offset})
                requests += 1
                if response.status_code == 429:
                    time.sleep(1)
                    continue
                page = response.json()["data"]
                items += len(page)
                if len(page) < size:
                    break
                offset += size
    return items, requests, time.perf_counter() - started, requests, 0.0


def table(title: str, rows: list[tuple[str, int, int, float, int, float]]) -> None:
    print(f"\n{title}\n")
    print(
        "| kind | items | requests | of which past the end | seconds | requests/s | ratio to bound "
        "| client CPU ms/request |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for kind, items, requests, seconds, needed, cpu in rows:
        rps = requests / seconds
        cpu_ms = f"{1000 * cpu / requests:.1f}" if cpu else "-"
        print(
            f"| {kind} | {items:,} | {requests:,} | {requests - needed:,} | {seconds:.1f} | {rps:.1f} "
            f"| {rps / READ_RPS:.2f} | {cpu_ms} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--large", action="store_true", help="also the generated 200,000 records and 100,000 notes"
    )
    parser.add_argument("--latency-ms", type=float, default=150)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--no-naive", action="store_true")
    parser.add_argument(
        "--client-cores",
        default="",
        help="pin the exporting process to these cores, e.g. 1 (default: all; the sandbox is pinned to core 0)",
    )
    args = parser.parse_args()
    if args.client_cores and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {int(c) for c in args.client_cores.split(",")})
    seeds = [("demo seed", 1.0, None)]
    if args.large:
        seeds.append(("generated: 200,000 records, 100,000 notes", 9.62, 3.34))
    for label, scale, note_scale in seeds:
        with tempfile.TemporaryDirectory() as folder:
            db = Path(folder) / "bench.db"
            with sandbox_process(
                db, "--latency-ms", str(args.latency_ms), scale=scale, note_scale=note_scale
            ) as (base_url, tokens):
                rows = [
                    (kind, *run_kind(base_url, tokens["primary"], Path(folder), kind, args.concurrency))
                    for kind in KINDS
                ]
                table(
                    f"{label}, {args.latency_ms:.0f} ms latency, {READ_RPS} reads/s: concurrent export", rows
                )
                if not args.no_naive and scale == 1.0:
                    naive_rows = [(kind, *naive(base_url, tokens["primary"], kind)) for kind in KINDS]
                    table(f"{label}: one page at a time", naive_rows)


if __name__ == "__main__":
    main()

"""Export throughput against the rate limits: the sandbox adds 150 ms to every request and enforces
Attio's default limits (100 reads/s); the exporter should reach at least 0.9 of the bound.

    uv run python benchmarks/export_throughput.py [--large] [--latency-ms 150] [--no-score-limit]

Prints, for records, entries and notes: items, requests (and how many of them asked past a part's last
page), seconds, requests/s, the ratio to the bound (100 requests/s) and the client's CPU per request.

Then the client's CPU per page next to the CPU ``orjson.loads`` takes to parse the same pages (the floor any
client pays: the bodies are kept as they arrive and parsed again afterwards), and their ratio: against
``orjson.loads`` with the garbage collector paused (the strict floor) and as usually called. CPU is process
time (user + system, all threads of this process; the sandbox runs in its own), not wall time: the machine
may be busy. Each kind is exported ``--repeats`` times and the run with the least CPU is shown.

Then the records and entries again under a query score budget (``--score-budget`` per ``--score-window``
seconds, the sandbox's ``query_score_budget``), each from an empty window. A sliding-window budget is spent in
bursts: a window's worth at once, then nothing until the first of them leaves the window. So the bound is
time, not a rate: the least seconds the budget lets the run's queries (with the scores each answer's
``x-attio-record-query-score`` gave) be answered in, each sent the moment the window has room; the ratio is
that (plus the last answer's round trip) over the seconds the export took. A run that never met the budget
is at 1.

Then the same export done one page at a time, as a naive client would (demo seed only).
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import orjson

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
SCORED_KINDS = ("records", "entries")  # the query endpoints Attio scores
SCORE_HEADER = "x-attio-record-query-score"


DATA_PATHS = ("/records/query", "/entries/query", "/v2/notes")


PAGE_SIZES = {"records": 500, "entries": 500, "notes": 50}


@dataclass
class Run:
    """One kind exported: what it fetched, how long it took, and the client CPU it cost."""

    kind: str
    items: int
    requests: int
    seconds: float
    needed: int  # one request per full page plus each part's closing short page
    cpu: float  # client CPU seconds (0: not measured)
    bodies: list[bytes] = field(default_factory=list)  # the data pages received (answered 200)
    answered_at: list[float] = field(default_factory=list)  # when each was received (perf_counter)
    throttled_at: list[float] = field(default_factory=list)  # when a data request was answered 429
    scores: list[float] = field(default_factory=list)  # the query score of each page received


def _cpu_seconds() -> float:
    """CPU seconds this process (all its threads) has used, user and system."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_kind(base_url: str, token: str, folder: Path, kind: str, concurrency: int) -> Run:
    """Export one kind, keeping the data pages received; seconds run from the first data request to the end.

    The schema requests every export starts with (objects, attributes, options) are not counted.
    """
    sent: list[float] = []
    run = Run(kind, 0, 0, 0.0, 0, 0.0)

    async def on_request(request: httpx.Request) -> None:
        if request.url.path.endswith(DATA_PATHS):
            sent.append(time.perf_counter())

    async def on_response(response: httpx.Response) -> None:
        if not response.request.url.path.endswith(DATA_PATHS):
            return
        if response.status_code == 429:
            run.throttled_at.append(time.perf_counter())
        elif response.status_code == 200:
            run.bodies.append(await response.aread())  # read once; the client gets the same bytes
            run.answered_at.append(time.perf_counter())
            if SCORE_HEADER in response.headers:
                run.scores.append(float(response.headers[SCORE_HEADER]))

    hooks = {"request": [on_request], "response": [on_response]}
    options = {"tasks": False, "members": False, "progress": False, "concurrency": concurrency, **KINDS[kind]}
    before = _cpu_seconds()
    with AttioClient(token, base_url, event_hooks=hooks) as client:
        snapshot = export(client, folder, **options)
        finished = time.perf_counter()
    run.cpu = _cpu_seconds() - before
    counts = snapshot.counts()
    run.items = sum(counts.values())
    run.requests, run.seconds = len(sent), finished - sent[0]
    run.needed = sum(rows // PAGE_SIZES[kind] + 1 for rows in counts.values())
    return run


def least_cpu(base_url: str, token: str, folder: Path, kind: str, concurrency: int, repeats: int) -> Run:
    """The run with the least client CPU of ``repeats`` exports of ``kind``."""
    runs = [
        run_kind(base_url, token, folder / f"{kind}-{i}", kind, concurrency) for i in range(max(1, repeats))
    ]
    return min(runs, key=lambda run: run.cpu)


def orjson_cpu(bodies: list[bytes], *, collect: bool, repeats: int = 3) -> float:
    """CPU seconds ``orjson.loads`` takes over ``bodies`` (the best of ``repeats`` passes).

    ``collect=False`` pauses the garbage collector, whose passes over the objects made would otherwise
    count as parsing: the floor, as low as it goes (and the ratio to it as high). ``collect=True`` is
    ``orjson.loads`` as a client usually calls it."""
    best = float("inf")
    gc.collect()
    if not collect:
        gc.disable()
    try:
        for _ in range(repeats):
            started = time.process_time()
            for body in bodies:
                orjson.loads(body)
            best = min(best, time.process_time() - started)
    finally:
        gc.enable()
    return best


def naive(base_url: str, token: str, kind: str) -> Run:
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
    return Run(kind, items, requests, time.perf_counter() - started, requests, 0.0)


def table(title: str, runs: list[Run]) -> None:
    print(f"\n{title}\n")
    print(
        "| kind | items | requests | of which past the end | seconds | requests/s | ratio to bound "
        "| client CPU ms/request |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for run in runs:
        rps = run.requests / run.seconds
        cpu_ms = f"{1000 * run.cpu / run.requests:.1f}" if run.cpu else "-"
        print(
            f"| {run.kind} | {run.items:,} | {run.requests:,} | {run.requests - run.needed:,} "
            f"| {run.seconds:.1f} | {rps:.1f} | {rps / READ_RPS:.2f} | {cpu_ms} |"
        )


def cpu_table(title: str, runs: list[Run]) -> None:
    """Client CPU per page received next to ``orjson.loads`` of the same pages, and their ratio."""
    print(f"\n{title}\n")
    print(
        "| kind | pages | MB/page | client CPU ms/page | orjson.loads ms/page (GC paused) "
        "| ratio | orjson.loads ms/page (GC on) | ratio to that |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for run in runs:
        pages = len(run.bodies)
        floor, usual = orjson_cpu(run.bodies, collect=False), orjson_cpu(run.bodies, collect=True)
        megabytes = sum(map(len, run.bodies)) / pages / 1e6
        print(
            f"| {run.kind} | {pages:,} | {megabytes:.2f} | {1000 * run.cpu / pages:.1f} "
            f"| {1000 * floor / pages:.1f} | {run.cpu / floor:.2f} "
            f"| {1000 * usual / pages:.1f} | {run.cpu / usual:.2f} |"
        )


def least_seconds(scores: list[float], budget: float, window: float) -> float:
    """The least time a sliding-window budget lets these queries (their scores, in order) be answered in,
    starting from an empty window: each query goes as soon as the window has room for it (answers taken as
    instant), so the last one's time is the bound."""
    sent: list[tuple[float, float]] = []  # (when, score)
    now = 0.0
    for score in scores:
        while sum(s for t, s in sent if t > now - window) + score > budget + 1e-9:
            now = min(t for t, _ in sent if t > now - window) + window
        sent.append((now, score))
    return now


def score_table(title: str, runs: list[Run], budget: float, window: float, latency: float) -> None:
    """How long the export took under the score budget against the least time that budget allows (from an
    empty window, every query sent the moment there is room: ``least_seconds``), and the 429s met."""
    print(f"\n{title}\n")
    print(
        "| kind | queries answered | answered 429 | score/query | least seconds the budget allows "
        "| seconds | ratio to bound | client CPU ms/page |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for run in runs:
        answered = len(run.bodies)
        score = statistics.fmean(run.scores) if run.scores else 0.0
        least = least_seconds(run.scores, budget, window)
        ratio = min(1.0, (least + latency) / run.seconds) if least else 1.0  # + the last answer's round trip
        shown = f"{least:.1f}" if least else "0 (never met)"
        print(
            f"| {run.kind} | {answered:,} | {len(run.throttled_at):,} | {score:.2f} | {shown} "
            f"| {run.seconds:.1f} | {ratio:.2f} | {1000 * run.cpu / answered:.1f} |"
        )


def set_score_budget(base_url: str, token: str, budget: float | None, window: float) -> None:
    """Switch the sandbox's query score budget on (``budget`` per ``window`` seconds) or off (None)."""
    settings = {"query_score_budget": budget, "query_score_window_s": window}
    headers = {"Authorization": f"Bearer {token}"}
    httpx.patch(f"{base_url}/_sandbox/config", json=settings, headers=headers, timeout=60).raise_for_status()


def scored_runs(
    base_url: str, token: str, folder: Path, concurrency: int, budget: float, window: float
) -> list[Run]:
    """Records and entries exported under a query score budget, one run each, each after a window with no
    query (so that it starts with the whole budget, as the bound's first-429 count expects)."""
    set_score_budget(base_url, token, budget, window)
    runs = []
    try:
        for kind in SCORED_KINDS:
            time.sleep(window)
            runs.append(run_kind(base_url, token, folder / f"scored-{kind}", kind, concurrency))
    finally:
        set_score_budget(base_url, token, None, window)
    return runs


def warm_up(base_url: str, token: str, folder: Path) -> None:
    """One small export first, so that no kind's CPU includes what a process pays once (imports, first
    calls)."""
    with AttioClient(token, base_url) as client:
        export(client, folder / "warm-up", lists=[], notes=False, tasks=False, members=False, progress=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--large", action="store_true", help="also the generated 200,000 records and 100,000 notes"
    )
    parser.add_argument("--latency-ms", type=float, default=150)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3, help="exports of each kind; the least CPU is shown")
    parser.add_argument("--no-naive", action="store_true")
    parser.add_argument("--no-score-limit", action="store_true", help="skip the runs under a score budget")
    parser.add_argument("--score-budget", type=float, default=50.0, help="query score allowed per window")
    parser.add_argument(
        "--score-window", type=float, default=10.0, help="the score window, seconds (Attio: 10)"
    )
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
                token, out = tokens["primary"], Path(folder)
                warm_up(base_url, token, out)
                runs = [
                    least_cpu(base_url, token, out, kind, args.concurrency, args.repeats) for kind in KINDS
                ]
                table(
                    f"{label}, {args.latency_ms:.0f} ms latency, {READ_RPS} reads/s: concurrent export", runs
                )
                cpu_table(f"{label}: client CPU per page against orjson.loads of the same pages", runs)
                if not args.no_score_limit:
                    budget, window = args.score_budget, args.score_window
                    scored = scored_runs(base_url, token, out, args.concurrency, budget, window)
                    score_table(
                        f"{label}: under a query score budget of {budget:g} per {window:g} s",
                        scored,
                        budget,
                        window,
                        args.latency_ms / 1000,
                    )
                    cpu_table(f"{label}, score budget: client CPU per page against orjson.loads", scored)
                if not args.no_naive and scale == 1.0:
                    naive_runs = [naive(base_url, token, kind) for kind in KINDS]
                    table(f"{label}: one page at a time", naive_runs)


if __name__ == "__main__":
    main()

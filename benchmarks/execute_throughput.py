"""Executor throughput against the rate limits: note deletions and recreations, and native merges, applied
to a sandbox that adds 150 ms to every request and enforces Attio's default limits (25 writes/s, merges
5/s); then the restore of each of those runs (a run of its own: notes created again and replacements
deleted; merges undone — survivors' values put back, losers created again, their notes and entries moved
back). The bar: writes at ≥ 0.9 of the write bound.

    uv run python benchmarks/execute_throughput.py [--notes 5000] [--merges 500] [--latency-ms 150]

Prints, per kind of action: actions, writes, seconds of the write phase, writes/s, the ratio to the bound,
and the whole run's seconds (re-read, backup, writes, read-back verification); then the same done one
request at a time (concurrency 1, a smaller sample), as a naive script would.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import orjson
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._sandbox_process import sandbox_process
from cleanup.actions import ActionTable
from cleanup.actions.fingerprint import fingerprint
from cleanup.client import AttioClient
from cleanup.execute import Plan
from cleanup.execute.restore import plan_restore
from cleanup.export import export
from cleanup.export.snapshot import Snapshot
from cleanup.values.notes import note_content

BOUNDS = {"notes": 25.0, "merges": 5.0}


def note_actions(snapshot: Snapshot, n: int, rng: random.Random) -> ActionTable:
    """``n`` note actions: half deletions, half recreations (same parent, title, content and date), of notes
    on people (the merges are of companies: each run's restore stands alone)."""
    notes = snapshot.notes().filter(pl.col("parent_object") == "people").select("note_id", "_raw").collect()
    picked = notes.sample(n, seed=rng.randint(0, 2**31), shuffle=True)
    rows = []
    for i, (note_id, raw) in enumerate(picked.rows()):
        note = orjson.loads(raw)
        action = "delete_note" if i % 2 == 0 else "recreate_note"
        payload = None
        if action == "recreate_note":
            form, content = note_content(note.get("content_markdown"), note.get("content_plaintext"))
            payload = orjson.dumps(
                {
                    "parent_object": note["parent_object"],
                    "parent_record_id": note["parent_record_id"],
                    "title": note.get("title") or "",
                    "format": form,
                    "content": content,
                    "created_at": note["created_at"],
                }
            ).decode()
        rows.append(
            {
                "recipe": "benchmark",
                "action": action,
                "target_id": note_id,
                "payload": payload,
                "reason": "benchmark",
                "fingerprint": fingerprint(raw),
            }
        )
    return ActionTable.build(pl.DataFrame(rows, infer_schema_length=None)).decide("approve")


def merge_actions(snapshot: Snapshot, n: int, rng: random.Random) -> ActionTable:
    """``n`` merges of distinct company pairs (every survivor and loser used once)."""
    records = snapshot.records("companies").select("_id", "_raw").collect()
    picked = records.sample(2 * n, seed=rng.randint(0, 2**31), shuffle=True).rows()
    rows = [
        {
            "recipe": "benchmark",
            "action": "merge_records",
            "object": "companies",
            "target_id": loser,
            "survivor_id": survivor,
            "cluster_id": survivor,
            "reason": "benchmark",
            "fingerprint": fingerprint(raw),
        }
        for (survivor, _), (loser, raw) in zip(picked[0::2], picked[1::2], strict=True)
    ]
    return ActionTable.build(pl.DataFrame(rows)).decide("approve")


def _timed(
    base_url: str, token: str, root: Path, work: Callable[[AttioClient], Any]
) -> tuple[int, float, float, Any]:
    """Run ``work`` with a client that times every write; returns (writes, seconds from the first write to
    the last answer, the whole call's seconds, what ``work`` returned)."""
    writes: list[float] = []
    last: list[float] = []

    async def on_request(request: httpx.Request) -> None:
        if request.method != "GET" and not request.url.path.endswith("/query"):
            writes.append(time.perf_counter())

    async def on_response(response: httpx.Response) -> None:
        if response.request.method != "GET" and not response.request.url.path.endswith("/query"):
            last.append(time.perf_counter())

    os.environ["ATTIO_CLEANUP_BACKUP_ROOT"] = str(root)
    hooks = {"request": [on_request], "response": [on_response]}
    started = time.perf_counter()
    with AttioClient(token, base_url, event_hooks=hooks) as client:
        result = work(client)
    seconds = time.perf_counter() - started
    return len(writes), (max(last) - min(writes)) if writes else 0.0, seconds, result


def apply(
    base_url: str, token: str, snapshot: Snapshot, table: ActionTable, concurrency: int, root: Path
) -> tuple[int, float, float, str]:
    """Apply ``table``; returns (writes, write seconds, run seconds, the run's id)."""
    plan = Plan(table, snapshot, max_deletes=10**7)
    writes, seconds, total, report = _timed(
        base_url, token, root, lambda client: plan.apply(client, concurrency=concurrency)
    )
    counts = report.counts()
    if counts != {"done": len(table.approved())}:
        raise SystemExit(f"the run did not finish cleanly: {counts}")
    return writes, seconds, total, report.run_id


def restore(
    base_url: str, token: str, run_id: str, concurrency: int, root: Path
) -> tuple[int, float, float, int]:
    """Restore run ``run_id`` (planned, then applied as a run); returns (writes, write seconds, seconds from
    planning to the verified end, the restore's actions)."""
    plan = plan_restore(run_id, root=root)
    writes, seconds, total, report = _timed(
        base_url, token, root, lambda client: plan.apply(client, concurrency=concurrency, progress=False)
    )
    statuses = set(report.frame["status"])
    if statuses - {"restored", "not_restorable"}:
        raise SystemExit(f"the restore did not finish cleanly: {report.frame['status'].value_counts()}")
    return writes, seconds, total, len(plan)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=5000, help="note actions (half deleted, half recreated)")
    parser.add_argument("--merges", type=int, default=500)
    parser.add_argument("--naive-notes", type=int, default=200)
    parser.add_argument("--naive-merges", type=int, default=20)
    parser.add_argument("--latency-ms", type=float, default=150.0)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    rng = random.Random(20261124)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with sandbox_process(folder / "sandbox.sqlite", "--latency-ms", str(args.latency_ms)) as (
            base_url,
            tokens,
        ):
            token = tokens["primary"]
            with AttioClient(token, base_url) as client:
                snapshot = export(
                    client, folder / "snapshot", objects=["companies"], lists=[], progress=False
                )
            notes = note_actions(snapshot, args.notes + args.naive_notes, rng)
            merges = merge_actions(snapshot, args.merges + args.naive_merges, rng)
            runs = [
                # notes first: a merge re-points the notes of its records, which a note action then sees as drift
                ("notes", "executor", ActionTable(notes.frame.head(args.notes)), args.concurrency),
                ("notes", "one at a time", ActionTable(notes.frame.tail(args.naive_notes)), 1),
                ("merges", "executor", ActionTable(merges.frame.head(args.merges)), args.concurrency),
                ("merges", "one at a time", ActionTable(merges.frame.tail(args.naive_merges)), 1),
            ]
            restorable: list[tuple[str, str]] = []
            for kind, how, table, concurrency in runs:
                writes, seconds, total, run_id = apply(
                    base_url, token, snapshot, table, concurrency, folder / "runs"
                )
                rate = (writes - 1) / seconds if seconds > 0 else 0.0
                rows.append((kind, how, len(table), writes, seconds, rate, rate / BOUNDS[kind], total))
                print(f"  {kind} ({how}): {writes:,} writes in {seconds:.1f} s", file=sys.stderr)
                if how == "executor":
                    restorable.append((kind, run_id))
            for kind, run_id in reversed(restorable):  # merges first: the notes' restore hangs on no merge
                writes, seconds, total, actions = restore(
                    base_url, token, run_id, args.concurrency, folder / "runs"
                )
                rate = (writes - 1) / seconds if seconds > 0 else 0.0
                how = "restore (executor)"
                rows.append((kind, how, actions, writes, seconds, rate, rate / BOUNDS["notes"], total))
                print(f"  restore of {kind}: {writes:,} writes in {seconds:.1f} s", file=sys.stderr)
    print(f"\nExecutor throughput, {args.latency_ms:.0f} ms latency, limits 25 writes/s and 5 merges/s")
    print("(a restore's writes are creates, updates and deletes: its bound is 25 writes/s)\n")
    print("| kind | how | actions | writes | write s | writes/s | ratio to bound | run s |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for kind, how, actions, writes, seconds, rate, ratio, total in rows:
        print(
            f"| {kind} | {how} | {actions:,} | {writes:,} | {seconds:.1f} | {rate:.1f} | {ratio:.2f} | {total:.1f} |"
        )


if __name__ == "__main__":
    main()

"""Import throughput against the write limit: a generated Affinity export (people and notes on them) into an
empty sandbox that adds 150 ms to every request and enforces Attio's default limits (25 writes/s).
The bar: writes at ≥ 0.9 of the bound.

    uv run python benchmarks/import_throughput.py [--people 50000] [--notes 100000] [--latency-ms 150]

At the defaults the writes alone take 150,000 / 25 s = 100 minutes; smaller numbers measure the same rate.
Prints: people, notes, writes, seconds of the write phase, writes/s, the ratio to the bound, the time to
build the action table, and the whole run's seconds; then checks that a second run writes nothing.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._sandbox_process import sandbox_process
from cleanup.client import AttioClient
from cleanup.importers.mapping import Mapping
from cleanup.importers.session import prepare_affinity

WRITE_BOUND = 25.0
MAPPING = """
[import]
id_attribute = "affinity_id"

[objects.persons]
file = "people.csv"
object = "people"
id_column = "Person Id"

[objects.persons.columns]
"Full Name" = "name"
"Primary Email" = "email_addresses"
"Job Titles" = "job_title"
"""


def _domain(person: int) -> str:
    """Work emails spread over 2,500 firms (20 people each), as in a fund's CRM. Attio links each new person
    to a company by their email's domain (creating it if needed): one shared domain would pile every
    person onto one company."""
    return f"firm{person % 2500}.com"


def make_export(folder: Path, people: int, notes: int, rng: random.Random) -> None:
    """An Affinity-shaped people export and v1 notes JSON, each note tagged to one person."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mapping.toml").write_text(MAPPING)
    firsts = ["Ana", "Ben", "Chloe", "Dev", "Emma", "Farid", "Grace", "Hugo", "Ines", "Jon"]
    lasts = ["Souza", "Okafor", "Meyer", "Rossi", "Kim", "Novak", "Haddad", "Silva", "Berg", "Lopez"]
    with (folder / "people.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Affinity Row ID", "Person Id", "Full Name", "Primary Email", "Job Titles"])
        for i in range(people):
            first, last = rng.choice(firsts), rng.choice(lasts)
            writer.writerow(
                [i, 100000 + i, f"{first} {last}", f"{first}.{last}.{i}@{_domain(i)}".lower(), "Founder"]
            )
    start = datetime(2016, 1, 1, tzinfo=UTC)
    items = [
        {
            "id": 500000 + n,
            "creator_id": 1,
            "associated_person_ids": [100000 + rng.randrange(people)],
            "organization_ids": [],
            "opportunity_ids": [],
            "parent_id": None,
            "type": 0,
            "content": f"Call notes #{n}: discussed the round and next steps.",
            "created_at": (start + timedelta(minutes=37 * n)).isoformat(),
        }
        for n in range(notes)
    ]
    (folder / "notes.json").write_bytes(orjson.dumps(items))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--notes", type=int, default=100_000)
    parser.add_argument("--latency-ms", type=float, default=150.0)
    args = parser.parse_args()
    rng = random.Random(20261124)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_export(folder / "export", args.people, args.notes, rng)
        os.environ["ATTIO_CLEANUP_BACKUP_ROOT"] = str(folder / "runs")
        mapping = Mapping.load(folder / "export" / "mapping.toml")
        with sandbox_process(
            folder / "sandbox.sqlite", "--latency-ms", str(args.latency_ms), seed="empty"
        ) as (
            base_url,
            tokens,
        ):
            writes: list[float] = []
            answered: list[float] = []

            async def on_request(request: httpx.Request) -> None:
                if request.method in ("POST", "PUT", "PATCH", "DELETE") and not request.url.path.endswith(
                    "/query"
                ):
                    writes.append(time.perf_counter())

            async def on_response(response: httpx.Response) -> None:
                request = response.request
                if request.method in ("POST", "PUT", "PATCH", "DELETE") and not request.url.path.endswith(
                    "/query"
                ):
                    answered.append(time.perf_counter())

            hooks = {"request": [on_request], "response": [on_response]}
            started = time.perf_counter()
            with AttioClient(tokens["primary"], base_url, event_hooks=hooks) as client:
                prepared = prepare_affinity(
                    client,
                    mapping,
                    folder / "export",
                    folder / "export" / "notes.json",
                    folder / "one",
                    create_attributes=True,
                )
                built = time.perf_counter() - started
                writes.clear()
                answered.clear()
                report = prepared.plan().apply(client, concurrency=16)
                total = time.perf_counter() - started
                counts = report.counts()
                if counts != {"done": prepared.result.table.approved().height}:
                    raise SystemExit(f"the import did not finish cleanly: {counts}")
                n_writes, seconds = len(writes), max(answered) - min(writes)
                again = prepare_affinity(
                    client,
                    mapping,
                    folder / "export",
                    folder / "export" / "notes.json",
                    folder / "two",
                    create_attributes=True,
                )
            left = again.result.table.approved().height
    rate = (n_writes - 1) / seconds
    print(f"\nImport throughput, {args.latency_ms:.0f} ms latency, limit 25 writes/s\n")
    print(
        "| people | notes | writes | write s | writes/s | ratio to bound | build s | run s | second run: rows |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {args.people:,} | {args.notes:,} | {n_writes:,} | {seconds:.1f} | {rate:.1f} | "
        f"{rate / WRITE_BOUND:.2f} | {built:.1f} | {total:.1f} | {left} |"
    )


if __name__ == "__main__":
    main()

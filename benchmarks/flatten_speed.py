"""How fast parsed records of the demo shape flatten into typed columns (the vectorised step of an export).

    uv run python benchmarks/flatten_speed.py [--sizes 100000,1000000]

A page of 500 demo people and one of 500 demo companies are parsed once, repeated to each size, and
flattened; the JSON parse per page is timed too.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cleanup.export.pages import flatten_records, parse_items, record_schema
from cleanup.sandbox import build_sandbox
from cleanup.values import AttributeType


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100000,1000000")
    args = parser.parse_args()
    sandbox = build_sandbox("demo", scale=0.2)
    ws = sandbox.workspace
    print("| object | records | parse s/page (500) | flatten seconds | flatten µs/record |")
    print("|---|---:|---:|---:|---:|")
    for slug in ("people", "companies"):
        obj = ws.object(slug).id
        attrs = [AttributeType(a.api_slug, a.type, a.is_multiselect) for a in ws.attributes_of(obj)]
        records = list(ws.records[obj].values())[:500]
        page = b'{"data":[' + b",".join(ws.record_bytes(r) for r in records) + b"]}"
        schema = record_schema(attrs)
        started = time.perf_counter()
        for _ in range(10):
            items = parse_items(page, schema)
        parse = (time.perf_counter() - started) / 10
        for size in (int(s) for s in args.sizes.split(",")):
            big = pl.concat([items] * (size // items.height)).rechunk()
            started = time.perf_counter()
            flat = flatten_records(big, attrs)
            elapsed = time.perf_counter() - started
            print(
                f"| {slug} | {flat.height:,} | {parse:.3f} | {elapsed:.1f} | {elapsed / flat.height * 1e6:.1f} |"
            )


if __name__ == "__main__":
    main()

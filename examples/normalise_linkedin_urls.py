"""A repair script: LinkedIn URLs typed by hand or pasted from a phone — ``http://``, ``m.linkedin.com``,
tracking parameters, trailing slashes — made canonical on companies and people, through the same plan,
report, backup and executor as any cleanup.

    uv run python examples/normalise_linkedin_urls.py --snapshot snapshots/today --out review/   # dry run
    uv run python examples/normalise_linkedin_urls.py --snapshot snapshots/today --out review/ --apply

The dry run writes ``review/linkedin.xlsx`` (to approve) and ``review/linkedin.html`` (to read); ``--apply``
applies every row (each target is re-read first and skipped if it changed since the snapshot).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

from cleanup import AttioClient, Snapshot, actions
from cleanup.actions import ActionTable
from cleanup.execute import Plan
from cleanup.report import write_report

LINKEDIN = r"(?i)^(?:https?://)?(?:[a-z]{1,3}\.)?linkedin\.com/"


def canonical(url: pl.Expr) -> pl.Expr:
    """``https://www.linkedin.com/<path>`` without query, fragment or trailing slash."""
    path = url.str.strip_chars().str.to_lowercase().str.replace(LINKEDIN, "").str.replace(r"[?#].*$", "")
    return pl.lit("https://www.linkedin.com/") + path.str.strip_chars_end("/")


def build_fix(snapshot: Snapshot) -> ActionTable:
    """One ``update_record`` per company or person whose LinkedIn URL is not canonical."""
    tables = []
    for object_slug in ("companies", "people"):
        if f"records/{object_slug}" not in snapshot.parts:
            continue
        records = snapshot.records(object_slug).select("_id", "_raw", "linkedin").collect()
        messy = records.filter(
            pl.col("linkedin").str.contains(LINKEDIN) & (pl.col("linkedin") != canonical(pl.col("linkedin")))
        )
        tables.append(
            actions.update_records(
                messy,
                object=object_slug,
                values={"linkedin": canonical(pl.col("linkedin"))},
                reason=pl.format("LinkedIn URL {} → {}", pl.col("linkedin"), canonical(pl.col("linkedin"))),
                recipe="normalise_linkedin_urls",
            )
        )
    return ActionTable.concat(tables)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--snapshot", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path, help="folder for the action table and report")
    parser.add_argument("--apply", action="store_true", help="apply every row (otherwise a dry run)")
    args = parser.parse_args()
    snapshot = Snapshot.load(args.snapshot)
    fix = build_fix(snapshot)
    args.out.mkdir(parents=True, exist_ok=True)
    fix.write(args.out / "linkedin.xlsx")
    write_report(fix, snapshot, args.out / "linkedin.html", title="LinkedIn URLs")
    print(f"{len(fix):,} URLs to fix; review {args.out / 'linkedin.html'}")
    if args.apply and len(fix):
        with AttioClient() as client:
            report = Plan(fix.decide("approve"), snapshot).apply(client)
        print(
            f"run {report.run_id}: {report.counts()}; undo with: attio-cleanup restore {report.run_id} --yes"
        )


if __name__ == "__main__":
    main()

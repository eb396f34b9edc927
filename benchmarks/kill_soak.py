"""The executor's crash soak: the kill -9 test's mixed run, killed at many more seeded points, for several
rounds (each on a fresh demo sandbox, with its own seed), each checked for exactly-once afterwards.

    uv run python benchmarks/kill_soak.py [--rounds 5] [--points 120] [--scale 0.1]

Prints per round: the kill points tried by kind (as a write arrived, after a write was committed but before
it was answered, at a random moment), seconds, and the result of the end-state check.
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
from cleanup.testing import sandbox_server, snapshot_of
from tests.execute.conftest import note_and_entry_findings
from tests.execute.test_kill import CrashScenario, kill_and_resume


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--points", type=int, default=120, help="kill points per round")
    parser.add_argument("--scale", type=float, default=0.3, help="demo seed scale (more work per round)")
    parser.add_argument("--merges", type=int, default=4, help="merges by hand in each round's plan")
    args = parser.parse_args()
    rows = []
    for round_number in range(args.rounds):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            os.environ["ATTIO_CLEANUP_BACKUP_ROOT"] = str(folder / "backups")
            config = SandboxConfig(read_rps=0, write_rps=0, merge_rps=0)
            with sandbox_server("demo", scale=args.scale, config=config) as sb:
                snapshot = snapshot_of(sb, folder / "snap")
                table = note_and_entry_findings(sb, snapshot, folder)
                scenario = CrashScenario.build(sb, snapshot, table, merges=args.merges)
                started = time.perf_counter()
                try:
                    kills = kill_and_resume(scenario, args.points, seed=1000 + round_number)
                    result = "exactly once"
                except AssertionError as error:
                    kills, result = [], f"FAILED: {str(error)[:200]}"
                seconds = time.perf_counter() - started
        kinds = Counter(k.split(" ")[0] + (" committed" if "committed" in k else "") for k in kills)
        rows.append((round_number, len(scenario.plan), len(kills), kinds, seconds, result))
        print(f"  round {round_number}: {len(kills)} kills, {result}", file=sys.stderr)
    print("\n| round | actions | kills | on arrival | committed, unanswered | timed | seconds | result |")
    print("|---:|---:|---:|---:|---:|---:|---:|---|")
    for number, actions, n, kinds, seconds, result in rows:
        print(
            f"| {number} | {actions:,} | {n} | {kinds['write']} | {kinds['write committed']} | {kinds['after']} "
            f"| {seconds:.0f} | {result} |"
        )
    print(f"\n{sum(r[2] for r in rows)} kill points in all")


if __name__ == "__main__":
    main()

"""The long schemathesis run against the sandbox (the CI test runs a bounded version).

uv run python benchmarks/sandbox_schemathesis.py [--examples 200] [--seed N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cleanup.sandbox import SandboxConfig
from cleanup.testing import sandbox_server
from tests.sandbox.fuzz import known_ids, run_schemathesis


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    config = SandboxConfig(read_rps=0, write_rps=0, merge_rps=0)
    with sandbox_server("demo", scale=0.05, config=config) as sb, tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        result = run_schemathesis(
            sb.base_url,
            sb.tokens["primary"],
            Path(folder),
            max_examples=args.examples,
            seed=args.seed,
            parameters=known_ids(sb.workspace),
            workers=args.workers,
        )
        elapsed = time.perf_counter() - started
    print(result.stdout[-4000:])
    print(
        f"| examples per operation | seed | seconds | exit |\n|---|---|---|---|\n| {args.examples} | {args.seed} | {elapsed:.0f} | {result.returncode} |"
    )
    return result.returncode


if __name__ == "__main__":
    raise SystemExit(main())

"""How fast the demo seed builds at scale: the frames (what detection benchmarks use) and the sandbox.

uv run python benchmarks/seed_scale.py [--frames-scales 1,20,67] [--sandbox-scales 1,5]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cleanup.sandbox.seed.demo import seed_demo
from cleanup.sandbox.seed.frames import generate_frames
from cleanup.sandbox.workspace import Workspace


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--frames-scales", default="1,20,67")
    parser.add_argument("--sandbox-scales", default="1,5")
    args = parser.parse_args()
    print("| stage | scale | companies | people | notes | seconds | s per 1M records |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for scale in (float(s) for s in args.frames_scales.split(",")):
        started = time.perf_counter()
        frames = generate_frames(scale=scale, parts=frozenset({"companies", "people"}))
        elapsed = time.perf_counter() - started
        records = frames.companies.height + frames.people.height
        print(
            f"| frames (companies, people) | {scale:g} | {frames.companies.height:,} | {frames.people.height:,} | - | {elapsed:.1f} | {elapsed / records * 1e6:.1f} |"
        )
    for scale in (float(s) for s in args.sandbox_scales.split(",")):
        started = time.perf_counter()
        ws = Workspace()
        seed_demo(ws, scale=scale)
        elapsed = time.perf_counter() - started
        counts = ws.counts()
        records = sum(v for k, v in counts.items() if k.startswith(("records:", "entries:")))
        print(
            f"| sandbox workspace (everything) | {scale:g} | {counts['records:companies']:,} | {counts['records:people']:,} "
            f"| {counts['notes']:,} | {elapsed:.1f} | {elapsed / records * 1e6:.1f} |"
        )
    print(f"\npeak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6:.1f} GB")


if __name__ == "__main__":
    main()

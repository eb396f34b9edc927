"""``attio-cleanup demo``: the whole story on the built-in sandbox.

So far: seed the demo workspace, serve it on loopback, export it through the API to a Parquet snapshot
(with progress bars) and show what it holds, including the planted defects the recipes will look for.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from .client import AttioClient
from .export import export
from .testing import sandbox_server


def run_demo(console: Console, out_dir: Path | None = None) -> None:
    """Seed the demo sandbox, export it to ``out_dir`` (a temporary folder by default), print a summary."""
    started = time.perf_counter()
    with console.status("Seeding the demo workspace..."):
        server = sandbox_server("demo")
        sb = server.__enter__()
    try:
        console.print(
            f"Sandbox with the demo workspace at {sb.base_url} (seeded in {time.perf_counter() - started:.1f}s)"
        )
        with tempfile.TemporaryDirectory(prefix="attio-demo-") as scratch:
            folder = out_dir or Path(scratch) / "snapshot"
            with AttioClient(sb.tokens["primary"], sb.base_url) as client:
                snapshot = export(client, folder, console=console, progress=True)
            table = Table(
                title=f"Snapshot of {snapshot.schema.workspace_name} (exported over the API at Attio's rate limits)"
            )
            table.add_column("part")
            table.add_column("rows", justify="right")
            for part, rows in snapshot.counts().items():
                table.add_row(part, f"{rows:,}")
            console.print(table)
        truth = sb.ground_truth
        assert truth is not None
        planted = Table(title="Planted defects (ground truth the recipes are measured against)")
        planted.add_column("defect")
        planted.add_column("count", justify="right")
        planted.add_row("re-imported duplicate notes", str(len(truth.duplicate_notes)))
        planted.add_row("re-imported notes whose original is gone", str(len(truth.reimport_only_notes)))
        planted.add_row("duplicate company clusters", str(len(truth.duplicate_companies)))
        planted.add_row("duplicate person clusters", str(len(truth.duplicate_people)))
        planted.add_row("orphan list entries", str(len(truth.orphan_entries)))
        planted.add_row("companies entered twice in the pipeline", str(len(truth.duplicate_entries)))
        console.print(planted)
    finally:
        server.__exit__(None, None, None)
    console.print(f"Done in {time.perf_counter() - started:.1f}s.")

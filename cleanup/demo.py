"""``attio-cleanup demo``: the whole story on the built-in sandbox.

So far: seed the demo workspace, serve it on loopback, export it through the API to a Parquet snapshot
(with progress bars), run every recipe on it, and show what they found against the planted defects.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import polars as pl
from rich.console import Console
from rich.table import Table

from .actions import ActionTable
from .client import AttioClient
from .detect.recipe import detect
from .export import export
from .export.snapshot import Snapshot
from .testing import RunningSandbox, sandbox_server


def _detect_all(
    console: Console, sb: RunningSandbox, snapshot: Snapshot, folder: Path, *, keep: bool
) -> ActionTable:
    """Run every built-in recipe, print what each found against the planted defects, keep the table."""
    truth = sb.ground_truth
    assert truth is not None
    source = folder / "affinity-notes-source.parquet"  # what the first import's source export holds
    pl.DataFrame(truth.notes_source).write_parquet(source)
    params = {
        "duplicate_notes": {
            "reimport_token": sb.token_ids["affinity-reimport"],
            "original_token": sb.token_ids["affinity-import"],
            "source": str(source),
        },
    }
    tables = []
    with console.status("Running the recipes..."):
        for recipe in (
            "duplicate_notes",
            "duplicate_companies",
            "duplicate_people",
            "orphan_entries",
            "duplicate_entries",
        ):
            tables.append(detect(snapshot, recipe, **params.get(recipe, {})))
    actions = ActionTable.concat(tables)
    actions.show(title=f"Proposed actions: {len(actions):,}")
    scored = Table(title="Found against the planted defects")
    for column in ("defect", "planted", "found", "right", "precision", "recall"):
        scored.add_column(column, justify="left" if column == "defect" else "right")
    for label, _, _, planted, found, right, precision, recall in truth.score(actions.frame).rows():
        scored.add_row(label, f"{planted:,}", f"{found:,}", f"{right:,}", f"{precision:.3f}", f"{recall:.3f}")
    console.print(scored)
    if keep:
        path = actions.write(folder / "actions.xlsx")
        console.print(
            f"The snapshot is in [bold]{snapshot.path}[/bold], the action table for review in [bold]{path}[/bold]."
        )
    else:
        console.print(
            "Run `attio-cleanup demo --out DIR` to keep the snapshot and the action table for review."
        )
    return actions


def run_demo(console: Console, out_dir: Path | None = None) -> None:
    """Seed the demo sandbox, export it to ``out_dir/snapshot`` (a temporary folder by default), run every
    recipe, and print what they found against the planted defects (the action table kept in ``out_dir``)."""
    started = time.perf_counter()
    with console.status("Seeding the demo workspace..."):
        server = sandbox_server("demo")
        sb = server.__enter__()
    try:
        console.print(
            f"Sandbox with the demo workspace at {sb.base_url} (seeded in {time.perf_counter() - started:.1f}s)"
        )
        with tempfile.TemporaryDirectory(prefix="attio-demo-") as scratch:
            work = out_dir or Path(scratch)
            folder = work / "snapshot"
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
            _detect_all(console, sb, snapshot, work, keep=out_dir is not None)
    finally:
        server.__exit__(None, None, None)
    console.print(f"Done in {time.perf_counter() - started:.1f}s.")

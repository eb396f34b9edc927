"""``attio-cleanup demo``: the whole story on the built-in sandbox.

Seed the demo workspace and serve it on loopback; export it through the API to a Parquet snapshot (with
progress bars); run every recipe; write the sign-off report (HTML and XLSX); approve the high-confidence
actions (people merges, which a person should look at, stay pending) and apply them — backup, journal,
verification; restore one deletion from the backup; and print what was found and fixed against the planted
ground truth. Everything is kept in the output folder (``attio-demo/`` by default).

The sandbox and the client allow 4x Attio's read and write limits here to keep the demo to a few minutes
(merges keep Attio's 5 per second); the report says how long the same run takes at Attio's own limits.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import polars as pl
from rich.console import Console
from rich.table import Table

from .actions import ActionTable
from .client import AttioClient, endpoints
from .detect.recipe import detect
from .execute import Plan, Run, plan_restore
from .export import export
from .export.snapshot import Snapshot
from .labels import Namer, when
from .report import write_report
from .sandbox import SandboxConfig
from .testing import RunningSandbox, sandbox_server

SPEED_UP = 4  # the demo's limits, as a multiple of Attio's reads and writes per second
APPROVE_AT = 0.95  # confidence at which the demo approves a finding (people merges stay for review)
DEFAULT_OUT = Path("attio-demo")


def _detect_all(console: Console, sb: RunningSandbox, snapshot: Snapshot, folder: Path) -> ActionTable:
    """Run every built-in recipe and print what each found against the planted defects."""
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
    return actions


def token_labels(sb: RunningSandbox) -> dict[str, str]:
    """What the demo's API tokens are, for the report (it names them rather than showing ids)."""
    names = {
        "primary": "this cleanup's API token",
        "affinity-import": "Affinity import",
        "affinity-reimport": "Affinity re-import",
        "readonly": "read-only API token",
    }
    return {token_id: names.get(name, name) for name, token_id in sb.token_ids.items()}


def _approve(actions: ActionTable) -> ActionTable:
    """What the demo approves: high-confidence findings, except people merges (a person looks at those)."""
    return actions.decide(
        "approve", where=(pl.col("confidence") >= APPROVE_AT) & (pl.col("recipe") != "duplicate_people")
    )


def _apply_and_restore(
    console: Console, sb: RunningSandbox, snapshot: Snapshot, actions: ActionTable, work: Path
) -> ActionTable:
    """Apply the approved rows, print the run, restore one deleted note; returns the rows that were done."""
    plan = Plan(actions, snapshot)
    console.print(
        f"Applying {len(plan):,} approved actions ({plan.estimated_seconds() / 60:.1f} min at Attio's own "
        f"limits; the demo sandbox allows {SPEED_UP}x)..."
    )
    limits = {"read_rps": 100 * SPEED_UP, "write_rps": 25 * SPEED_UP}
    with AttioClient(sb.tokens["primary"], sb.base_url, **limits) as client:
        run = Run.start(plan, root=work / "backups")
        try:
            report = run.apply(client, concurrency=16, progress=True)
        finally:
            run.close()
        counts = report.counts()
        verified = int(report.frame["verified"].sum())
        console.print(
            f"Run {report.run_id}: "
            + ", ".join(f"{n:,} {status}" for status, n in counts.items())
            + f"; {verified:,} read back and verified. Backup and journal in [bold]{report.folder}[/bold]"
        )
        deleted = report.frame.filter((pl.col("action") == "delete_note") & (pl.col("status") == "done"))
        if deleted.height:
            action_id, note_id = deleted.select("action_id", "target_id").row(0)
            put_back = plan_restore(report.run_id, root=work / "backups", action_ids=[action_id])
            undone = put_back.apply(client, progress=False)
            new_id = undone.frame["restored_id"][0]
            note = client.get(endpoints.note(new_id))["data"]
            title, parent = (
                snapshot.notes()
                .filter(pl.col("note_id") == note_id)
                .select("title", "parent_record_id")
                .collect()
                .row(0)
            )
            on = Namer(snapshot).record(note["parent_object"], parent)
            console.print(
                f"Restored one deleted note from the backup: “{title}” on {on} is back, dated "
                f"{when(note['created_at'])} as before (a new note; the restore was a run of its own, "
                f"{undone.run.run_id if undone.run else 'none'}, which can be restored too). "
                f"`attio-cleanup restore {report.run_id} --yes` would put back the rest."
            )
    write_report(  # after the restore, so the report shows it
        actions,
        snapshot,
        work / "report-after-run.html",
        run=report,
        title="Demo cleanup: after the run",
        token_labels=token_labels(sb),
    )
    done = set(report.frame.filter(pl.col("status") == "done")["action_id"].to_list())
    return ActionTable(actions.frame.filter(pl.col("action_id").is_in(list(done))))


def _fixed(console: Console, sb: RunningSandbox, found: ActionTable, done: ActionTable) -> None:
    truth = sb.ground_truth
    assert truth is not None
    scored = truth.score(found.frame).select("defect", "planted", "found", "right")
    fixed = truth.score(done.frame).select("defect", pl.col("right").alias("fixed"))
    table = Table(title="Planted defects: found and fixed")
    for column in ("defect", "planted", "found right", "fixed", "left for review"):
        table.add_column(column, justify="left" if column == "defect" else "right")
    for defect, planted, _, right, fixed_n in scored.join(fixed, on="defect").rows():
        table.add_row(defect, f"{planted:,}", f"{right:,}", f"{fixed_n:,}", f"{right - fixed_n:,}")
    console.print(table)


def run_demo(console: Console, out_dir: Path | None = None, *, scale: float = 1.0) -> None:
    """The whole story (see the module docstring); everything is kept in ``out_dir``."""
    started = time.perf_counter()
    config = SandboxConfig(read_rps=100 * SPEED_UP, write_rps=25 * SPEED_UP)
    with console.status("Seeding the demo workspace..."):
        server = sandbox_server("demo", scale=scale, config=config)
        sb = server.__enter__()
    try:
        console.print(
            f"Sandbox with the demo workspace at {sb.base_url} (seeded in {time.perf_counter() - started:.1f}s)"
        )
        work = out_dir or DEFAULT_OUT
        if (work / "snapshot").exists():
            shutil.rmtree(work / "snapshot")  # a fresh demo workspace each time
        work.mkdir(parents=True, exist_ok=True)
        folder = work / "snapshot"
        limits = {"read_rps": 100 * SPEED_UP, "write_rps": 25 * SPEED_UP}
        with AttioClient(sb.tokens["primary"], sb.base_url, **limits) as client:
            snapshot = export(client, folder, console=console, progress=True)
        table = Table(title=f"Snapshot of {snapshot.schema.workspace_name} (exported over the API)")
        table.add_column("part")
        table.add_column("rows", justify="right")
        for part, rows in snapshot.counts().items():
            table.add_row(part, f"{rows:,}")
        console.print(table)
        found = _detect_all(console, sb, snapshot, work)
        actions = _approve(found)
        html = write_report(
            actions,
            snapshot,
            work / "report.html",
            title="Demo cleanup sign-off",
            token_labels=token_labels(sb),
        )
        xlsx = write_report(actions, snapshot, work / "actions.xlsx", title="Demo cleanup sign-off")
        console.print(f"Sign-off report: [bold]{html.resolve()}[/bold] (workbook to review: {xlsx})")
        done = _apply_and_restore(console, sb, snapshot, actions, work)
        _fixed(console, sb, found, done)
        console.print(f"After the run: [bold]{(work / 'report-after-run.html').resolve()}[/bold]")
    finally:
        server.__exit__(None, None, None)
    console.print(f"Done in {time.perf_counter() - started:.1f}s.")

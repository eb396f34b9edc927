"""The ``attio-cleanup`` command line: each command is a thin wrapper over one public function."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .errors import CleanupError

app = typer.Typer(
    help="Clean up and migrate data in the Attio CRM: export, detect, review, execute, restore.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
sandbox_app = typer.Typer(help="A local Attio-compatible API server to rehearse on.", no_args_is_help=True)
app.add_typer(sandbox_app, name="sandbox")
console = Console()
err_console = Console(stderr=True)
EXIT_NOTHING = 5  # as RunReport's exit codes: nothing was approved, nothing to do
STOPPED_RUN = "stopped: what was sent is journalled; `attio-cleanup resume {run}` finishes the run"


class MergeChoice(StrEnum):
    auto = "auto"
    native = "native"
    fallback = "fallback"


# Options shared by the commands that run the executor (apply, resume).
UnattendedOption = Annotated[bool, typer.Option(help="Retry spurious 401s (for cron jobs).")]
MergeOption = Annotated[
    MergeChoice,
    typer.Option(help="Merge with Attio's endpoint (native), by hand (fallback), or native where offered."),
]
ConcurrencyOption = Annotated[
    int, typer.Option(min=1, help="Requests in flight at once (the rate limits still apply).")
]


@app.callback()
def global_options(
    runs_dir: Annotated[
        Path | None,
        typer.Option(
            help="Where runs (backups, journals, reports) are kept; default: ATTIO_CLEANUP_BACKUP_ROOT, else "
            "the user's data folder (see `attio-cleanup runs`).",
        ),
    ] = None,
) -> None:
    """Clean up and migrate data in the Attio CRM: export, detect, review, execute, restore."""
    if runs_dir is not None:
        from .execute.run import RUNS_ENV

        os.environ[RUNS_ENV] = str(runs_dir.expanduser().resolve())


@app.command("runs")
def runs_command() -> None:
    """The runs kept in the runs folder: when, on which workspace, what each did, how it ended, and whether
    it can be put back (`attio-cleanup restore RUN_ID`).

    Example: attio-cleanup runs
    """
    from .execute.run import backup_root
    from .execute.runs import list_runs
    from .labels import when

    root = backup_root()
    found = list_runs(root)
    if found.height == 0:
        console.print(f"No runs in {escape(str(root))}.")
        return
    table = Table(title=escape(f"Runs in {root}"))
    for column in ("run", "started", "workspace", "what it did", "how it ended", "can be put back"):
        table.add_column(column, no_wrap=column in ("run", "started"))
    for row in found.iter_rows(named=True):
        table.add_row(
            row["run_id"],
            when(row["started"]),
            escape(row["workspace"]),
            row["did"],
            row["status"],
            row["restorable"],
        )
    console.print(table)


@sandbox_app.command("serve")
def sandbox_serve(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8787,
    seed: Annotated[
        str, typer.Option(help="demo, empty, or a snapshot folder (a copy of your workspace).")
    ] = "demo",
    scale: Annotated[float, typer.Option(help="Multiply the demo seed's size.")] = 1.0,
    db: Annotated[
        Path | None, typer.Option(help="SQLite file to keep the workspace in (reused if it exists).")
    ] = None,
    latency_ms: Annotated[float, typer.Option(help="Added latency per request.")] = 0.0,
    read_rps: Annotated[int, typer.Option(help="Reads per second per token (0: unlimited).")] = 100,
    write_rps: Annotated[int, typer.Option(help="Writes per second per token (0: unlimited).")] = 25,
    fault: Annotated[
        list[str] | None,
        typer.Option(
            help="Faults, e.g. 5xx=0.05, 401=0.01, drop=0.02, drop-after=0.02, slow=0.01:1500, seed=7."
        ),
    ] = None,
    merge_endpoint: Annotated[bool, typer.Option(help="Offer the native records/merge endpoint.")] = True,
    merge_delay_ms: Annotated[
        float, typer.Option(help="How long a native merge stays in progress (202).")
    ] = 0.0,
    token: Annotated[
        list[str] | None,
        typer.Option(
            help="Add a named API token, NAME or NAME:scope,scope (e.g. reimport or "
            "auditor:record_permission:read,note:read); repeatable."
        ),
    ] = None,
) -> None:
    """Serve a sandbox workspace until Ctrl-C.

    Example: attio-cleanup sandbox serve --seed empty --token first-import --token reimport
    """
    from .sandbox import SandboxConfig, build_sandbox, serve_forever
    from .sandbox.server import parse_faults, parse_token_option

    try:
        faults = parse_faults(fault or [], latency_ms)
    except ValueError as err:
        raise typer.BadParameter(str(err), param_hint="--fault") from None
    config = SandboxConfig(
        read_rps=read_rps,
        write_rps=write_rps,
        merge_endpoint=merge_endpoint,
        merge_delay_ms=merge_delay_ms,
        faults=faults,
    )
    try:
        sandbox = build_sandbox(seed, scale=scale, db=db, config=config)
    except ValueError as err:
        raise typer.BadParameter(str(err), param_hint="--seed") from None
    for option in token or ():
        try:
            name, scopes = parse_token_option(option)
            if name not in sandbox.tokens:  # a kept workspace (--db) has it from last time
                sandbox.add_token(name, scopes)
        except ValueError as err:
            raise typer.BadParameter(str(err), param_hint="--token") from None
    _print_holdings(sandbox.workspace.counts())
    console.print(f"Serving on [bold]http://127.0.0.1:{port}[/bold] (Ctrl-C stops). Sandbox tokens:")
    for name, held in sandbox.tokens.items():
        console.print(f"  {name:<18} {held.secret}")
    console.print(
        'More tokens: --token NAME[:scopes], or POST /_sandbox/tokens {"name": ...} with any token above.'
    )
    serve_forever(sandbox, port)


def _print_holdings(counts: dict[str, int]) -> None:
    table = Table(title="Sandbox workspace")
    table.add_column("what")
    table.add_column("count", justify="right")
    for key, value in counts.items():
        table.add_row(key, f"{value:,}")
    console.print(table)


def _fail(err: Exception) -> typer.Exit:
    """Print one clear line for an error and return the exit to raise (2: configuration or auth, 1: other)."""
    from .client.errors import AuthenticationError, ConfigurationError, PermissionDeniedError, TransportError

    if isinstance(err, AuthenticationError):
        message = f"the API key was not accepted ({err.message}). Check ATTIO_API_KEY (or the keyring entry)."
    elif isinstance(err, PermissionDeniedError):
        message = f"the API key lacks a permission: {err.message}"
    elif isinstance(err, TransportError):
        message = f"could not get an answer from {err.url.split('/v2/')[0]}: {err}. Check ATTIO_BASE_URL and the network."
    else:
        message = str(err)
    console.print(f"[bold red]error:[/bold red] {escape(message)}")
    return typer.Exit(
        2 if isinstance(err, AuthenticationError | ConfigurationError | PermissionDeniedError) else 1
    )


@contextlib.contextmanager
def _stops_on_ctrl_c(message: str) -> Iterator[None]:
    """Ctrl-C ends the command with exit code 130 and one line saying how to go on (the work itself has
    already unwound: see :mod:`cleanup.client.portal`); a second Ctrl-C meanwhile ends it at once."""
    try:
        yield
    except KeyboardInterrupt:
        from .client.portal import EXIT_INTERRUPTED, brace_for_repeat

        brace_for_repeat()
        err_console.print(f"\n{message}", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None


def _split(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


@app.command("export")
def export_command(
    out: Annotated[
        Path, typer.Option("--out", help="Snapshot folder (an interrupted export there resumes).")
    ],
    objects: Annotated[
        str | None, typer.Option(help="Only these objects, comma-separated (default: all).")
    ] = None,
    lists: Annotated[
        str | None, typer.Option(help="Only these lists, comma-separated (default: all).")
    ] = None,
    notes: Annotated[bool, typer.Option(help="Export notes.")] = True,
    tasks: Annotated[bool, typer.Option(help="Export tasks.")] = True,
    members: Annotated[bool, typer.Option(help="Export workspace members.")] = True,
    base_url: Annotated[
        str | None, typer.Option(help="API base URL (default: ATTIO_BASE_URL or Attio).")
    ] = None,
    unattended: Annotated[bool, typer.Option(help="Retry spurious 401s (for cron jobs).")] = False,
) -> None:
    """Export the workspace to a Parquet snapshot. The API key comes from ATTIO_API_KEY or the keyring.

    Example: attio-cleanup export --out snapshots/today --objects companies,people --no-tasks
    """
    from .client import AttioClient
    from .export import export

    stopped = f"stopped: the export resumes where it left off when run again into {out}"
    try:
        with (
            _stops_on_ctrl_c(stopped),
            AttioClient(base_url=base_url, policy="unattended" if unattended else "interactive") as client,
        ):
            snapshot = export(
                client,
                out,
                objects=_split(objects),
                lists=_split(lists),
                notes=notes,
                tasks=tasks,
                members=members,
            )
    except CleanupError as err:
        raise _fail(err) from None
    table = Table(title=escape(f"Snapshot of {snapshot.schema.workspace_name} at {out}"))
    table.add_column("part")
    table.add_column("rows", justify="right")
    for part, rows in snapshot.counts().items():
        table.add_row(part, f"{rows:,}")
    console.print(table)


recipes_app = typer.Typer(help="The detection recipes.", no_args_is_help=True)
app.add_typer(recipes_app, name="recipes")


@recipes_app.command("list")
def recipes_list() -> None:
    """List the recipes (built-in and registered by entry point) with their parameters.

    Example: attio-cleanup recipes list
    """
    from .detect.recipe import available

    for recipe in available().values():
        console.print(f"[bold]{recipe.name}[/bold]: {recipe.description}")
        for p in recipe.params:
            kind = "list" if p.type is tuple else p.type.__name__
            console.print(f"    --param {p.name}=… ({kind}, default {p.default!r}): {p.help}")


def _params(pairs: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs or []:
        name, equals, value = pair.partition("=")
        if not equals or not name.strip():
            raise typer.BadParameter(f"{pair!r}: write parameters as name=value", param_hint="--param")
        out[name.strip()] = value
    return out


@app.command("tokens")
def tokens_command(
    snapshot: Annotated[Path, typer.Option("--snapshot", help="Snapshot folder to read.")],
    label: Annotated[
        list[str] | None,
        typer.Option(help="Name a token, ID=LABEL (e.g. d4c8…=Affinity re-import); repeatable; ID= forgets."),
    ] = None,
) -> None:
    """Who wrote what: every API token and member that wrote notes, records or list entries, with counts,
    first and last write, and writes by day (a re-import shows as a wave). Labels given here are kept beside
    the snapshots; recipes and reports then take and show a token by its label.

    Example: attio-cleanup tokens --snapshot snapshots/today --label d4c82aec-8ebb-48be-8b4b-dc5dc3b7aef7="Affinity re-import"
    """
    from datetime import datetime

    from .export.snapshot import Snapshot, SnapshotError
    from .labels import Namer, when
    from .tokens import load_labels, save_label, sparkline, writers

    try:
        loaded = Snapshot.load(snapshot, require_complete=False)
    except SnapshotError as err:
        raise _fail(err) from None
    for pair in label or []:
        token_id, equals, name = pair.partition("=")
        if not equals or not token_id.strip():
            raise typer.BadParameter(f"{pair!r}: write labels as ID=LABEL", param_hint="--label")
        path = save_label(loaded, token_id.strip(), name)
        console.print(escape(f"Kept the label {name.strip()!r} for {token_id.strip()} in {path}"))
    found = writers(loaded)
    if found.height == 0:
        console.print("Nothing in this snapshot says who wrote it.")
        return
    namer = Namer(loaded, token_labels=load_labels(loaded))
    start, end = found["first"].dt.min(), found["last"].dt.max()
    assert isinstance(start, datetime)
    assert isinstance(end, datetime)
    table = Table(
        title=escape(f"Who wrote what in {loaded.schema.workspace_name} (snapshot {loaded.path.name})")
    )
    for column in ("who", "id", "notes", "records", "entries", "first write", "last write"):
        table.add_column(
            column,
            justify="right" if column in ("notes", "records", "entries") else "left",
            no_wrap=column in ("id", "first write", "last write"),
        )
    table.add_column(f"writes by day, {when(start)[:11].strip()} to {when(end)[:11].strip()}", no_wrap=True)
    for row in found.iter_rows(named=True):
        table.add_row(
            escape(namer.actor(row["actor_id"], row["actor_type"])),
            row["actor_id"],
            f"{row['notes']:,}",
            f"{row['records']:,}",
            f"{row['entries']:,}",
            when(row["first"])[:11].strip(),
            when(row["last"])[:11].strip(),
            sparkline(row["day"], row["len"], start, end),
        )
    console.print(table)
    if not load_labels(loaded):
        console.print(
            "Name the import keys to use them by name: attio-cleanup tokens --snapshot "
            f'{snapshot} --label ID="Affinity import"'
        )


@app.command("detect")
def detect_command(
    recipe: Annotated[str, typer.Argument(help="Recipe name (see `attio-cleanup recipes list`).")],
    snapshot: Annotated[Path, typer.Option("--snapshot", help="Snapshot folder to read.")],
    out: Annotated[Path, typer.Option("--out", help="Action table to write: .parquet, .csv or .xlsx.")],
    param: Annotated[
        list[str] | None, typer.Option("--param", help="A recipe parameter as name=value (repeatable).")
    ] = None,
) -> None:
    """Run a recipe over a snapshot and write the action table for review. Nothing is sent to Attio.

    Example: attio-cleanup detect duplicate_notes --snapshot snapshots/today --param max_gap_days=30 --out notes.xlsx
    """
    import warnings

    from .detect.recipe import detect
    from .detect.summary import print_summary
    from .export.snapshot import Snapshot

    if out.suffix.lower() not in (".parquet", ".csv", ".xlsx"):
        raise typer.BadParameter("write the action table as .parquet, .csv or .xlsx", param_hint="--out")
    try:
        with _stops_on_ctrl_c(
            "stopped: nothing was sent to Attio; run the command again for the action table"
        ):
            with warnings.catch_warnings(record=True) as noticed:
                warnings.simplefilter("always", UserWarning)
                table = detect(Snapshot.load(snapshot, require_complete=False), recipe, **_params(param))
            written = table.write(out)
    except CleanupError as err:
        raise _fail(err) from None
    for notice in noticed:  # what the recipe says of its input (a source that matched few notes)
        console.print(f"[yellow]Note:[/yellow] {escape(str(notice.message))}")
    print_summary(table, console, title=f"{recipe}: {len(table):,} findings")
    console.print(
        f"Action table written to [bold]{escape(str(written))}[/bold]; set `decision` to approve or reject and save."
    )


@app.command("report")
def report_command(
    actions: Annotated[Path, typer.Argument(help="The action table (.parquet, .csv or .xlsx).")],
    snapshot: Annotated[Path, typer.Option("--snapshot", help="The snapshot the table was detected on.")],
    out: Annotated[Path, typer.Option("--out", help="report.html (a page) or report.xlsx (to sign off).")],
    run: Annotated[
        str | None, typer.Option(help="Add the results of this run (its id, see `attio-cleanup runs`).")
    ] = None,
    token_label: Annotated[
        list[str] | None,
        typer.Option(
            "--token-label",
            help="Name an API token in the report: <token id>=<label>, e.g. 6c1f…=Affinity re-import "
            "(repeatable). Others show as 'API token …7aef7'.",
        ),
    ] = None,
) -> None:
    """Write the dry-run report a reviewer signs off: a self-contained HTML page, or a workbook with a
    summary sheet and one sheet per recipe (which `plan` and `apply` read back after review).

    Example: attio-cleanup report review/actions.xlsx --snapshot snapshots/today --out review/report.html
    --token-label 6c1f0a2e-…=Affinity re-import
    """
    labels: dict[str, str] = {}
    for item in token_label or []:
        token_id, sep, label = item.partition("=")
        if not sep or not token_id.strip() or not label.strip():
            raise _fail(ValueError(f"--token-label {item!r}: give it as <token id>=<label>"))
        labels[token_id.strip()] = label.strip()
    from .actions import ActionTable
    from .export.snapshot import Snapshot
    from .report import write_report

    try:
        table = ActionTable.read(actions)
        loaded = Snapshot.load(snapshot)
        result = None
        if run is not None:
            from .execute import Run, RunError
            from .execute.report import REPORT_SCHEMA, RunReport

            try:
                opened = Run.open(run)
            except RunError as err:
                raise _fail(err) from None
            opened.close()
            frame = _saved_run_frame(opened.folder / "report.parquet", REPORT_SCHEMA)
            result = RunReport(opened.run_id, opened.folder, frame)
        path = write_report(table, loaded, out, run=result, token_labels=labels)
    except CleanupError as err:
        raise _fail(err) from None
    console.print(f"Report written to [bold]{escape(str(path))}[/bold]")


def _saved_run_frame(path: Path, schema: dict[str, Any]) -> Any:
    """A run's saved report (empty with the right columns when the run has not finished)."""
    import polars as pl

    return pl.read_parquet(path) if path.exists() else pl.DataFrame(schema=schema)


@app.command("plan")
def plan_command(
    actions: Annotated[Path, typer.Argument(help="The reviewed action table (.parquet, .csv or .xlsx).")],
    snapshot: Annotated[Path, typer.Option("--snapshot", help="The snapshot the table was detected on.")],
    max_deletes: Annotated[
        int, typer.Option(help="Refuse a plan that deletes or merges away more items than this.")
    ] = 10_000,
) -> None:
    """Check the approved rows of a reviewed action table and show what applying them would do. Writes nothing.

    Example: attio-cleanup plan review/notes.xlsx --snapshot snapshots/today
    """
    import polars as pl

    from .actions import ActionTable
    from .execute import Plan
    from .export.snapshot import Snapshot

    try:
        table = ActionTable.read(actions)
        loaded = Snapshot.load(snapshot)
        plan = Plan(table, loaded, max_deletes=max_deletes)
    except CleanupError as err:
        raise _fail(err) from None
    _remember_decisions(table, loaded)
    decided = table.summary()
    pending = int(decided.filter(pl.col("decision") == "pending")["rows"].sum())
    rejected = int(decided.filter(pl.col("decision") == "reject")["rows"].sum())
    changes = Table(
        title=f"Plan: {len(plan):,} approved actions ({pending:,} pending and {rejected:,} rejected are left alone)"
    )
    for column in ("action", "object or list", "rows"):
        changes.add_column(column, justify="right" if column == "rows" else "left")
    for action, where, rows in plan.summary().rows():
        changes.add_row(action, where or "", f"{rows:,}")
    console.print(changes)
    calls = Table(title="API calls at the rate limits")
    for column in ("kind", "requests", "seconds"):
        calls.add_column(column, justify="left" if column == "kind" else "right")
    for kind, requests, seconds in plan.api_calls().rows():
        calls.add_row(kind, f"{requests:,}", f"{seconds:,.1f}")
    console.print(calls)
    console.print(
        f"About {plan.estimated_seconds():,.0f} s at Attio's rate limits. Nothing was written to Attio."
    )


def _remember_decisions(table: Any, snapshot: Any) -> None:
    """Keep the reviewer's rejections (never proposed again) and the decisions that teach the matching."""
    from .detect.store import remember, store_path

    kept = remember(table, snapshot)
    if kept:
        console.print(
            f"Remembered {kept:,} decisions in {store_path(snapshot)}: rejected pairs are not proposed again, "
            "and the next detection learns from every decided merge."
        )


def _print_report(report: Any) -> None:
    table = Table(title=f"Run {report.run_id}")
    for column in ("status", "actions"):
        table.add_column(column, justify="right" if column == "actions" else "left")
    for status, count in report.counts().items():
        table.add_row(status, f"{count:,}")
    console.print(table)
    problems = report.frame.filter(report.frame["status"] != "done").head(20)
    for action_id, action, target, status, detail, _, _ in problems.rows():
        console.print(escape(f"  {status}: {action} {target} ({action_id}): {detail}"))
    console.print(f"Backup, journal and report in [bold]{escape(str(report.folder))}[/bold]")
    if report.counts().get("unsettled"):
        console.print(f"Some steps are unsettled: run `attio-cleanup resume {report.run_id}` to finish them.")


@app.command("apply")
def apply_command(
    actions: Annotated[Path, typer.Argument(help="The reviewed action table (.parquet, .csv or .xlsx).")],
    snapshot: Annotated[Path, typer.Option("--snapshot", help="The snapshot the table was detected on.")],
    yes: Annotated[bool, typer.Option("--yes", help="Really apply; without it this is the dry run.")] = False,
    max_deletes: Annotated[
        int, typer.Option(help="Refuse a plan that deletes or merges away more items than this.")
    ] = 10_000,
    base_url: Annotated[
        str | None, typer.Option(help="API base URL (default: ATTIO_BASE_URL or Attio).")
    ] = None,
    canary: Annotated[
        int | None,
        typer.Option(help="Apply only the first N actions, verify them and stop; resume for the rest."),
    ] = None,
    unattended: UnattendedOption = False,
    merge: MergeOption = MergeChoice.auto,
    concurrency: ConcurrencyOption = 8,
) -> None:
    """Apply the approved rows: back up every target, then write, journalled. Dry run unless --yes.
    Ctrl-C stops cleanly after the requests in flight; `attio-cleanup resume RUN_ID` finishes the run.

    Exit codes: 0 done, 1 failed, 2 configuration or authentication, 3 done with skips, 4 stopped early
    (a canary or Ctrl-C: resume it), 5 nothing to do.

    Example: attio-cleanup apply review/notes.xlsx --snapshot snapshots/today --yes
    """
    if not yes:
        plan_command(actions, snapshot, max_deletes)
        console.print("Dry run only: add [bold]--yes[/bold] to apply.")
        return
    from .actions import ActionTable
    from .client import AttioClient
    from .execute import Plan
    from .export.snapshot import Snapshot

    try:
        table, loaded = ActionTable.read(actions), Snapshot.load(snapshot)
        plan = Plan(table, loaded, max_deletes=max_deletes)
        _remember_decisions(table, loaded)
        if len(plan) == 0:
            console.print("Nothing is approved: nothing to do.")
            raise typer.Exit(EXIT_NOTHING)
        with (
            _stops_on_ctrl_c(STOPPED_RUN.format(run="the run (the newest in `attio-cleanup runs`)")),
            AttioClient(base_url=base_url, policy="unattended" if unattended else "interactive") as client,
        ):
            report = plan.apply(client, canary=canary, merge=merge.value, concurrency=concurrency)
    except CleanupError as err:
        raise _fail(err) from None
    _print_report(report)
    if report.counts().get("not_started"):
        console.print(
            f"Stopped early: look at the result, then `attio-cleanup resume {report.run_id}` applies the rest."
        )
    raise typer.Exit(report.exit_code)


@app.command("resume")
def resume_command(
    run_id: Annotated[str, typer.Argument(help="The run to finish (its id, see `attio-cleanup runs`).")],
    base_url: Annotated[
        str | None, typer.Option(help="API base URL (default: ATTIO_BASE_URL or Attio).")
    ] = None,
    unattended: UnattendedOption = False,
    merge: MergeOption = MergeChoice.auto,
    concurrency: ConcurrencyOption = 8,
) -> None:
    """Finish an interrupted run: steps already done are not repeated, creates that may have happened are
    looked up first.

    Example: attio-cleanup resume 20261124T054500Z-1a2b3c
    """
    from .client import AttioClient
    from .execute import Run

    try:
        run = Run.open(run_id)
        try:
            with (
                _stops_on_ctrl_c(STOPPED_RUN.format(run=run_id)),
                AttioClient(
                    base_url=base_url, policy="unattended" if unattended else "interactive"
                ) as client,
            ):
                report = run.apply(client, merge=merge.value, concurrency=concurrency)
        finally:
            run.close()
    except CleanupError as err:
        raise _fail(err) from None
    _print_report(report)
    if report.counts().get("not_started"):
        console.print(f"Stopped early: `attio-cleanup resume {report.run_id}` applies the rest.")
    raise typer.Exit(report.exit_code)


@app.command("restore")
def restore_command(
    run_id: Annotated[str, typer.Argument(help="The run whose deletions to put back.")],
    yes: Annotated[
        bool, typer.Option("--yes", help="Really restore; without it, list what would be put back.")
    ] = False,
    only: Annotated[
        list[str] | None,
        typer.Option("--action", help="Restore only this action (its action_id; repeatable)."),
    ] = None,
    base_url: Annotated[
        str | None, typer.Option(help="API base URL (default: ATTIO_BASE_URL or Attio).")
    ] = None,
    unattended: UnattendedOption = False,
) -> None:
    """Put back what a run deleted or changed, from its backup: notes with their original dates, entries
    with their values, deleted records with their notes, entries, task links and references, merges
    un-merged, updated values put back, created items removed. Running it again restores nothing twice
    and retries what failed. Ctrl-C stops after the current action (run restore again to finish).

    Exit codes: 0 done, 1 some failed (run it again), 4 stopped early (run it again), 130 stopped at once.

    Example: attio-cleanup restore 20261124T054500Z-1a2b3c --yes
    """
    from .client import AttioClient
    from .execute import restore
    from .execute.restore import describe_outlook, describe_result, outlook

    try:
        if not yes:
            for line in describe_outlook(outlook(run_id, action_ids=only)):
                console.print(line, highlight=False, markup=False)
            console.print("Dry run only: add [bold]--yes[/bold] to restore.")
            return
        policy = "unattended" if unattended else "interactive"
        with AttioClient(base_url=base_url, policy=policy) as client:
            report = restore(run_id, client, action_ids=only)
    except CleanupError as err:
        raise _fail(err) from None
    except KeyboardInterrupt:
        console.print(f"\nStopped at once: run `attio-cleanup restore {run_id} --yes` again to finish.")
        raise typer.Exit(130) from None
    for line in describe_result(report, run_id):
        console.print(line, highlight=False, markup=False)
    statuses = set(report["status"])
    raise typer.Exit(1 if "failed" in statuses else 4 if "not_started" in statuses else 0)


@app.command()
def demo(
    out: Annotated[
        Path | None, typer.Option(help="Where the demo keeps everything (default: ./attio-demo).")
    ] = None,
    scale: Annotated[
        float, typer.Option(min=0.05, max=1.0, help="A smaller demo workspace (0.05 to 1).")
    ] = 1.0,
) -> None:
    """The whole story on the built-in sandbox: seed, export over the API, run every recipe, write the
    sign-off report, apply the high-confidence actions (backed up, journalled, verified), restore one
    deletion, and show what was found and fixed against the planted defects."""
    from .demo import run_demo

    run_demo(console, out, scale=scale)


from .importers.commands import import_app  # noqa: E402  (registered after the commands it reuses)

app.add_typer(import_app, name="import")


def main() -> None:  # pragma: no cover - console entry point
    """The ``attio-cleanup`` command: Ctrl-C stops a command cleanly (exit code 130, or 4 for a run that
    stopped after its requests in flight), a second Ctrl-C ends it at once."""
    from .client.portal import exit_at_once_on_repeat

    exit_at_once_on_repeat()
    app()

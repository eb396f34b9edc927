"""``attio-cleanup import ...``: Affinity exports into Attio, planned and applied like any cleanup."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import CleanupError

if TYPE_CHECKING:
    from rich.console import Console

    from ..execute import RunReport
    from .affinity import ImportResult
    from .session import Prepared

ReportOption = Annotated[
    Path | None,
    typer.Option(
        help="Write the sign-off report (.html or .xlsx): what the import does, and where every item of the files "
        "went; after --yes, with the run's results."
    ),
]
STOPPED = (
    "stopped: run the same import again to go on; what it already wrote is matched in Attio, "
    "not written twice"
)
import_app = typer.Typer(
    help="Bring Affinity exports or any CSV into Attio, idempotently.", no_args_is_help=True
)
affinity_app = typer.Typer(
    help="Import Affinity exports (organizations, people, list exports, notes). Dry run unless --yes.",
    invoke_without_command=True,
)
import_app.add_typer(affinity_app, name="affinity")


@affinity_app.callback()
def affinity_command(
    ctx: typer.Context,
    exports: Annotated[Path | None, typer.Option(help="The folder of Affinity CSV exports.")] = None,
    notes: Annotated[
        list[Path] | None, typer.Option(help="Affinity notes as API v1 or v2 JSON (repeatable).")
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option(help="The mapping file (see `import affinity init`).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Where to write the action table for review (.xlsx, .csv, .parquet).")
    ] = None,
    report: ReportOption = None,
    work: Annotated[
        Path | None, typer.Option(help="Folder for the import's snapshot (default: imports/<time>).")
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", help="Apply the approved rows (first the lists and attributes it makes).")
    ] = False,
    base_url: Annotated[
        str | None, typer.Option(help="API base URL (default: ATTIO_BASE_URL or Attio).")
    ] = None,
) -> None:
    """Build the import's action table against a fresh snapshot and print what it would do; with --yes,
    apply the approved rows (rows with collisions stay pending for review).

    Example: attio-cleanup import affinity --exports exports/ --notes notes.json --mapping map.toml --yes
    """
    if ctx.invoked_subcommand is not None:
        return
    from rich.markup import escape

    from ..cli import _fail, _print_report, _stops_on_ctrl_c, console
    from ..client import AttioClient
    from .mapping import Mapping
    from .session import imported_counts, prepare_affinity

    if exports is None or mapping is None:
        console.print(
            "[bold red]error:[/bold red] give --exports and --mapping (make one with `import affinity init`)"
        )
        raise typer.Exit(2)
    folder = work or Path("imports") / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    try:
        loaded = Mapping.load(mapping)
        with _stops_on_ctrl_c(STOPPED), AttioClient(base_url=base_url) as client:
            prepared = prepare_affinity(client, loaded, exports, list(notes or []), folder)
            result = prepared.result
            console.print(f"Snapshot of the workspace in [bold]{prepared.snapshot.path}[/bold]")
            for file, note in result.encodings.items():
                console.print(f"{escape(file)}: {escape(note)}")
            _print_accounting(console, result)
            table = result.table
            counts = table.frame.group_by("action", "decision").len().sort("action", "decision").rows()
            for action, decision, n in counts:
                console.print(f"  {action} ({decision}): {n:,}")
            _print_alerts(console, result)
            if out is not None:
                table.write(out)
                console.print(f"Action table for review: [bold]{out}[/bold]")
            _print_schema_changes(console, prepared.schema_changes)
            if not yes:
                prepared.plan()  # what Attio would refuse is refused now, not at --yes
                _write_report(console, prepared, report)
                console.print("Dry run only: add [bold]--yes[/bold] to import.")
                return
            if not table.approved().height:
                console.print("Nothing to import: the workspace already holds every approved row.")
                raise typer.Exit(0)
            applied = prepared.apply(client)
            after = imported_counts(client, loaded)
            _write_report(console, prepared, report, applied)
    except CleanupError as err:
        raise _fail(err) from None
    _print_report(applied)
    console.print("In the export and in Attio now:")
    for kind, count in result.source_counts.items():
        if kind in after:
            mark = (
                ""
                if after[kind] == count
                else "  (the difference: members, findings left pending, skipped rows)"
            )
            console.print(f"  {kind}: {count:,} in the export, {after[kind]:,} in Attio{mark}")
    raise typer.Exit(applied.exit_code)


def _write_report(
    console: Console, prepared: Prepared, path: Path | None, run: RunReport | None = None
) -> None:
    """The import's sign-off report, with its accounting (and the run's results, after one)."""
    if path is None:
        return
    from rich.markup import escape

    from ..report import write_report

    result = prepared.result
    title = "Import sign-off" if run is None else "Import results"
    written = write_report(
        result.table,
        prepared.snapshot,
        path,
        run=run,
        title=title,
        accounting=result.accounting(),
        items=result.items_frame(),
    )
    console.print(f"Report: [bold]{escape(str(written))}[/bold]")


def _print_schema_changes(console: Console, changes: list[str]) -> None:
    """What the import makes in the workspace before any record (the executor makes it, journalled)."""
    from rich.markup import escape

    if changes:
        console.print(f"[bold]Made in the workspace first[/bold] ({len(changes):,}):")
        for line in changes:
            console.print(f"  {escape(line)}")


def _print_accounting(console: Console, result: ImportResult) -> None:
    """Every input item accounted for, per file and kind: read = imported + already there + pending +
    refused + skipped."""
    from rich.markup import escape

    from .affinity import Outcome

    for row in result.accounting().iter_rows(named=True):
        parts = [f"{row[o.value]:,} {o.value}" for o in Outcome if row[o.value]]
        console.print(
            f"{escape(row['file'])} ({escape(row['kind'])}): {row['read']:,} read = {' + '.join(parts) or 'none'}"
        )


def _print_alerts(console: Console, result: ImportResult, shown: int = 20) -> None:
    """What needs a decision (pending, with the reason and the fix), what was refused and what was skipped,
    each in a sentence."""
    import polars as pl
    from rich.markup import escape

    from .affinity import Outcome

    pending = result.table.frame.filter(pl.col("decision") == "pending")
    if pending.height:
        console.print(
            f"[bold]Needs a decision[/bold] ({pending.height:,} rows left pending: write the table with --out, set `decision` to approve, then `attio-cleanup plan`):"
        )
        for action_id, reason in pending.select("action_id", "reason").head(shown).rows():
            console.print(f"  {escape(action_id)}: {escape(reason or '')}")
        if pending.height > shown:
            console.print(f"  ... and {pending.height - shown:,} more (all in the action table)")
    for outcome in (Outcome.REFUSED, Outcome.SKIPPED):
        items = result.reasons(outcome)
        if items:
            console.print(f"[bold]{outcome.value.capitalize()}[/bold] ({len(items):,}):")
            for item in items[:shown]:
                console.print(f"  {escape(item.file)}: {escape(item.reason)}")
            if len(items) > shown:
                console.print(f"  ... and {len(items) - shown:,} more")
    others = [line for line in result.not_imported if not any(line in i.reason for i in result.items)]
    for line in others[:shown]:
        console.print(f"  not imported: {escape(line)}")
    if len(others) > shown:
        console.print(f"  ... and {len(others) - shown:,} more not imported")


@affinity_app.command("init")
def init_command(
    exports: Annotated[Path, typer.Option(help="The folder of Affinity CSV exports.")],
    out: Annotated[Path, typer.Option(help="Where to write the mapping file.")] = Path(
        "affinity-mapping.toml"
    ),
    offline: Annotated[
        bool, typer.Option("--offline", help="Do not read the workspace's schema (slugs are then guesses).")
    ] = False,
    base_url: Annotated[
        str | None, typer.Option(help="API base URL (default: ATTIO_BASE_URL or Attio).")
    ] = None,
) -> None:
    """Write a mapping file guessed from the exports' headers and the workspace's lists and attributes (read
    when an API key is set), to check before the import: as written, it runs.

    Example: attio-cleanup import affinity init --exports exports/ --out map.toml
    """
    from rich.markup import escape

    from ..cli import _fail, console
    from ..client import AttioClient
    from ..client.client import resolve_token
    from ..client.errors import ConfigurationError
    from ..export.schema import WorkspaceSchema, fetch_schema
    from ..files import write_private
    from .init import guess_mapping

    if out.exists():
        console.print(
            f"[bold red]error:[/bold red] {escape(str(out))} exists; choose another --out or remove it"
        )
        raise typer.Exit(1)
    schema: WorkspaceSchema | None = None
    try:
        if not offline:
            try:
                resolve_token(None)
            except ConfigurationError:
                console.print(
                    "No Attio API key, so the workspace was not read: list slugs and attributes are guesses "
                    "(set ATTIO_API_KEY and run init again, or check them by hand)."
                )
            else:
                with AttioClient(base_url=base_url) as client:
                    schema = client.run(fetch_schema(client.aio))
        text = guess_mapping(exports, schema)
    except CleanupError as err:
        raise _fail(err) from None
    write_private(out, text.encode("utf-8"))
    console.print(
        f"Mapping written to [bold]{out}[/bold]: check the slugs, then run `attio-cleanup import affinity`."
    )


def _pairs(values: list[str] | None, option: str) -> dict[str, list[str]]:
    """``"Column=slug"`` options → column → slugs (a column may feed several attributes)."""
    out: dict[str, list[str]] = {}
    for value in values or []:
        column, sep, slug = value.rpartition("=")
        if not sep or not column.strip() or not slug.strip():
            raise typer.BadParameter(f"{value!r}: write {option} 'Column name=attribute_slug'")
        out.setdefault(column.strip(), []).append(slug.strip())
    return out


@import_app.command("csv")
def csv_command(
    file: Annotated[Path, typer.Argument(help="The CSV file (encoding and delimiter are recognised).")],
    object_slug: Annotated[str, typer.Option("--object", help="The Attio object the rows become.")],
    match: Annotated[str, typer.Option(help="The unique attribute rows are matched on (e.g. domains).")],
    column: Annotated[
        list[str],
        typer.Option(
            help="'Column=attribute_slug' (repeatable); name parts as 'First Name=name.first_name', "
            "'Last Name=name.last_name'."
        ),
    ],
    list_slug: Annotated[
        str | None, typer.Option("--list", help="Also add each record to this list.")
    ] = None,
    entry_column: Annotated[
        list[str] | None, typer.Option(help="'Column=list_attribute_slug' for the list entry (repeatable).")
    ] = None,
    note_column: Annotated[
        str | None, typer.Option(help="A column whose text becomes a note per row.")
    ] = None,
    note_title_column: Annotated[str | None, typer.Option(help="The column with each note's title.")] = None,
    note_date_column: Annotated[str | None, typer.Option(help="The column with each note's date.")] = None,
    separator: Annotated[str, typer.Option(help="Between the values of a multi-valued cell.")] = ";",
    date_format: Annotated[str, typer.Option(help="iso, mdy or dmy: how slashed dates are read.")] = "iso",
    phone_region: Annotated[
        str | None, typer.Option(help="Region of phone numbers without +country.")
    ] = None,
    phone_region_column: Annotated[
        str | None,
        typer.Option(help="A country column (name or ISO code) giving each row's phone region."),
    ] = None,
    require_link: Annotated[
        list[str] | None,
        typer.Option(help="A record-reference attribute a row is refused without (repeatable)."),
    ] = None,
    encoding: Annotated[
        str | None, typer.Option(help="The file's encoding (recognised if not given).")
    ] = None,
    skip_invalid: Annotated[
        bool, typer.Option(help="Import the valid rows; write the others to a reject file.")
    ] = False,
    reject_file: Annotated[
        Path | None, typer.Option(help="Where rejected rows go (default FILE.rejected.csv).")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Where to write the action table for review.")] = None,
    report: ReportOption = None,
    work: Annotated[Path | None, typer.Option(help="Folder for the import's snapshot.")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Apply the approved rows.")] = False,
    base_url: Annotated[
        str | None, typer.Option(help="API base URL (default: ATTIO_BASE_URL or Attio).")
    ] = None,
) -> None:
    """Import any CSV into one object, matched on a unique attribute: a re-run updates instead of
    duplicating. Every bad cell is reported (row, column, value, fix) and nothing is written, unless
    --skip-invalid. Dry run unless --yes.

    Example: attio-cleanup import csv leads.csv --object companies --match domains --column "Website=domains" --column "Company=name" --yes
    """
    from rich.markup import escape

    from ..cli import _fail, _print_report, _stops_on_ctrl_c, console
    from ..client import AttioClient
    from .coerce import Options
    from .csv import CsvImportResult, CsvSpec, NoteColumns
    from .session import prepare_csv

    if date_format not in ("iso", "mdy", "dmy"):
        raise typer.BadParameter("--date-format takes iso, mdy or dmy")
    spec = CsvSpec(
        file,
        object_slug,
        match,
        _pairs(column, "--column"),
        list_slug,
        _pairs(entry_column, "--entry-column"),
        NoteColumns(note_column, note_title_column, note_date_column) if note_column else None,
        Options(separator, date_format, phone_region),
        encoding,
        skip_invalid,
        reject_file,
        phone_region_column,
        frozenset(require_link or []),
    )
    folder = work or Path("imports") / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    try:
        with _stops_on_ctrl_c(STOPPED), AttioClient(base_url=base_url) as client:
            prepared = prepare_csv(client, spec, folder)
            result = prepared.result
            if isinstance(result, CsvImportResult):
                console.print(f"{escape(file.name)}: {escape(result.encoding_note)}")
                console.print(f"{escape(file.name)}: {result.lines.sentence()}")
            _print_accounting(console, result)
            for action, decision, n in (
                result.table.frame.group_by("action", "decision").len().sort("action", "decision").rows()
            ):
                console.print(f"  {action} ({decision}): {n:,}")
            _print_alerts(console, result)
            if isinstance(result, CsvImportResult) and result.links_left_out:
                console.print(f"[bold]Imported without the link[/bold] ({len(result.links_left_out):,}):")
                for line in result.links_left_out[:20]:
                    console.print(f"  {escape(line)}")
            if result.not_imported:
                rejected = reject_file or file.with_name(f"{file.stem}.rejected.csv")
                console.print(
                    f"  {len(result.not_imported):,} problems; their rows are in [bold]{escape(str(rejected))}[/bold]"
                )
            if out is not None:
                result.table.write(out)
                console.print(f"Action table for review: [bold]{out}[/bold]")
            if not yes:
                prepared.plan()  # what Attio would refuse is refused now, not at --yes
                _write_report(console, prepared, report)
                console.print("Dry run only: add [bold]--yes[/bold] to import.")
                return
            if not result.table.approved().height:
                console.print("Nothing to import: the workspace already holds every approved row.")
                raise typer.Exit(0)
            applied = prepared.apply(client)
            _write_report(console, prepared, report, applied)
    except CleanupError as err:
        raise _fail(err) from None
    _print_report(applied)
    raise typer.Exit(applied.exit_code)

"""``attio-cleanup import ...``: Affinity exports into Attio, planned and applied like any cleanup."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

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
    work: Annotated[
        Path | None, typer.Option(help="Folder for the import's snapshot (default: imports/<time>).")
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", help="Create the id attributes and apply the approved rows.")
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
    from ..cli import _fail, _print_report, _stops_on_ctrl_c, console
    from ..client import AttioClient
    from ..client.errors import AttioError
    from ..execute import PlanError, RunError
    from ..execute.backup import BackupError
    from ..export.snapshot import SnapshotError
    from .mapping import Mapping
    from .reading import ImportInputError
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
            prepared = prepare_affinity(
                client, loaded, exports, list(notes or []), folder, create_attributes=yes
            )
            result = prepared.result
            console.print(f"Snapshot of the workspace in [bold]{prepared.snapshot.path}[/bold]")
            for kind, count in result.source_counts.items():
                same = result.unchanged.get(kind, 0)
                console.print(f"{kind}: {count:,} in the export, {same:,} already in Attio as they are")
            table = result.table
            counts = table.frame.group_by("action", "decision").len().sort("action", "decision").rows()
            for action, decision, n in counts:
                console.print(f"  {action} ({decision}): {n:,}")
            for line in result.not_imported[:20]:
                console.print(f"  not imported: {line}")
            if len(result.not_imported) > 20:
                console.print(f"  ... and {len(result.not_imported) - 20} more not imported")
            if out is not None:
                table.write(out)
                console.print(f"Action table for review: [bold]{out}[/bold]")
            if prepared.missing_attributes:
                console.print(
                    f"To be created first: the {loaded.id_attribute} attribute on {', '.join(prepared.missing_attributes)}"
                )
            if not yes:
                console.print("Dry run only: add [bold]--yes[/bold] to import.")
                return
            if not table.approved().height:
                console.print("Nothing to import: the workspace already holds every approved row.")
                raise typer.Exit(0)
            report = prepared.plan().apply(client)
            after = imported_counts(client, loaded)
    except (ImportInputError, PlanError, SnapshotError, RunError, BackupError, AttioError) as err:
        raise _fail(err) from None
    _print_report(report)
    console.print("In the export and in Attio now:")
    for kind, count in result.source_counts.items():
        if kind in after:
            mark = (
                ""
                if after[kind] == count
                else "  (the difference: members, findings left pending, skipped rows)"
            )
            console.print(f"  {kind}: {count:,} in the export, {after[kind]:,} in Attio{mark}")
    raise typer.Exit(report.exit_code)


@affinity_app.command("init")
def init_command(
    exports: Annotated[Path, typer.Option(help="The folder of Affinity CSV exports.")],
    out: Annotated[Path, typer.Option(help="Where to write the mapping file.")] = Path(
        "affinity-mapping.toml"
    ),
) -> None:
    """Write a mapping file guessed from the exports' headers, to edit before the import.

    Example: attio-cleanup import affinity init --exports exports/ --out map.toml
    """
    from ..cli import _fail, console
    from .init import guess_mapping
    from .reading import ImportInputError

    if out.exists():
        console.print(f"[bold red]error:[/bold red] {out} exists; choose another --out or remove it")
        raise typer.Exit(1)
    try:
        text = guess_mapping(exports)
    except ImportInputError as err:
        raise _fail(err) from None
    out.write_text(text, encoding="utf-8")
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
    column: Annotated[list[str], typer.Option(help="'Column=attribute_slug' (repeatable).")],
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
    from ..cli import _fail, _print_report, _stops_on_ctrl_c, console
    from ..client import AttioClient
    from ..client.errors import AttioError
    from ..execute import PlanError, RunError
    from ..export.snapshot import SnapshotError
    from .coerce import Options
    from .csv import CsvSpec, NoteColumns
    from .reading import ImportInputError
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
    )
    folder = work or Path("imports") / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    try:
        with _stops_on_ctrl_c(STOPPED), AttioClient(base_url=base_url) as client:
            prepared = prepare_csv(client, spec, folder)
            result = prepared.result
            for name, count in result.source_counts.items():
                console.print(
                    f"{name}: {count:,} rows, {result.unchanged.get(name, 0):,} already in Attio as they are"
                )
            for action, decision, n in (
                result.table.frame.group_by("action", "decision").len().sort("action", "decision").rows()
            ):
                console.print(f"  {action} ({decision}): {n:,}")
            if result.not_imported:
                rejected = reject_file or file.with_name(f"{file.stem}.rejected.csv")
                console.print(
                    f"  {len(result.not_imported):,} bad cells; their rows are in [bold]{rejected}[/bold]"
                )
            if out is not None:
                result.table.write(out)
                console.print(f"Action table for review: [bold]{out}[/bold]")
            if not yes:
                console.print("Dry run only: add [bold]--yes[/bold] to import.")
                return
            if not result.table.approved().height:
                console.print("Nothing to import: the workspace already holds every approved row.")
                raise typer.Exit(0)
            report = prepared.plan().apply(client)
    except (ImportInputError, PlanError, SnapshotError, RunError, AttioError) as err:
        raise _fail(err) from None
    _print_report(report)
    raise typer.Exit(report.exit_code)

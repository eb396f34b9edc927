"""``import affinity``, ``import affinity init`` and ``import csv``: Affinity exports or any CSV into Attio,
planned and applied like any cleanup."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from ..files import write_private
from .common import (
    EXIT_CONFIGURATION,
    BaseUrlOption,
    attio_client,
    console,
    exits_on_error,
    fail,
    stops_on_ctrl_c,
)

# The importers (and the HTML and CSV readers they load) are imported by the commands that use them, to keep
# the command line quick to start.
if TYPE_CHECKING:
    from ..client import AttioClient
    from ..importers.csv import CsvSpec
    from ..importers.session import Prepared

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
NO_KEY = (
    "No Attio API key, so the workspace was not read: list slugs and attributes are guesses "
    "(set ATTIO_API_KEY and run init again, or check them by hand)."
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
    base_url: BaseUrlOption = None,
) -> None:
    """Build the import's action table against a fresh snapshot and print what it would do; with --yes,
    apply the approved rows (rows with collisions stay pending for review).

    Example: attio-cleanup import affinity --exports exports/ --notes notes.json --mapping map.toml --yes
    """
    if ctx.invoked_subcommand is not None:
        return
    from ..importers.mapping import Mapping
    from ..importers.session import prepare_affinity
    from ..importers.summary import default_folder

    if exports is None or mapping is None:
        message = "give --exports and --mapping (make one with `import affinity init`)"
        raise fail(message, EXIT_CONFIGURATION)
    with exits_on_error():
        loaded = Mapping.load(mapping)
        with stops_on_ctrl_c(STOPPED), attio_client(base_url) as client:
            prepared = prepare_affinity(client, loaded, exports, list(notes or []), work or default_folder())
            _review_or_apply(client, prepared, out, report, yes)


@affinity_app.command("init")
def init_command(
    exports: Annotated[Path, typer.Option(help="The folder of Affinity CSV exports.")],
    out: Annotated[Path, typer.Option(help="Where to write the mapping file.")] = Path(
        "affinity-mapping.toml"
    ),
    offline: Annotated[
        bool, typer.Option("--offline", help="Do not read the workspace's schema (slugs are then guesses).")
    ] = False,
    base_url: BaseUrlOption = None,
) -> None:
    """Write a mapping file guessed from the exports' headers and the workspace's lists and attributes (read
    when an API key is set), to check before the import: as written, it runs.

    Example: attio-cleanup import affinity init --exports exports/ --out map.toml
    """
    from ..importers.init import guess_mapping, workspace_schema

    if out.exists():
        raise fail(f"{out} exists; choose another --out or remove it")
    with exits_on_error():
        schema = None if offline else workspace_schema(base_url)
        if schema is None and not offline:
            console.print(NO_KEY)
        text = guess_mapping(exports, schema)
    write_private(out, text.encode("utf-8"))
    console.print(
        f"Mapping written to [bold]{escape(str(out))}[/bold]: check the slugs, then run `attio-cleanup import affinity`."
    )


@import_app.command("csv")
def csv_command(
    ctx: typer.Context,
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
    base_url: BaseUrlOption = None,
) -> None:
    """Import any CSV into one object, matched on a unique attribute: a re-run updates instead of
    duplicating. Every bad cell is reported (row, column, value, fix) and nothing is written, unless
    --skip-invalid. Dry run unless --yes.

    Example: attio-cleanup import csv leads.csv --object companies --match domains --column "Website=domains" --column "Company=name" --yes
    """
    from ..importers.session import prepare_csv
    from ..importers.summary import default_folder

    spec = _csv_spec(**ctx.params)
    with exits_on_error(), stops_on_ctrl_c(STOPPED), attio_client(base_url) as client:
        prepared = prepare_csv(client, spec, work or default_folder())
        _review_or_apply(client, prepared, out, report, yes)


def _review_or_apply(
    client: AttioClient, prepared: Prepared, out: Path | None, report: Path | None, yes: bool
) -> None:
    """What the import would do (and the action table for review); then the dry run's check and sign-off
    report, or (``yes``) the import applied, ending the command with the run's exit code."""
    from ..importers.summary import apply_import, check_import, preview_import

    console.print(preview_import(prepared, out))
    if not yes:
        console.print(check_import(prepared, report))
        console.print("Dry run only: add [bold]--yes[/bold] to import.")
        return
    outcome = apply_import(client, prepared, report)
    console.print(outcome)
    raise typer.Exit(outcome.exit_code)


def _csv_spec(
    file: Path,
    object_slug: str,
    match: str,
    column: list[str],
    list_slug: str | None,
    entry_column: list[str] | None,
    note_column: str | None,
    note_title_column: str | None,
    note_date_column: str | None,
    separator: str,
    date_format: str,
    phone_region: str | None,
    phone_region_column: str | None,
    require_link: list[str] | None,
    encoding: str | None,
    skip_invalid: bool,
    reject_file: Path | None,
    **_: object,
) -> CsvSpec:
    """The import the ``import csv`` options describe (the options it does not read: ``_``)."""
    from ..importers.coerce import Options
    from ..importers.csv import CsvSpec, NoteColumns

    if date_format not in ("iso", "mdy", "dmy"):
        raise typer.BadParameter("--date-format takes iso, mdy or dmy")
    return CsvSpec(
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


def _pairs(values: list[str] | None, option: str) -> dict[str, list[str]]:
    """``"Column=slug"`` options → column → slugs (a column may feed several attributes)."""
    out: dict[str, list[str]] = {}
    for value in values or []:
        column, sep, slug = value.rpartition("=")
        if not sep or not column.strip() or not slug.strip():
            raise typer.BadParameter(f"{value!r}: write {option} 'Column name=attribute_slug'")
        out.setdefault(column.strip(), []).append(slug.strip())
    return out

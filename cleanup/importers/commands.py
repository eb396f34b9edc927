"""``attio-cleanup import ...``: Affinity exports into Attio, planned and applied like any cleanup."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

import_app = typer.Typer(help="Bring Affinity exports into Attio, idempotently.", no_args_is_help=True)
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
    from ..cli import _fail, _print_report, console
    from ..client import AttioClient
    from ..client.errors import AttioError
    from ..execute import PlanError, RunError
    from ..execute.backup import BackupError
    from ..export.snapshot import SnapshotError
    from .mapping import Mapping
    from .reading import ImportInputError
    from .session import prepare_affinity

    if exports is None or mapping is None:
        console.print(
            "[bold red]error:[/bold red] give --exports and --mapping (make one with `import affinity init`)"
        )
        raise typer.Exit(2)
    folder = work or Path("imports") / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    try:
        loaded = Mapping.load(mapping)
        with AttioClient(base_url=base_url) as client:
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
    except (ImportInputError, PlanError, SnapshotError, RunError, BackupError, AttioError) as err:
        raise _fail(err) from None
    _print_report(report)
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

"""The ``attio-cleanup`` command line, a skin over the library: each command reads its options, calls one
public function, and prints what it returns (the library's objects render themselves on a rich console).

    common      the console, the one error printer, exit codes, Ctrl-C, shared options
    snapshot    export                  tokens   tokens
    detect      detect, recipes list    review   report, plan
    run         apply, resume, restore, runs
    imports     import affinity, import affinity init, import csv
    sandbox     sandbox serve           demo     demo
    doctor      doctor
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from ..client.portal import exit_at_once_on_repeat
from ..execute.run import RUNS_ENV
from . import demo, detect, doctor, imports, review, run, sandbox, snapshot, tokens

app = typer.Typer(
    help="Clean up and migrate data in the Attio CRM: export, detect, review, execute, restore.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


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
        os.environ[RUNS_ENV] = str(runs_dir.expanduser().resolve())


app.command("doctor")(doctor.doctor_command)
app.command("runs")(run.runs_command)
app.add_typer(sandbox.sandbox_app, name="sandbox")
app.command("export")(snapshot.export_command)
app.add_typer(detect.recipes_app, name="recipes")
app.command("tokens")(tokens.tokens_command)
app.command("detect")(detect.detect_command)
app.command("report")(review.report_command)
app.command("plan")(review.plan_command)
app.command("apply")(run.apply_command)
app.command("resume")(run.resume_command)
app.command("restore")(run.restore_command)
app.command()(demo.demo)
app.add_typer(imports.import_app, name="import")


def main() -> None:  # pragma: no cover - console entry point
    """The ``attio-cleanup`` command: Ctrl-C stops a command cleanly (exit code 130, or 4 for a run that
    stopped after its requests in flight), a second Ctrl-C ends it at once."""
    exit_at_once_on_repeat()
    app()


__all__ = ["app", "main"]

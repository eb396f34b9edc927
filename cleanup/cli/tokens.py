"""``tokens``: who wrote what in a snapshot, and the labels given to API tokens."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import SnapshotOption, console, exits_on_error, pairs


def tokens_command(
    snapshot: SnapshotOption,
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
    labels = pairs(label, "write labels as ID=LABEL", "--label")
    with exits_on_error():
        from ..export.snapshot import Snapshot
        from ..report.writers import who_wrote  # the report layer: loaded when used

        console.print(who_wrote(Snapshot.load(snapshot, require_complete=False), labels))

"""A header-only or empty export is refused, naming the file and the fix, before any request; nothing is
written. With ``allow_empty = true`` it imports nothing from it, and says so in the accounting."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cleanup.importers.mapping import Mapping
from cleanup.importers.reading import ImportInputError
from cleanup.importers.session import prepare_affinity
from cleanup.testing import RunningSandbox
from tests.conftest import client_for
from tests.importers.conftest import FIXTURES

HEADER_ONLY = FIXTURES / "empty" / "opportunities-header-only.csv"


@pytest.mark.parametrize("content", ["header-only", "empty"])
def test_an_empty_export_is_refused_and_nothing_is_written(
    workspace: RunningSandbox, tmp_path: Path, content: str
) -> None:
    folder = tmp_path / "exports"
    shutil.copytree(FIXTURES, folder, ignore=shutil.ignore_patterns("list-only", "empty"))
    target = folder / "opportunities.csv"
    if content == "header-only":
        shutil.copy(HEADER_ONLY, target)
    else:
        target.write_text("\n")
    log: list[str] = []
    with client_for(workspace, log) as client, pytest.raises(ImportInputError) as caught:
        prepare_affinity(client, Mapping.load(folder / "mapping.toml"), folder, None, tmp_path / "w")
    message = str(caught.value)
    assert "opportunities.csv: " in message
    assert "set allow_empty = true in [objects.opportunities]" in message
    assert "nothing was written" in message
    assert log == []  # refused before any request

    mapping = folder / "mapping.toml"
    mapping.write_text(
        mapping.read_text().replace(
            'id_column = "Opportunity Id"', 'id_column = "Opportunity Id"\nallow_empty = true'
        )
    )
    with client_for(workspace) as client:
        prepared = prepare_affinity(client, Mapping.load(mapping), folder, None, tmp_path / "w2")
    accounting = prepared.result.accounting()
    row = accounting.filter(accounting["file"] == "opportunities.csv").row(0, named=True)
    assert (row["read"], row["balanced"]) == (0, True)

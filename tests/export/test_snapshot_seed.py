"""A sandbox seeded from a snapshot holds the same workspace: exporting it again gives the same snapshot."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleanup.client import AttioClient
from cleanup.export import export
from cleanup.sandbox import build_sandbox
from cleanup.testing import sandbox_server

from ..conftest import unlimited


def test_export_seed_export_round_trip(tmp_path: Path) -> None:
    with (
        sandbox_server("demo", scale=0.2, config=unlimited()) as sb,
        AttioClient(sb.tokens["primary"], sb.base_url, read_rps=0) as client,
    ):
        first = export(client, tmp_path / "first", progress=False)
    with sandbox_server(str(tmp_path / "first"), config=unlimited()) as copy:
        with AttioClient(copy.tokens["primary"], copy.base_url, read_rps=0) as client:
            second = export(client, tmp_path / "second", progress=False)
        assert copy.tokens["primary"] != sb.tokens["primary"]
    assert first.manifest["schema"] == second.manifest["schema"]
    assert set(first.parts) == set(second.parts)
    for part in first.parts:
        a, b = first._scan(part).collect(), second._scan(part).collect()
        assert a.equals(b), part


def test_seed_refuses_what_is_not_a_complete_snapshot(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown seed"):
        build_sandbox(str(tmp_path))

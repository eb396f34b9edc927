"""``import affinity init`` writes a mapping that runs as generated: organizations only in a list export get
an organizations section, the list's slug comes from the workspace's lists (never the file name with its
export date), and a dry run with the untouched mapping succeeds, over real HTTP."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleanup.cli import app
from cleanup.importers.init import choose_list, export_name
from cleanup.importers.mapping import Mapping
from cleanup.testing import RunningSandbox, sandbox_server
from tests.conftest import unlimited
from tests.importers.conftest import FIXTURES

LIST_ONLY = FIXTURES / "list-only"
LIST_FILE = "Deal_pipeline_All_deals__export_10-Oct-2025.csv"


def _env(sb: RunningSandbox) -> dict[str, str]:
    return {"ATTIO_API_KEY": sb.tokens["primary"], "ATTIO_BASE_URL": sb.base_url, "COLUMNS": "200"}


@pytest.mark.parametrize(
    "exports", [pytest.param(LIST_ONLY, id="list-only"), pytest.param(FIXTURES, id="all")]
)
def test_the_generated_mapping_runs_as_generated(
    workspace: RunningSandbox, tmp_path: Path, exports: Path
) -> None:
    folder = tmp_path / "exports"
    shutil.copytree(exports, folder, ignore=shutil.ignore_patterns("*.toml", "*.json", "list-only"))
    runner = CliRunner()
    made = runner.invoke(
        app,
        ["import", "affinity", "init", "--exports", str(folder), "--out", str(tmp_path / "m.toml")],
        env=_env(workspace),
    )
    assert made.exit_code == 0, made.output
    mapping = Mapping.load(tmp_path / "m.toml")
    assert [lm.list_slug for lm in mapping.lists.values()] == ["pipeline"]  # the workspace's, not the file's
    assert all(lm.records in mapping.objects for lm in mapping.lists.values())
    if exports == LIST_ONLY:
        organizations = mapping.objects["organizations"]
        assert (organizations.file, organizations.object) == (LIST_FILE, "companies")
        assert organizations.columns == {"Name": ["name"], "Website": ["domains"]}
    dry = runner.invoke(
        app,
        [
            *("import", "affinity", "--exports", str(folder)),
            *("--mapping", str(tmp_path / "m.toml"), "--work", str(tmp_path / "w")),
        ],
        env=_env(workspace),
    )
    assert dry.exit_code == 0, dry.output
    assert "Dry run only" in dry.output
    if exports == LIST_ONLY:
        assert f"{LIST_FILE} (organizations): 3 read = 2 imported + 1 pending" in dry.output  # quiet.example
        assert f"{LIST_FILE} (pipeline entries): 3 read = 2 imported + 1 pending" in dry.output, dry.output


def test_list_slugs_never_carry_the_export_date() -> None:
    assert export_name("Motive_Ventures_Pipeline_All_deals__export_10-Oct-2025") == (
        "Motive_Ventures_Pipeline_All_deals"
    )
    assert export_name("pipeline-2024-02-01") == "pipeline"
    slug, how, create = choose_list("Deal_pipeline__export_10-Oct-2025", None)
    assert (slug, create) == ("deal_pipeline", "")
    assert "not read" in how


def test_with_no_list_to_take_the_mapping_makes_one_and_runs_untouched(tmp_path: Path) -> None:
    """A workspace without a list of companies: init plans a new list (named from the file, without the
    export date) with a status attribute made from its Status column; the untouched mapping dry-runs, imports
    with --yes, and a second run has nothing to do."""
    folder = tmp_path / "exports"
    shutil.copytree(LIST_ONLY, folder)
    runner = CliRunner()
    with sandbox_server("empty", config=unlimited()) as sb:
        sb.config.company_from_email = False
        made = runner.invoke(
            app,
            ["import", "affinity", "init", "--exports", str(folder), "--out", str(tmp_path / "m.toml")],
            env=_env(sb),
        )
        assert made.exit_code == 0, made.output
        text = (tmp_path / "m.toml").read_text()
        assert 'create = "Deal pipeline All deals"' in text
        assert 'stage = "status"' in text
        assert "create_options = true" in text
        command = [
            *("import", "affinity", "--exports", str(folder)),
            *("--mapping", str(tmp_path / "m.toml"), "--work", str(tmp_path / "w")),
        ]
        dry = runner.invoke(app, command, env=_env(sb))
        assert dry.exit_code == 0, dry.output
        assert "make the list “Deal pipeline All deals” of Companies" in dry.output
        applied = runner.invoke(app, [*command, "--yes"], env=_env(sb))
        assert applied.exit_code == 0, applied.output
        again = runner.invoke(app, command, env=_env(sb))
        assert again.exit_code == 0, again.output
        assert "Made in the workspace first" not in again.output
        with sb.http() as http:
            lists = http.get("/v2/lists").json()["data"]
            entries = http.post("/v2/lists/deal_pipeline_all_deals/entries/query", json={}).json()["data"]
    assert [li["name"] for li in lists] == ["Deal pipeline All deals"]
    assert len(entries) == 3

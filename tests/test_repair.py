"""The repair-script API and the example script that uses it, end to end on the sandbox."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from cleanup import AttioClient, actions
from cleanup.actions import ActionTableError
from cleanup.execute import Plan, restore
from cleanup.testing import sandbox_server, snapshot_of
from tests.conftest import unlimited

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "normalise_linkedin_urls.py"


def _example() -> Any:
    spec = importlib.util.spec_from_file_location("normalise_linkedin_urls", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_linkedin_repair_script_fixes_messy_urls_and_restore_undoes_it(tmp_path: Path) -> None:
    messy = {
        "http://linkedin.com/company/acme-robotics/": "https://www.linkedin.com/company/acme-robotics",
        "https://m.linkedin.com/in/jane-doe?trk=public_profile": "https://www.linkedin.com/in/jane-doe",
        "www.LinkedIn.com/company/Bolt-Energy#about": "https://www.linkedin.com/company/bolt-energy",
    }
    with sandbox_server("demo", scale=0.05, config=unlimited()) as sb:
        with sb.http() as http:
            ids = [
                r["id"]["record_id"]
                for r in http.post("/v2/objects/companies/records/query", json={"limit": 3}).json()["data"]
            ]
            for record_id, url in zip(ids, messy, strict=True):
                answer = http.patch(
                    f"/v2/objects/companies/records/{record_id}", json={"data": {"values": {"linkedin": url}}}
                )
                assert answer.status_code == 200
        snapshot = snapshot_of(sb, tmp_path / "snap")
        fix = _example().build_fix(snapshot)
        assert sorted(fix.frame["target_id"]) == sorted(ids)
        assert fix.frame["fingerprint"].null_count() == 0  # drift-protected
        with AttioClient(sb.tokens["primary"], sb.base_url) as client:
            report = Plan(fix.decide("approve"), snapshot).apply(client)
            assert report.counts() == {"done": 3}
            with sb.http() as http:
                for record_id, url in zip(ids, messy, strict=True):
                    values = http.get(f"/v2/objects/companies/records/{record_id}").json()["data"]["values"]
                    assert values["linkedin"][0]["value"] == messy[url]
            restored = restore(report.run_id, client)
        assert set(restored["status"]) == {"restored"}
        with sb.http() as http:
            for record_id, url in zip(ids, messy, strict=True):
                values = http.get(f"/v2/objects/companies/records/{record_id}").json()["data"]["values"]
                assert values["linkedin"][0]["value"] == url


def test_repair_builders_make_valid_rows_and_name_missing_columns() -> None:
    frame = pl.DataFrame({"note_id": ["n1", "n2"], "why": ["empty", "test note"]})
    table = actions.delete_notes(frame, reason=pl.format("delete: {}", pl.col("why")))
    assert table.frame["action"].to_list() == ["delete_note", "delete_note"]
    assert table.frame["reason"].to_list() == ["delete: empty", "delete: test note"]
    entries = actions.update_entries(
        pl.DataFrame({"_id": ["e1"], "step": ["Call"]}), list="pipeline", values={"next_step": "step"}
    )
    assert entries.frame["payload"][0] == '{"entry_values":{"next_step":"Call"}}'
    with pytest.raises(ActionTableError, match="no column 'record_id'"):
        actions.delete_records(pl.DataFrame({"x": [1]}), object="companies", id_col="record_id")
    with pytest.raises(ActionTableError, match="values is empty"):
        actions.update_records(frame, object="companies", values={}, id_col="note_id")

"""The generic CSV import over real HTTP: sniffed file, rows asserted on a unique attribute, list entries and
notes per row, a second run writes nothing, and bad cells refuse the file or go to a reject file."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest

from cleanup.importers.coerce import Options
from cleanup.importers.csv import CsvImportResult, CsvSpec, NoteColumns
from cleanup.importers.reading import ImportInputError
from cleanup.importers.session import prepare_csv
from cleanup.testing import RunningSandbox
from tests.conftest import client_for

LEADS = (
    "\ufeffCompany;Website;Stage;Notes;Met on\r\n"
    'Acme Robotics;https://www.acme-robotics.example/about;Sourced;"Met at the fair.\nWants a follow-up.";44927\r\n'
    "Bolt Energy;bolt.example;Due diligence;;2021-03-04\r\n"
    "Cyan Bio;cyan.example;Term sheet;Strong team;1965-01-01\r\n"
)


def _spec(path: Path, **changes: object) -> CsvSpec:
    spec = CsvSpec(
        path,
        "companies",
        "domains",
        {"Company": ["name"], "Website": ["domains"]},
        "pipeline",
        {"Stage": ["stage"]},
        NoteColumns("Notes", None, "Met on"),
        Options(),
    )
    return spec if not changes else CsvSpec(**{**spec.__dict__, **changes})  # type: ignore[arg-type]


def test_a_csv_imports_with_entries_and_notes_and_a_second_run_writes_nothing(
    workspace: RunningSandbox, tmp_path: Path
) -> None:
    path = tmp_path / "leads.csv"
    path.write_text(LEADS, encoding="utf-8")
    with client_for(workspace) as client:
        prepared = prepare_csv(client, _spec(path), tmp_path / "one")
        counts = dict(prepared.result.table.frame.group_by("action").len().rows())
        assert counts == {"assert_record": 3, "create_entry": 3, "create_note": 2}
        assert isinstance(prepared.result, CsvImportResult)
        lines = prepared.result.lines
        assert lines.balanced
        assert (lines.read, len(lines.imported)) == (3, 3)
        report = prepared.plan().apply(client)
        assert report.counts() == {"done": 8}, report.frame.filter(pl.col("status") != "done")
        log: list[str] = []
    with client_for(workspace, log) as client:
        again = prepare_csv(client, _spec(path), tmp_path / "two")
    assert again.result.table.frame.height == 0
    assert again.result.unchanged["leads.csv"] == 3
    assert again.result.accounting().row(0, named=True)["already there"] == 3
    assert not any(line.startswith(("POST /v2/notes", "PUT", "PATCH", "DELETE")) for line in log)
    with workspace.http() as http:
        found = http.post(
            "/v2/objects/companies/records/query", json={"filter": {"domains": "acme-robotics.example"}}
        ).json()["data"]
        assert len(found) == 1
        acme = found[0]["id"]["record_id"]
        notes = http.get("/v2/notes", params={"parent_record_id": acme, "parent_object": "companies"}).json()
        (note,) = notes["data"]
        assert note["content_plaintext"] == "Met at the fair.\nWants a follow-up."  # a quoted newline kept
        assert note["created_at"].startswith("2023-01-01")  # an Excel serial date
        entries = http.get(f"/v2/objects/companies/records/{acme}/entries").json()["data"]
        assert [e["list_api_slug"] for e in entries] == ["pipeline"]
        cyan = http.post(
            "/v2/objects/companies/records/query", json={"filter": {"domains": "cyan.example"}}
        ).json()["data"][0]["id"]["record_id"]
        old = http.get("/v2/notes", params={"parent_record_id": cyan, "parent_object": "companies"}).json()
        assert old["data"][0]["created_at"].startswith("1970-01-01")  # before 1970: clamped


def test_bad_cells_refuse_the_file_or_go_to_a_reject_file(workspace: RunningSandbox, tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text(
        LEADS.replace("bolt.example", "not a website").replace("Term sheet", "Maybe later"), encoding="utf-8"
    )
    log: list[str] = []
    with client_for(workspace, log) as client, pytest.raises(ImportInputError) as caught:
        prepare_csv(client, _spec(path), tmp_path / "one")
    message = str(caught.value)
    assert "line 4, column 'Website': 'not a website' is not a website or domain" in message
    assert "Maybe later" not in message  # an unknown status is a finding on its row, not a bad cell
    assert "--skip-invalid" in message
    assert all(line.startswith("GET") for line in log)  # the schema only: nothing written or exported
    rejects = tmp_path / "rejects.csv"
    with client_for(workspace) as client:
        prepared = prepare_csv(client, _spec(path, skip_invalid=True, reject_file=rejects), tmp_path / "two")
        report = prepared.plan().apply(client)
    assert report.counts() == {"done": 5}  # Acme: record, entry, note; Cyan: record, note
    pending = prepared.result.table.frame.filter(pl.col("decision") == "pending")
    (entry,) = pending.filter(pl.col("action") == "create_entry").to_dicts()  # Cyan's, without its stage
    assert "'Maybe later' is not a status of it (it has: " in entry["reason"]
    assert "add the status in Attio and import again" in entry["reason"]
    with rejects.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["Company"], r["line"]) for r in rows] == [("Bolt Energy", "4")]
    assert "is not a website or domain" in rows[0]["problem"]


def test_a_spec_that_does_not_fit_the_workspace_is_refused(workspace: RunningSandbox, tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text(LEADS, encoding="utf-8")
    with client_for(workspace) as client, pytest.raises(ImportInputError) as caught:
        prepare_csv(
            client, _spec(path, match="name", columns={"Company": ["name"], "Web": ["domains"]}), tmp_path
        )
    message = str(caught.value)
    assert "--match 'name' is not a unique attribute of companies" in message
    assert "no column(s) 'Web'" in message


def test_a_column_naming_records_of_another_object_links_them(
    workspace: RunningSandbox, tmp_path: Path
) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(
        "Email,Name,Works at\n"
        "ada@quiet.example,Ada Quiet,https://www.quiet.example\n"  # by the company's domain
        "bo@quiet.example,Bo Quiet,quiet capital (added by HAND)\n"  # by its name: case and spacing aside
        "cy@nowhere.example,Cy Nowhere,Nowhere Ltd\n",  # no such company: imported without the link
        encoding="utf-8",
    )
    spec = CsvSpec(
        path,
        "people",
        "email_addresses",
        {"Email": ["email_addresses"], "Name": ["name"], "Works at": ["company"]},
    )
    with client_for(workspace) as client:
        prepared = prepare_csv(client, spec, tmp_path / "one")
        table = prepared.result.table.frame
        assert table.filter(pl.col("decision") == "pending").height == 0
        cy = table.filter(pl.col("action_id") == "csv:contacts:people:cy@nowhere.example")
        assert (
            "imported without the link: Works at → company: 'Nowhere Ltd' names no companies"
            in (cy["reason"][0])
        )
        assert isinstance(prepared.result, CsvImportResult)
        assert prepared.result.links_left_out == [
            "line 4: Works at → company: 'Nowhere Ltd' names no companies record (by id, domain, email or name)"
        ]
        prepared.plan().apply(client)
        again = prepare_csv(client, spec, tmp_path / "two")
    assert again.result.table.approved().height == 0  # linked once: a second run writes nothing
    with workspace.http() as http:
        quiet = http.post(
            "/v2/objects/companies/records/query", json={"filter": {"domains": "quiet.example"}}
        ).json()["data"][0]
        people = http.post("/v2/objects/people/records/query", json={"limit": 10}).json()["data"]
    company = {
        p["values"]["name"][0]["full_name"]: p["values"]["company"] for p in people if p["values"]["name"]
    }
    assert company["Ada Quiet"][0]["target_record_id"] == quiet["id"]["record_id"]
    assert company["Bo Quiet"][0]["target_record_id"] == quiet["id"]["record_id"]
    assert company["Cy Nowhere"] == []  # imported, without the link


def test_a_required_link_that_finds_nothing_refuses_the_row(
    workspace: RunningSandbox, tmp_path: Path
) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(
        "Email,Works at\nada@quiet.example,quiet.example\ncy@nowhere.example,Nowhere Ltd\n", encoding="utf-8"
    )
    columns = {"Email": ["email_addresses"], "Works at": ["company"]}
    spec = CsvSpec(path, "people", "email_addresses", columns, required_links=frozenset({"company"}))
    log: list[str] = []
    with client_for(workspace, log) as client, pytest.raises(ImportInputError) as caught:
        prepare_csv(client, spec, tmp_path / "one")
    assert "contacts.csv: line 3: Works at → company: 'Nowhere Ltd' names no companies record" in str(
        caught.value
    )
    assert "the link is required (--require-link)" in str(caught.value)
    assert "line 2" not in str(caught.value)  # quiet.example is a company: linked
    assert all(line.startswith("GET") or line.endswith("/query") for line in log)  # reads only
    rejects = tmp_path / "rejects.csv"
    with client_for(workspace) as client:
        prepared = prepare_csv(
            client, replace(spec, skip_invalid=True, reject_file=rejects), tmp_path / "two"
        )
    result = prepared.result
    assert isinstance(result, CsvImportResult)
    assert (len(result.lines.imported), len(result.lines.refused)) == (1, 1)
    assert "Nowhere Ltd" in rejects.read_text(encoding="utf-8")

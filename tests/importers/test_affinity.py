"""The Affinity import over real HTTP: a realistic fixture export imports completely, a second run writes
nothing, notes keep their dates, collisions become findings, and bad input is refused before any write."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import orjson
import polars as pl
import pytest
from typer.testing import CliRunner

from cleanup.affinity_notes import html_to_markdown, load_notes
from cleanup.cli import app
from cleanup.execute import Plan, PlanError, Run, RunReport
from cleanup.importers.affinity import AffinityImporter
from cleanup.importers.mapping import Mapping
from cleanup.importers.reading import ImportInputError, read_csv
from cleanup.importers.session import _EmptySnapshot, prepare_affinity
from cleanup.testing import Killer, KillPoint, RunningSandbox
from tests.conftest import client_for
from tests.importers.conftest import FIXTURES

NOTES = [FIXTURES / "notes-v1.json", FIXTURES / "notes-v2.json"]


def _imported(sb: RunningSandbox) -> dict[str, Any]:
    """What the workspace holds that came from Affinity."""
    with sb.http() as http:

        def records(object_slug: str) -> list[dict[str, Any]]:
            body = {"filter": {"affinity_id": {"$not_empty": True}}, "limit": 500}
            return http.post(f"/v2/objects/{object_slug}/records/query", json=body).json()["data"]

        entries = http.post("/v2/lists/pipeline/entries/query", json={"limit": 500}).json()["data"]
        notes = http.get("/v2/notes", params={"limit": 50}).json()["data"]
        return {
            "companies": records("companies"),
            "people": records("people"),
            "deals": records("deals"),
            "entries": [e for e in entries if e["entry_values"].get("affinity_id")],
            "notes": [n for n in notes if "From Affinity note" in n["content_plaintext"]],
        }


def test_an_affinity_export_imports_completely_and_a_second_run_writes_nothing(
    workspace: RunningSandbox, tmp_path: Path
) -> None:
    sb = workspace
    mapping = Mapping.load(FIXTURES / "mapping.toml")
    with client_for(sb) as client:
        first = prepare_affinity(client, mapping, FIXTURES, NOTES, tmp_path / "one")
        pending = first.result.table.frame.filter(pl.col("decision") == "pending")
        assert sorted(pending["action_id"]) == [
            "affinity:note:22987:organizations:290555008",  # dated 1965: Attio cannot store it
            "affinity:note:22987:persons:54576635",
            "affinity:organizations:3584838",  # same website as 3584837, earlier in the file
            "affinity:organizations:55100",  # quiet.example is already on a company in Attio
            "affinity:persons:97304",  # shared@existing.example is already on a person in Attio
        ]
        assert (
            "quiet.example is already on the record “Quiet Capital (added by hand)”"
            in pending.filter(pl.col("action_id") == "affinity:organizations:55100")["reason"][0]
        )
        report = first.plan().apply(client)
    assert report.counts() == {"done": first.result.table.approved().height}, report.frame.filter(
        pl.col("status") != "done"
    )
    got = _imported(sb)
    counts = first.result.source_counts
    assert len(got["companies"]) == counts["organizations"] - 2  # both sides counted: 8 in the export
    assert len(got["people"]) == counts["persons"] - 2  # one workspace member, one collision
    assert len(got["entries"]) == counts["pipeline entries"] == 4
    # one note per tagged record: v1 (a reply on its parent's 2 records, one 1965 note pending, an unknown
    # org) and v2 (a reply that does not name its parent: refused)
    assert len(got["notes"]) == 9
    deals = {d["values"]["name"][0]["value"]: d["values"] for d in got["deals"]}
    assert deals["Fenfloent seed"]["stage"][0]["status"]["title"] == "Lead"  # opportunities → deals
    assert deals["Affinity — Series B"]["owner"][0]["referenced_actor_type"] == "workspace-member"
    company_named = {c["id"]["record_id"]: c["values"]["name"][0]["value"] for c in got["companies"]}
    employer = {
        p["values"]["name"][0]["full_name"]: company_named[p["values"]["company"][0]["target_record_id"]]
        for p in got["people"]
    }  # "Organizations" → company: made in the same run, so each person waited for its company
    assert employer == {
        "Joscha Feth": "Planet A Ventures",
        "Jane Doe": "Affinity",
        "John Smith": "Northwind Robotics",  # not "Northwind Robotics Inc": names match exactly or not at all
        "Ana Souza": "Fenfloent Studio",
    }
    assert company_named[deals["Fenfloent seed"]["associated_company"][0]["target_record_id"]] == (
        "Fenfloent Studio"
    )
    assert any("999999" in line for line in first.result.not_imported)
    assert any("workspace member" in line for line in first.result.not_imported)
    by_source = {
        n["content_plaintext"].split("From Affinity note ")[1].split(" ")[0]: n for n in got["notes"]
    }
    assert by_source["22984"]["created_at"].startswith("2017-03-28T08:38:41.275")  # -08:00 → UTC
    assert "22987" not in by_source  # 1965: left pending for a decision, not quietly clamped
    reply = by_source["22986"]["content_plaintext"]
    assert reply.startswith(
        'Reply to the note of 1 May 2019 by Jane Doe <jane@affinity.co>: "Had a lunch meeting @ Google"'
    )
    assert by_source["22986"]["created_at"].startswith("2019-05-02T10:00:00")  # its own date
    on = {
        note: {
            n["parent_record_id"]
            for n in got["notes"]
            if f"From Affinity note {note} " in n["content_plaintext"]
        }
        for note in ("22985", "22986")
    }
    assert on["22986"] == on["22985"]  # a reply: on its parent's records
    assert len(on["22985"]) == 2
    assert "by Sandbox Admin <admin@sandbox.test>" in by_source["22984"]["content_plaintext"]
    v2 = by_source["31001"]["content_markdown"]
    assert v2.startswith("## Diligence call")  # HTML became Markdown
    assert "**hospital pilots**" in v2
    assert "- 3 pilots live" in v2
    stages = {e["entry_values"]["affinity_id"][0]["value"]: e["entry_values"] for e in got["entries"]}
    assert stages["390"]["first_contact"][0]["value"] == "2020-11-02"  # mdy
    assert stages["391"]["first_contact"][0]["value"] == "2023-01-01"  # an Excel serial day
    assert stages["389"]["stage"][0]["status"]["title"] == "Due diligence"

    # the second run: everything is already there; only the findings are left, pending
    log: list[str] = []
    with client_for(sb, log) as client:
        second = prepare_affinity(client, mapping, FIXTURES, NOTES, tmp_path / "two")
        assert second.result.table.approved().height == 0
        assert sorted(second.result.table.frame["action_id"]) == sorted(pending["action_id"])
    assert [line for line in log if not line.startswith("GET") and not line.endswith("/query")] == []

    # the reviewer approves the findings: imported without the colliding values, counts now equal
    with client_for(sb) as client:
        third = prepare_affinity(client, mapping, FIXTURES, NOTES, tmp_path / "three")
        third.result.table = third.result.table.decide("approve")
        third.plan().apply(client)
    got = _imported(sb)
    assert len(got["companies"]) == counts["organizations"]
    old = [n for n in got["notes"] if "From Affinity note 22987 " in n["content_plaintext"]]
    assert [n["created_at"][:10] for n in old] == ["1970-01-01"] * 2  # approved: the nearest date Attio takes
    assert "1 Jun 1965" in old[0]["content_plaintext"]  # and its last line keeps the real one
    assert len(got["people"]) == counts["persons"] - 1  # the internal person is a member, not a person

    # the export changed since (a note edited in Affinity): that note is corrected in place, nothing else
    edited = orjson.loads((FIXTURES / "notes-v1.json").read_bytes())
    edited[0]["content"] = "Edited in Affinity after the import: the pilot starts in June."
    changed = tmp_path / "notes-v1-edited.json"
    changed.write_bytes(orjson.dumps(edited))
    before = {
        n["id"]["note_id"]: n for n in got["notes"] if "From Affinity note 22984 " in n["content_plaintext"]
    }
    with client_for(sb) as client:
        fourth = prepare_affinity(client, mapping, FIXTURES, [changed, NOTES[1]], tmp_path / "four")
        assert (
            fourth.result.table.approved().height == 0
        )  # Attio may hold an edit of its own: a reviewer says
        fix = fourth.result.table.frame.filter(pl.col("action") == "update_note")
        assert sorted(fix["target_id"]) == sorted(before)
        assert fix["fingerprint"].null_count() == 0  # drift-protected
        assert "reject if the note was edited in Attio" in fix["reason"][0]
        fourth.result.table = fourth.result.table.decide("approve", where=pl.col("action") == "update_note")
        assert fourth.plan().apply(client).counts() == {"done": len(before)}
        fifth = prepare_affinity(client, mapping, FIXTURES, [changed, NOTES[1]], tmp_path / "five")
        assert fifth.result.table.frame.filter(pl.col("action") == "update_note").height == 0
    after = {n["id"]["note_id"]: n for n in _imported(sb)["notes"] if n["id"]["note_id"] in before}
    assert after.keys() == before.keys()
    for note_id, note in after.items():
        assert "the pilot starts in June" in note["content_plaintext"]
        assert note["created_at"] == before[note_id]["created_at"]


def test_a_killed_import_resumed_ends_as_one_clean_run(workspace: RunningSandbox, tmp_path: Path) -> None:
    sb = workspace
    mapping = Mapping.load(FIXTURES / "mapping.toml")
    with client_for(sb) as client:
        prepared = prepare_affinity(client, mapping, FIXTURES, NOTES, tmp_path / "one")
    run = Run.start(prepared.plan())
    run.close()
    assert run.rows["action"].to_list().count("create_attribute") == 4  # the id attributes, made by the run
    killer = Killer(sb, run.run_id, run.folder.parent, seed=5, max_writes=3)
    made = [  # the id attribute's create committed and unanswered; then one killed as it arrives
        KillPoint("committed", 1, "schema", match="POST /v2/objects/.*/attributes"),
        KillPoint("arrival", 2, "schema", match="POST /v2/.*/attributes"),
    ]
    assert killer.run(made, finish=False) == -9
    assert [k.phase for k in killer.kills] == ["schema", "schema"]
    assert killer.run(6) == 0
    assert len(killer.kills) >= 5, killer.kills  # fewer than 8 when a child finished the run first
    with sb.http() as http:
        slugs = [a["api_slug"] for a in http.get("/v2/objects/companies/attributes").json()["data"]]
    assert slugs.count("affinity_id") == 1
    got = _imported(sb)
    shape = tuple(len(got[k]) for k in ("companies", "people", "deals", "entries", "notes"))
    assert shape == (6, 4, 2, 4, 9)  # the 1965 note is left pending
    with client_for(sb) as client:  # and a run after it finds nothing left to do
        again = prepare_affinity(client, mapping, FIXTURES, NOTES, tmp_path / "two")
    assert again.result.table.approved().height == 0


def _copy_fixtures(tmp_path: Path) -> Path:
    folder = tmp_path / "exports"
    shutil.copytree(FIXTURES, folder)
    return folder


@pytest.mark.parametrize(
    ("breakage", "message", "requests"),
    [
        ("truncated", "ends inside a quoted value", "none"),
        ("wrong_encoding", "is not valid utf-8", "none"),
        ("unknown_column", "the file lacks", "none"),
        ("duplicate_ids", "appears on lines", "none"),
        ("unknown_slug", "no such attribute", "schema"),
        ("bad_date", "is not a date", "schema"),
        ("note_in_two_files", "appears in more than one notes file", "none"),
        ("notes_not_json", "not valid JSON", "none"),
    ],
)
def test_malformed_inputs_give_a_clear_error_and_write_nothing(
    workspace: RunningSandbox, tmp_path: Path, breakage: str, message: str, requests: str
) -> None:
    folder = _copy_fixtures(tmp_path)
    mapping_path = folder / "mapping.toml"
    text = mapping_path.read_text()
    notes: list[Path] = list(NOTES)
    if breakage == "truncated":
        raw = (folder / "organizations.csv").read_bytes()
        (folder / "organizations.csv").write_bytes(raw[: raw.index(b"Customers:")])
    elif breakage == "wrong_encoding":
        raw = (folder / "people.csv").read_text().replace("Ana Souza", "Ana Souza Müller")
        (folder / "people.csv").write_bytes(raw.encode("cp1252"))
        mapping_path.write_text(
            text.replace('note_parent = "each"', 'note_parent = "each"\nencoding = "utf-8"')
        )
    elif breakage == "unknown_column":
        mapping_path.write_text(text.replace('"Job Titles" = "job_title"', '"Job Title" = "job_title"'))
    elif breakage == "duplicate_ids":
        with (folder / "people.csv").open("a") as handle:
            handle.write("9007,38706,Jane Again,jane2@affinity.co,jane2@affinity.co,,,,,,,,\n")
    elif breakage == "unknown_slug":
        mapping_path.write_text(text.replace('"Description" = "description"', '"Description" = "about"'))
    elif breakage == "bad_date":
        raw = (folder / "deal-pipeline.csv").read_text().replace("2023-06-01", "June the first")
        (folder / "deal-pipeline.csv").write_text(raw)
    elif breakage == "note_in_two_files":
        notes.append(shutil.copy(NOTES[0], tmp_path / "notes-again.json"))
    elif breakage == "notes_not_json":
        (tmp_path / "notes.json").write_text('[{"id": 1, "content": "cut off')
        notes = [tmp_path / "notes.json"]
    log: list[str] = []
    with client_for(workspace, log) as client, pytest.raises(ImportInputError, match=message) as caught:
        prepare_affinity(client, Mapping.load(mapping_path), folder, notes, tmp_path / "work")
    if requests == "none":  # a broken file is refused before any request
        assert log == []
    else:  # only the schema was read: no record, entry or note, and no write
        assert all(line.startswith("GET") for line in log)
        assert not any("/records" in line or "/entries" in line or "/notes" in line for line in log)
    assert "nothing was written" in str(caught.value)
    assert not any(line.startswith(("POST", "PUT", "PATCH", "DELETE")) for line in log)


def test_a_cp1252_file_is_recognised_and_repeated_headers_are_told_apart(tmp_path: Path) -> None:
    path = tmp_path / "orgs.csv"
    path.write_bytes(
        "Organization Id;Name;Year Founded;Year Founded\r\n1;Café Noir;2001;2002\r\n".encode("cp1252")
    )
    table = read_csv(path)
    assert table.delimiter == ";"
    assert table.columns == ["Organization Id", "Name", "Year Founded", "Year Founded (2)"]
    assert table.frame["Name"].to_list() == ["Café Noir"]


def test_encoding_messages_of_an_affinity_import_name_the_mapping_setting(tmp_path: Path) -> None:
    """`import affinity` has no --encoding: its messages name the mapping's setting instead."""
    folder = _copy_fixtures(tmp_path)
    organizations = folder / "organizations.csv"
    text = organizations.read_text(encoding="utf-8")
    header = text.splitlines()[0]
    row = ["99", "Café Noir"] + [""] * (len(header.split(",")) - 2)
    utf8 = ",".join(["98", "Zürich AG", *row[2:]]) + "\n"
    organizations.write_bytes((text + utf8).encode("utf-8") + (",".join(row) + "\n").encode("cp1252"))
    mapping = Mapping.load(folder / "mapping.toml")
    with pytest.raises(ImportInputError) as caught:
        AffinityImporter(mapping, folder, _EmptySnapshot()).read_inputs()  # the files only
    said = str(caught.value)
    assert "mixed encodings" in said
    assert 'encoding = "cp1252" under [import] in the mapping' in said
    assert "--encoding" not in said


def test_notes_from_both_apis_are_read(tmp_path: Path) -> None:
    notes = {n.id: n for n in load_notes(FIXTURES / "notes-v1.json") + load_notes(FIXTURES / "notes-v2.json")}
    assert set(notes) == {"22984", "22985", "22986", "22987", "22988", "31001", "31002"}  # replies too
    assert (notes["22986"].is_reply, notes["22986"].reply_to, notes["22986"].tagged) == (True, "22985", {})
    assert (notes["31002"].is_reply, notes["31002"].reply_to) == (True, "")  # v2: the parent is not named
    assert notes["22984"].tagged["persons"] == ["38708", "24809"]  # directly tagged, not the attendees
    assert notes["31001"].author == "Jane Doe <jane@affinity.co>"
    assert html_to_markdown("<p>a <strong>b</strong></p><ol><li>x</li></ol>") == "a **b**\n\n1. x"
    broken = tmp_path / "notes.json"
    broken.write_text('[{"id": 1, "content": "x", "created_at": "yesterday"}]')
    with pytest.raises(ImportInputError, match="not an ISO date"):
        load_notes(broken)


def test_cli_init_then_dry_run(workspace: RunningSandbox, tmp_path: Path) -> None:
    folder = _copy_fixtures(tmp_path)
    runner = CliRunner()
    env = {
        "ATTIO_API_KEY": workspace.tokens["primary"],
        "ATTIO_BASE_URL": workspace.base_url,
        "COLUMNS": "200",
    }
    made = runner.invoke(
        app, ["import", "affinity", "init", "--exports", str(folder), "--out", str(tmp_path / "m.toml")]
    )
    assert made.exit_code == 0, made.output
    generated = Mapping.load(tmp_path / "m.toml")
    assert generated.objects["organizations"].columns["Website"] == ["domains"]
    dry = runner.invoke(
        app,
        [
            "import",
            "affinity",
            "--exports",
            str(folder),
            "--mapping",
            str(folder / "mapping.toml"),
            "--notes",
            str(NOTES[0]),
            "--out",
            str(tmp_path / "actions.xlsx"),
            "--work",
            str(tmp_path / "w"),
        ],
        env=env,
    )
    assert dry.exit_code == 0, dry.output
    assert "Dry run only" in dry.output
    assert "organizations.csv (organizations): 8 read = 6 imported + 2 pending" in dry.output
    assert "notes-v1.json (notes): 5 read = 3 imported + 1 pending + 1 refused" in dry.output
    assert "dated 1 Jun 1965 12:00 UTC, before 1970" in dry.output
    assert "Made in the workspace first (4):" in dry.output
    assert "add the attribute “Affinity ID” (text, unique) to Companies" in dry.output
    assert (tmp_path / "actions.xlsx").exists()
    assert _imported_count(workspace) == 0


def _imported_count(sb: RunningSandbox) -> int:
    with sb.http() as http:
        return len(http.post("/v2/objects/companies/records/query", json={"limit": 500}).json()["data"]) - 1


def test_cli_import_with_yes_prints_counts_on_both_sides(workspace: RunningSandbox, tmp_path: Path) -> None:
    env = {
        "ATTIO_API_KEY": workspace.tokens["primary"],
        "ATTIO_BASE_URL": workspace.base_url,
        "COLUMNS": "200",
    }
    command = ["import", "affinity", "--exports", str(FIXTURES), "--mapping", str(FIXTURES / "mapping.toml")]
    command += ["--notes", str(NOTES[0]), "--notes", str(NOTES[1]), "--work", str(tmp_path / "w"), "--yes"]
    dry = CliRunner().invoke(app, [*command[:-1], "--report", str(tmp_path / "dry.html")], env=env)
    assert dry.exit_code == 0, dry.output
    page = (tmp_path / "dry.html").read_text()
    assert "What the files held." in page
    assert (
        "of the 6 files is accounted for: 27 read = 20 to import + 4 waiting for a decision + 2 refused + 1 skipped."
        in page
    )
    assert (
        'organizations.csv</td><td>organizations</td><td class="num">8</td><td>6 to import + 2 waiting'
        in page
    )
    done = CliRunner().invoke(app, [*command, "--report", str(tmp_path / "done.html")], env=env)
    assert done.exit_code == 0, done.output
    assert "organizations: 8 in the export, 6 in Attio" in done.output
    assert "pipeline entries: 4 in the export, 4 in Attio" in done.output
    after = (tmp_path / "done.html").read_text()
    assert (
        'organizations.csv</td><td>organizations</td><td class="num">8</td><td>6 imported + 2 waiting'
        in after
    )
    (run,) = [line.split()[-1] for line in done.output.splitlines() if line.startswith("Backup, journal")]
    report = RunReport(Path(run).name, Path(run), pl.read_parquet(Path(run) / "report.parquet"))
    accounting = report.accounting()
    assert accounting is not None
    assert accounting["balanced"].all()
    again = CliRunner().invoke(app, [*command[:-1], "--work", str(tmp_path / "w2"), "--yes"], env=env)
    assert again.exit_code == 0, again.output
    assert "Nothing to import" in again.output


def test_note_parent_first_makes_one_note_per_affinity_note(
    workspace: RunningSandbox, tmp_path: Path
) -> None:
    folder = _copy_fixtures(tmp_path)
    mapping_path = folder / "mapping.toml"
    mapping_path.write_text(mapping_path.read_text().replace('note_parent = "each"', 'note_parent = "first"'))
    with client_for(workspace) as client:
        prepared = prepare_affinity(client, Mapping.load(mapping_path), folder, NOTES, tmp_path / "w")
    notes = prepared.result.table.frame.filter(pl.col("action") == "create_note")
    assert sorted(notes["action_id"]) == [
        "affinity:note:22984:organizations:3584837",  # the organization first, not the two people
        "affinity:note:22985:organizations:64779194",
        "affinity:note:22986:organizations:64779194",  # a reply: on its parent's record
        "affinity:note:22987:organizations:290555008",
        "affinity:note:31001:organizations:41122",
    ]
    assert prepared.schema_changes == [
        "add the attribute “Affinity ID” (text, unique) to Companies",
        "add the attribute “Affinity ID” (text, unique) to People",
        "add the attribute “Affinity ID” (text, unique) to Deals",
        "add the attribute “Affinity ID” (text) to Deal pipeline",
    ]


def test_references_are_looked_up_exactly_and_what_cannot_be_settled_is_a_finding(
    workspace: RunningSandbox, tmp_path: Path
) -> None:
    folder = _copy_fixtures(tmp_path)
    people = (folder / "people.csv").read_text()
    for person, organizations in (
        ("Planet A Ventures", "Planet A Ventures; Affinity"),  # Joscha: two, for a single-valued company
        (",VP Sales,Affinity,", ",VP Sales,quiet.example,"),  # Jane: a domain of a company already in Attio
        (",CEO,Northwind Robotics,", ",CEO,Nowhere Ltd,"),  # John: no such company
        (",Founder,Fenfloent Studio,", ",Founder,Northwind Robotics Inc,"),  # Ana: its row is left for review
    ):
        people = people.replace(person, organizations, 1)
    (folder / "people.csv").write_text(people)
    deals = (folder / "opportunities.csv").read_text()
    deals = deals.replace(",Affinity\n", ",Twin Co\n").replace(",Fenfloent Studio\n", ",41122\n")
    (folder / "opportunities.csv").write_text(deals)
    with workspace.http() as http:
        for _ in range(2):  # two companies of one name: a name that says neither
            made = http.post("/v2/objects/companies/records", json={"data": {"values": {"name": "Twin Co"}}})
            assert made.status_code == 200
    mapping = Mapping.load(folder / "mapping.toml")
    with client_for(workspace) as client:
        first = prepare_affinity(client, mapping, folder, None, tmp_path / "one")
        table = first.result.table
        reasons = dict(
            table.frame.filter(pl.col("decision") == "pending").select("action_id", "reason").rows()
        )
        assert (
            "names 2 records (Planet A Ventures; Affinity) but company holds one"
            in reasons["affinity:persons:54576635"]
        )
        assert "'Nowhere Ltd' names no companies record" in reasons["affinity:persons:38708"]
        assert (
            "waits for affinity:organizations:3584838, which is left for review"
            in reasons["affinity:persons:24809"]
        )
        assert "'Twin Co' names 2 records" in reasons["affinity:opportunities:117"]
        assert "affinity:persons:38706" not in reasons  # Jane's company is found by its domain

        # approving the person without the company it waits for is refused, naming the fix
        lonely = table.decide("approve", action_ids=["affinity:persons:24809"])
        with pytest.raises(PlanError, match=r"affinity:organizations:3584838 would make.*approve them too"):
            Plan(lonely, first.snapshot)

        first.plan().apply(client)
        hand_made = _company_ids(workspace, "Quiet Capital (added by hand)")
        got = _people_by_name(workspace)
        assert got["Jane Doe"]["company"][0]["target_record_id"] in hand_made
        assert "Ana Souza" not in got
        assert "Joscha Feth" not in got
        deal = _imported(workspace)["deals"]
        linked = {d["values"]["name"][0]["value"]: d["values"]["associated_company"] for d in deal}
        assert linked["Fenfloent seed"][0]["target_record_id"] in _company_ids(workspace, "Fenfloent Studio")

        # the reviewer approves the findings: Ana waits for her company, made in the same run
        second = prepare_affinity(client, mapping, folder, None, tmp_path / "two")
        second.result.table = second.result.table.decide("approve")
        report = second.plan().apply(client)
        assert set(report.counts()) == {"done"}
    got = _people_by_name(workspace)
    assert got["Ana Souza"]["company"][0]["target_record_id"] in _company_ids(
        workspace, "Northwind Robotics Inc"
    )
    assert got["Joscha Feth"]["company"] == []
    assert got["John Smith"]["company"] == []
    with client_for(workspace) as client:  # and nothing is left to do but the findings no one can settle
        third = prepare_affinity(client, mapping, folder, None, tmp_path / "three")
    assert third.result.table.approved().height == 0
    assert sorted(third.result.table.frame["action_id"]) == [
        "affinity:opportunities:117",  # Twin Co
        "affinity:organizations:3584838",  # the collisions, as in any import of this export
        "affinity:organizations:55100",
        "affinity:persons:38708",  # Nowhere Ltd
        "affinity:persons:54576635",  # two organizations
        "affinity:persons:97304",
    ]


def _company_ids(sb: RunningSandbox, name: str) -> set[str]:
    with sb.http() as http:
        body = {"filter": {"name": name}, "limit": 10}
        found = http.post("/v2/objects/companies/records/query", json=body).json()["data"]
    return {c["id"]["record_id"] for c in found}


def _people_by_name(sb: RunningSandbox) -> dict[str, dict[str, Any]]:
    return {p["values"]["name"][0]["full_name"]: p["values"] for p in _imported(sb)["people"]}

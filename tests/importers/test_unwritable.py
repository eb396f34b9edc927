"""A value Attio would refuse (an owner who is not a workspace member, an archived option or status) becomes a
finding on its row — the value left out, the rest of the row kept, the row pending with the reason and the
fix — never a refused plan nor a 400 at apply time; and every fixture's plan that is clean in the dry run
applies with no 4xx, over real HTTP against the sandbox."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import orjson
import polars as pl
import pytest

from cleanup.client import AttioClient
from cleanup.execute import Plan
from cleanup.execute.writable import Writable
from cleanup.export.schema import AttributeInfo, ListInfo, ObjectInfo, WorkspaceSchema, fetch_schema
from cleanup.importers.affinity import Outcome
from cleanup.importers.csv import CsvImportResult, CsvSpec
from cleanup.importers.init import guess_mapping
from cleanup.importers.mapping import Mapping
from cleanup.importers.session import Prepared, prepare_affinity, prepare_csv
from cleanup.importers.unwritable import hold_back_unwritable
from cleanup.testing import RunningSandbox
from tests.importers.conftest import FIXTURES, add_attribute
from tests.importers.test_csv_conveniences import FIXTURES as CSV_FIXTURES
from tests.importers.test_csv_conveniences import companies, people

NOTES: list[str | Path] = [
    FIXTURES / "notes-v1.json",
    FIXTURES / "notes-v2.json",
    FIXTURES / "notes-dates.json",
]
NOT_A_MEMBER = (
    "ann@fund.example is not a member of the workspace; add them as a workspace member in Attio and import "
    "again, or map this column to a text attribute"
)


@contextmanager
def watched(sb: RunningSandbox) -> Iterator[tuple[AttioClient, list[str]]]:
    """A client of ``sb`` and the list it fills with every request Attio answered with a 4xx:
    ``"400 PUT /v2/objects/people/records: {...the answer...}"``."""
    refused: list[str] = []

    async def record(response: httpx.Response) -> None:
        if 400 <= response.status_code < 500:
            await response.aread()
            request = response.request
            refused.append(f"{response.status_code} {request.method} {request.url.path}: {response.text}")

    with AttioClient(sb.tokens["primary"], sb.base_url, event_hooks={"response": [record]}) as client:
        yield client, refused


def _add_owner(sb: RunningSandbox, parent: str, *, multiselect: bool) -> None:
    """An actor-reference ``owner`` attribute (titled Owner) on ``parent`` (``/v2/objects/people``)."""
    body: dict[str, Any] = {
        "data": {
            "title": "Owner",
            "description": None,
            "api_slug": "owner",
            "type": "actor-reference",
            "is_required": False,
            "is_unique": False,
            "is_multiselect": multiselect,
            "config": {},
        }
    }
    with sb.http() as http:
        answer = http.post(f"{parent}/attributes", json=body)
        assert answer.status_code == 200, answer.text


def _archive(sb: RunningSandbox, path: str) -> None:
    """Archive a select option or status (``/v2/objects/companies/attributes/categories/options/Hardware``)."""
    with sb.http() as http:
        answer = http.patch(path, json={"data": {"is_archived": True}})
        assert answer.status_code == 200, answer.text


def _rows(prepared: Prepared) -> dict[str, dict[str, Any]]:
    frame = prepared.result.table.frame.select("action_id", "decision", "reason", "evidence", "payload")
    return {row["action_id"]: {**row, "payload": orjson.loads(row["payload"])} for row in frame.to_dicts()}


def _values(http: httpx.Client, obj: str, slug: str, value: str) -> dict[str, Any]:
    found = http.post(f"/v2/objects/{obj}/records/query", json={"filter": {slug: value}}).json()["data"]
    assert len(found) == 1, found
    values: dict[str, Any] = found[0]["values"]
    return values


# ---------------------------------------------------------------------------------------------- the rows
class _Refusing(Writable):
    """Refuses the values named in ``refused``, as Writable words it: 'Title: value is refused'."""

    def __init__(self, *refused: str) -> None:
        self.refused = set(refused)

    def problems(self, attr: AttributeInfo, value: Any) -> list[str]:
        return [f"{attr.title}: {value} is refused"] if value in self.refused else []


def _attribute(slug: str, *, multi: bool = False, required: bool = False) -> AttributeInfo:
    return AttributeInfo(slug, slug, slug.capitalize(), "select", multi, False, required, True, False)


SCHEMA = WorkspaceSchema(
    "w",
    "W",
    "w",
    {
        "deals": ObjectInfo(
            "deals", "d", None, None, [_attribute("stage", required=True), _attribute("tags", multi=True)]
        )
    },
    {"pipeline": ListInfo("pipeline", "p", "Pipeline", "deals", [_attribute("stage")])},
)


def test_only_the_refused_items_are_left_out_and_the_row_says_so() -> None:
    rows: list[dict[str, Any]] = [
        {
            "action_id": "a",
            "action": "assert_record",
            "object": "deals",
            "payload": {
                "matching_attribute": "stage",
                "values": {"stage": "Old", "tags": ["ok", "gone"], "source_id": "gone"},
            },
            "reason": "import deal 1; left out, to review: x is already on y",
            "evidence": "x is already on y",
            "decision": "pending",
        },
        {
            "action_id": "b",
            "action": "create_entry",
            "list": "pipeline",
            "payload": {"entry_values": {"stage": "Old"}},
            "reason": "import row 2",
            "decision": "approve",
        },
        {
            "action_id": "c",
            "action": "create_note",
            "payload": {"title": "Old"},
            "reason": "n",
            "decision": "approve",
        },
        {
            "action_id": "d",
            "action": "update_record",
            "object": "deals",
            "payload": None,
            "decision": "approve",
        },
    ]
    hold_back_unwritable(rows, SCHEMA, _Refusing("Old", "gone"))
    deal, entry, note, empty = rows
    assert deal["payload"]["values"] == {"stage": "Old", "tags": ["ok"], "source_id": "gone"}  # matching kept
    assert deal["reason"] == "import deal 1; left out, to review: Tags: gone is refused; x is already on y"
    assert deal["evidence"] == "x is already on y; Tags: gone is refused"
    assert entry["payload"]["entry_values"] == {}
    assert (entry["decision"], entry["reason"]) == (
        "pending",
        "import row 2; left out, to review: Stage: Old is refused",
    )
    assert (note["decision"], empty["decision"]) == ("approve", "approve")


def test_a_required_attribute_left_empty_says_a_new_record_cannot_be_made() -> None:
    row: dict[str, Any] = {
        "action": "create_record",
        "object": "deals",
        "payload": {"values": {"stage": "Old"}},
        "reason": "r",
        "decision": "approve",
    }
    hold_back_unwritable([row], SCHEMA, _Refusing("Old"))
    assert row["reason"] == (
        "r; left out, to review: Stage: Old is refused; Stage is required: Attio makes no new record without it"
    )


# ---------------------------------------------------------------------------------------------- Affinity
def test_an_owner_who_is_not_a_member_is_left_out_of_an_affinity_row_for_review(
    workspace: RunningSandbox, tmp_path: Path
) -> None:
    _add_owner(workspace, "/v2/objects/people", multiselect=True)
    folder = tmp_path / "exports"
    shutil.copytree(FIXTURES, folder, ignore=shutil.ignore_patterns("list-only", "empty"))
    people = folder / "people.csv"
    text = people.read_text(encoding="utf-8").replace(
        "Jane Doe,jane@affinity.co,jane@affinity.co,VP Sales,Affinity,,",
        'Jane Doe,jane@affinity.co,jane@affinity.co,VP Sales,Affinity,"Ann Lee <ann@fund.example>; admin@sandbox.test",',
    )
    people.write_text(text, encoding="utf-8")
    opportunities = folder / "opportunities.csv"  # a new deal's owner is required: said too
    opportunities.write_text(
        opportunities.read_text(encoding="utf-8").replace(
            "Fenfloent seed,Lead,admin@sandbox.test", "Fenfloent seed,Lead,ann@fund.example"
        ),
        encoding="utf-8",
    )
    mapping_text = (folder / "mapping.toml").read_text(encoding="utf-8")
    (folder / "mapping.toml").write_text(
        mapping_text.replace('"Job Titles" = "job_title"', '"Job Titles" = "job_title"\n"Owners" = "owner"'),
        encoding="utf-8",
    )
    with watched(workspace) as (client, refused):
        prepared = prepare_affinity(
            client, Mapping.load(folder / "mapping.toml"), folder, None, tmp_path / "w"
        )
        rows = _rows(prepared)
        jane = rows["affinity:persons:38706"]
        assert jane["decision"] == "pending"
        assert f"; left out, to review: Owner: {NOT_A_MEMBER}" in jane["reason"]
        assert NOT_A_MEMBER in jane["evidence"]
        values = jane["payload"]["values"]
        assert len(values["owner"]) == 1  # the member stays: only the offending item is left out
        assert values["owner"][0]["referenced_actor_type"] == "workspace-member"
        assert values["job_title"] == "VP Sales"
        assert values["email_addresses"] == [{"email_address": "jane@affinity.co"}]
        assert values["name"]["full_name"] == "Jane Doe"
        assert values["affinity_id"] == "38706"
        deal = rows["affinity:opportunities:118"]
        assert deal["decision"] == "pending"
        assert "owner" not in deal["payload"]["values"]
        assert f"Deal owner: {NOT_A_MEMBER}" in deal["reason"]
        assert "Deal owner is required: Attio makes no new record without it" in deal["reason"]
        items = {(i.file, i.key): i for i in prepared.result.items}
        assert items["people.csv", "38706"].outcome == Outcome.PENDING
        assert NOT_A_MEMBER in items["people.csv", "38706"].reason
        assert items["opportunities.csv", "118"].outcome == Outcome.PENDING
        assert prepared.result.accounting()["balanced"].all()
        prepared.plan()  # the dry run passes: no PlanError
        table = prepared.result.table.decide("approve", action_ids=["affinity:persons:38706"])
        report = Plan(table, prepared.snapshot).apply(client, progress=False)
        assert set(report.counts()) == {"done"}, report.frame.filter(pl.col("status") != "done")
    assert refused == []  # not one request refused, reads included
    with workspace.http() as http:
        written = _values(http, "people", "affinity_id", "38706")
    assert [o["referenced_actor_type"] for o in written["owner"]] == ["workspace-member"]
    assert written["job_title"][0]["value"] == "VP Sales"
    assert written["company"][0]["target_object"] == "companies"


# ---------------------------------------------------------------------------------------------- CSV
def test_unwritable_cells_of_a_csv_are_left_out_of_their_rows_for_review(
    workspace: RunningSandbox, tmp_path: Path
) -> None:
    _add_owner(workspace, "/v2/objects/companies", multiselect=False)
    _archive(workspace, "/v2/objects/companies/attributes/categories/options/Hardware")
    _archive(workspace, "/v2/lists/pipeline/attributes/stage/statuses/Passed")
    path = tmp_path / "leads.csv"
    path.write_text(
        "Company,Website,Owner,Categories,Stage\n"
        "Acme,acme.example,Ann Lee <ann@fund.example>,SaaS,Sourced\n"
        "Bolt,bolt.example,admin@sandbox.test,SaaS; Hardware,Sourced\n"
        "Cyan,cyan.example,admin@sandbox.test,AI,Passed\n"
        "Dune,dune.example,admin@sandbox.test,AI,Sourced\n",
        encoding="utf-8",
    )
    columns = {"Company": ["name"], "Website": ["domains"], "Owner": ["owner"], "Categories": ["categories"]}
    spec = CsvSpec(path, "companies", "domains", columns, "pipeline", {"Stage": ["stage"]})
    with watched(workspace) as (client, refused):
        prepared = prepare_csv(client, spec, tmp_path / "w")
        result = prepared.result
        assert isinstance(result, CsvImportResult)
        assert result.lines.balanced
        assert (result.lines.pending, result.lines.imported) == ([2, 3, 4], [5])
        rows = _rows(prepared)
        acme = rows["csv:leads:companies:acme.example"]
        assert acme["decision"] == "pending"
        assert (
            acme["reason"]
            == f"line 2: import companies acme.example; left out, to review: Owner: {NOT_A_MEMBER}"
        )
        assert acme["payload"]["values"] == {
            "domains": [{"domain": "acme.example"}],
            "name": "Acme",
            "categories": ["SaaS"],
        }
        entry = rows["csv:leads:pipeline:acme.example"]  # hangs on the record: waits with it
        assert entry["decision"] == "pending"
        assert "waits for csv:leads:companies:acme.example" in entry["reason"]
        bolt = rows["csv:leads:companies:bolt.example"]
        assert bolt["payload"]["values"]["categories"] == ["SaaS"]  # the archived option alone left out
        assert "Categories: the option 'Hardware' is archived; restore it in Attio" in bolt["reason"]
        cyan = rows["csv:leads:pipeline:cyan.example"]
        assert cyan["decision"] == "pending"
        assert "stage" not in cyan["payload"]["entry_values"]
        assert "Stage: the status 'Passed' is archived" in cyan["reason"]
        assert rows["csv:leads:companies:cyan.example"]["decision"] == "approve"
        prepared.plan()  # the dry run passes: no PlanError
        report = Plan(result.table.decide("approve"), prepared.snapshot).apply(client, progress=False)
        assert set(report.counts()) == {"done"}, report.frame.filter(pl.col("status") != "done")
    assert refused == []  # not one request refused, reads included
    with workspace.http() as http:
        acme_written = _values(http, "companies", "domains", "acme.example")
        bolt_written = _values(http, "companies", "domains", "bolt.example")
        entries = http.post("/v2/lists/pipeline/entries/query", json={}).json()["data"]
    assert acme_written["owner"] == []
    assert acme_written["name"][0]["value"] == "Acme"
    assert [c["option"]["title"] for c in bolt_written["categories"]] == ["SaaS"]
    assert len(entries) == 4  # every line's entry, Cyan's without the archived status


# ---------------------------------------------------------------------------------------------- no 4xx
def _affinity_shipped(sb: RunningSandbox, client: AttioClient, tmp_path: Path) -> Prepared:
    mapping = Mapping.load(FIXTURES / "mapping.toml")
    return prepare_affinity(client, mapping, FIXTURES, NOTES, tmp_path / "w")


def _affinity_list_only(sb: RunningSandbox, client: AttioClient, tmp_path: Path) -> Prepared:
    exports = FIXTURES / "list-only"
    (tmp_path / "m.toml").write_text(guess_mapping(exports, client.run(fetch_schema(client.aio))))
    mapping = Mapping.load(tmp_path / "m.toml")
    return prepare_affinity(client, mapping, exports, None, tmp_path / "w")


def _csv(
    spec: Callable[[Path], CsvSpec], file: str
) -> Callable[[RunningSandbox, AttioClient, Path], Prepared]:
    def prepare(sb: RunningSandbox, client: AttioClient, tmp_path: Path) -> Prepared:
        with sb.http() as http:
            for slug, kind in (
                ("annual_revenue", "number"),
                ("employees", "number"),
                ("created", "timestamp"),
            ):
                add_attribute(http, "/v2/objects/companies", slug, kind)
        path = tmp_path / file
        shutil.copy(CSV_FIXTURES / file, path)
        return prepare_csv(client, spec(path), tmp_path / "w")

    return prepare


FIXTURE_SETS = {
    "affinity": _affinity_shipped,
    "affinity-list-only": _affinity_list_only,
    "hubspot_companies.csv": _csv(companies, "hubspot_companies.csv"),
    "conference_people.csv": _csv(people, "conference_people.csv"),
    "conference_people_cp1252.csv": _csv(people, "conference_people_cp1252.csv"),
}


@pytest.mark.parametrize("prepare", list(FIXTURE_SETS.values()), ids=list(FIXTURE_SETS))
def test_a_plan_that_is_clean_in_the_dry_run_applies_with_no_4xx(
    workspace: RunningSandbox,
    tmp_path: Path,
    prepare: Callable[[RunningSandbox, AttioClient, Path], Prepared],
) -> None:
    with watched(workspace) as (client, refused):
        prepared = prepare(workspace, client, tmp_path)
        assert prepared.result.table.approved().height > 0
        report = prepared.plan().apply(client, progress=False)
    assert refused == []  # not one request refused, reads included
    assert set(report.counts()) == {"done"}, report.frame.filter(pl.col("status") != "done")

"""Every built-in recipe on small hand-built workspaces (written over real HTTP, then exported) and on the
demo seed against its planted ground truth."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
import polars as pl
import pytest
from typer.testing import CliRunner

import cleanup
from cleanup.actions import ActionTable
from cleanup.cli import app
from cleanup.detect.recipe import RecipeError, available
from cleanup.detect.store import decisions, remember
from cleanup.export.snapshot import Snapshot
from cleanup.testing import RunningSandbox, sandbox_server, snapshot_of
from tests.conftest import unlimited


def create(http: httpx.Client, obj: str, values: dict[str, Any]) -> str:
    response = http.post(f"/v2/objects/{obj}/records", json={"data": {"values": values}})
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["id"]["record_id"])


def note(
    http: httpx.Client, parent: str, record: str, title: str, content: str, created_at: str | None = None
) -> str:
    data = {
        "parent_object": parent,
        "parent_record_id": record,
        "title": title,
        "format": "plaintext",
        "content": content,
    }
    if created_at:
        data["created_at"] = created_at
    response = http.post("/v2/notes", json={"data": data})
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["id"]["note_id"])


@pytest.fixture(scope="module")
def small(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[RunningSandbox, Snapshot, dict[str, str]]]:
    """A workspace with one planted example of each defect and its look-alikes that are not defects."""
    ids: dict[str, str] = {}
    with sandbox_server("empty", config=unlimited()) as sb, sb.http() as http:
        ids["acme"] = create(http, "companies", {"name": "Acme GmbH", "domains": ["acme.com"]})
        ids["acme2"] = create(http, "companies", {"name": "ACME Gmbh.", "domains": ["www.acme.com"]})
        ids["acme_robotics"] = create(
            http, "companies", {"name": "Acme Robotics", "domains": ["acmerobotics.io"]}
        )
        ids["initech"] = create(http, "companies", {"name": "Initech", "domains": ["initech.com"]})
        ids["bob"] = create(
            http,
            "people",
            {
                "name": [{"first_name": "Robert", "last_name": "Smith", "full_name": "Robert Smith"}],
                "email_addresses": ["robert.smith@acme.com"],
                "company": [{"target_object": "companies", "target_record_id": ids["acme"]}],
            },
        )
        ids["bob2"] = create(
            http,
            "people",
            {
                "name": [{"first_name": "Bob", "last_name": "Smith", "full_name": "Bob Smith"}],
                "email_addresses": ["bob.smith77@gmail.com"],
                "company": [{"target_object": "companies", "target_record_id": ids["acme"]}],
            },
        )
        ids["alice"] = create(
            http,
            "people",
            {
                "name": [{"first_name": "Alice", "last_name": "Jones", "full_name": "Alice Jones"}],
                "email_addresses": ["alice@initech.com"],
                "company": [{"target_object": "companies", "target_record_id": ids["initech"]}],
            },
        )
        ids["n1"] = note(
            http,
            "companies",
            ids["acme"],
            "Intro call",
            "Met the CEO.\nNext: deck.",
            "2021-03-01T10:00:00.000000000Z",
        )
        ids["n2"] = note(
            http,
            "companies",
            ids["acme"],
            "Intro call",
            "met the ceo. next: deck.",
            "2026-10-01T10:00:00.000000000Z",
        )
        ids["n3"] = note(
            http, "companies", ids["initech"], "Intro call", "Met the CEO.\nNext: deck."
        )  # other record
        http.post(
            "/v2/lists",
            json={
                "data": {
                    "name": "Pipeline",
                    "api_slug": "pipeline",
                    "parent_object": "companies",
                    "workspace_access": "full-access",
                    "workspace_member_access": [],
                }
            },
        ).raise_for_status()
        http.post(
            "/v2/lists/pipeline/attributes",
            json={
                "data": {
                    "title": "Next step",
                    "api_slug": "next_step",
                    "type": "text",
                    "description": "",
                    "is_required": False,
                    "is_unique": False,
                    "is_multiselect": False,
                    "config": {},
                }
            },
        ).raise_for_status()
        for record, values in (
            (ids["initech"], {}),
            (ids["initech"], {"next_step": "Send deck"}),
            (ids["acme2"], {}),
        ):
            response = http.post(
                "/v2/lists/pipeline/entries",
                json={
                    "data": {"parent_record_id": record, "parent_object": "companies", "entry_values": values}
                },
            )
            response.raise_for_status()
        ids["doomed"] = create(http, "companies", {"name": "Doomed Ltd"})
        http.post(
            "/v2/lists/pipeline/entries",
            json={
                "data": {"parent_record_id": ids["doomed"], "parent_object": "companies", "entry_values": {}}
            },
        ).raise_for_status()
        snapshot = snapshot_of(sb, tmp_path_factory.mktemp("small") / "snap")
        # the parent disappears behind the list's back (as after a failed import): only the snapshot knows
        yield sb, snapshot, ids


def _entries_of(snapshot: Snapshot) -> pl.DataFrame:
    return snapshot.entries("pipeline").collect()


def test_recipes_are_discoverable_with_typed_parameters() -> None:
    recipes = available()
    assert {
        "duplicate_notes",
        "duplicate_companies",
        "duplicate_people",
        "orphan_entries",
        "duplicate_entries",
    } <= set(recipes)
    assert all(r.description for r in recipes.values())
    assert recipes["duplicate_notes"].resolve({"max_gap_days": "30"})["max_gap_days"] == 30.0


@pytest.mark.parametrize(
    ("recipe", "params", "message"),
    [
        ("duplicate_notes", {"max_gap_days": "soon"}, "'soon' is not a number"),
        ("duplicate_notes", {"colour": "red"}, "has no parameter 'colour'"),
        ("duplicate_notes", {"reimport_token": "nope"}, "no note was written by API token 'nope'"),
        ("orphan_entries", {"lists": "nowhere"}, "unknown list(s) nowhere"),
        ("no_such_recipe", {}, "no recipe named 'no_such_recipe'"),
    ],
)
def test_bad_parameters_get_a_clear_message(
    small: Any, recipe: str, params: dict[str, Any], message: str
) -> None:
    _, snapshot, _ = small
    with pytest.raises(RecipeError) as caught:
        cleanup.detect(snapshot, recipe, **params)
    assert message in str(caught.value)


def test_a_snapshot_without_what_a_recipe_reads(tmp_path: Path, small: Any) -> None:
    sb, _, _ = small
    partial = snapshot_of(sb, tmp_path / "partial", objects=["people"], lists=[], notes=False)
    with pytest.raises(RecipeError, match=r"reads notes, which the snapshot .* lacks"):
        cleanup.detect(partial, "duplicate_notes")
    with pytest.raises(RecipeError, match="reads records/companies"):
        cleanup.detect(partial, "duplicate_companies")


def test_duplicate_notes_keeps_the_original(small: Any) -> None:
    _, snapshot, ids = small
    frame = cleanup.detect(snapshot, "duplicate_notes").frame
    assert frame.select("action", "target_id", "cluster_id").rows() == [("delete_note", ids["n2"], ids["n1"])]
    assert "title 'Intro call'" in frame["evidence"][0]
    assert cleanup.detect(snapshot, "duplicate_notes", min_gap_days=10_000).frame.height == 0


def test_duplicate_notes_recreates_a_lone_reimport_from_the_source(tmp_path: Path, small: Any) -> None:
    _, snapshot, ids = small
    source = tmp_path / "source.csv"
    pl.DataFrame(
        {
            "parent_record_id": [ids["initech"]],
            "title": ["Intro call"],
            "content": ["Met the CEO.\nNext: deck."],
            "created_at": ["2019-05-06T07:08:09Z"],
        }
    ).write_csv(source)
    frame = cleanup.detect(snapshot, "duplicate_notes", source=str(source)).frame
    recreate = frame.filter(pl.col("action") == "recreate_note")
    assert recreate["target_id"].to_list() == [ids["n3"]]
    assert '"created_at":"2019-05-06T07:08:09.000000000Z"' in recreate["payload"][0]
    bad = tmp_path / "bad.csv"
    pl.DataFrame(
        {"parent_record_id": ["x"], "title": ["t"], "content": ["c"], "created_at": ["last tuesday"]}
    ).write_csv(bad)
    with pytest.raises(RecipeError, match="row 2: created_at 'last tuesday' is not an ISO-8601 timestamp"):
        cleanup.detect(snapshot, "duplicate_notes", source=str(bad))


def test_duplicate_companies_merges_variants_but_not_look_alikes(small: Any) -> None:
    _, snapshot, ids = small
    frame = cleanup.detect(snapshot, "duplicate_companies").frame
    assert frame.select("action", "target_id", "survivor_id").rows() == [
        ("merge_records", ids["acme2"], ids["acme"])
    ]
    assert "same domain acme.com" in frame["evidence"][0]


def _company_links(rows: list[tuple[str, list[str]]]) -> set[tuple[str, str]]:
    """The pairs of names the company recipe links among hand-built records (name, domains)."""
    from cleanup.detect.matching import match
    from recipes.duplicate_companies import prepare, spec

    records = pl.DataFrame(
        {
            "_id": [f"c{i:02}" for i in range(len(rows))],
            "name": [n for n, _ in rows],
            "domains": [d for _, d in rows],
        },
        schema={"_id": pl.String, "name": pl.String, "domains": pl.List(pl.String)},
    )
    links = match(prepare(records), spec(), id_column="_id").links
    names = dict(records.select("_id", "name").rows())
    return {(names[a], names[b]) for a, b in links.select("left_id", "right_id").rows()}


SHARED_HOST_STARTUPS = [
    ("Lumen Labs", ["lumen.notion.site"]),
    ("Quill AI", ["https://quill.notion.site/About-4f1a"]),
    ("Brightpath", ["brightpath.webflow.io"]),
    ("Northwind Robotics", ["www.northwind.webflow.io"]),
    ("Orbit Analytics", ["orbit.substack.com"]),
    ("Kite Health", ["kite.substack.com"]),
    ("Fernwood", ["medium.com/@fernwood"]),
    ("Mossy Cloud", ["https://medium.com/@mossycloud"]),
    ("Pinecrest Data", ["gmail.com"]),
    ("Cedar Bio", ["gmail.com", "cedar.carrd.co"]),
    ("Ashford Studio", ["linktr.ee/ashford"]),
    ("Elmstreet", ["linktr.ee/elmstreet"]),
    ("Zed Tools", ["zed.vercel.app"]),
    ("Yakware", ["yakware.vercel.app"]),
    ("Tarn", ["tarn.github.io"]),
    ("Heron", ["heron.github.io"]),
    ("Gorse", ["gorse.framer.website"]),
    ("Sedge", ["sedge.framer.website"]),
]


def test_startups_on_one_shared_host_are_not_merged() -> None:
    assert _company_links(SHARED_HOST_STARTUPS) == set()


def test_one_site_on_a_shared_host_is_still_evidence() -> None:
    rows = [*SHARED_HOST_STARTUPS, ("Lumen Labs Inc.", ["https://lumen.notion.site/"])]
    assert _company_links(rows) == {("Lumen Labs", "Lumen Labs Inc.")}


def test_every_domain_of_a_record_is_compared() -> None:
    rows = [
        ("Acme", ["acme.com", "acme-old.com"]),  # rebranded: the old domain kept beside the new
        ("Roadrunner Labs", ["https://www.acme-old.com"]),  # the record from before the rebrand
        ("Initech", ["initech.com"]),
        ("Zeta", ["zeta.io", "gmail.com"]),
        ("Zeta Robotics", ["gmail.com"]),
    ]
    assert _company_links(rows) == {("Acme", "Roadrunner Labs")}


def test_duplicate_people_knows_nicknames(small: Any) -> None:
    _, snapshot, ids = small
    frame = cleanup.detect(snapshot, "duplicate_people").frame
    pair = {frame["target_id"][0], frame["survivor_id"][0]}
    assert frame.height == 1
    assert pair == {ids["bob"], ids["bob2"]}
    # the survivor (the older record) gets the address only the other one has
    assert frame["survivor_id"][0] == ids["bob"]
    # the shared employer is named, not given by its record id
    assert "same company Acme GmbH" in frame["evidence"][0]
    payload = orjson.loads(frame["payload"][0])
    assert payload["carry"] == {"email_addresses": ["bob.smith77@gmail.com"]}
    # nothing counts against them, and the pair's levels are kept for the reviewer's decision to teach
    assert "against" not in payload
    assert payload["pattern"]["levels"]["_given_key"] == "a nickname"
    assert payload["pattern"]["levels"]["_family_key"] == "same last name"


def test_duplicate_entries_carry_values_before_deleting(small: Any) -> None:
    _, snapshot, ids = small
    frame = cleanup.detect(snapshot, "duplicate_entries").frame.sort("action")
    entries = _entries_of(snapshot).filter(pl.col("_parent_record_id") == ids["initech"]).sort("_created_at")
    keeper, copy = entries["_id"].to_list()
    assert frame.select("action", "target_id").rows() == [("delete_entry", copy), ("update_entry", keeper)]
    assert frame.filter(pl.col("action") == "update_entry")["payload"][0] == '{"next_step":"Send deck"}'


def test_orphan_entries(tmp_path: Path, small: Any) -> None:
    _sb, snapshot, ids = small
    # an entry whose parent record is missing from the records export
    doomed_entry = _entries_of(snapshot).filter(pl.col("_parent_record_id") == ids["doomed"])["_id"][0]
    records = pl.read_parquet(snapshot.path / "records" / "companies.parquet").filter(
        pl.col("_id") != ids["doomed"]
    )
    copy = tmp_path / "snap"
    import shutil

    shutil.copytree(snapshot.path, copy)
    records.write_parquet(copy / "records" / "companies.parquet")
    frame = cleanup.detect(Snapshot.load(copy), "orphan_entries").frame
    assert frame.select("action", "list", "target_id").rows() == [("delete_entry", "pipeline", doomed_entry)]
    assert cleanup.detect(snapshot, "orphan_entries").frame.height == 0


def _own_copy(tmp_path: Path, snapshot: Snapshot) -> Snapshot:
    """The snapshot copied to ``tmp_path/snapshots/today``: its decisions store is the test's own."""
    import shutil

    return Snapshot.load(shutil.copytree(snapshot.path, tmp_path / "snapshots" / "today"))


def test_a_rejected_pair_is_not_proposed_again(tmp_path: Path, small: Any) -> None:
    local = _own_copy(tmp_path, small[1])
    table = cleanup.detect(local, "duplicate_companies")
    assert remember(table.decide("reject"), local) == 1
    assert cleanup.detect(local, "duplicate_companies").frame.height == 0
    assert (tmp_path / "snapshots" / "decisions.parquet").exists()


def test_decisions_teach_the_next_detection(tmp_path: Path, small: Any) -> None:
    local = _own_copy(tmp_path, small[1])
    table = cleanup.detect(local, "duplicate_people")
    before = table.frame["confidence"][0]
    assert remember(table.decide("approve"), local) == 1
    stored = pl.read_parquet(tmp_path / "snapshots" / "decisions.parquet")
    assert stored["decision"].to_list() == ["approve"]
    assert orjson.loads(stored["pattern"][0])["levels"]["_given_key"] == "a nickname"
    assert decisions(local, "duplicate_people")["duplicate"].to_list() == [True]
    # the approved pair is proposed again (it is not merged yet), more surely
    again = cleanup.detect(local, "duplicate_people").frame
    assert again["action_id"].to_list() == table.frame["action_id"].to_list()
    assert again["confidence"][0] > before
    # a later rejection of the same pair replaces the approval, and it is not proposed again
    assert remember(ActionTable(again).decide("reject"), local) == 1
    assert decisions(local, "duplicate_people")["duplicate"].to_list() == [False]
    assert cleanup.detect(local, "duplicate_people").frame.height == 0


def test_a_store_from_before_approvals_were_kept_reads_as_rejections(tmp_path: Path, small: Any) -> None:
    local = _own_copy(tmp_path, small[1])
    row = cleanup.detect(local, "duplicate_companies").frame.row(0, named=True)
    pl.DataFrame(
        {
            "recipe": ["duplicate_companies"],
            "part": ["records/companies"],
            "left_id": [row["target_id"]],
            "right_id": [row["survivor_id"]],
            "fingerprint": [row["fingerprint"]],
            "decided_at": [datetime(2026, 1, 5, tzinfo=UTC)],
        }
    ).write_parquet(tmp_path / "snapshots" / "decisions.parquet")
    assert cleanup.detect(local, "duplicate_companies").frame.height == 0
    assert decisions(local, "duplicate_companies").height == 0  # no pattern: it cannot teach


def test_cli_detect_writes_a_reviewable_table(tmp_path: Path, small: Any) -> None:
    _, snapshot, _ = small
    out = tmp_path / "notes.xlsx"
    result = CliRunner().invoke(
        app, ["detect", "duplicate_notes", "--snapshot", str(snapshot.path), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "duplicate_notes: 1 findings" in result.output
    assert len(ActionTable.read(out)) == 1
    bad = CliRunner().invoke(
        app,
        ["detect", "duplicate_notes", "--snapshot", str(snapshot.path), "--param", "nope", "--out", str(out)],
    )
    assert bad.exit_code == 2
    listed = CliRunner().invoke(app, ["recipes", "list"])
    assert "duplicate_people" in listed.output


def test_the_cli_prints_brackets_as_given(tmp_path: Path, small: Any) -> None:
    """User text in square brackets ('[organizations]', a folder '[q3]') is printed, never read as markup."""
    _, snapshot, _ = small
    import shutil

    folder = tmp_path / "[q3] snapshots" / "[today]"
    shutil.copytree(snapshot.path, folder)
    out = tmp_path / "[review]" / "notes.csv"
    out.parent.mkdir()
    wide = {"COLUMNS": "300"}
    made = CliRunner().invoke(
        app, ["detect", "duplicate_notes", "--snapshot", str(folder), "--out", str(out)], env=wide
    )
    assert made.exit_code == 0, made.output
    assert "[review]" in made.output
    refused = CliRunner().invoke(
        app,
        [
            "detect",
            "duplicate_notes",
            "--snapshot",
            str(folder),
            "--param",
            "reimport_token=[organizations]",
            "--out",
            str(out),
        ],
        env=wide,
    )
    assert "no note was written by API token '[organizations]'" in refused.output
    missing = CliRunner().invoke(app, ["--runs-dir", str(tmp_path / "[runs]"), "resume", "[x]"], env=wide)
    assert missing.exit_code == 1
    assert "no run '[x]'" in missing.output
    assert "[runs]" in missing.output


# ------------------------------------------------------------------------------------ the demo seed
@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_sandbox: RunningSandbox) -> tuple[Snapshot, Any]:
    return snapshot_of(demo_sandbox, tmp_path_factory.mktemp("demo") / "snap"), demo_sandbox


def _pairs(clusters: list[set[str]]) -> set[tuple[str, str]]:
    out = set()
    for members in clusters:
        ordered = sorted(members)
        out |= {(a, b) for i, a in enumerate(ordered) for b in ordered[i + 1 :]}
    return out


def _f1(found: set[Any], truth: set[Any]) -> float:
    hits = len(found & truth)
    return 2 * hits / (len(found) + len(truth)) if found or truth else 1.0


def test_demo_notes_and_entries_are_found_exactly(tmp_path: Path, demo: Any) -> None:
    snapshot, sb = demo
    truth = sb.ground_truth
    source = tmp_path / "source.parquet"
    pl.DataFrame(truth.notes_source).write_parquet(source)
    notes = cleanup.detect(
        snapshot, "duplicate_notes", reimport_token=sb.token_ids["affinity-reimport"], source=str(source)
    ).frame
    deleted = set(notes.filter(pl.col("action") == "delete_note")["target_id"])
    assert deleted == {d["id"] for d in truth.duplicate_notes}
    with_original = cleanup.detect(
        snapshot,
        "duplicate_notes",
        reimport_token=sb.token_ids["affinity-reimport"],
        original_token=sb.token_ids["affinity-import"],
    ).frame
    pairs = set(with_original.select("target_id", "cluster_id").rows())
    assert pairs == {(d["id"], d["original_id"]) for d in truth.duplicate_notes}
    recreated = notes.filter(pl.col("action") == "recreate_note")
    assert set(recreated["target_id"]) == {d["id"] for d in truth.reimport_only_notes}
    orphans = set(cleanup.detect(snapshot, "orphan_entries").frame["target_id"])
    assert orphans == {o["id"] for o in truth.orphan_entries}
    dup = cleanup.detect(snapshot, "duplicate_entries").frame.filter(pl.col("action") == "delete_entry")
    found = [set(g) | {k} for k, g in dup.group_by("cluster_id").agg("target_id").iter_rows()]
    assert _pairs(found) == _pairs([set(c["ids"]) for c in truth.duplicate_entries])


@pytest.mark.parametrize(("recipe", "bar"), [("duplicate_companies", 0.95), ("duplicate_people", 0.90)])
def test_demo_fuzzy_duplicates_reach_the_f1_bar(demo: Any, recipe: str, bar: float) -> None:
    snapshot, sb = demo
    frame = cleanup.detect(snapshot, recipe).frame
    clusters = [
        set(t) | {s}
        for _, t, s in frame.group_by("cluster_id")
        .agg("target_id", pl.col("survivor_id").first())
        .iter_rows()
    ]
    truth = [set(c["ids"]) for c in getattr(sb.ground_truth, recipe)]
    assert _f1(_pairs(clusters), _pairs(truth)) >= bar


def test_recipes_registered_by_entry_point(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib.metadata import EntryPoint

    registry = importlib.import_module("cleanup.detect.recipe")  # `cleanup.detect` is also the function

    point = EntryPoint("orphans_again", "recipes.orphan_entries:RECIPE", registry.ENTRY_POINT_GROUP)
    monkeypatch.setattr(
        registry, "entry_points", lambda group: [point] if group == registry.ENTRY_POINT_GROUP else []
    )
    assert "orphan_entries" in registry.available()
    broken = EntryPoint("broken", "recipes.orphan_entries:NAME", registry.ENTRY_POINT_GROUP)
    monkeypatch.setattr(registry, "entry_points", lambda group: [broken])
    with pytest.raises(RecipeError, match="is not a cleanup Recipe"):
        registry.available()


def test_python_summary_prints(small: Any, capsys: pytest.CaptureFixture[str]) -> None:
    _, snapshot, _ = small
    table = cleanup.detect(snapshot, "duplicate_notes")
    table.show()
    assert "delete_note" in capsys.readouterr().out
    assert "duplicate_notes" in table._repr_html_()


def test_people_named_in_full_name_only_are_split() -> None:
    from recipes.duplicate_people import prepare

    name = pl.Struct({"first_name": pl.String, "last_name": pl.String, "full_name": pl.String})
    records = pl.DataFrame(
        {
            "_id": ["p1", "p2"],
            "name": [
                {"first_name": None, "last_name": None, "full_name": "Dr. Robert van der Berg"},
                {"first_name": "Bob", "last_name": "van der Berg", "full_name": "Bob van der Berg"},
            ],
            "email_addresses": [[], []],
            "phone_numbers": [[], []],
            "company": [None, None],
            "primary_location": [None, None],
        },
        schema_overrides={
            "name": name,
            "email_addresses": pl.List(pl.String),
            "phone_numbers": pl.List(pl.String),
            "company": pl.Struct({"target_object": pl.String, "target_record_id": pl.String}),
            "primary_location": pl.Struct(
                {"line_1": pl.String, "locality": pl.String, "postcode": pl.String}
            ),
        },
    )
    prepared = prepare(records)
    assert prepared["_first"].to_list() == ["robert", "robert"]
    assert prepared["_last"].to_list() == ["van der berg", "van der berg"]


def test_survivorship_can_be_ordered_and_preferred(small: Any) -> None:
    sb, snapshot, ids = small
    newest = cleanup.detect(snapshot, "duplicate_companies", survivor="newest").frame
    assert newest.select("target_id", "survivor_id").rows() == [(ids["acme"], ids["acme2"])]
    preferred = cleanup.detect(
        snapshot, "duplicate_companies", survivor="oldest", prefer_created_by=sb.token_ids["primary"]
    ).frame
    assert "created by the preferred author" in preferred["reason"][0]
    with pytest.raises(RecipeError, match="unknown rule"):
        cleanup.detect(snapshot, "duplicate_companies", survivor="tallest")

"""Re-imported notes in every shape, built over real HTTP with three import keys: originals present or gone,
one to three copies, one or two re-import keys, with and without a source giving the original date, and
the look-alikes that must stay (an edited copy, a user's own repeated note)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import polars as pl
import pytest
from typer.testing import CliRunner

import cleanup
from cleanup.actions import ActionTable
from cleanup.cli import app
from cleanup.client import AttioClient
from cleanup.detect.recipe import RecipeError
from cleanup.execute import Plan, restore
from cleanup.execute.run import Run
from cleanup.export.snapshot import Snapshot
from cleanup.testing import Killer, RunningSandbox, sandbox_server, snapshot_of
from cleanup.tokens import load_labels, writers
from recipes.duplicate_notes import SourceWarning
from tests.conftest import unlimited

ORIGINAL = "2019-06-04T14:03:00.000000000Z"
WAVE_1 = "2026-09-01T10:00:00.000000000Z"
WAVE_2 = "2026-10-01T10:00:00.000000000Z"
CONTENT = "Met the founders.\nNext: deck and data room."


@dataclass(frozen=True)
class Shape:
    """One record's notes: (label, token, date, content) each; the source gives the original date or not;
    what the recipe should do with each label ('keep' for nothing)."""

    name: str
    notes: tuple[tuple[str, str, str, str], ...]
    in_source: bool
    expected: dict[str, str]


def _o(label: str = "o", token: str = "first-import") -> tuple[str, str, str, str]:
    return (label, token, ORIGINAL, CONTENT)


def _c(
    label: str, token: str = "reimport", at: str = WAVE_1, content: str = CONTENT
) -> tuple[str, str, str, str]:
    return (label, token, at, content)


SHAPES = (
    Shape("original and one copy", (_o(), _c("c1")), False, {"o": "keep", "c1": "delete_note"}),
    Shape(
        "original and three copies",
        (_o(), _c("c1"), _c("c2", at=WAVE_2), _c("c3", at=WAVE_2)),
        False,
        {"o": "keep", "c1": "delete_note", "c2": "delete_note", "c3": "delete_note"},
    ),
    Shape("original gone, one copy, source", (_c("c1"),), True, {"c1": "recreate_note"}),
    Shape("original gone, one copy, no source", (_c("c1"),), False, {"c1": "keep"}),
    Shape(
        "original gone, two copies, source",
        (_c("c1"), _c("c2", at=WAVE_2)),
        True,
        {"c1": "recreate_note", "c2": "delete_note"},
    ),
    Shape(
        "original gone, three copies, no source",
        (_c("c1"), _c("c2", at=WAVE_2), _c("c3", at=WAVE_2)),
        False,
        {"c1": "keep", "c2": "delete_note", "c3": "delete_note"},
    ),
    Shape(
        "copies by two re-import keys",
        (_o(), _c("c1"), _c("c2", token="reimport-2", at=WAVE_2)),
        False,
        {"o": "keep", "c1": "delete_note", "c2": "delete_note"},
    ),
    Shape(
        "original gone, copies by two keys, source",
        (_c("c1", token="reimport-2"), _c("c2", at=WAVE_2)),
        True,
        {"c1": "recreate_note", "c2": "delete_note"},
    ),
    Shape(
        "a copy edited after the import",
        (_o(), _c("c1", content=CONTENT + "\nUpdate: term sheet signed.")),
        False,
        {"o": "keep", "c1": "keep"},
    ),
    Shape(
        "whitespace-only differences",
        (_o(), _c("c1", content="  Met the founders.   Next: deck and data room. ")),
        False,
        {"o": "keep", "c1": "delete_note"},
    ),
    Shape(
        "the user's own note written twice by the original key",
        (_o("o1"), _o("o2")),
        False,
        {"o1": "keep", "o2": "keep"},
    ),
)


def _build(sb: RunningSandbox, folder: Path) -> tuple[Snapshot, dict[str, dict[str, str]], Path]:
    """Every shape on its own company, written by the token each note names; the snapshot and the source
    export."""
    for token in ("first-import", "reimport", "reimport-2"):
        sb.sandbox.add_token(token)
    ids: dict[str, dict[str, str]] = {}
    source = []
    with sb.http() as http:
        for shape in SHAPES:
            values = {"name": shape.name.capitalize()}
            made = http.post("/v2/objects/companies/records", json={"data": {"values": values}})
            ids[shape.name] = {"_record": made.json()["data"]["id"]["record_id"]}
            for label, token, at, content in shape.notes:
                data = {
                    "parent_object": "companies",
                    "parent_record_id": ids[shape.name]["_record"],
                    "title": "Intro call",
                    "format": "plaintext",
                    "content": content,
                    "created_at": at,
                }
                with sb.http(token) as writer:
                    response = writer.post("/v2/notes", json={"data": data})
                assert response.status_code == 200, response.text
                ids[shape.name][label] = response.json()["data"]["id"]["note_id"]
            if shape.in_source:
                source.append(
                    {
                        "parent_record_id": ids[shape.name]["_record"],
                        "title": "Intro call",
                        "content": CONTENT,
                        "created_at": ORIGINAL,
                    }
                )
    pl.DataFrame(source).write_csv(folder / "source.csv")
    return snapshot_of(sb, folder / "snap"), ids, folder / "source.csv"


@pytest.fixture(scope="module")
def workspace(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[RunningSandbox, Snapshot, dict[str, dict[str, str]], Path]]:
    with sandbox_server("empty", config=unlimited()) as sb:
        yield (sb, *_build(sb, tmp_path_factory.mktemp("shapes")))


def _detect(workspace: Any) -> ActionTable:
    sb, snapshot, _ids, source = workspace
    tokens = ",".join(sb.token_ids[t] for t in ("reimport", "reimport-2"))
    return cleanup.detect(snapshot, "duplicate_notes", reimport_token=tokens, source=str(source))


@pytest.mark.parametrize("shape", SHAPES, ids=[s.name for s in SHAPES])
def test_each_shape_gets_what_it_needs(workspace: Any, shape: Shape) -> None:
    frame = _detect(workspace).frame
    ids = workspace[2][shape.name]
    action_of = dict(frame.select("target_id", "action").iter_rows())
    assert {label: action_of.get(ids[label], "keep") for label in shape.expected} == shape.expected
    rows = frame.filter(pl.col("target_id").is_in([ids[label] for label in shape.expected]))
    if any(token.startswith("first") for _, token, _, _ in shape.notes):
        return
    # no original left: no row calls a copy 'the original', and every delete says what is kept
    for reason in rows["reason"].to_list():
        assert "original of" not in reason
        assert "the original is gone" in reason or "re-imported" in reason


def test_copies_are_sure_enough_to_approve_in_bulk(workspace: Any) -> None:
    frame = _detect(workspace).frame
    assert frame.filter(pl.col("action") == "delete_note")["confidence"].min() >= 0.99


def _notes_by_shape(sb: RunningSandbox, ids: dict[str, dict[str, str]]) -> dict[str, list[tuple[str, str]]]:
    """Each shape's notes now: (created_at to the minute, content), sorted."""
    with sb.http() as http:
        notes = http.get("/v2/notes", params={"limit": 50}).json()["data"]  # fewer than 50 here
        assert len(notes) < 50
    out: dict[str, list[tuple[str, str]]] = {}
    for shape in SHAPES:
        record = ids[shape.name]["_record"]
        out[shape.name] = sorted(
            (n["created_at"][:16], n["content_plaintext"]) for n in notes if n["parent_record_id"] == record
        )
    return out


def _check_applied(before: dict[str, list[tuple[str, str]]], after: dict[str, list[tuple[str, str]]]) -> None:
    """After the cleanup: each shape keeps the notes it should, and a recreated one has its original date."""
    for shape in SHAPES:
        kept = [label for label, action in shape.expected.items() if action == "keep"]
        recreated = [label for label, action in shape.expected.items() if action == "recreate_note"]
        assert len(after[shape.name]) == len(kept) + len(recreated), shape.name
        if recreated:
            assert [at for at, _ in after[shape.name]] == [ORIGINAL[:16]], shape.name
        assert len(before[shape.name]) == len(shape.notes)


def test_applying_leaves_each_original_once_with_its_date(workspace: Any) -> None:
    sb, snapshot, ids, _source = workspace
    before = _notes_by_shape(sb, ids)
    table = _detect(workspace).decide("approve")
    with AttioClient(sb.tokens["primary"], sb.base_url) as client:
        report = Plan(table, snapshot).apply(client, progress=False)
    assert report.counts() == {"done": table.frame.height}
    _check_applied(before, _notes_by_shape(sb, ids))


def _kinds(frame: pl.DataFrame, snapshot: Snapshot) -> list[tuple[str, str, str]]:
    """Each row as (action, the parent record, the target's date): what it does, whatever the ids."""
    notes = (
        snapshot.notes()
        .select("note_id", "parent_record_id", pl.col("created_at").dt.strftime("%F %R"))
        .collect()
    )
    joined = frame.join(notes, left_on="target_id", right_on="note_id")
    assert joined.height == frame.height
    return sorted(joined.select("action", "parent_record_id", "created_at").iter_rows())


def test_killed_and_resumed_then_restored_every_shape_ends_right(tmp_path: Path) -> None:
    with sandbox_server("empty", config=unlimited()) as sb:
        snapshot, ids, source = _build(sb, tmp_path)
        before = _notes_by_shape(sb, ids)
        table = _detect((sb, snapshot, ids, source)).decide("approve")
        run = Run.start(Plan(table, snapshot))
        run.close()
        killer = Killer(sb, run.run_id, run.folder.parent, seed=11, max_writes=4)
        assert killer.run(4) == 0
        assert killer.kills, "no kill point was reached"
        _check_applied(before, _notes_by_shape(sb, ids))
        with AttioClient(sb.tokens["primary"], sb.base_url) as client:
            restored = restore(run.run_id, client, root=run.folder.parent)
        assert set(restored["status"].to_list()) == {"restored"}
        # every note is back, with its date and content (new ids, the restoring token as author)
        assert _notes_by_shape(sb, ids) == before
        # and the same cleanup proposes the same again: a restored copy is still a copy
        again = snapshot_of(sb, tmp_path / "after-restore")
        tokens = ",".join(sb.token_ids[t] for t in ("reimport", "reimport-2"))
        redone = cleanup.detect(
            again,
            "duplicate_notes",
            reimport_token=tokens,
            source=str(source),
            runs_dir=str(run.folder.parent),
        ).frame
        assert _kinds(redone, again) == _kinds(table.frame, snapshot)
        assert "put back by the restore of run" in " ".join(redone["evidence"].to_list())


def test_tokens_show_the_waves_and_recipes_take_their_labels(workspace: Any) -> None:
    sb, snapshot, _ids, source = workspace
    found = writers(snapshot).filter(pl.col("actor_type") == "api-token")
    by_id = {row["actor_id"]: row for row in found.iter_rows(named=True)}
    reimport = by_id[sb.token_ids["reimport"]]
    assert reimport["notes"] == sum(1 for s in SHAPES for _, t, _, _ in s.notes if t == "reimport")
    assert {str(day) for day in reimport["day"]} == {"2026-09-01", "2026-10-01"}  # the two waves
    result = CliRunner().invoke(
        app,
        [
            "tokens",
            "--snapshot",
            str(snapshot.path),
            "--label",
            f"{sb.token_ids['reimport']}=Affinity re-import",
        ],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "Affinity re-import" in result.output
    assert (
        "first-import" not in result.output
    )  # the sandbox's token names are not Attio's: ids until labelled
    assert load_labels(snapshot) == {sb.token_ids["reimport"]: "Affinity re-import"}
    by_label = cleanup.detect(
        snapshot,
        "duplicate_notes",
        reimport_token=f"affinity RE-IMPORT,{sb.token_ids['reimport-2']}",
        source=str(source),
    )
    assert by_label.frame.sort("action_id").equals(_detect(workspace).frame.sort("action_id"))
    assert "by Affinity re-import" in " ".join(by_label.frame["reason"].to_list())


def test_a_secret_or_an_unknown_token_is_refused_plainly(workspace: Any) -> None:
    sb, snapshot, _ids, _source = workspace
    secret = sb.tokens["reimport"]
    with pytest.raises(RecipeError, match="looks like an API key") as caught:
        cleanup.detect(snapshot, "duplicate_notes", reimport_token=secret)
    assert secret not in str(caught.value)
    with pytest.raises(
        RecipeError, match=r"tokens that wrote notes: .* \d+ notes, \d+ \w+ 20\d\d"
    ) as unknown:
        cleanup.detect(snapshot, "duplicate_notes", reimport_token="00000000-0000-0000-0000-000000000000")
    assert sb.token_ids["reimport"] in str(unknown.value)


def _recreated(workspace: Any, source: Path) -> list[str]:
    sb, snapshot, _ids, _source = workspace
    tokens = ",".join(sb.token_ids[t] for t in ("reimport", "reimport-2"))
    frame = cleanup.detect(snapshot, "duplicate_notes", reimport_token=tokens, source=str(source)).frame
    return sorted(frame.filter(pl.col("action") == "recreate_note")["target_id"].to_list())


def test_sources_in_every_form_give_the_same_dates(workspace: Any, tmp_path: Path) -> None:
    rows = pl.read_csv(workspace[3])
    expected = _recreated(workspace, workspace[3])
    assert len(expected) == 3
    rows.write_parquet(tmp_path / "notes.parquet")
    rows.write_ndjson(tmp_path / "notes.jsonl")
    (tmp_path / "notes.json").write_bytes(orjson.dumps({"data": rows.to_dicts()}))
    snapshot_like = tmp_path / "before" / "notes.parquet"  # a snapshot folder taken before the re-import
    snapshot_like.parent.mkdir()
    rows.select(
        "parent_record_id",
        "title",
        pl.col("content").alias("content_plaintext"),
        pl.col("content").alias("content_markdown"),
        pl.col("created_at").str.to_datetime(time_zone="UTC"),
    ).write_parquet(snapshot_like)
    for source in ("notes.parquet", "notes.jsonl", "notes.json", "before", "before/notes.parquet"):
        assert _recreated(workspace, tmp_path / source) == expected, source


def test_a_source_that_matches_few_notes_says_why(workspace: Any, tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.csv"
    pl.read_csv(workspace[3]).with_columns(content=pl.lit("something else")).write_csv(wrong)
    with pytest.warns(
        SourceWarning, match=r"0 of 3 source rows of wrong.csv matched a note: 3 name a record"
    ) as said:
        assert _recreated(workspace, wrong) == []
    assert "3 of those a note with the same title" in str(said[0].message)
    assert (
        "Nearest misses: 'intro call' on Original gone, one copy, source: a note of that title is there"
        in str(said[0].message)
    )
    result = CliRunner().invoke(
        app,
        [
            "detect",
            "duplicate_notes",
            "--snapshot",
            str(workspace[1].path),
            "--param",
            f"source={wrong}",
            "--out",
            str(tmp_path / "notes.csv"),
        ],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "Note: 0 of 3 source rows" in result.output


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "notes.txt",
            "hello",
            "a source is Parquet, CSV, JSON, JSON lines, a snapshot folder, or Affinity's notes export",
        ),
        ("notes.json", "{not json", "is not valid JSON"),
        ("notes.json", '{"notes": 3}', "is JSON but not a list of notes"),
        ("notes.csv", "parent_record_id,title\nx,y\n", "lacks the column(s) created_at, content"),
    ],
)
def test_bad_sources_are_named(workspace: Any, tmp_path: Path, name: str, text: str, message: str) -> None:
    (tmp_path / name).write_text(text)
    with pytest.raises(RecipeError, match=re.escape(message)):
        _recreated(workspace, tmp_path / name)


def test_affinitys_notes_export_gives_dates_by_the_affinity_note_id(tmp_path: Path) -> None:
    """A note an Affinity import wrote carries its Affinity id in its source line: the export's date for
    that id is the original date, whatever the note's text has become."""
    with sandbox_server("empty", config=unlimited()) as sb:
        sb.sandbox.add_token("reimport")
        with sb.http() as http:
            made = http.post("/v2/objects/companies/records", json={"data": {"values": {"name": "Acme"}}})
            record = made.json()["data"]["id"]["record_id"]
        content = "Met the founders.\n\n---\n_From Affinity note 4242 by Ann Lee, 2019-06-04_"
        data = {
            "parent_object": "companies",
            "parent_record_id": record,
            "title": "Met the founders.",
            "format": "markdown",
            "content": content,
            "created_at": WAVE_1,
        }
        with sb.http("reimport") as writer:
            note_id = writer.post("/v2/notes", json={"data": data}).json()["data"]["id"]["note_id"]
        snapshot = snapshot_of(sb, tmp_path / "snap")
        export = tmp_path / "affinity-notes.json"
        export.write_bytes(
            orjson.dumps(
                [
                    {
                        "id": 4242,
                        "type": 0,
                        "content": "Met the founders.",
                        "created_at": "2019-06-04T14:03:00Z",
                        "creator_id": 7,
                        "organization_ids": [11],
                        "person_ids": [],
                    },
                    {
                        "id": 4343,
                        "type": 0,
                        "content": "Another note",
                        "created_at": "2019-07-01T09:00:00Z",
                        "creator_id": 7,
                        "organization_ids": [12],
                        "person_ids": [],
                    },
                ]
            )
        )
        frame = cleanup.detect(
            snapshot, "duplicate_notes", reimport_token=sb.token_ids["reimport"], source=str(export)
        ).frame
    (row,) = frame.iter_rows(named=True)
    assert (row["action"], row["target_id"]) == ("recreate_note", note_id)
    assert orjson.loads(row["payload"])["created_at"].startswith("2019-06-04T14:03:00")

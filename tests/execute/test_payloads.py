"""Payloads have one shape per action, parsed in one place; placeholders for ids other rows make are found
and filled in whole string values only."""

from __future__ import annotations

import orjson
import polars as pl
import pytest

from cleanup.actions import Action
from cleanup.execute.payloads import (
    EntryPayload,
    NoPayload,
    NotePayload,
    PayloadError,
    TaskPayload,
    ValuesPayload,
    normalised,
    normalised_rows,
    parse,
)
from cleanup.execute.steps import made_by, placeholders, with_made


def test_each_action_reads_its_one_shape() -> None:
    note = parse(
        Action.CREATE_NOTE,
        '{"parent_object": "people", "parent_action": "r1", "title": "Call", "format": "markdown", '
        '"content": "Hi", "created_at": "2020-01-01T00:00:00Z", "skip_ids": ["n0"]}',
    )
    assert isinstance(note, NotePayload)
    assert note.skip_ids == ("n0",)
    assert note.body("p9") == {
        "parent_object": "people",
        "parent_record_id": "p9",
        "title": "Call",
        "format": "markdown",
        "content": "Hi",
        "created_at": "2020-01-01T00:00:00Z",
    }
    entry = parse(Action.CREATE_ENTRY, '{"parent_object": "companies", "parent_record_id": "c1"}')
    assert isinstance(entry, EntryPayload)
    assert entry.body() == {"parent_record_id": "c1", "parent_object": "companies", "entry_values": {}}
    update = parse(Action.UPDATE_ENTRY, '{"entry_values": {"stage": "Won"}, "overwrite": true}')
    assert update == ValuesPayload({"stage": "Won"}, key="entry_values", overwrite=True)
    task = parse(Action.UPDATE_TASK, '{"linked_records": [{"target_object": "people"}], "depends_on": ["a"]}')
    assert task == TaskPayload(({"target_object": "people"},), ("a",))
    assert parse(Action.DELETE_NOTE, None) == NoPayload()


def test_a_payload_missing_what_its_action_needs_is_named() -> None:
    with pytest.raises(PayloadError, match="update_record payload needs 'values'; it holds description"):
        parse(Action.UPDATE_RECORD, '{"description": "bare"}')


def test_the_older_bare_shape_is_rewritten_when_a_plan_is_made() -> None:
    bare = '{"stage": "Won", "depends_on": ["a1"]}'
    assert orjson.loads(normalised(Action.UPDATE_ENTRY, bare) or "") == {
        "entry_values": {"stage": "Won"},
        "depends_on": ["a1"],
    }
    wrapped = '{"values": {"name": "Acme"}}'
    assert normalised(Action.UPDATE_RECORD, wrapped) == wrapped
    rows = pl.DataFrame({"action": ["update_record", "delete_note"], "payload": ['{"name": "Acme"}', None]})
    assert normalised_rows(rows)["payload"].to_list() == ['{"values":{"name":"Acme"}}', None]


def test_placeholders_are_whole_values_and_filled_where_made() -> None:
    payload = {
        "values": {"company": [{"target_object": "companies", "target_record_id": made_by("r:1")}]},
        "note": f"the text {made_by('r:2')} is prose, not a placeholder",
    }
    row = {"target_id": made_by("r:3"), "payload": orjson.dumps(payload).decode()}
    assert placeholders(row) == {"r:1", "r:3"}
    filled = with_made(row, {"r:1": "rec-1"})
    assert filled["target_id"] == made_by("r:3")  # not made yet: left for the executor to wait on
    assert orjson.loads(filled["payload"])["values"]["company"][0]["target_record_id"] == "rec-1"
    assert orjson.loads(filled["payload"])["note"] == payload["note"]

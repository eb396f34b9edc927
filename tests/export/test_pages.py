"""Page parsing: each row's ``_raw`` is the item exactly as the API sent it, whatever the page layout."""

from __future__ import annotations

import orjson
import polars as pl
import pytest

from cleanup.export.pages import NOTE, parse_items, parse_records, record_schema
from cleanup.values import AttributeType

ATTRS = [AttributeType("name", "text"), AttributeType("tags", "select", is_multiselect=True)]


def _record(record_id: str, name: str) -> dict[str, object]:
    value = {
        "value": name,
        "active_from": "2026-01-01T00:00:00.000000000Z",
        "active_until": None,
        "created_by_actor": {"type": "system", "id": None},
        "attribute_type": "text",
    }
    return {
        "id": {"workspace_id": "w", "object_id": "o", "record_id": record_id},
        "created_at": "2026-01-01T00:00:00.000000000Z",
        "web_url": f"https://app.attio.com/x/{record_id}",
        "values": {"name": [value], "tags": []},
        "unknown_future_field": {"id": 1},
    }


AWKWARD_NAMES = [
    "plain",
    '},{"id": inside a string',
    'quote " and backslash \\ and }{ braces',
    "unicode: Zürich – 東京 🚀",
    "",
]


@pytest.mark.parametrize(
    ("layout", "dump"),
    [
        ("compact", orjson.dumps),
        ("indented", lambda page: orjson.dumps(page, option=orjson.OPT_INDENT_2)),
        ("extra envelope key", lambda page: orjson.dumps({**page, "next_cursor": None})),
    ],
)
def test_raw_is_each_item_as_sent_in_any_layout(layout: str, dump: object) -> None:
    items = [_record(f"r{i}", name) for i, name in enumerate(AWKWARD_NAMES)]
    content = dump({"data": items})  # type: ignore[operator]
    frame = parse_records(content, ATTRS)
    assert frame["_id"].to_list() == [f"r{i}" for i in range(len(items))], layout
    assert frame["name"].to_list() == AWKWARD_NAMES
    assert [orjson.loads(raw) for raw in frame["_raw"]] == items  # nothing lost, unknown fields kept


@pytest.mark.parametrize("count", [0, 1, 2, 500])
def test_pages_of_any_length(count: int) -> None:
    content = orjson.dumps({"data": [_record(f"r{i}", f"n{i}") for i in range(count)]})
    frame = parse_records(content, ATTRS)
    assert frame.height == count
    if count:
        assert orjson.loads(frame["_raw"][-1])["id"]["record_id"] == f"r{count - 1}"


def test_compact_raw_is_the_exact_bytes_sent() -> None:
    items = [_record("a", "x"), _record("b", "y")]
    frame = parse_items(orjson.dumps({"data": items}), record_schema(ATTRS))
    assert frame["_raw"].to_list() == [orjson.dumps(item).decode() for item in items]


def test_a_cut_that_does_not_match_the_items_falls_back() -> None:
    """Notes whose content holds the boundary bytes unescaped cannot exist in JSON; a split that yields
    the wrong pieces (here: items whose first key is not ``id``) is detected and not used."""
    notes = [
        {"title": "t1", "id": {"workspace_id": "w", "note_id": "n1"}, "content_plaintext": "a"},
        {"title": "t2", "id": {"workspace_id": "w", "note_id": "n2"}, "content_plaintext": "b"},
    ]
    frame = parse_items(orjson.dumps({"data": notes}), NOTE)
    assert [orjson.loads(raw) for raw in frame["_raw"]] == notes
    assert frame.select(pl.col("data").struct.field("title")).to_series().to_list() == ["t1", "t2"]

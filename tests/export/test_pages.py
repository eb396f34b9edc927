"""Page parsing: each row's ``_raw`` is the item exactly as the API sent it, whatever the page layout."""

from __future__ import annotations

import orjson
import polars as pl
import pytest

from cleanup.export import pages
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


def test_a_boundary_nested_inside_an_item_falls_back() -> None:
    """Objects whose first key is ``id`` in a list inside an item: the cut finds more pieces than items."""
    items = [{**_record(f"r{i}", "x"), "links": [{"id": "a"}, {"id": "b"}]} for i in range(3)]
    content = orjson.dumps({"data": items})
    assert pages._parse_compact(content, record_schema(ATTRS)) is None
    frame = parse_items(content, record_schema(ATTRS))
    assert frame["_raw"].to_list() == [orjson.dumps(item).decode() for item in items]


def test_items_short_enough_to_be_held_in_their_views() -> None:
    """Arrow keeps a value of up to 12 bytes in the view itself: ``{"id":null}`` is 11."""
    content = b'{"data":[{"id":null},{"id":null,"created_at":null}]}'
    frame = pages._parse_compact(content, record_schema(ATTRS))
    assert frame is not None
    assert frame["_raw"].to_list() == ['{"id":null}', '{"id":null,"created_at":null}']


def test_null_items_are_dropped_and_the_rest_keep_their_raw() -> None:
    items = [_record("a", "x"), None, _record("b", "y")]
    frame = parse_items(orjson.dumps({"data": items}), record_schema(ATTRS))
    assert frame["_raw"].to_list() == [orjson.dumps(item).decode() for item in items if item]


def test_space_between_items_takes_the_general_path() -> None:
    items = [_record("a", "x"), _record("b", "y")]
    content = b'{"data":[' + b", ".join(orjson.dumps(item) for item in items) + b"]}"
    assert pages._parse_compact(content, record_schema(ATTRS)) is None
    assert parse_records(content, ATTRS)["_id"].to_list() == ["a", "b"]


def test_a_page_that_is_not_utf8_is_refused_as_before() -> None:
    content = b'{"data":[' + orjson.dumps(_record("a", "x")).replace(b'"x"', b'"\xff"') + b"]}"
    with pytest.raises(pl.exceptions.ComputeError):
        parse_items(content, record_schema(ATTRS))


def test_an_empty_page_has_the_item_schema() -> None:
    frame = parse_items(b'{"data":[]}', record_schema(ATTRS))
    assert frame.height == 0
    assert frame.schema == pl.Schema({"data": record_schema(ATTRS), "_raw": pl.String})


def test_a_cut_with_the_right_count_at_a_nested_boundary_falls_back() -> None:
    """The second note does not start with its id and holds a list of objects that do: the cut finds two
    pieces for two notes, but the second piece starts inside the first note's list."""
    notes = [
        {"id": {"workspace_id": "w", "note_id": "n1"}, "title": "", "links": []},
        {"title": "", "links": [{"id": ""}, {"id": ""}], "id": {"workspace_id": "w", "note_id": "n2"}},
    ]
    content = orjson.dumps({"data": notes})
    assert pages._parse_compact(content, NOTE) is None
    assert parse_items(content, NOTE)["_raw"].to_list() == [orjson.dumps(note).decode() for note in notes]

"""The bodies of the 2026 writes (note update, history write), checked before anything is sent."""

from __future__ import annotations

from typing import Any

import pytest

from cleanup.client.calls import HISTORY_MAX, HistoryValue, history_body, note_update_body


@pytest.mark.parametrize(
    ("given", "body"),
    [
        ({"title": "T"}, {"title": "T"}),
        ({"content": "x"}, {"format": "markdown", "content": "x"}),
        ({"content": "x", "format": "plaintext"}, {"format": "plaintext", "content": "x"}),
        ({"title": "", "content": ""}, {"title": "", "format": "markdown", "content": ""}),
    ],
)
def test_a_note_update_sends_only_what_changes(given: dict[str, Any], body: dict[str, Any]) -> None:
    assert note_update_body(**given) == {"data": body}


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ({}, "needs a new title, new content"),
        ({"format": "markdown"}, "give the content too"),
        ({"content": "x", "format": "html"}, "not 'html'"),
    ],
)
def test_a_note_update_that_cannot_be_sent_is_named(given: dict[str, Any], says: str) -> None:
    with pytest.raises(ValueError, match=says):
        note_update_body(**given)


def test_a_history_body_holds_every_interval_and_the_consent() -> None:
    values = [
        HistoryValue("Acme (old name)", "2020-01-01T00:00:00Z", "2021-06-15T09:30:00Z"),
        HistoryValue("Acme Corporation", "2021-06-15T09:30:00Z"),
    ]
    assert history_body(values) == {
        "data": {
            "values": [
                {
                    "value": "Acme (old name)",
                    "active_from": "2020-01-01T00:00:00Z",
                    "active_until": "2021-06-15T09:30:00Z",
                },
                {"value": "Acme Corporation", "active_from": "2021-06-15T09:30:00Z", "active_until": None},
            ],
            "replace_history": True,
        }
    }


@pytest.mark.parametrize(
    ("values", "says"),
    [
        ([], "at least one value"),
        ([HistoryValue("x", "2020-01-01T00:00:00Z")] * (HISTORY_MAX + 1), "at most 400"),
        ([HistoryValue(["a", "b"], "2020-01-01T00:00:00Z")], "one item"),
    ],
)
def test_a_history_body_that_attio_would_refuse_is_named(values: list[HistoryValue], says: str) -> None:
    with pytest.raises(ValueError, match=says):
        history_body(values)

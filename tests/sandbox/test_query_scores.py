"""Score-based limits of records/query and entries/query (attio-api-2026.md §4), over real HTTP."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import pytest

from cleanup.sandbox import SandboxConfig
from cleanup.sandbox.config import QueryScoreWeights, query_score
from cleanup.sandbox.filters import count_conditions
from cleanup.testing import RunningSandbox, sandbox_server

from .spec import assert_attio_error

QUERY = "/v2/objects/companies/records/query"
HEADER = "x-attio-record-query-score"
TWO_CONDITIONS = {"filter": {"$and": [{"name": "Acme"}, {"domains": {"domain": {"$contains": "ac"}}}]}}


def scored(**settings: Any) -> SandboxConfig:
    return SandboxConfig(read_rps=0, write_rps=0, merge_rps=0, **settings)


def test_score_function_and_condition_count() -> None:
    weights = QueryScoreWeights()
    assert query_score(0, 0, 0, weights) == 1.0
    assert query_score(2, 1, 25_000, weights) == 6.5
    heavier = QueryScoreWeights(base=0.5, per_condition=3, per_sort=2, per_10k_records=10)
    assert query_score(1, 2, 1_000, heavier) == 0.5 + 3 + 4 + 1
    assert count_conditions(None) == 0
    assert count_conditions({"name": "Acme"}) == 1
    assert count_conditions({"phone_numbers": {"$starts_with": "+44", "$ends_with": "798"}}) == 2
    assert count_conditions({"$not": {"$or": [{"a": 1}, {"b": {"c": {"$eq": 2}}}]}}) == 2
    path = {"path": [["companies", "team"], ["people", "name"]], "constraints": {"first_name": {"$eq": "J"}}}
    assert count_conditions(path) == 3


def test_scores_are_off_by_default(http: httpx.Client) -> None:
    response = http.post(QUERY, json=TWO_CONDITIONS)
    assert response.status_code == 200
    assert HEADER not in response.headers


def test_a_query_over_the_per_query_limit_is_429() -> None:
    with sandbox_server("empty", config=scored(query_score_limit=2.5)) as sb, sb.http() as client:
        simple = client.post(QUERY, json={"filter": {"name": "Acme"}, "limit": 5})
        assert simple.status_code == 200
        assert simple.headers[HEADER] == "2"
        sorted_too = client.post(
            QUERY, json={**TWO_CONDITIONS, "sorts": [{"attribute": "name", "direction": "asc"}]}
        )
        body = assert_attio_error(sorted_too, 429, "rate_limit_exceeded")
        assert body == {
            "status_code": 429,
            "type": "rate_limit_error",
            "code": "rate_limit_exceeded",
            "message": "Rate limit exceeded, please try again later",
        }
        assert sorted_too.headers[HEADER] == "4"
        retry_at = parsedate_to_datetime(sorted_too.headers["Retry-After"]).timestamp()
        assert 0 <= retry_at - time.time() <= 1.5


def test_the_record_count_raises_the_score(demo_sandbox: RunningSandbox) -> None:
    demo_sandbox.config.query_score_limit = 1000.0
    try:
        with demo_sandbox.http() as client:
            response = client.post("/v2/objects/people/records/query", json={"limit": 1})
    finally:
        demo_sandbox.config.query_score_limit = None
    people = len(demo_sandbox.workspace.records[demo_sandbox.workspace.object("people").id])
    assert float(response.headers[HEADER]) == pytest.approx(1 + people / 10_000, abs=1e-4)


def test_the_window_budget_is_pooled_over_tokens_and_rejections_are_not_counted() -> None:
    config = scored(query_score_budget=3.0, query_score_window_s=2.0)
    with sandbox_server("empty", config=config) as sb, sb.http() as primary, sb.http("readonly") as other:
        assert primary.post(QUERY, json={}).status_code == 200
        too_big = primary.post(QUERY, json={"filter": {"$and": [{"name": str(i)} for i in range(5)]}})
        assert_attio_error(too_big, 429, "rate_limit_exceeded")
        assert other.post(QUERY, json={}).status_code == 200  # the 429 above did not count
        assert primary.post(QUERY, json={}).status_code == 200
        limited = other.post(QUERY, json={})
        assert_attio_error(limited, 429, "rate_limit_exceeded")
        assert limited.headers[HEADER] == "1"
        retry_at = parsedate_to_datetime(limited.headers["Retry-After"]).timestamp()
        assert 0 < retry_at - time.time() <= 3.0
        time.sleep(max(0.0, retry_at - time.time()) + 0.05)
        assert other.post(QUERY, json={}).status_code == 200


def test_entries_queries_are_scored_and_every_answer_carries_the_score() -> None:
    list_body = {
        "name": "Pipeline",
        "api_slug": "pipeline",
        "parent_object": "companies",
        "workspace_access": "full-access",
        "workspace_member_access": [],
    }
    with sandbox_server("empty", config=scored(query_score_limit=1.5)) as sb, sb.http() as client:
        client.post("/v2/lists", json={"data": list_body})
        ok = client.post("/v2/lists/pipeline/entries/query", json={})
        assert (ok.status_code, ok.headers[HEADER]) == (200, "1")
        over = client.post(
            "/v2/lists/pipeline/entries/query",
            json={"filter": {"created_at": {"$gt": "2020-01-01T00:00:00Z"}}},
        )
        assert (over.status_code, over.headers[HEADER]) == (429, "2")
        bad_filter = client.post(QUERY, json={"filter": {"nope": "x"}})
        assert (bad_filter.status_code, bad_filter.headers[HEADER]) == (400, "2")
        unknown = client.post("/v2/objects/nope/records/query", json={})
        assert (unknown.status_code, unknown.headers[HEADER]) == (404, "1")


def test_score_settings_from_cli_strings_and_at_run_time(empty_sandbox: RunningSandbox) -> None:
    config = SandboxConfig()
    config.apply_settings(["query-score-limit=50", "query-score-budget=500", "query-score-window=5"])
    assert (config.query_score_limit, config.query_score_budget, config.query_score_window_s) == (
        50.0,
        500.0,
        5.0,
    )
    config.apply_settings(["query-score-limit=off"])
    assert config.query_score_limit is None
    with pytest.raises(ValueError, match="query-score-limit"):
        config.apply_settings(["score=1"])
    with empty_sandbox.http() as client:
        assert client.patch("/_sandbox/config", json={"query_score_limit": 0.5}).status_code == 200
        assert client.post(QUERY, json={}).status_code == 429
        assert client.patch("/_sandbox/config", json={"query_score_limit": None}).status_code == 200
        response = client.post(QUERY, json={})
        assert response.status_code == 200
        assert HEADER not in response.headers

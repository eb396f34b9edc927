"""Auth, scopes, error bodies, unknown routes, rate limits and faults, over real HTTP."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime

import httpx
import pytest

from cleanup.sandbox import Faults, SandboxConfig
from cleanup.testing import RunningSandbox, sandbox_server

from .spec import assert_attio_error, assert_matches_spec

COMPANY = {"data": {"values": {"name": "Acme"}}}


def company_count(sb: RunningSandbox) -> int:
    return len(sb.workspace.records[sb.workspace.object("companies").id])


@pytest.mark.parametrize(
    ("headers", "fragment"),
    [
        ({}, "Authentication is required"),
        ({"Authorization": "Basic abc"}, "Authentication is required"),
        ({"Authorization": "Bearer short"}, "wrong length"),
        ({"Authorization": "Bearer " + "f" * 64}, "could not be authenticated"),
    ],
)
def test_bad_or_missing_token_is_401(
    empty_sandbox: RunningSandbox, headers: dict[str, str], fragment: str
) -> None:
    response = httpx.get(f"{empty_sandbox.base_url}/v2/objects", headers=headers)
    body = assert_attio_error(response, 401, "unauthorized")
    assert body["type"] == "auth_error"
    assert fragment in body["message"]


def test_missing_scope_is_403_and_nothing_is_written(empty_sandbox: RunningSandbox) -> None:
    before = company_count(empty_sandbox)
    with empty_sandbox.http("readonly") as client:
        assert client.post("/v2/objects/companies/records/query", json={"limit": 1}).status_code == 200
        body = assert_attio_error(
            client.post("/v2/objects/companies/records", json=COMPANY), 403, "missing_scopes"
        )
    assert "record_permission:read-write" in body["message"]
    assert company_count(empty_sandbox) == before


def test_unknown_route_answers_like_attio(http: httpx.Client) -> None:
    body = assert_attio_error(http.get("/v2/objects/companies/records"), 404, "not_found")
    assert body["message"] == 'Could not find endpoint "GET /v2/objects/companies/records".'
    assert_attio_error(http.put("/v2/notes/abc", json={}), 404, "not_found")
    assert_attio_error(http.post("/v2/attributes/x/archive"), 404, "not_found")


def test_error_bodies_match_the_spec(http: httpx.Client) -> None:
    assert_matches_spec(http.get("/v2/objects/nope"), "/v2/objects/{object}")
    assert_matches_spec(http.get("/v2/notes/00000000-0000-0000-0000-000000000000"), "/v2/notes/{note_id}")


def test_every_response_has_an_execution_id(http: httpx.Client) -> None:
    assert http.get("/v2/self").headers["x-attio-execution-id"]


def test_self_is_flat_and_names_the_workspace(http: httpx.Client) -> None:
    body = assert_matches_spec(http.get("/v2/self"), "/v2/self")
    assert "data" not in body
    assert body["active"] is True
    assert body["workspace_name"] == "Sandbox"
    assert body["token_level"] == "workspace"  # required by Attio's newer spec


def test_limit_and_offset_take_integral_numbers_as_attio_does(http: httpx.Client) -> None:
    """A generated SDK sends ``3.0``: Attio takes it as 3; ``2.5`` is still refused."""
    whole = http.post("/v2/objects/companies/records/query", json={"limit": 1, "offset": 0})
    floats = http.post("/v2/objects/companies/records/query", json={"limit": 1.0, "offset": 0.0})
    assert floats.status_code == 200, floats.text
    assert floats.json()["data"] == whole.json()["data"]
    assert http.get("/v2/notes", params={"limit": "2.0"}).status_code == 200
    assert_attio_error(
        http.post("/v2/objects/companies/records/query", json={"limit": 2.5}), 400, "validation_type"
    )


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v2/notes", {"limit": "x"}),
        ("/v2/notes", {"offset": "-1"}),
        ("/v2/tasks", {"sort": "title:asc"}),
        ("/v2/tasks", {"linked_object": "companies"}),
        ("/v2/objects/companies/attributes", {"show_archived": "maybe"}),
        ("/v2/objects/companies/attributes", {"limit": "0"}),
    ],
)
def test_bad_query_params_say_so(http: httpx.Client, path: str, params: dict[str, str]) -> None:
    body = assert_attio_error(http.get(path, params=params), 400, "validation_type")
    assert body["message"] == "Query params validation error."
    assert body["validation_errors"]


def test_bad_query_params_of_values_and_assert_say_so(http: httpx.Client) -> None:
    record = http.post("/v2/objects/companies/records", json=COMPANY).json()["data"]["id"]["record_id"]
    values = f"/v2/objects/companies/records/{record}/attributes/name/values"
    for params in ({"show_historic": "yes"}, {"limit": "1.5"}):
        body = assert_attio_error(http.get(values, params=params), 400, "validation_type")
        assert body["message"] == "Query params validation error."
    body = assert_attio_error(http.put("/v2/objects/companies/records", json=COMPANY), 400, "validation_type")
    assert body["message"] == "Query params validation error."
    assert body["validation_errors"][0]["received"] == "undefined"
    in_body = http.post("/v2/objects/companies/records/query", json={"limit": "x"}).json()
    assert in_body["message"] == "Body payload validation error."


def test_missing_keys_are_undefined_and_nulls_null(http: httpx.Client) -> None:
    no_data = http.post("/v2/objects/companies/records", json={"values": {}}).json()["validation_errors"][0]
    assert (no_data["path"], no_data["received"]) == (["data"], "undefined")
    null_data = http.post("/v2/objects/companies/records", json={"data": None}).json()["validation_errors"][0]
    assert null_data["received"] == "null"
    no_body = http.post("/v2/objects/companies/records").json()["validation_errors"][0]
    assert no_body["received"] == "undefined"
    title = {"api_slug": "x", "singular_noun": None, "plural_noun": "Xs"}
    null_noun = http.post("/v2/objects", json={"data": title}).json()["validation_errors"][0]
    assert (null_noun["path"], null_noun["received"]) == (["data", "singular_noun"], "null")
    number = http.post("/v2/objects", json={"data": {**title, "singular_noun": 5}}).json()[
        "validation_errors"
    ][0]
    assert number["received"] == "number"
    bodies = [
        http.post(p, json={"data": {}}).text for p in ("/v2/objects", "/v2/notes", "/v2/lists", "/v2/tasks")
    ]
    assert not [b for b in bodies if "NoneType" in b]


def test_malformed_json_body_is_400(http: httpx.Client) -> None:
    response = http.post(
        "/v2/objects/companies/records", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert_attio_error(response, 400, "validation_type")


# ---------------------------------------------------------------------------------------- rate limits
def test_writes_over_the_limit_get_429_with_an_http_date_and_are_not_processed() -> None:
    with sandbox_server("empty", config=SandboxConfig(read_rps=100, write_rps=5)) as sb, sb.http() as client:
        before = company_count(sb)
        answers = [client.post("/v2/objects/companies/records", json=COMPANY) for _ in range(12)]
        limited = [r for r in answers if r.status_code == 429]
        created = [r for r in answers if r.status_code == 200]
        assert limited, "12 writes in well under two seconds must exceed 5/s"
        body = assert_attio_error(limited[0], 429, "rate_limit_exceeded")
        assert body["type"] == "rate_limit_error"
        retry_at = parsedate_to_datetime(limited[0].headers["Retry-After"])
        assert 0 <= retry_at.timestamp() - time.time() <= 1.5
        assert company_count(sb) - before == len(created)


def test_reads_and_writes_are_counted_separately_and_per_token() -> None:
    with sandbox_server("empty", config=SandboxConfig(read_rps=3, write_rps=3)) as sb:
        with sb.http() as primary, sb.http("readonly") as readonly:
            deadline = time.time() + 3
            while True:  # start at the top of a second so one window holds the whole burst
                if time.time() % 1 < 0.3 or time.time() > deadline:
                    break
                time.sleep(0.01)
            reads = [primary.get("/v2/objects").status_code for _ in range(4)]
            other_token = readonly.get("/v2/objects").status_code
            write = primary.post("/v2/objects/companies/records", json=COMPANY).status_code
        assert reads.count(429) >= 1
        assert other_token == 200
        assert write == 200


def test_merge_has_its_own_limit_of_5_per_second(empty_sandbox: RunningSandbox) -> None:
    empty_sandbox.config.merge_rps = 5
    with empty_sandbox.http() as client:
        codes = [
            client.post(
                "/v2/objects/companies/records/merge",
                json={"data": {"primary_record_id": "a", "secondary_record_id": "a"}},
            ).status_code
            for _ in range(8)
        ]
    assert codes.count(429) >= 1
    assert codes[0] == 400  # self-merge, answered before the limit bites


# ---------------------------------------------------------------------------------------- faults
def test_injected_5xx_are_reproducible_by_seed_and_do_not_write(empty_sandbox: RunningSandbox) -> None:
    def run() -> list[int]:
        with empty_sandbox.faults(error_rate=0.5, seed=7), empty_sandbox.http() as client:
            return [client.get("/v2/objects").status_code for _ in range(20)]

    first, second = run(), run()
    assert first == second
    assert {c for c in first if c >= 500} <= {500, 502, 503}
    assert 3 <= sum(c >= 500 for c in first) <= 17
    with empty_sandbox.faults(error_rate=1.0), empty_sandbox.http() as client:
        before = company_count(empty_sandbox)
        response = client.post("/v2/objects/companies/records", json=COMPANY)
        assert response.status_code >= 500
        assert company_count(empty_sandbox) == before


def test_spurious_401_then_success(empty_sandbox: RunningSandbox) -> None:
    with empty_sandbox.faults(unauthorized_rate=1.0), empty_sandbox.http() as client:
        assert_attio_error(client.get("/v2/objects"), 401, "unauthorized")
    with empty_sandbox.http() as client:
        assert client.get("/v2/objects").status_code == 200


def test_dropped_connection_before_processing_writes_nothing(empty_sandbox: RunningSandbox) -> None:
    before = company_count(empty_sandbox)
    with (
        empty_sandbox.faults(drop_rate=1.0),
        empty_sandbox.http() as client,
        pytest.raises(httpx.TransportError),
    ):
        client.post("/v2/objects/companies/records", json=COMPANY)
    assert company_count(empty_sandbox) == before


def test_dropped_connection_after_commit_has_written(empty_sandbox: RunningSandbox) -> None:
    before = company_count(empty_sandbox)
    with (
        empty_sandbox.faults(drop_after_rate=1.0, methods=["POST"]),
        empty_sandbox.http() as client,
    ):
        with pytest.raises(httpx.TransportError):
            client.post("/v2/objects/companies/records", json=COMPANY)
        assert client.get("/v2/objects").status_code == 200  # only POSTs are affected
    assert company_count(empty_sandbox) == before + 1


def test_latency_and_slow_responses(empty_sandbox: RunningSandbox) -> None:
    with empty_sandbox.faults(latency_ms=120), empty_sandbox.http() as client:
        started = time.perf_counter()
        client.get("/v2/objects")
        assert time.perf_counter() - started >= 0.12
    with (
        empty_sandbox.faults(slow_rate=1.0, slow_ms=600),
        empty_sandbox.http(timeout=0.3) as client,
        pytest.raises(httpx.ReadTimeout),
    ):
        client.get("/v2/objects")


def test_faults_switch_at_runtime_over_http(empty_sandbox: RunningSandbox) -> None:
    with empty_sandbox.http() as client:
        assert client.put("/_sandbox/faults", json={"error_rate": 1.0}).status_code == 200
        assert client.get("/v2/objects").status_code >= 500
        assert client.put("/_sandbox/faults", json={}).status_code == 200
        assert client.get("/v2/objects").status_code == 200
        bad = client.put("/_sandbox/faults", json={"eror_rate": 1.0})
        assert bad.status_code == 400
        assert "eror_rate" in bad.json()["message"]


def test_conflict_fault_answers_409_and_writes_nothing(empty_sandbox: RunningSandbox) -> None:
    with empty_sandbox.http() as client:
        record = client.post("/v2/objects/companies/records", json=COMPANY).json()["data"]["id"]["record_id"]
        url = f"/v2/objects/companies/records/{record}"
        before = company_count(empty_sandbox)
        with empty_sandbox.faults(conflict_rate=1.0):
            writes = [
                client.post("/v2/objects/companies/records", json=COMPANY),
                client.put("/v2/objects/companies/records?matching_attribute=domains", json=COMPANY),
                client.patch(url, json={"data": {"values": {"name": "Changed"}}}),
                client.put(url, json={"data": {"values": {"name": "Changed"}}}),
            ]
            others = [
                client.get(url),
                client.post("/v2/objects/companies/records/query", json={}),
                client.delete(f"/v2/objects/companies/records/{'0' * 8}-0000-0000-0000-{'0' * 12}"),
            ]
        for response in writes:
            assert response.json() == {
                "status_code": 409,
                "type": "invalid_request_error",
                "code": "concurrent_write_conflict",
                "message": "The record was modified by another request while this write was being validated. "
                "Please try again.",
            }
        assert [r.status_code for r in others] == [200, 200, 404]
        assert company_count(empty_sandbox) == before
        assert client.get(url).json()["data"]["values"]["name"][0]["value"] == "Acme"
        assert client.patch(url, json={"data": {"values": {"name": "Changed"}}}).status_code == 200


def test_conflict_fault_from_a_cli_spec() -> None:
    faults = Faults.parse(["409=0.25", "seed=3"])
    assert (faults.conflict_rate, faults.seed) == (0.25, 3)


ABSENT_ROUTES = {
    "merge": ("POST", "/v2/objects/companies/records/merge"),
    "note_update": ("PATCH", "/v2/notes/00000000-0000-0000-0000-000000000000"),
    "history_write": (
        "PUT",
        "/v2/objects/companies/records/00000000-0000-0000-0000-000000000000/attributes/name/values",
    ),
}


@pytest.mark.parametrize("endpoint", sorted(ABSENT_ROUTES))
def test_an_absent_endpoint_answers_as_an_unknown_route(endpoint: str) -> None:
    config = SandboxConfig(read_rps=0, write_rps=0, merge_rps=0, absent=frozenset({endpoint}))
    method, path = ABSENT_ROUTES[endpoint]
    with sandbox_server("empty", config=config) as sb, sb.http() as client:
        response = client.request(method, path, json={"data": {}})
        body = assert_attio_error(response, 404, "not_found")
        assert body == {
            "status_code": 404,
            "type": "invalid_request_error",
            "code": "not_found",
            "message": f'Could not find endpoint "{method} {path}".',
        }
        unauthenticated = httpx.request(method, sb.base_url + path, json={})
        assert unauthenticated.json() == body  # an unknown route is answered before authentication
        for other, (other_method, other_path) in ABSENT_ROUTES.items():
            if other != endpoint:
                present = client.request(other_method, other_path, json={"data": {}})
                assert "Could not find endpoint" not in present.text
    if endpoint == "history_write":
        entries = "/v2/lists/x/entries/y/attributes/z/values"
        with sandbox_server("empty", config=config) as sb, sb.http() as client:
            assert "Could not find endpoint" in client.put(entries, json={}).json()["message"]


def test_absent_endpoints_are_checked_and_switchable_at_run_time(empty_sandbox: RunningSandbox) -> None:
    with pytest.raises(ValueError, match="note_updates"):
        SandboxConfig(absent=frozenset({"note_updates"}))
    config = SandboxConfig()
    config.apply_settings(["absent=merge,note_update"])
    assert config.absent == {"merge", "note_update"}
    with empty_sandbox.http() as client:
        assert client.patch("/_sandbox/config", json={"absent": ["note_update"]}).status_code == 200
        assert client.get("/_sandbox/config").json()["config"]["absent"] == ["note_update"]
        gone = client.patch("/v2/notes/abc", json={"data": {}})
        assert gone.json()["message"] == 'Could not find endpoint "PATCH /v2/notes/abc".'
        assert client.patch("/_sandbox/config", json={"absent": ["nope"]}).status_code == 400
        assert client.patch("/_sandbox/config", json={"absent": []}).status_code == 200
        assert (
            client.patch("/v2/notes/abc", json={"data": {}}).json()["message"]
            == 'Note with ID "abc" was not found.'
        )

"""encode(flatten(v)) writes back what was read, for every writable attribute type, through the sandbox.

A record is written with generated values, read back and flattened; the flattened cells are encoded
and written to a second record, which must read back with the same flattened cells.
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleanup.export.pages import parse_records
from cleanup.testing import RunningSandbox, sandbox_server
from cleanup.values import AttributeType, EncodeError, encode_cell

from ..conftest import unlimited

ATTRS: list[tuple[str, str, bool, dict[str, Any]]] = [
    ("t_text", "text", False, {}),
    ("t_number", "number", False, {}),
    ("t_checkbox", "checkbox", False, {}),
    ("t_currency", "currency", False, {"currency": {"default_currency_code": "EUR", "display_type": "code"}}),
    ("t_date", "date", False, {}),
    ("t_timestamp", "timestamp", False, {}),
    ("t_rating", "rating", False, {}),
    ("t_select", "select", False, {}),
    ("t_tags", "select", True, {}),
    ("t_company", "record-reference", False, {"record_reference": {"allowed_objects": ["companies"]}}),
    ("t_people", "record-reference", True, {"record_reference": {"allowed_objects": ["people"]}}),
    ("t_owner", "actor-reference", False, {}),
    ("t_place", "location", False, {}),
    ("t_domain", "domain", False, {}),
    ("t_domains", "domain", True, {}),
    ("t_email", "email-address", False, {}),
    ("t_phones", "phone-number", True, {}),
]
OPTIONS = ("alpha", "beta", "gamma", "Won 🎉")
PHONES = ("+442079460958", "+14155550123", "+4930901820", "+33142685300", "+61291234567")


@pytest.fixture(scope="module")
def lab() -> Iterator[tuple[RunningSandbox, dict[str, Any]]]:
    with sandbox_server("empty", config=unlimited()) as sb, sb.http() as http:
        http.post(
            "/v2/objects",
            json={"data": {"api_slug": "things", "singular_noun": "Thing", "plural_noun": "Things"}},
        )
        for slug, kind, multi, config in ATTRS:
            body = {
                "title": slug,
                "description": None,
                "api_slug": slug,
                "type": kind,
                "is_required": False,
                "is_unique": False,
                "is_multiselect": multi,
                "config": config,
            }
            assert http.post("/v2/objects/things/attributes", json={"data": body}).status_code == 200
        for slug in ("t_select", "t_tags"):
            for title in OPTIONS:
                http.post(f"/v2/objects/things/attributes/{slug}/options", json={"data": {"title": title}})
        companies = [
            http.post("/v2/objects/companies/records", json={"data": {"values": {"name": f"C{i}"}}}).json()[
                "data"
            ]["id"]["record_id"]
            for i in range(3)
        ]
        people = [
            http.post("/v2/objects/people/records", json={"data": {"values": {"name": f"P{i}"}}}).json()[
                "data"
            ]["id"]["record_id"]
            for i in range(3)
        ]
        member = http.get("/v2/workspace_members").json()["data"][0]["id"]["workspace_member_id"]
        attrs = http.get("/v2/objects/things/attributes").json()["data"]
        types = [AttributeType(a["api_slug"], a["type"], a["is_multiselect"]) for a in attrs]
        yield sb, {"companies": companies, "people": people, "member": member, "types": types}


label = st.text(alphabet=string.ascii_lowercase + string.digits, min_size=1, max_size=10).filter(
    lambda s: s[0].isalpha()
)
domains = st.builds(
    lambda a, b, tld: f"{a}.{b}.{tld}", label, label, st.sampled_from(["com", "io", "co.uk", "de"])
)
emails = st.builds(lambda local, host: f"{local}@{host}", label, domains)
text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
location_part = st.one_of(st.none(), st.text(alphabet=string.ascii_letters + " ", min_size=1, max_size=12))


def values(context: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    fields: dict[str, st.SearchStrategy[Any]] = {
        "t_text": text,
        "t_number": st.floats(min_value=-1e12, max_value=1e12, allow_nan=False).map(lambda f: round(f, 4)),
        "t_checkbox": st.booleans(),
        "t_currency": st.decimals(
            min_value=-1e9, max_value=1e9, places=4, allow_nan=False, allow_infinity=False
        ).map(float),
        "t_date": st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)).map(date.isoformat),
        "t_timestamp": st.datetimes(
            min_value=datetime(1970, 1, 2), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
        ).map(lambda d: d.isoformat().replace("+00:00", "Z")),
        "t_rating": st.integers(0, 5),
        "t_select": st.sampled_from(OPTIONS),
        "t_tags": st.lists(st.sampled_from(OPTIONS), unique=True, max_size=3),
        "t_company": st.sampled_from(context["companies"]).map(
            lambda r: {"target_object": "companies", "target_record_id": r}
        ),
        "t_people": st.lists(st.sampled_from(context["people"]), unique=True, max_size=3).map(
            lambda rs: [{"target_object": "people", "target_record_id": r} for r in rs]
        ),
        "t_owner": st.just(
            {"referenced_actor_type": "workspace-member", "referenced_actor_id": context["member"]}
        ),
        "t_place": st.fixed_dictionaries(
            dict.fromkeys(
                ("line_1", "line_2", "line_3", "line_4", "locality", "region", "postcode"), location_part
            )
        ).map(lambda d: {**d, "country_code": "GB", "latitude": "51.5", "longitude": "-0.12"}),
        "t_domain": domains,
        "t_domains": st.lists(domains, unique=True, max_size=3),
        "t_email": emails,
        "t_phones": st.lists(st.sampled_from(PHONES), unique=True, max_size=3),
    }
    return st.fixed_dictionaries({}, optional=fields)


def read_flat(http: httpx.Client, record_id: str, types: list[AttributeType]) -> dict[str, Any]:
    response = http.get(f"/v2/objects/things/records/{record_id}")
    page = b'{"data":[' + response.content[len(b'{"data":') : -1] + b"]}"
    row = parse_records(page, types).drop(
        "_id", "_created_at", "_web_url", "_raw", "record_id", "created_at", "created_by"
    )
    return row.row(0, named=True)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_flatten_then_encode_writes_back_what_was_read(
    lab: tuple[RunningSandbox, dict[str, Any]], data: st.DataObject
) -> None:
    sb, context = lab
    written = data.draw(values(context))
    types = {t.slug: t for t in context["types"]}
    with sb.http() as http:
        first = http.post("/v2/objects/things/records", json={"data": {"values": written}})
        assert first.status_code == 200, first.text
        flat = read_flat(http, first.json()["data"]["id"]["record_id"], context["types"])
        encoded = {slug: encode_cell(types[slug], cell) for slug, cell in flat.items()}
        second = http.post("/v2/objects/things/records", json={"data": {"values": encoded}})
        assert second.status_code == 200, second.text
        again = read_flat(http, second.json()["data"]["id"]["record_id"], context["types"])
    assert again == flat
    for slug in written:
        assert flat[slug] not in (None, []) or written[slug] in ([], "")


@pytest.mark.parametrize(
    ("attr", "cell", "message"),
    [
        (AttributeType("n", "number"), "3", "not a number"),
        (AttributeType("c", "checkbox"), "yes", "not true or false"),
        (AttributeType("r", "rating"), 9, "rating"),
        (AttributeType("tags", "select", True), "a", "takes a list"),
        (AttributeType("ref", "record-reference"), {"target_object": "people"}, "reference"),
        (AttributeType("last", "interaction"), {"interaction_type": "email"}, "cannot be set"),
        (
            AttributeType("who", "actor-reference"),
            {"referenced_actor_type": "api-token", "referenced_actor_id": "x"},
            "workspace members",
        ),
    ],
)
def test_encode_errors_name_the_attribute_and_the_fix(attr: AttributeType, cell: Any, message: str) -> None:
    with pytest.raises(EncodeError, match=message) as caught:
        encode_cell(attr, cell)
    assert attr.slug in str(caught.value)


def test_encode_shapes() -> None:
    assert (
        encode_cell(AttributeType("t", "timestamp"), datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=UTC))
        == "2024-01-02T03:04:05.000006000Z"
    )
    assert encode_cell(AttributeType("d", "date"), date(2024, 1, 2)) == "2024-01-02"
    assert encode_cell(AttributeType("s", "status"), {"id": "s1", "title": "Lead"}) == {"status": "s1"}
    assert encode_cell(
        AttributeType("n", "personal-name"), {"first_name": "Ada", "last_name": "Lovelace", "full_name": None}
    ) == {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "full_name": "Ada Lovelace",
    }
    assert encode_cell(AttributeType("x", "text"), None) == []


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stage=st.sampled_from(["Lead", "In Progress", "Won 🎉", "Lost"]), amount=st.integers(0, 10**9))
def test_status_and_currency_round_trip_on_deals(
    lab: tuple[RunningSandbox, dict[str, Any]], stage: str, amount: int
) -> None:
    sb, context = lab
    owner = {"referenced_actor_type": "workspace-member", "referenced_actor_id": context["member"]}
    with sb.http() as http:
        attrs = http.get("/v2/objects/deals/attributes").json()["data"]
        types = [AttributeType(a["api_slug"], a["type"], a["is_multiselect"]) for a in attrs]
        by_slug = {t.slug: t for t in types}

        def read(record_id: str) -> dict[str, Any]:
            body = http.get(f"/v2/objects/deals/records/{record_id}").content
            row = parse_records(b'{"data":[' + body[len(b'{"data":') : -1] + b"]}", types)
            return row.select("name", "stage", "owner", "value").row(0, named=True)

        first = http.post(
            "/v2/objects/deals/records",
            json={"data": {"values": {"name": "D", "stage": stage, "owner": owner, "value": amount}}},
        )
        flat = read(first.json()["data"]["id"]["record_id"])
        assert flat["stage"]["title"] == stage
        encoded = {slug: encode_cell(by_slug[slug], cell) for slug, cell in flat.items()}
        second = http.post("/v2/objects/deals/records", json={"data": {"values": encoded}})
        assert second.status_code == 200, second.text
        assert read(second.json()["data"]["id"]["record_id"]) == flat

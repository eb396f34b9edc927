"""Company names in the duplicate companies recipe: words that tell similar names apart keep pairs apart;
name variants (accents, one word or two, a dropped letter) and the same name in one city bring them
together, below the ≥ 0.99 band when no domain confirms them."""

from __future__ import annotations

from typing import Any

import polars as pl

from cleanup.detect.matching import match
from recipes.duplicate_companies import prepare, spec

Row = tuple[str, list[str], str | None, str | None]  # name, domains, locality, country code

BACKGROUND: list[Row] = [
    ("Initech", ["initech.com"], "Austin", "US"),
    ("Globex", ["globex.io"], "Berlin", "DE"),
    ("Hooli", ["hooli.com"], "San Francisco", "US"),
    ("Vandelay Industries", ["vandelay.com"], "New York", "US"),
    ("Stark Robotics", ["starkrobotics.ai"], "London", "GB"),
    ("Wayne Foods", [], "Paris", "FR"),
]


def company_links(rows: list[Row]) -> dict[tuple[str, str], float]:
    """The pairs of names the recipe links among hand-built records, with their probability."""
    rows = [*BACKGROUND, *rows]
    records = pl.DataFrame(
        {
            "_id": [f"c{i:02}" for i in range(len(rows))],
            "name": [r[0] for r in rows],
            "domains": [r[1] for r in rows],
            "primary_location": [{"locality": r[2], "region": None, "country_code": r[3]} for r in rows],
        },
        schema={
            "_id": pl.String,
            "name": pl.String,
            "domains": pl.List(pl.String),
            "primary_location": pl.Struct(
                {"locality": pl.String, "region": pl.String, "country_code": pl.String}
            ),
        },
    )
    links = match(prepare(records), spec(), id_column="_id").links
    names = dict(records.select("_id", "name").rows())
    return {
        tuple(sorted((names[a], names[b]))): p  # type: ignore[misc]
        for a, b, p in links.select("left_id", "right_id", "probability").rows()
    }


def pairs(links: dict[Any, float]) -> set[tuple[str, str]]:
    return set(links)


def test_a_managers_funds_and_spvs_are_not_merged() -> None:
    rows: list[Row] = [
        ("Blue Fjord Capital", ["bluefjord.vc"], "Oslo", "NO"),
        ("Blue Fjord Capital Fund I", ["fund1.bluefjord.vc"], "Oslo", "NO"),
        ("Blue Fjord Capital Fund II", ["fund2.bluefjord.vc"], "Oslo", "NO"),
        ("Blue Fjord Capital Fund III", [], "Oslo", "NO"),
        ("Blue Fjord Capital SPV 2023-A", ["spv-2023a.bluefjord.vc"], "Oslo", "NO"),
        ("Blue Fjord Capital SPV 2023-B", ["spv-2023b.bluefjord.vc"], "Oslo", "NO"),
        ("Blue Fjord Capital Fund III, L.P.", [], "Oslo", "NO"),  # one fund entered twice
    ]
    assert pairs(company_links(rows)) == {
        ("Blue Fjord Capital Fund III", "Blue Fjord Capital Fund III, L.P.")
    }


def test_roman_and_arabic_fund_numbers_agree() -> None:
    rows: list[Row] = [
        ("Harbor Ventures Fund II", ["harbor.vc"], "Boston", "US"),
        ("Harbor Ventures Fund 2", ["harbor.vc"], "Boston", "US"),
    ]
    assert pairs(company_links(rows)) == {("Harbor Ventures Fund 2", "Harbor Ventures Fund II")}


def test_a_word_that_makes_another_organisation_keeps_names_apart() -> None:
    rows: list[Row] = [
        ("Notion", ["notion.com"], "San Francisco", "US"),
        ("Notion Capital", ["notion.vc"], "London", "GB"),
        ("Acme", ["acme.com"], "Boston", "US"),
        ("Acme India", ["acme.in"], "Bangalore", "IN"),
        ("Patel Industries", ["patelindustries.com"], "Amsterdam", "NL"),
        ("Patel Robotics", ["robotics.patelindustries.com"], "Amsterdam", "NL"),
        ("Patel Software", ["patelsoftware.com"], "Amsterdam", "NL"),
    ]
    assert pairs(company_links(rows)) == set()


def test_a_name_may_drop_a_word_companies_use_loosely() -> None:
    rows: list[Row] = [
        ("Notion Labs, Inc.", ["notionlabs.com"], "San Francisco", "US"),
        ("Notion", ["www.notionlabs.com"], "San Francisco", "US"),
    ]
    assert pairs(company_links(rows)) == {("Notion", "Notion Labs, Inc.")}


def test_accents_spelt_either_way_in_one_city() -> None:
    rows: list[Row] = [
        ("Müller GmbH", ["mueller-logistik.de"], "Berlin", "DE"),
        ("Mueller GmbH", [], "Berlin", "DE"),
        ("Łódź Robotics", ["lodzrobotics.pl"], "Warsaw", "PL"),
        ("Lodz Robotics Sp. z o.o.", [], "Warsaw", "PL"),
    ]
    assert pairs(company_links(rows)) == {
        ("Mueller GmbH", "Müller GmbH"),
        ("Lodz Robotics Sp. z o.o.", "Łódź Robotics"),
    }


def test_names_written_as_one_word_or_an_address() -> None:
    rows: list[Row] = [
        ("Blue Fjord", ["bluefjord.com"], "Oslo", "NO"),
        ("BlueFjord", [], "Oslo", "NO"),
        ("Kite.ai", ["kite.ai"], "Austin", "US"),
        ("Kite", [], "Austin", "US"),
        ("Hale & Partners", ["halepartners.com"], "London", "GB"),
        ("Hale and Partners", [], "London", "GB"),
    ]
    assert pairs(company_links(rows)) == {
        ("Blue Fjord", "BlueFjord"),
        ("Kite", "Kite.ai"),
        ("Hale & Partners", "Hale and Partners"),
    }


def test_a_dropped_letter_without_a_domain() -> None:
    rows: list[Row] = [
        ("Zenovalum", ["zenovalum.com"], "Tallinn", "EE"),
        ("Zenvalum", [], "Tallinn", "EE"),
        ("Palnixari", ["palnixari.io"], "Zurich", "CH"),
        ("Palnixri", [], "Zurich", "CH"),
    ]
    assert pairs(company_links(rows)) == {("Zenovalum", "Zenvalum"), ("Palnixari", "Palnixri")}


def test_the_same_name_in_one_city_without_a_domain_is_proposed_below_the_top_band() -> None:
    rows: list[Row] = [
        ("Cedar Mesa", ["cedarmesa.io"], "Munich", "DE"),
        ("Cedar Mesa", [], "Munich", "DE"),
    ]
    links = company_links(rows)
    assert set(links) == {("Cedar Mesa", "Cedar Mesa")}
    assert 0.9 <= links["Cedar Mesa", "Cedar Mesa"] < 0.99


def test_the_same_name_in_other_cities_without_a_domain_is_never_in_the_top_band() -> None:
    rows: list[Row] = [
        ("Cedar Mesa", [], "Munich", "DE"),
        ("Cedar Mesa", [], "Berlin", "DE"),
        ("Cedar Mesa", [], "Toronto", "CA"),
    ]
    assert all(p < 0.99 for p in company_links(rows).values())


def test_a_confirming_domain_still_reaches_the_top_band() -> None:
    rows: list[Row] = [
        ("Cedar Mesa GmbH", ["cedarmesa.io"], "Munich", "DE"),
        ("Cedar Mesa", ["https://www.cedarmesa.io/about"], "Munich", "DE"),
    ]
    assert company_links(rows)["Cedar Mesa", "Cedar Mesa GmbH"] >= 0.99


def test_records_without_a_location_column() -> None:
    records = pl.DataFrame(
        {"_id": ["a", "b"], "name": ["Acme Inc", "ACME"], "domains": [["acme.com"], ["acme.com"]]},
        schema={"_id": pl.String, "name": pl.String, "domains": pl.List(pl.String)},
    )
    prepared = prepare(records)
    assert prepared["_city"].null_count() == 2
    assert match(prepared, spec(), id_column="_id").links.height == 1


def test_typo_keys_leave_two_records_with_domains_to_their_domains() -> None:
    rows: list[Row] = [
        ("Zenovalum", ["zenovalum.com"], "Tallinn", "EE"),
        ("Zenvalum", ["zenvalum.io"], "Tallinn", "EE"),
    ]
    assert pairs(company_links(rows)) == set()

"""Evidence for and against merging two people: small hand-built frames among a background of unrelated
people (enough records for the weights to be estimated, as on a real workspace)."""

from __future__ import annotations

import random
from typing import Any

import polars as pl
import pytest

from cleanup.detect.matching import Matches, match
from recipes.duplicate_people import prepare, spec

NAME = pl.Struct({"first_name": pl.String, "last_name": pl.String, "full_name": pl.String})
LOCATION = pl.Struct({"line_1": pl.String, "locality": pl.String, "postcode": pl.String})
COMPANY = pl.Struct({"target_object": pl.String, "target_record_id": pl.String})
SCHEMA = {
    "_id": pl.String,
    "name": NAME,
    "email_addresses": pl.List(pl.String),
    "phone_numbers": pl.List(pl.String),
    "company": COMPANY,
    "primary_location": LOCATION,
    "linkedin": pl.String,
}
FIRST = (
    "Anna Ben Clara David Emma Felix Grace Hugo Ines Jonas Kate Liam Maya Noah Olga Paul Rosa Sven Tara Umar"
)
LAST = "Berg Cohen Dahl Evans Fischer Garcia Hansen Ito Jensen Kowalski Lopez Moreau Novak Olsen Park Quinn"
CITIES = ("Berlin", "London", "Paris", "Madrid", "Oslo", "Boston")


def person(
    key: str,
    first: str,
    last: str,
    *,
    company: str | None = None,
    emails: tuple[str, ...] = (),
    phones: tuple[str, ...] = (),
    city: str = "Berlin",
    linkedin: str | None = None,
    full: str | None = None,
    street: str | None = None,
    postcode: str | None = None,
) -> dict[str, Any]:
    return {
        "_id": key,
        "name": {"first_name": first, "last_name": last, "full_name": full or f"{first} {last}".strip()},
        "email_addresses": list(emails),
        "phone_numbers": list(phones),
        "company": {"target_object": "companies", "target_record_id": company} if company else None,
        "primary_location": {"line_1": street, "locality": city, "postcode": postcode},
        "linkedin": linkedin,
    }


def background(n: int = 700, seed: int = 3) -> list[dict[str, Any]]:
    """People at 150 companies (work emails, personal phones, some LinkedIn profiles), one in twelve
    recorded twice (again with a personal address, or their phone), as in a real workspace."""
    rng = random.Random(seed)
    firsts, lasts = FIRST.split(), LAST.split()
    people = []
    for i in range(n):
        first, last = rng.choice(firsts), rng.choice(lasts)
        company = f"c{rng.randrange(150):03d}"
        people.append(
            person(
                f"bg{i:04d}",
                first,
                last,
                company=company,
                emails=(f"{first}.{last}{i}@{company}.example".lower(),),
                phones=(f"+4930{rng.randrange(10**7):07d}",) if rng.random() < 0.5 else (),
                city=rng.choice(CITIES),
                linkedin=f"https://www.linkedin.com/in/{first}-{last}-{i}".lower()
                if rng.random() < 0.3
                else None,
            )
        )
        if i % 12 == 0:
            twin = dict(people[-1], _id=f"bg{i:04d}b", linkedin=None)
            twin["email_addresses"] = [f"{first}.{last}{i}@gmail.com".lower()]
            people.append(twin)
    return people


def run(*planted: dict[str, Any]) -> Matches:
    records = pl.DataFrame([*background(), *planted], schema=SCHEMA)
    return match(prepare(records), spec(), id_column="_id")


def linked(matches: Matches, a: str, b: str) -> bool:
    return (
        matches.clusters.filter(pl.col("id").is_in([a, b])).height == 2
        and matches.clusters.filter(pl.col("id").is_in([a, b]))["cluster"].n_unique() == 1
    )


def pair(matches: Matches, a: str, b: str) -> dict[str, Any]:
    rows = matches.pairs.filter(
        (pl.col("left_id").is_in([a, b]))
        & (pl.col("right_id").is_in([a, b]))
        & (pl.col("left_id") != pl.col("right_id"))
    )
    assert rows.height == 1, f"{a} and {b} were never compared"
    return rows.row(0, named=True)


OFFICE = "+4930555000"


def test_father_and_son_at_the_family_firm_are_not_merged() -> None:
    matches = run(
        person("jr", "Frank", "Hale Jr.", company="hale", emails=("frank@hale.example",), phones=(OFFICE,)),
        person("sr", "Frank", "Hale", full="Frank Hale, Sr.", company="hale", emails=("fhalesr@hale.example",),
               phones=(OFFICE,)),
        # the son again, without his "Jr.": as like his father as himself, so merged with neither
        person("son", "Frank", "Hale", company="hale", emails=("frank.hale@gmail.com",), phones=(OFFICE,)),
    )  # fmt: skip
    assert pair(matches, "jr", "sr")["probability"] < 0.01  # different generations: all but a veto
    assert not linked(matches, "jr", "sr")
    assert not linked(matches, "son", "sr")


def test_siblings_at_one_firm_are_not_merged() -> None:
    matches = run(
        person("lukas", "Lukas", "Bennett", company="bennett", emails=("lukas@bennett.example",), phones=(OFFICE,)),
        person("clara", "Clara", "Bennett", company="bennett", emails=("clara@bennett.example",), phones=(OFFICE,)),
        person("lukas2", "Lukas", "Bennett", company="bennett", emails=("lukas.bennett@gmail.com",)),
    )  # fmt: skip
    assert not linked(matches, "lukas", "clara")
    assert not linked(matches, "lukas2", "clara")
    assert linked(matches, "lukas", "lukas2")
    evidence = pair(matches, "lukas", "clara")["evidence"]
    assert evidence.startswith("different first name 'Lukas' / 'Clara'")  # what counts against comes first


def test_colleagues_sharing_the_office_phone_are_not_merged() -> None:
    team = [
        person(f"t{i}", first, last, company="acme", emails=(f"{first}@acme.example".lower(),), phones=(OFFICE,))
        for i, (first, last) in enumerate([("Ines", "Cohen"), ("Paul", "Park"), ("Rosa", "Quinn"), ("Hugo", "Ito")])
    ]  # fmt: skip
    matches = run(*team)
    assert matches.clusters.filter(pl.col("id").str.starts_with("t")).height == 0


def test_the_same_person_under_two_linkedin_url_shapes_is_merged() -> None:
    matches = run(
        person("old", "Maya", "Olsen", company="c001", emails=("maya@c001.example",),
               linkedin="https://www.linkedin.com/in/maya-olsen-7f3a/"),
        person("new", "Maya", "Olsen", company="c002", emails=("maya.olsen@c002.example",),
               linkedin="http://uk.linkedin.com/in/maya-olsen-7f3a?trk=profile", city="London"),
        # a namesake at a third company with her own profile
        person("other", "Maya", "Olsen", company="c003", emails=("molsen@c003.example",),
               linkedin="linkedin.com/in/maya-olsen"),
    )  # fmt: skip
    assert linked(matches, "old", "new")
    assert not linked(matches, "old", "other")
    assert not linked(matches, "new", "other")
    evidence = pair(matches, "old", "new")["evidence"]
    # the profile as each record holds it, not its canonical slug
    assert (
        "same LinkedIn profile 'https://www.linkedin.com/in/maya-olsen-7f3a/' / "
        "'http://uk.linkedin.com/in/maya-olsen-7f3a?trk=profile'" in evidence
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("Alejandro", "Lopez"), ("Alex", "Lopez")),
        (("Giuseppe", "Moreau"), ("Beppe", "Moreau")),
        (("Jonathan", "Ross"), ("J.", "Ross")),
        (("Søren", "Østergaard"), ("Soren", "Ostergaard")),
        (("Jürgen", "Müller"), ("Juergen", "Mueller")),
        (("Jürgen", "Müller"), ("Jurgen", "Muller")),  # no key of the names as folded holds both
        (("Liam Novak", ""), ("Liam", "Novak")),  # a full name written into the first name
        (("Jarod", "McCarthy"), ("Jatod", "McCarthy")),  # one letter changed in a short name
    ],
)
def test_one_person_under_two_spellings_is_merged(a: tuple[str, str], b: tuple[str, str]) -> None:
    matches = run(
        person("a", *a, company="acme", emails=("one@acme.example",)),
        person("b", *b, company="acme", emails=("someone@gmail.com",)),
    )
    assert linked(matches, "a", "b")


def test_two_names_sharing_a_nickname_are_not_merged() -> None:
    matches = run(
        person("him", "Alexander", "Richter", company="acme", emails=("alexander@acme.example",)),
        person("her", "Alexandra", "Richter", company="acme", emails=("alexandra@acme.example",)),
    )
    assert not linked(matches, "him", "her")


def test_a_names_masculine_and_feminine_forms_are_not_merged() -> None:
    matches = run(
        person("him", "Carlo", "Richter", company="acme", emails=("carlo@acme.example",)),
        person("her", "Carla", "Richter", company="acme", emails=("carla@acme.example",)),
    )
    assert not linked(matches, "him", "her")


def test_evidence_shows_the_emails_as_each_record_holds_them() -> None:
    matches = run(
        person("a", "Tara", "Evans", emails=("Tara.Evans@gmail.com",), city="Oslo"),
        person("b", "Tara", "Evans", emails=("taraevans@gmail.com",), city="Oslo"),
    )
    evidence = pair(matches, "a", "b")["evidence"]
    assert "same email 'Tara.Evans@gmail.com' / 'taraevans@gmail.com'" in evidence


def test_swapped_names_with_a_typo_at_one_address_are_compared_and_merged() -> None:
    # no key of the exact names holds both ('Morrison Robni' is neither name in either order): the first two
    # letters of both names at one street address and postcode bring them together
    matches = run(
        person("a", "Robin", "Morrison", emails=("robin@morrison.example",), city="Hobart",
               street="8 Sturt Avenue", postcode="7000"),
        person("b", "Morrison", "Robni", city="Hobart", street="8 Sturt Avenue", postcode="7000"),
    )  # fmt: skip
    assert linked(matches, "a", "b")
    assert "same first name" in pair(matches, "a", "b")["evidence"]


def test_two_misspellings_of_one_name_stay_merged_through_the_record_between() -> None:
    # 'Baumgarten' / 'Bumgartner' score low against each other, only because each is misspelt: not two
    # people the way two first names or a "Jr." and a "Sr." are, so the correct record joins all three
    matches = run(
        person("right", "Katharina", "Baumgartner", company="c900", emails=("katharina@c900.example",),
               phones=("+4930777123",)),
        person("typo1", "Katharina", "Baumgarten", company="c900", emails=("katharina@c900.example",)),
        person("typo2", "Katharina", "Bumgartner", company="c900", phones=("+4930777123",)),
    )  # fmt: skip
    assert pair(matches, "typo1", "typo2")["probability"] < 0.5
    assert linked(matches, "typo1", "typo2")

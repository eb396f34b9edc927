"""Table-driven tests of the normalisers, with real-world rows."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleanup.detect.normalise import (
    SHARED_HOSTS,
    _plain,
    _registered,
    company_name,
    domain_label,
    email,
    full_name_first,
    full_name_last,
    identifying_domain,
    is_free_mail,
    person_first_name,
    person_last_name,
    phone,
    plain_text,
    registered_domain,
)


def run(fn: Callable[[pl.Expr], pl.Expr], values: list[str | None]) -> list[object]:
    return pl.DataFrame({"v": values}, schema={"v": pl.String}).select(fn(pl.col("v")))["v"].to_list()


COMPANIES = [
    ("Acme GmbH", "acme"),
    ("ACME Gmbh.", "acme"),
    ("The Acme Company, Inc.", "acme"),
    ("Acme, Inc", "acme"),
    ("Smith & Sons Ltd", "smith and sons"),
    ("Smith and Sons Limited", "smith and sons"),
    ("Société Générale S.A.", "societe generale"),
    ("Nordea Bank Abp", "nordea bank abp"),
    ("Spotify AB", "spotify"),
    ("Atlassian Pty Ltd", "atlassian"),
    ("Siemens AG", "siemens"),
    ("Zalando SE", "zalando"),
    ("Booking Holdings B.V.", "booking holdings"),
    ("LLC", "llc"),
    ("The The", "the"),
    ("  Data   Labs  ", "data labs"),
    (None, None),
]


@pytest.mark.parametrize(("raw", "expected"), COMPANIES)
def test_company_name(raw: str | None, expected: str | None) -> None:
    assert run(company_name, [raw]) == [expected]


DOMAINS = [
    ("acme.com", "acme.com", "acme"),
    ("www.acme.com", "acme.com", "acme"),
    ("https://www.acme.com/about?x=1", "acme.com", "acme"),
    ("http://app.eu.acme.co.uk:8080/", "acme.co.uk", "acme"),
    ("ACME.IO", "acme.io", "acme"),
    ("mail@acme.de", "acme.de", "acme"),
    ("localhost", None, None),
    ("", None, None),
]


@pytest.mark.parametrize(("raw", "registered", "label"), DOMAINS)
def test_domains(raw: str, registered: str | None, label: str | None) -> None:
    assert run(registered_domain, [raw]) == [registered]
    assert run(domain_label, [raw]) == [label]


# A site on a shared platform is its own registered domain; the platform itself is no one's. The first
# rows come from the public suffix list's private section, the rest from shared_hosts.txt.
SHARED = [
    ("acme.github.io", "acme.github.io", "acme"),
    ("https://www.acme.github.io/docs", "acme.github.io", "acme"),
    ("github.io", None, None),
    ("x.notion.site", "x.notion.site", "x"),
    ("https://y.webflow.io/", "y.webflow.io", "y"),
    ("x.vercel.app", "x.vercel.app", "x"),
    ("acme.framer.website", "acme.framer.website", "acme"),
    ("acme.framer.ai", "acme.framer.ai", "acme"),
    ("acme.carrd.co", "acme.carrd.co", "acme"),
    ("acme.wixsite.com/home", "acme.wixsite.com", "acme"),
    ("acme.blogspot.com", "acme.blogspot.com", "acme"),
    ("acme.netlify.app", "acme.netlify.app", "acme"),
    ("z.substack.com", "z.substack.com", "z"),
    ("https://acme.medium.com/launch-1f2e", "acme.medium.com", "acme"),
    ("medium.com/@acme", None, None),
    ("https://www.medium.com/@acme", None, None),
    ("acme.wordpress.com", "acme.wordpress.com", "acme"),
    ("acme.squarespace.com", "acme.squarespace.com", "acme"),
    ("sites.google.com/view/acme", None, None),
    ("linktr.ee/acme", None, None),
    ("acme.bio.link", "acme.bio.link", "acme"),
    ("https://www.linkedin.com/company/acme/", None, None),
    ("google.com", "google.com", "google"),  # only sites.google.com is shared
    ("acme.com", "acme.com", "acme"),
]


@pytest.mark.parametrize(("raw", "registered", "label"), SHARED)
def test_sites_on_shared_platforms_are_their_own_domains(
    raw: str, registered: str | None, label: str | None
) -> None:
    assert run(registered_domain, [raw]) == [registered]
    assert run(domain_label, [raw]) == [label]


@pytest.mark.parametrize("host", sorted(SHARED_HOSTS))
def test_every_listed_host_is_a_suffix(host: str) -> None:
    assert run(registered_domain, [host, f"www.{host}", f"acme.{host}", f"https://{host}/acme"]) == [
        None,
        None,
        f"acme.{host}",
        None,
    ]


IDENTIFYING = [
    ("acme.com", "acme.com"),
    ("https://www.acme.co.uk", "acme.co.uk"),
    ("gmail.com", None),
    ("www.gmail.com", None),
    ("yahoo.co.uk", None),
    ("founder@outlook.com", None),
    ("notion.site", None),
    ("acme.notion.site", "acme.notion.site"),
    ("medium.com", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "expected"), IDENTIFYING)
def test_identifying_domains_leave_out_free_mail_and_platforms(raw: str | None, expected: str | None) -> None:
    assert run(identifying_domain, [raw]) == [expected]


EMAILS = [
    ("Ada@Example.COM", "ada@example.com", False),
    ("ada+crm@example.com", "ada@example.com", False),
    ("A.Da.Lovelace@gmail.com", "adalovelace@gmail.com", True),
    ("adalovelace@googlemail.com", "adalovelace@gmail.com", True),
    ("first.last@outlook.com", "first.last@outlook.com", True),
    ("not-an-email", None, False),
]


@pytest.mark.parametrize(("raw", "canonical", "free"), EMAILS)
def test_emails(raw: str, canonical: str | None, free: bool) -> None:
    assert run(email, [raw]) == [canonical]
    assert run(is_free_mail, [raw]) == [free]


PHONES = [
    ("+44 20 7946 0958", None, "+442079460958"),
    ("+442079460958", None, "+442079460958"),
    ("+1 (415) 555-0123", None, "+14155550123"),
    ("020 7946 0958", "GB", "+442079460958"),
    ("020 7946 0958", None, None),
    ("call me", "GB", None),
]


@pytest.mark.parametrize(("raw", "country", "expected"), PHONES)
def test_phones(raw: str, country: str | None, expected: str | None) -> None:
    assert run(lambda e: phone(e, country), [raw]) == [expected]


NAMES = [
    ("Bob", "robert"),
    ("ROBERT", "robert"),
    ("Liz", "elizabeth"),
    ("José", "jose"),
    ("Hiroshi", "hiroshi"),
]


@pytest.mark.parametrize(("raw", "expected"), NAMES)
def test_first_names_and_nicknames(raw: str, expected: str) -> None:
    assert run(person_first_name, [raw]) == [expected]


def test_last_names_and_idempotence() -> None:
    assert run(person_last_name, ["O'Brien", "Müller", "van der Berg"]) == [
        "obrien",
        "muller",
        "van der berg",
    ]
    once = run(company_name, [c for c, _ in COMPANIES if c])
    assert run(company_name, [str(v) for v in once]) == once


def test_distinct_values_are_computed_once() -> None:
    frame = pl.DataFrame({"v": ["www.acme.com"] * 10_000 + ["beta.io"] * 10_000})
    out = frame.select(registered_domain(pl.col("v")))["v"]
    assert out.value_counts().sort("v")["count"].to_list() == [10_000, 10_000]


# ---------------------------------------------------------------------------- vectorised = reference


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(codec="utf-8"), max_size=30), min_size=1, max_size=20))
def test_vectorised_plain_text_matches_the_reference(values: list[str]) -> None:
    assert run(plain_text, list(values)) == [_plain(v) for v in values]


HOSTS = [
    "acme.com",
    "https://www.app.acme.co.uk/path?q=1",
    "user@mail.acme.com.au:8080",
    "co.uk",
    "localhost",
    "WWW.Example.ORG.",
    "shop.example.ck",
    "www.ck",
    "a.b.kawasaki.jp",
    "city.kawasaki.jp",
    "x.sch.uk",
    "foo.bar.sch.uk",
    "",
    "acme.github.io",
    "github.io",
    "www.github.io",
    "www.medium.com/@acme",
    "acme.substack.com",
    "a.b.sites.google.com",
    "bucket.s3.dualstack.ap-southeast-3.amazonaws.com",  # a private rule of five labels
    "x.y.s3.dualstack.ap-southeast-3.amazonaws.com",
    "dualstack.ap-southeast-3.amazonaws.com",
    "a.b.eu-south-1.airflow.amazonaws.com",  # under a wildcard rule with a four-label base
    "www.ck",
]


@pytest.mark.parametrize("host", HOSTS)
def test_vectorised_registered_domain_matches_tldextract(host: str) -> None:
    assert run(registered_domain, [host]) == [_registered(host)]


@pytest.mark.parametrize(
    ("full", "first", "last"),
    [
        ("Dr. Jane van der Berg", "Jane", "van der Berg"),
        ("Smith, John", "John", "Smith"),
        ("Ada Lovelace", "Ada", "Lovelace"),
        ("Cher", "Cher", None),
        (None, None, None),
    ],
)
def test_full_names_are_split_by_nameparser(full: str | None, first: str | None, last: str | None) -> None:
    assert run(full_name_first, [full]) == [first]
    assert run(full_name_last, [full]) == [last]

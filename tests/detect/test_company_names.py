"""Company-name normalisers, table-driven: folding, cleaning, readings, blocking keys and the words that
tell similar names apart."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import pytest

from cleanup.detect import company_names as names


def run(fn: Callable[[pl.Expr], pl.Expr], values: list[str | None]) -> list[object]:
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    return frame.select(fn(pl.col("v"))).to_series().to_list()


def plain(expr: pl.Expr) -> pl.Expr:
    return names.clean(names.fold(expr))


@pytest.mark.parametrize(
    ("raw", "folded", "transcribed"),
    [
        ("Müller", "Muller", "Mueller"),
        ("Łódź", "Lodz", "Lodz"),
        ("Straße", "Strasse", "Strasse"),
        ("Ærø", "Aero", "Aeroe"),
        ("Søndergaard", "Sondergaard", "Soendergaard"),
        ("Björkö", "Bjorko", "Bjoerkoe"),
        ("Škoda", "Skoda", "Skoda"),
        ("Café Naturé", "Cafe Nature", "Cafe Nature"),
        ("Plain Name", "Plain Name", "Plain Name"),
        (None, None, None),
    ],
)
def test_fold(raw: str | None, folded: str | None, transcribed: str | None) -> None:
    assert run(names.fold, [raw]) == [folded]
    assert run(lambda e: names.fold(e, transcribe=True), [raw]) == [transcribed]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("The ACME Gmbh.", "acme"),
        ("Acme, Inc.", "acme"),
        ("I.B.M.", "ibm"),
        ("Kite.ai", "kite"),
        ("bluefjord.io", "bluefjord"),
        ("Blue-Fjord", "blue fjord"),
        ("Smith & Sons Ltd", "smith and sons"),
        ("Hale & Co", "hale"),
        ("Acme India Pvt Ltd", "acme india"),
        ("Acme India Private Limited", "acme india"),
        ("Fund III, L.P.", "fund iii"),
        ("Fund III SCSp", "fund iii"),
        ("Leaf Robotics Sp. z o.o.", "leaf robotics"),
        ("Nixzenari Pte. Ltd.", "nixzenari"),
        ("GmbH", "gmbh"),  # nothing but a legal form: kept
        ("  Two   Spaces  ", "two spaces"),
        (None, None),
    ],
)
def test_clean(raw: str | None, expected: str | None) -> None:
    assert run(names.clean, [raw]) == [expected]


@pytest.mark.parametrize(
    ("raw", "readings", "key", "second_key"),
    [
        ("Müller GmbH", ["muller", "mueller"], "muller", "mueller"),
        ("Mueller GmbH", ["mueller"], "mueller", "mueller"),
        ("Muller", ["muller"], "muller", None),
        ("Blue Fjord", ["blue fjord"], "bluefjord", "bluefjord"),  # 'ue' as written: Blue / Blü
        ("BlueFjord", ["bluefjord"], "bluefjord", "bluefjord"),
        ("bluefjord.ai", ["bluefjord"], "bluefjord", "bluefjord"),
        ("Kite", ["kite"], "kite", None),
        ("Hale & Ross", ["hale and ross"], "haleross", None),
        ("Hale Ross", ["hale ross"], "haleross", None),
        ("", [], None, None),
    ],
)
def test_readings_and_keys(raw: str, readings: list[str], key: str | None, second_key: str | None) -> None:
    frame = pl.DataFrame({"v": [raw]}).with_columns(p=plain(pl.col("v")), t=names.transcribed(pl.col("v")))
    out = frame.select(
        r=names.name_variants(pl.col("p"), pl.col("t")),
        k=names.joined(pl.col("p")),
        k2=names.transcribed_key(pl.col("p"), pl.col("t")),
    ).row(0)
    assert out == (readings, key, second_key)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Zenovalum", "Zenvalum"),  # a dropped vowel
        ("Zenovalum", "Zennovalum"),  # a doubled letter
        ("Zenovalum", "Zneovalum"),  # swapped letters
        ("Zenovalum", "Zenoalum"),  # a dropped consonant
        ("Palnixari", "Palnixri"),
    ],
)
def test_a_one_letter_slip_shares_a_typo_key(a: str, b: str) -> None:
    frame = pl.DataFrame({"v": [a, b]}).with_columns(p=plain(pl.col("v")))
    keys = frame.select(s=names.skeleton(pl.col("p")), e=names.ends(pl.col("p")))
    assert keys["s"][0] == keys["s"][1] or keys["e"][0] == keys["e"][1]


@pytest.mark.parametrize(
    ("raw", "skeleton", "ends"),
    [
        ("Zenovalum", "znvlm", "zen~lum"),
        ("Kite", None, None),  # too short to block on
        ("Blue Fjord", "blfjrd", "blu~ord"),
    ],
)
def test_typo_keys(raw: str, skeleton: str | None, ends: str | None) -> None:
    assert run(lambda e: names.skeleton(plain(e)), [raw]) == [skeleton]
    assert run(lambda e: names.ends(plain(e)), [raw]) == [ends]


@pytest.mark.parametrize(
    ("raw", "qualifier", "descriptor"),
    [
        ("Blue Fjord Capital", "capital", None),
        ("Blue Fjord Capital Fund I", "1 capital fund", None),
        ("Blue Fjord Capital Fund II, L.P.", "2 capital fund", None),
        ("Blue Fjord Capital Fund 2", "2 capital fund", None),
        ("Blue Fjord Capital SPV 2023-A", "2023a capital spv", None),
        ("Blue Fjord Capital SPV 2023-B", "2023b capital spv", None),
        ("Acme India Pvt Ltd", "india", None),
        ("Acme UK", "uk", None),
        ("Acme APAC", "apac", None),
        ("Acme Hong Kong", "hongkong", None),
        ("Acme GmbH", names.NONE, None),  # a legal form is no qualifier
        ("Notion Capital", "capital", None),
        ("Notion Labs", names.NONE, None),  # a word companies use loosely
        ("Space X", names.NONE, "space"),  # a lone X is no numeral
        ("Studio54", "54", None),
        ("Apex Health", names.NONE, "health"),
        ("Vertex AI Robotics", names.NONE, "ai robotics"),
        ("Haven Studio", "studio", None),
        ("Hale Group", "group", None),
        ("Plaid", names.NONE, None),
    ],
)
def test_marks(raw: str, qualifier: str, descriptor: str | None) -> None:
    out = pl.DataFrame({"v": [raw]}).select(names.marks(plain(pl.col("v")))).unnest("v").row(0)
    assert out == (qualifier, descriptor)


def test_marks_are_the_same_for_distinct_and_repeated_names() -> None:
    values = ["Acme Labs", "Zeta Labs", "Fund I", "Acme Fund II", "Capital One", "Acme Capital", None]
    one_by_one = [pl.select(names.marks(plain(pl.lit(v, dtype=pl.String)))).item() for v in values]
    assert run(lambda e: names.marks(plain(e)), values) == one_by_one


@pytest.mark.parametrize(
    ("location", "city", "country"),
    [
        ({"locality": "München", "country_code": "DE"}, "munchen de", "de"),
        ({"locality": "New York", "country_code": "US"}, "new york us", "us"),
        ({"locality": "Paris", "country_code": None}, "paris", None),
        ({"locality": None, "country_code": "FR"}, None, "fr"),
        ({"locality": "", "country_code": ""}, None, None),
    ],
)
def test_locations(location: dict[str, str | None], city: str | None, country: str | None) -> None:
    frame = pl.DataFrame(
        {"l": [location]}, schema={"l": pl.Struct({"locality": pl.String, "country_code": pl.String})}
    )
    assert frame.select(names.city(pl.col("l")), names.country(pl.col("l")).alias("c")).row(0) == (
        city,
        country,
    )

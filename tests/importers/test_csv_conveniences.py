"""The CSV importer on the files people bring (a HubSpot companies export, a conference people list, the same
list saved with semicolons in Windows-1252), over real HTTP against the sandbox: every line accounted for,
a re-run writes nothing whatever the case of emails and domains, and malformed input refused with the line,
the column and a fix, nothing written."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleanup.importers.coerce import CONVERTERS, CoerceError, Options, region_of
from cleanup.importers.csv import CsvImportResult, CsvSpec, NoteColumns
from cleanup.importers.reading import ImportInputError, read_csv, unlikely
from cleanup.importers.session import prepare_csv
from cleanup.testing import RunningSandbox, sandbox_server
from tests.conftest import client_for, unlimited
from tests.importers.conftest import add_attribute, make_pipeline

FIXTURES = Path(__file__).parent / "fixtures" / "csv"


def writes(log: list[str]) -> list[str]:
    """The requests of ``log`` that write (a POST to a query endpoint only reads)."""
    return [line for line in log if not line.startswith("GET") and not line.endswith("/query")]


def _add_company_attributes(sb: RunningSandbox) -> None:
    with sb.http() as http:
        for slug, kind in (("annual_revenue", "number"), ("employees", "number"), ("created", "timestamp")):
            add_attribute(http, "/v2/objects/companies", slug, kind)


@pytest.fixture
def crm() -> Iterator[RunningSandbox]:
    with sandbox_server("empty", config=unlimited()) as sb:
        sb.config.company_from_email = False
        make_pipeline(sb)
        _add_company_attributes(sb)
        yield sb


def companies(path: Path) -> CsvSpec:
    return CsvSpec(
        path,
        "companies",
        "domains",
        {
            "Company name": ["name"],
            "Company Domain Name": ["domains"],
            "Annual Revenue": ["annual_revenue"],
            "Number of Employees": ["employees"],
            "Create Date": ["created"],
        },
        note=NoteColumns("Notes"),
        options=Options(date_format="mdy"),
    )


def people(path: Path) -> CsvSpec:
    return CsvSpec(
        path,
        "people",
        "email_addresses",
        {
            "First Name": ["name.first_name"],
            "Last Name": ["name.last_name"],
            "Email": ["email_addresses"],
            "Phone": ["phone_numbers"],
            "Company": ["company"],
        },
        note=NoteColumns("Notes"),
        phone_region_column="Country",
    )


@dataclass(frozen=True)
class Case:
    file: str
    spec: object  # Path → CsvSpec
    read: int
    imported: int
    skipped: dict[int, str]
    links_left_out: int


CASES = [
    Case(
        "hubspot_companies.csv",
        companies,
        5,
        3,
        {4: "blank line", 6: "repeats line 5 exactly: imported once"},
        0,
    ),
    Case("conference_people.csv", people, 3, 3, {}, 1),
    Case("conference_people_cp1252.csv", people, 3, 3, {}, 1),
]


@pytest.mark.parametrize("case", CASES, ids=[c.file for c in CASES])
def test_every_line_of_each_fixture_is_accounted_for_and_a_rerun_writes_nothing(
    crm: RunningSandbox, tmp_path: Path, case: Case
) -> None:
    path = tmp_path / case.file
    shutil.copy(FIXTURES / case.file, path)
    spec = case.spec(path)  # type: ignore[operator]
    with client_for(crm) as client:
        prepared = prepare_csv(client, spec, tmp_path / "one")
        result = prepared.result
        assert isinstance(result, CsvImportResult)
        lines = result.lines
        assert lines.balanced
        assert lines.read == case.read
        assert len(lines.imported) == case.imported
        assert lines.skipped == case.skipped
        assert not lines.refused
        assert not lines.pending
        assert len(result.links_left_out) == case.links_left_out
        accounting = result.accounting()
        assert accounting["balanced"].all()
        assert accounting["read"].to_list() == [case.read]
        assert result.table.frame.filter(pl.col("decision") == "pending").height == 0
        report = prepared.plan().apply(client)
        assert set(report.counts()) == {"done"}
    log: list[str] = []
    with client_for(crm, log) as client:
        again = prepare_csv(client, spec, tmp_path / "two").result
    assert isinstance(again, CsvImportResult)
    assert again.table.frame.height == 0
    assert len(again.lines.already) == case.imported
    assert again.lines.balanced
    assert not writes(log)


def test_the_fixtures_land_as_written(crm: RunningSandbox, tmp_path: Path) -> None:
    for case in CASES[:2]:
        path = tmp_path / case.file
        shutil.copy(FIXTURES / case.file, path)
        with client_for(crm) as client:
            prepare_csv(client, case.spec(path), tmp_path / f"work-{case.file}").plan().apply(client)  # type: ignore[operator]
    with crm.http() as http:
        found = http.post("/v2/objects/companies/records/query", json={"limit": 50}).json()["data"]
        by_domain = {
            c["values"]["domains"][0]["domain"]: c["values"] for c in found if c["values"]["domains"]
        }
        everyone = http.post("/v2/objects/people/records/query", json={"limit": 50}).json()["data"]
    acme = by_domain["acme-robotics.example"]
    assert acme["annual_revenue"][0]["value"] == 12_500_000
    assert acme["employees"][0]["value"] == 1200
    assert acme["created"][0]["value"].startswith("2023-01-15T09:12")
    assert by_domain["bolt.example"]["created"][0]["value"].startswith("2023-02-03T16:30")
    person = {p["values"]["email_addresses"][0]["email_address"]: p["values"] for p in everyone}
    jane = person["jane.doe@quiet.example"]
    assert jane["name"][0]["full_name"] == "Jane Doe"
    assert jane["name"][0]["last_name"] == "Doe"
    assert jane["phone_numbers"][0]["original_phone_number"] == "+442079460958"  # region from Country
    assert person["jose@cyan.example"]["phone_numbers"][0]["original_phone_number"] == "+34612345678"
    assert person["jose@cyan.example"]["company"] == []  # 'Unknown Org': imported without the link
    assert person["hans@muller.example"]["name"][0]["full_name"] == "Hans Müller"


def test_a_windows_1252_file_is_read_as_cp1252_and_says_so() -> None:
    table = read_csv(FIXTURES / "conference_people_cp1252.csv")
    assert table.encoding == "cp1252"
    assert table.delimiter == ";"
    assert table.frame["Last Name"].to_list() == ["Doe", "Peña", "Müller"]
    assert table.frame["Notes"][2] == "“Great” talk"
    assert "read as cp1252" in table.encoding_note
    assert "'Peńa'" in table.encoding_note


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Name\nJosé Peña\nHans Müller\n“Quoted” – Zürich\n", "cp1252"),
        ("Imię\nŁukasz Żółć\nWrocław\nAnna Śliwa\n", "cp1250"),
        ("Имя\nИван Петров\nМосква\n", "cp1251"),
        ("Όνομα\nΓιώργος\nΑθήνα\n", "cp1253"),
    ],
)
def test_the_code_page_of_the_dominant_script_is_chosen(tmp_path: Path, text: str, encoding: str) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(text.encode(encoding))
    table = read_csv(path)
    assert (table.encoding, table.frame.columns[0]) == (encoding, text.split("\n", maxsplit=1)[0])


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Peña Müller", (0, 0)), ("Peńa", (0, 1)), ("Wroc³aw", (1, 0)), ("ŁódŸ", (1, 1)), ("Ïðèâåò", (1, 0))],
)
def test_unlikely_characters_table(text: str, expected: tuple[int, int]) -> None:
    assert unlikely(text) == expected


@pytest.mark.parametrize(
    ("kind", "text", "options", "expected"),
    [
        ("number", "1,200", Options(), 1200.0),
        ("number", "$12,500,000", Options(), 12_500_000.0),
        ("number", "EUR 1.200,50", Options(), 1200.5),
        ("number", "12 500", Options(), 12500.0),
        ("currency", "£99.5", Options(), 99.5),
        ("timestamp", "01/15/2023 09:12 AM", Options(date_format="mdy"), "2023-01-15T09:12:00Z"),
        ("timestamp", "15/01/2023 12:05 AM", Options(date_format="dmy"), "2023-01-15T00:05:00Z"),
        ("timestamp", "01/15/2023 4:30 p.m.", Options(date_format="mdy"), "2023-01-15T16:30:00Z"),
        ("date", "01/15/2023 09:12 AM", Options(date_format="mdy"), "2023-01-15"),
        ("email-address", " Jane.Doe@Example.COM ", Options(), {"email_address": "jane.doe@example.com"}),
        (
            "phone-number",
            "020 7946 0958",
            Options(phone_region="GB"),
            {"original_phone_number": "+442079460958"},
        ),
    ],
)
def test_cells_table(kind: str, text: str, options: Options, expected: object) -> None:
    assert CONVERTERS[kind](text, options) == expected


@pytest.mark.parametrize(
    ("kind", "text", "options", "message"),
    [
        ("number", "1,2", Options(), "write digits with a dot for decimals"),
        ("number", "nan", Options(), "is not a number"),
        (
            "timestamp",
            "13/45/2023 09:12 AM",
            Options(date_format="mdy"),
            "write MM/DD/YYYY (--date-format mdy",
        ),
        ("timestamp", "01/15/2023 13:12 PM", Options(date_format="mdy"), "not an hour on a 12-hour clock"),
        ("date", "15.01.2023", Options(), "for slashed dates give --date-format mdy (or dmy)"),
        (
            "date",
            "15.01.2023",
            Options(in_mapping=True),
            'for slashed dates give date_format = "mdy" under [import] in the mapping (or dmy)',
        ),
        ("phone-number", "020 7946 0958", Options(), "--phone-region GB, or --phone-region-column"),
        (
            "phone-number",
            "020 7946 0958",
            Options(in_mapping=True),
            'give the region of numbers without it: phone_region = "GB" under [import] in the mapping',
        ),
    ],
)
def test_bad_cells_table(kind: str, text: str, options: Options, message: str) -> None:
    with pytest.raises(CoerceError, match=None) as caught:
        CONVERTERS[kind](text, options)
    assert message in str(caught.value)


def test_countries_name_phone_regions() -> None:
    assert [region_of(c) for c in ("United Kingdom", "gb", "Germany", "USA", " spain ")] == [
        "GB",
        "GB",
        "DE",
        "US",
        "ES",
    ]
    with pytest.raises(CoerceError, match="write its two-letter code"):
        region_of("Atlantis")


# ---------------------------------------------------------------------------------------------- malformed input
MALFORMED = [
    (
        "conflicting duplicates",
        "Company,Website,Employees\nAcme,acme.example,10\nAcme,ACME.example,12\n",
        {},
        "lines 2 and 3 are all domains acme.example but differ in column(s) 'Employees'; keep one line",
    ),
    (
        "two columns on one attribute",
        "First,Last,Website\nAda,Quiet,acme.example\n",
        {"columns": {"First": ["name"], "Last": ["name"], "Website": ["domains"]}},
        "columns 'First' and 'Last' both map to 'name', which holds one value; map only one of them",
    ),
    (
        "a part of a text attribute",
        "First,Website\nAda,acme.example\n",
        {"columns": {"First": ["name.first_name"], "Website": ["domains"]}},
        "only a personal name has parts",
    ),
    (
        "a thousands separator in the wrong place",
        'Company,Website,Employees\nAcme,acme.example,"1,20,0"\n',
        {},
        "line 2, column 'Employees': '1,20,0' is not a number",
    ),
    (
        "a HubSpot time with a 13 o'clock PM",
        "Company,Website,Created\nAcme,acme.example,01/15/2023 13:12 PM\n",
        {"columns": {"Company": ["name"], "Website": ["domains"], "Created": ["created"]}},
        "line 2, column 'Created': '01/15/2023 13:12 PM': 13 is not an hour on a 12-hour clock",
    ),
]


@pytest.mark.parametrize(("what", "text", "changes", "message"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_input_is_refused_with_a_fix_and_nothing_written(
    crm: RunningSandbox, tmp_path: Path, what: str, text: str, changes: dict[str, object], message: str
) -> None:
    path = tmp_path / "in.csv"
    path.write_text(text, encoding="utf-8")
    columns = {"Company": ["name"], "Website": ["domains"], "Employees": ["employees"]}
    spec = replace(
        CsvSpec(path, "companies", "domains", columns, options=Options(date_format="mdy")), **changes
    )  # type: ignore[arg-type]
    log: list[str] = []
    with client_for(crm, log) as client, pytest.raises(ImportInputError) as caught:
        prepare_csv(client, spec, tmp_path / "one")
    assert message in str(caught.value), str(caught.value)
    assert not writes(log)


def test_a_name_split_over_columns_must_be_declared_as_parts_on_a_personal_name(
    crm: RunningSandbox, tmp_path: Path
) -> None:
    path = tmp_path / "people.csv"
    path.write_text("First,Last,Email\nAda,Quiet,ada@quiet.example\n", encoding="utf-8")
    spec = CsvSpec(
        path, "people", "email_addresses", {"First": ["name"], "Last": ["name"], "Email": ["email_addresses"]}
    )
    with client_for(crm) as client, pytest.raises(ImportInputError) as caught:
        prepare_csv(client, spec, tmp_path / "one")
    assert "map them to its parts: name.first_name, name.last_name, name.full_name" in str(caught.value)


def test_conflicting_duplicates_go_to_the_reject_file_with_skip_invalid(
    crm: RunningSandbox, tmp_path: Path
) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        "Company,Website,Employees\nAcme,acme.example,10\nAcme,acme.example,12\nBolt,bolt.example,3\n\n",
        encoding="utf-8",
    )
    rejects = tmp_path / "rejects.csv"
    spec = CsvSpec(
        path,
        "companies",
        "domains",
        {"Company": ["name"], "Website": ["domains"], "Employees": ["employees"]},
        skip_invalid=True,
        reject_file=rejects,
    )
    with client_for(crm) as client:
        result = prepare_csv(client, spec, tmp_path / "one").result
    assert isinstance(result, CsvImportResult)
    assert result.lines.balanced
    assert result.lines.read == 4
    assert (result.lines.imported, sorted(result.lines.refused), result.lines.skipped) == (
        [4],
        [2, 3],
        {5: "blank line"},
    )
    assert "differ in column(s) 'Employees'" in result.lines.refused[2]
    assert rejects.read_text(encoding="utf-8").count("keep one line") == 2


def test_a_mixed_encoding_file_asks_for_the_encoding(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes("Name\nPeña\n".encode("cp1252") + "Müller\n".encode())
    with pytest.raises(ImportInputError, match="mixed encodings: line 3 is UTF-8 but line 2 is not"):
        read_csv(path)


# ---------------------------------------------------------------------------------------------- idempotence
SEED = "Email,Name,Website\nJane.Doe@Quiet.example,Jane Doe,Quiet.example\nbo@bolt.example,Bo Bolt,bolt.example\n"


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningSandbox, Path]]:
    folder = tmp_path_factory.mktemp("idempotent")
    with sandbox_server("empty", config=unlimited()) as sb:
        sb.config.company_from_email = False
        for obj, column, match in (
            ("people", "Email", "email_addresses"),
            ("companies", "Website", "domains"),
        ):
            path = folder / f"{obj}.csv"
            path.write_text(SEED, encoding="utf-8")
            with client_for(sb) as client:
                prepare_csv(client, _seed_spec(path, obj, column, match), folder / obj).plan().apply(client)
        yield sb, folder


def _seed_spec(path: Path, obj: str, column: str, match: str) -> CsvSpec:
    return CsvSpec(path, obj, match, {column: [match], "Name": ["name"]})


def _recase(text: str, flips: list[bool]) -> str:
    return "".join(c.upper() if flip else c.lower() for c, flip in zip(text, flips * len(text), strict=False))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    flips=st.lists(st.booleans(), min_size=1, max_size=7),
    pad=st.sampled_from(["", " ", "   "]),
    prefix=st.sampled_from(["", "https://www.", "http://", "WWW."]),
    obj=st.sampled_from(["people", "companies"]),
)
def test_a_rerun_of_randomly_cased_and_spaced_input_writes_nothing(
    imported: tuple[RunningSandbox, Path], flips: list[bool], pad: str, prefix: str, obj: str
) -> None:
    sb, folder = imported
    column, match = ("Email", "email_addresses") if obj == "people" else ("Website", "domains")
    rows = ["Email,Name,Website"]
    for email, name, site in (line.split(",") for line in SEED.splitlines()[1:]):
        url = f"{prefix}{site}/" if prefix else site
        rows.append(f'"{pad}{_recase(email, flips)}{pad}",{name},"{pad}{_recase(url, flips)}{pad}"')
    path = folder / f"again-{obj}.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    log: list[str] = []
    with client_for(sb, log) as client:
        result = prepare_csv(client, _seed_spec(path, obj, column, match), folder / "again").result
    assert result.table.frame.height == 0, result.table.frame["reason"].to_list()
    assert not writes(log)


# ---------------------------------------------------------------------------------------------- the CLI
def test_the_cli_says_the_encoding_and_where_every_line_went(crm: RunningSandbox, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cleanup.cli import app

    path = tmp_path / "people.csv"
    shutil.copy(FIXTURES / "conference_people_cp1252.csv", path)
    env = {"ATTIO_API_KEY": crm.tokens["primary"], "ATTIO_BASE_URL": crm.base_url, "COLUMNS": "200"}
    args = ["import", "csv", str(path), "--object", "people", "--match", "email_addresses"]
    for pair in ("First Name=name.first_name", "Last Name=name.last_name", "Email=email_addresses"):
        args += ["--column", pair]
    args += ["--column", "Phone=phone_numbers", "--column", "Company=company", "--note-column", "Notes"]
    args += ["--phone-region-column", "Country", "--work", str(tmp_path / "w")]
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    assert "people.csv: read as cp1252" in result.output
    assert "people.csv: 3 lines read: 3 to import, 0 already in Attio" in result.output
    assert "Imported without the link (1):" in result.output
    assert "'Unknown Org' names no companies record" in result.output
    refused = CliRunner().invoke(
        app, [*args[:7], "--column", "First Name=name", "--column", "Last Name=name"], env=env
    )
    assert refused.exit_code != 0
    assert "map them to its parts: name.first_name" in refused.output


def test_a_file_whose_only_special_letter_fits_two_code_pages_is_read_with_the_doubt_said(
    tmp_path: Path,
) -> None:
    """cp1250's ń is cp1252's ñ (byte F1): with no other letter to tell them apart, the Western reading is
    taken — "probably", never "certain" — and the note shows the other reading and how to choose it."""
    path = tmp_path / "cities.csv"
    path.write_bytes("Name,City\nAdam Nowak,Gdańsk\n".encode("cp1250"))
    table = read_csv(path)
    assert table.encoding == "cp1252"
    assert table.frame["City"].to_list() == ["Gdañsk"]
    assert "probably" in table.encoding_note
    assert "as cp1250 it would read 'Gdańsk'" in table.encoding_note
    assert "give --encoding" in table.encoding_note
    assert read_csv(path, encoding="cp1250").frame["City"].to_list() == ["Gdańsk"]

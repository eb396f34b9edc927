"""The action table: validation, stable ids, cluster decisions, and the review round trip in every format."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from cleanup.actions import ActionTable, ActionTableError, TamperedError, make_action_id
from cleanup.actions.xlsx import TITLES

FORMATS = [".parquet", ".csv", ".xlsx"]


def findings() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "recipe": ["duplicate_companies"] * 3 + ["duplicate_notes"],
            "action": ["merge_records", "merge_records", "merge_records", "recreate_note"],
            "object": ["companies", "companies", "companies", "people"],
            "target_id": ["c2", "c3", "c9", "n1"],
            "survivor_id": ["c1", "c1", "c8", None],
            "cluster_id": ["k1", "k1", "k2", "n1"],
            "payload": [None, None, None, '{"title":"Intro, \\"call\\"","content":"=SUM(A1)\\nline 2"}'],
            "reason": ["same company", "same company", "same company", "re-imported copy"],
            "confidence": [0.9731, 0.8, 1 / 3, 1.0],
            "evidence": ["same domain acme.com; names 'Acme GmbH' / 'ACME Gmbh.' 0.97", "x", "y", "z"],
            "fingerprint": ["f1", "f2", "f3", "f4"],
        }
    )


def test_build_fills_defaults_and_ids_are_stable() -> None:
    table = ActionTable.build(findings())
    assert table.frame["decision"].to_list() == ["pending"] * 4
    again = ActionTable.build(findings())
    assert table.frame["action_id"].to_list() == again.frame["action_id"].to_list()
    assert table.frame["action_id"][0] == make_action_id("duplicate_companies", "merge_records", "c2", "k1")
    assert table.frame["action_id"].n_unique() == 4


@pytest.mark.parametrize("suffix", FORMATS)
def test_round_trip_is_lossless(tmp_path: Path, suffix: str) -> None:
    table = ActionTable.build(findings())
    read = ActionTable.read(table.write(tmp_path / f"actions{suffix}"))
    assert_frame_equal(read.frame, table.frame)


@pytest.mark.parametrize("suffix", FORMATS)
def test_empty_table_round_trips(tmp_path: Path, suffix: str) -> None:
    read = ActionTable.read(ActionTable.empty().write(tmp_path / f"actions{suffix}"))
    assert len(read) == 0


def _edit(path: Path, row: int, column: str, value: object) -> None:
    """Change one cell the way a reviewer would: in the file itself (row 0 is the first data row)."""
    if path.suffix == ".parquet":
        frame = pl.read_parquet(path)
        frame = frame.with_columns(
            pl.when(pl.int_range(pl.len()) == row).then(pl.lit(value)).otherwise(pl.col(column)).alias(column)
        )
        frame.write_parquet(path)
    elif path.suffix == ".csv":
        with path.open(newline="", encoding="utf8") as handle:
            rows = list(csv.reader(handle))
        rows[row + 1][rows[0].index(column)] = "" if value is None else str(value)
        with path.open("w", newline="", encoding="utf8") as handle:
            csv.writer(handle).writerows(rows)
    else:
        book = openpyxl.load_workbook(path)
        sheet = book["actions"]
        header = [c.value for c in sheet[1]]
        sheet.cell(row=row + 2, column=header.index(TITLES.get(column, column)) + 1).value = value
        book.save(path)


@pytest.mark.parametrize("suffix", FORMATS)
def test_reviewer_edits_of_editable_columns_are_read(tmp_path: Path, suffix: str) -> None:
    path = ActionTable.build(findings()).write(tmp_path / f"actions{suffix}")
    _edit(path, 0, "decision", "Approve ")
    _edit(path, 1, "cluster_decision", "reject")
    _edit(path, 2, "keep", "c9")  # without a snapshot, the drop-down lists the cluster's record ids
    _edit(path, 2, "take", "Job title")
    _edit(path, 3, "comment", "checked with Sam")
    read = ActionTable.read(path)
    assert read.frame["decision"].to_list() == ["approve", "pending", "pending", "pending"]
    assert read.effective_decisions().to_list() == ["approve", "reject", "pending", "pending"]
    assert read.frame["keep"].to_list() == [None, None, "c9", None]
    assert read.frame["take"][2] == "Job title"
    assert read.frame["comment"][3] == "checked with Sam"
    assert read.approved()["target_id"].to_list() == ["c2"]


@pytest.mark.parametrize("suffix", FORMATS)
@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("target_id", "c99"),
        ("confidence", 0.5),
        ("payload", None),
        ("action", "delete_record"),
        ("survivor_id", "c10"),  # a reviewer chooses the kept record in `keep`, not here
        ("reason", "edited"),
    ],
)
def test_a_tampered_cell_is_named_by_row_and_column(
    tmp_path: Path, suffix: str, column: str, value: object
) -> None:
    path = ActionTable.build(findings()).write(tmp_path / f"actions{suffix}")
    _edit(path, 3 if column == "payload" else 1, column, value)
    with pytest.raises(TamperedError) as caught:
        ActionTable.read(path)
    message = str(caught.value)
    row = 5 if column == "payload" else 3
    if suffix == ".parquet":
        assert f"row {row} (action " in message
        assert f"column `{column}`: changed" in message
    else:  # the row and the column's letter and title as the file shows them
        header = (
            [c.value for c in openpyxl.load_workbook(path)["actions"][1]]
            if suffix == ".xlsx"
            else pl.read_csv(path, n_rows=0).columns
        )
        title = TITLES.get(column, column) if suffix == ".xlsx" else column
        letter = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[header.index(title)]
        sheet = "sheet 'actions', " if suffix == ".xlsx" else ""
        assert f"{sheet}row {row}, column {letter} ({title}): changed" in message
    assert "decision" in message
    assert "keep" in message


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.with_columns(action=pl.lit("explode")), "`action` is not one of"),
        (lambda f: f.with_columns(confidence=pl.lit(1.5)), "`confidence` is not between 0 and 1"),
        (lambda f: f.with_columns(survivor_id=pl.lit(None, pl.String)), "a merge needs `survivor_id`"),
        (lambda f: f.with_columns(survivor_id=pl.col("target_id")), "`survivor_id` is the target itself"),
        (lambda f: f.with_columns(payload=pl.lit("{not json")), "`payload` is not a JSON object"),
        (lambda f: f.with_columns(decision=pl.lit("maybe")), "`decision` is not one of"),
        (lambda f: f.with_columns(action_id=pl.lit("same")), "`action_id` appears twice"),
        (
            lambda f: f.with_columns(
                cluster_decision=pl.Series(["approve", "reject", None, None]), cluster_id=pl.lit("k")
            ),
            "different `cluster_decision`s",
        ),
        (lambda f: f.drop("reason"), "the column(s) reason are missing"),
        (lambda f: f.with_columns(keep=pl.lit("c8")), "`keep` is not a record of the row's cluster"),
        (
            lambda f: f.with_columns(keep=pl.Series(["c2", "c3", None, None])),
            "its cluster has different records to `keep`",
        ),
        (
            lambda f: f.with_columns(keep=pl.Series([None, None, None, "n1"])),
            "only a merge has a record to keep",
        ),
        (
            lambda f: f.with_columns(take=pl.Series([None, None, None, "Title"])),
            "only a merge takes values",
        ),
    ],
)
def test_invalid_tables_are_rejected_with_the_rows_named(change: object, message: str) -> None:
    frame = ActionTable.build(findings()).frame
    with pytest.raises(ActionTableError) as caught:
        ActionTable(change(frame))  # type: ignore[operator]
    assert message in str(caught.value)


def test_cluster_decision_decides_pending_rows_but_not_explicit_ones() -> None:
    frame = ActionTable.build(findings()).frame.with_columns(
        cluster_decision=pl.Series(["approve", None, None, None]),
        decision=pl.Series(["pending", "reject", "pending", "pending"]),
    )
    assert ActionTable(frame).effective_decisions().to_list() == ["approve", "reject", "pending", "pending"]


def test_decide_by_expression_cluster_or_id() -> None:
    table = ActionTable.build(findings())
    high = table.decide("approve", where=pl.col("confidence") >= 0.9)
    assert high.frame["decision"].to_list() == ["approve", "pending", "pending", "approve"]
    assert table.decide("reject", clusters=["k1"]).frame["decision"].to_list()[:3] == [
        "reject",
        "reject",
        "pending",
    ]
    with pytest.raises(ValueError, match="maybe"):
        table.decide("maybe")


def test_bulk_approval_leaves_merges_with_evidence_against_for_a_person() -> None:
    against = '{"carry":{},"against":["first name"]}'
    table = ActionTable.build(findings().with_columns(payload=pl.Series([against, "{}", None, None])))
    assert table.contradicted()["target_id"].to_list() == ["c2"]
    for bulk in (table.decide("approve", where=pl.col("confidence") >= 0.5), table.decide("approve")):
        assert bulk.frame["decision"].to_list()[:2] == ["pending", "approve"]
    # named after a look, it is approved; rejecting in bulk takes it too
    named = table.decide("approve", action_ids=[table.frame["action_id"][0]])
    assert named.frame["decision"][0] == "approve"
    assert table.decide("approve", clusters=["k1"]).frame["decision"].to_list()[:2] == ["approve", "approve"]
    assert table.decide("reject").frame["decision"][0] == "reject"


def test_columns_added_or_removed_in_a_file_are_named(tmp_path: Path) -> None:
    path = ActionTable.build(findings()).write(tmp_path / "a.csv")
    pl.read_csv(path, infer_schema=False).with_columns(extra=pl.lit("x")).write_csv(path)
    with pytest.raises(ActionTableError, match="extra are not part of an action table"):
        ActionTable.read(path)
    pl.read_csv(path, infer_schema=False).drop("extra", "fingerprint").write_csv(path)
    with pytest.raises(ActionTableError, match="fingerprint are missing"):
        ActionTable.read(path)


def test_unknown_formats_and_overlong_excel_cells(tmp_path: Path) -> None:
    table = ActionTable.build(findings())
    with pytest.raises(ActionTableError, match=r"\.parquet, \.csv or \.xlsx"):
        table.write(tmp_path / "a.json")
    long = ActionTable.build(findings().with_columns(evidence=pl.lit("x" * 40_000)))
    with pytest.raises(ActionTableError, match="Excel's 32,767-character cell limit"):
        long.write(tmp_path / "a.xlsx")
    assert len(ActionTable.read(long.write(tmp_path / "a.csv"))) == 4


def test_workbook_reads_left_to_right_for_a_reviewer(tmp_path: Path) -> None:
    path = ActionTable.build(findings()).write(tmp_path / "a.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["How to review", "actions", "choices"]
    assert book["choices"].sheet_state == "hidden"
    guide = " ".join(str(c.value) for c in book["How to review"]["A"] if c.value)
    for sentence in (
        "approve (do it)",
        "never takes a merge with evidence against it",
        "Only decision, keep",
    ):
        assert sentence in guide
    sheet = book["actions"]
    header = [c.value for c in sheet[1]]
    assert header[:11] == [
        "record",
        "kept record",
        "what happens",
        "key differences",
        "confidence in words",
        "decision",
        "keep",
        "take from the merged record",
        "comment",
        "decide the whole cluster",
        "why",
    ]
    assert header[-1] == "_check"
    assert sheet.freeze_panes == "F2"  # the names stay in view while the decision columns scroll
    assert sheet.auto_filter.ref is not None
    assert sheet.column_dimensions["V"].hidden  # fingerprint and _check
    assert sheet.column_dimensions["V"].max == len(header)
    assert sheet["C2"].value.startswith("c2 is merged into c1")
    assert sheet["E2"].value == "likely (0.97)"
    lists = {
        str(dv.sqref).split(":")[0].rstrip("0123456789"): dv.formula1
        for dv in sheet.data_validations.dataValidation
    }
    assert "approve" in lists["F"]
    assert "approve" in lists["J"]
    assert lists["G"].startswith("OFFSET(choices!$B$1,MATCH($S2,")  # the records of the row's own cluster
    payload = sheet.cell(row=5, column=header.index("payload") + 1)
    assert payload.value.startswith('{"title"')  # a formula-looking string stays text
    assert list(book["choices"].iter_rows(values_only=True))[1:3] == [
        ("k1", "c1", "c1"),
        ("k1", "c2", "c2"),
    ]


class _Names:
    """A stand-in for :class:`cleanup.labels.Namer`: two companies of one name, one of another."""

    names = {"c1": "Acme GmbH", "c2": "Acme GmbH", "c3": "ACME Inc", "c8": "Bolt", "c9": "Bolt Ltd"}

    class snapshot:  # the parts of Namer's snapshot the workbook reads
        parts: tuple[str, ...] = ()

        class schema:
            objects: dict[str, object] = {}
            lists: dict[str, object] = {}

    def records(self, object_slug: str, ids: list[str]) -> dict[str, str]:
        return {i: self.names[i] for i in ids if i in self.names}


def test_keep_is_chosen_by_name_and_read_back_as_the_record(tmp_path: Path) -> None:
    path = ActionTable.build(findings()).write(tmp_path / "a.xlsx", namer=_Names())  # type: ignore[arg-type]
    book = openpyxl.load_workbook(path)
    sheet = book["actions"]
    # two records of one name are told apart by the end of their id; names are unique otherwise
    assert [sheet[f"A{r}"].value for r in (2, 3, 4)] == ["Acme GmbH (…c2)", "ACME Inc", "Bolt Ltd"]
    assert sheet["B2"].value == "Acme GmbH (…c1)"
    assert sheet["C4"].value.startswith("Bolt Ltd is merged into Bolt and then deleted")
    sheet["G3"] = "Acme GmbH (…c2)"  # on the row of c3: keep c2, for the whole cluster
    book.save(path)
    read = ActionTable.read(path)
    assert read.frame["keep"].to_list() == [None, "c2", None, None]
    # and the written label comes back the same
    again = ActionTable.read(read.write(tmp_path / "b.xlsx", namer=_Names()))  # type: ignore[arg-type]
    assert_frame_equal(again.frame, read.frame)
    sheet["G4"] = "Acme GmbH (…c2)"  # a record of another cluster
    book.save(path)
    with pytest.raises(ActionTableError) as caught:
        ActionTable.read(path)
    assert "sheet 'actions', row 4, column G (keep)" in str(caught.value)
    assert "choose one of the cluster's records" in str(caught.value)


def test_a_tampered_sign_off_workbook_names_the_recipe_sheet(tmp_path: Path) -> None:
    path = ActionTable.build(findings()).write(tmp_path / "a.xlsx", by_recipe=True, summary=[("recipe",)])
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [
        "How to review",
        "summary",
        "duplicate_companies",
        "duplicate_notes",
        "choices",
    ]
    assert book["duplicate_notes"]["H1"].value == "why"  # no merges on this sheet: no keep or take
    book["duplicate_notes"]["H2"] = "a different reason"
    book.save(path)
    with pytest.raises(TamperedError) as caught:
        ActionTable.read(path)
    # row 2 of its own sheet (the fourth row of the table), column H titled "why"
    assert "sheet 'duplicate_notes', row 2, column H (why): changed" in str(caught.value)


def test_a_file_written_before_keep_existed_still_reads(tmp_path: Path) -> None:
    from cleanup.actions.schema import CHECKED_BEFORE_KEEP
    from cleanup.actions.table import _canonical, _digest

    table = ActionTable.build(findings())
    canonical = _canonical(table.frame, CHECKED_BEFORE_KEEP)
    checks = ["".join(_digest(v) for v in row) for row in canonical.iter_rows()]
    old = table.frame.drop("keep", "take").with_columns(_check=pl.Series(checks))
    old.write_csv(tmp_path / "old.csv")
    assert_frame_equal(ActionTable.read(tmp_path / "old.csv").frame, table.frame)


def test_approving_a_whole_cluster_leaves_evidence_against_pending() -> None:
    against = '{"carry":{},"against":["first name"]}'
    frame = ActionTable.build(findings().with_columns(payload=pl.Series([against, "{}", None, None]))).frame
    table = ActionTable(frame.with_columns(cluster_decision=pl.Series(["approve", None, None, None])))
    assert table.effective_decisions().to_list()[:2] == ["pending", "approve"]


def test_summary_and_histogram() -> None:
    table = ActionTable.build(findings()).decide("approve", clusters=["k1"])
    summary = table.summary()
    assert summary.filter(pl.col("decision") == "approve")["rows"].sum() == 2
    bands = dict(table.confidence_histogram().rows())
    assert sum(bands.values()) == 4

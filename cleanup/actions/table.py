"""The action table: a validated Polars frame of proposed changes, reviewed in a file and read back.

>>> table = ActionTable.build(rows)  # doctest: +SKIP
>>> table.write("review/actions.xlsx", namer=Namer(snapshot))  # a reviewer decides, keeps, takes values
>>> reviewed = ActionTable.read("review/actions.xlsx")  # raises TamperedError if anything else changed
>>> reviewed.approved()  # the rows the executor may apply

A written table carries a ``_check`` column: a short digest of every non-editable cell of the row, so a
reviewed file is verified on its own, and a change is reported where the file shows it (sheet, row, column
letter and title). The editable columns are ``decision``, ``cluster_decision``, ``keep`` (the record of a
merge's cluster that stays, instead of ``survivor_id``), ``take`` (attributes whose value comes from the
merged-away record) and ``comment``.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import polars as pl

from ..errors import CleanupError
from ..files import private_file
from ..notebook import html
from .layout import MAX_REPORTED, Layout
from .schema import (
    CHECK_COLUMN,
    CHECKED,
    CHECKED_BEFORE_KEEP,
    COLUMNS,
    EDITABLE,
    ENTRY_ACTIONS,
    NEEDS_SURVIVOR,
    NEEDS_TARGET,
    OPTIONAL,
    SCHEMA,
    SCHEMA_ACTIONS,
    Action,
    Decision,
)
from .summary import print_summary

if TYPE_CHECKING:
    from ..export.snapshot import Snapshot
    from ..labels import Namer

CELL_DIGEST_HEX = 6  # per checked cell; 13 cells → 78 characters per row
FORMATS = (".parquet", ".csv", ".xlsx")
# The records a `keep` chooses among: the row's cluster, or the row's own pair when it has no cluster.
CLUSTER = pl.coalesce("cluster_id", "action_id")
# A merge whose payload names evidence against it ({"against": ["first name"]}): never approved in bulk.
HAS_AGAINST = (pl.col("action") == Action.MERGE_RECORDS.value) & pl.col("payload").str.json_path_match(
    "$.against[0]"
).is_not_null()


class ActionTableError(CleanupError, ValueError):
    """An action table that does not validate: every message names the rows, the column and the fix."""


class TamperedError(ActionTableError):
    """A reviewed file changed outside the editable columns (``decision``, ``cluster_decision``, ``keep``,
    ``take``, ``comment``)."""


def make_action_id(recipe: str, action: str, target: str | None, key: str = "") -> str:
    """A stable id for one finding: the same recipe, action, target and key give the same id on every run."""
    text = "\x1f".join((recipe, action, target or "", key))
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def _canonical(frame: pl.DataFrame, columns: tuple[str, ...] = CHECKED) -> pl.DataFrame:
    """Every checked cell as text ('\\x00' for null), identical after a Parquet, CSV or XLSX round trip."""
    return frame.select(
        pl.col(c).cast(pl.String).fill_null("\x00") if c != "confidence" else _float_text(pl.col(c))
        for c in columns
    )


def _float_text(column: pl.Expr) -> pl.Expr:
    return column.round(12).cast(pl.String).fill_null("\x00")


def _digest(value: str) -> str:
    return hashlib.blake2b(value.encode(), digest_size=CELL_DIGEST_HEX // 2).hexdigest()


def _checks(frame: pl.DataFrame) -> list[str]:
    canonical = _canonical(frame)
    columns = [canonical[c].to_list() for c in CHECKED]
    return ["".join(_digest(col[i]) for col in columns) for i in range(frame.height)]


def _rows(indices: Iterable[int], frame: pl.DataFrame, layout: Layout | None = None) -> str:
    """'row 3 (action 1a2b...); row 9 (...)' in spreadsheet terms (the header is row 1), or where ``layout``
    puts them ('sheet 'x', row 17')."""
    return (layout or Layout.of(frame)).rows(indices)


def _normalise_choice(column: str) -> pl.Expr:
    return pl.col(column).str.strip_chars().str.to_lowercase().replace("", None)


class ActionTable:
    """A validated action table (see :mod:`cleanup.actions.schema` for the columns)."""

    snapshot: Snapshot | None = None  # where notebook displays find names (set by detect, with_names)

    def __init__(self, frame: pl.DataFrame, layout: Layout | None = None) -> None:
        self.frame = _validate(frame, layout)
        self.layout = layout  # where each row is in the file it was read from (None: not read from one)

    # ------------------------------------------------------------------ building
    @classmethod
    def build(cls, rows: pl.DataFrame) -> ActionTable:
        """A table from a recipe's findings: missing optional columns are filled (``decision`` pending),
        ``action_id`` is derived from recipe, action, target and ``cluster_id`` when absent."""
        missing = [c for c in ("recipe", "action", "reason") if c not in rows.columns]
        if missing:
            raise ActionTableError(f"findings lack the column(s) {', '.join(missing)}")
        frame = rows.with_columns(
            pl.lit(None, dtype=dtype).alias(name)
            for name, dtype in COLUMNS.items()
            if name not in rows.columns
        )
        if "action_id" not in rows.columns:
            keys = frame.select("recipe", "action", "target_id", "cluster_id").rows()
            frame = frame.with_columns(
                action_id=pl.Series(
                    [make_action_id(r, a, t, c or "") for r, a, t, c in keys], dtype=pl.String
                )
            )
        frame = frame.with_columns(pl.col("decision").fill_null(Decision.PENDING.value))
        return cls(frame.select(SCHEMA.names()).cast(dict(SCHEMA)))  # type: ignore[arg-type]

    @classmethod
    def empty(cls) -> ActionTable:
        return cls(pl.DataFrame(schema=SCHEMA))

    @classmethod
    def concat(cls, tables: Sequence[ActionTable]) -> ActionTable:
        """One table from several (e.g. every recipe's); it names its records from the first one's snapshot."""
        out = cls(pl.concat([t.frame for t in tables]) if tables else pl.DataFrame(schema=SCHEMA))
        out.snapshot = next((t.snapshot for t in tables if t.snapshot is not None), None)
        return out

    # ------------------------------------------------------------------ reading the decisions
    def __len__(self) -> int:
        return self.frame.height

    def __repr__(self) -> str:
        counts = self.frame.group_by("decision").len().sort("decision").rows()
        return f"ActionTable({self.frame.height} rows: " + ", ".join(f"{d} {n}" for d, n in counts) + ")"

    def _repr_html_(self) -> str:
        return html(self)

    def with_names(self, snapshot: Snapshot) -> ActionTable:
        """This table, displayed in a notebook with the names of its records in ``snapshot`` (a copy; nothing
        is re-validated)."""
        out = copy.copy(self)
        out.snapshot = snapshot
        return out

    def show(self, title: str = "Findings") -> None:
        """Print a rich summary: rows by recipe, action and decision, and a confidence histogram."""
        print_summary(self, title=title)

    def effective_decisions(self) -> pl.Series:
        """Each row's decision after ``cluster_decision``: a row's own approve/reject wins, a pending row
        takes its cluster's decision — except that approving a cluster leaves a merge with evidence against
        it pending (it is approved on its own row, like :meth:`decide` in bulk)."""
        cluster = pl.col("cluster_decision").drop_nulls().first().over("cluster_id")
        bulk_approve = (cluster == Decision.APPROVE.value) & HAS_AGAINST.fill_null(False)
        return self.frame.select(
            pl.when(pl.col("decision") != Decision.PENDING.value)
            .then(pl.col("decision"))
            .when(bulk_approve)
            .then(pl.lit(Decision.PENDING.value))
            .otherwise(pl.coalesce(cluster, pl.lit(Decision.PENDING.value)))
            .alias("decision")
        ).to_series()

    def approved(self) -> pl.DataFrame:
        """The rows the executor may apply."""
        return self.frame.filter(self.effective_decisions() == Decision.APPROVE.value)

    def rejected(self) -> pl.DataFrame:
        return self.frame.filter(self.effective_decisions() == Decision.REJECT.value)

    def contradicted(self) -> pl.DataFrame:
        """The merges with evidence against them (what, in the payload's ``against``): never approved in
        bulk by :meth:`decide`."""
        return self.frame.filter(HAS_AGAINST)

    def decide(
        self,
        decision: Decision | str,
        *,
        where: pl.Expr | None = None,
        clusters: Iterable[str] | None = None,
        action_ids: Iterable[str] | None = None,
    ) -> ActionTable:
        """A copy with ``decision`` set on the chosen rows (all rows when nothing is chosen).

        Approving in bulk (by ``where``, or every row) leaves a merge with evidence against it as it was
        (:meth:`contradicted`, e.g. a different first name): approve those by naming their ``action_ids``
        or ``clusters``, after a look.

        >>> table.decide("approve", where=pl.col("confidence") >= 0.98)  # doctest: +SKIP
        """
        verdict = Decision(decision).value
        chosen = pl.lit(True)
        if where is not None:
            chosen = chosen & where
        if clusters is not None:
            chosen = chosen & pl.col("cluster_id").is_in(list(clusters))
        if action_ids is not None:
            chosen = chosen & pl.col("action_id").is_in(list(action_ids))
        elif clusters is None and verdict == Decision.APPROVE.value:
            chosen = chosen & ~HAS_AGAINST
        frame = self.frame.with_columns(
            decision=pl.when(chosen.fill_null(False)).then(pl.lit(verdict)).otherwise(pl.col("decision"))
        )
        out = ActionTable(frame, self.layout)
        out.snapshot = self.snapshot
        return out

    def summary(self) -> pl.DataFrame:
        """Rows by recipe, action and effective decision."""
        return (
            self.frame.with_columns(decision=self.effective_decisions())
            .group_by("recipe", "action", "decision")
            .agg(rows=pl.len(), mean_confidence=pl.col("confidence").mean())
            .sort("recipe", "action", "decision")
        )

    def confidence_histogram(self, bins: Sequence[float] = (0.5, 0.8, 0.9, 0.95, 0.99)) -> pl.DataFrame:
        """How many rows fall in each confidence band (``[lo, hi)``; rows without a confidence are left out)."""
        edges = sorted(bins)
        confidence = pl.col("confidence")
        band: pl.Expr = pl.lit(f"< {edges[0]}")
        for lo, hi in itertools.pairwise([*edges, None]):
            label = f"≥ {lo}" if hi is None else f"{lo}–{hi}"
            band = pl.when(confidence >= lo).then(pl.lit(label)).otherwise(band)
        order = [f"< {edges[0]}", *(f"{lo}–{hi}" for lo, hi in itertools.pairwise(edges)), f"≥ {edges[-1]}"]
        counts = dict(
            self.frame.filter(confidence.is_not_null())
            .select(band.alias("band"))
            .group_by("band")
            .len()
            .rows()
        )
        return pl.DataFrame(
            {"band": order, "rows": [counts.get(b, 0) for b in order]}, schema_overrides={"rows": pl.UInt32}
        )

    # ------------------------------------------------------------------ files
    def write(
        self,
        path: str | Path,
        *,
        by_recipe: bool = False,
        summary: list[tuple[Any, ...]] | None = None,
        namer: Namer | None = None,
    ) -> Path:
        """Write for review: ``.parquet``, ``.csv`` or ``.xlsx`` (by the suffix), with the ``_check`` column.

        ``.xlsx`` is the reviewer's workbook (:mod:`.xlsx`): a "How to review" sheet, then (``by_recipe``) a
        summary sheet of ``summary`` rows and one sheet per recipe, else one ``actions`` sheet. ``namer``
        (a :class:`cleanup.labels.Namer` of the snapshot) names the records; without it rows show ids."""
        target = Path(path)
        suffix = target.suffix.lower()
        if suffix not in FORMATS:
            raise ActionTableError(f"{target.name}: write an action table as .parquet, .csv or .xlsx")
        frame = self.frame.with_columns(pl.Series(CHECK_COLUMN, _checks(self.frame), dtype=pl.String))
        if suffix == ".parquet":
            with private_file(target) as tmp:
                frame.write_parquet(tmp)
        elif suffix == ".csv":
            with private_file(target) as tmp:
                frame.write_csv(tmp, float_precision=None)
        else:
            from .xlsx import write_xlsx

            write_xlsx(frame, target, by_recipe=by_recipe, summary=summary, namer=namer)
        return target

    @classmethod
    def read(cls, path: str | Path) -> ActionTable:
        """Read a (reviewed) table and check it: only the editable columns may differ from what was written."""
        source = Path(path)
        suffix = source.suffix.lower()
        if not source.exists():
            raise ActionTableError(f"{source}: no such file")
        layout: Layout | None = None
        if suffix == ".parquet":
            frame = pl.read_parquet(source)
        elif suffix == ".csv":
            frame = _read_text_table(source)
            layout = Layout.of_csv(frame, frame.columns)
        elif suffix == ".xlsx":
            from .xlsx import read_xlsx

            frame, layout = read_xlsx(source)
        else:
            raise ActionTableError(f"{source.name}: an action table is a .parquet, .csv or .xlsx file")
        return cls._from_file(frame, source.name, layout)

    @classmethod
    def _from_file(cls, frame: pl.DataFrame, name: str, layout: Layout | None = None) -> ActionTable:
        expected = [*SCHEMA.names(), CHECK_COLUMN]
        frame = frame.with_columns(
            pl.lit(None, dtype=pl.String).alias(c) for c in sorted(OPTIONAL) if c not in frame.columns
        )
        missing = [c for c in expected if c not in frame.columns]
        extra = [c for c in frame.columns if c not in expected]
        if missing:
            raise ActionTableError(
                f"{name}: the column(s) {', '.join(missing)} are missing; an action table needs every column "
                "it was written with (restore them from the original file)"
            )
        if extra:
            raise ActionTableError(
                f"{name}: the column(s) {', '.join(extra)} are not part of an action table; remove them "
                "(reviewers' notes go in `comment`)"
            )
        frame = _coerce(frame, name, layout)
        checks = frame[CHECK_COLUMN].to_list()
        body = frame.drop(CHECK_COLUMN)
        _verify(body, checks, name, layout or Layout.of(body))
        try:
            return cls(body, layout)
        except ActionTableError as error:
            raise ActionTableError(f"{name}: {error}") from None


def _read_text_table(source: Path) -> pl.DataFrame:
    try:
        return pl.read_csv(source, infer_schema=False, encoding="utf8")
    except (pl.exceptions.ComputeError, UnicodeDecodeError) as error:
        raise ActionTableError(f"{source.name}: not a readable CSV action table ({error})") from None


def _coerce(frame: pl.DataFrame, name: str, layout: Layout | None = None) -> pl.DataFrame:
    """Cast a file's columns to the schema; a cell that does not fit is named with its row."""
    strings = frame.with_columns(
        pl.col(c).cast(pl.String) for c in frame.columns if c != "confidence" and frame.schema[c] != pl.String
    )
    confidence = strings["confidence"]
    if confidence.dtype != pl.Float64:
        parsed = confidence.cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False)
        bad = (
            parsed.is_null() & confidence.is_not_null() & (confidence.cast(pl.String).str.strip_chars() != "")
        ).arg_true()
        if len(bad):
            where = (layout or Layout.of(strings)).rows(bad.to_list(), "confidence")
            raise ActionTableError(f"{name}: confidence is not a number in {where}")
        strings = strings.with_columns(confidence=parsed)
    return strings.with_columns(pl.col(c).replace("", None) for c in SCHEMA.names() if c != "confidence")


def _verify(frame: pl.DataFrame, checks: list[str | None], name: str, layout: Layout) -> None:
    """Every checked cell against its row's digest; a change is named by sheet, row and column."""
    width = CELL_DIGEST_HEX
    checked = CHECKED
    if checks and all(c is not None and len(c) == width * len(CHECKED_BEFORE_KEEP) for c in checks):
        checked = CHECKED_BEFORE_KEEP  # written before `keep` replaced an editable `survivor_id`
    canonical = _canonical(frame, checked)
    columns = {c: canonical[c].to_list() for c in checked}
    problems: list[str] = []
    for i, check in enumerate(checks):
        if check is None or len(check) != width * len(checked):
            problems.append(
                f"{layout.cell(i, CHECK_COLUMN)}: missing or cut, so the row was not written by attio-cleanup"
            )
            continue
        for k, column in enumerate(checked):
            if _digest(columns[column][i]) != check[k * width : (k + 1) * width]:
                problems.append(f"{layout.cell(i, column)}: changed since the table was written")
        if len(problems) > MAX_REPORTED:
            break
    if problems:
        raise TamperedError(
            f"{name}: only {_editable_titles(layout)} may change in a review, but\n  "
            + "\n  ".join(problems[:MAX_REPORTED])
            + "\nPut those cells back as they were (copy them from the original file), or run "
            "`attio-cleanup detect` again for a fresh table."
        )


def _editable_titles(layout: Layout) -> str:
    """The editable columns as the file titles them: 'decision, keep, … and comment'."""
    shown = next(iter(layout.columns.values()), {})
    order = [c for c in COLUMNS if c in EDITABLE]
    titles = [shown[c][1] if c in shown else c for c in order]
    return ", ".join(titles[:-1]) + " and " + titles[-1]


def _validate(frame: pl.DataFrame, layout: Layout | None = None) -> pl.DataFrame:
    """Check the schema and every row; all problems are reported together, each where the file shows it."""
    frame = frame.with_columns(
        pl.lit(None, dtype=pl.String).alias(c) for c in sorted(OPTIONAL) if c not in frame.columns
    )
    missing = [c for c in SCHEMA.names() if c not in frame.columns]
    if missing:
        raise ActionTableError(f"the column(s) {', '.join(missing)} are missing")
    try:
        frame = frame.select(SCHEMA.names()).cast(dict(SCHEMA))  # type: ignore[arg-type]
    except pl.exceptions.InvalidOperationError as error:
        raise ActionTableError(f"a column has the wrong type: {error}") from None
    frame = frame.with_columns(
        decision=_normalise_choice("decision").fill_null(Decision.PENDING.value),
        cluster_decision=_normalise_choice("cluster_decision"),
        keep=pl.col("keep").str.strip_chars().replace("", None),
        take=pl.col("take").str.strip_chars().replace("", None),
    )
    where = layout or Layout.of(frame)
    actions = [a.value for a in Action]
    decisions = [d.value for d in Decision]
    merge = pl.col("action") == Action.MERGE_RECORDS.value
    rules: list[tuple[pl.Expr, str, str]] = [
        (pl.col("action_id").is_null(), "action_id", "`action_id` is empty"),
        (
            pl.col("action_id").is_duplicated() & pl.col("action_id").is_not_null(),
            "action_id",
            "`action_id` appears twice",
        ),
        (pl.col("recipe").is_null(), "recipe", "`recipe` is empty"),
        (
            ~pl.col("action").is_in(actions).fill_null(False),
            "action",
            f"`action` is not one of {', '.join(actions)}",
        ),
        (
            ~pl.col("decision").is_in(decisions),
            "decision",
            f"`decision` is not one of {', '.join(decisions)}",
        ),
        (
            pl.col("cluster_decision").is_not_null() & ~pl.col("cluster_decision").is_in(decisions),
            "cluster_decision",
            f"`cluster_decision` is not one of {', '.join(decisions)}",
        ),
        (
            pl.col("confidence").is_not_null() & ~pl.col("confidence").is_between(0, 1),
            "confidence",
            "`confidence` is not between 0 and 1",
        ),
        (
            pl.col("action").is_in([a.value for a in NEEDS_TARGET]) & pl.col("target_id").is_null(),
            "target_id",
            "`target_id` is empty",
        ),
        (
            pl.col("action").is_in([a.value for a in NEEDS_SURVIVOR]) & pl.col("survivor_id").is_null(),
            "survivor_id",
            "a merge needs `survivor_id` (the record that stays)",
        ),
        (
            pl.col("survivor_id").is_not_null() & (pl.col("survivor_id") == pl.col("target_id")),
            "survivor_id",
            "`survivor_id` is the target itself; choose another record of the cluster",
        ),
        (
            pl.col("action").is_in([a.value for a in SCHEMA_ACTIONS])
            & pl.col("list").is_null()
            & (pl.col("object").is_null() | (pl.col("action") == Action.CREATE_LIST.value)),
            "list",
            "a schema action needs `list` (or `object`, for an attribute or a choice on an object)",
        ),
        (
            pl.col("action").is_in([a.value for a in ENTRY_ACTIONS]) & pl.col("list").is_null(),
            "list",
            "an entry action needs `list`",
        ),
        (
            pl.col("cluster_decision").drop_nulls().n_unique().over("cluster_id") > 1,
            "cluster_decision",
            "its cluster has different `cluster_decision`s; keep one",
        ),
        (pl.col("keep").is_not_null() & ~merge, "keep", "only a merge has a record to keep; clear it"),
        (
            pl.col("take").is_not_null() & ~merge,
            "take",
            "only a merge takes values from a merged record; clear it",
        ),
        (
            pl.col("keep").drop_nulls().n_unique().over(CLUSTER) > 1,
            "keep",
            "its cluster has different records to `keep`; choose one per cluster (on one row is enough)",
        ),
        (
            pl.col("keep").is_not_null().any().over(CLUSTER)
            & (pl.col("survivor_id").filter(merge).n_unique().over(CLUSTER) > 1),
            "keep",
            "its cluster's merges go into different records, so one record to keep cannot be chosen; "
            "choose the record to keep in the recipe (or reject the rows)",
        ),
        (pl.col("keep").is_not_null() & merge & ~_kept_in_cluster(frame), "keep", _NOT_IN_CLUSTER),
    ]
    problems: list[str] = []
    flags = frame.select(rule.fill_null(False).alias(str(i)) for i, (rule, _, _) in enumerate(rules))
    for i, (_, column, message) in enumerate(rules):
        bad = flags[str(i)].arg_true().to_list()
        if bad:
            problems.append(f"{message}: {where.rows(bad, column)}")
    problems += _bad_payloads(frame, where)
    if problems:
        raise ActionTableError("the action table does not validate:\n  " + "\n  ".join(problems))
    return frame


_NOT_IN_CLUSTER = (
    "`keep` is not a record of the row's cluster; choose one of the cluster's records from the drop-down"
)


def _kept_in_cluster(frame: pl.DataFrame) -> pl.Series:
    """Per row, whether its ``keep`` is a record of its cluster (a target or survivor of its merges)."""
    merges = frame.filter(pl.col("action") == Action.MERGE_RECORDS.value)
    members = pl.concat(
        [
            merges.select(CLUSTER.alias("cluster"), pl.col("target_id").alias("keep")),
            merges.select(CLUSTER.alias("cluster"), pl.col("survivor_id").alias("keep")),
        ]
    ).unique()
    found = frame.select(CLUSTER.alias("cluster"), "keep").join(
        members.with_columns(member=pl.lit(True)), on=["cluster", "keep"], how="left", nulls_equal=False
    )
    return found["member"].fill_null(False)


def _bad_payloads(frame: pl.DataFrame, where: Layout) -> list[str]:
    bad: list[int] = []
    for i, payload in enumerate(frame["payload"].to_list()):
        if payload is None:
            continue
        try:
            if not isinstance(orjson.loads(payload), dict):
                bad.append(i)
        except orjson.JSONDecodeError:
            bad.append(i)
    return [f"`payload` is not a JSON object: {where.rows(bad, 'payload')}"] if bad else []


def payload(row: dict[str, Any]) -> dict[str, Any]:
    """A row's payload as a dict (empty when there is none)."""
    text = row.get("payload")
    return orjson.loads(text) if text else {}

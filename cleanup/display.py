"""Notebook displays: what an action table, a plan, a run report and a snapshot show in Jupyter.

Each says what it holds in a sentence first (names, confidence in words, dates as people read them), then
lists the rows that need a look, then says how to see everything. Records are named through
:class:`cleanup.labels.Namer` from the snapshot a table came from (``detect`` attaches it,
``table.with_names(snapshot)`` attaches one by hand; ``decide`` and ``concat`` keep it); ids it does not find
there are shortened ("person …7aef7"). Every value shown is escaped (names are user data).

Each page is registered with :mod:`cleanup.notebook` for its class, so a lower layer's ``_repr_html_`` finds
it without importing this module; ``import cleanup`` imports it.

>>> actions = cleanup.detect(snapshot, "duplicate_people")  # doctest: +SKIP
>>> actions          # in a notebook: "30 proposed changes from duplicate_people: merge 30 pairs of people ..."
>>> ActionTable.read("review.xlsx").with_names(snapshot)  # doctest: +SKIP
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import orjson
import polars as pl

from .actions.schema import SCHEMA_ACTIONS, Action, Decision
from .actions.schema_rows import describe
from .actions.table import HAS_AGAINST, ActionTable
from .execute.plan import Plan
from .execute.report import RunReport
from .execute.restore import RestorePlan, RestoreReport, describe_outlook, describe_result
from .export.snapshot import Snapshot, SnapshotError
from .labels import CONFIDENCE_WORDS, STATUS_WORDS, Namer, confidence_text, confidence_word, short_id, when
from .notebook import renders

__all__ = ["action_table_html", "named", "plan_html", "run_report_html", "snapshot_html"]

SINGULAR = {"people": "person", "companies": "company"}  # standard objects' nouns, without a snapshot
SHOWN_ROWS = 10  # rows listed under a summary; the rest are one attribute away (`table.frame`)
UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.IGNORECASE)
TEXT_CELL = "text-align:left;vertical-align:top"
NUMBER_CELL = "text-align:right;vertical-align:top"
RECORD_ACTIONS = frozenset(
    {
        Action.MERGE_RECORDS,
        Action.DELETE_RECORD,
        Action.CREATE_RECORD,
        Action.ASSERT_RECORD,
        Action.UPDATE_RECORD,
    }
)
NOTE_ACTIONS = frozenset({Action.DELETE_NOTE, Action.RECREATE_NOTE, Action.CREATE_NOTE})
ENTRY_ACTIONS = frozenset({Action.DELETE_ENTRY, Action.CREATE_ENTRY, Action.UPDATE_ENTRY})


# ---------------------------------------------------------------------------------------------- attaching
def named(table: ActionTable, snapshot: Snapshot) -> ActionTable:
    """A copy of ``table`` that names its records from ``snapshot`` when displayed (nothing is re-validated)."""
    return table.with_names(snapshot)


# ---------------------------------------------------------------------------------------------- words
def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _join(parts: Sequence[str], last: str = "and") -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + f" {last} " + parts[-1]


def _duration(seconds: float) -> str:
    """'about 13 seconds', 'about 4 minutes', 'about 2 hours 5 minutes'."""
    if seconds < 90:
        return f"about {_plural(max(1, round(seconds)), 'second')}"
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"about {_plural(minutes, 'minute')}"
    hours, rest = divmod(minutes, 60)
    return f"about {_plural(hours, 'hour')}" + (f" {_plural(rest, 'minute')}" if rest else "")


def _bands(confidences: Iterable[float | None]) -> str:
    """'(30 sure, 4 likely, 1 unsure)'; '' when no row has a confidence."""
    counts: dict[str, int] = {}
    for value in confidences:
        if value is not None:
            word = confidence_word(value)
            counts[word] = counts.get(word, 0) + 1
    shown = [f"{counts[w]:,} {w}" for w in ("sure", "likely", "unsure") if counts.get(w)]
    return f" ({', '.join(shown)})" if shown else ""


def _confidence(probability: float | None) -> str:
    """:func:`cleanup.labels.confidence_text`, with a value just below 1 shown as such ('sure (0.9999+)')."""
    text = confidence_text(probability)
    return text.replace("(1.)", "(0.9999+)")


def _payload(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _against(row: dict[str, Any]) -> list[str]:
    """The comparisons that count against a merge (its payload's ``against``)."""
    if row.get("action") != Action.MERGE_RECORDS.value:
        return []
    return [str(a) for a in _payload(row.get("payload")).get("against") or []]


# ---------------------------------------------------------------------------------------------- names
class _Names:
    """Names for the rows shown: records, notes and entries, looked up in the snapshot when there is one,
    else shortened ids; and every id named along the way, to name ids inside reasons and evidence."""

    def __init__(self, snapshot: Snapshot | None) -> None:
        self.snapshot = snapshot
        self.namer = Namer(snapshot) if snapshot is not None else None
        self.known: dict[str, str] = {}  # id → its name, for ids found in the snapshot
        self._notes: dict[str, tuple[str, str | None, str | None]] = {}  # id → title, parent object, parent
        self._entries: dict[str, tuple[str | None, str | None]] = {}  # id → parent object, parent record

    def noun(self, object_slug: str | None, *, plural: bool = False) -> str:
        if not object_slug:
            return "records" if plural else "record"
        if self.namer is not None:
            return self.namer.noun(object_slug, plural=plural)
        words = object_slug.replace("_", " ")
        return words if plural else SINGULAR.get(words, words.removesuffix("s"))

    def list_name(self, list_slug: str | None) -> str:
        if not list_slug:
            return "a list"
        return self.namer.list_name(list_slug) if self.namer is not None else list_slug.replace("_", " ")

    def attribute(self, parent_slug: str | None, slug: str) -> str:
        if self.namer is not None and parent_slug:
            return self.namer.attribute(parent_slug, slug)
        return slug.replace("_", " ").capitalize()

    def record(self, object_slug: str | None, record_id: str | None) -> str:
        if not record_id:
            return f"a new {self.noun(object_slug)}"
        if record_id in self.known:
            return self.known[record_id]
        return f"{self.noun(object_slug)} {short_id(record_id)}"

    def note(self, note_id: str | None) -> tuple[str, str | None, str | None]:
        """A note's title (quoted), its parent object and parent record."""
        if note_id and note_id in self._notes:
            return self._notes[note_id]
        return (f"note {short_id(note_id or '')}".strip(), None, None)

    # ------------------------------------------------------------------ looking up in bulk
    def load(self, rows: Sequence[dict[str, Any]]) -> None:
        """Look up every record, note and entry ``rows`` name (and the ids in their texts)."""
        if self.snapshot is None or self.namer is None:
            return
        records: dict[str, set[str]] = {}
        notes: set[str] = set()
        entries: dict[str, set[str]] = {}
        for row in rows:
            action = Action(row["action"])
            payload = _payload(row.get("payload"))
            if action in RECORD_ACTIONS:
                records.setdefault(row["object"], set()).update(
                    i for i in (row.get("target_id"), row.get("survivor_id")) if i
                )
            elif action in NOTE_ACTIONS:
                notes.update(i for i in (row.get("target_id"), row.get("cluster_id")) if i)
            elif action in ENTRY_ACTIONS and row.get("list") and row.get("target_id"):
                entries.setdefault(row["list"], set()).add(row["target_id"])
            parent_object, parent_id = payload.get("parent_object"), payload.get("parent_record_id")
            if isinstance(parent_object, str) and isinstance(parent_id, str):
                records.setdefault(parent_object, set()).add(parent_id)
        self._load_notes(notes, records)
        self._load_entries(entries, records)
        texts = " ".join(str(row.get(c) or "") for row in rows for c in ("reason", "evidence", "detail"))
        in_texts = set(UUID.findall(texts))
        for object_slug in list(records):
            records[object_slug] |= in_texts  # an id in a text is most likely a record of the row's object
        for object_slug, ids in records.items():
            self._load_records(object_slug, ids)

    def _load_records(self, object_slug: str | None, ids: set[str]) -> None:
        if self.snapshot is None or self.namer is None or not object_slug:
            return
        if f"records/{object_slug}" not in self.snapshot.parts:
            return
        wanted = [i for i in ids if i not in self.known]
        if not wanted:
            return
        found = (
            self.snapshot.records(object_slug)
            .filter(pl.col("_id").is_in(wanted))
            .select("_id")
            .collect()["_id"]
            .to_list()
        )
        self.known.update(self.namer.records(object_slug, found))

    def _load_notes(self, ids: set[str], records: dict[str, set[str]]) -> None:
        if self.snapshot is None or not ids or "notes" not in self.snapshot.parts:
            return
        found = (
            self.snapshot.notes()
            .filter(pl.col("note_id").is_in(list(ids)))
            .select("note_id", "title", "parent_object", "parent_record_id")
            .collect()
        )
        for note_id, title, parent_object, parent_id in found.iter_rows():
            quoted = f"“{title}”" if title else "an untitled note"
            self._notes[note_id] = (quoted, parent_object, parent_id)
            self.known[note_id] = quoted
            if parent_object and parent_id:
                records.setdefault(parent_object, set()).add(parent_id)

    def _load_entries(self, by_list: dict[str, set[str]], records: dict[str, set[str]]) -> None:
        for list_slug, ids in by_list.items():
            if self.snapshot is None or f"entries/{list_slug}" not in self.snapshot.parts:
                continue
            found = (
                self.snapshot.entries(list_slug)
                .filter(pl.col("_id").is_in(list(ids)))
                .select("_id", "_parent_object", "_parent_record_id")
                .collect()
            )
            for entry_id, parent_object, parent_id in found.iter_rows():
                self._entries[entry_id] = (parent_object, parent_id)
                if parent_object and parent_id:
                    records.setdefault(parent_object, set()).add(parent_id)

    # ------------------------------------------------------------------ sentences
    def text(self, value: str | None) -> str:
        """``value`` with every id in it named (or shortened)."""
        if not value:
            return ""
        return UUID.sub(lambda m: self.known.get(m.group(0), short_id(m.group(0))), value)

    def change(self, row: dict[str, Any]) -> str:
        """One row as a change a person reads: 'merge Bob Smith into Robert Smith'."""
        action = Action(row["action"])
        payload = _payload(row.get("payload"))
        obj, target = row.get("object"), row.get("target_id")
        if action in SCHEMA_ACTIONS:
            return describe(row, self.snapshot.schema if self.snapshot is not None else None)
        if action == Action.MERGE_RECORDS:
            return f"merge {self.record(obj, target)} into {self.record(obj, row.get('survivor_id'))}"
        if action == Action.DELETE_RECORD:
            return f"delete {self.record(obj, target)}"
        if action == Action.UPDATE_RECORD:
            return f"update {self.record(obj, target)}{self._attributes(obj, payload.get('values', payload))}"
        if action in (Action.CREATE_RECORD, Action.ASSERT_RECORD):
            verb = "create" if action == Action.CREATE_RECORD else "create or update"
            values = payload.get("values") or {}
            return f"{verb} {self.noun(obj)} {_value_name(values) or ''}".rstrip()
        if action in NOTE_ACTIONS:
            return self._note_change(action, target, payload)
        where = self.list_name(row.get("list"))
        if action == Action.CREATE_ENTRY:
            parent = self.record(payload.get("parent_object"), payload.get("parent_record_id"))
            return f"add {parent} to {where}"
        parent_object, parent_id = self._entries.get(target or "", (None, None))
        parent = self.record(parent_object, parent_id) if parent_id else f"entry {short_id(target or '')}"
        if action == Action.DELETE_ENTRY:
            return f"remove {parent} from {where}"
        return f"update {parent} in {where}{self._attributes(row.get('list'), payload.get('entry_values', payload))}"

    def _note_change(self, action: Action, target: str | None, payload: dict[str, Any]) -> str:
        if action == Action.CREATE_NOTE:
            title = f"“{payload['title']}”" if payload.get("title") else "a note"
            parent = self.record(payload.get("parent_object"), payload.get("parent_record_id"))
            dated = f", dated {when(payload['created_at'])}" if payload.get("created_at") else ""
            return f"create {title} on {parent}{dated}"
        title, parent_object, parent_id = self.note(target)
        on = f" on {self.record(parent_object, parent_id)}" if parent_id else ""
        if action == Action.DELETE_NOTE:
            return f"delete {title}{on}"
        dated = f" dated {when(payload['created_at'])}" if payload.get("created_at") else ""
        return f"recreate {title}{on}{dated}"

    def _attributes(self, parent: str | None, values: Any) -> str:
        if not isinstance(values, dict) or not values:
            return ""
        titles = [self.attribute(parent, slug) for slug in values if slug != "depends_on"]
        return f" ({', '.join(titles)})" if titles else ""


def _value_name(values: dict[str, Any]) -> str | None:
    """The name a create's values give the record, if they give one."""
    name = values.get("name")
    if isinstance(name, list) and name:
        name = name[0]
    if isinstance(name, dict):
        name = name.get("full_name") or name.get("value")
    return name if isinstance(name, str) and name else None


# ---------------------------------------------------------------------------------------------- phrases
def _changes(frame: pl.DataFrame, names: _Names) -> list[str]:
    """'merge 35 pairs of people (30 sure, 4 likely, 1 unsure)', one per action and object or list."""
    out: list[str] = []
    notes = pl.col("action").is_in([a.value for a in NOTE_ACTIONS])
    groups = (
        frame.with_columns(object=pl.when(notes).then(None).otherwise(pl.col("object")))
        .group_by("action", "object", "list", maintain_order=True)
        .agg(pl.col("confidence"))
    )
    for action, obj, list_slug, confidences in groups.iter_rows():
        n = len(confidences)
        verb = Action(action)
        if verb == Action.MERGE_RECORDS:
            phrase = f"merge {_plural(n, 'pair')} of {names.noun(obj, plural=True)}"
        elif verb in RECORD_ACTIONS:
            word = {"delete_record": "delete", "create_record": "create", "update_record": "update"}
            noun = names.noun(obj, plural=n != 1)
            phrase = f"{word.get(action, 'create or update')} {n:,} {noun}"
        elif verb in NOTE_ACTIONS:
            word = {"delete_note": "delete", "create_note": "create"}
            phrase = f"{word.get(action, 'recreate')} {_plural(n, 'note')}"
            if verb == Action.RECREATE_NOTE:
                phrase += " with their original date"
        else:
            entries = _plural(n, "entry", "entries")
            where = names.list_name(list_slug)
            phrase = {
                "delete_entry": f"remove {entries} from {where}",
                "create_entry": f"add {entries} to {where}",
            }.get(action, f"update {entries} in {where}")
        out.append(phrase + _bands(confidences))
    return out


# ---------------------------------------------------------------------------------------------- html
@dataclass(frozen=True)
class Cell:
    """A table cell: its text, and a hover (an id one hover away)."""

    text: str
    hover: str | None = None
    number: bool = False


def _table(headers: Sequence[str], rows: Iterable[Sequence[Cell | str]]) -> str:
    head = "".join(f"<th style='{TEXT_CELL}'>{escape(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for cell in row:
            c = cell if isinstance(cell, Cell) else Cell(cell)
            hover = f" title='{escape(c.hover)}'" if c.hover else ""
            cells.append(f"<td style='{NUMBER_CELL if c.number else TEXT_CELL}'{hover}>{escape(c.text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _p(text: str) -> str:
    return f"<p>{escape(text)}</p>"


def _code_hint(before: str, code: str, after: str = "") -> str:
    return f"<p>{escape(before)}<code>{escape(code)}</code>{escape(after)}</p>"


def _hover(row: dict[str, Any]) -> str:
    """The ids behind a change's label, one hover away."""
    ids = [row.get("target_id"), row.get("survivor_id")]
    return f"action {row['action_id']}" + "".join(f"; {i}" for i in ids if i)


def _look_first(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows in the order to look at them: evidence against, then left pending among decided rows, then the
    lowest confidence."""
    return frame.with_columns(_against=HAS_AGAINST.fill_null(False), _left=_left_pending(frame)).sort(
        ["_against", "_left", "confidence"], descending=[True, True, False], nulls_last=True
    )


def _left_pending(frame: pl.DataFrame) -> pl.Expr:
    """Rows still pending in a table where others are decided (what a person left to look at)."""
    pending = pl.col("decision") == Decision.PENDING.value
    if "decision" not in frame.columns or frame.filter(~pending).height == 0:
        return pl.lit(False)
    return pending


def _needs_a_look(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows with evidence against them, an unsure confidence, or left pending among decided rows."""
    likely = next(low for low, word in CONFIDENCE_WORDS if word == "likely")
    unsure = (pl.col("confidence") < likely).fill_null(False)
    return frame.filter(HAS_AGAINST.fill_null(False) | unsure | _left_pending(frame))


def _action_rows(frame: pl.DataFrame, names: _Names, decisions: bool) -> str:
    rows = frame.head(SHOWN_ROWS).to_dicts()
    names.load(rows)
    with_against = any(_against(r) for r in rows)
    headers = ["Change", "Confidence", "Evidence", *(["Against"] if with_against else [])]
    headers += ["Decision"] if decisions else []
    shown = []
    for row in rows:
        cells: list[Cell | str] = [
            Cell(names.change(row), hover=_hover(row)),
            _confidence(row["confidence"]),
            names.text(row.get("evidence") or row.get("reason")),
        ]
        if with_against:
            cells.append(", ".join(_against(row)))
        if decisions:
            cells.append(str(row.get("decision") or ""))
        shown.append(cells)
    return _table(headers, shown)


# ---------------------------------------------------------------------------------------------- displays
@renders(ActionTable)
def action_table_html(table: ActionTable) -> str:
    """An action table: what it proposes, in words, then the rows to look at first."""
    frame = table.frame
    snapshot = table.snapshot
    names = _Names(snapshot)
    if frame.height == 0:
        return _p("No proposed changes: the action table is empty.")
    recipes = _join(frame["recipe"].unique(maintain_order=True).to_list())
    parts = [
        _p(
            f"{_plural(frame.height, 'proposed change')} from {recipes}: "
            + "; ".join(_changes(frame, names))
            + "."
        )
    ]
    decided = frame.with_columns(decision=table.effective_decisions())
    counts = dict(decided.group_by("decision").len().rows())
    if counts.get(Decision.PENDING.value) == frame.height:
        state = "None is decided yet: every change waits for review."
    else:
        state = (
            _join(
                [
                    f"{counts[d.value]:,} {word}"
                    for d, word in (
                        (Decision.APPROVE, "approved"),
                        (Decision.REJECT, "rejected"),
                        (Decision.PENDING, "pending"),
                    )
                    if counts.get(d.value)
                ]
            )
            + "; only approved changes are ever applied."
        )
    against = table.contradicted().height
    if against:
        state += (
            " 1 change has evidence against it and waits for a person (approving in bulk leaves it)."
            if against == 1
            else f" {against:,} changes have evidence against them and wait for a person (approving in bulk "
            "leaves them)."
        )
    parts.append(_p(state))
    look = _needs_a_look(decided)
    ordered = _look_first(decided)
    if look.height:
        parts.append(
            _p(
                f"Needing a look: {look.height:,} with evidence against them, an unsure confidence or left "
                "pending" + (f"; the first {SHOWN_ROWS}:" if look.height > SHOWN_ROWS else ":")
            )
        )
        ordered = ordered.filter(pl.col("action_id").is_in(look["action_id"].implode()))
    else:
        parts.append(_p("Nothing needs a look in particular; the lowest confidence first:"))
    parts.append(_action_rows(ordered, names, decisions=True))
    if snapshot is None:
        parts.append(
            _code_hint(
                "Ids are shortened: for names, attach the snapshot with ", "table.with_names(snapshot)"
            )
        )
    parts.append(
        _code_hint(
            f"Every row ({frame.height:,}): ",
            "table.frame",
            "; to review in a spreadsheet: table.write('review.xlsx').",
        )
    )
    return "".join(parts)


@renders(Plan)
def plan_html(plan: Plan) -> str:
    """A plan: what applying it changes, how long it takes, and the approved rows worth a last look."""
    names = _Names(plan.snapshot)
    workspace = plan.snapshot.schema.workspace_name
    if len(plan) == 0:
        return _p(f"The plan changes nothing in {workspace}: no row of the action table is approved.")
    calls = dict(zip(plan.api_calls()["kind"], plan.api_calls()["requests"], strict=True))
    requests = _join(
        [
            _plural(int(calls[k]), w)
            for k, w in (("read", "read"), ("write", "write"), ("merge", "merge"))
            if calls[k]
        ]
    )
    parts = [
        _p(
            f"The plan applies {_plural(len(plan), 'approved change')} to {workspace}: "
            + "; ".join(_changes(plan.rows, names))
            + f". It takes {_duration(plan.estimated_seconds())} at the rate limits ({requests})."
        ),
    ]
    decisions = plan.actions.effective_decisions()
    left = [
        _plural(int((decisions == d.value).sum()), word)
        for d, word in ((Decision.PENDING, "pending row"), (Decision.REJECT, "rejected row"))
        if (decisions == d.value).any()
    ]
    state = "Nothing has been written yet: plan.apply(client) backs up every target first, then writes."
    if left:
        state += f" Not in the plan: {_join(left)} of the action table."
    parts.append(_p(state))
    look = _needs_a_look(plan.rows)
    if look.height:
        parts.append(
            _p(
                f"Approved with evidence against them or an unsure confidence, worth a last look: {look.height:,}"
                + (f"; the first {SHOWN_ROWS}:" if look.height > SHOWN_ROWS else ":")
            )
        )
        parts.append(_action_rows(_look_first(look), names, decisions=False))
    else:
        parts.append(
            _p("Every approved change is sure or likely, with no evidence against it. The first few:")
        )
        parts.append(_action_rows(_look_first(plan.rows), names, decisions=False))
    parts.append(_code_hint("Every row: ", "plan.rows", "."))
    parts.append(
        _code_hint(
            "The sign-off report for a reviewer: ",
            "write_report(plan.actions, plan.snapshot, 'report.html')",
            " (from cleanup.report).",
        )
    )
    return "".join(parts)


@renders(RunReport)
def run_report_html(report: RunReport) -> str:
    """A run's report: what was done and read back, and every action that needs a look."""
    rows, snapshot, meta = _run_context(report.folder)
    names = _Names(snapshot)
    frame = report.frame
    counts = report.counts()
    total = frame.height
    verified = int(frame["verified"].fill_null(False).sum())
    started = when(meta.get("started_at")) if meta.get("started_at") else ""
    where = f" on {snapshot.schema.workspace_name}" if snapshot is not None else ""
    head = f"Run {report.run_id}{where}" + (f", started {started}" if started else "")
    done = counts.get("done", 0)
    summary = f"{head}: {done:,} of {_plural(total, 'change')} done, {verified:,} read back and confirmed."
    others = [f"{counts[s]:,} {STATUS_WORDS[s]}" for s in STATUS_WORDS if s != "done" and counts.get(s)]
    if others:
        summary += f" Also {_join(others)}."
    parts = [_p(summary)]
    if counts.get("not_started") or counts.get("unsettled"):
        parts.append(_code_hint("To finish it: ", f"attio-cleanup resume {report.run_id}"))
    look = frame.filter((pl.col("status") != "done") | ~pl.col("verified").fill_null(False))
    if look.height:
        parts.append(
            _p(
                f"Needing a look: {look.height:,} not done or not confirmed"
                + (f"; the first {SHOWN_ROWS}:" if look.height > SHOWN_ROWS else ":")
            )
        )
        shown = look.head(SHOWN_ROWS)
    else:
        parts.append(_p("Nothing needs a look: every change was done and confirmed. The first few:"))
        shown = frame.head(min(SHOWN_ROWS, 5))
    by_id = {
        r["action_id"]: r
        for r in rows.filter(pl.col("action_id").is_in(shown["action_id"].implode())).to_dicts()
    }
    planned = [by_id.get(r["action_id"], r) for r in shown.to_dicts()]
    details = shown.to_dicts()
    names.load([{**p, "detail": d.get("detail")} for p, d in zip(planned, details, strict=True)])
    parts.append(
        _table(
            ["Change", "Status", "Confirmed", "Detail"],
            [
                [
                    Cell(names.change(p), hover=_hover(p)),
                    STATUS_WORDS.get(d["status"], d["status"]),
                    "yes" if d["verified"] else "no",
                    names.text(d.get("detail")),
                ]
                for p, d in zip(planned, details, strict=True)
            ],
        )
    )
    parts.append(
        _code_hint(
            f"Every action ({total:,}): ",
            "report.frame",
            f"; the backup and journal are in {report.folder}; undo with restore(report.run_id, client).",
        )
    )
    return "".join(parts)


def _run_context(folder: Path) -> tuple[pl.DataFrame, Snapshot | None, dict[str, Any]]:
    """A run folder's planned rows, the snapshot it was planned on (if it is still there), its meta."""
    plan_file = folder / "plan.parquet"
    empty = pl.DataFrame(schema={"action_id": pl.String})
    rows = pl.read_parquet(plan_file) if plan_file.exists() else empty
    meta_file = folder / "meta.json"
    meta: dict[str, Any] = orjson.loads(meta_file.read_bytes()) if meta_file.exists() else {}
    snapshot = None
    if meta.get("snapshot"):
        try:
            snapshot = Snapshot.load(meta["snapshot"])
        except SnapshotError:
            snapshot = None
    return rows, snapshot, meta


@renders(Snapshot)
def snapshot_html(snapshot: Snapshot) -> str:
    """A snapshot: the workspace, when it was exported, what it holds in words, and whether it is complete."""
    names = _Names(snapshot)
    manifest = snapshot.manifest
    exported = when(manifest.get("finished_at") or manifest.get("started_at"))
    rows = []
    words = []
    for part, n in snapshot.counts().items():
        what = _part_words(part, names)
        status = snapshot.parts[part].get("status")
        words.append(f"{n:,} {_part_words(part, names, n)}")
        rows.append(
            [Cell(what[:1].upper() + what[1:], hover=part), Cell(f"{n:,}", number=True), Cell(status or "")]
        )
    head = f"Snapshot of {snapshot.schema.workspace_name}" + (f", exported {exported}" if exported else "")
    held = f": {_join(words)}." if words else ": nothing exported yet."
    if snapshot.complete:
        state = "Complete."
    else:
        unfinished = [
            _part_words(p, names) for p, s in snapshot.parts.items() if s.get("status") != "complete"
        ]
        state = "Incomplete" + (f" ({_join(unfinished)} unfinished)" if unfinished else "")
        state += ": export again into the same folder to finish it."
    return (
        _p(head + held + " " + state)
        + _table(["What", "Rows", "Export"], rows)
        + _code_hint("In ", str(snapshot.path), "; read a part with snapshot.records('people') and the like.")
    )


def _part_words(part: str, names: _Names, n: int = 2) -> str:
    """What ``n`` rows of a part are: 'companies', 'entries in Deal pipeline', 'note'."""
    kind, _, slug = part.partition("/")
    if kind == "records":
        return names.noun(slug, plural=n != 1)
    if kind == "entries":
        return f"{'entry' if n == 1 else 'entries'} in {names.list_name(slug)}"
    word = part.replace("_", " ")
    return word.removesuffix("s") if n == 1 else word


@renders(RestorePlan)
def restore_plan_html(plan: RestorePlan) -> str:
    """A restore's dry run: per kind of action of the run, what is left to put back, in sentences."""
    lines = describe_outlook(plan.outlook())
    where = (
        f"Restore run {plan.resume.name} was interrupted: applying goes on with it."
        if plan.resume is not None
        else f"Applying it sends {_plural(len(plan), 'action')} as a run of its own, backed up first."
    )
    return "".join(_p(line) for line in [f"Restore of run {plan.run_id}.", *lines, where])


@renders(RestoreReport)
def restore_report_html(report: RestoreReport) -> str:
    """What a restore did, in sentences, then the restore run's own report (when it sent anything)."""
    lines = describe_result(report.frame, report.run_id, report.run.run_id if report.run else None)
    page = "".join(_p(line) for line in lines)
    return page + (run_report_html(report.run) if report.run is not None else "")

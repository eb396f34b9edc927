"""What a sign-off report shows, computed from an action table and the snapshot it was detected on (and,
after a run, its results): the first screen in plain words, the requests and time at the rate limits, the
chart series, the items that need a closer look, and per recipe the findings as cards (see
:mod:`.findings`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import polars as pl

from ..actions import Action, ActionTable
from ..actions.costs import Rates, request_costs
from ..export.snapshot import Snapshot
from ..labels import CONFIDENCE_WORDS, Namer, confidence_text, day, duration, when
from .accounting import AccountingView, accounting_view
from .charts import Timeline
from .findings import NOTE_ACTIONS, UNSURE, Section, recipe_section
from .values import record_values
from .words import SAFETY, changes

JSON = dict[str, Any]
CLOSER_LOOK_SHOWN = 200  # items listed in "needs a closer look" (the count says how many in all)
RECIPE_TITLES = {
    "duplicate_notes": "Duplicate notes",
    "duplicate_companies": "Duplicate companies",
    "duplicate_people": "Duplicate people",
    "duplicate_entries": "Records entered twice in a list",
    "orphan_entries": "List entries whose record is gone",
}
RUN_COLUMNS = {"status": pl.String, "detail": pl.String, "verified": pl.Boolean}

__all__ = ["ReportData", "RunResults", "build_report_data", "record_values"]


class RunResults(Protocol):
    """What a report reads of a run (:class:`cleanup.execute.RunReport` is one): per action its ``status``,
    ``detail`` and ``verified`` in ``frame``, and what the run folder says. The report sits beside the
    executor, not above it: it names what it reads rather than importing the run."""

    @property
    def run_id(self) -> str: ...

    @property
    def folder(self) -> Path: ...

    @property
    def frame(self) -> pl.DataFrame: ...

    @property
    def finished_at(self) -> datetime | None: ...

    @property
    def seconds(self) -> float | None: ...

    def counts(self) -> dict[str, int]: ...

    def restores(self) -> pl.DataFrame: ...

    def accounting(self) -> pl.DataFrame | None: ...

    def items(self) -> pl.DataFrame | None: ...


@dataclass
class ReportData:
    """Everything the HTML and XLSX reports show."""

    title: str
    workspace: str
    snapshot: str
    totals: dict[str, int]
    by_recipe: list[tuple[str, str, str, int, int]]  # recipe, action, object or list, rows, approved
    calls: list[
        tuple[str, int, float, int, float]
    ]  # kind, requests (all), seconds, requests (approved), seconds
    confidence: list[tuple[str, int]]  # sure / likely / unsure: rows
    snapshot_at: str = ""  # when the data was read from Attio ('29 Nov 2026 13:25 UTC')
    snapshot_age: str = ""  # how long before the report ('2 h')
    written_at: str = ""
    will: list[str] = field(default_factory=list)  # what approving does, one sentence per kind
    waiting: list[str] = field(default_factory=list)  # what is not included until someone decides
    rejected: list[str] = field(default_factory=list)
    approved_floor: float | None = None  # the lowest confidence among the approved rows
    approved_seconds: float = 0.0
    safety: tuple[str, ...] = SAFETY
    closer: list[JSON] = field(default_factory=list)  # the items to look at first (CLOSER_LOOK_SHOWN)
    closer_total: int = 0
    sections: dict[str, Section] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)  # recipe → its title in words
    kinds: list[tuple[str, int]] = field(default_factory=list)  # what will change, in words: rows
    timeline: Timeline | None = None
    timeline_sentence: str = ""
    decisions: dict[str, dict[str, int]] = field(default_factory=dict)  # recipe → decision → rows
    accounting: AccountingView | None = None  # an import's: where every item of its files went

    @property
    def recipes(self) -> dict[str, JSON]:
        """Per recipe the cards' data, as the page's script reads it."""
        return {recipe: section.to_json() for recipe, section in self.sections.items()}

    @property
    def approved_time(self) -> str:
        return duration(self.approved_seconds)


def with_run(frame: pl.DataFrame, run: RunResults | None) -> pl.DataFrame:
    """The rows with the run's ``status``, ``detail`` and ``verified`` per action (null before a run; a row
    the run did not include is ``not in the run``)."""
    if run is None:
        return frame.with_columns(pl.lit(None, dtype=t).alias(c) for c, t in RUN_COLUMNS.items())
    results = run.frame.select("action_id", *RUN_COLUMNS).unique("action_id", keep="last")
    return frame.join(results, on="action_id", how="left").with_columns(
        pl.col("status").fill_null("not in the run")
    )


def build_report_data(
    table: ActionTable,
    snapshot: Snapshot,
    *,
    title: str = "Cleanup sign-off",
    rates: Rates | None = None,
    token_labels: Mapping[str, str] | None = None,
    run: RunResults | None = None,
    accounting: pl.DataFrame | None = None,
    items: pl.DataFrame | None = None,
) -> ReportData:
    """The report's content for ``table`` (all rows, whatever their decision); an import's ``accounting``
    and ``items`` (from its result, else from the run's folder) say where every item of its files went."""
    rates = rates or Rates()
    namer = Namer(snapshot, token_labels)
    frame = with_run(table.frame.with_columns(decision=table.effective_decisions()), run)
    approved = frame.filter(pl.col("decision") == "approve")
    where = pl.coalesce("list", "object").fill_null("")
    by_recipe = (
        frame.with_columns(where=where)
        .group_by("recipe", "action", "where")
        .agg(rows=pl.len(), approved=(pl.col("decision") == "approve").sum())
        .sort("recipe", "action", "where")
    )
    all_calls, ok_calls = request_costs(frame, rates), request_costs(approved, rates)
    data = ReportData(
        title=title,
        workspace=snapshot.schema.workspace_name,
        snapshot=str(snapshot.path),
        totals={
            "actions": frame.height,
            "approved": approved.height,
            "pending": frame.filter(pl.col("decision") == "pending").height,
            "rejected": frame.filter(pl.col("decision") == "reject").height,
            "recipes": frame["recipe"].n_unique(),
        },
        by_recipe=[tuple(r) for r in by_recipe.rows()],
        calls=[(k, all_calls[k][0], all_calls[k][1], ok_calls[k][0], ok_calls[k][1]) for k in all_calls],
        confidence=_bands(frame),
        approved_seconds=max((s for _, s in ok_calls.values()), default=0.0),
        approved_floor=approved["confidence"].min() if approved.height else None,  # type: ignore[arg-type]
    )
    if accounting is None and run is not None:
        accounting, items = run.accounting(), run.items()
    if accounting is not None and accounting.height:
        data.accounting = accounting_view(accounting, items, ran=run is not None)
    _dates(data, snapshot)
    for (recipe,), rows in frame.group_by("recipe", maintain_order=True):
        data.sections[str(recipe)] = recipe_section(str(recipe), rows, snapshot, namer)
        data.titles[str(recipe)] = RECIPE_TITLES.get(str(recipe), str(recipe).replace("_", " ").capitalize())
        data.decisions[str(recipe)] = dict(rows.group_by("decision").len().rows())
    data.will = changes(approved, data.sections, namer)
    data.waiting = changes(frame.filter(pl.col("decision") == "pending"), data.sections, namer)
    data.rejected = changes(frame.filter(pl.col("decision") == "reject"), data.sections, namer)
    data.kinds = _kinds(frame, namer)
    _closer_look(data)
    _timeline(data, frame, snapshot, namer)
    return data


def _bands(frame: pl.DataFrame) -> list[tuple[str, int]]:
    confidence = pl.col("confidence")
    out = []
    upper: float | None = None
    for low, word in CONFIDENCE_WORDS:
        chosen = confidence >= low if upper is None else (confidence >= low) & (confidence < upper)
        label = f"{word} ({low:.2f} or more)" if upper is None else f"{word} ({low:.2f} to {upper:.2f})"
        if low == 0:
            label = f"{word} (below {upper:.2f})"
        out.append((label, frame.filter(chosen).height))
        upper = low
    return out


def _kinds(frame: pl.DataFrame, namer: Namer) -> list[tuple[str, int]]:
    """Rows by what they do, in words ('merge duplicate companies': 40)."""
    words: dict[str, Callable[[str, str], str]] = {
        Action.DELETE_NOTE.value: lambda o, _: "delete copies of notes",
        Action.RECREATE_NOTE.value: lambda o, _: "give notes back their date",
        Action.UPDATE_NOTE.value: lambda o, _: "correct notes in place",
        Action.MERGE_RECORDS.value: lambda o, _: f"merge duplicate {namer.noun(o, plural=True)}",
        Action.DELETE_ENTRY.value: lambda o, lst: f"remove entries from {namer.list_name(lst)}",
        Action.UPDATE_ENTRY.value: lambda o, lst: f"copy values onto entries in {namer.list_name(lst)}",
    }
    out: dict[str, int] = {}
    for action, object_slug, list_slug, n in (
        frame.group_by("action", "object", "list").len().sort("len", descending=True).rows()
    ):
        make = words.get(action)
        label = make(object_slug or "", list_slug or "") if make else action.replace("_", " ")
        out[label] = out.get(label, 0) + n
    return sorted(out.items(), key=lambda kv: -kv[1])


def _dates(data: ReportData, snapshot: Snapshot) -> None:
    manifest = snapshot.manifest
    read = manifest.get("finished_at") or manifest.get("started_at")
    now = datetime.now(UTC)
    data.written_at = when(now)
    if read:
        moment = datetime.fromisoformat(read)
        data.snapshot_at = when(moment)
        data.snapshot_age = duration((now - moment).total_seconds()) if now > moment else ""


def _closer_look(data: ReportData) -> None:
    """The units a person should look at first: evidence against them, then the least sure, then values
    that would be lost or decisions that belong together."""
    found = []
    for recipe, section in data.sections.items():
        for unit in section.units:
            conf = unit.get("conf")
            if not unit["flags"] and (conf is None or conf >= UNSURE):
                continue
            against = any(o.get("against") for o in unit.get("others", []))
            found.append(
                {
                    "k": unit["k"],
                    "recipe": recipe,
                    "title": data.titles.get(recipe, recipe),
                    "label": unit["label"],
                    "why": list(unit["flags"]) or [f"{confidence_text(conf)}"],
                    "conf": conf,
                    "conf_text": confidence_text(conf),
                    "against": against,
                    "dec": unit["dec"],
                }
            )
    found.sort(key=lambda u: (not u["against"], u["conf"] if u["conf"] is not None else 1.0, u["label"]))
    data.closer_total = len(found)
    data.closer = found[:CLOSER_LOOK_SHOWN]


def _timeline(data: ReportData, frame: pl.DataFrame, snapshot: Snapshot, namer: Namer) -> None:
    """Notes by month: the originals kept against the copies, by who wrote the copies."""
    rows = frame.filter(pl.col("action").is_in(NOTE_ACTIONS))
    if rows.is_empty() or "notes" not in snapshot.parts:
        return
    originals = rows.filter(pl.col("cluster_id") != pl.col("target_id"))["cluster_id"].unique()
    notes = (
        snapshot.notes()
        .filter(pl.col("note_id").is_in(pl.concat([rows["target_id"], originals]).implode()))
        .select(
            "note_id",
            pl.col("created_at").dt.strftime("%Y-%m").alias("month"),
            "created_at",
            pl.col("created_by_actor_id").alias("by"),
            pl.col("note_id").is_in(originals.implode()).alias("original"),
        )
        .collect()
    )
    if notes.is_empty():
        return
    first, last = notes["month"].min(), notes["month"].max()
    months = _month_range(str(first), str(last))
    kept = dict(notes.filter(pl.col("original")).group_by("month").len().rows())
    copies = notes.filter(~pl.col("original"))
    writers = namer.actors(copies["by"].unique().sort().to_list())
    series: dict[str, list[int]] = {}
    for (by,), group in copies.group_by("by", maintain_order=True):
        counts = dict(group.group_by("month").len().rows())
        name = writers.get(str(by), "unknown")
        series[name] = [counts.get(m, 0) for m in months]
    data.timeline = Timeline(months, [kept.get(m, 0) for m in months], series)
    parts = []
    for (by,), group in copies.group_by("by", maintain_order=True):
        low, high = day(group["created_at"].min()), day(group["created_at"].max())  # type: ignore[arg-type]
        span = f"on {low}" if low == high else f"between {low} and {high}"
        parts.append(f"{group.height:,} by {writers.get(str(by), 'unknown')} {span}")
    old = notes.filter(pl.col("original"))
    origin = ""
    if old.height:
        origin = f"; the {old.height:,} originals they copy were written from {_month_words(str(old['month'].min()))} to {_month_words(str(old['month'].max()))}"
    data.timeline_sentence = (
        f"The notes to delete or re-date were written in a wave: {', '.join(parts)}{origin}."
    )


def _month_range(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return out


def _month_words(month: str) -> str:
    return datetime.strptime(month, "%Y-%m").strftime("%b %Y")

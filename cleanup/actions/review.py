"""What the review workbook shows a person beside the action table: each row's record by name, the kept
record, one sentence of what happens, the confidence in words; and per merge cluster the records a
reviewer may keep, labelled by name (with a short id only where two records share a name).

These columns are derived: written for the reader, ignored when the workbook is read back. Without a
:class:`cleanup.labels.Namer` (no snapshot at hand) records show their ids.

>>> shown = derive(table.frame, Namer(snapshot))  # doctest: +SKIP
>>> shown.rows["what happens"][0]  # doctest: +SKIP
'Acme GmbH (…7aef7) is merged into Acme GmbH (…0b731) and deleted; its notes, list entries, tasks and …'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson
import polars as pl

from .schema import Action
from .schema_rows import describe

if TYPE_CHECKING:
    from ..labels import Namer

RECORD = "record"
KEPT = "kept record"
WHAT = "what happens"
CONFIDENCE = "confidence in words"
DERIVED = (RECORD, KEPT, WHAT, CONFIDENCE)
RECORD_ACTIONS = (Action.MERGE_RECORDS, Action.DELETE_RECORD, Action.UPDATE_RECORD)
NOTE_ACTIONS = (Action.DELETE_NOTE, Action.RECREATE_NOTE)
ENTRY_ACTIONS = (Action.DELETE_ENTRY, Action.UPDATE_ENTRY)


@dataclass
class Derived:
    """The reader's columns of a table (``rows``, in table order), the records each merge cluster may keep
    (``choices``: cluster_id, label, record_id), and per object the titles of the attributes a reviewer
    may take from a merged record (``takeable``)."""

    rows: pl.DataFrame
    choices: pl.DataFrame
    takeable: dict[str, list[str]] = field(default_factory=dict)

    def label(self, cluster_id: str | None, record_id: str | None) -> str | None:
        """A cluster's record as the drop-down names it."""
        if record_id is None:
            return None
        return self._labels.get((cluster_id, record_id), record_id)

    def __post_init__(self) -> None:
        self._labels: dict[tuple[str | None, str], str] = {
            (c, r): label for c, label, r in self.choices.iter_rows()
        }


def derive(frame: pl.DataFrame, namer: Namer | None = None) -> Derived:
    """The derived columns of ``frame`` (an action table's frame) for the workbook."""
    names = _names(frame, namer)
    merges = frame.with_columns(name=pl.Series(names, dtype=pl.String)).filter(
        pl.col("action") == Action.MERGE_RECORDS.value
    )
    choices = _choices(merges, namer)
    labels = {(c, r): label for c, label, r in choices.iter_rows()}
    clusters = frame["cluster_id"].to_list()
    record = [
        labels.get((c, t), n) if a == Action.MERGE_RECORDS.value else n
        for a, c, t, n in zip(frame["action"], clusters, frame["target_id"], names, strict=True)
    ]
    kept = [
        labels.get((c, s), s) if s is not None else None
        for c, s in zip(clusters, frame["survivor_id"], strict=True)
    ]
    what = [
        _what_happens(a, r, k, p, o, lst, namer)
        for a, r, k, p, o, lst in zip(
            frame["action"], record, kept, frame["payload"], frame["object"], frame["list"], strict=True
        )
    ]
    from ..labels import confidence_text

    words = [confidence_text(c) for c in frame["confidence"].to_list()]
    rows = pl.DataFrame(
        {RECORD: record, KEPT: kept, WHAT: what, CONFIDENCE: words},
        schema=dict.fromkeys(DERIVED, pl.String),
    )
    objects = merges["object"].drop_nulls().unique().to_list()
    return Derived(rows, choices, {o: takeable_titles(namer, o) for o in objects} if namer else {})


def takeable_titles(namer: Namer, object_slug: str) -> list[str]:
    """Titles of the object's attributes whose single value a reviewer may take from a merged record."""
    info = namer.snapshot.schema.objects.get(object_slug)
    if info is None:
        return []
    return [a.title for a in info.attributes if takeable(a.type, a.is_writable, a.is_multiselect)]


def takeable(kind: str, writable: bool, multiselect: bool) -> bool:
    """Single-valued and writable (Attio computes interactions itself)."""
    return writable and not multiselect and kind != "interaction"


# ---------------------------------------------------------------------------------------------- names
def _names(frame: pl.DataFrame, namer: Namer | None) -> list[str | None]:
    """Each row's thing by name: a record's name, a note's title and parent, an entry's parent and list."""
    out: list[str | None] = list(frame["target_id"].to_list())
    if namer is None or frame.height == 0:
        return out
    indexed = frame.with_row_index("_i")
    for (object_slug,), part in indexed.filter(
        pl.col("action").is_in([a.value for a in RECORD_ACTIONS])
    ).group_by("object"):
        if object_slug is None:
            continue
        found = namer.records(str(object_slug), part["target_id"].drop_nulls().to_list())
        for i, target in part.select("_i", "target_id").iter_rows():
            out[i] = found.get(target, target)
    _note_names(indexed, namer, out)
    _entry_names(indexed, namer, out)
    for i, action, object_slug, list_slug, payload in indexed.select(
        "_i", "action", "object", "list", "payload"
    ).iter_rows():
        if out[i] is None:
            out[i] = _new_thing(action, object_slug, list_slug, payload, namer)
    return out


def _note_names(indexed: pl.DataFrame, namer: Namer, out: list[str | None]) -> None:
    notes = indexed.filter(pl.col("action").is_in([a.value for a in NOTE_ACTIONS]))
    if notes.height == 0 or "notes" not in namer.snapshot.parts:
        return
    found = (
        namer.snapshot.notes()
        .filter(pl.col("note_id").is_in(notes["target_id"].drop_nulls().to_list()))
        .select("note_id", "title", "parent_object", "parent_record_id")
        .collect()
    )
    parents = namer.note_parents(found)
    by_id = {
        note_id: _note_label(title, parent)
        for (note_id, title), parent in zip(
            found.select("note_id", "title").iter_rows(), parents, strict=True
        )
    }
    for i, target in notes.select("_i", "target_id").iter_rows():
        out[i] = by_id.get(target, target)


def _note_label(title: str | None, parent: str) -> str:
    shown = f"“{title}”" if title else "untitled note"
    return f"{shown} on {parent}" if parent else shown


def _entry_names(indexed: pl.DataFrame, namer: Namer, out: list[str | None]) -> None:
    entries = indexed.filter(pl.col("action").is_in([a.value for a in ENTRY_ACTIONS]))
    for (list_slug,), part in entries.group_by("list"):
        info = namer.snapshot.schema.lists.get(str(list_slug))
        if info is None or f"entries/{list_slug}" not in namer.snapshot.parts:
            continue
        found = dict(
            namer.snapshot.entries(str(list_slug))
            .filter(pl.col("_id").is_in(part["target_id"].drop_nulls().to_list()))
            .select("_id", "_parent_record_id")
            .collect()
            .rows()
        )
        parents = namer.records(info.parent_object, [p for p in found.values() if p])
        for i, target in part.select("_i", "target_id").iter_rows():
            parent = parents.get(found.get(target) or "")
            if parent:
                out[i] = f"{parent} in {info.name}"


def _new_thing(
    action: str, object_slug: str | None, list_slug: str | None, payload: str | None, namer: Namer
) -> str | None:
    """What a create makes, as far as its payload names it ('new note on Acme GmbH', 'new company')."""
    body: dict[str, Any] = orjson.loads(payload) if payload else {}
    parent = body.get("parent_record_id")
    if action == Action.CREATE_NOTE.value:
        on = namer.record(body.get("parent_object") or object_slug or "", parent) if parent else ""
        return _note_label(body.get("title"), on)
    if action == Action.CREATE_ENTRY.value and list_slug:
        who = namer.record(object_slug or "", parent) if parent and object_slug else "a record"
        return f"{who} in {namer.list_name(list_slug)}"
    if object_slug:
        return f"new {namer.noun(object_slug)}"
    return None


def _choices(merges: pl.DataFrame, namer: Namer | None) -> pl.DataFrame:
    """Per merge cluster, its records (the proposed survivor first) with a label each: the name, and a
    short id where two records of the cluster share a name."""
    from ..labels import SHORT_ID

    members = pl.concat(
        [
            merges.select(
                "cluster_id", "object", pl.col("survivor_id").alias("record_id"), pl.lit(0).alias("o")
            ),
            merges.select(
                "cluster_id", "object", pl.col("target_id").alias("record_id"), pl.lit(1).alias("o")
            ),
        ]
    ).unique(["cluster_id", "record_id"], keep="first", maintain_order=True)
    names: dict[str, str] = {}
    if namer is not None:
        for (object_slug,), part in members.group_by("object"):
            names.update(namer.records(str(object_slug), part["record_id"].drop_nulls().to_list()))
    name = pl.col("record_id").replace_strict(names, default=pl.col("record_id"), return_dtype=pl.String)
    short = pl.lit("…") + pl.col("record_id").str.slice(-SHORT_ID)
    labelled = members.with_columns(name=name).with_columns(
        label=pl.when(pl.col("name") == pl.col("record_id"))
        .then(pl.col("record_id"))
        .when(pl.col("name").is_duplicated().over("cluster_id"))
        .then(pl.col("name") + " (" + short + ")")
        .otherwise(pl.col("name"))
    )
    labelled = labelled.with_columns(  # two records of one name and one id ending: the whole id
        label=pl.when(pl.col("label").is_duplicated().over("cluster_id"))
        .then(pl.col("name") + " (" + pl.col("record_id") + ")")
        .otherwise(pl.col("label"))
    )
    return labelled.sort("cluster_id", "o", maintain_order=True).select("cluster_id", "label", "record_id")


# ---------------------------------------------------------------------------------------------- sentences
ACTION_WORDS = {
    Action.MERGE_RECORDS: "merges of duplicate records",
    Action.DELETE_RECORD: "records to delete",
    Action.UPDATE_RECORD: "records to update",
    Action.CREATE_RECORD: "records to create",
    Action.ASSERT_RECORD: "records to create or update",
    Action.DELETE_NOTE: "notes to delete",
    Action.RECREATE_NOTE: "notes to create anew",
    Action.CREATE_NOTE: "notes to add",
    Action.UPDATE_NOTE: "notes to correct in place",
    Action.DELETE_ENTRY: "list entries to remove",
    Action.CREATE_ENTRY: "list entries to add",
    Action.UPDATE_ENTRY: "list entries to update",
    Action.UPDATE_TASK: "tasks to link to records again",
    Action.WRITE_HISTORY: "value histories to write back",
    Action.CREATE_LIST: "lists to make",
    Action.CREATE_ATTRIBUTE: "attributes to add",
    Action.CREATE_OPTION: "choices to add to select or status attributes",
}


def sheet_sentence(part: pl.DataFrame) -> str:
    """What a sheet of actions holds, in a sentence: '120 rows: 118 merges of duplicate records, 2 …'."""
    counts = part.group_by("action", maintain_order=True).len().rows()
    listed = ", ".join(f"{n:,} {ACTION_WORDS[Action(a)]}" for a, n in counts)
    return f"{part.height:,} rows" + (f": {listed}." if listed else ".")


def _what_happens(
    action: str,
    record: str | None,
    kept: str | None,
    payload: str | None,
    object_slug: str | None,
    list_slug: str | None,
    namer: Namer | None,
) -> str:
    """One sentence of what the executor does with the row, in the reader's words."""
    thing = record or (f"new {object_slug} record" if object_slug else "it")
    body: dict[str, Any] = {}
    if payload:
        body = orjson.loads(payload)
    titles = _titles(body, object_slug, list_slug, namer)
    match Action(action):
        case Action.MERGE_RECORDS:
            return (
                f"{thing} is merged into {kept} and then deleted; its notes, list entries, tasks and the "
                f"values {kept} lacks move to {kept}."
            )
        case Action.DELETE_RECORD:
            return f"{thing} is deleted (a backup is kept and the run can be undone)."
        case Action.UPDATE_RECORD | Action.UPDATE_ENTRY:
            return f"{thing} gets new values for {titles}." if titles else f"{thing} gets new values."
        case Action.CREATE_RECORD:
            return f"A {thing} is created" + (f" with {titles}." if titles else ".")
        case Action.ASSERT_RECORD:
            return f"A {thing} is created, or updated if one with the same key exists" + (
                f" ({titles})." if titles else "."
            )
        case Action.DELETE_NOTE:
            return f"The note {thing} is deleted."
        case Action.RECREATE_NOTE:
            return f"The note {thing} is created anew (with its original date) and the old one deleted."
        case Action.CREATE_NOTE:
            return f"The note {thing} is added."
        case Action.UPDATE_NOTE:
            changed = " and ".join(k for k in ("title", "content") if k in body) or "text"
            return f"The note {thing} gets a new {changed}; it keeps its id, record, date and author."
        case Action.DELETE_ENTRY:
            return f"The entry {thing} is removed from its list; the record itself stays."
        case Action.CREATE_ENTRY:
            return f"{thing} is added to the list."
        case Action.UPDATE_TASK:
            return "The task is linked to its records again."
        case Action.WRITE_HISTORY:
            slug = str(body.get("attribute", ""))
            parent = list_slug or object_slug
            title = namer.attribute(parent, slug) if namer is not None and parent else slug
            n = len(body.get("values") or [])
            return f"{thing} gets back the history of {title} ({n} value{'s' if n != 1 else ''}, with their dates)."
        case Action.CREATE_LIST | Action.CREATE_ATTRIBUTE | Action.CREATE_OPTION:
            schema = namer.snapshot.schema if namer is not None else None
            said = describe(
                {"action": action, "object": object_slug, "list": list_slug, "payload": body}, schema
            )
            return said[0].upper() + said[1:] + ", before any record is written."


def _titles(body: dict[str, Any], object_slug: str | None, list_slug: str | None, namer: Namer | None) -> str:
    """The attribute titles a payload writes: 'Job title, Phone numbers'."""
    values = body.get("values") or body.get("entry_values")
    if not isinstance(values, dict) or not values:
        return ""
    parent = list_slug if "entry_values" in body else object_slug
    if namer is None or parent is None:
        return ", ".join(values)
    return ", ".join(namer.attribute(parent, slug) for slug in values)

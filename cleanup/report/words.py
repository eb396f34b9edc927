"""The report's first screen in plain words: what approving does, what waits for a decision, how old the
data is, how long the run takes, and what the backup can and cannot put back.

>>> changes(approved_rows, sections, namer)  # doctest: +SKIP
['delete 2,850 notes that are exact copies of another note on the same record (the original stays)', ...]
"""

from __future__ import annotations

from collections.abc import Mapping

import orjson
import polars as pl

from ..actions import Action
from ..labels import Namer, plural
from .findings import HANG_KINDS, Section

HANG_WORDS = {
    "notes": "note",
    "entries": "list entry",
    "tasks": "task",
    "refs": "reference from other records",
}
HANG_PLURALS = {"entries": "list entries", "refs": "references from other records"}

SAFETY = (
    "Before its first change the run backs up everything it will touch (each note, list entry and record, and "
    "what hangs on a record it merges) to a folder on this computer that only you can read. If the backup "
    "cannot be written and read back, nothing is changed.",
    "Each change is checked against Attio first: anything edited there since this data was read is skipped, "
    "not overwritten.",
    "Attio itself cannot undo a delete or a merge. The backup is the way back: `attio-cleanup restore` puts "
    "back deleted notes and list entries and un-merges records.",
    "A restore cannot put everything back exactly: a restored note or record gets a new id (links to the old "
    "one, e.g. bookmarks, stop working), a restored note shows the API token that restored it as its author, "
    "and a merged-away record comes back as a new record.",
)


def _hang_text(counts: Mapping[str, int]) -> str:
    parts = [plural(counts[k], HANG_WORDS[k], HANG_PLURALS.get(k)) for k in HANG_KINDS if counts.get(k)]
    if not parts:
        return ""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def changes(rows: pl.DataFrame, sections: Mapping[str, Section], namer: Namer) -> list[str]:
    """One sentence per kind of change ``rows`` make (rows: action table rows, any decisions)."""
    out: list[str] = []
    actions = set(rows["action"].to_list())
    if Action.DELETE_NOTE.value in actions:
        copies = rows.filter(pl.col("action") == Action.DELETE_NOTE.value)
        parents = _parents_text(copies, sections, namer)
        out.append(
            f"delete {plural(copies.height, 'note')} that {'is an exact copy' if copies.height == 1 else 'are exact copies'} "
            f"of another note on the same record (the original stays){parents}"
        )
    if Action.RECREATE_NOTE.value in actions:
        n = rows.filter(pl.col("action") == Action.RECREATE_NOTE.value).height
        out.append(
            f"give {plural(n, 'note')} back {'its' if n == 1 else 'their'} original date: each is written again "
            "with the date it was first written (it gets a new id and the cleanup's API token as its author), "
            "and the wrongly dated one is deleted"
        )
    for (object_slug,), group in rows.filter(pl.col("action") == Action.MERGE_RECORDS.value).group_by(
        "object", maintain_order=True
    ):
        noun = namer.noun(str(object_slug))
        many = namer.noun(str(object_slug), plural=True)
        kept = group["survivor_id"].n_unique()
        moves = _moves(group, sections)
        moved = _hang_text(moves)
        if kept == group.height:
            text = f"merge {plural(group.height, 'pair', 'pairs')} of duplicate {many}"
        else:
            text = (
                f"merge {plural(group.height, 'duplicate ' + noun, 'duplicate ' + many)} into "
                f"{plural(kept, 'kept ' + noun, 'kept ' + many)}"
            )
        out.append(text + (f" ({moved} move to the kept {noun})" if moved else ""))
    entries = rows.filter(pl.col("action") == Action.DELETE_ENTRY.value)
    for (list_slug,), group in entries.group_by("list", maintain_order=True):
        name = namer.list_name(str(list_slug))
        orphans = group.filter(pl.col("cluster_id") == pl.col("target_id"))
        duplicates = group.height - orphans.height
        parent = (
            namer.noun(namer.snapshot.schema.lists[str(list_slug)].parent_object)
            if str(list_slug) in namer.snapshot.schema.lists
            else "record"
        )
        if duplicates:
            out.append(
                f"remove {plural(duplicates, 'duplicate entry', 'duplicate entries')} from {name} (the oldest "
                f"entry of each {parent} stays)"
            )
        if orphans.height:
            out.append(
                f"remove {plural(orphans.height, 'entry', 'entries')} from {name} whose {parent} no longer exists"
            )
    updates = rows.filter(pl.col("action") == Action.UPDATE_ENTRY.value)
    for (list_slug,), group in updates.group_by("list", maintain_order=True):
        name = namer.list_name(str(list_slug))
        slugs = (
            sorted(
                {
                    k
                    for keys in group["payload"].str.json_decode(infer_schema_length=None).to_list()
                    for k in (keys or {})
                }
            )
            if group["payload"].drop_nulls().len()
            else []
        )
        titles = ", ".join(namer.attribute(str(list_slug), s) for s in slugs)
        out.append(
            f"copy values onto {plural(group.height, 'kept entry', 'kept entries')} in {name} from the duplicates "
            f"removed{f' ({titles})' if titles else ''}"
        )
    done = {
        *(a.value for a in (Action.DELETE_NOTE, Action.RECREATE_NOTE, Action.MERGE_RECORDS)),
        *(a.value for a in (Action.DELETE_ENTRY, Action.UPDATE_ENTRY)),
    }
    for (action, where), group in (
        rows.filter(~pl.col("action").is_in(list(done)))
        .with_columns(where=pl.coalesce("list", "object"))
        .group_by("action", "where", maintain_order=True)
    ):
        out.append(_other(str(action), str(where) if where else "", group, namer))
    return out


def _other(action: str, where: str, group: pl.DataFrame, namer: Namer) -> str:
    """What the rows of one action on one object or list do, in a sentence."""
    schema = namer.snapshot.schema
    n = group.height
    in_list = where in schema.lists
    if in_list:
        thing = f"{plural(n, 'entry', 'entries')} in {namer.list_name(where)}"
    else:
        thing = plural(n, namer.noun(where), namer.noun(where, plural=True)) if where else plural(n, "item")
    place = (namer.list_name(where) if in_list else namer.noun(where, plural=True)) if where else ""
    if action in (Action.CREATE_LIST.value, Action.CREATE_ATTRIBUTE.value, Action.CREATE_OPTION.value):
        return _schema_sentence(action, place, group)
    verbs = {
        Action.CREATE_NOTE.value: f"add {plural(n, 'note')}" + (f" to {place}" if place else ""),
        Action.DELETE_RECORD.value: f"delete {thing} (with their notes and list entries)",
        Action.CREATE_RECORD.value: f"create {thing}",
        Action.ASSERT_RECORD.value: f"create or update {thing}",
        Action.UPDATE_RECORD.value: f"change values of {thing}",
        Action.CREATE_ENTRY.value: f"add {thing}",
    }
    return verbs.get(action, f"{action.replace('_', ' ')}: {thing}")


def _schema_sentence(action: str, place: str, group: pl.DataFrame) -> str:
    """'make the list “Watchlist”', 'add the attributes “Affinity ID” and “Round” to companies', 'add the
    choices “Seed” and “Series A” to attributes of Watchlist' — named, as many as fit a sentence."""
    payloads = [orjson.loads(p) if p else {} for p in group["payload"].to_list()]
    key = "name" if action == Action.CREATE_LIST.value else "title"
    names = [f"“{p.get(key)}”" for p in payloads if p.get(key)]
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5:,} more" if len(names) > 5 else "")
    n = group.height
    if action == Action.CREATE_LIST.value:
        return f"make the {'list' if n == 1 else 'lists'} {shown}"
    if action == Action.CREATE_ATTRIBUTE.value:
        return f"add the {'attribute' if n == 1 else 'attributes'} {shown} to {place}"
    return f"add the {'choice' if n == 1 else 'choices'} {shown} to attributes of {place}"


def _parents_text(copies: pl.DataFrame, sections: Mapping[str, Section], namer: Namer) -> str:
    """' on 210 companies and 150 people', from the note cards (grouped by parent record)."""
    wanted = set(copies["action_id"].to_list())
    by_noun: dict[str, int] = {}
    for section in sections.values():
        if section.kind != "notes":
            continue
        for unit in section.units:
            if any(item["a"] in wanted for item in unit["items"]):
                by_noun[unit["obj"]] = by_noun.get(unit["obj"], 0) + 1
    if not by_noun:
        return ""
    parts = [f"{n:,} {namer.noun(obj, plural=n != 1)}" for obj, n in by_noun.items()]
    return ", on " + (parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1])


def _moves(rows: pl.DataFrame, sections: Mapping[str, Section]) -> dict[str, int]:
    wanted = set(rows["target_id"].to_list())
    totals = dict.fromkeys(HANG_KINDS, 0)
    for section in sections.values():
        if section.kind != "merges":
            continue
        for record_id in wanted & section.values.keys():
            for kind, n in section.values[record_id].get("_hang", {}).items():
                totals[kind] += n
    return totals

"""The rows that put back what a run did, built from its backup and journal without asking Attio.

Per action the run finished, the rows a restore applies (through :class:`~cleanup.execute.run.Run`, like any
plan):

* ``delete_note`` / ``recreate_note``: ``create_note`` with the note's title, markdown content and original
  ``created_at`` (and ``delete_note`` of the replacement the run made).
* ``delete_entry``: ``create_entry`` with its entry values.
* ``update_record`` / ``update_entry`` / an ``assert_record`` that updated: the same update, overwriting the
  attributes it wrote with their backed-up values; ``create_*`` and an ``assert_record`` that created:
  ``delete_*`` of what was made.
* ``delete_record``: ``create_record`` from its backup, then its notes and list entries created on the new
  record, its tasks linked to it again (``update_task``) and the references other records held to it
  written again (``update_record``).
* ``merge_records`` (un-merge): the survivor gets its own values back (``update_record``, which frees the
  loser's unique values), the loser is created again, and what the merge moved onto the survivor goes back
  to it (created on the new record, deleted from the survivor).

A row that needs an id another row makes holds a placeholder (:func:`.steps.made_by`) and waits for it
(``parent_action``, ``depends_on``); an id an earlier restore made is written in directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

from ..actions import Action
from ..actions.schema import SCHEMA_ACTIONS
from ..client.calls import HISTORY_MAX
from ..values.notes import note_content
from .history import history_values
from .journal import Status
from .merge import MOVE
from .payloads import HistoryPayload, NoteUpdatePayload, ValuesPayload, parse
from .run import Run
from .shape import SYSTEM_SLUGS, history_writable, non_empty, writable, write_payload
from .steps import MADE, made_by

JSON = dict[str, Any]
SCHEMA_KEPT = (
    "Attio keeps lists, attributes and choices once made (the API deletes none of them); "
    "archive it in Attio's settings if it is not wanted"
)
ORPHAN_ENTRY = "its parent record no longer exists, so Attio cannot hold the entry (the backup keeps it)"
NO_ID = "the run journalled no id for what it made"
NOT_BACKED_UP = "the backup does not hold it"
MADE_AND_GONE = "written on a record the run made, which this restore deletes again"
NOTE_CAVEAT = "a new note id; its author is now the restoring API token"
# Restored first: records (notes and entries may hang on them), then what was made is removed, then values.
ORDER = {
    Action.MERGE_RECORDS: 0,
    Action.DELETE_RECORD: 1,
    Action.CREATE_NOTE: 2,
    Action.CREATE_ENTRY: 2,
    Action.CREATE_RECORD: 3,
    Action.ASSERT_RECORD: 3,
    Action.UPDATE_RECORD: 4,
    Action.UPDATE_ENTRY: 4,
    Action.UPDATE_TASK: 4,
    Action.UPDATE_NOTE: 4,
    Action.WRITE_HISTORY: 4,
    Action.DELETE_NOTE: 5,
    Action.RECREATE_NOTE: 5,
    Action.DELETE_ENTRY: 5,
    Action.CREATE_OPTION: 6,
    Action.CREATE_ATTRIBUTE: 7,
    Action.CREATE_LIST: 8,
}
MAKE_STEP = {"create_record": "create_record", "assert_record": "assert"}  # else "create"


@dataclass
class Source:
    """One action of the run being restored: what it was, and what its restore is made of."""

    action_id: str
    action: Action
    target_id: str | None
    rows: list[str] = field(default_factory=list)  # the restore rows that put it back, the main one first
    reason: str | None = None  # why it cannot be put back (then it has no rows)
    caveat: str = ""  # what cannot be put back exactly


@dataclass
class RestoreRows:
    """A restore's rows (RUN_COLUMNS, by id, in order) and what each action of the run becomes."""

    rows: dict[str, JSON] = field(default_factory=dict)
    sources: list[Source] = field(default_factory=list)


def _titles(info: Any, slugs: Iterable[str]) -> str:
    """Attributes as a person sees them in Attio: "Description, Job title"."""
    titles = {a.slug: a.title or a.slug for a in info.attributes}
    return ", ".join(sorted(titles.get(slug, slug) for slug in slugs))


def row_id(*parts: str) -> str:
    return ":".join(("restore", *parts))


class RestoreBuilder:
    """Builds the restore rows of one run. ``earlier`` holds the rows earlier restores of it finished (row
    id → the id each made): what they made is written in directly (the caller leaves them out of the plan).
    ``known_notes`` (note id → (parent, title)) are notes that existed before the run: never taken for a
    note a restore made after an unclear answer."""

    def __init__(
        self, run: Run, earlier: dict[str, str | None], known_notes: dict[str, tuple[str, str]] | None = None
    ) -> None:
        self.run = run
        self.earlier = earlier
        self.backup = run.backup
        self.out = RestoreRows()
        self.lookalikes: dict[tuple[str, str], list[str]] = {}  # (parent, title) → notes there before
        for note_id, (parent, title) in (known_notes or {}).items():
            self.lookalikes.setdefault((parent, title), []).append(note_id)
        self.rows = run.rows.to_dicts()
        self.steps = {row["action_id"]: self._done_steps(row["action_id"]) for row in self.rows}
        # notes and entries the run deleted itself: their own action puts them back
        self.deleted = {
            row["target_id"]
            for row in self.rows
            if Action(row["action"]) in (Action.DELETE_NOTE, Action.RECREATE_NOTE, Action.DELETE_ENTRY)
            and "delete" in self.steps[row["action_id"]]
        }
        # a record the run deleted or merged away → the restore row that makes it again
        self.gone: dict[str, str] = {}
        for row in self.rows:
            if self._removed(row):
                self.gone[row["target_id"]] = row_id(row["action_id"], "record")

    # ------------------------------------------------------------------ the run's journal
    def _done_steps(self, action_id: str) -> dict[str, str | None]:
        return {
            step: made
            for step, (status, made, _) in self.run.journal.steps_of(action_id).items()
            if status == Status.DONE and step != "read"
        }

    def _removed(self, row: JSON) -> bool:
        """The run deleted the row's record, or merged it away."""
        action, done = Action(row["action"]), self.steps[row["action_id"]]
        return (action == Action.DELETE_RECORD and "delete" in done) or (
            action == Action.MERGE_RECORDS and "merge" in done
        )

    def finished(self, only: set[str] | None) -> list[JSON]:
        """The run's rows with a finished step (what a restore puts back), in restore order."""
        rows = [
            r
            for r in self.rows
            if any(not s.startswith(MOVE) for s in self.steps[r["action_id"]])
            and (only is None or r["action_id"] in only)
        ]
        return sorted(rows, key=lambda r: ORDER[Action(r["action"])])

    def final_of(self, record_id: str) -> str:
        """The id a record has after the run's merges into it (its own id when there were none)."""
        final = record_id
        for action_id in self.run.actions_on_survivor(record_id):
            if made := self.steps[action_id].get("merge"):
                final = made
        return final

    # ------------------------------------------------------------------ ids the restore makes
    def now_id(self, record_id: str, needs: list[str]) -> str:
        """What to write for a record the run may have removed: its new id (an earlier restore's), a
        placeholder for the row that makes it (added to ``needs``), or the id it has after the merges."""
        if record_id in self.gone:
            making = self.gone[record_id]
            if self.earlier.get(making):
                return str(self.earlier[making])
            needs.append(making)
            return made_by(making)
        return self.final_of(record_id)

    def _parent(self, record_id: str) -> JSON:
        """A create's parent: ``parent_action`` when the restore makes the record, else its id."""
        needs: list[str] = []
        now = self.now_id(record_id, needs)
        return {"parent_action": needs[0]} if needs else {"parent_record_id": now}

    def _add(self, source: Source, rid: str, row: JSON, *, shared: bool = False) -> None:
        """Add a row (once: a shared row, e.g. a survivor's values, serves every action that needs it)."""
        if rid not in source.rows:
            source.rows.append(rid)
        if shared and rid in self.out.rows:
            return
        payload = row.get("payload")
        self.out.rows[rid] = {
            "action_id": rid,
            "recipe": "restore",
            "object": None,
            "list": None,
            "target_id": None,
            "survivor_id": None,
            "fingerprint": None,
            "part": None,
            **row,
            "payload": None if payload is None else orjson.dumps(payload).decode(),
        }

    def _pointed(self, values: JSON, attrs: list[Any], needs: list[str]) -> JSON:
        """``values`` with each record reference pointed at the record as the restore leaves it (one the
        run removed: its new id, or the row that makes it, added to ``needs``)."""
        references = {a.slug for a in attrs if a.type == "record-reference"}
        out = dict(values)

        def point(item: Any) -> Any:
            if not isinstance(item, dict) or "target_record_id" not in item:
                return item
            return {**item, "target_record_id": self.now_id(item["target_record_id"], needs)}

        for slug in references & out.keys():
            value = out[slug]
            out[slug] = [point(i) for i in value] if isinstance(value, list) else point(value)
        return out

    @staticmethod
    def _without(values: JSON, making: str) -> JSON:
        """``values`` without references to the record the row ``making`` makes (written from its side)."""
        mark = made_by(making)

        def kept(value: Any) -> Any:
            if isinstance(value, list):
                return [i for i in value if not (isinstance(i, dict) and i.get("target_record_id") == mark)]
            return [] if isinstance(value, dict) and value.get("target_record_id") == mark else value

        return {slug: kept(value) for slug, value in values.items()}

    # ------------------------------------------------------------------ building
    def build(self, only: Iterable[str] | None = None) -> RestoreRows:
        for row in self.finished(set(only) if only is not None else None):
            source = Source(row["action_id"], Action(row["action"]), row["target_id"])
            source.reason = self._offline_reason(row)
            if source.reason is None:
                self._plan(source, row)
            self.out.sources.append(source)
        return self.out

    def _offline_reason(self, row: JSON) -> str | None:
        action = Action(row["action"])
        done = self.steps[row["action_id"]]
        if action in SCHEMA_ACTIONS:
            return SCHEMA_KEPT
        if action in (Action.CREATE_NOTE, Action.CREATE_ENTRY, Action.CREATE_RECORD, Action.ASSERT_RECORD):
            return None if done.get(MAKE_STEP.get(row["action"], "create")) else NO_ID
        if action == Action.RECREATE_NOTE and "delete" not in done:
            return None  # only the replacement was made: it goes
        if action == Action.WRITE_HISTORY and str(row["target_id"]).startswith(MADE):
            return MADE_AND_GONE
        if self.backup.raw(row["part"], row["target_id"]) is None:
            return NOT_BACKED_UP
        if action == Action.MERGE_RECORDS and self.backup.raw(row["part"], row["survivor_id"]) is None:
            return f"the backup does not hold the survivor {row['survivor_id']}"
        if action == Action.DELETE_ENTRY and row["recipe"] == "orphan_entries":
            return ORPHAN_ENTRY
        return None

    def _plan(self, source: Source, row: JSON) -> None:
        action = source.action
        done = self.steps[row["action_id"]]
        if action in (Action.DELETE_NOTE, Action.RECREATE_NOTE):
            if action == Action.RECREATE_NOTE and done.get("create"):  # the replacement the run made goes
                self._add(
                    source,
                    row_id(row["action_id"], "replacement"),
                    {"action": Action.DELETE_NOTE.value, "target_id": done["create"], "part": "notes"},
                )
            if "delete" in done:
                note = self._backed_up(row)
                self._note(source, row_id(row["action_id"], "note"), note, note["parent_record_id"])
                source.rows.insert(0, source.rows.pop())  # the note made again is what the action becomes
            source.caveat = NOTE_CAVEAT if "delete" in done else "the replacement the run made is deleted"
        elif action == Action.DELETE_ENTRY:
            entry = self._backed_up(row)
            rid = row_id(row["action_id"], "entry")
            self._entry(source, rid, row["list"], entry, entry["parent_record_id"])
            source.caveat = "a new entry id; entry values put back"
            self._history(source, row, row["target_id"], self.earlier.get(rid) or made_by(rid))
        elif action in (Action.UPDATE_RECORD, Action.UPDATE_ENTRY, Action.UPDATE_TASK):
            self._values(source, row, row["target_id"], self._backed_up(row))
        elif action == Action.UPDATE_NOTE:
            self._note_text(source, row, self._backed_up(row))
        elif action == Action.WRITE_HISTORY:
            self._history_back(source, row)
        elif action in (Action.CREATE_NOTE, Action.CREATE_ENTRY, Action.CREATE_RECORD, Action.ASSERT_RECORD):
            self._unmake(source, row, str(done[MAKE_STEP.get(row["action"], "create")]))
        elif action == Action.DELETE_RECORD:
            self._record(source, row)
        else:
            self._unmerge(source, row)

    def _backed_up(self, row: JSON) -> JSON:
        return dict(self.backup.raw(row["part"], row["target_id"]) or {})

    # ------------------------------------------------------------------ notes and entries
    def _note(self, source: Source, rid: str, note: JSON, parent: str) -> None:
        form, content = note_content(note.get("content_markdown"), note.get("content_plaintext"))
        title = note.get("title") or ""
        lookalikes = self.lookalikes.get((parent, title), [])
        payload = {
            "parent_object": note["parent_object"],
            **self._parent(parent),
            "title": title,
            "format": form,
            "content": content,
            "created_at": note["created_at"],
            **({"skip_ids": lookalikes} if lookalikes else {}),
        }
        row = {"action": Action.CREATE_NOTE.value, "object": note["parent_object"], "payload": payload}
        self._add(source, rid, row)

    def _note_text(self, source: Source, row: JSON, note: JSON) -> None:
        """The title and content the run changed, written back in place."""
        wrote = parse(Action.UPDATE_NOTE, row["payload"])
        assert isinstance(wrote, NoteUpdatePayload)
        form, content = note_content(note.get("content_markdown"), note.get("content_plaintext"))
        payload: JSON = {}
        if wrote.title is not None:
            payload["title"] = note.get("title") or ""
        if wrote.content is not None:
            payload |= {"format": form, "content": content}
        update = {"action": Action.UPDATE_NOTE.value, "target_id": row["target_id"], "part": "notes"}
        self._add(source, row_id(row["action_id"], "note_text"), {**update, "payload": payload})
        source.caveat = f"put back: {' and '.join(k for k in ('title', 'content') if k in payload)}"

    def _entry(self, source: Source, rid: str, list_slug: str, entry: JSON, parent: str) -> None:
        values = non_empty(write_payload(entry, writable(self.run.schema.lists[list_slug]), entry=True))
        payload = {"parent_object": entry["parent_object"], **self._parent(parent), "entry_values": values}
        row = {"action": Action.CREATE_ENTRY.value, "list": list_slug, "payload": payload}
        self._add(source, rid, row)

    # ------------------------------------------------------------------ values and creates
    def _values(self, source: Source, row: JSON, target: str, before: JSON) -> None:
        """The attributes the run wrote, overwritten with their backed-up values."""
        action = Action(row["action"])
        rid = row_id(row["action_id"], "values")
        if action == Action.UPDATE_TASK:
            links = [
                {"target_object": link["target_object_id"], "target_record_id": link["target_record_id"]}
                for link in before.get("linked_records", [])
            ]
            self._add(source, rid, self._task_row(target, links, []))
            source.caveat = "its links put back"
            return
        is_entry = action == Action.UPDATE_ENTRY
        wrote = parse(action, row["payload"])
        assert isinstance(wrote, ValuesPayload)
        info = self.run.schema.lists[row["list"]] if is_entry else self.run.schema.objects[row["object"]]
        attrs = [a for a in writable(info) if a.slug in wrote.values]
        needs: list[str] = []
        values = self._pointed(write_payload(before, attrs, entry=is_entry), attrs, needs)
        key = "entry_values" if is_entry else "values"
        update = {
            "action": action.value if is_entry else Action.UPDATE_RECORD.value,
            "object": row["object"],
            "list": row["list"] if is_entry else None,
            "target_id": target,
            "part": row["part"],
            "payload": {key: values, "overwrite": True, **({"depends_on": needs} if needs else {})},
        }
        self._add(source, rid, update)
        source.caveat = f"put back: {_titles(info, values) or 'nothing'}"
        self._history(source, row, target, target, only=set(wrote.values))

    # ------------------------------------------------------------------ value histories
    def _history(
        self, source: Source, row: JSON, old_id: str, now: str, *, only: set[str] | None = None
    ) -> None:
        """A ``write_history`` row per attribute of ``old_id`` whose history the backup keeps (``only``: of
        those), written onto ``now`` (an id, or a placeholder it waits for). Histories run last, after the
        values and records they go over; one row per item and attribute, shared by every action that needs
        it. The caveat names the attributes Attio refuses history for, and what could not be written."""
        is_entry = bool(row["list"])
        target, identifier = ("lists", row["list"]) if is_entry else ("objects", row["object"])
        info = self.run.schema.lists[identifier] if is_entry else self.run.schema.objects[identifier]
        attrs = {a.slug: a for a in info.attributes}
        kept = self.backup.history(target, identifier, old_id)
        for slug in sorted(kept if only is None else kept.keys() & only):
            waits: list[str] = []
            try:
                items = history_values(kept[slug], attrs[slug], entry=is_entry)
            except (ValueError, TypeError, KeyError) as error:
                source.caveat += f"; the history of {attrs[slug].title} cannot be written back ({error})"
                continue
            if len(items) > HISTORY_MAX:
                source.caveat += (
                    f"; only the latest {HISTORY_MAX} of the {len(items)} values of {attrs[slug].title} are "
                    "written back (Attio takes no more at once)"
                )
                items = items[-HISTORY_MAX:]
            values = [
                {**item, "value": self._pointed({slug: item["value"]}, [attrs[slug].value_type], waits)[slug]}
                for item in items
            ]
            if not values:
                continue
            payload: JSON = {"attribute": slug, "values": values}
            if waits:
                payload["depends_on"] = list(dict.fromkeys(waits))
            history = {
                "action": Action.WRITE_HISTORY.value,
                "object": row["object"],
                "list": row["list"] if is_entry else None,
                "target_id": now,
                "part": row["part"],
                "payload": payload,
            }
            self._add(source, row_id("history", target, identifier, old_id, slug), history, shared=True)
        self._history_caveat(source, row, old_id, attrs, only)

    def _history_caveat(
        self, source: Source, row: JSON, old_id: str, attrs: dict[str, Any], only: set[str] | None
    ) -> None:
        before = self.backup.raw(row["part"], old_id) or {}
        valued = {
            s for s, items in (before.get("values") or before.get("entry_values") or {}).items() if items
        }
        if only is not None:
            valued &= only
        refused = sorted(
            attrs[s].title or s
            for s in valued
            if s in attrs and not history_writable(attrs[s]) and s not in SYSTEM_SLUGS
        )
        if refused:
            note = f"history not written back (Attio refuses it for these): {', '.join(refused)}"
            if note not in source.caveat:
                source.caveat += f"; {note}"

    def _history_back(self, source: Source, row: JSON) -> None:
        """A history the run wrote, written back as the backup kept it."""
        wrote = parse(Action.WRITE_HISTORY, row["payload"])
        assert isinstance(wrote, HistoryPayload)
        self._history(source, row, row["target_id"], row["target_id"], only={wrote.attribute})
        if not source.rows:
            source.reason = "the backup holds no history of it to write back"
        else:
            source.caveat = source.caveat or "its history written back"

    def _task_row(self, task_id: str, links: list[JSON], needs: list[str]) -> JSON:
        slugs = {info.id: slug for slug, info in self.run.schema.objects.items()}
        linked = [
            {
                "target_object": slugs.get(link["target_object"], link["target_object"]),
                "target_record_id": link["target_record_id"],
            }
            for link in links
        ]
        payload: JSON = {"linked_records": linked}
        if needs:
            payload["depends_on"] = list(dict.fromkeys(needs))
        return {"action": Action.UPDATE_TASK.value, "target_id": task_id, "part": "tasks", "payload": payload}

    def _unmake(self, source: Source, row: JSON, made: str) -> None:
        action = Action(row["action"])
        if action == Action.ASSERT_RECORD:
            before = self.backup.raw(row["part"], made)
            if before is not None:  # it updated an existing record: its values go back
                self._values(source, {**row, "action": Action.UPDATE_RECORD.value}, made, before)
                source.caveat = f"the asserted record's values {source.caveat}"
                return
        kind = {
            Action.CREATE_NOTE: (Action.DELETE_NOTE, "notes"),
            Action.CREATE_ENTRY: (Action.DELETE_ENTRY, f"entries/{row['list']}"),
        }.get(action, (Action.DELETE_RECORD, f"records/{row['object']}"))
        delete = {
            "action": kind[0].value,
            "object": row["object"],
            "list": row["list"],
            "target_id": made,
            "part": kind[1],
        }
        self._add(source, row_id(row["action_id"], "delete"), delete)
        source.caveat = "what the run created is deleted again"

    # ------------------------------------------------------------------ records
    def _recreate(self, source: Source, row: JSON, record: JSON, needs: list[str]) -> str:
        """The record created again from its backup (its references are written from the referring side);
        returns the row id, and says in the caveat which values the API cannot write."""
        info = self.run.schema.objects[row["object"]]
        references = {a.slug for a in info.attributes if a.type == "record-reference"}
        values = {
            slug: value
            for slug, value in non_empty(write_payload(record, writable(info))).items()
            if slug not in references
        }
        kept_back = sorted(
            slug
            for slug, items in record.get("values", {}).items()
            if items and slug not in values and slug not in SYSTEM_SLUGS and slug not in references
        )
        rid = row_id(row["action_id"], "record")
        payload: JSON = {"values": values}
        needs = [n for n in needs if n not in self.earlier]  # made by an earlier restore: nothing to wait for
        if needs:
            payload["depends_on"] = needs
        self._add(
            source, rid, {"action": Action.CREATE_RECORD.value, "object": row["object"], "payload": payload}
        )
        if kept_back:
            source.caveat += (
                f"; not writable through the API, left for Attio to fill: {_titles(info, kept_back)}"
            )
        self._history(source, row, row["target_id"], self.now_id(row["target_id"], []))
        return rid

    def _record(self, source: Source, row: JSON) -> None:
        record = self._backed_up(row)
        source.caveat = ""
        self._recreate(source, row, record, [])
        moved = self._hang_back(source, row, row["target_id"], survivor=None)
        source.caveat = f"a new record id; put back {moved}{source.caveat}"

    def _unmerge(self, source: Source, row: JSON) -> None:
        done = self.steps[row["action_id"]]
        survivor = self.backup.raw(row["part"], row["survivor_id"]) or {}
        final = self.final_of(str(row["survivor_id"]))
        attrs = writable(self.run.schema.objects[row["object"]])
        needs: list[str] = []
        values = self._pointed(write_payload(survivor, attrs), attrs, needs)
        needs = [n for n in needs if n != row_id(row["action_id"], "record")]  # its own loser: see below
        values = self._without(values, row_id(row["action_id"], "record"))
        survivor_row = row_id("survivor", final)
        update = {
            "action": Action.UPDATE_RECORD.value,
            "object": row["object"],
            "target_id": final,
            "part": row["part"],
            "payload": {"values": values, "overwrite": True, **({"depends_on": needs} if needs else {})},
        }
        source.caveat = ""
        merged = "merge" in done
        if merged:  # the loser comes back once the survivor has let go of its unique values
            self._recreate(source, row, self._backed_up(row), [survivor_row])
        self._add(source, survivor_row, update, shared=True)
        if not merged:  # stopped before the merge: the survivor's values and the copies it got go back
            source.rows.insert(0, source.rows.pop())
        self._history(source, row, str(row["survivor_id"]), final)
        moved = self._hang_back(source, row, row["target_id"], survivor=(final, done))
        same = "" if final == row["survivor_id"] else f"; the merged record keeps its new id {final}"
        head = (
            "un-merged: the merged-away record is created again with a new id"
            if merged
            else "the survivor's values put back"
        )
        source.caveat = f"{head}; put back {moved}{same}{source.caveat}"

    def _hang_back(
        self, source: Source, row: JSON, old_id: str, *, survivor: tuple[str, dict[str, str | None]] | None
    ) -> str:
        """Put back on the new record what hung on ``old_id`` (notes, entries, task links, references); for
        a merge, take the copies off the survivor."""
        hanging = self.backup.hanging(row["object"], old_id)
        done = survivor[1] if survivor else {}
        merged = survivor is None or "merge" in done
        by_hand = any(step.startswith(MOVE) for step in done)
        copied = survivor is not None and (merged or by_hand)  # the survivor holds what hung on old_id
        moves = self.run.journal.steps_of(row["action_id"]) if survivor else {}
        counts = {"notes": 0, "entries": 0, "tasks": 0, "references": 0}
        aid = row["action_id"]
        for note in hanging.notes:
            note_id = note["id"]["note_id"]
            if note_id in self.deleted:
                continue  # its own action restores it
            if merged:
                self._note(source, row_id(aid, "note", note_id), note, old_id)
            if copied:  # the copy on the survivor goes: the same note (native) or the run's copy (by hand)
                copy = moves.get(f"{MOVE}note:{note_id}", (None, None, None))[1] if by_hand else note_id
                if copy:
                    delete = {"action": Action.DELETE_NOTE.value, "target_id": copy, "part": "notes"}
                    self._add(source, row_id(aid, "unnote", note_id), delete)
            counts["notes"] += 1
        for list_slug, entry in hanging.entries:
            entry_id = entry["id"]["entry_id"]
            if entry_id in self.deleted:
                continue
            if merged:
                self._entry(source, row_id(aid, "entry", entry_id), list_slug, entry, old_id)
            if copied:
                state = moves.get(f"{MOVE}entry:{list_slug}:{entry_id}", (None, None, None))
                copy = state[1] if by_hand else entry_id
                if copy:
                    delete = {
                        "action": Action.DELETE_ENTRY.value,
                        "list": list_slug,
                        "target_id": copy,
                        "part": f"entries/{list_slug}",
                    }
                    self._add(source, row_id(aid, "unentry", entry_id), delete)
                if by_hand and state[1] is None and state[2]:  # its values went into the survivor's entry
                    self._survivor_entry_back(source, aid, list_slug, state[2])
            counts["entries"] += 1
        if merged and counts["entries"]:
            source.caveat += "; its list entries come back with their values as they were, not their history"
        if not (merged or copied):  # a native merge that did not happen moved nothing
            return ", ".join(f"{n} {what}" for what, n in counts.items() if what in ("notes", "entries"))
        for task in hanging.tasks:
            self._relink_task(source, task)
            counts["tasks"] += 1
        for object_slug, attribute, referrer in hanging.referrers:
            self._rerefer(source, object_slug, attribute, referrer)
            counts["references"] += 1
        return ", ".join(f"{n} {what}" for what, n in counts.items())

    def _survivor_entry_back(self, source: Source, aid: str, list_slug: str, detail: str) -> None:
        into = detail.split(":", 1)[0].removeprefix("into ").strip()
        before = self.backup.raw(f"entries/{list_slug}", into)
        if before is None or into in self.run.targets_of(Action.DELETE_ENTRY):  # its own action restores it
            return
        values = write_payload(before, writable(self.run.schema.lists[list_slug]), entry=True)
        update = {
            "action": Action.UPDATE_ENTRY.value,
            "list": list_slug,
            "target_id": into,
            "part": f"entries/{list_slug}",
            "payload": {"entry_values": values, "overwrite": True},
        }
        self._add(source, row_id(aid, "entry_values", into), update)

    def _relink_task(self, source: Source, task: JSON) -> None:
        task_id = task["id"]["task_id"]
        rid = row_id("task", task_id)
        needs: list[str] = []
        links = [
            {
                "target_object": link["target_object_id"],
                "target_record_id": self.now_id(link["target_record_id"], needs),
            }
            for link in task.get("linked_records", [])
        ]
        self._add(source, rid, self._task_row(task_id, links, needs), shared=True)

    def _rerefer(self, source: Source, object_slug: str, attribute: str, referrer: JSON) -> None:
        """The referring record's attribute written again, every target as the restore leaves it (shared
        by every record of the run it named)."""
        needs: list[str] = []
        record_id = self.now_id(referrer["id"]["record_id"], needs)
        targets: list[JSON] = []
        for value in referrer["values"].get(attribute, []):
            item = {
                "target_object": value["target_object"],
                "target_record_id": self.now_id(value["target_record_id"], needs),
            }
            if item not in targets:
                targets.append(item)
        rid = row_id("ref", object_slug, referrer["id"]["record_id"], attribute)
        update = {
            "action": Action.UPDATE_RECORD.value,
            "object": object_slug,
            "target_id": record_id,
            "part": f"records/{object_slug}",
            "payload": {
                "values": {attribute: targets},
                "overwrite": True,
                **({"depends_on": list(dict.fromkeys(needs))} if needs else {}),
            },
        }
        self._add(source, rid, update, shared=True)

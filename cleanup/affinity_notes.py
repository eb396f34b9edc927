"""Affinity's notes export (API v1 or v2 JSON), read and checked, and the note each becomes in Attio: its
title, its Markdown content closed by a source line (``From Affinity note <id> by <author>``), and its date in
UTC (or why Attio cannot store it). The Affinity import writes notes this way; the duplicate-notes recipe reads
the same export for the dates a re-import lost.

>>> notes = load_notes("exports/affinity-notes.json")  # doctest: +SKIP
>>> title, content, created_at, problem = note_body(notes[0], authors={})  # doctest: +SKIP
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from markdownify import markdownify

from .errors import ImportInputError
from .labels import day, when
from .values.timestamps import parse_timestamp

MARKER = re.compile(r"From Affinity note (\d+) by")  # in a note's source line: the Affinity note id
TITLE_LENGTH = 80


@dataclass(frozen=True)
class AffinityNote:
    """One Affinity note, whichever API it came from."""

    id: str
    text: str  # Markdown
    author: str  # as the export names the author (v1 names only a creator id: see ``creator_id``)
    created_at: datetime
    tagged: dict[str, list[str]]  # organizations / persons / opportunities → Affinity ids
    creator_id: str = ""  # v1: the author's Affinity person id, named from the people export when it has them
    file: str = ""  # the notes file it came from
    is_reply: bool = False  # a reply: its records are its parent's
    reply_to: str = ""  # the parent note's id ("" when a reply does not name it)

    def author_in(self, authors: dict[str, str]) -> str:
        """The author's name, from ``authors`` (Affinity person id → name) when the note names only an id."""
        return authors.get(self.creator_id, self.author)


def _datetime(text: str, where: str) -> datetime:
    try:
        return parse_timestamp(text)
    except (ValueError, AttributeError):
        raise ImportInputError(
            [
                f"{where}: created_at {text!r} is not an ISO date and time; Affinity's API writes "
                "2019-06-04T14:03:00.000-07:00 (v1) or 2019-06-04T21:03:00Z (v2): export the notes again "
                "from the API, or correct the date in that form"
            ]
        ) from None


def _ids(value: Any) -> list[str]:
    if isinstance(value, dict):  # v2 previews: {"data": [...], "totalCount": n}
        value = value.get("data")
    out = []
    for item in value or []:
        out.append(str(item["id"] if isinstance(item, dict) else item))
    return out


def html_to_markdown(html: str) -> str:
    """Affinity's note HTML (v2) as the Markdown Attio keeps: headings, lists, emphasis and links."""
    text = markdownify(html, heading_style="ATX", bullets="-", strip=["img"])
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def load_all_notes(paths: list[Path]) -> list[AffinityNote]:
    """The notes of every file (see :func:`load_notes`); raises naming each unreadable file and each note id
    found in more than one file."""
    notes: list[AffinityNote] = []
    problems: list[str] = []
    for path in paths:
        if not path.exists():
            problems.append(f"{path}: no such notes file")
            continue
        try:
            notes += load_notes(path)
        except ImportInputError as error:
            problems += error.problems
    files: dict[str, list[str]] = {}
    for note in notes:
        files.setdefault(note.id, []).append(note.file)
    problems += [
        f"note {i} appears in more than one notes file ({', '.join(where)}); give each note once: "
        "pass each notes file once, or the export of one period per file"
        for i, where in files.items()
        if len(where) > 1
    ]
    if problems:
        raise ImportInputError(problems)
    return notes


def load_notes(path: str | Path) -> list[AffinityNote]:
    """Affinity notes from a JSON file of API v1 notes (a list, or ``{"notes": [...]}``) or API v2 notes
    (``{"data": [...]}``). Replies are kept, marked: they carry no records, their parent does."""
    path = Path(path)
    try:
        data = orjson.loads(path.read_bytes())
    except OSError as error:
        raise ImportInputError([f"{path}: cannot be read ({error.strerror})"]) from None
    except orjson.JSONDecodeError as error:
        raise ImportInputError([f"{path.name}: not valid JSON ({error}); export the notes again"]) from None
    items = data.get("data", data.get("notes")) if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ImportInputError([f"{path.name}: expected a list of notes, or an object with data or notes"])
    notes, problems, seen = [], [], set()
    for i, item in enumerate(items):
        where = f"{path.name}: note #{i + 1}"
        if not isinstance(item, dict) or "id" not in item:
            problems.append(f"{where}: has no id")
            continue
        note_id = str(item["id"])
        where = f"{path.name}: note {note_id}"
        if note_id in seen:
            problems.append(f"{where}: appears twice in the file; remove the repeat")
            continue
        seen.add(note_id)
        is_reply = bool(item.get("parent_id")) or item.get("type") in ("user-reply", "ai-notetaker-reply")
        parent = item.get("parent_id") or item.get("parentId") or (item.get("parent") or {}).get("id")
        try:
            creator_id = ""
            if isinstance(item.get("content"), dict):  # v2: content.html, creator embedded, attached previews
                text = html_to_markdown(item["content"].get("html") or "")
                creator = item.get("creator") or {}
                name = " ".join(p for p in (creator.get("firstName"), creator.get("lastName")) if p)
                email = creator.get("primaryEmailAddress")
                author = f"{name} <{email}>" if name and email else name or email or "an Affinity user"
                created = _datetime(item.get("createdAt", ""), where)
                tagged = {
                    "organizations": _ids(item.get("companies") or item.get("companiesPreview")),
                    "persons": _ids(item.get("persons") or item.get("personsPreview")),
                    "opportunities": _ids(item.get("opportunities") or item.get("opportunitiesPreview")),
                }
            else:  # v1: Markdown-like content, creator_id, directly tagged associated_person_ids
                text = str(item.get("content") or "")
                if item.get("type") == 2 and "<" in text and ">" in text:
                    text = html_to_markdown(text)
                creator_id = str(item.get("creator_id", ""))
                author = f"Affinity user {creator_id}"
                created = _datetime(item.get("created_at", ""), where)
                persons = item.get("associated_person_ids")
                tagged = {
                    "organizations": _ids(item.get("organization_ids")),
                    "persons": _ids(persons if persons is not None else item.get("person_ids")),
                    "opportunities": _ids(item.get("opportunity_ids")),
                }
        except ImportInputError as error:
            problems += error.problems
            continue
        if is_reply:
            tagged = {}
        reply_to = str(parent) if is_reply and parent else ""
        notes.append(
            AffinityNote(
                note_id, text.strip(), author, created, tagged, creator_id, path.name, is_reply, reply_to
            )
        )
    if problems:
        raise ImportInputError(problems)
    return notes


def judge_date(moment: datetime, now: datetime | None = None) -> tuple[str, str | None]:
    """A note's ``created_at`` in UTC for Attio, and — when Attio cannot store it (before 1970, in the
    future) — why, with the fix; the value is then the nearest date Attio takes, used only if approved."""
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    floor = datetime(1970, 1, 1, tzinfo=UTC)
    fix = "or correct the date in Affinity and export the notes again"
    if moment < floor:
        return _utc(floor), (
            f"dated {when(moment)}, before 1970, which Attio cannot store: approve to import it dated "
            f"{when(floor)} (its last line keeps the real date), {fix}"
        )
    if moment > now:
        return _utc(now), (
            f"dated {when(moment)}, in the future, which Attio cannot store: approve to import it dated "
            f"{when(now)} (its last line keeps the real date), {fix}"
        )
    return _utc(moment), None


def _utc(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _first_line(text: str) -> str:
    return next((line.strip("#*_ -") for line in text.splitlines() if line.strip("#*_ -")), "")


def _cut(text: str, length: int) -> str:
    return text[:length].rstrip() + ("…" if len(text) > length else "")


def reply_line(parent: AffinityNote, authors: dict[str, str]) -> str:
    """The first line of a reply: ``Reply to the note of 4 Jun 2019 by Ann Lee: "Had a lunch…"``."""
    opening = _first_line(parent.text)
    quoted = f': "{_cut(opening, 60)}"' if opening else ""
    return f"Reply to the note of {day(parent.created_at.astimezone(UTC))} by {parent.author_in(authors)}{quoted}"


def note_body(
    note: AffinityNote, authors: dict[str, str], parent: AffinityNote | None = None
) -> tuple[str, str, str, str | None]:
    """(title, Markdown content with the source line naming the author from ``authors`` (see
    :meth:`AffinityNote.author_in`), created_at in UTC, why the date needs a decision — see
    :func:`judge_date`). A reply (``parent`` given) opens with :func:`reply_line`."""
    created_at, problem = judge_date(note.created_at)
    text = f"{reply_line(parent, authors)}\n\n{note.text}".strip() if parent is not None else note.text
    title = _cut(_first_line(text), TITLE_LENGTH) or "Note from Affinity"
    source = (
        f"_From Affinity note {note.id} by {note.author_in(authors)}, {day(note.created_at.astimezone(UTC))}_"
    )
    content = f"{text}\n\n---\n{source}" if text else source
    return title, content, created_at, problem


__all__ = [
    "MARKER",
    "AffinityNote",
    "html_to_markdown",
    "judge_date",
    "load_all_notes",
    "load_notes",
    "note_body",
    "reply_line",
]

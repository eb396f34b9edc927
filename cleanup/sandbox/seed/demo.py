"""The ``demo`` seed: a venture fund's workspace with known defects and the ground truth beside it.

:mod:`.frames` generates it as Polars frames (deterministic for a seed and scale); this module builds the
sandbox workspace from them: the schema (standard objects, a custom ``investments`` object, a
``pipeline`` list), members, tokens, records, entries, notes and tasks. Planted defects are listed in
:class:`GroundTruth`:

* a re-imported batch of notes: copies of notes first imported by the ``affinity-import`` token, with the
  same parent, title and content, created by the ``affinity-reimport`` token with fresh dates; for some the
  original is gone, so only the copy survives (``reimport_only_notes``, with the original date, which the
  source export ``notes_source`` also gives);
* fuzzy duplicate companies (suffix and case variants, typos, ``www.`` and TLD variants, a company split
  across two records with unrelated domains) and people (nicknames, swapped name order, a second email,
  other phone formats, typos);
* list entries whose parent company does not exist, and companies entered twice in the pipeline list.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import orjson

from ..clock import now_ts
from ..model import (
    READ_ONLY_SCOPES,
    STANDARD_SCOPES,
    Attribute,
    Member,
    Note,
    Record,
    SelectOption,
    Status,
    Task,
    Token,
)
from ..routes import markdown_to_plain, plain_to_markdown
from ..workspace import Workspace
from . import words as W
from .frames import DemoFrames, generate_frames
from .ground_truth import GroundTruth
from .values import ValueMaker

JSON = dict[str, Any]


@dataclass
class SeedResult:
    """What a seed made that callers need: tokens by name (secrets included) and the ground truth."""

    tokens: dict[str, Token]
    ground_truth: GroundTruth


class _Ids:
    """Hands out the frames' ids for schema objects in order, then fresh random ones."""

    def __init__(self, seed: int) -> None:
        import random
        import uuid

        self._rng = random.Random(seed)
        self._uuid = uuid

    def __call__(self, kind: str = "") -> str:
        del kind
        return str(self._uuid.UUID(int=self._rng.getrandbits(128), version=4))


def seed_demo(
    ws: Workspace, *, scale: float = 1.0, seed: int = 42, note_scale: float | None = None
) -> SeedResult:
    """Fill an empty store with the demo workspace; returns tokens and the planted ground truth."""
    frames = generate_frames(scale=scale, seed=seed, note_scale=note_scale)
    ws.make_id = _Ids(seed)
    ws.initialise("Northwind Ventures", "northwind-ventures", workspace_id=frames.workspace_id)
    for row in frames.members.iter_rows(named=True):
        ws.add_member(
            Member(
                row["id"],
                row["first_name"],
                row["last_name"],
                row["email_address"],
                row["access_level"],
                row["created_at"],
            )
        )
    member_ids = frames.members["id"].to_list()
    tokens = {
        name: Token(
            frames.token_ids[name],
            secrets.token_hex(32),
            name,
            READ_ONLY_SCOPES if name == "readonly" else STANDARD_SCOPES,
            member_ids[{"primary": 0, "readonly": 2}.get(name, 1)],
        )
        for name in frames.token_ids
    }
    for token in tokens.values():
        ws.add_token(token)
    builder = _Builder(ws, frames)
    builder.companies()
    builder.people()
    builder.deals()
    builder.investments()
    builder.pipeline()
    builder.notes()
    builder.tasks()
    builder.persist()
    truth = frames.truth
    truth.counts = ws.counts()
    truth.objects = {"investments": ws.object("investments").id, "pipeline": ws.list_def("pipeline").id}
    return SeedResult(tokens, truth)


class _Builder:
    """Turns the frames into sandbox records, entries, notes and tasks."""

    def __init__(self, ws: Workspace, frames: DemoFrames) -> None:
        self.ws = ws
        self.f = frames
        self.slugs: dict[str, dict[str, str]] = {}

    def attr_ids(self, parent_id: str) -> dict[str, str]:
        if parent_id not in self.slugs:
            self.slugs[parent_id] = {a.api_slug: a.id for a in self.ws.attributes_of(parent_id)}
        return self.slugs[parent_id]

    def choices(self, parent_id: str, slug: str) -> dict[str, JSON]:
        attr = self.ws.find_attribute(parent_id, slug)
        assert attr is not None
        if attr.type == "status":
            return {s.title: attr.status_to_api(self.ws.id, s) for s in attr.statuses}
        return {o.title: attr.option_to_api(self.ws.id, o) for o in attr.options}

    def record(
        self,
        parent_id: str,
        record_id: str,
        created_at: str,
        actor: JSON,
        *,
        parent_record: tuple[str, str] | None = None,
    ) -> tuple[Record, ValueMaker, dict[str, str]]:
        rec = Record(id=record_id, parent_id=parent_id, created_at=created_at, seq=self.ws.next_seq())
        if parent_record:
            rec.parent_record_id, rec.parent_object_id = parent_record
        make = ValueMaker(created_at, actor)
        a = self.attr_ids(parent_id)
        rec.values[a["entry_id" if parent_record else "record_id"]] = [make.text(rec.id)]
        rec.values[a["created_at"]] = [make.timestamp(created_at)]
        rec.values[a["created_by"]] = [make.actor(actor["type"], actor["id"])]
        self.ws.container(parent_id)[rec.id] = rec
        return rec, make, a

    def companies(self) -> None:
        obj = self.ws.object("companies").id
        categories = self.choices(obj, "categories")
        employee = self.choices(obj, "employee_range")
        system = {"type": "system", "id": None}
        for row in self.f.companies.iter_rows(named=True):
            rec, make, a = self.record(
                obj, row["id"], row["created_at"], {"type": row["actor_type"], "id": row["actor_id"]}
            )
            v = rec.values
            v[a["name"]] = [make.text(row["name"])]
            v[a["domains"]] = [make.domain(row["domain"])]
            v[a["categories"]] = [make.option(categories[c]) for c in row["categories"]]
            v[a["primary_location"]] = [make.location(row["city"], row["region"], row["country"])]
            if row["description"]:
                v[a["description"]] = [make.text(row["description"])]
            if row["linkedin"]:
                v[a["linkedin"]] = [make.text(row["linkedin"])]
            if row["employee_range"]:
                v[a["employee_range"]] = [
                    ValueMaker(row["created_at"], system).option(employee[row["employee_range"]])
                ]
            _interaction(v, a, row)

    def people(self) -> None:
        obj = self.ws.object("people").id
        companies = self.ws.records[self.ws.object("companies").id]
        team = self.attr_ids(self.ws.object("companies").id)["team"]
        for row in self.f.people.iter_rows(named=True):
            rec, make, a = self.record(
                obj, row["id"], row["created_at"], {"type": row["actor_type"], "id": row["actor_id"]}
            )
            v = rec.values
            v[a["name"]] = [make.name(row["first_name"], row["last_name"])]
            v[a["email_addresses"]] = [make.email(row["email"])]
            if row["phone"]:
                v[a["phone_numbers"]] = [make.phone(row["phone"], row["phone_country"])]
            v[a["primary_location"]] = [make.location(row["city"], row["region"], row["country"])]
            if row["job_title"]:
                v[a["job_title"]] = [make.text(row["job_title"])]
            if row["linkedin"]:
                v[a["linkedin"]] = [make.text(row["linkedin"])]
            _interaction(v, a, row)
            if row["company_id"]:
                v[a["company"]] = [make.ref("companies", row["company_id"])]
                companies[row["company_id"]].values.setdefault(team, []).insert(0, make.ref("people", rec.id))

    def deals(self) -> None:
        obj = self.ws.object("deals").id
        companies = self.ws.records[self.ws.object("companies").id]
        assoc = self.attr_ids(self.ws.object("companies").id)["associated_deals"]
        stages = self.choices(obj, "stage")
        for row in self.f.deals.iter_rows(named=True):
            rec, make, a = self.record(
                obj, row["id"], row["created_at"], {"type": row["actor_type"], "id": row["actor_id"]}
            )
            rec.values[a["name"]] = [make.text(row["name"])]
            rec.values[a["stage"]] = [make.status(stages[row["stage"]])]
            rec.values[a["owner"]] = [make.actor("workspace-member", row["owner"])]
            rec.values[a["value"]] = [make.currency(row["value"], "USD")]
            rec.values[a["associated_company"]] = [make.ref("companies", row["company_id"])]
            companies[row["company_id"]].values.setdefault(assoc, []).insert(0, make.ref("deals", rec.id))

    def investments(self) -> None:
        """A custom object ``investments`` (one per portfolio cheque) with attributes of many types."""
        obj = self.ws.create_object("investments", "Investment", "Investments").id
        _attr(self.ws, obj, "company", "Company", "record-reference", allowed=["companies"])
        _attr(self.ws, obj, "round", "Round", "select", options=W.ROUNDS)
        _attr(self.ws, obj, "amount", "Amount", "currency", currency="USD")
        _attr(self.ws, obj, "invested_on", "Invested on", "date")
        _attr(self.ws, obj, "fund", "Fund", "select", options=("Fund I", "Fund II", "Fund III"))
        _attr(self.ws, obj, "lead_partner", "Lead partner", "actor-reference")
        _attr(self.ws, obj, "ownership", "Ownership %", "number")
        _attr(self.ws, obj, "pro_rata", "Pro-rata rights", "checkbox")
        _attr(self.ws, obj, "memo_url", "Memo", "text")
        rounds, funds = self.choices(obj, "round"), self.choices(obj, "fund")
        primary = {"type": "api-token", "id": self.f.token_ids["primary"]}
        for row in self.f.investments.iter_rows(named=True):
            rec, make, a = self.record(obj, row["id"], row["created_at"], primary)
            v = rec.values
            v[a["company"]] = [make.ref("companies", row["company_id"])]
            v[a["round"]] = [make.option(rounds[row["round"]])]
            v[a["amount"]] = [make.currency(row["amount"], "USD")]
            v[a["invested_on"]] = [make.date(row["invested_on"])]
            v[a["fund"]] = [make.option(funds[row["fund"]])]
            v[a["lead_partner"]] = [make.actor("workspace-member", row["lead_partner"])]
            v[a["ownership"]] = [make.number(row["ownership"])]
            v[a["pro_rata"]] = [make._v("checkbox", value=row["pro_rata"])]
            v[a["memo_url"]] = [make.text(row["memo_url"])]

    def pipeline(self) -> None:
        """The ``pipeline`` list on companies, with the frames' orphan and duplicate entries."""
        ws = self.ws
        primary = {"type": "api-token", "id": self.f.token_ids["primary"]}
        li = ws.create_list("Deal pipeline", "pipeline", "companies", "full-access", [], primary).id
        _attr(ws, li, "stage", "Stage", "status", kind="lists", statuses=W.PIPELINE_STAGES)
        _attr(ws, li, "owner", "Owner", "actor-reference", kind="lists")
        _attr(ws, li, "round", "Round", "select", kind="lists", options=W.ROUNDS)
        _attr(ws, li, "check_size", "Check size", "currency", kind="lists", currency="USD")
        _attr(ws, li, "conviction", "Conviction", "rating", kind="lists")
        _attr(ws, li, "source", "Source", "select", kind="lists", options=W.DEAL_SOURCES)
        _attr(ws, li, "next_step", "Next step", "text", kind="lists")
        _attr(ws, li, "first_contact", "First contact", "date", kind="lists")
        stages, rounds, sources = (
            self.choices(li, "stage"),
            self.choices(li, "round"),
            self.choices(li, "source"),
        )
        companies = ws.object("companies").id
        for row in self.f.entries.iter_rows(named=True):
            actor = {"type": row["actor_type"], "id": row["actor_id"]}
            rec, make, a = self.record(
                li, row["id"], row["created_at"], actor, parent_record=(row["parent_record_id"], companies)
            )
            v = rec.values
            v[a["stage"]] = [make.status(stages[row["stage"]])]
            v[a["owner"]] = [make.actor("workspace-member", row["owner"])]
            v[a["round"]] = [make.option(rounds[row["round"]])]
            if row["check_size"] is not None:
                v[a["check_size"]] = [make.currency(row["check_size"], "USD")]
            v[a["conviction"]] = [make.rating(row["conviction"])]
            v[a["source"]] = [make.option(sources[row["source"]])]
            if row["next_step"]:
                v[a["next_step"]] = [make.text(row["next_step"])]
            v[a["first_contact"]] = [make.date(row["first_contact"])]

    def notes(self) -> None:
        objects = {slug: self.ws.object(slug).id for slug in ("companies", "people")}
        rows = []
        for row in self.f.notes.iter_rows(named=True):
            markdown = row["format"] == "markdown"
            note = Note(
                id=row["id"],
                parent_object_id=objects[row["parent_object"]],
                parent_record_id=row["parent_record_id"],
                title=row["title"],
                content_plaintext=markdown_to_plain(row["content"]) if markdown else row["content"],
                content_markdown=row["content"] if markdown else plain_to_markdown(row["content"]),
                created_by_actor={"type": row["actor_type"], "id": row["actor_id"]},
                created_at=row["created_at"],
                seq=self.ws.next_seq(),
            )
            self.ws.notes[note.id] = note
            rows.append((note.id, "note", note.seq, orjson.dumps(note)))
        self.ws.store.put_many("notes", rows)

    def tasks(self) -> None:
        companies = self.ws.object("companies").id
        rows = []
        for row in self.f.tasks.iter_rows(named=True):
            task = Task(
                id=row["id"],
                content_plaintext=row["content"],
                deadline_at=row["deadline_at"],
                is_completed=row["is_completed"],
                linked_records=[{"target_object_id": companies, "target_record_id": row["company_id"]}],
                assignees=[
                    {"referenced_actor_type": "workspace-member", "referenced_actor_id": row["assignee"]}
                ],
                created_by_actor={"type": row["actor_type"], "id": row["actor_id"]},
                created_at=row["created_at"],
                completed_at=row["completed_at"],
                seq=self.ws.next_seq(),
            )
            self.ws.tasks[task.id] = task
            rows.append((task.id, "task", task.seq, orjson.dumps(task)))
        self.ws.store.put_many("tasks", rows)

    def persist(self) -> None:
        """Write every record and entry to the store and index unique values."""
        rows: list[tuple[str, str, int, bytes]] = []
        for records in self.ws.records.values():
            for rec in records.values():
                self.ws.index_unique(rec)
                rows.append((rec.id, "record", rec.seq, rec.doc()))
        for entries in self.ws.entries.values():
            rows += [(e.id, "entry", e.seq, e.doc()) for e in entries.values()]
        self.ws.store.put_many("records", rows)
        self.ws.store.commit()


def _interaction(values: dict[str, list[JSON]], a: dict[str, str], row: dict[str, Any]) -> None:
    """Attio's system-written interaction values (read-only over the API)."""
    if row["last_interaction_at"] is None:
        return
    make = ValueMaker(row["last_interaction_at"], {"type": "system", "id": None})
    value = make.interaction(
        row["last_interaction_type"], row["last_interaction_at"], row["last_interaction_owner"]
    )
    values[a["last_interaction"]] = [value]
    if row["last_interaction_type"] == "email":
        values[a["last_email_interaction"]] = [dict(value)]
    elif row["last_interaction_type"] == "calendar-event":
        values[a["last_calendar_interaction"]] = [dict(value)]


def _attr(
    ws: Workspace,
    parent_id: str,
    slug: str,
    title: str,
    attr_type: str,
    *,
    kind: str = "objects",
    allowed: list[str] | None = None,
    options: tuple[str, ...] = (),
    statuses: tuple[str, ...] = (),
    currency: str | None = None,
) -> None:
    ws.add_attribute(
        Attribute(
            id=ws.make_id("attribute"),
            parent_kind=kind,
            parent_id=parent_id,
            api_slug=slug,
            title=title,
            type=attr_type,
            created_at=now_ts(),
            currency_code=currency,
            currency_display="symbol" if currency else None,
            allowed_object_ids=[ws.object(s).id for s in allowed] if allowed else None,
            options=[SelectOption(ws.make_id("option"), t) for t in options],
            statuses=[Status(ws.make_id("status"), t, celebration_enabled=t == "Invested") for t in statuses],
        )
    )

"""The ``demo`` seed: a venture fund's workspace with known defects and the ground truth beside it.

Deterministic for a given ``seed`` and ``scale``. Planted defects (all listed in :class:`GroundTruth`):

* a re-imported batch of notes: copies of notes first imported by the ``affinity-import`` token, with
  the same parent, title and content, created by the ``affinity-reimport`` token with fresh dates; for
  some of them the original was deleted, so only the copy survives (``reimport_only_notes``, with the
  original date, which ``notes_source.json`` — the source export — also gives);
* fuzzy duplicate companies (suffix and case variants, typos, ``www.`` and TLD variants, a company split
  across two records with unrelated domains) and people (nicknames, swapped name order, a second email,
  other phone formats, typos);
* list entries whose parent company is gone, and companies entered twice in the pipeline list.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from ..clock import IdFactory, format_ts
from ..model import READ_ONLY_SCOPES, Member, Note, Record, Task, Token
from ..workspace import Workspace
from . import words as W
from .ground_truth import GroundTruth
from .values import ValueMaker

JSON = dict[str, Any]
BASE_COMPANIES = 5000
BASE_PEOPLE = 15000
BASE_NOTES = 30000
BASE_REIMPORTED = 3000
BASE_PIPELINE = 1500
BASE_TASKS = 1200
BASE_DEALS = 300
DUPLICATE_COMPANY_RATE = 0.04
DUPLICATE_PERSON_RATE = 0.04
REIMPORT_ONLY_SHARE = 0.05
ORPHAN_ENTRY_RATE = 0.04
DUPLICATE_ENTRY_RATE = 0.05
IMPORT_MOMENT = datetime(2024, 3, 12, 9, 30, tzinfo=UTC)
REIMPORT_MOMENT = datetime(2026, 3, 3, 14, 0, tzinfo=UTC)
EPOCH = datetime(2018, 1, 1, tzinfo=UTC)
LATEST = datetime(2026, 10, 31, tzinfo=UTC)


@dataclass
class SeedResult:
    """What a seed made that callers need: tokens by name (secrets included) and the ground truth."""

    tokens: dict[str, Token]
    ground_truth: GroundTruth
    notes_source: list[JSON] = field(default_factory=list)


def _ts(rng: random.Random, start: datetime = EPOCH, end: datetime = LATEST) -> str:
    span = (end - start).total_seconds()
    return format_ts(start + timedelta(seconds=rng.random() * span))


class _Builder:
    """Holds the id factory, RNG and lookups while one demo workspace is built."""

    def __init__(self, ws: Workspace, scale: float, seed: int) -> None:
        self.ws = ws
        self.rng = random.Random(seed)
        self.ids = IdFactory(f"demo/{seed}/{scale}")
        ws.make_id = self.ids
        self.scale = scale
        self.truth = GroundTruth(seed=seed, scale=scale)
        self.attr_ids: dict[str, dict[str, str]] = {}
        self.options: dict[tuple[str, str], dict[str, JSON]] = {}
        self.companies: list[Record] = []
        self.company_domain: dict[str, str] = {}
        self.company_by_id: dict[str, Record] = {}
        self.planted_people: set[str] = set()
        self.company_city: dict[str, tuple[str, str, str, str, str]] = {}
        self.people: list[Record] = []
        self.notes: list[Note] = []

    def n(self, base: int) -> int:
        return max(1, round(base * self.scale))

    def attrs(self, parent_id: str) -> dict[str, str]:
        if parent_id not in self.attr_ids:
            self.attr_ids[parent_id] = {a.api_slug: a.id for a in self.ws.attributes_of(parent_id)}
        return self.attr_ids[parent_id]

    def choice_values(self, parent_id: str, slug: str) -> dict[str, JSON]:
        key = (parent_id, slug)
        if key not in self.options:
            attr = self.ws.find_attribute(parent_id, slug)
            assert attr is not None
            if attr.type == "status":
                self.options[key] = {s.title: attr.status_to_api(self.ws.id, s) for s in attr.statuses}
            else:
                self.options[key] = {o.title: attr.option_to_api(self.ws.id, o) for o in attr.options}
        return self.options[key]

    def new_record(
        self,
        parent_id: str,
        created_at: str,
        actor: JSON,
        *,
        parent_record_id: str | None = None,
        parent_object_id: str | None = None,
    ) -> tuple[Record, ValueMaker]:
        kind_is_entry = parent_record_id is not None
        rec = Record(
            id=self.ids("entry" if kind_is_entry else "record"),
            parent_id=parent_id,
            created_at=created_at,
            parent_record_id=parent_record_id,
            parent_object_id=parent_object_id,
        )
        rec.seq = self.ws.next_seq()
        make = ValueMaker(created_at, actor)
        a = self.attrs(parent_id)
        rec.values[a["entry_id" if kind_is_entry else "record_id"]] = [make.text(rec.id)]
        rec.values[a["created_at"]] = [make.timestamp(created_at)]
        rec.values[a["created_by"]] = [make.actor(actor["type"], actor["id"])]
        return rec, make


def seed_demo(ws: Workspace, *, scale: float = 1.0, seed: int = 42) -> SeedResult:
    """Fill an empty store with the demo workspace; returns tokens and the planted ground truth."""
    b = _Builder(ws, scale, seed)
    ws.initialise("Northwind Ventures", "northwind-ventures", workspace_id=b.ids("workspace"))
    members = _members(b)
    tokens = _tokens(b, members)
    actors = {
        "import": tokens["affinity-import"].actor(),
        "reimport": tokens["affinity-reimport"].actor(),
        "primary": tokens["primary"].actor(),
        "members": [{"type": "workspace-member", "id": m.id} for m in members],
    }
    _companies(b, actors)
    _people(b, actors)
    investments = _investments_object(b, actors, members)
    pipeline = _pipeline(b, actors, members)
    _deals(b, actors, members)
    notes_source = _notes(b, actors)
    _tasks(b, actors, members)
    _persist_records(b)
    ws.store.commit()
    b.truth.counts = ws.counts()
    b.truth.tokens = {name: t.id for name, t in tokens.items()}
    b.truth.objects = {"investments": investments, "pipeline": pipeline}
    return SeedResult(tokens, b.truth, notes_source)


def _members(b: _Builder) -> list[Member]:
    people = [
        ("Ava", "Lindgren", "admin"),
        ("Marcus", "Oyelaran", "admin"),
        ("Sofia", "Bianchi", "member"),
        ("Daniel", "Okafor", "member"),
        ("Hannah", "Weiss", "member"),
        ("Leo", "Tanaka", "member"),
        ("Priya", "Raman", "member"),
        ("Oscar", "Dahl", "suspended"),
    ]
    out = []
    for first, last, level in people:
        member = Member(
            id=b.ids("member"),
            first_name=first,
            last_name=last,
            email_address=f"{first.lower()}@northwind.vc",
            access_level=level,
            created_at=_ts(b.rng, EPOCH, EPOCH + timedelta(days=400)),
        )
        b.ws.add_member(member)
        out.append(member)
    return out


def _tokens(b: _Builder, members: list[Member]) -> dict[str, Token]:
    made = {
        "primary": Token(b.ids("token"), secrets.token_hex(32), "primary", member_id=members[0].id),
        "affinity-import": Token(
            b.ids("token"), secrets.token_hex(32), "affinity-import", member_id=members[1].id
        ),
        "affinity-reimport": Token(
            b.ids("token"), secrets.token_hex(32), "affinity-reimport", member_id=members[1].id
        ),
        "readonly": Token(b.ids("token"), secrets.token_hex(32), "readonly", READ_ONLY_SCOPES, members[2].id),
    }
    for token in made.values():
        b.ws.add_token(token)
    return made


def _company_name(rng: random.Random) -> tuple[str, str]:
    stem = (rng.choice(W.SYLLABLES_A) + rng.choice(W.SYLLABLES_B)).capitalize()
    if rng.random() < 0.35:
        stem += rng.choice(W.SYLLABLES_B)
    word = rng.choice(W.COMPANY_WORDS) if rng.random() < 0.6 else ""
    return stem, word


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 4:
        return text + text[-1]
    i = rng.randrange(1, len(text) - 1)
    match rng.randrange(3):
        case 0:
            return text[:i] + text[i + 1 :]
        case 1:
            return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
        case _:
            return text[:i] + text[i] + text[i:]


def _companies(b: _Builder, actors: JSON) -> None:
    rng, ws = b.rng, b.ws
    obj = ws.objects_by_slug()["companies"]
    a = b.attrs(obj.id)
    categories = b.choice_values(obj.id, "categories")
    employee = b.choice_values(obj.id, "employee_range")
    used_domains: set[str] = set()
    count = b.n(BASE_COMPANIES)
    planted = round(count * DUPLICATE_COMPANY_RATE)
    originals: list[tuple[Record, str, str, str, str]] = []
    while len(originals) < count:
        stem, word = _company_name(rng)
        tld = rng.choice(W.TLDS)
        domain = f"{stem.lower()}{word.lower()}.{tld}"
        if domain in used_domains:
            continue
        used_domains.add(domain)
        suffix = rng.choice(W.LEGAL_SUFFIXES) if rng.random() < 0.3 else ""
        name = " ".join(p for p in (stem, word, suffix) if p)
        actor = actors["import"] if rng.random() < 0.6 else rng.choice(actors["members"])
        created = format_ts(IMPORT_MOMENT) if actor is actors["import"] else _ts(rng, IMPORT_MOMENT, LATEST)
        rec = _company_record(b, obj.id, a, created, actor, name, [domain], categories, employee)
        originals.append((rec, stem, word, suffix, tld))
    for i in range(planted):
        rec, stem, word, suffix, tld = originals[i * (count // max(planted, 1))]
        variant = ("suffix", "typo", "tld", "split", "subdomain")[i % 5]
        base_domain = b.company_domain[rec.id]
        if variant == "suffix":
            new_suffix = rng.choice([s for s in W.LEGAL_SUFFIXES if s != suffix])
            name = " ".join(p for p in (stem.upper(), word, new_suffix) if p)
            domain = f"www.{base_domain}"
        elif variant == "typo":
            name = " ".join(p for p in (_typo(rng, stem), word, suffix) if p)
            domain = f"{stem.lower()}{word.lower()}.{rng.choice([t for t in ('io', 'co', 'ai', 'net') if t != tld])}"
        elif variant == "tld":
            name = " ".join(p for p in (stem, word) if p)
            domain = f"{stem.lower()}{word.lower()}.{rng.choice([t for t in ('io', 'app', 'co', 'net') if t != tld])}"
        elif variant == "split":
            name = (
                " ".join(p for p in (stem, word, suffix) if p).lower()
                if rng.random() < 0.5
                else " ".join(p for p in (stem, word) if p)
            )
            domain = f"{rng.choice(['get', 'try', 'use', 'join'])}{stem.lower()}{word.lower()}.com"
        else:
            name = " ".join(p for p in (stem, word) if p)
            domain = f"{rng.choice(['app', 'eu', 'us', 'go'])}.{base_domain}"
        if domain in used_domains:
            continue
        used_domains.add(domain)
        actor = rng.choice(actors["members"])
        dup = _company_record(
            b, obj.id, a, _ts(rng, IMPORT_MOMENT, LATEST), actor, name, [domain], categories, employee
        )
        b.truth.duplicate_companies.append({"ids": [rec.id, dup.id], "variant": variant})


def _company_record(
    b: _Builder,
    object_id: str,
    a: dict[str, str],
    created: str,
    actor: JSON,
    name: str,
    domains: list[str],
    categories: dict[str, JSON],
    employee: dict[str, JSON],
) -> Record:
    rng = b.rng
    rec, make = b.new_record(object_id, created, actor)
    city = rng.choice(W.CITIES)
    rec.values[a["name"]] = [make.text(name)]
    rec.values[a["domains"]] = [make.domain(d) for d in domains]
    rec.values[a["categories"]] = [
        make.option(categories[c]) for c in rng.sample(sorted(categories), rng.randint(0, 2))
    ]
    rec.values[a["primary_location"]] = [make.location(city[0], city[1], city[2])]
    if rng.random() < 0.7:
        rec.values[a["description"]] = [
            make.text(
                f"{name} builds {rng.choice(W.COMPANY_WORDS).lower()} products for {rng.choice(['SMBs', 'enterprises', 'developers', 'consumers', 'hospitals', 'banks'])}."
            )
        ]
    if rng.random() < 0.5:
        slug = name.split(maxsplit=1)[0].lower()
        rec.values[a["linkedin"]] = [make.text(f"https://www.linkedin.com/company/{slug}")]
    system = ValueMaker(created, {"type": "system", "id": None})
    if rng.random() < 0.4:
        rec.values[a["employee_range"]] = [system.option(employee[rng.choice(sorted(employee))])]
    b.companies.append(rec)
    b.company_by_id[rec.id] = rec
    b.company_domain[rec.id] = domains[0]
    b.company_city[rec.id] = city
    b.ws.records[object_id][rec.id] = rec
    return rec


def _email_for(rng: random.Random, first: str, last: str, domain: str) -> str:
    local = rng.choice([f"{first}.{last}", f"{first}", f"{first[0]}{last}", f"{first}{last[0]}"]).lower()
    return f"{local}@{domain.removeprefix('www.')}"


def _phone(rng: random.Random, city: tuple[str, str, str, str, str], digits: str, style: int) -> str:
    prefix, area = city[3], city[4]
    match style:
        case 0:
            return f"{prefix} {area} {digits[:4]} {digits[4:]}"
        case 1:
            return f"{prefix}{area}{digits}"
        case _:
            return f"{prefix} ({area}) {digits[:3]}-{digits[3:]}"


def _people(b: _Builder, actors: JSON) -> None:
    rng, ws = b.rng, b.ws
    obj = ws.objects_by_slug()["people"]
    companies_obj = ws.objects_by_slug()["companies"]
    a = b.attrs(obj.id)
    team_attr = b.attrs(companies_obj.id)["team"]
    used_emails: set[str] = set()
    count = b.n(BASE_PEOPLE)
    planted = round(count * DUPLICATE_PERSON_RATE)
    made: list[tuple[Record, str, str, str, str | None]] = []
    while len(made) < count:
        first, last = rng.choice(W.FIRST_NAMES), rng.choice(W.LAST_NAMES)
        company = rng.choice(b.companies) if rng.random() < 0.9 else None
        domain = (
            b.company_domain[company.id] if company else rng.choice(["gmail.com", "outlook.com", "yahoo.com"])
        )
        email = _email_for(rng, first, last, domain)
        if email in used_emails:
            continue
        used_emails.add(email)
        phone = None
        city = b.company_city[company.id] if company else rng.choice(W.CITIES)
        if rng.random() < 0.6:
            phone = _phone(rng, city, f"{rng.randrange(10**6, 10**7)}", rng.randrange(3))
        actor = actors["import"] if rng.random() < 0.6 else rng.choice(actors["members"])
        created = format_ts(IMPORT_MOMENT) if actor is actors["import"] else _ts(rng, IMPORT_MOMENT, LATEST)
        rec = _person_record(
            b, obj.id, a, team_attr, created, actor, first, last, [email], phone, city, company
        )
        made.append((rec, first, last, email, phone))
    nicknamed = [m for m in made if m[1] in W.NICKNAMES]
    for i in range(planted):
        variant = ("nickname", "swapped", "second_email", "phone_format", "typo")[i % 5]
        if variant == "nickname" and nicknamed:
            rec, first, last, email, phone = nicknamed[(i * 7919) % len(nicknamed)]
        else:
            rec, first, last, email, phone = made[i * (count // max(planted, 1))]
        if rec.id in b.planted_people:
            continue
        b.planted_people.add(rec.id)
        company_id = _company_of(b, rec, a)
        company = b.company_by_id.get(company_id) if company_id else None
        city = b.company_city[company.id] if company else rng.choice(W.CITIES)
        new_first, new_last = first, last
        if variant == "nickname":
            new_first = W.NICKNAMES.get(first, first)
        elif variant == "swapped":
            new_first, new_last = last, first
        elif variant == "typo":
            new_last = _typo(rng, last)
        new_email = f"{(new_first + '.' + new_last).lower()}{rng.randrange(10, 99)}@{rng.choice(['gmail.com', 'outlook.com', 'icloud.com'])}"
        if new_email in used_emails:
            continue
        used_emails.add(new_email)
        new_phone = phone
        if phone is not None:
            digits = "".join(ch for ch in phone if ch.isdigit())[-7:]
            new_phone = _phone(rng, city, digits, (rng.randrange(3) + 1) % 3)
        elif variant == "phone_format":
            digits = f"{rng.randrange(10**6, 10**7)}"
            phone = _phone(rng, city, digits, 0)
            new_phone = _phone(rng, city, digits, 2)
            rec.values[a["phone_numbers"]] = [
                ValueMaker(rec.created_at, rec.values[a["created_by"]][0]["created_by_actor"]).phone(
                    phone, city[2]
                )
            ]
        actor = rng.choice(actors["members"])
        dup = _person_record(
            b,
            obj.id,
            a,
            team_attr,
            _ts(rng, IMPORT_MOMENT, LATEST),
            actor,
            new_first,
            new_last,
            [new_email],
            new_phone,
            city,
            company,
        )
        b.truth.duplicate_people.append({"ids": [rec.id, dup.id], "variant": variant})


def _company_of(b: _Builder, rec: Record, a: dict[str, str]) -> str | None:
    refs = rec.values.get(a["company"], [])
    return refs[0]["target_record_id"] if refs else None


def _person_record(
    b: _Builder,
    object_id: str,
    a: dict[str, str],
    team_attr: str,
    created: str,
    actor: JSON,
    first: str,
    last: str,
    emails: list[str],
    phone: str | None,
    city: tuple[str, str, str, str, str],
    company: Record | None,
) -> Record:
    rng = b.rng
    rec, make = b.new_record(object_id, created, actor)
    rec.values[a["name"]] = [make.name(first, last)]
    rec.values[a["email_addresses"]] = [make.email(e) for e in emails]
    if phone:
        rec.values[a["phone_numbers"]] = [make.phone(phone, city[2])]
    rec.values[a["primary_location"]] = [make.location(city[0], city[1], city[2])]
    if rng.random() < 0.8:
        rec.values[a["job_title"]] = [make.text(rng.choice(W.JOB_TITLES))]
    if rng.random() < 0.4:
        rec.values[a["linkedin"]] = [
            make.text(f"https://www.linkedin.com/in/{first.lower()}-{last.lower()}-{rng.randrange(100, 999)}")
        ]
    if company is not None:
        rec.values[a["company"]] = [make.ref("companies", company.id)]
        company.values.setdefault(team_attr, []).insert(0, make.ref("people", rec.id))
    b.people.append(rec)
    b.ws.records[object_id][rec.id] = rec
    return rec


def _investments_object(b: _Builder, actors: JSON, members: list[Member]) -> str:
    """A custom object ``investments`` (one per portfolio cheque) with attributes of several types."""
    from ..records import create_record

    ws = b.ws
    obj = ws.create_object("investments", "Investment", "Investments")
    _custom_attr(b, obj.id, "company", "Company", "record-reference", allowed=["companies"])
    _custom_attr(b, obj.id, "round", "Round", "select", options=W.ROUNDS)
    _custom_attr(b, obj.id, "amount", "Amount", "currency", currency="USD")
    _custom_attr(b, obj.id, "invested_on", "Invested on", "date")
    _custom_attr(b, obj.id, "fund", "Fund", "select", options=("Fund I", "Fund II", "Fund III"))
    _custom_attr(b, obj.id, "lead_partner", "Lead partner", "actor-reference")
    _custom_attr(b, obj.id, "ownership", "Ownership %", "number")
    _custom_attr(b, obj.id, "pro_rata", "Pro-rata rights", "checkbox")
    _custom_attr(b, obj.id, "memo_url", "Memo", "text")
    _custom_attr(b, obj.id, "next_review_at", "Next review", "timestamp")
    rng = b.rng
    invested = rng.sample(b.companies, min(len(b.companies), b.n(120)))
    for company in invested:
        created = _ts(rng, EPOCH, LATEST)
        values = {
            "company": [{"target_object": "companies", "target_record_id": company.id}],
            "round": rng.choice(W.ROUNDS),
            "amount": round(rng.uniform(0.25, 8) * 1_000_000, 2),
            "invested_on": created[:10],
            "fund": rng.choice(["Fund I", "Fund II", "Fund III"]),
            "lead_partner": {
                "referenced_actor_type": "workspace-member",
                "referenced_actor_id": rng.choice(members[:3]).id,
            },
            "ownership": round(rng.uniform(1, 20), 2),
            "pro_rata": rng.random() < 0.7,
            "memo_url": f"https://docs.northwind.vc/memos/{company.id[:8]}",
        }
        rec = create_record(ws, obj.id, values, actors["primary"])
        rec.created_at = created
        ws.save_record(rec)
    return obj.id


def _custom_attr(
    b: _Builder,
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
    multi: bool = False,
) -> None:
    from ..clock import now_ts
    from ..model import Attribute, SelectOption, Status

    attr = Attribute(
        id=b.ids("attribute"),
        parent_kind=kind,
        parent_id=parent_id,
        api_slug=slug,
        title=title,
        type=attr_type,
        created_at=now_ts(),
        is_multiselect=multi,
        currency_code=currency,
        currency_display="symbol" if currency else None,
        allowed_object_ids=[b.ws.object(s).id for s in allowed] if allowed else None,
        options=[SelectOption(b.ids("option"), t) for t in options],
        statuses=[Status(b.ids("status"), t, celebration_enabled=t == "Invested") for t in statuses],
    )
    b.ws.add_attribute(attr)
    b.attr_ids.pop(parent_id, None)


def _pipeline(b: _Builder, actors: JSON, members: list[Member]) -> str:
    """The ``pipeline`` list on companies, with planted orphan and duplicate entries."""
    rng, ws = b.rng, b.ws
    li = ws.create_list("Deal pipeline", "pipeline", "companies", "full-access", [], actors["primary"])
    _custom_attr(b, li.id, "stage", "Stage", "status", kind="lists", statuses=W.PIPELINE_STAGES)
    _custom_attr(b, li.id, "owner", "Owner", "actor-reference", kind="lists")
    _custom_attr(b, li.id, "round", "Round", "select", kind="lists", options=W.ROUNDS)
    _custom_attr(b, li.id, "check_size", "Check size", "currency", kind="lists", currency="USD")
    _custom_attr(b, li.id, "conviction", "Conviction", "rating", kind="lists")
    _custom_attr(b, li.id, "source", "Source", "select", kind="lists", options=W.DEAL_SOURCES)
    _custom_attr(b, li.id, "next_step", "Next step", "text", kind="lists")
    _custom_attr(b, li.id, "first_contact", "First contact", "date", kind="lists")
    a = b.attrs(li.id)
    stages = b.choice_values(li.id, "stage")
    rounds = b.choice_values(li.id, "round")
    sources = b.choice_values(li.id, "source")
    companies_id = ws.objects_by_slug()["companies"].id
    count = b.n(BASE_PIPELINE)
    chosen = rng.sample(b.companies, min(count, len(b.companies)))

    def entry_for(parent_id: str) -> Record:
        actor = rng.choice(actors["members"]) if rng.random() < 0.7 else actors["import"]
        created = _ts(rng, EPOCH, LATEST)
        rec, make = b.new_record(
            li.id, created, actor, parent_record_id=parent_id, parent_object_id=companies_id
        )
        rec.values[a["stage"]] = [make.status(stages[rng.choice(W.PIPELINE_STAGES)])]
        rec.values[a["owner"]] = [make.actor("workspace-member", rng.choice(members).id)]
        rec.values[a["round"]] = [make.option(rounds[rng.choice(W.ROUNDS)])]
        if rng.random() < 0.7:
            rec.values[a["check_size"]] = [make.currency(round(rng.uniform(0.1, 5) * 1_000_000, 2), "USD")]
        rec.values[a["conviction"]] = [make.rating(rng.randint(1, 5))]
        rec.values[a["source"]] = [make.option(sources[rng.choice(W.DEAL_SOURCES)])]
        if rng.random() < 0.5:
            rec.values[a["next_step"]] = [
                make.text(
                    rng.choice(
                        [
                            "Send term sheet",
                            "Schedule partner meeting",
                            "Reference calls",
                            "Wait for Q3 numbers",
                            "Intro to co-investor",
                        ]
                    )
                )
            ]
        rec.values[a["first_contact"]] = [make.date(created[:10])]
        ws.entries[li.id][rec.id] = rec
        return rec

    for company in chosen:
        entry_for(company.id)
    for company in rng.sample(chosen, round(len(chosen) * DUPLICATE_ENTRY_RATE)):
        first = next(e for e in ws.entries[li.id].values() if e.parent_record_id == company.id)
        second = entry_for(company.id)
        b.truth.duplicate_entries.append({"ids": [first.id, second.id], "parent_record_id": company.id})
    for _ in range(round(len(chosen) * ORPHAN_ENTRY_RATE)):
        ghost = b.ids("record")
        entry = entry_for(ghost)
        b.truth.orphan_entries.append({"id": entry.id, "parent_record_id": ghost})
    return li.id


def _deals(b: _Builder, actors: JSON, members: list[Member]) -> None:
    rng, ws = b.rng, b.ws
    obj = ws.objects_by_slug()["deals"]
    companies_obj = ws.objects_by_slug()["companies"]
    a = b.attrs(obj.id)
    assoc_deals = b.attrs(companies_obj.id)["associated_deals"]
    stages = b.choice_values(obj.id, "stage")
    for company in rng.sample(b.companies, min(len(b.companies), b.n(BASE_DEALS))):
        actor = rng.choice(actors["members"])
        rec, make = b.new_record(obj.id, _ts(rng, IMPORT_MOMENT, LATEST), actor)
        name = company.values[b.attrs(companies_obj.id)["name"]][0]["value"]
        rec.values[a["name"]] = [make.text(f"{name} — {rng.choice(W.ROUNDS)}")]
        rec.values[a["stage"]] = [make.status(stages[rng.choice(sorted(stages))])]
        rec.values[a["owner"]] = [make.actor("workspace-member", rng.choice(members).id)]
        rec.values[a["value"]] = [make.currency(round(rng.uniform(0.5, 10) * 1_000_000, 2), "USD")]
        rec.values[a["associated_company"]] = [make.ref("companies", company.id)]
        company.values.setdefault(assoc_deals, []).insert(0, make.ref("deals", rec.id))
        ws.records[obj.id][rec.id] = rec


def _persist_records(b: _Builder) -> None:
    """Write the directly built records and entries to the store and index their unique values."""
    ws = b.ws
    rows: list[tuple[str, str, int, bytes]] = []
    for obj_slug in ("companies", "people", "deals"):
        for rec in ws.records[ws.objects_by_slug()[obj_slug].id].values():
            ws.index_unique(rec)
            rows.append((rec.id, "record", rec.seq, rec.doc()))
    for entries in ws.entries.values():
        rows += [(e.id, "entry", e.seq, e.doc()) for e in entries.values()]
    ws.store.put_many("records", rows)


def _note_content(rng: random.Random, markdown: bool) -> str:
    sentences = [
        s.format(
            pct=rng.randint(5, 80),
            round=rng.choice(W.ROUNDS),
            amount=rng.randint(1, 40),
            burn=rng.randint(50, 900),
            runway=rng.randint(6, 30),
            city=rng.choice(W.CITIES)[0],
            team=rng.randint(4, 120),
            weeks=rng.randint(1, 8),
            deals=rng.randint(2, 25),
        )
        for s in rng.sample(W.NOTE_SENTENCES, rng.randint(2, 5))
    ]
    if not markdown:
        return "\n".join(sentences)
    return (
        "## Summary\n"
        + "\n".join(f"- {s}" for s in sentences)
        + f"\n\n**Next:** {rng.choice(['follow up', 'pass', 'partner meeting'])}"
    )


def _notes(b: _Builder, actors: JSON) -> list[JSON]:
    """Original notes, template notes (same text on many records), the re-imported batch, and the source export."""
    rng, ws = b.rng, b.ws
    from ..routes import _markdown_to_plain, _plain_to_markdown

    companies_id = ws.objects_by_slug()["companies"].id
    people_id = ws.objects_by_slug()["people"].id
    total = b.n(BASE_NOTES)
    reimported = b.n(BASE_REIMPORTED)
    originals = total - reimported
    imported: list[Note] = []
    source: list[JSON] = []
    template = "## Intro call agenda\n- Team\n- Traction\n- Fundraise"

    def make_note(
        parent_obj: str, parent: str, title: str, content: str, markdown: bool, actor: JSON, created: str
    ) -> Note:
        note = Note(
            id=b.ids("note"),
            parent_object_id=parent_obj,
            parent_record_id=parent,
            title=title,
            content_plaintext=_markdown_to_plain(content) if markdown else content,
            content_markdown=content if markdown else _plain_to_markdown(content),
            created_by_actor=actor,
            created_at=created,
            seq=ws.next_seq(),
        )
        ws.notes[note.id] = note
        return note

    for i in range(originals):
        on_company = rng.random() < 0.55
        parent = rng.choice(b.companies if on_company else b.people)
        parent_obj = companies_id if on_company else people_id
        markdown = rng.random() < 0.5
        if i % 40 == 0:
            title, content, markdown = "Intro call", template, True
        else:
            title, content = rng.choice(W.NOTE_TITLES), _note_content(rng, markdown)
        from_affinity = rng.random() < 0.45
        actor = actors["import"] if from_affinity else rng.choice(actors["members"] + [actors["primary"]])
        end = IMPORT_MOMENT if from_affinity else LATEST
        created = _ts(rng, EPOCH, end)
        note = make_note(parent_obj, parent.id, title, content, markdown, actor, created)
        if from_affinity:
            imported.append(note)
            source.append(
                {
                    "affinity_note_id": 10_000_000 + len(source),
                    "parent_object": ws.object_slug(parent_obj),
                    "parent_record_id": parent.id,
                    "title": title,
                    "content": content,
                    "format": "markdown" if markdown else "plaintext",
                    "created_at": created,
                }
            )
    copies = rng.sample(imported, min(reimported, len(imported)))
    reimport_only = set(rng.sample(range(len(copies)), round(len(copies) * REIMPORT_ONLY_SHARE)))
    moment = REIMPORT_MOMENT
    for i, original in enumerate(copies):
        moment += timedelta(milliseconds=rng.randint(50, 400))
        copy = make_note(
            original.parent_object_id,
            original.parent_record_id,
            original.title,
            original.content_markdown,
            True,
            actors["reimport"],
            format_ts(moment),
        )
        copy.content_plaintext = original.content_plaintext
        if i in reimport_only:
            del ws.notes[original.id]
            b.truth.reimport_only_notes.append({"id": copy.id, "original_created_at": original.created_at})
        else:
            b.truth.duplicate_notes.append({"id": copy.id, "original_id": original.id})
    ws.store.put_many("notes", ((n.id, "note", n.seq, orjson.dumps(_asdict(n))) for n in ws.notes.values()))
    return source


def _asdict(note: Note) -> JSON:
    from dataclasses import asdict

    return asdict(note)


def _tasks(b: _Builder, actors: JSON, members: list[Member]) -> None:
    rng, ws = b.rng, b.ws
    companies_id = ws.objects_by_slug()["companies"].id
    verbs: list[Callable[[str], str]] = [
        lambda n: f"Send follow-up to {n}",
        lambda n: f"Book partner meeting with {n}",
        lambda n: f"Check references for {n}",
        lambda n: f"Review Q3 numbers from {n}",
    ]
    name_attr = b.attrs(companies_id)["name"]
    for _ in range(b.n(BASE_TASKS)):
        company = rng.choice(b.companies)
        created = _ts(rng, IMPORT_MOMENT, LATEST)
        done = rng.random() < 0.5
        task = Task(
            id=b.ids("task"),
            content_plaintext=rng.choice(verbs)(company.values[name_attr][0]["value"]),
            deadline_at=_ts(rng, IMPORT_MOMENT, LATEST + timedelta(days=60)) if rng.random() < 0.8 else None,
            is_completed=done,
            linked_records=[{"target_object_id": companies_id, "target_record_id": company.id}],
            assignees=[
                {"referenced_actor_type": "workspace-member", "referenced_actor_id": rng.choice(members).id}
            ],
            created_by_actor=rng.choice(actors["members"] + [actors["primary"]]),
            created_at=created,
            completed_at=created if done else None,
            seq=ws.next_seq(),
        )
        ws.tasks[task.id] = task
    ws.store.put_many(
        "tasks", ((t.id, "task", t.seq, orjson.dumps(_task_dict(t))) for t in ws.tasks.values())
    )


def _task_dict(task: Task) -> JSON:
    from dataclasses import asdict

    return asdict(task)

"""One Attio workspace held by the sandbox: schema, records, entries, notes, tasks, members and tokens.

Reads come from memory; every change goes through here and is written to the :class:`Store`.
Record and entry value writes live in :mod:`.writes`, filters in :mod:`.filters`.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from typing import Any, TypeVar

import orjson

from .clock import IdFactory, new_id, now_ts
from .errors import NotFound, SlugConflict, ValidationError, ValueNotFound
from .model import (
    KNOWN_SCOPE_AREAS,
    STANDARD_SCOPES,
    Attribute,
    Container,
    ListDef,
    Member,
    Note,
    ObjectDef,
    Ordered,
    Record,
    SelectOption,
    Status,
    Task,
    Token,
)
from .schema import ENRICHED_ATTRIBUTES, ENTRY_SYSTEM_ATTRIBUTES, STANDARD_OBJECTS, AttrSpec
from .store import Store
from .value_types import normalise_domain, value_key

JSON = dict[str, Any]
SYSTEM_ACTOR: JSON = {"type": "system", "id": None}
_Def = TypeVar("_Def", ObjectDef, ListDef)


def _by_slug_or_id(defs: dict[str, _Def], slug_or_id: str, noun: str) -> _Def:
    """The object or list (``noun``) among ``defs`` (by id) named by its id or API slug, or the 404."""
    found = defs.get(slug_or_id) or next((d for d in defs.values() if d.api_slug == slug_or_id), None)
    if found is None:
        raise NotFound(f'{noun} with slug/ID "{slug_or_id}" not found.')
    return found


class Workspace:
    """The state of one workspace. Not thread-safe: the sandbox serves it from one event loop."""

    def __init__(self, store: Store | None = None, *, ids: IdFactory | None = None) -> None:
        self.store = store or Store()
        self.make_id = ids or (lambda kind="": new_id())
        self.id = ""
        self.name = ""
        self.slug = ""
        self.tokens: dict[str, Token] = {}
        self.members: dict[str, Member] = {}
        self.objects: dict[str, ObjectDef] = {}
        self.lists: dict[str, ListDef] = {}
        self.attributes: dict[str, list[Attribute]] = {}
        self.records: dict[str, Container] = {}
        self.entries: dict[str, Container] = {}
        self.notes: Ordered[Note] = Ordered()
        self.tasks: Ordered[Task] = Ordered()
        self.merged: dict[str, str] = {}
        self.pending_merges: dict[str, float] = {}
        self.unique_index: dict[tuple[str, Any], str] = {}
        self.schema_version: dict[str, int] = {}
        self._seq = 0

    # ------------------------------------------------------------------ creation and loading
    def initialise(self, name: str, slug: str, *, workspace_id: str | None = None) -> None:
        """Make a fresh workspace with the standard objects (people, companies, deals)."""
        self.id = workspace_id or self.make_id("workspace")
        self.name, self.slug = name, slug
        self.store.put("meta", "workspace", "workspace", {"id": self.id, "name": name, "slug": slug})
        created = now_ts()
        for api_slug, (singular, plural, _specs) in STANDARD_OBJECTS.items():
            self._add_object(ObjectDef(self.make_id("object"), api_slug, singular, plural, created))
        for api_slug, (_s, _p, specs) in STANDARD_OBJECTS.items():
            obj_id = self.objects_by_slug()[api_slug].id
            for spec in specs:
                self._add_spec_attribute("objects", obj_id, spec, created)
        for api_slug, (_s, _p, specs) in STANDARD_OBJECTS.items():
            for spec in specs:
                if spec.ref:
                    self._pair_relationship(api_slug, spec)

    def _add_spec_attribute(self, kind: str, parent_id: str, spec: AttrSpec, created: str) -> Attribute:
        attr = Attribute(
            id=self.make_id("attribute"),
            parent_kind=kind,
            parent_id=parent_id,
            api_slug=spec.slug,
            title=spec.title,
            type=spec.type,
            created_at=created,
            is_system_attribute=True,
            is_writable=spec.writable,
            is_required=spec.required,
            is_unique=spec.unique,
            is_multiselect=spec.multi,
            default_value=dict(spec.default) if spec.default else None,
            currency_code=spec.currency,
            currency_display="symbol" if spec.currency else None,
            options=[SelectOption(self.make_id("option"), t) for t in spec.options],
            statuses=[
                Status(self.make_id("status"), t, celebration_enabled=t.startswith("Won"))
                for t in spec.statuses
            ],
        )
        if spec.ref:
            attr.allowed_object_ids = [self.objects_by_slug()[spec.ref[0]].id]
        self.add_attribute(attr)
        return attr

    def _pair_relationship(self, object_slug: str, spec: AttrSpec) -> None:
        assert spec.ref is not None
        here = self.attribute(object_slug, spec.slug, kind="objects")
        there = self.attribute(spec.ref[0], spec.ref[1], kind="objects")
        here.relationship_id, here.relationship_object_id = there.id, there.parent_id
        self.save_attribute(here)

    def load(self) -> bool:
        """Load the state from the store; ``False`` if the store holds no workspace yet."""
        if self.store.is_empty():
            return False
        for doc_id, kind, raw in self.store.rows("meta"):
            doc = orjson.loads(raw)
            if kind == "workspace":
                self.id, self.name, self.slug = doc["id"], doc["name"], doc["slug"]
            elif kind == "token":
                doc["scopes"] = tuple(doc["scopes"])
                token = Token(**doc)
                self.tokens[token.secret] = token
            elif kind == "member":
                self.members[doc_id] = Member(**doc)
            elif kind == "object":
                self.objects[doc_id] = ObjectDef(**doc)
            elif kind == "list":
                self.lists[doc_id] = ListDef(**doc)
            elif kind == "attribute":
                attr = Attribute.from_doc(doc)
                self.attributes.setdefault(attr.parent_id, []).append(attr)
            elif kind == "merged":
                self.merged[doc_id] = doc["new_id"]
        for attrs in self.attributes.values():
            attrs.sort(key=lambda a: a.order)
        for obj_id in self.objects:
            self.records.setdefault(obj_id, Container())
        for list_id in self.lists:
            self.entries.setdefault(list_id, Container())
        for _doc_id, kind, raw in self.store.rows("records"):
            rec = Record.from_doc(raw)
            (self.entries if kind == "entry" else self.records)[rec.parent_id][rec.id] = rec
            self.index_unique(rec)
        for _doc_id, _kind, raw in self.store.rows("notes"):
            note = Note(**orjson.loads(raw))
            self.notes[note.id] = note
        for _doc_id, _kind, raw in self.store.rows("tasks"):
            task = Task(**orjson.loads(raw))
            self.tasks[task.id] = task
        self._seq = max(
            [0]
            + [r.seq for recs in self.records.values() for r in recs.values()]
            + [e.seq for ents in self.entries.values() for e in ents.values()]
            + [n.seq for n in self.notes.values()]
            + [t.seq for t in self.tasks.values()]
        )
        return True

    def next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def commit(self) -> None:
        self.store.commit()

    # ------------------------------------------------------------------ tokens and members
    def add_token(self, token: Token) -> None:
        self.tokens[token.secret] = token
        self.store.put("meta", "token", f"token:{token.id}", asdict(token))

    def create_token(self, name: str, scopes: Sequence[str] | None = None) -> Token:
        """A new API token called ``name`` (unique), owned by the first admin, with ``scopes`` (standard
        read-write scopes by default); kept."""
        if any(t.name == name for t in self.tokens.values()):
            raise ValueError(f"a token named {name!r} exists already")
        unknown = [s for s in scopes or () if s.partition(":")[0] not in KNOWN_SCOPE_AREAS]
        if unknown or any(s.partition(":")[2] not in ("read", "read-write") for s in scopes or ()):
            raise ValueError(
                f"unknown scope(s) {', '.join(unknown) or ', '.join(scopes or ())}; scopes look like "
                f"note:read-write or record_permission:read (areas: {', '.join(KNOWN_SCOPE_AREAS)})"
            )
        owner = next((m.id for m in self.members.values() if m.access_level == "admin"), None)
        token = Token(
            self.make_id("token"),
            secrets.token_hex(32),
            name,
            tuple(scopes) if scopes else STANDARD_SCOPES,
            owner,
        )
        self.add_token(token)
        self.commit()
        return token

    def add_member(self, member: Member) -> None:
        self.members[member.id] = member
        self.store.put("meta", "member", member.id, asdict(member))

    def member_by_id(self, member_id: str) -> Member | None:
        return self.members.get(member_id)

    def member_by_email(self, email: str) -> Member | None:
        wanted = email.strip().lower()
        return next((m for m in self.members.values() if m.email_address.lower() == wanted), None)

    # ------------------------------------------------------------------ objects and lists
    def _add_object(self, obj: ObjectDef) -> None:
        self.objects[obj.id] = obj
        self.records.setdefault(obj.id, Container())
        self.store.put("meta", "object", obj.id, asdict(obj))

    def objects_by_slug(self) -> dict[str, ObjectDef]:
        return {o.api_slug: o for o in self.objects.values()}

    def object(self, slug_or_id: str) -> ObjectDef:
        """The object named by slug or id, or a 404 as Attio words it."""
        return _by_slug_or_id(self.objects, slug_or_id, "Object")

    def object_id_for(self, slug_or_id: str) -> str | None:
        try:
            return self.object(slug_or_id).id
        except NotFound:
            return None

    def object_slug(self, object_id: str) -> str:
        return self.objects[object_id].api_slug

    def create_object(self, api_slug: str, singular: str, plural: str) -> ObjectDef:
        if any(o.api_slug == api_slug for o in self.objects.values()):
            raise SlugConflict(f'An object with the API slug "{api_slug}" already exists.')
        obj = ObjectDef(self.make_id("object"), api_slug, singular, plural, now_ts())
        self._add_object(obj)
        created = obj.created_at
        self._add_spec_attribute(
            "objects",
            obj.id,
            AttrSpec("record_id", "Record ID", "text", writable=False, unique=True),
            created,
        )
        from .schema import CREATED

        for spec in CREATED:
            self._add_spec_attribute("objects", obj.id, spec, created)
        return obj

    def update_object(self, obj: ObjectDef, changes: JSON) -> ObjectDef:
        renamed = "api_slug" in changes and changes["api_slug"] != obj.api_slug
        if renamed and any(o.api_slug == changes["api_slug"] for o in self.objects.values()):
            raise SlugConflict(f'An object with the API slug "{changes["api_slug"]}" already exists.')
        for key in ("api_slug", "singular_noun", "plural_noun"):
            if key in changes:
                setattr(obj, key, changes[key])
        self.store.put("meta", "object", obj.id, asdict(obj))
        self.bump(obj.id)
        return obj

    def list_def(self, slug_or_id: str) -> ListDef:
        """The list named by slug or id, or a 404 as Attio words it."""
        return _by_slug_or_id(self.lists, slug_or_id, "List")

    def create_list(
        self,
        name: str,
        api_slug: str,
        parent_object: str,
        workspace_access: str | None,
        member_access: list[JSON],
        actor: JSON,
    ) -> ListDef:
        parent = self.object(parent_object)
        if any(li.api_slug == api_slug for li in self.lists.values()):
            raise SlugConflict(f'A list with the API slug "{api_slug}" already exists.')
        for grant in member_access:
            if grant.get("workspace_member_id") not in self.members:
                raise ValueNotFound(
                    f'Workspace member with ID "{grant.get("workspace_member_id")}" not found.'
                )
        if workspace_access != "full-access" and not any(
            g.get("level") == "full-access" for g in member_access
        ):
            raise ValidationError(
                "A list needs workspace_access of full-access or at least one member with full-access."
            )
        created = now_ts()
        li = ListDef(
            self.make_id("list"), api_slug, name, parent.id, workspace_access, member_access, actor, created
        )
        self.lists[li.id] = li
        self.entries[li.id] = Container()
        self.store.put("meta", "list", li.id, asdict(li))
        for spec in ENTRY_SYSTEM_ATTRIBUTES:
            self._add_spec_attribute("lists", li.id, spec, created)
        return li

    def save_list(self, li: ListDef) -> None:
        self.store.put("meta", "list", li.id, asdict(li))
        self.bump(li.id)

    def list_to_api(self, li: ListDef) -> JSON:
        return {
            "id": {"workspace_id": self.id, "list_id": li.id},
            "api_slug": li.api_slug,
            "name": li.name,
            "parent_object": [self.objects[li.parent_object_id].api_slug],
            "workspace_access": li.workspace_access,
            "workspace_member_access": li.workspace_member_access,
            "created_by_actor": li.created_by_actor,
            "created_at": li.created_at,
        }

    # ------------------------------------------------------------------ attributes
    def parent(self, kind: str, slug_or_id: str) -> str:
        """The id of an object (``kind == "objects"``) or list named by slug or id."""
        if kind == "objects":
            return self.object(slug_or_id).id
        if kind == "lists":
            return self.list_def(slug_or_id).id
        raise NotFound(f'Target "{kind}" not found.')

    def add_attribute(self, attr: Attribute) -> None:
        siblings = self.attributes.setdefault(attr.parent_id, [])
        attr.order = len(siblings)
        siblings.append(attr)
        self.save_attribute(attr)

    def save_attribute(self, attr: Attribute) -> None:
        self.store.put("meta", "attribute", attr.id, attr.doc())
        self.bump(attr.parent_id)

    def bump(self, parent_id: str) -> None:
        """Invalidate cached serialisations of every record or entry under ``parent_id``."""
        self.schema_version[parent_id] = self.schema_version.get(parent_id, 0) + 1

    def attributes_of(self, parent_id: str, *, archived: bool = False) -> list[Attribute]:
        return [a for a in self.attributes.get(parent_id, []) if archived or not a.is_archived]

    def find_attribute(self, parent_id: str, slug_or_id: str, *, archived: bool = False) -> Attribute | None:
        for attr in self.attributes.get(parent_id, []):
            if (slug_or_id in (attr.api_slug, attr.id)) and (archived or not attr.is_archived):
                return attr
        return None

    def attribute(
        self, parent: str, slug_or_id: str, *, kind: str = "objects", archived: bool = True
    ) -> Attribute:
        parent_id = self.parent(kind, parent)
        attr = self.find_attribute(parent_id, slug_or_id, archived=archived)
        if attr is None:
            raise NotFound(f'Attribute with slug/ID "{slug_or_id}" not found.')
        return attr

    def is_enriched(self, attr: Attribute) -> bool:
        """Whether ``attr`` is one of the enriched system attributes of a standard object."""
        if (
            attr.parent_kind != "objects"
            or not attr.is_system_attribute
            or attr.parent_id not in self.objects
        ):
            return False
        return attr.api_slug in ENRICHED_ATTRIBUTES.get(self.object_slug(attr.parent_id), frozenset())

    def attribute_to_api(self, attr: Attribute) -> JSON:
        """An attribute as the API shows it, with its paired relationship attribute spelled out."""
        out = attr.to_api(self.id)
        if attr.relationship_id and attr.relationship_object_id:
            pair = next(
                (
                    a
                    for a in self.attributes.get(attr.relationship_object_id, [])
                    if a.id == attr.relationship_id
                ),
                None,
            )
            if pair is not None:
                out["relationship"] = {
                    "id": {"workspace_id": self.id, "object_id": pair.parent_id, "attribute_id": pair.id},
                    "object_slug": self.objects[pair.parent_id].api_slug,
                    "title": pair.title,
                    "api_slug": pair.api_slug,
                    "is_multiselect": pair.is_multiselect,
                }
        return out

    def rename_option_values(self, attr: Attribute) -> None:
        """Re-render stored select/status values after an option or status changed title or archive flag."""
        by_id_opt = {o.id: attr.option_to_api(self.id, o) for o in attr.options}
        by_id_status = {s.id: attr.status_to_api(self.id, s) for s in attr.statuses}
        container: dict[str, Record] = (
            self.records.get(attr.parent_id) or self.entries.get(attr.parent_id) or {}
        )
        kind = "entry" if attr.parent_kind == "lists" else "record"
        for rec in container.values():
            changed = False
            for bucket in (rec.values, rec.history):
                for value in bucket.get(attr.id, []):
                    if "option" in value and value["option"]["id"]["option_id"] in by_id_opt:
                        value["option"] = by_id_opt[value["option"]["id"]["option_id"]]
                        changed = True
                    if "status" in value and value["status"]["id"]["status_id"] in by_id_status:
                        value["status"] = by_id_status[value["status"]["id"]["status_id"]]
                        changed = True
            if changed:
                self.save_record(rec, kind)

    # ------------------------------------------------------------------ records and entries
    def container(self, parent_id: str) -> Container:
        if parent_id in self.records:
            return self.records[parent_id]
        return self.entries[parent_id]

    def get_record(self, object_id: str, record_id: str) -> Record:
        rec = self.records[object_id].get(record_id)
        if rec is None:
            if record_id in self.pending_merges and self.pending_merges[record_id] > time.monotonic():
                raise NotFound(
                    f'Record with ID "{record_id}" is still being merged.', code="merge_in_progress"
                )
            raise NotFound(f'Record with ID "{record_id}" not found.')
        if rec.id in self.pending_merges:
            if self.pending_merges[rec.id] > time.monotonic():
                raise NotFound(
                    f'Record with ID "{record_id}" is still being merged.', code="merge_in_progress"
                )
            del self.pending_merges[rec.id]
        return rec

    def record_exists(self, object_id: str, record_id: str) -> bool:
        return record_id in self.records.get(object_id, {})

    def get_entry(self, list_id: str, entry_id: str) -> Record:
        entry = self.entries[list_id].get(entry_id)
        if entry is None:
            raise NotFound(f'Entry with ID "{entry_id}" not found.')
        return entry

    def save_record(self, rec: Record, kind: str = "record") -> None:
        rec.cached = None
        self.store.put("records", kind, rec.id, rec.doc(), rec.seq)

    def index_unique(self, rec: Record) -> None:
        for attr in self.attributes_of(rec.parent_id, archived=True):
            if attr.is_unique:
                for value in rec.values.get(attr.id, []):
                    self.unique_index[(attr.id, value_key(attr.type, value))] = rec.id

    def unindex_unique(self, rec: Record) -> None:
        for attr in self.attributes_of(rec.parent_id, archived=True):
            if attr.is_unique:
                for value in rec.values.get(attr.id, []):
                    self.unique_index.pop((attr.id, value_key(attr.type, value)), None)

    def find_record_by_unique(self, object_id: str, attr_slug: str, raw: Any) -> str | None:
        """The record holding ``raw`` in unique attribute ``attr_slug`` (a shorthand or value object)."""
        attr = self.find_attribute(object_id, attr_slug)
        if attr is None or not attr.is_unique:
            return None
        if isinstance(raw, dict):
            raw = next(iter(raw.values()), None)
        if not isinstance(raw, str):
            return None
        key: Any = raw.strip().lower()
        if attr.type == "domain":
            key = normalise_domain(raw)
        elif attr.type == "text":
            key = raw
        return self.unique_index.get((attr.id, key))

    def insert_record(self, rec: Record, kind: str = "record") -> None:
        rec.seq = rec.seq or self.next_seq()
        self.container(rec.parent_id)[rec.id] = rec
        self.index_unique(rec)
        self.save_record(rec, kind)

    def remove_record(self, rec: Record, kind: str = "record") -> None:
        self.unindex_unique(rec)
        self.container(rec.parent_id).pop(rec.id, None)
        self.store.delete("records", rec.id)

    def record_url(self, obj: ObjectDef, record_id: str) -> str:
        noun = (obj.singular_noun or obj.api_slug).lower().replace(" ", "-")
        return f"https://app.attio.com/{self.slug}/{noun}/{record_id}"

    def record_bytes(self, rec: Record) -> bytes:
        """The record's API JSON, cached until it or its object's schema changes."""
        version = self.schema_version.get(rec.parent_id, 0)
        if rec.cached is None or rec.cached_version != version:
            rec.cached = orjson.dumps(self.record_to_api(rec))
            rec.cached_version = version
        return rec.cached

    def warm(self) -> int:
        """Serialise every record and entry now, so the first export of a large workspace is served from
        the cache (a long-running sandbox pays this once at start); returns how many it serialised."""
        count = 0
        for container in (*self.records.values(), *self.entries.values()):
            for rec in container.values():
                self.record_bytes(rec)
                count += 1
        return count

    def record_to_api(self, rec: Record) -> JSON:
        if rec.parent_id in self.records:
            obj = self.objects[rec.parent_id]
            return {
                "id": {"workspace_id": self.id, "object_id": obj.id, "record_id": rec.id},
                "created_at": rec.created_at,
                "web_url": self.record_url(obj, rec.id),
                "values": {a.api_slug: rec.values.get(a.id, []) for a in self.attributes_of(rec.parent_id)},
            }
        assert rec.parent_object_id is not None
        return {
            "id": {"workspace_id": self.id, "list_id": rec.parent_id, "entry_id": rec.id},
            "parent_record_id": rec.parent_record_id,
            "parent_object": self.objects[rec.parent_object_id].api_slug,
            "created_at": rec.created_at,
            "entry_values": {a.api_slug: rec.values.get(a.id, []) for a in self.attributes_of(rec.parent_id)},
        }

    # ------------------------------------------------------------------ notes and tasks
    def save_note(self, note: Note) -> None:
        self.store.put("notes", "note", note.id, orjson.dumps(note), note.seq)

    def note_to_api(self, note: Note) -> JSON:
        return {
            "id": {"workspace_id": self.id, "note_id": note.id},
            "parent_object": self.objects[note.parent_object_id].api_slug,
            "parent_record_id": note.parent_record_id,
            "title": note.title,
            "meeting_id": note.meeting_id,
            "content_plaintext": note.content_plaintext,
            "content_markdown": note.content_markdown,
            "tags": note.tags,
            "created_by_actor": note.created_by_actor,
            "created_at": note.created_at,
        }

    def save_task(self, task: Task) -> None:
        self.store.put("tasks", "task", task.id, orjson.dumps(task), task.seq)

    def task_to_api(self, task: Task) -> JSON:
        return {
            "id": {"workspace_id": self.id, "task_id": task.id},
            "content_plaintext": task.content_plaintext,
            "deadline_at": task.deadline_at,
            "is_completed": task.is_completed,
            "completed_at": task.completed_at,
            "linked_records": [
                {"target_object_id": link["target_object_id"], "target_record_id": link["target_record_id"]}
                for link in task.linked_records
            ],
            "assignees": task.assignees,
            "created_by_actor": task.created_by_actor,
            "created_at": task.created_at,
        }

    # ------------------------------------------------------------------ summaries
    def counts(self) -> dict[str, int]:
        """How many of each thing the workspace holds (for the CLI and tests)."""
        out = {f"records:{self.objects[k].api_slug}": len(v) for k, v in self.records.items()}
        out |= {f"entries:{self.lists[k].api_slug}": len(v) for k, v in self.entries.items()}
        out["notes"] = len(self.notes)
        out["tasks"] = len(self.tasks)
        out["workspace_members"] = len(self.members)
        return out

    def iter_records(self, object_id: str) -> Iterable[Record]:
        return self.records[object_id].values()

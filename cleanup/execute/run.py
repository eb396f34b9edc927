"""Applying a plan: re-read every target (drift check), back it up, then write, journalled step by step.

>>> report = plan.apply(client)              # doctest: +SKIP
>>> report = Run.open(run_id).apply(client)  # resume an interrupted run: finished steps are not repeated

So far the executor applies ``delete_note``, ``delete_entry``, ``delete_record``, ``recreate_note``,
``update_entry`` and ``update_record``; merges, creates and restore come next (a plan holding them is
refused before anything is written).
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import polars as pl

from ..actions import Action
from ..client import AsyncAttioClient, AttioClient
from ..client.errors import AmbiguousWriteError, ApiError, NotFoundError
from ..detect.findings import fingerprint
from .backup import private_dir, read_backup, write_backup, write_private
from .journal import FINISHED, Journal, Status
from .plan import Plan

SUPPORTED = frozenset(
    {
        Action.DELETE_NOTE,
        Action.DELETE_ENTRY,
        Action.DELETE_RECORD,
        Action.RECREATE_NOTE,
        Action.UPDATE_ENTRY,
        Action.UPDATE_RECORD,
        Action.MERGE_RECORDS,
    }
)
STEPS: dict[Action, tuple[str, ...]] = {
    Action.DELETE_NOTE: ("delete",),
    Action.DELETE_ENTRY: ("delete",),
    Action.DELETE_RECORD: ("delete",),
    Action.RECREATE_NOTE: ("create", "delete"),
    Action.UPDATE_ENTRY: ("update",),
    Action.UPDATE_RECORD: ("update",),
    Action.MERGE_RECORDS: ("carry", "merge", "carry_unique"),
}
PHASES = ("update", "create", "delete")  # carried values land before their duplicates go
# Fills a merge never makes silently: a stage or status, and consent-like checkboxes (``allow_fill`` in a
# row's payload names the ones it may make).
DENIED_FILL_TYPES = frozenset({"status", "checkbox"})
MERGE_SETTLE_SECONDS = 60.0


class RunError(RuntimeError):
    """A run that cannot start or continue: names the run folder and the command that resumes it."""


def backup_root() -> Path:
    """Where run folders go: ``ATTIO_CLEANUP_BACKUP_ROOT``, else ``./backups``."""
    return Path(os.environ.get("ATTIO_CLEANUP_BACKUP_ROOT") or "backups")


def target_path(row: dict[str, Any]) -> str:
    """The API path of a row's target."""
    action = Action(row["action"])
    if action.value.endswith("_note"):
        return f"/v2/notes/{row['target_id']}"
    if action.value.endswith("_entry"):
        return f"/v2/lists/{row['list']}/entries/{row['target_id']}"
    return f"/v2/objects/{row['object']}/records/{row['target_id']}"


@dataclass
class RunReport:
    """What a run did, per action: ``done``, ``skipped`` or ``failed`` with the reason, and the ids it made."""

    run_id: str
    folder: Path
    frame: pl.DataFrame  # action_id, action, target_id, status, detail, created_id, verified

    def counts(self) -> dict[str, int]:
        return dict(self.frame.group_by("status").len().sort("status").rows())

    @property
    def exit_code(self) -> int:
        """0 done (or nothing to do, or a canary that went well), 3 done with skips, 1 failures."""
        counts = self.counts()
        if counts.get("failed") or counts.get("unsettled"):
            return 1
        return 3 if counts.get("skipped") else 0

    def save(self) -> None:
        buffer = self.frame.write_json().encode()
        write_private(self.folder / "report.json", buffer)
        tmp = self.folder / "report.parquet.tmp"
        self.frame.write_parquet(tmp)
        os.chmod(tmp, 0o600)
        tmp.replace(self.folder / "report.parquet")


class Run:
    """One application of a plan, kept in its own folder: the plan, the backup, the journal, the report."""

    def __init__(self, folder: Path, rows: pl.DataFrame) -> None:
        self.folder = folder
        self.run_id = folder.name
        self.rows = rows
        self.meta: dict[str, Any] = (
            orjson.loads((folder / "meta.json").read_bytes()) if (folder / "meta.json").exists() else {}
        )
        self.journal = Journal(folder / "journal.sqlite")

    # ------------------------------------------------------------------ creating and reopening
    @classmethod
    def start(cls, plan: Plan, *, root: Path | None = None) -> Run:
        """A new run folder for ``plan`` (nothing is sent yet)."""
        unsupported = sorted({a for a in plan.rows["action"].to_list() if Action(a) not in SUPPORTED})
        if unsupported:
            raise RunError(
                f"the executor cannot apply {', '.join(unsupported)} yet; leave those rows pending for now"
            )
        run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)
        folder = private_dir((root or backup_root()) / run_id)
        rows = plan.rows.select(
            "action_id",
            "recipe",
            "action",
            "object",
            "list",
            "target_id",
            "survivor_id",
            "payload",
            "fingerprint",
            "part",
        )
        tmp = folder / "plan.parquet.tmp"
        rows.write_parquet(tmp)
        os.chmod(tmp, 0o600)
        tmp.replace(folder / "plan.parquet")
        meta = {
            "run_id": run_id,
            "snapshot": str(plan.snapshot.path),
            "started_at": datetime.now(UTC).isoformat(),
            "attributes": {
                slug: {a.slug: {"type": a.type, "unique": a.is_unique} for a in info.attributes}
                for slug, info in plan.snapshot.schema.objects.items()
            },
            "list_attributes": {
                slug: {
                    a.slug: {"type": a.type, "multiselect": a.is_multiselect, "writable": a.is_writable}
                    for a in info.attributes
                }
                for slug, info in plan.snapshot.schema.lists.items()
            },
        }
        write_private(folder / "meta.json", orjson.dumps(meta, option=orjson.OPT_INDENT_2))
        run = cls(folder, rows)
        run.journal.plan(
            [
                (r["action_id"], step)
                for r in rows.to_dicts()
                for step in ("read", *STEPS[Action(r["action"])])
            ]
        )
        return run

    @classmethod
    def open(cls, run_id: str, *, root: Path | None = None) -> Run:
        """Reopen a run to resume it."""
        folder = (root or backup_root()) / run_id
        if not (folder / "plan.parquet").exists():
            raise RunError(f"no run {run_id!r} in {folder.parent} (a run folder holds plan.parquet)")
        return cls(folder, pl.read_parquet(folder / "plan.parquet"))

    def close(self) -> None:
        self.journal.close()

    # ------------------------------------------------------------------ applying
    def apply(self, client: AttioClient, *, concurrency: int = 8, canary: int | None = None) -> RunReport:
        """Apply (or resume) the run with a sync client; see :meth:`apply_async`."""
        return client.run(self.apply_async(client.aio, concurrency=concurrency, canary=canary))

    async def apply_async(
        self, client: AsyncAttioClient, *, concurrency: int = 8, canary: int | None = None
    ) -> RunReport:
        """Re-read and back up every target, then write, journalled; returns (and saves) the report.

        ``canary=N`` applies only the first N actions (after backing up all of them) and stops, so their
        result can be looked at; resuming the run applies the rest.
        """
        every = self.rows.to_dicts()
        gate = asyncio.Semaphore(max(1, concurrency))
        if not (self.folder / "backup" / "manifest.json").exists():
            await self._read_and_back_up(client, every, gate)
        rows = every[:canary] if canary is not None else every
        for phase in PHASES:
            await _gather(
                gate,
                [self._step(client, row, phase) for row in rows if phase in STEPS[Action(row["action"])]],
            )
            if phase == "create":  # merges after updates and creates: one survivor's merges in order
                groups: dict[str, list[dict[str, Any]]] = {}
                for row in rows:
                    if Action(row["action"]) == Action.MERGE_RECORDS:
                        groups.setdefault(row["survivor_id"], []).append(row)
                await _gather(gate, [self._merge_group(client, group) for group in groups.values()])
        report = await self._report(client, every, gate)
        report.save()
        return report

    async def _read_and_back_up(
        self, client: AsyncAttioClient, rows: list[dict[str, Any]], gate: asyncio.Semaphore
    ) -> None:
        current: dict[str, str | None] = {}

        async def read(row: dict[str, Any]) -> None:
            try:
                body = await client.get(target_path(row))
                current[row["action_id"]] = orjson.dumps(body["data"]).decode()
            except NotFoundError:
                current[row["action_id"]] = None

        survivors: dict[str, str | None] = {}

        async def read_survivor(object_slug: str, record_id: str) -> None:
            try:
                body = await client.get(f"/v2/objects/{object_slug}/records/{record_id}")
                survivors[record_id] = orjson.dumps(body["data"]).decode()
            except NotFoundError:
                survivors[record_id] = None

        wanted = {
            (r["object"], r["survivor_id"]) for r in rows if Action(r["action"]) == Action.MERGE_RECORDS
        }
        await _gather(gate, [read(row) for row in rows] + [read_survivor(o, s) for o, s in wanted])
        items: dict[str, list[tuple[str, str]]] = {}
        for row in rows:
            raw = current[row["action_id"]]
            if raw is None:
                self._skip(row, "the target no longer exists")
                continue
            if row["fingerprint"] and fingerprint(raw) != row["fingerprint"]:
                self._skip(
                    row, "changed since the snapshot (drift); detect again to act on its current state"
                )
                continue
            if Action(row["action"]) == Action.MERGE_RECORDS:
                kept = survivors.get(row["survivor_id"])
                if kept is None:
                    self._skip(row, f"the survivor {row['survivor_id']} no longer exists")
                    continue
                items.setdefault(row["part"], []).append((row["survivor_id"], kept))
            items.setdefault(row["part"], []).append((row["target_id"], raw))
            self.journal.mark(row["action_id"], "read", Status.DONE)
        doomed = [
            r for r in rows if Action(r["action"]) == Action.DELETE_RECORD and current.get(r["action_id"])
        ]
        for part, pairs in (await _hanging_on(client, doomed, gate)).items():
            items.setdefault(part, []).extend(pairs)
        unique = {part: list(dict.fromkeys(pairs)) for part, pairs in items.items()}
        write_backup(self.folder / "backup", unique)

    def _skip(self, row: dict[str, Any], why: str) -> None:
        for step in ("read", *STEPS[Action(row["action"])]):
            self.journal.mark(row["action_id"], step, Status.SKIPPED, detail=why)

    async def _step(self, client: AsyncAttioClient, row: dict[str, Any], step: str) -> None:
        action_id = row["action_id"]
        status, _, _ = self.journal.state(action_id, step)
        if status in FINISHED:
            return
        if step == "delete" and Action(row["action"]) == Action.RECREATE_NOTE:
            made, _, _ = self.journal.state(action_id, "create")
            if made != Status.DONE:
                self.journal.mark(action_id, step, Status.SKIPPED, detail="the new note was not created")
                return
        if step == "create" and status == Status.SENT:  # an earlier attempt may have created it: look first
            found = await _find_created_note(client, row)
            if found:
                self.journal.mark(
                    action_id, step, Status.DONE, created_id=found, detail="found after an interruption"
                )
                return
        self.journal.mark(action_id, step, Status.SENT)
        try:
            created = await _send(client, row, step)
        except AmbiguousWriteError:
            found = await _find_created_note(client, row) if step == "create" else None
            if found:
                self.journal.mark(
                    action_id, step, Status.DONE, created_id=found, detail="found after an ambiguous answer"
                )
                return
            self.journal.mark(action_id, step, Status.PLANNED, detail="no answer and nothing created; resend")
            await self._step(client, row, step)
        except NotFoundError:
            if step == "delete":
                self.journal.mark(action_id, step, Status.DONE, detail="already gone")
            else:
                self.journal.mark(action_id, step, Status.FAILED, detail="the target no longer exists")
        except ApiError as error:
            self.journal.mark(action_id, step, Status.FAILED, detail=str(error))
        else:
            self.journal.mark(action_id, step, Status.DONE, created_id=created)

    async def _merge_group(self, client: AsyncAttioClient, group: list[dict[str, Any]]) -> None:
        """Merge one survivor's losers into it in order: each merge makes a new record, which is the
        primary of the next."""
        current = group[0]["survivor_id"]
        for row in group:
            merged, created, _ = self.journal.state(row["action_id"], "merge")
            if merged == Status.DONE and created:
                await self._carry(client, row, created, unique=True)
                current = created
                continue
            if merged in FINISHED:
                continue
            await self._carry(client, row, current, unique=False)
            new_id = await self._merge(client, row, current)
            if new_id:
                await self._carry(client, row, new_id, unique=True)
                current = new_id

    async def _carry(
        self, client: AsyncAttioClient, row: dict[str, Any], primary: str, *, unique: bool
    ) -> None:
        """Write onto ``primary`` the values the row says to carry over (never a denied fill). Values of
        unique attributes (domains, emails) are held by the loser until the merge releases them, so they
        are written onto the merged record afterwards (``unique=True``); the rest before the merge."""
        action_id = row["action_id"]
        step = "carry_unique" if unique else "carry"
        status, _, _ = self.journal.state(action_id, step)
        if status in FINISHED:
            return
        payload = orjson.loads(row["payload"]) if row["payload"] else {}
        types = self.meta.get("attributes", {}).get(row["object"], {})
        allowed = set(payload.get("allow_fill", []))
        mine = {
            slug: value
            for slug, value in payload.get("carry", {}).items()
            if bool(types.get(slug, {}).get("unique")) == unique
        }
        carry = {
            slug: value
            for slug, value in mine.items()
            if types.get(slug, {}).get("type") not in DENIED_FILL_TYPES or slug in allowed
        }
        held_back = sorted(set(mine) - set(carry))
        note = f"not filled without allow_fill: {', '.join(held_back)}" if held_back else None
        if not carry:
            self.journal.mark(action_id, step, Status.DONE, detail=note)
            return
        self.journal.mark(action_id, step, Status.SENT)
        try:
            if unique:  # a 202 merge is readable (and writable) only once it has settled
                await _settled_record(client, row["object"], primary)
            await client.patch(f"/v2/objects/{row['object']}/records/{primary}", {"data": {"values": carry}})
        except ApiError as error:
            self.journal.mark(action_id, step, Status.FAILED, detail=str(error))
            if not unique:
                for later in ("merge", "carry_unique"):
                    self.journal.mark(
                        action_id, later, Status.SKIPPED, detail="its values could not be carried over"
                    )
            return
        self.journal.mark(action_id, step, Status.DONE, detail=note)

    async def _merge(self, client: AsyncAttioClient, row: dict[str, Any], primary: str) -> str | None:
        """The native merge of the row's target into ``primary``; returns the new record's id."""
        action_id = row["action_id"]
        status, _, _ = self.journal.state(action_id, "merge")
        if status in FINISHED:
            return None
        if status == Status.SENT:  # an earlier attempt may have merged them: look before merging again
            found = await self._find_merged(client, row, primary)
            if found:
                self.journal.mark(
                    action_id, "merge", Status.DONE, created_id=found, detail="found after an interruption"
                )
                return found
        self.journal.mark(action_id, "merge", Status.SENT)
        body = {"data": {"primary_record_id": primary, "secondary_record_id": row["target_id"]}}
        try:
            answer = await client.post(f"/v2/objects/{row['object']}/records/merge", body)
        except AmbiguousWriteError:
            found = await self._find_merged(client, row, primary)
            if found:
                self.journal.mark(
                    action_id,
                    "merge",
                    Status.DONE,
                    created_id=found,
                    detail="found after an ambiguous answer",
                )
                return found
            self.journal.mark(
                action_id, "merge", Status.PLANNED, detail="no answer and not merged; merge again"
            )
            return await self._merge(client, row, primary)
        except NotFoundError as error:
            detail = (
                "this server has no native merge endpoint, and the fallback merge is not built yet"
                if "endpoint" in error.message
                else str(error)
            )
            self.journal.mark(action_id, "merge", Status.FAILED, detail=detail)
            self.journal.mark(action_id, "carry_unique", Status.SKIPPED, detail="not merged")
            return None
        except ApiError as error:
            self.journal.mark(action_id, "merge", Status.FAILED, detail=str(error))
            self.journal.mark(action_id, "carry_unique", Status.SKIPPED, detail="not merged")
            return None
        new_id = str(answer["data"]["new_record_id"])
        self.journal.mark(action_id, "merge", Status.DONE, created_id=new_id)
        return new_id

    async def _find_merged(self, client: AsyncAttioClient, row: dict[str, Any], primary: str) -> str | None:
        """After an unclear merge: if both originals are gone, the record now holding the primary's unique
        values (from the backup) is the merged one."""
        for record_id in (row["target_id"], primary):
            try:
                await client.get(f"/v2/objects/{row['object']}/records/{record_id}")
                return None  # an original is still readable: not merged
            except NotFoundError:
                continue
        backup = read_backup(self.folder / "backup", row["part"])
        raws = dict(backup.rows())
        raw = raws.get(primary) or raws.get(row["survivor_id"])
        if raw is None:
            return None
        values = orjson.loads(raw)["values"]
        types = self.meta.get("attributes", {}).get(row["object"], {})
        for slug, info in types.items():
            if not info.get("unique") or not values.get(slug):
                continue
            first = values[slug][0]
            key = next((first[k] for k in ("domain", "email_address", "value") if k in first), None)
            if key is None:
                continue
            body = await client.post(
                f"/v2/objects/{row['object']}/records/query", {"filter": {slug: key}, "limit": 2}
            )
            hits = [
                r["id"]["record_id"]
                for r in body["data"]
                if r["id"]["record_id"] not in (primary, row["target_id"])
            ]
            if hits:
                return str(hits[0])
        return None

    async def _report(
        self, client: AsyncAttioClient, rows: list[dict[str, Any]], gate: asyncio.Semaphore
    ) -> RunReport:
        steps: dict[str, list[tuple[str, str, str | None, str | None]]] = {}
        for action_id, step, status, created, detail in self.journal.rows():
            steps.setdefault(action_id, []).append((step, status, created, detail))
        verified: dict[str, bool] = {}
        final: dict[str, str] = {}  # survivor → the record its last merge made (earlier ones merged on)
        for row in rows:
            if Action(row["action"]) == Action.MERGE_RECORDS:
                made = next((c for step, st, c, _ in steps[row["action_id"]] if step == "merge" and c), None)
                if made:
                    final[row["survivor_id"]] = made

        async def verify(row: dict[str, Any]) -> None:
            check = {**row, "final_id": final.get(row["survivor_id"])} if row["survivor_id"] else row
            verified[row["action_id"]] = await _verify(client, check, steps[row["action_id"]])

        await _gather(gate, [verify(row) for row in rows])
        out = []
        for row in rows:
            states = [s for s in steps[row["action_id"]] if s[0] != "read"]
            statuses = {s[1] for s in states}
            if Status.FAILED in statuses:
                status = "failed"
            elif statuses <= {Status.DONE}:
                status = "done"
            elif Status.SKIPPED in statuses and not statuses & {Status.SENT, Status.PLANNED}:
                status = "skipped"
            elif statuses <= {Status.PLANNED}:
                status = "not_started"  # beyond a canary: resume the run to apply it
            else:
                status = "unsettled"
            detail = "; ".join(d for _, _, _, d in steps[row["action_id"]] if d) or None
            created = next((c for _, _, c, _ in states if c), None)
            out.append(
                (
                    row["action_id"],
                    row["action"],
                    row["target_id"],
                    status,
                    detail,
                    created,
                    verified[row["action_id"]],
                )
            )
        frame = pl.DataFrame(
            out,
            schema={
                "action_id": pl.String,
                "action": pl.String,
                "target_id": pl.String,
                "status": pl.String,
                "detail": pl.String,
                "created_id": pl.String,
                "verified": pl.Boolean,
            },
            orient="row",
        )
        return RunReport(self.run_id, self.folder, frame)


# ---------------------------------------------------------------------------------------------- requests
async def _gather(gate: asyncio.Semaphore, jobs: Sequence[Awaitable[None]]) -> None:
    async def guarded(job: Awaitable[None]) -> None:
        async with gate:
            await job

    await asyncio.gather(*(guarded(job) for job in jobs))


async def _hanging_on(
    client: AsyncAttioClient, rows: list[dict[str, Any]], gate: asyncio.Semaphore
) -> dict[str, list[tuple[str, str]]]:
    """The notes and list entries of records about to be deleted (Attio deletes them with the record), so
    the backup holds them too."""
    found: dict[str, list[tuple[str, str]]] = {}

    async def collect(row: dict[str, Any]) -> None:
        notes = await _notes_of(client, row["object"], row["target_id"])
        found.setdefault("notes", []).extend((n["id"]["note_id"], orjson.dumps(n).decode()) for n in notes)
        refs = (await client.get(f"/v2/objects/{row['object']}/records/{row['target_id']}/entries"))["data"]
        for ref in refs:
            entry = await client.get(f"/v2/lists/{ref['list_api_slug']}/entries/{ref['entry_id']}")
            found.setdefault(f"entries/{ref['list_api_slug']}", []).append(
                (ref["entry_id"], orjson.dumps(entry["data"]).decode())
            )

    await _gather(gate, [collect(row) for row in rows])
    return found


def _note_body(row: dict[str, Any]) -> dict[str, Any]:
    payload = orjson.loads(row["payload"])
    return {
        key: payload[key]
        for key in ("parent_object", "parent_record_id", "title", "format", "content", "created_at")
        if key in payload
    }


async def _send(client: AsyncAttioClient, row: dict[str, Any], step: str) -> str | None:
    action = Action(row["action"])
    if step == "delete":
        await client.delete(target_path(row))
        return None
    if step == "create":
        body = await client.post("/v2/notes", {"data": _note_body(row)})
        return str(body["data"]["id"]["note_id"])
    payload = orjson.loads(row["payload"])
    key = "entry_values" if action == Action.UPDATE_ENTRY else "values"
    await client.patch(target_path(row), {"data": {key: payload.get(key, payload)}})
    return None


async def _notes_of(client: AsyncAttioClient, parent_object: str, parent_record_id: str) -> list[Any]:
    """Every note on one record."""
    params = {"parent_object": parent_object, "parent_record_id": parent_record_id}
    return await client.all_items("GET", "/v2/notes", page_size=50, params=params, concurrency=2)


async def _find_created_note(client: AsyncAttioClient, row: dict[str, Any]) -> str | None:
    """A note this row's create may have made: same parent, title, content and date, not the old note."""
    wanted = _note_body(row)
    for note in await _notes_of(client, wanted["parent_object"], wanted["parent_record_id"]):
        if note["id"]["note_id"] == row["target_id"]:
            continue
        same_text = wanted.get("content") in (note.get("content_markdown"), note.get("content_plaintext"))
        if (
            note.get("title") == wanted.get("title")
            and same_text
            and note.get("created_at") == wanted.get("created_at")
        ):
            return str(note["id"]["note_id"])
    return None


async def _verify(
    client: AsyncAttioClient, row: dict[str, Any], steps: list[tuple[str, str, str | None, str | None]]
) -> bool:
    """Read back what the row's finished steps should have left."""
    checks: list[Callable[[], Awaitable[bool]]] = []
    for step, status, created, _ in steps:
        if status != Status.DONE or step == "read":
            continue
        if step == "delete":

            async def gone() -> bool:
                try:
                    await client.get(target_path(row))
                except NotFoundError:
                    return True
                return False

            checks.append(gone)
        elif step == "create" and created:

            async def made(note_id: str = created) -> bool:
                body = await client.get(f"/v2/notes/{note_id}")
                return bool(body["data"].get("created_at") == _note_body(row).get("created_at"))

            checks.append(made)
        elif step == "merge" and created:

            async def merged(new_id: str = row.get("final_id") or created) -> bool:
                try:
                    await client.get(target_path(row))
                    return False  # the merged-away record is still readable
                except NotFoundError:
                    return await _settled_record(client, row["object"], new_id)

            checks.append(merged)
        elif step == "update":

            async def present() -> bool:
                body = await client.get(target_path(row))
                values = body["data"].get("entry_values") or body["data"].get("values") or {}
                payload = orjson.loads(row["payload"])
                wanted = payload.get("entry_values", payload.get("values", payload))
                return all(values.get(slug) for slug in wanted)

            checks.append(present)
    results = [await check() for check in checks]
    return all(results) if results else False


async def _settled_record(client: AsyncAttioClient, object_slug: str, record_id: str) -> bool:
    """Whether a merged record becomes readable (a 202 merge answers ``merge_in_progress`` for a while)."""
    waited = 0.0
    while True:
        try:
            await client.get(f"/v2/objects/{object_slug}/records/{record_id}")
            return True
        except NotFoundError as error:
            if error.code != "merge_in_progress" or waited >= MERGE_SETTLE_SECONDS:
                return False
        await asyncio.sleep(0.2)
        waited += 0.2


def apply_plan(
    plan: Plan,
    client: AttioClient,
    *,
    root: Path | None = None,
    concurrency: int = 8,
    canary: int | None = None,
) -> RunReport:
    """Start a run for ``plan`` and apply it (``canary``: only its first N actions)."""
    run = Run.start(plan, root=root)
    try:
        return run.apply(client, concurrency=concurrency, canary=canary)
    finally:
        run.close()


def backed_up(run: Run, part: str) -> pl.DataFrame:
    """What the run backed up of one part (``id``, ``raw``)."""
    return read_backup(run.folder / "backup", part)

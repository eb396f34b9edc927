"""The plan: the dry run of an approved action table against the snapshot it was made from.

>>> plan = Plan(ActionTable.read("review/actions.xlsx"), Snapshot.load("snapshots/today"))  # doctest: +SKIP
>>> plan.summary()          # what will change, by action and object
>>> plan.api_calls()        # how many requests of each kind, and how long they take at the rate limits

Building a plan validates every approved row (known object or list, a target that exists in the snapshot,
a survivor that exists and is not itself going away, no two actions fighting over one target, payloads
naming writable attributes, rows that reference other rows' records approved with them and not in a
circle), makes the reviewer's choices on merges concrete (the record to ``keep``, the values to ``take``:
see :mod:`.choices`), resolves each target to its part of the snapshot, and writes nothing: it takes no
client, so it cannot call the API. Problems are named where the reviewer's file shows them (sheet and row).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from typing import TYPE_CHECKING, Any, Protocol

import orjson
import polars as pl

from ..actions import Action, ActionTable
from ..actions.costs import Rates, request_costs
from ..actions.layout import Layout
from ..actions.schema import SCHEMA_ACTIONS
from ..actions.schema_rows import planned_schema, schema_problems
from ..actions.table import CLUSTER
from ..client.calls import HISTORY_MAX
from ..errors import ExecuteError
from ..export.schema import ListInfo, ObjectInfo, WorkspaceSchema
from ..export.snapshot import Snapshot
from ..notebook import html
from ..values.notes import note_content
from .payloads import HistoryPayload, NoteUpdatePayload, PayloadError, normalised_rows, parse
from .shape import history_writable
from .writable import Writable

if TYPE_CHECKING:
    from ..client import AttioClient
    from .merge import MergeMode
    from .report import RunReport


class Planned(Protocol):
    """What a run is started from: a cleanup's :class:`Plan`, or a restore's plan."""

    rows: pl.DataFrame  # RUN_COLUMNS at least
    schema: WorkspaceSchema  # the workspace's schema as the rows see it

    def run_meta(self) -> dict[str, Any]:
        """What the run's ``meta.json`` keeps of the plan (where it came from, its phases)."""
        ...

    def run_files(self) -> dict[str, bytes]:
        """Further files the run folder keeps (name → content)."""
        ...

    def sent_before(self) -> list[tuple[str, str, str]]:
        """Steps an earlier run may have sent already (action id, step, when): looked for before sending."""
        ...


DELETES = frozenset({Action.DELETE_NOTE, Action.DELETE_ENTRY, Action.DELETE_RECORD, Action.MERGE_RECORDS})
DEFAULT_MAX_DELETES = 10_000


class PlanError(ExecuteError, ValueError):
    """Approved rows that cannot be applied as they stand: every problem names its row and the fix."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:30]
        more = f"\n  ... and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        super().__init__("the plan cannot be applied:\n  " + "\n  ".join(shown) + more)


@dataclass
class Plan:
    """Approved actions checked against a snapshot (see the module docstring)."""

    actions: ActionTable
    snapshot: Snapshot
    rates: Rates = field(default_factory=Rates)
    max_deletes: int = DEFAULT_MAX_DELETES
    rows: pl.DataFrame = field(init=False)
    schema: WorkspaceSchema = field(init=False)  # the snapshot's, with what the plan's schema rows add
    fallbacks: list[str] = field(
        init=False, default_factory=list
    )  # what the server's lacks changed, in words

    def __post_init__(self) -> None:
        from .choices import reviewer_choices

        layout = self.actions.layout or Layout.of(self.actions.frame)
        approved = self.actions.frame.with_columns(
            _i=pl.int_range(pl.len()),
            row=pl.int_range(pl.len()) + 2,
            where=pl.Series([layout.place(i) for i in range(len(self.actions))], dtype=pl.String),
            decision=self.actions.effective_decisions(),
            keep=pl.col("keep").drop_nulls().first().over(CLUSTER),  # set on any row of the cluster
        ).filter(pl.col("decision") == "approve")
        approved, problems = reviewer_choices(approved, self.snapshot, layout)
        self.rows = _resolve(normalised_rows(approved), self.snapshot)
        makes = self.rows.filter(pl.col("action").is_in([a.value for a in SCHEMA_ACTIONS]))
        self.schema = planned_schema(self.snapshot.schema, makes.to_dicts())
        problems += _check(self.rows, self.snapshot, self.schema)
        deletes = self.rows.filter(pl.col("action").is_in([a.value for a in DELETES])).height
        if deletes > self.max_deletes:
            problems.append(
                f"the plan deletes or merges away {deletes:,} items, more than the limit of {self.max_deletes:,}; "
                "raise it with --max-deletes (or max_deletes=) if that is intended"
            )
        if problems:
            raise PlanError(problems)

    def __len__(self) -> int:
        return self.rows.height

    def summary(self) -> pl.DataFrame:
        """Approved rows by action and object or list."""
        return (
            self.rows.with_columns(where=pl.coalesce("list", "object"))
            .group_by("action", "where")
            .agg(rows=pl.len())
            .sort("action", "where")
        )

    def api_calls(self) -> pl.DataFrame:
        """Requests of each kind the run will send, and the seconds they take at the rate limits."""
        costs = request_costs(self.rows, self.rates)
        return pl.DataFrame(
            {
                "kind": list(costs),
                "requests": [n for n, _ in costs.values()],
                "seconds": [seconds for _, seconds in costs.values()],
            }
        )

    def estimated_seconds(self) -> float:
        """The run's length at the rate limits: the slowest bucket (they are spent concurrently)."""
        seconds: list[float] = self.api_calls()["seconds"].to_list()
        return max(seconds, default=0.0)

    def apply(
        self,
        client: AttioClient,
        *,
        concurrency: int = 8,
        canary: int | None = None,
        merge: MergeMode = "auto",
        progress: bool | None = None,
    ) -> RunReport:
        """Apply the approved rows: re-read, back up, write (journalled), verify; returns the run's report.
        ``canary=N`` stops after the first N actions (resume the run for the rest); ``merge`` picks the
        native merge endpoint, the merge by hand (``"fallback"``) or the native one where offered;
        ``progress`` shows bars (by default in a terminal or a notebook)."""
        from .run import apply_plan

        return apply_plan(
            self, client, concurrency=concurrency, canary=canary, merge=merge, progress=progress
        )

    def note_updates(self) -> int:
        return self.rows.filter(pl.col("action") == Action.UPDATE_NOTE.value).height

    def recreate_note_updates(self) -> None:
        """For a server without Attio's note update: each ``update_note`` becomes a ``recreate_note`` of the
        note as the snapshot has it, with the new title or content and its own date (a new id; the cleanup's
        token as author). Said in :attr:`fallbacks`."""
        updates = self.rows.filter(pl.col("action") == Action.UPDATE_NOTE.value)
        if updates.height == 0:
            return
        notes = {row["note_id"]: row for row in self._notes_of(updates["target_id"])}
        payloads = [
            _recreation(notes[target], payload)
            for target, payload in updates.select("target_id", "payload").iter_rows()
        ]
        recreated = updates.with_columns(
            action=pl.lit(Action.RECREATE_NOTE.value), payload=pl.Series(payloads, dtype=pl.String)
        )
        kept = self.rows.filter(pl.col("action") != Action.UPDATE_NOTE.value)
        self.rows = pl.concat([kept, recreated.select(kept.columns)]).sort("_i")
        self.fallbacks.append(
            f"This server has no note update, so the {updates.height:,} note(s) to correct are created anew "
            "with their own date instead (a new note id; the cleanup's API token as author)."
        )

    def _notes_of(self, note_ids: pl.Series) -> list[dict[str, Any]]:
        columns = [
            "note_id",
            "parent_object",
            "parent_record_id",
            "title",
            "content_markdown",
            "content_plaintext",
            "created_at",
        ]
        found = self.snapshot.notes().filter(pl.col("note_id").is_in(note_ids.implode())).select(columns)
        return found.collect().to_dicts()

    def run_meta(self) -> dict[str, Any]:
        """The snapshot the plan was checked against, its note count (for the read-back's cost), and what
        the server's lacks changed."""
        return {
            "snapshot": str(self.snapshot.path),
            "notes_in_workspace": self.snapshot.counts().get("notes"),
            "fallbacks": self.fallbacks,
        }

    def run_files(self) -> dict[str, bytes]:
        return {}

    def sent_before(self) -> list[tuple[str, str, str]]:
        return []

    def _repr_html_(self) -> str:
        return html(self)


def _recreation(note: dict[str, Any], update_payload: str) -> str:
    """The ``recreate_note`` payload that does what an ``update_note`` payload asks of ``note``."""
    update = parse(Action.UPDATE_NOTE, update_payload)
    assert isinstance(update, NoteUpdatePayload)
    form, content = note_content(note["content_markdown"], note["content_plaintext"])
    created = note["created_at"]
    stamp = created if isinstance(created, str) else created.strftime("%Y-%m-%dT%H:%M:%S.%f000Z")
    payload = {
        "parent_object": note["parent_object"],
        "parent_record_id": note["parent_record_id"],
        "title": update.title if update.title is not None else note["title"] or "",
        "format": update.format or "markdown" if update.content is not None else form,
        "content": update.content if update.content is not None else content,
        "created_at": stamp,
    }
    return orjson.dumps(payload).decode()


# ---------------------------------------------------------------------------------------------- resolving
def _ids(snapshot: Snapshot, part: str, column: str = "_id") -> pl.DataFrame:
    return snapshot._scan(part).select(pl.col(column).alias("target_id")).collect()


def _resolve(rows: pl.DataFrame, snapshot: Snapshot) -> pl.DataFrame:
    """Each row with ``part`` (where its target lives in the snapshot) and ``found`` (it is there)."""
    part = (
        pl.when(pl.col("action") == Action.UPDATE_TASK.value)
        .then(pl.lit("tasks"))
        .when(pl.col("action").str.ends_with("_note"))
        .then(pl.lit("notes"))
        .when(pl.col("action").str.ends_with("_entry"))
        .then(pl.lit("entries/") + pl.col("list"))
        .otherwise(pl.lit("records/") + pl.col("object"))
    )
    rows = rows.with_columns(part=part)
    found_frames = []
    for (name,) in rows.select("part").unique().drop_nulls().iter_rows():
        if name not in snapshot.parts:
            continue
        ids = _ids(snapshot, name, "note_id" if name == "notes" else "_id")
        found_frames.append(ids.with_columns(part=pl.lit(name), found=pl.lit(True)))
    found = (
        pl.concat(found_frames)
        if found_frames
        else pl.DataFrame(schema={"target_id": pl.String, "part": pl.String, "found": pl.Boolean})
    )
    return rows.join(found, on=["part", "target_id"], how="left").with_columns(
        pl.col("found").fill_null(False)
    )


# ---------------------------------------------------------------------------------------------- checking
def _where(rows: pl.DataFrame, condition: pl.Expr) -> list[dict[str, Any]]:
    return rows.filter(condition).to_dicts()


def _name(row: dict[str, Any]) -> str:
    """Where the row is and what it does: "sheet 'x', row 17 (merge_records 0b73…)"."""
    where = row.get("where") or f"row {row['row']}"
    return f"{where} ({row['action']} {row['target_id'] or ''})".replace(" )", ")")


def _check(rows: pl.DataFrame, snapshot: Snapshot, schema: WorkspaceSchema) -> list[str]:
    """Every approved row against the snapshot and the schema as the plan leaves it (``schema``)."""
    problems: list[str] = []
    writable = Writable(snapshot)
    creates = {Action.CREATE_NOTE, Action.CREATE_RECORD, Action.ASSERT_RECORD, Action.CREATE_ENTRY}
    for row in rows.to_dicts():
        action = Action(row["action"])
        if action in SCHEMA_ACTIONS:
            problems += schema_problems(schema, row, _name(row))
            continue
        if row["object"] is not None and row["object"] not in schema.objects:
            problems.append(
                f"{_name(row)}: unknown object {row['object']!r}; the workspace has {', '.join(schema.objects)}"
            )
            continue
        if (
            action in {Action.DELETE_ENTRY, Action.CREATE_ENTRY, Action.UPDATE_ENTRY}
            and row["list"] not in schema.lists
        ):
            problems.append(
                f"{_name(row)}: unknown list {row['list']!r}; the workspace has {', '.join(schema.lists) or 'none'}"
            )
            continue
        if action not in creates and row["part"] not in snapshot.parts:
            problems.append(
                f"{_name(row)}: the snapshot has no {row['part']} to find the target in; export it"
            )
            continue
        if action not in creates and not row["found"]:
            problems.append(f"{_name(row)}: the target is not in the snapshot (deleted since, or a wrong id)")
        problems += _payload_problems(row, schema, writable)
    problems += _survivor_problems(rows, snapshot)
    problems += _conflicts(rows)
    problems += _dependency_problems(rows)
    return problems


def _payload_problems(row: dict[str, Any], schema: WorkspaceSchema, writable: Writable) -> list[str]:
    """Attributes a payload writes must exist on the object (or list) and be writable, and Attio must take
    their values (:mod:`.writable`)."""
    action = Action(row["action"])
    if row["payload"] is None:
        return []
    payload = orjson.loads(row["payload"])
    container: ObjectInfo | ListInfo
    if action in {Action.UPDATE_RECORD, Action.CREATE_RECORD, Action.ASSERT_RECORD}:
        container, values = schema.objects[row["object"]], payload.get("values") or {}
    elif action in {Action.UPDATE_ENTRY, Action.CREATE_ENTRY}:
        container, values = schema.lists[row["list"]], payload.get("entry_values") or {}
    elif action == Action.MERGE_RECORDS:
        container = schema.objects[row["object"]]
        values = {**payload.get("carry", {}), **payload.get("take", {})}
    elif action in (Action.UPDATE_NOTE, Action.WRITE_HISTORY):
        return _write_problems(row, schema)
    else:
        return []
    problems = []
    by_slug = {a.slug: a for a in container.attributes}
    for slug, value in values.items():
        attr = by_slug.get(slug)
        if attr is None:
            problems.append(
                f"{_name(row)}: payload names {slug!r}, which {container.slug} does not have "
                f"(it has: {', '.join(sorted(by_slug))})"
            )
        elif not attr.is_writable:
            problems.append(f"{_name(row)}: payload writes {slug!r}, which Attio does not let the API write")
        else:  # a value Attio would refuse (a member who is not one, an unknown option): said now
            problems += [f"{_name(row)}: {said}" for said in writable.problems(attr, value)]
    if action == Action.ASSERT_RECORD:
        matching = payload.get("matching_attribute")
        if not matching or values.get(matching) in (None, [], ""):
            problems.append(f"{_name(row)}: an assert needs matching_attribute and a value for it in values")
        elif matching in by_slug and not by_slug[matching].is_unique:
            problems.append(
                f"{_name(row)}: matching_attribute {matching!r} is not unique; Attio asserts only on a unique "
                f"attribute ({', '.join(sorted(a.slug for a in container.attributes if a.is_unique))})"
            )
    return problems


def _write_problems(row: dict[str, Any], schema: WorkspaceSchema) -> list[str]:
    """A note update needs a new title or content; a history write an attribute whose history Attio
    lets the API write."""
    try:
        payload = parse(Action(row["action"]), row["payload"])
    except PayloadError as error:
        return [f"{_name(row)}: {error}"]
    if not isinstance(payload, HistoryPayload):
        return []
    container = schema.lists[row["list"]] if row["list"] else schema.objects[row["object"]]
    attr = next((a for a in container.attributes if a.slug == payload.attribute), None)
    if attr is None or not history_writable(attr):
        return [
            f"{_name(row)}: Attio does not let the API write the history of {payload.attribute!r} "
            "(relationship, enriched, formula and system attributes are refused)"
        ]
    if not 1 <= len(payload.values) <= HISTORY_MAX:
        return [f"{_name(row)}: a history write takes 1 to {HISTORY_MAX} values, not {len(payload.values)}"]
    return []


def _survivor_problems(rows: pl.DataFrame, snapshot: Snapshot) -> list[str]:
    merges = rows.filter(pl.col("action") == Action.MERGE_RECORDS.value)
    if merges.height == 0:
        return []
    problems: list[str] = []
    going = set(
        rows.filter(pl.col("action").is_in([Action.MERGE_RECORDS.value, Action.DELETE_RECORD.value]))[
            "target_id"
        ]
    )
    known: dict[str, set[str]] = {}
    for row in merges.to_dicts():
        part = f"records/{row['object']}"
        if part in snapshot.parts and part not in known:
            known[part] = set(_ids(snapshot, part)["target_id"].to_list())
        if part in known and row["survivor_id"] not in known[part]:
            problems.append(f"{_name(row)}: the survivor {row['survivor_id']} is not in the snapshot")
        if row["survivor_id"] in going:
            problems.append(
                f"{_name(row)}: the survivor {row['survivor_id']} is itself merged away or deleted by another "
                "approved row; pick a survivor that stays"
            )
    return problems


def _dependency_problems(rows: pl.DataFrame) -> list[str]:
    """A row that references records other rows make (``depends_on``) needs those rows approved too, and
    rows cannot wait for each other in a circle."""
    needs_of = {
        action_id: list(waits)
        for action_id, action, payload in rows.select("action_id", "action", "payload").iter_rows()
        if payload and (waits := _waits(Action(action), payload))
    }
    if not needs_of:
        return []
    waiting = rows.filter(pl.col("action_id").is_in(list(needs_of)))
    makers = set(
        rows.filter(pl.col("action").is_in([Action.ASSERT_RECORD.value, Action.CREATE_RECORD.value]))[
            "action_id"
        ].to_list()
    )
    problems: list[str] = []
    graph: dict[str, list[str]] = {}
    for row in waiting.to_dicts():
        needs = needs_of[row["action_id"]]
        graph[row["action_id"]] = needs
        missing = [n for n in needs if n not in makers]
        if missing:
            problems.append(
                f"{_name(row)}: references the record(s) that {', '.join(missing)} would make, which the plan "
                "does not apply (not approved?); approve them too, or reject this row"
            )
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as error:
        row_of = dict(rows.select("action_id", "where").rows())
        circle = " → ".join(f"{row_of.get(a, '?')} ({a})" for a in error.args[1])
        problems.append(f"rows wait for each other in a circle ({circle}); reject one of them")
    return problems


def _waits(action: Action, payload: str) -> tuple[str, ...]:
    """The rows a payload waits for (none when it does not parse: :func:`_payload_problems` says why)."""
    try:
        return parse(action, payload).depends_on
    except PayloadError:
        return ()


def _conflicts(rows: pl.DataFrame) -> list[str]:
    """Two approved rows acting on one target (a record merged twice, a note deleted and recreated...)."""
    targeted = rows.filter(pl.col("target_id").is_not_null())
    twice = targeted.filter(pl.len().over("part", "target_id") > 1)
    problems = []
    for (target,), group in twice.group_by("target_id", maintain_order=True):
        listed = ", ".join(f"{r} ({a})" for r, a in group.select("where", "action").rows())
        problems.append(f"{target} is acted on by more than one approved row: {listed}; approve only one")
    return problems

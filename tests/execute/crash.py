"""The crash test's parts, shared by the kill tests and ``benchmarks/kill_soak.py``: a mixed plan on a demo
sandbox, a twin sandbox that runs the same plan once without a crash, and the set check between them.

The set check (after Jepsen's): the workspace's whole end state — every record, entry, note and task, with
ids the run made and moments after the run started written as placeholders — is compared, as a multiset,
with the twin's. What the twin has and the crashed run lacks is *lost*; what the crashed run has more of is
*duplicated* (the twin has some) or *unexpected* (the twin has none).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import polars as pl

from cleanup.actions import ActionTable
from cleanup.actions.fingerprint import fingerprint
from cleanup.client import AttioClient
from cleanup.execute import Plan, Run, restore
from cleanup.export.snapshot import Snapshot
from cleanup.testing import Kill, Killer, RunningSandbox, snapshot_of
from tests.execute.test_creates import _import_rows
from tests.execute.test_merge import _busy_companies, _merge

UUID_IN_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
NOT_COMPARED = frozenset({"active_from", "active_until"})  # when a value was written, not what it is


def _record_rows(
    snapshot: Snapshot, object_slug: str, ids: list[str], action: str, payload: Any
) -> pl.DataFrame:
    raws = dict(snapshot.records(object_slug).select("_id", "_raw").collect().rows())
    return pl.DataFrame(
        {
            "recipe": "repair",
            "action": action,
            "object": object_slug,
            "target_id": ids,
            "payload": [None if payload is None else orjson.dumps(payload).decode()] * len(ids),
            "reason": f"the soak's {action}",
            "fingerprint": [fingerprint(raws[i]) for i in ids],
        }
    )


def record_actions(snapshot: Snapshot, avoid: set[str], updates: int = 4, deletes: int = 2) -> ActionTable:
    """Updates of companies and deletes of people (with what hangs on them), none of them in ``avoid``."""
    companies = [i for i in snapshot.records("companies").select("_id").collect()["_id"] if i not in avoid]
    people = [i for i in snapshot.records("people").select("_id").collect()["_id"] if i not in avoid]
    frame = pl.concat(
        [
            _record_rows(
                snapshot,
                "companies",
                companies[-updates:],
                "update_record",
                {"values": {"description": "Soaked"}},
            ),
            _record_rows(snapshot, "people", people[-deletes:], "delete_record", None),
        ]
    )
    return ActionTable.build(frame).decide("approve")


@dataclass
class CrashScenario:
    """A plan that mixes every kind of action on a demo sandbox: note deletes and recreations, entry updates
    and deletes, record updates and deletes, merges (natively or by hand, per ``merge``), and creates and
    asserts with notes and entries hanging on a created record."""

    sb: RunningSandbox
    snapshot: Snapshot
    plan: Plan
    merge: str = "fallback"
    started: datetime = field(default_factory=lambda: datetime.now(UTC))

    @classmethod
    def build(
        cls,
        sb: RunningSandbox,
        snapshot: Snapshot,
        table: ActionTable,
        *,
        merges: int = 2,
        merge: str = "fallback",
    ) -> CrashScenario:
        frame = table.frame
        picked = pl.concat(
            [
                frame.filter(pl.col("action") == "recreate_note"),
                frame.filter(pl.col("action") == "delete_note"),
                frame.filter(pl.col("recipe") == "duplicate_entries"),
                frame.filter(pl.col("recipe") == "orphan_entries").head(10),
            ]
        )
        busy = _busy_companies(snapshot, 2 * merges)
        pairs = list(zip(busy[0::2], busy[1::2], strict=True))
        merge_tables = [_merge(snapshot, survivor, loser, {}) for survivor, loser in pairs]
        touched = set(busy) | set(picked["target_id"].drop_nulls())
        people_on_busy = set(
            snapshot.records("people")
            .filter(pl.col("company").struct.field("target_record_id").is_in(busy))
            .select("_id")
            .collect()["_id"]
        )
        plan_table = ActionTable.concat(
            [
                ActionTable(picked).decide("approve"),
                *merge_tables,
                record_actions(snapshot, touched | people_on_busy),
                _import_rows("no-such-domain.example"),
            ]
        )
        return cls(sb, snapshot, Plan(plan_table, snapshot), merge)

    def actions(self) -> dict[str, int]:
        return dict(self.plan.rows.group_by("action").len().sort("action").rows())

    def apply_cleanly(self, twin: RunningSandbox) -> Path:
        """Apply the plan once, with no crash, on ``twin`` (a sandbox seeded as this one was); returns the
        run folder."""
        with AttioClient(twin.tokens["primary"], twin.base_url) as client:
            report = self.plan.apply(client, merge=self.merge, progress=False)
        assert report.counts() == {"done": len(self.plan)}, report.frame.filter(pl.col("status") != "done")
        return report.folder

    def killer(self, seed: int, **options: Any) -> tuple[Run, Killer]:
        run = Run.start(self.plan)
        run.close()
        options.setdefault("merge", self.merge)
        return run, Killer(self.sb, run.run_id, run.folder.parent, seed=seed, **options)


@dataclass
class SetCheck:
    """The crashed run's end state against the twin's: counts of items lost, duplicated and unexpected."""

    lost: Counter[str]
    duplicated: Counter[str]
    unexpected: Counter[str]
    items: int

    @property
    def exact(self) -> bool:
        return not (self.lost or self.duplicated or self.unexpected)

    def __str__(self) -> str:
        counts = (
            f"{self.items:,} items: lost {sum(self.lost.values())}, duplicated {sum(self.duplicated.values())}, "
            f"unexpected {sum(self.unexpected.values())}"
        )
        examples = [f"  {kind}: {item[:300]}" for kind, c in self._kinds() for item in list(c)[:3]]
        return "\n".join([counts, *examples])

    def _kinds(self) -> list[tuple[str, Counter[str]]]:
        return [("lost", self.lost), ("duplicated", self.duplicated), ("unexpected", self.unexpected)]


def set_check(crashed: Counter[str], clean: Counter[str]) -> SetCheck:
    lost = clean - crashed
    extra = crashed - clean
    duplicated = Counter({k: n for k, n in extra.items() if k in clean})
    unexpected = Counter({k: n for k, n in extra.items() if k not in clean})
    return SetCheck(lost, duplicated, unexpected, sum(clean.values()))


def workspace_state(sb: RunningSandbox, known: set[str], since: datetime, folder: Path) -> Counter[str]:
    """Every record, entry, note and task of ``sb`` as comparable text: ids outside ``known`` (made by the
    run) become a label (a record: its object and name; anything else: ``new``), and moments after ``since``
    become ``NOW``."""
    snapshot = snapshot_of(sb, folder)
    raws: list[tuple[str, dict[str, Any]]] = []
    for object_slug in snapshot.schema.objects:
        raws += [(f"record {object_slug}", orjson.loads(r)) for r in _raw(snapshot.records(object_slug))]
    for list_slug in snapshot.schema.lists:
        raws += [(f"entry {list_slug}", orjson.loads(r)) for r in _raw(snapshot.entries(list_slug))]
    raws += [("note", orjson.loads(r)) for r in _raw(snapshot.notes())]
    raws += [("task", orjson.loads(r)) for r in _raw(snapshot.tasks())]
    labels = {
        item["id"]["record_id"]: f"new {kind.split(' ')[1]} {_name(item)}"
        for kind, item in raws
        if kind.startswith("record") and item["id"]["record_id"] not in known
    }
    stamp = since.isoformat()[:19]
    return Counter(
        f"{kind} " + orjson.dumps(_normal(item, known, labels, stamp), option=orjson.OPT_SORT_KEYS).decode()
        for kind, item in raws
    )


def _raw(frame: pl.LazyFrame) -> list[str]:
    return frame.select("_raw").collect()["_raw"].to_list()


def _name(record: dict[str, Any]) -> str:
    values = record.get("values", {})
    for slug in ("name", "domains", "email_addresses"):
        for value in values.get(slug, []):
            return str(
                value.get("value")
                or value.get("full_name")
                or value.get("domain")
                or value.get("email_address")
            )
    return "?"


def _normal(item: Any, known: set[str], labels: dict[str, str], stamp: str) -> Any:
    if isinstance(item, dict):
        return {k: _normal(v, known, labels, stamp) for k, v in item.items() if k not in NOT_COMPARED}
    if isinstance(item, list):
        normal = [_normal(v, known, labels, stamp) for v in item]
        return sorted(normal, key=lambda v: orjson.dumps(v, option=orjson.OPT_SORT_KEYS))
    if isinstance(item, str) and TIMESTAMP.match(item) and item[:19] >= stamp:
        return "NOW"
    if isinstance(item, str):  # an id, or a text holding one (a record's web_url)
        return UUID_IN_TEXT.sub(lambda m: m[0] if m[0] in known else labels.get(m[0], "new"), item)
    return item


def known_ids(snapshot: Snapshot) -> set[str]:
    """Every id that existed before the run: those in the snapshot's items and in its manifest (tokens,
    members, objects, lists, attributes, options)."""
    found = set(re.findall(UUID_IN_TEXT, (Path(snapshot.path) / "manifest.json").read_text()))
    frames = [snapshot.records(o) for o in snapshot.schema.objects]
    frames += [snapshot.entries(s) for s in snapshot.schema.lists]
    frames += [snapshot.notes(), snapshot.tasks(), snapshot.members()]
    for frame in frames:
        for raw in _raw(frame):
            found.update(re.findall(UUID_IN_TEXT, raw))
    return found


@dataclass
class Round:
    """One crash round: the kills, how the last child ended, the run's statuses, and the set checks of the
    end state after the run (and after its restore, when restore was killed too)."""

    kills: list[Kill]
    code: int
    statuses: dict[str, int]
    after_run: SetCheck
    restore_kills: list[Kill] = field(default_factory=list)
    restore_code: int | None = None
    after_restore: SetCheck | None = None
    log: str = ""

    @property
    def exact(self) -> bool:
        restored = self.restore_code in (None, 0) and (self.after_restore is None or self.after_restore.exact)
        done = self.code == 0 and set(self.statuses) == {"done"}
        return done and self.after_run.exact and restored


def crash_round(
    scenario: CrashScenario,
    twin: RunningSandbox,
    folder: Path,
    *,
    points: int,
    seed: int,
    restore_points: int = 0,
    max_writes: int = 4,
) -> Round:
    """Apply the scenario's plan cleanly on ``twin`` and, killed at ``points`` seeded points, on the
    scenario's sandbox; compare the end states (and, with ``restore_points``, do the same for a restore)."""
    known = known_ids(scenario.snapshot)
    clean = scenario.apply_cleanly(twin)
    run, killer = scenario.killer(seed, max_writes=max_writes)
    code = killer.run(points)
    log_path = run.folder.parent / f"{run.run_id}.child.log"
    report = run.folder / "report.parquet"
    statuses = dict(pl.read_parquet(report).group_by("status").len().rows()) if report.exists() else {}
    after = set_check(
        workspace_state(scenario.sb, known, scenario.started, folder / "crashed"),
        workspace_state(twin, known, scenario.started, folder / "clean"),
    )
    result = Round(list(killer.kills), code, statuses, after)
    if restore_points:
        with AttioClient(twin.tokens["primary"], twin.base_url) as client:
            restore(clean.name, client, root=clean.parent)
        again = Killer(
            scenario.sb,
            run.run_id,
            run.folder.parent,
            seed=seed + 1,
            command=("restore", run.run_id, "--yes"),
        )
        result.restore_code = again.run(restore_points)
        result.restore_kills = list(again.kills)
        result.after_restore = set_check(
            workspace_state(scenario.sb, known, scenario.started, folder / "crashed-restored"),
            workspace_state(twin, known, scenario.started, folder / "clean-restored"),
        )
    result.log = log_path.read_text(errors="replace")[-4000:] if log_path.exists() else ""
    return result

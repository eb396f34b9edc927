"""The planted defects of a seed, for tests and benchmarks (never read by the toolkit itself).

Written as ``ground_truth.json`` (the whole structure) and ``ground_truth.parquet`` (one row per planted
item: ``kind``, ``cluster``, ``id``, ``detail``) beside the sandbox database.

Kinds:
* ``duplicate_notes``: ``id`` is the re-imported copy, ``detail`` the original note id it copies;
* ``reimport_only_notes``: ``id`` is a re-imported copy whose original is gone, ``detail`` the original's
  ``created_at``;
* ``duplicate_companies`` / ``duplicate_people``: the records of one cluster share ``cluster``; ``detail``
  names the variant (suffix, typo, tld, split, subdomain / nickname, swapped, second_email, phone_format,
  typo);
* ``orphan_entries``: ``id`` is the entry, ``detail`` the parent record id that does not exist;
* ``duplicate_entries``: the entries of one cluster share ``cluster``; ``detail`` is the parent record id.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import orjson
import polars as pl

JSON = dict[str, Any]


@dataclass
class GroundTruth:
    seed: int = 0
    scale: float = 1.0
    tokens: dict[str, str] = field(default_factory=dict)
    objects: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    duplicate_notes: list[JSON] = field(default_factory=list)
    reimport_only_notes: list[JSON] = field(default_factory=list)
    duplicate_companies: list[JSON] = field(default_factory=list)
    duplicate_people: list[JSON] = field(default_factory=list)
    orphan_entries: list[JSON] = field(default_factory=list)
    duplicate_entries: list[JSON] = field(default_factory=list)
    notes_source: list[JSON] = field(default_factory=list)

    def frame(self) -> pl.DataFrame:
        """One row per planted item (see the module docstring)."""
        rows: list[tuple[str, int, str, str]] = []
        for i, item in enumerate(self.duplicate_notes):
            rows.append(("duplicate_notes", i, item["id"], item["original_id"]))
        for i, item in enumerate(self.reimport_only_notes):
            rows.append(("reimport_only_notes", i, item["id"], item["original_created_at"]))
        for kind in ("duplicate_companies", "duplicate_people"):
            for i, cluster in enumerate(getattr(self, kind)):
                rows += [(kind, i, record_id, cluster["variant"]) for record_id in cluster["ids"]]
        for i, item in enumerate(self.orphan_entries):
            rows.append(("orphan_entries", i, item["id"], item["parent_record_id"]))
        for i, cluster in enumerate(self.duplicate_entries):
            rows += [
                ("duplicate_entries", i, entry_id, cluster["parent_record_id"]) for entry_id in cluster["ids"]
            ]
        return pl.DataFrame(rows, schema=["kind", "cluster", "id", "detail"], orient="row")

    def write(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "ground_truth.json").write_bytes(orjson.dumps(asdict(self), option=orjson.OPT_INDENT_2))
        self.frame().write_parquet(folder / "ground_truth.parquet")

    def planted(self, recipe: str, action: str) -> set[frozenset[str]]:
        """The planted findings one recipe's action should make, each as the set of ids it involves."""
        match recipe, action:
            case "duplicate_notes", "delete_note":
                return {frozenset((d["id"], d["original_id"])) for d in self.duplicate_notes}
            case "duplicate_notes", "recreate_note":
                return {frozenset((d["id"],)) for d in self.reimport_only_notes}
            case "duplicate_companies" | "duplicate_people", "merge_records":
                return {frozenset(c["ids"]) for c in getattr(self, recipe)}
            case "orphan_entries", "delete_entry":
                return {frozenset((o["id"],)) for o in self.orphan_entries}
            case "duplicate_entries", "delete_entry":
                return {frozenset(c["ids"]) for c in self.duplicate_entries}
        raise KeyError(f"no planted defects for {recipe} / {action}")

    def score(self, actions: pl.DataFrame) -> pl.DataFrame:
        """Per planted kind: how many were planted, how many findings an action table proposes, and the
        precision and recall of its findings (a finding counts when it involves exactly the planted ids)."""
        rows = []
        for label, recipe, action in SCORED:
            planted = self.planted(recipe, action)
            found = found_findings(actions, recipe, action)
            right = len(found & planted)
            precision = right / len(found) if found else 1.0
            recall = right / len(planted) if planted else 1.0
            rows.append((label, recipe, action, len(planted), len(found), right, precision, recall))
        return pl.DataFrame(
            rows,
            schema=["defect", "recipe", "action", "planted", "found", "right", "precision", "recall"],
            orient="row",
        )

    @classmethod
    def read(cls, folder: Path) -> GroundTruth:
        return cls(**orjson.loads((folder / "ground_truth.json").read_bytes()))


SCORED = (
    ("re-imported duplicate notes", "duplicate_notes", "delete_note"),
    ("re-imports whose original is gone", "duplicate_notes", "recreate_note"),
    ("duplicate companies", "duplicate_companies", "merge_records"),
    ("duplicate people", "duplicate_people", "merge_records"),
    ("orphan list entries", "orphan_entries", "delete_entry"),
    ("records entered twice in the pipeline", "duplicate_entries", "delete_entry"),
)
_SINGLE = {("duplicate_notes", "recreate_note"), ("orphan_entries", "delete_entry")}


def found_findings(actions: pl.DataFrame, recipe: str, action: str) -> set[frozenset[str]]:
    """An action table's findings for one recipe's action, each as the set of ids it involves: the targets
    of a cluster with their survivor (merges) or the record kept (``cluster_id``), or a lone target."""
    rows = actions.filter((pl.col("recipe") == recipe) & (pl.col("action") == action))
    if (recipe, action) == ("duplicate_notes", "delete_note"):  # each row is a copy and the note it copies
        return {frozenset(pair) for pair in rows.select("target_id", "cluster_id").rows()}
    if (recipe, action) in _SINGLE:
        return {frozenset((t,)) for t in rows["target_id"].to_list()}
    grouped = rows.group_by("cluster_id").agg("target_id", pl.col("survivor_id").first())
    return {
        frozenset({*targets, survivor if survivor is not None else key})
        for key, targets, survivor in grouped.iter_rows()
    }

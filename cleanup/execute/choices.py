"""The reviewer's choices on merges, made concrete for the plan: the record to ``keep`` and the values to
``take`` from the merged-away record.

``keep`` (set on any row of a cluster) re-points the cluster's merges: the chosen record becomes every row's
survivor, and on the chosen record's own row the proposed survivor becomes the record merged away. What
each re-pointed merge carries over (the loser's values the survivor lacks) is worked out again from the
snapshot for the new direction, and the re-pointed row's fingerprint is the new loser's, so the executor's
drift check guards the record it now deletes. This is done here, in the plan, rather than in the executor:
the plan is the dry run that computes everything, the run folder then holds exactly what was written (for
the report, the verification and ``restore``), and the executor keeps one path for every merge.

``take`` (attribute titles, comma-separated) names single-valued attributes whose value comes from the
record the row merges away; the plan checks the titles and puts the values in the payload's ``take``, which
the executor writes onto the survivor like a carried value (a stage or a checkbox included: the reviewer
asked for it).

>>> rows, problems = reviewer_choices(approved, snapshot, layout)  # doctest: +SKIP
"""

from __future__ import annotations

import re
from typing import Any

import orjson
import polars as pl

from ..actions import Action
from ..actions.fingerprint import fingerprint
from ..actions.layout import Layout
from ..actions.review import takeable
from ..detect.findings import carried_attributes, carried_values
from ..export.schema import ObjectInfo
from ..export.snapshot import Snapshot
from ..labels import Namer
from ..values import encode_cell

SEPARATORS = re.compile(r"[,;\n]")


def reviewer_choices(
    rows: pl.DataFrame, snapshot: Snapshot, layout: Layout
) -> tuple[pl.DataFrame, list[str]]:
    """``rows`` (approved, with ``_i``, the row's index in the table, and ``keep`` spread over each
    cluster) with the kept records made survivors and the taken values in the payloads; and the problems
    found, each naming the cell and the fix."""
    merge = pl.col("action") == Action.MERGE_RECORDS.value
    chosen = merge & pl.col("keep").is_not_null() & (pl.col("keep") != pl.col("survivor_id"))
    rows = rows.with_columns(
        target_id=pl.when(chosen & (pl.col("target_id") == pl.col("keep")))
        .then(pl.col("survivor_id"))
        .otherwise(pl.col("target_id")),
        survivor_id=pl.when(chosen).then(pl.col("keep")).otherwise(pl.col("survivor_id")),
        _swapped=(chosen & (pl.col("target_id") == pl.col("keep"))).fill_null(False),
        _repointed=chosen.fill_null(False),
    )
    wanted = rows.filter(pl.col("_repointed") | (merge & pl.col("take").is_not_null()))
    if wanted.height == 0:
        return rows.drop("_swapped", "_repointed"), []
    namer = Namer(snapshot)
    problems: list[str] = []
    payloads = dict(zip(rows["action_id"], rows["payload"], strict=True))
    prints = dict(zip(rows["action_id"], rows["fingerprint"], strict=True))
    for (object_slug,), part in wanted.group_by("object"):
        info = snapshot.schema.objects.get(str(object_slug))
        if info is None or f"records/{object_slug}" not in snapshot.parts:
            continue  # the plan's own checks name the unknown object or the missing part
        records = _records(snapshot, info, part)
        repointed = part.filter(pl.col("_repointed"))
        carried = carried_values(
            repointed.select(pl.col("target_id").alias("id"), pl.col("survivor_id").alias("survivor")),
            records,
            carried_attributes(snapshot, info.slug),
        )
        raws = dict(records.select("_id", "_raw").rows())
        for row, carry in zip(repointed.to_dicts(), carried, strict=True):
            payload = _payload(payloads[row["action_id"]])
            payloads[row["action_id"]] = orjson.dumps({**payload, "carry": carry}).decode()
            if row["_swapped"]:
                prints[row["action_id"]] = fingerprint(raws.get(row["target_id"]))
        for row in part.filter(pl.col("take").is_not_null()).to_dicts():
            taken, found = _taken(row, info, records, namer, layout)
            problems += found
            if taken:
                payload = _payload(payloads[row["action_id"]])
                carry = {k: v for k, v in payload.get("carry", {}).items() if k not in taken}
                payloads[row["action_id"]] = orjson.dumps({**payload, "carry": carry, "take": taken}).decode()
    rows = rows.with_columns(
        payload=pl.col("action_id").replace_strict(payloads, return_dtype=pl.String),
        fingerprint=pl.col("action_id").replace_strict(prints, return_dtype=pl.String),
    )
    return rows.drop("_swapped", "_repointed"), problems


def _payload(text: str | None) -> dict[str, Any]:
    return orjson.loads(text) if text else {}


def _records(snapshot: Snapshot, info: ObjectInfo, part: pl.DataFrame) -> pl.DataFrame:
    """The snapshot's records the rows name (targets and survivors), with ``_raw`` and every attribute."""
    ids = pl.concat([part["target_id"], part["survivor_id"]]).drop_nulls().unique().to_list()
    return snapshot.records(info.slug).filter(pl.col("_id").is_in(ids)).collect()


def _taken(
    row: dict[str, Any], info: ObjectInfo, records: pl.DataFrame, namer: Namer, layout: Layout
) -> tuple[dict[str, Any], list[str]]:
    """The values a row takes from its merged-away record, encoded for a write; and what is wrong."""
    where = layout.cell(row["_i"], "take")
    allowed = [a for a in info.attributes if takeable(a.type, a.is_writable, a.is_multiselect)]
    by_word = {a.title.casefold(): a for a in allowed} | {a.slug.casefold(): a for a in allowed}
    other = {a.title.casefold(): a for a in info.attributes} | {a.slug.casefold(): a for a in info.attributes}
    loser = namer.record(info.slug, row["target_id"])
    found = records.filter(pl.col("_id") == row["target_id"])
    record = found.row(0, named=True) if found.height else {}
    problems: list[str] = []
    taken: dict[str, Any] = {}
    for word in [w.strip() for w in SEPARATORS.split(row["take"]) if w.strip()]:
        attr = by_word.get(word.casefold())
        if attr is None:
            known = other.get(word.casefold())
            why = (
                f"{known.title} has several values, and a merge keeps the values of both records"
                if known is not None and known.is_multiselect
                else f"{known.title} cannot be written through the API"
                if known is not None
                else f"{namer.noun(info.slug, plural=True)} have no attribute “{word}”"
            )
            problems.append(
                f"{where}: {why}; write the title of an attribute with one value, from: "
                + ", ".join(a.title for a in allowed)
            )
            continue
        value = record.get(attr.slug)
        if value is None or value in ([], ""):
            problems.append(
                f"{where}: {attr.title} is empty on {loser}, the record merged away, so there is nothing to "
                f"take; remove “{word}”"
            )
            continue
        taken[attr.slug] = encode_cell(attr.value_type, value)
    return taken, problems

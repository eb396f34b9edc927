"""The findings of each recipe as the report's cards show them, every thing named, never by id:

* duplicate notes grouped by the record they sit on, each copy beside its kept original;
* merges as the kept record, the records merged into it and the values each attribute ends with, with what
  moves (notes, list entries, tasks, references) counted;
* duplicate list entries as the kept entry beside the removed ones; orphan entries on their own;
* anything else one row at a time.

A card is a *unit* (a JSON object the page's script renders a page of at a time): ``k`` its key, ``label``
its name, ``s`` the text search matches, ``conf`` its lowest confidence, ``dec`` its rows' decisions,
``flags`` what needs a closer look, and per kind what it shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import orjson
import polars as pl

from ..actions import Action
from ..export.schema import references_to
from ..export.snapshot import Snapshot
from ..labels import Namer, confidence_text, when_expr
from .values import entry_values, record_values, shown_attributes

JSON = dict[str, Any]
NOTE_ACTIONS = (Action.DELETE_NOTE.value, Action.RECREATE_NOTE.value)
ENTRY_ACTIONS = (Action.DELETE_ENTRY.value, Action.UPDATE_ENTRY.value)
SNIPPET = 200  # characters of a note's content shown
UNSURE = 0.95  # below this a finding is 'unsure' and needs a closer look
WON_WORDS = ("won", "invested", "closed", "portfolio", "signed")
LOST_WORDS = ("passed", "lost", "declined", "dead", "rejected")
RULE = re.compile(r"(?:survivor|the one kept is) chosen as ([^)]*)\)")


@dataclass
class Section:
    """One recipe's findings: its kind of card, the units, and what the cards look values up in."""

    recipe: str
    kind: str  # notes, merges, entries or rows
    units: list[JSON]
    rows: int
    values: dict[str, JSON] = field(default_factory=dict)  # record or entry id → {attribute: text}
    attrs: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # object or list → (slug, title)
    meta: JSON = field(default_factory=dict)

    def to_json(self) -> JSON:
        return {
            "kind": self.kind,
            "units": self.units,
            "values": self.values,
            "attrs": self.attrs,
            "meta": self.meta,
        }


def _row_common() -> list[pl.Expr]:
    """What every row of a card carries: its id, decision, confidence and (after a run) its status."""
    return [
        pl.col("action_id").alias("a"),
        pl.col("decision").alias("dec"),
        pl.col("confidence").alias("conf"),
        pl.col("status").alias("st"),
        pl.col("detail").alias("why"),
        pl.col("verified").alias("ok"),
    ]


# ------------------------------------------------------------------------------------------------ notes
def note_section(recipe: str, rows: pl.DataFrame, snapshot: Snapshot, namer: Namer) -> Section:
    """Copies of notes and re-dated notes, grouped by the record they sit on (vectorised)."""
    notes = _notes(snapshot, rows)
    copy = notes.select(pl.all().name.prefix("c_"))
    orig = notes.select(pl.all().name.prefix("o_"))
    joined = (
        rows.join(copy, left_on="target_id", right_on="c_note_id", how="left")
        .join(
            orig,
            left_on=pl.when(pl.col("cluster_id") != pl.col("target_id")).then(pl.col("cluster_id")),
            right_on="o_note_id",
            how="left",
        )
        .with_columns(
            parent_object=pl.coalesce(
                "c_parent_object", pl.col("payload").str.json_path_match("$.parent_object"), "object"
            ),
            parent_id=pl.coalesce(
                "c_parent_record_id", pl.col("payload").str.json_path_match("$.parent_record_id")
            ),
            new_date=when_expr(
                pl.col("payload")
                .str.json_path_match("$.created_at")
                .str.to_datetime(time_zone="UTC", strict=False)
            ),
        )
    )
    actors = namer.actors([*joined["c_by"].to_list(), *joined["o_by"].to_list()])
    parents = _parent_names(joined, namer)
    joined = joined.join(parents, on=["parent_object", "parent_id"], how="left").with_columns(
        pl.col("c_by").replace(actors), pl.col("o_by").replace(actors)
    )
    item = pl.struct(
        *_row_common(),
        pl.when(pl.col("action") == Action.DELETE_NOTE.value)
        .then(pl.lit("copy"))
        .otherwise(pl.lit("redate"))
        .alias("t"),
        pl.coalesce("c_title", pl.col("payload").str.json_path_match("$.title")).alias("title"),
        pl.coalesce("o_content", "c_content").alias("content"),
        (pl.col("o_full") == pl.col("c_full")).alias("same"),
        pl.col("o_date").alias("odate"),
        pl.col("o_by").alias("oby"),
        pl.col("cluster_id").alias("oid"),
        pl.col("c_date").alias("cdate"),
        pl.col("c_by").alias("cby"),
        pl.col("target_id").alias("cid"),
        pl.col("new_date").alias("nd"),
        pl.col("o_exists").fill_null(False).alias("ofound"),
    )
    units = (
        joined.sort("o_sort", nulls_last=True)
        .group_by("parent_object", "parent_id", maintain_order=True)
        .agg(
            pl.first("name").alias("label"),
            pl.first("url"),
            pl.first("noun"),
            item.alias("items"),
            (pl.col("action") == Action.DELETE_NOTE.value).sum().alias("copies"),
            (pl.col("action") == Action.RECREATE_NOTE.value).sum().alias("redated"),
            pl.col("confidence").min().alias("conf"),
            pl.col("decision").unique().sort().alias("dec"),
            pl.concat_str(
                pl.first("name"), pl.col("c_title").drop_nulls().unique().str.join(" "), separator=" "
            )
            .str.to_lowercase()
            .alias("s"),
        )
        .sort("label")
        .with_columns(
            k=pl.concat_str(pl.lit(f"{recipe}:"), pl.col("parent_id").fill_null("?")),
            flags=pl.lit([], dtype=pl.List(pl.String)),
        )
        .rename({"parent_object": "obj"})
        .drop("parent_id")
    )
    return Section(recipe, "notes", units.to_dicts(), rows.height)


def _notes(snapshot: Snapshot, rows: pl.DataFrame) -> pl.DataFrame:
    ids = pl.concat([rows["target_id"], rows["cluster_id"]]).drop_nulls().unique()
    if "notes" not in snapshot.parts:
        return pl.DataFrame(
            schema={
                "note_id": pl.String,
                "parent_object": pl.String,
                "parent_record_id": pl.String,
                "title": pl.String,
                "content": pl.String,
                "full": pl.String,
                "date": pl.String,
                "sort": pl.Datetime("ns", "UTC"),
                "by": pl.String,
                "exists": pl.Boolean,
            }
        )
    return (
        snapshot.notes()
        .filter(pl.col("note_id").is_in(ids.implode()))
        .select(
            "note_id",
            "parent_object",
            "parent_record_id",
            "title",
            pl.col("content_plaintext").str.slice(0, SNIPPET).alias("content"),
            pl.col("content_plaintext").alias("full"),
            when_expr(pl.col("created_at")).alias("date"),
            pl.col("created_at").alias("sort"),
            pl.col("created_by_actor_id").alias("by"),
            pl.lit(True).alias("exists"),
        )
        .collect()
    )


def _parent_names(frame: pl.DataFrame, namer: Namer) -> pl.DataFrame:
    """``parent_object``, ``parent_id`` → ``name``, ``url``, ``noun`` of every parent record."""
    parts = []
    for (object_slug,), group in frame.group_by("parent_object"):
        if object_slug is None:
            continue
        names = namer.name_frame(str(object_slug), group["parent_id"])
        parts.append(
            names.select(
                pl.lit(object_slug).alias("parent_object"),
                pl.col("id").alias("parent_id"),
                "name",
                "url",
                pl.lit(namer.noun(str(object_slug))).alias("noun"),
            )
        )
    if not parts:
        return pl.DataFrame(
            schema={
                "parent_object": pl.String,
                "parent_id": pl.String,
                "name": pl.String,
                "url": pl.String,
                "noun": pl.String,
            }
        )
    return pl.concat(parts)


# ------------------------------------------------------------------------------------------------ merges
def merge_section(recipe: str, rows: pl.DataFrame, snapshot: Snapshot, namer: Namer) -> Section:
    """Each cluster: the kept record, the records merged into it, and what moves with them."""
    section = Section(recipe, "merges", [], rows.height)
    for (object_key,), group in rows.group_by("object", maintain_order=True):
        object_slug = str(object_key)
        ids = pl.concat([group["target_id"], group["survivor_id"]]).drop_nulls().unique()
        names = namer.name_frame(object_slug, ids)
        named = {i: (n, u) for i, n, u in names.select("id", "name", "url").iter_rows()}
        values = record_values(snapshot, object_slug, ids.to_list(), namer)
        hanging = hanging_counts(snapshot, object_slug, ids)
        for record_id, counts in hanging.items():
            values.setdefault(record_id, {})["_hang"] = counts
        section.values.update(values)
        attrs = shown_attributes(snapshot.schema.objects[object_slug].attributes)
        section.attrs[object_slug] = [(a.slug, a.title) for a in attrs]
        carries = _carry_texts(group, snapshot, namer)
        noun = namer.noun(object_slug)
        for (cluster,), cluster_rows in group.group_by("cluster_id", maintain_order=True):
            section.units.append(
                _merge_unit(recipe, str(cluster), cluster_rows, object_slug, noun, named, values, carries)
            )
    section.units.sort(key=lambda u: (u["conf"] if u["conf"] is not None else 1.0, u["label"]))
    rule = next((m.group(1) for m in map(RULE.search, rows["reason"].drop_nulls().head(1)) if m), None)
    section.meta["rule"] = rule
    return section


def _merge_unit(
    recipe: str,
    cluster: str,
    rows: pl.DataFrame,
    object_slug: str,
    noun: str,
    named: dict[str, tuple[str, str | None]],
    values: dict[str, JSON],
    carries: dict[str, JSON],
) -> JSON:
    survivor = rows["survivor_id"][0]
    others, flags, lost_titles = [], [], []
    for row in rows.to_dicts():
        payload = orjson.loads(row["payload"]) if row["payload"] else {}
        against = [str(a) for a in payload.get("against") or []]
        parts = [p.strip() for p in (row["evidence"] or "").split(";") if p.strip()]
        evidence = [[p, any(a.lower() in p.lower() for a in against)] for p in parts]
        carry = carries.get(row["action_id"], {})
        kept, gone = values.get(survivor, {}), values.get(row["target_id"], {})
        lost = [
            slug
            for slug, text in gone.items()
            if not slug.startswith("_") and text and text != kept.get(slug) and slug not in carry
        ]
        lost_titles += lost
        name, url = named.get(row["target_id"], (row["target_id"], None))
        others.append(
            {
                "id": row["target_id"],
                "name": name,
                "url": url,
                "a": row["action_id"],
                "dec": row["decision"],
                "conf": row["confidence"],
                "ev": evidence,
                "against": against,
                "carry": carry,
                "lost": lost,
                "st": row.get("status"),
                "why": row.get("detail"),
                "ok": row.get("verified"),
            }
        )
        if against:
            flags.append("evidence against it: " + ", ".join(f"different {a}" for a in against))
    confidences = [o["conf"] for o in others if o["conf"] is not None]
    conf = min(confidences) if confidences else None
    if conf is not None and conf < UNSURE:
        flags.append(f"{confidence_text(conf)} that these are the same {noun}")
    name, url = named.get(survivor, (survivor, None))
    moves = {k: sum(values.get(o["id"], {}).get("_hang", {}).get(k, 0) for o in others) for k in HANG_KINDS}
    return {
        "k": f"{recipe}:{cluster}",
        "label": name,
        "url": url,
        "obj": object_slug,
        "noun": noun,
        "surv": survivor,
        "others": others,
        "moves": moves,
        "conf": conf,
        "dec": sorted({o["dec"] for o in others}),
        "flags": flags,
        "loses": sorted(set(lost_titles)),
        "s": " ".join([name, *(o["name"] for o in others)]).lower(),
    }


def _carry_texts(rows: pl.DataFrame, snapshot: Snapshot, namer: Namer) -> dict[str, JSON]:
    """Per merge row, the values it adds to the kept record, as text (referenced records named)."""
    parsed = {
        action_id: (orjson.loads(payload).get("carry") or {})
        for action_id, payload in rows.select("action_id", "payload").iter_rows()
        if payload
    }
    refs = {
        v["target_record_id"]
        for carry in parsed.values()
        for values in carry.values()
        for v in (values if isinstance(values, list) else [values])
        if isinstance(v, dict) and "target_record_id" in v
    }
    ref_names: dict[str, str] = {}
    for object_slug in snapshot.schema.objects:
        if refs:
            found = namer.name_frame(object_slug, pl.Series(list(refs), dtype=pl.String)).filter(
                pl.col("found")
            )
            ref_names.update(dict(found.select("id", "name").iter_rows()))
    return {
        action_id: {slug: _value_text(v, ref_names) for slug, v in carry.items()}
        for action_id, carry in parsed.items()
    }


def _value_text(value: Any, names: dict[str, str]) -> str:
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, dict):
            if "target_record_id" in item:
                out.append(names.get(item["target_record_id"], "a record not in the snapshot"))
            else:
                out.append(str(next((item[k] for k in ("title", "full_name", "value") if k in item), "…")))
        elif item is not None:
            out.append(str(item))
    return ", ".join(out)


HANG_KINDS = ("notes", "entries", "tasks", "refs")


def hanging_counts(snapshot: Snapshot, object_slug: str, ids: pl.Series) -> dict[str, dict[str, int]]:
    """Per record: its notes, list entries, tasks and the references other records hold to it, counted in
    the snapshot (what a merge moves to the kept record)."""
    wanted = ids.implode()
    counts: list[pl.DataFrame] = []
    if "notes" in snapshot.parts:
        notes = snapshot.notes().filter(
            (pl.col("parent_object") == object_slug) & pl.col("parent_record_id").is_in(wanted)
        )
        counts.append(_count(notes, "parent_record_id", "notes"))
    for list_slug, info in snapshot.schema.lists.items():
        if info.parent_object == object_slug and f"entries/{list_slug}" in snapshot.parts:
            entries = snapshot.entries(list_slug).filter(pl.col("_parent_record_id").is_in(wanted))
            counts.append(_count(entries, "_parent_record_id", "entries"))
    if "tasks" in snapshot.parts:
        tasks = (
            snapshot.tasks()
            .select(pl.col("linked_records").explode().struct.field("target_record_id").alias("id"))
            .filter(pl.col("id").is_in(wanted))
        )
        counts.append(_count(tasks, "id", "tasks"))
    if object_slug in snapshot.schema.objects:
        for other, attr in references_to(snapshot.schema, object_slug):
            if f"records/{other}" not in snapshot.parts:
                continue
            lazy = snapshot.records(other)
            dtype = lazy.collect_schema().get(attr.slug)
            if dtype is None:
                continue
            column = pl.col(attr.slug).explode() if isinstance(dtype, pl.List) else pl.col(attr.slug)
            refs = lazy.select(column.struct.field("target_record_id").alias("id")).filter(
                pl.col("id").is_in(wanted)
            )
            counts.append(_count(refs, "id", "refs"))
    out: dict[str, dict[str, int]] = {}
    for frame in counts:
        kind = frame.columns[1]
        for record_id, n in frame.iter_rows():
            out.setdefault(record_id, {})[kind] = out.get(record_id, {}).get(kind, 0) + n
    return out


def _count(lazy: pl.LazyFrame, column: str, kind: str) -> pl.DataFrame:
    return lazy.group_by(pl.col(column).alias("id")).agg(pl.len().cast(pl.Int64).alias(kind)).collect()


# ------------------------------------------------------------------------------------------------ entries
def entry_section(recipe: str, rows: pl.DataFrame, snapshot: Snapshot, namer: Namer) -> Section:
    """Duplicate entries: the kept entry beside the removed ones (and the values carried onto it); orphan
    entries on their own."""
    section = Section(recipe, "entries", [], rows.height)
    for (list_key,), group in rows.group_by("list", maintain_order=True):
        list_slug = str(list_key)
        info = snapshot.schema.lists.get(list_slug)
        ids = pl.concat([group["target_id"], group["cluster_id"]]).drop_nulls().unique()
        values = entry_values(snapshot, list_slug, ids.to_list(), namer)
        section.values.update(values)
        attrs = shown_attributes(info.attributes) if info else []
        section.attrs[list_slug] = [(a.slug, a.title) for a in attrs]
        titles = dict(section.attrs[list_slug])
        parents = _entry_parents(snapshot, list_slug, ids, namer)
        stages = _stage_ranks(info.attributes if info else [])
        list_name = namer.list_name(list_slug)
        noun = namer.noun(info.parent_object) if info else "record"
        for (cluster,), cluster_rows in group.group_by("cluster_id", maintain_order=True):
            section.units.append(
                _entry_unit(
                    recipe,
                    str(cluster),
                    cluster_rows,
                    list_slug,
                    list_name,
                    noun,
                    values,
                    parents,
                    stages,
                    titles,
                )
            )
    section.units.sort(key=lambda u: (not u["flags"], u["label"]))
    section.meta["orphans"] = all(u["kept"] is None for u in section.units)
    return section


def _entry_parents(
    snapshot: Snapshot, list_slug: str, ids: pl.Series, namer: Namer
) -> dict[str, tuple[str, str | None, bool]]:
    """Entry id → (parent record's name, its url, whether the record still exists)."""
    if f"entries/{list_slug}" not in snapshot.parts:
        return {}
    frame = (
        snapshot.entries(list_slug)
        .filter(pl.col("_id").is_in(ids.implode()))
        .select("_id", "_parent_object", "_parent_record_id")
        .collect()
    )
    out: dict[str, tuple[str, str | None, bool]] = {}
    for (object_slug,), group in frame.group_by("_parent_object"):
        names = namer.name_frame(str(object_slug), group["_parent_record_id"])
        noun = namer.noun(str(object_slug))
        joined = group.join(names, left_on="_parent_record_id", right_on="id", how="left")
        for entry_id, name, url, found in joined.select("_id", "name", "url", "found").iter_rows():
            out[entry_id] = (name if found else f"a {noun} no longer in Attio", url, bool(found))
    return out


def _stage_ranks(attributes: list[Any]) -> dict[str, tuple[int, bool]]:
    """Stage title → (its rank among the open stages, whether it is won or late in the pipeline)."""
    status = next((a for a in attributes if a.type == "status"), None)
    if status is None:
        return {}
    titles = [s["title"] for s in status.statuses if not s.get("is_archived")]
    open_titles = [t for t in titles if not any(w in t.lower() for w in LOST_WORDS)]
    ranks: dict[str, tuple[int, bool]] = {}
    for i, title in enumerate(open_titles):
        late = i >= len(open_titles) - 2 or any(w in title.lower() for w in WON_WORDS)
        ranks[title] = (i, late)
    for title in titles:
        ranks.setdefault(title, (-1, False))
    return ranks


def _entry_unit(
    recipe: str,
    cluster: str,
    rows: pl.DataFrame,
    list_slug: str,
    list_name: str,
    noun: str,
    values: dict[str, JSON],
    parents: dict[str, tuple[str, str | None, bool]],
    stages: dict[str, tuple[int, bool]],
    titles: dict[str, str],
) -> JSON:
    dicts = rows.to_dicts()
    deletes = [r for r in dicts if r["action"] == Action.DELETE_ENTRY.value]
    update = next((r for r in dicts if r["action"] == Action.UPDATE_ENTRY.value), None)
    duplicate = update is not None or any(r["target_id"] != cluster for r in deletes)
    kept = cluster if duplicate else None
    carried = orjson.loads(update["payload"]) if update and update["payload"] else {}
    carried = carried.get("entry_values", carried) if isinstance(carried, dict) else {}
    kept_values = values.get(kept, {}) if kept else {}
    stage_slug = next((s for s, t in titles.items() if t.lower() == "stage"), "stage")
    flags: list[str] = []
    removed = []
    for row in deletes:
        gone = values.get(row["target_id"], {})
        lost = [
            titles.get(slug, slug)
            for slug, text in gone.items()
            if slug in titles and text and text != kept_values.get(slug) and slug not in carried
        ]
        stage = gone.get(stage_slug)
        rank, late = stages.get(stage or "", (-1, False))
        kept_rank = stages.get(kept_values.get(stage_slug) or "", (-1, False))[0]
        if stage and late and (kept is None or rank > kept_rank):
            flags.append(
                f"removes an entry at stage {stage}"
                + (f" (the kept one is at {kept_values.get(stage_slug) or 'no stage'})" if kept else "")
            )
        if lost and kept:
            flags.append("values only the removed entry holds would be lost: " + ", ".join(lost))
        removed.append(
            {
                "id": row["target_id"],
                "a": row["action_id"],
                "dec": row["decision"],
                "conf": row["confidence"],
                "lost": lost,
                "reason": row["reason"],
                "st": row.get("status"),
                "why": row.get("detail"),
                "ok": row.get("verified"),
            }
        )
    upd = None
    if update is not None:
        upd = {
            "a": update["action_id"],
            "dec": update["decision"],
            "conf": update["confidence"],
            "vals": {slug: _value_text(v, {}) for slug, v in carried.items()},
            "st": update.get("status"),
            "why": update.get("detail"),
            "ok": update.get("verified"),
        }
        delete_decisions = {r["dec"] for r in removed}
        if update["decision"] == "approve" and "pending" in delete_decisions:
            flags.append(
                "decide together: the kept entry is approved to take values from an entry whose removal is "
                "still undecided"
            )
        if update["decision"] != "approve" and "approve" in delete_decisions:
            names = ", ".join(titles.get(s, s) for s in carried)
            flags.append(
                f"decide together: the removal is approved but copying {names} onto the kept entry is not"
            )
    confidences = [r["confidence"] for r in dicts if r["confidence"] is not None]
    conf = min(confidences) if confidences else None
    if conf is not None and conf < UNSURE:
        flags.append(f"{confidence_text(conf)} that these entries are duplicates")
    anchor = kept or deletes[0]["target_id"] if (kept or deletes) else cluster
    parent_name, url, _ = parents.get(anchor, ("an unknown record", None, False))
    return {
        "k": f"{recipe}:{cluster}",
        "label": parent_name,
        "url": url,
        "list": list_slug,
        "list_name": list_name,
        "noun": noun,
        "kept": kept,
        "removed": removed,
        "upd": upd,
        "conf": conf,
        "dec": sorted({r["decision"] for r in dicts}),
        "flags": list(dict.fromkeys(flags)),
        "s": f"{parent_name} {list_name}".lower(),
    }


# ------------------------------------------------------------------------------------------------ other rows
ACTION_WORDS = {
    Action.CREATE_NOTE.value: "add a note",
    Action.DELETE_RECORD.value: "delete",
    Action.CREATE_RECORD.value: "create",
    Action.ASSERT_RECORD.value: "create or update",
    Action.UPDATE_RECORD.value: "change values of",
    Action.CREATE_ENTRY.value: "add to a list",
    Action.DELETE_ENTRY.value: "remove from a list",
    Action.UPDATE_ENTRY.value: "change entry values of",
    Action.UPDATE_TASK.value: "link a task again to",
    Action.UPDATE_NOTE.value: "correct a note on",
    Action.WRITE_HISTORY.value: "write back the value history of",
    Action.DELETE_NOTE.value: "delete a note",
    Action.RECREATE_NOTE.value: "re-date a note",
    Action.MERGE_RECORDS.value: "merge",
    Action.CREATE_LIST.value: "make a list",
    Action.CREATE_ATTRIBUTE.value: "add an attribute to",
    Action.CREATE_OPTION.value: "add a choice to an attribute of",
}


def row_section(recipe: str, rows: pl.DataFrame, snapshot: Snapshot, namer: Namer) -> Section:
    """One card per row: what it does, to which record (by name)."""
    parts = []
    for (object_slug,), group in rows.group_by("object", maintain_order=True):
        if object_slug is None:
            parts.append(group.with_columns(label=pl.lit(None, pl.String), url=pl.lit(None, pl.String)))
            continue
        names = namer.name_frame(str(object_slug), group["target_id"]).select(
            pl.col("id").alias("target_id"), pl.col("name").alias("label"), "url"
        )
        parts.append(group.join(names, on="target_id", how="left"))
    frame = pl.concat(parts, how="diagonal_relaxed") if parts else rows
    proposed = pl.coalesce(
        pl.col("payload").str.json_path_match("$.name"),
        pl.col("payload").str.json_path_match("$.values.name"),
        pl.col("payload").str.json_path_match("$.title"),
    )
    units = frame.select(
        pl.concat_str(pl.lit(f"{recipe}:"), "action_id").alias("k"),
        pl.coalesce("label", proposed, pl.lit("(new)")).alias("label"),
        "url",
        pl.col("action").replace(ACTION_WORDS).alias("what"),
        pl.col("object").fill_null(pl.col("list")).alias("where"),
        "reason",
        pl.col("evidence").str.split("; ").alias("ev"),
        pl.col("confidence").alias("conf"),
        pl.concat_list("decision").alias("dec"),
        pl.struct(*_row_common()).alias("row"),
        pl.concat_str(
            pl.coalesce("label", proposed, pl.lit("")), pl.col("reason").fill_null(""), separator=" "
        )
        .str.to_lowercase()
        .alias("s"),
        pl.lit([], dtype=pl.List(pl.String)).alias("flags"),
    )
    return Section(recipe, "rows", units.to_dicts(), rows.height)


def recipe_section(recipe: str, rows: pl.DataFrame, snapshot: Snapshot, namer: Namer) -> Section:
    """The section for one recipe's rows, by what they do."""
    actions = set(rows["action"].to_list())
    if actions <= set(NOTE_ACTIONS):
        return note_section(recipe, rows, snapshot, namer)
    if actions == {Action.MERGE_RECORDS.value}:
        return merge_section(recipe, rows, snapshot, namer)
    if actions <= set(ENTRY_ACTIONS):
        return entry_section(recipe, rows, snapshot, namer)
    return row_section(recipe, rows, snapshot, namer)

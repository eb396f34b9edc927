"""What restores put back: each note a restore wrote anew (a new id, the restoring token as author), with
the note it stands for and that note's own author, read from the run folders (a restore run's
``restores.parquet`` and journal, the restored run's ``plan.parquet`` and backed-up notes, as the executor
writes them). Detection uses it so that a cleanup run
again after a restore proposes what it proposed before (a restored copy is still a copy).

>>> restored_notes(backup_root())  # doctest: +SKIP
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import orjson
import polars as pl

SCHEMA = pl.Schema(
    {
        "note_id": pl.String,  # the note the restore wrote
        "original_note_id": pl.String,  # the note it stands for (deleted by the run)
        "actor_type": pl.String,  # who wrote the original
        "actor_id": pl.String,
        "run_id": pl.String,
    }
)


def _legacy_ids(folder: Path) -> dict[str, str]:
    """action id → the id a finished restore step made, from a run's ``restore.sqlite`` (restores made
    before a restore was a run of its own)."""
    with closing(sqlite3.connect(f"file:{folder / 'restore.sqlite'}?mode=ro", uri=True)) as db:
        rows = db.execute(
            "SELECT action_id, created_id FROM steps WHERE step = 'restore' AND status = 'done' "
            "AND created_id IS NOT NULL"
        ).fetchall()
    return dict(rows)


def _restore_run_ids(folder: Path) -> tuple[str, dict[str, str]] | None:
    """For a restore run's folder: the run it restores, and per action of that run the id the note create
    that put it back made (from its ``restores.parquet`` and journal)."""
    links_path = folder / "restores.parquet"
    if not links_path.exists():
        return None
    source = orjson.loads((folder / "meta.json").read_bytes()).get("restores")
    links = pl.read_parquet(links_path).filter(pl.col("main"))
    with closing(sqlite3.connect(f"file:{folder / 'journal.sqlite'}?mode=ro", uri=True)) as db:
        made = dict(
            db.execute(
                "SELECT action_id, created_id FROM steps WHERE step = 'create' AND status = 'done' "
                "AND created_id IS NOT NULL"
            ).fetchall()
        )
    return source, {a: made[r] for a, r in links.select("source_action_id", "row_id").rows() if r in made}


def restored_notes(root: Path) -> pl.DataFrame:
    """Every note put back by a restore of a run under ``root`` (see :data:`SCHEMA`); empty if none."""
    made_by_run: dict[str, dict[str, str]] = {}
    for folder in sorted(root.glob("*/restore.sqlite")) if root.exists() else []:
        made_by_run.setdefault(folder.parent.name, {}).update(_legacy_ids(folder.parent))
    for folder in sorted(root.glob("*/restores.parquet")) if root.exists() else []:
        found_here = _restore_run_ids(folder.parent)
        if found_here is not None:
            made_by_run.setdefault(found_here[0], {}).update(found_here[1])
    found = []
    for run_id, made in made_by_run.items():
        run = root / run_id
        backed_up = run / "backup" / "notes.parquet"  # the backup's notes: ``id`` and ``raw`` JSON
        if not made or not backed_up.exists():
            continue
        plan = pl.read_parquet(run / "plan.parquet", columns=["action_id", "action", "target_id"])
        notes = plan.filter(pl.col("action").is_in(["delete_note", "recreate_note"]))
        authors = {}
        for note_id, raw in pl.read_parquet(backed_up, columns=["id", "raw"]).rows():
            actor = orjson.loads(raw).get("created_by_actor") or {}
            authors[note_id] = (actor.get("type"), actor.get("id"))
        for action_id, _, target in notes.iter_rows():
            if action_id in made and target in authors:
                found.append((made[action_id], target, *authors[target], run.name))
    return pl.DataFrame(found, schema=SCHEMA, orient="row")

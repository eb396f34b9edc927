"""Who wrote what: every actor (API token, member) that wrote notes, records or list entries in a snapshot,
with counts, first and last write and writes by day — so a re-import wave shows at a glance — and the
labels a user gives tokens ("Affinity re-import"), kept in ``tokens.toml`` beside the snapshots.

>>> writers(snapshot)  # doctest: +SKIP
>>> save_label(snapshot, "d4c82aec-…", "Affinity re-import")  # doctest: +SKIP
>>> resolve_token(snapshot, "affinity re-import")  # doctest: +SKIP
'd4c82aec-…'
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import polars as pl
import tomlkit

from .errors import CleanupError
from .export.snapshot import Snapshot
from .files import write_private

LABELS_NAME = "tokens.toml"
SPARK = "▁▂▃▄▅▆▇█"
SPARK_WIDTH = 24


class TokenError(CleanupError, ValueError):
    """A token asked for by a label or id that no token of the snapshot has, or a label that names two."""


def labels_path(snapshot: Snapshot | Path) -> Path:
    """Where token labels of this snapshot's workspace are kept: beside the snapshot folder."""
    folder = snapshot.path if isinstance(snapshot, Snapshot) else Path(snapshot)
    return folder.parent / LABELS_NAME


def load_labels(snapshot: Snapshot | Path) -> dict[str, str]:
    """Token id → the label the user gave it."""
    path = labels_path(snapshot)
    if not path.exists():
        return {}
    document = tomlkit.parse(path.read_text(encoding="utf-8"))
    table = document.get("labels", {})
    return {str(k): str(v) for k, v in table.items()}


def save_label(snapshot: Snapshot | Path, token_id: str, label: str) -> Path:
    """Keep ``label`` for ``token_id`` (an empty label forgets it); returns the labels file."""
    path = labels_path(snapshot)
    document = tomlkit.parse(path.read_text(encoding="utf-8")) if path.exists() else tomlkit.document()
    if "labels" not in document:
        document.add(tomlkit.comment("API token labels, by token id: what reports and recipes call them"))
        document["labels"] = tomlkit.table()
    table = document["labels"]
    assert isinstance(table, tomlkit.items.Table)
    if label.strip():
        table[token_id] = label.strip()
    elif token_id in table:
        del table[token_id]
    write_private(path, tomlkit.dumps(document).encode("utf-8"))
    return path


def _writes(snapshot: Snapshot) -> pl.DataFrame:
    """One row per item written: actor type, actor id, what (notes, records, entries) and when."""
    frames = []
    if "notes" in snapshot.parts:
        frames.append(
            snapshot.notes()
            .select(
                pl.col("created_by_actor_type").alias("actor_type"),
                pl.col("created_by_actor_id").alias("actor_id"),
                pl.lit("notes").alias("what"),
                pl.col("created_at").dt.convert_time_zone("UTC").alias("at"),
            )
            .collect()
        )
    for part in snapshot.parts:
        if not part.startswith(("records/", "entries/")) or snapshot.parts[part].get("status") != "complete":
            continue
        kind, slug = part.split("/", 1)
        lazy = snapshot.records(slug) if kind == "records" else snapshot.entries(slug)
        names = lazy.collect_schema().names()
        if "created_by" not in names:
            continue
        at = "created_at" if "created_at" in names else "_created_at"
        frames.append(
            lazy.select(
                pl.col("created_by").struct.field("referenced_actor_type").alias("actor_type"),
                pl.col("created_by").struct.field("referenced_actor_id").alias("actor_id"),
                pl.lit(kind).alias("what"),
                pl.col(at).cast(pl.Datetime("ns", "UTC")).alias("at"),
            ).collect()
        )
    if not frames:
        return pl.DataFrame(
            schema={
                "actor_type": pl.String,
                "actor_id": pl.String,
                "what": pl.String,
                "at": pl.Datetime("ns", "UTC"),
            }
        )
    return pl.concat([f.cast({"at": pl.Datetime("ns", "UTC")}) for f in frames])


def writers(snapshot: Snapshot) -> pl.DataFrame:
    """Per actor that wrote anything: ``actor_type``, ``actor_id``, ``label`` (the user's, for tokens),
    ``notes``, ``records``, ``entries``, ``first``, ``last`` and ``by_day`` (writes per day from the first
    to the last, for a sparkline); most writes first."""
    writes = _writes(snapshot).filter(pl.col("actor_id").is_not_null())
    labels = load_labels(snapshot)
    counts = writes.pivot(
        on="what", index=["actor_type", "actor_id"], values="at", aggregate_function="len"
    ).fill_null(0)
    for column in ("notes", "records", "entries"):
        if column not in counts.columns:
            counts = counts.with_columns(pl.lit(0, dtype=pl.UInt32).alias(column))
    days = (
        writes.group_by("actor_type", "actor_id", pl.col("at").dt.date().alias("day"))
        .len()
        .sort("day")
        .group_by("actor_type", "actor_id")
        .agg(pl.col("day"), pl.col("len"))
    )
    spans = writes.group_by("actor_type", "actor_id").agg(first=pl.col("at").min(), last=pl.col("at").max())
    return (
        counts.join(spans, on=["actor_type", "actor_id"])
        .join(days, on=["actor_type", "actor_id"])
        .with_columns(
            label=pl.col("actor_id").replace_strict(labels, default=None, return_dtype=pl.String),
            total=pl.col("notes") + pl.col("records") + pl.col("entries"),
        )
        .sort("total", descending=True)
        .select(
            "actor_type", "actor_id", "label", "notes", "records", "entries", "first", "last", "day", "len"
        )
    )


def sparkline(days: list[object], counts: list[int], start: datetime, end: datetime) -> str:
    """Writes by day as a line of block characters from ``start`` to ``end`` (:data:`SPARK_WIDTH` cells;
    a blank where nothing was written), so a wave on a few days stands out."""
    span = max((end.date() - start.date()).days, 1)
    cells = [0] * SPARK_WIDTH
    for day, n in zip(days, counts, strict=True):
        index = min(SPARK_WIDTH - 1, (day - start.date()).days * SPARK_WIDTH // (span + 1))  # type: ignore[operator]
        cells[index] += n
    top = max(cells) or 1
    return "".join(" " if n == 0 else SPARK[min(len(SPARK) - 1, n * len(SPARK) // (top + 1))] for n in cells)


def resolve_token(snapshot: Snapshot, value: str) -> str:
    """The id of the API token ``value`` names: an id as it is, or a label (any case)."""
    tokens = writers(snapshot).filter(pl.col("actor_type") == "api-token")
    if value in tokens["actor_id"].to_list():
        return value
    wanted = value.strip().casefold()
    by_label = [token for token, label in load_labels(snapshot).items() if label.strip().casefold() == wanted]
    if len(by_label) == 1:
        return by_label[0]
    if len(by_label) > 1:
        raise TokenError(
            f"the label {value!r} names {len(by_label)} tokens ({', '.join(by_label)}); use an id"
        )
    return value  # not a label: the caller checks that a token of this id wrote anything

"""Duplicate notes: the same note (parent, title and content) written more than once, typically by an import
that ran twice. Copies are told apart by the API token that wrote them and by date.

* A copy whose original is still there → ``delete_note`` (the original, oldest and not by the re-import
  token, is kept).
* A re-imported note whose original is gone, when a source export (``source``: Parquet or CSV with
  ``parent_record_id``, ``title``, ``content`` and ``created_at``) gives the original date →
  ``recreate_note`` with that ``created_at`` (create the new note, then delete the copy).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson
import polars as pl

from cleanup.actions import ActionTable
from cleanup.detect.findings import fingerprints
from cleanup.detect.recipe import Param, Recipe, RecipeError
from cleanup.export.snapshot import Snapshot
from cleanup.values.notes import note_content

NAME = "duplicate_notes"
KEY = ["parent_record_id", "_title", "_content"]


def normalised_text(expr: pl.Expr) -> pl.Expr:
    """Text compared loosely: case folded, whitespace collapsed, ends trimmed."""
    return expr.fill_null("").str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()


def _key(title: pl.Expr, content: pl.Expr) -> list[pl.Expr]:
    return [normalised_text(title).alias("_title"), normalised_text(content).alias("_content")]


def _actor(type_col: str, id_col: str) -> pl.Expr:
    return pl.concat_str([pl.col(type_col).fill_null("?"), pl.col(id_col).fill_null("?")], separator=" ")


def _read_source(path: str) -> pl.DataFrame:
    source = Path(path)
    if not source.exists():
        raise RecipeError(f"{NAME}: source {source} does not exist")
    frame = (
        pl.read_parquet(source)
        if source.suffix.lower() == ".parquet"
        else pl.read_csv(source, infer_schema=False)
    )
    needed = ["parent_record_id", "title", "content", "created_at"]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise RecipeError(
            f"{NAME}: source {source.name} lacks the column(s) {', '.join(missing)}; it needs {', '.join(needed)}"
        )
    created = frame["created_at"]
    if created.dtype == pl.String:
        parsed = created.str.to_datetime(time_unit="ns", time_zone="UTC", strict=False)
        if parsed.null_count() > created.null_count():
            row = int((parsed.is_null() & created.is_not_null()).arg_true()[0])
            raise RecipeError(
                f"{NAME}: source {source.name} row {row + 2}: created_at {created[row]!r} is not an ISO-8601 timestamp"
            )
        created = parsed
    elif isinstance(created.dtype, pl.Datetime):
        created = (
            created.dt.replace_time_zone("UTC")
            if created.dtype.time_zone is None
            else created.dt.convert_time_zone("UTC")
        )
    else:
        raise RecipeError(
            f"{NAME}: source {source.name}: created_at must be a timestamp, not {created.dtype}"
        )
    return frame.select(
        pl.col("parent_record_id").cast(pl.String),
        *_key(pl.col("title").cast(pl.String), pl.col("content").cast(pl.String)),
        created.cast(pl.Datetime("ns", "UTC")).alias("original_created_at"),
    ).unique(["parent_record_id", "_title", "_content"], keep="first")


def detect(
    snapshot: Snapshot,
    *,
    reimport_token: str | None,
    original_token: str | None,
    max_gap_days: float | None,
    source: str | None,
    min_gap_days: float,
) -> ActionTable:
    """Find duplicate notes in ``snapshot`` (see the module docstring)."""
    notes = snapshot.notes().collect()
    by_token = (
        (pl.col("created_by_actor_type") == "api-token") & (pl.col("created_by_actor_id") == reimport_token)
        if reimport_token
        else pl.lit(False)
    )
    if reimport_token and notes.filter(by_token).height == 0:
        tokens = (
            notes.filter(pl.col("created_by_actor_type") == "api-token")["created_by_actor_id"]
            .unique()
            .sort()
        )
        raise RecipeError(
            f"{NAME}: no note was written by API token {reimport_token!r}; tokens that wrote notes: "
            f"{', '.join(tokens.drop_nulls().to_list()) or 'none'}"
        )
    by_original = (
        (pl.col("created_by_actor_type") == "api-token") & (pl.col("created_by_actor_id") == original_token)
        if original_token
        else pl.lit(False)
    )
    if original_token and notes.filter(by_original).height == 0:
        raise RecipeError(f"{NAME}: no note was written by API token {original_token!r} (original_token)")
    keyed = notes.with_columns(
        *_key(pl.col("title"), pl.col("content_plaintext")), _reimport=by_token, _from_original=~by_original
    )
    group = ["parent_object", "parent_record_id", "_title", "_content"]
    # the kept note: not a re-import; written by the original import when it is known; then the oldest
    ranked = keyed.sort([*group, "_reimport", "_from_original", "created_at", "note_id"]).with_columns(
        _n=pl.len().over(group),
        _keeper=pl.col("note_id").first().over(group),
        _keeper_at=pl.col("created_at").first().over(group),
        _keeper_by=_actor("created_by_actor_type", "created_by_actor_id").first().over(group),
        _keeper_reimport=pl.col("_reimport").first().over(group),
    )
    copies = ranked.filter((pl.col("_n") > 1) & (pl.col("note_id") != pl.col("_keeper")))
    if reimport_token:
        copies = copies.filter(pl.col("_reimport"))
    gap_days = (pl.col("created_at") - pl.col("_keeper_at")).dt.total_seconds() / 86_400
    if max_gap_days is not None:
        copies = copies.filter(gap_days <= max_gap_days)
    copies = copies.filter(gap_days >= min_gap_days)
    deletions = copies.select(
        recipe=pl.lit(NAME),
        action=pl.lit("delete_note"),
        object=pl.col("parent_object"),
        target_id=pl.col("note_id"),
        cluster_id=pl.col("_keeper"),
        reason=pl.format(
            "A copy of note {} (same record, title and content), written again later; the original is kept.",
            pl.col("_keeper"),
        ),
        confidence=pl.when(pl.col("_reimport") & ~pl.col("_keeper_reimport"))
        .then(pl.lit(0.99))
        .otherwise(pl.lit(0.9)),
        evidence=pl.format(
            "same {} record {}, title '{}' and content ({} characters); original {} of {} by {}; this copy of {} by {}",
            pl.col("parent_object"),
            pl.col("parent_record_id"),
            pl.col("title").fill_null(""),
            pl.col("content_plaintext").fill_null("").str.len_chars(),
            pl.col("_keeper"),
            pl.col("_keeper_at").dt.strftime("%Y-%m-%d %H:%M"),
            pl.col("_keeper_by"),
            pl.col("created_at").dt.strftime("%Y-%m-%d %H:%M"),
            _actor("created_by_actor_type", "created_by_actor_id"),
        ),
        fingerprint=fingerprints(copies["_raw"]),
    )
    tables = [ActionTable.build(deletions)]
    if source is not None:
        tables.append(_recreations(ranked, _read_source(source), reimport_token))
    return ActionTable.concat(tables)


def _recreations(ranked: pl.DataFrame, source: pl.DataFrame, reimport_token: str | None) -> ActionTable:
    """Re-imported notes standing alone, whose source gives an original date they lost."""
    alone = ranked.filter((pl.col("_n") == 1) & (pl.col("_reimport") if reimport_token else pl.lit(True)))
    # the source holds what was written (markdown or plain text): match either form Attio kept
    as_markdown = alone.with_columns(_content=normalised_text(pl.col("content_markdown")))
    found = (
        pl.concat([alone.join(source, on=KEY, how="inner"), as_markdown.join(source, on=KEY, how="inner")])
        .unique("note_id", keep="first", maintain_order=True)
        .filter((pl.col("original_created_at") - pl.col("created_at")).abs() > pl.duration(minutes=1))
    )
    payloads = [
        orjson.dumps(
            {
                "parent_object": row["parent_object"],
                "parent_record_id": row["parent_record_id"],
                "title": row["title"] or "",
                "format": note_content(row["content_markdown"], row["content_plaintext"])[0],
                "content": note_content(row["content_markdown"], row["content_plaintext"])[1],
                "created_at": row["original_created_at"].strftime("%Y-%m-%dT%H:%M:%S.%f000Z"),
            }
        ).decode()
        for row in found.select(
            "parent_object",
            "parent_record_id",
            "title",
            "content_markdown",
            "content_plaintext",
            "original_created_at",
        ).iter_rows(named=True)
    ]
    rows = found.select(
        recipe=pl.lit(NAME),
        action=pl.lit("recreate_note"),
        object=pl.col("parent_object"),
        target_id=pl.col("note_id"),
        cluster_id=pl.col("note_id"),
        payload=pl.Series(payloads, dtype=pl.String),
        reason=pl.format(
            "Re-imported on {} with the import date; the source says it was written on {}: recreate it with that date.",
            pl.col("created_at").dt.strftime("%Y-%m-%d"),
            pl.col("original_created_at").dt.strftime("%Y-%m-%d"),
        ),
        confidence=pl.lit(0.97),
        evidence=pl.format(
            "source note on the same record with the same title '{}' and content, dated {}",
            pl.col("title").fill_null(""),
            pl.col("original_created_at").dt.strftime("%Y-%m-%d %H:%M"),
        ),
        fingerprint=fingerprints(found["_raw"]),
    )
    return ActionTable.build(rows)


def _needs(snapshot: Snapshot, params: Mapping[str, Any]) -> Sequence[str]:
    return ["notes"]


RECIPE = Recipe(
    name=NAME,
    description="Notes written twice (same record, title and content): delete the copies, or recreate a "
    "re-imported note with its original date from a source export.",
    run=detect,
    params=(
        Param(
            "reimport_token", str, None, "id of the API token that wrote the copies (omit: any later copy)"
        ),
        Param(
            "original_token",
            str,
            None,
            "id of the API token that wrote the originals (the first import): its note is the one kept",
        ),
        Param("max_gap_days", float, None, "only copies written at most this many days after the original"),
        Param("min_gap_days", float, 0.0, "only copies written at least this many days after the original"),
        Param("source", str, None, "Parquet or CSV source export giving original dates (for recreate_note)"),
    ),
    needs=_needs,
)

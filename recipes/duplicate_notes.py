"""Duplicate notes: the same note (parent, title and content) written more than once, typically by an import
that ran again. Copies are told apart by the API token that wrote them (``reimport_token``: one key or
several, for imports that ran in waves) and by date.

* A copy whose original is still there → ``delete_note`` (the original, oldest and not by a re-import
  token, is kept).
* A group of copies whose original is gone (every note of it by a re-import token) → one copy is kept and
  the others deleted; the kept copy is never called the original. When a source export (``source``:
  Parquet or CSV with ``parent_record_id``, ``title``, ``content`` and ``created_at``) gives the original
  date, the kept copy gets it back by ``recreate_note`` (create the note anew with that date, then delete
  the copy) — a lone re-imported note as well.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson
import polars as pl

from cleanup.actions import ActionTable
from cleanup.actions.fingerprint import fingerprints
from cleanup.detect.recipe import Param, Recipe, RecipeError
from cleanup.detect.restored import restored_notes
from cleanup.export.snapshot import Snapshot
from cleanup.files import backup_root
from cleanup.labels import Namer, when, when_expr
from cleanup.tokens import TokenError, load_labels, resolve_token
from cleanup.values.notes import note_content
from recipes._note_sources import NoteSource, affinity_id, matching, normalised_text, read_source

NAME = "duplicate_notes"


class SourceWarning(UserWarning):
    """A source export that matched few notes: most likely the wrong file, or ids or text in another form."""


UUID_SHAPE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
KEY = ["parent_record_id", "_title", "_content"]


def _key(title: pl.Expr, content: pl.Expr) -> list[pl.Expr]:
    return [normalised_text(title).alias("_title"), normalised_text(content).alias("_content")]


def _tokens_listing(notes: pl.DataFrame, namer: Namer) -> str:
    """The API tokens that wrote notes: name or short id, how many notes, first and last write."""
    by_token = (
        notes.filter(pl.col("created_by_actor_type") == "api-token")
        .group_by("created_by_actor_id")
        .agg(n=pl.len(), first=pl.col("created_at").min(), last=pl.col("created_at").max())
        .sort("n", descending=True)
    )
    lines = [
        f"{token} ({namer.actor(token, 'api-token')}): {n:,} notes, {when(first)} to {when(last)}"
        for token, n, first, last in by_token.iter_rows()
    ]
    return "; ".join(lines) or "none"


def _looks_secret(value: str) -> bool:
    """An API key pasted where a token id belongs: long, and not shaped like an id (a UUID)."""
    return len(value) >= 32 and not UUID_SHAPE.fullmatch(value)


def _checked_tokens(notes: pl.DataFrame, tokens: Sequence[str], param: str, namer: Namer) -> None:
    """Refuse a token that wrote no note (listing those that did) or a value that looks like a secret."""
    for token in tokens:
        if _looks_secret(token):
            raise RecipeError(
                f"{NAME}: {param} looks like an API key (a secret), not a token id; it is not shown here. Pass "
                "the id of the token that wrote the notes (`attio-cleanup tokens --snapshot DIR` lists them)"
            )
        wrote = notes.filter(
            (pl.col("created_by_actor_type") == "api-token") & (pl.col("created_by_actor_id") == token)
        )
        if wrote.height == 0:
            raise RecipeError(
                f"{NAME}: no note was written by API token {token!r} ({param}); tokens that wrote notes: "
                f"{_tokens_listing(notes, namer)}"
            )


def _as_first_written(notes: pl.DataFrame, restored: pl.DataFrame) -> pl.DataFrame:
    """``notes`` with each note a restore put back credited to the author of the note it stands for (a
    restore writes as its own token), and ``_restored_by`` naming the run it restored."""
    put_back = restored.select(
        "note_id", pl.col("actor_type").alias("_was_type"), pl.col("actor_id").alias("_was_id"), "run_id"
    ).unique("note_id", keep="last")
    return (
        notes.join(put_back, on="note_id", how="left")
        .with_columns(
            created_by_actor_type=pl.coalesce("_was_type", "created_by_actor_type"),
            created_by_actor_id=pl.coalesce("_was_id", "created_by_actor_id"),
            _restored_by=pl.col("run_id"),
        )
        .drop("_was_type", "_was_id", "run_id")
    )


def detect(
    snapshot: Snapshot,
    *,
    reimport_token: tuple[str, ...] | None,
    original_token: str | None,
    max_gap_days: float | None,
    source: str | None,
    min_gap_days: float,
    runs_dir: str | None,
) -> ActionTable:
    """Find duplicate notes in ``snapshot`` (see the module docstring)."""
    notes = _as_first_written(
        snapshot.notes().collect(), restored_notes(Path(runs_dir) if runs_dir else backup_root())
    )
    namer = Namer(snapshot, token_labels=load_labels(snapshot))
    try:  # tokens by label ('Affinity re-import') or id
        reimport = tuple(resolve_token(snapshot, t) for t in reimport_token or ())
        original_token = resolve_token(snapshot, original_token) if original_token else None
    except TokenError as err:
        raise RecipeError(f"{NAME}: {err}") from None
    _checked_tokens(notes, reimport, "reimport_token", namer)
    _checked_tokens(notes, (original_token,) if original_token else (), "original_token", namer)
    by_api = pl.col("created_by_actor_type") == "api-token"
    by_token = by_api & pl.col("created_by_actor_id").is_in(reimport) if reimport else pl.lit(False)
    by_original = (
        (by_api & (pl.col("created_by_actor_id") == original_token)) if original_token else pl.lit(False)
    )
    keyed = notes.with_columns(
        *_key(pl.col("title"), pl.col("content_plaintext")), _reimport=by_token, _from_original=~by_original
    )
    group = ["parent_object", "parent_record_id", "_title", "_content"]
    # the kept note: not a re-import; written by the original import when it is known; then the oldest
    ranked = keyed.sort([*group, "_reimport", "_from_original", "created_at", "note_id"]).with_columns(
        _n=pl.len().over(group),
        _keeper=pl.col("note_id").first().over(group),
        _keeper_at=pl.col("created_at").first().over(group),
        _keeper_actor_type=pl.col("created_by_actor_type").first().over(group),
        _keeper_actor_id=pl.col("created_by_actor_id").first().over(group),
        _keeper_reimport=pl.col("_reimport").first().over(group),
    )
    copies = ranked.filter((pl.col("_n") > 1) & (pl.col("note_id") != pl.col("_keeper")))
    if reimport:
        copies = copies.filter(pl.col("_reimport"))
    gap_days = (pl.col("created_at") - pl.col("_keeper_at")).dt.total_seconds() / 86_400
    if max_gap_days is not None:
        copies = copies.filter(gap_days <= max_gap_days)
    copies = copies.filter(gap_days >= min_gap_days)
    dated = None
    if source is not None:
        dated = read_source(source, NAME)
        parent_objects = dict(
            notes.select("parent_record_id", "parent_object").unique("parent_record_id").iter_rows()
        )
        met = matching(
            keyed.with_columns(
                _content_md=normalised_text(pl.col("content_markdown")),
                _affinity_id=affinity_id(pl.col("content_plaintext")),
            ),
            dated,
            lambda record: namer.record(parent_objects.get(record, "companies"), record),
        )
        if met.matched < met.rows / 2:
            warnings.warn(SourceWarning(met.words(Path(source).name)), stacklevel=2)
    recreations = (
        _recreations(ranked, dated, bool(reimport), namer) if dated is not None else ActionTable.empty()
    )
    recreated = set(recreations.frame["target_id"].to_list())
    tables = [ActionTable.build(_deletions(copies, namer, recreated)), recreations]
    return ActionTable.concat(tables)


def _deletions(copies: pl.DataFrame, namer: Namer, recreated: set[str]) -> pl.DataFrame:
    """``delete_note`` rows for the copies, in words: the kept note is 'the original' only when it is not
    itself a re-import."""
    parents = pl.Series(namer.note_parents(copies), dtype=pl.String)
    actors = _actor_names(copies, namer, "created_by_actor_type", "created_by_actor_id")
    keeper_actors = _actor_names(copies, namer, "_keeper_actor_type", "_keeper_actor_id")
    original_kept = ~pl.col("_keeper_reimport")
    recreating = pl.col("_keeper").is_in(list(recreated))
    words = copies.with_columns(_parent=parents, _by=actors, _keeper_by=keeper_actors)
    title = pl.col("title").fill_null("")
    kept = (
        pl.when(original_kept)
        .then(
            pl.format(
                "the original of {} by {} is kept", when_expr(pl.col("_keeper_at")), pl.col("_keeper_by")
            )
        )
        .when(recreating)
        .then(pl.lit("the original is gone: one copy is kept and given the original date from the source"))
        .otherwise(
            pl.format(
                "the original is gone and no source gives its date: the copy of {} is kept with that date",
                when_expr(pl.col("_keeper_at")),
            )
        )
    )
    return words.select(
        recipe=pl.lit(NAME),
        action=pl.lit("delete_note"),
        object=pl.col("parent_object"),
        target_id=pl.col("note_id"),
        cluster_id=pl.col("_keeper"),
        reason=pl.format(
            "A copy of the note '{}' on {} (same title and content), written again on {} by {}; {}.",
            title,
            pl.col("_parent"),
            when_expr(pl.col("created_at")),
            pl.col("_by"),
            kept,
        ),
        confidence=pl.when(pl.col("_reimport") & (original_kept | pl.col("_keeper_reimport")))
        .then(pl.lit(0.99))
        .otherwise(pl.lit(0.9)),
        evidence=pl.format(
            "same {} {}, title '{}' and content ({} characters); kept: {} of {} by {}; this copy: {} by {}",
            pl.col("parent_object"),
            pl.col("_parent"),
            title,
            pl.col("content_plaintext").fill_null("").str.len_chars(),
            pl.when(original_kept).then(pl.lit("the original")).otherwise(pl.lit("a copy")),
            when_expr(pl.col("_keeper_at")),
            pl.col("_keeper_by"),
            when_expr(pl.col("created_at")),
            pl.col("_by"),
        )
        + pl.when(pl.col("_restored_by").is_not_null())
        .then(pl.format(" (put back by the restore of run {}, which wrote it anew)", pl.col("_restored_by")))
        .otherwise(pl.lit("")),
        fingerprint=fingerprints(copies["_raw"]),
    )


def _actor_names(frame: pl.DataFrame, namer: Namer, type_column: str, id_column: str) -> pl.Series:
    """Who wrote each note, by name (a member's, a token's label, else 'API token …7aef7')."""
    pairs = frame.select(type_column, id_column).unique()
    named = {f"{kind}|{actor}": namer.actor(actor, kind) for kind, actor in pairs.iter_rows()}
    keys = frame.select(
        pl.concat_str([pl.col(type_column).fill_null(""), pl.col(id_column).fill_null("")], separator="|")
    )
    return keys.to_series().replace_strict(named, default="unknown", return_dtype=pl.String)


def _recreations(ranked: pl.DataFrame, source: NoteSource, by_token: bool, namer: Namer) -> ActionTable:
    """The kept note of each group (a lone note too) that is a re-import — or, without re-import tokens, any
    kept note — whose source gives an original date it lost."""
    keepers = ranked.filter(pl.col("note_id") == pl.col("_keeper"))
    alone = keepers.filter(pl.col("_reimport")) if by_token else keepers
    if source.by_affinity_id:  # an Affinity export: by the note id the import's source line carries
        with_id = alone.with_columns(_affinity_id=affinity_id(pl.col("content_plaintext")))
        joined = [with_id.join(source.frame.drop("_source_row"), on="_affinity_id", how="inner")]
    else:  # the source holds what was written (markdown or plain text): match either form Attio kept
        as_markdown = alone.with_columns(_content=normalised_text(pl.col("content_markdown")))
        joined = [
            alone.join(source.frame, on=KEY, how="inner"),
            as_markdown.join(source.frame, on=KEY, how="inner"),
        ]
    found = (
        pl.concat(joined, how="diagonal_relaxed")
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
    parents = pl.Series(namer.note_parents(found), dtype=pl.String)
    copies = pl.when(pl.col("_n") > 1).then(pl.format(" (and {} more copies, deleted)", pl.col("_n") - 1))
    rows = found.with_columns(_parent=parents).select(
        recipe=pl.lit(NAME),
        action=pl.lit("recreate_note"),
        object=pl.col("parent_object"),
        target_id=pl.col("note_id"),
        cluster_id=pl.col("note_id"),
        payload=pl.Series(payloads, dtype=pl.String),
        reason=pl.format(
            "The note '{}' on {} was re-imported on {}{}; the source says it was written on {}: it is written "
            "anew with that date (a new note id, the cleanup's token as author) and the copy deleted.",
            pl.col("title").fill_null(""),
            pl.col("_parent"),
            when_expr(pl.col("created_at")),
            copies.otherwise(pl.lit("")),
            when_expr(pl.col("original_created_at")),
        ),
        confidence=pl.lit(0.97),
        evidence=pl.format(
            "source note on {} with the same title '{}' and content, dated {}",
            pl.col("_parent"),
            pl.col("title").fill_null(""),
            when_expr(pl.col("original_created_at")),
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
            "reimport_token",
            tuple,
            None,
            "the API token(s) that wrote the copies, by label or id, comma-separated (omit: any later copy)",
        ),
        Param(
            "original_token",
            str,
            None,
            "the API token that wrote the originals (the first import), by label or id: its note is kept",
        ),
        Param("max_gap_days", float, None, "only copies written at most this many days after the original"),
        Param("min_gap_days", float, 0.0, "only copies written at least this many days after the original"),
        Param(
            "runs_dir",
            str,
            None,
            "where past runs are kept (default: the runs folder), to know the notes a restore put back",
        ),
        Param(
            "source",
            str,
            None,
            "source export giving original dates (for recreate_note): Parquet, CSV, JSON, JSON lines, or a "
            "snapshot folder taken before the re-import",
        ),
    ),
    needs=_needs,
)

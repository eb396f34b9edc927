"""Source exports of notes, for the original dates a re-import lost: Parquet, CSV, JSON (a list, or
``{"data": [...]}``), JSON lines, or a snapshot folder (or its ``notes.parquet``) taken before the
re-import. Each gives ``parent_record_id``, ``title``, the content (``content``, or ``content_plaintext`` /
``content_markdown``) and ``created_at``; and, once matched, how many rows found their note and why the
others did not.

>>> read_source("exports/notes-2024.jsonl")  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import orjson
import polars as pl

from cleanup.detect.recipe import RecipeError

NEEDED = ("parent_record_id", "title", "content", "created_at")
CONTENT_COLUMNS = ("content", "content_plaintext", "content_markdown")
FORMATS = "Parquet, CSV, JSON, JSON lines, or a snapshot folder"


def normalised_text(expr: pl.Expr) -> pl.Expr:
    """Text compared loosely: case folded, whitespace collapsed, ends trimmed."""
    return expr.fill_null("").str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()


def _table(source: Path, recipe: str) -> pl.DataFrame:
    """The file's rows as a frame, whatever the format."""
    if source.is_dir():
        notes = source / "notes.parquet"
        if not notes.exists():
            raise RecipeError(
                f"{recipe}: source {source} is a folder without notes.parquet; give a snapshot folder or a file "
                f"({FORMATS})"
            )
        source = notes
    suffix = source.suffix.lower()
    try:
        if suffix == ".parquet":
            return pl.read_parquet(source)
        if suffix in (".csv", ".tsv"):
            return pl.read_csv(source, infer_schema=False, separator="\t" if suffix == ".tsv" else ",")
        if suffix in (".jsonl", ".ndjson"):
            return pl.read_ndjson(source, infer_schema_length=None)
        if suffix == ".json":
            data = orjson.loads(source.read_bytes())
            rows = data.get("data") if isinstance(data, dict) else data
            if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                raise RecipeError(
                    f'{recipe}: source {source.name} is JSON but not a list of notes (nor {{"data": [...]}})'
                )
            return pl.from_dicts(rows, infer_schema_length=None) if rows else pl.DataFrame()
    except orjson.JSONDecodeError as err:
        raise RecipeError(f"{recipe}: source {source.name} is not valid JSON: {err}") from None
    except (pl.exceptions.PolarsError, OSError) as err:
        raise RecipeError(
            f"{recipe}: source {source.name} could not be read as {suffix[1:]}: {err}"
        ) from None
    raise RecipeError(
        f"{recipe}: source {source.name} is {suffix or 'without a suffix'}; a source is {FORMATS}"
    )


def _created(frame: pl.DataFrame, name: str, recipe: str) -> pl.Series:
    """``created_at`` as UTC timestamps; an unreadable one is named by its row."""
    created = frame["created_at"]
    if created.dtype == pl.String:
        parsed = created.str.to_datetime(time_unit="ns", time_zone="UTC", strict=False)
        if parsed.null_count() > created.null_count():
            row = int((parsed.is_null() & created.is_not_null()).arg_true()[0])
            raise RecipeError(
                f"{recipe}: source {name} row {row + 2}: created_at {created[row]!r} is not an ISO-8601 timestamp"
            )
        return parsed
    if isinstance(created.dtype, pl.Datetime):
        zone = created.dtype.time_zone
        return created.dt.replace_time_zone("UTC") if zone is None else created.dt.convert_time_zone("UTC")
    raise RecipeError(f"{recipe}: source {name}: created_at must be a timestamp, not {created.dtype}")


def read_source(path: str, recipe: str) -> pl.DataFrame:
    """The source's notes: ``parent_record_id``, ``_title``, ``_content`` (compared loosely; one row per
    content form a row gives) and ``original_created_at``."""
    source = Path(path)
    if not source.exists():
        raise RecipeError(f"{recipe}: source {source} does not exist")
    frame = _table(source, recipe)
    contents = [c for c in CONTENT_COLUMNS if c in frame.columns]
    missing = [c for c in NEEDED if c != "content" and c not in frame.columns] + (
        [] if contents else ["content"]
    )
    if missing:
        raise RecipeError(
            f"{recipe}: source {source.name} lacks the column(s) {', '.join(missing)}; it needs "
            f"parent_record_id, title, content (or content_plaintext / content_markdown) and created_at"
        )
    created = _created(frame, source.name, recipe).cast(pl.Datetime("ns", "UTC"))
    forms = [
        frame.select(
            pl.col("parent_record_id").cast(pl.String),
            normalised_text(pl.col("title").cast(pl.String)).alias("_title"),
            normalised_text(pl.col(column).cast(pl.String)).alias("_content"),
            created.alias("original_created_at"),
            pl.int_range(pl.len()).alias("_source_row"),
        )
        for column in contents
    ]
    return pl.concat(forms).unique(
        ["parent_record_id", "_title", "_content"], keep="first", maintain_order=True
    )


@dataclass(frozen=True)
class SourceMatch:
    """How a source met the notes it was read for."""

    rows: int  # source rows
    matched: int  # rows that found their note (record, title and content)
    on_known_records: int  # rows whose record the snapshot holds
    same_title: int  # of those, rows with a note of the same title on the record

    def words(self, name: str) -> str:
        """One sentence, and what to check when few rows matched."""
        said = f"{self.matched:,} of {self.rows:,} source rows of {name} matched a note"
        if self.rows == 0 or self.matched >= self.rows / 2:
            return said + "."
        return (
            f"{said}: {self.on_known_records:,} name a record the snapshot holds, {self.same_title:,} of those a "
            "note with the same title. Check that parent_record_id holds Attio record ids and that the content "
            "is the note's text as written (plain text or markdown)."
        )


def matching(notes: pl.DataFrame, source: pl.DataFrame) -> SourceMatch:
    """How many source rows find a note of ``notes`` (``parent_record_id``, ``_title``, ``_content``, and
    ``_content_md``: the markdown form) by record, title and content; and how far the others got."""
    rows = source["_source_row"].n_unique()
    both = pl.concat(
        [
            notes.select("parent_record_id", "_title", "_content"),
            notes.select("parent_record_id", "_title", pl.col("_content_md").alias("_content")),
        ]
    ).unique()
    matched = source.join(both, on=["parent_record_id", "_title", "_content"], how="semi")
    known = source.join(notes.select("parent_record_id").unique(), on="parent_record_id", how="semi")
    titled = known.join(
        notes.select("parent_record_id", "_title").unique(), on=["parent_record_id", "_title"], how="semi"
    )
    return SourceMatch(
        rows,
        matched["_source_row"].n_unique(),
        known["_source_row"].n_unique(),
        titled["_source_row"].n_unique(),
    )

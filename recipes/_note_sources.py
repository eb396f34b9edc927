"""Source exports of notes, for the original dates a re-import lost: Parquet, CSV, JSON (a list, or
``{"data": [...]}``), JSON lines, or a snapshot folder (or its ``notes.parquet``) taken before the
re-import — each giving ``parent_record_id``, ``title``, the content (``content``, or ``content_plaintext``
/ ``content_markdown``) and ``created_at`` — or Affinity's notes export (API v1 or v2 JSON), matched to the
notes an Affinity import wrote by the Affinity note id their source line carries. Once matched: how many
rows found their note and why the others did not.

>>> read_source("exports/notes-2024.jsonl")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import orjson
import polars as pl

from cleanup.affinity_notes import MARKER, load_notes, note_body
from cleanup.detect.recipe import RecipeError
from cleanup.errors import ImportInputError

NEEDED = ("parent_record_id", "title", "content", "created_at")
CONTENT_COLUMNS = ("content", "content_plaintext", "content_markdown")
FORMATS = "Parquet, CSV, JSON, JSON lines, a snapshot folder, or Affinity's notes export"


def affinity_id(content: pl.Expr) -> pl.Expr:
    """The Affinity note id an Affinity import wrote into a note's source line (None without one)."""
    return content.str.extract(MARKER.pattern, 1)


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


@dataclass(frozen=True)
class NoteSource:
    """A source's notes: by text (``parent_record_id``, ``_title``, ``_content``) or, for an Affinity export,
    by Affinity note id (``_affinity_id``); with ``original_created_at`` and ``_source_row``."""

    frame: pl.DataFrame
    by_affinity_id: bool = False


def _affinity_export(source: Path) -> bool:
    """Whether a JSON file is Affinity's notes export (notes with an ``id``, no ``parent_record_id``)."""
    if source.suffix.lower() != ".json":
        return False
    try:
        data = orjson.loads(source.read_bytes())
    except orjson.JSONDecodeError:
        return False
    items = data.get("data", data.get("notes")) if isinstance(data, dict) else data
    first = items[0] if isinstance(items, list) and items else None
    return isinstance(first, dict) and "id" in first and "parent_record_id" not in first


def _read_affinity(source: Path, recipe: str) -> NoteSource:
    """Affinity's notes export: each note's id and the date an Affinity import gives it."""
    try:
        notes = load_notes(source)
    except ImportInputError as error:
        raise RecipeError(f"{recipe}: source {source.name}: {'; '.join(error.problems[:5])}") from None
    frame = pl.DataFrame(
        {
            "_affinity_id": [n.id for n in notes],
            "original_created_at": [note_body(n, {})[2] for n in notes],
        },
        schema={"_affinity_id": pl.String, "original_created_at": pl.String},
    ).with_columns(
        pl.col("original_created_at").str.to_datetime(time_unit="ns", time_zone="UTC"),
        pl.int_range(pl.len()).alias("_source_row"),
    )
    return NoteSource(frame, by_affinity_id=True)


def read_source(path: str, recipe: str) -> NoteSource:
    """The source's notes (see :class:`NoteSource`): text compared loosely, one row per content form a row
    gives."""
    source = Path(path)
    if not source.exists():
        raise RecipeError(f"{recipe}: source {source} does not exist")
    if _affinity_export(source):
        return _read_affinity(source, recipe)
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
    unique = pl.concat(forms).unique(
        ["parent_record_id", "_title", "_content"], keep="first", maintain_order=True
    )
    return NoteSource(unique)


@dataclass(frozen=True)
class SourceMatch:
    """How a source met the notes it was read for."""

    rows: int  # source rows
    matched: int  # rows that found their note (record, title and content)
    on_known_records: int  # rows whose record the snapshot holds
    same_title: int  # of those, rows with a note of the same title on the record
    nearest: tuple[str, ...] = ()  # a few rows that did not match, and how near they came

    def words(self, name: str) -> str:
        """One sentence, and what to check when few rows matched."""
        said = f"{self.matched:,} of {self.rows:,} source rows of {name} matched a note"
        if self.rows == 0 or self.matched >= self.rows / 2:
            return said + "."
        examples = f" Nearest misses: {'; '.join(self.nearest)}." if self.nearest else ""
        return (
            f"{said}: {self.on_known_records:,} name a record the snapshot holds, {self.same_title:,} of those a "
            "note with the same title. Check that parent_record_id holds Attio record ids and that the content "
            f"is the note's text as written (plain text or markdown).{examples}"
        )


NEAREST = 3  # unmatched rows shown as examples


def _nearest(
    missed: pl.DataFrame, known: pl.DataFrame, titled: pl.DataFrame, name_of: Callable[[str], str]
) -> tuple[str, ...]:
    """A few rows that matched no note, the nearest first: a note of the same title is on the record (the
    text differs); the record has no note of that title; the snapshot has no such record."""
    near = (
        missed.with_columns(
            _near=pl.when(pl.col("_source_row").is_in(titled["_source_row"].implode()))
            .then(0)
            .when(pl.col("_source_row").is_in(known["_source_row"].implode()))
            .then(1)
            .otherwise(2)
        )
        .sort("_near", "_source_row")
        .unique("_source_row", keep="first", maintain_order=True)
        .head(NEAREST)
    )
    why = (
        "a note of that title is there, with other text",
        "the record has no note of that title",
        "the snapshot has no such record",
    )
    return tuple(
        f"'{title}' on {name_of(record) if level < 2 else record}: {why[level]}"
        for record, title, level in near.select("parent_record_id", "_title", "_near").iter_rows()
    )


def matching(
    notes: pl.DataFrame, source: NoteSource, name_of: Callable[[str], str] = lambda record: record
) -> SourceMatch:
    """How many source rows find a note of ``notes`` (``parent_record_id``, ``_title``, ``_content``,
    ``_content_md`` — the markdown form — and ``_affinity_id``): by Affinity note id, or by record, title and
    content, and how far the others got."""
    frame = source.frame
    rows = frame["_source_row"].n_unique()
    if source.by_affinity_id:
        found = frame.join(notes.select("_affinity_id").drop_nulls().unique(), on="_affinity_id", how="semi")
        n = found["_source_row"].n_unique()
        return SourceMatch(rows, n, n, n)
    both = pl.concat(
        [
            notes.select("parent_record_id", "_title", "_content"),
            notes.select("parent_record_id", "_title", pl.col("_content_md").alias("_content")),
        ]
    ).unique()
    matched = frame.join(both, on=["parent_record_id", "_title", "_content"], how="semi")
    known = frame.join(notes.select("parent_record_id").unique(), on="parent_record_id", how="semi")
    titled = known.join(
        notes.select("parent_record_id", "_title").unique(), on=["parent_record_id", "_title"], how="semi"
    )
    missed = frame.join(matched.select("_source_row").unique(), on="_source_row", how="anti")
    return SourceMatch(
        rows,
        matched["_source_row"].n_unique(),
        known["_source_row"].n_unique(),
        titled["_source_row"].n_unique(),
        _nearest(missed, known, titled, name_of),
    )

"""How things are named for a person: records by their name, notes by title and parent, list entries by
parent and list, actors by the member's name or the token's label, attributes by title, dates as
"4 Jun 2019 14:03 UTC", confidence in words with the number beside it. Reports, workbooks, the console and
notebook displays all name things through here, so every page says the same thing the same way.

>>> namer = Namer(snapshot, token_labels={"6c1f…": "Affinity re-import"})  # doctest: +SKIP
>>> namer.record("companies", "0b73…")  # doctest: +SKIP
'Hyporbix Media Co.'
>>> when(datetime(2019, 6, 4, 14, 3, tzinfo=UTC))
'4 Jun 2019 14:03 UTC'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from functools import cached_property

import polars as pl

from .export.snapshot import Snapshot
from .tokens import load_labels

DATE_FORMAT = "%-d %b %Y %H:%M UTC"
DAY_FORMAT = "%-d %b %Y"  # a date without a time ('4 Jun 2019')
# Confidence in words: sure from 0.99, likely from 0.95, unsure below (the bands the matching is held to).
CONFIDENCE_WORDS = ((0.99, "sure"), (0.95, "likely"), (0.0, "unsure"))
# A run's statuses as a reviewer reads them.
STATUS_WORDS = {
    "done": "done",
    "skipped": "skipped",
    "failed": "failed",
    "unsettled": "outcome unknown",
    "not_started": "not started",
    "not in the run": "not in the run",
}
SHORT_ID = 5  # characters of an id shown when there is no name ("API token …7aef7")


def when(value: datetime | str | None) -> str:
    """A date and time as people read it, in UTC: '4 Jun 2019 14:03 UTC' ('' for none)."""
    if value is None or value == "":
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime(DATE_FORMAT)


def when_expr(expr: pl.Expr) -> pl.Expr:
    """:func:`when` for a datetime column."""
    return expr.dt.convert_time_zone("UTC").dt.strftime(DATE_FORMAT)


def day(value: datetime | str | None) -> str:
    """A date as people read it: '4 Jun 2019' ('' for none)."""
    if value is None or value == "":
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.strftime(DAY_FORMAT)


def duration(seconds: float) -> str:
    """A length of time in words: '2 min 41 s', '45 s', '1 h 5 min', 'under a second'."""
    if seconds < 1:
        return "under a second"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    if minutes:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    return f"{secs} s"


def plural(n: int, one: str, many: str | None = None) -> str:
    """'1 note', '2,850 notes'."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def confidence_word(probability: float | None) -> str:
    """'sure', 'likely' or 'unsure' ('' without a confidence)."""
    if probability is None:
        return ""
    return next(word for low, word in CONFIDENCE_WORDS if probability >= low)


def confidence_text(probability: float | None) -> str:
    """The word and the number: 'likely (0.97)'; 0.9999 stays below 1 ('sure (0.9999)')."""
    if probability is None:
        return ""
    return f"{confidence_word(probability)} ({confidence_number(probability)})"


def confidence_number(probability: float) -> str:
    """'0.97'; never '1' for less than 1: '0.9993', else 'over 0.9999'."""
    shown = f"{probability:.2f}"
    if shown == "1.00" and probability < 1:
        shown = f"{probability:.4f}"
        if shown == "1.0000":
            return "over 0.9999"
    return shown


def confidence_expr(expr: pl.Expr) -> pl.Expr:
    """:func:`confidence_word` for a column."""
    out: pl.Expr = pl.lit("")
    for low, word in reversed(CONFIDENCE_WORDS):  # the highest band applies last, so it wins
        out = pl.when(expr >= low).then(pl.lit(word)).otherwise(out)
    return out


def short_id(value: str) -> str:
    return f"…{value[-SHORT_ID:]}" if value else ""


class Namer:
    """Names of a snapshot's records, notes, entries, actors and attributes, looked up in bulk and kept."""

    def __init__(self, snapshot: Snapshot, token_labels: Mapping[str, str] | None = None) -> None:
        self.snapshot = snapshot
        # labels kept beside the snapshots (`attio-cleanup tokens --label`), then those given here
        self.token_labels = {**load_labels(snapshot), **(token_labels or {})}
        self._records: dict[str, dict[str, tuple[str, str | None]]] = {}

    # -------------------------------------------------------------------------------------- schema words
    def noun(self, object_slug: str, *, plural: bool = False) -> str:
        """The object's noun as Attio shows it ('company', 'people'), lower case."""
        info = self.snapshot.schema.objects.get(object_slug)
        word = (info.plural_noun if plural else info.singular_noun) if info else None
        return (word or object_slug.replace("_", " ")).lower()

    def list_name(self, list_slug: str) -> str:
        info = self.snapshot.schema.lists.get(list_slug)
        return info.name if info else list_slug.replace("_", " ")

    def attribute(self, parent_slug: str, attribute_slug: str) -> str:
        """An attribute's title on an object or list ('Primary location'), else its slug in words."""
        schema = self.snapshot.schema
        parent = schema.objects.get(parent_slug) or schema.lists.get(parent_slug)
        found = next((a for a in parent.attributes if a.slug == attribute_slug), None) if parent else None
        return found.title if found else attribute_slug.replace("_", " ").capitalize()

    # -------------------------------------------------------------------------------------- records
    def _load_records(self, object_slug: str, ids: Iterable[str]) -> dict[str, tuple[str, str | None]]:
        known = self._records.setdefault(object_slug, {})
        wanted = [i for i in dict.fromkeys(ids) if i and i not in known]
        if not wanted:
            return known
        part = f"records/{object_slug}"
        if part in self.snapshot.parts:
            lazy = self.snapshot.records(object_slug)
            columns = lazy.collect_schema()
            found = (
                lazy.filter(pl.col("_id").is_in(wanted))
                .select(
                    "_id",
                    _name_expr(columns).alias("name"),
                    (pl.col("_web_url") if "_web_url" in columns else pl.lit(None, dtype=pl.String)).alias(
                        "url"
                    ),
                )
                .collect()
            )
            for record_id, name, url in found.iter_rows():
                known[record_id] = (name or f"unnamed {self.noun(object_slug)} {short_id(record_id)}", url)
        for record_id in wanted:  # not in the snapshot: gone, or of an object not exported
            gone = f"{self.noun(object_slug)} {short_id(record_id)} (not in the snapshot)"
            known.setdefault(record_id, (gone, None))
        return known

    def record(self, object_slug: str, record_id: str) -> str:
        """A record's name ('Acme GmbH', 'Ann Lee')."""
        return self._load_records(object_slug, [record_id])[record_id][0]

    def records(self, object_slug: str, ids: Iterable[str]) -> dict[str, str]:
        """Names of many records of one object at once."""
        ids = list(ids)
        known = self._load_records(object_slug, ids)
        return {i: known[i][0] for i in ids if i in known}

    def record_url(self, object_slug: str, record_id: str) -> str | None:
        """The record's page in Attio, as the snapshot holds it."""
        return self._load_records(object_slug, [record_id])[record_id][1]

    def name_frame(self, object_slug: str, ids: pl.Series) -> pl.DataFrame:
        """``id``, ``name``, ``url`` and ``found`` (in the snapshot) for many records of one object, to join
        on (vectorised: no lookup per id)."""
        wanted = pl.DataFrame({"id": ids.drop_nulls().unique()}, schema={"id": pl.String})
        part = f"records/{object_slug}"
        if part in self.snapshot.parts and wanted.height:
            lazy = self.snapshot.records(object_slug)
            columns = lazy.collect_schema()
            url = pl.col("_web_url") if "_web_url" in columns else pl.lit(None, dtype=pl.String)
            found = (
                lazy.filter(pl.col("_id").is_in(wanted["id"].implode()))
                .select(pl.col("_id").alias("id"), _name_expr(columns).alias("name"), url.alias("url"))
                .collect()
            )
        else:
            found = pl.DataFrame(schema={"id": pl.String, "name": pl.String, "url": pl.String})
        noun = self.noun(object_slug)
        tail = pl.lit("…") + pl.col("id").str.slice(-SHORT_ID)
        return wanted.join(found, on="id", how="left").select(
            "id",
            pl.when(pl.col("name").is_not_null() & (pl.col("name") != ""))
            .then(pl.col("name"))
            .when(pl.col("url").is_not_null())
            .then(pl.concat_str(pl.lit(f"unnamed {noun} "), tail))
            .otherwise(pl.concat_str(pl.lit(f"{noun} "), tail, pl.lit(" (not in the snapshot)")))
            .alias("name"),
            "url",
            pl.col("url").is_not_null().alias("found"),
        )

    # -------------------------------------------------------------------------------------- actors
    @cached_property
    def _members(self) -> dict[str, str]:
        if "members" not in self.snapshot.parts:
            return {}
        members = self.snapshot.members().select(
            "workspace_member_id",
            pl.concat_str(
                [pl.col("first_name"), pl.col("last_name")], separator=" ", ignore_nulls=True
            ).alias("name"),
            "email_address",
        )
        return {
            member_id: (name or email or short_id(member_id))
            for member_id, name, email in members.collect().iter_rows()
        }

    def actor(self, actor_id: str | None, actor_type: str | None = None) -> str:
        """Who did something: a member's name, a token's label ('Affinity re-import'), else 'API token …7aef7'
        (or 'Attio' for the system)."""
        if not actor_id:
            return "Attio" if actor_type == "system" else "unknown"
        if actor_id in self.token_labels:
            return self.token_labels[actor_id]
        if actor_id in self._members:
            return self._members[actor_id]
        if actor_type == "system":
            return "Attio"
        if actor_type == "workspace-member":
            return f"member {short_id(actor_id)}"
        return f"API token {short_id(actor_id)}"

    def actors(self, ids: Iterable[str | None], actor_type: str | None = None) -> dict[str, str]:
        """:meth:`actor` for many ids at once (ids repeat: each is named once)."""
        return {i: self.actor(i, actor_type) for i in dict.fromkeys(ids) if i}

    # -------------------------------------------------------------------------------------- notes, entries
    def note_parents(self, notes: pl.DataFrame) -> list[str]:
        """The parent record's name of each note (``parent_object``, ``parent_record_id``)."""
        out: list[str] = []
        for (parent_object,), group in notes.group_by("parent_object", maintain_order=True):
            self.records(str(parent_object), group["parent_record_id"].drop_nulls().to_list())
        for parent_object, parent_id in notes.select("parent_object", "parent_record_id").iter_rows():
            out.append(self.record(parent_object, parent_id) if parent_object and parent_id else "")
        return out


def _name_expr(columns: pl.Schema) -> pl.Expr:
    """A record's name: its ``name`` (a person's full name), else the first text column."""
    if "name" in columns:
        dtype = columns["name"]
        if isinstance(dtype, pl.Struct):
            fields = [f.name for f in dtype.fields]
            if "full_name" in fields:
                return pl.col("name").struct.field("full_name")
            return pl.col("name").struct.field(fields[0]).cast(pl.String)
        if isinstance(dtype, pl.List):
            return pl.col("name").list.first().cast(pl.String)
        return pl.col("name").cast(pl.String)
    text = [c for c, t in columns.items() if t == pl.String and not c.startswith("_") and c != "record_id"]
    return pl.col(text[0]) if text else pl.lit(None, dtype=pl.String)

"""Export a workspace to a snapshot: schema, records of every object, entries of every list, notes,
tasks and members, pages fetched concurrently at the rate limit, written in chunks so an interrupted
export resumes where it stopped when run again into the same folder."""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import polars as pl
from rich.console import Console
from rich.progress import (
    Progress,
)

from ..client import AsyncAttioClient, AttioClient, endpoints
from ..client.portal import in_thread
from ..errors import ExportStageError
from ..files import private_dir, private_file, write_private
from ..progress import progress_bar
from . import pages
from .schema import AttributeInfo, WorkspaceSchema, fetch_schema
from .snapshot import FORMAT, MANIFEST, VERSION, Snapshot, part_file

JSON = dict[str, Any]


class ExportError(ExportStageError):
    """The export cannot run as asked (an unknown object or list, a folder holding another workspace)."""


@dataclass
class PartSpec:
    """How to export one part: the endpoint, its page size, and how to parse and flatten its pages."""

    name: str
    method: str
    path: str
    page_size: int
    item: pl.Struct
    flatten: Callable[[pl.DataFrame], pl.DataFrame]
    fingerprint: str
    paged: bool = True


# The parts read through a ``query`` endpoint: its path, page size, and how its pages are parsed and flattened.
_QUERIED = {
    "records": (endpoints.records_query, endpoints.RECORDS_PAGE, pages.record_schema, pages.flatten_records),
    "entries": (endpoints.entries_query, endpoints.ENTRIES_PAGE, pages.entry_schema, pages.flatten_entries),
}


def _query_part(kind: str, slug: str, attrs: Sequence[AttributeInfo]) -> PartSpec:
    """The part of one object's records (``kind`` ``records``) or one list's entries (``entries``), its pages
    parsed by the attributes' types; their slugs and types are its fingerprint (a changed schema starts over)."""
    path, page_size, item, flatten = _QUERIED[kind]
    types = [a.value_type for a in attrs]
    return PartSpec(
        f"{kind}/{slug}",
        "POST",
        path(slug),
        page_size,
        item(types),
        lambda items: flatten(items, types),
        repr([(a.slug, a.type, a.is_multiselect) for a in types]),
    )


def plan_parts(
    schema: WorkspaceSchema,
    *,
    objects: Sequence[str] | None,
    lists: Sequence[str] | None,
    notes: bool,
    tasks: bool,
    members: bool,
) -> list[PartSpec]:
    """The parts to export, checking every named object and list exists first."""
    for kind, wanted, known in (("object", objects, schema.objects), ("list", lists, schema.lists)):
        unknown = [w for w in (wanted or []) if w not in known]
        if unknown:
            raise ExportError(
                f"unknown {kind} slug(s): {', '.join(unknown)}. This workspace has: {', '.join(sorted(known)) or 'none'}"
            )
    objects = objects if objects is not None else list(schema.objects)
    lists = lists if lists is not None else list(schema.lists)
    specs = [_query_part("records", slug, schema.objects[slug].attributes) for slug in objects]
    specs += [_query_part("entries", slug, schema.lists[slug].attributes) for slug in lists]
    listings = (  # (wanted, name, path, page size (0: one request, not paginated), item, flatten)
        (notes, "notes", endpoints.notes(), endpoints.NOTES_PAGE, pages.NOTE, pages.flatten_notes),
        (tasks, "tasks", endpoints.tasks(), endpoints.TASKS_PAGE, pages.TASK, pages.flatten_tasks),
        (members, "members", endpoints.workspace_members(), 0, pages.MEMBER, pages.flatten_members),
    )
    specs += [
        PartSpec(name, "GET", path, size, item, flatten, f"{name}/1", paged=size > 0)
        for wanted, name, path, size, item, flatten in listings
        if wanted
    ]
    return specs


class _Manifest:
    """The manifest being written during an export (saved atomically after every chunk)."""

    def __init__(self, folder: Path, data: JSON) -> None:
        self.folder = folder
        self.data = data

    def save(self) -> None:
        write_private(self.folder / MANIFEST, orjson.dumps(self.data, option=orjson.OPT_INDENT_2))

    def part(self, spec: PartSpec) -> JSON:
        parts: dict[str, JSON] = self.data["parts"]
        state = parts.get(spec.name)
        if state is None or state.get("fingerprint") != spec.fingerprint or not self._intact(state):
            if state is not None:  # the schema changed (or files went missing) since the interrupted run
                for chunk in state.get("chunks", []):
                    (self.folder / chunk).unlink(missing_ok=True)
            state = {
                "status": "pending",
                "rows": 0,
                "next_offset": 0,
                "chunks": [],
                "fingerprint": spec.fingerprint,
            }
            parts[spec.name] = state
        return state

    def _intact(self, state: JSON) -> bool:
        """Whether the files a part's state names are all there (a part found otherwise starts over)."""
        if state.get("status") == "complete":
            return bool(state.get("file")) and (self.folder / state["file"]).exists()
        return all((self.folder / chunk).exists() for chunk in state.get("chunks", []))


def _progress(console: Console | None, enabled: bool | None) -> Progress:
    return progress_bar(console, enabled)


async def _export_part(
    client: AsyncAttioClient,
    spec: PartSpec,
    manifest: _Manifest,
    progress: Progress,
    *,
    chunk_rows: int,
    concurrency: int,
) -> None:
    state = manifest.part(spec)
    if state["status"] == "complete":
        progress.add_task(spec.name, total=state["rows"], completed=state["rows"], rate="(already exported)")
        return
    folder = manifest.folder
    task = progress.add_task(spec.name, total=None, completed=state["rows"], rate="")
    started = time.perf_counter()
    fetched = 0

    async def write_chunk(frames: list[pl.DataFrame], next_offset: int) -> None:
        """Flatten and write one chunk off the event loop, then record it in the manifest."""
        name = f"{spec.name}.part-{len(state['chunks']):05d}.parquet"

        def flatten_and_write() -> int:
            empty = pl.DataFrame(schema={"data": spec.item, "_raw": pl.String})
            # one contiguous chunk: flattening a frame of many small chunks costs ~20x more
            items = pl.concat(frames, rechunk=True) if frames else empty
            flat = spec.flatten(items)
            # chunks are rewritten into the part's file at the end: compress them lightly
            with private_file(folder / name) as target:
                flat.write_parquet(target, compression="zstd", compression_level=1)
            return flat.height

        rows = await in_thread(flatten_and_write)
        state["chunks"].append(name)
        state["rows"] += rows
        state["next_offset"] = next_offset
        state["status"] = "partial"
        manifest.save()

    if not spec.paged:
        response = await client.request_raw(spec.method, spec.path)
        items = await in_thread(pages.parse_items, response.content, spec.item)
        await write_chunk([items], 0)
        fetched = items.height
    else:
        buffer: list[pl.DataFrame] = []
        buffered = 0
        offset = state["next_offset"]
        item = spec.item

        def parse(content: bytes) -> pl.DataFrame:
            return pages.parse_items(content, item)

        async for page in client.pages(
            spec.method,
            spec.path,
            page_size=spec.page_size,
            parse=parse,
            start=offset,
            concurrency=concurrency,
            parse_in_thread=True,
        ):
            buffer.append(page)
            buffered += page.height
            fetched += page.height
            offset += spec.page_size
            elapsed = max(time.perf_counter() - started, 1e-6)
            progress.update(task, completed=state["rows"] + buffered, rate=f"{fetched / elapsed:,.0f}/s")
            if buffered >= chunk_rows:
                await write_chunk(buffer, offset)
                buffer, buffered = [], 0
        if buffer or not state["chunks"]:
            await write_chunk(buffer, offset)
    chunks = [folder / c for c in state["chunks"]]
    target = await in_thread(_combine, chunks, part_file(folder, spec.name))
    # the manifest names the part's file before its chunks go: a kill at any point leaves it resumable
    state.update(status="complete", chunks=[], file=str(target.relative_to(folder)))
    manifest.save()
    for chunk in chunks:
        chunk.unlink(missing_ok=True)
    progress.update(task, total=state["rows"], completed=state["rows"])


def _combine(chunks: list[Path], target: Path) -> Path:
    """Join a part's chunk files into its final Parquet file, written whole or not at all (the chunks are
    left for the caller to remove once the manifest names the file)."""
    with private_file(target) as tmp:
        if len(chunks) == 1:
            tmp.unlink()
            try:
                os.link(chunks[0], tmp)  # the chunk is owner-only already
            except OSError:  # a file system without hard links
                shutil.copyfile(chunks[0], tmp)
        else:
            parts = [pl.scan_parquet(c, glob=False) for c in chunks]
            pl.concat(parts).sink_parquet(tmp, compression_level=1)
    return target


async def export_async(
    client: AsyncAttioClient,
    out_dir: str | Path,
    *,
    objects: Sequence[str] | None = None,
    lists: Sequence[str] | None = None,
    notes: bool = True,
    tasks: bool = True,
    members: bool = True,
    progress: bool | None = None,
    console: Console | None = None,
    chunk_rows: int = 50_000,
    concurrency: int = 16,
    parallel_parts: int = 3,
) -> Snapshot:
    """Export into ``out_dir`` (resuming an interrupted export there) and return the :class:`Snapshot`.

    ``parallel_parts`` parts (objects, lists, notes, ...) run at once, sharing the client's rate limits,
    so one part's first page and final write overlap another's fetching; ``concurrency`` pages of each
    part are in flight at once.
    """
    folder = Path(out_dir)
    schema = await fetch_schema(client)
    specs = plan_parts(schema, objects=objects, lists=lists, notes=notes, tasks=tasks, members=members)
    previous = folder / MANIFEST
    if previous.exists():
        data = orjson.loads(previous.read_bytes())
        if data.get("format") != FORMAT or data["schema"]["workspace_id"] != schema.workspace_id:
            raise ExportError(
                f"{folder} holds a snapshot of another workspace ({data.get('schema', {}).get('workspace_name')!r}); "
                "choose an empty folder"
            )
    elif folder.exists() and any(folder.iterdir()):
        raise ExportError(f"{folder} is not empty and holds no snapshot; choose an empty or new folder")
    else:
        data = {"format": FORMAT, "version": VERSION, "parts": {}}
    data.update(
        api_base=client.base_url,
        schema=schema.to_json(),
        started_at=data.get("started_at") or datetime.now(UTC).isoformat(),
        complete=False,
    )
    private_dir(folder)
    manifest = _Manifest(folder, data)
    manifest.save()
    gate = asyncio.Semaphore(max(1, parallel_parts))

    async def run(spec: PartSpec, bar: Progress) -> None:
        async with gate:
            await _export_part(client, spec, manifest, bar, chunk_rows=chunk_rows, concurrency=concurrency)

    with _progress(console, progress) as bar:
        await _all_or_none([run(spec, bar) for spec in specs])
    data["complete"] = all(data["parts"][s.name]["status"] == "complete" for s in specs)
    data["finished_at"] = datetime.now(UTC).isoformat()
    data["counts"] = {s.name: data["parts"][s.name]["rows"] for s in specs}
    manifest.save()
    return Snapshot.load(folder)


async def _all_or_none(jobs: Sequence[Awaitable[None]]) -> None:
    """Run ``jobs`` at once; when one fails (or this is cancelled), cancel the others and let them unwind
    before raising, so no part goes on writing after the export has stopped."""
    tasks = [asyncio.ensure_future(job) for job in jobs]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


def export(client: AttioClient, out_dir: str | Path, **options: Any) -> Snapshot:
    """Export a workspace to a snapshot folder (see :func:`export_async` for the options).

    >>> snapshot = export(AttioClient(), "snapshots/2026-11-24", objects=["companies"])  # doctest: +SKIP

    With an :class:`AsyncAttioClient`, ``await export_async(client, ...)`` instead. Ctrl-C stops it within
    seconds (``KeyboardInterrupt``); exporting again into the same folder resumes it.
    """
    if not isinstance(client, AttioClient):
        raise ExportError(
            "export() takes an AttioClient; with an AsyncAttioClient, `await export_async(client, ...)`"
        )
    return client.run(export_async(client.aio, out_dir, **options))

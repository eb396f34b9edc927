"""A multi-wave re-import, built through the API with three keys, and its ground truth.

2,400 originals written by the first import over 2019–2025; a first re-import wave copies 1,500 of them
(September 2026), a second wave by another key a month later copies 500 again (half of them copied in the
first wave too); then 150 originals are deleted, 50 of them copied twice. 137 look-alikes must stay: notes
edited after the copy (the text differs), the same title and text on another record, and a user's own note
written twice by the first import. The source export gives every original's date.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from cleanup.testing import RunningSandbox

ORIGINALS = 2400
WAVE_1 = 1500
WAVE_2 = 500
DELETED = 150
TOKENS = ("first-import", "reimport", "reimport-2")


@dataclass
class Waves:
    """What was written: per original, its copies; which originals are gone; the look-alikes."""

    originals: dict[str, str] = field(default_factory=dict)  # original note id -> its record
    copies: dict[str, list[str]] = field(default_factory=dict)  # original note id -> copy ids
    deleted: set[str] = field(default_factory=set)
    look_alikes: set[str] = field(default_factory=set)
    source: Path | None = None

    def clusters(self) -> list[set[str]]:
        """Each original's group as the cleanup should see it: the original (unless deleted) and its copies."""
        out = []
        for original, copies in self.copies.items():
            members = set(copies) | ({original} if original not in self.deleted else set())
            if len(members) > 1:
                out.append(members)
        return out

    def to_recreate(self) -> set[frozenset[str]]:
        """The groups whose original is gone: one of their copies gets the original date back."""
        return {frozenset(self.copies[o]) for o in self.deleted if self.copies.get(o)}


def build(sb: RunningSandbox, folder: Path, seed: int = 3) -> Waves:
    """Write the scenario into ``sb`` (an empty sandbox) and the source export into ``folder``."""
    rng = random.Random(seed)
    for token in TOKENS:
        if token not in sb.tokens:
            sb.sandbox.add_token(token)
    waves = Waves()
    source: list[dict[str, str]] = []
    with sb.http() as http:
        records = [
            http.post(
                "/v2/objects/companies/records", json={"data": {"values": {"name": f"Portfolio {i}"}}}
            ).json()["data"]["id"]["record_id"]
            for i in range(300)
        ]

    def write(token: str, record: str, title: str, content: str, at: str) -> str:
        data = {
            "parent_object": "companies",
            "parent_record_id": record,
            "title": title,
            "format": "plaintext",
            "content": content,
            "created_at": at,
        }
        response = clients[token].post("/v2/notes", json={"data": data})
        response.raise_for_status()
        return str(response.json()["data"]["id"]["note_id"])

    clients = {token: sb.http(token) for token in TOKENS}
    try:
        texts = {}
        for i in range(ORIGINALS):
            record = rng.choice(records)
            at = f"{rng.randint(2019, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(8, 18):02d}:00:00Z"
            title, content = (
                f"Call {i}",
                f"Spoke with the founders about round {i}.\nNext step {rng.randint(1, 9)}.",
            )
            note = write("first-import", record, title, content, at)
            waves.originals[note] = record
            waves.copies[note] = []
            texts[note] = (record, title, content)
            source.append({"parent_record_id": record, "title": title, "content": content, "created_at": at})
        order = list(waves.originals)
        rng.shuffle(order)
        first_wave = order[:WAVE_1]
        second_wave = order[WAVE_1 - WAVE_2 // 2 : WAVE_1 + WAVE_2 // 2]  # half copied in the first wave too
        for note in first_wave:
            record, title, content = texts[note]
            waves.copies[note].append(write("reimport", record, title, content, "2026-09-03T14:00:00Z"))
        for note in second_wave:
            record, title, content = texts[note]
            waves.copies[note].append(write("reimport-2", record, title, content, "2026-10-03T14:00:00Z"))
        twice = [n for n in second_wave if len(waves.copies[n]) == 2]
        once = [n for n in first_wave if len(waves.copies[n]) == 1]
        gone = twice[:50] + once[:100]
        with sb.http() as http:
            for note in gone:
                http.delete(f"/v2/notes/{note}").raise_for_status()
        waves.deleted = set(gone)
        # look-alikes: a copied note edited since; the same text on another record; a user's own repeat
        for note in once[100:150]:
            record, title, content = texts[note]
            waves.look_alikes.add(
                write("reimport", record, title, content + "\nUpdate: signed.", "2026-09-03T14:00:00Z")
            )
        for note in order[2000:2050]:
            record, title, content = texts[note]
            other = next(r for r in records if r != record)
            waves.look_alikes.add(write("reimport", other, title, content, "2026-09-03T14:00:00Z"))
        for note in order[2050:2087]:
            record, title, content = texts[note]
            waves.look_alikes.add(write("first-import", record, title, content, "2025-12-24T09:00:00Z"))
    finally:
        for client in clients.values():
            client.close()
    waves.source = folder / "source.csv"
    pl.DataFrame(source).write_csv(waves.source)
    return waves

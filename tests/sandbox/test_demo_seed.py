"""The demo seed: realistic, deterministic, with the planted defects of the ground truth visible over HTTP."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import polars as pl

from cleanup.sandbox import build_sandbox
from cleanup.sandbox.seed.frames import generate_frames
from cleanup.sandbox.seed.words import NICKNAMES
from cleanup.sandbox.server import free_socket, truth_dir
from cleanup.testing import RunningSandbox, sandbox_server

from .spec import assert_matches_spec


def test_same_seed_same_workspace_and_scale_multiplies() -> None:
    a = build_sandbox("demo", scale=0.05)
    b = build_sandbox("demo", scale=0.05)
    assert a.workspace.id == b.workspace.id
    assert a.workspace.counts() == b.workspace.counts()
    assert a.ground_truth is not None
    assert b.ground_truth is not None
    assert a.ground_truth.frame().equals(b.ground_truth.frame())
    assert a.secret() != b.secret()  # token secrets are never predictable
    bigger = build_sandbox("demo", scale=0.1)
    assert bigger.ground_truth is not None
    small, large = a.workspace.counts(), bigger.workspace.counts()
    assert 1.8 <= large["records:companies"] / small["records:companies"] <= 2.2
    assert 1.8 <= len(bigger.ground_truth.duplicate_notes) / len(a.ground_truth.duplicate_notes) <= 2.2


def test_demo_counts_are_realistic(demo_sandbox: RunningSandbox) -> None:
    counts = demo_sandbox.workspace.counts()
    assert 5000 <= counts["records:companies"] <= 5500
    assert 15000 <= counts["records:people"] <= 16500
    assert 28000 <= counts["notes"] <= 31000
    assert counts["entries:pipeline"] > 1000
    assert counts["tasks"] > 1000
    assert counts["records:investments"] > 0


def test_reimported_notes_copy_an_original_from_another_token(
    demo_sandbox: RunningSandbox, demo_http: httpx.Client
) -> None:
    truth = demo_sandbox.ground_truth
    assert truth is not None
    assert 2700 <= len(truth.duplicate_notes) + len(truth.reimport_only_notes) <= 3300
    tokens = demo_sandbox.token_ids
    for item in truth.duplicate_notes[:: len(truth.duplicate_notes) // 25]:
        copy = demo_http.get(f"/v2/notes/{item['id']}").json()["data"]
        original = demo_http.get(f"/v2/notes/{item['original_id']}").json()["data"]
        for key in ("parent_object", "parent_record_id", "title", "content_markdown", "content_plaintext"):
            assert copy[key] == original[key]
        assert copy["created_by_actor"] == {"type": "api-token", "id": tokens["affinity-reimport"]}
        assert original["created_by_actor"] == {"type": "api-token", "id": tokens["affinity-import"]}
        assert copy["created_at"] > original["created_at"]
    for item in truth.reimport_only_notes[:10]:
        copy = demo_http.get(f"/v2/notes/{item['id']}").json()["data"]
        assert copy["created_by_actor"]["id"] == tokens["affinity-reimport"]
        assert item["original_created_at"] < copy["created_at"]


def test_template_notes_repeat_on_different_parents_and_are_not_planted(demo_sandbox: RunningSandbox) -> None:
    notes = demo_sandbox.workspace.notes.values()
    template = [
        n for n in notes if n.title == "Intro call" and n.content_markdown.startswith("## Intro call agenda")
    ]
    assert len({n.parent_record_id for n in template}) > 50
    truth = demo_sandbox.ground_truth
    assert truth is not None
    planted = {item["id"] for item in truth.duplicate_notes + truth.reimport_only_notes}
    assert all(
        n.created_by_actor.get("id") != demo_sandbox.token_ids["affinity-reimport"] or n.id in planted
        for n in template
    )


def test_duplicate_records_look_alike_but_hold_distinct_unique_values(
    demo_sandbox: RunningSandbox, demo_http: httpx.Client
) -> None:
    truth = demo_sandbox.ground_truth
    assert truth is not None
    assert Counter(c["variant"] for c in truth.duplicate_companies).keys() == {
        "suffix",
        "typo",
        "tld",
        "split",
        "subdomain",
    }
    assert Counter(c["variant"] for c in truth.duplicate_people).keys() == {
        "nickname",
        "swapped",
        "second_email",
        "phone_format",
        "typo",
    }
    for cluster in truth.duplicate_companies[:10]:
        records = [
            demo_http.get(f"/v2/objects/companies/records/{rid}").json()["data"] for rid in cluster["ids"]
        ]
        domains = [r["values"]["domains"][0]["domain"] for r in records]
        assert domains[0] != domains[1]
    for cluster in truth.duplicate_people[:10]:
        records = [
            demo_http.get(f"/v2/objects/people/records/{rid}").json()["data"] for rid in cluster["ids"]
        ]
        emails = [r["values"]["email_addresses"][0]["email_address"] for r in records]
        assert emails[0] != emails[1]
        if cluster["variant"] == "swapped":
            a, b = (r["values"]["name"][0] for r in records)
            assert (a["first_name"], a["last_name"]) == (b["last_name"], b["first_name"])


def test_orphan_and_duplicate_entries(demo_sandbox: RunningSandbox, demo_http: httpx.Client) -> None:
    truth = demo_sandbox.ground_truth
    assert truth is not None
    assert truth.orphan_entries
    assert truth.duplicate_entries
    for item in truth.orphan_entries[:5]:
        entry = demo_http.get(f"/v2/lists/pipeline/entries/{item['id']}").json()["data"]
        assert entry["parent_record_id"] == item["parent_record_id"]
        assert demo_http.get(f"/v2/objects/companies/records/{item['parent_record_id']}").status_code == 404
    for cluster in truth.duplicate_entries[:5]:
        parents = {
            demo_http.get(f"/v2/lists/pipeline/entries/{eid}").json()["data"]["parent_record_id"]
            for eid in cluster["ids"]
        }
        assert parents == {cluster["parent_record_id"]}


def test_database_file_persists_and_ground_truth_sits_beside_it(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.db"
    with sandbox_server("demo", scale=0.05, db=db) as sb, sb.http() as client:
        made = client.post(
            "/v2/objects/companies/records", json={"data": {"values": {"name": "Persisted"}}}
        ).json()["data"]
        counts = sb.workspace.counts()
        secret = sb.tokens["primary"]
    frame = pl.read_parquet(truth_dir(db) / "ground_truth.parquet")
    assert set(frame["kind"].unique()) >= {"duplicate_notes", "duplicate_companies", "orphan_entries"}
    with sandbox_server("demo", db=db) as again:
        assert again.tokens["primary"] == secret
        assert again.workspace.counts() == counts
        assert again.ground_truth is not None
        with again.http() as client:
            got = client.get(f"/v2/objects/companies/records/{made['id']['record_id']}").json()["data"]
        assert got == made


def test_sandbox_serve_command_answers_like_attio(tmp_path: Path) -> None:
    sock = free_socket()
    port = sock.getsockname()[1]
    sock.close()
    env = {**os.environ, "COLUMNS": "200"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cleanup",
            "sandbox",
            "serve",
            "--seed",
            "empty",
            "--port",
            str(port),
            "--db",
            str(tmp_path / "s.db"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        deadline = time.time() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/v2/self", timeout=1)
                break
            except httpx.TransportError:
                assert time.time() < deadline, "sandbox serve did not start"
                time.sleep(0.1)
        proc_tokens = build_sandbox("empty", db=tmp_path / "s.db").tokens
        headers = {"Authorization": f"Bearer {proc_tokens['primary'].secret}"}
        me = httpx.get(f"http://127.0.0.1:{port}/v2/self", headers=headers).json()
        assert me["workspace_name"] == "Sandbox"
        assert httpx.get(f"http://127.0.0.1:{port}/v2/objects").status_code == 401
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    assert "Serving on" in out
    assert "primary" in out


def test_bad_fault_spec_is_a_clear_cli_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cleanup", "sandbox", "serve", "--fault", "boom=1"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert result.returncode != 0
    assert "unknown fault 'boom'" in result.stdout + result.stderr


def test_frames_are_deterministic_unique_and_consistent_with_the_ground_truth() -> None:
    a = generate_frames(scale=0.2, seed=7)
    b = generate_frames(scale=0.2, seed=7)
    assert a.companies.equals(b.companies)
    assert a.people.equals(b.people)
    assert a.notes.equals(b.notes)
    assert not a.companies.equals(generate_frames(scale=0.2, seed=8).companies)
    assert a.companies["domain"].is_unique().all()
    assert a.people["email"].is_unique().all()
    assert a.companies["id"].is_unique().all()
    company_ids = set(a.companies["id"])
    person_ids = set(a.people["id"])
    for cluster in a.truth.duplicate_companies:
        assert set(cluster["ids"]) <= company_ids
    people = {row["id"]: row for row in a.people.iter_rows(named=True)}
    for cluster in a.truth.duplicate_people:
        original, dup = (people[i] for i in cluster["ids"])
        if cluster["variant"] == "nickname":
            assert NICKNAMES[original["first_name"]] == dup["first_name"]
        if cluster["variant"] == "phone_format":
            digits = [re.sub(r"\D", "", p["phone"]) for p in (original, dup)]
            assert digits[0] == digits[1]
            assert original["phone"] != dup["phone"]
    assert set(person_ids) >= {c["ids"][1] for c in a.truth.duplicate_people}
    note_ids = set(a.notes["id"])
    assert all(item["id"] in note_ids and item["original_id"] in note_ids for item in a.truth.duplicate_notes)
    assert all(item["id"] in note_ids for item in a.truth.reimport_only_notes)
    assert len(a.truth.notes_source) == a.notes.filter(
        pl.col("actor_id") == a.token_ids["affinity-import"]
    ).height + len(a.truth.reimport_only_notes)


def test_only_some_parts_can_be_generated_for_detection_benchmarks() -> None:
    frames = generate_frames(scale=0.1, parts=frozenset({"companies", "people"}))
    assert frames.people.height > 0
    assert frames.notes.is_empty()
    assert frames.entries.is_empty()


def test_demo_pages_match_the_spec(demo_http: httpx.Client) -> None:
    for obj in ("companies", "people", "deals", "investments"):
        page = demo_http.post(f"/v2/objects/{obj}/records/query", json={"limit": 100})
        records = assert_matches_spec(page, "/v2/objects/{object}/records/query")["data"]
        assert records
    people = demo_http.post("/v2/objects/people/records/query", json={"limit": 200}).json()["data"]
    interactions = [r["values"]["last_interaction"][0] for r in people if r["values"]["last_interaction"]]
    assert interactions
    assert set(interactions[0]) >= {"interaction_type", "interacted_at", "owner_actor"}
    # types valid in both the Feb 2026 spec and the newer one, which no longer lists "call"
    assert {i["interaction_type"] for i in interactions} == {"email", "calendar-event"}
    entries = demo_http.post("/v2/lists/pipeline/entries/query", json={"limit": 200})
    assert_matches_spec(entries, "/v2/lists/{list}/entries/query")
    assert_matches_spec(demo_http.get("/v2/notes", params={"limit": 50}), "/v2/notes")
    assert_matches_spec(demo_http.get("/v2/tasks", params={"limit": 200}), "/v2/tasks")


def test_bad_setting_is_a_clear_cli_error() -> None:
    from typer.testing import CliRunner

    from cleanup.cli import app

    result = CliRunner().invoke(
        app, ["sandbox", "serve", "--setting", "absent=teleport"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 2
    assert "unknown endpoint name(s) teleport" in result.output
    assert "--setting" in result.output

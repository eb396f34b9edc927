"""Run schemathesis, driven by Attio's OpenAPI spec, against a running sandbox.

Used by ``tests/sandbox/test_schemathesis.py`` (bounded and seeded) and by
``benchmarks/sandbox_schemathesis.py`` (longer).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from cleanup.sandbox.workspace import Workspace

from .spec import spec

# The operations the sandbox implements (threads, comments, meetings, webhooks and SCIM it does not).
IMPLEMENTED = (
    r"^/v2/(self|objects|lists|notes|tasks|workspace_members)"
    r"|^/v2/\{target\}/\{identifier\}/attributes"
)
CHECKS = "not_a_server_error,response_schema_conformance,content_type_conformance,attio_error_shape"


def known_ids(ws: Workspace) -> dict[str, str]:
    """Path parameters that exist in ``ws``, so generated requests reach real objects, not only 404s."""
    companies = ws.object("companies").id
    list_id = next(iter(ws.lists))
    return {
        "path.object": "companies",
        "path.target": "objects",
        "path.identifier": "companies",
        "path.attribute": "categories",
        "path.record_id": next(iter(ws.records[companies])),
        "path.list": ws.lists[list_id].api_slug,
        "path.entry_id": next(iter(ws.entries[list_id])),
        "path.note_id": next(iter(ws.notes)),
        "path.task_id": next(iter(ws.tasks)),
        "path.workspace_member_id": next(iter(ws.members)),
    }


def run_schemathesis(
    base_url: str,
    token: str,
    folder: Path,
    *,
    max_examples: int,
    seed: int,
    parameters: dict[str, str] | None = None,
    workers: int = 1,
    max_time: int | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``st run`` with the normalised spec; returns the finished process (``returncode`` 0 means no failure)."""
    spec_file = folder / "attio-openapi.normalised.json"
    spec_file.write_text(json.dumps(spec()))
    config = folder / "schemathesis.toml"
    lines = ["[parameters]", *(f'"{k}" = "{v}"' for k, v in (parameters or {}).items())]
    config.write_text("\n".join(lines) + "\n")
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(config),
        "run",
        str(spec_file),
        "--url",
        base_url,
        "--header",
        f"Authorization: Bearer {token}",
        "--include-path-regex",
        IMPLEMENTED,
        "--checks",
        CHECKS,
        "--max-examples",
        str(max_examples),
        "--seed",
        str(seed),
        "--workers",
        str(workers),
        "--phases",
        "examples,coverage,fuzzing",
        "--suppress-health-check",
        "all",
        "--request-timeout",
        "30",
        "--no-color",
        "--output-sanitize",
        "true",
    ]
    if max_time:
        command += ["--max-time", str(max_time)]
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.sandbox.st_hooks",
        "PYTHONPATH": str(Path(__file__).parents[2]),
    }
    return subprocess.run(command, capture_output=True, text=True, env=env, check=False, cwd=folder)

"""A bounded, seeded schemathesis run driven by Attio's OpenAPI spec against a running sandbox.

No 5xx, no response that violates the spec's schemas (the Feb 2026 spec and the overlay of the endpoints
``attio-api-2026.md`` §2–3 adds, see ``spec.overlay_2026``), every rejection in Attio's error shape.
The longer run is ``benchmarks/sandbox_schemathesis.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

from cleanup.sandbox import SandboxConfig
from cleanup.testing import sandbox_server

from .fuzz import known_ids, run_schemathesis


def test_schemathesis_finds_nothing(tmp_path: Path) -> None:
    config = SandboxConfig(read_rps=0, write_rps=0, merge_rps=0)
    with sandbox_server("demo", scale=0.02, config=config) as sb:
        result = run_schemathesis(
            sb.base_url,
            sb.tokens["primary"],
            tmp_path,
            max_examples=10,
            seed=20261124,
            parameters=known_ids(sb.workspace),
        )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert " passed" in output
    tested = re.search(r"Tested: (\d+)", output)
    assert tested, output[-2000:]
    assert int(tested.group(1)) >= 51  # the Feb 2026 spec's 48 operations and the 2026 overlay's 3

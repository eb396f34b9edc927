"""Schemathesis hooks for the sandbox run: every rejected request must carry Attio's error shape."""

from __future__ import annotations

import json
from typing import Any

import schemathesis


@schemathesis.check
def attio_error_shape(ctx: Any, response: Any, case: Any) -> bool | None:
    """A 4xx answer is ``{status_code, type, code, message}`` with ``status_code`` equal to the HTTP status."""
    del ctx, case
    if response.status_code < 400:
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        raise AssertionError(f"error body is not JSON: {response.content[:200]!r}") from None
    missing = {"status_code", "type", "code", "message"} - set(body)
    if missing:
        raise AssertionError(f"error body lacks {sorted(missing)}: {body}")
    if body["status_code"] != response.status_code:
        raise AssertionError(f"status_code {body['status_code']} differs from HTTP {response.status_code}")
    return True

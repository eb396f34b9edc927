"""Errors the sandbox answers with, in Attio's shape.

Every rejected request is answered with ``{status_code, type, code, message}`` (plus
``validation_errors`` for body validation), exactly as the real API does::

    ApiError
    ├── NotFound            404 not_found
    ├── ValidationError     400 validation_type
    ├── ValueNotFound       400 value_not_found
    ├── UniquenessConflict  400 uniqueness_conflict
    ├── FilterError         400 filter_error
    ├── SlugConflict        409 slug_conflict
    ├── Unauthorized        401 unauthorized
    ├── Forbidden           403 missing_scopes
    └── RateLimited         429 rate_limit_exceeded
"""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]


class ApiError(Exception):
    """An error response: HTTP status, Attio ``type`` and ``code``, and a message."""

    status_code = 400
    type = "invalid_request_error"
    code = "validation_type"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status_code: int | None = None,
        validation_errors: list[JSON] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status_code is not None:
            self.status_code = status_code
        self.validation_errors = validation_errors
        self.headers = headers or {}

    def body(self) -> JSON:
        """The JSON body Attio sends for this error."""
        out: JSON = {
            "status_code": self.status_code,
            "type": self.type,
            "code": self.code,
            "message": self.message,
        }
        if self.validation_errors is not None:
            out["validation_errors"] = self.validation_errors
        return out


class NotFound(ApiError):
    status_code = 404
    code = "not_found"


class ValidationError(ApiError):
    code = "validation_type"


class ValueNotFound(ApiError):
    code = "value_not_found"


class UniquenessConflict(ApiError):
    code = "uniqueness_conflict"


class FilterError(ApiError):
    code = "filter_error"

    def __init__(self, detail: str = "") -> None:
        super().__init__("Error in filter." + (f" {detail}" if detail else ""))


class SlugConflict(ApiError):
    status_code = 409
    code = "slug_conflict"


class Unauthorized(ApiError):
    status_code = 401
    type = "auth_error"
    code = "unauthorized"


class Forbidden(ApiError):
    status_code = 403
    type = "auth_error"
    code = "missing_scopes"


class RateLimited(ApiError):
    status_code = 429
    type = "rate_limit_error"
    code = "rate_limit_exceeded"


def invalid_value(slug: str, detail: str, *, path: list[str | int] | None = None) -> ValidationError:
    """The 400 Attio sends when a value written to attribute ``slug`` has the wrong type or form."""
    return ValidationError(
        f'An invalid value was passed to attribute with slug "{slug}".',
        validation_errors=[
            {
                "code": "invalid_type",
                "path": path if path is not None else [slug],
                "message": detail,
                "expected": "valid value",
                "received": "invalid value",
            }
        ],
    )


def body_error(
    path: list[str | int], message: str, *, expected: str = "", received: str = ""
) -> ValidationError:
    """The 400 Attio sends when a request body does not match the endpoint's schema."""
    err: JSON = {"code": "invalid_type", "path": path, "message": message}
    if expected:
        err["expected"] = expected
    if received:
        err["received"] = received
    return ValidationError("Body payload validation error.", validation_errors=[err])

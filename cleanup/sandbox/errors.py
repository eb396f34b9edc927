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
    ├── WriteConflict       409 concurrent_write_conflict
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


class WriteConflict(ApiError):
    status_code = 409
    code = "concurrent_write_conflict"

    def __init__(self) -> None:
        super().__init__(
            "The record was modified by another request while this write was being validated. Please try again."
        )


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


MISSING: Any = object()
"""Stands for a key a request left out (Attio's validation errors call it ``undefined``)."""


def json_type(value: Any) -> str:
    """The JSON type of ``value`` as Attio's validation errors name it (``undefined`` for :data:`MISSING`)."""
    if value is MISSING:
        return "undefined"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _schema_error(
    headline: str, path: list[str | int], message: str, expected: str, received: str
) -> ValidationError:
    err: JSON = {"code": "invalid_type", "path": path, "message": message}
    if expected:
        err["expected"] = expected
    if received:
        err["received"] = received
    return ValidationError(headline, validation_errors=[err])


def body_error(
    path: list[str | int], message: str, *, expected: str = "", received: str = ""
) -> ValidationError:
    """The 400 Attio sends when a request body does not match the endpoint's schema."""
    return _schema_error("Body payload validation error.", path, message, expected, received)


def query_error(
    path: list[str | int], message: str, *, expected: str = "", received: str = ""
) -> ValidationError:
    """The 400 Attio sends when a query parameter does not match the endpoint's schema."""
    return _schema_error("Query params validation error.", path, message, expected, received)


def reject_unknown_keys(path: list[str | int], given: Any, allowed: tuple[str, ...]) -> None:
    """Attio's 400 for a body object (at ``path``) that is ``additionalProperties: false`` and has keys
    other than ``allowed``; the first unknown key (alphabetically) is named."""
    extra = sorted(set(given) - set(allowed)) if isinstance(given, dict) else []
    if extra:
        raise body_error(
            [*path, extra[0]],
            f'Unrecognized key "{extra[0]}": only {", ".join(allowed)} are allowed here.',
            expected="never",
            received=json_type(given[extra[0]]),
        )

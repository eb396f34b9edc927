"""The exceptions the Attio client raises, one tree::

    AttioError                      anything the client raises
    ├── ConfigurationError          no API key, a bad base URL
    ├── TransportError              no usable answer (connection refused, timeout, dropped)
    │   └── AmbiguousWriteError     a create may or may not have happened: check before re-sending
    └── ApiError                    Attio answered with an error body (status, code, message)
        ├── BadRequestError         400 (validation_type, value_not_found, uniqueness_conflict, ...)
        ├── AuthenticationError     401
        ├── PermissionDeniedError   403
        ├── NotFoundError           404
        ├── ConflictError           409
        │   └── WriteConflictError  409 concurrent_write_conflict: retried (repeatable) or looked for (creates)
        ├── RateLimitError          429, after the retries ran out
        └── ServerError             5xx, after the retries ran out

Every error carries the request's method and URL, never its headers: the API key is in no message.
"""

from __future__ import annotations

from typing import Any

from ..errors import CleanupError


class AttioError(CleanupError):
    """Base class of everything the client raises (the client stage of :class:`~cleanup.errors.CleanupError`)."""


class ConfigurationError(AttioError):
    """The client cannot be used as configured (e.g. no API key anywhere)."""


class TransportError(AttioError):
    """The request got no usable answer: it failed to connect, timed out, or the connection dropped."""

    def __init__(self, message: str, *, method: str, url: str, attempts: int = 1) -> None:
        super().__init__(f"{method} {url}: {message}")
        self.method = method
        self.url = url
        self.attempts = attempts


class AmbiguousWriteError(TransportError):
    """A non-idempotent write (a create) failed in a way that leaves unknown whether it took effect.

    It is never re-sent blindly: look for what it may have created (a note by parent, title, content and
    ``created_at``; a record by its matching attribute; an entry by parent record) before trying again.
    """


class ApiError(AttioError):
    """Attio answered with an error: HTTP ``status``, Attio ``code`` and ``type``, and its ``message``."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        method: str,
        url: str,
        type: str = "",
        body: dict[str, Any] | None = None,
        attempts: int = 1,
    ) -> None:
        super().__init__(f"{method} {url} → {status} {code}: {message}")
        self.status = status
        self.code = code
        self.type = type
        self.message = message
        self.method = method
        self.url = url
        self.body = body or {}
        self.attempts = attempts

    @property
    def validation_errors(self) -> list[dict[str, Any]]:
        errors: list[dict[str, Any]] = self.body.get("validation_errors") or []
        return errors


class BadRequestError(ApiError):
    """400: the request was understood and refused (see ``code`` and ``validation_errors``)."""


class AuthenticationError(ApiError):
    """401: the API key is missing, malformed or not accepted."""


class PermissionDeniedError(ApiError):
    """403: the API key lacks a scope, or the plan lacks a feature."""


class NotFoundError(ApiError):
    """404: no such object, record, list, entry, note, task, member or endpoint."""


class ConflictError(ApiError):
    """409: a slug or title is already taken."""


class WriteConflictError(ConflictError):
    """409 ``concurrent_write_conflict``: another request changed the record while this write was being
    validated. Transient: a repeatable write (PATCH, PUT) is sent again; a create is looked for first."""


class RateLimitError(ApiError):
    """429 after every retry: the rate limit kept refusing the request."""


class ServerError(ApiError):
    """5xx after every retry: Attio kept failing."""


WRITE_CONFLICT = "concurrent_write_conflict"
_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}


def error_for(status: int, body: Any, *, method: str, url: str, attempts: int = 1) -> ApiError:
    """The exception for an error response (``body`` is Attio's parsed error body, or anything else)."""
    data = body if isinstance(body, dict) else {}
    cls = ServerError if status >= 500 else _BY_STATUS.get(status, ApiError)
    if status == 409 and data.get("code") == WRITE_CONFLICT:
        cls = WriteConflictError
    return cls(
        status,
        str(data.get("code") or f"http_{status}"),
        str(data.get("message") or "no error message in the response"),
        method=method,
        url=url,
        type=str(data.get("type") or ""),
        body=data,
        attempts=attempts,
    )

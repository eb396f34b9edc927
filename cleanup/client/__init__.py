"""The Attio REST API v2 client (see :mod:`cleanup.client.client` and :mod:`cleanup.client.errors`)."""

from __future__ import annotations

from .calls import HistoryValue
from .client import AsyncAttioClient, AttioClient, resolve_token
from .errors import (
    AmbiguousWriteError,
    ApiError,
    AttioError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TransportError,
    WriteConflictError,
)

__all__ = [
    "AmbiguousWriteError",
    "ApiError",
    "AsyncAttioClient",
    "AttioClient",
    "AttioError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "HistoryValue",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "TransportError",
    "WriteConflictError",
    "resolve_token",
]

"""The Attio REST API v2 client (see :mod:`cleanup.client.client` and :mod:`cleanup.client.errors`)."""

from __future__ import annotations

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
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "TransportError",
    "resolve_token",
]

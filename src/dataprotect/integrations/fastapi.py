"""Rate limiting for FastAPI: the Starlette adapter, under FastAPI's name.

``Depends(RateLimit("5/minute"))`` on a route, or
``app.add_middleware(RateLimitMiddleware, rate=...)`` for the whole app.
See :mod:`dataprotect.integrations.starlette`.

Requires ``dataprotect[fastapi]``.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from dataprotect.errors import MissingDependencyError


try:
    import fastapi  # noqa: F401 - the extra must be installed
except ImportError:  # pragma: no cover - exercised without the extra
    msg = "the FastAPI adapter needs fastapi: install dataprotect[fastapi]"
    raise MissingDependencyError(msg) from None

from dataprotect.integrations.starlette import (
    RateLimit,
    RateLimitMiddleware,
    client_ip,
    rate_limit_exceeded_handler,
    too_many_requests,
)


__all__ = [
    "RateLimit",
    "RateLimitMiddleware",
    "client_ip",
    "rate_limit_exceeded_handler",
    "too_many_requests",
]

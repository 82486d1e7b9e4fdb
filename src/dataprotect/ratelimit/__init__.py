"""Rate limiting and login throttling, built on the ``limits`` library.

:class:`RateLimiter` counts hits per key in a storage chosen by URI
(``memory://`` for one process, ``redis://``/``valkey://`` and their
cluster and sentinel variants for a fleet), with ``limits``' strategies.
:func:`rate_limit` decorates sync and async functions.
:func:`rate_limit_decorator`, the decorator factory behind it, is also what
the web-framework adapters (:mod:`dataprotect.integrations`) are built on.
:class:`LoginThrottle` is the brute-force policy for login forms: per
(account, address) pair first, then per account and per address, with
exponential back-off, reset on success, optional device cookies, and no
permanent lockout.

Keys never reach the storage in clear: each is an HMAC-SHA-256 under a
subkey of your key material (or of a random per-instance key for
``memory://``), so a dump of Redis shows no usernames or addresses.

Requires ``dataprotect[ratelimit]`` (``limits``); Redis storages also need
``dataprotect[redis]``, Valkey storages ``dataprotect[valkey]``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from dataprotect._redact import redact_uri
from dataprotect.ratelimit._decorator import (
    default_limiter,
    rate_limit_decorator,
)
from dataprotect.ratelimit._limiter import (
    FailMode,
    KeyPart,
    Rate,
    RateLimiter,
    Strategy,
)
from dataprotect.ratelimit._limiter import (  # the "dataprotect.ratelimit" logger
    logger as logger,
)
from dataprotect.ratelimit._throttle import LoginThrottle


__all__ = [
    "FailMode",
    "KeyPart",
    "LoginThrottle",
    "Rate",
    "RateLimiter",
    "Strategy",
    "default_limiter",
    "rate_limit",
    "rate_limit_decorator",
    "redact_uri",
]

_F = TypeVar("_F", bound=Callable[..., object])


def rate_limit(
    rate: Rate,
    *,
    key: Callable[..., object] | None = None,
    limiter: RateLimiter | None = None,
    cost: int = 1,
) -> Callable[[_F], _F]:
    """Limit how often the decorated function may be called.

    Works on sync and async functions (async ones go through
    :meth:`RateLimiter.acheck`).  Stack several decorators to apply several
    rates; each keeps its own count.

    Args:
        rate: The rate, e.g. ``"5/minute"``.
        key: Called with the call's arguments; returns what is limited
            (``str``, ``bytes``, ``int`` or a tuple of them).  Without it
            all calls share one count.
        limiter: The limiter (default: one process-wide ``memory://``
            limiter).
        cost: Hits per call.

    Returns:
        The decorator.  The wrapped function raises
        :class:`~dataprotect.errors.RateLimitExceeded` when over the rate.

    .. versionadded:: 0.1.0
    """
    return rate_limit_decorator(
        rate,
        get_request=_arguments,
        key=None if key is None else lambda call: key(*call[0], **call[1]),
        limiter=limiter,
        cost=cost,
    )


def _arguments(
    *args: object, **kwargs: object
) -> tuple[tuple[object, ...], dict[str, object]]:
    """The "request" of a plain function: its call's arguments."""
    return args, kwargs

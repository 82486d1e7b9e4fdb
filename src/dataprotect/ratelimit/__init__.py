"""Rate limiting and login throttling, built on the ``limits`` library.

:class:`RateLimiter` counts hits per key in a storage chosen by URI
(``memory://`` for one process, ``redis://``/``valkey://`` and their
cluster and sentinel variants for a fleet), with ``limits``' strategies.
:func:`rate_limit` decorates sync and async functions.
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

import functools
import inspect
import threading

from collections.abc import Awaitable, Callable
from typing import TypeVar, cast

from dataprotect._redact import redact_uri
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
    "rate_limit",
    "redact_uri",
]

_F = TypeVar("_F", bound=Callable[..., object])

_default: RateLimiter | None = None


_default_lock = threading.Lock()


def _default_limiter() -> RateLimiter:
    global _default  # noqa: PLW0603
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = RateLimiter()
    return _default


def _key_parts(value: object) -> tuple[KeyPart, ...]:
    if isinstance(value, (str, bytes, int)):
        return (value,)
    if isinstance(value, tuple):
        return tuple(cast("tuple[KeyPart, ...]", value))
    msg = "key function must return str, bytes, int or a tuple of them"
    raise TypeError(msg)


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

    def decorate(fn: _F) -> _F:
        name = f"{fn.__module__}.{fn.__qualname__}"

        def parts(
            args: tuple[object, ...], kwargs: dict[str, object]
        ) -> tuple[KeyPart, ...]:
            if key is None:
                return (name,)
            return (name, *_key_parts(key(*args, **kwargs)))

        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def async_wrapper(*args: object, **kwargs: object) -> object:
                lim = limiter or _default_limiter()
                await lim.acheck(rate, *parts(args, kwargs), cost=cost)
                return await cast("Callable[..., Awaitable[object]]", fn)(
                    *args, **kwargs
                )

            return cast("_F", async_wrapper)

        @functools.wraps(fn)
        def wrapper(*args: object, **kwargs: object) -> object:
            lim = limiter or _default_limiter()
            lim.check(rate, *parts(args, kwargs), cost=cost)
            return fn(*args, **kwargs)

        return cast("_F", wrapper)

    return decorate

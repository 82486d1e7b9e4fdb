"""The rate-limit decorator: one sync/async wrapper, for functions and views.

Re-exported, and documented, by :mod:`dataprotect.ratelimit`.
"""

from __future__ import annotations

import functools
import inspect
import threading

from collections.abc import Awaitable, Callable
from typing import TypeVar, cast

from dataprotect.errors import RateLimitExceeded
from dataprotect.ratelimit._limiter import KeyPart, Rate, RateLimiter


__all__ = ["default_limiter", "rate_limit_decorator"]

_F = TypeVar("_F", bound=Callable[..., object])
_R = TypeVar("_R")

_default: RateLimiter | None = None


_default_lock = threading.Lock()


def _default_limiter() -> RateLimiter:
    global _default  # noqa: PLW0603 - the one lazily created default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = RateLimiter()
    return _default


def default_limiter() -> RateLimiter:
    """The process-wide ``memory://`` limiter, used when none is given.

    :func:`rate_limit`, :func:`rate_limit_decorator` and the web-framework
    adapters count in it when called without *limiter*.  It is created on
    first use (once, also under threads).

    Returns:
        The default :class:`RateLimiter`.

    .. versionadded:: 0.1.0
    """
    return _default_limiter()


def _key_parts(value: object) -> tuple[KeyPart, ...]:
    if isinstance(value, (str, bytes, int)):
        return (value,)
    if isinstance(value, tuple):
        return tuple(cast("tuple[KeyPart, ...]", value))
    msg = "key function must return str, bytes, int or a tuple of them"
    raise TypeError(msg)


def _parts(
    name: str,
    request: _R,
    key: Callable[[_R], object] | None,
    scope: Callable[[str, _R], tuple[KeyPart, ...]] | None,
) -> tuple[KeyPart, ...]:
    """The key parts of one call (see :func:`rate_limit_decorator`)."""
    head = (name,) if scope is None else scope(name, request)
    if key is None:
        return head
    return (*head, *_key_parts(key(request)))


def rate_limit_decorator(
    rate: Rate,
    *,
    get_request: Callable[..., _R],
    respond: Callable[[RateLimitExceeded], object] | None = None,
    key: Callable[[_R], object] | None = None,
    scope: Callable[[str, _R], tuple[KeyPart, ...]] | None = None,
    limiter: RateLimiter | None = None,
    cost: int = 1,
) -> Callable[[_F], _F]:
    """The decorator factory behind :func:`rate_limit` and every web adapter.

    An adapter for a web framework says how to find the request among a
    view's arguments and how the framework answers a refusal; the rest
    (which limiter, the key, sync and async views) is done here once.
    Async functions go through :meth:`RateLimiter.acheck`.

    .. code-block:: python

        def rate_limit(rate, *, key=client_ip, limiter=None):
            return rate_limit_decorator(
                rate,
                get_request=lambda request, *args, **kwargs: request,
                respond=too_many_requests,  # RateLimitExceeded -> 429
                key=key,
                scope=lambda name, request: ("myframework", name),
                limiter=limiter,
            )

    Args:
        rate: The rate, e.g. ``"5/minute"``.
        get_request: Called with the decorated function's arguments;
            returns the request (whatever *key* and *scope* are given).
        respond: Turns a :class:`~dataprotect.errors.RateLimitExceeded`,
            from the limit or raised by the function itself (e.g. by
            :meth:`LoginThrottle.check`), into the function's result, such
            as the framework's 429 response.  Without it the exception
            propagates.
        key: Request -> what is limited (``str``, ``bytes``, ``int`` or a
            tuple of them).  Without it all calls share one count.
        scope: Called with the decorated function's qualified name
            (``module.qualname``) and the request; returns the key parts
            that come before *key*'s.  Default: the name alone, so each
            decorated function has its own counts.
        limiter: The limiter (default: :func:`default_limiter`).
        cost: Hits per call.

    Returns:
        The decorator.  Without *respond*, the wrapped function raises
        :class:`~dataprotect.errors.RateLimitExceeded` when over the rate.

    .. versionadded:: 0.1.0
    """

    def decorate(fn: _F) -> _F:
        name = f"{fn.__module__}.{fn.__qualname__}"

        def parts(
            args: tuple[object, ...], kwargs: dict[str, object]
        ) -> tuple[KeyPart, ...]:
            return _parts(name, get_request(*args, **kwargs), key, scope)

        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def async_wrapper(*args: object, **kwargs: object) -> object:
                lim = limiter or _default_limiter()
                try:
                    await lim.acheck(rate, *parts(args, kwargs), cost=cost)
                    return await cast("Callable[..., Awaitable[object]]", fn)(
                        *args, **kwargs
                    )
                except RateLimitExceeded as exc:
                    if respond is None:
                        raise
                    return respond(exc)

            return cast("_F", async_wrapper)

        @functools.wraps(fn)
        def wrapper(*args: object, **kwargs: object) -> object:
            lim = limiter or _default_limiter()
            try:
                lim.check(rate, *parts(args, kwargs), cost=cost)
                return fn(*args, **kwargs)
            except RateLimitExceeded as exc:
                if respond is None:
                    raise
                return respond(exc)

        return cast("_F", wrapper)

    return decorate

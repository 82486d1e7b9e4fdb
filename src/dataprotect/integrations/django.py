"""Django integration.

Sections are independent so that each capability can be merged on its own.
"""

from __future__ import annotations

import functools
import inspect

from collections.abc import Awaitable, Callable
from typing import TypeVar, cast

from dataprotect.errors import MissingDependencyError, RateLimitExceeded
from dataprotect.integrations._ratelimit_http import (
    BODY,
    STATUS,
    retry_after_header,
)
from dataprotect.ratelimit import (
    KeyPart,
    Rate,
    RateLimiter,
    _default_limiter,
    _key_parts,
)


try:
    from django.http import HttpRequest, HttpResponse
except ImportError:  # pragma: no cover - exercised without the extra
    msg = "the Django adapter needs django: install dataprotect[django]"
    raise MissingDependencyError(msg) from None


__all__ = [
    "RateLimitExceededMiddleware",
    "client_ip",
    "rate_limit",
    "too_many_requests",
]


# ---------------------------------------------------------------------------
# Rate limiting (dataprotect.ratelimit) for Django views.
#
# ``@rate_limit("5/minute")`` on a function view (sync or async) answers 429
# with ``Retry-After`` and nothing about which limit fired, also when the view
# raises RateLimitExceeded itself (e.g. LoginThrottle.check).  Add
# ``RateLimitExceededMiddleware`` to MIDDLEWARE to do the latter for every
# view.
# ---------------------------------------------------------------------------

_V = TypeVar("_V", bound=Callable[..., object])
#: Turns a request into what is limited.
RateLimitKey = Callable[[HttpRequest], "KeyPart | tuple[KeyPart, ...]"]


def client_ip(request: HttpRequest) -> str:
    """``REMOTE_ADDR`` of *request* (the rate-limit default key).

    Behind a reverse proxy, have the proxy set ``REMOTE_ADDR`` (or rewrite
    it in a middleware you trust) so this is the client, not the proxy.

    .. versionadded:: 0.1.0
    """
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def too_many_requests(exc: RateLimitExceeded) -> HttpResponse:
    """The 429 response for *exc*: fixed body, ``Retry-After`` only.

    .. versionadded:: 0.1.0
    """
    response = HttpResponse(BODY, status=STATUS, content_type="text/plain")
    response["Retry-After"] = retry_after_header(exc)
    return response


def rate_limit(
    rate: Rate,
    *,
    key: RateLimitKey | None = None,
    limiter: RateLimiter | None = None,
) -> Callable[[_V], _V]:
    """Limit a Django function view (sync or async) per client or *key*.

    Args:
        rate: The rate, e.g. ``"5/minute"``.
        key: ``HttpRequest`` -> what is limited (default :func:`client_ip`).
        limiter: The limiter (default: the process-wide ``memory://`` one).

    Returns:
        The decorator.

    .. versionadded:: 0.1.0
    """
    key_func = key or client_ip

    def decorate(view: _V) -> _V:
        name = f"{view.__module__}.{view.__qualname__}"

        if inspect.iscoroutinefunction(view):
            async_view = cast("Callable[..., Awaitable[object]]", view)

            @functools.wraps(view)
            async def async_wrapper(
                request: HttpRequest, *args: object, **kwargs: object
            ) -> object:
                lim = limiter or _default_limiter()
                try:
                    await lim.acheck(
                        rate, "django", name, *_key_parts(key_func(request))
                    )
                    return await async_view(request, *args, **kwargs)
                except RateLimitExceeded as exc:
                    return too_many_requests(exc)

            return cast("_V", async_wrapper)

        @functools.wraps(view)
        def wrapper(
            request: HttpRequest, *args: object, **kwargs: object
        ) -> object:
            lim = limiter or _default_limiter()
            try:
                lim.check(rate, "django", name, *_key_parts(key_func(request)))
                return view(request, *args, **kwargs)
            except RateLimitExceeded as exc:
                return too_many_requests(exc)

        return cast("_V", wrapper)

    return decorate


class RateLimitExceededMiddleware:
    """Answer 429 for a ``RateLimitExceeded`` raised by any view.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self, get_response: Callable[[HttpRequest], HttpResponse]
    ) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(
        self,
        request: HttpRequest,  # noqa: ARG002 (Django's hook signature)
        exception: Exception,
    ) -> HttpResponse | None:
        """Turn ``RateLimitExceeded`` into the 429 response."""
        if isinstance(exception, RateLimitExceeded):
            return too_many_requests(exception)
        return None

"""Rate limiting for Starlette and FastAPI, and WebAuthn endpoints.

:class:`RateLimitMiddleware` limits every HTTP request of an app (or of some
paths); :class:`RateLimit` is a FastAPI dependency for one route.  Both use
the limiter's async path, so no blocking network call runs on the event
loop, and both answer 429 with ``Retry-After`` and nothing about which limit
fired.  :func:`rate_limit_exceeded_handler` turns a
:class:`~dataprotect.errors.RateLimitExceeded` raised in a view (e.g. by
:meth:`~dataprotect.ratelimit.LoginThrottle.check`) into the same answer.
:func:`webauthn_routes` serves the WebAuthn ceremonies of
:mod:`dataprotect.twofactor` as JSON endpoints (it also needs
``dataprotect[webauthn]``).

Requires ``dataprotect[starlette]`` (or ``dataprotect[fastapi]``).
:func:`password_feedback_routes` serves interactive password feedback
(:mod:`dataprotect.integrations.password_feedback`; it also needs
``dataprotect[strength]``).

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, NoReturn

from dataprotect.disclosure import SecurityTxt
from dataprotect.errors import MissingDependencyError, RateLimitExceeded
from dataprotect.integrations._ratelimit_http import (
    BODY,
    STATUS,
    retry_after_header,
)
from dataprotect.integrations._webauthn_http import (
    MAX_BODY,
    Endpoints,
    parse_body,
)
from dataprotect.ratelimit import (
    KeyPart,
    Rate,
    RateLimiter,
    default_limiter,
    rate_limit_decorator,
)
from dataprotect.twofactor import (
    AuthenticationResult,
    CredentialStore,
    RelyingParty,
    WebAuthnUser,
)


if TYPE_CHECKING:
    from dataprotect.integrations.password_feedback import (
        FeedbackAnswer,
        FeedbackEndpoint,
    )

try:
    from starlette.concurrency import run_in_threadpool
    from starlette.exceptions import HTTPException
    from starlette.requests import Request
    from starlette.responses import (
        HTMLResponse,
        JSONResponse,
        PlainTextResponse,
        Response,
    )
    from starlette.routing import Route
    from starlette.types import ASGIApp, Message, Receive, Scope, Send
except ImportError:  # pragma: no cover - exercised without the extra
    msg = (
        "the Starlette adapter needs starlette: install dataprotect[starlette]"
    )
    raise MissingDependencyError(msg) from None


__all__ = [
    "RateLimit",
    "RateLimitMiddleware",
    "client_ip",
    "password_feedback_routes",
    "rate_limit_exceeded_handler",
    "security_txt_route",
    "too_many_requests",
    "webauthn_routes",
]

#: Turns a request into what is limited.
KeyFunc = Callable[[Request], "KeyPart | tuple[KeyPart, ...]"]


def client_ip(request: Request) -> str:
    """The peer address of *request* (the default key).

    Behind a reverse proxy, run uvicorn with ``--proxy-headers`` and
    ``--forwarded-allow-ips`` so this is the client, not the proxy.

    .. versionadded:: 0.1.0
    """
    return request.client.host if request.client else "unknown"


def too_many_requests(exc: RateLimitExceeded) -> Response:
    """The 429 response for *exc*: fixed body, ``Retry-After`` only.

    .. versionadded:: 0.1.0
    """
    return PlainTextResponse(
        BODY,
        status_code=STATUS,
        headers={"Retry-After": retry_after_header(exc)},
    )


async def rate_limit_exceeded_handler(
    request: Request,  # noqa: ARG001 - Starlette's handler signature
    exc: Exception,
) -> Response:
    """Exception handler: ``app.add_exception_handler(RateLimitExceeded, ...)``.

    .. versionadded:: 0.1.0
    """
    if not isinstance(exc, RateLimitExceeded):  # pragma: no cover
        raise exc
    return too_many_requests(exc)


class RateLimitMiddleware:
    """ASGI middleware limiting HTTP requests per client.

    ``app.add_middleware(RateLimitMiddleware, rate="100/minute")``.  It also
    answers 429 for a :class:`~dataprotect.errors.RateLimitExceeded` raised
    by the app before the response started.

    Args:
        app: The ASGI app.
        rate: The rate, e.g. ``"100/minute"``.
        key: Request -> what is limited (default :func:`client_ip`).
        limiter: The limiter (default: the process-wide ``memory://`` one).
        paths: Only limit paths starting with one of these prefixes.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        rate: Rate,
        key: KeyFunc | None = None,
        limiter: RateLimiter | None = None,
        paths: Iterable[str] | None = None,
    ) -> None:
        self.app = app
        self.rate = rate
        self.key: KeyFunc = key or client_ip
        self.limiter: RateLimiter = limiter or default_limiter()
        self.paths: tuple[str, ...] | None = (
            tuple(paths) if paths is not None else None
        )
        self._check = _request_check(
            rate, self.key, self.limiter, _app_scope, too_many_requests
        )

    async def __call__(
        self, scope: Scope, receive: Receive, send: Send
    ) -> None:
        if scope["type"] != "http" or (
            self.paths is not None
            and not str(scope.get("path", "")).startswith(self.paths)
        ):
            await self.app(scope, receive, send)
            return
        refusal = await self._check(Request(scope))
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except RateLimitExceeded as exc:
            if started:
                raise
            await too_many_requests(exc)(scope, receive, send)


class RateLimit:
    """A FastAPI dependency limiting one route (or a router).

    ``@app.post("/login", dependencies=[Depends(RateLimit("5/minute"))])``.
    Counts are kept per route path template and key.  A refusal is the
    same answer the other adapters give: 429, the plain body
    ``Too Many Requests`` and ``Retry-After`` (not FastAPI's JSON
    ``{"detail": ...}``).  It is raised as an ``HTTPException(429)``, so
    a handler the app registers for status 429 still decides.

    Args:
        rate: The rate.
        key: Request -> what is limited (default :func:`client_ip`).
        limiter: The limiter (default: the process-wide ``memory://`` one).

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        rate: Rate,
        *,
        key: KeyFunc | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.rate = rate
        self.key: KeyFunc = key or client_ip
        self.limiter = limiter
        self._check = _request_check(
            rate, self.key, limiter, _route_scope, _http_exception
        )

    async def __call__(self, request: Request) -> None:
        """Check the limit for *request*."""
        _register_refusal_handler(request)
        await self._check(request)


def _request_check(
    rate: Rate,
    key: KeyFunc,
    limiter: RateLimiter | None,
    scope: Callable[[str, Request], tuple[KeyPart, ...]],
    respond: Callable[[RateLimitExceeded], object],
) -> Callable[[Request], Awaitable[Response | None]]:
    """Check a request: the shared decorator around a handler that admits.

    The check answers ``None`` within the rate, else *respond*'s answer.
    """
    return rate_limit_decorator(
        rate,
        get_request=_the_request,
        respond=respond,
        key=key,
        scope=scope,
        limiter=limiter,
    )(_admitted)


async def _admitted(_request: Request) -> Response | None:
    """Nothing to answer: the request is within the rate."""
    return None


def _the_request(request: Request) -> Request:
    """The handler's one argument."""
    return request


def _app_scope(_name: str, _request: Request) -> tuple[KeyPart, ...]:
    """The middleware counts per key across the whole app."""
    return ("asgi",)


def _route_scope(_name: str, request: Request) -> tuple[KeyPart, ...]:
    """The dependency counts per route path template (and key)."""
    route = request.scope.get("route")
    return ("route", str(getattr(route, "path", None) or request.url.path))


class _Refused(HTTPException):
    """The dependency's refusal: an ``HTTPException(429)`` of its own class.

    Its own class lets the refusal get the plain answer rather than the
    JSON that FastAPI's handler gives every ``HTTPException``.
    """


async def _refused_response(_request: Request, exc: Exception) -> Response:
    """The plain 429 for a :class:`_Refused`: its body and headers."""
    assert isinstance(exc, _Refused)  # noqa: S101 - registered for _Refused only
    return PlainTextResponse(
        str(exc.detail), status_code=exc.status_code, headers=exc.headers
    )


def _register_refusal_handler(request: Request) -> None:
    """Make the app's exception handling answer :class:`_Refused` plainly.

    A dependency cannot return a response, only raise.  Starlette (0.28+)
    puts the app's handlers in the scope, where the refusal's own handler
    is added once; without them FastAPI's JSON answer stays.
    """
    handlers = request.scope.get("starlette.exception_handlers")
    if (
        isinstance(handlers, tuple)
        and handlers
        and isinstance(handlers[0], dict)
    ):
        handlers[0].setdefault(_Refused, _refused_response)


def _http_exception(exc: RateLimitExceeded) -> NoReturn:
    """A dependency refuses by raising: the app answers the 429."""
    raise _Refused(
        status_code=STATUS,
        detail=BODY,
        headers={"Retry-After": retry_after_header(exc)},
    ) from None


def security_txt_route(security_txt: SecurityTxt | str) -> Route:
    """A route serving *security_txt* at ``/.well-known/security.txt``.

    Add it to the app's routes.  A
    :class:`~dataprotect.disclosure.SecurityTxt` is rendered once, here
    (so an expired one fails at start-up); a string (e.g. a signed file) is
    served as given, as ``text/plain; charset=utf-8``.

    .. versionadded:: 0.1.0
    """
    from dataprotect.integrations._disclosure_http import (
        CONTENT_TYPE,
        WELL_KNOWN_PATH,
        security_txt_body,
    )

    body = security_txt_body(security_txt)

    async def endpoint(_request: Request) -> Response:
        return Response(body, headers={"Content-Type": CONTENT_TYPE})

    return Route(WELL_KNOWN_PATH, endpoint, methods=["GET"])


# -- WebAuthn endpoints (issue #12) -------------------------------------------


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The body, read up to *limit* bytes (``None`` beyond)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def _webauthn_body(request: Request) -> object:
    """The JSON body, read up to ``MAX_BODY`` bytes (``None`` beyond)."""
    raw = await _read_body(request, MAX_BODY)
    return None if raw is None else parse_body(raw)


def _webauthn_endpoint(
    handler: Callable[[Request, object], tuple[int, dict[str, object]]],
) -> Callable[[Request], Awaitable[Response]]:
    """An async endpoint that reads the body, then runs *handler* in the
    thread pool."""

    async def endpoint(request: Request) -> Response:
        body = await _webauthn_body(request)
        status, payload = await run_in_threadpool(handler, request, body)
        return JSONResponse(payload, status_code=status)

    return endpoint


def webauthn_routes(
    rp: RelyingParty,
    store: CredentialStore,
    *,
    current_user: Callable[[Request], WebAuthnUser | None],
    find_user: Callable[[str], bytes | None],
    on_sign_in: Callable[[Request, AuthenticationResult], None],
    prefix: str = "",
) -> list[Route]:
    """Four JSON endpoints for WebAuthn security keys, as Starlette routes.

    The same endpoints, bodies and answers as
    :func:`dataprotect.integrations.flask.webauthn_blueprint`:
    ``POST {prefix}/register/begin``, ``/register/finish``,
    ``/login/begin`` and ``/login/finish``.  The ceremonies (and the calls
    of *store*, *current_user*, *find_user* and *on_sign_in*) run in the
    thread pool, so a blocking database call does not stall the event loop.

    Args:
        rp: The relying party.
        store: Keeps the credentials' JSON.
        current_user: The request's signed-in account, or ``None``.
        find_user: A user name -> its user handle, or ``None``.
        on_sign_in: Called after a successful sign-in, to sign the user in
            (e.g. ``request.session["user"] = result.user_handle.hex()``).
        prefix: Put before every path, e.g. ``"/webauthn"``.

    Returns:
        The routes, for ``Starlette(routes=...)`` or ``Mount``.

    .. versionadded:: 0.1.0
    """
    endpoints = Endpoints(rp, store)

    def register_begin(
        request: Request, _body: object
    ) -> tuple[int, dict[str, object]]:
        return endpoints.register_begin(current_user(request))

    def register_finish(
        request: Request, body: object
    ) -> tuple[int, dict[str, object]]:
        return endpoints.register_finish(current_user(request), body)

    def login_begin(
        _request: Request, body: object
    ) -> tuple[int, dict[str, object]]:
        return endpoints.login_begin(body, find_user)

    def login_finish(
        request: Request, body: object
    ) -> tuple[int, dict[str, object]]:
        status, payload, result = endpoints.login_finish(body)
        if result is not None:
            on_sign_in(request, result)
        return status, payload

    return [
        Route(path, _webauthn_endpoint(handler), methods=["POST"])
        for path, handler in (
            (f"{prefix}/register/begin", register_begin),
            (f"{prefix}/register/finish", register_finish),
            (f"{prefix}/login/begin", login_begin),
            (f"{prefix}/login/finish", login_finish),
        )
    ]


# -- Password feedback (issue #13) --------------------------------------------


def _feedback_response(answer: FeedbackAnswer) -> Response:
    return Response(
        answer.body(),
        status_code=answer.status,
        headers=answer.headers,
        media_type="application/json",
    )


def _feedback_refusal(exc: RateLimitExceeded) -> Response:
    from dataprotect.integrations.password_feedback import rate_limited

    return _feedback_response(rate_limited(exc))


def password_feedback_routes(
    endpoint: FeedbackEndpoint | None = None,
    *,
    prefix: str = "",
    rate: Rate = "60/minute",
    key: KeyFunc | None = None,
    limiter: RateLimiter | None = None,
    page: bool = False,
) -> list[Route]:
    """Interactive password feedback, as Starlette routes.

    ``POST {prefix}/password-feedback`` answers the JSON verdict of
    :class:`~dataprotect.integrations.password_feedback.FeedbackEndpoint`
    (the check runs in the thread pool), rate limited per client: past
    *rate* it answers 429 with ``Retry-After``.  ``GET
    {prefix}/password-feedback.js`` and ``.css`` serve the widget.

    Args:
        endpoint: The policy (default: NIST's defaults, no breached list).
        prefix: Put before every path, e.g. ``"/account"``.
        rate: The rate per client, e.g. ``"60/minute"``.
        key: Request -> what is limited (default :func:`client_ip`).
        limiter: The limiter (default: the process-wide ``memory://`` one).
        page: Also serve the demo page at ``GET {prefix}/password-feedback``.

    Returns:
        The routes, for ``Starlette(routes=...)`` or ``Mount``.

    .. versionadded:: 0.1.0
    """
    from dataprotect.integrations.password_feedback import (
        ASSETS,
        NO_STORE,
        FeedbackEndpoint,
        demo_page,
        page_locale,
    )
    from dataprotect.strength import LOCALES

    checker = endpoint or FeedbackEndpoint()

    limit = _request_check(
        rate, key or client_ip, limiter, _feedback_scope, _feedback_refusal
    )

    async def check(request: Request) -> Response:
        refusal = await limit(request)
        if refusal is not None:
            return refusal
        body = await _read_body(request, checker.max_body)
        answer = await run_in_threadpool(
            checker.answer,
            body,
            content_type=request.headers.get("content-type"),
            accept_language=request.headers.get("accept-language"),
        )
        return _feedback_response(answer)

    routes = [
        Route(f"{prefix}/password-feedback", check, methods=["POST"]),
        *(
            Route(f"{prefix}/{name}", _asset_endpoint(name), methods=["GET"])
            for name in ASSETS
        ),
    ]
    if page:
        pages = {loc: demo_page(locale=loc) for loc in LOCALES}

        async def show(request: Request) -> Response:
            locale = page_locale(
                request.query_params.get("lang"),
                request.headers.get("accept-language"),
            )
            return HTMLResponse(pages[locale], headers=NO_STORE)

        routes.append(
            Route(f"{prefix}/password-feedback", show, methods=["GET"])
        )
    return routes


def _feedback_scope(_name: str, _request: Request) -> tuple[KeyPart, ...]:
    """The feedback endpoint counts apart from every other limit."""
    return ("starlette", "password-feedback")


def _asset_endpoint(name: str) -> Callable[[Request], Awaitable[Response]]:
    from dataprotect.integrations.password_feedback import (
        ASSETS,
        asset,
        asset_headers,
    )

    body, kind = asset(name), ASSETS[name]

    async def serve(_request: Request) -> Response:
        return Response(body, headers=asset_headers(kind))

    return serve

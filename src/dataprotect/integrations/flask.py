"""Rate limiting for Flask views, and WebAuthn endpoints.

``@rate_limit("5/minute")`` under ``@app.route``; the view answers 429 with
``Retry-After`` (and nothing about which limit fired) when over the rate, or
when it raises :class:`~dataprotect.errors.RateLimitExceeded` itself (e.g.
from :meth:`~dataprotect.ratelimit.LoginThrottle.check`).
:func:`register_error_handler` does the latter for the whole app.
:func:`webauthn_blueprint` serves the WebAuthn ceremonies of
:mod:`dataprotect.twofactor` as JSON endpoints (it also needs
``dataprotect[webauthn]``).  :func:`password_feedback_blueprint` serves
interactive password feedback (it also needs ``dataprotect[strength]``).

Requires ``dataprotect[flask]``.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

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
    import flask
except ImportError:  # pragma: no cover - exercised without the extra
    msg = "the Flask adapter needs flask: install dataprotect[flask]"
    raise MissingDependencyError(msg) from None


__all__ = [
    "client_ip",
    "password_feedback_blueprint",
    "rate_limit",
    "register_error_handler",
    "register_security_txt",
    "too_many_requests",
    "webauthn_blueprint",
]

_F = TypeVar("_F", bound=Callable[..., object])
#: Turns the current request into what is limited.
KeyFunc = Callable[[flask.Request], "KeyPart | tuple[KeyPart, ...]"]


def client_ip(request: flask.Request) -> str:
    """The peer address (the default key).

    Behind a reverse proxy, wrap the app in ``werkzeug``'s ``ProxyFix`` so
    this is the client, not the proxy.

    .. versionadded:: 0.1.0
    """
    return request.remote_addr or "unknown"


def too_many_requests(exc: RateLimitExceeded) -> flask.Response:
    """The 429 response for *exc*: fixed body, ``Retry-After`` only.

    .. versionadded:: 0.1.0
    """
    return flask.Response(
        BODY,
        status=STATUS,
        mimetype="text/plain",
        headers={"Retry-After": retry_after_header(exc)},
    )


def register_error_handler(app: flask.Flask) -> None:
    """Answer 429 for any ``RateLimitExceeded`` a view of *app* raises.

    .. versionadded:: 0.1.0
    """
    app.register_error_handler(RateLimitExceeded, too_many_requests)


def rate_limit(
    rate: Rate,
    *,
    key: KeyFunc | None = None,
    limiter: RateLimiter | None = None,
) -> Callable[[_F], _F]:
    """Limit a Flask view per client (or per *key*).

    Args:
        rate: The rate, e.g. ``"5/minute"``.
        key: ``flask.Request`` -> what is limited (default :func:`client_ip`).
        limiter: The limiter (default: the process-wide ``memory://`` one).

    Returns:
        The decorator; put it below ``@app.route``.  ``async def`` views
        (Flask's ``flask[async]``) use the limiter's async path.

    .. versionadded:: 0.1.0
    """
    return _limited(rate, key, limiter, too_many_requests, _view_scope)


def _limited(
    rate: Rate,
    key: KeyFunc | None,
    limiter: RateLimiter | None,
    respond: Callable[[RateLimitExceeded], flask.Response],
    scope: Callable[[str, flask.Request], tuple[KeyPart, ...]],
) -> Callable[[_F], _F]:
    """The shared decorator, per client by default, answering *respond*."""
    return rate_limit_decorator(
        rate,
        get_request=_current_request,
        respond=respond,
        key=key or client_ip,
        scope=scope,
        limiter=limiter,
    )


def _current_request(*_args: object, **_kwargs: object) -> flask.Request:
    """Flask views get no request argument: it is the context's."""
    return flask.request


def _view_scope(name: str, _request: flask.Request) -> tuple[KeyPart, ...]:
    """Flask views count apart from other frameworks' and functions'."""
    return ("flask", name)


def register_security_txt(
    app: flask.Flask, security_txt: SecurityTxt | str
) -> None:
    """Serve *security_txt* at ``/.well-known/security.txt`` (RFC 9116).

    A :class:`~dataprotect.disclosure.SecurityTxt` is rendered once, here
    (so an expired one fails at start-up); a string (e.g. a signed file) is
    served as given.  The answer is ``text/plain; charset=utf-8``.

    .. versionadded:: 0.1.0
    """
    from dataprotect.integrations._disclosure_http import (
        CONTENT_TYPE,
        WELL_KNOWN_PATH,
        security_txt_body,
    )

    body = security_txt_body(security_txt)

    def view() -> flask.Response:
        return flask.Response(body, content_type=CONTENT_TYPE)

    app.add_url_rule(
        WELL_KNOWN_PATH, endpoint="dataprotect_security_txt", view_func=view
    )


# -- WebAuthn endpoints (issue #12) -------------------------------------------


def webauthn_blueprint(
    rp: RelyingParty,
    store: CredentialStore,
    *,
    current_user: Callable[[], WebAuthnUser | None],
    find_user: Callable[[str], bytes | None],
    on_sign_in: Callable[[AuthenticationResult], None],
    name: str = "webauthn",
) -> flask.Blueprint:
    """Four JSON endpoints for WebAuthn security keys, as a blueprint.

    ``POST register/begin`` and ``register/finish`` register a key for the
    signed-in user; ``POST login/begin`` (body ``{"username": ...}``, or
    ``{}`` for a sign-in without a user name) and ``login/finish`` sign in.
    The *begin* endpoints answer ``{"publicKey": options, "state": token}``
    (pass ``publicKey`` to ``PublicKeyCredential.parse...FromJSON()``); the
    *finish* endpoints take ``{"state": token, "response":
    credential.toJSON()}``.  A refused ceremony answers 400 with one fixed
    body whichever check failed; the reason is logged on the
    ``dataprotect.webauthn`` logger.  The state travels with the client, so
    nothing is kept in the session.

    Args:
        rp: The relying party.
        store: Keeps the credentials' JSON.
        current_user: The signed-in account, or ``None`` (registration
            then answers 403).
        find_user: A user name -> its user handle, or ``None``.
        on_sign_in: Called after a successful sign-in, to sign the user in
            (e.g. ``flask.session["user"] = result.user_handle.hex()``).
        name: The blueprint's name.

    Returns:
        The blueprint; register it with a ``url_prefix``.  Requests are
        subject to the app's CSRF protection like any other POST.

    .. versionadded:: 0.1.0
    """
    endpoints = Endpoints(rp, store)
    blueprint = flask.Blueprint(name, __name__)

    def answer(status: int, body: dict[str, object]) -> flask.Response:
        response = flask.jsonify(body)
        response.status_code = status
        return response

    def body() -> object:
        length = flask.request.content_length
        if length is not None and length > MAX_BODY:
            return None
        return parse_body(flask.request.get_data(cache=False))

    @blueprint.post("/register/begin")
    def register_begin() -> flask.Response:
        return answer(*endpoints.register_begin(current_user()))

    @blueprint.post("/register/finish")
    def register_finish() -> flask.Response:
        return answer(*endpoints.register_finish(current_user(), body()))

    @blueprint.post("/login/begin")
    def login_begin() -> flask.Response:
        return answer(*endpoints.login_begin(body(), find_user))

    @blueprint.post("/login/finish")
    def login_finish() -> flask.Response:
        status, payload, result = endpoints.login_finish(body())
        if result is not None:
            on_sign_in(result)
        return answer(status, payload)

    return blueprint


# -- Password feedback (issue #13) --------------------------------------------


def _feedback_response(answer: FeedbackAnswer) -> flask.Response:
    return flask.Response(
        answer.body(),
        status=answer.status,
        headers=answer.headers,
        mimetype="application/json",
    )


def _feedback_refusal(exc: RateLimitExceeded) -> flask.Response:
    from dataprotect.integrations.password_feedback import rate_limited

    return _feedback_response(rate_limited(exc))


def _feedback_scope(
    _name: str, _request: flask.Request
) -> tuple[KeyPart, ...]:
    """The feedback endpoint counts apart from every other limit."""
    return ("flask", "password-feedback")


def password_feedback_blueprint(
    endpoint: FeedbackEndpoint | None = None,
    *,
    rate: Rate = "60/minute",
    key: KeyFunc | None = None,
    limiter: RateLimiter | None = None,
    page: bool = False,
    name: str = "password_feedback",
) -> flask.Blueprint:
    """Interactive password feedback, as a blueprint.

    The same endpoints and answers as
    :func:`dataprotect.integrations.starlette.password_feedback_routes`:
    ``POST password-feedback`` (the JSON verdict, rate limited per client),
    ``GET password-feedback.js`` and ``.css`` (the widget), and with
    *page* the demo page at ``GET password-feedback``.

    Args:
        endpoint: The policy (default: NIST's defaults, no breached list).
        rate: The rate per client, e.g. ``"60/minute"``.
        key: ``flask.Request`` -> what is limited (default
            :func:`client_ip`).
        limiter: The limiter (default: the process-wide ``memory://`` one).
        page: Also serve the demo page.
        name: The blueprint's name.

    Returns:
        The blueprint; register it with or without a ``url_prefix``.

    .. versionadded:: 0.1.0
    """
    from dataprotect.integrations.password_feedback import (
        ASSETS,
        NO_STORE,
        FeedbackEndpoint,
        asset,
        asset_headers,
        demo_page,
        page_locale,
    )
    from dataprotect.strength import LOCALES

    checker = endpoint or FeedbackEndpoint()
    blueprint = flask.Blueprint(name, __name__)

    @blueprint.post("/password-feedback")
    @_limited(rate, key, limiter, _feedback_refusal, _feedback_scope)
    def check() -> flask.Response:
        request = flask.request
        body = request.stream.read(checker.max_body + 1)
        answer = checker.answer(
            None if len(body) > checker.max_body else body,
            content_type=request.headers.get("Content-Type"),
            accept_language=request.headers.get("Accept-Language"),
        )
        return _feedback_response(answer)

    def serve(asset_name: str) -> flask.Response:
        return flask.Response(
            asset(asset_name), headers=asset_headers(ASSETS[asset_name])
        )

    for asset_name in ASSETS:
        blueprint.add_url_rule(
            f"/{asset_name}",
            endpoint=asset_name.replace(".", "_"),
            view_func=serve,
            defaults={"asset_name": asset_name},
        )
    if page:
        pages = {loc: demo_page(locale=loc) for loc in LOCALES}

        @blueprint.get("/password-feedback")
        def show() -> flask.Response:
            locale = page_locale(
                flask.request.args.get("lang"),
                flask.request.headers.get("Accept-Language"),
            )
            return flask.Response(
                pages[locale], mimetype="text/html", headers=NO_STORE
            )

    return blueprint

"""Interactive password feedback over HTTP, for every framework adapter.

:class:`FeedbackEndpoint` is the framework-neutral JSON contract of
``POST /password-feedback``: it takes the raw request (body bytes, content
type, ``Accept-Language``) and answers a status, a JSON-ready payload and
headers.  The adapters serve it with rate limiting:
:func:`dataprotect.integrations.starlette.password_feedback_routes`,
:func:`dataprotect.integrations.flask.password_feedback_blueprint` and
:func:`dataprotect.integrations.django.password_feedback_urls` (with a
template tag).  The browser side is a framework-free ES module and a style
sheet shipped as package data (:func:`asset`), which attach to any
``<input type=password>``.

The request is ``{"password": str, "user_inputs": [str, ...], "locale":
str}`` (``user_inputs`` and ``locale`` optional; without ``locale`` the
``Accept-Language`` header decides).  The answer is
:meth:`~dataprotect.strength.PasswordFeedback.to_dict` plus ``breached``,
``nist_ok`` (no NIST SP 800-63B rule fails), ``verdict`` (one localized
sentence) and ``crack_time`` (``{"seconds", "display"}``).  Bad input (not
JSON, wrong content type, a body over :data:`MAX_BODY` bytes, a field of
the wrong type, invalid UTF-8) answers a 4xx with one ``{"error": ...}``,
never a 500.  Every answer carries ``Cache-Control: no-store``.  Nothing
here logs the password or the user inputs.

Needs the ``strength`` extra.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import json
import logging
import math

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources

from dataprotect import strength
from dataprotect.errors import ConfigurationError, RateLimitExceeded
from dataprotect.integrations._ratelimit_http import (
    BODY,
    STATUS,
    retry_after_header,
)


__all__ = [
    "ASSETS",
    "CRACK_GUESSES_PER_SECOND",
    "MAX_BODY",
    "NO_STORE",
    "FeedbackAnswer",
    "FeedbackEndpoint",
    "asset",
    "asset_headers",
    "demo_page",
    "negotiate_locale",
    "page_locale",
    "rate_limited",
]

#: Called with the password: (id, message) pairs of further failed rules.
ExtraCheck = Callable[[str], Iterable[tuple[str, str]]]

logger = logging.getLogger("dataprotect.password_feedback")

#: Largest request body accepted, in bytes; larger bodies answer 413.
MAX_BODY = 4096
#: The attacker the crack-time estimate assumes: offline, against a slow
#: password hash (zxcvbn's ``offline_slow_hashing_1e4_per_second``).
CRACK_GUESSES_PER_SECOND = 1e4
#: The browser files shipped as package data: name -> content type.
ASSETS: dict[str, str] = {
    "password-feedback.js": "text/javascript; charset=utf-8",
    "password-feedback.css": "text/css; charset=utf-8",
}
#: Headers on every answer of the endpoint.
NO_STORE: dict[str, str] = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}

_FIELDS = frozenset({"password", "user_inputs", "locale"})
_MAX_USER_INPUTS = 64

# One localized sentence for an acceptable password; the refusals use the
# strength catalogue's own messages.
_ACCEPTABLE = {
    "en": "This password is acceptable.",
    "de": "Dieses Passwort ist geeignet.",
    "fr": "Ce mot de passe convient.",
    "it": "Questa password è adeguata.",
}
# Crack-time units: (seconds, singular, plural) per locale, largest first.
_UNITS = {
    "en": (("year", "years"), ("month", "months"), ("day", "days"),
           ("hour", "hours"), ("minute", "minutes"), ("second", "seconds")),
    "de": (("Jahr", "Jahre"), ("Monat", "Monate"), ("Tag", "Tage"),
           ("Stunde", "Stunden"), ("Minute", "Minuten"),
           ("Sekunde", "Sekunden")),
    "fr": (("an", "ans"), ("mois", "mois"), ("jour", "jours"),
           ("heure", "heures"), ("minute", "minutes"),
           ("seconde", "secondes")),
    "it": (("anno", "anni"), ("mese", "mesi"), ("giorno", "giorni"),
           ("ora", "ore"), ("minuto", "minuti"), ("secondo", "secondi")),
}  # fmt: skip
_UNIT_SECONDS = (31_536_000, 2_678_400, 86_400, 3_600, 60, 1)
_INSTANT = {
    "en": "less than a second",
    "de": "weniger als eine Sekunde",
    "fr": "moins d'une seconde",
    "it": "meno di un secondo",
}
_CENTURIES = {
    "en": "centuries",
    "de": "Jahrhunderte",
    "fr": "des siècles",
    "it": "secoli",
}


def _crack_time_display(seconds: float, locale: str) -> str:
    """*seconds* as zxcvbn shows a crack time, in *locale*."""
    if seconds < 1:
        return _INSTANT[locale]
    if seconds >= 100 * _UNIT_SECONDS[0]:
        return _CENTURIES[locale]
    for unit, (one, many) in zip(_UNIT_SECONDS, _UNITS[locale], strict=True):
        if seconds >= unit:
            count = round(seconds / unit)
            return f"{count} {one if count == 1 else many}"
    raise AssertionError  # pragma: no cover - seconds >= 1 always matches


def negotiate_locale(accept_language: str | None) -> str:
    """The best of en, de, fr and it for an ``Accept-Language`` header.

    Args:
        accept_language: The header's value, or None.

    Returns:
        The supported language with the highest ``q`` (the first listed
        wins a tie); ``en`` when none is supported.

    .. versionadded:: 0.1.0
    """
    best, best_q = "en", 0.0
    for item in (accept_language or "")[:512].split(","):
        tag, _, params = item.strip().partition(";")
        primary = tag.strip().replace("_", "-").split("-", 1)[0].lower()
        q = 1.0
        name, _, value = params.strip().partition("=")
        if name.strip() == "q":
            try:
                q = float(value)
            except ValueError:
                q = 0.0
        if primary in strength.LOCALES and q > best_q:
            best, best_q = primary, q
    return best


def page_locale(lang: str | None, accept_language: str | None) -> str:
    """The demo page's language: *lang* (a ``?lang=`` query) if supported,
    else the best of ``Accept-Language``, else ``en``.

    .. versionadded:: 0.1.0
    """
    return negotiate_locale(",".join(filter(None, (lang, accept_language))))


def asset(name: str) -> bytes:
    """The bytes of a browser file shipped with dataprotect.

    Args:
        name: A key of :data:`ASSETS` (``password-feedback.js`` or
            ``password-feedback.css``).

    Raises:
        ConfigurationError: *name* is not a shipped file.

    .. versionadded:: 0.1.0
    """
    if name not in ASSETS:
        msg = "unknown asset"
        raise ConfigurationError(msg)
    root = resources.files("dataprotect.integrations")
    return (root / "static" / "dataprotect" / name).read_bytes()


@dataclass(frozen=True, slots=True)
class FeedbackAnswer:
    """An answer of :meth:`FeedbackEndpoint.answer`.

    Attributes:
        status: The HTTP status.
        payload: The JSON body (never holds the password).
        headers: Headers to send (``Cache-Control: no-store`` and more).

    .. versionadded:: 0.1.0
    """

    status: int
    payload: dict[str, object]
    headers: dict[str, str] = field(default_factory=lambda: dict(NO_STORE))

    def body(self) -> bytes:
        """The payload as compact UTF-8 JSON."""
        return json.dumps(
            self.payload, ensure_ascii=False, separators=(",", ":")
        ).encode("utf-8")


def rate_limited(exc: RateLimitExceeded) -> FeedbackAnswer:
    """The 429 answer past the rate: ``Retry-After`` and one JSON error.

    .. versionadded:: 0.1.0
    """
    headers = {**NO_STORE, "Retry-After": retry_after_header(exc)}
    return FeedbackAnswer(STATUS, {"error": BODY}, headers)


def asset_headers(content_type: str) -> dict[str, str]:
    """Headers for a served asset: its type, revalidated on every use."""
    return {
        "Content-Type": content_type,
        "Cache-Control": "no-cache",
        "X-Content-Type-Options": "nosniff",
    }


def _fields(request: object) -> tuple[str, list[str], str | None] | str:
    """The request's password, user inputs and locale, or what is wrong."""
    if not isinstance(request, Mapping):
        return "request body must be a JSON object"
    if set(request) - _FIELDS:
        return "unknown field in request"
    password = request.get("password")
    if not isinstance(password, str):
        return "password must be a string"
    inputs = request.get("user_inputs", [])
    if (
        not isinstance(inputs, list)
        or len(inputs) > _MAX_USER_INPUTS
        or not all(isinstance(v, str) for v in inputs)
    ):
        return "user_inputs must be a list of strings"
    locale = request.get("locale")
    if locale is not None and not isinstance(locale, str):
        return "locale must be a string"
    return password, inputs, locale


def _refuse(status: int, error: str) -> FeedbackAnswer:
    logger.info("password feedback refused (%d): %s", status, error)
    return FeedbackAnswer(status, {"error": error})


def _is_json(content_type: str | None) -> bool:
    kind, _, params = (content_type or "").partition(";")
    if kind.strip().lower() != "application/json":
        return False
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip(
            '"'
        ).lower() not in ("utf-8", "utf8"):
            return False
    return True


class FeedbackEndpoint:
    """The JSON contract of ``POST /password-feedback``, without a framework.

    Args:
        min_length: Minimum length (see
            :func:`~dataprotect.strength.check_password`).
        max_length: Maximum length.
        min_score: The zxcvbn score needed to be acceptable.
        breached: An offline breached-password list.
        service_names: Context words every check uses (site name, domain).
        max_body: Largest request body, in bytes (default
            :data:`MAX_BODY`; a 4096-character password needs more).

    Raises:
        ConfigurationError: an impossible policy, or *max_body* < 64.

    .. versionadded:: 0.1.0
    """

    __slots__ = (
        "breached",
        "max_body",
        "max_length",
        "min_length",
        "min_score",
        "service_names",
    )

    def __init__(
        self,
        *,
        min_length: int = strength.DEFAULT_MIN_LENGTH,
        max_length: int = strength.DEFAULT_MAX_LENGTH,
        min_score: int = strength.DEFAULT_MIN_SCORE,
        breached: strength.BreachedPasswords | None = None,
        service_names: Iterable[str] = (),
        max_body: int = MAX_BODY,
    ) -> None:
        strength.check_policy(
            min_length=min_length, max_length=max_length, min_score=min_score
        )
        if max_body < 64:
            msg = "max_body must be at least 64 bytes"
            raise ConfigurationError(msg)
        self.min_length = min_length
        self.max_length = max_length
        self.min_score = min_score
        self.breached = breached
        self.service_names: tuple[str, ...] = tuple(service_names)
        self.max_body = max_body

    def __repr__(self) -> str:
        return (
            f"<FeedbackEndpoint min_length={self.min_length} "
            f"min_score={self.min_score} "
            f"breached={self.breached is not None}>"
        )

    def too_large(self, content_length: int | None) -> bool:
        """Whether a declared ``Content-Length`` is over the limit (an
        adapter then answers :meth:`answer` with ``body=None`` unread)."""
        return content_length is not None and content_length > self.max_body

    def answer(
        self,
        body: bytes | None,
        *,
        content_type: str | None,
        accept_language: str | None = None,
        user_inputs: Sequence[str] = (),
        extra_check: ExtraCheck | None = None,
    ) -> FeedbackAnswer:
        """The answer to one request.

        Args:
            body: The request body (at most ``max_body + 1`` bytes need be
                read), or None when it was too large to read.
            content_type: The ``Content-Type`` header.
            accept_language: The ``Accept-Language`` header.
            user_inputs: More context words from the server (e.g. the
                signed-in user's name and email).
            extra_check: Called with the password; returns (id, message)
                pairs of further rules it fails (e.g. other Django
                validators); any makes the password not acceptable.

        Returns:
            200 with the verdict; 413, 415 or 400 with one error.

        .. versionadded:: 0.1.0
        """
        if body is None or len(body) > self.max_body:
            return _refuse(413, "request body too large")
        if not _is_json(content_type):
            return _refuse(415, "content type must be application/json")
        try:
            request = json.loads(body.decode("utf-8"))
        except UnicodeDecodeError:
            return _refuse(400, "request body is not valid UTF-8")
        except (ValueError, RecursionError):
            return _refuse(400, "request body is not valid JSON")
        return self._check(request, accept_language, user_inputs, extra_check)

    def _check(
        self,
        request: object,
        accept_language: str | None,
        server_inputs: Sequence[str],
        extra_check: ExtraCheck | None,
    ) -> FeedbackAnswer:
        fields = _fields(request)
        if isinstance(fields, str):
            return _refuse(400, fields)
        password, inputs, locale = fields
        if locale is None:
            locale = negotiate_locale(accept_language)
        try:
            feedback = strength.check_password(
                password,
                user_inputs=[*self.service_names, *server_inputs, *inputs],
                locale=locale,
                min_length=self.min_length,
                max_length=self.max_length,
                min_score=self.min_score,
                breached=self.breached,
            )
        except ConfigurationError:
            return _refuse(400, "locale must be one of en, de, fr, it")
        extra = [] if extra_check is None else list(extra_check(password))
        return FeedbackAnswer(200, self._verdict(feedback, extra))

    def _verdict(
        self,
        feedback: strength.PasswordFeedback,
        extra_violations: Sequence[tuple[str, str]],
    ) -> dict[str, object]:
        payload = feedback.to_dict()
        loc = feedback.locale
        violations = [
            *feedback.violations,
            *(strength.Violation(i, m) for i, m in extra_violations),
        ]
        payload["violations"] = [
            {"id": v.id, "message": v.message} for v in violations
        ]
        acceptable = feedback.acceptable and not extra_violations
        payload["acceptable"] = acceptable
        if violations:
            verdict = violations[0].message
        elif feedback.score < self.min_score:
            verdict = strength.message_text("too_guessable", loc)
        else:
            verdict = _ACCEPTABLE[loc]
        seconds = (
            10 ** min(feedback.guesses_log10, 300.0) / CRACK_GUESSES_PER_SECOND
        )
        payload.update(
            breached=any(v.id == "breached" for v in violations),
            nist_ok=not feedback.violations,
            verdict=verdict,
            crack_time={
                "seconds": float(f"{seconds:.3g}")
                if math.isfinite(seconds)
                else None,
                "display": _crack_time_display(seconds, loc),
            },
        )
        return payload


def demo_page(
    *,
    endpoint: str = "password-feedback",
    script: str = "password-feedback.js",
    stylesheet: str = "password-feedback.css",
    locale: str = "en",
    csrf_token: str | None = None,
) -> str:
    """A small HTML page with a password field and the widget attached.

    It has user name, email and site fields whose values are context words,
    and a language switch.  ``dataprotect demo --serve`` serves it.

    Args:
        endpoint: URL of the feedback endpoint.
        script: URL of ``password-feedback.js``.
        stylesheet: URL of ``password-feedback.css``.
        locale: The initial language (en, de, fr or it).
        csrf_token: Sent as ``X-CSRFToken`` with every check (Django).

    Returns:
        The page, UTF-8 text.

    Raises:
        ConfigurationError: an unsupported *locale*.

    .. versionadded:: 0.1.0
    """
    from html import escape

    if locale not in strength.LOCALES:
        msg = "locale must be one of en, de, fr, it"
        raise ConfigurationError(msg)
    options = "".join(
        f'<option value="{loc}"{" selected" if loc == locale else ""}>'
        f"{name}</option>"
        for loc, name in (
            ("en", "English"),
            ("de", "Deutsch"),
            ("fr", "Français"),
            ("it", "Italiano"),
        )
    )
    csrf = (
        ""
        if csrf_token is None
        else f' data-csrf-token="{escape(csrf_token)}"'
    )
    return _PAGE.format(
        locale=locale,
        endpoint=escape(endpoint),
        script=escape(script),
        stylesheet=escape(stylesheet),
        options=options,
        csrf=csrf,
    )


_PAGE = """<!doctype html>
<html lang="{locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dataprotect password feedback</title>
<link rel="stylesheet" href="{stylesheet}">
<style>
body {{ font-family: system-ui, sans-serif; max-width: 34rem;
       margin: 2rem auto; padding: 0 1rem; }}
label {{ display: block; margin-top: .8rem; font-weight: 600; }}
input, select {{ width: 100%; padding: .4rem; font-size: 1rem;
                box-sizing: border-box; }}
</style>
</head>
<body>
<main>
<h1>Password feedback</h1>
<form autocomplete="off" onsubmit="return false">
<label for="language">Language</label>
<select id="language">{options}</select>
<label for="username">User name</label>
<input id="username" name="username" autocomplete="username">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="email">
<label for="site">Site</label>
<input id="site" name="site" value="example.com">
<label for="password">Password</label>
<input id="password" name="password" type="password"
       autocomplete="new-password">
<div id="password-feedback" data-password-feedback-for="password"
     data-endpoint="{endpoint}" data-inputs="username email site"
     data-locale="{locale}" data-locale-from="language"{csrf}></div>
</form>
</main>
<script type="module" src="{script}"></script>
</body>
</html>
"""

"""Django adapters, one section per capability.

- Rate limiting: ``@rate_limit`` for views and ``RateLimitExceededMiddleware``
  (``dataprotect[django]``).
- Passwords: ``PasswordStrengthValidator`` for ``AUTH_PASSWORD_VALIDATORS``
  (``dataprotect[django,strength]``) and ``DataProtectPasswordHasher`` for
  ``PASSWORD_HASHERS`` (``dataprotect[django]``).
- Password feedback: ``password_feedback_urls`` (the JSON endpoint under
  ``AUTH_PASSWORD_VALIDATORS`` and the widget's files) and the
  ``dataprotect_feedback`` template tags (add ``"dataprotect.integrations"``
  to ``INSTALLED_APPS``; ``dataprotect[django,strength]``).
- WebAuthn: ``webauthn_urls`` serves the ceremonies of
  :mod:`dataprotect.twofactor` as JSON endpoints
  (``dataprotect[django,webauthn]``).
- Encrypted columns: ``EncryptedField`` binds each value to its table,
  column and primary key; ``BlindIndexField`` keeps a searchable keyed
  digest of one beside it (``dataprotect[django]``).
"""

from __future__ import annotations

import contextlib
import threading

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Final, TypeVar

from dataprotect.disclosure import SecurityTxt
from dataprotect.encryption import BlindIndex, Encryptor
from dataprotect.errors import (
    ConfigurationError,
    InvalidPasswordError,
    MissingDependencyError,
    RateLimitExceeded,
)


if TYPE_CHECKING:
    from dataprotect.integrations.password_feedback import FeedbackAnswer

# Django first: without the extra, its absence is what the error names.
try:
    from django.conf import settings
    from django.contrib.auth.hashers import BasePasswordHasher, mask_hash
    from django.core.exceptions import ValidationError
    from django.db import models
    from django.db.models.lookups import In
    from django.db.models.query_utils import DeferredAttribute
    from django.db.models.signals import post_init, post_save
    from django.http import (
        HttpRequest,
        HttpResponse,
        HttpResponseNotAllowed,
        JsonResponse,
    )
    from django.urls import URLPattern, path
    from django.utils import translation
except ImportError:
    msg = "the Django adapter needs django: install dataprotect[django]"
    raise MissingDependencyError(msg) from None

from dataprotect.integrations._columns import (
    PENDING,
    Bound,
    ColumnCipher,
    Kind,
    Sealed,
    context,
)
from dataprotect.integrations._ratelimit_http import (
    BODY,
    STATUS,
    retry_after_header,
)
from dataprotect.integrations._webauthn_http import Endpoints, parse_body
from dataprotect.keys import Keyring
from dataprotect.passwords import PasswordHasher
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


__all__ = [
    "BlindIndexField",
    "DataProtectPasswordHasher",
    "EncryptedField",
    "PasswordStrengthValidator",
    "RateLimitExceededMiddleware",
    "client_ip",
    "password_feedback_urls",
    "password_feedback_view",
    "rate_limit",
    "security_txt_view",
    "too_many_requests",
    "webauthn_urls",
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
    return _limited(rate, key, limiter, too_many_requests, _view_scope)


def _limited(
    rate: Rate,
    key: RateLimitKey | None,
    limiter: RateLimiter | None,
    respond: Callable[[RateLimitExceeded], HttpResponse],
    scope: Callable[[str, HttpRequest], tuple[KeyPart, ...]],
) -> Callable[[_V], _V]:
    """The shared decorator, per client by default, answering *respond*."""
    return rate_limit_decorator(
        rate,
        get_request=_request,
        respond=respond,
        key=key or client_ip,
        scope=scope,
        limiter=limiter,
    )


def _request(
    request: HttpRequest, *_args: object, **_kwargs: object
) -> HttpRequest:
    """A function view's request: its first argument."""
    return request


def _view_scope(name: str, _request: HttpRequest) -> tuple[KeyPart, ...]:
    """Django views count apart from other frameworks' and functions'."""
    return ("django", name)


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
        request: HttpRequest,  # noqa: ARG002 - Django's hook signature
        exception: Exception,
    ) -> HttpResponse | None:
        """Turn ``RateLimitExceeded`` into the 429 response."""
        if isinstance(exception, RateLimitExceeded):
            return too_many_requests(exception)
        return None


# ---------------------------------------------------------------------------
# Password validator (dataprotect.strength)
# ---------------------------------------------------------------------------


def _django_locale() -> str:
    """The active Django language as a dataprotect.strength locale."""
    from dataprotect.strength import LOCALES

    language = translation.get_language() or "en"
    primary = language.replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in LOCALES else "en"


class PasswordStrengthValidator:
    """An ``AUTH_PASSWORD_VALIDATORS`` entry backed by
    :func:`dataprotect.strength.check_password`.

    It applies the NIST SP 800-63B rules (minimum length in code points,
    blocklist of common and breached passwords, no passwords built from the
    user's attributes or the service name, no composition rules) and
    requires zxcvbn's score to reach *min_score*.  Messages follow Django's
    active language (English, German, French or Italian; any other language
    falls back to English).  Needs the ``strength`` extra.

    .. code-block:: python

        AUTH_PASSWORD_VALIDATORS = [
            {
                "NAME": "dataprotect.integrations.django.PasswordStrengthValidator",
                "OPTIONS": {"min_length": 8, "service_names": ["example"]},
            },
        ]

    Args:
        min_length: Minimum length (8 to 64; NIST rev. 4 advises 15 when the
            password is the only factor).
        max_length: Maximum length (at least 64).
        min_score: The zxcvbn score (0-4) needed.
        user_attributes: Attributes of the user that are context words.
        service_names: Context words for the service (site name, domain).
        breached_path: An offline breached-password list (see
            :class:`dataprotect.strength.BreachedPasswords`).
        breached_min_count: Sightings needed to count as breached.

    Raises:
        ConfigurationError: an impossible policy or a missing list.
        MissingDependencyError: zxcvbn is not installed.

    .. versionadded:: 0.1.0
    """

    DEFAULT_USER_ATTRIBUTES: tuple[str, ...] = (
        "username",
        "first_name",
        "last_name",
        "email",
    )

    def __init__(
        self,
        *,
        min_length: int = 8,
        max_length: int = 4096,
        min_score: int = 3,
        user_attributes: tuple[str, ...] | list[str] = DEFAULT_USER_ATTRIBUTES,
        service_names: tuple[str, ...] | list[str] = (),
        breached_path: str | None = None,
        breached_min_count: int = 1,
    ) -> None:
        from dataprotect import strength

        strength.check_policy(
            min_length=min_length, max_length=max_length, min_score=min_score
        )
        self.min_length = min_length
        self.max_length = max_length
        self.min_score = min_score
        self.user_attributes: tuple[str, ...] = tuple(user_attributes)
        self.service_names: tuple[str, ...] = tuple(service_names)
        self.breached: strength.BreachedPasswords | None = (
            strength.BreachedPasswords(
                breached_path, min_count=breached_min_count
            )
            if breached_path
            else None
        )

    def _user_inputs(self, user: Any) -> list[str]:
        values = list(self.service_names)
        if user is not None:
            for attribute in self.user_attributes:
                value = getattr(user, attribute, None)
                if isinstance(value, str) and value:
                    values.append(value)
        return values

    def validate(self, password: str, user: Any = None) -> None:
        """Raise ``ValidationError`` listing every reason *password* fails.

        Error codes are ``password_`` plus the message id:
        ``password_too_short``, ``password_blocklisted``,
        ``password_breached``, ``password_context``, ``password_too_long``,
        ``password_invalid_character`` and ``password_too_guessable``.

        Django's ``ValidationError`` is raised when the password is not
        acceptable.

        Args:
            password: The candidate password.
            user: The user (or None on sign-up forms without one).
        """
        from dataprotect.strength import check_password, message_text

        locale = _django_locale()
        feedback = check_password(
            password,
            user_inputs=self._user_inputs(user),
            locale=locale,
            min_length=self.min_length,
            max_length=self.max_length,
            min_score=self.min_score,
            breached=self.breached,
        )
        if feedback.acceptable:
            return
        errors = [
            ValidationError(v.message, code=f"password_{v.id}")
            for v in feedback.violations
        ]
        if feedback.score < self.min_score and not feedback.violations:
            parts = [message_text("too_guessable", locale)]
            if feedback.warning:
                parts.append(feedback.warning)
            parts.extend(feedback.suggestions[:1])
            errors.append(
                ValidationError(" ".join(parts), code="password_too_guessable")
            )
        raise ValidationError(errors)

    def get_help_text(self) -> str:
        """The rules, in Django's active language."""
        from dataprotect.strength import message_text

        return message_text(
            "help_text", _django_locale(), min_length=self.min_length
        )


# ---------------------------------------------------------------------------
# Password hasher (dataprotect.passwords)
# ---------------------------------------------------------------------------

_default_lock = threading.Lock()
_default: list[PasswordHasher] = []


def _hasher() -> PasswordHasher:
    """The configured :class:`PasswordHasher`, or a shared default one."""
    configured = getattr(settings, "DATAPROTECT_PASSWORD_HASHER", None)
    if configured is not None:
        if not isinstance(configured, PasswordHasher):
            msg = "DATAPROTECT_PASSWORD_HASHER must be a PasswordHasher"
            raise TypeError(msg)
        return configured
    with _default_lock:
        if not _default:
            _default.append(PasswordHasher())
        return _default[0]


def _text(password: str | bytes) -> str:
    if isinstance(password, bytes):
        return password.decode("utf-8")
    return password


class DataProtectPasswordHasher(BasePasswordHasher):  # type: ignore[misc]  # Django is untyped
    """A Django password hasher backed by :class:`~dataprotect.passwords.PasswordHasher`.

    Put it first in ``PASSWORD_HASHERS``; keep the old hashers after it so
    existing hashes still verify and are upgraded at the next login::

        PASSWORD_HASHERS = [
            "dataprotect.integrations.django.DataProtectPasswordHasher",
            "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        ]

    The stored value is ``dataprotect`` followed by the hasher's output
    (``dataprotect$argon2id$v=19$...``, or ``dataprotect$dp2$...`` with a
    pepper), at most 128 characters, which fits Django's password
    column.  Configure parameters and the pepper with a
    ``DATAPROTECT_PASSWORD_HASHER = PasswordHasher(...)`` setting; without
    it, the defaults are used.  Django's *salt* argument is ignored: every
    hash gets a fresh random 128-bit salt.

    .. versionadded:: 0.1.0
    """

    algorithm: ClassVar[str] = "dataprotect"

    def _inner(self, encoded: str) -> str:
        algorithm, sep, rest = encoded.partition("$")
        if algorithm != self.algorithm or not sep:
            msg = "not a dataprotect password hash"
            raise ValueError(msg)
        return "$" + rest

    def salt(self) -> str:
        """A placeholder: :meth:`encode` draws its own salt."""
        return "unused"

    def encode(self, password: str | bytes, salt: str) -> str:
        """Hash *password* (Django's *salt* is ignored)."""
        self._check_encode_args(password, salt)
        return self.algorithm + _hasher().hash(_text(password))

    def verify(self, password: str | bytes, encoded: str) -> bool:
        """Whether *password* matches *encoded*.

        A password that could never have been hashed (over 4 KiB, a lone
        surrogate, undecodable bytes) is ``False`` rather than an error, so
        a login form cannot be made to fail with a server error.
        """
        try:
            text = _text(password)
        except UnicodeDecodeError:
            return False
        try:
            return _hasher().verify(self._inner(encoded), text)
        except InvalidPasswordError:
            return False

    def decode(self, encoded: str) -> dict[str, Any]:
        """The parts Django shows in the admin (never the hash itself)."""
        inner = self._inner(encoded)
        # $argon2id$v=19$<params>$<salt>$<hash> or $dp2$<params>$<salt>$<hash>
        parts = inner.split("$")
        params = dict(
            item.split("=", 1) for item in parts[-3].split(",") if "=" in item
        )
        return {
            "algorithm": self.algorithm,
            "variety": parts[1],
            "salt": parts[-2],
            "hash": parts[-1],
            "memory_cost": int(params["m"]),
            "time_cost": int(params["t"]),
            "parallelism": int(params["p"]),
            "pepper_key": params.get("k"),
        }

    def safe_summary(self, encoded: str) -> dict[str, Any]:
        """Algorithm and parameters, with salt and hash masked."""
        decoded = self.decode(encoded)
        return {
            "algorithm": decoded["algorithm"],
            "variety": decoded["variety"],
            "memory cost": decoded["memory_cost"],
            "time cost": decoded["time_cost"],
            "parallelism": decoded["parallelism"],
            "pepper key": decoded["pepper_key"] or "none",
            "salt": mask_hash(decoded["salt"]),
            "hash": mask_hash(decoded["hash"]),
        }

    def must_update(self, encoded: str) -> bool:
        """Whether the hash uses old parameters or an old pepper key."""
        return _hasher().needs_rehash(self._inner(encoded))

    def harden_runtime(self, password: str | bytes, encoded: str) -> None:  # noqa: ARG002 - Django's hook signature
        """Spend a current-parameter verification (timing equalisation)."""
        with contextlib.suppress(InvalidPasswordError, UnicodeDecodeError):
            _hasher().dummy_verify(_text(password))


def security_txt_view(
    security_txt: SecurityTxt | str,
) -> Callable[[HttpRequest], HttpResponse]:
    """A view serving *security_txt* (RFC 9116).

    Route it at the well-known path::

        path(".well-known/security.txt", security_txt_view(txt))

    A :class:`~dataprotect.disclosure.SecurityTxt` is rendered once, here
    (so an expired one fails at start-up); a string (e.g. a signed file) is
    served as given, as ``text/plain; charset=utf-8``.

    .. versionadded:: 0.1.0
    """
    from dataprotect.integrations._disclosure_http import (
        CONTENT_TYPE,
        security_txt_body,
    )

    body = security_txt_body(security_txt)

    def view(_request: HttpRequest) -> HttpResponse:
        return HttpResponse(body, content_type=CONTENT_TYPE)

    return view


# ---------------------------------------------------------------------------
# WebAuthn endpoints (dataprotect.twofactor, issue #12).
# ---------------------------------------------------------------------------


def _post_only(
    view: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Answer 405 to anything but POST (``require_POST``, typed)."""

    def only(request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return view(request)

    return only


def webauthn_urls(
    rp: RelyingParty,
    store: CredentialStore,
    *,
    current_user: Callable[[HttpRequest], WebAuthnUser | None],
    find_user: Callable[[str], bytes | None],
    on_sign_in: Callable[[HttpRequest, AuthenticationResult], None],
) -> list[URLPattern]:
    """Four JSON endpoints for WebAuthn security keys, as URL patterns.

    The same endpoints, bodies and answers as
    :func:`dataprotect.integrations.flask.webauthn_blueprint`:
    ``register/begin``, ``register/finish``, ``login/begin`` and
    ``login/finish`` (POST only).  Django's CSRF protection applies as to
    any view: send the ``X-CSRFToken`` header from the page.

    Args:
        rp: The relying party.
        store: Keeps the credentials' JSON.
        current_user: The request's signed-in account, or ``None``.
        find_user: A user name -> its user handle, or ``None``.
        on_sign_in: Called after a successful sign-in, to sign the user in
            (e.g. ``django.contrib.auth.login(request, user)``).

    Returns:
        The patterns: ``path("webauthn/", include(webauthn_urls(...)))``.

    .. versionadded:: 0.1.0
    """
    endpoints = Endpoints(rp, store)

    def body(request: HttpRequest) -> object:
        return parse_body(request.body)

    def answer(result: tuple[int, dict[str, object]]) -> HttpResponse:
        return JsonResponse(result[1], status=result[0])

    @_post_only
    def register_begin(request: HttpRequest) -> HttpResponse:
        return answer(endpoints.register_begin(current_user(request)))

    @_post_only
    def register_finish(request: HttpRequest) -> HttpResponse:
        user = current_user(request)
        return answer(endpoints.register_finish(user, body(request)))

    @_post_only
    def login_begin(request: HttpRequest) -> HttpResponse:
        return answer(endpoints.login_begin(body(request), find_user))

    @_post_only
    def login_finish(request: HttpRequest) -> HttpResponse:
        status, payload, result = endpoints.login_finish(body(request))
        if result is not None:
            on_sign_in(request, result)
        return answer((status, payload))

    return [
        path("register/begin", register_begin, name="webauthn-register-begin"),
        path(
            "register/finish", register_finish, name="webauthn-register-finish"
        ),
        path("login/begin", login_begin, name="webauthn-login-begin"),
        path("login/finish", login_finish, name="webauthn-login-finish"),
    ]


# ---------------------------------------------------------------------------
# Encrypted model fields (dataprotect.encryption, issue #14).
# ---------------------------------------------------------------------------

_NOT_BOUND = (
    "an encrypted field is bound to its row's primary key: save it through "
    "the model, and never filter on its value"
)


class _Decrypting(DeferredAttribute):  # type: ignore[misc]  # Django is untyped
    """Decrypts a loaded value on first access, with the row's primary key."""

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, Sealed):
            field: EncryptedField = self.field
            value = field.cipher().open(
                value.stored,
                instance._meta.db_table,  # noqa: SLF001 - Django's model metadata
                field.column,
                (instance.__dict__.get(_LOADED_KEY, instance.pk),),
            )
            instance.__dict__[self.field.attname] = value
        return value

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


class EncryptedField(models.Field):  # type: ignore[misc]  # Django is untyped
    """A model field encrypted with an :class:`~dataprotect.encryption.Encryptor`.

    Each value is bound to the table, the column and the row's primary key
    (as in :mod:`dataprotect.integrations.sqlalchemy`, with the same
    stored format), and decrypted on first access.  The encryptor is the
    ``DATAPROTECT_ENCRYPTOR`` setting, so that migrations never hold it.
    ``str`` values are stored as base64 text (a ``TextField`` column),
    ``bytes`` and JSON as binary::

        class Patient(models.Model):
            name = EncryptedField()
            scan = EncryptedField(kind="bytes", null=True)

    A new row with a database-generated key is inserted with a placeholder
    and updated with its value once the key is known, in the same
    transaction when the save runs in one (``transaction.atomic``).
    Filtering on the value raises
    :class:`~dataprotect.errors.ConfigurationError`.

    Args:
        kind: ``"str"``, ``"bytes"`` or ``"json"``.

    .. versionadded:: 0.1.0
    """

    descriptor_class = _Decrypting

    def __init__(self, *args: Any, kind: Kind = "str", **kwargs: Any) -> None:
        if kind not in ("str", "bytes", "json"):
            msg = "kind must be 'str', 'bytes' or 'json'"
            raise ConfigurationError(msg)
        if kwargs.get("db_default") is not None:
            # The database would store it unencrypted.
            msg = "an encrypted field cannot have db_default=; use default="
            raise ConfigurationError(msg)
        self.kind: Kind = kind
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        """Migrations record the kind, never the encryptor."""
        name, path, args, kwargs = super().deconstruct()
        if self.kind != "str":
            kwargs["kind"] = self.kind
        return name, path, args, kwargs

    def get_internal_type(self) -> str:
        """A text column for ``str``, a binary column otherwise."""
        return "TextField" if self.kind == "str" else "BinaryField"

    def cipher(self) -> ColumnCipher:
        """The configured encryptor, for this field's kind."""
        return ColumnCipher(_encryptor(), self.kind, text=self.kind == "str")

    def from_db_value(
        self, value: Any, _expression: Any, _connection: Any
    ) -> Any:
        """Keep the stored value sealed until it is read."""
        return None if value is None else Sealed(value)

    def pre_save(self, model_instance: Any, add: bool) -> Any:  # noqa: ARG002 - Django's hook signature
        """The plaintext bound to its row (or a placeholder before INSERT)."""
        # Read through the descriptor: a copy saved as a new row
        # (``pk = None``) is bound afresh, never carried over sealed.
        value = getattr(model_instance, self.attname)
        if value is None:
            return None
        cipher = self.cipher()
        pk = model_instance.pk
        table = model_instance._meta.db_table  # noqa: SLF001 - Django's model metadata
        ad = context(table, self.column, PENDING if pk is None else (pk,))
        raw = cipher.dump(value)
        if pk is None:
            model_instance.__dict__.setdefault(
                "_dataprotect_pending", []
            ).append(self)
            raw = b""
        return Bound(value, raw, ad)

    def get_db_prep_value(
        self,
        value: Any,
        connection: Any,  # noqa: ARG002 - Django's hook signature
        prepared: bool = False,  # noqa: ARG002 - Django's hook signature
    ) -> Any:
        """Encrypt a bound value; refuse a bare one (a filter)."""
        if value is None:
            return None
        if isinstance(value, Bound):
            return self.cipher().seal(value.raw, value.ad)
        raise ConfigurationError(_NOT_BOUND)

    def contribute_to_class(
        self, cls: Any, name: str, private_only: bool = False
    ) -> None:
        """Add the field, the after-INSERT update for generated keys, and
        the note of a loaded row's key."""
        super().contribute_to_class(cls, name, private_only=private_only)
        post_save.connect(_bind_pending, sender=cls, weak=False)
        post_init.connect(_remember_loaded_key, sender=cls, weak=False)


#: ``instance.__dict__`` key: the primary key a loaded row's values are
#: bound to.
_LOADED_KEY: Final = "_dataprotect_loaded_pk"


def _remember_loaded_key(
    sender: Any,  # noqa: ARG001 - Django's signal signature
    instance: Any,
    **_kwargs: Any,
) -> None:
    """Note the key a loaded row's sealed values are bound to: they open
    with it on first read, so a copy saved as a new row (``pk = None``) or
    a row given another key is bound afresh instead of failing."""
    if any(isinstance(v, Sealed) for v in instance.__dict__.values()):
        instance.__dict__[_LOADED_KEY] = instance.pk


def _bind_pending(
    sender: Any, instance: Any, using: str, **_kwargs: Any
) -> None:
    """Write the values of a row inserted before its key was known."""
    fields: list[EncryptedField] = instance.__dict__.pop(
        "_dataprotect_pending", []
    )
    if not fields:
        return
    table = instance._meta.db_table  # noqa: SLF001 - Django's model metadata
    values = {}
    for field in fields:
        value = getattr(instance, field.attname)
        ad = context(table, field.column, (instance.pk,))
        values[field.attname] = Bound(value, field.cipher().dump(value), ad)
    sender._base_manager.using(using).filter(pk=instance.pk).update(**values)  # noqa: SLF001 - Django's manager


def _encryptor() -> Encryptor:
    encryptor = getattr(settings, "DATAPROTECT_ENCRYPTOR", None)
    if not isinstance(encryptor, Encryptor):
        msg = "DATAPROTECT_ENCRYPTOR must be set to an Encryptor"
        raise ConfigurationError(msg)
    return encryptor


class BlindIndexField(models.BinaryField):  # type: ignore[misc]  # Django is untyped
    """The :class:`~dataprotect.encryption.BlindIndex` digest of the
    :class:`EncryptedField` *source*, kept in sync on save, for equality
    look-ups::

        class User(models.Model):
            email = EncryptedField()
            email_index = BlindIndexField(source="email", index="users.email")

        User.objects.filter(email_index__matches="ada@example.ch")

    The digest is ``BlindIndex(keyring, index, bits=bits)`` of the value
    under the keyring of ``DATAPROTECT_ENCRYPTOR``: the same bytes as
    :class:`~dataprotect.integrations.sqlalchemy.BlindIndexed` with that
    keyring, index name and bits, so either adapter (and ``dataprotect db
    reencrypt --blind-index``) reads and rebuilds the other's indexes.
    ``__matches`` looks a plaintext up under every active key (primary
    first, as :func:`~dataprotect.integrations.sqlalchemy.blind_match`),
    so rows indexed under an older key are found while a rotation is
    rolled out; a plain ``filter(email_index=...)`` compares one digest.
    Saving with ``update_fields`` must name the index beside its source.

    Args:
        source: The name of the :class:`EncryptedField` it indexes.
        index: The blind index name (its own HMAC key), e.g.
            ``"users.email"``.
        bits: Digest length, a multiple of 8 from 16 to 256.

    Raises:
        ValueError: A bad index name or length (as
            :class:`~dataprotect.encryption.BlindIndex`).
        dataprotect.errors.ConfigurationError: On first use, *source* is
            not an :class:`EncryptedField` of the model.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        *args: Any,
        source: str,
        index: str,
        bits: int = 64,
        **kwargs: Any,
    ) -> None:
        self.source = source
        self.index = index
        self.bits = bits
        # Checks the name and length now, not at the first save.
        BlindIndex(Keyring(), index, bits=bits)
        kwargs.setdefault("null", True)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        """Migrations record the source, index name and length."""
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, index=self.index, bits=self.bits)
        for key in ("null", "db_index"):  # True by default here
            if not kwargs.pop(key, False):
                kwargs[key] = False
        return name, path, args, kwargs

    def blind_index(self) -> BlindIndex:
        """The blind index under the configured encryptor's keyring."""
        # the one configured keyring, not a second setting
        return BlindIndex(_encryptor().keyring, self.index, bits=self.bits)

    def _source(self) -> EncryptedField:
        field = next(
            (f for f in self.model._meta.fields if f.name == self.source),  # noqa: SLF001 - Django's model metadata
            None,
        )
        if not isinstance(field, EncryptedField):
            msg = f"BlindIndexField source {self.source!r} must name an EncryptedField"
            raise ConfigurationError(msg)
        return field

    def candidates(self, value: object) -> list[bytes]:
        """The digests of *value* (a value of the source's kind) under
        every active key, primary first."""
        raw = self._source().cipher().dump(value)
        return self.blind_index().candidates(raw)

    def pre_save(self, model_instance: Any, add: bool) -> Any:  # noqa: ARG002 - Django's hook signature
        """The digest of the source's value (kept if it was not read)."""
        source = self._source()
        if source.attname not in model_instance.__dict__ or isinstance(
            model_instance.__dict__[source.attname], Sealed
        ):
            # Deferred or never read: unchanged since it was loaded.
            return getattr(model_instance, self.attname)
        value = model_instance.__dict__[source.attname]
        digest = None
        if value is not None:
            raw = source.cipher().dump(value)
            digest = self.blind_index().digest(raw)
        setattr(model_instance, self.attname, digest)
        return digest


@BlindIndexField.register_lookup
class _Matches(In):  # type: ignore[misc]  # Django is untyped
    """``index__matches=value``: the digests of *value* under every key."""

    lookup_name = "matches"
    rhs: Any
    lhs: Any

    def get_prep_lookup(self) -> Any:
        self.rhs = self.lhs.output_field.candidates(self.rhs)
        return super().get_prep_lookup()


# ---------------------------------------------------------------------------
# Password feedback (issue #13): the JSON endpoint under
# AUTH_PASSWORD_VALIDATORS, the widget's files, and (in
# templatetags/dataprotect_feedback.py) the template tags.
# ---------------------------------------------------------------------------


def _feedback_response(answer: FeedbackAnswer) -> HttpResponse:
    response = HttpResponse(
        answer.body(), status=answer.status, content_type="application/json"
    )
    for name, value in answer.headers.items():
        response[name] = value
    return response


def _feedback_refusal(exc: RateLimitExceeded) -> HttpResponse:
    from dataprotect.integrations.password_feedback import rate_limited

    return _feedback_response(rate_limited(exc))


def _feedback_scope(_name: str, _request: HttpRequest) -> tuple[KeyPart, ...]:
    """The feedback endpoint counts apart from every other limit."""
    return ("django", "password-feedback")


def _other_validators(
    validators: list[Any], user: Any
) -> Callable[[str], list[tuple[str, str]]]:
    """Run Django's other validators on a password: (code, message)s."""

    def check(password: str) -> list[tuple[str, str]]:
        return [
            failure
            for validator in validators
            for failure in _failures(validator, password, user)
        ]

    return check


def _failures(
    validator: Any, password: str, user: Any
) -> list[tuple[str, str]]:
    """(code, message) of each error *validator* raises for *password*."""
    try:
        validator.validate(password, user)
    except ValidationError as exc:
        return [
            (error.code or "invalid", " ".join(error.messages))
            for error in exc.error_list
        ]
    return []


def password_feedback_view(request: HttpRequest) -> HttpResponse:
    """The JSON verdict for ``POST {"password": ..., ...}``, per
    ``AUTH_PASSWORD_VALIDATORS``.

    The policy (minimum length and score, breached list, service names) is
    the :class:`PasswordStrengthValidator` entry's, or NIST's defaults
    without one; every other configured validator runs too, and a failure
    is one more violation (its id is the validator's error code).  The
    signed-in user, if any, is the validators' user and gives context
    words; the language is the body's ``locale`` or Django's active one.
    Not rate limited by itself: :func:`password_feedback_urls` is.
    Django's CSRF protection applies (the widget sends ``X-CSRFToken``).

    .. versionadded:: 0.1.0
    """
    from django.contrib.auth.password_validation import (
        get_default_password_validators,
    )

    from dataprotect.integrations.password_feedback import FeedbackEndpoint

    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    validators = list(get_default_password_validators())
    ours = [v for v in validators if isinstance(v, PasswordStrengthValidator)]
    others = [
        v for v in validators if not isinstance(v, PasswordStrengthValidator)
    ]
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        user = None
    if ours:
        policy = ours[0]
        endpoint = FeedbackEndpoint(
            min_length=policy.min_length,
            max_length=policy.max_length,
            min_score=policy.min_score,
            breached=policy.breached,
            service_names=policy.service_names,
        )
        inputs = policy._user_inputs(user)  # noqa: SLF001 - the same context words as validate()
    else:
        endpoint = FeedbackEndpoint()
        inputs = []
    length = request.META.get("CONTENT_LENGTH")
    declared = int(length) if str(length or "").isdigit() else None
    body = (
        None
        if endpoint.too_large(declared)
        else request.read(endpoint.max_body + 1)
    )
    answer = endpoint.answer(
        body,
        content_type=request.META.get("CONTENT_TYPE"),
        accept_language=translation.get_language(),
        user_inputs=inputs,
        extra_check=_other_validators(others, user),
    )
    return _feedback_response(answer)


def _asset_view(name: str) -> Callable[[HttpRequest], HttpResponse]:
    from dataprotect.integrations.password_feedback import (
        ASSETS,
        asset,
        asset_headers,
    )

    body = asset(name)
    headers = asset_headers(ASSETS[name])

    def view(_request: HttpRequest) -> HttpResponse:
        response = HttpResponse(body, content_type=headers["Content-Type"])
        for header, value in headers.items():
            response[header] = value
        return response

    return view


def password_feedback_urls(
    *,
    rate: Rate = "60/minute",
    key: RateLimitKey | None = None,
    limiter: RateLimiter | None = None,
) -> list[URLPattern]:
    """The password-feedback endpoint and the widget's files, as URL patterns.

    ``password-feedback`` (:func:`password_feedback_view`, rate limited per
    client: 429 with ``Retry-After`` past *rate*), ``password-feedback.js``
    and ``password-feedback.css``, named ``password-feedback``,
    ``password-feedback-js`` and ``password-feedback-css`` (the template
    tags reverse these names, so include them without a namespace).

    Args:
        rate: The rate per client.
        key: ``HttpRequest`` -> what is limited (default
            :func:`client_ip`).
        limiter: The limiter (default: the process-wide ``memory://`` one).

    Returns:
        The patterns: ``path("account/", include(password_feedback_urls()))``.

    .. versionadded:: 0.1.0
    """
    limited = _limited(rate, key, limiter, _feedback_refusal, _feedback_scope)(
        password_feedback_view
    )
    return [
        path("password-feedback", limited, name="password-feedback"),
        path(
            "password-feedback.js",
            _asset_view("password-feedback.js"),
            name="password-feedback-js",
        ),
        path(
            "password-feedback.css",
            _asset_view("password-feedback.css"),
            name="password-feedback-css",
        ),
    ]

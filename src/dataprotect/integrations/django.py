"""Django adapters: a password validator for ``AUTH_PASSWORD_VALIDATORS``.

Install with ``pip install dataprotect[django,strength]``.
"""

from __future__ import annotations

from typing import Any

from dataprotect.errors import MissingDependencyError


try:
    from django.core.exceptions import ValidationError
    from django.utils import translation
except ImportError:  # pragma: no cover - exercised without Django
    msg = "the Django integration needs Django: install dataprotect[django]"
    raise MissingDependencyError(msg) from None


__all__ = ["PasswordStrengthValidator"]


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

        strength._check_policy(min_length, max_length, min_score)  # noqa: SLF001
        self.min_length = min_length
        self.max_length = max_length
        self.min_score = min_score
        self.user_attributes = tuple(user_attributes)
        self.service_names = tuple(service_names)
        self.breached = (
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
        from dataprotect._strength_messages import text
        from dataprotect.strength import check_password

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
            parts = [text("too_guessable", locale)]
            if feedback.warning:
                parts.append(feedback.warning)
            parts.extend(feedback.suggestions[:1])
            errors.append(
                ValidationError(" ".join(parts), code="password_too_guessable")
            )
        raise ValidationError(errors)

    def get_help_text(self) -> str:
        """The rules, in Django's active language."""
        from dataprotect._strength_messages import text

        return text("help_text", _django_locale(), min_length=self.min_length)

"""Tests for dataprotect.integrations.django.PasswordStrengthValidator,
run through Django's own password-validation machinery."""

from __future__ import annotations

import pytest


django = pytest.importorskip("django")

from django.conf import settings  # noqa: E402


if not settings.configured:
    settings.configure(
        SECRET_KEY="dataprotect-tests-only",
        INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes"],
        DATABASES={},
        USE_I18N=True,
        LANGUAGE_CODE="en",
    )
    django.setup()

from django.contrib.auth import password_validation  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.exceptions import ValidationError  # noqa: E402
from django.test import SimpleTestCase, override_settings  # noqa: E402
from django.utils import translation  # noqa: E402

from dataprotect.errors import ConfigurationError  # noqa: E402
from dataprotect.integrations.django import PasswordStrengthValidator  # noqa: E402
from dataprotect.strength import BreachedPasswords  # noqa: E402
from dataprotect.strength._messages import MESSAGES  # noqa: E402


NAME = "dataprotect.integrations.django.PasswordStrengthValidator"
VALIDATORS = [
    {
        "NAME": NAME,
        "OPTIONS": {"min_length": 10, "service_names": ["acmecorp"]},
    }
]
STRONG = "plinth rowboat gazebo nectar"


def codes(exc: ValidationError) -> list[str]:
    return [e.code for e in exc.error_list]


@override_settings(AUTH_PASSWORD_VALIDATORS=VALIDATORS)
class TestDjangoValidator(SimpleTestCase):
    """validate_password with the validator configured in settings."""

    def setUp(self):
        self.user = User(
            username="alice",
            first_name="Alice",
            email="alice.smith@example.com",
        )

    def test_strong_password_passes(self):
        """A strong passphrase raises nothing."""
        password_validation.validate_password(STRONG, user=self.user)

    def test_violations_become_validation_errors(self):
        """Every failed rule is one error with a password_* code."""
        with pytest.raises(ValidationError) as info:
            password_validation.validate_password("qwertyuiop", user=self.user)
        assert codes(info.value) == ["password_blocklisted"]
        with pytest.raises(ValidationError) as info:
            password_validation.validate_password("short", user=self.user)
        assert "password_too_short" in codes(info.value)
        assert "Use at least 10 characters." in info.value.messages

    def test_user_attributes_and_service_are_context(self):
        """The user's name and email and the service name are context."""
        for password in (
            "alice.smith1984",
            "AcmeCorp2024!!",
            "example.com123",
        ):
            with pytest.raises(ValidationError) as info:
                password_validation.validate_password(password, user=self.user)
            assert "password_context" in codes(info.value), password
        # Without a user only the service name is context.
        password_validation.validate_password(STRONG)

    def test_too_guessable(self):
        """A low score without a rule violation gives password_too_guessable."""
        with pytest.raises(ValidationError) as info:
            password_validation.validate_password(
                "qwertzuiopasdf", user=self.user
            )
        assert codes(info.value) == ["password_too_guessable"]
        assert info.value.messages[0].startswith(MESSAGES["too_guessable"][0])

    def test_too_guessable_names_the_pattern(self):
        """The estimator's warning is part of the too-guessable message."""
        with pytest.raises(ValidationError) as info:
            password_validation.validate_password(
                "1985-06-23abc", user=self.user
            )
        assert codes(info.value) == ["password_too_guessable"]
        (message,) = info.value.messages
        assert message.startswith(MESSAGES["too_guessable"][0])
        assert "Dates are often easy to guess." in message
        assert "1985-06-23abc" not in message

    def test_messages_follow_active_language(self):
        """Messages and help text use Django's active language."""
        for index, language in enumerate(("en", "de", "fr", "it")):
            with translation.override(language):
                with pytest.raises(ValidationError) as info:
                    password_validation.validate_password("qwertyuiop")
                assert info.value.messages == [MESSAGES["blocklisted"][index]]
                help_texts = (
                    password_validation.password_validators_help_texts()
                )
                assert help_texts == [
                    MESSAGES["help_text"][index].format(min_length=10)
                ]

    def test_unsupported_language_falls_back_to_english(self):
        """A language without a catalogue gets English."""
        with (
            translation.override("es"),
            pytest.raises(ValidationError) as info,
        ):
            password_validation.validate_password("qwertyuiop")
        assert info.value.messages == [MESSAGES["blocklisted"][0]]


class TestDjangoValidatorOptions(SimpleTestCase):
    """OPTIONS are checked once, when Django builds the validators."""

    def test_breached_list(self):
        """breached_path makes a breached password fail."""
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            BreachedPasswords.build(tmp, ["Zq8#vL2!rT9@mK"])
            validators = password_validation.get_password_validators(
                [{"NAME": NAME, "OPTIONS": {"breached_path": tmp}}]
            )
            with pytest.raises(ValidationError) as info:
                password_validation.validate_password(
                    "Zq8#vL2!rT9@mK", password_validators=validators
                )
        assert codes(info.value) == ["password_breached"]

    def test_bad_options(self):
        """An impossible policy is a ConfigurationError at start-up."""
        with pytest.raises(ConfigurationError):
            password_validation.get_password_validators(
                [{"NAME": NAME, "OPTIONS": {"min_length": 4}}]
            )
        with pytest.raises(ConfigurationError):
            PasswordStrengthValidator(breached_path="/nonexistent/breached")

    def test_no_password_in_errors(self):
        """The password never appears in the error messages."""
        secret = "alice.smith-1984!!"
        validator = PasswordStrengthValidator()
        user = User(username="alice.smith")
        with pytest.raises(ValidationError) as info:
            validator.validate(secret, user=user)
        assert all(secret not in m for m in info.value.messages)
        assert secret not in repr(info.value)

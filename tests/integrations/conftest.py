"""Django is configured once per process: one settings object for every
Django test module (hasher, validator, rate limiting)."""

from __future__ import annotations

import types


try:
    import django

    from django.conf import settings
except ImportError:  # pragma: no cover - Django-less runs skip those modules
    django = None

if django is not None and not settings.configured:
    _urls = types.ModuleType("dataprotect_test_urls")
    _urls.urlpatterns = []  # type: ignore[attr-defined]
    settings.configure(
        DEBUG=False,
        SECRET_KEY="dataprotect-tests-only",
        ALLOWED_HOSTS=["testserver"],
        INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes"],
        # In-memory SQLite for the encrypted model field's tests.
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": ":memory:",
            }
        },
        MIDDLEWARE=[],
        ROOT_URLCONF=_urls,
        USE_I18N=True,
        USE_TZ=True,
        LANGUAGE_CODE="en",
    )
    django.setup()

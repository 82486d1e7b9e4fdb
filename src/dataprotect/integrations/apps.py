"""The Django app of dataprotect's integrations: its template tags
(``{% load dataprotect_feedback %}``) and static files.

Add ``"dataprotect.integrations"`` to ``INSTALLED_APPS``; the app label is
``dataprotect``.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from django.apps import AppConfig


__all__ = ["DataProtectConfig"]


class DataProtectConfig(AppConfig):  # type: ignore[misc]  # Django is untyped
    """The app: label ``dataprotect``.

    .. versionadded:: 0.1.0
    """

    name = "dataprotect.integrations"
    label = "dataprotect"
    verbose_name = "dataprotect"
    default_auto_field = "django.db.models.AutoField"

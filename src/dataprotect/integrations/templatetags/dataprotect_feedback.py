"""``{% load dataprotect_feedback %}``: the password-feedback widget in a
Django template.

``{% password_feedback_assets %}`` puts the widget's style sheet and
script in the page; ``{% password_feedback "id_password1" inputs="id_username
id_email" %}`` draws the meter and the live region for that password field
and attaches the widget.  The URLs are reversed from
:func:`dataprotect.integrations.django.password_feedback_urls`; the CSRF
token comes from the template's request.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from typing import Any

from django import template
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString


__all__ = ["password_feedback", "password_feedback_assets", "register"]

register = template.Library()


@register.simple_tag  # type: ignore[untyped-decorator]  # Django is untyped
def password_feedback_assets() -> SafeString:
    """The ``<link>`` and ``<script type="module">`` of the widget.

    .. versionadded:: 0.1.0
    """
    return format_html(
        '<link rel="stylesheet" href="{}">'
        '<script type="module" src="{}"></script>',
        reverse("password-feedback-css"),
        reverse("password-feedback-js"),
    )


@register.simple_tag(takes_context=True)  # type: ignore[untyped-decorator]  # Django is untyped
def password_feedback(
    context: Any, input_id: str, inputs: str = "", locale: str = ""
) -> SafeString:
    """The widget's container for the password field *input_id*.

    Args:
        context: The template context (its ``request`` gives the CSRF
            token).
        input_id: The ``id`` of the ``<input type="password">``.
        inputs: Space-separated ids of fields whose values are context
            words (user name, email).
        locale: The language; default Django's active one.

    .. versionadded:: 0.1.0
    """
    request = context.get("request")
    csrf = "" if request is None else get_token(request)
    return format_html(
        '<div class="dp-password-feedback" data-password-feedback-for="{}"'
        ' data-endpoint="{}" data-inputs="{}" data-locale="{}"'
        ' data-csrf-token="{}"></div>',
        input_id,
        reverse("password-feedback"),
        inputs,
        locale or translation.get_language() or "en",
        csrf,
    )

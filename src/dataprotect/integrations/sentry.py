"""Sentry hooks that pseudonymise events and breadcrumbs before sending.

::

    p = Pseudonymiser(key=key)
    sentry_sdk.init(
        dsn=...,
        send_default_pii=False,
        before_send=before_send(p),
        before_breadcrumb=before_breadcrumb(p),
    )

``before_send`` walks the whole event: message, log entry, exception
values, stack frame variables, request (URL, query string, headers,
cookies, body), user, tags, extra, contexts and the breadcrumbs attached
to it.  ``before_breadcrumb`` cleans breadcrumbs as they are recorded, so
they never sit in memory unpseudonymised.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dataprotect.errors import MissingDependencyError
from dataprotect.pseudonymise import Pseudonymiser


try:
    import sentry_sdk  # noqa: F401 - imported only to probe the [sentry] extra
except ImportError:  # pragma: no cover - exercised without the extra
    msg = (
        "the Sentry integration needs sentry-sdk: install dataprotect[sentry]"
    )
    raise MissingDependencyError(msg) from None


__all__ = ["before_breadcrumb", "before_send"]

Event = dict[str, Any]
Hint = dict[str, Any]

# Parts of an event that are identifiers and structure, never personal data.
_KEEP = frozenset(
    {
        "event_id", "timestamp", "start_timestamp", "level", "platform",
        "sdk", "release", "environment", "dist", "server_name", "modules",
        "type", "module", "filename", "abs_path", "function", "lineno",
        "colno", "in_app", "trace_id", "span_id", "parent_span_id", "op",
        "logger", "fingerprint", "transaction_info", "mechanism",
    }
)  # fmt: skip


def _clean(p: Pseudonymiser, obj: Any, depth: int = 0) -> Any:
    if depth > 64:
        return "[depth]"
    if isinstance(obj, dict):
        out: dict[Any, Any] = {}
        for key, value in obj.items():
            if key in _KEEP and not isinstance(value, (dict, list)):
                out[key] = value
            elif isinstance(value, (dict, list)):
                out[key] = _clean(p, value, depth + 1)
            else:
                out[key] = (
                    p.walk({key: value})[key]
                    if isinstance(key, str)
                    else p.walk(value)
                )
        return out
    if isinstance(obj, list):
        return [_clean(p, v, depth + 1) for v in obj]
    return p.walk(obj)


def before_send(
    pseudonymiser: Pseudonymiser,
) -> Callable[[Event, Hint], Event]:
    """A ``before_send`` hook that pseudonymises the whole event.

    .. versionadded:: 0.1.0
    """

    def hook(event: Event, hint: Hint) -> Event:  # noqa: ARG001 - the signature Sentry calls
        cleaned: Event = _clean(pseudonymiser, event)
        return cleaned

    return hook


def before_breadcrumb(
    pseudonymiser: Pseudonymiser,
) -> Callable[[dict[str, Any], Hint], dict[str, Any]]:
    """A ``before_breadcrumb`` hook that pseudonymises each breadcrumb.

    .. versionadded:: 0.1.0
    """

    def hook(crumb: dict[str, Any], hint: Hint) -> dict[str, Any]:  # noqa: ARG001 - the signature Sentry calls
        cleaned: dict[str, Any] = _clean(pseudonymiser, crumb)
        return cleaned

    return hook

"""A structlog processor that pseudonymises every event dict.

Add it after :func:`structlog.processors.format_exc_info` (so exception
text is covered) and before the renderer::

    structlog.configure(processors=[
        structlog.processors.add_log_level,
        structlog.processors.format_exc_info,
        PseudonymisingProcessor(Pseudonymiser(key=key)),
        structlog.processors.JSONRenderer(),
    ])
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from dataprotect.errors import MissingDependencyError
from dataprotect.pseudonymise import Pseudonymiser


try:
    import structlog  # noqa: F401 - imported only to probe the [structlog] extra
except ImportError:  # pragma: no cover - exercised without the extra
    msg = "the structlog integration needs structlog: install dataprotect[structlog]"
    raise MissingDependencyError(msg) from None


__all__ = ["PseudonymisingProcessor"]


class PseudonymisingProcessor:
    """A structlog processor applying a :class:`Pseudonymiser`.

    Every string value (the event message included) is pseudonymised;
    values under sensitive keys (``password``, ``email``, ``name``...) are
    replaced whole; nested dicts and lists are walked.  Keys are kept.

    Args:
        pseudonymiser: The rules and key to apply.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_p",)

    def __init__(self, pseudonymiser: Pseudonymiser) -> None:
        self._p = pseudonymiser

    def __call__(
        self,
        logger: Any,  # noqa: ARG002 - the signature structlog calls
        method_name: str,  # noqa: ARG002 - the signature structlog calls
        event_dict: MutableMapping[str, Any],
    ) -> MutableMapping[str, Any]:
        """Return *event_dict* with its values pseudonymised."""
        walked: dict[str, Any] = self._p.walk(dict(event_dict))
        event_dict.clear()
        event_dict.update(walked)
        return event_dict

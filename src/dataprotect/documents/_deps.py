"""Imports of the ``[pdf]`` extra, with one clear error when it is missing."""

from __future__ import annotations

from dataprotect.errors import MissingDependencyError


__all__ = ["require_pyhanko"]


def require_pyhanko() -> None:
    """Raise :class:`MissingDependencyError` unless pyHanko is importable."""
    try:
        import pyhanko  # noqa: F401 - imported only to probe the [pdf] extra
        import pyhanko_certvalidator  # noqa: F401 - imported only to probe the [pdf] extra
    except ImportError:
        msg = "PDF signatures need pyHanko: install dataprotect[pdf]"
        raise MissingDependencyError(msg) from None

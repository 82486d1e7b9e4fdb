"""Thin adapters between dataprotect and web frameworks and tools.

Each module imports its framework at import time and raises
:class:`~dataprotect.errors.MissingDependencyError` naming the extra to
install when it is missing; nothing here is imported by ``dataprotect``.
"""

from __future__ import annotations

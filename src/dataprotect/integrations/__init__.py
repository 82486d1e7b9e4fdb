"""Thin adapters that plug dataprotect into web frameworks and tools.

Each module imports its framework at import time and raises
:class:`~dataprotect.errors.MissingDependencyError` naming the extra to
install when it is missing (``dataprotect[django]``, ``[flask]``,
``[starlette]``, ``[fastapi]``...); nothing here is imported by
``dataprotect`` itself.
"""

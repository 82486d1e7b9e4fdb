"""Shared fixtures: Hypothesis profiles and real services.

Real services (redis-server, sshd, SoftHSM2, the age CLI, pdfsig) run as
subprocesses on loopback.  A missing binary fails the run in CI (``CI`` set)
and skips with a reason on a developer's machine.
"""

from __future__ import annotations

import os
import shutil

import pytest

from hypothesis import HealthCheck, settings


settings.register_profile(
    "dev", max_examples=50, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "ci", max_examples=200, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

IN_CI = bool(os.environ.get("CI"))


def require_binary(name: str, *candidates: str) -> str:
    """The path of binary *name*; fail in CI, skip elsewhere, if missing."""
    for candidate in (name, *candidates):
        path = shutil.which(candidate) or (
            candidate if os.path.isfile(candidate) and os.access(candidate, os.X_OK) else None
        )
        if path:
            return path
    reason = f"{name} is not installed (CI installs it in .ci/run)"
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)
    raise AssertionError  # unreachable


def require_file(path: str, what: str) -> str:
    """*path* if it exists; fail in CI, skip elsewhere."""
    if os.path.exists(path):
        return path
    reason = f"{what} not found at {path} (CI installs it in .ci/run)"
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)
    raise AssertionError  # unreachable

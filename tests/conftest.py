"""Shared fixtures: Hypothesis profiles and real services.

Real services (redis-server, sshd, SoftHSM2, the age CLI, pdfsig) run as
subprocesses on loopback, started by fixtures with the helpers in
``tests/helpers.py``.
"""

from __future__ import annotations

import os

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

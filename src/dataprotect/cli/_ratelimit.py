"""Rate limiting in the ``dataprotect demo`` tour (no command of its own)."""

from __future__ import annotations

import os

from pathlib import Path

import click

from dataprotect.errors import RateLimitExceeded
from dataprotect.ratelimit import LoginThrottle, RateLimiter


__all__ = ["demo_step"]


class _Clock:
    """A hand-moved clock, so the demo needs no sleeping."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def demo_step(workdir: Path) -> None:  # noqa: ARG001 - the demo interface
    """Show a login throttle refusing a guesser but not the account owner."""
    clock = _Clock()
    throttle = LoginThrottle(
        RateLimiter("memory://", clock=clock),
        per_pair="3/15 minutes",
        per_account="6/hour",
        backoff=0,
        device_cookie_key=os.urandom(32),
    )
    cookie = throttle.issue_device_cookie("alice")
    click.echo("  alice logged in before and holds a signed device cookie")
    attempts = 0
    for i in range(4):
        try:
            throttle.check("Alice", "203.0.113.9")
        except RateLimitExceeded as exc:
            click.echo(
                f"  attempt {i + 1} from 203.0.113.9: 429, "
                f"Retry-After {exc.retry_after:.0f} s"
            )
            break
        throttle.record_failure("Alice", "203.0.113.9")
        attempts += 1
    click.echo(
        f"  a guesser got {attempts} wrong passwords in, then was throttled"
    )
    for i in range(6):
        throttle.record_failure("alice", f"198.51.100.{i}")
    try:
        throttle.check("alice", "192.0.2.1")
    except RateLimitExceeded:
        click.echo(
            "  a botnet exhausted the account limit for unknown devices"
        )
    throttle.check("alice", "192.0.2.1", device_cookie=cookie)
    click.echo(
        "  alice's own device still gets through (OWASP device cookies)"
    )
    clock.now += 3600
    throttle.check("alice", "192.0.2.1")
    click.echo("  an hour later every limit has expired: no permanent lockout")

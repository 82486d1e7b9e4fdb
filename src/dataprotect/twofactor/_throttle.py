"""Rate limiting of second-factor attempts through LoginThrottle.

Re-exported, and documented, by :mod:`dataprotect.twofactor`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING


if TYPE_CHECKING:
    from dataprotect.ratelimit import LoginThrottle, Rate, RateLimiter


__all__ = ["second_factor_throttle"]


def second_factor_throttle(
    limiter: RateLimiter | None = None,
    *,
    per_pair: Rate = "5/15 minutes",
    per_account: Rate = "10/hour",
    per_ip: Rate = "50/hour",
    backoff: int = 2,
    backoff_after: int = 3,
    backoff_max: int = 900,
) -> LoginThrottle:
    """A :class:`~dataprotect.ratelimit.LoginThrottle` for second factors.

    Its counts are kept apart from the password login's (scope ``"2fa"``)
    even in a shared limiter, so a correct password never resets the
    failures of a code, and its defaults are tighter: a 6-digit code
    accepted within ±1 time step is guessed with probability 3 in a million
    per try, so the per-account limit is what bounds an attacker who has
    the password, whichever addresses it comes from.  Use it for TOTP,
    HOTP and recovery codes alike::

        throttle.check(username, ip)           # raises RateLimitExceeded
        ok, record = totp.verify(record, code, context=ctx)
        if ok:
            throttle.record_success(username, ip)
        else:
            throttle.record_failure(username, ip)

    Args:
        limiter: Where counts live (default: a ``memory://`` limiter); may
            be the one the password throttle uses.
        per_pair: Failures allowed per (account, address).
        per_account: Failures allowed per account, from any address.
        per_ip: Failures allowed per address.
        backoff: First back-off delay in seconds after *backoff_after*
            consecutive failures of a pair, doubling up to *backoff_max*.
        backoff_after: Consecutive failures allowed before back-off.
        backoff_max: Longest back-off delay in seconds.

    Raises:
        dataprotect.errors.MissingDependencyError: ``limits`` is not
            installed (``dataprotect[ratelimit]``).
        dataprotect.errors.ConfigurationError: A rate or delay is invalid.

    .. versionadded:: 0.1.0
    """
    from dataprotect.ratelimit import LoginThrottle

    return LoginThrottle(
        limiter,
        per_pair=per_pair,
        per_account=per_account,
        per_ip=per_ip,
        backoff=backoff,
        backoff_after=backoff_after,
        backoff_max=backoff_max,
        scope="2fa",
    )

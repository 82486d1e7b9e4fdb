"""Tests for rate limiting second-factor attempts through LoginThrottle."""

from __future__ import annotations

import pytest

from dataprotect import Encryptor, Keyring
from dataprotect.errors import ConfigurationError, RateLimitExceeded
from dataprotect.ratelimit import LoginThrottle, RateLimiter
from dataprotect.twofactor import TOTP, second_factor_throttle


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(name="limiter")
def _limiter():
    clock = _Clock()
    return RateLimiter("memory://", clock=clock), clock


def _fail(throttle, times, user="alice", ip="192.0.2.1"):
    for _ in range(times):
        throttle.check(user, ip)
        throttle.record_failure(user, ip)


class TestSecondFactorThrottle:
    def test_guessing_codes_is_throttled(self, limiter):
        """Wrong TOTP codes are counted; after five per pair the attempt
        must wait, even with the right code."""
        lim, _ = limiter
        throttle = second_factor_throttle(lim, backoff=0)
        assert isinstance(throttle, LoginThrottle)
        totp = TOTP(Encryptor(Keyring.generate()))
        record = totp.new(context=b"alice")
        for guess in ("000000", "111111", "222222", "333333", "444444"):
            throttle.check("alice", "192.0.2.1")
            ok, record = totp.verify(record, guess, context=b"alice", now=50)
            if not ok:
                throttle.record_failure("alice", "192.0.2.1")
        with pytest.raises(RateLimitExceeded) as info:
            throttle.check("alice", "192.0.2.1")
        assert 0 < info.value.retry_after <= 15 * 60

    def test_account_limit_across_addresses(self, limiter):
        """Ten failures per hour per account, from any addresses."""
        lim, clock = limiter
        throttle = second_factor_throttle(lim, backoff=0)
        for i in range(10):
            _fail(throttle, 1, ip=f"198.51.100.{i}")
        with pytest.raises(RateLimitExceeded):
            throttle.check("alice", "203.0.113.7")
        clock.now += 3601
        throttle.check("alice", "203.0.113.7")

    def test_apart_from_the_password_throttle(self, limiter):
        """In a shared limiter, password and code failures count apart, and
        a correct password never resets the code failures."""
        lim, _ = limiter
        passwords = LoginThrottle(lim, backoff=0)
        codes = second_factor_throttle(lim, backoff=0)
        _fail(codes, 5)
        passwords.check("alice", "192.0.2.1")
        passwords.record_success("alice", "192.0.2.1")
        with pytest.raises(RateLimitExceeded):
            codes.check("alice", "192.0.2.1")
        _fail(passwords, 9)
        passwords.check("alice", "192.0.2.1")
        codes.record_success("alice", "192.0.2.1")
        codes.check("alice", "192.0.2.1")

    def test_backoff_by_default(self, limiter):
        """After three consecutive failures a pair backs off."""
        lim, clock = limiter
        throttle = second_factor_throttle(lim)
        _fail(throttle, 4)
        with pytest.raises(RateLimitExceeded) as info:
            throttle.check("alice", "192.0.2.1")
        assert info.value.retry_after <= 2
        clock.now += 2.5
        throttle.check("alice", "192.0.2.1")

    def test_default_limiter(self):
        """Without a limiter a memory:// one is made."""
        assert "memory://" in repr(second_factor_throttle().limiter)

    @pytest.mark.parametrize("scope", ["", "2FA", "two-factor", "x" * 33, 2])
    def test_scope_is_checked(self, scope):
        """A LoginThrottle scope is 1 to 32 lower-case letters and digits."""
        with pytest.raises(ConfigurationError, match="scope must be"):
            LoginThrottle(scope=scope)

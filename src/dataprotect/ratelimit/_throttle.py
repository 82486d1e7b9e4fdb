"""LoginThrottle: the brute-force policy for login forms.

Re-exported, and documented, by :mod:`dataprotect.ratelimit`.
"""

# ruff: noqa: SLF001 - LoginThrottle drives its RateLimiter through private methods

from __future__ import annotations

import hmac
import ipaddress
import os
import re
import struct
import time
import unicodedata

from collections.abc import Callable
from typing import cast

from dataprotect import keys
from dataprotect._encoding import b64decode, b64encode
from dataprotect._secret import Secret, Unpicklable
from dataprotect.errors import (
    BackendError,
    ConfigurationError,
    RateLimitExceeded,
)
from dataprotect.keys import Keyring
from dataprotect.ratelimit._limiter import (
    _FAIL_CLOSED_RETRY,
    Rate,
    RateLimiter,
    _Limit,
    _secret_bytes,
)


__all__ = ["LoginThrottle"]


def _normalise_user(username: str) -> str:
    if not isinstance(cast("object", username), str):
        msg = "username must be str"
        raise TypeError(msg)
    nfkc = unicodedata.normalize
    # Strip after normalising: NFKC can turn a character into a space
    # followed by a combining mark (U+00B8 -> U+0020 U+0327).
    return nfkc("NFKC", nfkc("NFKC", username).casefold()).strip()


def _normalise_ip(ip: str) -> str:
    if not isinstance(cast("object", ip), str):
        msg = "ip must be str"
        raise TypeError(msg)
    try:
        addr = ipaddress.ip_address(ip.strip())
    except ValueError:
        return ip.strip()
    if isinstance(addr, ipaddress.IPv6Address):
        if addr.ipv4_mapped is not None:
            return str(addr.ipv4_mapped)
        # One subscriber usually holds a whole /64.
        return str(ipaddress.ip_network(f"{addr}/64", strict=False))
    return str(addr)


_SCOPE_RE = re.compile(r"[a-z0-9]{1,32}")
_COOKIE_PREFIX = "dpdc1."
_COOKIE_CONTEXT = b"dataprotect/device-cookie/v1\x00"
_COOKIE_LEN = 16 + 8 + 32  # nonce, issued-at (u64 seconds), tag


class LoginThrottle(Unpicklable):
    """Slow down password guessing without letting attackers lock users out.

    Counts *failed* logins per (account, address) pair, per account and per
    address, with :class:`RateLimiter` (moving window).  The pair limit is
    the tightest, so an attacker guessing one account from one address is
    stopped long before the account limit would also slow its owner; after
    consecutive failures of a pair it must also wait an exponentially
    growing delay (``backoff`` seconds doubling up to ``backoff_max``).  A
    success resets the pair and its back-off.  Every limit expires: there is
    no permanent lockout.

    With ``device_cookie_key`` set, :meth:`issue_device_cookie` gives a
    browser that logged in successfully a signed cookie (OWASP "device
    cookies"); attempts presenting a valid cookie for that account are
    limited per cookie (``per_device``) instead of by the pair, account and
    address limits, so an attack on an account does not lock out its owner's
    devices.

    Usernames are normalised (NFKC, case folded, trimmed) so variants share a
    count; IPv6 addresses count per /64.  The storage holds only keyed hashes.

    Args:
        limiter: Where counts live (default: a ``memory://`` limiter).  Its
            ``fail_mode`` applies: ``"closed"`` (default) refuses logins
            while the storage is down.
        per_pair: Failures allowed per (account, address).
        per_account: Failures allowed per account, from untrusted clients.
        per_ip: Failures allowed per address (password spraying).
        per_device: Failures allowed per device cookie.
        backoff: First back-off delay in seconds after consecutive failures
            of a pair (0 disables back-off).
        backoff_after: Consecutive failures allowed before back-off starts.
        backoff_max: Longest back-off delay in seconds.
        device_cookie_key: A :class:`~dataprotect.keys.Keyring` (its subkey
            under HKDF label ``dataprotect/v1/device-cookie`` signs) or a
            32+ byte HMAC key.  ``None`` disables device cookies.
        device_cookie_max_age: Seconds a device cookie stays valid.
        now: Wall-clock source for device-cookie times (default
            :func:`time.time`).
        scope: Names what is throttled: throttles of different scopes keep
            apart counts in a shared limiter (``"2fa"`` for second-factor
            attempts, see :func:`dataprotect.twofactor.second_factor_throttle`).

    .. versionadded:: 0.1.0
    """

    __slots__ = (
        "_backoff",
        "_backoff_after",
        "_backoff_max",
        "_cookie_key",
        "_limiter",
        "_max_age",
        "_now",
        "_rates",
        "_scope",
    )

    def __init__(
        self,
        limiter: RateLimiter | None = None,
        *,
        per_pair: Rate = "10/15 minutes",
        per_account: Rate = "100/hour",
        per_ip: Rate = "200/hour",
        per_device: Rate = "10/15 minutes",
        backoff: int = 1,
        backoff_after: int = 3,
        backoff_max: int = 300,
        device_cookie_key: Keyring | bytes | None = None,
        device_cookie_max_age: int = 180 * 86400,
        now: Callable[[], float] | None = None,
        scope: str = "login",
    ) -> None:
        if not isinstance(
            cast("object", scope), str
        ) or not _SCOPE_RE.fullmatch(scope):
            msg = "scope must be 1 to 32 lower-case ASCII letters and digits"
            raise ConfigurationError(msg)
        self._scope = scope
        self._limiter = limiter or RateLimiter()
        self._rates = {
            "pair": self._limiter._limit(per_pair),
            "account": self._limiter._limit(per_account),
            "ip": self._limiter._limit(per_ip),
            "device": self._limiter._limit(per_device),
        }
        if backoff < 0 or backoff_after < 0 or backoff_max < backoff:
            msg = "backoff values must be >= 0 and backoff_max >= backoff"
            raise ConfigurationError(msg)
        self._backoff = int(backoff)
        self._backoff_after = int(backoff_after)
        self._backoff_max = int(backoff_max)
        self._max_age = int(device_cookie_max_age)
        self._now = now or time.time
        if device_cookie_key is None:
            self._cookie_key: Secret | None = None
        elif isinstance(device_cookie_key, Keyring):
            self._cookie_key = Secret(
                keys.subkey(
                    device_cookie_key,
                    device_cookie_key.primary_id,
                    "device-cookie",
                ),
                label="device-cookie",
            )
        else:
            self._cookie_key = Secret(
                _secret_bytes(device_cookie_key), label="device-cookie"
            )

    def __repr__(self) -> str:
        return f"<LoginThrottle {self._limiter!r}>"

    @property
    def limiter(self) -> RateLimiter:
        """The limiter holding the counts."""
        return self._limiter

    # -- device cookies ------------------------------------------------------

    def _tag(self, nonce: bytes, issued: int, user: str) -> bytes:
        assert self._cookie_key is not None  # noqa: S101 - narrows the type: callers checked it
        return hmac.digest(
            self._cookie_key.reveal(),
            _COOKIE_CONTEXT
            + nonce
            + struct.pack(">Q", issued)
            + user.encode("utf-8", "surrogatepass"),
            "sha256",
        )

    def issue_device_cookie(self, username: str) -> str:
        """A signed device cookie for *username*, after a successful login.

        Store it in a ``Secure; HttpOnly; SameSite=Lax`` cookie and pass it
        back to :meth:`check`, :meth:`record_failure` and
        :meth:`record_success`.

        Raises:
            ConfigurationError: No ``device_cookie_key`` was given.

        .. versionadded:: 0.1.0
        """
        if self._cookie_key is None:
            msg = "device cookies need device_cookie_key"
            raise ConfigurationError(msg)
        return self._encode_cookie(os.urandom(16), int(self._now()), username)

    def _encode_cookie(self, nonce: bytes, issued: int, username: str) -> str:
        tag = self._tag(nonce, issued, _normalise_user(username))
        raw = nonce + struct.pack(">Q", issued) + tag
        return _COOKIE_PREFIX + b64encode(raw)

    def _device(  # noqa: PLR0911 - one early return per way a cookie is invalid
        self, username: str, cookie: str | None
    ) -> bytes | None:
        """The cookie's nonce if it is valid for *username*, else None."""
        if cookie is None or self._cookie_key is None:
            return None
        if not isinstance(
            cast("object", cookie), str
        ) or not cookie.startswith(_COOKIE_PREFIX):
            return None
        body = cookie[len(_COOKIE_PREFIX) :]
        try:
            raw = b64decode(body)
        except ValueError:
            return None
        if len(raw) != _COOKIE_LEN:
            return None
        nonce, issued_b, tag = raw[:16], raw[16:24], raw[24:]
        (issued,) = struct.unpack(">Q", issued_b)
        expected = self._tag(nonce, issued, _normalise_user(username))
        if not hmac.compare_digest(tag, expected):
            return None
        age = self._now() - issued
        if age < -300 or age > self._max_age:
            return None
        return nonce

    # -- the policy --------------------------------------------------------

    def _keys(
        self, username: str, ip: str, device: bytes | None
    ) -> list[tuple[_Limit, str]]:
        lim = self._limiter
        if device is not None:
            return [
                (
                    self._rates["device"],
                    lim._ident((f"{self._scope}-device", device)),
                )
            ]
        user = _normalise_user(username)
        addr = _normalise_ip(ip)
        return [
            (
                self._rates["pair"],
                lim._ident((f"{self._scope}-pair", user, addr)),
            ),
            (
                self._rates["account"],
                lim._ident((f"{self._scope}-account", user)),
            ),
            (self._rates["ip"], lim._ident((f"{self._scope}-ip", addr))),
        ]

    def _pair_keys(self, username: str, ip: str) -> tuple[str, str]:
        ident = self._limiter._ident(
            (
                f"{self._scope}-backoff",
                _normalise_user(username),
                _normalise_ip(ip),
            )
        )
        # One hash tag: in a Redis Cluster both keys of a pair live in one
        # slot, so an operation on both never fails with CROSSSLOT.
        return f"{{{ident}}}/streak", f"{{{ident}}}/wait"

    def check(
        self, username: str, ip: str, *, device_cookie: str | None = None
    ) -> None:
        """Raise if a login attempt by *username* from *ip* must wait.

        Call before verifying the password.  The exception never says which
        limit fired.

        Raises:
            RateLimitExceeded: The attempt must wait ``retry_after`` seconds
                (also when the storage is down and the fail mode is
                ``"closed"``).

        .. versionadded:: 0.1.0
        """
        lim = self._limiter
        device = self._device(username, device_cookie)
        try:
            waits = [
                w
                for limit, ident in self._keys(username, ip, device)
                if (w := lim._test(limit, ident)) is not None
            ]
            if device is None and self._backoff:
                _, wait_key = self._pair_keys(username, ip)
                storage = lim._storage
                if lim._call(lambda: storage.get(wait_key)):
                    expires = lim._call(lambda: storage.get_expiry(wait_key))
                    waits.append(
                        min(
                            max(expires - lim._clock(), 0.001),
                            self._backoff_max,
                        )
                    )
        except BackendError as exc:
            if lim._fail(exc):
                return
            raise RateLimitExceeded(_FAIL_CLOSED_RETRY) from None
        lim._storage_answered()
        if waits:
            raise RateLimitExceeded(max(waits))

    def record_failure(
        self, username: str, ip: str, *, device_cookie: str | None = None
    ) -> None:
        """Count a failed login by *username* from *ip*.

        Never raises for a storage failure (it is logged, once per outage).

        .. versionadded:: 0.1.0
        """
        lim = self._limiter
        device = self._device(username, device_cookie)
        try:
            for limit, ident in self._keys(username, ip, device):
                lim._hit(limit, ident, 1, retry=False)
            if device is None and self._backoff:
                streak_key, wait_key = self._pair_keys(username, ip)
                storage = lim._storage
                streak = lim._call(lambda: storage.incr(streak_key, 86400))
                over = streak - self._backoff_after
                if over > 0:
                    delay = min(
                        self._backoff_max,
                        self._backoff * 2 ** min(over - 1, 30),
                    )
                    lim._call(lambda: storage.clear(wait_key))
                    lim._call(lambda: storage.incr(wait_key, delay))
        except BackendError as exc:
            lim._storage_failed(exc, "login failure not recorded")
        else:
            lim._storage_answered()

    def record_success(
        self, username: str, ip: str, *, device_cookie: str | None = None
    ) -> None:
        """Reset the pair's (or device's) count and back-off after a login.

        The per-account and per-address counts are kept, so an attacker
        cannot refill them by logging into an account of its own.  Never
        raises for a storage failure (it is logged, once per outage).

        .. versionadded:: 0.1.0
        """
        lim = self._limiter
        device = self._device(username, device_cookie)
        try:
            limit, ident = self._keys(username, ip, device)[0]
            lim._call(lambda: lim._strategy.clear(limit.item, ident))
            if device is None:
                streak_key, wait_key = self._pair_keys(username, ip)
                storage = lim._storage
                lim._call(lambda: storage.clear(streak_key))
                lim._call(lambda: storage.clear(wait_key))
        except BackendError as exc:
            lim._storage_failed(exc, "login success not recorded")
        else:
            lim._storage_answered()

    async def acheck(
        self, username: str, ip: str, *, device_cookie: str | None = None
    ) -> None:
        """:meth:`check` for async code (Redis through the async client).

        Raises:
            RateLimitExceeded: As :meth:`check`.

        .. versionadded:: 0.1.0
        """
        lim = self._limiter
        if lim._kind == "memory":
            self.check(username, ip, device_cookie=device_cookie)
            return
        device = self._device(username, device_cookie)
        try:
            waits = [
                w
                for limit, ident in self._keys(username, ip, device)
                if (w := await lim._atest(limit, ident)) is not None
            ]
            if device is None and self._backoff:
                _, wait_key = self._pair_keys(username, ip)
                if await lim._astorage("get", wait_key):
                    expires = await lim._astorage("get_expiry", wait_key)
                    waits.append(
                        min(
                            max(float(expires) - lim._clock(), 0.001),
                            self._backoff_max,
                        )
                    )
        except BackendError as exc:
            if lim._fail(exc):
                return
            raise RateLimitExceeded(_FAIL_CLOSED_RETRY) from None
        lim._storage_answered()
        if waits:
            raise RateLimitExceeded(max(waits))

    async def arecord_failure(
        self, username: str, ip: str, *, device_cookie: str | None = None
    ) -> None:
        """:meth:`record_failure` for async code.

        .. versionadded:: 0.1.0
        """
        lim = self._limiter
        if lim._kind == "memory":
            self.record_failure(username, ip, device_cookie=device_cookie)
            return
        device = self._device(username, device_cookie)
        try:
            for limit, ident in self._keys(username, ip, device):
                await lim._ahit(limit, ident, 1)
            if device is None and self._backoff:
                streak_key, wait_key = self._pair_keys(username, ip)
                streak = int(await lim._astorage("incr", streak_key, 86400))
                over = streak - self._backoff_after
                if over > 0:
                    delay = min(
                        self._backoff_max,
                        self._backoff * 2 ** min(over - 1, 30),
                    )
                    await lim._astorage("clear", wait_key)
                    await lim._astorage("incr", wait_key, delay)
        except BackendError as exc:
            lim._storage_failed(exc, "login failure not recorded")
        else:
            lim._storage_answered()

    async def arecord_success(
        self, username: str, ip: str, *, device_cookie: str | None = None
    ) -> None:
        """:meth:`record_success` for async code.

        .. versionadded:: 0.1.0
        """
        lim = self._limiter
        if lim._kind == "memory":
            self.record_success(username, ip, device_cookie=device_cookie)
            return
        device = self._device(username, device_cookie)
        try:
            limit, ident = self._keys(username, ip, device)[0]
            await lim._aclear(limit, ident)
            if device is None:
                streak_key, wait_key = self._pair_keys(username, ip)
                await lim._astorage("clear", streak_key)
                await lim._astorage("clear", wait_key)
        except BackendError as exc:
            lim._storage_failed(exc, "login success not recorded")
        else:
            lim._storage_answered()

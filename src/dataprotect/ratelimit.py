"""Rate limiting and login throttling, built on the ``limits`` library.

:class:`RateLimiter` counts hits per key in a storage chosen by URI
(``memory://`` for one process, ``redis://``/``valkey://`` and their
cluster and sentinel variants for a fleet), with ``limits``' strategies.
:func:`rate_limit` decorates sync and async functions.
:class:`LoginThrottle` is the brute-force policy for login forms: per
(account, address) pair first, then per account and per address, with
exponential back-off, reset on success, optional device cookies, and no
permanent lockout.

Keys never reach the storage in clear: each is an HMAC-SHA-256 under a
subkey of your key material (or of a random per-instance key for
``memory://``), so a dump of Redis shows no usernames or addresses.

Requires ``dataprotect[ratelimit]`` (``limits``); Redis storages also need
``dataprotect[redis]``, Valkey storages ``dataprotect[valkey]``.
"""

# LoginThrottle drives its RateLimiter through private methods (one module).
# ruff: noqa: SLF001

from __future__ import annotations

import asyncio
import functools
import hmac
import importlib
import inspect
import ipaddress
import logging
import math
import os
import re
import struct
import threading
import time
import unicodedata
import urllib.parse
import weakref

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from dataprotect import _kdf
from dataprotect._encoding import b64decode, b64encode
from dataprotect._secret import Secret, Unpicklable
from dataprotect.errors import (
    BackendError,
    ConfigurationError,
    MissingDependencyError,
    RateLimitExceeded,
)
from dataprotect.keys import Keyring


try:
    import limits
    import limits.errors
    import limits.strategies

    from limits import RateLimitItem
    from limits.storage import storage_from_string
except ImportError:  # pragma: no cover - exercised without the extra
    msg = "rate limiting needs limits: install dataprotect[ratelimit]"
    raise MissingDependencyError(msg) from None

from dataprotect._ratelimit_memory import LockingMemoryStorage


if TYPE_CHECKING:
    import limits.aio.strategies

    _AioStrategy = limits.aio.strategies.RateLimiter


__all__ = [
    "FailMode",
    "KeyPart",
    "LoginThrottle",
    "Rate",
    "RateLimiter",
    "Strategy",
    "rate_limit",
    "redact_uri",
]

logger: logging.Logger = logging.getLogger("dataprotect.ratelimit")

#: A rate: ``"5/minute"``, ``"100 per hour"`` or a ``limits.RateLimitItem``.
Rate = str | RateLimitItem
#: One part of a rate-limit key.
KeyPart = str | bytes | int
#: ``limits``' strategies, by name.
Strategy = Literal["moving-window", "fixed-window", "sliding-window-counter"]
#: What to do when the storage fails: refuse (``"closed"``) or allow.
FailMode = Literal["closed", "open"]

_STRATEGIES: dict[str, type[limits.strategies.RateLimiter]] = {
    "moving-window": limits.strategies.MovingWindowRateLimiter,
    "fixed-window": limits.strategies.FixedWindowRateLimiter,
    "sliding-window-counter": (
        limits.strategies.SlidingWindowCounterRateLimiter
    ),
}

#: Storage URI scheme -> kind.  Only these are offered (and tested).
_SCHEMES: dict[str, str] = {
    "memory": "memory",
    **dict.fromkeys(
        (
            "redis",
            "rediss",
            "redis+unix",
            "redis+cluster",
            "redis+sentinel",
            "valkey",
            "valkeys",
            "valkey+unix",
            "valkey+cluster",
            "valkey+sentinel",
        ),
        "redis",
    ),
}

_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")
_SENSITIVE_QUERY = ("pass", "pwd", "secret", "token", "key", "auth", "cred")
#: Seconds a fail-closed refusal asks the client to wait (capped by window).
_FAIL_CLOSED_RETRY = 1.0
_KEY_PREFIX = "dataprotect"
_IDENT_CACHE = 4096
_STRATEGY_TAGS = {
    "moving-window": "mw-",
    "fixed-window": "fw-",
    "sliding-window-counter": "sw-",
}


def redact_uri(uri: str) -> str:
    """Return *uri* with its password (and secret query values) masked.

    ``redis://user:pw@host:6379/0`` becomes
    ``redis://user:[secure]@host:6379/0``, as httpx masks URLs.  A
    password holding an unencoded ``/``, ``?`` or ``#`` hides the ``@``
    from a URL parser; then everything up to the last ``@`` counts as
    credentials (``redis://[secure]@host``), and an ``@`` without a
    ``scheme://`` gives ``[unparsable uri]``.

    Args:
        uri: A storage URI.

    Returns:
        The URI, safe to log.

    .. versionadded:: 0.1.0
    """
    try:
        parts = urllib.parse.urlsplit(uri)
    except ValueError:
        return "[unparsable uri]"
    netloc = parts.netloc
    userinfo, at, hostinfo = netloc.rpartition("@")
    if not at and "@" in uri:
        # The parser found no credentials, yet there is an '@': assume the
        # userinfo hides a delimiter and redact everything before it.
        head, _, tail = uri.rpartition("@")
        scheme, sep, _ = head.partition("://")
        if not sep or not _SCHEME_RE.fullmatch(scheme):
            return "[unparsable uri]"
        rest = redact_uri(f"{scheme}://{tail}")
        return rest.replace("://", "://[secure]@", 1)
    if at:
        user, colon, _ = userinfo.partition(":")
        netloc = (
            f"{user}:[secure]@{hostinfo}" if colon else f"[secure]@{hostinfo}"
        )
    query = parts.query
    if query:
        pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
        query = "&".join(
            f"{k}=[secure]"
            if any(s in k.lower() for s in _SENSITIVE_QUERY)
            else f"{k}={v}"
            for k, v in pairs
        )
    out = f"{parts.scheme}://{netloc}{parts.path}"
    if query:
        out += f"?{query}"
    return out


def _material(secret: bytes | Keyring) -> bytes:
    if isinstance(secret, Keyring):
        return secret._material(secret.primary_id)
    if not isinstance(cast("object", secret), bytes):
        msg = "secret must be bytes or a Keyring"
        raise TypeError(msg)
    if len(secret) < 32:
        msg = "secret must be at least 32 bytes"
        raise ConfigurationError(msg)
    return secret


class _Limit:
    """A parsed rate, cached per limiter."""

    __slots__ = ("expiry", "item")

    def __init__(self, item: RateLimitItem) -> None:
        self.item = item
        self.expiry = item.get_expiry()


class RateLimiter(Unpicklable):
    """Count hits per key and refuse those over a rate.

    Args:
        storage: A storage URI: ``memory://`` (this process; thread-safe and
            exact), ``redis://``, ``rediss://``, ``redis+unix://``,
            ``redis+cluster://``, ``redis+sentinel://`` or the ``valkey``
            equivalents (shared by every process using the same server).
        strategy: ``"moving-window"`` (exact), ``"fixed-window"`` (cheapest;
            up to twice the rate across a window boundary) or
            ``"sliding-window-counter"`` (an approximation of the moving
            window in constant space).
        secret: Key material (32+ bytes, or a :class:`~dataprotect.keys.Keyring`)
            from which the key-hashing subkey is derived (HKDF label
            ``dataprotect/v1/ratelimit-key``).  Required for shared
            storages so every server hashes keys alike; for ``memory://``
            a random per-instance key is used when omitted.
        fail_mode: If the storage fails: ``"closed"`` refuses the hit (the
            safe default for logins), ``"open"`` allows it.  Either way one
            warning is logged on ``dataprotect.ratelimit`` and no exception
            escapes :meth:`hit` or :meth:`check`.
        clock: Time source for ``memory://`` (default
            :func:`time.monotonic`).  Shared storages use wall-clock time.
        storage_options: Extra keyword arguments for the ``limits`` storage
            (e.g. ``socket_timeout``).

    Raises:
        ConfigurationError: Unknown scheme or strategy, a shared storage
            without *secret*, a clock with a shared storage.
        MissingDependencyError: The storage's client library is missing.

    .. versionadded:: 0.1.0
    """

    __slots__ = (
        "_aio",
        "_clock",
        "_hash_key",
        "_idents",
        "_kind",
        "_limits",
        "_options",
        "_redacted",
        "_storage",
        "_strategy",
        "_uri",
        "fail_mode",
        "strategy",
    )

    def __init__(
        self,
        storage: str = "memory://",
        strategy: Strategy = "moving-window",
        *,
        secret: bytes | Keyring | None = None,
        fail_mode: FailMode = "closed",
        clock: Callable[[], float] | None = None,
        storage_options: dict[str, float | str | bool] | None = None,
    ) -> None:
        if not isinstance(cast("object", storage), str):
            msg = "storage must be a URI string"
            raise TypeError(msg)
        self._redacted = redact_uri(storage)
        scheme = storage.partition("://")[0].lower()
        kind = _SCHEMES.get(scheme)
        if kind is None:
            msg = "storage scheme must be memory, redis or valkey (see docs)"
            raise ConfigurationError(msg)
        if strategy not in _STRATEGIES:
            msg = "strategy must be moving-window, fixed-window or sliding-window-counter"
            raise ConfigurationError(msg)
        if fail_mode not in ("closed", "open"):
            msg = "fail_mode must be 'closed' or 'open'"
            raise ConfigurationError(msg)
        self._kind = kind
        self._uri = storage
        self._options = dict(storage_options or {})
        self.strategy: Strategy = strategy
        self.fail_mode: FailMode = fail_mode
        if secret is None:
            if kind != "memory":
                msg = "a shared storage needs secret= so every server hashes keys alike"
                raise ConfigurationError(msg)
            material = os.urandom(32)
        else:
            material = _material(secret)
        self._hash_key = Secret(
            _kdf.derive(material, "ratelimit-key"), label="ratelimit-key"
        )
        self._limits: dict[object, _Limit] = {}
        # Bounded cache of key hashes (process memory only, never storage).
        self._idents: dict[tuple[object, ...], str] = {}
        self._aio: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop,
            tuple[object, limits.aio.strategies.RateLimiter],
        ] = weakref.WeakKeyDictionary()
        if kind == "memory":
            self._clock = clock or time.monotonic
            if self._options:
                msg = "memory:// takes no storage_options"
                raise ConfigurationError(msg)
            self._storage: limits.storage.Storage = LockingMemoryStorage(
                clock=self._clock
            )
        else:
            if clock is not None:
                msg = "clock can only be injected into memory:// storage"
                raise ConfigurationError(msg)
            self._clock = time.time
            self._storage = self._make_storage(storage, async_=False)
        self._strategy = _STRATEGIES[strategy](self._storage)

    def __repr__(self) -> str:
        return f"<RateLimiter {self._redacted} {self.strategy}>"

    # -- construction helpers ----------------------------------------------

    def _make_storage(
        self, uri: str, *, async_: bool
    ) -> limits.storage.Storage:
        options: dict[str, float | str | bool] = {
            "wrap_exceptions": True,
            "key_prefix": _KEY_PREFIX,
            **self._options,
        }
        if async_:
            uri = f"async+{uri}"
            if not uri.startswith("async+valkey"):
                options.setdefault("implementation", "redispy")
        client = "valkey" if "valkey" in uri.partition(":")[0] else "redis"
        missing = f"{client.title()} storage needs {client}: install dataprotect[{client}]"
        try:
            importlib.import_module(client)
        except ImportError:
            raise MissingDependencyError(missing) from None
        try:
            made = storage_from_string(uri, **options)
        except limits.errors.ConfigurationError as exc:
            text = str(exc).lower()
            if any(
                word in text
                for word in ("dependency", "not available", "minimum version")
            ):
                raise MissingDependencyError(missing) from None
            msg = f"invalid rate-limit storage URI {self._redacted}"
            raise ConfigurationError(msg) from None
        except (ValueError, TypeError):
            msg = f"invalid rate-limit storage URI {self._redacted}"
            raise ConfigurationError(msg) from None
        except Exception as exc:
            # A cluster client connects at once (redis-py's and valkey's
            # RedisClusterException / ValkeyClusterException).
            if type(exc).__module__.partition(".")[0] not in {
                "redis",
                "valkey",
            }:
                raise
            msg = f"cannot reach rate-limit storage {self._redacted}: {type(exc).__name__}"
            raise BackendError(msg) from None
        return cast("limits.storage.Storage", made)

    def _async(self) -> tuple[object, limits.aio.strategies.RateLimiter]:
        loop = asyncio.get_running_loop()
        found = self._aio.get(loop)
        if found is None:
            import limits.aio.strategies

            storage = self._make_storage(self._uri, async_=True)
            classes: dict[str, Callable[[Any], _AioStrategy]] = {
                "moving-window": limits.aio.strategies.MovingWindowRateLimiter,
                "fixed-window": limits.aio.strategies.FixedWindowRateLimiter,
                "sliding-window-counter": (
                    limits.aio.strategies.SlidingWindowCounterRateLimiter
                ),
            }
            strategy = classes[self.strategy](storage)
            found = (storage, strategy)
            self._aio[loop] = found
        return found

    def _limit(self, rate: object) -> _Limit:
        found = self._limits.get(rate)
        if found is not None:
            return found
        if isinstance(rate, RateLimitItem):
            item = rate
        elif isinstance(rate, str):
            try:
                item = limits.parse(rate)
            except ValueError:
                msg = "rate must look like '5/minute' or '100 per hour'"
                raise ConfigurationError(msg) from None
        else:
            msg = "rate must be a string or a limits.RateLimitItem"
            raise TypeError(msg)
        found = _Limit(item)
        if len(self._limits) < 1024:
            self._limits[rate] = found
        return found

    def _ident(self, parts: tuple[object, ...]) -> str:
        found = self._idents.get(parts)
        if found is not None:
            return found
        ident = self._compute_ident(parts)
        if len(self._idents) >= _IDENT_CACHE:
            self._idents.clear()
        self._idents[parts] = ident
        return ident

    def _compute_ident(self, parts: Sequence[object]) -> str:
        chunks = []
        for part in parts:
            if isinstance(part, str):
                raw = part.encode("utf-8", "surrogatepass")
            elif isinstance(part, bytes):
                raw = part
            elif isinstance(part, int):
                raw = str(int(part)).encode()
            else:
                msg = "key parts must be str, bytes or int"
                raise TypeError(msg)
            chunks.append(len(raw).to_bytes(4, "big"))
            chunks.append(raw)
        digest = hmac.digest(
            self._hash_key.reveal(), b"".join(chunks), "sha256"
        )
        # Strategies keep different data types: never share a storage key.
        return _STRATEGY_TAGS[self.strategy] + digest[:16].hex()

    # -- the one boundary to the backend -----------------------------------

    def _backend_error(self, exc: BaseException) -> BackendError:
        return BackendError(
            f"rate-limit storage {self._redacted} failed "
            f"({type(exc).__name__})"
        )

    def _fail(self, exc: BackendError) -> bool:
        """Apply the fail mode: return whether to allow the request."""
        allow = self.fail_mode == "open"
        logger.warning(
            "%s; failing %s: request %s",
            exc,
            self.fail_mode,
            "allowed" if allow else "refused",
        )
        return allow

    def _fail_retry(self, limit: _Limit) -> float:
        return min(_FAIL_CLOSED_RETRY, float(limit.expiry))

    def _retry_from(
        self,
        limit: _Limit,
        fixed: float | None,
        moving: tuple[float, int] | None,
        sliding: tuple[int, float, int, float] | None,
    ) -> float:
        expiry = float(limit.expiry)
        if fixed is not None:
            wait = fixed - self._clock()
        elif moving is not None:
            start, count = moving
            wait = start + expiry - self._clock() if count else 0.0
        else:
            assert sliding is not None  # noqa: S101
            previous, previous_ttl, current, current_ttl = sliding
            wait = math.inf
            if previous:
                wait = previous_ttl % (expiry / previous)
            if current:
                wait = min(wait, current_ttl % expiry)
            if wait == math.inf:
                wait = 0.0
        return min(max(wait, 0.001), expiry)

    def _retry_after(self, limit: _Limit, key: str) -> float:
        storage = self._storage
        if self.strategy == "fixed-window":
            return self._retry_from(limit, storage.get_expiry(key), None, None)
        if self.strategy == "moving-window":
            window = cast(
                "limits.storage.MovingWindowSupport", storage
            ).get_moving_window(key, limit.item.amount, limit.expiry)
            return self._retry_from(limit, None, window, None)
        info = cast(
            "limits.storage.SlidingWindowCounterSupport", storage
        ).get_sliding_window(key, limit.expiry)
        return self._retry_from(limit, None, None, info)

    async def _aretry_after(
        self, limit: _Limit, key: str, storage: object
    ) -> float:
        if self.strategy == "fixed-window":
            expires = await cast("Awaitable[float]", storage.get_expiry(key))  # type: ignore[attr-defined]
            return self._retry_from(limit, expires, None, None)
        if self.strategy == "moving-window":
            window = await storage.get_moving_window(  # type: ignore[attr-defined]
                key, limit.item.amount, limit.expiry
            )
            return self._retry_from(limit, None, window, None)
        info = await storage.get_sliding_window(key, limit.expiry)  # type: ignore[attr-defined]
        return self._retry_from(limit, None, None, info)

    def _hit(
        self, limit: _Limit, ident: str, cost: int, *, retry: bool = True
    ) -> float | None:
        """None if admitted, else seconds to wait (0 if not *retry*).

        Raises BackendError.
        """
        try:
            if self._strategy.hit(limit.item, ident, cost=cost):
                return None
            if not retry:
                return 0.0
            return self._retry_after(limit, limit.item.key_for(ident))
        except limits.errors.StorageError as exc:
            raise self._backend_error(exc) from None

    def _test(self, limit: _Limit, ident: str) -> float | None:
        """None if a hit would be admitted, else seconds to wait."""
        try:
            if self._strategy.test(limit.item, ident):
                return None
            return self._retry_after(limit, limit.item.key_for(ident))
        except limits.errors.StorageError as exc:
            raise self._backend_error(exc) from None

    def _call(self, fn: Callable[[], _T]) -> _T:
        try:
            return fn()
        except limits.errors.StorageError as exc:
            raise self._backend_error(exc) from None

    async def _ahit(
        self, limit: _Limit, ident: str, cost: int
    ) -> float | None:
        if self._kind == "memory":
            return self._hit(limit, ident, cost)
        storage, strategy = self._async()
        try:
            if await strategy.hit(limit.item, ident, cost=cost):
                return None
            return await self._aretry_after(
                limit, limit.item.key_for(ident), storage
            )
        except limits.errors.StorageError as exc:
            raise self._backend_error(exc) from None

    async def _atest(self, limit: _Limit, ident: str) -> float | None:
        storage, strategy = self._async()
        try:
            if await strategy.test(limit.item, ident):
                return None
            return await self._aretry_after(
                limit, limit.item.key_for(ident), storage
            )
        except limits.errors.StorageError as exc:
            raise self._backend_error(exc) from None

    async def _aclear(self, limit: _Limit, ident: str) -> None:
        _, strategy = self._async()
        try:
            await strategy.clear(limit.item, ident)
        except limits.errors.StorageError as exc:
            raise self._backend_error(exc) from None

    async def _astorage(self, method: str, *args: object) -> Any:
        """Call async storage *method*; the async boundary to the backend."""
        storage, _ = self._async()
        try:
            return await getattr(storage, method)(*args)
        except limits.errors.StorageError as exc:
            raise self._backend_error(exc) from None

    # -- public API --------------------------------------------------------

    def hit(self, rate: Rate, *key_parts: KeyPart, cost: int = 1) -> bool:
        """Record a hit for *key_parts* and say whether it is within *rate*.

        Args:
            rate: ``"5/minute"``, ``"100 per hour"`` or a ``RateLimitItem``.
            *key_parts: What is limited (a user id, an address...).
            cost: How many hits this counts as.

        Returns:
            ``True`` if admitted.  If the storage fails, the fail mode
            decides (and a warning is logged).

        Raises:
            ConfigurationError: *rate* cannot be parsed.

        .. versionadded:: 0.1.0
        """
        limit = self._limit(rate)
        try:
            admitted = self._hit(
                limit, self._ident(key_parts), cost, retry=False
            )
        except BackendError as exc:
            return self._fail(exc)
        return admitted is None

    def check(self, rate: Rate, *key_parts: KeyPart, cost: int = 1) -> None:
        """Record a hit; raise if it is over *rate*.

        Args:
            rate: The rate.
            *key_parts: What is limited.
            cost: How many hits this counts as.

        Raises:
            RateLimitExceeded: Over the rate (or the storage failed and the
                fail mode is ``"closed"``); ``retry_after`` says how long
                to wait.
            ConfigurationError: *rate* cannot be parsed.

        .. versionadded:: 0.1.0
        """
        limit = self._limit(rate)
        try:
            wait = self._hit(limit, self._ident(key_parts), cost)
        except BackendError as exc:
            if self._fail(exc):
                return
            wait = self._fail_retry(limit)
        if wait is not None:
            raise RateLimitExceeded(wait)

    def test(self, rate: Rate, *key_parts: KeyPart) -> bool:
        """Whether a hit would be admitted now, without recording one.

        Raises:
            BackendError: The storage failed.

        .. versionadded:: 0.1.0
        """
        limit = self._limit(rate)
        return self._test(limit, self._ident(key_parts)) is None

    def remaining(self, rate: Rate, *key_parts: KeyPart) -> int:
        """How many hits *key_parts* has left under *rate*.

        Raises:
            BackendError: The storage failed.

        .. versionadded:: 0.1.0
        """
        limit = self._limit(rate)
        ident = self._ident(key_parts)
        stats = self._call(
            lambda: self._strategy.get_window_stats(limit.item, ident)
        )
        return max(0, int(stats.remaining))

    def reset(self, rate: Rate, *key_parts: KeyPart) -> None:
        """Forget the hits of *key_parts* under *rate*.

        Raises:
            BackendError: The storage failed.

        .. versionadded:: 0.1.0
        """
        limit = self._limit(rate)
        ident = self._ident(key_parts)
        self._call(lambda: self._strategy.clear(limit.item, ident))

    async def ahit(
        self, rate: Rate, *key_parts: KeyPart, cost: int = 1
    ) -> bool:
        """:meth:`hit` for async code, through ``limits``' async storages.

        No blocking network call runs on the event loop; ``memory://``
        needs none.

        .. versionadded:: 0.1.0
        """
        limit = self._limit(rate)
        try:
            return (
                await self._ahit(limit, self._ident(key_parts), cost) is None
            )
        except BackendError as exc:
            return self._fail(exc)

    async def acheck(
        self, rate: Rate, *key_parts: KeyPart, cost: int = 1
    ) -> None:
        """:meth:`check` for async code.

        Raises:
            RateLimitExceeded: As :meth:`check`.

        .. versionadded:: 0.1.0
        """
        limit = self._limit(rate)
        try:
            wait = await self._ahit(limit, self._ident(key_parts), cost)
        except BackendError as exc:
            if self._fail(exc):
                return
            wait = self._fail_retry(limit)
        if wait is not None:
            raise RateLimitExceeded(wait)

    async def areset(self, rate: Rate, *key_parts: KeyPart) -> None:
        """:meth:`reset` for async code.

        Raises:
            BackendError: The storage failed.

        .. versionadded:: 0.1.0
        """
        if self._kind == "memory":
            self.reset(rate, *key_parts)
            return
        limit = self._limit(rate)
        await self._aclear(limit, self._ident(key_parts))

    async def aclose(self) -> None:
        """Close the async client of the running event loop, if any.

        Call it before the event loop ends (e.g. in an ASGI lifespan
        shutdown); ``memory://`` needs none.

        .. versionadded:: 0.1.0
        """
        found = self._aio.pop(asyncio.get_running_loop(), None)
        if found is None:
            return
        bridge = getattr(found[0], "bridge", None)
        for attr in ("storage", "storage_replica"):
            client = getattr(bridge, attr, None)
            closer = getattr(client, "aclose", None)
            if closer is not None:
                await closer()

    def close(self) -> None:
        """Close the sync client's connections (``memory://``: nothing).

        .. versionadded:: 0.1.0
        """
        client = getattr(self._storage, "storage", None)
        closer = getattr(client, "close", None)
        if self._kind != "memory" and closer is not None:
            closer()


_T = TypeVar("_T")
_F = TypeVar("_F", bound=Callable[..., object])

_default: RateLimiter | None = None


_default_lock = threading.Lock()


def _default_limiter() -> RateLimiter:
    global _default  # noqa: PLW0603
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = RateLimiter()
    return _default


def _key_parts(value: object) -> tuple[KeyPart, ...]:
    if isinstance(value, (str, bytes, int)):
        return (value,)
    if isinstance(value, tuple):
        return tuple(cast("tuple[KeyPart, ...]", value))
    msg = "key function must return str, bytes, int or a tuple of them"
    raise TypeError(msg)


def rate_limit(
    rate: Rate,
    *,
    key: Callable[..., object] | None = None,
    limiter: RateLimiter | None = None,
    cost: int = 1,
) -> Callable[[_F], _F]:
    """Limit how often the decorated function may be called.

    Works on sync and async functions (async ones go through
    :meth:`RateLimiter.acheck`).  Stack several decorators to apply several
    rates; each keeps its own count.

    Args:
        rate: The rate, e.g. ``"5/minute"``.
        key: Called with the call's arguments; returns what is limited
            (``str``, ``bytes``, ``int`` or a tuple of them).  Without it
            all calls share one count.
        limiter: The limiter (default: one process-wide ``memory://``
            limiter).
        cost: Hits per call.

    Returns:
        The decorator.  The wrapped function raises
        :class:`~dataprotect.errors.RateLimitExceeded` when over the rate.

    .. versionadded:: 0.1.0
    """

    def decorate(fn: _F) -> _F:
        name = f"{fn.__module__}.{fn.__qualname__}"

        def parts(
            args: tuple[object, ...], kwargs: dict[str, object]
        ) -> tuple[KeyPart, ...]:
            if key is None:
                return (name,)
            return (name, *_key_parts(key(*args, **kwargs)))

        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def async_wrapper(*args: object, **kwargs: object) -> object:
                lim = limiter or _default_limiter()
                await lim.acheck(rate, *parts(args, kwargs), cost=cost)
                return await cast("Callable[..., Awaitable[object]]", fn)(
                    *args, **kwargs
                )

            return cast("_F", async_wrapper)

        @functools.wraps(fn)
        def wrapper(*args: object, **kwargs: object) -> object:
            lim = limiter or _default_limiter()
            lim.check(rate, *parts(args, kwargs), cost=cost)
            return fn(*args, **kwargs)

        return cast("_F", wrapper)

    return decorate


# -- login throttling ---------------------------------------------------------


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
    ) -> None:
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
                _kdf.derive(_material(device_cookie_key), "device-cookie"),
                label="device-cookie",
            )
        else:
            self._cookie_key = Secret(
                _material(device_cookie_key), label="device-cookie"
            )

    def __repr__(self) -> str:
        return f"<LoginThrottle {self._limiter!r}>"

    @property
    def limiter(self) -> RateLimiter:
        """The limiter holding the counts."""
        return self._limiter

    # -- device cookies ------------------------------------------------------

    def _tag(self, nonce: bytes, issued: int, user: str) -> bytes:
        assert self._cookie_key is not None  # noqa: S101
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

    def _device(  # noqa: PLR0911
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
                (self._rates["device"], lim._ident(("login-device", device)))
            ]
        user = _normalise_user(username)
        addr = _normalise_ip(ip)
        return [
            (self._rates["pair"], lim._ident(("login-pair", user, addr))),
            (self._rates["account"], lim._ident(("login-account", user))),
            (self._rates["ip"], lim._ident(("login-ip", addr))),
        ]

    def _pair_keys(self, username: str, ip: str) -> tuple[str, str]:
        ident = self._limiter._ident(
            ("login-backoff", _normalise_user(username), _normalise_ip(ip))
        )
        return f"{ident}/streak", f"{ident}/wait"

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
        if waits:
            raise RateLimitExceeded(max(waits))

    def record_failure(
        self, username: str, ip: str, *, device_cookie: str | None = None
    ) -> None:
        """Count a failed login by *username* from *ip*.

        Never raises for a storage failure (it is logged).

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
            logger.warning("%s; login failure not recorded", exc)

    def record_success(
        self, username: str, ip: str, *, device_cookie: str | None = None
    ) -> None:
        """Reset the pair's (or device's) count and back-off after a login.

        The per-account and per-address counts are kept, so an attacker
        cannot refill them by logging into an account of its own.  Never
        raises for a storage failure (it is logged).

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
            logger.warning("%s; login success not recorded", exc)

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
            logger.warning("%s; login failure not recorded", exc)

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
            logger.warning("%s; login success not recorded", exc)

"""RateLimiter: hits per key in a storage chosen by URI.

Re-exported, and documented, by :mod:`dataprotect.ratelimit`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import math
import os
import threading
import time
import weakref

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from dataprotect import _kdf, keys
from dataprotect._redact import redact_uri
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
except ImportError:  # pragma: no cover - exercised without the extra
    msg = "rate limiting needs limits: install dataprotect[ratelimit]"
    raise MissingDependencyError(msg) from None

from dataprotect.ratelimit.backends._memory import LockingMemoryStorage
from dataprotect.ratelimit.backends._uri import open_storage, storage_kind


if TYPE_CHECKING:
    import limits.aio.storage
    import limits.aio.strategies

    _AioStrategy = limits.aio.strategies.RateLimiter


__all__ = [
    "FailMode",
    "KeyPart",
    "Rate",
    "RateLimiter",
    "Strategy",
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

#: Seconds a fail-closed refusal asks the client to wait (capped by window).
_FAIL_CLOSED_RETRY = 1.0
#: Seconds without a failure after which an answer ends an outage.  In a
#: cluster with one shard down, requests to the other shards still succeed:
#: without this an outage would log a line at every flip.
_QUIET_BEFORE_RECOVERY = 1.0
_IDENT_CACHE = 4096
_STRATEGY_TAGS = {
    "moving-window": "mw-",
    "fixed-window": "fw-",
    "sliding-window-counter": "sw-",
}


def _secret_bytes(secret: bytes) -> bytes:
    """*secret* itself, checked: bytes of at least 32."""
    if not isinstance(cast("object", secret), bytes):
        msg = "secret must be bytes or a Keyring"
        raise TypeError(msg)
    if len(secret) < 32:
        msg = "secret must be at least 32 bytes"
        raise ConfigurationError(msg)
    return secret


def _hash_key(secret: bytes | Keyring | None) -> bytes:
    """The key that hashes rate-limit keys: *secret*'s subkey, or random."""
    if isinstance(secret, Keyring):
        return keys.subkey(secret, secret.primary_id, "ratelimit-key")
    material = os.urandom(32) if secret is None else _secret_bytes(secret)
    return _kdf.derive(material, "ratelimit-key")


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
        fail_mode: If the storage fails or does not answer in time:
            ``"closed"`` refuses the hit (the safe default for logins),
            ``"open"`` allows it.  Either way no exception escapes
            :meth:`hit` or :meth:`check`; one warning is logged on
            ``dataprotect.ratelimit`` when an outage starts (not one per
            request) and one info line when the storage answers again
            after a second without failures (so a cluster with one shard
            down, whose other shards still answer, logs one outage).
        clock: Time source for ``memory://`` (default
            :func:`time.monotonic`).  Shared storages use wall-clock time.
        storage_options: Extra keyword arguments for the ``limits`` storage
            and its client.  Shared storages default to
            ``socket_timeout`` and ``socket_connect_timeout`` of 1 second,
            so a server that stops answering costs a request at most that
            long before the fail mode applies; set either here to change it.

    Raises:
        ConfigurationError: Unknown scheme or strategy, a shared storage
            without *secret*, a clock with a shared storage, an option (in
            the URI's query or *storage_options*) the client does not take.
        MissingDependencyError: The storage's client library is missing.

    .. versionadded:: 0.1.0
    """

    __slots__ = (
        "_aio",
        "_clock",
        "_down",
        "_down_lock",
        "_hash_key",
        "_idents",
        "_kind",
        "_last_failure",
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
        kind = storage_kind(storage)
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
        if secret is None and kind != "memory":
            msg = "a shared storage needs secret= so every server hashes keys alike"
            raise ConfigurationError(msg)
        self._hash_key = Secret(_hash_key(secret), label="ratelimit-key")
        self._limits: dict[object, _Limit] = {}
        # Whether the storage is failing: one warning per outage, not one
        # per request (see _storage_failed / _storage_answered).
        self._down = False
        self._last_failure = 0.0
        self._down_lock = threading.Lock()
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
            self._storage = open_storage(
                storage, self._options, redacted=self._redacted, async_=False
            )
        self._strategy = _STRATEGIES[strategy](self._storage)

    def __repr__(self) -> str:
        return f"<RateLimiter {self._redacted} {self.strategy}>"

    # -- construction helpers ----------------------------------------------

    def _async(self) -> tuple[object, limits.aio.strategies.RateLimiter]:
        loop = asyncio.get_running_loop()
        found = self._aio.get(loop)
        if found is None:
            import limits.aio.strategies

            storage = open_storage(
                self._uri, self._options, redacted=self._redacted, async_=True
            )
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
        # limits wraps the client's exception; its class name says what
        # went wrong (TimeoutError, ConnectionError) and holds no data.
        cause = getattr(exc, "storage_error", exc)
        return BackendError(
            f"rate-limit storage {self._redacted} failed "
            f"({type(cause).__name__})"
        )

    def _storage_failed(self, exc: BackendError, consequence: str) -> None:
        """Log the start of an outage once; later failures stay quiet."""
        with self._down_lock:
            first, self._down = not self._down, True
            self._last_failure = time.monotonic()
        if first:
            logger.warning(
                "%s; %s (further failures are not logged until it answers)",
                exc,
                consequence,
            )

    def _storage_answered(self) -> None:
        """Log the end of an outage once: at the first answer after
        ``_QUIET_BEFORE_RECOVERY`` seconds without a failure."""
        with self._down_lock:
            was = self._down and (
                time.monotonic() - self._last_failure >= _QUIET_BEFORE_RECOVERY
            )
            if was:
                self._down = False
        if was:
            logger.info("rate-limit storage %s answers again", self._redacted)

    def _fail(self, exc: BackendError) -> bool:
        """Apply the fail mode: return whether to allow the request."""
        allow = self.fail_mode == "open"
        self._storage_failed(
            exc,
            f"failing {self.fail_mode}: request "
            + ("allowed" if allow else "refused"),
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
            assert sliding is not None  # noqa: S101 - narrows the type: one of the three is given
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
            expires = await cast(
                "limits.aio.storage.Storage", storage
            ).get_expiry(key)
            return self._retry_from(limit, expires, None, None)
        if self.strategy == "moving-window":
            window = await cast(
                "limits.aio.storage.MovingWindowSupport", storage
            ).get_moving_window(key, limit.item.amount, limit.expiry)
            return self._retry_from(limit, None, window, None)
        info = await cast(
            "limits.aio.storage.SlidingWindowCounterSupport", storage
        ).get_sliding_window(key, limit.expiry)
        return self._retry_from(limit, None, None, info)

    def _hit(
        self, limit: _Limit, ident: str, cost: int, *, retry: bool = True
    ) -> float | None:
        """None if admitted, else seconds to wait (0 if not *retry*).

        Raises BackendError.
        """

        def once() -> float | None:
            if self._strategy.hit(limit.item, ident, cost=cost):
                return None
            if not retry:
                return 0.0
            return self._retry_after(limit, limit.item.key_for(ident))

        return self._call(once)

    def _test(self, limit: _Limit, ident: str) -> float | None:
        """None if a hit would be admitted, else seconds to wait."""

        def once() -> float | None:
            if self._strategy.test(limit.item, ident):
                return None
            return self._retry_after(limit, limit.item.key_for(ident))

        return self._call(once)

    def _call(self, fn: Callable[[], _T]) -> _T:
        """*fn*() through the one sync boundary to the backend.

        Raises BackendError.
        """
        try:
            return fn()
        except limits.errors.StorageError as exc:
            if not _script_missing(exc):
                raise self._backend_error(exc) from None
        # The server lost its scripts (a replica just promoted, a restart):
        # nothing ran, so once more, which loads them (see _script_missing).
        try:
            return fn()
        except limits.errors.StorageError as exc:
            raise self._backend_error(exc) from None

    async def _acall(self, fn: Callable[[], Awaitable[_T]]) -> _T:
        """:meth:`_call` for async code: the one async boundary."""
        try:
            return await fn()
        except limits.errors.StorageError as exc:
            if not _script_missing(exc):
                raise self._backend_error(exc) from None
        await self._aload_scripts()
        try:
            return await fn()
        except limits.errors.StorageError as exc:
            raise self._backend_error(exc) from None

    async def _aload_scripts(self) -> None:
        """Load the strategies' scripts on every node an async cluster
        client knows.

        After a failover, redis-py's async cluster client (7.4) was seen to
        answer NOSCRIPT on every call: its own reload (``SCRIPT LOAD`` on
        the nodes it marks as masters) missed the promoted replica, whose
        stale mark it keeps, and the limiter never recovered.  Loading the
        scripts on every node it knows ended that in the failover tests.
        Other clients need nothing.
        """
        storage, _ = self._async()
        bridge = getattr(storage, "bridge", None)
        client = getattr(bridge, "storage", None)
        every_node = getattr(client, "ALL_NODES", None)
        if client is None or every_node is None:
            return
        scripts = {
            found.script
            for found in vars(bridge).values()
            if isinstance(getattr(found, "script", None), str | bytes)
        }
        # If a node is down the repeated call fails, as it must.
        with contextlib.suppress(cast("Any", storage).base_exceptions):
            for script in scripts:
                await client.execute_command(
                    "SCRIPT LOAD", script, target_nodes=every_node
                )

    async def _ahit(
        self, limit: _Limit, ident: str, cost: int
    ) -> float | None:
        if self._kind == "memory":
            return self._hit(limit, ident, cost)
        storage, strategy = self._async()

        async def once() -> float | None:
            if await strategy.hit(limit.item, ident, cost=cost):
                return None
            return await self._aretry_after(
                limit, limit.item.key_for(ident), storage
            )

        return await self._acall(once)

    async def _atest(self, limit: _Limit, ident: str) -> float | None:
        storage, strategy = self._async()

        async def once() -> float | None:
            if await strategy.test(limit.item, ident):
                return None
            return await self._aretry_after(
                limit, limit.item.key_for(ident), storage
            )

        return await self._acall(once)

    async def _aclear(self, limit: _Limit, ident: str) -> None:
        _, strategy = self._async()
        await self._acall(lambda: strategy.clear(limit.item, ident))

    async def _astorage(self, method: str, *args: object) -> Any:
        """Call async storage *method*; the async boundary to the backend."""
        storage, _ = self._async()
        return await self._acall(lambda: getattr(storage, method)(*args))

    # -- public API --------------------------------------------------------

    def hit(self, rate: Rate, *key_parts: KeyPart, cost: int = 1) -> bool:
        """Record a hit for *key_parts* and say whether it is within *rate*.

        Args:
            rate: ``"5/minute"``, ``"100 per hour"`` or a ``RateLimitItem``.
            *key_parts: What is limited (a user id, an address...).
            cost: How many hits this counts as.

        Returns:
            ``True`` if admitted.  If the storage fails or does not answer
            within its timeout, the fail mode decides (and the outage is
            logged once).

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
        self._storage_answered()
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
        else:
            self._storage_answered()
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
            wait = await self._ahit(limit, self._ident(key_parts), cost)
        except BackendError as exc:
            return self._fail(exc)
        self._storage_answered()
        return wait is None

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
        else:
            self._storage_answered()
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
        # Sentinel storages also hold one client per sentinel.
        sentinels = getattr(getattr(bridge, "sentinel", None), "sentinels", [])
        for client in [
            getattr(bridge, "storage", None),
            getattr(bridge, "storage_replica", None),
            *sentinels,
        ]:
            closer = getattr(client, "aclose", None)
            if closer is not None:
                await closer()

    def close(self) -> None:
        """Close the sync client's connections (``memory://``: nothing).

        .. versionadded:: 0.1.0
        """
        if self._kind == "memory":
            return
        storage = self._storage
        # Sentinel storages also hold a replica client and one per sentinel.
        sentinels = getattr(
            getattr(storage, "sentinel", None), "sentinels", []
        )
        for client in [
            getattr(storage, "storage", None),
            getattr(storage, "storage_slave", None),
            *sentinels,
        ]:
            closer = getattr(client, "close", None)
            if closer is not None:
                closer()


_T = TypeVar("_T")


def _script_missing(exc: limits.errors.StorageError) -> bool:
    """Whether *exc* is the server's NOSCRIPT: it lost the Lua scripts the
    strategies run (a replica promoted by a failover, a restart).

    redis-py reloads a missing script by itself, but a cluster client that
    has just followed a failover was seen to fail one call with NOSCRIPT
    (and so to refuse a request after the cluster had recovered).  A
    missing script ran nothing, so the call can be repeated.
    """
    cause = getattr(exc, "storage_error", None)
    return type(cause).__name__ == "NoScriptError"

"""A thread-safe, clock-injectable in-memory storage for ``limits``.

``limits.storage.MemoryStorage`` (5.8.0) is not safe under threads: its
check-then-increment sequences are not atomic (with fine-grained thread
switching a fixed window of 100 admitted up to 300), and it expires entries
from a ``threading.Timer`` that is restarted from ``hit()`` and once raised
``RuntimeError: threads can only be started once``.

This storage keeps the ``limits`` storage interface, so ``limits``'
strategies run on it unchanged, but:

- every operation runs under one lock, so each strategy's decision is atomic;
- there is no timer thread: expired entries are dropped when touched and by
  an amortised sweep every few thousand operations, inside the lock;
- time comes from a ``clock`` callable (default :func:`time.monotonic`), so
  tests drive it with a fake clock and wall-clock jumps cannot reopen a
  window.
"""

from __future__ import annotations

import bisect
import threading
import time

from collections import deque
from collections.abc import Callable
from math import floor

from limits.storage.base import (
    MovingWindowSupport,
    SlidingWindowCounterSupport,
    Storage,
    TimestampedSlidingWindow,
)


__all__ = ["LockingMemoryStorage"]

#: Sweep expired entries every this many write operations.
_SWEEP_EVERY = 4096


class _NeverRaisedError(Exception):
    """Placeholder for ``base_exceptions``: this storage has no backend."""


class LockingMemoryStorage(
    Storage,
    MovingWindowSupport,
    SlidingWindowCounterSupport,
    TimestampedSlidingWindow,
):
    """In-memory ``limits`` storage that is exact under threads.

    Args:
        clock: Returns the current time in seconds; must not go backwards.
    """

    STORAGE_SCHEME = None  # not registered with limits' URI registry

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(None, wrap_exceptions=False)
        self._clock = clock
        self._lock = threading.Lock()
        # key -> [count, expires_at]
        self._counters: dict[str, list[float]] = {}
        # key -> (timestamps oldest first, expiry)
        self._events: dict[str, tuple[deque[float], float]] = {}
        self._writes = 0

    @property
    def base_exceptions(self) -> type[Exception]:
        return _NeverRaisedError

    @classmethod
    def sliding_window_keys(
        cls, key: str, expiry: int, at: float
    ) -> tuple[str, str]:
        """(previous, current) bucket keys at time *at*.

        ``limits`` truncates toward zero, which makes both keys equal for
        ``at < expiry``; a monotonic clock starts near zero, so floor.
        """
        bucket = floor(at / expiry)
        return f"{key}/{bucket - 1}", f"{key}/{bucket}"

    # -- helpers (caller holds the lock) ------------------------------------

    def _tick(self, now: float) -> None:
        self._writes += 1
        if self._writes >= _SWEEP_EVERY:
            self._writes = 0
            dead = [k for k, c in self._counters.items() if c[1] <= now]
            for key in dead:
                del self._counters[key]
            gone = [
                k
                for k, (ev, expiry) in self._events.items()
                if not ev or ev[-1] <= now - expiry
            ]
            for key in gone:
                del self._events[key]

    def _count(self, key: str, now: float) -> tuple[int, float]:
        entry = self._counters.get(key)
        if entry is None or entry[1] <= now:
            return 0, now
        return int(entry[0]), entry[1]

    def _incr(self, key: str, expiry: float, amount: int, now: float) -> int:
        entry = self._counters.get(key)
        if entry is None or entry[1] <= now:
            entry = [0, now + expiry]
            self._counters[key] = entry
        entry[0] += amount
        self._tick(now)
        return int(entry[0])

    def _window_info(
        self, key: str, expiry: int, now: float
    ) -> tuple[int, float, int, float]:
        previous_key, current_key = self.sliding_window_keys(key, expiry, now)
        previous, _ = self._count(previous_key, now)
        current, _ = self._count(current_key, now)
        previous_ttl = (
            (1 - (((now - expiry) / expiry) % 1)) * expiry if previous else 0.0
        )
        current_ttl = (1 - ((now / expiry) % 1)) * expiry + expiry
        return previous, previous_ttl, current, current_ttl

    # -- fixed window ------------------------------------------------------

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        """Add *amount* to *key*'s counter, creating it to expire in *expiry*."""
        with self._lock:
            return self._incr(key, expiry, amount, self._clock())

    def decr(self, key: str, amount: int = 1) -> int:
        """Subtract *amount* from *key*'s counter (not below zero)."""
        with self._lock:
            now = self._clock()
            count, _ = self._count(key, now)
            if not count:
                return 0
            entry = self._counters[key]
            entry[0] = max(entry[0] - amount, 0)
            return int(entry[0])

    def get(self, key: str) -> int:
        """The live count of *key* (0 if absent or expired)."""
        with self._lock:
            return self._count(key, self._clock())[0]

    def get_expiry(self, key: str) -> float:
        """When *key*'s counter expires, on this storage's clock."""
        with self._lock:
            return self._count(key, self._clock())[1]

    def clear(self, key: str) -> None:
        """Forget *key*."""
        with self._lock:
            self._counters.pop(key, None)
            self._events.pop(key, None)

    def check(self) -> bool:
        """Always healthy."""
        return True

    def reset(self) -> int | None:
        """Forget everything; return how many keys were held."""
        with self._lock:
            count = len(self._counters) + len(self._events)
            self._counters.clear()
            self._events.clear()
            return count

    # -- moving window -----------------------------------------------------

    def acquire_entry(
        self, key: str, limit: int, expiry: int, amount: int = 1
    ) -> bool:
        """Record *amount* hits if the window then holds at most *limit*."""
        if amount > limit:
            return False
        with self._lock:
            now = self._clock()
            slot = self._events.get(key)
            if slot is None or slot[0].maxlen != limit:
                events: deque[float] = deque(
                    slot[0] if slot else (), maxlen=limit
                )
                self._events[key] = (events, expiry)
            else:
                events = slot[0]
            keep = limit - amount  # entries that may stay in the window
            if len(events) > keep and events[-(keep + 1)] > now - expiry:
                return False
            events.extend([now] * amount)
            self._tick(now)
            return True

    def get_moving_window(
        self,
        key: str,
        limit: int,  # noqa: ARG002 - the limits interface
        expiry: int,
    ) -> tuple[float, int]:
        """(time of the oldest hit in the window, hits in the window)."""
        with self._lock:
            now = self._clock()
            slot = self._events.get(key)
            if slot is None:
                return now, 0
            events = slot[0]
            first = bisect.bisect_right(events, now - expiry)
            count = len(events) - first
            if not count:
                return now, 0
            return events[first], count

    # -- sliding window counter -------------------------------------------

    def acquire_sliding_window_entry(
        self, key: str, limit: int, expiry: int, amount: int = 1
    ) -> bool:
        """Count *amount* hits if the weighted count stays within *limit*."""
        if amount > limit:
            return False
        with self._lock:
            now = self._clock()
            previous, previous_ttl, current, _ = self._window_info(
                key, expiry, now
            )
            weighted = previous * previous_ttl / expiry + current
            if floor(weighted) + amount > limit:
                return False
            _, current_key = self.sliding_window_keys(key, expiry, now)
            self._incr(current_key, 2 * expiry, amount, now)
            return True

    def get_sliding_window(
        self, key: str, expiry: int
    ) -> tuple[int, float, int, float]:
        """(previous count, previous TTL, current count, current TTL)."""
        with self._lock:
            return self._window_info(key, expiry, self._clock())

    def clear_sliding_window(self, key: str, expiry: int) -> None:
        """Forget both windows of *key*."""
        with self._lock:
            now = self._clock()
            for k in self.sliding_window_keys(key, expiry, now):
                self._counters.pop(k, None)

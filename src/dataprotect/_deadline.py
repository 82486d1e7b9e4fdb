"""An overall deadline for the checks that talk to a peer (TLS, SSH).

Each wait on the peer lasts at most its own *timeout*, and never past the
deadline, so a peer that sends a byte now and then cannot hold a check.
"""

from __future__ import annotations

import contextlib
import math
import selectors
import socket
import time

from collections.abc import Iterator


__all__ = ["Deadline", "DeadlineError", "failure", "positive"]


class DeadlineError(Exception):
    """The whole check took longer than its deadline."""


def positive(seconds: float) -> bool:
    """A finite number of seconds above zero (NaN is not)."""
    return 0 < seconds < math.inf


def failure(exc: DeadlineError | OSError, deadline: Deadline) -> str:
    """The note for a check that ended with *exc*."""
    if isinstance(exc, DeadlineError):
        return (
            f"the check did not complete within its {deadline.seconds:g} s "
            "deadline: the server sends too slowly"
        )
    if isinstance(exc, TimeoutError):
        return "the server timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "the connection was refused"
    return f"connection failed: {exc.strerror or type(exc).__name__}"


class Deadline:
    """The end of a check, *seconds* from now."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def wait(self, timeout: float) -> float:
        """How long the next wait may last: *timeout*, or what is left.

        Raises:
            DeadlineError: Nothing is left.
        """
        left = self._end - time.monotonic()
        if left <= 0:
            raise DeadlineError
        return min(timeout, left)

    def connect(
        self, address: tuple[str, int], timeout: float
    ) -> socket.socket:
        """A TCP connection to *address*, bounded by both.

        Raises:
            DeadlineError: The deadline cut the wait short.
            OSError: The connection failed (TimeoutError: *timeout* passed).
        """
        wait = self.wait(timeout)
        with self._cut_short(wait, timeout):
            return socket.create_connection(address, timeout=wait)

    def recv(self, sock: socket.socket, n: int, timeout: float) -> bytes:
        """Up to *n* bytes from *sock*, bounded by both.

        Raises:
            DeadlineError: The deadline cut the wait short.
            OSError: The read failed (TimeoutError: *timeout* passed).
        """
        wait = self.wait(timeout)
        sock.settimeout(wait)
        with self._cut_short(wait, timeout):
            return sock.recv(n)

    @staticmethod
    @contextlib.contextmanager
    def _cut_short(wait: float, timeout: float) -> Iterator[None]:
        """A time-out of a wait shortened by the deadline is the deadline's."""
        try:
            yield
        except TimeoutError:
            if wait < timeout:
                raise DeadlineError from None
            raise

    def ready(
        self, sock: socket.socket, timeout: float, *, write: bool
    ) -> None:
        """Wait until the non-blocking *sock* can be read (or written).

        Raises:
            DeadlineError: The deadline passed first.
            TimeoutError: *timeout* passed first.
        """
        wait = self.wait(timeout)
        event = selectors.EVENT_WRITE if write else selectors.EVENT_READ
        with selectors.DefaultSelector() as selector:
            selector.register(sock, event)
            if selector.select(wait):
                return
        if wait < timeout:
            raise DeadlineError
        raise TimeoutError

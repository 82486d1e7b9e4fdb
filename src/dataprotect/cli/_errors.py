"""Every error as one line, and the end of the process, without click.

The command group (:mod:`dataprotect.cli._app`) and the commands that run
without click (:mod:`dataprotect.cli._direct`) word their errors here, so
both say the same thing.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys

from typing import Any, NoReturn

from dataprotect.errors import DataProtectError


__all__ = [
    "InputError",
    "closed_stdout",
    "error_line",
    "os_error_message",
    "quiet_exit",
    "stdout_broken",
]


class InputError(Exception):
    """A usage or input error: one line on stderr, exit status 2."""


def error_line(exc: Exception) -> str:
    """The one line shown for *exc*, which a command raised: never a
    traceback, and never the data a message may hold.

    Ends the process quietly (:func:`quiet_exit`) when *exc* is a broken
    pipe because the reader of stdout has gone.
    """
    if isinstance(exc, (InputError, DataProtectError)):
        return str(exc)
    if isinstance(exc, ImportError):
        return f"missing optional dependency: {exc.name or exc}"
    if isinstance(exc, OSError):
        if isinstance(exc, BrokenPipeError) and stdout_broken():
            quiet_exit()
        return os_error_message(exc)
    # The type only, as a message may hold data.
    return f"internal error ({type(exc).__name__}); please report it"


def os_error_message(exc: OSError) -> str:
    """One line for *exc*: what failed, and the user's own path."""
    what = exc.strerror or type(exc).__name__
    names = [n for n in (exc.filename, exc.filename2) if n is not None]
    shown = " -> ".join(_shown_path(n) for n in names)
    return f"{what}: {shown}" if shown else what


def stdout_broken() -> bool:
    """Whether nobody reads stdout any more (``| head`` has exited)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return False
    import select  # here and below: only error paths need these

    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    return any(
        events & (select.POLLERR | select.POLLHUP)
        for _, events in poller.poll(0)
    )


class _Closed(io.RawIOBase):
    """Stands in for a stdout the shell closed (``>&-``): a write fails."""

    def writable(self) -> bool:
        return True

    def write(self, data: Any, /) -> int:  # noqa: ARG002 - io.RawIOBase's signature
        raise OSError(errno.EBADF, "stdout is closed")


def closed_stdout() -> io.TextIOWrapper:
    """A stdout whose every write fails with one clear line."""
    return io.TextIOWrapper(_Closed(), write_through=True)  # type: ignore[arg-type]  # a raw stream; write_through needs no buffer


def quiet_exit() -> NoReturn:
    """End quietly as a Unix tool killed by SIGPIPE does (status 141)."""
    import signal

    with contextlib.suppress(AttributeError, OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    raise SystemExit(128 + signal.SIGPIPE)


def _shown_path(filename: object) -> str:
    """*filename* for a message, credentials masked if it is a URL."""
    from dataprotect._redact import redact_location

    if isinstance(filename, (str, bytes, os.PathLike)):
        return redact_location(os.fsdecode(filename))
    return redact_location(str(filename))

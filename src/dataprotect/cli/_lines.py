"""A byte stream in blocks of whole lines, and their processing in order
on several cores: how a line filter works in bulk.

No click here, as in :mod:`dataprotect.cli._files`.
"""

from __future__ import annotations

import contextlib

from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO, Final, TypeVar

from dataprotect.cli._errors import InputError


__all__ = ["BLOCK_SIZE", "block_map", "line_blocks"]

T = TypeVar("T")

#: Bytes asked for by one read: a few thousand log lines.
BLOCK_SIZE: Final = 1 << 20


def line_blocks(src: BinaryIO, size: int = BLOCK_SIZE) -> Iterator[bytes]:
    """The bytes of *src* in blocks of whole lines, in order.

    Every block but the last ends with ``\\n``; the last one ends where
    *src* does.  A block is what one read of up to *size* bytes returned,
    cut after its last newline; the rest starts the next block.  A read
    returns what has arrived (``read1``), so on a pipe each block is
    released as soon as its lines are complete, not when *size* bytes
    have come.  A line longer than *size* is gathered whole first.
    """
    read: Callable[[int], bytes] = getattr(src, "read1", src.read)
    pending: list[bytes] = []
    while block := read(size):
        end = block.rfind(b"\n") + 1
        if not end:
            pending.append(block)
            continue
        head = block[:end] if end < len(block) else block
        if pending:
            pending.append(head)
            head = b"".join(pending)
            pending.clear()
        yield head
        if end < len(block):
            pending.append(block[end:])
    if pending:
        yield b"".join(pending)


#: The block function of this worker process (set once, by :func:`_install`).
_WORKER: dict[str, Callable[[bytes], Any]] = {}


def _install(fn: Callable[[bytes], Any]) -> None:
    """In a new worker process: remember the function to apply, and leave
    Ctrl-C to the parent, which ends the workers (no traceback each)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER["fn"] = fn


def _call(block: bytes) -> Any:
    """In a worker process: the installed function of *block*."""
    return _WORKER["fn"](block)


@contextlib.contextmanager
def block_map(
    fn: Callable[[bytes], T], jobs: int
) -> Iterator[Callable[[Iterable[bytes]], Iterator[T]]]:
    """Yield a ``map`` of *fn* over blocks whose results come in order.

    With *jobs* 1 it is the built-in ``map``, in this process.  Otherwise
    *jobs* worker processes, forked now, apply *fn* (a closure may hold
    anything, a key included: it is inherited, never pickled); the blocks
    and results travel through pipes, a few blocks ahead of the reader.
    Leaving the context ends the workers.  Fork is unsafe once other
    threads run: then, as with one job, *fn* runs in this process.

    Raises:
        InputError: *jobs* is above 1 and this system cannot fork.
    """
    import threading

    if jobs == 1 or threading.active_count() > 1:
        yield lambda blocks: map(fn, blocks)
        return
    import multiprocessing  # only a parallel run needs it

    if "fork" not in multiprocessing.get_all_start_methods():
        msg = "--jobs above 1 needs a system that can fork processes"
        raise InputError(msg)
    context = multiprocessing.get_context("fork")
    with context.Pool(jobs, initializer=_install, initargs=(fn,)) as pool:
        yield lambda blocks: pool.imap(_call, blocks)

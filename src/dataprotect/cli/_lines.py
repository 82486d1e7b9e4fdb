"""A byte stream in blocks of whole lines: how a line filter reads in bulk.

No click here, as in :mod:`dataprotect.cli._files`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import BinaryIO, Final


__all__ = ["BLOCK_SIZE", "line_blocks"]

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

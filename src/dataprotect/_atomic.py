"""Atomic file output: a temporary name in the destination directory,
fsync, rename on success, delete on any failure."""

from __future__ import annotations

import contextlib
import os
import tempfile

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


__all__ = ["atomic_write"]


@contextlib.contextmanager
def atomic_write(
    path: str | os.PathLike[str], *, mode: int = 0o600
) -> Iterator[BinaryIO]:
    """Open a temporary file beside *path*; rename it over *path* on success.

    If the body raises, the temporary file is removed and *path* is left
    untouched (it keeps its old content, or still does not exist).

    Args:
        path: The final destination.
        mode: The permission bits of the new file.
    """
    dest = Path(path)
    fd, tmp = tempfile.mkstemp(
        dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp"
    )
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        Path(tmp).replace(dest)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        raise
    with contextlib.suppress(OSError):
        dfd = os.open(dest.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)

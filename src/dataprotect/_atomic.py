"""Atomic file output: a temporary name in the destination directory,
fsync, rename on success, delete on any failure."""

from __future__ import annotations

import contextlib
import errno
import os
import stat

from collections.abc import Iterator
from typing import BinaryIO, Final


__all__ = ["atomic_write", "is_special"]

#: Errors only a write can raise: they are about the destination.
_WRITE_ERRNOS: Final = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS}
)
_NOT_REGULAR: Final = (
    "not a regular file (a pipe, socket or device), "
    "so it cannot be replaced atomically"
)


def is_special(path: str | os.PathLike[str]) -> bool:
    """Whether *path* exists and is neither a regular file nor a directory.

    A FIFO, a socket or a device (``/dev/null``): a name that must be
    written to, never renamed over.  Symbolic links are followed.
    """
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _named(exc: OSError, path: str | os.PathLike[str]) -> OSError:
    """*exc* again, naming the user's *path* instead of the temporary file."""
    return type(exc)(exc.errno, exc.strerror, os.fspath(path))


def _check_destination(dest: str) -> None:
    """Refuse a directory or a non-regular file before anything is written."""
    try:
        mode = os.stat(dest).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise _named(exc, dest) from None
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), dest)
    if not stat.S_ISREG(mode):
        raise OSError(errno.EINVAL, _NOT_REGULAR, dest)


def _create_beside(dest: str) -> tuple[int, str]:
    """Create a new, empty, private file with a random name beside *dest*.

    What ``tempfile.mkstemp`` does (``O_EXCL``, mode 0600, a fresh name
    on a collision), without importing ``tempfile`` and ``shutil`` into
    every command-line call.
    """
    directory, name = os.path.split(dest)
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    while True:
        tmp = os.path.join(directory, f".{name}.{os.urandom(6).hex()}.tmp")
        try:
            return os.open(tmp, flags, 0o600), tmp
        except FileExistsError:  # pragma: no cover - 2**-48 per attempt
            continue


@contextlib.contextmanager
def atomic_write(
    path: str | os.PathLike[str], *, mode: int = 0o600
) -> Iterator[BinaryIO]:
    """Open a temporary file beside *path*; rename it over *path* on success.

    If the body raises, the temporary file is removed and *path* is left
    untouched (it keeps its old content, or still does not exist).  Errors
    about the destination (a missing directory, no permission, a full
    disk) name *path*, never the temporary file.  A destination that is a
    directory, a FIFO, a socket or a device is refused up front: renaming
    over it would replace it by a regular file, and writing into it cannot
    be undone (see :func:`is_special`).

    Args:
        path: The final destination.
        mode: The permission bits of the new file.

    Raises:
        OSError: The destination cannot be written, or is not a regular
            file; the error's ``filename`` is *path*.
    """
    dest = os.fspath(path)
    _check_destination(dest)
    try:
        fd, tmp = _create_beside(dest)
    except OSError as exc:
        raise _named(exc, dest) from None
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.replace(tmp, dest)
        except OSError as exc:
            raise _named(exc, dest) from None
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if (
            isinstance(exc, OSError)
            and exc.filename is None
            and exc.errno in _WRITE_ERRNOS
        ):
            raise _named(exc, dest) from None
        raise
    with contextlib.suppress(OSError):
        dfd = os.open(os.path.dirname(dest) or os.curdir, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)

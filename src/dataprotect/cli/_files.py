"""Where a command reads and writes: files, pipes, devices, a progress bar.

No click here: ``dataprotect encrypt`` and ``decrypt`` run without it.
"""

from __future__ import annotations

import contextlib
import os
import sys

from collections.abc import Callable, Iterator
from typing import BinaryIO

from dataprotect._atomic import atomic_write, is_special
from dataprotect.cli._errors import InputError


__all__ = ["input_file", "output_file", "progress"]


@contextlib.contextmanager
def progress(
    total: int | None, label: str, *, rows: bool = False
) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal (bytes or *rows*, rate, ETA); silent
    in a pipe."""
    if not sys.stderr.isatty():
        yield lambda _n: None
        return
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        MofNCompleteColumn,
        Progress,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    counts = (
        (MofNCompleteColumn(),)
        if rows
        else (DownloadColumn(), TransferSpeedColumn())
    )
    columns = (
        "[progress.description]{task.description}",
        BarColumn(),
        *counts,
        TimeRemainingColumn(),
    )
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


@contextlib.contextmanager
def input_file(path: str) -> Iterator[tuple[BinaryIO, int | None]]:
    """Open *path* for reading (``-``: stdin); yield it and its size."""
    if path == "-":
        if sys.stdin is None:
            msg = "stdin is closed"
            raise InputError(msg)
        yield sys.stdin.buffer, None
        return
    with open(path, "rb") as fh:
        yield fh, os.fstat(fh.fileno()).st_size


def _refuse_terminal(stream: BinaryIO, binary: str | None) -> None:
    if binary is not None and stream.isatty():
        msg = f"refusing to write binary output to a terminal; {binary}"
        raise InputError(msg)


@contextlib.contextmanager
def _release(stream: BinaryIO, checked: bool) -> Iterator[BinaryIO]:
    """Yield *stream*, or with *checked* a private temporary file copied to
    *stream* only when the body succeeded."""
    if not checked:
        yield stream
        stream.flush()
        return
    # Imported here: only checked output to a stream needs them.
    import shutil
    import tempfile

    with tempfile.TemporaryFile(prefix="dataprotect-") as held:
        yield held
        held.seek(0)
        shutil.copyfileobj(held, stream, 1 << 20)
    stream.flush()


@contextlib.contextmanager
def output_file(
    path: str,
    *,
    checked: bool = False,
    binary: bool | str = False,
    force: bool = True,
    mode: int = 0o600,
) -> Iterator[BinaryIO]:
    """Where a command writes its output: the one rule for ``-o``.

    * ``-``: stdout.  A FIFO or a device (``/dev/null``): written to in
      place, never renamed over.  With *checked* these receive nothing
      until the body succeeded (every check passed); until then the output
      is held in a private temporary file.
    * Otherwise a regular file, written atomically with *mode*: it appears
      only when the body succeeded; an existing file is replaced only with
      *force*.

    *binary* output is never written to a terminal (a string: the advice
    the refusal gives).
    """
    hint = None
    if binary:
        hint = binary if isinstance(binary, str) else "use -o FILE or a pipe"
    if path == "-":
        if sys.stdout is None:
            msg = "stdout is closed"
            raise InputError(msg)
        _refuse_terminal(sys.stdout.buffer, hint)
        with _release(sys.stdout.buffer, checked) as fh:
            yield fh
        return
    if is_special(path):
        with open(path, "wb") as stream:
            _refuse_terminal(stream, hint)
            with _release(stream, checked) as fh:
                yield fh
        return
    if not force and os.path.lexists(path) and not os.path.isdir(path):
        msg = f"{path} exists; use --force to overwrite it"
        raise InputError(msg)
    with atomic_write(path, mode=mode) as fh:
        yield fh

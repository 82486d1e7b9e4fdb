"""Backup sources: ``pg_dump``, SQLite's online backup, any command.

A :class:`DumpSource` is a readable stream that raises
:class:`~dataprotect.errors.BackupSourceError` at its end when the program
that produced it failed, so the backup being written (:func:`create_backup`
writes under a temporary name) is discarded instead of recorded.
"""

from __future__ import annotations

import collections
import contextlib
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import threading

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Final, final
from urllib.parse import unquote, urlsplit, urlunsplit

from dataprotect._redact import redact_uri
from dataprotect.errors import BackupSourceError, ConfigurationError


__all__ = [
    "DumpSource",
    "StderrTail",
    "pg_tool",
    "postgres_target",
    "start",
    "stop",
]

_PG_ROOT: Final = "/usr/lib/postgresql"
_STDERR_KEEP: Final = 4096
_STOP_WAIT: Final = 5.0
_ERROR_LINE: Final = re.compile(r"\b(error|fatal)\b", re.IGNORECASE)


def pg_tool(name: str, bindir: str | os.PathLike[str] | None) -> str:
    """The path of PostgreSQL client tool *name*.

    From *bindir* when given; else from the newest Debian-style
    ``/usr/lib/postgresql/<major>/bin`` (a newer ``pg_dump`` can dump an
    older server, never the reverse); else from ``PATH``.

    Raises:
        dataprotect.errors.BackupSourceError: The tool is not found.
    """
    if bindir is not None:
        path = Path(bindir) / name
        if not path.is_file():
            msg = f"{name} not found in {os.fspath(bindir)}"
            raise BackupSourceError(msg)
        return str(path)
    found = sorted(
        (
            (int(p.parts[-3]), str(p))
            for p in Path(_PG_ROOT).glob(f"*/bin/{name}")
            if p.parts[-3].isdigit()
        ),
    )
    which = found[-1][1] if found else shutil.which(name)
    if which is None:
        msg = f"{name} not found: install PostgreSQL's client tools or give its directory (pg_bindir)"
        raise BackupSourceError(msg)
    return which


def postgres_target(url: str) -> tuple[str, dict[str, str], str]:
    """(URL without password, environment holding it, redacted URL).

    The password travels in ``PGPASSWORD``, never on a command line where
    ``ps`` shows it.
    """
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in {"postgres", "postgresql"}:
        msg = "the database URL must be a postgresql:// URL"
        raise ConfigurationError(msg)
    env: dict[str, str] = {}
    netloc = parts.netloc
    if parts.password is not None:
        env["PGPASSWORD"] = unquote(parts.password)
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.partition(':')[0]}@{host}"
    bare = urlunsplit(parts._replace(netloc=netloc))
    return bare, env, redact_uri(url)


class StderrTail:
    """Drains a pipe on a thread (so the program never blocks on it) and
    keeps its last few KiB."""

    def __init__(self, pipe: IO[bytes]) -> None:
        self._pipe = pipe
        self._tail: collections.deque[bytes] = collections.deque()
        self._size = 0
        self._thread = threading.Thread(
            target=self._run, name="dataprotect-stderr", daemon=True
        )
        self._thread.start()

    def _run(self) -> None:
        for chunk in iter(lambda: self._pipe.read(1024), b""):
            self._tail.append(chunk)
            self._size += len(chunk)
            while self._size > _STDERR_KEEP and len(self._tail) > 1:
                self._size -= len(self._tail.popleft())
        self._pipe.close()

    def last_line(self) -> str:
        """The last error line written (after the program ended): the
        last one naming an error, else the last one."""
        self._thread.join()
        text = b"".join(self._tail).decode("utf-8", "replace")
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        errors = [line for line in lines if _ERROR_LINE.search(line)]
        return (errors or lines or [""])[-1]


def start(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None,
    stdin: int | None,
    stdout: int | None,
    what: str,
    capture_stderr: bool = True,
) -> tuple[subprocess.Popen[bytes], StderrTail | None]:
    """Start *argv*, its stderr drained and kept (else inherited); a
    missing program is an error."""
    full_env = None if env is None else {**os.environ, **env}
    try:
        proc = subprocess.Popen(  # noqa: S603 - argv is the caller's program, no shell
            list(argv),
            stdin=stdin,
            stdout=stdout,
            stderr=subprocess.PIPE if capture_stderr else None,
            env=full_env,
        )
    except OSError as exc:
        msg = f"cannot run {what}: {exc.strerror or type(exc).__name__}"
        raise BackupSourceError(msg) from None
    if proc.stderr is None:
        return proc, None
    return proc, StderrTail(proc.stderr)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """End *proc* if it still runs (terminate, then kill)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(_STOP_WAIT)
        except subprocess.TimeoutExpired:  # pragma: no cover - ignores SIGTERM
            proc.kill()
            proc.wait()


@final
class DumpSource:
    """A backup source read as a stream: a command's standard output,
    ``pg_dump``'s custom-format dump or a SQLite database.

    Pass it to :func:`create_backup` (or :func:`encrypt`) as *src*; use it
    as a context manager so the program is stopped and temporary files
    are removed whatever happens::

        with DumpSource.postgres("postgresql://backup@db/shop") as src:
            create_backup(src, "sftp://vault/backups", recipients,
                          name="shop", label=src.label)

    Memory stays constant: data flows from the program through the cipher
    to the destination.  When the program exits with an error (also half
    way through) or is killed, the read that reaches the end of its output
    raises :class:`~dataprotect.errors.BackupSourceError`, before the
    backup's manifest is written, so no backup is recorded.

    Do not create one directly: use :meth:`command`, :meth:`postgres` or
    :meth:`sqlite`.

    Attributes:
        label: A description for the manifest, e.g. ``"pg_dump shop"``
            (never a password).

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        argv: Sequence[str] | None,
        *,
        label: str,
        what: str,
        env: Mapping[str, str] | None = None,
        file: IO[bytes] | None = None,
        capture_stderr: bool = True,
    ) -> None:
        """Not for direct use: call :meth:`command`, :meth:`postgres` or
        :meth:`sqlite`."""
        self.label = label
        self._what = what
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: StderrTail | None = None
        self._out: IO[bytes]
        if file is not None:
            self._out = file
        else:
            assert argv is not None  # noqa: S101 - one of argv and file
            self._proc, self._stderr = start(
                argv,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                what=what,
                capture_stderr=capture_stderr,
            )
            assert self._proc.stdout is not None  # noqa: S101 - stdout=PIPE
            self._out = self._proc.stdout
        self._done = False

    def __repr__(self) -> str:
        return f"DumpSource(label={self.label!r})"

    @classmethod
    def command(
        cls, argv: Sequence[str] | str, *, label: str | None = None
    ) -> DumpSource:
        """The standard output of any command (``mysqldump``, ``tar``...).

        Args:
            argv: The program and its arguments, or one string split as a
                POSIX shell would (no shell runs: for a pipeline, give
                ``["sh", "-c", "set -o pipefail; a | b"]``).
            label: The manifest label (default: the program's name).

        The command's standard error is passed through to ours.

        Raises:
            dataprotect.errors.BackupSourceError: The program cannot run.
            dataprotect.errors.ConfigurationError: An empty command.
        """
        args = shlex.split(argv) if isinstance(argv, str) else list(argv)
        if not args or not all(isinstance(a, str) for a in args):
            msg = "the command must be a non-empty list of strings"
            raise ConfigurationError(msg)
        name = Path(args[0]).name
        # Its messages go to our stderr as they come: a command's output
        # is the caller's to see, never put in an exception.
        return cls(args, label=label or name, what=name, capture_stderr=False)

    @classmethod
    def postgres(
        cls,
        url: str,
        *,
        pg_bindir: str | os.PathLike[str] | None = None,
        options: Sequence[str] = (),
        label: str | None = None,
    ) -> DumpSource:
        """``pg_dump --format=custom`` of the database at *url*.

        The custom format restores with ``pg_restore`` (selectively, in
        parallel); :func:`rehearse_postgres` restores it for real.

        Args:
            url: A ``postgresql://`` URL.  A password in it is passed to
                ``pg_dump`` in ``PGPASSWORD``, never on its command line;
                better, keep it in ``~/.pgpass``.
            pg_bindir: The directory holding ``pg_dump``: it must be of the
                server's major version or newer (default: the newest
                ``/usr/lib/postgresql/*/bin``, else ``PATH``).
            options: More ``pg_dump`` options (``["--exclude-table=logs"]``,
                ``["--compress=0"]``...).
            label: The manifest label (default: ``"pg_dump <database>"``).

        Raises:
            dataprotect.errors.BackupSourceError: ``pg_dump`` is missing.
            dataprotect.errors.ConfigurationError: Not a postgresql:// URL.
        """
        bare, env, _ = postgres_target(url)
        database = unquote(urlsplit(bare).path.lstrip("/")) or "postgres"
        argv = [
            pg_tool("pg_dump", pg_bindir),
            "--format=custom",
            "--no-password",
            *options,
            f"--dbname={bare}",
        ]
        return cls(
            argv, label=label or f"pg_dump {database}", what="pg_dump", env=env
        )

    @classmethod
    def sqlite(
        cls,
        path: str | os.PathLike[str],
        *,
        tmpdir: str | os.PathLike[str] | None = None,
        label: str | None = None,
    ) -> DumpSource:
        """A consistent copy of the SQLite database at *path*, made with
        SQLite's online backup API while other connections keep working.

        The copy is a database file: restore it and open it.  It is made in
        a private temporary directory (mode 0700) and unlinked as soon as
        it is open, so it never outlives the process.

        .. warning::
            The unencrypted copy lies on the local disk while the backup is
            made: choose *tmpdir* on an encrypted or memory file system if
            that matters.

        Args:
            path: The database file.
            tmpdir: Where to make the copy (default: the system's).
            label: The manifest label (default: ``"sqlite <file name>"``).

        Raises:
            dataprotect.errors.BackupSourceError: *path* is missing or not
                a SQLite database.
        """
        source_path = Path(path)
        if not source_path.is_file():
            msg = f"cannot back up {source_path}: no such database file"
            raise BackupSourceError(msg)
        import sqlite3  # only here: it costs start-up time otherwise

        folder = tempfile.mkdtemp(prefix="dataprotect-sqlite-", dir=tmpdir)
        copy = Path(folder) / "copy.db"
        try:
            src = sqlite3.connect(
                f"{source_path.resolve().as_uri()}?mode=ro", uri=True
            )
            try:
                dst = sqlite3.connect(copy)
                try:
                    src.backup(dst)
                finally:
                    dst.close()
            finally:
                src.close()
            handle = copy.open("rb")
        except sqlite3.Error as exc:
            msg = f"cannot back up {source_path}: {exc}"
            raise BackupSourceError(msg) from None
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return cls(
            None,
            label=label or f"sqlite {source_path.name}",
            what="sqlite",
            file=handle,
        )

    def _finish(self) -> None:
        """At the end of the output: raise if the program failed."""
        self._done = True
        if self._proc is None:
            return
        code = self._proc.wait()
        if code == 0:
            return
        line = "" if self._stderr is None else self._stderr.last_line()
        status = (
            f"was killed by signal {-code}"
            if code < 0
            else f"exited with status {code}"
        )
        msg = f"the backup source {self._what} {status}"
        if line:
            msg += f": {line}"
        raise BackupSourceError(msg)

    def readinto(self, buf: bytearray | memoryview) -> int:
        """Read into *buf*; ``0`` at the end of a successful output.

        Raises:
            dataprotect.errors.BackupSourceError: The program failed.
        """
        if self._done:
            return 0
        n = self._out.readinto(buf)  # type: ignore[attr-defined]  # BufferedReader
        if not n:
            self._finish()
            return 0
        return int(n)

    def read(self, size: int = -1, /) -> bytes:
        """Read up to *size* bytes (all that is left when negative)."""
        if size < 0:
            chunks = []
            while chunk := self.read(1 << 20):
                chunks.append(chunk)
            return b"".join(chunks)
        buf = bytearray(size)
        n = self.readinto(buf)
        return bytes(buf[:n])

    def close(self) -> None:
        """Stop the program if it still runs; close the stream."""
        if self._proc is not None:
            stop(self._proc)
            if self._stderr is not None:
                self._stderr.last_line()
        with contextlib.suppress(OSError):
            self._out.close()

    def __enter__(self) -> DumpSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

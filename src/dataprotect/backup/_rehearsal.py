"""Restore rehearsals into PostgreSQL: restore the newest backup into a
throw-away database, run check queries, report, drop the database."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import subprocess
import time

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, cast
from urllib.parse import urlsplit

from dataprotect._atomic import atomic_write
from dataprotect.backup._format import VerifyKey, decrypt
from dataprotect.backup._identity import Identity
from dataprotect.backup._sources import (
    StderrTail,
    pg_tool,
    postgres_target,
    start,
    stop,
)
from dataprotect.backup._store import _open_backup, list_backups
from dataprotect.errors import BackupError, ConfigurationError, RehearsalError


if TYPE_CHECKING:
    from dataprotect.documents import Signer


__all__ = [
    "CheckResult",
    "RehearsalCheck",
    "RehearsalReport",
    "rehearse_postgres",
]

_REPORT_STAMP: Final = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True)
class RehearsalCheck:
    """A query run against the restored database.

    The check passes when the first column of the first row, as ``psql``
    prints it, equals *expect*: ``SELECT count(*) >= 1000 FROM orders``
    (``t``), or ``SELECT email FROM users WHERE id = 1`` with *expect*
    ``canary@example.com``.

    Attributes:
        query: One SQL statement.
        expect: The expected value (default ``"t"``, PostgreSQL's true).
        name: A short name for the report (default: the query).

    .. versionadded:: 0.1.0
    """

    query: str
    expect: str = "t"
    name: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.query, str) or not self.query.strip():  # type: ignore[redundant-expr]  # guards untyped callers
            msg = "a check's query must be a non-empty str"
            raise ConfigurationError(msg)


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one :class:`RehearsalCheck`.

    Attributes:
        check: The check.
        passed: Whether the value equals the expected one.
        value: The value the query returned (``None`` if it failed).
        error: PostgreSQL's error line when the query failed.

    .. versionadded:: 0.1.0
    """

    check: RehearsalCheck
    passed: bool
    value: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class RehearsalReport:
    """The record of a restore rehearsal (:func:`rehearse_postgres`).

    Attributes:
        backup: The backup restored (URL with its password redacted), or
            ``None`` when the destination held none.
        backup_created_at: Its manifest's creation time (when restored).
        started_at: When the rehearsal began (UTC).
        restored: Whether the backup decrypted, authenticated and restored
            into the throw-away database without error.
        duration: Seconds the whole rehearsal took.
        restore_seconds: Seconds the decrypt-and-restore took.
        size: Plaintext bytes restored.
        database: The throw-away database's name.
        checks: The outcome of every check (empty if not restored).
        reason: Why it did not restore, else ``None``.

    .. versionadded:: 0.1.0
    """

    backup: str | None
    backup_created_at: datetime | None
    started_at: datetime
    restored: bool
    duration: float
    restore_seconds: float
    size: int
    database: str
    checks: tuple[CheckResult, ...] = ()
    reason: str | None = None

    @property
    def ok(self) -> bool:
        """Restored, and every check passed."""
        return self.restored and all(c.passed for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {
            "kind": "dataprotect restore rehearsal",
            "ok": self.ok,
            "restored": self.restored,
            "backup": self.backup,
            "backup_created_at": None
            if self.backup_created_at is None
            else self.backup_created_at.isoformat(),
            "started_at": self.started_at.isoformat(),
            "duration_seconds": round(self.duration, 3),
            "restore_seconds": round(self.restore_seconds, 3),
            "size_bytes": self.size,
            "database": self.database,
            "reason": self.reason,
            "checks": [
                {
                    "name": c.check.name or c.check.query,
                    "query": c.check.query,
                    "expect": c.check.expect,
                    "value": c.value,
                    "passed": c.passed,
                    "error": c.error,
                }
                for c in self.checks
            ],
        }

    def to_json(self) -> str:
        """The report as indented JSON text."""
        return json.dumps(self.to_dict(), indent=2) + "\n"

    def to_pdf(
        self, signer: Signer | None = None, *, now: datetime | None = None
    ) -> bytes:
        """The report as a PDF, signed by *signer* (PAdES) when given.

        Needs ``dataprotect[pdf]``.

        Raises:
            dataprotect.errors.MissingDependencyError: fpdf2 or pyHanko is
                missing.
            dataprotect.errors.DocumentError: Signing failed.
        """
        from dataprotect.documents import ReportTemplate, render_report

        lines = "\n".join(
            f"{'PASS' if c.passed else 'FAIL'}  {c.check.name or c.check.query}"
            f"  (expected {c.check.expect!r}, got "
            f"{c.value if c.error is None else c.error!r})"
            for c in self.checks
        )
        template = ReportTemplate(
            title="Restore rehearsal: $verdict",
            sections=(
                (
                    "Backup",
                    "Backup: $backup\nMade: $made\nSize: $size bytes",
                ),
                (
                    "Restore",
                    (
                        "Started: $started\nRestored: $restored\n"
                        "Restore time: $restore_seconds s\nTotal time: "
                        "$duration s\nThrow-away database: $database "
                        "(dropped)$reason"
                    ),
                ),
                ("Checks", "$checks"),
            ),
        )
        fields = {
            "verdict": "passed" if self.ok else "FAILED",
            "backup": self.backup or "none found",
            "made": "-"
            if self.backup_created_at is None
            else f"{self.backup_created_at:%Y-%m-%d %H:%M:%S} UTC",
            "size": f"{self.size:,}",
            "started": f"{self.started_at:%Y-%m-%d %H:%M:%S} UTC",
            "restored": "yes" if self.restored else "no",
            "restore_seconds": f"{self.restore_seconds:.1f}",
            "duration": f"{self.duration:.1f}",
            "database": self.database,
            "reason": ""
            if self.reason is None
            else f"\nReason: {self.reason}",
            "checks": lines or "none run",
        }
        pdf = render_report(template, fields, now=now or self.started_at)
        if signer is None:
            return pdf
        from dataprotect.documents import sign_pdf

        return sign_pdf(
            pdf, signer, reason="Restore rehearsal report", now=now
        )

    def write(
        self,
        directory: str | os.PathLike[str],
        *,
        signer: Signer | None = None,
    ) -> list[Path]:
        """Write ``rehearsal-<UTC time>.json`` into *directory* and, with a
        *signer*, the signed ``rehearsal-<UTC time>.pdf`` beside it.

        Returns:
            The files written.
        """
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"rehearsal-{self.started_at.astimezone(timezone.utc):{_REPORT_STAMP}}"
        written = [folder / f"{stem}.json"]
        with atomic_write(written[0], mode=0o644) as fh:
            fh.write(self.to_json().encode())
        if signer is not None:
            written.append(folder / f"{stem}.pdf")
            pdf = self.to_pdf(signer)
            with atomic_write(written[1], mode=0o644) as fh:
                fh.write(pdf)
        return written


@dataclass
class _Server:
    """A PostgreSQL server reached with the client tools."""

    url: str
    bindir: str | os.PathLike[str] | None
    bare: str = field(init=False)
    env: dict[str, str] = field(init=False)
    shown: str = field(init=False)

    def __post_init__(self) -> None:
        self.bare, self.env, self.shown = postgres_target(self.url)

    def database_url(self, name: str) -> str:
        return urlsplit(self.bare)._replace(path=f"/{name}").geturl()

    def tool(self, name: str) -> str:
        try:
            return pg_tool(name, self.bindir)
        except BackupError as exc:
            raise RehearsalError(str(exc)) from None

    def run(
        self, tool: str, args: list[str], *, stdin: int, stdout: int
    ) -> tuple[subprocess.Popen[bytes], StderrTail]:
        """Start one of the client tools, never prompting for a password."""
        proc, tail = start(
            [self.tool(tool), "--no-password", *args],
            env=self.env,
            stdin=stdin,
            stdout=stdout,
            what=tool,
        )
        assert tail is not None  # noqa: S101 - stderr is captured
        return proc, tail

    def psql(self, url: str, sql: str) -> tuple[int, str, str]:
        """(exit status, stdout, last stderr line) of one statement."""
        proc, tail = self.run(
            "psql",
            [
                "--no-psqlrc",
                "--tuples-only",
                "--no-align",
                "--set=ON_ERROR_STOP=1",
                f"--dbname={url}",
                "--command",
                sql,
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
        )
        assert proc.stdout is not None  # noqa: S101 - stdout=PIPE
        with proc.stdout:
            out = proc.stdout.read()
        code = proc.wait()
        return code, out.decode("utf-8", "replace"), tail.last_line()


def _restore(
    server: _Server,
    source: Any,
    database: str,
    identities: Sequence[Identity],
    signers: Sequence[VerifyKey] | None,
    progress: Callable[[int], object] | None,
    storage_options: Mapping[str, Any] | None,
) -> tuple[bool, int, datetime | None, str | None]:
    """Stream the backup through ``pg_restore``: (ok, size, made, reason)."""
    proc, tail = server.run(
        "pg_restore",
        [
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            f"--dbname={server.database_url(database)}",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
    )
    assert proc.stdin is not None  # noqa: S101 - stdin=PIPE
    pipe = proc.stdin
    manifest = None
    try:
        with _open_backup(source, storage_options) as src:
            manifest = decrypt(
                src,
                cast("Any", pipe),
                identities,
                signers=signers,
                progress=progress,
            )
    except BrokenPipeError:
        pass  # pg_restore stopped reading: its status says why
    except (BackupError, OSError) as exc:
        stop(proc)
        return (
            False,
            0,
            None,
            (
                str(exc)
                if isinstance(exc, BackupError)
                else f"cannot read backup: {type(exc).__name__}"
            ),
        )
    finally:
        with contextlib.suppress(OSError):
            pipe.close()
    code = proc.wait()
    if code != 0 or manifest is None:
        return False, 0, None, f"pg_restore failed: {tail.last_line()}"
    return True, manifest.size, manifest.created_at, None


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def rehearse_postgres(
    url: str | os.PathLike[str],
    identities: Iterable[Identity],
    *,
    server: str,
    checks: Sequence[RehearsalCheck] = (),
    name: str | None = None,
    signers: Sequence[VerifyKey] | None = None,
    pg_bindir: str | os.PathLike[str] | None = None,
    now: datetime | None = None,
    progress: Callable[[int], object] | None = None,
    storage_options: Mapping[str, Any] | None = None,
) -> RehearsalReport:
    """Restore the newest backup at *url* into a throw-away PostgreSQL
    database, run *checks* against it, and drop it.

    The backup must hold a ``pg_dump --format=custom`` dump (as
    :meth:`DumpSource.postgres` makes).  The database is created on
    *server* under a fresh name (``dataprotect_rehearsal_<random>``),
    filled by ``pg_restore`` straight from the decrypting stream (no
    plaintext file), checked, and dropped whatever happened.  Point
    *server* at a dedicated rehearsal server (or a temporary cluster)
    rather than production: a restore costs its I/O.

    A backup that does not restore, or a check that fails, is recorded in
    the report, not raised: write it with :meth:`RehearsalReport.write`.

    Args:
        url: The backup destination (local path or fsspec URL).
        identities: Identities to decrypt with.
        server: A ``postgresql://`` URL of a database on the server where
            the throw-away database is made (e.g. ``.../postgres``); the
            role needs ``CREATEDB``.  A password in it is passed to the
            tools in ``PGPASSWORD``.
        checks: Queries that must give their expected value.
        name: Only this series.
        signers: The manifest must be signed by one of these keys.
        pg_bindir: The directory of ``pg_restore`` and ``psql`` (default:
            as for :meth:`DumpSource.postgres`).
        now: The rehearsal's start time for the report (default: now).
        progress: Called with the number of bytes restored.
        storage_options: Passed to fsspec.

    Returns:
        The report.

    Raises:
        dataprotect.errors.RehearsalError: The throw-away database could not
            be created, or ``pg_restore``/``psql`` is missing.
        dataprotect.errors.BackupStorageError: The listing failed.
        dataprotect.errors.ConfigurationError: *server* is not a
            postgresql:// URL, or a check is not a :class:`RehearsalCheck`.

    .. versionadded:: 0.1.0
    """
    started = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    clock = time.perf_counter()
    target = _Server(server, pg_bindir)
    checks = list(checks)
    if not all(isinstance(c, RehearsalCheck) for c in checks):
        msg = "checks must be RehearsalCheck objects"
        raise ConfigurationError(msg)
    identities = list(identities)
    infos = list_backups(url, name=name, storage_options=storage_options)
    database = f"dataprotect_rehearsal_{secrets.token_hex(6)}"
    if not infos:
        return RehearsalReport(
            None,
            None,
            started,
            False,
            time.perf_counter() - clock,
            0.0,
            0,
            database,
            reason="no backup found at the destination",
        )
    newest = infos[0]
    shown = newest.url.rstrip("/") + "/" + newest.path.rsplit("/", 1)[-1]
    code, _, error = target.psql(
        target.bare, f"CREATE DATABASE {_quote(database)}"
    )
    if code != 0:
        msg = (
            f"cannot create the rehearsal database on {target.shown}: {error}"
        )
        raise RehearsalError(msg)
    try:
        restore_start = time.perf_counter()
        restored, size, made, reason = _restore(
            target,
            newest,
            database,
            identities,
            signers,
            progress,
            storage_options,
        )
        restore_seconds = time.perf_counter() - restore_start
        results = []
        if restored:
            for check in checks:
                code, out, error = target.psql(
                    target.database_url(database), check.query
                )
                value = out.splitlines()[0].strip() if out.strip() else ""
                results.append(
                    CheckResult(check, value == check.expect, value)
                    if code == 0
                    else CheckResult(check, False, None, error)
                )
    finally:
        target.psql(target.bare, f"DROP DATABASE IF EXISTS {_quote(database)}")
    return RehearsalReport(
        shown,
        made,
        started,
        restored,
        time.perf_counter() - clock,
        restore_seconds,
        size,
        database,
        tuple(results),
        reason,
    )

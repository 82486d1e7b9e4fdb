"""Backup destinations by URL (fsspec), listing, retention and rehearsal.

A destination is a directory: a local path (the default) or any fsspec URL
(``sftp://user@host/backups``, ``s3://bucket/prefix``...).  Each backup is
one file named ``<name>-<UTC time>.dpbk``, so listing needs no key.  An
upload goes to a hidden temporary name first and is renamed on success;
listing ignores anything that is not a finished backup's name.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import time

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, BinaryIO, Final, cast
from urllib.parse import urlsplit

from dataprotect._atomic import atomic_write
from dataprotect._redact import redact_uri
from dataprotect.backup import SUFFIX
from dataprotect.backup._format import (
    Digest,
    Manifest,
    Readable,
    SigningKey,
    VerifyKey,
    decrypt,
    encrypt,
)
from dataprotect.backup._identity import Identity, Recipient
from dataprotect.backup._retention import RetentionPolicy
from dataprotect.errors import (
    BackupError,
    BackupStorageError,
    ConfigurationError,
    MissingDependencyError,
)


__all__ = [
    "BackupInfo",
    "PruneResult",
    "VerifyReport",
    "create_backup",
    "list_backups",
    "prune",
    "redact_url",
    "rehearse",
    "restore",
    "verify",
]

_NOTHING: Final = "no backup found at the destination"
_STAMP: Final = "%Y%m%dT%H%M%S.%fZ"
_NAME_RE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_FILE_RE: Final = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]{0,99})-"
    r"(?P<stamp>\d{8}T\d{6}\.\d{6}Z)\.dpbk$"
)


def redact_url(url: str) -> str:
    """*url* with its credentials masked (``[secure]``); local paths as
    they are.

    .. versionadded:: 0.1.0
    """
    return url if "://" not in url else redact_uri(url)


@dataclass(frozen=True)
class _Location:
    url: str = field(repr=False)
    fs: Any
    path: str
    local: bool

    @property
    def shown(self) -> str:
        return redact_url(self.url)

    def join(self, name: str) -> str:
        return f"{self.path.rstrip('/')}/{name}" if self.path else name


def _is_local(url: str) -> bool:
    scheme = urlsplit(url).scheme if "://" in url else ""
    return scheme in {"", "file"}


def _locate(
    url: str | os.PathLike[str], storage_options: Mapping[str, Any] | None
) -> _Location:
    text = os.fspath(url)
    if _is_local(text):
        path = text.removeprefix("file://")
        return _Location(text, None, str(Path(path)), True)
    try:
        import fsspec
    except ImportError:
        msg = "remote destinations need fsspec: install dataprotect[backup]"
        raise MissingDependencyError(msg) from None
    try:
        fs, path = fsspec.core.url_to_fs(text, **dict(storage_options or {}))
    except ImportError:
        msg = "this destination's fsspec backend is not installed (for sftp: install dataprotect[sftp])"
        raise MissingDependencyError(msg) from None
    except TypeError:
        if not storage_options:
            raise
        # An unknown keyword: name the options given, never their values.
        names = ", ".join(sorted(map(str, storage_options)))
        msg = f"this destination's backend does not accept one of the storage options {names}"
        raise ConfigurationError(msg) from None
    except Exception as exc:
        if not (isinstance(exc, ValueError) or _is_backend_error(exc)):
            raise
        msg = f"cannot open backup destination {redact_url(text)}: {_reason(exc)}"
        raise BackupStorageError(msg) from None
    return _Location(text, fs, str(path), False)


_BACKEND_MODULES: Final = frozenset(
    {"paramiko", "fsspec", "botocore", "s3fs", "gcsfs", "adlfs", "aiohttp"}
)


def _is_backend_error(exc: BaseException) -> bool:
    """Whether *exc* comes from storage (I/O or a backend library)."""
    if isinstance(exc, (OSError, EOFError)):
        return True
    return type(exc).__module__.split(".")[0] in _BACKEND_MODULES


def _reason(exc: BaseException) -> str:
    """Why storage failed, in words: the OS's text, else the error type."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return type(exc).__name__


@contextlib.contextmanager
def _storage_errors(action: str, where: _Location) -> Iterator[None]:
    try:
        yield
    except Exception as exc:  # paramiko and cloud SDKs raise their own
        if not _is_backend_error(exc):
            raise
        msg = f"cannot {action} at {where.shown}: {_reason(exc)}"
        raise BackupStorageError(msg) from None


def _tune(remote: Any) -> None:
    """Pipeline paramiko SFTP writes (no round trip per write); other
    backends are left alone.  Reads are not prefetched: paramiko's
    prefetch buffers the whole file in memory."""
    if callable(getattr(remote, "set_pipelined", None)):
        remote.set_pipelined(True)


class _Upload:
    """A remote file whose write errors become BackupStorageError (so a
    failing source is not mistaken for a failing destination)."""

    def __init__(self, remote: Any, where: _Location) -> None:
        self._remote = remote
        self._where = where

    def write(self, data: Any, /) -> int:
        with _storage_errors("upload a backup", self._where):
            self._remote.write(data)
        return len(data)


@dataclass(frozen=True)
class BackupInfo:
    """A backup found at a destination.

    Attributes:
        name: The backup's series name (``"db"`` in ``db-...dpbk``).
        created_at: When it was made (UTC), from its file name.
        path: Its path inside the destination's file system.
        url: The destination URL (password redacted).
        size: Its size in bytes, if the listing gave it.

    .. versionadded:: 0.1.0
    """

    name: str
    created_at: datetime
    path: str
    url: str
    size: int | None = None
    _location: _Location | None = field(
        default=None, repr=False, compare=False
    )


def _file_name(name: str, created: datetime) -> str:
    return (
        f"{name}-{created.astimezone(timezone.utc).strftime(_STAMP)}{SUFFIX}"
    )


def _parse_name(filename: str) -> tuple[str, datetime] | None:
    match = _FILE_RE.match(filename)
    if match is None:
        return None
    created = datetime.strptime(match["stamp"], _STAMP).replace(
        tzinfo=timezone.utc
    )
    return match["name"], created


def create_backup(
    src: Readable,
    url: str | os.PathLike[str],
    recipients: Sequence[Recipient],
    *,
    name: str = "backup",
    label: str | None = None,
    compress: bool | int = False,
    signing_key: SigningKey | None = None,
    now: datetime | None = None,
    progress: Callable[[int], object] | None = None,
    storage_options: Mapping[str, Any] | None = None,
    digest: Digest = "sha256",
    workers: int | None = None,
) -> BackupInfo:
    """Encrypt *src* into a new backup at destination *url*.

    The backup is written under a hidden temporary name and renamed to
    ``<name>-<UTC time>.dpbk`` only when complete, so a failed or
    interrupted upload never looks like a finished backup.

    Args:
        src: Readable binary file object (stdin works).
        url: A local directory or an fsspec URL (``sftp://...``).
        recipients: Who can restore it (see :func:`encrypt`).
        name: The series name, e.g. ``"db"``; letters, digits, ``._-``.
        label: Free-text source label for the manifest.
        compress: Compress with zstandard first (level or ``True``).
        signing_key: Ed25519 or ECDSA P-256 key that signs the manifest.
        now: The creation time (default: now).
        progress: Called with the number of plaintext bytes read.
        storage_options: Passed to fsspec (e.g. ``key_filename``).
        digest: ``"sha256"`` or ``None`` (see :func:`encrypt`).
        workers: Threads that seal segments in parallel (see
            :func:`encrypt`; default: one on two cores or more).

    Returns:
        The new backup.

    Raises:
        dataprotect.errors.BackupStorageError: The destination failed.
        dataprotect.errors.ConfigurationError: A bad *name* or option.

    .. versionadded:: 0.1.0
    """
    if not isinstance(name, str) or not _NAME_RE.match(name):  # type: ignore[redundant-expr]  # guards untyped callers
        msg = "name must be 1-100 letters, digits, '.', '_' or '-'"
        raise ConfigurationError(msg)
    created = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    where = _locate(url, storage_options)
    filename = _file_name(name, created)
    final = where.join(filename)
    options: dict[str, Any] = {
        "label": label,
        "compress": compress,
        "signing_key": signing_key,
        "now": created,
        "progress": progress,
        "digest": digest,
        "workers": workers,
    }
    if where.local:
        Path(where.path).mkdir(parents=True, exist_ok=True)
        with atomic_write(final) as dst:
            encrypt(src, dst, recipients, **options)
        size = Path(final).stat().st_size
    else:
        tmp = where.join(f".{filename}.{secrets.token_hex(6)}.partial")
        try:
            with _storage_errors("upload a backup", where):
                with contextlib.suppress(Exception):
                    where.fs.makedirs(where.path, exist_ok=True)
                remote = where.fs.open(tmp, "wb")
                _tune(remote)
            try:
                encrypt(
                    src,
                    cast("BinaryIO", _Upload(remote, where)),
                    recipients,
                    **options,
                )
            finally:
                with _storage_errors("upload a backup", where):
                    remote.close()
            with _storage_errors("upload a backup", where):
                where.fs.mv(tmp, final)
                size = int(where.fs.info(final).get("size") or 0)
        except BaseException:
            with contextlib.suppress(Exception):
                where.fs.rm(tmp)
            raise
    return BackupInfo(name, created, final, where.shown, size, where)


def list_backups(
    url: str | os.PathLike[str],
    *,
    name: str | None = None,
    storage_options: Mapping[str, Any] | None = None,
) -> list[BackupInfo]:
    """Every finished backup at *url* (of series *name*), newest first.

    Temporary upload names and other files are ignored.

    Raises:
        dataprotect.errors.BackupStorageError: The listing failed.

    .. versionadded:: 0.1.0
    """
    where = _locate(url, storage_options)
    found: list[BackupInfo] = []
    with _storage_errors("list backups", where):
        if where.local:
            entries = [
                (str(p), p.name, p.stat().st_size)
                for p in Path(where.path).iterdir()
                if p.is_file()
            ]
        else:
            entries = [
                (
                    str(e["name"]),
                    str(e["name"]).rsplit("/", 1)[-1],
                    e.get("size"),
                )
                for e in where.fs.ls(where.path, detail=True)
                if e.get("type") == "file"
            ]
    for path, filename, size in entries:
        parsed = _parse_name(filename)
        if parsed is None or (name is not None and parsed[0] != name):
            continue
        found.append(
            BackupInfo(parsed[0], parsed[1], path, where.shown, size, where)
        )
    found.sort(key=lambda info: (info.created_at, info.path), reverse=True)
    return found


@contextlib.contextmanager
def _open_backup(
    source: str | os.PathLike[str] | BackupInfo,
    storage_options: Mapping[str, Any] | None,
) -> Iterator[BinaryIO]:
    if isinstance(source, BackupInfo):
        where = source._location  # noqa: SLF001 - BackupInfo is defined here
        path = source.path
        if where is None:
            where = _locate(path, storage_options)
    else:
        where = _locate(source, storage_options)
        path = where.path
    if where.local:
        with Path(path).open("rb") as fh:
            yield fh
        return
    with _storage_errors("read a backup", where):
        fh = where.fs.open(path, "rb")
    try:
        yield cast("BinaryIO", _Download(fh, where))
    finally:
        with _storage_errors("read a backup", where):
            fh.close()


class _Download:
    """A remote file whose read errors become BackupStorageError."""

    def __init__(self, remote: Any, where: _Location) -> None:
        self._remote = remote
        self._where = where

    def read(self, size: int = -1, /) -> bytes:
        with _storage_errors("read a backup", self._where):
            data: bytes = self._remote.read(size)
        return data

    def readinto(self, buf: bytearray | memoryview, /) -> int:
        with _storage_errors("read a backup", self._where):
            n: int = self._remote.readinto(buf)
        return n


def restore(
    source: str | os.PathLike[str],
    dst: str | os.PathLike[str] | BinaryIO,
    identities: Iterable[Identity],
    *,
    signers: Sequence[VerifyKey] | None = None,
    progress: Callable[[int], object] | None = None,
    storage_options: Mapping[str, Any] | None = None,
) -> Manifest:
    """Restore the backup at *source* (a path or URL of one backup file).

    Args:
        source: The backup file (local path or fsspec URL).
        dst: A local path (written atomically: nothing is left behind on
            failure) or a writable binary file object.
        identities: Identities to try.
        signers: If given, the manifest must be signed by one of them.
        progress: Called with the number of plaintext bytes restored.
        storage_options: Passed to fsspec.

    Returns:
        The authenticated manifest.

    Raises:
        dataprotect.errors.BackupError: As :func:`decrypt`, or
            :class:`~dataprotect.errors.BackupStorageError`.

    .. versionadded:: 0.1.0
    """
    with _open_backup(source, storage_options) as src:
        if isinstance(dst, (str, os.PathLike)):
            with atomic_write(dst) as out:
                return decrypt(
                    src, out, identities, signers=signers, progress=progress
                )
        return decrypt(
            src, dst, identities, signers=signers, progress=progress
        )


@dataclass(frozen=True)
class VerifyReport:
    """The result of a restore rehearsal.

    Attributes:
        source: The backup checked (password redacted).
        ok: Whether it decrypted, authenticated and matched its manifest.
        size: Plaintext bytes checked.
        duration: Seconds the rehearsal took.
        created_at: The manifest's creation time (when ok).
        age: ``now - created_at`` (when ok).
        reason: Why it is not ok (a fixed message), else ``None``.
        manifest: The manifest (when ok).

    .. versionadded:: 0.1.0
    """

    source: str
    ok: bool
    size: int
    duration: float
    created_at: datetime | None = None
    age: timedelta | None = None
    reason: str | None = None
    manifest: Manifest | None = field(default=None, repr=False)


class _Counter:
    def __init__(self, progress: Callable[[int], object] | None) -> None:
        self.total = 0
        self._progress = progress

    def __call__(self, n: int) -> None:
        self.total += n
        if self._progress is not None:
            self._progress(n)


def verify(
    source: str | os.PathLike[str] | BackupInfo,
    identities: Iterable[Identity],
    *,
    signers: Sequence[VerifyKey] | None = None,
    now: datetime | None = None,
    progress: Callable[[int], object] | None = None,
    storage_options: Mapping[str, Any] | None = None,
) -> VerifyReport:
    """Rehearse a restore: decrypt the whole backup without writing any
    plaintext, checking every segment, the manifest's size and SHA-256 (and
    its signature when *signers* is given).

    Never raises for a damaged or unreadable backup: the report says why.

    Args:
        source: A backup file path or URL, or a :class:`BackupInfo`.
        identities: Identities to try.
        signers: Expected producers' public keys.
        now: The time used for the backup's age (default: now).
        progress: Called with the number of plaintext bytes checked.
        storage_options: Passed to fsspec.

    .. versionadded:: 0.1.0
    """
    identities = list(identities)
    shown = (
        source.url.rstrip("/") + "/" + source.path.rsplit("/", 1)[-1]
        if isinstance(source, BackupInfo)
        else redact_url(os.fspath(source))
    )
    counter = _Counter(progress)
    start = time.perf_counter()
    try:
        with _open_backup(source, storage_options) as src:
            manifest = decrypt(
                src, None, identities, signers=signers, progress=counter
            )
    except (BackupError, OSError) as exc:
        return VerifyReport(
            shown,
            False,
            counter.total,
            time.perf_counter() - start,
            reason=str(exc)
            if isinstance(exc, BackupError)
            else f"cannot read backup: {type(exc).__name__}",
        )
    duration = time.perf_counter() - start
    current = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return VerifyReport(
        shown,
        True,
        manifest.size,
        duration,
        manifest.created_at,
        current - manifest.created_at,
        None,
        manifest,
    )


def rehearse(
    url: str | os.PathLike[str],
    identities: Iterable[Identity],
    *,
    newest: int = 1,
    name: str | None = None,
    signers: Sequence[VerifyKey] | None = None,
    now: datetime | None = None,
    storage_options: Mapping[str, Any] | None = None,
) -> list[VerifyReport]:
    """Rehearse restores of the *newest* backups at destination *url*.

    Returns one :class:`VerifyReport` per backup, newest first: *newest*
    of them, or every backup when the destination holds fewer (compare
    ``len(reports)`` when a count matters).  A
    destination (or series *name*) without any backup is never a pass: it
    gives one report, not ok, with the reason ``"no backup found at the
    destination"``, so ``all(r.ok for r in reports)`` is False.

    Raises:
        dataprotect.errors.BackupStorageError: The listing failed.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.1.0
       An empty destination gives a failed report, not an empty list.
    """
    if newest < 1:
        msg = "newest must be at least 1"
        raise ConfigurationError(msg)
    identities = list(identities)
    infos = list_backups(url, name=name, storage_options=storage_options)
    if not infos:
        shown = redact_url(os.fspath(url))
        return [VerifyReport(shown, False, 0, 0.0, reason=_NOTHING)]
    return [
        verify(info, identities, signers=signers, now=now)
        for info in infos[:newest]
    ]


@dataclass(frozen=True)
class PruneResult:
    """What :func:`prune` kept and removed (or would, in a dry run).

    Attributes:
        keep: Backups kept, newest first.
        remove: Backups removed (or to remove), newest first.
        reasons: For each kept backup's path, the rules that kept it.
        dry_run: ``True`` if nothing was deleted.

    .. versionadded:: 0.1.0
    """

    keep: list[BackupInfo]
    remove: list[BackupInfo]
    reasons: dict[str, list[str]]
    dry_run: bool


def prune(
    url: str | os.PathLike[str],
    policy: RetentionPolicy,
    *,
    name: str | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
    storage_options: Mapping[str, Any] | None = None,
) -> PruneResult:
    """Delete the backups at *url* that *policy* does not keep.

    Deletes exactly what ``policy.select(...)``'s plan removes, never the
    newest backup, and nothing at all if the listing fails.

    Args:
        url: The destination.
        policy: A :class:`RetentionPolicy`.
        name: Only consider this series (recommended when several share a
            destination).
        dry_run: Compute the plan but delete nothing.
        now: Passed to ``policy.select``.
        storage_options: Passed to fsspec.

    Raises:
        dataprotect.errors.BackupStorageError: Listing or deleting failed
            (deletion stops at the first failure).

    .. versionadded:: 0.1.0
    """
    where = _locate(url, storage_options)
    infos = list_backups(url, name=name, storage_options=storage_options)
    if not infos:
        return PruneResult([], [], {}, dry_run)
    plan = policy.select(
        infos, key=lambda info: info.created_at.astimezone(), now=now
    )
    keep = list(plan.keep)
    remove = list(plan.remove)
    reasons = {info.path: list(why) for info, why in plan.explain()}
    newest = infos[0]
    if newest in remove or newest not in keep:
        msg = "retention plan would remove the newest backup; refusing"
        raise BackupError(msg)
    if not dry_run:
        with _storage_errors("delete a backup", where):
            for info in remove:
                if where.local:
                    Path(info.path).unlink()
                else:
                    where.fs.rm(info.path)
    return PruneResult(keep, remove, reasons, dry_run)

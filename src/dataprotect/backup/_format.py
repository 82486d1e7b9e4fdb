"""The backup container, version 1 (``docs/formats/backup.md``).

::

    header   "DPBK" | version 0x01 | flags | log2(segment size) | nonce (16)
             | stanza count (1) | stanzas: type (1) | length (2, BE) | body
             | HMAC-SHA-256 over everything before it (32)
    payload  STREAM over AES-256-GCM of  data | manifest | signature
             | manifest length (4, BE) | signature length (2, BE)

The file key (32 random bytes) is wrapped once per recipient.  The header
MAC key is ``derive(file_key, "backup-header-mac")``; the payload key and
7-byte nonce prefix are ``derive(file_key, "backup-payload", nonce.hex(),
length=39)``; every segment's associated data is the header MAC.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import struct

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import (
    TYPE_CHECKING,
    Any,
    BinaryIO,
    Final,
    Literal,
    Protocol,
    TypeAlias,
)

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from dataprotect import _kdf, _stream
from dataprotect._atomic import atomic_write
from dataprotect.backup._digest import PlaintextDigest, SizeOnly
from dataprotect.backup._identity import FILE_KEY_SIZE, Identity, Recipient
from dataprotect.errors import (
    BackupFormatError,
    BackupIntegrityError,
    BackupSignatureError,
    ConfigurationError,
    DecryptionError,
    MissingDependencyError,
    NoIdentityError,
)


if TYPE_CHECKING:
    pass


__all__ = [
    "DEFAULT_SEGMENT_SIZE",
    "MAGIC",
    "VERSION",
    "VERSION_NO_DIGEST",
    "Manifest",
    "Readable",
    "SignatureAlgorithm",
    "SigningKey",
    "VerifyKey",
    "decrypt",
    "decrypt_file",
    "encrypt",
    "encrypt_file",
]

MAGIC: Final = b"DPBK"
VERSION: Final = 1
#: Version 1 with no plaintext digest in the manifest (``digest=None``).
VERSION_NO_DIGEST: Final = 2
DEFAULT_SEGMENT_SIZE: Final = 1 << 17
FLAG_ZSTD: Final = 0x01
_FIXED: Final = struct.Struct(">4sBBB16sB")
_STANZA: Final = struct.Struct(">BH")
_TRAILER: Final = struct.Struct(">IH")
_MAC_SIZE: Final = 32
_MAX_MANIFEST: Final = 16384
_MAX_SIGNATURE: Final = 256
_HOLD: Final = _MAX_MANIFEST + _MAX_SIGNATURE + _TRAILER.size
_MAX_LABEL: Final = 1024
_MAX_STANZAS: Final = 255
# The largest stanza written (ML-KEM-768+X25519) is 1168 bytes; a reader
# refuses more, so an unauthenticated header is at most about 1 MiB.
_MAX_STANZA_BODY: Final = 4096
_MAX_PASSPHRASE_TRIES: Final = 4
# Levels above 19 need windows of up to 128 MiB; the reader refuses frames
# whose window exceeds 8 MiB, so memory stays bounded for hostile input.
_MAX_ZSTD_LEVEL: Final = 19
_MAX_ZSTD_WINDOW_LOG: Final = 23
_SIGN_CONTEXT: Final = b"dataprotect/v1/backup/manifest-signature\x00"

_FAILED: Final = "backup failed authentication"
_NOT_BACKUP: Final = "not a dataprotect backup"
_NO_IDENTITY: Final = "no identity matches any recipient of this backup"
_BAD_SIGNATURE: Final = "backup manifest is not signed by an expected producer"

SigningKey: TypeAlias = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey
VerifyKey: TypeAlias = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey
SignatureAlgorithm: TypeAlias = str


class Readable(Protocol):
    """What a backup reads from: any object with ``read(size)`` (a file,
    a pipe, a :class:`DumpSource`); ``readinto`` is used when present."""

    def read(self, size: int, /) -> bytes:
        """Up to *size* bytes; ``b""`` at the end."""
        ...  # pragma: no cover - a protocol


#: The manifest's plaintext digest: SHA-256, or none at all.
Digest: TypeAlias = Literal["sha256"] | None
_Hasher: TypeAlias = PlaintextDigest | SizeOnly


@dataclass(frozen=True)
class Manifest:
    """What a backup says about its content, authenticated with it.

    Attributes:
        created_at: When the backup was made (UTC).
        size: Plaintext size in bytes.
        sha256: SHA-256 of the plaintext, or ``None`` for a backup made
            with ``digest=None`` (format version 2).
        label: The producer's free-text source label (e.g. ``"pg_dump
            shop"``), or ``None``.
        compression: ``"zstd"`` or ``None``.
        signature_algorithm: ``"ed25519"``, ``"ecdsa-p256-sha256"`` or
            ``None`` when unsigned.
        signer: The producer's raw public key when signed.
        signature_verified: ``True`` when the signature was checked against
            one of the expected *signers*.

    .. versionadded:: 0.1.0
    """

    created_at: datetime
    size: int
    sha256: bytes | None
    label: str | None = None
    compression: str | None = None
    signature_algorithm: str | None = None
    signer: bytes | None = None
    signature_verified: bool = False


# -- signatures ---------------------------------------------------------


def _public_raw(key: SigningKey | VerifyKey) -> tuple[str, bytes]:
    if isinstance(key, (ed25519.Ed25519PrivateKey, ed25519.Ed25519PublicKey)):
        pub = (
            key.public_key()
            if isinstance(key, ed25519.Ed25519PrivateKey)
            else key
        )
        return "ed25519", pub.public_bytes_raw()
    if isinstance(
        key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)
    ):
        if not isinstance(key.curve, ec.SECP256R1):
            msg = "ECDSA signing keys must be on P-256"
            raise ConfigurationError(msg)
        ecpub = (
            key.public_key()
            if isinstance(key, ec.EllipticCurvePrivateKey)
            else key
        )
        # Imported here: it loads the SSH and PKCS#12 code (30 ms), which
        # a backup without a P-256 signature never needs.
        from cryptography.hazmat.primitives import serialization

        return "ecdsa-p256-sha256", ecpub.public_bytes(
            serialization.Encoding.X962,
            serialization.PublicFormat.CompressedPoint,
        )
    msg = "signing keys must be Ed25519 or ECDSA P-256 keys"  # type: ignore[unreachable]  # guards untyped callers
    raise TypeError(msg)


def _sign(key: SigningKey, message: bytes) -> bytes:
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(message)
    return key.sign(message, ec.ECDSA(hashes.SHA256()))


def _verify(alg: str, raw: bytes, signature: bytes, message: bytes) -> bool:
    try:
        if alg == "ed25519":
            ed25519.Ed25519PublicKey.from_public_bytes(raw).verify(
                signature, message
            )
        elif alg == "ecdsa-p256-sha256":
            ec.EllipticCurvePublicKey.from_encoded_point(
                ec.SECP256R1(), raw
            ).verify(signature, message, ec.ECDSA(hashes.SHA256()))
        else:
            return False
    except (InvalidSignature, ValueError):
        return False
    return True


# -- encryption -----------------------------------------------------------


def _zstd() -> Any:
    try:
        import zstandard
    except ImportError:
        msg = "compression needs zstandard: install dataprotect[zstd]"
        raise MissingDependencyError(msg) from None
    return zstandard


class _HashingReader:
    """Reads *src*, hashing and counting what passes."""

    def __init__(
        self,
        src: Readable,
        hasher: _Hasher,
        progress: Callable[[int], object] | None,
    ) -> None:
        self._src = src
        self._hasher = hasher
        self._progress = progress

    def readinto(self, buf: bytearray | memoryview) -> int:
        view = memoryview(buf).cast("B")
        readinto = getattr(self._src, "readinto", None)
        if readinto is not None:
            n = readinto(view) or 0
        else:
            data = self._src.read(len(view))
            n = len(data)
            view[:n] = data
        if n:
            self._hasher.update(view[:n])
            if self._progress is not None:
                self._progress(n)
        return n

    def read(self, size: int) -> bytes:
        # zstandard's stream_reader asks for read_size bytes at a time.
        buf = bytearray(size)
        n = self.readinto(buf)
        return bytes(buf[:n])


def _check_segment(segment_size: int) -> int:
    log = segment_size.bit_length() - 1
    if not 12 <= log <= 24 or segment_size != 1 << log:
        msg = "segment_size must be a power of two from 4 KiB to 16 MiB"
        raise ConfigurationError(msg)
    return log


def _keys(file_key: bytes, nonce: bytes) -> tuple[AESGCM, bytes]:
    okm = _kdf.derive(file_key, "backup-payload", nonce.hex(), length=39)
    return AESGCM(okm[:32]), okm[32:]


def _mac(file_key: bytes, header: bytes) -> bytes:
    key = _kdf.derive(file_key, "backup-header-mac")
    return hmac.new(key, header, hashlib.sha256).digest()


def _manifest_json(doc: dict[str, object]) -> bytes:
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()


def _version(digest: object) -> int:
    """The container version for *digest* (2: no plaintext digest)."""
    if digest not in ("sha256", None):
        msg = "digest must be 'sha256' or None"
        raise ConfigurationError(msg)
    return VERSION if digest else VERSION_NO_DIGEST


def _workers(workers: int | None) -> int:
    if workers is None:
        return _stream.default_workers()
    if type(workers) is not int or workers < 0:
        msg = "workers must be None or a whole number from 0"
        raise ConfigurationError(msg)
    return workers


def _check_label(label: str | None) -> None:
    if label is not None and (
        not isinstance(label, str)  # type: ignore[redundant-expr]  # guards untyped callers
        or len(label) > _MAX_LABEL
    ):
        msg = "label must be a str of at most 1024 characters"
        raise ConfigurationError(msg)


def encrypt(
    src: Readable,
    dst: BinaryIO,
    recipients: Sequence[Recipient],
    *,
    label: str | None = None,
    compress: bool | int = False,
    signing_key: SigningKey | None = None,
    segment_size: int = DEFAULT_SEGMENT_SIZE,
    now: datetime | None = None,
    progress: Callable[[int], object] | None = None,
    digest: Digest = "sha256",
    workers: int | None = None,
) -> Manifest:
    """Encrypt *src* into a backup in *dst*, readable by every recipient.

    Memory stays constant (a few megabytes) whatever the size of *src*.

    Args:
        src: Readable binary file object (a pipe works).
        dst: Writable binary file object.
        recipients: One or more :class:`HPKERecipient`,
            :class:`PassphraseRecipient` or :class:`KeyringRecipient`.
        label: Free-text source label stored in the manifest.
        compress: ``True`` or a zstandard level to compress before
            encrypting (needs ``dataprotect[zstd]``).
        signing_key: An Ed25519 or ECDSA P-256 private key that signs the
            manifest, so a restore can prove which machine made the backup.
        segment_size: Plaintext bytes per STREAM segment (power of two,
            4 KiB to 16 MiB; the default, 128 KiB, keeps the buffers in
            the second-level cache, which is faster than larger segments).
        now: The creation time to record (default: the current time).
        progress: Called with the number of plaintext bytes read.
        digest: ``"sha256"`` (the default) records the SHA-256 of the
            plaintext in the manifest, comparable with ``sha256sum`` of the
            source, computed on a thread of its own beside the cipher
            when *workers* run.
            ``None`` records none, for speed: the backup is still fully
            authenticated (every segment and the manifest), but is written
            as format version 2, which releases before 0.1.0 cannot read.
        workers: Threads that seal segments beside the thread that reads
            and writes (the output is the same byte for byte); ``None``
            (the default) uses one where the process may run on two
            cores or more, whatever the load, and none on one core; ``0``
            does all the work in the calling thread.
            With workers, the SHA-256 runs on a thread of its own,
            straight from the read buffers.  An input of one batch
            (1 MiB, or one segment if larger) starts no thread at all.

    Returns:
        The manifest written into the backup.

    Raises:
        dataprotect.errors.ConfigurationError: No recipients, too many, a
            bad segment size, label or digest.
        dataprotect.errors.MissingDependencyError: *compress* without
            zstandard.

    .. versionadded:: 0.1.0
    """
    recipients = list(recipients)
    if not recipients or len(recipients) > _MAX_STANZAS:
        msg = "recipients must hold 1 to 255 recipients"
        raise ConfigurationError(msg)
    _check_label(label)
    log = _check_segment(segment_size)
    version = _version(digest)
    threads = _workers(workers)
    created = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    signer = None if signing_key is None else _public_raw(signing_key)
    flags = FLAG_ZSTD if compress is not False else 0
    level = 3 if isinstance(compress, bool) else compress
    if not 1 <= level <= _MAX_ZSTD_LEVEL:
        msg = "compress must be a bool or a zstandard level from 1 to 19"
        raise ConfigurationError(msg)

    file_key = os.urandom(FILE_KEY_SIZE)
    nonce = os.urandom(16)
    header = bytearray(
        _FIXED.pack(MAGIC, version, flags, log, nonce, len(recipients))
    )
    for recipient in recipients:
        stanza_type, body = recipient._wrap(file_key)  # noqa: SLF001 - the Recipient protocol's hook
        if len(body) > _MAX_STANZA_BODY:  # pragma: no cover - own recipients
            msg = "a recipient stanza exceeds 4096 bytes"
            raise ConfigurationError(msg)
        header += _STANZA.pack(stanza_type, len(body)) + body
    mac = _mac(file_key, bytes(header))
    header += mac
    header_hash = hashlib.sha256(header).digest()
    aead, prefix = _keys(file_key, nonce)

    # Uncompressed, the pipeline hands the data to SHA-256 straight from
    # its buffers (on a thread of its own when workers run); compressed,
    # the hash sees the data before zstandard does, copied to the
    # digest's thread.
    sha = hashlib.sha256() if digest and not flags & FLAG_ZSTD else None
    hasher: _Hasher = (
        PlaintextDigest() if digest and sha is None else SizeOnly()
    )
    inner: Any = src
    if flags & FLAG_ZSTD:
        inner = (
            _zstd()
            .ZstdCompressor(level=level)
            .stream_reader(
                _HashingReader(src, hasher, progress),
                read_size=1 << 20,
                closefd=False,
            )
        )
    result: list[Manifest] = []

    def trailer(count: int) -> bytes:
        size = hasher.size if flags & FLAG_ZSTD else count
        value = sha.digest() if sha is not None else hasher.digest()
        doc: dict[str, object] = {
            "v": version,
            "created": created.isoformat(timespec="microseconds"),
            "size": size,
            "sha256": None if value is None else value.hex(),
            "label": label,
            "compression": "zstd" if flags & FLAG_ZSTD else None,
            "signature": None
            if signer is None
            else {
                "alg": signer[0],
                "key": base64.b64encode(signer[1]).decode(),
            },
        }
        manifest = _manifest_json(doc)
        signature = b""
        if signing_key is not None:
            signature = _sign(
                signing_key, _SIGN_CONTEXT + header_hash + manifest
            )
        result.append(
            Manifest(
                created,
                size,
                value,
                label,
                "zstd" if flags & FLAG_ZSTD else None,
                None if signer is None else signer[0],
                None if signer is None else signer[1],
            )
        )
        return (
            manifest + signature + _TRAILER.pack(len(manifest), len(signature))
        )

    dst.write(bytes(header))
    try:
        _stream.seal_stream(
            aead,
            inner,
            dst,
            segment_size=segment_size,
            prefix=prefix,
            associated_data=mac,
            progress=None if flags & FLAG_ZSTD else progress,
            workers=threads,
            tap=None if sha is None else sha.update,
            trailer=trailer,
        )
    finally:
        hasher.close()
    return result[0]


# -- decryption -----------------------------------------------------------


class _Writer(Protocol):
    def write(self, data: Any, /) -> object: ...


class _Discard:
    def write(self, data: Any, /) -> int:
        return len(data)


class _Sink:
    """Final stage: hash, count and write the plaintext."""

    def __init__(
        self,
        dst: _Writer,
        hasher: _Hasher,
        progress: Callable[[int], object] | None,
    ) -> None:
        self._dst = dst
        self._hasher = hasher
        self._progress = progress

    def write(self, data: Any, /) -> int:
        self._hasher.update(data)
        self._dst.write(data)
        if self._progress is not None:
            self._progress(len(data))
        return len(data)


class _Splitter:
    """Passes authenticated plaintext on, holding back the last bytes
    (where the trailer sits) until the stream ends."""

    def __init__(self, out: _Writer) -> None:
        self._out = out
        self._tail = bytearray()

    def write(self, data: memoryview, /) -> int:
        n = len(data)
        if n >= _HOLD:
            if self._tail:
                self._out.write(memoryview(self._tail))
            self._out.write(data[: n - _HOLD])
            self._tail = bytearray(data[n - _HOLD :])
        else:
            self._tail += data
            extra = len(self._tail) - _HOLD
            if extra > 0:
                self._out.write(memoryview(self._tail)[:extra])
                del self._tail[:extra]
        return n

    def finish(self) -> tuple[bytes, bytes]:
        """Flush the data left in the tail; return (manifest, signature)."""
        tail = self._tail
        if len(tail) < _TRAILER.size:
            raise BackupIntegrityError(_FAILED)
        mlen, slen = _TRAILER.unpack_from(tail, len(tail) - _TRAILER.size)
        total = mlen + slen + _TRAILER.size
        if mlen > _MAX_MANIFEST or slen > _MAX_SIGNATURE or total > len(tail):
            raise BackupIntegrityError(_FAILED)
        start = len(tail) - total
        if start:
            self._out.write(memoryview(tail)[:start])
        return bytes(tail[start : start + mlen]), bytes(
            tail[start + mlen : start + mlen + slen]
        )


@dataclass(frozen=True)
class _Header:
    raw: bytes
    flags: int
    segment_size: int
    nonce: bytes
    stanzas: list[tuple[int, bytes]]
    mac: bytes
    version: int = VERSION


def _read_exact(src: BinaryIO, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = src.read(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def read_header(src: BinaryIO) -> _Header:
    """Parse a header (without checking its MAC)."""
    fixed = _read_exact(src, _FIXED.size)
    if fixed[:4] != MAGIC[: len(fixed)] or len(fixed) < 5:
        raise BackupFormatError(_NOT_BACKUP)
    if fixed[4] not in (VERSION, VERSION_NO_DIGEST):
        msg = "unsupported backup format version"
        raise BackupFormatError(msg)
    if len(fixed) < _FIXED.size:
        raise BackupIntegrityError(_FAILED)
    _, _, flags, log, nonce, count = _FIXED.unpack(fixed)
    if flags & ~FLAG_ZSTD or not 12 <= log <= 24 or count == 0:
        raise BackupIntegrityError(_FAILED)
    raw = bytearray(fixed)
    stanzas = []
    for _ in range(count):
        head = _read_exact(src, _STANZA.size)
        if len(head) < _STANZA.size:
            raise BackupIntegrityError(_FAILED)
        stanza_type, length = _STANZA.unpack(head)
        if length > _MAX_STANZA_BODY:
            msg = "backup header stanza exceeds 4096 bytes"
            raise BackupFormatError(msg)
        body = _read_exact(src, length)
        if len(body) < length:
            raise BackupIntegrityError(_FAILED)
        raw += head + body
        stanzas.append((stanza_type, body))
    mac = _read_exact(src, _MAC_SIZE)
    if len(mac) < _MAC_SIZE:
        raise BackupIntegrityError(_FAILED)
    return _Header(bytes(raw), flags, 1 << log, nonce, stanzas, mac, fixed[4])


def _file_key(header: _Header, identities: Sequence[Identity]) -> bytes:
    from dataprotect.backup._identity import STANZA_PASSPHRASE

    tries = 0
    # A stanza an identity refuses to work on (KDF costs over its bounds)
    # does not stop the search: the error is raised if nothing opens.
    refused: BackupFormatError | None = None
    for stanza_type, body in header.stanzas:
        if stanza_type == STANZA_PASSPHRASE:
            tries += 1
            if tries > _MAX_PASSPHRASE_TRIES:
                continue
        for identity in identities:
            try:
                key = identity._unwrap(stanza_type, body)  # noqa: SLF001 - the Identity protocol's hook
            except BackupFormatError as exc:
                refused = exc
                continue
            if key is not None and hmac.compare_digest(
                _mac(key, header.raw), header.mac
            ):
                return key
            if key is not None:
                raise BackupIntegrityError(_FAILED)
    if refused is not None:
        raise refused
    raise NoIdentityError(_NO_IDENTITY)


def _parse_manifest(
    manifest: bytes,
    signature: bytes,
    header_hash: bytes,
    signers: Sequence[VerifyKey] | None,
    version: int,
) -> Manifest:
    try:
        doc = json.loads(manifest)
        created = datetime.fromisoformat(doc["created"])
        size = int(doc["size"])
        # Version 2 (digest=None) has "v": 2 and no digest; version 1 has
        # a SHA-256 (its "v" is not checked: 0.1.0 did not either).
        if version == VERSION_NO_DIGEST:
            if doc["v"] != VERSION_NO_DIGEST or doc["sha256"] is not None:
                raise ValueError  # noqa: TRY301 - one path for every malformed manifest
            digest = None
        else:
            digest = bytes.fromhex(doc["sha256"])
        label = doc["label"]
        compression = doc["compression"]
        sig = doc["signature"]
        alg = None if sig is None else str(sig["alg"])
        raw = (
            None
            if sig is None
            else base64.b64decode(sig["key"], validate=True)
        )
    except (ValueError, KeyError, TypeError, RecursionError, OverflowError):
        # RecursionError: deeply nested JSON; OverflowError: Infinity.
        raise BackupIntegrityError(_FAILED) from None
    if (
        size < 0
        or created.tzinfo is None
        or not isinstance(label, str | None)
        or compression not in (None, "zstd")
    ):
        raise BackupIntegrityError(_FAILED)
    verified = False
    if alg is not None and raw is not None:
        if not _verify(
            alg, raw, signature, _SIGN_CONTEXT + header_hash + manifest
        ):
            raise BackupSignatureError(_BAD_SIGNATURE)
        if signers is not None:
            expected = {_public_raw(k) for k in signers}
            if (alg, raw) not in expected:
                raise BackupSignatureError(_BAD_SIGNATURE)
            verified = True
    elif signers is not None:
        raise BackupSignatureError(_BAD_SIGNATURE)
    return Manifest(
        created, size, digest, label, compression, alg, raw, verified
    )


def decrypt(
    src: BinaryIO,
    dst: BinaryIO | None,
    identities: Iterable[Identity],
    *,
    signers: Sequence[VerifyKey] | None = None,
    progress: Callable[[int], object] | None = None,
) -> Manifest:
    """Decrypt the backup in *src* into *dst*; return its manifest.

    Only authenticated segments are written to *dst*.  Truncation and a
    manifest mismatch are detected at the end, after earlier plaintext was
    written: discard *dst* on error (:func:`decrypt_file` does).

    Args:
        src: Readable binary file object holding a backup.
        dst: Writable binary file object, or ``None`` to check the backup
            without writing plaintext anywhere.
        identities: Identities to try (:class:`HPKEIdentity`,
            :class:`PassphraseRecipient`, :class:`KeyringRecipient`).
        signers: If given, the manifest must be signed by one of these
            Ed25519 or ECDSA P-256 public keys.
        progress: Called with the number of plaintext bytes restored.

    Raises:
        dataprotect.errors.BackupFormatError: Not a backup, an
            unsupported version, or (when no other stanza opens) a
            passphrase stanza asking for more KDF work than the
            :class:`PassphraseRecipient` accepts, refused before any work.
        dataprotect.errors.NoIdentityError: No identity opens a stanza.
        dataprotect.errors.BackupError: Not enough memory for a passphrase
            stanza's KDF.
        dataprotect.errors.BackupIntegrityError: Any modification,
            truncation or extension, or a manifest mismatch.
        dataprotect.errors.BackupSignatureError: *signers* given and the
            manifest is not signed by one of them.

    .. versionadded:: 0.1.0
    """
    identities = list(identities)
    if not identities:
        msg = "identities must not be empty"
        raise ConfigurationError(msg)
    header = read_header(src)
    file_key = _file_key(header, identities)
    aead, prefix = _keys(file_key, header.nonce)
    header_hash = hashlib.sha256(header.raw + header.mac).digest()
    hasher: _Hasher = (
        SizeOnly()
        if header.version == VERSION_NO_DIGEST
        else PlaintextDigest()
    )
    sink = _Sink(_Discard() if dst is None else dst, hasher, progress)
    decompressor: Any = None
    stage: _Writer = sink
    zstd_error: type[Exception] = DecryptionError
    if header.flags & FLAG_ZSTD:
        zstd = _zstd()
        zstd_error = zstd.ZstdError
        decompressor = zstd.ZstdDecompressor(
            max_window_size=1 << _MAX_ZSTD_WINDOW_LOG
        ).stream_writer(
            sink, write_size=1 << 20, write_return_read=True, closefd=False
        )
        stage = decompressor
    splitter = _Splitter(stage)
    try:
        _stream.open_stream(
            aead,
            src,
            splitter,
            segment_size=header.segment_size,
            prefix=prefix,
            associated_data=header.mac,
        )
        manifest_bytes, signature = splitter.finish()
        if decompressor is not None:
            decompressor.flush()
    except (DecryptionError, zstd_error):
        # A zstd error means an authenticated but invalid frame: a broken
        # or hostile producer (or a window over 8 MiB).
        raise BackupIntegrityError(_FAILED) from None
    finally:
        hasher.close()
    digest = hasher.digest()
    manifest = _parse_manifest(
        manifest_bytes, signature, header_hash, signers, header.version
    )
    if manifest.size != hasher.size or (
        digest is not None
        and not hmac.compare_digest(manifest.sha256 or b"", digest)
    ):
        raise BackupIntegrityError(_FAILED)
    if bool(header.flags & FLAG_ZSTD) != (manifest.compression == "zstd"):
        raise BackupIntegrityError(_FAILED)
    return manifest


def encrypt_file(
    src_path: str | os.PathLike[str],
    dst_path: str | os.PathLike[str],
    recipients: Sequence[Recipient],
    *,
    label: str | None = None,
    compress: bool | int = False,
    signing_key: SigningKey | None = None,
    segment_size: int = DEFAULT_SEGMENT_SIZE,
    now: datetime | None = None,
    progress: Callable[[int], object] | None = None,
    digest: Digest = "sha256",
    workers: int | None = None,
) -> Manifest:
    """Encrypt a file; *dst_path* appears only when complete (mode 0600).

    Takes the options of :func:`encrypt`.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.1.0
        *digest*, *workers*.
    """
    with Path(src_path).open("rb") as src, atomic_write(dst_path) as dst:
        return encrypt(
            src,
            dst,
            recipients,
            label=label,
            compress=compress,
            signing_key=signing_key,
            segment_size=segment_size,
            now=now,
            progress=progress,
            digest=digest,
            workers=workers,
        )


def decrypt_file(
    src_path: str | os.PathLike[str],
    dst_path: str | os.PathLike[str],
    identities: Iterable[Identity],
    *,
    signers: Sequence[VerifyKey] | None = None,
    progress: Callable[[int], object] | None = None,
) -> Manifest:
    """Decrypt a backup file; on any failure no output file is left behind.

    Takes the options of :func:`decrypt`.

    Raises:
        dataprotect.errors.BackupError: As :func:`decrypt`.

    .. versionadded:: 0.1.0
    """
    with Path(src_path).open("rb") as src, atomic_write(dst_path) as dst:
        return decrypt(
            src, dst, identities, signers=signers, progress=progress
        )

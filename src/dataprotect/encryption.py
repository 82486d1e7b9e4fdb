"""Encryption at rest: messages, database columns, streams and files.

:class:`Encryptor` encrypts under XAES-256-GCM with a random 192-bit nonce,
keyed by the primary key's own HKDF subkey for encryption (never the
keyring key itself, see ``dataprotect._kdf``), and binds a *context* (e.g.
``b"users.email:42"``) as associated data, so a ciphertext moved to another
row or column does not decrypt.  Streams and files use the STREAM
construction under a fresh per-stream subkey.  :class:`BlindIndex` makes
keyed digests for equality look-ups on encrypted columns.

The byte formats are specified in ``docs/formats/encryption.md``.
"""

from __future__ import annotations

import os
import struct

from collections.abc import Callable
from typing import BinaryIO, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from dataprotect import _stream, keys
from dataprotect._atomic import atomic_write
from dataprotect._encoding import b64decode, b64encode
from dataprotect._secret import (
    Unpicklable,
    check_bytes,
    check_type,
    encode_secret,
)
from dataprotect._xaes import XAES256GCM
from dataprotect.errors import ConfigurationError, DecryptionError
from dataprotect.keys import Keyring


__all__ = ["XAES256GCM", "BlindIndex", "Encryptor"]

# Version 2 encrypts under the key's "encryption" subkey; version 1 used the
# keyring key itself and is only read (docs/formats/encryption.md).
_VERSION: Final = 2
_LEGACY_VERSION: Final = 1
_VERSIONS: Final = frozenset({_VERSION, _LEGACY_VERSION})
_HEADER: Final = struct.Struct(">BI")  # version, key id
_NONCE_SIZE: Final = XAES256GCM.NONCE_SIZE
_PREFIX: Final = _HEADER.size + 12  # header and the nonce's first half
_BODY: Final = _HEADER.size + _NONCE_SIZE
_OVERHEAD: Final = _BODY + _stream.TAG_SIZE
_STREAM_MAGIC: Final = b"DPS" + bytes([_VERSION])
_LEGACY_STREAM_MAGIC: Final = b"DPS" + bytes([_LEGACY_VERSION])
_STREAM_HEADER: Final = struct.Struct(
    ">4sII24s"
)  # magic, key id, segment, nonce
_MIN_SEGMENT: Final = 4096
_MAX_SEGMENT: Final = 16 * 1024 * 1024
_FAILED: Final = "decryption failed"

_BATCH: Final = 1 << 16

#: Default plaintext bytes per STREAM segment (1 MiB).
DEFAULT_SEGMENT_SIZE: Final = 1024 * 1024


class _Batch:
    """Messages that share the first 12 nonce bytes, hence one subkey.

    XAES-256-GCM derives its AES-256-GCM subkey from the first half of the
    24-byte nonce only.  ``Encryptor`` draws that half at random once per
    batch of at most ``_BATCH`` messages and the second half (the AES-GCM
    nonce) at random for every message, so it derives a subkey per batch
    instead of per message.  Every nonce is still uniformly random in its
    batch: 2^16 random 96-bit GCM nonces per subkey collide with
    probability below 2^-65.
    """

    __slots__ = ("aead", "generation", "head", "header", "left")

    def __init__(
        self, generation: int, header: bytes, head: bytes, aead: AESGCM
    ) -> None:
        self.generation = generation
        self.header = header
        self.head = head
        self.aead = aead
        self.left = _BATCH


class Encryptor(Unpicklable):
    """Encrypt and decrypt with a keyring, binding a context.

    The newest (primary) key encrypts; every active key decrypts.

    Args:
        keyring: The keys.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_batch", "_keyring", "_last_opened")

    def __init__(self, keyring: Keyring) -> None:
        self._keyring = check_type("keyring", keyring, Keyring)
        # The hot path: the primary key's header and current subkey batch.
        self._batch: _Batch | None = None
        # The subkey of the last batch decrypted: (generation, its first 17
        # bytes -- version, key id, first nonce half -- AES-GCM).  Rows
        # written together open together; versions never share an entry.
        self._last_opened: tuple[int, bytes, AESGCM] | None = None

    def __repr__(self) -> str:
        return f"<Encryptor primary={self._keyring.primary_id:#010x}>"

    @property
    def keyring(self) -> Keyring:
        """The keyring this encryptor uses (for example to make a
        :class:`BlindIndex` under the same keys).

        .. versionadded:: 0.1.0
        """
        return self._keyring

    def _cipher(self, key_id: int, version: int = _VERSION) -> XAES256GCM:
        # KeyNotFoundError for unknown, retired or destroyed keys.
        if version == _VERSION:
            return keys.cipher(self._keyring, key_id)
        return keys.legacy_cipher(self._keyring, key_id)

    # -- messages ------------------------------------------------------

    def encrypt(self, plaintext: bytes, context: bytes = b"") -> bytes:
        """Encrypt *plaintext* under the primary key, bound to *context*.

        Returns:
            ``version || key id || nonce || ciphertext || tag`` (45 bytes
            longer than *plaintext*).
        """
        if type(plaintext) is not bytes:
            plaintext = check_bytes("plaintext", plaintext)
        if type(context) is not bytes:
            context = check_bytes("context", context)
        batch = self._batch
        if (
            batch is None
            or batch.generation != keys.generation(self._keyring)
            or batch.left <= 0
        ):
            batch = self._batch = self._new_batch()
        batch.left -= 1
        tail = os.urandom(12)
        return (
            batch.header
            + batch.head
            + tail
            + batch.aead.encrypt(tail, plaintext, batch.header + context)
        )

    def _new_batch(self) -> _Batch:
        key_id = self._keyring.primary_id
        head = os.urandom(12)
        cipher = self._cipher(key_id)
        aead, _ = cipher.derive(head + bytes(12))
        return _Batch(
            keys.generation(self._keyring),
            _HEADER.pack(_VERSION, key_id),
            head,
            aead,
        )

    def _open(
        self, ciphertext: bytes, context: bytes
    ) -> tuple[int, int, bytes]:
        """Return the version, key id and plaintext of *ciphertext*."""
        ciphertext = check_bytes("ciphertext", ciphertext)
        context = check_bytes("context", context)
        if len(ciphertext) < _OVERHEAD or ciphertext[0] not in _VERSIONS:
            raise DecryptionError(_FAILED)
        version, key_id = _HEADER.unpack_from(ciphertext)
        prefix = ciphertext[:_PREFIX]
        generation = keys.generation(self._keyring)
        last = self._last_opened
        if last is not None and last[0] == generation and last[1] == prefix:
            aead = last[2]
        else:
            head = prefix[_HEADER.size :]
            cipher = self._cipher(key_id, version)
            aead, _ = cipher.derive(head + bytes(12))
            self._last_opened = (generation, prefix, aead)
        try:
            plaintext = aead.decrypt(
                ciphertext[_PREFIX:_BODY],
                memoryview(ciphertext)[_BODY:],
                ciphertext[: _HEADER.size] + context,
            )
        except InvalidTag:
            raise DecryptionError(_FAILED) from None
        return version, key_id, plaintext

    def decrypt(self, ciphertext: bytes, context: bytes = b"") -> bytes:
        """Authenticate and decrypt a ciphertext made by :meth:`encrypt`.

        Raises:
            dataprotect.errors.DecryptionError: Tampered, truncated or
                extended ciphertext, or the wrong *context*.
            dataprotect.errors.KeyNotFoundError: Its key is not in the
                keyring, or was retired or destroyed.
        """
        return self._open(ciphertext, context)[2]

    def reencrypt(self, ciphertext: bytes, context: bytes = b"") -> bytes:
        """Return *ciphertext* under the primary key, in the current format.

        A ciphertext already under the primary key and in the current
        format is returned unchanged (after it authenticated), so a rotation
        job can run repeatedly.  One in format version 1 is re-encrypted
        even under the primary key, moving it to version 2.

        Raises:
            dataprotect.errors.DecryptionError: As :meth:`decrypt`.
            dataprotect.errors.KeyNotFoundError: As :meth:`decrypt`.
        """
        plaintext, current = self._open_current(ciphertext, context)
        if current:
            return ciphertext
        return self.encrypt(plaintext, context)

    def _open_current(
        self, ciphertext: bytes, context: bytes
    ) -> tuple[bytes, bool]:
        """The plaintext, and whether :meth:`reencrypt` would keep it."""
        version, key_id, plaintext = self._open(ciphertext, context)
        current = version == _VERSION and key_id == self._keyring.primary_id
        return plaintext, current

    def encrypt_str(self, plaintext: str, context: bytes = b"") -> str:
        """Encrypt text for a text column: URL-safe base64 of :meth:`encrypt`.

        Raises:
            TypeError: *plaintext* is not ``str``.
            dataprotect.errors.ConfigurationError: *plaintext* holds a lone
                surrogate (not UTF-8); the message never shows it.
        """
        text = check_type("plaintext", plaintext, str)
        raw = encode_secret("plaintext", text, ConfigurationError)
        return b64encode(self.encrypt(raw, context))

    def decrypt_str(self, ciphertext: str, context: bytes = b"") -> str:
        """Decrypt the output of :meth:`encrypt_str`.

        Raises:
            dataprotect.errors.DecryptionError: As :meth:`decrypt`, or not
                valid base64.
        """
        text = check_type("ciphertext", ciphertext, str)
        try:
            raw = b64decode(text)
        except ValueError:
            raise DecryptionError(_FAILED) from None
        try:
            return self.decrypt(raw, context).decode("utf-8")
        except UnicodeDecodeError:  # pragma: no cover - authenticated text
            raise DecryptionError(_FAILED) from None

    # -- streams and files -----------------------------------------------

    def encrypt_stream(
        self,
        src: BinaryIO,
        dst: BinaryIO,
        *,
        context: bytes = b"",
        segment_size: int = DEFAULT_SEGMENT_SIZE,
        progress: Callable[[int], object] | None = None,
    ) -> int:
        """Encrypt binary file object *src* into *dst* in constant memory.

        Args:
            src: Readable binary file object.
            dst: Writable binary file object.
            context: Associated data bound to every segment.
            segment_size: Plaintext bytes per segment, a power of two from
                4 KiB to 16 MiB.
            progress: Called with each segment's plaintext byte count.

        Returns:
            The number of plaintext bytes.

        Raises:
            ConfigurationError: *segment_size* is out of range.
        """
        context = check_bytes("context", context)
        if not _MIN_SEGMENT <= segment_size <= _MAX_SEGMENT or segment_size & (
            segment_size - 1
        ):
            msg = "segment_size must be a power of two from 4 KiB to 16 MiB"
            raise ConfigurationError(msg)
        key_id = self._keyring.primary_id
        nonce = os.urandom(_NONCE_SIZE)
        header = _STREAM_HEADER.pack(
            _STREAM_MAGIC, key_id, segment_size, nonce
        )
        aead, nx = self._cipher(key_id).derive(nonce)
        dst.write(header)
        return _stream.seal_stream(
            aead,
            src,
            dst,
            segment_size=segment_size,
            prefix=nx[:7],
            associated_data=header + context,
            progress=progress,
        )

    def decrypt_stream(
        self,
        src: BinaryIO,
        dst: BinaryIO,
        *,
        context: bytes = b"",
        progress: Callable[[int], object] | None = None,
    ) -> int:
        """Decrypt a stream made by :meth:`encrypt_stream` into *dst*.

        Every segment is authenticated before it is written.  A truncated
        stream is detected only at its end, after the earlier segments were
        written: discard *dst* on error, or use :meth:`decrypt_file`.

        Returns:
            The number of plaintext bytes.

        Raises:
            dataprotect.errors.DecryptionError: Not a stream, tampered,
                truncated, reordered or extended, or the wrong *context*.
            dataprotect.errors.KeyNotFoundError: Its key is not usable.
        """
        context = check_bytes("context", context)
        header = src.read(_STREAM_HEADER.size)
        if len(header) != _STREAM_HEADER.size:
            raise DecryptionError(_FAILED)
        magic, key_id, segment_size, nonce = _STREAM_HEADER.unpack(header)
        if (
            magic not in {_STREAM_MAGIC, _LEGACY_STREAM_MAGIC}
            or not _MIN_SEGMENT <= segment_size <= _MAX_SEGMENT
            or segment_size & (segment_size - 1)
        ):
            raise DecryptionError(_FAILED)
        aead, nx = self._cipher(key_id, magic[3]).derive(nonce)
        return _stream.open_stream(
            aead,
            src,
            dst,
            segment_size=segment_size,
            prefix=nx[:7],
            associated_data=header + context,
            progress=progress,
        )

    def encrypt_file(
        self,
        src_path: str | os.PathLike[str],
        dst_path: str | os.PathLike[str],
        *,
        context: bytes = b"",
        progress: Callable[[int], object] | None = None,
    ) -> int:
        """Encrypt a file; *dst_path* appears only when complete (mode 0600).

        Returns:
            The number of plaintext bytes.
        """
        with open(src_path, "rb") as src, atomic_write(dst_path) as dst:
            return self.encrypt_stream(
                src, dst, context=context, progress=progress
            )

    def decrypt_file(
        self,
        src_path: str | os.PathLike[str],
        dst_path: str | os.PathLike[str],
        *,
        context: bytes = b"",
        progress: Callable[[int], object] | None = None,
    ) -> int:
        """Decrypt a file; on any failure no output file is left behind.

        Returns:
            The number of plaintext bytes.

        Raises:
            dataprotect.errors.DecryptionError: As :meth:`decrypt_stream`.
            dataprotect.errors.KeyNotFoundError: Its key is not usable.
        """
        with open(src_path, "rb") as src, atomic_write(dst_path) as dst:
            return self.decrypt_stream(
                src, dst, context=context, progress=progress
            )


class BlindIndex(Unpicklable):
    """Keyed digests of values for equality look-ups on encrypted columns.

    Store ``index.digest(email)`` beside the encrypted email and look rows up
    by the digest of the search value, as CipherSweet does.  Each index
    *name* derives its own HMAC-SHA-256 key (HKDF label
    ``dataprotect/v1/blind-index/<name>``), so indexes are unrelated.

    The digest is truncated to *bits*: fewer bits mean more false positives
    to filter after decryption, and less that the index reveals.

    .. warning::

       Blind indexes reveal which rows hold equal values.  Index only
       columns where that is acceptable.

    Args:
        keyring: The keys.  The primary key's subkey makes digests.
        name: The index name, e.g. ``"users.email"``.
        bits: Digest length, a multiple of 8 from 16 to 256.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_bytes", "_keyring", "_name", "bits")

    def __init__(self, keyring: Keyring, name: str, *, bits: int = 64) -> None:
        if not 16 <= bits <= 256 or bits % 8:
            msg = "bits must be a multiple of 8 from 16 to 256"
            raise ValueError(msg)
        if not name or "/" in name:
            msg = "name must be non-empty and must not contain '/'"
            raise ValueError(msg)
        self._keyring = keyring
        self._name = name
        self._bytes = bits // 8
        self.bits: int = bits

    def __repr__(self) -> str:
        return f"<BlindIndex {self._name!r} bits={self.bits}>"

    def _digest(self, key_id: int, value: bytes) -> bytes:
        key = keys.subkey(self._keyring, key_id, "blind-index", self._name)
        # Imported here: hashlib loads OpenSSL's libcrypto, a measurable
        # part of every `dataprotect encrypt` that needs no blind index.
        import hmac

        return hmac.digest(key, value, "sha256")[: self._bytes]

    @staticmethod
    def _value(value: bytes | str) -> bytes:
        if isinstance(value, str):
            return encode_secret("value", value, ConfigurationError)
        return check_bytes("value", value)

    def digest(self, value: bytes | str) -> bytes:
        """The digest of *value* under the primary key (``str`` as UTF-8).

        Raises:
            TypeError: *value* is neither ``bytes`` nor ``str``.
            dataprotect.errors.ConfigurationError: A ``str`` holding a lone
                surrogate (not UTF-8); the message never shows it.
        """
        return self._digest(self._keyring.primary_id, self._value(value))

    def candidates(self, value: bytes | str) -> list[bytes]:
        """The digests of *value* under every active key, primary first.

        Use ``WHERE idx IN (...)`` with these while a key rotation is being
        rolled out, then recompute stored digests with :meth:`digest`.

        Raises:
            TypeError: As :meth:`digest`.
            dataprotect.errors.ConfigurationError: As :meth:`digest`.
        """
        raw = self._value(value)
        ids = [
            info.key_id
            for info in self._keyring.keys()  # noqa: SIM118 - Keyring.keys() is a method returning a list, not dict.keys()
            if info.status in {"primary", "active"}
        ]
        ids.sort(key=lambda i: i != self._keyring.primary_id)
        return [self._digest(i, raw) for i in ids]

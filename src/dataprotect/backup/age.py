"""Read and write age files (age-encryption.org/v1).

Files written here decrypt with the ``age`` command and files written by
``age`` decrypt here, binary or armored.  Recipients and identities use
age's own text forms:

- X25519: ``age1...`` recipients, ``AGE-SECRET-KEY-1...`` identities;
- hybrid post-quantum ML-KEM-768 + X25519 (age 1.3): ``age1pq1...``
  recipients, ``AGE-SECRET-KEY-PQ-1...`` identities;
- a passphrase (scrypt), which must be the file's only recipient.

The payload is the one STREAM implementation of :mod:`dataprotect._stream`
on ChaCha20-Poly1305 with 64 KiB chunks, as age specifies.  Decryption
writes a chunk only after it authenticated, and checks every rule of the
spec (canonical base64, stanza shapes, the header MAC, a final chunk that is
not empty unless the payload is), as the C2SP CCTV test vectors require.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import io
import os
import re

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Final, NoReturn, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import x25519
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from dataprotect._atomic import atomic_write
from dataprotect._secret import Secret, Unpicklable, check_bytes
from dataprotect._stream import open_stream, seal_stream
from dataprotect.backup import _bech32
from dataprotect.errors import (
    AgeArmorError,
    AgeDecryptionError,
    AgeFormatError,
    AgeNoMatchError,
    ConfigurationError,
    DecryptionError,
    MissingDependencyError,
)


if TYPE_CHECKING:
    from cryptography.hazmat.primitives import hpke


__all__ = [
    "DEFAULT_WORK_FACTOR",
    "MAX_WORK_FACTOR",
    "HybridIdentity",
    "HybridRecipient",
    "Identity",
    "Recipient",
    "ScryptIdentity",
    "ScryptRecipient",
    "X25519Identity",
    "X25519Recipient",
    "decrypt",
    "decrypt_file",
    "encrypt",
    "encrypt_file",
    "generate_hybrid_identity",
    "generate_x25519_identity",
    "parse_identities",
    "parse_identity",
    "parse_recipient",
]

#: The scrypt work factor (log2 N) used for passphrases, as ``age -p``.
DEFAULT_WORK_FACTOR: Final = 18
#: The highest scrypt work factor :func:`decrypt` accepts by default, as age.
MAX_WORK_FACTOR: Final = 22

_VERSION: Final = b"age-encryption.org/v1\n"
_PREFIX: Final = b"age-encryption.org/"
_CHUNK: Final = 64 * 1024
_FILE_KEY_SIZE: Final = 16
# Bounds on hostile input, checked before the work they would cause.  The
# longest legitimate header line (a hybrid stanza's share) is 1.5 KB, and
# each stanza costs an X25519 or ML-KEM operation per identity.
_MAX_LINE: Final = 64 << 10
_MAX_HEADER: Final = 4 << 20
_MAX_STANZAS: Final = 1024
_MAX_WHITESPACE: Final = 64 << 10
_MAX_KEY_TEXT: Final = 4096
_B64: Final = re.compile(rb"[A-Za-z0-9+/]*")
_DECIMAL: Final = re.compile(r"[1-9][0-9]*")
_X25519_LABEL: Final = b"age-encryption.org/v1/X25519"
_SCRYPT_LABEL: Final = b"age-encryption.org/v1/scrypt"
_HYBRID_LABEL: Final = b"age-encryption.org/mlkem768x25519"
_HYBRID_ENC_SIZE: Final = 1120
_MLKEM_PUBLIC_SIZE: Final = 1184
_MLKEM_CT_SIZE: Final = 1088
_ARMOR_BEGIN: Final = b"-----BEGIN AGE ENCRYPTED FILE-----"
_ARMOR_END: Final = b"-----END AGE ENCRYPTED FILE-----"
_WHITESPACE: Final = b" \t\r\n"
_FAILED: Final = "decryption failed"
_ZERO_NONCE: Final = bytes(12)


# --- encodings ---------------------------------------------------------------


def _b64(data: bytes) -> bytes:
    return base64.b64encode(data).rstrip(b"=")


def _unb64(text: bytes, what: str) -> bytes:
    """Decode canonical unpadded base64 or raise AgeFormatError."""
    if not _B64.fullmatch(text) or len(text) % 4 == 1:
        msg = f"{what} is not canonical unpadded base64"
        raise AgeFormatError(msg)
    data = base64.b64decode(text + b"=" * (-len(text) % 4))
    if _b64(data) != text:
        msg = f"{what} is not canonical unpadded base64"
        raise AgeFormatError(msg)
    return data


def _hkdf(ikm: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=salt, info=info
    ).derive(ikm)


@dataclass(frozen=True, slots=True)
class _Stanza:
    args: tuple[str, ...]
    body: bytes

    def encode(self) -> bytes:
        text = _b64(self.body)
        lines = [text[i : i + 64] for i in range(0, len(text), 64)]
        if not lines or len(lines[-1]) == 64:
            lines.append(b"")
        head = " ".join(("->", *self.args)).encode("ascii")
        return b"\n".join([head, *lines]) + b"\n"


def _check_body(stanza: _Stanza) -> None:
    if len(stanza.body) != _FILE_KEY_SIZE + 16:
        msg = "age stanza body must wrap a 16-byte file key"
        raise AgeFormatError(msg)


def _open_body(key: bytes, body: bytes) -> bytes | None:
    try:
        return ChaCha20Poly1305(key).decrypt(_ZERO_NONCE, body, None)
    except InvalidTag:
        return None


def _x25519_shared(private: x25519.X25519PrivateKey, share: bytes) -> bytes:
    try:
        shared = private.exchange(
            x25519.X25519PublicKey.from_public_bytes(share)
        )
    except ValueError:
        shared = bytes(32)
    if not any(shared):
        msg = "age X25519 share is a low-order point"
        raise AgeFormatError(msg)
    return shared


# --- recipients and identities ----------------------------------------------


class Recipient(Protocol):
    """**Protocol:** something that wraps a file key into age stanzas.

    .. versionadded:: 0.1.0
    """

    def _wrap(self, file_key: bytes) -> list[_Stanza]: ...


class Identity(Protocol):
    """**Protocol:** something that unwraps an age file key from a stanza.

    .. versionadded:: 0.1.0
    """

    def _unwrap(self, stanza: _Stanza) -> bytes | None: ...


def _short(text: str) -> str:
    return text if len(text) <= 70 else f"{text[:20]}...{text[-8:]}"


class X25519Recipient:
    """An age X25519 recipient (``age1...``), the public half of an
    :class:`X25519Identity`.

    Args:
        public_key: The 32-byte X25519 public key.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_public",)

    def __init__(self, public_key: bytes) -> None:
        public_key = check_bytes("public_key", public_key)
        if len(public_key) != 32:
            msg = "X25519 public key must be 32 bytes"
            raise ConfigurationError(msg)
        self._public = public_key

    def to_text(self) -> str:
        """The ``age1...`` form.

        .. versionadded:: 0.1.0
        """
        return _bech32.encode("age", self._public)

    __str__ = to_text

    def __repr__(self) -> str:
        return f"<X25519Recipient {self.to_text()}>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, X25519Recipient):
            return NotImplemented
        return self._public == other._public

    def __hash__(self) -> int:
        return hash(self._public)

    def _wrap(self, file_key: bytes) -> list[_Stanza]:
        ephemeral = x25519.X25519PrivateKey.generate()
        share = ephemeral.public_key().public_bytes_raw()
        shared = ephemeral.exchange(
            x25519.X25519PublicKey.from_public_bytes(self._public)
        )
        key = _hkdf(shared, share + self._public, _X25519_LABEL)
        body = ChaCha20Poly1305(key).encrypt(_ZERO_NONCE, file_key, None)
        return [_Stanza(("X25519", _b64(share).decode()), body)]


class X25519Identity(Unpicklable):
    """An age X25519 identity (``AGE-SECRET-KEY-1...``).

    ``repr`` and ``str`` show only the public recipient.

    Args:
        secret: The 32-byte X25519 secret key.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_private", "_public", "_secret")

    def __init__(self, secret: bytes) -> None:
        secret = check_bytes("secret", secret)
        if len(secret) != 32:
            msg = "X25519 identity must be 32 bytes"
            raise ConfigurationError(msg)
        self._secret = Secret(secret, label="age X25519 identity")
        self._private = x25519.X25519PrivateKey.from_private_bytes(secret)
        self._public = self._private.public_key().public_bytes_raw()

    @classmethod
    def generate(cls) -> X25519Identity:
        """A new random identity.

        .. versionadded:: 0.1.0
        """
        return cls(os.urandom(32))

    @property
    def recipient(self) -> X25519Recipient:
        """The public recipient to encrypt to."""
        return X25519Recipient(self._public)

    def to_text(self) -> str:
        """The secret ``AGE-SECRET-KEY-1...`` form (handle with care).

        .. versionadded:: 0.1.0
        """
        return _bech32.encode("AGE-SECRET-KEY-", self._secret.reveal()).upper()

    def __repr__(self) -> str:
        return f"<X25519Identity for {self.recipient.to_text()}>"

    __str__ = __repr__

    def _unwrap(self, stanza: _Stanza) -> bytes | None:
        if stanza.args[0] != "X25519":
            return None
        if len(stanza.args) != 2:
            msg = "age X25519 stanza must have exactly one argument"
            raise AgeFormatError(msg)
        share = _unb64(stanza.args[1].encode(), "age X25519 share")
        if len(share) != 32:
            msg = "age X25519 share must be 32 bytes"
            raise AgeFormatError(msg)
        _check_body(stanza)
        shared = _x25519_shared(self._private, share)
        key = _hkdf(shared, share + self._public, _X25519_LABEL)
        return _open_body(key, stanza.body)


def _hpke() -> hpke.Suite:
    """The age hybrid HPKE suite (cryptography's hpke module is recent)."""
    try:
        from cryptography.hazmat.primitives import hpke
        from cryptography.hazmat.primitives.asymmetric import mlkem

        del mlkem
        return hpke.Suite(
            hpke.KEM.MLKEM768_X25519,
            hpke.KDF.HKDF_SHA256,
            hpke.AEAD.CHACHA20_POLY1305,
        )
    except (ImportError, AttributeError):
        msg = "post-quantum age recipients need cryptography 50 or later"
        raise MissingDependencyError(msg) from None


class HybridRecipient:
    """An age hybrid post-quantum recipient (``age1pq1...``):
    ML-KEM-768 + X25519 through HPKE, as age 1.3 and the C2SP age spec.

    Args:
        public_key: The 1216-byte MLKEM768-X25519 public key
            (ML-KEM-768 encapsulation key, then the X25519 public key).

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_public",)

    def __init__(self, public_key: bytes) -> None:
        public_key = check_bytes("public_key", public_key)
        if len(public_key) != _MLKEM_PUBLIC_SIZE + 32:
            msg = "hybrid public key must be 1216 bytes"
            raise ConfigurationError(msg)
        _hpke()
        from cryptography.hazmat.primitives.asymmetric import mlkem

        try:
            mlkem.MLKEM768PublicKey.from_public_bytes(
                public_key[:_MLKEM_PUBLIC_SIZE]
            )
        except ValueError:
            msg = "hybrid public key is not a valid ML-KEM-768 key"
            raise ConfigurationError(msg) from None
        self._public = public_key

    def to_text(self) -> str:
        """The ``age1pq1...`` form (about 1950 characters).

        .. versionadded:: 0.1.0
        """
        return _bech32.encode("age1pq", self._public)

    __str__ = to_text

    def __repr__(self) -> str:
        return f"<HybridRecipient {_short(self.to_text())}>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, HybridRecipient):
            return NotImplemented
        return self._public == other._public

    def __hash__(self) -> int:
        return hash(self._public)

    def _wrap(self, file_key: bytes) -> list[_Stanza]:
        from cryptography.hazmat.primitives import hpke
        from cryptography.hazmat.primitives.asymmetric import (
            mlkem,
        )

        suite = _hpke()
        public = hpke.MLKEM768X25519PublicKey(
            mlkem.MLKEM768PublicKey.from_public_bytes(
                self._public[:_MLKEM_PUBLIC_SIZE]
            ),
            x25519.X25519PublicKey.from_public_bytes(
                self._public[_MLKEM_PUBLIC_SIZE:]
            ),
        )
        sealed = suite.encrypt(file_key, public, info=_HYBRID_LABEL)
        enc, body = sealed[:_HYBRID_ENC_SIZE], sealed[_HYBRID_ENC_SIZE:]
        return [_Stanza(("mlkem768x25519", _b64(enc).decode()), body)]


class HybridIdentity(Unpicklable):
    """An age hybrid post-quantum identity (``AGE-SECRET-KEY-PQ-1...``).

    The 32-byte seed expands, as MLKEM768-X25519 specifies, with
    SHAKE256 into an ML-KEM-768 seed and an X25519 secret key.

    Args:
        seed: The 32-byte identity seed.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_private", "_public", "_secret", "_x25519")

    def __init__(self, seed: bytes) -> None:
        seed = check_bytes("seed", seed)
        if len(seed) != 32:
            msg = "hybrid identity must be 32 bytes"
            raise ConfigurationError(msg)
        _hpke()  # first: a clear error where ML-KEM is missing
        from cryptography.hazmat.primitives import hpke
        from cryptography.hazmat.primitives.asymmetric import mlkem

        expanded = hashlib.shake_256(seed).digest(96)
        kem = mlkem.MLKEM768PrivateKey.from_seed_bytes(expanded[:64])
        self._x25519 = x25519.X25519PrivateKey.from_private_bytes(
            expanded[64:]
        )
        self._private = hpke.MLKEM768X25519PrivateKey(kem, self._x25519)
        self._public = (
            kem.public_key().public_bytes_raw()
            + self._x25519.public_key().public_bytes_raw()
        )
        self._secret = Secret(seed, label="age hybrid identity")

    @classmethod
    def generate(cls) -> HybridIdentity:
        """A new random identity.

        .. versionadded:: 0.1.0
        """
        return cls(os.urandom(32))

    @property
    def recipient(self) -> HybridRecipient:
        """The public recipient to encrypt to."""
        return HybridRecipient(self._public)

    def to_text(self) -> str:
        """The secret ``AGE-SECRET-KEY-PQ-1...`` form (handle with care).

        .. versionadded:: 0.1.0
        """
        return _bech32.encode(
            "AGE-SECRET-KEY-PQ-", self._secret.reveal()
        ).upper()

    def __repr__(self) -> str:
        return f"<HybridIdentity for {_short(self.recipient.to_text())}>"

    __str__ = __repr__

    def _unwrap(self, stanza: _Stanza) -> bytes | None:
        if stanza.args[0] != "mlkem768x25519":
            return None
        if len(stanza.args) != 2:
            msg = "age mlkem768x25519 stanza must have exactly one argument"
            raise AgeFormatError(msg)
        enc = _unb64(stanza.args[1].encode(), "age mlkem768x25519 share")
        if len(enc) != _HYBRID_ENC_SIZE:
            msg = "age mlkem768x25519 share must be 1120 bytes"
            raise AgeFormatError(msg)
        _check_body(stanza)
        _x25519_shared(self._x25519, enc[_MLKEM_CT_SIZE:])
        suite = _hpke()
        try:
            return suite.decrypt(
                enc + stanza.body, self._private, info=_HYBRID_LABEL
            )
        except (InvalidTag, ValueError):
            return None


def _passphrase_bytes(passphrase: object) -> bytes:
    if isinstance(passphrase, str):
        passphrase = passphrase.encode("utf-8")
    if not isinstance(passphrase, bytes):
        msg = "passphrase must be str or bytes"
        raise TypeError(msg)
    if not passphrase:
        msg = "passphrase must not be empty"
        raise ConfigurationError(msg)
    return passphrase


def _scrypt(passphrase: bytes, salt: bytes, work_factor: int) -> bytes:
    return Scrypt(
        salt=_SCRYPT_LABEL + salt, length=32, n=1 << work_factor, r=8, p=1
    ).derive(passphrase)


class ScryptRecipient(Unpicklable):
    """A passphrase recipient (age's scrypt stanza).

    It must be the only recipient of a file.

    Args:
        passphrase: The passphrase.
        work_factor: log2 of scrypt's N (age uses 18: about 1 s, 256 MiB).

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_passphrase", "_work_factor")

    def __init__(
        self,
        passphrase: str | bytes,
        *,
        work_factor: int = DEFAULT_WORK_FACTOR,
    ) -> None:
        if isinstance(work_factor, bool) or not isinstance(work_factor, int):
            msg = "work_factor must be an int"
            raise TypeError(msg)
        if not 1 <= work_factor <= 30:
            msg = "work_factor must be between 1 and 30"
            raise ConfigurationError(msg)
        self._passphrase = Secret(
            _passphrase_bytes(passphrase), label="age passphrase"
        )
        self._work_factor = work_factor

    def __repr__(self) -> str:
        return f"<ScryptRecipient work_factor={self._work_factor}>"

    def _wrap(self, file_key: bytes) -> list[_Stanza]:
        salt = os.urandom(16)
        key = _scrypt(self._passphrase.reveal(), salt, self._work_factor)
        body = ChaCha20Poly1305(key).encrypt(_ZERO_NONCE, file_key, None)
        args = ("scrypt", _b64(salt).decode(), str(self._work_factor))
        return [_Stanza(args, body)]


class ScryptIdentity(Unpicklable):
    """A passphrase identity (age's scrypt stanza).

    Args:
        passphrase: The passphrase.
        max_work_factor: The highest work factor (log2 N) to compute; a
            file asking for more is refused before any work is done.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_max_work_factor", "_passphrase")

    def __init__(
        self,
        passphrase: str | bytes,
        *,
        max_work_factor: int = MAX_WORK_FACTOR,
    ) -> None:
        if isinstance(max_work_factor, bool) or not isinstance(
            max_work_factor, int
        ):
            msg = "max_work_factor must be an int"
            raise TypeError(msg)
        if not 1 <= max_work_factor <= 40:
            msg = "max_work_factor must be between 1 and 40"
            raise ConfigurationError(msg)
        self._passphrase = Secret(
            _passphrase_bytes(passphrase), label="age passphrase"
        )
        self._max_work_factor = max_work_factor

    def __repr__(self) -> str:
        return f"<ScryptIdentity max_work_factor={self._max_work_factor}>"

    def _unwrap(self, stanza: _Stanza) -> bytes | None:
        if stanza.args[0] != "scrypt":
            return None
        if len(stanza.args) != 3:
            msg = "age scrypt stanza must have exactly two arguments"
            raise AgeFormatError(msg)
        salt = _unb64(stanza.args[1].encode(), "age scrypt salt")
        if len(salt) != 16:
            msg = "age scrypt salt must be 16 bytes"
            raise AgeFormatError(msg)
        if not _DECIMAL.fullmatch(stanza.args[2]):
            msg = "age scrypt work factor must be a decimal number"
            raise AgeFormatError(msg)
        if (
            len(stanza.args[2]) > 2
            or int(stanza.args[2]) > self._max_work_factor
        ):
            msg = "age scrypt work factor exceeds the limit"
            raise AgeFormatError(msg)
        _check_body(stanza)
        key = _scrypt(self._passphrase.reveal(), salt, int(stanza.args[2]))
        return _open_body(key, stanza.body)


def generate_x25519_identity() -> X25519Identity:
    """Return a new random X25519 identity, as ``age-keygen``.

    .. versionadded:: 0.1.0
    """
    return X25519Identity.generate()


def generate_hybrid_identity() -> HybridIdentity:
    """Return a new random post-quantum identity, as ``age-keygen -pq``.

    .. versionadded:: 0.1.0
    """
    return HybridIdentity.generate()


def parse_recipient(text: str) -> X25519Recipient | HybridRecipient:
    """Parse an ``age1...`` or ``age1pq1...`` recipient.

    Raises:
        dataprotect.errors.ConfigurationError: Not a recipient of a
            supported type (plugin recipients are not supported).

    .. versionadded:: 0.1.0
    """
    if len(text) > _MAX_KEY_TEXT:
        msg = "recipient text is longer than 4096 characters"
        raise ConfigurationError(msg)
    try:
        hrp, data = _bech32.decode(text.strip())
    except ValueError:
        msg = "recipient is not a valid age recipient"
        raise ConfigurationError(msg) from None
    if hrp == "age":
        return X25519Recipient(data)
    if hrp == "age1pq":
        return HybridRecipient(data)
    msg = "recipient type is not supported"
    raise ConfigurationError(msg)


def parse_identity(text: str) -> X25519Identity | HybridIdentity:
    """Parse an ``AGE-SECRET-KEY-1...`` or ``AGE-SECRET-KEY-PQ-1...``
    identity.

    Raises:
        dataprotect.errors.ConfigurationError: Not an identity of a
            supported type; the message never contains the text.

    .. versionadded:: 0.1.0
    """
    if len(text) > _MAX_KEY_TEXT:
        msg = "identity text is longer than 4096 characters"
        raise ConfigurationError(msg)
    try:
        hrp, data = _bech32.decode(text.strip())
    except ValueError:
        msg = "identity is not a valid age identity"
        raise ConfigurationError(msg) from None
    if hrp == "AGE-SECRET-KEY-":
        return X25519Identity(data)
    if hrp == "AGE-SECRET-KEY-PQ-":
        return HybridIdentity(data)
    msg = "identity type is not supported"
    raise ConfigurationError(msg)


def parse_identities(text: str) -> list[X25519Identity | HybridIdentity]:
    """Parse an identity file as ``age-keygen`` writes it.

    Blank lines and ``#`` comments are skipped.

    Raises:
        dataprotect.errors.ConfigurationError: A line is not an identity,
            or the file has none.

    .. versionadded:: 0.1.0
    """
    identities = [
        parse_identity(line)
        for line in (raw.strip() for raw in text.splitlines())
        if line and not line.startswith("#")
    ]
    if not identities:
        msg = "identity file contains no identity"
        raise ConfigurationError(msg)
    return identities


# --- armor -------------------------------------------------------------------


class _ArmorWriter:
    """Strict PEM output: 64-column lines, padding only at the end."""

    def __init__(self, dst: BinaryIO) -> None:
        self._dst = dst
        self._pending = bytearray()
        dst.write(_ARMOR_BEGIN + b"\n")

    def write(self, data: bytes | memoryview) -> int:
        self._pending += data
        whole = len(self._pending) // 48 * 48
        if whole:
            self._emit(bytes(self._pending[:whole]))
            del self._pending[:whole]
        return len(data)

    def _emit(self, data: bytes) -> None:
        text = base64.b64encode(data)
        lines = [text[i : i + 64] for i in range(0, len(text), 64)]
        self._dst.write(b"\n".join(lines) + b"\n")

    def close(self) -> None:
        if self._pending:
            self._emit(bytes(self._pending))
        self._dst.write(_ARMOR_END + b"\n")


class _Raw(io.RawIOBase):
    """A raw view of any binary file object, so it can be buffered."""

    def __init__(self, src: BinaryIO) -> None:
        self._src = src

    def readable(self) -> bool:
        return True

    def readinto(self, buf: memoryview) -> int:  # type: ignore[override]
        readinto = getattr(self._src, "readinto", None)
        if readinto is not None:
            return int(readinto(buf))
        data = self._src.read(len(buf))
        buf[: len(data)] = data
        return len(data)


class _ArmorReader(io.RawIOBase):
    """Strict PEM input (RFC 7468 strict, canonical base64, LF or CRLF).

    Whitespace is allowed only before the BEGIN line and after the END line.
    """

    def __init__(self, src: io.BufferedReader[Any]) -> None:
        self._src = src
        self._buf = bytearray()
        self._started = False
        self._final = False
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buf: memoryview) -> int:  # type: ignore[override]
        while len(self._buf) < len(buf) and not self._done:
            self._next_line()
        n = min(len(buf), len(self._buf))
        buf[:n] = self._buf[:n]
        del self._buf[:n]
        return n

    @staticmethod
    def _fail() -> NoReturn:
        msg = "age armor is malformed"
        raise AgeArmorError(msg)

    def _begin(self) -> None:
        line = self._src.readline(_MAX_WHITESPACE)
        seen = len(line)
        while line and not line.strip(_WHITESPACE):
            line = self._src.readline(_MAX_WHITESPACE)
            seen += len(line)
            if seen > _MAX_WHITESPACE + len(_ARMOR_BEGIN) + 2:
                self._fail()
        first = (
            line.lstrip(_WHITESPACE).removesuffix(b"\n").removesuffix(b"\r")
        )
        if first != _ARMOR_BEGIN or not line.endswith(b"\n"):
            self._fail()
        self._started = True

    def _next_line(self) -> None:
        if not self._started:
            self._begin()
            return
        line = self._src.readline(80)
        content = line.removesuffix(b"\n")
        has_eol = len(content) < len(line)
        if has_eol:
            content = content.removesuffix(b"\r")
        if content == _ARMOR_END:
            trailing = 0
            while chunk := self._src.read(_CHUNK):
                trailing += len(chunk)
                if chunk.strip(_WHITESPACE) or trailing > _MAX_WHITESPACE:
                    self._fail()
            self._done = True
            return
        if (
            not has_eol
            or self._final
            or not content
            or len(content) > 64
            or len(content) % 4
        ):
            self._fail()
        try:
            data = base64.b64decode(content, validate=True)
        except binascii.Error:
            self._fail()
        if base64.b64encode(data) != content:
            self._fail()
        if len(content) < 64 or content.endswith(b"="):
            self._final = True
        self._buf += data


# --- header ------------------------------------------------------------------


def _line(src: io.BufferedReader[Any]) -> bytes:
    line = src.readline(_MAX_LINE)
    if not line.endswith(b"\n"):
        msg = "age header is truncated or has an overlong line"
        raise AgeFormatError(msg)
    return line


def _args(line: bytes) -> tuple[str, ...]:
    args = line[3:-1].split(b" ")
    for arg in args:
        if not arg or any(not 0x21 <= c <= 0x7E for c in arg):
            msg = "age stanza arguments are malformed"
            raise AgeFormatError(msg)
    return tuple(a.decode("ascii") for a in args)


def _read_header(src: io.BufferedReader) -> tuple[list[_Stanza], bytes, bytes]:
    """Parse a v1 header: (stanzas, the MAC'd bytes, the MAC)."""
    line = _line(src)
    if line != _VERSION:
        msg = (
            "age version is not supported"
            if line.startswith(_PREFIX)
            else "not an age file"
        )
        raise AgeFormatError(msg)
    raw = [line]
    size = len(line)
    stanzas: list[_Stanza] = []
    line = _line(src)
    while line.startswith(b"-> "):
        if len(stanzas) >= _MAX_STANZAS:
            msg = "age header has more than 1024 stanzas"
            raise AgeFormatError(msg)
        raw.append(line)
        size += len(line)
        args = _args(line)
        body = []
        while True:
            body_line = _line(src)
            raw.append(body_line)
            size += len(body_line)
            if size > _MAX_HEADER:
                msg = "age header is larger than 4 MiB"
                raise AgeFormatError(msg)
            text = body_line[:-1]
            if len(text) > 64 or not _B64.fullmatch(text):
                msg = "age stanza body is malformed"
                raise AgeFormatError(msg)
            body.append(text)
            if len(text) < 64:
                break
        stanzas.append(
            _Stanza(args, _unb64(b"".join(body), "age stanza body"))
        )
        line = _line(src)
    if not stanzas or not line.startswith(b"--- ") or len(line) != 48:
        msg = "age header MAC line is malformed"
        raise AgeFormatError(msg)
    mac = _unb64(line[4:-1], "age header MAC")
    return stanzas, b"".join(raw) + b"---", mac


def _header_mac(file_key: bytes, header: bytes) -> bytes:
    key = _hkdf(file_key, b"", b"header")
    return hmac.new(key, header, hashlib.sha256).digest()


def _payload_aead(file_key: bytes, nonce: bytes) -> ChaCha20Poly1305:
    return ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))


def _unwrap(
    stanzas: Sequence[_Stanza], identities: Sequence[Identity]
) -> bytes:
    if len(stanzas) > 1 and any(s.args[0] == "scrypt" for s in stanzas):
        msg = "an age scrypt stanza must be the only stanza"
        raise AgeFormatError(msg)
    for identity in identities:
        for stanza in stanzas:
            file_key = identity._unwrap(stanza)  # noqa: SLF001
            if file_key is not None:
                if len(file_key) != _FILE_KEY_SIZE:  # pragma: no cover
                    continue
                return file_key
    msg = "no identity matched any of the file's recipients"
    raise AgeNoMatchError(msg)


# --- public API --------------------------------------------------------------


def _recipients(
    recipients: Iterable[str | Recipient],
    passphrase: str | bytes | None,
    work_factor: int,
) -> list[Recipient]:
    if isinstance(recipients, str):
        msg = "recipients must be a list, not a str"
        raise TypeError(msg)
    out: list[Recipient] = [
        parse_recipient(r) if isinstance(r, str) else r for r in recipients
    ]
    if passphrase is not None:
        out.append(ScryptRecipient(passphrase, work_factor=work_factor))
    if not out:
        msg = "age encryption needs a recipient or a passphrase"
        raise ConfigurationError(msg)
    if len(out) > 1 and any(isinstance(r, ScryptRecipient) for r in out):
        msg = "a passphrase must be the only recipient of an age file"
        raise ConfigurationError(msg)
    hybrid = {isinstance(r, HybridRecipient) for r in out}
    if len(hybrid) > 1:
        msg = "post-quantum and classic age recipients must not be mixed"
        raise ConfigurationError(msg)
    return out


def _identities(
    identities: Iterable[str | Identity],
    passphrase: str | bytes | None,
    max_work_factor: int,
) -> list[Identity]:
    if isinstance(identities, str):
        msg = "identities must be a list, not a str"
        raise TypeError(msg)
    out: list[Identity] = []
    for identity in identities:
        if isinstance(identity, str):
            out.extend(parse_identities(identity))
        else:
            out.append(identity)
    if passphrase is not None:
        out.append(ScryptIdentity(passphrase, max_work_factor=max_work_factor))
    if not out:
        msg = "age decryption needs an identity or a passphrase"
        raise ConfigurationError(msg)
    return out


def encrypt(
    src: BinaryIO,
    dst: BinaryIO,
    recipients: Iterable[str | Recipient] = (),
    *,
    passphrase: str | bytes | None = None,
    work_factor: int = DEFAULT_WORK_FACTOR,
    armor: bool = False,
) -> int:
    """Encrypt *src* to *dst* as an age file; return the plaintext size.

    Memory use is constant: the payload is sealed in 64 KiB chunks.

    Args:
        src: Readable binary file object.
        dst: Writable binary file object.
        recipients: ``age1...``/``age1pq1...`` strings or recipient
            objects.  Post-quantum and classic recipients are not mixed, as
            the age spec advises.
        passphrase: Encrypt to a passphrase instead (scrypt), as
            ``age -p``; it must then be the only recipient.
        work_factor: The scrypt work factor (log2 N) for *passphrase*.
        armor: Write the armored (PEM) form, as ``age -a``.

    Raises:
        dataprotect.errors.ConfigurationError: No recipient, a malformed
            recipient, or a forbidden mix of recipients.

    .. versionadded:: 0.1.0
    """
    wrapped = _recipients(recipients, passphrase, work_factor)
    file_key = Secret(os.urandom(_FILE_KEY_SIZE), label="age file key")
    stanzas = [s for r in wrapped for s in r._wrap(file_key.reveal())]  # noqa: SLF001
    header = _VERSION + b"".join(s.encode() for s in stanzas) + b"---"
    mac = _header_mac(file_key.reveal(), header)
    out: BinaryIO | _ArmorWriter = _ArmorWriter(dst) if armor else dst
    nonce = os.urandom(16)
    out.write(header + b" " + _b64(mac) + b"\n" + nonce)
    total = seal_stream(
        _payload_aead(file_key.reveal(), nonce),
        src,
        out,
        segment_size=_CHUNK,
    )
    if isinstance(out, _ArmorWriter):
        out.close()
    return total


def decrypt(
    src: BinaryIO,
    dst: BinaryIO,
    identities: Iterable[str | Identity] = (),
    *,
    passphrase: str | bytes | None = None,
    max_work_factor: int = MAX_WORK_FACTOR,
    armor: bool | None = None,
) -> int:
    """Decrypt the age file *src* to *dst*; return the plaintext size.

    Each 64 KiB chunk is written to *dst* only after it authenticated; on
    an error, what was written is a prefix of the plaintext and must be
    discarded (:func:`decrypt_file` does).

    Args:
        src: Readable binary file object.
        dst: Writable binary file object.
        identities: ``AGE-SECRET-KEY-1...``/``AGE-SECRET-KEY-PQ-1...``
            strings (or whole identity files, comments allowed) or identity
            objects.
        passphrase: Try this passphrase on an scrypt stanza.
        max_work_factor: The highest scrypt work factor (log2 N) to
            compute, as a defence against files that ask for hours of work.
        armor: ``True``/``False`` to require the armored/binary form;
            ``None`` detects it.

    Raises:
        dataprotect.errors.AgeArmorError: The armor is malformed.
        dataprotect.errors.AgeFormatError: The header is malformed or
            unsupported, or asks for a work factor above the limit.
        dataprotect.errors.AgeNoMatchError: No identity opens the file.
        dataprotect.errors.AgeDecryptionError: The header MAC or the
            payload failed authentication (tampered, truncated, extended).
        dataprotect.errors.ConfigurationError: No identity was given.

    .. versionadded:: 0.1.0
    """
    keys = _identities(identities, passphrase, max_work_factor)
    reader: io.BufferedReader[Any] = io.BufferedReader(_Raw(src), _CHUNK)
    if armor is None:
        # A binary age file starts with "age-encryption.org/"; armor
        # starts with "-----", possibly after whitespace.
        peeked = reader.peek(64)
        stripped = peeked.lstrip(_WHITESPACE)
        armor = stripped.startswith(b"-") or bool(peeked and not stripped)
    if armor:
        reader = io.BufferedReader(_ArmorReader(reader), _CHUNK)
    stanzas, header, mac = _read_header(reader)
    file_key = _unwrap(stanzas, keys)
    if not hmac.compare_digest(_header_mac(file_key, header), mac):
        raise AgeDecryptionError(_FAILED)
    nonce = reader.read(16)
    if len(nonce) != 16:
        msg = "age payload nonce is missing"
        raise AgeFormatError(msg)
    try:
        return open_stream(
            _payload_aead(file_key, nonce),
            reader,
            dst,
            segment_size=_CHUNK,
        )
    except DecryptionError:
        raise AgeDecryptionError(_FAILED) from None


def encrypt_file(
    src_path: str | os.PathLike[str],
    dst_path: str | os.PathLike[str],
    recipients: Iterable[str | Recipient] = (),
    *,
    passphrase: str | bytes | None = None,
    work_factor: int = DEFAULT_WORK_FACTOR,
    armor: bool = False,
) -> int:
    """:func:`encrypt` a file; *dst_path* appears only when complete.

    .. versionadded:: 0.1.0
    """
    with Path(src_path).open("rb") as src, atomic_write(dst_path) as dst:
        return encrypt(
            src,
            dst,
            recipients,
            passphrase=passphrase,
            work_factor=work_factor,
            armor=armor,
        )


def decrypt_file(
    src_path: str | os.PathLike[str],
    dst_path: str | os.PathLike[str],
    identities: Iterable[str | Identity] = (),
    *,
    passphrase: str | bytes | None = None,
    max_work_factor: int = MAX_WORK_FACTOR,
    armor: bool | None = None,
) -> int:
    """:func:`decrypt` a file; on any failure no output file is left.

    .. versionadded:: 0.1.0
    """
    with Path(src_path).open("rb") as src, atomic_write(dst_path) as dst:
        return decrypt(
            src,
            dst,
            identities,
            passphrase=passphrase,
            max_work_factor=max_work_factor,
            armor=armor,
        )

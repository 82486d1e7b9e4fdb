"""age X25519 and hybrid ML-KEM-768 + X25519 recipients and identities.

With their Bech32 text forms (``age1...``, ``age1pq1...``,
``AGE-SECRET-KEY-1...``, ``AGE-SECRET-KEY-PQ-1...``) and the
:class:`Recipient` and :class:`Identity` protocols; documented as
:mod:`dataprotect.backup.age`.
"""

from __future__ import annotations

import hashlib
import os

from typing import TYPE_CHECKING, Final, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric import x25519
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from dataprotect import _bech32
from dataprotect._secret import Secret, Unpicklable, check_bytes
from dataprotect.backup.age._header import (
    _ZERO_NONCE,
    _b64,
    _check_body,
    _hkdf,
    _open_body,
    _Stanza,
    _unb64,
)
from dataprotect.errors import (
    AgeFormatError,
    ConfigurationError,
    MissingDependencyError,
)


if TYPE_CHECKING:
    from cryptography.hazmat.primitives import hpke


__all__ = [
    "_MAX_KEY_TEXT",
    "HybridIdentity",
    "HybridRecipient",
    "Identity",
    "Recipient",
    "X25519Identity",
    "X25519Recipient",
    "generate_hybrid_identity",
    "generate_x25519_identity",
    "parse_identities",
    "parse_identity",
    "parse_recipient",
]

_MAX_KEY_TEXT: Final = 4096
_X25519_LABEL: Final = b"age-encryption.org/v1/X25519"
_HYBRID_LABEL: Final = b"age-encryption.org/mlkem768x25519"
_HYBRID_ENC_SIZE: Final = 1120
_MLKEM_PUBLIC_SIZE: Final = 1184
_MLKEM_CT_SIZE: Final = 1088


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

    The recipient of age files (:class:`X25519Recipient`,
    :class:`HybridRecipient`, :class:`ScryptRecipient`), as :func:`encrypt`
    takes it.  Not to be confused with :class:`dataprotect.backup.Recipient`,
    the recipient of dataprotect's own backup format: a different type with
    the same name.

    .. versionadded:: 0.1.0
    """

    def _wrap(self, file_key: bytes) -> list[_Stanza]: ...


class Identity(Protocol):
    """**Protocol:** something that unwraps an age file key from a stanza.

    The identity of age files (:class:`X25519Identity`,
    :class:`HybridIdentity`, :class:`ScryptIdentity`), as :func:`decrypt`
    takes it.  Not to be confused with :class:`dataprotect.backup.Identity`,
    the identity of dataprotect's own backup format: a different type with
    the same name, and neither opens the other's files.

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

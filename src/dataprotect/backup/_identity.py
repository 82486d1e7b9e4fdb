"""Recipients and identities of the backup container.

A *recipient* wraps a file key into a stanza; an *identity* unwraps it.
HPKE (RFC 9180) keys come in three kinds, all with HKDF-SHA-256 and
AES-256-GCM: ``"p256"`` (DHKEM(P-256), a FIPS-approved chain),
``"x25519"`` (DHKEM(X25519)) and ``"mlkem768-x25519"`` (the hybrid
post-quantum KEM ML-KEM-768 + X25519).  Their text forms are Bech32
(BIP 173, without the 90-character limit, as age does): ``dpbackup1...``
for recipients and ``DPBACKUP-SECRET-KEY-1...`` for identities.  A
passphrase and a keyring key are both a recipient and an identity.
"""

from __future__ import annotations

import os
import struct

from typing import (
    TYPE_CHECKING,
    Any,
    Final,
    Literal,
    Protocol,
    TypeAlias,
    cast,
)

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric import ec, x25519

from dataprotect import _bech32, keys
from dataprotect._secret import Unpicklable
from dataprotect._xaes import XAES256GCM
from dataprotect.errors import (
    BackupError,
    BackupFormatError,
    ConfigurationError,
    DecryptionError,
    KeyNotFoundError,
    KeyringError,
    MissingDependencyError,
)
from dataprotect.keys import Keyring, PassphraseKEK


if TYPE_CHECKING:
    from cryptography.hazmat.primitives import hpke


__all__ = [
    "HPKEIdentity",
    "HPKERecipient",
    "Identity",
    "IdentityKind",
    "KeyringRecipient",
    "PassphraseRecipient",
    "Recipient",
    "generate_identity",
    "parse_identity",
    "parse_recipient",
]

IdentityKind = Literal["p256", "x25519", "mlkem768-x25519"]

FILE_KEY_SIZE: Final = 32
RECIPIENT_HRP: Final = "dpbackup"
IDENTITY_HRP: Final = "dpbackup-secret-key-"

# Stanza types (docs/formats/backup.md).
STANZA_P256: Final = 0x01
STANZA_X25519: Final = 0x02
STANZA_MLKEM768_X25519: Final = 0x03
STANZA_PASSPHRASE: Final = 0x10
STANZA_KEYRING: Final = 0x11

_KINDS: Final[dict[IdentityKind, tuple[int, str]]] = {
    "p256": (STANZA_P256, "P256"),
    "x25519": (STANZA_X25519, "X25519"),
    "mlkem768-x25519": (STANZA_MLKEM768_X25519, "MLKEM768_X25519"),
}
_BY_CODE: Final = {code: kind for kind, (code, _) in _KINDS.items()}
_MLKEM_PUB: Final = 1184
_MLKEM_SEED: Final = 64
_BAD_KEY: Final = "not a valid dataprotect backup key"


def _info(label: str) -> bytes:
    return f"dataprotect/v1/backup/stanza/{label}".encode("ascii")


def _pq() -> tuple[Any, Any]:
    """cryptography's ``hpke`` and ``mlkem`` modules (recent releases only)."""
    try:
        from cryptography.hazmat.primitives import hpke
        from cryptography.hazmat.primitives.asymmetric import (
            mlkem,
        )
    except ImportError:
        msg = "HPKE backup keys need a newer cryptography (tested with 50)"
        raise MissingDependencyError(msg) from None
    return hpke, mlkem


def _suite(kind: IdentityKind) -> hpke.Suite:
    hp, _ = _pq()
    suite: hpke.Suite = hp.Suite(
        getattr(hp.KEM, _KINDS[kind][1]),
        hp.KDF.HKDF_SHA256,
        hp.AEAD.AES_256_GCM,
    )
    return suite


class Recipient(Protocol):
    """**Protocol:** something that wraps a backup's file key.

    The recipient of dataprotect's own backup format
    (:class:`HPKERecipient`, :class:`PassphraseRecipient`,
    :class:`KeyringRecipient`), as :func:`encrypt` and
    :func:`create_backup` take it.  Not to be confused with
    :class:`dataprotect.backup.age.Recipient`, the recipient of age files:
    a different type with the same name.

    .. versionadded:: 0.1.0
    """

    def _wrap(self, file_key: bytes) -> tuple[int, bytes]: ...


class Identity(Protocol):
    """**Protocol:** something that unwraps a backup's file key.

    The identity of dataprotect's own backup format
    (:class:`HPKEIdentity`, :class:`PassphraseRecipient`,
    :class:`KeyringRecipient`), as :func:`decrypt`, :func:`restore`,
    :func:`verify` and :func:`rehearse` take it.  Not to be confused with
    :class:`dataprotect.backup.age.Identity`, the identity of age files:
    a different type with the same name, and neither opens the other's
    files.

    .. versionadded:: 0.1.0
    """

    def _unwrap(self, stanza_type: int, body: bytes) -> bytes | None: ...


def _check_kind(kind: object) -> IdentityKind:
    if kind not in _KINDS:
        msg = "kind must be 'p256', 'x25519' or 'mlkem768-x25519'"
        raise ConfigurationError(msg)
    return cast("IdentityKind", str(kind))


_PublicKey: TypeAlias = (
    "ec.EllipticCurvePublicKey | x25519.X25519PublicKey"
    " | hpke.MLKEM768X25519PublicKey"
)
_PrivateKey: TypeAlias = (
    "ec.EllipticCurvePrivateKey | x25519.X25519PrivateKey"
    " | hpke.MLKEM768X25519PrivateKey"
)


def _public_from_raw(kind: str, raw: bytes) -> _PublicKey:
    sizes = {"p256": 33, "x25519": 32, "mlkem768-x25519": _MLKEM_PUB + 32}
    if len(raw) != sizes[kind]:
        raise ConfigurationError(_BAD_KEY)
    try:
        if kind == "p256":
            return ec.EllipticCurvePublicKey.from_encoded_point(
                ec.SECP256R1(), raw
            )
        if kind == "x25519":
            return x25519.X25519PublicKey.from_public_bytes(raw)
        hp, mlkem = _pq()
        key: hpke.MLKEM768X25519PublicKey = hp.MLKEM768X25519PublicKey(
            mlkem.MLKEM768PublicKey.from_public_bytes(raw[:_MLKEM_PUB]),
            x25519.X25519PublicKey.from_public_bytes(raw[_MLKEM_PUB:]),
        )
    except ValueError:
        raise ConfigurationError(_BAD_KEY) from None
    return key


class HPKERecipient:
    """The public part of an HPKE identity: encrypts backups to its owner.

    Make one with :func:`parse_recipient`, or take an identity's ``recipient``.
    ``str()`` gives the ``dpbackup1...`` text form.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_key", "_raw", "kind")

    def __init__(self, kind: IdentityKind, raw: bytes) -> None:
        self.kind: IdentityKind = _check_kind(kind)
        self._raw = bytes(raw)
        self._key = _public_from_raw(self.kind, self._raw)

    def to_text(self) -> str:
        """The ``dpbackup1...`` text form (Bech32, checksummed)."""
        code = _KINDS[self.kind][0]
        return _bech32.encode(RECIPIENT_HRP, bytes([code]) + self._raw)

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        text = self.to_text()
        return f"<HPKERecipient {self.kind} {text[:20]}...{text[-6:]}>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, HPKERecipient):
            return NotImplemented
        return (self.kind, self._raw) == (other.kind, other._raw)

    def __hash__(self) -> int:
        return hash((self.kind, self._raw))

    def _wrap(self, file_key: bytes) -> tuple[int, bytes]:
        body = _suite(self.kind).encrypt(file_key, self._key, _info(self.kind))
        return _KINDS[self.kind][0], body


class HPKEIdentity(Unpicklable):
    """A private HPKE key that decrypts backups made for its recipient.

    Make one with :func:`generate_identity` or :func:`parse_identity`.
    ``repr`` and ``str`` never show the secret; :meth:`to_text` does.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_key", "_secret", "kind", "recipient")

    def __init__(self, kind: IdentityKind, secret: bytes) -> None:
        self.kind: IdentityKind = _check_kind(kind)
        self._secret = bytes(secret)
        try:
            key, public = self._load(self.kind, self._secret)
        except ValueError:
            raise ConfigurationError(_BAD_KEY) from None
        self._key: _PrivateKey = key
        self.recipient: HPKERecipient = HPKERecipient(self.kind, public)

    @staticmethod
    def _load(kind: str, secret: bytes) -> tuple[_PrivateKey, bytes]:
        if kind == "p256":
            if len(secret) != 32:
                raise ValueError(_BAD_KEY)
            key = ec.derive_private_key(
                int.from_bytes(secret, "big"), ec.SECP256R1()
            )
            # Imported here: it loads the SSH and PKCS#12 code (30 ms),
            # which X25519 and ML-KEM keys never need.
            from cryptography.hazmat.primitives import serialization

            return key, key.public_key().public_bytes(
                serialization.Encoding.X962,
                serialization.PublicFormat.CompressedPoint,
            )
        if kind == "x25519":
            xkey = x25519.X25519PrivateKey.from_private_bytes(secret)
            return xkey, xkey.public_key().public_bytes_raw()
        if len(secret) != _MLKEM_SEED + 32:
            raise ValueError(_BAD_KEY)
        hp, mlkem = _pq()
        mkey = mlkem.MLKEM768PrivateKey.from_seed_bytes(secret[:_MLKEM_SEED])
        xkey = x25519.X25519PrivateKey.from_private_bytes(secret[_MLKEM_SEED:])
        public = (
            mkey.public_key().public_bytes_raw()
            + xkey.public_key().public_bytes_raw()
        )
        return hp.MLKEM768X25519PrivateKey(mkey, xkey), public

    def to_text(self) -> str:
        """The ``DPBACKUP-SECRET-KEY-1...`` text form: keep it secret."""
        code = _KINDS[self.kind][0]
        return _bech32.encode(
            IDENTITY_HRP, bytes([code]) + self._secret
        ).upper()

    def __repr__(self) -> str:
        return f"<HPKEIdentity {self.kind} recipient={self.recipient!r}>"

    __str__ = __repr__

    def _unwrap(self, stanza_type: int, body: bytes) -> bytes | None:
        if stanza_type != _KINDS[self.kind][0]:
            return None
        try:
            key = _suite(self.kind).decrypt(body, self._key, _info(self.kind))
        except (InvalidTag, ValueError):
            return None
        return key if len(key) == FILE_KEY_SIZE else None


def generate_identity(kind: IdentityKind = "x25519") -> HPKEIdentity:
    """Return a new random identity of *kind*; its ``.recipient`` is public.

    Args:
        kind: ``"p256"`` (FIPS-approved), ``"x25519"``, or
            ``"mlkem768-x25519"`` (hybrid post-quantum, for backups kept
            for years).

    Raises:
        dataprotect.errors.ConfigurationError: Unknown *kind*.

    .. versionadded:: 0.1.0
    """
    kind = _check_kind(kind)
    if kind == "p256":
        while True:
            scalar = os.urandom(32)
            if 0 < int.from_bytes(scalar, "big") < _P256_ORDER:
                return HPKEIdentity(kind, scalar)
    if kind == "x25519":
        return HPKEIdentity(kind, os.urandom(32))
    return HPKEIdentity(kind, os.urandom(_MLKEM_SEED + 32))


_P256_ORDER: Final = int(
    "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16
)


# The longest key text (an ML-KEM-768+X25519 recipient) is 1963
# characters; longer input is refused before the checksum is computed.
_MAX_KEY_TEXT: Final = 4096


def _decode(text: str, hrp: str) -> tuple[IdentityKind, bytes]:
    if not isinstance(text, str):
        msg = "key text must be str"  # type: ignore[unreachable]  # guards untyped callers
        raise TypeError(msg)
    if len(text) > _MAX_KEY_TEXT:
        msg = "key text is longer than 4096 characters"
        raise ConfigurationError(msg)
    try:
        got, data = _bech32.decode(text.strip())
    except ValueError:
        raise ConfigurationError(_BAD_KEY) from None
    if got.lower() != hrp or not data or data[0] not in _BY_CODE:
        raise ConfigurationError(_BAD_KEY)
    return _BY_CODE[data[0]], data[1:]


def parse_recipient(text: str) -> HPKERecipient:
    """Load a recipient from its ``dpbackup1...`` text.

    Raises:
        dataprotect.errors.ConfigurationError: Not a valid recipient (bad
            checksum, unknown kind, invalid point).

    .. versionadded:: 0.1.0
    """
    kind, raw = _decode(text, RECIPIENT_HRP)
    return HPKERecipient(kind, raw)


def parse_identity(text: str) -> HPKEIdentity:
    """Load an identity from its ``DPBACKUP-SECRET-KEY-1...`` text.

    Raises:
        dataprotect.errors.ConfigurationError: Not a valid identity.  The
            message never contains the text.

    .. versionadded:: 0.1.0
    """
    kind, raw = _decode(text, IDENTITY_HRP)
    return HPKEIdentity(kind, raw)


class PassphraseRecipient(Unpicklable):
    """A passphrase: both a recipient and an identity.

    The file key is wrapped under a key derived with argon2id (or PBKDF2
    under FIPS), exactly as :class:`dataprotect.keys.PassphraseKEK` does.

    As an identity it refuses, before any work, a stanza asking for more
    than argon2id time 8, memory 256 MiB and 64 lanes, or 2,000,000 PBKDF2
    iterations (:func:`decrypt` then raises
    :class:`~dataprotect.errors.BackupFormatError` if no other stanza
    opens), unless its own costs are higher: make it with the costs the
    backup was written with.

    Args:
        passphrase: The passphrase; ``str`` is encoded as UTF-8.
        time_cost: argon2id passes (default: PassphraseKEK's).
        memory_cost: argon2id memory in KiB.
        parallelism: argon2id lanes.
        iterations: PBKDF2 iterations.
        kdf: Force ``"argon2id"`` or ``"pbkdf2-sha256"``; ``None`` picks
            PBKDF2 only when a FIPS provider is active.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_kek",)

    def __init__(
        self,
        passphrase: str | bytes,
        *,
        time_cost: int | None = None,
        memory_cost: int | None = None,
        parallelism: int | None = None,
        iterations: int | None = None,
        kdf: Literal["argon2id", "pbkdf2-sha256"] | None = None,
    ) -> None:
        given = {
            "time_cost": time_cost,
            "memory_cost": memory_cost,
            "parallelism": parallelism,
            "iterations": iterations,
        }
        params = {k: v for k, v in given.items() if v is not None}
        self._kek = PassphraseKEK(passphrase, kdf=kdf, **params)

    def __repr__(self) -> str:
        return "<PassphraseRecipient>"

    __str__ = __repr__

    def _wrap(self, file_key: bytes) -> tuple[int, bytes]:
        return STANZA_PASSPHRASE, self._kek.wrap(file_key, _info("passphrase"))

    def _unwrap(self, stanza_type: int, body: bytes) -> bytes | None:
        if stanza_type != STANZA_PASSPHRASE:
            return None
        # The KEK's bounds on the costs a file may ask for, checked here
        # too so that a stanza over them is a clear error, not "no match".
        allowed = self._kek._costs_allowed(body)  # noqa: SLF001 - the KEK's own bound check, shared
        if allowed is None:
            return None
        if not allowed:
            raise BackupFormatError(_OVER_BOUNDS)
        try:
            key = self._kek.unwrap(body, _info("passphrase"))
        except KeyringError as exc:
            if str(exc) == keys._KDF_NO_MEMORY:  # noqa: SLF001 - the KEK's message for a failed allocation
                raise BackupError(_NO_MEMORY) from None
            return None
        return key if len(key) == FILE_KEY_SIZE else None


_OVER_BOUNDS: Final = (
    "backup passphrase stanza asks for more KDF work than allowed "
    "(a PassphraseRecipient made with higher costs accepts up to its own)"
)
_NO_MEMORY: Final = "not enough memory for the backup passphrase's KDF"


_KEYRING_STANZA: Final = struct.Struct(">I24s")


class KeyringRecipient(Unpicklable):
    """A key of a :class:`~dataprotect.keys.Keyring`: recipient and identity.

    Encrypting wraps the file key under a subkey of *key_id* (default: the
    primary key) with XAES-256-GCM and records the key id; decrypting uses
    the recorded key if the keyring still holds it active.

    Args:
        keyring: The keyring.
        key_id: The key to encrypt to; ``None`` for the primary.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_key_id", "_keyring")

    def __init__(self, keyring: Keyring, *, key_id: int | None = None) -> None:
        if not isinstance(keyring, Keyring):
            msg = "keyring must be a Keyring"  # type: ignore[unreachable]  # guards untyped callers
            raise TypeError(msg)
        self._keyring = keyring
        self._key_id = key_id

    def __repr__(self) -> str:
        return f"<KeyringRecipient {self._keyring!r}>"

    __str__ = __repr__

    def _cipher(self, key_id: int) -> XAES256GCM:
        return XAES256GCM(keys.subkey(self._keyring, key_id, "backup-kek"))

    def _wrap(self, file_key: bytes) -> tuple[int, bytes]:
        key_id = (
            self._keyring.primary_id if self._key_id is None else self._key_id
        )
        nonce = os.urandom(24)
        head = _KEYRING_STANZA.pack(key_id, nonce)
        sealed = self._cipher(key_id).encrypt(
            nonce, file_key, _info("keyring") + head[:4]
        )
        return STANZA_KEYRING, head + sealed

    def _unwrap(self, stanza_type: int, body: bytes) -> bytes | None:
        if stanza_type != STANZA_KEYRING or len(body) < _KEYRING_STANZA.size:
            return None
        key_id, nonce = _KEYRING_STANZA.unpack_from(body)
        try:
            key = self._cipher(key_id).decrypt(
                nonce,
                body[_KEYRING_STANZA.size :],
                _info("keyring") + body[:4],
            )
        except (KeyNotFoundError, DecryptionError, ValueError):
            return None
        return key if len(key) == FILE_KEY_SIZE else None

"""Keyrings: data keys with ids, rotation, and key-encryption keys (KEKs).

A :class:`Keyring` holds 256-bit data keys, each with a random 32-bit id
that is written into every ciphertext, as Tink does.  One key is the
*primary*: it encrypts.  The others still decrypt until they are retired or
destroyed.  A keyring is stored encrypted under a key-encryption key:
:class:`PassphraseKEK`, :class:`EnvKEK`, :class:`PKCS11KEK` (an AES key in
an HSM), or anything that implements the :class:`KEK` protocol, such as a
cloud KMS client.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import struct
import threading

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Final, Literal, Protocol, runtime_checkable

from cryptography.hazmat.primitives import hashes

from dataprotect import _kdf
from dataprotect._atomic import atomic_write
from dataprotect._lazy import lazy_attribute
from dataprotect._pkcs11 import PKCS11KEK
from dataprotect._secret import (
    Secret,
    Unpicklable,
    check_bytes,
    encode_secret,
)
from dataprotect._xaes import XAES256GCM
from dataprotect.errors import (
    ConfigurationError,
    DecryptionError,
    KeyNotFoundError,
    KeyringError,
)


if TYPE_CHECKING:
    from dataprotect._keyinfo import KeyInfo

__all__ = [
    "KEK",
    "PKCS11KEK",
    "EnvKEK",
    "KeyInfo",
    "KeyStatus",
    "Keyring",
    "PassphraseKEK",
]

KeyStatus = Literal["primary", "active", "retired", "destroyed"]
# What a keyring stores: which key is primary is kept apart.
_StoredStatus = Literal["active", "retired", "destroyed"]

_MAGIC: Final = b"DPKR"
_VERSION: Final = 1
_KEY_SIZE: Final = 32
_NONCE_SIZE: Final = 24
_UNLOCK_FAILED: Final = (
    "cannot unlock keyring: wrong key-encryption key or corrupt file"
)
_NOT_A_KEYRING: Final = "not a dataprotect keyring"


@runtime_checkable
class KEK(Protocol):
    """**Protocol:** a key-encryption key that wraps a keyring's data key.

    Implement it to keep the master key in a cloud KMS: ``wrap`` calls the
    KMS's *encrypt* with *associated_data* as its encryption context and
    ``unwrap`` its *decrypt*.  ``kind`` is written into the keyring file so a
    keyring is never opened with the wrong kind of KEK.

    .. versionadded:: 0.1.0
    """

    @property
    def kind(self) -> str:
        """A short, stable name such as ``"passphrase"`` or ``"aws-kms"``."""
        ...

    def wrap(self, data_key: bytes, associated_data: bytes) -> bytes:
        """Encrypt and authenticate *data_key*; return an opaque blob."""
        ...

    def unwrap(self, wrapped: bytes, associated_data: bytes) -> bytes:
        """Return the data key, or raise :class:`~dataprotect.errors.KeyringError`."""
        ...


def _seal(kek_key: bytes, data_key: bytes, associated_data: bytes) -> bytes:
    nonce = os.urandom(_NONCE_SIZE)
    return nonce + XAES256GCM(kek_key).encrypt(
        nonce, data_key, associated_data
    )


def _open(kek_key: bytes, blob: bytes, associated_data: bytes) -> bytes:
    try:
        return XAES256GCM(kek_key).decrypt(
            blob[:_NONCE_SIZE], blob[_NONCE_SIZE:], associated_data
        )
    except (DecryptionError, ValueError):
        raise KeyringError(_UNLOCK_FAILED) from None


# argon2id parameters: RFC 9106's second recommended option (64 MiB, t=3,
# p=4).  PBKDF2 iterations: OWASP's 2023 figure for HMAC-SHA-256.
_ARGON2: Final = (3, 64 * 1024, 4)
_PBKDF2_ITERATIONS: Final = 600_000
# Upper bounds on the KDF costs accepted from a file (a keyring, a backup's
# passphrase stanza), checked before any work, so a hostile one cannot make
# unlocking slow or exhaust memory: argon2id time 8, memory 256 MiB (4x the
# default's memory, about 10x its work), lanes 64; PBKDF2 2,000,000
# iterations (Django 5.2 writes 1,000,000).  A PassphraseKEK made with
# higher costs accepts up to its own.
_MAX_ARGON2: Final = (8, 256 * 1024, 64)
_MAX_PBKDF2: Final = 2_000_000
_OVER_BOUNDS: Final = (
    "cannot unlock keyring: its KDF parameters exceed the bounds "
    "(a PassphraseKEK made with higher costs accepts up to its own)"
)
_KDF_NO_MEMORY: Final = "cannot run the passphrase KDF: not enough memory"
# Subkeys a keyring keeps derived (an epoch or index name each).
_SUBKEY_CACHE: Final = 256


class PassphraseKEK(Unpicklable):
    """A KEK derived from a passphrase.

    Uses argon2id (RFC 9106, 64 MiB, t=3, p=4) with a random salt, or
    PBKDF2-HMAC-SHA-256 with 600,000 iterations when a FIPS provider is
    active (see :func:`dataprotect.fips_status`).  The parameters are stored
    in the keyring file, so a keyring written either way opens either way.

    Costs read from a file are bounded before any work: argon2id time 8,
    memory 256 MiB, lanes 64, and 2,000,000 PBKDF2 iterations, or this
    KEK's own costs where those are higher (so a KEK made with
    ``memory_cost=1 << 20`` opens the 1 GiB keyrings it wrote).

    Args:
        passphrase: The passphrase; ``str`` is encoded as UTF-8.
        time_cost: argon2id passes.
        memory_cost: argon2id memory in KiB.
        parallelism: argon2id lanes.
        iterations: PBKDF2 iterations (FIPS mode).
        kdf: Force ``"argon2id"`` or ``"pbkdf2-sha256"``; by default
            argon2id, or PBKDF2 when a FIPS provider is active.

    Raises:
        dataprotect.errors.ConfigurationError: The passphrase is empty, or
            a ``str`` holding a lone surrogate (pass ``bytes`` instead).

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_iterations", "_kdf", "_params", "_passphrase")

    kind: Final = "passphrase"

    def __init__(
        self,
        passphrase: str | bytes,
        *,
        time_cost: int = _ARGON2[0],
        memory_cost: int = _ARGON2[1],
        parallelism: int = _ARGON2[2],
        iterations: int = _PBKDF2_ITERATIONS,
        kdf: Literal["argon2id", "pbkdf2-sha256"] | None = None,
    ) -> None:
        if kdf not in {None, "argon2id", "pbkdf2-sha256"}:
            msg = "kdf must be 'argon2id', 'pbkdf2-sha256' or None"
            raise ConfigurationError(msg)
        self._kdf = kdf
        if isinstance(passphrase, str):
            passphrase = encode_secret(
                "passphrase", passphrase, ConfigurationError
            )
        passphrase = check_bytes("passphrase", passphrase)
        if not passphrase:
            msg = "passphrase must not be empty"
            raise ConfigurationError(msg)
        self._passphrase = Secret(passphrase, label="passphrase")
        self._params = (time_cost, memory_cost, parallelism)
        self._iterations = iterations

    def __repr__(self) -> str:
        return "<PassphraseKEK>"

    def _argon2(self, salt: bytes, t: int, m: int, p: int) -> bytes:
        from argon2.exceptions import HashingError
        from argon2.low_level import Type, hash_secret_raw

        try:
            return hash_secret_raw(
                self._passphrase.reveal(), salt, t, m, p, _KEY_SIZE, Type.ID
            )
        except (HashingError, MemoryError):
            # The costs are checked; what is left is a failed allocation
            # (a memory cap) or thread start.
            pass
        raise KeyringError(_KDF_NO_MEMORY)

    def _costs_allowed(self, wrapped: bytes) -> bool | None:
        """Whether the KDF costs in *wrapped*'s header are within bounds.

        ``None`` for a header this KEK cannot read (an unknown KDF, cut
        short, impossible costs such as zero lanes); ``False`` for costs
        above the bounds: :data:`_MAX_ARGON2` and :data:`_MAX_PBKDF2`, or
        this KEK's own costs where those are higher.
        """
        if wrapped[:1] == b"A" and len(wrapped) >= 26:
            costs = struct.unpack_from(">IIB", wrapped, 1)
            _, m, p = costs
            if min(costs) < 1 or m < 8 * p:
                return None
            return all(
                value <= max(bound, own)
                for value, bound, own in zip(
                    costs, _MAX_ARGON2, self._params, strict=True
                )
            )
        if wrapped[:1] == b"P" and len(wrapped) >= 21:
            (iterations,) = struct.unpack_from(">I", wrapped, 1)
            if iterations < 1:
                return None
            return bool(iterations <= max(_MAX_PBKDF2, self._iterations))
        return None

    def _pbkdf2(self, salt: bytes, iterations: int) -> bytes:
        from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

        return PBKDF2HMAC(hashes.SHA256(), _KEY_SIZE, salt, iterations).derive(
            self._passphrase.reveal()
        )

    def wrap(self, data_key: bytes, associated_data: bytes) -> bytes:
        """Wrap *data_key* under a key derived from the passphrase.

        Raises:
            dataprotect.errors.KeyringError: Not enough memory for the KDF.
        """
        salt = os.urandom(16)
        kdf = self._kdf
        if kdf is None:
            from dataprotect._fips import fips_status

            fips = fips_status().fips_enabled
            kdf = "pbkdf2-sha256" if fips else "argon2id"
        if kdf == "pbkdf2-sha256":
            head = b"P" + struct.pack(">I", self._iterations) + salt
            key = self._pbkdf2(salt, self._iterations)
        else:
            t, m, p = self._params
            head = b"A" + struct.pack(">IIB", t, m, p) + salt
            key = self._argon2(salt, t, m, p)
        return head + _seal(key, data_key, associated_data + head)

    def unwrap(self, wrapped: bytes, associated_data: bytes) -> bytes:
        """Unwrap a blob made by :meth:`wrap`.

        Raises:
            dataprotect.errors.KeyringError: Wrong passphrase or corrupt
                blob; KDF costs above the bounds (refused before any
                work); not enough memory for the KDF.
        """
        allowed = self._costs_allowed(wrapped)
        if allowed is None:
            raise KeyringError(_UNLOCK_FAILED)
        if not allowed:
            raise KeyringError(_OVER_BOUNDS)
        if wrapped[:1] == b"A":
            t, m, p = struct.unpack_from(">IIB", wrapped, 1)
            head, rest = wrapped[:26], wrapped[26:]
            key = self._argon2(head[10:26], t, m, p)
        else:
            (iterations,) = struct.unpack_from(">I", wrapped, 1)
            head, rest = wrapped[:21], wrapped[21:]
            key = self._pbkdf2(head[5:21], iterations)
        return _open(key, rest, associated_data + head)


class EnvKEK(Unpicklable):
    """A raw 256-bit KEK, base64-encoded in an environment variable.

    The variable is read each time the KEK is used, never stored.  Make a
    value with :meth:`generate_value`.

    Args:
        variable_name: The environment variable, e.g. ``"DATAPROTECT_KEK"``.
        environ: Where to look instead of :data:`os.environ`.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_environ", "variable_name")

    kind: Final = "env"

    def __init__(
        self, variable_name: str, *, environ: Mapping[str, str] | None = None
    ) -> None:
        self.variable_name: str = variable_name
        self._environ = os.environ if environ is None else environ

    def __repr__(self) -> str:
        return f"<EnvKEK {self.variable_name}>"

    @staticmethod
    def generate_value() -> str:
        """Return a new random key, base64-encoded, to put in the variable."""
        return base64.b64encode(os.urandom(_KEY_SIZE)).decode("ascii")

    def _key(self) -> bytes:
        value = self._environ.get(self.variable_name)
        if value is None:
            msg = f"environment variable {self.variable_name} is not set"
            raise KeyringError(msg)
        try:
            key = base64.b64decode(value.strip(), validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if len(key) != _KEY_SIZE:
            msg = (
                f"environment variable {self.variable_name} must hold "
                "32 bytes in base64"
            )
            raise ConfigurationError(msg)
        return key

    def wrap(self, data_key: bytes, associated_data: bytes) -> bytes:
        """Wrap *data_key* under the key in the variable."""
        return _seal(self._key(), data_key, associated_data)

    def unwrap(self, wrapped: bytes, associated_data: bytes) -> bytes:
        """Unwrap a blob made by :meth:`wrap`.

        Raises:
            dataprotect.errors.KeyringError: Wrong key or corrupt blob.
        """
        return _open(self._key(), wrapped, associated_data)


class _Key:
    __slots__ = ("created_at", "material", "status")

    def __init__(
        self,
        material: Secret | None,
        status: _StoredStatus,
        created_at: datetime,
    ) -> None:
        self.material = material
        self.status = status
        self.created_at = created_at


def _parse_key(item: dict[str, object]) -> tuple[int, _Key]:
    """One key of a keyring payload; ``ValueError`` if malformed."""
    key_id = int(str(item["id"]))
    status = item["status"]
    material = item["material"]
    if status not in {"active", "retired", "destroyed"}:
        raise ValueError(status)
    secret = None
    if isinstance(material, str):
        raw = base64.b64decode(material, validate=True)
        if len(raw) != _KEY_SIZE:
            raise ValueError(key_id)
        secret = Secret(raw, label=f"key {key_id:#010x}")
    elif status != "destroyed":
        raise ValueError(key_id)
    created = datetime.fromisoformat(str(item["created"]))
    return key_id, _Key(secret, status, created)


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(timezone.utc)).astimezone(timezone.utc)


class Keyring(Unpicklable):
    """A set of data keys, one of them primary.

    Make one with :meth:`generate`, store it with :meth:`save`, open it with
    :meth:`load`.  ``repr`` shows key ids only.

    .. versionadded:: 0.1.0
    """

    __slots__ = (
        "_ciphers",
        "_generation",
        "_keys",
        "_lock",
        "_primary",
        "_subkeys",
    )

    def __init__(self) -> None:
        self._keys: dict[int, _Key] = {}
        self._primary = 0
        # Bumped on every change, so users of the keys can cache safely.
        self._generation = 0
        # The key seam's caches (see subkey()); emptied on every change.
        self._subkeys: dict[tuple[int, str, str | None], bytes] = {}
        self._ciphers: dict[tuple[int, bool], XAES256GCM] = {}
        # Orders cache writes against changes, so a key retired while its
        # subkey was being derived never enters the new cache.
        self._lock = threading.Lock()

    @classmethod
    def generate(cls, *, now: datetime | None = None) -> Keyring:
        """Return a new keyring with one random primary key."""
        ring = cls()
        ring.rotate(now=now)
        return ring

    def __repr__(self) -> str:
        return (
            f"<Keyring primary={self._primary:#010x} keys={len(self._keys)}>"
        )

    @property
    def primary_id(self) -> int:
        """The id of the key that encrypts."""
        return self._primary

    def keys(self) -> list[KeyInfo]:
        """Every key's id, status and creation time, newest first."""
        from dataprotect._keyinfo import KeyInfo

        return sorted(
            (
                KeyInfo(
                    key_id,
                    "primary" if key_id == self._primary else key.status,
                    key.created_at,
                )
                for key_id, key in self._keys.items()
            ),
            key=lambda info: (info.created_at, info.status == "primary"),
            reverse=True,
        )

    def rotate(self, *, now: datetime | None = None) -> int:
        """Add a new random key, make it primary, and return its id.

        The previous primary stays active: it still decrypts.
        """
        key_id = 0
        while key_id == 0 or key_id in self._keys:
            key_id = int.from_bytes(os.urandom(4), "big")
        material = Secret(os.urandom(_KEY_SIZE), label=f"key {key_id:#010x}")
        self._keys[key_id] = _Key(material, "active", _now(now))
        self._primary = key_id
        self._changed()
        return key_id

    def _changed(self) -> None:
        """Bump the generation and drop every subkey derived so far."""
        with self._lock:
            self._generation += 1
            self._subkeys = {}
            self._ciphers = {}

    def _entry(self, key_id: int) -> _Key:
        try:
            return self._keys[key_id]
        except KeyError:
            msg = f"no key with id {key_id:#010x} in this keyring"
            raise KeyNotFoundError(msg) from None

    def _change(self, key_id: int, status: _StoredStatus) -> _Key:
        key = self._entry(key_id)
        if key_id == self._primary:
            msg = (
                "the primary key cannot be retired or destroyed; rotate first"
            )
            raise KeyringError(msg)
        if key.status == "destroyed" and status != "destroyed":
            msg = f"key {key_id:#010x} was destroyed"
            raise KeyringError(msg)
        key.status = status
        self._changed()
        return key

    def retire(self, key_id: int) -> None:
        """Stop *key_id* from decrypting; :meth:`reactivate` undoes it.

        Raises:
            dataprotect.errors.KeyNotFoundError: Unknown id.
            dataprotect.errors.KeyringError: It is the primary key.
        """
        self._change(key_id, "retired")

    def reactivate(self, key_id: int) -> None:
        """Let a retired key decrypt again.

        Raises:
            dataprotect.errors.KeyNotFoundError: Unknown id.
            dataprotect.errors.KeyringError: It was destroyed.
        """
        self._change(key_id, "active")

    def destroy(self, key_id: int) -> None:
        """Erase *key_id*'s material for good; its id stays as a tombstone.

        Data encrypted under it can never be decrypted again (crypto-shredding).

        Raises:
            dataprotect.errors.KeyNotFoundError: Unknown id.
            dataprotect.errors.KeyringError: It is the primary key.
        """
        self._change(key_id, "destroyed").material = None

    def _material(self, key_id: int) -> bytes:
        """The material of an active key: only the seam below reads it."""
        key = self._entry(key_id)
        if key.material is None or key.status != "active":
            msg = f"key {key_id:#010x} is {key.status}"
            raise KeyNotFoundError(msg)
        return key.material.reveal()

    def _subkey(self, key_id: int, purpose: str, param: str | None) -> bytes:
        cache_key = (key_id, purpose, param)
        found = self._subkeys.get(cache_key)
        if found is None:
            generation = self._generation
            found = _kdf.derive(self._material(key_id), purpose, param)
            with self._lock:
                if generation == self._generation:
                    if len(self._subkeys) >= _SUBKEY_CACHE:
                        self._subkeys = {}
                    self._subkeys[cache_key] = found
        return found

    def _cipher(self, key_id: int, *, raw: bool) -> XAES256GCM:
        cache_key = (key_id, raw)
        found = self._ciphers.get(cache_key)
        if found is None:
            generation = self._generation
            material = self._material(key_id)
            found = XAES256GCM(
                material if raw else _kdf.derive(material, "encryption")
            )
            with self._lock:
                if generation == self._generation:
                    self._ciphers[cache_key] = found
        return found

    # -- serialisation -------------------------------------------------

    def _payload(self) -> bytes:
        keys = [
            {
                "id": key_id,
                "status": key.status,
                "created": key.created_at.isoformat(),
                "material": None
                if key.material is None
                else base64.b64encode(key.material.reveal()).decode("ascii"),
            }
            for key_id, key in self._keys.items()
        ]
        return json.dumps({"primary": self._primary, "keys": keys}).encode()

    @classmethod
    def _from_payload(cls, payload: bytes) -> Keyring:
        ring = cls()
        try:
            doc = json.loads(payload)
            for item in doc["keys"]:
                key_id, key = _parse_key(item)
                ring._keys[key_id] = key
            ring._primary = int(doc["primary"])
            primary_status = ring._keys[ring._primary].status
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise KeyringError(_NOT_A_KEYRING) from None
        if primary_status != "active":
            raise KeyringError(_NOT_A_KEYRING)
        return ring

    def to_bytes(self, *, kek: KEK) -> bytes:
        """Serialise the keyring encrypted under *kek* (see ``docs/formats``)."""
        kind = kek.kind.encode("utf-8")
        data_key = os.urandom(_KEY_SIZE)
        head = _MAGIC + bytes([_VERSION, len(kind)]) + kind
        wrapped = kek.wrap(data_key, head)
        head += struct.pack(">H", len(wrapped)) + wrapped
        nonce = os.urandom(_NONCE_SIZE)
        body = XAES256GCM(data_key).encrypt(nonce, self._payload(), head)
        return head + nonce + body

    @classmethod
    def from_bytes(cls, data: bytes, *, kek: KEK) -> Keyring:
        """Open a keyring made by :meth:`to_bytes`.

        Raises:
            dataprotect.errors.KeyringError: Not a keyring, a keyring for
                another kind of KEK, the wrong KEK, a corrupt file, or one
                whose KDF costs exceed the KEK's bounds (see
                :class:`PassphraseKEK`).
        """
        data = check_bytes("data", data)
        if data[:4] != _MAGIC or len(data) < 6 or data[4] != _VERSION:
            raise KeyringError(_NOT_A_KEYRING)
        kind_end = 6 + data[5]
        if data[6:kind_end] != kek.kind.encode("utf-8"):
            msg = "this keyring was saved under another kind of KEK"
            raise KeyringError(msg)
        try:
            (size,) = struct.unpack_from(">H", data, kind_end)
        except struct.error:
            raise KeyringError(_NOT_A_KEYRING) from None
        wrapped_end = kind_end + 2 + size
        wrapped = data[kind_end + 2 : wrapped_end]
        data_key = kek.unwrap(wrapped, data[:kind_end])
        nonce = data[wrapped_end : wrapped_end + _NONCE_SIZE]
        try:
            payload = XAES256GCM(data_key).decrypt(
                nonce, data[wrapped_end + _NONCE_SIZE :], data[:wrapped_end]
            )
        except (DecryptionError, ValueError):
            raise KeyringError(_UNLOCK_FAILED) from None
        return cls._from_payload(payload)

    def save(self, path: str | os.PathLike[str], *, kek: KEK) -> None:
        """Write the keyring to *path* atomically, with mode 0600."""
        blob = self.to_bytes(kek=kek)
        with atomic_write(path, mode=0o600) as fh:
            fh.write(blob)

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, kek: KEK) -> Keyring:
        """Read a keyring written by :meth:`save`.

        Raises:
            dataprotect.errors.KeyringError: As :meth:`from_bytes`, or the
                file cannot be read.
        """
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            msg = f"cannot read keyring file: {exc.strerror}"
            raise KeyringError(msg) from None
        return cls.from_bytes(data, kek=kek)


# -- the key seam (package-private) -------------------------------------
#
# The only way the rest of dataprotect reaches a keyring's keys.  Not in
# __all__: the public API takes a Keyring and never hands out key bytes.


def subkey(
    keyring: Keyring, key_id: int, purpose: str, param: str | None = None
) -> bytes:
    """The subkey of *key_id* for *purpose* (a label of ``_kdf.LABELS``).

    Derived with HKDF-SHA-256 and cached until the keyring next changes,
    so a retired or destroyed key is never served from the cache.

    Raises:
        dataprotect.errors.KeyNotFoundError: *key_id* is unknown, retired
            or destroyed.
    """
    return keyring._subkey(key_id, purpose, param)  # noqa: SLF001 - the seam


def cipher(keyring: Keyring, key_id: int) -> XAES256GCM:
    """XAES-256-GCM under *key_id*'s ``encryption`` subkey.

    The key of the at-rest formats from version 2 on (message version byte
    2, stream magic ``DPS`` and version byte 2).  Cached like
    :func:`subkey`.

    Raises:
        dataprotect.errors.KeyNotFoundError: As :func:`subkey`.
    """
    return keyring._cipher(key_id, raw=False)  # noqa: SLF001 - the seam


def legacy_cipher(keyring: Keyring, key_id: int) -> XAES256GCM:
    """XAES-256-GCM under *key_id* itself: for reading format 1 only.

    Format 1 (message version byte 1, stream magic ``DPS`` and version byte
    1) used the keyring key directly, against the key-separation rule;
    never encrypt with this.

    Raises:
        dataprotect.errors.KeyNotFoundError: As :func:`subkey`.
    """
    return keyring._cipher(key_id, raw=True)  # noqa: SLF001 - the seam


def generation(keyring: Keyring) -> int:
    """A number that changes whenever *keyring*'s keys change (for caches)."""
    return keyring._generation  # noqa: SLF001 - the seam


def __getattr__(name: str) -> object:
    """:class:`KeyInfo` on first use: the dataclass machinery it is made
    with imports ``inspect``, a tenth of a command's start-up."""
    return lazy_attribute(
        __name__, globals(), {"KeyInfo": "dataprotect._keyinfo"}, name
    )

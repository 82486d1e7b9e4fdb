"""Access tokens: prefixed random tokens and keyed digests to store.

:func:`generate_token` makes tokens shaped like GitHub's
(``<prefix>_<30 random base62><6 base62 CRC32>``): the prefix tells users
and secret scanners what a token is, and the checksum catches typos offline
(:func:`is_well_formed`) and makes false positives of scanners negligible.

Store only :meth:`TokenHasher.digest` of a token, an HMAC-SHA-256 under a
server key: tokens carry 178 random bits, so a fast keyed hash is enough
(argon2 would only slow every request down), and a stolen table is useless
without the key.  The format is in ``docs/formats/passwords.md``.
"""

from __future__ import annotations

import binascii
import hmac
import re
import secrets

from typing import Final

from dataprotect import _kdf, keys
from dataprotect._encoding import BASE62, base62_crc32
from dataprotect._hmac import HmacSha256
from dataprotect._secret import Unpicklable, check_bytes, check_type
from dataprotect.errors import (
    ConfigurationError,
    InvalidHashError,
    KeyNotFoundError,
)
from dataprotect.keys import Keyring


__all__ = [
    "CHECKSUM_LENGTH",
    "RANDOM_LENGTH",
    "TokenHasher",
    "generate_token",
    "is_well_formed",
]

#: Base62 characters of randomness in a token (about 178.6 bits).
RANDOM_LENGTH: Final = 30
#: Base62 characters of the CRC32 checksum.
CHECKSUM_LENGTH: Final = 6

_PREFIX_RE: Final = re.compile(r"[a-z][a-z0-9]{1,15}")
_TOKEN_RE: Final = re.compile(r"([a-z][a-z0-9]{1,15})_([0-9A-Za-z]{36})")
_MAX_TOKEN: Final = 16 + 1 + RANDOM_LENGTH + CHECKSUM_LENGTH
_DIGEST_PREFIX: Final = "dpt1."
_DIGEST_LENGTH: Final = len(_DIGEST_PREFIX) + 8 + 1 + 43
_KEY_ID_RE: Final = re.compile(r"[0-9a-f]{8}")
_URLSAFE: Final = bytes.maketrans(b"+/", b"-_")
_MALFORMED: Final = "malformed token digest"


def _check_prefix(prefix: object) -> str:
    prefix = check_type("prefix", prefix, str)
    if not _PREFIX_RE.fullmatch(prefix):
        msg = (
            "prefix must be 2 to 16 lower-case ASCII letters and digits, "
            "starting with a letter"
        )
        raise ConfigurationError(msg)
    return prefix


def _checksum(body: str) -> str:
    return base62_crc32(body)


def generate_token(prefix: str) -> str:
    """A new random access token ``<prefix>_<30 random><6 checksum>``.

    The random part is 30 characters drawn uniformly from base62 by
    ``secrets`` (about 178 bits); the checksum is the CRC32 of
    ``<prefix>_<random>``, in 6 base62 characters.

    Args:
        prefix: What the token is for, e.g. ``"acme"``: 2 to 16 lower-case
            ASCII letters and digits, starting with a letter.  (No
            underscores: the last ``_`` separates the prefix, and secret
            scanners, dataprotect's own included, match this shape.)

    Raises:
        TypeError: *prefix* is not ``str``.
        dataprotect.errors.ConfigurationError: *prefix* breaks the rule above.

    .. versionadded:: 0.1.0
    """
    prefix = _check_prefix(prefix)
    body = (
        prefix
        + "_"
        + "".join(secrets.choice(BASE62) for _ in range(RANDOM_LENGTH))
    )
    return body + _checksum(body)


def is_well_formed(token: str, *, prefix: str | None = None) -> bool:
    """Whether *token* has a token's shape and a correct checksum.

    A cheap offline check (no look-up, no key) that rejects typos and
    garbage before the database is asked.  It says nothing about whether
    the token was issued or is still valid.

    Args:
        token: The candidate.
        prefix: If given, the token must also have this prefix.

    Raises:
        TypeError: *token* (or *prefix*) is not ``str``.

    .. versionadded:: 0.1.0
    """
    check_type("token", token, str)
    if prefix is not None:
        _check_prefix(prefix)
    if len(token) > _MAX_TOKEN:
        return False
    match = _TOKEN_RE.fullmatch(token)
    if match is None or (prefix is not None and match.group(1) != prefix):
        return False
    body = token[:-CHECKSUM_LENGTH]
    return hmac.compare_digest(_checksum(body), token[-CHECKSUM_LENGTH:])


def _token_bytes(token: object) -> bytes:
    token = check_type("token", token, str)
    # Tokens are ASCII; anything else still gets a stable digest and simply
    # never matches, rather than raising on a lone surrogate.
    return token.encode("utf-8", "surrogatepass")


class TokenHasher(Unpicklable):
    """Keyed digests of access tokens, to store and look tokens up by.

    ``digest`` is ``dpt1.<key id>.<HMAC-SHA-256>``: deterministic, so the
    digest of a presented token finds its row with an index.  The HMAC key
    is derived from the key with the HKDF label
    ``dataprotect/v1/token-digest``.

    With a :class:`~dataprotect.keys.Keyring`, the primary key makes new
    digests and every active key verifies; :meth:`needs_update` tells which
    digests to recompute, and :meth:`verify_and_update` recomputes one when
    its token is presented (a digest cannot be moved to a new key without
    the token).  During a rotation, look tokens up by :meth:`candidates`.

    Args:
        key: A 32-byte key (key id ``0``) or a keyring.

    Raises:
        TypeError: *key* is neither ``bytes`` nor a keyring.
        dataprotect.errors.ConfigurationError: A ``bytes`` key is not 32 bytes long.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_cache", "_ids", "_keyring", "_raw_mac")

    def __init__(self, key: bytes | Keyring) -> None:
        self._cache: dict[int, tuple[bytes, HmacSha256]] = {}
        # Hex key ids seen with a real key: parsing skips the regex for them.
        self._ids: dict[str, int] = {"00000000": 0}
        if isinstance(key, Keyring):
            self._keyring: Keyring | None = key
            self._raw_mac: HmacSha256 | None = None
        else:
            raw = check_bytes("key", key)
            if len(raw) != 32:
                msg = "key must be 32 bytes"
                raise ConfigurationError(msg)
            self._keyring = None
            self._raw_mac = HmacSha256(_kdf.derive(raw, "token-digest"))

    def __repr__(self) -> str:
        return f"<TokenHasher primary={self._primary():#010x}>"

    def _primary(self) -> int:
        return 0 if self._keyring is None else self._keyring.primary_id

    def _subkey(self, key_id: int) -> HmacSha256:
        if self._keyring is None:
            if key_id != 0 or self._raw_mac is None:
                msg = f"no key with id {key_id:#010x} in this keyring"
                raise KeyNotFoundError(msg)
            return self._raw_mac
        # KeyNotFoundError for unknown, retired or destroyed keys.  The
        # keyring derives a new subkey object after every change, so the
        # identity check never serves a MAC from a stale entry.
        digest_key = keys.subkey(self._keyring, key_id, "token-digest")
        cached = self._cache.get(key_id)
        if cached is None or cached[0] is not digest_key:
            cached = (digest_key, HmacSha256(digest_key))
            self._cache[key_id] = cached
            self._ids[f"{key_id:08x}"] = key_id
        return cached[1]

    def _mac(self, key_id: int, token: bytes) -> bytes:
        mac = self._subkey(key_id).digest(token)
        return binascii.b2a_base64(mac, newline=False)[:43].translate(_URLSAFE)

    def _format(self, key_id: int, token: bytes) -> str:
        mac = self._mac(key_id, token).decode("ascii")
        return f"{_DIGEST_PREFIX}{key_id:08x}.{mac}"

    def digest(self, token: str) -> str:
        """The digest of *token* under the primary key, to store.

        Raises:
            TypeError: *token* is not ``str``.
        """
        return self._format(self._primary(), _token_bytes(token))

    def candidates(self, token: str) -> list[str]:
        """The digests of *token* under every active key, primary first.

        Look tokens up with ``WHERE digest IN (...)`` while stored digests
        are being moved to a new key.

        Raises:
            TypeError: *token* is not ``str``.

        .. versionadded:: 0.1.0
        """
        raw = _token_bytes(token)
        if self._keyring is None:
            return [self._format(0, raw)]
        primary = self._keyring.primary_id
        ids = [
            info.key_id
            for info in self._keyring.keys()  # noqa: SIM118 - Keyring.keys() is a method returning a list, not dict.keys()
            if info.status in {"primary", "active"}
        ]
        ids.sort(key=lambda i: i != primary)
        return [self._format(i, raw) for i in ids]

    def _parse(self, digest: object) -> tuple[int, bytes]:
        if not isinstance(digest, str):
            msg = "digest must be str"
            raise TypeError(msg)
        if (
            len(digest) != _DIGEST_LENGTH
            or not digest.startswith(_DIGEST_PREFIX)
            or digest[13] != "."
            or not digest.isascii()
        ):
            raise InvalidHashError(_MALFORMED)
        hex_id = digest[5:13]
        key_id = self._ids.get(hex_id)
        if key_id is None:
            if not _KEY_ID_RE.fullmatch(hex_id):
                raise InvalidHashError(_MALFORMED)
            key_id = int(hex_id, 16)
        return key_id, digest[14:].encode("ascii")

    def verify(self, token: str, digest: str) -> bool:
        """Whether *token* matches the stored *digest* (constant time).

        Raises:
            TypeError: An argument is not ``str``.
            dataprotect.errors.InvalidHashError: *digest* is malformed.
            dataprotect.errors.KeyNotFoundError: Its key is not in the
                keyring, or was retired or destroyed.
        """
        key_id, mac = self._parse(digest)
        return hmac.compare_digest(self._mac(key_id, _token_bytes(token)), mac)

    def needs_update(self, digest: str) -> bool:
        """Whether *digest* was made under a key other than the primary.

        Raises:
            TypeError: *digest* is not ``str``.
            dataprotect.errors.InvalidHashError: *digest* is malformed.
        """
        return self._parse(digest)[0] != self._primary()

    def verify_and_update(
        self, token: str, digest: str
    ) -> tuple[bool, str | None]:
        """Verify; if the digest is under an older key, return a new one.

        Returns:
            ``(matches, new_digest_or_None)``.

        Raises:
            TypeError: An argument is not ``str``.
            dataprotect.errors.InvalidHashError: *digest* is malformed.
            dataprotect.errors.KeyNotFoundError: Its key is not usable.

        .. versionadded:: 0.1.0
        """
        key_id, mac = self._parse(digest)
        raw = _token_bytes(token)
        if not hmac.compare_digest(self._mac(key_id, raw), mac):
            return False, None
        primary = self._primary()
        if key_id == primary:
            return True, None
        return True, self._format(primary, raw)

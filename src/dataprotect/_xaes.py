"""XAES-256-GCM (https://c2sp.org/XAES-256-GCM) on ``cryptography``.

The subkey is derived with the NIST SP 800-108r1 counter KDF instantiated
with CMAC-AES-256, which for XAES-256-GCM's parameters reduces to two AES-256
block encryptions under the input key (see the spec's "Detailed key
derivation algorithm").  The CMAC subkey *K1* is computed once per key.
"""

from __future__ import annotations

import os
import threading

from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, CipherContext
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.ciphers.algorithms import AES256
from cryptography.hazmat.primitives.ciphers.modes import ECB

from dataprotect._secret import Unpicklable, check_bytes
from dataprotect.errors import DecryptionError


__all__ = ["XAES256GCM"]

_KEY_SIZE: Final = 32
_NONCE_SIZE: Final = 24
_DECRYPT_FAILED: Final = "decryption failed"


def _shift_left(block: bytes) -> int:
    """CMAC subkey doubling in GF(2^128) (NIST SP 800-38B, 6.1)."""
    value = int.from_bytes(block, "big") << 1
    if value >> 128:
        value = (value & ((1 << 128) - 1)) ^ 0x87
    return value


class XAES256GCM(Unpicklable):
    """XAES-256-GCM: AES-256-GCM with 192-bit nonces that are safe to draw
    at random for a virtually unlimited number of messages under one key.

    The API mirrors :class:`cryptography.hazmat.primitives.ciphers.aead.AESGCM`.

    .. danger::

       This is a low-level primitive: the caller must supply a fresh 24-byte
       nonce for every message (``os.urandom(24)`` is safe).  Reusing a nonce
       with the same key destroys confidentiality and authenticity.
       :class:`dataprotect.encryption.Encryptor` handles nonces and key ids
       for you.

    Args:
        key: 32 bytes.

    Raises:
        ValueError: *key* is not 32 bytes long.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("__weakref__", "_k1_low", "_key", "_local", "_p1", "_p2")

    KEY_SIZE: Final = _KEY_SIZE
    NONCE_SIZE: Final = _NONCE_SIZE

    def __init__(self, key: bytes) -> None:
        key = check_bytes("key", key)
        if len(key) != _KEY_SIZE:
            msg = "key must be 32 bytes"
            raise ValueError(msg)
        self._key = key
        self._local = threading.local()
        k1 = _shift_left(self._ecb().update(bytes(16))).to_bytes(16, "big")
        # M1 ^ K1 = P1 || (N[:12] ^ K1[4:]) and likewise M2: precompute the
        # first four bytes of each and K1's last twelve.
        self._p1 = bytes(
            a ^ b for a, b in zip(b"\x00\x01X\x00", k1, strict=False)
        )
        self._p2 = bytes(
            a ^ b for a, b in zip(b"\x00\x02X\x00", k1, strict=False)
        )
        self._k1_low = int.from_bytes(k1[4:], "big")

    def __repr__(self) -> str:
        return "<XAES256GCM>"

    @classmethod
    def generate_key(cls) -> bytes:
        """Return a new random 32-byte key."""
        return os.urandom(_KEY_SIZE)

    def _ecb(self) -> CipherContext:
        """This thread's new block-cipher context (reused by ``derive``)."""
        # ECB on single, independent blocks is exactly the block cipher the
        # spec calls for.
        ctx = Cipher(AES256(self._key), ECB()).encryptor()  # noqa: S305 - the raw block cipher, one block at a time
        self._local.ecb = ctx
        return ctx

    def derive(self, nonce: bytes) -> tuple[AESGCM, bytes]:
        """Return the AES-256-GCM instance and 12-byte nonce for *nonce*.

        Exposed for constructions that run AES-256-GCM many times under one
        derived key (the STREAM construction of the file formats).

        Raises:
            ValueError: *nonce* is not 24 bytes long.
        """
        if type(nonce) is not bytes or len(nonce) != _NONCE_SIZE:
            nonce = check_bytes("nonce", nonce)
            if len(nonce) != _NONCE_SIZE:
                msg = "nonce must be 24 bytes"
                raise ValueError(msg)
        try:
            ecb: CipherContext = self._local.ecb
        except AttributeError:
            ecb = self._ecb()
        x = (int.from_bytes(nonce[:12], "big") ^ self._k1_low).to_bytes(
            12, "big"
        )
        return AESGCM(ecb.update(self._p1 + x + self._p2 + x)), nonce[12:]

    def encrypt(
        self, nonce: bytes, data: bytes, associated_data: bytes | None
    ) -> bytes:
        """Encrypt and authenticate *data*; return ciphertext || 16-byte tag.

        Raises:
            ValueError: *nonce* is not 24 bytes long.
        """
        aead, nx = self.derive(nonce)
        return aead.encrypt(nx, data, associated_data)

    def decrypt(
        self, nonce: bytes, data: bytes, associated_data: bytes | None
    ) -> bytes:
        """Authenticate and decrypt *data* (ciphertext || tag).

        Raises:
            ValueError: *nonce* is not 24 bytes long.
            dataprotect.errors.DecryptionError: Authentication failed.
        """
        aead, nx = self.derive(nonce)
        try:
            return aead.decrypt(nx, data, associated_data)
        except InvalidTag:
            raise DecryptionError(_DECRYPT_FAILED) from None

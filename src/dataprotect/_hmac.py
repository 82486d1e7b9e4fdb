"""HMAC-SHA-256 keyed once for many short messages (RFC 2104).

``hmac.digest`` hashes the key blocks again for every message.  Keeping the
two SHA-256 states after the inner and outer key blocks and copying them
per message computes the same HMAC about twice as fast for short inputs
(access tokens, log pseudonyms).
"""

from __future__ import annotations

import hashlib

from typing import Final


__all__ = ["HmacSha256"]

_BLOCK: Final = 64


class HmacSha256:
    """HMAC-SHA-256 under one key; :meth:`digest` equals ``hmac.digest``.

    The object holds hash states derived from the key: its ``repr`` shows
    none of them, and it is not meant to be stored.
    """

    __slots__ = ("_inner", "_outer")

    def __init__(self, key: bytes) -> None:
        if len(key) > _BLOCK:
            key = hashlib.sha256(key).digest()
        block = key.ljust(_BLOCK, b"\x00")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def __repr__(self) -> str:
        return "<HmacSha256>"

    def digest(self, data: bytes) -> bytes:
        """HMAC-SHA-256 of *data*: 32 bytes."""
        inner = self._inner.copy()
        inner.update(data)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()

"""Text encodings shared by the formats: URL-safe base64 without padding."""

from __future__ import annotations

import base64
import binascii


__all__ = ["BASE62", "b64decode", "b64encode", "base62_crc32"]

#: The base62 alphabet of GitHub-style tokens: digits, upper, lower case.
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def b64encode(data: bytes) -> str:
    """URL-safe base64 without ``=`` padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64decode(text: str | bytes) -> bytes:
    """Decode URL-safe base64 with or without padding.

    Raises:
        ValueError: *text* is not canonical URL-safe base64.
    """
    try:
        # A UnicodeEncodeError would hold the whole text in its args.
        raw = text.encode("ascii") if isinstance(text, str) else text
        raw = raw.strip()
        out = base64.urlsafe_b64decode(raw + b"=" * (-len(raw) % 4))
    except (binascii.Error, ValueError):
        msg = "not valid base64"
        raise ValueError(msg) from None
    if base64.urlsafe_b64encode(out).rstrip(b"=") != raw.rstrip(b"="):
        msg = "not valid base64"
        raise ValueError(msg)
    return out


def base62_crc32(text: str) -> str:
    """CRC32 of *text* (ASCII) as six base62 digits, zero-padded.

    The checksum scheme of GitHub's, npm's and dataprotect's tokens.
    """
    value = binascii.crc32(text.encode("ascii"))
    digits = []
    for _ in range(6):
        value, rem = divmod(value, 62)
        digits.append(BASE62[rem])
    return "".join(reversed(digits))

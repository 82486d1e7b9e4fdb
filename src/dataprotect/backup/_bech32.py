"""Bech32 (BIP 173) encoding, as age uses it for keys.

BIP 173 limits a string to 90 characters; like age, :func:`encode` and
:func:`decode` take ``limit=None`` to lift that limit for long keys (an
ML-KEM-768 public key is 1,184 bytes).  The checksum is the BIP 173 one
(constant 1), not Bech32m.
"""

from __future__ import annotations

from typing import Final


__all__ = ["Bech32Error", "decode", "decode_words", "encode", "encode_words"]

_CHARSET: Final = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_REV: Final = {c: i for i, c in enumerate(_CHARSET)}
_GEN: Final = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


class Bech32Error(ValueError):
    """A string is not valid Bech32 (the message names the rule)."""


def _polymod(values: list[int]) -> int:
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            if (top >> i) & 1:
                chk ^= _GEN[i]
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _convert(
    data: bytes | list[int], frm: int, to: int, pad: bool
) -> list[int]:
    acc = bits = 0
    out: list[int] = []
    maxv = (1 << to) - 1
    for value in data:
        acc = (acc << frm) | value
        bits += frm
        while bits >= to:
            bits -= to
            out.append((acc >> bits) & maxv)
    if pad:
        if bits:
            out.append((acc << (to - bits)) & maxv)
    elif bits >= frm or (acc << (to - bits)) & maxv:
        msg = "invalid padding"
        raise Bech32Error(msg)
    return out


def _check_hrp(hrp: str) -> None:
    if not hrp or any(not 33 <= ord(c) <= 126 for c in hrp):
        msg = "human-readable part must be 1+ characters from 33 to 126"
        raise Bech32Error(msg)


def encode_words(hrp: str, words: list[int], *, limit: int | None = 90) -> str:
    """Encode 5-bit *words* under *hrp* (lower case)."""
    _check_hrp(hrp)
    hrp = hrp.lower()
    values = _hrp_expand(hrp) + words
    mod = _polymod([*values, 0, 0, 0, 0, 0, 0]) ^ 1
    checksum = [(mod >> 5 * (5 - i)) & 31 for i in range(6)]
    text = hrp + "1" + "".join(_CHARSET[w] for w in words + checksum)
    if limit is not None and len(text) > limit:
        msg = "string too long"
        raise Bech32Error(msg)
    return text


def decode_words(
    text: str, *, limit: int | None = 90
) -> tuple[str, list[int]]:
    """Decode *text* into its human-readable part and 5-bit words."""
    if not isinstance(text, str):
        msg = "text must be str"  # type: ignore[unreachable]
        raise TypeError(msg)
    if limit is not None and len(text) > limit:
        msg = "string too long"
        raise Bech32Error(msg)
    if text.lower() != text and text.upper() != text:
        msg = "mixed case"
        raise Bech32Error(msg)
    if any(not 33 <= ord(c) <= 126 for c in text):
        msg = "character out of range"
        raise Bech32Error(msg)
    text = text.lower()
    pos = text.rfind("1")
    if pos < 1 or pos + 7 > len(text):
        msg = "separator missing or misplaced"
        raise Bech32Error(msg)
    hrp, rest = text[:pos], text[pos + 1 :]
    try:
        words = [_REV[c] for c in rest]
    except KeyError:
        msg = "invalid data character"
        raise Bech32Error(msg) from None
    if _polymod(_hrp_expand(hrp) + words) != 1:
        msg = "invalid checksum"
        raise Bech32Error(msg)
    return hrp, words[:-6]


def encode(hrp: str, data: bytes, *, limit: int | None = 90) -> str:
    """Encode *data* as Bech32 under *hrp* (lower case).

    Raises:
        Bech32Error: *hrp* is invalid or the result exceeds *limit*.
    """
    return encode_words(hrp, _convert(data, 8, 5, True), limit=limit)


def decode(text: str, *, limit: int | None = 90) -> tuple[str, bytes]:
    """Decode *text*; return its human-readable part (lower case) and data.

    Raises:
        Bech32Error: Any BIP 173 rule is broken.
    """
    hrp, words = decode_words(text, limit=limit)
    return hrp, bytes(_convert(words, 5, 8, False))

"""Bech32 (BIP 173) for byte strings: age keys, backup keys, the scanner.

age uses Bech32 without BIP 173's 90-character limit (a hybrid
post-quantum recipient is about 1950 characters), so no limit applies
unless ``limit`` is given.  A string is all lowercase or all uppercase; the
checksum is computed over the lowercase form.  The human-readable part is
returned in the case it was written in, so callers can insist on
``AGE-SECRET-KEY-`` being uppercase as age does.
"""

from __future__ import annotations

from typing import Final


__all__ = ["decode", "encode"]

_CHARSET: Final = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_VALUES: Final = {c: i for i, c in enumerate(_CHARSET)}
_GENERATOR: Final = (
    0x3B6A57B2,
    0x26508E6D,
    0x1EA119FA,
    0x3D4233DD,
    0x2A1462B3,
)
_INVALID: Final = "invalid Bech32 string"


def _polymod(values: list[int]) -> int:
    chk = 1
    for value in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ value
        for i, gen in enumerate(_GENERATOR):
            if (top >> i) & 1:
                chk ^= gen
    return chk


def _expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _convert(
    data: bytes | list[int], src: int, dst: int, pad: bool
) -> list[int]:
    acc = bits = 0
    out: list[int] = []
    mask = (1 << dst) - 1
    for value in data:
        acc = (acc << src) | value
        bits += src
        while bits >= dst:
            bits -= dst
            out.append((acc >> bits) & mask)
    if pad:
        if bits:
            out.append((acc << (dst - bits)) & mask)
    elif bits >= src or (acc << (dst - bits)) & mask:
        raise ValueError(_INVALID)
    return out


def encode(hrp: str, data: bytes) -> str:
    """Encode *data* under the human-readable part *hrp* (lowercase out).

    Raises:
        ValueError: *hrp* is empty, or has characters outside ASCII 33-126.
    """
    if not hrp or any(not 33 <= ord(c) <= 126 for c in hrp):
        raise ValueError(_INVALID)
    hrp = hrp.lower()
    values = _convert(data, 8, 5, pad=True)
    polymod = _polymod([*_expand(hrp), *values, 0, 0, 0, 0, 0, 0]) ^ 1
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_CHARSET[v] for v in values + checksum)


def decode_values(
    text: str, *, limit: int | None = None
) -> tuple[str, list[int]]:
    """Check *text* and return its human-readable part and 5-bit values.

    Raises:
        ValueError: Mixed case, bad characters, bad checksum, too long.
    """
    if limit is not None and len(text) > limit:
        raise ValueError(_INVALID)
    if any(not 33 <= ord(c) <= 126 for c in text):
        raise ValueError(_INVALID)
    if text.lower() != text and text.upper() != text:
        raise ValueError(_INVALID)
    pos = text.rfind("1")
    if pos < 1 or pos + 7 > len(text):
        raise ValueError(_INVALID)
    hrp = text[:pos]
    lower = text.lower()
    try:
        values = [_VALUES[c] for c in lower[pos + 1 :]]
    except KeyError:
        raise ValueError(_INVALID) from None
    if _polymod([*_expand(hrp.lower()), *values]) != 1:
        raise ValueError(_INVALID)
    return hrp, values[:-6]


def decode(text: str, *, limit: int | None = None) -> tuple[str, bytes]:
    """Decode *text* to ``(hrp, data)``; *hrp* keeps the input's case.

    Raises:
        ValueError: Not valid Bech32, or the data is not whole bytes.
    """
    hrp, values = decode_values(text, limit=limit)
    return hrp, bytes(_convert(values, 5, 8, pad=False))

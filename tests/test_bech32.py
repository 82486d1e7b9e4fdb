"""Tests for dataprotect._bech32 (BIP 173 without length limit)."""

from __future__ import annotations

import json

from pathlib import Path

import pytest

from hypothesis import given
from hypothesis import strategies as st

from dataprotect import _bech32


VECTORS = json.loads(
    (Path(__file__).parent / "vectors" / "bech32" / "bip173.json").read_text(
        encoding="utf-8"
    )
)


def _convert(values, src, dst):
    """Regroup bits without padding checks (for the segwit vectors)."""
    acc = bits = 0
    out = []
    for v in values:
        acc = (acc << src) | v
        bits += src
        while bits >= dst:
            bits -= dst
            out.append((acc >> bits) & ((1 << dst) - 1))
    return bytes(out)


class TestBIP173:
    @pytest.mark.parametrize("text", VECTORS["valid_checksum"])
    def test_valid_checksums(self, text):
        """Every valid BIP 173 string passes its checksum."""
        hrp, _ = _bech32.decode_values(text)
        assert hrp == text[: text.rfind("1")]

    @pytest.mark.parametrize(
        "case", VECTORS["invalid_checksum"], ids=lambda c: c["reason"]
    )
    def test_invalid(self, case):
        """Every invalid BIP 173 string is refused."""
        with pytest.raises(ValueError, match="invalid Bech32"):
            _bech32.decode_values(case["text"], limit=case.get("limit"))

    def test_no_limit_by_default(self):
        """age's long strings pass without BIP 173's 90-character limit."""
        long = _bech32.encode("age1pq", bytes(1216))
        assert len(long) > 1900
        assert _bech32.decode(long) == ("age1pq", bytes(1216))
        with pytest.raises(ValueError):
            _bech32.decode(long, limit=90)

    @pytest.mark.parametrize("case", VECTORS["bytes"], ids=lambda c: c["hrp"])
    def test_bytes(self, case):
        """Byte strings decode and encode back to the vector."""
        data = bytes.fromhex(case["data"])
        assert _bech32.decode(case["text"]) == (case["hrp"], data)
        assert _bech32.encode(case["hrp"], data) == case["text"].lower()

    @pytest.mark.parametrize("case", VECTORS["segwit"], ids=lambda c: c["hrp"])
    def test_segwit_addresses(self, case):
        """The segwit address vectors decode to their witness programs."""
        hrp, values = _bech32.decode_values(case["text"])
        assert hrp == case["hrp"]
        assert values[0] == case["version"]
        assert _convert(values[1:], 5, 8).hex() == case["program"]


class TestBytes:
    @given(
        hrp=st.sampled_from(["age", "age1pq", "AGE-SECRET-KEY-"]),
        data=st.binary(),
    )
    def test_round_trip(self, hrp, data):
        """decode(encode(hrp, data)) returns the data, in either case."""
        text = _bech32.encode(hrp, data)
        assert _bech32.decode(text) == (hrp.lower(), data)
        assert _bech32.decode(text.upper()) == (hrp.upper(), data)

    @given(data=st.binary(min_size=1, max_size=40), pos=st.integers(0, 200))
    def test_single_change_detected(self, data, pos):
        """Changing one data character breaks the checksum."""
        text = _bech32.encode("age", data)
        i = 4 + pos % (len(text) - 4)
        repl = "q" if text[i] != "q" else "p"
        with pytest.raises(ValueError):
            _bech32.decode(text[:i] + repl + text[i + 1 :])

    def test_mixed_case_refused(self):
        """Mixed case is not Bech32."""
        text = _bech32.encode("age", b"x" * 32)
        with pytest.raises(ValueError):
            _bech32.decode(text[:10] + text[10:].upper())

    def test_bad_padding_refused(self):
        """Non-zero padding bits are refused when converting to bytes."""
        # "a1" + one 5-bit value "l" (31) + checksum: 5 bits are not a byte.
        values_text = "a1l"
        hrp = "a"
        values = [31]
        poly = (
            _bech32._polymod(
                [*_bech32._expand(hrp), *values, 0, 0, 0, 0, 0, 0]
            )
            ^ 1
        )
        checksum = "".join(
            _bech32._CHARSET[(poly >> 5 * (5 - i)) & 31] for i in range(6)
        )
        with pytest.raises(ValueError):
            _bech32.decode(values_text + checksum)

    @pytest.mark.parametrize("hrp", ["", "a b", "é"])
    def test_bad_hrp(self, hrp):
        """An empty or non-printable human-readable part is refused."""
        with pytest.raises(ValueError):
            _bech32.encode(hrp, b"")

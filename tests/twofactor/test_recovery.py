"""Tests for recovery codes: format, single use, counting, storage."""

from __future__ import annotations

import json
import pickle
import re

import pytest

from hypothesis import given
from hypothesis import strategies as st

from dataprotect import Keyring, TokenHasher
from dataprotect.errors import (
    ConfigurationError,
    KeyNotFoundError,
    TwoFactorRecordError,
)
from dataprotect.twofactor import RecoveryCodes, RecoveryCodeSet


HASHER = TokenHasher(b"k" * 32)
CODE_RE = re.compile(
    r"[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}"
)


class TestGenerate:
    def test_format_and_count(self):
        """Ten distinct codes of three dash-separated groups of Crockford
        base32 by default; the set holds only their digests."""
        codes, record = RecoveryCodes(HASHER).generate()
        assert len(codes) == len(set(codes)) == 10
        assert all(CODE_RE.fullmatch(c) for c in codes)
        assert record.remaining == 10
        assert record.used == 0
        stored = record.to_json()
        for code in codes:
            assert code not in stored
            assert code.replace("-", "") not in stored
        assert repr(record) == "RecoveryCodeSet(used=0)"

    def test_count(self):
        """count= sets how many codes a set has."""
        codes, record = RecoveryCodes(HASHER, count=3).generate()
        assert len(codes) == record.remaining == 3

    @pytest.mark.parametrize("count", [0, 101])
    def test_count_bounds(self, count):
        """count must be from 1 to 100."""
        with pytest.raises(ConfigurationError, match="count must be"):
            RecoveryCodes(HASHER, count=count)

    def test_types(self):
        """Wrong argument types are TypeErrors."""
        with pytest.raises(TypeError, match="hasher must be TokenHasher"):
            RecoveryCodes(b"k" * 32)
        with pytest.raises(TypeError, match="count must be int"):
            RecoveryCodes(HASHER, count="10")
        gen = RecoveryCodes(HASHER)
        _, record = gen.generate()
        with pytest.raises(TypeError, match="code must be str"):
            gen.verify(record, b"abcd-efgh-jkmn")
        with pytest.raises(TypeError, match="record must be RecoveryCodeSet"):
            gen.verify(record.to_json(), "abcd-efgh-jkmn")

    def test_no_pickling_and_repr(self):
        """The generator holds the hasher: no pickling, no key in repr."""
        gen = RecoveryCodes(HASHER, count=4)
        assert repr(gen) == "<RecoveryCodes count=4>"
        with pytest.raises(TypeError, match="cannot be pickled"):
            pickle.dumps(gen)


class TestVerify:
    def test_single_use_and_counted(self):
        """Each code is accepted once; the set counts used and remaining."""
        gen = RecoveryCodes(HASHER, count=4)
        codes, record = gen.generate()
        ok, record = gen.verify(record, codes[2])
        assert ok
        assert (record.used, record.remaining) == (1, 3)
        ok, same = gen.verify(record, codes[2])
        assert not ok
        assert same is record
        for code in (codes[0], codes[3], codes[1]):
            ok, record = gen.verify(record, code)
            assert ok
        assert (record.used, record.remaining) == (4, 0)
        assert not gen.verify(record, codes[0])[0]

    @given(st.data())
    def test_forgiving_typing(self, data):
        """Case, spaces, dashes and Crockford's misreadings do not matter."""
        gen = RecoveryCodes(HASHER, count=1)
        codes, record = gen.generate()
        code = codes[0]
        typed = code.upper() if data.draw(st.booleans()) else code
        typed = typed.replace("-", data.draw(st.sampled_from(["", " ", "-"])))
        typed = typed.replace("1", data.draw(st.sampled_from(["1", "i", "L"])))
        typed = typed.replace("0", data.draw(st.sampled_from(["0", "o", "O"])))
        assert gen.verify(record, f" {typed}\t")[0]

    @pytest.mark.parametrize(
        "typed",
        [
            "",
            "abcd",
            "abcd-efgh-jkmnp",
            "uuuu-uuuu-uuuu",
            "x" * 65,
            "\ud800" * 12,
        ],
    )
    def test_malformed_is_wrong(self, typed):
        """Malformed input is a wrong code, never an error."""
        gen = RecoveryCodes(HASHER)
        _, record = gen.generate()
        assert gen.verify(record, typed) == (False, record)

    def test_other_hasher_key(self):
        """Codes only match under the key they were made with."""
        codes, record = RecoveryCodes(HASHER).generate()
        other = RecoveryCodes(TokenHasher(b"o" * 32))
        assert not other.verify(record, codes[0])[0]

    def test_not_a_token_digest(self):
        """A recovery code's digest differs from the same text's token
        digest under the same hasher (domain separation)."""
        codes, record = RecoveryCodes(HASHER, count=1).generate()
        assert HASHER.digest(codes[0].replace("-", "")) != record.digests[0]

    def test_keyring_rotation(self):
        """Codes made under an older key still work while it is active,
        and fail loudly once it is retired."""
        ring = Keyring.generate()
        gen = RecoveryCodes(TokenHasher(ring), count=2)
        codes, record = gen.generate()
        old = ring.primary_id
        ring.rotate()
        ok, record = gen.verify(record, codes[0])
        assert ok
        ring.retire(old)
        with pytest.raises(KeyNotFoundError):
            gen.verify(record, codes[1])


class TestRecord:
    def test_json_round_trip(self):
        """to_json and from_json round-trip, from str and bytes."""
        gen = RecoveryCodes(HASHER, count=3)
        codes, record = gen.generate()
        _, record = gen.verify(record, codes[1])
        assert RecoveryCodeSet.from_json(record.to_json()) == record
        assert RecoveryCodeSet.from_json(record.to_json().encode()) == record

    @pytest.mark.parametrize(
        "change",
        [
            {"v": 2},
            {"type": "totp"},
            {"used": -1},
            {"used": "1"},
            {"used": 10**7},
            {"digests": "dpt1"},
            {"digests": [1]},
            {"digests": ["dpt1.00000000.short"]},
            {"digests": ["dpt1.00000000." + "A" * 43] * 101},
            {"extra": True},
        ],
    )
    def test_malformed(self, change):
        """Malformed sets are TwoFactorRecordErrors with one message."""
        _, record = RecoveryCodes(HASHER, count=2).generate()
        data = {**json.loads(record.to_json()), **change}
        with pytest.raises(TwoFactorRecordError) as info:
            RecoveryCodeSet.from_json(json.dumps(data))
        assert str(info.value) == "malformed two-factor record"

    def test_bounded_and_typed(self):
        """Over-long text is refused unread; wrong types are TypeErrors."""
        with pytest.raises(TwoFactorRecordError):
            RecoveryCodeSet.from_json(" " * 20000)
        with pytest.raises(TwoFactorRecordError):
            RecoveryCodeSet.from_json("{nope")
        with pytest.raises(TypeError, match="text must be str or bytes"):
            RecoveryCodeSet.from_json(None)
        with pytest.raises(TypeError, match="digests must be tuple"):
            RecoveryCodeSet(["dpt1.00000000." + "A" * 43])
        with pytest.raises(TypeError, match="used must be int"):
            RecoveryCodeSet((), used=True)

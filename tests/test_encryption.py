"""Encryption at rest: messages, text, streams, files and blind indexes."""

from __future__ import annotations

import base64
import io
import json
import os
import pickle
import traceback

from pathlib import Path

import pytest

from hypothesis import given
from hypothesis import strategies as st

from dataprotect import BlindIndex, Encryptor, EnvKEK, Keyring
from dataprotect.errors import (
    ConfigurationError,
    DecryptionError,
    KeyNotFoundError,
)
from helpers import outcome, shown_text
from strategies import contexts, plaintexts, secret_texts


SEG = 4096
VECTORS = json.loads(
    (Path(__file__).parent / "vectors" / "encryption-v1.json").read_text()
)


@pytest.fixture(name="ring", scope="module")
def _ring():
    return Keyring.generate()


@pytest.fixture(name="enc", scope="module")
def _enc(ring):
    return Encryptor(ring)


def seal(enc, data, context=b"", segment_size=SEG):
    out = io.BytesIO()
    enc.encrypt_stream(
        io.BytesIO(data), out, context=context, segment_size=segment_size
    )
    return out.getvalue()


def unseal(enc, blob, context=b""):
    out = io.BytesIO()
    enc.decrypt_stream(io.BytesIO(blob), out, context=context)
    return out.getvalue()


class TestVectors:
    def test_format_v1_vectors(self):
        """Data written by format v1 stays readable: keyring, messages,
        streams and blind index digests from the committed vectors."""
        kek = EnvKEK("KEK", environ={"KEK": VECTORS["kek"]})
        ring = Keyring.from_bytes(
            base64.b64decode(VECTORS["keyring"]), kek=kek
        )
        assert ring.primary_id == VECTORS["primary_id"]
        enc = Encryptor(ring)
        for m in VECTORS["messages"]:
            ct = bytes.fromhex(m["ciphertext"])
            ctx = bytes.fromhex(m["context"])
            assert enc.decrypt(ct, ctx).hex() == m["plaintext"]
        for s in VECTORS["streams"]:
            blob = bytes.fromhex(s["ciphertext"])
            ctx = bytes.fromhex(s["context"])
            assert unseal(enc, blob, ctx).hex() == s["plaintext"]
        b = VECTORS["blind_index"]
        index = BlindIndex(ring, b["name"], bits=b["bits"])
        assert index.digest(b["value"]).hex() == b["digest"]


class TestMessages:
    @given(plaintexts, contexts)
    def test_round_trip(self, enc, plaintext, context):
        """Any bytes under any context round-trip."""
        assert (
            enc.decrypt(enc.encrypt(plaintext, context), context) == plaintext
        )

    @given(plaintexts, st.data())
    def test_bit_flip_rejected(self, enc, plaintext, data):
        """Any single-bit flip is rejected with one fixed message."""
        ct = bytearray(enc.encrypt(plaintext, b"c"))
        bit = data.draw(st.integers(0, len(ct) * 8 - 1))
        ct[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises((DecryptionError, KeyNotFoundError)) as info:
            enc.decrypt(bytes(ct), b"c")
        if isinstance(info.value, DecryptionError):
            assert str(info.value) == "decryption failed"
        else:  # a flip in the key id names an unknown key
            assert bit // 8 in range(1, 5)

    @given(plaintexts, st.data())
    def test_truncation_and_extension_rejected(self, enc, plaintext, data):
        """Truncated or extended ciphertexts are rejected."""
        ct = enc.encrypt(plaintext, b"")
        cut = data.draw(st.integers(0, len(ct) - 1))
        extra = data.draw(st.binary(min_size=1, max_size=32))
        for bad in (ct[:cut], ct + extra):
            with pytest.raises(DecryptionError):
                enc.decrypt(bad, b"")

    @given(plaintexts, contexts, contexts)
    def test_wrong_context(self, enc, plaintext, c1, c2):
        """A ciphertext moved to another context does not decrypt."""
        if c1 == c2:
            return
        with pytest.raises(DecryptionError):
            enc.decrypt(enc.encrypt(plaintext, c1), c2)

    def test_randomised(self, enc):
        """Encrypting the same plaintext twice gives different ciphertexts."""
        assert enc.encrypt(b"x") != enc.encrypt(b"x")

    def test_wrong_keyring(self, enc):
        """A ciphertext from another keyring names an unknown key."""
        other = Encryptor(Keyring.generate())
        with pytest.raises(KeyNotFoundError):
            other.decrypt(enc.encrypt(b"x"))

    def test_text_helpers(self, enc):
        """encrypt_str/decrypt_str round-trip text; bad base64 is refused."""
        token = enc.encrypt_str("Grüße 👋", b"t")
        assert token.isascii()
        assert enc.decrypt_str(token, b"t") == "Grüße 👋"
        with pytest.raises(DecryptionError):
            enc.decrypt_str("not base64!", b"t")
        with pytest.raises(TypeError):
            enc.encrypt_str(b"bytes")  # type: ignore[arg-type]

    def test_buffer_context(self, enc):
        """A bytearray or memoryview context binds like the same bytes."""
        for context in (bytearray(b"row 7"), memoryview(b"row 7")):
            sealed = enc.encrypt(b"data", context)
            assert enc.decrypt(sealed, b"row 7") == b"data"
            with pytest.raises(DecryptionError):
                enc.decrypt(sealed, b"row 8")

    def test_types(self, enc):
        """Wrong argument types are TypeErrors."""
        with pytest.raises(TypeError):
            enc.encrypt("text")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            Encryptor("not a keyring")  # type: ignore[arg-type]

    @given(st.binary(min_size=8, max_size=64))
    def test_no_plaintext_leaks(self, enc, plaintext):
        """Neither repr nor a failure's message or traceback holds plaintext."""
        ct = bytearray(enc.encrypt(plaintext, b"ctx"))
        ct[-1] ^= 1
        try:
            enc.decrypt(bytes(ct), b"ctx")
        except DecryptionError as exc:
            text = "".join(traceback.format_exception(exc))
        for shown in (repr(enc), text):
            assert plaintext.hex() not in shown
            assert repr(plaintext) not in shown


class TestRotation:
    @given(st.lists(plaintexts, min_size=1, max_size=5))
    def test_rotation_keeps_old_data_readable(self, items):
        """Every ciphertext made before any number of rotations decrypts,
        and reencrypt moves it to the primary key exactly once."""
        ring = Keyring.generate()
        enc = Encryptor(ring)
        made = []
        for item in items:
            made.append((item, enc.encrypt(item, b"r")))
            ring.rotate()
        for item, ct in made:
            assert enc.decrypt(ct, b"r") == item
            moved = enc.reencrypt(ct, b"r")
            assert moved != ct
            assert int.from_bytes(moved[1:5], "big") == ring.primary_id
            assert enc.reencrypt(moved, b"r") == moved

    def test_retired_and_destroyed_keys(self):
        """Retired keys stop decrypting until reactivated; destroyed never."""
        ring = Keyring.generate()
        enc = Encryptor(ring)
        old = ring.primary_id
        ct = enc.encrypt(b"x")
        ring.rotate()
        ring.retire(old)
        with pytest.raises(KeyNotFoundError, match="retired"):
            enc.decrypt(ct)
        ring.reactivate(old)
        assert enc.decrypt(ct) == b"x"
        ring.destroy(old)
        with pytest.raises(KeyNotFoundError, match="destroyed"):
            enc.decrypt(ct)


SIZES = sorted(
    {0, 1, SEG - 1, SEG, SEG + 1, 2 * SEG - 1, 2 * SEG, 2 * SEG + 1, 3 * SEG}
)


class TestStreams:
    @given(st.sampled_from(SIZES) | st.integers(0, 4 * SEG), contexts)
    def test_round_trip_around_segment_boundaries(self, enc, size, context):
        """Streams of sizes around segment boundaries round-trip."""
        data = os.urandom(size)
        assert unseal(enc, seal(enc, data, context), context) == data

    def test_default_segment_size(self, enc):
        """The default 1 MiB segments round-trip a multi-segment stream."""
        data = os.urandom(2 * 1024 * 1024 + 5)
        assert unseal(enc, seal(enc, data, segment_size=1024 * 1024)) == data

    @given(st.integers(0, 3 * SEG), st.data())
    def test_any_byte_change_rejected(self, enc, size, data):
        """Flipping any byte of a stream, header included, is rejected."""
        blob = bytearray(seal(enc, os.urandom(size)))
        i = data.draw(st.integers(0, len(blob) - 1))
        blob[i] ^= data.draw(st.integers(1, 255))
        with pytest.raises((DecryptionError, KeyNotFoundError)):
            unseal(enc, bytes(blob))

    @pytest.mark.parametrize("segments", [2, 3])
    def test_truncation_reorder_drop_append(self, enc, segments):
        """Dropped, reordered, truncated or appended segments are rejected."""
        data = os.urandom(segments * SEG + 100)
        blob = seal(enc, data)
        head, body = blob[:36], blob[36:]
        size = SEG + 16
        parts = [body[i : i + size] for i in range(0, len(body), size)]
        cases = [
            head + b"".join(parts[:-1]),  # last segment dropped
            head + b"".join(parts[1:]),  # first segment dropped
            head + b"".join([parts[1], parts[0], *parts[2:]]),  # reordered
            blob[:-1],  # truncated
            blob + b"\x00",  # appended byte
            blob + parts[0],  # appended segment
            head,  # header only
        ]
        for bad in cases:
            with pytest.raises(DecryptionError):
                unseal(enc, bad)

    def test_data_after_full_final_segment(self, enc):
        """Bytes after a full final segment fail the whole stream."""
        blob = seal(enc, os.urandom(2 * SEG))
        unseal(enc, blob)
        for junk in (b"\x00", os.urandom(SEG + 16)):
            with pytest.raises(DecryptionError):
                unseal(enc, blob + junk)

    def test_wrong_context(self, enc):
        """A stream opened under another context is rejected."""
        with pytest.raises(DecryptionError):
            unseal(enc, seal(enc, b"abc", b"a"), b"b")

    @pytest.mark.parametrize("size", [0, 1000, 4095, 2**25, 3 * 2**20])
    def test_bad_segment_size(self, enc, size):
        """Segment sizes outside powers of two 4 KiB..16 MiB are refused."""
        with pytest.raises(ValueError, match="segment_size"):
            seal(enc, b"x", segment_size=size)

    def test_not_a_stream(self, enc):
        """Foreign data is rejected with the same error."""
        for junk in (b"", b"DPS", b"\x00" * 100, enc.encrypt(b"message")):
            with pytest.raises(DecryptionError):
                unseal(enc, junk)

    def test_progress(self, enc):
        """The progress callback sees every plaintext byte."""
        seen = []
        enc.encrypt_stream(
            io.BytesIO(b"x" * 10_000),
            io.BytesIO(),
            segment_size=SEG,
            progress=seen.append,
        )
        assert sum(seen) == 10_000

    def test_read_only_sources(self, enc):
        """Sources without readinto (only read) work too."""

        class Reader:
            def __init__(self, data):
                self._buf = io.BytesIO(data)

            def read(self, n=-1):
                return self._buf.read(min(n, 1000))

        data = os.urandom(3 * SEG + 7)
        out = io.BytesIO()
        enc.encrypt_stream(Reader(data), out, segment_size=SEG)  # type: ignore[arg-type]
        assert unseal(enc, out.getvalue()) == data


class TestFiles:
    def test_round_trip(self, enc, tmp_path):
        """encrypt_file/decrypt_file round-trip; output has mode 0600."""
        src = tmp_path / "plain.bin"
        src.write_bytes(os.urandom(50_000))
        enc.encrypt_file(src, tmp_path / "c.dpenc", context=b"f")
        assert (tmp_path / "c.dpenc").stat().st_mode & 0o777 == 0o600
        assert (
            enc.decrypt_file(
                tmp_path / "c.dpenc", tmp_path / "out", context=b"f"
            )
            == 50_000
        )
        assert (tmp_path / "out").read_bytes() == src.read_bytes()

    def test_failed_decryption_leaves_no_file(self, enc, tmp_path):
        """A tampered file leaves neither output nor temporary files."""
        src = tmp_path / "plain.bin"
        src.write_bytes(os.urandom(3 * 1024 * 1024))
        enc.encrypt_file(src, tmp_path / "c.dpenc")
        blob = bytearray((tmp_path / "c.dpenc").read_bytes())
        blob[-5] ^= 1
        (tmp_path / "bad").write_bytes(bytes(blob))
        before = set(tmp_path.iterdir())
        with pytest.raises(DecryptionError):
            enc.decrypt_file(tmp_path / "bad", tmp_path / "restored")
        assert set(tmp_path.iterdir()) == before

    def test_existing_output_kept_on_failure(self, enc, tmp_path):
        """A failed decryption does not clobber an existing output file."""
        (tmp_path / "bad").write_bytes(b"garbage" * 100)
        (tmp_path / "out").write_bytes(b"precious")
        with pytest.raises(DecryptionError):
            enc.decrypt_file(tmp_path / "bad", tmp_path / "out")
        assert (tmp_path / "out").read_bytes() == b"precious"


class TestBlindIndex:
    @given(st.text(max_size=50))
    def test_deterministic(self, ring, value):
        """The same value gives the same digest."""
        index = BlindIndex(ring, "t.c")
        assert index.digest(value) == index.digest(value.encode())

    @given(st.text(max_size=50), st.text(max_size=50))
    def test_names_and_values_separate(self, ring, a, b):
        """Different names give unrelated digests; values rarely collide."""
        x, y = BlindIndex(ring, "x", bits=128), BlindIndex(ring, "y", bits=128)
        assert x.digest(a) != y.digest(a)
        if a != b:
            assert x.digest(a) != x.digest(b)

    @pytest.mark.parametrize("bits", [16, 32, 64, 256])
    def test_bits(self, ring, bits):
        """Digests are truncated to the requested number of bits."""
        assert len(BlindIndex(ring, "n", bits=bits).digest("v")) == bits // 8

    @pytest.mark.parametrize("bits", [0, 8, 12, 260])
    def test_bad_bits(self, ring, bits):
        """Bit counts that are not multiples of 8 in 16..256 are refused."""
        with pytest.raises(ValueError, match="bits"):
            BlindIndex(ring, "n", bits=bits)

    def test_bad_name(self, ring):
        """Empty names and names with '/' are refused."""
        for name in ("", "a/b"):
            with pytest.raises(ValueError, match="name"):
                BlindIndex(ring, name)

    def test_candidates_during_rotation(self):
        """candidates() holds the old digest after a rotation, primary first."""
        ring = Keyring.generate()
        index = BlindIndex(ring, "users.email")
        old = index.digest("a@example.com")
        ring.rotate()
        new = index.digest("a@example.com")
        assert new != old
        assert index.candidates("a@example.com") == [new, old]

    def test_repr(self, ring):
        """repr names the index, not its key."""
        assert repr(BlindIndex(ring, "users.email")) == (
            "<BlindIndex 'users.email' bits=64>"
        )
        with pytest.raises(TypeError):
            pickle.dumps(ring)


class TestSecretText:
    @given(secret=secret_texts)
    def test_text_never_leaks(self, ring, secret):
        """Any text (lone surrogates too) into encrypt_str and the blind
        index gives a result or a ConfigurationError that never shows it."""
        index = BlindIndex(ring, "users.email")
        enc = Encryptor(ring)
        valid = not any(0xD800 <= ord(c) <= 0xDFFF for c in secret)
        for name, call in [
            ("plaintext", enc.encrypt_str),
            ("value", index.digest),
            ("value", index.candidates),
        ]:
            got = outcome(lambda call=call: call(secret))
            if valid:
                assert not isinstance(got, Exception)
                continue
            assert isinstance(got, ConfigurationError)
            assert str(got) == (
                f"{name} must be valid Unicode (it contains a lone surrogate)"
            )
            assert secret not in shown_text(got)

    def test_lone_surrogate_refused(self, ring):
        """A lone surrogate is a ConfigurationError (a ValueError), not a
        UnicodeEncodeError holding the text."""
        secret = "Zq" + "9-secret\udc80"  # not a literal in the traceback
        index = BlindIndex(ring, "users.email")
        for call in (
            Encryptor(ring).encrypt_str,
            index.digest,
            index.candidates,
        ):
            with pytest.raises(
                ConfigurationError, match="lone surrogate"
            ) as info:
                call(secret)
            assert isinstance(info.value, ValueError)
            assert "Zq9" not in shown_text(info.value)


class TestNoCopies:
    @pytest.mark.parametrize("make", [Encryptor, lambda r: BlindIndex(r, "x")])
    def test_refuse_pickling_and_copying(self, ring, make):
        """Encryptors and blind indexes hold subkeys: no pickle, no copy."""
        import copy

        obj = make(ring)
        name = type(obj).__name__
        with pytest.raises(
            TypeError, match=f"{name} objects cannot be pickled"
        ):
            pickle.dumps(obj)
        with pytest.raises(TypeError, match=name):
            copy.copy(obj)

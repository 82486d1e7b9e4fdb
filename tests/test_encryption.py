"""Encryption at rest: messages, text, streams, files and blind indexes."""

from __future__ import annotations

import base64
import io
import json
import os
import pickle
import struct
import traceback

from pathlib import Path

import pytest

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from hypothesis import given
from hypothesis import strategies as st

from dataprotect import (
    XAES256GCM,
    BlindIndex,
    Encryptor,
    EnvKEK,
    Keyring,
    _kdf,
    _stream,
)
from dataprotect.errors import (
    ConfigurationError,
    DecryptionError,
    KeyNotFoundError,
)
from helpers import outcome, shown_text
from strategies import contexts, plaintexts, secret_texts


SEG = 4096
VECTOR_FILES = {
    version: json.loads(
        (
            Path(__file__).parent / "vectors" / f"encryption-v{version}.json"
        ).read_text()
    )
    for version in (1, 2)
}
VECTORS = VECTOR_FILES[1]


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


def vector_ring(vectors):
    kek = EnvKEK("KEK", environ={"KEK": vectors["kek"]})
    return Keyring.from_bytes(base64.b64decode(vectors["keyring"]), kek=kek)


def format_key(ring, key_id, version):
    """The XAES-256-GCM key of *version*, as docs/formats/encryption.md
    specifies it: the keyring key (1) or its HKDF "encryption" subkey (2).
    Independent of the key seam and of _kdf."""
    material = ring._material(key_id)
    if version == 1:
        return material
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=b"dataprotect/v1/encryption",
    ).derive(material)


def open_message_by_spec(key, ct, context):
    """A message opened from the spec alone: header, nonce, body."""
    return XAES256GCM(key).decrypt(ct[5:29], ct[29:], ct[:5] + context)


def open_stream_by_spec(key, blob, context):
    """A stream opened from the spec alone, segment by segment: AES-256-GCM
    under XAES-256-GCM's derived key and nonce (Kx, Nx) for the stream
    nonce, segment nonce Nx[0:7] || uint32(i) || last flag."""
    header, body = blob[:36], blob[36:]
    size = int.from_bytes(header[8:12], "big") + 16
    aead, nx = XAES256GCM(key).derive(header[12:36])
    parts = [body[i : i + size] for i in range(0, len(body), size)]
    out = b""
    for i, part in enumerate(parts):
        last = b"\x01" if i == len(parts) - 1 else b"\x00"
        nonce = nx[:7] + struct.pack(">I", i) + last
        out += aead.decrypt(nonce, part, header + context)
    return out


def encrypt_v1(ring, plaintext, context=b""):
    """A format-1 message, written as releases before format 2 did."""
    key_id = ring.primary_id
    header = struct.pack(">BI", 1, key_id)
    nonce = os.urandom(24)
    key = ring._material(key_id)
    return (
        header
        + nonce
        + XAES256GCM(key).encrypt(nonce, plaintext, header + context)
    )


def seal_v1(ring, data, context=b"", segment_size=SEG):
    """A format-1 stream (magic DPS\\x01, the keyring key itself)."""
    key_id = ring.primary_id
    nonce = os.urandom(24)
    header = b"DPS\x01" + struct.pack(">II", key_id, segment_size) + nonce
    aead, nx = XAES256GCM(ring._material(key_id)).derive(nonce)
    out = io.BytesIO()
    out.write(header)
    _stream.seal_stream(
        aead,
        io.BytesIO(data),
        out,
        segment_size=segment_size,
        prefix=nx[:7],
        associated_data=header + context,
    )
    return out.getvalue()


class TestVectors:
    @pytest.mark.parametrize("version", sorted(VECTOR_FILES))
    def test_format_vectors(self, version):
        """Data written by every format version stays readable: keyring,
        messages, streams and blind index digests from the committed
        vectors, each in the version it was written in."""
        vectors = VECTOR_FILES[version]
        ring = vector_ring(vectors)
        assert ring.primary_id == vectors["primary_id"]
        enc = Encryptor(ring)
        for m in vectors["messages"]:
            ct = bytes.fromhex(m["ciphertext"])
            ctx = bytes.fromhex(m["context"])
            assert ct[0] == version
            assert enc.decrypt(ct, ctx).hex() == m["plaintext"]
        for s in vectors["streams"]:
            blob = bytes.fromhex(s["ciphertext"])
            ctx = bytes.fromhex(s["context"])
            assert blob[:4] == b"DPS" + bytes([version])
            assert unseal(enc, blob, ctx).hex() == s["plaintext"]
        b = vectors["blind_index"]
        index = BlindIndex(ring, b["name"], bits=b["bits"])
        assert index.digest(b["value"]).hex() == b["digest"]

    @pytest.mark.parametrize("version", sorted(VECTOR_FILES))
    def test_vectors_follow_the_spec(self, version):
        """Every vector opens with nothing but the documented key, nonce
        and associated data (docs/formats/encryption.md)."""
        vectors = VECTOR_FILES[version]
        ring = vector_ring(vectors)
        for m in vectors["messages"]:
            ct = bytes.fromhex(m["ciphertext"])
            key_id = int.from_bytes(ct[1:5], "big")
            key = format_key(ring, key_id, version)
            ctx = bytes.fromhex(m["context"])
            assert open_message_by_spec(key, ct, ctx).hex() == m["plaintext"]
        for s in vectors["streams"]:
            blob = bytes.fromhex(s["ciphertext"])
            key = format_key(ring, int.from_bytes(blob[4:8], "big"), version)
            ctx = bytes.fromhex(s["context"])
            assert open_stream_by_spec(key, blob, ctx).hex() == s["plaintext"]

    def test_v2_subkeys(self):
        """The v2 vectors list each key and its encryption subkey."""
        vectors = VECTOR_FILES[2]
        ring = vector_ring(vectors)
        assert {k["key_id"] for k in vectors["keys"]} == {
            vectors["primary_id"],
            vectors["old_id"],
        }
        for k in vectors["keys"]:
            key = bytes.fromhex(k["key"])
            assert ring._material(k["key_id"]) == key
            subkey = bytes.fromhex(k["encryption_subkey"])
            assert _kdf.derive(key, "encryption") == subkey
            assert format_key(ring, k["key_id"], 2) == subkey
        assert {m["key_id"] for m in vectors["messages"]} == {
            vectors["primary_id"],
            vectors["old_id"],
        }

    def test_reencrypt_upgrades_v1_vectors(self):
        """reencrypt moves every v1 vector to v2 under the primary key."""
        vectors = VECTOR_FILES[1]
        ring = vector_ring(vectors)
        enc = Encryptor(ring)
        for m in vectors["messages"]:
            ct = bytes.fromhex(m["ciphertext"])
            ctx = bytes.fromhex(m["context"])
            moved = enc.reencrypt(ct, ctx)
            assert moved[0] == 2
            assert int.from_bytes(moved[1:5], "big") == ring.primary_id
            assert enc.decrypt(moved, ctx).hex() == m["plaintext"]
            assert enc.reencrypt(moved, ctx) == moved


class TestMessages:
    @given(plaintexts, contexts)
    def test_round_trip(self, enc, plaintext, context):
        """Any bytes under any context round-trip."""
        assert (
            enc.decrypt(enc.encrypt(plaintext, context), context) == plaintext
        )

    @given(plaintexts, st.sampled_from([1, 2]), st.data())
    def test_bit_flip_rejected(self, ring, enc, plaintext, version, data):
        """Any single-bit flip of a format-2 or format-1 message is rejected
        with one fixed message."""
        if version == 1:
            ct = bytearray(encrypt_v1(ring, plaintext, b"c"))
        else:
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


class TestFormatVersions:
    """Format 2 encrypts under the key's HKDF "encryption" subkey; format 1
    (the keyring key itself) is still read, and moved on by reencrypt."""

    def test_writes_version_2_under_the_subkey(self, ring, enc):
        """New messages and streams are version 2, sealed under the subkey
        and not under the keyring key itself."""
        ct = enc.encrypt(b"data", b"ctx")
        assert ct[0] == 2
        key_id = ring.primary_id
        subkey = format_key(ring, key_id, 2)
        assert open_message_by_spec(subkey, ct, b"ctx") == b"data"
        with pytest.raises(DecryptionError):
            open_message_by_spec(ring._material(key_id), ct, b"ctx")
        blob = seal(enc, b"x" * 5000, b"s")
        assert blob[:4] == b"DPS\x02"
        assert open_stream_by_spec(subkey, blob, b"s") == b"x" * 5000

    @given(plaintexts, contexts)
    def test_v1_round_trip(self, ring, enc, plaintext, context):
        """Format-1 messages under any context still decrypt."""
        ct = encrypt_v1(ring, plaintext, context)
        assert enc.decrypt(ct, context) == plaintext

    @given(plaintexts, contexts, st.booleans())
    def test_version_swap_rejected(self, ring, enc, plaintext, context, up):
        """A v2 body relabelled v1, or a v1 body relabelled v2, fails with
        the same error and message as any other tampering."""
        if up:
            ct = bytearray(encrypt_v1(ring, plaintext, context))
            ct[0] = 2
        else:
            ct = bytearray(enc.encrypt(plaintext, context))
            ct[0] = 1
        with pytest.raises(DecryptionError) as swapped:
            enc.decrypt(bytes(ct), context)
        tampered = bytearray(enc.encrypt(plaintext, context))
        tampered[-1] ^= 1
        with pytest.raises(DecryptionError) as other:
            enc.decrypt(bytes(tampered), context)
        assert type(swapped.value) is type(other.value)
        assert str(swapped.value) == str(other.value) == "decryption failed"
        assert swapped.value.__cause__ is None
        assert swapped.value.__suppress_context__

    @pytest.mark.parametrize("version", [0, 3, 0x81, 255])
    def test_unknown_versions_rejected(self, enc, version):
        """Any other version byte is the same DecryptionError."""
        ct = bytearray(enc.encrypt(b"data"))
        ct[0] = version
        with pytest.raises(DecryptionError, match="^decryption failed$"):
            enc.decrypt(bytes(ct))

    def test_versions_do_not_share_the_subkey_cache(self, ring):
        """A v1 and a v2 message with the same key id and nonce half, read
        alternately, each open under their own key."""
        enc = Encryptor(ring)
        v2 = enc.encrypt(b"two", b"c")
        header = struct.pack(">BI", 1, ring.primary_id)
        nonce = v2[5:17] + os.urandom(12)
        v1 = (
            header
            + nonce
            + XAES256GCM(ring._material(ring.primary_id)).encrypt(
                nonce, b"one", header + b"c"
            )
        )
        for _ in range(2):
            assert enc.decrypt(v2, b"c") == b"two"
            assert enc.decrypt(v1, b"c") == b"one"

    @given(plaintexts, contexts)
    def test_reencrypt_upgrades_v1(self, ring, enc, plaintext, context):
        """reencrypt moves a v1 message under the primary key to v2 (same
        key), once; the result decrypts and stays put."""
        ct = encrypt_v1(ring, plaintext, context)
        moved = enc.reencrypt(ct, context)
        assert moved[0] == 2
        assert moved[1:5] == ct[1:5]
        assert enc.decrypt(moved, context) == plaintext
        assert enc.reencrypt(moved, context) == moved

    @given(st.lists(plaintexts, min_size=1, max_size=4))
    def test_rotation_from_v1(self, items):
        """v1 messages under an old key are moved to v2 under the new
        primary, after which the old key can be retired."""
        ring = Keyring.generate()
        enc = Encryptor(ring)
        made = [(item, encrypt_v1(ring, item, b"r")) for item in items]
        old = ring.primary_id
        ring.rotate()
        moved = [(item, enc.reencrypt(ct, b"r")) for item, ct in made]
        ring.retire(old)
        for item, ct in moved:
            assert ct[0] == 2
            assert int.from_bytes(ct[1:5], "big") == ring.primary_id
            assert enc.decrypt(ct, b"r") == item
        with pytest.raises(KeyNotFoundError):
            enc.decrypt(made[0][1], b"r")

    @given(st.sampled_from([0, 1, SEG, SEG + 1, 3 * SEG]), contexts)
    def test_v1_streams(self, ring, enc, size, context):
        """Format-1 streams still decrypt."""
        data = os.urandom(size)
        assert unseal(enc, seal_v1(ring, data, context), context) == data

    @given(st.integers(0, 2 * SEG), st.data())
    def test_v1_stream_byte_change_rejected(self, ring, enc, size, data):
        """Changing any byte of a format-1 stream is rejected."""
        blob = bytearray(seal_v1(ring, os.urandom(size)))
        i = data.draw(st.integers(0, len(blob) - 1))
        blob[i] ^= data.draw(st.integers(1, 255))
        with pytest.raises((DecryptionError, KeyNotFoundError)) as info:
            unseal(enc, bytes(blob))
        if isinstance(info.value, DecryptionError):
            assert str(info.value) == "decryption failed"
        else:  # a change in the key id names an unknown key
            assert i in range(4, 8)

    @pytest.mark.parametrize("v1", [True, False])
    def test_stream_magic_swap_rejected(self, ring, enc, v1):
        """A stream relabelled to the other version fails like tampering;
        an unknown version byte too."""
        blob = bytearray(
            seal_v1(ring, b"x" * 100) if v1 else seal(enc, b"x" * 100)
        )
        for version in (2 if v1 else 1, 0, 3):
            blob[3] = version
            with pytest.raises(DecryptionError, match="^decryption failed$"):
                unseal(enc, bytes(blob))


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

    @pytest.mark.parametrize("size", [0, 100, 70_000, 200_000])
    def test_buffers_follow_the_data(self, enc, size):
        """A stream whose header announces 16 MiB segments costs memory in
        proportion to its bytes, not 32 MiB of zeroed buffers (a 39-byte
        input took up to 0.85 s under fuzzing; issue 15)."""
        import tracemalloc

        data = os.urandom(size)
        blob = seal(enc, data, segment_size=16 * 1024 * 1024)
        tracemalloc.start()
        try:
            assert unseal(enc, blob) == data
            with pytest.raises(DecryptionError):
                unseal(enc, blob[:-1])
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 4 * size + (1 << 20), peak

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
        with pytest.raises(ConfigurationError, match="segment_size"):
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

    def test_index_under_an_encryptors_keyring(self, ring):
        """Encryptor.keyring is the keyring it was made with, so a blind
        index can follow the same keys (as the Django field does)."""
        enc = Encryptor(ring)
        assert enc.keyring is ring
        assert BlindIndex(enc.keyring, "users.email").digest("a@b.ch") == (
            BlindIndex(ring, "users.email").digest("a@b.ch")
        )


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

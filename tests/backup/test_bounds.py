"""Resource bounds and secret hygiene of the backup and age readers.

Every reader must refuse an oversized value from a hostile file with a
``BackupError`` subclass (``ConfigurationError`` for key text) before it
allocates much memory or spends much CPU, and no error, repr or traceback
may show key material, a passphrase or plaintext.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import struct
import traceback

from collections.abc import Callable

import pytest

from cryptography.hazmat.primitives.asymmetric import ed25519
from hypothesis import given, settings
from hypothesis import strategies as st

from dataprotect import backup
from dataprotect._stream import seal_stream
from dataprotect.backup import _format as fmt
from dataprotect.backup import _identity, age
from dataprotect.backup.age import _header, _keys
from dataprotect.errors import (
    AgeArmorError,
    AgeError,
    AgeFormatError,
    AgeNoMatchError,
    BackupError,
    BackupFormatError,
    BackupIntegrityError,
    BackupSignatureError,
    ConfigurationError,
    DataProtectError,
    NoIdentityError,
)
from helpers import address_space_capped


X = backup.generate_identity("x25519")
AGE_ID = age.generate_x25519_identity()
# Cheap argon2 so the tests stay fast; the bounds are about hostile files.
CHEAP = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}
secrets_text = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E),
    min_size=10,
    max_size=40,
)


class Metered(io.RawIOBase):
    """A source that counts what is read from it (endless if *filler*)."""

    def __init__(self, data: bytes, filler: bytes = b"") -> None:
        self._data = memoryview(data)
        self._filler = filler
        self._phase = 0
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:  # type: ignore[override]
        n = len(buf)
        if self._data:
            n = min(n, len(self._data))
            buf[:n] = self._data[:n]
            self._data = self._data[n:]
        elif self._filler:
            size = len(self._filler)
            reps = self._filler * (n // size + 2)
            buf[:n] = reps[self._phase : self._phase + n]
            self._phase = (self._phase + n) % size
        else:
            return 0
        self.consumed += n
        return n


def _seal(data: bytes, recipients, **kwargs) -> bytes:
    out = io.BytesIO()
    backup.encrypt(io.BytesIO(data), out, recipients, **kwargs)
    return out.getvalue()


def _unseal(blob, identities, **kwargs) -> bytes:
    out = io.BytesIO()
    src = blob if isinstance(blob, io.RawIOBase) else io.BytesIO(blob)
    backup.decrypt(src, out, identities, **kwargs)
    return out.getvalue()


def _fixed(log: int = 12, count: int = 1, flags: int = 0) -> bytes:
    return fmt._FIXED.pack(
        fmt.MAGIC, fmt.VERSION, flags, log, bytes(16), count
    )


class TestNativeHeader:
    def test_oversized_stanza_refused_before_reading_it(self):
        """A stanza length over 4096 bytes is refused before its body is read."""
        src = Metered(_fixed() + fmt._STANZA.pack(1, 0xFFFF), filler=b"\0")
        with pytest.raises(BackupFormatError, match="stanza exceeds 4096"):
            _unseal(src, [X])
        assert src.consumed < 1024

    def test_largest_real_stanza_fits(self):
        """The largest stanza written (ML-KEM-768+X25519) is under the bound."""
        pq = backup.generate_identity("mlkem768-x25519")
        blob = _seal(b"pq", [pq.recipient])
        header = fmt.read_header(io.BytesIO(blob))
        assert len(header.stanzas[0][1]) <= fmt._MAX_STANZA_BODY
        assert _unseal(blob, [pq]) == b"pq"

    def test_stanza_count_is_one_byte(self):
        """255 stanzas (the format's maximum) cost nothing for unknown types."""
        header = _fixed(count=255) + fmt._STANZA.pack(0xEE, 0) * 255
        with pytest.raises(NoIdentityError):
            _unseal(header + bytes(32) + bytes(64), [X])
        with pytest.raises(ConfigurationError):
            _seal(b"x", [X.recipient] * 256)

    @pytest.mark.parametrize("log", [0, 11, 25, 255])
    def test_segment_size_bounds(self, log):
        """Segment sizes outside 4 KiB-16 MiB are refused from the header."""
        src = Metered(_fixed(log=log) + bytes(1 << 16))
        with pytest.raises(BackupIntegrityError):
            _unseal(src, [X])
        assert src.consumed <= fmt._FIXED.size

    def test_unknown_flags_refused(self):
        """Unknown header flags are refused before any stanza is read."""
        with pytest.raises(BackupIntegrityError):
            _unseal(_fixed(flags=0x80) + bytes(64), [X])

    def test_at_most_four_passphrase_stanzas_tried(self):
        """Only the first four passphrase stanzas are tried (argon2 per try)."""
        phrases = [
            backup.PassphraseRecipient(f"phrase {i}", **CHEAP)
            for i in range(5)
        ]
        blob = _seal(b"five", phrases)
        assert _unseal(blob, [phrases[3]]) == b"five"
        with pytest.raises(NoIdentityError):
            _unseal(blob, [phrases[4]])

    @pytest.mark.parametrize(
        "body",
        [b"", b"A", b"A\x00\x00\x00\x01", b"P\x00\x01", b"Z" + bytes(60)],
        ids=[
            "empty",
            "argon2-bare",
            "argon2-short",
            "pbkdf2-short",
            "unknown",
        ],
    )
    def test_malformed_passphrase_stanza_skipped(self, body):
        """A passphrase stanza with missing or unknown KDF parameters is skipped."""
        phrase = backup.PassphraseRecipient("pw", **CHEAP)
        stanza = fmt._STANZA.pack(_identity.STANZA_PASSPHRASE, len(body))
        with pytest.raises(NoIdentityError):
            _unseal(_fixed() + stanza + body + bytes(64), [phrase])

    def test_zero_lanes_skipped(self):
        """A passphrase stanza asking for zero argon2 lanes is skipped."""
        phrase = backup.PassphraseRecipient("pw", **CHEAP)
        blob = bytearray(_seal(b"x", [phrase]))
        start = fmt._FIXED.size + 3
        assert blob[start : start + 1] == b"A"
        blob[start + 9] = 0
        with pytest.raises(NoIdentityError):
            _unseal(bytes(blob), [phrase])


class _StanzaRecipient:
    """A recipient writing a given passphrase stanza body (a hostile
    producer): the header MAC is then valid."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def _wrap(self, file_key: bytes) -> tuple[int, bytes]:
        return _identity.STANZA_PASSPHRASE, self.body


def _argon2_stanza(t: int, m: int, p: int = 1) -> _StanzaRecipient:
    return _StanzaRecipient(
        b"A" + struct.pack(">IIB", t, m, p) + bytes(16) + bytes(60)
    )


class TestPassphraseCosts:
    """A backup's passphrase stanza cannot ask for unbounded KDF work."""

    OVER = "backup passphrase stanza asks for more KDF work than allowed"

    @pytest.mark.parametrize(
        "stanza",
        [
            _argon2_stanza(9, 64),
            _argon2_stanza(1, 256 * 1024 + 1),
            _argon2_stanza(16, 1 << 20, 4),
            _StanzaRecipient(
                b"P" + struct.pack(">I", 2_000_001) + bytes(16) + bytes(60)
            ),
        ],
        ids=["time", "memory", "t16-1GiB", "pbkdf2"],
    )
    def test_hostile_costs_refused(self, stanza):
        """Costs over the bounds (argon2id t 8, 256 MiB; PBKDF2 2,000,000)
        are a BackupFormatError before any work."""
        phrase = backup.PassphraseRecipient("pw", **CHEAP)
        blob = _seal(b"x", [stanza])
        with pytest.raises(BackupFormatError, match=self.OVER):
            _unseal(blob, [phrase])

    def test_hostile_stanza_does_not_hide_good_ones(self):
        """An over-cost stanza is refused, yet the stanzas after it are
        still tried: the backup opens."""
        phrase = backup.PassphraseRecipient("pw", **CHEAP)
        blob = _seal(
            b"kept", [_argon2_stanza(64, 1 << 22), X.recipient, phrase]
        )
        assert _unseal(blob, [phrase]) == b"kept"
        assert _unseal(blob, [X]) == b"kept"

    def test_own_costs_raise_the_bounds(self):
        """A recipient made with costs above the bounds opens its backups."""
        high = backup.PassphraseRecipient(
            "pw", time_cost=9, memory_cost=8, parallelism=1
        )
        blob = _seal(b"high", [high])
        assert _unseal(blob, [high]) == b"high"
        with pytest.raises(BackupFormatError, match=self.OVER):
            _unseal(blob, [backup.PassphraseRecipient("pw", **CHEAP)])

    def test_library_defaults_open(self):
        """A backup made with the default passphrase costs still opens."""
        phrase = backup.PassphraseRecipient("correct horse")
        blob = _seal(b"defaults", [phrase])
        assert _unseal(
            blob, [backup.PassphraseRecipient("correct horse")]
        ) == (b"defaults")

    def test_out_of_memory_is_a_backup_error(self):
        """argon2 failing to allocate (a memory cap) is a BackupError, not
        argon2's HashingError."""
        phrase = backup.PassphraseRecipient("pw", **CHEAP)
        blob = _seal(b"x", [_argon2_stanza(1, 256 * 1024)])
        with (
            address_space_capped(64 << 20),
            pytest.raises(BackupError, match="not enough memory"),
        ):
            _unseal(blob, [phrase])


class TestNativeManifest:
    def _with_manifest(self, monkeypatch, manifest: bytes) -> bytes:
        monkeypatch.setattr(fmt, "_manifest_json", lambda _doc: manifest)
        return _seal(b"payload", [X.recipient])

    def test_oversized_manifest_refused(self, monkeypatch):
        """A manifest over 16 KiB (authenticated, from a hostile producer) fails."""
        doc = {"pad": "x" * fmt._MAX_MANIFEST}
        blob = self._with_manifest(monkeypatch, json.dumps(doc).encode())
        monkeypatch.undo()
        with pytest.raises(BackupIntegrityError):
            _unseal(blob, [X])

    @pytest.mark.parametrize(
        "manifest",
        [
            b"[" * 5000 + b"]" * 5000,
            (
                b'{"created":"2026-01-01T00:00:00+00:00","size":Infinity,'
                b'"sha256":"","label":null,"compression":null,"signature":null}'
            ),
            (
                b'{"created":"2026-01-01T00:00:00+00:00","size":-1,'
                b'"sha256":"","label":null,"compression":null,"signature":null}'
            ),
            (
                b'{"created":"2026-01-01T00:00:00","size":7,'
                b'"sha256":"","label":null,"compression":null,"signature":null}'
            ),
            (
                b'{"created":"2026-01-01T00:00:00+00:00","size":7,'
                b'"sha256":"","label":{"a":1},"compression":null,"signature":null}'
            ),
            (
                b'{"created":"2026-01-01T00:00:00+00:00","size":7,'
                b'"sha256":"","label":null,"compression":"xz","signature":null}'
            ),
            (
                b'{"created":"2026-01-01T00:00:00+00:00","size":7,'
                b'"sha256":"","label":null,"compression":null,"signature":"x"}'
            ),
            b"\xff\xfe",
        ],
        ids=[
            "nesting",
            "infinity",
            "negative",
            "naive-time",
            "label-type",
            "compression",
            "signature-type",
            "not-utf8",
        ],
    )
    def test_hostile_manifest_is_an_integrity_error(
        self, monkeypatch, manifest
    ):
        """Deep nesting, Infinity, wrong types: BackupIntegrityError, no crash."""
        blob = self._with_manifest(monkeypatch, manifest)
        monkeypatch.undo()
        with pytest.raises(BackupIntegrityError):
            _unseal(blob, [X])


def _forge(
    payload: bytes | Callable[[bytes], bytes],
    recipients=None,
    *,
    flags: int = 0,
) -> bytes:
    """A backup whose authenticated payload is exactly *payload*.

    Built from the format's own parts (header, stanzas, MAC, STREAM) as a
    broken or hostile producer holding the recipients' public keys can. A
    callable *payload* receives the header hash that signatures cover.
    """
    file_key = os.urandom(32)
    nonce = os.urandom(16)
    wrapped = [r._wrap(file_key) for r in recipients or [X.recipient]]
    header = bytearray(
        fmt._FIXED.pack(fmt.MAGIC, fmt.VERSION, flags, 12, nonce, len(wrapped))
    )
    for stanza_type, body in wrapped:
        header += fmt._STANZA.pack(stanza_type, len(body)) + body
    mac = fmt._mac(file_key, bytes(header))
    header += mac
    if callable(payload):
        payload = payload(hashlib.sha256(header).digest())
    aead, prefix = fmt._keys(file_key, nonce)
    out = io.BytesIO()
    out.write(bytes(header))
    seal_stream(
        aead,
        io.BytesIO(payload),
        out,
        segment_size=4096,
        prefix=prefix,
        associated_data=mac,
    )
    return out.getvalue()


def _manifest(data: bytes, **fields: object) -> dict[str, object]:
    """The manifest an honest producer writes for *data*, with overrides."""
    doc: dict[str, object] = {
        "v": 1,
        "created": "2026-01-01T00:00:00.000000+00:00",
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "label": None,
        "compression": None,
        "signature": None,
    }
    doc.update(fields)
    return doc


def _payload(
    data: bytes, manifest: dict[str, object], signature: bytes = b""
) -> bytes:
    """*data*, then the manifest trailer."""
    raw = fmt._manifest_json(manifest)
    return data + raw + signature + fmt._TRAILER.pack(len(raw), len(signature))


class TestHostileProducer:
    def test_forge_is_faithful(self):
        """A well-formed forged backup decrypts (so the failures below are real)."""
        data = b"honest data" * 500
        blob = _forge(_payload(data, _manifest(data)))
        assert _unseal(blob, [X]) == data

    @pytest.mark.parametrize("payload", [b"", b"abc", b"12345"])
    def test_payload_shorter_than_trailer(self, payload):
        """An authenticated payload too short to hold the trailer fails."""
        with pytest.raises(BackupIntegrityError) as info:
            _unseal(_forge(payload), [X])
        assert str(info.value) == "backup failed authentication"

    @pytest.mark.parametrize(
        "fields",
        [
            {"size": 11},
            {"size": 9},
            {"sha256": hashlib.sha256(b"other data").hexdigest()},
        ],
        ids=["size-up", "size-down", "digest"],
    )
    def test_manifest_disagrees_with_data(self, tmp_path, fields):
        """A manifest whose size or SHA-256 differs from the data fails; no file is left."""
        data = b"ten bytes!"
        blob = _forge(_payload(data, _manifest(data, **fields)))
        with pytest.raises(BackupIntegrityError):
            _unseal(blob, [X])
        (tmp_path / "b.dpbk").write_bytes(blob)
        with pytest.raises(BackupIntegrityError):
            backup.decrypt_file(tmp_path / "b.dpbk", tmp_path / "out", [X])
        assert not (tmp_path / "out").exists()

    def test_compression_flag_disagrees_with_manifest(self):
        """Header flag and manifest must agree on compression, both ways."""
        zstandard = pytest.importorskip("zstandard")
        data = b"compressible " * 100
        frame = zstandard.ZstdCompressor().compress(data)
        honest = _forge(
            _payload(frame, _manifest(data, compression="zstd")),
            flags=fmt.FLAG_ZSTD,
        )
        assert _unseal(honest, [X]) == data
        flag_only = _forge(
            _payload(frame, _manifest(data)), flags=fmt.FLAG_ZSTD
        )
        with pytest.raises(BackupIntegrityError):
            _unseal(flag_only, [X])
        manifest_only = _forge(
            _payload(data, _manifest(data, compression="zstd"))
        )
        with pytest.raises(BackupIntegrityError):
            _unseal(manifest_only, [X])

    @staticmethod
    def _signed(
        key: ed25519.Ed25519PrivateKey,
        data: bytes,
        *,
        alg: str = "ed25519",
        raw: bytes | None = None,
        header_hash: bytes | None = None,
        signature: bytes | None = None,
    ) -> bytes:
        def build(real_hash: bytes) -> bytes:
            public = key.public_key().public_bytes_raw()
            doc = _manifest(
                data,
                signature={
                    "alg": alg,
                    "key": base64.b64encode(raw or public).decode(),
                },
            )
            message = (
                fmt._SIGN_CONTEXT
                + (header_hash or real_hash)
                + fmt._manifest_json(doc)
            )
            return _payload(data, doc, signature or key.sign(message))

        return _forge(build)

    def test_forged_signature_is_faithful(self):
        """A correctly forged signed manifest verifies."""
        key = ed25519.Ed25519PrivateKey.generate()
        out = io.BytesIO()
        manifest = backup.decrypt(
            io.BytesIO(self._signed(key, b"data")),
            out,
            [X],
            signers=[key.public_key()],
        )
        assert manifest.signature_verified
        assert out.getvalue() == b"data"

    @pytest.mark.parametrize(
        "case",
        ["garbage", "other-header", "unknown-alg", "bad-ecdsa-point"],
    )
    def test_invalid_signature_fails_without_signers(self, case):
        """A manifest signature that does not verify fails even when no signer is required."""
        key = ed25519.Ed25519PrivateKey.generate()
        kwargs: dict[str, object] = {
            "garbage": {"signature": bytes(64)},
            "other-header": {"header_hash": bytes(32)},
            "unknown-alg": {"alg": "rsa-pss-sha256"},
            "bad-ecdsa-point": {
                "alg": "ecdsa-p256-sha256",
                "raw": b"\x05" + bytes(32),
            },
        }[case]
        blob = self._signed(key, b"data", **kwargs)  # type: ignore[arg-type]
        for signers in (None, [key.public_key()]):
            with pytest.raises(BackupSignatureError) as info:
                _unseal(blob, [X], signers=signers)
            assert str(info.value) == (
                "backup manifest is not signed by an expected producer"
            )


class TestAgeHeader:
    def _header(self, stanzas: bytes) -> bytes:
        return b"age-encryption.org/v1\n" + stanzas

    def test_too_many_stanzas(self):
        """More than 1024 stanzas are refused before any is unwrapped."""
        many = self._header(
            b"-> grease\n\n" * 1025 + b"--- " + b"A" * 43 + b"\n"
        )
        with pytest.raises(AgeFormatError, match="more than 1024 stanzas"):
            age.decrypt(io.BytesIO(many), io.BytesIO(), [AGE_ID])
        ok = self._header(
            b"-> grease\n\n" * 1024 + b"--- " + b"A" * 43 + b"\n"
        )
        with pytest.raises(AgeNoMatchError):
            age.decrypt(io.BytesIO(ok), io.BytesIO(), [AGE_ID])

    def test_endless_stanza_body(self):
        """A stanza body that never ends stops at 4 MiB of header."""
        src = Metered(self._header(b"-> grease\n"), filler=b"A" * 64 + b"\n")
        with pytest.raises(AgeFormatError, match="larger than 4 MiB"):
            age.decrypt(src, io.BytesIO(), [AGE_ID])
        assert src.consumed < (4 << 20) + (1 << 20)

    def test_header_size_over_many_stanzas(self):
        """Large stanzas add up to the 4 MiB header bound."""
        body = b"A" * 64 + b"\n"
        stanza = b"-> grease\n" + body * 8000 + b"\n"
        src = Metered(self._header(stanza * 10))
        with pytest.raises(AgeFormatError, match="larger than 4 MiB"):
            age.decrypt(src, io.BytesIO(), [AGE_ID])

    def test_overlong_line(self):
        """A header line over 64 KiB is refused after reading at most 64 KiB."""
        src = Metered(self._header(b"-> "), filler=b"x")
        with pytest.raises(AgeFormatError, match="overlong line"):
            age.decrypt(src, io.BytesIO(), [AGE_ID])
        assert src.consumed < (64 << 10) + (128 << 10)

    def test_hybrid_stanza_line_fits(self):
        """The longest real header line (a hybrid share) is well under the bound."""
        pq = age.generate_hybrid_identity()
        out = io.BytesIO()
        age.encrypt(io.BytesIO(b"pq"), out, [pq.recipient])
        longest = max(len(x) for x in out.getvalue().split(b"\n")[:4])
        assert 1400 < longest < _header._MAX_LINE

    def _scrypt_file(self, factor: str) -> bytes:
        stanza = f"-> scrypt {'A' * 22} {factor}\n{'A' * 43}\n".encode()
        return self._header(stanza + b"--- " + b"A" * 43 + b"\n")

    @pytest.mark.parametrize("factor", ["21", "22", "23", "30", "100", "018"])
    def test_scrypt_work_factor_bound(self, factor):
        """Work factors above 20 (1 GiB), long or zero-padded ones are
        refused unworked."""
        assert age.MAX_WORK_FACTOR == 20
        with pytest.raises(AgeFormatError):
            age.decrypt(
                io.BytesIO(self._scrypt_file(factor)),
                io.BytesIO(),
                passphrase="pw",
            )

    def test_scrypt_out_of_memory_is_an_age_error(self):
        """scrypt failing to allocate (a memory cap) is an AgeError, not a
        MemoryError."""
        blob = self._scrypt_file("18")
        with (
            address_space_capped(64 << 20),
            pytest.raises(AgeError, match="not enough memory"),
        ):
            age.decrypt(io.BytesIO(blob), io.BytesIO(), passphrase="pw")

    def test_armor_leading_whitespace_bound(self):
        """More than 64 KiB of whitespace before the armor is refused."""
        src = Metered(b"", filler=b"\n")
        with pytest.raises(AgeArmorError):
            age.decrypt(src, io.BytesIO(), [AGE_ID], armor=True)
        assert src.consumed < (64 << 10) * 3

    def test_armor_trailing_whitespace_bound(self):
        """More than 64 KiB of whitespace after the armor is refused; a little is fine."""
        out = io.BytesIO()
        age.encrypt(io.BytesIO(b"a"), out, [AGE_ID.recipient], armor=True)
        armored = out.getvalue()
        plain = io.BytesIO()
        age.decrypt(io.BytesIO(armored + b"\n \t\r\n" * 100), plain, [AGE_ID])
        assert plain.getvalue() == b"a"
        src = Metered(armored, filler=b" ")
        with pytest.raises(AgeArmorError):
            age.decrypt(src, io.BytesIO(), [AGE_ID])
        assert src.consumed < len(armored) + (64 << 10) * 3

    def test_armor_line_length_bound(self):
        """An armor line over 64 characters is refused."""
        body = b"-----BEGIN AGE ENCRYPTED FILE-----\n" + b"A" * 100000
        with pytest.raises(AgeArmorError):
            age.decrypt(io.BytesIO(body), io.BytesIO(), [AGE_ID])


class TestKeyText:
    @pytest.mark.parametrize(
        "parse",
        [
            age.parse_recipient,
            age.parse_identity,
            backup.parse_recipient,
            backup.parse_identity,
        ],
    )
    def test_overlong_key_text_refused(self, parse):
        """Key text over 4096 characters is refused before the checksum."""
        with pytest.raises(ConfigurationError, match="longer than 4096"):
            parse("q" * 100_000)

    def test_longest_real_keys_fit(self):
        """Hybrid recipients (about 1960 characters) parse under the bound."""
        pq = age.generate_hybrid_identity()
        text = str(pq.recipient)
        assert len(text) < _keys._MAX_KEY_TEXT
        assert age.parse_recipient(text) == pq.recipient
        native = backup.generate_identity("mlkem768-x25519")
        assert len(str(native.recipient)) < _identity._MAX_KEY_TEXT
        assert (
            backup.parse_recipient(str(native.recipient)) == native.recipient
        )


class TestNoLeaks:
    @settings(max_examples=20, deadline=None)
    @given(
        passphrase=secrets_text, plaintext=st.binary(min_size=8, max_size=64)
    )
    def test_native_passphrase_and_plaintext(self, passphrase, plaintext):
        """Wrong or tampered passphrase backups never show secret or plaintext."""
        phrase = backup.PassphraseRecipient(passphrase, **CHEAP)
        wrong = backup.PassphraseRecipient(passphrase + "!", **CHEAP)
        assert passphrase not in repr(phrase)
        assert passphrase not in str(phrase)
        blob = _seal(plaintext, [phrase])
        tampered = bytearray(blob)
        tampered[-20] ^= 1
        for bad, ident in ((blob, wrong), (bytes(tampered), phrase)):
            with pytest.raises(BackupError) as info:
                _unseal(bad, [ident])
            text = "".join(traceback.format_exception(info.value))
            assert passphrase not in text
            assert repr(plaintext) not in text

    @settings(max_examples=20, deadline=None)
    @given(
        passphrase=secrets_text, plaintext=st.binary(min_size=8, max_size=64)
    )
    def test_age_passphrase_and_plaintext(self, passphrase, plaintext):
        """age errors and reprs never show the passphrase or plaintext."""
        recipient = age.ScryptRecipient(passphrase, work_factor=4)
        identity = age.ScryptIdentity(passphrase)
        for shown in (repr(recipient), repr(identity), str(identity)):
            assert passphrase not in shown
        out = io.BytesIO()
        age.encrypt(io.BytesIO(plaintext), out, [recipient])
        tampered = bytearray(out.getvalue())
        tampered[-5] ^= 1
        cases = [
            (out.getvalue(), passphrase + "!"),
            (bytes(tampered), passphrase),
        ]
        for bad, guess in cases:
            with pytest.raises(AgeError) as info:
                age.decrypt(io.BytesIO(bad), io.BytesIO(), passphrase=guess)
            text = "".join(traceback.format_exception(info.value))
            assert passphrase not in text
            assert repr(plaintext) not in text

    @settings(max_examples=30, deadline=None)
    @given(data=st.data())
    def test_broken_identity_text_not_echoed(self, data):
        """A corrupted identity string never appears in the error."""
        secret = data.draw(
            st.sampled_from([AGE_ID.to_text(), X.to_text()]), label="secret"
        )
        pos = data.draw(st.integers(0, len(secret) - 1), label="pos")
        char = data.draw(st.sampled_from("QPZRY9X8GF2TVDW0"), label="char")
        broken = secret[:pos] + char + secret[pos + 1 :]
        parse = (
            age.parse_identity
            if secret.startswith("AGE-")
            else backup.parse_identity
        )
        if broken == secret:
            return
        try:
            parse(broken)
        except DataProtectError as exc:
            text = "".join(traceback.format_exception(exc))
            assert broken not in text
            assert broken.lower() not in text
            assert secret[-30:] not in text
            assert secret[-30:].lower() not in text

"""Tests for dataprotect.backup: container, recipients, storage, CLI."""

# Compound assertions read better for round-trip checks.
# ruff: noqa: PT018

from __future__ import annotations

import base64
import getpass
import io
import json
import os
import socket
import subprocess
import sys
import time

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataprotect import backup
from dataprotect.backup import _format as fmt
from dataprotect.errors import (
    BackupError,
    BackupFormatError,
    BackupIntegrityError,
    BackupSignatureError,
    BackupSourceError,
    BackupStorageError,
    ConfigurationError,
    DataProtectError,
    IntegrityError,
    NoIdentityError,
)
from dataprotect.keys import EnvKEK, Keyring
from helpers import free_port, pem_private_key, require_binary, run_cli
from strategies import raw_uri_passwords


VECTORS = Path(__file__).parents[1] / "vectors"
NOW = datetime(2026, 3, 4, 5, 6, 7, tzinfo=timezone.utc)

X = backup.generate_identity("x25519")
P = backup.generate_identity("p256")
M = backup.generate_identity("mlkem768-x25519")
RING = Keyring.generate()
KR = backup.KeyringRecipient(RING)
PW = backup.PassphraseRecipient(
    "pw", time_cost=1, memory_cost=8, parallelism=1
)
ALL = [X, P, M, KR, PW]


def seal(data: bytes, recipients=None, **kw) -> bytes:
    """Encrypt *data* into a backup in memory."""
    out = io.BytesIO()
    backup.encrypt(io.BytesIO(data), out, recipients or [X.recipient], **kw)
    return out.getvalue()


def unseal(blob: bytes, identities=None, **kw) -> bytes:
    """Decrypt a backup held in memory."""
    out = io.BytesIO()
    backup.decrypt(io.BytesIO(blob), out, identities or [X], **kw)
    return out.getvalue()


class FailingSource(io.RawIOBase):
    """A source that gives *data* on its first *reads* reads, then fails
    with OSError(*error*)."""

    def __init__(self, *, reads: int, data: bytes, error: str) -> None:
        self.n = 0
        self.reads = reads
        self.data = data
        self.error = error

    def readable(self):
        return True

    def readinto(self, buf):
        self.n += 1
        if self.n > self.reads:
            raise OSError(self.error)
        buf[: len(self.data)] = self.data
        return len(self.data)


class TestIdentities:
    @pytest.mark.parametrize("kind", ["p256", "x25519", "mlkem768-x25519"])
    def test_text_round_trip(self, kind):
        """Identities and recipients load back from their text forms."""
        identity = backup.generate_identity(kind)
        again = backup.parse_identity(identity.to_text())
        assert again.recipient == identity.recipient
        assert (
            backup.parse_recipient(str(identity.recipient))
            == identity.recipient
        )
        assert identity.to_text().startswith("DPBACKUP-SECRET-KEY-1")
        assert str(identity.recipient).startswith("dpbackup1")

    @pytest.mark.parametrize("kind", ["p256", "x25519", "mlkem768-x25519"])
    def test_repr_hides_secret(self, kind):
        """repr/str of an identity never contain its secret text."""
        identity = backup.generate_identity(kind)
        secret = identity.to_text()
        for shown in (repr(identity), str(identity)):
            assert secret not in shown
            assert secret.lower()[25:45] not in shown.lower()

    def test_short_texts(self):
        """Classical keys serialise to short, copy-pasteable text."""
        assert len(str(X.recipient)) < 80
        assert len(str(P.recipient)) < 80
        assert len(X.to_text()) < 90

    def test_unknown_kind(self):
        """An unknown kind is a ConfigurationError."""
        with pytest.raises(ConfigurationError):
            backup.generate_identity("rsa")  # type: ignore[arg-type]

    def test_bad_texts(self):
        """Corrupt, swapped or foreign key texts are refused without echo."""
        text = str(X.recipient)
        for bad in (
            text[:-1] + ("q" if text[-1] != "q" else "p"),
            "age1xyz",
            "",
            X.to_text(),
        ):
            with pytest.raises(ConfigurationError) as info:
                backup.parse_recipient(bad)
            assert str(info.value) == "not a valid dataprotect backup key"
        with pytest.raises(ConfigurationError) as info:
            backup.parse_identity(str(X.recipient))
        secret = X.to_text()
        with pytest.raises(ConfigurationError) as info:
            backup.parse_identity(
                secret[:-1] + ("Q" if secret[-1] != "Q" else "P")
            )
        assert secret[:-1] not in str(info.value)

    def test_equality_and_validation(self):
        """Recipients compare by key; bad raw keys and secrets are refused."""
        assert X.recipient == backup.parse_recipient(str(X.recipient))
        assert X.recipient != P.recipient
        assert X.recipient.__eq__(object()) is NotImplemented
        assert (
            len({X.recipient, backup.parse_recipient(str(X.recipient))}) == 1
        )
        with pytest.raises(ConfigurationError):
            backup.HPKERecipient("p256", b"\x02" + b"\xff" * 32)
        with pytest.raises(ConfigurationError):
            backup.HPKEIdentity("p256", bytes(32))
        with pytest.raises(ConfigurationError):
            backup.HPKEIdentity("mlkem768-x25519", bytes(10))
        with pytest.raises(ConfigurationError):
            backup.HPKERecipient("x25519", bytes(31))
        with pytest.raises(TypeError):
            backup.parse_recipient(b"dpbackup1")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            backup.KeyringRecipient("ring")  # type: ignore[arg-type]
        assert "Keyring" in repr(KR) and repr(PW) == "<PassphraseRecipient>"

    def test_p256_scalar_outside_the_group_is_redrawn(self, monkeypatch):
        """generate_identity('p256') draws again for a scalar of 0 or >= the group order."""
        from dataprotect.backup import _identity

        order = _identity._P256_ORDER
        good = (order - 1).to_bytes(32, "big")
        draws = [bytes(32), order.to_bytes(32, "big"), b"\xff" * 32, good]
        monkeypatch.setattr(_identity.os, "urandom", lambda n: draws.pop(0))
        identity = backup.generate_identity("p256")
        assert draws == []
        assert (
            identity.recipient == backup.HPKEIdentity("p256", good).recipient
        )

    @pytest.mark.parametrize("size", [0, 31, 33])
    def test_p256_secret_of_wrong_length(self, size):
        """A P-256 identity text holding a secret of the wrong length is refused without echo."""
        from dataprotect import _bech32
        from dataprotect.backup import _identity

        text = _bech32.encode(
            _identity.IDENTITY_HRP,
            bytes([_identity.STANZA_P256]) + b"\x07" * size,
        ).upper()
        with pytest.raises(ConfigurationError) as info:
            backup.parse_identity(text)
        assert str(info.value) == "not a valid dataprotect backup key"
        with pytest.raises(ConfigurationError):
            backup.HPKEIdentity("p256", b"\x07" * size)

    def test_cryptography_without_hpke(self, without_ml_kem):
        """Without cryptography's ML-KEM/HPKE modules, HPKE keys name the problem."""
        from dataprotect.errors import MissingDependencyError

        with pytest.raises(MissingDependencyError, match="newer cryptography"):
            backup.generate_identity("mlkem768-x25519")
        with pytest.raises(MissingDependencyError, match="newer cryptography"):
            seal(b"x", [X.recipient])
        # Symmetric recipients need no HPKE.
        assert unseal(seal(b"x", [KR]), [KR]) == b"x"

    def test_not_picklable(self):
        """Identities and passphrases refuse pickling."""
        import pickle

        for obj in (X, PW, KR):
            with pytest.raises(TypeError):
                pickle.dumps(obj)


class TestRoundTrip:
    @settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])
    @given(
        data=st.binary(max_size=20_000),
        segment=st.sampled_from([4096, 8192, 65536]),
        recipients=st.lists(
            st.sampled_from(range(len(ALL))),
            min_size=1,
            max_size=5,
            unique=True,
        ),
        compress=st.booleans(),
    )
    def test_any_size_any_recipient_mix(
        self, data, segment, recipients, compress
    ):
        """Every recipient of any mix decrypts any payload to the original."""
        chosen = [ALL[i] for i in recipients]
        rcpts = [getattr(r, "recipient", r) for r in chosen]
        blob = seal(data, rcpts, segment_size=segment, compress=compress)
        for identity in chosen:
            assert unseal(blob, [identity]) == data

    @pytest.mark.parametrize(
        "size", [0, 1, 4095, 4096, 4097, 3 * 4096, 100_000]
    )
    def test_segment_boundaries(self, size):
        """Sizes around segment boundaries round-trip."""
        data = os.urandom(size)
        assert unseal(seal(data, segment_size=4096)) == data

    @pytest.mark.parametrize(
        ("segment", "size"),
        [
            (1 << 20, 3 * (1 << 20) + 5),
            (1 << 20, 2 * (1 << 20)),
            (1 << 14, 3 * (1 << 14) + 100),
            (1 << 15, 5 * (1 << 15) - 3),
            (1 << 15, 16_640),
        ],
    )
    def test_large_segments_and_trailer_hold_back(self, segment, size):
        """Segments larger and smaller than the held-back trailer round-trip."""
        data = os.urandom(size)
        assert unseal(seal(data, segment_size=segment)) == data
        assert unseal(seal(data, segment_size=segment, compress=True)) == data

    def test_default_segment_size(self):
        """New backups use 128 KiB segments, recorded in the header (the
        byte after magic, version and flags); every size is read from
        there, so backups of the former 1 MiB default read alike."""
        data = os.urandom(3 * (1 << 17) + 5)
        blob = seal(data)
        assert backup.DEFAULT_SEGMENT_SIZE == 1 << 17
        assert blob[6] == 17
        assert unseal(blob) == data

    def test_manifest(self):
        """The manifest records time, size, SHA-256, label and compression."""
        import hashlib

        data = b"x" * 5000
        made = backup.encrypt(
            io.BytesIO(data), io.BytesIO(), [X.recipient], label="db", now=NOW
        )
        blob = seal(data, label="db", now=NOW, compress=True)
        got = backup.decrypt(io.BytesIO(blob), None, [X])
        assert made.created_at == got.created_at == NOW
        assert got.size == 5000 and got.sha256 == hashlib.sha256(data).digest()
        assert got.label == "db" and got.compression == "zstd"
        assert not got.signature_verified

    def test_randomised(self):
        """Two encryptions of the same data differ."""
        assert seal(b"same") != seal(b"same")

    def test_file_helpers(self, tmp_path):
        """encrypt_file/decrypt_file write atomically with mode 0600."""
        src = tmp_path / "a.sql"
        src.write_bytes(b"dump" * 1000)
        backup.encrypt_file(src, tmp_path / "a.dpbk", [P.recipient])
        assert (tmp_path / "a.dpbk").stat().st_mode & 0o777 == 0o600
        backup.decrypt_file(tmp_path / "a.dpbk", tmp_path / "b.sql", [P])
        assert (tmp_path / "b.sql").read_bytes() == b"dump" * 1000

    def test_pipe_source(self):
        """A source without readinto (a plain read() object) works."""

        class Pipe:
            def __init__(self, data):
                self._buf = io.BytesIO(data)

            def read(self, n=-1):
                return self._buf.read(min(n, 777))

        data = os.urandom(50_000)
        out = io.BytesIO()
        backup.encrypt(Pipe(data), out, [X.recipient], segment_size=4096)
        assert unseal(out.getvalue()) == data


class TestOptions:
    def test_progress_counts_plaintext(self):
        """progress callbacks see every plaintext byte, in and out."""
        seen_in, seen_out = [], []
        data = os.urandom(30_000)
        out = io.BytesIO()
        backup.encrypt(
            io.BytesIO(data),
            out,
            [X.recipient],
            segment_size=4096,
            progress=seen_in.append,
        )
        backup.decrypt(
            io.BytesIO(out.getvalue()), None, [X], progress=seen_out.append
        )
        assert sum(seen_in) == sum(seen_out) == 30_000

    def test_missing_zstandard(self, monkeypatch):
        """Compression without zstandard names the extra to install."""
        import sys

        from dataprotect.errors import MissingDependencyError

        monkeypatch.setitem(sys.modules, "zstandard", None)
        with pytest.raises(
            MissingDependencyError, match=r"dataprotect\[zstd\]"
        ):
            seal(b"x", compress=True)

    def test_compression_shrinks(self):
        """Compressible data gets smaller with compress=True."""
        data = b"A" * 200_000
        assert len(seal(data, compress=True)) < 10_000 < len(seal(data))

    def test_zstd_limits(self, monkeypatch):
        """Levels outside 1-19 are refused; frames with windows over 8 MiB fail."""
        with pytest.raises(ConfigurationError):
            seal(b"x", compress=22)
        monkeypatch.setattr(fmt, "_MAX_ZSTD_LEVEL", 22)
        blob = seal(b"a" * (20 << 20), compress=22)
        monkeypatch.setattr(fmt, "_MAX_ZSTD_LEVEL", 19)
        with pytest.raises(BackupIntegrityError):
            backup.decrypt(io.BytesIO(blob), None, [X])

    def test_several_recipients_of_each_kind(self):
        """Stanzas of every kind coexist; each identity finds its own."""
        ids = [
            backup.generate_identity(k)
            for k in ("p256", "p256", "x25519", "mlkem768-x25519")
        ]
        blob = seal(b"many", [i.recipient for i in ids] + [KR, PW])
        for ident in [*ids, KR, PW]:
            assert unseal(blob, [ident]) == b"many"
        assert len(fmt.read_header(io.BytesIO(blob)).stanzas) == 6


class TestSignatures:
    @pytest.mark.parametrize(
        "key",
        [
            ed25519.Ed25519PrivateKey.generate(),
            ec.generate_private_key(ec.SECP256R1()),
        ],
        ids=["ed25519", "p256"],
    )
    def test_signed_manifest_verifies(self, key):
        """A signed manifest verifies against the producer's public key."""
        blob = seal(b"data", signing_key=key)
        out = io.BytesIO()
        manifest = backup.decrypt(
            io.BytesIO(blob), out, [X], signers=[key.public_key()]
        )
        assert manifest.signature_verified and out.getvalue() == b"data"

    def test_wrong_signer_rejected(self):
        """Another producer's key, or no signature, fails when signers are required."""
        key = ed25519.Ed25519PrivateKey.generate()
        other = ed25519.Ed25519PrivateKey.generate().public_key()
        with pytest.raises(BackupSignatureError):
            unseal(seal(b"d", signing_key=key), signers=[other])
        with pytest.raises(BackupSignatureError):
            unseal(seal(b"d"), signers=[other])
        assert issubclass(BackupSignatureError, IntegrityError)

    def test_signed_manifest_without_expected_signers(self):
        """Without signers the signature is checked against its own key but not trusted."""
        key = ec.generate_private_key(ec.SECP256R1())
        manifest = backup.decrypt(
            io.BytesIO(seal(b"data", signing_key=key)), None, [X]
        )
        assert manifest.signature_algorithm == "ecdsa-p256-sha256"
        assert manifest.signer == key.public_key().public_bytes(
            serialization.Encoding.X962,
            serialization.PublicFormat.CompressedPoint,
        )
        assert manifest.signature_verified is False

    def test_other_key_types_are_type_errors(self):
        """Signing or verifying with a key that is not Ed25519/ECDSA is a TypeError."""
        from cryptography.hazmat.primitives.asymmetric import x25519

        other = x25519.X25519PrivateKey.generate()
        with pytest.raises(TypeError, match="Ed25519 or ECDSA P-256"):
            seal(b"d", signing_key=other)  # type: ignore[arg-type]
        blob = seal(b"d", signing_key=ed25519.Ed25519PrivateKey.generate())
        with pytest.raises(TypeError, match="Ed25519 or ECDSA P-256"):
            unseal(blob, signers=[other.public_key()])

    def test_other_curves_refused(self):
        """ECDSA keys on curves other than P-256 are refused."""
        with pytest.raises(ConfigurationError):
            seal(b"d", signing_key=ec.generate_private_key(ec.SECP384R1()))


class TestBadInput:
    def small(self) -> bytes:
        return seal(b"tiny secret", [X.recipient], segment_size=4096)

    def test_every_single_byte_flip_rejected(self):
        """Flipping any bit of any byte of a small backup is rejected, no output."""
        blob = self.small()
        for pos in range(len(blob)):
            bad = bytearray(blob)
            bad[pos] ^= 0x01
            out = io.BytesIO()
            with pytest.raises(BackupError):
                backup.decrypt(io.BytesIO(bytes(bad)), out, [X])

    @settings(max_examples=60)
    @given(st.data())
    def test_any_byte_change_rejected(self, data):
        """Any change of a single byte to any other value is rejected."""
        blob = self.small_cached
        pos = data.draw(st.integers(0, len(blob) - 1))
        value = data.draw(st.integers(0, 255).filter(lambda v: v != blob[pos]))
        bad = bytearray(blob)
        bad[pos] = value
        with pytest.raises(BackupError):
            unseal(bytes(bad))

    small_cached = seal(b"tiny secret", [X.recipient], segment_size=4096)

    def test_every_truncation_rejected(self):
        """Every truncation of a small backup is rejected."""
        blob = self.small()
        for cut in range(len(blob)):
            with pytest.raises(BackupError):
                unseal(blob[:cut])

    def test_dropped_byte_and_appended_byte(self):
        """A dropped byte anywhere, or any appended byte, is rejected."""
        blob = self.small()
        for pos in range(0, len(blob), 7):
            with pytest.raises(BackupError):
                unseal(blob[:pos] + blob[pos + 1 :])
        for extra in (b"\x00", b"x" * 17, blob[-16:]):
            with pytest.raises(BackupIntegrityError):
                unseal(blob + extra)

    def test_reordered_segments(self):
        """Swapping two ciphertext segments is rejected."""
        blob = seal(os.urandom(3 * 4096), segment_size=4096)
        header = fmt.read_header(io.BytesIO(blob))
        start = len(header.raw) + 32
        seg = 4096 + 16
        a, b = blob[start : start + seg], blob[start + seg : start + 2 * seg]
        with pytest.raises(BackupIntegrityError):
            unseal(blob[:start] + b + a + blob[start + 2 * seg :])

    def test_no_plaintext_after_bad_segment(self):
        """Only segments before the damaged one are written."""
        data = os.urandom(5 * 4096)
        blob = bytearray(seal(data, segment_size=4096))
        header = fmt.read_header(io.BytesIO(bytes(blob)))
        start = len(header.raw) + 32
        blob[start + 2 * (4096 + 16) + 5] ^= 1
        out = io.BytesIO()
        with pytest.raises(BackupIntegrityError):
            backup.decrypt(io.BytesIO(bytes(blob)), out, [X])
        assert len(out.getvalue()) <= 2 * 4096
        assert data.startswith(out.getvalue())

    def test_wrong_identity(self):
        """A wrong key or passphrase raises NoIdentityError (a LookupError)."""
        blob = self.small()
        with pytest.raises(NoIdentityError):
            unseal(blob, [P, backup.generate_identity("x25519")])
        wrong = backup.PassphraseRecipient(
            "nope", time_cost=1, memory_cost=8, parallelism=1
        )
        with pytest.raises(NoIdentityError):
            unseal(seal(b"x", [PW]), [wrong])
        assert issubclass(NoIdentityError, LookupError)

    def test_pbkdf2_passphrase_stanza(self, monkeypatch):
        """A PBKDF2 (FIPS mode) passphrase stanza round-trips; huge counts are refused."""
        import struct

        from dataprotect import _fips

        class Status:
            fips_enabled = True

        monkeypatch.setattr(_fips, "fips_status", Status)
        phrase = backup.PassphraseRecipient("pw", iterations=1000)
        blob = bytearray(seal(b"fips", [phrase]))
        start = fmt._FIXED.size + 3
        assert blob[start : start + 1] == b"P"
        assert unseal(bytes(blob), [phrase]) == b"fips"
        struct.pack_into(">I", blob, start + 1, 20_000_000)
        with pytest.raises(BackupFormatError, match="more KDF work"):
            unseal(bytes(blob), [phrase])

    def test_keyring_without_the_recorded_key(self):
        """A retired key, or another keyring, cannot open a keyring stanza."""
        ring = Keyring.generate()
        blob = seal(b"rows", [backup.KeyringRecipient(ring)])
        old = ring.primary_id
        ring.rotate()
        assert unseal(blob, [backup.KeyringRecipient(ring)]) == b"rows"
        ring.retire(old)
        with pytest.raises(NoIdentityError):
            unseal(blob, [backup.KeyringRecipient(ring)])
        with pytest.raises(NoIdentityError):
            unseal(blob, [backup.KeyringRecipient(Keyring.generate())])
        ring.reactivate(old)
        assert unseal(blob, [backup.KeyringRecipient(ring)]) == b"rows"

    def test_hostile_passphrase_cost_refused(self):
        """A passphrase stanza asking for more than 256 MiB of argon2 is refused."""
        import struct

        blob = bytearray(seal(b"x", [PW]))
        start = fmt._FIXED.size + 3
        assert blob[start : start + 1] == b"A"
        struct.pack_into(">I", blob, start + 5, (1 << 20) + 1)
        with pytest.raises(BackupFormatError, match="more KDF work"):
            unseal(bytes(blob), [PW])

    def test_missing_stanza(self):
        """Removing a recipient's stanza leaves that recipient unable to open it."""
        blob = seal(b"two", [X.recipient, P.recipient])
        header = fmt.read_header(io.BytesIO(blob))
        fixed = blob[: fmt._FIXED.size - 1]
        first = 3 + len(header.stanzas[0][1])
        rest = blob[fmt._FIXED.size + first :]
        dropped = fixed + b"\x01" + rest
        with pytest.raises(NoIdentityError):
            unseal(dropped, [X])
        with pytest.raises(BackupIntegrityError):
            unseal(dropped, [P])

    def test_foreign_header(self):
        """age files, the at-rest format and garbage are BackupFormatErrors."""
        for foreign in (
            b"age-encryption.org/v1\n-> X25519 abc\n",
            b"DPS1" + bytes(40),
            b"",
            b"PK\x03\x04",
        ):
            with pytest.raises(BackupFormatError):
                unseal(foreign)
        with pytest.raises(BackupFormatError):
            unseal(b"DPBK\x09" + bytes(40))

    def test_one_message_for_integrity(self):
        """Every integrity failure carries the same fixed message."""
        blob = self.small()
        messages = set()
        for bad in (
            blob[:-1],
            blob + b"x",
            blob[:-20] + bytes([blob[-20] ^ 1]) + blob[-19:],
        ):
            with pytest.raises(BackupIntegrityError) as info:
                unseal(bad)
            messages.add(str(info.value))
        assert messages == {"backup failed authentication"}

    def test_failed_restore_leaves_no_file(self, tmp_path):
        """decrypt_file and restore leave nothing behind on failure."""
        src = tmp_path / "b.dpbk"
        src.write_bytes(self.small()[:-3])
        with pytest.raises(BackupIntegrityError):
            backup.decrypt_file(src, tmp_path / "out", [X])
        with pytest.raises(BackupIntegrityError):
            backup.restore(src, tmp_path / "out2", [X])
        assert sorted(p.name for p in tmp_path.iterdir()) == ["b.dpbk"]

    def test_configuration_errors(self):
        """Bad arguments are ConfigurationErrors naming the rule."""
        with pytest.raises(ConfigurationError):
            backup.encrypt(io.BytesIO(b"x"), io.BytesIO(), [])
        with pytest.raises(ConfigurationError):
            seal(b"x", segment_size=1000)
        with pytest.raises(ConfigurationError):
            seal(b"x", label="l" * 2000)
        with pytest.raises(ConfigurationError):
            backup.decrypt(io.BytesIO(self.small()), None, [])

    @given(st.binary(min_size=1, max_size=64))
    def test_no_leaks_in_errors(self, secret):
        """Plaintext never appears in an exception's text or traceback."""
        import traceback

        blob = bytearray(seal(secret))
        blob[-1] ^= 1
        with pytest.raises(DataProtectError) as info:
            unseal(bytes(blob))
        text = "".join(traceback.format_exception(info.value))
        assert info.value.__cause__ is None
        assert repr(secret) not in text


class TestVectors:
    @pytest.mark.parametrize(
        ("name", "count"), [("backup_v1.json", 6), ("backup_v2.json", 4)]
    )
    def test_known_answers(self, name, count):
        """Every committed vector (version 1, and version 2 without a
        digest) decrypts to its plaintext and manifest."""
        doc = json.loads((VECTORS / name).read_text())
        assert len(doc["vectors"]) >= count
        for vec in doc["vectors"]:
            ident = vec["identity"]
            if ident["type"] == "hpke":
                identity = backup.parse_identity(ident["text"])
            elif ident["type"] == "passphrase":
                identity = backup.PassphraseRecipient(ident["passphrase"])
            else:
                kek = EnvKEK("K", environ={"K": ident["env_kek_b64"]})
                ring = Keyring.from_bytes(
                    base64.b64decode(ident["keyring_b64"]), kek=kek
                )
                identity = backup.KeyringRecipient(ring)
            blob = base64.b64decode(vec["backup_b64"])
            signers = None
            if "signer_ed25519_public_hex" in vec:
                signers = [
                    ed25519.Ed25519PublicKey.from_public_bytes(
                        bytes.fromhex(vec["signer_ed25519_public_hex"])
                    )
                ]
            out = io.BytesIO()
            manifest = backup.decrypt(
                io.BytesIO(blob), out, [identity], signers=signers
            )
            assert out.getvalue().hex() == vec["plaintext_hex"], vec["name"]
            digest = manifest.sha256
            assert (digest and digest.hex()) == vec["manifest"]["sha256"]
            assert (
                manifest.created_at.isoformat() == vec["manifest"]["created"]
            )
            header = fmt.read_header(io.BytesIO(blob))
            key = bytes.fromhex(vec["file_key_hex"])
            assert fmt._mac(key, header.raw) == header.mac


class TestStorageLocal:
    def make(self, dest, days, **kw):
        for day in range(days):
            backup.create_backup(
                io.BytesIO(b"dump %d" % day),
                dest,
                [X.recipient],
                name="db",
                now=NOW + timedelta(days=day),
                **kw,
            )

    def test_create_list_restore(self, tmp_path):
        """Backups are listed newest first with creation times and restore."""
        self.make(tmp_path, 3)
        (tmp_path / ".db-x.partial").write_bytes(b"half")
        (tmp_path / "notes.txt").write_text("hi")
        infos = backup.list_backups(tmp_path)
        assert [i.created_at for i in infos] == [
            NOW + timedelta(days=d) for d in (2, 1, 0)
        ]
        out = io.BytesIO()
        backup.restore(infos[0].path, out, [X])
        assert out.getvalue() == b"dump 2"

    def test_suffix_names_every_backup(self, tmp_path):
        """Every backup file ends in the public SUFFIX, and only such files list."""
        self.make(tmp_path, 1)
        (tmp_path / f"db{backup.SUFFIX}.txt").write_text("not a backup")
        (info,) = backup.list_backups(tmp_path)
        assert backup.SUFFIX == ".dpbk"
        assert info.path.endswith(backup.SUFFIX)

    def test_failed_upload_leaves_nothing(self, tmp_path):
        """An upload that fails midway leaves no backup-looking file."""

        broken = FailingSource(reads=3, data=b"x" * 10, error="disk on fire")
        with pytest.raises(OSError):
            backup.create_backup(broken, tmp_path, [X.recipient])
        assert list(tmp_path.iterdir()) == []
        assert backup.list_backups(tmp_path) == []

    def test_verify_reports(self, tmp_path):
        """verify returns ok reports and explains damage instead of raising."""
        self.make(tmp_path, 2)
        infos = backup.list_backups(tmp_path)
        report = backup.verify(infos[0].path, [X], now=NOW + timedelta(days=3))
        assert (
            report.ok and report.size == 6 and report.age == timedelta(days=2)
        )
        assert report.duration >= 0 and report.reason is None
        Path(infos[1].path).write_bytes(Path(infos[1].path).read_bytes()[:-1])
        bad = backup.verify(infos[1].path, [X])
        assert not bad.ok and bad.reason == "backup failed authentication"
        assert not backup.verify(infos[0].path, [P]).ok
        assert not backup.verify(tmp_path / "missing.dpbk", [X]).ok

    def test_rehearse_newest(self, tmp_path):
        """rehearse checks the newest N backups in one call."""
        self.make(tmp_path, 4)
        reports = backup.rehearse(tmp_path, [X], newest=3)
        assert len(reports) == 3 and all(r.ok for r in reports)
        with pytest.raises(BackupStorageError):
            backup.rehearse(tmp_path / "missing", [X])

    def test_rehearse_nothing_is_no_pass(self, tmp_path):
        """A destination (or series) without backups gives one report that
        is not ok, so all(r.ok for r in reports) cannot pass (issue 15)."""
        (tmp_path / "sub").mkdir()
        [report] = backup.rehearse(tmp_path / "sub", [X])
        assert not report.ok
        assert report.reason == "no backup found at the destination"
        assert report.source == str(tmp_path / "sub")
        assert report.size == 0
        self.make(tmp_path, 1)
        [report] = backup.rehearse(tmp_path, [X], name="typo")
        assert not report.ok

    def test_prune(self, tmp_path):
        """prune deletes exactly what the plan removes; dry run deletes nothing."""
        self.make(tmp_path, 5)
        policy = backup.RetentionPolicy(keep_last=2)
        dry = backup.prune(tmp_path, policy, dry_run=True)
        assert len(dry.keep) == 2 and len(dry.remove) == 3
        assert len(backup.list_backups(tmp_path)) == 5
        done = backup.prune(tmp_path, policy)
        assert [i.path for i in backup.list_backups(tmp_path)] == [
            i.path for i in done.keep
        ]
        assert all(done.reasons[i.path] for i in done.keep)

    def test_prune_never_removes_the_newest(self, tmp_path):
        """A policy whose plan drops the newest backup is refused; nothing is deleted."""

        class Reversed(backup.RetentionPolicy):
            def select(self, items, *, key=None, now=None):
                plan = super().select(items, key=key, now=now)
                return backup.RetentionPlan(
                    plan.remove, plan.keep, ((),) * len(plan.remove)
                )

        self.make(tmp_path, 3)
        with pytest.raises(BackupError, match="newest"):
            backup.prune(tmp_path, Reversed(keep_last=1))
        assert len(backup.list_backups(tmp_path)) == 3

    def test_prune_listing_failure_deletes_nothing(self, tmp_path):
        """A failing listing raises BackupStorageError before any deletion."""
        with pytest.raises(BackupStorageError):
            backup.prune(
                tmp_path / "nope", backup.RetentionPolicy(keep_last=1)
            )

    def test_bad_name(self, tmp_path):
        """Series names are restricted to safe characters."""
        with pytest.raises(ConfigurationError):
            backup.create_backup(
                io.BytesIO(b""), tmp_path, [X.recipient], name="../x"
            )

    def test_redaction(self):
        """Passwords in URLs never reach messages."""
        from dataprotect.backup._store import redact_url

        assert (
            redact_url("sftp://bob:hunter2@host:22/x")
            == "sftp://bob:[secure]@host:22/x"
        )
        assert redact_url("/plain/path") == "/plain/path"
        assert (
            redact_url("sftp://bob:hunter2@host/x")
            == "sftp://bob:[secure]@host/x"
        )
        assert (
            redact_url("sftp://:hunter2@host/x") == "sftp://:[secure]@host/x"
        )
        assert redact_url("sftp://bob:hunter2@[::1") == "[unparsable uri]"

    @given(
        password=raw_uri_passwords,
        query=st.sampled_from(["", "?db=0", "?pwd=Zq9", "#Zq9"]),
    )
    def test_unencoded_password_never_shown(self, password, query):
        """A destination password with raw '/', '?', '#' or '@' is still masked."""
        from dataprotect.backup._store import redact_url

        assert "Zq9" not in redact_url(
            f"sftp://bob:{password}@host:22/x{query}"
        )

    def test_verify_progress_and_hand_made_info(self, tmp_path):
        """verify reports progress and opens a BackupInfo built by hand by its path."""
        self.make(tmp_path, 1)
        (found,) = backup.list_backups(tmp_path)
        info = backup.BackupInfo(
            found.name, found.created_at, found.path, str(tmp_path)
        )
        seen: list[int] = []
        report = backup.verify(info, [X], progress=seen.append)
        assert report.ok and report.size == sum(seen) == len(b"dump 0")
        assert report.source == f"{tmp_path}/{Path(found.path).name}"

    def test_rehearse_needs_a_positive_count(self, tmp_path):
        """rehearse(newest=0) is a ConfigurationError."""
        with pytest.raises(ConfigurationError, match="at least 1"):
            backup.rehearse(tmp_path, [X], newest=0)

    def test_prune_empty_destination(self, tmp_path):
        """Pruning a destination without backups removes nothing."""
        (tmp_path / "notes.txt").write_text("keep me")
        result = backup.prune(tmp_path, backup.RetentionPolicy(keep_last=1))
        assert (result.keep, result.remove, result.reasons) == ([], [], {})
        assert (tmp_path / "notes.txt").exists()

    def test_missing_fsspec(self, monkeypatch, tmp_path):
        """A remote URL without fsspec names the extra; local paths need none."""
        import sys

        from dataprotect.errors import MissingDependencyError

        monkeypatch.setitem(sys.modules, "fsspec", None)
        with pytest.raises(
            MissingDependencyError, match=r"dataprotect\[backup\]"
        ):
            backup.list_backups("sftp://bob:hunter2@127.0.0.1/x")
        assert backup.list_backups(tmp_path) == []

    def test_missing_backend(self, monkeypatch):
        """A URL whose fsspec backend is not installed names the sftp extra, not the password."""
        import sys

        from dataprotect.errors import MissingDependencyError

        monkeypatch.setitem(sys.modules, "s3fs", None)
        with pytest.raises(MissingDependencyError) as info:
            backup.list_backups("s3://bob:hunter2@bucket/x")
        assert "fsspec backend is not installed" in str(info.value)
        assert "hunter2" not in str(info.value)

    def test_bad_storage_option(self):
        """A storage option the backend rejects is a ConfigurationError naming it, not its value."""
        with pytest.raises(ConfigurationError, match="no_such_option") as info:
            backup.list_backups(
                f"sftp://127.0.0.1:{free_port()}/x",
                storage_options={"no_such_option": "s3cr3t-value"},
            )
        assert "s3cr3t-value" not in str(info.value)


@pytest.fixture(name="memory_url")
def _memory_url() -> Iterator[str]:
    """A fresh directory on fsspec's in-process memory file system."""
    import uuid

    import fsspec

    root = f"/bc-{uuid.uuid4().hex}"
    yield f"memory://{root}/dest"
    fs = fsspec.filesystem("memory")
    if fs.exists(root):
        fs.rm(root, recursive=True)


class TestStorageFsspec:
    def test_memory_backend_cycle(self, memory_url):
        """An fsspec backend without paramiko's tuning creates, lists, verifies, restores, prunes."""
        for day in range(3):
            info = backup.create_backup(
                io.BytesIO(b"dump %d" % day),
                memory_url,
                [X.recipient],
                name="db",
                now=NOW + timedelta(days=day),
            )
            assert info.size == len(seal(b"dump %d" % day))
        infos = backup.list_backups(memory_url, name="db")
        assert [i.created_at for i in infos] == [
            NOW + timedelta(days=d) for d in (2, 1, 0)
        ]
        assert all(r.ok for r in backup.rehearse(memory_url, [X], newest=3))
        out = io.BytesIO()
        backup.restore(f"memory://{infos[1].path}", out, [X])
        assert out.getvalue() == b"dump 1"
        done = backup.prune(memory_url, backup.RetentionPolicy(keep_last=1))
        assert [i.path for i in done.remove] == [i.path for i in infos[1:]]
        assert backup.list_backups(memory_url) == infos[:1]

    def test_backend_bug_is_not_disguised(self, memory_url):
        """Only storage errors become BackupStorageError; a backend's own bug propagates."""
        import fsspec

        from fsspec.implementations.memory import MemoryFileSystem

        class Buggy(MemoryFileSystem):
            protocol = "bcbuggy"

            def ls(self, path, detail=True, **kwargs):
                raise RuntimeError("backend bug")

        fsspec.register_implementation("bcbuggy", Buggy, clobber=True)
        with pytest.raises(RuntimeError, match="backend bug"):
            backup.list_backups(memory_url.replace("memory", "bcbuggy"))
        with pytest.raises(BackupStorageError):
            backup.list_backups(memory_url)

    @pytest.mark.parametrize("error", [RuntimeError, TypeError])
    def test_backend_bug_on_open_is_not_disguised(self, error):
        """A backend constructor's own bug propagates unchanged when no options were given."""
        import fsspec

        from fsspec.implementations.memory import MemoryFileSystem

        class BuggyInit(MemoryFileSystem):
            protocol = "bcbuggyinit"
            cachable = False

            def __init__(self, *args, **kwargs):
                raise error("constructor bug")

        fsspec.register_implementation("bcbuggyinit", BuggyInit, clobber=True)
        with pytest.raises(error, match="constructor bug"):
            backup.list_backups("bcbuggyinit://x")


# -- a real sshd on loopback -------------------------------------------------


def _wait_for_ssh(port: int, proc: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                proc.stderr.read().decode() if proc.stderr else "sshd exited"
            )
        try:
            with socket.create_connection(
                ("127.0.0.1", port), timeout=1
            ) as sock:
                if sock.recv(4).startswith(b"SSH-"):
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("sshd did not start")


@pytest.fixture(name="sshd", scope="module")
def _sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """A real OpenSSH server on a loopback port with one authorized key."""
    sshd = require_binary("sshd", "/usr/sbin/sshd")
    keygen = require_binary("ssh-keygen")
    pytest.importorskip("paramiko")
    if os.geteuid() != 0:
        pytest.skip("sshd needs root to switch users")
    root = tmp_path_factory.mktemp("sshd")
    for name in ("host", "client"):
        subprocess.run(
            [keygen, "-q", "-t", "ed25519", "-N", "", "-f", str(root / name)],
            check=True,
            capture_output=True,
        )
    (root / "authorized_keys").write_text((root / "client.pub").read_text())
    port = free_port()
    config = root / "sshd_config"
    config.write_text(
        f"ListenAddress 127.0.0.1\nHostKey {root / 'host'}\n"
        f"PidFile {root / 'sshd.pid'}\nAuthorizedKeysFile {root / 'authorized_keys'}\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\n"
        "PubkeyAuthentication yes\nPermitRootLogin prohibit-password\n"
        "StrictModes no\nUsePAM no\nSubsystem sftp internal-sftp\nLogLevel ERROR\n"
    )
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    proc = subprocess.Popen(
        [sshd, "-D", "-e", "-f", str(config), "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for_ssh(port, proc, time.monotonic() + 20)
        store = root / "store"
        store.mkdir()
        yield {
            "url": f"sftp://{getpass.getuser()}@127.0.0.1:{port}{store}",
            "dir": store,
            "options": {
                "key_filename": str(root / "client"),
                "look_for_keys": False,
                "allow_agent": False,
            },
            "key": str(root / "client"),
        }
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stderr is not None:
            proc.stderr.close()


@pytest.mark.services
class TestSFTP:
    def test_create_list_verify_restore_prune(self, sshd):
        """The full cycle works against a real sshd over sftp."""
        opts = sshd["options"]
        for day in range(3):
            backup.create_backup(
                io.BytesIO(os.urandom(200_000)),
                sshd["url"],
                [X.recipient, M.recipient],
                name="pg",
                now=NOW + timedelta(days=day),
                storage_options=opts,
            )
        infos = backup.list_backups(sshd["url"], storage_options=opts)
        assert len(infos) == 3 and infos[0].created_at == NOW + timedelta(
            days=2
        )
        assert all(i.size and i.size > 200_000 for i in infos)
        assert "sftp://" in infos[0].url
        reports = backup.rehearse(
            sshd["url"], [M], newest=2, storage_options=opts
        )
        assert [r.ok for r in reports] == [True, True]
        one = sshd["url"] + "/" + infos[0].path.rsplit("/", 1)[-1]
        assert backup.verify(one, [X], storage_options=opts).ok
        out = io.BytesIO()
        backup.restore(one, out, [X], storage_options=opts)
        assert len(out.getvalue()) == 200_000
        result = backup.prune(
            sshd["url"],
            backup.RetentionPolicy(keep_last=1),
            storage_options=opts,
        )
        assert len(result.remove) == 2
        assert len(backup.list_backups(sshd["url"], storage_options=opts)) == 1

    def test_interrupted_upload_is_invisible(self, sshd):
        """A failed upload leaves no finished-looking file on the server."""
        opts = sshd["options"]
        before = sorted(p.name for p in sshd["dir"].iterdir())

        broken = FailingSource(reads=5, data=b"y" * 1000, error="source died")
        with pytest.raises(OSError):
            backup.create_backup(
                broken,
                sshd["url"],
                [X.recipient],
                name="pg",
                storage_options=opts,
            )
        assert sorted(p.name for p in sshd["dir"].iterdir()) == before

    def test_failing_dump_leaves_no_partial_object(self, sshd):
        """A dump command failing half way leaves nothing on the server,
        not even the temporary upload."""
        before = sorted(p.name for p in sshd["dir"].iterdir())
        script = "import sys; sys.stdout.buffer.write(b'z' * 3_000_000); sys.stdout.flush(); sys.exit(5)"
        with (
            backup.DumpSource.command([sys.executable, "-c", script]) as src,
            pytest.raises(BackupSourceError, match="status 5"),
        ):
            backup.create_backup(
                src,
                sshd["url"],
                [X.recipient],
                name="pg",
                storage_options=sshd["options"],
            )
        assert sorted(p.name for p in sshd["dir"].iterdir()) == before

    def test_unreachable_listing_fails_cleanly(self, sshd):
        """A listing against a closed port raises BackupStorageError, deletes nothing."""
        port = free_port()
        url = f"sftp://{getpass.getuser()}:sekrit@127.0.0.1:{port}/tmp"
        with pytest.raises(BackupStorageError) as info:
            backup.prune(
                url,
                backup.RetentionPolicy(keep_last=1),
                storage_options={"timeout": 2, **sshd["options"]},
            )
        assert "sekrit" not in str(info.value)

    def test_wrong_ssh_key_is_storage_error(self, sshd, tmp_path):
        """An SSH key the server does not accept gives BackupStorageError."""
        keygen = require_binary("ssh-keygen")
        subprocess.run(
            [
                keygen,
                "-q",
                "-t",
                "ed25519",
                "-N",
                "",
                "-f",
                str(tmp_path / "k"),
            ],
            check=True,
            capture_output=True,
        )
        opts = {**sshd["options"], "key_filename": str(tmp_path / "k")}
        with pytest.raises(BackupStorageError):
            backup.list_backups(sshd["url"], storage_options=opts)

    def test_cli_to_sftp_from_stdin(self, sshd, tmp_path):
        """`backup create - --to sftp://...` reads stdin and uploads."""
        opt = f"key_filename={sshd['key']}"
        result = run_cli(
            "backup create - --to",
            sshd["url"],
            "-r",
            X.recipient,
            "--name",
            "stdin",
            "-O",
            opt,
            "-O",
            "look_for_keys=false",
            input=b"pg_dump output\n" * 1000,
        )
        assert result.exit_code == 0, result.output
        ident = tmp_path / "id.txt"
        ident.write_text(X.to_text() + "\n")
        result = run_cli(
            "backup verify",
            sshd["url"],
            "--name",
            "stdin",
            "-i",
            ident,
            "-O",
            opt,
        )
        assert result.exit_code == 0, result.output
        assert result.output.startswith("ok")


class TestCLI:
    def test_keygen_create_list_verify_restore_prune(self, tmp_path):
        """The CLI covers the whole cycle, with exit 1 on a damaged backup."""
        ident = tmp_path / "id.key"
        result = run_cli("backup keygen --kind p256 -o", ident)
        assert result.exit_code == 0, result.output
        assert ident.stat().st_mode & 0o777 == 0o600
        recipient = next(
            line.split(": ")[1]
            for line in ident.read_text().splitlines()
            if "recipient" in line
        )
        src = tmp_path / "dump.sql"
        src.write_bytes(b"CREATE TABLE t;\n" * 5000)
        dest = tmp_path / "dest"
        for _ in range(2):
            result = run_cli(
                "backup create",
                src,
                "--to",
                dest,
                "-r",
                recipient,
                "--compress",
            )
            assert result.exit_code == 0, result.output
        result = run_cli("backup list", dest)
        assert result.exit_code == 0 and len(result.output.splitlines()) == 2
        result = run_cli("backup verify", dest, "--newest", "2", "-i", ident)
        assert result.exit_code == 0, result.output
        first = min(dest.iterdir())
        out = tmp_path / "restored.sql"
        result = run_cli("backup restore", first, "-o", out, "-i", ident)
        assert result.exit_code == 0, result.output
        assert out.read_bytes() == src.read_bytes()
        first.write_bytes(first.read_bytes()[:-5])
        result = run_cli("backup verify", first, "-i", ident)
        assert result.exit_code == 1 and "FAILED" in result.output
        result = run_cli(
            "backup restore", first, "-o", tmp_path / "x", "-i", ident
        )
        assert result.exit_code == 2 and "Traceback" not in result.output
        assert not (tmp_path / "x").exists()
        result = run_cli("backup prune", dest, "--keep-last", "1", "--dry-run")
        assert result.exit_code == 0 and "would remove" in result.output
        assert len(list(dest.iterdir())) == 2
        result = run_cli("backup prune", dest, "--keep-last", "1")
        assert result.exit_code == 0 and len(list(dest.iterdir())) == 1

    def test_passphrase_and_stdout(self, tmp_path, monkeypatch):
        """A passphrase from the environment, stdin in and stdout out."""
        monkeypatch.setenv("BK_PW", "correct horse")
        result = run_cli(
            "backup create - --to",
            tmp_path,
            "--passphrase-env",
            "BK_PW",
            "--name",
            "p",
            input=b"secret rows",
        )
        assert result.exit_code == 0, result.output
        path = next(tmp_path.iterdir())
        result = run_cli("backup restore", path, "--passphrase-env", "BK_PW")
        assert result.exit_code == 0
        assert result.stdout_bytes.startswith(b"secret rows")

    def test_keyring_recipient(self, tmp_path, monkeypatch):
        """--keyring with an env: KEK encrypts and restores."""
        value = EnvKEK.generate_value()
        monkeypatch.setenv("BK_KEK", value)
        ring = Keyring.generate()
        ring.save(tmp_path / "ring.dpkr", kek=EnvKEK("BK_KEK"))
        (tmp_path / "src").write_bytes(b"ledger")
        dest = tmp_path / "d"
        args = [
            "--keyring",
            str(tmp_path / "ring.dpkr"),
            "--kek",
            "env:BK_KEK",
        ]
        result = run_cli(
            "backup create", tmp_path / "src", "--to", dest, *args
        )
        assert result.exit_code == 0, result.output
        result = run_cli("backup verify", dest, *args)
        assert result.exit_code == 0, result.output
        path = next(dest.iterdir())
        result = run_cli("backup restore", path, "-o", tmp_path / "out", *args)
        assert result.exit_code == 0, result.output
        assert (tmp_path / "out").read_bytes() == b"ledger"

    @pytest.mark.parametrize("workers", ["0", "2"])
    def test_workers(self, tmp_path, workers):
        """--workers N seals on N threads; the backup restores the same."""
        data = os.urandom((3 << 20) + 5)  # several 1 MiB batches
        (tmp_path / "src").write_bytes(data)
        (tmp_path / "id").write_text(X.to_text())
        dest = tmp_path / "d"
        create = [tmp_path / "src", "--to", dest, "-r", X.recipient]
        result = run_cli("backup create", *create, "--workers", workers)
        assert result.exit_code == 0, result.output
        path = next(dest.iterdir())
        result = run_cli(
            "backup restore",
            path,
            "-o",
            tmp_path / "out",
            "-i",
            tmp_path / "id",
        )
        assert result.exit_code == 0, result.output
        assert (tmp_path / "out").read_bytes() == data
        bad = run_cli("backup create", *create, "--workers", "-1")
        assert bad.exit_code == 2
        assert "--workers" in bad.stderr

    def test_signed(self, tmp_path):
        """--sign-key and --signer check which machine made a backup."""
        key = ed25519.Ed25519PrivateKey.generate()
        (tmp_path / "s.pem").write_bytes(pem_private_key(key))
        (tmp_path / "p.pem").write_bytes(
            key.public_key().public_bytes(
                serialization.Encoding.PEM,
                serialization.PublicFormat.SubjectPublicKeyInfo,
            )
        )
        other = ed25519.Ed25519PrivateKey.generate().public_key()
        (tmp_path / "o.pem").write_bytes(
            other.public_bytes(
                serialization.Encoding.PEM,
                serialization.PublicFormat.SubjectPublicKeyInfo,
            )
        )
        (tmp_path / "id").write_text(X.to_text())
        (tmp_path / "src").write_bytes(b"abc")
        dest = tmp_path / "d"
        assert (
            run_cli(
                "backup create",
                tmp_path / "src",
                "--to",
                dest,
                "-r",
                X.recipient,
                "--sign-key",
                tmp_path / "s.pem",
            ).exit_code
            == 0
        )
        ok = run_cli(
            "backup verify",
            dest,
            "-i",
            tmp_path / "id",
            "--signer",
            tmp_path / "p.pem",
        )
        assert ok.exit_code == 0, ok.output
        bad = run_cli(
            "backup verify",
            dest,
            "-i",
            tmp_path / "id",
            "--signer",
            tmp_path / "o.pem",
        )
        assert bad.exit_code == 1

    def test_usage_errors(self, tmp_path):
        """Missing recipients or identities exit 2 with one line."""
        result = run_cli("backup create - --to", tmp_path, input=b"x")
        assert result.exit_code == 2
        result = run_cli(
            "backup create - --to", tmp_path, "-r", "dpbackup1bad", input=b"x"
        )
        assert result.exit_code == 2 and "Traceback" not in result.output

    def test_keygen_stdout_and_refusals(self, tmp_path):
        """keygen prints to stdout, never overwrites; bad options exit 2."""
        result = run_cli("backup keygen")
        assert result.exit_code == 0
        assert "DPBACKUP-SECRET-KEY-1" in result.stdout
        (tmp_path / "id").write_text("x")
        result = run_cli("backup keygen -o", tmp_path / "id")
        assert result.exit_code == 2
        assert (tmp_path / "id").read_text() == "x"
        result = run_cli("backup list", tmp_path, "-O", "novalue")
        assert result.exit_code == 2
        (tmp_path / "bad.pem").write_text("not a key")
        result = run_cli(
            "backup verify",
            tmp_path,
            "-i",
            tmp_path / "missing",
            "--signer",
            tmp_path / "bad.pem",
        )
        assert result.exit_code == 2 and "Traceback" not in result.output
        result = run_cli("backup list", tmp_path / "nowhere")
        assert result.exit_code == 2

    @staticmethod
    def _one_line_error(result, text: str) -> None:
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        assert result.stderr.strip().splitlines() == [f"Error: {text}"]

    @staticmethod
    def _pem(key, public: bool = False) -> bytes:
        if public:
            return key.public_bytes(
                serialization.Encoding.PEM,
                serialization.PublicFormat.SubjectPublicKeyInfo,
            )
        return pem_private_key(key)

    def test_unusable_signing_keys(self, tmp_path):
        """--sign-key: missing, garbage, encrypted, non-signing or non-P-256 keys exit 2."""
        from cryptography.hazmat.primitives.asymmetric import x25519

        edkey = ed25519.Ed25519PrivateKey.generate()
        (tmp_path / "garbage.pem").write_text("not a key")
        (tmp_path / "locked.pem").write_bytes(
            edkey.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.BestAvailableEncryption(b"pem password"),
            )
        )
        (tmp_path / "x25519.pem").write_bytes(
            self._pem(x25519.X25519PrivateKey.generate())
        )
        (tmp_path / "p384.pem").write_bytes(
            self._pem(ec.generate_private_key(ec.SECP384R1()))
        )
        cannot = "cannot load the signing key (an unencrypted PEM Ed25519 or P-256 key)"
        cases = {
            "missing.pem": cannot,
            "garbage.pem": cannot,
            "locked.pem": cannot,
            "x25519.pem": "the signing key must be Ed25519 or ECDSA P-256",
            "p384.pem": "ECDSA signing keys must be on P-256",
        }
        for name, text in cases.items():
            result = run_cli(
                "backup create - --to",
                tmp_path / "dest",
                "-r",
                X.recipient,
                "--sign-key",
                tmp_path / name,
                input=b"rows",
            )
            self._one_line_error(result, text)
            assert "pem password" not in result.output
        assert not list((tmp_path / "dest").glob("*.dpbk"))

    def test_unusable_signer_keys(self, tmp_path):
        """--signer: a missing or garbage PEM, or a non-signing key, exits 2."""
        from cryptography.hazmat.primitives.asymmetric import x25519

        (tmp_path / "id").write_text(X.to_text())
        backup.create_backup(
            io.BytesIO(b"rows"), tmp_path / "d", [X.recipient]
        )
        (tmp_path / "garbage.pem").write_text("not a key")
        (tmp_path / "x25519.pem").write_bytes(
            self._pem(x25519.X25519PrivateKey.generate().public_key(), True)
        )
        cases = {
            "missing.pem": "cannot load a signer's public key (PEM)",
            "garbage.pem": "cannot load a signer's public key (PEM)",
            "x25519.pem": "signer keys must be Ed25519 or ECDSA P-256",
        }
        for command in ("verify", "restore"):
            for name, text in cases.items():
                target = str(tmp_path / "d")
                if command == "restore":
                    target = str(next((tmp_path / "d").iterdir()))
                result = run_cli(
                    "backup",
                    command,
                    target,
                    "-i",
                    tmp_path / "id",
                    "--signer",
                    tmp_path / name,
                )
                self._one_line_error(result, text)

    def test_no_identity_given(self, tmp_path):
        """restore and verify without -i, a passphrase or a keyring exit 2."""
        backup.create_backup(io.BytesIO(b"rows"), tmp_path, [X.recipient])
        (found,) = tmp_path.iterdir()
        for args in (["restore", str(found)], ["verify", str(tmp_path)]):
            result = run_cli("backup", *args)
            self._one_line_error(
                result,
                "give an identity file (-i), a passphrase or a keyring option",
            )

    def test_verify_empty_destination(self, tmp_path):
        """verify on a destination holding no backups fails (exit 1) rather than passing."""
        (tmp_path / "id").write_text(X.to_text())
        (tmp_path / "dest").mkdir()
        result = run_cli(
            "backup verify", tmp_path / "dest", "-i", tmp_path / "id"
        )
        assert result.exit_code == 1
        assert result.output == (
            f"FAILED  {tmp_path / 'dest'}  no backup found at the destination\n"
        )

    def test_storage_option_typo_is_one_line(self):
        """A misspelt -O storage option exits 2 with one line, never a traceback."""
        result = run_cli(
            "backup list",
            f"sftp://127.0.0.1:{free_port()}/x",
            "-O",
            "key_filenme=/nonexistent",
        )
        self._one_line_error(
            result,
            "this destination's backend does not accept one of the storage "
            "options key_filenme",
        )

    def test_demo_step(self, tmp_path):
        """The demo step runs offline."""
        from dataprotect.cli._backup import demo_step

        result = run_cli("demo")
        assert result.exit_code == 0 and "Encrypted backups" in result.output
        assert callable(demo_step)

"""Keyrings, rotation, and key-encryption keys (SoftHSM2 included)."""

from __future__ import annotations

import os
import pickle
import stat

from datetime import datetime, timezone

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from dataprotect import (
    PKCS11KEK,
    EnvKEK,
    Keyring,
    PassphraseKEK,
    fips_status,
)
from dataprotect.errors import (
    ConfigurationError,
    KeyNotFoundError,
    KeyringError,
)
from dataprotect.keys import KEK


def cheap_passphrase(passphrase="correct horse"):
    """A passphrase KEK with test-sized argon2id parameters."""
    return PassphraseKEK(
        passphrase, time_cost=1, memory_cost=64, parallelism=1
    )


@pytest.fixture(name="kek")
def _kek():
    return EnvKEK("KEK", environ={"KEK": EnvKEK.generate_value()})


class TestKeyring:
    def test_generate(self):
        """A new keyring has one primary key with a 32-bit id."""
        ring = Keyring.generate()
        [info] = ring.keys()
        assert info.status == "primary"
        assert info.key_id == ring.primary_id
        assert 0 < ring.primary_id < 2**32

    def test_rotate(self):
        """rotate() adds a primary key; older keys stay active."""
        t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
        t1 = datetime(2026, 6, 1, tzinfo=timezone.utc)
        ring = Keyring.generate(now=t0)
        first = ring.primary_id
        second = ring.rotate(now=t1)
        assert ring.primary_id == second != first
        assert [(k.key_id, k.status, k.created_at) for k in ring.keys()] == [
            (second, "primary", t1),
            (first, "active", t0),
        ]

    def test_primary_cannot_be_retired_or_destroyed(self):
        """The primary key refuses retire and destroy."""
        ring = Keyring.generate()
        for action in (ring.retire, ring.destroy):
            with pytest.raises(KeyringError, match="primary"):
                action(ring.primary_id)

    def test_unknown_id(self):
        """Unknown ids raise KeyNotFoundError, also a LookupError."""
        ring = Keyring.generate()
        with pytest.raises(LookupError):
            ring.retire(12345)
        assert issubclass(KeyNotFoundError, KeyringError)

    def test_destroyed_cannot_come_back(self):
        """A destroyed key cannot be reactivated."""
        ring = Keyring.generate()
        old = ring.primary_id
        ring.rotate()
        ring.destroy(old)
        with pytest.raises(KeyringError, match="destroyed"):
            ring.reactivate(old)

    def test_repr_and_pickle(self):
        """repr shows ids only; pickling is refused."""
        ring = Keyring.generate()
        material = ring._material(ring.primary_id)
        assert material.hex() not in repr(ring)
        assert (
            repr(ring) == f"<Keyring primary={ring.primary_id:#010x} keys=1>"
        )
        with pytest.raises(TypeError):
            pickle.dumps(ring)


class TestStorage:
    def test_round_trip(self, kek, tmp_path):
        """save/load keep every key, status and the primary; mode is 0600."""
        ring = Keyring.generate()
        old = ring.primary_id
        ring.rotate()
        gone = ring.rotate()
        ring.rotate()
        ring.retire(old)
        ring.destroy(gone)
        path = tmp_path / "ring.dpkr"
        ring.save(path, kek=kek)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        loaded = Keyring.load(path, kek=kek)
        assert loaded.keys() == ring.keys()
        assert loaded._material(loaded.primary_id) == ring._material(
            ring.primary_id
        )
        assert os.listdir(tmp_path) == ["ring.dpkr"]

    def test_passphrase(self):
        """A passphrase KEK opens what it saved; another passphrase fails."""
        ring = Keyring.generate()
        blob = ring.to_bytes(kek=cheap_passphrase())
        assert (
            Keyring.from_bytes(blob, kek=cheap_passphrase()).keys()
            == ring.keys()
        )
        with pytest.raises(KeyringError, match="cannot unlock"):
            Keyring.from_bytes(blob, kek=cheap_passphrase("wrong"))

    def test_default_passphrase_parameters(self):
        """The default profile is RFC 9106's second option (64 MiB, t=3, p=4)."""
        blob = Keyring.generate().to_bytes(kek=PassphraseKEK("pw"))
        assert b"A\x00\x00\x00\x03\x00\x01\x00\x00\x04" in blob

    def test_wrong_env_key(self, kek):
        """Another environment key fails with one fixed message."""
        blob = Keyring.generate().to_bytes(kek=kek)
        other = EnvKEK("KEK", environ={"KEK": EnvKEK.generate_value()})
        with pytest.raises(KeyringError, match="^cannot unlock keyring"):
            Keyring.from_bytes(blob, kek=other)

    def test_kind_mismatch(self, kek):
        """A keyring saved under one KEK kind names that mismatch."""
        blob = Keyring.generate().to_bytes(kek=kek)
        with pytest.raises(KeyringError, match="another kind of KEK"):
            Keyring.from_bytes(blob, kek=cheap_passphrase())

    @pytest.mark.parametrize(
        "junk",
        [b"", b"DPKR", b"DPKR\x02", b"%PDF-1.7\n" * 10, os.urandom(200)],
    )
    def test_foreign_files(self, kek, junk):
        """Foreign or empty data is not a keyring."""
        with pytest.raises(KeyringError):
            Keyring.from_bytes(junk, kek=kek)

    @given(st.data())
    @settings(max_examples=100)
    def test_any_byte_change_rejected(self, data):
        """Changing any byte of a keyring file gives KeyringError."""
        kek = EnvKEK("K", environ={"K": "A" * 43 + "="})
        blob = bytearray(Keyring.generate().to_bytes(kek=kek))
        i = data.draw(st.integers(0, 2**16)) % len(blob)
        blob[i] ^= data.draw(st.integers(1, 255))
        with pytest.raises(KeyringError):
            Keyring.from_bytes(bytes(blob), kek=kek)

    def test_missing_file(self, kek, tmp_path):
        """A missing file is a KeyringError with the OS reason."""
        with pytest.raises(KeyringError, match="No such file"):
            Keyring.load(tmp_path / "nope", kek=kek)

    def test_env_kek_errors(self):
        """A missing or malformed variable gives a clear error."""
        with pytest.raises(KeyringError, match="VAR is not set"):
            EnvKEK("VAR", environ={}).wrap(bytes(32), b"")
        with pytest.raises(ConfigurationError, match="32 bytes"):
            EnvKEK("VAR", environ={"VAR": "c2hvcnQ="}).wrap(bytes(32), b"")

    def test_secrets_not_shown(self):
        """KEK reprs show no passphrase; pickling KEKs is refused."""
        kek = PassphraseKEK("hunter2-passphrase")
        assert "hunter2" not in repr(kek)
        with pytest.raises(TypeError):
            pickle.dumps(kek)
        assert repr(EnvKEK("APP_KEK")) == "<EnvKEK APP_KEK>"

    def test_empty_passphrase(self):
        """An empty passphrase is refused."""
        with pytest.raises(ConfigurationError):
            PassphraseKEK("")

    def test_custom_kek_protocol(self):
        """Any object with kind/wrap/unwrap serves as a KEK (e.g. a KMS)."""

        class ReversingKMS:
            kind = "test-kms"

            def wrap(self, data_key: bytes, associated_data: bytes) -> bytes:
                return associated_data[:4] + data_key[::-1]

            def unwrap(self, wrapped: bytes, associated_data: bytes) -> bytes:
                return wrapped[4:][::-1]

        kms = ReversingKMS()
        assert isinstance(kms, KEK)
        ring = Keyring.generate()
        assert (
            Keyring.from_bytes(ring.to_bytes(kek=kms), kek=kms).keys()
            == ring.keys()
        )

    def test_hostile_parameters_refused(self):
        """A file demanding absurd argon2 parameters is refused, not run."""
        kek = cheap_passphrase()
        blob = bytearray(Keyring.generate().to_bytes(kek=kek))
        i = blob.index(b"A\x00\x00\x00\x01")
        blob[i + 5 : i + 9] = (2**31).to_bytes(4, "big")
        with pytest.raises(KeyringError):
            Keyring.from_bytes(bytes(blob), kek=kek)


@pytest.mark.services
class TestPKCS11:
    def test_round_trip_on_softhsm(self, softhsm):
        """A keyring wrapped by an AES key inside SoftHSM2 round-trips."""
        softhsm.create_aes_key("kek-roundtrip")
        kek = PKCS11KEK(softhsm.uri("kek-roundtrip"), pin=softhsm.pin)
        ring = Keyring.generate()
        blob = ring.to_bytes(kek=kek)
        assert Keyring.from_bytes(blob, kek=kek).keys() == ring.keys()
        assert softhsm.pin not in repr(kek)

    def test_uri_forms(self, softhsm, tmp_path):
        """pin-value and pin-source URIs work; keyword parts override."""
        softhsm.create_aes_key("kek-uri")
        pin_file = tmp_path / "pin"
        pin_file.write_text(softhsm.pin + "\n")
        base = softhsm.uri("kek-uri")
        a = PKCS11KEK(base + f"&pin-value={softhsm.pin}")
        b = PKCS11KEK(base + f"&pin-source=file:{pin_file}")
        c = PKCS11KEK(
            module=softhsm.module,
            token_label=softhsm.token_label,
            key_label="kek-uri",
            pin=softhsm.pin,
        )
        blob = Keyring.generate().to_bytes(kek=a)
        for kek in (b, c):
            Keyring.from_bytes(blob, kek=kek)

    def test_wrong_pin_key_or_token(self, softhsm):
        """A wrong PIN, key or token gives a clear KeyringError."""
        softhsm.create_aes_key("kek-a")
        softhsm.create_aes_key("kek-b")
        blob = Keyring.generate().to_bytes(
            kek=PKCS11KEK(softhsm.uri("kek-a"), pin=softhsm.pin)
        )
        with pytest.raises(KeyringError, match="wrong PIN"):
            Keyring.from_bytes(
                blob, kek=PKCS11KEK(softhsm.uri("kek-a"), pin="0000")
            )
        with pytest.raises(KeyringError, match="wrong HSM key"):
            Keyring.from_bytes(
                blob, kek=PKCS11KEK(softhsm.uri("kek-b"), pin=softhsm.pin)
            )
        with pytest.raises(KeyringError, match="not found"):
            Keyring.from_bytes(
                blob, kek=PKCS11KEK(softhsm.uri("missing"), pin=softhsm.pin)
            )

    @pytest.mark.parametrize(
        "uri",
        ["pkcs11:", "http://x", "pkcs11:token=a;object", "pkcs11:token=a"],
    )
    def test_bad_uris(self, uri):
        """Malformed or incomplete URIs are ConfigurationErrors."""
        with pytest.raises(ConfigurationError):
            PKCS11KEK(uri)


class TestFIPS:
    def test_status(self):
        """fips_status reports OpenSSL's version and FIPS mode."""
        status = fips_status()
        assert "OpenSSL" in status.openssl_version
        assert isinstance(status.fips_enabled, bool)


class TestNoLeaks:
    @settings(max_examples=25, deadline=None)
    @given(
        right=st.text(min_size=4, max_size=24).map(lambda t: "Zq9" + t),
        wrong=st.text(min_size=4, max_size=24).map(lambda t: "Wx8" + t),
    )
    def test_passphrases_never_shown(self, right, wrong):
        """Neither passphrase reaches a repr, a message or a traceback."""
        import traceback

        data = Keyring.generate().to_bytes(kek=cheap_passphrase(right))
        kek = cheap_passphrase(wrong)
        assert right not in repr(kek)
        assert wrong not in repr(kek)
        with pytest.raises(KeyringError) as info:
            Keyring.from_bytes(data, kek=kek)
        text = "".join(traceback.format_exception(info.value))
        assert right not in text
        assert wrong not in text
        assert (
            info.value.__context__ is None or info.value.__suppress_context__
        )

    @given(
        pin=st.text(
            st.characters(codec="ascii", exclude_characters=";&?="),
            min_size=4,
            max_size=16,
        ).map(lambda t: "Zq9" + t)
    )
    def test_pkcs11_pin_never_shown(self, pin):
        """A pin-value in a URI reaches neither repr nor an error message."""
        import traceback

        from urllib.parse import quote

        base = f"pkcs11:token=t;object=o?pin-value={quote(pin, safe='')}"
        kek = PKCS11KEK(base + "&module-path=/nonexistent.so")
        assert pin not in repr(kek)
        with pytest.raises(ConfigurationError) as info:
            PKCS11KEK(base)  # no module path
        text = "".join(traceback.format_exception(info.value))
        assert pin not in text
        assert quote(pin, safe="") not in text

    @given(value=st.text(min_size=8, max_size=40).map(lambda t: "Zq9" + t))
    def test_env_kek_refuses_pickling(self, value):
        """An EnvKEK holds the environment mapping, so it is never pickled."""
        import copy

        kek = EnvKEK("APP_KEK", environ={"APP_KEK": value})
        with pytest.raises(
            TypeError, match="EnvKEK objects cannot be pickled"
        ):
            pickle.dumps(kek)
        with pytest.raises(TypeError):
            copy.deepcopy(kek)
        assert value not in repr(kek)

    @pytest.mark.parametrize(
        "make",
        [
            PassphraseKEK,
            lambda text: PKCS11KEK(
                "pkcs11:token=t;object=o?module-path=/x.so", pin=text
            ),
        ],
        ids=["passphrase", "pin"],
    )
    def test_lone_surrogate_not_carried(self, make):
        """A secret with a lone surrogate is refused without holding it."""
        import traceback

        secret = "Zq" + "9-secret\udc80"  # not a literal in the traceback

        with pytest.raises(ConfigurationError, match="lone surrogate") as info:
            make(secret)
        assert "Zq9" not in repr(info.value)
        assert "Zq9" not in repr(info.value.args)
        assert "Zq9" not in "".join(traceback.format_exception(info.value))

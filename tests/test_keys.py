"""Keyrings, rotation, and key-encryption keys (SoftHSM2 included)."""

from __future__ import annotations

import base64
import json
import os
import pickle
import stat
import struct
import sys

from datetime import datetime, timezone

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from dataprotect import (
    PKCS11KEK,
    EnvKEK,
    Keyring,
    PassphraseKEK,
    _kdf,
    fips_status,
    keys,
)
from dataprotect.encryption import XAES256GCM
from dataprotect.errors import (
    BackendError,
    ConfigurationError,
    KeyNotFoundError,
    KeyringError,
    MissingDependencyError,
)
from dataprotect.keys import KEK
from helpers import address_space_capped


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


class TestKeySeam:
    """keys.subkey/cipher/generation: the one way other modules reach keys."""

    def test_subkey_is_hkdf_of_the_key(self):
        """A subkey is HKDF under the purpose's label, as _kdf derives it."""
        ring = Keyring.generate()
        key_id = ring.primary_id
        material = ring._material(key_id)
        assert keys.subkey(ring, key_id, "pepper") == _kdf.derive(
            material, "pepper"
        )
        assert keys.subkey(
            ring, key_id, "blind-index", "email"
        ) == _kdf.derive(material, "blind-index", "email")

    def test_cipher_is_under_the_encryption_subkey(self):
        """cipher() keys XAES-256-GCM with the "encryption" subkey, never
        the keyring key; legacy_cipher() (format 1, reading only) with the
        keyring key itself."""
        ring = Keyring.generate()
        key_id = ring.primary_id
        material = ring._material(key_id)
        nonce = os.urandom(24)
        pairs = [
            (
                keys.cipher(ring, key_id),
                XAES256GCM(_kdf.derive(material, "encryption")),
            ),
            (keys.legacy_cipher(ring, key_id), XAES256GCM(material)),
        ]
        sealed = [ours.encrypt(nonce, b"m", b"a") for ours, _ in pairs]
        assert sealed[0] != sealed[1]
        for (ours, spec), ct in zip(pairs, sealed, strict=True):
            assert spec.decrypt(nonce, ct, b"a") == b"m"
            assert ours.decrypt(nonce, spec.encrypt(nonce, b"n", b""), b"")

    def test_subkeys_are_cached_until_the_keyring_changes(self):
        """The same object comes back until a rotation, then a new one."""
        ring = Keyring.generate()
        old = ring.primary_id
        first = keys.subkey(ring, old, "token-digest")
        assert keys.subkey(ring, old, "token-digest") is first
        assert keys.cipher(ring, old) is keys.cipher(ring, old)
        legacy = keys.legacy_cipher(ring, old)
        assert keys.legacy_cipher(ring, old) is legacy
        assert legacy is not keys.cipher(ring, old)
        generation = keys.generation(ring)
        ring.rotate()
        assert keys.generation(ring) != generation
        again = keys.subkey(ring, old, "token-digest")
        assert again == first
        assert again is not first
        assert keys.legacy_cipher(ring, old) is not legacy

    @pytest.mark.parametrize("action", ["retire", "destroy"])
    def test_cached_subkeys_of_a_retired_key_are_never_served(self, action):
        """Retiring or destroying a key drops what was derived from it."""
        ring = Keyring.generate()
        old = ring.primary_id
        keys.subkey(ring, old, "pepper")
        keys.cipher(ring, old)
        keys.legacy_cipher(ring, old)
        ring.rotate()
        getattr(ring, action)(old)
        with pytest.raises(KeyNotFoundError):
            keys.subkey(ring, old, "pepper")
        with pytest.raises(KeyNotFoundError):
            keys.cipher(ring, old)
        with pytest.raises(KeyNotFoundError):
            keys.legacy_cipher(ring, old)

    def test_a_change_during_derivation_is_not_cached(self, monkeypatch):
        """A subkey or cipher derived while the keyring changed (another
        thread rotated or retired) is returned but never cached."""
        ring = Keyring.generate()
        key_id = ring.primary_id
        real = _kdf.derive

        def derive_while_rotating(*args, **kwargs):
            ring.rotate()
            return real(*args, **kwargs)

        monkeypatch.setattr(_kdf, "derive", derive_while_rotating)
        keys.subkey(ring, key_id, "pepper")
        keys.cipher(ring, key_id)
        assert ring._subkeys == {}
        assert ring._ciphers == {}

    def test_the_cache_is_bounded(self):
        """Many parameters (epochs, index names) never grow it unbounded."""
        ring = Keyring.generate()
        key_id = ring.primary_id
        for day in range(1000):
            keys.subkey(ring, key_id, "pseudonym", str(day))
        assert len(ring._subkeys) <= keys._SUBKEY_CACHE

    def test_no_other_module_reads_key_material(self):
        """Only keys.py touches a keyring's material or generation."""
        from pathlib import Path

        import dataprotect

        root = Path(dataprotect.__file__).parent
        offenders = [
            str(path.relative_to(root))
            for path in root.rglob("*.py")
            if path.name != "keys.py" or path.parent != root
            if "._material(" in path.read_text(encoding="utf-8")
            or "._generation" in path.read_text(encoding="utf-8")
        ]
        assert offenders == []


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


class PlainKMS:
    """A KEK that returns the data key as is (to build files by hand)."""

    kind = "plain"

    def wrap(self, data_key: bytes, associated_data: bytes) -> bytes:
        return data_key

    def unwrap(self, wrapped: bytes, associated_data: bytes) -> bytes:
        return wrapped


def keyring_file(payload: bytes) -> bytes:
    """A well-encrypted keyring file (docs/formats) around *payload*."""
    data_key = os.urandom(32)
    head = b"DPKR\x01\x05plain" + struct.pack(">H", 32) + data_key
    nonce = os.urandom(24)
    return head + nonce + XAES256GCM(data_key).encrypt(nonce, payload, head)


def key_entry(key_id=7, status="active", material=None, created=None):
    """One key of a keyring payload, as :meth:`Keyring._payload` writes it."""
    return {
        "id": key_id,
        "status": status,
        "created": created or "2026-01-01T00:00:00+00:00",
        "material": base64.b64encode(os.urandom(32)).decode()
        if material is None
        else material,
    }


class TestHostileFiles:
    @pytest.mark.parametrize(
        "doc",
        [
            {"primary": 7, "keys": [key_entry(status="compromised")]},
            {
                "primary": 7,
                "keys": [key_entry(material=base64.b64encode(b"x").decode())],
            },
            {"primary": 7, "keys": [key_entry(material="not base64!")]},
            {"primary": 7, "keys": [{**key_entry(), "material": None}]},
            {"primary": 7, "keys": [key_entry(created="yesterday")]},
            {"primary": 8, "keys": [key_entry()]},
            {"primary": "seven", "keys": [key_entry()]},
            {"keys": [key_entry()]},
            {"primary": 7, "keys": 5},
            [],
        ],
    )
    def test_malformed_payload(self, doc):
        """An authentic file whose payload is not a keyring is refused."""
        blob = keyring_file(json.dumps(doc).encode())
        with pytest.raises(KeyringError, match="^not a dataprotect keyring$"):
            Keyring.from_bytes(blob, kek=PlainKMS())

    def test_payload_not_json(self):
        """An authentic file whose payload is not JSON is not a keyring."""
        blob = keyring_file(b"\xff not json")
        with pytest.raises(KeyringError, match="^not a dataprotect keyring$"):
            Keyring.from_bytes(blob, kek=PlainKMS())

    @pytest.mark.parametrize("status", ["retired", "destroyed"])
    def test_primary_must_be_active(self, status):
        """A payload whose primary key is retired or destroyed is refused."""
        entry = key_entry(status=status)
        if status == "destroyed":
            entry["material"] = None
        blob = keyring_file(
            json.dumps({"primary": 7, "keys": [entry]}).encode()
        )
        with pytest.raises(KeyringError, match="^not a dataprotect keyring$"):
            Keyring.from_bytes(blob, kek=PlainKMS())

    def test_well_formed_payload_loads(self):
        """The hand-built file format loads (the cases above differ in one point)."""
        doc = {
            "primary": 7,
            "keys": [
                key_entry(),
                {**key_entry(9, "destroyed"), "material": None},
            ],
        }
        ring = Keyring.from_bytes(
            keyring_file(json.dumps(doc).encode()), kek=PlainKMS()
        )
        assert [(k.key_id, k.status) for k in ring.keys()] == [
            (7, "primary"),
            (9, "destroyed"),
        ]

    def test_truncated_after_kind(self):
        """A file that ends before the wrapped-key length is not a keyring."""
        for blob in (b"DPKR\x01\x05plain", b"DPKR\x01\x05plain\x00"):
            with pytest.raises(
                KeyringError, match="^not a dataprotect keyring$"
            ):
                Keyring.from_bytes(blob, kek=PlainKMS())


class TestPassphraseBlobs:
    AD = b"associated"

    def test_bytes_passphrase(self):
        """A bytes passphrase works like its UTF-8 str."""
        by_bytes = PassphraseKEK(
            "pässword".encode(), time_cost=1, memory_cost=64, parallelism=1
        )
        wrapped = by_bytes.wrap(bytes(32), self.AD)
        assert cheap_passphrase("pässword").unwrap(wrapped, self.AD) == bytes(
            32
        )

    def test_pbkdf2_round_trip(self):
        """kdf='pbkdf2-sha256' writes a 'P' blob that unwraps."""
        kek = PassphraseKEK("pw", kdf="pbkdf2-sha256", iterations=1000)
        wrapped = kek.wrap(b"k" * 32, self.AD)
        assert wrapped[:5] == b"P" + struct.pack(">I", 1000)
        assert kek.unwrap(wrapped, self.AD) == b"k" * 32

    @pytest.mark.parametrize("iterations", [0, 100_000_001, 2**32 - 1])
    def test_pbkdf2_iterations_out_of_bounds(self, iterations):
        """A 'P' blob asking for 0 or absurd PBKDF2 iterations is refused unrun."""
        kek = PassphraseKEK("pw", kdf="pbkdf2-sha256", iterations=1000)
        wrapped = bytearray(kek.wrap(bytes(32), self.AD))
        wrapped[1:5] = struct.pack(">I", iterations)
        with pytest.raises(KeyringError, match="^cannot unlock keyring"):
            kek.unwrap(bytes(wrapped), self.AD)

    @pytest.mark.parametrize(
        "wrapped", [b"", b"X" + bytes(60), b"A\x00\x00", b"P\x00\x00"]
    )
    def test_unknown_or_truncated_blob(self, wrapped):
        """An unknown KDF tag or a truncated header is one unlock failure."""
        with pytest.raises(
            KeyringError, match="^cannot unlock keyring"
        ) as err:
            cheap_passphrase("hunter2-pass").unwrap(wrapped, self.AD)
        assert "hunter2" not in str(err.value)

    def test_every_truncation_is_a_keyring_error(self):
        """A keyring file cut at any byte is a KeyringError (a salt cut
        short is not argon2's HashingError)."""
        kek = cheap_passphrase()
        blob = Keyring.generate().to_bytes(kek=kek)
        for cut in range(len(blob)):
            with pytest.raises(KeyringError):
                Keyring.from_bytes(blob[:cut], kek=kek)

    def test_bad_kdf_name(self):
        """An unknown kdf name is a ConfigurationError."""
        with pytest.raises(ConfigurationError, match="kdf must be"):
            PassphraseKEK("pw", kdf="md5")  # type: ignore[arg-type]

    def test_env_value_not_base64(self):
        """A variable that is not base64 gets the same fixed error as a short one."""
        kek = EnvKEK("VAR", environ={"VAR": "Zq9!secret-not-base64"})
        with pytest.raises(ConfigurationError, match="32 bytes") as err:
            kek.wrap(bytes(32), b"")
        assert "Zq9" not in str(err.value)


def _with_costs(wrapped: bytes, t: int, m: int, p: int) -> bytes:
    """An argon2id blob with other costs in its header (as a hostile file)."""
    return b"A" + struct.pack(">IIB", t, m, p) + wrapped[10:]


class TestKDFBounds:
    """A keyring file cannot ask for unbounded KDF work (before unlocking)."""

    AD = b"associated"
    BOUNDS = "^cannot unlock keyring: its KDF parameters exceed the bounds"

    @pytest.mark.parametrize(
        ("t", "m", "p"),
        [(9, 64, 1), (1, 256 * 1024 + 1, 1), (1, 4 * 1024 * 1024, 4)],
        ids=["time", "memory", "4-GiB"],
    )
    def test_hostile_argon2_costs_refused(self, t, m, p):
        """argon2id time over 8 or memory over 256 MiB is refused unrun."""
        kek = cheap_passphrase()
        wrapped = _with_costs(kek.wrap(bytes(32), self.AD), t, m, p)
        with pytest.raises(KeyringError, match=self.BOUNDS):
            kek.unwrap(wrapped, self.AD)

    def test_hostile_pbkdf2_iterations_refused(self):
        """More than 2,000,000 PBKDF2 iterations are refused unrun."""
        kek = PassphraseKEK("pw", kdf="pbkdf2-sha256", iterations=1000)
        wrapped = bytearray(kek.wrap(bytes(32), self.AD))
        wrapped[1:5] = struct.pack(">I", 2_000_001)
        with pytest.raises(KeyringError, match=self.BOUNDS):
            kek.unwrap(bytes(wrapped), self.AD)

    def test_own_parameters_raise_the_bounds(self):
        """A KEK made with costs above the bounds opens what it wrote; a
        KEK with the defaults refuses it."""
        high = PassphraseKEK("pw", time_cost=9, memory_cost=8, parallelism=1)
        wrapped = high.wrap(b"k" * 32, self.AD)
        assert high.unwrap(wrapped, self.AD) == b"k" * 32
        with pytest.raises(KeyringError, match=self.BOUNDS):
            PassphraseKEK("pw").unwrap(wrapped, self.AD)

    def test_own_iterations_raise_the_bound(self):
        """A PBKDF2 KEK made with more iterations accepts up to its own."""
        low = PassphraseKEK("pw", kdf="pbkdf2-sha256", iterations=1000)
        wrapped = bytearray(low.wrap(bytes(32), self.AD))
        wrapped[1:5] = struct.pack(">I", 2_000_001)
        high = PassphraseKEK("pw", kdf="pbkdf2-sha256", iterations=2_000_001)
        # Accepted and worked, so the (tampered) blob fails to authenticate.
        with pytest.raises(KeyringError, match="wrong key-encryption key"):
            high.unwrap(bytes(wrapped), self.AD)

    def test_library_defaults_open(self):
        """A keyring under the default PassphraseKEK still opens."""
        ring = Keyring.generate()
        blob = ring.to_bytes(kek=PassphraseKEK("correct horse"))
        opened = Keyring.from_bytes(blob, kek=PassphraseKEK("correct horse"))
        assert opened.keys() == ring.keys()

    def test_out_of_memory_is_a_keyring_error(self):
        """argon2 failing to allocate (a memory cap) is a KeyringError, not
        argon2's HashingError."""
        kek = cheap_passphrase()
        wrapped = _with_costs(kek.wrap(bytes(32), self.AD), 1, 256 * 1024, 1)
        with (
            address_space_capped(64 << 20),
            pytest.raises(KeyringError, match="not enough memory"),
        ):
            kek.unwrap(wrapped, self.AD)


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


class TestPKCS11WithoutToken:
    URI = "pkcs11:token=t;object=o?module-path=/nonexistent/libpkcs11.so"

    def test_missing_python_pkcs11(self, monkeypatch):
        """Without python-pkcs11 installed, wrap names the extra to install."""
        monkeypatch.setitem(sys.modules, "pkcs11", None)
        kek = PKCS11KEK(self.URI, pin="Zq9-pin")
        with pytest.raises(
            MissingDependencyError, match=r"dataprotect\[hsm\]"
        ):
            kek.wrap(bytes(32), b"")

    def test_unloadable_module_is_a_backend_error(self):
        """A module path that does not load is a BackendError, PIN not shown."""
        kek = PKCS11KEK(self.URI, pin="Zq9-pin")
        for call in (kek.wrap, lambda k, ad: kek.unwrap(bytes(60), ad)):
            with pytest.raises(BackendError) as err:
                call(bytes(32), b"")
            assert "Zq9-pin" not in str(err.value)

    def test_unloadable_module_message(self):
        """A module path that does not load says so."""
        kek = PKCS11KEK(self.URI, pin="Zq9-pin")
        with pytest.raises(
            BackendError, match="cannot load the PKCS#11 module"
        ):
            kek.wrap(bytes(32), b"")

    @pytest.mark.parametrize("size", [0, 1, 12])
    def test_short_blob(self, size):
        """A blob no longer than its nonce fails before the token is touched."""
        kek = PKCS11KEK(self.URI, pin="Zq9-pin")
        with pytest.raises(
            KeyringError, match="^cannot unlock keyring: wrong HSM"
        ):
            kek.unwrap(bytes(size), b"")


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

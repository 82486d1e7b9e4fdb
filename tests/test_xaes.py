"""XAES-256-GCM against the c2sp.org specification."""

from __future__ import annotations

import json
import pickle
import sys
import threading

from pathlib import Path

import pytest

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import given
from hypothesis import strategies as st

from dataprotect.encryption import XAES256GCM
from dataprotect.errors import DecryptionError
from strategies import contexts, keys, plaintexts


VECTORS = json.loads(
    (Path(__file__).parent / "vectors" / "xaes-256-gcm.json").read_text()
)
nonces = st.binary(min_size=24, max_size=24)


def accumulated(iterations: int) -> str:
    """The spec's accumulated randomized test over *iterations*."""
    rng = hashes.XOFHash(hashes.SHAKE128(digest_size=sys.maxsize))
    acc = hashes.XOFHash(hashes.SHAKE128(digest_size=sys.maxsize))
    for _ in range(iterations):
        key, nonce = rng.squeeze(32), rng.squeeze(24)
        plaintext = rng.squeeze(rng.squeeze(1)[0])
        aad = rng.squeeze(rng.squeeze(1)[0])
        xaes = XAES256GCM(key)
        ciphertext = xaes.encrypt(nonce, plaintext, aad)
        acc.update(ciphertext)
        assert xaes.decrypt(nonce, ciphertext, aad) == plaintext
    return acc.squeeze(32).hex()


class TestVectors:
    @pytest.mark.parametrize("vector", VECTORS["vectors"])
    def test_spec_vectors(self, vector):
        """Both vectors of the specification encrypt and decrypt exactly."""
        xaes = XAES256GCM(bytes.fromhex(vector["key"]))
        nonce = bytes.fromhex(vector["nonce"])
        aad = bytes.fromhex(vector["aad"])
        ct = xaes.encrypt(nonce, bytes.fromhex(vector["plaintext"]), aad)
        assert ct.hex() == vector["ciphertext"]
        assert xaes.decrypt(nonce, ct, aad).hex() == vector["plaintext"]

    def test_derived_key_matches_spec(self):
        """The derived key and nonce are the spec's Kx and Nx."""
        aead, nx = XAES256GCM(bytes([1]) * 32).derive(
            b"ABCDEFGHIJKLMNOPQRSTUVWX"
        )
        kx = bytes.fromhex(
            "c8612c9ed53fe43e8e005b828a1631a0bbcb6ab2f46514ec4f439fcfd0fa969b"
        )
        assert nx.hex() == "4d4e4f505152535455565758"
        probe = AESGCM(kx).encrypt(nx, b"probe", None)
        assert aead.encrypt(nx, b"probe", None) == probe

    def test_accumulated_10k(self):
        """The accumulated randomized test, 10,000 iterations."""
        assert accumulated(10_000) == VECTORS["accumulated"]["10000"]

    @pytest.mark.slow
    def test_accumulated_1m(self):
        """The accumulated randomized test, 1,000,000 iterations."""
        assert accumulated(1_000_000) == VECTORS["accumulated"]["1000000"]


class TestProperties:
    @given(keys, nonces, plaintexts, contexts)
    def test_round_trip(self, key, nonce, plaintext, aad):
        """Decrypting what was encrypted gives the plaintext back."""
        xaes = XAES256GCM(key)
        assert xaes.decrypt(
            nonce, xaes.encrypt(nonce, plaintext, aad), aad
        ) == (plaintext)

    @given(keys, nonces, plaintexts, st.data())
    def test_any_bit_flip_is_rejected(self, key, nonce, plaintext, data):
        """Flipping any bit of the ciphertext raises DecryptionError."""
        xaes = XAES256GCM(key)
        ct = bytearray(xaes.encrypt(nonce, plaintext, None))
        bit = data.draw(st.integers(0, len(ct) * 8 - 1))
        ct[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises(DecryptionError, match="^decryption failed$"):
            xaes.decrypt(nonce, bytes(ct), None)

    @given(keys, keys, nonces, plaintexts)
    def test_wrong_key_is_rejected(self, key, other, nonce, plaintext):
        """A different key never decrypts."""
        if key == other:
            return
        ct = XAES256GCM(key).encrypt(nonce, plaintext, None)
        with pytest.raises(DecryptionError):
            XAES256GCM(other).decrypt(nonce, ct, None)


class TestInputs:
    @pytest.mark.parametrize("size", [0, 16, 31, 33, 64])
    def test_wrong_key_size(self, size):
        """Keys that are not 32 bytes raise ValueError."""
        with pytest.raises(ValueError, match="key must be 32 bytes"):
            XAES256GCM(bytes(size))

    @pytest.mark.parametrize("size", [0, 12, 23, 25])
    def test_wrong_nonce_size(self, size):
        """Nonces that are not 24 bytes raise ValueError."""
        with pytest.raises(ValueError, match="nonce must be 24 bytes"):
            XAES256GCM(bytes(32)).encrypt(bytes(size), b"", None)

    def test_buffer_nonces(self):
        """A 24-byte bytearray or memoryview nonce works like bytes."""
        xaes = XAES256GCM(bytes(32))
        nonce = bytes(range(24))
        sealed = xaes.encrypt(nonce, b"plain", b"ad")
        for buffer in (bytearray(nonce), memoryview(nonce)):
            assert xaes.encrypt(buffer, b"plain", b"ad") == sealed
            assert xaes.decrypt(buffer, sealed, b"ad") == b"plain"

    def test_other_threads(self):
        """One instance serves other threads (each gets its own AES context)."""
        xaes = XAES256GCM(bytes(range(32)))
        nonce = bytes(24)
        expected = xaes.encrypt(nonce, b"plain", None)
        results = []

        def work():
            results.append(xaes.encrypt(nonce, b"plain", None))
            results.append(xaes.decrypt(nonce, expected, None))

        threads = [threading.Thread(target=work) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert results == [expected, b"plain"] * 3

    def test_key_type(self):
        """A str key is a TypeError."""
        with pytest.raises(TypeError):
            XAES256GCM("k" * 32)  # type: ignore[arg-type]

    def test_no_secret_in_repr_or_pickle(self):
        """repr shows no key material and pickling is refused."""
        key = XAES256GCM.generate_key()
        xaes = XAES256GCM(key)
        assert key.hex() not in repr(xaes)
        with pytest.raises(TypeError):
            pickle.dumps(xaes)

    def test_generate_key(self):
        """generate_key returns fresh 32-byte keys."""
        assert len(XAES256GCM.generate_key()) == 32
        assert XAES256GCM.generate_key() != XAES256GCM.generate_key()


class TestNoLeaks:
    @given(key=keys, plaintext=st.binary(min_size=8, max_size=64))
    def test_key_and_plaintext_never_shown(self, key, plaintext):
        """Neither the key nor the plaintext is in a repr or a traceback."""
        import traceback

        xaes = XAES256GCM(key)
        assert key.hex() not in repr(xaes)
        nonce = bytes(24)
        sealed = bytearray(xaes.encrypt(nonce, plaintext, None))
        sealed[0] ^= 1
        with pytest.raises(DecryptionError) as info:
            xaes.decrypt(nonce, bytes(sealed), None)
        text = "".join(traceback.format_exception(info.value))
        assert str(info.value) == "decryption failed"
        for secret in (key, plaintext, bytes(sealed)):
            assert secret.hex() not in text

"""Tests for dataprotect.tokens: prefixed tokens and keyed digests."""

from __future__ import annotations

import contextlib
import json
import pickle

from pathlib import Path

import pytest

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dataprotect.errors import (
    ConfigurationError,
    InvalidHashError,
    KeyNotFoundError,
)
from dataprotect.keys import Keyring
from dataprotect.tokens import (
    CHECKSUM_LENGTH,
    RANDOM_LENGTH,
    TokenHasher,
    generate_token,
    is_well_formed,
)
from helpers import keyring_with, run_cli


VECTORS = Path(__file__).parent / "vectors" / "passwords.json"
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

prefixes = st.from_regex(r"[a-z][a-z0-9]{1,15}", fullmatch=True)


class TestGenerateToken:
    def test_shape(self):
        """A token is prefix, underscore, 30 random and 6 checksum base62."""
        token = generate_token("dpat")
        assert token.startswith("dpat_")
        tail = token[len("dpat_") :]
        assert len(tail) == RANDOM_LENGTH + CHECKSUM_LENGTH
        assert set(tail) <= set(BASE62)
        assert is_well_formed(token)

    def test_entropy(self):
        """The random part carries at least 160 bits."""
        import math

        assert RANDOM_LENGTH * math.log2(62) >= 160

    def test_random(self):
        """Tokens differ and use the whole alphabet."""
        tokens = {generate_token("tk") for _ in range(500)}
        assert len(tokens) == 500
        used = set("".join(t[3 : 3 + RANDOM_LENGTH] for t in tokens))
        assert used == set(BASE62)

    @given(prefix=prefixes)
    @settings(max_examples=100)
    def test_always_well_formed(self, prefix):
        """Every generated token is well-formed, with its own prefix."""
        token = generate_token(prefix)
        assert is_well_formed(token)
        assert is_well_formed(token, prefix=prefix)

    @pytest.mark.parametrize(
        "prefix",
        [
            "",
            "a",
            "1abc",
            "_abc",
            "abc_",
            "ab_c",
            "Abc",
            "ab-c",
            "ä",
            "a" * 17,
            "a b",
        ],
    )
    def test_bad_prefix(self, prefix):
        """Bad prefixes raise ConfigurationError."""
        with pytest.raises(ConfigurationError, match="prefix must be"):
            generate_token(prefix)

    def test_non_str_prefix(self):
        """A non-str prefix raises TypeError."""
        with pytest.raises(TypeError):
            generate_token(b"ghp")  # type: ignore[arg-type]

    @given(prefix=prefixes)
    @settings(max_examples=30)
    def test_found_by_secret_scanner(self, prefix):
        """dataprotect's secret scanner finds tokens and verifies the checksum."""
        from dataprotect.scan.secrets import scan_text

        token = generate_token(prefix)
        findings = scan_text(f'API_TOKEN = "{token}"\n')
        assert [(f.rule, f.checksum_valid) for f in findings] in (
            [("dataprotect-token", True)],
            [("github-token", True)],  # GitHub's own prefixes
        )
        typo = token[:-1] + ("x" if token[-1] != "x" else "y")
        assert not [
            f for f in scan_text(f'x = "{typo}"\n') if f.checksum_valid
        ]

    def test_vectors(self):
        """The checksum matches the committed vectors."""
        for vector in json.loads(VECTORS.read_text())["tokens"]:
            assert is_well_formed(vector["token"])
            body = f"{vector['prefix']}_{vector['random']}"
            assert vector["token"].startswith(body)


class TestIsWellFormed:
    @given(prefix=prefixes, data=st.data())
    @settings(max_examples=200)
    def test_single_character_change_caught(self, prefix, data):
        """Any single-character change is caught by the shape or checksum."""
        token = generate_token(prefix)
        i = data.draw(st.integers(0, len(token) - 1))
        char = data.draw(
            st.one_of(st.sampled_from(BASE62 + "_-. "), st.characters())
        )
        if char == token[i]:
            return  # not assume(): the token differs on every run
        assert not is_well_formed(token[:i] + char + token[i + 1 :])

    @given(prefix=prefixes, data=st.data())
    @settings(max_examples=50)
    def test_adjacent_swap_caught(self, prefix, data):
        """Swapping two different adjacent characters is caught."""
        token = generate_token(prefix)
        i = data.draw(st.integers(0, len(token) - 2))
        if token[i] == token[i + 1]:
            return  # not assume(): the token differs on every run
        swapped = token[:i] + token[i + 1] + token[i] + token[i + 2 :]
        assert not is_well_formed(swapped)

    @given(text=st.text(max_size=100))
    def test_garbage(self, text):
        """Random text is (practically) never well-formed."""
        assert not is_well_formed(text)

    def test_wrong_prefix(self):
        """A prefix mismatch is not well-formed."""
        token = generate_token("ghp")
        assert not is_well_formed(token, prefix="gho")

    def test_megabyte(self):
        """Megabyte input is refused by length at once."""
        assert not is_well_formed("ab_" + "A" * 1024 * 1024)

    def test_non_str(self):
        """A non-str token raises TypeError."""
        with pytest.raises(TypeError):
            is_well_formed(None)  # type: ignore[arg-type]


class TestTokenHasher:
    def test_digest_and_verify(self):
        """A digest verifies its token and no other."""
        hasher = TokenHasher(bytes(32))
        token = generate_token("tk")
        digest = hasher.digest(token)
        assert digest.startswith("dpt1.00000000.")
        assert len(digest) == 57
        assert hasher.digest(token) == digest
        assert hasher.verify(token, digest)
        assert not hasher.verify(generate_token("tk"), digest)
        assert not hasher.needs_update(digest)

    @given(a=st.text(max_size=60), b=st.text(max_size=60))
    def test_other_token_never_verifies(self, a, b):
        """A different token never verifies."""
        assume(a != b)
        hasher = TokenHasher(bytes(32))
        assert hasher.verify(a, hasher.digest(a))
        assert not hasher.verify(b, hasher.digest(a))

    def test_keys_separate(self):
        """Digests under different keys differ and do not cross-verify."""
        token = generate_token("tk")
        one, two = TokenHasher(bytes(32)), TokenHasher(b"\x01" * 32)
        assert one.digest(token) != two.digest(token)
        assert not two.verify(token, one.digest(token))

    def test_rotation(self):
        """Old digests verify after rotation and are recomputed once."""
        ring = Keyring.generate()
        hasher = TokenHasher(ring)
        token = generate_token("tk")
        old = hasher.digest(token)
        assert old.startswith(f"dpt1.{ring.primary_id:08x}.")
        old_id = ring.primary_id
        ring.rotate()
        assert hasher.verify(token, old)
        assert hasher.needs_update(old)
        ok, new = hasher.verify_and_update(token, old)
        assert ok
        assert new == hasher.digest(token)
        assert new != old
        assert hasher.verify_and_update(token, new) == (True, None)
        assert hasher.verify_and_update("other", old) == (False, None)
        assert hasher.candidates(token) == [new, old]
        ring.retire(old_id)
        assert hasher.candidates(token) == [new]
        with pytest.raises(KeyNotFoundError):
            hasher.verify(token, old)

    def test_raw_key_unknown_id(self):
        """A raw-key hasher has only key id 0."""
        digest = TokenHasher(Keyring.generate()).digest("t")
        with pytest.raises(KeyNotFoundError):
            TokenHasher(bytes(32)).verify("t", digest)
        assert TokenHasher(bytes(32)).candidates("t") == [
            TokenHasher(bytes(32)).digest("t")
        ]

    @given(data=st.data())
    @settings(max_examples=100)
    def test_tampered_digest(self, data):
        """A changed digest gives False or InvalidHashError."""
        hasher = TokenHasher(bytes(32))
        token = generate_token("tk")
        digest = hasher.digest(token)
        i = data.draw(st.integers(0, len(digest) - 1))
        char = data.draw(st.characters())
        if char == digest[i]:
            return  # not assume(): the digest differs on every run
        bad = digest[:i] + char + digest[i + 1 :]
        with contextlib.suppress(InvalidHashError, KeyNotFoundError):
            assert not hasher.verify(token, bad)

    @pytest.mark.parametrize(
        "digest",
        ["", "dpt1.", "x" * 57, "dpt1.0000000g." + "A" * 43, "A" * 10**6],
    )
    def test_malformed_digest(self, digest):
        """Malformed digests raise InvalidHashError."""
        with pytest.raises(InvalidHashError, match="malformed token digest"):
            TokenHasher(bytes(32)).verify("t", digest)
        with pytest.raises(InvalidHashError):
            TokenHasher(bytes(32)).needs_update(digest)

    def test_bad_input(self):
        """Non-str arguments raise TypeError; odd strings still digest."""
        hasher = TokenHasher(bytes(32))
        with pytest.raises(TypeError):
            hasher.digest(b"t")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            hasher.verify("t", None)  # type: ignore[arg-type]
        for odd in ("", "\x00", "\ud800", "a" * 1024 * 1024):
            assert hasher.verify(odd, hasher.digest(odd))

    @pytest.mark.parametrize("key", [b"", bytes(31), bytes(33)])
    def test_bad_key(self, key):
        """A raw key must be 32 bytes."""
        with pytest.raises(ConfigurationError, match="32 bytes"):
            TokenHasher(key)

    def test_bad_key_type(self):
        """A key that is neither bytes nor a keyring raises TypeError."""
        with pytest.raises(TypeError):
            TokenHasher("k" * 32)  # type: ignore[arg-type]

    @given(key=st.binary(min_size=32, max_size=32))
    @settings(max_examples=20)
    def test_no_leaks(self, key):
        """repr shows no key or token; pickling is refused."""
        hasher = TokenHasher(key)
        assert repr(hasher) == "<TokenHasher primary=0x00000000>"
        assert key.hex() not in repr(hasher)
        with pytest.raises(TypeError):
            pickle.dumps(hasher)

    def test_vectors(self):
        """Digests match the committed vectors."""
        for vector in json.loads(VECTORS.read_text())["digests"]:
            key = bytes.fromhex(vector["key"])
            hasher = (
                TokenHasher(key)
                if vector["key_id"] == 0
                else TokenHasher(keyring_with(key, vector["key_id"]))
            )
            assert hasher.digest(vector["token"]) == vector["digest"]
            assert hasher.verify(vector["token"], vector["digest"])


class TestCLI:
    def test_new_and_check(self, tmp_path):
        """`tokens new` prints a token and digest; `tokens check` checks it."""
        from dataprotect.keys import EnvKEK

        env = {"KEK": EnvKEK.generate_value()}
        path = tmp_path / "ring.dpkr"
        ring = Keyring.generate()
        ring.save(path, kek=EnvKEK("KEK", environ=env))
        result = run_cli(
            "tokens new acmepat --keyring", path, "--kek", "env:KEK", env=env
        )
        assert result.exit_code == 0, result.output
        token, digest = result.output.split()
        assert is_well_formed(token, prefix="acmepat")
        assert TokenHasher(ring).verify(token, digest)
        env["TOKEN"] = token
        ok = run_cli(
            "tokens check --token-env TOKEN --prefix acmepat", env=env
        )
        assert ok.exit_code == 0
        env["TOKEN"] = token[:-1] + ("x" if token[-1] != "x" else "y")
        bad = run_cli("tokens check --token-env TOKEN", env=env)
        assert bad.exit_code == 1

    def test_new_plain(self):
        """Without a keyring, only the token is printed."""
        result = run_cli("tokens new ghp")
        assert result.exit_code == 0
        assert is_well_formed(result.output.strip(), prefix="ghp")
        bad = run_cli("tokens new bad-prefix")
        assert bad.exit_code == 2
        assert "prefix must be" in bad.output

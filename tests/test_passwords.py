"""Tests for dataprotect.passwords: argon2id, legacy upgrades, pepper."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import pickle
import re
import string
import sys
import threading
import traceback
import warnings

from pathlib import Path
from typing import Any

import argon2
import bcrypt
import pytest

from django.contrib.auth.hashers import (
    Argon2PasswordHasher,
    BCryptSHA256PasswordHasher,
    PBKDF2PasswordHasher,
    PBKDF2SHA1PasswordHasher,
    ScryptPasswordHasher,
)
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dataprotect.errors import (
    ConfigurationError,
    DataProtectError,
    HasherBusyError,
    InvalidHashError,
    InvalidPasswordError,
    KeyNotFoundError,
    MissingDependencyError,
)
from dataprotect.keys import Keyring
from dataprotect.passwords import MAX_PASSWORD_BYTES, PasswordHasher
from helpers import (
    address_space_capped,
    keyring_with,
    outcome,
    run_cli,
    shown_text,
)
from strategies import secret_texts


with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from passlib.hash import pbkdf2_sha256 as passlib_pbkdf2_sha256


#: A cheap argon2id profile so property tests stay fast.
FAST: dict[str, Any] = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}
VECTORS = Path(__file__).parent / "vectors" / "passwords.json"

passwords = st.text(min_size=1, max_size=40)

#: The peppered format's grammar, copied from docs/formats/passwords.md.
PEPPERED_GRAMMAR = re.compile(
    r"\$dp2\$m=[1-9][0-9]{0,6},t=[1-9][0-9]?,p=[1-9][0-9]?,k=([0-9a-f]{8})"
    r"\$[A-Za-z0-9+/]{21}[AQgw]\$[A-Za-z0-9+/]{53}[AQgw]"
)


class _FastDjangoArgon2(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 8
    parallelism = 1


class _FastDjangoBCrypt(BCryptSHA256PasswordHasher):
    rounds = 4


def _django_scrypt(password: str) -> str:
    hasher = ScryptPasswordHasher()
    return hasher.encode(password, hasher.salt(), n=16, r=8, p=1)


#: Scheme name -> function making a hash with the real library.
LEGACY = {
    "django-pbkdf2-sha256": lambda pw: PBKDF2PasswordHasher().encode(
        pw, PBKDF2PasswordHasher().salt(), iterations=10
    ),
    "django-pbkdf2-sha1": lambda pw: PBKDF2SHA1PasswordHasher().encode(
        pw, PBKDF2SHA1PasswordHasher().salt(), iterations=10
    ),
    "django-argon2": lambda pw: _FastDjangoArgon2().encode(
        pw, _FastDjangoArgon2().salt()
    ),
    "django-bcrypt-sha256": lambda pw: _FastDjangoBCrypt().encode(
        pw, _FastDjangoBCrypt().salt()
    ),
    "django-scrypt": _django_scrypt,
    "passlib-pbkdf2-sha256": lambda pw: passlib_pbkdf2_sha256.using(
        rounds=10
    ).hash(pw),
    "bcrypt": lambda pw: bcrypt.hashpw(
        pw.encode("utf-8"), bcrypt.gensalt(4)
    ).decode("ascii"),
}


@pytest.fixture(name="hasher")
def _hasher() -> PasswordHasher:
    return PasswordHasher(**FAST)


@pytest.fixture(name="ring")
def _ring() -> Keyring:
    return Keyring.generate()


class TestHashVerify:
    def test_round_trip(self, hasher):
        """A hash verifies with its password and not with another."""
        stored = hasher.hash("correct horse")
        assert stored.startswith("$argon2id$v=19$m=8,t=1,p=1$")
        assert hasher.verify(stored, "correct horse")
        assert not hasher.verify(stored, "correct horsE")

    def test_salted(self, hasher):
        """The same password hashes differently each time."""
        assert hasher.hash("pw") != hasher.hash("pw")

    def test_default_profile(self):
        """The defaults are RFC 9106's second option, argon2id."""
        hasher = PasswordHasher()
        assert (hasher.time_cost, hasher.memory_cost, hasher.parallelism) == (
            3,
            65536,
            4,
        )
        stored = hasher.hash("pw")
        assert argon2.extract_parameters(stored) == (
            argon2.profiles.RFC_9106_LOW_MEMORY
        )

    @given(password=passwords)
    def test_round_trip_any_unicode(self, password):
        """Any Unicode password round-trips."""
        hasher = PasswordHasher(**FAST)
        assert hasher.verify(hasher.hash(password), password)

    @given(a=passwords, b=passwords)
    @settings(max_examples=30)
    def test_other_password_never_verifies(self, a, b):
        """A different password never verifies."""
        assume(a != b)
        hasher = PasswordHasher(**FAST)
        assert not hasher.verify(hasher.hash(a), b)

    def test_nul_bytes(self, hasher):
        """NUL bytes are ordinary characters, not terminators."""
        stored = hasher.hash("a\x00b")
        assert hasher.verify(stored, "a\x00b")
        assert not hasher.verify(stored, "a")

    def test_needs_rehash(self, hasher):
        """Other parameters need a rehash; current ones do not."""
        assert not hasher.needs_rehash(hasher.hash("pw"))
        other = PasswordHasher(time_cost=2, memory_cost=8, parallelism=1)
        assert hasher.needs_rehash(other.hash("pw"))

    def test_verify_and_update_params(self, hasher):
        """A hash with old parameters is replaced once, then left alone."""
        old = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
        ok, new = hasher.verify_and_update(old.hash("pw"), "pw")
        assert ok
        assert new is not None
        assert hasher.verify(new, "pw")
        assert hasher.verify_and_update(new, "pw") == (True, None)

    def test_verify_and_update_mismatch(self, hasher):
        """A wrong password gives (False, None)."""
        assert hasher.verify_and_update(hasher.hash("pw"), "nope") == (
            False,
            None,
        )

    def test_repr(self, hasher):
        """repr shows parameters only."""
        assert repr(hasher) == "<PasswordHasher argon2id t=1 m=8 p=1>"

    def test_no_pickle(self, hasher):
        """A hasher refuses pickling."""
        with pytest.raises(TypeError):
            pickle.dumps(hasher)


class TestArgon2Interop:
    def test_argon2_cffi_hash_verifies(self, hasher):
        """A hash made by plain argon2-cffi verifies, and needs a rehash."""
        stored = argon2.PasswordHasher(
            time_cost=1, memory_cost=8, parallelism=1
        ).hash("pw")
        assert hasher.verify(stored, "pw")
        assert not hasher.verify(stored, "pX")
        assert not hasher.needs_rehash(stored)

    def test_argon2_cffi_default_profile(self):
        """argon2-cffi's default hashes match the default hasher exactly."""
        stored = argon2.PasswordHasher().hash("pw")
        hasher = PasswordHasher()
        assert hasher.verify(stored, "pw")
        assert not hasher.needs_rehash(stored)

    def test_argon2i_verifies_and_upgrades(self, hasher):
        """An old argon2i hash verifies and is upgraded to argon2id."""
        stored = argon2.PasswordHasher(
            time_cost=1, memory_cost=8, parallelism=1, type=argon2.Type.I
        ).hash("pw")
        ok, new = hasher.verify_and_update(stored, "pw")
        assert ok
        assert new is not None
        assert new.startswith("$argon2id$")

    def test_ours_verify_with_argon2_cffi(self, hasher):
        """Unpeppered hashes verify with plain argon2-cffi."""
        stored = hasher.hash("pässwörd")
        assert argon2.PasswordHasher().verify(stored, "pässwörd")


class TestLegacy:
    @pytest.mark.parametrize("scheme", sorted(LEGACY))
    def test_verifies_and_upgrades_once(self, hasher, scheme):
        """Each legacy scheme verifies, is upgraded once, then left alone."""
        stored = LEGACY[scheme]("hunter2 ünïcode")
        assert hasher.needs_rehash(stored)
        assert hasher.verify(stored, "hunter2 ünïcode")
        assert not hasher.verify(stored, "hunter3 ünïcode")
        assert hasher.verify_and_update(stored, "wrong") == (False, None)
        ok, new = hasher.verify_and_update(stored, "hunter2 ünïcode")
        assert ok
        assert new is not None
        assert new.startswith("$argon2id$")
        assert hasher.verify_and_update(new, "hunter2 ünïcode") == (True, None)

    @given(
        password=st.text(min_size=1, max_size=20),
        scheme=st.sampled_from(sorted(LEGACY)),
    )
    @settings(max_examples=40)
    def test_upgrade_exactly_once_property(self, password, scheme):
        """verify_and_update upgrades every legacy scheme exactly once."""
        hasher = PasswordHasher(**FAST)
        stored = LEGACY[scheme](password)
        ok, new = hasher.verify_and_update(stored, password)
        assert ok
        assert new is not None
        assert not hasher.needs_rehash(new)
        assert hasher.verify_and_update(new, password) == (True, None)

    def test_bcrypt_long_password(self, hasher):
        """bcrypt hashes of long passwords (made by truncation) verify."""
        password = "x" * 100
        stored = bcrypt.hashpw(password.encode()[:72], bcrypt.gensalt(4))
        assert hasher.verify(stored.decode(), password)

    def test_bcrypt_nul(self, hasher):
        """NUL bytes count in bcrypt hashes, as the bcrypt package hashes them."""
        stored = bcrypt.hashpw(b"a\x00b", bcrypt.gensalt(4)).decode()
        assert hasher.verify(stored, "a\x00b")
        assert not hasher.verify(stored, "a")

    def test_bcrypt_2a_and_2y(self, hasher):
        """$2a$ and $2y$ bcrypt hashes verify too."""
        stored = bcrypt.hashpw(b"pw", bcrypt.gensalt(4, prefix=b"2a")).decode()
        assert hasher.verify(stored, "pw")
        assert hasher.verify("$2y$" + stored[4:], "pw")

    @pytest.mark.parametrize(
        "stored",
        [
            "pbkdf2_sha256$999999999$salt$AAAA",
            "pbkdf2_sha256$x$salt$AAAA",
            "pbkdf2_sha256$1000$salt$!!!!",
            "pbkdf2_sha256$1000$salt$QUJD",
            "pbkdf2_sha1$1000$$QUJD",
            "scrypt$1073741824$salt$8$1$" + "A" * 88,
            "scrypt$15$salt$8$1$" + "A" * 88,
            "scrypt$16$salt$8$1$AAAA",
            "$2b$31$" + "a" * 53,
            "$2b$04$" + "a" * 52,
            "bcrypt_sha256$$2b$30$" + "a" * 53,
            "argon2$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
            "argon2$argon2id$v=19$m=8,t=1000,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
            "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ",
            "$argon2id$garbage",
            "$pbkdf2-sha256$1000$c2FsdA$short",
            "$pbkdf2-sha256$1000$c2FsdA$" + "A" * 42,
            "$pbkdf2-sha256$1000$c2FsdA",
            "$pbkdf2-sha256$1000$c2FsdA$" + "A" * 43 + "$x",
            "pbkdf2_sha256$1000$salt$A",
            "scrypt$16$salt$8$1",
            "scrypt$16$$8$1$" + "A" * 86,
            "scrypt$16$sa\x00lt$8$1$" + "A" * 86,
            "scrypt$16777216$salt$8$1$" + "A" * 86,
            "$pbkdf2-sha256$99999999999$c2FsdA$" + "A" * 43,
            "md5$salt$hash",
            "",
            "plain text password",
        ],
    )
    def test_malformed_or_absurd(self, hasher, stored):
        """Malformed or absurd stored values raise InvalidHashError fast."""
        with pytest.raises(InvalidHashError) as info:
            hasher.verify(stored, "pw")
        assert str(info.value) == "malformed or unsupported password hash"


def _bcrypt_at(cost: int) -> str:
    """A bcrypt hash of "pw" claiming *cost* (made at 4: never computed)."""
    made = bcrypt.hashpw(b"pw", bcrypt.gensalt(4)).decode()
    return f"{made[:4]}{cost:02d}{made[6:]}"


def _pbkdf2_at(iterations: int) -> str:
    return f"pbkdf2_sha256${iterations}$salt$" + "A" * 43 + "="


#: Stored values asking for more work than the default bounds allow.
HOSTILE = {
    "bcrypt-14": _bcrypt_at(14),
    "bcrypt-18": _bcrypt_at(18),
    "django-bcrypt-sha256-14": "bcrypt_sha256$" + _bcrypt_at(14),
    "django-pbkdf2-2000001": _pbkdf2_at(2_000_001),
    "django-pbkdf2-10M": _pbkdf2_at(10_000_000),
    "passlib-pbkdf2-2000001": "$pbkdf2-sha256$2000001$c2FsdA$" + "A" * 43,
    "argon2-t9": "$argon2id$v=19$m=8,t=9,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
    "argon2-256MiB+1": (
        "$argon2id$v=19$m=262145,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g"
    ),
    "argon2-2GiB": "$argon2id$v=19$m=2097152,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
    "django-argon2-t9": (
        "argon2$argon2id$v=19$m=8,t=9,p=1$c2FsdHNhbHQ$aGFzaGhhc2g"
    ),
    "django-scrypt-128MiB": "scrypt$131072$salt$8$1$" + "A" * 86 + "==",
    "django-scrypt-work": "scrypt$16384$salt$8$16$" + "A" * 86 + "==",
}


class TestStoredHashBounds:
    """A stored hash cannot ask for unbounded work (a hostile row)."""

    @pytest.mark.parametrize("stored", HOSTILE.values(), ids=HOSTILE.keys())
    def test_hostile_costs_refused(self, hasher, stored):
        """Costs over the bounds are an InvalidHashError before hashing."""
        with pytest.raises(InvalidHashError, match="^malformed or unsup"):
            hasher.verify(stored, "pw")

    def test_default_bounds(self):
        """The documented bounds."""
        from dataprotect import passwords

        assert passwords.MAX_TIME_COST == 8
        assert passwords.MAX_MEMORY_COST == 256 * 1024
        assert passwords.MAX_BCRYPT_COST == 13
        assert passwords.MAX_PBKDF2_ITERATIONS == 2_000_000

    def test_peppered_costs_bounded(self, ring):
        """A peppered hash over the bounds is refused after its integrity
        check and before argon2 runs."""
        high = PasswordHasher(
            time_cost=9, memory_cost=8, parallelism=1, pepper=ring
        )
        stored = high.hash("pw")
        assert high.verify(stored, "pw")
        with pytest.raises(InvalidHashError):
            PasswordHasher(**FAST, pepper=ring).verify(stored, "pw")

    def test_own_costs_raise_the_bounds(self):
        """A hasher configured above the bounds verifies its own hashes."""
        high = PasswordHasher(time_cost=9, memory_cost=8, parallelism=1)
        stored = high.hash("pw")
        assert high.verify(stored, "pw")
        assert high.verify_and_update(stored, "pw") == (True, None)
        assert not high.needs_rehash(stored)

    def test_keywords_raise_the_bounds(self):
        """max_* keywords accept costlier stored hashes."""
        lenient = PasswordHasher(
            **FAST,
            max_time_cost=9,
            max_pbkdf2_iterations=2_000_001,
        )
        t9 = argon2.PasswordHasher(
            time_cost=9, memory_cost=8, parallelism=1
        ).hash("pw")
        assert lenient.verify(t9, "pw")
        assert lenient.needs_rehash(t9)
        with pytest.raises(InvalidHashError):
            PasswordHasher(**FAST).needs_rehash(t9)
        pbkdf2 = PBKDF2PasswordHasher().encode(
            "pw", "salt", iterations=2_000_001
        )
        assert lenient.verify(pbkdf2, "pw")
        # bcrypt 14 is slow to compute: show the keyword by lowering it.
        strict = PasswordHasher(**FAST, max_bcrypt_cost=4)
        assert strict.verify(_bcrypt_at(4), "pw") is True
        with pytest.raises(InvalidHashError):
            strict.verify(_bcrypt_at(5), "pw")

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"max_time_cost": 0},
            {"max_time_cost": 33},
            {"max_memory_cost": 7},
            {"max_memory_cost": 2 * 1024 * 1024 + 1},
            {"max_bcrypt_cost": 3},
            {"max_bcrypt_cost": 32},
            {"max_pbkdf2_iterations": 0},
            {"time_cost": 4, "max_time_cost": 3},
            {"memory_cost": 64, "max_memory_cost": 32},
        ],
    )
    def test_bad_bound_keywords(self, kwargs):
        """Bounds below the hasher's own costs or out of range are refused."""
        params = {**FAST, **kwargs}
        with pytest.raises(ConfigurationError, match="^max_"):
            PasswordHasher(**params)

    def test_library_and_peer_defaults_verify(self):
        """Hashes made with each writer's default costs verify: ours,
        argon2-cffi's, Django's (PBKDF2 1,000,000 in 5.2, argon2, bcrypt,
        scrypt), passlib's and bcrypt's."""
        ours = PasswordHasher()
        made = {
            "ours": ours.hash("pw"),
            "argon2-cffi": argon2.PasswordHasher().hash("pw"),
            "passlib": passlib_pbkdf2_sha256.hash("pw"),
            "bcrypt": bcrypt.hashpw(b"pw", bcrypt.gensalt()).decode(),
        }
        for django in (
            PBKDF2PasswordHasher(),
            PBKDF2SHA1PasswordHasher(),
            Argon2PasswordHasher(),
            BCryptSHA256PasswordHasher(),
            ScryptPasswordHasher(),
        ):
            made[django.algorithm] = django.encode("pw", django.salt())
        assert {name: ours.verify(h, "pw") for name, h in made.items()} == (
            dict.fromkeys(made, True)
        )

    def test_out_of_memory_is_busy(self, ring):
        """argon2 failing to allocate (a memory cap) is a HasherBusyError,
        not argon2's HashingError or a 'malformed hash'."""
        big = {"time_cost": 1, "memory_cost": 256 * 1024, "parallelism": 1}
        stored = argon2.PasswordHasher(**big).hash("pw")
        # Django's scrypt format at N=2**16 (64 MiB, within the bounds).
        scrypt = "scrypt$65536$salt$8$1$" + base64.b64encode(
            hashlib.scrypt(
                b"pw", salt=b"salt", n=1 << 16, r=8, p=1, maxmem=80 << 20
            )
        ).decode("ascii")
        for hasher, call in [
            (PasswordHasher(**FAST), lambda h: h.verify(stored, "pw")),
            (PasswordHasher(**FAST), lambda h: h.verify(scrypt, "pw")),
            (PasswordHasher(**big), lambda h: h.hash("pw")),
            (
                PasswordHasher(**big, pepper=ring),
                lambda h: h.verify(h._seal(stored), "pw"),
            ),
        ]:
            # 8 MiB of headroom: the smallest allocation refused is the
            # 64 MiB scrypt one, so memory that another thread frees under
            # the cap (up to 56 MiB) cannot let it through
            with (
                address_space_capped(8 << 20),
                pytest.raises(HasherBusyError, match="memory"),
            ):
                call(hasher)


class TestSurrogateSalts:
    @pytest.mark.parametrize(
        "stored",
        [
            "pbkdf2_sha256$1000$Zq" + "9-salt\udc80$" + "A" * 43 + "=",
            "pbkdf2_sha1$1000$Zq" + "9-salt\udc80$" + "A" * 27 + "=",
            "scrypt$16$Zq" + "9-salt\udc80$8$1$" + "A" * 86 + "==",
        ],
        ids=["pbkdf2-sha256", "pbkdf2-sha1", "scrypt"],
    )
    def test_lone_surrogate_salt(self, hasher, stored):
        """A Django hash whose salt holds a lone surrogate is an
        InvalidHashError, not a UnicodeEncodeError holding the value."""
        with pytest.raises(InvalidHashError) as info:
            hasher.verify(stored, "pw")
        assert "Zq9" not in shown_text(info.value)

    @given(
        salt=secret_texts,
        password=secret_texts,
        scheme=st.sampled_from(["pbkdf2_sha256", "pbkdf2_sha1", "scrypt"]),
    )
    @settings(max_examples=60)
    def test_any_salt_and_password(self, salt, password, scheme):
        """Any salt and password text give a bool or a DataProtectError
        that shows neither."""
        assume("$" not in salt)
        hasher = PasswordHasher(**FAST)
        stored = (
            f"scrypt$16${salt}$8$1$" + "A" * 86 + "=="
            if scheme == "scrypt"
            else f"{scheme}$1000${salt}$" + "A" * 43 + "="
        )
        got = outcome(lambda: hasher.verify(stored, password))
        if isinstance(got, Exception):
            assert isinstance(got, DataProtectError)
            assert salt not in shown_text(got)
            assert password not in shown_text(got)
        else:
            assert got is False


class TestLegacyEdges:
    def test_bcrypt_without_package(self, hasher, monkeypatch):
        """A bcrypt hash without the bcrypt package names the extra to install."""
        stored = bcrypt.hashpw(b"Zq9-pw", bcrypt.gensalt(4)).decode()
        monkeypatch.setitem(sys.modules, "bcrypt", None)
        for value in (stored, "bcrypt_sha256" + "$" + stored):
            with pytest.raises(
                MissingDependencyError, match=r"dataprotect\[bcrypt\]"
            ) as info:
                hasher.verify(value, "Zq9-pw")
            assert "Zq9" not in str(info.value)

    def test_empty_password_legacy_row(self, hasher):
        """A legacy hash of the empty password verifies but is not rehashed.

        New hashes need a password, so the upgrade waits for a real one.
        """
        stored = LEGACY["django-pbkdf2-sha256"]("")
        assert hasher.verify_and_update(stored, "") == (True, None)
        assert hasher.verify_and_update(stored, "x") == (False, None)

    @pytest.mark.parametrize(
        "stored",
        [
            "$argon2x$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
            "$argon2id$v=19$m=8,t=100,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
            "$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
            "$argon2id$v=19$m=8,t=1,p=99$c2FsdHNhbHQ$aGFzaGhhc2g",
        ],
    )
    def test_needs_rehash_unknown_variant_or_absurd(self, hasher, stored):
        """needs_rehash refuses an unknown argon2 variant or absurd costs."""
        with pytest.raises(
            InvalidHashError, match="^malformed or unsupported"
        ):
            hasher.needs_rehash(stored)


class TestTamper:
    @given(data=st.data())
    @settings(max_examples=60)
    def test_single_character_change(self, data):
        """Changing any character gives False or a clear error, never a crash.

        A changed pepper key id gives KeyNotFoundError (no such key).
        """
        ring = Keyring.generate()
        plain = PasswordHasher(**FAST)
        peppered = PasswordHasher(**FAST, pepper=ring)
        hasher = data.draw(st.sampled_from([plain, peppered]))
        stored = hasher.hash("pw")
        i = data.draw(st.integers(0, len(stored) - 1))
        char = data.draw(st.characters(codec="utf-8"))
        if char == stored[i]:
            return  # not assume(): the stored hash differs on every run
        bad = stored[:i] + char + stored[i + 1 :]
        with contextlib.suppress(InvalidHashError, KeyNotFoundError):
            assert not hasher.verify(bad, "pw")

    @given(data=st.data())
    @settings(max_examples=200)
    def test_peppered_single_character_change(self, data):
        """Any one-character change of a peppered hash never verifies.

        Exactly: a change that keeps the format's grammar is False (the
        AES-KW integrity check fails; never an exception); one that breaks
        the grammar is InvalidHashError; a changed key id that the keyring
        lacks is KeyNotFoundError.
        """
        ring = Keyring.generate()
        hasher = PasswordHasher(**FAST, pepper=ring)
        stored = hasher.hash("pw")
        i = data.draw(st.integers(0, len(stored) - 1))
        char = data.draw(
            st.sampled_from(string.ascii_letters + string.digits + "+/$,=")
        )
        if char == stored[i]:
            return  # not assume(): the stored hash differs on every run
        bad = stored[:i] + char + stored[i + 1 :]
        match = PEPPERED_GRAMMAR.fullmatch(bad)
        if match is None:
            with pytest.raises(InvalidHashError):
                hasher.verify(bad, "pw")
        elif int(match.group(1), 16) != ring.primary_id:
            with pytest.raises(KeyNotFoundError):
                hasher.verify(bad, "pw")
        else:
            assert hasher.verify(bad, "pw") is False
            assert hasher.verify_and_update(bad, "pw") == (False, None)

    @given(stored=st.text(max_size=200))
    @settings(max_examples=100)
    def test_garbage_stored(self, stored):
        """Any text as a stored hash gives False or InvalidHashError."""
        hasher = PasswordHasher(**FAST)
        with contextlib.suppress(InvalidHashError, ConfigurationError):
            assert not hasher.verify(stored, "pw")


class TestBadInput:
    @pytest.mark.parametrize("value", [None, b"pw", 42, ["pw"]])
    def test_non_str_password(self, hasher, value):
        """Non-str passwords raise TypeError."""
        with pytest.raises(TypeError, match="password must be str"):
            hasher.hash(value)
        with pytest.raises(TypeError, match="password must be str"):
            hasher.verify(hasher.hash("pw"), value)

    def test_non_str_stored(self, hasher):
        """A non-str stored value raises TypeError."""
        with pytest.raises(TypeError, match="stored must be str"):
            hasher.verify(b"$argon2id$", "pw")

    def test_empty(self, hasher):
        """Empty passwords are not hashed, and never match a real hash."""
        with pytest.raises(InvalidPasswordError, match="must not be empty"):
            hasher.hash("")
        assert not hasher.verify(hasher.hash("pw"), "")

    def test_lone_surrogate(self, hasher):
        """A lone surrogate raises InvalidPasswordError."""
        with pytest.raises(InvalidPasswordError, match="lone surrogate"):
            hasher.hash("a\ud800b")
        with pytest.raises(InvalidPasswordError):
            hasher.verify(hasher.hash("pw"), "\udfff")

    @pytest.mark.parametrize("size", [MAX_PASSWORD_BYTES + 1, 1024 * 1024])
    def test_too_long(self, hasher, size):
        """Over-long passwords are refused before hashing."""
        with pytest.raises(InvalidPasswordError, match="at most 4096 bytes"):
            hasher.hash("a" * size)
        with pytest.raises(InvalidPasswordError):
            hasher.verify(hasher.hash("pw"), "a" * size)
        with pytest.raises(InvalidPasswordError):
            hasher.dummy_verify("a" * size)

    def test_too_long_in_utf8(self, hasher):
        """The limit counts UTF-8 bytes, not code points."""
        hasher.hash("é" * 2048)
        with pytest.raises(InvalidPasswordError):
            hasher.hash("é" * 2049)

    @pytest.mark.parametrize("stored", ["garbage", "", "$argon2id$nope"])
    def test_needs_rehash_malformed(self, hasher, stored):
        """needs_rehash of a malformed value raises InvalidHashError."""
        with pytest.raises(InvalidHashError):
            hasher.needs_rehash(stored)

    def test_megabyte_stored(self, hasher):
        """A megabyte stored value is refused without parsing."""
        with pytest.raises(InvalidHashError):
            hasher.verify("$argon2id$" + "A" * 1024 * 1024, "pw")

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"time_cost": 0},
            {"memory_cost": 4, "parallelism": 1},
            {"parallelism": 0},
            {"max_concurrent": 0},
            {"busy_timeout": -1},
            {"max_password_bytes": 0},
        ],
    )
    def test_bad_configuration(self, kwargs):
        """Impossible parameters raise ConfigurationError."""
        with pytest.raises(ConfigurationError):
            PasswordHasher(**kwargs)

    def test_bad_pepper_type(self):
        """A pepper that is not a keyring raises TypeError."""
        with pytest.raises(TypeError):
            PasswordHasher(pepper=b"k" * 32)  # type: ignore[arg-type]

    @given(text=st.text(max_size=20))
    @settings(max_examples=25)
    def test_no_leaks(self, text):
        """The password never appears in repr, messages or tracebacks."""
        password = "SECRET-" + text
        hasher = PasswordHasher(**FAST)
        assert password not in repr(hasher)
        for call in (
            lambda: hasher.verify("pbkdf2_sha256$x$" + "AAAA", password),
            lambda: hasher.hash(password + "\ud800"),
            lambda: hasher.hash(password * 1000),
            lambda: hasher.verify("$2b$04$" + "a" * 53, password),
        ):
            with pytest.raises(DataProtectError) as info:
                call()
            text_out = "".join(traceback.format_exception(info.value))
            assert "SECRET-" not in text_out


class TestPepper:
    def test_round_trip(self, ring):
        """Peppered hashes verify and are not argon2-cffi strings."""
        hasher = PasswordHasher(**FAST, pepper=ring)
        stored = hasher.hash("pw")
        assert stored.startswith(f"$dp2$m=8,t=1,p=1,k={ring.primary_id:08x}$")
        assert PEPPERED_GRAMMAR.fullmatch(stored)
        assert len(base64.b64decode(stored.split("$")[-1] + "==")) == 40
        assert hasher.verify(stored, "pw")
        assert not hasher.verify(stored, "px")
        assert not hasher.needs_rehash(stored)
        with pytest.raises(argon2.exceptions.InvalidHashError):
            argon2.PasswordHasher().verify(stored, "pw")

    @given(password=passwords, other=passwords)
    @settings(max_examples=30)
    def test_round_trip_and_rotation_property(self, password, other):
        """Peppered hashes round-trip and survive rotation for any Unicode."""
        assume(password != other)
        ring = Keyring.generate()
        hasher = PasswordHasher(**FAST, pepper=ring)
        stored = hasher.hash(password)
        assert hasher.verify(stored, password)
        assert not hasher.verify(stored, other)
        ring.rotate()
        moved = hasher.reencrypt(stored)
        assert hasher.verify(moved, password)
        assert not hasher.verify(moved, other)
        assert hasher.reencrypt(moved) == moved
        # Only the key id and the wrapped value change; the salt stays.
        assert moved.split("$")[3] == stored.split("$")[3]
        assert moved.split("$")[4] != stored.split("$")[4]

    def test_rotation_without_passwords(self, ring):
        """After rotation, reencrypt moves hashes without the password."""
        hasher = PasswordHasher(**FAST, pepper=ring)
        stored = hasher.hash("pw")
        old = ring.primary_id
        ring.rotate()
        assert hasher.verify(stored, "pw")
        assert hasher.needs_rehash(stored)
        moved = hasher.reencrypt(stored)
        assert f",k={ring.primary_id:08x}$" in moved
        assert hasher.reencrypt(moved) == moved
        ring.retire(old)
        assert hasher.verify(moved, "pw")
        with pytest.raises(KeyNotFoundError):
            hasher.verify(stored, "pw")

    def test_verify_and_update_reencrypts(self, ring):
        """verify_and_update returns a fresh value when the pepper is old."""
        hasher = PasswordHasher(**FAST, pepper=ring)
        stored = hasher.hash("pw")
        ring.rotate()
        ok, new = hasher.verify_and_update(stored, "pw")
        assert ok
        assert new is not None
        assert f",k={ring.primary_id:08x}$" in new
        # Same argon2 salt: only the encryption changed.
        assert new.split("$")[3] == stored.split("$")[3]
        assert hasher.verify_and_update(new, "pw") == (True, None)

    def test_adds_pepper_to_plain_hashes(self, ring):
        """An existing argon2id hash gets the pepper without the password."""
        plain = PasswordHasher(**FAST).hash("pw")
        hasher = PasswordHasher(**FAST, pepper=ring)
        assert hasher.needs_rehash(plain)
        assert hasher.verify(plain, "pw")
        sealed = hasher.reencrypt(plain)
        assert sealed.startswith("$dp2$")
        assert sealed.split("$")[3] == plain.split("$")[4]
        assert hasher.verify(sealed, "pw")
        ok, new = hasher.verify_and_update(plain, "pw")
        assert ok
        assert new is not None
        assert new.startswith("$dp2$")

    def test_reencrypt_leaves_legacy(self, ring):
        """Legacy and argon2i hashes are left for the login upgrade."""
        hasher = PasswordHasher(**FAST, pepper=ring)
        legacy = LEGACY["django-pbkdf2-sha256"]("pw")
        assert hasher.reencrypt(legacy) == legacy
        argon2i = argon2.PasswordHasher(
            time_cost=1, memory_cost=8, parallelism=1, type=argon2.Type.I
        ).hash("pw")
        assert hasher.reencrypt(argon2i) == argon2i
        with pytest.raises(InvalidHashError):
            hasher.reencrypt("nonsense")
        assert PasswordHasher(**FAST).reencrypt(legacy) == legacy

    def test_chosen_hash_under_victim_salt(self, ring):
        """Wrapping a chosen hash under a victim's salt reveals nothing.

        An attacker who can write rows copies a victim's salt into an
        unpeppered hash of their own and lets the server wrap it: both use
        the same wrapping key, and AES-KW is a pseudorandom permutation, so
        the two wrapped values are unrelated (no keystream to XOR out).
        """
        hasher = PasswordHasher(**FAST, pepper=ring)
        victim = hasher.hash("victim password")
        salt = victim.split("$")[3]
        chosen = base64.b64encode(bytes(32)).decode().rstrip("=")
        sealed = hasher.reencrypt(
            f"$argon2id$v=19$m=8,t=1,p=1${salt}${chosen}"
        )
        assert sealed.split("$")[:4] == victim.split("$")[:4]
        pad = base64.b64decode(sealed.split("$")[-1] + "==")
        victim_wrapped = base64.b64decode(victim.split("$")[-1] + "==")
        guess = bytes(a ^ b for a, b in zip(victim_wrapped, pad, strict=True))
        digest = hasher._check(victim, b"victim password")[1].split("$")[-1]
        assert base64.b64encode(guess[8:]).decode().rstrip("=") != digest
        assert base64.b64encode(guess[:32]).decode().rstrip("=") != digest

    def test_other_lengths_left_alone(self, ring):
        """argon2id hashes with another hash or salt length are not wrapped.

        The format holds a 16-byte salt and a 32-byte hash; others are
        rehashed at the next login.
        """
        hasher = PasswordHasher(**FAST, pepper=ring)
        for kwargs in ({"hash_len": 17}, {"hash_len": 64}, {"salt_len": 8}):
            other = argon2.PasswordHasher(
                time_cost=1, memory_cost=8, parallelism=1, **kwargs
            ).hash("pw")
            assert hasher.reencrypt(other) == other
            assert hasher.needs_rehash(other)
            ok, new = hasher.verify_and_update(other, "pw")
            assert ok
            assert new is not None
            assert new.startswith("$dp2$")
            assert hasher.verify_and_update(new, "pw") == (True, None)

    def test_non_canonical_input_refused(self, ring):
        """A PHC string with stray low bits in its base64 is refused.

        libargon2 refuses it too, so it is never wrapped in repaired form.
        """
        plain = PasswordHasher(**FAST).hash("pw")
        alphabet = string.ascii_uppercase + string.ascii_lowercase
        alphabet += string.digits + "+/"
        hasher = PasswordHasher(**FAST, pepper=ring)
        for index in (4, 5):
            parts = plain.split("$")
            # The last character's low 4 (salt) or 2 (hash) bits are unused.
            stray = alphabet[alphabet.index(parts[index][-1]) | 1]
            parts[index] = parts[index][:-1] + stray
            loose = "$".join(parts)
            with pytest.raises(InvalidHashError):
                hasher.verify(loose, "pw")
            with pytest.raises(InvalidHashError):
                hasher.reencrypt(loose)

    @pytest.mark.parametrize(
        "stored",
        [
            # a 13-character salt is not base64 at all
            "$argon2id$v=19$m=8,t=1,p=1$" + "A" * 13 + "$" + "A" * 43,
            # memory below 8 KiB per lane, or zero passes
            "$argon2id$v=19$m=8,t=1,p=2$" + "A" * 22 + "$" + "A" * 43,
            "$argon2id$v=19$m=8,t=0,p=1$" + "A" * 22 + "$" + "A" * 43,
        ],
    )
    def test_reencrypt_refuses_unusable_plain_hash(self, ring, stored):
        """Adding a pepper refuses a plain argon2id hash libargon2 would refuse."""
        hasher = PasswordHasher(**FAST, pepper=ring)
        with pytest.raises(
            InvalidHashError, match="^malformed or unsupported"
        ):
            hasher.reencrypt(stored)

    def test_header_is_bound(self, ring):
        """A wrapped value moved under another header does not verify.

        The wrapping key is derived from the whole header (parameters, key
        id, salt), so splicing rows or editing parameters gives False.
        """
        hasher = PasswordHasher(**FAST, pepper=ring)
        one, two = hasher.hash("pw"), hasher.hash("pw")
        spliced = one.rsplit("$", 1)[0] + "$" + two.rsplit("$", 1)[1]
        assert not hasher.verify(spliced, "pw")
        for old, new in (
            ("m=8,", "m=16,"),
            ("t=1,", "t=2,"),
            ("p=1,", "p=2,"),
        ):
            edited = one.replace(old, new, 1)
            assert edited != one
            assert not hasher.verify(edited, "pw")
            assert hasher.verify_and_update(edited, "pw") == (False, None)
        old_id, new_id = ring.primary_id, ring.rotate()
        moved = one.replace(f",k={old_id:08x}$", f",k={new_id:08x}$")
        assert moved != one
        assert hasher.verify(moved, "pw") is False

    def test_reencrypt_refuses_forgery(self, ring):
        """reencrypt of a value that fails the integrity check raises."""
        hasher = PasswordHasher(**FAST, pepper=ring)
        one, two = hasher.hash("pw"), hasher.hash("pw")
        spliced = one.rsplit("$", 1)[0] + "$" + two.rsplit("$", 1)[1]
        ring.rotate()
        with pytest.raises(InvalidHashError) as info:
            hasher.reencrypt(spliced)
        assert info.value.__cause__ is None
        assert info.value.__context__ is None
        assert hasher.verify(hasher.reencrypt(one), "pw")

    @pytest.mark.parametrize(
        "change",
        [
            lambda s: s[:-1] + ("B" if s[-1] != "B" else "C"),
            lambda s: s.replace("$dp2$", "$dp1$"),
            lambda s: s.replace("$dp2$", "$dp-argon2id$v=19$"),
            lambda s: s.replace("m=8,", "m=08,"),
            lambda s: s.replace("t=1,", "t=0,"),
            lambda s: s + "A",
            lambda s: s[:-1],
        ],
    )
    def test_malformed_peppered(self, ring, change):
        """Non-canonical or malformed peppered values raise InvalidHashError."""
        hasher = PasswordHasher(**FAST, pepper=ring)
        bad = change(hasher.hash("pw"))
        with pytest.raises(InvalidHashError):
            hasher.verify(bad, "pw")

    def test_needs_keyring(self, ring):
        """A peppered hash without the keyring is a configuration error."""
        stored = PasswordHasher(**FAST, pepper=ring).hash("pw")
        with pytest.raises(ConfigurationError, match="peppered"):
            PasswordHasher(**FAST).verify(stored, "pw")

    def test_other_keyring(self, ring):
        """A peppered hash does not verify under another keyring."""
        stored = PasswordHasher(**FAST, pepper=ring).hash("pw")
        with pytest.raises(KeyNotFoundError):
            PasswordHasher(**FAST, pepper=Keyring.generate()).verify(
                stored, "pw"
            )

    @given(password=passwords, material=st.binary(min_size=32, max_size=32))
    @settings(max_examples=30)
    def test_wrong_key_material_fails(self, password, material):
        """Another key under the same key id never verifies, never raises."""
        key_id = 0x1A2B3C4D
        right = bytes(range(32))
        assume(material != right)
        stored = PasswordHasher(
            **FAST, pepper=keyring_with(right, key_id)
        ).hash(password)
        wrong = PasswordHasher(**FAST, pepper=keyring_with(material, key_id))
        assert wrong.verify(stored, password) is False
        assert wrong.verify_and_update(stored, password) == (False, None)

    def test_fits_django_column(self):
        """Peppered hashes fit Django's 128-character column with its prefix.

        Default parameters give 120 characters, the largest the format
        allows (t=32, 2 GiB, p=64) 124.
        """
        ring = Keyring.generate()
        hasher = PasswordHasher(
            **FAST, pepper=ring, max_time_cost=32, max_memory_cost=2097152
        )
        salt = base64.b64encode(bytes(16)).decode().rstrip("=")
        digest = base64.b64encode(bytes(32)).decode().rstrip("=")
        for params, size in (
            ("m=65536,t=3,p=4", 120),
            ("m=2097152,t=32,p=64", 124),
        ):
            sealed = hasher.reencrypt(
                f"$argon2id$v=19${params}${salt}${digest}"
            )
            assert PEPPERED_GRAMMAR.fullmatch(sealed)
            assert len("dataprotect" + sealed) == size <= 128

    def test_vectors(self):
        """The peppered format matches the committed test vectors."""
        vectors = json.loads(VECTORS.read_text())["pepper"]
        for vector in vectors:
            ring = keyring_with(bytes.fromhex(vector["key"]), vector["key_id"])
            hasher = PasswordHasher(**FAST, pepper=ring)
            assert hasher.reencrypt(vector["argon2"]) == vector["peppered"]
            assert hasher.verify(vector["peppered"], vector["password"])


class TestDummyVerify:
    def test_returns_false(self, hasher):
        """dummy_verify always returns False."""
        assert hasher.dummy_verify("anything") is False
        assert hasher.dummy_verify() is False

    def test_peppered(self, ring):
        """dummy_verify works with a pepper."""
        assert PasswordHasher(**FAST, pepper=ring).dummy_verify("x") is False

    def test_survives_pepper_rotation(self, ring):
        """dummy_verify keeps working after the pepper key is retired."""
        hasher = PasswordHasher(**FAST, pepper=ring)
        assert hasher.dummy_verify("x") is False
        old = ring.primary_id
        ring.rotate()
        ring.retire(old)
        assert hasher.dummy_verify("x") is False

    def test_same_parameters(self, hasher):
        """The dummy hash uses the hasher's current parameters."""
        hasher.dummy_verify("x")
        assert hasher._dummy is not None
        assert not hasher.needs_rehash(hasher._dummy)


class TestConcurrency:
    def test_busy_fails_fast(self):
        """With busy_timeout=0 and no free slot, HasherBusyError at once."""
        hasher = PasswordHasher(**FAST, max_concurrent=1, busy_timeout=0)
        stored = hasher.hash("x")
        with hasher._slot():
            with pytest.raises(HasherBusyError, match="try again later"):
                hasher.hash("pw")
            with pytest.raises(HasherBusyError):
                hasher.verify(stored, "x")
        assert hasher.verify(hasher.hash("pw"), "pw")

    def test_busy_after_timeout(self):
        """A finite busy_timeout waits, then raises."""
        hasher = PasswordHasher(**FAST, max_concurrent=1, busy_timeout=0.05)
        with hasher._slot(), pytest.raises(HasherBusyError):
            hasher.hash("pw")

    def test_waits_for_slot(self):
        """Callers wait for a slot when one frees up in time."""
        hasher = PasswordHasher(**FAST, max_concurrent=1, busy_timeout=None)
        release = threading.Event()
        held = threading.Event()

        def hold():
            with hasher._slot():
                held.set()
                release.wait(5)

        thread = threading.Thread(target=hold)
        thread.start()
        held.wait(5)
        timer = threading.Timer(0.05, release.set)
        timer.start()
        stored = hasher.hash("pw")
        thread.join()
        assert hasher.verify(stored, "pw")

    def test_many_threads(self):
        """Concurrent callers beyond the bound all succeed by waiting."""
        hasher = PasswordHasher(**FAST, max_concurrent=2)
        results: list[bool] = []

        def work(i):
            results.append(hasher.verify(hasher.hash(f"pw{i}"), f"pw{i}"))

        threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert results == [True] * 8

    def test_default_bound_is_process_wide(self):
        """Default hashers share one process-wide bound; explicit ones do not."""
        one, two = PasswordHasher(**FAST), PasswordHasher(**FAST)
        assert one.max_concurrent == two.max_concurrent >= 1
        assert one._slots is two._slots
        assert (
            PasswordHasher(**FAST, max_concurrent=1)._slots is not one._slots
        )


class TestCalibrate:
    def test_small_real(self):
        """calibrate returns a working hasher within the memory bound."""
        hasher = PasswordHasher.calibrate(5, 256, parallelism=1)
        assert hasher.memory_cost <= 256
        assert hasher.time_cost >= 1
        assert hasher.verify(hasher.hash("pw"), "pw")

    def test_slow_machine_lowers_memory(self):
        """When one pass is too slow, memory is halved down to the floor."""
        ticks = iter(range(0, 10_000_000, 10))
        hasher = PasswordHasher.calibrate(
            1, 64, parallelism=1, timer=lambda: float(next(ticks))
        )
        assert hasher.memory_cost == 8
        assert hasher.time_cost == 1

    def test_fast_machine_adds_passes(self):
        """When one pass is fast, passes are added up to the target."""
        clock = [0.0]

        def timer():
            clock[0] += 0.0005
            return clock[0]

        hasher = PasswordHasher.calibrate(5, 16, parallelism=1, timer=timer)
        assert hasher.memory_cost == 16
        assert hasher.time_cost == 10

    def test_passes_removed_while_too_slow(self):
        """Passes estimated from one pass are removed while a run overshoots."""
        # One pass measures 0.5 ms, so 10 passes are tried for a 5 ms
        # target; the next two runs (10, then 9 passes) take 10 ms each.
        steps = iter([0.0005] * 4 + [0.01] * 8)
        clock = [0.0]

        def timer():
            clock[0] += next(steps, 0.0005)
            return clock[0]

        hasher = PasswordHasher.calibrate(5, 16, parallelism=1, timer=timer)
        assert hasher.memory_cost == 16
        assert hasher.time_cost == 8

    @pytest.mark.parametrize(
        ("target", "memory"), [(0, 1024), (-1, 1024), (100, 4)]
    )
    def test_bad_arguments(self, target, memory):
        """Impossible targets raise ConfigurationError."""
        with pytest.raises(ConfigurationError):
            PasswordHasher.calibrate(target, memory, parallelism=1)


#: `passwords hash` of $PW with the cheapest Argon2 settings.
FAST_HASH = (
    "passwords hash --password-env PW"
    " --time-cost 1 --memory-cost 8 --parallelism 1"
)


class TestCLI:
    def test_hash_and_verify(self, tmp_path):
        """`passwords hash` prints a hash that `passwords verify` accepts."""
        env = {"PW": "correct horse", "BAD": "wrong"}
        result = run_cli(FAST_HASH, env=env)
        assert result.exit_code == 0, result.output
        stored = result.output.strip()
        assert stored.startswith("$argon2id$v=19$m=8,t=1,p=1$")
        assert "correct horse" not in result.output
        ok = run_cli(
            "passwords verify", stored, "--password-env", "PW", env=env
        )
        assert ok.exit_code == 0
        assert "password matches (outdated" in ok.output
        bad = run_cli(
            "passwords verify", stored, "--password-env", "BAD", env=env
        )
        assert bad.exit_code == 1

    def test_pepper_keyring(self, tmp_path):
        """`passwords hash --keyring` writes a peppered hash."""
        from dataprotect.keys import EnvKEK

        env = {"KEK": EnvKEK.generate_value(), "PW": "pw"}
        path = tmp_path / "ring.dpkr"
        Keyring.generate().save(path, kek=EnvKEK("KEK", environ=env))
        args = ["--keyring", str(path), "--kek", "env:KEK"]
        result = run_cli(FAST_HASH, *args, env=env)
        assert result.exit_code == 0, result.output
        stored = result.output.strip()
        assert stored.startswith("$dp2$")
        ok = run_cli(
            "passwords verify", stored, "--password-env", "PW", *args, env=env
        )
        assert ok.exit_code == 0, ok.output

    def test_bad_input_exit_2(self):
        """Malformed stored hashes and missing secrets exit 2 in one line."""
        result = run_cli(
            "passwords verify garbage --password-env PW", env={"PW": "x"}
        )
        assert result.exit_code == 2
        assert "malformed or unsupported password hash" in result.output
        assert "Traceback" not in result.output
        result = run_cli("passwords hash")
        assert result.exit_code == 2

    def test_calibrate(self):
        """`passwords calibrate` prints parameters."""
        result = run_cli(
            "passwords calibrate --target-ms 2 --max-memory 64 --parallelism 1"
        )
        assert result.exit_code == 0, result.output
        assert "memory_cost=" in result.output

    def test_demo_step(self, tmp_path, capsys):
        """The demo step runs offline and prints a few lines."""
        from dataprotect.cli._passwords import demo_step

        demo_step(tmp_path)
        out = capsys.readouterr().out
        assert "upgraded to dp2" in out
        assert "with a typo: False" in out


class TestImports:
    def test_no_optional_dependency_at_import(self):
        """passwords and tokens import without bcrypt, Django or passlib."""
        import subprocess
        import sys

        code = (
            "import sys, dataprotect.passwords, dataprotect.tokens;"
            "bad = {'bcrypt', 'django', 'passlib', 'click'};"
            "print(sorted(bad & set(sys.modules)))"
        )
        out = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
        )
        assert out.stdout.strip() == "[]"

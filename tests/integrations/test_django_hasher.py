"""The Django password hasher, driven through Django's own machinery."""

from __future__ import annotations

import pytest


django = pytest.importorskip("django")

from django.conf import settings  # noqa: E402


if not settings.configured:
    settings.configure(
        SECRET_KEY="dataprotect-tests",
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
        ],
        DATABASES={},
        USE_TZ=True,
    )
    django.setup()

from django.contrib.auth.hashers import (  # noqa: E402
    PBKDF2PasswordHasher,
    check_password,
    get_hasher,
    identify_hasher,
    is_password_usable,
    make_password,
)
from django.test import SimpleTestCase, override_settings  # noqa: E402

from dataprotect.integrations.django import (  # noqa: E402
    DataProtectPasswordHasher,
)
from dataprotect.keys import Keyring  # noqa: E402
from dataprotect.passwords import PasswordHasher  # noqa: E402


FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
SLOWER = PasswordHasher(time_cost=2, memory_cost=8, parallelism=1)
HASHERS = [
    "dataprotect.integrations.django.DataProtectPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]


@override_settings(PASSWORD_HASHERS=HASHERS, DATAPROTECT_PASSWORD_HASHER=FAST)
class TestDjangoPasswordHasher(SimpleTestCase):
    def test_make_and_check(self):
        """make_password uses the hasher; check_password verifies."""
        encoded = make_password("lètmein")
        assert encoded.startswith("dataprotect$argon2id$v=19$m=8,t=1,p=1$")
        assert len(encoded) <= 128
        assert is_password_usable(encoded)
        assert isinstance(identify_hasher(encoded), DataProtectPasswordHasher)
        assert check_password("lètmein", encoded)
        assert not check_password("letmein", encoded)

    def test_bytes_password(self):
        """Django also accepts bytes passwords."""
        assert check_password("pw", make_password(b"pw"))

    def test_upgrades_django_pbkdf2(self):
        """An old PBKDF2 hash is upgraded through check_password's setter."""
        old = PBKDF2PasswordHasher().encode("pw", "saltsalt", iterations=10)
        updates: list[str] = []

        def setter(raw):
            updates.append(make_password(raw))

        assert check_password("pw", old, setter)
        assert len(updates) == 1
        assert updates[0].startswith("dataprotect$")
        assert check_password("pw", updates[0], setter)
        assert len(updates) == 1

    def test_must_update_on_new_parameters(self):
        """Changing the configured parameters marks hashes for update."""
        encoded = make_password("pw")
        hasher = get_hasher("dataprotect")
        assert not hasher.must_update(encoded)
        with override_settings(DATAPROTECT_PASSWORD_HASHER=SLOWER):
            assert hasher.must_update(encoded)
            updates: list[str] = []
            assert check_password("pw", encoded, updates.append)
            assert updates == ["pw"]

    def test_pepper(self):
        """A peppered hasher fits the column and rotates via must_update."""
        ring = Keyring.generate()
        peppered = PasswordHasher(
            time_cost=1, memory_cost=8, parallelism=1, pepper=ring
        )
        with override_settings(DATAPROTECT_PASSWORD_HASHER=peppered):
            encoded = make_password("pw")
            assert encoded.startswith("dataprotect$dp2$m=8,t=1,p=1,k=")
            assert len(encoded) <= 128
            assert check_password("pw", encoded)
            summary = get_hasher("dataprotect").safe_summary(encoded)
            assert summary["variety"] == "dp2"
            assert summary["memory cost"] == 8
            assert summary["pepper key"] == f"{ring.primary_id:08x}"
            assert encoded.split("$")[-1] not in str(summary)
            ring.rotate()
            assert get_hasher("dataprotect").must_update(encoded)

    def test_pepper_fits_column_default(self):
        """A peppered hash at the default parameters is 120 characters."""
        ring = Keyring.generate()
        with override_settings(
            DATAPROTECT_PASSWORD_HASHER=PasswordHasher(pepper=ring)
        ):
            encoded = make_password("correct horse battery staple")
            assert encoded.startswith("dataprotect$dp2$m=65536,t=3,p=4,k=")
            assert len(encoded) == 120
            assert check_password("correct horse battery staple", encoded)

    def test_pepper_fits_column_largest(self):
        """At the largest parameters the format allows it is 124 characters.

        t=32, 2 GiB, p=64 cannot be hashed in a test: an argon2id string
        with those parameters is wrapped with reencrypt instead, and the
        result goes through Django's hasher look-up and summary.
        """
        largest = PasswordHasher(
            time_cost=32,
            memory_cost=2 * 1024 * 1024,
            parallelism=64,
            pepper=Keyring.generate(),
        )
        phc = "$argon2id$v=19$m=2097152,t=32,p=64$" + "A" * 22 + "$" + "A" * 43
        encoded = "dataprotect" + largest.reencrypt(phc)
        assert encoded.startswith("dataprotect$dp2$m=2097152,t=32,p=64,k=")
        assert len(encoded) == 124
        assert isinstance(identify_hasher(encoded), DataProtectPasswordHasher)
        with override_settings(DATAPROTECT_PASSWORD_HASHER=largest):
            hasher = get_hasher("dataprotect")
            assert not hasher.must_update(encoded)
            assert hasher.safe_summary(encoded)["time cost"] == 32

    def test_safe_summary(self):
        """The admin summary masks the salt and hash."""
        encoded = make_password("pw")
        summary = get_hasher("dataprotect").safe_summary(encoded)
        assert summary["algorithm"] == "dataprotect"
        assert summary["memory cost"] == 8
        assert summary["pepper key"] == "none"
        inner = encoded.split("$")
        assert inner[-1] not in str(summary)
        assert inner[-2] not in str(summary)

    def test_harden_runtime(self):
        """harden_runtime runs without error (timing equalisation)."""
        encoded = make_password("pw")
        get_hasher("dataprotect").harden_runtime("wrong", encoded)

    def test_unhashable_passwords_are_false(self):
        """Over-long, surrogate or undecodable passwords verify as False."""
        encoded = make_password("pw")
        assert not check_password("a" * 5000, encoded)
        assert not check_password("\ud800", encoded)
        assert not check_password(b"\xff", encoded)
        get_hasher("dataprotect").harden_runtime("a" * 5000, encoded)

    def test_wrong_algorithm(self):
        """A hash of another algorithm is refused by this hasher."""
        with pytest.raises(ValueError):
            DataProtectPasswordHasher().verify("pw", "pbkdf2_sha256$1$a$b")

    def test_unusable_and_none(self):
        """Unusable passwords and None never verify."""
        assert not check_password(None, make_password("pw"))
        assert not check_password("pw", make_password(None))

    def test_default_hasher(self):
        """Without the setting, a default PasswordHasher is used."""
        with override_settings(DATAPROTECT_PASSWORD_HASHER=None):
            from dataprotect.integrations.django import _hasher

            hasher = _hasher()
            assert hasher is _hasher()
            assert hasher.memory_cost == 65536

    def test_bad_setting(self):
        """A setting that is not a PasswordHasher raises TypeError."""
        with (
            override_settings(DATAPROTECT_PASSWORD_HASHER="argon2"),
            pytest.raises(TypeError),
        ):
            make_password("pw")


class TestWithoutDjango:
    def test_missing_django_is_named_first(self, monkeypatch):
        """Without Django (and so without limits), importing the adapter
        names Django and its extra, not a dependency of a dependency."""
        import importlib
        import sys

        from dataprotect.errors import MissingDependencyError

        for name in list(sys.modules):
            if name == "django" or name.startswith(("django.", "limits")):
                monkeypatch.setitem(sys.modules, name, None)
        monkeypatch.setitem(sys.modules, "django", None)
        monkeypatch.setitem(sys.modules, "limits", None)
        monkeypatch.delitem(sys.modules, "dataprotect.integrations.django")
        with pytest.raises(
            MissingDependencyError,
            match=r"^the Django adapter needs django: install dataprotect\[django\]$",
        ):
            importlib.import_module("dataprotect.integrations.django")

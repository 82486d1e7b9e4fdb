"""Django adapters: a password hasher for ``PASSWORD_HASHERS``.

Install with ``pip install dataprotect[django]``.
"""

from __future__ import annotations

import contextlib
import threading

from typing import Any, ClassVar

from dataprotect.errors import InvalidPasswordError, MissingDependencyError


try:
    from django.conf import settings
    from django.contrib.auth.hashers import BasePasswordHasher, mask_hash
except ImportError:  # pragma: no cover - exercised without Django
    msg = "the Django integration needs Django: install dataprotect[django]"
    raise MissingDependencyError(msg) from None

from dataprotect.passwords import PasswordHasher


__all__ = ["DataProtectPasswordHasher"]


# ---------------------------------------------------------------------------
# Password hasher (dataprotect.passwords)
# ---------------------------------------------------------------------------

_default_lock = threading.Lock()
_default: list[PasswordHasher] = []


def _hasher() -> PasswordHasher:
    """The configured :class:`PasswordHasher`, or a shared default one."""
    configured = getattr(settings, "DATAPROTECT_PASSWORD_HASHER", None)
    if configured is not None:
        if not isinstance(configured, PasswordHasher):
            msg = "DATAPROTECT_PASSWORD_HASHER must be a PasswordHasher"
            raise TypeError(msg)
        return configured
    with _default_lock:
        if not _default:
            _default.append(PasswordHasher())
        return _default[0]


def _text(password: str | bytes) -> str:
    if isinstance(password, bytes):
        return password.decode("utf-8")
    return password


class DataProtectPasswordHasher(BasePasswordHasher):  # type: ignore[misc]
    """A Django password hasher backed by :class:`~dataprotect.passwords.PasswordHasher`.

    Put it first in ``PASSWORD_HASHERS``; keep the old hashers after it so
    existing hashes still verify and are upgraded at the next login::

        PASSWORD_HASHERS = [
            "dataprotect.integrations.django.DataProtectPasswordHasher",
            "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        ]

    The stored value is ``dataprotect`` followed by the hasher's output
    (``dataprotect$argon2id$v=19$...``, or ``dataprotect$dp-argon2id$...``
    with a pepper), at most 128 characters, which fits Django's password
    column.  Configure parameters and the pepper with a
    ``DATAPROTECT_PASSWORD_HASHER = PasswordHasher(...)`` setting; without
    it, the defaults are used.  Django's *salt* argument is ignored: every
    hash gets a fresh random 128-bit salt.

    .. versionadded:: 0.1.0
    """

    algorithm: ClassVar[str] = "dataprotect"

    def _inner(self, encoded: str) -> str:
        algorithm, sep, rest = encoded.partition("$")
        if algorithm != self.algorithm or not sep:
            msg = "not a dataprotect password hash"
            raise ValueError(msg)
        return "$" + rest

    def salt(self) -> str:
        """A placeholder: :meth:`encode` draws its own salt."""
        return "unused"

    def encode(self, password: str | bytes, salt: str) -> str:
        """Hash *password* (Django's *salt* is ignored)."""
        self._check_encode_args(password, salt)
        return self.algorithm + _hasher().hash(_text(password))

    def verify(self, password: str | bytes, encoded: str) -> bool:
        """Whether *password* matches *encoded*.

        A password that could never have been hashed (over 4 KiB, a lone
        surrogate, undecodable bytes) is ``False`` rather than an error, so
        a login form cannot be made to fail with a server error.
        """
        try:
            text = _text(password)
        except UnicodeDecodeError:
            return False
        try:
            return _hasher().verify(self._inner(encoded), text)
        except InvalidPasswordError:
            return False

    def decode(self, encoded: str) -> dict[str, Any]:
        """The parts Django shows in the admin (never the hash itself)."""
        inner = self._inner(encoded)
        parts = inner.split("$")
        params = dict(
            item.split("=", 1) for item in parts[3].split(",") if "=" in item
        )
        return {
            "algorithm": self.algorithm,
            "variety": parts[1],
            "salt": parts[4],
            "hash": parts[5],
            "memory_cost": int(params["m"]),
            "time_cost": int(params["t"]),
            "parallelism": int(params["p"]),
            "pepper_key": params.get("k"),
        }

    def safe_summary(self, encoded: str) -> dict[str, Any]:
        """Algorithm and parameters, with salt and hash masked."""
        decoded = self.decode(encoded)
        return {
            "algorithm": decoded["algorithm"],
            "variety": decoded["variety"],
            "memory cost": decoded["memory_cost"],
            "time cost": decoded["time_cost"],
            "parallelism": decoded["parallelism"],
            "pepper key": decoded["pepper_key"] or "none",
            "salt": mask_hash(decoded["salt"]),
            "hash": mask_hash(decoded["hash"]),
        }

    def must_update(self, encoded: str) -> bool:
        """Whether the hash uses old parameters or an old pepper key."""
        return _hasher().needs_rehash(self._inner(encoded))

    def harden_runtime(self, password: str | bytes, encoded: str) -> None:  # noqa: ARG002
        """Spend a current-parameter verification (timing equalisation)."""
        with contextlib.suppress(InvalidPasswordError, UnicodeDecodeError):
            _hasher().dummy_verify(_text(password))

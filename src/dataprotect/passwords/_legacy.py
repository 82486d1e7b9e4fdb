"""Verification of legacy password hash formats, for upgrades at login.

Each scheme is re-implemented from its published format with :mod:`hashlib`
(and the ``bcrypt`` package for bcrypt), compared in constant time, and
bounded: a stored value that asks for more work than its :class:`Bounds`
allow (a corrupted or hostile row) is refused with
:class:`~dataprotect.errors.InvalidHashError` before any hashing, so it can
never become a slow path.

Only verification is offered: new hashes are always argon2id.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re

from collections.abc import Callable
from typing import Final, NamedTuple

import argon2

from argon2.low_level import Type, error_to_str, verify_secret

from dataprotect.errors import (
    HasherBusyError,
    InvalidHashError,
    MissingDependencyError,
)


__all__ = [
    "DEFAULT_BOUNDS",
    "MALFORMED",
    "MAX_BCRYPT_COST",
    "MAX_MEMORY_COST",
    "MAX_PARALLELISM",
    "MAX_PBKDF2_ITERATIONS",
    "MAX_TIME_COST",
    "NO_MEMORY",
    "SCHEMES",
    "Bounds",
    "argon2_params",
    "scheme_of",
    "verify",
    "verify_argon2",
]

#: Scheme name -> the prefix that identifies it.
SCHEMES: Final[dict[str, str]] = {
    "django-pbkdf2-sha256": "pbkdf2_sha256$",
    "django-pbkdf2-sha1": "pbkdf2_sha1$",
    "django-argon2": "argon2$",
    "django-bcrypt-sha256": "bcrypt_sha256$",
    "django-scrypt": "scrypt$",
    "passlib-pbkdf2-sha256": "$pbkdf2-sha256$",
    "bcrypt": "$2",
}

MALFORMED: Final = "malformed or unsupported password hash"
_MALFORMED: Final = MALFORMED
#: The message of the HasherBusyError for a failed allocation.
NO_MEMORY: Final = (
    "not enough memory to hash the password now; try again later"
)
# Default bounds on the costs read from a stored hash, so that a corrupted
# or hostile row can take neither seconds nor gigabytes (documented, with
# the reasons for each number, in dataprotect.passwords).
MAX_TIME_COST: Final = 8
MAX_MEMORY_COST: Final = 256 * 1024
MAX_PARALLELISM: Final = 64
MAX_BCRYPT_COST: Final = 13
MAX_PBKDF2_ITERATIONS: Final = 2_000_000
# Django's scrypt writes N=2**14, r=8, p=1 (16 MiB): 4x its memory and 8x
# its work (N * r * p) at most.
_MAX_SCRYPT_MEMORY: Final = 64 * 1024 * 1024
_MAX_SCRYPT_WORK: Final = 1 << 20
_TYPES: Final = {
    "$argon2id$": Type.ID,
    "$argon2i$": Type.I,
    "$argon2d$": Type.D,
}
# libargon2's text for ARGON2_MEMORY_ALLOCATION_ERROR (-22 in argon2.h's
# stable error enum), as argon2-cffi's VerificationError carries it.
_ARGON2_NO_MEMORY: Final = error_to_str(-22)


class Bounds(NamedTuple):
    """The most work a stored hash may ask for; more is refused unworked."""

    time_cost: int
    memory_cost: int
    parallelism: int
    bcrypt_cost: int
    pbkdf2_iterations: int


DEFAULT_BOUNDS: Final = Bounds(
    MAX_TIME_COST,
    MAX_MEMORY_COST,
    MAX_PARALLELISM,
    MAX_BCRYPT_COST,
    MAX_PBKDF2_ITERATIONS,
)
_BCRYPT_RE: Final = re.compile(r"\$2[abxy]\$(\d\d)\$[./A-Za-z0-9]{53}")
_DIGITS_RE: Final = re.compile(r"[1-9][0-9]{0,9}")
_B64_RE: Final = re.compile(r"[A-Za-z0-9+/]+={0,2}")
_AB64_RE: Final = re.compile(r"[A-Za-z0-9./]*")
_ARGON2_HEAD_RE: Final = re.compile(
    r"\$argon2(id|i|d)\$(?:v=1[69]\$)?m=([0-9]{1,8}),t=([0-9]{1,4}),"
    r"p=([0-9]{1,3})\$"
)


def _argon2_type(phc: str) -> Type:
    for prefix, kind in _TYPES.items():
        if phc.startswith(prefix):
            return kind
    raise InvalidHashError(_MALFORMED)


def argon2_params(phc: str, bounds: Bounds) -> argon2.Parameters:
    _argon2_type(phc)
    try:
        params = argon2.extract_parameters(phc)
    except (argon2.exceptions.InvalidHashError, ValueError):
        raise InvalidHashError(_MALFORMED) from None
    if (
        params.time_cost > bounds.time_cost
        or params.memory_cost > bounds.memory_cost
        or params.parallelism > bounds.parallelism
    ):
        raise InvalidHashError(_MALFORMED)
    return params


def _argon2_bounds(phc: str, bounds: Bounds) -> Type:
    """Check the cost parameters quickly (libargon2 parses the rest)."""
    match = _ARGON2_HEAD_RE.match(phc)
    if match is None:
        raise InvalidHashError(_MALFORMED)
    kind, m, t, p = match.groups()
    if (
        int(t) > bounds.time_cost
        or int(m) > bounds.memory_cost
        or not 1 <= int(p) <= bounds.parallelism
    ):
        raise InvalidHashError(_MALFORMED)
    return _TYPES[f"$argon2{kind}$"]


def verify_argon2(phc: str, password: bytes, bounds: Bounds) -> bool:
    """Verify an argon2 PHC string, bounded and without raising on mismatch.

    Raises:
        InvalidHashError: Malformed, or costs beyond *bounds*.
        HasherBusyError: libargon2 could not allocate the memory.
    """
    kind = _argon2_bounds(phc, bounds)
    try:
        return verify_secret(phc.encode("ascii"), password, kind)
    except argon2.exceptions.VerifyMismatchError:
        return False
    except argon2.exceptions.VerificationError as exc:
        busy = str(exc) == _ARGON2_NO_MEMORY
    except UnicodeEncodeError:
        busy = False
    if busy:
        raise HasherBusyError(NO_MEMORY)
    raise InvalidHashError(_MALFORMED)


def scheme_of(stored: str) -> str | None:
    """The legacy scheme of *stored*, or ``None`` if it is none of them."""
    for name, prefix in SCHEMES.items():
        if stored.startswith(prefix):
            return name
    return None


def _bad() -> InvalidHashError:
    return InvalidHashError(_MALFORMED)


def _int(text: str, high: int) -> int:
    if not _DIGITS_RE.fullmatch(text):
        raise _bad()
    value = int(text)
    if value > high:
        raise _bad()
    return value


def _b64(text: str) -> bytes:
    if not _B64_RE.fullmatch(text):
        raise _bad()
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise _bad() from None


def _ab64(text: str) -> bytes:
    """passlib's "adapted base64": ``.`` for ``+``, no padding."""
    if not _AB64_RE.fullmatch(text) or len(text) % 4 == 1:
        raise _bad()
    try:
        return base64.b64decode(
            text.replace(".", "+") + "=" * (-len(text) % 4), validate=True
        )
    except (binascii.Error, ValueError):
        raise _bad() from None


def _salt(text: str) -> bytes:
    """A Django salt's UTF-8; one with a lone surrogate is malformed.

    Raised outside the ``except`` block: the ``UnicodeEncodeError`` holds
    the stored value and must not ride along as ``__context__``.
    """
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        pass
    raise _bad()


def _django_pbkdf2(
    stored: str, password: bytes, digest: str, bounds: Bounds
) -> bool:
    parts = stored.split("$")
    if len(parts) != 4 or not parts[2] or "\x00" in parts[2]:
        raise _bad()
    iterations = _int(parts[1], bounds.pbkdf2_iterations)
    expected = _b64(parts[3])
    if len(expected) != hashlib.new(digest).digest_size:
        raise _bad()
    actual = hashlib.pbkdf2_hmac(digest, password, _salt(parts[2]), iterations)
    return hmac.compare_digest(actual, expected)


def _passlib_pbkdf2(stored: str, password: bytes, bounds: Bounds) -> bool:
    parts = stored.split("$")
    if len(parts) != 5 or parts[0]:
        raise _bad()
    rounds = _int(parts[2], bounds.pbkdf2_iterations)
    salt = _ab64(parts[3])
    expected = _ab64(parts[4])
    if len(expected) != 32:
        raise _bad()
    actual = hashlib.pbkdf2_hmac("sha256", password, salt, rounds)
    return hmac.compare_digest(actual, expected)


def _django_scrypt(stored: str, password: bytes) -> bool:
    parts = stored.split("$")
    if len(parts) != 6 or not parts[2] or "\x00" in parts[2]:
        raise _bad()
    n = _int(parts[1], 1 << 24)
    r = _int(parts[3], 64)
    p = _int(parts[4], 64)
    expected = _b64(parts[5])
    if n < 2 or n & (n - 1) or len(expected) != 64:
        raise _bad()
    if 128 * r * n > _MAX_SCRYPT_MEMORY or n * r * p > _MAX_SCRYPT_WORK:
        raise _bad()
    memory = 128 * r * (n + p + 2)
    salt = _salt(parts[2])
    try:
        actual = hashlib.scrypt(
            password,
            salt=salt,
            n=n,
            r=r,
            p=p,
            maxmem=memory + (1 << 20),
            dklen=64,
        )
    except (ValueError, MemoryError):
        # The parameters are checked: OpenSSL's "malloc failure".
        actual = None
    if actual is None:
        raise HasherBusyError(NO_MEMORY)
    return hmac.compare_digest(actual, expected)


def _bcrypt(stored: str, password: bytes, bounds: Bounds) -> bool:
    match = _BCRYPT_RE.fullmatch(stored)
    if match is None:
        raise _bad()
    cost = int(match.group(1))
    if not 4 <= cost <= bounds.bcrypt_cost:
        raise _bad()
    try:
        import bcrypt
    except ImportError:
        msg = "bcrypt hashes need the bcrypt package: install dataprotect[bcrypt]"
        raise MissingDependencyError(msg) from None
    # bcrypt reads at most 72 bytes; the hashes on file were made from that
    # prefix, so verify the same (bcrypt >= 5 refuses longer input rather
    # than truncating it).
    password = password[:72]
    try:
        actual = bcrypt.hashpw(password, stored.encode("ascii"))
    except ValueError:
        raise _bad() from None
    return hmac.compare_digest(actual, stored.encode("ascii"))


def _django_argon2(stored: str, password: bytes, bounds: Bounds) -> bool:
    return verify_argon2(stored[len("argon2") :], password, bounds)


def _django_bcrypt_sha256(
    stored: str, password: bytes, bounds: Bounds
) -> bool:
    hexdigest = hashlib.sha256(password).hexdigest().encode("ascii")
    return _bcrypt(stored[len("bcrypt_sha256$") :], hexdigest, bounds)


_VERIFIERS: Final[dict[str, Callable[[str, bytes, Bounds], bool]]] = {
    "django-pbkdf2-sha256": lambda s, p, b: _django_pbkdf2(s, p, "sha256", b),
    "django-pbkdf2-sha1": lambda s, p, b: _django_pbkdf2(s, p, "sha1", b),
    "django-argon2": _django_argon2,
    "django-bcrypt-sha256": _django_bcrypt_sha256,
    "django-scrypt": lambda s, p, _: _django_scrypt(s, p),
    "passlib-pbkdf2-sha256": _passlib_pbkdf2,
    "bcrypt": _bcrypt,
}


def verify(stored: str, password: bytes, bounds: Bounds) -> bool:
    """Whether *password* (UTF-8) matches legacy hash *stored*.

    Raises:
        InvalidHashError: *stored* is malformed, of no known scheme, or
            asks for more work than *bounds* (and the scrypt bounds) allow.
        MissingDependencyError: A bcrypt hash without the bcrypt package.
        HasherBusyError: The memory for the hash could not be allocated.
    """
    scheme = scheme_of(stored)
    if scheme is None:
        raise _bad()
    return _VERIFIERS[scheme](stored, password, bounds)

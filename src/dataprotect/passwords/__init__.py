"""Password hashing: argon2id, legacy upgrades, an optional pepper.

:class:`PasswordHasher` hashes with argon2id (argon2-cffi) under the RFC
9106 "low memory" profile (t=3, 64 MiB, p=4), verifies argon2 hashes made by
plain argon2-cffi and the legacy formats of Django, passlib and bcrypt, and
upgrades them through :meth:`PasswordHasher.verify_and_update` at the next
login.

With a *pepper* (a :class:`~dataprotect.keys.Keyring`), the argon2 output
is wrapped with AES Key Wrap (NIST SP 800-38F, RFC 3394) under a key the
database never sees, so a stolen table cannot be attacked offline.  The
hash is encrypted rather than the password pre-hashed with the pepper, so
rotating the pepper re-encrypts stored hashes without anyone's password
(:meth:`PasswordHasher.reencrypt`).  The format is in
``docs/formats/passwords.md``.

Verification is bounded: a stored hash asking for more work than
:data:`MAX_TIME_COST`, :data:`MAX_MEMORY_COST`, :data:`MAX_BCRYPT_COST` or
:data:`MAX_PBKDF2_ITERATIONS` allow (a corrupted or hostile row) is refused
with :class:`~dataprotect.errors.InvalidHashError` before any hashing.  A
hasher accepts its own costs, and its ``max_*`` arguments raise (or lower)
the bounds.  Django scrypt hashes may use at most 64 MiB and N * r * p of
2**20 (4x the memory and 8x the work of Django's default).

This module holds the whole public API of the package; beside it is the
private ``_legacy``: verification of the legacy formats (Django, passlib,
bcrypt) and the bounds on the costs read from stored hashes.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hmac
import os
import re
import secrets
import threading
import time

from collections.abc import Callable, Iterator
from typing import Final, NamedTuple, TypeVar

import argon2

from argon2.exceptions import HashingError
from argon2.low_level import Type, hash_secret, hash_secret_raw
from cryptography.hazmat.primitives.keywrap import (
    InvalidUnwrap,
    aes_key_unwrap,
    aes_key_wrap,
)

from dataprotect import _kdf, keys
from dataprotect._secret import Unpicklable
from dataprotect.errors import (
    ConfigurationError,
    HasherBusyError,
    InvalidHashError,
    InvalidPasswordError,
)
from dataprotect.keys import Keyring
from dataprotect.passwords import _legacy
from dataprotect.passwords._legacy import argon2_params, verify_argon2


__all__ = [
    "DEFAULT_MEMORY_COST",
    "DEFAULT_PARALLELISM",
    "DEFAULT_TIME_COST",
    "MAX_BCRYPT_COST",
    "MAX_MEMORY_COST",
    "MAX_PASSWORD_BYTES",
    "MAX_PBKDF2_ITERATIONS",
    "MAX_TIME_COST",
    "PasswordHasher",
]

#: argon2id passes (RFC 9106 second recommended option).
DEFAULT_TIME_COST: Final = 3
#: argon2id memory in KiB (64 MiB; RFC 9106 second recommended option).
DEFAULT_MEMORY_COST: Final = 64 * 1024
#: argon2id lanes.
DEFAULT_PARALLELISM: Final = 4
#: The longest password accepted, in UTF-8 bytes, checked before hashing.
MAX_PASSWORD_BYTES: Final = 4096
#: The most argon2 passes a stored hash may ask for (default of
#: ``max_time_cost``): 8, above every published recommendation (OWASP's
#: largest is 5, PHP's and libsodium's 4, ours 3, Django's 2).
MAX_TIME_COST: Final = _legacy.MAX_TIME_COST
#: The most argon2 memory a stored hash may ask for, in KiB (default of
#: ``max_memory_cost``): 256 MiB, 4x ours and 2.5x Django's 100 MiB.
MAX_MEMORY_COST: Final = _legacy.MAX_MEMORY_COST
#: The highest bcrypt cost a stored hash may ask for (default of
#: ``max_bcrypt_cost``): 13, twice the work of the common default 12
#: (Django, passlib, the bcrypt package).
MAX_BCRYPT_COST: Final = _legacy.MAX_BCRYPT_COST
#: The most PBKDF2 iterations a stored hash may ask for (default of
#: ``max_pbkdf2_iterations``): 2,000,000; Django 5.2 writes 1,000,000,
#: Werkzeug 3.1 1,000,000, passlib 29,000.
MAX_PBKDF2_ITERATIONS: Final = _legacy.MAX_PBKDF2_ITERATIONS

_HASH_LEN: Final = 32
_SALT_LEN: Final = 16
_MALFORMED: Final = _legacy.MALFORMED
_MAX_STORED: Final = 1024
# The costs a hasher may be configured with (and its bounds raised to).
_MAX_TIME_COST: Final = 32
_MAX_MEMORY_COST: Final = 2 * 1024 * 1024
_MAX_PARALLELISM: Final = _legacy.MAX_PARALLELISM
_NO_PEPPER: Final = (
    "this hash is peppered: give the PasswordHasher its keyring"
)
_PHC_RE: Final = re.compile(
    r"\$argon2id\$v=19\$m=([0-9]{1,7}),t=([0-9]{1,2}),p=([0-9]{1,2})"
    r"\$([A-Za-z0-9+/]{11,64})\$([A-Za-z0-9+/]{22,86})"
)
#: Peppered hashes: argon2id v=19 with a 16-byte salt and a 32-byte output
#: wrapped with AES-KW (40 bytes).  Decimal parameters without leading
#: zeros and canonical base64 (the unused low bits of the last character
#: are zero), so that each value has exactly one spelling.
_PEPPER_PREFIX: Final = "$dp2$"
_PEPPER_RE: Final = re.compile(
    r"\$dp2\$m=([1-9][0-9]{0,6}),t=([1-9][0-9]?),p=([1-9][0-9]?)"
    r",k=([0-9a-f]{8})\$([A-Za-z0-9+/]{21}[AQgw])\$([A-Za-z0-9+/]{53}[AQgw])"
)


class _Sealed(NamedTuple):
    """The fields of a peppered hash (syntax checked, not yet unwrapped)."""

    header: str
    memory_cost: int
    time_cost: int
    parallelism: int
    key_id: int
    salt: str
    wrapped: bytes


#: The process-wide bound shared by every hasher made without an explicit
#: *max_concurrent*: (size, semaphore).
_PROCESS_SLOTS: Final = (
    os.cpu_count() or 1,
    threading.BoundedSemaphore(os.cpu_count() or 1),
)


def _phc_b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _phc_b64decode(text: str) -> bytes:
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidHashError(_MALFORMED) from None


def _check_bounds(
    bounds: _legacy.Bounds, time_cost: int, memory_cost: int, parallelism: int
) -> None:
    """Refuse argon2id parameters beyond *bounds*, before any hashing."""
    if not (
        1 <= time_cost <= bounds.time_cost
        and 1 <= parallelism <= bounds.parallelism
        and 8 * parallelism <= memory_cost <= bounds.memory_cost
    ):
        raise InvalidHashError(_MALFORMED)


_T = TypeVar("_T")


def _argon2(call: Callable[[], _T]) -> _T:
    """Run an argon2 *call*; a failed allocation is a HasherBusyError.

    The costs are checked first, so a ``HashingError`` (or ``MemoryError``)
    here means the memory or threads could not be had now: a memory cap.
    """
    try:
        return call()
    except (HashingError, MemoryError):
        pass
    raise HasherBusyError(_legacy.NO_MEMORY)


def _encode_password(password: object, *, hashing: bool, limit: int) -> bytes:
    if not isinstance(password, str):
        msg = "password must be str"
        raise TypeError(msg)
    # 4 bytes per code point at most: refuse huge input before encoding it.
    if len(password) > limit:
        msg = f"password must be at most {limit} bytes in UTF-8"
        raise InvalidPasswordError(msg)
    # Raised outside the ``except`` block: the UnicodeEncodeError holds the
    # password and must not ride along as ``__context__``.
    raw = None
    with contextlib.suppress(UnicodeEncodeError):
        raw = password.encode("utf-8")
    if raw is None:
        msg = "password must be valid Unicode (it contains a lone surrogate)"
        raise InvalidPasswordError(msg)
    if len(raw) > limit:
        msg = f"password must be at most {limit} bytes in UTF-8"
        raise InvalidPasswordError(msg)
    if hashing and not raw:
        msg = "password must not be empty"
        raise InvalidPasswordError(msg)
    return raw


def _check_stored(stored: object) -> str:
    if not isinstance(stored, str):
        msg = "stored must be str"
        raise TypeError(msg)
    if len(stored) > _MAX_STORED:
        raise InvalidHashError(_MALFORMED)
    return stored


def _stored_bounds(
    time_cost: int,
    memory_cost: int,
    max_time_cost: int | None,
    max_memory_cost: int | None,
    max_bcrypt_cost: int,
    max_pbkdf2_iterations: int,
) -> _legacy.Bounds:
    """The bounds on stored hashes of a hasher with these costs (checked)."""
    if max_time_cost is None:
        max_time_cost = max(MAX_TIME_COST, time_cost)
    if max_memory_cost is None:
        max_memory_cost = max(MAX_MEMORY_COST, memory_cost)
    if not time_cost <= max_time_cost <= _MAX_TIME_COST:
        msg = "max_time_cost must be from time_cost to 32"
        raise ConfigurationError(msg)
    if not memory_cost <= max_memory_cost <= _MAX_MEMORY_COST:
        msg = "max_memory_cost must be from memory_cost to 2 GiB"
        raise ConfigurationError(msg)
    if not 4 <= max_bcrypt_cost <= 31:
        msg = "max_bcrypt_cost must be from 4 to 31"
        raise ConfigurationError(msg)
    if max_pbkdf2_iterations < 1:
        msg = "max_pbkdf2_iterations must be at least 1"
        raise ConfigurationError(msg)
    return _legacy.Bounds(
        max_time_cost,
        max_memory_cost,
        _MAX_PARALLELISM,
        max_bcrypt_cost,
        max_pbkdf2_iterations,
    )


class PasswordHasher(Unpicklable):
    """Hash and verify passwords with argon2id; upgrade legacy hashes.

    Configuration is checked once, here.  Hashing and verification are
    bounded per process: each argon2id call holds *memory_cost* KiB, so at
    most *max_concurrent* run at once, and callers beyond the bound wait up
    to *busy_timeout* seconds, then get
    :class:`~dataprotect.errors.HasherBusyError`.  Every hasher made without
    an explicit *max_concurrent* shares one process-wide bound (the CPU
    count); a hasher given one has its own.

    Args:
        time_cost: argon2id passes.
        memory_cost: argon2id memory in KiB (at least ``8 * parallelism``).
        parallelism: argon2id lanes.
        pepper: A keyring whose primary key encrypts every new hash (see
            the module docstring); ``None`` for plain argon2id strings that
            argon2-cffi verifies.
        max_concurrent: How many hashes or verifications this hasher may
            run at once; default: share the process-wide bound of one per
            CPU with every other default hasher.
        busy_timeout: Seconds to wait for a free slot; ``0`` fails at once
            when all are taken, ``None`` waits for ever.
        max_password_bytes: The longest password accepted (UTF-8 bytes).
        max_time_cost: The most argon2 passes a stored hash may ask for,
            from *time_cost* to 32; default: :data:`MAX_TIME_COST` or
            *time_cost* if higher.
        max_memory_cost: The most argon2 memory (KiB) a stored hash may
            ask for, from *memory_cost* to 2 GiB; default:
            :data:`MAX_MEMORY_COST` or *memory_cost* if higher.
        max_bcrypt_cost: The highest bcrypt cost accepted, 4 to 31.
        max_pbkdf2_iterations: The most PBKDF2 iterations accepted.

    Raises:
        dataprotect.errors.ConfigurationError: Impossible or unsafe
            parameters, or bounds below the hasher's own costs.

    .. versionadded:: 0.1.0
    """

    __slots__ = (
        "_bounds",
        "_busy_timeout",
        "_dummy",
        "_dummy_lock",
        "_limit",
        "_params",
        "_pepper",
        "_slots",
        "max_concurrent",
    )

    def __init__(
        self,
        *,
        time_cost: int = DEFAULT_TIME_COST,
        memory_cost: int = DEFAULT_MEMORY_COST,
        parallelism: int = DEFAULT_PARALLELISM,
        pepper: Keyring | None = None,
        max_concurrent: int | None = None,
        busy_timeout: float | None = 10.0,
        max_password_bytes: int = MAX_PASSWORD_BYTES,
        max_time_cost: int | None = None,
        max_memory_cost: int | None = None,
        max_bcrypt_cost: int = MAX_BCRYPT_COST,
        max_pbkdf2_iterations: int = MAX_PBKDF2_ITERATIONS,
    ) -> None:
        if not 1 <= parallelism <= _MAX_PARALLELISM:
            msg = "parallelism must be from 1 to 64"
            raise ConfigurationError(msg)
        if not 1 <= time_cost <= _MAX_TIME_COST:
            msg = "time_cost must be from 1 to 32"
            raise ConfigurationError(msg)
        if not 8 * parallelism <= memory_cost <= _MAX_MEMORY_COST:
            msg = "memory_cost must be from 8 * parallelism KiB to 2 GiB"
            raise ConfigurationError(msg)
        ring: object = pepper
        if ring is not None and not isinstance(ring, Keyring):
            msg = "pepper must be a Keyring or None"
            raise TypeError(msg)
        shared = max_concurrent is None
        if max_concurrent is None:
            max_concurrent = _PROCESS_SLOTS[0]
        if max_concurrent < 1:
            msg = "max_concurrent must be at least 1"
            raise ConfigurationError(msg)
        if busy_timeout is not None and busy_timeout < 0:
            msg = "busy_timeout must be None or at least 0"
            raise ConfigurationError(msg)
        if not 1 <= max_password_bytes <= 1024 * 1024:
            msg = "max_password_bytes must be from 1 to 1 MiB"
            raise ConfigurationError(msg)
        self._bounds = _stored_bounds(
            time_cost,
            memory_cost,
            max_time_cost,
            max_memory_cost,
            max_bcrypt_cost,
            max_pbkdf2_iterations,
        )
        self._params = argon2.Parameters(
            type=Type.ID,
            version=19,
            salt_len=_SALT_LEN,
            hash_len=_HASH_LEN,
            time_cost=time_cost,
            memory_cost=memory_cost,
            parallelism=parallelism,
        )
        self._pepper = pepper
        self.max_concurrent: int = max_concurrent
        self._slots = (
            _PROCESS_SLOTS[1]
            if shared
            else threading.BoundedSemaphore(max_concurrent)
        )
        self._busy_timeout = busy_timeout
        self._limit = max_password_bytes
        self._dummy: str | None = None
        self._dummy_lock = threading.Lock()

    def __repr__(self) -> str:
        p = self._params
        pepper = (
            ""
            if self._pepper is None
            else f" pepper={self._pepper.primary_id:#010x}"
        )
        return (
            f"<PasswordHasher argon2id t={p.time_cost} m={p.memory_cost} "
            f"p={p.parallelism}{pepper}>"
        )

    @property
    def time_cost(self) -> int:
        """argon2id passes of new hashes."""
        return self._params.time_cost

    @property
    def memory_cost(self) -> int:
        """argon2id memory of new hashes, in KiB."""
        return self._params.memory_cost

    @property
    def parallelism(self) -> int:
        """argon2id lanes of new hashes."""
        return self._params.parallelism

    # -- concurrency ---------------------------------------------------

    @contextlib.contextmanager
    def _slot(self) -> Iterator[None]:
        self._acquire()
        try:
            yield
        finally:
            self._slots.release()

    def _acquire(self) -> None:
        timeout = self._busy_timeout
        if timeout == 0:
            acquired = self._slots.acquire(blocking=False)
        else:
            acquired = self._slots.acquire(timeout=timeout)
        if not acquired:
            msg = "too many password hashes at once; try again later"
            raise HasherBusyError(msg)

    # -- pepper --------------------------------------------------------

    def _subkey(self, key_id: int) -> bytes:
        if self._pepper is None:  # pragma: no cover - callers check
            raise ConfigurationError(_NO_PEPPER)
        return keys.subkey(self._pepper, key_id, "pepper")

    def _wrap_key(self, key_id: int, header: str) -> bytes:
        """The AES-KW key of one stored hash: bound to its whole header.

        ``HKDF(P, "dataprotect/v1/pepper-wrap/" + hex(header))``, where
        ``P`` is the key id's pepper subkey: algorithm, format version,
        parameters, key id and salt are all in the header, so a wrapped
        value moved to another header does not unwrap.
        """
        param = header.encode("ascii").hex()
        return _kdf.derive(self._subkey(key_id), "pepper-wrap", param)

    def _seal(self, phc: str) -> str:
        """Wrap the hash of an argon2id PHC string under the pepper.

        An argon2id string that this format cannot hold (another salt or
        hash length) is returned unchanged; :meth:`verify_and_update`
        rehashes it at the next login.

        Raises:
            dataprotect.errors.InvalidHashError: Malformed, or parameters
                beyond the bounds.
        """
        if self._pepper is None:  # pragma: no cover - callers check
            return phc
        match = _PHC_RE.fullmatch(phc)
        if match is None:
            raise InvalidHashError(_MALFORMED)
        m, t, p, salt_text, digest_text = match.groups()
        memory_cost, time_cost, parallelism = int(m), int(t), int(p)
        _check_bounds(self._bounds, time_cost, memory_cost, parallelism)
        salt = _phc_b64decode(salt_text)
        digest = _phc_b64decode(digest_text)
        if (salt_text, digest_text) != (
            _phc_b64encode(salt),
            _phc_b64encode(digest),
        ):
            # Stray bits in the last character: libargon2 refuses these.
            raise InvalidHashError(_MALFORMED)
        if len(salt) != _SALT_LEN or len(digest) != _HASH_LEN:
            return phc
        key_id = self._pepper.primary_id
        header = (
            f"{_PEPPER_PREFIX}m={memory_cost},t={time_cost},p={parallelism}"
            f",k={key_id:08x}${salt_text}"
        )
        wrapped = aes_key_wrap(self._wrap_key(key_id, header), digest)
        return f"{header}${_phc_b64encode(wrapped)}"

    def _parse(self, stored: str) -> _Sealed | None:
        """The fields of a peppered *stored*, or ``None`` for another format.

        Raises:
            dataprotect.errors.InvalidHashError: A malformed peppered hash.
            dataprotect.errors.ConfigurationError: A peppered hash, and
                this hasher has no pepper.
        """
        if not stored.startswith(_PEPPER_PREFIX):
            return None
        match = _PEPPER_RE.fullmatch(stored)
        if match is None:
            raise InvalidHashError(_MALFORMED)
        if self._pepper is None:
            raise ConfigurationError(_NO_PEPPER)
        m, t, p, kid, salt, wrapped = match.groups()
        return _Sealed(
            header=stored[: match.start(6) - 1],
            memory_cost=int(m),
            time_cost=int(t),
            parallelism=int(p),
            key_id=int(kid, 16),
            salt=salt,
            wrapped=_phc_b64decode(wrapped),
        )

    def _unwrap(self, sealed: _Sealed) -> bytes | None:
        """The argon2 output, or ``None`` if the integrity check fails.

        The failure is decided by the stored value and the pepper alone,
        never by a password, and callers turn it into ``False`` (verify) or
        :class:`~dataprotect.errors.InvalidHashError` (reencrypt); it is
        checked before the parameters are trusted.

        Raises:
            dataprotect.errors.KeyNotFoundError: The key id is not usable.
            dataprotect.errors.InvalidHashError: An authentic header with
                parameters beyond the bounds.
        """
        key = self._wrap_key(sealed.key_id, sealed.header)
        try:
            digest = aes_key_unwrap(key, sealed.wrapped)
        except InvalidUnwrap:
            return None
        _check_bounds(
            self._bounds,
            sealed.time_cost,
            sealed.memory_cost,
            sealed.parallelism,
        )
        return digest

    @staticmethod
    def _inner(sealed: _Sealed, digest: bytes) -> str:
        """The unpeppered argon2id PHC string of an unwrapped hash."""
        return (
            f"$argon2id$v=19$m={sealed.memory_cost},t={sealed.time_cost},"
            f"p={sealed.parallelism}${sealed.salt}${_phc_b64encode(digest)}"
        )

    @staticmethod
    def _sealed_params(sealed: _Sealed) -> argon2.Parameters:
        return argon2.Parameters(
            type=Type.ID,
            version=19,
            salt_len=_SALT_LEN,
            hash_len=_HASH_LEN,
            time_cost=sealed.time_cost,
            memory_cost=sealed.memory_cost,
            parallelism=sealed.parallelism,
        )

    # -- hashing -------------------------------------------------------

    def _hash_raw(self, raw: bytes) -> str:
        phc = self._unpeppered(raw)
        return phc if self._pepper is None else self._seal(phc)

    def _unpeppered(self, raw: bytes) -> str:
        p = self._params
        self._acquire()
        try:
            phc = _argon2(
                lambda: hash_secret(
                    raw,
                    os.urandom(p.salt_len),
                    p.time_cost,
                    p.memory_cost,
                    p.parallelism,
                    p.hash_len,
                    Type.ID,
                )
            ).decode("ascii")
        finally:
            self._slots.release()
        return phc

    def hash(self, password: str) -> str:
        """Hash *password* with argon2id and a random 128-bit salt.

        Returns:
            A PHC string (``$argon2id$v=19$m=...``) that argon2-cffi
            verifies, or, with a pepper, the wrapped form
            ``$dp2$m=...,t=...,p=...,k=<key id>$<salt>$<wrapped>``.

        Raises:
            TypeError: *password* is not ``str``.
            dataprotect.errors.InvalidPasswordError: Empty, too long, or a lone surrogate.
            dataprotect.errors.HasherBusyError: No hashing slot freed up in
                time, or argon2 could not allocate its memory.
        """
        raw = _encode_password(password, hashing=True, limit=self._limit)
        return self._hash_raw(raw)

    def _check(self, stored: str, raw: bytes) -> tuple[bool, str, int | None]:
        """(matches, inner hash, pepper key id), hashing under a slot.

        The inner hash is the unpeppered string (meaningful on a match).
        """
        sealed = self._parse(stored)
        if sealed is None:
            self._acquire()
            try:
                if stored.startswith("$argon2"):
                    ok = verify_argon2(stored, raw, self._bounds)
                else:
                    ok = _legacy.verify(stored, raw, self._bounds)
            finally:
                self._slots.release()
            return ok, stored, None
        # Unwrap, then compare argon2 outputs (rather than re-wrap the
        # candidate and compare wrapped bytes, which is equivalent): one
        # unwrap path serves verify and reencrypt, and its integrity check
        # authenticates the header (parameters, salt) before argon2 spends
        # memory on it.  A failed check is False, like a wrong password; it
        # depends on the stored value alone, so answering it before the
        # argon2 work reveals nothing about any password.  The outputs are
        # compared with hmac.compare_digest (constant time).
        digest = self._unwrap(sealed)
        if digest is None:
            return False, "", sealed.key_id
        salt = _phc_b64decode(sealed.salt)
        self._acquire()
        try:
            candidate = _argon2(
                lambda: hash_secret_raw(
                    raw,
                    salt,
                    sealed.time_cost,
                    sealed.memory_cost,
                    sealed.parallelism,
                    _HASH_LEN,
                    Type.ID,
                )
            )
        finally:
            self._slots.release()
        ok = hmac.compare_digest(candidate, digest)
        return ok, self._inner(sealed, digest), sealed.key_id

    def verify(self, stored: str, password: str) -> bool:
        """Whether *password* matches *stored*.

        *stored* may be any format this hasher writes, a hash made by plain
        argon2-cffi, or a legacy hash (see ``docs/passwords.md``).

        Returns:
            ``False`` on a mismatch, and for a well-formed peppered hash
            that fails its integrity check (corrupted, forged, or moved
            under another salt, parameters or key id).

        Raises:
            TypeError: An argument is not ``str``.
            dataprotect.errors.InvalidHashError: *stored* is malformed, corrupt, of an unknown
                scheme, or asks for more work than the bounds allow
                (``max_time_cost``, ``max_memory_cost``,
                ``max_bcrypt_cost``, ``max_pbkdf2_iterations``; refused
                before any hashing).
            dataprotect.errors.InvalidPasswordError: *password* is too long or has a lone
                surrogate (checked before any hashing).
            dataprotect.errors.ConfigurationError: *stored* is peppered and this hasher has no
                pepper.
            dataprotect.errors.KeyNotFoundError: Its pepper key is not in
                the keyring, or was retired or destroyed.
            dataprotect.errors.HasherBusyError: No slot freed up in time,
                or the hash could not allocate its memory.
            dataprotect.errors.MissingDependencyError: A bcrypt hash without
                the ``bcrypt`` package.
        """
        stored = _check_stored(stored)
        raw = _encode_password(password, hashing=False, limit=self._limit)
        return self._check(stored, raw)[0]

    def dummy_verify(self, password: str = "") -> bool:
        """Spend what :meth:`verify` spends, then return ``False``.

        Call it when a login names an unknown account, so the response time
        does not reveal which accounts exist.

        Raises:
            TypeError: *password* is not ``str``.
            dataprotect.errors.InvalidPasswordError: As :meth:`verify`.
            dataprotect.errors.HasherBusyError: No slot freed up in time,
                or the hash could not allocate its memory.

        .. versionadded:: 0.1.0
        """
        raw = _encode_password(password, hashing=False, limit=self._limit)
        with self._dummy_lock:
            if self._dummy is None:
                # An unpeppered hash, sealed under the current pepper key at
                # each call, so a rotation or retired key never breaks it.
                self._dummy = self._unpeppered(secrets.token_bytes(32))
            dummy = self._dummy
        if self._pepper is not None:
            dummy = self._seal(dummy)
        self._check(dummy, raw)
        return False

    def _outdated(self, inner: str) -> bool:
        if not inner.startswith("$argon2"):
            if _legacy.scheme_of(inner) is None:
                raise InvalidHashError(_MALFORMED)
            return True
        return argon2_params(inner, self._bounds) != self._params

    def needs_rehash(self, stored: str) -> bool:
        """Whether *stored* should be replaced at the next login.

        True for a legacy scheme, other argon2 parameters, a hash without
        the pepper this hasher has, or one under an older pepper key.

        Raises:
            dataprotect.errors.InvalidHashError: As :meth:`verify`.
            dataprotect.errors.ConfigurationError: As :meth:`verify`.
        """
        stored = _check_stored(stored)
        sealed = self._parse(stored)
        if sealed is None:
            return self._outdated(stored) or self._pepper is not None
        if self._sealed_params(sealed) != self._params:
            return True
        return self._pepper is None or sealed.key_id != self._pepper.primary_id

    def verify_and_update(
        self, stored: str, password: str
    ) -> tuple[bool, str | None]:
        """Verify, and return a replacement for *stored* when it is outdated.

        Store the second item when it is not ``None``.  A legacy hash or
        one with old parameters is rehashed from *password*; a hash whose
        only fault is its pepper key is just re-encrypted.

        Returns:
            ``(matches, new_stored_or_None)``; ``(False, None)`` on a
            mismatch.

        Raises:
            dataprotect.errors.InvalidHashError: As :meth:`verify`, which
                also lists the other errors it can raise.
        """
        stored = _check_stored(stored)
        raw = _encode_password(password, hashing=False, limit=self._limit)
        ok, inner, key_id = self._check(stored, raw)
        if not ok:
            return False, None
        if self._outdated(inner):
            if not raw:
                # An empty password verified (e.g. an old row): upgrade the
                # scheme without weakening the rule that new hashes need one.
                return True, None
            return True, self._hash_raw(raw)
        if self._pepper is not None and key_id != self._pepper.primary_id:
            return True, self._seal(inner)
        return True, None

    def reencrypt(self, stored: str) -> str:
        """Return *stored* under the current pepper key, without a password.

        Run it over every row after rotating the pepper keyring, then retire
        the old key.  An unpeppered argon2id hash is encrypted (adding a
        pepper to an existing database).  A hash already under the primary
        key, a legacy or argon2i/argon2d hash, or any hash when this hasher
        has no pepper, is returned unchanged: those are upgraded at login
        by :meth:`verify_and_update`.

        Raises:
            dataprotect.errors.InvalidHashError: As :meth:`verify`, and for
                a peppered hash that fails its integrity check (there is
                nothing to re-encrypt).
            dataprotect.errors.ConfigurationError: As :meth:`verify`.
            dataprotect.errors.KeyNotFoundError: As :meth:`verify`.

        .. versionadded:: 0.1.0
        """
        stored = _check_stored(stored)
        sealed = self._parse(stored)
        if sealed is not None:
            if (
                self._pepper is None
                or sealed.key_id == self._pepper.primary_id
            ):
                return stored
            digest = self._unwrap(sealed)
            if digest is None:
                # Corrupt or forged: there is nothing to re-encrypt.
                raise InvalidHashError(_MALFORMED)
            return self._seal(self._inner(sealed, digest))
        if self._pepper is None:
            return stored
        if not stored.startswith("$argon2"):
            if _legacy.scheme_of(stored) is None:
                raise InvalidHashError(_MALFORMED)
            return stored
        argon2_params(stored, self._bounds)
        if _PHC_RE.fullmatch(stored) is None:
            return stored
        return self._seal(stored)

    @classmethod
    def calibrate(
        cls,
        target_ms: float,
        max_memory_kib: int,
        *,
        parallelism: int = DEFAULT_PARALLELISM,
        pepper: Keyring | None = None,
        max_concurrent: int | None = None,
        busy_timeout: float | None = 10.0,
        timer: Callable[[], float] = time.perf_counter,
    ) -> PasswordHasher:
        """A hasher whose hashes take about *target_ms* on this machine.

        Follows RFC 9106 section 4: use *max_memory_kib* of memory, halve it
        while one pass takes longer than the target, then add passes while
        they fit in the target.

        Args:
            target_ms: Wanted time per hash in milliseconds (OWASP and RFC
                9106 suggest well under a second for interactive logins).
            max_memory_kib: Memory per hash you can afford, in KiB (times
                *max_concurrent* in total).
            parallelism: argon2id lanes.
            pepper: Passed to the new hasher.
            max_concurrent: Passed to the new hasher.
            busy_timeout: Passed to the new hasher.
            timer: Monotonic seconds, for tests.

        Returns:
            A configured :class:`PasswordHasher`; read its
            :attr:`time_cost` and :attr:`memory_cost` to put in your
            configuration.

        Raises:
            dataprotect.errors.ConfigurationError: *target_ms* is not positive or
                *max_memory_kib* below ``8 * parallelism``.
            dataprotect.errors.HasherBusyError: argon2 could not allocate
                *max_memory_kib* (a memory cap).

        .. versionadded:: 0.1.0
        """
        if target_ms <= 0:
            msg = "target_ms must be positive"
            raise ConfigurationError(msg)
        floor = 8 * parallelism
        if max_memory_kib < floor:
            msg = "max_memory_kib must be at least 8 * parallelism"
            raise ConfigurationError(msg)
        memory = min(max_memory_kib, _MAX_MEMORY_COST)
        password = secrets.token_bytes(16)
        salt = secrets.token_bytes(_SALT_LEN)

        def measure(t: int, m: int) -> float:
            best = float("inf")
            for _ in range(2):
                start = timer()
                _argon2(
                    lambda: hash_secret(
                        password, salt, t, m, parallelism, 32, Type.ID
                    )
                )
                best = min(best, (timer() - start) * 1000)
            return best

        one_pass = measure(1, memory)
        while one_pass > target_ms and memory // 2 >= floor:
            memory //= 2
            one_pass = measure(1, memory)
        passes = max(
            1, min(_MAX_TIME_COST, int(target_ms // max(one_pass, 1e-3)))
        )
        while passes > 1 and measure(passes, memory) > target_ms * 1.1:
            passes -= 1
        return cls(
            time_cost=passes,
            memory_cost=memory,
            parallelism=parallelism,
            pepper=pepper,
            max_concurrent=max_concurrent,
            busy_timeout=busy_timeout,
        )

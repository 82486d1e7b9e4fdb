"""Calls every public signature of passwords, tokens and the Django hasher."""

from __future__ import annotations

from dataprotect.errors import (
    DataProtectError,
    HasherBusyError,
    InvalidHashError,
    InvalidPasswordError,
)
from dataprotect.integrations.django import DataProtectPasswordHasher
from dataprotect.keys import Keyring
from dataprotect.passwords import (
    MAX_BCRYPT_COST,
    MAX_MEMORY_COST,
    MAX_PASSWORD_BYTES,
    MAX_PBKDF2_ITERATIONS,
    MAX_TIME_COST,
    PasswordHasher,
)
from dataprotect.tokens import TokenHasher, generate_token, is_well_formed


ring = Keyring.generate()
hasher = PasswordHasher(
    time_cost=1,
    memory_cost=8,
    parallelism=1,
    pepper=ring,
    max_concurrent=2,
    busy_timeout=None,
    max_password_bytes=MAX_PASSWORD_BYTES,
    max_time_cost=MAX_TIME_COST,
    max_memory_cost=MAX_MEMORY_COST,
    max_bcrypt_cost=MAX_BCRYPT_COST,
    max_pbkdf2_iterations=MAX_PBKDF2_ITERATIONS,
)
stored: str = hasher.hash("pw")
ok: bool = hasher.verify(stored, "pw")
pair: tuple[bool, str | None] = hasher.verify_and_update(stored, "pw")
ok = hasher.needs_rehash(stored)
ok = hasher.dummy_verify("pw")
stored = hasher.reencrypt(stored)
tuned: PasswordHasher = PasswordHasher.calibrate(
    500, 65536, parallelism=4, pepper=None, max_concurrent=None
)
costs: tuple[int, int, int] = (
    tuned.time_cost,
    tuned.memory_cost,
    tuned.parallelism,
)

token: str = generate_token("acmepat")
ok = is_well_formed(token, prefix="acmepat")
tokens = TokenHasher(ring)
raw_tokens = TokenHasher(bytes(32))
digest: str = tokens.digest(token)
ok = tokens.verify(token, digest)
ok = tokens.needs_update(digest)
pair = tokens.verify_and_update(token, digest)
candidates: list[str] = raw_tokens.candidates(token)

django_hasher = DataProtectPasswordHasher()
encoded: str = django_hasher.encode("pw", "salt")
ok = django_hasher.verify("pw", encoded)
ok = django_hasher.must_update(encoded)

errors: list[type[DataProtectError]] = [
    InvalidHashError,
    InvalidPasswordError,
    HasherBusyError,
]

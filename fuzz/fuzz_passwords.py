"""Fuzz target: stored password hashes (every scheme PasswordHasher reads).

The hasher's cost bounds are set low (argon2 t 2, 1 MiB; bcrypt 4;
PBKDF2 1,000) so that the fuzzer explores the parsers instead of spending
its second on the work a stored hash may legitimately ask for (up to the
default bounds of issue 21, checked by tests/test_passwords.py).
"""

from __future__ import annotations

from _harness import each, instrumented, keyring_from, main, vector


with instrumented():
    from dataprotect.passwords import PasswordHasher

HASHER = PasswordHasher(
    time_cost=1,
    memory_cost=8,
    parallelism=1,
    pepper=keyring_from(vector("encryption-v2.json"), "DP_FUZZ_KEK"),
    max_time_cost=2,
    max_memory_cost=1024,
    max_bcrypt_cost=4,
    max_pbkdf2_iterations=1000,
)


def target(data: bytes) -> None:
    """Verify a password against *data* as a stored hash; ask for a rehash."""
    stored = data.decode("utf-8", "surrogateescape")
    each(
        lambda: HASHER.verify(stored, "correct horse battery staple"),
        lambda: HASHER.needs_rehash(stored),
        lambda: HASHER.verify_and_update(stored, "password"),
    )


if __name__ == "__main__":
    main(target)

"""Fuzz target: keyring files opened with Keyring.from_bytes (EnvKEK)."""

from __future__ import annotations

from _harness import env, instrumented, main, vector


with instrumented():
    from dataprotect.keys import EnvKEK, Keyring

KEK_VALUE = vector("encryption-v2.json")["kek"]
KEK = EnvKEK("DP_FUZZ_KEK")


def target(data: bytes) -> None:
    """Open *data* as a keyring file."""
    with env("DP_FUZZ_KEK", KEK_VALUE):
        Keyring.from_bytes(data, kek=KEK).keys()


if __name__ == "__main__":
    main(target)

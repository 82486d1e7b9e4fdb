"""Fuzz target: age files (header, stanzas, payload), binary or armored."""

from __future__ import annotations

import io

from _harness import each, instrumented, main


with instrumented():
    from dataprotect.backup.age import decrypt

#: The X25519 identity of most C2SP testkit vectors.
IDENTITY = "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0"  # dataprotect: allow-secret


def target(data: bytes) -> None:
    """Decrypt *data* with the identity, and with a passphrase (scrypt 2**10 at most)."""
    each(
        lambda: decrypt(io.BytesIO(data), io.BytesIO(), [IDENTITY]),
        lambda: decrypt(
            io.BytesIO(data),
            io.BytesIO(),
            passphrase="password",
            max_work_factor=10,
        ),
    )


if __name__ == "__main__":
    main(target)

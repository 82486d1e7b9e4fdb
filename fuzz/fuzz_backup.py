"""Fuzz target: backup containers (header, stanzas, segments, manifest)."""

from __future__ import annotations

import io

from _harness import instrumented, main, vector


with instrumented():
    from dataprotect.backup import decrypt, parse_identity

IDENTITIES = [
    parse_identity(v["identity"]["text"])
    for v in vector("backup_v1.json")["vectors"]
    if v["identity"]["type"] == "hpke"
]


def target(data: bytes) -> None:
    """Check *data* as a backup, writing no plaintext."""
    decrypt(io.BytesIO(data), None, IDENTITIES)


if __name__ == "__main__":
    main(target)

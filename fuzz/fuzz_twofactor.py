"""Fuzz target: stored TOTP, HOTP, recovery-code and WebAuthn records."""

from __future__ import annotations

from _harness import each, instrumented, main


with instrumented():
    from dataprotect.twofactor import (
        Credential,
        HOTPRecord,
        RecoveryCodeSet,
        TOTPRecord,
    )


def target(data: bytes) -> None:
    """Load *data* as each kind of stored record."""
    each(
        lambda: TOTPRecord.from_json(data),
        lambda: HOTPRecord.from_json(data),
        lambda: RecoveryCodeSet.from_json(data),
        lambda: Credential.from_json(data),
    )


if __name__ == "__main__":
    main(target)

"""Encrypted backups: a streaming container for several recipients,
remote storage, retention and restore rehearsals.

See ``docs/backup.md`` for a guide and ``docs/formats/backup.md`` for the
byte format.
"""

from __future__ import annotations

from dataprotect.backup._format import (
    DEFAULT_SEGMENT_SIZE,
    Manifest,
    SigningKey,
    VerifyKey,
    decrypt,
    decrypt_file,
    encrypt,
    encrypt_file,
)
from dataprotect.backup._identity import (
    HPKEIdentity,
    HPKERecipient,
    Identity,
    IdentityKind,
    KeyringRecipient,
    PassphraseRecipient,
    Recipient,
    generate_identity,
    parse_identity,
    parse_recipient,
)


__all__ = [
    "DEFAULT_SEGMENT_SIZE",
    "HPKEIdentity",
    "HPKERecipient",
    "Identity",
    "IdentityKind",
    "KeyringRecipient",
    "Manifest",
    "PassphraseRecipient",
    "Recipient",
    "SigningKey",
    "VerifyKey",
    "decrypt",
    "decrypt_file",
    "encrypt",
    "encrypt_file",
    "generate_identity",
    "parse_identity",
    "parse_recipient",
]

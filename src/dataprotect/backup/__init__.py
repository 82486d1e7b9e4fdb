"""Encrypted backups: a streaming container for several recipients,
database sources, remote storage, retention and restore rehearsals.

See ``docs/backup.md`` for a guide and ``docs/formats/backup.md`` for the
byte format.
"""

from __future__ import annotations

from typing import Final

from dataprotect.backup import _store
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
from dataprotect.backup._rehearsal import (
    CheckResult,
    RehearsalCheck,
    RehearsalReport,
    rehearse_postgres,
)
from dataprotect.backup._retention import RetentionPlan, RetentionPolicy
from dataprotect.backup._sources import DumpSource
from dataprotect.backup._store import (
    BackupInfo,
    PruneResult,
    VerifyReport,
    create_backup,
    list_backups,
    prune,
    rehearse,
    restore,
    verify,
)


__all__ = [
    "DEFAULT_SEGMENT_SIZE",
    "SUFFIX",
    "BackupInfo",
    "CheckResult",
    "DumpSource",
    "HPKEIdentity",
    "HPKERecipient",
    "Identity",
    "IdentityKind",
    "KeyringRecipient",
    "Manifest",
    "PassphraseRecipient",
    "PruneResult",
    "Recipient",
    "RehearsalCheck",
    "RehearsalReport",
    "RetentionPlan",
    "RetentionPolicy",
    "SigningKey",
    "VerifyKey",
    "VerifyReport",
    "create_backup",
    "decrypt",
    "decrypt_file",
    "encrypt",
    "encrypt_file",
    "generate_identity",
    "list_backups",
    "parse_identity",
    "parse_recipient",
    "prune",
    "rehearse",
    "rehearse_postgres",
    "restore",
    "verify",
]

# Defined with the store; documented here (Sphinx reads the comments).
#: The file name suffix of every backup :func:`create_backup` writes
#: (``<name>-<UTC time>.dpbk``); :func:`list_backups`, :func:`rehearse`
#: and :func:`prune` see only files named so.
#:
#: .. versionadded:: 0.1.0
SUFFIX: Final = _store.SUFFIX

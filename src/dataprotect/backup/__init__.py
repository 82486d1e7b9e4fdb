"""Encrypted backups: a streaming container for several recipients,
database sources, remote storage, retention and restore rehearsals.

See ``docs/backup.md`` for a guide and ``docs/formats/backup.md`` for the
byte format.
"""

from __future__ import annotations

from typing import Final

from dataprotect._lazy import lazy_attribute


# Type checkers read the lazy names from these imports; at run time the
# block is skipped and each name is imported on first access (PEP 562), so
# a process that only encrypts loads neither the store nor the database
# sources (a tenth of a CPU second less per backup process).
TYPE_CHECKING = False
if TYPE_CHECKING:
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
SUFFIX: Final = ".dpbk"

#: Lazily exported name -> the module that defines it.
_LAZY: Final = {
    "DEFAULT_SEGMENT_SIZE": "dataprotect.backup._format",
    "Manifest": "dataprotect.backup._format",
    "SigningKey": "dataprotect.backup._format",
    "VerifyKey": "dataprotect.backup._format",
    "decrypt": "dataprotect.backup._format",
    "decrypt_file": "dataprotect.backup._format",
    "encrypt": "dataprotect.backup._format",
    "encrypt_file": "dataprotect.backup._format",
    "HPKEIdentity": "dataprotect.backup._identity",
    "HPKERecipient": "dataprotect.backup._identity",
    "Identity": "dataprotect.backup._identity",
    "IdentityKind": "dataprotect.backup._identity",
    "KeyringRecipient": "dataprotect.backup._identity",
    "PassphraseRecipient": "dataprotect.backup._identity",
    "Recipient": "dataprotect.backup._identity",
    "generate_identity": "dataprotect.backup._identity",
    "parse_identity": "dataprotect.backup._identity",
    "parse_recipient": "dataprotect.backup._identity",
    "CheckResult": "dataprotect.backup._rehearsal",
    "RehearsalCheck": "dataprotect.backup._rehearsal",
    "RehearsalReport": "dataprotect.backup._rehearsal",
    "rehearse_postgres": "dataprotect.backup._rehearsal",
    "BackupInfo": "dataprotect.backup._store",
    "PruneResult": "dataprotect.backup._store",
    "VerifyReport": "dataprotect.backup._store",
    "create_backup": "dataprotect.backup._store",
    "list_backups": "dataprotect.backup._store",
    "prune": "dataprotect.backup._store",
    "rehearse": "dataprotect.backup._store",
    "restore": "dataprotect.backup._store",
    "verify": "dataprotect.backup._store",
    "RetentionPlan": "dataprotect.backup._retention",
    "RetentionPolicy": "dataprotect.backup._retention",
    "DumpSource": "dataprotect.backup._sources",
}


# Each name is imported on first access (PEP 562).  The hook is hidden
# from type checkers, which see every name in the block at the top (a
# visible one would make them accept any misspelt name too).
if not TYPE_CHECKING:  # pragma: no branch

    def __getattr__(name: str) -> object:
        return lazy_attribute(__name__, globals(), _LAZY, name)


def __dir__() -> list[str]:
    """The package's names, the ones not imported yet included."""
    return sorted({*globals(), *__all__})


del TYPE_CHECKING

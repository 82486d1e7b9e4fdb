"""dataprotect: data-protection primitives for Python applications.

The main names are re-exported here; the modules :mod:`dataprotect.errors`,
:mod:`dataprotect.keys` and :mod:`dataprotect.encryption` are public too.
Optional integrations live in :mod:`dataprotect.integrations` and are never
imported from here.
"""

from __future__ import annotations

from dataprotect import encryption, errors, keys
from dataprotect._fips import FIPSStatus, fips_status
from dataprotect.encryption import XAES256GCM, BlindIndex, Encryptor
from dataprotect.errors import (
    DataProtectError,
    DecryptionError,
    IntegrityError,
    KeyNotFoundError,
    KeyringError,
)
from dataprotect.keys import PKCS11KEK, EnvKEK, Keyring, PassphraseKEK


__all__ = [
    "PKCS11KEK",
    "XAES256GCM",
    "BlindIndex",
    "DataProtectError",
    "DecryptionError",
    "Encryptor",
    "EnvKEK",
    "FIPSStatus",
    "IntegrityError",
    "KeyNotFoundError",
    "Keyring",
    "KeyringError",
    "PassphraseKEK",
    "encryption",
    "errors",
    "fips_status",
    "keys",
]

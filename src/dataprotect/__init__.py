"""dataprotect: data-protection primitives for Python applications.

Only the names that need no optional dependency are re-exported here, from
:mod:`dataprotect.errors`, :mod:`dataprotect.keys`,
:mod:`dataprotect.encryption`, :mod:`dataprotect.passwords`,
:mod:`dataprotect.tokens`, :mod:`dataprotect.pseudonymise` (phone numbers
need the ``pseudonymise`` extra when used), :mod:`dataprotect.tls`,
:mod:`dataprotect.scan.secrets` and :mod:`dataprotect.scan.ssh`.
The measures behind extras are modules or packages of their own, never
imported from here: :mod:`dataprotect.strength`,
:mod:`dataprotect.ratelimit`, :mod:`dataprotect.backup`,
:mod:`dataprotect.documents` and :mod:`dataprotect.integrations`.

``dataprotect.__version__`` is the installed version, read from the package
metadata when first asked for (as argon2-cffi and structlog do), so that
importing stays cheap; ``importlib.metadata.version("dataprotect")`` gives
the same.
"""

from __future__ import annotations

from dataprotect import encryption, errors, keys, passwords, tokens
from dataprotect._fips import FIPSStatus, fips_status
from dataprotect.encryption import XAES256GCM, BlindIndex, Encryptor
from dataprotect.errors import (
    BackendError,
    BackupError,
    ConfigurationError,
    DataProtectError,
    DecryptionError,
    DocumentError,
    IntegrityError,
    InvalidHashError,
    KeyNotFoundError,
    KeyringError,
    MissingDependencyError,
    RateLimitExceeded,
)
from dataprotect.keys import PKCS11KEK, EnvKEK, Keyring, PassphraseKEK
from dataprotect.passwords import PasswordHasher
from dataprotect.pseudonymise import Pseudonymiser, PseudonymisingFilter
from dataprotect.scan.secrets import scan_paths, scan_text
from dataprotect.scan.ssh import check_ssh
from dataprotect.tls import check_tls
from dataprotect.tokens import TokenHasher, generate_token, is_well_formed


__all__ = [
    "PKCS11KEK",
    "XAES256GCM",
    "BackendError",
    "BackupError",
    "BlindIndex",
    "ConfigurationError",
    "DataProtectError",
    "DecryptionError",
    "DocumentError",
    "Encryptor",
    "EnvKEK",
    "FIPSStatus",
    "IntegrityError",
    "InvalidHashError",
    "KeyNotFoundError",
    "Keyring",
    "KeyringError",
    "MissingDependencyError",
    "PassphraseKEK",
    "PasswordHasher",
    "Pseudonymiser",
    "PseudonymisingFilter",
    "RateLimitExceeded",
    "TokenHasher",
    "check_ssh",
    "check_tls",
    "encryption",
    "errors",
    "fips_status",
    "generate_token",
    "is_well_formed",
    "keys",
    "passwords",
    "scan_paths",
    "scan_text",
    "tokens",
]


def __getattr__(name: str) -> str:
    """``__version__``, from the package metadata, on demand."""
    if name == "__version__":
        from importlib.metadata import version

        return version("dataprotect")
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)

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

``import dataprotect`` loads only :mod:`dataprotect.errors`: every other
name is imported on first access (PEP 562), so a command-line call or a
worker that needs one primitive does not pay for the others (the scanner's
and the pseudonymiser's regular expressions, ``ssl``, ``argon2``).

``dataprotect.__version__`` is the installed version, read from the package
metadata when first asked for (as argon2-cffi and structlog do), so that
importing stays cheap; ``importlib.metadata.version("dataprotect")`` gives
the same.
"""

from __future__ import annotations

from dataprotect import errors
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


# Type checkers read the lazy names from these imports; at run time the
# block is skipped and _lazy_attribute imports each name on first access.
# (A constant rather than typing.TYPE_CHECKING: importing typing would cost
# about as much as the rest of ``import dataprotect``.)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from dataprotect import encryption, keys, passwords, tokens
    from dataprotect._fips import FIPSStatus, fips_status
    from dataprotect.encryption import XAES256GCM, BlindIndex, Encryptor
    from dataprotect.keys import PKCS11KEK, EnvKEK, Keyring, PassphraseKEK
    from dataprotect.passwords import PasswordHasher
    from dataprotect.pseudonymise import Pseudonymiser, PseudonymisingFilter
    from dataprotect.scan.secrets import scan_paths, scan_text
    from dataprotect.scan.ssh import check_ssh
    from dataprotect.tls import check_tls
    from dataprotect.tokens import TokenHasher, generate_token, is_well_formed

    __version__: str


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

#: Lazily exported name -> the module that defines it.  A submodule maps to
#: itself.  ``pseudonymise``, ``scan`` and ``tls`` are not in ``__all__``,
#: but ``import dataprotect`` used to bind them as a side effect, so
#: ``dataprotect.tls.check_tls`` keeps working.
_LAZY: dict[str, str] = {
    "encryption": "dataprotect.encryption",
    "keys": "dataprotect.keys",
    "passwords": "dataprotect.passwords",
    "tokens": "dataprotect.tokens",
    "pseudonymise": "dataprotect.pseudonymise",
    "scan": "dataprotect.scan",
    "tls": "dataprotect.tls",
    "FIPSStatus": "dataprotect._fips",
    "fips_status": "dataprotect._fips",
    "XAES256GCM": "dataprotect.encryption",
    "BlindIndex": "dataprotect.encryption",
    "Encryptor": "dataprotect.encryption",
    "PKCS11KEK": "dataprotect.keys",
    "EnvKEK": "dataprotect.keys",
    "Keyring": "dataprotect.keys",
    "PassphraseKEK": "dataprotect.keys",
    "PasswordHasher": "dataprotect.passwords",
    "Pseudonymiser": "dataprotect.pseudonymise",
    "PseudonymisingFilter": "dataprotect.pseudonymise",
    "scan_paths": "dataprotect.scan.secrets",
    "scan_text": "dataprotect.scan.secrets",
    "check_ssh": "dataprotect.scan.ssh",
    "check_tls": "dataprotect.tls",
    "TokenHasher": "dataprotect.tokens",
    "generate_token": "dataprotect.tokens",
    "is_well_formed": "dataprotect.tokens",
}


def _lazy_attribute(name: str) -> object:
    """Import a lazily exported *name* on first access and keep it;
    ``__version__`` is read from the package metadata each time.

    The package's ``__getattr__`` (PEP 562): Python calls it only for a
    name the module does not hold yet.
    """
    if name == "__version__":
        from importlib.metadata import version

        return version("dataprotect")
    from dataprotect._lazy import lazy_attribute

    return lazy_attribute(__name__, globals(), _LAZY, name)


def __dir__() -> list[str]:
    """The module's names, the ones not imported yet included."""
    return sorted({*globals(), *__all__})


# Hidden from type checkers: they see every public name in the block above,
# and a visible __getattr__ would make them accept any misspelt name too.
# (The branch is never false at run time, hence "no branch".)
if not TYPE_CHECKING:  # pragma: no branch
    __getattr__ = _lazy_attribute

del TYPE_CHECKING

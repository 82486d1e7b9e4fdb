"""The exceptions raised by dataprotect.

Every exception dataprotect raises on purpose derives from
:class:`DataProtectError`, so one ``except DataProtectError`` catches them all.
Where a caller would naturally catch a built-in exception, the class also
derives from it (``ValueError``, ``LookupError``, ``ImportError``).  Passing a
value of the wrong *type* stays a plain :class:`TypeError`: that is a bug in
the calling code, not bad input.

Messages are fixed strings: they name the parameter and the rule it broke,
never its value, so they are safe to log.  Exceptions carry no payload.

::

    DataProtectError
    ├── ConfigurationError (ValueError)
    ├── IntegrityError
    │   └── DecryptionError
    ├── KeyringError
    │   └── KeyNotFoundError (LookupError)
    ├── BackendError
    ├── MissingDependencyError (ImportError)
    ├── InvalidHashError (ValueError)
    ├── InvalidPasswordError (ValueError)
    └── HasherBusyError
"""

from __future__ import annotations


__all__ = [
    "BackendError",
    "ConfigurationError",
    "DataProtectError",
    "DecryptionError",
    "HasherBusyError",
    "IntegrityError",
    "InvalidHashError",
    "InvalidPasswordError",
    "KeyNotFoundError",
    "KeyringError",
    "MissingDependencyError",
]


class DataProtectError(Exception):
    """Base class of every exception dataprotect raises.

    Never raised directly.

    .. versionadded:: 0.1.0
    """


class ConfigurationError(DataProtectError, ValueError):
    """An argument or setting is invalid (a bad URI, an impossible policy).

    .. versionadded:: 0.1.0
    """


class IntegrityError(DataProtectError):
    """Data failed authentication: it was tampered with, truncated, or
    belongs to another key or context.

    Every kind of authentication failure raises the same exception with the
    same message, so an attacker learns nothing about which check failed.

    .. versionadded:: 0.1.0
    """


class DecryptionError(IntegrityError):
    """A ciphertext could not be decrypted and authenticated.

    Raised for a wrong key, a wrong nonce or context, and any modified,
    truncated or extended ciphertext.  No plaintext is ever released.

    .. versionadded:: 0.1.0
    """


class KeyringError(DataProtectError):
    """A keyring could not be loaded, unlocked, saved or changed.

    Raised for a corrupt or foreign keyring file, a wrong passphrase or PIN,
    and operations a keyring refuses (retiring its primary key).

    .. versionadded:: 0.1.0
    """


class KeyNotFoundError(KeyringError, LookupError):
    """No usable key with the requested id is in the keyring.

    .. versionadded:: 0.1.0
    """


class BackendError(DataProtectError):
    """A backend service (Redis, an HSM, remote storage) failed.

    The message names the backend with its credentials redacted.

    .. versionadded:: 0.1.0
    """


class MissingDependencyError(DataProtectError, ImportError):
    """An optional dependency is not installed.

    The message names the extra to install, such as ``dataprotect[hsm]``.

    .. versionadded:: 0.1.0
    """


class InvalidHashError(DataProtectError, ValueError):
    """A stored password hash or token digest is malformed, corrupt, of an
    unknown scheme, or asks for parameters beyond the accepted bounds.

    A *wrong password* is not an error: verification returns ``False``.

    .. versionadded:: 0.1.0
    """


class InvalidPasswordError(DataProtectError, ValueError):
    """A password cannot be hashed: it is empty, longer than the accepted
    maximum (checked before any hashing, against denial of service), or not
    encodable as UTF-8 (a lone surrogate).

    .. versionadded:: 0.1.0
    """


class HasherBusyError(DataProtectError):
    """Too many password hashes are being computed at once in this process,
    and a slot did not free up within the configured timeout.

    Each argon2id call holds its full memory cost (64 MiB by default), so
    :class:`~dataprotect.passwords.PasswordHasher` bounds concurrent calls.
    Answer the request with "try again later" (HTTP 503).

    .. versionadded:: 0.1.0
    """

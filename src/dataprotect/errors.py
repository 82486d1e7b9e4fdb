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
    │       └── ColumnDecryptionError
    │           └── UnencryptedValueError
    ├── KeyringError
    │   └── KeyNotFoundError (LookupError)
    ├── BackendError
    ├── MissingDependencyError (ImportError)
    ├── BackupError
    │   ├── AgeError
    │   │   ├── AgeFormatError (ValueError)
    │   │   │   └── AgeArmorError
    │   │   ├── AgeNoMatchError
    │   │   └── AgeDecryptionError (DecryptionError)
    │   ├── BackupFormatError (ValueError)
    │   ├── BackupIntegrityError (IntegrityError)
    │   │   └── BackupSignatureError
    │   ├── NoIdentityError (LookupError)
    │   ├── BackupStorageError (BackendError)
    │   ├── BackupSourceError
    │   └── RehearsalError
    ├── RateLimitExceeded
    ├── InvalidHashError (ValueError)
    ├── InvalidPasswordError (ValueError)
    ├── HasherBusyError
    ├── DocumentError
    │   ├── InvalidDocumentError (ValueError)
    │   │   └── EncryptedDocumentError
    │   ├── SignerError (ValueError)
    │   │   └── CertificateValidityError
    │   └── TimestampError
    └── TwoFactorError
        ├── TwoFactorRecordError (ValueError)
        └── WebAuthnError
            ├── WebAuthnFormatError (ValueError)
            │   └── UnsupportedAlgorithmError
            ├── WebAuthnStateError
            │   ├── ChallengeExpiredError
            │   └── ChallengeReusedError
            ├── WebAuthnVerificationError
            │   ├── ChallengeMismatchError
            │   ├── OriginMismatchError
            │   ├── RelyingPartyMismatchError
            │   ├── AuthenticatorFlagsError
            │   ├── WebAuthnSignatureError
            │   ├── ClonedAuthenticatorError
            │   ├── AttestationError
            │   └── AuthenticatorNotAllowedError
            └── UnknownCredentialError (LookupError)
"""

from __future__ import annotations


__all__ = [
    "AgeArmorError",
    "AgeDecryptionError",
    "AgeError",
    "AgeFormatError",
    "AgeNoMatchError",
    "AttestationError",
    "AuthenticatorFlagsError",
    "AuthenticatorNotAllowedError",
    "BackendError",
    "BackupError",
    "BackupFormatError",
    "BackupIntegrityError",
    "BackupSignatureError",
    "BackupSourceError",
    "BackupStorageError",
    "CertificateValidityError",
    "ChallengeExpiredError",
    "ChallengeMismatchError",
    "ChallengeReusedError",
    "ClonedAuthenticatorError",
    "ColumnDecryptionError",
    "ConfigurationError",
    "DataProtectError",
    "DecryptionError",
    "DocumentError",
    "EncryptedDocumentError",
    "HasherBusyError",
    "IntegrityError",
    "InvalidDocumentError",
    "InvalidHashError",
    "InvalidPasswordError",
    "KeyNotFoundError",
    "KeyringError",
    "MissingDependencyError",
    "NoIdentityError",
    "OriginMismatchError",
    "RateLimitExceeded",
    "RehearsalError",
    "RelyingPartyMismatchError",
    "SignerError",
    "TimestampError",
    "TwoFactorError",
    "TwoFactorRecordError",
    "UnencryptedValueError",
    "UnknownCredentialError",
    "UnsupportedAlgorithmError",
    "WebAuthnError",
    "WebAuthnFormatError",
    "WebAuthnSignatureError",
    "WebAuthnStateError",
    "WebAuthnVerificationError",
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


class ColumnDecryptionError(DecryptionError):
    """An encrypted database column of one row could not be decrypted.

    Raised by :mod:`dataprotect.integrations.sqlalchemy` and the Django
    field for a wrong or missing key, a tampered value, and a value copied
    from another row or column.  The message names the table, the column
    and the row's primary key (never the value), so the row can be found.

    .. versionadded:: 0.1.0
    """


class UnencryptedValueError(ColumnDecryptionError):
    """An encrypted column holds a value that is not a dataprotect
    ciphertext at all: plaintext written before encryption was turned on.

    The message names the table, the column and the row's primary key.
    Encrypt such rows in place once with
    :func:`dataprotect.integrations.sqlalchemy.encrypt_existing`.

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


class BackupError(DataProtectError):
    """A backup could not be written, read, verified or pruned.

    .. versionadded:: 0.1.0
    """


class AgeError(BackupError):
    """An age file could not be encrypted or decrypted.

    .. versionadded:: 0.1.0
    """


class AgeFormatError(AgeError, ValueError):
    """An age header is malformed or unsupported: a bad version line,
    stanza, MAC line or payload nonce, a stanza that breaks its type's rules,
    or an scrypt work factor above the caller's limit.

    .. versionadded:: 0.1.0
    """


class AgeArmorError(AgeFormatError):
    """An armored (PEM) age file breaks the strict armor rules.

    .. versionadded:: 0.1.0
    """


class AgeNoMatchError(AgeError):
    """None of the given identities (or passphrases) opens the file.

    .. versionadded:: 0.1.0
    """


class AgeDecryptionError(AgeError, DecryptionError):
    """The header MAC or the payload of an age file failed authentication.

    Raised for a modified header, and for a modified, truncated, reordered
    or extended payload.  Plaintext already written to the destination came
    from chunks that authenticated; nothing after the failing chunk is
    released.

    .. versionadded:: 0.1.0
    """


class RateLimitExceeded(DataProtectError):  # noqa: N818 - the public name the issue asked for
    """A rate limit or login throttle refused the request.

    The message never says which limit fired, so a client cannot probe the
    policy.  :attr:`retry_after` is how many seconds to wait (positive, and
    never longer than the limit's window); send it as ``Retry-After``.

    Args:
        retry_after: Seconds until a retry may succeed.

    .. versionadded:: 0.1.0
    """

    def __init__(self, retry_after: float) -> None:
        super().__init__("rate limit exceeded; retry later")
        #: Seconds until a retry may succeed.
        self.retry_after: float = float(retry_after)

    def __reduce__(self) -> tuple[type[RateLimitExceeded], tuple[float]]:
        return (type(self), (self.retry_after,))


class DocumentError(DataProtectError):
    """A PDF document could not be signed.

    Base class of the errors :func:`dataprotect.documents.sign_pdf` and the
    signer constructors raise.  Verification never raises it: it reports.

    .. versionadded:: 0.1.0
    """


class InvalidDocumentError(DocumentError, ValueError):
    """The input is not a PDF, is truncated or corrupt, or cannot be
    updated incrementally.

    .. versionadded:: 0.1.0
    """


class EncryptedDocumentError(InvalidDocumentError):
    """The PDF is encrypted and cannot be signed without its password.

    .. versionadded:: 0.1.0
    """


class SignerError(DocumentError, ValueError):
    """A signing key or certificate could not be loaded or used.

    Raised for a wrong PKCS#12 passphrase (with the same message as a
    corrupt file), a key that does not match its certificate, a certificate
    that may not sign documents, and a token or key that cannot be found.

    .. versionadded:: 0.1.0
    """


class CertificateValidityError(SignerError):
    """The signer's certificate is expired or not yet valid.

    .. versionadded:: 0.1.0
    """


class TimestampError(DocumentError):
    """The time-stamping authority could not be reached or gave an unusable
    answer.

    .. versionadded:: 0.1.0
    """


class BackupFormatError(BackupError, ValueError):
    """The data is not a dataprotect backup, or a version or option this
    release does not read (a foreign header, an unknown stanza type), or a
    passphrase stanza asking for more KDF work than the identity accepts.

    .. versionadded:: 0.1.0
    """


class BackupIntegrityError(BackupError, IntegrityError):
    """A backup failed authentication: a modified, dropped, reordered or
    appended byte, a truncated file, or a manifest whose size or SHA-256
    does not match the restored data.

    Every such failure raises this exception with the same message.

    .. versionadded:: 0.1.0
    """


class BackupSignatureError(BackupIntegrityError):
    """A backup's manifest is not signed by any of the expected producers.

    .. versionadded:: 0.1.0
    """


class NoIdentityError(BackupError, LookupError):
    """None of the given identities opens any recipient stanza of a backup
    (a wrong key or passphrase, or the recipient's stanza is missing).

    .. versionadded:: 0.1.0
    """


class BackupStorageError(BackupError, BackendError):
    """A backup destination failed (listing, upload, download, delete).

    The message names the destination with its credentials redacted.

    .. versionadded:: 0.1.0
    """


class BackupSourceError(BackupError):
    """The source of a backup failed: a dump command (``pg_dump``, any
    command) could not start or exited with an error, or a SQLite database
    could not be copied.

    Raised while the backup is being written, so nothing is recorded at the
    destination.  The message names the program and its exit status (for
    ``pg_dump``, its last error line), never a password.

    .. versionadded:: 0.1.0
    """


class RehearsalError(BackupError):
    """A restore rehearsal could not be set up: the throw-away database
    could not be created (server unreachable, no permission, a name taken),
    or a tool it needs is missing.

    A backup that fails to restore is not an error: the rehearsal report
    says so.

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
    and a slot did not free up within the configured timeout; or the memory
    for one could not be allocated now (a memory cap).

    Each argon2id call holds its full memory cost (64 MiB by default), so
    :class:`~dataprotect.passwords.PasswordHasher` bounds concurrent calls.
    Answer the request with "try again later" (HTTP 503).

    .. versionadded:: 0.1.0
    """


# -- two-factor authentication (dataprotect.twofactor) ----------------------


class TwoFactorError(DataProtectError):
    """A second factor (a WebAuthn security key, a one-time code) could not
    be registered or checked.

    Base class of the errors of :mod:`dataprotect.twofactor`; never raised
    directly.

    .. versionadded:: 0.1.0
    """


class WebAuthnError(TwoFactorError):
    """A WebAuthn ceremony failed.

    Base class of the errors :class:`~dataprotect.twofactor.RelyingParty`
    raises; never raised directly.  Unlike :class:`IntegrityError`, the
    subclasses say which check failed (the response comes from the user's
    own browser, and the server's logs need the reason); answer the client
    with one generic message all the same.

    .. versionadded:: 0.1.0
    """


class WebAuthnFormatError(WebAuthnError, ValueError):
    """A WebAuthn response or stored credential is malformed: not JSON, a
    field of the wrong type or over its size bound, bad base64url, CBOR
    garbage in the attestation object or authenticator data.

    .. versionadded:: 0.1.0
    """


class UnsupportedAlgorithmError(WebAuthnFormatError):
    """The credential's public key uses a COSE algorithm the relying party
    does not accept, or is not a valid key of its algorithm.

    .. versionadded:: 0.1.0
    """


class WebAuthnStateError(WebAuthnError):
    """A ceremony's state token is forged, corrupt, from another relying
    party or keyring, or from the other ceremony (a registration token used
    to sign in).

    .. versionadded:: 0.1.0
    """


class ChallengeExpiredError(WebAuthnStateError):
    """The ceremony's challenge expired: begin it again.

    .. versionadded:: 0.1.0
    """


class ChallengeReusedError(WebAuthnStateError):
    """The ceremony's state token was already used once: a replay.

    .. versionadded:: 0.1.0
    """


class WebAuthnVerificationError(WebAuthnError):
    """A WebAuthn response failed a check of the ceremony.

    Raised directly for a ``clientDataJSON`` of the wrong ceremony type;
    the subclasses name the other checks.

    .. versionadded:: 0.1.0
    """


class ChallengeMismatchError(WebAuthnVerificationError):
    """The response signs another challenge than the state token's.

    .. versionadded:: 0.1.0
    """


class OriginMismatchError(WebAuthnVerificationError):
    """The response comes from an origin the relying party does not list
    exactly, or from a cross-origin iframe.

    .. versionadded:: 0.1.0
    """


class RelyingPartyMismatchError(WebAuthnVerificationError):
    """The authenticator data is scoped to another RP ID (its RP ID hash
    differs).

    .. versionadded:: 0.1.0
    """


class AuthenticatorFlagsError(WebAuthnVerificationError):
    """An authenticator data flag breaks the policy: the user was not
    present, or not verified when verification is required, or the backup
    flags are inconsistent or changed since registration.

    .. versionadded:: 0.1.0
    """


class WebAuthnSignatureError(WebAuthnVerificationError):
    """The assertion signature does not verify under the credential's
    public key.

    .. versionadded:: 0.1.0
    """


class ClonedAuthenticatorError(WebAuthnVerificationError):
    """The signature counter did not increase: the authenticator may have
    been cloned.

    Raised only under the default ``sign_count="reject"`` policy; under
    ``"report"`` the sign-in succeeds and the result says so.

    .. versionadded:: 0.1.0
    """


class AttestationError(WebAuthnVerificationError):
    """The attestation statement is invalid, of an unsupported format, or
    does not chain to a trusted attestation root.

    .. versionadded:: 0.1.0
    """


class AuthenticatorNotAllowedError(WebAuthnVerificationError):
    """The authenticator is not allowed by the policy: its AAGUID is not in
    the allow-list, or its credential is backup-eligible (a synced passkey)
    where only device-bound keys are accepted.

    .. versionadded:: 0.1.0
    """


class UnknownCredentialError(WebAuthnError, LookupError):
    """The response names a credential that is not registered, not one of
    the credentials the ceremony allowed, or that belongs to another user.

    .. versionadded:: 0.1.0
    """


class TwoFactorRecordError(TwoFactorError, ValueError):
    """A stored two-factor record (a TOTP or HOTP record, a set of recovery
    codes) is malformed, too large, of an unknown version or type, or holds
    parameters outside the accepted bounds (an unknown algorithm, 9 digits).

    .. versionadded:: 0.1.0
    """

"""Two-factor authentication for staff logins.

Security keys and passkeys: :class:`RelyingParty` is a WebAuthn / FIDO2
relying party (the ``webauthn`` extra, ``pip install
dataprotect[webauthn]``, brings Yubico's ``fido2``; it is imported when a
:class:`RelyingParty` is made).  Its :class:`Credential` records
serialise to JSON for any database.

One-time passwords: :class:`TOTP` (RFC 6238, authenticator apps) and
:class:`HOTP` (RFC 4226, hardware tokens), whose secrets are stored only
encrypted by an :class:`~dataprotect.encryption.Encryptor` and whose
records carry what refuses a replayed code; ``otpauth://`` provisioning
URIs and their QR codes (:func:`qr_svg`, :func:`qr_png`,
:func:`qr_terminal`, which need ``dataprotect[twofactor]``).
:class:`RecoveryCodes` makes single-use recovery codes stored as keyed
digests.  :func:`second_factor_throttle` rate-limits every kind of
attempt through a :class:`~dataprotect.ratelimit.LoginThrottle` (needs
``dataprotect[ratelimit]``).

Importing this package needs no optional dependency.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from dataprotect.twofactor._otp import (
    HOTP,
    TOTP,
    Algorithm,
    HOTPRecord,
    TOTPRecord,
)
from dataprotect.twofactor._qr import qr_png, qr_svg, qr_terminal
from dataprotect.twofactor._recovery import RecoveryCodes, RecoveryCodeSet
from dataprotect.twofactor._throttle import second_factor_throttle
from dataprotect.twofactor._webauthn import (
    AuthenticationResult,
    ChallengeStore,
    Credential,
    CredentialLookup,
    CredentialStore,
    MemoryChallengeStore,
    RelyingParty,
    WebAuthnUser,
)


__all__ = [
    "HOTP",
    "TOTP",
    "Algorithm",
    "AuthenticationResult",
    "ChallengeStore",
    "Credential",
    "CredentialLookup",
    "CredentialStore",
    "HOTPRecord",
    "MemoryChallengeStore",
    "RecoveryCodeSet",
    "RecoveryCodes",
    "RelyingParty",
    "TOTPRecord",
    "WebAuthnUser",
    "qr_png",
    "qr_svg",
    "qr_terminal",
    "second_factor_throttle",
]

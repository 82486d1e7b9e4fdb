"""Second factors: WebAuthn security keys and passkeys.

The WebAuthn relying party needs the ``webauthn`` extra
(``pip install dataprotect[webauthn]``, which brings Yubico's ``fido2``);
it is imported when a :class:`RelyingParty` is made, so this package
imports without it.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

# -- WebAuthn / FIDO2 (issue #12, second half) -------------------------------
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


# -- end of WebAuthn ----------------------------------------------------------


__all__ = [
    # WebAuthn
    "AuthenticationResult",
    "ChallengeStore",
    "Credential",
    "CredentialLookup",
    "CredentialStore",
    "MemoryChallengeStore",
    "RelyingParty",
    "WebAuthnUser",
]

"""Two-factor authentication for staff logins.

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
"""

from __future__ import annotations

# -- one-time passwords, recovery codes, throttling --------------------------
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


__all__ = [
    # -- one-time passwords, recovery codes, throttling ----------------------
    "HOTP",
    "TOTP",
    "Algorithm",
    "HOTPRecord",
    "RecoveryCodeSet",
    "RecoveryCodes",
    "TOTPRecord",
    "qr_png",
    "qr_svg",
    "qr_terminal",
    "second_factor_throttle",
]

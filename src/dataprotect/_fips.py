"""Which OpenSSL ``cryptography`` runs on, and whether FIPS mode is on."""

from __future__ import annotations

from dataclasses import dataclass


__all__ = ["FIPSStatus", "fips_status"]


@dataclass(frozen=True)
class FIPSStatus:
    """The answer of :func:`fips_status`.

    Attributes:
        openssl_version: OpenSSL's version text, e.g. ``"OpenSSL 3.5.0 ..."``.
        fips_enabled: Whether a FIPS provider is active in that OpenSSL.

    .. versionadded:: 0.1.0
    """

    openssl_version: str
    fips_enabled: bool


def fips_status() -> FIPSStatus:
    """Report the OpenSSL version and whether a FIPS provider is active.

    When it is, dataprotect derives passphrase keys with PBKDF2-HMAC-SHA-256
    instead of argon2id, so only FIPS-approved algorithms are used.

    .. versionadded:: 0.1.0
    """
    # Imported here: the OpenSSL backend pulls in the asymmetric modules,
    # which ``import dataprotect.keys`` (every CLI call) does not need.
    from cryptography.hazmat.backends.openssl import backend

    return FIPSStatus(
        openssl_version=backend.openssl_version_text(),
        fips_enabled=bool(backend._fips_enabled),  # noqa: SLF001 - cryptography has no public FIPS flag
    )

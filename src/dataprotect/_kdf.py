"""Key separation: every purpose derives its own subkey from a root key.

One keyring may serve several purposes.  Each derives a subkey with
HKDF-SHA-256 (RFC 5869) under a distinct, versioned label from
:data:`LABELS`, so no two purposes can ever share a key.  Add a purpose here,
never a label string elsewhere.
"""

from __future__ import annotations

from typing import Final

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


__all__ = ["LABELS", "derive"]

#: Purpose -> label template.  ``{}`` is filled with the purpose's parameter
#: (an index name, an epoch); a template without one takes no parameter.
LABELS: Final[dict[str, str]] = {
    "encryption": "dataprotect/v1/encryption",
    "blind-index": "dataprotect/v1/blind-index/{}",
    "pseudonym": "dataprotect/v1/pseudonym/{}",
    "token-digest": "dataprotect/v1/token-digest",
    "pepper": "dataprotect/v1/pepper",
    "device-cookie": "dataprotect/v1/device-cookie",
    "ratelimit-key": "dataprotect/v1/ratelimit-key",
    "backup-kek": "dataprotect/v1/backup-kek",
    "backup-header-mac": "dataprotect/v1/backup-header-mac",
    "backup-payload": "dataprotect/v1/backup-payload/{}",
    "pepper-wrap": "dataprotect/v1/pepper-wrap/{}",
}


def derive(
    key: bytes, purpose: str, param: str | None = None, *, length: int = 32
) -> bytes:
    """Derive the subkey for *purpose* (and *param*) from *key*.

    Args:
        key: The root key (32 bytes).
        purpose: A key of :data:`LABELS`.
        param: The purpose's parameter, for templates that take one.
        length: Subkey length in bytes.

    Raises:
        KeyError: *purpose* is unknown (a programming error).
        ValueError: *param* is missing, superfluous or contains ``/``.
    """
    template = LABELS[purpose]
    takes_param = "{}" in template
    if takes_param != (param is not None):
        msg = "param must be given exactly for parameterised purposes"
        raise ValueError(msg)
    if param is not None and ("/" in param or not param):
        msg = "param must be non-empty and must not contain '/'"
        raise ValueError(msg)
    label = template.format(param) if param is not None else template
    return HKDF(
        algorithm=hashes.SHA256(),
        length=length,
        salt=None,
        info=label.encode("utf-8"),
    ).derive(key)

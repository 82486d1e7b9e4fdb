"""Responsible disclosure: RFC 9116 ``security.txt``.

Write the file with :class:`SecurityTxt`, sign it with
:func:`sign_security_txt` (the system ``gpg``), validate a file with
:func:`parse_security_txt` and a live site with :func:`check_security_txt`.
Every broken rule of the RFC is reported as a named :class:`Violation`.

>>> from datetime import datetime, timedelta, timezone
>>> now = datetime(2030, 6, 1, tzinfo=timezone.utc)
>>> txt = SecurityTxt(
...     contact=["mailto:security@example.com", "https://example.com/report"],
...     expires=now + timedelta(days=180),
...     preferred_languages=["en", "nl"],
...     canonical="https://example.com/.well-known/security.txt",
... )
>>> text = txt.render(now=now)
>>> report = parse_security_txt(text, now=now)
>>> report.ok, report.security_txt == txt
(True, True)
>>> [v.code for v in report.warnings]
['not_signed']

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import os

from dataprotect.disclosure._check import WELL_KNOWN_PATH, check_security_txt
from dataprotect.disclosure._gpg import sign_cleartext
from dataprotect.disclosure._model import SecurityTxt
from dataprotect.disclosure._parse import (
    MAX_SIZE,
    VIOLATIONS,
    SecurityTxtReport,
    Violation,
    parse_security_txt,
)


for _obj in (
    SecurityTxt,
    SecurityTxtReport,
    Violation,
    check_security_txt,
    parse_security_txt,
):
    _obj.__module__ = __name__

__all__ = [
    "CONTENT_TYPE",
    "MAX_SIZE",
    "VIOLATIONS",
    "WELL_KNOWN_PATH",
    "SecurityTxt",
    "SecurityTxtReport",
    "Violation",
    "check_security_txt",
    "parse_security_txt",
    "sign_security_txt",
]

#: The content type RFC 9116 requires for the served file.
CONTENT_TYPE = "text/plain; charset=utf-8"


def sign_security_txt(
    text: str,
    *,
    key: str,
    gnupghome: str | os.PathLike[str] | None = None,
    passphrase_file: str | os.PathLike[str] | None = None,
) -> str:
    """*text* (a rendered file) with an OpenPGP cleartext signature.

    Runs the system ``gpg --clearsign``; lines starting with ``-`` are
    dash-escaped as OpenPGP requires, and :func:`parse_security_txt`
    reads them back.  Include a Canonical field in a signed file.

    Args:
        text: The file's text, e.g. from :meth:`SecurityTxt.render`.
        key: The signing key's id, fingerprint or user id.
        gnupghome: The GnuPG home directory (default: gpg's own).
        passphrase_file: A file holding the key's passphrase, for keys
            that have one (never pass a passphrase as an argument).

    Returns:
        The signed file's text.

    Raises:
        BackendError: ``gpg`` is missing, or cannot sign with *key*.
        ConfigurationError: *key* is empty or looks like an option.

    .. versionadded:: 0.1.0
    """
    return sign_cleartext(
        text, key=key, gnupghome=gnupghome, passphrase_file=passphrase_file
    )

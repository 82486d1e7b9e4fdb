"""Fetching a served ``security.txt`` and checking how it is served."""

from __future__ import annotations

import dataclasses
import http.client
import os
import ssl

from datetime import datetime
from email.message import Message
from urllib.parse import SplitResult, urljoin, urlsplit

from dataprotect.disclosure._parse import (
    MAX_SIZE,
    SecurityTxtReport,
    Violation,
    parse_security_txt,
)


__all__ = ["WELL_KNOWN_PATH", "check_security_txt"]

#: Where RFC 9116 puts the file.
WELL_KNOWN_PATH = "/.well-known/security.txt"
_MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


_NO_HTTPS = "no_https"
_UNREACHABLE = "no_security_txt"
_BAD_CERT = "invalid_cert"


class _FetchError(Exception):
    """The fetch failed; ``args[0]`` is the violation code."""


def _target(url: str) -> tuple[str, list[Violation]]:
    if "://" not in url:
        url = f"https://{url}"
    parts = urlsplit(url)
    found: list[Violation] = []
    if parts.path in ("", "/"):
        url = parts._replace(path=WELL_KNOWN_PATH).geturl()
    elif parts.path != WELL_KNOWN_PATH:
        found.append(Violation.of("location"))
    return url, found


def _connection(
    url: str, context: ssl.SSLContext, timeout: float
) -> tuple[SplitResult, http.client.HTTPSConnection]:
    """*url*'s parts and an (unopened) HTTPS connection to its host."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a redirect to a port out of range, "[", ...
        raise _FetchError(_UNREACHABLE) from None
    if parts.scheme.lower() != "https" or not parts.hostname:
        raise _FetchError(_NO_HTTPS)
    return parts, http.client.HTTPSConnection(
        parts.hostname, port, timeout=timeout, context=context
    )


def _get(
    url: str, context: ssl.SSLContext, timeout: float, max_size: int
) -> tuple[str, Message, bytes]:
    """GET *url* over HTTPS, following HTTPS redirects; the final URL,
    headers and at most *max_size* + 1 bytes of body."""
    for _ in range(_MAX_REDIRECTS + 1):
        parts, conn = _connection(url, context, timeout)
        try:
            path = parts.path or "/"
            if parts.query:
                path += f"?{parts.query}"
            conn.request(
                "GET",
                path,
                headers={
                    "User-Agent": "dataprotect-security-txt-check",
                    "Accept": "text/plain",
                },
            )
            response = conn.getresponse()
            if response.status in _REDIRECTS:
                location = response.getheader("Location")
                if not location:
                    raise _FetchError(_UNREACHABLE)
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise _FetchError(_UNREACHABLE)
            body = response.read(max_size + 1)
        except ssl.SSLCertVerificationError:
            raise _FetchError(_BAD_CERT) from None
        except (OSError, http.client.HTTPException, ValueError):
            raise _FetchError(_UNREACHABLE) from None
        else:
            return url, response.msg, body
        finally:
            conn.close()
    raise _FetchError(_UNREACHABLE)


def _content_type(headers: Message) -> list[Violation]:
    if headers.get("Content-Type") is None:
        return [Violation.of("no_content_type")]
    found = []
    if headers.get_content_type() != "text/plain":
        found.append(Violation.of("invalid_media"))
    charset = headers.get_param("charset")
    if not isinstance(charset, str) or charset.lower() not in (
        "utf-8",
        "utf8",
    ):
        found.append(Violation.of("invalid_charset"))
    return found


def check_security_txt(
    url: str,
    *,
    ssl_context: ssl.SSLContext | None = None,
    cafile: str | os.PathLike[str] | None = None,
    timeout: float = 10.0,
    now: datetime | None = None,
    expiry_warning_days: int = 30,
    verify_signature: bool = False,
    gnupghome: str | os.PathLike[str] | None = None,
    max_size: int = MAX_SIZE,
) -> SecurityTxtReport:
    """Fetch and validate a site's ``security.txt``.

    Checks everything :func:`parse_security_txt` checks, and how the file
    is served: over HTTPS with a valid certificate (redirects are followed
    only to HTTPS URLs), at ``/.well-known/security.txt``, with the content
    type ``text/plain; charset=utf-8``, and listed in its own Canonical
    fields (either the requested or the final URL) when it has any.

    A site that cannot be reached (refused, timed out, a TLS or HTTP
    error, no 200 answer) gives a report with ``ok == False`` and the
    violation ``no_security_txt`` (``invalid_cert`` for a certificate
    that does not verify): never a pass, never an exception.

    Args:
        url: A URL, or a host name (``example.com`` means
            ``https://example.com/.well-known/security.txt``).
        ssl_context: The TLS settings (default: the system trust store,
            or *cafile*).
        cafile: PEM trust roots, when *ssl_context* is not given.
        timeout: Seconds for each connection and read.
        now: The current time (default: the clock).
        expiry_warning_days: Warn when the file expires within this many
            days.
        verify_signature: Check an OpenPGP signature with ``gpg``.
        gnupghome: The GnuPG home directory for *verify_signature*.
        max_size: The largest accepted file in bytes.

    Returns:
        The report; ``report.ok`` is True when the file passes.

    Raises:
        BackendError: *verify_signature* is set and ``gpg`` is missing.

    .. versionadded:: 0.1.0
    """
    url, found = _target(url)
    if ssl_context is None:
        ssl_context = ssl.create_default_context(
            cafile=None if cafile is None else os.fspath(cafile)
        )
    try:
        final, headers, body = _get(url, ssl_context, timeout, max_size)
    except _FetchError as exc:
        found.append(Violation.of(exc.args[0]))
        return SecurityTxtReport(url, {}, None, tuple(found))
    found += _content_type(headers)
    report = parse_security_txt(
        body,
        now=now,
        expiry_warning_days=expiry_warning_days,
        verify_signature=verify_signature,
        gnupghome=gnupghome,
        max_size=max_size,
    )
    canonical = report.fields.get("canonical", ())
    if canonical and url not in canonical and final not in canonical:
        found.append(Violation.of("no_canonical_match"))
    return dataclasses.replace(
        report, url=url, violations=(*found, *report.violations)
    )

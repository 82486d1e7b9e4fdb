"""Redaction of storage URIs and paths for messages, reprs and log lines.

The one place that masks credentials; used by the rate-limit storages, the
backup destinations and the command line's error lines.
"""

from __future__ import annotations

import re


__all__ = ["redact_location", "redact_uri"]

_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")
_SENSITIVE_QUERY = ("pass", "pwd", "secret", "token", "key", "auth", "cred")


def redact_uri(uri: str) -> str:
    """Return *uri* with its password (and secret query values) masked.

    ``redis://user:pw@host:6379/0`` becomes
    ``redis://user:[secure]@host:6379/0``, as httpx masks URLs.  A
    password holding an unencoded ``/``, ``?`` or ``#`` hides the ``@``
    from a URL parser; then, as whenever an ``@`` follows the host,
    everything up to the last ``@`` counts as credentials
    (``redis://[secure]@host``), and an ``@`` without a ``scheme://`` gives
    ``[unparsable uri]``.

    Args:
        uri: A storage URI.

    Returns:
        The URI, safe to log.

    .. versionadded:: 0.1.0
    """
    # Imported here: only an error line or a repr needs it, and it is most
    # of the cost of importing this module into every command-line call.
    import urllib.parse

    try:
        parts = urllib.parse.urlsplit(uri)
    except ValueError:
        return "[unparsable uri]"
    netloc = parts.netloc
    userinfo, at, hostinfo = netloc.rpartition("@")
    if "@" in f"{parts.path}{parts.query}{parts.fragment}" or (
        not at and "@" in uri
    ):
        # An '@' the parser did not take as the end of the credentials:
        # assume the userinfo hides a delimiter and redact everything
        # before the last '@' (at worst too much).
        head, _, tail = uri.rpartition("@")
        scheme, sep, _ = head.partition("://")
        if not sep or not _SCHEME_RE.fullmatch(scheme):
            return "[unparsable uri]"
        rest = redact_uri(f"{scheme}://{tail}")
        return rest.replace("://", "://[secure]@", 1)
    if at:
        user, colon, _ = userinfo.partition(":")
        netloc = (
            f"{user}:[secure]@{hostinfo}" if colon else f"[secure]@{hostinfo}"
        )
    query = parts.query
    if query:
        pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
        query = "&".join(
            f"{k}=[secure]"
            if any(s in k.lower() for s in _SENSITIVE_QUERY)
            else f"{k}={v}"
            for k, v in pairs
        )
    out = f"{parts.scheme}://{netloc}{parts.path}"
    if query:
        out += f"?{query}"
    return out


def redact_location(text: str) -> str:
    """*text*, a local path or a URL given for one, safe for a message.

    A URL given where a local path was expected (``sftp://user:pw@host/x``)
    ends up in an ``OSError``: everything before its last ``@`` is masked
    when a ``:`` precedes it.  A plain path comes back unchanged.
    """
    head, at, tail = text.rpartition("@")
    if not at or ":" not in head:
        return text
    scheme = head.partition(":")[0]
    prefix = f"{scheme}://" if _SCHEME_RE.fullmatch(scheme) else ""
    return f"{prefix}[secure]@{tail}"

"""The ``security.txt`` fields (RFC 9116) and their rendering."""

from __future__ import annotations

import re

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Literal
from urllib.parse import urlsplit

from dataprotect.errors import ConfigurationError


__all__ = [
    "FIELD_NAMES",
    "SecurityTxt",
    "format_expires",
    "is_language_tag",
    "uri_problem",
]

#: Attribute name -> field name, in the order :meth:`SecurityTxt.render`
#: writes them (the RFC leaves the order free).
FIELD_NAMES: dict[str, str] = {
    "contact": "Contact",
    "expires": "Expires",
    "encryption": "Encryption",
    "acknowledgments": "Acknowledgments",
    "preferred_languages": "Preferred-Languages",
    "canonical": "Canonical",
    "policy": "Policy",
    "hiring": "Hiring",
    "csaf": "CSAF",
}
URI_FIELDS = (
    "contact",
    "encryption",
    "acknowledgments",
    "canonical",
    "policy",
    "hiring",
    "csaf",
)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
# RFC 3986 characters: unreserved, reserved and "%" (escapes).
_URI_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
# RFC 5646, simplified: a primary tag of 1-8 letters, then subtags.
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
# A comment line: WSP, VCHAR and anything from U+0080 (RFC 9116 ABNF).
_COMMENT_TEXT = re.compile(r"[\t\x20-\x7e\x80-\U0010ffff]*")


def uri_problem(value: str) -> Literal["no_uri", "no_https"] | None:
    """Why *value* is no valid field URI, or None.

    ``no_uri``: not an absolute RFC 3986 URI (a bare address, a pasted key);
    ``no_https``: a web URI that does not begin with ``https://``.
    """
    if not _SCHEME.match(value) or not _URI_CHARS.fullmatch(value):
        return "no_uri"
    try:
        parts = urlsplit(value)
    except ValueError:  # an unbalanced "[" or "]" in the authority
        return "no_uri"
    scheme = parts.scheme.lower()
    if scheme == "http":
        return "no_https"
    if scheme == "https" and (
        not value.lower().startswith("https://") or not parts.hostname
    ):
        return "no_uri"
    return None


def is_language_tag(value: str) -> bool:
    """Whether *value* has the shape of an RFC 5646 language tag."""
    return _LANGUAGE_TAG.fullmatch(value) is not None


def format_expires(when: datetime) -> str:
    """*when* in the RFC 3339 form the RFC's examples use, in UTC."""
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _strings(name: str, values: Iterable[str] | str) -> tuple[str, ...]:
    if isinstance(values, str):
        values = (values,)
    out = tuple(values)
    if not all(isinstance(v, str) for v in out):
        msg = f"{name} must be strings"
        raise TypeError(msg)
    return out


def _check_uris(values: dict[str, tuple[str, ...]]) -> None:
    if not values["contact"]:
        msg = "contact: at least one is required"
        raise ConfigurationError(msg)
    for name, items in values.items():
        for item in items:
            problem = uri_problem(item)
            if problem == "no_https":
                msg = f"{name}: a web URI must begin with https://"
                raise ConfigurationError(msg)
            if problem is not None:
                msg = f"{name}: each value must be a URI"
                raise ConfigurationError(msg)


def _check_comment(comment: str) -> None:
    if not isinstance(comment, str):
        msg = "comment must be a string"  # type: ignore[unreachable]  # guards untyped callers
        raise TypeError(msg)
    if not all(
        _COMMENT_TEXT.fullmatch(line) and line == line.rstrip()
        for line in comment.split("\n")
    ):
        msg = "comment: printable text without trailing whitespace"
        raise ConfigurationError(msg)


@dataclass(frozen=True, init=False)
class SecurityTxt:
    """The fields of an RFC 9116 ``security.txt`` file.

    Every URI field takes one value or a sequence of values (the order of
    ``contact`` is the order of preference).  The constructor checks every
    rule that does not depend on the clock; :meth:`render` checks the
    expiry date against the current time.

    Args:
        contact: Where to report a vulnerability: ``mailto:``, ``tel:`` or
            ``https://`` URIs.  At least one is required.
        expires: When the file goes stale (a timezone-aware datetime; kept
            to the second).
        encryption: Where the key for encrypted reports is (a URI, never
            the key itself).
        acknowledgments: A page thanking reporters.
        preferred_languages: RFC 5646 language tags, e.g. ``("en", "nl")``.
        canonical: The URIs this file is meant to be served from.
        policy: The vulnerability disclosure policy.
        hiring: Security-related job openings.
        csaf: CSAF provider metadata (``provider-metadata.json``).
        comment: Text written as ``#`` comment lines at the top.

    Raises:
        ConfigurationError: A value breaks the RFC (no contact, a value
            that is not a URI, an ``http://`` URI, a bad language tag, a
            comment with a line break character other than LF).
        TypeError: *expires* is not a datetime, or a value is not a string.

    >>> from datetime import datetime, timezone
    >>> from dataprotect.disclosure import SecurityTxt
    >>> txt = SecurityTxt(
    ...     contact="mailto:security@example.com",
    ...     expires=datetime(2031, 1, 1, tzinfo=timezone.utc),
    ... )
    >>> print(txt.render(max_expiry=None), end="")
    Contact: mailto:security@example.com
    Expires: 2031-01-01T00:00:00Z

    .. versionadded:: 0.1.0
    """

    contact: tuple[str, ...]
    expires: datetime
    encryption: tuple[str, ...] = ()
    acknowledgments: tuple[str, ...] = ()
    preferred_languages: tuple[str, ...] = ()
    canonical: tuple[str, ...] = ()
    policy: tuple[str, ...] = ()
    hiring: tuple[str, ...] = ()
    csaf: tuple[str, ...] = ()
    comment: str | None = field(default=None)

    def __init__(
        self,
        contact: Sequence[str] | str,
        expires: datetime,
        *,
        encryption: Sequence[str] | str = (),
        acknowledgments: Sequence[str] | str = (),
        preferred_languages: Sequence[str] | str = (),
        canonical: Sequence[str] | str = (),
        policy: Sequence[str] | str = (),
        hiring: Sequence[str] | str = (),
        csaf: Sequence[str] | str = (),
        comment: str | None = None,
    ) -> None:
        if not isinstance(expires, datetime):
            msg = "expires must be a datetime"  # type: ignore[unreachable]  # guards untyped callers
            raise TypeError(msg)
        if expires.tzinfo is None or expires.utcoffset() is None:
            msg = "expires must be timezone-aware"
            raise ConfigurationError(msg)
        values = {
            "contact": _strings("contact", contact),
            "encryption": _strings("encryption", encryption),
            "acknowledgments": _strings("acknowledgments", acknowledgments),
            "canonical": _strings("canonical", canonical),
            "policy": _strings("policy", policy),
            "hiring": _strings("hiring", hiring),
            "csaf": _strings("csaf", csaf),
        }
        _check_uris(values)
        langs = _strings("preferred_languages", preferred_languages)
        if not all(is_language_tag(tag) for tag in langs):
            msg = "preferred_languages: each value must be an RFC 5646 tag"
            raise ConfigurationError(msg)
        if comment is not None:
            _check_comment(comment)
        for name, items in values.items():
            object.__setattr__(self, name, items)
        object.__setattr__(self, "preferred_languages", langs)
        object.__setattr__(
            self,
            "expires",
            expires.astimezone(timezone.utc).replace(microsecond=0),
        )
        object.__setattr__(self, "comment", comment)

    def render(
        self,
        *,
        line_ending: Literal["\n", "\r\n"] = "\n",
        now: datetime | None = None,
        max_expiry: timedelta | None = timedelta(days=365),
    ) -> str:
        """The file's text, UTF-8 when encoded, every line ended.

        Args:
            line_ending: LF (default) or CRLF; the RFC allows both.
            now: The current time (default: the clock).
            max_expiry: The furthest ``expires`` may be from *now* (the RFC
                recommends less than a year); None allows any future date.

        Raises:
            ConfigurationError: ``expires`` is not in the future, or is
                further away than *max_expiry*.

        .. versionadded:: 0.1.0
        """
        if line_ending not in ("\n", "\r\n"):
            msg = "line_ending must be LF or CRLF"
            raise ConfigurationError(msg)
        now = datetime.now(timezone.utc) if now is None else now
        if self.expires <= now:
            msg = "expires must be in the future"
            raise ConfigurationError(msg)
        if max_expiry is not None and self.expires - now > max_expiry:
            msg = "expires is further ahead than max_expiry"
            raise ConfigurationError(msg)
        lines = []
        if self.comment is not None:
            lines += [
                f"# {line}" if line else "#"
                for line in self.comment.split("\n")
            ]
        for attr, name in FIELD_NAMES.items():
            if attr == "expires":
                lines.append(f"Expires: {format_expires(self.expires)}")
            elif attr == "preferred_languages":
                if self.preferred_languages:
                    langs = ", ".join(self.preferred_languages)
                    lines.append(f"Preferred-Languages: {langs}")
            else:
                values: tuple[str, ...] = getattr(self, attr)
                lines += [f"{name}: {value}" for value in values]
        return "".join(line + line_ending for line in lines)

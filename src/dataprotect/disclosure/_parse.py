"""Reading and validating a ``security.txt`` file (RFC 9116)."""

from __future__ import annotations

import os
import re

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Literal

from dataprotect.disclosure import _gpg
from dataprotect.disclosure._model import (
    FIELD_NAMES,
    URI_FIELDS,
    SecurityTxt,
    is_language_tag,
    uri_problem,
)
from dataprotect.errors import ConfigurationError


__all__ = [
    "MAX_SIZE",
    "VIOLATIONS",
    "SecurityTxtReport",
    "Violation",
    "parse_security_txt",
]

#: The largest file read (bytes); a bigger one is a ``too_large`` error.
MAX_SIZE = 64 * 1024

#: Violation code -> (severity, message).  ``error`` breaks a MUST of RFC
#: 9116 (or makes the file unusable); ``warning`` a SHOULD or advice.
VIOLATIONS: dict[str, tuple[Literal["error", "warning"], str]] = {
    # the bytes
    "too_large": ("error", "the file is larger than the size limit"),
    "utf8": ("error", "the file is not UTF-8 text"),
    "bom_in_file": ("error", "the file starts with a byte-order mark"),
    "no_line_separators": ("error", "the last line does not end with LF"),
    # lines
    "invalid_line": (
        "error",
        "a line is not a field, a comment or blank (or holds control characters)",
    ),
    "prec_ws": ("error", "whitespace before a field's colon"),
    "no_space": ("error", "a field's colon is not followed by one space"),
    "empty_key": ("error", "a field has no name"),
    "empty_value": ("error", "a field has no value"),
    "unknown_field": ("warning", "an unknown field (ignored)"),
    # values
    "no_uri": ("error", "a field value must be a URI"),
    "no_https": ("error", "a web URI must begin with https://"),
    "no_contact": ("error", "the Contact field is required"),
    "no_expire": ("error", "the Expires field is required"),
    "multi_expire": ("error", "the Expires field appears more than once"),
    "invalid_expiry": ("error", "Expires is not an RFC 3339 date-time"),
    "expired": ("error", "the file has expired"),
    "long_expiry": ("warning", "Expires is more than a year ahead"),
    "expires_soon": ("warning", "the file expires soon"),
    "multi_lang": (
        "error",
        "the Preferred-Languages field appears more than once",
    ),
    "invalid_lang": ("error", "a preferred language is not an RFC 5646 tag"),
    "no_csaf_file": (
        "error",
        "a CSAF field must point to a provider-metadata.json file",
    ),
    "no_canonical_match": (
        "error",
        "the file's URL is not among its Canonical fields",
    ),
    # the signature
    "not_signed": ("warning", "the file is not signed (OpenPGP cleartext)"),
    "no_canonical": ("warning", "a signed file should have a Canonical field"),
    "signed_format_issue": (
        "error",
        "a malformed OpenPGP cleartext signature",
    ),
    "data_after_sig": ("error", "data after the signature"),
    "pgp_signature_error": (
        "error",
        "the signature is not valid (or its key is unknown)",
    ),
    # the web server
    "no_security_txt": ("error", "no security.txt could be fetched"),
    "invalid_cert": ("error", "the server's certificate is not valid"),
    "location": ("error", "not served at /.well-known/security.txt"),
    "no_content_type": ("error", "no Content-Type header"),
    "invalid_media": ("error", "the Content-Type is not text/plain"),
    "invalid_charset": ("error", "the Content-Type has no charset=utf-8"),
}

_BEGIN = "-----BEGIN PGP SIGNED MESSAGE-----"
_SIG_BEGIN = "-----BEGIN PGP SIGNATURE-----"
_SIG_END = "-----END PGP SIGNATURE-----"
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_FIELD_NAME = re.compile(r"[\x21-\x39\x3b-\x7e]+")
_DATE_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2}))"
)


@dataclass(frozen=True)
class Violation:
    """One broken rule of RFC 9116 (or one piece of advice).

    Attributes:
        code: A stable name, e.g. ``no_contact`` (the names follow the
            ``sectxt`` validator's where both have the rule).
        message: What is wrong, in words.
        line: The 1-based line, when one line is at fault.
        severity: ``error`` (a MUST, or an unusable file) or ``warning``.

    .. versionadded:: 0.1.0
    """

    code: str
    message: str
    line: int | None = None
    severity: Literal["error", "warning"] = "error"

    @classmethod
    def of(cls, code: str, line: int | None = None) -> Violation:
        """The violation *code* with its standard severity and message.

        .. versionadded:: 0.1.0
        """
        severity, message = VIOLATIONS[code]
        return cls(code, message, line, severity)

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line is not None else ""
        return f"{self.severity}: {self.code}{where}: {self.message}"


@dataclass(frozen=True)
class SecurityTxtReport:
    """What :func:`parse_security_txt` or :func:`check_security_txt` found.

    Attributes:
        url: The URL the file was fetched from, if any.
        fields: Every field's values, keyed by lower-case field name, in
            file order.
        security_txt: The fields as a :class:`SecurityTxt`, or None when
            they do not make a valid one.
        violations: Every broken rule, in the order found.
        signed: Whether the file is OpenPGP cleartext-signed.
        signature_valid: The signature check's result; None when not
            signed or not checked.
        signer: The signing key's fingerprint when the signature is valid.
        expires: The Expires date, when there is exactly one valid one.

    .. versionadded:: 0.1.0
    """

    url: str | None
    fields: dict[str, tuple[str, ...]] = field(hash=False)
    security_txt: SecurityTxt | None = None
    violations: tuple[Violation, ...] = ()
    signed: bool = False
    signature_valid: bool | None = None
    signer: str | None = None
    expires: datetime | None = field(default=None)

    @property
    def ok(self) -> bool:
        """True when no ``error`` violation was found (warnings allowed).

        .. versionadded:: 0.1.0
        """
        return not self.errors

    @property
    def errors(self) -> tuple[Violation, ...]:
        """The ``error`` violations.

        .. versionadded:: 0.1.0
        """
        return tuple(v for v in self.violations if v.severity == "error")

    @property
    def warnings(self) -> tuple[Violation, ...]:
        """The ``warning`` violations.

        .. versionadded:: 0.1.0
        """
        return tuple(v for v in self.violations if v.severity == "warning")

    @property
    def codes(self) -> frozenset[str]:
        """The codes of every violation.

        .. versionadded:: 0.1.0
        """
        return frozenset(v.code for v in self.violations)


def parse_expires(value: str) -> datetime | None:
    """An RFC 3339 date-time, or None when *value* is not one."""
    m = _DATE_TIME.fullmatch(value)
    if m is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    leap = second == 60
    if m.group(7):
        tz = timezone.utc
    else:
        sign = 1 if m.group(8) == "+" else -1
        hours, minutes = int(m.group(9)), int(m.group(10))
        if hours > 23 or minutes > 59:
            return None
        tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
    try:
        when = datetime(
            year, month, day, hour, minute, 59 if leap else second, tzinfo=tz
        )
    except ValueError:
        return None
    return when + timedelta(seconds=1) if leap else when


def _after_armor_headers(lines: list[str]) -> int | None:
    """The index of the first body line, or None for broken headers."""
    for i in range(1, len(lines)):
        if not lines[i]:
            return i + 1
        if ":" not in lines[i]:
            return None
    return None


class _Reader:
    """One pass over the lines, collecting fields and violations."""

    def __init__(self) -> None:
        self.violations: list[Violation] = []
        self.fields: dict[str, list[tuple[str, int]]] = defaultdict(list)
        self.comment: list[str] | None = None
        self.signed = False

    def add(self, code: str, line: int | None = None) -> None:
        self.violations.append(Violation.of(code, line))

    def split_signed(
        self, lines: list[str]
    ) -> tuple[list[tuple[int, str]], int, int] | None:
        """The dash-unescaped body of a cleartext-signed file, and where the
        signed message starts and ends; None when the armor is broken."""
        n = len(lines)
        i = _after_armor_headers(lines)
        if i is None:
            return None
        body: list[tuple[int, str]] = []
        while i < n and lines[i] != _SIG_BEGIN:
            line = lines[i]
            if line.startswith("- "):
                line = line[2:]
            elif line.startswith("-"):
                return None
            body.append((i + 1, line))
            i += 1
        end = i
        while end < n and lines[end] != _SIG_END:
            end += 1
        if end >= n:
            return None
        for j in range(end + 1, n):
            if lines[j]:
                self.add("data_after_sig", j + 1)
                break
        return body, i, end

    def read(self, numbered: list[tuple[int, str]]) -> None:
        in_header = True
        for number, line in numbered:
            if line.startswith("#"):
                if in_header:
                    text = line[1:]
                    text = text.removeprefix(" ")
                    self.comment = [*(self.comment or []), text]
                continue
            in_header = False
            if not line:
                continue
            if _CONTROL.search(line):
                self.add("invalid_line", number)
                continue
            self.read_field(number, line)

    def read_field(self, number: int, line: str) -> None:
        name, sep, value = line.partition(":")
        if not sep:
            self.add("invalid_line", number)
            return
        if name != name.rstrip():
            self.add("prec_ws", number)
            name = name.rstrip()
        if not name:
            self.add("empty_key", number)
            return
        if not _FIELD_NAME.fullmatch(name):
            self.add("invalid_line", number)
            return
        if value and not value.startswith(" "):
            self.add("no_space", number)
        value = value.strip(" \t")
        if not value:
            self.add("empty_value", number)
            return
        key = name.lower()
        self.check_value(key, value, number)
        self.fields[key].append((value, number))

    def check_value(self, key: str, value: str, number: int) -> None:
        if key not in _KNOWN:
            self.add("unknown_field", number)
        elif key in _URI_NAMES:
            problem = uri_problem(value)
            if problem is not None:
                self.add(problem, number)
            elif key == "csaf" and not value.endswith(
                "provider-metadata.json"
            ):
                self.add("no_csaf_file", number)
        elif key == "preferred-languages":
            tags = [t.strip(" \t") for t in value.split(",")]
            if not all(is_language_tag(t) for t in tags):
                self.add("invalid_lang", number)


_KNOWN = {name.lower() for name in FIELD_NAMES.values()}
_URI_NAMES = {FIELD_NAMES[attr].lower() for attr in URI_FIELDS}


def _decode(text: str | bytes, reader: _Reader, max_size: int) -> str | None:
    if isinstance(text, str):
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate
            reader.add("utf8")
            return None
    elif isinstance(text, bytes | bytearray | memoryview):
        data = bytes(text)
    else:
        msg = "text must be str or bytes"  # type: ignore[unreachable]  # guards untyped callers
        raise TypeError(msg)
    if len(data) > max_size:
        reader.add("too_large")
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        reader.add("bom_in_file")
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        reader.add("utf8")
        return None


def _check_times(
    reader: _Reader, when: datetime, now: datetime, warn_days: int
) -> None:
    line = reader.fields["expires"][0][1]
    if when <= now:
        reader.add("expired", line)
    elif when - now > timedelta(days=365):
        reader.add("long_expiry", line)
    elif when - now < timedelta(days=warn_days):
        reader.add("expires_soon", line)


def _expires(
    reader: _Reader, now: datetime, warn_days: int
) -> datetime | None:
    values = reader.fields.get("expires", [])
    if not values:
        reader.add("no_expire")
        return None
    if len(values) > 1:
        reader.add("multi_expire", values[1][1])
    parsed = []
    for value, number in values:
        when = parse_expires(value)
        if when is None:
            reader.add("invalid_expiry", number)
        parsed.append(when)
    if len(parsed) != 1 or parsed[0] is None:
        return None
    _check_times(reader, parsed[0], now, warn_days)
    return parsed[0]


def _build(
    reader: _Reader, fields: dict[str, tuple[str, ...]], when: datetime | None
) -> SecurityTxt | None:
    if when is None or len(fields.get("preferred-languages", ())) > 1:
        return None
    langs = fields.get("preferred-languages", ())
    kwargs = {
        attr: fields.get(FIELD_NAMES[attr].lower(), ()) for attr in URI_FIELDS
    }
    contact = kwargs.pop("contact")
    try:
        return SecurityTxt(
            contact,
            when,
            preferred_languages=tuple(
                t.strip(" \t") for t in langs[0].split(",")
            )
            if langs
            else (),
            comment=None
            if reader.comment is None
            else "\n".join(reader.comment),
            **kwargs,
        )
    except ConfigurationError:
        return None


def _body(
    reader: _Reader,
    lines: list[str],
    *,
    verify: bool,
    gnupghome: str | os.PathLike[str] | None,
) -> tuple[list[tuple[int, str]], str | None]:
    """The numbered lines holding fields, and the signature check's result
    (None: not checked; "": not valid; else the signer's fingerprint)."""
    if lines[0] != _BEGIN:
        if _BEGIN in lines:
            reader.add("signed_format_issue", lines.index(_BEGIN) + 1)
        return list(enumerate(lines, start=1)), None
    reader.signed = True
    split = reader.split_signed(lines)
    if split is None:
        reader.add("signed_format_issue")
        return [], None
    numbered, start, end = split
    if not verify:
        return numbered, None
    block = "\n".join(lines[: end + 1]) + "\n"
    signer = _gpg.verify_cleartext(block, gnupghome=gnupghome)
    if signer is None:
        reader.add("pgp_signature_error", start + 1)
    return numbered, signer or ""


def parse_security_txt(
    text: str | bytes,
    *,
    url: str | None = None,
    now: datetime | None = None,
    expiry_warning_days: int = 30,
    verify_signature: bool = False,
    gnupghome: str | os.PathLike[str] | None = None,
    max_size: int = MAX_SIZE,
) -> SecurityTxtReport:
    """Validate the text of a ``security.txt`` file against RFC 9116.

    Every broken rule becomes a named :class:`Violation`; malformed input
    (binary data, a huge file, duplicate single-use fields, bad dates) is
    reported, never raised.  The leading ``#`` comment lines become the
    :class:`SecurityTxt`'s ``comment``.

    Args:
        text: The file's content (bytes are checked to be UTF-8).
        url: Where the file was fetched from: checked against its
            Canonical fields.
        now: The current time (default: the clock).
        expiry_warning_days: Warn (``expires_soon``) when the file expires
            within this many days.
        verify_signature: Check an OpenPGP signature with ``gpg`` against
            the keys in the keyring (*gnupghome*, default gpg's own).
        gnupghome: The GnuPG home directory for *verify_signature*.
        max_size: The largest accepted file in bytes.

    Returns:
        The report; ``report.ok`` is True when no error was found.

    Raises:
        BackendError: *verify_signature* is set and ``gpg`` is missing.

    >>> from dataprotect.disclosure import parse_security_txt
    >>> report = parse_security_txt("Contact: me@example.com\\n")
    >>> sorted(report.codes)
    ['no_expire', 'no_uri', 'not_signed']
    >>> report.ok
    False

    .. versionadded:: 0.1.0
    """
    now = datetime.now(timezone.utc) if now is None else now
    reader = _Reader()
    decoded = _decode(text, reader, max_size)
    if decoded is None:
        return SecurityTxtReport(url, {}, None, tuple(reader.violations))
    if decoded and not decoded.endswith("\n"):
        reader.add("no_line_separators", decoded.count("\n") + 1)
    lines = [line.rstrip("\r").rstrip(" \t") for line in decoded.split("\n")]
    numbered, signer = _body(
        reader, lines, verify=verify_signature, gnupghome=gnupghome
    )
    signature_valid = None if signer is None else bool(signer)
    reader.read(numbered)
    fields = {k: tuple(v for v, _ in vs) for k, vs in reader.fields.items()}
    if "contact" not in fields:
        reader.add("no_contact")
    when = _expires(reader, now, expiry_warning_days)
    langs = reader.fields.get("preferred-languages", [])
    if len(langs) > 1:
        reader.add("multi_lang", langs[1][1])
    canonical = fields.get("canonical", ())
    if url is not None and canonical and url not in canonical:
        reader.add("no_canonical_match")
    if not reader.signed:
        reader.add("not_signed")
    elif not canonical:
        reader.add("no_canonical")
    return SecurityTxtReport(
        url=url,
        fields=fields,
        security_txt=_build(reader, fields, when),
        violations=tuple(reader.violations),
        signed=reader.signed,
        signature_valid=signature_valid,
        signer=signer or None,
        expires=when,
    )

"""Token, credential and key/value detection (package-private).

JWTs, known token shapes and checksummed tokens, passwords in URL
userinfo, ``key=value`` pairs (with ``Authorization`` headers), XML
elements and secrets named in prose.  The key/value pass also reads name
and phone fields, so the field-name tables and :func:`field_kind` live
here.  The passes live in :class:`_SecretMixin`, one of the bases of
:class:`dataprotect.pseudonymise._detect.Detector`.
"""

from __future__ import annotations

import re

from collections.abc import Callable, Iterator
from typing import Final, Literal
from urllib.parse import unquote_plus

from dataprotect._encoding import base62_crc32
from dataprotect.pseudonymise._findings import (
    _PRIORITY,
    Candidate,
    FindingType,
    is_masked,
)
from dataprotect.pseudonymise._names import (
    _NAME_RUN,
    _NAME_RUN_ASCII,
    _name_tokens_ok,
)


__all__ = [
    "_SecretMixin",
    "field_kind",
    "other_hint",
    "token_checksum_ok",
]

# What a field's name says it holds; "auth" is an Authorization header.
_KeyKind = Literal["secret_param", "api_key", "auth", "person_name", "phone"]

# --------------------------------------------------------------------------
# Tokens and credentials

_JWT = re.compile(
    r"(?<![\w\-])eyJ[\w\-]{6,}={0,2}\.eyJ[\w\-]{2,}={0,2}\.[\w\-]*={0,2}(?![\w\-])"
    r"|(?<![\w\-])eyJ[\w\-]{6,}={0,2}\.[\w\-]{10,}={0,2}\.[\w\-]{16,}={0,2}"
    r"(?![\w\-])"
)
_TOKEN_SHAPES = re.compile(
    r"(?<![\w\-])(?:"
    r"(?:sk|rk|pk)_(?:live|test)_[0-9A-Za-z]{10,}"  # Stripe
    r"|whsec_[0-9A-Za-z]{20,}"
    r"|gh[pousr]_[0-9A-Za-z]{30,}"  # GitHub
    r"|github_pat_[0-9A-Za-z_]{40,}"
    r"|glpat-[0-9A-Za-z_\-]{20,}"  # GitLab
    r"|xox[abposr]-[0-9A-Za-z\-]{10,}"  # Slack
    r"|(?:AKIA|ASIA)[0-9A-Z]{16}"  # AWS access key ids
    r"|AIza[0-9A-Za-z_\-]{35}"  # Google
    r"|ya29\.[0-9A-Za-z_\-]{20,}"
    r"|SG\.[0-9A-Za-z_\-]{16,}\.[0-9A-Za-z_\-]{16,}"  # SendGrid
    r"|npm_[0-9A-Za-z]{36}"
    r"|pypi-[0-9A-Za-z_\-]{50,}"
    r"|hf_[0-9A-Za-z]{30,}"
    r"|sh(?:pat|pss|pca|ppa)_[0-9a-fA-F]{32}"  # Shopify
    r"|pat_[0-9A-Za-z]{20,}"
    r"|dp[a-z]?_[0-9A-Za-z_\-]{20,}"  # dataprotect tokens
    r"|(?:api|key|tok|secret|token)_[0-9A-Za-z]{24,}"
    r")(?![\w\-])"
)
# dataprotect access tokens (and GitHub's): <prefix>_<30 base62><6 base62
# CRC32 of "<prefix>_<random>">; the checksum keeps false positives out.
_CHECKSUM_TOKEN = re.compile(
    r"(?<![\w\-])[A-Za-z](?:[A-Za-z0-9_]{0,30}[A-Za-z0-9])?_[0-9A-Za-z]{36}"
    r"(?![\w\-])"
)


# Every _TOKEN_SHAPES match holds one of these (_UNDERSCORE_HINT or
# other_hint), every _CHECKSUM_TOKEN match the other: without, the pass
# cannot match.  Most prefixes end in "_": a pattern that starts with it
# and looks back for the prefix makes the regex engine skip to the few "_"
# of a line (a fast search for one character) instead of trying a set of
# first characters at every position.  The prefixes are grouped by
# length, one look-behind each (the engine enters each look-behind at
# some cost, and tries the branches of one cheaply by their first
# character).
_PREFIXES_BEFORE = (
    r"(?<=[srp]k_|hf_|dp_)"
    r"|(?<=gh[pousr]_|npm_|pat_|dp[a-z]_|api_|key_|tok_)"
    r"|(?<=whsec_|sh(?:pat|pss|pca|ppa)_|token_)|(?<=secret_)"
)
_UNDERSCORE_HINT = re.compile(rf"_(?:{_PREFIXES_BEFORE})")
_CHECKSUM_HINT = re.compile(r"_[0-9A-Za-z]{36}")
# Either: a call of the regex engine costs more than the search, and most
# lines with a "_" have neither.
_EITHER_HINT = re.compile(rf"_(?:{_PREFIXES_BEFORE}|(?=[0-9A-Za-z]{{36}}))")
_SLACK_HINT = re.compile(r"xox[abposr]-")


def other_hint(text: str) -> bool:
    """Whether *text* holds a hint of a token shape but _UNDERSCORE_HINT.

    The prefixes are searched as strings, Slack's with a regex only where
    "xox" is.
    """
    return (
        "glpat-" in text
        or "pypi-" in text
        or ("xox" in text and _SLACK_HINT.search(text) is not None)
        or "AKIA" in text
        or "ASIA" in text
        or "AIza" in text
        or "ya29." in text
        or "SG." in text
    )


def token_checksum_ok(token: str) -> bool:
    """Whether the last 6 characters are the base62 CRC32 of the rest."""
    return base62_crc32(token[:-6]) == token[-6:]


_URL_CREDENTIAL = re.compile(
    r"(?i)\b[a-z][a-z0-9+.\-]{1,20}://[^\s/:@?#\"'<>]{0,128}"
    r":(?P<pw>[^\s/@?#\"'<>]{1,256})@(?=[\w\[])"
)

_SECRET_NAMES: Final = frozenset(
    {
        "password", "passwd", "pwd", "pass", "passphrase", "passcode",
        "secret", "client_secret", "app_secret", "secret_key", "private_key",
        "session", "sessionid", "session_id", "sess", "sid", "jsessionid",
        "phpsessid", "asp.net_sessionid", "aspsessionid", "connect.sid",
        "laravel_session", "_session", "session_token", "session_key",
        "csrf", "csrftoken", "csrf_token", "csrfmiddlewaretoken",
        "xsrf_token", "x_csrf_token", "x_xsrf_token", "_csrf", "_csrf_token",
        "authenticity_token", "otp", "totp", "pin", "cvv", "cvc", "cvv2",
        "security_code", "credentials", "credential", "remember_token",
        "remember_me", "auth_cookie", "set_cookie_value", "code_verifier",
        "new_password", "old_password", "current_password",
        "password_confirmation", "confirm_password", "password2",
        "db_password", "smtp_password", "signature_secret", "webhook_secret",
    }
)  # fmt: skip
_KEY_NAMES: Final = frozenset(
    {
        "token", "api_key", "apikey", "x_api_key", "access_key",
        "access_key_id", "secret_access_key", "access_token", "auth_token",
        "id_token", "refresh_token", "bearer", "private_token",
        "x_auth_token", "x_access_token", "api_token", "apitoken",
        "client_token", "oauth_token", "key", "license_key", "auth_key",
        "x_token", "token_secret", "subscription_key",
        "ocp_apim_subscription_key",
    }
)  # fmt: skip
_NOT_SECRET_SUFFIXES: Final = (
    "_id", "_ids", "_name", "_type", "_ref", "_path", "_file", "_arn",
    "_version", "_length", "_len", "_count", "_expires", "_expiry",
    "_expires_at", "_expires_in", "_ttl", "_usage", "_limit", "_used",
    "_policy", "_hint", "_url", "_uri", "_endpoint", "_header", "_field",
    "_changed", "_reset", "_age", "_valid", "_required", "_set", "s",
)  # fmt: skip
_KEY_SUFFIXES: Final = (
    "api_key", "apikey", "access_key", "private_key", "secret_key",
    "auth_key", "signing_key", "encryption_key", "master_key",
    "license_key", "client_key", "app_key", "subscription_key",
)  # fmt: skip
_AUTH_HEADERS: Final = frozenset(
    {"authorization", "proxy_authorization", "x_authorization", "auth"}
)
_NAME_KEYS: Final = frozenset(
    {
        "name", "full_name", "fullname", "customer_name", "display_name",
        "displayname", "holder", "account_holder", "accountholder",
        "cardholder", "card_holder", "cardholder_name", "holder_name",
        "customer", "contact", "contact_name", "recipient", "recipient_name",
        "patient", "patient_name", "employee", "employee_name", "person",
        "person_name", "user", "user_name_full", "owner", "owner_name",
        "beneficiary", "beneficiary_name", "first_name", "firstname",
        "last_name", "lastname", "surname", "given_name", "family_name",
        "billing_name", "shipping_name", "sender_name", "applicant",
        "insured", "insured_person", "nom", "prenom", "vorname", "nachname",
        "cognome", "nome", "kunde", "client", "client_name",
    }
)  # fmt: skip
_SINGLE_NAME_KEYS: Final = frozenset(
    {
        "first_name",
        "firstname",
        "last_name",
        "lastname",
        "surname",
        "given_name",
        "family_name",
        "vorname",
        "nachname",
        "prenom",
        "nom",
        "cognome",
        "nome",
    }
)
_PHONE_KEYS: Final = frozenset(
    {
        "phone", "phone_number", "phonenumber", "tel", "telephone", "mobile",
        "mobile_number", "cell", "msisdn", "fax", "sms", "telefon", "natel",
        "handy", "telefono", "telephone_number", "contact_phone",
    }
)  # fmt: skip
_EMAIL_KEYS: Final = frozenset(
    {"email", "e_mail", "mail", "email_address", "emailaddress", "user_email"}
)

# key = value, key: value, "key": "value", 'key': 'value': the value.
_VALUE = re.compile(r"[ \t]*(?P<vq>\\?[\"']?)(?P<val>[^\s\"'\\&;,<>)\]}]*)")
# A key and its separator: key=, key:, "key": , \"key\":, --key=, key=>.
# Keys start with a letter or "_"; a digit right before the separator is a
# time or a count, not a key (checked in code, with "gap").
_KEY_SEP = re.compile(
    r"(?<![\w.\-])-*(?P<key>[^\W\d][\w.\-]{0,60})"
    r"(?P<gap>\\?[\"']?[ \t]*)(?:=>?|:)(?!//)"
)
# Each separator and what may stand between it and its key's start, read
# backwards (on the reversed text): the gap, then the key (and leading
# dashes).  Neither holds a separator, so a scan per separator finds every
# key.  A pattern that starts with one character finds it with a fast
# search (one that starts with a set tries the set at every position).
# The look-ahead drops most separators of times and counts (10:30, x2=)
# and the one at the start of the line in C; _key_starts drops the rest.
# In ASCII text, the sets spelt out as ranges (one bitmap each) find what
# \D and \w find there.
_KEY_REV_BY_SEP: Final = tuple(
    re.compile(sep + r"(?=\D)[ \t]*[\"']?\\?(?P<key>[\w.\-]*)") for sep in "=:"
)
_KEY_REV_BY_SEP_ASCII: Final = tuple(
    re.compile(sep + r"(?=[^0-9])[ \t]*[\"']?\\?(?P<key>[0-9A-Za-z_.\-]*)")
    for sep in "=:"
)


def _key_scans(text: str) -> tuple[re.Pattern[str], ...]:
    """The backward scans for the keys of "=" and ":" in *text*."""
    return _KEY_REV_BY_SEP_ASCII if text.isascii() else _KEY_REV_BY_SEP


def _key_starts(text: str, rev: str) -> list[tuple[int, str]]:
    """Where the key of each ``=`` or ``:`` of *text* must start, and the
    key as the backward scan sees it (spelt backwards, with its leading
    dashes), in text order; *rev* is *text* reversed.

    Scanning every position of a line for a key costs more than going
    back from each separator to where its key must start (a key and its
    gap hold neither separator, so every separator has at most one key,
    and keys never overlap).  Times and counts (``10:30``, ``x2=``) have
    none.
    """
    n = len(text)
    starts = [
        (n - m.end(), m.group("key"))
        for rx in _key_scans(text)
        for m in rx.finditer(rev)
        # rev[m.start() + 1] is the character before the separator (the
        # look-ahead saw it): "²" is a digit to isdigit, not to \d
        if not rev[m.start() + 1].isdigit()
    ]
    starts.sort()  # (no two separators share a start)
    return starts


def named_fields(
    text: str,
) -> list[tuple[re.Match[str], tuple[str, _KeyKind]]]:
    """The ``_KEY_SEP`` matches in *text* whose key names what its value
    is, but for times and counts (``10:30``, ``x2=``).

    Found from the separators back (see :func:`_key_starts`); keys that
    name nothing (most of them) are dropped before matching, and a line
    whose keys are all known to name nothing (most lines) is done after a
    ``findall`` per separator: :data:`_UNNAMED_REV` holds keys as the
    backward scan sees them, so that neither the key nor its start is
    computed.
    """
    rev = text[::-1]
    eq, colon = _key_scans(text)
    # (findall gives the one group, "key": no match object per separator)
    if _UNNAMED_REV.issuperset(eq.findall(rev)) and _UNNAMED_REV.issuperset(
        colon.findall(rev)
    ):
        return []
    fields = []
    for start, raw in _key_starts(text, rev):
        if raw in _UNNAMED_REV:
            continue
        named = _named(raw[::-1].lstrip("-"))
        if named is None:
            if len(_UNNAMED_REV) < 4096:
                _UNNAMED_REV.add(raw)
            continue
        km = _KEY_SEP.match(text, start)
        if km is not None:
            fields.append((km, named))
    return fields


# Rails/ActiveRecord bind lists: [["name", "Anna Meier"], ["email", ...]]
_BIND = re.compile(
    r'\["(?P<key>[\w.\-]{1,61})", "(?P<val>(?:[^"\\]|\\.){0,256})"\]'
)
# INSERT INTO t (col, ...) VALUES ('a', ...), (...): values by column.
_INSERT = re.compile(
    r"(?i)\binsert[ \t]+into[ \t]+[^\s(]{1,128}[ \t]*"
    r"\((?P<cols>[^()]{1,1000})\)[ \t]*values[ \t]*\("
)
_SQL_VALUE = re.compile(
    r"[ \t]*(?:'(?P<s>(?:[^'\\]|''|\\.){0,256})'|[^,()']{0,64})[ \t]*"
    r"(?P<sep>[,)])"
)
_SQL_NEXT_ROW = re.compile(r"[ \t]*,[ \t]*\(")
_SCHEME_WORDS: Final = frozenset(
    {"bearer", "basic", "token", "digest", "apikey", "api-key", "negotiate"}
)
_XML_ELEMENT = re.compile(r"<([A-Za-z_][\w.\-:]{0,60})>([^<>]{1,512})</\1>")
_AUTH_SCHEME = re.compile(
    r"(?i)(?P<scheme>bearer|basic|token|digest|apikey|api-key|negotiate)"
    r"[ \t]+(?P<val>[\w\-.~+/]+=*)"
)
# "api key XYZ", "bearer token XYZ", "password XYZ": a secret after words.
_PHRASE = re.compile(
    r"(?i)\b(?P<kw>api[ _\-]?key|access[ _\-]?token|auth(?:entication)?"
    r"[ _\-]?token|bearer(?:[ _\-]token)?|secret(?:[ _\-]key)?|password|"
    r"passwd|session(?:[ _\-]?id)?|token|credentials?)"
    r"(?:\s+(?:is|was|=|:))?\s+(?P<val>[\w\-.~+/]{12,}={0,2})"
)


# Every _PHRASE keyword starts with one of these (in lower case).
_PHRASE_STEMS: Final = (
    "api", "access", "auth", "bearer", "secret", "pass", "session", "token",
    "credential",
)  # fmt: skip


def phrases(text: str) -> Iterator[re.Match[str]]:
    """The matches of ``_PHRASE.finditer(text)``, found faster.

    A match starts where a keyword does: in ASCII text, trying the pattern
    only where one of the keywords' stems is, in text order and after the
    last match, finds the same matches as trying it at every position.
    """
    if not text.isascii():  # case folding beyond ASCII: U+017F is an "s"
        yield from _PHRASE.finditer(text)
        return
    low = text.lower()
    starts = []
    for stem in _PHRASE_STEMS:
        pos = low.find(stem)
        while pos >= 0:
            starts.append(pos)
            pos = low.find(stem, pos + 1)
    starts.sort()
    end = 0
    for pos in starts:
        if pos >= end:
            m = _PHRASE.match(text, pos)
            if m is not None:
                end = m.end()
                yield m


# The first characters, in lower case, of the values that is_masked
# takes (but the empty one): "*", "x", "#", ".", "-", "_", "[", "<", "(",
# "{", "$", "%", "?", and those of its words (null, none, undefined,
# true, false, empty, redacted, hidden, secure, masked, omitted, your...).
_MASKED_FIRST: Final = frozenset("*x#.-_[<({$%?nutferhsmoy")


def _masked(value: str) -> bool:
    """``is_masked(value)`` for a non-empty *value*, mostly without a regex.

    A regex call costs more than the look at the first character that
    rules out most values.  Only in ASCII values: beyond ASCII, case
    folding makes more characters match, U+017F an "s".
    """
    if value.isascii() and value[0].lower() not in _MASKED_FIRST:
        return False
    return is_masked(value)


def _looks_secret(value: str) -> bool:
    """A value after "token"/"api key" in prose must look random."""
    if len(value) < 12 or is_masked(value) or ":" in value:
        return False
    has_digit = any(ch.isdigit() for ch in value)
    has_alpha = any(ch.isalpha() for ch in value)
    return has_digit and has_alpha


class _SecretMixin:
    """The token, credential, key/value and phrase passes of the detector."""

    __slots__ = ()

    # Set by Detector.__init__.
    _types: frozenset[str]

    def _url_credentials(
        self, text: str, add: Callable[[Candidate], None]
    ) -> None:
        for m in _URL_CREDENTIAL.finditer(text):
            pw = m.group("pw")
            if is_masked(pw) or pw.startswith("<"):
                continue
            add(
                Candidate("url_credential", m.start("pw"), m.end("pw"), pw, 95)
            )

    def _jwts(self, text: str, add: Callable[[Candidate], None]) -> None:
        for m in _JWT.finditer(text):
            add(Candidate("jwt", m.start(), m.end(), m.group(0), 100))

    def _token_shapes(
        self, text: str, add: Callable[[Candidate], None]
    ) -> None:
        hinted = "_" in text and _EITHER_HINT.search(text) is not None
        if (
            hinted and _UNDERSCORE_HINT.search(text) is not None
        ) or other_hint(text):
            for m in _TOKEN_SHAPES.finditer(text):
                add(Candidate("api_key", m.start(), m.end(), m.group(0), 74))
        if hinted and _CHECKSUM_HINT.search(text) is not None:
            for m in _CHECKSUM_TOKEN.finditer(text):
                if token_checksum_ok(m.group(0)):
                    add(
                        Candidate(
                            "api_key", m.start(), m.end(), m.group(0), 74
                        )
                    )

    def _key_values(self, text: str, add: Callable[[Candidate], None]) -> None:
        for km, named in named_fields(text):
            m = _VALUE.match(text, km.end())
            assert m is not None  # noqa: S101 - _VALUE matches the empty string too
            start = m.start("val")
            value = m.group("val")
            quote = m.group("vq")
            if quote:
                q = quote[-1]
                end = text.find(q, start)
                while end > 0 and text[end - 1] == "\\" and quote[0] != "\\":
                    end = text.find(q, end + 1)
                if end < 0:
                    end = start + len(value)
                else:
                    if quote[0] == "\\":
                        end -= 1
                    value = text[start:end]
            else:
                end = start + len(value)
            self._field(text, named, start, end, value, quote, add)

    def _binds(self, text: str, add: Callable[[Candidate], None]) -> None:
        """SQL bind lists that name their columns: ``[["name", "Anna"]]``."""
        for m in _BIND.finditer(text):
            start, end = m.span("val")
            named = _named(m.group("key"))
            if named is None:
                continue
            self._field(
                text,
                named,
                start,
                end,
                m.group("val"),
                '"',
                add,
            )

    def _inserts(self, text: str, add: Callable[[Candidate], None]) -> None:
        """The values of an SQL INSERT whose column list names them."""
        for m in _INSERT.finditer(text):
            cols = [_named(c.strip(' \t"`[]').rsplit(".", 1)[-1])
                    for c in m.group("cols").split(",")]  # fmt: skip
            pos = m.end()
            while True:  # rows
                i = 0
                while True:  # values; each match takes a "," or ")"
                    v = _SQL_VALUE.match(text, pos)
                    if v is None:
                        return
                    pos = v.end()
                    named = cols[i] if i < len(cols) else None
                    if named is not None and v.group("s"):
                        start, end = v.span("s")
                        self._field(
                            text, named, start, end, v.group("s"), "'", add
                        )
                    i += 1
                    if v.group("sep") == ")":
                        break
                row = _SQL_NEXT_ROW.match(text, pos)
                if row is None:
                    break
                pos = row.end()

    def _field(  # noqa: C901 - one branch per kind of field
        self,
        text: str,
        named: tuple[str, _KeyKind],
        start: int,
        end: int,
        value: str,
        quote: str,
        add: Callable[[Candidate], None],
    ) -> None:
        """The value at *start*:*end* of a field *named* (key, kind)."""
        types = self._types
        key, kind = named
        if kind == "auth":
            sm = _AUTH_SCHEME.match(text, start)
            if sm is not None:
                start, end = sm.start("val"), sm.end("val")
                value = sm.group("val")
                kind = "secret_param"
            elif "=" in value or value.lower() in _SCHEME_WORDS:
                return  # a scheme before our own placeholder
            else:
                kind = "secret_param"
        # (a placeholder, "<ip:...>" or "[ip]", is masked too)
        if not value or _masked(value):
            return
        if kind in ("secret_param", "api_key"):
            if kind not in types:
                return
            if len(value) < 3 or not any(ch.isalnum() for ch in value):
                return  # not a secret: "-", "[", "::"
            if kind == "api_key" and key == "key" and not _looks_secret(value):
                return
            add(Candidate(kind, start, end, value, _PRIORITY[kind]))
        elif kind == "person_name" and "person_name" in types:
            self._name_value(text, start, end, key, quote, add)
        elif kind == "phone" and "phone" in types:
            digits = sum(ch.isdigit() for ch in value)
            if 7 <= digits <= 15 and not any(ch.isalpha() for ch in value):
                canonical = "".join(
                    ch for ch in value if ch.isdigit() or ch == "+"
                )
                add(Candidate("phone", start, end, canonical, 55))

    def _xml_elements(
        self, text: str, add: Callable[[Candidate], None]
    ) -> None:
        """``<password>...</password>``, ``<apiKey>...</apiKey>``."""
        for m in _XML_ELEMENT.finditer(text):
            kind = field_kind(m.group(1).rsplit(":", 1)[-1])
            value = m.group(2)
            if (
                kind not in ("secret_param", "api_key")
                or kind not in self._types
            ):
                continue
            if value.strip() and not is_masked(value.strip()):
                add(
                    Candidate(
                        kind, m.start(2), m.end(2), value, _PRIORITY[kind]
                    )
                )

    @staticmethod
    def _classify_key(key: str) -> _KeyKind | None:  # noqa: PLR0911 - one return per name table
        if key in _SECRET_NAMES:
            return "secret_param"
        if key in _KEY_NAMES:
            return "api_key"
        if key in _AUTH_HEADERS:
            return "auth"
        if key in _NAME_KEYS:
            return "person_name"
        if key in _PHONE_KEYS:
            return "phone"
        if key.endswith(_NOT_SECRET_SUFFIXES):
            return None  # token_type, secret_name, password_length...
        if any(
            w in key for w in ("password", "passwd", "passphrase", "secret")
        ):
            return "secret_param"
        if key.endswith(("_session", "sessid", "sessionid", "csrftoken")):
            return "secret_param"
        if "token" in key or key.endswith(_KEY_SUFFIXES):
            return "api_key"
        return None

    def _name_value(
        self,
        text: str,
        start: int,
        end: int,
        key: str,
        quote: str,
        add: Callable[[Candidate], None],
    ) -> None:
        raw = text[start:end]
        if not quote and ("%" in raw or "+" in raw):
            # a query string or form body: Anna+Br%C3%BCder
            tokens = unquote_plus(raw).split()
            if 0 < len(tokens) <= 6 and _name_tokens_ok(
                tokens, single=key in _SINGLE_NAME_KEYS
            ) == len(tokens):
                canonical = " ".join(tokens).lower()
                add(Candidate("person_name", start, end, canonical, 50))
            return
        if not quote:
            # unquoted: the name may continue across spaces
            rx = _NAME_RUN_ASCII if text.isascii() else _NAME_RUN
            m = rx.match(text, start)
            if m is None:
                return
            end = m.end()
        value = text[start:end].strip()
        if not value or "@" in value or any(ch.isdigit() for ch in value):
            return
        tokens = value.split()
        if len(tokens) > 6:
            return
        n = _name_tokens_ok(tokens, single=key in _SINGLE_NAME_KEYS)
        if not n:
            return
        if quote and n != len(tokens):
            return  # a quoted value must be a name as a whole
        name = " ".join(tokens[:n])
        offset = text.find(tokens[0], start)
        name_end = offset + len(" ".join(tokens[:n]))
        # recompute the end from the original spacing
        cursor = offset
        for tok in tokens[:n]:
            cursor = text.find(tok, cursor) + len(tok)
        name_end = cursor
        add(Candidate("person_name", offset, name_end, name.lower(), 50))

    def _phrases(self, text: str, add: Callable[[Candidate], None]) -> None:
        types = self._types
        for m in phrases(text):
            value = m.group("val")
            if not _looks_secret(value):
                continue
            kw = m.group("kw").lower()
            kind: FindingType = (
                "secret_param"
                if kw.startswith(("pass", "session", "secret", "cred"))
                else "api_key"
            )
            if kind in types:
                add(
                    Candidate(
                        kind,
                        m.start("val"),
                        m.end("val"),
                        value,
                        _PRIORITY[kind] - 2,
                    )
                )


_NAMED: dict[str, tuple[str, _KeyKind] | None] = {}
# The keys that name nothing, spelt backwards as _key_starts sees them (with
# the key's leading dashes): whether a key names something depends on its
# text alone, so a key found here needs no look at its field (memoised
# as the lines are scanned, bounded like _NAMED).
_UNNAMED_REV: set[str] = set()


def _named(key: str) -> tuple[str, _KeyKind] | None:
    """The normalised *key* and what it names, or None (memoised)."""
    try:
        return _NAMED[key]
    except KeyError:
        pass
    norm = key.lower().replace("-", "_")
    kind = _SecretMixin._classify_key(norm)  # noqa: SLF001 - the mixin's own helper, same module
    named = None if kind is None else (norm, kind)
    if len(_NAMED) < 4096:
        _NAMED[key] = named
    return named


def field_kind(key: str) -> FindingType | None:
    """The finding type a field named *key* holds, if its name says so."""
    norm = key.lower().replace("-", "_")
    kind = _SecretMixin._classify_key(norm)  # noqa: SLF001 - the mixin's own helper, same module
    if kind == "auth":
        return "secret_param"
    if kind is None and norm in _EMAIL_KEYS:
        return "email"
    return kind

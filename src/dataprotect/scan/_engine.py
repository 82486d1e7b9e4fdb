"""The secret-scanning engine: rules loaded from TOML, matching, checks.

Private: the public API is :mod:`dataprotect.scan.secrets`.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import contextlib
import functools
import hashlib
import json
import math
import os
import re
import sys

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

from dataprotect import _bech32
from dataprotect._encoding import BASE62, base62_crc32
from dataprotect.errors import ConfigurationError, MissingDependencyError


__all__ = [
    "PRAGMA",
    "Match",
    "Rule",
    "find_matches",
    "load_rules",
]

#: The inline pragma that suppresses findings on its line.
PRAGMA = "dataprotect: allow-secret"

# detect-secrets' pragmas, honoured so that teams migrating keep theirs: in a
# comment on the line (``# pragma: allowlist secret``, or the older
# ``whitelist``), or alone on the line before (``allowlist nextline secret``).
_COMMENT = r"(?:#|//|/\*|--|<!--|'|;)"
_DS_PRAGMA = re.compile(
    _COMMENT + r"[ \t]*pragma: ?(?:allow|white)list[ -]secret"
)
_DS_NEXTLINE = re.compile(
    r"^[ \t]*" + _COMMENT + r"[ \t]*pragma: ?allowlist[ -]nextline[ -]secret"
)


#: Published example credentials from vendors' documentation: never findings.
DOCUMENTED_EXAMPLES = frozenset(
    {
        "AKIAIOSFODNN7EXAMPLE",
        "AKIAI44QH8DHBEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
        "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
        "sk_test_BQokikJOvBiI2HlWgH4olfQ2",
        "rk_test_4eC39HqLyjWDarjtT1zdp7dc",
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
        "gho_16C7e42F292c6912E7710c838347Ae178B4a",
        "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",
        # API keys published in firebase-android-sdk's test resources
        "AIzaSyAnLA7NfeLquW1tJFpx_eQCxoX-oo6YyIs",
        "AIzaSyCkEhVjf3pduRDt6d1yKOMitrUEke8agEM",
        "AIzaSyDMAScliyLx7F0NPDEJi1QmyCgHIAODrlU",
        "AIzaSyD3asb-2pEZVqMkmL6M9N6nHZRR_znhrh0",
        "AIzayDNSXIbFmlXbIE6mCzDLQAqITYefhixbX4A",
        "AIzaSyAdOS2zB6NCsk1pCdZ4-P6GBdi_UUPwX7c",
        "AIzaSyASWm6HmTMdYWpgMnjRBjxcQ9CKctWmLd4",
        "AIzaSyANUvH9H9BsUccjsu2pCmEkOPjjaXeDQgY",
        "AIzaSyA5_iVawFQ8ABuTZNUdcwERLJv_a_p4wtM",
        "AIzaSyA4UrcGxgwQFTfaI3no3t7Lt1sjmdnP5sQ",
        "AIzaSyDSb51JiIcB6OJpwwMicseKRhhrOq1cS7g",
        "AIzaSyBF2RrAIm4a0mO64EShQfqfd2AFnzAvvuU",
        "AIzaSyBcE-OOIbhjyR83gm4r2MFCu4MJmprNXsw",
        "AIzaSyB8qGxt4ec15vitgn44duC5ucxaOi4FmqE",
        "AIzaSyA8vmApnrHNFE0bApF4hoZ11srVL_n0nvY",
    }
)

_PLACEHOLDER = re.compile(
    r"""(?ix)
    ^(?:x{3,}|\*{3,}|\.{3,}|-{3,}|_{3,}|0{6,}|1234\w*|abc\w*|none|null|nil|
       true|false|undefined|password\d*|passwd|secret|changeme|change_me|
       postgres|mysql|redis|rabbitmq|mongo|sa|
       admin|root|guest|test\w*|user|pass|pw|redacted|hidden|masked|secure|hunter2|
       your[_\-\w]*|my[_\-]?(?:secret|password|token|key)\w*|
       placeholder\w*|dummy\w*|sample\w*|example\w*|fake\w*|todo|fixme|tbd)$
    """
)
_PLACEHOLDER_PART = re.compile(
    r"(?i)x{4,}|\*{4,}|#{4,}|example|placeholder|dummy|redacted|changeme|insert|replace|"
    r"your[_\-]|<[^>]*>|\{\{|\}\}|\$\{|\$\(|%\(|%s|\{[A-Za-z_]\w*\}|lorem|ipsum"
)
_ENV_REF = re.compile(
    r"""(?x)^(?:\$[A-Za-z_]\w*|\$\{[^}]*\}?|%[A-Za-z_]\w*%|\{\{.*|
        (?:os\.)?environ|getenv|env[.\[(:]|process\.env|settings\.|config\.|
        ENV\[|secrets\.|vault:|ssm:|arn:|ref\+|op://|\[\[|@Value)""",
)
_UUID = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
_HASH_PREFIX = re.compile(
    r"^(?:sha(?:1|224|256|384|512)|md5|blake2b?)[-:=]", re.IGNORECASE
)
_IMAGE_B64 = ("iVBORw0KGgo", "/9j/", "R0lGOD", "UklGR", "PHN2Zy", "data:")
_IDENTIFIER = re.compile(
    r"^[A-Za-z_][A-Za-z0-9_]*(?:[.\-][A-Za-z_][A-Za-z0-9_]*)*$"
)

_SECRET_NAME = re.compile(
    r"(?i)(?:secret|passw(?:or)?d|passphrase|pwd|token|api[_.\-]?key|apikey|"
    r"access[_.\-]?key|auth[_.\-]?key|private[_.\-]?key|credential|"
    r"signing[_.\-]?key|encryption[_.\-]?key|client[_.\-]?secret|"
    r"[_.\-]auth$)"
)
_NOT_SECRET_NAME = re.compile(
    r"(?i)(?:hash|sha\d*|digest|checksum|fingerprint|integrity|rev(?:ision)?$|"
    r"commit|_id$|^id$|uuid|version|url$|uri$|path|file|dir$|name$|type$|"
    r"length|size|count|prefix|suffix|header|field|label|format|pattern|regex|"
    r"endpoint|placeholder|_len$|_max|_min|expir|ttl|timeout|enabled|required|"
    r"policy|reset|strength|validator|error|message|hint|prompt|input|mode|"
    r"class|kind|index|char|salt_rounds|tokenizer|tokens$|_tokens|token_type|"
    r"_at$|_on$|_by$|date|time|^min_|^max_|_min$|_max$|attempt|scope|audience|issuer|algorithm|"
    r"(?-i:[a-z]Id$)|public[_.\-]?(?:key|token)|csrf|xsrf)"
)
_ASSIGNMENT = re.compile(
    r"""(?P<name>[A-Za-z_@$][A-Za-z0-9_.\-]{0,80})["'\]]?
        (?:\s*:\s*[A-Za-z_][\w.\[\]|\ ]{0,30}?(?=\s*=))?\s*
        (?P<op>:=|=>|\?\?=|\|\|=|=|:)\s*
        (?:[rbuf]{0,2}(?P<q>["'`]))?
        (?P<value>[^\s"'`,;)\]}]{8,200})
        (?P<close>["'`])?""",
    re.VERBOSE,
)

# A YAML ``!!binary`` scalar, inline or as a block of indented lines, with
# the key it is assigned to, if any.
_YAML_BINARY = re.compile(
    r"""(?:(?P<name>[A-Za-z_][\w.\-]{0,80})["']?[ \t]*:[ \t]*)?!!binary
        (?:[ \t]+(?P<inline>[A-Za-z0-9+/]{4,}={0,2})(?![A-Za-z0-9+/=])
          |[ \t]*[|>][-+]?[ \t]*\r?\n
           (?P<block>(?:[ \t]+[A-Za-z0-9+/=]+[ \t]*(?:\r?\n|$))+))""",
    re.VERBOSE,
)
#: Decoded ``!!binary`` values larger than this are not scanned.
_MAX_DECODED = 1 << 16

_VERSION = re.compile(
    r"(?<![0-9A-Za-z])v?[0-9]{1,4}\.[0-9]{1,4}\.[0-9]{1,4}(?![0-9])"
)

_HEX = frozenset("0123456789abcdefABCDEF")
_ALNUM = frozenset(BASE62)
_B64 = frozenset(BASE62 + "+/=-_")


@dataclass(frozen=True)
class Rule:
    """One detection rule, loaded from a TOML rules file.

    See :func:`load_rules`; the fields mirror the keys of a ``[[rule]]``
    table.

    .. versionadded:: 0.1.0
    """

    id: str
    kind: str
    keywords: tuple[str, ...]
    regex: re.Pattern[str] | None
    type: str = "regex"
    checksum: str | None = None
    min_entropy: float = 0.0
    stopwords: tuple[str, ...] = ()
    url_password: bool = False
    anchor: re.Pattern[str] | None = None
    window: int = 0
    fast: re.Pattern[str] | None = None


@dataclass(frozen=True)
class Match:
    """A raw match: offsets into the text, the secret and the check result."""

    rule: Rule
    start: int
    end: int
    secret: str
    checksum_valid: bool | None
    line: int = 0
    column: int = 0
    line_text: str = field(default="", repr=False)


# --------------------------------------------------------------- rule files


#: The keys a ``[[rule]]`` table may hold: the fields of :class:`Rule`,
#: less the one derived at load time.
_RULE_KEYS = frozenset(f.name for f in fields(Rule)) - {"fast"}
#: The top-level keys of a rules file.
_TOP_LEVEL_KEYS = frozenset({"version", "rule"})
#: The widest anchor window, in characters on each side of the anchor.
_MAX_WINDOW = 1 << 20
_TOML_POSITION = re.compile(r"\(at (?:line \d+, column \d+|end of document)\)")


def _quoted(name: str) -> str:
    """A name from a rules file (an id, a key), quoted and cut short."""
    return repr(name[:40])


class _RuleTable:
    """Checked reads of one ``[[rule]]`` table.

    Errors name the file, the rule's position and id, and the key broken,
    never a value (a regex or keyword may hold part of a real secret).
    """

    def __init__(self, table: dict[str, Any], where: str) -> None:
        self.table = table
        self.where = where

    def fail(self, problem: str) -> NoReturn:
        msg = f"{self.where}: {problem}"
        raise ConfigurationError(msg)

    def strings(self, key: str) -> tuple[str, ...]:
        # an empty word is in every text: as a keyword it matched at every
        # offset without advancing, as a stopword it dropped every finding
        value = self.table.get(key, [])
        if not isinstance(value, list) or not all(
            isinstance(v, str) and v for v in value
        ):
            self.fail(f"{key} must be a list of non-empty strings")
        return tuple(v.lower() for v in value)

    def pattern(self, key: str) -> re.Pattern[str] | None:
        value = self.table.get(key)  # TOML has no null: None is absent
        if value is None:
            return None
        compiled = None
        if isinstance(value, str):
            # nested too deeply, or a repetition count beyond re's limit
            with contextlib.suppress(re.error, RecursionError, OverflowError):
                compiled = re.compile(value)
        if compiled is None:
            self.fail(f"{key} is not a valid regular expression")
        return compiled

    def checked(
        self, key: str, default: Any, ok: Callable[[Any], bool], rule: str
    ) -> Any:
        """The value of *key* (or *default*) if ``ok(value)``."""
        value = self.table.get(key, default)
        if not ok(value):
            self.fail(f"{key} must be {rule}")
        return value


def _rule_from_table(table: object, where: str) -> Rule:
    if not isinstance(table, dict):
        msg = f"{where}: not a table"
        raise ConfigurationError(msg)
    rid, kind = table.get("id"), table.get("kind")
    if isinstance(rid, str):
        where = f"{where} ({_quoted(rid)})"
    t = _RuleTable(table, where)
    unknown = sorted(set(table) - _RULE_KEYS)
    if unknown:
        t.fail(f"unknown key {_quoted(unknown[0])}")
    if not (isinstance(rid, str) and rid and isinstance(kind, str) and kind):
        t.fail("needs an id and a kind (non-empty strings)")
    rtype = t.checked(
        "type",
        "regex",
        lambda v: v in ("regex", "assignment"),
        "'regex' or 'assignment'",
    )
    keywords = t.strings("keywords")
    regex = t.pattern("regex")
    if rtype == "regex" and regex is None:
        t.fail("a rule of type 'regex' needs a regex")
    if rtype == "assignment" and not keywords:
        t.fail("an assignment rule needs keywords (the names it looks for)")
    return Rule(
        id=rid,
        kind=kind,
        keywords=keywords,
        regex=regex,
        type=rtype,
        checksum=t.checked(
            "checksum",
            None,
            lambda v: v is None or (isinstance(v, str) and v in _CHECKSUMS),
            "one of " + ", ".join(sorted(_CHECKSUMS)),
        ),
        min_entropy=float(
            t.checked(
                "min_entropy",
                0.0,
                lambda v: (
                    isinstance(v, int | float)
                    and not isinstance(v, bool)
                    and 0 <= v < math.inf
                ),
                "a number of bits per character, 0 or more",
            )
        ),
        stopwords=t.strings("stopwords"),
        url_password=t.checked(
            "url_password",
            False,
            lambda v: isinstance(v, bool),
            "true or false",
        ),
        anchor=t.pattern("anchor"),
        window=t.checked(
            "window",
            0,
            lambda v: type(v) is int and 0 <= v <= _MAX_WINDOW,
            f"a whole number of characters from 0 to {_MAX_WINDOW}",
        ),
        fast=_fast_variant(table.get("regex")),
    )


def _fast_variant(pattern: object) -> re.Pattern[str] | None:
    """The pattern without a leading ``\\b``, so that re can use its literal
    prefix search; the word boundary is then checked by hand."""
    if not isinstance(pattern, str) or not pattern.startswith("\\b"):
        return None
    try:
        return re.compile(pattern[2:])
    except re.error:
        return None


def _toml() -> Any:
    """``tomllib``, or ``tomli`` on Python 3.10 (the ``scan`` extra)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        try:
            import tomli as tomllib
        except ImportError:
            msg = (
                "secret scanning on Python 3.10 needs tomli: "
                "install dataprotect[scan]"
            )
            raise MissingDependencyError(msg) from None
    return tomllib


def _parse_rules(data: bytes, source: str) -> list[Rule]:
    """The rules in *data*, the content of the rules file *source*."""
    tomllib = _toml()
    where = f"rules file {source}"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        msg = f"{where}: not valid UTF-8"
        raise ConfigurationError(msg) from None
    try:
        doc = tomllib.loads(text)
    except (ValueError, RecursionError) as exc:
        # TOMLDecodeError, an integer beyond Python's digit limit, arrays
        # or tables nested too deeply
        at = _TOML_POSITION.search(str(exc))
        msg = f"{where}: not valid TOML" + (f" {at.group()}" if at else "")
        raise ConfigurationError(msg) from None
    unknown = sorted(set(doc) - _TOP_LEVEL_KEYS)
    if unknown:
        msg = (
            f"{where}: unknown top-level key {_quoted(unknown[0])}; "
            "rules are [[rule]] tables"
        )
        raise ConfigurationError(msg)
    version = doc.get("version", 1)
    if type(version) is not int or version != 1:
        msg = f"{where}: version must be 1"
        raise ConfigurationError(msg)
    tables = doc.get("rule", [])
    if not isinstance(tables, list):
        msg = f"{where}: rule must be an array of [[rule]] tables"
        raise ConfigurationError(msg)
    return [
        _rule_from_table(table, f"{where}, rule {n}")
        for n, table in enumerate(tables, 1)
    ]


@functools.cache
def _builtin_rules() -> tuple[Rule, ...]:
    """The rules shipped in ``rules.toml``, parsed once."""
    data = (
        resources.files("dataprotect.scan").joinpath("rules.toml").read_bytes()
    )
    return tuple(_parse_rules(data, "dataprotect/scan/rules.toml"))


def load_rules(
    extra: list[str | Path] | tuple[str | Path, ...] = (),
) -> list[Rule]:
    """The built-in rules and the rules in each *extra* TOML file.

    User rules run after the built-in format rules and before the generic
    catch-alls (the high-entropy assignment rule and dataprotect tokens).

    Raises:
        ConfigurationError: A rules file is not valid UTF-8 TOML (nested too
            deeply, an integer too long), has a top-level key other than
            ``version`` (1) and ``rule`` (a ``[[rules]]`` typo), or a rule
            has an unknown key, lacks an id, kind or valid regex, has a
            value of the wrong type or out of range, or reuses an id, or
            the file defines no rule at all.  The message names the file,
            the rule and the key, never a value.
        OSError: A rules file cannot be read.

    .. versionadded:: 0.1.0
    """
    rules = list(_builtin_rules())
    seen = {r.id for r in rules}
    for path in extra:
        source = os.fspath(path)
        parsed = _parse_rules(Path(path).read_bytes(), source)
        if not parsed:  # an empty file, or rules under another name
            msg = f"rules file {source} defines no [[rule]] table"
            raise ConfigurationError(msg)
        for n, rule in enumerate(parsed, 1):
            if rule.id in seen:
                msg = (
                    f"rules file {source}, rule {n} ({_quoted(rule.id)}): "
                    "the id is already used by another rule"
                )
                raise ConfigurationError(msg)
            seen.add(rule.id)
            # user rules go before the generic catch-alls
            rules.insert(len(rules) - 2, rule)
    return rules


# ---------------------------------------------------------------- checks


def shannon_entropy(value: str) -> float:
    """Shannon entropy of *value* in bits per character."""
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def _check_crc_token(secret: str) -> bool:
    prefix, _, body = secret.rpartition("_")
    if len(body) != 36:
        return False
    random, check = body[:30], body[30:]
    return check in {base62_crc32(random), base62_crc32(f"{prefix}_{random}")}


def _check_age(secret: str) -> bool:
    try:
        _bech32.decode_values(secret)
    except ValueError:
        return False
    return True


def _b64url_json(part: str) -> Any:
    raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    return json.loads(raw)


def _check_jwt(secret: str) -> bool:
    header, payload, _sig = secret.split(".", 2)
    try:
        head = _b64url_json(header)
        body = _b64url_json(payload)
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        return False
    return isinstance(head, dict) and "alg" in head and isinstance(body, dict)


_CHECKSUMS = {
    "github": _check_crc_token,
    "npm": _check_crc_token,
    "dataprotect": _check_crc_token,
    "age": _check_age,
    "jwt": _check_jwt,
}
#: Checks that only confirm the structure: the finding's checksum_valid is None.
_STRUCTURAL = frozenset({"jwt"})


def _charset_entropy_ok(value: str, *, password: bool = False) -> bool:  # noqa: PLR0911 - one early verdict per character set
    """High-entropy test for generic values, tuned per character set."""
    chars = set(value)
    short_password = password and len(value) < 16 and not chars <= _HEX
    n = len(value)
    ent = shannon_entropy(value)
    if chars <= _HEX and not short_password:
        if n < 16:
            return False
        return ent >= min(3.0, math.log2(n) - 1.1)
    classes = (
        any(c.islower() for c in value)
        + any(c.isupper() for c in value)
        + any(c.isdigit() for c in value)
    )
    if chars <= _ALNUM and not short_password:
        if n < 16 or classes < 3:
            return False
        return ent >= min(3.7, math.log2(n) - 0.5)
    if chars <= _B64 and not short_password:
        if n < 16 or classes < 2:
            return False
        return ent >= min(3.9, math.log2(n) - 0.5)
    # printable with punctuation: a password literal
    if n < 8 or classes < 2 or " " in value:
        return False
    return ent >= min(3.0, math.log2(n) - 0.6)


def is_filler(value: str) -> bool:
    """Whether half of *value* or more is filler, not randomness.

    Filler is a run of four or more characters that repeat one character
    (``XXXX``) or step through the alphabet (``abcd``, ``1234``, ``9876``):
    ``AKIAXXXXXXXXXXXXXXXX``, ``AIzaSyabcdefghijklmnopqrstuvwxyz1234567``.
    A random token of 20 characters or more almost never has such runs.
    """
    n = len(value)
    covered = 0
    i = 0
    while i < n - 1:
        step = ord(value[i + 1]) - ord(value[i])
        j = i + 1
        if step in {-1, 0, 1}:
            while j + 1 < n and ord(value[j + 1]) - ord(value[j]) == step:
                j += 1
            if j - i + 1 >= 4:
                covered += j - i + 1
                i = j + 1
                continue
        i += 1
    return n > 0 and covered * 2 >= n


def is_placeholder(value: str) -> bool:
    """Whether *value* is a placeholder, env reference or non-secret hash."""
    return bool(
        is_filler(value)
        or _PLACEHOLDER.match(value)
        or _PLACEHOLDER_PART.search(value)
        or _ENV_REF.match(value)
        or _UUID.match(value)
        or _HASH_PREFIX.match(value)
        or value.startswith(_IMAGE_B64)
        or len(set(value)) <= 3
    )


def _generic_value_ok(name: str, value: str, quoted: bool) -> bool:  # noqa: PLR0911 - a list of early rejections, one per false-positive kind
    if not _SECRET_NAME.search(name) or _NOT_SECRET_NAME.search(name):
        return False
    if value in DOCUMENTED_EXAMPLES or is_placeholder(value):
        return False
    if not quoted and (
        any(c in value for c in "([<{$|")
        or (_IDENTIFIER.match(value) and "." in value)
    ):
        return False
    if _IDENTIFIER.match(value) and not any(c.isdigit() for c in value):
        return False
    if value.startswith(("http://", "https://", "/", "./", "~/", "\\")):
        return False
    if _VERSION.search(value):
        return False  # a package version: io.jsonwebtoken:jjwt-jackson-0.11.2
    if (
        set(value) <= _HEX
        and len(value) in {40, 64}
        and "pass" not in name.lower()
    ):
        # git commit ids and content digests, unless a password holds them
        return any(
            w in name.lower() for w in ("secret", "token", "credential")
        )
    password = re.search(r"(?i)passw|pwd|passphrase", name) is not None
    return _charset_entropy_ok(value, password=password)


# ---------------------------------------------------------------- matching


class _Lines:
    """Line numbers for offsets, computed once per text on demand."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts: list[int] | None = None

    def starts(self) -> list[int]:
        if self._starts is None:
            starts = [0]
            find = self.text.find
            pos = find("\n")
            while pos != -1:
                starts.append(pos + 1)
                pos = find("\n", pos + 1)
            self._starts = starts
        return self._starts

    def locate(self, offset: int) -> tuple[int, int, int, int]:
        """(line, column, line start, line end), 1-based line and column."""
        starts = self.starts()
        idx = bisect.bisect_right(starts, offset) - 1
        start = starts[idx]
        end = self.text.find("\n", start)
        if end == -1:
            end = len(self.text)
        return idx + 1, offset - start + 1, start, end


def _secret_of(m: re.Match[str]) -> tuple[str, int, int]:
    if "secret" in m.re.groupindex:
        return m.group("secret"), m.start("secret"), m.end("secret")
    if m.re.groups:
        return m.group(1), m.start(1), m.end(1)
    return m.group(0), m.start(0), m.end(0)


def _check(rule: Rule, secret: str) -> tuple[bool, bool | None]:  # noqa: PLR0911 - a list of early rejections, one per check
    """(keep, checksum_valid) for a regex match."""
    if secret in DOCUMENTED_EXAMPLES:
        return False, None
    low = secret.lower()
    if any(s in low for s in rule.stopwords):
        return False, None
    if rule.checksum is None and is_filler(secret):
        return False, None  # a checksum, where there is one, decides
    if rule.url_password and (
        secret[0] in "[{<(%$*"
        or is_placeholder(secret.strip("[]<>{}()"))
        or (_IDENTIFIER.match(secret) and len(secret) < 6)
    ):
        return False, None
    if rule.min_entropy and shannon_entropy(secret) < rule.min_entropy:
        return False, None
    if rule.checksum is None:
        return True, None
    try:
        ok = _CHECKSUMS[rule.checksum](secret)
    except Exception:  # noqa: BLE001 - a malformed candidate is no finding
        ok = False
    if not ok:
        return False, False
    return True, None if rule.checksum in _STRUCTURAL else True


def _assignment_matches(rule: Rule, text: str, low: str) -> list[Match]:
    spans: set[tuple[int, int]] = set()
    for kw in rule.keywords:
        pos = low.find(kw)
        while pos != -1:
            start = text.rfind("\n", 0, pos) + 1
            end = text.find("\n", pos)
            if end == -1:
                end = len(text)
            # bound the window on huge single-line files
            spans.add((max(start, pos - 120), min(end, pos + 400)))
            pos = low.find(kw, pos + len(kw))
    out: list[Match] = []
    for start, end in sorted(spans):
        for m in _ASSIGNMENT.finditer(text, start, end):
            name, value = m.group("name"), m.group("value")
            quoted = m.group("q") is not None
            if quoted and m.group("close") != m.group("q"):
                continue
            if not quoted and "=" in value.rstrip("="):
                continue
            if (
                not quoted
                and m.group("op") == ":"
                and text[m.end() : m.end() + 4].lstrip()[:1]
                in {",", ")", "=", "|"}
            ):
                continue  # a parameter's type annotation
            if not _generic_value_ok(name, value, quoted):
                continue
            out.append(
                Match(rule, m.start("value"), m.end("value"), value, None)
            )
    return out


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _windows(
    anchor: re.Pattern[str], window: int, text: str
) -> list[list[int]]:
    """[start, end] of *window* characters around each anchor, merged."""
    windows: list[list[int]] = []
    for a in anchor.finditer(text):
        s, e = max(0, a.start() - window), a.end() + window
        if windows and s <= windows[-1][1]:
            windows[-1][1] = e
        else:
            windows.append([s, e])
    return windows


def _prefix_candidates(
    fast: re.Pattern[str], text: str
) -> Iterator[tuple[str, int, int]]:
    """Matches of a rule's variant without ``\\b`` that start a word."""
    for m in fast.finditer(text):
        begin = m.start()
        if begin and _is_word(text[begin - 1]) and _is_word(text[begin]):
            continue
        secret, ms, me = _secret_of(m)
        if secret:
            yield secret, ms, me


def _regex_candidates(rule: Rule, text: str) -> Iterator[tuple[str, int, int]]:
    """(secret, start, end) for each regex match of *rule* in *text*."""
    assert rule.regex is not None  # noqa: S101 - narrowing for mypy; regex rules are checked at load
    if rule.anchor is not None:
        for s, e in _windows(rule.anchor, rule.window, text):
            for m in rule.regex.finditer(text[s:e]):
                secret, ms, me = _secret_of(m)
                if secret:
                    yield secret, s + ms, s + me
        return
    if rule.fast is not None:
        yield from _prefix_candidates(rule.fast, text)
        return
    for m in rule.regex.finditer(text):
        secret, ms, me = _secret_of(m)
        if secret:
            yield secret, ms, me


def _decoded_text(name: str | None, data: str) -> str | None:
    """What a ``!!binary`` value holds, as text to scan, or None."""
    try:
        raw = base64.b64decode("".join(data.split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(raw) > _MAX_DECODED:
        return None
    try:
        value = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None  # binary data: an image, a key in DER form...
    if not value.strip() or any(
        not c.isprintable() and c not in "\t\r\n" for c in value
    ):
        return None
    if name is None or "\n" in value.strip():
        return value
    quote = next((q for q in "\"'" if q not in value), "")
    return f"{name}: {quote}{value}{quote}"


def _yaml_binary_matches(text: str, rules: list[Rule]) -> list[Match]:
    """Findings in the decoded values of YAML ``!!binary`` scalars.

    Each is located at the base64 text it was decoded from.
    """
    out: list[Match] = []
    if "!!binary" not in text:
        return out
    for m in _YAML_BINARY.finditer(text):
        group = "inline" if m.group("inline") is not None else "block"
        data = m.group(group)
        decoded = _decoded_text(m.group("name"), data)
        if decoded is None:
            continue
        start = m.start(group) + len(data) - len(data.lstrip())
        end = m.start(group) + len(data.rstrip())
        out.extend(
            Match(found.rule, start, end, found.secret, found.checksum_valid)
            for found in find_matches(decoded, rules)
        )
    return out


def _any_keyword(
    low: str, keywords: tuple[str, ...], present: dict[str, bool]
) -> bool:
    """Whether one of *keywords* is in *low*; *present* caches the answers."""
    for keyword in keywords:
        found = present.get(keyword)
        if found is None:
            found = present[keyword] = keyword in low
        if found:
            return True
    return False


def find_matches(text: str, rules: list[Rule]) -> list[Match]:
    """Every finding in *text*: checked, de-duplicated, located, suppressed.

    The decoded values of YAML ``!!binary`` scalars are scanned too.
    """
    low: str | None = None
    present: dict[
        str, bool
    ] = {}  # keyword -> in the text, each looked up once
    raw: list[Match] = []
    rejected: list[tuple[int, int]] = []
    for rule in rules:
        if rule.keywords:
            if low is None:
                low = text.lower()
            if not _any_keyword(low, rule.keywords, present):
                continue
        if rule.type == "assignment":
            raw.extend(_assignment_matches(rule, text, low or text.lower()))
            continue
        for secret, start, end in _regex_candidates(rule, text):
            keep, valid = _check(rule, secret)
            if keep:
                raw.append(Match(rule, start, end, secret, valid))
            else:
                # a known format that failed its checks (a bad checksum, a
                # documented example) is not reported by a later rule either
                rejected.append((start, end))
    raw.extend(_yaml_binary_matches(text, rules))
    if not raw:
        return []
    return _located(text, raw, rejected)


def _located(
    text: str, raw: list[Match], taken: list[tuple[int, int]]
) -> list[Match]:
    """*raw* less overlaps and pragma lines, with line numbers, in order."""
    # one finding per span: the earlier (more specific) rule wins
    lines = _Lines(text)
    out: list[Match] = []
    for match in raw:
        if any(match.start < e and s < match.end for s, e in taken):
            continue
        taken.append((match.start, match.end))
        line, column, lstart, lend = lines.locate(match.start)
        line_text = text[lstart:lend]
        if _allowed_by_pragma(text, lstart, line_text):
            continue
        out.append(
            Match(
                match.rule,
                match.start,
                match.end,
                match.secret,
                match.checksum_valid,
                line,
                column,
                line_text[:2000],
            )
        )
    out.sort(key=lambda m: m.start)
    return out


def _allowed_by_pragma(text: str, lstart: int, line_text: str) -> bool:
    """Whether a pragma on the line (or a nextline pragma before) allows it."""
    if PRAGMA in line_text or (
        "pragma" in line_text and _DS_PRAGMA.search(line_text)
    ):
        return True
    if lstart == 0:
        return False
    previous = text[text.rfind("\n", 0, lstart - 1) + 1 : lstart - 1]
    return "nextline" in previous and bool(_DS_NEXTLINE.match(previous))


def fingerprint(rule_id: str, secret: str) -> str:
    """A stable id for a finding that does not reveal the secret's value."""
    data = f"dataprotect-scan/v1\0{rule_id}\0{secret}".encode(
        "utf-8", "replace"
    )
    return hashlib.sha256(data).hexdigest()[:32]


def redact(secret: str) -> str:
    """A preview: a short prefix and the length, never the whole secret."""
    keep = min(len(secret) // 4, 8)
    if secret.startswith(("-----BEGIN", "PuTTY-User-Key-File")):
        end = secret.find("-----", 10)
        keep = end + 5 if end != -1 else secret.find(":") + 1
    if not 0 <= keep < len(secret) // 2 + 1 or keep >= len(secret):
        keep = 0
    return f"{secret[:keep]}…[{len(secret)} chars]"

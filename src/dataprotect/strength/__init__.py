"""Interactive password feedback following NIST SP 800-63B.

:func:`check_password` applies the verifier rules of NIST SP 800-63B
(length in code points after NFKC normalisation, a minimum of 8 by default,
at least 64 accepted, no composition rules, a blocklist of common, breached
and context-specific passwords) and adds zxcvbn's strength estimate and
advice, in English, German, French or Italian.

Needs the ``strength`` extra (``pip install dataprotect[strength]``, which
installs zxcvbn).  zxcvbn itself is driven through a bounded, thread-safe
wrapper: whatever the input, a call returns in interactive time.

This module holds the whole public API of the package; beside it are the
private ``_zxcvbn`` (that bounded driver of zxcvbn's matchers and scorer)
and ``_messages`` (the message ids and their text in the four languages).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import unicodedata

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from dataprotect._atomic import atomic_write
from dataprotect._secret import check_type
from dataprotect.errors import ConfigurationError, MissingDependencyError
from dataprotect.strength._messages import (
    LOCALES,
    MESSAGES,
    ZXCVBN_IDS,
    text,
)


try:
    from dataprotect.strength import _zxcvbn
except ImportError:  # pragma: no cover - exercised without the extra
    msg = "dataprotect.strength needs zxcvbn: install dataprotect[strength]"
    raise MissingDependencyError(msg) from None


__all__ = [
    "ANALYSED_LENGTH",
    "DEFAULT_MAX_LENGTH",
    "DEFAULT_MIN_LENGTH",
    "DEFAULT_MIN_SCORE",
    "LOCALES",
    "BreachedPasswords",
    "PasswordFeedback",
    "Violation",
    "check_password",
    "check_policy",
    "message_text",
]

#: Minimum length in code points; NIST SP 800-63B requires at least 8.
DEFAULT_MIN_LENGTH = 8
#: Maximum length accepted; longer input is a ``too_long`` violation.
DEFAULT_MAX_LENGTH = 4096
#: The zxcvbn score (0-4) a password needs to be acceptable.
DEFAULT_MIN_SCORE = 3
#: zxcvbn analyses at most this many leading code points (as zxcvbn-ts
#: does with its ``maxLength``); the result says when it cut.
ANALYSED_LENGTH = 64

# NFKC can merge at most a few code points into one (Hangul jamo L+V+T);
# input longer than this many times the maximum is too long without
# normalising it (a megabyte is refused in constant time).
_NFKC_SHRINK = 4
_CONTEXT_MIN = 3
# Only the first 64 user inputs, and their first 256 characters, are used.
_MAX_CONTEXT = 64
_SPLIT = re.compile(r"[\W_]+")
_FILLER = re.compile(r"[\W\d_]+")
_SURROGATE = re.compile("[\ud800-\udfff]")
_PREFIX_HEX = re.compile(r"[0-9A-F]{5}")


@dataclass(frozen=True, slots=True)
class Violation:
    """A NIST SP 800-63B rule the password fails.

    Attributes:
        id: A stable message id: ``too_short``, ``too_long``,
            ``blocklisted``, ``breached``, ``context`` or
            ``invalid_character``.
        message: The localized text.

    .. versionadded:: 0.1.0
    """

    id: str
    message: str


@dataclass(frozen=True, slots=True)
class PasswordFeedback:
    """The verdict and advice :func:`check_password` gives.

    Never contains the password or any part of it.

    Attributes:
        score: zxcvbn's score, 0 (too guessable) to 4 (very unguessable).
        acceptable: True when no rule is violated and ``score`` reaches the
            required minimum.
        warning: zxcvbn's localized warning, or None.
        warning_id: The message id of ``warning``, or None.
        suggestions: zxcvbn's localized suggestions.
        suggestion_ids: The message ids of ``suggestions``.
        violations: The NIST SP 800-63B rules that fail.
        guesses_log10: zxcvbn's estimate of the guesses needed, log10.
        length: The length in code points after NFKC normalisation (0 when
            the input was refused as too long without normalising).
        analysed_length: How many leading code points zxcvbn analysed.
        truncated: True when zxcvbn analysed only a prefix: the estimate is
            then a lower bound for the whole password.
        locale: The locale of the texts.

    .. versionadded:: 0.1.0
    """

    score: int
    acceptable: bool
    warning: str | None
    warning_id: str | None
    suggestions: list[str]
    suggestion_ids: list[str]
    violations: list[Violation]
    guesses_log10: float
    length: int
    analysed_length: int
    truncated: bool
    locale: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the feedback (ids and texts).

        Returns:
            A dict with ``score``, ``acceptable``, ``warning`` (``{"id",
            "message"}`` or None), ``suggestions`` and ``violations`` (lists
            of ``{"id", "message"}``), ``guesses_log10``, ``length``,
            ``analysed_length``, ``truncated`` and ``locale``.

        .. versionadded:: 0.1.0
        """
        warning = (
            None
            if self.warning is None
            else {"id": self.warning_id, "message": self.warning}
        )
        return {
            "score": self.score,
            "acceptable": self.acceptable,
            "warning": warning,
            "suggestions": [
                {"id": i, "message": m}
                for i, m in zip(
                    self.suggestion_ids, self.suggestions, strict=True
                )
            ],
            "violations": [
                {"id": v.id, "message": v.message} for v in self.violations
            ],
            "guesses_log10": round(self.guesses_log10, 3),
            "length": self.length,
            "analysed_length": self.analysed_length,
            "truncated": self.truncated,
            "locale": self.locale,
        }


def _sha1_hex(password: str) -> str:
    data = password.encode("utf-8", "surrogatepass")
    return hashlib.sha1(data, usedforsecurity=False).hexdigest().upper()


class BreachedPasswords:
    """An offline list of breached passwords, looked up by SHA-1.

    *path* is either

    - a directory of range files, one per 5-hex-digit SHA-1 prefix, named
      ``<PREFIX>.txt`` (or ``<PREFIX>``) and holding lines
      ``<35-hex SUFFIX>:<COUNT>``: the response format of Have I Been
      Pwned's k-anonymity range API, as its downloader writes it; or
    - one file of ``<40-hex SHA1>:<COUNT>`` lines sorted by hash (the
      downloader's single-file output), searched by bisection without
      reading it whole.

    Hex digits are upper or lower case; blank lines are ignored.  A lookup
    reads only the part of the data for the password's prefix, so even the
    full Pwned Passwords corpus (about 40 GB) is fast.

    Args:
        path: The directory or the sorted file.
        min_count: How many breach sightings make a password "breached".

    Raises:
        ConfigurationError: *path* does not exist or *min_count* < 1.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_min_count", "_path", "_single")

    def __init__(
        self, path: str | os.PathLike[str], *, min_count: int = 1
    ) -> None:
        if min_count < 1:
            msg = "min_count must be at least 1"
            raise ConfigurationError(msg)
        self._path = Path(path)
        if not self._path.exists():
            msg = "breached-password path does not exist"
            raise ConfigurationError(msg)
        self._single = self._path.is_file()
        self._min_count = min_count

    def __repr__(self) -> str:
        kind = "file" if self._single else "range directory"
        return f"<BreachedPasswords {kind} min_count={self._min_count}>"

    def range(self, prefix: str) -> list[tuple[str, int]]:
        """The (suffix, count) entries for a 5-hex-digit SHA-1 prefix.

        This is what HIBP's range API would answer for *prefix*.

        Args:
            prefix: Five hex digits.

        Returns:
            The 35-hex-digit suffixes (upper case) and their counts.

        Raises:
            ConfigurationError: *prefix* is not five hex digits, or the
                data holds a malformed line.

        .. versionadded:: 0.1.0
        """
        prefix = prefix.upper()
        if not _PREFIX_HEX.fullmatch(prefix):
            msg = "prefix must be five hex digits"
            raise ConfigurationError(msg)
        if self._single:
            return self._range_in_file(prefix)
        for name in (f"{prefix}.txt", prefix, f"{prefix.lower()}.txt"):
            candidate = self._path / name
            if candidate.is_file():
                lines = candidate.read_text(encoding="ascii").splitlines()
                return [
                    (suffix, count)
                    for suffix, count in map(_parse_line, lines)
                    if suffix
                ]
        return []

    def _range_in_file(self, prefix: str) -> list[tuple[str, int]]:
        with self._path.open("rb") as fh:
            size = fh.seek(0, os.SEEK_END)
            lo, hi = 0, size
            # Find the first line starting at or after an offset whose hash
            # is >= prefix (classic bisection over byte offsets).
            while lo < hi:
                mid = (lo + hi) // 2
                line = _entry_after(fh, mid)
                if (
                    not line
                    or line[:5].decode("ascii", "replace").upper() >= prefix
                ):
                    hi = mid
                else:
                    lo = mid + 1
            fh.seek(lo)
            if lo:
                fh.readline()
            found: list[tuple[str, int]] = []
            for raw in fh:
                full, count = _parse_line(raw.decode("ascii", "replace"))
                if not full:
                    continue
                if len(full) != 40:
                    msg = "breached-password file has a malformed line"
                    raise ConfigurationError(msg)
                if full[:5] > prefix:
                    break
                if full[:5] == prefix:
                    found.append((full[5:], count))
            return found

    def count(self, password: str) -> int:
        """How often *password* was seen in breaches (0 if never).

        Args:
            password: The password, exactly as typed.

        Raises:
            TypeError: *password* is not a str.

        .. versionadded:: 0.1.0
        """
        check_type("password", password, str)
        digest = _sha1_hex(password)
        mine = digest[5:].encode("ascii")
        found = 0
        # Constant time per entry, and every entry of the range is compared:
        # the timing tells nothing about the password's digest beyond the
        # public prefix.
        for suffix, count in self.range(digest[:5]):
            if hmac.compare_digest(suffix.encode("ascii"), mine):
                found = count
        return found

    def __contains__(self, password: object) -> bool:
        """True if *password* was seen at least ``min_count`` times."""
        return (
            isinstance(password, str)
            and self.count(password) >= self._min_count
        )

    @classmethod
    def build(
        cls,
        directory: str | os.PathLike[str],
        passwords: Iterable[str | tuple[str, int]],
        *,
        min_count: int = 1,
    ) -> BreachedPasswords:
        """Write range files for *passwords* into *directory*.

        Useful for an organisation's own list of banned or compromised
        passwords.  Each file is written atomically.

        Args:
            directory: Created if missing.
            passwords: Passwords, or (password, count) pairs.
            min_count: Passed to the returned instance.

        Returns:
            A :class:`BreachedPasswords` reading *directory*.

        .. versionadded:: 0.1.0
        """
        ranges: dict[str, dict[str, int]] = {}
        for item in passwords:
            password, count = (item, 1) if isinstance(item, str) else item
            digest = _sha1_hex(password)
            entry = ranges.setdefault(digest[:5], {})
            entry[digest[5:]] = entry.get(digest[5:], 0) + count
        root = Path(directory)
        root.mkdir(parents=True, exist_ok=True)
        for prefix, entries in sorted(ranges.items()):
            body = "".join(f"{s}:{c}\r\n" for s, c in sorted(entries.items()))
            with atomic_write(root / f"{prefix}.txt", mode=0o644) as fh:
                fh.write(body.encode("ascii"))
        return cls(root, min_count=min_count)


def _entry_after(fh: BinaryIO, offset: int) -> bytes:
    """The first non-blank line starting at or after *offset* (b"" at end)."""
    fh.seek(offset)
    if offset:
        fh.readline()
    line = fh.readline()
    while line and not line.strip():  # blank lines are ignored
        line = fh.readline()
    return line


def _parse_line(line: str) -> tuple[str, int]:
    line = line.strip()
    if not line:
        return "", 0
    digest, sep, count = line.partition(":")
    digest = digest.upper()
    if (
        not sep
        or not count.isdigit()
        or not re.fullmatch(r"[0-9A-F]+", digest)
    ):
        msg = "breached-password data has a malformed line"
        raise ConfigurationError(msg)
    return digest, int(count)


def _locale(locale: str) -> str:
    check_type("locale", locale, str)
    primary = locale.replace("_", "-").split("-", 1)[0].lower()
    if primary not in LOCALES:
        msg = "locale must be one of en, de, fr, it"
        raise ConfigurationError(msg)
    return primary


def _context_words(user_inputs: Sequence[str]) -> list[str]:
    words: set[str] = set()
    for value in user_inputs[:_MAX_CONTEXT]:
        folded = unicodedata.normalize("NFKC", value[:1024]).lower()[:256]
        for word in (folded, *_SPLIT.split(folded)):
            if len(word) >= _CONTEXT_MIN:
                words.add(word)
    return sorted(words, key=lambda w: (-len(w), w))


def _from_context(folded: str, words: Sequence[str]) -> bool:
    """True if *folded* is context words plus digits and symbols only."""
    rest = folded
    for word in words:
        rest = rest.replace(word, " ")
    return rest != folded and not _FILLER.sub("", rest)


def _check_user_inputs(user_inputs: Iterable[str]) -> list[str]:
    if isinstance(user_inputs, str):
        msg = "user_inputs must be a sequence of str, not a str"
        raise TypeError(msg)
    values = list(user_inputs)
    for value in values:
        check_type("each user input", value, str)
    return values


def _analyse(prefix: str, context: Sequence[str]) -> _zxcvbn.Analysis:
    try:
        return _zxcvbn.analyse(prefix, context)
    except Exception:  # noqa: BLE001 - feedback must never raise
        # Defence in depth: no input is known to get here.  Fail closed:
        # the weakest score, so the password is not accepted unexamined.
        return _zxcvbn.Analysis(0.0, 0, "", (), 0)


def check_password(
    password: str,
    *,
    user_inputs: Iterable[str] = (),
    locale: str = "en",
    min_length: int = DEFAULT_MIN_LENGTH,
    max_length: int = DEFAULT_MAX_LENGTH,
    min_score: int = DEFAULT_MIN_SCORE,
    breached: BreachedPasswords | None = None,
) -> PasswordFeedback:
    """Check *password* against NIST SP 800-63B and estimate its strength.

    Rules (each failure is a :class:`Violation`):

    - ``too_short`` / ``too_long``: the length in code points after NFKC
      normalisation is below *min_length* or above *max_length*;
    - ``blocklisted``: the password (NFKC, case-folded) is one of the
      30,000 common passwords zxcvbn ships;
    - ``breached``: it is in *breached* (checked for the password as typed
      and its NFKC form);
    - ``context``: it consists of *user_inputs* words (user name, email
      address and its parts, the service name) plus digits and symbols;
    - ``invalid_character``: it holds NUL or unpaired surrogates, which
      cannot be stored reliably.

    No composition rules apply.  At most the first :data:`ANALYSED_LENGTH`
    code points are scored by zxcvbn, and only the first 40 or 24 of dense,
    repetitive input (``analysed_length`` and ``truncated`` say so; the
    estimate is then a lower bound), so the cost is bounded whatever the
    length; input above *max_length* is refused without analysis.  Thread-safe: nothing global is written.

    Args:
        password: The candidate password.
        user_inputs: Context words: user name, email, name, service name
            (the first 64 values, 256 characters each, are used).
        locale: ``en``, ``de``, ``fr`` or ``it`` (a region such as
            ``de-CH`` or ``fr_FR`` is accepted and ignored).
        min_length: 8 (the default, NIST's minimum) up to 64; NIST
            SP 800-63B rev. 4 advises 15 when the password is the only
            factor.
        max_length: At least 64.
        min_score: The zxcvbn score needed to be acceptable, 0-4.
        breached: An offline breached-password list.

    Returns:
        The feedback; it never contains the password.

    Raises:
        TypeError: *password* or a user input is not a str.
        ConfigurationError: an unknown locale or an impossible policy.

    .. versionadded:: 0.1.0
    """
    check_type("password", password, str)
    context = _check_user_inputs(user_inputs)
    loc = _locale(locale)
    check_policy(
        min_length=min_length, max_length=max_length, min_score=min_score
    )

    if len(password) > _NFKC_SHRINK * max_length:
        return _too_long(loc, max_length, 0)
    normal = unicodedata.normalize("NFKC", password)
    length = len(normal)
    if length > max_length:
        return _too_long(loc, max_length, length)

    words = _context_words(context)
    violations = [
        _violation(rule, loc, min_length=min_length)
        for rule in _failed_rules(
            password, normal, min_length, breached, words
        )
    ]

    prefix = normal[:ANALYSED_LENGTH]
    zxcvbn_inputs = [value[:256] for value in context[:_MAX_CONTEXT]]
    analysis = _analyse(prefix, [*zxcvbn_inputs, *words[:_MAX_CONTEXT]])
    warning_id = ZXCVBN_IDS.get(analysis.warning) if analysis.warning else None
    suggestion_ids = [
        ZXCVBN_IDS[s] for s in analysis.suggestions if s in ZXCVBN_IDS
    ]
    return PasswordFeedback(
        score=analysis.score,
        acceptable=not violations and analysis.score >= min_score,
        warning=text(warning_id, loc) if warning_id else None,
        warning_id=warning_id,
        suggestions=[text(i, loc) for i in suggestion_ids],
        suggestion_ids=suggestion_ids,
        violations=violations,
        guesses_log10=analysis.guesses_log10,
        length=length,
        analysed_length=analysis.analysed_length,
        truncated=analysis.analysed_length < length,
        locale=loc,
    )


def check_policy(
    *,
    min_length: int = DEFAULT_MIN_LENGTH,
    max_length: int = DEFAULT_MAX_LENGTH,
    min_score: int = DEFAULT_MIN_SCORE,
) -> None:
    """Refuse a password policy that :func:`check_password` would refuse.

    :func:`check_password` checks its policy on every call; this lets a
    form or framework adapter refuse a bad configuration once, at start-up.

    Args:
        min_length: 8 up to 64.
        max_length: At least 64.
        min_score: 0-4.

    Raises:
        ConfigurationError: an impossible policy.

    .. versionadded:: 0.1.0
    """
    if not DEFAULT_MIN_LENGTH <= min_length <= 64:
        msg = "min_length must be between 8 and 64"
        raise ConfigurationError(msg)
    if max_length < 64:
        msg = "max_length must be at least 64"
        raise ConfigurationError(msg)
    if not 0 <= min_score <= 4:
        msg = "min_score must be between 0 and 4"
        raise ConfigurationError(msg)


def message_text(message_id: str, locale: str = "en", **fields: int) -> str:
    """The text of a stable message id, in *locale*.

    The ids are those of :attr:`Violation.id`,
    :attr:`PasswordFeedback.warning_id` and
    :attr:`PasswordFeedback.suggestion_ids`, plus ``too_guessable`` (the
    verdict when the score is too low without a violated rule) and
    ``help_text`` (the rules, for a form).  ``too_short`` and ``help_text``
    take ``min_length``, ``too_long`` takes ``max_length``.

    Args:
        message_id: The message id.
        locale: ``en``, ``de``, ``fr`` or ``it`` (a region such as
            ``de-CH`` is accepted and ignored).
        **fields: The numbers the message names.

    Returns:
        The localized text.

    Raises:
        TypeError: *message_id* or *locale* is not a str.
        ConfigurationError: an unknown message id or locale.

    .. versionadded:: 0.1.0
    """
    check_type("message_id", message_id, str)
    loc = _locale(locale)
    if message_id not in MESSAGES:
        msg = "unknown message id"
        raise ConfigurationError(msg)
    return text(message_id, loc, **fields)


def _failed_rules(
    password: str,
    normal: str,
    min_length: int,
    breached: BreachedPasswords | None,
    words: Sequence[str],
) -> list[str]:
    """The ids of the NIST SP 800-63B rules *normal* fails (but too_long)."""
    rules: list[str] = []
    if "\x00" in normal or _SURROGATE.search(normal):
        rules.append("invalid_character")
    if len(normal) < min_length:
        rules.append("too_short")
    folded = normal.lower()
    if folded in _zxcvbn.common_passwords():
        rules.append("blocklisted")
    if breached is not None and (password in breached or normal in breached):
        rules.append("breached")
    if _from_context(folded, words):
        rules.append("context")
    return rules


def _violation(message_id: str, locale: str, **fields: int) -> Violation:
    return Violation(message_id, text(message_id, locale, **fields))


def _too_long(locale: str, max_length: int, length: int) -> PasswordFeedback:
    return PasswordFeedback(
        score=0,
        acceptable=False,
        warning=None,
        warning_id=None,
        suggestions=[],
        suggestion_ids=[],
        violations=[_violation("too_long", locale, max_length=max_length)],
        guesses_log10=0.0,
        length=length,
        analysed_length=0,
        truncated=True,
        locale=locale,
    )

"""The finding types, the candidate record, and placeholders (package-private).

Every detector pass of :class:`dataprotect.pseudonymise._detect.Detector`
builds :class:`Candidate` records; :func:`is_masked` and ``_PLACEHOLDER``
tell a value someone already masked, or our own output, from a real one.
"""

from __future__ import annotations

import re

from typing import Final, Literal, NamedTuple, get_args


__all__ = [
    "FINDING_TYPES",
    "_PLACEHOLDER",
    "_PRIORITY",
    "Candidate",
    "FindingType",
    "ascii_twin",
    "is_masked",
]

FindingType = Literal[
    "email",
    "ip",
    "phone",
    "payment_card",
    "iban",
    "ahv",
    "jwt",
    "api_key",
    "url_credential",
    "secret_param",
    "person_name",
    "postal_address",
]
"""The finding types, named exactly as in the issue and the sample data."""

FINDING_TYPES: Final[tuple[FindingType, ...]] = get_args(FindingType)

# Priority when two candidates overlap: the higher one wins.
_PRIORITY: Final[dict[str, int]] = {
    "jwt": 100,
    "url_credential": 95,
    "email": 90,
    "iban": 85,
    "ahv": 85,
    "payment_card": 80,
    "secret_param": 75,
    "api_key": 74,
    "ip": 70,
    "phone": 60,
    "person_name": 50,
    "postal_address": 55,
}


class Candidate(NamedTuple):
    """A confirmed finding: type, span, and the canonical value."""

    type: FindingType
    start: int
    end: int
    canonical: str
    priority: int


# --------------------------------------------------------------------------
# Placeholders: our own output, and values someone already masked.

_PLACEHOLDER = re.compile(
    r"<(?:email|ip|phone|payment_card|iban|ahv|jwt|api_key|url_credential"
    r"|secret_param|person_name|postal_address):[0-9a-f]{8}>"
    r"|\[(?:email|ip|phone|payment_card|iban|ahv|jwt|api_key|url_credential"
    r"|secret_param|person_name|postal_address|REDACTED)\]"
)
_MASKED_VALUE = re.compile(
    r"""(?ix)
    [*xX•#.\-_]*                      # ********, xxxx, ---
    | [\[<({].*[\]>)}]                # [REDACTED], <YOUR_API_KEY>, {{token}}
    | \$\{?[\w.]+\}?                  # $TOKEN, ${TOKEN}
    | %[sdr] | \{\} | \?
    | null | none | nil | undefined | true | false | n/?a | empty
    | redacted | filtered | hidden | secure | masked | removed | omitted
    | your[_\-]?\w+
    """
)


def ascii_twin(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """*pattern* with ASCII classes, for ASCII text.

    On ASCII text it finds exactly what *pattern* finds: ``\\d``, ``\\w``,
    ``\\b`` and case folding differ only beyond ASCII.  (``\\s`` differs
    on ASCII too, U+001C to U+001F being spaces to Unicode: a pattern with
    it has no twin.)  The ASCII classes need no look-up in the Unicode
    database, which makes the digit- and word-heavy scans of a log line
    cheaper (``tests/test_pseudonymise_speed.py`` checks each twin).
    """
    source = pattern.pattern
    if "\\s" in source or "\\S" in source:
        msg = "\\s matches more than ASCII spaces in ASCII text"
        raise ValueError(msg)
    return re.compile(source, (pattern.flags & ~re.UNICODE) | re.ASCII)


def is_masked(value: str) -> bool:
    """Whether *value* is a placeholder rather than a real secret."""
    return _MASKED_VALUE.fullmatch(value) is not None

"""The detectors behind :mod:`dataprotect.pseudonymise` (package-private).

Every detector is a regular expression that proposes *candidates* cheaply,
and a validator that confirms them: Luhn and a card-brand prefix for cards,
mod-97 and the country's length for IBANs, the EAN-13 check digit for AHV
numbers, :mod:`ipaddress` for IP addresses and ``phonenumbers`` for phone
numbers.  Candidates overlapping a stronger finding are dropped, so every
character belongs to at most one finding.

A pass runs only when a cheap test on the line says it could match (no
``@``: no email pass; no ``=`` or ``:``: no key/value pass; fewer than 12
digits: no card pass; no capital letter and nothing outside ASCII: no IBAN
and no name pass), which keeps clean log lines fast.  In ASCII lines one
translation of the line into character classes (:data:`_CLASSES`) gives
the count of digits and the shapes the passes need: an IBAN starts with
two capitals and two digits, a card is twelve digits with at most one
separator between two, in a row or starting with two groups of three or
more digits and a separator between them, an IPv4 address the digits
and dots of a dotted quad (and the pass starts at the first), a run of
capitalised words a letter or a dot, a blank and a capital, a postcode
after a street the digits and capitals of its country's shape, and a
phone without a phone word nearby an international, national or North
American number shape (:func:`~dataprotect.pseudonymise._numbers.may_hold_phone`).
Each test is a
necessary condition of its pass, so skipping the pass changes nothing
(``tests/test_pseudonymise_speed.py`` checks each one against its pass).
The regexes that scan whole lines for digits and words have twins
compiled with ASCII classes, which the passes use on ASCII lines: they find
the same there without looking characters up in the Unicode database
(:func:`dataprotect.pseudonymise._findings.ascii_twin`).
A new detector is one more mixin base of :class:`Detector` and one more
gated line in :meth:`Detector.scan`.

The detectors are split by what they find, one mixin each, in this
package: addresses (:mod:`dataprotect.pseudonymise._addresses`), numbers
with check digits and phones (:mod:`dataprotect.pseudonymise._numbers`),
tokens, credentials and key/value pairs
(:mod:`dataprotect.pseudonymise._secrets`) and person names
(:mod:`dataprotect.pseudonymise._names`); the finding types and
:class:`Candidate` are in :mod:`dataprotect.pseudonymise._findings`.
"""

from __future__ import annotations

import itertools
import operator
import re

from collections.abc import Iterable
from typing import Any, Final

from dataprotect.pseudonymise._addresses import (
    _COLON_RUN,
    _AddressMixin,
    encoded_at,
)
from dataprotect.pseudonymise._findings import (
    _PLACEHOLDER,
    FINDING_TYPES,
    Candidate,
    FindingType,
    is_masked,
)
from dataprotect.pseudonymise._names import (
    WHOLE_LINE,
    _NameMixin,
    run_window,
)
from dataprotect.pseudonymise._numbers import _NumberMixin, may_hold_phone
from dataprotect.pseudonymise._postal import _PostalMixin
from dataprotect.pseudonymise._secrets import _SecretMixin, field_kind


__all__ = [
    "FINDING_TYPES",
    "Candidate",
    "Detector",
    "FindingType",
    "field_kind",
    "is_masked",
]


# --------------------------------------------------------------------------


class Detector(
    _AddressMixin, _SecretMixin, _NumberMixin, _NameMixin, _PostalMixin
):
    """Finds personal data and credentials in text.

    Args:
        types: The finding types to look for.
        default_region: The region for national phone numbers (``"CH"``).
        phone_regions: Further regions tried for national numbers.
        phonenumbers: The ``phonenumbers`` module (phones are found only
            with it).
        first_names: Known first names: after a preposition, one of them
            and a surname are taken as a person's name.
    """

    __slots__ = (
        "_first_names",
        "_phone_regions",
        "_phonenumbers",
        "_region",
        "_types",
    )

    def __init__(
        self,
        types: Iterable[str],
        *,
        default_region: str = "CH",
        phone_regions: Iterable[str] = (),
        phonenumbers: Any = None,
        first_names: frozenset[str] = frozenset(),
    ) -> None:
        self._types = frozenset(types)
        self._first_names = first_names
        self._region = default_region
        self._phone_regions = tuple(
            r for r in dict.fromkeys((default_region, *phone_regions)) if r
        )
        self._phonenumbers = phonenumbers

    # -- public -----------------------------------------------------------

    def scan(self, text: str) -> list[Candidate]:  # noqa: C901, PLR0912, PLR0915 - one gated branch per pass
        """Every finding in *text*, non-overlapping, in text order."""
        found: list[Candidate] = []
        add = found.append
        types = self._types
        has_at = "@" in text
        has_colon = ":" in text
        has_eq = "=" in text
        low = text.lower()
        ascii_only = text.isascii()
        # No capital A-Z and nothing outside ASCII: no name.
        cased = low != text or not ascii_only
        # \d is any script's digit: count ASCII digits in ASCII text only.
        if ascii_only:
            # (a str: "in" on bytes costs several times more)
            shape = text.encode().translate(_CLASSES).decode()
            digits = shape.count("d")
            # An IPv4 address holds a dotted quad: its first dot, where this
            # shape starts, comes at most three digits after its start.
            quad = _QUAD_SHAPE.search(shape)
            ip_from = -1 if quad is None else max(0, quad.start() - 3)
            # A card the _cards pass keeps is 12 or more digits in a row, or
            # groups of digits whose first two have three or more (and a
            # separator between them).
            card_shape = (
                digits >= 12
                and (
                    "dddsddd" in shape
                    or "ddd.ddd" in shape
                    or "dddddddddddd" in shape
                )
                # and 12 digits, at most one separator between two (what
                # _CARD matches): not "203.0.113.123", an address
                and _CARD_SHAPE.search(shape) is not None
            )
            # The other shapes hold a capital.
            iban_shape = run_shape = tail_shape = False
            if cased:
                # An IBAN starts with two capitals and two digits.
                iban_shape = "AAdd" in shape
                # Two capitalised words: a letter or a dot, a blank, a
                # capital.
                run_shape = "asA" in shape or "AsA" in shape or ".sA" in shape
                # What _TAIL_GATE looks for: "8001 Zü", "1A 2AA", "DC 20500".
                tail_shape = (
                    "ddddsAa" in shape
                    or "sdAA" in shape
                    or "AAsddddd" in shape
                    or "AAssddddd" in shape
                )
        else:
            digits = 99
            iban_shape = card_shape = run_shape = tail_shape = True
            ip_from = 0 if "." in text else -1
        if (has_at or encoded_at(text)) and "email" in types:
            self._emails(text, add)
        if has_at and "://" in text and "url_credential" in types:
            self._url_credentials(text, add)
        if "eyJ" in text and "jwt" in types:
            self._jwts(text, add)
        if "api_key" in types:
            self._token_shapes(text, add)
        if has_eq or has_colon:
            self._key_values(text, add)
        if '["' in text:
            self._binds(text, add)
        if "VALUES" in text or "values" in text:
            self._inserts(text, add)
        if "</" in text:
            self._xml_elements(text, add)
        if (
            "key" in low
            or "token" in low
            or "pass" in low
            or "secret" in low
            or "session" in low
            or "bearer" in low
            or "credential" in low
        ):
            self._phrases(text, add)
        if ip_from >= 0 and "ip" in types:
            self._ipv4(text, add, ip_from)
        if (
            has_colon
            and "ip" in types
            # an IPv6 address holds "::" or seven colons in a row of its own
            and (
                "::" in text
                or (
                    text.count(":") >= 7
                    and _COLON_RUN.search(text) is not None
                )
            )
        ):
            self._ipv6(text, add)
        if "756" in text and "ahv" in types:
            self._ahv(text, add)
        if iban_shape and digits >= 2 and "iban" in types:
            self._ibans(text, add)
        if card_shape and "payment_card" in types:
            self._cards(text, add)
        if (
            digits >= 7
            and "phone" in types
            and self._phonenumbers is not None
            # (shape is there when ascii_only is)
            and (not ascii_only or may_hold_phone(text, shape))
        ):
            self._phones(text, add)
        if "postal_address" in types:
            self._postal(text, low, add, tails=tail_shape)
        if cased and "person_name" in types:
            self._names(
                text,
                found,
                add,
                runs=(run_window(shape) if ascii_only else WHOLE_LINE)
                if run_shape
                else None,
            )
        if not found:
            return found
        if "<" in text or "[" in text:
            holes = [(m.start(), m.end()) for m in _PLACEHOLDER.finditer(text)]
            if holes:
                # Nothing inside our own output, nor glued to it: a value
                # right after "<ip:...>" was glued to that address before.
                found = [
                    c
                    for c in found
                    if not any(c.start <= e and s <= c.end for s, e in holes)
                ]
        return _resolve(found)


def _character_classes() -> bytes:
    """The table of :data:`_CLASSES`."""
    table = bytearray(b"x" * 256)
    table[ord("A") : ord("Z") + 1] = b"A" * 26
    table[ord("a") : ord("z") + 1] = b"a" * 26
    table[ord("0") : ord("9") + 1] = b"d" * 10
    for separator in b" \t-+":  # blanks, and separators of card digits
        table[separator] = ord("s")
    table[ord(".")] = ord(".")
    return bytes(table)


# The class of each ASCII character for the gates: "A" a capital letter,
# "a" a small one, "d" a digit, "." itself, "s" a blank or a separator of
# card digits (" ", "\t", "-", "+"), "x" anything else.
_CLASSES: Final = _character_classes()
# The shape of the start of a match of _CARD: twelve digits, with at most
# one separator between two, the first not right after a letter, a digit
# or a dot (as _CARD's look-behind says, which leaves few places to try).
_CARD_SHAPE: Final = re.compile(r"d(?<![Aad.]d)(?:[s.]?d){11}")
# The shape of the dots of a dotted quad (what _IPV4 matches), from its
# first dot; the look-behind follows the dot, so that the regex engine
# skips from dot to dot.
_QUAD_SHAPE: Final = re.compile(r"\.(?<=d\.)d{1,3}\.d{1,3}\.d")
_by_start = operator.attrgetter("start")


def _resolve(found: list[Candidate]) -> list[Candidate]:
    """Keep the strongest of overlapping candidates, in text order.

    Two apart (a line with an email and an address, say) are put in order
    without sorting: what :func:`_resolve_any` returns for them.
    """
    if len(found) == 2:
        a, b = found
        if a.start < b.start and a.end <= b.start:
            return found
        if b.start < a.start and b.end <= a.start:
            return [b, a]
    return _resolve_any(found)


def _resolve_any(found: list[Candidate]) -> list[Candidate]:
    """:func:`_resolve` for any number of candidates."""
    if len(found) == 1:
        return found
    found.sort(key=_by_start)
    for a, b in itertools.pairwise(found):
        if b.start < a.end:
            break
    else:
        return found  # nothing overlaps
    found.sort(key=lambda c: (-c.priority, c.start, c.start - c.end))
    kept: list[Candidate] = []
    for c in found:
        if all(c.end <= k.start or k.end <= c.start for k in kept):
            kept.append(c)
    kept.sort(key=lambda c: c.start)
    return kept

"""Numbers with check digits and phone numbers (package-private).

Cards (Luhn and the brand's prefix), IBANs (mod-97 and the country's
length), Swiss AHV numbers (EAN-13) and phone numbers (candidate shapes
that ``phonenumbers`` confirms).  The passes live in :class:`_NumberMixin`,
one of the bases of :class:`dataprotect.pseudonymise._detect.Detector`.
"""

from __future__ import annotations

import re

from collections.abc import Callable
from typing import Any, Final

from dataprotect.pseudonymise._findings import Candidate, ascii_twin


__all__ = [
    "_NumberMixin",
    "card_brand_ok",
    "ean13_ok",
    "iban_ok",
    "luhn_ok",
    "may_hold_phone",
]

# --------------------------------------------------------------------------
# Numbers with check digits: cards, IBANs, AHV

# Grouped by spaces, dashes or dots, or by "+" (a space in a query string).
_CARD = re.compile(r"\d(?<![\w.\-/+:]\d)(?:[ \-.+]?\d){11,18}(?!\w|[.\-+]\d)")
_CARD_ASCII = ascii_twin(_CARD)  # for ASCII lines


def luhn_ok(digits: str) -> bool:
    """The Luhn check (ISO/IEC 7812-1)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card_brand_ok(digits: str) -> bool:  # noqa: PLR0911 - one per brand
    """Whether *digits* has a real card brand's prefix and length."""
    n = len(digits)
    p2 = int(digits[:2])
    p4 = int(digits[:4])
    p6 = int(digits[:6])
    if digits[0] == "4":  # Visa (13 digits on older cards still in use)
        return n in (13, 16, 19)
    if 51 <= p2 <= 55 or 2221 <= p4 <= 2720:  # Mastercard
        return n == 16
    if p2 in (34, 37):  # American Express
        return n == 15
    if p4 == 6011 or 644 <= p4 // 10 <= 649 or p2 == 65:  # Discover
        return 16 <= n <= 19
    if p2 == 35:  # JCB (3528-3589, and test ranges around it)
        return 16 <= n <= 19
    if 300 <= p4 // 10 <= 305 or p2 in (36, 38, 39):  # Diners Club
        return 14 <= n <= 19
    if p2 == 62 or 622126 <= p6 <= 622925:  # UnionPay
        return 16 <= n <= 19
    if p4 in _MAESTRO or 6761 <= p4 <= 6763:  # Maestro
        return 12 <= n <= 19
    return False


_MAESTRO: Final = frozenset({5018, 5020, 5038, 5893, 6304, 6759, 6771})
# A number right after these words is a reference, not a card or phone.
# A grouped IBAN's first group, "DE80 ", right before a run of digits.
_IBAN_HEAD = re.compile(r"(?<![\w])[A-Z]{2}\d{2}[ ]$")
_ID_WORDS = (
    "ref|reference|parcel|tracking|order|invoice|batch|id|"
    "no|nr|ticket|case|transaction|txn|trace|span|request|shipment|sku|"
    "ean|gtin|isbn|run|job|build|serial|sn|pid|uid|gid|ts|timestamp|"
    "epoch|seq|offset|checksum|crc|hash|size|bytes|length|len|count|"
    "total|duration|elapsed|took|port|product|article|barcode|"
    "upc|bestellung|auftrag|rechnung|sendung|commande|facture|colis|"
    "ordine|fattura|spedizione"
)
_ID_CONTEXT = re.compile(
    rf"(?i)(?:\b(?:{_ID_WORDS})\b[\s\"'#:=.\-]*"
    r"|\b\w*_(?:id|ref|no|nr|number)[\"']?\s*[:=]\s*[\"']?)$"
)
# _ID_CONTEXT spelt backwards, matched at the start of the reversed text
# (one start position instead of every one; a "$" also matches before a
# final newline, hence the "\n?").
_ID_CONTEXT_REV = re.compile(
    r"(?i)\n?(?:[\s\"'#:=.\-]*\b(?:"
    + "|".join(w[::-1] for w in _ID_WORDS.split("|"))
    + r")\b|[\"']?\s*[:=]\s*[\"']?(?:di|fer|on|rn|rebmun)_\w*\b)"
)


def id_context(before: str) -> bool:
    """``_ID_CONTEXT.search(before) is not None``, faster."""
    return _ID_CONTEXT_REV.match(before[::-1]) is not None


_GTIN_CONTEXT = re.compile(
    r"(?i)\b(?:gtin|ean|ean13|ean-13|barcode|upc|sku|product|article)\b"
)
# Other Maestro ranges, taken only where the text says "card".
_MAESTRO_LIKE = re.compile(r"(?:5[06-8]\d{10,17}|6\d{11,18}|0604\d{8,15})$")
_CARD_CONTEXT = re.compile(r"(?i)card|\bpan\b|\bcc\b|visa|master|amex")

_IBAN = re.compile(
    r"(?P<cc>[A-Z](?<![\w\-][A-Z])[A-Z])(?P<chk>\d{2})"
    r"(?P<rest>(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?)(?!\w)"
)
_IBAN_ASCII = ascii_twin(_IBAN)  # for ASCII lines
# ISO 13616 registry: country -> IBAN length.
_IBAN_LENGTH: Final[dict[str, int]] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16,
    "BG": 22, "BH": 22, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28,
    "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24,
    "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18,
    "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23,
    "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32,
    "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22,
    "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24,
    "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
    "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip


def iban_ok(compact: str) -> bool:
    """The IBAN length and mod-97 check (ISO 13616)."""
    if _IBAN_LENGTH.get(compact[:2]) != len(compact):
        return False
    moved = compact[4:] + compact[:4]
    number = "".join(str(int(ch, 36)) for ch in moved)
    return int(number) % 97 == 1


_AHV = re.compile(
    r"7(?<![\w.\-]7)56(?:\.\d{4}\.\d{4}\.\d{2}|\d{10}| \d{4} \d{4} \d{2})"
    r"(?!\w|[.\-]\d)"
)


def ean13_ok(digits: str) -> bool:
    """The EAN-13 check digit (used by Swiss AHV/AVS numbers)."""
    total = sum(
        (ord(ch) - 48) * (3 if i % 2 else 1)
        for i, ch in enumerate(digits[:12])
    )
    return (10 - total % 10) % 10 == ord(digits[12]) - 48


# --------------------------------------------------------------------------
# Phone numbers: candidate shapes; phonenumbers confirms.

_PHONE_CONTEXT = re.compile(
    r"(?i)phone|\btel\b|tel[:.]|telef|\bsms\b|mobile|\bcell|natel|\bfax\b|"
    r"whatsapp|\bcall|callback|\bdial|\banruf|r[üu]ckruf|appel|rappel|"
    r"chiamat|cellulare|portable|handy\b"
)


def phone_words(text: str) -> bool:
    """False if _PHONE_CONTEXT finds nothing in any part of *text*.

    Every match of _PHONE_CONTEXT in ASCII text holds one of the words
    tested here, in lower case (a chain of "in" tests: cheaper than a loop
    over them).
    """
    if not text.isascii():
        return True  # case folding beyond ASCII: U+017F is an "s"
    low = text.lower()
    return (
        "tel" in low
        or "phone" in low
        or "call" in low
        or "cell" in low
        or "mobile" in low
        or "sms" in low
        or "fax" in low
        or "whatsapp" in low
        or "dial" in low
        or "anruf" in low
        or "ckruf" in low
        or "appel" in low
        or "chiamat" in low
        or "portable" in low
        or "handy" in low
    )


# Each shape starts with a digit, "+" or "(": the first character comes
# before the look-behinds (which check it again, one per shape), so that
# the regex engine can skip to candidate characters quickly.
_PHONE = re.compile(
    r"[\d+(](?<![\w+\-./#][\d+(])(?:"
    r"(?<=[2-9])\d{9}(?!\d)|"
    r"(?:(?<=\+)|(?<=0)0)[1-9]\d{0,2}(?:[ \-./]?\(0\))?"
    r"(?:[ \-./]?\(?\d{1,5}\)?){1,6}"
    r"|(?<=0)[1-9]\d{0,4}(?:[ \-./]?\(?\d{1,5}\)?){1,5}"
    r"|(?:(?<=\()[2-9]|(?<=[2-9]))\d{2}\)?[ \-.]?\d{3}[ \-.]\d{4}"
    r"|(?<=\()0\d{1,4}\)[ \-.]?\d{2,5}(?:[ \-.]?\d{2,5}){0,3}"
    r"|(?<=[1-9])\d{1,3}(?:[ \-.]\d{2,4}){2,4}"
    r"|(?<=[1-9])\d{8,11}(?!\d)"
    r")(?:[ \t]?(?:x|ext\.?|extension)[ \t]?\d{1,6})?(?![\w\-]|[./]\d)"
)
_PHONE_ASCII = ascii_twin(_PHONE)  # for ASCII lines
# A number followed by a unit is a size, a duration or a count.
_UNIT_AFTER = re.compile(
    r"[ \t]?(?:bytes?|[kKMGT]i?B|B|ms|µs|us|ns|s|sec|secs|seconds?|min|"
    r"minutes?|h|hours?|days?|%|messages?|msgs?|rows?|records?|items?|"
    r"times|requests?|reqs?|users?|files?|lines?|events?|tokens?|px)\b"
)
_NOT_DIGIT = re.compile(r"\D")
_NANP = re.compile(r"\(?[2-9]\d{2}\)?[ \-.]?\d{3}[ \-.]?\d{4}")
_EXTENSION = re.compile(r"[ \t]?(?:x|ext\.?|extension)[ \t]?(?=\d)")
_DATE_LIKE = re.compile(
    r"\d{4}[\-./]\d{1,2}[\-./]\d{1,2}|\d{1,2}[\-./]\d{1,2}[\-./]\d{2,4}$"
)


# What _phones keeps in a line without a phone word (see may_hold_phone),
# each at least seven digits with at most three of " -./()" between two:
# an international number, "+41 44 ...", ...
_PLUS_NUMBER = re.compile(r"\+[1-9](?:[ \-./()]{0,3}[0-9]){6}")
# ... or "0041 44 ...", or a national one, "044 668 ..." or "(044) 668 ..."
# (a start _PHONE allows: nothing of [\w+\-./#] before the first "0" or
# "(") ...
_ZERO_NUMBER = re.compile(
    r"0(?:(?<![\w+\-./#]0)(?:0[1-9](?:[ \-./()]{0,3}[0-9]){4}"
    r"|[1-9](?:[ \-./()]{0,3}[0-9]){5})"
    r"|(?<=\(0)[0-9](?:[ \-./()]{0,3}[0-9]){5})",
    re.ASCII,
)
# ... or a North American number (_NANP, whole), in the character classes
# of the line (dataprotect.pseudonymise._detect._CLASSES: "d" a digit, "s"
# a blank, "-" or "+", "x" a bracket and more): "ddd", ")" or a separator
# or both, "ddd", a separator or none, "dddd", with a separator somewhere
# or ten digits in a row (then an extension follows, or "(" goes before:
# _phones keeps no number that is digits only).  No digit on either side,
# and before it nothing _PHONE's start refuses among "A", "a", "." and "d".
_NANP_SHAPE = re.compile(
    r"ddd(?<![Aad.]ddd)"
    r"(?:(?:x[s.]?|[s.])ddd[s.]?dddd|ddd[s.]dddd|(?P<digits>ddddddd))(?!d)"
)
# The other characters before a start that _PHONE refuses, which the
# classes do not tell apart from those it allows (" " and "(", say).
_NOT_BEFORE_START: Final = frozenset("_+-/#")


def may_hold_phone(text: str, shape: str) -> bool:
    """False only if ``_phones`` finds nothing in the ASCII line *text*.

    *shape* is the line in character classes (``_CLASSES`` of the
    detector).  Without a phone word (:func:`phone_words`), ``_phones``
    keeps only international, national and North American numbers, each a
    start _PHONE allows and at least seven digits: a necessary condition
    that log lines full of times, dates, addresses and ids rarely meet,
    checked by regexes with a literal first character (``+``, ``0``,
    ``ddd``), which scan a line several times faster than _PHONE.
    """
    if phone_words(text):
        return True
    if "+" in text and _PLUS_NUMBER.search(text) is not None:
        return True
    if _ZERO_NUMBER.search(text) is not None:
        return True
    # The last four digits of a North American number follow a separator
    # or three more digits.
    if not ("ddddddd" in shape or "dddsdddd" in shape or "ddd.dddd" in shape):
        return False
    m = _NANP_SHAPE.search(shape)
    while m is not None:
        start = m.start()
        before = text[start - 1] if start else ""
        if before not in _NOT_BEFORE_START and (
            m.group("digits") is None
            # ten digits in a row: "(" before them or an extension after
            or before == "("
            or _EXTENSION.match(text, m.end()) is not None
        ):
            return True
        # (from the next character on: no start is left out)
        m = _NANP_SHAPE.search(shape, start + 1)
    return False


class _NumberMixin:
    """The AHV, IBAN, card and phone passes of the detector."""

    __slots__ = ()

    # Set by Detector.__init__.
    _phonenumbers: Any
    _region: str
    _phone_regions: tuple[str, ...]

    def _ahv(self, text: str, add: Callable[[Candidate], None]) -> None:
        for m in _AHV.finditer(text):
            digits = re.sub(r"\D", "", m.group(0))
            if not ean13_ok(digits):
                continue
            before = text[max(0, m.start() - 24) : m.start()]
            if _GTIN_CONTEXT.search(before):
                continue  # a product's GTIN (GS1 prefix 756 is Mexico's)
            add(Candidate("ahv", m.start(), m.end(), digits, 85))

    def _ibans(self, text: str, add: Callable[[Candidate], None]) -> None:
        rx = _IBAN_ASCII if text.isascii() else _IBAN
        for m in rx.finditer(text):
            country = m.group("cc")
            length = _IBAN_LENGTH.get(country)
            if length is None:
                continue
            raw = m.group(0)
            compact = raw.replace(" ", "")
            if len(compact) < length:
                continue
            if len(compact) > length:
                # drop trailing characters beyond the country's length
                kept = 0
                cut = 0
                for i, ch in enumerate(raw):
                    if ch != " ":
                        kept += 1
                        if kept == length:
                            cut = i + 1
                            break
                if cut < len(raw) and raw[cut] != " ":
                    continue
                raw = raw[:cut]
                compact = raw.replace(" ", "")
            if iban_ok(compact):
                add(
                    Candidate(
                        "iban", m.start(), m.start() + len(raw), compact, 85
                    )
                )

    def _cards(self, text: str, add: Callable[[Candidate], None]) -> None:
        rx = _CARD_ASCII if text.isascii() else _CARD
        for m in rx.finditer(text):
            raw = m.group(0)
            # digits and at most one kind of separator
            seps = [ch for ch in " -.+" if ch in raw]
            if len(seps) > 1:
                continue
            if seps:
                groups = raw.split(seps[0])
                if len(groups) < 3 or any(len(g) < 3 for g in groups[:-1]):
                    continue
                digits = "".join(groups)
            else:
                digits = raw
            if not 12 <= len(digits) <= 19:
                continue
            if not luhn_ok(digits):
                continue
            before = text[max(0, m.start() - 40) : m.start()]
            card_context = _CARD_CONTEXT.search(before) is not None
            if not card_brand_ok(digits) and not (
                card_context and _MAESTRO_LIKE.match(digits)
            ):
                continue
            if not card_context and id_context(before[-24:]):
                continue
            if _IBAN_HEAD.search(before[-6:]):
                continue  # the rest of an IBAN whose check digits fail
            add(Candidate("payment_card", m.start(), m.end(), digits, 80))

    def _phones(self, text: str, add: Callable[[Candidate], None]) -> None:  # noqa: C901, PLR0912, PLR0915 - one test per look-alike of a phone
        pn = self._phonenumbers
        words: bool | None = None  # phone_words(text), once needed
        rx = _PHONE_ASCII if text.isascii() else _PHONE
        for m in rx.finditer(text):
            raw = m.group(0).rstrip(".")
            if raw.endswith(")") and raw.count("(") < raw.count(")"):
                raw = raw[:-1]
            if _DATE_LIKE.match(raw):
                continue  # tested first: a date needs no phone-word test
            international = raw[0] == "+" or raw.startswith("00")
            national = not international and raw.lstrip("(")[0] == "0"
            if not (international or national):
                # Without a trunk or country prefix: a North American
                # shape, or a phone word nearby (checked below).
                if words is None:
                    words = phone_words(text)
                if not words and (raw.isdigit() or _NANP.match(raw) is None):
                    continue
            number_part = _EXTENSION.split(raw, 1)[0] if "x" in raw else raw
            digits = len(_NOT_DIGIT.sub("", number_part))
            if digits < 7 or digits > 15:
                continue
            if digits == 13 and raw.startswith("756"):
                continue  # an AHV number, valid or not
            start = m.start()
            if (
                start >= 2
                and (
                    # the seconds of a time, 12:30:05.123456
                    (text[start - 1] == ":" and text[start - 2].isdigit())
                    # part of a longer run of digit groups (IBAN, card, id)
                    or (
                        text[start - 1] in " -."
                        and (
                            text[start - 2].isdigit()
                            or text[max(0, start - 5) : start - 1].isupper()
                        )
                    )
                )
            ):
                continue
            nanp = (
                not international
                and not national
                and _NANP.fullmatch(number_part) is not None
                and not raw.isdigit()
            )
            before = text[max(0, start - 48) : start]
            context = None
            if not (international or national or nanp):
                # a national number without trunk prefix, or digits only:
                # only where the text says so, close by (words is known)
                context = (
                    bool(words)
                    and _PHONE_CONTEXT.search(before[-28:]) is not None
                )
                if not context:
                    continue
            end = start + len(raw)
            if _UNIT_AFTER.match(text, end):
                continue  # 987654321 bytes, 1234567 ms
            if id_context(before[-24:]):
                continue
            number = None
            if international:
                # any number the numbering plan allows
                number = _parse_phone(pn, raw, self._region, possible=True)
            elif nanp:
                # North American shape: (451) 983-6121, 812-341-6336
                number = _parse_phone(pn, raw, "US", possible=True)
            else:
                for region in self._phone_regions:
                    number = _parse_phone(pn, raw, region)
                    if number is not None:
                        break
                if number is None and national:
                    if context is None:
                        if words is None:
                            words = phone_words(text)
                        context = (
                            words and _PHONE_CONTEXT.search(before) is not None
                        )
                    if context:
                        number = _parse_phone(
                            pn, raw, self._region, possible=True
                        )
                if number is None and raw.isdigit() and len(raw) == 10:
                    number = _parse_phone(pn, raw, "US", possible=True)
            if number is None:
                continue
            canonical = pn.format_number(number, pn.PhoneNumberFormat.E164)
            add(Candidate("phone", start, start + len(raw), canonical, 60))


def _parse_phone(
    pn: Any, raw: str, region: str, *, possible: bool = False
) -> Any:
    try:
        number = pn.parse(raw, region)
    except pn.NumberParseException:
        return None
    if possible:
        ok = pn.is_possible_number(number)
    else:
        ok = pn.is_valid_number(number)
    return number if ok else None

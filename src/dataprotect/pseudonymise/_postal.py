"""Postal address detection (package-private).

Two passes, in :class:`_PostalMixin`, one of the bases of
:class:`dataprotect.pseudonymise._detect.Detector`:

* **Free text**: a street with a house number followed by a postcode and a
  town, in the shapes of Switzerland, Germany, France, Italy, Great Britain
  and the United States (``Bahnhofstrasse 12, 8001 Zürich``,
  ``12 rue de la Paix, 75002 Paris``, ``Via Roma 10, 00184 Roma``,
  ``10 Downing Street, London SW1A 2AA``,
  ``1600 Pennsylvania Ave NW, Washington, DC 20500``).  Both halves are
  required: a street needs a street-type word (``-strasse``, ``Weg``,
  ``rue``, ``via``, ``Street``, ``Ave``...) and a number, the postcode the
  shape of its country (four or five digits and a capitalised town, a
  British postcode, a state code and a ZIP code), so ``line 12``, ports,
  durations, versions and ``HTTP/1.1 200 1234`` never match.
* **Fields**: the value of a JSON, logfmt, Ruby-hash or SQL-bind field
  whose key names a part of an address (``street``, ``address``, ``zip``,
  ``postcode``, ``city``...), if the value has that part's shape (a
  postcode, a capitalised town name, a street with a number).

The finding covers the address as written; its canonical form, the input
of the pseudonym, is lower-cased with runs of spaces folded.
"""

from __future__ import annotations

import re

from collections.abc import Callable
from typing import Final
from urllib.parse import unquote_plus

from dataprotect.pseudonymise._findings import Candidate, ascii_twin, is_masked


__all__ = ["_PostalMixin", "key_hint_stem", "postal_field"]

_PRIORITY: Final = 55  # above person_name: "Largo Augusto" is a street

# --------------------------------------------------------------------------
# Pieces

_UP = "A-ZÄÖÜÉÈÀÂÎÔÛÇ"
# A capitalised word of a street or town name ("Champs-Élysées", "l'Église").
_CAP = rf"(?:[ldLD]['\u2019])?[{_UP}][\w'\u2019.\-]*"
_PARTICLE = (
    r"(?:de|du|des|la|le|les|di|del|della|dello|dei|degli|delle|da|dal|"
    r"al|alla|von|van|der|den|et|e|of|the|l['\u2019]|d['\u2019])"
)
_NUM = r"(?<![\w.])\d{1,5}(?:\s?[a-zA-Z](?![\w'\u2019]))?(?:[-/]\d{1,4}[a-zA-Z]?)?"
_DE_SUFFIX = (
    r"(?i:strasse|straße|str\.|gasse|gässli|weg|platz|allee|ring|damm|"
    r"ufer|graben|steig|stieg|markt|hof|rain|halde|matte)"
)
_DE_PREFIX = r"(?:Am|An\sder|An\sden|Im|In\sder|Auf\sder|Zum|Zur|Unter\sden)"
_DE_WORD = (
    r"(?:Strasse|Straße|Str\.|Weg|Platz|Gasse|Allee|Ring|Damm|Ufer|Markt)"
)
_ROMANCE = (
    r"(?:[Rr]ue|[Aa]venue|[Aa]v\.|[Bb]oulevard|[Bb]d\.?|[Cc]hemin|[Cc]h\.|"
    r"[Pp]lace|[Aa]llée|[Ii]mpasse|[Qq]uai|[Rr]oute|[Rr]te|[Cc]ours|"
    r"[Pp]assage|[Ss]entier|[Vv]ia|[Vv]iale|[Pp]iazza|[Pp]iazzale|"
    r"[Cc]orso|[Ll]argo|[Vv]icolo|[Ss]trada|[Cc]ontrada|[Ll]ungomare)"
)
# The street suffixes of USPS Publication 28 (appendix C1) that are used in
# Great Britain and the United States, written out or abbreviated.
_EN_TYPE = (
    r"(?:(?:Alley|Avenue|Ave|Bend|Bluff|Branch|Bridge|Brook|Burg|Bypass|"
    r"Canyon|Cape|Causeway|Center|Centre|Circle|Cir|Cliff|Close|Common|"
    r"Corner|Course|"
    r"Court|Ct|Cove|Creek|Crescent|Crest|Crossing|Dale|Drive|Dr|Estate|"
    r"Expressway|Fall|Ferry|Field|Flat|Ford|Forest|Fork|Fort|Freeway|"
    r"Garden|Gardens|Gateway|Glen|Green|Grove|Harbor|Harbour|Haven|"
    r"Heights|Highway|Hwy|Hill|Hollow|Inlet|Island|Isle|Junction|Key|"
    r"Knoll|Lake|Landing|Lane|Ln|Light|Loaf|Lock|Lodge|Loop|Mall|Manor|"
    r"Meadow|"
    r"Mews|Mill|Mission|Motorway|Mount|Mountain|Orchard|Oval|Parade|"
    r"Park|Parkway|Pkwy|Pass|Path|Pike|Pine|Place|Pl|Plaza|Point|Port|"
    r"Prairie|Ramp|Ranch|Rapid|Ridge|River|Road|Rd|Row|Rue|Run|Shoal|"
    r"Shore|Skyway|Spur|"
    r"Spring|Square|Sq|Station|Stravenue|Stream|Street|St|Summit|"
    r"Terrace|Trace|Track|Trail|Tunnel|Turnpike|Valley|Viaduct|View|"
    r"Village|Vista|Walk|Wall|Way|Well|Wharf)s?\.?)"
)
# Flat, studio or suite numbers before or after the street.
_UNIT = (
    r"(?:(?:Apt\.?|Apartment|Suite|Ste\.?|Unit|Flat|Studio|Floor|Room|#)"
    r"\s?\w{1,5}|[A-Z]\w{1,8}\sFloor)"  # "Suite 330", "Fifth Floor"
)
_STATES = (
    r"(?:A[LKZR]|C[AOT]|D[EC]|FL|GA|HI|I[DLNA]|K[SY]|LA|M[EDAINSOT]|"
    r"N[EVHJMYCD]|O[HKR]|PA|RI|S[CD]|T[NX]|UT|V[TAI]|W[AVIY]|PR|PW|AS|GU|"
    r"MP|FM|MH|A[AEP])"
)
_GB_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2}(?![\w])"
_TOWN = (
    rf"(?:(?:St\.|Ste\.|S\.|Bad|Sankt)\s)?[{_UP}][\w'\u2019\-/]*"
    rf"(?:\s(?:am|an\sder|im|bei|sur|sous|en|upon|on)\s[{_UP}][\w'\u2019\-/]*)?"
)

_STREET = (
    # Bahnhofstrasse 12, Hauptstr. 5a, Am Markt 3
    rf"(?<![\w\-])(?:{_DE_PREFIX}\s)?(?=[{_UP}])[\w\-]{{0,40}}?{_DE_SUFFIX}"
    rf"\s?{_NUM}"
    # Berliner Allee 5
    rf"|(?<![\w\-])[{_UP}][\w\-]*e[rn]?\s{_DE_WORD}\s?{_NUM}"
    # Via Roma 10, Rue du Rhône 5, Avenue de la Gare 3
    rf"|(?<![\w\-]){_ROMANCE}(?:\s(?:{_PARTICLE}|{_CAP})){{1,5}}\s{_NUM}"
    # 12 rue de la Paix, 8 bis avenue Jean Jaurès
    rf"|{_NUM}(?:\s(?:bis|ter))?,?\s{_ROMANCE}(?:\s(?:{_PARTICLE}|{_CAP})){{1,5}}"
    # 10 Downing Street, 1600 Pennsylvania Ave NW, 12 Oak Cove Apt. 5
    rf"|(?:{_UNIT},?\s)?{_NUM}(?:\s{_CAP}){{1,4}}\s{_EN_TYPE}"
    rf"(?:\s(?:NW|NE|SW|SE|N|S|E|W))?(?![\w])"
    rf"(?:(?:,|\s-)?\s{_UNIT}(?![\w]))?"
    # Flat 38, Johnson Fall
    rf"|{_UNIT},\s(?:{_CAP}\s){{1,3}}{_EN_TYPE}(?![\w])"
    # chemin des Vignes (French streets without a number)
    rf"|(?<![\w\-])(?:[Rr]ue|[Aa]venue|[Bb]oulevard|[Cc]hemin|[Aa]llée|"
    rf"[Ii]mpasse|[Qq]uai)(?:\s(?:{_PARTICLE}|{_CAP})){{1,5}}(?=,)"
)
_TAIL = (
    # 8001 Zürich, CH-8001 Zürich, 75002 Paris
    rf"(?:(?:CH|D|DE|F|FR|I|IT|A|FL)-)?(?<![\d.])\d{{4,5}}\s{_TOWN}"
    # London SW1A 2AA
    rf"|(?:{_CAP}(?:\s{_CAP})?,?\s)?{_GB_POSTCODE}"
    # Washington, DC 20500
    rf"|{_CAP}(?:\s{_CAP}){{0,2}},\s{_STATES}\s\s?\d{{5}}(?:-\d{{4}})?(?!\d)"
)
# Where an address may start, a necessary condition of each branch below
# that the regex engine checks before trying them all: a capital or "#"
# anywhere (the flat and suite numbers of _UNIT have no look-behind), else
# the first character of a word (every other branch looks behind for a
# character that is not \w) that can start one: a digit (_NUM), a capital,
# or the first letter of a small street word of _ROMANCE ("rue", "avenue",
# "boulevard", "chemin", "impasse", "quai", "sentier", "via", "largo"...)
# or of an elided "l'" or "d'" of _CAP.  Most positions of a line fail
# this at once; the branches cost much more to fail.
_ADDRESS_START = rf"(?=[A-Z#]|(?<!\w)[\d{_UP}a-dilpqrsv])"
_ADDRESS = re.compile(
    rf"{_ADDRESS_START}(?:"
    rf"(?:{_STREET})\s*,?\s+(?:{_TAIL})"
    # Austin, TX 78741: a town, a state and a ZIP code are enough
    rf"|(?<![\w\-]){_CAP}(?:\s{_CAP}){{0,2}},\s{_STATES}\s\s?\d{{5}}"
    rf"(?:-\d{{4}})?(?!\d)"
    # 350 Broadway, New York, NY 10118: the state and ZIP carry it
    rf"|{_NUM}(?:\s{_CAP}){{1,3}},\s{_CAP}(?:\s{_CAP}){{0,2}},\s{_STATES}"
    rf"\s\d{{5}}(?:-\d{{4}})?(?!\d)"
    ")"
)
# Only lines with a postcode of some country get the full pass, and only
# around it.  Each branch starts with a space and looks back, so the regex
# engine can skip ahead to the spaces.
_LOW = "a-zäöüéèàâîôûç"
_TAIL_GATE = re.compile(
    # 8001 Zürich, 75002 Paris: a number of its own and a capitalised word
    rf" [{_UP}][{_LOW}](?:(?<=[^\w.:/]\d\d\d\d [{_UP}][{_LOW}])"
    rf"|(?<=[^\w.:/]\d\d\d\d\d [{_UP}][{_LOW}]))"
    # SW1A 2AA, M1 1AE
    rf"| \d[A-Z][A-Z](?![\w])"
    rf"(?:(?<=[A-Z]\d \d[A-Z][A-Z])|(?<=\d[A-Z0-9] \d[A-Z][A-Z]))"
    # DC 20500
    rf"| \d\d\d\d\d(?:(?<=[A-Z][A-Z] \d\d\d\d\d)|(?<=[A-Z][A-Z]  \d\d\d\d\d))"
)
_TAIL_GATE_ASCII = ascii_twin(_TAIL_GATE)  # for ASCII lines
_BEFORE: Final = 100  # how far a street may start before the postcode
_AFTER: Final = 60

# --------------------------------------------------------------------------
# Fields

_KEYS = r"""
        street(?:[_\-]?(?:address|name|line[_\-]?\d?))?|address(?:[_\-]?line)?
        (?:[_\-]?\d)?|addr(?:ess)?\d?|line[_\-]?1
        |zip(?:[_\-]?code)?|post[_\-]?code|postal[_\-]?code|plz|npa
        |city|town|ort|locality|ville|citt[aà]
"""
# A structured event's key: "zip", "billing_city", "Address".
_KEY_NAME = re.compile(rf"(?ix)(?:^|(?<=[_\-])) (?:{_KEYS}) $")
_FIELD = re.compile(
    rf"""(?ix)
    (?P<key>{_KEYS})
    \\?["']?\s*(?:=>|[:=]|,(?=\s*\\?["']))\s*
    (?:
        (?P<q>\\?")(?P<dq>[^"\\\n]{{1,120}})(?P=q)
        | (?P<sq>\\?')(?P<squoted>[^'\\\n]{{1,120}})(?P=sq)
        | (?P<bare>[^\s,;&"'{{}}\[\]<>\\]{{1,80}})
    )
    """
)
# The shape of a postcode in a field of its own.
_POSTCODE = re.compile(
    rf"(?:(?:CH|D|DE|F|FR|I|IT|A|FL)-)?\d{{4,5}}(?:-\d{{4}})?|{_GB_POSTCODE}"
)
# Where a key may start, found with str.find in the lower-cased text (the
# offset of the key in the hint).
_KEY_HINTS: Final = (
    ("street", 0), ("addr", 0), ("zip", 0), ("postcode", 0),
    ("postal", 0), ("post_code", 0), ("post-code", 0), ("plz", 0),
    ("npa", 0), ("city", 0), ("town", 0), ('"ort"', 1), ('"ort\\', 1),
    ("'ort'", 1),
    (" ort=", 1), ("locality", 0), ("ville", 0), ("citt", 0),
    ("line1", 0), ("line_1", 0),
)  # fmt: skip
# The shapes of a town and a street in a field of their own.
_TOWN_VALUE = re.compile(
    rf"[{_UP}][^\W\d_]*(?:[\s'\u2019.\-/]+[^\W\d_]+){{0,4}}\.?"
)
_STREET_VALUE = re.compile(
    rf"(?:{_STREET})|(?:{_DE_PREFIX}\s)?[{_UP}][^\W\d_]*(?:[\s'\u2019.\-]+[^\W\d_]+)"
    rf"{{0,5}}\s{_NUM}|{_NUM}(?:\s(?:bis|ter))?,?(?:\s+[^\W\d_][\w'\u2019.\-]*){{1,6}}"
)


def postal_field(key: str, value: str) -> bool:
    """Whether the field *key* of a structured event holds a postal *value*."""
    m = _KEY_NAME.search(key)
    return m is not None and _field_value_ok(m.group(0).lower(), value)


def _field_value_ok(key: str, value: str) -> bool:
    """Whether *value* has the shape of the address part *key* names."""
    if is_masked(value):
        return False
    if key.startswith(("zip", "post", "plz", "npa")):
        return _POSTCODE.fullmatch(value) is not None
    if key.startswith(("city", "town", "ort", "locality", "ville", "citt")):
        return len(value) <= 40 and _TOWN_VALUE.fullmatch(value) is not None
    # street / address / addr / line1: a street and number, maybe more
    if "@" in value or "://" in value:
        return False
    head = value.split(",", 1)[0].strip()
    return _STREET_VALUE.fullmatch(head) is not None


def key_hint_stem(low: str) -> bool:
    """Whether *low* holds a stem of one of :data:`_KEY_HINTS`.

    Every key hint holds one of these: a chain of "in" tests rules out most
    lines faster than a test of each hint (``tests/test_pseudonymise_speed.py``
    checks that each hint passes).  Stems that share a part are tested
    behind it ("post" before "posta", "postc"...; a "z" before "zip" and
    "plz", which looks for one character and is cheaper still), so a line
    without the shared part costs one test, not one per stem.
    """
    return (
        "addr" in low
        or "cit" in low  # city, citt
        or ("z" in low and ("zip" in low or "plz" in low))
        or (
            "post" in low
            and (
                "posta" in low
                or "postc" in low
                or "post_" in low
                or "post-" in low
            )
        )
        or "street" in low
        or "town" in low
        or "npa" in low
        or (
            "ort" in low
            # "ort", "ort\
            and ('"ort' in low or "'ort'" in low or " ort=" in low)
        )
        or "locality" in low
        or "ville" in low
        or ("line" in low and ("line1" in low or "line_1" in low))
    )


class _PostalMixin:
    """The postal address passes of the detector."""

    __slots__ = ()

    @staticmethod
    def _postal(
        text: str,
        low: str,
        add: Callable[[Candidate], None],
        *,
        tails: bool = True,
    ) -> None:
        """Addresses in *text*, whose ``str.lower()`` is *low*.

        ``tails=False`` says that *text* has no postcode: without the shape
        of one, _TAIL_GATE finds nothing (nor in a line without a capital:
        each of its branches holds one).
        """
        if tails:
            gate = _TAIL_GATE_ASCII if text.isascii() else _TAIL_GATE
            hits = [m.start() for m in gate.finditer(text)]
            if hits:
                lo = max(0, hits[0] - _BEFORE)
                for m in _ADDRESS.finditer(text, lo, hits[-1] + _AFTER):
                    _add(add, m.start(), m.group(0))
        if len(low) != len(text):  # "İ" lowers to two characters
            low = text
        if not key_hint_stem(low):
            return
        for hint, offset in [h for h in _KEY_HINTS if h[0] in low]:
            pos = low.find(hint)
            while pos >= 0:
                _field(text, pos + offset, add)
                pos = low.find(hint, pos + 1)


def _field(text: str, pos: int, add: Callable[[Candidate], None]) -> None:
    """The value of the field whose key starts at *pos*, if it fits."""
    if pos and text[pos - 1].isalnum():
        return  # "support", "gzip": not a key of its own
    m = _FIELD.match(text, pos)
    if m is None:
        return
    group = "dq" if m.group("q") else "squoted" if m.group("sq") else "bare"
    start, raw = m.start(group), m.group(group)
    lead = len(raw) - len(raw.lstrip())
    start, raw = start + lead, raw.strip()
    value = unquote_plus(raw) if "%" in raw or "+" in raw else raw
    if _field_value_ok(m.group("key").lower(), value):
        _add(add, start, raw)


def _add(add: Callable[[Candidate], None], start: int, raw: str) -> None:
    canonical = " ".join(raw.split()).lower()
    add(
        Candidate(
            "postal_address", start, start + len(raw), canonical, _PRIORITY
        )
    )

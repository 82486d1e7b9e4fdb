"""The fast paths of the log detector find what the plain ones find (#19).

``Detector.scan`` skips a pass when a cheap test on the line says that the
pass cannot find anything (too few digits for a card, no capital letter for
a name, no token-like run for a token), and some regexes are written for
speed rather than for reading.  Each property here pits a fast path
against its plain form on generated lines: the gate's test against the
pass itself, the rewritten regex against the original one.
"""

from __future__ import annotations

import re

import pytest

from hypothesis import given
from hypothesis import strategies as st

from dataprotect.pseudonymise import (
    Pseudonymiser,
    _addresses,
    _detect,
    _names,
    _numbers,
    _postal,
    _secrets,
)
from dataprotect.pseudonymise._addresses import _IPV6, _QUAD, _octet_ok
from dataprotect.pseudonymise._detect import Candidate, Detector
from dataprotect.pseudonymise._findings import ascii_twin
from dataprotect.pseudonymise._names import (
    _BARE_PREP,
    _CUE,
    _NAME_BEFORE,
    bare_prep,
    cue,
    name_before,
)
from dataprotect.pseudonymise._numbers import (
    _ID_CONTEXT,
    _PHONE,
    _PHONE_CONTEXT,
    id_context,
    may_hold_phone,
    phone_words,
)
from dataprotect.pseudonymise._secrets import (
    _CHECKSUM_HINT,
    _CHECKSUM_TOKEN,
    _KEY_SEP,
    _PHRASE,
    _SHAPE_HINT,
    _TOKEN_SHAPES,
    _named,
    key_fields,
    named_fields,
    phrases,
)


KEY = bytes(range(32))
DETECTOR: Detector = Pseudonymiser(key=KEY)._detector

# The phone regex as it was written for reading: one look-behind, then
# the shapes.  The production regex moves the first character in front.
PLAIN_PHONE = re.compile(
    r"(?<![\w+\-./#])(?:"
    r"[2-9]\d{9}(?!\d)|"
    r"(?:\+|00)[1-9]\d{0,2}(?:[ \-./]?\(0\))?(?:[ \-./]?\(?\d{1,5}\)?){1,6}"
    r"|0[1-9]\d{0,4}(?:[ \-./]?\(?\d{1,5}\)?){1,5}"
    r"|\(?[2-9]\d{2}\)?[ \-.]?\d{3}[ \-.]\d{4}"
    r"|\(0\d{1,4}\)[ \-.]?\d{2,5}(?:[ \-.]?\d{2,5}){0,3}"
    r"|[1-9]\d{1,3}(?:[ \-.]\d{2,4}){2,4}"
    r"|[1-9]\d{8,11}(?!\d)"
    r")(?:[ \t]?(?:x|ext\.?|extension)[ \t]?\d{1,6})?(?![\w\-]|[./]\d)"
)

# The IPv6 regex as written for reading: the look-arounds first.
PLAIN_IPV6 = re.compile(
    r"(?<![\w:.])(?=[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:)[0-9A-Fa-f:.]{2,60}"
    r"(?![\w])"
)

# Lines built from the pieces each detector looks at, so that the
# generated text is full of near misses.
PIECES = st.sampled_from(
    [
        "+41", "0041", "(0)", "(044)", "044", "079", " ", "-", ".", "/", "#",
        "(", ")", "x", "ext.", "\t", "1", "2", "5", "0", "9", "123",
        "4567", "89", "٣", "²", "=", "=>", ":", "://", "//", '"', "'",
        "\\", '\\"', "--", "_", "key", "Password", "api_key", "x2",
        "10:30", "é", "A", "AKIA", "AIza", "sk_live_", "ya29.", "SG.",
        "xoxb-", "glpat-", "dpa_", "token_", "abcdefghij", "Q7rT9x",
        "CH93", "0076", "Dear ", "Anna", "Meier", "\n", "ā", "İ",
        # the words before a name, a reference number or a phone
        "requested by", "for customer", "account holder", "insured person",
        "Versicherter", "liebe", "Mr.", "signora", "grüezi", "ORDER",
        "::", "fe80", "2001:db8", "api key", "Token is ", "PASSWORD",
        "AbC123dEf456gH", "bearer ", "7 ", '42" ', "für", "from", "à",
        "user_id", "ref", "Ticket", "#", "tel", "Phone", "\u017f", "\u212a",
        "«",
    ]
)  # fmt: skip
LINES = st.one_of(
    st.lists(PIECES, max_size=40).map("".join),
    st.text(max_size=80),
)


# Lines full of phone numbers and their look-alikes: times, dates, dotted
# quads, ids, and the characters _PHONE refuses before a number.
PHONE_PIECES = st.sampled_from(
    [
        "+41 44 668 18 00", "0041 44 668 18 00", "044 668 18 00",
        "(044) 668 18 00", "+41 (0)44 668 18 00", "(212) 555-0147",
        "212-555-0147", "212.555.0147", "2125550147", "812 341 6336",
        "0878 496 896", "079/123.45.67", "+33 6 82 89 38 90", " x12",
        " ext. 7", "extension 3", "x", "(", ")", "(0)", " ", "-", ".", "/",
        "_", "#", "+", ":", ",", "=", "0", "00", "1", "2", "7", "555",
        "0147", "2026-12-07 ", "12:30:05.123456", "203.0.113.9", "tel ",
        "Phone: ", "call ", "ref ", "ms", "a", "F", "\t", "é",
    ]
)  # fmt: skip
PHONE_LINES = st.one_of(
    LINES, st.lists(PHONE_PIECES, max_size=20).map("".join)
)


def found_by(pass_name: str, text: str) -> list[Candidate]:
    found: list[Candidate] = []
    getattr(DETECTOR, pass_name)(text, found.append)
    return found


class TestRewrittenRegexes:
    @given(LINES)
    def test_phone_regex_equals_the_plain_one(self, text: str) -> None:
        """The first character in front changes no match."""
        assert [m.span() for m in _PHONE.finditer(text)] == [
            m.span() for m in PLAIN_PHONE.finditer(text)
        ]

    @given(LINES)
    def test_key_fields_equal_a_scan_of_every_position(
        self, text: str
    ) -> None:
        """Going back from each separator finds every key the scan finds."""
        plain = [
            (m.span(), m.group("key"), m.group("gap"))
            for m in _KEY_SEP.finditer(text)
            if m.group("gap") or not m.group("key")[-1].isdigit()
        ]
        fast = [
            (m.span(), m.group("key"), m.group("gap"))
            for m in key_fields(text)
        ]
        assert fast == plain

    @given(LINES)
    def test_ipv6_regex_equals_the_plain_one(self, text: str) -> None:
        """The first character in front changes no match."""
        assert [m.span() for m in _IPV6.finditer(text)] == [
            m.span() for m in PLAIN_IPV6.finditer(text)
        ]

    @given(LINES)
    def test_phrases_equal_a_scan_of_every_position(self, text: str) -> None:
        """Trying the phrase only at keyword stems finds the same."""
        assert [m.span() for m in phrases(text)] == [
            m.span() for m in _PHRASE.finditer(text)
        ]

    @given(LINES)
    def test_named_fields_are_the_named_key_fields(self, text: str) -> None:
        """Dropping unnamed keys before matching drops only those."""
        plain = [
            (km.span(), named)
            for km in key_fields(text)
            if (named := _named(km.group("key"))) is not None
        ]
        fast = [(km.span(), named) for km, named in named_fields(text)]
        assert fast == plain

    @given(LINES, st.sampled_from(["", " ", ": ", ' "', "\t= ", " «"]))
    def test_backward_matches_equal_the_searches(
        self, text: str, tail: str
    ) -> None:
        """The reversed patterns say what the end-anchored searches say."""
        for before in (text, text + tail):
            assert name_before(before) == (
                _NAME_BEFORE.search(before) is not None
            )
            assert id_context(before) == (
                _ID_CONTEXT.search(before) is not None
            )
            assert cue(before) == (_CUE.search(before) is not None)
            bare = _BARE_PREP.search(before)
            assert bare_prep(before) == (
                None
                if bare is None
                else (bare.start(), bare.group("num") is not None)
            )

    def test_backward_match_examples(self) -> None:
        assert name_before("payment requested by ")
        assert name_before("2026 INFO Versicherter: «")
        assert name_before("Dear \n")
        assert not name_before("Dear")
        assert not name_before("Overdear ")
        assert id_context("order #")
        assert id_context("user_id=")
        assert not id_context("a border ")
        assert bare_prep("IBAN CH93 0076 7 for ") == (15, True)
        assert bare_prep("sent for ") == (5, False)
        assert bare_prep("therefor ") is None
        assert cue("Rechnung für ")
        assert not cue("Rechnung")

    @given(st.text("0123456789.", min_size=7, max_size=15))
    def test_quad_equals_the_octet_rule(self, value: str) -> None:
        octets = value.split(".")
        if len(octets) == 4 and all(0 < len(o) <= 3 for o in octets):
            assert (_QUAD.fullmatch(value) is not None) == all(
                _octet_ok(o) for o in octets
            )

    def test_named_key_without_a_field(self) -> None:
        """A named key whose separator starts a URL is no field."""
        assert list(named_fields("password://host")) == []
        assert [k for _, (k, _) in named_fields("x password=1")] == [
            "password"
        ]

    def test_key_fields_examples(self) -> None:
        text = '--password=x 10:30 x2=1 "token" : y a-b.c => z https://h'
        assert [m.group("key") for m in key_fields(text)] == [
            "password",
            "token",
            "a-b.c",
        ]


# Every regex with a twin for ASCII lines, and that twin.
TWINS = [
    (_addresses._IPV4, _addresses._IPV4_ASCII),
    (_addresses._IPV6, _addresses._IPV6_ASCII),
    (_addresses._DOMAIN, _addresses._DOMAIN_ASCII),
    (_addresses._LOCAL_REV, _addresses._LOCAL_REV_ASCII),
    (_numbers._CARD, _numbers._CARD_ASCII),
    (_numbers._IBAN, _numbers._IBAN_ASCII),
    (_numbers._PHONE, _numbers._PHONE_ASCII),
    (_names._NAME_CAND, _names._NAME_CAND_ASCII),
    (_postal._TAIL_GATE, _postal._TAIL_GATE_ASCII),
    (_secrets._KEY_REV, _secrets._KEY_REV_ASCII),
]
ASCII_LINES = st.one_of(
    LINES.filter(str.isascii),
    st.text(st.characters(max_codepoint=127), max_size=80),
)


class TestAsciiTwins:
    """On ASCII text, the ASCII twin of a regex finds what it finds."""

    @given(ASCII_LINES)
    def test_twins_find_the_same(self, text: str) -> None:
        for plain, twin in TWINS:
            assert [(m.span(), m.groups()) for m in twin.finditer(text)] == [
                (m.span(), m.groups()) for m in plain.finditer(text)
            ], plain.pattern

    def test_control_characters(self) -> None:
        """Unicode counts U+001C to U+001F as spaces, ASCII does not."""
        text = "".join(map(chr, range(128))) + "a:b=1 CH93\x1c0076 \x1f8001 Zu"
        for plain, twin in TWINS:
            assert [m.span() for m in twin.finditer(text)] == [
                m.span() for m in plain.finditer(text)
            ]

    def test_no_twin_with_spaces(self) -> None:
        with pytest.raises(ValueError, match="ASCII spaces"):
            ascii_twin(re.compile(r"a\sb"))


class TestGates:
    """When scan() skips a pass, that pass would have found nothing."""

    @given(LINES)
    def test_digits(self, text: str) -> None:
        if not text.isascii():
            return  # \d is any script's digit: no gate
        digits = sum(ch.isdigit() for ch in text)
        if digits < 12:
            assert found_by("_cards", text) == []
        if digits < 7:
            assert found_by("_phones", text) == []
        if digits < 4:
            assert found_by("_ipv4", text) == []
        if digits < 2:
            assert found_by("_ibans", text) == []

    @given(
        st.lists(
            st.one_of(PIECES, st.sampled_from(["::", ":", "a", "F", "09"])),
            max_size=40,
        ).map("".join)
    )
    def test_colons(self, text: str) -> None:
        """No "::" and no run of seven colons: no IPv6 address."""
        if "::" not in text and _addresses._COLON_RUN.search(text) is None:
            assert found_by("_ipv6", text) == []

    @given(
        st.lists(
            st.one_of(
                PIECES,
                st.sampled_from(
                    [
                        "4111", "1111", "4111111111111111", "5295", "GB",
                        "DE89", "3704", "0044", "0532", "0130", "00", "12",
                        "CH93 0076 2011 6238 5295 7", "4111-1111-1111-1111",
                        "4111.1111.1111.1111", "4111+1111+1111+1111", "+", "378 282 246 310 005",
                        "3782 822463 10005", "378",
                    ]
                ),
            ),
            max_size=30,
        ).map("".join)
    )  # fmt: skip
    def test_shapes(self, text: str) -> None:
        """No IBAN shape: no IBAN; no card shape: no card (ASCII lines)."""
        if not text.isascii():
            return  # \d is any script's digit: no gate
        shape = text.encode().translate(_detect._CLASSES)
        if b"AAdd" not in shape:
            assert found_by("_ibans", text) == []
        if not any(s in shape for s in (b"dddsddd", b"ddd.ddd", b"d" * 12)):
            assert found_by("_cards", text) == []
        if _detect._CARD_SHAPE.search(shape.decode()) is None:
            assert _numbers._CARD_ASCII.search(text) is None
            assert found_by("_cards", text) == []
        if b"d.d" not in shape:
            assert found_by("_ipv4", text) == []

    @given(
        st.lists(
            st.one_of(
                PIECES,
                st.sampled_from(
                    [" ", "\t", ".", "-", "+", "Anna", "von", "M.", "a", "Z"]
                ),
            ),
            max_size=30,
        ).map("".join)
    )
    def test_capitalised_runs(self, text: str) -> None:
        """No letter or dot, blank and capital: no run (ASCII lines)."""
        if not text.isascii():
            return
        shape = text.encode().translate(_detect._CLASSES)
        if not any(s in shape for s in (b"asA", b"AsA", b".sA")):
            assert _names._NAME_CAND.search(text) is None
            email = [
                Candidate("email", i, i + 1, "x", 90)
                for i, ch in enumerate(text)
                if ch == "@"
            ]
            found, gated = list(email), list(email)
            DETECTOR._names(text, found, found.append)
            DETECTOR._names(text, gated, gated.append, runs=False)
            assert gated == found

    @given(
        st.lists(
            st.one_of(
                PIECES,
                st.sampled_from(
                    [
                        " ", "  ", "\t", "-", "8001", "75002", "Zürich",
                        "Zug", "SW1A", "2AA", "M1", "1AE", "DC", "20500",
                        "Bahnhofstrasse 12, ", "10 Downing Street, London ",
                        "Washington, ", "Austin, TX 78741", "Austin, TX  78741",
                    ]
                ),
            ),
            max_size=30,
        ).map("".join)
    )  # fmt: skip
    def test_postcodes(self, text: str) -> None:
        """No postcode shape: no tail gate hit, no address (ASCII lines)."""
        if not text.isascii():
            return
        shape = text.encode().translate(_detect._CLASSES).decode()
        shapes = ("ddddsAa", "sdAA", "AAsddddd", "AAssddddd")
        if not any(s in shape for s in shapes):
            assert _postal._TAIL_GATE.search(text) is None
            found: list[Candidate] = []
            gated: list[Candidate] = []
            DETECTOR._postal(text, found.append)
            DETECTOR._postal(text, gated.append, tails=False)
            assert gated == found

    def test_every_postal_key_hint_has_a_stem(self) -> None:
        """The stem test before the key hints lets each hint through."""
        for hint, _ in _postal._KEY_HINTS:
            assert _postal.key_hint_stem(hint), hint

    @pytest.mark.parametrize(
        "text",
        [
            'street="Bahnhofstrasse 12"', 'addr="Bahnhofstrasse 12"',
            "zip=8001", "postcode=8001", "postal_code=8001",
            "post_code=8001", "post-code=8001", "plz=8001", "npa=8001",
            "city=Zürich", "town=Zürich", '{"ort": "Zürich"}',
            '{\\"ort\\": \\"Zürich\\"}', "{'ort': 'Zürich'}",
            "x ort=Zürich", "locality=Zürich", "ville=Genève", "citta=Roma",
            'line1="Bahnhofstrasse 12"', 'line_1="Bahnhofstrasse 12"',
        ],
    )  # fmt: skip
    def test_postal_key_hints(self, text: str) -> None:
        """The stems tested before the key hints let every hint through."""
        assert [f.type for f in found_by("_postal", text)] == [
            "postal_address"
        ]

    @given(LINES)
    def test_capitals(self, text: str) -> None:
        if text.lower() == text and text.isascii():
            assert found_by("_ibans", text) == []
            email = [
                Candidate("email", i, i + 1, "x", 90)
                for i, ch in enumerate(text)
                if ch == "@"
            ]
            found = list(email)
            DETECTOR._names(text, found, found.append)
            assert found == email

    @given(
        st.lists(
            st.one_of(PIECES, st.text("aZ0_-.", max_size=40)), max_size=12
        ).map("".join)
    )
    def test_tokens(self, text: str) -> None:
        if _SHAPE_HINT.search(text) is None:
            assert _TOKEN_SHAPES.search(text) is None
        if _CHECKSUM_HINT.search(text) is None:
            assert _CHECKSUM_TOKEN.search(text) is None

    @pytest.mark.parametrize(
        "prefix",
        [
            "sk_live_", "rk_test_", "pk_live_", "whsec_", "ghp_", "gho_",
            "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "xoxa-",
            "xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxr-", "AKIA", "ASIA",
            "AIza", "ya29.", "npm_", "pypi-", "hf_", "shpat_", "shpss_",
            "shpca_", "shppa_", "pat_", "dp_", "dpa_", "api_", "key_",
            "tok_", "secret_", "token_",
        ],
    )  # fmt: skip
    def test_token_hint_of_each_shape(self, prefix: str) -> None:
        """Each token shape's prefix holds a hint."""
        # bodies of the lengths the shapes ask for: 16, 32 (hex), 35, 36, 52
        bodies = ("A1B2" * 4, "0a1b" * 8, "a1B2" * 8 + "c1d", "a1B2" * 9)
        tokens = [prefix + body for body in (*bodies, "a1B2" * 13)]
        token = next(t for t in tokens if _TOKEN_SHAPES.fullmatch(t))
        assert _SHAPE_HINT.search(token) is not None

    @given(LINES, st.integers(0, 80), st.integers(0, 80))
    def test_phone_words(self, text: str, i: int, j: int) -> None:
        """No phone word in the line: no phone context in any part of it."""
        if not phone_words(text):
            assert _PHONE_CONTEXT.search(text[i:j]) is None

    @given(PHONE_LINES)
    def test_phone_shapes(self, text: str) -> None:
        """No phone word and no shape of a kept phone: no phone."""
        if not text.isascii():
            return  # scan() does not ask: \d is any script's digit
        shape = text.encode().translate(_detect._CLASSES).decode()
        if not may_hold_phone(text, shape):
            assert found_by("_phones", text) == []

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            (
                "2024-10-28 07:27:20,206 ERROR 10.237.193.59 took 19952ms",
                False,
            ),
            ("[07/Dec/2026:10:12:14.655] 10/0/30/69/109 200 2750 - -", False),
            ("id 5713409906fe2 at 21:39:29.711154 2026] 1749574324", False),
            ("from 0041 44 668 18 00", True),
            ("from +41 44 668 18 00", True),
            ("from (044) 668 18 00", True),
            ("from 044/668.18.00", True),
            ("from (212) 555-0147", True),
            ("from 212.555.0147", True),
            ("from 2125550147 ext. 12", True),
            ("from (2125550147", True),
            ("the mobile 7 66 81 800", True),
        ],
    )
    def test_phone_shape_examples(self, text: str, expected: bool) -> None:
        shape = text.encode().translate(_detect._CLASSES).decode()
        assert may_hold_phone(text, shape) is expected

    def test_numbers_with_a_unit_are_no_phones(self) -> None:
        """The unit test runs after the prefix and context tests."""
        p = Pseudonymiser(key=KEY)
        for text in (
            "phone sync took 1234567 ms",
            "read 0441234567 bytes",
            "call queue holds 98765432 messages",
        ):
            assert p.findings(text) == [], text

    def test_memo_of_name_tokens_is_bounded(self) -> None:
        """The memo of name tokens is emptied when full."""
        memo = _names._TOKENS_OK
        saved = dict(memo)
        try:
            memo.clear()
            memo.update({((str(i),), False): 0 for i in range(4096)})
            assert _names._name_tokens_ok(["Anna", "Meier"], single=False) == 2
            assert len(memo) == 1
        finally:
            memo.clear()
            memo.update(saved)

    def test_gated_lines_still_found(self) -> None:
        """Lines right at each gate's edge."""
        p = Pseudonymiser(key=KEY)
        types = [
            f.type
            for text in (
                "card 4111 1111 1111 1111",
                "call +41 44 668 18 00",
                "from 203.0.113.7",
                "IBAN CH93 0076 2011 6238 5295 7",
                "Dear Anna Meier",
                "key AKIAIOSFODNN7EXAMPLE",
                "tok ghp_" + "a1" * 18,
                "from \u0661\u0660.\u0662.\u0663.\u0664 port 22",  # any digits
                "user anna@example.ch from 10.1.2.3",  # no capital letter
            )
            for f in p.findings(text)
        ]
        assert types == [
            "payment_card",
            "phone",
            "ip",
            "iban",
            "person_name",
            "api_key",
            "api_key",
            "ip",
            "email",
            "ip",
        ]


EMAIL_PIECES = st.sampled_from(
    [
        "@", "%40", "%2B", "%2b", "\\u0040", "&#64;", "&#x40;", "&#", "%",
        "user3", "a.b", "+tag", "-", ".", "_", "x", "é", " ", "<", "id=",
        "example.com", "mail.example.ch", "xn--bcher-kva.ch", "://", ":",
        "Message-ID: ", "\\", "1",
    ]
)  # fmt: skip
EMAIL_LINES = st.one_of(
    LINES, st.lists(EMAIL_PIECES, max_size=30).map("".join)
)
# The email pass as it was: AT_SIGN's matches, the local part matched
# backwards on the reversed text.
PLAIN_LOCAL_REV = re.compile(r"(?:[bB]2%|[\w.+\-])+")


class TestEmailFastPaths:
    @given(EMAIL_LINES)
    def test_at_signs_are_the_matches(self, text: str) -> None:
        assert _addresses.at_signs(text) == [
            m.span() for m in _addresses.AT_SIGN.finditer(text)
        ]

    @given(EMAIL_LINES, st.integers(0, 80))
    def test_local_run_is_the_backward_match(self, text: str, a: int) -> None:
        """Without "%" in ASCII text, the run of local characters."""
        window = text[max(0, a - 64) : a]
        if not window.isascii() or "%" in window:
            return
        m = PLAIN_LOCAL_REV.match(window[::-1])
        run = len(window) - len(window.rstrip(_addresses._LOCAL_CHARS))
        assert run == (0 if m is None else m.end())


SPANS = st.tuples(st.integers(0, 20), st.integers(0, 20)).map(sorted)


class TestResolve:
    @given(SPANS, SPANS, st.integers(50, 100), st.integers(50, 100))
    def test_two_candidates(
        self, a: list[int], b: list[int], pa: int, pb: int
    ) -> None:
        """Two candidates resolve as any number do."""
        found = [
            Candidate("ip", a[0], a[1], "a", pa),
            Candidate("email", b[0], b[1], "b", pb),
        ]
        assert _detect._resolve(list(found)) == _detect._resolve_any(
            list(found)
        )


# The stems of version words as a regex, as the IPv4 pass searched them.
PLAIN_VERSION_STEMS = re.compile(
    "ver|grad|updat|install|bump|releas|firmware|package|rollback"
)
STEM_PIECES = st.sampled_from(
    [
        "ver", "ve", "grad", "gra", "updat", "upda", "install", "instal",
        "bump", "bum", "releas", "relea", "firmware", "firmwar", "package",
        "packag", "rollback", "rollbac", " ", "x", "1.2.3.4", "\u017f",
    ]
)  # fmt: skip


class TestVersionStems:
    @given(st.one_of(LINES, st.lists(STEM_PIECES, max_size=12).map("".join)))
    def test_stems_equal_the_regex(self, text: str) -> None:
        low = text.lower()
        assert _addresses.version_stem(low) == (
            PLAIN_VERSION_STEMS.search(low) is not None
        )


class TestApply:
    def test_memoised_pseudonyms_equal_fresh_ones(self) -> None:
        """_apply's inline memo look-up gives what _pseudonym computes."""
        p = Pseudonymiser(key=KEY)
        text = "user user3@example.com logged in from 203.0.113.3"
        fresh = p.pseudonymise(text)  # memo misses
        assert p.pseudonymise(text) == fresh  # memo hits
        p._memo.clear()
        assert p.pseudonymise(text) == fresh
        assert fresh == (
            f"user {p.pseudonym('email', 'user3@example.com')} logged in "
            f"from {p.pseudonym('ip', '203.0.113.3')}"
        )

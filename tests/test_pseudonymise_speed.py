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
    _findings,
    _names,
    _numbers,
    _postal,
    _secrets,
)
from dataprotect.pseudonymise._addresses import _IPV6, _QUAD, _octet_ok
from dataprotect.pseudonymise._detect import Candidate, Detector
from dataprotect.pseudonymise._findings import ascii_twin, is_masked
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
    _TOKEN_SHAPES,
    _key_starts,
    _named,
    named_fields,
    other_hint,
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
# Every separator's key, backwards, in one scan (what the scans of
# _secrets._KEY_REV_BY_SEP find together).
PLAIN_KEY_REV = re.compile(r"[=:](?=\D)[ \t]*[\"']?\\?(?P<key>[\w.\-]*)")


def key_fields(text: str) -> list[re.Match[str]]:
    """The _KEY_SEP match at each key start of _key_starts (the fields
    that named_fields keeps the named ones of)."""
    return [
        km
        for start, _ in _key_starts(text, text[::-1])
        if (km := _KEY_SEP.match(text, start)) is not None
    ]


PLAIN_IPV6 = re.compile(
    r"(?<![\w:.])(?=[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:)[0-9A-Fa-f:.]{2,60}"
    r"(?![\w])"
)

# The hint of a token shape as one regex, as the pass searched it.
PLAIN_SHAPE_HINT = re.compile(
    r"_(?:(?<=sk_)|(?<=rk_)|(?<=pk_)|(?<=whsec_)|(?<=gh[pousr]_)|(?<=npm_)"
    r"|(?<=hf_)|(?<=sh(?:pat|pss|pca|ppa)_)|(?<=pat_)|(?<=dp_)"
    r"|(?<=dp[a-z]_)|(?<=api_)|(?<=key_)|(?<=tok_)|(?<=secret_)|(?<=token_))"
    r"|-(?:(?<=glpat-)|(?<=pypi-)|(?<=xox[abposr]-))"
    r"|A(?:KIA|SIA|Iza)|ya29\.|SG\."
)


def shape_hint(text: str) -> bool:
    """The hint of a token shape as the pass tests it."""
    return _secrets._UNDERSCORE_HINT.search(text) is not None or other_hint(
        text
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


def postal_found(text: str) -> list[Candidate]:
    found: list[Candidate] = []
    DETECTOR._postal(text, text.lower(), found.append)
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

    @given(LINES)
    def test_learnt_unnamed_keys_change_no_field(self, text: str) -> None:
        """The keys learnt as naming nothing drop only such keys.

        The second look at a line finds every key of it learnt (the gate
        that skips the line, or each known key, is taken).
        """
        plain = [
            (km.span(), named)
            for km in key_fields(text)
            if (named := _named(km.group("key"))) is not None
        ]
        for _ in range(2):
            assert [
                (km.span(), named) for km, named in named_fields(text)
            ] == plain
        for raw in _secrets._UNNAMED_REV:
            assert _named(raw[::-1].lstrip("-")) is None, raw

    @given(LINES)
    def test_one_scan_per_separator_finds_the_scan_of_both(
        self, text: str
    ) -> None:
        """Each separator's own scan finds what one scan of both finds."""
        plain = [
            (m.span(), m.group("key")) for m in PLAIN_KEY_REV.finditer(text)
        ]
        split = [
            (m.span(), m.group("key"))
            for rx in _secrets._KEY_REV_BY_SEP
            for m in rx.finditer(text)
        ]
        assert sorted(split) == plain

    def test_learnt_unnamed_keys_are_bounded(self) -> None:
        """The set of keys that name nothing stops growing when full."""
        learnt = _secrets._UNNAMED_REV
        saved = set(learnt)
        try:
            learnt.clear()
            learnt.update(f"{i}x" for i in range(4096))
            text = "--Level=1 password=x"
            assert [k for _, (k, _) in named_fields(text)] == ["password"]
            assert len(learnt) == 4096
            assert "leveL--" not in learnt  # (as the reversed scan sees it)
        finally:
            learnt.clear()
            learnt.update(saved)

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


# Lines full of runs of capitalised words and near misses.
NAME_LINES = st.lists(
    st.one_of(
        PIECES,
        st.sampled_from(
            [
                " ", "\t", "Anna", "Max", "Muster", "von", "Arx", "de la ",
                "WARN ", "Versicherter ", "Dear ", "Mac OS X", "Windows NT",
                "Dr. ", "MEIER", "Marie-Claire", "O'Brien", "Kunde: ",
                "Service", "J.", "Jr.", "St.-", "'", ".", "-", "@", "_", "4",
            ]
        ),
    ),
    max_size=30,
).map("".join)  # fmt: skip

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
    (_names._NAME_RUN, _names._NAME_RUN_ASCII),
    (_postal._TAIL_GATE, _postal._TAIL_GATE_ASCII),
    *zip(
        _secrets._KEY_REV_BY_SEP, _secrets._KEY_REV_BY_SEP_ASCII, strict=True
    ),
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

    @given(NAME_LINES)
    def test_name_twin_finds_the_same(self, text: str) -> None:
        """The name regexes' twins (one with a guard) on name-like lines."""
        if not text.isascii():
            return
        for plain, twin in (
            (_names._NAME_CAND, _names._NAME_CAND_ASCII),
            (_names._NAME_RUN, _names._NAME_RUN_ASCII),
        ):
            assert [m.span() for m in twin.finditer(text)] == [
                m.span() for m in plain.finditer(text)
            ]
            for i in range(len(text)):  # _NAME_RUN is matched at a value
                a, b = plain.match(text, i), twin.match(text, i)
                assert (a and a.span()) == (b and b.span())

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
                    [
                        " ",
                        "\t",
                        ".",
                        "-",
                        "+",
                        "Anna",
                        "von",
                        "M.",
                        "a",
                        "Z",
                        "7",
                        "'",
                        "O'Brien",
                        "Dear ",
                        "42 ",
                        "Anna Meier",
                    ]
                ),
            ),
            max_size=30,
        ).map("".join)
    )
    def test_capitalised_runs(self, text: str) -> None:
        """No letter or dot, blank and capital: no run (ASCII lines).

        With one, the runs lie in the window between the digits around
        the blanks before capitals.
        """
        if not text.isascii():
            return
        shape = text.encode().translate(_detect._CLASSES)
        runs = None
        if not any(s in shape for s in (b"asA", b"AsA", b".sA")):
            assert _names._NAME_CAND.search(text) is None
        else:
            # the window of the runs: the same runs
            runs = _names.run_window(shape.decode())
            assert [m.span() for m in _names._NAME_CAND.finditer(text)] == [
                m.span() for m in _names._NAME_CAND.finditer(text, *runs)
            ]
        email = [
            Candidate("email", i, i + 1, "x", 90)
            for i, ch in enumerate(text)
            if ch == "@"
        ]
        found, gated = list(email), list(email)
        DETECTOR._names(text, found, found.append)
        DETECTOR._names(text, gated, gated.append, runs=runs)
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
            DETECTOR._postal(text, text.lower(), found.append)
            DETECTOR._postal(text, text.lower(), gated.append, tails=False)
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
        assert [f.type for f in postal_found(text)] == ["postal_address"]

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
        if not shape_hint(text):
            assert _TOKEN_SHAPES.search(text) is None
        either = _secrets._EITHER_HINT.search(text) is not None
        assert either == (
            _secrets._UNDERSCORE_HINT.search(text) is not None
            or _CHECKSUM_HINT.search(text) is not None
        )
        if _CHECKSUM_HINT.search(text) is None:
            assert _CHECKSUM_TOKEN.search(text) is None

    @given(
        st.lists(
            st.one_of(
                PIECES,
                st.text("aZ0_-.AKISzy29G", max_size=12),
                st.sampled_from(["xox", "xoxq-", "xoxr-", "pypi-", "glpat"]),
            ),
            max_size=12,
        ).map("".join)
    )
    def test_token_hint_equals_the_one_regex(self, text: str) -> None:
        """The hint searched per first character finds what one regex does."""
        assert shape_hint(text) == (PLAIN_SHAPE_HINT.search(text) is not None)

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
        assert shape_hint(token)

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

    @given(NAME_LINES)
    def test_run_starts_are_the_words_tried(self, text: str) -> None:
        """The memoised starts of a run are the words the pass tried.

        The pass tried each word of a run but the last, inside the run
        only after a trigger word, and took nothing where no leading
        words formed a name.
        """
        for m in _names._NAME_CAND.finditer(text):
            words = list(_names._WORD.finditer(m.group(0)))
            plain = []
            for j in range(len(words) - 1):
                previous = words[j - 1].group(0).lower().rstrip(":=,")
                if j and previous not in _names._CAPITAL_TRIGGERS:
                    continue
                tokens = [w.group(0) for w in words[j:]]
                n = _names._name_tokens_ok(tokens, single=False)
                if n:
                    plain.append((words[j].start(), tuple(tokens), n))
            for _ in range(2):  # computed, then memoised
                assert _names.run_starts(m.group(0)) == tuple(plain)

    def test_memo_of_run_starts_is_bounded(self) -> None:
        """The memo of run starts is emptied when full."""
        memo = _names._RUN_STARTS
        saved = dict(memo)
        try:
            memo.clear()
            memo.update({str(i): () for i in range(4096)})
            assert _names.run_starts("Anna Meier") == (
                (0, ("Anna", "Meier"), 2),
            )
            assert len(memo) == 1
        finally:
            memo.clear()
            memo.update(saved)

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


MASKED_WORDS = st.sampled_from(
    [
        "", "NULL", "None", "nil", "Undefined", "TRUE", "false", "n/a", "NA",
        "empty", "REDACTED", "Filtered", "hidden", "secure", "masked",
        "removed", "omitted", "your_key", "YOUR-TOKEN", "\u017fecure", "\u017f",
        "\u212a", "•••", "***", "xxx", "X", "#", "...", "-", "_", "[x]",
        "<x>", "(x)", "{{x}}", "$TOKEN", "${TOKEN}", "%s", "%d", "{}", "?",
        "hunter2", "Anna", "1a2b", "Bearer", "é",
    ]
)  # fmt: skip


class TestMasked:
    @given(st.from_regex(_findings._PLACEHOLDER, fullmatch=True))
    def test_placeholders_are_masked(self, value: str) -> None:
        """_field's test for masked values covers our placeholders."""
        assert is_masked(value)

    @given(
        st.one_of(
            st.text(max_size=12),
            st.lists(MASKED_WORDS, max_size=3).map("".join),
            st.from_regex(_findings._MASKED_VALUE, fullmatch=True),
        )
    )
    def test_first_character_rules_out_the_same(self, value: str) -> None:
        """Values whose first character rules them out are not masked."""
        if value:
            assert _secrets._masked(value) == is_masked(value)


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


# The stems of the postal key hints as key_hint_stem tested them, one by one.
PLAIN_KEY_HINT_STEMS = (
    "addr", "cit", "zip", "posta", "postc", "post_", "post-", "street",
    "town", "plz", "npa", '"ort', "'ort'", " ort=", "locality", "ville",
    "line1", "line_1",
)  # fmt: skip
POSTAL_PIECES = st.sampled_from(
    [
        *PLAIN_KEY_HINT_STEMS, "post", "ort", "line", "z", "pl", "ci",
        " ", ", ", "  ", "\t", "-", ".", "'", "\u2019", "#", "/", "=", ":",
        "1", "12", "8001", "75002", "20500", "\u0663", "5a", "Apt 5",
        "Suite 330", "Fifth Floor", "Flat 38", "#4", "Bahnhofstrasse",
        "Hauptstr.", "Am Markt", "Berliner Allee", "Via Roma", "rue",
        "Rue du Rh\u00f4ne", "avenue", "bis", "de la", "Paix", "chemin",
        "des Vignes", "Downing Street", "Pennsylvania Ave NW", "Oak Cove",
        "London SW1A 2AA", "M1 1AE", "Washington, DC 20500", "Austin, TX",
        "New York, NY 10118", "350 Broadway", "Z\u00fcrich", "CH-",
        "St. Gallen", "l'", "d'", "\u00c9glise", "\u00c4", "x", "Xy",
        "anna", "user_1", "İ",
    ]
)  # fmt: skip
# Streets of each branch of _ADDRESS, small street words of every first
# letter, flat numbers, elided articles; and what may end an address.
STREET_EXAMPLES = (
        "Bahnhofstrasse 12", "Hauptstr. 5a", "Am Markt 3", "An der Alster 1",
        "Berliner Allee 5", "Via Roma 10", "via Roma 10", "rue du Rh\u00f4ne 5",
        "12 rue de la Paix", "8 bis avenue Jean", "av. Foch 2",
        "boulevard Voltaire 1", "bd Voltaire 1", "chemin des Vignes",
        "ch. des Pins 3", "place Vend\u00f4me 1", "all\u00e9e des Roses",
        "impasse Bel 2", "quai d'Orsay 37", "route de Lyon 4", "rte de Lyon 4",
        "cours Mirabeau 9", "passage Choiseul 4", "sentier Vert 2",
        "viale Monza 7", "piazza Duomo 1", "piazzale Loreto 2", "corso Como 3",
        "largo Augusto 3", "vicolo Stretto 2", "strada Nuova 5",
        "contrada Alta 3", "lungomare Sud 8", "10 Downing Street",
        "1600 Pennsylvania Ave NW", "12 Oak Cove Apt. 5", "#4, 12 Oak Cove",
        "Apt 5 12 Main Street", "Suite 330, 9 Elm Road", "Flat 38, Johnson Fall",
        "Fifth Floor, 2 Kings Road", "350 Broadway", "l'\u00c9glise 2",
        "\u0663\u0664 Main Street", "12 Main Street", "\u00d6sterstrasse 5",
)  # fmt: skip
TAIL_EXAMPLES = (
        "8001 Z\u00fcrich", "CH-8001 Z\u00fcrich", "75002 Paris",
        "00184 Roma", "London SW1A 2AA", "M1 1AE", "Washington, DC 20500",
        "New York, NY 10118", "St. Gallen", "9000 St. Gallen", "l'Orient, TX 78741",
        "d'Arc, NY 10118", "Austin, TX  78741",
)  # fmt: skip
ADDRESS_PREFIXES = ("", " ", "x", "_", "-", "1", ".", "at ", "(", "A")
ADDRESS_LINES = st.tuples(
    st.sampled_from(ADDRESS_PREFIXES),
    st.sampled_from(STREET_EXAMPLES),
    st.sampled_from(["", " ", ", ", ",  "]),
    st.sampled_from(TAIL_EXAMPLES),
    st.sampled_from(["", " ", ".", "x", "1"]),
).map("".join)
POSTAL_LINES = st.one_of(
    LINES,
    st.lists(POSTAL_PIECES, max_size=30).map("".join),
    ADDRESS_LINES,
    st.lists(st.one_of(ADDRESS_LINES, POSTAL_PIECES), max_size=4).map("".join),
)
# _ADDRESS without the test of where an address may start.
PLAIN_ADDRESS = re.compile(
    _postal._ADDRESS.pattern.removeprefix(_postal._ADDRESS_START + "(?:")[:-1]
)
ADDRESS_START = re.compile(_postal._ADDRESS_START)


class TestPostalFastPaths:
    def test_plain_address_is_the_address_regex(self) -> None:
        assert _postal._ADDRESS.pattern == (
            f"{_postal._ADDRESS_START}(?:{PLAIN_ADDRESS.pattern})"
        )

    @staticmethod
    def check_address_start(text: str) -> None:
        """Where an address starts, _ADDRESS_START holds: same matches."""
        for pos in range(len(text)):
            if PLAIN_ADDRESS.match(text, pos) is not None:
                assert ADDRESS_START.match(text, pos) is not None, text[pos:]
        assert [m.span() for m in _postal._ADDRESS.finditer(text)] == [
            m.span() for m in PLAIN_ADDRESS.finditer(text)
        ]

    @given(POSTAL_LINES)
    def test_address_start_is_necessary(self, text: str) -> None:
        self.check_address_start(text)

    def test_address_start_of_every_example(self) -> None:
        for street in STREET_EXAMPLES:
            for tail in TAIL_EXAMPLES:
                for prefix in ADDRESS_PREFIXES:
                    self.check_address_start(f"{prefix}{street}, {tail}")

    @given(POSTAL_LINES)
    def test_key_hint_stems_equal_the_plain_chain(self, text: str) -> None:
        low = text.lower()
        assert _postal.key_hint_stem(low) == any(
            stem in low for stem in PLAIN_KEY_HINT_STEMS
        )

    @given(POSTAL_LINES)
    def test_no_postcode_without_a_capital(self, text: str) -> None:
        """_postal looks for postcodes in lines without a capital too."""
        if text.isascii() and text.lower() == text:
            assert _postal._TAIL_GATE.search(text) is None


IP_PIECES = st.sampled_from(
    [
        "203.0.113.9", "1.2.3", "10.0.0.1", "256.1.1.1", "01.2.3.4", "127.0.0.1",
        "0.1.2.3", ".", "..", "1", "12", "123", "1234", "v", "_", "-", "x",
        "a", "A", " ", ":", "/", "\u0661", "2024-12-07 12:30:05.123",
        "version ", " port 22", ":8080", "release", "198.51.100.254",
        "255.255.255.255", "1.22.3.4", "9.9.9.99",
    ]
)  # fmt: skip
IP_LINES = st.one_of(LINES, st.lists(IP_PIECES, max_size=30).map("".join))


class TestAddressFastPaths:
    @given(IP_LINES)
    def test_quad_shape_is_necessary(self, text: str) -> None:
        """No dotted quad in the shape: no IPv4; else none before it."""
        if not text.isascii():
            return
        shape = text.encode().translate(_detect._CLASSES).decode()
        quad = _detect._QUAD_SHAPE.search(shape)
        plain = found_by("_ipv4", text)
        if quad is None:
            assert _addresses._IPV4_ASCII.search(text) is None
            assert plain == []
            return
        begin = max(0, quad.start() - 3)
        assert [m.span() for m in _addresses._IPV4.finditer(text, begin)] == [
            m.span() for m in _addresses._IPV4.finditer(text)
        ]
        fast: list[Candidate] = []
        DETECTOR._ipv4(text, fast.append, begin)
        assert fast == plain

    @given(EMAIL_LINES)
    def test_encoded_at_equals_the_plain_test(self, text: str) -> None:
        assert _addresses.encoded_at(text) == (
            "%40" in text or "\\u0040" in text or "&#" in text
        )

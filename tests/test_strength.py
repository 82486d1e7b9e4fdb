"""Tests for dataprotect.strength: NIST SP 800-63B rules, bounded zxcvbn,
locales, the offline breached-password list and the CLI."""

from __future__ import annotations

import ast
import hashlib
import inspect
import json
import os
import pty
import random
import string
import subprocess
import sys
import tempfile
import threading

from concurrent.futures import ThreadPoolExecutor

import pytest
import zxcvbn as zxcvbn_pkg

from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from zxcvbn import feedback as zxcvbn_feedback

from dataprotect.cli._app import cli
from dataprotect.errors import ConfigurationError, DataProtectError
from dataprotect.strength import (
    ANALYSED_LENGTH,
    DEFAULT_MAX_LENGTH,
    BreachedPasswords,
    PasswordFeedback,
    _zxcvbn,
    check_password,
    check_policy,
    message_text,
)
from dataprotect.strength._messages import LOCALES, MESSAGES, ZXCVBN_IDS


# Any text, including lone surrogates and NUL (st.text() leaves out Cs).
any_text = st.text(st.characters(exclude_categories=()), max_size=200)
LEET = "@$!0123456789|(<[{+%"
ALL_TEXT = " ".join(t for texts in MESSAGES.values() for t in texts)
# Policies outside NIST's bounds.
IMPOSSIBLE_POLICIES = [
    {"min_length": 7},
    {"min_length": 65},
    {"max_length": 63},
    {"min_score": 5},
    {"min_score": -1},
]
STRONG = "plinth rowboat gazebo nectar"


def raw_zxcvbn(password, user_inputs=()):
    return zxcvbn_pkg.zxcvbn(password, user_inputs=list(user_inputs))


class TestRules:
    def test_strong_passphrase_is_acceptable(self):
        """A passphrase of unrelated words passes every rule."""
        fb = check_password(STRONG)
        assert fb.acceptable
        assert fb.violations == []
        assert fb.score == 4
        assert fb.length == len(STRONG)
        assert not fb.truncated

    def test_too_short(self):
        """Fewer code points than the minimum is a violation."""
        fb = check_password("Zq8#vL2")
        assert [v.id for v in fb.violations] == ["too_short"]
        assert fb.violations[0].message == "Use at least 8 characters."
        assert not fb.acceptable

    def test_min_length_configurable(self):
        """A minimum of 15 (NIST rev. 4, single factor) is honoured."""
        password = "Zq8#vL2!rT9@mK"
        assert check_password(password).acceptable
        fb = check_password(password, min_length=15)
        assert [v.id for v in fb.violations] == ["too_short"]
        assert "15" in fb.violations[0].message

    def test_length_counts_code_points_after_nfkc(self):
        """Length is in code points after NFKC normalisation."""
        # U+FB03 (ffi ligature) becomes three letters under NFKC.
        fb = check_password("\ufb03" * 3)
        assert fb.length == 9
        # e + combining acute composes into one code point.
        fb = check_password("e\u0301" * 5)
        assert fb.length == 5

    def test_sixty_four_characters_accepted(self):
        """At least 64 characters are accepted, with no composition rule."""
        password = ("plinth rowboat gazebo nectar " * 3)[:64]
        fb = check_password(password)
        assert fb.violations == []
        assert fb.length == 64

    def test_no_composition_rules(self):
        """Lowercase letters and spaces alone can be acceptable."""
        assert check_password("plinth rowboat gazebo nectar").acceptable

    def test_blocklisted(self):
        """A common password (any case) is on the blocklist."""
        for password in ("password", "PassWord", "iloveyou", "trustno1"):
            fb = check_password(password)
            assert "blocklisted" in [v.id for v in fb.violations]
            assert not fb.acceptable

    def test_context(self):
        """A password built from the user name or email is refused."""
        context = ["alice", "alice.smith@example.com"]
        for password in (
            "alice2024!",
            "Alice_Smith99",
            "example.com!!",
            "smith-alice",
        ):
            fb = check_password(password, user_inputs=context)
            assert "context" in [v.id for v in fb.violations], password

    def test_context_words_inside_longer_password_are_allowed(self):
        """Context words among other words are not a rule violation."""
        fb = check_password(
            "alice rowboat gazebo nectar", user_inputs=["alice"]
        )
        assert "context" not in [v.id for v in fb.violations]

    def test_user_inputs_lower_the_score(self):
        """zxcvbn sees the user inputs as a dictionary."""
        plain = check_password("wobblefrotz")
        ctx = check_password("wobblefrotz", user_inputs=["wobblefrotz"])
        assert ctx.guesses_log10 < plain.guesses_log10

    def test_min_score(self):
        """min_score=0 accepts any password that breaks no rule."""
        password = "qwertzuiopasdf"
        assert not check_password(password).acceptable
        assert check_password(password, min_score=0).acceptable

    def test_empty(self):
        """The empty password gives a clear result (raw zxcvbn crashes)."""
        with pytest.raises(IndexError):
            raw_zxcvbn("")
        fb = check_password("")
        assert [v.id for v in fb.violations] == ["too_short"]
        assert fb.score == 0
        assert fb.suggestion_ids == ["use_words", "no_need_symbols"]

    def test_to_dict_is_json(self):
        """to_dict() round-trips through JSON with ids and messages."""
        fb = check_password("password", locale="fr")
        data = json.loads(json.dumps(fb.to_dict()))
        assert data["acceptable"] is False
        assert data["warning"]["id"] == "top10"
        assert data["violations"] == [
            {"id": "blocklisted", "message": MESSAGES["blocklisted"][2]}
        ]
        assert data["locale"] == "fr"
        assert set(data) == {
            "score",
            "acceptable",
            "warning",
            "suggestions",
            "violations",
            "guesses_log10",
            "length",
            "analysed_length",
            "truncated",
            "locale",
        }


class TestBoundedCost:
    def test_long_input_analyses_a_prefix(self):
        """Above ANALYSED_LENGTH only a prefix is scored, and it says so."""
        rnd = random.Random(3)
        password = "".join(rnd.choice(LEET) for _ in range(4096))
        fb = check_password(password)
        assert fb.length == 4096
        assert fb.analysed_length == ANALYSED_LENGTH
        assert fb.truncated
        assert fb.violations == []

    def test_dense_input_scores_a_shorter_prefix(self):
        """Repetitive input (many overlapping matches) scores DENSE_PREFIX."""
        fb = check_password("a" * 4096)
        assert fb.analysed_length == _zxcvbn.DENSE_PREFIX
        assert fb.truncated
        assert fb.score == 0
        assert fb.warning_id == "repeated_chars"

    def test_one_letter_words_score_a_shorter_prefix(self):
        """Many one-character matches ("i") score SINGLES_PREFIX."""
        fb = check_password("i" * 4096)
        assert fb.analysed_length == _zxcvbn.SINGLES_PREFIX
        assert fb.score == 0

    def test_sparse_start_dense_tail_scores_the_prefix(self):
        """A sparse prefix followed by a dense tail is scored on DENSE_PREFIX."""
        password = "Zx" + "#" * 38 + "passwordiloveyouletmein" * 4
        fb = check_password(password)
        assert fb.length == len(password)
        assert fb.analysed_length == _zxcvbn.DENSE_PREFIX
        assert fb.truncated

    def test_above_maximum_is_a_violation(self):
        """Input above max_length is refused without analysis."""
        fb = check_password("a" * (DEFAULT_MAX_LENGTH + 1))
        assert [v.id for v in fb.violations] == ["too_long"]
        assert fb.analysed_length == 0
        assert not fb.acceptable

    def test_megabyte_input(self):
        """A megabyte of input is a too_long result, not an error."""
        fb = check_password("\U0001f600" * (1 << 20))
        assert [v.id for v in fb.violations] == ["too_long"]

    def test_max_length_configurable(self):
        """A larger maximum accepts longer input."""
        fb = check_password("ab" * 3000, max_length=8192)
        assert "too_long" not in [v.id for v in fb.violations]
        assert fb.truncated

    def test_raw_zxcvbn_refuses_long_input(self):
        """Raw zxcvbn raises above 72 characters; check_password does not."""
        with pytest.raises(ValueError):
            raw_zxcvbn("a" * 73)
        assert check_password("a" * 73).length == 73

    def test_l33t_tables_are_capped(self):
        """Many leetspeak symbols do not enumerate thousands of tables."""
        table = zxcvbn_pkg.matching.relevant_l33t_subtable(
            LEET, zxcvbn_pkg.matching.L33T_TABLE
        )
        full = zxcvbn_pkg.matching.enumerate_l33t_subs(table)
        bounded = list(_zxcvbn._l33t_tables(_zxcvbn._bounded_table(table)))
        assert len(full) > 500
        assert 0 < len(bounded) <= _zxcvbn.MAX_L33T_TABLES


class TestMatchesZxcvbn:
    @settings(max_examples=60, deadline=None)
    @given(
        password=st.text(
            string.ascii_letters + string.digits + " -_.!#",
            min_size=1,
            max_size=24,
        ),
        user_inputs=st.lists(
            st.text(string.ascii_lowercase, max_size=8), max_size=2
        ),
    )
    def test_same_result_as_zxcvbn(self, password, user_inputs):
        """For ordinary short input the driver equals raw zxcvbn."""
        raw = raw_zxcvbn(password, user_inputs)
        ours = _zxcvbn.analyse(password, user_inputs)
        assert ours.score == raw["score"]
        assert ours.guesses_log10 == pytest.approx(float(raw["guesses_log10"]))
        assert ours.warning == raw["feedback"]["warning"]
        assert list(ours.suggestions) == raw["feedback"]["suggestions"]

    def test_known_examples(self):
        """Well-known zxcvbn examples keep their scores."""
        for password in (
            "password",
            "Tr0ub4dor&3",
            "correcthorsebatterystaple",
            "qwER43@!",
        ):
            assert (
                _zxcvbn.analyse(password).score
                == raw_zxcvbn(password)["score"]
            )

    def test_every_zxcvbn_message_has_an_id(self):
        """Each feedback sentence in zxcvbn's source maps to a message id."""
        tree = ast.parse(inspect.getsource(zxcvbn_feedback))
        sentences = set()
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "_"
            ):
                arg = node.args[0]
                assert isinstance(arg, ast.Constant)
                sentences.add(arg.value)
        assert sentences
        assert sentences <= set(ZXCVBN_IDS)


class TestLocales:
    def test_every_message_in_every_locale(self):
        """Every message id has a non-empty text in en, de, fr and it."""
        assert LOCALES == ("en", "de", "fr", "it")
        for texts in MESSAGES.values():
            assert len(texts) == 4
            assert all(texts)
            assert len(set(texts)) == 4

    @pytest.mark.parametrize("locale", ["en", "de", "fr", "it"])
    def test_feedback_in_locale(self, locale):
        """Warnings, suggestions and violations come in the locale."""
        fb = check_password("Password", locale=locale)
        index = LOCALES.index(locale)
        assert fb.locale == locale
        assert fb.warning == MESSAGES[fb.warning_id][index]
        for sid, text in zip(fb.suggestion_ids, fb.suggestions, strict=True):
            assert text == MESSAGES[sid][index]
        assert fb.violations[0].message == MESSAGES["blocklisted"][index]

    def test_region_is_ignored(self):
        """de-CH and fr_FR select German and French."""
        assert check_password("x", locale="de-CH").locale == "de"
        assert check_password("x", locale="fr_FR").locale == "fr"

    def test_unknown_locale(self):
        """An unsupported locale is a ConfigurationError."""
        with pytest.raises(ConfigurationError, match="locale"):
            check_password("x", locale="es")

    def test_message_text(self):
        """message_text gives every message in every locale, fields filled."""
        fields = {"min_length": 15, "max_length": 64}
        for message_id, texts in MESSAGES.items():
            for index, locale in enumerate(LOCALES):
                assert message_text(message_id, locale, **fields) == (
                    texts[index].format(**fields)
                )
        german = MESSAGES["too_guessable"][1]
        assert message_text("too_guessable", "de-CH") == german
        assert message_text("dates") == MESSAGES["dates"][0]

    def test_message_text_refuses_unknown_ids_and_locales(self):
        """An unknown id or locale is a ConfigurationError; a non-str id a
        TypeError."""
        with pytest.raises(ConfigurationError, match="message id"):
            message_text("no_such_message")
        with pytest.raises(ConfigurationError, match="locale"):
            message_text("dates", "es")
        with pytest.raises(TypeError, match="message_id"):
            message_text(1)


class TestBadInput:
    @pytest.mark.parametrize("value", [None, b"password", 12345678, ["pw"]])
    def test_non_str_password(self, value):
        """A non-str password raises TypeError."""
        with pytest.raises(TypeError, match="^password must be str$"):
            check_password(value)

    def test_user_inputs_must_not_be_a_str(self):
        """A bare str for user_inputs is a TypeError, not a list of letters."""
        with pytest.raises(TypeError, match="user_inputs"):
            check_password("x", user_inputs="alice")
        with pytest.raises(TypeError):
            check_password("x", user_inputs=[1])

    def test_huge_and_many_user_inputs(self):
        """Megabyte and numerous user inputs are cut, not analysed whole."""
        fb = check_password(
            "x" * 10 + "alice", user_inputs=["alice" * 200_000]
        )
        assert isinstance(fb, PasswordFeedback)
        fb = check_password(
            STRONG, user_inputs=[f"user{i}" for i in range(10_000)]
        )
        assert fb.acceptable

    def test_nul_and_surrogates(self):
        """NUL and lone surrogates are a clear violation, not a crash."""
        for password in ("abcdefgh\x00ijk", "abcdefgh\ud800ijk", "\udfff" * 9):
            fb = check_password(password)
            assert "invalid_character" in [v.id for v in fb.violations]
            assert not fb.acceptable

    @pytest.mark.parametrize("kwargs", IMPOSSIBLE_POLICIES)
    def test_impossible_policy(self, kwargs):
        """A policy outside NIST's bounds is a ConfigurationError."""
        with pytest.raises(ConfigurationError):
            check_password("x", **kwargs)
        assert issubclass(ConfigurationError, DataProtectError)

    @pytest.mark.parametrize("kwargs", IMPOSSIBLE_POLICIES)
    def test_check_policy(self, kwargs):
        """check_policy refuses what check_password refuses, and accepts the
        defaults and NIST's bounds."""
        with pytest.raises(ConfigurationError):
            check_policy(**kwargs)
        check_policy()
        check_policy(min_length=64, max_length=64, min_score=0)


class TestProperties:
    @settings(
        max_examples=150,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(password=any_text, user_inputs=st.lists(any_text, max_size=3))
    def test_never_raises_and_invariants(self, password, user_inputs):
        """Any text gives a result: score 0-4, acceptable => no violations."""
        fb = check_password(password, user_inputs=user_inputs)
        assert isinstance(fb, PasswordFeedback)
        assert 0 <= fb.score <= 4
        assert fb.guesses_log10 >= 0
        if fb.acceptable:
            assert fb.violations == []
            assert fb.score >= 3
        assert fb.analysed_length <= min(fb.length, ANALYSED_LENGTH)
        assert fb.analysed_length in {
            fb.length,
            _zxcvbn.SINGLES_PREFIX,
            _zxcvbn.DENSE_PREFIX,
            ANALYSED_LENGTH,
        }
        assert fb.truncated == (fb.analysed_length < fb.length)

    @settings(max_examples=100, deadline=None)
    @given(
        password=st.text(
            st.characters(exclude_categories=()), min_size=6, max_size=80
        )
    )
    def test_result_never_contains_the_password(self, password):
        """Neither repr, str nor to_dict() contains the password."""
        assume(password not in ALL_TEXT)
        fb = check_password(password)
        assert password not in repr(fb)
        assert password not in str(fb)
        assert password not in json.dumps(fb.to_dict(), ensure_ascii=False)

    @settings(max_examples=60, deadline=None)
    @given(
        word=st.sampled_from(sorted(_zxcvbn.common_passwords())),
        upper=st.lists(st.booleans(), min_size=20, max_size=20),
    )
    def test_blocklisted_never_acceptable(self, word, upper):
        """A blocklisted password, in any case, is never acceptable."""
        password = "".join(
            c.upper() if u else c
            for c, u in zip(word, upper + [False] * len(word), strict=False)
        )
        fb = check_password(password, min_score=0)
        assert not fb.acceptable
        assert "blocklisted" in [v.id for v in fb.violations]

    @settings(max_examples=40, deadline=None)
    @given(password=st.text(min_size=1, max_size=40))
    def test_stricter_policy_never_accepts_more(self, password):
        """Raising min_length or min_score never turns a refusal into acceptance."""
        base = check_password(password)
        stricter = check_password(password, min_length=15, min_score=4)
        assert not (stricter.acceptable and not base.acceptable)
        assert {v.id for v in base.violations} <= {
            v.id for v in stricter.violations
        }

    @settings(max_examples=30, deadline=None)
    @given(
        password=st.text(
            st.characters(exclude_categories=()), min_size=1, max_size=30
        )
    )
    def test_breached_list_only_adds_violations(self, password):
        """A password on the breached list is never acceptable; the list
        only ever adds the breached violation."""
        with tempfile.TemporaryDirectory() as tmp:
            breached = BreachedPasswords.build(tmp, [password])
            plain = check_password(password)
            checked = check_password(password, breached=breached)
        assert not checked.acceptable
        assert [v.id for v in checked.violations if v.id != "breached"] == [
            v.id for v in plain.violations
        ]
        assert "breached" in [v.id for v in checked.violations]


class TestThreadSafety:
    def test_concurrent_equals_sequential(self):
        """Concurrent calls with different user inputs match sequential ones,
        even while raw zxcvbn rewrites its global dictionary."""
        rnd = random.Random(7)
        names = ["alice", "bob", "carol", "dave", "erin", "frank"]
        jobs = []
        for i in range(120):
            name = names[i % len(names)]
            password = rnd.choice(
                [
                    f"{name}{rnd.randrange(100)}",
                    f"{name}smith",
                    "".join(rnd.choices(LEET, k=20)),
                    STRONG,
                ]
            )
            jobs.append((password, (name, f"{name}@example.com")))
        sequential = [
            check_password(p, user_inputs=u).to_dict() for p, u in jobs
        ]

        stop = threading.Event()

        def pollute():
            while not stop.is_set():
                raw_zxcvbn("password", user_inputs=["zzz", "alice", "bob"])

        polluter = threading.Thread(target=pollute)
        polluter.start()
        try:
            with ThreadPoolExecutor(max_workers=8) as pool:
                concurrent = list(
                    pool.map(
                        lambda job: check_password(
                            job[0], user_inputs=job[1]
                        ).to_dict(),
                        jobs,
                    )
                )
        finally:
            stop.set()
            polluter.join()
        assert concurrent == sequential

    def test_no_global_state_written(self):
        """check_password leaves zxcvbn's global dictionaries untouched."""
        zxcvbn_pkg.matching.RANKED_DICTIONARIES.pop("user_inputs", None)
        before = dict(zxcvbn_pkg.matching.RANKED_DICTIONARIES)
        check_password("alice2024", user_inputs=["alice"])
        assert before == zxcvbn_pkg.matching.RANKED_DICTIONARIES


def sha1(password):
    return hashlib.sha1(password.encode()).hexdigest().upper()


@pytest.fixture(name="breached_dir")
def _breached_dir(tmp_path):
    return BreachedPasswords.build(
        tmp_path / "ranges",
        ["Summer2019!", ("hunter2hunter2", 42), "Zq8#vL2!rT9@mK"],
    )


@pytest.fixture(name="sorted_file")
def _sorted_file(tmp_path):
    rnd = random.Random(11)
    lines = [
        f"{rnd.getrandbits(160):040X}:{rnd.randrange(1, 99)}"
        for _ in range(3000)
    ]
    lines += [f"{sha1('Summer2019!')}:7", f"{sha1('Zq8#vL2!rT9@mK')}:1"]
    path = tmp_path / "pwned-passwords-sha1-ordered-by-hash.txt"
    path.write_text("\r\n".join(sorted(lines)) + "\r\n", encoding="ascii")
    return path


class TestBreachedPasswords:
    def test_range_directory(self, breached_dir):
        """Range files in HIBP's format are found by SHA-1 prefix."""
        assert breached_dir.count("hunter2hunter2") == 42
        assert "Summer2019!" in breached_dir
        assert "Summer2019?" not in breached_dir
        digest = sha1("Summer2019!")
        assert (digest[5:], 1) in breached_dir.range(digest[:5].lower())
        assert breached_dir.range("00000") == []

    def test_range_file_format(self, breached_dir, tmp_path):
        """Each range file holds SUFFIX:COUNT lines like HIBP's API."""
        digest = sha1("hunter2hunter2")
        body = (
            (tmp_path / "ranges" / f"{digest[:5]}.txt").read_bytes().decode()
        )
        assert f"{digest[5:]}:42\r\n" in body

    def test_sorted_single_file(self, sorted_file):
        """A sorted SHA1:COUNT file is searched by bisection."""
        breached = BreachedPasswords(sorted_file)
        assert breached.count("Summer2019!") == 7
        assert "Zq8#vL2!rT9@mK" in breached
        assert "not in the list at all" not in breached
        lines = sorted_file.read_text().split()
        for line in random.Random(5).sample(lines, 50):
            digest, count = line.split(":")
            assert (digest[5:], int(count)) in breached.range(digest[:5])
        first = min(lines)[:5]
        last = max(lines)[:5]
        assert breached.range(first)
        assert breached.range(last)

    def test_suffixes_compared_in_constant_time(
        self, breached_dir, monkeypatch
    ):
        """count() compares digest suffixes with hmac.compare_digest only."""
        import hmac

        calls = []
        real = hmac.compare_digest

        def spy(a, b):
            calls.append((a, b))
            return real(a, b)

        monkeypatch.setattr(hmac, "compare_digest", spy)
        assert breached_dir.count("hunter2hunter2") == 42
        assert (sha1("hunter2hunter2")[5:].encode(),) * 2 in calls

    def test_sorted_file_with_trailing_blank_lines(self, tmp_path):
        """Blank lines at the end of a sorted file are skipped."""
        wanted = sha1("Summer2019!")
        path = tmp_path / "sorted.txt"
        path.write_text(
            f"{'0' * 40}:1\n{wanted}:3\n\n\r\n\n", encoding="ascii"
        )
        breached = BreachedPasswords(path)
        assert breached.count("Summer2019!") == 3
        assert breached.range(wanted[:5]) == [(wanted[5:], 3)]
        assert breached.range("FFFFF") == []

    def test_sorted_file_with_blank_lines(self, tmp_path):
        """Blank lines anywhere in a sorted file are skipped, not misread."""
        wanted = sha1("Summer2019!")
        lines = sorted(
            [wanted]
            + [f"{n:05X}" + "0" * 35 for n in range(0, 0x100000, 0x8000)]
        )
        path = tmp_path / "sorted.txt"
        path.write_text(
            "".join(f"{line}:3\r\n\r\n\r\n" for line in lines),
            encoding="ascii",
        )
        breached = BreachedPasswords(path)
        assert breached.count("Summer2019!") == 3
        for line in lines:
            assert breached.range(line[:5]) == [(line[5:], 3)]
        assert "Summer2019?" not in breached

    def test_sorted_file_with_short_digest(self, tmp_path):
        """A line in a sorted file whose hash is not 40 hex digits is malformed."""
        digest = sha1("Summer2019!")
        path = tmp_path / "sorted.txt"
        path.write_text(f"{digest[:30]}:3\n", encoding="ascii")
        with pytest.raises(ConfigurationError, match="malformed line"):
            BreachedPasswords(path).count("Summer2019!")

    def test_range_with_other_suffixes(self, tmp_path):
        """Only the exact suffix counts; neighbours in its range and blank lines do not."""
        digest = sha1("Summer2019!")
        (tmp_path / "r").mkdir()
        (tmp_path / "r" / f"{digest[:5]}.txt").write_text(
            f"{'0' * 35}:99\r\n\r\n{digest[5:].lower()}:7\r\n{'F' * 35}:98\r\n"
        )
        breached = BreachedPasswords(tmp_path / "r")
        assert breached.count("Summer2019!") == 7
        assert len(breached.range(digest[:5])) == 3

    def test_min_count(self, breached_dir, tmp_path):
        """min_count ignores passwords seen fewer times."""
        strict = BreachedPasswords(tmp_path / "ranges", min_count=10)
        assert "hunter2hunter2" in strict
        assert "Summer2019!" not in strict
        with pytest.raises(ConfigurationError):
            BreachedPasswords(tmp_path / "ranges", min_count=0)

    def test_check_password_uses_it(self, breached_dir):
        """A breached password is a violation, even if otherwise strong."""
        assert check_password("Zq8#vL2!rT9@mK").acceptable
        fb = check_password("Zq8#vL2!rT9@mK", breached=breached_dir)
        assert [v.id for v in fb.violations] == ["breached"]
        assert not fb.acceptable

    def test_errors(self, tmp_path):
        """Missing paths, bad prefixes and malformed lines are clear errors."""
        with pytest.raises(ConfigurationError):
            BreachedPasswords(tmp_path / "missing")
        (tmp_path / "r").mkdir()
        (tmp_path / "r" / "ABCDE.txt").write_text("not a line\n")
        breached = BreachedPasswords(tmp_path / "r")
        with pytest.raises(ConfigurationError, match="malformed"):
            breached.range("abcde")
        with pytest.raises(ConfigurationError, match="five hex"):
            breached.range("xyz")
        with pytest.raises(TypeError):
            breached.count(b"password")
        assert b"password" not in breached
        assert "password" not in repr(breached)


class TestCLI:
    def test_stdin_acceptable(self):
        """A strong password from stdin exits 0."""
        result = CliRunner().invoke(
            cli, ["check-password"], input=STRONG + "\n"
        )
        assert result.exit_code == 0, result.output
        assert "acceptable" in result.output
        assert STRONG not in result.output

    def test_prompt_on_a_terminal(self):
        """On a terminal the password is prompted for, never echoed."""
        master, slave = pty.openpty()
        try:
            os.write(master, STRONG.encode() + b"\n")
            with open(slave, "rb", buffering=0, closefd=False) as stdin:
                result = CliRunner().invoke(
                    cli, ["check-password"], input=stdin
                )
        finally:
            os.close(master)
            os.close(slave)
        assert result.exit_code == 0, result.output
        assert "acceptable" in result.output
        assert STRONG not in result.output

    def test_long_input_says_what_was_analysed(self):
        """For a long password the output says how much was analysed."""
        password = "Zx" + "#" * 38 + "passwordiloveyouletmein" * 4
        result = CliRunner().invoke(
            cli, ["check-password"], input=password + "\n"
        )
        assert "(strength estimated from the first 40 characters)" in (
            result.output
        )
        assert password not in result.output

    def test_not_acceptable_exits_1(self):
        """A blocklisted password exits 1 and names the rule."""
        result = CliRunner().invoke(
            cli, ["check-password", "--locale", "de"], input="password\n"
        )
        assert result.exit_code == 1
        assert MESSAGES["blocklisted"][1] in result.output

    def test_json_and_user_input(self, tmp_path):
        """--json prints to_dict(); --user-input adds context."""
        pw = tmp_path / "pw"
        pw.write_text("alice2024!\n")
        result = CliRunner().invoke(
            cli,
            [
                "check-password",
                "--json",
                "--password-file",
                str(pw),
                "--user-input",
                "alice",
            ],
        )
        assert result.exit_code == 1
        data = json.loads(result.output)
        assert [v["id"] for v in data["violations"]] == ["context"]

    def test_env_and_breached(self, breached_dir, tmp_path):
        """--password-env and --breached work together."""
        result = CliRunner().invoke(
            cli,
            [
                "check-password",
                "--password-env",
                "PW",
                "--breached",
                str(tmp_path / "ranges"),
            ],
            env={"PW": "Zq8#vL2!rT9@mK"},
        )
        assert result.exit_code == 1
        assert "breach" in result.output

    def test_missing_env_is_usage_error(self):
        """An unset variable exits 2 with one line."""
        result = CliRunner().invoke(
            cli, ["check-password", "--password-env", "NOPE_UNSET"]
        )
        assert result.exit_code == 2
        assert "NOPE_UNSET" in result.output
        assert "Traceback" not in result.output

    def test_bad_breached_path(self, tmp_path):
        """A missing breached list exits 2."""
        result = CliRunner().invoke(
            cli,
            ["check-password", "--breached", str(tmp_path / "x")],
            input="x\n",
        )
        assert result.exit_code == 2

    def test_demo_step(self, tmp_path):
        """The demo step runs offline and prints its lines."""
        from dataprotect.cli._strength import demo_step

        runner = CliRunner()
        with runner.isolation() as (out, _err, *_rest):
            demo_step(tmp_path)
        text = out.getvalue().decode()
        assert "blocklisted" in text
        assert "breached" in text


BLOCK_ZXCVBN = "import sys; sys.modules['zxcvbn'] = None; "


def run_python(code):
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
    )


class TestOptionalDependency:
    def test_missing_zxcvbn(self):
        """Without zxcvbn, importing dataprotect.strength raises
        MissingDependencyError naming the extra."""
        result = run_python(
            BLOCK_ZXCVBN
            + "from dataprotect.errors import MissingDependencyError\n"
            "try:\n    import dataprotect.strength\n"
            "except MissingDependencyError as exc:\n    print(exc)\n"
        )
        assert result.returncode == 0, result.stderr
        assert "dataprotect[strength]" in result.stdout

    def test_core_does_not_import_zxcvbn(self):
        """import dataprotect works without zxcvbn and does not load it."""
        result = run_python(
            "import sys, dataprotect; print('zxcvbn' in sys.modules)"
        )
        assert result.stdout.strip() == "False", result.stderr

"""A bounded, thread-safe driver for zxcvbn's matchers and scorer.

``zxcvbn.zxcvbn()`` (4.5.0) stores the user inputs in the module-global
``matching.RANKED_DICTIONARIES`` (a race between threads), copies the
password into its result, and its running time explodes with length: the
leetspeak matcher tries one substitution table per combination of the
symbols present (hundreds for ``@4$5|17(<[...``) and every table
re-runs an O(n^2) dictionary scan.

This module calls zxcvbn's own matchers and scorer, with changes that keep
the results identical for ordinary input and the cost bounded for any:

- the ranked dictionaries are a per-call mapping (the shared word lists plus
  this call's user inputs); nothing global is written, and the repeat
  matcher recurses through this module so it sees the same mapping;
- the dictionary scan skips substrings that cannot be words: longer than the
  longest word, or holding a character, bigram or trigram that no word has
  (this changes no result);
- the leetspeak matcher tries at most :data:`MAX_L33T_TABLES` substitution
  tables (built from the first symbols zxcvbn lists for each letter);
- the scorer is quadratic in length times the number of overlapping
  matches, so dense input (more than :data:`DENSE_MATCHES` matches) is
  scored on its first :data:`DENSE_PREFIX` code points only, and input with
  one-character matches at many positions (which makes it cubic) on its
  first :data:`SINGLES_PREFIX`.

The caller bounds the length (the analysed prefix).
"""

from __future__ import annotations

import itertools
import math
import re

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from zxcvbn import feedback as _feedback
from zxcvbn import matching as _matching
from zxcvbn import scoring as _scoring
from zxcvbn import time_estimates as _time_estimates
from zxcvbn.frequency_lists import FREQUENCY_LISTS as _FREQUENCY_LISTS


__all__ = [
    "BASE_DICTIONARIES",
    "DENSE_MATCHES",
    "DENSE_PREFIX",
    "MAX_L33T_TABLES",
    "SINGLES_LIMIT",
    "SINGLES_PREFIX",
    "Analysis",
    "analyse",
    "common_passwords",
]

Match = dict[str, Any]
Ranked = Mapping[str, int]

#: The word lists zxcvbn ships, ranked, shared read-only by every call.
#: Built by zxcvbn at import; the ``user_inputs`` entry that ``zxcvbn()``
#: writes is left out.
BASE_DICTIONARIES: dict[str, Ranked] = {
    name: _matching.RANKED_DICTIONARIES[name] for name in _FREQUENCY_LISTS
}


@dataclass(frozen=True, slots=True)
class _Grams:
    """What substrings of a dictionary's words look like, for pruning.

    A substring can only be a word if its length is at most ``longest``, its
    characters are in ``chars``, its bigrams in ``bigrams`` and its trigrams
    in ``trigrams``; checking that first skips almost every lookup without
    changing any result.
    """

    longest: int
    chars: frozenset[str]
    bigrams: frozenset[str]
    trigrams: frozenset[str]

    @classmethod
    def of(cls, words: Iterable[str]) -> _Grams:
        words = list(words)
        return cls(
            longest=max(map(len, words), default=0),
            chars=frozenset("".join(words)),
            bigrams=frozenset(
                w[k : k + 2] for w in words for k in range(len(w) - 1)
            ),
            trigrams=frozenset(
                w[k : k + 3] for w in words for k in range(len(w) - 2)
            ),
        )

    def limits(self, text: str) -> list[int]:
        """For each start index, the longest substring that may be a word."""
        n = len(text)
        limits = [0] * n
        run = 0  # consecutive known trigrams starting at k
        for k in range(n - 1, -1, -1):
            run = run + 1 if text[k : k + 3] in self.trigrams else 0
            if text[k] not in self.chars:
                limit = 0
            elif k + 1 >= n or text[k : k + 2] not in self.bigrams:
                limit = 1
            else:
                limit = 2 + run
            limits[k] = min(limit, self.longest)
        return limits


#: At most this many leetspeak substitution tables are tried per analysis.
MAX_L33T_TABLES = 8
#: Above this many matches, only the first DENSE_PREFIX code points are
#: scored (the matching itself is linear; the scorer is not).
DENSE_MATCHES = 32
DENSE_PREFIX = 40
_DENSE_SHORT = DENSE_MATCHES * DENSE_PREFIX // 64
#: Above this many positions with a one-character match, only the first
#: SINGLES_PREFIX code points are scored.
SINGLES_LIMIT = 12
SINGLES_PREFIX = 24


def common_passwords() -> Ranked:
    """zxcvbn's ranked list of common passwords (lowercase), read-only."""
    return BASE_DICTIONARIES["passwords"]


@dataclass(frozen=True, slots=True)
class Analysis:
    """What zxcvbn's scorer concluded, without the password."""

    guesses_log10: float
    score: int
    warning: str
    suggestions: tuple[str, ...]
    analysed_length: int


_BASE_GRAMS = _Grams.of(
    itertools.chain.from_iterable(BASE_DICTIONARIES.values())
)
_BASE_LONGEST = {
    name: max(map(len, ranked), default=0)
    for name, ranked in BASE_DICTIONARIES.items()
}


@dataclass(frozen=True, slots=True)
class _Pruner:
    """Per-call pruning data: the shared word lists and the user inputs."""

    grams: tuple[_Grams, ...]
    longest: dict[str, int]

    def limits(self, text: str) -> list[int]:
        """For each start index, the longest substring worth looking up."""
        result = self.grams[0].limits(text)
        for extra in self.grams[1:]:
            more = extra.limits(text)
            result = [max(a, b) for a, b in zip(result, more, strict=True)]
        return result


def _ranked(user_inputs: Sequence[str]) -> tuple[dict[str, Ranked], _Pruner]:
    dictionaries: dict[str, Ranked] = dict(BASE_DICTIONARIES)
    words = [word.lower() for word in user_inputs]
    dictionaries["user_inputs"] = _matching.build_ranked_dict(words)
    longest = dict(_BASE_LONGEST)
    longest["user_inputs"] = max(map(len, words), default=0)
    grams = (_BASE_GRAMS, _Grams.of(words)) if words else (_BASE_GRAMS,)
    return dictionaries, _Pruner(grams, longest)


def _dictionary_match(
    password: str,
    dictionaries: Mapping[str, Ranked],
    lengths: _Pruner,
) -> list[Match]:
    matches: list[Match] = []
    n = len(password)
    lower = password.lower()
    limits = lengths.limits(lower)
    for name, ranked in dictionaries.items():
        longest = lengths.longest[name]
        for i in range(n):
            for j in range(i, i + min(limits[i], longest)):
                word = lower[i : j + 1]
                rank = ranked.get(word)
                if rank is not None:
                    matches.append(
                        {
                            "pattern": "dictionary",
                            "i": i,
                            "j": j,
                            "token": password[i : j + 1],
                            "matched_word": word,
                            "rank": rank,
                            "dictionary_name": name,
                            "reversed": False,
                            "l33t": False,
                        }
                    )
    matches.sort(key=lambda m: (m["i"], m["j"]))
    return matches


def _reverse_dictionary_match(
    password: str,
    dictionaries: Mapping[str, Ranked],
    lengths: _Pruner,
) -> list[Match]:
    n = len(password)
    matches = _dictionary_match(password[::-1], dictionaries, lengths)
    for match in matches:
        match["token"] = match["token"][::-1]
        match["reversed"] = True
        match["i"], match["j"] = n - 1 - match["j"], n - 1 - match["i"]
    matches.sort(key=lambda m: (m["i"], m["j"]))
    return matches


def _l33t_tables(table: Mapping[str, list[str]]) -> Iterator[dict[str, str]]:
    """zxcvbn's substitution tables, in its order, at most the cap."""
    subs: list[dict[str, str]] = _matching.enumerate_l33t_subs(table)
    return itertools.islice(subs, MAX_L33T_TABLES)


def _bounded_table(table: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """Trim the relevant table so that zxcvbn enumerates few combinations.

    The number of tables zxcvbn builds is about the product of the list
    lengths; keep the first symbols of each letter until the product would
    pass the cap, so enumerating them is cheap too.
    """
    bounded: dict[str, list[str]] = {}
    product = 1
    for letter, subs in table.items():
        room = max(1, MAX_L33T_TABLES // product)
        kept = subs[:room]
        product *= len(kept)
        bounded[letter] = kept
    return bounded


def _l33t_match(
    password: str,
    dictionaries: Mapping[str, Ranked],
    lengths: _Pruner,
) -> list[Match]:
    matches: list[Match] = []
    table = _matching.relevant_l33t_subtable(password, _matching.L33T_TABLE)
    for sub in _l33t_tables(_bounded_table(table)):
        if not sub:
            break
        subbed = _matching.translate(password, sub)
        for match in _dictionary_match(subbed, dictionaries, lengths):
            token = password[match["i"] : match["j"] + 1]
            if token.lower() == match["matched_word"]:
                continue
            used = {k: v for k, v in sub.items() if k in token}
            match["l33t"] = True
            match["token"] = token
            match["sub"] = used
            match["sub_display"] = ", ".join(
                f"{k} -> {v}" for k, v in used.items()
            )
            matches.append(match)
    matches = [m for m in matches if len(m["token"]) > 1]
    matches.sort(key=lambda m: (m["i"], m["j"]))
    return matches


_GREEDY = re.compile(r"(.+)\1+")
_LAZY = re.compile(r"(.+?)\1+")
_LAZY_ANCHORED = re.compile(r"^(.+?)\1+$")


def _repeat_match(
    password: str,
    dictionaries: Mapping[str, Ranked],
    lengths: _Pruner,
) -> list[Match]:
    matches: list[Match] = []
    last = 0
    while last < len(password):
        greedy = _GREEDY.search(password, pos=last)
        lazy = _LAZY.search(password, pos=last)
        if greedy is None or lazy is None:
            break
        if len(greedy.group(0)) > len(lazy.group(0)):
            match = greedy
            anchored = _LAZY_ANCHORED.search(match.group(0))
            base = anchored.group(1) if anchored else match.group(1)
        else:
            match = lazy
            base = match.group(1)
        i, j = match.span()[0], match.span()[1] - 1
        base_analysis = _scoring.most_guessable_match_sequence(
            base, _omnimatch(base, dictionaries, lengths)
        )
        matches.append(
            {
                "pattern": "repeat",
                "i": i,
                "j": j,
                "token": match.group(0),
                "base_token": base,
                "base_guesses": base_analysis["guesses"],
                "base_matches": base_analysis["sequence"],
                "repeat_count": len(match.group(0)) / len(base),
            }
        )
        last = j + 1
    return matches


def _omnimatch(
    password: str,
    dictionaries: Mapping[str, Ranked],
    lengths: _Pruner,
) -> list[Match]:
    matches: list[Match] = []
    matches += _dictionary_match(password, dictionaries, lengths)
    matches += _reverse_dictionary_match(password, dictionaries, lengths)
    matches += _l33t_match(password, dictionaries, lengths)
    matches += _matching.spatial_match(password)
    matches += _repeat_match(password, dictionaries, lengths)
    matches += _matching.sequence_match(password)
    matches += _matching.regex_match(password)
    matches += _matching.date_match(password)
    matches.sort(key=lambda m: (m["i"], m["j"]))
    return matches


def analyse(password: str, user_inputs: Sequence[str] = ()) -> Analysis:
    """Score *password* as ``zxcvbn.zxcvbn`` would, with bounded cost.

    The caller bounds ``len(password)``; no global state is read or written
    apart from zxcvbn's read-only word lists and tables.
    """
    if not password:
        # zxcvbn 4.5.0 raises IndexError on ""; this is its intended answer.
        advice = _feedback.get_feedback(0, [])
        return Analysis(0.0, 0, "", tuple(advice["suggestions"]), 0)
    dictionaries, lengths = _ranked(user_inputs)
    # zxcvbn's scorer is quadratic in length times the number of overlapping
    # matches.  Match a short prefix first; only sparse input (few matches,
    # which is cheap to score) is then matched and scored at full length.
    # Dense, repetitive input is scored on the short prefix, which already
    # shows it is weak.
    short = password[:DENSE_PREFIX]
    matches = _omnimatch(short, dictionaries, lengths)
    if len(password) > DENSE_PREFIX and len(matches) <= _DENSE_SHORT:
        full = _omnimatch(password, dictionaries, lengths)
        if len(full) <= DENSE_MATCHES:
            short, matches = password, full
    # One-character matches (the word "i") let the scorer build sequences of
    # every length, which makes it cubic: score a still shorter prefix when
    # many positions have one.
    singles = {m["i"] for m in matches if m["i"] == m["j"]}
    if len(singles) > SINGLES_LIMIT and len(short) > SINGLES_PREFIX:
        short = short[:SINGLES_PREFIX]
        matches = _omnimatch(short, dictionaries, lengths)
    password = short
    result = _scoring.most_guessable_match_sequence(password, matches)
    guesses = result["guesses"]
    score = int(_time_estimates.guesses_to_score(guesses))
    advice = _feedback.get_feedback(score, result["sequence"])
    return Analysis(
        guesses_log10=float(math.log10(guesses)),
        score=score,
        warning=str(advice["warning"] or ""),
        suggestions=tuple(str(s) for s in advice["suggestions"]),
        analysed_length=len(password),
    )

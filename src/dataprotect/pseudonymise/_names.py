"""Person name detection (package-private).

Names are found after words that introduce a person ("customer", "Dear",
"requested by"), in CSV rows that also hold contact data, and, through
:class:`dataprotect.pseudonymise._secrets._SecretMixin`, as the value of a
name field.  The passes live in :class:`_NameMixin`, one of the bases of
:class:`dataprotect.pseudonymise._detect.Detector`.
"""

# ruff: noqa: RUF001 - names use typographic apostrophes and quotes

from __future__ import annotations

import re
import sys

from collections.abc import Callable
from typing import Any, Final

from dataprotect.pseudonymise._findings import Candidate


__all__ = [
    "WHOLE_LINE",
    "_NAME_RUN",
    "_NAME_RUN_ASCII",
    "_NameMixin",
    "_name_tokens_ok",
    "first_names",
    "run_starts",
    "run_window",
]

# --------------------------------------------------------------------------
# Person names

_NAME_PARTICLES: Final = frozenset(
    {
        "von", "van", "de", "der", "den", "di", "da", "del", "della", "du",
        "le", "la", "dos", "das", "do", "y", "zu", "vom", "zur", "ter",
        "ten", "af", "al", "el", "bin", "st.", "mc", "des", "d'",
    }
)  # fmt: skip
# Capitalised words that are not names (services, products, places).
_NOT_NAME_WORDS: Final = frozenset(
    {
        "service", "services", "gateway", "server", "cluster", "api", "team",
        "office", "support", "admin", "bank", "inc", "ltd", "gmbh", "ag",
        "sa", "sarl", "llc", "corp", "company", "group", "system", "systems",
        "database", "cache", "queue", "worker", "job", "task", "user",
        "users", "customer", "client", "account", "payment", "payments",
        "order", "orders", "invoice", "shop", "store", "app", "application",
        "production", "staging", "prod", "test", "dev", "development",
        "main", "master", "default", "monitor", "the", "a", "an",
        "and", "or", "of", "in", "on", "at", "for", "by", "to", "with",
        "from", "mr", "mrs", "ms", "dr", "prof", "herr", "frau", "madame",
        "monsieur", "unknown", "anonymous", "guest", "none", "null", "true",
        "false", "yes", "no", "ok", "error", "warning", "info", "debug",
        "critical", "http", "https", "get", "post", "put", "delete",
        "patch", "head", "options", "mobile", "web", "desktop", "android",
        "ios", "windows", "linux", "mac", "chrome", "firefox", "safari",
        "edge", "opera", "google", "apple", "microsoft", "amazon", "stripe",
        "paypal", "visa", "mastercard", "twint", "postfinance", "sepa",
        "iban", "ahv", "avs", "swiss", "zurich", "zürich", "geneva", "genève",
        "basel", "bern", "lausanne", "lugano", "switzerland", "schweiz",
        "suisse", "svizzera", "germany", "france", "italy", "london",
        "new", "york", "street", "strasse", "road", "avenue", "rue", "via",
        "platz", "weg", "gasse", "center", "centre", "hospital", "clinic",
        "university", "school", "hotel", "restaurant", "cafe", "market",
        "pharmacy", "health", "insurance", "hr", "it", "sales",
        "marketing", "finance", "legal", "operations", "engineering",
        "product", "security", "network", "cloud", "data", "backup",
        "storage", "report", "reports", "batch", "sync", "import", "export",
        "newsletter", "welcome", "reset", "password", "login", "logout",
        "signup", "session", "token", "request", "response", "callback",
        "webhook", "event", "events", "message", "mail", "email", "sms",
        "phone", "manager", "director", "officer", "assistant", "agent",
        "operator", "owner", "holder", "member", "partner", "vendor",
        "supplier", "provider", "consumer", "producer", "handler",
        "controller", "scheduler", "dispatcher", "processor", "pipeline",
        "limited", "holding", "holdings", "foundation", "association",
        "club", "department", "ministry", "city", "county",
        "state", "federal", "national", "international", "global",
        "europe", "european", "america", "american", "north", "south",
        "east", "west", "central", "upper", "lower", "great", "little",
        "big", "old", "first", "last", "next", "previous", "primary",
        "secondary", "active", "inactive", "pending", "completed", "failed",
        "success", "done", "started", "stopped", "running", "jenkins",
        "github", "gitlab", "bitbucket", "docker", "kubernetes", "k8s",
        "redis", "postgres", "postgresql", "mysql", "mongo", "mongodb",
        "nginx", "apache", "celery", "sentry", "slack", "jira", "confluence",
        "terraform", "ansible", "grafana", "prometheus", "kafka", "rabbitmq",
        "elastic", "elasticsearch", "kibana", "aws", "azure", "gcp",
        "release", "back", "daily", "weekly", "monthly",
        "nightly", "scheduled", "automatic", "auto", "manual", "internal",
        "external", "public", "private",
    }
)  # fmt: skip
_NOT_NAME_ANY: Final = frozenset(
    {
        "service", "services", "gateway", "server", "cluster", "api", "team",
        "office", "support", "inc", "ltd", "gmbh", "ag", "sa", "sarl", "llc",
        "corp", "co", "company", "group", "bank", "system", "systems",
        "database", "cache", "queue", "worker", "street", "strasse", "road",
        "avenue", "platz", "gasse", "weg",
        "center", "centre", "hospital", "clinic", "university", "school",
        "hotel", "restaurant", "pharmacy", "insurance", "limited",
        "holding", "holdings", "foundation", "association", "department",
        "ministry", "error", "exception", "failed", "timeout", "http",
        "https", "id", "iban", "ahv", "avs", "ip", "url", "uuid", "json",
        "pipeline", "pipelines", "runner", "runners", "bot", "bots", "agent",
        "daemon", "scheduler", "cron", "controller", "operator", "manager",
        "integration", "plugin", "webhook", "robot", "script", "engine",
        "console", "portal", "dashboard", "monitor", "action", "actions",
        "workflow", "build", "release", "deploy", "deployment", "job", "jobs",
        "task", "tasks", "process", "module", "component", "platform",
        "account", "accounts", "user", "users", "admin", "administrator",
        "card", "cards", "banner", "page", "button", "form", "report",
    }
)  # fmt: skip
_UPPER = "A-ZÀ-ÖØ-ÞĀ-ſ"


def _name_word(upper: str, letter: str, marks: str) -> str:
    """A capitalised word of a name, from its character sets.

    *upper* is a capital letter, *letter* any letter, and *marks* the
    apostrophes inside a name.
    """
    return rf"[{upper}]{letter}*(?:(?:[{marks}\-]|\.-?){letter}+)*\.?"


def _name_run(upper: str, letter: str, marks: str) -> str:
    """The pattern of _NAME_RUN, from the sets of :func:`_name_word`."""
    word = _name_word(upper, letter, marks)
    return (
        rf"(?:(?:pan|pani|sig\.?|dott\.?)[ \t])?{word}"
        rf"(?:[ \t](?:{word}|{letter}+)){{0,5}}"
    )


_NAME_WORD = _name_word(_UPPER, r"[^\W\d_]", "'’")
_NAME_RUN = re.compile(_name_run(_UPPER, r"[^\W\d_]", "'’"))
# For ASCII text: the sets spelt out as ASCII ranges (see _NAME_CAND_ASCII).
_NAME_RUN_ASCII = re.compile(_name_run("A-Z", "[A-Za-z]", "'"))
# Lower-case titles right before a capitalised name: "pan", "sig.".
_LOWER_TITLES: Final = frozenset(
    {"pan", "pani", "sig", "sig.", "sig.ra", "dott", "dott.", "mme", "mlle"}
)
# Capitalised words after which a name may follow inside one run of
# capitalised words ("WARN Versicherter Max Muster", "Dear Mr Smith").
_CAPITAL_TRIGGERS: Final = frozenset(
    {
        "versicherter", "versicherte", "versicherten", "kunde", "kundin",
        "customer", "cardholder", "holder", "client", "cliente", "patient",
        "employee", "recipient", "beneficiary", "applicant", "titulaire",
        "inhaber", "inhaberin", "dear", "hello", "hi", "hallo", "bonjour",
        "buongiorno", "grüezi", "liebe", "lieber", "cher", "chère", "caro",
        "cara", "contact", "user", "member", "by", "for", "to", "gentile",
        "egregio", "egregia",
    }
)  # fmt: skip


def _name_candidate(
    upper: str, letter: str, word: str, marks: str, guard: str = ""
) -> str:
    """The pattern of _NAME_CAND, from its character sets.

    *upper* is a capital letter, *letter* any letter, *word* a word
    character, and *marks* the apostrophes inside a name; *guard* follows
    the first capital.
    """
    name_word = _name_word(upper, letter, marks)
    return (
        rf"[{upper}](?<![{word}.@{marks}\-][{upper}]){guard}"
        rf"{letter}*(?:(?:[{marks}\-]|\.-?){letter}+)*\.?"
        rf"(?:[ \t](?:(?:von|van|de|der|den|di|da|del|della|du|le|la|dos|das|"
        rf"do|zu|vom|zur|ter|ten|y|bin|al|el)[ \t])*{name_word}){{1,6}}"
    )


_NAME_CAND = re.compile(_name_candidate(_UPPER, r"[^\W\d_]", r"\w", "'’"))
# For ASCII lines: the sets as they are in ASCII, spelt out as ranges,
# which the regex engine tests in one step (a bitmap) rather than through
# the Unicode categories and the ranges beyond ASCII.  The guard, a
# necessary condition, drops most capitals cheaply: the first word is
# letters, "'", "." and "-", then comes a blank and a letter (a capital
# or a particle).  (The groups after it cost an allocation per try.)
_NAME_CAND_ASCII = re.compile(
    _name_candidate(
        "A-Z", "[A-Za-z]", "0-9A-Za-z_", "'", r"(?=[A-Za-z'.\-]*[ \t][A-Za-z])"
    )
)
# The words of _NAME_BEFORE, "|"-separated, so that the pattern can be
# written forwards (for reading and the tests) and backwards (for speed).
_DONE_BY = (
    "requested|placed|created|updated|sent|issued|signed|approved|"
    "submitted|initiated|booked|registered|opened|closed|verified|"
    "deleted|removed|added|invited|assigned|paid|ordered|called|"
    "contacted|succeeded|failed|made|received|cancelled|canceled|"
    "refunded|shipped|delivered|addressed|authored|reviewed|raised|"
    "reported|filed|logged|scheduled|confirmed|rejected|blocked|"
    "unblocked|suspended|reactivated|onboarded|offboarded|hired|"
    "enrolled|subscribed|unsubscribed|written|edited|modified|"
    "changed|transferred|escalated|reassigned|greeted|welcomed"
)
_BY = "by|for|to|from|with"
_FOR = "for|to|by|from|of"
_ROLES = (
    "customer|user|client|patient|employee|member|contact|recipient|"
    "applicant|cardholder|holder|subscriber|guest|tenant|buyer|seller|"
    "sender|driver|passenger|student|teacher|doctor"
)
_HOLDERS = (
    "customer|cardholder|holder|patient|employee|recipient|beneficiary|"
    "applicant|Kunde|Kundin|client|cliente|titulaire|Inhaber|Inhaberin"
)
_GREETINGS = (
    "dear|hello|hi|hallo|bonjour|buongiorno|grüezi|cher|chère|caro|cara|"
    "gentile|egregio|egregia|herr|frau|madame|monsieur"
)
_NAME_BEFORE = re.compile(
    rf"(?i)\b(?:"
    rf"(?:{_DONE_BY})\s+(?:{_BY})"
    rf"|(?:{_FOR})\s+(?:{_ROLES}|insured(?:\s+person)?|account\s+holder)"
    rf"|(?:{_HOLDERS}|card\s+holder|account\s+holder|insured\s+person|"
    rf"contact\s+person|Versicherte[rn]?)"
    rf"|(?:{_GREETINGS}|liebe[r]?|mr\.?|mrs\.?|ms\.?|dr\.?|signor[a]?)"
    r")[ \t]*[:=]?[ \t]+[\"'“«]?$"
)


def _backwards(words: str) -> str:
    """The "|"-separated *words*, each spelt backwards."""
    return "|".join(w[::-1] for w in words.split("|"))


# _NAME_BEFORE spelt backwards, matched at the start of the reversed text:
# a search for a pattern anchored at the end tries every start position
# with every keyword, the reversed match one position.  Both say the same
# (tests/test_pseudonymise_speed.py); a "$" also matches before a final
# newline, hence the "\n?".
_NAME_BEFORE_REV = re.compile(
    r"(?i)\n?[\"'“«]?[ \t]+[:=]?[ \t]*(?:"
    rf"(?:{_backwards(_BY)})\s+(?:{_backwards(_DONE_BY)})"
    rf"|(?:{_backwards(_ROLES)}|(?:nosrep\s+)?derusni|redloh\s+tnuocca)"
    rf"\s+(?:{_backwards(_FOR)})"
    rf"|(?:{_backwards(_HOLDERS)}|redloh\s+drac|redloh\s+tnuocca|"
    r"nosrep\s+derusni|nosrep\s+tcatnoc|[rn]?etrehcisreV)"
    rf"|(?:{_backwards(_GREETINGS)}|[r]?ebeil|\.?rm|\.?srm|\.?sm|\.?rd|"
    r"[a]?rongis)"
    r")\b"
)


def name_before(before: str) -> bool:
    """``_NAME_BEFORE.search(before) is not None``, faster."""
    return _NAME_BEFORE_REV.match(before[::-1]) is not None


_WORD = re.compile(r"\S+")
_CSV_ANCHORS: Final = frozenset(
    {"email", "phone", "iban", "ahv", "payment_card"}
)
_CSV_FIELD = re.compile(
    r"(?:^|(?<=[,;]))[ \t]*\"?([^,;\"\n]+?)\"?[ \t]*(?=[,;]|$)"
)
_PREPS = "for|by|to|from|with|of"
_BARE_PREP = re.compile(
    rf"(?i)(?P<num>\d[\"'’”»)]?[ \t]+)?\b(?:{_PREPS})[ \t]+[\"'“«]?$"
)
# Words after which a known first name and a surname are taken as a name.
_CUE_WORDS = (
    "for|by|to|from|with|of|für|von|an|bei|mit|de|pour|par|avec|chez|à|di|"
    "da|per|con|a"
)
_CUE = re.compile(rf"(?i)(?:\b(?:{_CUE_WORDS})|[:=])[ \t]+[\"'“«]?$")
# Both spelt backwards, like _NAME_BEFORE_REV: the blanks and the quote
# that end the text, then what precedes them.
_ENDING_REV = r"(?i)\n?[\"'“«]?[ \t]+"
_BARE_PREP_REV = re.compile(
    rf"{_ENDING_REV}(?:{_backwards(_PREPS)})\b(?P<num>[ \t]+[\"'’”»)]?\d)?"
)
_CUE_REV = re.compile(rf"{_ENDING_REV}(?:(?:{_backwards(_CUE_WORDS)})\b|[:=])")


def bare_prep(before: str) -> tuple[int, bool] | None:
    """Where ``_BARE_PREP.search(before)`` starts, and if with a number."""
    m = _BARE_PREP_REV.match(before[::-1])
    if m is None:
        return None
    return len(before) - m.end(), m.group("num") is not None


def cue(before: str) -> bool:
    """``_CUE.search(before) is not None``, faster."""
    return _CUE_REV.match(before[::-1]) is not None


_SALUTATION = re.compile(
    r"(?i)\b(?:dear|sehr[ \t]+geehrte[rn]?|liebe[rn]?|hallo|hello|hi|"
    r"bonjour|cher|chère|gentile|egregio|caro|cara|buongiorno|grüezi)"
    r"[ \t,]*$"
)
# A display name before an address: From: Anna Meier <anna@...>
_DISPLAY_NAME = re.compile(
    rf"(?:^|(?<=[\s:,;\"'(]))(?P<name>{_NAME_WORD}(?:[ \t]{_NAME_WORD}){{1,3}})"
    r"[\"']?[ \t]*<$"
)

_LOCALES: Final = (
    "de_CH", "fr_CH", "de_DE", "de_AT", "fr_FR", "it_IT", "en_GB", "en_US",
)  # fmt: skip
_FIRST_NAMES: list[frozenset[str]] = []


def first_names(faker_person: Callable[[str], Any]) -> frozenset[str]:
    """The first names of Faker's person providers of our locales (cached).

    *faker_person* imports ``faker.providers.person.<locale>``.
    """
    if not _FIRST_NAMES:
        names: set[str] = set()
        for locale in _LOCALES:
            provider = faker_person(locale).Provider
            for attr in (
                "first_names",
                "first_names_male",
                "first_names_female",
            ):
                names.update(getattr(provider, attr, ()))
        _FIRST_NAMES.append(frozenset(n for n in names if n.isalpha()))
    return _FIRST_NAMES[0]


_HONORIFICS: Final = frozenset(
    {
        "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "herr",
        "frau", "mme", "mlle", "sig", "sig.ra", "dipl.-ing", "ing", "lic",
        "mag", "dott", "dott.ssa", "ing.", "madame", "monsieur", "signor",
        "signora", "prof. dr", "univ.-prof", "univ.prof", "dipl.-kfm",
        "mag.a", "dr.in", "ing.in", "dr. med", "dr.med", "pan", "pani",
    }
)  # fmt: skip
_SUFFIXES: Final = frozenset(
    {
        "md", "phd", "jr", "sr", "ii", "iii", "iv", "dds", "dvm", "esq",
        "msc", "bsc", "mba", "ma", "ba", "b.a", "m.a", "b.sc", "m.sc",
        "mag", "bed", "med",
    }
)  # fmt: skip


_TOKENS_OK: dict[tuple[tuple[str, ...], bool], int] = {}


def _name_tokens_ok(tokens: list[str], *, single: bool) -> int:
    """How many leading *tokens* form a person's name (0: none).

    Memoised: log lines repeat the same runs of capitalised words.
    """
    key = (tuple(tokens), single)
    n = _TOKENS_OK.get(key)
    if n is None:
        n = _count_name_tokens(tokens, single=single)
        if len(_TOKENS_OK) >= 4096:
            _TOKENS_OK.clear()
        _TOKENS_OK[key] = n
    return n


def _count_name_tokens(tokens: list[str], *, single: bool) -> int:  # noqa: C901 - one test per kind of name token
    """:func:`_name_tokens_ok` without the memo."""
    taken = 0
    capitals = 0
    titled = False
    for i, tok in enumerate(tokens):
        bare = tok.rstrip(".")
        low = bare.lower()
        if low in _HONORIFICS and taken == i and i < 2:
            taken += 1  # "Dr", "Mr.", "Dipl.-Ing." before the name
            titled = True
            continue
        if low in _SUFFIXES and capitals >= 2:
            taken += 1  # "MD", "Jr.", "III" after it
            continue
        # "Anna von Arx"; a surname field may start with one: "von Arx"
        if low in _NAME_PARTICLES and (i or single) and i < len(tokens) - 1:
            taken += 1
            continue
        if (
            not bare
            or not bare[0].isupper()
            or low in _NOT_NAME_ANY
            or (not capitals and low in _NOT_NAME_WORDS)
        ):
            break
        if bare.isupper() and len(bare) > 1 and not (i and capitals):
            # an acronym ("IBAN", "AHV"), unless a surname in capitals
            # follows a first name ("Anna MEIER")
            break
        if len(bare) == 1 and not tok.endswith("."):
            break
        taken += 1
        capitals += 1
        if capitals == 4:
            break
    # strip trailing particles
    while taken and tokens[taken - 1] in _NAME_PARTICLES:
        taken -= 1
    if capitals >= 2 or ((single or titled) and capitals == 1):
        return taken
    return 0


# A start of a name in a run of capitalised words: the offset of its
# first word in the run, the words from there on, and how many of them
# form a name.
_RunStart = tuple[int, tuple[str, ...], int]
_RUN_STARTS: dict[str, tuple[_RunStart, ...]] = {}


def run_starts(run: str) -> tuple[_RunStart, ...]:
    """Where in *run* (a _NAME_CAND match) a name may start (memoised).

    The run may start before the name ("WARN Versicherter Max Muster"):
    each word but the last may start one, inside the run only after a
    trigger word, and only if some of the words from it on form a name
    (:func:`_name_tokens_ok`).  All of it depends on the run's text
    alone, and log lines repeat the same runs: ``Mac OS X`` or
    ``Windows NT`` are looked at once, not on every line.
    """
    starts = _RUN_STARTS.get(run)
    if starts is None:
        words = list(_WORD.finditer(run))
        found = []
        for j in range(len(words) - 1):
            if j and words[j - 1].group(0).lower().rstrip(":=,") not in (
                _CAPITAL_TRIGGERS
            ):
                continue  # inside the run, only after a trigger word
            tokens = [w.group(0) for w in words[j:]]
            n = _name_tokens_ok(tokens, single=False)
            if n:
                found.append((words[j].start(), tuple(tokens), n))
        starts = tuple(found)
        if len(_RUN_STARTS) >= 4096:
            _RUN_STARTS.clear()
        _RUN_STARTS[run] = starts
    return starts


# The window of :func:`run_window` for any line.
WHOLE_LINE: Final = (0, sys.maxsize)


def run_window(shape: str) -> tuple[int, int]:
    """Where the capitalised runs of an ASCII line lie, from its *shape*.

    *shape* is the line in the character classes of
    :data:`dataprotect.pseudonymise._detect._CLASSES`, with a blank ("s")
    before a capital ("A").  Each run (each _NAME_CAND match) holds one,
    before its last word, and no digit ("d").  So a run starts after the
    last digit before the first "sA" of the line, and ends by the first
    digit after the last "sA".  _NAME_CAND looks one character back from
    a run's start (which a search from a position still sees) and none
    ahead of its end: searching only in the window finds the same runs.
    """
    first = shape.find("sA")
    end = shape.find("d", shape.rfind("sA"))
    return shape.rfind("d", 0, first) + 1, len(shape) if end < 0 else end


def _introduced(before: str, window: int, found: list[Candidate]) -> bool:
    """Whether the text *before* a capitalised run introduces a person."""
    if before.endswith((" ", "\t")):
        last = before.rstrip()
        last = last[
            max(last.rfind(" "), last.rfind("("), last.rfind("=")) + 1 :
        ]
        if last in _LOWER_TITLES:
            before = before[: before.rfind(last)]
    if name_before(before):
        return True
    paren = window + len(before) - 1
    if before.endswith("(") and any(0 <= paren - c.end <= 1 for c in found):
        return True  # "CH93 0076 2011 6238 5295 7 (Anna Meier)"
    bare = bare_prep(before)
    if bare is None:
        return False
    # "... 756.1234.5678.97 for Anna Meier": a preposition right after
    # other personal data introduces its owner.
    prep = window + bare[0]
    return bare[1] or any(0 <= prep - c.end <= 3 for c in found)


class _NameMixin:
    """The person name passes of the detector."""

    __slots__ = ()

    # Set by Detector.__init__.
    _first_names: frozenset[str]

    def _names(
        self,
        text: str,
        found: list[Candidate],
        add: Callable[[Candidate], None],
        *,
        runs: tuple[int, int] | None = WHOLE_LINE,
    ) -> None:
        """Names in *text*; *runs* says where its capitalised runs lie.

        ``None`` says it has none: without two capitalised words in a row,
        _NAME_CAND finds nothing (see also :func:`run_window`).
        """
        rx = _NAME_CAND_ASCII if text.isascii() else _NAME_CAND
        for m in rx.finditer(text, *runs) if runs is not None else ():
            for offset, tokens, n in run_starts(m.group(0)):
                if self._name_at(
                    text, m.start() + offset, tokens, n, found, add
                ):
                    break
        if "<" in text:
            for c in found:
                if c.type == "email" and text[c.start - 1 : c.start] == "<":
                    self._display_name(text, c.start - 1, add)
        if (
            text.count(",") >= 2
            and ", " not in text
            and "{" not in text
            and any(c.type in _CSV_ANCHORS for c in found)
        ):
            self._csv_names(text, add)

    def _name_at(
        self,
        text: str,
        start: int,
        tokens: tuple[str, ...],
        n: int,
        found: list[Candidate],
        add: Callable[[Candidate], None],
    ) -> bool:
        """Whether the name of *n* leading *tokens* at *start* was added."""
        window = max(0, start - 48)
        before = text[window:start]
        if not (
            (
                # "Dr. Anna Meier"; "Sehr geehrte Frau Meier"
                tokens[0].rstrip(".").lower() in _HONORIFICS
                and (n >= 3 or _SALUTATION.search(before) is not None)
            )
            or _introduced(before, window, found)
            or (
                # "Rechnung für Jonas Ferrari": a known first name and a
                # surname after a preposition
                n >= 2 and self._first_name(tokens[0]) and cue(before)
            )
        ):
            return False
        cursor = start
        for tok in tokens[:n]:
            cursor = text.find(tok, cursor) + len(tok)
        end = cursor
        if text[end - 1] == "." and text[end - 3 : end - 2] != " ":
            end -= 1  # a full stop, not an initial
        name = " ".join(text[start:end].split())
        add(Candidate("person_name", start, end, name.lower(), 50))
        return True

    def _first_name(self, token: str) -> bool:
        """A known first name, or compound of them: "Marie-Claire"."""
        return token in self._first_names or (
            "-" in token
            and all(part in self._first_names for part in token.split("-"))
        )

    @staticmethod
    def _display_name(
        text: str, bracket: int, add: Callable[[Candidate], None]
    ) -> None:
        """The name before ``<address>``: ``From: Anna Meier <a@b.ch>``."""
        m = _DISPLAY_NAME.search(text, max(0, bracket - 80), bracket + 1)
        if m is None:
            return
        tokens = m.group("name").split()
        if _name_tokens_ok(tokens, single=False) == len(tokens):
            name = " ".join(tokens)
            add(
                Candidate(
                    "person_name",
                    m.start("name"),
                    m.end("name"),
                    name.lower(),
                    50,
                )
            )

    @staticmethod
    def _csv_names(text: str, add: Callable[[Candidate], None]) -> None:
        """Name columns of a CSV row that also holds contact data."""
        for m in _CSV_FIELD.finditer(text):
            value = m.group(1)
            tokens = value.split()
            if not 2 <= len(tokens) <= 4 or any(ch.isdigit() for ch in value):
                continue
            if _name_tokens_ok(tokens, single=False) == len(tokens):
                start = m.start(1)
                add(
                    Candidate(
                        "person_name", start, m.end(1), value.lower(), 50
                    )
                )

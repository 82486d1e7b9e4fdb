"""Log pseudonymisation: dataprotect vs Presidio, scrubadub and plain regexes.

All four run over the same labelled log lines in one process, one after the
other on one core: the development sample (``tests/vectors/pii/
sample.jsonl``), the daemon-log corpus of ``tests/logcorpus.py`` (OpenSSH,
nginx, Apache, HAProxy, Postfix, journald, Kubernetes, Django, Rails, Java,
SQL binds; its own generator) and the held-out corpus of
``tests/logcorpus_heldout.py`` (written apart from the detector).
Throughput is lines per CPU-second of that one pass, and the same pass
gives each tool's precision and recall (the sample's scoring rules).  The plain-regex baseline is what a user writes in
an afternoon: one ``re`` pattern per type (email, IPv4, card digits, IBAN,
JWT) and no validators.

Presidio runs as analyzer + anonymizer with a *blank* spaCy pipeline
(``spacy.blank("en")``): no trained spaCy model can be installed here, so
only its pattern recognizers work (no ``PERSON`` from NER).  scrubadub runs
with its default detectors.

The logging figure is the extra time :class:`PseudonymisingFilter` adds to
one typical record (a message with two arguments, an email and an IP)
passing through a handler, measured against the same handler without it.
"""

from __future__ import annotations

import json
import logging
import os
import statistics
import sys
import time
import warnings

from collections.abc import Callable
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from dataprotect.pseudonymise import Pseudonymiser, PseudonymisingFilter  # noqa: E402
from logcorpus import generate  # noqa: E402
from logcorpus_heldout import generate as generate_heldout  # noqa: E402
from pii_scoring import GROUPS, score  # noqa: E402


Finder = Callable[[str], list[tuple[int, int, str]]]

PRESIDIO_TYPES = {
    "EMAIL_ADDRESS": "email",
    "IP_ADDRESS": "ip",
    "PHONE_NUMBER": "phone",
    "CREDIT_CARD": "payment_card",
    "IBAN_CODE": "iban",
    "PERSON": "person_name",
}
SCRUBADUB_TYPES = {
    "email": "email",
    "phone": "phone",
    "credit_card": "payment_card",
    "credential": "url_credential",
    "name": "person_name",
}


def _dataprotect() -> tuple[Finder, Callable[[str], str]]:
    p = Pseudonymiser(key=os.urandom(32))

    def find(text: str) -> list[tuple[int, int, str]]:
        return [(f.start, f.end, f.type) for f in p.findings(text)]

    return find, p.pseudonymise


PLAIN = {
    "email": r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+",
    "ip": r"\b\d{1,3}(?:\.\d{1,3}){3}\b",
    "payment_card": r"\b\d(?:[ \-]?\d){12,18}\b",
    "iban": r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b",
    "jwt": r"\beyJ[\w\-]+\.[\w\-]+\.[\w\-]+",
}


def _plain_regex() -> tuple[Finder, Callable[[str], str]]:
    import re

    pattern = re.compile("|".join(f"(?P<{k}>{v})" for k, v in PLAIN.items()))

    def find(text: str) -> list[tuple[int, int, str]]:
        found = [
            (m.start(), m.end(), str(m.lastgroup))
            for m in pattern.finditer(text)
        ]
        pattern.sub(lambda m: f"[{m.lastgroup}]", text)  # timed too
        return found

    return find, lambda text: pattern.sub(lambda m: f"[{m.lastgroup}]", text)


def _presidio() -> tuple[Finder, Callable[[str], str]]:
    import spacy

    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import SpacyNlpEngine
    from presidio_anonymizer import AnonymizerEngine

    class BlankSpacy(SpacyNlpEngine):  # type: ignore[misc]
        """A spaCy engine without a trained model: pattern recognizers only."""

        def __init__(self) -> None:
            super().__init__(
                models=[{"lang_code": "en", "model_name": "blank"}]
            )

        def load(self) -> None:
            self.nlp = {"en": spacy.blank("en")}

    engine = BlankSpacy()
    engine.load()
    analyzer = AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])
    anonymizer = AnonymizerEngine()

    def find(text: str) -> list[tuple[int, int, str]]:
        results = analyzer.analyze(text, language="en")
        anonymizer.anonymize(text, results)  # timed with the analysis
        return [
            (r.start, r.end, PRESIDIO_TYPES.get(r.entity_type, "other"))
            for r in results
        ]

    def clean(text: str) -> str:
        return str(
            anonymizer.anonymize(
                text, analyzer.analyze(text, language="en")
            ).text
        )

    return find, clean


def _scrubadub() -> tuple[Finder, Callable[[str], str]]:
    import scrubadub

    scrubber = scrubadub.Scrubber()

    def find(text: str) -> list[tuple[int, int, str]]:
        filth = list(scrubber.iter_filth(text))
        scrubber.clean(text)  # timed with the detection
        return [
            (f.beg, f.end, SCRUBADUB_TYPES.get(f.type, "other")) for f in filth
        ]

    return find, scrubber.clean


def _run(find: Finder, records: list[dict[str, object]]) -> tuple[float, dict]:
    texts = [str(r["text"]) for r in records]
    found: dict[str, list[tuple[int, int, str]]] = {}
    start = time.process_time()
    for text in texts:
        found[text] = find(text)
    cpu = time.process_time() - start
    result = score(records, lambda text: found[text])
    return len(texts) / cpu, result


FILTER_TARGET_US = 25.0
LINES_TARGET = 20_000  # lines per second on one core (issue #19)
CLI_LINES = 200_000  # the CLI's log (issue #19 measured 500k lines)
CLI_LINES_QUICK = 20_000
CLI_ROUNDS = 2


def _large_log(n: int) -> list[str]:
    """*n* distinct lines of both daemon-log generators, over several seeds.

    A log as the issue measures it: large enough that start-up and one-time
    loading (phone metadata, first names) are amortised, with no line
    repeated.
    """
    distinct: dict[str, None] = {}
    per_seed = -(-n // 4)
    seed = 0
    while len(distinct) < n:
        seed += 1
        for make in (generate, generate_heldout):
            for record in make(per_seed, seed=seed):
                distinct.setdefault(str(record["text"]))
    return list(distinct)[:n]


def _cli_rate(
    lines: list[str], rounds: int = CLI_ROUNDS
) -> tuple[float, float]:
    """Lines per CPU-second of ``dataprotect pseudonymise FILE -o OUT`` and
    of ``Pseudonymiser.pseudonymise`` in this process, over the same *lines*.

    The CLI figure is the child's CPU time (``wait4``) on the log less its
    CPU time on an empty file (start-up); one-time loading stays in,
    amortised over the log as in real use.  A round runs the empty file,
    the log and the in-process loop (a fresh pseudonymiser) one after the
    other; each figure is the best of *rounds*.
    """
    import tempfile

    from benchmarks._timing import run_process

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    cli = inproc = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        log, empty = Path(tmp, "app.log"), Path(tmp, "empty.log")
        log.write_bytes(
            "".join(f"{line}\n" for line in lines).encode(
                "utf-8", "surrogateescape"
            )
        )
        empty.write_bytes(b"")
        for _ in range(rounds):
            cpu = []
            for source in (empty, log):
                argv = [sys.executable, "-m", "dataprotect.cli"]
                argv += ["pseudonymise", str(source)]
                argv += ["-o", str(Path(tmp, "out.log")), "--force"]
                _, usage, _ = run_process(argv, env=env)
                cpu.append(usage.ru_utime + usage.ru_stime)
            cli = max(cli, len(lines) / max(cpu[1] - cpu[0], 1e-9))
            pseudonymise = Pseudonymiser(key=os.urandom(32)).pseudonymise
            start = time.process_time()
            for line in lines:
                pseudonymise(line)
            cpu_inproc = time.process_time() - start
            inproc = max(inproc, len(lines) / max(cpu_inproc, 1e-9))
    return cli, inproc


def _filter_overhead(rounds: int) -> tuple[float, float, float, float]:
    """Extra CPU µs the filter adds to one typical record, and its parts.

    Records go through a formatting handler with and without the filter,
    in alternating runs; the result is the median of 7 differences, with
    the median cost of ``Pseudonymiser.pseudonymise`` on the same formatted
    messages, of the record through the plain handler, and the extra cost
    of a bare filter that only replaces the message by its
    ``pseudonymise()``.
    """

    class Sink(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            self.format(record)

    class Bare(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            record.msg = pseudonymiser.pseudonymise(record.getMessage())
            record.args = None
            return True

    logger = logging.getLogger("dataprotect.bench.filter")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    plain = Sink()
    filtered = Sink()
    bare_filtered = Sink()
    for handler in (plain, filtered, bare_filtered):
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(message)s")
        )
    pseudonymiser = Pseudonymiser(key=os.urandom(32))
    filtered.addFilter(PseudonymisingFilter(pseudonymiser))
    bare_filtered.addFilter(Bare())
    emails = [f"user{i}@example.com" for i in range(50)]
    messages = [
        f"user {emails[i % 50]} logged in from 203.0.113.{i % 250}"
        for i in range(rounds)
    ]

    def per_record(handler: logging.Handler) -> float:
        logger.addHandler(handler)
        try:
            start = time.process_time()
            for i in range(rounds):
                logger.info(
                    "user %s logged in from %s",
                    emails[i % 50],
                    f"203.0.113.{i % 250}",
                )
            return (time.process_time() - start) / rounds * 1e6
        finally:
            logger.removeHandler(handler)

    def detection() -> float:
        start = time.process_time()
        for message in messages:
            pseudonymiser.pseudonymise(message)
        return (time.process_time() - start) / rounds * 1e6

    per_record(filtered)  # warm up
    diffs, detect, bare, minimal = [], [], [], []
    for _ in range(7):
        with_filter = per_record(filtered)
        detect.append(detection())
        with_bare_filter = per_record(bare_filtered)
        bare.append(per_record(plain))
        diffs.append(with_filter - bare[-1])
        minimal.append(with_bare_filter - bare[-1])
    return (
        statistics.median(diffs),
        statistics.median(detect),
        statistics.median(bare),
        statistics.median(minimal),
    )


_CALLS = 3


def _fastest_call(f: Callable[[str], object], text: str) -> float:
    """CPU ms of the fastest of :data:`_CALLS` calls of *f* on *text* (one
    call alone can meet a garbage collection or a busy core)."""
    best = float("inf")
    for _ in range(_CALLS):
        start = time.process_time()
        f(text)
        best = min(best, time.process_time() - start)
    return best * 1e3


def _bad_input(sizes: tuple[int, int]) -> list[str]:
    """CPU ms of pseudonymise() on hostile lines of two sizes, and the ratio.

    A ratio near the ratio of the sizes means time linear in the line.
    """
    import random

    r = random.Random(19)
    p = Pseudonymiser(key=os.urandom(32))

    def shapes(n: int) -> dict[str, str]:
        return {
            "random bytes as Latin-1": r.randbytes(n).decode("latin-1"),
            "invalid UTF-8 (surrogate escapes)": r.randbytes(n).decode(
                "utf-8", "surrogateescape"
            ),
            "one digit run": "1" * n,
            "`%40` repeated": ("%40" * n)[:n],
            "`Dear Anna ` repeated": ("Dear Anna " * n)[:n],
            'nested JSON `{"a":` repeated': ('{"a":' * n)[:n],
            "`password=x&` repeated": ("password=x&" * n)[:n],
            "`a:` repeated": ("a:" * n)[:n],
        }

    small, large = sizes
    lines = [
        (
            f"Hostile lines: CPU ms of one `pseudonymise()` call (the fastest "
            f"of {_CALLS}) at {small:,} "
            f"and {large:,} characters; time linear in the line gives a ratio "
            f"near {large // small}."
        ),
        "",
        f"| line | {small:,} chars | {large:,} chars | ratio |",
        "| --- | ---: | ---: | ---: |",
    ]
    for (name, a), b in zip(
        shapes(small).items(), shapes(large).values(), strict=True
    ):
        times = [_fastest_call(p.pseudonymise, text) for text in (a, b)]
        lines.append(
            f"| {name} | {times[0]:.1f} | {times[1]:.1f} | "
            f"{times[1] / max(times[0], 1e-3):.1f} |"
        )
    lines.append("")
    return lines


def _corpora(quick: bool) -> dict[str, list[dict[str, object]]]:
    with (ROOT / "tests" / "vectors" / "pii" / "sample.jsonl").open(
        encoding="utf-8"
    ) as fh:
        sample = [json.loads(line) for line in fh if line.strip()]
    daemons: list[dict[str, object]] = list(generate())
    heldout: list[dict[str, object]] = list(generate_heldout())
    if quick:
        sample, daemons, heldout = sample[:300], daemons[:300], heldout[:300]
    return {
        "tests/vectors/pii/sample.jsonl (development sample)": sample,
        "tests/logcorpus.py (daemon logs, own generator)": daemons,
        "tests/logcorpus_heldout.py (held-out daemon logs)": heldout,
    }


def _table(
    name: str,
    records: list[dict[str, object]],
    tools: dict[str, Callable[[], tuple[Finder, Callable[[str], str]]]],
    cli: tuple[int, float, float],
) -> list[str]:
    speed: dict[str, float] = {}
    results: dict[str, dict] = {}
    for tool, factory in tools.items():
        find, _clean = factory()
        find(str(records[0]["text"]))  # warm up
        speed[tool], results[tool] = _run(find, records)
    ours = speed["dataprotect"]
    log_lines, cli_rate, inproc = cli
    lines = [
        (
            f"**{len(records):,} lines of {name}**, one pass per tool, "
            "detection and replacement, one core."
        ),
        "",
        "| tool | lines/s | dataprotect is | macro P | macro R | decoys hit | negative lines hit |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for tool in tools:
        rows = results[tool]["groups"]
        present = [g for g in GROUPS if rows[g]["gold"]]
        macro_p = sum(rows[g]["precision"] for g in present) / len(present)
        macro_r = sum(rows[g]["recall"] for g in present) / len(present)
        ratio = (
            "—"
            if tool == "dataprotect"
            else f"{ours / speed[tool]:.2f}x as fast"
        )
        r = results[tool]
        lines.append(
            f"| {tool} | {speed[tool]:,.0f} | {ratio} | {macro_p:.3f} | "
            f"{macro_r:.3f} | {r['decoys_hit']}/{r['decoys']} | "
            f"{r['negatives_hit']}/{r['negatives']} |"
        )
    met = ", ".join(
        f"{what} {rate:,.0f} ({'met' if rate >= LINES_TARGET else '**not met**'})"
        for what, rate in (
            ("`pseudonymise()` on these lines", ours),
            (f"the CLI on a {log_lines:,}-line log", cli_rate),
        )
    )
    lines += [
        "",
        (
            f"Target >= {LINES_TARGET:,} lines/s on one core: {met}, "
            f"where `pseudonymise()` in this process runs at {inproc:,.0f} "
            f"over the same lines (the CLI at {cli_rate / inproc:.0%} of "
            "it; see the note on the CLI below)."
        ),
        "",
        "Per type, precision / recall (a type a tool does not detect has recall 0):",
        "",
        "| type | gold | " + " | ".join(tools) + " |",
        "| --- | ---: |" + " ---: |" * len(tools),
    ]
    for g in GROUPS:
        gold = results["dataprotect"]["groups"][g]["gold"]
        if not gold:
            continue
        cells = []
        for tool in tools:
            row = results[tool]["groups"][g]
            p = f"{row['precision']:.3f}" if row["pred"] else "—"
            cells.append(f"{p} / {row['recall']:.3f}")
        lines.append(f"| {g} | {gold} | " + " | ".join(cells) + " |")
    lines.append("")
    return lines


def run(quick: bool) -> str:
    """Run the comparison and return Markdown tables."""
    warnings.filterwarnings("ignore")
    logging.getLogger("tldextract").setLevel(logging.CRITICAL)
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    tools: dict[str, Callable[[], tuple[Finder, Callable[[str], str]]]] = {
        "dataprotect": _dataprotect,
        "plain regex": _plain_regex,
        "Presidio (blank spaCy)": _presidio,
        "scrubadub": _scrubadub,
    }
    lines: list[str] = []
    load_before = os.getloadavg()[0]
    log = _large_log(CLI_LINES_QUICK if quick else CLI_LINES)
    cli_rate, inproc = _cli_rate(log)
    for name, records in _corpora(quick).items():
        lines += _table(name, records, tools, (len(log), cli_rate, inproc))
    lines += _bad_input((10_000, 40_000) if quick else (100_000, 1_000_000))
    overhead, detect, bare, minimal = _filter_overhead(
        2_000 if quick else 20_000
    )
    met = "met" if overhead <= FILTER_TARGET_US else "**not met**"
    lines += [
        (
            f"Machine load (1-minute load average) {load_before:.1f} at the "
            f"start of this run and {os.getloadavg()[0]:.1f} at its end, on "
            f"{os.cpu_count()} cores shared with other work: compare the "
            "tools by their ratios in one run, not by the absolute figures."
        ),
        "",
        (
            f"`PseudonymisingFilter` adds **{overhead:.1f} µs** (CPU) to a "
            "typical record (`log.info('user %s logged in from %s', email, "
            "ip)` through a formatting handler), median of 7 alternating runs "
            f"(target <= {FILTER_TARGET_US:.0f} µs: {met}).  Of that, "
            f"{detect:.1f} µs is `Pseudonymiser.pseudonymise` of the "
            "formatted message in a loop of its own (the detection passes "
            "that the line's `@`, `.` and digits call for, and the "
            "replacement).  A bare filter that only replaces the message "
            f"by its `pseudonymise()` adds {minimal:.1f} µs: between logging "
            "calls the same detection costs more than in a tight loop.  The "
            f"difference of the two filters, {overhead - minimal:+.1f} µs, "
            "is the filter's own work (extra fields, exceptions, failing "
            "closed) and noise.  The record through the plain handler costs "
            f"{bare:.1f} µs in the same run: CPU-time figures here move with "
            "the load of the shared machine, their ratio less."
        ),
        "",
        (
            "The CLI figure is `dataprotect pseudonymise FILE -o OUT` on "
            f"a log of {len(log):,} distinct lines of both daemon-log "
            "generators (several seeds): the child's CPU time less its CPU "
            "time on an empty file (start-up), so one-time loading is "
            "amortised as in real use, best of "
            f"{CLI_ROUNDS} rounds; each round also times "
            "`pseudonymise()` over the same lines in this process, the "
            "figure it is compared with."
        ),
        "",
        (
            "Presidio runs with `spacy.blank('en')` because no trained spaCy "
            "model is installable here: its pattern recognizers work, its "
            "NER-based `PERSON` does not, which lowers its person-name recall "
            "and speeds it up.  The plain regexes find only the shapes of "
            "email, IPv4, card, IBAN and JWT, without any check."
        ),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run(quick="--quick" in sys.argv))

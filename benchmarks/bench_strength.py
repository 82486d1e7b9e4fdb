"""``check_password`` latency vs raw ``zxcvbn.zxcvbn`` by length and input kind.

For each kind of input (random printable, leetspeak symbols, one repeated
character, a repeated pair, a passphrase, digits) and each length from 8 to
4096, ``check_password`` runs several times (median and worst reported) and
raw zxcvbn 4.5.0 once (with ``max_length`` lifted).  Raw zxcvbn grows
superlinearly, so a raw run is skipped when the previous length's time,
scaled by the square of the length ratio, predicts more than
``RAW_BUDGET_S``.  A final sweep times many random adversarial inputs of the
maximum length and reports the worst.
"""

from __future__ import annotations

import random
import statistics
import string
import time

from collections.abc import Callable


RAW_BUDGET_S = 10.0
TARGET_MS = 50.0
LEET = "@$!0123456789|(<[{+%"
WORDS = "plinth rowboat gazebo nectar velvet quarry mosaic tundra ".split()

Generator = Callable[[random.Random, int], str]

KINDS: dict[str, Generator] = {
    "random printable": lambda r, n: "".join(
        r.choice(string.printable[:94]) for _ in range(n)
    ),
    "leetspeak symbols": lambda r, n: "".join(
        r.choice(LEET) for _ in range(n)
    ),
    "repeated 'a'": lambda _r, n: "a" * n,
    "repeated 'ab'": lambda _r, n: ("ab" * n)[:n],
    "passphrase words": lambda r, n: " ".join(
        r.choice(WORDS) for _ in range(n)
    )[:n],
    "digits": lambda r, n: "".join(r.choice(string.digits) for _ in range(n)),
}


def _time_ms(func: Callable[[], object]) -> float:
    start = time.perf_counter()
    func()
    return (time.perf_counter() - start) * 1000


def run(quick: bool) -> str:
    """Measure and return a Markdown table."""
    from zxcvbn import zxcvbn

    from dataprotect.strength import ANALYSED_LENGTH, check_password

    lengths = [8, 16, 32, 64, 72, 128, 256, 1024, 4096]
    reps = 3 if quick else 11
    budget = 1.0 if quick else RAW_BUDGET_S
    rnd = random.Random(2026)
    rows = [
        "| input | length | check_password median ms | worst ms "
        "| raw zxcvbn ms | raw / median |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    overall_worst = 0.0
    for kind, make in KINDS.items():
        previous: tuple[int, float] | None = None
        for n in lengths:
            password = make(rnd, n)
            check_password(password)  # warm caches
            times = [
                _time_ms(lambda p=password: check_password(p))
                for _ in range(reps)
            ]
            median = statistics.median(times)
            worst = max(times)
            overall_worst = max(overall_worst, worst)
            predicted = (
                previous[1] * (n / previous[0]) ** 2 if previous else 0.0
            )
            if predicted > budget * 1000:
                raw_cell, ratio_cell = (
                    f"skipped (> {budget:.0f} s predicted)",
                    "-",
                )
            else:
                raw = _time_ms(lambda p=password: zxcvbn(p, max_length=10**9))
                previous = (n, raw)
                raw_cell, ratio_cell = f"{raw:,.1f}", f"{raw / median:,.1f}x"
            rows.append(
                f"| {kind} | {n} | {median:.2f} | {worst:.2f} | {raw_cell} "
                f"| {ratio_cell} |"
            )

    # Adversarial sweep at the maximum length: mixtures of the kinds above,
    # repeated short patterns, NFKC-expanding and NFKC-composing input.
    sweep = 30 if quick else 300
    extra: list[Generator] = [
        lambda r, n: (make_piece(r) * n)[:n],
        lambda _r, n: "\ufdfa" * n,  # NFKC: 18 code points each -> too long
        lambda _r, n: "e\u0301" * (n // 2),  # NFKC composes pairs
        lambda r, n: "".join(
            r.choice("aA@4!1|iIlL7tT+$5sS0oO") for _ in range(n)
        ),
    ]
    generators = [*KINDS.values(), *extra]
    sweep_times = []
    for i in range(sweep):
        password = generators[i % len(generators)](rnd, 4096)
        sweep_times.append(_time_ms(lambda p=password: check_password(p)))
    sweep_worst = max(sweep_times)
    overall_worst = max(overall_worst, sweep_worst)
    verdict = "meets" if overall_worst < TARGET_MS else "MISSES"
    rows += [
        "",
        f"Adversarial sweep: {sweep} inputs of 4096 characters (the kinds "
        "above, random repeated patterns, leetspeak look-alikes, "
        "NFKC-expanding and NFKC-composing text): median "
        f"{statistics.median(sweep_times):.2f} ms, worst {sweep_worst:.2f} ms.",
        "",
        f"Worst case over every input measured: **{overall_worst:.2f} ms** "
        f"({verdict} the {TARGET_MS:.0f} ms target).  check_password scores "
        f"the first {ANALYSED_LENGTH} code points with zxcvbn, so its time is "
        "flat in length; raw zxcvbn is run once per cell, and skipped where "
        "the previous length's time, scaled by the square of the length "
        f"ratio, predicts more than {budget:.0f} s.",
    ]
    return "\n".join(rows)


def make_piece(r: random.Random) -> str:
    """A short random pattern to repeat."""
    return "".join(
        r.choice(string.printable[:94]) for _ in range(r.randint(1, 6))
    )

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

import os
import random
import statistics
import string
import time

from collections.abc import Callable


RAW_BUDGET_S = 10.0
TARGET_MS = 50.0
LEET = "@$!0123456789|(<[{+%"
WORDS = ["plinth", "rowboat", "gazebo", "nectar", "velvet", "quarry", "mosaic"]

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
    # A symbol for each leetspeak letter, repeated: the slowest input found
    # (32 overlapping matches in 64 code points, just under the dense cut).
    "repeated 'aA1!'": lambda _r, n: ("aA1!" * n)[:n],
    "passphrase words": lambda r, n: " ".join(
        r.choice(WORDS) for _ in range(n)
    )[:n],
    "digits": lambda r, n: "".join(r.choice(string.digits) for _ in range(n)),
}


def _time_ms(func: Callable[[], object]) -> float:
    start = time.perf_counter()
    func()
    return (time.perf_counter() - start) * 1000


def _measure(func: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock and CPU (this thread) milliseconds of one call."""
    wall, cpu = time.perf_counter(), time.thread_time()
    func()
    return (
        (time.perf_counter() - wall) * 1000,
        (time.thread_time() - cpu) * 1000,
    )


def run(quick: bool) -> str:
    """Measure and return a Markdown table."""
    from zxcvbn import zxcvbn

    from dataprotect.strength import ANALYSED_LENGTH, check_password
    from dataprotect.strength._zxcvbn import DENSE_PREFIX, SINGLES_PREFIX

    lengths = [8, 16, 32, 64, 72, 128, 256, 1024, 4096]
    reps = 3 if quick else 11
    budget = 1.0 if quick else RAW_BUDGET_S
    rnd = random.Random(2026)
    load_before = os.getloadavg()[0]
    rows = [
        (
            "| input | length | check_password median ms | worst ms | worst CPU ms "
            "| raw zxcvbn ms | raw / median |"
        ),
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    walls: list[float] = []  # every call
    cpus: list[float] = []
    per_input: list[tuple[float, str]] = []  # each input's fastest call
    for kind, make in KINDS.items():
        previous: tuple[int, float] | None = None
        for n in lengths:
            password = make(rnd, n)
            check_password(password)  # warm caches
            samples = [
                _measure(lambda p=password: check_password(p))
                for _ in range(reps)
            ]
            wall = [w for w, _ in samples]
            cpu = [c for _, c in samples]
            walls += wall
            cpus += cpu
            per_input.append((min(cpu), min(wall), f"{kind}, {n} characters"))
            median = statistics.median(wall)
            predicted = (
                previous[1] * (n / previous[0]) ** 2 if previous else 0.0
            )
            if predicted > budget * 1000:
                raw_cell = f"skipped (> {budget:.0f} s predicted)"
                ratio_cell = "-"
            else:
                raw = _time_ms(lambda p=password: zxcvbn(p, max_length=10**9))
                previous = (n, raw)
                raw_cell, ratio_cell = f"{raw:,.1f}", f"{raw / median:,.1f}x"
            rows.append(
                f"| {kind} | {n} | {median:.2f} | {max(wall):.2f} "
                f"| {max(cpu):.2f} | {raw_cell} | {ratio_cell} |"
            )

    # Adversarial sweep at the maximum length: the kinds above, random
    # repeated patterns, leetspeak look-alikes, NFKC-expanding and
    # NFKC-composing text; each input runs three times.
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
    sweep_best: list[tuple[float, float, str]] = []
    sweep_wall: list[float] = []
    for i in range(sweep):
        password = generators[i % len(generators)](rnd, 4096)
        samples = [
            _measure(lambda p=password: check_password(p)) for _ in range(3)
        ]
        sweep_wall += [w for w, _ in samples]
        cpus += [c for _, c in samples]
        sweep_best.append(
            (
                min(c for _, c in samples),
                min(w for w, _ in samples),
                f"sweep input {password[:12]!r}...",
            )
        )
    walls += sweep_wall
    per_input += sweep_best
    load_after = os.getloadavg()[0]
    worst_cpu, worst_wall, worst_label = max(per_input)
    verdict = "meets" if worst_cpu < TARGET_MS else "misses"
    p99 = statistics.quantiles(walls, n=100)[98]
    rows += [
        "",
        (
            f"Adversarial sweep: {sweep} inputs of 4096 characters, three "
            f"runs each: median {statistics.median(sweep_wall):.2f} ms, "
            f"slowest input {max(sweep_best)[0]:.2f} ms CPU (its fastest run)."
        ),
        "",
        (
            f"**Worst-case input: {worst_cpu:.2f} ms** of CPU time, "
            f"{worst_label} ({verdict} the {TARGET_MS:.0f} ms target; "
            f"{worst_wall:.2f} ms wall-clock), taking each of the "
            f"{len(per_input)} inputs' fastest run in CPU time, which a "
            "moment without a core does not inflate.  Over all "
            f"{len(walls)} calls: 99th percentile {p99:.2f} ms, slowest single "
            f"call {max(walls):.2f} ms wall-clock, most CPU time in one call "
            f"{max(cpus):.2f} ms.  The machine is shared (load average "
            f"{load_before:.1f} before and {load_after:.1f} after the run, on "
            "2 cores), so single calls sometimes wait for a core."
        ),
        "",
        (
            f"check_password scores at most the first {ANALYSED_LENGTH} code "
            f"points with zxcvbn ({DENSE_PREFIX} for repetitive input with many "
            f"overlapping matches, {SINGLES_PREFIX} when many positions match "
            "one-letter words), so its time is flat in length.  Raw zxcvbn "
            "(`max_length` lifted) runs once per cell and is skipped where the "
            "previous length's time, scaled by the square of the length ratio, "
            f"predicts more than {budget:.0f} s."
        ),
    ]
    return "\n".join(rows)


def make_piece(r: random.Random) -> str:
    """A short random pattern to repeat."""
    return "".join(
        r.choice(string.printable[:94]) for _ in range(r.randint(1, 6))
    )

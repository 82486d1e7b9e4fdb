"""Timing helpers shared by the benchmarks: interleaved rounds, ratios."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

from collections.abc import Callable


def interleaved(
    candidates: dict[str, Callable[[], object]],
    *,
    number: int,
    rounds: int = 7,
    timer: Callable[[], float] = time.perf_counter,
) -> dict[str, float]:
    """Median seconds per call of each candidate, run in alternating rounds.

    Alternating the candidates round by round spreads the noise of a shared
    machine evenly over them, so their ratios are meaningful.  *timer*
    ``time.process_time`` counts only this process's CPU time, which other
    processes on the machine disturb far less than wall time.
    """
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    for fn in candidates.values():  # warm up
        fn()
    for _ in range(rounds):
        for name, fn in candidates.items():
            start = timer()
            for _ in range(number):
                fn()
            samples[name].append((timer() - start) / number)
    return {name: statistics.median(s) for name, s in samples.items()}


def child_peak_rss_mib(code: str) -> float:
    """Peak RSS (MiB) of a fresh interpreter running *code*.

    Read from ``VmHWM`` in ``/proc/self/status``, which starts afresh at
    ``exec`` (``ru_maxrss`` would carry over the parent's peak).
    """
    probe = (
        code
        + "\nimport re, sys"
        + "\nstatus = open('/proc/self/status').read()"
        + "\nsys.stdout.write(re.search(r'VmHWM:\\s+(\\d+)', status)[1])"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def fmt_rate(bytes_per_second: float) -> str:
    """Human throughput, e.g. ``2.31 GB/s``."""
    return f"{bytes_per_second / 1e9:.2f} GB/s"

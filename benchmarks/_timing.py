"""Timing helpers shared by the benchmarks: interleaved rounds, ratios."""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import sys
import time

from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path


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


def run_process(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    capture: bool = False,
) -> tuple[float, os.struct_rusage, bytes]:
    """Wall-clock seconds, resource usage and (if *capture*) standard
    output of one process; its standard error ends a failure's message.

    The usage comes from ``wait4``: it counts only the child, and a busy
    machine inflates its CPU time far less than the wall-clock time.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(argv),
        env=None if env is None else dict(env),
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    assert proc.stderr is not None
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    out = b""
    if proc.stdout is not None:
        out = proc.stdout.read()
        proc.stdout.close()
    if os.waitstatus_to_exitcode(status) != 0:
        msg = f"{argv[0]} failed: {err[-500:]}"
        raise RuntimeError(msg)
    return wall, usage, out


def process_cost(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system) of one process."""
    wall, usage, _ = run_process(argv, env=env, cwd=cwd)
    return wall, usage.ru_utime + usage.ru_stime


def interleaved_processes(
    commands: Mapping[str, Sequence[str]],
    *,
    rounds: int,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> dict[str, tuple[float, float]]:
    """Median wall-clock and CPU seconds of each command, as whole processes.

    Every round runs each command once, the order rotating from round to
    round, so neither the noise of a shared machine nor a position in the
    round favours one command; one unrecorded warm-up run each first.
    """
    samples = interleaved_process_samples(
        commands, rounds=rounds, env=env, cwd=cwd
    )
    return {
        name: (statistics.median(walls), statistics.median(cpus))
        for name, (walls, cpus) in samples.items()
    }


def interleaved_process_samples(
    commands: Mapping[str, Sequence[str]],
    *,
    rounds: int,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> dict[str, tuple[list[float], list[float]]]:
    """The wall-clock and CPU seconds of every round of each command, run
    as :func:`interleaved_processes` runs them."""
    names = list(commands)
    for name in names:
        process_cost(commands[name], env=env, cwd=cwd)
    samples: dict[str, tuple[list[float], list[float]]] = {
        name: ([], []) for name in names
    }
    for i in range(rounds):
        shift = i % len(names)
        for name in names[shift:] + names[:shift]:
            wall, cpu = process_cost(commands[name], env=env, cwd=cwd)
            samples[name][0].append(wall)
            samples[name][1].append(cpu)
    return samples


@contextlib.contextmanager
def cpu_hog() -> Iterator[int | None]:
    """Keep one core busy (a spinning process) while the block runs.

    The process is pinned to the last core where the platform allows, so
    on a 2-core machine a tool that wants both cores gets one.  Yields the
    core it is pinned to (None: not pinned).
    """
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        core = None
        cores = os.cpu_count() or 1
        if hasattr(os, "sched_setaffinity") and cores > 1:
            core = cores - 1
            os.sched_setaffinity(hog.pid, {core})
        yield core
    finally:
        hog.kill()
        hog.wait()


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

"""Soak: mixed load in 16 threads for a long time, checking it stays sound.

``python -m benchmarks.soak [--seconds N] [--threads N]`` (default: 600
seconds, or ``$SOAK_SECONDS``; 16 threads) runs, with
``sys.setswitchinterval(1e-6)`` so threads switch as often as CPython can:

- encrypt/decrypt (``Encryptor``, a per-thread context) and a check that the
  plaintext comes back and a wrong context is refused;
- hash/verify (``PasswordHasher``, small cost): a fresh hash of a new
  password, verified with it and with a wrong one;
- rate-limit hits (``RateLimiter``, ``memory://``, each strategy in turn):
  a round on a key of its own must admit exactly its rate, and every hit
  also counts on one key shared by all threads, whose final count must equal
  the sum of the hits made (no lost update);
- pseudonymise (``Pseudonymiser``), whose output must equal the one computed
  before the threads started.

It fails (exit 1) on any exception or wrong result, or if the resident set
size after warm-up (the first tenth of the run, at least 5 s) drifts by 5 %
or more by the end.  Prints a Markdown summary.  ``nox -s soak`` runs it;
it is not in the default run.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import threading
import time

from collections.abc import Callable
from dataclasses import dataclass, field

from dataprotect import Encryptor, Keyring
from dataprotect.errors import DecryptionError
from dataprotect.passwords import PasswordHasher
from dataprotect.pseudonymise import Pseudonymiser
from dataprotect.ratelimit import RateLimiter


THREADS = 16
DRIFT_LIMIT = 0.05
SHARED_RATE = "1000000000/day"
ROUND_RATE = 20
STRATEGIES = ("moving-window", "fixed-window", "sliding-window-counter")
LINE = "login failed for anna.meier@example.ch from 203.0.113.{n}"


def rss_bytes() -> int:
    """This process's resident set size."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        resident = int(statm.read().split()[1])
    return resident * os.sysconf("SC_PAGE_SIZE")


@dataclass
class Counts:
    """What one thread did (each thread writes only its own)."""

    ops: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            ("crypt", "password", "ratelimit", "pseudonymise"), 0
        )
    )
    shared_hits: int = 0


@dataclass(frozen=True)
class Result:
    """The measurements of one soak run."""

    seconds: float
    ops: dict[str, int]
    shared_hits: int
    counted: int
    rss_warm: float
    rss_end: float
    rss_peak: int
    drift: float
    errors: list[str]
    #: (seconds into the run, RSS) at each tenth of the run
    trace: list[tuple[float, int]]

    @property
    def ok(self) -> bool:
        """No error, no lost update, flat memory."""
        return not self.errors and abs(self.drift) < DRIFT_LIMIT


class Soak:
    """The shared objects and the checks of one soak run."""

    def __init__(self, seconds: float, threads: int) -> None:
        self.seconds = seconds
        self.threads = threads
        self.encryptor = Encryptor(Keyring.generate())
        # The process-wide bound (one hash per CPU) makes the 16 threads
        # queue; a long busy_timeout turns a slot never given back into an
        # error here, where a loaded machine would only make them wait.
        self.hasher = PasswordHasher(
            time_cost=1, memory_cost=64, parallelism=1, busy_timeout=60
        )
        self.pseudonymiser = Pseudonymiser(key=os.urandom(32))
        self.expected = {
            n: self.pseudonymiser.pseudonymise(LINE.format(n=n))
            for n in range(16)
        }
        self.limiters = {s: RateLimiter(strategy=s) for s in STRATEGIES}
        self.shared = RateLimiter(strategy="fixed-window")
        self.counts = [Counts() for _ in range(threads)]
        self.errors: list[str] = []
        self.stop = threading.Event()

    # -- the four kinds of work (each returns nothing, or raises) ----------

    def crypt(self, me: int, i: int) -> None:
        plain = os.urandom(i % 300)
        context = f"soak:{me}:{i}".encode()
        blob = self.encryptor.encrypt(plain, context)
        check(self.encryptor.decrypt(blob, context) == plain, "round trip")
        try:
            self.encryptor.decrypt(blob, context + b"!")
        except DecryptionError:
            pass
        else:
            fail("a wrong context decrypted")

    def password(self, me: int, i: int) -> None:
        password = f"password {me} {i}"
        stored = self.hasher.hash(password)
        check(self.hasher.verify(stored, password), "right password refused")
        check(
            not self.hasher.verify(stored, f"wrong {me} {i}"),
            "wrong password accepted",
        )

    def ratelimit(self, me: int, i: int) -> None:
        lim = self.limiters[STRATEGIES[i % len(STRATEGIES)]]
        key = f"round-{me}-{i}"
        rate = f"{ROUND_RATE}/hour"
        admitted = sum(lim.hit(rate, key) for _ in range(ROUND_RATE + 5))
        check(admitted == ROUND_RATE, f"admitted {admitted} of {ROUND_RATE}")
        lim.reset(rate, key)
        check(self.shared.hit(SHARED_RATE, "shared"), "shared hit refused")
        self.counts[me].shared_hits += 1

    def pseudonymise(self, me: int, i: int) -> None:
        n = (me + i) % 16
        got = self.pseudonymiser.pseudonymise(LINE.format(n=n))
        check(got == self.expected[n], "pseudonym changed")

    # -- running -----------------------------------------------------------

    def worker(self, me: int) -> None:
        kinds: list[tuple[str, Callable[[int, int], None]]] = [
            ("crypt", self.crypt),
            ("password", self.password),
            ("ratelimit", self.ratelimit),
            ("pseudonymise", self.pseudonymise),
        ]
        i = 0
        counts = self.counts[me].ops
        while not self.stop.is_set():
            name, work = kinds[(me + i) % len(kinds)]
            try:
                work(me, i)
            except Exception as exc:
                self.errors.append(f"{name}: {type(exc).__name__}: {exc}")
                self.stop.set()
                return
            counts[name] += 1
            i += 1

    def run(self) -> Result:
        """Run the load; return the measurements."""
        warm_up = max(5.0, self.seconds / 10)
        pool = [
            threading.Thread(target=self.worker, args=(me,), daemon=True)
            for me in range(self.threads)
        ]
        old = sys.getswitchinterval()
        sys.setswitchinterval(1e-6)
        samples: list[tuple[float, int]] = []
        start = time.monotonic()
        try:
            for t in pool:
                t.start()
            while (elapsed := time.monotonic() - start) < self.seconds:
                if self.stop.wait(min(1.0, self.seconds - elapsed)):
                    break
                gc.collect()
                samples.append((time.monotonic() - start, rss_bytes()))
        finally:
            self.stop.set()
            for t in pool:
                t.join()
            sys.setswitchinterval(old)
        elapsed = time.monotonic() - start
        shared_hits = sum(c.shared_hits for c in self.counts)
        counted = 1_000_000_000 - self.shared.remaining(SHARED_RATE, "shared")
        if counted != shared_hits:
            self.errors.append(
                f"lost update: {shared_hits} hits made, {counted} counted"
            )
        after = [rss for at, rss in samples if at >= warm_up]
        head, tail = after[: max(1, len(after) // 10)], after[-10:]
        base = statistics.median(head) if head else 0
        end = statistics.median(tail) if tail else 0
        drift = (end - base) / base if base else 0.0
        return Result(
            seconds=elapsed,
            ops={
                name: sum(c.ops[name] for c in self.counts)
                for name in self.counts[0].ops
            },
            shared_hits=shared_hits,
            counted=counted,
            rss_warm=base,
            rss_end=end,
            rss_peak=max((rss for _, rss in samples), default=0),
            drift=drift,
            errors=list(self.errors),
            trace=samples[:: max(1, len(samples) // 10)],
        )


def check(condition: bool, what: str) -> None:
    """Raise if *condition* is false (asserts vanish under ``-O``)."""
    if not condition:
        fail(what)


def fail(what: str) -> None:
    """Report a wrong result."""
    raise SoakError(what)


class SoakError(Exception):
    """A wrong result during the soak."""


def report(found: Result, threads: int) -> str:
    """The Markdown summary of *found*."""
    mib = 1024 * 1024
    lines = [
        f"{threads} threads, switch interval 1 µs, {found.seconds:.0f} s",
        "",
        "| work (one operation) | operations |",
        "|---|---:|",
        *(f"| {name} | {count:,} |" for name, count in found.ops.items()),
        "",
        (
            f"- shared rate-limit key: {found.shared_hits:,} hits made, "
            f"{found.counted:,} counted"
        ),
        (
            f"- RSS after warm-up {found.rss_warm / mib:.1f} MiB, at the end "
            f"{found.rss_end / mib:.1f} MiB (drift {found.drift:+.2%}, "
            f"limit ±{DRIFT_LIMIT:.0%}), peak {found.rss_peak / mib:.1f} MiB"
        ),
        "- RSS over the run: "
        + ", ".join(
            f"{rss / mib:.1f} MiB at {at:.0f} s" for at, rss in found.trace
        ),
        f"- errors: {len(found.errors) or 'none'}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the soak; 0 if sound, 1 otherwise."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak")
    parser.add_argument(
        "--seconds",
        type=float,
        default=float(os.environ.get("SOAK_SECONDS", "600")),
    )
    parser.add_argument("--threads", type=int, default=THREADS)
    args = parser.parse_args(argv)
    found = Soak(args.seconds, args.threads).run()
    print(report(found, args.threads), flush=True)
    for error in found.errors:
        print(f"ERROR {error}", file=sys.stderr)
    if abs(found.drift) >= DRIFT_LIMIT:
        print(f"ERROR RSS drift {found.drift:+.2%}", file=sys.stderr)
    return 0 if found.ok else 1


if __name__ == "__main__":
    sys.exit(main())

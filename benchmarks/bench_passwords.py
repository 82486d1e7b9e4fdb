"""PasswordHasher and TokenHasher against raw argon2-cffi and a raw hmac loop.

Runs are interleaved (ours, peer, ours, peer, ...), timed in process CPU
time, and the per-round ratios' median is reported, so the shared machine's
noise cancels out.
"""

from __future__ import annotations

import hashlib
import hmac
import statistics
import time

from collections.abc import Callable

import argon2

from dataprotect.keys import Keyring
from dataprotect.passwords import PasswordHasher
from dataprotect.tokens import TokenHasher, generate_token


def _time(func: Callable[[], object], n: int) -> float:
    # CPU time of the process (all threads): argon2's lanes run in threads,
    # and CPU time is far less disturbed by other processes on a shared
    # machine than wall time.
    start = time.process_time()
    for _ in range(n):
        func()
    return (time.process_time() - start) / n


def _pair(
    ours: Callable[[], object],
    peer: Callable[[], object],
    rounds: int,
    n: int,
) -> tuple[float, float, float]:
    """(median seconds ours, median seconds peer, median ratio ours/peer)."""
    a: list[float] = []
    b: list[float] = []
    ratios: list[float] = []
    for i in range(rounds):
        if i % 2:
            tb = _time(peer, n)
            ta = _time(ours, n)
        else:
            ta = _time(ours, n)
            tb = _time(peer, n)
        a.append(ta)
        b.append(tb)
        ratios.append(ta / tb)
    return (
        statistics.median(a),
        statistics.median(b),
        statistics.median(ratios),
    )


#: Absolute per-call cost of the wrapper (seconds), per operation, and the
#: default profile's per-call time, filled by _profile_rows.
_ABSOLUTE: dict[str, dict[str, float]] = {}


def _profile_rows(
    label: str, params: dict[str, int], rounds: int, n: int
) -> list[str]:
    password = "correct horse battery staple"
    ours = PasswordHasher(**params)  # type: ignore[arg-type]
    raw = argon2.PasswordHasher(**params)  # type: ignore[arg-type]
    stored = ours.hash(password)
    raw_stored = raw.hash(password)
    rows = []
    for op, mine, theirs in (
        ("hash", lambda: ours.hash(password), lambda: raw.hash(password)),
        (
            "verify",
            lambda: ours.verify(stored, password),
            lambda: raw.verify(raw_stored, password),
        ),
    ):
        ta, tb, ratio = _pair(mine, theirs, rounds, n)
        _ABSOLUTE.setdefault(op, {})[label] = ta - tb if params else tb
        rows.append(
            f"| `{op}`, {label} | {ta * 1e3:.3f} ms | {tb * 1e3:.3f} ms "
            f"| {(ratio - 1) * 100:+.1f}% |"
        )
    return rows


#: The cheapest argon2id profile: the wrapper's own cost dominates.
_CHEAP: dict[str, int] = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


def _password_rows(quick: bool) -> list[str]:
    rows = _profile_rows(
        "RFC 9106 default (t=3, 64 MiB, p=4)", {}, 3 if quick else 15, 1
    )
    rows += _profile_rows(
        "cheap (t=1, 8 KiB, p=1), worst case for overhead",
        _CHEAP,
        3 if quick else 15,
        50 if quick else 400,
    )
    rows.append(_pepper_row("RFC 9106 default", {}, 3 if quick else 15, 1))
    rows.append(
        _pepper_row(
            "cheap (t=1, 8 KiB, p=1), worst case for overhead",
            _CHEAP,
            3 if quick else 15,
            50 if quick else 400,
        )
    )
    return rows


def _pepper_row(
    label: str, params: dict[str, int], rounds: int, n: int
) -> str:
    """Peppered verify (HKDF, AES-KW unwrap, argon2) against raw argon2."""
    password = "correct horse battery staple"
    peppered = PasswordHasher(**params, pepper=Keyring.generate())
    plain = argon2.PasswordHasher(**params)  # type: ignore[arg-type]
    p_stored = peppered.hash(password)
    r_stored = plain.hash(password)
    ta, tb, ratio = _pair(
        lambda: peppered.verify(p_stored, password),
        lambda: plain.verify(r_stored, password),
        rounds,
        n,
    )
    _ABSOLUTE.setdefault("verify with a pepper", {})[label] = (
        ta - tb if params else tb
    )
    return (
        f"| `verify` with a pepper, {label} | {ta * 1e3:.3f} ms "
        f"| {tb * 1e3:.3f} ms | {(ratio - 1) * 100:+.1f}% |"
    )


def _absolute_note() -> str:
    """The wrapper's absolute cost (cheap profile) over a default call.

    At the default profile one call takes hundreds of milliseconds and the
    shared machine's noise is several percent, so the direct ratio above is
    mostly noise; the cheap profile measures the wrapper's own cost.
    """
    parts = []
    for op, values in _ABSOLUTE.items():
        cheap = next(v for k, v in values.items() if k.startswith("cheap"))
        default = next(v for k, v in values.items() if k.startswith("RFC"))
        parts.append(
            f"`{op}` {cheap * 1e6:+.1f} µs = {cheap / default * 100:+.4f}%"
        )
    return (
        "Wrapper cost measured at the cheap profile, relative to one "
        "default-profile call (the noise-free overhead): "
        + ", ".join(parts)
        + "."
    )


def _token_rows(quick: bool) -> list[str]:
    ring = Keyring.generate()
    hasher = TokenHasher(ring)
    token = generate_token("bench")
    digest = hasher.digest(token)
    key = b"k" * 32
    raw_token = token.encode("ascii")
    expected = hmac.new(key, raw_token, hashlib.sha256).digest()

    def raw_loop() -> bool:
        mac = hmac.new(key, raw_token, hashlib.sha256).digest()
        return hmac.compare_digest(mac, expected)

    rounds, n = (3, 2000) if quick else (15, 20000)
    rows = []
    for label, ours in (
        (
            "`TokenHasher.verify` (digest + compare)",
            lambda: hasher.verify(token, digest),
        ),
        ("`TokenHasher.digest`", lambda: hasher.digest(token)),
    ):
        ta, tb, ratio = _pair(ours, raw_loop, rounds, n)
        rows.append(
            f"| {label} | {1 / ta:,.0f}/s | {1 / tb:,.0f}/s | {1 / ratio:.2f}x |"
        )
    return rows


def run(quick: bool) -> str:
    """Markdown tables with the ratios (see the module docstring)."""
    lines = [
        (
            "Password hashing: median CPU time per call, and dataprotect's "
            "overhead over raw `argon2.PasswordHasher` (target: at most +2% "
            "at the default profile)."
        ),
        "",
        "| Operation | dataprotect | argon2-cffi | Overhead |",
        "|---|---|---|---|",
        *_password_rows(quick),
        "",
        _absolute_note(),
        "",
        (
            "Token digests: operations per second against a raw "
            "`hmac.new(...).digest()` + `hmac.compare_digest` loop "
            "(target: at least 0.7x)."
        ),
        "",
        "| Operation | dataprotect | raw hmac loop | Ratio |",
        "|---|---|---|---|",
        *_token_rows(quick),
    ]
    return "\n".join(lines)

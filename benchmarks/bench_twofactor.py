"""TOTP verification: dataprotect against pyotp and raw ``cryptography``.

Every candidate does the same check in one interleaved run (median of
rounds of process CPU time, ``benchmarks._timing.interleaved``): a 6-digit
SHA-1 code, window ±1 step, cycling through 1,000 users' 20-byte secrets.

- **dataprotect** ``TOTP.verify``: decrypts the user's secret from the
  stored record, computes the candidate steps after the last accepted one
  (current step first), compares in constant time, and returns the updated
  record.  "Enrolled by" is how many ``Encryptor`` instances (worker
  processes) wrote the records: with 8, consecutive records rarely share a
  subkey batch and the decryption derives its XAES-256-GCM subkey nearly
  every time; with 1, every record is in one batch and the subkey is
  cached.
- **pyotp** ``TOTP(secret).verify(code, valid_window=1)``: the secret is
  stored in clear (base32), a ``TOTP`` object is made per check, as a
  server with one secret per user does.
- **cryptography** ``hazmat.primitives.twofactor.totp.TOTP``: the raw key
  in clear, an object per check, ``verify`` for the current step and then
  each neighbour until one passes (``InvalidToken`` otherwise), as an
  application adds the window the library does not have.
- **cryptography + AES-GCM**: the same, with the secret stored encrypted
  under one AES-256-GCM key (random nonce, the user id as associated data)
  and decrypted per check: the same job as dataprotect's, done by hand.

Two cases: the code of the current step (accepted at the first candidate
step), and a wrong code (every step of the window computed).
"""

from __future__ import annotations

import base64
import os
import time

from collections.abc import Callable

import pyotp

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor import InvalidToken
from cryptography.hazmat.primitives.twofactor import totp as raw_totp

from benchmarks._timing import interleaved
from dataprotect import Encryptor, Keyring
from dataprotect.twofactor import TOTP


NOW = 1_790_000_000.0
USERS = 1000
SECRETS = [os.urandom(20) for _ in range(USERS)]
CONTEXTS = [b"users:%d" % i for i in range(USERS)]
WRONG = "wrong"


def _raw_window(totp: raw_totp.TOTP, code: bytes) -> bool:
    """cryptography's TOTP with a ±1 step window, current step first."""
    for delta in (0, -30, 30):
        try:
            totp.verify(code, NOW + delta)
        except InvalidToken:
            continue
        return True
    return False


def _codes(case: str) -> list[str]:
    """Each user's code for *case*: the current step's, or a wrong one."""
    codes = []
    for secret in SECRETS:
        code = raw_totp.TOTP(secret, 6, SHA1(), 30).generate(NOW).decode()
        if case == WRONG:
            code = f"{(int(code) + 1) % 10**6:06d}"
        codes.append(code)
    return codes


def _cycle(check: Callable[[int], object]) -> Callable[[], object]:
    """A call checking the next user's code each time."""
    state = {"i": 0}

    def call() -> object:
        i = state["i"] = (state["i"] + 1) % USERS
        return check(i)

    return call


def _candidates(case: str, workers: int) -> dict[str, Callable[[], object]]:
    """Each library verifying the users' codes for *case* in turn."""
    ring = Keyring.generate()
    enrolling = [TOTP(Encryptor(ring)) for _ in range(workers)]
    records = [
        enrolling[i % workers].from_secret(SECRETS[i], context=CONTEXTS[i])
        for i in range(USERS)
    ]
    ours = TOTP(Encryptor(ring))
    aead = AESGCM(AESGCM.generate_key(bit_length=256))
    sealed = []
    for secret, context in zip(SECRETS, CONTEXTS, strict=True):
        nonce = os.urandom(12)
        sealed.append(nonce + aead.encrypt(nonce, secret, context))
    b32 = [base64.b32encode(secret).decode() for secret in SECRETS]
    codes = _codes(case)
    raw = [code.encode() for code in codes]
    return {
        "dataprotect": _cycle(
            lambda i: ours.verify(
                records[i], codes[i], context=CONTEXTS[i], now=NOW
            )
        ),
        "pyotp": _cycle(
            lambda i: pyotp.TOTP(b32[i]).verify(
                codes[i], for_time=NOW, valid_window=1
            )
        ),
        "cryptography": _cycle(
            lambda i: _raw_window(
                raw_totp.TOTP(SECRETS[i], 6, SHA1(), 30), raw[i]
            )
        ),
        "cryptography + AES-GCM": _cycle(
            lambda i: _raw_window(
                raw_totp.TOTP(
                    aead.decrypt(sealed[i][:12], sealed[i][12:], CONTEXTS[i]),
                    6,
                    SHA1(),
                    30,
                ),
                raw[i],
            )
        ),
    }


def _check(candidates: dict[str, Callable[[], object]], ok: bool) -> None:
    """Every candidate must give the same answer (guards the benchmark)."""
    for name, fn in candidates.items():
        result = fn()
        accepted = result[0] if isinstance(result, tuple) else result
        if accepted is not ok:
            msg = f"{name} answered {accepted}, expected {ok}"
            raise SystemExit(msg)


def run(quick: bool) -> str:
    """A Markdown table of µs per verify and ratios (see the docstring)."""
    number, rounds = (USERS, 3) if quick else (5 * USERS, 11)
    peers = ["pyotp", "cryptography", "cryptography + AES-GCM"]
    rows = [
        (
            "TOTP verify (6 digits, SHA-1, window ±1, 1,000 users in turn): "
            "median CPU µs per call of interleaved rounds, and dataprotect's "
            "time over each peer's (target: at most 1.2x)."
        ),
        "",
        "| code | enrolled by | dataprotect | "
        + " | ".join(peers)
        + " | "
        + " | ".join(f"/ {p}" for p in peers)
        + " |",
        "|---" * (3 + 2 * len(peers)) + "|",
    ]
    for case, workers, ok in (
        ("current step", 8, True),
        ("current step", 1, True),
        (WRONG, 8, False),
    ):
        candidates = _candidates(case, workers)
        _check(candidates, ok)
        t = interleaved(
            candidates, number=number, rounds=rounds, timer=time.process_time
        )
        us = {name: seconds * 1e6 for name, seconds in t.items()}
        ours = us["dataprotect"]
        rows.append(
            f"| {case} | {workers} | {ours:.2f} | "
            + " | ".join(f"{us[p]:.2f}" for p in peers)
            + " | "
            + " | ".join(f"**{ours / us[p]:.2f}x**" for p in peers)
            + " |"
        )
    return "\n".join(rows)

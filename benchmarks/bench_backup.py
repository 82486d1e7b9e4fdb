"""Backup throughput: dataprotect's native container vs age, gpg, restic.

Every tool runs as a subprocess on the same file in one run, writing to
/dev/null where it can; peak RSS comes from ``wait4``'s ``ru_maxrss``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time

from pathlib import Path


# The dataprotect subprocesses print the time spent in encrypt/decrypt, so
# the interpreter's start-up (about 0.3 s) is not counted as throughput.
_DP_ENCRYPT = """
import sys, time
from dataprotect.backup import encrypt, parse_recipient
r = [parse_recipient(sys.argv[3])]
t = time.perf_counter()
with open(sys.argv[1], "rb") as src, open(sys.argv[2], "wb") as dst:
    encrypt(src, dst, r)
print(time.perf_counter() - t)
"""
_DP_DECRYPT = """
import sys, time
from dataprotect.backup import decrypt, parse_identity
i = [parse_identity(open(sys.argv[3]).read().strip())]
t = time.perf_counter()
with open(sys.argv[1], "rb") as src, open(sys.argv[2], "wb") as dst:
    decrypt(src, dst, i)
print(time.perf_counter() - t)
"""
# The payload STREAM alone (AES-256-GCM, 1 MiB segments, no manifest and so
# no SHA-256): what the format would cost without the plaintext hash.
_STREAM = """
import os, sys, time
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from dataprotect import _stream
op = _stream.seal_stream if sys.argv[3] == "seal" else _stream.open_stream
aead = AESGCM(bytes(32))
t = time.perf_counter()
with open(sys.argv[1], "rb") as src, open(sys.argv[2], "wb") as dst:
    op(aead, src, dst, segment_size=1 << 20, prefix=bytes(7))
print(time.perf_counter() - t)
"""


def _run(
    cmd: list[str], *, env: dict[str, str] | None = None, timed: bool = False
) -> tuple[float, float]:
    """(seconds, peak RSS in MiB) of one subprocess."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        env=env,
        stdout=subprocess.PIPE if timed else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed: {err[-500:]}")
    if timed and proc.stdout is not None:
        elapsed = float(proc.stdout.read().decode().strip())
        proc.stdout.close()
    return elapsed, usage.ru_maxrss / 1024


def run(quick: bool) -> str:
    size = (64 if quick else 1024) << 20
    repeat = 1 if quick else 3
    tmp = Path(tempfile.mkdtemp(prefix="bench-backup-"))
    rows: list[tuple[str, float | None, float | None, float | None, str]] = []
    try:
        src = tmp / "data.bin"
        with src.open("wb") as fh:
            for _ in range(size >> 20):
                fh.write(os.urandom(1 << 20))
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [
                str(Path(__file__).resolve().parent.parent / "src"),
                env.get("PYTHONPATH", ""),
            ]
        )
        py = sys.executable

        from dataprotect.backup import generate_identity

        ident = generate_identity("x25519")
        (tmp / "id.txt").write_text(ident.to_text())
        enc = tmp / "data.dpbk"
        _run(
            [py, "-c", _DP_ENCRYPT, str(src), str(enc), str(ident.recipient)],
            env=env,
        )
        sealed = tmp / "data.stream"
        _run([py, "-c", _STREAM, str(src), str(sealed), "seal"], env=env)
        peers: dict[str, tuple[float, float, float]] = {}
        # dataprotect and age alternate, best of *repeat* rounds each, so
        # load from other processes hits both alike.
        jobs: dict[str, list] = {
            "dp-enc": [
                [
                    py,
                    "-c",
                    _DP_ENCRYPT,
                    str(src),
                    os.devnull,
                    str(ident.recipient),
                ],
                env,
                True,
            ],
            "dp-dec": [
                [
                    py,
                    "-c",
                    _DP_DECRYPT,
                    str(enc),
                    os.devnull,
                    str(tmp / "id.txt"),
                ],
                env,
                True,
            ],
        }
        jobs["stream-enc"] = [
            [py, "-c", _STREAM, str(src), os.devnull, "seal"],
            env,
            True,
        ]
        jobs["stream-dec"] = [
            [py, "-c", _STREAM, str(sealed), os.devnull, "open"],
            env,
            True,
        ]
        have_age = bool(shutil.which("age") and shutil.which("age-keygen"))
        if have_age:
            key = tmp / "age.key"
            subprocess.run(
                ["age-keygen", "-o", str(key)], check=True, capture_output=True
            )
            recipient = subprocess.run(
                ["age-keygen", "-y", str(key)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
            aged = tmp / "data.age"
            _run(["age", "-r", recipient, "-o", str(aged), str(src)])
            jobs["age-enc"] = [
                ["age", "-r", recipient, "-o", os.devnull, str(src)],
                None,
                False,
            ]
            jobs["age-dec"] = [
                ["age", "-d", "-i", str(key), "-o", os.devnull, str(aged)],
                None,
                False,
            ]
        results: dict[str, list[tuple[float, float]]] = {k: [] for k in jobs}
        for _ in range(repeat):
            for label, (cmd, job_env, timed) in jobs.items():
                results[label].append(_run(cmd, env=job_env, timed=timed))

        def best(label: str) -> tuple[float, float]:
            runs = results[label]
            return min(r[0] for r in runs), max(r[1] for r in runs)

        e, d = best("dp-enc"), best("dp-dec")
        rows.append(
            (
                "dataprotect (native, X25519)",
                size / e[0],
                size / d[0],
                max(e[1], d[1]),
                "",
            )
        )
        e, d = best("stream-enc"), best("stream-dec")
        stream = (size / e[0], size / d[0], max(e[1], d[1]))
        enc.unlink()
        sealed.unlink()
        if have_age:
            e, d = best("age-enc"), best("age-dec")
            peers["age"] = (size / e[0], size / d[0], max(e[1], d[1]))
            aged.unlink()
        if shutil.which("gpg"):
            home = tmp / "gnupg"
            home.mkdir(mode=0o700)
            (tmp / "pw").write_text("benchmark passphrase\n")
            base = [
                "gpg",
                "--homedir",
                str(home),
                "--batch",
                "--yes",
                "--quiet",
                "--pinentry-mode",
                "loopback",
                "--passphrase-file",
                str(tmp / "pw"),
            ]
            gpged = tmp / "data.gpg"
            e = _run(
                [
                    *base,
                    "--symmetric",
                    "--cipher-algo",
                    "AES256",
                    "--compress-algo",
                    "none",
                    "-o",
                    str(gpged),
                    str(src),
                ]
            )
            d = _run([*base, "--decrypt", "-o", os.devnull, str(gpged)])
            peers["gpg --symmetric AES256"] = (
                size / e[0],
                size / d[0],
                max(e[1], d[1]),
            )
            gpged.unlink()
        if shutil.which("restic"):
            renv = dict(
                os.environ,
                RESTIC_PASSWORD="benchmark",
                RESTIC_REPOSITORY=str(tmp / "repo"),
            )
            _run(["restic", "init", "--quiet"], env=renv)
            e = _run(["restic", "backup", "--quiet", str(src)], env=renv)
            d = _run(["restic", "dump", "latest", str(src)], env=renv)
            peers["restic backup / dump"] = (
                size / e[0],
                size / d[0],
                max(e[1], d[1]),
            )
        for name, (enc_rate, dec_rate, rss) in peers.items():
            rows.append((name, enc_rate, dec_rate, rss, ""))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    age = peers.get("age")
    lines = [
        (
            f"Encrypting and decrypting a {size >> 20} MiB file of random "
            "bytes, output to /dev/null (gpg encrypt and restic write their "
            "own files); dataprotect and age alternate, best of "
            f"{repeat}; dataprotect's rates exclude its interpreter start-up "
            "(about 0.3 s), the other tools' rates are wall time."
        ),
        "",
        "| Tool | Encrypt MB/s | Decrypt MB/s | vs age (enc / dec) | Peak RSS MiB |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, enc_rate, dec_rate, rss, _ in rows:
        ratio = (
            f"{enc_rate / age[0]:.2f}x / {dec_rate / age[1]:.2f}x"
            if age and enc_rate and dec_rate
            else "n/a"
        )
        lines.append(
            f"| {name} | {enc_rate / 1e6:,.0f} | {dec_rate / 1e6:,.0f} | {ratio} | {rss:,.0f} |"
        )
    dp = rows[0]
    if age:
        lines += [
            "",
            (
                "Targets: native >= 1.5x age for encrypt and decrypt "
                f"(measured {dp[1] / age[0]:.2f}x / {dp[2] / age[1]:.2f}x); "
                f"peak RSS < 100 MiB (measured {dp[3]:.0f} MiB)."
            ),
        ]
    sha, gcm = _primitives(64 if quick else 256)
    vs_age = (
        f" ({stream[0] / age[0]:.2f}x / {stream[1] / age[1]:.2f}x age)"
        if age
        else ""
    )
    lines += [
        "",
        (
            "Where the time goes: the manifest's SHA-256 of the plaintext "
            f"runs at {sha / 1e6:,.0f} MB/s on one core here and AES-256-GCM "
            f"(`encrypt_into`, 1 MiB) at {gcm / 1e6:,.0f} MB/s. The hash runs "
            "on a second core beside the STREAM, so the native format "
            f"reaches {dp[1] / sha:.0%} / {dp[2] / sha:.0%} of the hash's "
            "own rate (encrypt / decrypt) and no faster: SHA-256 is "
            "sequential. The payload STREAM alone (no manifest, no hash) "
            f"runs at {stream[0] / 1e6:,.0f} / {stream[1] / 1e6:,.0f} MB/s"
            f"{vs_age}."
        ),
    ]
    return "\n".join(lines)


def _primitives(mib: int) -> tuple[float, float]:
    """Single-core SHA-256 and AES-256-GCM rates (bytes/s), in process."""
    import hashlib

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    buf = bytearray(os.urandom(1 << 20))
    out = bytearray((1 << 20) + 16)
    digest = hashlib.sha256()
    start = time.perf_counter()
    for _ in range(mib):
        digest.update(buf)
    sha = mib * (1 << 20) / (time.perf_counter() - start)
    aead = AESGCM(os.urandom(32))
    start = time.perf_counter()
    for i in range(mib):
        aead.encrypt_into(i.to_bytes(12, "big"), buf, None, out)
    gcm = mib * (1 << 20) / (time.perf_counter() - start)
    return sha, gcm

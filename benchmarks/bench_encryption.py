"""Encryption at rest vs raw ``cryptography`` AESGCM, Fernet and ``openssl``.

Messages: ``Encryptor.encrypt`` (XAES-256-GCM, key id, context) against
AESGCM with a reused key and a random 96-bit nonce, returning
``nonce || ciphertext`` as a caller must store it, and Fernet.  Streams:
``encrypt_stream``/``decrypt_stream`` in memory to a null sink against a
plain loop of ``AESGCM.encrypt_into`` over 1 MiB chunks, and ``openssl
speed``.  Files: ``encrypt_file``/``decrypt_file`` and the CLI against age
and gpg, file to file on disk, with and without fsync.  Memory: peak RSS
of a 2 GiB stream against a 64 MiB one, each in a fresh process.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

from collections.abc import Callable, Iterator
from pathlib import Path

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from benchmarks._peers import (
    CLI,
    Age,
    Gpg,
    age_cli,
    dataprotect_env,
    gpg_symmetric,
)
from benchmarks._timing import (
    child_peak_rss_mib,
    fmt_rate,
    interleaved,
    process_cost,
)
from dataprotect import Encryptor, EnvKEK, Keyring


MIB = 1024 * 1024


class ZeroSource:
    """A readable stream of *size* bytes that costs nothing to produce."""

    def __init__(self, size: int) -> None:
        self.left = size

    def readinto(self, buf: memoryview) -> int:
        n = min(len(buf), self.left)
        self.left -= n
        return n

    def read(self, n: int) -> bytes:
        n = min(n, self.left)
        self.left -= n
        return bytes(n)


class NullSink:
    """A writable stream that discards what it gets."""

    def write(self, data: bytes) -> int:
        return len(data)


class ReplaySource:
    """Serves one sealed stream from memory, as often as asked."""

    def __init__(self, data: bytes) -> None:
        self.data = memoryview(data)
        self.pos = 0

    def readinto(self, buf: memoryview) -> int:
        n = min(len(buf), len(self.data) - self.pos)
        buf[:n] = self.data[self.pos : self.pos + n]
        self.pos += n
        return n

    def read(self, n: int) -> bytes:
        chunk = bytes(self.data[self.pos : self.pos + n])
        self.pos += len(chunk)
        return chunk


def raw_encrypt(aead: AESGCM, data: bytes) -> bytes:
    """The raw baseline of a message: a random nonce, then the ciphertext.

    What a caller must store to decrypt, as :meth:`Encryptor.encrypt`
    returns it (the nonce alone would not do).
    """
    nonce = os.urandom(12)
    return nonce + aead.encrypt(nonce, data, None)


def _raw_chunks(
    crypt: Callable[[bytes, memoryview, None, memoryview], int],
    src: ZeroSource | ReplaySource,
    size_in: int,
    grow: int,
) -> None:
    """The 'forty-line loop': *crypt* (AESGCM.encrypt_into or
    decrypt_into) over chunks of up to *size_in* bytes from *src*, each
    *grow* bytes longer (the tag, or minus it) on its way to a sink."""
    dst = NullSink()
    buf = bytearray(size_in)
    out = bytearray(size_in + grow)
    counter = 0
    while True:
        n = src.readinto(memoryview(buf))
        if not n:
            break
        nonce = counter.to_bytes(12, "big")
        crypt(nonce, memoryview(buf)[:n], None, memoryview(out)[: n + grow])
        dst.write(out)
        counter += 1


def raw_stream(aead: AESGCM, size: int, chunk: int = MIB) -> None:
    """The loop with AESGCM.encrypt_into, *size* zero bytes."""
    _raw_chunks(aead.encrypt_into, ZeroSource(size), chunk, 16)


def raw_stream_decrypt(aead: AESGCM, sealed: bytes, chunk: int = MIB) -> None:
    """The same loop decrypting, reading through the same kind of source."""
    _raw_chunks(aead.decrypt_into, ReplaySource(sealed), chunk + 16, -16)


def openssl_speed() -> float | None:
    """``openssl speed -evp aes-256-gcm`` throughput at 16 KiB blocks."""
    if shutil.which("openssl") is None:
        return None
    out = subprocess.run(
        ["openssl", "speed", "-evp", "aes-256-gcm", "-seconds", "2"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    for line in out.splitlines():
        if line.lower().startswith("aes-256-gcm"):
            last = re.findall(r"([\d.]+)k", line)
            if last:
                return float(last[-1]) * 1000
    return None


#: The CLI with ``os.fsync`` made a no-op, for the rows without fsync.
CLI_NO_FSYNC = "import os; os.fsync = lambda fd: None; " + CLI
KEK_VAR = "BENCH_ENCRYPTION_KEK"


@contextlib.contextmanager
def no_fsync() -> Iterator[None]:
    """Make ``os.fsync`` a no-op in this process (age and gpg never call it)."""
    real = os.fsync
    os.fsync = lambda _fd: None
    try:
        yield
    finally:
        os.fsync = real


def fsync_path(path: Path) -> None:
    """fsync *path* and its directory, as ``atomic_write`` does."""
    for target, flags in ((path, os.O_RDONLY), (path.parent, os.O_RDONLY)):
        fd = os.open(target, flags)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


#: How a tool is run in one direction, given whether the pass fsyncs.
Maker = Callable[[bool], Callable[[], object]]


def _files(*, quick: bool) -> list[str]:
    """File to file on disk: encrypt_file/decrypt_file, the CLI, age, gpg.

    Two passes: without fsync (dataprotect's made a no-op; age and gpg do
    none) and with it (after age and gpg exit, their output and its
    directory are fsynced, as dataprotect's atomic write does).
    """
    size = (32 if quick else 256) * MIB
    rounds = 2 if quick else 5
    with tempfile.TemporaryDirectory(prefix="bench-files-") as name:
        tmp = Path(name)
        plain, out, back = tmp / "plain", tmp / "out", tmp / "back"
        with plain.open("wb") as fh:
            for _ in range(size // MIB):
                fh.write(os.urandom(MIB))
        env = dataprotect_env(tmp / "pycache")
        env[KEK_VAR] = EnvKEK.generate_value()
        ring, keyring = tmp / "ring", Keyring.generate()
        keyring.save(ring, kek=EnvKEK(KEK_VAR, environ=env))
        enc = Encryptor(keyring)
        sealed = tmp / "sealed.dpenc"
        enc.encrypt_file(plain, sealed)

        def in_process(call: Callable[[], object]) -> Maker:
            return lambda _synced: call

        def dp_cli(op: str, src: Path, dst: Path) -> Maker:
            def make(synced: bool) -> Callable[[], object]:
                code = CLI if synced else CLI_NO_FSYNC
                argv = [sys.executable, "-c", code, op, str(src)]
                argv += ["--keyring", str(ring), "--kek", f"env:{KEK_VAR}"]
                return lambda: process_cost(
                    [*argv, "-o", str(dst), "--force"], env=env
                )

            return make

        def peer(argv: list[str], dst: Path) -> Maker:
            def make(synced: bool) -> Callable[[], object]:
                def call() -> None:
                    process_cost(argv)
                    if synced:
                        fsync_path(dst)

                return call

            return make

        tools: dict[str, dict[str, Maker]] = {
            "`Encryptor.encrypt_file` / `decrypt_file` (in process)": {
                "enc": in_process(lambda: enc.encrypt_file(plain, out)),
                "dec": in_process(lambda: enc.decrypt_file(sealed, back)),
            },
            "`dataprotect encrypt` / `decrypt` (CLI, start-up included)": {
                "enc": dp_cli("encrypt", plain, out),
                "dec": dp_cli("decrypt", sealed, back),
            },
        }

        def add_peer(label: str, tool: Age | Gpg | None, ext: str) -> None:
            if tool is None:
                return
            done = tmp / f"sealed.{ext}"
            subprocess.run(tool.encrypt(plain, done), check=True)
            tools[label] = {
                "enc": peer(tool.encrypt(plain, out), out),
                "dec": peer(tool.decrypt(done, back), back),
            }

        add_peer("`age` (X25519, ChaCha20-Poly1305)", age_cli(tmp), "age")
        gpg = gpg_symmetric(tmp)
        add_peer("`gpg --symmetric --cipher-algo AES256`", gpg, "gpg")
        rates: dict[str, dict[str, float]] = {label: {} for label in tools}
        try:
            for synced in (False, True):
                for direction in ("enc", "dec"):
                    candidates = {
                        label: makers[direction](synced)
                        for label, makers in tools.items()
                    }
                    with contextlib.nullcontext() if synced else no_fsync():
                        t = interleaved(candidates, number=1, rounds=rounds)
                    column = direction + ("-sync" if synced else "")
                    for label, seconds in t.items():
                        rates[label][column] = size / seconds
        finally:
            if gpg is not None:
                gpg.close()
    return _files_table(rates, size, rounds)


def _files_table(
    rates: dict[str, dict[str, float]], size: int, rounds: int
) -> list[str]:
    age = next(
        (r for label, r in rates.items() if label.startswith("`age")), None
    )
    lines = [
        (
            f"### Files ({size // MIB} MiB of random bytes, file to file on "
            f"disk, median of {rounds} interleaved rounds)"
        ),
        "",
        (
            "Without fsync, dataprotect's is made a no-op (age and gpg do "
            "none) and the page cache takes the output; with fsync, age's and "
            "gpg's output and its directory are fsynced after they exit, as "
            "dataprotect's atomic write does.  The CLI rows include the "
            "interpreter's start-up and a keyring under an `env:` KEK."
        ),
        "",
        "| tool | encrypt | decrypt | encrypt, fsync | decrypt, fsync | vs age (enc / dec, no fsync) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, r in rates.items():
        ratio = (
            f"{r['enc'] / age['enc']:.2f}x / {r['dec'] / age['dec']:.2f}x"
            if age
            else "n/a"
        )
        lines.append(
            f"| {label} | {fmt_rate(r['enc'])} | {fmt_rate(r['dec'])} "
            f"| {fmt_rate(r['enc-sync'])} | {fmt_rate(r['dec-sync'])} | {ratio} |"
        )
    return lines


def run(*, quick: bool) -> str:
    enc = Encryptor(Keyring.generate())
    aead = AESGCM(AESGCM.generate_key(bit_length=256))
    fernet = Fernet(Fernet.generate_key())
    rows = [
        "### Messages (median time per `encrypt`, interleaved rounds)",
        "",
        (
            "Raw AESGCM is timed producing what a caller must store, "
            "`nonce || ciphertext` (`Encryptor.encrypt` returns "
            "`version || key id || nonce || ciphertext`)."
        ),
        "",
        "| size | Encryptor | raw AESGCM, nonce + ciphertext | Fernet | Encryptor / AESGCM | Fernet / Encryptor |",
        "|---|---|---|---|---|---|",
    ]
    for size in (64, 1024, 64 * 1024, MIB):
        data = os.urandom(size)
        number = max(2, min(20_000, 20_000_000 // (size * 20 + 1000)))
        if quick:
            number = max(2, number // 10)
        t = interleaved(
            {
                "enc": lambda data=data: enc.encrypt(data, b"users.email:42"),
                "raw": lambda data=data: raw_encrypt(aead, data),
                "fernet": lambda data=data: fernet.encrypt(data),
            },
            number=number,
        )
        rows.append(
            f"| {size:,} B | {t['enc'] * 1e6:.2f} µs | {t['raw'] * 1e6:.2f} µs "
            f"| {t['fernet'] * 1e6:.2f} µs | **{t['enc'] / t['raw']:.2f}x** "
            f"| {t['fernet'] / t['enc']:.1f}x |"
        )

    data = os.urandom(1024)
    sealed_msg = enc.encrypt(data, b"c")
    raw_msg = raw_encrypt(aead, data)
    t = interleaved(
        {
            "enc": lambda: enc.decrypt(sealed_msg, b"c"),
            "raw": lambda: aead.decrypt(
                raw_msg[:12], memoryview(raw_msg)[12:], None
            ),
        },
        number=2000 if quick else 20_000,
    )
    rows += [
        "",
        (
            f"`decrypt` of 1 KiB: Encryptor {t['enc'] * 1e6:.2f} µs, raw AESGCM "
            f"from `nonce || ciphertext` {t['raw'] * 1e6:.2f} µs "
            f"(**{t['enc'] / t['raw']:.2f}x**)."
        ),
    ]

    size = (64 if quick else 512) * MIB
    sealed_sink = bytearray()

    class Collect:
        def write(self, data: bytes) -> int:
            sealed_sink.extend(data)
            return len(data)

    enc.encrypt_stream(ZeroSource(32 * MIB), Collect())
    sealed = bytes(sealed_sink)
    raw_sealed = b"".join(
        aead.encrypt(i.to_bytes(12, "big"), bytes(MIB), None)
        for i in range(32)
    )
    t = interleaved(
        {
            "enc": lambda: enc.encrypt_stream(ZeroSource(size), NullSink()),
            "raw": lambda: raw_stream(aead, size),
        },
        number=1,
        rounds=5,
    )
    d = interleaved(
        {
            "enc": lambda: enc.decrypt_stream(
                ReplaySource(sealed), NullSink()
            ),
            "raw": lambda: raw_stream_decrypt(aead, raw_sealed),
        },
        number=1,
        rounds=5,
    )
    ossl = openssl_speed()
    rows += [
        "",
        (
            "### Streams (1 MiB segments, in memory to a null sink, median of "
            "interleaved rounds)"
        ),
        "",
        (
            "No file and no disk here: this is the cipher's and the "
            "segmenting's cost alone.  File-to-file figures follow below."
        ),
        "",
        "| direction | encrypt_stream / decrypt_stream | raw AESGCM `*_into` loop | ratio (target >= 0.85x) |",
        "|---|---|---|---|",
        (
            f"| encrypt | {fmt_rate(size / t['enc'])} | {fmt_rate(size / t['raw'])} "
            f"| **{t['raw'] / t['enc']:.2f}x** |"
        ),
        (
            f"| decrypt | {fmt_rate(32 * MIB / d['enc'])} | {fmt_rate(32 * MIB / d['raw'])} "
            f"| **{d['raw'] / d['enc']:.2f}x** |"
        ),
        "",
        "`openssl speed -evp aes-256-gcm` (system OpenSSL, 16 KiB blocks): "
        + (
            f"{fmt_rate(ossl)}, so encrypt_stream runs at "
            f"**{size / t['enc'] / ossl:.2f}x** of it."
            if ossl
            else "not available."
        ),
    ]

    rows += ["", *_files(quick=quick)]

    code = (
        "from dataprotect import Encryptor, Keyring\n"
        "from benchmarks.bench_encryption import ZeroSource, NullSink\n"
        "Encryptor(Keyring.generate()).encrypt_stream(ZeroSource({n}), NullSink())\n"
    )
    big = (256 if quick else 2048) * MIB
    small_rss = child_peak_rss_mib(code.format(n=64 * MIB))
    big_rss = child_peak_rss_mib(code.format(n=big))
    baseline = child_peak_rss_mib("from dataprotect import Encryptor, Keyring")
    rows += [
        "",
        "### Peak memory of a stream (fresh process, RSS)",
        "",
        "| stream size | peak RSS | above importing `Encryptor` |",
        "|---|---|---|",
        f"| 64 MiB | {small_rss:.1f} MiB | {small_rss - baseline:.1f} MiB |",
        f"| {big // MIB:,} MiB | {big_rss:.1f} MiB | {big_rss - baseline:.1f} MiB |",
        "",
        (
            f"Peak memory is independent of the stream's size "
            f"(ratio {big_rss / small_rss:.2f}x for {big // (64 * MIB)}x the data)."
        ),
    ]
    return "\n".join(rows)

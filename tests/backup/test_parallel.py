"""STREAM sealed on worker threads (``_stream.seal_stream(workers=...)``)
and the backup container written with it: byte for byte the serial
output, tamper evidence unchanged, no partial output and no thread left on
failure."""

from __future__ import annotations

import hashlib
import io
import os
import threading

from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import pytest

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import given, settings
from hypothesis import strategies as st

from dataprotect import _stream, backup
from dataprotect.errors import (
    BackupIntegrityError,
    ConfigurationError,
    DecryptionError,
)


SEG = 4096
KEY = AESGCM(bytes(range(32)))
PREFIX = bytes(7)
X = backup.generate_identity("x25519")
NOW = datetime(2026, 12, 7, tzinfo=timezone.utc)


def pipeline_threads() -> list[threading.Thread]:
    return [
        t
        for t in threading.enumerate()
        if t.name.startswith(("dataprotect-seal", "dataprotect-tap"))
    ]


def reference(data: bytes, ad: bytes | None = None) -> bytes:
    """STREAM as specified, one segment at a time: the oracle."""
    count = max(1, -(-len(data) // SEG))
    return b"".join(
        KEY.encrypt(
            PREFIX + i.to_bytes(4, "big") + bytes([i == count - 1]),
            data[i * SEG : (i + 1) * SEG],
            ad,
        )
        for i in range(count)
    )


def parallel(
    data: bytes,
    *,
    workers: int,
    batch: int,
    trailer: bytes | None = None,
    ad: bytes | None = None,
    tap: object = None,
) -> tuple[bytes, int]:
    out = io.BytesIO()
    n = _stream.seal_stream(
        KEY,
        io.BytesIO(data),
        out,
        segment_size=SEG,
        prefix=PREFIX,
        associated_data=ad,
        workers=workers,
        tap=tap,  # type: ignore[arg-type]
        trailer=None if trailer is None else (lambda _n: trailer),
        batch_segments=batch,
    )
    return out.getvalue(), n


def opened(blob: bytes, ad: bytes | None = None) -> bytes:
    out = io.BytesIO()
    _stream.open_stream(
        KEY,
        io.BytesIO(blob),
        out,
        segment_size=SEG,
        prefix=PREFIX,
        associated_data=ad,
    )
    return out.getvalue()


# Sizes on and beside segment and batch boundaries (batches of 1 to 4
# segments here, so a few KiB cross many of them).
sizes = st.one_of(
    st.integers(0, 12).flatmap(
        lambda k: st.integers(max(0, k * SEG - 2), k * SEG + 2)
    ),
    st.integers(0, 13 * SEG),
)


@settings(max_examples=60, deadline=None)
@given(
    sizes,
    st.integers(0, 3),
    st.integers(1, 4),
    st.none() | st.binary(max_size=2 * SEG + 3),
    st.none() | st.binary(max_size=8),
)
def test_byte_identical_to_serial(size, workers, batch, trailer, ad):
    """Any size, worker count, batch size, trailer and associated data:
    the output is STREAM's over data + trailer, the tap sees exactly
    the data, and no thread outlives the call."""
    data = os.urandom(size)
    digest = hashlib.sha256()
    blob, n = parallel(
        data,
        workers=workers,
        batch=batch,
        trailer=trailer,
        ad=ad,
        tap=digest.update,
    )
    assert blob == reference(data + (trailer or b""), ad)
    assert (
        blob == parallel(data, workers=0, batch=1, trailer=trailer, ad=ad)[0]
    )
    assert n == size
    assert digest.digest() == hashlib.sha256(data).digest()
    assert opened(blob, ad) == data + (trailer or b"")
    assert not pipeline_threads()


@settings(max_examples=40, deadline=None)
@given(
    st.integers(2 * SEG + 1, 9 * SEG),
    st.integers(1, 3),
    st.data(),
)
def test_tamper_truncation_reorder_rejected(size, workers, data):
    """Parallel output keeps STREAM's guarantees: a flipped bit, a
    dropped tail, a dropped or swapped segment all fail to open."""
    plain = os.urandom(size)
    blob, _ = parallel(plain, workers=workers, batch=2)
    seg = SEG + _stream.TAG_SIZE
    count = -(-len(blob) // seg)
    flip = bytearray(blob)
    flip[data.draw(st.integers(0, len(blob) - 1))] ^= 1
    i = data.draw(st.integers(0, count - 2))
    segments = [blob[k * seg : (k + 1) * seg] for k in range(count)]
    swapped = segments[:]
    swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
    cut = data.draw(st.integers(1, len(blob) - 1))
    for bad in (
        bytes(flip),
        blob[:cut],
        b"".join(segments[:i] + segments[i + 1 :]),
        b"".join(swapped),
        blob + segments[0],
    ):
        with pytest.raises(DecryptionError):
            opened(bad)


def test_small_input_starts_no_thread():
    """An input that fits one batch runs entirely in the caller's thread."""
    seen: list[threading.Thread] = []

    def tap(view: memoryview) -> None:
        seen.append(threading.current_thread())

    blob, _ = parallel(b"x" * (3 * SEG), workers=2, batch=4, tap=tap)
    assert blob == reference(b"x" * (3 * SEG))
    assert seen == [threading.main_thread()]


@pytest.mark.parametrize(
    ("workers", "tapped_on"), [(0, "MainThread"), (1, "dataprotect-tap")]
)
def test_tap_has_a_thread_only_beside_workers(workers, tapped_on):
    """With no workers (every core busy), the tap runs in the caller's
    thread only; with workers, on a thread of its own (once the first
    batch has shown that there is more than one)."""
    data = os.urandom(40 * SEG)
    seen: set[str] = set()
    digest = hashlib.sha256()

    def tap(view: memoryview) -> None:
        seen.add(threading.current_thread().name)
        digest.update(view)

    blob, n = parallel(data, workers=workers, batch=2, tap=tap)
    assert (blob, n) == (reference(data), len(data))
    assert digest.digest() == hashlib.sha256(data).digest()
    assert tapped_on in seen
    assert seen <= {"MainThread", tapped_on}
    assert pipeline_threads() == []


def test_negative_workers_refused():
    with pytest.raises(ValueError, match="workers"):
        parallel(b"", workers=-1, batch=1)


class Exploding:
    """An AEAD that fails on its *n*-th segment."""

    def __init__(self, n: int) -> None:
        self.calls = 0
        self.n = n
        self.lock = threading.Lock()

    def encrypt_into(self, nonce, data, ad, buf) -> int:
        with self.lock:
            self.calls += 1
            if self.calls == self.n:
                msg = "sealing failed"
                raise RuntimeError(msg)
        return KEY.encrypt_into(nonce, data, ad, buf)


class FailingReader(io.RawIOBase):
    def __init__(self, good: int) -> None:
        self.left = good

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        if self.left <= 0:
            msg = "disk went away"
            raise OSError(msg)
        n = min(len(b), self.left)
        b[:n] = b"d" * n
        self.left -= n
        return n


class FailingWriter:
    def __init__(self, good: int) -> None:
        self.left = good

    def write(self, data) -> int:
        if self.left <= 0:
            msg = "disk full"
            raise OSError(msg)
        self.left -= 1
        return len(data)


def bad_tap(view: memoryview) -> None:
    if view[0] == 1:
        raise MemoryError


def bad_trailer(n: int) -> bytes:
    raise KeyError(n)


FAILURES: dict[str, tuple[Callable[[], dict[str, object]], type]] = {
    "worker": (lambda: {"aead": Exploding(7)}, RuntimeError),
    "source": (lambda: {"src": FailingReader(20 * SEG)}, OSError),
    "sink": (lambda: {"dst": FailingWriter(3)}, OSError),
    "tap": (
        lambda: {
            "src": io.BytesIO(bytes(8 * SEG) + b"\x01" * SEG + bytes(8 * SEG))
        },
        MemoryError,
    ),
    "trailer": (lambda: {"trailer": bad_trailer}, KeyError),
}


@pytest.mark.parametrize("workers", [0, 1, 2])
@pytest.mark.parametrize("where", sorted(FAILURES))
def test_failures_end_every_thread(workers, where):
    """A worker's, the source's, the sink's, the tap's or the trailer's
    exception reaches the caller, and every pipeline thread has ended."""
    override, error = FAILURES[where]
    args: dict[str, object] = {
        "aead": KEY,
        "src": io.BytesIO(bytes(40 * SEG)),
        "dst": io.BytesIO(),
        "tap": bad_tap if where == "tap" else hashlib.sha256().update,
    }
    args.update(override())
    with pytest.raises(error):
        _stream.seal_stream(
            args.pop("aead"),  # type: ignore[arg-type]
            args.pop("src"),  # type: ignore[arg-type]
            args.pop("dst"),  # type: ignore[arg-type]
            segment_size=SEG,
            workers=workers,
            batch_segments=1,
            **args,  # type: ignore[arg-type]
        )
    assert not pipeline_threads()


# -- the backup container ------------------------------------------------


def fixed_urandom(monkeypatch: pytest.MonkeyPatch) -> None:
    """The file key and nonce from a counter: equal backups compare."""
    state = {"n": 0}

    def urandom(n: int) -> bytes:
        state["n"] += 1
        return hashlib.shake_256(str(state["n"]).encode()).digest(n)

    monkeypatch.setattr(
        "dataprotect.backup._format.os.urandom", urandom, raising=True
    )


class SameStanza:
    """X's recipient, wrapping a given file key once (HPKE's ephemeral
    key is random): equal file keys give equal headers."""

    def __init__(self) -> None:
        self.memo: dict[bytes, tuple[int, bytes]] = {}

    def _wrap(self, file_key: bytes) -> tuple[int, bytes]:
        if file_key not in self.memo:
            self.memo[file_key] = X.recipient._wrap(file_key)
        return self.memo[file_key]


@settings(max_examples=25, deadline=None)
@given(
    st.integers(0, 3).flatmap(
        lambda k: st.integers(max(0, k * (1 << 20) - 40), k * (1 << 20) + 40)
    ),
    st.sampled_from(["sha256", None]),
    st.booleans(),
    st.integers(1, 3),
)
def test_backup_same_bytes_with_any_workers(size, digest, compress, workers):
    """A backup is the same file whatever the worker count (the
    randomness fixed), and restores with its digest checked."""
    data = os.urandom(size)
    blobs = []
    recipient = SameStanza()
    for w in (0, workers):
        with pytest.MonkeyPatch.context() as mp:
            fixed_urandom(mp)
            out = io.BytesIO()
            manifest = backup.encrypt(
                io.BytesIO(data),
                out,
                [recipient],  # type: ignore[list-item]
                now=NOW,
                digest=digest,
                compress=compress,
                workers=w,
                segment_size=1 << 16,
            )
        blobs.append(out.getvalue())
        assert manifest.size == size
        if digest:
            assert manifest.sha256 == hashlib.sha256(data).digest()
    assert blobs[0] == blobs[1]
    restored = io.BytesIO()
    assert backup.decrypt(io.BytesIO(blobs[1]), restored, [X]).size == size
    assert restored.getvalue() == data
    assert not pipeline_threads()


def test_backup_progress_counts_the_plaintext():
    seen: list[int] = []
    backup.encrypt(
        io.BytesIO(bytes(3 << 20)),
        io.BytesIO(),
        [X.recipient],
        progress=seen.append,
        workers=2,
    )
    assert sum(seen) == 3 << 20


@pytest.mark.parametrize("workers", [-1, 1.5, True, "2"])
def test_backup_refuses_bad_worker_counts(workers):
    with pytest.raises(ConfigurationError, match="workers"):
        backup.encrypt(
            io.BytesIO(b""),
            io.BytesIO(),
            [X.recipient],
            workers=workers,
        )


def test_backup_tampered_segment_rejected():
    out = io.BytesIO()
    backup.encrypt(
        io.BytesIO(os.urandom(3 << 20)), out, [X.recipient], workers=2
    )
    blob = bytearray(out.getvalue())
    blob[len(blob) // 2] ^= 1
    with pytest.raises(BackupIntegrityError):
        backup.decrypt(io.BytesIO(bytes(blob)), None, [X])


@pytest.mark.parametrize("workers", [0, 2])
def test_failing_source_leaves_no_file_and_no_thread(tmp_path, workers):
    """encrypt_file's source failing midway: no output file, no thread."""
    src = tmp_path / "src.bin"
    src.write_bytes(bytes(6 << 20))
    dst = tmp_path / "out.dpbk"
    real_open = Path.open

    def failing_open(self: Path, *args: object, **kwargs: object):
        f = real_open(self, *args, **kwargs)  # type: ignore[call-overload]
        if self == src:
            f.close()
            return FailingReader(3 << 20)
        return f

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Path, "open", failing_open)
        with pytest.raises(OSError, match="disk went away"):
            backup.encrypt_file(src, dst, [X.recipient], workers=workers)
    assert not dst.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src.bin"]
    assert not pipeline_threads()


@pytest.mark.parametrize(
    ("cores", "expected"), [(1, 0), (2, 1), (4, 1), (64, 1)]
)
def test_default_workers_follow_usable_cores(
    monkeypatch: pytest.MonkeyPatch, cores, expected
):
    """A sealing thread where this process may run on two cores, whatever
    the load (a reading of it is stale for a long backup)."""
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cores)))
    monkeypatch.setattr(os, "getloadavg", lambda: (9.0, 9.0, 9.0))
    assert _stream.default_workers() == expected


def test_default_workers_without_affinity(monkeypatch: pytest.MonkeyPatch):
    """Where the affinity is unknown (macOS, Windows): the core count."""
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert _stream.default_workers() == 0
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert _stream.default_workers() == 1


class ReadOnly:
    """A source with ``read`` alone (no ``readinto``)."""

    def __init__(self, data: bytes) -> None:
        self._f = io.BytesIO(data)

    def read(self, size: int) -> bytes:
        return self._f.read(size)


@pytest.mark.parametrize("compress", [False, True])
def test_read_only_source(compress):
    pytest.importorskip("zstandard")
    data = os.urandom(300_000)
    out = io.BytesIO()
    manifest = backup.encrypt(
        ReadOnly(data), out, [X.recipient], compress=compress, workers=1
    )
    assert manifest.sha256 == hashlib.sha256(data).digest()
    restored = io.BytesIO()
    backup.decrypt(io.BytesIO(out.getvalue()), restored, [X])
    assert restored.getvalue() == data

"""The manifest's plaintext SHA-256, hashed on a helper thread."""

from __future__ import annotations

import hashlib
import io
import os
import threading

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from dataprotect import backup
from dataprotect.backup._digest import PlaintextDigest
from dataprotect.errors import BackupIntegrityError


X = backup.generate_identity("x25519")


def helper_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "dataprotect-sha256"]


@settings(max_examples=40)
@given(
    st.lists(
        st.one_of(
            st.binary(max_size=3000),
            st.integers(0, 3 * (1 << 20) + 7).map(lambda n: b"\x5a" * n),
        ),
        max_size=6,
    )
)
def test_equals_hashlib(chunks):
    """Any sequence of updates (also larger than a slot) gives hashlib's digest."""
    digest = PlaintextDigest()
    for chunk in chunks:
        digest.update(chunk)
    joined = b"".join(chunks)
    assert digest.size == len(joined)
    assert digest.digest() == hashlib.sha256(joined).digest()
    assert digest.digest() == hashlib.sha256(joined).digest()


def test_caller_may_reuse_its_buffer_at_once():
    """Data is copied before update returns."""
    buf = bytearray(b"a" * (3 << 20))
    digest = PlaintextDigest()
    digest.update(buf)
    buf[:] = b"b" * len(buf)
    assert digest.digest() == hashlib.sha256(b"a" * (3 << 20)).digest()


def test_no_update_after_close():
    """A closed digest refuses more data; close is idempotent."""
    digest = PlaintextDigest()
    digest.update(b"x")
    digest.close()
    digest.close()
    with pytest.raises(RuntimeError):
        digest.update(b"y")
    assert digest.digest() == hashlib.sha256(b"x").digest()


def test_no_thread_for_empty_input():
    """Nothing hashed, no thread started."""
    digest = PlaintextDigest()
    digest.update(b"")
    assert digest.digest() == hashlib.sha256().digest()


def test_threads_end_on_success_and_on_failure():
    """Encrypting, decrypting and failing all leave no helper thread."""
    before = len(helper_threads())
    out = io.BytesIO()
    backup.encrypt(
        io.BytesIO(os.urandom(100_000)), out, [X.recipient], segment_size=4096
    )
    blob = bytearray(out.getvalue())
    assert backup.decrypt(io.BytesIO(bytes(blob)), None, [X]).size == 100_000
    blob[-100] ^= 1
    with pytest.raises(BackupIntegrityError):
        backup.decrypt(io.BytesIO(bytes(blob)), None, [X])

    class Broken(io.RawIOBase):
        calls = 0

        def readable(self) -> bool:
            return True

        def readinto(self, b) -> int:
            self.calls += 1
            if self.calls > 3:
                raise OSError("disk went away")
            b[:100] = b"d" * 100
            return 100

    with pytest.raises(OSError, match="disk went away"):
        backup.encrypt(Broken(), io.BytesIO(), [X.recipient])
    assert len(helper_threads()) == before


def test_hash_failure_surfaces_without_deadlock():
    """A failure on the helper thread is raised by digest(); update never hangs."""

    class Failing:
        def update(self, data: memoryview) -> None:
            raise MemoryError

    digest = PlaintextDigest()
    digest._hash = Failing()  # type: ignore[assignment]
    for _ in range(10):
        digest.update(b"x" * (1 << 20))
    with pytest.raises(MemoryError):
        digest.digest()

"""The one STREAM implementation (Hoang, Reyhanitabar, Rogaway, Vizar 2015).

A payload is cut into segments of a fixed size; segment *i* is sealed with
the AEAD under the nonce ``prefix || i || last`` where ``i`` is a big-endian
counter filling the nonce up to its last byte and ``last`` is ``0x01`` for
the final segment and ``0x00`` otherwise.  Reordering, dropping, truncating
or appending segments therefore fails authentication.  As in age, only an
empty payload has an empty final segment.

Memory is constant: two input buffers and one output buffer of one segment
each, reused through ``encrypt_into``/``decrypt_into``.  A segment's
plaintext is written out only after it has authenticated.

Used by the at-rest streams (AES-256-GCM), the backup container
(AES-256-GCM) and age (ChaCha20-Poly1305, 64 KiB segments).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO, Final, Protocol

from cryptography.exceptions import InvalidTag

from dataprotect.errors import DecryptionError


__all__ = ["AEAD", "TAG_SIZE", "open_stream", "seal_stream"]

TAG_SIZE: Final = 16
_NONCE_SIZE: Final = 12
_FAILED: Final = "decryption failed"


class AEAD(Protocol):
    """The ``cryptography`` AEAD methods STREAM needs (AESGCM, ChaCha20Poly1305)."""

    def encrypt_into(
        self,
        nonce: bytes,
        data: bytes | memoryview,
        associated_data: bytes | None,
        buf: bytearray | memoryview,
    ) -> int: ...

    def decrypt_into(
        self,
        nonce: bytes,
        data: bytes | memoryview,
        associated_data: bytes | None,
        buf: bytearray | memoryview,
    ) -> int: ...


class _Writer(Protocol):
    def write(self, data: memoryview, /) -> object: ...


def _nonces(prefix: bytes) -> Callable[[int, bool], bytes]:
    width = _NONCE_SIZE - 1 - len(prefix)
    if width < 4:
        msg = "nonce prefix too long"
        raise ValueError(msg)
    limit = 1 << (8 * width)

    def nonce(counter: int, last: bool) -> bytes:
        if counter >= limit:
            msg = "stream too long for its nonce counter"
            raise ValueError(msg)
        return (
            prefix
            + counter.to_bytes(width, "big")
            + (b"\x01" if last else b"\x00")
        )

    return nonce


def _read_full(src: BinaryIO, buf: bytearray) -> int:
    """Fill *buf* from *src*; return the count (short only at EOF)."""
    readinto = getattr(src, "readinto", None)
    view = memoryview(buf)
    got = 0
    while got < len(buf):
        if readinto is not None:
            n = readinto(view[got:])
        else:
            chunk = src.read(len(buf) - got)
            n = len(chunk)
            view[got : got + n] = chunk
        if not n:
            break
        got += n
    return got


#: The first read of :func:`open_stream`; the buffer grows from here.
_FIRST_READ = 1 << 16


def _read_first(src: BinaryIO, size: int) -> bytearray:
    """The first *size* bytes of *src* (fewer only at EOF), in a buffer
    that grows with what arrives: a header announcing 16 MiB segments
    costs no 16 MiB before 16 MiB are there."""
    buf = bytearray(min(size, _FIRST_READ))
    got = _read_full(src, buf)
    while got == len(buf) < size:
        more = bytearray(min(len(buf), size - len(buf)))
        n = _read_full(src, more)
        buf += memoryview(more)[:n]
        got += n
        if n < len(more):  # end of the stream
            break
    del buf[got:]
    return buf


def seal_stream(
    aead: AEAD,
    src: BinaryIO,
    dst: _Writer,
    *,
    segment_size: int,
    prefix: bytes = b"",
    associated_data: bytes | None = None,
    progress: Callable[[int], object] | None = None,
) -> int:
    """Encrypt *src* to *dst*; return the number of plaintext bytes.

    Args:
        aead: An AEAD with 12-byte nonces and 16-byte tags, keyed for this
            stream only.
        src: Readable binary file object (``readinto``).
        dst: Anything with ``write``.
        segment_size: Plaintext bytes per segment.
        prefix: Fixed leading nonce bytes (at most 7).
        associated_data: Bound to every segment (e.g. the header).
        progress: Called with the plaintext byte count of each segment.
    """
    nonce = _nonces(prefix)
    cur, nxt = bytearray(segment_size), bytearray(segment_size)
    out = memoryview(bytearray(segment_size + TAG_SIZE))
    n = _read_full(src, cur)
    counter = total = 0
    while True:
        m = _read_full(src, nxt) if n == segment_size else 0
        last = m == 0
        aead.encrypt_into(
            nonce(counter, last),
            memoryview(cur)[:n],
            associated_data,
            out[: n + TAG_SIZE],
        )
        dst.write(out[: n + TAG_SIZE])
        total += n
        if progress is not None:
            progress(n)
        if last:
            return total
        counter += 1
        cur, nxt, n = nxt, cur, m


def open_stream(
    aead: AEAD,
    src: BinaryIO,
    dst: _Writer,
    *,
    segment_size: int,
    prefix: bytes = b"",
    associated_data: bytes | None = None,
    progress: Callable[[int], object] | None = None,
) -> int:
    """Authenticate and decrypt *src* to *dst*; return the plaintext size.

    Each segment is written to *dst* only after it authenticated.  A full
    segment is a middle one if it authenticates as such, else it must
    authenticate as the final one (as age's reference implementation
    decides); a short segment can only be the final one.  A truncated or
    extended stream therefore fails at its end, after the segments before
    it were written, so a caller writing to a file must discard the output
    on error (the file helpers do).

    Raises:
        dataprotect.errors.DecryptionError: Any segment failed, the stream
            was truncated, reordered or extended.
    """
    nonce = _nonces(prefix)
    size = segment_size + TAG_SIZE
    raw = _read_first(src, size)
    n = len(raw)
    buf = memoryview(raw)
    out = memoryview(bytearray(max(n - TAG_SIZE, 0)))
    counter = total = 0
    while True:
        if n < TAG_SIZE or (n == TAG_SIZE and counter > 0):
            raise DecryptionError(_FAILED)
        data, plain = buf[:n], out[: n - TAG_SIZE]
        last = n < size
        if last or not _open(
            aead, nonce(counter, False), data, associated_data, plain
        ):
            last = True
            if not _open(
                aead, nonce(counter, True), data, associated_data, plain
            ):
                raise DecryptionError(_FAILED)
        dst.write(plain)
        total += n - TAG_SIZE
        if progress is not None:
            progress(n - TAG_SIZE)
        if last:
            if n == size and _read_full(src, bytearray(1)):
                raise DecryptionError(_FAILED)
            return total
        counter += 1
        n = _read_full(src, raw)


def _open(
    aead: AEAD,
    nonce: bytes,
    data: memoryview,
    associated_data: bytes | None,
    out: memoryview,
) -> bool:
    try:
        aead.decrypt_into(nonce, data, associated_data, out)
    except InvalidTag:
        return False
    return True

"""The manifest's SHA-256 of the plaintext, computed on a second core.

SHA-256 runs at about a fifth of AES-256-GCM's speed, so hashing inline
bounds a backup's throughput by the hash plus everything else.  Here the
hash runs in a helper thread (``hashlib`` releases the GIL while it
hashes) over copies of the data gathered into a few fixed 256 KiB slots
(one hand-over per slot, not per update), so the caller may reuse its
buffers at once and memory stays constant; the caller only waits when all
slots are in flight.  The slots are small enough to stay in the second
level cache beside the cipher's segment buffers.  With a core to spare,
throughput is then bounded by the hash alone.
"""

from __future__ import annotations

import hashlib
import queue
import threading

from typing import Final


__all__ = ["PlaintextDigest", "SizeOnly"]

_SLOT: Final = 1 << 18
_SLOTS: Final = 4


class PlaintextDigest:
    """SHA-256 and byte count of everything passed to :meth:`update`.

    Call :meth:`close` (or :meth:`digest`) when done, also on error, so the
    helper thread ends.
    """

    def __init__(self) -> None:
        self.size = 0
        self._hash = hashlib.sha256()
        self._free: queue.SimpleQueue[bytearray] = queue.SimpleQueue()
        self._work: queue.SimpleQueue[tuple[bytearray, int] | None] = (
            queue.SimpleQueue()
        )
        self._thread: threading.Thread | None = None
        self._closed = False
        self._error: BaseException | None = None
        self._result: bytes | None = None
        self._slot: bytearray | None = None
        self._fill = 0

    def _run(self) -> None:
        update, get, put = self._hash.update, self._work.get, self._free.put
        while (item := get()) is not None:
            slot, n = item
            try:
                if self._error is None:
                    update(memoryview(slot)[:n])
            except BaseException as exc:  # noqa: BLE001 - re-raised by digest()
                self._error = exc
            finally:
                put(slot)

    def _start(self) -> None:
        for _ in range(_SLOTS):
            self._free.put(bytearray(_SLOT))
        self._thread = threading.Thread(
            target=self._run, name="dataprotect-sha256", daemon=True
        )
        self._thread.start()

    def update(self, data: bytes | bytearray | memoryview) -> None:
        """Hash *data* (copied; the caller may reuse its buffer at once)."""
        if self._closed:
            msg = "digest already closed"
            raise RuntimeError(msg)
        view = memoryview(data).cast("B")
        if not view:
            return
        if self._thread is None:
            self._start()
        self.size += len(view)
        while view:
            if self._slot is None:
                self._slot, self._fill = self._free.get(), 0
            n = min(len(view), _SLOT - self._fill)
            self._slot[self._fill : self._fill + n] = view[:n]
            self._fill += n
            view = view[n:]
            if self._fill == _SLOT:
                self._flush()

    def _flush(self) -> None:
        if self._slot is not None:
            self._work.put((self._slot, self._fill))
            self._slot = None

    def close(self) -> None:
        """Stop the helper thread (idempotent); no more updates."""
        self._closed = True
        if self._thread is not None:
            self._flush()
            self._work.put(None)
            self._thread.join()
            self._thread = None

    def digest(self) -> bytes:
        """Finish: the SHA-256 of all data passed to :meth:`update`."""
        if self._result is None:
            self.close()
            if self._error is not None:
                raise self._error
            self._result = self._hash.digest()
        return self._result


class SizeOnly:
    """The byte count alone, for backups written with ``digest=None``."""

    def __init__(self) -> None:
        self.size = 0

    def update(self, data: bytes | bytearray | memoryview) -> None:
        """Count *data*."""
        self.size += memoryview(data).nbytes

    def close(self) -> None:
        """Nothing to stop."""

    def digest(self) -> None:
        """No digest: ``None``."""

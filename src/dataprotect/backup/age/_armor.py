"""The armored (PEM) form of age files, strict in both directions."""

from __future__ import annotations

import base64
import binascii
import io

from typing import Any, BinaryIO, Final, NoReturn

from dataprotect.backup.age._header import _CHUNK
from dataprotect.errors import AgeArmorError


__all__ = [
    "_WHITESPACE",
    "_ArmorReader",
    "_ArmorWriter",
    "_Raw",
]

_MAX_WHITESPACE: Final = 64 << 10
_ARMOR_BEGIN: Final = b"-----BEGIN AGE ENCRYPTED FILE-----"
_ARMOR_END: Final = b"-----END AGE ENCRYPTED FILE-----"
_WHITESPACE: Final = b" \t\r\n"


class _ArmorWriter:
    """Strict PEM output: 64-column lines, padding only at the end."""

    def __init__(self, dst: BinaryIO) -> None:
        self._dst = dst
        self._pending = bytearray()
        dst.write(_ARMOR_BEGIN + b"\n")

    def write(self, data: bytes | memoryview) -> int:
        self._pending += data
        whole = len(self._pending) // 48 * 48
        if whole:
            self._emit(bytes(self._pending[:whole]))
            del self._pending[:whole]
        return len(data)

    def _emit(self, data: bytes) -> None:
        text = base64.b64encode(data)
        lines = [text[i : i + 64] for i in range(0, len(text), 64)]
        self._dst.write(b"\n".join(lines) + b"\n")

    def close(self) -> None:
        if self._pending:
            self._emit(bytes(self._pending))
        self._dst.write(_ARMOR_END + b"\n")


class _Raw(io.RawIOBase):
    """A raw view of any binary file object, so it can be buffered."""

    def __init__(self, src: BinaryIO) -> None:
        self._src = src

    def readable(self) -> bool:
        return True

    def readinto(self, buf: memoryview) -> int:  # type: ignore[override]  # BufferedReader passes a memoryview
        readinto = getattr(self._src, "readinto", None)
        if readinto is not None:
            return int(readinto(buf))
        data = self._src.read(len(buf))
        buf[: len(data)] = data
        return len(data)


class _ArmorReader(io.RawIOBase):
    """Strict PEM input (RFC 7468 strict, canonical base64, LF or CRLF).

    Whitespace is allowed only before the BEGIN line and after the END line.
    """

    def __init__(self, src: io.BufferedReader[Any]) -> None:
        self._src = src
        self._buf = bytearray()
        self._started = False
        self._final = False
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buf: memoryview) -> int:  # type: ignore[override]  # BufferedReader passes a memoryview
        while len(self._buf) < len(buf) and not self._done:
            self._next_line()
        n = min(len(buf), len(self._buf))
        buf[:n] = self._buf[:n]
        del self._buf[:n]
        return n

    @staticmethod
    def _fail() -> NoReturn:
        msg = "age armor is malformed"
        raise AgeArmorError(msg)

    def _begin(self) -> None:
        line = self._src.readline(_MAX_WHITESPACE)
        seen = len(line)
        while line and not line.strip(_WHITESPACE):
            line = self._src.readline(_MAX_WHITESPACE)
            seen += len(line)
            if seen > _MAX_WHITESPACE + len(_ARMOR_BEGIN) + 2:
                self._fail()
        first = (
            line.lstrip(_WHITESPACE).removesuffix(b"\n").removesuffix(b"\r")
        )
        if first != _ARMOR_BEGIN or not line.endswith(b"\n"):
            self._fail()
        self._started = True

    def _next_line(self) -> None:
        if not self._started:
            self._begin()
            return
        line = self._src.readline(80)
        content = line.removesuffix(b"\n")
        has_eol = len(content) < len(line)
        if has_eol:
            content = content.removesuffix(b"\r")
        if content == _ARMOR_END:
            trailing = 0
            while chunk := self._src.read(_CHUNK):
                trailing += len(chunk)
                if chunk.strip(_WHITESPACE) or trailing > _MAX_WHITESPACE:
                    self._fail()
            self._done = True
            return
        if (
            not has_eol
            or self._final
            or not content
            or len(content) > 64
            or len(content) % 4
        ):
            self._fail()
        try:
            data = base64.b64decode(content, validate=True)
        except binascii.Error:
            self._fail()
        if base64.b64encode(data) != content:
            self._fail()
        if len(content) < 64 or content.endswith(b"="):
            self._final = True
        self._buf += data

"""Stanzas, the header and its MAC, and the payload key of age files.

The encodings every part of :mod:`dataprotect.backup.age` shares
(canonical unpadded base64, HKDF-SHA-256) live here too.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import re

from dataclasses import dataclass
from typing import Any, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from dataprotect.errors import AgeFormatError


__all__ = [
    "_CHUNK",
    "_FILE_KEY_SIZE",
    "_MAX_LINE",
    "_VERSION",
    "_ZERO_NONCE",
    "_Stanza",
    "_b64",
    "_check_body",
    "_header_mac",
    "_hkdf",
    "_open_body",
    "_payload_aead",
    "_read_header",
    "_unb64",
]

_VERSION: Final = b"age-encryption.org/v1\n"
_PREFIX: Final = b"age-encryption.org/"
_CHUNK: Final = 64 * 1024
_FILE_KEY_SIZE: Final = 16
# Bounds on hostile input, checked before the work they would cause.  The
# longest legitimate header line (a hybrid stanza's share) is 1.5 KB, and
# each stanza costs an X25519 or ML-KEM operation per identity.
_MAX_LINE: Final = 64 << 10
_MAX_HEADER: Final = 4 << 20
_MAX_STANZAS: Final = 1024
_B64: Final = re.compile(rb"[A-Za-z0-9+/]*")
_ZERO_NONCE: Final = bytes(12)


# --- encodings ---------------------------------------------------------------


def _b64(data: bytes) -> bytes:
    return base64.b64encode(data).rstrip(b"=")


def _unb64(text: bytes, what: str) -> bytes:
    """Decode canonical unpadded base64 or raise AgeFormatError."""
    if not _B64.fullmatch(text) or len(text) % 4 == 1:
        msg = f"{what} is not canonical unpadded base64"
        raise AgeFormatError(msg)
    data = base64.b64decode(text + b"=" * (-len(text) % 4))
    if _b64(data) != text:
        msg = f"{what} is not canonical unpadded base64"
        raise AgeFormatError(msg)
    return data


def _hkdf(ikm: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=salt, info=info
    ).derive(ikm)


@dataclass(frozen=True, slots=True)
class _Stanza:
    args: tuple[str, ...]
    body: bytes

    def encode(self) -> bytes:
        text = _b64(self.body)
        lines = [text[i : i + 64] for i in range(0, len(text), 64)]
        if not lines or len(lines[-1]) == 64:
            lines.append(b"")
        head = " ".join(("->", *self.args)).encode("ascii")
        return b"\n".join([head, *lines]) + b"\n"


def _check_body(stanza: _Stanza) -> None:
    if len(stanza.body) != _FILE_KEY_SIZE + 16:
        msg = "age stanza body must wrap a 16-byte file key"
        raise AgeFormatError(msg)


def _open_body(key: bytes, body: bytes) -> bytes | None:
    try:
        return ChaCha20Poly1305(key).decrypt(_ZERO_NONCE, body, None)
    except InvalidTag:
        return None


# --- header ------------------------------------------------------------------


def _line(src: io.BufferedReader[Any]) -> bytes:
    line = src.readline(_MAX_LINE)
    if not line.endswith(b"\n"):
        msg = "age header is truncated or has an overlong line"
        raise AgeFormatError(msg)
    return line


def _args(line: bytes) -> tuple[str, ...]:
    args = line[3:-1].split(b" ")
    for arg in args:
        if not arg or any(not 0x21 <= c <= 0x7E for c in arg):
            msg = "age stanza arguments are malformed"
            raise AgeFormatError(msg)
    return tuple(a.decode("ascii") for a in args)


def _read_header(src: io.BufferedReader) -> tuple[list[_Stanza], bytes, bytes]:
    """Parse a v1 header: (stanzas, the MAC'd bytes, the MAC)."""
    line = _line(src)
    if line != _VERSION:
        msg = (
            "age version is not supported"
            if line.startswith(_PREFIX)
            else "not an age file"
        )
        raise AgeFormatError(msg)
    raw = [line]
    size = len(line)
    stanzas: list[_Stanza] = []
    line = _line(src)
    while line.startswith(b"-> "):
        if len(stanzas) >= _MAX_STANZAS:
            msg = "age header has more than 1024 stanzas"
            raise AgeFormatError(msg)
        raw.append(line)
        size += len(line)
        args = _args(line)
        body = []
        while True:
            body_line = _line(src)
            raw.append(body_line)
            size += len(body_line)
            if size > _MAX_HEADER:
                msg = "age header is larger than 4 MiB"
                raise AgeFormatError(msg)
            text = body_line[:-1]
            if len(text) > 64 or not _B64.fullmatch(text):
                msg = "age stanza body is malformed"
                raise AgeFormatError(msg)
            body.append(text)
            if len(text) < 64:
                break
        stanzas.append(
            _Stanza(args, _unb64(b"".join(body), "age stanza body"))
        )
        line = _line(src)
    if not stanzas or not line.startswith(b"--- ") or len(line) != 48:
        msg = "age header MAC line is malformed"
        raise AgeFormatError(msg)
    mac = _unb64(line[4:-1], "age header MAC")
    return stanzas, b"".join(raw) + b"---", mac


def _header_mac(file_key: bytes, header: bytes) -> bytes:
    key = _hkdf(file_key, b"", b"header")
    return hmac.new(key, header, hashlib.sha256).digest()


def _payload_aead(file_key: bytes, nonce: bytes) -> ChaCha20Poly1305:
    return ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))

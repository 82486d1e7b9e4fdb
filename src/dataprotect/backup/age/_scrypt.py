"""age passphrase recipients and identities (the scrypt stanza).

Documented as :mod:`dataprotect.backup.age`.
"""

from __future__ import annotations

import os
import re

from typing import Final

from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from dataprotect._secret import Secret, Unpicklable, encode_secret
from dataprotect.backup.age._header import (
    _ZERO_NONCE,
    _b64,
    _check_body,
    _open_body,
    _Stanza,
    _unb64,
)
from dataprotect.errors import AgeError, AgeFormatError, ConfigurationError


__all__ = [
    "DEFAULT_WORK_FACTOR",
    "MAX_WORK_FACTOR",
    "ScryptIdentity",
    "ScryptRecipient",
]

_DECIMAL: Final = re.compile(r"[1-9][0-9]*")
_SCRYPT_LABEL: Final = b"age-encryption.org/v1/scrypt"
#: The scrypt work factor (log2 N) used for passphrases, as ``age -p``.
DEFAULT_WORK_FACTOR: Final = 18
#: The highest scrypt work factor :func:`decrypt` accepts by default: 4x
#: the work and memory of ``age -p``'s 18 (1 GiB), room for rage, which
#: calibrates to one second on the encrypting machine.  age's library
#: accepts 22 (4 GiB), "not suitable for systems processing untrusted
#: files".
MAX_WORK_FACTOR: Final = 20


def _passphrase_bytes(passphrase: object) -> bytes:
    if isinstance(passphrase, str):
        passphrase = encode_secret(
            "passphrase", passphrase, ConfigurationError
        )
    if not isinstance(passphrase, bytes):
        msg = "passphrase must be str or bytes"
        raise TypeError(msg)
    if not passphrase:
        msg = "passphrase must not be empty"
        raise ConfigurationError(msg)
    return passphrase


def _scrypt(passphrase: bytes, salt: bytes, work_factor: int) -> bytes:
    kdf = Scrypt(
        salt=_SCRYPT_LABEL + salt, length=32, n=1 << work_factor, r=8, p=1
    )
    try:
        return kdf.derive(passphrase)
    except MemoryError:
        # 128 * 8 * N bytes (256 MiB at 18) could not be allocated: a
        # memory cap.  Raised outside the except block: nothing to chain.
        pass
    msg = "not enough memory for the age scrypt work factor"
    raise AgeError(msg)


class ScryptRecipient(Unpicklable):
    """A passphrase recipient (age's scrypt stanza).

    It must be the only recipient of a file.

    Args:
        passphrase: The passphrase.
        work_factor: log2 of scrypt's N (age uses 18: about 1 s, 256 MiB).

    Raises:
        TypeError: *passphrase* is not ``str``/``bytes``, or *work_factor*
            not an ``int``.
        dataprotect.errors.ConfigurationError: An empty passphrase, one
            holding a lone surrogate (the message never shows it), or a
            work factor outside 1 to 30.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_passphrase", "_work_factor")

    def __init__(
        self,
        passphrase: str | bytes,
        *,
        work_factor: int = DEFAULT_WORK_FACTOR,
    ) -> None:
        if isinstance(work_factor, bool) or not isinstance(work_factor, int):
            msg = "work_factor must be an int"
            raise TypeError(msg)
        if not 1 <= work_factor <= 30:
            msg = "work_factor must be between 1 and 30"
            raise ConfigurationError(msg)
        self._passphrase = Secret(
            _passphrase_bytes(passphrase), label="age passphrase"
        )
        self._work_factor = work_factor

    def __repr__(self) -> str:
        return f"<ScryptRecipient work_factor={self._work_factor}>"

    def _wrap(self, file_key: bytes) -> list[_Stanza]:
        salt = os.urandom(16)
        key = _scrypt(self._passphrase.reveal(), salt, self._work_factor)
        body = ChaCha20Poly1305(key).encrypt(_ZERO_NONCE, file_key, None)
        args = ("scrypt", _b64(salt).decode(), str(self._work_factor))
        return [_Stanza(args, body)]


class ScryptIdentity(Unpicklable):
    """A passphrase identity (age's scrypt stanza).

    Args:
        passphrase: The passphrase.
        max_work_factor: The highest work factor (log2 N) to compute
            (default :data:`MAX_WORK_FACTOR`, 20: 1 GiB); a file asking for
            more is refused before any work is done.

    Raises:
        TypeError: *passphrase* is not ``str``/``bytes``, or
            *max_work_factor* not an ``int``.
        dataprotect.errors.ConfigurationError: An empty passphrase, one
            holding a lone surrogate (the message never shows it), or a
            *max_work_factor* outside 1 to 40.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_max_work_factor", "_passphrase")

    def __init__(
        self,
        passphrase: str | bytes,
        *,
        max_work_factor: int = MAX_WORK_FACTOR,
    ) -> None:
        if isinstance(max_work_factor, bool) or not isinstance(
            max_work_factor, int
        ):
            msg = "max_work_factor must be an int"
            raise TypeError(msg)
        if not 1 <= max_work_factor <= 40:
            msg = "max_work_factor must be between 1 and 40"
            raise ConfigurationError(msg)
        self._passphrase = Secret(
            _passphrase_bytes(passphrase), label="age passphrase"
        )
        self._max_work_factor = max_work_factor

    def __repr__(self) -> str:
        return f"<ScryptIdentity max_work_factor={self._max_work_factor}>"

    def _unwrap(self, stanza: _Stanza) -> bytes | None:
        if stanza.args[0] != "scrypt":
            return None
        if len(stanza.args) != 3:
            msg = "age scrypt stanza must have exactly two arguments"
            raise AgeFormatError(msg)
        salt = _unb64(stanza.args[1].encode(), "age scrypt salt")
        if len(salt) != 16:
            msg = "age scrypt salt must be 16 bytes"
            raise AgeFormatError(msg)
        if not _DECIMAL.fullmatch(stanza.args[2]):
            msg = "age scrypt work factor must be a decimal number"
            raise AgeFormatError(msg)
        if (
            len(stanza.args[2]) > 2
            or int(stanza.args[2]) > self._max_work_factor
        ):
            msg = "age scrypt work factor exceeds the limit"
            raise AgeFormatError(msg)
        _check_body(stanza)
        key = _scrypt(self._passphrase.reveal(), salt, int(stanza.args[2]))
        return _open_body(key, stanza.body)

"""Read and write age files (age-encryption.org/v1).

Files written here decrypt with the ``age`` command and files written by
``age`` decrypt here, binary or armored.  Recipients and identities use
age's own text forms:

- X25519: ``age1...`` recipients, ``AGE-SECRET-KEY-1...`` identities;
- hybrid post-quantum ML-KEM-768 + X25519 (age 1.3): ``age1pq1...``
  recipients, ``AGE-SECRET-KEY-PQ-1...`` identities;
- a passphrase (scrypt), which must be the file's only recipient.

The payload is the one STREAM implementation of :mod:`dataprotect._stream`
on ChaCha20-Poly1305 with 64 KiB chunks, as age specifies.  Decryption
writes a chunk only after it authenticated, and checks every rule of the
spec (canonical base64, stanza shapes, the header MAC, a final chunk that is
not empty unless the payload is), as the C2SP CCTV test vectors require.
"""

from __future__ import annotations

import hmac
import io
import os

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, BinaryIO, Final

from dataprotect._atomic import atomic_write
from dataprotect._secret import Secret
from dataprotect._stream import open_stream, seal_stream
from dataprotect.backup.age import _scrypt
from dataprotect.backup.age._armor import (
    _WHITESPACE,
    _ArmorReader,
    _ArmorWriter,
    _Raw,
)
from dataprotect.backup.age._header import (
    _CHUNK,
    _FILE_KEY_SIZE,
    _VERSION,
    _b64,
    _header_mac,
    _payload_aead,
    _read_header,
    _Stanza,
)
from dataprotect.backup.age._keys import (
    HybridIdentity,
    HybridRecipient,
    Identity,
    Recipient,
    X25519Identity,
    X25519Recipient,
    generate_hybrid_identity,
    generate_x25519_identity,
    parse_identities,
    parse_identity,
    parse_recipient,
)
from dataprotect.backup.age._scrypt import ScryptIdentity, ScryptRecipient
from dataprotect.errors import (
    AgeDecryptionError,
    AgeFormatError,
    AgeNoMatchError,
    ConfigurationError,
    DecryptionError,
)


__all__ = [
    "DEFAULT_WORK_FACTOR",
    "MAX_WORK_FACTOR",
    "HybridIdentity",
    "HybridRecipient",
    "Identity",
    "Recipient",
    "ScryptIdentity",
    "ScryptRecipient",
    "X25519Identity",
    "X25519Recipient",
    "decrypt",
    "decrypt_file",
    "encrypt",
    "encrypt_file",
    "generate_hybrid_identity",
    "generate_x25519_identity",
    "parse_identities",
    "parse_identity",
    "parse_recipient",
]

# Defined with the scrypt stanza; documented here (Sphinx reads the comments).
#: The scrypt work factor (log2 N) used for passphrases, as ``age -p``.
DEFAULT_WORK_FACTOR: Final = _scrypt.DEFAULT_WORK_FACTOR
#: The highest scrypt work factor :func:`decrypt` accepts by default: 20,
#: 4x the work and memory (1 GiB) of ``age -p``'s 18.  age's library
#: accepts 22 (4 GiB), which it calls unsuitable for untrusted files.
MAX_WORK_FACTOR: Final = _scrypt.MAX_WORK_FACTOR

_FAILED: Final = "decryption failed"


def _unwrap(
    stanzas: Sequence[_Stanza], identities: Sequence[Identity]
) -> bytes:
    if len(stanzas) > 1 and any(s.args[0] == "scrypt" for s in stanzas):
        msg = "an age scrypt stanza must be the only stanza"
        raise AgeFormatError(msg)
    for identity in identities:
        for stanza in stanzas:
            file_key = identity._unwrap(stanza)  # noqa: SLF001 - the Identity protocol's hook
            if file_key is not None:
                if len(file_key) != _FILE_KEY_SIZE:  # pragma: no cover
                    continue
                return file_key
    msg = "no identity matched any of the file's recipients"
    raise AgeNoMatchError(msg)


# --- public API --------------------------------------------------------------


def _recipients(
    recipients: Iterable[str | Recipient],
    passphrase: str | bytes | None,
    work_factor: int,
) -> list[Recipient]:
    if isinstance(recipients, str):
        msg = "recipients must be a list, not a str"
        raise TypeError(msg)
    out: list[Recipient] = [
        parse_recipient(r) if isinstance(r, str) else r for r in recipients
    ]
    if passphrase is not None:
        out.append(ScryptRecipient(passphrase, work_factor=work_factor))
    if not out:
        msg = "age encryption needs a recipient or a passphrase"
        raise ConfigurationError(msg)
    if len(out) > 1 and any(isinstance(r, ScryptRecipient) for r in out):
        msg = "a passphrase must be the only recipient of an age file"
        raise ConfigurationError(msg)
    hybrid = {isinstance(r, HybridRecipient) for r in out}
    if len(hybrid) > 1:
        msg = "post-quantum and classic age recipients must not be mixed"
        raise ConfigurationError(msg)
    return out


def _identities(
    identities: Iterable[str | Identity],
    passphrase: str | bytes | None,
    max_work_factor: int,
) -> list[Identity]:
    if isinstance(identities, str):
        msg = "identities must be a list, not a str"
        raise TypeError(msg)
    out: list[Identity] = []
    for identity in identities:
        if isinstance(identity, str):
            out.extend(parse_identities(identity))
        else:
            out.append(identity)
    if passphrase is not None:
        out.append(ScryptIdentity(passphrase, max_work_factor=max_work_factor))
    if not out:
        msg = "age decryption needs an identity or a passphrase"
        raise ConfigurationError(msg)
    return out


def encrypt(
    src: BinaryIO,
    dst: BinaryIO,
    recipients: Iterable[str | Recipient] = (),
    *,
    passphrase: str | bytes | None = None,
    work_factor: int = DEFAULT_WORK_FACTOR,
    armor: bool = False,
) -> int:
    """Encrypt *src* to *dst* as an age file; return the plaintext size.

    Memory use is constant: the payload is sealed in 64 KiB chunks.

    Args:
        src: Readable binary file object.
        dst: Writable binary file object.
        recipients: ``age1...``/``age1pq1...`` strings or recipient
            objects.  Post-quantum and classic recipients are not mixed, as
            the age spec advises.
        passphrase: Encrypt to a passphrase instead (scrypt), as
            ``age -p``; it must then be the only recipient.
        work_factor: The scrypt work factor (log2 N) for *passphrase*.
        armor: Write the armored (PEM) form, as ``age -a``.

    Raises:
        dataprotect.errors.ConfigurationError: No recipient, a malformed
            recipient, a forbidden mix of recipients, or a *passphrase*
            holding a lone surrogate (the message never shows it).
        dataprotect.errors.AgeError: Not enough memory for *work_factor*.

    .. versionadded:: 0.1.0
    """
    wrapped = _recipients(recipients, passphrase, work_factor)
    file_key = Secret(os.urandom(_FILE_KEY_SIZE), label="age file key")
    stanzas = [s for r in wrapped for s in r._wrap(file_key.reveal())]  # noqa: SLF001 - the Recipient protocol's hook
    header = _VERSION + b"".join(s.encode() for s in stanzas) + b"---"
    mac = _header_mac(file_key.reveal(), header)
    out: BinaryIO | _ArmorWriter = _ArmorWriter(dst) if armor else dst
    nonce = os.urandom(16)
    out.write(header + b" " + _b64(mac) + b"\n" + nonce)
    total = seal_stream(
        _payload_aead(file_key.reveal(), nonce),
        src,
        out,
        segment_size=_CHUNK,
    )
    if isinstance(out, _ArmorWriter):
        out.close()
    return total


def decrypt(
    src: BinaryIO,
    dst: BinaryIO,
    identities: Iterable[str | Identity] = (),
    *,
    passphrase: str | bytes | None = None,
    max_work_factor: int = MAX_WORK_FACTOR,
    armor: bool | None = None,
) -> int:
    """Decrypt the age file *src* to *dst*; return the plaintext size.

    Each 64 KiB chunk is written to *dst* only after it authenticated; on
    an error, what was written is a prefix of the plaintext and must be
    discarded (:func:`decrypt_file` does).

    Args:
        src: Readable binary file object.
        dst: Writable binary file object.
        identities: ``AGE-SECRET-KEY-1...``/``AGE-SECRET-KEY-PQ-1...``
            strings (or whole identity files, comments allowed) or identity
            objects.
        passphrase: Try this passphrase on an scrypt stanza.
        max_work_factor: The highest scrypt work factor (log2 N) to
            compute (default 20: 1 GiB), as a defence against files that
            ask for hours of work or gigabytes; a file asking for more is
            refused before any work.
        armor: ``True``/``False`` to require the armored/binary form;
            ``None`` detects it.

    Raises:
        dataprotect.errors.AgeArmorError: The armor is malformed.
        dataprotect.errors.AgeFormatError: The header is malformed or
            unsupported, or asks for a work factor above the limit.
        dataprotect.errors.AgeNoMatchError: No identity opens the file.
        dataprotect.errors.AgeDecryptionError: The header MAC or the
            payload failed authentication (tampered, truncated, extended).
        dataprotect.errors.AgeError: Not enough memory for the scrypt work
            factor (a memory cap).
        dataprotect.errors.ConfigurationError: No identity was given, or a
            *passphrase* holding a lone surrogate (the message never shows
            it).

    .. versionadded:: 0.1.0
    """
    keys = _identities(identities, passphrase, max_work_factor)
    reader: io.BufferedReader[Any] = io.BufferedReader(_Raw(src), _CHUNK)
    if armor is None:
        # A binary age file starts with "age-encryption.org/"; armor
        # starts with "-----", possibly after whitespace.
        peeked = reader.peek(64)
        stripped = peeked.lstrip(_WHITESPACE)
        armor = stripped.startswith(b"-") or bool(peeked and not stripped)
    if armor:
        reader = io.BufferedReader(_ArmorReader(reader), _CHUNK)
    stanzas, header, mac = _read_header(reader)
    file_key = _unwrap(stanzas, keys)
    if not hmac.compare_digest(_header_mac(file_key, header), mac):
        raise AgeDecryptionError(_FAILED)
    nonce = reader.read(16)
    if len(nonce) != 16:
        msg = "age payload nonce is missing"
        raise AgeFormatError(msg)
    try:
        return open_stream(
            _payload_aead(file_key, nonce),
            reader,
            dst,
            segment_size=_CHUNK,
        )
    except DecryptionError:
        raise AgeDecryptionError(_FAILED) from None


def encrypt_file(
    src_path: str | os.PathLike[str],
    dst_path: str | os.PathLike[str],
    recipients: Iterable[str | Recipient] = (),
    *,
    passphrase: str | bytes | None = None,
    work_factor: int = DEFAULT_WORK_FACTOR,
    armor: bool = False,
) -> int:
    """:func:`encrypt` a file; *dst_path* appears only when complete.

    .. versionadded:: 0.1.0
    """
    with Path(src_path).open("rb") as src, atomic_write(dst_path) as dst:
        return encrypt(
            src,
            dst,
            recipients,
            passphrase=passphrase,
            work_factor=work_factor,
            armor=armor,
        )


def decrypt_file(
    src_path: str | os.PathLike[str],
    dst_path: str | os.PathLike[str],
    identities: Iterable[str | Identity] = (),
    *,
    passphrase: str | bytes | None = None,
    max_work_factor: int = MAX_WORK_FACTOR,
    armor: bool | None = None,
) -> int:
    """:func:`decrypt` a file; on any failure no output file is left.

    .. versionadded:: 0.1.0
    """
    with Path(src_path).open("rb") as src, atomic_write(dst_path) as dst:
        return decrypt(
            src,
            dst,
            identities,
            passphrase=passphrase,
            max_work_factor=max_work_factor,
            armor=armor,
        )


# Documented, and pickled, as this module's, though most are defined in the
# private modules.
for _name in __all__:
    _public = globals()[_name]
    if callable(_public):
        _public.__module__ = __name__
del _name, _public

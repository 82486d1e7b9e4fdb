"""Encrypted database columns, independent of the ORM.

What the SQLAlchemy types and the Django field share: the associated data
binding a value to its table, column and row, the plaintext encodings of
the three kinds (bytes, text, JSON), the stored forms (raw bytes or
URL-safe base64 text), and the errors that name the row.
"""

from __future__ import annotations

import functools
import json

from collections.abc import Sequence
from typing import Final, Literal

from dataprotect._encoding import b64decode, b64encode
from dataprotect._secret import check_bytes, check_type, encode_secret
from dataprotect.encryption import _OVERHEAD, _VERSIONS, Encryptor
from dataprotect.errors import (
    ColumnDecryptionError,
    ConfigurationError,
    DecryptionError,
    KeyNotFoundError,
    UnencryptedValueError,
)


__all__ = [
    "PENDING",
    "Bound",
    "ColumnCipher",
    "Kind",
    "PrimaryKey",
    "Sealed",
    "context",
]

Kind = Literal["bytes", "str", "json"]
#: A row's primary key values, in the table's primary key column order.
PrimaryKey = Sequence[object]
#: The primary key of a row not inserted yet (an autoincrement key).
PENDING: Final = None

_LABEL: Final = "dataprotect/v1/column"


def _pk_item(value: object) -> str:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    return str(value)


_JSON: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_string: Final = _JSON.encode  # a str: a JSON string, non-ASCII kept


@functools.lru_cache(maxsize=1024)
def _prefix(table: str, column: str) -> str:
    """``["dataprotect/v1/column",TABLE,COLUMN,`` (one per column)."""
    return _JSON.encode([_LABEL, table, column])[:-1] + ","


def context(table: str, column: str, pk: PrimaryKey | None) -> bytes:
    """The associated data of *column* of *table* in the row *pk*.

    ``["dataprotect/v1/column", table, column, [pk values as text]]`` as
    compact JSON in UTF-8 (``null`` for a row not inserted yet); integers
    and UUIDs as their decimal and hyphenated text, bytes as hex, so a
    value reads the same from every database.
    """
    if pk is PENDING:
        keys = "null"
    else:
        keys = ",".join(_string(_pk_item(v)) for v in pk)
        keys = f"[{keys}]"
    return (_prefix(table, column) + keys + "]").encode("utf-8")


def row_name(table: str, column: str, pk: PrimaryKey) -> str:
    """``users.email of row (42)``, for messages."""
    return f"{table}.{column} of row ({', '.join(_pk_item(v) for v in pk)})"


def is_ciphertext(raw: bytes) -> bool:
    """Whether *raw* has the shape of an :class:`Encryptor` message."""
    return len(raw) >= _OVERHEAD and raw[0] in _VERSIONS


class Sealed:
    """A stored encrypted value that was not decrypted.

    Entities loaded through an ORM hold plaintext; a bare column selected
    with SQLAlchemy Core (``select(User.email)``) gives this instead, since
    only the row's primary key opens it: use
    :func:`~dataprotect.integrations.sqlalchemy.open_value`.  Its
    ``repr`` never shows the ciphertext.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("stored",)

    def __init__(self, stored: object) -> None:
        #: The value as the driver gave it (bytes, memoryview or text).
        self.stored = stored

    def __repr__(self) -> str:
        return "<Sealed>"


class Bound:
    """A plaintext bound to its context, on its way to the database."""

    __slots__ = ("ad", "raw", "value")

    def __init__(self, value: object, raw: bytes, ad: bytes) -> None:
        self.value = value
        self.raw = raw
        self.ad = ad

    def __repr__(self) -> str:
        return "<bound value>"


class ColumnCipher:
    """One column's encryptor, kind and stored form.

    Args:
        encryptor: Encrypts and decrypts.
        kind: ``"bytes"``, ``"str"`` or ``"json"``.
        text: Store base64 text (``True``) or raw bytes.
    """

    __slots__ = ("encryptor", "kind", "text")

    def __init__(
        self, encryptor: Encryptor, kind: Kind, *, text: bool
    ) -> None:
        self.encryptor = check_type("encryptor", encryptor, Encryptor)
        self.kind: Kind = kind
        self.text = text

    # -- plaintext encodings ---------------------------------------------

    def dump(self, value: object) -> bytes:
        """The plaintext bytes of a Python *value* of this kind."""
        if self.kind == "bytes":
            return check_bytes("value", value)
        if self.kind == "str":
            text = check_type("value", value, str)
            return encode_secret("value", text, ConfigurationError)
        try:
            dumped = json.dumps(
                value,
                ensure_ascii=False,
                separators=(",", ":"),
                allow_nan=False,
            )
        except (TypeError, ValueError):
            msg = "value must be JSON-serialisable (no NaN or infinity)"
            raise ConfigurationError(msg) from None
        return encode_secret("value", dumped, ConfigurationError)

    def load(self, raw: bytes) -> object:
        """The Python value of plaintext bytes *raw*."""
        if self.kind == "bytes":
            return raw
        text = raw.decode("utf-8")
        return text if self.kind == "str" else json.loads(text)

    # -- stored forms ------------------------------------------------------

    def store(self, ciphertext: bytes) -> bytes | str:
        """The stored form of *ciphertext*."""
        return b64encode(ciphertext) if self.text else ciphertext

    def ciphertext(self, stored: object) -> bytes | None:
        """The message in *stored*, or ``None`` if it is not one."""
        if isinstance(stored, str):
            try:
                raw = b64decode(stored)
            except ValueError:
                return None
        elif isinstance(stored, (bytes, bytearray, memoryview)):
            raw = bytes(stored)
        else:
            return None
        return raw if is_ciphertext(raw) else None

    def seal(self, raw: bytes, ad: bytes) -> bytes | str:
        """Encrypt plaintext bytes *raw* bound to *ad* into the stored form."""
        return self.store(self.encryptor.encrypt(raw, ad))

    def _message(
        self, stored: object, table: str, column: str, pk: PrimaryKey
    ) -> bytes:
        message = self.ciphertext(stored)
        if message is None:
            where = row_name(table, column, pk)
            msg = f"{where} is not encrypted (plaintext from before encryption?); see encrypt_existing()"
            raise UnencryptedValueError(msg)
        return message

    def _decrypt(
        self, message: bytes, table: str, column: str, pk: PrimaryKey
    ) -> tuple[bytes, bool]:
        try:
            return self.encryptor._open_current(  # noqa: SLF001 - one decryption per row, not two
                message, context(table, column, pk)
            )
        except (DecryptionError, KeyNotFoundError) as exc:
            msg = f"{row_name(table, column, pk)}: {exc}"
            raise ColumnDecryptionError(msg) from None

    def rotate(
        self,
        stored: object,
        table: str,
        column: str,
        pk: PrimaryKey,
        *,
        plaintext: bool,
    ) -> tuple[bytes | str | None, bytes]:
        """The new stored value (``None``: already current) and the
        plaintext bytes of *stored*.

        With *plaintext*, a value that is not a ciphertext is taken as
        the plaintext and encrypted (it must be of the column's kind).

        Raises:
            UnencryptedValueError: Plaintext, without *plaintext*.
            ColumnDecryptionError: It does not decrypt for this row.
            ConfigurationError: Plaintext not of the column's kind.
        """
        message = self.ciphertext(stored)
        if message is None and plaintext:
            raw = self._plaintext(stored, row_name(table, column, pk))
            return self.seal(raw, context(table, column, pk)), raw
        if message is None:
            message = self._message(stored, table, column, pk)  # raises
        raw, current = self._decrypt(message, table, column, pk)
        if current:
            return None, raw
        return self.seal(raw, context(table, column, pk)), raw

    def _plaintext(self, stored: object, where: str) -> bytes:
        """*stored* taken as plaintext, checked to be of this kind."""
        try:
            if isinstance(stored, str):
                raw = stored.encode("utf-8")
            else:
                raw = check_bytes("value", stored)
            self.load(raw)
        except ValueError:
            msg = f"{where} holds plaintext that is not {self.kind}"
            raise ConfigurationError(msg) from None
        return raw

    def open(
        self, stored: object, table: str, column: str, pk: PrimaryKey
    ) -> object:
        """Decrypt the stored value of *column* of *table* in row *pk*.

        Raises:
            UnencryptedValueError: As :meth:`open_raw`.
            ColumnDecryptionError: As :meth:`open_raw`.
        """
        message = self._message(stored, table, column, pk)
        return self.load(self._decrypt(message, table, column, pk)[0])

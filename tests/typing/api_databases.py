"""Calls the encrypted-column API so that mypy --strict checks it."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from dataprotect import BlindIndex, Encryptor, Keyring
from dataprotect.errors import ColumnDecryptionError, UnencryptedValueError
from dataprotect.integrations.django import EncryptedField
from dataprotect.integrations.sqlalchemy import (
    BlindIndexed,
    EncryptedBytes,
    EncryptedJSON,
    EncryptedString,
    ReencryptResult,
    Sealed,
    bind_value,
    blind_match,
    encrypt_existing,
    open_value,
    reencrypt_table,
)


ring = Keyring.generate()
encryptor = Encryptor(ring)
index = BlindIndex(ring, "users.email")


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(EncryptedString(encryptor))
    email_index: Mapped[bytes | None] = mapped_column(
        BlindIndexed(index, source="email")
    )
    profile: Mapped[object] = mapped_column(EncryptedJSON(encryptor))
    photo: Mapped[bytes | None] = mapped_column(EncryptedBytes(encryptor))


session = Session()
where: ColumnElement[bool] = blind_match(User.email_index, "a@b.ch")
found = session.scalars(select(User).where(where)).one()
address: str = found.email
result: ReencryptResult = reencrypt_table(
    session, User.email, batch=100, progress=print
)
rows: int = result.rows + result.rewritten
result = encrypt_existing(session, User.photo)
bound: object = bind_value(User.email, "a@b.ch", pk=1)
sealed = Sealed(b"")
value: object = open_value(User.email, sealed, pk=(1,))
errors: tuple[type[Exception], ...] = (
    ColumnDecryptionError,
    UnencryptedValueError,
)
field = EncryptedField(kind="bytes", null=True)

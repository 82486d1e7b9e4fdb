"""``dataprotect db reencrypt``: rotate an encrypted column in place."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from dataprotect._redact import redact_uri
from dataprotect.cli._common import kek_options, keyring_option
from dataprotect.cli._errors import InputError
from dataprotect.cli._files import progress
from dataprotect.cli._secrets import load_keyring
from dataprotect.encryption import BlindIndex, Encryptor
from dataprotect.keys import Keyring


if TYPE_CHECKING:
    from sqlalchemy import Engine

    from dataprotect.integrations._rotation import ReencryptResult


__all__ = ["db"]


def _engine_url(url: str) -> str:
    """A libpq ``postgresql://`` URL uses psycopg 3 (the extra's driver)."""
    for scheme in ("postgresql://", "postgres://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme) :]
    return url


def _index_spec(spec: str) -> tuple[str, str, int]:
    column, sep, rest = spec.partition("=")
    name, _, bits = rest.partition(":")
    if not sep or not column or not name or (bits and not bits.isdigit()):
        msg = "--blind-index must be COLUMN=NAME or COLUMN=NAME:BITS"
        raise InputError(msg)
    return column, name, int(bits or 64)


def _run(
    engine: Engine,
    table: str,
    column: str,
    keyring: Keyring,
    specs: list[tuple[str, str, int]],
    shown: str,
    *,
    batch: int,
    plaintext: bool,
) -> ReencryptResult:
    """Reflect TABLE, check the columns, rotate with a progress bar."""
    from sqlalchemy import MetaData, String, Table, func, select
    from sqlalchemy.exc import NoSuchTableError
    from sqlalchemy.orm import Session

    from dataprotect.integrations._columns import ColumnCipher
    from dataprotect.integrations._rotation import Batch, rotate

    try:
        reflected = Table(table, MetaData(), autoload_with=engine)
    except NoSuchTableError:
        msg = f"no table {table} at {shown}"
        raise InputError(msg) from None
    names = [column, *(c for c, _, _ in specs)]
    missing = [n for n in names if n not in reflected.c]
    if missing:
        msg = f"table {table} has no column {missing[0]}"
        raise InputError(msg)
    target = reflected.c[column]
    text = isinstance(target.type, String)
    cipher = ColumnCipher(
        Encryptor(keyring), "str" if text else "bytes", text=text
    )
    try:
        indexes = [
            (reflected.c[c], BlindIndex(keyring, name, bits=bits))
            for c, name, bits in specs
        ]
    except ValueError as exc:
        raise InputError(str(exc)) from None
    plan = Batch(target, cipher, indexes)
    with Session(engine) as session:
        total = session.scalar(select(func.count()).select_from(reflected))
        session.commit()
        with progress(total, "re-encrypting", rows=True) as advance:
            return rotate(
                session,
                reflected,
                plan,
                batch=batch,
                progress=advance,
                plaintext=plaintext,
            )


@click.group()
def db() -> None:
    """Encrypted database columns."""


@db.command()
@click.argument("url")
@click.argument("table")
@click.argument("column")
@click.option(
    "--blind-index",
    "blind_indexes",
    multiple=True,
    metavar="COLUMN=NAME[:BITS]",
    help="A blind index column of COLUMN to rebuild, with its BlindIndex "
    "name and bits (default 64).  Repeatable.",
)
@click.option(
    "--batch",
    default=1000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Rows per transaction.",
)
@click.option(
    "--encrypt-plaintext",
    is_flag=True,
    help="Encrypt values that are not ciphertexts (plaintext from before "
    "encryption) instead of stopping at the first.",
)
@kek_options
@keyring_option
def reencrypt(
    url: str,
    table: str,
    column: str,
    blind_indexes: tuple[str, ...],
    batch: int,
    encrypt_plaintext: bool,
    keyring_path: str,
    kek_spec: str,
    passphrase_env: str | None,
    passphrase_file: str | None,
) -> None:
    """Re-encrypt COLUMN of TABLE at URL under the keyring's primary key.

    URL is a SQLAlchemy URL (postgresql://... uses psycopg; sqlite:///PATH).
    A text column holds base64 text (EncryptedString), a binary column raw
    bytes.  Each batch commits on its own: after a crash, run the command
    again; rows already done are only checked.
    """
    from sqlalchemy import create_engine
    from sqlalchemy.exc import SQLAlchemyError

    keyring = load_keyring(
        keyring_path,
        spec=kek_spec,
        passphrase_env=passphrase_env,
        passphrase_file=passphrase_file,
    )
    specs = [_index_spec(s) for s in blind_indexes]
    shown = redact_uri(url)
    try:
        engine = create_engine(_engine_url(url))
        try:
            result = _run(
                engine,
                table,
                column,
                keyring,
                specs,
                shown,
                batch=batch,
                plaintext=encrypt_plaintext,
            )
        finally:
            engine.dispose()
    except SQLAlchemyError as exc:
        # Driver messages may quote SQL parameters (ciphertexts): the type.
        msg = f"database error at {shown} ({type(exc).__name__})"
        raise InputError(msg) from None
    click.echo(
        f"{result.rows} rows checked, {result.rewritten} rewritten", err=True
    )

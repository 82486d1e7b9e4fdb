"""Encrypted columns vs plain columns and ``sqlalchemy-utils``.

Per value: ``EncryptedString``'s bind and result processing against
``sqlalchemy_utils.StringEncryptedType`` with its AES-GCM engine (which
binds no row).  Per row, through the ORM on SQLite in memory: a session
inserting and loading rows of a plain ``String`` column, of
``StringEncryptedType``, and of ``EncryptedString`` with a key made in
Python (one INSERT) and with an autoincrement key (INSERT, then UPDATE).
Rotation: rows per second of ``reencrypt_table`` on an SQLite file, and
on PostgreSQL when ``DATAPROTECT_BENCH_POSTGRES`` holds a SQLAlchemy URL
of a scratch database.
"""

from __future__ import annotations

import os
import tempfile
import time
import uuid

from pathlib import Path

from sqlalchemy import Integer, String, create_engine, delete, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy_utils import StringEncryptedType
from sqlalchemy_utils.types.encrypted.encrypted_type import AesGcmEngine

from benchmarks._timing import interleaved
from dataprotect import Encryptor, Keyring
from dataprotect.integrations.sqlalchemy import (
    EncryptedString,
    reencrypt_table,
)


EMAIL = "ada.lovelace@example.ch"


def _models(encryptor: Encryptor) -> tuple[type, dict[str, type]]:
    class Base(DeclarativeBase):
        pass

    class Plain(Base):
        __tablename__ = "plain"
        id: Mapped[int] = mapped_column(Integer, primary_key=True)
        email: Mapped[str] = mapped_column(String(200))

    class Utils(Base):
        __tablename__ = "utils"
        id: Mapped[int] = mapped_column(Integer, primary_key=True)
        email: Mapped[str] = mapped_column(
            StringEncryptedType(String, "a secret key", AesGcmEngine)
        )

    class ClientKey(Base):
        __tablename__ = "dp_client"
        id: Mapped[str] = mapped_column(String(36), primary_key=True)
        email: Mapped[str] = mapped_column(EncryptedString(encryptor))

    class AutoKey(Base):
        __tablename__ = "dp_auto"
        id: Mapped[int] = mapped_column(Integer, primary_key=True)
        email: Mapped[str] = mapped_column(EncryptedString(encryptor))

    return Base, {
        "plain": Plain,
        "utils": Utils,
        "client": ClientKey,
        "auto": AutoKey,
    }


def _per_value(encryptor: Encryptor, *, quick: bool) -> list[str]:
    from sqlalchemy.dialects import sqlite

    from dataprotect.integrations._columns import context

    dialect = sqlite.dialect()
    utils = StringEncryptedType(String, "a secret key", AesGcmEngine)
    cipher = EncryptedString(encryptor).cipher
    stored_utils = utils.process_bind_param(EMAIL, dialect)
    stored_dp = cipher.seal(
        cipher.dump(EMAIL), context("users", "email", [42])
    )
    number = 2000 if quick else 20_000
    t = interleaved(
        {
            "dp_enc": lambda: cipher.seal(
                cipher.dump(EMAIL), context("users", "email", [42])
            ),
            "utils_enc": lambda: utils.process_bind_param(EMAIL, dialect),
            "dp_dec": lambda: cipher.open(stored_dp, "users", "email", [42]),
            "utils_dec": lambda: utils.process_result_value(
                stored_utils, dialect
            ),
        },
        number=number,
    )
    return [
        "### Per value (a 23-character e-mail address, median of interleaved rounds)",
        "",
        "| | EncryptedString (table, column, key bound) | StringEncryptedType + AesGcmEngine | ratio |",
        "|---|---|---|---|",
        (
            f"| encrypt | {t['dp_enc'] * 1e6:.2f} µs "
            f"| {t['utils_enc'] * 1e6:.2f} µs "
            f"| **{t['dp_enc'] / t['utils_enc']:.2f}x** |"
        ),
        (
            f"| decrypt | {t['dp_dec'] * 1e6:.2f} µs "
            f"| {t['utils_dec'] * 1e6:.2f} µs "
            f"| **{t['dp_dec'] / t['utils_dec']:.2f}x** |"
        ),
    ]


def _per_row(encryptor: Encryptor, *, quick: bool) -> list[str]:
    base, models = _models(encryptor)
    engine = create_engine("sqlite://")
    base.metadata.create_all(engine)
    n = 300 if quick else 2000

    def insert(name: str) -> None:
        model = models[name]
        with Session(engine) as session:
            if name == "client":
                rows = [
                    model(id=str(uuid.uuid4()), email=EMAIL) for _ in range(n)
                ]
            else:
                rows = [model(email=EMAIL) for _ in range(n)]
            session.add_all(rows)
            session.commit()
            session.execute(delete(model))
            session.commit()

    def load(name: str) -> None:
        model = models[name]
        with Session(engine) as session:
            rows = session.scalars(select(model).limit(n)).all()
            assert all(r.email == EMAIL for r in rows)

    with Session(engine) as session:
        session.add_all(models["plain"](email=EMAIL) for _ in range(n))
        session.add_all(models["utils"](email=EMAIL) for _ in range(n))
        session.add_all(
            models["client"](id=str(uuid.uuid4()), email=EMAIL)
            for _ in range(n)
        )
        session.add_all(models["auto"](email=EMAIL) for _ in range(n))
        session.commit()
    names = list(models)
    rounds = 3 if quick else 7
    # The insert rounds delete their rows again, so the table size stays.
    t_load = interleaved(
        {name: lambda name=name: load(name) for name in names},
        number=1,
        rounds=rounds,
    )
    with Session(engine) as session:
        for model in models.values():
            session.execute(delete(model))
        session.commit()
    t_insert = interleaved(
        {name: lambda name=name: insert(name) for name in names},
        number=1,
        rounds=rounds,
    )
    engine.dispose()
    label = {
        "plain": "plain `String`",
        "utils": "`StringEncryptedType` + AesGcmEngine",
        "client": "`EncryptedString`, key made in Python",
        "auto": "`EncryptedString`, autoincrement key",
    }
    rows = [
        (
            f"### Per row through the ORM (SQLite in memory, {n:,} rows per "
            "session, insert + commit and load, median of interleaved rounds)"
        ),
        "",
        "| column | insert | load | insert / plain | load / plain | insert / utils | load / utils |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in names:
        ins = t_insert[name] / n
        lod = t_load[name] / n
        rows.append(
            f"| {label[name]} | {ins * 1e6:.1f} µs | {lod * 1e6:.1f} µs "
            f"| {ins * n / t_insert['plain']:.2f}x "
            f"| {lod * n / t_load['plain']:.2f}x "
            f"| **{ins * n / t_insert['utils']:.2f}x** "
            f"| **{lod * n / t_load['utils']:.2f}x** |"
        )
    return rows


def _rotate_rows(url: str, n: int) -> tuple[float, float]:
    """Rows per second of reencrypt_table: rewriting all, then checking."""
    keyring = Keyring.generate()
    base, models = _models(Encryptor(keyring))
    model = models["client"]
    engine = create_engine(url)
    base.metadata.drop_all(engine)
    base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add_all(
            model(id=str(uuid.uuid4()), email=EMAIL) for _ in range(n)
        )
        session.commit()
    keyring.rotate()
    rates = []
    for expected in (n, 0):  # rewrite every row, then check every row
        with Session(engine) as session:
            start = time.perf_counter()
            result = reencrypt_table(session, model.email, batch=1000)
            rates.append(n / (time.perf_counter() - start))
        assert result.rewritten == expected
    base.metadata.drop_all(engine)
    engine.dispose()
    return rates[0], rates[1]


def _rotation(*, quick: bool) -> list[str]:
    n = 5000 if quick else 50_000
    rows = [
        f"### `reencrypt_table` ({n:,} rows, batches of 1,000, rows per second)",
        "",
        "| database | after `rotate()` | again (all current: read and authenticate only) |",
        "|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        targets = [("SQLite file", f"sqlite:///{Path(tmp) / 'bench.db'}")]
        postgres = os.environ.get("DATAPROTECT_BENCH_POSTGRES")
        if postgres:  # a database the benchmark may create tables in
            targets.append(("PostgreSQL (loopback)", postgres))
        for label, url in targets:
            rewrite, check = _rotate_rows(url, n)
            rows.append(f"| {label} | **{rewrite:,.0f}** | {check:,.0f} |")
    return rows


def run(*, quick: bool) -> str:
    encryptor = Encryptor(Keyring.generate())
    rows = [
        *_per_value(encryptor, quick=quick),
        "",
        *_per_row(encryptor, quick=quick),
        "",
        *_rotation(quick=quick),
        "",
        (
            "`EncryptedString` also binds the table, column and primary key "
            "(a 60-byte JSON context), writes a key id and a 192-bit nonce, "
            "and decrypts in an ORM event; `StringEncryptedType` binds "
            "nothing, so its values can be swapped between rows."
        ),
    ]
    return "\n".join(rows)

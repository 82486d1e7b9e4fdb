"""``dataprotect db reencrypt`` on SQLite files and a real PostgreSQL."""

from __future__ import annotations

import sys

import pytest

from click.testing import CliRunner
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from dataprotect import BlindIndex, Encryptor, Keyring
from dataprotect.cli._app import cli
from dataprotect.integrations.sqlalchemy import (
    BlindIndexed,
    EncryptedBytes,
    EncryptedString,
)
from dataprotect.keys import EnvKEK


def _models(keyring):
    encryptor = Encryptor(keyring)

    class Base(DeclarativeBase):
        pass

    class Patient(Base):
        __tablename__ = "patients"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str | None] = mapped_column(EncryptedString(encryptor))
        name_index: Mapped[bytes | None] = mapped_column(
            BlindIndexed(BlindIndex(keyring, "patients.name"), source="name")
        )
        scan: Mapped[bytes | None] = mapped_column(EncryptedBytes(encryptor))

    return Base, Patient


@pytest.fixture(name="setup")
def _setup(tmp_path, monkeypatch, request):
    monkeypatch.chdir(tmp_path)
    kek_value = EnvKEK.generate_value()
    monkeypatch.setenv("APP_KEK", kek_value)
    kek = EnvKEK("APP_KEK")
    keyring = Keyring.generate()
    keyring.save("r.dpkr", kek=kek)
    base, patient = _models(keyring)
    if getattr(request, "param", "sqlite") == "sqlite":
        url = f"sqlite:///{tmp_path / 'app.db'}"
        engine_url = url
    else:
        url = request.getfixturevalue("postgres").create_database()
        engine_url = url.replace("postgresql://", "postgresql+psycopg://")
    engine = create_engine(engine_url)
    base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add_all(
            patient(name=f"p{i}", scan=bytes([i])) for i in range(25)
        )
        session.commit()
    old = keyring.primary_id
    keyring.rotate()
    keyring.save("r.dpkr", kek=kek)

    def run(*args):
        return CliRunner().invoke(
            cli,
            [*args, "--keyring", "r.dpkr", "--kek", "env:APP_KEK"],
            catch_exceptions=False,
        )

    yield url, engine, keyring, old, patient, run
    engine.dispose()


@pytest.mark.parametrize("setup", ["sqlite", "postgres"], indirect=True)
def test_reencrypt_then_retire_old_key(setup):
    """Every row and index moves to the new key; the old one can go."""
    url, engine, keyring, old, patient, run = setup
    index = ["--blind-index", "name_index=patients.name"]
    out = run(
        "db", "reencrypt", url, "patients", "name", *index, "--batch", "7"
    )
    assert out.exit_code == 0, out.output
    assert "25 rows checked, 25 rewritten" in out.output
    out = run("db", "reencrypt", url, "patients", "scan")
    assert out.exit_code == 0, out.output
    out = run("db", "reencrypt", url, "patients", "name", *index)
    assert "25 rows checked, 0 rewritten" in out.output
    keyring.retire(old)
    with Session(engine) as session:
        rows = session.scalars(select(patient).order_by(patient.id)).all()
        assert [r.name for r in rows] == [f"p{i}" for i in range(25)]
        digest = BlindIndex(keyring, "patients.name").digest("p3")
        hit = session.scalars(
            select(patient).where(patient.name_index == digest)
        ).one()
        assert hit.scan == bytes([3])


def test_progress_on_a_terminal(setup, monkeypatch):
    """On a terminal a row-count progress bar runs."""
    import pty

    url, *_ = setup
    master, slave = pty.openpty()
    try:
        with open(slave, "w", encoding="utf-8", closefd=False) as term:
            monkeypatch.setattr(sys, "stderr", term)
            cli.main(
                [
                    "db",
                    "reencrypt",
                    url,
                    "patients",
                    "scan",
                    "--keyring",
                    "r.dpkr",
                    "--kek",
                    "env:APP_KEK",
                ],
                standalone_mode=False,
            )
    finally:
        import os

        os.close(master)
        os.close(slave)


def test_plaintext_stops_with_the_row_named(setup):
    """A plaintext row is one clear line naming it, until
    --encrypt-plaintext encrypts it."""
    url, engine, _, _, patient, run = setup
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO patients (id, name) VALUES (99, 'Zq9')")
        )
    out = run("db", "reencrypt", url, "patients", "name")
    assert out.exit_code == 2
    assert out.output.count("\n") == 1
    assert "patients.name of row (99) is not encrypted" in out.output
    assert "Zq9" not in out.output
    out = run(
        "db", "reencrypt", url, "patients", "name", "--encrypt-plaintext"
    )
    assert out.exit_code == 0, out.output
    with Session(engine) as session:
        assert session.get(patient, 99).name == "Zq9"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("patients", "nope"), "table patients has no column nope"),
        (("nope", "name"), "no table nope at"),
        (("patients", "name", "--blind-index", "x"), "--blind-index must be"),
        (
            ("patients", "name", "--blind-index", "name_index=n:12"),
            "bits must be a multiple of 8",
        ),
    ],
)
def test_usage_errors(setup, args, message):
    """Bad tables, columns and index specs are one line, exit 2."""
    url, *_, run = setup
    out = run("db", "reencrypt", url, *args)
    assert out.exit_code == 2
    assert message in out.output
    assert out.output.count("\n") == 1


def test_database_errors_hide_credentials(setup):
    """A database that cannot be reached: one line, password masked."""
    *_, run = setup
    url = "postgresql://app:Zq9pw@127.0.0.1:1/app"
    out = run("db", "reencrypt", url, "patients", "name")
    assert out.exit_code == 2
    assert "database error at postgresql://app:[secure]@127.0.0.1:1/app" in (
        out.output
    )
    assert "Zq9pw" not in out.output

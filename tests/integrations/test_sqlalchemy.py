"""Encrypted SQLAlchemy columns on SQLite and a real PostgreSQL server."""

from __future__ import annotations

import contextlib
import types
import uuid

from typing import ClassVar

import pytest

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import (
    FetchedValue,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    create_engine,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.mutable import MutableDict, MutableList
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    defer,
    mapped_column,
)

from dataprotect import BlindIndex, Encryptor, Keyring
from dataprotect.errors import (
    ColumnDecryptionError,
    ConfigurationError,
    DecryptionError,
    UnencryptedValueError,
)
from dataprotect.integrations.sqlalchemy import (
    BlindIndexed,
    EncryptedBytes,
    EncryptedJSON,
    EncryptedString,
    Sealed,
    bind_value,
    blind_match,
    encrypt_existing,
    open_value,
    reencrypt_table,
)


FIXTURE = [HealthCheck.function_scoped_fixture]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)
# PostgreSQL text cannot hold NUL.
texts = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
)


def models(keyring: Keyring):
    """Fresh mapped classes bound to *keyring*."""
    encryptor = Encryptor(keyring)
    index = BlindIndex(keyring, "users.email")

    class Base(DeclarativeBase):
        pass

    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(Integer, primary_key=True)
        email: Mapped[str | None] = mapped_column(
            EncryptedString(encryptor), nullable=True
        )
        email_index: Mapped[bytes | None] = mapped_column(
            BlindIndexed(index, source="email"), nullable=True
        )
        notes: Mapped[object] = mapped_column(
            EncryptedJSON(encryptor), nullable=True
        )
        photo: Mapped[bytes | None] = mapped_column(
            EncryptedBytes(encryptor), nullable=True
        )

    class Token(Base):
        """A client-side (UUID) and composite primary key."""

        __tablename__ = "tokens"
        tenant: Mapped[str] = mapped_column(String(20), primary_key=True)
        id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
        secret: Mapped[bytes] = mapped_column(EncryptedBytes(encryptor))

    return Base, User, Token, index


@pytest.fixture(name="url", params=["sqlite", "postgresql"])
def _url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    postgres = request.getfixturevalue("postgres")
    return postgres.create_database().replace(
        "postgresql://", "postgresql+psycopg://", 1
    )


@pytest.fixture(name="db")
def _db(url):
    keyring = Keyring.generate()
    base, user, token, index = models(keyring)
    engine = create_engine(url)
    base.metadata.create_all(engine)
    yield types.SimpleNamespace(
        engine=engine, keyring=keyring, User=user, Token=token, index=index
    )
    engine.dispose()


def _stored(engine, column="email", table="users"):
    with engine.connect() as conn:
        return dict(
            conn.execute(text(f"SELECT id, {column} FROM {table}")).all()
        )


class TestColumns:
    def test_round_trip_and_lookup(self, db):
        """Values round-trip; the blind index finds the row."""
        engine = db.engine
        index = db.index
        with Session(engine) as session:
            session.add_all(
                [
                    db.User(
                        email="a@b.ch", notes={"n": [1, 2.5]}, photo=b"\0"
                    ),
                    db.User(email="c@d.ch"),
                ]
            )
            session.commit()
        with Session(engine) as session:
            found = session.scalars(
                select(db.User).where(
                    db.User.email_index == index.digest("a@b.ch")
                )
            ).one()
            assert (found.email, found.notes, found.photo) == (
                "a@b.ch",
                {"n": [1, 2.5]},
                b"\0",
            )
            found.email = "new@b.ch"
            session.commit()
            assert found.email == "new@b.ch"  # reloaded after commit
        with Session(engine) as session:
            again = session.scalars(
                select(db.User).where(
                    blind_match(db.User.email_index, "new@b.ch")
                )
            ).one()
            assert again.id == found.id
            assert (
                session.scalars(
                    select(db.User).where(
                        db.User.email_index == index.digest("a@b.ch")
                    )
                ).all()
                == []
            )
        stored = _stored(engine)
        assert all("@" not in v for v in stored.values())

    def test_client_side_composite_key(self, db):
        """A composite, client-side key is bound at INSERT."""
        engine = db.engine
        key = uuid.uuid4()
        with Session(engine) as session:
            session.add(db.Token(tenant="acme", id=key, secret=b"s3cret"))
            session.commit()
        with Session(engine) as session:
            token = session.get(db.Token, ("acme", key))
            assert token.secret == b"s3cret"

    def test_none_and_changed_to_none(self, db):
        """NULL stays NULL; the blind index follows to NULL."""
        engine = db.engine
        with Session(engine) as session:
            user = db.User(email="x@y.ch")
            session.add(user)
            session.commit()
            user.email = None
            session.commit()
            assert (user.email, user.email_index) == (None, None)

    def test_core_needs_bind_value(self, db):
        """A bare value in Core is refused; bind_value/open_value work."""
        engine = db.engine
        with Session(engine) as session:
            with pytest.raises(StatementError) as exc:
                session.execute(insert(db.User).values(id=5, email="a@b.ch"))
            assert isinstance(exc.value.orig, ConfigurationError)
            assert "a@b.ch" not in str(exc.value)
            session.rollback()
            session.execute(
                insert(db.User).values(
                    id=5, email=bind_value(db.User.email, "a@b.ch", pk=5)
                )
            )
            session.commit()
            sealed = session.scalar(
                select(db.User.email).where(db.User.id == 5)
            )
            assert isinstance(sealed, Sealed)
            assert repr(sealed) == "<Sealed>"
            assert open_value(db.User.email, sealed, pk=5) == "a@b.ch"
            assert open_value(db.User.email, None, pk=5) is None
            with pytest.raises(StatementError) as exc:
                session.scalars(
                    select(db.User).where(db.User.email == "a@b.ch")
                )
            assert isinstance(exc.value.orig, ConfigurationError)

    def test_swapped_rows_and_columns_rejected(self, db):
        """A ciphertext copied to another row or column does not decrypt."""
        engine = db.engine
        with Session(engine) as session:
            session.add_all(
                [
                    db.User(id=1, email="one", notes="one"),
                    db.User(id=2, email="two"),
                ]
            )
            session.commit()
        with engine.begin() as conn:
            one = conn.execute(text("SELECT email FROM users WHERE id = 1"))
            conn.execute(
                text("UPDATE users SET email = :v WHERE id = 2"),
                {"v": one.scalar()},
            )
        with Session(engine) as session:
            with pytest.raises(ColumnDecryptionError) as exc:
                session.get(db.User, 2)
            assert (
                str(exc.value) == "users.email of row (2): decryption failed"
            )
            assert isinstance(exc.value, DecryptionError)

    def test_wrong_keyring(self, db):
        """Rows read with another keyring name the row; no plaintext."""
        engine = db.engine
        with Session(engine) as session:
            session.add(db.User(id=7, email="Zq9 secret"))
            session.commit()
        other = models(Keyring.generate())[1]
        with (
            Session(engine) as session,
            pytest.raises(ColumnDecryptionError) as exc,
        ):
            session.get(other, 7)
        assert "users.email of row (7)" in str(exc.value)
        assert "Zq9" not in str(exc.value)

    def test_plaintext_from_before(self, db):
        """Plaintext raises UnencryptedValueError naming the row, and
        encrypt_existing migrates it in place."""
        engine = db.engine
        index = db.index
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO users (id, email) VALUES (3, 'old@b.ch')")
            )
        with (
            Session(engine) as session,
            pytest.raises(UnencryptedValueError) as exc,
        ):
            session.get(db.User, 3)
        assert "users.email of row (3) is not encrypted" in str(exc.value)
        assert "old@b.ch" not in str(exc.value)
        with Session(engine) as session:
            with pytest.raises(UnencryptedValueError):
                reencrypt_table(session, db.User.email)
            result = encrypt_existing(session, db.User.email)
            assert (result.rows, result.rewritten) == (1, 1)
            assert encrypt_existing(session, db.User.email).rewritten == 0
        with Session(engine) as session:
            user = session.scalars(
                select(db.User).where(
                    db.User.email_index == index.digest("old@b.ch")
                )
            ).one()
            assert user.email == "old@b.ch"

    def test_encrypt_existing_json_and_bytes(self, db):
        """Plaintext JSON is validated before it is encrypted."""
        engine = db.engine
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO users (id, notes) VALUES (1, :v)"),
                {"v": b'{"a": 1}'},
            )
            conn.execute(
                text("INSERT INTO users (id, notes) VALUES (2, :v)"),
                {"v": b"not json"},
            )
        with (
            Session(engine) as session,
            pytest.raises(ConfigurationError, match=r"row \(2\)"),
        ):
            encrypt_existing(session, db.User.notes)
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM users WHERE id = 2"))
        with Session(engine) as session:
            encrypt_existing(session, db.User.notes)
            assert session.get(db.User, 1).notes == {"a": 1}

    def test_tampered_value_is_never_taken_as_plaintext(self, db):
        """encrypt_existing stops at a ciphertext that fails to decrypt."""
        engine = db.engine
        with Session(engine) as session:
            session.add_all(
                [db.User(id=1, photo=b"p1"), db.User(id=2, photo=b"p2")]
            )
            session.commit()
        stored = _stored(engine, "photo")
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE users SET photo = :v WHERE id = 2"),
                {"v": bytes(stored[1])},
            )
        with Session(engine) as session, pytest.raises(ColumnDecryptionError):
            encrypt_existing(session, db.User.photo)

    def test_primary_key_change_rebinds(self, db):
        """Changing a row's primary key re-encrypts its loaded values."""
        engine = db.engine
        with Session(engine) as session:
            user = db.User(id=1, email="a@b.ch", photo=b"x")
            session.add(user)
            session.commit()
            user.id = 9
            assert user.email == "a@b.ch"
            assert user.photo == b"x"
            session.commit()
        with Session(engine) as session:
            assert session.get(db.User, 9).email == "a@b.ch"

    def test_primary_key_change_needs_loaded_values(self, db):
        """A key change with an encrypted value not loaded is refused."""
        with Session(db.engine) as session:
            session.add(db.User(id=1, email="a@b.ch"))
            session.commit()
        with Session(db.engine) as session:
            user = session.get(db.User, 1, options=[defer(db.User.email)])
            user.id = 2
            with pytest.raises(ConfigurationError, match="primary key"):
                session.commit()

    def test_null_rows_are_skipped(self, db):
        """reencrypt_table reads NULL values and leaves them."""
        with Session(db.engine) as session:
            session.add(db.User(id=1))
            session.commit()
            result = reencrypt_table(session, db.User.email)
            assert (result.rows, result.rewritten) == (1, 0)

    def test_bad_arguments(self, db):
        """Misused helpers raise ConfigurationError."""
        engine = db.engine
        with (
            Session(engine) as session,
            pytest.raises(ConfigurationError, match="batch"),
        ):
            reencrypt_table(session, db.User.email, batch=0)
        with pytest.raises(ConfigurationError, match="encrypted column"):
            bind_value(db.User.id, 1, pk=1)
        with pytest.raises(ConfigurationError, match="mapped column"):
            bind_value("email", 1, pk=1)
        with pytest.raises(ConfigurationError, match="BlindIndexed"):
            blind_match(db.User.id, "x")
        with pytest.raises(ConfigurationError, match="JSON"):
            bind_value(db.User.notes, float("nan"), pk=1)

    def test_blind_index_needs_an_encrypted_source(self):
        """A BlindIndexed column must name an encrypted attribute."""
        keyring = Keyring.generate()

        class Base(DeclarativeBase):
            pass

        class Bad(Base):
            __tablename__ = "bad"
            id: Mapped[int] = mapped_column(primary_key=True)
            name: Mapped[str] = mapped_column(String(10))
            name_index: Mapped[bytes] = mapped_column(
                BlindIndexed(BlindIndex(keyring, "n"), source="name")
            )

        with pytest.raises(ConfigurationError, match="encrypted attribute"):
            Bad(name="x")

    @pytest.mark.parametrize(
        "default",
        [
            {"server_default": "x"},
            {"default": "x"},
            {"onupdate": "x"},
            {"server_onupdate": FetchedValue()},
        ],
    )
    def test_defaults_are_refused(self, default):
        """A default the database or the INSERT fills in would not be
        encrypted for its row (a server default: stored in the clear)."""
        encryptor = Encryptor(Keyring.generate())

        class Base(DeclarativeBase):
            pass

        class Bad(Base):
            __tablename__ = "bad"
            id: Mapped[int] = mapped_column(primary_key=True)
            name: Mapped[str] = mapped_column(
                EncryptedString(encryptor), **default
            )

        name = next(iter(default))
        with pytest.raises(ConfigurationError, match=f"have {name}="):
            Bad(name="x")

    def test_reprs_hold_no_secret(self, db):
        """Type reprs show the key id and index name only."""
        assert repr(db.User.email.type).startswith(
            "EncryptedString(<Encryptor"
        )
        assert repr(db.User.email_index.type).startswith(
            "BlindIndexed(<BlindIndex"
        )


class TestProperties:
    @settings(suppress_health_check=FIXTURE, max_examples=25)
    @given(email=texts, notes=json_values, photo=st.binary())
    def test_any_value_round_trips(self, db, email, notes, photo):
        """Any str, JSON and bytes value reads back equal."""
        engine = db.engine
        with Session(engine) as session:
            user = db.User(email=email, notes=notes, photo=photo)
            session.add(user)
            session.commit()
            key = user.id
        with Session(engine) as session:
            back = session.get(db.User, key)
            assert (back.email, back.notes, back.photo) == (
                email,
                notes,
                photo,
            )

    @settings(suppress_health_check=FIXTURE, max_examples=10)
    @given(
        values=st.lists(st.binary(max_size=20), min_size=2, max_size=5),
        data=st.data(),
    )
    def test_swapped_ciphertext_rejected(self, db, values, data):
        """Any ciphertext moved to another row or column is rejected."""
        engine = db.engine
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM users"))
        with Session(engine) as session:
            session.add_all(
                [db.User(id=i, photo=v, notes=i) for i, v in enumerate(values)]
            )
            session.commit()
        src = data.draw(st.integers(0, len(values) - 1))
        dst = data.draw(st.integers(0, len(values) - 1))
        column = "photo" if src != dst else "notes"
        moved = _stored(engine, "photo")[src]
        with engine.begin() as conn:
            conn.execute(
                text(f"UPDATE users SET {column} = :v WHERE id = :i"),
                {"v": bytes(moved), "i": dst},
            )
        with Session(engine) as session, pytest.raises(ColumnDecryptionError):
            session.get(db.User, dst)

    @settings(suppress_health_check=FIXTURE, max_examples=8)
    @given(
        n=st.integers(1, 30),
        batch=st.integers(1, 7),
        crash_at=st.integers(0, 6),
    )
    def test_interrupted_reencrypt_resumes(self, db, n, batch, crash_at):
        """reencrypt_table crashed at any batch and run again leaves every
        row readable under the new primary key alone."""
        engine = db.engine
        keyring = db.keyring
        index = db.index
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM users"))
        with Session(engine) as session:
            session.add_all(
                [
                    db.User(id=i, email=f"u{i}@x.ch", photo=bytes([i]))
                    for i in range(n)
                ]
            )
            session.commit()
        old = keyring.primary_id
        keyring.rotate()
        calls = []

        def crash(rows):
            calls.append(rows)
            if len(calls) > crash_at:
                raise KeyboardInterrupt

        with (
            Session(engine) as session,
            contextlib.suppress(KeyboardInterrupt),
        ):
            reencrypt_table(
                session, db.User.email, batch=batch, progress=crash
            )
        with Session(engine) as session:  # all rows readable mid-way
            assert len(session.scalars(select(db.User)).all()) == n
        with Session(engine) as session:
            result = reencrypt_table(session, db.User.email, batch=batch)
            assert result.rows == n
            reencrypt_table(session, db.User.photo, batch=batch)
        keyring.retire(old)
        with Session(engine) as session:
            users = session.scalars(select(db.User).order_by(db.User.id)).all()
            assert [u.email for u in users] == [f"u{i}@x.ch" for i in range(n)]
            assert [u.photo for u in users] == [bytes([i]) for i in range(n)]
            hit = session.scalars(
                select(db.User).where(
                    db.User.email_index == index.digest("u0@x.ch")
                )
            ).one()
            assert hit.id == 0
        with Session(engine) as session:
            assert reencrypt_table(session, db.User.email).rewritten == 0


def mutable_models(keyring: Keyring):
    """A model whose encrypted JSON columns track changes in place."""
    encryptor = Encryptor(keyring)

    class Base(DeclarativeBase):
        pass

    class Profile(Base):
        __tablename__ = "profiles"
        id: Mapped[int] = mapped_column(Integer, primary_key=True)
        prefs: Mapped[dict[str, object] | None] = mapped_column(
            MutableDict.as_mutable(EncryptedJSON(encryptor)), nullable=True
        )
        tags: Mapped[list[object] | None] = mapped_column(
            MutableList.as_mutable(EncryptedJSON(encryptor)), nullable=True
        )

    return Base, Profile


@pytest.fixture(name="mutable")
def _mutable(url):
    base, profile = mutable_models(Keyring.generate())
    engine = create_engine(url)
    base.metadata.create_all(engine)
    yield types.SimpleNamespace(engine=engine, Profile=profile)
    engine.dispose()


#: One change in place: ("set", key, value), ("del", key) or
#: ("append", value).
changes = st.lists(
    st.one_of(
        st.tuples(st.just("set"), st.text(max_size=4), json_values),
        st.tuples(st.just("del"), st.text(max_size=4)),
        st.tuples(st.just("append"), json_values),
    ),
    max_size=6,
)


class TestMutable:
    """``MutableDict``/``MutableList.as_mutable(EncryptedJSON(...))``:
    changes inside the value are written, as with SQLAlchemy's JSON."""

    @pytest.mark.parametrize("key", [None, 7])  # autoincrement, or known
    def test_changes_in_place_are_written(self, mutable, key):
        with Session(mutable.engine) as session:
            row = mutable.Profile(id=key, prefs={"a": 1}, tags=["x"])
            session.add(row)
            session.commit()
            key = row.id
        with Session(mutable.engine) as session:
            row = session.get(mutable.Profile, key)
            assert isinstance(row.prefs, MutableDict)
            row.prefs["a"] = 2
            row.prefs["b"] = {"c": [1]}
            row.tags.append("y")
            session.commit()
        with Session(mutable.engine) as session:
            row = session.get(mutable.Profile, key)
            assert row.prefs == {"a": 2, "b": {"c": [1]}}
            assert row.tags == ["x", "y"]
            row.id = 99  # a moved row: its values are bound to the new key
            session.commit()
        with Session(mutable.engine) as session:
            assert session.get(mutable.Profile, 99).tags == ["x", "y"]

    @settings(suppress_health_check=FIXTURE, max_examples=15)
    @given(
        start=st.dictionaries(st.text(max_size=4), json_values), steps=changes
    )
    def test_any_changes_read_back(self, mutable, start, steps):
        """Any sequence of changes in place, committed, reads back as the
        same value in a new session."""
        with Session(mutable.engine) as session:
            row = mutable.Profile(prefs=dict(start), tags=[])
            session.add(row)
            session.commit()
            key = row.id
            expected_prefs, expected_tags = dict(start), []
            for step in steps:
                if step[0] == "set":
                    row.prefs[step[1]] = step[2]
                    expected_prefs[step[1]] = step[2]
                elif step[0] == "del":
                    row.prefs.pop(step[1], None)
                    expected_prefs.pop(step[1], None)
                else:
                    row.tags.append(step[1])
                    expected_tags.append(step[1])
            session.commit()
        with Session(mutable.engine) as session:
            row = session.get(mutable.Profile, key)
            assert (row.prefs, row.tags) == (expected_prefs, expected_tags)


class TestRotation:
    def test_concurrent_write_wins(self, db):
        """A row changed between read and update is not overwritten."""
        engine = db.engine
        keyring = db.keyring
        with Session(engine) as session:
            session.add_all(
                [db.User(id=1, email="a"), db.User(id=2, email="b")]
            )
            session.commit()
        keyring.rotate()
        writes = []

        def write(_rows):
            if not writes:
                with Session(engine) as other:
                    other.get(db.User, 2).email = "changed"
                    other.commit()
                writes.append(1)

        with Session(engine) as session:
            reencrypt_table(session, db.User.email, batch=1, progress=write)
        with Session(engine) as session:
            assert session.get(db.User, 2).email == "changed"

    def test_composite_key_paging(self, db):
        """Keyset paging walks a composite primary key completely."""
        engine = db.engine
        keyring = db.keyring
        ids = sorted(uuid.uuid4() for _ in range(5))
        with Session(engine) as session:
            for tenant in ("a", "b"):
                session.add_all(
                    db.Token(tenant=tenant, id=i, secret=i.bytes) for i in ids
                )
            session.commit()
        keyring.rotate()
        with Session(engine) as session:
            result = reencrypt_table(session, db.Token.secret, batch=3)
        assert (result.rows, result.rewritten) == (10, 10)

    def test_without_primary_key(self):
        """A table without a primary key cannot be rotated."""
        from sqlalchemy import Column, MetaData, Table

        from dataprotect.integrations._columns import ColumnCipher
        from dataprotect.integrations._rotation import Batch, rotate

        table = Table("t", MetaData(), Column("v", LargeBinary))
        cipher = ColumnCipher(
            Encryptor(Keyring.generate()), "bytes", text=False
        )
        with pytest.raises(ConfigurationError, match="primary key"):
            rotate(
                None,
                table,
                Batch(table.c.v, cipher, []),
                batch=1,
                progress=None,
            )


def test_joined_inheritance_updates():
    """An UPDATE through a subclass mapper binds the subclass table's row."""
    keyring = Keyring.generate()
    encryptor = Encryptor(keyring)

    class Base(DeclarativeBase):
        pass

    class Person(Base):
        __tablename__ = "people"
        id: Mapped[int] = mapped_column(primary_key=True)
        kind: Mapped[str] = mapped_column(String(10))
        __mapper_args__: ClassVar[dict[str, str]] = {
            "polymorphic_on": "kind",
            "polymorphic_identity": "p",
        }

    class Patient(Person):
        __tablename__ = "patients"
        id: Mapped[int] = mapped_column(
            ForeignKey("people.id"), primary_key=True
        )
        record: Mapped[str] = mapped_column(EncryptedString(encryptor))
        __mapper_args__: ClassVar[dict[str, str]] = {
            "polymorphic_identity": "patient"
        }

    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add(Patient(record="flu"))
        session.commit()
        session.execute(update(Person).values(kind="patient"))
    with Session(engine) as session:
        patient = session.scalars(select(Patient)).one()
        assert patient.record == "flu"


_KILLED_WORKER = """
import sys, time
sys.path.insert(0, sys.argv[1])
from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from dataprotect import EnvKEK, Keyring
from dataprotect.integrations.sqlalchemy import reencrypt_table
from test_sqlalchemy import models

keyring = Keyring.load(sys.argv[3], kek=EnvKEK("APP_KEK"))
user = models(keyring)[1]
def tick(rows):
    print(rows, flush=True)
    time.sleep(0.05)
with Session(create_engine(sys.argv[2])) as session:
    reencrypt_table(session, user.email, batch=7, progress=tick)
"""


def test_killed_reencrypt_resumes(tmp_path, monkeypatch):
    """A reencrypt_table process killed with SIGKILL mid-run leaves every
    row readable; a second run finishes the rotation."""
    import os
    import signal
    import subprocess
    import sys

    from dataprotect import EnvKEK

    monkeypatch.setenv("APP_KEK", EnvKEK.generate_value())
    kek = EnvKEK("APP_KEK")
    url = f"sqlite:///{tmp_path / 'app.db'}"
    keyring = Keyring.generate()
    base, user, _, _ = models(keyring)
    engine = create_engine(url)
    base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add_all(user(id=i, email=f"u{i}@x.ch") for i in range(200))
        session.commit()
    old = keyring.primary_id
    keyring.rotate()
    keyring.save(tmp_path / "r.dpkr", kek=kek)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _KILLED_WORKER,
            os.path.dirname(__file__),
            url,
            str(tmp_path / "r.dpkr"),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    for _ in range(3):  # three batches committed, then kill it
        assert worker.stdout.readline().strip() == "7"
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    worker.stdout.close()
    with Session(engine) as session:  # every row readable, old or new key
        emails = [u.email for u in session.scalars(select(user))]
        assert sorted(emails) == sorted(f"u{i}@x.ch" for i in range(200))
        result = reencrypt_table(session, user.email)
        assert result.rows == 200
        assert 0 < result.rewritten < 200  # the killed run's batches stay
    keyring.retire(old)
    with Session(engine) as session:
        assert len(session.scalars(select(user)).all()) == 200
    engine.dispose()


def test_failed_flush_leaves_no_pending_value():
    """A flush that fails after a row with a generated key was inserted
    forgets that row's value: a later row reusing the key keeps its own."""
    from sqlalchemy.exc import IntegrityError

    base, user, token, _ = models(Keyring.generate())
    engine = create_engine("sqlite://")
    base.metadata.create_all(engine)
    key = uuid.uuid4()
    with Session(engine) as session:
        session.add(token(tenant="acme", id=key, secret=b"s"))
        session.commit()
    with Session(engine) as session:
        session.add(user(email="first"))
        session.add(token(tenant="acme", id=key, secret=b"dup"))
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()
        session.add(user(email="second"))
        session.commit()
    with Session(engine) as session:
        assert [u.email for u in session.scalars(select(user))] == ["second"]

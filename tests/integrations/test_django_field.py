"""The encrypted Django model field and its blind index, on SQLite and on
a real PostgreSQL server (psycopg 3)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from django.conf import settings
from django.db import connections, models, transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from dataprotect import BlindIndex, Encryptor, Keyring
from dataprotect._encoding import b64decode
from dataprotect.errors import (
    ColumnDecryptionError,
    ConfigurationError,
    UnencryptedValueError,
)
from dataprotect.integrations.django import BlindIndexField, EncryptedField


FIXTURE = [HealthCheck.function_scoped_fixture]
# PostgreSQL text cannot hold NUL.
texts = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
)


class Patient(models.Model):
    name = EncryptedField()
    scan = EncryptedField(kind="bytes", null=True)
    notes = EncryptedField(kind="json", null=True)

    class Meta:
        app_label = "dataprotect_tests"

    def __str__(self) -> str:
        return f"#{self.pk}"


class Visit(models.Model):
    """A client-side primary key: bound at INSERT, no second statement."""

    code = models.CharField(primary_key=True, max_length=10)
    reason = EncryptedField()

    class Meta:
        app_label = "dataprotect_tests"

    def __str__(self) -> str:
        return f"#{self.pk}"


class User(models.Model):
    """The table of the SQLAlchemy tests' ``User``, column for column."""

    email = EncryptedField(null=True)
    email_index = BlindIndexField(source="email", index="users.email")
    notes = EncryptedField(kind="json", null=True)
    notes_index = BlindIndexField(source="notes", index="users.notes", bits=32)
    photo = EncryptedField(kind="bytes", null=True)

    class Meta:
        app_label = "dataprotect_tests"
        db_table = "users"

    def __str__(self) -> str:
        return f"#{self.pk}"


class Ticket(models.Model):
    """A Python default, encrypted like any value."""

    topic = EncryptedField(default="general")

    class Meta:
        app_label = "dataprotect_tests"

    def __str__(self) -> str:
        return f"#{self.pk}"


MODELS = (Patient, Visit, User, Ticket)


@pytest.fixture(name="db", scope="module", params=["sqlite", "postgresql"])
def _db(request):
    """The database alias: Django's in-memory SQLite, or a fresh database
    on the session's PostgreSQL server."""
    if request.param == "sqlite":
        yield "default"
        return
    url = urlsplit(request.getfixturevalue("postgres").create_database())
    alias = "postgresql"
    config = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": url.path.lstrip("/"),
        "USER": url.username,
        "HOST": url.hostname,
        "PORT": str(url.port),
    }
    connections.settings[alias] = connections.configure_settings(
        {"default": connections.settings["default"], alias: config}
    )[alias]
    yield alias
    connections[alias].close()
    del connections[alias]
    del connections.settings[alias]


@pytest.fixture(name="keyring", autouse=True)
def _keyring(monkeypatch, db):
    keyring = Keyring.generate()
    monkeypatch.setattr(
        settings, "DATAPROTECT_ENCRYPTOR", Encryptor(keyring), raising=False
    )
    with connections[db].schema_editor() as editor:
        for model in MODELS:
            editor.create_model(model)
    yield keyring
    with connections[db].schema_editor() as editor:
        for model in MODELS:
            editor.delete_model(model)


def _sql(db, query, params=()):
    with connections[db].cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall() if cursor.description else None


def _stored(db, table, column, pk):
    return _sql(db, f"SELECT {column} FROM {table} WHERE id = %s", [pk])[0][0]


class TestEncryptedField:
    def test_defaults(self, db):
        """A Python default is encrypted like any value; a database
        default (which the database would store in the clear) is refused."""
        made = Ticket.objects.using(db).create()
        stored = _stored(db, Ticket._meta.db_table, "topic", made.pk)
        assert "general" not in stored
        assert Ticket.objects.using(db).get(pk=made.pk).topic == "general"
        with pytest.raises(ConfigurationError, match="db_default"):
            EncryptedField(db_default="general")

    @pytest.mark.parametrize("read_first", [False, True])
    def test_copy_as_a_new_row(self, db, read_first):
        """Django's copy (``pk = None``, save) of a loaded row: the values
        open with the key they were loaded with and are bound afresh."""
        made = Patient.objects.using(db).create(name="Ada", notes={"a": 1})
        copy = Patient.objects.using(db).get(pk=made.pk)
        if read_first:
            assert copy.name == "Ada"
        copy.pk = None
        copy.save(using=db)
        assert copy.pk != made.pk
        for pk in (made.pk, copy.pk):
            again = Patient.objects.using(db).get(pk=pk)
            assert (again.name, again.notes) == ("Ada", {"a": 1})

    def test_row_given_another_key(self, db):
        """A loaded row saved under another key: its values are bound to
        the new key (its sealed values were never read)."""
        Visit.objects.using(db).create(code="a1", reason="flu")
        visit = Visit.objects.using(db).get(pk="a1")
        visit.pk = "b2"
        visit.save(using=db)
        assert Visit.objects.using(db).get(pk="b2").reason == "flu"
        assert Visit.objects.using(db).get(pk="a1").reason == "flu"

    def test_round_trip(self, db):
        """Values of every kind read back; the column holds no plaintext."""
        with transaction.atomic(using=db):
            patient = Patient.objects.db_manager(db).create(
                name="Zq9 Ada", scan=b"\0\1", notes={"a": [1]}
            )
        back = Patient.objects.using(db).get(pk=patient.pk)
        assert (back.name, back.scan, back.notes) == (
            "Zq9 Ada",
            b"\0\1",
            {"a": [1]},
        )
        assert "Zq9" not in _stored(
            db, "dataprotect_tests_patient", "name", back.pk
        )
        back.name = "Bea"
        back.save()
        assert Patient.objects.using(db).get(pk=patient.pk).name == "Bea"

    def test_same_format_as_sqlalchemy(self, db):
        """A stored value opens with the column cipher the SQLAlchemy types
        and ``dataprotect db reencrypt`` use."""
        from dataprotect.integrations._columns import ColumnCipher

        patient = Patient.objects.db_manager(db).create(
            name="Ada", scan=b"\x00"
        )
        table = "dataprotect_tests_patient"
        cipher = ColumnCipher(settings.DATAPROTECT_ENCRYPTOR, "str", text=True)
        stored = _stored(db, table, "name", patient.pk)
        assert cipher.open(stored, table, "name", [patient.pk]) == "Ada"
        cipher = ColumnCipher(
            settings.DATAPROTECT_ENCRYPTOR, "bytes", text=False
        )
        stored = _stored(db, table, "scan", patient.pk)
        assert cipher.open(stored, table, "scan", [patient.pk]) == b"\x00"

    def test_client_side_key(self, db):
        """A primary key set before saving is bound directly."""
        Visit.objects.db_manager(db).create(code="v1", reason="flu")
        assert Visit.objects.using(db).get(pk="v1").reason == "flu"

    def test_swapped_row_rejected(self, db):
        """A value copied to another row names that row."""
        one = Patient.objects.db_manager(db).create(name="one")
        two = Patient.objects.db_manager(db).create(name="two")
        stored = _stored(db, "dataprotect_tests_patient", "name", one.pk)
        _sql(
            db,
            "UPDATE dataprotect_tests_patient SET name = %s WHERE id = %s",
            [stored, two.pk],
        )
        with pytest.raises(ColumnDecryptionError, match=rf"row \({two.pk}\)"):
            _ = Patient.objects.using(db).get(pk=two.pk).name

    def test_plaintext_is_named(self, db):
        """Plaintext from before encryption raises UnencryptedValueError."""
        _sql(
            db,
            "INSERT INTO dataprotect_tests_patient (id, name) VALUES (5, 'x')",
        )
        with pytest.raises(UnencryptedValueError, match=r"row \(5\)"):
            _ = Patient.objects.using(db).get(pk=5).name

    def test_filter_on_value_refused(self, db):
        """Filtering on an encrypted value is refused."""
        with pytest.raises(ConfigurationError, match="never filter"):
            list(Patient.objects.using(db).filter(name="x"))

    def test_unsaved_and_deferred(self, db):
        """An unsaved value reads as given; a deferred one loads and opens."""
        patient = Patient(name="new")
        assert patient.name == "new"
        patient.save(using=db)
        deferred = Patient.objects.using(db).defer("name").get(pk=patient.pk)
        assert deferred.name == "new"
        assert Patient.name.__get__(None, Patient) is Patient.name

    def test_configuration(self, monkeypatch, db):
        """A missing encryptor or an unknown kind is a ConfigurationError;
        migrations record the kind only."""
        monkeypatch.setattr(settings, "DATAPROTECT_ENCRYPTOR", None)
        with pytest.raises(ConfigurationError, match="DATAPROTECT_ENCRYPTOR"):
            Patient.objects.db_manager(db).create(name="x")
        with pytest.raises(ConfigurationError, match="kind"):
            EncryptedField(kind="xml")
        assert EncryptedField(kind="json").deconstruct()[3] == {"kind": "json"}
        assert EncryptedField().deconstruct()[3] == {}


def _users(db):
    return User.objects.using(db)


class TestBlindIndexField:
    def test_lookup(self, db, keyring):
        """``__matches`` and the digest itself find the row; the column
        holds the 8-byte digest; NULL stays NULL."""
        _users(db).create(email="ada@example.ch", notes={"a": 1})
        _users(db).create(email="bob@example.ch")
        none = _users(db).create(email=None)
        found = _users(db).get(email_index__matches="ada@example.ch")
        assert (found.email, found.notes) == ("ada@example.ch", {"a": 1})
        index = BlindIndex(keyring, "users.email")
        digest = index.digest("ada@example.ch")
        assert _users(db).get(email_index=digest).pk == found.pk
        assert bytes(_stored(db, "users", "email_index", found.pk)) == digest
        assert len(digest) == 8
        assert _stored(db, "users", "email_index", none.pk) is None
        assert not _users(db).filter(email_index__matches="eve@example.ch")
        assert _users(db).get(notes_index__matches={"a": 1}).pk == found.pk

    def test_kept_in_sync(self, db):
        """A changed value changes its digest; a value not read keeps it
        without being decrypted; None clears it."""
        user = _users(db).create(email="old@example.ch")
        user.email = "new@example.ch"
        user.save()
        assert _users(db).get(email_index__matches="new@example.ch")
        assert not _users(db).filter(email_index__matches="old@example.ch")
        loaded = _users(db).get(pk=user.pk)
        # Made unreadable behind its back: a save that does not touch the
        # email must neither decrypt it nor lose its digest.
        _sql(db, "UPDATE users SET email = %s WHERE id = %s", ["x", user.pk])
        loaded.photo = b"\x01"
        loaded.save()
        assert _users(db).filter(email_index__matches="new@example.ch")
        deferred = _users(db).defer("email").get(pk=user.pk)
        deferred.photo = b"\x02"
        deferred.save()
        assert _users(db).filter(email_index__matches="new@example.ch")
        fresh = _users(db).get(pk=user.pk)
        fresh.email = None
        fresh.save()
        assert _stored(db, "users", "email_index", user.pk) is None

    def test_rotation(self, db, keyring):
        """Rows indexed under an older key are found by ``__matches``
        until re-saved under the new primary key."""
        user = _users(db).create(email="ada@example.ch")
        old = BlindIndex(keyring, "users.email").digest("ada@example.ch")
        keyring.rotate()
        new = BlindIndex(keyring, "users.email").digest("ada@example.ch")
        assert new != old
        assert _users(db).get(email_index__matches="ada@example.ch")
        assert not _users(db).filter(email_index=new)
        user = _users(db).get(pk=user.pk)
        user.email = user.email
        user.save()
        assert _users(db).get(email_index=new).pk == user.pk

    def test_interchangeable_with_sqlalchemy(self, db, keyring):
        """Rows written by either adapter are found and opened by the other
        (same table, same digests, same ciphertexts)."""
        from sqlalchemy import create_engine, select
        from sqlalchemy.orm import Session
        from sqlalchemy.pool import StaticPool
        from tests.integrations.test_sqlalchemy import models

        connection = connections[db]
        connection.ensure_connection()
        if connection.vendor == "sqlite":
            engine = create_engine(
                "sqlite://",
                creator=lambda: connection.connection,
                poolclass=StaticPool,
            )
        else:
            params = connection.get_connection_params()
            engine = create_engine(
                f"postgresql+psycopg://{params['user']}@{params['host']}:"
                f"{params['port']}/{params['dbname']}"
            )
        _, sa_user, _, index = models(keyring)
        _users(db).create(email="ada@example.ch", notes=[1], photo=b"\x00")
        with Session(engine) as session:
            ada = session.scalars(
                select(sa_user).where(
                    sa_user.email_index == index.digest("ada@example.ch")
                )
            ).one()
            assert (ada.email, ada.notes, ada.photo) == (
                "ada@example.ch",
                [1],
                b"\x00",
            )
            session.add(sa_user(email="bob@example.ch", notes={"b": 2}))
            session.commit()
        if connection.vendor != "sqlite":
            engine.dispose()
        bob = _users(db).get(email_index__matches="bob@example.ch")
        assert (bob.email, bob.notes) == ("bob@example.ch", {"b": 2})

    def test_configuration(self, db):
        """A source that is not an EncryptedField, a bad name or length is
        refused; migrations record source, name and length only."""
        field = BlindIndexField(source="email", index="users.email", bits=32)
        assert field.deconstruct()[3] == {
            "source": "email",
            "index": "users.email",
            "bits": 32,
        }
        assert BlindIndexField(
            source="a", index="b", null=False, db_index=False
        ).deconstruct()[3] == {
            "source": "a",
            "index": "b",
            "bits": 64,
            "null": False,
            "db_index": False,
        }
        with pytest.raises(ValueError, match="bits"):
            BlindIndexField(source="email", index="users.email", bits=12)
        with pytest.raises(ValueError, match="name"):
            BlindIndexField(source="email", index="")
        pk_index = BlindIndexField(source="id", index="users.id")
        pk_index.model = User
        with pytest.raises(ConfigurationError, match="EncryptedField"):
            pk_index.candidates(1)
        _users(db).create(email="x")  # the real field still works


class TestProperties:
    @hypothesis_settings(suppress_health_check=FIXTURE, max_examples=20)
    @given(
        email=texts,
        notes=st.recursive(
            st.none() | st.booleans() | st.integers() | texts,
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(texts, inner, max_size=3)
            ),
            max_leaves=6,
        ),
        photo=st.binary(),
    )
    def test_any_value_round_trips_and_is_found(self, db, email, notes, photo):
        """Any str, JSON and bytes value reads back equal, and its row is
        found by the blind index of the value."""
        user = _users(db).create(email=email, notes=notes, photo=photo)
        back = _users(db).get(pk=user.pk)
        assert (back.email, back.notes, back.photo) == (email, notes, photo)
        found = _users(db).filter(email_index__matches=email)
        assert user.pk in {u.pk for u in found}

    @hypothesis_settings(suppress_health_check=FIXTURE, max_examples=10)
    @given(
        values=st.lists(texts, min_size=2, max_size=5, unique=True),
        data=st.data(),
    )
    def test_swapped_ciphertext_rejected(self, db, values, data):
        """A ciphertext (with its digest) moved to another row, or to
        another column of its row, is rejected on read."""
        _sql(db, "DELETE FROM users")
        rows = [_users(db).create(email=v, notes=v).pk for v in values]
        src = data.draw(st.sampled_from(rows))
        dst = data.draw(st.sampled_from(rows))
        column = "email" if src != dst else "notes"
        moved = _stored(db, "users", "email", src)
        digest = _stored(db, "users", "email_index", src)
        if column == "notes":  # a binary column: the same message
            moved = b64decode(moved)
        _sql(
            db,
            f"UPDATE users SET {column} = %s, email_index = %s WHERE id = %s",
            [moved, digest, dst],
        )
        found = _users(db).filter(email_index__matches=values[rows.index(src)])
        assert dst in {user.pk for user in found}
        with pytest.raises(ColumnDecryptionError) as caught:
            for user in found:
                _ = user.email if column == "email" else user.notes
        assert not isinstance(caught.value, UnencryptedValueError)

"""The encrypted Django model field, on SQLite."""

from __future__ import annotations

import pytest

from django.conf import settings
from django.db import connection, models, transaction

from dataprotect import Encryptor, Keyring
from dataprotect.errors import (
    ColumnDecryptionError,
    ConfigurationError,
    UnencryptedValueError,
)
from dataprotect.integrations.django import EncryptedField


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


@pytest.fixture(name="keyring", autouse=True)
def _keyring(monkeypatch):
    keyring = Keyring.generate()
    monkeypatch.setattr(
        settings, "DATAPROTECT_ENCRYPTOR", Encryptor(keyring), raising=False
    )
    with connection.schema_editor() as editor:
        editor.create_model(Patient)
        editor.create_model(Visit)
    yield keyring
    with connection.schema_editor() as editor:
        editor.delete_model(Patient)
        editor.delete_model(Visit)


def _stored(table, column, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


class TestEncryptedField:
    def test_round_trip(self):
        """Values of every kind read back; the column holds no plaintext."""
        with transaction.atomic():
            patient = Patient.objects.create(
                name="Zq9 Ada", scan=b"\0\1", notes={"a": [1]}
            )
        back = Patient.objects.get(pk=patient.pk)
        assert (back.name, back.scan, back.notes) == (
            "Zq9 Ada",
            b"\0\1",
            {"a": [1]},
        )
        assert "Zq9" not in _stored(
            "dataprotect_tests_patient", "name", back.pk
        )
        back.name = "Bea"
        back.save()
        assert Patient.objects.get(pk=patient.pk).name == "Bea"

    def test_same_format_as_sqlalchemy(self):
        """A stored value opens with the column cipher the SQLAlchemy types
        and ``dataprotect db reencrypt`` use."""
        from dataprotect.integrations._columns import ColumnCipher

        patient = Patient.objects.create(name="Ada", scan=b"\x00")
        table = "dataprotect_tests_patient"
        cipher = ColumnCipher(settings.DATAPROTECT_ENCRYPTOR, "str", text=True)
        stored = _stored(table, "name", patient.pk)
        assert cipher.open(stored, table, "name", [patient.pk]) == "Ada"
        cipher = ColumnCipher(
            settings.DATAPROTECT_ENCRYPTOR, "bytes", text=False
        )
        stored = _stored(table, "scan", patient.pk)
        assert cipher.open(stored, table, "scan", [patient.pk]) == b"\x00"

    def test_client_side_key(self):
        """A primary key set before saving is bound directly."""
        Visit.objects.create(code="v1", reason="flu")
        assert Visit.objects.get(pk="v1").reason == "flu"

    def test_swapped_row_rejected(self):
        """A value copied to another row names that row."""
        one = Patient.objects.create(name="one")
        two = Patient.objects.create(name="two")
        stored = _stored("dataprotect_tests_patient", "name", one.pk)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE dataprotect_tests_patient SET name = %s WHERE id = %s",
                [stored, two.pk],
            )
        with pytest.raises(ColumnDecryptionError, match=rf"row \({two.pk}\)"):
            _ = Patient.objects.get(pk=two.pk).name

    def test_plaintext_is_named(self):
        """Plaintext from before encryption raises UnencryptedValueError."""
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO dataprotect_tests_patient (id, name) VALUES (5, 'x')"
            )
        with pytest.raises(UnencryptedValueError, match=r"row \(5\)"):
            _ = Patient.objects.get(pk=5).name

    def test_filter_on_value_refused(self):
        """Filtering on an encrypted value is refused."""
        with pytest.raises(ConfigurationError, match="never filter"):
            list(Patient.objects.filter(name="x"))

    def test_unsaved_and_deferred(self):
        """An unsaved value reads as given; a deferred one loads and opens."""
        patient = Patient(name="new")
        assert patient.name == "new"
        patient.save()
        deferred = Patient.objects.defer("name").get(pk=patient.pk)
        assert deferred.name == "new"
        assert Patient.name.__get__(None, Patient) is Patient.name

    def test_configuration(self, monkeypatch):
        """A missing encryptor or an unknown kind is a ConfigurationError;
        migrations record the kind only."""
        monkeypatch.setattr(settings, "DATAPROTECT_ENCRYPTOR", None)
        with pytest.raises(ConfigurationError, match="DATAPROTECT_ENCRYPTOR"):
            Patient.objects.create(name="x")
        with pytest.raises(ConfigurationError, match="kind"):
            EncryptedField(kind="xml")
        assert EncryptedField(kind="json").deconstruct()[3] == {"kind": "json"}
        assert EncryptedField().deconstruct()[3] == {}

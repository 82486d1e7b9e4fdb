"""The ORM-independent pieces of encrypted columns."""

from __future__ import annotations

import pytest

from hypothesis import given
from hypothesis import strategies as st

from dataprotect import Encryptor, Keyring
from dataprotect.errors import ConfigurationError, UnencryptedValueError
from dataprotect.integrations._columns import (
    PENDING,
    Bound,
    ColumnCipher,
    Sealed,
    context,
)


def test_context_is_canonical():
    """Keys read the same from every driver; a pending row is null."""
    assert context("users", "email", [42]) == (
        b'["dataprotect/v1/column","users","email",["42"]]'
    )
    assert context("t", "c", [b"\x01\xff", "a"]).endswith(b'["01ff","a"]]')
    assert context("t", "c", PENDING).endswith(b",null]")
    assert context("t.a", "c", [1]) != context("t", "a.c", [1])


def test_stored_forms_that_are_not_ciphertexts():
    """Bad base64, other types and short values are not ciphertexts."""
    cipher = ColumnCipher(Encryptor(Keyring.generate()), "str", text=True)
    assert cipher.ciphertext("not base64!") is None
    assert cipher.ciphertext(42) is None
    assert cipher.ciphertext("AgAA") is None
    with pytest.raises(UnencryptedValueError):
        cipher.open(42, "t", "c", [1])


def test_reprs_hide_values():
    """Neither a bound nor a sealed value shows its content."""
    assert repr(Bound("Zq9", b"Zq9", b"")) == "<bound value>"
    assert repr(Sealed(b"Zq9")) == "<Sealed>"


def test_text_dump_refuses_surrogates():
    """A lone surrogate cannot be encrypted as text."""
    cipher = ColumnCipher(Encryptor(Keyring.generate()), "str", text=True)
    with pytest.raises(ConfigurationError):
        cipher.dump("\udc80")
    with pytest.raises(TypeError):
        cipher.dump(b"bytes")


def test_published_vectors():
    """columns-v1.json: associated data and stored values still open."""
    import base64
    import json

    from pathlib import Path

    from dataprotect import EnvKEK

    vectors = Path(__file__).parent.parent / "vectors"
    source = json.loads((vectors / "encryption-v2.json").read_text())
    kek = EnvKEK("KEK", environ={"KEK": source["kek"]})
    ring = Keyring.from_bytes(base64.b64decode(source["keyring"]), kek=kek)
    doc = json.loads((vectors / "columns-v1.json").read_text())
    assert len(doc["values"]) == 4
    for entry in doc["values"]:
        kind = entry["kind"]
        cipher = ColumnCipher(Encryptor(ring), kind, text=kind == "str")
        ad = context(entry["table"], entry["column"], entry["pk"])
        assert ad == entry["associated_data"].encode("utf-8")
        stored = entry["stored"]
        if kind != "str":
            stored = bytes.fromhex(stored)
        value = cipher.open(
            stored, entry["table"], entry["column"], entry["pk"]
        )
        expected = entry["value"]
        if kind == "bytes":
            expected = bytes.fromhex(expected)
        assert value == expected


_names = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)


@given(
    table=_names,
    column=_names,
    pk=st.lists(_names | st.integers() | st.uuids() | st.binary(), max_size=3),
)
def test_context_is_compact_json(table, column, pk):
    """The associated data is the compact JSON the format describes."""
    import json

    texts = [v.hex() if isinstance(v, bytes) else str(v) for v in pk]
    expected = json.dumps(
        ["dataprotect/v1/column", table, column, texts],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    assert context(table, column, pk) == expected.encode("utf-8")

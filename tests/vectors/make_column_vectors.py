"""Generate ``columns-v1.json`` once; the committed file is the reference.

Encrypted database column values (``dataprotect.integrations``): the
keyring of ``encryption-v2.json``, and for each value its table, column,
primary key, associated data and stored form.

Run from the repository root:
``PYTHONPATH=src python tests/vectors/make_column_vectors.py``.
Re-running over a committed file is refused.
"""

from __future__ import annotations

import base64
import json
import uuid

from pathlib import Path

from dataprotect import Encryptor, EnvKEK, Keyring
from dataprotect.integrations._columns import ColumnCipher, context


HERE = Path(__file__).parent


def _stored(value: bytes | str) -> str:
    return value if isinstance(value, str) else value.hex()


def main() -> None:
    target = HERE / "columns-v1.json"
    if target.exists():
        raise SystemExit(f"{target.name} exists: the committed vectors stay")
    source = json.loads((HERE / "encryption-v2.json").read_text())
    kek = EnvKEK("KEK", environ={"KEK": source["kek"]})
    ring = Keyring.from_bytes(base64.b64decode(source["keyring"]), kek=kek)
    encryptor = Encryptor(ring)
    rows = [
        ("users", "email", [42], "str", "alice@example.com"),
        ("users", "notes", [42], "json", {"tags": ["a", "ü"], "n": 1.5}),
        ("scans", "image", ["acme", str(uuid.UUID(int=7))], "bytes", "00ff10"),
        ("files", "body", ["0a0b"], "bytes", ""),
    ]
    values = []
    for table, column, pk, kind, value in rows:
        cipher = ColumnCipher(encryptor, kind, text=kind == "str")
        plain = bytes.fromhex(value) if kind == "bytes" else value
        ad = context(table, column, pk)
        values.append(
            {
                "table": table,
                "column": column,
                "pk": pk,
                "kind": kind,
                "value": value,
                "associated_data": ad.decode("utf-8"),
                "stored": _stored(cipher.seal(cipher.dump(plain), ad)),
            }
        )
    doc = {
        "description": "dataprotect encrypted column vectors: the keyring of "
        "encryption-v2.json; per value its table, column, primary key, "
        "associated data and stored form (base64 text for kind str, hex of "
        "the binary value otherwise); see docs/formats/encryption.md.",
        "version": 1,
        "values": values,
    }
    target.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()

"""Generate ``encryption-v<N>.json`` once; the committed file is the reference.

*N* is the format version ``Encryptor`` writes (``encryption._VERSION``).
``encryption-v1.json`` was made by this script while format 1 was current;
``encryption-v2.json`` also lists each key's material and ``encryption``
subkey, so another implementation can check its HKDF step on its own.

Run from the repository root:
``PYTHONPATH=src python tests/vectors/make_encryption_vectors.py``.
Re-running makes new random vectors; only do it for a new format version,
never over a committed file.
"""

from __future__ import annotations

import base64
import io
import json

from pathlib import Path

from dataprotect import BlindIndex, Encryptor, EnvKEK, Keyring, _kdf
from dataprotect.encryption import _VERSION


def main() -> None:
    target = Path(__file__).with_name(f"encryption-v{_VERSION}.json")
    if target.exists():
        raise SystemExit(f"{target.name} exists: the committed vectors stay")
    kek_value = EnvKEK.generate_value()
    kek = EnvKEK("KEK", environ={"KEK": kek_value})
    ring = Keyring.generate()
    old = ring.primary_id
    old_message = {
        "key_id": old,
        "plaintext": b"under the old key".hex(),
        "context": b"rotation".hex(),
        "ciphertext": Encryptor(ring)
        .encrypt(b"under the old key", b"rotation")
        .hex(),
    }
    ring.rotate()
    enc = Encryptor(ring)
    messages = [old_message]
    for plaintext, context in [
        (b"", b""),
        (b"XAES-256-GCM", b""),
        (b"alice@example.com", b"users.email:42"),
        (bytes(range(256)) * 3, b"blob"),
    ]:
        messages.append(
            {
                "key_id": ring.primary_id,
                "plaintext": plaintext.hex(),
                "context": context.hex(),
                "ciphertext": enc.encrypt(plaintext, context).hex(),
            }
        )
    streams = []
    for size in (0, 1, 4096, 4097, 3 * 4096):
        data = bytes((i * 7) % 251 for i in range(size))
        out = io.BytesIO()
        enc.encrypt_stream(
            io.BytesIO(data), out, context=b"stream", segment_size=4096
        )
        streams.append(
            {
                "plaintext": data.hex(),
                "context": b"stream".hex(),
                "ciphertext": out.getvalue().hex(),
            }
        )
    blind = BlindIndex(ring, "users.email", bits=64)
    doc = {
        "description": f"dataprotect format v{_VERSION} vectors: a keyring "
        "file (EnvKEK), each key's material and encryption subkey, messages, "
        "streams and a blind index; see docs/formats.",
        "version": _VERSION,
        "kek": kek_value,
        "keyring": base64.b64encode(ring.to_bytes(kek=kek)).decode(),
        "primary_id": ring.primary_id,
        "old_id": old,
        "keys": [
            {
                "key_id": key_id,
                "key": ring._material(key_id).hex(),
                "encryption_subkey": _kdf.derive(
                    ring._material(key_id), "encryption"
                ).hex(),
            }
            for key_id in (old, ring.primary_id)
        ],
        "messages": messages,
        "streams": streams,
        "blind_index": {
            "name": "users.email",
            "bits": 64,
            "value": "alice@example.com",
            "digest": blind.digest("alice@example.com").hex(),
        },
    }
    target.write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    main()

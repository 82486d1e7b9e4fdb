"""Generate ``encryption-v1.json`` once; the committed file is the reference.

Run from the repository root: ``python tests/vectors/make_encryption_vectors.py``.
Re-running makes new random vectors; only do it for a new format version.
"""

from __future__ import annotations

import base64
import io
import json

from pathlib import Path

from dataprotect import BlindIndex, Encryptor, EnvKEK, Keyring


def main() -> None:
    kek_value = EnvKEK.generate_value()
    kek = EnvKEK("KEK", environ={"KEK": kek_value})
    ring = Keyring.generate()
    old = ring.primary_id
    ring.rotate()
    enc = Encryptor(ring)
    messages = []
    for plaintext, context in [
        (b"", b""),
        (b"XAES-256-GCM", b""),
        (b"alice@example.com", b"users.email:42"),
        (bytes(range(256)) * 3, b"blob"),
    ]:
        messages.append(
            {
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
        "description": "dataprotect format v1 vectors: a keyring file "
        "(EnvKEK), messages, streams and a blind index; see docs/formats.",
        "kek": kek_value,
        "keyring": base64.b64encode(ring.to_bytes(kek=kek)).decode(),
        "primary_id": ring.primary_id,
        "old_id": old,
        "messages": messages,
        "streams": streams,
        "blind_index": {
            "name": "users.email",
            "bits": 64,
            "value": "alice@example.com",
            "digest": blind.digest("alice@example.com").hex(),
        },
    }
    Path(__file__).with_name("encryption-v1.json").write_text(
        json.dumps(doc, indent=1) + "\n"
    )


if __name__ == "__main__":
    main()

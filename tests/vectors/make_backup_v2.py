"""Generate tests/vectors/backup_v2.json (run once from the repository root).

Version 2 is version 1 without the plaintext digest (``digest=None``).  The
committed vectors must never be regenerated for a released format version.
"""

from __future__ import annotations

import base64
import io
import json
import sys

from datetime import datetime, timezone
from pathlib import Path


sys.path.insert(0, "src")
from cryptography.hazmat.primitives.asymmetric import ed25519

from dataprotect import backup as b
from dataprotect.backup import _format as fmt


now = datetime(2026, 12, 7, 3, 4, 5, 678901, tzinfo=timezone.utc)
x = b.generate_identity("x25519")
p = b.generate_identity("p256")
m = b.generate_identity("mlkem768-x25519")
sk = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
cases = [
    ("x25519-small", x, [x.recipient], b"hello, backup\n", {"label": "v2"}),
    (
        "p256-multisegment",
        p,
        [p.recipient],
        bytes(range(256)) * 40,
        {"segment_size": 4096},
    ),
    ("p256-empty", p, [p.recipient], b"", {}),
    (
        "mlkem768-x25519-zstd-signed",
        m,
        [m.recipient, x.recipient],
        b"compressible " * 500,
        {"compress": True, "signing_key": sk},
    ),
]
vectors = []
for name, identity, recipients, plaintext, options in cases:
    sealed = io.BytesIO()
    b.encrypt(
        io.BytesIO(plaintext),
        sealed,
        recipients,
        now=now,
        digest=None,
        **options,
    )
    data = sealed.getvalue()
    assert data[4] == fmt.VERSION_NO_DIGEST
    restored = io.BytesIO()
    manifest = b.decrypt(io.BytesIO(data), restored, [identity])
    assert restored.getvalue() == plaintext
    assert manifest.sha256 is None
    header = fmt.read_header(io.BytesIO(data))
    vector = {
        "name": name,
        "identity": {"type": "hpke", "text": identity.to_text()},
        "plaintext_hex": plaintext.hex(),
        "file_key_hex": fmt._file_key(header, [identity]).hex(),
        "backup_b64": base64.b64encode(data).decode(),
        "manifest": {
            "created": manifest.created_at.isoformat(),
            "size": manifest.size,
            "sha256": None,
            "label": manifest.label,
            "compression": manifest.compression,
        },
    }
    if "signing_key" in options:
        vector["signer_ed25519_public_hex"] = (
            sk.public_key().public_bytes_raw().hex()
        )
    vectors.append(vector)
doc = {
    "source": "generated once by dataprotect 0.1.0.dev0 (docs/formats/backup.md, version 2); decrypt-only known answers",
    "vectors": vectors,
}
Path("tests/vectors/backup_v2.json").write_text(json.dumps(doc, indent=1))
print("ok", len(vectors))

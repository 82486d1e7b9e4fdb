"""Generate tests/vectors/backup_v1.json (run once from the repository root).

The committed vectors must never be regenerated for a released format
version: they prove later releases still read what earlier ones wrote.
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
from dataprotect.keys import EnvKEK, Keyring


now = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=timezone.utc)
out = {
    "source": "generated once by dataprotect 0.1.0.dev0 (docs/formats/backup.md); decrypt-only known answers",
    "vectors": [],
}


def add(name, ident_desc, identity, recipients, plaintext, **kw):
    buf = io.BytesIO()
    b.encrypt(io.BytesIO(plaintext), buf, recipients, now=now, **kw)
    data = buf.getvalue()
    hdr = fmt.read_header(io.BytesIO(data))
    key = fmt._file_key(hdr, [identity])
    o = io.BytesIO()
    m = b.decrypt(io.BytesIO(data), o, [identity])
    assert o.getvalue() == plaintext
    v = {
        "name": name,
        "identity": ident_desc,
        "plaintext_hex": plaintext.hex(),
        "file_key_hex": key.hex(),
        "backup_b64": base64.b64encode(data).decode(),
        "manifest": {
            "created": m.created_at.isoformat(),
            "size": m.size,
            "sha256": m.sha256.hex(),
            "label": m.label,
            "compression": m.compression,
        },
    }
    out["vectors"].append(v)
    return v


x = b.generate_identity("x25519")
add(
    "x25519-small",
    {"type": "hpke", "text": x.to_text()},
    x,
    [x.recipient],
    b"hello, backup\n",
    label="vector 1",
)
p = b.generate_identity("p256")
add(
    "p256-multisegment",
    {"type": "hpke", "text": p.to_text()},
    p,
    [p.recipient],
    bytes(range(256)) * 40,
    segment_size=4096,
)
add("p256-empty", {"type": "hpke", "text": p.to_text()}, p, [p.recipient], b"")
m = b.generate_identity("mlkem768-x25519")
sk = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
v = add(
    "mlkem768-x25519-zstd-signed",
    {"type": "hpke", "text": m.to_text()},
    m,
    [m.recipient, x.recipient],
    b"compressible " * 500,
    compress=True,
    signing_key=sk,
)
v["signer_ed25519_public_hex"] = sk.public_key().public_bytes_raw().hex()
pw = b.PassphraseRecipient(
    "correct horse battery staple", time_cost=1, memory_cost=64, parallelism=1
)
add(
    "passphrase",
    {"type": "passphrase", "passphrase": "correct horse battery staple"},
    pw,
    [pw],
    b"secret notes",
)
kekval = base64.b64encode(bytes(range(32))).decode()
kek = EnvKEK("K", environ={"K": kekval})
ring = Keyring.generate(now=now)
kr = b.KeyringRecipient(ring)
add(
    "keyring",
    {
        "type": "keyring",
        "keyring_b64": base64.b64encode(ring.to_bytes(kek=kek)).decode(),
        "env_kek_b64": kekval,
    },
    kr,
    [kr],
    b"keyring payload",
)
Path("tests/vectors/backup_v1.json").write_text(json.dumps(out, indent=1))
print("ok", len(out["vectors"]))

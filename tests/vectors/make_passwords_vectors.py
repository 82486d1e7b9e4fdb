"""Generate ``passwords.json`` from the format spec, independently of the code.

Run from the repository root: ``python tests/vectors/make_passwords_vectors.py``.
It implements ``docs/formats/passwords.md`` with the standard library,
argon2-cffi and cryptography only (never ``dataprotect``), so the tests
check the implementation against the written spec.  The inputs are fixed,
so re-running reproduces the committed file.
"""

from __future__ import annotations

import base64
import hmac
import json
import zlib

from pathlib import Path

from argon2.low_level import Type, hash_secret
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def hkdf(key: bytes, info: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=info.encode()
    ).derive(key)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")


def unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def feistel(key: bytes, header: str, data: bytes) -> bytes:
    half = len(data) // 2
    left, right = data[:half], data[half:]
    for i in range(4):
        mask = hmac.digest(key, header.encode() + bytes([i]) + right, "sha256")
        left, right = (
            right,
            bytes(a ^ b for a, b in zip(left, mask, strict=False)),
        )
    return left + right


def base62(value: int, width: int) -> str:
    out = ""
    for _ in range(width):
        value, rem = divmod(value, 62)
        out = ALPHABET[rem] + out
    return out


def main() -> None:
    pepper = []
    for key_hex, key_id, password, salt, (t, m, p) in [
        (
            bytes(range(32)).hex(),
            0x1A2B3C4D,
            "correct horse battery staple",
            b"saltsaltsaltsalt",
            (1, 8, 1),
        ),
        (
            "ff" * 32,
            0xDEADBEEF,
            "pässwörd \u00e9\u0301 \U0001f511",
            bytes(range(16)),
            (2, 16, 1),
        ),
    ]:
        phc = hash_secret(
            password.encode(), salt, t, m, p, 32, Type.ID
        ).decode()
        _, _, version, params, salt_b64, hash_b64 = phc.split("$")
        header = f"$dp-argon2id${version}${params},k={key_id:08x}${salt_b64}"
        subkey = hkdf(bytes.fromhex(key_hex), "dataprotect/v1/pepper")
        sealed = feistel(subkey, header, unb64(hash_b64))
        pepper.append(
            {
                "key": key_hex,
                "key_id": key_id,
                "password": password,
                "argon2": phc,
                "peppered": f"{header}${b64(sealed)}",
            }
        )

    tokens = []
    for prefix, random in [
        ("ghp", "0123456789abcdefghijABCDEFGHIJ"),
        ("myapp", "z" * 30),
        ("a1", "0" * 30),
    ]:
        body = f"{prefix}_{random}"
        checksum = base62(zlib.crc32(body.encode()), 6)
        tokens.append(
            {"prefix": prefix, "random": random, "token": body + checksum}
        )

    digests = []
    for key_hex, key_id, token in [
        ("00" * 32, 0, tokens[0]["token"]),
        (bytes(range(32)).hex(), 0x1A2B3C4D, tokens[1]["token"]),
    ]:
        subkey = hkdf(bytes.fromhex(key_hex), "dataprotect/v1/token-digest")
        mac = hmac.digest(subkey, token.encode(), "sha256")
        encoded = base64.urlsafe_b64encode(mac).decode().rstrip("=")
        digests.append(
            {
                "key": key_hex,
                "key_id": key_id,
                "token": token,
                "digest": f"dpt1.{key_id:08x}.{encoded}",
            }
        )

    doc = {
        "description": (
            "dataprotect password and token formats; see "
            "docs/formats/passwords.md. Keys are hex; key_id 0 means a raw "
            "32-byte key."
        ),
        "pepper": pepper,
        "tokens": tokens,
        "digests": digests,
    }
    out = Path(__file__).with_name("passwords.json")
    out.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()

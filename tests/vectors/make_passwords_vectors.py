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
from cryptography.hazmat.primitives.keywrap import aes_key_wrap


ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def hkdf(key: bytes, info: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=info.encode()
    ).derive(key)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")


def unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


#: RFC 3394 section 4.6: 256 bits of key data wrapped with a 256-bit KEK.
RFC3394_KEK = bytes(range(32))
RFC3394_DATA = bytes.fromhex(
    "00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F"
)
RFC3394_WRAPPED = bytes.fromhex(
    "28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326"
    "CBC7F0E71A99F43BFB988B9B7A02DD21"
)


def peppered(key: bytes, key_id: int, phc: str) -> str:
    """The ``$dp2$`` value of an argon2id PHC string (the spec, step by step)."""
    _, _, _, params, salt_b64, hash_b64 = phc.split("$")
    header = f"$dp2${params},k={key_id:08x}${salt_b64}"
    pepper_key = hkdf(key, "dataprotect/v1/pepper")
    wrap_key = hkdf(
        pepper_key, "dataprotect/v1/pepper-wrap/" + header.encode().hex()
    )
    wrapped = aes_key_wrap(wrap_key, unb64(hash_b64))
    assert len(wrapped) == 40
    return f"{header}${b64(wrapped)}"


def base62(value: int, width: int) -> str:
    out = ""
    for _ in range(width):
        value, rem = divmod(value, 62)
        out = ALPHABET[rem] + out
    return out


def main() -> None:
    assert aes_key_wrap(RFC3394_KEK, RFC3394_DATA) == RFC3394_WRAPPED
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
        pepper.append(
            {
                "key": key_hex,
                "key_id": key_id,
                "password": password,
                "argon2": phc,
                "peppered": peppered(bytes.fromhex(key_hex), key_id, phc),
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

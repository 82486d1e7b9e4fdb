"""Write the seed corpus, ``fuzz/corpus/<target>/``, from the test vectors.

Run once from the repository root (``python fuzz/make_corpus.py``) and
commit the result; libFuzzer adds what it finds to a copy, never to these
files.  Seeds are named after what they hold.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import zlib

from _harness import ROOT, VECTORS, keyring_from, vector


CORPUS = ROOT / "fuzz" / "corpus"
_MAX_SEED = 1 << 16


def _write(target: str, name: str, data: bytes | str) -> None:
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    raw = (
        data.encode("utf-8", "surrogateescape")
        if isinstance(data, str)
        else data
    )
    (folder / name).write_bytes(raw)


def ciphertext_and_keyring() -> None:
    from dataprotect.encryption import Encryptor

    doc = vector("encryption-v2.json")
    enc = Encryptor(keyring_from(doc, "DP_FUZZ_KEK"))
    _write("keyring", "v2-envkek", base64.b64decode(doc["keyring"]))
    old = vector("encryption-v1.json")
    _write("keyring", "v1-envkek", base64.b64decode(old["keyring"]))
    for name, d in (("v1", old), ("v2", doc)):
        for n, m in enumerate(d["messages"]):
            _write(
                "ciphertext",
                f"{name}-message-{n}",
                bytes.fromhex(m["ciphertext"]),
            )
        for n, m in enumerate(d.get("streams", [])):
            _write(
                "ciphertext",
                f"{name}-stream-{n}",
                bytes.fromhex(m["ciphertext"]),
            )
    _write("ciphertext", "v2-text", enc.encrypt_str("hello").encode("ascii"))
    out = io.BytesIO()
    enc.encrypt_stream(
        io.BytesIO(b"x" * 10000), out, context=b"stream", segment_size=4096
    )
    _write("ciphertext", "v2-stream-segments", out.getvalue())


def backup() -> None:
    for v in vector("backup_v1.json")["vectors"]:
        _write("backup", v["name"], base64.b64decode(v["backup_b64"]))


def age() -> None:
    for path in sorted((VECTORS / "age").iterdir()):
        if path.name == "PROVENANCE.txt":
            continue
        head, _, body = path.read_bytes().partition(b"\n\n")
        if b"compressed: zlib" in head:
            body = zlib.decompress(body)
        if len(body) > _MAX_SEED:  # many chunks: slow seeds, nothing new
            continue
        _write("age", path.name, body)


def tokens() -> None:
    doc = vector("passwords.json")
    for n, d in enumerate(doc["digests"]):
        _write("tokens", f"digest-{n}", f"{d['token']}\n{d['digest']}")
    for n, t in enumerate(doc["tokens"]):
        _write("tokens", f"token-{n}", t["token"] + "\n")


def passwords() -> None:
    import bcrypt

    from passlib.hash import django_pbkdf2_sha256, pbkdf2_sha256

    from dataprotect.passwords import PasswordHasher

    pw = "correct horse battery staple"
    for n, p in enumerate(vector("passwords.json")["pepper"]):
        for kind in ("argon2", "peppered"):
            _write("passwords", f"vector-{n}-{kind}", p[kind])
    pepper = keyring_from(vector("encryption-v2.json"), "DP_FUZZ_KEK")
    hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    _write("passwords", "argon2id", hasher.hash(pw))
    peppered = PasswordHasher(
        time_cost=1, memory_cost=8, parallelism=1, pepper=pepper
    )
    _write("passwords", "dp2-peppered", peppered.hash(pw))
    _write(
        "passwords",
        "bcrypt",
        bcrypt.hashpw(pw.encode(), bcrypt.gensalt(4)).decode(),
    )
    _write(
        "passwords",
        "passlib-pbkdf2",
        pbkdf2_sha256.using(rounds=1000).hash(pw),
    )
    _write(
        "passwords",
        "django-pbkdf2",
        django_pbkdf2_sha256.using(rounds=1000).hash(pw),
    )
    salt = "c2FsdHNhbHQ"
    key = hashlib.scrypt(
        pw.encode(), salt=salt.encode(), n=1024, r=8, p=1, dklen=64
    )
    _write(
        "passwords",
        "django-scrypt",
        f"scrypt$1024${salt}$8$1${base64.b64encode(key).decode()}",
    )
    _write("passwords", "django-argon2", "argon2" + hasher.hash(pw))
    digest = hashlib.sha256(pw.encode()).hexdigest()
    _write(
        "passwords",
        "django-bcrypt-sha256",
        "bcrypt_sha256$"
        + bcrypt.hashpw(digest.encode(), bcrypt.gensalt(4)).decode(),
    )


def scan() -> None:
    rules = (ROOT / "src" / "dataprotect" / "scan" / "rules.toml").read_bytes()
    _write("scan_rules", "builtin", rules)
    _write(
        "scan_rules",
        "small",
        'version = 1\n[[rule]]\nid = "x"\nkind = "token"\nregex = "tok_[a-z]{8}"\nsecret_group = 0\n',
    )
    lines = (
        (VECTORS / "secrets" / "corpus.jsonl").read_text("utf-8").splitlines()
    )
    for n, line in enumerate(lines[:40]):
        _write("scan_text", f"corpus-{n}", line)


def security_txt() -> None:
    for path in sorted((VECTORS / "securitytxt").iterdir()):
        _write("security_txt", path.name, path.read_bytes())


def twofactor() -> None:
    doc = vector("twofactor-v1.json")
    for n, t in enumerate(doc["totp"]):
        _write("twofactor", f"totp-{n}", t["record"])
    _write("twofactor", "hotp", doc["hotp"]["record"])
    _write("twofactor", "recovery", doc["recovery"]["record"])


def pdf() -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    from fpdf import FPDF

    from dataprotect.documents import Signer, sign_pdf

    now = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Fuzz Signer")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=36500))
        .add_extension(
            x509.BasicConstraints(ca=True, path_length=None), critical=True
        )
        .add_extension(
            x509.KeyUsage(
                True, True, False, False, False, True, True, False, False
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    (ROOT / "fuzz" / "pdf-root.pem").write_bytes(
        cert.public_bytes(serialization.Encoding.PEM)
    )
    doc = FPDF()
    doc.add_page()
    doc.set_font("helvetica", size=12)
    doc.cell(text="fuzz")
    plain = bytes(doc.output())
    _write("pdf", "unsigned", plain)
    pem_key = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    signer = Signer.from_pem(pem_key, cert, [])
    signed = sign_pdf(
        plain, signer, reason="fuzz", now=now + dt.timedelta(days=1)
    )
    _write("pdf", "signed", signed)


if __name__ == "__main__":
    ciphertext_and_keyring()
    backup()
    age()
    tokens()
    passwords()
    scan()
    security_txt()
    twofactor()
    pdf()
    print(sum(1 for _ in CORPUS.rglob("*") if _.is_file()), "seeds")

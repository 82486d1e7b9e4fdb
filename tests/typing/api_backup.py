"""Type-checked calls of the backup container and storage APIs (mypy --strict)."""

from __future__ import annotations

import datetime as dt
import io

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ed25519

from dataprotect.backup import (
    SUFFIX,
    BackupInfo,
    CheckResult,
    DumpSource,
    HPKEIdentity,
    HPKERecipient,
    KeyringRecipient,
    Manifest,
    PassphraseRecipient,
    PruneResult,
    RehearsalCheck,
    RehearsalReport,
    RetentionPolicy,
    VerifyReport,
    create_backup,
    decrypt,
    decrypt_file,
    encrypt,
    encrypt_file,
    generate_identity,
    list_backups,
    parse_identity,
    parse_recipient,
    prune,
    rehearse,
    rehearse_postgres,
    restore,
    verify,
)
from dataprotect.errors import (
    BackupError,
    BackupIntegrityError,
    BackupSourceError,
    IntegrityError,
    RehearsalError,
)
from dataprotect.keys import Keyring


ident: HPKEIdentity = generate_identity("mlkem768-x25519")
recipient: HPKERecipient = parse_recipient(str(ident.recipient))
again: HPKEIdentity = parse_identity(ident.to_text())
ring = KeyringRecipient(Keyring.generate())
phrase = PassphraseRecipient("pw", time_cost=1)
signer = ed25519.Ed25519PrivateKey.generate()
made: Manifest = encrypt(
    io.BytesIO(b"x"),
    io.BytesIO(),
    [recipient, ring, phrase],
    label="db",
    compress=3,
    signing_key=signer,
    now=dt.datetime.now(tz=dt.UTC),
)
got: Manifest = decrypt(
    io.BytesIO(), None, [ident, ring], signers=[signer.public_key()]
)
made = encrypt_file("a", "b", [recipient], compress=True)
got = decrypt_file("b", "a", [ident], progress=lambda n: None)
info: BackupInfo = create_backup(
    io.BytesIO(b"x"),
    "sftp://host/dir",
    [recipient],
    name="db",
    storage_options={"key_filename": "k"},
)
infos: list[BackupInfo] = list_backups("/srv/backups", name="db")
one_backup: bool = infos[0].path.endswith(SUFFIX)
got = restore(infos[0].path, "out.sql", [ident])
report: VerifyReport = verify(infos[0], [ident])
reports: list[VerifyReport] = rehearse("/srv/backups", [ident], newest=3)
result: PruneResult = prune(
    "/srv/backups", RetentionPolicy(keep_daily=7), dry_run=True
)
age_ok: bool = report.ok and report.age is not None
error: type[BackupError] = BackupIntegrityError
integrity: type[IntegrityError] = BackupIntegrityError

fast: Manifest = encrypt(
    io.BytesIO(b"x"), io.BytesIO(), [recipient], digest=None
)
no_digest: bytes | None = fast.sha256
with DumpSource.postgres("postgresql://db/shop", pg_bindir="/usr/bin") as src:
    label: str = src.label
    info = create_backup(src, "/srv/backups", [recipient], digest=None)
with DumpSource.sqlite("app.db", tmpdir="/run") as lite:
    made = encrypt_file("a", "b", [recipient], digest="sha256")
with DumpSource.command(["mysqldump", "shop"], label="mysql") as cmd:
    chunk: bytes = cmd.read(10)
rehearsal: RehearsalReport = rehearse_postgres(
    "/srv/backups",
    [ident],
    server="postgresql://localhost/postgres",
    checks=[RehearsalCheck("SELECT count(*) > 0 FROM orders")],
    name="shop",
)
outcomes: tuple[CheckResult, ...] = rehearsal.checks
files: list[Path] = rehearsal.write("/srv/reports")
passed: bool = rehearsal.ok and rehearsal.to_json() != ""
pdf: bytes = rehearsal.to_pdf()
source_error: type[BackupError] = BackupSourceError
rehearsal_error: type[BackupError] = RehearsalError

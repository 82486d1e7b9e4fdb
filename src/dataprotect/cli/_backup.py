"""``dataprotect backup``: keygen, create, restore, verify, list, prune.

The age commands live in :mod:`dataprotect.cli._backup_age`.
"""

from __future__ import annotations

import io

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import click

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from dataprotect.backup import (
    SUFFIX,
    KeyringRecipient,
    PassphraseRecipient,
    RetentionPolicy,
    SigningKey,
    VerifyKey,
    create_backup,
    generate_identity,
    list_backups,
    parse_identity,
    parse_recipient,
    prune,
    rehearse,
    restore,
    verify,
)
from dataprotect.cli._backup_age import (
    _key_lines,
    _read_key_file,
    age_decrypt,
    age_encrypt,
    age_keygen,
)
from dataprotect.cli._backup_db import (
    open_source,
    rehearse_options,
    run_rehearsal,
    source_options,
)
from dataprotect.cli._common import (
    CHECKED_OUTPUT_HELP,
    force_option,
    kek_options,
    write_identity,
)
from dataprotect.cli._errors import InputError
from dataprotect.cli._files import output_file, progress
from dataprotect.cli._secrets import make_kek, read_secret
from dataprotect.keys import Keyring


__all__ = ["backup", "demo_step"]


def _lines(path: str, what: str) -> Iterator[str]:
    # Bounded (1 MiB), and one line on a missing, binary or huge file.
    yield from _key_lines(_read_key_file(path, what))


def _storage_options(pairs: tuple[str, ...]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            msg = "--option must be KEY=VALUE"
            raise InputError(msg)
        options[key] = {"true": True, "false": False}.get(value.lower(), value)
    return options


def _passphrase(
    use: bool, env: str | None, file: str | None, *, confirm: bool
) -> PassphraseRecipient | None:
    if not (use or env or file):
        return None
    return PassphraseRecipient(
        read_secret("passphrase", env=env, file=file, confirm=confirm)
    )


def _load_pem_private(path: str) -> SigningKey:
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), None)
    except (OSError, ValueError, TypeError):
        msg = "cannot load the signing key (an unencrypted PEM Ed25519 or P-256 key)"
        raise InputError(msg) from None
    if not isinstance(
        key, (ed25519.Ed25519PrivateKey, ec.EllipticCurvePrivateKey)
    ):
        msg = "the signing key must be Ed25519 or ECDSA P-256"
        raise InputError(msg)
    return key


def _load_pem_public(path: str) -> VerifyKey:
    try:
        key = serialization.load_pem_public_key(Path(path).read_bytes())
    except (OSError, ValueError):
        msg = "cannot load a signer's public key (PEM)"
        raise InputError(msg) from None
    if not isinstance(
        key, (ed25519.Ed25519PublicKey, ec.EllipticCurvePublicKey)
    ):
        msg = "signer keys must be Ed25519 or ECDSA P-256"
        raise InputError(msg)
    return key


def _identities(
    files: tuple[str, ...],
    use_passphrase: bool,
    passphrase_env: str | None,
    passphrase_file: str | None,
    keyring: KeyringRecipient | None = None,
) -> list[Any]:
    found: list[Any] = [
        parse_identity(line)
        for path in files
        for line in _lines(path, "identity")
    ]
    phrase = _passphrase(
        use_passphrase, passphrase_env, passphrase_file, confirm=False
    )
    if phrase is not None:
        found.append(phrase)
    if keyring is not None:
        found.append(keyring)
    if not found:
        msg = "give an identity file (-i), a passphrase or a keyring option"
        raise InputError(msg)
    return found


def _keyring_options(func: Any) -> Any:
    """Add ``--keyring`` and the options that unlock it."""
    func = kek_options(func, option_prefix="kek-secret")
    return click.option(
        "--keyring",
        "keyring_path",
        metavar="PATH",
        help="Also use this keyring's key (symmetric recipient).",
    )(func)


def _keyring(
    path: str | None,
    spec: str,
    secret_env: str | None,
    secret_file: str | None,
) -> KeyringRecipient | None:
    if path is None:
        return None
    kek = make_kek(
        spec, passphrase_env=secret_env, passphrase_file=secret_file
    )
    return KeyringRecipient(Keyring.load(path, kek=kek))


def _identity_options(func: Any) -> Any:
    for option in reversed(
        [
            click.option(
                "-i",
                "--identity",
                "identity_files",
                multiple=True,
                metavar="FILE",
                help="Identity file (from 'backup keygen').",
            ),
            click.option(
                "--passphrase",
                "use_passphrase",
                is_flag=True,
                help="Decrypt with a passphrase (prompted).",
            ),
            click.option(
                "--passphrase-env",
                metavar="VAR",
                help="Read the passphrase from VAR.",
            ),
            click.option(
                "--passphrase-file",
                metavar="PATH",
                help="Read the passphrase from PATH.",
            ),
            click.option(
                "--signer",
                "signer_files",
                multiple=True,
                metavar="PEM",
                help="Require a manifest signed by this public key.",
            ),
            click.option(
                "-O",
                "--option",
                "options",
                multiple=True,
                metavar="KEY=VALUE",
                help="fsspec storage option.",
            ),
        ]
    ):
        func = option(func)
    return func


@click.group()
def backup() -> None:
    """Encrypted backups: keys, create, restore, verify, list, prune; age files."""


@backup.command()
@click.option(
    "--kind",
    type=click.Choice(["x25519", "p256", "mlkem768-x25519"]),
    default="x25519",
    show_default=True,
    help="p256 is FIPS-approved; mlkem768-x25519 resists quantum attacks.",
)
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    default="-",
    help="Identity file to write (mode 0600); '-' for stdout.",
)
def keygen(kind: str, output: str) -> None:
    """Make an identity; print its public recipient on stderr."""
    identity = generate_identity(kind)  # type: ignore[arg-type]  # a click.Choice of the kinds
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    text = (
        f"# created: {now}\n# recipient: {identity.recipient}\n"
        f"{identity.to_text()}\n"
    )
    write_identity(output, text, str(identity.recipient))


@backup.command()
@click.argument("source", metavar="[SOURCE|-]", required=False)
@click.option(
    "--to",
    "dest",
    required=True,
    metavar="URL",
    help="Destination directory: a path or an fsspec URL (sftp://...).",
)
@click.option(
    "-r",
    "--recipient",
    "recipients",
    multiple=True,
    metavar="KEY",
    help="A dpbackup1... recipient (repeatable).",
)
@click.option(
    "-R",
    "--recipients-file",
    "recipient_files",
    multiple=True,
    metavar="FILE",
    help="A file of recipients, one a line.",
)
@click.option(
    "--passphrase",
    "use_passphrase",
    is_flag=True,
    help="Also encrypt to a passphrase (prompted twice).",
)
@click.option(
    "--passphrase-env", metavar="VAR", help="Read the passphrase from VAR."
)
@click.option(
    "--passphrase-file", metavar="PATH", help="Read the passphrase from PATH."
)
@click.option(
    "--name",
    default="backup",
    show_default=True,
    help="Series name, used in the file name and by prune.",
)
@_keyring_options
@click.option("--label", help="Source label stored in the manifest.")
@click.option(
    "--compress", is_flag=True, help="Compress with zstandard first."
)
@click.option(
    "--sign-key",
    metavar="PEM",
    help="Sign the manifest with this Ed25519/P-256 private key.",
)
@click.option(
    "-O",
    "--option",
    "options",
    multiple=True,
    metavar="KEY=VALUE",
    help="fsspec storage option, e.g. key_filename=~/.ssh/id_ed25519.",
)
@click.option(
    "--workers",
    type=click.IntRange(0, 64),
    metavar="N",
    help="Threads that seal in parallel (default: one on two cores or more).",
)
@source_options
def create(
    source: str | None,
    dest: str,
    recipients: tuple[str, ...],
    recipient_files: tuple[str, ...],
    use_passphrase: bool,
    passphrase_env: str | None,
    passphrase_file: str | None,
    name: str,
    label: str | None,
    compress: bool,
    sign_key: str | None,
    options: tuple[str, ...],
    workers: int | None,
    keyring_path: str | None,
    kek_spec: str,
    kek_secret_env: str | None,
    kek_secret_file: str | None,
    from_postgres: str | None,
    from_sqlite: str | None,
    from_command: str | None,
    pg_bindir: str | None,
    no_digest: bool,
) -> None:
    """Encrypt SOURCE (a file, or '-' for stdin) or a database dump into a
    new backup; a failing dump records no backup."""
    targets: list[Any] = [parse_recipient(r) for r in recipients]
    targets += [
        parse_recipient(line)
        for path in recipient_files
        for line in _lines(path, "recipients")
    ]
    phrase = _passphrase(
        use_passphrase, passphrase_env, passphrase_file, confirm=True
    )
    if phrase is not None:
        targets.append(phrase)
    ring = _keyring(keyring_path, kek_spec, kek_secret_env, kek_secret_file)
    if ring is not None:
        targets.append(ring)
    if not targets:
        msg = "give at least one recipient (-r, -R, a passphrase or --keyring)"
        raise InputError(msg)
    signing_key = None if sign_key is None else _load_pem_private(sign_key)
    with open_source(
        source, from_postgres, from_sqlite, from_command, pg_bindir
    ) as (src, default_label, advance):
        info = create_backup(
            src,
            dest,
            targets,
            name=name,
            label=label if label is not None else default_label,
            compress=compress,
            signing_key=signing_key,
            progress=advance,
            storage_options=_storage_options(options),
            digest=None if no_digest else "sha256",
            workers=workers,
        )
    click.echo(f"{info.url.rstrip('/')}/{info.path.rsplit('/', 1)[-1]}")


@backup.command(name="restore")
@click.argument("source", metavar="BACKUP")
@click.option(
    "-o",
    "--output",
    default="-",
    metavar="FILE",
    help=f"Where to restore; '-' (default) for stdout.  {CHECKED_OUTPUT_HELP}",
)
@force_option
@_keyring_options
@_identity_options
def restore_cmd(
    source: str,
    output: str,
    force: bool,
    identity_files: tuple[str, ...],
    use_passphrase: bool,
    passphrase_env: str | None,
    passphrase_file: str | None,
    signer_files: tuple[str, ...],
    options: tuple[str, ...],
    keyring_path: str | None,
    kek_spec: str,
    kek_secret_env: str | None,
    kek_secret_file: str | None,
) -> None:
    """Restore BACKUP (a path or URL of one backup file).

    Nothing is released before the whole backup authenticated and, with
    --signer, its manifest signature verified: a file appears only then,
    and stdout receives nothing until then.
    """
    identities = _identities(
        identity_files,
        use_passphrase,
        passphrase_env,
        passphrase_file,
        _keyring(keyring_path, kek_spec, kek_secret_env, kek_secret_file),
    )
    signers = [_load_pem_public(p) for p in signer_files] or None
    with (
        progress(None, "restore") as advance,
        output_file(output, checked=True, force=force) as dst,
    ):
        manifest = restore(
            source,
            dst,
            identities,
            signers=signers,
            progress=advance,
            storage_options=_storage_options(options),
        )
    signed = " (signature verified)" if manifest.signature_verified else ""
    click.echo(
        f"restored {manifest.size:,} bytes made {manifest.created_at:%Y-%m-%d %H:%M:%S} UTC"
        f"{signed}",
        err=True,
    )


@backup.command(name="verify")
@click.argument("target", metavar="BACKUP|DESTINATION")
@click.option(
    "--newest",
    default=1,
    show_default=True,
    help="For a destination: how many of the newest backups to rehearse.",
)
@click.option("--name", help="For a destination: only this series.")
@_keyring_options
@_identity_options
def verify_cmd(
    target: str,
    newest: int,
    name: str | None,
    identity_files: tuple[str, ...],
    use_passphrase: bool,
    passphrase_env: str | None,
    passphrase_file: str | None,
    signer_files: tuple[str, ...],
    options: tuple[str, ...],
    keyring_path: str | None,
    kek_spec: str,
    kek_secret_env: str | None,
    kek_secret_file: str | None,
) -> None:
    """Rehearse restores without writing plaintext; exit 1 if any fails."""
    identities = _identities(
        identity_files,
        use_passphrase,
        passphrase_env,
        passphrase_file,
        _keyring(keyring_path, kek_spec, kek_secret_env, kek_secret_file),
    )
    signers = [_load_pem_public(p) for p in signer_files] or None
    storage = _storage_options(options)
    if target.endswith(SUFFIX):
        reports = [
            verify(
                target, identities, signers=signers, storage_options=storage
            )
        ]
    else:
        reports = rehearse(
            target,
            identities,
            newest=newest,
            name=name,
            signers=signers,
            storage_options=storage,
        )
    for report in reports:
        if report.ok:
            click.echo(
                f"ok      {report.source}  {report.size:,} bytes in "
                f"{report.duration:.2f}s, age {report.age}"
            )
        else:
            click.echo(f"FAILED  {report.source}  {report.reason}")
    if not all(r.ok for r in reports):
        raise SystemExit(1)


@backup.command(name="rehearse")
@click.argument("dest", metavar="DESTINATION")
@rehearse_options
@_keyring_options
@_identity_options
@click.pass_context
def rehearse_cmd(ctx: click.Context, /, dest: str, **kwargs: Any) -> None:
    """Restore the newest backup at DESTINATION into a throw-away
    PostgreSQL database, run the checks, drop it; exit 1 unless it
    restored and every check passed."""
    pop = kwargs.pop
    keyring = _keyring(
        pop("keyring_path"),
        pop("kek_spec"),
        pop("kek_secret_env"),
        pop("kek_secret_file"),
    )
    identities = _identities(
        pop("identity_files"),
        pop("use_passphrase"),
        pop("passphrase_env"),
        pop("passphrase_file"),
        keyring,
    )
    signers = [_load_pem_public(p) for p in kwargs.pop("signer_files")]
    storage = _storage_options(kwargs.pop("options"))
    run_rehearsal(ctx, dest, identities, signers or None, storage, **kwargs)


@backup.command(name="list")
@click.argument("dest", metavar="DESTINATION")
@click.option("--name", help="Only this series.")
@click.option(
    "-O",
    "--option",
    "options",
    multiple=True,
    metavar="KEY=VALUE",
    help="fsspec storage option.",
)
def list_cmd(dest: str, name: str | None, options: tuple[str, ...]) -> None:
    """List the backups at DESTINATION, newest first."""
    for info in list_backups(
        dest, name=name, storage_options=_storage_options(options)
    ):
        size = "?" if info.size is None else f"{info.size:,}"
        click.echo(
            f"{info.created_at:%Y-%m-%d %H:%M:%S} UTC  {size:>15}  "
            f"{info.path.rsplit('/', 1)[-1]}"
        )


@backup.command(name="prune")
@click.argument("dest", metavar="DESTINATION")
@click.option("--name", help="Only this series (recommended).")
@click.option("--keep-last", type=int, default=0)
@click.option("--keep-hourly", type=int, default=0)
@click.option("--keep-daily", type=int, default=0)
@click.option("--keep-weekly", type=int, default=0)
@click.option("--keep-monthly", type=int, default=0)
@click.option("--keep-yearly", type=int, default=0)
@click.option("--keep-within", metavar="DURATION", help="e.g. 10d, 1y6m.")
@click.option(
    "--dry-run", "-n", is_flag=True, help="Print the plan; delete nothing."
)
@click.option(
    "-O",
    "--option",
    "options",
    multiple=True,
    metavar="KEY=VALUE",
    help="fsspec storage option.",
)
def prune_cmd(
    dest: str,
    name: str | None,
    keep_last: int,
    keep_hourly: int,
    keep_daily: int,
    keep_weekly: int,
    keep_monthly: int,
    keep_yearly: int,
    keep_within: str | None,
    dry_run: bool,
    options: tuple[str, ...],
) -> None:
    """Delete backups past their retention (restic 'forget' rules)."""
    policy = RetentionPolicy(
        keep_last=keep_last,
        keep_hourly=keep_hourly,
        keep_daily=keep_daily,
        keep_weekly=keep_weekly,
        keep_monthly=keep_monthly,
        keep_yearly=keep_yearly,
        keep_within=keep_within,
    )
    result = prune(
        dest,
        policy,
        name=name,
        dry_run=dry_run,
        storage_options=_storage_options(options),
    )
    for info in result.keep:
        why = ", ".join(result.reasons.get(info.path, []))
        click.echo(f"{'keep':<12}  {info.path.rsplit('/', 1)[-1]}  ({why})")
    verb = "would remove" if dry_run else "removed"
    for info in result.remove:
        click.echo(f"{verb:<12}  {info.path.rsplit('/', 1)[-1]}")
    click.echo(
        f"{len(result.keep)} kept, {len(result.remove)} "
        f"{'to remove (dry run)' if dry_run else 'removed'}",
        err=True,
    )


def demo_step(workdir: Path) -> None:
    """Back up a file to two recipients, rehearse, detect damage, prune."""
    laptop = generate_identity("x25519")
    vault = generate_identity("mlkem768-x25519")
    dest = workdir / "backups"
    data = b"INSERT INTO orders VALUES (1, 'alice');\n" * 20_000
    start = datetime(2026, 1, 1, 3, 0, tzinfo=timezone.utc)
    for day in range(4):
        create_backup(
            io.BytesIO(data),
            dest,
            [laptop.recipient, vault.recipient],
            name="db",
            label="pg_dump shop",
            now=start + timedelta(days=day),
        )
    infos = list_backups(dest, name="db")
    click.echo(
        f"  {len(infos)} nightly backups to an X25519 and an ML-KEM-768+X25519 key"
    )
    report = rehearse(dest, [vault], newest=1)[0]
    click.echo(
        f"  restore rehearsal of the newest: ok={report.ok}, {report.size:,} bytes"
    )
    damaged = Path(infos[-1].path)
    raw = bytearray(damaged.read_bytes())
    raw[len(raw) // 2] ^= 1
    damaged.write_bytes(bytes(raw))
    bad = verify(damaged, [laptop])
    click.echo(f"  one flipped bit in the oldest: ok={bad.ok} ({bad.reason})")
    result = prune(dest, RetentionPolicy(keep_last=2), name="db")
    click.echo(
        f"  retention keep_last=2: kept {len(result.keep)}, removed {len(result.remove)}"
    )


for _command in (age_encrypt, age_decrypt, age_keygen):
    backup.add_command(_command)

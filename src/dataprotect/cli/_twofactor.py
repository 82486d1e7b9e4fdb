"""``dataprotect 2fa``: enrol and check TOTP second factors."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import click

from dataprotect._atomic import atomic_write
from dataprotect.cli._common import kek_options, keyring_option
from dataprotect.cli._errors import InputError
from dataprotect.cli._secrets import load_keyring, read_secret
from dataprotect.encryption import Encryptor
from dataprotect.twofactor import (
    TOTP,
    Algorithm,
    TOTPRecord,
    qr_png,
    qr_svg,
    qr_terminal,
)


__all__ = ["twofactor"]

_MAX_RECORD_FILE = 64 * 1024


def _write_record(path: str, record: TOTPRecord) -> None:
    with atomic_write(path, mode=0o600) as fh:
        fh.write(record.to_json().encode("utf-8") + b"\n")


def _encryptor(
    path: str,
    spec: str,
    passphrase_env: str | None,
    passphrase_file: str | None,
) -> Encryptor:
    """An Encryptor of the keyring the options name."""
    return Encryptor(
        load_keyring(
            path,
            spec=spec,
            passphrase_env=passphrase_env,
            passphrase_file=passphrase_file,
        )
    )


def _context(text: str) -> bytes:
    """The bytes of a --context argument (undecodable bytes kept)."""
    return text.encode("utf-8", "surrogateescape")


def _read_record(path: str) -> TOTPRecord:
    with Path(path).open("rb") as fh:
        data = fh.read(_MAX_RECORD_FILE + 1)
    # TwoFactorRecordError (one line, exit 2) for anything malformed.
    return TOTPRecord.from_json(data.strip())


@click.group("2fa")
def twofactor() -> None:
    """Two-factor authentication: enrol and check TOTP codes."""


@twofactor.command("totp-new")
@click.option(
    "--account", required=True, help="The user's name as the app shows it."
)
@click.option("--issuer", required=True, help="Your service's name.")
@click.option(
    "--record",
    "record_path",
    required=True,
    metavar="PATH",
    help="Write the new record (JSON, secret encrypted) to PATH.",
)
@click.option(
    "--context",
    default="",
    metavar="TEXT",
    help="Context bound to the record, e.g. the user id.",
)
@click.option("--algorithm", default="sha1", show_default=True)
@click.option("--digits", default=6, show_default=True)
@click.option("--period", default=30, show_default=True)
@click.option(
    "--qr/--no-qr", default=True, help="Print a QR code after the URI."
)
@click.option(
    "--qr-file",
    metavar="PATH",
    help="Also write the QR code to PATH (.svg or .png).",
)
@click.option("--force", is_flag=True, help="Overwrite an existing record.")
@kek_options
@keyring_option
def totp_new(
    *,
    account: str,
    issuer: str,
    record_path: str,
    context: str,
    algorithm: str,
    digits: int,
    period: int,
    qr: bool,
    qr_file: str | None,
    force: bool,
    keyring_path: str,
    kek_spec: str,
    passphrase_env: str | None,
    passphrase_file: str | None,
) -> None:
    """Enrol a TOTP authenticator: print its otpauth:// URI and QR code.

    The URI and the QR code hold the secret: run this only where the
    person enrolling sees the terminal, and do not keep the output.
    """
    if Path(record_path).exists() and not force:
        msg = f"{record_path} exists; use --force to overwrite it"
        raise InputError(msg)
    if qr_file is not None and not qr_file.lower().endswith((".svg", ".png")):
        msg = "--qr-file must end in .svg or .png"
        raise InputError(msg)
    totp = TOTP(
        _encryptor(keyring_path, kek_spec, passphrase_env, passphrase_file),
        algorithm=cast("Algorithm", algorithm),  # TOTP checks the name
        digits=digits,
        period=period,
    )
    ctx = _context(context)
    record = totp.new(context=ctx)
    uri = totp.provisioning_uri(record, account, issuer=issuer, context=ctx)
    picture = qr_terminal(uri) if qr else None
    if qr_file is not None:
        svg = qr_file.lower().endswith(".svg")
        image = qr_svg(uri).encode() if svg else qr_png(uri)
        with atomic_write(qr_file, mode=0o600) as fh:
            fh.write(image)
    _write_record(record_path, record)
    click.echo(uri)
    if picture is not None:
        click.echo(picture, nl=False)
    click.echo(f"wrote {record_path}", err=True)


@twofactor.command("totp-check")
@click.argument("record_path", metavar="RECORD")
@click.option("--code-env", metavar="VAR", help="Read the code from VAR.")
@click.option("--code-file", metavar="PATH", help="Read the code from PATH.")
@click.option(
    "--context",
    default="",
    metavar="TEXT",
    help="The context the record was made with.",
)
@click.option(
    "--window",
    default=1,
    show_default=True,
    help="Time steps accepted either side of now.",
)
@kek_options
@keyring_option
def totp_check(
    *,
    record_path: str,
    code_env: str | None,
    code_file: str | None,
    context: str,
    window: int,
    keyring_path: str,
    kek_spec: str,
    passphrase_env: str | None,
    passphrase_file: str | None,
) -> None:
    """Check a TOTP code against RECORD; exit 1 if it is rejected.

    An accepted code is written back into RECORD, so it (or any earlier
    code) is never accepted again.
    """
    record = _read_record(record_path)
    totp = TOTP(
        _encryptor(keyring_path, kek_spec, passphrase_env, passphrase_file),
        window=window,
    )
    code = read_secret("code", env=code_env, file=code_file)
    ok, record = totp.verify(record, code, context=_context(context))
    if not ok:
        click.echo("code rejected", err=True)
        raise SystemExit(1)
    _write_record(record_path, record)
    click.echo("code accepted")

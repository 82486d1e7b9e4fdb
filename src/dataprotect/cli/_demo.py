"""``dataprotect demo``: a short tour of every capability, in a temporary
directory, on embedded defaults."""

from __future__ import annotations

import importlib
import tempfile

from pathlib import Path

import click

from dataprotect.cli._common import locale_option
from dataprotect.encryption import BlindIndex, Encryptor
from dataprotect.errors import DecryptionError
from dataprotect.keys import EnvKEK, Keyring


__all__ = ["STEPS", "demo"]


def _keys_and_encryption(workdir: Path) -> None:
    kek = EnvKEK("DEMO_KEK", environ={"DEMO_KEK": EnvKEK.generate_value()})
    ring = Keyring.generate()
    ring.save(workdir / "keyring.dpkr", kek=kek)
    ring = Keyring.load(workdir / "keyring.dpkr", kek=kek)
    click.echo(f"  keyring saved and reloaded: {ring!r}")
    enc = Encryptor(ring)
    token = enc.encrypt_str("alice@example.com", b"users.email:42")
    click.echo(f"  encrypted an email for users.email:42 -> {token[:24]}...")
    try:
        enc.decrypt_str(token, b"users.email:43")
    except DecryptionError:
        click.echo("  the same ciphertext copied to row 43 is refused")
    old = ring.primary_id
    ring.rotate()
    fresh = enc.reencrypt(enc.encrypt(b"x"), b"")
    click.echo(
        f"  rotated {old:#010x} -> {ring.primary_id:#010x}; old data still "
        f"decrypts, re-encryption moves it ({len(fresh)} bytes)"
    )
    src = workdir / "report.csv"
    src.write_bytes(b"name,email\nalice,alice@example.com\n" * 10_000)
    enc.encrypt_file(src, workdir / "report.csv.dpenc")
    size = enc.decrypt_file(workdir / "report.csv.dpenc", workdir / "back.csv")
    click.echo(f"  streamed a {size:,}-byte file through STREAM and back")
    index = BlindIndex(ring, "users.email")
    click.echo(
        f"  blind index for look-ups: {index.digest('alice@example.com').hex()}"
    )


#: (title, "module:function" or a function taking the work directory).
STEPS: list[tuple[str, str]] = [
    (
        "Keys and encryption at rest",
        "dataprotect.cli._demo:_keys_and_encryption",
    ),
    ("Secret scanning", "dataprotect.cli._scan:demo_step"),
    ("Rate-limited logins", "dataprotect.cli._ratelimit:demo_step"),
    ("Signed documents (PDF)", "dataprotect.cli._pdf:demo_step"),
    (
        "Password feedback (NIST SP 800-63B)",
        "dataprotect.cli._strength:demo_step",
    ),
    ("Encrypted backups", "dataprotect.cli._backup:demo_step"),
    ("Passwords and access tokens", "dataprotect.cli._passwords:demo_step"),
    ("Pseudonymised logs", "dataprotect.cli._pseudonymise:demo_step"),
]


@click.command()
@click.option(
    "--serve",
    is_flag=True,
    help="Serve the interactive password-feedback page on 127.0.0.1 "
    "instead of the tour (Ctrl-C stops it).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    help="With --serve: the port (default 0: a free one).",
)
@locale_option("With --serve: the page's first language.")
def demo(serve: bool, port: int, locale: str) -> None:
    """Tour every capability in a temporary directory, or (--serve) show
    the password-feedback page in a browser."""
    if serve:
        from dataprotect.cli._feedback import serve as serve_page

        serve_page(port, locale)
        return
    with tempfile.TemporaryDirectory(prefix="dataprotect-demo-") as tmp:
        for title, target in STEPS:
            click.secho(title, bold=True)
            module, _, name = target.partition(":")
            getattr(importlib.import_module(module), name)(Path(tmp))
    click.secho("demo finished: every step succeeded", fg="green")

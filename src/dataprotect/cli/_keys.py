"""``dataprotect keys``: make, rotate, list, retire and destroy keys."""

from __future__ import annotations

import os

from collections.abc import Callable

import click

from dataprotect.cli._common import kek_options
from dataprotect.cli._errors import InputError
from dataprotect.cli._secrets import make_kek
from dataprotect.keys import EnvKEK, Keyring


__all__ = ["keys"]


def _key_id(value: str) -> int:
    try:
        return int(value, 0)
    except ValueError:
        msg = "KEY_ID must be a number such as 0x1a2b3c4d"
        raise InputError(msg) from None


@click.group()
def keys() -> None:
    """Make and manage keyrings."""


@keys.command("new")
@click.argument("path")
@kek_options
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def new(
    path: str,
    kek_spec: str,
    passphrase_env: str | None,
    passphrase_file: str | None,
    force: bool,
) -> None:
    """Create a keyring with one key at PATH."""
    if os.path.exists(path) and not force:
        msg = f"{path} exists; use --force to overwrite it"
        raise InputError(msg)
    kek = make_kek(
        kek_spec,
        passphrase_env=passphrase_env,
        passphrase_file=passphrase_file,
        confirm=True,
    )
    ring = Keyring.generate()
    ring.save(path, kek=kek)
    click.echo(f"created {path} with primary key {ring.primary_id:#010x}")


@keys.command("rotate")
@click.argument("path")
@kek_options
def rotate(
    path: str,
    kek_spec: str,
    passphrase_env: str | None,
    passphrase_file: str | None,
) -> None:
    """Add a new primary key to the keyring at PATH."""
    kek = make_kek(
        kek_spec,
        passphrase_env=passphrase_env,
        passphrase_file=passphrase_file,
    )
    ring = Keyring.load(path, kek=kek)
    key_id = ring.rotate()
    ring.save(path, kek=kek)
    click.echo(f"new primary key {key_id:#010x}")


@keys.command("list")
@click.argument("path")
@kek_options
def list_(
    path: str,
    kek_spec: str,
    passphrase_env: str | None,
    passphrase_file: str | None,
) -> None:
    """List the keys of the keyring at PATH (ids and status only)."""
    kek = make_kek(
        kek_spec,
        passphrase_env=passphrase_env,
        passphrase_file=passphrase_file,
    )
    for info in Keyring.load(path, kek=kek).keys():  # noqa: SIM118 - Keyring.keys() is a method returning a list, not dict.keys()
        click.echo(
            f"{info.key_id:#010x}  {info.status:<9}  "
            f"{info.created_at:%Y-%m-%d %H:%M:%S}Z"
        )


def _change(action: str) -> Callable[..., None]:
    @click.argument("path")
    @click.argument("key_id")
    @kek_options
    def command(
        path: str,
        key_id: str,
        kek_spec: str,
        passphrase_env: str | None,
        passphrase_file: str | None,
    ) -> None:
        kek = make_kek(
            kek_spec,
            passphrase_env=passphrase_env,
            passphrase_file=passphrase_file,
        )
        ring = Keyring.load(path, kek=kek)
        number = _key_id(key_id)
        getattr(ring, action)(number)
        ring.save(path, kek=kek)
        click.echo(f"key {number:#010x}: {action}d")

    return command


keys.command("retire", help="Stop KEY_ID from decrypting.")(_change("retire"))
keys.command("reactivate", help="Let a retired KEY_ID decrypt again.")(
    _change("reactivate")
)
keys.command(
    "destroy",
    help="Erase KEY_ID for good: what it encrypted can never be read again.",
)(
    click.confirmation_option(prompt="Destroy this key for good?")(
        _change("destroy")
    )
)


@keys.command("generate-kek")
def generate_kek() -> None:
    """Print a new random KEK for --kek env:VARIABLE (base64)."""
    click.echo(EnvKEK.generate_value())

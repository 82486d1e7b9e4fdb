"""``dataprotect passwords`` and ``dataprotect tokens``."""

from __future__ import annotations

import base64
import hashlib

from pathlib import Path

import click

from dataprotect.cli._common import kek_options
from dataprotect.cli._errors import InputError
from dataprotect.cli._secrets import load_keyring, read_secret
from dataprotect.errors import ConfigurationError
from dataprotect.keys import Keyring
from dataprotect.passwords import (
    DEFAULT_MEMORY_COST,
    DEFAULT_PARALLELISM,
    DEFAULT_TIME_COST,
    PasswordHasher,
)
from dataprotect.tokens import TokenHasher, generate_token, is_well_formed


__all__ = ["demo_step", "passwords", "tokens"]

_secret_options = [
    click.option(
        "--password-env", metavar="VAR", help="Read the password from VAR."
    ),
    click.option(
        "--password-file", metavar="PATH", help="Read the password from PATH."
    ),
]


def _password(
    env: str | None, file: str | None, *, confirm: bool = False
) -> str:
    return read_secret(
        "password", env=env, file=file, confirm=confirm, stdin=True
    )


def _optional_keyring(path: str | None, **kek: str | None) -> Keyring | None:
    return None if path is None else load_keyring(path, **kek)


_pepper_option = click.option(
    "--keyring",
    "keyring_path",
    metavar="PATH",
    help="Pepper: the keyring whose primary key encrypts the hash.",
)


@click.group()
def passwords() -> None:
    """Hash and verify passwords (argon2id)."""


@passwords.command("hash")
@_secret_options[0]
@_secret_options[1]
@click.option("--time-cost", default=DEFAULT_TIME_COST, show_default=True)
@click.option(
    "--memory-cost",
    default=DEFAULT_MEMORY_COST,
    show_default=True,
    help="Memory in KiB.",
)
@click.option("--parallelism", default=DEFAULT_PARALLELISM, show_default=True)
@_pepper_option
@kek_options
def hash_(
    *,
    password_env: str | None,
    password_file: str | None,
    time_cost: int,
    memory_cost: int,
    parallelism: int,
    keyring_path: str | None,
    kek_spec: str,
    passphrase_env: str | None,
    passphrase_file: str | None,
) -> None:
    """Hash a password read from a no-echo prompt, --password-env,
    --password-file, or stdin when it is not a terminal."""
    pepper = _optional_keyring(
        keyring_path,
        spec=kek_spec,
        passphrase_env=passphrase_env,
        passphrase_file=passphrase_file,
    )
    hasher = PasswordHasher(
        time_cost=time_cost,
        memory_cost=memory_cost,
        parallelism=parallelism,
        pepper=pepper,
    )
    click.echo(
        hasher.hash(_password(password_env, password_file, confirm=True))
    )


@passwords.command("verify")
@click.argument("stored")
@_secret_options[0]
@_secret_options[1]
@_pepper_option
@kek_options
def verify(
    *,
    stored: str,
    password_env: str | None,
    password_file: str | None,
    keyring_path: str | None,
    kek_spec: str,
    passphrase_env: str | None,
    passphrase_file: str | None,
) -> None:
    """Check a password against STORED; exit 1 on a mismatch.

    The password comes as for 'passwords hash'.  A peppered hash needs
    --keyring.
    """
    pepper = _optional_keyring(
        keyring_path,
        spec=kek_spec,
        passphrase_env=passphrase_env,
        passphrase_file=passphrase_file,
    )
    hasher = PasswordHasher(pepper=pepper)
    password = _password(password_env, password_file)
    try:
        ok = hasher.verify(stored, password)
    except ConfigurationError:
        if pepper is not None:
            raise
        msg = (
            "this hash is peppered: give --keyring PATH (and its --kek) "
            "to verify it"
        )
        raise InputError(msg) from None
    if not ok:
        click.echo("password does not match", err=True)
        raise SystemExit(1)
    note = (
        " (outdated: rehash at next login)"
        if hasher.needs_rehash(stored)
        else ""
    )
    click.echo(f"password matches{note}")


@passwords.command("calibrate")
@click.option(
    "--target-ms",
    default=500.0,
    show_default=True,
    help="Wanted time per hash, in milliseconds.",
)
@click.option(
    "--max-memory",
    "max_memory_kib",
    default=DEFAULT_MEMORY_COST,
    show_default=True,
    help="Memory per hash, in KiB.",
)
@click.option("--parallelism", default=DEFAULT_PARALLELISM, show_default=True)
def calibrate(target_ms: float, max_memory_kib: int, parallelism: int) -> None:
    """Pick argon2id parameters for this machine."""
    hasher = PasswordHasher.calibrate(
        target_ms, max_memory_kib, parallelism=parallelism
    )
    click.echo(
        f"time_cost={hasher.time_cost} memory_cost={hasher.memory_cost} "
        f"parallelism={hasher.parallelism}"
    )


@click.group()
def tokens() -> None:
    """Make and check prefixed access tokens."""


@tokens.command("new")
@click.argument("prefix")
@click.option(
    "--keyring",
    "keyring_path",
    metavar="PATH",
    help="Also print the digest to store, under this keyring's primary key.",
)
@kek_options
def new(
    prefix: str,
    keyring_path: str | None,
    kek_spec: str,
    passphrase_env: str | None,
    passphrase_file: str | None,
) -> None:
    """Print a new token PREFIX_...; with --keyring, its digest too.

    The token is printed once, on the first line; store only the digest
    (second line).
    """
    token = generate_token(prefix)
    ring = _optional_keyring(
        keyring_path,
        spec=kek_spec,
        passphrase_env=passphrase_env,
        passphrase_file=passphrase_file,
    )
    click.echo(token)
    if ring is not None:
        click.echo(TokenHasher(ring).digest(token))


@tokens.command("check")
@click.option("--prefix", help="The token must have this prefix.")
@click.option("--token-env", metavar="VAR", help="Read the token from VAR.")
@click.option("--token-file", metavar="PATH", help="Read the token from PATH.")
def check(
    prefix: str | None, token_env: str | None, token_file: str | None
) -> None:
    """Check a token's shape and checksum offline; exit 1 if bad.

    The token comes from a no-echo prompt, --token-env, --token-file, or
    stdin when it is not a terminal.
    """
    token = read_secret(
        "token", env=token_env, file=token_file, stdin=True
    ).strip()
    if not is_well_formed(token, prefix=prefix):
        click.echo("not a well-formed token (typo or wrong prefix)", err=True)
        raise SystemExit(1)
    click.echo("well-formed token")


def demo_step(workdir: Path) -> None:
    """Passwords and tokens in a few lines (fast demo parameters)."""
    del workdir
    ring = Keyring.generate()
    hasher = PasswordHasher(
        time_cost=1, memory_cost=1024, parallelism=1, pepper=ring
    )
    stored = hasher.hash("correct horse battery staple")
    click.echo(f"  argon2id hash with a pepper: {stored[:48]}...")
    click.echo(
        "  right password: "
        f"{hasher.verify(stored, 'correct horse battery staple')}, "
        f"wrong: {hasher.verify(stored, 'Tr0ub4dor&3')}"
    )
    legacy = "pbkdf2_sha256$1000$demo-salt$"
    legacy += base64.b64encode(
        hashlib.pbkdf2_hmac("sha256", b"hunter2", b"demo-salt", 1000)
    ).decode("ascii")
    ok, new_hash = hasher.verify_and_update(legacy, "hunter2")
    kind = new_hash.split("$")[1] if new_hash else "unchanged"
    click.echo(f"  Django PBKDF2 hash verified ({ok}) and upgraded to {kind}")
    ring.rotate()
    click.echo(
        f"  pepper rotated; re-encrypted without the password: "
        f"{hasher.reencrypt(stored)[:48]}..."
    )
    token = generate_token("demo")
    digest = TokenHasher(ring).digest(token)
    typo = token[:-1] + ("A" if token[-1] != "A" else "B")
    click.echo(f"  token {token[:12]}... digest to store {digest[:22]}...")
    click.echo(
        f"  well-formed: {is_well_formed(token)}; "
        f"with a typo: {is_well_formed(typo)}"
    )

"""The options every command shares, as click options.

What they feed runs without click: secrets and KEKs in
:mod:`dataprotect.cli._secrets`, files in :mod:`dataprotect.cli._files`,
errors in :mod:`dataprotect.cli._errors`.
"""

from __future__ import annotations

import os

from collections.abc import Callable
from typing import Any, TypeVar

import click

from dataprotect._atomic import atomic_write
from dataprotect.cli._errors import InputError


__all__ = [
    "CHECKED_OUTPUT_HELP",
    "force_option",
    "kek_options",
    "keyring_option",
    "locale_option",
    "write_identity",
]

F = TypeVar("F", bound=Callable[..., Any])


def kek_options(func: F, *, option_prefix: str = "passphrase") -> F:
    """Add ``--kek`` and the options that supply its secret.

    The secret options are ``--passphrase-env``/``--passphrase-file``; a
    command that needs those names for something else renames them
    (``option_prefix="kek-secret"`` gives ``--kek-secret-env``...).
    """
    options = [
        click.option(
            "--kek",
            "kek_spec",
            default="passphrase",
            show_default=True,
            metavar="SPEC",
            help="Key-encryption key: 'passphrase', 'env:VARIABLE' "
            "(base64 key) or a 'pkcs11:' URI.",
        ),
        click.option(
            f"--{option_prefix}-env",
            metavar="VAR",
            help="Read the KEK's passphrase or PIN from VAR.",
        ),
        click.option(
            f"--{option_prefix}-file",
            metavar="PATH",
            help="Read the KEK's passphrase or PIN from PATH.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


#: ``--keyring PATH`` (or ``$DATAPROTECT_KEYRING``), for every command that
#: opens a keyring.
keyring_option = click.option(
    "--keyring",
    "keyring_path",
    envvar="DATAPROTECT_KEYRING",
    required=True,
    metavar="PATH",
    help="Keyring file (default: $DATAPROTECT_KEYRING).",
)


#: What ``-o`` promises, for the help of commands whose output is checked.
CHECKED_OUTPUT_HELP = (
    "A file appears only when complete and every check passed; stdout, a "
    "pipe or a device receives nothing until then (the output is held in a "
    "private temporary file, mode 0600, in the system temporary directory, "
    "deleted on exit)."
)

#: Adds ``--force``: without it no command replaces an existing file.
force_option = click.option(
    "--force", is_flag=True, help="Overwrite an existing output file."
)


def write_identity(output: str, text: str, recipient: str) -> None:
    """Write a secret identity to *output* (``-``: stdout), mode 0600.

    Refuses to overwrite an existing file; prints the public part on
    stderr as ``age-keygen`` does.
    """
    if output == "-":
        click.echo(text, nl=False)
    else:
        if os.path.exists(output):
            msg = "output file exists; refusing to overwrite an identity"
            raise InputError(msg)
        with atomic_write(output, mode=0o600) as fh:
            fh.write(text.encode())
    click.echo(f"Public key: {recipient}", err=True)


def locale_option(help_text: str) -> Callable[[F], F]:
    """``--locale``: en (the default), de, fr or it."""
    return click.option(
        "--locale",
        type=click.Choice(["en", "de", "fr", "it"]),
        default="en",
        show_default=True,
        help=help_text,
    )

"""``dataprotect encrypt`` / ``decrypt``: files and pipes at rest.

The click commands, for ``--help`` and every call that
:mod:`dataprotect.cli._direct` leaves to click; both run the same
functions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from dataprotect.cli._common import (
    CHECKED_OUTPUT_HELP,
    force_option,
    kek_options,
    keyring_option,
)
from dataprotect.cli._direct import decrypt_file, encrypt_file


__all__ = ["decrypt", "encrypt"]

F = TypeVar("F", bound=Callable[..., Any])


def _options(output_help: str) -> Callable[[F], F]:
    def add(func: F) -> F:
        func = click.option(
            "-o", "--output", metavar="PATH", help=output_help
        )(func)
        func = force_option(func)
        func = click.option(
            "--context",
            default="",
            metavar="TEXT",
            help="Context bound to the ciphertext.",
        )(func)
        func = kek_options(func)
        func = keyring_option(func)
        return click.argument("file")(func)

    return add


@click.command()
@_options(
    "Output file (default: FILE.dpenc; '-' for stdout, the default for "
    "stdin).  Never a terminal."
)
def encrypt(file: str, output: str | None, **params: Any) -> None:
    """Encrypt FILE ('-' for stdin) with the keyring's primary key.

    An existing output file is replaced only with --force.
    """
    encrypt_file(file, output, **params)


@click.command()
@_options(
    "Output file (default: FILE without .dpenc, else FILE.out; '-' for "
    f"stdout, the default for stdin).  {CHECKED_OUTPUT_HELP}"
)
def decrypt(file: str, output: str | None, **params: Any) -> None:
    """Decrypt FILE ('-' for stdin); nothing is released unless all of it
    authenticates.

    An existing output file is replaced only with --force.
    """
    decrypt_file(file, output, **params)

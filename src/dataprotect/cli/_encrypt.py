"""``dataprotect encrypt`` / ``decrypt``: files and pipes at rest."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from dataprotect.cli._common import (
    CHECKED_OUTPUT_HELP,
    force_option,
    input_file,
    kek_options,
    keyring_option,
    load_keyring,
    output_file,
    progress,
)
from dataprotect.encryption import Encryptor


__all__ = ["decrypt", "encrypt"]

F = TypeVar("F", bound=Callable[..., Any])

_SUFFIX = ".dpenc"


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


def _pipe(
    stream: Callable[..., int],
    file: str,
    target: str,
    context: str,
    label: str,
    *,
    force: bool,
    checked: bool,
) -> None:
    """Run *stream* (an Encryptor stream method) from FILE into TARGET."""
    with (
        input_file(file) as (src, size),
        output_file(
            target, force=force, checked=checked, binary=not checked
        ) as dst,
        progress(size, label) as advance,
    ):
        stream(src, dst, context=context.encode(), progress=advance)


@click.command()
@_options(
    "Output file (default: FILE.dpenc; '-' for stdout, the default for "
    "stdin).  Never a terminal."
)
def encrypt(
    file: str,
    output: str | None,
    force: bool,
    context: str,
    keyring_path: str,
    kek_spec: str,
    passphrase_env: str | None,
    passphrase_file: str | None,
) -> None:
    """Encrypt FILE ('-' for stdin) with the keyring's primary key.

    An existing output file is replaced only with --force.
    """
    target = output or ("-" if file == "-" else file + _SUFFIX)
    encryptor = Encryptor(
        load_keyring(
            keyring_path,
            spec=kek_spec,
            passphrase_env=passphrase_env,
            passphrase_file=passphrase_file,
        )
    )
    _pipe(
        encryptor.encrypt_stream,
        file,
        target,
        context,
        "encrypting",
        force=force,
        checked=False,
    )


@click.command()
@_options(
    "Output file (default: FILE without .dpenc, else FILE.out; '-' for "
    f"stdout, the default for stdin).  {CHECKED_OUTPUT_HELP}"
)
def decrypt(
    file: str,
    output: str | None,
    force: bool,
    context: str,
    keyring_path: str,
    kek_spec: str,
    passphrase_env: str | None,
    passphrase_file: str | None,
) -> None:
    """Decrypt FILE ('-' for stdin); nothing is released unless all of it
    authenticates.

    An existing output file is replaced only with --force.
    """
    if output is None:
        if file == "-":
            output = "-"
        elif file.endswith(_SUFFIX):
            output = file[: -len(_SUFFIX)]
        else:
            output = file + ".out"
    encryptor = Encryptor(
        load_keyring(
            keyring_path,
            spec=kek_spec,
            passphrase_env=passphrase_env,
            passphrase_file=passphrase_file,
        )
    )
    _pipe(
        encryptor.decrypt_stream,
        file,
        output,
        context,
        "decrypting",
        force=force,
        checked=True,
    )

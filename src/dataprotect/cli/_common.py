"""Pieces every command shares: secrets, KEKs, progress, input and output."""

from __future__ import annotations

import contextlib
import os
import re
import sys

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import click

from dataprotect._atomic import atomic_write
from dataprotect.keys import KEK, PKCS11KEK, EnvKEK, PassphraseKEK


__all__ = [
    "InputError",
    "input_file",
    "kek_options",
    "make_kek",
    "output_file",
    "pkcs11_pin",
    "progress",
    "read_secret",
    "write_identity",
]

F = TypeVar("F", bound=Callable[..., Any])


class InputError(click.ClickException):
    """A usage or input error: one line on stderr, exit status 2."""

    exit_code = 2


def read_secret(
    what: str,
    *,
    env: str | None = None,
    file: str | None = None,
    confirm: bool = False,
) -> str:
    """A secret from an environment variable, a file, or a no-echo prompt.

    Never from a command-line argument: it would land in shell history.
    """
    if env is not None:
        value = os.environ.get(env)
        if value is None:
            msg = f"environment variable {env} is not set"
            raise InputError(msg)
        return value
    if file is not None:
        try:
            return Path(file).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            msg = f"cannot read {what} file: {exc.strerror}"
            raise InputError(msg) from None
    if not sys.stdin.isatty():
        msg = f"no {what}: give it with an -env or -file option, or run on a terminal"
        raise InputError(msg)
    answer: str = click.prompt(
        what.capitalize(),
        hide_input=True,
        confirmation_prompt=confirm,
        err=True,
    )
    return answer


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


def make_kek(
    spec: str,
    *,
    passphrase_env: str | None,
    passphrase_file: str | None,
    confirm: bool = False,
) -> KEK:
    """Build the KEK a ``--kek`` SPEC names."""
    if spec == "passphrase":
        return PassphraseKEK(
            read_secret(
                "passphrase",
                env=passphrase_env,
                file=passphrase_file,
                confirm=confirm,
            )
        )
    if spec.startswith("env:") and len(spec) > 4:
        return EnvKEK(spec[4:])
    if spec.startswith("pkcs11:"):
        pin = pkcs11_pin(spec, env=passphrase_env, file=passphrase_file)
        return PKCS11KEK(spec, pin=pin)
    msg = "--kek must be 'passphrase', 'env:VARIABLE' or a 'pkcs11:' URI"
    raise InputError(msg)


def pkcs11_pin(uri: str, *, env: str | None, file: str | None) -> str | None:
    """The PIN for a ``pkcs11:`` URI given on the command line.

    ``None`` when the URI names a ``pin-source``; else read with
    :func:`read_secret`.  A ``pin-value`` is refused: the URI is an argument,
    and the PIN would land in shell history and ``ps``.
    """
    names = {part.partition("=")[0] for part in re.split(r"[;?&]", uri)}
    if "pin-value" in names:
        msg = (
            "a pkcs11: URI on the command line must not carry pin-value: "
            "use pin-source, or the -env/-file options"
        )
        raise InputError(msg)
    if "pin-source" in names:
        return None
    return read_secret("PIN", env=env, file=file)


@contextlib.contextmanager
def progress(total: int | None, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal (bytes, rate, ETA); silent in a pipe."""
    if not sys.stderr.isatty():
        yield lambda _n: None
        return
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    columns = (
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


@contextlib.contextmanager
def input_file(path: str) -> Iterator[tuple[BinaryIO, int | None]]:
    """Open *path* for reading (``-``: stdin); yield it and its size."""
    if path == "-":
        yield sys.stdin.buffer, None
        return
    with Path(path).open("rb") as fh:
        yield fh, os.fstat(fh.fileno()).st_size


@contextlib.contextmanager
def output_file(path: str) -> Iterator[BinaryIO]:
    """Write to *path* atomically (``-``: stdout)."""
    if path == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    with atomic_write(path, mode=0o600) as fh:
        yield fh


def write_identity(output: str, text: str, recipient: str) -> None:
    """Write a secret identity to *output* (``-``: stdout), mode 0600.

    Refuses to overwrite an existing file; prints the public part on
    stderr as ``age-keygen`` does.
    """
    if output == "-":
        click.echo(text, nl=False)
    else:
        if Path(output).exists():
            msg = "output file exists; refusing to overwrite an identity"
            raise InputError(msg)
        with atomic_write(output, mode=0o600) as fh:
            fh.write(text.encode())
    click.echo(f"Public key: {recipient}", err=True)

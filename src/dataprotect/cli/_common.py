"""Pieces every command shares: secrets, KEKs, progress, input and output."""

from __future__ import annotations

import contextlib
import os
import re
import sys

from collections.abc import Callable, Iterator
from typing import Any, BinaryIO, TypeVar

import click

from dataprotect._atomic import atomic_write, is_special
from dataprotect.keys import KEK, PKCS11KEK, EnvKEK, Keyring, PassphraseKEK


__all__ = [
    "CHECKED_OUTPUT_HELP",
    "MAX_SECRET",
    "InputError",
    "force_option",
    "input_file",
    "kek_options",
    "keyring_option",
    "load_keyring",
    "locale_option",
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


#: Secret files and piped secrets larger than this are refused unread.
MAX_SECRET = 1 << 16


def _decoded(raw: bytes, what: str, source: str) -> str:
    """*raw* as UTF-8 text less one line end; one-line errors."""
    if len(raw) > MAX_SECRET:
        msg = f"the {what} from {source} is larger than 64 KiB"
        raise InputError(msg)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        msg = f"the {what} from {source} is not UTF-8 text"
        raise InputError(msg) from None
    text = text.removesuffix("\n").removesuffix("\r")
    if not text:
        msg = f"the {what} from {source} is empty"
        raise InputError(msg)
    return text


def read_secret(
    what: str,
    *,
    env: str | None = None,
    file: str | None = None,
    confirm: bool = False,
    stdin: bool = False,
) -> str:
    """A secret from an environment variable, a file, piped stdin or a
    no-echo prompt; every command reads its secrets here.

    Never from a command-line argument: it would land in shell history.
    A file or piped stdin holds UTF-8 text of at most 64 KiB; one final
    line end is dropped.  Piped stdin is read only by commands that take
    no other input (*stdin* true).
    """
    if env is not None:
        value = os.environ.get(env)
        if value is None:
            msg = f"environment variable {env} is not set"
            raise InputError(msg)
        if not value:
            msg = f"environment variable {env} is empty"
            raise InputError(msg)
        return value
    if file is not None:
        try:
            with open(file, "rb") as fh:
                raw = fh.read(MAX_SECRET + 1)
        except OSError as exc:
            msg = f"cannot read the {what} file {file}: {exc.strerror}"
            raise InputError(msg) from None
        return _decoded(raw, what, f"file {file}")
    terminal = sys.stdin is not None and sys.stdin.isatty()
    if stdin and sys.stdin is not None and not terminal:
        raw = sys.stdin.buffer.read(MAX_SECRET + 1)
        return _decoded(raw, what, "stdin")
    if not terminal:
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


def load_keyring(path: str, **kek: Any) -> Keyring:
    """Open the keyring at *path* with the KEK the options describe."""
    return Keyring.load(path, kek=make_kek(**kek))


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
def progress(
    total: int | None, label: str, *, rows: bool = False
) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal (bytes or *rows*, rate, ETA); silent
    in a pipe."""
    if not sys.stderr.isatty():
        yield lambda _n: None
        return
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        MofNCompleteColumn,
        Progress,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    counts = (
        (MofNCompleteColumn(),)
        if rows
        else (DownloadColumn(), TransferSpeedColumn())
    )
    columns = (
        "[progress.description]{task.description}",
        BarColumn(),
        *counts,
        TimeRemainingColumn(),
    )
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


@contextlib.contextmanager
def input_file(path: str) -> Iterator[tuple[BinaryIO, int | None]]:
    """Open *path* for reading (``-``: stdin); yield it and its size."""
    if path == "-":
        if sys.stdin is None:
            msg = "stdin is closed"
            raise InputError(msg)
        yield sys.stdin.buffer, None
        return
    with open(path, "rb") as fh:
        yield fh, os.fstat(fh.fileno()).st_size


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


def _refuse_terminal(stream: BinaryIO, binary: str | None) -> None:
    if binary is not None and stream.isatty():
        msg = f"refusing to write binary output to a terminal; {binary}"
        raise InputError(msg)


@contextlib.contextmanager
def _release(stream: BinaryIO, checked: bool) -> Iterator[BinaryIO]:
    """Yield *stream*, or with *checked* a private temporary file copied to
    *stream* only when the body succeeded."""
    if not checked:
        yield stream
        stream.flush()
        return
    # Imported here: only checked output to a stream needs them.
    import shutil
    import tempfile

    with tempfile.TemporaryFile(prefix="dataprotect-") as held:
        yield held
        held.seek(0)
        shutil.copyfileobj(held, stream, 1 << 20)
    stream.flush()


@contextlib.contextmanager
def output_file(
    path: str,
    *,
    checked: bool = False,
    binary: bool | str = False,
    force: bool = True,
    mode: int = 0o600,
) -> Iterator[BinaryIO]:
    """Where a command writes its output: the one rule for ``-o``.

    * ``-``: stdout.  A FIFO or a device (``/dev/null``): written to in
      place, never renamed over.  With *checked* these receive nothing
      until the body succeeded (every check passed); until then the output
      is held in a private temporary file.
    * Otherwise a regular file, written atomically with *mode*: it appears
      only when the body succeeded; an existing file is replaced only with
      *force*.

    *binary* output is never written to a terminal (a string: the advice
    the refusal gives).
    """
    hint = None
    if binary:
        hint = binary if isinstance(binary, str) else "use -o FILE or a pipe"
    if path == "-":
        if sys.stdout is None:
            msg = "stdout is closed"
            raise InputError(msg)
        _refuse_terminal(sys.stdout.buffer, hint)
        with _release(sys.stdout.buffer, checked) as fh:
            yield fh
        return
    if is_special(path):
        with open(path, "wb") as stream:
            _refuse_terminal(stream, hint)
            with _release(stream, checked) as fh:
                yield fh
        return
    if not force and os.path.lexists(path) and not os.path.isdir(path):
        msg = f"{path} exists; use --force to overwrite it"
        raise InputError(msg)
    with atomic_write(path, mode=mode) as fh:
        yield fh


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

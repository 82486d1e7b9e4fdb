"""``dataprotect backup age-encrypt|age-decrypt|age-keygen``: the age tool's
options over :mod:`dataprotect.backup.age`.

The commands mirror ``age`` and ``age-keygen`` (``-r``, ``-R``, ``-i``,
``-a``, ``-o``, ``-p``), except that a passphrase is never read from the
command line: it comes from a no-echo prompt, ``--passphrase-env`` or
``--passphrase-file``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO, Protocol, TypeVar

import click

from dataprotect.backup import age
from dataprotect.cli._common import (
    CHECKED_OUTPUT_HELP,
    force_option,
    write_identity,
)
from dataprotect.cli._errors import InputError
from dataprotect.cli._files import input_file, output_file, progress
from dataprotect.cli._secrets import read_secret


__all__ = ["age_decrypt", "age_encrypt", "age_keygen"]

#: Identity and recipient files larger than this are refused unread.
_MAX_KEY_FILE = 1 << 20

F = TypeVar("F", bound=Callable[..., Any])


class _Advance(Protocol):
    def __call__(self, n: int, /) -> None: ...


class _Counting:
    """A binary reader that reports the bytes it hands out."""

    def __init__(self, src: BinaryIO, advance: _Advance) -> None:
        self._src = src
        self._advance = advance

    def read(self, n: int = -1) -> bytes:
        data = self._src.read(n)
        self._advance(len(data))
        return data

    def readinto(self, buf: memoryview) -> int:
        readinto = getattr(self._src, "readinto", None)
        if readinto is None:
            data = self._src.read(len(buf))
            buf[: len(data)] = data
            n = len(data)
        else:
            n = int(readinto(buf) or 0)
        self._advance(n)
        return n


def _read_key_file(path: str, what: str) -> str:
    """The text of a recipients or identity file, bounded, one-line errors."""
    try:
        with Path(path).open("rb") as fh:
            raw = fh.read(_MAX_KEY_FILE + 1)
    except OSError as exc:
        msg = f"cannot read {what} file {path}: {exc.strerror}"
        raise InputError(msg) from None
    if len(raw) > _MAX_KEY_FILE:
        msg = f"{what} file {path} is larger than 1 MiB"
        raise InputError(msg)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        msg = f"{what} file {path} is not UTF-8 text"
        raise InputError(msg) from None


def _key_lines(text: str) -> list[str]:
    lines = (raw.strip() for raw in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def _passphrase_wanted(use: bool, env: str | None, file: str | None) -> bool:
    return use or env is not None or file is not None


def _passphrase_options(verb: str) -> Callable[[F], F]:
    """Add ``-p`` and the options that supply the passphrase."""

    def add(func: F) -> F:
        for option in (
            click.option(
                "--passphrase-file",
                metavar="PATH",
                help="Read the passphrase from PATH (implies -p).",
            ),
            click.option(
                "--passphrase-env",
                metavar="VAR",
                help="Read the passphrase from VAR (implies -p).",
            ),
            click.option(
                "-p",
                "--passphrase",
                "use_passphrase",
                is_flag=True,
                help=f"{verb} with a passphrase (prompted; never an argument).",
            ),
        ):
            func = option(func)
        return func

    return add


@click.command(name="age-encrypt")
@click.argument("source", metavar="INPUT|-", default="-")
@click.option(
    "-r",
    "--recipient",
    "recipients",
    multiple=True,
    metavar="RECIPIENT",
    help="An age1... or age1pq1... recipient (repeatable).",
)
@click.option(
    "-R",
    "--recipients-file",
    "recipient_files",
    multiple=True,
    metavar="PATH",
    help="A file of recipients, one a line, '#' comments (repeatable).",
)
@click.option(
    "-i",
    "--identity",
    "identity_files",
    multiple=True,
    metavar="PATH",
    help="Also encrypt to the recipients of this identity file.",
)
@click.option(
    "-a", "--armor", is_flag=True, help="Write the PEM-like text form."
)
@click.option(
    "-o",
    "--output",
    default="-",
    metavar="OUTPUT",
    help="Output file, written atomically; '-' (default) for stdout "
    "(binary output never to a terminal).",
)
@force_option
@click.option(
    "--work-factor",
    type=click.IntRange(10, 30),
    default=age.DEFAULT_WORK_FACTOR,
    show_default=True,
    help="scrypt work factor (log2 N) for a passphrase.",
)
@_passphrase_options("Encrypt")
def age_encrypt(
    source: str,
    recipients: tuple[str, ...],
    recipient_files: tuple[str, ...],
    identity_files: tuple[str, ...],
    armor: bool,
    output: str,
    force: bool,
    work_factor: int,
    use_passphrase: bool,
    passphrase_env: str | None,
    passphrase_file: str | None,
) -> None:
    """Encrypt INPUT (a file, or '-' for stdin) to an age file, as ``age -e``."""
    targets: list[str | age.Recipient] = list(recipients)
    for path in recipient_files:
        targets += _key_lines(_read_key_file(path, "recipients"))
    for path in identity_files:
        text = _read_key_file(path, "identity")
        targets += [i.recipient for i in age.parse_identities(text)]
    passphrase = None
    if _passphrase_wanted(use_passphrase, passphrase_env, passphrase_file):
        if targets:
            msg = (
                "a passphrase cannot be combined with recipients (-r, -R, -i)"
            )
            raise InputError(msg)
        passphrase = read_secret(
            "passphrase",
            env=passphrase_env,
            file=passphrase_file,
            confirm=True,
        )
    elif not targets:
        msg = "give a recipient (-r, -R, -i) or a passphrase (-p)"
        raise InputError(msg)
    with (
        input_file(source) as (src, size),
        progress(size, "age encrypt") as advance,
        output_file(
            output, binary=not armor and "use -a or -o", force=force
        ) as dst,
    ):
        age.encrypt(
            _Counting(src, advance),  # type: ignore[arg-type]  # age only calls read/readinto
            dst,
            targets,
            passphrase=passphrase,
            work_factor=work_factor,
            armor=armor,
        )


@click.command(name="age-decrypt")
@click.argument("source", metavar="INPUT|-", default="-")
@click.option(
    "-i",
    "--identity",
    "identity_files",
    multiple=True,
    metavar="PATH",
    help="An identity file as age-keygen writes it (repeatable).",
)
@click.option(
    "-o",
    "--output",
    default="-",
    metavar="OUTPUT",
    help=f"Output file; '-' (default) for stdout.  {CHECKED_OUTPUT_HELP}",
)
@force_option
@click.option(
    "--max-work-factor",
    type=click.IntRange(1, 30),
    default=age.MAX_WORK_FACTOR,
    show_default=True,
    help="Refuse passphrase files asking for more scrypt work (log2 N).",
)
@_passphrase_options("Decrypt")
def age_decrypt(
    source: str,
    identity_files: tuple[str, ...],
    output: str,
    force: bool,
    max_work_factor: int,
    use_passphrase: bool,
    passphrase_env: str | None,
    passphrase_file: str | None,
) -> None:
    """Decrypt the age file INPUT ('-' for stdin), binary or armored, as ``age -d``."""
    identities: list[str | age.Identity] = []
    for path in identity_files:
        identities += age.parse_identities(_read_key_file(path, "identity"))
    passphrase = None
    if _passphrase_wanted(use_passphrase, passphrase_env, passphrase_file):
        passphrase = read_secret(
            "passphrase", env=passphrase_env, file=passphrase_file
        )
    elif not identities:
        msg = "give an identity file (-i) or a passphrase (-p)"
        raise InputError(msg)
    with (
        input_file(source) as (src, size),
        progress(size, "age decrypt") as advance,
        output_file(output, checked=True, force=force) as dst,
    ):
        age.decrypt(
            _Counting(src, advance),  # type: ignore[arg-type]  # age only calls read/readinto
            dst,
            identities,
            passphrase=passphrase,
            max_work_factor=max_work_factor,
        )


@click.command(name="age-keygen")
@click.option(
    "-o",
    "--output",
    default="-",
    metavar="OUTPUT",
    help="Identity file to create (mode 0600, never overwritten); "
    "'-' (default) for stdout.",
)
@click.option(
    "--pq",
    is_flag=True,
    help="A post-quantum ML-KEM-768+X25519 identity, as age-keygen -pq.",
)
def age_keygen(output: str, pq: bool) -> None:
    """Make an age identity, as ``age-keygen``; print its public key on stderr."""
    identity: age.X25519Identity | age.HybridIdentity = (
        age.generate_hybrid_identity()
        if pq
        else age.generate_x25519_identity()
    )
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    text = (
        f"# created: {now.replace('+00:00', 'Z')}\n"
        f"# public key: {identity.recipient}\n"
        f"{identity.to_text()}\n"
    )
    write_identity(output, text, str(identity.recipient))

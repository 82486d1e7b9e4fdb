"""Secrets and key-encryption keys from the command line, without click.

Environment variables, files, piped stdin or a no-echo prompt (which alone
loads click); never a command-line argument.
"""

from __future__ import annotations

import os
import re
import sys

from typing import Any

from dataprotect.cli._errors import InputError
from dataprotect.keys import KEK, PKCS11KEK, EnvKEK, Keyring, PassphraseKEK


__all__ = [
    "MAX_SECRET",
    "load_keyring",
    "make_kek",
    "pkcs11_pin",
    "read_secret",
]

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
    import click  # the prompt alone needs it

    answer: str = click.prompt(
        what.capitalize(),
        hide_input=True,
        confirmation_prompt=confirm,
        err=True,
    )
    return answer


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

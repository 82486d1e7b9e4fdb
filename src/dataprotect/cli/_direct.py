"""``dataprotect encrypt`` and ``decrypt`` without click.

A call to encrypt or decrypt one file is the command a script runs most,
and importing click costs more than the work on a small file.  So
:func:`run` reads the plain forms of these two commands itself: the
command name first, then FILE and the options of :data:`VALUED` (as
``--name VALUE`` or ``--name=VALUE``) and ``--force``, each at most once.
Anything else (``--help``, ``--``, a value that starts with ``-``, an
unknown or repeated option, a missing ``--keyring``) is left to the click
command, which gives the help and the usage errors.  Both call
:func:`encrypt_file` or :func:`decrypt_file` with the same values: a test
checks the grammar against click's parse of the same words.
"""

from __future__ import annotations

import os
import sys

from collections.abc import Callable, Iterator
from typing import Any

from dataprotect.cli._errors import error_line


__all__ = [
    "DEFAULTS",
    "FLAGS",
    "KEYRING_ENV",
    "VALUED",
    "decrypt_file",
    "encrypt_file",
    "parse",
    "run",
]

SUFFIX = ".dpenc"

#: Option -> parameter, for the options that take a value.
VALUED: dict[str, str] = {
    "-o": "output",
    "--output": "output",
    "--context": "context",
    "--keyring": "keyring_path",
    "--kek": "kek_spec",
    "--passphrase-env": "passphrase_env",
    "--passphrase-file": "passphrase_file",
}
#: Flag -> parameter.
FLAGS: dict[str, str] = {"--force": "force"}
#: The value of each parameter not given (``keyring_path`` comes from
#: :data:`KEYRING_ENV`).
DEFAULTS: dict[str, Any] = {
    "output": None,
    "force": False,
    "context": "",
    "kek_spec": "passphrase",
    "passphrase_env": None,
    "passphrase_file": None,
}
KEYRING_ENV = "DATAPROTECT_KEYRING"


def encrypt_file(file: str, output: str | None, **options: Any) -> None:
    """Encrypt FILE (``-``: stdin) into OUTPUT (default FILE.dpenc).

    *options* are the command's other parameters (see :func:`_pipe`).
    """
    target = output or ("-" if file == "-" else file + SUFFIX)
    _pipe("encrypt_stream", file, target, **options)


def decrypt_file(file: str, output: str | None, **options: Any) -> None:
    """Decrypt FILE (``-``: stdin) into OUTPUT (default FILE less .dpenc,
    else FILE.out); nothing is released unless all of it authenticates."""
    if not output:
        if file == "-":
            output = "-"
        elif file.endswith(SUFFIX):
            output = file[: -len(SUFFIX)]
        else:
            output = file + ".out"
    _pipe("decrypt_stream", file, output, **options)


def _pipe(
    method: str,
    file: str,
    target: str,
    *,
    force: bool,
    context: str,
    keyring_path: str,
    kek_spec: str,
    passphrase_env: str | None,
    passphrase_file: str | None,
) -> None:
    """Run the Encryptor's stream *method* from FILE into TARGET."""
    # Imported here, as the call is known to be ours: the other commands
    # need neither the keyring nor the cipher.
    from dataprotect.cli._files import input_file, output_file, progress
    from dataprotect.cli._secrets import load_keyring
    from dataprotect.encryption import Encryptor

    encryptor = Encryptor(
        load_keyring(
            keyring_path,
            spec=kek_spec,
            passphrase_env=passphrase_env,
            passphrase_file=passphrase_file,
        )
    )
    stream: Callable[..., int] = getattr(encryptor, method)
    checked = method == "decrypt_stream"
    label = "decrypting" if checked else "encrypting"
    with (
        input_file(file) as (src, size),
        output_file(
            target, force=force, checked=checked, binary=not checked
        ) as dst,
        progress(size, label) as advance,
    ):
        stream(src, dst, context=context.encode(), progress=advance)


#: Command name -> what it runs.
_COMMANDS: dict[str, Callable[..., None]] = {
    "encrypt": encrypt_file,
    "decrypt": decrypt_file,
}


def parse(
    args: list[str],
) -> tuple[Callable[..., None], dict[str, Any]] | None:
    """The command and its parameters for *args*, or ``None`` when *args*
    are not a plain call of encrypt or decrypt (click then reads them)."""
    if not args or args[0] not in _COMMANDS:
        return None
    params: dict[str, str | bool] = {}
    words = iter(args[1:])
    for word in words:
        item = _parameter(word, words)
        if item is None or item[0] in params:
            return None
        params[item[0]] = item[1]
    if "file" not in params:
        return None
    if "keyring_path" not in params:
        keyring = os.environ.get(KEYRING_ENV)
        if not keyring:  # click ignores an empty variable too
            return None
        params["keyring_path"] = keyring
    return _COMMANDS[args[0]], {**DEFAULTS, **params}


def _parameter(
    word: str, words: Iterator[str]
) -> tuple[str, str | bool] | None:
    """The parameter *word* gives (taking its value from *words* if it
    is an option's name), or ``None`` if click must judge it."""
    if word in FLAGS:
        return FLAGS[word], True
    option, equals, value = word.partition("=")
    if equals and option.startswith("--"):
        return (VALUED[option], value) if option in VALUED else None
    if word in VALUED:
        following = next(words, None)
        if following is None or following[:1] == "-" != following:
            return None  # a missing value, or one for click to judge
        return VALUED[word], following
    if word[:1] != "-" or word == "-":
        return "file", word
    return None


def run(args: list[str]) -> int | None:
    """Run *args* if they are a plain encrypt or decrypt (see
    :func:`parse`): the exit status; ``None`` if click must read them."""
    found = parse(args)
    if found is None:
        return None
    command, params = found
    try:
        command(**params)
    except (EOFError, KeyboardInterrupt):
        sys.stderr.write("\nAborted!\n")  # as click says it
        return 1
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback
        sys.stderr.write(f"Error: {error_line(exc)}\n")
        return 2
    return 0

"""The ``dataprotect`` command line (needs the ``cli`` extra).

Parsing and rendering only: every command calls the public library API.
"""

from __future__ import annotations

import os
import sys

from typing import NoReturn


__all__ = ["main"]


def main(argv: list[str] | None = None) -> NoReturn:
    """Run the ``dataprotect`` command.

    Exit codes: 0 ok, 1 a finding or failed check, 2 a usage or input
    error; 141 (as a Unix tool killed by SIGPIPE) when the reader of stdout
    has gone.

    Without *argv* (the console script) a plain ``encrypt`` or ``decrypt``
    ends the process as soon as its output is flushed, skipping the
    interpreter's teardown of its modules (a tenth of such a call): that
    call leaves no thread, ``atexit`` handler or open file behind.  With
    *argv* (tests, a program embedding the command) it always raises
    :class:`SystemExit`.
    """
    from dataprotect.cli._direct import run
    from dataprotect.cli._errors import closed_stdout

    if sys.stdout is None:  # the shell closed it (>&-)
        sys.stdout = closed_stdout()
    args = sys.argv[1:] if argv is None else argv
    code = run(args)  # a plain encrypt or decrypt needs no click
    if code is None:
        _end(_click_main(args))
    _end(code, at_once=argv is None)


def _end(code: str | int | None, *, at_once: bool = False) -> NoReturn:
    """Flush stdout and end with *code*: by :class:`SystemExit`, or with
    *at_once* (an int *code*) by ``os._exit``."""
    from dataprotect.cli._errors import quiet_exit

    # What is still buffered goes out now, not at the interpreter's exit,
    # where a reader that has gone (``| head``) would get a warning printed.
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        quiet_exit()
    if at_once and isinstance(code, int):
        sys.stderr.flush()
        os._exit(code)
    raise SystemExit(code)


def _click_main(args: list[str]) -> str | int | None:
    """Run *args* through the click command group: the exit status."""
    try:
        from dataprotect.cli._app import cli
    except ImportError:
        sys.stderr.write(
            "dataprotect: the command line needs its extra: "
            "pip install 'dataprotect[cli]'\n"
        )
        return 2
    try:
        cli.main(args=args, prog_name="dataprotect")
    except SystemExit as exc:
        return exc.code

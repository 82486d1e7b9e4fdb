"""The ``dataprotect`` command line (needs the ``cli`` extra).

Parsing and rendering only: every command calls the public library API.
"""

from __future__ import annotations

import sys


__all__ = ["main"]


def main(argv: list[str] | None = None) -> None:
    """Run the ``dataprotect`` command.

    Exit codes: 0 ok, 1 a finding or failed check, 2 a usage or input
    error; 141 (as a Unix tool killed by SIGPIPE) when the reader of stdout
    has gone.
    """
    from dataprotect.cli._direct import run
    from dataprotect.cli._errors import closed_stdout, quiet_exit

    if sys.stdout is None:  # the shell closed it (>&-)
        sys.stdout = closed_stdout()
    args = sys.argv[1:] if argv is None else argv
    code: str | int | None = run(
        args
    )  # a plain encrypt or decrypt needs no click
    if code is None:
        code = _click_main(args)
    # What is still buffered goes out now, not at the interpreter's exit,
    # where a reader that has gone (``| head``) would get a warning printed.
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        quiet_exit()
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

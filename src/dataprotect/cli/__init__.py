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
    try:
        from dataprotect.cli._app import cli
    except ImportError:
        sys.stderr.write(
            "dataprotect: the command line needs its extra: "
            "pip install 'dataprotect[cli]'\n"
        )
        raise SystemExit(2) from None
    from dataprotect.cli._app import closed_stdout, quiet_exit

    if sys.stdout is None:  # the shell closed it (>&-)
        sys.stdout = closed_stdout()
    code: str | int | None = 0
    try:
        cli.main(args=argv, prog_name="dataprotect")
    except SystemExit as exc:
        code = exc.code
    # What is still buffered goes out now, not at the interpreter's exit,
    # where a reader that has gone (``| head``) would get a warning printed.
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        quiet_exit()
    raise SystemExit(code)

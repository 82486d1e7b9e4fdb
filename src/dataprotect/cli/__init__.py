"""The ``dataprotect`` command line (needs the ``cli`` extra).

Parsing and rendering only: every command calls the public library API.
"""

from __future__ import annotations

import sys


__all__ = ["main"]


def main(argv: list[str] | None = None) -> None:
    """Run the ``dataprotect`` command.

    Exit codes: 0 ok, 1 a finding or failed check, 2 a usage or input error.
    """
    try:
        from dataprotect.cli._app import cli
    except ImportError:
        sys.stderr.write(
            "dataprotect: the command line needs its extra: "
            "pip install 'dataprotect[cli]'\n"
        )
        raise SystemExit(2) from None
    cli.main(args=argv, prog_name="dataprotect")

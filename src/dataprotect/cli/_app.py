"""The root command group: lazy subcommands and one-line errors."""

from __future__ import annotations

import importlib
import os

from typing import Any

import click

from dataprotect._redact import redact_location
from dataprotect.cli._common import InputError
from dataprotect.errors import DataProtectError


__all__ = ["cli"]

#: Subcommand name -> "module:attribute".  Loaded only when invoked, so a
#: missing optional dependency affects only its own command.
COMMANDS: dict[str, str] = {
    "demo": "dataprotect.cli._demo:demo",
    "keys": "dataprotect.cli._keys:keys",
    "encrypt": "dataprotect.cli._encrypt:encrypt",
    "decrypt": "dataprotect.cli._encrypt:decrypt",
    "pdf": "dataprotect.cli._pdf:pdf",
    "scan": "dataprotect.cli._scan:scan",
    "check-password": "dataprotect.cli._strength:check_password_command",
    "backup": "dataprotect.cli._backup:backup",
    "passwords": "dataprotect.cli._passwords:passwords",
    "tokens": "dataprotect.cli._passwords:tokens",
    "pseudonymise": "dataprotect.cli._pseudonymise:pseudonymise",
    "2fa": "dataprotect.cli._twofactor:twofactor",
}


class _Group(click.Group):
    """Loads subcommands lazily; turns library errors into one line."""

    def list_commands(self, ctx: click.Context) -> list[str]:  # noqa: ARG002 - click.Group's signature
        return sorted(COMMANDS)

    def get_command(
        self,
        ctx: click.Context,  # noqa: ARG002 - click.Group's signature
        cmd_name: str,
    ) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, _, attr = target.partition(":")
        command: click.Command = getattr(importlib.import_module(module), attr)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DataProtectError as exc:
            raise InputError(str(exc)) from None
        except ImportError as exc:
            msg = f"missing optional dependency: {exc.name or exc}"
            raise InputError(msg) from None
        except OSError as exc:
            name = f": {_shown_path(exc.filename)}" if exc.filename else ""
            msg = f"{exc.strerror}{name}"
            raise InputError(msg) from None


def _shown_path(filename: object) -> str:
    """*filename* for a message, credentials masked if it is a URL."""
    if isinstance(filename, (str, bytes, os.PathLike)):
        return redact_location(os.fsdecode(filename))
    return redact_location(str(filename))


@click.group(
    cls=_Group, context_settings={"help_option_names": ["-h", "--help"]}
)
def cli() -> None:
    """Data-protection tools: keys, encryption, and more."""

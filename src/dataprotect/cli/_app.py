"""The root command group: lazy subcommands and one-line errors."""

from __future__ import annotations

import importlib

from gettext import gettext
from typing import Any

import click

from dataprotect.cli._errors import error_line


__all__ = ["COMMANDS", "cli"]

#: Subcommand name -> ("module:attribute", summary).  A command is loaded
#: only when invoked, so a missing optional dependency affects only its
#: own command; ``--help`` lists the summaries (the first paragraph of
#: each command's help, kept equal by a test) and loads none.
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": (
        "dataprotect.cli._demo:demo",
        (
            "Tour every capability in a temporary directory, or (--serve) show "
            "the password-feedback page in a browser."
        ),
    ),
    "disclosure": (
        "dataprotect.cli._disclosure:disclosure",
        "Responsible disclosure: security.txt (RFC 9116).",
    ),
    "keys": (
        "dataprotect.cli._keys:keys",
        "Make and manage keyrings.",
    ),
    "encrypt": (
        "dataprotect.cli._encrypt:encrypt",
        "Encrypt FILE ('-' for stdin) with the keyring's primary key.",
    ),
    "decrypt": (
        "dataprotect.cli._encrypt:decrypt",
        (
            "Decrypt FILE ('-' for stdin); nothing is released unless all of it "
            "authenticates."
        ),
    ),
    "db": (
        "dataprotect.cli._db:db",
        "Encrypted database columns.",
    ),
    "pdf": (
        "dataprotect.cli._pdf:pdf",
        "Render, sign and verify PDF documents (PAdES).",
    ),
    "scan": (
        "dataprotect.cli._scan:scan",
        "Scan code for secrets, and servers for weak TLS or SSH settings.",
    ),
    "check-password": (
        "dataprotect.cli._strength:check_password_command",
        "Check a password against NIST SP 800-63B and rate its strength.",
    ),
    "backup": (
        "dataprotect.cli._backup:backup",
        "Encrypted backups: keys, create, restore, verify, list, prune; age files.",
    ),
    "passwords": (
        "dataprotect.cli._passwords:passwords",
        "Hash and verify passwords (argon2id).",
    ),
    "tokens": (
        "dataprotect.cli._passwords:tokens",
        "Make and check prefixed access tokens.",
    ),
    "pseudonymise": (
        "dataprotect.cli._pseudonymise:pseudonymise",
        "Copy a log (INPUT or stdin) with personal data pseudonymised.",
    ),
    "2fa": (
        "dataprotect.cli._twofactor:twofactor",
        "Two-factor authentication: enrol and check TOTP codes.",
    ),
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
        if cmd_name not in COMMANDS:
            return None
        module, _, attr = COMMANDS[cmd_name][0].partition(":")
        command: click.Command = getattr(importlib.import_module(module), attr)
        return command

    def format_commands(
        self,
        ctx: click.Context,  # noqa: ARG002 - click.Group's signature
        formatter: click.HelpFormatter,
    ) -> None:
        """The commands section of ``--help``, as click writes it, from the
        summaries: listing the commands imports none of them."""
        rows = [
            (name, click.Command(name, help=summary))
            for name, (_, summary) in sorted(COMMANDS.items())
        ]
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        with formatter.section(gettext("Commands")):
            formatter.write_dl(
                [(name, cmd.get_short_help_str(limit)) for name, cmd in rows]
            )

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            raise _one_line(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise _one_line(exc) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:  # noqa: BLE001 - the last resort: one line, never a traceback
            raise _Shown(error_line(exc)) from None


class _Shown(click.ClickException):
    """An error as click shows it: ``Error: `` and one line, exit 2."""

    exit_code = 2


def _one_line(exc: click.UsageError) -> _Shown:
    """A usage error as one line, as every other error; the usage itself
    is one ``--help`` away."""
    where = exc.ctx.command_path if exc.ctx is not None else "dataprotect"
    message = exc.format_message().rstrip(".")
    return _Shown(f"{message} (see '{where} --help')")


@click.group(
    cls=_Group, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.version_option(package_name="dataprotect", prog_name="dataprotect")
def cli() -> None:
    """Data-protection tools: keys, encryption, and more."""

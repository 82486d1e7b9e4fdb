"""Database backups on the command line: the ``--from-*`` sources of
``backup create`` and ``backup rehearse --into-postgres``."""

from __future__ import annotations

import contextlib

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from dataprotect.backup import (
    DumpSource,
    RehearsalCheck,
    VerifyKey,
    rehearse_postgres,
)
from dataprotect.cli._errors import InputError
from dataprotect.cli._files import input_file, progress
from dataprotect.cli._secrets import read_secret


__all__ = [
    "open_source",
    "rehearse_options",
    "run_rehearsal",
    "source_options",
]


def source_options(func: Any) -> Any:
    """Add ``--from-postgres``, ``--from-sqlite``, ``--from-command``,
    ``--pg-bindir`` and ``--no-digest`` to ``backup create``."""
    options = [
        click.option(
            "--from-postgres",
            metavar="URL",
            help="Back up a PostgreSQL database (pg_dump --format=custom); "
            "the password from ~/.pgpass or PGPASSWORD, never the URL.",
        ),
        click.option(
            "--from-sqlite",
            metavar="PATH",
            help="Back up a SQLite database (online backup API).",
        ),
        click.option(
            "--from-command",
            metavar="CMD",
            help="Back up CMD's standard output (split as a shell would; "
            "no shell runs).",
        ),
        click.option(
            "--pg-bindir",
            metavar="DIR",
            help="Directory of pg_dump/pg_restore/psql (default: the newest "
            "/usr/lib/postgresql/*/bin, else PATH).",
        ),
        click.option(
            "--no-digest",
            is_flag=True,
            help="Record no SHA-256 of the data (faster; format version 2).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _check_postgres_url(url: str) -> None:
    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    if password is not None:
        msg = (
            "do not put the database password in the URL (it lands in shell "
            "history): use ~/.pgpass or PGPASSWORD"
        )
        raise InputError(msg)


@contextlib.contextmanager
def open_source(
    source: str | None,
    postgres: str | None,
    sqlite: str | None,
    command: str | None,
    pg_bindir: str | None,
) -> Iterator[tuple[Any, str | None, Callable[[int], None]]]:
    """Yield (stream, default label, progress callback) for exactly one of
    SOURCE, ``--from-postgres``, ``--from-sqlite``, ``--from-command``."""
    given = [x for x in (source, postgres, sqlite, command) if x is not None]
    if len(given) != 1:
        msg = "give exactly one of SOURCE, --from-postgres, --from-sqlite or --from-command"
        raise InputError(msg)
    if source is not None:
        with (
            input_file(source) as (src, size),
            progress(size, "backup") as advance,
        ):
            yield src, None if source == "-" else source, advance
        return
    if postgres is not None:
        _check_postgres_url(postgres)
        dump = DumpSource.postgres(postgres, pg_bindir=pg_bindir)
    elif sqlite is not None:
        dump = DumpSource.sqlite(sqlite)
    else:
        assert command is not None  # noqa: S101 - exactly one source, checked above
        dump = DumpSource.command(command)
    with dump, progress(None, "backup") as advance:
        yield dump, dump.label, advance


def _signer(
    p12: str | None,
    key: str | None,
    cert: str | None,
    secret_env: str | None,
    secret_file: str | None,
) -> Any:
    """The report signer from ``--report-p12`` or ``--report-key/-cert``."""
    if p12 is None and key is None:
        return None
    from dataprotect.documents import Signer

    if p12 is not None:
        secret = read_secret(
            "PKCS#12 passphrase", env=secret_env, file=secret_file
        )
        return Signer.from_pkcs12(p12, secret)
    if cert is None:
        msg = "--report-key needs --report-cert"
        raise InputError(msg)
    return Signer.from_pem(Path(key or ""), Path(cert))


def rehearse_options(func: Any) -> Any:
    """Add the options of ``backup rehearse``."""
    options = [
        click.option(
            "--into-postgres",
            "server",
            required=True,
            metavar="URL",
            help="Server to restore into: a throw-away database is created there "
            "and dropped (the role needs CREATEDB; password from ~/.pgpass or "
            "PGPASSWORD).",
        ),
        click.option(
            "--check",
            "checks",
            multiple=True,
            metavar="SQL",
            help="A query that must return true (repeatable), e.g. "
            "'SELECT count(*) >= 1000 FROM orders'.",
        ),
        click.option(
            "--check-value",
            "value_checks",
            multiple=True,
            nargs=2,
            metavar="SQL VALUE",
            help="A query whose first value must equal VALUE (a canary row).",
        ),
        click.option("--name", help="Only this series."),
        click.option(
            "--pg-bindir", metavar="DIR", help="Directory of pg_restore/psql."
        ),
        click.option(
            "--report-dir",
            metavar="DIR",
            help="Write rehearsal-<UTC time>.json (and .pdf when signed) here.",
        ),
        click.option(
            "--report-p12",
            metavar="PATH",
            help="Sign the PDF report (PKCS#12).",
        ),
        click.option(
            "--report-key",
            metavar="PEM",
            help="Sign the PDF report with this key.",
        ),
        click.option(
            "--report-cert",
            metavar="PEM",
            help="The --report-key's certificate.",
        ),
        click.option(
            "--report-secret-env",
            metavar="VAR",
            help="Read the PKCS#12 passphrase from VAR.",
        ),
        click.option(
            "--report-secret-file",
            metavar="PATH",
            help="Read the PKCS#12 passphrase from PATH.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def run_rehearsal(
    ctx: click.Context,
    dest: str,
    identities: list[Any],
    signers: list[VerifyKey] | None,
    storage: dict[str, Any],
    *,
    server: str,
    checks: tuple[str, ...],
    value_checks: tuple[tuple[str, str], ...],
    name: str | None,
    pg_bindir: str | None,
    report_dir: str | None,
    report_p12: str | None,
    report_key: str | None,
    report_cert: str | None,
    report_secret_env: str | None,
    report_secret_file: str | None,
) -> None:
    """Restore the newest backup at DESTINATION into a throw-away
    PostgreSQL database, run the checks, drop it; exit 1 unless restored
    and every check passed."""
    _check_postgres_url(server)
    signer = _signer(
        report_p12,
        report_key,
        report_cert,
        report_secret_env,
        report_secret_file,
    )
    wanted = [RehearsalCheck(q) for q in checks] + [
        RehearsalCheck(q, v) for q, v in value_checks
    ]
    with progress(None, "restore") as advance:
        report = rehearse_postgres(
            dest,
            identities,
            server=server,
            checks=wanted,
            name=name,
            signers=signers,
            pg_bindir=pg_bindir,
            progress=advance,
            storage_options=storage,
        )
    if report.restored:
        click.echo(
            f"restored  {report.backup}  {report.size:,} bytes in "
            f"{report.restore_seconds:.1f}s into {report.database} (dropped)"
        )
    else:
        click.echo(f"FAILED    {report.backup or dest}  {report.reason}")
    for result in report.checks:
        got = result.value if result.error is None else result.error
        click.echo(
            f"{'pass' if result.passed else 'FAIL':<8}  "
            f"{result.check.name or result.check.query}  ({got})"
        )
    if report_dir is not None:
        for path in report.write(report_dir, signer=signer):
            click.echo(f"report    {path}", err=True)
    if not report.ok:
        ctx.exit(1)

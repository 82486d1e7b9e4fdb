"""``dataprotect disclosure``: write and check RFC 9116 security.txt."""

from __future__ import annotations

import dataclasses
import json
import sys

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import click

from dataprotect.cli._common import force_option
from dataprotect.cli._errors import InputError
from dataprotect.cli._files import output_file


__all__ = ["disclosure"]


@click.group()
def disclosure() -> None:
    """Responsible disclosure: security.txt (RFC 9116)."""


def _expires(expires: str | None, days: int) -> datetime:
    if expires is None:
        now = datetime.now(timezone.utc).replace(microsecond=0)
        return now + timedelta(days=days)
    from dataprotect.disclosure._parse import parse_expires

    when = parse_expires(expires)
    if when is None:
        msg = "--expires must be an RFC 3339 date-time, e.g. 2030-01-31T00:00:00Z"
        raise InputError(msg)
    return when


def _many(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v]


@disclosure.command("render")
@click.option(
    "--contact",
    multiple=True,
    required=True,
    help="mailto:, tel: or https:// URI (repeat, most preferred first).",
)
@click.option("--expires", help="RFC 3339 date-time the file goes stale.")
@click.option(
    "--expires-in",
    "expires_in",
    type=click.IntRange(1, 365),
    default=180,
    show_default=True,
    help="Days until the file goes stale (without --expires).",
)
@click.option("--encryption", multiple=True, help="Where the key is (URI).")
@click.option("--acknowledgments", multiple=True, help="Thanks page (URI).")
@click.option(
    "--preferred-languages", multiple=True, help="Language tags (en,nl)."
)
@click.option("--canonical", multiple=True, help="This file's own URI.")
@click.option("--policy", multiple=True, help="Disclosure policy (URI).")
@click.option("--hiring", multiple=True, help="Security jobs (URI).")
@click.option("--csaf", multiple=True, help="CSAF provider metadata (URI).")
@click.option("--comment", help="Comment lines at the top.")
@click.option("--crlf", is_flag=True, help="End lines with CRLF.")
@click.option("--sign-key", help="Sign with this gpg key (id or user id).")
@click.option(
    "--gnupghome", type=click.Path(file_okay=False), help="GnuPG home."
)
@click.option(
    "--passphrase-file",
    type=click.Path(dir_okay=False),
    help="The signing key's passphrase, read from a file.",
)
@click.option("-o", "--output", default="-", help="Write to a file.")
@force_option
def render_command(
    contact: tuple[str, ...],
    expires: str | None,
    expires_in: int,
    encryption: tuple[str, ...],
    acknowledgments: tuple[str, ...],
    preferred_languages: tuple[str, ...],
    canonical: tuple[str, ...],
    policy: tuple[str, ...],
    hiring: tuple[str, ...],
    csaf: tuple[str, ...],
    comment: str | None,
    crlf: bool,
    sign_key: str | None,
    gnupghome: str | None,
    passphrase_file: str | None,
    output: str,
    force: bool,
) -> None:
    """Write a security.txt file (stdout by default)."""
    from dataprotect.disclosure import SecurityTxt, sign_security_txt

    txt = SecurityTxt(
        contact=list(contact),
        expires=_expires(expires, expires_in),
        encryption=list(encryption),
        acknowledgments=list(acknowledgments),
        preferred_languages=_many(preferred_languages),
        canonical=list(canonical),
        policy=list(policy),
        hiring=list(hiring),
        csaf=list(csaf),
        comment=comment,
    )
    text = txt.render(line_ending="\r\n" if crlf else "\n")
    if sign_key is not None:
        text = sign_security_txt(
            text,
            key=sign_key,
            gnupghome=gnupghome,
            passphrase_file=passphrase_file,
        )
    with output_file(output, force=force, mode=0o644) as fh:
        fh.write(text.encode())


def _as_json(report: Any) -> str:
    doc = dataclasses.asdict(report)
    doc["ok"] = report.ok
    return json.dumps(doc, indent=2, default=str)


@disclosure.command("check")
@click.argument("target")
@click.option(
    "--cafile",
    type=click.Path(exists=True, dir_okay=False),
    help="PEM trust roots for the HTTPS check.",
)
@click.option("--timeout", type=float, default=10.0, show_default=True)
@click.option(
    "--expiry-warning-days",
    type=click.IntRange(0, 3650),
    default=30,
    show_default=True,
    help="Warn when the file expires within this many days.",
)
@click.option(
    "--url", help="For a local file: the URL it is served from (Canonical)."
)
@click.option(
    "--verify-signature", is_flag=True, help="Check the signature with gpg."
)
@click.option(
    "--gnupghome", type=click.Path(file_okay=False), help="GnuPG home."
)
@click.option(
    "--strict", is_flag=True, help="Fail on warnings (SHOULDs) as well."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
def check_command(
    target: str,
    cafile: str | None,
    timeout: float,
    expiry_warning_days: int,
    url: str | None,
    verify_signature: bool,
    gnupghome: str | None,
    strict: bool,
    fmt: str,
) -> None:
    """Check TARGET: an https:// URL (a live site) or a file (- for stdin).

    Exit status 1 when the file breaks a rule of RFC 9116 or cannot be
    fetched (with --strict: also on warnings).
    """
    from dataprotect.disclosure import check_security_txt, parse_security_txt

    if "://" in target:
        report = check_security_txt(
            target,
            cafile=cafile,
            timeout=timeout,
            expiry_warning_days=expiry_warning_days,
            verify_signature=verify_signature,
            gnupghome=gnupghome,
        )
    else:
        data = (
            sys.stdin.buffer.read()
            if target == "-"
            else Path(target).read_bytes()
        )
        report = parse_security_txt(
            data,
            url=url,
            expiry_warning_days=expiry_warning_days,
            verify_signature=verify_signature,
            gnupghome=gnupghome,
        )
    failed = not report.ok or (strict and bool(report.warnings))
    if fmt == "json":
        click.echo(_as_json(report))
    else:
        where = report.url or target
        click.echo(f"{where}: {'FAIL' if failed else 'ok'}")
        if report.expires is not None:
            click.echo(f"  expires: {report.expires.isoformat()}")
        if report.signed:
            state = {True: "valid", False: "NOT valid", None: "not checked"}
            click.echo(f"  signature: {state[report.signature_valid]}")
        for violation in report.violations:
            click.echo(f"  {violation}")
    if failed:
        raise SystemExit(1)

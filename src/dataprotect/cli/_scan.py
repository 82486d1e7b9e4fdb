"""``dataprotect scan``: secrets in code, TLS and SSH configuration."""

from __future__ import annotations

import sys

from pathlib import Path
from typing import Any

import click

from dataprotect.cli._common import force_option
from dataprotect.cli._errors import InputError
from dataprotect.cli._files import output_file, progress
from dataprotect.cli._scan_more import (
    all_command,
    code_command,
    deps_command,
    incomplete,
)


__all__ = ["demo_step", "scan"]

_timeout_option = click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True, max=3600),
    default=5.0,
    show_default=True,
    help="Seconds to wait for each connection and answer.",
)

#: Standard input larger than this is refused (the file size limit).
_MAX_STDIN = 32 * 1024 * 1024


@click.group()
def scan() -> None:
    """Scan code for secrets, and servers for weak TLS or SSH settings."""


for _command in (deps_command, code_command, all_command):
    scan.add_command(_command)


def _write(text: str, output: str, *, force: bool) -> None:
    if output == "-":
        click.echo(text)
        return
    with output_file(output, force=force, mode=0o644) as fh:
        fh.write(text.encode() + b"\n")


def _check_inputs(paths: list[str]) -> None:
    """Refuse what cannot be scanned before scanning: a scan that could
    not read its input must not pass."""
    if paths.count("-") > 1:
        msg = "'-' (stdin) can be given once"
        raise InputError(msg)
    for path in paths:
        if path != "-":
            Path(path).stat()  # missing or unreachable: one line, exit 2


def _stdin_text() -> bytes:
    if sys.stdin is None:
        msg = "stdin is closed"
        raise InputError(msg)
    data: bytes = sys.stdin.buffer.read(_MAX_STDIN + 1)
    if len(data) > _MAX_STDIN:
        msg = "stdin is larger than the 32 MiB size limit"
        raise InputError(msg)
    return data


@scan.command("secrets")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sarif"]),
    default="text",
    show_default=True,
)
@click.option(
    "-o", "--output", default="-", help="Write the report to a file."
)
@force_option
@click.option(
    "--rules", "rules_files", multiple=True, help="Extra rules (TOML)."
)
@click.option(
    "--allowlist",
    type=click.Path(path_type=str),
    help="Allowlist file (default: .dataprotect-allowlist if present).",
)
@click.option(
    "--baseline", type=click.Path(path_type=str), help="Accepted findings."
)
@click.option(
    "--update-baseline", is_flag=True, help="Write all findings to --baseline."
)
@click.option("--history", is_flag=True, help="Also scan the git history.")
@click.option(
    "-j", "--jobs", type=click.IntRange(1, 256), help="Worker processes."
)
def secrets_command(
    paths: tuple[str, ...],
    fmt: str,
    output: str,
    force: bool,
    rules_files: tuple[str, ...],
    allowlist: str | None,
    baseline: str | None,
    update_baseline: bool,
    history: bool,
    jobs: int | None,
) -> None:
    """Find committed credentials in PATHS (default: the current directory;
    '-' reads stdin).

    Exit status 1 when a finding is not in the baseline; 2 when a path is
    missing, or a file could not be scanned (unreadable, over the size
    limit: the scan goes on and names it).
    """
    from dataprotect.scan.secrets import (
        Allowlist,
        Baseline,
        load_rules,
        scan_paths,
        scan_text,
    )

    if update_baseline and not baseline:
        msg = "--update-baseline needs --baseline FILE"
        raise InputError(msg)
    targets = list(paths) or ["."]
    _check_inputs(targets)
    rules = load_rules(list(rules_files))
    if allowlist is None and Path(".dataprotect-allowlist").is_file():
        allowlist = ".dataprotect-allowlist"
    allow = Allowlist.load(allowlist) if allowlist else None
    notes: list[tuple[str, str]] = []
    findings = []
    if "-" in targets:
        targets.remove("-")
        findings = [
            f
            for f in scan_text(_stdin_text(), filename="-", rules=rules)
            if allow is None or not allow.allows(f)
        ]
    with progress(None, "scanning") as advance:
        findings += scan_paths(
            targets,
            rules=rules,
            allowlist=allow,
            history=history,
            jobs=jobs,
            notes=notes,
            progress=advance,
        )
    for path, reason in notes:
        click.echo(f"note: skipped {path}: {reason}", err=True)
    if update_baseline:
        assert baseline is not None  # noqa: S101 - narrowing for mypy; checked on entry
        incomplete(len(notes))
        Baseline.save(baseline, findings)
        click.echo(
            f"baseline: {len(findings)} finding(s) written to {baseline}",
            err=True,
        )
        return
    known = Baseline.load(baseline) if baseline else Baseline()
    new = [f for f in findings if f not in known]
    _report(new, len(findings) - len(new), rules, fmt, output, force=force)
    if new:
        raise SystemExit(1)
    incomplete(len(notes))


def _report(
    new: list[Any],
    old: int,
    rules: list[Any],
    fmt: str,
    output: str,
    *,
    force: bool,
) -> None:
    """Write the *new* findings in *fmt*; a summary line on stderr."""
    from dataprotect.scan.secrets import to_json, to_sarif

    if fmt == "json":
        _write(to_json(new), output, force=force)
    elif fmt == "sarif":
        _write(to_sarif(new, rules), output, force=force)
    else:
        if new:
            _write("\n".join(str(f) for f in new), output, force=force)
        tail = f" ({old} in the baseline)" if old else ""
        click.echo(f"{len(new)} new finding(s){tail}", err=True)


def _host_port(target: str, default: int) -> tuple[str, int]:
    host, sep, port = target.rpartition(":")
    if not sep:
        host, port = target, str(default)
    host = host.strip("[]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        msg = "target must be HOST or HOST:PORT (port 1-65535)"
        raise InputError(msg)
    return host, int(port)


def _fake_token(prefix: str) -> str:
    """A random, never-issued token in the GitHub/npm/dataprotect shape."""
    from dataprotect.tokens import generate_token

    return generate_token(prefix)


def demo_step(workdir: Path) -> None:
    """Scan a small generated tree and print what is found."""
    from dataprotect.scan.secrets import scan_paths

    tree = workdir / "scan-demo"
    (tree / "app").mkdir(parents=True)
    (tree / "app" / "settings.py").write_text(
        f'GITHUB_TOKEN = "{_fake_token("ghp")}"\n'
        'AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"  # the documented example\n'
        'DB_PASSWORD = os.environ["DB_PASSWORD"]\n',
        encoding="utf-8",
    )
    (tree / "deploy.env").write_text(
        f"NPM_TOKEN={_fake_token('npm')}\n"
        "DATABASE_URL=postgresql://app:Wq7-d3mo-9xPz@db.internal/app\n",  # dataprotect: allow-secret
        encoding="utf-8",
    )
    (tree / ".gitignore").write_text("ignored/\n", encoding="utf-8")
    (tree / "ignored").mkdir()
    (tree / "ignored" / "x.env").write_text(
        f"TOKEN={_fake_token('ghp')}\n", encoding="utf-8"
    )
    findings = list(scan_paths([tree], jobs=1))
    for f in findings:
        rel = Path(f.path or "").relative_to(tree)
        click.echo(f"  {rel}:{f.line}: {f.kind} {f.preview}")
    click.echo(
        f"  {len(findings)} findings; the AWS example key, the environment "
        "reference and the .gitignore'd file were not reported"
    )


@scan.command("tls")
@click.argument("target")
@click.option(
    "--server-name", help="SNI and certificate name (default: HOST)."
)
@click.option(
    "--ca-file",
    type=click.Path(exists=True, dir_okay=False),
    help="PEM trust roots.",
)
@click.option(
    "--profile",
    type=click.Choice(["intermediate", "modern"]),
    default="intermediate",
    show_default=True,
)
@_timeout_option
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text"
)
def tls_command(
    target: str,
    server_name: str | None,
    ca_file: str | None,
    profile: str,
    timeout: float,
    fmt: str,
) -> None:
    """Check the TLS configuration of TARGET (HOST:PORT, default port 443).

    Exit status 1 when an issue of medium severity or worse is found, or
    the server could not be checked completely (refused, timed out, reset,
    not TLS, past the deadline of twelve times --timeout).
    """
    import dataclasses
    import json

    from dataprotect._grading import printable
    from dataprotect.tls import check_tls

    host, port = _host_port(target, 443)
    report = check_tls(
        host,
        port,
        server_name=server_name,
        ca_file=ca_file,
        profile=profile,
        timeout=timeout,
    )
    if fmt == "json":
        click.echo(
            json.dumps(dataclasses.asdict(report), indent=2, default=str)
        )
    else:
        # the server's text, once more without escape sequences
        lines = [
            f"{host}:{port} (server name {report.server_name}, profile {profile})"
        ]
        for version, accepted in report.protocols.items():
            suites = ", ".join(report.ciphers.get(version, []))
            lines.append(
                f"  {version}: {'accepted' if accepted else 'refused'}  {suites}"
            )
        cert = report.certificate
        if cert is not None:
            lines.append(
                f"  certificate: {cert.subject}, {cert.key_type} {cert.key_size}, "
                f"{cert.signature_algorithm}, expires in {cert.days_to_expiry} days, "
                f"chain {'valid' if report.chain_valid else 'NOT valid'}"
            )
        lines += [f"  note: {note}" for note in report.notes]
        lines += [f"  {issue}" for issue in report.issues]
        for line in lines:
            click.echo(printable(line))
    if not report.ok:
        raise SystemExit(1)


@scan.command("ssh")
@click.argument("target")
@_timeout_option
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text"
)
def ssh_command(target: str, timeout: float, fmt: str) -> None:
    """Check the algorithms an SSH server offers at TARGET (HOST:PORT, default port 22).

    No login is attempted; the check ends after three times --timeout at
    the latest.  Exit status 1 when an issue of medium severity or worse
    is found, or the server's KEXINIT could not be read.
    """
    import dataclasses
    import json

    from dataprotect._grading import printable
    from dataprotect.scan.ssh import check_ssh

    host, port = _host_port(target, 22)
    report = check_ssh(host, port, timeout=timeout)
    if fmt == "json":
        click.echo(json.dumps(dataclasses.asdict(report), indent=2))
    else:
        # the server's text, once more without escape sequences
        lines = [f"{host}:{port} {report.banner or ''}"]
        for label, algs in (
            ("kex", report.kex),
            ("host keys", report.host_key),
            ("ciphers", report.ciphers),
            ("MACs", report.macs),
            ("compression", report.compression),
        ):
            if algs:
                lines.append(f"  {label}: {', '.join(algs)}")
        lines += [f"  note: {note}" for note in report.notes]
        lines += [f"  {issue}" for issue in report.issues]
        for line in lines:
            click.echo(printable(line))
    if not report.ok:
        raise SystemExit(1)

"""``dataprotect scan``: secrets in code, TLS and SSH configuration."""

from __future__ import annotations

from pathlib import Path

import click

from dataprotect.cli._common import InputError, progress
from dataprotect.cli._scan_more import all_command, code_command, deps_command


__all__ = ["demo_step", "scan"]


@click.group()
def scan() -> None:
    """Scan code for secrets, and servers for weak TLS or SSH settings."""


for _command in (deps_command, code_command, all_command):
    scan.add_command(_command)


def _write(text: str, output: str) -> None:
    if output == "-":
        click.echo(text)
        return
    from dataprotect._atomic import atomic_write

    with atomic_write(output, mode=0o644) as fh:
        fh.write(text.encode() + b"\n")


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
    rules_files: tuple[str, ...],
    allowlist: str | None,
    baseline: str | None,
    update_baseline: bool,
    history: bool,
    jobs: int | None,
) -> None:
    """Find committed credentials in PATHS (default: the current directory).

    Exit status 1 when a finding is not in the baseline.
    """
    from dataprotect.scan.secrets import (
        Allowlist,
        Baseline,
        load_rules,
        scan_paths,
        to_json,
        to_sarif,
    )

    if update_baseline and not baseline:
        msg = "--update-baseline needs --baseline FILE"
        raise InputError(msg)
    rules = load_rules(list(rules_files))
    if allowlist is None and Path(".dataprotect-allowlist").is_file():
        allowlist = ".dataprotect-allowlist"
    allow = Allowlist.load(allowlist) if allowlist else None
    notes: list[tuple[str, str]] = []
    with progress(None, "scanning") as advance:
        findings = list(
            scan_paths(
                list(paths) or ["."],
                rules=rules,
                allowlist=allow,
                history=history,
                jobs=jobs,
                notes=notes,
                progress=advance,
            )
        )
    if update_baseline:
        assert baseline is not None  # noqa: S101 - narrowing for mypy; checked on entry
        Baseline.save(baseline, findings)
        click.echo(
            f"baseline: {len(findings)} finding(s) written to {baseline}",
            err=True,
        )
        return
    known = Baseline.load(baseline) if baseline else Baseline()
    new = [f for f in findings if f not in known]
    for path, reason in notes:
        click.echo(f"note: skipped {path}: {reason}", err=True)
    if fmt == "json":
        _write(to_json(new), output)
    elif fmt == "sarif":
        _write(to_sarif(new, rules), output)
    else:
        if new:
            _write("\n".join(str(f) for f in new), output)
        old = len(findings) - len(new)
        tail = f" ({old} in the baseline)" if old else ""
        click.echo(f"{len(new)} new finding(s){tail}", err=True)
    if new:
        raise SystemExit(1)


def _host_port(target: str, default: int) -> tuple[str, int]:
    host, sep, port = target.rpartition(":")
    if not sep:
        return target, default
    host = host.strip("[]")
    try:
        return host, int(port)
    except ValueError:
        msg = "target must be HOST or HOST:PORT"
        raise InputError(msg) from None


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
@click.option("--timeout", type=float, default=5.0, show_default=True)
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
    no TLS handshake is possible.
    """
    import dataclasses
    import json

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
        click.echo(
            f"{host}:{port} (server name {report.server_name}, profile {profile})"
        )
        for version, accepted in report.protocols.items():
            suites = ", ".join(report.ciphers.get(version, []))
            click.echo(
                f"  {version}: {'accepted' if accepted else 'refused'}  {suites}"
            )
        cert = report.certificate
        if cert is not None:
            click.echo(
                f"  certificate: {cert.subject}, {cert.key_type} {cert.key_size}, "
                f"{cert.signature_algorithm}, expires in {cert.days_to_expiry} days, "
                f"chain {'valid' if report.chain_valid else 'NOT valid'}"
            )
        for note in report.notes:
            click.echo(f"  note: {note}")
        for issue in report.issues:
            click.echo(f"  {issue}")
    if not report.ok or not any(report.protocols.values()):
        raise SystemExit(1)


@scan.command("ssh")
@click.argument("target")
@click.option("--timeout", type=float, default=5.0, show_default=True)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text"
)
def ssh_command(target: str, timeout: float, fmt: str) -> None:
    """Check the algorithms an SSH server offers at TARGET (HOST:PORT, default port 22).

    No login is attempted.  Exit status 1 when an issue of medium severity
    or worse is found, or the server's KEXINIT could not be read.
    """
    import dataclasses
    import json

    from dataprotect.scan.ssh import check_ssh

    host, port = _host_port(target, 22)
    report = check_ssh(host, port, timeout=timeout)
    if fmt == "json":
        click.echo(json.dumps(dataclasses.asdict(report), indent=2))
    else:
        click.echo(f"{host}:{port} {report.banner or ''}")
        for label, algs in (
            ("kex", report.kex),
            ("host keys", report.host_key),
            ("ciphers", report.ciphers),
            ("MACs", report.macs),
            ("compression", report.compression),
        ):
            if algs:
                click.echo(f"  {label}: {', '.join(algs)}")
        for note in report.notes:
            click.echo(f"  note: {note}")
        for issue in report.issues:
            click.echo(f"  {issue}")
    if not report.ok:
        raise SystemExit(1)

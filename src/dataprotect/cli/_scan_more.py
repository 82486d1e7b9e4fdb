"""``dataprotect scan deps|code|all``: vulnerable dependencies (pip-audit),
insecure code (bandit), and all scanners merged into one report."""

from __future__ import annotations

import contextlib
import json
import sys

from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from dataprotect.cli._errors import InputError
from dataprotect.cli._files import progress


__all__ = ["all_command", "code_command", "deps_command"]

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_IGNORE = ".dataprotect-ignore.toml"
LOCK_NAMES = ("uv.lock", "poetry.lock", "pylock.toml")


def _remember_force(
    ctx: click.Context, _: click.Parameter, value: bool
) -> None:
    ctx.meta["dataprotect.force"] = value


def _report_options(func: F) -> F:
    options = [
        click.option(
            "--format",
            "fmt",
            type=click.Choice(["text", "json", "sarif"]),
            default="text",
            show_default=True,
        ),
        click.option(
            "-o", "--output", default="-", help="Write the report to a file."
        ),
        click.option(
            "--force",
            is_flag=True,
            expose_value=False,
            callback=_remember_force,
            help="Overwrite an existing output file.",
        ),
        click.option(
            "--ignore",
            "ignore_file",
            type=click.Path(dir_okay=False),
            help=f"Ignore file: id, reason, expiry (default: {DEFAULT_IGNORE} if present).",
        ),
        click.option(
            "--baseline",
            type=click.Path(dir_okay=False),
            help="Accepted findings (JSON).",
        ),
        click.option(
            "--update-baseline",
            is_flag=True,
            help="Write all findings to --baseline.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _deps_options(func: F) -> F:
    options = [
        click.option(
            "-r",
            "--requirement",
            "requirements",
            multiple=True,
            type=click.Path(dir_okay=False),
            help="A pinned requirements file (repeatable).",
        ),
        click.option(
            "-l",
            "--lock",
            "locks",
            multiple=True,
            type=click.Path(dir_okay=False),
            help="uv.lock, poetry.lock or pylock.toml (repeatable).",
        ),
        click.option(
            "--env", "env", is_flag=True, help="Audit the running environment."
        ),
        click.option(
            "--site-packages",
            multiple=True,
            type=click.Path(file_okay=False),
            help="Audit another environment's site-packages (repeatable).",
        ),
        click.option(
            "--osv-db",
            type=click.Path(),
            help="Offline OSV database: a directory of OSV JSON files or a zip export.",
        ),
        click.option(
            "--timeout",
            type=click.IntRange(1, 600),
            default=15,
            show_default=True,
            help="Seconds per online query.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@contextlib.contextmanager
def _counter(label: str) -> Iterator[Callable[[int], None]]:
    """A count of items on a terminal; silent in a pipe."""
    if not sys.stderr.isatty():
        yield lambda _n: None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn

    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}: {task.completed} packages"),
    )
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task(label, total=None)
        yield lambda n: bar.advance(task, n)


def _write(text: str, output: str) -> None:
    """As ``scan secrets`` writes its report (imported late: that module
    registers these commands)."""
    from dataprotect.cli._scan import _write as write

    force = click.get_current_context().meta.get("dataprotect.force", False)
    write(text, output, force=force)


def _triage(
    findings: list[Any],
    ignore_file: str | None,
    baseline: str | None,
    update_baseline: bool,
) -> tuple[list[Any], int] | None:
    """The new findings and the number accepted; None after writing the
    baseline."""
    from dataprotect.scan.ignores import (
        IgnoreList,
        load_baseline,
        save_baseline,
        triage,
    )

    if update_baseline:
        if not baseline:
            msg = "--update-baseline needs --baseline FILE"
            raise InputError(msg)
        save_baseline(baseline, findings)
        click.echo(
            f"baseline: {len(findings)} finding(s) written to {baseline}",
            err=True,
        )
        return None
    if ignore_file is None and Path(DEFAULT_IGNORE).is_file():
        ignore_file = DEFAULT_IGNORE
    ignores = IgnoreList.load(ignore_file) if ignore_file else None
    today = date.today()  # noqa: DTZ011 - expiry dates are local calendar days
    if ignores is not None:
        for rule in ignores.expired(today):
            click.echo(
                f"note: ignore entry for {rule.id} expired on {rule.expires}",
                err=True,
            )
    known = load_baseline(baseline) if baseline else frozenset()
    new, accepted = triage(
        findings, ignores=ignores, baseline=known, today=today
    )
    return new, len(accepted)


def incomplete(skipped: int) -> None:
    """Fail a scan that could not scan *skipped* of its inputs: a scan
    that skipped part of its input is never a pass (exit 2)."""
    if skipped:
        msg = (
            f"{skipped} input(s) could not be scanned, so the scan is "
            "incomplete"
        )
        raise InputError(msg)


def _finish(
    new: list[Any],
    accepted: int,
    fmt: str,
    output: str,
    notes: list[tuple[str, str]],
    module: Any,
    skipped: int,
) -> None:
    for path, reason in notes:
        click.echo(f"note: skipped {path}: {reason}", err=True)
    if fmt == "json":
        _write(module.to_json(new), output)
    elif fmt == "sarif":
        _write(module.to_sarif(new), output)
    else:
        if new:
            _write("\n".join(str(f) for f in new), output)
        tail = f" ({accepted} accepted)" if accepted else ""
        click.echo(f"{len(new)} new finding(s){tail}", err=True)
    if new:
        raise SystemExit(1)
    incomplete(skipped)


def _dependencies(
    requirements: Sequence[str],
    locks: Sequence[str],
    env: bool,
    site_packages: Sequence[str],
    osv_db: str | None,
    timeout: int,
    notes: list[tuple[str, str]],
) -> list[Any]:
    from dataprotect.scan.deps import scan_dependencies

    environment: bool | list[str] = list(site_packages) or env
    with _counter("auditing") as advance:
        return scan_dependencies(
            requirements=requirements,
            lock_files=locks,
            environment=environment,
            osv_database=osv_db,
            timeout=timeout,
            notes=notes,
            progress=advance,
        )


@click.command("deps")
@_deps_options
@_report_options
def deps_command(
    requirements: tuple[str, ...],
    locks: tuple[str, ...],
    env: bool,
    site_packages: tuple[str, ...],
    osv_db: str | None,
    timeout: int,
    fmt: str,
    output: str,
    ignore_file: str | None,
    baseline: str | None,
    update_baseline: bool,
) -> None:
    """Find known vulnerabilities in dependencies (pip-audit).

    Reads pinned requirements files (-r), lock files (-l) or an installed
    environment (--env, the default); --osv-db works offline.  Exit status
    1 when a finding is neither ignored nor in the baseline; 2 when the
    vulnerability service cannot be reached.
    """
    from dataprotect.scan import deps

    notes: list[tuple[str, str]] = []
    findings = _dependencies(
        requirements, locks, env, site_packages, osv_db, timeout, notes
    )
    triaged = _triage(findings, ignore_file, baseline, update_baseline)
    if triaged is not None:
        # packages not on an index (local, no version) are noted only
        _finish(*triaged, fmt, output, notes, deps, 0)


def _code(
    paths: Sequence[str],
    severity: str,
    confidence: str,
    skip: Sequence[str],
    exclude: Sequence[str],
    notes: list[tuple[str, str]],
) -> list[Any]:
    from dataprotect.scan.code import DEFAULT_EXCLUDES, scan_code

    with progress(None, "scanning code") as advance:
        return scan_code(
            list(paths) or ["."],
            severity=severity,  # type: ignore[arg-type]  # a click.Choice of the levels
            confidence=confidence,  # type: ignore[arg-type]  # a click.Choice of the levels
            skip=skip,
            exclude=(*DEFAULT_EXCLUDES, *exclude),
            notes=notes,
            progress=advance,
        )


def _code_options(func: F) -> F:
    levels = click.Choice(["low", "medium", "high"])
    options = [
        click.option(
            "--severity", type=levels, default="low", show_default=True
        ),
        click.option(
            "--confidence", type=levels, default="low", show_default=True
        ),
        click.option(
            "--skip", multiple=True, help="bandit test id to skip (B101)."
        ),
        click.option(
            "--exclude", multiple=True, help="Directory name not to walk into."
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@click.command("code")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@_code_options
@_report_options
def code_command(
    paths: tuple[str, ...],
    severity: str,
    confidence: str,
    skip: tuple[str, ...],
    exclude: tuple[str, ...],
    fmt: str,
    output: str,
    ignore_file: str | None,
    baseline: str | None,
    update_baseline: bool,
) -> None:
    """Find insecure Python code in PATHS with bandit (default: .).

    Exit status 1 when a finding is neither ignored nor in the baseline;
    else 2 when a file could not be parsed (the scan is incomplete).
    """
    from dataprotect.scan import code

    notes: list[tuple[str, str]] = []
    findings = _code(paths, severity, confidence, skip, exclude, notes)
    triaged = _triage(findings, ignore_file, baseline, update_baseline)
    if triaged is not None:
        _finish(*triaged, fmt, output, notes, code, len(notes))


def _locks_in(paths: Sequence[str]) -> list[str]:
    return [
        str(Path(path) / name)
        for path in paths
        for name in LOCK_NAMES
        if (Path(path) / name).is_file()
    ]


def _secrets(paths: Sequence[str], notes: list[tuple[str, str]]) -> list[Any]:
    from dataprotect.scan.secrets import Allowlist, scan_paths

    allow = (
        Allowlist.load(".dataprotect-allowlist")
        if Path(".dataprotect-allowlist").is_file()
        else None
    )
    with progress(None, "scanning secrets") as advance:
        return list(
            scan_paths(paths, allowlist=allow, notes=notes, progress=advance)
        )


@click.command("all")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@_deps_options
@_code_options
@_report_options
def all_command(
    paths: tuple[str, ...],
    requirements: tuple[str, ...],
    locks: tuple[str, ...],
    env: bool,
    site_packages: tuple[str, ...],
    osv_db: str | None,
    timeout: int,
    severity: str,
    confidence: str,
    skip: tuple[str, ...],
    exclude: tuple[str, ...],
    fmt: str,
    output: str,
    ignore_file: str | None,
    baseline: str | None,
    update_baseline: bool,
) -> None:
    """Scan PATHS for secrets and insecure code, and the dependencies for
    known vulnerabilities; one report (SARIF: one log, three runs).

    Dependencies: -r/-l, else the lock files found in PATHS, else the
    running environment.  Exit status 1 when any scanner has a finding
    that is neither ignored nor in the baseline; else 2 when a file could
    not be scanned (the scan is incomplete).
    """
    from dataprotect.scan import _sarif, code, deps, secrets

    roots = list(paths) or ["."]
    notes: list[tuple[str, str]] = []
    package_notes: list[tuple[str, str]] = []
    locks = locks or tuple(() if requirements else _locks_in(roots))
    found = {
        "secrets": _secrets(roots, notes),
        "code": _code(roots, severity, confidence, skip, exclude, notes),
        "deps": _dependencies(
            requirements,
            locks,
            env,
            site_packages,
            osv_db,
            timeout,
            package_notes,
        ),
    }
    everything = [f for group in found.values() for f in group]
    triaged = _triage(everything, ignore_file, baseline, update_baseline)
    if triaged is None:
        return
    new_all, accepted = triaged
    kept = {id(f) for f in new_all}
    new = {
        name: [f for f in group if id(f) in kept]
        for name, group in found.items()
    }
    for path, reason in notes + package_notes:
        click.echo(f"note: skipped {path}: {reason}", err=True)
    modules = {"secrets": secrets, "code": code, "deps": deps}
    if fmt == "sarif":
        _write(
            _sarif.merge(modules[k].to_sarif(v) for k, v in new.items()),
            output,
        )
    elif fmt == "json":
        doc = {k: json.loads(modules[k].to_json(v)) for k, v in new.items()}
        _write(json.dumps(doc, indent=2), output)
    else:
        lines = [f"[{k}] {f}" for k, group in new.items() for f in group]
        if lines:
            _write("\n".join(lines), output)
        counts = ", ".join(f"{len(v)} {k}" for k, v in new.items())
        tail = f"; {accepted} accepted" if accepted else ""
        click.echo(f"{len(new_all)} new finding(s): {counts}{tail}", err=True)
    if new_all:
        raise SystemExit(1)
    incomplete(len(notes))

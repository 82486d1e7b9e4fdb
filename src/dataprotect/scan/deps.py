"""Known vulnerabilities in a project's dependencies, through pip-audit.

Dependencies come from pinned requirements files, lock files (``uv.lock``,
``poetry.lock``, ``pylock.toml``) or an installed environment; advisories
from the OSV service (online, pip-audit's default) or, offline, from a local
OSV database: a directory of OSV JSON files or a zip export of one.  The
audit itself is pip-audit's ``Auditor`` (aliases merged, PYSEC ids first).

Requires ``dataprotect[scan]``.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from dataprotect.errors import (
    BackendError,
    ConfigurationError,
    MissingDependencyError,
)
from dataprotect.scan import _sarif
from dataprotect.scan._engine import _toml


try:
    from packaging.utils import canonicalize_name
    from packaging.version import InvalidVersion, Version
    from pip_audit._audit import Auditor
    from pip_audit._dependency_source import (
        DependencySource,
        DependencySourceError,
        PyLockSource,
        RequirementSource,
    )
    from pip_audit._service import (
        Dependency,
        OsvService,
        ResolvedDependency,
        ServiceError,
        SkippedDependency,
    )
    from requests import RequestException  # pip-audit's HTTP client
except ImportError:  # pragma: no cover - exercised without the extra
    msg = "dependency scanning needs pip-audit: install dataprotect[scan]"
    raise MissingDependencyError(msg) from None

from dataprotect.scan._osv import OSVDatabase


OSVDatabase.__module__ = __name__

__all__ = [
    "DependencyFinding",
    "OSVDatabase",
    "scan_dependencies",
    "to_json",
    "to_sarif",
]

_CREDENTIALS = re.compile(r"(://)[^/@\s]*@")


@dataclass(frozen=True)
class DependencyFinding:
    """A known vulnerability in one installed or locked package.

    Attributes:
        package: The package's canonical name.
        version: Its version.
        advisory: The advisory id (PYSEC first, then CVE, then others).
        aliases: The advisory's other ids (GHSA, CVE...).
        summary: One line about the vulnerability.
        fix_versions: Versions that fix it (may be empty).
        path: Where the package was found: the requirements or lock file,
            or ``<environment>``.
        fingerprint: A hash of package and advisory (stable across
            versions), for baselines and ignore files.
        line: Always 1 (for baselines; lock files have no useful line).

    .. versionadded:: 0.1.0
    """

    package: str
    version: str
    advisory: str
    aliases: tuple[str, ...]
    summary: str
    fix_versions: tuple[str, ...]
    path: str
    fingerprint: str = field(default="")
    line: int = 1

    @property
    def rule(self) -> str:
        """The advisory id (the SARIF rule).

        .. versionadded:: 0.1.0
        """
        return self.advisory

    def __str__(self) -> str:
        fix = ", ".join(self.fix_versions) or "no fixed version"
        return (
            f"{self.path}: {self.package} {self.version}: {self.advisory}"
            f" (fix: {fix}) {self.summary}"
        )


def _fingerprint(package: str, advisory: str) -> str:
    digest = hashlib.sha256(f"deps\0{package}\0{advisory}".encode())
    return digest.hexdigest()[:32]


# --------------------------------------------------------------- sources


class _EnvironmentSource(DependencySource):  # type: ignore[misc]  # pip-audit is untyped
    """Installed distributions, read with importlib.metadata.

    pip-audit's own ``PipSource`` runs ``pip list`` and so needs pip in the
    audited environment (uv's environments have none).
    """

    def __init__(self, paths: Sequence[str] | None) -> None:
        self.paths = list(paths) if paths is not None else None

    def collect(self) -> Iterator[Dependency]:
        seen = set()
        for dist in metadata.distributions(path=self.paths or sys.path):
            name = dist.metadata["Name"]
            if not name or canonicalize_name(name) in seen:
                continue
            seen.add(canonicalize_name(name))
            try:
                yield ResolvedDependency(
                    name=name, version=Version(dist.version)
                )
            except InvalidVersion:
                yield SkippedDependency(
                    name=name, skip_reason="invalid version"
                )

    def fix(
        self, fix_version: object
    ) -> None:  # pragma: no cover - never called
        raise NotImplementedError


def _lock_toml(path: Path) -> dict[str, Any]:
    tomllib = _toml()
    try:
        doc: dict[str, Any] = tomllib.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        msg = f"{path}: not a valid TOML lock file"
        raise ConfigurationError(msg) from None
    return doc


_LOCAL = frozenset({"editable", "virtual", "path", "directory", "git", "url"})


def _not_from_an_index(source: object) -> bool:
    """uv's ``source = {editable = "."}``, poetry's ``type = "directory"``."""
    if not isinstance(source, dict):
        return False
    return bool(_LOCAL & set(source)) or source.get("type") in _LOCAL | {
        "file"
    }


class _LockSource(DependencySource):  # type: ignore[misc]  # pip-audit is untyped
    """The ``[[package]]`` tables of ``uv.lock`` and ``poetry.lock``.

    Packages without a registry source (the project itself, editable and
    path dependencies) are skipped, as pip-audit skips them.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def collect(self) -> Iterator[Dependency]:
        packages = _lock_toml(self.path).get("package", [])
        if not isinstance(packages, list):
            msg = f"{self.path}: [[package]] must be an array of tables"
            raise ConfigurationError(msg)
        for number, package in enumerate(packages, start=1):
            if not isinstance(package, dict) or not isinstance(
                package.get("name"), str
            ):
                msg = f"{self.path}: package #{number} has no name"
                raise ConfigurationError(msg)
            name = package["name"]
            if _not_from_an_index(package.get("source", {})):
                yield SkippedDependency(name=name, skip_reason="local package")
                continue
            version = package.get("version")
            try:
                yield ResolvedDependency(
                    name=name, version=Version(str(version))
                )
            except InvalidVersion:
                yield SkippedDependency(name=name, skip_reason="no version")

    def fix(
        self, fix_version: object
    ) -> None:  # pragma: no cover - never called
        raise NotImplementedError


def _source(kind: str, path: Path) -> tuple[str, Any]:
    if kind == "requirements":
        return str(path), RequirementSource(
            [path], disable_pip=True, no_deps=True
        )
    name = path.name
    if name in ("uv.lock", "poetry.lock"):
        return str(path), _LockSource(path)
    if name == "pylock.toml" or (
        name.startswith("pylock.") and name.endswith(".toml")
    ):
        return str(path), PyLockSource([path])
    msg = "lock files must be uv.lock, poetry.lock or pylock[.NAME].toml"
    raise ConfigurationError(msg)


def _safe(text: str) -> str:
    return _CREDENTIALS.sub(r"\1[secure]@", text)


def _audit(
    label: str,
    source: Any,
    service: Any,
    notes: list[tuple[str, str]],
    progress: Callable[[int], None] | None,
) -> Iterator[DependencyFinding]:
    try:
        for dep, vulns in Auditor(service).audit(source):
            if progress is not None:
                progress(1)
            if isinstance(dep, SkippedDependency):
                notes.append((label, _safe(f"{dep.name}: {dep.skip_reason}")))
                continue
            name = canonicalize_name(dep.name)
            for v in vulns:
                yield DependencyFinding(
                    package=name,
                    version=str(dep.version),
                    advisory=v.id,
                    aliases=tuple(sorted(v.aliases)),
                    summary=v.description,
                    fix_versions=tuple(str(f) for f in v.fix_versions),
                    path=label,
                    fingerprint=_fingerprint(name, v.id),
                )
    except DependencySourceError as exc:
        msg = f"{label}: {_safe(str(exc))}"
        raise ConfigurationError(msg) from None
    except (ServiceError, RequestException):
        # pip-audit wraps time-outs, not every failure (a proxy refusing)
        msg = "the OSV vulnerability service could not be reached (use an offline database)"
        raise BackendError(msg) from None


def scan_dependencies(
    *,
    requirements: Iterable[str | os.PathLike[str]] = (),
    lock_files: Iterable[str | os.PathLike[str]] = (),
    environment: bool | Sequence[str] = False,
    osv_database: str | os.PathLike[str] | OSVDatabase | None = None,
    timeout: int = 15,
    notes: list[tuple[str, str]] | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[DependencyFinding]:
    """Audit dependencies for known vulnerabilities.

    With no source given, the running environment is audited.

    Args:
        requirements: Requirements files with every requirement pinned
            (``name==version``, as ``pip-compile``/``uv pip compile`` or
            ``pip freeze`` write them); nothing is installed.
        lock_files: ``uv.lock``, ``poetry.lock`` or ``pylock.toml`` files.
        environment: True for the running environment, or a list of
            ``site-packages`` directories of another one.
        osv_database: An offline OSV database (a directory of OSV JSON
            files, a zip export, or an :class:`OSVDatabase`); None asks
            the OSV service online.
        timeout: Seconds for each online query.
        notes: If given, ``(source, reason)`` is appended for each package
            that could not be audited (local packages, no version).
        progress: Called with 1 after each package.

    Returns:
        The findings, source by source.

    Raises:
        ConfigurationError: A requirements or lock file is malformed, has
            an unpinned requirement, or the OSV database is corrupt.
        BackendError: The online OSV service could not be reached.
        OSError: A file cannot be read.

    .. versionadded:: 0.1.0
    """
    sink: list[tuple[str, str]] = [] if notes is None else notes
    files = [("requirements", Path(p)) for p in requirements]
    files += [("lock", Path(p)) for p in lock_files]
    for _kind, path in files:
        if not path.is_file():
            raise FileNotFoundError(2, "No such file or directory", str(path))
    sources = [_source(kind, path) for kind, path in files]
    if environment is True or (environment is False and not sources):
        sources.append(("<environment>", _EnvironmentSource(None)))
    elif environment is not False:
        sources.append(("<environment>", _EnvironmentSource(environment)))
    if osv_database is None:
        service: Any = OsvService(timeout=timeout)
    elif isinstance(osv_database, OSVDatabase):
        service = osv_database
    else:
        service = OSVDatabase(osv_database)
    findings: list[DependencyFinding] = []
    for label, source in sources:
        findings += _audit(label, source, service, sink, progress)
    return findings


# ------------------------------------------------------------- reporting


def to_json(findings: Iterable[DependencyFinding]) -> str:
    """Findings as a JSON array (one object per finding).

    .. versionadded:: 0.1.0
    """
    return json.dumps([asdict(f) for f in findings], indent=2)


def _sarif_run(findings: Iterable[DependencyFinding]) -> dict[str, Any]:
    """One SARIF run (tool ``dataprotect-deps``) for *findings*."""
    found = list(findings)
    rules = {
        f.advisory: {
            "id": f.advisory,
            "name": f.advisory,
            "shortDescription": {"text": f.summary[:200] or f.advisory},
            "helpUri": f"https://osv.dev/vulnerability/{f.advisory}",
            "defaultConfiguration": {"level": "error"},
        }
        for f in found
    }
    results = [
        _sarif.result(
            f.advisory,
            "error",
            f"{f.package} {f.version} is affected by {f.advisory}"
            + (
                f"; fixed in {', '.join(f.fix_versions)}"
                if f.fix_versions
                else ""
            )
            + f": {f.summary}",
            Path(f.path).as_posix()
            if f.path != "<environment>"
            else "environment",
            f.fingerprint,
            {"package": f.package, "version": f.version},
        )
        for f in found
    ]
    return _sarif.run("dataprotect-deps", rules.values(), results)


def to_sarif(findings: Iterable[DependencyFinding]) -> str:
    """Findings as a SARIF 2.1.0 log.

    .. versionadded:: 0.1.0
    """
    return _sarif.log([_sarif_run(findings)])

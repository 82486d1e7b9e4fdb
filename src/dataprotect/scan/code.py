"""Security issues in Python code, found by bandit (used as a library).

Requires ``dataprotect[scan]``.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import warnings

from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from dataprotect.errors import ConfigurationError, MissingDependencyError
from dataprotect.scan import _sarif


_stevedore = logging.getLogger("stevedore")
_level = _stevedore.level
try:
    # bandit passes stevedore an argument it deprecated (stevedore 5.5+),
    # and stevedore logs an error for each optional bandit plugin whose
    # dependency is missing (bandit[sarif]): neither concerns the caller.
    _stevedore.setLevel(logging.CRITICAL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from bandit.core import config as bandit_config
        from bandit.core import manager as bandit_manager
except ImportError:  # pragma: no cover - exercised without the extra
    msg = "code scanning needs bandit: install dataprotect[scan]"
    raise MissingDependencyError(msg) from None
finally:
    _stevedore.setLevel(_level)


__all__ = [
    "DEFAULT_EXCLUDES",
    "CodeFinding",
    "scan_code",
    "to_json",
    "to_sarif",
]

#: Directories never scanned (globs on a directory's name).
DEFAULT_EXCLUDES: tuple[str, ...] = (
    ".git",
    ".hg",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "node_modules",
    "__pycache__",
    "build",
    "dist",
    "site-packages",
)
Level = Literal["low", "medium", "high"]
_LEVELS = ("low", "medium", "high")
_SARIF_LEVEL = {"low": "note", "medium": "warning", "high": "error"}


@dataclass(frozen=True)
class CodeFinding:
    """A security issue bandit found in a Python file.

    Attributes:
        path: The file.
        line: 1-based line number.
        column: 1-based column.
        rule: bandit's test id, e.g. ``B602``.
        name: bandit's test name, e.g. ``subprocess_popen_with_shell_equals_true``.
        severity: ``low``, ``medium`` or ``high``.
        confidence: ``low``, ``medium`` or ``high``.
        message: What is wrong.
        cwe: The CWE id, when bandit names one.
        fingerprint: A hash of path, rule and the line's text, stable
            when the line moves.

    .. versionadded:: 0.1.0
    """

    path: str
    line: int
    column: int
    rule: str
    name: str
    severity: str
    confidence: str
    message: str
    cwe: int | None
    fingerprint: str

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line}:{self.column}: {self.rule} "
            f"[{self.severity}/{self.confidence}] {self.message}"
        )


def _line_text(path: str, line: int, cache: dict[str, list[bytes]]) -> bytes:
    if path not in cache:
        try:
            cache[path] = Path(path).read_bytes().splitlines()
        except OSError:  # pragma: no cover - the file was read a moment ago
            cache[path] = []
    lines = cache[path]
    return lines[line - 1].strip() if 0 < line <= len(lines) else b""


def _finding(issue: Any, cache: dict[str, list[bytes]]) -> CodeFinding:
    path = os.path.normpath(str(issue.fname))
    line = int(issue.lineno)
    digest = hashlib.sha256(
        b"code\0%s\0%s\0%s"
        % (
            path.encode(),
            str(issue.test_id).encode(),
            _line_text(path, line, cache),
        )
    )
    cwe = getattr(getattr(issue, "cwe", None), "id", 0)
    return CodeFinding(
        path=path,
        line=line,
        column=int(issue.col_offset or 0) + 1,
        rule=str(issue.test_id),
        name=str(issue.test),
        severity=str(issue.severity).lower(),
        confidence=str(issue.confidence).lower(),
        message=str(issue.text),
        cwe=int(cwe) or None,
        fingerprint=digest.hexdigest()[:32],
    )


def _excluded(path: Path, exclude: Sequence[str]) -> bool:
    import fnmatch

    return any(
        fnmatch.fnmatch(part, pattern)
        for part in path.parts[:-1]
        for pattern in exclude
    )


def _files(roots: list[Path], exclude: Sequence[str]) -> list[str]:
    files: set[str] = set()
    for root in roots:
        if root.is_file():
            files.add(str(root))
            continue
        if not root.is_dir():
            raise FileNotFoundError(2, "No such file or directory", str(root))
        for path in root.rglob("*.py"):
            rel = path.relative_to(root)
            if path.is_file() and not _excluded(rel, exclude):
                files.add(str(path))
    return sorted(files)


def scan_code(
    paths: Iterable[str | os.PathLike[str]],
    *,
    severity: Level = "low",
    confidence: Level = "low",
    skip: Sequence[str] = (),
    exclude: Sequence[str] = DEFAULT_EXCLUDES,
    notes: list[tuple[str, str]] | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[CodeFinding]:
    """Run bandit's checks on the Python files in *paths*.

    Lines marked ``# nosec`` are skipped, as bandit does.

    Args:
        paths: Files and directories (walked for ``*.py``).
        severity: Report issues of at least this severity.
        confidence: Report issues of at least this confidence.
        skip: bandit test ids not to run, e.g. ``("B101",)``.
        exclude: Directory names (globs) not to walk into.
        notes: If given, ``(path, reason)`` is appended for each file
            bandit could not parse.
        progress: Called with a file's size in bytes after each file.

    Returns:
        The findings, by file and line.

    Raises:
        ConfigurationError: *severity* or *confidence* is not a level.
        OSError: A path does not exist.

    .. versionadded:: 0.1.0
    """
    if severity not in _LEVELS or confidence not in _LEVELS:
        msg = "severity and confidence must be 'low', 'medium' or 'high'"
        raise ConfigurationError(msg)
    files = _files([Path(p) for p in paths], exclude)
    conf = bandit_config.BanditConfig()
    manager = bandit_manager.BanditManager(
        conf, "file", quiet=True, profile={"exclude": list(skip)}
    )
    logging.getLogger("bandit").setLevel(logging.ERROR)
    for name in files:
        manager.files_list = [name]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the scanned code's warnings
            manager.run_tests()
        if progress is not None:
            progress(Path(name).stat().st_size)
    if notes is not None:
        notes += [(str(n), str(r)) for n, r in manager.get_skipped()]
    cache: dict[str, list[bytes]] = {}
    issues = manager.get_issue_list(
        sev_level=severity.upper(), conf_level=confidence.upper()
    )
    found = [_finding(issue, cache) for issue in issues]
    return sorted(found, key=lambda f: (f.path, f.line, f.column, f.rule))


def to_json(findings: Iterable[CodeFinding]) -> str:
    """Findings as a JSON array (one object per finding).

    .. versionadded:: 0.1.0
    """
    return json.dumps([asdict(f) for f in findings], indent=2)


def _sarif_run(findings: Iterable[CodeFinding]) -> dict[str, Any]:
    found = list(findings)
    rules = {
        f.rule: {
            "id": f.rule,
            "name": f.name,
            "shortDescription": {"text": f.name.replace("_", " ")},
            "defaultConfiguration": {"level": _SARIF_LEVEL[f.severity]},
        }
        for f in found
    }
    results = [
        _sarif.result(
            f.rule,
            _SARIF_LEVEL[f.severity],
            f.message,
            Path(f.path).as_posix(),
            f.fingerprint,
            {"confidence": f.confidence}
            | ({"cwe": f"CWE-{f.cwe}"} if f.cwe else {}),
            position=(f.line, f.column),
        )
        for f in found
    ]
    return _sarif.run("dataprotect-code", rules.values(), results)


def to_sarif(findings: Iterable[CodeFinding]) -> str:
    """Findings as a SARIF 2.1.0 log.

    .. versionadded:: 0.1.0
    """
    return _sarif.log([_sarif_run(findings)])

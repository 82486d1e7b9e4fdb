"""Find credentials committed to code: API keys, tokens, private keys.

Rules for well-known credential formats live in a TOML file shipped in the
package (users add their own with the same schema).  Formats with a checksum
(GitHub and npm tokens, dataprotect tokens, age keys) are only reported when
the checksum holds; documented example keys, placeholders, environment
references, hashes and UUIDs are never reported.

>>> from dataprotect.scan.secrets import scan_text
>>> [f.kind for f in scan_text('aws_key = "AKIAIOSFODNN7EXAMPLE"')]
[]

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import fnmatch
import json
import multiprocessing
import os
import re
import threading

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from dataprotect.errors import ConfigurationError
from dataprotect.scan import _engine, _walk
from dataprotect.scan._engine import PRAGMA, Rule, load_rules
from dataprotect.scan.ignores import save_baseline


Rule.__module__ = __name__  # documented here; defined in the private engine

__all__ = [
    "PRAGMA",
    "Allowlist",
    "Baseline",
    "Rule",
    "SecretFinding",
    "load_rules",
    "scan_paths",
    "scan_text",
    "to_json",
    "to_sarif",
]


@dataclass(frozen=True)
class SecretFinding:
    """A credential found in a file.

    Holds a redacted preview and a fingerprint, never the secret itself, so
    findings can be printed, logged and stored in a baseline.

    Attributes:
        path: The file (``path@commit`` for history), None for plain text.
        line: 1-based line number.
        column: 1-based column of the secret's first character.
        rule: The stable id of the rule that matched, e.g. ``github-token``.
        kind: The kind of credential, e.g. ``github_token``.
        checksum_valid: True when the format's checksum was verified, None
            when the format has no checksum.  (A bad checksum is no finding.)
        preview: A short prefix and the length, e.g. ``ghp_wW…[40 chars]``.
        fingerprint: A hash of rule and secret, stable across line moves.

    .. versionadded:: 0.1.0
    """

    path: str | None
    line: int
    column: int
    rule: str
    kind: str
    checksum_valid: bool | None
    preview: str
    fingerprint: str

    def __str__(self) -> str:
        where = f"{self.path or '<text>'}:{self.line}:{self.column}"
        return f"{where}: {self.kind} ({self.rule}) {self.preview}"


def _findings(
    text: str,
    path: str | None,
    rules: list[Rule],
    numbers: list[int] | None = None,
) -> list[SecretFinding]:
    out = []
    for m in _engine.find_matches(text, rules):
        line = (
            numbers[m.line - 1]
            if numbers and m.line <= len(numbers)
            else m.line
        )
        out.append(
            SecretFinding(
                path=path,
                line=line,
                column=m.column,
                rule=m.rule.id,
                kind=m.rule.kind,
                checksum_valid=m.checksum_valid,
                preview=_engine.redact(m.secret),
                fingerprint=_engine.fingerprint(m.rule.id, m.secret),
            )
        )
    return out


def scan_text(
    text: str | bytes,
    *,
    filename: str | None = None,
    rules: list[Rule] | None = None,
) -> list[SecretFinding]:
    """Find secrets in *text*.

    Args:
        text: The content; bytes are decoded as UTF-8, invalid bytes replaced.
        filename: Recorded as each finding's ``path``.
        rules: Rules to apply (default: the built-in rules, see
            :func:`load_rules`).

    Returns:
        The findings in order of position; lines carrying the pragma
        ``dataprotect: allow-secret`` are skipped.

    .. versionadded:: 0.1.0
    """
    if isinstance(text, bytes | bytearray | memoryview):
        text = bytes(text).decode("utf-8", "replace")
    if not isinstance(text, str):
        msg = "text must be str or bytes"  # type: ignore[unreachable]  # guards untyped callers
        raise TypeError(msg)
    return _findings(text, filename, load_rules() if rules is None else rules)


def _scan_file(
    path: Path, rules: list[Rule]
) -> tuple[list[SecretFinding], int, str | None]:
    text, size, note = _walk.read_text(path)
    if text is None:
        return [], size, note
    return _findings(text, str(path), rules), size, None


def _scan_batch(
    paths: list[Path], rules: list[Rule]
) -> list[tuple[list[SecretFinding], int, str, str | None]]:
    out = []
    for path in paths:
        found, size, note = _scan_file(path, rules)
        out.append((found, size, str(path), note))
    return out


def _emit(
    batch: list[tuple[list[SecretFinding], int, str, str | None]],
    sink: list[tuple[str, str]],
    progress: Callable[[int], None] | None,
    allow: Callable[[SecretFinding], bool],
) -> Iterator[SecretFinding]:
    """A batch's notes to *sink*, sizes to *progress*, findings not allowed."""
    for found, size, name, note in batch:
        if note is not None:
            sink.append((name, note))
        if progress is not None:
            progress(size)
        yield from (f for f in found if not allow(f))


def scan_paths(
    paths: Iterable[str | os.PathLike[str]],
    *,
    rules: list[Rule] | None = None,
    allowlist: Allowlist | None = None,
    history: bool = False,
    jobs: int | None = None,
    notes: list[tuple[str, str]] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[SecretFinding]:
    """Find secrets in files and directory trees.

    Directories are walked honouring ``.gitignore`` (through ``git ls-files``
    inside a repository); binary, lock, minified and vendored files are
    skipped.  Unreadable files, symlink loops and oversized files are skipped
    with a note; the scan goes on.  git runs no program that the scanned
    repository's config names (fsmonitor, textconv, external diff, gpg,
    transports): scanning an untrusted checkout is safe.

    Args:
        paths: Files and directories.
        rules: Rules to apply (default: the built-in rules).
        allowlist: Findings it allows are not yielded.
        history: Also scan every change in the git history of each
            directory (``git log -p``); such findings have
            ``path@commit`` paths.
        jobs: Worker processes (default: the CPU count; 1 scans in this
            process).  Small scans always run in this process.
        notes: If given, ``(path, reason)`` is appended for each skipped file.
        progress: Called with the number of bytes after each file.

    Yields:
        Findings, file by file.

    .. versionadded:: 0.1.0
    """
    rules = load_rules() if rules is None else rules
    sink: list[tuple[str, str]] = [] if notes is None else notes
    roots = [Path(p) for p in paths]
    files = list(_walk.iter_files(roots, sink))
    jobs = jobs or os.cpu_count() or 1
    allow = allowlist.allows if allowlist is not None else (lambda _f: False)

    if jobs <= 1 or len(files) < 64:
        for file in files:
            yield from _emit(_scan_batch([file], rules), sink, progress, allow)
    else:
        chunk = max(8, min(256, len(files) // (jobs * 8) or 1))
        batches = [files[i : i + chunk] for i in range(0, len(files), chunk)]
        # fork is unsafe once threads run (and deprecated for it in 3.12+)
        context = (
            multiprocessing.get_context("spawn")
            if threading.active_count() > 1
            else None
        )
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            for result in pool.map(
                _scan_batch, batches, [rules] * len(batches)
            ):
                yield from _emit(result, sink, progress, allow)
    if history:
        for root in roots:
            if not root.is_dir():
                continue
            for label, text, numbers in _walk.history_blobs(root):
                found = _findings(text, label, rules, numbers)
                yield from (f for f in found if not allow(f))


# ------------------------------------------------------------ suppression


@dataclass(frozen=True)
class Allowlist:
    """Findings to ignore, read from a text file.

    One entry a line, ``#`` starts a comment::

        path:tests/fixtures/*        # a glob on the finding's path
        rule:generic-secret          # a rule id
        fingerprint:9f2c...          # one finding (as shown in JSON output)
        regex:^sk_test_              # matched against the preview

    .. versionadded:: 0.1.0
    """

    paths: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    fingerprints: frozenset[str] = frozenset()
    regexes: tuple[re.Pattern[str], ...] = ()

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Allowlist:
        """Read an allowlist file.

        Raises:
            ConfigurationError: The file is not valid UTF-8, or a line is
                not ``path:``, ``rule:``, ``fingerprint:`` or ``regex:``
                followed by a value, or holds a regular expression that
                does not compile (nested too deeply, a repetition count too
                large).  The message names the file and the line, never
                its content.
            OSError: The file cannot be read.

        .. versionadded:: 0.1.0
        """
        where = f"allowlist file {os.fspath(path)}"
        try:
            text = Path(path).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            msg = f"{where}: not valid UTF-8"
            raise ConfigurationError(msg) from None
        paths, rules, fps, regexes = [], [], set(), []
        for n, raw in enumerate(text.splitlines(), 1):
            line = raw.split(" #", 1)[0].strip()
            if not line or line.startswith("#"):
                continue
            key, _, value = line.partition(":")
            value = value.strip()
            if key == "path" and value:
                paths.append(value)
            elif key == "rule" and value:
                rules.append(value)
            elif key == "fingerprint" and value:
                fps.add(value)
            elif key == "regex" and value:
                regexes.append(_allowlist_regex(value, f"{where}, line {n}"))
            else:
                msg = (
                    f"{where}, line {n}: each line is 'path:', 'rule:', "
                    "'fingerprint:' or 'regex:' and a value"
                )
                raise ConfigurationError(msg)
        return cls(tuple(paths), tuple(rules), frozenset(fps), tuple(regexes))

    def allows(self, finding: SecretFinding) -> bool:
        """Whether *finding* is allowed (not reported).

        .. versionadded:: 0.1.0
        """
        if (
            finding.rule in self.rules
            or finding.fingerprint in self.fingerprints
        ):
            return True
        path = (finding.path or "").split("@", 1)[0]
        if any(fnmatch.fnmatch(path, p) for p in self.paths):
            return True
        return any(r.search(finding.preview) for r in self.regexes)


def _allowlist_regex(value: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(value)
    except (re.error, RecursionError, OverflowError):
        # RecursionError: groups nested too deeply; OverflowError: a
        # repetition count beyond re's limit
        msg = f"{where}: invalid regular expression"
        raise ConfigurationError(msg) from None


@dataclass(frozen=True)
class Baseline:
    """Accepted findings: only findings not in the baseline fail a run.

    Stored as JSON (``{"version": 1, "findings": [...]}``) keyed by path and
    fingerprint, so findings that move to another line stay accepted.

    .. versionadded:: 0.1.0
    """

    entries: frozenset[tuple[str, str]] = frozenset()

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Baseline:
        """Read a baseline file; a missing file is an empty baseline.

        Raises:
            ConfigurationError: The file is not a dataprotect baseline: not
                valid UTF-8 JSON (nested too deeply, a number too long), not
                version 1, or a finding without a string path and
                fingerprint.  The message names the file and the finding,
                never a value.
            OSError: The file exists but cannot be read.

        .. versionadded:: 0.1.0
        """
        where = f"baseline file {os.fspath(path)}"
        try:
            doc = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (ValueError, RecursionError):
            # UnicodeDecodeError and JSONDecodeError are ValueErrors, as is
            # an integer beyond Python's digit limit
            msg = f"{where}: not valid UTF-8 JSON"
            raise ConfigurationError(msg) from None
        version = doc.get("version") if isinstance(doc, dict) else None
        if type(version) is not int or version != 1:
            msg = f"{where}: not a version 1 dataprotect baseline"
            raise ConfigurationError(msg)
        findings = doc.get("findings")
        if not isinstance(findings, list):
            msg = f"{where}: findings must be an array"
            raise ConfigurationError(msg)
        entries: set[tuple[str, str]] = set()
        for n, entry in enumerate(findings, 1):
            item = entry if isinstance(entry, dict) else {}
            where_, fingerprint = item.get("path"), item.get("fingerprint")
            if not (isinstance(where_, str) and isinstance(fingerprint, str)):
                msg = f"{where}, finding {n}: needs a path and a fingerprint (strings)"
                raise ConfigurationError(msg)
            entries.add((where_, fingerprint))
        return cls(frozenset(entries))

    @staticmethod
    def save(
        path: str | os.PathLike[str], findings: Iterable[SecretFinding]
    ) -> None:
        """Write *findings* as the new baseline (atomically).

        .. versionadded:: 0.1.0
        """
        save_baseline(path, findings)

    def __contains__(self, finding: object) -> bool:
        if not isinstance(finding, SecretFinding):
            return False
        return (finding.path or "", finding.fingerprint) in self.entries


# ------------------------------------------------------------- reporting


def to_json(findings: Iterable[SecretFinding]) -> str:
    """Findings as a JSON array (one object per finding).

    .. versionadded:: 0.1.0
    """
    return json.dumps([asdict(f) for f in findings], indent=2)


def to_sarif(
    findings: Iterable[SecretFinding], rules: list[Rule] | None = None
) -> str:
    """Findings as a SARIF 2.1.0 log for code-scanning dashboards.

    .. versionadded:: 0.1.0
    """
    rules = load_rules() if rules is None else rules
    results: list[dict[str, Any]] = []
    for f in findings:
        uri, _, commit = (f.path or "stdin").partition("@")
        result: dict[str, Any] = {
            "ruleId": f.rule,
            "level": "error",
            "message": {
                "text": f"Possible {f.kind.replace('_', ' ')}: {f.preview}"
            },
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": Path(uri).as_posix()},
                        "region": {
                            "startLine": f.line,
                            "startColumn": f.column,
                        },
                    }
                }
            ],
            "partialFingerprints": {"dataprotectSecret/v1": f.fingerprint},
        }
        if commit:
            result["properties"] = {"commit": commit}
        results.append(result)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "dataprotect",
                        "informationUri": "https://pypi.org/project/dataprotect/",
                        "rules": [
                            {
                                "id": r.id,
                                "name": r.kind,
                                "shortDescription": {
                                    "text": f"Committed {r.kind.replace('_', ' ')}"
                                },
                                "defaultConfiguration": {"level": "error"},
                            }
                            for r in rules
                        ],
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2)

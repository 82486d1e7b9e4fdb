"""Accepted findings of the dependency and code scanners: an ignore file in
which every entry carries a reason and an expiry date, and a baseline.

The ignore file is TOML, one ``[[ignore]]`` table per accepted finding::

    [[ignore]]
    id = "GHSA-xxxx-xxxx-xxxx"     # an advisory id or alias, a bandit test
                                   # id (B105), a secret rule id, or a
                                   # finding's fingerprint
    reason = "only reachable through the admin CLI; fix in 2.3"
    expires = 2026-12-31           # a TOML date: reported again after it
    path = "tests/*"               # optional: only findings under this glob

An entry whose date has passed no longer hides anything: the finding comes
back, with a note that the entry expired.  The baseline is the JSON file
``dataprotect scan secrets --baseline`` writes (``{"version": 1,
"findings": [{"path": ..., "fingerprint": ...}]}``), shared by every
scanner.

>>> from datetime import date
>>> rule = IgnoreRule("PYSEC-2024-1", "not reachable", date(2031, 1, 1))
>>> IgnoreList((rule,)).allows({"PYSEC-2024-1"}, None, today=date(2030, 1, 1))
True
>>> IgnoreList((rule,)).allows({"PYSEC-2024-1"}, None, today=date(2031, 1, 2))
False

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import fnmatch
import json
import os

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol, TypeVar

from dataprotect._atomic import atomic_write
from dataprotect.errors import ConfigurationError
from dataprotect.scan._engine import _toml


__all__ = [
    "Fingerprinted",
    "IgnoreList",
    "IgnoreRule",
    "load_baseline",
    "save_baseline",
    "triage",
]


class Fingerprinted(Protocol):
    """**Protocol:** a finding a baseline can hold.

    .. versionadded:: 0.1.0
    """

    @property
    def path(self) -> str | None: ...

    @property
    def fingerprint(self) -> str: ...

    @property
    def rule(self) -> str: ...

    @property
    def line(self) -> int: ...


@dataclass(frozen=True)
class IgnoreRule:
    """One accepted finding: what, why, until when, and optionally where.

    Attributes:
        id: An advisory id or alias, a rule or test id, or a fingerprint.
        reason: Why the finding is accepted (required, not empty).
        expires: The last day the entry applies.
        path: A glob on the finding's path; None matches every path.

    .. versionadded:: 0.1.0
    """

    id: str
    reason: str
    expires: date
    path: str | None = None

    def applies(
        self, ids: Collection[str], path: str | None, *, today: date
    ) -> bool:
        """Whether this entry hides a finding with *ids* at *path* today.

        .. versionadded:: 0.1.0
        """
        if today > self.expires or self.id not in ids:
            return False
        return self.path is None or fnmatch.fnmatch(path or "", self.path)


def _rule(entry: object) -> IgnoreRule:
    if not isinstance(entry, dict):
        msg = "ignore file: each [[ignore]] entry must be a table"
        raise ConfigurationError(msg)
    ident, reason = entry.get("id"), entry.get("reason")
    expires, path = entry.get("expires"), entry.get("path")
    if not isinstance(ident, str) or not ident:
        msg = "ignore file: each entry needs an id"
        raise ConfigurationError(msg)
    if not isinstance(reason, str) or not reason.strip():
        msg = "ignore file: each entry needs a reason"
        raise ConfigurationError(msg)
    if not isinstance(expires, date):
        msg = "ignore file: each entry needs an expires date (YYYY-MM-DD)"
        raise ConfigurationError(msg)
    if path is not None and not isinstance(path, str):
        msg = "ignore file: path must be a string (a glob)"
        raise ConfigurationError(msg)
    if set(entry) - {"id", "reason", "expires", "path"}:
        msg = "ignore file: an entry has an unknown key"
        raise ConfigurationError(msg)
    return IgnoreRule(ident, reason.strip(), expires, path)


@dataclass(frozen=True)
class IgnoreList:
    """The entries of an ignore file.

    .. versionadded:: 0.1.0
    """

    rules: tuple[IgnoreRule, ...] = ()

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> IgnoreList:
        """Read an ignore file (TOML).

        Raises:
            ConfigurationError: The file is not TOML, or an entry lacks
                its id, reason or expiry date.
            OSError: The file cannot be read.

        .. versionadded:: 0.1.0
        """
        tomllib = _toml()
        try:
            doc = tomllib.loads(Path(path).read_bytes().decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError):
            msg = "ignore file is not valid TOML"
            raise ConfigurationError(msg) from None
        entries = doc.get("ignore", [])
        if set(doc) - {"ignore"} or not isinstance(entries, list):
            msg = "ignore file: only [[ignore]] tables are allowed"
            raise ConfigurationError(msg)
        return cls(tuple(_rule(e) for e in entries))

    def allows(
        self, ids: Collection[str], path: str | None, *, today: date
    ) -> bool:
        """Whether an entry in force *today* hides a finding with *ids*.

        .. versionadded:: 0.1.0
        """
        return any(r.applies(ids, path, today=today) for r in self.rules)

    def expired(self, today: date) -> tuple[IgnoreRule, ...]:
        """The entries whose expiry date has passed.

        .. versionadded:: 0.1.0
        """
        return tuple(r for r in self.rules if today > r.expires)


def load_baseline(path: str | os.PathLike[str]) -> frozenset[tuple[str, str]]:
    """The ``(path, fingerprint)`` pairs of a baseline file (none when the
    file does not exist).

    Raises:
        ConfigurationError: The file is not a dataprotect baseline.

    .. versionadded:: 0.1.0
    """
    from dataprotect.scan.secrets import Baseline

    return Baseline.load(path).entries


def save_baseline(
    path: str | os.PathLike[str], findings: Iterable[Fingerprinted]
) -> None:
    """Write *findings* as a baseline (atomically), in the format of
    ``dataprotect scan secrets --baseline``.

    .. versionadded:: 0.1.0
    """
    items = sorted(
        {(f.path or "", f.fingerprint, f.rule, f.line) for f in findings}
    )
    doc = {
        "version": 1,
        "findings": [
            {"path": p, "fingerprint": fp, "rule": r, "line": n}
            for p, fp, r, n in items
        ],
    }
    with atomic_write(path, mode=0o644) as fh:
        fh.write(json.dumps(doc, indent=2).encode() + b"\n")


_F = TypeVar("_F", bound=Fingerprinted)


def triage(
    findings: Iterable[_F],
    *,
    ignores: IgnoreList | None = None,
    baseline: Collection[tuple[str, str]] = frozenset(),
    today: date | None = None,
) -> tuple[list[_F], list[_F]]:
    """Split *findings* into new ones and accepted ones.

    A finding is accepted when the baseline holds its path and fingerprint,
    or an ignore entry in force *today* names its rule, fingerprint or one
    of its ``aliases`` (advisory aliases).

    Returns:
        ``(new, accepted)``, each in the order given.

    .. versionadded:: 0.1.0
    """
    today = date.today() if today is None else today  # noqa: DTZ011 - expiry dates are local calendar days
    new: list[_F] = []
    accepted: list[_F] = []
    for f in findings:
        ids = {f.rule, f.fingerprint, *getattr(f, "aliases", ())}
        hidden = (f.path or "", f.fingerprint) in baseline or (
            ignores is not None and ignores.allows(ids, f.path, today=today)
        )
        (accepted if hidden else new).append(f)
    return new, accepted

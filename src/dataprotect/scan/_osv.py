"""An offline pip-audit vulnerability service over a local OSV database.

The database is a directory of OSV JSON files (one advisory each, any
depth) or a zip export of one (``PyPI/all.zip`` of the OSV bucket).  Which
versions an advisory affects is evaluated here, following the OSV schema's
rules for ``versions`` and ``ECOSYSTEM`` ranges: the online OSV service does
that on the server, so pip-audit has no local code for it.
"""

from __future__ import annotations

import json
import os
import zipfile

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version
from pip_audit._service import (
    Dependency,
    ResolvedDependency,
    VulnerabilityResult,
    VulnerabilityService,
)

from dataprotect.errors import ConfigurationError


__all__ = ["OSVDatabase"]

_ECOSYSTEM = "PyPI"
_MAX_ENTRY = 4 * 1024 * 1024


def _version(text: object) -> Version | None:
    if not isinstance(text, str):
        return None
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _event_key(event: dict[str, Any]) -> tuple[int, Version]:
    """Sort key: "introduced: 0" first, then by version."""
    (kind, value), *_ = event.items()
    if kind == "introduced" and value == "0":
        return (0, Version("0"))
    return (1, _version(value) or Version("0"))


def _in_range(version: Version, events: list[dict[str, Any]]) -> bool:
    affected = False
    for event in sorted(events, key=_event_key):
        (kind, value), *_ = event.items()
        bound = Version("0") if value == "0" else _version(value)
        if bound is None:
            continue
        if kind == "introduced" and version >= bound:
            affected = True
        elif (kind in ("fixed", "limit") and version >= bound) or (
            kind == "last_affected" and version > bound
        ):
            affected = False
    return affected


def _affects(affected: dict[str, Any], version: Version) -> bool:
    listed = {_version(v) for v in affected.get("versions", [])}
    if version in listed:
        return True
    return any(
        r.get("type") in ("ECOSYSTEM", "SEMVER")
        and _in_range(version, r.get("events", []))
        for r in affected.get("ranges", [])
    )


def _fixes(affected: dict[str, Any]) -> list[Version]:
    out = set()
    for r in affected.get("ranges", []):
        for event in r.get("events", []):
            fixed = _version(event.get("fixed"))
            if r.get("type") == "ECOSYSTEM" and fixed is not None:
                out.add(fixed)
    return sorted(out)


def _published(entry: dict[str, Any]) -> datetime | None:
    text = entry.get("published")
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _corrupt(name: str, why: str) -> ConfigurationError:
    return ConfigurationError(f"OSV database: {name}: {why}")


def _check(entry: object, name: str) -> dict[str, Any]:
    """*entry* if it has the shape the OSV schema requires."""
    if not isinstance(entry, dict):
        raise _corrupt(name, "not a JSON object")
    if not isinstance(entry.get("id"), str) or not entry["id"]:
        raise _corrupt(name, "no id")
    if not isinstance(entry.get("modified"), str):
        raise _corrupt(name, "no modified date")
    affected = entry.get("affected", [])
    aliases = entry.get("aliases", [])
    if not isinstance(affected, list) or not isinstance(aliases, list):
        raise _corrupt(name, "affected and aliases must be lists")
    for item in affected:
        ok = (
            isinstance(item, dict)
            and isinstance(item.get("package", {}), dict)
            and isinstance(item.get("ranges", []), list)
            and isinstance(item.get("versions", []), list)
            and all(
                isinstance(r, dict)
                and isinstance(r.get("events", []), list)
                and all(
                    isinstance(e, dict) and len(e) == 1
                    for e in r.get("events", [])
                )
                for r in item.get("ranges", [])
            )
        )
        if not ok:
            raise _corrupt(name, "malformed affected entry")
    return entry


def _read_entries(path: Path) -> Iterator[tuple[str, bytes]]:
    if path.is_dir():
        for file in sorted(path.rglob("*.json")):
            if file.stat().st_size > _MAX_ENTRY:
                raise _corrupt(file.name, "entry too large")
            yield file.name, file.read_bytes()
        return
    try:
        with zipfile.ZipFile(path) as archive:
            for info in sorted(archive.infolist(), key=lambda i: i.filename):
                if not info.filename.endswith(".json"):
                    continue
                if info.file_size > _MAX_ENTRY:
                    raise _corrupt(info.filename, "entry too large")
                yield info.filename, archive.read(info)
    except zipfile.BadZipFile:
        msg = "OSV database must be a directory of JSON files or a zip export"
        raise ConfigurationError(msg) from None


class OSVDatabase(VulnerabilityService):  # type: ignore[misc]  # pip-audit is untyped
    """A pip-audit ``VulnerabilityService`` answering from local OSV files.

    Args:
        path: A directory of OSV JSON files or a zip export.

    Raises:
        ConfigurationError: An entry is not valid JSON or lacks what the
            OSV schema requires (named by its file), or *path* is neither
            a directory nor a zip file.
        OSError: *path* cannot be read.

    .. versionadded:: 0.1.0
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._index: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.entries = 0
        for name, data in _read_entries(self.path):
            try:
                doc = json.loads(data)
            except (ValueError, UnicodeDecodeError):
                raise _corrupt(name, "not valid JSON") from None
            entry = _check(doc, name)
            self.entries += 1
            for affected in entry.get("affected", []):
                package = affected.get("package", {})
                if package.get("ecosystem") == _ECOSYSTEM and isinstance(
                    package.get("name"), str
                ):
                    bucket = self._index[canonicalize_name(package["name"])]
                    if not bucket or bucket[-1] is not entry:
                        bucket.append(entry)

    def query(
        self, spec: Dependency
    ) -> tuple[Dependency, list[VulnerabilityResult]]:
        """The advisories that affect *spec* (none for a skipped one)."""
        if not isinstance(spec, ResolvedDependency):
            return spec, []
        results = []
        for entry in self._index.get(spec.canonical_name, []):
            if entry.get("withdrawn") is not None:
                continue
            mine = [
                a
                for a in entry.get("affected", [])
                if a.get("package", {}).get("ecosystem") == _ECOSYSTEM
                and canonicalize_name(a["package"].get("name", ""))
                == spec.canonical_name
            ]
            if not any(_affects(a, spec.version) for a in mine):
                continue
            summary = entry.get("summary") or entry.get("details") or "N/A"
            results.append(
                VulnerabilityResult.create(
                    ids=[entry["id"], *entry.get("aliases", [])],
                    description=str(summary).replace("\n", " "),
                    fix_versions=sorted({v for a in mine for v in _fixes(a)}),
                    published=_published(entry),
                )
            )
        return spec, results

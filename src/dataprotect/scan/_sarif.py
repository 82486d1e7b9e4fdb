"""SARIF 2.1.0 logs: one run per tool, several runs merged into one log."""

from __future__ import annotations

import json

from collections.abc import Iterable
from typing import Any


__all__ = ["SCHEMA", "log", "merge", "result", "run"]

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_INFO_URI = "https://pypi.org/project/dataprotect/"


def result(
    rule: str,
    level: str,
    message: str,
    uri: str,
    fingerprint: str,
    properties: dict[str, Any],
    *,
    position: tuple[int, int] | None = None,
) -> dict[str, Any]:
    """One SARIF result at *uri* (a relative path, forward slashes) and
    *position* (1-based line and column) when there is one."""
    location: dict[str, Any] = {"artifactLocation": {"uri": uri}}
    if position is not None:
        line, column = position
        location["region"] = {"startLine": line, "startColumn": column}
    return {
        "ruleId": rule,
        "level": level,
        "message": {"text": message},
        "locations": [{"physicalLocation": location}],
        "partialFingerprints": {"dataprotect/v1": fingerprint},
        "properties": properties,
    }


def run(
    name: str,
    rules: Iterable[dict[str, Any]],
    results: list[dict[str, Any]],
) -> dict[str, Any]:
    """A SARIF run of the tool *name* (``dataprotect-deps``...)."""
    return {
        "tool": {
            "driver": {
                "name": name,
                "informationUri": _INFO_URI,
                "rules": list(rules),
            }
        },
        "results": results,
    }


def log(runs: list[dict[str, Any]]) -> str:
    """A SARIF 2.1.0 log holding *runs*, as indented JSON."""
    doc = {"$schema": SCHEMA, "version": "2.1.0", "runs": runs}
    return json.dumps(doc, indent=2)


def merge(logs: Iterable[str]) -> str:
    """One SARIF log with every run of *logs* (SARIF JSON texts)."""
    runs: list[dict[str, Any]] = []
    for text in logs:
        runs += json.loads(text)["runs"]
    return log(runs)

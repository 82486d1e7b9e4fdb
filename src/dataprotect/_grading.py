"""Graded findings shared by the TLS and SSH configuration reports."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal, TypeVar


__all__ = ["Issue", "Severity", "acceptable", "by_severity"]

Severity = Literal["critical", "high", "medium", "low", "info"]
_I = TypeVar("_I", bound="Issue")
_ORDER: Final = {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}


@dataclass(frozen=True)
class Issue:
    """One problem: a stable code, a severity and one line of advice."""

    code: str
    severity: Severity
    advice: str

    def __str__(self) -> str:
        return f"[{self.severity}] {self.code}: {self.advice}"


def by_severity(issues: Iterable[_I]) -> list[_I]:
    """*issues*, worst first (stable within a severity)."""
    return sorted(issues, key=lambda issue: -_ORDER[issue.severity])


def acceptable(issues: Iterable[Issue]) -> bool:
    """True when no issue is of medium severity or worse."""
    return not any(_ORDER[issue.severity] >= 2 for issue in issues)

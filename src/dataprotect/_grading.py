"""Graded findings shared by the TLS and SSH configuration reports."""

from __future__ import annotations

import re

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal, TypeVar


__all__ = [
    "Issue",
    "Severity",
    "acceptable",
    "by_severity",
    "printable",
    "unchecked",
]

Severity = Literal["unchecked", "critical", "high", "medium", "low", "info"]
_I = TypeVar("_I", bound="Issue")
# "unchecked" first: a target that could not be checked is never a pass.
_ORDER: Final = {
    "unchecked": 5,
    "critical": 4,
    "high": 3,
    "medium": 2,
    "low": 1,
    "info": 0,
}


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


def unchecked(kind: type[_I]) -> _I:
    """The issue of a check that did not complete (its notes say why)."""
    return kind(
        "could-not-check",
        "unchecked",
        "the check did not complete (see the notes): an unchecked target "
        "is no pass",
    )


def acceptable(issues: Iterable[Issue]) -> bool:
    """True when no issue is of medium severity or worse."""
    return not any(_ORDER[issue.severity] >= 2 for issue in issues)


# ESC-introduced sequences (ECMA-48): CSI (colours, cursor moves, screen
# clears); OSC, DCS, SOS, PM and APC strings (window titles, hyperlinks,
# the clipboard) up to BEL or ST; other escapes (charsets, resets).
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]?"
    r"|[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|[ -/]*[0-~]?)"
)


def printable(text: str) -> str:
    """*text* from a peer, safe to print on a terminal: escape sequences
    and every non-printable character (C0 and C1 controls, bidirectional
    overrides, line separators) removed."""
    return "".join(
        ch for ch in _ESCAPE_SEQUENCE.sub("", text) if ch.isprintable()
    )

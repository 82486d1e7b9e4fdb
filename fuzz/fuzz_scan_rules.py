"""Fuzz target: scan rule files (TOML), then the rules they define."""

from __future__ import annotations

from _harness import instrumented, main


with instrumented():
    from dataprotect.scan._engine import _parse_rules, find_matches

SAMPLE = 'password = "hunter2-Xk9!q"\nAKIAIOSFODNN7EXAMPLE\n'


def target(data: bytes) -> None:
    """Parse *data* as a rules file and run its rules on a short text."""
    rules = _parse_rules(data, "fuzz.toml")
    find_matches(SAMPLE, rules)


if __name__ == "__main__":
    main(target)

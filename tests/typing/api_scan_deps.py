"""Calls every public dependency/code scanning signature for mypy --strict."""

from __future__ import annotations

from datetime import date

from dataprotect.scan.code import (
    DEFAULT_EXCLUDES,
    CodeFinding,
    scan_code,
)
from dataprotect.scan.code import to_json as code_json
from dataprotect.scan.code import to_sarif as code_sarif
from dataprotect.scan.deps import (
    DependencyFinding,
    OSVDatabase,
    scan_dependencies,
    to_json,
    to_sarif,
)
from dataprotect.scan.ignores import (
    Fingerprinted,
    IgnoreList,
    IgnoreRule,
    load_baseline,
    save_baseline,
    triage,
)


notes: list[tuple[str, str]] = []
found: list[DependencyFinding] = scan_dependencies(
    requirements=["requirements.txt"],
    lock_files=["uv.lock"],
    environment=["/venv/lib/python3.11/site-packages"],
    osv_database=OSVDatabase("osv"),
    timeout=10,
    notes=notes,
    progress=lambda n: None,
)
again: list[DependencyFinding] = scan_dependencies(
    environment=True, osv_database="osv/all.zip"
)
advisory: str = found[0].advisory
aliases: tuple[str, ...] = found[0].aliases
fixes: tuple[str, ...] = found[0].fix_versions
rule: str = found[0].rule
text: str = to_json(found) + to_sarif(found)

code: list[CodeFinding] = scan_code(
    ["src"],
    severity="medium",
    confidence="high",
    skip=["B101"],
    exclude=(*DEFAULT_EXCLUDES, "fixtures"),
    notes=notes,
    progress=lambda n: None,
)
cwe: int | None = code[0].cwe
text = code_json(code) + code_sarif(code)

ignores = IgnoreList.load(".dataprotect-ignore.toml")
entry = IgnoreRule(
    "B101", "tests use assert", date(2030, 1, 1), path="tests/*"
)
hidden: bool = ignores.allows({"B101"}, "tests/x.py", today=date(2029, 1, 1))
applies: bool = entry.applies({"B101"}, None, today=date(2029, 1, 1))
gone: tuple[IgnoreRule, ...] = ignores.expired(date(2031, 1, 1))
new_code, accepted_code = triage(code, ignores=ignores, today=date(2029, 1, 1))
first: CodeFinding = new_code[0]
known: frozenset[tuple[str, str]] = load_baseline("baseline.json")
new_deps, _ = triage(found, baseline=known)
save_baseline("baseline.json", [*new_deps, *new_code])
item: Fingerprinted = found[0]

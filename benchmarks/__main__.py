"""Run benchmarks and write their tables into ``docs/benchmarks.md``.

``python -m benchmarks [NAME ...]`` runs ``benchmarks/bench_NAME.py`` (all
of them by default).  Each module has ``run(quick: bool) -> str`` returning
Markdown, which replaces the text between ``<!-- bench:NAME -->`` and
``<!-- /bench:NAME -->`` in ``docs/benchmarks.md``.  ``--quick`` uses small
sizes (a smoke test); ``--no-write`` only prints.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import platform
import re
import sys

from pathlib import Path


DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def main() -> None:
    names = sorted(
        m.name.removeprefix("bench_")
        for m in pkgutil.iter_modules([str(Path(__file__).parent)])
        if m.name.startswith("bench_")
    )
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("names", nargs="*", choices=[*names, []], default=[])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    for name in args.names or names:
        module = importlib.import_module(f"benchmarks.bench_{name}")
        table = module.run(quick=args.quick).strip()
        machine = (
            f"_Measured {platform.python_implementation()} "
            f"{platform.python_version()} on {platform.machine()}; "
            f"reproduce with `nox -s bench -- {name}`._"
        )
        text = f"{table}\n\n{machine}"
        print(f"## {name}\n\n{text}\n", flush=True)
        if args.no_write or args.quick:
            continue
        doc = DOC.read_text(encoding="utf-8")
        pattern = re.compile(
            rf"(<!-- bench:{name} -->\n).*?(\n<!-- /bench:{name} -->)",
            re.DOTALL,
        )
        if not pattern.search(doc):
            sys.exit(f"docs/benchmarks.md has no markers for {name}")
        DOC.write_text(
            pattern.sub(lambda m, t=text: m.group(1) + t + m.group(2), doc),
            encoding="utf-8",
        )


main()

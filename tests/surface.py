"""The public import surface: every public module's exported names.

``python tests/surface.py > tests/public_surface.txt`` regenerates the
committed list; ``tests/test_packaging.py`` compares it with the live one,
so a layout change that moves private modules cannot move a public name.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import warnings

import dataprotect


def _public_modules() -> list[str]:
    names = ["dataprotect"]
    for info in pkgutil.walk_packages(
        dataprotect.__path__, "dataprotect.", onerror=lambda _: None
    ):
        parts = info.name.split(".")
        if any(part.startswith("_") for part in parts):
            continue
        names.append(info.name)
    return sorted(names)


def _exported(module: object) -> list[str]:
    names = getattr(module, "__all__", None)
    if names is None:
        names = [
            name
            for name, value in vars(module).items()
            if not name.startswith("_")
            and name != "annotations"
            and not inspect.ismodule(value)
        ]
    return sorted(names)


def surface() -> list[str]:
    """One line per public module, exported name and public member."""
    lines = []
    for module_name in _public_modules():
        with warnings.catch_warnings():
            # pyhanko imports DSAPrivateKey, deprecated in cryptography 51.
            warnings.filterwarnings("ignore", "DSA is deprecated")
            module = importlib.import_module(module_name)
        for name in _exported(module):
            value = getattr(module, name)
            lines.append(f"{module_name}:{name}")
            if inspect.isclass(value):
                lines.extend(
                    f"{module_name}:{name}.{member}"
                    for member in sorted(vars(value))
                    if not member.startswith("_")
                )
    return lines


if __name__ == "__main__":
    print("\n".join(surface()))

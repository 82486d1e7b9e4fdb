"""The install lines of the README and the quick start, run as written in
fresh virtual environments (slow: each installs from the package index,
reusing the local wheel cache)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

from pathlib import Path

import pytest


pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
CORE = "python3 -m pip install -q ."
ALL = "python3 -m pip install -q '.[all]'"


def _venv(where: Path) -> tuple[Path, list[str]]:
    """A fresh virtual environment: its python, and how to pip install.

    uv (when on PATH) stands in for pip, for speed; both install the same.
    """
    uv = shutil.which("uv")
    if uv is not None:
        subprocess.run(
            [uv, "venv", "-q", "--python", sys.executable, str(where)],
            check=True,
        )
        python = where / "bin" / "python"
        return python, [uv, "pip", "install", "-q", "--python", str(python)]
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True)
    python = where / "bin" / "python"
    return python, [
        str(python),
        "-m",
        "pip",
        "install",
        "-q",
    ]


def _install_line(line: str, pip: list[str], env: dict[str, str]) -> None:
    """Run a documented ``python3 -m pip install -q TARGET`` line."""
    target = line.removeprefix("python3 -m pip install -q ").strip("'")
    subprocess.run([*pip, target], cwd=ROOT, env=env, check=True)


def _clean_env(venv: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHONPATH", "VIRTUAL_ENV", "COVERAGE_PROCESS_START"}
    }
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


class TestInstallLines:
    def test_documented_lines(self):
        """The README and the quick start give the lines tested here."""
        readme = (ROOT / "README.md").read_text(encoding="utf-8")
        quickstart = (ROOT / "docs" / "quickstart.md").read_text(
            encoding="utf-8"
        )
        assert f"{ALL} && dataprotect demo" in readme
        assert f"`{CORE}`" in readme
        assert f"$ {ALL}\n" in quickstart
        assert f"`{CORE}`" in quickstart
        assert "dataprotect[cli]" not in quickstart + readme

    def test_core_only_runs_a_taste(self, tmp_path):
        """`pip install .` gives the core, and README's "A taste" passes
        on it: no extra is installed, none is needed."""
        python, pip = _venv(tmp_path / "core")
        env = _clean_env(tmp_path / "core")
        _install_line(CORE, pip, env)
        check = (
            "import importlib.util as u, dataprotect;"
            "print(dataprotect.__file__);"
            "print([m for m in ('click', 'phonenumbers', 'limits', 'fpdf')"
            " if u.find_spec(m)])"
        )
        out = subprocess.run(
            [str(python), "-c", check],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
        assert out[0].startswith(str(tmp_path / "core"))
        assert out[1] == "[]"
        taste = subprocess.run(
            [str(python), "-m", "doctest", str(ROOT / "README.md")],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert taste.returncode == 0, taste.stdout + taste.stderr

    def test_all_runs_the_demo(self, tmp_path):
        """`pip install '.[all]'` gives the command line, whose --version
        is the package metadata's, and `dataprotect demo` succeeds."""
        python, pip = _venv(tmp_path / "all")
        env = _clean_env(tmp_path / "all")
        _install_line(ALL, pip, env)
        installed = subprocess.run(
            [
                str(python),
                "-c",
                "import importlib.metadata as m; print(m.version('dataprotect'))",
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        command = str(tmp_path / "all" / "bin" / "dataprotect")
        version = subprocess.run(
            [command, "--version"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert version == f"dataprotect, version {installed}\n"
        demo = subprocess.run(
            [command, "demo"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert demo.returncode == 0, demo.stderr
        assert re.search(r"demo finished: every step succeeded", demo.stdout)

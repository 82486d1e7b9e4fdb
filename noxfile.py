"""Task sessions: ``nox`` runs tests, lint, typecheck and docs."""

from __future__ import annotations

import os

from pathlib import Path

import nox


nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["lint", "typecheck", "tests", "docs"]

PYPROJECT = nox.project.load_toml("pyproject.toml")


def _group(name: str) -> list[str]:
    return list(nox.project.dependency_groups(PYPROJECT, name))


@nox.session(python="3.11")
def tests(session: nox.Session) -> None:
    """The whole test suite with every extra, under coverage."""
    session.install("-e", ".[all]", *_group("tests"))
    profile = "ci" if os.environ.get("CI") else "dev"
    session.run(
        "coverage",
        "run",
        "-m",
        "pytest",
        *session.posargs,
        env={"HYPOTHESIS_PROFILE": profile},
    )
    session.run("coverage", "combine", success_codes=[0, 1])
    # The whole suite must cover 99 % of branches (a subset need not).
    gate = [] if session.posargs else ["--fail-under=99"]
    session.run("coverage", "report", *gate)


@nox.session(python="3.10", venv_backend="uv")
def tests_lowest(session: nox.Session) -> None:
    """The test suite on the oldest Python and lowest versions allowed.

    uv's ``lowest-direct`` resolution installs every direct requirement
    (runtime, extras and the tests group) at its declared floor, proving
    the floors.  Not in the default run; no coverage.
    """
    session.install(
        "--resolution", "lowest-direct", "-e", ".[all]", *_group("tests")
    )
    profile = "ci" if os.environ.get("CI") else "dev"
    session.run(
        "python",
        "-m",
        "pytest",
        *session.posargs,
        env={"HYPOTHESIS_PROFILE": profile},
    )


@nox.session(python="3.11")
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install(*_group("lint"))
    paths = ["src", "tests", "benchmarks", "fuzz", "noxfile.py"]
    session.run("ruff", "check", *paths)
    session.run("ruff", "format", "--check", *paths)


@nox.session(python="3.11")
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the package and the typing tests."""
    session.install("-e", ".[all]", *_group("typing"))
    session.run("mypy", "--strict", "src", "tests/typing")


@nox.session(python="3.11")
def docs(session: nox.Session) -> None:
    """Build the docs (warnings are errors) and run their doctests."""
    session.install("-e", ".[all]", *_group("docs"))
    session.run(
        "sphinx-build",
        "-n",
        "-T",
        "-W",
        "--keep-going",
        "-b",
        "html",
        "docs",
        "docs/_build/html",
    )
    session.run(
        "sphinx-build", "-T", "-b", "doctest", "docs", "docs/_build/doctest"
    )
    session.run("python", "-m", "doctest", "README.md")


@nox.session(python="3.11")
def bench(session: nox.Session) -> None:
    """Run the benchmarks side by side with the peers (not in the default run)."""
    session.install("-e", ".[all]", *_group("benchmarks"))
    session.run("python", "-m", "benchmarks", *session.posargs)


@nox.session(python="3.11")
def soak(session: nox.Session) -> None:
    """Mixed load in 16 threads for 10 minutes (not in the default run).

    ``nox -s soak -- --seconds 30`` (or ``SOAK_SECONDS=30``) for a short run.
    Fails on any error, lost update or RSS drift of 5 % or more.
    """
    session.install("-e", ".[all]")
    session.run("python", "-m", "benchmarks.soak", *session.posargs)


FUZZ_TARGETS = sorted(
    p.stem.removeprefix("fuzz_") for p in Path("fuzz").glob("fuzz_*.py")
)


@nox.session(python="3.11")
def fuzz(session: nox.Session) -> None:
    """Run each atheris target in fuzz/ from its seed corpus, 30 s each.

    Not in the default run (CI calls it after the tests).  Arguments: a
    number of seconds per target, target names, and libFuzzer options,
    e.g. ``nox -s fuzz -- 3600 pdf age -timeout=5``.  New inputs go to a
    copy of the corpus; crashes, time-outs (over 1 s) and memory growth
    over 256 MiB are written to the session's temporary directory and
    fail the session (see docs/stability.md).
    """
    session.install("-e", ".[all]", *_group("fuzz"))
    seconds = next((a for a in session.posargs if a.isdigit()), "30")
    names = [a for a in session.posargs if a in FUZZ_TARGETS]
    options = [a for a in session.posargs if a.startswith("-")]
    work = Path(session.create_tmp())
    for name in names or FUZZ_TARGETS:
        found = work / "corpus" / name
        found.mkdir(parents=True, exist_ok=True)
        session.run(
            "python",
            f"fuzz/fuzz_{name}.py",
            str(found),
            f"fuzz/corpus/{name}",
            f"-max_total_time={seconds}",
            f"-artifact_prefix={work}/{name}-",
            "-print_final_stats=1",
            *options,
            env={"PYTHONWARNINGS": "ignore"},
        )

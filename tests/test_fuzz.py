"""The fuzz targets of ``fuzz/`` replayed on their committed corpus.

Every seed, and every input a fuzzing run found and kept as a regression
(``fuzz/corpus/<target>/regress-*``), goes through the same target and
rule as under atheris (``nox -s fuzz``), without atheris: any exception
but a DataProtectError fails.
"""

from __future__ import annotations

import importlib
import sys

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest


FUZZ = Path(__file__).resolve().parent.parent / "fuzz"
TARGETS = sorted(p.stem.removeprefix("fuzz_") for p in FUZZ.glob("fuzz_*.py"))


@pytest.fixture(name="harness")
def _harness() -> Iterator[Callable[[str], Callable[[bytes], None]]]:
    """Import fuzz targets as the fuzzer does (fuzz/ first on the path)."""
    sys.path.insert(0, str(FUZZ))

    def load(name: str) -> Callable[[bytes], None]:
        from _harness import guarded  # type: ignore[import-not-found]  # fuzz/ is put on the path above

        module = importlib.import_module(f"fuzz_{name}")
        return guarded(module.target)  # type: ignore[no-any-return]  # untyped module

    yield load
    sys.path.remove(str(FUZZ))


class TestCorpus:
    """Each target's seed corpus passes the fuzzing rule."""

    def test_every_parser_has_a_target(self) -> None:
        """The targets the issue asks for, each with seeds."""
        assert set(TARGETS) >= {
            "age",
            "backup",
            "ciphertext",
            "keyring",
            "passwords",
            "pdf",
            "scan_rules",
            "scan_text",
            "security_txt",
            "tokens",
            "twofactor",
        }
        for name in TARGETS:
            assert any((FUZZ / "corpus" / name).iterdir()), name

    @pytest.mark.parametrize("name", TARGETS)
    def test_replay(
        self, harness: Callable[[str], Callable[[bytes], None]], name: str
    ) -> None:
        """No seed raises anything but a DataProtectError."""
        target = harness(name)
        for seed in sorted((FUZZ / "corpus" / name).iterdir()):
            target(seed.read_bytes())

"""The rule every fuzz target runs under, and the keys they share.

A target is a function of one ``bytes`` argument.  It may raise
:class:`dataprotect.errors.DataProtectError` (the documented way to refuse
bad input); any other exception is a crash.  libFuzzer is told that an
input running for more than 1 s (``-timeout=1``) or growing the process by
more than 256 MiB over what it used after importing
(``-rss_limit_mb=``) is a crash too.

Run one target: ``python fuzz/fuzz_<name>.py fuzz/corpus/<name>``, with
any libFuzzer option after it (``-max_total_time=60``).  The regression
test ``tests/test_fuzz.py`` replays every corpus file through the same
targets without atheris.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import resource
import sys

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any


ROOT = Path(__file__).resolve().parent.parent
VECTORS = ROOT / "tests" / "vectors"
_MAX_RSS_GROWTH_MB = 256

Target = Callable[[bytes], object]


def instrumented(*also: str) -> contextlib.AbstractContextManager[object]:
    """Instrument the ``dataprotect`` modules (and the packages *also*)
    imported inside, when atheris is there."""
    try:
        import atheris
    except ImportError:  # replayed by the test suite
        return contextlib.nullcontext()
    return atheris.instrument_imports(include=["dataprotect", *also])


def vector(name: str) -> Any:
    """A JSON file from ``tests/vectors``."""
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


@contextlib.contextmanager
def env(name: str, value: str) -> Iterator[None]:
    """Set an environment variable for the block."""
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            del os.environ[name]
        else:
            os.environ[name] = old


def keyring_from(doc: dict[str, Any], var: str) -> Any:
    """The keyring stored in a vectors file, opened with its EnvKEK (the
    variable *var* set only meanwhile)."""
    from dataprotect.keys import EnvKEK, Keyring

    with env(var, doc["kek"]):
        return Keyring.from_bytes(
            base64.b64decode(doc["keyring"]), kek=EnvKEK(var)
        )


def guarded(target: Target) -> Callable[[bytes], None]:
    """*target*, with :class:`DataProtectError` counted as a clean refusal."""
    from dataprotect.errors import DataProtectError

    def one_input(data: bytes) -> None:
        with contextlib.suppress(DataProtectError):
            target(data)

    return one_input


def each(*calls: Callable[[], object]) -> None:
    """Run every call; a :class:`DataProtectError` is a clean refusal."""
    from dataprotect.errors import DataProtectError

    for call in calls:
        with contextlib.suppress(DataProtectError):
            call()


def main(target: Target) -> None:
    """Fuzz *target* with atheris under the project's limits."""
    import atheris

    base_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    argv = list(sys.argv)
    if not any(a.startswith("-timeout=") for a in argv):
        argv.append("-timeout=1")
    if not any(a.startswith("-rss_limit_mb=") for a in argv):
        argv.append(f"-rss_limit_mb={base_mb + _MAX_RSS_GROWTH_MB}")
    atheris.Setup(argv, guarded(target))
    atheris.Fuzz()

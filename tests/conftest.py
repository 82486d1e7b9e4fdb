"""Shared fixtures: Hypothesis profiles and real services.

Real services (redis-server, sshd, SoftHSM2, PostgreSQL, the age CLI,
pdfsig) run as
subprocesses on loopback, started by fixtures with the helpers in
``tests/helpers.py``.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import subprocess
import sys
import tempfile

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hypothesis import HealthCheck, settings

from browser import chromium
from helpers import free_port, require_binary, require_file


settings.register_profile(
    "dev",
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@dataclass(frozen=True)
class SoftHSM:
    """A SoftHSM2 token initialised for the test session."""

    module: str
    token_label: str
    pin: str

    def uri(self, key_label: str) -> str:
        """An RFC 7512 URI for *key_label* on this token (no PIN)."""
        return (
            f"pkcs11:token={self.token_label};object={key_label}"
            f"?module-path={self.module}"
        )

    def create_aes_key(self, label: str) -> None:
        """Generate a non-extractable AES-256 key *label* on the token."""
        pkcs11 = pytest.importorskip("pkcs11")
        lib = pkcs11.lib(self.module)
        tok = lib.get_token(token_label=self.token_label)
        with tok.open(user_pin=self.pin, rw=True) as session:
            session.generate_key(
                pkcs11.KeyType.AES,
                256,
                label=label,
                store=True,
                template={
                    pkcs11.Attribute.SENSITIVE: True,
                    pkcs11.Attribute.EXTRACTABLE: False,
                },
            )


@pytest.fixture(name="softhsm", scope="session")
def _softhsm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SoftHSM]:
    """A real SoftHSM2 token in a temporary directory.

    The PKCS#11 library reads ``SOFTHSM2_CONF`` once per process, so every
    test that needs a token shares this one; create keys with unique labels.
    """
    util = require_binary("softhsm2-util")
    module = require_file(
        "/usr/lib/softhsm/libsofthsm2.so", "the SoftHSM2 PKCS#11 module"
    )
    root = tmp_path_factory.mktemp("softhsm")
    (root / "tokens").mkdir()
    conf = root / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {root / 'tokens'}\n"
        "objectstore.backend = file\nlog.level = ERROR\n"
    )
    old = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run(
        [
            util,
            "--init-token",
            "--free",
            "--label",
            "dataprotect-test",
            "--so-pin",
            "12345678",
            "--pin",
            "1234",
        ],
        check=True,
        capture_output=True,
    )
    yield SoftHSM(module, "dataprotect-test", "1234")
    if old is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = old


@dataclass(frozen=True)
class PostgreSQL:
    """A throw-away PostgreSQL cluster on a loopback port (trust auth)."""

    bindir: str
    host: str
    port: int
    user: str
    _names: Iterator[int]

    def url(self, database: str = "postgres") -> str:
        """A libpq URL for *database* (no password: trust on loopback)."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{database}"

    def create_database(self) -> str:
        """Create an empty database with a fresh name and return its URL."""
        name = f"test_{next(self._names)}"
        self.run("createdb", name)
        return self.url(name)

    def run(self, tool: str, *args: str) -> str:
        """Run one of the cluster's client tools (psql, createdb...)."""
        argv = [
            os.path.join(self.bindir, tool),
            "-h",
            self.host,
            "-p",
            str(self.port),
            "-U",
            self.user,
            *args,
        ]
        done = subprocess.run(argv, check=True, capture_output=True, text=True)
        return done.stdout


def _as_postgres_user(argv: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: drop to ``postgres``."""
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", "postgres", "--", *argv]


@pytest.fixture(name="postgres", scope="session")
def _postgres() -> Iterator[PostgreSQL]:
    """A real PostgreSQL server (``initdb`` + ``pg_ctl``) in a temporary
    directory, listening on 127.0.0.1 only, stopped after the session.

    Tests create their own database with ``postgres.create_database()``.
    """
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    initdb = require_file(
        found[-1] if found else "/usr/lib/postgresql/<version>/bin/initdb",
        "PostgreSQL's initdb",
    )
    bindir = os.path.dirname(initdb)
    root = tempfile.mkdtemp(prefix="dataprotect-pg-")
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data = os.path.join(root, "data")
    port = free_port()
    init = [initdb, "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8"]
    subprocess.run(
        _as_postgres_user([*init, "--no-sync", "--locale=C"]),
        check=True,
        capture_output=True,
    )
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off"
    pg_ctl = os.path.join(bindir, "pg_ctl")
    log = os.path.join(root, "server.log")
    start = [pg_ctl, "-D", data, "-o", options, "-l", log, "-w", "start"]
    subprocess.run(
        _as_postgres_user(start),
        check=True,
        capture_output=True,
    )
    try:
        yield PostgreSQL(
            bindir, "127.0.0.1", port, "postgres", itertools.count()
        )
    finally:
        subprocess.run(
            _as_postgres_user([pg_ctl, "-D", data, "-m", "immediate", "stop"]),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(name="without_ml_kem")
def _without_ml_kem(monkeypatch: pytest.MonkeyPatch) -> None:
    """A cryptography without ML-KEM (older than 47): its module is gone."""
    from cryptography.hazmat.primitives import asymmetric

    monkeypatch.delattr(asymmetric, "mlkem", raising=False)
    monkeypatch.setitem(
        sys.modules, "cryptography.hazmat.primitives.asymmetric.mlkem", None
    )


@pytest.fixture(name="chromium")
def _chromium(tmp_path: Path) -> Iterator[object]:
    """Headless Debian Chromium through chromedriver (Selenium).

    Missing in CI is a failure; on a developer machine, a skip.
    """
    with chromium(tmp_path / "chromium-profile") as driver:
        yield driver

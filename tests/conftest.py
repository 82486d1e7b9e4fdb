"""Shared fixtures: Hypothesis profiles and real services.

Real services (redis-server, sshd, SoftHSM2, the age CLI, pdfsig) run as
subprocesses on loopback, started by fixtures with the helpers in
``tests/helpers.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hypothesis import HealthCheck, settings

from browser import chromium
from helpers import require_binary, require_file


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

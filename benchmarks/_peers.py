"""The command-line tools the benchmarks run: dataprotect's, age, gpg."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
#: What the ``dataprotect`` console script runs: ``[python, "-c", CLI, ...]``.
CLI = "import sys; from dataprotect.cli import main; sys.exit(main())"


def dataprotect_env(pycache: Path) -> dict[str, str]:
    """The environment for dataprotect processes run from this checkout.

    ``src`` first on the path, and the byte-code cache on in *pycache*
    (``PYTHONDONTWRITEBYTECODE`` may be set here, and the venv has no
    ``__pycache__``): start-up as after ``pip install``, which compiles.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT / "src"), env.get("PYTHONPATH")) if p
    )
    return env


def installed_dataprotect(tmp: Path, *, editable: bool = False) -> Path:
    """A fresh virtual environment in *tmp* holding dataprotect[cli] as a
    user installs it; returns its ``bin`` directory.

    By default a wheel built from this checkout, installed by an installer
    that byte-compiles every module (``pip``; ``uv pip install
    --compile-bytecode``), as ``pip install dataprotect[cli]`` leaves it.
    With *editable*, ``pip install -e`` of this checkout: the checkout's
    ``src`` is on the path (a ``.pth`` line, no import hook) and Python
    compiles its modules into ``src/__pycache__`` on first use.  uv does
    the work when it is on the PATH, else pip; the dependencies come from
    the package index, their newest versions, as for a user.
    """
    uv = shutil.which("uv")
    venv = tmp / ("venv-editable" if editable else "venv")
    python = venv / "bin" / "python"
    if editable:
        target = f"{ROOT}[cli]"
    else:
        wheels = tmp / "wheels"
        if uv:
            build = [uv, "build", "--wheel", "--out-dir", str(wheels)]
        else:
            build = [sys.executable, "-m", "pip", "wheel", "--no-deps"]
            build += ["--wheel-dir", str(wheels)]
        subprocess.run([*build, str(ROOT)], check=True, capture_output=True)
        (wheel,) = wheels.glob("dataprotect-*.whl")
        target = f"{wheel}[cli]"
    if uv:
        subprocess.run(
            [uv, "venv", "--quiet", "--python", sys.executable, str(venv)],
            check=True,
            capture_output=True,
        )
        install = [uv, "pip", "install", "--python", str(python)]
        install.append("--compile-bytecode")
    else:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        install = [str(python), "-m", "pip", "install", "--quiet"]
    if editable:
        install.append("--editable")
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    subprocess.run(
        [*install, target], check=True, capture_output=True, env=env
    )
    return venv / "bin"


class Age:
    """The ``age`` CLI with a new X25519 identity in *tmp*."""

    def __init__(self, tmp: Path) -> None:
        self.key = tmp / "age.key"
        subprocess.run(
            ["age-keygen", "-o", str(self.key)],
            check=True,
            capture_output=True,
        )
        self.recipient = subprocess.run(
            ["age-keygen", "-y", str(self.key)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()

    def encrypt(self, src: Path, dst: Path | str) -> list[str]:
        """The command that encrypts *src* into *dst*."""
        return ["age", "-r", self.recipient, "-o", str(dst), str(src)]

    def decrypt(self, src: Path, dst: Path | str) -> list[str]:
        """The command that decrypts *src* into *dst*."""
        return ["age", "-d", "-i", str(self.key), "-o", str(dst), str(src)]


def age_cli(tmp: Path) -> Age | None:
    """An :class:`Age` in *tmp*, or None when age is not installed."""
    if shutil.which("age") and shutil.which("age-keygen"):
        return Age(tmp)
    return None


class Gpg:
    """``gpg --symmetric --cipher-algo AES256`` with a private home.

    A passphrase file, no symmetric-key cache, no compression and the
    smallest S2K count, so the bulk cipher and the start-up are measured
    rather than the passphrase KDF.  :meth:`close` stops the agent that
    gpg starts.
    """

    def __init__(self, tmp: Path) -> None:
        self.home = tmp / "gnupg"
        self.home.mkdir(mode=0o700)
        secret = tmp / "gpg-passphrase"
        secret.write_text("benchmark passphrase\n", encoding="utf-8")
        self.base = [
            *("gpg", "--homedir", str(self.home), "--batch", "--yes"),
            *("--quiet", "--pinentry-mode", "loopback", "--no-symkey-cache"),
            *("--passphrase-file", str(secret)),
        ]

    def encrypt(self, src: Path, dst: Path | str) -> list[str]:
        """The command that encrypts *src* into *dst*."""
        return [
            *self.base,
            *("--symmetric", "--cipher-algo", "AES256", "--s2k-count"),
            *("1024", "--compress-algo", "none", "-o", str(dst), str(src)),
        ]

    def decrypt(self, src: Path, dst: Path | str) -> list[str]:
        """The command that decrypts *src* into *dst*."""
        return [*self.base, "--decrypt", "-o", str(dst), str(src)]

    def close(self) -> None:
        """Stop the gpg agent of this home."""
        subprocess.run(
            ["gpgconf", "--homedir", str(self.home), "--kill", "all"],
            check=False,
            capture_output=True,
        )


def gpg_symmetric(tmp: Path) -> Gpg | None:
    """A :class:`Gpg` in *tmp*, or None when gpg is not installed."""
    return Gpg(tmp) if shutil.which("gpg") else None

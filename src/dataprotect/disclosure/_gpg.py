"""OpenPGP cleartext signatures through the system ``gpg``."""

from __future__ import annotations

import os
import shutil
import subprocess

from pathlib import Path

from dataprotect.errors import BackendError, ConfigurationError


__all__ = ["sign_cleartext", "verify_cleartext"]

_TIMEOUT = 60.0


def _gpg(gpg: str) -> str:
    found = shutil.which(gpg)
    if found is None:
        msg = "gpg is not installed (or not on PATH)"
        raise BackendError(msg)
    return found


def _env(gnupghome: str | os.PathLike[str] | None) -> dict[str, str]:
    env = dict(os.environ)
    if gnupghome is not None:
        env["GNUPGHOME"] = os.fspath(gnupghome)
    return env


def _run(
    argv: list[str], text: str, gnupghome: str | os.PathLike[str] | None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(  # noqa: S603 - fixed argv, no shell; gpg resolved on PATH
        argv,
        input=text.encode(),
        capture_output=True,
        env=_env(gnupghome),
        timeout=_TIMEOUT,
        check=False,
    )


def sign_cleartext(
    text: str,
    *,
    key: str,
    gnupghome: str | os.PathLike[str] | None = None,
    passphrase_file: str | os.PathLike[str] | None = None,
    gpg: str = "gpg",
) -> str:
    """*text* wrapped in an OpenPGP cleartext signature made by *key*."""
    if not key or key.startswith("-"):
        msg = "key must be a key id, fingerprint or user id"
        raise ConfigurationError(msg)
    argv = [_gpg(gpg), "--batch", "--yes", "--armor", "--local-user", key]
    if passphrase_file is not None:
        argv += [
            "--pinentry-mode",
            "loopback",
            "--passphrase-file",
            str(Path(passphrase_file)),
        ]
    argv.append("--clearsign")
    try:
        done = _run(argv, text, gnupghome)
    except subprocess.TimeoutExpired:
        msg = "gpg did not finish signing in time"
        raise BackendError(msg) from None
    if done.returncode != 0:
        msg = (
            f"gpg could not sign with that key (exit status {done.returncode})"
        )
        raise BackendError(msg)
    return done.stdout.decode()


def verify_cleartext(
    signed: str,
    *,
    gnupghome: str | os.PathLike[str] | None = None,
    gpg: str = "gpg",
) -> str | None:
    """The signer's fingerprint if *signed* carries a good signature by a
    key in the keyring, else None."""
    argv = [_gpg(gpg), "--batch", "--status-fd", "1", "--verify"]
    try:
        done = _run(argv, signed, gnupghome)
    except subprocess.TimeoutExpired:
        return None
    if done.returncode != 0:
        return None
    status = done.stdout.decode(errors="replace").splitlines()
    if any(line.startswith("[GNUPG:] BADSIG ") for line in status):
        return None  # pragma: no cover - gpg exits non-zero for a bad one
    for line in status:
        if line.startswith("[GNUPG:] VALIDSIG "):
            return line.split()[2]
    return None  # pragma: no cover - a zero exit always has VALIDSIG

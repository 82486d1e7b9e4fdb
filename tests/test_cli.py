"""The ``dataprotect`` command: keys, encrypt/decrypt, demo, errors."""

from __future__ import annotations

import os
import subprocess
import sys

from pathlib import Path

import pytest

from click.testing import CliRunner

import dataprotect

from dataprotect.cli._app import cli
from dataprotect.keys import EnvKEK


@pytest.fixture(name="run")
def _run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("APP_KEK", EnvKEK.generate_value())
    monkeypatch.setenv("PASS", "correct horse battery")
    runner = CliRunner()

    def run(*args, input=None):
        return runner.invoke(
            cli, list(args), input=input, catch_exceptions=False
        )

    return run


class TestKeys:
    def test_lifecycle(self, run):
        """new, rotate, list, retire, reactivate, destroy with an env KEK."""
        kek = ["--kek", "env:APP_KEK"]
        assert run("keys", "new", "r.dpkr", *kek).exit_code == 0
        first = run("keys", "list", "r.dpkr", *kek).output.split()[0]
        out = run("keys", "rotate", "r.dpkr", *kek)
        assert out.exit_code == 0, out.output
        listing = run("keys", "list", "r.dpkr", *kek).output
        assert "primary" in listing
        assert first in listing
        for action in ("retire", "reactivate"):
            assert run("keys", action, "r.dpkr", first, *kek).exit_code == 0
        out = run("keys", "destroy", "r.dpkr", first, *kek, "--yes")
        assert out.exit_code == 0, out.output
        assert "destroyed" in run("keys", "list", "r.dpkr", *kek).output

    def test_passphrase_from_env(self, run):
        """A passphrase KEK reads its secret from --passphrase-env."""
        out = run("keys", "new", "p.dpkr", "--passphrase-env", "PASS")
        assert out.exit_code == 0, out.output
        assert (
            run("keys", "list", "p.dpkr", "--passphrase-env", "PASS").exit_code
            == 0
        )

    def test_refuses_overwrite(self, run):
        """keys new refuses to overwrite without --force."""
        run("keys", "new", "r.dpkr", "--kek", "env:APP_KEK")
        out = run("keys", "new", "r.dpkr", "--kek", "env:APP_KEK")
        assert out.exit_code == 2
        assert "exists" in out.output

    def test_errors_are_one_line(self, run):
        """Library errors exit 2 with one line and no traceback."""
        run("keys", "new", "r.dpkr", "--kek", "env:APP_KEK")
        out = run("keys", "list", "r.dpkr", "--passphrase-env", "PASS")
        assert out.exit_code == 2
        assert out.output.count("\n") == 1
        assert "Traceback" not in out.output
        out = run("keys", "retire", "r.dpkr", "zzz", "--kek", "env:APP_KEK")
        assert out.exit_code == 2
        out = run("keys", "list", "missing", "--kek", "env:APP_KEK")
        assert out.exit_code == 2
        out = run("keys", "list", "r.dpkr", "--kek", "bogus")
        assert out.exit_code == 2

    def test_no_secret_without_terminal(self, run):
        """Without a terminal or an -env/-file option, no secret is guessed."""
        out = run("keys", "new", "x.dpkr", input="")
        assert out.exit_code == 2
        assert "no passphrase" in out.output

    def test_generate_kek(self, run):
        """generate-kek prints a usable base64 key."""
        value = run("keys", "generate-kek").output.strip()
        EnvKEK("V", environ={"V": value}).wrap(bytes(32), b"")


class TestEncrypt:
    def test_file_round_trip(self, run, tmp_path):
        """encrypt then decrypt restores the file; tampering leaves nothing."""
        kek = ["--keyring", "r.dpkr", "--kek", "env:APP_KEK"]
        run("keys", "new", "r.dpkr", "--kek", "env:APP_KEK")
        data = os.urandom(100_000)
        (tmp_path / "data.bin").write_bytes(data)
        assert run("encrypt", "data.bin", *kek).exit_code == 0
        out = run("decrypt", "data.bin.dpenc", "-o", "back.bin", *kek)
        assert out.exit_code == 0, out.output
        assert (tmp_path / "back.bin").read_bytes() == data
        blob = bytearray((tmp_path / "data.bin.dpenc").read_bytes())
        blob[100] ^= 1
        (tmp_path / "bad.dpenc").write_bytes(bytes(blob))
        out = run("decrypt", "bad.dpenc", *kek)
        assert out.exit_code == 2
        assert out.output.strip() == "Error: decryption failed"
        assert not (tmp_path / "bad").exists()

    def test_context_and_default_names(self, run, tmp_path):
        """--context binds; a file without .dpenc decrypts to NAME.out."""
        kek = ["--keyring", "r.dpkr", "--kek", "env:APP_KEK"]
        run("keys", "new", "r.dpkr", "--kek", "env:APP_KEK")
        (tmp_path / "a").write_bytes(b"hello")
        run("encrypt", "a", "-o", "a.enc", "--context", "x", *kek)
        assert run("decrypt", "a.enc", "--context", "y", *kek).exit_code == 2
        assert run("decrypt", "a.enc", "--context", "x", *kek).exit_code == 0
        assert (tmp_path / "a.enc.out").read_bytes() == b"hello"


class TestDemo:
    def test_demo(self, run):
        """The demo runs every step and exits 0."""
        out = run("demo")
        assert out.exit_code == 0, out.output
        assert "demo finished" in out.output

    def test_console_script_pipe(self, tmp_path):
        """python -m dataprotect.cli works in a pipe (stdin to stdout)."""
        # The child must import this very package, wherever it was found.
        src = str(Path(dataprotect.__file__).resolve().parents[1])
        path = os.pathsep.join(
            filter(None, [src, os.environ.get("PYTHONPATH")])
        )
        env = {**os.environ, "K": EnvKEK.generate_value(), "PYTHONPATH": path}
        cmd = [sys.executable, "-m", "dataprotect.cli"]
        subprocess.run(
            [*cmd, "keys", "new", "r", "--kek", "env:K"],
            cwd=tmp_path,
            env=env,
            check=True,
            capture_output=True,
        )
        opts = ["--keyring", "r", "--kek", "env:K"]
        sealed = subprocess.run(
            [*cmd, "encrypt", "-", *opts],
            input=b"piped",
            cwd=tmp_path,
            env=env,
            check=True,
            capture_output=True,
        ).stdout
        plain = subprocess.run(
            [*cmd, "decrypt", "-", *opts],
            input=sealed,
            cwd=tmp_path,
            env=env,
            check=True,
            capture_output=True,
        ).stdout
        assert plain == b"piped"


@pytest.mark.services
class TestHSM:
    def test_keyring_under_softhsm(self, run, softhsm, monkeypatch):
        """keys new/list with a pkcs11: URI KEK, the PIN from the environment."""
        softhsm.create_aes_key("cli-kek")
        monkeypatch.setenv("PIN", softhsm.pin)
        kek = ["--kek", softhsm.uri("cli-kek"), "--passphrase-env", "PIN"]
        out = run("keys", "new", "h.dpkr", *kek)
        assert out.exit_code == 0, out.output
        assert "primary" in run("keys", "list", "h.dpkr", *kek).output
        monkeypatch.setenv("PIN", "0000")
        out = run("keys", "list", "h.dpkr", *kek)
        assert out.exit_code == 2
        assert "wrong PIN" in out.output


class TestNoSecretOnArgv:
    PIN = "Zq9-pin-4711"
    URI = (
        "pkcs11:token=t;object=o?module-path=/nonexistent/lib.so"
        f"&pin-value={PIN}"
    )

    def test_kek_uri_with_pin_value_refused(self, run):
        """--kek refuses a pkcs11: URI carrying pin-value, without echoing it."""
        out = run("keys", "new", "h.dpkr", "--kek", self.URI)
        assert out.exit_code == 2
        assert "pin-value" in out.output
        assert self.PIN not in out.output
        assert not Path("h.dpkr").exists()

    def test_pdf_pkcs11_uri_with_pin_value_refused(self, run):
        """pdf sign --pkcs11 refuses pin-value, without echoing it."""
        Path("doc.pdf").write_bytes(b"%PDF-1.4\n")
        out = run("pdf", "sign", "doc.pdf", "--pkcs11", self.URI)
        assert out.exit_code == 2
        assert "pin-value" in out.output
        assert self.PIN not in out.output

    def test_url_credentials_not_echoed(self, run):
        """A URL with a password given as a local file is not echoed back."""
        run("keys", "new", "r.dpkr", "--kek", "env:APP_KEK")
        url = "sftp://user:Zq9-secret@host/data.bin"
        out = run(
            "encrypt", url, "--keyring", "r.dpkr", "--kek", "env:APP_KEK"
        )
        assert out.exit_code == 2
        assert "Zq9-secret" not in out.output
        assert "[secure]@host/data.bin" in out.output

"""The ``dataprotect 2fa`` commands: totp-new and totp-check."""

from __future__ import annotations

import os
import stat

from pathlib import Path

import pyotp
import pytest

from click.testing import CliRunner

from dataprotect import Encryptor, Keyring
from dataprotect.cli._app import cli
from dataprotect.keys import EnvKEK
from dataprotect.twofactor import TOTP, TOTPRecord


KEK = ["--kek", "env:APP_KEK", "--keyring", "r.dpkr"]


@pytest.fixture(name="run")
def _run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("APP_KEK", EnvKEK.generate_value())
    runner = CliRunner()

    def run(*args, input=None):
        return runner.invoke(
            cli, list(args), input=input, catch_exceptions=False
        )

    assert run("keys", "new", "r.dpkr", "--kek", "env:APP_KEK").exit_code == 0
    return run


def _totp(tmp_path, **kwargs):
    ring = Keyring.load(tmp_path / "r.dpkr", kek=EnvKEK("APP_KEK"))
    return TOTP(Encryptor(ring), **kwargs)


def _new_args(record="alice.json", account="alice@example.com"):
    """totp-new's arguments for *record* and *account*."""
    return [
        "2fa",
        "totp-new",
        "--account",
        account,
        "--issuer",
        "ACME",
        "--record",
        record,
        *KEK,
    ]


def _new(run, *extra):
    out = run(*_new_args(), *extra)
    assert out.exit_code == 0, out.output
    return out


class TestTotpNew:
    def test_prints_uri_and_qr_and_writes_record(self, run, tmp_path):
        """The URI (pyotp reads it), a terminal QR code, and a 0600 record
        file holding the secret only encrypted."""
        out = _new(run, "--context", "users:1")
        uri = out.stdout.splitlines()[0]
        assert uri.startswith("otpauth://totp/ACME:alice%40example.com?")
        assert "\u2580" in out.stdout or "\u2584" in out.stdout
        assert "wrote alice.json" in out.stderr
        path = tmp_path / "alice.json"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        record = TOTPRecord.from_json(path.read_text())
        totp = _totp(tmp_path)
        secret = pyotp.parse_uri(uri).secret
        assert secret not in path.read_text()
        assert pyotp.parse_uri(uri).at(1000) == totp.code(
            record, context=b"users:1", now=1000
        )

    def test_parameters_and_no_qr(self, run, tmp_path):
        """--algorithm/--digits/--period reach the record; --no-qr prints
        only the URI."""
        out = _new(
            run,
            "--algorithm",
            "sha256",
            "--digits",
            "8",
            "--period",
            "60",
            "--no-qr",
        )
        assert out.stdout.count("\n") == 1
        record = TOTPRecord.from_json((tmp_path / "alice.json").read_text())
        assert (record.algorithm, record.digits, record.period) == (
            "sha256",
            8,
            60,
        )

    @pytest.mark.parametrize(
        ("name", "magic"), [("qr.svg", b"<svg"), ("QR.PNG", b"\x89PNG")]
    )
    def test_qr_file(self, run, tmp_path, name, magic):
        """--qr-file writes an SVG or PNG image (mode 0600)."""
        _new(run, "--no-qr", "--qr-file", name)
        image = tmp_path / name
        assert image.read_bytes().startswith(magic)
        assert stat.S_IMODE(image.stat().st_mode) == 0o600

    def test_refusals(self, run, tmp_path):
        """Existing records are kept unless --force; bad input is one line
        and exit 2."""
        _new(run)
        first = (tmp_path / "alice.json").read_text()
        out = run(*_new_args())
        assert out.exit_code == 2
        assert "exists" in out.output
        assert (tmp_path / "alice.json").read_text() == first
        _new(run, "--force")
        assert (tmp_path / "alice.json").read_text() != first
        for extra in (
            ["--qr-file", "qr.gif"],
            ["--algorithm", "md5"],
            ["--digits", "9"],
            ["--period", "5"],
        ):
            out = run(*_new_args("new.json"), *extra)
            assert out.exit_code == 2, extra
            assert out.output.count("\n") == 1
            assert "Traceback" not in out.output
            assert not (tmp_path / "new.json").exists()
        out = run(*_new_args("new.json", account="a:b"))
        assert out.exit_code == 2
        assert "account must be" in out.output


class TestTotpCheck:
    def test_accepts_once(self, run, tmp_path, monkeypatch):
        """A current code is accepted once and the record updated; the same
        code is then rejected with exit 1."""
        _new(run, "--context", "users:1", "--no-qr")
        path = tmp_path / "alice.json"
        record = TOTPRecord.from_json(path.read_text())
        code = _totp(tmp_path).code(record, context=b"users:1")
        monkeypatch.setenv("CODE", code)
        args = [
            "2fa",
            "totp-check",
            "alice.json",
            "--code-env",
            "CODE",
            "--context",
            "users:1",
            *KEK,
        ]
        out = run(*args)
        assert out.exit_code == 0, out.output
        assert out.stdout == "code accepted\n"
        stored = TOTPRecord.from_json(path.read_text())
        assert stored.last_step is not None
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        out = run(*args)
        assert out.exit_code == 1
        assert out.stderr == "code rejected\n"
        assert TOTPRecord.from_json(path.read_text()) == stored

    def test_code_from_file_and_wrong_code(self, run, tmp_path):
        """--code-file works; a wrong code exits 1 and changes nothing."""
        _new(run, "--no-qr")
        path = tmp_path / "alice.json"
        before = path.read_text()
        record = TOTPRecord.from_json(before)
        right = _totp(tmp_path).code(record)
        wrong = f"{(int(right) + 1) % 10**6:06d}"
        Path("code.txt").write_text(wrong + "\n")
        args = [
            "2fa",
            "totp-check",
            "alice.json",
            "--code-file",
            "code.txt",
            "--window",
            "0",
            *KEK,
        ]
        out = run(*args)
        assert out.exit_code == 1
        assert path.read_text() == before

    def test_errors_are_one_line(self, run, tmp_path, monkeypatch):
        """A malformed record, the wrong context, a missing code or a bad
        window: one line, exit 2, no traceback."""
        _new(run, "--context", "users:1", "--no-qr")
        monkeypatch.setenv("CODE", "123456")
        Path("bad.json").write_text('{"v": 1, "type": "totp"}')
        Path("huge.json").write_bytes(b" " * (70 * 1024) + b"{}")
        cases = [
            ["bad.json", "--code-env", "CODE"],
            ["huge.json", "--code-env", "CODE"],
            ["missing.json", "--code-env", "CODE"],
            ["alice.json", "--code-env", "CODE", "--context", "users:2"],
            ["alice.json", "--code-env", "UNSET"],
            ["alice.json", "--code-env", "CODE", "--window", "99"],
            ["alice.json"],
        ]
        for case in cases:
            out = run("2fa", "totp-check", *case, *KEK, input="")
            assert out.exit_code == 2, (case, out.output)
            assert out.output.count("\n") == 1, out.output
            assert "Traceback" not in out.output

    def test_help_lists_the_commands(self, run):
        """2fa --help names both commands; the group is registered."""
        out = run("2fa", "--help")
        assert "totp-new" in out.output
        assert "totp-check" in out.output
        assert "2fa" in run("--help").output

    def test_no_code_on_the_command_line(self, run):
        """There is no option that takes the code itself."""
        out = run("2fa", "totp-check", "--help")
        assert "--code " not in out.output
        assert "--code-env" in out.output
        assert os.environ.get("CODE") is None

"""The ``dataprotect`` command: keys, encrypt/decrypt, demo, errors."""

from __future__ import annotations

import os
import pty
import runpy
import select
import stat
import subprocess
import sys

from pathlib import Path

import click
import pytest

from click.testing import CliRunner

import dataprotect

from dataprotect.cli import main
from dataprotect.cli._app import COMMANDS, cli
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


@pytest.fixture(name="tty")
def _tty():
    """A real pseudo-terminal: (master fd, slave fd)."""
    master, slave = pty.openpty()
    yield master, slave
    os.close(master)
    os.close(slave)


def _typed(tty, *lines):
    """A terminal stdin for CliRunner on which *lines* have been typed."""
    master, slave = tty
    for line in lines:
        os.write(master, line.encode() + b"\n")
    return open(slave, "rb", buffering=0, closefd=False)


def _terminal_output(master: int) -> str:
    """What has been written to the terminal so far."""
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 0.2)
        if not ready:
            return b"".join(chunks).decode(errors="replace")
        chunks.append(os.read(master, 65536))


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

    def test_passphrase_prompt_on_a_terminal(self, run, tty):
        """On a terminal the passphrase is prompted for (twice for a new keyring)."""
        with _typed(tty, "Zq9 horse", "Zq9 horse") as stdin:
            out = run("keys", "new", "t.dpkr", input=stdin)
        assert out.exit_code == 0, out.output
        assert "Zq9" not in out.output
        with _typed(tty, "Zq9 horse") as stdin:
            out = run("keys", "list", "t.dpkr", input=stdin)
        assert out.exit_code == 0, out.output
        assert "primary" in out.output

    def test_passphrase_file(self, run, tmp_path):
        """--passphrase-file reads the passphrase; a missing file is one line."""
        (tmp_path / "pw").write_text("correct horse battery\n")
        out = run("keys", "new", "f.dpkr", "--passphrase-file", "pw")
        assert out.exit_code == 0, out.output
        out = run("keys", "list", "f.dpkr", "--passphrase-env", "PASS")
        assert out.exit_code == 0, out.output
        out = run("keys", "list", "f.dpkr", "--passphrase-file", "missing")
        assert out.exit_code == 2
        assert out.output == (
            "Error: cannot read the passphrase file missing: "
            "No such file or directory\n"
        )

    def test_identity_output(self, run, tmp_path):
        """An identity goes to a new 0600 file or stdout, never over a file."""
        out = run("backup", "keygen", "-o", "id.txt")
        assert out.exit_code == 0, out.output
        text = (tmp_path / "id.txt").read_text()
        assert stat.S_IMODE((tmp_path / "id.txt").stat().st_mode) == 0o600
        recipient = out.stderr.strip().removeprefix("Public key: ")
        assert f"# recipient: {recipient}" in text
        out = run("backup", "keygen", "-o", "id.txt")
        assert out.exit_code == 2
        assert out.output == (
            "Error: output file exists; refusing to overwrite an identity\n"
        )
        assert (tmp_path / "id.txt").read_text() == text
        out = run("backup", "keygen")
        assert out.exit_code == 0, out.output
        assert out.stdout.startswith("# created: ")
        assert out.stderr.startswith("Public key: ")


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

    def test_stdin_to_stdout(self, run):
        """'-' encrypts stdin to stdout and decrypts it back by default."""
        kek = ["--keyring", "r.dpkr", "--kek", "env:APP_KEK"]
        run("keys", "new", "r.dpkr", "--kek", "env:APP_KEK")
        sealed = run("encrypt", "-", *kek, input=b"piped bytes").stdout_bytes
        assert b"piped bytes" not in sealed
        out = run("decrypt", "-", *kek, input=sealed)
        assert out.exit_code == 0, out.output
        assert out.stdout_bytes == b"piped bytes"

    def test_missing_input_file(self, run):
        """A missing input file: exit 2, the OS reason and the name, one line."""
        run("keys", "new", "r.dpkr", "--kek", "env:APP_KEK")
        kek = ["--keyring", "r.dpkr", "--kek", "env:APP_KEK"]
        for name in ("missing.bin", "me@host.bin"):
            out = run("encrypt", name, *kek)
            assert out.exit_code == 2
            assert out.output == f"Error: No such file or directory: {name}\n"

    def test_progress_on_a_terminal(self, run, tmp_path, tty, monkeypatch):
        """With stderr on a terminal a progress bar runs; the output is intact."""
        run("keys", "new", "r.dpkr", "--kek", "env:APP_KEK")
        data = os.urandom(300_000)
        (tmp_path / "big.bin").write_bytes(data)
        kek = ["--keyring", "r.dpkr", "--kek", "env:APP_KEK"]
        with open(tty[1], "w", encoding="utf-8", closefd=False) as term:
            monkeypatch.setattr(sys, "stderr", term)
            cli.main(["encrypt", "big.bin", *kek], standalone_mode=False)
            cli.main(
                ["decrypt", "big.bin.dpenc", "-o", "back.bin", *kek],
                standalone_mode=False,
            )
        assert (tmp_path / "back.bin").read_bytes() == data

    def test_progress_without_rich(self, run, tmp_path, tty, monkeypatch):
        """Without rich, a terminal progress bar is a one-line dependency error."""
        run("keys", "new", "r.dpkr", "--kek", "env:APP_KEK")
        (tmp_path / "a.bin").write_bytes(b"data")
        monkeypatch.setitem(sys.modules, "rich.progress", None)
        kek = ["--keyring", "r.dpkr", "--kek", "env:APP_KEK"]
        with open(tty[1], "w", encoding="utf-8", closefd=False) as term:
            monkeypatch.setattr(sys, "stderr", term)
            with pytest.raises(SystemExit) as exit_:
                cli.main(["encrypt", "a.bin", *kek], prog_name="dataprotect")
            term.flush()
        assert exit_.value.code == 2
        shown = _terminal_output(tty[0])
        assert (
            shown.strip()
            == "Error: missing optional dependency: rich.progress"
        )
        assert not (tmp_path / "a.bin.dpenc").exists()


class TestEntryPoints:
    def test_help_lists_every_command(self, capsys):
        """main(['--help']) lists every registered command and exits 0."""
        with pytest.raises(SystemExit) as exit_:
            main(["--help"])
        assert exit_.value.code == 0
        out = capsys.readouterr().out
        assert out.startswith("Usage: dataprotect")
        for name in COMMANDS:
            assert name in out

    @pytest.mark.parametrize("width", [40, 60, 80, 120])
    def test_help_lists_what_click_would(self, width):
        """The command list from the summaries is the one click writes
        from the commands themselves (each imported), at every width."""
        ctx = click.Context(cli)
        ours = click.HelpFormatter(width=width)
        cli.format_commands(ctx, ours)
        clicks = click.HelpFormatter(width=width)
        click.Group.format_commands(cli, ctx, clicks)
        assert ours.getvalue() == clicks.getvalue()
        assert "encrypt" in ours.getvalue()

    def test_python_dash_m(self, capsys, monkeypatch):
        """python -m dataprotect.cli runs the same command line."""
        monkeypatch.setattr(sys, "argv", ["dataprotect", "--help"])
        with pytest.raises(SystemExit) as exit_:
            runpy.run_module("dataprotect.cli", run_name="__main__")
        assert exit_.value.code == 0
        assert "Usage: dataprotect" in capsys.readouterr().out

    def test_without_the_cli_extra(self, capsys, monkeypatch):
        """Without click the command says which extra to install (exit 2)."""
        monkeypatch.setitem(sys.modules, "dataprotect.cli._app", None)
        with pytest.raises(SystemExit) as exit_:
            main(["--help"])
        assert exit_.value.code == 2
        err = capsys.readouterr().err
        assert err == (
            "dataprotect: the command line needs its extra: "
            "pip install 'dataprotect[cli]'\n"
        )

    @pytest.mark.parametrize(
        ("filename", "shown"),
        [
            ("data.bin", "data.bin"),
            ("me@host.bin", "me@host.bin"),
            ("sftp://u:Zq9-pw@host/x", "sftp://[secure]@host/x"),
            (b"ftp://u:Zq9-pw@host/x", "ftp://[secure]@host/x"),
            (Path("u:Zq9-pw@host/x"), "u://[secure]@host/x"),
            ("9x:Zq9-pw@host/x", "[secure]@host/x"),
            (7, "7"),
        ],
    )
    def test_shown_path(self, filename, shown):
        """Paths in OS errors are shown with URL credentials masked."""
        from dataprotect.cli._errors import _shown_path

        assert _shown_path(filename) == shown

    def test_unknown_command(self, run):
        """An unknown command is a usage error (exit 2)."""
        out = run("no-such-command")
        assert out.exit_code == 2
        assert "No such command 'no-such-command'" in out.output


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
    def test_pin_source_in_the_uri(self, run, softhsm, tmp_path):
        """A pkcs11: URI with pin-source needs no -env/-file option."""
        softhsm.create_aes_key("cli-kek-src")
        (tmp_path / "pin").write_text(softhsm.pin + "\n")
        uri = (
            softhsm.uri("cli-kek-src") + f"&pin-source=file:{tmp_path / 'pin'}"
        )
        out = run("keys", "new", "s.dpkr", "--kek", uri, input="")
        assert out.exit_code == 0, out.output
        assert "primary" in run("keys", "list", "s.dpkr", "--kek", uri).output

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


class TestOneLine:
    """Every error is one line on stderr, exit 2."""

    def test_usage_errors(self, run):
        """Click's usage errors (bad option, bad value, unknown command) are
        one line pointing at --help."""
        result = run("--bogus")
        # click 8.2.0 says "No such option: --bogus", later ones quote it.
        assert result.exit_code == 2
        assert result.stderr.startswith("Error: No such option")
        assert result.stderr.endswith("--bogus (see 'cli --help')\n") or (
            result.stderr.endswith("'--bogus' (see 'cli --help')\n")
        )
        assert result.stderr.count("\n") == 1
        for args, shown in [
            (
                ("scan", "tls", "--timeout", "0", "x"),
                (
                    "Invalid value for '--timeout': 0.0 is not in the range "
                    "0<x<=3600 (see 'cli scan tls --help')"
                ),
            ),
            (("nope",), "No such command 'nope' (see 'cli --help')"),
        ]:
            result = run(*args)
            assert result.exit_code == 2
            assert result.stderr == f"Error: {shown}\n"

    def test_usage_error_without_context(self):
        """A usage error that carries no context still points at --help."""
        import click

        from dataprotect.cli._app import _one_line

        assert _one_line(click.UsageError("bad")).message == (
            "bad (see 'dataprotect --help')"
        )

    def test_internal_error_is_one_line(self, run, monkeypatch):
        """An unexpected exception is one line naming its type only (its
        message might hold data), never a traceback."""
        from dataprotect.cli import _keys

        def boom():
            msg = "Zq9-secret inside"
            raise RuntimeError(msg)

        monkeypatch.setattr(_keys.EnvKEK, "generate_value", boom)
        result = CliRunner().invoke(cli, ["keys", "generate-kek"])
        assert result.exit_code == 2
        assert result.stderr == (
            "Error: internal error (RuntimeError); please report it\n"
        )

    def test_os_error_without_text(self):
        """An OSError without strerror is named by its type; two paths are
        both shown."""
        from dataprotect.cli._errors import os_error_message

        assert os_error_message(OSError("odd")) == "OSError"
        assert os_error_message(
            OSError(18, "Invalid cross-device link", "a", None, "b")
        ) == ("Invalid cross-device link: a -> b")

    def test_empty_secret_variable(self, run, monkeypatch):
        """An empty secret variable is refused like an unset one."""
        monkeypatch.setenv("EMPTY", "")
        result = run("passwords", "hash", "--password-env", "EMPTY")
        assert result.exit_code == 2
        assert result.stderr == "Error: environment variable EMPTY is empty\n"

    def test_piped_secrets(self, run):
        """passwords hash/verify and tokens check read a piped secret."""
        stored = run(
            "passwords",
            "hash",
            "--time-cost",
            "1",
            "--memory-cost",
            "8",
            "--parallelism",
            "1",
            input="Zq9 piped horse\n",
        )
        assert stored.exit_code == 0, stored.output
        hashed = stored.stdout.strip()
        ok = run("passwords", "verify", hashed, input="Zq9 piped horse\n")
        assert ok.exit_code == 0, ok.output
        bad = run("passwords", "verify", hashed, input="other\n")
        assert bad.exit_code == 1
        token = run("tokens", "new", "acme").stdout
        assert run("tokens", "check", input=token).exit_code == 0

    def test_peppered_hash_errors(self, run, monkeypatch):
        """A peppered hash without --keyring says which option is needed;
        with a keyring, a library configuration error stays its own."""
        from dataprotect.errors import ConfigurationError
        from dataprotect.passwords import PasswordHasher

        run("keys", "new", "p.dpkr", "--kek", "env:APP_KEK")
        ring = ["--keyring", "p.dpkr", "--kek", "env:APP_KEK"]
        stored = run(
            "passwords", "hash", "--password-env", "PASS", *ring
        ).stdout.strip()
        result = run("passwords", "verify", stored, "--password-env", "PASS")
        assert result.exit_code == 2
        assert result.stderr == (
            "Error: this hash is peppered: give --keyring PATH (and its "
            "--kek) to verify it\n"
        )

        def refuse(self, stored, password):
            msg = "some other setting"
            raise ConfigurationError(msg)

        monkeypatch.setattr(PasswordHasher, "verify", refuse)
        result = run(
            "passwords", "verify", stored, "--password-env", "PASS", *ring
        )
        assert result.exit_code == 2
        assert result.stderr == "Error: some other setting\n"


class TestOutputRule:
    """-o: --force, default names, atomic files."""

    def test_force_and_default_names(self, run, tmp_path):
        """encrypt/decrypt name their default outputs in --help and
        replace an existing file only with --force."""
        assert "default: FILE.dpenc" in run("encrypt", "--help").output
        assert (
            "default: FILE without .dpenc" in run("decrypt", "--help").output
        )
        run("keys", "new", "r.dpkr", "--kek", "env:APP_KEK")
        opts = ["--keyring", "r.dpkr", "--kek", "env:APP_KEK"]
        (tmp_path / "a.txt").write_bytes(b"first")
        assert run("encrypt", "a.txt", *opts).exit_code == 0
        again = run("encrypt", "a.txt", *opts)
        assert again.exit_code == 2
        assert again.stderr == (
            "Error: a.txt.dpenc exists; use --force to overwrite it\n"
        )
        assert run("encrypt", "a.txt", *opts, "--force").exit_code == 0
        (tmp_path / "a.txt").write_bytes(b"old")
        back = run("decrypt", "a.txt.dpenc", *opts)
        assert back.exit_code == 2
        assert (tmp_path / "a.txt").read_bytes() == b"old"
        assert run("decrypt", "a.txt.dpenc", *opts, "--force").exit_code == 0
        assert (tmp_path / "a.txt").read_bytes() == b"first"
        assert sorted(os.listdir(tmp_path)) == [
            "a.txt",
            "a.txt.dpenc",
            "r.dpkr",
        ]

    def test_prune_columns(self, run, tmp_path):
        """backup prune -n lines up its verbs (no 'would removenightly')."""
        import io as _io

        from datetime import datetime, timedelta, timezone

        from dataprotect.backup import create_backup, generate_identity

        ident = generate_identity("x25519")
        start = datetime(2026, 1, 1, tzinfo=timezone.utc)
        for day in range(3):
            create_backup(
                _io.BytesIO(b"x"),
                tmp_path / "b",
                [ident.recipient],
                name="nightly",
                now=start + timedelta(days=day),
            )
        out = run("backup", "prune", "b", "--keep-last", "1", "-n")
        assert out.exit_code == 0, out.output
        lines = out.stdout.splitlines()
        assert lines[0].startswith("keep          nightly-")
        assert lines[1].startswith("would remove  nightly-")
        assert out.stderr == "1 kept, 2 to remove (dry run)\n"

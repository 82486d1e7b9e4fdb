"""``dataprotect encrypt``/``decrypt`` without click (cli._direct).

The plain calls run without importing click; every call they read, click
reads the same way, and every call they leave to click, click judges.
"""

from __future__ import annotations

import io
import os

from unittest import mock

import click
import pytest

from hypothesis import given
from hypothesis import strategies as st

from dataprotect.cli import _direct, main
from dataprotect.cli._encrypt import decrypt, encrypt
from dataprotect.encryption import Encryptor
from dataprotect.keys import EnvKEK, Keyring


COMMANDS = {"encrypt": encrypt, "decrypt": decrypt}

#: Words a call may hold: every option of the two commands, in both
#: forms, values that look like options, and what click alone reads.
WORDS = st.sampled_from(
    [
        *_direct.VALUED,
        *_direct.FLAGS,
        "--output=o.bin",
        "--output=",
        "--kek=env:K",
        "--context=a=b",
        "--force=1",
        "--keyring=",
        "-o=x",
        "-oX",
        "--help",
        "-h",
        "--",
        "--bogus",
        "-x",
        "-",
        "",
        "in.bin",
        "ring",
        "env:K",
        "a=b",
        "ü",
    ]
)


def _click_reading(name: str, args: list[str]) -> dict[str, object] | None:
    """The parameters click reads from *args*, or ``None`` if it refuses
    them (or shows the help)."""
    try:
        with COMMANDS[name].make_context(name, list(args)) as ctx:
            return dict(ctx.params)
    except (click.UsageError, click.exceptions.Exit):
        return None


class TestGrammar:
    @given(
        name=st.sampled_from(sorted(COMMANDS)),
        args=st.lists(WORDS, max_size=8),
        keyring_env=st.sampled_from([None, "", "env-ring"]),
    )
    def test_reads_what_click_reads(self, name, args, keyring_env):
        """Whatever the fast path reads, click reads the same; it reads
        nothing click refuses."""
        env = dict(os.environ)
        env.pop(_direct.KEYRING_ENV, None)
        if keyring_env is not None:
            env[_direct.KEYRING_ENV] = keyring_env
        with mock.patch.dict(os.environ, env, clear=True):
            found = _direct.parse([name, *args])
            theirs = _click_reading(name, args)
        if found is None:
            return
        command, params = found
        assert command is {"encrypt": _direct.encrypt_file}.get(
            name, _direct.decrypt_file
        )
        assert params == theirs

    @pytest.mark.parametrize(
        "args",
        [
            ["in.bin", "--keyring", "r"],
            ["--keyring=r", "-o", "-", "in.bin", "--force"],
            ["-", "--keyring", "r", "--kek", "env:K", "--context", "c"],
            ["in.bin", "--passphrase-env", "PW", "--keyring", "r"],
            ["in.bin", "--passphrase-file", "pw.txt", "--keyring", "r"],
        ],
    )
    def test_plain_calls_are_read(self, args):
        for name in COMMANDS:
            found = _direct.parse([name, *args])
            assert found is not None
            assert found[1] == _click_reading(name, args)

    @pytest.mark.parametrize(
        "args",
        [
            [],
            ["keys", "list"],
            ["encrypt"],
            ["encrypt", "--help"],
            ["encrypt", "a", "b", "--keyring", "r"],
            ["encrypt", "a", "--keyring", "r", "--keyring", "s"],
            ["encrypt", "a", "--keyring"],
            ["encrypt", "a", "--keyring", "-r"],
            ["encrypt", "a", "--keyring", "r", "--force=yes"],
            ["encrypt", "a", "--keyring", "r", "--bogus=1"],
            ["encrypt", "a", "--keyring", "r", "--", "b"],
            ["encrypt", "a"],  # no keyring, and no $DATAPROTECT_KEYRING
        ],
    )
    def test_other_calls_are_left_to_click(self, args, monkeypatch):
        monkeypatch.delenv(_direct.KEYRING_ENV, raising=False)
        assert _direct.parse(args) is None

    def test_the_keyring_comes_from_the_environment(self, monkeypatch):
        monkeypatch.setenv(_direct.KEYRING_ENV, "env-ring")
        found = _direct.parse(["decrypt", "a"])
        assert found is not None
        assert found[1]["keyring_path"] == "env-ring"
        monkeypatch.setenv(_direct.KEYRING_ENV, "")  # empty: as unset
        assert _direct.parse(["decrypt", "a"]) is None

    @pytest.mark.parametrize("name", sorted(COMMANDS))
    def test_the_table_is_the_click_command(self, name):
        """VALUED, FLAGS and DEFAULTS name exactly the click options."""
        params = COMMANDS[name].params
        options = [p for p in params if isinstance(p, click.Option)]
        assert {opt: p.name for p in options for opt in p.opts} == {
            **_direct.VALUED,
            **_direct.FLAGS,
        }
        assert {p.name for p in params} - {"file", "keyring_path"} == set(
            _direct.DEFAULTS
        )
        for p in options:
            assert p.secondary_opts == []
            assert p.is_flag == (p.name in _direct.FLAGS.values())
            if p.name == "keyring_path":
                assert p.envvar == _direct.KEYRING_ENV
                assert p.required
            else:
                assert p.envvar is None
        defaults = _click_reading(name, ["f", "--keyring", "r"])
        assert defaults == {
            **_direct.DEFAULTS,
            "file": "f",
            "keyring_path": "r",
        }


@pytest.fixture
def world(tmp_path, monkeypatch):
    """A keyring under an env: KEK and a plaintext, in the cwd."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("K", EnvKEK.generate_value())
    Keyring.generate().save("ring", kek=EnvKEK("K"))
    (tmp_path / "plain").write_bytes(b"secret data" * 100)
    return tmp_path


RING = ["--keyring", "ring", "--kek", "env:K"]


def _main(*args: str) -> int | str | None:
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    return exit_.value.code


class TestMain:
    def test_round_trip(self, world, capsys):
        assert _main("encrypt", "plain", *RING) == 0
        assert _main("decrypt", "plain.dpenc", *RING, "-o", "back") == 0
        assert (world / "back").read_bytes() == b"secret data" * 100
        assert capsys.readouterr() == ("", "")
        ring = Keyring.load("ring", kek=EnvKEK("K"))
        back = io.BytesIO()
        with (world / "plain.dpenc").open("rb") as sealed:
            Encryptor(ring).decrypt_stream(sealed, back)
        assert back.getvalue() == b"secret data" * 100

    def test_decrypt_default_names(self, world):
        assert _main("encrypt", "plain", *RING, "-o", "sealed") == 0
        assert _main("decrypt", "sealed", *RING) == 0
        assert (world / "sealed.out").read_bytes() == b"secret data" * 100

    def test_errors_are_one_line(self, world, capsys):
        assert _main("encrypt", "missing", *RING) == 2
        assert capsys.readouterr().err == (
            "Error: No such file or directory: missing\n"
        )
        (world / "junk").write_bytes(b"not a ciphertext")
        assert _main("decrypt", "junk", *RING, "-o", "out") == 2
        assert capsys.readouterr().err.startswith("Error: ")
        assert not (world / "out").exists()
        assert _main("encrypt", "plain", *RING, "-o", "junk") == 2
        assert capsys.readouterr().err == (
            "Error: junk exists; use --force to overwrite it\n"
        )

    def test_interrupt_is_click_s_abort(self, world, capsys, monkeypatch):
        def interrupted(*_args, **_params):
            raise KeyboardInterrupt

        monkeypatch.setitem(_direct._COMMANDS, "encrypt", interrupted)
        assert _main("encrypt", "plain", *RING) == 1
        assert capsys.readouterr().err == "\nAborted!\n"

    def test_click_reads_the_rest(self, world, capsys):
        assert _main("encrypt", "--help") == 0
        assert capsys.readouterr().out.startswith("Usage: dataprotect encrypt")
        assert _main("encrypt", "plain", *RING, "--bogus") == 2
        assert "--bogus" in capsys.readouterr().err


class TestProcessEnd:
    """Without argv, a plain call ends the process at once (os._exit)."""

    def test_nothing_is_left_to_the_teardown(self, world):
        """What os._exit skips: no atexit handler, thread or finalizer is
        added by a plain call."""
        import atexit
        import threading
        import weakref

        before = (
            atexit._ncallbacks(),
            threading.active_count(),
            len(weakref.finalize._registry),
        )
        assert _direct.run(["encrypt", "plain", *RING]) == 0
        assert _direct.run(["decrypt", "plain.dpenc", *RING, "-o", "x"]) == 0
        assert before == (
            atexit._ncallbacks(),
            threading.active_count(),
            len(weakref.finalize._registry),
        )

    def test_end_at_once(self, monkeypatch, capsys):
        from dataprotect import cli

        ended = []

        class EndedError(Exception):
            pass

        def exit_(code):
            ended.append(code)
            raise EndedError

        monkeypatch.setattr(os, "_exit", exit_)
        print("buffered", end="")
        with pytest.raises(EndedError):
            cli._end(2, at_once=True)
        assert ended == [2]
        assert capsys.readouterr().out == "buffered"
        with pytest.raises(SystemExit):  # only an int status ends at once
            cli._end("message", at_once=True)

    def test_real_process_through_pipes(self, world):
        """The console entry: ciphertext on stdout, flushed before the
        process ends; an error line on stderr."""
        import subprocess
        import sys

        import dataprotect

        src = os.path.dirname(os.path.dirname(dataprotect.__file__))
        env = {**os.environ, "PYTHONPATH": src}
        cmd = [sys.executable, "-m", "dataprotect.cli"]
        sealed = subprocess.run(
            [*cmd, "encrypt", "-", *RING],
            input=b"piped" * 1000,
            capture_output=True,
            check=True,
            timeout=60,
            env=env,
        )
        assert sealed.stderr == b""
        back = subprocess.run(
            [*cmd, "decrypt", "-", *RING],
            input=sealed.stdout,
            capture_output=True,
            check=True,
            timeout=60,
            env=env,
        )
        assert back.stdout == b"piped" * 1000
        bad = subprocess.run(
            [*cmd, "decrypt", "-", *RING],
            input=sealed.stdout[:-1],
            capture_output=True,
            check=False,
            timeout=60,
            env=env,
        )
        assert (bad.returncode, bad.stdout) == (2, b"")
        assert bad.stderr == b"Error: decryption failed\n"

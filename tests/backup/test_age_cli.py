"""Tests for `dataprotect backup age-encrypt|age-decrypt|age-keygen`."""

from __future__ import annotations

import io
import os
import random
import subprocess
import sys

from pathlib import Path

import pytest

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataprotect.backup import age
from dataprotect.cli._app import cli
from dataprotect.cli._backup_age import _Counting
from helpers import require_binary, tool_output, tty_run


CHUNK = 64 * 1024
# A low scrypt work factor for speed; age itself uses 18.
FAST = "10"
SRC = str(Path(__file__).resolve().parents[2] / "src")


def _data(size: int, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(size)


def _run(*args: str, input: bytes | None = None, env=None):
    return CliRunner().invoke(
        cli, ["backup", *args], input=input, env=env, catch_exceptions=False
    )


def _one_line_error(result) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("Error: ")


@pytest.fixture(name="keyfile")
def _keyfile(tmp_path):
    path = tmp_path / "key.txt"
    result = _run("age-keygen", "-o", str(path))
    assert result.exit_code == 0, result.output
    return path


def _recipient(keyfile: Path) -> str:
    return next(
        line.split(": ")[1]
        for line in keyfile.read_text().splitlines()
        if line.startswith("# public key: ")
    )


class TestKeygen:
    def test_file_like_age_keygen(self, tmp_path):
        """age-keygen -o writes age-keygen's layout, mode 0600, key on stderr."""
        path = tmp_path / "k.txt"
        result = _run("age-keygen", "-o", str(path))
        assert result.exit_code == 0, result.output
        assert path.stat().st_mode & 0o777 == 0o600
        lines = path.read_text().splitlines()
        assert lines[0].startswith("# created: ")
        assert lines[0].endswith("Z")
        assert lines[1].startswith("# public key: age1")
        ident = age.parse_identities(path.read_text())[0]
        assert str(ident.recipient) == lines[1].split(": ")[1]
        assert result.stderr == f"Public key: {ident.recipient}\n"
        assert result.stdout == ""

    def test_stdout_and_no_overwrite(self, tmp_path):
        """Without -o the identity goes to stdout; an existing file is kept."""
        result = _run("age-keygen")
        assert result.exit_code == 0
        assert "AGE-SECRET-KEY-1" in result.stdout
        assert "AGE-SECRET-KEY" not in result.stderr
        path = tmp_path / "k.txt"
        path.write_text("mine")
        result = _run("age-keygen", "-o", str(path))
        _one_line_error(result)
        assert path.read_text() == "mine"

    def test_pq(self, tmp_path):
        """--pq makes a hybrid identity whose files round-trip."""
        path = tmp_path / "pq.txt"
        result = _run("age-keygen", "--pq", "-o", str(path))
        assert result.exit_code == 0, result.output
        assert "AGE-SECRET-KEY-PQ-1" in path.read_text()
        recipient = _recipient(path)
        assert recipient.startswith("age1pq1")
        enc = _run("age-encrypt", "-r", recipient, input=b"quantum-safe")
        assert enc.exit_code == 0
        dec = _run("age-decrypt", "-i", str(path), input=enc.stdout_bytes)
        assert dec.exit_code == 0
        assert dec.stdout_bytes == b"quantum-safe"


class TestRoundTrip:
    @pytest.mark.parametrize("size", [0, 1, CHUNK, CHUNK + 1])
    @pytest.mark.parametrize("armor", [False, True])
    def test_files(self, tmp_path, keyfile, size, armor):
        """age-encrypt -r then age-decrypt -i on files, binary and armored."""
        data = _data(size, size)
        (tmp_path / "p").write_bytes(data)
        args = ["-a"] if armor else []
        enc = _run(
            "age-encrypt",
            "-r",
            _recipient(keyfile),
            *args,
            "-o",
            str(tmp_path / "c.age"),
            str(tmp_path / "p"),
        )
        assert enc.exit_code == 0, enc.output
        blob = (tmp_path / "c.age").read_bytes()
        assert blob.startswith(
            b"-----BEGIN AGE" if armor else b"age-encryption.org/v1\n"
        )
        dec = _run(
            "age-decrypt",
            "-i",
            str(keyfile),
            "-o",
            str(tmp_path / "out"),
            str(tmp_path / "c.age"),
        )
        assert dec.exit_code == 0, dec.output
        assert (tmp_path / "out").read_bytes() == data

    def test_stdin_stdout(self, keyfile):
        """'-' and no INPUT read stdin; output defaults to stdout."""
        data = _data(CHUNK * 2 + 5, 1)
        enc = _run("age-encrypt", "-r", _recipient(keyfile), "-", input=data)
        assert enc.exit_code == 0
        dec = _run("age-decrypt", "-i", str(keyfile), input=enc.stdout_bytes)
        assert dec.exit_code == 0
        assert dec.stdout_bytes == data
        dec = _run(
            "age-decrypt",
            "-i",
            str(keyfile),
            "-o",
            "-",
            "-",
            input=enc.stdout_bytes,
        )
        assert dec.stdout_bytes == data

    def test_recipients_file_and_identity(self, tmp_path, keyfile):
        """-R reads a recipients file with comments; -i encrypts to a key's recipient."""
        other = age.generate_x25519_identity()
        rfile = tmp_path / "recipients.txt"
        rfile.write_text(f"# team\n\n{other.recipient}\n  # laptop\n")
        enc = _run(
            "age-encrypt", "-R", str(rfile), "-i", str(keyfile), input=b"x"
        )
        assert enc.exit_code == 0, enc.output
        blob = enc.stdout_bytes
        assert blob.count(b"-> X25519 ") == 2
        assert age.decrypt(io.BytesIO(blob), io.BytesIO(), [other]) == 1
        dec = _run("age-decrypt", "-i", str(keyfile), input=blob)
        assert dec.stdout_bytes == b"x"

    def test_several_identity_files(self, tmp_path, keyfile):
        """Repeated -i: any identity that matches opens the file."""
        other = tmp_path / "other.txt"
        _run("age-keygen", "-o", str(other))
        enc = _run("age-encrypt", "-r", _recipient(keyfile), input=b"y")
        dec = _run(
            "age-decrypt",
            "-i",
            str(other),
            "-i",
            str(keyfile),
            input=enc.stdout_bytes,
        )
        assert dec.exit_code == 0
        assert dec.stdout_bytes == b"y"

    def test_passphrase_env_and_file(self, tmp_path, monkeypatch):
        """A passphrase from the environment encrypts; from a file decrypts."""
        monkeypatch.setenv("AGE_PW", "correct horse battery")
        (tmp_path / "pw").write_text("correct horse battery\n")
        enc = _run(
            "age-encrypt",
            "--passphrase-env",
            "AGE_PW",
            "--work-factor",
            FAST,
            "-a",
            input=b"s3cret rows",
        )
        assert enc.exit_code == 0, enc.output
        assert b"correct horse" not in enc.stdout_bytes
        dec = _run(
            "age-decrypt",
            "--passphrase-file",
            str(tmp_path / "pw"),
            input=enc.stdout_bytes,
        )
        assert dec.exit_code == 0, dec.output
        assert dec.stdout_bytes == b"s3cret rows"
        monkeypatch.setenv("AGE_PW", "wrong")
        dec = _run(
            "age-decrypt", "--passphrase-env", "AGE_PW", input=enc.stdout_bytes
        )
        _one_line_error(dec)

    def test_max_work_factor(self, monkeypatch):
        """A file asking for more scrypt work than --max-work-factor is refused."""
        monkeypatch.setenv("AGE_PW", "pw")
        enc = _run(
            "age-encrypt",
            "--passphrase-env",
            "AGE_PW",
            "--work-factor",
            "12",
            input=b"z",
        )
        dec = _run(
            "age-decrypt",
            "--passphrase-env",
            "AGE_PW",
            "--max-work-factor",
            "11",
            input=enc.stdout_bytes,
        )
        _one_line_error(dec)
        assert "work factor exceeds the limit" in dec.stderr

    def test_counting_reader(self):
        """The progress reader reports every byte it hands out."""
        seen: list[int] = []
        reader = _Counting(io.BytesIO(b"a" * 1000), seen.append)
        buf = bytearray(300)
        assert reader.readinto(memoryview(buf)) == 300
        assert reader.read(500) == b"a" * 500
        assert reader.read() == b"a" * 200
        assert sum(seen) == 1000

    def test_counting_reader_without_readinto(self):
        """A source offering only read() is read through it, every byte counted."""

        class ReadOnly:
            def __init__(self, data: bytes) -> None:
                self._src = io.BytesIO(data)

            def read(self, n: int = -1) -> bytes:
                return self._src.read(n)

        data = _data(3 * CHUNK + 7, 5)
        seen: list[int] = []
        reader = _Counting(ReadOnly(data), seen.append)  # type: ignore[arg-type]
        buf = bytearray(100)
        assert reader.readinto(memoryview(buf)) == 100
        assert bytes(buf) == data[:100]
        identity = age.generate_x25519_identity()
        out = io.BytesIO()
        age.encrypt(reader, out, [identity.recipient])
        assert sum(seen) == len(data)
        plain = io.BytesIO()
        age.decrypt(io.BytesIO(out.getvalue()), plain, [identity])
        assert plain.getvalue() == data[100:]

    def test_progress_bar_counts_the_input(self, tmp_path, keyfile):
        """With a progress bar, encryption still reads the whole input once."""
        data = _data(3 * CHUNK, 4)
        seen: list[int] = []
        out = io.BytesIO()
        age.encrypt(
            _Counting(io.BytesIO(data), seen.append),
            out,
            [_recipient(keyfile)],
        )
        assert sum(seen) == len(data)


class TestErrors:
    def test_usage_errors_are_one_line(self, tmp_path, keyfile, monkeypatch):
        """Every input error is one line on stderr with exit 2."""
        monkeypatch.setenv("AGE_PW", "pw")
        junk = tmp_path / "junk"
        junk.write_bytes(b"\xff\xfe not text")
        big = tmp_path / "big"
        big.write_bytes(b"#" * (1 << 20) + b"\n")
        recipient = _recipient(keyfile)
        cases = [
            ["age-encrypt"],
            ["age-encrypt", "-r", "age1notarecipient"],
            ["age-encrypt", "-r", "ssh-ed25519 AAAA"],
            ["age-encrypt", "-r", recipient, "--passphrase-env", "AGE_PW"],
            ["age-encrypt", "-R", str(tmp_path / "missing")],
            ["age-encrypt", "-R", str(junk)],
            ["age-encrypt", "-R", str(big)],
            ["age-encrypt", "-i", str(junk)],
            ["age-encrypt", "-r", recipient, str(tmp_path / "missing")],
            ["age-encrypt", "--passphrase-env", "UNSET_VARIABLE_X"],
            ["age-decrypt"],
            ["age-decrypt", "-i", str(tmp_path / "missing")],
            ["age-decrypt", "-i", str(junk)],
            ["age-decrypt", "-i", str(keyfile), str(tmp_path / "missing")],
            ["age-decrypt", "-i", str(keyfile), str(junk)],
            ["age-decrypt", "-p"],
        ]
        for args in cases:
            _one_line_error(_run(*args, input=b""))

    def test_binary_output_to_a_terminal_refused(
        self, tmp_path, keyfile, monkeypatch, capsys
    ):
        """On a real terminal, binary output is refused (exit 2, one line); armor is allowed."""
        import pty

        (tmp_path / "p").write_bytes(b"secret rows")
        master, slave = pty.openpty()
        try:
            with open(slave, "w", encoding="utf-8") as tty:
                monkeypatch.setattr(sys, "stdout", tty)
                argv = ["backup", "age-encrypt", "-r", _recipient(keyfile)]
                with pytest.raises(SystemExit) as refused:
                    cli.main([*argv, str(tmp_path / "p")], prog_name="dp")
                assert refused.value.code == 2
                err = capsys.readouterr().err
                assert err.strip().splitlines() == [
                    "Error: refusing to write binary output to a terminal; use -a or -o"
                ]
                with pytest.raises(SystemExit) as armored:
                    cli.main(
                        [*argv, "-a", str(tmp_path / "p")], prog_name="dp"
                    )
                assert armored.value.code == 0
                tty.flush()
                shown = os.read(master, 65536)
        finally:
            os.close(master)
        assert shown.startswith(b"-----BEGIN AGE ENCRYPTED FILE-----")
        assert b"secret rows" not in shown

    def test_native_commands_bound_key_files(self, tmp_path):
        """backup create -R / restore -i: binary, huge or missing key files are one line."""
        junk = tmp_path / "junk"
        junk.write_bytes(b"\xff\xfe not text")
        big = tmp_path / "big"
        big.write_bytes(b"#" * (1 << 20) + b"\n")
        (tmp_path / "p").write_bytes(b"x")
        for path in (junk, big, tmp_path / "missing"):
            create = [str(tmp_path / "p"), "--to", str(tmp_path / "d")]
            _one_line_error(_run("create", *create, "-R", str(path)))
            restore = [str(tmp_path / "b.dpbk"), "-i", str(path)]
            _one_line_error(_run("restore", *restore))
        assert not (tmp_path / "d").exists()

    def test_failed_decryption_leaves_no_file(self, tmp_path, keyfile):
        """A tampered, truncated or foreign file: exit 2, no output file, old file kept."""
        data = _data(3 * CHUNK, 2)
        enc = _run("age-encrypt", "-r", _recipient(keyfile), input=data)
        blob = enc.stdout_bytes
        other = tmp_path / "other.txt"
        _run("age-keygen", "-o", str(other))
        flipped = bytearray(blob)
        flipped[-10] ^= 1
        bad_inputs = [
            (bytes(flipped), keyfile),
            (blob[:-1], keyfile),
            (blob + b"\x00", keyfile),
            (blob, other),
            (b"not an age file at all\n", keyfile),
        ]
        out = tmp_path / "out"
        for bad, ident in bad_inputs:
            (tmp_path / "c.age").write_bytes(bad)
            decrypt = [
                "age-decrypt",
                "-i",
                str(ident),
                "-o",
                str(out),
                str(tmp_path / "c.age"),
            ]
            _one_line_error(_run(*decrypt))
            assert not out.exists()
            assert sorted(p.name for p in tmp_path.iterdir()) == [
                "c.age",
                "key.txt",
                "other.txt",
            ]
            out.write_bytes(b"previous")
            assert _run(*decrypt).exit_code == 2
            assert out.read_bytes() == b"previous"
            out.unlink()

    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(
        passphrase=st.text(
            alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E),
            min_size=12,
            max_size=40,
        ),
        flip=st.integers(min_value=0, max_value=10_000),
    )
    def test_no_secret_in_output(self, tmp_path, passphrase, flip):
        """No passphrase, identity or plaintext appears in any error or output."""
        secret_plain = b"PLAINTEXT-" + passphrase.encode()
        (tmp_path / "pw").write_text(passphrase)
        (tmp_path / "wrong").write_text(passphrase + "x")
        ident = age.generate_x25519_identity()
        (tmp_path / "k").write_text(ident.to_text() + "\n")
        enc = _run(
            "age-encrypt",
            "--passphrase-file",
            str(tmp_path / "pw"),
            "--work-factor",
            FAST,
            input=secret_plain,
        )
        assert enc.exit_code == 0
        blob = bytearray(enc.stdout_bytes)
        blob[flip % len(blob)] ^= 0x40
        runs = [
            _run(
                "age-decrypt",
                "--passphrase-file",
                str(tmp_path / "wrong"),
                input=enc.stdout_bytes,
            ),
            _run(
                "age-decrypt",
                "--passphrase-file",
                str(tmp_path / "pw"),
                input=bytes(blob),
            ),
            _run("age-decrypt", "-i", str(tmp_path / "k"), input=bytes(blob)),
            _run("age-encrypt", "-r", ident.to_text(), input=secret_plain),
            _run("age-encrypt", "-R", str(tmp_path / "k"), input=b""),
            _run("age-decrypt", "-i", str(tmp_path / "pw"), input=b""),
        ]
        for result in runs:
            text = result.stderr
            assert result.exit_code == 2, text
            assert passphrase not in text
            assert ident.to_text() not in text.upper()
            assert ident.to_text()[20:40] not in text.upper()
            assert "PLAINTEXT" not in text
            assert b"PLAINTEXT" not in result.stdout_bytes


# --- the real age CLI --------------------------------------------------------


@pytest.fixture(name="age_bin", scope="module")
def _age_bin():
    return require_binary("age"), require_binary("age-keygen")


@pytest.mark.services
class TestAgeInterop:
    @pytest.mark.parametrize("armor", [False, True])
    def test_age_decrypts_ours(self, age_bin, tmp_path, armor):
        """Our age-encrypt output decrypts with `age -d -i` of our age-keygen file."""
        keyfile = tmp_path / "key.txt"
        _run("age-keygen", "-o", str(keyfile))
        recipient = tool_output(age_bin[1], "-y", keyfile).decode().strip()
        assert recipient == _recipient(keyfile)
        for size in [0, 1, CHUNK, 200_000]:
            data = _data(size, size)
            (tmp_path / "p").write_bytes(data)
            args = ["-a"] if armor else []
            result = _run(
                "age-encrypt",
                "-r",
                recipient,
                *args,
                "--force",
                "-o",
                str(tmp_path / "c.age"),
                str(tmp_path / "p"),
            )
            assert result.exit_code == 0, result.output
            out = tool_output(
                age_bin[0], "-d", "-i", keyfile, tmp_path / "c.age"
            )
            assert out == data

    @pytest.mark.parametrize("armor", [False, True])
    def test_we_decrypt_age(self, age_bin, tmp_path, armor):
        """Files from `age -R` (and `-a`) decrypt with our age-decrypt -i of age-keygen's file."""
        keyfile = tmp_path / "key.txt"
        tool_output(age_bin[1], "-o", keyfile)
        rfile = tmp_path / "recipients.txt"
        rfile.write_text(tool_output(age_bin[1], "-y", keyfile).decode())
        for size in [0, 1, CHUNK, 200_000]:
            data = _data(size, size + 1)
            (tmp_path / "p").write_bytes(data)
            args = [
                age_bin[0],
                "-R",
                str(rfile),
                "-o",
                str(tmp_path / "c.age"),
            ]
            if armor:
                args.append("-a")
            subprocess.run([*args, str(tmp_path / "p")], check=True)
            result = _run(
                "age-decrypt",
                "-i",
                str(keyfile),
                "--force",
                "-o",
                str(tmp_path / "out"),
                str(tmp_path / "c.age"),
            )
            assert result.exit_code == 0, result.output
            assert (tmp_path / "out").read_bytes() == data

    def test_pipes_through_real_processes(self, age_bin, tmp_path):
        """`age -r X | dataprotect backup age-decrypt -i K -` and back, as processes."""
        keyfile = tmp_path / "key.txt"
        tool_output(age_bin[1], "-o", keyfile)
        recipient = _recipient(keyfile)
        data = _data(CHUNK * 3 + 17, 9)
        env = {**os.environ, "PYTHONPATH": SRC}
        sealed = tool_output(age_bin[0], "-r", recipient, input=data)
        opened = subprocess.run(
            [
                sys.executable,
                "-m",
                "dataprotect.cli",
                "backup",
                "age-decrypt",
                "-i",
                str(keyfile),
                "-",
            ],
            input=sealed,
            check=True,
            capture_output=True,
            env=env,
        )
        assert opened.stdout == data
        ours = subprocess.run(
            [
                sys.executable,
                "-m",
                "dataprotect.cli",
                "backup",
                "age-encrypt",
                "-r",
                recipient,
                "-a",
            ],
            input=data,
            check=True,
            capture_output=True,
            env=env,
        ).stdout
        back = subprocess.run(
            [age_bin[0], "-d", "-i", str(keyfile)],
            input=ours,
            check=True,
            capture_output=True,
        )
        assert back.stdout == data

    def test_passphrase_both_directions(self, age_bin, tmp_path):
        """`age -d` opens our passphrase file; we open one from `age -p`."""
        data = _data(CHUNK + 3, 5)
        (tmp_path / "p").write_bytes(data)
        (tmp_path / "pw").write_text("tty secret cli\n")
        result = _run(
            "age-encrypt",
            "--passphrase-file",
            str(tmp_path / "pw"),
            "--work-factor",
            FAST,
            "-o",
            str(tmp_path / "ours.age"),
            str(tmp_path / "p"),
        )
        assert result.exit_code == 0, result.output
        code = tty_run(
            [
                age_bin[0],
                "-d",
                "-o",
                str(tmp_path / "out1"),
                str(tmp_path / "ours.age"),
            ],
            b"tty secret cli",
        )
        assert code == 0
        assert (tmp_path / "out1").read_bytes() == data
        code = tty_run(
            [
                age_bin[0],
                "-p",
                "-o",
                str(tmp_path / "theirs.age"),
                str(tmp_path / "p"),
            ],
            b"tty secret cli",
        )
        assert code == 0
        result = _run(
            "age-decrypt",
            "--passphrase-file",
            str(tmp_path / "pw"),
            "-o",
            str(tmp_path / "out2"),
            str(tmp_path / "theirs.age"),
        )
        assert result.exit_code == 0, result.output
        assert (tmp_path / "out2").read_bytes() == data

    def test_age_rejects_what_we_reject(self, age_bin, tmp_path, keyfile):
        """A tampered file: both `age -d` and age-decrypt fail, no output."""
        enc = _run("age-encrypt", "-r", _recipient(keyfile), input=b"payload")
        blob = bytearray(enc.stdout_bytes)
        blob[-3] ^= 1
        (tmp_path / "c.age").write_bytes(blob)
        theirs = subprocess.run(
            [age_bin[0], "-d", "-i", str(keyfile), str(tmp_path / "c.age")],
            check=False,
            capture_output=True,
        )
        assert theirs.returncode != 0
        ours = _run(
            "age-decrypt",
            "-i",
            str(keyfile),
            "-o",
            str(tmp_path / "o"),
            str(tmp_path / "c.age"),
        )
        _one_line_error(ours)
        assert not (tmp_path / "o").exists()

"""Every subcommand against a table of bad inputs.

Missing, directory, empty, binary, non-UTF-8, huge, truncated, flipped
byte, wrong key, unwritable output, closed stdout: each row asserts that
there is no traceback, the exit code is the one DESIGN.md gives (1 a failed
check, 2 a usage or input error), stderr is one line, no file is left
behind and no unchecked plaintext reaches stdout.
"""

from __future__ import annotations

import io
import os
import shlex
import shutil
import stat
import subprocess
import sys
import threading

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
)

import dataprotect

from dataprotect import Encryptor, EnvKEK, Keyring, PasswordHasher
from dataprotect.backup import age, create_backup, generate_identity
from dataprotect.cli._app import cli
from helpers import pem_private_key


KEK = EnvKEK.generate_value()
OTHER_KEK = EnvKEK.generate_value()
ENV = {"APP_KEK": KEK, "OTHER_KEK": OTHER_KEK, "PW": "Zq9-correct-horse"}
#: Plaintext that must never reach stdout unchecked (2 MiB: many segments).
PLAIN = os.urandom(1 << 21)


def _flip(data: bytes, where: float = 0.9) -> bytes:
    raw = bytearray(data)
    raw[int(len(raw) * where)] ^= 0x01
    return bytes(raw)


def _pem_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM,
        serialization.PublicFormat.SubjectPublicKeyInfo,
    )


@pytest.fixture(name="world", scope="module")
def _world(tmp_path_factory):
    """A directory of good and bad inputs for every command."""
    root = tmp_path_factory.mktemp("world")
    kek = EnvKEK("APP_KEK", environ=ENV)
    ring = Keyring.generate()
    ring.save(root / "r.dpkr", kek=kek)
    Keyring.generate().save(
        root / "other.dpkr", kek=EnvKEK("OTHER_KEK", environ=ENV)
    )
    (root / "plain.bin").write_bytes(PLAIN)
    sealed = io.BytesIO()
    Encryptor(ring).encrypt_stream(io.BytesIO(PLAIN), sealed)
    enc = sealed.getvalue()
    (root / "good.dpenc").write_bytes(enc)
    (root / "flipped.dpenc").write_bytes(_flip(enc))
    (root / "truncated.dpenc").write_bytes(enc[: len(enc) * 3 // 4])
    (root / "other-ring.dpenc").write_bytes(enc)

    identity = generate_identity("x25519")
    stranger = generate_identity("x25519")
    (root / "id.key").write_text(identity.to_text() + "\n")
    (root / "stranger.key").write_text(stranger.to_text() + "\n")
    (root / "recipient.txt").write_text(f"{identity.recipient}\n")
    producer = Ed25519PrivateKey.generate()
    impostor = Ed25519PrivateKey.generate()
    (root / "producer.pem").write_bytes(pem_private_key(producer))
    (root / "producer.pub").write_bytes(_pem_public(producer))
    (root / "impostor.pub").write_bytes(_pem_public(impostor))
    backups = root / "backups"
    signed = create_backup(
        io.BytesIO(PLAIN),
        backups,
        [identity.recipient],
        name="signed",
        signing_key=producer,
    )
    unsigned = create_backup(
        io.BytesIO(PLAIN), backups, [identity.recipient], name="unsigned"
    )
    data = Path(signed.path).read_bytes()
    (root / "flipped.dpbk").write_bytes(_flip(data))
    (root / "truncated.dpbk").write_bytes(data[: len(data) * 3 // 4])
    (root / "signed.dpbk").write_bytes(data)
    (root / "unsigned.dpbk").write_bytes(Path(unsigned.path).read_bytes())

    age_id = age.generate_x25519_identity()
    (root / "age.key").write_text(age_id.to_text() + "\n")
    (root / "age-stranger.key").write_text(
        age.generate_x25519_identity().to_text() + "\n"
    )
    out = io.BytesIO()
    age.encrypt(io.BytesIO(PLAIN), out, [age_id.recipient])
    (root / "good.age").write_bytes(out.getvalue())
    (root / "flipped.age").write_bytes(_flip(out.getvalue()))
    (root / "truncated.age").write_bytes(out.getvalue()[:70_000])

    from dataprotect.cli._pdf import _demo_pki

    pki_root, pdf_key, pdf_cert = _demo_pki()
    (root / "root.pem").write_bytes(
        pki_root.public_bytes(serialization.Encoding.PEM)
    )
    (root / "signer.key").write_bytes(pem_private_key(pdf_key))
    (root / "signer.pem").write_bytes(
        pdf_cert.public_bytes(serialization.Encoding.PEM)
    )

    (root / "dir").mkdir()
    (root / "empty").write_bytes(b"")
    (root / "binary").write_bytes(bytes(range(256)) * 64)
    (root / "nonutf").write_bytes(b"caf\xe9 \xff\xfe\n")
    (root / "huge-secret").write_bytes(b"a" * ((1 << 16) + 10))
    (root / "huge-key").write_bytes(b"# x\n" * ((1 << 18) + 10))
    (root / "existing").write_bytes(b"keep me")
    (root / "taken.txt").write_bytes(b"keep me")
    (root / "taken.txt.dpenc").write_bytes(enc)
    (root / "typo.toml").write_text(
        '[[rules]]\nid = "x"\nkind = "x"\nregex = "x"\n'
    )
    (root / "log.txt").write_text("login anna@example.ch from 203.0.113.7\n")
    peppered = PasswordHasher(
        time_cost=1, memory_cost=8, parallelism=1, pepper=ring
    ).hash("Zq9-correct-horse")
    (root / "peppered.txt").write_text(peppered)
    return root


def _listing(root: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mode)
        for p in sorted(root.rglob("*"))
    }


@dataclass(frozen=True)
class Row:
    """One bad input: the arguments, and what must happen."""

    id: str
    args: tuple[str, ...]
    code: int = 2
    stdin: bytes | None = None
    says: str | None = None
    quiet: bool = False  # stdout must stay empty (no unchecked plaintext)
    env: dict[str, str] = field(default_factory=dict)


RING = ("--keyring", "r.dpkr", "--kek", "env:APP_KEK")
R = "--recipient"
#: The five fields the agreement template asks for.
FIELDS = "-f organisation=O -f employee=E -f role=R -f date=D -f systems=S"


def _row(row_id: str, command: str, **what) -> Row:
    """A row from a shell-like command line; the word RING stands for the
    keyring and KEK options."""
    words = shlex.split(command)
    args = [a for w in words for a in (RING if w == "RING" else (w,))]
    return Row(row_id, tuple(args), **what)


ROWS = [
    # --- missing input ---------------------------------------------------
    _row("encrypt-missing", "encrypt nope RING", says="nope"),
    _row("decrypt-missing", "decrypt nope RING", says="nope"),
    _row("keys-list-missing", "keys list nope --kek env:APP_KEK"),
    _row("keys-rotate-missing", "keys rotate nope --kek env:APP_KEK"),
    _row(
        "backup-create-missing",
        "backup create nope --to out -R recipient.txt",
        says="nope",
    ),
    _row("backup-restore-missing", "backup restore nope.dpbk -i id.key"),
    _row("backup-verify-missing", "backup verify nope.dpbk -i id.key", code=1),
    _row(
        "backup-list-missing",
        "backup list nope",
        says="No such file or directory",
    ),
    _row("backup-prune-missing", "backup prune nope --keep-last 1"),
    _row("age-encrypt-missing", "backup age-encrypt -i age.key -a nope"),
    _row("age-decrypt-missing", "backup age-decrypt -i age.key nope"),
    _row(
        "pseudonymise-missing",
        "pseudonymise nope --key-env PW",
        env={"PW": "A" * 43 + "="},
    ),
    _row(
        "pdf-sign-missing", "pdf sign nope --key signer.key --cert signer.pem"
    ),
    _row("pdf-verify-missing", "pdf verify nope --trust-root root.pem"),
    _row("scan-missing", "scan secrets nope", says="nope"),
    _row("scan-rules-missing", "scan secrets --rules nope dir"),
    _row("identity-missing", "backup age-decrypt -i nope good.age"),
    _row(
        "password-file-missing",
        "passwords hash --password-file nope",
        says="nope",
    ),
    _row(
        "breached-missing", "check-password --password-env PW --breached nope"
    ),
    # --- a directory where a file belongs --------------------------------
    _row("encrypt-dir", "encrypt dir RING -o x"),
    _row("decrypt-dir", "decrypt dir RING -o x"),
    _row("keys-list-dir", "keys list dir --kek env:APP_KEK"),
    _row("backup-create-dir", "backup create dir --to out -R recipient.txt"),
    _row("backup-restore-dir", "backup restore dir -i id.key"),
    _row("age-decrypt-dir", "backup age-decrypt -i age.key dir"),
    _row("pseudonymise-dir", "pseudonymise dir"),
    _row("pdf-verify-dir", "pdf verify dir --trust-root root.pem"),
    _row("secret-file-dir", "tokens check --token-file dir"),
    _row("identity-dir", "backup age-decrypt -i dir good.age"),
    # --- empty input -----------------------------------------------------
    _row("decrypt-empty", "decrypt empty RING -o -", quiet=True),
    _row("keys-list-empty", "keys list empty --kek env:APP_KEK"),
    _row("age-decrypt-empty", "backup age-decrypt -i age.key empty"),
    _row("backup-restore-empty", "backup restore empty -i id.key"),
    _row("password-file-empty", "passwords hash --password-file empty"),
    _row("pdf-verify-empty", "pdf verify empty --trust-root root.pem", code=1),
    _row("identity-empty", "backup age-decrypt -i empty good.age"),
    # --- binary input ----------------------------------------------------
    _row("decrypt-binary", "decrypt binary RING -o -", quiet=True),
    _row("keys-list-binary", "keys list binary --kek env:APP_KEK"),
    _row(
        "age-decrypt-binary",
        "backup age-decrypt -i age.key binary",
        quiet=True,
    ),
    _row(
        "backup-restore-binary", "backup restore binary -i id.key", quiet=True
    ),
    _row(
        "pdf-verify-binary", "pdf verify binary --trust-root root.pem", code=1
    ),
    _row("trust-root-binary", "pdf verify good.age --trust-root binary"),
    _row(
        "signer-binary", "backup restore signed.dpbk -i id.key --signer binary"
    ),
    _row(
        "sign-key-binary",
        "backup create plain.bin --to out -R recipient.txt --sign-key binary",
    ),
    # --- non-UTF-8 secrets and key files ---------------------------------
    _row(
        "nonutf-passwords-hash",
        "passwords hash --password-file nonutf",
        says="not UTF-8",
    ),
    _row(
        "nonutf-passwords-verify",
        "passwords verify '$argon2id$x' --password-file nonutf",
        says="not UTF-8",
    ),
    _row(
        "nonutf-check-password",
        "check-password --password-file nonutf",
        says="not UTF-8",
    ),
    _row(
        "nonutf-keys-list",
        "keys list r.dpkr --passphrase-file nonutf",
        says="not UTF-8",
    ),
    _row(
        "nonutf-tokens-check",
        "tokens check --token-file nonutf",
        says="not UTF-8",
    ),
    _row(
        "nonutf-pseudonymise",
        "pseudonymise log.txt --key-file nonutf",
        says="not UTF-8",
    ),
    _row(
        "nonutf-backup-create",
        "backup create plain.bin --to out --passphrase-file nonutf",
        says="not UTF-8",
    ),
    _row(
        "nonutf-backup-restore",
        "backup restore signed.dpbk --passphrase-file nonutf",
        says="not UTF-8",
    ),
    _row(
        "nonutf-age-encrypt",
        "backup age-encrypt -a --passphrase-file nonutf plain.bin",
        says="not UTF-8",
    ),
    _row(
        "nonutf-age-decrypt",
        "backup age-decrypt --passphrase-file nonutf good.age",
        says="not UTF-8",
    ),
    _row(
        "nonutf-pdf-sign",
        "pdf sign x.pdf --p12 binary --passphrase-file nonutf",
        says="not UTF-8",
    ),
    _row(
        "nonutf-stdin-password",
        "passwords hash",
        stdin=b"\xff\xfe\n",
        says="not UTF-8",
    ),
    _row(
        "nonutf-identity",
        "backup age-decrypt -i nonutf good.age",
        says="not UTF-8",
    ),
    _row(
        "nonutf-recipients",
        "backup age-encrypt -a -R nonutf plain.bin",
        says="not UTF-8",
    ),
    _row(
        "nonutf-backup-recipients",
        "backup create plain.bin --to out -R nonutf",
        says="not UTF-8",
    ),
    _row("nonutf-rules", "scan secrets --rules nonutf dir"),
    # --- huge ------------------------------------------------------------
    _row(
        "huge-secret",
        "passwords hash --password-file huge-secret",
        says="64 KiB",
    ),
    _row(
        "huge-stdin-secret",
        "tokens check",
        stdin=b"t" * (1 << 17),
        says="64 KiB",
    ),
    _row(
        "huge-identity",
        "backup age-decrypt -i huge-key good.age",
        says="1 MiB",
    ),
    # --- truncated -------------------------------------------------------
    _row("decrypt-truncated", "decrypt truncated.dpenc RING -o -", quiet=True),
    _row(
        "age-decrypt-truncated",
        "backup age-decrypt -i age.key truncated.age",
        quiet=True,
    ),
    _row(
        "backup-restore-truncated",
        "backup restore truncated.dpbk -i id.key",
        quiet=True,
    ),
    _row(
        "backup-verify-truncated",
        "backup verify truncated.dpbk -i id.key",
        code=1,
    ),
    # --- one flipped byte ------------------------------------------------
    _row("decrypt-flipped", "decrypt flipped.dpenc RING -o -", quiet=True),
    _row(
        "decrypt-flipped-stdin", "decrypt - RING", stdin=b"flipped", quiet=True
    ),
    _row(
        "age-decrypt-flipped",
        "backup age-decrypt -i age.key flipped.age",
        quiet=True,
    ),
    _row(
        "backup-restore-flipped",
        "backup restore flipped.dpbk -i id.key",
        quiet=True,
    ),
    _row(
        "backup-verify-flipped", "backup verify flipped.dpbk -i id.key", code=1
    ),
    # --- wrong key -------------------------------------------------------
    _row(
        "decrypt-wrong-keyring",
        "decrypt good.dpenc --keyring other.dpkr --kek env:OTHER_KEK -o -",
        quiet=True,
    ),
    _row("keys-list-wrong-kek", "keys list r.dpkr --kek env:OTHER_KEK"),
    _row(
        "age-decrypt-wrong-identity",
        "backup age-decrypt -i age-stranger.key good.age",
        quiet=True,
    ),
    _row(
        "backup-restore-wrong-identity",
        "backup restore signed.dpbk -i stranger.key",
        quiet=True,
    ),
    _row(
        "backup-restore-wrong-signer",
        "backup restore signed.dpbk -i id.key --signer impostor.pub",
        quiet=True,
    ),
    _row(
        "backup-restore-unsigned",
        "backup restore unsigned.dpbk -i id.key --signer producer.pub",
        quiet=True,
    ),
    _row(
        "backup-verify-wrong-signer",
        "backup verify signed.dpbk -i id.key --signer impostor.pub",
        code=1,
    ),
    _row(
        "peppered-without-keyring",
        "passwords verify PEPPERED --password-env PW",
        says="--keyring",
    ),
    # --- unwritable output ------------------------------------------------
    _row(
        "encrypt-out-nodir",
        "encrypt plain.bin RING -o nodir/x",
        says="nodir/x",
    ),
    _row(
        "encrypt-out-dir",
        "encrypt plain.bin RING -o dir",
        says="Is a directory: dir",
    ),
    _row(
        "decrypt-out-nodir",
        "decrypt good.dpenc RING -o nodir/x",
        says="nodir/x",
    ),
    _row(
        "decrypt-out-existing",
        "decrypt good.dpenc RING -o existing",
        says="--force",
    ),
    _row(
        "encrypt-default-existing",
        "encrypt taken.txt RING",
        says="taken.txt.dpenc exists; use --force",
    ),
    _row(
        "decrypt-default-existing",
        "decrypt taken.txt.dpenc RING",
        says="taken.txt exists; use --force",
    ),
    _row(
        "restore-out-dir",
        "backup restore signed.dpbk -i id.key -o dir",
        says="dir",
    ),
    _row(
        "age-encrypt-out-nodir",
        "backup age-encrypt -i age.key -o nodir/x plain.bin",
        says="nodir/x",
    ),
    _row(
        "age-decrypt-out-dir",
        "backup age-decrypt -i age.key -o dir good.age",
        says="dir",
    ),
    _row("pseudonymise-out-dir", "pseudonymise log.txt -o dir", says="dir"),
    _row(
        "scan-out-nodir",
        "scan secrets dir --format json -o nodir/r.json",
        says="nodir/r.json",
    ),
    _row(
        "keys-new-nodir",
        "keys new nodir/k.dpkr --kek env:APP_KEK",
        says="nodir/k.dpkr",
    ),
    _row(
        "keygen-out-nodir",
        "backup keygen -o nodir/id.key",
        says="nodir/id.key",
    ),
    _row(
        "age-keygen-out-nodir",
        "backup age-keygen -o nodir/id.key",
        says="nodir/id.key",
    ),
    _row(
        "pdf-render-out-nodir",
        f"pdf render --template agreement -o nodir/a.pdf {FIELDS}",
        says="nodir/a.pdf",
    ),
    # --- input that must be refused -----------------------------------------
    _row("scan-tls-empty-host", "scan tls ''"),
    _row("scan-tls-bad-port", "scan tls localhost:99999"),
    _row("scan-tls-negative-timeout", "scan tls --timeout -1 localhost"),
    _row("scan-ssh-negative-timeout", "scan ssh --timeout -1 localhost"),
    _row("scan-ssh-empty-host", "scan ssh :22"),
    _row(
        "scan-rules-typo",
        "scan secrets --rules typo.toml dir",
        says="typo.toml",
    ),
    _row("scan-stdin-twice", "scan secrets - -", stdin=b""),
    _row(
        "pdf-render-extra-field",
        f"pdf render --template agreement -o a.pdf {FIELDS} -f extra=1",
        says="extra",
    ),
    _row("pseudonymise-bad-region", "pseudonymise log.txt --region XX"),
    _row(
        "tokens-check-malformed", "tokens check", code=1, stdin=b"acme_nope\n"
    ),
    _row(
        "passwords-verify-mismatch",
        "passwords verify '$argon2id$x' --password-env PW",
    ),
]


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_bad_input(row, world, monkeypatch):
    """No traceback; exit code per DESIGN.md; one line on stderr; no file
    left behind; no unchecked plaintext on stdout."""
    monkeypatch.chdir(world)
    before = _listing(world)
    args = [
        (world / "peppered.txt").read_text() if a == "PEPPERED" else a
        for a in row.args
    ]
    stdin = row.stdin
    if stdin == b"flipped":
        stdin = (world / "flipped.dpenc").read_bytes()
    result = CliRunner().invoke(
        cli, args, input=stdin, env={**ENV, **row.env}, catch_exceptions=True
    )
    assert result.exception is None or isinstance(
        result.exception, SystemExit
    ), repr(result.exception)
    assert "Traceback" not in result.output
    assert result.exit_code == row.code, result.output
    lines = result.stderr.splitlines()
    if row.code == 2:
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("Error: ")
        assert "internal error" not in lines[0]
        assert ".tmp" not in lines[0]
    else:
        assert len(lines) <= 1, result.stderr
    if row.says is not None:
        assert row.says in result.stderr
    if row.quiet:
        assert result.stdout_bytes == b""
    assert PLAIN[:64] not in result.stdout_bytes
    assert _listing(world) == before


class TestNonRegularOutput:
    """-o at a FIFO or a device: written in place, never replaced."""

    def _run(self, world, *args, stdin=None):
        return CliRunner().invoke(cli, list(args), input=stdin, env=ENV)

    def test_fifo_gets_checked_plaintext(self, world, monkeypatch, tmp_path):
        """A real FIFO with a reader: the plaintext arrives once checked,
        the FIFO stays a FIFO; a damaged input sends nothing (EOF)."""
        monkeypatch.chdir(world)
        fifo = tmp_path / "fifo"
        os.mkfifo(fifo)
        for source, expected, code in [
            ("good.dpenc", PLAIN, 0),
            ("flipped.dpenc", b"", 2),
        ]:
            got: list[bytes] = []
            reader = threading.Thread(
                target=lambda sink=got: sink.append(fifo.read_bytes())
            )
            reader.start()
            result = self._run(
                world, "decrypt", source, *RING, "-o", str(fifo)
            )
            reader.join(timeout=60)
            assert result.exit_code == code, result.output
            assert got == [expected]
            assert stat.S_ISFIFO(fifo.stat().st_mode)

    def test_dev_null_stays_a_device(self, world, monkeypatch):
        """-o /dev/null writes into the device; it is not replaced."""
        monkeypatch.chdir(world)
        result = self._run(
            world, "encrypt", "plain.bin", *RING, "-o", "/dev/null"
        )
        assert result.exit_code == 0, result.output
        assert stat.S_ISCHR(os.stat("/dev/null").st_mode)

    def test_binary_to_a_terminal_device(self, world, monkeypatch):
        """A terminal named with -o is refused for binary output too."""
        import pty

        monkeypatch.chdir(world)
        master, slave = pty.openpty()
        try:
            result = self._run(
                world, "encrypt", "plain.bin", *RING, "-o", os.ttyname(slave)
            )
        finally:
            os.close(master)
            os.close(slave)
        assert result.exit_code == 2
        assert "binary output to a terminal" in result.stderr


class TestStdout:
    """What reaches stdout, and what happens when nobody reads it."""

    def test_checked_output_reaches_stdout_whole(self, world, monkeypatch):
        """decrypt, restore and age-decrypt to stdout give all the
        plaintext once checked (a signed backup with --signer too)."""
        monkeypatch.chdir(world)
        runner = CliRunner()
        for args in [
            ("decrypt", "good.dpenc", *RING, "-o", "-"),
            (
                "backup",
                "restore",
                "signed.dpbk",
                "-i",
                "id.key",
                "--signer",
                "producer.pub",
            ),
            ("backup", "age-decrypt", "-i", "age.key", "good.age"),
        ]:
            result = runner.invoke(cli, list(args), env=ENV)
            assert result.exit_code == 0, result.output
            assert result.stdout_bytes == PLAIN

    def test_encrypt_refuses_a_terminal(self, world, monkeypatch, capsys):
        """encrypt -o - on a terminal is refused, as age does."""
        import pty

        from dataprotect.cli import main

        monkeypatch.chdir(world)
        for name, value in ENV.items():
            monkeypatch.setenv(name, value)
        master, slave = pty.openpty()
        try:
            with open(slave, "w", encoding="utf-8", closefd=False) as tty:
                monkeypatch.setattr(sys, "stdout", tty)
                with pytest.raises(SystemExit) as exit_:
                    main(["encrypt", "plain.bin", *RING, "-o", "-"])
        finally:
            os.close(master)
            os.close(slave)
        assert exit_.value.code == 2
        assert capsys.readouterr().err == (
            "Error: refusing to write binary output to a terminal; "
            "use -o FILE or a pipe\n"
        )

    def test_broken_pipe_is_quiet(self, monkeypatch, capsys):
        """When the reader of stdout has gone, main() exits 141 silently,
        whether the write fails in a command or at the final flush."""
        from dataprotect.cli import main

        read, write = os.pipe()
        os.close(read)
        pipe = open(write, "w", encoding="utf-8")  # noqa: SIM115 - closed below
        try:
            monkeypatch.setattr(sys, "stdout", pipe)
            with pytest.raises(SystemExit) as exit_:
                main(["keys", "generate-kek"])
            assert exit_.value.code == 141
            buffered = io.TextIOWrapper(io.BufferedWriter(_Broken()))
            buffered.write("still buffered")
            monkeypatch.setattr(sys, "stdout", buffered)
            monkeypatch.setenv("BAD_TOKEN", "acme_nope")
            with pytest.raises(SystemExit) as exit_:
                main(["tokens", "check", "--token-env", "BAD_TOKEN"])
            assert exit_.value.code == 141
        finally:
            monkeypatch.undo()
            pipe.close()
        assert capsys.readouterr().err == (
            "not a well-formed token (typo or wrong prefix)\n"
        )

    def test_stdout_broken(self, monkeypatch):
        """Only a stdout whose reader has gone counts as broken."""
        from dataprotect.cli._errors import stdout_broken

        monkeypatch.setattr(sys, "stdout", io.StringIO())
        assert not stdout_broken()  # no file descriptor at all
        read, write = os.pipe()
        with open(write, "w", encoding="utf-8") as pipe:
            monkeypatch.setattr(sys, "stdout", pipe)
            assert not stdout_broken()
            os.close(read)
            assert stdout_broken()

    def test_other_broken_pipe_is_an_error(self, world, monkeypatch):
        """A broken pipe that is not stdout's (a server hung up) is an
        error line, not a quiet exit."""
        from dataprotect.cli import _errors

        monkeypatch.chdir(world)

        def hang_up(*_args, **_kwargs):
            raise BrokenPipeError(32, "Broken pipe")

        monkeypatch.setattr("dataprotect.tls.check_tls", hang_up)
        monkeypatch.setattr(_errors, "stdout_broken", lambda: False)
        result = CliRunner().invoke(cli, ["scan", "tls", "localhost"])
        assert result.exit_code == 2
        assert result.stderr == "Error: Broken pipe\n"

    def test_closed_stdout(self, monkeypatch, capsys):
        """A stdout the shell closed (>&-) is one error line, exit 2."""
        from dataprotect.cli import main

        monkeypatch.setattr(sys, "stdout", None)
        with pytest.raises(SystemExit) as exit_:
            main(["keys", "generate-kek"])
        monkeypatch.undo()
        assert exit_.value.code == 2
        assert capsys.readouterr().err == "Error: stdout is closed\n"

    def test_closed_stdout_for_binary_and_stdin(self, world, monkeypatch):
        """output_file and input_file refuse a closed stdout or stdin."""
        from dataprotect.cli._errors import InputError
        from dataprotect.cli._files import input_file, output_file

        monkeypatch.setattr(sys, "stdout", None)
        with (
            pytest.raises(InputError, match="stdout is closed"),
            output_file("-"),
        ):
            pass  # pragma: no cover - never entered
        monkeypatch.setattr(sys, "stdin", None)
        with (
            pytest.raises(InputError, match="stdin is closed"),
            input_file("-"),
        ):
            pass  # pragma: no cover - never entered


class _Broken(io.RawIOBase):
    """A stdout whose reader has gone: every write is EPIPE."""

    def writable(self):
        return True

    def write(self, data):
        raise BrokenPipeError(32, "Broken pipe")

    def fileno(self):
        read, write = os.pipe()
        os.close(read)
        return write


class TestRealProcesses:
    """The console entry point in real pipes (no CliRunner)."""

    def _cmd(self):
        src = str(Path(dataprotect.__file__).resolve().parents[1])
        path = os.pathsep.join(
            filter(None, [src, os.environ.get("PYTHONPATH")])
        )
        env = {**os.environ, **ENV, "PYTHONPATH": path}
        return [sys.executable, "-m", "dataprotect.cli"], env

    def _bash(self, script, *, check=False, **extra_env):
        """Run a bash script with the environment of _cmd (text output)."""
        _, env = self._cmd()
        return subprocess.run(
            ["bash", "-c", script],
            env={**env, **extra_env},
            capture_output=True,
            text=True,
            check=check,
            timeout=120,
        )

    def test_head_closes_the_pipe(self, world):
        """`pseudonymise big.log | head -2`: two lines, no error, 141."""
        cmd, _ = self._cmd()
        log = "\n".join(f"mail a{i}@example.ch" for i in range(50_000))
        (world.parent / "big.log").write_text(log + "\n")
        shell = (
            f"{' '.join(cmd)} pseudonymise {world.parent / 'big.log'} "
            '--key-env KEY | head -2; echo "status ${PIPESTATUS[0]}"'
        )
        out = self._bash(shell, check=True, KEY="A" * 43 + "=")
        assert out.stdout.splitlines()[-1] == "status 141"
        assert len(out.stdout.splitlines()) == 3
        assert out.stderr == ""

    def test_closed_stdout_fd(self, world):
        """`dataprotect keys generate-kek >&-`: one line, exit 2."""
        cmd, _ = self._cmd()
        out = self._bash(f"{' '.join(cmd)} keys generate-kek >&-")
        assert out.returncode == 2
        assert out.stderr == "Error: stdout is closed\n"

    def test_flipped_byte_releases_nothing(self, world):
        """decrypt of a damaged 2 MiB file into a pipe: not one byte."""
        cmd, env = self._cmd()
        out = subprocess.run(
            [*cmd, "decrypt", "flipped.dpenc", *RING, "-o", "-"],
            cwd=world,
            env=env,
            capture_output=True,
            check=False,
            timeout=120,
        )
        assert out.returncode == 2
        assert out.stdout == b""
        assert out.stderr == b"Error: decryption failed\n"


def test_world_is_clean(world):
    """Nothing outside the table's directory is needed (sanity check)."""
    assert shutil.which("bash") is not None
    assert (world / "good.dpenc").is_file()

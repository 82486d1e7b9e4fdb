"""Tests for database backups: DumpSource (pg_dump, SQLite, any command),
rehearse_postgres against a real PostgreSQL, and the digest option."""

# Compound assertions read better for round-trip checks.
# ruff: noqa: PT018

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shlex
import sqlite3
import sys

from pathlib import Path

import pytest

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataprotect import backup
from dataprotect.backup import _format as fmt
from dataprotect.backup._sources import pg_tool, postgres_target, start
from dataprotect.errors import (
    BackupError,
    BackupFormatError,
    BackupIntegrityError,
    BackupSourceError,
    ConfigurationError,
    RehearsalError,
)
from helpers import free_port, pem_private_key, run_cli


X = backup.generate_identity("x25519")
NOW = dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.timezone.utc)
PY = sys.executable


def seal(data: bytes, **kw) -> bytes:
    out = io.BytesIO()
    backup.encrypt(io.BytesIO(data), out, [X.recipient], **kw)
    return out.getvalue()


def unseal(blob: bytes) -> tuple[bytes, backup.Manifest]:
    out = io.BytesIO()
    manifest = backup.decrypt(io.BytesIO(blob), out, [X])
    return out.getvalue(), manifest


def finished(dest: Path) -> list[str]:
    """Every file at a local destination (finished or not)."""
    return sorted(p.name for p in dest.iterdir()) if dest.exists() else []


class TestDigestOption:
    @settings(max_examples=30, deadline=None)
    @given(
        st.binary(max_size=20_000) | st.integers(0, 300_000).map(bytes),
        st.sampled_from(["sha256", None]),
    )
    def test_round_trip(self, data, digest):
        """Any data round-trips with the digest on or off."""
        blob = seal(data, digest=digest, segment_size=4096)
        out, manifest = unseal(blob)
        assert out == data and manifest.size == len(data)
        if digest is None:
            assert blob[4] == fmt.VERSION_NO_DIGEST and manifest.sha256 is None
        else:
            assert blob[4] == fmt.VERSION
            assert manifest.sha256 is not None

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(st.data())
    def test_tamper_rejected_without_digest(self, data):
        """Without a digest, any changed byte is still rejected."""
        blob = bytearray(seal(b"row\n" * 3000, digest=None, segment_size=4096))
        index = data.draw(st.integers(0, len(blob) - 1))
        blob[index] ^= data.draw(st.integers(1, 255))
        with pytest.raises(BackupError):
            unseal(bytes(blob))

    def test_truncation_rejected_without_digest(self):
        """A truncated digest-less backup is rejected."""
        blob = seal(b"x" * 20_000, digest=None, segment_size=4096)
        with pytest.raises(BackupIntegrityError):
            unseal(blob[:-100])

    def test_version_and_manifest_must_agree(self):
        """A version-2 header over a manifest with a digest (or the
        reverse) is rejected, as is an unknown version."""
        with_digest = bytearray(seal(b"data"))
        with_digest[4] = fmt.VERSION_NO_DIGEST
        with pytest.raises(BackupIntegrityError):
            unseal(bytes(with_digest))
        without = bytearray(seal(b"data", digest=None))
        without[4] = fmt.VERSION
        with pytest.raises(BackupIntegrityError):
            unseal(bytes(without))
        without[4] = 3
        with pytest.raises(BackupFormatError):
            unseal(bytes(without))

    @pytest.mark.parametrize(
        ("version", "digest"),
        [(fmt.VERSION_NO_DIGEST, "sha256"), (fmt.VERSION, None)],
    )
    def test_hostile_producer_mismatch(self, monkeypatch, version, digest):
        """A validly encrypted file whose version and manifest disagree (a
        producer holding a recipient can write one) is rejected."""
        monkeypatch.setattr(fmt, "_version", lambda _: version)
        blob = seal(b"data", digest=digest)
        monkeypatch.undo()
        with pytest.raises(BackupIntegrityError):
            unseal(blob)

    def test_bad_digest_name(self):
        """Only 'sha256' and None are digests."""
        with pytest.raises(ConfigurationError, match="digest"):
            seal(b"x", digest="md5")

    def test_digest_matches_sha256sum(self, tmp_path):
        """The default manifest digest is the SHA-256 of the source."""
        import hashlib

        data = os.urandom(3 << 20)
        manifest = backup.encrypt(
            io.BytesIO(data), io.BytesIO(), [X.recipient]
        )
        assert manifest.sha256 == hashlib.sha256(data).digest()

    def test_create_backup_without_digest(self, tmp_path):
        """create_backup passes digest=None through."""
        info = backup.create_backup(
            io.BytesIO(b"abc"), tmp_path, [X.recipient], digest=None
        )
        manifest = backup.restore(info.path, tmp_path / "out", [X])
        assert manifest.sha256 is None
        assert (tmp_path / "out").read_bytes() == b"abc"


def _cat_command(path: Path) -> list[str]:
    return [
        PY,
        "-c",
        f"import shutil,sys; shutil.copyfileobj(open({str(path)!r},'rb'), sys.stdout.buffer)",
    ]


class TestCommandSource:
    @settings(max_examples=15, deadline=None)
    @given(st.binary(max_size=200_000))
    def test_round_trip(self, data):
        """Any command output round-trips through a backup."""
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "out.bin"
            src.write_bytes(data)
            with backup.DumpSource.command(_cat_command(src)) as source:
                info = backup.create_backup(
                    source, Path(tmp) / "dest", [X.recipient], name="cmd"
                )
            out = io.BytesIO()
            backup.restore(info.path, out, [X])
            assert out.getvalue() == data

    def test_string_command_and_label(self, tmp_path):
        """A string is split as a shell would; the label is the program."""
        with backup.DumpSource.command("printf 'a b'") as source:
            assert source.label == "printf"
            assert "printf" in repr(source)
            assert source.read() == b"a b"
            assert source.read(10) == b""

    @pytest.mark.parametrize(
        "script",
        [
            "import sys; sys.stdout.buffer.write(b'x' * 3_000_000); sys.stdout.flush(); sys.exit(3)",
            "import os, sys; sys.stdout.buffer.write(b'x' * 3_000_000); sys.stdout.flush(); os.kill(os.getpid(), 9)",
        ],
        ids=["exit-status", "killed"],
    )
    def test_failing_half_way_leaves_nothing(self, tmp_path, script):
        """A command failing after output leaves no backup, not even a
        temporary file."""
        dest = tmp_path / "dest"
        with (
            backup.DumpSource.command([PY, "-c", script]) as source,
            pytest.raises(BackupSourceError, match="python") as info,
        ):
            backup.create_backup(source, dest, [X.recipient])
        assert "status 3" in str(info.value) or "signal 9" in str(info.value)
        assert finished(dest) == []
        assert backup.list_backups(dest) == []

    def test_bad_commands(self):
        """An empty or missing command is refused clearly."""
        with pytest.raises(ConfigurationError):
            backup.DumpSource.command([])
        with pytest.raises(ConfigurationError):
            backup.DumpSource.command("")
        with pytest.raises(BackupSourceError, match="cannot run"):
            backup.DumpSource.command(["/nonexistent/dump"])

    def test_close_stops_a_running_command(self):
        """Leaving the context stops a command that still writes."""
        source = backup.DumpSource.command(
            [
                PY,
                "-c",
                "import sys\nwhile True: sys.stdout.buffer.write(b'y' * 65536)",
            ]
        )
        with source:
            assert source.read(10) == b"y" * 10
        assert source._proc is not None and source._proc.returncode is not None


class TestSQLiteSource:
    def test_online_copy_round_trip(self, tmp_path):
        """A database in use is copied consistently and restores."""
        path = tmp_path / "app.db"
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        conn.executemany(
            "INSERT INTO t (v) VALUES (?)",
            [(f"row {i}",) for i in range(5000)],
        )
        conn.commit()
        conn.execute("BEGIN")
        conn.execute("INSERT INTO t (v) VALUES ('uncommitted')")
        with backup.DumpSource.sqlite(path, tmpdir=tmp_path) as source:
            assert source.label == "sqlite app.db"
            info = backup.create_backup(
                source, tmp_path / "dest", [X.recipient], name="app"
            )
        conn.rollback()
        conn.close()
        assert [p.name for p in tmp_path.iterdir() if "sqlite" in p.name] == []
        backup.restore(info.path, tmp_path / "restored.db", [X])
        restored = sqlite3.connect(tmp_path / "restored.db")
        assert restored.execute("SELECT count(*) FROM t").fetchone() == (5000,)
        restored.close()

    def test_bad_sources(self, tmp_path):
        """A missing file or a file that is no database is refused."""
        with pytest.raises(BackupSourceError, match="no such"):
            backup.DumpSource.sqlite(tmp_path / "missing.db")
        junk = tmp_path / "junk.db"
        junk.write_bytes(b"not a database" * 400)
        with pytest.raises(BackupSourceError, match="not a database"):
            backup.DumpSource.sqlite(junk)


class TestPostgresURL:
    def test_password_moves_to_environment(self):
        """A password leaves the URL for PGPASSWORD; messages redact it."""
        bare, env, shown = postgres_target(
            "postgresql://app:s%40cret@db.example:5433/shop?sslmode=require"
        )
        assert bare == "postgresql://app@db.example:5433/shop?sslmode=require"
        assert env == {"PGPASSWORD": "s@cret"}
        assert "s%40cret" not in shown and "[secure]" in shown
        assert postgres_target("postgres://db/x")[1] == {}

    @pytest.mark.parametrize(
        "url", ["mysql://db/x", "db/x", "postgresql://db:notaport/x"]
    )
    def test_not_postgres(self, url):
        """Other URLs are refused."""
        with pytest.raises(ConfigurationError):
            postgres_target(url)

    def test_tool_lookup(self, tmp_path):
        """A named bindir must hold the tool."""
        with pytest.raises(BackupSourceError, match="pg_dump not found"):
            pg_tool("pg_dump", tmp_path)
        with pytest.raises(BackupSourceError, match="not found"):
            pg_tool("no_such_pg_tool", None)
        assert pg_tool("sh", None).endswith("/sh")  # from PATH

    def test_stderr_tail_keeps_the_end(self):
        """Only the last few KiB of a tool's stderr are kept, and the last
        error line is picked."""
        proc, tail = start(
            [
                PY,
                "-c",
                "import sys; sys.stderr.write('ERROR: first\\n' + 'x' * 9000 + '\\nERROR: last\\nhint\\n')",
            ],
            env={},
            stdin=None,
            stdout=None,
            what="python",
        )
        proc.wait()
        assert tail is not None and tail.last_line() == "ERROR: last"

    def test_check_validation(self):
        """A check needs a query."""
        with pytest.raises(ConfigurationError):
            backup.RehearsalCheck("  ")


def _key_cert():
    """(root, key, certificate) of a throw-away PKI."""
    from dataprotect.cli._pdf import _demo_pki

    return _demo_pki()


def _signer(tmp_path):
    from dataprotect.documents import Signer

    root, key, cert = _key_cert()
    return Signer._from_key(key, cert, [root]), root


def _fill(postgres, url: str, rows: int) -> None:
    postgres.run(
        "psql",
        "-X",
        "-v",
        "ON_ERROR_STOP=1",
        "-d",
        url,
        "-c",
        "CREATE TABLE orders (id bigint PRIMARY KEY, customer text, total numeric);"
        f"INSERT INTO orders SELECT i, 'customer ' || i, i * 1.5 FROM generate_series(1, {rows}) i;"
        "CREATE TABLE users (id int PRIMARY KEY, email text);"
        "INSERT INTO users VALUES (1, 'canary@example.com');",
    )


def _databases(postgres) -> set[str]:
    out = postgres.run(
        "psql", "-X", "-At", "-c", "SELECT datname FROM pg_database"
    )
    return set(out.split())


CHECKS = [
    backup.RehearsalCheck("SELECT count(*) FROM orders", "20000", "orders"),
    backup.RehearsalCheck(
        "SELECT email FROM users WHERE id = 1", "canary@example.com"
    ),
    backup.RehearsalCheck("SELECT sum(total) > 0 FROM orders"),
]


@pytest.mark.services
class TestPostgres:
    def test_backup_prune_rehearse_report(self, postgres, tmp_path):
        """pg_dump into backups, prune, restore the newest into a
        throw-away database, run checks, write JSON and a signed PDF."""
        url = postgres.create_database()
        _fill(postgres, url, 20_000)
        dest = tmp_path / "dest"
        for day in range(3):
            with backup.DumpSource.postgres(
                url, pg_bindir=postgres.bindir
            ) as source:
                assert source.label.startswith("pg_dump test_")
                backup.create_backup(
                    source,
                    dest,
                    [X.recipient],
                    name="shop",
                    label=source.label,
                    now=NOW + dt.timedelta(days=day),
                    digest=None if day == 1 else "sha256",
                )
        result = backup.prune(
            dest, backup.RetentionPolicy(keep_last=2), name="shop"
        )
        assert len(result.keep) == 2 and len(result.remove) == 1
        before = _databases(postgres)
        report = backup.rehearse_postgres(
            dest,
            [X],
            server=postgres.url(),
            checks=[
                *CHECKS,
                backup.RehearsalCheck("SELECT count(*) FROM users", "2"),
                backup.RehearsalCheck("SELECT * FROM missing_table"),
            ],
            name="shop",
            pg_bindir=postgres.bindir,
        )
        assert report.restored and report.reason is None
        assert report.backup_created_at == NOW + dt.timedelta(days=2)
        assert report.size > 100_000 and report.restore_seconds > 0
        assert [c.passed for c in report.checks] == [
            True,
            True,
            True,
            False,
            False,
        ]
        assert report.checks[3].value == "1"
        assert "missing_table" in (report.checks[4].error or "")
        assert not report.ok
        assert _databases(postgres) == before
        signer, root = _signer(tmp_path)
        written = report.write(tmp_path / "reports", signer=signer)
        assert [p.suffix for p in written] == [".json", ".pdf"]
        doc = json.loads(written[0].read_text())
        assert doc["restored"] is True and doc["ok"] is False
        assert doc["checks"][0]["name"] == "orders"
        assert written[1].read_bytes().startswith(b"%PDF-")
        from dataprotect.documents import verify_pdf

        verdict = verify_pdf(written[1], trust_roots=[root])
        assert verdict.signatures and verdict.signatures[0].intact
        unsigned = report.to_pdf()
        assert unsigned.startswith(b"%PDF-") and b"/Sig" not in unsigned

    def test_pg_dump_failure_leaves_nothing(self, postgres, tmp_path):
        """pg_dump failing (no such database) records no backup and names
        pg_dump's error."""
        dest = tmp_path / "dest"
        with (
            backup.DumpSource.postgres(
                postgres.url("no_such_db"), pg_bindir=postgres.bindir
            ) as source,
            pytest.raises(BackupSourceError, match="no_such_db"),
        ):
            backup.create_backup(source, dest, [X.recipient])
        assert finished(dest) == []

    def test_rehearsal_of_damaged_backup(self, postgres, tmp_path):
        """A tampered backup is reported as not restored, and the
        throw-away database is dropped."""
        url = postgres.create_database()
        _fill(postgres, url, 2000)
        with backup.DumpSource.postgres(url, pg_bindir=postgres.bindir) as src:
            info = backup.create_backup(src, tmp_path, [X.recipient])
        raw = bytearray(Path(info.path).read_bytes())
        raw[len(raw) // 2] ^= 1
        Path(info.path).write_bytes(bytes(raw))
        before = _databases(postgres)
        report = backup.rehearse_postgres(
            tmp_path,
            [X],
            server=postgres.url(),
            checks=CHECKS,
            pg_bindir=postgres.bindir,
        )
        assert not report.restored and not report.ok
        assert report.reason == "backup failed authentication"
        assert report.checks == ()
        assert _databases(postgres) == before

    @pytest.mark.parametrize("size", [5, 4 << 20])
    def test_not_a_dump(self, postgres, tmp_path, size):
        """A backup holding something else fails in pg_restore (which may
        stop reading half way)."""
        backup.create_backup(
            io.BytesIO(os.urandom(size)), tmp_path, [X.recipient]
        )
        report = backup.rehearse_postgres(
            tmp_path, [X], server=postgres.url(), pg_bindir=postgres.bindir
        )
        assert not report.restored
        assert report.reason and report.reason.startswith("pg_restore failed")

    def test_empty_destination(self, postgres, tmp_path):
        """No backup: a report that says so."""
        report = backup.rehearse_postgres(
            tmp_path, [X], server=postgres.url(), pg_bindir=postgres.bindir
        )
        assert not report.ok and report.backup is None
        assert "no backup" in (report.reason or "")
        assert json.loads(report.to_json())["backup"] is None
        (written,) = report.write(tmp_path / "reports")
        assert (
            written.name.startswith("rehearsal-") and written.suffix == ".json"
        )

    def test_database_cannot_be_created(self, postgres, tmp_path):
        """An unreachable server or a role without CREATEDB is a clear
        RehearsalError naming the server without its password."""
        backup.create_backup(io.BytesIO(b"x"), tmp_path, [X.recipient])
        dead = (
            f"postgresql://postgres:hunter2@127.0.0.1:{free_port()}/postgres"
        )
        with pytest.raises(RehearsalError, match="cannot create") as info:
            backup.rehearse_postgres(
                tmp_path, [X], server=dead, pg_bindir=postgres.bindir
            )
        assert "hunter2" not in str(info.value)
        postgres.run("psql", "-X", "-c", "CREATE ROLE plain LOGIN")
        plain = f"postgresql://plain@{postgres.host}:{postgres.port}/postgres"
        with pytest.raises(RehearsalError, match="permission denied"):
            backup.rehearse_postgres(
                tmp_path, [X], server=plain, pg_bindir=postgres.bindir
            )
        with pytest.raises(RehearsalError, match="psql not found"):
            backup.rehearse_postgres(
                tmp_path, [X], server=plain, pg_bindir=tmp_path
            )
        with pytest.raises(ConfigurationError):
            backup.rehearse_postgres(
                tmp_path,
                [X],
                server=postgres.url(),
                checks=["SELECT 1"],  # type: ignore[list-item]
            )


def _create(dest, *args: object, **kw):
    """`backup create` into *dest* for X's recipient."""
    return run_cli("backup create --to", dest, "-r", X.recipient, *args, **kw)


def _rehearse(source, ident, into, bindir, *args: object):
    """`backup rehearse` of *source* with *ident* into the PostgreSQL
    server at *into* (client tools in *bindir*)."""
    return run_cli(
        "backup rehearse",
        source,
        "-i",
        ident,
        "--into-postgres",
        into,
        "--pg-bindir",
        bindir,
        *args,
    )


def _pem_files(tmp_path):
    from cryptography.hazmat.primitives import serialization

    _, private, certificate = _key_cert()
    key, cert = tmp_path / "report.key", tmp_path / "report.crt"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(pem_private_key(private))
    return key, cert


class TestCLI:
    def test_from_command_without_digest(self, tmp_path):
        """backup create --from-command --no-digest, then restore."""
        ident = tmp_path / "id.txt"
        ident.write_text(X.to_text())
        dest = tmp_path / "dest"
        result = _create(
            dest,
            "--from-command",
            f"{shlex.join([PY, '-c', 'print(42)'])}",
            "--no-digest",
        )
        assert result.exit_code == 0, result.output
        (info,) = backup.list_backups(dest)
        out = io.BytesIO()
        manifest = backup.restore(info.path, out, [X])
        assert out.getvalue().strip() == b"42" and manifest.sha256 is None
        assert manifest.label == Path(PY).name

    def test_failing_command(self, tmp_path):
        """A failing dump command: exit 2, one line, no backup."""
        dest = tmp_path / "dest"
        result = _create(
            dest, "--from-command", "sh -c 'echo partial; exit 4'"
        )
        assert result.exit_code == 2
        assert "exited with status 4" in result.output
        assert finished(dest) == []

    @pytest.mark.parametrize(
        "args",
        [
            ["file.txt", "--from-command", "true"],
            [],
            ["--from-postgres", "postgresql://u:secret@db/x"],
            ["--from-postgres", "postgresql://[db/secret"],
        ],
        ids=["two-sources", "no-source", "password-in-url", "bad-url"],
    )
    def test_source_usage_errors(self, tmp_path, args):
        """Exactly one source; no password on the command line."""
        result = _create(tmp_path, *args)
        assert result.exit_code == 2
        assert "secret" not in result.output
        assert finished(tmp_path) == []

    def test_from_sqlite(self, tmp_path):
        """backup create --from-sqlite labels the backup with the file."""
        path = tmp_path / "app.db"
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE t (x)")
        conn.commit()
        conn.close()
        result = _create(tmp_path / "d", "--from-sqlite", path)
        assert result.exit_code == 0, result.output
        (info,) = backup.list_backups(tmp_path / "d")
        assert (
            backup.restore(info.path, tmp_path / "r.db", [X]).label
            == "sqlite app.db"
        )

    @pytest.mark.services
    def test_postgres_create_and_rehearse(self, postgres, tmp_path):
        """--from-postgres, then backup rehearse --into-postgres with checks
        and a signed report; a failing check exits 1."""
        url = postgres.create_database()
        _fill(postgres, url, 20_000)
        ident = tmp_path / "id.txt"
        ident.write_text(X.to_text())
        dest = tmp_path / "dest"
        result = _create(
            dest,
            "--name",
            "shop",
            "--from-postgres",
            url,
            "--pg-bindir",
            postgres.bindir,
        )
        assert result.exit_code == 0, result.output
        key, cert = _pem_files(tmp_path)
        into = (postgres.url(), postgres.bindir)
        common = [dest, ident, *into, "--name", "shop"]
        result = _rehearse(
            *common,
            "--check",
            "SELECT count(*) = 20000 FROM orders",
            "--check-value",
            "SELECT email FROM users WHERE id = 1",
            "canary@example.com",
            "--report-dir",
            str(tmp_path / "reports"),
            "--report-key",
            str(key),
            "--report-cert",
            str(cert),
        )
        assert result.exit_code == 0, result.output
        assert (
            "restored" in result.output
            and "canary@example.com" in result.output
        )
        reports = sorted(p.suffix for p in (tmp_path / "reports").iterdir())
        assert reports == [".json", ".pdf"]
        result = _rehearse(*common, "--check", "SELECT false")
        assert result.exit_code == 1
        assert "FAIL" in result.output
        result = _rehearse(*common, "--report-key", key)
        assert result.exit_code == 2 and "--report-cert" in result.output
        dead = f"postgresql://postgres@127.0.0.1:{free_port()}/postgres"
        result = _rehearse(dest, ident, dead, postgres.bindir)
        assert result.exit_code == 2
        assert "cannot create the rehearsal database" in result.output

    @pytest.mark.services
    def test_rehearse_empty_destination_and_p12(self, postgres, tmp_path):
        """Nothing to rehearse exits 1; a PKCS#12 report signer loads."""
        from cryptography.hazmat.primitives.serialization import (
            BestAvailableEncryption,
            pkcs12,
        )

        _, key, cert = _key_cert()
        p12 = tmp_path / "r.p12"
        p12.write_bytes(
            pkcs12.serialize_key_and_certificates(
                b"r",
                key,
                cert,
                None,
                BestAvailableEncryption(b"pw"),
            )
        )
        (tmp_path / "pw").write_text("pw")
        (tmp_path / "empty").mkdir()
        ident = tmp_path / "id.txt"
        ident.write_text(X.to_text())
        result = _rehearse(
            tmp_path / "empty",
            ident,
            postgres.url(),
            postgres.bindir,
            "--report-p12",
            str(p12),
            "--report-secret-file",
            str(tmp_path / "pw"),
            "--report-dir",
            str(tmp_path / "reports"),
        )
        assert result.exit_code == 1
        assert "no backup found" in result.output
        assert len(list((tmp_path / "reports").iterdir())) == 2

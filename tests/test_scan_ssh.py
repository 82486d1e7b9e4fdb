"""Tests for dataprotect.scan.ssh against a real sshd on loopback."""

from __future__ import annotations

import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from dataprotect.cli._app import cli
from dataprotect.errors import ConfigurationError
from dataprotect.scan.ssh import SSHReport, check_ssh
from helpers import (
    IN_CI,
    free_port,
    loopback_servers,
    no_free_file_descriptors,
    require_binary,
)


HARDENED = {
    "KexAlgorithms": "sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group-exchange-sha256",
    "Ciphers": "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,aes192-ctr,aes128-ctr",
    "MACs": "hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,umac-128-etm@openssh.com",
    "HostKeyAlgorithms": "ssh-ed25519,rsa-sha2-512,rsa-sha2-256",
}
WEAK = {
    "KexAlgorithms": "diffie-hellman-group14-sha1,diffie-hellman-group1-sha1,curve25519-sha256,ecdh-sha2-nistp256",
    "Ciphers": "aes128-cbc,3des-cbc,aes256-ctr,chacha20-poly1305@openssh.com",
    "MACs": "hmac-sha1,hmac-md5,hmac-sha2-256",
    "HostKeyAlgorithms": "ssh-rsa,rsa-sha2-512,ssh-ed25519",
}


def _start_sshd(
    workdir: Path, settings: dict[str, str]
) -> tuple[subprocess.Popen[bytes], int]:
    sshd = require_binary("sshd", "/usr/sbin/sshd")
    keygen = require_binary("ssh-keygen")
    if os.geteuid() != 0:
        reason = "sshd needs root to run here"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # privilege separation
    workdir.mkdir(parents=True, exist_ok=True)
    for kind in ("ed25519", "rsa"):
        key = workdir / f"host_{kind}"
        if not key.exists():
            subprocess.run(
                [keygen, "-q", "-t", kind, "-N", "", "-f", str(key)],
                check=True,
            )
    lines = [
        "ListenAddress 127.0.0.1",
        f"HostKey {workdir / 'host_ed25519'}",
        f"HostKey {workdir / 'host_rsa'}",
        "PidFile none",
        "UsePAM no",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "StrictModes no",
        *(f"{k} {v}" for k, v in settings.items()),
    ]
    config = workdir / "sshd_config"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    port = free_port()
    proc = subprocess.Popen(
        [sshd, "-D", "-e", "-f", str(config), "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = (
                proc.stderr.read().decode(errors="replace")
                if proc.stderr
                else ""
            )
            pytest.fail(f"sshd exited: {err[-300:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                if s.recv(4) == b"SSH-":
                    return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    pytest.fail("sshd did not start")
    raise AssertionError


@pytest.fixture(scope="module")
def sshd_servers(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, int]]:
    """A hardened and a weak sshd on loopback ports."""
    base = tmp_path_factory.mktemp("sshd")
    procs = []
    ports = {}
    try:
        for name, settings in (("hardened", HARDENED), ("weak", WEAK)):
            proc, port = _start_sshd(base / name, settings)
            procs.append(proc)
            ports[name] = port
        yield ports
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(10)
            if proc.stderr:
                proc.stderr.close()


def codes(report: SSHReport) -> set[str]:
    return {i.code for i in report.issues}


@pytest.mark.services
class TestRealSSHD:
    """check_ssh against OpenSSH's sshd."""

    def test_hardened(self, sshd_servers: dict[str, int]) -> None:
        """The hardened configuration's algorithms are read and pass."""
        r = check_ssh("127.0.0.1", sshd_servers["hardened"])
        assert r.banner is not None
        assert r.banner.startswith("SSH-2.0-OpenSSH_")
        assert [
            a for a in r.kex if not a.startswith("kex-strict")
        ] == HARDENED["KexAlgorithms"].split(",")
        assert r.ciphers == HARDENED["Ciphers"].split(",")
        assert r.macs == HARDENED["MACs"].split(",")
        assert set(r.host_key) == {
            "ssh-ed25519",
            "rsa-sha2-512",
            "rsa-sha2-256",
        }
        assert r.ok, r.issues

    def test_weak(self, sshd_servers: dict[str, int]) -> None:
        """SHA-1 key exchange, CBC, 3DES, SHA-1/MD5 MACs and ssh-rsa are issues."""
        r = check_ssh("127.0.0.1", sshd_servers["weak"])
        expected = {
            "kex-sha1:diffie-hellman-group14-sha1",
            "kex-sha1:diffie-hellman-group1-sha1",
            "kex-nist-curve:ecdh-sha2-nistp256",
            "cipher-cbc:aes128-cbc",
            "cipher-broken:3des-cbc",
            "mac-sha1:hmac-sha1",
            "mac-broken:hmac-md5",
            "hostkey-sha1:ssh-rsa",
        }
        assert expected <= codes(r)
        assert not r.ok
        assert r.issues[0].severity == "high"

    @pytest.mark.parametrize("name", ["hardened", "weak"])
    def test_cross_check_ssh_audit(
        self, sshd_servers: dict[str, int], name: str
    ) -> None:
        """Same algorithms as ssh-audit; everything it fails we flag (medium+)."""
        exe = shutil.which("ssh-audit") or str(
            Path(sys.executable).with_name("ssh-audit")
        )
        if not Path(exe).exists():
            require_binary("ssh-audit")
        port = sshd_servers[name]
        out = subprocess.run(
            [exe, "-j", "-p", str(port), "127.0.0.1"],
            capture_output=True,
            check=False,
            timeout=120,
        ).stdout
        audit = json.loads(out)
        r = check_ssh("127.0.0.1", port)
        assert [a["algorithm"] for a in audit["kex"]] == r.kex
        assert [a["algorithm"] for a in audit["enc"]] == r.ciphers
        assert [a["algorithm"] for a in audit["mac"]] == r.macs
        assert {a["algorithm"] for a in audit["key"]} <= set(r.host_key)
        flagged = {
            i.code.split(":", 1)[1]
            for i in r.issues
            if i.severity in {"critical", "high", "medium"} and ":" in i.code
        }
        for section in ("kex", "key", "enc", "mac"):
            for alg in audit[section]:
                if alg.get("notes", {}).get("fail"):
                    assert alg["algorithm"] in flagged, alg["algorithm"]
                elif not alg.get("notes", {}).get("warn"):
                    assert alg["algorithm"] not in flagged, alg["algorithm"]


@pytest.fixture
def fake() -> Iterator[Callable[[Callable[[socket.socket], None]], int]]:
    """Start fake servers that stop after the test."""
    with loopback_servers() as start:
        yield start


def _kexinit_packet(lists: list[str]) -> bytes:
    payload = bytes([20]) + b"\0" * 16
    for item in lists:
        payload += struct.pack(">I", len(item)) + item.encode()
    payload += b"\0" + b"\0\0\0\0"
    pad = 8 - (len(payload) + 5) % 8 + 8
    return (
        struct.pack(">IB", len(payload) + pad + 1, pad) + payload + b"\0" * pad
    )


class TestProtocol:
    """KEXINIT parsing and misbehaving peers."""

    def test_fake_kexinit(self, fake: Callable[..., int]) -> None:
        """A hand-built KEXINIT after pre-banner lines is parsed."""
        lists = [
            "curve25519-sha256",
            "ssh-ed25519",
            "aes128-ctr",
            "aes128-cbc",
            "hmac-sha2-256-etm@openssh.com",
            "hmac-sha2-256-etm@openssh.com",
            "zlib",
            "none",
            "",
            "",
        ]

        def handler(conn: socket.socket) -> None:
            conn.sendall(
                b"Welcome\r\nSSH-2.0-Fake_1.0\r\n" + _kexinit_packet(lists)
            )
            time.sleep(0.2)

        r = check_ssh("127.0.0.1", fake(handler))
        assert r.banner == "SSH-2.0-Fake_1.0"
        assert r.ciphers == ["aes128-ctr", "aes128-cbc"]
        assert "compression-before-auth" in codes(r)
        assert "cipher-cbc:aes128-cbc" in codes(r)

    @pytest.mark.parametrize(
        ("payload", "note"),
        [
            (b"", "closed"),
            (b"HTTP/1.1 400 Bad Request\r\n\r\n" * 3, "before its banner"),
            (b"220 smtp ready\r\n" * 70, "not an SSH server"),
            (b"SSH-1.5-old\r\n", "protocol 2"),
            (b"SSH-2.0-x\r\n\xff\xff\xff\xff\x04", "not SSH"),
            (
                b"SSH-2.0-x\r\n\x00\x00\x00\x20\x04" + b"\x15" * 31,
                "not a KEXINIT",
            ),
            (
                b"SSH-2.0-x\r\n\x00\x00\x00\x20\x04"
                b"\x14" + b"\0" * 16 + b"\xff\xff\xff\xff" + b"\0" * 10,
                "truncated",
            ),
            (b"x" * 300, "too long"),
        ],
    )
    def test_bad_peers(
        self, fake: Callable[..., int], payload: bytes, note: str
    ) -> None:
        """Peers that hang up or speak something else leave a note."""
        port = fake(lambda conn: (conn.sendall(payload), time.sleep(0.1)))
        r = check_ssh("127.0.0.1", port, timeout=2)
        assert r.kex == []
        assert not r.ok
        assert any(note in n for n in r.notes), r.notes

    def test_timeout(self, fake: Callable[..., int]) -> None:
        """A silent server times out with a note."""
        port = fake(lambda conn: time.sleep(1.2))
        r = check_ssh("127.0.0.1", port, timeout=0.4)
        assert r.notes == ["the server timed out"]

    def test_refused(self) -> None:
        """A closed port gives a note."""
        assert check_ssh("127.0.0.1", free_port()).notes == [
            "the connection was refused"
        ]

    def test_bad_port(self) -> None:
        """A port out of range is a ConfigurationError."""
        with pytest.raises(ConfigurationError):
            check_ssh("127.0.0.1", 70000)


@pytest.mark.services
class TestCLI:
    """dataprotect scan ssh."""

    def test_exit_codes(self, sshd_servers: dict[str, int]) -> None:
        """Exit 0 for the hardened server, 1 for the weak one."""
        res = CliRunner().invoke(
            cli, ["scan", "ssh", f"127.0.0.1:{sshd_servers['hardened']}"]
        )
        assert res.exit_code == 0, res.output
        res = CliRunner().invoke(
            cli,
            [
                "scan",
                "ssh",
                f"127.0.0.1:{sshd_servers['weak']}",
                "--format",
                "json",
            ],
        )
        assert res.exit_code == 1
        assert json.loads(res.output)["kex"]

    def test_unreachable(self) -> None:
        """An unreachable server exits 1 with the note printed."""
        res = CliRunner().invoke(
            cli, ["scan", "ssh", f"127.0.0.1:{free_port()}"]
        )
        assert res.exit_code == 1
        assert "refused" in res.output


def _read_client_banner(conn: socket.socket) -> None:
    """Read the scanner's banner so that closing sends FIN, not RST."""
    conn.settimeout(3)
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(64)
        if not chunk:
            return
        data += chunk


def _closing_handler(reply: bytes) -> Callable[[socket.socket], None]:
    def handler(conn: socket.socket) -> None:
        _read_client_banner(conn)
        conn.sendall(reply)
        conn.shutdown(socket.SHUT_WR)
        time.sleep(0.1)

    return handler


WEAK_LISTS = [
    "diffie-hellman-group14-sha256,x448-sha512@example.com,kex-strict-s-v00@openssh.com",
    "ecdsa-sha2-nistp256,ssh-xmss@openssh.com",
    "camellia128-ctr@openssh.org",
    "camellia128-ctr@openssh.org",
    "umac-64-etm@openssh.com,hmac-sha3-256-etm@example.com",
    "umac-64-etm@openssh.com",
    "none",
    "none",
    "",
    "",
]


class TestPeersThatHangUp:
    """Servers that close the connection cleanly at each stage."""

    def test_closed_before_banner(self, fake: Callable[..., int]) -> None:
        """A server that reads our banner and closes leaves a note."""
        port = fake(_closing_handler(b""))
        r = check_ssh("127.0.0.1", port, timeout=2)
        assert r.notes == [
            "the server closed the connection before its banner"
        ]
        assert r.banner is None

    def test_closed_inside_kexinit(self, fake: Callable[..., int]) -> None:
        """A server that closes half-way through its KEXINIT leaves a note."""
        port = fake(
            _closing_handler(
                b"SSH-2.0-Fake_1.0\r\n\x00\x00\x01\x00\x04\x14" + b"\0" * 10
            )
        )
        r = check_ssh("127.0.0.1", port, timeout=2)
        assert r.notes == ["the server closed the connection"]
        assert r.banner == "SSH-2.0-Fake_1.0"
        assert r.kex == []

    def test_too_few_name_lists(self, fake: Callable[..., int]) -> None:
        """A KEXINIT with fewer than ten name-lists is truncated."""
        packet = _kexinit_packet(["curve25519-sha256", "ssh-ed25519"])
        port = fake(_closing_handler(b"SSH-2.0-Fake_1.0\r\n" + packet))
        r = check_ssh("127.0.0.1", port, timeout=2)
        assert r.notes == ["truncated KEXINIT"]

    def test_no_file_descriptors(self) -> None:
        """A local socket failure is a note naming the error, not an exception."""
        port = free_port()
        with no_free_file_descriptors():
            r = check_ssh("127.0.0.1", port, timeout=2)
        assert r.notes == ["connection failed: Too many open files"]


def _dripping_handler(
    prefix: bytes, drip: bytes, *, every: float = 0.2, limit: float = 20.0
) -> tuple[Callable[[socket.socket], None], threading.Event]:
    """A server that sends *prefix*, then *drip* one byte every *every*
    seconds, forever: until the returned event is set or *limit* seconds
    pass (the bound that keeps a broken test from hanging)."""
    stop = threading.Event()

    def handler(conn: socket.socket) -> None:
        _read_client_banner(conn)
        conn.sendall(prefix)
        end = time.monotonic() + limit
        i = 0
        while not stop.is_set() and time.monotonic() < end:
            conn.sendall(drip[i % len(drip) : i % len(drip) + 1])
            i += 1
            stop.wait(every)

    return handler, stop


def _too_slow(deadline: str) -> str:
    """The note of a check cut short by its deadline."""
    return (
        f"the check did not complete within its {deadline} s deadline: "
        "the server sends too slowly"
    )


class TestHostilePeers:
    """Servers that drip bytes or send terminal escape sequences."""

    @pytest.mark.parametrize(
        ("prefix", "drip", "banner"),
        [
            # lines before the banner, each under the length limit
            (b"", b"x" * 200 + b"\r\n", None),
            # a banner, then a KEXINIT of 35,000 bytes sent byte by byte
            (
                b"SSH-2.0-Drip\r\n\x00\x00\x88\xb8\x04\x14",
                b"\0",
                "SSH-2.0-Drip",
            ),
        ],
        ids=["banner", "kexinit"],
    )
    def test_dripping_server_meets_the_deadline(
        self,
        fake: Callable[..., int],
        prefix: bytes,
        drip: bytes,
        banner: str | None,
    ) -> None:
        """A server sending a byte every 0.2 s (never a 1 s gap) cannot hold
        check_ssh(timeout=1) past its deadline (3 x timeout by default); the
        report says the check did not complete and is no pass."""
        handler, stop = _dripping_handler(prefix, drip)
        port = fake(handler)
        start = time.monotonic()
        try:
            r = check_ssh("127.0.0.1", port, timeout=1)
        finally:
            stop.set()
        elapsed = time.monotonic() - start
        assert elapsed < 3 + 1.5, elapsed
        assert r.notes == [_too_slow("3")]
        assert r.banner == banner
        assert r.kex == []
        assert not r.ok

    def test_explicit_deadline(self, fake: Callable[..., int]) -> None:
        """deadline= bounds the whole check, connection and reads."""
        handler, stop = _dripping_handler(b"", b"x" * 200 + b"\r\n")
        port = fake(handler)
        start = time.monotonic()
        try:
            r = check_ssh("127.0.0.1", port, timeout=5, deadline=1.5)
        finally:
            stop.set()
        assert time.monotonic() - start < 1.5 + 1.5
        assert r.notes == [_too_slow("1.5")]
        assert not r.ok

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"timeout": 0},
            {"timeout": -1},
            {"timeout": float("nan")},
            {"deadline": 0},
            {"deadline": float("inf")},
            {"deadline": float("nan")},
        ],
    )
    def test_bad_timeouts(self, kwargs: dict[str, float]) -> None:
        """A timeout or deadline that is not a positive number is a ConfigurationError."""
        with pytest.raises(ConfigurationError, match="positive"):
            check_ssh("127.0.0.1", 22, **kwargs)

    def test_escape_sequences_stripped(self, fake: Callable[..., int]) -> None:
        """Terminal escape sequences and control characters in the banner
        and the algorithm names do not reach the report or the terminal."""
        evil = [
            "curve25519-sha256\x1b]0;pwned\x07,x\x1b[2Jy",
            "ssh-ed25519",
            "aes128-ctr",
            "aes128-ctr",
            "hmac-sha2-256-etm@openssh.com",
            "hmac-sha2-256-etm@openssh.com",
            "none",
            "none",
            "",
            "",
        ]
        banner = (
            b"SSH-2.0-Evil\x1b[31mRED\x1b[0m\x07\x08"
            + "\u202e\u009b1m".encode()
            + b" x\r\n"
        )
        port = fake(_closing_handler(banner + _kexinit_packet(evil)))
        r = check_ssh("127.0.0.1", port, timeout=2)
        assert r.banner == "SSH-2.0-EvilRED1m x"
        assert r.kex == ["curve25519-sha256", "xy"]
        assert "kex-unknown:xy" in codes(r)
        res = CliRunner().invoke(
            cli, ["scan", "ssh", f"127.0.0.1:{port}", "--timeout", "2"]
        )
        assert res.exit_code == 0, res.output
        assert f"127.0.0.1:{port} SSH-2.0-EvilRED1m x" in res.output
        assert "  kex: curve25519-sha256, xy" in res.output
        for ch in ("\x1b", "\x07", "\x08", "\u202e", "\u009b"):
            assert ch not in res.output
        res = CliRunner().invoke(
            cli,
            ["scan", "ssh", f"127.0.0.1:{port}", "--format", "json"],
        )
        assert json.loads(res.output)["banner"] == "SSH-2.0-EvilRED1m x"

    def test_read_after_the_deadline(self) -> None:
        """A read that starts after the deadline fails at once, data or not."""
        from dataprotect._deadline import Deadline, DeadlineError
        from dataprotect.scan.ssh import _Conn

        a, b = socket.socketpair()
        with a, b:
            b.sendall(b"SSH-2.0-x\r\n")
            conn = _Conn(a, 5, Deadline(-1))
            with pytest.raises(DeadlineError):
                conn.recv(1)

    @given(st.text())
    def test_printable_property(self, text: str) -> None:
        """printable() leaves no control character or escape, keeps
        printable text as it is, and is idempotent."""
        from dataprotect._grading import printable

        out = printable(text)
        assert out.isprintable()
        assert printable(out) == out
        if text.isprintable():
            assert out == text

    def test_dripping_server_cli(self, fake: Callable[..., int]) -> None:
        """dataprotect scan ssh exits 1 and prints the deadline note."""
        handler, stop = _dripping_handler(b"", b"x" * 200 + b"\r\n")
        port = fake(handler)
        try:
            res = CliRunner().invoke(
                cli, ["scan", "ssh", f"127.0.0.1:{port}", "--timeout", "0.5"]
            )
        finally:
            stop.set()
        assert res.exit_code == 1
        assert (
            "note: the check did not complete within its 1.5 s deadline"
            in (res.output)
        )


class TestGrading:
    """Every grade a KEXINIT can earn."""

    def test_weak_and_unknown_algorithms(
        self, fake: Callable[..., int]
    ) -> None:
        """2048-bit DH, NIST and unknown algorithms, 64-bit UMAC, old OpenSSH."""
        packet = _kexinit_packet(WEAK_LISTS)
        port = fake(
            _closing_handler(b"SSH-2.0-OpenSSH_7.2p2 Ubuntu-4\r\n" + packet)
        )
        r = check_ssh("127.0.0.1", port, timeout=2)
        severities = {i.code: i.severity for i in r.issues}
        assert severities == {
            "kex-2048-bit:diffie-hellman-group14-sha256": "low",
            "kex-unknown:x448-sha512@example.com": "low",
            "hostkey-nist-curve:ecdsa-sha2-nistp256": "medium",
            "hostkey-unknown:ssh-xmss@openssh.com": "low",
            "cipher-unknown:camellia128-ctr@openssh.org": "low",
            "mac-64-bit:umac-64-etm@openssh.com": "medium",
            "mac-unknown:hmac-sha3-256-etm@example.com": "low",
            "software-outdated": "medium",
        }
        assert [i.severity for i in r.issues][:3] == ["medium"] * 3
        assert not r.ok

    def test_current_openssh_not_outdated(
        self, fake: Callable[..., int]
    ) -> None:
        """OpenSSH 7.4 and later is not reported as outdated."""
        packet = _kexinit_packet(WEAK_LISTS)
        port = fake(_closing_handler(b"SSH-2.0-OpenSSH_7.4\r\n" + packet))
        r = check_ssh("127.0.0.1", port, timeout=2)
        assert "software-outdated" not in codes(r)

    def test_issue_text(self, fake: Callable[..., int]) -> None:
        """An issue prints as '[severity] code: advice'."""
        packet = _kexinit_packet(WEAK_LISTS)
        port = fake(_closing_handler(b"SSH-2.0-OpenSSH_9.9\r\n" + packet))
        r = check_ssh("127.0.0.1", port, timeout=2)
        text = {str(i) for i in r.issues}
        assert (
            "[medium] mac-64-bit:umac-64-etm@openssh.com: remove 64-bit-tag UMAC"
            in text
        )


class TestCLIText:
    """dataprotect scan ssh: the text report, without a real sshd."""

    def test_text_report(self, fake: Callable[..., int]) -> None:
        """Algorithms and issues are printed one a line; issues exit 1."""
        packet = _kexinit_packet(WEAK_LISTS)
        port = fake(
            _closing_handler(b"SSH-2.0-OpenSSH_7.2p2 Ubuntu-4\r\n" + packet)
        )
        res = CliRunner().invoke(
            cli, ["scan", "ssh", f"127.0.0.1:{port}", "--timeout", "2"]
        )
        assert res.exit_code == 1
        lines = res.output.splitlines()
        assert lines[0] == f"127.0.0.1:{port} SSH-2.0-OpenSSH_7.2p2 Ubuntu-4"
        assert (
            "  host keys: ecdsa-sha2-nistp256, ssh-xmss@openssh.com" in lines
        )
        assert (
            "  [medium] software-outdated: upgrade OpenSSH: this version is out of support"
            in lines
        )
        assert "Traceback" not in res.output

    def test_default_port(self) -> None:
        """A target without a port means port 22."""
        res = CliRunner().invoke(
            cli, ["scan", "ssh", "127.0.0.1", "--timeout", "1"]
        )
        assert res.output.splitlines()[0].startswith("127.0.0.1:22 ")


class TestCouldNotCheck:
    """A target not checked completely is never a pass (issue 15)."""

    def _unchecked(self, r: SSHReport) -> None:
        assert not r.ok
        assert (r.issues[0].code, r.issues[0].severity) == (
            "could-not-check",
            "unchecked",
        )
        assert r.notes

    def test_refused(self) -> None:
        """A closed port: could not check."""
        self._unchecked(check_ssh("127.0.0.1", free_port()))

    def test_never_answers(self, fake: Callable[..., int]) -> None:
        """A listener that accepts and never answers: could not check."""
        port = fake(lambda conn: time.sleep(1.2))
        self._unchecked(check_ssh("127.0.0.1", port, timeout=0.4))

    def test_not_ssh(self, fake: Callable[..., int]) -> None:
        """An HTTP server: could not check."""
        port = fake(
            lambda conn: (
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n"),
                time.sleep(0.1),
            )
        )
        self._unchecked(check_ssh("127.0.0.1", port, timeout=2))

    def test_reset(self, fake: Callable[..., int]) -> None:
        """A server that resets the connection after its banner: could not check."""

        def reset(conn: socket.socket) -> None:
            conn.sendall(b"SSH-2.0-Reset\r\n")
            conn.recv(64)
            conn.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )

        r = check_ssh("127.0.0.1", fake(reset), timeout=2)
        self._unchecked(r)
        assert r.banner == "SSH-2.0-Reset"

    def test_partial_kexinit(self, fake: Callable[..., int]) -> None:
        """A KEXINIT cut short: could not check, even with a banner read."""
        port = fake(
            lambda conn: (
                conn.sendall(b"SSH-2.0-x\r\n\x00\x00\x01\x00\x04\x14"),
                time.sleep(0.1),
            )
        )
        self._unchecked(check_ssh("127.0.0.1", port, timeout=2))

    def test_cli_prints_the_issue(self) -> None:
        """dataprotect scan ssh prints the could-not-check issue and exits 1."""
        res = CliRunner().invoke(
            cli, ["scan", "ssh", f"127.0.0.1:{free_port()}"]
        )
        assert res.exit_code == 1
        assert "  [unchecked] could-not-check: " in res.output

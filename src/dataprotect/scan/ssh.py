"""Check an SSH server's algorithms without logging in.

:func:`check_ssh` exchanges identification strings with the server, reads
its ``SSH_MSG_KEXINIT`` packet (RFC 4253, section 7.1) and grades the
offered key-exchange, host-key, cipher, MAC and compression algorithms
against a hardened profile modelled on ssh-audit's hardening guides and
Mozilla's OpenSSH guidelines.  No key exchange is performed and no
credential is sent.  Whatever the server sends, the check ends by its
deadline, and text from the server reaches the report without terminal
escape sequences or control characters.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import re
import socket
import struct

from dataclasses import dataclass, field

from dataprotect._deadline import (
    Deadline,
    DeadlineError,
    failure,
    positive,
)
from dataprotect._grading import (
    Issue,
    acceptable,
    by_severity,
    printable,
    unchecked,
)
from dataprotect.errors import ConfigurationError


__all__ = ["CLIENT_BANNER", "SSHIssue", "SSHReport", "check_ssh"]


#: The identification string this scanner sends.
CLIENT_BANNER = b"SSH-2.0-dataprotect_scan\r\n"
_MSG_KEXINIT = 20
_MAX_PACKET = 35000


class SSHIssue(Issue):
    """One problem: a stable code, a severity and one line of advice.

    .. versionadded:: 0.1.0
    """


@dataclass
class SSHReport:
    """What :func:`check_ssh` read from the server.

    Attributes:
        host, port: The target.
        banner: The server's identification string, e.g.
            ``SSH-2.0-OpenSSH_9.2p1 Debian-2``, without escape sequences
            and control characters.
        kex, host_key, ciphers, macs, compression: The offered algorithms
            in the server's order (ciphers and MACs: client-to-server, then
            any only offered server-to-client), without escape sequences
            and control characters.
        issues: Problems, most severe first.
        notes: Why the check could not finish (time-out, deadline, not
            SSH...).

    .. versionadded:: 0.1.0
    """

    host: str
    port: int
    banner: str | None = None
    kex: list[str] = field(default_factory=list)
    host_key: list[str] = field(default_factory=list)
    ciphers: list[str] = field(default_factory=list)
    macs: list[str] = field(default_factory=list)
    compression: list[str] = field(default_factory=list)
    issues: list[SSHIssue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the KEXINIT was read and no issue is medium or worse."""
        return bool(self.kex) and acceptable(self.issues)


class _ProtocolError(Exception):
    """The peer did not follow the SSH transport protocol."""


class _Conn:
    """A socket whose reads each wait at most *timeout* seconds, and
    together end by *deadline*."""

    def __init__(
        self, sock: socket.socket, timeout: float, deadline: Deadline
    ):
        self._sock = sock
        self._timeout = timeout
        self._deadline = deadline

    def recv(self, n: int) -> bytes:
        return self._deadline.recv(self._sock, n, self._timeout)


def _recv_exact(sock: _Conn, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            msg = "the server closed the connection"
            raise _ProtocolError(msg)
        buf += chunk
    return bytes(buf)


def _read_banner(sock: _Conn) -> str:
    """Lines until one starting with ``SSH-`` (RFC 4253 allows others first)."""
    data = b""
    for _ in range(64):
        line = b""
        while not line.endswith(b"\n"):
            ch = sock.recv(1)
            if not ch:
                msg = "the server closed the connection before its banner"
                raise _ProtocolError(msg)
            line += ch
            if len(line) > 255:
                msg = "the server's identification line is too long: not SSH"
                raise _ProtocolError(msg)
        data += line
        if line.startswith(b"SSH-"):
            text = line.rstrip(b"\r\n").decode("utf-8", "replace")
            if not text.startswith(("SSH-2.0-", "SSH-1.99-")):
                msg = "the server does not speak SSH protocol 2"
                raise _ProtocolError(msg)
            return printable(text)
    msg = "no SSH identification string: not an SSH server"
    raise _ProtocolError(msg)


def _name_lists(payload: bytes) -> list[list[str]]:
    if not payload or payload[0] != _MSG_KEXINIT:
        msg = "the first packet is not a KEXINIT"
        raise _ProtocolError(msg)
    pos = 17  # message byte + 16-byte cookie
    lists: list[list[str]] = []
    for _ in range(10):
        if pos + 4 > len(payload):
            msg = "truncated KEXINIT"
            raise _ProtocolError(msg)
        (n,) = struct.unpack_from(">I", payload, pos)
        pos += 4
        if pos + n > len(payload):
            msg = "truncated KEXINIT"
            raise _ProtocolError(msg)
        raw = printable(payload[pos : pos + n].decode("ascii", "replace"))
        lists.append([a for a in raw.split(",") if a])
        pos += n
    return lists


def _read_kexinit(sock: _Conn) -> list[list[str]]:
    header = _recv_exact(sock, 5)
    length, padding = struct.unpack(">IB", header)
    if not 12 <= length <= _MAX_PACKET or padding >= length:
        msg = "invalid binary packet length: not SSH"
        raise _ProtocolError(msg)
    body = _recv_exact(sock, length - 1)
    return _name_lists(body[: length - 1 - padding])


# ----------------------------------------------------------------- grading

_KEX_GOOD = {
    "sntrup761x25519-sha512@openssh.com",
    "sntrup761x25519-sha512",
    "mlkem768x25519-sha256",
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group18-sha512",
    "diffie-hellman-group-exchange-sha256",
    "kex-strict-s-v00@openssh.com",
    "ext-info-s",
}
_CIPHERS_GOOD = {
    "chacha20-poly1305@openssh.com",
    "aes256-gcm@openssh.com",
    "aes128-gcm@openssh.com",
    "aes256-ctr",
    "aes192-ctr",
    "aes128-ctr",
}
_MACS_GOOD = {
    "hmac-sha2-512-etm@openssh.com",
    "hmac-sha2-256-etm@openssh.com",
    "umac-128-etm@openssh.com",
}
_HOSTKEY_GOOD = re.compile(
    r"^(?:ssh-ed25519|sk-ssh-ed25519@openssh\.com|rsa-sha2-(?:256|512))"
    r"(?:-cert-v01@openssh\.com)?$"
)


def _kex_issue(alg: str) -> SSHIssue | None:
    if alg in _KEX_GOOD or alg.startswith(("kex-strict-", "ext-info")):
        return None
    if "sha1" in alg or alg.endswith("group1-sha1") or "group1-" in alg:
        return SSHIssue(
            f"kex-sha1:{alg}",
            "high",
            "remove SHA-1 and 1024/2048-bit DH key exchange",
        )
    if "nistp" in alg:
        return SSHIssue(
            f"kex-nist-curve:{alg}",
            "medium",
            "prefer curve25519-sha256 or sntrup761x25519 to NIST curves",
        )
    if alg == "diffie-hellman-group14-sha256":
        return SSHIssue(
            f"kex-2048-bit:{alg}",
            "low",
            "prefer group16/18 or curve25519 to 2048-bit DH",
        )
    return SSHIssue(
        f"kex-unknown:{alg}",
        "low",
        "remove key exchanges outside the hardened list",
    )


def _hostkey_issue(alg: str) -> SSHIssue | None:
    if _HOSTKEY_GOOD.match(alg):
        return None
    if alg.startswith(("ssh-rsa", "ssh-dss")):
        return SSHIssue(
            f"hostkey-sha1:{alg}",
            "high",
            "drop ssh-rsa/ssh-dss signatures; offer rsa-sha2-512/256 and ssh-ed25519",
        )
    if "nistp" in alg:
        return SSHIssue(
            f"hostkey-nist-curve:{alg}",
            "medium",
            "prefer an ssh-ed25519 host key to ECDSA on NIST curves",
        )
    return SSHIssue(
        f"hostkey-unknown:{alg}",
        "low",
        "offer ssh-ed25519 and rsa-sha2-512/256 host keys",
    )


def _cipher_issue(alg: str) -> SSHIssue | None:
    if alg in _CIPHERS_GOOD:
        return None
    if alg == "none" or any(
        w in alg for w in ("arcfour", "des", "blowfish", "cast128", "rc4")
    ):
        return SSHIssue(
            f"cipher-broken:{alg}",
            "high",
            "remove broken ciphers (3DES, RC4, Blowfish, CAST)",
        )
    if alg.endswith("-cbc") or "cbc" in alg:
        return SSHIssue(
            f"cipher-cbc:{alg}",
            "high",
            "remove CBC-mode ciphers; use chacha20-poly1305, AES-GCM or AES-CTR",
        )
    return SSHIssue(
        f"cipher-unknown:{alg}",
        "low",
        "remove ciphers outside the hardened list",
    )


def _mac_issue(alg: str) -> SSHIssue | None:
    if alg in _MACS_GOOD:
        return None
    if "md5" in alg or "ripemd" in alg or alg == "none" or "-96" in alg:
        return SSHIssue(
            f"mac-broken:{alg}",
            "high",
            "remove MD5, RIPEMD and truncated MACs",
        )
    if "sha1" in alg:
        return SSHIssue(
            f"mac-sha1:{alg}",
            "high",
            "remove SHA-1 MACs; use hmac-sha2-256/512-etm",
        )
    if "umac-64" in alg:
        return SSHIssue(
            f"mac-64-bit:{alg}", "medium", "remove 64-bit-tag UMAC"
        )
    if "etm" not in alg:
        return SSHIssue(
            f"mac-encrypt-and-mac:{alg}",
            "low",
            "prefer encrypt-then-MAC (-etm@openssh.com) MACs",
        )
    return SSHIssue(
        f"mac-unknown:{alg}", "low", "remove MACs outside the hardened list"
    )


def _grade(report: SSHReport) -> None:
    issues: list[SSHIssue] = []
    for algs, judge in (
        (report.kex, _kex_issue),
        (report.host_key, _hostkey_issue),
        (report.ciphers, _cipher_issue),
        (report.macs, _mac_issue),
    ):
        issues += [i for i in map(judge, algs) if i is not None]
    if "zlib" in report.compression:
        issues.append(
            SSHIssue(
                "compression-before-auth",
                "low",
                "use zlib@openssh.com (after authentication) or none",
            )
        )
    strict = any(a.startswith("kex-strict-s") for a in report.kex)
    prone = "chacha20-poly1305@openssh.com" in report.ciphers or (
        any("cbc" in c for c in report.ciphers)
        and any("etm" in m for m in report.macs)
    )
    if prone and not strict:
        issues.append(
            SSHIssue(
                "terrapin",
                "medium",
                "update the server: no strict key exchange against Terrapin (CVE-2023-48795)",
            )
        )
    if report.banner and re.search(
        r"OpenSSH_(?:[1-6]\.|7\.[0-3])", report.banner
    ):
        issues.append(
            SSHIssue(
                "software-outdated",
                "medium",
                "upgrade OpenSSH: this version is out of support",
            )
        )
    report.issues = by_severity(issues)


def check_ssh(
    host: str,
    port: int = 22,
    *,
    timeout: float = 5.0,
    deadline: float | None = None,
) -> SSHReport:
    """Read an SSH server's KEXINIT and grade its algorithms.

    Never raises for a misbehaving server: a refused connection, a time-out
    or a peer that does not speak SSH leave a note in the report (and an
    empty algorithm list).  A server that sends a byte now and then, never
    pausing for *timeout*, is cut off at the *deadline*: the report then
    has a note and no algorithms, and ``ok`` is False.

    The banner and the algorithm names are the server's text with escape
    sequences and control characters removed, so printing a report cannot
    drive the terminal.

    Args:
        host: Host name or IP address.
        port: TCP port (default 22).
        timeout: Seconds for the connection and for each read.
        deadline: Seconds for the whole check, connection included
            (default: three times *timeout*).

    Returns:
        An :class:`SSHReport` with ``.issues``, most severe first.

    Raises:
        ConfigurationError: A port out of range, or a timeout or deadline
            that is not a positive number.

    .. versionadded:: 0.1.0
    """
    if not 0 < port < 65536:
        msg = "port must be between 1 and 65535"
        raise ConfigurationError(msg)
    total = 3 * timeout if deadline is None else deadline
    if not (positive(timeout) and positive(total)):
        msg = "timeout and deadline must be positive numbers of seconds"
        raise ConfigurationError(msg)
    report = SSHReport(host=host, port=port)
    clock = Deadline(total)
    try:
        with clock.connect((host, port), timeout) as sock:
            sock.sendall(CLIENT_BANNER)
            conn = _Conn(sock, timeout, clock)
            report.banner = _read_banner(conn)
            lists = _read_kexinit(conn)
    except (DeadlineError, _ProtocolError, OSError) as exc:
        report.notes.append(_failure(exc, report, clock))
        report.issues = [unchecked(SSHIssue)]
        return report
    report.kex, report.host_key = lists[0], lists[1]
    report.ciphers = lists[2] + [a for a in lists[3] if a not in lists[2]]
    report.macs = lists[4] + [a for a in lists[5] if a not in lists[4]]
    report.compression = lists[6] + [a for a in lists[7] if a not in lists[6]]
    _grade(report)
    return report


def _failure(
    exc: DeadlineError | _ProtocolError | OSError,
    report: SSHReport,
    deadline: Deadline,
) -> str:
    """The note for a check that ended with *exc*."""
    if isinstance(exc, _ProtocolError):
        return str(exc)
    if isinstance(exc, ConnectionResetError | BrokenPipeError):
        stage = (
            "before its banner"
            if report.banner is None
            else "before its KEXINIT"
        )
        return f"the server closed the connection {stage}"
    return failure(exc, deadline)

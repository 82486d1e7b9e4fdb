"""Tests for dataprotect.tls against real TLS servers on loopback."""

from __future__ import annotations

import datetime  # noqa: ICN001
import socket
import ssl
import subprocess
import threading
import time
import warnings
import xml.etree.ElementTree as ET

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import (
    dsa,
    ec,
    ed448,
    ed25519,
    rsa,
)
from cryptography.x509.oid import NameOID

from dataprotect.cli._app import cli
from dataprotect.errors import ConfigurationError
from dataprotect.tls import (
    INTERMEDIATE_CIPHERS,
    TLSReport,
    check_tls,
    client_context,
    server_context,
)
from helpers import (
    free_port,
    loopback_servers,
    no_free_file_descriptors,
    pem_private_key,
    require_binary,
)


NOW = datetime.datetime.now(datetime.timezone.utc)


@dataclass(frozen=True)
class Certs:
    """PEM files written for one test session."""

    ca: Path
    good: Path
    expired: Path
    wrong_host: Path
    self_signed: Path
    weak_key: Path


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


_PrivateKey = (
    rsa.RSAPrivateKey
    | dsa.DSAPrivateKey
    | ec.EllipticCurvePrivateKey
    | ed25519.Ed25519PrivateKey
    | ed448.Ed448PrivateKey
)


def _issue(
    key: _PrivateKey,
    subject: str,
    issuer_key: _PrivateKey,
    issuer: str,
    *,
    sans: list[x509.GeneralName],
    start: datetime.datetime,
    days: int,
    ca: bool = False,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=days))
        .add_extension(
            x509.BasicConstraints(ca=ca, path_length=None), critical=True
        )
    )
    if sans:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(sans), critical=False
        )
    # Ed25519 and Ed448 sign without a separate hash.
    edwards = (ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey)
    return builder.sign(
        issuer_key,
        None if isinstance(issuer_key, edwards) else hashes.SHA256(),
    )


def _pem(path: Path, key: _PrivateKey, *certs: x509.Certificate) -> Path:
    path.write_bytes(
        pem_private_key(key)
        + b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)
    )
    return path


def good_server(certs: Certs, serve: Callable[..., int]) -> int:
    """Serve the good certificate with the default profile; its port."""
    return int(serve(tls_handler(server_context(certfile=str(certs.good)))))


def check_local(certs: Certs, port: int, **kwargs: Any) -> TLSReport:
    """check_tls on a loopback *port* as localhost, trusting the test CA."""
    return check_tls(
        "127.0.0.1",
        port,
        server_name="localhost",
        ca_file=str(certs.ca),
        **kwargs,
    )


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    """A test CA and leaf certificates, good and bad, made at run time."""
    d = tmp_path_factory.mktemp("tls-certs")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _issue(
        ca_key,
        "Test CA",
        ca_key,
        "Test CA",
        sans=[],
        start=NOW - datetime.timedelta(days=1),
        days=3650,
        ca=True,
    )
    (d / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    local = [
        x509.DNSName("localhost"),
        x509.IPAddress(__import__("ipaddress").ip_address("127.0.0.1")),
    ]
    leaf_key = ec.generate_private_key(ec.SECP256R1())

    def leaf(
        subject: str = "localhost",
        *,
        key: _PrivateKey = leaf_key,
        issued_by: tuple[_PrivateKey, str] = (ca_key, "Test CA"),
        sans: list[x509.GeneralName] = local,
        days_ago: int = 1,
        days: int = 90,
    ) -> x509.Certificate:
        return _issue(
            key,
            subject,
            *issued_by,
            sans=sans,
            start=NOW - datetime.timedelta(days=days_ago),
            days=days,
        )

    good = leaf()
    expired = leaf(days_ago=100, days=30)
    wrong = leaf("other.example", sans=[x509.DNSName("other.example")])
    self_signed = leaf(issued_by=(leaf_key, "localhost"))
    rsa_key = rsa.generate_private_key(65537, 1024)
    weak = leaf(key=rsa_key)
    return Certs(
        ca=d / "ca.pem",
        good=_pem(d / "good.pem", leaf_key, good, ca),
        expired=_pem(d / "expired.pem", leaf_key, expired, ca),
        wrong_host=_pem(d / "wrong.pem", leaf_key, wrong, ca),
        self_signed=_pem(d / "self.pem", leaf_key, self_signed),
        weak_key=_pem(d / "weak.pem", rsa_key, weak, ca),
    )


def tls_handler(ctx: ssl.SSLContext) -> Callable[[socket.socket], None]:
    def handle(conn: socket.socket) -> None:
        with ctx.wrap_socket(conn, server_side=True):
            pass  # the handshake is all a scan needs

    return handle


@pytest.fixture
def serve() -> Iterator[Callable[[Callable[[socket.socket], None]], int]]:
    """Start loopback servers; all stop after the test."""
    with loopback_servers(backlog=32, conn_timeout=3) as start:
        yield start


def weak_context(certfile: Path) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = ssl.TLSVersion.TLSv1
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers(
        "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-NULL-SHA:@SECLEVEL=0"
    )
    ctx.load_cert_chain(str(certfile))
    return ctx


def _silent(stop: threading.Event) -> Callable[[socket.socket], None]:
    """A handler that says nothing until the check has given up."""
    return lambda conn: stop.wait(30) and None


def answer_then(
    certs: Certs,
    serve: Callable[..., int],
    answered: int,
    then: Callable[[threading.Event], Callable[[socket.socket], None]],
    **kwargs: float,
) -> TLSReport:
    """check_tls on a good modern server that answers *answered*
    connections, then serves each later one with ``then(stop)`` (*stop*
    is set when the check is over)."""
    ctx = server_context("modern", certfile=str(certs.good))
    seen: list[int] = []
    stop = threading.Event()
    later = then(stop)

    def handler(conn: socket.socket) -> None:
        seen.append(1)
        if len(seen) > answered:
            later(conn)
            return
        tls_handler(ctx)(conn)

    try:
        return check_local(
            certs,
            serve(handler),
            **kwargs,
        )
    finally:
        stop.set()


def enabled(*versions: str) -> dict[str, bool]:
    """The protocols map of a report where only *versions* are on."""
    every = ("TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3")
    return {v: v in versions for v in every}


def codes(report: object) -> set[str]:
    return {i.code for i in report.issues}  # type: ignore[attr-defined]


class TestContexts:
    """server_context and client_context."""

    def test_intermediate(self) -> None:
        """Intermediate: TLS 1.2+, only Mozilla's TLS 1.2 suites, no compression."""
        ctx = server_context()
        assert ctx.minimum_version == ssl.TLSVersion.TLSv1_2
        names = {
            c["name"] for c in ctx.get_ciphers() if c["protocol"] != "TLSv1.3"
        }
        assert names <= set(INTERMEDIATE_CIPHERS)
        assert ctx.options & ssl.OP_NO_COMPRESSION

    def test_modern_and_client(self) -> None:
        """Modern is TLS 1.3 only; the client context verifies names."""
        assert (
            server_context("modern").minimum_version == ssl.TLSVersion.TLSv1_3
        )
        client = client_context()
        assert client.check_hostname
        assert client.verify_mode == ssl.CERT_REQUIRED
        assert client.minimum_version == ssl.TLSVersion.TLSv1_2

    def test_bad_profile(self) -> None:
        """An unknown profile is a ConfigurationError."""
        with pytest.raises(ConfigurationError):
            server_context("old")

    def test_round_trip(self, certs: Certs, serve: Callable[..., int]) -> None:
        """A hardened client connects to a hardened server."""
        port = good_server(certs, serve)
        ctx = client_context(ca_file=str(certs.ca))
        with (
            socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
            ctx.wrap_socket(raw, server_hostname="localhost") as tls,
        ):
            assert tls.version() == "TLSv1.3"


class TestCheckTLS:
    """check_tls against well and badly configured servers."""

    def test_good_server(
        self, certs: Certs, serve: Callable[..., int]
    ) -> None:
        """A Mozilla-intermediate server with a valid certificate has no issues."""
        port = good_server(certs, serve)
        r = check_local(certs, port)
        assert r.protocols == enabled("TLSv1.2", "TLSv1.3")
        assert set(r.ciphers["TLSv1.2"]) <= set(INTERMEDIATE_CIPHERS)
        assert "ECDHE-ECDSA-AES128-GCM-SHA256" in r.ciphers["TLSv1.2"]
        assert r.chain_valid is True
        assert r.hostname_match is True
        assert r.certificate is not None
        assert r.certificate.key_type == "EC secp256r1"
        assert 85 <= r.certificate.days_to_expiry <= 90
        assert r.certificate.signature_algorithm == "ecdsa-with-SHA256"
        assert r.issues == []
        assert r.ok

    def test_modern(self, certs: Certs, serve: Callable[..., int]) -> None:
        """Graded against modern, a TLS 1.2 server gets an issue; a 1.3-only one not."""
        port = good_server(certs, serve)
        r = check_local(
            certs,
            port,
            profile="modern",
        )
        assert "protocol-tlsv1.2" in codes(r)
        port = serve(
            tls_handler(server_context("modern", certfile=str(certs.good)))
        )
        r = check_local(
            certs,
            port,
            profile="modern",
        )
        assert r.protocols["TLSv1.2"] is False
        assert r.issues == []

    def test_weak_server(
        self, certs: Certs, serve: Callable[..., int]
    ) -> None:
        """TLS 1.0/1.1, CBC and NULL suites are found and graded."""
        port = serve(tls_handler(weak_context(certs.good)))
        r = check_local(certs, port)
        assert r.protocols == enabled("TLSv1.0", "TLSv1.1", "TLSv1.2")
        assert set(r.ciphers["TLSv1.0"]) == {
            "ECDHE-ECDSA-AES128-SHA",
            "ECDHE-ECDSA-NULL-SHA",
        }
        assert set(r.ciphers["TLSv1.2"]) == {
            "ECDHE-ECDSA-AES128-SHA",
            "ECDHE-ECDSA-AES256-GCM-SHA384",
            "ECDHE-ECDSA-NULL-SHA",
        }
        c = codes(r)
        assert {
            "protocol-tlsv1.0",
            "protocol-tlsv1.1",
            "protocol-no-tlsv1.3",
        } <= c
        assert "cipher-broken:ECDHE-ECDSA-NULL-SHA" in c
        assert "cipher-not-in-profile:ECDHE-ECDSA-AES128-SHA" in c
        assert r.issues[0].severity == "critical"
        assert not r.ok

    @pytest.mark.parametrize(
        ("which", "expected"),
        [
            ("expired", "cert-expired"),
            ("wrong_host", "cert-hostname-mismatch"),
            ("self_signed", "cert-self-signed"),
            ("weak_key", "cert-weak-key"),
        ],
    )
    def test_bad_certificates(
        self,
        certs: Certs,
        serve: Callable[..., int],
        which: str,
        expected: str,
    ) -> None:
        """Expired, wrong-host, self-signed and weak-key certificates are issues."""
        port = serve(tls_handler(lax_server(getattr(certs, which))))
        r = check_local(certs, port)
        assert expected in codes(r)
        if which in {"expired", "self_signed"}:
            assert r.chain_valid is False
            assert r.chain_error

    def test_untrusted_without_ca(
        self, certs: Certs, serve: Callable[..., int]
    ) -> None:
        """Without the test CA the chain does not verify."""
        port = good_server(certs, serve)
        r = check_tls("127.0.0.1", port, server_name="localhost")
        assert r.chain_valid is False
        assert "cert-untrusted" in codes(r)

    def test_now_argument(
        self, certs: Certs, serve: Callable[..., int]
    ) -> None:
        """Expiry is judged against the given time."""
        port = good_server(certs, serve)
        later = NOW + datetime.timedelta(days=80)
        r = check_local(
            certs,
            port,
            now=later,
        )
        assert "cert-expiring" in codes(r)


class TestBadPeers:
    """Servers that hang up, time out or speak something else."""

    def test_refused(self) -> None:
        """A closed port gives a note, no exception."""
        r = check_tls("127.0.0.1", free_port())
        assert r.notes == ["the connection was refused"]
        assert r.certificate is None
        assert not r.ok

    def test_hang_up(self, serve: Callable[..., int]) -> None:
        """A server that closes at once completes no handshake."""
        port = serve(lambda conn: None)
        r = check_tls("127.0.0.1", port)
        assert codes(r) == {"could-not-check"}
        assert r.notes

    def test_not_tls(self, serve: Callable[..., int]) -> None:
        """A server speaking SSH is no TLS server."""
        port = serve(
            lambda conn: conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n" * 20)
        )
        r = check_tls("127.0.0.1", port)
        assert codes(r) == {"could-not-check"}

    def test_reset_after_client_hello(self, serve: Callable[..., int]) -> None:
        """A server that resets the connection mid-handshake accepts nothing."""
        import struct

        def reset(conn: socket.socket) -> None:
            conn.recv(4096)  # the ClientHello
            conn.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )

        port = serve(reset)
        r = check_tls("127.0.0.1", port)
        assert r.protocols == enabled()
        assert codes(r) == {"could-not-check"}

    def test_timeout(self, serve: Callable[..., int]) -> None:
        """A server that never answers times out with a note."""
        port = serve(lambda conn: time.sleep(1.5))
        r = check_tls("127.0.0.1", port, timeout=0.5)
        assert r.notes == ["the server timed out"]

    def test_bad_port(self) -> None:
        """A port out of range is a ConfigurationError."""
        with pytest.raises(ConfigurationError):
            check_tls("127.0.0.1", 0)


def _sslscan(port: int) -> tuple[dict[str, bool], dict[str, set[str]]]:
    exe = require_binary("sslscan")
    out = subprocess.run(
        [
            exe,
            "--no-colour",
            "--xml=-",
            "--no-heartbleed",
            "--no-renegotiation",
            "--no-compression",
            "--no-fallback",
            f"127.0.0.1:{port}",
        ],
        capture_output=True,
        check=True,
        timeout=120,
    ).stdout
    root = ET.fromstring(out[out.index(b"<?xml") :])
    protocols = {
        f"TLSv{p.get('version')}": p.get("enabled") == "1"
        for p in root.iter("protocol")
        if p.get("type") == "tls"
    }
    ciphers: dict[str, set[str]] = {}
    for c in root.iter("cipher"):
        ciphers.setdefault(str(c.get("sslversion")), set()).add(
            str(c.get("cipher"))
        )
    return protocols, ciphers


@pytest.mark.services
class TestCrossCheck:
    """Findings agree with sslscan on the same servers."""

    def test_weak_python_server(
        self, certs: Certs, serve: Callable[..., int]
    ) -> None:
        """Protocols and TLS 1.2 suites match sslscan on a weak ssl server."""
        port = serve(tls_handler(weak_context(certs.good)))
        r = check_tls("127.0.0.1", port, server_name="localhost")
        protocols, ciphers = _sslscan(port)
        assert protocols == r.protocols
        assert ciphers.get("TLSv1.2", set()) == set(r.ciphers["TLSv1.2"])

    def test_openssl_s_server(self, certs: Certs, tmp_path: Path) -> None:
        """Against openssl s_server: same protocols and suites as sslscan."""
        exe = require_binary("openssl")
        port = free_port()
        proc = subprocess.Popen(
            [
                exe,
                "s_server",
                "-accept",
                f"127.0.0.1:{port}",
                "-cert",
                str(certs.good),
                "-tls1_2",
                "-cipher",
                "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305",
                "-quiet",
                "-naccept",
                "1000",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(
                        ("127.0.0.1", port), timeout=1
                    ).close()
                    break
                except OSError:
                    time.sleep(0.1)
            r = check_local(certs, port)
            assert r.protocols == enabled("TLSv1.2")
            assert set(r.ciphers["TLSv1.2"]) == {
                "ECDHE-ECDSA-AES256-GCM-SHA384",
                "ECDHE-ECDSA-AES128-SHA256",
                "ECDHE-ECDSA-CHACHA20-POLY1305",
            }
            assert "cipher-not-in-profile:ECDHE-ECDSA-AES128-SHA256" in codes(
                r
            )
            protocols, ciphers = _sslscan(port)
            assert protocols == r.protocols
            assert ciphers["TLSv1.2"] == set(r.ciphers["TLSv1.2"])
        finally:
            proc.terminate()
            proc.wait(10)
            assert proc.stdin is not None
            proc.stdin.close()


class TestCLI:
    """dataprotect scan tls."""

    def test_good_and_bad(
        self, certs: Certs, serve: Callable[..., int]
    ) -> None:
        """Exit 0 for a clean server, 1 with issues; JSON output parses."""
        good = good_server(certs, serve)
        res = CliRunner().invoke(
            cli,
            [
                "scan",
                "tls",
                f"127.0.0.1:{good}",
                "--server-name",
                "localhost",
                "--ca-file",
                str(certs.ca),
            ],
        )
        assert res.exit_code == 0, res.output
        bad = serve(tls_handler(weak_context(certs.good)))
        res = CliRunner().invoke(
            cli, ["scan", "tls", f"127.0.0.1:{bad}", "--format", "json"]
        )
        assert res.exit_code == 1
        assert '"protocol-tlsv1.0"' in res.output

    def test_usage(self) -> None:
        """A bad target exits 2."""
        res = CliRunner().invoke(cli, ["scan", "tls", "127.0.0.1:notaport"])
        assert res.exit_code == 2


@dataclass(frozen=True)
class MoreCerts:
    """Certificates for the rarer branches of the certificate checks."""

    ed25519: Path
    ed448: Path
    wildcard: Path
    long_lived: Path
    bad_boolean: Path
    version_4: Path


def _self_signed(
    key: _PrivateKey,
    *,
    sans: list[x509.GeneralName],
    days: int = 90,
) -> x509.Certificate:
    """A leaf for localhost, valid from yesterday for *days* days from now."""
    return _issue(
        key,
        "localhost",
        key,
        "localhost",
        sans=sans,
        start=NOW - datetime.timedelta(days=1),
        days=days + 1,
    )


def _pem_der(path: Path, key: _PrivateKey, der: bytes) -> Path:
    path.write_bytes(
        pem_private_key(key) + ssl.DER_cert_to_PEM_cert(der).encode()
    )
    return path


def _patched(der: bytes, old: str, new: str) -> bytes:
    """*der* with one DER fragment replaced (the signature no longer holds)."""
    o, n = bytes.fromhex(old), bytes.fromhex(new)
    assert der.count(o) == 1
    return der.replace(o, n)


@pytest.fixture(scope="module")
def more_certs(tmp_path_factory: pytest.TempPathFactory) -> MoreCerts:
    """Edwards-curve, wildcard, long-lived and malformed certificates."""
    d = tmp_path_factory.mktemp("tls-more-certs")
    ed1 = ed25519.Ed25519PrivateKey.generate()
    ed2 = ed448.Ed448PrivateKey.generate()
    key = ec.generate_private_key(ec.SECP256R1())
    plain = _self_signed(key, sans=[]).public_bytes(serialization.Encoding.DER)
    return MoreCerts(
        ed25519=_pem(d / "ed25519.pem", ed1, _self_signed(ed1, sans=[])),
        ed448=_pem(d / "ed448.pem", ed2, _self_signed(ed2, sans=[])),
        wildcard=_pem(
            d / "wildcard.pem",
            key,
            _self_signed(key, sans=[x509.DNSName("*.example.test")]),
        ),
        long_lived=_pem(
            d / "long.pem",
            key,
            _self_signed(key, sans=[x509.DNSName("localhost")], days=500),
        ),
        # BasicConstraints' critical flag as BOOLEAN 0x01: BER, not DER
        bad_boolean=_pem_der(
            d / "boolean.pem", key, _patched(plain, "0101ff", "010101")
        ),
        # version field 3 (v4): no such X.509 version
        version_4=_pem_der(
            d / "v4.pem", key, _patched(plain, "a003020102", "a003020103")
        ),
    )


def lax_server(certfile: Path) -> ssl.SSLContext:
    """A server context that loads any certificate and speaks TLS 1.2+."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    ctx.load_cert_chain(str(certfile))
    return ctx


class TestCertificateKinds:
    """Key types, names and malformed certificates."""

    @pytest.mark.parametrize(
        ("which", "key_type", "key_size"),
        [("ed25519", "Ed25519", 256), ("ed448", "Ed448", 456)],
    )
    def test_edwards_keys(
        self,
        more_certs: MoreCerts,
        serve: Callable[..., int],
        which: str,
        key_type: str,
        key_size: int,
    ) -> None:
        """Edwards-curve keys are named; a certificate without SAN names no host."""
        port = serve(tls_handler(lax_server(getattr(more_certs, which))))
        r = check_tls("127.0.0.1", port, server_name="localhost")
        assert r.certificate is not None
        assert (r.certificate.key_type, r.certificate.key_size) == (
            key_type,
            key_size,
        )
        assert r.certificate.signature_algorithm == which
        assert r.certificate.san == ()
        assert r.hostname_match is False
        assert "cert-hostname-mismatch" in codes(r)
        assert "cert-weak-key" not in codes(r)

    @pytest.mark.parametrize(
        ("name", "match"),
        [
            ("www.example.test", True),
            ("WWW.Example.Test.", True),
            ("a.b.example.test", False),
            ("example.test", False),
        ],
    )
    def test_wildcard(
        self,
        more_certs: MoreCerts,
        serve: Callable[..., int],
        name: str,
        match: bool,
    ) -> None:
        """A wildcard SAN matches exactly one label, case-insensitively."""
        port = serve(tls_handler(lax_server(more_certs.wildcard)))
        r = check_tls("127.0.0.1", port, server_name=name)
        assert r.hostname_match is match
        assert ("cert-hostname-mismatch" in codes(r)) is not match

    def test_long_lifetime(
        self, more_certs: MoreCerts, serve: Callable[..., int]
    ) -> None:
        """A certificate valid for more than 398 days is a low issue."""
        port = serve(tls_handler(lax_server(more_certs.long_lived)))
        r = check_tls("127.0.0.1", port, server_name="localhost")
        [issue] = [i for i in r.issues if i.code == "cert-lifetime"]
        assert issue.severity == "low"

    def test_not_yet_valid(
        self, certs: Certs, serve: Callable[..., int]
    ) -> None:
        """Judged before its start date, a certificate is not yet valid."""
        port = good_server(certs, serve)
        r = check_local(
            certs,
            port,
            now=NOW - datetime.timedelta(days=10),
        )
        assert codes(r) == {"cert-not-yet-valid"}
        assert not r.ok

    @pytest.mark.parametrize("which", ["bad_boolean", "version_4"])
    def test_unparseable_certificate(
        self, more_certs: MoreCerts, serve: Callable[..., int], which: str
    ) -> None:
        """A certificate OpenSSL accepts but cryptography cannot parse (a
        bad boolean, X.509 "v4"): no certificate, no crash, and no pass:
        the certificate was not checked."""
        port = serve(tls_handler(lax_server(getattr(more_certs, which))))
        r = check_tls("127.0.0.1", port, server_name="localhost")
        assert r.protocols["TLSv1.3"] is True
        assert r.certificate is None
        assert r.hostname_match is None
        _unchecked(r)
        assert "the server's certificate could not be parsed" in r.notes

    @pytest.mark.services
    def test_sha1_signature(
        self, serve: Callable[..., int], tmp_path: Path
    ) -> None:
        """A certificate signed with SHA-1 (made by openssl) is a high issue."""
        exe = require_binary("openssl")
        subprocess.run(
            [
                exe,
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-sha1",
                "-nodes",
                "-keyout",
                str(tmp_path / "key.pem"),
                "-out",
                str(tmp_path / "cert.pem"),
                "-subj",
                "/CN=localhost",
                "-days",
                "30",
                "-addext",
                "subjectAltName=DNS:localhost",
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        ctx.load_cert_chain(
            str(tmp_path / "cert.pem"), str(tmp_path / "key.pem")
        )
        port = serve(tls_handler(ctx))
        r = check_tls("127.0.0.1", port, server_name="localhost")
        assert r.certificate is not None
        assert r.certificate.signature_algorithm == "ecdsa-with-SHA1"
        assert "cert-weak-signature" in codes(r)

    @pytest.mark.services
    def test_dsa_key(self, serve: Callable[..., int], tmp_path: Path) -> None:
        """A DSA certificate (DHE-DSS suites) is named and graded a weak key."""
        exe = require_binary("openssl")
        subprocess.run(
            [
                exe,
                "genpkey",
                "-genparam",
                "-algorithm",
                "DH",
                "-pkeyopt",
                "group:ffdhe2048",
                "-out",
                str(tmp_path / "dh.pem"),
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        key = dsa.generate_private_key(1024)
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name("localhost"))
            .issuer_name(_name("localhost"))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - datetime.timedelta(days=1))
            .not_valid_after(NOW + datetime.timedelta(days=90))
            .add_extension(
                x509.SubjectAlternativeName([x509.DNSName("localhost")]),
                critical=False,
            )
            .sign(key, hashes.SHA256())
        )
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_ciphers("DHE-DSS-AES256-GCM-SHA384:@SECLEVEL=0")
        ctx.load_cert_chain(str(_pem(tmp_path / "dsa.pem", key, cert)))
        ctx.load_dh_params(str(tmp_path / "dh.pem"))
        port = serve(tls_handler(ctx))
        r = check_tls("127.0.0.1", port, server_name="localhost")
        assert r.ciphers["TLSv1.2"] == ["DHE-DSS-AES256-GCM-SHA384"]
        assert r.certificate is not None
        assert (r.certificate.key_type, r.certificate.key_size) == (
            "DSA",
            1024,
        )
        assert "cert-weak-key" in codes(r)


def anonymous_context() -> ssl.SSLContext:
    """A TLS 1.2 server with anonymous (certificate-less) suites only."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers("aNULL:@SECLEVEL=0")
    return ctx


class TestUnusualServers:
    """Servers without certificates or without modern protocols."""

    def test_anonymous_suites(self, serve: Callable[..., int]) -> None:
        """Anonymous suites are broken; without a certificate nothing is graded on it."""
        port = serve(tls_handler(anonymous_context()))
        r = check_tls("127.0.0.1", port)
        assert r.protocols["TLSv1.2"] is True
        assert r.ciphers["TLSv1.2"]
        assert all(
            c.startswith(("AECDH-", "ADH-")) for c in r.ciphers["TLSv1.2"]
        )
        assert r.certificate is None
        assert r.hostname_match is None
        assert all(
            i.code.startswith(("cipher-broken:", "protocol-"))
            for i in r.issues
        )
        assert r.issues[0].severity == "critical"

    def test_anonymous_chain_not_valid(
        self, serve: Callable[..., int]
    ) -> None:
        """Without any certificate the chain is not reported as valid."""
        port = serve(tls_handler(anonymous_context()))
        r = check_tls("127.0.0.1", port)
        assert r.certificate is None
        assert r.chain_valid is not True

    def test_old_protocols_only(
        self, certs: Certs, serve: Callable[..., int]
    ) -> None:
        """A server with TLS 1.0/1.1 only has no modern TLS: critical."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.minimum_version = ssl.TLSVersion.TLSv1
            ctx.maximum_version = ssl.TLSVersion.TLSv1_1
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        ctx.load_cert_chain(str(certs.good))
        port = serve(tls_handler(ctx))
        r = check_local(certs, port)
        assert r.protocols == enabled("TLSv1.0", "TLSv1.1")
        [issue] = [i for i in r.issues if i.code == "protocol-no-modern-tls"]
        assert issue.severity == "critical"


class TestLocalFailures:
    """Failures on this side: sockets, OpenSSL versions, the chain check."""

    def test_no_file_descriptors(self) -> None:
        """A local socket failure is a note naming the error, not an exception."""
        port = free_port()
        with no_free_file_descriptors():
            r = check_tls("127.0.0.1", port)
        assert r.notes == ["connection failed: Too many open files"]
        _unchecked(r)

    def test_chain_check_times_out(
        self, certs: Certs, serve: Callable[..., int]
    ) -> None:
        """A server that stops answering after the probes: the chain check is a note."""
        # TLS 1.0, 1.1, 1.2 and 1.3 probes answered, then silence
        r = answer_then(certs, serve, 4, _silent, timeout=2)
        assert r.protocols["TLSv1.3"] is True
        assert r.certificate is not None
        assert r.chain_valid is None
        assert [n for n in r.notes if n.startswith("chain check failed: ")]
        _unchecked(r)

    def test_openssl_without_tls10(
        self,
        certs: Certs,
        serve: Callable[..., int],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """With a local OpenSSL that refuses TLS 1.0 the other versions are still checked."""
        original = ssl.SSLContext.minimum_version

        def refuse_tls10(ctx: ssl.SSLContext, value: ssl.TLSVersion) -> None:
            if value == ssl.TLSVersion.TLSv1:
                # what _ssl raises for a version the library was built without
                msg = "Unsupported protocol version 0x301"
                raise ValueError(msg)
            original.__set__(ctx, value)  # type: ignore[attr-defined]

        monkeypatch.setattr(
            ssl.SSLContext,
            "minimum_version",
            property(original.__get__, refuse_tls10),  # type: ignore[attr-defined]
        )
        port = good_server(certs, serve)
        r = check_local(certs, port)
        assert r.protocols["TLSv1.0"] is False
        assert r.protocols["TLSv1.3"] is True
        assert "TLSv1.0 cannot be probed with the local OpenSSL" in r.notes
        _unchecked(r)  # a server taking TLS 1.0 would have gone unseen


class TestCLIText:
    """dataprotect scan tls: the text report."""

    def test_issues_and_certificate(
        self, certs: Certs, serve: Callable[..., int]
    ) -> None:
        """Protocols, the certificate and each issue are printed; issues exit 1."""
        port = serve(tls_handler(weak_context(certs.good)))
        res = CliRunner().invoke(
            cli,
            [
                "scan",
                "tls",
                f"127.0.0.1:{port}",
                "--server-name",
                "localhost",
                "--ca-file",
                str(certs.ca),
            ],
        )
        assert res.exit_code == 1
        lines = res.output.splitlines()
        assert lines[0] == (
            f"127.0.0.1:{port} (server name localhost, profile intermediate)"
        )
        assert any(line.startswith("  TLSv1.0: accepted  ") for line in lines)
        assert "  TLSv1.3: refused  " in lines
        assert any(
            line.startswith("  certificate: CN=localhost, EC secp256r1 256, ")
            and line.endswith("chain valid")
            for line in lines
        )
        assert (
            "  [high] protocol-tlsv1.0: disable TLSv1.0: deprecated by RFC 8996"
            in lines
        )

    def test_unreachable(self) -> None:
        """No handshake: the note is printed, no certificate line, exit 1."""
        port = free_port()
        res = CliRunner().invoke(cli, ["scan", "tls", f"127.0.0.1:{port}"])
        assert res.exit_code == 1
        assert "  note: the connection was refused" in res.output.splitlines()
        assert "certificate:" not in res.output


def _unchecked(report: object) -> None:
    """*report* is no pass: ok False, a could-not-check issue first, notes."""
    assert not report.ok  # type: ignore[attr-defined]
    first = report.issues[0]  # type: ignore[attr-defined]
    assert (first.code, first.severity) == ("could-not-check", "unchecked")
    assert report.notes  # type: ignore[attr-defined]


def _dripping(stop: threading.Event) -> Callable[[socket.socket], None]:
    """A handler that reads the ClientHello, announces a 16 KiB handshake
    record and sends it a byte every 0.2 s (never a 1 s gap)."""

    def handle(conn: socket.socket) -> None:
        conn.recv(4096)
        conn.sendall(b"\x16\x03\x03\x40\x00")
        while not stop.wait(0.2):
            conn.sendall(b"\x02")

    return handle


class TestCouldNotCheck:
    """A target not checked completely is never a pass (issue 15)."""

    def test_refused(self) -> None:
        """A closed port: ok is False, with a could-not-check issue."""
        r = check_tls("127.0.0.1", free_port())
        _unchecked(r)
        assert r.notes == ["the connection was refused"]

    def test_never_answers(self, serve: Callable[..., int]) -> None:
        """A listener that accepts and never answers: could not check."""
        port = serve(lambda conn: time.sleep(1.5))
        _unchecked(check_tls("127.0.0.1", port, timeout=0.5))

    def test_not_tls(self, serve: Callable[..., int]) -> None:
        """A server speaking SSH: could not check (no handshake at all)."""
        port = serve(
            lambda conn: conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n" * 20)
        )
        r = check_tls("127.0.0.1", port)
        _unchecked(r)
        assert "no-tls" not in codes(r)

    def test_reset(self, serve: Callable[..., int]) -> None:
        """A server that resets every connection: could not check."""
        import struct

        def reset(conn: socket.socket) -> None:
            conn.recv(4096)
            conn.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )

        _unchecked(check_tls("127.0.0.1", serve(reset)))

    def test_partial_probe(
        self, certs: Certs, serve: Callable[..., int]
    ) -> None:
        """A good server that stops answering after two probes: no pass,
        though the versions it did answer look fine."""
        # TLS 1.0 and 1.1 refused, then silence
        r = answer_then(certs, serve, 2, _silent, timeout=0.5)
        _unchecked(r)
        assert r.notes == ["the server timed out"]

    def test_dripping_server_meets_the_deadline(
        self, serve: Callable[..., int]
    ) -> None:
        """A server dripping a handshake record cannot hold check_tls past
        its deadline; the report says so and is no pass."""
        stop = threading.Event()
        port = serve(_dripping(stop))
        start = time.monotonic()
        try:
            r = check_tls("127.0.0.1", port, timeout=1, deadline=2)
        finally:
            stop.set()
        assert time.monotonic() - start < 2 + 1.5
        _unchecked(r)
        assert r.notes == [
            (
                "the check did not complete within its 2 s deadline: "
                "the server sends too slowly"
            )
        ]

    def test_deadline_in_the_chain_check(
        self, certs: Certs, serve: Callable[..., int]
    ) -> None:
        """A server that answers the probes and drips during the chain
        check: the deadline ends it, and the report is no pass."""
        # the TLS 1.0, 1.1, 1.2 and 1.3 probes answered, then a drip
        r = answer_then(certs, serve, 4, _dripping, timeout=1, deadline=3)
        assert r.protocols["TLSv1.3"] is True
        assert r.chain_valid is None
        _unchecked(r)
        assert r.notes == [
            (
                "the check did not complete within its 3 s deadline: "
                "the server sends too slowly"
            )
        ]

    def test_default_deadline(self) -> None:
        """Without deadline= the whole check ends by 12 x timeout."""
        from dataprotect import tls

        assert tls._DEADLINE_TIMEOUTS == 12

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"timeout": 0},
            {"timeout": float("nan")},
            {"deadline": -1},
            {"deadline": float("inf")},
        ],
    )
    def test_bad_timeouts(self, kwargs: dict[str, float]) -> None:
        """A timeout or deadline that is not a positive number is a ConfigurationError."""
        with pytest.raises(ConfigurationError, match="positive"):
            check_tls("127.0.0.1", 443, **kwargs)

    def test_cli_exits_1(self, serve: Callable[..., int]) -> None:
        """dataprotect scan tls exits 1 for a server that never answers."""
        port = serve(lambda conn: time.sleep(1.5))
        res = CliRunner().invoke(
            cli, ["scan", "tls", f"127.0.0.1:{port}", "--timeout", "0.5"]
        )
        assert res.exit_code == 1
        assert "  [unchecked] could-not-check: " in res.output

    def test_cli_prints_subjects_without_escapes(
        self, certs: Certs, serve: Callable[..., int], tmp_path: Path
    ) -> None:
        """A certificate subject holding terminal escape sequences and
        bidirectional overrides reaches neither the report nor the terminal."""
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _issue(
            key,
            "evil\x1b[2J\x1b]0;pwned\x07\u202ename",
            key,
            "evil\x1b[31missuer",
            sans=[x509.DNSName("localhost")],
            start=NOW - datetime.timedelta(days=1),
            days=90,
        )
        pem = _pem(tmp_path / "evil.pem", key, cert)
        port = serve(tls_handler(server_context(certfile=str(pem))))
        r = check_tls("127.0.0.1", port, server_name="localhost")
        assert r.certificate is not None
        assert r.certificate.subject == "CN=evilname"
        assert r.certificate.issuer == "CN=evilissuer"
        res = CliRunner().invoke(
            cli,
            ["scan", "tls", f"127.0.0.1:{port}", "--server-name", "localhost"],
        )
        assert "certificate: CN=evilname, " in res.output
        assert "\x1b" not in res.output
        assert "\u202e" not in res.output

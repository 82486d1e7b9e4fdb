"""security.txt (RFC 9116): rendering, parsing, signing, and the live check
against a real HTTPS server on loopback."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from hypothesis import given
from hypothesis import strategies as st

from dataprotect.cli._app import cli
from dataprotect.disclosure import (
    CONTENT_TYPE,
    VIOLATIONS,
    WELL_KNOWN_PATH,
    SecurityTxt,
    Violation,
    _gpg,
    check_security_txt,
    parse_security_txt,
    sign_security_txt,
)
from dataprotect.disclosure._parse import parse_expires
from dataprotect.errors import BackendError, ConfigurationError
from helpers import pem_private_key, require_binary


UTC = dt.timezone.utc
NOW = dt.datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
LATER = NOW + dt.timedelta(days=90)
VECTORS = Path(__file__).parent / "vectors" / "securitytxt"
GOOD = "Contact: mailto:security@example.com\nExpires: 2030-09-01T00:00:00Z\n"


def codes(text: str | bytes, **kwargs) -> set[str]:
    """The error codes parse_security_txt reports for *text* at NOW."""
    return {v.code for v in parse_security_txt(text, now=NOW, **kwargs).errors}


class TestSecurityTxt:
    def test_render_minimal(self):
        """Contact and Expires, LF-ended, Expires in UTC to the second."""
        txt = SecurityTxt(
            "mailto:a@example.com",
            dt.datetime(2030, 9, 1, 2, 0, 0, 999, tzinfo=dt.timezone.utc),
        )
        assert txt.render(now=NOW) == (
            "Contact: mailto:a@example.com\nExpires: 2030-09-01T02:00:00Z\n"
        )

    def test_render_crlf_comment_and_every_field(self):
        """CRLF endings, a comment header and every RFC field are written."""
        txt = SecurityTxt(
            ["mailto:a@example.com", "tel:+1-201-555-0123"],
            LATER.astimezone(dt.timezone(dt.timedelta(hours=2))),
            encryption="openpgp4fpr:5f2de5521c63a801ab59ccb603d49de44b29100f",
            acknowledgments="https://example.com/thanks",
            preferred_languages=["en", "nl"],
            canonical="https://example.com/.well-known/security.txt",
            policy="https://example.com/policy",
            hiring="https://example.com/jobs",
            csaf="https://example.com/provider-metadata.json",
            comment="Security contacts\n\nof Example",
        )
        text = txt.render(now=NOW, line_ending="\r\n")
        lines = text.split("\r\n")
        assert lines[:3] == ["# Security contacts", "#", "# of Example"]
        assert "Preferred-Languages: en, nl" in lines
        assert "Expires: 2030-08-30T12:00:00Z" in lines
        assert text.endswith("\r\n")
        assert "\n" not in text.replace("\r\n", "")
        assert parse_security_txt(text, now=NOW).security_txt == txt

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"contact": []}, "contact: at least one"),
            ({"contact": "security@example.com"}, "contact: each value"),
            ({"contact": "http://example.com/"}, "https://"),
            ({"policy": "https:///nohost"}, "policy: each value"),
            ({"encryption": "-----BEGIN PGP"}, "encryption: each value"),
            ({"preferred_languages": "en_US"}, "RFC 5646"),
            ({"comment": "bad\r\nline"}, "comment"),
            ({"comment": "trailing "}, "comment"),
            (
                {"expires": dt.datetime(2030, 9, 1)},  # noqa: DTZ001 - the naive datetime under test
                "timezone-aware",
            ),
        ],
    )
    def test_constructor_refuses_rfc_violations(self, kwargs, message):
        """Each static RFC rule is enforced by the constructor."""
        args = {"contact": "mailto:a@example.com", "expires": LATER, **kwargs}
        with pytest.raises(ConfigurationError, match=message):
            SecurityTxt(**args)

    def test_type_errors(self):
        """Wrong types are TypeError (programming errors)."""
        with pytest.raises(TypeError):
            SecurityTxt("mailto:a@example.com", "2030-01-01")
        with pytest.raises(TypeError):
            SecurityTxt(["mailto:a@example.com", 3], LATER)
        with pytest.raises(TypeError):
            SecurityTxt("mailto:a@example.com", LATER, comment=3)
        with pytest.raises(TypeError):
            parse_security_txt(3)

    def test_render_checks_the_clock(self):
        """Expires must be ahead, and by default less than a year ahead."""
        txt = SecurityTxt("mailto:a@example.com", LATER)
        with pytest.raises(ConfigurationError, match="future"):
            txt.render(now=LATER)
        far = SecurityTxt("mailto:a@example.com", NOW.replace(year=2032))
        with pytest.raises(ConfigurationError, match="max_expiry"):
            far.render(now=NOW)
        assert far.render(now=NOW, max_expiry=None).startswith("Contact")
        with pytest.raises(ConfigurationError, match="line_ending"):
            txt.render(now=NOW, line_ending="\r")  # type: ignore[arg-type]  # the bad value under test
        assert SecurityTxt(
            "mailto:a@example.com",
            dt.datetime.now(UTC) + dt.timedelta(days=9),
        ).render()

    def test_rfc_examples_round_trip(self):
        """The RFC's example files parse, render, and parse to the same."""
        for name in ("rfc-fields.txt", "rfc-section3.txt"):
            report = parse_security_txt((VECTORS / name).read_bytes(), now=NOW)
            assert report.ok, report.violations
            txt = report.security_txt
            assert txt is not None
            again = parse_security_txt(
                txt.render(now=NOW, max_expiry=None), now=NOW
            )
            assert again.security_txt == txt
        fields = parse_security_txt(
            (VECTORS / "rfc-fields.txt").read_bytes(), now=NOW
        ).security_txt
        assert fields is not None
        assert fields.contact == (
            "mailto:security@example.com",
            "tel:+1-201-555-0123",
            "https://example.com/security-contact.html",
        )
        assert fields.preferred_languages == ("en", "es", "fr")


_host = st.from_regex(
    r"[a-z][a-z0-9-]{0,10}\.example\.(com|org)", fullmatch=True
)
_path = st.from_regex(r"(/[A-Za-z0-9._~-]{1,8}){0,3}", fullmatch=True)
_web = st.builds(lambda h, p: f"https://{h}{p}", _host, _path)
_uri = st.one_of(
    _web,
    st.builds(
        lambda u, h: f"mailto:{u}@{h}",
        st.from_regex(r"[a-z0-9.]{1,10}", fullmatch=True),
        _host,
    ),
    st.from_regex(r"tel:\+[0-9]{1,3}-[0-9]{3}-[0-9]{4}", fullmatch=True),
    st.from_regex(r"openpgp4fpr:[0-9a-f]{40}", fullmatch=True),
)
_uris = st.lists(_uri, max_size=3)
_comment_line = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")),
    max_size=20,
).map(str.rstrip)


@st.composite
def security_txts(draw: st.DrawFn) -> SecurityTxt:
    """Any valid field set."""
    seconds = draw(st.integers(1, 364 * 86400))
    comment = draw(st.none() | st.lists(_comment_line, min_size=1, max_size=3))
    return SecurityTxt(
        draw(st.lists(_uri, min_size=1, max_size=3)),
        NOW + dt.timedelta(seconds=seconds),
        encryption=draw(_uris),
        acknowledgments=draw(_uris),
        preferred_languages=draw(
            st.lists(
                st.from_regex(r"[a-z]{2,3}(-[A-Z]{2})?", fullmatch=True),
                max_size=3,
            )
        ),
        canonical=draw(st.lists(_web, max_size=2)),
        policy=draw(_uris),
        hiring=draw(_uris),
        csaf=draw(
            st.lists(
                _web.map(lambda u: u + "/provider-metadata.json"), max_size=1
            )
        ),
        comment=None if comment is None else "\n".join(comment),
    )


class TestProperties:
    @given(txt=security_txts(), crlf=st.booleans())
    def test_render_then_parse_is_identity(self, txt, crlf):
        """Any valid field set survives render and parse unchanged."""
        text = txt.render(now=NOW, line_ending="\r\n" if crlf else "\n")
        report = parse_security_txt(text, now=NOW)
        assert report.ok, report.violations
        assert report.security_txt == txt

    @given(data=st.binary(max_size=300))
    def test_any_bytes_give_a_report(self, data):
        """Arbitrary bytes never raise: they give a report."""
        report = parse_security_txt(data, now=NOW)
        assert all(v.code in VIOLATIONS for v in report.violations)


class TestViolations:
    """Every MUST of RFC 9116 has a failing file."""

    @pytest.mark.parametrize(
        ("text", "code"),
        [
            # 2.5.3 Contact: MUST always be present
            ("Expires: 2030-09-01T00:00:00Z\n", "no_contact"),
            # 2.5.3: a URI; mailto/tel for addresses and numbers
            (GOOD + "Contact: security@example.com\n", "no_uri"),
            # 2.5.x: a web URI MUST begin with https://
            (GOOD + "Policy: http://example.com/p\n", "no_https"),
            (GOOD + "Acknowledgments: http://example.com/a\n", "no_https"),
            (GOOD + "Hiring: http://example.com/h\n", "no_https"),
            (GOOD + "Canonical: http://example.com/c\n", "no_https"),
            (GOOD + "Contact: http://example.com/c\n", "no_https"),
            # 2.5.4 Encryption: MUST NOT contain the key itself
            (GOOD + "Encryption: mQINBF...==\n", "no_uri"),
            (GOOD + "Encryption: http://example.com/key\n", "no_https"),
            # 2.5.5 Expires: MUST be present, MUST NOT appear twice
            ("Contact: mailto:a@example.com\n", "no_expire"),
            (GOOD + "Expires: 2030-08-01T00:00:00Z\n", "multi_expire"),
            # 2.5.5: RFC 3339 format
            (GOOD.replace("T00:00:00Z", " 00:00"), "invalid_expiry"),
            (GOOD.replace("09-01", "02-30"), "invalid_expiry"),
            (GOOD.replace("Z", "+25:00"), "invalid_expiry"),
            # 2.5.5: a stale file
            (GOOD.replace("2030-09", "2030-05"), "expired"),
            # 2.5.8 Preferred-Languages: at most once, RFC 5646 tags
            (
                GOOD + "Preferred-Languages: en\nPreferred-Languages: nl\n",
                "multi_lang",
            ),
            (GOOD + "Preferred-Languages: en, 12\n", "invalid_lang"),
            # 3: every line is a field, a comment or blank; eol after each
            (GOOD + "free text\n", "invalid_line"),
            (GOOD + "Bad Name: x\n", "invalid_line"),
            (GOOD + "Policy: https://example.com/\x00\n", "invalid_line"),
            (GOOD + "Policy : https://example.com/\n", "prec_ws"),
            (GOOD + "Policy:https://example.com/\n", "no_space"),
            (GOOD + ": https://example.com/\n", "empty_key"),
            (GOOD + "Policy:\n", "empty_value"),
            (GOOD.rstrip("\n"), "no_line_separators"),
            # 4: UTF-8 in Net-Unicode form
            (b"\xef\xbb\xbf" + GOOD.encode(), "bom_in_file"),
            (GOOD.encode() + b"# caf\xe9\n", "utf8"),
            (GOOD + "# \ud800\n", "utf8"),
            # 3: OpenPGP cleartext signature framing
            (
                GOOD + "-----BEGIN PGP SIGNED MESSAGE-----\n",
                "signed_format_issue",
            ),
            (
                "-----BEGIN PGP SIGNED MESSAGE-----\nHash SHA256\n\n" + GOOD,
                "signed_format_issue",
            ),
            (
                "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n",
                "signed_format_issue",
            ),
            (
                "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n" + GOOD,
                "signed_format_issue",
            ),
            (
                (
                    "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n-bad\n"
                    "-----BEGIN PGP SIGNATURE-----\n-----END PGP SIGNATURE-----\n"
                ),
                "signed_format_issue",
            ),
            ("-----BEGIN PGP SIGNED MESSAGE-----", "signed_format_issue"),
            # CSAF (IANA registry): provider-metadata.json
            (GOOD + "CSAF: https://example.com/x.json\n", "no_csaf_file"),
            # found by fuzz/fuzz_security_txt.py: urlsplit raised ValueError
            (
                GOOD + "Canonical: https://ex]ample.com/security.txt\n",
                "no_uri",
            ),
            (GOOD + "Encryption: https://[::1/key.txt\n", "no_uri"),
        ],
    )
    def test_failing_file(self, text, code):
        """The file is reported with the rule's name, as an error."""
        report = parse_security_txt(text, now=NOW)
        assert code in {v.code for v in report.errors}
        assert not report.ok

    def test_huge_file(self):
        """A file over the size limit is one named error, not a crash."""
        report = parse_security_txt(GOOD + "#" * 70_000 + "\n", now=NOW)
        assert [v.code for v in report.violations] == ["too_large"]
        assert codes(GOOD, max_size=10) == {"too_large"}

    def test_warnings(self):
        """SHOULDs are warnings: the file is still ok."""
        soon = GOOD.replace("2030-09-01", "2030-06-10")
        report = parse_security_txt(soon, now=NOW)
        assert report.ok
        assert {v.code for v in report.warnings} == {
            "expires_soon",
            "not_signed",
        }
        long = parse_security_txt(GOOD.replace("2030-09", "2031-09"), now=NOW)
        assert {v.code for v in long.warnings} == {"long_expiry", "not_signed"}
        unknown = parse_security_txt(GOOD + "X-Thing: 1\n", now=NOW)
        assert "unknown_field" in unknown.codes
        assert unknown.ok

    def test_canonical_match(self):
        """A file whose URL is not among its Canonical fields fails."""
        text = (
            GOOD + "Canonical: https://example.com/.well-known/security.txt\n"
        )
        ok = parse_security_txt(
            text, url="https://example.com/.well-known/security.txt", now=NOW
        )
        assert ok.ok
        bad = parse_security_txt(text, url="https://evil.example/", now=NOW)
        assert "no_canonical_match" in bad.codes

    def test_leap_second_and_offsets(self):
        """RFC 3339 leap seconds, fractions, offsets and lower-case t/z."""
        assert parse_expires("2030-06-30T23:59:60Z") == dt.datetime(
            2030, 7, 1, tzinfo=UTC
        )
        assert parse_expires("2030-06-30t10:00:00.5-02:00") == dt.datetime(
            2030, 6, 30, 12, tzinfo=UTC
        )
        assert parse_expires("2030-06-30T10:00:00+02:60") is None

    def test_violation_str(self):
        """A violation prints its severity, code, line and message."""
        assert str(Violation.of("no_contact")) == (
            "error: no_contact: the Contact field is required"
        )
        assert str(Violation.of("invalid_line", 3)).startswith(
            "error: invalid_line (line 3): "
        )

    def test_duplicate_language_builds_no_fields(self):
        """A file that breaks a rule gives no SecurityTxt, but its fields."""
        report = parse_security_txt(
            GOOD + "Preferred-Languages: en\nPreferred-Languages: nl\n",
            now=NOW,
        )
        assert report.security_txt is None
        assert report.fields["preferred-languages"] == ("en", "nl")
        bad_uri = parse_security_txt(GOOD + "Policy: x y\n", now=NOW)
        assert bad_uri.security_txt is None


# ------------------------------------------------------------------ peer


def _expected() -> dict[str, list[str]]:
    return json.loads((VECTORS / "expected.json").read_text())


class TestCrossCheck:
    """The validator agrees with the published ``sectxt`` package."""

    @pytest.mark.parametrize("name", sorted(_expected()))
    def test_agrees_with_sectxt(self, name):
        """Same verdict and the same error codes as sectxt on each file."""
        sectxt = pytest.importorskip("sectxt")
        data = (VECTORS / name).read_bytes()
        report = parse_security_txt(data)
        peer = sectxt.Parser(data)
        assert sorted(v.code for v in report.errors) == _expected()[name]
        assert report.ok == peer.is_valid()
        if name != "signed-truncated.txt":  # sectxt: pgp_data_error
            assert {v.code for v in report.errors} == {
                e["code"] for e in peer.errors
            }


# ------------------------------------------------------------------- gpg


@pytest.fixture(name="gnupghome", scope="module")
def _gnupghome() -> Iterator[Path]:
    """A temporary GNUPGHOME with a fresh signing key (no passphrase) and
    the committed vectors' public key."""
    gpg = require_binary("gpg")
    home = Path(
        tempfile.mkdtemp(prefix="g", dir="/tmp")
    )  # short: agent socket
    env = {**os.environ, "GNUPGHOME": str(home)}
    subprocess.run(
        [
            gpg,
            "--batch",
            "--passphrase",
            "",
            "--quick-gen-key",
            "Test Security <security@example.org>",
            "ed25519",
            "sign",
            "never",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            gpg,
            "--batch",
            "--passphrase",
            "secret-pass",
            "--quick-gen-key",
            "Locked <locked@example.org>",
            "ed25519",
            "sign",
            "never",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [gpg, "--batch", "--import", str(VECTORS / "signer.asc")],
        env=env,
        check=True,
        capture_output=True,
    )
    yield home
    subprocess.run(
        ["gpgconf", "--kill", "gpg-agent"],
        env=env,
        check=False,
        capture_output=True,
    )
    shutil.rmtree(home, ignore_errors=True)


class TestSignature:
    def test_sign_and_verify(self, gnupghome):
        """A signed file verifies, names its signer, and parses the same."""
        txt = SecurityTxt(
            "mailto:security@example.org",
            LATER,
            canonical="https://example.org/.well-known/security.txt",
        )
        signed = sign_security_txt(
            txt.render(now=NOW),
            key="security@example.org",
            gnupghome=gnupghome,
        )
        assert signed.startswith("-----BEGIN PGP SIGNED MESSAGE-----\n")
        report = parse_security_txt(
            signed, now=NOW, verify_signature=True, gnupghome=gnupghome
        )
        assert report.ok, report.violations
        assert report.signed
        assert report.signature_valid
        assert report.signer is not None
        assert len(report.signer) == 40
        assert report.security_txt == txt
        assert "not_signed" not in report.codes

    def test_passphrase_file(self, gnupghome, tmp_path):
        """A key with a passphrase signs with --passphrase-file."""
        pw = tmp_path / "pw"
        pw.write_text("secret-pass\n")
        signed = sign_security_txt(
            GOOD,
            key="locked@example.org",
            gnupghome=gnupghome,
            passphrase_file=pw,
        )
        assert parse_security_txt(
            signed, now=NOW, verify_signature=True, gnupghome=gnupghome
        ).signature_valid

    def test_committed_vectors(self, gnupghome):
        """The committed signed file verifies; tampered ones do not."""
        good = (VECTORS / "signed.txt").read_bytes()
        dashed = (VECTORS / "signed-dash-escaped.txt").read_bytes()
        for data in (good, dashed):
            report = parse_security_txt(
                data, verify_signature=True, gnupghome=gnupghome
            )
            assert report.ok
            assert report.signature_valid
        tampered = parse_security_txt(
            (VECTORS / "signed-tampered.txt").read_bytes(),
            verify_signature=True,
            gnupghome=gnupghome,
        )
        assert not tampered.ok
        assert tampered.signature_valid is False
        assert [v.code for v in tampered.errors] == ["pgp_signature_error"]

    def test_signed_without_canonical_is_a_warning(self, gnupghome):
        """A signed file should carry a Canonical field."""
        signed = sign_security_txt(
            GOOD, key="security@example.org", gnupghome=gnupghome
        )
        report = parse_security_txt(signed, now=NOW)
        assert report.ok
        assert report.signature_valid is None
        assert {v.code for v in report.warnings} == {"no_canonical"}

    def test_sign_failures(self, gnupghome, tmp_path, monkeypatch):
        """An unknown key, an option-like key or a missing gpg is one error."""
        with pytest.raises(BackendError, match="could not sign"):
            sign_security_txt(
                GOOD, key="nobody@example.org", gnupghome=gnupghome
            )
        with pytest.raises(ConfigurationError, match="key must be"):
            sign_security_txt(GOOD, key="--help", gnupghome=gnupghome)
        monkeypatch.setenv("PATH", str(tmp_path))
        with pytest.raises(BackendError, match="not installed"):
            sign_security_txt(GOOD, key="x")
        with pytest.raises(BackendError, match="not installed"):
            parse_security_txt(
                (VECTORS / "signed.txt").read_bytes(), verify_signature=True
            )

    def test_gpg_time_outs(self, gnupghome, tmp_path, monkeypatch):
        """A gpg that hangs is a failure, not a hang."""
        fake = tmp_path / "gpg"
        fake.write_text("#!/bin/sh\nsleep 5\n")
        fake.chmod(0o755)
        monkeypatch.setattr(_gpg, "_TIMEOUT", 0.2)
        with pytest.raises(BackendError, match="in time"):
            _gpg.sign_cleartext(GOOD, key="x", gpg=str(fake))
        assert _gpg.verify_cleartext(GOOD, gpg=str(fake)) is None


# ----------------------------------------------------------- live checks


@dataclass(frozen=True)
class Pki:
    ca: Path
    server: ssl.SSLContext
    untrusted: ssl.SSLContext


def _cert(key, subject, issuer_key, issuer, *, ca, sans=()):
    name = lambda cn: x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])  # noqa: E731 - a local shorthand
    now = dt.datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name(subject))
        .issuer_name(name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.BasicConstraints(ca=ca, path_length=None), critical=True
        )
    )
    if sans:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(list(sans)), critical=False
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _context(tmp: Path, name: str, key, *certs) -> ssl.SSLContext:
    pem = tmp / f"{name}.pem"
    pem.write_bytes(
        pem_private_key(key)
        + b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)
    )
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pem)
    return ctx


@pytest.fixture(name="pki", scope="module")
def _pki(tmp_path_factory) -> Pki:
    """A test CA, a server certificate for localhost/127.0.0.1 it signs,
    and a self-signed one it does not."""
    import ipaddress

    tmp = tmp_path_factory.mktemp("pki")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _cert(ca_key, "Test CA", ca_key, "Test CA", ca=True)
    (tmp / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    key = ec.generate_private_key(ec.SECP256R1())
    sans = [
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
    ]
    leaf = _cert(key, "localhost", ca_key, "Test CA", ca=False, sans=sans)
    own = _cert(key, "localhost", key, "localhost", ca=False, sans=sans)
    return Pki(
        tmp / "ca.pem",
        _context(tmp, "leaf", key, leaf, ca),
        _context(tmp, "own", key, own),
    )


Route = Callable[[str], tuple[int, dict[str, str], bytes]]


class _Handler(http.server.BaseHTTPRequestHandler):
    route: Route

    def do_GET(self):
        status, headers, body = self.route(self.path)
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(name="https")
def _https(pki) -> Iterator[Callable[..., str]]:
    """Start HTTPS servers on loopback answering with a route function;
    returns their base URL.  All stop after the test."""
    servers = []

    def start(route: Route, *, context: ssl.SSLContext | None = None) -> str:
        handler = type("H", (_Handler,), {"route": staticmethod(route)})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.socket = (context or pki.server).wrap_socket(
            server.socket, server_side=True
        )
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread))
        return f"https://127.0.0.1:{server.server_address[1]}"

    yield start
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _file(body: str | bytes, content_type: str = CONTENT_TYPE) -> Route:
    data = body.encode() if isinstance(body, str) else body

    def route(path: str):
        if path == WELL_KNOWN_PATH:
            return 200, {"Content-Type": content_type}, data
        return 404, {}, b""

    return route


def _served(base: str) -> str:
    now = dt.datetime.now(UTC)
    return SecurityTxt(
        "mailto:security@example.com",
        now + dt.timedelta(days=90),
        canonical=base + WELL_KNOWN_PATH,
    ).render()


class TestCheck:
    def test_a_good_site(self, https, pki):
        """A well-served file passes; host-only URLs mean the well-known path."""
        holder: dict[str, str] = {}
        base = https(lambda p: _file(holder["text"])(p))  # noqa: PLW0108 - the file is set after the server starts
        holder["text"] = _served(base)
        report = check_security_txt(base, cafile=pki.ca)
        assert report.ok, report.violations
        assert report.url == base + WELL_KNOWN_PATH
        host_only = check_security_txt(
            base.removeprefix("https://"), cafile=pki.ca
        )
        assert host_only.ok

    def test_redirect_to_https_is_followed(self, https, pki):
        """An HTTPS redirect is followed; the final URL may be canonical."""
        holder: dict[str, str] = {}

        def route(path):
            if path == WELL_KNOWN_PATH:
                return 301, {"Location": "/files/security.txt"}, b""
            if path == "/files/security.txt":
                return (
                    200,
                    {"Content-Type": CONTENT_TYPE},
                    holder["text"].encode(),
                )
            return 404, {}, b""

        base = https(route)
        holder["text"] = SecurityTxt(
            "mailto:security@example.com",
            dt.datetime.now(UTC) + dt.timedelta(days=90),
            canonical=base + "/files/security.txt",
        ).render()
        ctx = ssl.create_default_context(cafile=str(pki.ca))
        assert check_security_txt(base, ssl_context=ctx).ok

    @pytest.mark.parametrize(
        ("content_type", "code"),
        [
            ("text/html; charset=utf-8", "invalid_media"),
            ("text/plain", "invalid_charset"),
            ("text/plain; charset=iso-8859-1", "invalid_charset"),
        ],
    )
    def test_content_type(self, https, pki, content_type, code):
        """The content type must be text/plain; charset=utf-8."""
        base = https(_file(GOOD.replace("2030", "2099"), content_type))
        report = check_security_txt(base, cafile=pki.ca, expiry_warning_days=0)
        assert code in {v.code for v in report.errors}
        assert not report.ok

    def test_no_content_type(self, https, pki):
        """A missing Content-Type header is an error."""

        def route(path):
            return 200, {}, GOOD.encode()

        base = https(route)
        assert (
            "no_content_type" in check_security_txt(base, cafile=pki.ca).codes
        )

    @pytest.mark.parametrize(
        "route",
        [
            lambda p: (404, {}, b"not here"),
            lambda p: (500, {}, b""),
            lambda p: (302, {}, b""),
            lambda p: (302, {"Location": "http://127.0.0.1:1/x"}, b""),
            lambda p: (302, {"Location": p}, b""),
            lambda p: (302, {"Location": "https://127.0.0.1:99999/x"}, b""),
            lambda p: (302, {"Location": "https://[127.0.0.1/x"}, b""),
            lambda p: (302, {"Location": "https://127.0.0.1:x/"}, b""),
        ],
        ids=[
            "404",
            "500",
            "redirect-no-location",
            "redirect-to-http",
            "loop",
            "redirect-port-out-of-range",
            "redirect-unbalanced-bracket",
            "redirect-port-not-a-number",
        ],
    )
    def test_never_a_pass_when_not_served(self, https, pki, route):
        """Errors, plain-HTTP redirects and loops are failures."""
        report = check_security_txt(https(route), cafile=pki.ca)
        assert not report.ok
        assert report.codes & {"no_security_txt", "no_https"}

    def test_unreachable_sites(self, pki):
        """Refused, timed-out and plain-HTTP sites never pass."""
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        sock.close()
        refused = check_security_txt(
            f"https://127.0.0.1:{port}", cafile=pki.ca
        )
        assert [v.code for v in refused.violations] == ["no_security_txt"]
        silent = socket.socket()
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        try:
            slow = check_security_txt(
                f"https://127.0.0.1:{silent.getsockname()[1]}",
                cafile=pki.ca,
                timeout=0.3,
            )
        finally:
            silent.close()
        assert [v.code for v in slow.violations] == ["no_security_txt"]
        plain = check_security_txt("http://127.0.0.1/.well-known/security.txt")
        assert [v.code for v in plain.violations] == ["no_https"]
        assert not plain.ok

    def test_untrusted_certificate(self, https, pki):
        """A certificate the trust roots do not vouch for is invalid_cert."""
        base = https(_file(GOOD), context=pki.untrusted)
        report = check_security_txt(base, cafile=pki.ca)
        assert [v.code for v in report.violations] == ["invalid_cert"]

    def test_location_and_canonical(self, https, pki):
        """A file elsewhere than the well-known path, or not canonical, fails."""

        def route(path):
            body = (
                GOOD.replace("2030", "2099")
                + "Canonical: https://example.com/.well-known/security.txt\n"
            )
            return 200, {"Content-Type": CONTENT_TYPE}, body.encode()

        base = https(route)
        report = check_security_txt(base + "/security.txt?x=1", cafile=pki.ca)
        assert {"location", "no_canonical_match"} <= {
            v.code for v in report.errors
        }

    def test_huge_and_binary_served_files(self, https, pki):
        """A huge or binary file is a named error."""
        huge = check_security_txt(https(_file(b"#" * 100_000)), cafile=pki.ca)
        assert "too_large" in huge.codes
        binary = check_security_txt(
            https(_file(os.urandom(64) + b"\xff")), cafile=pki.ca
        )
        assert "utf8" in binary.codes


# -------------------------------------------------------------------- CLI


@pytest.fixture(name="run")
def _run():
    runner = CliRunner()

    def run(*args: str, input: bytes | None = None):
        return runner.invoke(
            cli, list(args), input=input, catch_exceptions=False
        )

    return run


class TestCLI:
    def test_render_and_check_a_file(self, run, tmp_path):
        """render writes a valid file (mode 0644); check passes it."""
        out = tmp_path / "security.txt"
        result = run(
            "disclosure",
            "render",
            "--contact",
            "mailto:security@example.com",
            "--contact",
            "https://example.com/report",
            "--preferred-languages",
            "en,nl",
            "--policy",
            "https://example.com/policy",
            "--comment",
            "Hello",
            "--crlf",
            "-o",
            str(out),
        )
        assert result.exit_code == 0, result.output
        assert out.stat().st_mode & 0o777 == 0o644
        assert out.read_bytes().count(b"\r\n") == 6
        checked = run("disclosure", "check", str(out))
        assert checked.exit_code == 0, checked.output
        assert "warning: not_signed" in checked.output
        assert run("disclosure", "check", "--strict", str(out)).exit_code == 1
        args = ["disclosure", "render", "--contact", "mailto:a@example.com"]
        again = run(*args, "-o", str(out))
        assert again.exit_code == 2
        assert "--force" in again.output
        assert b"example.com/report" in out.read_bytes()
        assert run(*args, "-o", str(out), "--force").exit_code == 0
        assert b"example.com/report" not in out.read_bytes()

    def test_render_to_stdout_with_expires(self, run):
        """--expires takes an RFC 3339 date-time."""
        when = (dt.datetime.now(UTC) + dt.timedelta(days=30)).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
        result = run(
            "disclosure",
            "render",
            "--contact",
            "mailto:a@example.com",
            "--expires",
            when,
        )
        assert result.exit_code == 0
        assert f"Expires: {when}" in result.output

    def test_render_errors(self, run):
        """Bad values are one line on stderr and exit status 2."""
        bad = run("disclosure", "render", "--contact", "a@example.com")
        assert bad.exit_code == 2
        assert "contact: each value must be a URI" in bad.output
        date = run(
            "disclosure",
            "render",
            "--contact",
            "mailto:a@example.com",
            "--expires",
            "tomorrow",
        )
        assert date.exit_code == 2
        assert "RFC 3339" in date.output

    def test_render_signed(self, run, gnupghome):
        """--sign-key signs with gpg."""
        result = run(
            "disclosure",
            "render",
            "--contact",
            "mailto:a@example.com",
            "--sign-key",
            "security@example.org",
            "--gnupghome",
            str(gnupghome),
        )
        assert result.exit_code == 0
        assert "BEGIN PGP SIGNATURE" in result.output
        checked = run(
            "disclosure",
            "check",
            "-",
            "--verify-signature",
            "--gnupghome",
            str(gnupghome),
            input=result.output.encode(),
        )
        assert "signature: valid" in checked.output
        unchecked = run(
            "disclosure", "check", "-", input=result.output.encode()
        )
        assert "signature: not checked" in unchecked.output

    def test_check_failures(self, run, tmp_path):
        """A bad file exits 1 and names each violation; JSON has ok."""
        bad = tmp_path / "bad.txt"
        bad.write_text("Contact: a@example.com\n")
        result = run("disclosure", "check", str(bad))
        assert result.exit_code == 1
        assert "error: no_uri (line 1)" in result.output
        assert "error: no_expire" in result.output
        js = run("disclosure", "check", "--format", "json", str(bad))
        assert js.exit_code == 1
        doc = json.loads(js.output)
        assert doc["ok"] is False
        assert {v["code"] for v in doc["violations"]} >= {
            "no_uri",
            "no_expire",
        }
        missing = run("disclosure", "check", str(tmp_path / "missing.txt"))
        assert missing.exit_code == 2

    def test_check_a_site(self, run, https, pki):
        """check URL fetches over HTTPS with --cafile."""
        holder: dict[str, str] = {}
        base = https(lambda p: _file(holder["text"])(p))  # noqa: PLW0108 - the file is set after the server starts
        holder["text"] = _served(base)
        ok = run("disclosure", "check", base, "--cafile", str(pki.ca))
        assert ok.exit_code == 0, ok.output
        assert "expires:" in ok.output
        down = run(
            "disclosure", "check", "https://127.0.0.1:1", "--timeout", "1"
        )
        assert down.exit_code == 1
        assert "no_security_txt" in down.output

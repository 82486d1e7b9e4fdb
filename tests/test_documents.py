"""Tests for dataprotect.documents: PAdES signing and verification.

Certificates are made with ``cryptography`` at run time.  Signed output is
checked by two independent verifiers as well: poppler's ``pdfsig`` (trust
root in a throw-away NSS database made with ``certutil``) and the
``pyhanko`` command.  B-T signatures use a real RFC 3161 time-stamping
authority served over HTTP on loopback.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import pickle
import re
import subprocess
import sys
import threading

from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import IN_CI, free_port, pem_private_key, require_binary, run_cli


pytest.importorskip("pyhanko")
pytest.importorskip("fpdf")

import contextlib

from dataprotect.documents import (
    AGREEMENT,
    INCIDENT_POSTMORTEM,
    ReportTemplate,
    SignatureReport,
    Signer,
    render_report,
    sign_pdf,
    verify_pdf,
)
from dataprotect.errors import (
    BackendError,
    CertificateValidityError,
    ConfigurationError,
    DocumentError,
    EncryptedDocumentError,
    InvalidDocumentError,
    MissingDependencyError,
    SignerError,
    TimestampError,
)


NOW = dt.datetime.now(dt.timezone.utc)
FIELDS = {
    "organisation": "Example GmbH",
    "employee": "Alice Example",
    "role": "SRE",
    "date": "2026-01-05",
    "systems": "production database",
}


# --- a small PKI -----------------------------------------------------------


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test Org"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def _cert(
    cn,
    key,
    issuer=None,
    issuer_key=None,
    *,
    ca=False,
    tsa=False,
    not_before=None,
    not_after=None,
):
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(issuer.subject if issuer else _name(cn))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or NOW - dt.timedelta(days=1))
        .not_valid_after(not_after or NOW + dt.timedelta(days=30))
        .add_extension(
            x509.BasicConstraints(ca=ca, path_length=None), critical=True
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
            critical=False,
        )
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=not (ca or tsa),
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    if issuer_key is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(
                issuer_key.public_key()
            ),
            critical=False,
        )
    if tsa:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
            critical=True,
        )
    return builder.sign(issuer_key or key, hashes.SHA256())


def _pem(cert) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


@dataclass
class PKI:
    root_key: ec.EllipticCurvePrivateKey
    root: x509.Certificate
    alice_key: ec.EllipticCurvePrivateKey
    alice_cert: x509.Certificate
    org_key: rsa.RSAPrivateKey
    org_cert: x509.Certificate
    org_p12: bytes
    tsa_key: rsa.RSAPrivateKey
    tsa_cert: x509.Certificate
    other_root: x509.Certificate

    def issue(self, cn, key, **kw):
        return _cert(cn, key, self.root, self.root_key, **kw)

    def issue_bare(self, cn, key):
        """A certificate for *key* from the root, valid from yesterday to
        tomorrow, with no extensions at all."""
        return (
            x509.CertificateBuilder()
            .subject_name(_name(cn))
            .issuer_name(self.root.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - dt.timedelta(days=1))
            .not_valid_after(NOW + dt.timedelta(days=1))
            .sign(self.root_key, hashes.SHA256())
        )


@pytest.fixture(name="pki", scope="session")
def _pki() -> PKI:
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = _cert("Test Root CA", root_key, ca=True)
    alice_key = ec.generate_private_key(ec.SECP256R1())
    alice_cert = _cert("Alice Example", alice_key, root, root_key)
    org_key = rsa.generate_private_key(65537, 2048)
    org_cert = _cert("Example GmbH", org_key, root, root_key)
    org_p12 = pkcs12.serialize_key_and_certificates(
        b"org",
        org_key,
        org_cert,
        [root],
        serialization.BestAvailableEncryption(b"correct horse"),
    )
    tsa_key = rsa.generate_private_key(65537, 2048)
    tsa_cert = _cert("Test TSA", tsa_key, root, root_key, tsa=True)
    other_key = ec.generate_private_key(ec.SECP256R1())
    other_root = _cert("Other Root CA", other_key, ca=True)
    return PKI(
        root_key,
        root,
        alice_key,
        alice_cert,
        org_key,
        org_cert,
        org_p12,
        tsa_key,
        tsa_cert,
        other_root,
    )


@pytest.fixture(name="alice", scope="session")
def _alice(pki) -> Signer:
    return Signer.from_pem(
        pem_private_key(pki.alice_key), pki.alice_cert, [pki.root]
    )


@pytest.fixture(name="org", scope="session")
def _org(pki) -> Signer:
    return Signer.from_pkcs12(pki.org_p12, "correct horse")


@pytest.fixture(name="document", scope="session")
def _document() -> bytes:
    return render_report(AGREEMENT, FIELDS, now=NOW)


@pytest.fixture(name="signed", scope="session")
def _signed(document, alice) -> bytes:
    return sign_pdf(document, alice, reason="I agree", location="Berlin")


@pytest.fixture(name="twice", scope="session")
def _twice(signed, org) -> bytes:
    return sign_pdf(signed, org, reason="Countersigned", location="Munich")


def _byte_ranges(pdf: bytes) -> list[tuple[int, int]]:
    """The signed byte ranges of every signature, as (start, end) pairs."""
    ranges = []
    for m in re.finditer(
        rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", pdf
    ):
        a, b, c, d = map(int, m.groups())
        ranges += [(a, a + b), (c, c + d)]
    return ranges


def _tamper_content(pdf: bytes) -> bytes:
    """Append an incremental update that adds text to page 1."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    stream = generic.StreamObject(
        stream_data=b"BT /F1 24 Tf 72 400 Td (Salary doubled) Tj ET"
    )
    writer.add_stream_to_page(0, writer.add_object(stream))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _update(pdf: bytes, change) -> bytes:
    """Apply *change* to an incremental writer over *pdf*; the new bytes."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _with_fields(pdf: bytes, make_fields) -> bytes:
    """*pdf* with its /AcroForm /Fields replaced by ``make_fields(writer)``."""
    from pyhanko.pdf_utils import generic

    def change(writer):
        writer.root["/AcroForm"] = generic.DictionaryObject(
            {generic.NameObject("/Fields"): make_fields(writer)}
        )
        writer.update_root()

    return _update(pdf, change)


# --- signing and verifying ---------------------------------------------------


class TestSignVerify:
    def test_sign_then_verify_is_valid(self, signed, pki, document):
        """A fresh signature verifies: intact, trusted, whole file, no changes."""
        report = verify_pdf(signed, trust_roots=[pki.root])
        assert report.valid
        assert bool(report)
        assert report.problems == ()
        (sig,) = report.signatures
        assert sig.valid
        assert sig.intact
        assert sig.trusted
        assert sig.covers_whole_document
        assert sig.modification_level == "none"
        assert sig.signer_subject == "CN=Alice Example,O=Test Org"
        assert sig.signer_certificate == pki.alice_cert
        assert sig.reason == "I agree"
        assert sig.location == "Berlin"
        assert sig.field_name == "Signature1"
        assert sig.timestamp_time is None
        assert abs(
            sig.signing_time - dt.datetime.now(dt.timezone.utc)
        ) < dt.timedelta(minutes=10)
        assert signed.startswith(document), "signing is an incremental update"

    def test_paths_and_root_formats(self, tmp_path, document, alice, pki):
        """Documents and roots may be paths; roots PEM, DER or objects."""
        src = tmp_path / "doc.pdf"
        src.write_bytes(document)
        signed = sign_pdf(src, alice)
        out = tmp_path / "signed.pdf"
        out.write_bytes(signed)
        root_pem = tmp_path / "root.pem"
        root_pem.write_bytes(_pem(pki.root))
        der = pki.root.public_bytes(serialization.Encoding.DER)
        for roots in (
            [pki.root],
            pki.root,
            _pem(pki.root),
            [der],
            [root_pem],
            str(root_pem),
            _pem(pki.other_root) + _pem(pki.root),
        ):
            assert verify_pdf(out, trust_roots=roots).valid, roots
            assert verify_pdf(str(out), trust_roots=roots).valid

    def test_two_signatures_both_valid(self, twice, pki):
        """Employee then organisation: both signatures stay valid."""
        report = verify_pdf(twice, trust_roots=[pki.root])
        assert report.valid
        first, second = report.signatures
        assert first.signer_subject == "CN=Alice Example,O=Test Org"
        assert second.signer_subject == "CN=Example GmbH,O=Test Org"
        assert first.valid
        assert second.valid
        assert not first.covers_whole_document
        assert first.modification_level == "form_filling"
        assert second.covers_whole_document
        assert second.modification_level == "none"
        assert (first.field_name, second.field_name) == (
            "Signature1",
            "Signature2",
        )

    def test_signer_is_reused(self, document, org, pki):
        """One loaded signer signs many documents."""
        for i in range(3):
            out = sign_pdf(document, org, field_name=f"Approval{i}")
            report = verify_pdf(out, trust_roots=[pki.root])
            assert report.valid
            assert report.signatures[0].field_name == f"Approval{i}"

    def test_named_field_already_signed(self, signed, alice):
        """Signing into a filled field is refused."""
        with pytest.raises(InvalidDocumentError, match="already signed"):
            sign_pdf(signed, alice, field_name="Signature1")

    @pytest.mark.parametrize("name", ["", "a.b"])
    def test_bad_field_name(self, document, alice, name):
        """Empty or dotted field names are rejected."""
        with pytest.raises(ConfigurationError):
            sign_pdf(document, alice, field_name=name)

    def test_wrong_types(self, document, alice):
        """Passing the wrong types is a TypeError."""
        with pytest.raises(TypeError):
            sign_pdf(document, object())  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            sign_pdf(123, alice)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            Signer(object(), None)  # type: ignore[arg-type]

    @settings(max_examples=15, deadline=None)
    @given(
        reason=st.text(
            st.characters(codec="utf-8", exclude_characters="\x00"),
            min_size=1,
            max_size=40,
        ),
        location=st.text(
            st.characters(codec="utf-8", exclude_characters="\x00"),
            min_size=1,
            max_size=40,
        ),
    )
    def test_reason_location_round_trip(
        self, document, alice, pki, reason, location
    ):
        """Any reason and location text comes back unchanged."""
        report = verify_pdf(
            sign_pdf(document, alice, reason=reason, location=location),
            trust_roots=pki.root,
        )
        assert report.valid
        assert report.signatures[0].reason == reason
        assert report.signatures[0].location == location

    @pytest.mark.parametrize("field", ["reason", "location"])
    def test_nul_is_refused(self, document, alice, field):
        """NUL would come back as bytes, not the signed text: refused."""
        with pytest.raises(ConfigurationError, match=f"{field} must not"):
            sign_pdf(document, alice, **{field: "a\x00b"})


class TestTampering:
    def test_flipped_byte_not_intact(self, signed, pki, document):
        """One flipped byte inside the signed range breaks integrity."""
        data = bytearray(signed)
        data[len(document) // 2] ^= 0x20
        report = verify_pdf(bytes(data), trust_roots=[pki.root])
        assert not report.valid
        (sig,) = report.signatures
        assert not sig.intact
        assert not sig.valid

    @settings(max_examples=20, deadline=None)
    @given(data=st.data())
    def test_any_flip_in_signed_range_detected(self, signed, pki, data):
        """Any single-byte change inside a signed range is never valid."""
        start, end = data.draw(st.sampled_from(_byte_ranges(signed)))
        pos = data.draw(st.integers(start, end - 1))
        flip = data.draw(st.integers(1, 255))
        tampered = bytearray(signed)
        tampered[pos] ^= flip
        report = verify_pdf(bytes(tampered), trust_roots=[pki.root])
        assert not report.valid
        assert report.problems

    @settings(max_examples=25, deadline=None)
    @given(data=st.data())
    def test_damaged_input_never_crashes(
        self, signed, document, alice, pki, data
    ):
        """Flipped or cut bytes anywhere: verify reports, sign raises only
        DocumentError."""
        source = data.draw(st.sampled_from([signed, document]))
        damaged = bytearray(source)
        if data.draw(st.booleans()):
            pos = data.draw(st.integers(0, len(damaged) - 1))
            damaged[pos] ^= data.draw(st.integers(1, 255))
        else:
            del damaged[data.draw(st.integers(1, len(damaged) - 1)) :]
        report = verify_pdf(bytes(damaged), trust_roots=[pki.root])
        assert isinstance(report.valid, bool)
        with contextlib.suppress(DocumentError):
            sign_pdf(bytes(damaged), alice)

    def test_incremental_update_reports_modification(self, signed, pki):
        """Content changed in a later update: intact but modified, not valid."""
        report = verify_pdf(_tamper_content(signed), trust_roots=[pki.root])
        assert not report.valid
        (sig,) = report.signatures
        assert sig.intact
        assert sig.trusted
        assert not sig.covers_whole_document
        assert sig.modification_level == "other"
        assert any("modified after signing" in p for p in sig.problems)

    def test_junk_after_eof(self, signed, pki):
        """Bytes appended after %%EOF are not covered: not valid."""
        report = verify_pdf(
            signed + b"\nextra bytes\n", trust_roots=[pki.root]
        )
        assert not report.valid
        (sig,) = report.signatures
        assert sig.intact
        assert not sig.covers_whole_document
        assert any("not a PDF update" in p for p in sig.problems)

    def test_untrusted_root(self, signed, pki):
        """A root that did not issue the signer: intact but not trusted."""
        report = verify_pdf(signed, trust_roots=[pki.other_root])
        assert not report.valid
        (sig,) = report.signatures
        assert sig.intact
        assert not sig.trusted
        assert "trust root" in sig.problems[0]

    def test_expired_at_verification_time(self, signed, pki):
        """Verified after the certificate expired: not trusted."""
        later = NOW + dt.timedelta(days=60)
        report = verify_pdf(signed, trust_roots=[pki.root], now=later)
        assert not report.valid
        assert not report.signatures[0].trusted

    def test_corrupt_embedded_certificate(self, signed, pki):
        """A corrupt certificate inside the signature is reported, not raised."""
        cert_hex = pki.alice_cert.public_bytes(
            serialization.Encoding.DER
        ).hex()
        text = signed.decode("latin-1")
        idx = text.lower().find(cert_hex)
        assert idx > 0
        # break the certificate's outer SEQUENCE tag and its TBS tag
        corrupt = (
            text[:idx]
            + "ff"
            + text[idx + 2 : idx + 8]
            + "ff"
            + text[idx + 10 :]
        )
        report = verify_pdf(corrupt.encode("latin-1"), trust_roots=[pki.root])
        assert not report.valid
        assert report.problems


class TestBadInput:
    @pytest.mark.parametrize(
        "data", [b"", b"hello world", b"\x89PNG\r\n\x1a\n" + b"0" * 100]
    )
    def test_not_a_pdf(self, data, alice, pki):
        """Non-PDF input: an error when signing, a report when verifying."""
        with pytest.raises(InvalidDocumentError):
            sign_pdf(data, alice)
        report = verify_pdf(data, trust_roots=[pki.root])
        assert not report.valid
        assert report.problems == ("not a PDF document",)

    def test_truncated(self, document, signed, alice, pki):
        """A truncated PDF cannot be signed and does not verify."""
        with pytest.raises(InvalidDocumentError):
            sign_pdf(document[: len(document) // 2], alice)
        report = verify_pdf(
            signed[: len(signed) - 300], trust_roots=[pki.root]
        )
        assert not report.valid
        assert report.problems

    def test_encrypted(self, alice, pki):
        """An encrypted PDF: EncryptedDocumentError / a report."""
        from fpdf import FPDF

        pdf = FPDF()
        pdf.set_encryption(owner_password="owner", user_password="user")
        pdf.add_page()
        pdf.set_font("Helvetica", size=12)
        pdf.cell(text="secret")
        data = bytes(pdf.output())
        with pytest.raises(EncryptedDocumentError):
            sign_pdf(data, alice)
        report = verify_pdf(data, trust_roots=[pki.root])
        assert not report.valid
        assert "encrypted" in report.problems[0]

    def test_unsigned_document(self, document, pki):
        """A document without signatures is not valid."""
        report = verify_pdf(document, trust_roots=[pki.root])
        assert not report.valid
        assert report.problems == ("the document has no signatures",)

    def test_unreadable_path(self, tmp_path, pki):
        """A missing file is reported by verify_pdf."""
        report = verify_pdf(tmp_path / "missing.pdf", trust_roots=[pki.root])
        assert report.problems == ("the file cannot be read",)

    def test_bad_trust_roots(self, signed):
        """Unusable trust roots are the caller's error."""
        with pytest.raises(ConfigurationError):
            verify_pdf(signed, trust_roots=[b"not a certificate"])
        with pytest.raises(ConfigurationError):
            verify_pdf(signed, trust_roots=[])

    def test_wrong_pkcs12_passphrase(self, pki):
        """Wrong passphrase and corrupt file give one message, no secret."""
        with pytest.raises(SignerError) as wrong:
            Signer.from_pkcs12(pki.org_p12, "hunter2-wrong")
        with pytest.raises(SignerError) as corrupt:
            Signer.from_pkcs12(b"\x30\x03\x02\x01\x00", "hunter2-wrong")
        assert str(wrong.value) == str(corrupt.value)
        assert "hunter2" not in str(wrong.value)
        with pytest.raises(SignerError) as nul:  # cryptography panics on NUL
            Signer.from_pkcs12(pki.org_p12, "hunter2\x00x")
        assert str(nul.value) == str(wrong.value)
        assert wrong.value.__cause__ is None
        assert wrong.value.__suppress_context__

    @settings(max_examples=10, deadline=None)
    @given(
        secret=st.text(st.characters(codec="utf-8"), min_size=8, max_size=30)
    )
    def test_no_passphrase_in_errors(self, pki, secret):
        """A wrong passphrase never shows up in the error or its chain."""
        with pytest.raises(SignerError) as exc:
            Signer.from_pkcs12(pki.org_p12, secret + "!wrong")
        text = "".join(__import__("traceback").format_exception(exc.value))
        assert secret not in text

    def test_lone_surrogate_passphrase_not_carried(self, pki):
        """A passphrase with a lone surrogate is a wrong one, never echoed."""
        import traceback

        secret = "Zq" + "9-secret\udc80"  # not a literal in the traceback

        encrypted = pki.alice_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"right passphrase"),
        )
        attempts = [
            lambda pw: Signer.from_pkcs12(pki.org_p12, pw),
            lambda pw: Signer.from_pem(
                encrypted, pki.alice_cert, passphrase=pw
            ),
        ]
        for attempt in attempts:
            with pytest.raises(SignerError) as exc:
                attempt(secret)
            assert "Zq9" not in repr(exc.value)
            assert "Zq9" not in "".join(traceback.format_exception(exc.value))

    def test_der_key_and_chain(self, pki, document):
        """DER keys and certificates, with a chain, load and sign."""
        der_key = pki.alice_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        signer = Signer.from_pem(
            der_key,
            pki.alice_cert.public_bytes(serialization.Encoding.DER),
            chain=[_pem(pki.root)],
        )
        assert signer.chain == (pki.root,)
        assert verify_pdf(
            sign_pdf(document, signer), trust_roots=pki.root
        ).valid
        with pytest.raises(SignerError):
            Signer.from_pem(der_key, b"garbage")

    def test_ed25519_signer(self, pki, document):
        """Ed25519 keys sign too (pyHanko verifies them)."""
        from cryptography.hazmat.primitives.asymmetric import ed25519

        key = ed25519.Ed25519PrivateKey.generate()
        cert = pki.issue_bare("Ed Signer", key)
        signer = Signer.from_pem(pem_private_key(key), cert)
        report = verify_pdf(sign_pdf(document, signer), trust_roots=pki.root)
        assert report.signatures[0].intact

    def test_unsupported_key_type(self, pki):
        """A DSA key is refused with a SignerError."""
        from cryptography.hazmat.primitives.asymmetric import dsa

        key = dsa.generate_private_key(2048)
        with pytest.raises(SignerError, match="RSA, EC"):
            Signer.from_pem(pem_private_key(key), pki.alice_cert)

    def test_missing_root_file(self, signed, tmp_path):
        """A trust root path that does not exist is a ConfigurationError."""
        with pytest.raises(ConfigurationError):
            verify_pdf(signed, trust_roots=[tmp_path / "nope.pem"])
        with pytest.raises(TypeError):
            verify_pdf(signed, trust_roots=[42])  # type: ignore[list-item]

    def test_pkcs12_from_path(self, tmp_path, pki):
        """A PKCS#12 file path loads; a missing one is a SignerError."""
        path = tmp_path / "org.p12"
        path.write_bytes(pki.org_p12)
        assert Signer.from_pkcs12(path, b"correct horse").subject == (
            "CN=Example GmbH,O=Test Org"
        )
        with pytest.raises(SignerError):
            Signer.from_pkcs12(tmp_path / "nope.p12", "x")

    def test_key_does_not_match_certificate(self, pki):
        """A key that is not the certificate's is refused."""
        with pytest.raises(SignerError, match="does not match"):
            Signer.from_pem(pem_private_key(pki.alice_key), pki.org_cert)

    def test_encrypted_pem_key(self, pki):
        """An encrypted PEM key needs its passphrase."""
        enc = pki.alice_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"key-pass"),
        )
        assert Signer.from_pem(
            enc, _pem(pki.alice_cert), passphrase="key-pass"
        )
        with pytest.raises(SignerError) as exc:
            Signer.from_pem(
                enc, _pem(pki.alice_cert), passphrase="nope-secret"
            )
        assert "nope-secret" not in str(exc.value)

    @pytest.mark.parametrize(
        ("before", "after", "message"),
        [
            (
                NOW - dt.timedelta(days=10),
                NOW - dt.timedelta(days=1),
                "expired",
            ),
            (
                NOW + dt.timedelta(days=1),
                NOW + dt.timedelta(days=10),
                "not yet",
            ),
        ],
    )
    def test_certificate_validity(self, pki, document, before, after, message):
        """Expired and not-yet-valid signer certificates cannot sign."""
        key = ec.generate_private_key(ec.SECP256R1())
        cert = pki.issue("Bob", key, not_before=before, not_after=after)
        signer = Signer.from_pem(pem_private_key(key), cert)
        with pytest.raises(CertificateValidityError, match=message):
            sign_pdf(document, signer)
        assert issubclass(CertificateValidityError, DocumentError)
        # the same certificate signs at a time when it was valid
        moment = before + (after - before) / 2
        signer.check_validity(moment)
        signer.check_validity(moment.replace(tzinfo=None))

    def test_tsa_unreachable(self, document, alice):
        """A TSA that does not answer is a TimestampError."""
        url = f"http://127.0.0.1:{free_port()}/tsa"
        with pytest.raises(TimestampError):
            sign_pdf(document, alice, timestamp_url=url)

    def test_tsa_url_scheme(self, document, alice):
        """Only http(s) TSA URLs are accepted."""
        with pytest.raises(ConfigurationError):
            sign_pdf(document, alice, timestamp_url="file:///etc/passwd")

    def test_signer_repr_and_pickle(self, alice, org):
        """Signers show only the subject and cannot be pickled."""
        assert repr(alice) == "<Signer CN=Alice Example,O=Test Org>"
        assert "correct horse" not in repr(org)
        with pytest.raises(TypeError):
            pickle.dumps(alice)
        assert alice.chain
        assert alice.certificate.subject.rfc4514_string()


class TestSignerSources:
    def test_key_and_p12_types(self, pki):
        """A key or PKCS#12 that is neither bytes nor a path is a TypeError."""
        with pytest.raises(TypeError, match="key must be bytes or a path"):
            Signer.from_pem(42, pki.alice_cert)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="bytes or a path"):
            Signer.from_pkcs12(42, "x")  # type: ignore[arg-type]

    def test_unreadable_key_file(self, pki, tmp_path):
        """A key path that cannot be read is a SignerError."""
        with pytest.raises(SignerError, match="cannot read the key file"):
            Signer.from_pem(tmp_path / "missing.key", pki.alice_cert)

    def test_pkcs12_without_key(self, pki):
        """A PKCS#12 file holding only certificates cannot sign."""
        p12 = pkcs12.serialize_key_and_certificates(
            None, None, None, [pki.root], serialization.NoEncryption()
        )
        with pytest.raises(
            SignerError, match="no private key and certificate"
        ):
            Signer.from_pkcs12(p12, None)

    def test_nul_in_pem_passphrase(self, pki):
        """A NUL in a PEM key's passphrase is a wrong passphrase, not echoed."""
        enc = pki.alice_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"key-pass"),
        )
        with pytest.raises(SignerError) as nul:
            Signer.from_pem(enc, pki.alice_cert, passphrase="Zq9\x00pass")
        with pytest.raises(SignerError) as wrong:
            Signer.from_pem(enc, pki.alice_cert, passphrase="Zq9-wrong")
        assert str(nul.value) == str(wrong.value)
        assert "Zq9" not in str(nul.value)

    def test_ed448_signer(self, pki, document):
        """Ed448 keys sign (a 114-byte signature fits the placeholder)."""
        from cryptography.hazmat.primitives.asymmetric import ed448

        key = ed448.Ed448PrivateKey.generate()
        cert = pki.issue_bare("Ed448 Signer", key)
        signer = Signer.from_pem(pem_private_key(key), cert)
        report = verify_pdf(sign_pdf(document, signer), trust_roots=pki.root)
        assert report.signatures[0].intact
        assert (
            report.signatures[0].signer_subject == "CN=Ed448 Signer,O=Test Org"
        )


class TestPKCS11WithoutToken:
    URI = "pkcs11:token=t;object=o?module-path=/nonexistent/libpkcs11.so"

    def test_bad_chain(self):
        """An unusable chain certificate is a SignerError naming it."""
        with pytest.raises(SignerError, match="chain certificate"):
            Signer.from_pkcs11(self.URI, pin="1234", chain=[b"garbage"])

    def test_missing_python_pkcs11(self, monkeypatch):
        """Without python-pkcs11, reading the token's certificate names the extra."""
        monkeypatch.setitem(sys.modules, "pkcs11", None)
        with pytest.raises(
            MissingDependencyError, match=r"dataprotect\[hsm\]"
        ):
            Signer.from_pkcs11(self.URI, pin="1234")

    def test_unloadable_module(self, pki, document):
        """A module that does not load: BackendError, reading the certificate
        or signing; the PIN is never shown."""
        with pytest.raises(BackendError) as reading:
            Signer.from_pkcs11(self.URI, pin="Zq9-pin")
        assert "Zq9" not in str(reading.value)
        signer = Signer.from_pkcs11(
            self.URI, pin="Zq9-pin", cert=pki.alice_cert
        )
        with pytest.raises(BackendError) as signing:
            sign_pdf(document, signer)
        assert "Zq9" not in str(signing.value)
        signer.close()

    def test_unloadable_module_message(self, pki, document):
        """A module that does not load says so."""
        with pytest.raises(
            BackendError, match="cannot load the PKCS#11 module"
        ):
            Signer.from_pkcs11(self.URI, pin="1234")
        signer = Signer.from_pkcs11(self.URI, pin="1234", cert=pki.alice_cert)
        with pytest.raises(
            BackendError, match="cannot load the PKCS#11 module"
        ):
            sign_pdf(document, signer)


class TestHostileForms:
    @pytest.mark.parametrize(
        "shape", ["number", "null entry", "name not text"]
    )
    def test_malformed_fields_are_invalid_documents(
        self, document, alice, shape
    ):
        """A malformed /AcroForm /Fields is an InvalidDocumentError when signing."""
        from pyhanko.pdf_utils import generic as g

        def make(writer):
            if shape == "number":
                return g.NumberObject(5)
            if shape == "null entry":
                return g.ArrayObject([g.NullObject()])
            field = g.DictionaryObject(
                {
                    g.NameObject("/FT"): g.NameObject("/Sig"),
                    g.NameObject("/T"): g.NumberObject(5),
                }
            )
            return g.ArrayObject([writer.add_object(field)])

        with pytest.raises(InvalidDocumentError):
            sign_pdf(_with_fields(document, make), alice)

    @pytest.mark.parametrize("kind", ["number", "array", "string"])
    def test_acroform_not_a_dictionary(self, document, alice, pki, kind):
        """An /AcroForm that is not a dictionary: an error signing, a report verifying."""
        from pyhanko.pdf_utils import generic as g

        value = {
            "number": g.NumberObject(5),
            "array": g.ArrayObject([]),
            "string": g.TextStringObject("x"),
        }[kind]

        def change(writer):
            writer.root["/AcroForm"] = value
            writer.update_root()

        pdf = _update(document, change)
        with pytest.raises(InvalidDocumentError):
            sign_pdf(pdf, alice)
        report = verify_pdf(pdf, trust_roots=pki.root)
        assert report.problems == (
            "the document's form fields cannot be read",
        )

    @pytest.mark.parametrize(
        "number", [b"5.9.58", b"......", b"-.-.-.", b"+.+.+."]
    )
    def test_bad_mediabox_number_is_invalid_document(
        self, document, alice, pki, number
    ):
        """A malformed number in /MediaBox (decimal.InvalidOperation inside
        pyHanko) is an InvalidDocumentError when signing, a report verifying."""
        old = b"/MediaBox [0 0 595.28"
        assert old in document
        pdf = document.replace(old, b"/MediaBox [0 0 " + number)
        with pytest.raises(InvalidDocumentError, match="cannot sign"):
            sign_pdf(pdf, alice)
        report = verify_pdf(pdf, trust_roots=pki.root)
        assert not report.valid

    def test_malformed_fields_verify_without_crash(self, document, pki):
        """verify_pdf reports a malformed /AcroForm /Fields as unsigned."""
        from pyhanko.pdf_utils import generic as g

        pdf = _with_fields(document, lambda w: g.NumberObject(5))
        report = verify_pdf(pdf, trust_roots=pki.root)
        assert report.problems == ("the document has no signatures",)


class TestVerifyEdges:
    def test_empty_signature_field_is_skipped(self, document, alice, pki):
        """An empty signature field beside a signed one does not count."""
        from pyhanko.sign.fields import SigFieldSpec, append_signature_field

        with_field = _update(
            document,
            lambda w: append_signature_field(w, SigFieldSpec("Empty")),
        )
        report = verify_pdf(
            sign_pdf(with_field, alice, field_name="Real"),
            trust_roots=pki.root,
        )
        assert report.valid, report.problems
        assert [s.field_name for s in report.signatures] == ["Real"]
        unsigned = verify_pdf(with_field, trust_roots=pki.root)
        assert unsigned.problems == ("the document has no signatures",)

    def test_signature_after_no_changes_certification(
        self, document, alice, org, pki
    ):
        """A signature added despite a no-changes certification breaks its policy."""
        from pyhanko.sign import fields, signers

        from dataprotect.documents._signers import hanko_signer

        def sign_with(signer_cls, pdf, signer, **meta):
            from pyhanko.pdf_utils.incremental_writer import (
                IncrementalPdfFileWriter,
            )

            out = io.BytesIO()
            signer_cls(
                signers.PdfSignatureMetadata(
                    subfilter=fields.SigSeedSubFilter.PADES, **meta
                ),
                signer=hanko_signer(signer),
            ).sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), output=out)
            return out.getvalue()

        class Careless(signers.PdfSigner):
            """A signer that ignores the author's DocMDP permissions."""

            def _enforce_certification_constraints(self, reader):
                pass

        certified = sign_with(
            signers.PdfSigner,
            document,
            alice,
            field_name="Author",
            certify=True,
            docmdp_permissions=fields.MDPPerm.NO_CHANGES,
        )
        assert verify_pdf(certified, trust_roots=pki.root).valid
        with pytest.raises(InvalidDocumentError):
            sign_pdf(certified, org)
        late = sign_with(Careless, certified, org, field_name="Late")
        report = verify_pdf(late, trust_roots=pki.root)
        assert not report.valid
        assert report.problems == (
            "Author: the changes after signing break the document's policy",
        )

    @pytest.mark.parametrize(
        ("der", "expected"),
        [(None, None), (b"\x30\x03\x02\x01\x00", None)],
    )
    def test_unreadable_signer_certificate(self, der, expected):
        """A report whose certificate is missing or corrupt has no subject."""
        report = SignatureReport(
            field_name="Signature1",
            signer_certificate_der=der,
            signing_time=None,
            timestamp_time=None,
            reason=None,
            location=None,
            intact=False,
            trusted=False,
            covers_whole_document=False,
            modification_level="unknown",
            valid=False,
            problems=("the signature or its certificate is corrupt",),
        )
        assert report.signer_certificate is expected
        assert report.signer_subject is None


class TestOptionalDependencies:
    def test_missing_pyhanko(self):
        """Without pyHanko, importing the module names the extra."""
        code = (
            "import sys; sys.modules['pyhanko'] = None\n"
            "try:\n    import dataprotect.documents\n"
            "except Exception as e:\n    print(type(e).__name__, e)\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={
                **__import__("os").environ,
                "PYTHONPATH": str(Path(__file__).parents[1] / "src"),
            },
        ).stdout
        assert out.startswith("MissingDependencyError")
        assert "dataprotect[pdf]" in out

    def test_missing_fpdf(self, monkeypatch):
        """Without fpdf2, render_report names the extra."""
        from dataprotect.errors import MissingDependencyError

        monkeypatch.setitem(sys.modules, "fpdf", None)
        with pytest.raises(
            MissingDependencyError, match=r"dataprotect\[pdf\]"
        ):
            render_report(AGREEMENT, FIELDS)

    def test_missing_certvalidator(self, monkeypatch):
        """Without pyhanko-certvalidator, the [pdf] extra is named."""
        from dataprotect.documents._deps import require_pyhanko

        require_pyhanko()
        monkeypatch.setitem(sys.modules, "pyhanko_certvalidator", None)
        with pytest.raises(
            MissingDependencyError, match=r"dataprotect\[pdf\]"
        ):
            require_pyhanko()


# --- render_report -------------------------------------------------------------


class TestRender:
    def test_agreement_and_postmortem(self):
        """Both built-in templates render to PDFs."""
        assert render_report(AGREEMENT, FIELDS).startswith(b"%PDF-")
        fields = dict.fromkeys(INCIDENT_POSTMORTEM.fields, "x")
        assert render_report(INCIDENT_POSTMORTEM, fields).startswith(b"%PDF-")

    def test_missing_field(self):
        """A missing field names the field."""
        with pytest.raises(ConfigurationError, match="'systems'"):
            render_report(
                AGREEMENT, {k: v for k, v in FIELDS.items() if k != "systems"}
            )

    def test_malformed_placeholder(self):
        """A '$' that starts no placeholder is a ConfigurationError."""
        template = ReportTemplate("Price: 5$ per $unit", (("H", "x"),))
        with pytest.raises(ConfigurationError, match="malformed placeholder"):
            render_report(template, {"unit": "seat"})

    def test_naive_now_is_utc(self):
        """A naive *now* is read as UTC."""
        naive = NOW.replace(tzinfo=None)
        assert render_report(AGREEMENT, FIELDS, now=naive) == render_report(
            AGREEMENT, FIELDS, now=NOW
        )

    def test_fields_property(self):
        """The template lists its placeholders."""
        assert AGREEMENT.fields == set(FIELDS)
        assert ReportTemplate("$a $$b", (("H", "$c"),)).fields == {"a", "c"}

    def test_reproducible_with_now(self):
        """Same input and time give the same bytes."""
        assert render_report(AGREEMENT, FIELDS, now=NOW) == render_report(
            AGREEMENT, FIELDS, now=NOW
        )

    def test_long_text_and_unicode(self, pki, alice):
        """Long text flows onto many pages; non-Latin-1 text renders."""
        template = ReportTemplate("Report \u2014 $name", (("Body", "$body"),))
        body = "\n\n".join(
            f"Paragraph {i}: \u201cquoted\u201d \u03b1\u03b2 text."
            for i in range(300)
        )
        pdf = render_report(template, {"name": "\u00e9t\u00e9", "body": body})
        from pyhanko.pdf_utils.reader import PdfFileReader

        pages = PdfFileReader(io.BytesIO(pdf)).root["/Pages"]["/Count"]
        assert pages > 3
        assert verify_pdf(sign_pdf(pdf, alice), trust_roots=pki.root).valid

    def test_field_types(self):
        """Field values must be strings."""
        with pytest.raises(TypeError):
            render_report(AGREEMENT, {**FIELDS, "date": 2026})  # type: ignore[dict-item]


DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
WORLD = {
    **FIELDS,
    "organisation": "Z\u00fcrich \u4e2d\u6587 GmbH",
    "employee": "\u0395\u03bb\u03ad\u03bd\u03b7 \u041e\u043b\u044f",
    "systems": "\u201cdb\u201d \u2014 backups",
}


def _text(pdf: bytes) -> str:
    """What pdftotext reads from *pdf* (poppler-utils)."""
    binary = require_binary("pdftotext")
    return subprocess.run(
        [binary, "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")


@pytest.fixture(name="cjk_font")
def _cjk_font():
    """A CJK-capable system font (CI installs fonts-droid-fallback)."""
    from dataprotect.documents import _render

    for path in _render._CJK_FONTS:
        if Path(path).is_file():
            return Path(path)
    reason = "no CJK font (CI installs fonts-droid-fallback in .ci/run)"
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)
    return None  # unreachable


@pytest.fixture(name="dejavu")
def _dejavu():
    """DejaVu Sans (CI installs fonts-dejavu-core)."""
    if DEJAVU.is_file():
        return DEJAVU
    reason = "DejaVu Sans missing (CI installs fonts-dejavu-core)"
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)
    return None  # unreachable


class TestRenderFonts:
    def test_every_script_survives(self, dejavu, cjk_font):
        """Latin, Greek, Cyrillic and CJK text and typographic marks come
        back out of the PDF as written (no '?')."""
        text = _text(render_report(AGREEMENT, WORLD, now=NOW))
        for value in WORLD.values():
            assert value in text
        assert "?" not in text

    def test_missing_glyph_is_refused(self, dejavu):
        """A character no font covers is an error naming its code point."""
        with pytest.raises(ConfigurationError, match=r"U\+10900"):
            render_report(AGREEMENT, {**FIELDS, "role": "\U00010900"})

    def test_explicit_fonts(self, dejavu, cjk_font, tmp_path):
        """fonts= replaces the system fonts; fallbacks are read only when
        needed, and only the ones that help are used."""
        with pytest.raises(ConfigurationError, match=r"U\+4E2D"):
            render_report(AGREEMENT, WORLD, fonts=[dejavu])
        bad = tmp_path / "bad.ttf"
        bad.write_bytes(b"not a font")
        latin = render_report(AGREEMENT, FIELDS, now=NOW, fonts=[dejavu, bad])
        assert "Example GmbH" in _text(latin)
        pdf = render_report(AGREEMENT, WORLD, fonts=[dejavu, dejavu, cjk_font])
        assert WORLD["organisation"] in _text(pdf)
        with pytest.raises(ConfigurationError, match="bad.ttf could not be"):
            render_report(AGREEMENT, FIELDS, fonts=[bad])
        with pytest.raises(FileNotFoundError) as missing:
            render_report(AGREEMENT, FIELDS, fonts=[tmp_path / "none.ttf"])
        assert missing.value.filename == str(tmp_path / "none.ttf")

    @pytest.mark.filterwarnings("ignore::ResourceWarning")
    @pytest.mark.filterwarnings(
        "ignore::pytest.PytestUnraisableExceptionWarning"
    )
    def test_damaged_font(self, tmp_path):
        """A file that starts like a font but is damaged is refused too
        (fpdf2 then leaves the file to the garbage collector)."""
        damaged = tmp_path / "damaged.ttf"
        damaged.write_bytes(b"\x00\x01\x00\x00" + b"garbage" * 3)
        with pytest.raises(ConfigurationError, match="damaged.ttf could not"):
            render_report(AGREEMENT, FIELDS, fonts=[damaged])

    def test_system_fonts_found(self, dejavu, monkeypatch, tmp_path):
        """DejaVu Sans without its bold face, and no CJK font, still work."""
        from dataprotect.documents import _render

        (tmp_path / "DejaVuSans.ttf").symlink_to(dejavu)
        monkeypatch.setattr(
            _render, "_DEJAVU_DIRS", (str(tmp_path / "absent"), str(tmp_path))
        )
        monkeypatch.setattr(_render, "_CJK_FONTS", ())
        assert _render._system_fonts() == ([tmp_path / "DejaVuSans.ttf"], None)
        assert "Example GmbH" in _text(render_report(AGREEMENT, FIELDS))

    def test_core_font_fallback(self, monkeypatch):
        """Without any Unicode font: a warning, Helvetica, typographic
        marks as ASCII, and other non-Latin-1 characters refused."""
        from dataprotect.documents import _render

        monkeypatch.setattr(_render, "_DEJAVU_DIRS", ())
        fields = {**FIELDS, "systems": "\u201cdb\u201d \u2014 Z\u00fcrich"}
        with pytest.warns(UserWarning, match="Latin-1 only"):
            pdf = render_report(AGREEMENT, fields)
        assert '"db" - Z\u00fcrich' in _text(pdf)
        with (
            pytest.warns(UserWarning, match="Latin-1 only"),
            pytest.raises(ConfigurationError, match=r"U\+0395"),
        ):
            render_report(AGREEMENT, WORLD)

    def test_cli_font_and_note(self, dejavu, monkeypatch, tmp_path):
        """pdf render takes --font; without fonts it says so in one note."""
        from dataprotect.documents import _render

        args = ["pdf", "render", "--template", "agreement"]
        args += [f"-f{k}={v}" for k, v in FIELDS.items()]
        out = tmp_path / "a.pdf"
        result = run_cli(*args, "-o", out, "--font", dejavu)
        assert result.exit_code == 0, result.output
        monkeypatch.setattr(_render, "_DEJAVU_DIRS", ())
        result = run_cli(*args, "-o", out, "--force")
        assert result.exit_code == 0, result.output
        assert result.stderr.startswith("note: no Unicode font found")
        assert len(result.stderr.splitlines()) == 1


# --- a time-stamping authority on loopback ----------------------------------------


@pytest.fixture(name="tsa_url", scope="module")
def _tsa_url(pki):
    """An RFC 3161 TSA over HTTP on 127.0.0.1 (pyHanko's DummyTimeStamper
    signs the tokens)."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import tsp
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.timestamps import DummyTimeStamper

    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(
            pki.tsa_cert.public_bytes(serialization.Encoding.DER)
        ),
        tsa_key=asn1_keys.PrivateKeyInfo.load(
            pki.tsa_key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
    )

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if self.path == "/broken":
                self.send_error(500)
                return
            if self.path == "/garbage":
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", "4")
                self.end_headers()
                self.wfile.write(b"junk")
                return
            try:
                reply = stamper.request_tsa_response(
                    tsp.TimeStampReq.load(body)
                ).dump()
            except Exception:
                self.send_error(400)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/tsa"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


class TestTimestamp:
    def test_b_t_signature(self, document, alice, pki, tsa_url):
        """With a TSA URL the signature carries a trusted timestamp."""
        signed = sign_pdf(document, alice, timestamp_url=tsa_url)
        report = verify_pdf(signed, trust_roots=[pki.root])
        assert report.valid
        (sig,) = report.signatures
        assert sig.timestamp_time is not None
        assert sig.signing_time == sig.timestamp_time
        assert abs(
            sig.timestamp_time - dt.datetime.now(dt.timezone.utc)
        ) < dt.timedelta(minutes=10)

    def test_document_timestamp_is_not_a_signature(
        self, document, alice, pki, tsa_url
    ):
        """A document timestamp (/DocTimeStamp) after a signature is skipped."""
        from pyhanko.pdf_utils.incremental_writer import (
            IncrementalPdfFileWriter,
        )
        from pyhanko.sign.signers import PdfTimeStamper
        from pyhanko.sign.timestamps import HTTPTimeStamper

        signed = sign_pdf(document, alice)
        writer = IncrementalPdfFileWriter(io.BytesIO(signed))
        out = io.BytesIO()
        PdfTimeStamper(HTTPTimeStamper(tsa_url)).timestamp_pdf(
            writer, "sha256", output=out
        )
        stamped = out.getvalue()
        report = verify_pdf(stamped, trust_roots=[pki.root])
        assert [s.field_name for s in report.signatures] == ["Signature1"]
        assert report.signatures[0].intact

    @pytest.mark.parametrize("path", ["/broken", "/garbage"])
    def test_failing_tsa(self, document, alice, tsa_url, path):
        """A TSA that errors or answers junk is a TimestampError."""
        url = tsa_url.rsplit("/", 1)[0] + path
        with pytest.raises(TimestampError):
            sign_pdf(document, alice, timestamp_url=url)

    def test_untrusted_tsa(self, document, alice, pki, tsa_url):
        """A timestamp from a TSA outside the trust roots is reported."""
        signed = sign_pdf(document, alice, timestamp_url=tsa_url)
        # trust only a root that issued neither the signer nor the TSA
        report = verify_pdf(signed, trust_roots=[pki.other_root])
        assert not report.valid
        assert not report.signatures[0].trusted


# --- independent verifiers ---------------------------------------------------------


@pytest.fixture(name="nssdb", scope="module")
def _nssdb(pki, tmp_path_factory):
    """An NSS database trusting the test root, for pdfsig."""
    certutil = require_binary("certutil")
    path = tmp_path_factory.mktemp("nss")
    root = path / "root.pem"
    root.write_bytes(_pem(pki.root))
    subprocess.run(
        [certutil, "-N", "-d", f"sql:{path}", "--empty-password"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            certutil,
            "-A",
            "-d",
            f"sql:{path}",
            "-n",
            "test-root",
            "-t",
            "CT,C,C",
            "-i",
            str(root),
        ],
        check=True,
        capture_output=True,
    )
    return f"sql:{path}"


def _pdfsig(pdf: bytes, nssdb: str, tmp_path: Path) -> list[dict[str, str]]:
    """Run pdfsig and parse its report into one dict per signature."""
    exe = require_binary("pdfsig")
    path = tmp_path / "pdfsig-input.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        [exe, "-nssdir", nssdb, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    ).stdout
    sigs: list[dict[str, str]] = []
    for line in out.splitlines():
        if line.startswith("Signature #"):
            sigs.append({})
        elif sigs and line.strip().startswith("- "):
            key, _, value = line.strip()[2:].partition(":")
            sigs[-1][key.strip()] = value.strip() if value else key.strip()
            if "document signed" in key:
                sigs[-1]["coverage"] = key.strip()
    return sigs


def _pyhanko_cli(pdf: bytes, root: x509.Certificate, tmp_path: Path):
    try:
        import pyhanko.cli  # noqa: F401  (package pyhanko-cli)
    except ImportError:
        reason = "the pyhanko command (pyhanko-cli) is not installed"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    doc = tmp_path / "pyhanko-input.pdf"
    doc.write_bytes(pdf)
    root_path = tmp_path / "root.pem"
    root_path.write_bytes(_pem(root))
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pyhanko",
            "sign",
            "validate",
            "--executive-summary",
            "--trust",
            str(root_path),
            "--trust-replace",
            str(doc),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.services
class TestPdfsig:
    def test_signed_output_valid(self, twice, nssdb, tmp_path):
        """pdfsig: both signatures valid and trusted, the last covers all."""
        first, second = _pdfsig(twice, nssdb, tmp_path)
        for sig in (first, second):
            assert sig["Signature Validation"] == "Signature is Valid."
            assert sig["Certificate Validation"] == "Certificate is Trusted."
            assert sig["Signature Type"] == "ETSI.CAdES.detached"
        assert first["coverage"] == "Not total document signed"
        assert second["coverage"] == "Total document signed"
        assert (
            first["Signer full Distinguished Name"]
            == "CN=Alice Example,O=Test Org"
        )

    def test_timestamped_output_valid(
        self, document, alice, tsa_url, nssdb, tmp_path
    ):
        """pdfsig accepts a B-T signature."""
        (sig,) = _pdfsig(
            sign_pdf(document, alice, timestamp_url=tsa_url), nssdb, tmp_path
        )
        assert sig["Signature Validation"] == "Signature is Valid."
        assert sig["coverage"] == "Total document signed"

    def test_tampered_output_fails(self, signed, document, nssdb, tmp_path):
        """pdfsig: a flipped byte is a digest mismatch."""
        data = bytearray(signed)
        data[len(document) // 2] ^= 0x20
        (sig,) = _pdfsig(bytes(data), nssdb, tmp_path)
        assert sig["Signature Validation"] != "Signature is Valid."

    def test_junk_after_eof_not_total(self, signed, nssdb, tmp_path):
        """pdfsig: appended bytes leave the document not totally signed."""
        (sig,) = _pdfsig(signed + b"junk\n", nssdb, tmp_path)
        assert sig["coverage"] == "Not total document signed"


@pytest.mark.services
class TestPyhankoCli:
    def test_signed_output_valid(self, twice, pki, tmp_path):
        """The pyhanko command validates both signatures."""
        result = _pyhanko_cli(twice, pki.root, tmp_path)
        assert result.returncode == 0, result.stderr[-2000:]
        lines = result.stdout.strip().splitlines()
        assert len(lines) == 2
        assert all(line.endswith(":VALID") for line in lines)

    def test_tampered_output_fails(self, signed, document, pki, tmp_path):
        """The pyhanko command rejects a flipped byte."""
        data = bytearray(signed)
        data[len(document) // 2] ^= 0x20
        result = _pyhanko_cli(bytes(data), pki.root, tmp_path)
        assert result.returncode != 0
        assert "INVALID" in result.stdout


# --- PKCS#11 (SoftHSM2) ------------------------------------------------------------------


@pytest.fixture(name="token_signers", scope="module")
def _token_signers(softhsm, pki):
    """An EC key generated on the token and an RSA key imported onto it,
    each with a certificate from the test root stored beside it."""
    pkcs11 = pytest.importorskip("pkcs11")
    from pkcs11.util.ec import (
        encode_ec_public_key,
        encode_named_curve_parameters,
    )
    from pkcs11.util.rsa import decode_rsa_private_key

    lib = pkcs11.lib(softhsm.module)
    token = lib.get_token(token_label=softhsm.token_label)
    certs = {}
    with token.open(user_pin=softhsm.pin, rw=True) as session:
        params = session.create_domain_parameters(
            pkcs11.KeyType.EC,
            {
                pkcs11.Attribute.EC_PARAMS: encode_named_curve_parameters(
                    "secp256r1"
                )
            },
            local=True,
        )
        pub, _ = params.generate_keypair(store=True, label="doc-ec")
        public = serialization.load_der_public_key(encode_ec_public_key(pub))

        class _Pub:  # CertificateBuilder needs an object with public_key()
            def public_key(self):
                return public

        certs["doc-ec"] = pki.issue("Token EC Signer", _Pub())
        rsa_key = rsa.generate_private_key(65537, 2048)
        der = rsa_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
        attrs = decode_rsa_private_key(der)
        attrs[pkcs11.Attribute.LABEL] = "doc-rsa"
        attrs[pkcs11.Attribute.TOKEN] = True
        attrs[pkcs11.Attribute.SENSITIVE] = True
        attrs[pkcs11.Attribute.EXTRACTABLE] = False
        session.create_object(attrs)
        certs["doc-rsa"] = pki.issue("Token RSA Signer", rsa_key)
        for label, cert in certs.items():
            session.create_object(
                {
                    pkcs11.Attribute.CLASS: pkcs11.ObjectClass.CERTIFICATE,
                    pkcs11.Attribute.CERTIFICATE_TYPE: pkcs11.CertificateType.X_509,
                    pkcs11.Attribute.TOKEN: True,
                    pkcs11.Attribute.LABEL: label,
                    pkcs11.Attribute.SUBJECT: cert.subject.public_bytes(),
                    pkcs11.Attribute.VALUE: cert.public_bytes(
                        serialization.Encoding.DER
                    ),
                }
            )
    return certs


@pytest.mark.services
class TestPKCS11:
    @pytest.mark.parametrize("label", ["doc-ec", "doc-rsa"])
    def test_sign_with_token_key(
        self, softhsm, token_signers, document, pki, label, nssdb, tmp_path
    ):
        """A key on SoftHSM2 signs (session reused); output verifies everywhere."""
        signer = Signer.from_pkcs11(softhsm.uri(label), pin=softhsm.pin)
        assert signer.certificate == token_signers[label]
        first = sign_pdf(document, signer, reason="token")
        second = sign_pdf(first, signer, reason="token again")
        signer.close()
        report = verify_pdf(second, trust_roots=[pki.root])
        assert report.valid, report.problems
        assert len(report.signatures) == 2
        (sig,) = _pdfsig(first, nssdb, tmp_path)
        assert sig["Signature Validation"] == "Signature is Valid."
        assert sig["Certificate Validation"] == "Certificate is Trusted."

    def test_explicit_certificate_and_parts(
        self, softhsm, token_signers, document, pki
    ):
        """The parts instead of a URI, and a certificate given explicitly."""
        signer = Signer.from_pkcs11(
            module=softhsm.module,
            token_label=softhsm.token_label,
            key_label="doc-ec",
            pin=softhsm.pin,
            cert=_pem(token_signers["doc-ec"]),
        )
        assert verify_pdf(
            sign_pdf(document, signer), trust_roots=pki.root
        ).valid
        signer.close()

    def test_pin_source_file(
        self, softhsm, token_signers, document, pki, tmp_path
    ):
        """The PIN may come from a pin-source file named in the URI."""
        pin_file = tmp_path / "pin"
        pin_file.write_text(softhsm.pin + "\n")
        uri = softhsm.uri("doc-ec").replace(
            "?", f"?pin-source=file:{pin_file}&"
        )
        signer = Signer.from_pkcs11(uri)
        assert verify_pdf(
            sign_pdf(document, signer), trust_roots=pki.root
        ).valid
        signer.close()
        with pytest.raises(ConfigurationError):
            Signer.from_pkcs11(
                uri.replace(str(pin_file), str(tmp_path / "none"))
            )

    def test_wrong_pin(self, softhsm, token_signers):
        """A wrong PIN is a SignerError that does not show the PIN."""
        with pytest.raises(SignerError) as exc:
            Signer.from_pkcs11(softhsm.uri("doc-ec"), pin="98765")
        assert "98765" not in str(exc.value)

    def test_missing_key(self, softhsm, token_signers, document):
        """A label with no certificate or key is a SignerError."""
        with pytest.raises(SignerError):
            Signer.from_pkcs11(softhsm.uri("no-such-key"), pin=softhsm.pin)
        signer = Signer.from_pkcs11(
            softhsm.uri("no-such-key"),
            pin=softhsm.pin,
            cert=token_signers["doc-ec"],
        )
        with pytest.raises(SignerError):
            sign_pdf(document, signer)

    def test_close_before_and_after_use(
        self, softhsm, token_signers, document, pki
    ):
        """close() before any signature, and twice after one, is harmless."""
        signer = Signer.from_pkcs11(softhsm.uri("doc-ec"), pin=softhsm.pin)
        signer.close()
        signed = sign_pdf(document, signer)
        signer.close()
        signer.close()
        assert verify_pdf(signed, trust_roots=pki.root).valid

    def test_token_key_of_another_algorithm(
        self, softhsm, token_signers, document, pki
    ):
        """A token RSA key given an Ed25519 certificate is refused at signing."""
        from cryptography.hazmat.primitives.asymmetric import ed25519

        key = ed25519.Ed25519PrivateKey.generate()
        cert = pki.issue("Mismatch", key)
        signer = Signer.from_pkcs11(
            softhsm.uri("doc-rsa"), pin=softhsm.pin, cert=cert
        )
        with pytest.raises(SignerError, match="algorithm is not supported"):
            sign_pdf(document, signer)
        signer.close()

    def test_wrong_pin_when_signing(self, softhsm, token_signers, document):
        """With the certificate given, a wrong PIN shows at the first signature."""
        signer = Signer.from_pkcs11(
            softhsm.uri("doc-ec"), pin="98765", cert=token_signers["doc-ec"]
        )
        with pytest.raises(SignerError, match="wrong PIN") as exc:
            sign_pdf(document, signer)
        assert "98765" not in str(exc.value)

    def test_unknown_token(self, softhsm, token_signers):
        """A token label that no slot has is a SignerError."""
        uri = softhsm.uri("doc-ec").replace(
            f"token={softhsm.token_label}", "token=no-such-token"
        )
        with pytest.raises(SignerError, match="token or key not found"):
            Signer.from_pkcs11(uri, pin=softhsm.pin)

    def test_corrupt_certificate_on_token(self, softhsm, token_signers):
        """A certificate object on the token that is not DER is a SignerError."""
        pkcs11 = pytest.importorskip("pkcs11")
        token = pkcs11.lib(softhsm.module).get_token(
            token_label=softhsm.token_label
        )
        with token.open(user_pin=softhsm.pin, rw=True) as session:
            session.create_object(
                {
                    pkcs11.Attribute.CLASS: pkcs11.ObjectClass.CERTIFICATE,
                    pkcs11.Attribute.CERTIFICATE_TYPE: pkcs11.CertificateType.X_509,
                    pkcs11.Attribute.TOKEN: True,
                    pkcs11.Attribute.LABEL: "doc-badcert",
                    pkcs11.Attribute.SUBJECT: _name("Bad").public_bytes(),
                    pkcs11.Attribute.VALUE: b"\x30\x03not a certificate",
                }
            )
        with pytest.raises(SignerError, match="certificate is corrupt"):
            Signer.from_pkcs11(softhsm.uri("doc-badcert"), pin=softhsm.pin)

    def test_incomplete_uri(self):
        """A URI without a module, token or key is a ConfigurationError."""
        with pytest.raises(ConfigurationError):
            Signer.from_pkcs11("pkcs11:token=x")


# --- the command line ------------------------------------------------------------------


class TestCLI:
    @pytest.fixture(name="files")
    def _files(self, tmp_path, pki):
        key = tmp_path / "alice.key"
        key.write_bytes(pem_private_key(pki.alice_key))
        cert = tmp_path / "alice.pem"
        cert.write_bytes(_pem(pki.alice_cert))
        root = tmp_path / "root.pem"
        root.write_bytes(_pem(pki.root))
        p12 = tmp_path / "org.p12"
        p12.write_bytes(pki.org_p12)
        return tmp_path, key, cert, root, p12

    def test_render_sign_verify(self, files):
        """render → sign (PEM, then PKCS#12) → verify exits 0."""
        tmp, key, cert, root, p12 = files
        args = [
            "pdf",
            "render",
            "--template",
            "agreement",
            "-o",
            str(tmp / "a.pdf"),
        ]
        for name, value in FIELDS.items():
            args += ["-f", f"{name}={value}"]
        assert run_cli(*args).exit_code == 0
        result = run_cli(
            "pdf sign",
            tmp / "a.pdf",
            "--key",
            key,
            "--cert",
            cert,
            "--reason",
            "I agree",
            "-o",
            tmp / "b.pdf",
        )
        assert result.exit_code == 0, result.output
        result = run_cli(
            "pdf sign",
            tmp / "b.pdf",
            "--p12",
            p12,
            "--passphrase-env",
            "P12_PASS",
            "-o",
            tmp / "c.pdf",
            env={"P12_PASS": "correct horse"},
        )
        assert result.exit_code == 0, result.output
        result = run_cli("pdf verify", tmp / "c.pdf", "--trust-root", root)
        assert result.exit_code == 0, result.output
        assert "document valid: 2 signature(s)" in result.output
        result = run_cli(
            "pdf verify", tmp / "c.pdf", "--trust-root", root, "--json"
        )
        report = json.loads(result.output)
        assert report["valid"]
        assert report["signatures"][0]["reason"] == "I agree"

    def test_stdin_stdout_and_tsa(self, files, document, tsa_url):
        """'-' reads stdin and writes stdout; --tsa makes a B-T signature."""
        _, key, cert, root, _ = files
        result = run_cli(
            "pdf sign - --key",
            key,
            "--cert",
            cert,
            "--tsa",
            tsa_url,
            input=document,
        )
        assert result.exit_code == 0, result.output
        signed = result.stdout_bytes
        assert signed.startswith(document)
        result = run_cli("pdf verify - --trust-root", root, input=signed)
        assert result.exit_code == 0, result.output
        assert "(timestamped)" in result.output

    @pytest.mark.services
    def test_sign_with_pkcs11(self, files, document, softhsm, token_signers):
        """--pkcs11 with the PIN from an environment variable."""
        tmp, _, _, root, _ = files
        (tmp / "a.pdf").write_bytes(document)
        result = run_cli(
            "pdf sign",
            tmp / "a.pdf",
            "--pkcs11",
            softhsm.uri("doc-rsa"),
            "--passphrase-env",
            "PIN",
            env={"PIN": softhsm.pin},
        )
        assert result.exit_code == 0, result.output
        result = run_cli(
            "pdf verify", tmp / "a.pdf.signed.pdf", "--trust-root", root
        )
        assert result.exit_code == 0, result.output
        assert "CN=Token RSA Signer" in result.output

    def test_verify_tampered_exits_1(self, files, signed, document):
        """A tampered document: exit 1 with the reason."""
        tmp, _, _, root, _ = files
        data = bytearray(signed)
        data[len(document) // 2] ^= 0x20
        (tmp / "t.pdf").write_bytes(bytes(data))
        result = run_cli("pdf verify", tmp / "t.pdf", "--trust-root", root)
        assert result.exit_code == 1
        assert "NOT VALID" in result.output
        assert "problem:" in result.output

    def test_verify_not_a_pdf_exits_1(self, files):
        """A non-PDF: exit 1 with one problem line."""
        tmp, _, _, root, _ = files
        (tmp / "x.pdf").write_bytes(b"hello")
        result = run_cli("pdf verify", tmp / "x.pdf", "--trust-root", root)
        assert result.exit_code == 1
        assert "problem: not a PDF document" in result.output

    def test_wrong_passphrase_exits_2(self, files, document):
        """A wrong PKCS#12 passphrase: exit 2, one line, no secret, no traceback."""
        tmp, _, _, _, p12 = files
        (tmp / "a.pdf").write_bytes(document)
        result = run_cli(
            "pdf sign",
            tmp / "a.pdf",
            "--p12",
            p12,
            "--passphrase-env",
            "P",
            env={"P": "swordfish-wrong"},
        )
        assert result.exit_code == 2
        assert "wrong passphrase" in result.output
        assert "swordfish" not in result.output
        assert "Traceback" not in result.output

    def test_usage_errors_exit_2(self, files, document):
        """No signer, or a missing template field: exit 2."""
        tmp, key, _, _, _ = files
        (tmp / "a.pdf").write_bytes(document)
        assert run_cli("pdf sign", tmp / "a.pdf").exit_code == 2
        assert run_cli("pdf sign", tmp / "a.pdf", "--key", key).exit_code == 2
        result = run_cli("pdf render --template incident -o", tmp / "i.pdf")
        assert result.exit_code == 2
        assert "missing template fields" in result.output
        result = run_cli(
            "pdf sign", tmp / "x.pdf", "--key", key, "--cert", key
        )
        assert result.exit_code == 2

    def test_encrypted_key_passphrase(self, files, document, pki):
        """An encrypted --key reads its passphrase from --passphrase-env."""
        tmp, _, cert, root, _ = files
        (tmp / "a.pdf").write_bytes(document)
        (tmp / "enc.key").write_bytes(
            pki.alice_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.BestAvailableEncryption(b"Zq9-key-pass"),
            )
        )
        args = [
            "pdf",
            "sign",
            str(tmp / "a.pdf"),
            "--key",
            str(tmp / "enc.key"),
        ]
        args += ["--cert", str(cert), "--passphrase-env", "KEY_PASS"]
        result = run_cli(*args, env={"KEY_PASS": "Zq9-key-pass"})
        assert result.exit_code == 0, result.output
        result = run_cli(
            "pdf verify", tmp / "a.pdf.signed.pdf", "--trust-root", root
        )
        assert result.exit_code == 0, result.output
        result = run_cli(
            *args, "-o", tmp / "b.pdf", env={"KEY_PASS": "Zq9-nope"}
        )
        assert result.exit_code == 2
        assert result.output.count("\n") == 1
        assert "Zq9" not in result.output

    def test_missing_trust_root_exits_2(self, files, signed):
        """A --trust-root that is not a file: exit 2 with one line."""
        tmp, _, _, _, _ = files
        (tmp / "s.pdf").write_bytes(signed)
        result = run_cli(
            "pdf verify", tmp / "s.pdf", "--trust-root", tmp / "none.pem"
        )
        assert result.exit_code == 2
        assert result.output.strip() == (
            f"Error: cannot read trust root: {tmp / 'none.pem'}"
        )

    @pytest.mark.parametrize("field", ["organisation", "=value"])
    def test_render_bad_field_exits_2(self, files, field):
        """A --field without NAME=VALUE: exit 2 with one line."""
        tmp = files[0]
        result = run_cli(
            "pdf render --template agreement -o", tmp / "x.pdf", "-f", field
        )
        assert result.exit_code == 2
        assert result.output.strip() == "Error: --field must be NAME=VALUE"
        assert not (tmp / "x.pdf").exists()

    def test_demo_step(self, tmp_path, capsys):
        """The demo step signs, verifies and detects tampering."""
        from dataprotect.cli._pdf import demo_step

        result = run_cli("demo")
        assert result.exit_code == 0, result.output
        assert "one flipped byte: valid=False" in result.output
        demo_step(tmp_path)
        assert (tmp_path / "agreement.signed.pdf").exists()

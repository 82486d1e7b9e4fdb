"""Calls every public signature of dataprotect.documents for mypy --strict."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from cryptography import x509

from dataprotect.documents import (
    AGREEMENT,
    INCIDENT_POSTMORTEM,
    ModificationLevel,
    ReportTemplate,
    SignatureReport,
    Signer,
    VerificationReport,
    render_report,
    sign_pdf,
    verify_pdf,
)
from dataprotect.errors import (
    CertificateValidityError,
    DocumentError,
    EncryptedDocumentError,
    InvalidDocumentError,
    SignerError,
    TimestampError,
)


now = datetime.now(timezone.utc)
template: ReportTemplate = ReportTemplate("T $x", (("H", "$y"),), ("Signed",))
fields: frozenset[str] = template.fields | AGREEMENT.fields
doc: bytes = render_report(INCIDENT_POSTMORTEM, {"x": "1"}, now=now)
doc = render_report(AGREEMENT, {}, fonts=["DejaVuSans.ttf", Path("cjk.ttf")])
p12: Signer = Signer.from_pkcs12(Path("a.p12"), "pw")
p12 = Signer.from_pkcs12(b"...", b"pw")
pem: Signer = Signer.from_pem(
    b"key", Path("cert.pem"), [b"chain"], passphrase="p"
)
hsm: Signer = Signer.from_pkcs11(
    "pkcs11:token=t;object=k?module-path=/m.so", pin="1", cert=None, chain=()
)
hsm = Signer.from_pkcs11(module="/m.so", token_label="t", key_label="k")
cert: x509.Certificate = pem.certificate
chain: tuple[x509.Certificate, ...] = pem.chain
subject: str = pem.subject
pem.check_validity(now)
hsm.close()
signed: bytes = sign_pdf(
    doc,
    pem,
    reason="r",
    location="l",
    field_name="Signature1",
    timestamp_url="http://127.0.0.1:1/tsa",
    now=now,
)
signed = sign_pdf("in.pdf", pem)
report: VerificationReport = verify_pdf(signed, trust_roots=[cert], now=now)
report = verify_pdf(Path("x.pdf"), trust_roots=b"-----BEGIN CERTIFICATE-----")
report = verify_pdf("x.pdf", trust_roots=["root.pem", Path("r.der"), cert])
ok: bool = report.valid and bool(report)
problems: tuple[str, ...] = report.problems
sigs: tuple[SignatureReport, ...] = report.signatures
first = sigs[0]
level: ModificationLevel = first.modification_level
flags: list[bool] = [
    first.intact,
    first.trusted,
    first.covers_whole_document,
    first.valid,
]
when: datetime | None = first.signing_time or first.timestamp_time
who: str | None = first.signer_subject
errors: list[type[DocumentError]] = [
    InvalidDocumentError,
    EncryptedDocumentError,
    SignerError,
    CertificateValidityError,
    TimestampError,
]

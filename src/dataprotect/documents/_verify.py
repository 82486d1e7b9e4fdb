"""``verify_pdf``: check every signature of a PDF and report, never raise."""

# ruff: noqa: E402 - pyHanko is imported after require_pyhanko() names the missing extra
# ruff: noqa: BLE001 - pyHanko raises anything on a foreign PDF; verify_pdf reports, never raises

from __future__ import annotations

import asyncio
import functools
import io
import os

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Literal

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from dataprotect.documents._deps import require_pyhanko
from dataprotect.documents._sign import read_pdf
from dataprotect.documents._signers import CertificateLike, load_certificates
from dataprotect.errors import ConfigurationError


require_pyhanko()

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation import (
    async_validate_pdf_signature,
)
from pyhanko.sign.validation.pdf_embedded import (
    EmbeddedPdfSignature,
)
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext


__all__ = [
    "ModificationLevel",
    "SignatureReport",
    "VerificationReport",
    "verify_pdf",
]

#: How much a document changed after a signature, from pyHanko's difference
#: analysis: ``"none"``; ``"lta_updates"`` (validation data, timestamps);
#: ``"form_filling"`` (form fields filled, later signatures); ``"annotations"``
#: (comments added); ``"other"`` (content changed); ``"unknown"`` (could not
#: be analysed).
ModificationLevel = Literal[
    "none", "lta_updates", "form_filling", "annotations", "other", "unknown"
]
_LEVELS: Final[dict[str, ModificationLevel]] = {
    "none": "none",
    "lta_updates": "lta_updates",
    "form_filling": "form_filling",
    "annotations": "annotations",
    "other": "other",
}
_ALLOWED: Final = frozenset({"none", "lta_updates", "form_filling"})
_KEY_USAGE: Final = KeyUsageConstraints(
    key_usage={"digital_signature", "non_repudiation"},
    match_all_key_usages=False,
)


@dataclass(frozen=True)
class SignatureReport:
    """What :func:`verify_pdf` found about one signature.

    Attributes:
        field_name: The signature's form field.
        signer_certificate_der: The signer's certificate (DER) as embedded
            in the signature, or ``None`` when the signature cannot be
            parsed; see :attr:`signer_certificate` and
            :attr:`signer_subject`.
        signing_time: The time from a trusted timestamp if the signature has
            one, else the time the signer claims (not proof).
        timestamp_time: The time from the signature timestamp (PAdES B-T),
            or ``None``.
        reason: The reason stored in the signature.
        location: The location stored in the signature.
        intact: The signed bytes are unchanged and the signature value is
            cryptographically correct.
        trusted: The signer's certificate chains to one of the trust roots
            and is valid now (and so is the timestamp's, if any).
        covers_whole_document: The signature covers every byte of the file.
        modification_level: How the document changed after this signature
            (see :data:`ModificationLevel`).
        valid: All of: intact, trusted, only allowed changes afterwards
            (none, validation data, later signatures and form filling), and
            no bytes after the signed revision that are not a PDF update.
        problems: Why the signature is not valid, in words.

    .. versionadded:: 0.1.0
    """

    field_name: str
    signer_certificate_der: bytes | None = field(repr=False)
    signing_time: datetime | None
    timestamp_time: datetime | None
    reason: str | None
    location: str | None
    intact: bool
    trusted: bool
    covers_whole_document: bool
    modification_level: ModificationLevel
    valid: bool
    problems: tuple[str, ...] = ()

    @functools.cached_property
    def signer_certificate(self) -> x509.Certificate | None:
        """The signer's certificate, if it can be read."""
        if self.signer_certificate_der is None:
            return None
        try:
            return x509.load_der_x509_certificate(self.signer_certificate_der)
        except ValueError:
            return None

    @functools.cached_property
    def signer_subject(self) -> str | None:
        """The signer certificate's subject as an RFC 4514 string."""
        cert = self.signer_certificate
        return None if cert is None else cert.subject.rfc4514_string()


@dataclass(frozen=True)
class VerificationReport:
    """The result of :func:`verify_pdf`.

    Attributes:
        valid: The document has at least one signature and every signature
            is valid.
        signatures: One report per signature, oldest first.
        problems: Why the document is not valid, in words (document-level
            problems first, then each signature's).

    .. versionadded:: 0.1.0
    """

    valid: bool
    signatures: tuple[SignatureReport, ...] = ()
    problems: tuple[str, ...] = field(default=())

    def __bool__(self) -> bool:
        return self.valid


def _roots(
    trust_roots: Iterable[CertificateLike] | CertificateLike,
) -> list[Any]:
    certs = load_certificates(trust_roots, "trust root")
    if not certs:
        msg = "trust_roots must name at least one certificate"
        raise ConfigurationError(msg)
    return [_asn1_root(c) for c in certs]


@functools.lru_cache(maxsize=64)
def _asn1_root(cert: x509.Certificate) -> Any:
    """The asn1crypto form of a trust root (cached: roots repeat)."""
    return asn1_x509.Certificate.load(
        cert.public_bytes(serialization.Encoding.DER)
    )


def _fail(problem: str) -> VerificationReport:
    return VerificationReport(valid=False, problems=(problem,))


def _text(sig_obj: Any, key: str) -> str | None:
    try:
        value = sig_obj.get(key)
    except Exception:
        return None
    return None if value is None else str(value)


def _broken(name: str, sig_obj: Any, problem: str) -> SignatureReport:
    return SignatureReport(
        field_name=name,
        signer_certificate_der=None,
        signing_time=None,
        timestamp_time=None,
        reason=_text(sig_obj, "/Reason"),
        location=_text(sig_obj, "/Location"),
        intact=False,
        trusted=False,
        covers_whole_document=False,
        modification_level="unknown",
        valid=False,
        problems=(problem,),
    )


async def _check(
    emb: EmbeddedPdfSignature,
    last_revision: int,
    roots: list[Any],
    now: datetime | None,
) -> SignatureReport:
    name = str(emb.field_name)
    context = ValidationContext(
        trust_roots=roots, allow_fetching=False, moment=now
    )
    try:
        status = await async_validate_pdf_signature(
            emb,
            signer_validation_context=context,
            key_usage_settings=_KEY_USAGE,
        )
    except Exception:
        return _broken(
            name, emb.sig_object, "the signature or its certificate is corrupt"
        )
    problems: list[str] = []
    intact = bool(status.intact and status.valid)
    if not intact:
        problems.append(
            "the signed bytes were changed or the signature is wrong"
        )
    trusted = bool(status.trusted)
    if intact and not trusted:
        problems.append(
            "the signer's certificate does not chain to a trust root or is "
            "not valid now"
        )
    ts = status.timestamp_validity
    timestamp_time = None
    if ts is not None:
        timestamp_time = ts.timestamp
        if not (ts.intact and ts.valid and ts.trusted):
            trusted = False
            problems.append(
                "the signature timestamp is not valid or not trusted"
            )
    level_enum = status.modification_level
    level = _LEVELS.get(
        "unknown" if level_enum is None else level_enum.name.lower(), "unknown"
    )
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    coverage_ok = whole or (
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and emb.signed_revision < last_revision
    )
    if not coverage_ok:
        problems.append(
            "bytes after the signed revision are not a PDF update"
            if status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
            else "the signature does not cover its whole revision"
        )
    if level not in _ALLOWED:
        problems.append(f"the document was modified after signing ({level})")
    elif status.docmdp_ok is False:
        problems.append(
            "the changes after signing break the document's policy"
        )
    try:
        cert_der: bytes | None = bytes(status.signing_cert.dump())
    except Exception:
        cert_der = None
    return SignatureReport(
        field_name=name,
        signer_certificate_der=cert_der,
        signing_time=timestamp_time or status.signer_reported_dt,
        timestamp_time=timestamp_time,
        reason=_text(emb.sig_object, "/Reason"),
        location=_text(emb.sig_object, "/Location"),
        intact=intact,
        trusted=trusted,
        covers_whole_document=whole,
        modification_level=level,
        valid=not problems,
        problems=tuple(problems),
    )


async def _check_all(
    reader: PdfFileReader, roots: list[Any], now: datetime | None
) -> VerificationReport:
    try:
        found = list(enumerate_sig_fields(reader, filled_status=True))
        last_revision = reader.xrefs.total_revisions - 1
    except Exception:
        return _fail("the document's form fields cannot be read")
    reports: list[tuple[int, SignatureReport]] = []
    for name, sig_ref, sig_field in found:
        if sig_ref is None:
            continue  # an empty field
        try:
            sig_obj = sig_ref.get_object()
            if sig_obj.get("/Type") == "/DocTimeStamp":
                continue
            emb = EmbeddedPdfSignature(reader, sig_field, name)
        except Exception:
            reports.append(
                (
                    -1,
                    _broken(
                        str(name),
                        None,
                        "the signature or its certificate is corrupt",
                    ),
                )
            )
            continue
        reports.append(
            (emb.signed_revision, await _check(emb, last_revision, roots, now))
        )
    reports.sort(key=lambda item: item[0])
    signatures = tuple(report for _, report in reports)
    if not signatures:
        return _fail("the document has no signatures")
    problems = tuple(
        f"{s.field_name}: {p}" for s in signatures for p in s.problems
    )
    return VerificationReport(
        valid=all(s.valid for s in signatures),
        signatures=signatures,
        problems=problems,
    )


def verify_pdf(
    pdf: bytes | str | os.PathLike[str],
    *,
    trust_roots: Iterable[CertificateLike] | CertificateLike,
    now: datetime | None = None,
) -> VerificationReport:
    """Verify every signature in a PDF against the given trust roots.

    Never raises for a bad, tampered or foreign document: the report says
    what is wrong.  A document is valid only if it has at least one
    signature and every signature is intact, trusted, followed only by
    allowed changes (later signatures, form filling, validation data), and
    the newest signature covers the whole file.

    Args:
        pdf: The document, as bytes or a path.
        trust_roots: The certificates to trust: ``cryptography``
            certificates, PEM (one or several) or DER bytes, or paths.
        now: The time at which certificates must be valid (default: now).

    Returns:
        A :class:`VerificationReport`.

    Raises:
        dataprotect.errors.ConfigurationError: A trust root cannot be read.

    .. versionadded:: 0.1.0
    """
    roots = _roots(trust_roots)
    try:
        data = read_pdf(pdf)
    except OSError:
        return _fail("the file cannot be read")
    if b"%PDF-" not in data[:1024]:
        return _fail("not a PDF document")
    try:
        reader = PdfFileReader(io.BytesIO(data))
        encrypted = reader.encrypted
    except Exception:
        return _fail("the PDF is truncated or corrupt")
    if encrypted:
        return _fail(
            "the PDF is encrypted: it cannot be verified without its password"
        )
    try:
        return asyncio.run(_check_all(reader, roots, now))
    except Exception:
        return _fail("the PDF is truncated or corrupt")

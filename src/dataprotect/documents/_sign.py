"""``sign_pdf``: PAdES baseline B-B (and B-T with a time-stamping authority)."""

# ruff: noqa: E402 - pyHanko is imported after require_pyhanko() names the missing extra

from __future__ import annotations

import asyncio
import io
import os

from datetime import datetime
from pathlib import Path
from typing import Any, Final

from dataprotect.documents._deps import require_pyhanko
from dataprotect.documents._signers import Signer, hanko_signer
from dataprotect.errors import (
    ConfigurationError,
    DataProtectError,
    EncryptedDocumentError,
    InvalidDocumentError,
    TimestampError,
)


require_pyhanko()

from pyhanko.pdf_utils.incremental_writer import (
    IncrementalPdfFileWriter,
)
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps import (
    HTTPTimeStamper,
    TimestampRequestError,
)


__all__ = ["read_pdf", "sign_pdf"]

_NOT_A_PDF: Final = "not a PDF document, or truncated or corrupt"
_TSA_FAILED: Final = "the time-stamping authority failed to answer"


class _TimeStamper(HTTPTimeStamper):
    """pyHanko's HTTP TSA client with every failure turned into one
    :class:`TimestampError` (a junk answer raises ``ValueError`` deep in
    asn1crypto otherwise)."""

    async def async_timestamp(
        self, message_digest: bytes, md_algorithm: str
    ) -> Any:
        try:
            return await super().async_timestamp(message_digest, md_algorithm)
        except Exception:  # noqa: BLE001 - network, HTTP, ASN.1, TSA status
            raise TimestampError(_TSA_FAILED) from None


def read_pdf(pdf: object) -> bytes:
    """The bytes of *pdf* (bytes, or a path to read)."""
    if isinstance(pdf, (bytes, bytearray, memoryview)):
        return bytes(pdf)
    if isinstance(pdf, (str, os.PathLike)):
        return Path(pdf).read_bytes()
    msg = "pdf must be bytes or a path"
    raise TypeError(msg)


def _writer(data: bytes) -> IncrementalPdfFileWriter:
    if b"%PDF-" not in data[:1024]:
        raise InvalidDocumentError(_NOT_A_PDF)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data))
    except (
        PdfError,
        ValueError,
        KeyError,
        IndexError,
        TypeError,
        AttributeError,
        # a malformed number ("5.9.5") is decimal.InvalidOperation
        ArithmeticError,
    ):
        raise InvalidDocumentError(_NOT_A_PDF) from None
    if writer.prev.encrypted:
        msg = "the PDF is encrypted: it cannot be signed without its password"
        raise EncryptedDocumentError(msg)
    return writer


def _field_name(writer: IncrementalPdfFileWriter, wanted: str | None) -> str:
    try:
        existing = {
            name: filled
            for name, filled, _ in fields.enumerate_sig_fields(
                writer.prev, filled_status=True
            )
        }
    except (
        PdfError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        ArithmeticError,
    ):
        raise InvalidDocumentError(_NOT_A_PDF) from None
    if wanted is not None:
        if not wanted or "." in wanted:
            msg = "field_name must be a non-empty name without dots"
            raise ConfigurationError(msg)
        if existing.get(wanted) is not None:
            msg = "the signature field is already signed"
            raise InvalidDocumentError(msg)
        return wanted
    n = 1
    while f"Signature{n}" in existing:
        n += 1
    return f"Signature{n}"


def sign_pdf(
    pdf: bytes | str | os.PathLike[str],
    signer: Signer,
    *,
    reason: str | None = None,
    location: str | None = None,
    field_name: str | None = None,
    timestamp_url: str | None = None,
    now: datetime | None = None,
) -> bytes:
    """Sign a PDF and return the signed document.

    The signature is a PAdES baseline B-B signature
    (``ETSI.CAdES.detached``, SHA-256 or stronger) added in an incremental
    update, so earlier signatures stay valid: sign the employee's copy, then
    sign the result again with the organisation's key.  With
    *timestamp_url*, an RFC 3161 time-stamping authority countersigns the
    signature (PAdES B-T).

    Args:
        pdf: The document, as bytes or a path.
        signer: The key to sign with.
        reason: Why the document is signed ("I agree to ..."), stored in
            the signature.  Any text but NUL, which PDF text strings do not
            carry back unchanged.
        location: Where it was signed (the same rule).
        field_name: The signature field to fill or create (default: the
            next free ``SignatureN``).
        timestamp_url: An ``http(s)://`` URL of an RFC 3161 TSA.
        now: The time at which the signer's certificate must be valid
            (default: now).

    Returns:
        The signed PDF.

    Raises:
        dataprotect.errors.InvalidDocumentError: Not a PDF, truncated or
            corrupt (including a malformed object such as a bad number in
            a page's ``/MediaBox``), or the field is already signed.
        dataprotect.errors.EncryptedDocumentError: The PDF is encrypted.
        dataprotect.errors.CertificateValidityError: The signer's
            certificate is expired or not yet valid.
        dataprotect.errors.TimestampError: The TSA failed.
        dataprotect.errors.SignerError: The key could not sign.
        dataprotect.errors.ConfigurationError: *reason* or *location* holds
            NUL, or *timestamp_url* is not an http(s) URL.

    .. versionadded:: 0.1.0
    """
    _check_signer(signer)
    for name, text in (("reason", reason), ("location", location)):
        if text is not None and "\x00" in text:
            # pyHanko reads it back as bytes, not the text that was signed.
            msg = f"{name} must not contain NUL"
            raise ConfigurationError(msg)
    data = read_pdf(pdf)
    signer.check_validity(now)
    timestamper = None
    if timestamp_url is not None:
        if not timestamp_url.startswith(("http://", "https://")):
            msg = "timestamp_url must be an http:// or https:// URL"
            raise ConfigurationError(msg)
        timestamper = _TimeStamper(timestamp_url, timeout=30)
    writer = _writer(data)
    meta = signers.PdfSignatureMetadata(
        field_name=_field_name(writer, field_name),
        reason=reason,
        location=location,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm=None,  # pyHanko picks per key: SHA-256 and up
    )
    pdf_signer = signers.PdfSigner(
        meta, signer=hanko_signer(signer), timestamper=timestamper
    )
    out = io.BytesIO()
    try:
        asyncio.run(pdf_signer.async_sign_pdf(writer, output=out))
    except TimestampRequestError:  # pragma: no cover - _TimeStamper converts
        raise TimestampError(_TSA_FAILED) from None
    except (
        SigningError,
        PdfError,
        ValueError,
        KeyError,
        IndexError,
        AttributeError,
        # pyHanko's checks of a malformed /AcroForm /Fields (a number, a
        # null entry, a /T that is not text) while adding the field.
        TypeError,
        AssertionError,
        # pyHanko parses objects lazily: a malformed number in a page's
        # /MediaBox ("5.9.5") raises decimal.InvalidOperation here.
        ArithmeticError,
    ) as exc:
        if isinstance(exc, DataProtectError):  # ours, e.g. a SignerError
            raise
        msg = "cannot sign this document"
        raise InvalidDocumentError(msg) from None
    return out.getvalue()


def _check_signer(signer: object) -> None:
    if not isinstance(signer, Signer):
        msg = "signer must be a dataprotect.documents.Signer"
        raise TypeError(msg)

"""Signed documents: sign and verify PDF agreements and reports.

Built on pyHanko (install ``dataprotect[pdf]``).  :func:`sign_pdf` adds a
PAdES baseline B-B signature (B-T with a time-stamping authority) in an
incremental update; :func:`verify_pdf` checks every signature against the
trust roots you give and reports, never raises; :func:`render_report`
makes a simple PDF from a template.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from dataprotect.documents._render import (
    AGREEMENT,
    INCIDENT_POSTMORTEM,
    ReportTemplate,
    render_report,
)
from dataprotect.documents._sign import sign_pdf
from dataprotect.documents._signers import Signer
from dataprotect.documents._verify import (
    ModificationLevel,
    SignatureReport,
    VerificationReport,
    verify_pdf,
)


__all__ = [
    "AGREEMENT",
    "INCIDENT_POSTMORTEM",
    "ModificationLevel",
    "ReportTemplate",
    "SignatureReport",
    "Signer",
    "VerificationReport",
    "render_report",
    "sign_pdf",
    "verify_pdf",
]

"""Calls every public security.txt signature so mypy --strict checks them."""

from __future__ import annotations

import ssl

from datetime import datetime, timedelta, timezone

from dataprotect.disclosure import (
    CONTENT_TYPE,
    MAX_SIZE,
    VIOLATIONS,
    WELL_KNOWN_PATH,
    SecurityTxt,
    SecurityTxtReport,
    Violation,
    check_security_txt,
    parse_security_txt,
    sign_security_txt,
)


now = datetime.now(timezone.utc)
txt = SecurityTxt(
    ["mailto:security@example.com"],
    now + timedelta(days=90),
    encryption="https://example.com/key.asc",
    acknowledgments=(),
    preferred_languages=["en"],
    canonical="https://example.com/.well-known/security.txt",
    policy=(),
    hiring=(),
    csaf=(),
    comment="Security contacts",
)
text: str = txt.render(line_ending="\r\n", now=now, max_expiry=None)
signed: str = sign_security_txt(
    text, key="security@example.com", gnupghome="/tmp/g", passphrase_file=None
)
report: SecurityTxtReport = parse_security_txt(
    text.encode(),
    url="https://example.com/.well-known/security.txt",
    now=now,
    expiry_warning_days=30,
    verify_signature=False,
    gnupghome=None,
    max_size=MAX_SIZE,
)
live: SecurityTxtReport = check_security_txt(
    "https://example.com",
    ssl_context=ssl.create_default_context(),
    cafile=None,
    timeout=5.0,
    now=now,
    expiry_warning_days=14,
    verify_signature=True,
    gnupghome="/tmp/g",
)
ok: bool = report.ok
errors: tuple[Violation, ...] = report.errors
warnings: tuple[Violation, ...] = report.warnings
codes: frozenset[str] = report.codes
fields: tuple[str, ...] = report.fields["contact"]
parsed: SecurityTxt | None = report.security_txt
expires: datetime | None = report.expires
first: Violation = Violation.of("no_contact", 1)
code: str = first.code
line: int | None = first.line
severity, message = VIOLATIONS["expired"]
served: tuple[str, str] = (CONTENT_TYPE, WELL_KNOWN_PATH)

"""``render_report``: a simple PDF from a template with fields filled in."""

from __future__ import annotations

import string
import unicodedata

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Final

from dataprotect.errors import ConfigurationError, MissingDependencyError


__all__ = [
    "AGREEMENT",
    "INCIDENT_POSTMORTEM",
    "ReportTemplate",
    "render_report",
]

_ASCII: Final = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u2022": "*",
        "\u00a0": " ",
        "\u2212": "-",
    }
)


@dataclass(frozen=True)
class ReportTemplate:
    """A document layout: a title and sections whose text has ``$name``
    placeholders (:class:`string.Template` syntax; ``$$`` is a dollar sign).

    Attributes:
        title: The heading; may hold placeholders.
        sections: ``(heading, text)`` pairs; blank lines split paragraphs.
        signature_lines: Labels of the lines printed for handwritten
            signatures at the end (the digital signature is added by
            :func:`~dataprotect.documents.sign_pdf`).

    .. versionadded:: 0.1.0
    """

    title: str
    sections: tuple[tuple[str, str], ...]
    signature_lines: tuple[str, ...] = ()

    @property
    def fields(self) -> frozenset[str]:
        """The placeholder names the template needs."""
        names: set[str] = set()
        for text in (self.title, *(t for pair in self.sections for t in pair)):
            # string.Template.get_identifiers() is Python 3.11+.
            for match in string.Template.pattern.finditer(text):
                name = match.group("named") or match.group("braced")
                if name:
                    names.add(name)
        return frozenset(names)


#: An incident postmortem: fields ``incident_id``, ``title``, ``date``,
#: ``author``, ``severity``, ``summary``, ``impact``, ``timeline``,
#: ``root_cause``, ``actions``.
INCIDENT_POSTMORTEM: Final = ReportTemplate(
    title="Incident postmortem $incident_id: $title",
    sections=(
        ("Overview", "Date: $date\nAuthor: $author\nSeverity: $severity"),
        ("Summary", "$summary"),
        ("Impact on personal data", "$impact"),
        ("Timeline", "$timeline"),
        ("Root cause", "$root_cause"),
        ("Actions", "$actions"),
    ),
    signature_lines=("Author", "Data protection officer"),
)

#: A GDPR-informed confidentiality agreement: fields ``organisation``,
#: ``employee``, ``role``, ``date``, ``systems``.
AGREEMENT: Final = ReportTemplate(
    title="Confidentiality agreement",
    sections=(
        (
            "Parties",
            (
                "Between $organisation (the organisation) and $employee, "
                "$role (the employee), on $date."
            ),
        ),
        (
            "Access",
            (
                "The employee is granted access to: $systems. Access is for the "
                "duties of the role only and ends with them."
            ),
        ),
        (
            "Personal data",
            (
                "The employee processes personal data only on the organisation's "
                "instructions (GDPR Art. 29 and 32(4)), keeps it confidential "
                "during and after employment, and reports any suspected breach "
                "to the data protection officer without delay."
            ),
        ),
        (
            "Acknowledgement",
            (
                "The employee has read the organisation's data-protection policy "
                "and agrees to follow it."
            ),
        ),
    ),
    signature_lines=("Employee", "For the organisation"),
)


def _latin1(text: str) -> str:
    text = unicodedata.normalize("NFC", text.translate(_ASCII))
    return text.encode("latin-1", "replace").decode("latin-1")


def _fill(text: str, fields: Mapping[str, str]) -> str:
    try:
        return string.Template(text).substitute(fields)
    except KeyError as exc:
        msg = f"template field {exc.args[0]!r} is missing"
        raise ConfigurationError(msg) from None
    except ValueError:
        msg = "the template has a malformed placeholder"
        raise ConfigurationError(msg) from None


def _check_fields(fields: Mapping[str, str]) -> None:
    items: list[tuple[object, object]] = list(fields.items())
    for key, value in items:
        if not isinstance(key, str) or not isinstance(value, str):
            msg = "fields must map names to strings"
            raise TypeError(msg)


def render_report(
    template: ReportTemplate,
    fields: Mapping[str, str],
    *,
    now: datetime | None = None,
) -> bytes:
    """Make a PDF from *template* with *fields* filled in, ready to sign.

    Text is set in the PDF core font Helvetica (Latin-1): typographic
    quotes and dashes become ASCII, other characters outside Latin-1 become
    ``?``.  Long text flows onto as many A4 pages as needed.

    Args:
        template: The layout, e.g. :data:`INCIDENT_POSTMORTEM` or
            :data:`AGREEMENT`.
        fields: A value for every placeholder (extra keys are ignored).
        now: The creation date stored in the PDF and printed in the footer
            (default: now), so output can be reproduced.

    Returns:
        The PDF bytes.

    Raises:
        dataprotect.errors.ConfigurationError: A field is missing.
        dataprotect.errors.MissingDependencyError: fpdf2 is not installed.

    .. versionadded:: 0.1.0
    """
    try:
        from fpdf import FPDF
    except ImportError:
        msg = "render_report needs fpdf2: install dataprotect[pdf]"
        raise MissingDependencyError(msg) from None
    _check_fields(fields)
    moment = now or datetime.now(timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    title = _latin1(_fill(template.title, fields))
    pdf = FPDF(format="A4")
    pdf.set_creation_date(moment)
    pdf.set_title(title)
    pdf.set_producer("dataprotect")
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_margins(20, 20, 20)
    footer = f"Generated {moment:%Y-%m-%d %H:%M} UTC - page "

    def _footer() -> None:
        pdf.set_y(-15)
        pdf.set_font("Helvetica", size=8)
        pdf.cell(0, 10, f"{footer}{pdf.page_no()}", align="C")

    pdf.footer = _footer  # type: ignore[method-assign]  # fpdf2's per-page hook; FPDF is imported lazily, so no subclass
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=16)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for heading, text in template.sections:
        pdf.set_font("Helvetica", style="B", size=12)
        pdf.multi_cell(
            0,
            7,
            _latin1(_fill(heading, fields)),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(
            0, 6, _latin1(_fill(text, fields)), new_x="LMARGIN", new_y="NEXT"
        )
        pdf.ln(3)
    if template.signature_lines:
        pdf.ln(10)
        pdf.set_font("Helvetica", size=11)
        for label in template.signature_lines:
            pdf.multi_cell(
                0,
                10,
                f"{_latin1(label)}: ______________________________",
                new_x="LMARGIN",
                new_y="NEXT",
            )
    return bytes(pdf.output())

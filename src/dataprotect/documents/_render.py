"""``render_report``: a simple PDF from a template with fields filled in."""

from __future__ import annotations

import os
import string
import unicodedata
import warnings

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Final

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


#: Where Linux distributions install DejaVu Sans (Debian: fonts-dejavu-core).
_DEJAVU_DIRS: Final = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/TTF",
    "/usr/share/fonts/dejavu-sans-fonts",
)
#: CJK-capable fallbacks (Debian: fonts-droid-fallback, fonts-noto-cjk).
_CJK_FONTS: Final = (
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/google-droid-sans-fonts/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
)
_NO_FONT: Final = (
    "no Unicode font found (install DejaVu Sans, e.g. Debian's "
    "fonts-dejavu-core, or name a font file): the text is set in "
    "Helvetica, Latin-1 only"
)


def _system_fonts() -> tuple[list[Path], Path | None]:
    """(regular fonts: DejaVu Sans then a CJK fallback, DejaVu Sans Bold)."""
    fonts: list[Path] = []
    bold = None
    for folder in map(Path, _DEJAVU_DIRS):
        if (folder / "DejaVuSans.ttf").is_file():
            fonts.append(folder / "DejaVuSans.ttf")
            if (folder / "DejaVuSans-Bold.ttf").is_file():
                bold = folder / "DejaVuSans-Bold.ttf"
            break
    cjk = next((Path(f) for f in _CJK_FONTS if Path(f).is_file()), None)
    if fonts and cjk is not None:
        fonts.append(cjk)
    return fonts, bold


#: How TrueType, OpenType and collection files start.
_FONT_MAGIC: Final = (b"\x00\x01\x00\x00", b"OTTO", b"true", b"ttcf")


def _add_font(pdf: Any, family: str, style: str, path: Path) -> set[int]:
    """Add one font file; return the code points it covers."""
    msg = f"{path} could not be read as a TrueType or OpenType font"
    with path.open("rb") as fh:  # a missing file: OSError naming it
        if fh.read(4) not in _FONT_MAGIC:
            raise ConfigurationError(msg)
    try:
        pdf.add_font(family, style, path)
    except Exception:  # noqa: BLE001 - fontTools raises many kinds on a damaged font
        raise ConfigurationError(msg) from None
    return set(pdf.fonts[family + style].cmap)


def _close_fonts(pdf: Any) -> None:
    """Close the font files fpdf2 holds open until its output."""
    for font in pdf.fonts.values():
        font.close()


def _wanted(texts: Iterable[str]) -> set[int]:
    """The code points of *texts* that need a glyph."""
    return {
        ord(char)
        for text in texts
        for char in text
        if not char.isspace() and unicodedata.category(char)[0] != "C"
    }


def _load_fonts(
    pdf: Any, fonts: Sequence[Path], bold: Path | None, wanted: set[int]
) -> set[int]:
    """Add the first of *fonts* as family ``dp0`` (regular and bold), and
    each fallback (``dp1``...) only while *wanted* characters are still
    missing: parsing a font is slow.  Return the code points covered."""
    covered = _add_font(pdf, "dp0", "", fonts[0])
    _add_font(pdf, "dp0", "B", bold or fonts[0])
    used = []
    for number, path in enumerate(fonts[1:], 1):
        if wanted <= covered:
            break
        cmap = _add_font(pdf, f"dp{number}", "", path)
        if (wanted - covered) & cmap:
            used.append(f"dp{number}")
        covered |= cmap
    pdf.set_fallback_fonts(used, exact_match=False)
    return covered


def _check_glyphs(wanted: set[int], covered: set[int] | None) -> None:
    """Refuse a character no font can show (rather than print ``?``).

    *covered* ``None`` means the Latin-1 core font.
    """
    missing = sorted(
        c
        for c in wanted
        if (c > 0xFF if covered is None else c not in covered)
    )
    if missing:
        msg = (
            f"no font at hand has a glyph for U+{missing[0]:04X}: install "
            "one that covers it (Debian: fonts-dejavu-core for Latin, Greek "
            "and Cyrillic; fonts-droid-fallback for Chinese, Japanese and "
            "Korean), or name a font file (fonts=, dataprotect pdf render "
            "--font)"
        )
        raise ConfigurationError(msg)


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


def _normal(text: str, *, core: bool) -> str:
    """NFC; for the Latin-1 core font, typographic marks as ASCII."""
    return unicodedata.normalize(
        "NFC", text.translate(_ASCII) if core else text
    )


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


def _lay_out(
    pdf: Any,
    family: str,
    moment: datetime,
    title: str,
    sections: list[tuple[str, str]],
    labels: list[str],
) -> None:
    """Title, sections, signature lines and a footer, in *family*."""
    pdf.set_creation_date(moment)
    pdf.set_title(title)
    pdf.set_producer("dataprotect")
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_margins(20, 20, 20)
    footer = f"Generated {moment:%Y-%m-%d %H:%M} UTC - page "

    def _footer() -> None:
        pdf.set_y(-15)
        pdf.set_font(family, size=8)
        pdf.cell(0, 10, f"{footer}{pdf.page_no()}", align="C")

    pdf.footer = _footer  # fpdf2 calls it on every page (FPDF is imported lazily: no subclass)
    pdf.add_page()
    pdf.set_font(family, style="B", size=16)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for heading, text in sections:
        pdf.set_font(family, style="B", size=12)
        pdf.multi_cell(0, 7, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, size=11)
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    if labels:
        pdf.ln(10)
        pdf.set_font(family, size=11)
        for label in labels:
            pdf.multi_cell(
                0,
                10,
                f"{label}: ______________________________",
                new_x="LMARGIN",
                new_y="NEXT",
            )


def render_report(
    template: ReportTemplate,
    fields: Mapping[str, str],
    *,
    now: datetime | None = None,
    fonts: Sequence[str | os.PathLike[str]] | None = None,
) -> bytes:
    """Make a PDF from *template* with *fields* filled in, ready to sign.

    Text is set in a Unicode TrueType font, embedded (subset) in the PDF,
    so agreements render in every language the fonts cover.  By default
    that is DejaVu Sans (Latin, Greek, Cyrillic and more) with a CJK
    fallback when one is installed (Droid Sans Fallback or Noto Sans CJK);
    no font ships with dataprotect.  A character no font covers is refused
    with :class:`~dataprotect.errors.ConfigurationError`, never replaced.
    Long text flows onto as many A4 pages as needed.

    .. warning::
        Without DejaVu Sans on the system and without *fonts*, the text is
        set in the PDF core font Helvetica: a :class:`UserWarning` says so,
        and only Latin-1 text can be rendered (typographic quotes and dashes
        become ASCII; any other character is refused).

    Args:
        template: The layout, e.g. :data:`INCIDENT_POSTMORTEM` or
            :data:`AGREEMENT`.
        fields: A value for every placeholder (extra keys are ignored).
        now: The creation date stored in the PDF and printed in the footer
            (default: now), so output can be reproduced.
        fonts: TrueType or OpenType font files: the first sets the text,
            the others are fallbacks for characters it lacks (default: the
            system fonts above).

    Returns:
        The PDF bytes.

    Raises:
        dataprotect.errors.ConfigurationError: A field is missing, a
            character has no glyph in any font, or a font file cannot be
            read.
        dataprotect.errors.MissingDependencyError: fpdf2 is not installed.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.1.0
        Unicode fonts (*fonts*, DejaVu Sans by default) instead of
        Helvetica with ``?`` for characters outside Latin-1.
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
    pdf = FPDF(format="A4")
    if fonts is None:
        chosen, bold = _system_fonts()
    else:
        chosen, bold = [Path(f) for f in fonts], None
    if not chosen:
        warnings.warn(_NO_FONT, UserWarning, stacklevel=2)
    core = not chosen
    title = _normal(_fill(template.title, fields), core=core)
    sections = [
        (
            _normal(_fill(heading, fields), core=core),
            _normal(_fill(text, fields), core=core),
        )
        for heading, text in template.sections
    ]
    labels = [_normal(label, core=core) for label in template.signature_lines]
    wanted = _wanted([title, *(h + t for h, t in sections), *labels])
    try:
        covered = None if core else _load_fonts(pdf, chosen, bold, wanted)
        _check_glyphs(wanted, covered)
    except BaseException:
        _close_fonts(pdf)
        raise
    _lay_out(
        pdf,
        "Helvetica" if core else "dp0",
        moment,
        title,
        sections,
        labels,
    )
    return bytes(pdf.output())

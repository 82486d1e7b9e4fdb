"""Tests for QR codes of provisioning URIs (the twofactor extra)."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
import segno

from dataprotect.errors import ConfigurationError, MissingDependencyError
from dataprotect.twofactor import qr_png, qr_svg, qr_terminal


URI = "otpauth://totp/ACME:alice?secret=GEZDGNBVGY3TQOJQ&issuer=ACME"


def _reference(uri: str) -> segno.QRCode:
    return segno.make_qr(uri, error="m")


class TestQR:
    def test_svg(self):
        """An inline SVG element of the URI's QR code, no XML declaration."""
        svg = qr_svg(URI)
        assert svg.startswith("<svg")
        assert svg.rstrip().endswith("</svg>")
        assert svg == _reference(URI).svg_inline(scale=4)
        assert 'width="' in qr_svg(URI, scale=10)

    def test_png(self):
        """A PNG image of the URI's QR code, scaled."""
        png = qr_png(URI, scale=2)
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        expected = io.BytesIO()
        _reference(URI).save(expected, kind="png", scale=2)
        assert png == expected.getvalue()
        assert len(qr_png(URI, scale=8)) > len(png)

    def test_terminal(self):
        """Half blocks by default; ANSI reverse video on request."""
        compact = qr_terminal(URI)
        assert "\u2580" in compact or "\u2584" in compact
        assert "\x1b[" not in compact
        ansi = qr_terminal(URI, compact=False)
        assert "\x1b[7m" in ansi
        assert len(ansi.splitlines()) > len(compact.splitlines())

    def test_error_correction_is_at_least_m(self):
        """Codes use error correction M or better (a phone camera at an
        angle still reads them)."""
        assert _reference(URI).error in {"M", "Q", "H"}

    @pytest.mark.parametrize("uri", ["x" * 2049, "\u00e9" * 1025, "\ud800"])
    def test_bad_uris(self, uri):
        """Too long (in UTF-8 bytes) or not valid Unicode: a
        ConfigurationError that does not quote the URI."""
        with pytest.raises(ConfigurationError) as info:
            qr_svg(uri)
        assert uri[:8] not in str(info.value)

    def test_longest_uri_fits(self):
        """2,048 bytes still make a QR code."""
        assert qr_svg("x" * 2048).startswith("<svg")

    def test_bad_arguments(self):
        """Wrong types are TypeErrors; scale is 1 to 32."""
        with pytest.raises(TypeError, match="uri must be str"):
            qr_svg(URI.encode())
        with pytest.raises(TypeError, match="scale must be int"):
            qr_png(URI, scale=2.0)
        for scale in (0, 33):
            with pytest.raises(ConfigurationError, match="scale must be"):
                qr_svg(URI, scale=scale)

    def test_without_segno(self, monkeypatch):
        """Without segno the error names the extra to install."""
        monkeypatch.setitem(sys.modules, "segno", None)
        for render in (qr_svg, qr_png, qr_terminal):
            with pytest.raises(MissingDependencyError) as info:
                render(URI)
            assert "dataprotect[twofactor]" in str(info.value)
            assert isinstance(info.value, ImportError)


class TestImports:
    def test_package_imports_no_extra(self):
        """Importing dataprotect.twofactor loads neither segno nor limits:
        TOTP, HOTP and recovery codes need no extra."""
        code = (
            "import sys, dataprotect.twofactor;"
            "print(' '.join(sorted(sys.modules)))"
        )
        out = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
        )
        loaded = {name.partition(".")[0] for name in out.stdout.split()}
        assert not loaded & {"segno", "limits", "click", "pyotp"}
        assert "dataprotect.ratelimit" not in out.stdout.split()

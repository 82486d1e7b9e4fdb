"""QR codes of provisioning URIs, by segno (the ``twofactor`` extra).

Re-exported, and documented, by :mod:`dataprotect.twofactor`.
"""

from __future__ import annotations

import io

from typing import TYPE_CHECKING, Final

from dataprotect._secret import check_type
from dataprotect.errors import ConfigurationError, MissingDependencyError


if TYPE_CHECKING:
    import segno


__all__ = ["qr_png", "qr_svg", "qr_terminal"]

_MAX_URI: Final = 2048
_TOO_LONG: Final = f"uri must be at most {_MAX_URI} bytes of UTF-8"


def _qr(uri: str) -> segno.QRCode:
    """A QR code (error correction M or better) holding *uri*."""
    uri = check_type("uri", uri, str)
    if len(uri.encode("utf-8", "surrogatepass")) > _MAX_URI:
        raise ConfigurationError(_TOO_LONG)
    try:
        import segno
    except ImportError:
        msg = "QR codes need segno: install dataprotect[twofactor]"
        raise MissingDependencyError(msg) from None
    try:
        return segno.make_qr(uri, error="m")
    except (ValueError, UnicodeError):
        # A lone surrogate; segno's own messages could quote the data.
        msg = "uri must be valid Unicode"
        raise ConfigurationError(msg) from None


def _check_scale(scale: int) -> int:
    if type(scale) is not int:
        msg = "scale must be int"
        raise TypeError(msg)
    if not 1 <= scale <= 32:
        msg = "scale must be from 1 to 32"
        raise ConfigurationError(msg)
    return scale


def qr_svg(uri: str, *, scale: int = 4) -> str:
    """*uri* as a QR code in an inline SVG element (no XML declaration).

    .. danger::

       A provisioning URI holds the TOTP secret: serve the image only to the
       user enrolling, with ``Cache-Control: no-store``.

    Args:
        uri: The text, e.g. from :meth:`TOTP.provisioning_uri`; at most
            2,048 bytes of UTF-8.
        scale: Pixels per module, 1 to 32.

    Raises:
        TypeError: *uri* is not ``str``.
        dataprotect.errors.ConfigurationError: *uri* is too long or not
            valid Unicode, or *scale* is out of bounds.
        dataprotect.errors.MissingDependencyError: segno is not installed
            (``dataprotect[twofactor]``).

    .. versionadded:: 0.1.0
    """
    return _qr(uri).svg_inline(scale=_check_scale(scale))


def qr_png(uri: str, *, scale: int = 4) -> bytes:
    """*uri* as a QR code in a PNG image.

    Arguments, errors and the warning about the secret are those of
    :func:`qr_svg`.

    .. versionadded:: 0.1.0
    """
    buffer = io.BytesIO()
    _qr(uri).save(buffer, kind="png", scale=_check_scale(scale))
    return buffer.getvalue()


def qr_terminal(uri: str, *, compact: bool = True) -> str:
    """*uri* as a QR code to print on a terminal.

    Args:
        uri: As :func:`qr_svg`.
        compact: Two modules per character cell (Unicode half blocks, for
            a dark background); ``False`` prints two cells per module in
            ANSI reverse video, which some terminals render more reliably.

    Raises:
        As :func:`qr_svg`.

    .. versionadded:: 0.1.0
    """
    buffer = io.StringIO()
    _qr(uri).terminal(out=buffer, compact=bool(compact))
    return buffer.getvalue()

"""What every framework adapter serves for ``security.txt``."""

from __future__ import annotations

from dataprotect.disclosure import CONTENT_TYPE, WELL_KNOWN_PATH, SecurityTxt


__all__ = ["CONTENT_TYPE", "WELL_KNOWN_PATH", "security_txt_body"]


def security_txt_body(security_txt: SecurityTxt | str) -> bytes:
    """The file's bytes: a :class:`SecurityTxt` rendered now (its expiry
    checked), or a pre-rendered (e.g. signed) text as given."""
    if isinstance(security_txt, SecurityTxt):
        return security_txt.render().encode()
    if not isinstance(security_txt, str):
        msg = "security_txt must be a SecurityTxt or str"  # type: ignore[unreachable]  # guards untyped callers
        raise TypeError(msg)
    return security_txt.encode()

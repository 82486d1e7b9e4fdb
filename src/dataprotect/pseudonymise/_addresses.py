"""Email and IP address detection (package-private).

The passes live in :class:`_AddressMixin`, one of the bases of
:class:`dataprotect.pseudonymise._detect.Detector`.
"""

from __future__ import annotations

import ipaddress
import re
import string

from collections.abc import Callable
from urllib.parse import unquote

from dataprotect.pseudonymise._findings import Candidate, ascii_twin


__all__ = [
    "AT_SIGN",
    "_COLON_RUN",
    "_AddressMixin",
    "at_signs",
    "encoded_at",
    "version_stem",
]

# --------------------------------------------------------------------------
# Email

# The "@" as written, percent-encoded, JSON-escaped or as an HTML entity.
AT_SIGN = re.compile(r"@|%40|\\u0040|&#64;|&#[xX]40;")
# The local part, matched backwards from the "@" on the reversed text.
_LOCAL_REV = re.compile(r"(?:[bB]2%|[\w.+\-])+")
_DOMAIN = re.compile(
    r"(?:[\w\-]+\.)+(?:xn--[a-zA-Z0-9\-]+|[^\W\d_]{2,63})"
    r"(?![\w\-]|\.[^\W\d_])"
)
_LOCAL_REV_ASCII = ascii_twin(_LOCAL_REV)  # for ASCII lines
# What [\w.+\-] matches in ASCII text.
_LOCAL_CHARS = string.ascii_letters + string.digits + "_.+-"
_DOMAIN_ASCII = ascii_twin(_DOMAIN)
_USERINFO = re.compile(r"://[^\s/@]*:?$")
_MESSAGE_ID_CONTEXT = re.compile(
    r"(?i)(?:message[-_ ]?id|msg[-_]?id|in-reply-to|references|"
    r"content-id|cid)[\"']?\s*[:=]?\s*[\"']?\s*<?[^<>\s]*$"
)


# --------------------------------------------------------------------------
# IP addresses

# The look-behind follows the first character so that the regex engine can
# skip to candidate characters quickly (a leading assertion defeats that).
_IPV4 = re.compile(r"\d(?<![\w.]\d)\d{0,2}(?:\.\d{1,3}){3}(?!\w|\.\d)")
# The first character comes before the look-behind and the look-ahead
# (which take it into account), so that the engine skips to candidates.
_IPV6 = re.compile(
    r"[0-9A-Fa-f:](?<![\w:.][0-9A-Fa-f:])"
    r"(?:(?<=:)(?=[0-9A-Fa-f]{0,4}:)"
    r"|(?<=[0-9A-Fa-f])(?=[0-9A-Fa-f]{0,3}:[0-9A-Fa-f]{0,4}:))"
    r"[0-9A-Fa-f:.]{1,59}(?![\w])"
)
# For ASCII lines (see ascii_twin).
_IPV4_ASCII = ascii_twin(_IPV4)
_IPV6_ASCII = ascii_twin(_IPV6)
# An IPv6 address without "::" holds seven colons, each pair separated by
# what may stand between them: a line without "::" and without this has
# none (the first character is a literal, which the engine skips to fast).
_COLON_RUN = re.compile(r":(?:[0-9A-Fa-f.]+:){6}")
# A dotted quad right after these is a version, an OID or a user agent.
# Words that make a dotted quad a version, matched on the reversed text
# before it: "version ", "rv:", "firmware v", "shop-core-", "Chrome/".
_VERSION_WORDS_REV = re.compile(
    r"(?i)[\s:=\"'_\-/]*(?:noisrev|rev|esaeler|dliub|erawmrif|lenrek|vr|dio|"
    r"noisiver|kds|\w*edargpu|\w*etadpu|\w*llatsni|\w*yolped|"
    r"tuo gnillor|gat|egami|v)(?![^\W\d_])"
    r"|[/\-_][\w.]*[A-Za-z]"
)


# Every word of _VERSION_WORDS_REV contains one of these (its other branch
# needs "/", "-" or "_" right before the number): without any, the
# regex cannot match and is not run.
_VERSION_HINT = re.compile(
    "v|release|build|firmware|kernel|oid|sdk|upgrade|update|install|deploy|"
    "rolling out|tag|image"
)
_VERSION_NEARBY = re.compile(
    r"(?i)\b(?:up|down)grad|\bupdat|\binstall|\bbump|\brelease|\bversion|"
    r"\bfirmware|\bpackage|\brollback"
)
_VERSION_AFTER = re.compile(
    r"(?i)(?:[ \t]+(?:release|build|version|update|patch|hotfix)\b|"
    r"-(?:alpha|beta|rc|dev|snapshot|final|release)\b)"
)
# "1.2.3.4 port 22", "1.2.3.4:8080": an address, whatever came before.
_PORT_AFTER = re.compile(r"[ \t]+port[ \t]+\d|:\d{1,5}(?![\d.:])")
_IP_WORDS = re.compile(
    r"(?i)(?:\b(?:ip|ips|addr|address|host|client|remote|peer|src|dst|"
    r"source|destination|gateway|proxy|forwarded|origin|server|nameserver|"
    r"dns)\b|_ip|_addr)[\s\"':=\[]*$"
)


# Four octets of ASCII digits, none above 255 and none with a leading zero.
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])"
_QUAD = re.compile(rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}")


def version_stem(low: str) -> bool:
    """Whether *low* holds a stem of :data:`_VERSION_NEARBY`'s words.

    Every match of it holds one of these, in lower case; a chain of "in"
    tests finds one faster than a regex of them.
    """
    return (
        "ver" in low
        or "grad" in low
        or "updat" in low
        or "install" in low
        or "bump" in low
        or "releas" in low
        or "firmware" in low
        or "package" in low
        or "rollback" in low
    )


def _octet_ok(octet: str) -> bool:
    """No leading zero, and not above 255 (any script's digits)."""
    return not (
        (len(octet) > 1 and octet[0] == "0")
        or (len(octet) == 3 and octet > "255")
    )


def _ip_ok(addr: ipaddress.IPv6Address) -> bool:
    """Neither loopback nor unspecified, nor mapping an IPv4 one that is.

    ``is_loopback``, ``is_unspecified`` and ``ipv4_mapped`` on the integer.
    """
    ip = int(addr)
    if ip <= 1:
        return False  # ::, ::1
    if ip >> 32 == 0xFFFF:  # ::ffff:a.b.c.d
        v4 = ip & 0xFFFFFFFF
        return not (v4 == 0 or v4 >> 24 == 127)  # 0.0.0.0, 127.0.0.0/8
    return True


def encoded_at(text: str) -> bool:
    """Whether *text* holds "%40", "\\u0040" or "&#" (an "@" in disguise).

    Each is looked for only in a text with its first character, which
    :meth:`str.find` finds faster than a longer string.
    """
    return (
        ("%" in text and "%40" in text)
        or ("\\" in text and "\\u0040" in text)
        or ("&" in text and "&#" in text)
    )


def at_signs(text: str) -> list[tuple[int, int]]:
    """The spans of the matches of :data:`AT_SIGN` in *text*.

    Without "%40", "\\u0040" and "&#" in *text* they are its "@"s, which
    :meth:`str.find` finds faster than the regex.
    """
    if encoded_at(text):
        return [m.span() for m in AT_SIGN.finditer(text)]
    spans = []
    a = text.find("@")
    while a >= 0:
        spans.append((a, a + 1))
        a = text.find("@", a + 1)
    return spans


def _local_length(local_rev: re.Pattern[str], window: str) -> int:
    """The length of the local part that ends *window* (0: none)."""
    m = local_rev.match(window[::-1])
    return 0 if m is None else m.end()


class _AddressMixin:
    """The email, IPv4 and IPv6 passes of the detector."""

    __slots__ = ()

    def _emails(self, text: str, add: Callable[[Candidate], None]) -> None:
        ascii_only = text.isascii()
        domain = _DOMAIN_ASCII if ascii_only else _DOMAIN
        local_rev = _LOCAL_REV_ASCII if ascii_only else _LOCAL_REV
        # Without "%" in ASCII text the local part is the run of
        # _LOCAL_CHARS before the "@" (what _LOCAL_REV_ASCII matches there).
        plain = ascii_only and "%" not in text
        for a, at_end in at_signs(text):
            dm = domain.match(text, at_end)
            if dm is None:
                continue
            window = text[max(0, a - 64) : a]
            local = (
                len(window) - len(window.rstrip(_LOCAL_CHARS))
                if plain
                else _local_length(local_rev, window)
            )
            if not local:
                continue
            start = a - local
            while text[start] in ".-":
                start += 1
            if start >= a:
                continue
            if (start > 0 and text[start - 1] == "%") or (
                local == len(window) and start > 0
            ):
                continue
            if "\\" in text[start:a] or (
                start > 0 and text[start - 1].isalnum()
            ):
                continue
            before = text[max(0, start - 40) : start]
            if "://" in before and _USERINFO.search(before):
                continue  # URL userinfo, not an address
            end = dm.end()
            if (
                "<" in before[before.rfind(" ") + 1 :]
                or "id" in before
                or "ID" in before
                or "Id" in before
            ) and _MESSAGE_ID_CONTEXT.search(before):
                continue  # a Message-ID
            value = (
                text[start:end]
                if at_end == a + 1
                else text[start:a] + "@" + text[at_end:end]
            )
            canonical = (
                unquote(value).lower() if "%" in value else value.lower()
            )
            add(Candidate("email", start, end, canonical, 90))

    def _ipv4(
        self, text: str, add: Callable[[Candidate], None], begin: int = 0
    ) -> None:
        """IPv4 addresses in *text*, where none starts before *begin*."""
        n = len(text)
        rx = _IPV4_ASCII if text.isascii() else _IPV4
        # (the look-behinds of rx see the text before *begin*)
        for m in rx.finditer(text, begin):
            start, end = m.span()
            value = m.group(0)
            if value.startswith(("127.", "0.")):
                continue  # loopback, "this network"
            if not (
                _QUAD.fullmatch(value)
                if value.isascii()
                else all(_octet_ok(o) for o in value.split("."))
            ):
                continue  # a leading zero or an octet above 255
            clause = text[max(0, start - 48) : start]
            low = clause.lower()
            before = clause[-16:]
            port = end < n and _PORT_AFTER.match(text, end) is not None
            if (
                before
                and not port
                and (
                    before[-1] in "/-_"
                    or _VERSION_HINT.search(
                        low[-16:] if clause.isascii() else before.lower()
                    )
                    is not None
                )
                and _VERSION_WORDS_REV.match(before[::-1])
            ):
                continue
            if port:
                add(Candidate("ip", start, end, value, 70))
                continue
            if (
                end < n
                and (
                    _VERSION_AFTER.match(text, end)  # "1.2.3.4 release"
                    # part of a dashed version or range: 1.2.3.4-5
                    or (text[end] == "-" and text[end + 1 : end + 2].isdigit())
                )
            ):
                continue
            if version_stem(low):
                cut = max(clause.rfind(ch) for ch in '"=,;()[]|/')
                if _VERSION_NEARBY.search(clause, cut + 1) and (
                    not _IP_WORDS.search(before)
                ):
                    continue
            add(Candidate("ip", start, end, value, 70))

    def _ipv6(self, text: str, add: Callable[[Candidate], None]) -> None:
        rx = _IPV6_ASCII if text.isascii() else _IPV6
        for m in rx.finditer(text):
            value = m.group(0).rstrip(".")
            if "::" not in value and value.count(":") < 7:
                continue
            addr = _parse_ipv6(value)
            if addr is None:
                # an unbracketed port: 2001:db8::1:8443
                head, _, port = value.rpartition(":")
                if not (port.isdigit() and len(port) <= 5) or head.endswith(
                    ":"
                ):
                    continue
                addr = _parse_ipv6(head)
                if addr is None:
                    continue
                value = head
            if _ip_ok(addr):
                add(
                    Candidate(
                        "ip", m.start(), m.start() + len(value), str(addr), 70
                    )
                )


def _parse_ipv6(value: str) -> ipaddress.IPv6Address | None:
    try:
        return ipaddress.IPv6Address(value)
    except ValueError:
        return None

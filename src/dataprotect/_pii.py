"""The detectors behind :mod:`dataprotect.pseudonymise` (package-private).

Every detector is a regular expression that proposes *candidates* cheaply,
and a validator that confirms them: Luhn and a card-brand prefix for cards,
mod-97 and the country's length for IBANs, the EAN-13 check digit for AHV
numbers, :mod:`ipaddress` for IP addresses and ``phonenumbers`` for phone
numbers.  Candidates overlapping a stronger finding are dropped, so every
character belongs to at most one finding.

A pass runs only when a cheap substring test says it could match (no ``@``:
no email pass; no ``=`` or ``:``: no key/value pass), which keeps clean log
lines fast.
"""

# Names use typographic apostrophes and quotes: RUF001 is wrong here.
# ruff: noqa: RUF001

from __future__ import annotations

import ipaddress
import itertools
import operator
import re
import zlib

from collections.abc import Callable, Iterable
from typing import Any, Final, Literal, NamedTuple, get_args
from urllib.parse import unquote


__all__ = [
    "FINDING_TYPES",
    "Candidate",
    "Detector",
    "FindingType",
    "field_kind",
    "is_masked",
]

FindingType = Literal[
    "email",
    "ip",
    "phone",
    "payment_card",
    "iban",
    "ahv",
    "jwt",
    "api_key",
    "url_credential",
    "secret_param",
    "person_name",
]
"""The finding types, named exactly as in the issue and the sample data."""

FINDING_TYPES: Final[tuple[FindingType, ...]] = get_args(FindingType)

# Priority when two candidates overlap: the higher one wins.
_PRIORITY: Final[dict[str, int]] = {
    "jwt": 100,
    "url_credential": 95,
    "email": 90,
    "iban": 85,
    "ahv": 85,
    "payment_card": 80,
    "secret_param": 75,
    "api_key": 74,
    "ip": 70,
    "phone": 60,
    "person_name": 50,
}


class Candidate(NamedTuple):
    """A confirmed finding: type, span, and the canonical value."""

    type: str
    start: int
    end: int
    canonical: str
    priority: int


# --------------------------------------------------------------------------
# Placeholders: our own output, and values someone already masked.

_PLACEHOLDER = re.compile(
    r"<(?:email|ip|phone|payment_card|iban|ahv|jwt|api_key|url_credential"
    r"|secret_param|person_name):[0-9a-f]{8}>"
    r"|\[(?:email|ip|phone|payment_card|iban|ahv|jwt|api_key|url_credential"
    r"|secret_param|person_name|REDACTED)\]"
)
_MASKED_VALUE = re.compile(
    r"""(?ix)
    [*xX•#.\-_]*                      # ********, xxxx, ---
    | [\[<({].*[\]>)}]                # [REDACTED], <YOUR_API_KEY>, {{token}}
    | \$\{?[\w.]+\}?                  # $TOKEN, ${TOKEN}
    | %[sdr] | \{\} | \?
    | null | none | nil | undefined | true | false | n/?a | empty
    | redacted | filtered | hidden | secure | masked | removed | omitted
    | your[_\-]?\w+
    """
)


def is_masked(value: str) -> bool:
    """Whether *value* is a placeholder rather than a real secret."""
    return _MASKED_VALUE.fullmatch(value) is not None


# --------------------------------------------------------------------------
# Email

_AT = re.compile(r"@|%40")
# The local part, matched backwards from the "@" on the reversed text.
_LOCAL_REV = re.compile(r"(?:[bB]2%|[\w.+\-])+")
_DOMAIN = re.compile(
    r"(?:[\w\-]+\.)+(?:xn--[a-zA-Z0-9\-]+|[^\W\d_]{2,63})"
    r"(?![\w\-]|\.[^\W\d_])"
)
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
_IPV6 = re.compile(
    r"(?<![\w:.])(?=[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:)[0-9A-Fa-f:.]{2,60}"
    r"(?![\w])"
)
# A dotted quad right after these is a version, an OID or a user agent.
# Words that make a dotted quad a version, matched on the reversed text
# before it: "version ", "rv:", "firmware v", "shop-core-", "Chrome/".
_VERSION_WORDS_REV = re.compile(
    r"(?i)[\s:=\"'_\-/]*(?:noisrev|rev|esaeler|dliub|erawmrif|lenrek|vr|dio|"
    r"noisiver|kds|\w*edargpu|\w*etadpu|\w*llatsni|\w*yolped|"
    r"tuo gnillor|gat|egami|v)(?![^\W\d_])"
    r"|[/\-_][\w.]*[A-Za-z]"
)


_VERSION_NEARBY = re.compile(
    r"(?i)\b(?:up|down)grad|\bupdat|\binstall|\bbump|\brelease|\bversion|"
    r"\bfirmware|\bpackage|\brollback"
)
_VERSION_AFTER = re.compile(
    r"(?i)(?:[ \t]+(?:release|build|version|update|patch|hotfix)\b|"
    r"-(?:alpha|beta|rc|dev|snapshot|final|release)\b)"
)
_IP_WORDS = re.compile(
    r"(?i)(?:\b(?:ip|ips|addr|address|host|client|remote|peer|src|dst|"
    r"source|destination|gateway|proxy|forwarded|origin|server|nameserver|"
    r"dns)\b|_ip|_addr)[\s\"':=\[]*$"
)


def _ip_ok(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if addr.is_loopback or addr.is_unspecified:
        return False
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        mapped = addr.ipv4_mapped
        return not (mapped.is_loopback or mapped.is_unspecified)
    return True


# --------------------------------------------------------------------------
# Numbers with check digits: cards, IBANs, AHV

_CARD = re.compile(r"\d(?<![\w.\-/+:]\d)(?:[ \-.]?\d){11,18}(?!\w|[.\-]\d)")


def luhn_ok(digits: str) -> bool:
    """The Luhn check (ISO/IEC 7812-1)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card_brand_ok(digits: str) -> bool:  # noqa: PLR0911 -- one per brand
    """Whether *digits* has a real card brand's prefix and length."""
    n = len(digits)
    p2 = int(digits[:2])
    p4 = int(digits[:4])
    p6 = int(digits[:6])
    if digits[0] == "4":  # Visa (13-digit Visa cards are long gone)
        return n in (16, 19)
    if 51 <= p2 <= 55 or 2221 <= p4 <= 2720:  # Mastercard
        return n == 16
    if p2 in (34, 37):  # American Express
        return n == 15
    if p4 == 6011 or 644 <= p4 // 10 <= 649 or p2 == 65:  # Discover
        return 16 <= n <= 19
    if p2 == 35:  # JCB (3528-3589, and test ranges around it)
        return 16 <= n <= 19
    if 300 <= p4 // 10 <= 305 or p2 in (36, 38, 39):  # Diners Club
        return 14 <= n <= 19
    if p2 == 62 or 622126 <= p6 <= 622925:  # UnionPay
        return 16 <= n <= 19
    if p4 in _MAESTRO or 6761 <= p4 <= 6763:  # Maestro
        return 12 <= n <= 19
    return False


_MAESTRO: Final = frozenset({5018, 5020, 5038, 5893, 6304, 6759, 6771})
# A number right after these words is a reference, not a card or phone.
_ID_CONTEXT = re.compile(
    r"(?i)(?:\b(?:ref|reference|parcel|tracking|order|invoice|batch|id|"
    r"no|nr|ticket|case|transaction|txn|trace|span|request|shipment|sku|"
    r"ean|gtin|isbn|run|job|build|serial|sn|pid|uid|gid|ts|timestamp|"
    r"epoch|seq|offset|checksum|crc|hash|size|bytes|length|len|count|"
    r"total|duration|elapsed|took|port|product|article|barcode|"
    r"upc)\b[\s\"'#:=.\-]*"
    r"|\b\w*_(?:id|ref|no|nr|number)[\"']?\s*[:=]\s*[\"']?)$"
)
_GTIN_CONTEXT = re.compile(
    r"(?i)\b(?:gtin|ean|ean13|ean-13|barcode|upc|sku|product|article)\b"
)
# Other Maestro ranges, taken only where the text says "card".
_MAESTRO_LIKE = re.compile(r"(?:5[06-8]\d{10,17}|6\d{11,18}|0604\d{8,15})$")
_CARD_CONTEXT = re.compile(r"(?i)card|\bpan\b|\bcc\b|visa|master|amex")

_IBAN = re.compile(
    r"(?P<cc>[A-Z](?<![\w\-][A-Z])[A-Z])(?P<chk>\d{2})"
    r"(?P<rest>(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?)(?!\w)"
)
# ISO 13616 registry: country -> IBAN length.
_IBAN_LENGTH: Final[dict[str, int]] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16,
    "BG": 22, "BH": 22, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28,
    "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24,
    "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18,
    "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23,
    "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32,
    "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22,
    "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24,
    "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
    "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip


def iban_ok(compact: str) -> bool:
    """The IBAN length and mod-97 check (ISO 13616)."""
    if _IBAN_LENGTH.get(compact[:2]) != len(compact):
        return False
    moved = compact[4:] + compact[:4]
    number = "".join(str(int(ch, 36)) for ch in moved)
    return int(number) % 97 == 1


_AHV = re.compile(
    r"7(?<![\w.\-]7)56(?:\.\d{4}\.\d{4}\.\d{2}|\d{10}| \d{4} \d{4} \d{2})"
    r"(?!\w|[.\-]\d)"
)


def ean13_ok(digits: str) -> bool:
    """The EAN-13 check digit (used by Swiss AHV/AVS numbers)."""
    total = sum(
        (ord(ch) - 48) * (3 if i % 2 else 1)
        for i, ch in enumerate(digits[:12])
    )
    return (10 - total % 10) % 10 == ord(digits[12]) - 48


# --------------------------------------------------------------------------
# Tokens and credentials

_JWT = re.compile(
    r"(?<![\w\-])eyJ[\w\-]{6,}={0,2}\.eyJ[\w\-]{2,}={0,2}\.[\w\-]*={0,2}(?![\w\-])"
    r"|(?<![\w\-])eyJ[\w\-]{6,}={0,2}\.[\w\-]{10,}={0,2}\.[\w\-]{16,}={0,2}"
    r"(?![\w\-])"
)
_TOKEN_SHAPES = re.compile(
    r"(?<![\w\-])(?:"
    r"(?:sk|rk|pk)_(?:live|test)_[0-9A-Za-z]{10,}"  # Stripe
    r"|whsec_[0-9A-Za-z]{20,}"
    r"|gh[pousr]_[0-9A-Za-z]{30,}"  # GitHub
    r"|github_pat_[0-9A-Za-z_]{40,}"
    r"|glpat-[0-9A-Za-z_\-]{20,}"  # GitLab
    r"|xox[abposr]-[0-9A-Za-z\-]{10,}"  # Slack
    r"|(?:AKIA|ASIA)[0-9A-Z]{16}"  # AWS access key ids
    r"|AIza[0-9A-Za-z_\-]{35}"  # Google
    r"|ya29\.[0-9A-Za-z_\-]{20,}"
    r"|SG\.[0-9A-Za-z_\-]{16,}\.[0-9A-Za-z_\-]{16,}"  # SendGrid
    r"|npm_[0-9A-Za-z]{36}"
    r"|pypi-[0-9A-Za-z_\-]{50,}"
    r"|hf_[0-9A-Za-z]{30,}"
    r"|sh(?:pat|pss|pca|ppa)_[0-9a-fA-F]{32}"  # Shopify
    r"|pat_[0-9A-Za-z]{20,}"
    r"|dp[a-z]?_[0-9A-Za-z_\-]{20,}"  # dataprotect tokens
    r"|(?:api|key|tok|secret|token)_[0-9A-Za-z]{24,}"
    r")(?![\w\-])"
)
# dataprotect access tokens (and GitHub's): <prefix>_<30 base62><6 base62
# CRC32 of "<prefix>_<random>">; the checksum keeps false positives out.
_CHECKSUM_TOKEN = re.compile(
    r"(?<![\w\-])[A-Za-z](?:[A-Za-z0-9_]{0,30}[A-Za-z0-9])?_[0-9A-Za-z]{36}"
    r"(?![\w\-])"
)
_BASE62: Final = (
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)


def token_checksum_ok(token: str) -> bool:
    """Whether the last 6 characters are the base62 CRC32 of the rest."""
    value = zlib.crc32(token[:-6].encode("ascii"))
    chars = []
    for _ in range(6):
        value, rem = divmod(value, 62)
        chars.append(_BASE62[rem])
    return "".join(reversed(chars)) == token[-6:]


_URL_CREDENTIAL = re.compile(
    r"(?i)\b[a-z][a-z0-9+.\-]{1,20}://[^\s/:@?#\"'<>]{0,128}"
    r":(?P<pw>[^\s/@?#\"'<>]{1,256})@(?=[\w\[])"
)

_SECRET_NAMES: Final = frozenset(
    {
        "password", "passwd", "pwd", "pass", "passphrase", "passcode",
        "secret", "client_secret", "app_secret", "secret_key", "private_key",
        "session", "sessionid", "session_id", "sess", "sid", "jsessionid",
        "phpsessid", "asp.net_sessionid", "aspsessionid", "connect.sid",
        "laravel_session", "_session", "session_token", "session_key",
        "csrf", "csrftoken", "csrf_token", "csrfmiddlewaretoken",
        "xsrf_token", "x_csrf_token", "x_xsrf_token", "_csrf", "_csrf_token",
        "authenticity_token", "otp", "totp", "pin", "cvv", "cvc", "cvv2",
        "security_code", "credentials", "credential", "remember_token",
        "remember_me", "auth_cookie", "set_cookie_value", "code_verifier",
        "new_password", "old_password", "current_password",
        "password_confirmation", "confirm_password", "password2",
        "db_password", "smtp_password", "signature_secret", "webhook_secret",
    }
)  # fmt: skip
_KEY_NAMES: Final = frozenset(
    {
        "token", "api_key", "apikey", "x_api_key", "access_key",
        "access_key_id", "secret_access_key", "access_token", "auth_token",
        "id_token", "refresh_token", "bearer", "private_token",
        "x_auth_token", "x_access_token", "api_token", "apitoken",
        "client_token", "oauth_token", "key", "license_key", "auth_key",
        "x_token", "token_secret", "subscription_key",
        "ocp_apim_subscription_key",
    }
)  # fmt: skip
_NOT_SECRET_SUFFIXES: Final = (
    "_id", "_ids", "_name", "_type", "_ref", "_path", "_file", "_arn",
    "_version", "_length", "_len", "_count", "_expires", "_expiry",
    "_expires_at", "_expires_in", "_ttl", "_usage", "_limit", "_used",
    "_policy", "_hint", "_url", "_uri", "_endpoint", "_header", "_field",
    "_changed", "_reset", "_age", "_valid", "_required", "_set", "s",
)  # fmt: skip
_KEY_SUFFIXES: Final = (
    "api_key", "apikey", "access_key", "private_key", "secret_key",
    "auth_key", "signing_key", "encryption_key", "master_key",
    "license_key", "client_key", "app_key", "subscription_key",
)  # fmt: skip
_AUTH_HEADERS: Final = frozenset(
    {"authorization", "proxy_authorization", "x_authorization", "auth"}
)
_NAME_KEYS: Final = frozenset(
    {
        "name", "full_name", "fullname", "customer_name", "display_name",
        "displayname", "holder", "account_holder", "accountholder",
        "cardholder", "card_holder", "cardholder_name", "holder_name",
        "customer", "contact", "contact_name", "recipient", "recipient_name",
        "patient", "patient_name", "employee", "employee_name", "person",
        "person_name", "user", "user_name_full", "owner", "owner_name",
        "beneficiary", "beneficiary_name", "first_name", "firstname",
        "last_name", "lastname", "surname", "given_name", "family_name",
        "billing_name", "shipping_name", "sender_name", "applicant",
        "insured", "insured_person", "nom", "prenom", "vorname", "nachname",
        "cognome", "nome", "kunde", "client", "client_name",
    }
)  # fmt: skip
_SINGLE_NAME_KEYS: Final = frozenset(
    {
        "first_name",
        "firstname",
        "last_name",
        "lastname",
        "surname",
        "given_name",
        "family_name",
        "vorname",
        "nachname",
        "prenom",
        "nom",
        "cognome",
        "nome",
    }
)
_PHONE_KEYS: Final = frozenset(
    {
        "phone", "phone_number", "phonenumber", "tel", "telephone", "mobile",
        "mobile_number", "cell", "msisdn", "fax", "sms", "telefon", "natel",
        "handy", "telefono", "telephone_number", "contact_phone",
    }
)  # fmt: skip
_EMAIL_KEYS: Final = frozenset(
    {"email", "e_mail", "mail", "email_address", "emailaddress", "user_email"}
)

# key = value, key: value, "key": "value", 'key': 'value'.  The value is
# captured in a look-ahead so a value that is itself "k=v" is scanned too.
_SEP = re.compile(r"[=:]")
# The key before a separator, matched on the reversed text.
_KEY_REV = re.compile(r"[ \t]*[\"']?\\?(?P<key>[\w.\-]{1,61})")
_VALUE = re.compile(r"[ \t]*(?P<vq>\\?[\"']?)(?P<val>[^\s\"'\\&;,<>)\]}]*)")
_XML_ELEMENT = re.compile(r"<([A-Za-z_][\w.\-:]{0,60})>([^<>]{1,512})</\1>")
_AUTH_SCHEME = re.compile(
    r"(?i)(?P<scheme>bearer|basic|token|digest|apikey|api-key|negotiate)"
    r"[ \t]+(?P<val>[\w\-.~+/]+=*)"
)
# "api key XYZ", "bearer token XYZ", "password XYZ": a secret after words.
_PHRASE = re.compile(
    r"(?i)\b(?P<kw>api[ _\-]?key|access[ _\-]?token|auth(?:entication)?"
    r"[ _\-]?token|bearer(?:[ _\-]token)?|secret(?:[ _\-]key)?|password|"
    r"passwd|session(?:[ _\-]?id)?|token|credentials?)"
    r"(?:\s+(?:is|was|=|:))?\s+(?P<val>[\w\-.~+/]{12,}={0,2})"
)


def _looks_secret(value: str) -> bool:
    """A value after "token"/"api key" in prose must look random."""
    if len(value) < 12 or is_masked(value) or ":" in value:
        return False
    has_digit = any(ch.isdigit() for ch in value)
    has_alpha = any(ch.isalpha() for ch in value)
    return has_digit and has_alpha


# --------------------------------------------------------------------------
# Phone numbers: candidate shapes; phonenumbers confirms.

_PHONE_CONTEXT = re.compile(
    r"(?i)phone|\btel\b|tel[:.]|telef|\bsms\b|mobile|\bcell|natel|\bfax\b|"
    r"whatsapp|\bcall|callback|\bdial|\banruf|r[üu]ckruf|appel|rappel|"
    r"chiamat|cellulare|portable|handy\b"
)
_PHONE = re.compile(
    r"(?<![\w+\-./#])(?:"
    r"[2-9]\d{9}(?!\d)|"
    r"(?:\+|00)[1-9]\d{0,2}(?:[ \-./]?\(0\))?(?:[ \-./]?\(?\d{1,5}\)?){1,6}"
    r"|0[1-9]\d{0,4}(?:[ \-./]?\(?\d{1,5}\)?){1,5}"
    r"|\(?[2-9]\d{2}\)?[ \-.]?\d{3}[ \-.]\d{4}"
    r"|\(0\d{1,4}\)[ \-.]?\d{2,5}(?:[ \-.]?\d{2,5}){0,3}"
    r"|[1-9]\d{1,3}(?:[ \-.]\d{2,4}){2,4}"
    r"|[1-9]\d{8,11}(?!\d)"
    r")(?:[ \t]?(?:x|ext\.?|extension)[ \t]?\d{1,6})?(?![\w\-]|[./]\d)"
)
# A number followed by a unit is a size, a duration or a count.
_UNIT_AFTER = re.compile(
    r"[ \t]?(?:bytes?|[kKMGT]i?B|B|ms|µs|us|ns|s|sec|secs|seconds?|min|"
    r"minutes?|h|hours?|days?|%|messages?|msgs?|rows?|records?|items?|"
    r"times|requests?|reqs?|users?|files?|lines?|events?|tokens?|px)\b"
)
_NOT_DIGIT = re.compile(r"\D")
_NANP = re.compile(r"\(?[2-9]\d{2}\)?[ \-.]?\d{3}[ \-.]?\d{4}")
_EXTENSION = re.compile(r"[ \t]?(?:x|ext\.?|extension)[ \t]?(?=\d)")
_DATE_LIKE = re.compile(
    r"\d{4}[\-./]\d{1,2}[\-./]\d{1,2}|\d{1,2}[\-./]\d{1,2}[\-./]\d{2,4}$"
)


# --------------------------------------------------------------------------
# Person names

_NAME_PARTICLES: Final = frozenset(
    {
        "von", "van", "de", "der", "den", "di", "da", "del", "della", "du",
        "le", "la", "dos", "das", "do", "y", "zu", "vom", "zur", "ter",
        "ten", "af", "al", "el", "bin", "st.", "mc", "des", "d'",
    }
)  # fmt: skip
# Capitalised words that are not names (services, products, places).
_NOT_NAME_WORDS: Final = frozenset(
    {
        "service", "services", "gateway", "server", "cluster", "api", "team",
        "office", "support", "admin", "bank", "inc", "ltd", "gmbh", "ag",
        "sa", "sarl", "llc", "corp", "company", "group", "system", "systems",
        "database", "cache", "queue", "worker", "job", "task", "user",
        "users", "customer", "client", "account", "payment", "payments",
        "order", "orders", "invoice", "shop", "store", "app", "application",
        "production", "staging", "prod", "test", "dev", "development",
        "main", "master", "default", "monitor", "the", "a", "an",
        "and", "or", "of", "in", "on", "at", "for", "by", "to", "with",
        "from", "mr", "mrs", "ms", "dr", "prof", "herr", "frau", "madame",
        "monsieur", "unknown", "anonymous", "guest", "none", "null", "true",
        "false", "yes", "no", "ok", "error", "warning", "info", "debug",
        "critical", "http", "https", "get", "post", "put", "delete",
        "patch", "head", "options", "mobile", "web", "desktop", "android",
        "ios", "windows", "linux", "mac", "chrome", "firefox", "safari",
        "edge", "opera", "google", "apple", "microsoft", "amazon", "stripe",
        "paypal", "visa", "mastercard", "twint", "postfinance", "sepa",
        "iban", "ahv", "avs", "swiss", "zurich", "zürich", "geneva", "genève",
        "basel", "bern", "lausanne", "lugano", "switzerland", "schweiz",
        "suisse", "svizzera", "germany", "france", "italy", "london",
        "new", "york", "street", "strasse", "road", "avenue", "rue", "via",
        "platz", "weg", "gasse", "center", "centre", "hospital", "clinic",
        "university", "school", "hotel", "restaurant", "cafe", "market",
        "pharmacy", "health", "insurance", "hr", "it", "sales",
        "marketing", "finance", "legal", "operations", "engineering",
        "product", "security", "network", "cloud", "data", "backup",
        "storage", "report", "reports", "batch", "sync", "import", "export",
        "newsletter", "welcome", "reset", "password", "login", "logout",
        "signup", "session", "token", "request", "response", "callback",
        "webhook", "event", "events", "message", "mail", "email", "sms",
        "phone", "manager", "director", "officer", "assistant", "agent",
        "operator", "owner", "holder", "member", "partner", "vendor",
        "supplier", "provider", "consumer", "producer", "handler",
        "controller", "scheduler", "dispatcher", "processor", "pipeline",
        "limited", "holding", "holdings", "foundation", "association",
        "club", "department", "ministry", "city", "county",
        "state", "federal", "national", "international", "global",
        "europe", "european", "america", "american", "north", "south",
        "east", "west", "central", "upper", "lower", "great", "little",
        "big", "old", "first", "last", "next", "previous", "primary",
        "secondary", "active", "inactive", "pending", "completed", "failed",
        "success", "done", "started", "stopped", "running", "jenkins",
        "github", "gitlab", "bitbucket", "docker", "kubernetes", "k8s",
        "redis", "postgres", "postgresql", "mysql", "mongo", "mongodb",
        "nginx", "apache", "celery", "sentry", "slack", "jira", "confluence",
        "terraform", "ansible", "grafana", "prometheus", "kafka", "rabbitmq",
        "elastic", "elasticsearch", "kibana", "aws", "azure", "gcp",
        "release", "back", "daily", "weekly", "monthly",
        "nightly", "scheduled", "automatic", "auto", "manual", "internal",
        "external", "public", "private",
    }
)  # fmt: skip
_NOT_NAME_ANY: Final = frozenset(
    {
        "service", "services", "gateway", "server", "cluster", "api", "team",
        "office", "support", "inc", "ltd", "gmbh", "ag", "sa", "sarl", "llc",
        "corp", "co", "company", "group", "bank", "system", "systems",
        "database", "cache", "queue", "worker", "street", "strasse", "road",
        "avenue", "platz", "gasse", "weg",
        "center", "centre", "hospital", "clinic", "university", "school",
        "hotel", "restaurant", "pharmacy", "insurance", "limited",
        "holding", "holdings", "foundation", "association", "department",
        "ministry", "error", "exception", "failed", "timeout", "http",
        "https", "id", "iban", "ahv", "avs", "ip", "url", "uuid", "json",
        "pipeline", "pipelines", "runner", "runners", "bot", "bots", "agent",
        "daemon", "scheduler", "cron", "controller", "operator", "manager",
        "integration", "plugin", "webhook", "robot", "script", "engine",
        "console", "portal", "dashboard", "monitor", "action", "actions",
        "workflow", "build", "release", "deploy", "deployment", "job", "jobs",
        "task", "tasks", "process", "module", "component", "platform",
        "account", "accounts", "user", "users", "admin", "administrator",
        "card", "cards", "banner", "page", "button", "form", "report",
    }
)  # fmt: skip
_UPPER = "A-ZÀ-ÖØ-ÞĀ-ſ"
_NAME_WORD = rf"[{_UPPER}][^\W\d_]*(?:(?:['’\-]|\.-?)[^\W\d_]+)*\.?"
_NAME_RUN = re.compile(
    rf"(?:(?:pan|pani|sig\.?|dott\.?)[ \t])?{_NAME_WORD}(?:[ \t](?:{_NAME_WORD}|[^\W\d_]+)){{0,5}}"
)
# Lower-case titles right before a capitalised name: "pan", "sig.".
_LOWER_TITLES: Final = frozenset(
    {"pan", "pani", "sig", "sig.", "sig.ra", "dott", "dott.", "mme", "mlle"}
)
# Capitalised words after which a name may follow inside one run of
# capitalised words ("WARN Versicherter Max Muster", "Dear Mr Smith").
_CAPITAL_TRIGGERS: Final = frozenset(
    {
        "versicherter", "versicherte", "versicherten", "kunde", "kundin",
        "customer", "cardholder", "holder", "client", "cliente", "patient",
        "employee", "recipient", "beneficiary", "applicant", "titulaire",
        "inhaber", "inhaberin", "dear", "hello", "hi", "hallo", "bonjour",
        "buongiorno", "grüezi", "liebe", "lieber", "cher", "chère", "caro",
        "cara", "contact", "user", "member", "by", "for", "to",
    }
)  # fmt: skip
_NAME_CAND = re.compile(
    rf"[{_UPPER}](?<![\w.@'’\-][{_UPPER}])"
    rf"[^\W\d_]*(?:(?:['’\-]|\.-?)[^\W\d_]+)*\.?"
    rf"(?:[ \t](?:(?:von|van|de|der|den|di|da|del|della|du|le|la|dos|das|"
    rf"do|zu|vom|zur|ter|ten|y|bin|al|el)[ \t])*{_NAME_WORD}){{1,6}}"
)
_NAME_BEFORE = re.compile(
    r"(?i)\b(?:"
    r"(?:requested|placed|created|updated|sent|issued|signed|approved|"
    r"submitted|initiated|booked|registered|opened|closed|verified|"
    r"deleted|removed|added|invited|assigned|paid|ordered|called|"
    r"contacted|succeeded|failed|made|received|cancelled|canceled|"
    r"refunded|shipped|delivered|addressed|authored|reviewed|raised|"
    r"reported|filed|logged|scheduled|confirmed|rejected|blocked|"
    r"unblocked|suspended|reactivated|onboarded|offboarded|hired|"
    r"enrolled|subscribed|unsubscribed|written|edited|modified|"
    r"changed|transferred|escalated|reassigned|greeted|welcomed)"
    r"\s+(?:by|for|to|from|with)"
    r"|(?:for|to|by|from|of)\s+(?:customer|user|client|patient|employee|"
    r"member|contact|recipient|applicant|insured(?:\s+person)?|"
    r"cardholder|account\s+holder|holder|subscriber|guest|tenant|"
    r"buyer|seller|sender|driver|passenger|student|teacher|doctor)"
    r"|(?:customer|cardholder|card\s+holder|account\s+holder|holder|"
    r"patient|employee|recipient|beneficiary|applicant|insured\s+person|"
    r"contact\s+person|Kunde|Kundin|client|cliente|titulaire|"
    r"Inhaber|Inhaberin|Versicherte[rn]?)"
    r"|(?:dear|hello|hi|hallo|bonjour|buongiorno|grüezi|liebe[r]?|cher|"
    r"chère|caro|cara|mr\.?|mrs\.?|ms\.?|dr\.?|herr|frau|madame|"
    r"monsieur|signor[a]?)"
    r")[ \t]*[:=]?[ \t]+[\"'“«]?$"
)
_WORD = re.compile(r"\S+")
_CSV_ANCHORS: Final = frozenset(
    {"email", "phone", "iban", "ahv", "payment_card"}
)
_CSV_FIELD = re.compile(
    r"(?:^|(?<=[,;]))[ \t]*\"?([^,;\"\n]+?)\"?[ \t]*(?=[,;]|$)"
)
_BARE_PREP = re.compile(
    r"(?i)(?P<num>\d[\"'’”»)]?[ \t]+)?\b(?:for|by|to|from|with|of)[ \t]+[\"'“«]?$"
)


_HONORIFICS: Final = frozenset(
    {
        "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "herr",
        "frau", "mme", "mlle", "sig", "sig.ra", "dipl.-ing", "ing", "lic",
        "mag", "dott", "dott.ssa", "ing.", "madame", "monsieur", "signor",
        "signora", "prof. dr", "univ.-prof", "univ.prof", "dipl.-kfm",
        "mag.a", "dr.in", "ing.in", "dr. med", "dr.med", "pan", "pani",
    }
)  # fmt: skip
_SUFFIXES: Final = frozenset(
    {
        "md", "phd", "jr", "sr", "ii", "iii", "iv", "dds", "dvm", "esq",
        "msc", "bsc", "mba", "ma", "ba", "b.a", "m.a", "b.sc", "m.sc",
        "mag", "bed", "med",
    }
)  # fmt: skip


def _name_tokens_ok(tokens: list[str], *, single: bool) -> int:  # noqa: C901
    """How many leading *tokens* form a person's name (0: none)."""
    taken = 0
    capitals = 0
    for i, tok in enumerate(tokens):
        bare = tok.rstrip(".")
        low = bare.lower()
        if low in _HONORIFICS and taken == i and i < 2:
            taken += 1  # "Dr", "Mr.", "Dipl.-Ing." before the name
            continue
        if low in _SUFFIXES and capitals >= 2:
            taken += 1  # "MD", "Jr.", "III" after it
            continue
        if low in _NAME_PARTICLES and 0 < i < len(tokens) - 1:
            taken += 1
            continue
        if (
            not bare
            or not bare[0].isupper()
            or low in _NOT_NAME_ANY
            or (not capitals and low in _NOT_NAME_WORDS)
        ):
            break
        if bare.isupper() and len(bare) > 1 and not (i and capitals):
            # an acronym ("IBAN", "AHV"), unless a surname in capitals
            # follows a first name ("Anna MEIER")
            break
        if len(bare) == 1 and not tok.endswith("."):
            break
        taken += 1
        capitals += 1
        if capitals == 4:
            break
    # strip trailing particles
    while taken and tokens[taken - 1] in _NAME_PARTICLES:
        taken -= 1
    if capitals >= 2 or (single and capitals == 1):
        return taken
    return 0


# --------------------------------------------------------------------------


class Detector:
    """Finds personal data and credentials in text.

    Args:
        types: The finding types to look for.
        default_region: The region for national phone numbers (``"CH"``).
        phone_regions: Further regions tried for national numbers.
    """

    __slots__ = ("_phone_regions", "_phonenumbers", "_region", "_types")

    def __init__(
        self,
        types: Iterable[str],
        *,
        default_region: str = "CH",
        phone_regions: Iterable[str] = (),
        phonenumbers: Any = None,
    ) -> None:
        self._types = frozenset(types)
        self._region = default_region
        self._phone_regions = tuple(
            r for r in dict.fromkeys((default_region, *phone_regions)) if r
        )
        self._phonenumbers = phonenumbers

    # -- public -----------------------------------------------------------

    def scan(self, text: str) -> list[Candidate]:  # noqa: C901, PLR0912
        """Every finding in *text*, non-overlapping, in text order."""
        found: list[Candidate] = []
        add = found.append
        types = self._types
        has_at = "@" in text
        has_pct40 = "%40" in text
        has_colon = ":" in text
        has_eq = "=" in text
        if (has_at or has_pct40) and "email" in types:
            self._emails(text, add)
        if has_at and "://" in text and "url_credential" in types:
            self._url_credentials(text, add)
        if "eyJ" in text and "jwt" in types:
            self._jwts(text, add)
        if "api_key" in types and ("_" in text or "-" in text or "." in text):
            self._token_shapes(text, add)
        if has_eq or has_colon:
            self._key_values(text, add)
        if "</" in text:
            self._xml_elements(text, add)
        low = text.lower()
        if (
            "key" in low
            or "token" in low
            or "pass" in low
            or "secret" in low
            or "session" in low
            or "bearer" in low
            or "credential" in low
        ):
            self._phrases(text, add)
        if "." in text and "ip" in types:
            self._ipv4(text, add)
        if has_colon and "ip" in types:
            self._ipv6(text, add)
        if "756" in text and "ahv" in types:
            self._ahv(text, add)
        if "iban" in types:
            self._ibans(text, add)
        if "payment_card" in types:
            self._cards(text, add)
        if "phone" in types and self._phonenumbers is not None:
            self._phones(text, add)
        if "person_name" in types:
            self._names(text, found, add)
        if not found:
            return found
        if "<" in text or "[" in text:
            holes = [(m.start(), m.end()) for m in _PLACEHOLDER.finditer(text)]
            if holes:
                # Nothing inside our own output, nor glued to it: a value
                # right after "<ip:...>" was glued to that address before.
                found = [
                    c
                    for c in found
                    if not any(c.start <= e and s <= c.end for s, e in holes)
                ]
        return _resolve(found)

    # -- detectors --------------------------------------------------------

    def _emails(self, text: str, add: Callable[[Candidate], None]) -> None:
        for at in _AT.finditer(text):
            a = at.start()
            dm = _DOMAIN.match(text, at.end())
            if dm is None:
                continue
            window = text[max(0, a - 64) : a][::-1]
            lm = _LOCAL_REV.match(window)
            if lm is None:
                continue
            start = a - lm.end()
            while text[start] in ".-":
                start += 1
            if start >= a:
                continue
            if (start > 0 and text[start - 1] == "%") or (
                lm.end() == len(window) and start > 0
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
            value = text[start:end]
            canonical = (
                unquote(value).lower() if "%" in value else value.lower()
            )
            add(Candidate("email", start, end, canonical, 90))

    def _url_credentials(
        self, text: str, add: Callable[[Candidate], None]
    ) -> None:
        for m in _URL_CREDENTIAL.finditer(text):
            pw = m.group("pw")
            if is_masked(pw) or pw.startswith("<"):
                continue
            add(
                Candidate("url_credential", m.start("pw"), m.end("pw"), pw, 95)
            )

    def _jwts(self, text: str, add: Callable[[Candidate], None]) -> None:
        for m in _JWT.finditer(text):
            add(Candidate("jwt", m.start(), m.end(), m.group(0), 100))

    def _token_shapes(
        self, text: str, add: Callable[[Candidate], None]
    ) -> None:
        for m in _TOKEN_SHAPES.finditer(text):
            add(Candidate("api_key", m.start(), m.end(), m.group(0), 74))
        if "_" in text:
            for m in _CHECKSUM_TOKEN.finditer(text):
                if token_checksum_ok(m.group(0)):
                    add(
                        Candidate(
                            "api_key", m.start(), m.end(), m.group(0), 74
                        )
                    )

    def _key_values(  # noqa: C901, PLR0912, PLR0915 -- one pass, many forms
        self, text: str, add: Callable[[Candidate], None]
    ) -> None:
        types = self._types
        for sep in _SEP.finditer(text):
            i = sep.start()
            if not i or text[i - 1].isdigit() or text.startswith("//", i + 1):
                continue
            km = _KEY_REV.match(text[max(0, i - 72) : i][::-1])
            if km is None:
                continue
            # Reversed; leading dashes are command-line flags (--password=).
            key = km.group("key").rstrip("-")
            if not key or not (key[-1].isalpha() or key[-1] == "_"):
                continue
            key = key[::-1].lower().replace("-", "_")
            m = _VALUE.match(text, i + 1)
            if m is None:
                continue
            start = m.start("val")
            value = m.group("val")
            quote = m.group("vq")
            if quote:
                q = quote[-1]
                end = text.find(q, start)
                while end > 0 and text[end - 1] == "\\" and quote[0] != "\\":
                    end = text.find(q, end + 1)
                if end < 0:
                    end = start + len(value)
                else:
                    if quote[0] == "\\":
                        end -= 1
                    value = text[start:end]
            else:
                end = start + len(value)
            kind = self._classify_key(key)
            if kind is None:
                continue
            if kind == "auth":
                sm = _AUTH_SCHEME.match(text, start)
                if sm is not None:
                    start, end = sm.start("val"), sm.end("val")
                    value = sm.group("val")
                    kind = "secret_param"
                elif "=" in value:
                    continue
                else:
                    kind = "secret_param"
            if not value or is_masked(value) or _PLACEHOLDER.fullmatch(value):
                continue
            if kind in ("secret_param", "api_key"):
                if kind not in types:
                    continue
                if len(value) < 3 or not any(ch.isalnum() for ch in value):
                    continue  # not a secret: "-", "[", "::"
                if (
                    kind == "api_key"
                    and key == "key"
                    and not _looks_secret(value)
                ):
                    continue
                add(Candidate(kind, start, end, value, _PRIORITY[kind]))
            elif kind == "person_name" and "person_name" in types:
                self._name_value(text, start, end, key, quote, add)
            elif kind == "phone" and "phone" in types:
                digits = sum(ch.isdigit() for ch in value)
                if 7 <= digits <= 15 and not any(ch.isalpha() for ch in value):
                    canonical = "".join(
                        ch for ch in value if ch.isdigit() or ch == "+"
                    )
                    add(Candidate("phone", start, end, canonical, 55))

    def _xml_elements(
        self, text: str, add: Callable[[Candidate], None]
    ) -> None:
        """``<password>...</password>``, ``<apiKey>...</apiKey>``."""
        for m in _XML_ELEMENT.finditer(text):
            kind = field_kind(m.group(1).rsplit(":", 1)[-1])
            value = m.group(2)
            if (
                kind not in ("secret_param", "api_key")
                or kind not in self._types
            ):
                continue
            if value.strip() and not is_masked(value.strip()):
                add(
                    Candidate(
                        kind, m.start(2), m.end(2), value, _PRIORITY[kind]
                    )
                )

    @staticmethod
    def _classify_key(key: str) -> str | None:  # noqa: PLR0911
        if key in _SECRET_NAMES:
            return "secret_param"
        if key in _KEY_NAMES:
            return "api_key"
        if key in _AUTH_HEADERS:
            return "auth"
        if key in _NAME_KEYS:
            return "person_name"
        if key in _PHONE_KEYS:
            return "phone"
        if key.endswith(_NOT_SECRET_SUFFIXES):
            return None  # token_type, secret_name, password_length...
        if any(
            w in key for w in ("password", "passwd", "passphrase", "secret")
        ):
            return "secret_param"
        if key.endswith(("_session", "sessid", "sessionid", "csrftoken")):
            return "secret_param"
        if "token" in key or key.endswith(_KEY_SUFFIXES):
            return "api_key"
        return None

    def _name_value(
        self,
        text: str,
        start: int,
        end: int,
        key: str,
        quote: str,
        add: Callable[[Candidate], None],
    ) -> None:
        if not quote:
            # unquoted: the name may continue across spaces
            m = _NAME_RUN.match(text, start)
            if m is None:
                return
            end = m.end()
        value = text[start:end].strip()
        if not value or "@" in value or any(ch.isdigit() for ch in value):
            return
        tokens = value.split()
        if len(tokens) > 6:
            return
        n = _name_tokens_ok(tokens, single=key in _SINGLE_NAME_KEYS)
        if not n:
            return
        if quote and n != len(tokens):
            return  # a quoted value must be a name as a whole
        name = " ".join(tokens[:n])
        offset = text.find(tokens[0], start)
        name_end = offset + len(" ".join(tokens[:n]))
        # recompute the end from the original spacing
        cursor = offset
        for tok in tokens[:n]:
            cursor = text.find(tok, cursor) + len(tok)
        name_end = cursor
        add(Candidate("person_name", offset, name_end, name.lower(), 50))

    def _phrases(self, text: str, add: Callable[[Candidate], None]) -> None:
        types = self._types
        for m in _PHRASE.finditer(text):
            value = m.group("val")
            if not _looks_secret(value):
                continue
            kw = m.group("kw").lower()
            kind = (
                "secret_param"
                if kw.startswith(("pass", "session", "secret", "cred"))
                else "api_key"
            )
            if kind in types:
                add(
                    Candidate(
                        kind,
                        m.start("val"),
                        m.end("val"),
                        value,
                        _PRIORITY[kind] - 2,
                    )
                )

    def _ipv4(self, text: str, add: Callable[[Candidate], None]) -> None:  # noqa: C901
        for m in _IPV4.finditer(text):
            start = m.start()
            value = m.group(0)
            before = text[max(0, start - 16) : start]
            if before and _VERSION_WORDS_REV.match(before[::-1]):
                continue
            octets = value.split(".")
            if octets[0] in ("127", "0"):
                continue  # loopback, "this network"
            bad = False
            for o in octets:
                if (len(o) > 1 and o[0] == "0") or int(o) > 255:
                    bad = True
            if bad:
                continue
            end = m.end()
            if _VERSION_AFTER.match(text, end):
                continue  # "1.2.3.4 release", "1.2.3.4-beta"
            if (
                text[end : end + 1] == "-"
                and text[end + 1 : end + 2].isdigit()
            ):
                continue  # part of a dashed version or range: 1.2.3.4-5
            clause = text[max(0, start - 48) : start]
            low = clause.lower()
            if (
                "ver" in low
                or "grad" in low
                or "updat" in low
                or "install" in low
                or "bump" in low
                or "releas" in low
                or "firmware" in low
                or "package" in low
                or "rollback" in low
            ):
                cut = max(clause.rfind(ch) for ch in '"=,;()[]|/')
                if _VERSION_NEARBY.search(clause, cut + 1) and (
                    not _IP_WORDS.search(before)
                ):
                    continue
            add(Candidate("ip", start, m.end(), value, 70))

    def _ipv6(self, text: str, add: Callable[[Candidate], None]) -> None:
        for m in _IPV6.finditer(text):
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

    def _ahv(self, text: str, add: Callable[[Candidate], None]) -> None:
        for m in _AHV.finditer(text):
            digits = re.sub(r"\D", "", m.group(0))
            if not ean13_ok(digits):
                continue
            before = text[max(0, m.start() - 24) : m.start()]
            if _GTIN_CONTEXT.search(before):
                continue  # a product's GTIN (GS1 prefix 756 is Mexico's)
            add(Candidate("ahv", m.start(), m.end(), digits, 85))

    def _ibans(self, text: str, add: Callable[[Candidate], None]) -> None:
        for m in _IBAN.finditer(text):
            country = m.group("cc")
            length = _IBAN_LENGTH.get(country)
            if length is None:
                continue
            raw = m.group(0)
            compact = raw.replace(" ", "")
            if len(compact) < length:
                continue
            if len(compact) > length:
                # drop trailing characters beyond the country's length
                kept = 0
                cut = 0
                for i, ch in enumerate(raw):
                    if ch != " ":
                        kept += 1
                        if kept == length:
                            cut = i + 1
                            break
                if cut < len(raw) and raw[cut] != " ":
                    continue
                raw = raw[:cut]
                compact = raw.replace(" ", "")
            if iban_ok(compact):
                add(
                    Candidate(
                        "iban", m.start(), m.start() + len(raw), compact, 85
                    )
                )

    def _cards(self, text: str, add: Callable[[Candidate], None]) -> None:
        for m in _CARD.finditer(text):
            raw = m.group(0)
            seps = {ch for ch in raw if not ch.isdigit()}
            if len(seps) > 1:
                continue
            digits = raw if not seps else re.sub(r"\D", "", raw)
            if not 12 <= len(digits) <= 19:
                continue
            if seps:
                groups = re.split(r"[ \-.]", raw)
                if len(groups) < 3 or any(len(g) < 3 for g in groups[:-1]):
                    continue
            if not luhn_ok(digits):
                continue
            before = text[max(0, m.start() - 40) : m.start()]
            card_context = _CARD_CONTEXT.search(before) is not None
            if not card_brand_ok(digits) and not (
                card_context and _MAESTRO_LIKE.match(digits)
            ):
                continue
            if _ID_CONTEXT.search(before[-24:]) and not card_context:
                continue
            add(Candidate("payment_card", m.start(), m.end(), digits, 80))

    def _phones(self, text: str, add: Callable[[Candidate], None]) -> None:  # noqa: C901, PLR0912
        pn = self._phonenumbers
        for m in _PHONE.finditer(text):
            raw = m.group(0).rstrip(".")
            if raw.endswith(")") and raw.count("(") < raw.count(")"):
                raw = raw[:-1]
            if _DATE_LIKE.match(raw):
                continue
            number_part = _EXTENSION.split(raw, 1)[0] if "x" in raw else raw
            digits = len(_NOT_DIGIT.sub("", number_part))
            if digits < 7 or digits > 15:
                continue
            if digits == 13 and raw.startswith("756"):
                continue  # an AHV number, valid or not
            start = m.start()
            if (
                start >= 2
                and (
                    # the seconds of a time, 12:30:05.123456
                    (text[start - 1] == ":" and text[start - 2].isdigit())
                    # part of a longer run of digit groups (IBAN, card, id)
                    or (
                        text[start - 1] in " -."
                        and (
                            text[start - 2].isdigit()
                            or text[max(0, start - 5) : start - 1].isupper()
                        )
                    )
                )
            ):
                continue
            first = raw[0]
            international = first == "+" or raw.startswith("00")
            national = not international and raw.lstrip("(")[0] == "0"
            nanp = (
                not international
                and not national
                and _NANP.fullmatch(number_part) is not None
                and not raw.isdigit()
            )
            end = start + len(raw)
            if _UNIT_AFTER.match(text, end):
                continue  # 987654321 bytes, 1234567 ms
            before = text[max(0, start - 48) : start]
            context = None
            if not (international or national or nanp):
                # a national number without trunk prefix, or digits only:
                # only where the text says so, close by
                context = _PHONE_CONTEXT.search(before[-28:]) is not None
                if not context:
                    continue
            if _ID_CONTEXT.search(before[-24:]):
                continue
            number = None
            if international:
                # any number the numbering plan allows
                number = _parse_phone(pn, raw, self._region, possible=True)
            elif nanp:
                # North American shape: (451) 983-6121, 812-341-6336
                number = _parse_phone(pn, raw, "US", possible=True)
            else:
                for region in self._phone_regions:
                    number = _parse_phone(pn, raw, region)
                    if number is not None:
                        break
                if number is None and national:
                    if context is None:
                        context = _PHONE_CONTEXT.search(before) is not None
                    if context:
                        number = _parse_phone(
                            pn, raw, self._region, possible=True
                        )
                if number is None and raw.isdigit() and len(raw) == 10:
                    number = _parse_phone(pn, raw, "US", possible=True)
            if number is None:
                continue
            canonical = pn.format_number(number, pn.PhoneNumberFormat.E164)
            add(Candidate("phone", start, start + len(raw), canonical, 60))

    def _names(
        self,
        text: str,
        found: list[Candidate],
        add: Callable[[Candidate], None],
    ) -> None:
        for m in _NAME_CAND.finditer(text):
            # The run may start before the name ("WARN Versicherter Max
            # Muster"): try each word as the start.
            words = list(_WORD.finditer(m.group(0)))
            for j in range(len(words) - 1):
                if j and words[j - 1].group(0).lower().rstrip(":=,") not in (
                    _CAPITAL_TRIGGERS
                ):
                    continue  # inside the run, only after a trigger word
                start = m.start() + words[j].start()
                if self._name_at(text, start, words, j, found, add):
                    break
        if (
            text.count(",") >= 2
            and ", " not in text
            and "{" not in text
            and any(c.type in _CSV_ANCHORS for c in found)
        ):
            self._csv_names(text, add)

    @staticmethod
    def _name_at(
        text: str,
        start: int,
        words: list[re.Match[str]],
        j: int,
        found: list[Candidate],
        add: Callable[[Candidate], None],
    ) -> bool:
        window = max(0, start - 48)
        before = text[window:start]
        if before.endswith((" ", "\t")):
            last = before.rstrip()
            last = last[
                max(last.rfind(" "), last.rfind("("), last.rfind("=")) + 1 :
            ]
            if last in _LOWER_TITLES:
                before = before[: before.rfind(last)]
        if not _NAME_BEFORE.search(before):
            paren = window + len(before) - 1
            if before.endswith("(") and any(
                0 <= paren - c.end <= 1 for c in found
            ):
                bare = None  # "CH93 0076 2011 6238 5295 7 (Anna Meier)"
            else:
                bare = _BARE_PREP.search(before)
                if bare is None:
                    return False
            # "... 756.1234.5678.97 for Anna Meier": a preposition right
            # after other personal data introduces its owner.
            prep = window + (bare.start() if bare else 0)
            if (
                bare is not None
                and bare.group("num") is None
                and not any(0 <= prep - c.end <= 3 for c in found)
            ):
                return False
        tokens = [w.group(0) for w in words[j:]]
        n = _name_tokens_ok(tokens, single=False)
        if not n:
            return False
        cursor = start
        for tok in tokens[:n]:
            cursor = text.find(tok, cursor) + len(tok)
        end = cursor
        if text[end - 1] == "." and text[end - 3 : end - 2] != " ":
            end -= 1  # a full stop, not an initial
        name = " ".join(text[start:end].split())
        add(Candidate("person_name", start, end, name.lower(), 50))
        return True

    @staticmethod
    def _csv_names(text: str, add: Callable[[Candidate], None]) -> None:
        """Name columns of a CSV row that also holds contact data."""
        for m in _CSV_FIELD.finditer(text):
            value = m.group(1)
            tokens = value.split()
            if not 2 <= len(tokens) <= 4 or any(ch.isdigit() for ch in value):
                continue
            if _name_tokens_ok(tokens, single=False) == len(tokens):
                start = m.start(1)
                add(
                    Candidate(
                        "person_name", start, m.end(1), value.lower(), 50
                    )
                )


def field_kind(key: str) -> str | None:
    """The finding type a field named *key* holds, if its name says so."""
    norm = key.lower().replace("-", "_")
    kind = Detector._classify_key(norm)  # noqa: SLF001
    if kind == "auth":
        return "secret_param"
    if kind is None and norm in _EMAIL_KEYS:
        return "email"
    return kind


def _parse_ipv6(value: str) -> ipaddress.IPv6Address | None:
    try:
        return ipaddress.IPv6Address(value)
    except ValueError:
        return None


def _parse_phone(
    pn: Any, raw: str, region: str, *, possible: bool = False
) -> Any:
    try:
        number = pn.parse(raw, region)
    except pn.NumberParseException:
        return None
    if possible:
        ok = pn.is_possible_number(number)
    else:
        ok = pn.is_valid_number(number)
    return number if ok else None


_by_start = operator.attrgetter("start")


def _resolve(found: list[Candidate]) -> list[Candidate]:
    """Keep the strongest of overlapping candidates, in text order."""
    if len(found) == 1:
        return found
    found.sort(key=_by_start)
    for a, b in itertools.pairwise(found):
        if b.start < a.end:
            break
    else:
        return found  # nothing overlaps
    found.sort(key=lambda c: (-c.priority, c.start, c.start - c.end))
    kept: list[Candidate] = []
    for c in found:
        if all(c.end <= k.start or k.end <= c.start for k in kept):
            kept.append(c)
    kept.sort(key=lambda c: c.start)
    return kept

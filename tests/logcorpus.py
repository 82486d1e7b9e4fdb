"""A second, independent evaluation corpus: labelled lines of real daemons.

Written apart from the development sample (``tests/vectors/pii``): its own
names, values and message shapes, seeded, so that a detector tuned on the
sample is measured on lines it has never seen.  The shapes follow each
program's own documentation and source: OpenSSH ``sshd`` auth messages,
nginx and Apache combined access logs (and nginx ``escape=json``),
HAProxy's ``option httplog`` line, Postfix ``smtpd``/``qmgr``/``smtp``,
``journalctl -o export`` fields, Kubernetes/Docker ``json-file`` lines,
Django ``runserver``/``django.request``, Rails ``Started``/``Parameters``,
Java stack traces, and SQL parameter-binding lines of Hibernate, Rails
(ActiveRecord) and PostgreSQL.

Each record is ``{"text", "source", "spans": [[start, end, type]],
"decoys": [[start, end, kind]]}``, the format of
:func:`pii_scoring.score`.  Decoys are look-alikes that must stay: order
numbers, timestamps, versions, hashes, UUIDs, ports, loopback addresses.

``python tests/logcorpus.py [N]`` prints N records as JSON lines.
"""

from __future__ import annotations

import base64
import json
import random
import sys
import uuid

from collections.abc import Callable
from typing import Any
from urllib.parse import quote, quote_plus


SEED = 20261207

FIRST = [
    "Léa", "Noah", "Mia", "Luca", "Elin", "Jonas", "Chiara", "Matteo",
    "Zoé", "Gabriel", "Lina", "Elias", "Giulia", "Leon", "Amélie", "Nils",
    "Sofia", "Maximilian", "Valentina", "Julien", "Emma", "Oliver",
    "Charlotte", "Henry", "Aurélie", "Timo", "Francesca", "Lorenzo",
    "Hannah", "Samuel", "Margaux", "Fabian", "Alessia", "Yannick",
    "Olivia", "George", "Ines", "Benedikt", "Martina", "Théo",
]  # fmt: skip
LAST = [
    "Brunner", "Baumgartner", "Rochat", "Bernasconi", "Keller", "Favre",
    "Gerber", "Zanetti", "Hofmann", "Lehmann", "Morel", "Ferrari",
    "Schneider", "Dubois", "Romano", "Wagner", "Thompson", "Walker",
    "Clarke", "Fischer", "Bonvin", "Huber", "Marchetti", "Girard",
    "Steiner", "Colombo", "Lambert", "Zimmermann", "Evans", "Hughes",
    "Brüder", "Müller", "Égli", "Amstutz", "Caduff", "Crivelli",
]  # fmt: skip
DOMAINS = [
    "example.ch", "mail.example.org", "bluewin.ch", "gmx.de", "orange.fr",
    "libero.it", "outlook.com", "proton.me", "hospital-zh.ch", "uni.example.edu",
]  # fmt: skip
PATHS = ["/account", "/api/v2/users", "/checkout", "/signup", "/login"]
UA = [
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "curl/8.5.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Version/17.5",
]


class Line:
    """A line under construction, with its labelled spans and decoys."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.parts: list[str] = []
        self.pos = 0
        self.spans: list[list[Any]] = []
        self.decoys: list[list[Any]] = []

    def t(self, text: str) -> Line:
        """Plain text."""
        self.parts.append(text)
        self.pos += len(text)
        return self

    def v(self, text: str, kind: str) -> Line:
        """A labelled value."""
        self.spans.append([self.pos, self.pos + len(text), kind])
        return self.t(text)

    def d(self, text: str, kind: str) -> Line:
        """A decoy."""
        self.decoys.append([self.pos, self.pos + len(text), kind])
        return self.t(text)

    def record(self) -> dict[str, Any]:
        """The finished record."""
        return {
            "text": "".join(self.parts),
            "source": self.source,
            "spans": self.spans,
            "decoys": self.decoys,
        }


# -- values -----------------------------------------------------------------


def luhn_complete(r: random.Random, prefix: str, length: int) -> str:
    """*prefix* padded with random digits to *length*, Luhn-valid."""
    body = prefix + "".join(
        r.choice("0123456789") for _ in range(length - len(prefix) - 1)
    )
    for check in "0123456789":
        digits = body + check
        total = 0
        for i, ch in enumerate(reversed(digits)):
            d = int(ch) * (2 if i % 2 else 1)
            total += d - 9 if d > 9 else d
        if total % 10 == 0:
            return digits
    raise AssertionError  # pragma: no cover - one check digit always fits


CARD_BRANDS = [
    ("4", (13, 16, 19)),  # Visa
    ("34", (15,)), ("37", (15,)),  # Amex
    ("36", (14,)), ("3056", (14,)),  # Diners
    ("6759", (12, 13, 16, 18, 19)), ("5018", (12, 16, 19)),  # Maestro
    ("62", (16, 17, 18, 19)),  # UnionPay
    ("3530", (16, 19)),  # JCB
    ("6011", (16, 19)), ("65", (16,)),  # Discover
    ("2221", (16,)), ("2720", (16,)), ("51", (16,)), ("55", (16,)),
]  # fmt: skip


def card(r: random.Random) -> str:
    prefix, lengths = r.choice(CARD_BRANDS)
    digits = luhn_complete(r, prefix, r.choice(lengths))
    style = r.random()
    if style < 0.5 or len(digits) not in (15, 16, 19):
        return digits
    sep = r.choice(" -.")
    if len(digits) == 15:
        return sep.join((digits[:4], digits[4:10], digits[10:]))
    return sep.join(digits[i : i + 4] for i in range(0, len(digits), 4))


IBAN_SHAPES = {"CH": "5n12c", "DE": "18n", "FR": "10n11c2n", "IT": "1a10n12c"}


def iban(r: random.Random) -> str:
    country, shape = r.choice(list(IBAN_SHAPES.items()))
    bban = ""
    i = 0
    while i < len(shape):
        j = i
        while shape[j].isdigit():
            j += 1
        n, kind = int(shape[i:j]), shape[j]
        alphabet = {
            "n": "0123456789",
            "a": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            "c": "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        }[kind]
        bban += "".join(r.choice(alphabet) for _ in range(n))
        i = j + 1
    moved = bban + country + "00"
    check = 98 - int("".join(str(int(ch, 36)) for ch in moved)) % 97
    compact = f"{country}{check:02d}{bban}"
    if r.random() < 0.5:
        return compact
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def ahv(r: random.Random) -> str:
    body = "756" + "".join(r.choice("0123456789") for _ in range(9))
    total = sum(int(ch) * (3 if i % 2 else 1) for i, ch in enumerate(body))
    digits = body + str((10 - total % 10) % 10)
    if r.random() < 0.7:
        return f"{digits[:3]}.{digits[3:7]}.{digits[7:11]}.{digits[11:]}"
    return digits


def jwt(r: random.Random) -> str:
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    head = b64(b'{"alg":"RS256","typ":"JWT","kid":"k%d"}' % r.randrange(9))
    body = b64(
        json.dumps({"sub": str(r.randrange(10**6)), "exp": 1.8e9}).encode()
    )
    sig = b64(r.randbytes(r.choice((32, 64))))
    return f"{head}.{body}.{sig}"


def ipv4(r: random.Random) -> str:
    first = r.choice([203, 198, 81, 85, 151, 178, 195, 46, 92, 212, 10, 172])
    return (
        f"{first}.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}"
    )


def ipv6(r: random.Random) -> str:
    head = r.choice(["2001:db8", "2a02:1210", "2a01:4f8", "2600:1f18"])
    tail = ":".join(f"{r.randrange(65536):x}" for _ in range(r.choice((2, 4))))
    return f"{head}:{tail}" if tail.count(":") == 5 else f"{head}::{tail}"


def ip(r: random.Random) -> str:
    return ipv6(r) if r.random() < 0.2 else ipv4(r)


def person(r: random.Random) -> tuple[str, str]:
    return r.choice(FIRST), r.choice(LAST)


def email_of(r: random.Random, first: str, last: str) -> str:
    local = r.choice(
        [
            f"{first}.{last}",
            f"{first[0]}{last}",
            f"{last}{r.randrange(99)}",
            f"{first}+shop",
        ]
    )
    plain = local.lower().translate(str.maketrans("éèàüöäç", "eeauoac"))
    return f"{plain}@{r.choice(DOMAINS)}"


def token(r: random.Random) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    prefix = r.choice(["sk_live_", "ghp_", "glpat-", "xoxb-"])
    return prefix + "".join(r.choice(alphabet) for _ in range(36))


def password(r: random.Random) -> str:
    alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!$"
    return "".join(r.choice(alphabet) for _ in range(r.randrange(10, 18)))


def phone(r: random.Random) -> str:
    return r.choice(
        [
            (
                f"+41 7{r.choice('5689')} {r.randrange(100, 999)} "
                f"{r.randrange(10, 99)} {r.randrange(10, 99)}"
            ),
            f"+49 30 {r.randrange(1000000, 9999999)}",
            (
                f"+33 6 {r.randrange(10, 99)} {r.randrange(10, 99)} "
                f"{r.randrange(10, 99)} {r.randrange(10, 99)}"
            ),
        ]
    )


# -- decoys -----------------------------------------------------------------


def decoy(r: random.Random, *, version: bool = False) -> tuple[str, str]:
    """A look-alike value and its kind (a dotted version only if asked)."""
    kinds = [
        "order", "epoch_ms", "sha1", "uuid", "port", "loopback",
        "request_id", "build", "duration",
    ]  # fmt: skip
    kind = r.choice([*kinds, "version"] if version else kinds)
    value = {
        "order": lambda: (
            f"ORD-{r.randrange(2020, 2027)}-{r.randrange(10**7):07d}"
        ),
        "epoch_ms": lambda: str(
            r.randrange(1_600_000_000_000, 1_800_000_000_000)
        ),
        "version": lambda: ".".join(str(r.randrange(30)) for _ in range(4)),
        "sha1": lambda: r.randbytes(20).hex(),
        "uuid": lambda: str(uuid.UUID(int=r.getrandbits(128))),
        "port": lambda: str(r.randrange(1024, 65536)),
        "loopback": lambda: r.choice(["127.0.0.1", "::1", "0.0.0.0"]),
        "request_id": lambda: r.randbytes(8).hex(),
        "build": lambda: str(r.randrange(10**15, 10**16)),
        "duration": lambda: f"{r.randrange(100000, 9999999)}",
    }[kind]()
    return value, kind


# -- shapes -------------------------------------------------------------------

MONTHS = [
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
]


def _syslog_head(r: random.Random, prog: str) -> str:
    return (
        f"{r.choice(MONTHS)} {r.randrange(1, 29):2d} "
        f"{r.randrange(24):02d}:{r.randrange(60):02d}:{r.randrange(60):02d} "
        f"web{r.randrange(1, 9)} {prog}[{r.randrange(300, 99999)}]: "
    )


def sshd(r: random.Random) -> dict[str, Any]:
    line = Line("openssh").t(_syslog_head(r, "sshd"))
    user = r.choice(["deploy", "root", "admin", "git", "ubuntu", "backup"])
    shape = r.randrange(6)
    if shape == 0:
        line.t(f"Connection closed by invalid user {user} ")
    elif shape == 1:
        line.t(f"Failed password for invalid user {user} from ")
    elif shape == 2:
        line.t(f"Accepted publickey for {user} from ")
    elif shape == 3:
        line.t(f"Disconnected from authenticating user {user} ")
    elif shape == 4:
        line.t("Received disconnect from ")
    else:
        line.t(f"Connection closed by authenticating user {user} ")
    line.v(ip(r), "ip").t(" port ").d(str(r.randrange(1024, 65536)), "port")
    if shape == 4:
        line.t(":11: disconnected by user")
    elif shape in (1, 2):
        line.t(" ssh2")
        if shape == 2:
            line.t(": ED25519 SHA256:").d(
                base64.b64encode(r.randbytes(32)).decode().rstrip("="),
                "fingerprint",
            )
    else:
        line.t(" [preauth]")
    return line.record()


def _query(r: random.Random, line: Line) -> None:
    """A query string with percent-encoded personal data."""
    first, last = person(r)
    kind = r.randrange(4)
    if kind == 0:
        line.t("?email=").v(quote(email_of(r, first, last), safe=""), "email")
    elif kind == 1:
        line.t("?name=").v(quote_plus(f"{first} {last}"), "person_name")
        line.t("&ref=").d(decoy(r)[0], "order")
    elif kind == 2:
        line.t("?card=").v(card(r).replace(" ", "+"), "payment_card")
    else:
        line.t("?token=").v(token(r), "api_key").t("&v=").d(
            "2.14.0.1", "version"
        )


def _time_http(r: random.Random) -> str:
    return (
        f"[{r.randrange(1, 29):02d}/{r.choice(MONTHS)}/2026:"
        f"{r.randrange(24):02d}:{r.randrange(60):02d}:{r.randrange(60):02d} +0100]"
    )


def access_combined(r: random.Random) -> dict[str, Any]:
    source = r.choice(["nginx", "apache"])
    line = Line(source).v(ip(r), "ip").t(" - ")
    if r.random() < 0.3:
        first, last = person(r)
        line.v(email_of(r, first, last), "email")
    else:
        line.t("-")
    line.t(f' {_time_http(r)} "GET {r.choice(PATHS)}')
    _query(r, line)
    line.t(f' HTTP/1.1" {r.choice([200, 302, 404])} ')
    line.d(str(r.randrange(200, 99999)), "bytes")
    line.t(f' "-" "{r.choice(UA)}"')
    return line.record()


def nginx_json(r: random.Random) -> dict[str, Any]:
    first, last = person(r)
    line = Line("nginx-json").t('{"time":"2026-12-07T10:')
    line.t(f'{r.randrange(10, 59)}:00+01:00","remote_addr":"').v(ip(r), "ip")
    line.t('","request":"POST \\/api\\/v2\\/users?email=')
    addr = email_of(r, first, last)
    line.v(addr.replace("@", "\\u0040"), "email")
    line.t('","status":201,"request_id":"').d(decoy(r)[0], "request_id")
    line.t('"}')
    return line.record()


def haproxy(r: random.Random) -> dict[str, Any]:
    # IPv4 only: HAProxy writes an IPv6 client as "2001:db8::1:port"
    line = Line("haproxy").t(_syslog_head(r, "haproxy")).v(ipv4(r), "ip")
    line.t(":").d(str(r.randrange(1024, 65536)), "port")
    line.t(
        " [07/Dec/2026:10:12:14.655] https-in~ app/srv1 10/0/30/69/109 200 "
    )
    line.t("2750 - - ---- 1/1/1/1/0 0/0 {")
    first, last = person(r)
    line.t("shop.example.ch|").v(ip(r), "ip").t('} "GET /order')
    line.t("?customer=").v(quote(email_of(r, first, last), safe=""), "email")
    line.t(' HTTP/1.1"')
    return line.record()


def postfix(r: random.Random) -> dict[str, Any]:
    first, last = person(r)
    shape = r.randrange(4)
    queue_id = "".join(r.choice("0123456789ABCDEF") for _ in range(10))
    if shape == 0:
        line = Line("postfix").t(_syslog_head(r, "postfix/smtpd"))
        line.t("NOQUEUE: reject: RCPT from unknown[").v(ip(r), "ip")
        line.t("]: 554 5.7.1 <").v(email_of(r, first, last), "email")
        line.t(">: Relay access denied; from=<")
        line.v(email_of(r, *person(r)), "email")
        line.t("> to=<").v(email_of(r, first, last), "email")
        line.t("> proto=ESMTP helo=<mail.example.net>")
    elif shape == 1:
        line = Line("postfix").t(_syslog_head(r, "postfix/smtpd"))
        line.d(queue_id, "queue_id").t(": client=mail.example.net[").v(
            ip(r), "ip"
        )
        line.t("], sasl_method=PLAIN, sasl_username=")
        line.v(email_of(r, first, last), "email")
    elif shape == 2:
        line = Line("postfix").t(_syslog_head(r, "postfix/qmgr"))
        line.d(queue_id, "queue_id").t(": from=<")
        line.v(email_of(r, first, last), "email")
        line.t(f">, size={r.randrange(900, 90000)}, nrcpt=1 (queue active)")
    else:
        line = Line("postfix").t(_syslog_head(r, "postfix/smtp"))
        line.d(queue_id, "queue_id").t(": to=<")
        line.v(email_of(r, first, last), "email")
        line.t(">, relay=mx.example.org[").v(ip(r), "ip")
        line.t(
            "]:25, delay=0.41, delays=0.1/0/0.2/0.1, dsn=2.0.0, status=sent"
        )
    return line.record()


def journald(r: random.Random) -> dict[str, Any]:
    first, last = person(r)
    field = r.randrange(4)
    line = Line("journald")
    if field == 0:
        line.t("MESSAGE=Failed password for ").t("root from ").v(ip(r), "ip")
        line.t(" port ").d(str(r.randrange(1024, 65536)), "port").t(" ssh2")
    elif field == 1:
        line.t("MESSAGE=pam_unix(sudo:auth): authentication failure; ruser=")
        line.t(" rhost=").v(ip(r), "ip").t(" user=deploy")
    elif field == 2:
        line.t("_BOOT_ID=").d(r.randbytes(16).hex(), "boot_id")
    else:
        line.t("MESSAGE=Sending receipt to ").v(
            f"{first} {last}", "person_name"
        )
        line.t(" <").v(email_of(r, first, last), "email").t(">")
    return line.record()


def kubernetes(r: random.Random) -> dict[str, Any]:
    first, last = person(r)
    line = Line("kubernetes").t('{"log":"')
    shape = r.randrange(3)
    if shape == 0:
        line.t("INFO payment authorised card=").v(card(r), "payment_card")
        line.t(' holder=\\"').v(f"{first} {last}", "person_name").t('\\"')
    elif shape == 1:
        line.t("user ").v(
            email_of(r, first, last).replace("@", "\\u0040"), "email"
        )
        line.t(" logged in from ").v(ip(r), "ip")
    else:
        line.t("iban=").v(iban(r), "iban").t(" for customer ")
        line.v(f"{first} {last}", "person_name")
    line.t('\\n","stream":"stdout","time":"2026-12-07T10:11:12.')
    line.d(str(r.randrange(10**8, 10**9)), "nanos").t('Z"}')
    return line.record()


def django(r: random.Random) -> dict[str, Any]:
    first, last = person(r)
    if r.random() < 0.5:
        line = Line("django").t(f"[07/Dec/2026 10:{r.randrange(10, 59)}:01] ")
        line.t('"GET /accounts/reset/?email=')
        line.v(quote(email_of(r, first, last), safe=""), "email")
        line.t(f' HTTP/1.1" 302 {r.randrange(0, 999)}')
    else:
        line = Line("django").t(
            "WARNING django.request: Forbidden (CSRF token "
        )
        line.t("missing.): /checkout/ user_id=").d(
            str(r.randrange(10**6)), "id"
        )
        line.t(" ahv=").v(ahv(r), "ahv")
    return line.record()


def rails(r: random.Random) -> dict[str, Any]:
    first, last = person(r)
    if r.random() < 0.5:
        line = Line("rails").t('Started POST "/users?utf8=%E2%9C%93" for ')
        line.v(ip(r), "ip").t(" at 2026-12-07 10:11:12 +0100")
    else:
        line = Line("rails").t('  Parameters: {"user"=>{"first_name"=>"')
        line.v(first, "person_name").t('", "last_name"=>"').v(
            last, "person_name"
        )
        line.t('", "email"=>"').v(email_of(r, first, last), "email")
        line.t('", "password"=>"[FILTERED]"}, "commit"=>"Save"}')
    return line.record()


def java(r: random.Random) -> dict[str, Any]:
    first, last = person(r)
    shape = r.randrange(3)
    line = Line("java")
    if shape == 0:
        line.t(
            "com.example.shop.CustomerNotFoundException: No customer with email "
        )
        line.v(email_of(r, first, last), "email")
    elif shape == 1:
        line.t(
            "\tat com.example.shop.PaymentService.charge(PaymentService.java:"
        )
        line.d(str(r.randrange(40, 900)), "line_no").t(")")
    else:
        line.t("Caused by: java.lang.IllegalStateException: IBAN ")
        line.v(iban(r), "iban").t(" rejected for account of ")
        line.v(f"{first} {last}", "person_name")
    return line.record()


def sql(r: random.Random) -> dict[str, Any]:
    first, last = person(r)
    shape = r.randrange(3)
    line = Line("sql")
    if shape == 0:
        line.t("TRACE o.h.t.d.s.BasicBinder - binding parameter [")
        line.d(str(r.randrange(1, 9)), "index").t("] as [VARCHAR] - [")
        line.v(email_of(r, first, last), "email").t("]")
    elif shape == 1:
        line.t('  User Create (0.4ms)  INSERT INTO "users" ("name", "email") ')
        line.t('VALUES ($1, $2)  [["name", "').v(
            f"{first} {last}", "person_name"
        )
        line.t('"], ["email", "').v(email_of(r, first, last), "email").t('"]]')
    else:
        line.t("DETAIL:  parameters: $1 = '").v(card(r), "payment_card")
        line.t("', $2 = '").d(decoy(r)[0], "order").t("'")
    return line.record()


def prose(r: random.Random) -> dict[str, Any]:
    """Application messages in en/de/fr/it with cue words and headers."""
    first, last = person(r)
    shape = r.randrange(6)
    line = Line("app")
    if shape == 0:
        line.t("mail queued: From: ").v(f"{first} {last}", "person_name")
        line.t(" <").v(email_of(r, first, last), "email").t(">")
    elif shape == 1:
        line.t("Rechnung für ").v(f"{first} {last}", "person_name")
        line.t(" erstellt, Bestellung ").d(decoy(r)[0], "order")
    elif shape == 2:
        line.t("Sehr geehrte Frau ").v(last, "person_name")
        line.t(", Ihre Zahlung ist eingegangen")
    elif shape == 3:
        line.t("Dear ").v(f"{first} {last}", "person_name")
        line.t(", your card ending ").d(str(r.randrange(1000, 9999)), "last4")
    elif shape == 4:
        line.t("contrat de ").v(f"{first} {last}", "person_name")
        line.t(" signé, version ").d(decoy(r, version=True)[0], "version")
    else:
        line.t("bonifico di ").v(f"{first} {last}", "person_name")
        line.t(" ricevuto tel. ").v(phone(r), "phone")
    return line.record()


def headers(r: random.Random) -> dict[str, Any]:
    """Request headers as an API gateway or a debug log writes them."""
    line = Line("headers")
    shape = r.randrange(3)
    if shape == 0:
        line.t("DEBUG request headers: Authorization: Bearer ").v(
            jwt(r), "jwt"
        )
        line.t(" X-Request-Id: ").d(decoy(r)[0], "request_id")
    elif shape == 1:
        line.t('{"level":"info","msg":"upstream","authorization":"Bearer ')
        line.v(jwt(r), "jwt").t('","x_forwarded_for":"').v(ipv4(r), "ip")
        line.t('"}')
    else:
        line.t("Set-Cookie: id_token=").v(jwt(r), "jwt")
        line.t("; Path=/; HttpOnly; Max-Age=").d(
            str(r.randrange(60, 9999)), "ttl"
        )
    return line.record()


def decoys_only(r: random.Random) -> dict[str, Any]:
    """A line that holds only look-alikes."""
    line = Line("decoy").t("job finished ")
    for _ in range(r.randrange(2, 5)):
        value, kind = decoy(r, version=True)
        line.t(f"{kind}=").d(value, kind).t(" ")
    return line.record()


SHAPES: list[Callable[[random.Random], dict[str, Any]]] = [
    sshd, access_combined, nginx_json, haproxy, postfix, journald,
    kubernetes, django, rails, java, sql, prose, headers, decoys_only,
]  # fmt: skip


def generate(n: int = 10_500, *, seed: int = SEED) -> list[dict[str, Any]]:
    """*n* labelled records, the same for the same *seed*."""
    r = random.Random(seed)
    return [SHAPES[i % len(SHAPES)](r) for i in range(n)]


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_500
    for record in generate(count):
        print(json.dumps(record, ensure_ascii=False))

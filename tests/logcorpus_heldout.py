"""A held-out evaluation corpus of labelled log lines (issue #19).

Written independently of ``tests/logcorpus.py`` (the development set the
detector was tuned on) and of the detector itself: the message shapes come
from the daemons' own documentation and source (OpenSSH ``auth.c``/``sshd``
messages, the nginx ``log_format combined`` and ``escape=json`` variables,
Apache's ``LogFormat`` and error-log layout, HAProxy's ``option httplog``
fields, Postfix ``smtpd``/``qmgr``/``smtp`` records, ``journalctl -o
export``/``-o json``, the Docker ``json-file`` driver and the CRI log
format, Django's ``runserver``/``django.request``/``django.db.backends``
lines, Rails' ``Rails::Rack::Logger`` and ``ActiveRecord`` lines, Java
``Throwable.printStackTrace``, Spring Boot's console layout, Hibernate's
``BasicBinder`` and PostgreSQL's ``log_statement``/``DETAIL: parameters``).
Names come from a hand-written list of names common in CH, DE, FR, IT, GB
and the US (not from Faker, which the detector's name list uses).

Same record format as ``tests/vectors/pii``: ``text``, ``spans`` (start,
end, type; end exclusive, code points) and ``decoys`` (start, end, kind).
Postal addresses are labelled ``postal_address``.
"""

from __future__ import annotations

import base64
import json
import random
import string

from typing import Any
from urllib.parse import quote


def _words(text: str) -> list[str]:
    return text.split()


FIRST = _words(
    "Anna Lukas Noah Mia Lea Elias Léa Chloé Mathieu Émilie Giulia Matteo "
    "Francesca Lorenzo Chiara Oliver Amelia Harry Isla George Olivia Liam "
    "Emma Ethan Sophia Jürgen Käthi Urs Reto Beat Corinne Nadine Thierry "
    "Géraldine Jean-Luc Marie-Claire Anne-Sophie Pierluigi Benedikt Sven "
    "Dominique Fabienne Yannick Séverine Ursula Heidi Rolf Marco Sandro "
    "Alessia Federica Giovanni Beatrice Niamh Callum Rhys Siobhan Jessica "
    "Tyler Madison Brandon Ashley Kayla Dylan Hannah Felix Jonas Leonie "
    "Maximilian Johanna Friedrich Hélène Baptiste Margaux Aurélien Zoé "
    "Samuele Ginevra Tommaso Ludovica Graham Fiona Declan Mary Patricia "
    "Robert Jennifer Michael Linda Gabriel Ines Simone Cédric Ramona"
)
LAST = _words(
    "Müller Meier Schmid Keller Weber Huber Schneider Fischer Brunner "
    "Baumann Gerber Frei Zimmermann Moser Graf Wyss Roth Bühler Bianchi "
    "Rossi Ferrari Colombo Romano Ricci Marino Greco Bernasconi Dubois "
    "Martin Bernard Favre Rochat Girard Morel Lefèvre Fontaine Schwarz "
    "Wagner Becker Hoffmann Schäfer Koch Richter Smith Jones Taylor Brown "
    "Williams Wilson Evans Thomas Johnson Davis Miller Garcia Rodriguez "
    "Anderson O'Connor McKenzie Lüthi Giger Häfliger Steiner Amstutz "
    "Bachmann Sutter Egli Kälin Rüegg Pellegrini Galli Lombardi Fumagalli "
    "Chevalier Mercier Blanc Guérin Leclerc Fournier Hughes Patel Khan "
    "Murphy Walsh Kowalski Nguyen Fitzgerald Okafor Castellano Hartmann"
)
PARTICLE_LAST = [
    "von Arx", "de Luca", "Dell'Acqua", "Le Roux", "van der Berg",
    "Müller-Lüdenscheidt", "de Montmollin", "di Stefano",
]  # fmt: skip
DOMAINS = [
    "gmx.ch", "bluewin.ch", "sunrise.ch", "web.de", "t-online.de",
    "orange.fr", "free.fr", "libero.it", "tiscali.it", "btinternet.com",
    "gmail.com", "outlook.com", "proton.me", "hotmail.co.uk", "yahoo.com",
    "mail.example.org", "kunden.shop-muster.ch", "hslu.ch", "ethz.ch",
]  # fmt: skip
TRANSLIT = str.maketrans(
    {
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "é": "e",
        "è": "e",
        "ë": "e",
        "ê": "e",
        "à": "a",
        "ç": "c",
        "ô": "o",
        "î": "i",
        "'": "",
        " ": "",
        "-": "",
    }
)
MONTHS = _words("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec")
HOSTS = ["web01", "edge-2", "gw-zrh-1", "app-7f9c", "mx1", "db-primary"]

# Postal addresses: (street line, postcode, town, shape) per country.
CH_STREETS = [
    "Bahnhofstrasse", "Seestrasse", "Dorfstrasse", "Kirchweg",
    "Rosengasse", "Marktplatz", "Schulhausstrasse", "Rue du Rhône",
    "Via Nassa", "Lindenhofweg", "Avenue de la Gare", "Chemin des Vignes",
]  # fmt: skip
CH_TOWNS = [
    ("8001", "Zürich"), ("3011", "Bern"), ("4051", "Basel"),
    ("1204", "Genève"), ("6900", "Lugano"), ("1003", "Lausanne"),
    ("6003", "Luzern"), ("9000", "St. Gallen"), ("8400", "Winterthur"),
    ("2502", "Biel/Bienne"), ("7000", "Chur"), ("1700", "Fribourg"),
]  # fmt: skip
DE_STREETS = [
    "Hauptstr.", "Goethestraße", "Schillerstraße", "Lindenweg",
    "Am Markt", "Bergstraße", "Kirchgasse", "Friedrichstraße",
    "Berliner Allee", "Mozartstr.", "Hafenplatz", "Eichendorffring",
]  # fmt: skip
DE_TOWNS = [
    ("10115", "Berlin"), ("80331", "München"), ("20095", "Hamburg"),
    ("50667", "Köln"), ("60311", "Frankfurt am Main"), ("70173", "Stuttgart"),
    ("04109", "Leipzig"), ("01067", "Dresden"), ("28195", "Bremen"),
]  # fmt: skip
FR_STREETS = [
    "rue de la Paix", "avenue Jean Jaurès", "boulevard Voltaire",
    "rue Victor Hugo", "chemin des Lilas", "place de la République",
    "allée des Tilleuls", "impasse du Moulin", "quai de la Tournelle",
    "bd Haussmann", "av. des Champs-Élysées", "route de Lyon",
]  # fmt: skip
FR_TOWNS = [
    ("75002", "Paris"), ("69007", "Lyon"), ("13001", "Marseille"),
    ("31000", "Toulouse"), ("33000", "Bordeaux"), ("67000", "Strasbourg"),
    ("44000", "Nantes"), ("59800", "Lille"), ("06000", "Nice"),
]  # fmt: skip
IT_STREETS = [
    "Via Roma", "Via Garibaldi", "Viale Monza", "Piazza Navona",
    "Corso Buenos Aires", "Via dei Mille", "Largo Augusto",
    "Vicolo del Cinque", "Via Giuseppe Verdi", "Piazzale Loreto",
]  # fmt: skip
IT_TOWNS = [
    ("00184", "Roma"), ("20122", "Milano"), ("10121", "Torino"),
    ("50123", "Firenze"), ("80133", "Napoli"), ("40121", "Bologna"),
    ("16121", "Genova"), ("30121", "Venezia"),
]  # fmt: skip
GB_STREETS = [
    "Downing Street", "Baker Street", "High Road", "Station Road",
    "Church Lane", "Victoria Avenue", "Mill Lane", "Park Drive",
    "Queen's Road", "Kings Way", "Green Close", "Oxford Street",
]  # fmt: skip
GB_TOWNS = [
    ("SW1A 2AA", "London"), ("NW1 6XE", "London"), ("M1 1AE", "Manchester"),
    ("B33 8TH", "Birmingham"), ("EH1 1YZ", "Edinburgh"), ("CF10 1EP", "Cardiff"),
    ("LS1 4DY", "Leeds"), ("BS1 5TR", "Bristol"), ("G2 3BZ", "Glasgow"),
    ("EC1A 1BB", "London"), ("W1A 0AX", "London"), ("CR2 6XH", "Croydon"),
]  # fmt: skip
US_STREETS = [
    "Pennsylvania Ave NW", "Fifth Avenue", "Main St", "Elm Street",
    "Oak Dr", "Sunset Blvd", "Maple Ave", "Market Street",
    "Lakeview Rd", "Washington Blvd", "Cedar Ln", "Broadway",
]  # fmt: skip
US_TOWNS = [
    ("Washington", "DC", "20500"), ("New York", "NY", "10118"),
    ("Springfield", "IL", "62701"), ("Austin", "TX", "78701"),
    ("San Francisco", "CA", "94103"), ("Seattle", "WA", "98101"),
    ("Boston", "MA", "02108"), ("Denver", "CO", "80202-1234"),
    ("Cupertino", "CA", "95014"), ("Chicago", "IL", "60601-7502"),
]  # fmt: skip

Span = list[Any]


class _Line:
    """Builds one record: text pieces with labelled spans and decoys."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.n = 0
        self.spans: list[Span] = []
        self.decoys: list[Span] = []

    def t(self, text: str) -> _Line:
        self.parts.append(text)
        self.n += len(text)
        return self

    def pii(self, text: str, kind: str) -> _Line:
        self.spans.append([self.n, self.n + len(text), kind])
        return self.t(text)

    def decoy(self, text: str, kind: str) -> _Line:
        self.decoys.append([self.n, self.n + len(text), kind])
        return self.t(text)

    def record(self) -> tuple[str, list[Span], list[Span]]:
        return "".join(self.parts), self.spans, self.decoys


# --------------------------------------------------------------- values


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def _luhn_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return str(-total % 10)


def name(rng: random.Random) -> str:
    last = (
        rng.choice(PARTICLE_LAST) if rng.random() < 0.1 else rng.choice(LAST)
    )
    return f"{rng.choice(FIRST)} {last}"


def email(rng: random.Random, who: str | None = None) -> str:
    first, _, last = (who or name(rng)).lower().partition(" ")
    first, last = first.translate(TRANSLIT), last.translate(TRANSLIT)
    local = rng.choice(
        [
            f"{first}.{last}", f"{first[0]}.{last}", f"{first}{last}",
            f"{last}.{first}", f"{first}_{last}{rng.randint(1, 99)}",
            f"{first}.{last}+{rng.choice(['shop', 'news', 'invoices'])}",
            rng.choice(["info", "noreply", "support", "billing"]),
        ]
    )  # fmt: skip
    return f"{local}@{rng.choice(DOMAINS)}"


def ipv4(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.2:
        return rng.choice(["192.0.2", "198.51.100", "203.0.113"]) + (
            f".{rng.randint(1, 254)}"
        )
    if kind < 0.4:
        return (
            rng.choice(
                [
                    f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}",
                    f"172.{rng.randint(16, 31)}.{rng.randint(0, 255)}",
                    f"192.168.{rng.randint(0, 255)}",
                ]
            )
            + f".{rng.randint(1, 254)}"
        )
    first = rng.choice([n for n in range(1, 224) if n not in (10, 127)])
    return f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def ipv6(rng: random.Random) -> str:
    groups = [f"{rng.randint(0, 0xFFFF):x}" for _ in range(8)]
    kind = rng.random()
    if kind < 0.3:
        return "2001:db8:" + ":".join(groups[2:4]) + "::" + groups[7]
    if kind < 0.5:
        return "fe80::" + ":".join(groups[4:])
    if kind < 0.6:
        return f"::ffff:{ipv4(rng)}"
    if kind < 0.8:
        return "2a02:" + ":".join(groups[1:])
    return ":".join(f"{int(g, 16):04x}" for g in ["2a01", *groups[1:]])


def ip(rng: random.Random) -> str:
    return ipv6(rng) if rng.random() < 0.25 else ipv4(rng)


CARD_SHAPES = [
    ("4", 16), ("4", 13), ("4", 19), ("51", 16), ("55", 16), ("2221", 16),
    ("2720", 16), ("34", 15), ("37", 15), ("36", 14), ("6011", 16),
    ("65", 16), ("3528", 16), ("3589", 16), ("62", 16), ("62", 19),
    ("6759", 12), ("5018", 18), ("6304", 19),
]  # fmt: skip


def card(rng: random.Random, *, broken: bool = False) -> str:
    prefix, length = rng.choice(CARD_SHAPES)
    body = prefix + _digits(rng, length - len(prefix) - 1)
    check = _luhn_digit(body)
    if broken:
        check = str((int(check) + rng.randint(1, 9)) % 10)
    number = body + check
    sep = rng.choice(["", "", " ", "-", " "])
    if not sep or length not in (15, 16):
        return number
    if length == 15:
        return sep.join([number[:4], number[4:10], number[10:]])
    return sep.join(number[i : i + 4] for i in range(0, 16, 4))


IBAN_BBAN = {
    "CH": lambda r: _digits(r, 5) + _digits(r, 12),
    "DE": lambda r: _digits(r, 18),
    "FR": lambda r: _digits(r, 23),
    "IT": lambda r: r.choice(string.ascii_uppercase) + _digits(r, 22),
    "GB": lambda r: (
        r.choice(["NWBK", "BARC", "HBUK", "LOYD"]) + _digits(r, 14)
    ),
    "AT": lambda r: _digits(r, 16),
    "NL": lambda r: r.choice(["ABNA", "INGB", "RABO"]) + _digits(r, 10),
    "ES": lambda r: _digits(r, 20),
}


def _iban_check(country: str, bban: str) -> int:
    moved = bban + country + "00"
    num = "".join(str(int(c, 36)) for c in moved)
    return 98 - int(num) % 97


def iban(rng: random.Random, *, broken: bool = False) -> str:
    country = rng.choice(list(IBAN_BBAN))
    bban = IBAN_BBAN[country](rng)
    check = _iban_check(country, bban)
    if broken:
        check = (check + rng.randint(1, 90)) % 97 + 2
        check = check if check != _iban_check(country, bban) else check + 1
    value = f"{country}{check:02d}{bban}"
    if rng.random() < 0.5:
        return " ".join(value[i : i + 4] for i in range(0, len(value), 4))
    return value


def _ean_digit(body: str) -> str:
    total = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body))
    return str(-total % 10)


def ahv(rng: random.Random, *, broken: bool = False) -> str:
    body = "756" + _digits(rng, 9)
    check = _ean_digit(body)
    if broken:
        check = str((int(check) + rng.randint(1, 9)) % 10)
    number = body + check
    if rng.random() < 0.7:
        return f"{number[:3]}.{number[3:7]}.{number[7:11]}.{number[11:]}"
    return number


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(rng: random.Random) -> str:
    alg = rng.choice(["HS256", "RS256", "ES256"])
    header = {"alg": alg, "typ": "JWT"}
    if alg != "HS256":
        header["kid"] = _digits(rng, 6)
    payload = {
        "sub": _digits(rng, 7),
        "iat": 1765000000 + rng.randint(0, 10**6),
        "exp": 1766000000,
        "scope": rng.choice(["read", "read write", "admin"]),
    }
    sig_len = {"HS256": 32, "RS256": 256, "ES256": 64}[alg]
    return ".".join(
        [
            _b64(json.dumps(header, separators=(",", ":")).encode()),
            _b64(json.dumps(payload, separators=(",", ":")).encode()),
            _b64(rng.randbytes(sig_len)),
        ]
    )


def _token(rng: random.Random, n: int, alphabet: str = "") -> str:
    alphabet = alphabet or string.ascii_letters + string.digits
    return "".join(rng.choice(alphabet) for _ in range(n))


def api_key(rng: random.Random) -> str:
    return rng.choice(
        [
            "sk_live_" + _token(rng, 24),
            "ghp_" + _token(rng, 36),
            "xoxb-" + _digits(rng, 12) + "-" + _token(rng, 24),
            "glpat-" + _token(rng, 20),
            _token(rng, 32, string.hexdigits[:16]),
        ]
    )


def password(rng: random.Random) -> str:
    return _token(
        rng, rng.randint(8, 16), string.ascii_letters + "0123456789!#%*"
    )


def phone(rng: random.Random) -> str:
    return rng.choice(
        [
            (
                f"+41 {rng.choice(['44', '31', '61', '79', '78', '76'])} "
                f"{rng.randint(200, 999)} {_digits(rng, 2)} {_digits(rng, 2)}"
            ),
            (
                f"0{rng.choice(['44', '79', '22'])} {rng.randint(200, 999)} "
                f"{_digits(rng, 2)} {_digits(rng, 2)}"
            ),
            f"+49 30 {rng.randint(2000000, 9999999)}",
            (
                f"+33 1 {_digits(rng, 2)} {_digits(rng, 2)} "
                f"{_digits(rng, 2)} {_digits(rng, 2)}"
            ),
            f"+39 06 {_digits(rng, 4)} {_digits(rng, 4)}",
            f"+44 20 7{_digits(rng, 3)} {_digits(rng, 4)}",
            (
                f"+1 {rng.choice(['212', '415', '617', '303'])} "
                f"{rng.randint(200, 999)} {_digits(rng, 4)}"
            ),
        ]
    )


def postal(rng: random.Random) -> tuple[str, str, str, str]:
    """(street and number, postcode, town, joined free-text form)."""
    country = rng.choice(["CH", "DE", "FR", "IT", "GB", "US"])
    n = str(rng.randint(1, 240))
    if country in ("CH", "DE"):
        streets, towns = (
            (CH_STREETS, CH_TOWNS)
            if country == "CH"
            else (DE_STREETS, DE_TOWNS)
        )
        street = rng.choice(streets)
        n += rng.choice(["", "", "", "a", "b"])
        zip_, town = rng.choice(towns)
        line = f"{n} {street}" if street[0].islower() else f"{street} {n}"
        return line, zip_, town, f"{line}, {zip_} {town}"
    if country == "FR":
        line = f"{n}{rng.choice(['', '', ' bis'])} {rng.choice(FR_STREETS)}"
        zip_, town = rng.choice(FR_TOWNS)
        return line, zip_, town, f"{line}, {zip_} {town}"
    if country == "IT":
        line = f"{rng.choice(IT_STREETS)} {n}"
        zip_, town = rng.choice(IT_TOWNS)
        return line, zip_, town, f"{line}, {zip_} {town}"
    if country == "GB":
        line = f"{n}{rng.choice(['', '', 'B'])} {rng.choice(GB_STREETS)}"
        zip_, town = rng.choice(GB_TOWNS)
        return line, zip_, town, f"{line}, {town} {zip_}"
    line = f"{rng.randint(1, 9999)} {rng.choice(US_STREETS)}"
    town, state, zip_ = rng.choice(US_TOWNS)
    return line, zip_, town, f"{line}, {town}, {state} {zip_}"


# --------------------------------------------------------------- decoys


def uuid(rng: random.Random) -> str:
    h = rng.randbytes(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def hexhash(rng: random.Random) -> str:
    return rng.randbytes(rng.choice([16, 20, 32])).hex()


def version(rng: random.Random) -> str:
    return rng.choice(
        [
            (
                f"{rng.randint(1, 20)}.{rng.randint(0, 9)}."
                f"{rng.randint(0, 30000)}.{rng.randint(0, 300)}"
            ),
            f"10.0.{rng.randint(10000, 22631)}.{rng.randint(1, 3000)}",
            (
                f"{rng.randint(90, 131)}.0.{rng.randint(4000, 6999)}"
                f".{rng.randint(10, 250)}"
            ),
        ]
    )


def order_id(rng: random.Random) -> str:
    return rng.choice(
        [
            f"ORD-{_digits(rng, 8)}",
            f"{rng.randint(2020, 2026)}-{_digits(rng, 6)}",
            "1" + _digits(rng, rng.choice([8, 9, 11, 15])),
            f"INV/{rng.randint(2020, 2026)}/{_digits(rng, 5)}",
        ]
    )


def epoch_ms(rng: random.Random) -> str:
    return str(1_700_000_000_000 + rng.randint(0, 10**11))


def iso_ts(rng: random.Random) -> str:
    return (
        f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T"
        f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:"
        f"{rng.randint(0, 59):02d}.{_digits(rng, 6)}Z"
    )


def loopback(rng: random.Random) -> str:
    return rng.choice(["127.0.0.1", "::1", "0.0.0.0", "127.0.1.1", "::"])


def masked_pan(rng: random.Random) -> str:
    return rng.choice(["4", "5", "37"]) + "*" * 8 + _digits(rng, 4)


def syslog_ts(rng: random.Random) -> str:
    return (
        f"{rng.choice(MONTHS)} {rng.randint(1, 28):2d} "
        f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:"
        f"{rng.randint(0, 59):02d}"
    )


def clf_ts(rng: random.Random) -> str:
    return (
        f"{rng.randint(1, 28):02d}/{rng.choice(MONTHS)}/2026:"
        f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:"
        f"{rng.randint(0, 59):02d} +0100"
    )


UAS = [
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/{v} Safari/537.36"
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) "
        "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15"
    ),
    "curl/8.5.0",
    "python-requests/2.31.0",
    "Go-http-client/2.0",
]


def _ua(line: _Line, rng: random.Random) -> None:
    ua = rng.choice(UAS)
    if "{v}" in ua:
        head, tail = ua.split("{v}")
        line.t(head).decoy(version(rng), "VERSION_DOTTED_QUAD").t(tail)
    else:
        line.t(ua)


def _query(line: _Line, rng: random.Random) -> None:
    """A request path whose query may carry personal data."""
    pick = rng.random()
    if pick < 0.25:
        line.t(rng.choice(["/login?next=/", "/static/app.css", "/"]))
    elif pick < 0.45:
        mail = email(rng)
        enc = mail.replace("@", "%40").replace("+", "%2B")
        line.t("/newsletter/subscribe?email=").pii(enc, "email")
        line.t("&lang=de")
    elif pick < 0.6:
        who = name(rng)
        enc = (
            who.replace(" ", "+")
            .replace("ü", "%C3%BC")
            .replace("é", "%C3%A9")
            .replace("ä", "%C3%A4")
            .replace("è", "%C3%A8")
            .replace("'", "%27")
        )
        line.t("/search/customers?name=").pii(enc, "person_name")
        line.t("&page=2")
    elif pick < 0.72:
        line.t("/api/v1/orders/").decoy(order_id(rng), "ORDER_ID")
        line.t("?access_token=").pii(api_key(rng), "api_key")
    elif pick < 0.86:
        line.t("/api/v2/items/").decoy(uuid(rng), "UUID")
    else:
        line.t("/reset?token=").pii(_token(rng, 40), "secret_param")


# ------------------------------------------------------------- sources


def openssh(rng: random.Random) -> _Line:
    line = _Line().t(f"{syslog_ts(rng)} {rng.choice(HOSTS)} ")
    line.t(f"sshd[{rng.randint(300, 65000)}]: ")
    user = rng.choice(["root", "deploy", "admin", "git", "ubuntu", "oracle"])
    addr = ip(rng)
    port = str(rng.randint(1024, 65535))
    shape = rng.randrange(10)
    if shape == 0:
        line.t(f"Accepted publickey for {user} from ").pii(addr, "ip")
        line.t(" port ").decoy(port, "PORT").t(" ssh2: ED25519 SHA256:")
        line.decoy(_b64(rng.randbytes(32)), "KEY_FINGERPRINT")
    elif shape == 1:
        line.t(f"Failed password for invalid user {user} from ").pii(
            addr, "ip"
        )
        line.t(" port ").decoy(port, "PORT").t(" ssh2")
    elif shape == 2:
        line.t(f"Connection closed by authenticating user {user} ")
        line.pii(addr, "ip").t(" port ").decoy(port, "PORT").t(" [preauth]")
    elif shape == 3:
        line.t(f"Invalid user {user} from ").pii(addr, "ip").t(" port ")
        line.decoy(port, "PORT")
    elif shape == 4:
        line.t("Received disconnect from ").pii(addr, "ip").t(" port ")
        line.decoy(port, "PORT").t(":11: disconnected by user")
    elif shape == 5:
        line.t(
            "pam_unix(sshd:auth): authentication failure; logname= uid=0 "
            "euid=0 tty=ssh ruser= rhost="
        ).pii(addr, "ip").t(f"  user={user}")
    elif shape == 6:
        line.t("Connection from ").pii(addr, "ip").t(" port ")
        line.decoy(port, "PORT").t(" on ").pii(ipv4(rng), "ip")
        line.t(' port 22 rdomain ""')
    elif shape == 7:
        line.t("Server listening on ").decoy(loopback(rng), "IP_LOOPBACK")
        line.t(" port ").decoy("22", "PORT").t(".")
    elif shape == 8:
        line.t("Accepted password for ")
        who = email(rng)
        line.pii(who, "email").t(" from ").pii(addr, "ip").t(" port ")
        line.decoy(port, "PORT").t(" ssh2")
    else:
        line.t("banner exchange: Connection from ").pii(addr, "ip")
        line.t(" port ").decoy(port, "PORT")
        line.t(": invalid format")
    return line


def nginx(rng: random.Random) -> _Line:
    line = _Line().pii(ip(rng), "ip").t(" - ")
    if rng.random() < 0.2:
        line.pii(email(rng), "email")
    else:
        line.t("-")
    line.t(f' [{clf_ts(rng)}] "{rng.choice(["GET", "POST"])} ')
    _query(line, rng)
    line.t(' HTTP/1.1" ').decoy(
        f"{rng.choice([200, 302, 404, 500])} {rng.randint(0, 99999)}",
        "HTTP_STATUS_BYTES",
    )
    line.t(' "-" "')
    _ua(line, rng)
    return line.t('"')


def apache(rng: random.Random) -> _Line:
    if rng.random() < 0.5:
        return nginx(rng)
    line = _Line().t(
        f"[{rng.choice(['Mon', 'Tue', 'Wed'])} Dec 07 "
        f"{rng.randint(10, 23)}:{rng.randint(10, 59)}:{rng.randint(10, 59)}"
        f".{_digits(rng, 6)} 2026] "
    )
    shape = rng.randrange(3)
    addr = ip(rng)
    if shape == 0:
        line.t(f"[auth_basic:error] [pid {rng.randint(100, 9999)}] [client ")
        line.pii(addr, "ip").t(":").decoy(
            str(rng.randint(1024, 65535)), "PORT"
        )
        line.t("] AH01618: user ").pii(email(rng), "email")
        line.t(" not found: /admin")
    elif shape == 1:
        line.t("[core:error] [pid ").decoy(str(rng.randint(100, 9999)), "PID")
        line.t("] [client ").pii(addr, "ip").t(
            "] AH00126: Invalid URI in request"
        )
    else:
        line.t("[mpm_event:notice] [pid 1:tid 140] AH00489: Apache/")
        line.decoy(f"2.4.{rng.randint(10, 62)}", "VERSION")
        line.t(
            " (Debian) OpenSSL/3.0.11 configured -- resuming normal operations"
        )
    return line


def nginx_json(rng: random.Random) -> _Line:
    line = _Line().t('{"time_iso8601":"').decoy(iso_ts(rng), "TIMESTAMP")
    line.t('","remote_addr":"').pii(ip(rng), "ip").t('","remote_user":"')
    if rng.random() < 0.3:
        line.pii(email(rng), "email")
    line.t('","request":"GET ')
    _query(line, rng)
    line.t(' HTTP/2.0","status":"200","body_bytes_sent":"')
    line.decoy(str(rng.randint(100, 99999)), "BYTES")
    line.t('","request_id":"').decoy(hexhash(rng)[:32], "HEX_HASH")
    line.t('","http_x_forwarded_for":"').pii(ipv4(rng), "ip").t(", ")
    line.pii(ipv4(rng), "ip").t('"}')
    return line


def haproxy(rng: random.Random) -> _Line:
    line = _Line().t(
        f"{syslog_ts(rng)} lb1 haproxy[{rng.randint(100, 30000)}]: "
    )
    line.pii(ipv4(rng), "ip").t(":").decoy(
        str(rng.randint(1024, 65535)), "PORT"
    )
    line.t(f" [{clf_ts(rng)[:20]}.{_digits(rng, 3)}] https-in~ app/srv")
    line.t(
        f"{rng.randint(1, 4)} 0/0/1/{rng.randint(2, 900)}/{rng.randint(900, 2000)} "
    )
    line.decoy(
        f"{rng.choice([200, 301, 403])} {rng.randint(100, 99999)}",
        "HTTP_STATUS_BYTES",
    )
    if rng.random() < 0.4:
        line.t(" SESSIONID=").pii(
            _token(rng, 26, string.ascii_uppercase + string.digits),
            "secret_param",
        )
    else:
        line.t(" -")
    line.t(" - ---- 12/12/3/1/0 0/0 {")
    if rng.random() < 0.5:
        line.t("shop.example.ch|").pii(ipv4(rng), "ip")
    else:
        line.t("shop.example.ch|")
        _ua(line, rng)
    line.t('} {} "GET ')
    _query(line, rng)
    return line.t(' HTTP/1.1"')


def postfix(rng: random.Random) -> _Line:
    qid = _token(rng, 10, "0123456789ABCDEF")
    line = _Line().t(f"{syslog_ts(rng)} mx1 postfix/")
    shape = rng.randrange(6)
    if shape == 0:
        line.t(f"smtpd[{rng.randint(100, 9999)}]: connect from unknown[")
        line.pii(ip(rng), "ip").t("]")
    elif shape == 1:
        line.t(f"smtpd[{rng.randint(100, 9999)}]: ").decoy(qid, "QUEUE_ID")
        line.t(": client=mail.example.net[").pii(ipv4(rng), "ip")
        line.t("], sasl_method=PLAIN, sasl_username=").pii(email(rng), "email")
    elif shape == 2:
        line.t(f"qmgr[{rng.randint(100, 9999)}]: ").decoy(qid, "QUEUE_ID")
        line.t(": from=<").pii(email(rng), "email")
        line.t(f">, size={rng.randint(500, 90000)}, nrcpt=1 (queue active)")
    elif shape == 3:
        line.t(f"smtp[{rng.randint(100, 9999)}]: ").decoy(qid, "QUEUE_ID")
        line.t(": to=<").pii(email(rng), "email").t(">, relay=mx.example.org[")
        line.pii(ipv4(rng), "ip").t("]:25, delay=")
        line.decoy(f"{rng.randint(0, 9)}.{rng.randint(1, 9)}", "DURATION")
        line.t(
            ", delays=0.1/0/0.2/0.3, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as "
        )
        line.decoy(_token(rng, 12, "0123456789ABCDEF"), "QUEUE_ID").t(")")
    elif shape == 4:
        line.t(
            f"smtpd[{rng.randint(100, 9999)}]: NOQUEUE: reject: RCPT from unknown["
        )
        line.pii(ipv4(rng), "ip").t("]: 554 5.7.1 <").pii(email(rng), "email")
        line.t(">: Relay access denied; from=<").pii(email(rng), "email")
        line.t("> to=<").pii(email(rng), "email").t(
            "> proto=ESMTP helo=<mail.example.net>"
        )
    else:
        line.t(f"cleanup[{rng.randint(100, 9999)}]: ").decoy(qid, "QUEUE_ID")
        line.t(": message-id=<").decoy(
            f"{uuid(rng)}@mail.example.ch", "MESSAGE_ID"
        ).t(">")
    return line


def journald(rng: random.Random) -> _Line:
    shape = rng.randrange(6)
    line = _Line()
    if shape == 0:
        return line.t("__REALTIME_TIMESTAMP=").decoy(
            str(1_765_000_000_000_000 + rng.randint(0, 10**12)), "EPOCH_US"
        )
    if shape == 1:
        return line.t("_BOOT_ID=").decoy(rng.randbytes(16).hex(), "HEX_HASH")
    if shape == 2:
        line.t("MESSAGE=Accepted publickey for deploy from ").pii(
            ip(rng), "ip"
        )
        return (
            line.t(" port ")
            .decoy(str(rng.randint(1024, 65535)), "PORT")
            .t(" ssh2")
        )
    if shape == 3:
        line.t('{"__CURSOR":"s=').decoy(rng.randbytes(16).hex(), "HEX_HASH")
        line.t(
            ';i=1a2b","_SYSTEMD_UNIT":"shop.service","PRIORITY":"6","MESSAGE":"order '
        )
        line.decoy(order_id(rng), "ORDER_ID").t(" placed by ").pii(
            email(rng), "email"
        )
        return (
            line.t('","_PID":"')
            .decoy(str(rng.randint(100, 99999)), "PID")
            .t('"}')
        )
    if shape == 4:
        line.t("MESSAGE=payment declined for card ").decoy(
            masked_pan(rng), "MASKED_PAN"
        )
        return line.t(" holder ").pii(name(rng), "person_name")
    line.t(f"{syslog_ts(rng)} {rng.choice(HOSTS)} systemd[1]: Started ")
    return (
        line.t("Session ")
        .decoy(str(rng.randint(1, 9999)), "NUMERIC_ID")
        .t(" of User deploy.")
    )


def _inner_app(rng: random.Random, line: _Line, *, escaped: bool) -> None:
    """An application message inside a JSON string."""
    q = '\\"' if escaped else '"'
    shape = rng.randrange(6)
    if shape == 0:
        line.t(
            f"{{{q}level{q}:{q}info{q},{q}msg{q}:{q}user signed up{q},{q}email{q}:{q}"
        )
        line.pii(email(rng), "email").t(f"{q},{q}name{q}:{q}").pii(
            name(rng), "person_name"
        )
        line.t(f"{q}}}")
    elif shape == 1:
        line.t(
            f"{{{q}level{q}:{q}warn{q},{q}msg{q}:{q}card declined{q},{q}card{q}:{q}"
        )
        line.pii(card(rng), "payment_card").t(f"{q},{q}order{q}:{q}")
        line.decoy(order_id(rng), "ORDER_ID").t(f"{q}}}")
    elif shape == 2:
        line.t("GET /healthz 200 ").decoy(
            f"{rng.randint(1, 900)}ms", "DURATION"
        )
    elif shape == 3:
        lt, gt = ("\\u003c", "\\u003e") if escaped else ("<", ">")
        line.t(f"sending receipt to {lt}").pii(email(rng), "email").t(gt)
    elif shape == 4:
        line.t("refund to ").pii(iban(rng), "iban").t(" for ")
        line.decoy(order_id(rng), "ORDER_ID")
    else:
        host = loopback(rng)
        line.t("listening on [" if ":" in host else "listening on ")
        line.decoy(host, "IP_LOOPBACK").t("]:" if ":" in host else ":")
        line.decoy(str(rng.choice([8080, 9090, 3000])), "PORT")


def kubernetes(rng: random.Random) -> _Line:
    shape = rng.randrange(4)
    line = _Line()
    if shape == 0:  # Docker json-file driver
        line.t('{"log":"')
        _inner_app(rng, line, escaped=True)
        line.t('\\n","stream":"stdout","time":"').decoy(
            iso_ts(rng), "TIMESTAMP"
        )
        return line.t('"}')
    if shape == 1:  # CRI
        line.decoy(iso_ts(rng), "TIMESTAMP").t(" stdout F ")
        _inner_app(rng, line, escaped=False)
        return line
    if shape == 2:  # audit event
        line.t('{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"')
        line.decoy(uuid(rng), "UUID").t('","verb":"get","user":{"username":"')
        line.pii(email(rng), "email").t('"},"sourceIPs":["').pii(ip(rng), "ip")
        return line.t('"],"userAgent":"kubectl/v1.29.2"}')
    line.t(
        f"I1207 {rng.randint(10, 23)}:{rng.randint(10, 59)}:00.{_digits(rng, 6)}       1 "
    )
    line.t("controller.go:").decoy(str(rng.randint(10, 999)), "LINE_NUMBER")
    line.t('] "Pod ready" pod="shop/web-').decoy(
        _token(rng, 10, "abcdef0123456789"), "HEX_HASH"
    )
    return line.t('" podIP="').pii(ipv4(rng), "ip").t('"')


def django(rng: random.Random) -> _Line:
    shape = rng.randrange(5)
    line = _Line()
    if shape == 0:
        line.t(f'[{clf_ts(rng)[:20]}] "GET ')
        _query(line, rng)
        line.t(' HTTP/1.1" ').decoy(
            f"200 {rng.randint(100, 99999)}", "HTTP_STATUS_BYTES"
        )
        return line
    if shape == 1:
        line.t("WARNING django.request Not Found: /api/users/")
        return line.pii(email(rng), "email").t("/")
    if shape == 2:
        line.t(
            'DEBUG django.db.backends (0.002) SELECT "auth_user"."id" FROM "auth_user" WHERE "auth_user"."email" = '
        )
        mail = email(rng)
        line.t("'").pii(mail, "email").t("' LIMIT 21; args=('").pii(
            mail, "email"
        )
        return line.t("',); alias=default")
    if shape == 3:
        line.t("INFO accounts.views password reset requested for ")
        return (
            line.pii(name(rng), "person_name")
            .t(" <")
            .pii(email(rng), "email")
            .t(">")
        )
    line.t("ERROR django.request Internal Server Error: /checkout/ (card=")
    return line.decoy(card(rng, broken=True), "CC_LUHN_FAIL").t(")")


def rails(rng: random.Random) -> _Line:
    shape = rng.randrange(5)
    line = _Line()
    if shape == 0:
        line.t('Started POST "/users" for ').pii(ip(rng), "ip").t(
            " at 2026-12-07 "
        )
        return line.t(f"{rng.randint(10, 23)}:{rng.randint(10, 59)}:00 +0100")
    if shape == 1:
        line.t('  Parameters: {"authenticity_token"=>"').decoy(
            "[FILTERED]", "MASKED_SECRET"
        )
        line.t('", "user"=>{"email"=>"').pii(email(rng), "email")
        line.t('", "name"=>"').pii(name(rng), "person_name")
        return (
            line.t('", "password"=>"')
            .decoy("[FILTERED]", "MASKED_SECRET")
            .t('"}}')
        )
    if shape == 2:
        line.t(
            '  User Load (0.4ms)  SELECT "users".* FROM "users" WHERE "users"."email" = $1 LIMIT $2  [["email", "'
        )
        return line.pii(email(rng), "email").t('"], ["LIMIT", 1]]')
    if shape == 3:
        line.t("Completed 200 OK in ").decoy(
            f"{rng.randint(2, 900)}ms", "DURATION"
        )
        return line.t(
            " (Views: 3.1ms | ActiveRecord: 1.2ms | Allocations: 2345)"
        )
    line.t(
        '  Customer Update (0.9ms)  UPDATE "customers" SET "full_name" = $1, "iban" = $2 WHERE "id" = $3  [["full_name", "'
    )
    line.pii(name(rng), "person_name").t('"], ["iban", "').pii(
        iban(rng), "iban"
    )
    return (
        line.t('"], ["id", ')
        .decoy(str(rng.randint(1000, 99999999)), "NUMERIC_ID")
        .t("]]")
    )


def java(rng: random.Random) -> _Line:
    shape = rng.randrange(6)
    line = _Line()
    if shape == 0:
        line.t(
            f"2026-12-07 {rng.randint(10, 23)}:{rng.randint(10, 59)}:00.123 ERROR "
        )
        line.t(
            "4242 --- [nio-8080-exec-3] c.e.shop.PaymentService : charge failed for card "
        )
        return (
            line.pii(card(rng), "payment_card")
            .t(" (")
            .decoy(order_id(rng), "ORDER_ID")
            .t(")")
        )
    if shape == 1:
        line.t(
            'Exception in thread "main" java.lang.IllegalArgumentException: no customer with email '
        )
        return line.pii(email(rng), "email")
    if shape == 2:
        line.t(
            "\tat com.example.shop.CustomerService.find(CustomerService.java:"
        )
        return line.decoy(str(rng.randint(10, 900)), "LINE_NUMBER").t(")")
    if shape == 3:
        line.t(
            'Caused by: org.postgresql.util.PSQLException: ERROR: duplicate key value violates unique constraint "customers_ahv_key"  Detail: Key (ahv)=('
        )
        return line.pii(ahv(rng), "ahv").t(") already exists.")
    if shape == 4:
        line.t("o.h.type.descriptor.sql.BasicBinder : binding parameter [")
        line.t(f"{rng.randint(1, 5)}] as [VARCHAR] - [")
        return line.pii(email(rng), "email").t("]")
    line.t(
        "\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:"
    )
    return line.decoy(str(rng.randint(10, 2000)), "LINE_NUMBER").t(
        ") ~[spring-webmvc-6.1.3.jar:6.1.3]"
    )


def sql(rng: random.Random) -> _Line:
    shape = rng.randrange(5)
    line = _Line()
    if shape == 0:
        line.t(
            f"2026-12-07 {rng.randint(10, 23)}:00:00.000 CET [{rng.randint(100, 9999)}] "
        )
        line.t("DETAIL:  parameters: $1 = '").pii(email(rng), "email")
        line.t("', $2 = '").decoy(order_id(rng), "ORDER_ID").t("'")
    elif shape == 1:
        line.t(
            "LOG:  execute <unnamed>: INSERT INTO customers (first_name, last_name, ahv) VALUES ('"
        )
        # SQL doubles a quote inside a string literal: 'O''Connor'
        first, _, last = name(rng).replace("'", "''").partition(" ")
        line.pii(first, "person_name").t("', '").pii(last, "person_name")
        line.t("', '").pii(ahv(rng), "ahv").t("')")
    elif shape == 2:
        line.t(
            f"{iso_ts(rng)}\t   {rng.randint(1, 99)} Query\tUPDATE accounts SET iban = '"
        )
        line.pii(iban(rng), "iban").t("' WHERE id = ").decoy(
            str(rng.randint(1, 10**6)), "NUMERIC_ID"
        )
    elif shape == 3:
        line.t("binding parameter (1:VARCHAR) <- [").decoy(
            uuid(rng), "UUID"
        ).t("]")
    else:
        line.t("LOG:  duration: ").decoy(
            f"{rng.randint(0, 99)}.{_digits(rng, 3)} ms", "DURATION"
        )
        line.t("  statement: SELECT * FROM invoices WHERE ahv = '")
        line.decoy(ahv(rng, broken=True), "AHV_BAD_CHECKSUM").t("'")
    return line


def app(rng: random.Random) -> _Line:
    """Application lines: names after cue words, cards, IBANs, JWTs."""
    shape = rng.randrange(12)
    line = _Line().t(f"{iso_ts(rng)[:19]} ")
    if shape == 0:
        line.t('INFO mail.sender To: "').pii(name(rng), "person_name")
        line.t('" <').pii(email(rng), "email").t(">")
    elif shape == 1:
        greet = rng.choice(
            [
                "Dear",
                "Sehr geehrte Frau",
                "Sehr geehrter Herr",
                "Gentile",
                "Chère",
                "Cher",
            ]
        )
        line.t(f'DEBUG template rendered: "{greet} ').pii(
            name(rng), "person_name"
        )
        line.t(", your order ").decoy(order_id(rng), "ORDER_ID").t(
            ' has shipped"'
        )
    elif shape == 2:
        line.t("INFO payments customer=").t('"').pii(name(rng), "person_name")
        line.t('" iban=').pii(iban(rng), "iban").t(
            " amount=120.50 currency=CHF"
        )
    elif shape == 3:
        line.t("WARN api Authorization: Bearer ").pii(jwt(rng), "jwt")
    elif shape == 4:
        line.t("INFO kyc verified ahv=").pii(ahv(rng), "ahv").t(" for ").pii(
            name(rng), "person_name"
        )
    elif shape == 5:
        line.t('DEBUG checkout payload={"cardholder": "').pii(
            name(rng), "person_name"
        )
        line.t('", "pan": "').pii(card(rng), "payment_card").t(
            '", "cvc": "***"}'
        )
    elif shape == 6:
        secret = quote(password(rng), safe="")
        line.t("INFO db connect postgres://shop:").pii(
            secret, "url_credential"
        )
        line.t("@db.internal:5432/shop")
    elif shape == 7:
        line.t("INFO upload by ").pii(name(rng), "person_name").t(" (")
        line.pii(phone(rng), "phone").t(")")
    elif shape == 8:
        line.t("DEBUG request headers X-Api-Key: ").pii(
            api_key(rng), "api_key"
        )
        line.t(" X-Request-Id: ").decoy(uuid(rng), "UUID")
    elif shape == 9:
        line.t("INFO build ").decoy(hexhash(rng)[:40], "HEX_HASH").t(
            " deployed version "
        )
        line.decoy(version(rng), "VERSION_DOTTED_QUAD")
    elif shape == 10:
        line.t("INFO import done: rejected IBAN ").decoy(
            iban(rng, broken=True), "IBAN_BAD_CHECKSUM"
        )
        line.t(", card ").decoy(card(rng, broken=True), "CC_LUHN_FAIL")
    else:
        line.t("INFO scheduler run at ").decoy(epoch_ms(rng), "EPOCH_MS")
        line.t(" next ").decoy(epoch_ms(rng), "EPOCH_MS")
    return line


def postal_lines(rng: random.Random) -> _Line:  # noqa: PLR0911 - one return per line shape
    street, zip_, town, full = postal(rng)
    shape = rng.randrange(8)
    line = _Line().t(f"{iso_ts(rng)[:19]} ")
    if shape == 0:
        line.t("INFO shipping label created for ").decoy(
            order_id(rng), "ORDER_ID"
        )
        return line.t(" to ").pii(full, "postal_address")
    if shape == 1:
        line.t(
            rng.choice(
                [
                    "INFO Lieferadresse: ",
                    "INFO adresse de livraison : ",
                    "INFO indirizzo di consegna: ",
                    "INFO billing address ",
                ]
            )
        )
        return line.pii(full, "postal_address")
    if shape == 2:
        line.t('INFO customer updated {"name": "').pii(
            name(rng), "person_name"
        )
        line.t('", "address": {"street": "').pii(street, "postal_address")
        line.t(f'", "{rng.choice(["zip", "postcode", "postal_code"])}": "')
        line.pii(zip_, "postal_address").t('", "city": "').pii(
            town, "postal_address"
        )
        return line.t('", "country": "CH"}}')
    if shape == 3:
        line.t('INFO event=address_changed street="').pii(
            street, "postal_address"
        )
        if " " in zip_:
            line.t('" zip="').pii(zip_, "postal_address").t('"')
        else:
            line.t('" zip=').pii(zip_, "postal_address")
        return line.t(' city="').pii(town, "postal_address").t('"')
    if shape == 4:
        line.t('DEBUG geocode addr="').pii(full, "postal_address")
        return line.t('" lat=47.3769 lon=8.5417')
    if shape == 5:  # look-alikes with no address
        line.t("INFO batch finished: processed ")
        line.decoy(
            f"{rng.randint(2, 40)} files, {rng.randint(1000, 99999)} Records",
            "POSTAL_LOOKALIKE",
        )
        return line.t(" skipped")
    if shape == 6:
        line.t("WARN parser error at ").decoy(
            f"line {rng.randint(1, 999)}", "LINE_NUMBER"
        )
        line.t(", column ").decoy(str(rng.randint(1, 80)), "LINE_NUMBER")
        line.t(': "HTTP/1.1 ').decoy(
            f"200 {rng.randint(100, 9999)}", "HTTP_STATUS_BYTES"
        )
        return line.t('" unexpected')
    line.t("INFO release ").decoy(
        f"v{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}",
        "VERSION",
    )
    line.t(" on node ").decoy(
        f"{rng.randint(1, 9)}, {rng.randint(1000, 9999)} Workers",
        "POSTAL_LOOKALIKE",
    )
    return line.t(" ready after ").decoy(f"{rng.randint(1, 90)}s", "DURATION")


SOURCES = [
    ("openssh", openssh), ("nginx", nginx), ("apache", apache),
    ("nginx-json", nginx_json), ("haproxy", haproxy), ("postfix", postfix),
    ("journald", journald), ("kubernetes", kubernetes), ("django", django),
    ("rails", rails), ("java", java), ("sql", sql), ("app", app),
    ("app", app), ("postal", postal_lines),
]  # fmt: skip


def generate(n: int = 10_500, seed: int = 20261207) -> list[dict[str, Any]]:
    """*n* labelled records, the same for the same *n* and *seed*."""
    rng = random.Random(seed)
    records = []
    for i in range(n):
        source, build = SOURCES[i % len(SOURCES)]
        text, spans, decoys = build(rng).record()
        records.append(
            {
                "id": i,
                "source": source,
                "locale": "mixed",
                "text": text,
                "spans": spans,
                "decoys": decoys,
            }
        )
    return records

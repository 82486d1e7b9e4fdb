"""Generate a labelled log sample with Faker in templates unlike sample.jsonl.

Run by hand (``python build_faker1.py OUT.jsonl``); the output is committed, because
Faker's data changes between releases.  Used to check that the detectors
generalise beyond the development sample's templates.
"""

# A throwaway data generator, kept for provenance: not library code.
# ruff: noqa: C408, E741, FURB122
from __future__ import annotations

import json
import random
import sys

from faker import Faker


random.seed(7)
locales = [
    "de_CH",
    "fr_CH",
    "it_CH",
    "en_GB",
    "en_US",
    "de_DE",
    "fr_FR",
    "nl_NL",
    "es_ES",
    "de_AT",
]
fakers = {l: Faker(l) for l in locales}
for f in fakers.values():
    f.seed_instance(7)


def luhn_card(f):
    return f.credit_card_number(
        card_type=random.choice(
            ["visa16", "mastercard", "amex", "discover", "jcb16", "maestro"]
        )
    )


def ahv():

    while True:
        d = "756" + "".join(random.choice("0123456789") for _ in range(9))
        total = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(d))
        c = (10 - total % 10) % 10
        s = d + str(c)
        return random.choice([s, f"{s[:3]}.{s[3:7]}.{s[7:11]}.{s[11:]}"])


T = [
    (
        "{ts} sshd[{pid}]: Accepted password for {user} from {ip} port {port} ssh2",
        {"ip": "ip"},
    ),
    (
        '{ip} - {user} [{clf}] "POST /api/login HTTP/1.1" 401 {n} "-" "curl/8.{d}.0"',
        {"ip": "ip"},
    ),
    (
        'level=warn ts={iso} msg="delivery failed" to={email} client={ip}',
        {"email": "email", "ip": "ip"},
    ),
    (
        "{ts} [INFO] contact form submitted by {name} ({email}), phone {phone}",
        {"name": "person_name", "email": "email", "phone": "phone"},
    ),
    (
        "{ts} payment declined: card {card}, holder {name}",
        {"card": "payment_card", "name": "person_name"},
    ),
    (
        '{{"time": "{iso}", "event": "refund", "iban": "{iban}", "account_holder": "{name}"}}',
        {"iban": "iban", "name": "person_name"},
    ),
    (
        "{ts} WARN Versicherter {name} AHV {ahv} gespeichert",
        {"name": "person_name", "ahv": "ahv"},
    ),
    (
        "{ts} ERROR smtp auth failed for smtp://{user}:{pw}@mail.example.com:587",
        {"pw": "url_credential"},
    ),
    (
        "{ts} DEBUG POST /session form: username={user}&password={pw}&remember=1",
        {"pw": "secret_param"},
    ),
    (
        "{ts} INFO callback to {phone} scheduled for {name}",
        {"phone": "phone", "name": "person_name"},
    ),
    ("{ts} INFO X-Forwarded-For: {ip}, {ip2}", {"ip": "ip", "ip2": "ip"}),
    ("{ts} INFO healthcheck ok build {ver} uptime {n}s pid {pid}", {}),
    ("{ts} INFO synced {n} rows in {d}.{pid}ms, batch {uuid}", {}),
    ("{ts} INFO cache miss key=product:{n} ttl={port}", {}),
    (
        "{ts} WARN slow query ({d}.{n}s): SELECT * FROM orders WHERE id = {n}",
        {},
    ),
]
out = []
for i in range(3000):
    loc = random.choice(locales)
    f = fakers[loc]
    tmpl, lab = random.choice(T)
    ip6 = f.ipv6()
    vals = dict(
        ts=f.date_time_this_year().strftime("%Y-%m-%d %H:%M:%S"),
        iso=f.iso8601(),
        pid=random.randint(100, 99999),
        user=f.user_name(),
        ip=random.choice([f.ipv4_public(), f.ipv4_private(), ip6]),
        ip2=f.ipv4(),
        port=random.randint(1024, 65535),
        clf=f.date_time_this_year().strftime("%d/%b/%Y:%H:%M:%S +0100"),
        n=random.randint(1, 999999),
        d=random.randint(0, 99),
        email=f.email(),
        name=f.name(),
        phone=f.phone_number(),
        card=luhn_card(f),
        iban=f.iban(),
        ahv=ahv(),
        pw=f.password(length=random.randint(8, 16), special_chars=False),
        ver=".".join(str(random.randint(0, 30)) for _ in range(4)),
        uuid=f.uuid4(),
    )
    # build text and spans
    text = ""
    spans = []
    import re

    pos = 0
    for m in re.finditer(r"\{(\w+)\}|\{\{|\}\}", tmpl):
        text += tmpl[pos : m.start()]
        if m.group(0) == "{{":
            text += "{"
        elif m.group(0) == "}}":
            text += "}"
        else:
            k = m.group(1)
            v = str(vals[k])
            s = len(text)
            text += v
            if k in lab:
                spans.append([s, len(text), lab[k]])
        pos = m.end()
    text += tmpl[pos:]
    out.append(
        {
            "id": i,
            "source": "gen",
            "locale": loc,
            "text": text,
            "spans": spans,
            "decoys": [],
        }
    )
with open(sys.argv[1], "w") as fh:
    for r in out:
        fh.write(json.dumps(r, ensure_ascii=False) + "\n")

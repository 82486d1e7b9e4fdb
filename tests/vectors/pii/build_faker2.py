"""Generate a labelled log sample with Faker in templates unlike sample.jsonl.

Run by hand (``python build_faker2.py OUT.jsonl``); the output is committed, because
Faker's data changes between releases.  Used to check that the detectors
generalise beyond the development sample's templates.
"""

# A throwaway data generator, kept for provenance: not library code.
# ruff: noqa: C408, E741, FURB122
from __future__ import annotations

import hashlib
import json
import random
import re
import sys
import uuid

from faker import Faker


random.seed(11)
locales = [
    "de_CH",
    "fr_CH",
    "it_CH",
    "en_GB",
    "en_US",
    "de_DE",
    "fr_FR",
    "it_IT",
    "pt_PT",
    "pl_PL",
]
fk = {l: Faker(l) for l in locales}
for f in fk.values():
    f.seed_instance(11)
T = [
    (
        '<34>1 {iso} host app {pid} ID47 [exampleSDIP@32473 iut="3" eventSource="Application"] user {email} logged in from {ip}',
        {"email": "email", "ip": "ip"},
    ),
    (
        "[{apache}] [core:error] [pid {pid}:tid {pid2}] [client {ip}:{port}] AH00126: Invalid URI in request GET /../../etc/passwd",
        {"ip": "ip"},
    ),
    (
        "{iso} ERROR c.s.PaymentService - charge failed customer={name} card={card} amount=12.50",
        {"name": "person_name", "card": "payment_card"},
    ),
    (
        '{{"@timestamp":"{iso}","log.level":"info","message":"profile updated","user":{{"email":"{email}","phone":"{phone}","full_name":"{name}"}},"client":{{"ip":"{ip}"}}}}',
        {
            "email": "email",
            "phone": "phone",
            "name": "person_name",
            "ip": "ip",
        },
    ),
    (
        "{iso} INFO Sending SMS to {phone} (template=otp, provider=twilio)",
        {"phone": "phone"},
    ),
    (
        '{iso} DEBUG headers={{"Cookie": "sessionid={sess}; theme=dark", "User-Agent": "{ua}"}}',
        {"sess": "secret_param"},
    ),
    (
        "{iso} INFO Überweisung an {iban} ({name}) ausgeführt",
        {"iban": "iban", "name": "person_name"},
    ),
    (
        "{iso} WARN mongodb://{user}:{pw}@mongo-0.mongo:27017/app?replicaSet=rs0 unreachable",
        {"pw": "url_credential"},
    ),
    ("{iso} INFO deploy {ver} sha={sha} by ci, {n} files, took {d}.{n}s", {}),
    ("{iso} INFO GET /api/v2/items/{uuid} 200 {n}B {d}ms", {}),
    (
        "{iso} INFO worker-{d} processed job {n} (queue=default, attempts=1, runtime={d}.{d}s)",
        {},
    ),
    (
        "{iso} INFO metric cpu={d}.{d}% mem={n}KiB disk={d}.{d}% net_rx={n} net_tx={n} ts={epoch}",
        {},
    ),
    (
        "{iso} INFO Kafka offset {n} committed for partition {d} of topic orders-v{d}",
        {},
    ),
    (
        "{iso} INFO TLS handshake ok cipher=TLS_AES_256_GCM_SHA384 version=TLSv1.3 serial={hexs}",
        {},
    ),
]
out = []
for i in range(3000):
    loc = random.choice(locales)
    f = fk[loc]
    tmpl, lab = random.choice(T)
    vals = dict(
        iso=f.iso8601(),
        pid=random.randint(100, 99999),
        pid2=random.randint(10**9, 10**10),
        email=f.email(),
        ip=random.choice([f.ipv4_public(), f.ipv4_private(), f.ipv6()]),
        apache=f.date_time_this_year().strftime("%a %b %d %H:%M:%S.%f %Y"),
        port=random.randint(1024, 65535),
        name=f.name(),
        card=fk["en_US"].credit_card_number(
            card_type=random.choice(["visa16", "mastercard", "amex"])
        ),
        phone=f.phone_number(),
        sess=f.pystr(min_chars=32, max_chars=32).lower(),
        ua=f.user_agent(),
        iban=f.iban(),
        user=f.user_name(),
        pw=f.password(length=14, special_chars=False),
        ver=".".join(
            str(random.randint(0, 20)) for _ in range(random.choice([3, 4]))
        ),
        sha=hashlib.sha1(str(i).encode()).hexdigest(),
        n=random.randint(1, 9999999),
        d=random.randint(0, 99),
        uuid=uuid.UUID(int=random.getrandbits(128)),
        epoch=random.randint(1700000000000, 1730000000000),
        hexs=hashlib.md5(str(i).encode()).hexdigest()[:20],
    )
    text = ""
    spans = []
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
            "source": "gen2",
            "locale": loc,
            "text": text,
            "spans": spans,
            "decoys": [],
        }
    )
with open(sys.argv[1], "w") as fh:
    for r in out:
        fh.write(json.dumps(r, ensure_ascii=False) + "\n")

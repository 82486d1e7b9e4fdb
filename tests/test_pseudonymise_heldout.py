"""Pseudonymisation on the held-out corpus, and postal addresses (issue #19).

``tests/logcorpus_heldout.py`` was written apart from the development set
(``tests/logcorpus.py``) and from the detector, so its numbers say how the
detector does on logs it was not tuned on.  The targets asserted here are
the issue's; the numbers before and after the fixes it prompted are in
docs/pseudonymise.md ("held-out set").
"""

from __future__ import annotations

import random

from collections import Counter
from datetime import datetime, timezone
from typing import Any

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from dataprotect.pseudonymise import Pseudonymiser
from logcorpus_heldout import generate, postal
from pii_scoring import score_findings, table


KEY = bytes(range(32))
DAY = datetime(2026, 12, 7, 12, 0, tzinfo=timezone.utc)
STRICT = ["email", "ip", "payment_card", "iban", "ahv", "jwt"]
CORPUS = generate()


P = Pseudonymiser(key=KEY, clock=lambda: DAY)


def kinds(text: str) -> list[tuple[str, str]]:
    """(type, value) of every finding in *text*."""
    return [(f.type, text[f.start : f.end]) for f in P.findings(text)]


class TestHeldOutCorpus:
    def test_size_and_sources(self) -> None:
        """At least 10,000 lines from every daemon shape, the same each run."""
        assert len(CORPUS) >= 10_000
        assert generate(60) == CORPUS[:60]
        assert set(Counter(r["source"] for r in CORPUS)) >= {
            "openssh", "nginx", "apache", "nginx-json", "haproxy", "postfix",
            "journald", "kubernetes", "django", "rails", "java", "sql",
            "postal",
        }  # fmt: skip
        for r in CORPUS:
            for s, e, _ in r["spans"] + r["decoys"]:
                assert 0 <= s < e <= len(r["text"])

    def test_targets(self, capsys: Any) -> None:
        """Strict R>=0.98 P>=0.97; names R>=0.90 P>=0.95; decoys <=5 % each."""
        result = score_findings(CORPUS, P.findings)
        with capsys.disabled():
            print("\n" + table(result, "dataprotect on the held-out set"))
        rows = result["groups"]
        for group in STRICT:
            assert rows[group]["gold"] > 0, group
            assert rows[group]["recall"] >= 0.98, group
            assert rows[group]["precision"] >= 0.97, group
        assert rows["person_name"]["recall"] >= 0.90
        assert rows["person_name"]["precision"] >= 0.95
        assert rows["postal_address"]["recall"] >= 0.98
        assert rows["postal_address"]["precision"] >= 0.97
        assert rows["credential"]["recall"] >= 0.98
        for kind, (total, hit) in result["decoy_kinds"].items():
            assert hit <= 0.05 * total, kind


# --------------------------------------------------------------------------
# Postal addresses

ADDRESSES = [
    "Bahnhofstrasse 12, 8001 Zürich",
    "Hauptstr. 5a, 10115 Berlin",
    "12 rue de la Paix, 75002 Paris",
    "Via Roma 10, 00184 Roma",
    "10 Downing Street, London SW1A 2AA",
    "1600 Pennsylvania Ave NW, Washington, DC 20500",
    "350 Broadway, New York, NY 10118",
    "Am Markt 3, 04109 Leipzig",
    "Berliner Allee 185, 70173 Stuttgart",
    "Rue du Rhône 5, CH-1204 Genève",
    "9 bis avenue Jean Jaurès, 69007 Lyon",
    "Corso Vittorio Emanuele II 15, 20122 Milano",
    "221B Baker Street, London NW1 6XE",
    "Flat 38, Johnson Fall, Jenningsborough TS8 6QS",
    "831 Berry Manor Suite 559, Shellyland, CT 07609",
    "chemin des Vignes, 1003 Lausanne",
    "Seestrasse 4, 8800 Thalwil",
    "Dorfgasse 1, 9000 St. Gallen",
    "Goethestraße 2, 60311 Frankfurt am Main",
    "51 Franklin Street, Fifth Floor, Boston, MA 02110-1301",
    "59 Temple Place - Suite 330, Boston, MA  02111-1307",
    "Austin, TX 78741",
]


class TestPostal:
    @pytest.mark.parametrize("address", ADDRESSES)
    def test_free_text(self, address: str) -> None:
        """A street and number with a postcode and town are one finding."""
        text = f"INFO shipping label for order 4711 to {address} (parcel 3)"
        assert kinds(text) == [("postal_address", address)]

    @pytest.mark.parametrize(
        ("text", "values"),
        [
            (
                (
                    '{"street": "Bahnhofstrasse 12", "zip": "8001", '
                    '"city": "Zürich"}'
                ),
                ["Bahnhofstrasse 12", "8001", "Zürich"],
            ),
            (
                'street="169 avenue Jean Jaurès" zip=69007 city="Lyon"',
                ["169 avenue Jean Jaurès", "69007", "Lyon"],
            ),
            (
                (
                    "billing_address=Via+Garibaldi+3&postcode=SW1A+2AA"
                    "&town=Biel%2FBienne"
                ),
                ["Via+Garibaldi+3", "SW1A+2AA", "Biel%2FBienne"],
            ),
            (
                '{"log":"{\\"ort\\":\\"Chur\\",\\"plz\\":\\"7000\\"}"}',
                ["Chur", "7000"],
            ),
            ('[["city", "Genève"], ["zip_code", "80202-1234"]]', ...),
            ('"Address": "Lindenhofweg 7b", "npa": "3011"', ...),
            (" ort=Basel ", ["Basel"]),
        ],
    )
    def test_fields(self, text: str, values: Any) -> None:
        """A field whose key names a part of an address, in its shape."""
        found = kinds(text)
        assert {kind for kind, _ in found} == {"postal_address"}
        if values is not ...:
            assert [v for _, v in found] == values

    @pytest.mark.parametrize(
        "text",
        [
            'HTTP/1.1" 200 1234 "-" "curl/8.5.0"',
            "parser error at line 12, column 4",
            "processed 12 files, 8001 Records skipped",
            "release v7.18.3 on node 6, 2907 Workers ready after 60s",
            "rolling out version 10.0.19041.1 Build 10115 Berlin",
            "order 2024-118734 placed at 2026-12-07T12:00:00Z",
            "listening on 0.0.0.0 port 8001 Zurich-cluster",
            "took 1234 ms, retry 3 of 5",
            "Apache/2.4.62 (Debian) OpenSSL/3.0.11 configured",
            'addr=127.0.0.1:9090 remote_addr="203.0.113.9"',
            'city=unknown zip=false street="" town=[REDACTED] npa=***',
            'support="Main Street" gzip=12345 report_city=x',
            "ED25519 SHA256:9f8e7d6c5b4a SESSIONID=43210 SESSION",
            "{'address': 'anna@example.ch', 'addr': 'https://x.example/1'}",
        ],
    )
    def test_left_alone(self, text: str) -> None:
        """Versions, ports, line numbers, counts and ids are no address."""
        assert "postal_address" not in {k for k, _ in kinds(text)}, text

    def test_canonical_pseudonym(self) -> None:
        """Case and spacing do not change an address's pseudonym."""
        a = P.pseudonymise("to Bahnhofstrasse 12, 8001 Zürich", now=DAY)
        b = P.pseudonymise("to BAHNHOFSTRASSE 12,\t 8001 Zürich", now=DAY)
        assert a == b
        assert a.startswith("to <postal_address:")

    @pytest.mark.parametrize("action", ["mask", "redact", "pseudonym"])
    def test_actions_are_fixed_points(self, action: Any) -> None:
        """Every action's output is left as it is by a second pass."""
        q = Pseudonymiser(key=KEY, rules={"postal_address": action})
        text = 'to 10 Downing Street, London SW1A 2AA {"zip": "8001"}'
        once = q.pseudonymise(text, now=DAY)
        assert "Downing" not in once
        assert q.pseudonymise(once, now=DAY) == once

    def test_keep(self) -> None:
        """With the rule keep, addresses are not even looked for."""
        q = Pseudonymiser(key=KEY, rules={"postal_address": "keep"})
        assert q.findings("to Via Roma 10, 00184 Roma") == []

    def test_text_that_lowers_longer(self) -> None:
        """A character whose lower case is longer does not shift the spans."""
        text = 'İstanbul office: {"city": "Zürich"}'
        assert kinds(text) == [("postal_address", "Zürich")]

    def test_structured_event(self) -> None:
        """walk() replaces address fields of a dict by their key and shape."""
        event = {
            "address": {"street": "Seestrasse 4", "zip": "8800"},
            "billing_zip_code": "80202-1234",
            "city": "Zürich",
            "addr": "127.0.0.1:9090",
            "town": "unknown",
            "country": "CH",
        }
        out = P.walk(event, now=DAY)
        assert out["address"]["street"].startswith("<postal_address:")
        assert out["address"]["zip"].startswith("<postal_address:")
        assert out["billing_zip_code"].startswith("<postal_address:")
        assert out["city"] == P.pseudonymise('"city": "Zürich"', now=DAY)[9:-1]
        assert out["city"] == P.walk({"city": "ZÜRICH"}, now=DAY)["city"]
        assert P.walk("Via Roma 10, 00184 Roma", now=DAY).startswith("<")
        assert (out["addr"], out["town"], out["country"]) == (
            "127.0.0.1:9090",
            "unknown",
            "CH",
        )

    @pytest.mark.parametrize(
        "unit",
        [
            "Bahnhofstrasse 12, 8001 Zürich ",
            "Am Markt ",
            "Via ",
            "8001 Zürich ",
            "zip=8001 ",
            "city=",
            "1600 Pennsylvania Ave NW, Washington, ",
            "A" * 50,
        ],
    )
    def test_hostile_lines(self, unit: str) -> None:
        """Long repetitive lines of address pieces are handled, idempotently."""
        text = unit * (20_000 // len(unit)) + " 8001 Zürich"
        once = P.pseudonymise(text, now=DAY)
        assert P.pseudonymise(once, now=DAY) == once

    def test_far_apart(self) -> None:
        """Two addresses far apart in one line are both found."""
        text = (
            "from Via Roma 10, 00184 Roma " + "x" * 400 + " to Seestrasse 4,"
            " 8800 Thalwil"
        )
        assert [k for k, _ in kinds(text)] == ["postal_address"] * 2

    @settings(max_examples=300, deadline=None)
    @given(
        rng=st.randoms(use_true_random=False),
        before=st.sampled_from(
            ["", "INFO ship to ", 'addr="', "Lieferadresse: ", "(", "x "]
        ),
        after=st.sampled_from(["", '"', ")", ", thanks", " at 12:00"]),
    )
    def test_property_fixed_point(
        self, rng: random.Random, before: str, after: str
    ) -> None:
        """Any generated address is replaced whole, and a second pass is a no-op."""
        street, zip_, town, full = postal(rng)
        for text in (
            before + full + after,
            f'{{"street": "{street}", "zip": "{zip_}", "city": "{town}"}}',
        ):
            once = P.pseudonymise(text, now=DAY)
            assert street not in once
            assert P.pseudonymise(once, now=DAY) == once


# --------------------------------------------------------------------------
# The classes of misses the held-out corpus showed


class TestHeldOutFixes:
    def test_insert_values_by_column(self) -> None:
        """An INSERT's values are read by the column that names them."""
        text = (
            'INSERT INTO "users" ("email", "full_name", "password", id) '
            "VALUES ('a@b.ch', 'Anna Meier', 'hunter2!', 7), "
            "('c@d.ch', 'Yannick O''Connor', 'x', 8)"
        )
        assert kinds(text) == [
            ("email", "a@b.ch"),
            ("person_name", "Anna Meier"),
            ("secret_param", "hunter2!"),
            ("email", "c@d.ch"),
            ("person_name", "Yannick O''Connor"),
        ]

    @pytest.mark.parametrize(
        "text",
        [
            "insert into t (name) values ('Anna Meier'",  # cut off
            "insert into t (id, note) values (1, 'Anna Meier')",
            "insert into t (name) values (lower('Anna Meier'))",
        ],
    )
    def test_insert_without_a_name_column(self, text: str) -> None:
        """No name where the column is not a name or the row is cut off."""
        assert "person_name" not in {k for k, _ in kinds(text)}

    def test_surname_field_with_particle(self) -> None:
        """A surname field may start with von, de, van der."""
        text = '{"last_name": "van der Berg", "nachname": "von Arx"}'
        assert [v for _, v in kinds(text)] == ["van der Berg", "von Arx"]

    def test_compound_first_name(self) -> None:
        """A hyphenated first name whose parts are known first names."""
        assert kinds("upload by Marie-Claire Chevalier (ok)") == [
            ("person_name", "Marie-Claire Chevalier")
        ]

    def test_italian_salutation(self) -> None:
        """Gentile and Egregio introduce a name as Dear does."""
        assert kinds('"Gentile Gabriel Sutter, your order"') == [
            ("person_name", "Gabriel Sutter")
        ]

    def test_iban_with_bad_check_digits_is_no_card(self) -> None:
        """The digits of an IBAN that fails mod-97 are not a card either."""
        assert kinds("rejected IBAN DE80 3618 9294 2508 2527 56") == []

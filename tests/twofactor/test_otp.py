"""Tests for TOTP and HOTP: RFC vectors, replay protection, records."""

from __future__ import annotations

import base64
import json
import pickle
import traceback

from pathlib import Path

import pyotp
import pytest

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.twofactor import hotp as raw_hotp
from cryptography.hazmat.primitives.twofactor import totp as raw_totp
from hypothesis import given
from hypothesis import strategies as st

from dataprotect import Encryptor, EnvKEK, Keyring
from dataprotect.errors import (
    ConfigurationError,
    DataProtectError,
    DecryptionError,
    KeyNotFoundError,
    TwoFactorRecordError,
)
from dataprotect.twofactor import HOTP, TOTP, HOTPRecord, TOTPRecord


VECTORS = Path(__file__).parent.parent / "vectors"
RFC4226 = json.loads((VECTORS / "rfc4226.json").read_text(encoding="utf-8"))
RFC6238 = json.loads((VECTORS / "rfc6238.json").read_text(encoding="utf-8"))
FORMAT = json.loads((VECTORS / "twofactor-v1.json").read_text("utf-8"))
HASHES = {
    "sha1": hashes.SHA1,
    "sha256": hashes.SHA256,
    "sha512": hashes.SHA512,
}

algorithms = st.sampled_from(["sha1", "sha256", "sha512"])
digit_counts = st.integers(6, 8)
secrets_ = st.binary(min_size=16, max_size=64)
times = st.integers(0, 2**40)
# pyotp refuses times from the year 10000 UTC on (2.10 and later).
PYOTP_TIME_LIMIT = 253_402_300_800


def _unbase32(key: str) -> bytes:
    """The bytes of a setup key (groups of base32 without padding)."""
    text = key.replace(" ", "")
    return base64.b32decode(text + "=" * (-len(text) % 8))


ENC = Encryptor(Keyring.generate())


class TestRFCVectors:
    @pytest.mark.parametrize(
        "row", RFC4226["vectors"], ids=lambda r: str(r["count"])
    )
    def test_rfc4226_appendix_d(self, row):
        """HOTP gives RFC 4226's published codes (6 digits), and the last 7
        and 8 digits of its truncated values."""
        secret = bytes.fromhex(RFC4226["secret_hex"])
        for digits in (6, 7, 8):
            hotp = HOTP(ENC, digits=digits)
            record = hotp.from_secret(secret, counter=row["count"])
            expected = str(row["decimal"])[-digits:].zfill(digits)
            assert hotp.code(record) == expected
            if digits == 6:
                assert expected == row["hotp"]
            assert hotp.verify(record, expected)[0]

    @pytest.mark.parametrize(
        "row",
        RFC6238["vectors"],
        ids=lambda r: f"{r['mode']}-{r['time']}",
    )
    def test_rfc6238_appendix_b(self, row):
        """TOTP gives RFC 6238's published codes for every hash and seed,
        and accepts each once."""
        seed = RFC6238["seeds"][row["mode"]].encode("ascii")
        totp = TOTP(ENC, algorithm=row["mode"], digits=8)
        record = totp.from_secret(seed, context=b"rfc")
        assert (
            totp.code(record, context=b"rfc", now=row["time"]) == row["totp"]
        )
        ok, used = totp.verify(
            record, row["totp"], context=b"rfc", now=row["time"]
        )
        assert ok
        assert used.last_step == int(row["step_hex"], 16)
        assert not totp.verify(
            used, row["totp"], context=b"rfc", now=row["time"]
        )[0]

    @given(
        secret=secrets_,
        algorithm=algorithms,
        digits=digit_counts,
        counter=st.integers(0, 2**64 - 1),
    )
    def test_hotp_matches_cryptography(
        self, secret, algorithm, digits, counter
    ):
        """Every code equals cryptography's hazmat HOTP."""
        hotp = HOTP(ENC, algorithm=algorithm, digits=digits)
        record = hotp.from_secret(secret, counter=counter)
        reference = raw_hotp.HOTP(secret, digits, HASHES[algorithm]())
        assert hotp.code(record).encode() == reference.generate(counter)

    @given(
        secret=secrets_, algorithm=algorithms, digits=digit_counts, now=times
    )
    def test_totp_matches_cryptography_and_pyotp(
        self, secret, algorithm, digits, now
    ):
        """Every code equals cryptography's hazmat TOTP and pyotp's."""
        totp = TOTP(ENC, algorithm=algorithm, digits=digits, period=30)
        record = totp.from_secret(secret)
        code = totp.code(record, now=now)
        reference = raw_totp.TOTP(secret, digits, HASHES[algorithm](), 30)
        assert code.encode() == reference.generate(now)
        if now >= PYOTP_TIME_LIMIT:
            return
        assert code == pyotp.TOTP(
            base64.b32encode(secret).decode(),
            digits=digits,
            digest=algorithm,
        ).at(now)


class TestReplay:
    @given(
        secret=secrets_,
        now=st.integers(100, 2**40),
        offset=st.integers(-3, 3),
        window=st.integers(0, 3),
    )
    def test_exactly_once_inside_the_window(self, secret, now, offset, window):
        """A code of a step within the window verifies once, then never; a
        code outside it never verifies (unless it equals the code of a step
        inside, a chance of about one in a million per step)."""
        totp = TOTP(ENC, window=window)
        record = totp.from_secret(secret, context=b"u")
        code = totp.code(record, context=b"u", now=now + 30 * offset)
        inside = {
            now // 30 + d: totp.code(record, context=b"u", now=now + 30 * d)
            for d in range(-window, window + 1)
        }
        ok, after = totp.verify(record, code, context=b"u", now=now)
        assert ok == (code in inside.values())
        if abs(offset) <= window:
            assert ok
        if ok:
            assert inside[after.last_step] == code
            again, _ = totp.verify(after, code, context=b"u", now=now)
            assert again == any(
                c == code for s, c in inside.items() if s > after.last_step
            )

    @given(
        secret=secrets_,
        now=st.integers(60, 2**40),
        first=st.integers(-1, 1),
        second=st.integers(-1, 1),
    )
    def test_never_after_a_later_one(self, secret, now, first, second):
        """Once the code of a step was accepted, no code of that step or
        an earlier one is accepted."""
        totp = TOTP(ENC)
        record = totp.from_secret(secret)
        codes = {d: totp.code(record, now=now + 30 * d) for d in (-1, 0, 1)}
        ok, record = totp.verify(record, codes[first], now=now)
        assert ok
        accepted = record.last_step
        ok, record = totp.verify(record, codes[second], now=now)
        if now // 30 + second <= accepted:
            # Unless its code collides with that of a later step.
            assert not ok or any(
                codes[d] == codes[second]
                for d in (-1, 0, 1)
                if now // 30 + d > accepted
            )
        else:
            assert ok

    def test_later_code_first(self):
        """A code from a clock running ahead moves the last step forward:
        the current step's code is then refused."""
        totp = TOTP(ENC)
        record = totp.from_secret(b"k" * 20)
        ahead = totp.code(record, now=1030)
        now = totp.code(record, now=1000)
        ok, record = totp.verify(record, ahead, now=1000)
        assert ok
        assert record.last_step == 1030 // 30
        assert not totp.verify(record, now, now=1000)[0]

    def test_window_zero_and_order(self):
        """Window 0 accepts only the current step."""
        totp = TOTP(ENC, window=0)
        record = totp.from_secret(b"k" * 20)
        assert not totp.verify(record, totp.code(record, now=970), now=1000)[0]
        assert totp.verify(record, totp.code(record, now=1000), now=1000)[0]

    def test_step_zero_edge(self):
        """At the epoch there is no earlier step to accept."""
        totp = TOTP(ENC, window=2)
        record = totp.from_secret(b"k" * 20)
        ok, record = totp.verify(record, totp.code(record, now=0), now=0)
        assert ok
        assert record.last_step == 0
        assert not totp.verify(record, totp.code(record, now=0), now=1)[0]

    def test_hotp_counter_moves_past_the_code(self):
        """HOTP accepts within the look-ahead, moves past the accepted
        counter, and never accepts it or an earlier one again."""
        hotp = HOTP(ENC, look_ahead=3)
        record = hotp.from_secret(b"s" * 20, counter=10)
        codes = {c: hotp.code(record, counter=c) for c in range(8, 16)}
        assert not hotp.verify(record, codes[14])[0]  # beyond look-ahead
        ok, record = hotp.verify(record, codes[12])
        assert ok
        assert record.counter == 13
        for c in (10, 11, 12):
            assert not hotp.verify(record, codes[c])[0]
        assert hotp.verify(record, codes[13])[0]

    def test_hotp_counter_exhausted(self):
        """The last counter value is accepted once; then nothing is."""
        hotp = HOTP(ENC, look_ahead=5)
        record = hotp.from_secret(b"s" * 20, counter=2**64 - 2)
        last = hotp.code(record, counter=2**64 - 1)
        ok, record = hotp.verify(record, last)
        assert ok
        assert record.counter == 2**64
        assert not hotp.verify(record, last)[0]
        assert HOTPRecord.from_json(record.to_json()) == record

    def test_totp_at_the_end_of_time(self):
        """Steps past 2**64 - 1 are never computed."""
        totp = TOTP(ENC, period=15)
        record = totp.from_secret(b"k" * 20)
        now = float(2**64 * 15)
        assert not totp.verify(record, "123456", now=now)[0]
        with pytest.raises(ConfigurationError, match="last time step"):
            totp.code(record, now=now)


class TestCodes:
    @pytest.mark.parametrize(
        "typed", [" 287 082 ", "287082", "287\t082", "2870 82"]
    )
    def test_white_space_is_ignored(self, typed):
        """Spaces and tabs a user types around and inside are ignored."""
        hotp = HOTP(ENC)
        record = hotp.from_secret(b"12345678901234567890", counter=1)
        assert hotp.verify(record, typed)[0]
        totp = TOTP(ENC)
        trecord = totp.from_secret(b"12345678901234567890")
        code = totp.code(trecord, now=59)  # RFC 6238: 94287082 -> 287082
        assert code == "287082"
        assert totp.verify(trecord, typed, now=59)[0]

    @pytest.mark.parametrize(
        "typed",
        [
            "",
            "28708",
            "2870822",
            "28708a",
            "\uff12\uff18\uff17\uff10\uff18\uff12",
            "1" * 65,
            "-87082",
        ],
    )
    def test_malformed_codes_are_wrong(self, typed):
        """Anything but the right number of ASCII digits is a wrong code."""
        hotp = HOTP(ENC)
        record = hotp.from_secret(b"12345678901234567890", counter=1)
        ok, same = hotp.verify(record, typed)
        assert not ok
        assert same is record
        totp = TOTP(ENC)
        trecord = totp.from_secret(b"12345678901234567890")
        assert totp.verify(trecord, typed, now=0) == (False, trecord)

    def test_wrong_types(self):
        """Wrong argument types are TypeErrors."""
        totp = TOTP(ENC)
        record = totp.new()
        with pytest.raises(TypeError, match="code must be str"):
            totp.verify(record, 123456)
        with pytest.raises(TypeError, match="record must be TOTPRecord"):
            totp.verify(record.to_json(), "123456")
        with pytest.raises(TypeError, match="record must be TOTPRecord"):
            totp.code("nope")
        with pytest.raises(TypeError, match="now must be"):
            totp.verify(record, "123456", now="1")
        with pytest.raises(TypeError, match="now must be"):
            totp.verify(record, "123456", now=True)
        with pytest.raises(TypeError, match="context must be bytes"):
            totp.verify(record, "123456", context="u")
        hotp = HOTP(ENC)
        with pytest.raises(TypeError, match="record must be HOTPRecord"):
            hotp.verify(record, "123456")
        with pytest.raises(TypeError, match="counter must be int"):
            hotp.code(hotp.new(), counter=1.0)

    @pytest.mark.parametrize("now", [-1, float("nan"), float("inf")])
    def test_bad_now(self, now):
        """A negative or non-finite time is refused."""
        totp = TOTP(ENC)
        with pytest.raises(ConfigurationError, match="now must be"):
            totp.verify(totp.new(), "123456", now=now)

    def test_default_clock(self):
        """Without now= the real time is used."""
        totp = TOTP(ENC)
        record = totp.new()
        assert totp.verify(record, totp.code(record))[0]

    def test_bytearray_context(self):
        """A bytearray context is accepted as bytes."""
        totp = TOTP(ENC)
        record = totp.new(context=b"ctx")
        code = totp.code(record, context=bytearray(b"ctx"), now=100)
        assert totp.verify(record, code, context=bytearray(b"ctx"), now=100)[0]


class TestEncryptedSecret:
    def test_wrong_context_or_parameters_fail(self):
        """A record moved to another user, or whose parameters were changed
        in storage, fails to decrypt: never a silent wrong check."""
        totp = TOTP(ENC)
        record = totp.new(context=b"users:1")
        code = totp.code(record, context=b"users:1", now=100)
        with pytest.raises(DecryptionError):
            totp.verify(record, code, context=b"users:2", now=100)
        for changes in (
            {"digits": 8},
            {"period": 60},
            {"algorithm": "sha256"},
        ):
            data = {**json.loads(record.to_json())}
            data.update(
                {
                    "alg" if k == "algorithm" else k: v
                    for k, v in changes.items()
                }
            )
            moved = TOTPRecord.from_json(json.dumps(data))
            with pytest.raises(DecryptionError):
                totp.verify(
                    moved, "1" * moved.digits, context=b"users:1", now=100
                )
        hotp = HOTP(ENC)
        hrecord = hotp.new(context=b"a")
        with pytest.raises(DecryptionError):
            hotp.verify(hrecord, "123456", context=b"b")
        # A TOTP secret is not an HOTP secret.
        as_hotp = HOTPRecord(record.encrypted_secret, "sha1", 6, 0)
        with pytest.raises(DecryptionError):
            hotp.verify(as_hotp, "123456", context=b"users:1")

    @given(secret=secrets_, typed=st.text(max_size=80))
    def test_no_secret_in_repr_or_errors(self, secret, typed):
        """Neither the secret (raw, hex or base32) nor its ciphertext shows
        in reprs, messages or tracebacks, whatever the code typed."""
        totp = TOTP(ENC)
        record = totp.from_secret(secret, context=b"u")
        shown = [repr(record), str(record), repr(totp)]
        shown.append(repr(totp.verify(record, typed, context=b"u", now=9)))
        with pytest.raises(DecryptionError) as info:
            totp.verify(record, "123456", context=b"v", now=1000)
        shown.append("".join(traceback.format_exception(info.value)))
        text = "\n".join(shown)
        for leak in (
            repr(secret)[2:-1],
            secret.hex(),
            base64.b32encode(secret).decode().rstrip("="),
            base64.urlsafe_b64encode(record.encrypted_secret).decode()[:24],
        ):
            assert leak[:24] not in text
        assert repr(record) == (
            "TOTPRecord(algorithm='sha1', digits=6, period=30, last_step=None)"
        )

    def test_generators_refuse_pickling(self):
        """TOTP and HOTP objects hold the Encryptor: no pickling."""
        for gen in (TOTP(ENC), HOTP(ENC)):
            with pytest.raises(TypeError, match="cannot be pickled"):
                pickle.dumps(gen)

    def test_new_secrets_are_random_and_sized(self):
        """new() draws a fresh secret of the hash's size (or secret_size)."""
        for algorithm, size in (("sha1", 20), ("sha256", 32), ("sha512", 64)):
            totp = TOTP(ENC, algorithm=algorithm)
            keys = {totp.setup_key(totp.new()) for _ in range(3)}
            assert len(keys) == 3
            assert {len(_unbase32(k)) for k in keys} == {size}
        hotp = HOTP(ENC, secret_size=16)
        assert len(_unbase32(hotp.setup_key(hotp.new()))) == 16

    def test_rotate(self):
        """rotate() re-encrypts under the new primary key; a current record
        comes back unchanged; the old key may then be retired."""
        ring = Keyring.generate()
        enc = Encryptor(ring)
        totp = TOTP(enc)
        hotp = HOTP(enc)
        record = totp.new(context=b"u")
        hrecord = hotp.new(context=b"u")
        assert totp.rotate(record, context=b"u") is record
        old = ring.primary_id
        ring.rotate()
        moved = totp.rotate(record, context=b"u")
        hmoved = hotp.rotate(hrecord, context=b"u")
        assert moved != record
        assert moved.encrypted_secret[1:5] == ring.primary_id.to_bytes(
            4, "big"
        )
        ring.retire(old)
        with pytest.raises(KeyNotFoundError):
            totp.verify(record, "000000", context=b"u")
        code = totp.code(moved, context=b"u", now=1000)
        assert totp.verify(moved, code, context=b"u", now=1000)[0]
        assert hotp.verify(
            hmoved, hotp.code(hmoved, context=b"u"), context=b"u"
        )[0]


class TestProvisioning:
    def test_uri_round_trips_through_pyotp(self):
        """The otpauth URI carries the secret and parameters; pyotp reads
        the same codes from it."""
        totp = TOTP(ENC, algorithm="sha256", digits=8, period=60)
        record = totp.new(context=b"u")
        uri = totp.provisioning_uri(
            record, "alice@example.com", issuer="ACME Corp", context=b"u"
        )
        assert uri.startswith(
            "otpauth://totp/ACME%20Corp:alice%40example.com?"
        )
        assert "&issuer=ACME%20Corp&algorithm=SHA256&digits=8&period=60" in uri
        parsed = pyotp.parse_uri(uri)
        assert parsed.issuer == "ACME Corp"
        assert parsed.name == "alice@example.com"
        assert parsed.at(1234567) == totp.code(
            record, context=b"u", now=1234567
        )

    def test_hotp_uri(self):
        """An HOTP URI carries the counter."""
        hotp = HOTP(ENC)
        record = hotp.from_secret(b"12345678901234567890", counter=3)
        uri = hotp.provisioning_uri(record, "bob", issuer="Example")
        assert uri == (
            "otpauth://hotp/Example:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
            "&issuer=Example&algorithm=SHA1&digits=6&counter=3"
        )
        # pyotp counts from the URI's counter.
        assert pyotp.parse_uri(uri).at(0) == hotp.code(record)

    @pytest.mark.parametrize("bad", ["", "a:b", "x" * 257])
    def test_bad_labels(self, bad):
        """Empty, over-long or colon-holding names are refused."""
        totp = TOTP(ENC)
        record = totp.new()
        with pytest.raises(ConfigurationError, match="account must be"):
            totp.provisioning_uri(record, bad, issuer="ok")
        with pytest.raises(ConfigurationError, match="issuer must be"):
            totp.provisioning_uri(record, "ok", issuer=bad)
        with pytest.raises(TypeError, match="issuer must be str"):
            totp.provisioning_uri(record, "ok", issuer=None)

    def test_setup_key(self):
        """The setup key is the secret in base32, in groups of four."""
        hotp = HOTP(ENC)
        record = hotp.from_secret(b"12345678901234567890")
        assert (
            hotp.setup_key(record) == "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"
        )


class TestConfiguration:
    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"algorithm": "md5"}, "algorithm must be"),
            ({"digits": 5}, "digits must be from 6 to 8"),
            ({"digits": 9}, "digits must be from 6 to 8"),
            ({"period": 10}, "period must be from 15 to 300"),
            ({"period": 301}, "period must be from 15 to 300"),
            ({"window": -1}, "window must be from 0 to 10"),
            ({"window": 11}, "window must be from 0 to 10"),
            ({"secret_size": 15}, "secret_size must be from 16 to 64"),
            ({"secret_size": 65}, "secret_size must be from 16 to 64"),
        ],
    )
    def test_totp_bounds(self, kwargs, message):
        """Out-of-bounds settings are ConfigurationErrors naming the rule."""
        with pytest.raises(ConfigurationError, match=message) as info:
            TOTP(ENC, **kwargs)
        assert isinstance(info.value, DataProtectError)

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"look_ahead": -1}, "look_ahead must be from 0 to 100"),
            ({"look_ahead": 101}, "look_ahead must be from 0 to 100"),
            ({"algorithm": "SHA1"}, "algorithm must be"),
        ],
    )
    def test_hotp_bounds(self, kwargs, message):
        """HOTP checks its settings the same way."""
        with pytest.raises(ConfigurationError, match=message):
            HOTP(ENC, **kwargs)

    def test_types(self):
        """Wrong setting types are TypeErrors."""
        with pytest.raises(TypeError, match="encryptor must be Encryptor"):
            TOTP(Keyring.generate())
        with pytest.raises(TypeError, match="algorithm must be str"):
            TOTP(ENC, algorithm=1)
        with pytest.raises(TypeError, match="digits must be int"):
            TOTP(ENC, digits=6.0)
        with pytest.raises(TypeError, match="digits must be int"):
            HOTP(ENC, digits=True)

    def test_secret_bounds(self):
        """Imported secrets must be 16 to 64 bytes; counters 0 to 2**64-1."""
        totp = TOTP(ENC)
        hotp = HOTP(ENC)
        for bad in (b"x" * 15, b"x" * 65):
            with pytest.raises(ConfigurationError, match="secret must be 16"):
                totp.from_secret(bad)
        with pytest.raises(TypeError, match="secret must be bytes"):
            totp.from_secret("x" * 20)
        with pytest.raises(ConfigurationError, match="counter must be from"):
            hotp.from_secret(b"x" * 20, counter=2**64)
        with pytest.raises(ConfigurationError, match="counter must be from"):
            hotp.code(hotp.new(), counter=-1)

    def test_reprs(self):
        """Generators show their settings only."""
        assert repr(TOTP(ENC)) == "<TOTP sha1 digits=6 period=30 window=1>"
        assert (
            repr(HOTP(ENC, digits=8)) == "<HOTP sha1 digits=8 look_ahead=10>"
        )


class TestRecords:
    def test_json_round_trip(self):
        """to_json and from_json round-trip, from str and bytes."""
        totp = TOTP(ENC, algorithm="sha512", digits=7, period=45)
        record = totp.new()
        ok, record = totp.verify(record, totp.code(record, now=999), now=999)
        assert ok
        assert TOTPRecord.from_json(record.to_json()) == record
        assert TOTPRecord.from_json(record.to_json().encode()) == record
        hrecord = HOTP(ENC).new()
        assert HOTPRecord.from_json(hrecord.to_json()) == hrecord

    @pytest.mark.parametrize(
        "change",
        [
            {"v": 2},
            {"v": True},
            {"type": "hotp"},
            {"alg": "md5"},
            {"alg": 1},
            {"digits": 9},
            {"digits": "6"},
            {"digits": True},
            {"period": 1},
            {"last_step": -1},
            {"last_step": 2**64},
            {"last_step": 1.5},
            {"secret": "not base64!"},
            {"secret": ""},
            {"secret": 5},
            {"secret": "A" * 700},
            {"extra": 1},
        ],
    )
    def test_malformed_totp_json(self, change):
        """Every malformed field is a TwoFactorRecordError, never a
        traceback from deeper down."""
        data = json.loads(TOTP(ENC).new().to_json())
        data.update(change)
        with pytest.raises(TwoFactorRecordError) as info:
            TOTPRecord.from_json(json.dumps(data))
        assert str(info.value) == "malformed two-factor record"
        assert isinstance(info.value, ValueError)

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "[]",
            "null",
            "{",
            "[" * 3000 + "]" * 3000,
            "{" + "x" * 5000 + "}",
            b"\xff\xfe",
            '{"v":1}',
        ],
    )
    def test_garbage_json(self, text):
        """Garbage, deep nesting and huge input are refused (bounded)."""
        with pytest.raises(TwoFactorRecordError):
            TOTPRecord.from_json(text)
        with pytest.raises(TwoFactorRecordError):
            HOTPRecord.from_json(text)

    def test_from_json_type(self):
        """from_json takes str or bytes only."""
        with pytest.raises(TypeError, match="text must be str or bytes"):
            TOTPRecord.from_json({"v": 1})

    def test_malformed_hotp_json(self):
        """An HOTP record with a bad counter, or a TOTP record read as
        HOTP, is refused."""
        data = json.loads(HOTP(ENC).new().to_json())
        for counter in (-1, 2**64 + 1, None, "0"):
            bad = json.dumps({**data, "counter": counter})
            with pytest.raises(TwoFactorRecordError):
                HOTPRecord.from_json(bad)
        with pytest.raises(TwoFactorRecordError):
            HOTPRecord.from_json(TOTP(ENC).new().to_json())

    def test_direct_construction_is_checked(self):
        """Records built in code are checked like parsed ones."""
        with pytest.raises(TypeError, match="encrypted_secret must be bytes"):
            TOTPRecord("abc")
        with pytest.raises(TypeError, match="period must be int"):
            TOTPRecord(b"abc", period="30")
        with pytest.raises(TwoFactorRecordError):
            TOTPRecord(b"abc", digits=10)
        with pytest.raises(TwoFactorRecordError):
            TOTPRecord(b"")
        with pytest.raises(TwoFactorRecordError):
            HOTPRecord(b"abc", algorithm="sha3")
        assert TOTPRecord(b"abc").last_step is None

    def test_committed_format_vectors(self):
        """Records written by format 1 still load, decrypt and verify."""
        kek = EnvKEK("KEK", environ={"KEK": FORMAT["kek"]})
        ring = Keyring.from_bytes(base64.b64decode(FORMAT["keyring"]), kek=kek)
        enc = Encryptor(ring)
        for item in FORMAT["totp"]:
            record = TOTPRecord.from_json(item["record"])
            assert record.to_json() == item["record"]
            context = bytes.fromhex(item["context"])
            totp = TOTP(enc)  # the record's own parameters apply
            key = totp.setup_key(record, context=context).replace(" ", "")
            assert key == item["secret"].rstrip("=")
            ok, used = totp.verify(
                record, item["code"], context=context, now=item["time"]
            )
            assert ok
            assert not totp.verify(
                used, item["code"], context=context, now=item["time"]
            )[0]
        item = FORMAT["hotp"]
        record = HOTPRecord.from_json(item["record"])
        assert record.to_json() == item["record"]
        hotp = HOTP(enc)
        context = bytes.fromhex(item["context"])
        key = _unbase32(hotp.setup_key(record, context=context))
        assert key.hex() == item["secret"]
        ok, used = hotp.verify(record, item["code"], context=context)
        assert ok
        assert used.counter == item["counter"] + 1

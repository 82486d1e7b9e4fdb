"""Tests for dataprotect.backup.age: CCTV vectors, the age CLI, properties."""

from __future__ import annotations

import hashlib
import io
import pickle
import random
import subprocess
import zlib

from pathlib import Path

import pytest

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataprotect._stream import seal_stream
from dataprotect.backup import age
from dataprotect.backup.age._header import _payload_aead, _read_header
from dataprotect.errors import (
    AgeArmorError,
    AgeDecryptionError,
    AgeError,
    AgeFormatError,
    AgeNoMatchError,
    BackupError,
    ConfigurationError,
    DecryptionError,
)
from helpers import outcome, require_binary, shown_text, tool_output, tty_run
from strategies import secret_texts


VECTORS = Path(__file__).parents[1] / "vectors" / "age"
CHUNK = 64 * 1024
# Low scrypt work factor for speed; age itself uses 18.
FAST = 4


def _vector(path: Path):
    """Parse a CCTV testkit file into (metadata, identities, age file)."""
    head, _, body = path.read_bytes().partition(b"\n\n")
    meta: dict[str, str] = {}
    identities: list[object] = []
    for line in head.decode().split("\n"):
        key, _, value = line.partition(": ")
        if key == "identity":
            identities.append(age.parse_identity(value))
        elif key == "passphrase":
            identities.append(age.ScryptIdentity(value))
        else:
            meta[key] = value
    if meta.get("compressed") == "zlib":
        body = zlib.decompress(body)
    return meta, identities, body


VECTOR_FILES = sorted(
    p for p in VECTORS.iterdir() if p.name != "PROVENANCE.txt"
)
OUTCOMES = {
    AgeArmorError: "armor failure",
    AgeFormatError: "header failure",
    AgeNoMatchError: "no match",
}


def _data(size: int, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(size)


def _enc(data: bytes, recipients=(), **kwargs) -> bytes:
    out = io.BytesIO()
    assert age.encrypt(io.BytesIO(data), out, recipients, **kwargs) == len(
        data
    )
    return out.getvalue()


def _dec(blob: bytes, identities=(), **kwargs) -> bytes:
    out = io.BytesIO()
    n = age.decrypt(io.BytesIO(blob), out, identities, **kwargs)
    assert n == len(out.getvalue())
    return out.getvalue()


@pytest.fixture(name="identity", scope="module")
def _identity():
    return age.generate_x25519_identity()


class TestCCTVVectors:
    def test_all_vectors_present(self):
        """The full testkit (143 vectors) is in tests/vectors/age."""
        assert len(VECTOR_FILES) == 143
        assert (VECTORS / "PROVENANCE.txt").exists()

    @pytest.mark.parametrize("path", VECTOR_FILES, ids=lambda p: p.name)
    def test_vector(self, path):
        """Each vector gives its expected result and releases the expected plaintext."""
        meta, identities, body = _vector(path)
        if not identities:
            identities = [age.generate_x25519_identity()]
        out = io.BytesIO()
        try:
            age.decrypt(
                io.BytesIO(body),
                out,
                identities,
                armor=meta.get("armored") == "yes",
            )
            got = "success"
        except AgeDecryptionError:
            # One exception for both: the header MAC failed (nothing was
            # released) or a payload chunk failed (a prefix was).
            got = (
                "HMAC failure"
                if meta["expect"] == "HMAC failure"
                else "payload failure"
            )
            if got == "HMAC failure":
                assert out.getvalue() == b""
        except AgeError as exc:
            got = next(v for k, v in OUTCOMES.items() if isinstance(exc, k))
        assert got == meta["expect"]
        if got in ("header failure", "armor failure", "no match"):
            assert out.getvalue() == b""
        if "payload" in meta:
            assert (
                hashlib.sha256(out.getvalue()).hexdigest() == meta["payload"]
            )

    @pytest.mark.parametrize(
        "path",
        [
            p
            for p in VECTOR_FILES
            if b"expect: success" in p.read_bytes()[:200]
            and b"armored: yes" not in p.read_bytes()[:400]
        ],
        ids=lambda p: p.name,
    )
    def test_reencode(self, path):
        """Our header and STREAM encoders reproduce the success vectors byte for byte."""
        meta, identities, body = _vector(path)
        plaintext = _dec(body, identities)
        reader = io.BufferedReader(io.BytesIO(body))
        stanzas, header, _ = _read_header(reader)
        assert _header_bytes(stanzas) == header
        nonce = reader.read(16)
        payload = reader.read()
        out = io.BytesIO()
        key = bytes.fromhex(meta["file key"])
        seal_stream(
            _payload_aead(key, nonce),
            io.BytesIO(plaintext),
            out,
            segment_size=CHUNK,
        )
        assert out.getvalue() == payload

    @pytest.mark.parametrize(
        "path",
        [
            p
            for p in VECTOR_FILES
            if b"expect: success" in p.read_bytes()[:200]
            and b"armored: yes" in p.read_bytes()[:400]
        ],
        ids=lambda p: p.name,
    )
    def test_armor_reencode(self, path):
        """Re-armoring the decoded bytes gives the vector, up to outer whitespace and CRLF."""
        _, _, body = _vector(path)
        raw = io.BufferedReader(
            age._ArmorReader(io.BufferedReader(io.BytesIO(body)))
        ).read()
        out = io.BytesIO()
        writer = age._ArmorWriter(out)
        writer.write(raw)
        writer.close()
        normalised = body.replace(b"\r\n", b"\n").strip(b" \t\r\n") + b"\n"
        assert out.getvalue() == normalised


def _header_bytes(stanzas) -> bytes:
    return (
        b"age-encryption.org/v1\n"
        + b"".join(s.encode() for s in stanzas)
        + b"---"
    )


class TestRoundTrip:
    @settings(max_examples=25, deadline=None)
    @given(
        size=st.one_of(
            st.sampled_from(
                [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 2 * CHUNK + 1]
            ),
            st.integers(0, 3 * CHUNK),
        ),
        armor=st.booleans(),
        seed=st.integers(0, 2**16),
    )
    def test_x25519(self, identity, size, armor, seed):
        """Any size around the chunk boundaries round-trips, binary or armored."""
        data = _data(size, seed)
        blob = _enc(data, [identity.recipient], armor=armor)
        assert blob.startswith(
            b"-----BEGIN" if armor else b"age-encryption.org/v1\n"
        )
        assert _dec(blob, [identity]) == data
        assert _dec(blob, [identity.to_text()]) == data

    @settings(max_examples=10, deadline=None)
    @given(size=st.integers(0, 2 * CHUNK + 5), armor=st.booleans())
    def test_passphrase(self, size, armor):
        """A passphrase round-trips; the wrong one does not match."""
        data = _data(size)
        blob = _enc(
            data, passphrase="correct horse", work_factor=FAST, armor=armor
        )
        assert _dec(blob, passphrase="correct horse") == data
        with pytest.raises(AgeNoMatchError):
            _dec(blob, passphrase="wrong horse")

    def test_hybrid(self):
        """Post-quantum hybrid recipients round-trip, text forms included."""
        ident = age.generate_hybrid_identity()
        text = ident.recipient.to_text()
        assert text.startswith("age1pq1")
        assert age.parse_recipient(text) == ident.recipient
        again = age.parse_identity(ident.to_text())
        assert again.recipient == ident.recipient
        data = _data(CHUNK + 3)
        blob = _enc(data, [text])
        assert b"-> mlkem768x25519 " in blob
        assert _dec(blob, [again]) == data
        with pytest.raises(AgeNoMatchError):
            _dec(blob, [age.generate_hybrid_identity()])

    def test_several_recipients(self):
        """Each of several recipients can decrypt; the order of identities does not matter."""
        a, b = age.generate_x25519_identity(), age.generate_x25519_identity()
        blob = _enc(b"data", [a.recipient, str(b.recipient)])
        assert _dec(blob, [b]) == b"data"
        assert _dec(blob, [age.generate_x25519_identity(), a]) == b"data"

    def test_files(self, tmp_path, identity):
        """The path helpers write atomically and leave nothing on failure."""
        src = tmp_path / "plain"
        src.write_bytes(_data(1000))
        age.encrypt_file(src, tmp_path / "c.age", [identity.recipient])
        assert (
            age.decrypt_file(tmp_path / "c.age", tmp_path / "out", [identity])
            == 1000
        )
        assert (tmp_path / "out").read_bytes() == src.read_bytes()
        blob = bytearray((tmp_path / "c.age").read_bytes())
        blob[-1] ^= 1
        (tmp_path / "bad.age").write_bytes(blob)
        with pytest.raises(AgeDecryptionError):
            age.decrypt_file(
                tmp_path / "bad.age", tmp_path / "out2", [identity]
            )
        assert sorted(p.name for p in tmp_path.iterdir()) == [
            "bad.age",
            "c.age",
            "out",
            "plain",
        ]

    def test_trickling_source_and_open_files(self, identity):
        """A source yielding one byte per read works, armored or not, and stays open."""

        class Trickle(io.RawIOBase):
            def __init__(self, data):
                self.data = io.BytesIO(data)

            def readable(self):
                return True

            def readinto(self, buf):
                chunk = self.data.read(1)
                buf[: len(chunk)] = chunk
                return len(chunk)

        for armor in (False, True):
            blob = _enc(b"drip" * 10, [identity.recipient], armor=armor)
            src = Trickle(b"\n  " + blob if armor else blob)
            out = io.BytesIO()
            age.decrypt(src, out, [identity])
            assert out.getvalue() == b"drip" * 10
            assert not src.closed

    def test_non_buffered_streams(self, identity):
        """Sources with only read() work too."""

        class ReadOnly:
            def __init__(self, data):
                self.data = io.BytesIO(data)

            def read(self, n=-1):
                return self.data.read(n)

        data = _data(CHUNK * 2 + 7)
        out = io.BytesIO()
        age.encrypt(ReadOnly(data), out, [identity.recipient])
        back = io.BytesIO()
        age.decrypt(ReadOnly(out.getvalue()), back, [identity])
        assert back.getvalue() == data


class TestTampering:
    def test_every_byte_flip_rejected(self, identity):
        """Flipping any bit of any byte of a small file fails and releases nothing."""
        blob = _enc(b"attack at dawn" * 5, [identity.recipient])
        for pos in range(len(blob)):
            for bit in (0x01, 0x80):
                bad = bytearray(blob)
                bad[pos] ^= bit
                out = io.BytesIO()
                with pytest.raises(AgeError):
                    age.decrypt(io.BytesIO(bytes(bad)), out, [identity])
                assert out.getvalue() == b""

    def test_every_truncation_and_extension_rejected(self, identity):
        """Every truncation and an appended byte fail and release nothing."""
        blob = _enc(b"attack at dawn", [identity.recipient])
        for end in range(len(blob)):
            out = io.BytesIO()
            with pytest.raises(AgeError):
                age.decrypt(io.BytesIO(blob[:end]), out, [identity])
            assert out.getvalue() == b""
        for extra in (b"\x00", b"garbage"):
            out = io.BytesIO()
            with pytest.raises(AgeDecryptionError):
                age.decrypt(io.BytesIO(blob + extra), out, [identity])

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(data=st.data())
    def test_armored_byte_changes_rejected(self, identity, data):
        """Any single-byte change inside an armored file is rejected."""
        blob = _enc(b"armored secret" * 3, [identity.recipient], armor=True)
        pos = data.draw(st.integers(0, len(blob) - 1))
        value = data.draw(st.integers(0, 255).filter(lambda v: v != blob[pos]))
        bad = blob[:pos] + bytes([value]) + blob[pos + 1 :]
        if bad.strip(b" \t\r\n") == blob.strip(b" \t\r\n"):
            return  # whitespace outside the armor is allowed
        out = io.BytesIO()
        with pytest.raises(AgeError):
            age.decrypt(io.BytesIO(bad), out, [identity])
        assert out.getvalue() == b""

    def test_later_chunk_releases_only_authenticated_prefix(self, identity):
        """A bad second chunk releases exactly the first, authenticated chunk."""
        data = _data(3 * CHUNK)
        blob = bytearray(_enc(data, [identity.recipient]))
        blob[-CHUNK] ^= 1  # inside the third chunk
        out = io.BytesIO()
        with pytest.raises(AgeDecryptionError) as info:
            age.decrypt(io.BytesIO(bytes(blob)), out, [identity])
        assert out.getvalue() == data[: 2 * CHUNK]
        assert str(info.value) == "decryption failed"
        assert info.value.__cause__ is None

    def test_header_mac_failure(self, identity):
        """A modified stanza that still unwraps fails the header MAC."""
        blob = _enc(
            b"x",
            [identity.recipient, age.generate_x25519_identity().recipient],
        )
        # Swap the two stanzas: each still unwraps, but the MAC covers the order.
        lines = blob.split(b"\n")
        swapped = b"\n".join(
            [lines[0], lines[3], lines[4], lines[1], lines[2], *lines[5:]]
        )
        with pytest.raises(AgeDecryptionError):
            _dec(swapped, [identity])


class TestIdentities:
    def test_text_forms(self, identity):
        """Identities and recipients have age's text forms and parse back."""
        text = identity.to_text()
        assert text.startswith("AGE-SECRET-KEY-1")
        assert text == text.upper()
        assert str(identity.recipient).startswith("age1")
        assert age.parse_identity(text).recipient == identity.recipient
        assert (
            age.parse_recipient(str(identity.recipient)) == identity.recipient
        )

    def test_identity_file(self, identity):
        """An age-keygen style file with comments parses."""
        text = f"# created: now\n# public key: {identity.recipient}\n{identity.to_text()}\n\n"
        (parsed,) = age.parse_identities(text)
        assert parsed.recipient == identity.recipient
        with pytest.raises(ConfigurationError):
            age.parse_identities("# nothing\n")

    @pytest.mark.parametrize(
        "factory", [age.generate_x25519_identity, age.generate_hybrid_identity]
    )
    def test_no_secret_in_repr_or_pickle(self, factory):
        """repr/str show only the public side; pickling is refused."""
        ident = factory()
        secret = ident.to_text()
        for shown in (repr(ident), str(ident)):
            assert secret not in shown
            assert secret.lower() not in shown
        with pytest.raises(TypeError):
            pickle.dumps(ident)
        passphrase = age.ScryptIdentity("hunter2")
        assert "hunter2" not in repr(passphrase)
        with pytest.raises(TypeError):
            pickle.dumps(passphrase)

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "AGE-SECRET-KEY-1",
            "age1qqqqqq",
            "AGE-PLUGIN-YUBIKEY-1QQQQQQ",
        ],
    )
    def test_bad_identity_text(self, text):
        """Malformed identities are ConfigurationErrors."""
        with pytest.raises(ConfigurationError):
            age.parse_identity(text)

    def test_errors_do_not_echo_secret(self, identity):
        """A wrong-type identity string is not echoed in the message."""
        text = identity.to_text()
        with pytest.raises(ConfigurationError) as info:
            age.parse_recipient(text)
        assert text not in str(info.value)
        broken = text[:-1] + ("Q" if text[-1] != "Q" else "P")
        with pytest.raises(ConfigurationError) as info:
            age.parse_identity(broken)
        assert broken not in str(info.value)

    def test_lowercase_identity_and_uppercase_recipient_refused(
        self, identity
    ):
        """As age does, identities must be uppercase and recipients lowercase."""
        with pytest.raises(ConfigurationError):
            age.parse_identity(identity.to_text().lower())
        with pytest.raises(ConfigurationError):
            age.parse_recipient(str(identity.recipient).upper())

    @pytest.mark.parametrize(
        ("hrp", "size", "parse", "message"),
        [
            ("age", 31, "recipient", "X25519 public key must be 32 bytes"),
            ("age", 33, "recipient", "X25519 public key must be 32 bytes"),
            (
                "age1pq",
                1215,
                "recipient",
                "hybrid public key must be 1216 bytes",
            ),
            (
                "AGE-SECRET-KEY-",
                31,
                "identity",
                "X25519 identity must be 32 bytes",
            ),
            (
                "AGE-SECRET-KEY-PQ-",
                33,
                "identity",
                "hybrid identity must be 32 bytes",
            ),
        ],
    )
    def test_key_of_wrong_length(self, hrp, size, parse, message):
        """A well-formed key text holding a key of the wrong length is refused without echo."""
        from dataprotect import _bech32

        text = _bech32.encode(hrp, b"\x42" * size)
        if parse == "identity":
            text = text.upper()
        with pytest.raises(ConfigurationError) as info:
            getattr(age, f"parse_{parse}")(text)
        assert str(info.value) == message
        assert text not in str(info.value)

    def test_hybrid_key_that_is_not_ml_kem(self):
        """A 1216-byte hybrid key whose ML-KEM part is invalid is refused."""
        with pytest.raises(ConfigurationError, match="not a valid ML-KEM-768"):
            age.HybridRecipient(b"\xff" * 1216)

    @pytest.mark.parametrize(
        "factory", [age.generate_x25519_identity, age.generate_hybrid_identity]
    )
    def test_recipient_value_semantics(self, factory):
        """Recipients compare and hash by key, show their text, and never equal other types."""
        ident = factory()
        recipient = ident.recipient
        again = age.parse_recipient(recipient.to_text())
        assert again == recipient
        assert hash(again) == hash(recipient)
        assert len({recipient, again, factory().recipient}) == 2
        assert recipient != recipient.to_text()
        assert recipient.__eq__(object()) is NotImplemented
        shown = repr(recipient)
        assert shown.startswith(f"<{type(recipient).__name__} age1")
        assert len(shown) < 100
        assert ident.to_text() not in shown

    def test_cryptography_without_ml_kem(self, request, identity):
        """Without cryptography's ML-KEM, post-quantum recipients name the problem."""
        from dataprotect.errors import MissingDependencyError

        text = age.generate_hybrid_identity().recipient.to_text()
        request.getfixturevalue("without_ml_kem")
        with pytest.raises(MissingDependencyError, match="cryptography 50"):
            age.parse_recipient(text)
        # Classic recipients do not need it.
        assert _dec(_enc(b"x", [identity.recipient]), [identity]) == b"x"

    def test_hybrid_identity_without_ml_kem(self, without_ml_kem):
        """Without cryptography's ML-KEM, a post-quantum identity is a MissingDependencyError."""
        from dataprotect.errors import MissingDependencyError

        with pytest.raises(MissingDependencyError):
            age.generate_hybrid_identity()


class TestConfiguration:
    def test_needs_recipient(self):
        """Encrypting to nobody, or decrypting with nothing, is refused."""
        with pytest.raises(ConfigurationError):
            _enc(b"x")
        with pytest.raises(ConfigurationError):
            _dec(b"x")

    def test_passphrase_alone(self, identity):
        """A passphrase cannot be mixed with other recipients."""
        with pytest.raises(ConfigurationError):
            _enc(b"x", [identity.recipient], passphrase="pw", work_factor=FAST)

    def test_no_pq_classic_mix(self, identity):
        """Post-quantum and classic recipients are not mixed (age spec)."""
        with pytest.raises(ConfigurationError):
            _enc(
                b"x",
                [identity.recipient, age.generate_hybrid_identity().recipient],
            )

    def test_recipients_string_is_a_type_error(self, identity):
        """A bare string instead of a list is a TypeError."""
        with pytest.raises(TypeError):
            _enc(b"x", str(identity.recipient))

    def test_identities_string_is_a_type_error(self, identity):
        """A bare identity string instead of a list is a TypeError, not echoed."""
        blob = _enc(b"x", [identity.recipient])
        with pytest.raises(TypeError) as info:
            _dec(blob, identity.to_text())
        assert identity.to_text() not in str(info.value)

    def test_work_factor_limit(self):
        """Files asking for more scrypt work than allowed are refused before the work."""
        blob = _enc(b"x", passphrase="pw", work_factor=12)
        with pytest.raises(AgeFormatError, match="work factor"):
            _dec(blob, passphrase="pw", max_work_factor=11)
        assert _dec(blob, passphrase="pw", max_work_factor=12) == b"x"

    def test_bad_work_factor(self):
        """Work factors outside 1..30 are refused."""
        with pytest.raises(ConfigurationError):
            age.ScryptRecipient("pw", work_factor=0)
        with pytest.raises(TypeError):
            age.ScryptRecipient("pw", work_factor=True)
        with pytest.raises(ConfigurationError):
            age.ScryptRecipient("")
        with pytest.raises(ConfigurationError):
            age.ScryptIdentity("pw", max_work_factor=0)
        with pytest.raises(TypeError):
            age.ScryptIdentity("pw", max_work_factor="22")
        with pytest.raises(TypeError):
            age.ScryptIdentity(22)

    def test_error_tree(self):
        """age errors are BackupErrors; authentication failures are DecryptionErrors."""
        assert issubclass(AgeDecryptionError, DecryptionError)
        assert issubclass(AgeDecryptionError, BackupError)
        assert issubclass(AgeFormatError, ValueError)
        assert issubclass(AgeArmorError, AgeFormatError)

    def test_foreign_input(self, identity):
        """Foreign formats are header failures, with or without armor detection."""
        for blob in (
            b"",
            b"hello",
            b"\x00" * 100,
            b"-----BEGIN PGP MESSAGE-----\n",
        ):
            with pytest.raises(AgeFormatError):
                _dec(blob, [identity])


# --- the real age CLI --------------------------------------------------------


@pytest.fixture(name="age_bin", scope="module")
def _age_bin():
    return require_binary("age"), require_binary("age-keygen")


SIZES = [0, 1, CHUNK, CHUNK + 1, 200_000]


@pytest.mark.services
class TestPassphraseText:
    @pytest.mark.parametrize(
        "make",
        [
            lambda p: age.ScryptRecipient(p, work_factor=FAST),
            age.ScryptIdentity,
            lambda p: _enc(b"x", passphrase=p, work_factor=FAST),
            lambda p: _dec(
                _enc(b"x", passphrase="pw", work_factor=FAST), passphrase=p
            ),
        ],
        ids=["recipient", "identity", "encrypt", "decrypt"],
    )
    def test_lone_surrogate(self, make):
        """A passphrase with a lone surrogate is a ConfigurationError, not a
        UnicodeEncodeError holding the passphrase."""
        with pytest.raises(ConfigurationError, match="lone surrogate") as info:
            make("Zq" + "9-secret\udc80")  # not a literal in the traceback
        assert "Zq9" not in shown_text(info.value)

    @given(passphrase=secret_texts)
    @settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])
    def test_any_passphrase(self, passphrase):
        """Any passphrase text encrypts and decrypts, or is a
        ConfigurationError that never shows it."""
        got = outcome(
            lambda: _enc(b"x", passphrase=passphrase, work_factor=FAST)
        )
        if isinstance(got, bytes):
            assert _dec(got, passphrase=passphrase) == b"x"
        else:
            assert isinstance(got, ConfigurationError)
            assert passphrase not in shown_text(got)


class TestAgeCLI:
    @pytest.mark.parametrize("armor", [False, True])
    def test_cli_decrypts_ours(self, age_bin, tmp_path, armor):
        """Files we write decrypt with `age -d -i`, binary and armored."""
        ident = age.generate_x25519_identity()
        keyfile = tmp_path / "key.txt"
        keyfile.write_text(ident.to_text() + "\n")
        for size in SIZES:
            data = _data(size, size)
            (tmp_path / "c.age").write_bytes(
                _enc(data, [ident.recipient], armor=armor)
            )
            out = tool_output(
                age_bin[0], "-d", "-i", keyfile, tmp_path / "c.age"
            )
            assert out == data

    @pytest.mark.parametrize("armor", [False, True])
    def test_we_decrypt_cli(self, age_bin, tmp_path, armor):
        """Files written by `age -r` (and `-a`) decrypt here with age-keygen's identity file."""
        keyfile = tmp_path / "key.txt"
        tool_output(age_bin[1], "-o", keyfile)
        recipient = tool_output(age_bin[1], "-y", keyfile).decode().strip()
        identities = age.parse_identities(keyfile.read_text())
        assert str(identities[0].recipient) == recipient
        for size in SIZES:
            data = _data(size, size + 1)
            (tmp_path / "p").write_bytes(data)
            args = [age_bin[0], "-r", recipient, "-o", str(tmp_path / "c.age")]
            if armor:
                args.append("-a")
            subprocess.run([*args, str(tmp_path / "p")], check=True)
            assert (
                _dec((tmp_path / "c.age").read_bytes(), [keyfile.read_text()])
                == data
            )

    def test_keygen_agrees(self, age_bin, tmp_path):
        """`age-keygen -y` derives the same recipient from our identity."""
        ident = age.generate_x25519_identity()
        (tmp_path / "key.txt").write_text(ident.to_text() + "\n")
        recipient = subprocess.run(
            [age_bin[1], "-y", str(tmp_path / "key.txt")],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        assert recipient == str(ident.recipient)

    def test_cli_decrypts_our_passphrase(self, age_bin, tmp_path):
        """A passphrase file we write decrypts with `age -d` on a terminal."""
        data = _data(CHUNK + 10, 7)
        (tmp_path / "c.age").write_bytes(
            _enc(data, passphrase="tty secret 1", work_factor=10, armor=True)
        )
        code = tty_run(
            [
                age_bin[0],
                "-d",
                "-o",
                str(tmp_path / "out"),
                str(tmp_path / "c.age"),
            ],
            b"tty secret 1",
        )
        assert code == 0
        assert (tmp_path / "out").read_bytes() == data

    def test_we_decrypt_cli_passphrase(self, age_bin, tmp_path):
        """A file from `age -p` (driven on a terminal) decrypts here."""
        data = _data(CHUNK * 2, 8)
        (tmp_path / "p").write_bytes(data)
        code = tty_run(
            [
                age_bin[0],
                "-p",
                "-o",
                str(tmp_path / "c.age"),
                str(tmp_path / "p"),
            ],
            b"tty secret 2",
        )
        assert code == 0
        blob = (tmp_path / "c.age").read_bytes()
        assert b"-> scrypt " in blob
        # The CLI's default work factor is within the default bound.
        factor = int(blob.split(b"-> scrypt ")[1].split(b"\n")[0].split()[1])
        assert factor <= age.MAX_WORK_FACTOR
        assert _dec(blob, passphrase="tty secret 2") == data
        with pytest.raises(AgeNoMatchError):
            _dec(blob, passphrase="tty secret 3")

    def test_cli_rejects_our_tampered_file(self, age_bin, tmp_path, identity):
        """The age CLI agrees that a modified file of ours is invalid."""
        keyfile = tmp_path / "key.txt"
        keyfile.write_text(identity.to_text() + "\n")
        blob = bytearray(_enc(b"payload", [identity.recipient]))
        blob[-3] ^= 1
        (tmp_path / "c.age").write_bytes(blob)
        result = subprocess.run(
            [age_bin[0], "-d", "-i", str(keyfile), str(tmp_path / "c.age")],
            check=False,
            capture_output=True,
        )
        assert result.returncode != 0


class TestPyrage:
    def test_both_directions(self, identity):
        """pyrage (rage) and dataprotect read each other's files."""
        pyrage = pytest.importorskip("pyrage")
        recipient = pyrage.x25519.Recipient.from_str(str(identity.recipient))
        rage_identity = pyrage.x25519.Identity.from_str(identity.to_text())
        data = _data(CHUNK + 99, 3)
        assert _dec(pyrage.encrypt(data, [recipient]), [identity]) == data
        assert (
            pyrage.decrypt(_enc(data, [identity.recipient]), [rage_identity])
            == data
        )

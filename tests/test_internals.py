"""The private pieces written once: key separation, encodings, secrets,
atomic output and STREAM."""

from __future__ import annotations

import errno
import hmac
import io
import os
import pickle
import stat

from pathlib import Path

import pytest

from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from hypothesis import given
from hypothesis import strategies as st

from dataprotect import _kdf
from dataprotect._atomic import atomic_write, is_special
from dataprotect._encoding import b64decode, b64encode
from dataprotect._hmac import HmacSha256
from dataprotect._secret import Secret, check_bytes, check_type
from dataprotect._stream import open_stream, seal_stream
from dataprotect.errors import DecryptionError
from dataprotect.keys import Keyring, PassphraseKEK


class TestKDF:
    def test_labels_are_distinct_and_versioned(self):
        """No two purposes share a label; every label is versioned."""
        labels = list(_kdf.LABELS.values())
        assert len(set(labels)) == len(labels)
        assert all(label.startswith("dataprotect/v1/") for label in labels)

    def test_every_label_is_documented(self):
        """Each label is spelled out in the docs (docs/keys.md or a format
        page), so another implementation can derive every subkey."""
        docs = Path(__file__).parent.parent / "docs"
        text = "".join(p.read_text() for p in docs.rglob("*.md"))
        for template in _kdf.LABELS.values():
            assert template.split("{}")[0] in text, template

    def test_separation(self):
        """Purposes and parameters give unrelated subkeys."""
        key = os.urandom(32)
        keys = {
            _kdf.derive(key, "token-digest"),
            _kdf.derive(key, "pepper"),
            _kdf.derive(key, "blind-index", "a"),
            _kdf.derive(key, "blind-index", "b"),
            _kdf.derive(key, "pseudonym", "2026-11-29"),
            _kdf.derive(key, "encryption"),
        }
        assert len(keys) == 6

    @pytest.mark.parametrize(
        ("purpose", "param"),
        [
            ("pepper", "x"),
            ("blind-index", None),
            ("blind-index", "a/b"),
            ("blind-index", ""),
        ],
    )
    def test_parameter_rules(self, purpose, param):
        """Parameters are required exactly where the label takes one."""
        with pytest.raises(ValueError, match="param"):
            _kdf.derive(bytes(32), purpose, param)


class TestEncoding:
    @given(st.binary())
    def test_round_trip(self, data):
        """URL-safe base64 without padding round-trips."""
        text = b64encode(data)
        assert "=" not in text
        assert b64decode(text) == data

    @pytest.mark.parametrize("bad", ["a", "a===", "ab!c", "abc=d", "QQ"])
    def test_rejects_non_canonical(self, bad):
        """Malformed or non-canonical input raises ValueError."""
        if bad == "QQ":  # canonical form of b"A" is "QQ": accepted
            assert b64decode(bad) == b"A"
            with pytest.raises(ValueError):
                b64decode("QR")
            return
        with pytest.raises(ValueError):
            b64decode(bad)


class TestEncodingNoLeaks:
    @given(
        text=st.text(min_size=1, max_size=40).filter(lambda t: not t.isascii())
    )
    def test_non_ascii_not_carried(self, text):
        """Non-ASCII input is refused with a fixed message, not its text."""
        with pytest.raises(ValueError, match="^not valid base64$") as info:
            b64decode("Zq9" + text)
        assert info.value.args == ("not valid base64",)
        assert info.value.__suppress_context__


class TestSecret:
    def test_hidden(self):
        """repr/str show the label only; pickling is refused."""
        secret = Secret(b"hunter2", label="pw")
        assert repr(secret) == str(secret) == "<Secret pw>"
        assert secret.reveal() == b"hunter2"
        assert len(secret) == 7
        with pytest.raises(TypeError):
            pickle.dumps(secret)

    def test_equality(self):
        """Secrets compare by value in constant time, and not with bytes."""
        assert Secret(b"a") == Secret(b"a")
        assert Secret(b"a") != Secret(b"b")
        assert Secret(b"a") != b"a"
        assert hash(Secret(b"a", label="x")) == hash(Secret(b"b", label="x"))

    def test_type_checks(self):
        """check_bytes and check_type name the parameter, never the value."""
        assert check_bytes("k", bytearray(b"x")) == b"x"
        with pytest.raises(TypeError, match="^k must be bytes$"):
            check_bytes("k", "secret")
        with pytest.raises(TypeError, match="^k must be int$"):
            check_type("k", "secret", int)


class TestAtomicWrite:
    def test_success(self, tmp_path):
        """Content appears under the final name with the requested mode."""
        with atomic_write(tmp_path / "f", mode=0o640) as fh:
            fh.write(b"done")
        assert (tmp_path / "f").read_bytes() == b"done"
        assert (tmp_path / "f").stat().st_mode & 0o777 == 0o640
        assert os.listdir(tmp_path) == ["f"]

    def test_failure_leaves_nothing(self, tmp_path):
        """On error the old file is kept and no temporary file remains."""
        (tmp_path / "f").write_bytes(b"old")
        with pytest.raises(RuntimeError), atomic_write(tmp_path / "f") as fh:
            fh.write(b"half")
            raise RuntimeError
        assert (tmp_path / "f").read_bytes() == b"old"
        assert os.listdir(tmp_path) == ["f"]

    def test_errors_name_the_destination(self, tmp_path):
        """A missing directory or a directory destination names the user's
        path, never the temporary file."""
        missing = tmp_path / "nope" / "f"
        with (
            pytest.raises(FileNotFoundError) as info,
            atomic_write(missing),
        ):
            pass  # pragma: no cover - never entered
        assert info.value.filename == str(missing)
        with (
            pytest.raises(IsADirectoryError) as info,
            atomic_write(tmp_path),
        ):
            pass  # pragma: no cover - never entered
        assert info.value.filename == str(tmp_path)
        assert os.listdir(tmp_path) == []

    def test_rename_error_names_the_destination(self, tmp_path):
        """A failed rename names the destination and removes the temporary:
        here a directory appears at the destination while it is written."""
        dest = tmp_path / "f"
        with (
            pytest.raises(IsADirectoryError) as info,
            atomic_write(dest) as fh,
        ):
            fh.write(b"x")
            dest.mkdir()
        assert info.value.filename == str(dest)
        assert os.listdir(tmp_path) == ["f"]

    @pytest.mark.parametrize("code", [errno.ENOSPC, errno.EIO])
    def test_disk_full_names_the_destination(self, tmp_path, code):
        """A write-only error (disk full) names the destination; others
        are left as they are."""
        with (
            pytest.raises(OSError) as info,
            atomic_write(tmp_path / "f"),
        ):
            raise OSError(code, os.strerror(code))
        expected = str(tmp_path / "f") if code == errno.ENOSPC else None
        assert info.value.filename == expected
        assert os.listdir(tmp_path) == []

    def test_special_files_are_refused(self, tmp_path):
        """A FIFO or a device is neither renamed over nor written to."""
        fifo = tmp_path / "fifo"
        os.mkfifo(fifo)
        for target in (fifo, Path("/dev/null")):
            assert is_special(target)
            with (
                pytest.raises(OSError, match="not a regular file") as info,
                atomic_write(target),
            ):
                pass  # pragma: no cover - never entered
            assert info.value.filename == str(target)
        assert stat.S_ISFIFO(fifo.stat().st_mode)
        assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
        assert not is_special(tmp_path)
        assert not is_special(tmp_path / "absent")
        assert not is_special("bad\0name")

    def test_unstatable_destination(self, tmp_path, monkeypatch):
        """An error other than 'missing' while checking the destination
        names it."""
        real = os.stat

        def stat_(path, *args, **kwargs):
            if str(path) == str(tmp_path / "f"):
                raise PermissionError(13, "Permission denied", "elsewhere")
            return real(path, *args, **kwargs)

        monkeypatch.setattr(os, "stat", stat_)
        with (
            pytest.raises(PermissionError) as info,
            atomic_write(tmp_path / "f"),
        ):
            pass  # pragma: no cover - never entered
        assert info.value.filename == str(tmp_path / "f")


class TestStream:
    @given(st.integers(0, 300), st.binary(max_size=16))
    def test_chacha_age_shape(self, size, aad):
        """STREAM also runs ChaCha20-Poly1305 with an 11-byte counter."""
        aead = ChaCha20Poly1305(os.urandom(32))
        data = os.urandom(size)
        sealed = io.BytesIO()
        seal_stream(
            aead,
            io.BytesIO(data),
            sealed,
            segment_size=64,
            associated_data=aad,
        )
        out = io.BytesIO()
        open_stream(
            aead,
            io.BytesIO(sealed.getvalue()),
            out,
            segment_size=64,
            associated_data=aad,
        )
        assert out.getvalue() == data

    def test_prefix_too_long(self):
        """A nonce prefix leaving under 4 counter bytes is refused."""
        aead = ChaCha20Poly1305(os.urandom(32))
        with pytest.raises(ValueError, match="prefix"):
            seal_stream(
                aead,
                io.BytesIO(b""),
                io.BytesIO(),
                segment_size=64,
                prefix=bytes(8),
            )

    def test_short_segment_rejected(self):
        """Input shorter than a tag is rejected."""
        aead = ChaCha20Poly1305(os.urandom(32))
        with pytest.raises(DecryptionError):
            open_stream(
                aead, io.BytesIO(b"short"), io.BytesIO(), segment_size=64
            )


class TestPassphraseKDFs:
    @pytest.mark.parametrize("kdf", ["argon2id", "pbkdf2-sha256"])
    def test_either_kdf_opens_either(self, kdf):
        """Keyrings written with either KDF open with any PassphraseKEK."""
        writer = PassphraseKEK(
            "pw",
            kdf=kdf,
            time_cost=1,
            memory_cost=64,
            parallelism=1,
            iterations=1000,
        )
        blob = Keyring.generate().to_bytes(kek=writer)
        assert blob[blob.index(b"passphrase") + 12 :][:1] == (
            b"A" if kdf == "argon2id" else b"P"
        )
        Keyring.from_bytes(blob, kek=PassphraseKEK("pw"))

    def test_unknown_kdf(self):
        """An unknown kdf name is a configuration error."""
        with pytest.raises(ValueError, match="kdf"):
            PassphraseKEK("pw", kdf="md5")  # type: ignore[arg-type]


def _secret_holders():
    """One of each public object that holds a key, ready to pickle."""
    from dataprotect.passwords import PasswordHasher
    from dataprotect.pseudonymise import Pseudonymiser
    from dataprotect.ratelimit import LoginThrottle, RateLimiter
    from dataprotect.tokens import TokenHasher

    ring = Keyring.generate()
    return [
        PasswordHasher(pepper=ring),
        TokenHasher(ring),
        Pseudonymiser(key=ring),
        RateLimiter(secret=os.urandom(32)),
        LoginThrottle(RateLimiter(), device_cookie_key=ring),
    ]


class TestUnpicklable:
    @pytest.mark.parametrize(
        "obj", _secret_holders(), ids=lambda o: type(o).__name__
    )
    def test_secret_holders_share_the_mixin(self, obj):
        """Objects holding keys refuse pickling through the one mixin."""
        name = type(obj).__name__
        with pytest.raises(
            TypeError, match=f"^{name} objects cannot be pickled$"
        ):
            pickle.dumps(obj)
        assert "__reduce__" not in vars(type(obj))

    def test_signer_uses_the_mixin(self):
        """documents.Signer refuses pickling through the mixin too."""
        from dataprotect._secret import Unpicklable
        from dataprotect.documents import Signer

        assert issubclass(Signer, Unpicklable)
        assert "__reduce__" not in vars(Signer)


class TestHmacSha256:
    """The keyed-once HMAC is RFC 2104's HMAC-SHA-256."""

    @given(key=st.binary(max_size=200), data=st.binary(max_size=300))
    def test_equals_hmac_digest(self, key: bytes, data: bytes) -> None:
        """Every key length (over a block: hashed first) and message."""
        mac = HmacSha256(key)
        assert mac.digest(data) == hmac.digest(key, data, "sha256")
        # the states are copied, never consumed
        assert mac.digest(data) == hmac.digest(key, data, "sha256")

    def test_rfc4231_case_2(self) -> None:
        """RFC 4231 test case 2 (a key shorter than the output)."""
        mac = HmacSha256(b"Jefe").digest(b"what do ya want for nothing?")
        assert mac.hex() == (
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        )

    def test_repr_shows_no_key_state(self) -> None:
        assert repr(HmacSha256(b"k" * 32)) == "<HmacSha256>"

"""TOTP (RFC 6238) and HOTP (RFC 4226) with encrypted secrets.

Re-exported, and documented, by :mod:`dataprotect.twofactor`.

The one-time password itself is RFC 4226's ``Truncate(HMAC(K, C))`` on
``hashlib`` (:func:`otp_generator`): the RFC 4226 and RFC 6238
vectors and a cross-check against ``cryptography``'s
``hazmat.primitives.twofactor`` and pyotp prove it (``tests/twofactor``),
and it costs about half of ``cryptography``'s ``HOTP`` per code, which
leaves room for decrypting the secret (``benchmarks/bench_twofactor.py``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import os
import time

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar, Final, Generic, Literal, Protocol, TypeVar, cast
from urllib.parse import quote

from dataprotect._encoding import b64decode, b64encode
from dataprotect._secret import Unpicklable, check_bytes, check_type
from dataprotect.encryption import Encryptor
from dataprotect.errors import ConfigurationError, TwoFactorRecordError
from dataprotect.twofactor._records import BAD_RECORD, dump_record, load_record


__all__ = [
    "HOTP",
    "TOTP",
    "Algorithm",
    "HOTPRecord",
    "TOTPRecord",
]

#: The HMAC hash of a one-time password: ``"sha1"`` (what every
#: authenticator app supports), ``"sha256"`` or ``"sha512"``.
Algorithm = Literal["sha1", "sha256", "sha512"]

_HASH_SIZES: Final[dict[str, int]] = {"sha1": 20, "sha256": 32, "sha512": 64}
_MODULI: Final[dict[int, int]] = {6: 10**6, 7: 10**7, 8: 10**8}
_MIN_SECRET: Final = 16  # RFC 4226 section 4, R6: at least 128 bits
_MAX_SECRET: Final = 64
_MAX_CIPHERTEXT: Final = 512
_MAX_STEP: Final = 2**64 - 1  # the 8-byte counter of RFC 4226
_MIN_PERIOD: Final = 15
_MAX_PERIOD: Final = 300
_MAX_WINDOW: Final = 10
_MAX_LOOK_AHEAD: Final = 100
_MAX_CODE: Final = 64  # characters read of a submitted code
_MAX_JSON: Final = 4096
_MAX_LABEL: Final = 256
_TOTP_FIELDS: Final = ("period", "last_step")
_HOTP_FIELDS: Final = ("counter",)

_R = TypeVar("_R", "TOTPRecord", "HOTPRecord")
# (kind, algorithm, digits, period) -> associated-data prefix; bounded by
# the record bounds (2 * 3 * 3 * 287 entries at most).
_AAD_PREFIXES: dict[tuple[str, str, int, int], bytes] = {}


class _Hash(Protocol):
    def digest(self) -> bytes: ...


_HASHES: Final[dict[str, Callable[[bytes], _Hash]]] = {
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
    "sha512": hashlib.sha512,
}
_BLOCK_SIZES: Final[dict[str, int]] = {"sha1": 64, "sha256": 64, "sha512": 128}
_IPAD: Final = bytes(x ^ 0x36 for x in range(256))
_OPAD: Final = bytes(x ^ 0x5C for x in range(256))


def otp_generator(
    key: bytes, algorithm: str, digits: int
) -> Callable[[int], str]:
    """The one-time password of each counter value under *key* (RFC 4226
    section 5.3: ``Truncate(HMAC(K, C)) mod 10^digits``).

    HMAC (RFC 2104) spelled out on ``hashlib``, with the padded key blocks
    made once per key: a quarter faster per code than ``hmac.digest``.
    Keys are at most 64 bytes, never longer than a block, so they are only
    padded.
    """
    new = _HASHES[algorithm]
    block = key.ljust(_BLOCK_SIZES[algorithm], b"\x00")
    inner, outer = block.translate(_IPAD), block.translate(_OPAD)
    modulus = _MODULI[digits]

    def code(counter: int) -> str:
        mac = new(outer + new(inner + counter.to_bytes(8, "big")).digest())
        digest = mac.digest()
        offset = digest[-1] & 0x0F
        value = int.from_bytes(digest[offset : offset + 4], "big")
        return str((value & 0x7FFFFFFF) % modulus).zfill(digits)

    return code


def _normalise_code(code: str, digits: int) -> str | None:
    """*code* without white space, if it is *digits* ASCII digits."""
    if type(code) is not str:
        check_type("code", code, str)
    if len(code) > _MAX_CODE:
        return None
    if len(code) != digits:
        code = "".join(code.split())
    if len(code) != digits or not (code.isascii() and code.isdigit()):
        return None
    return code


def _now(now: float | None) -> float:
    if now is None:
        return time.time()
    if isinstance(now, bool) or not isinstance(now, (int, float)):
        msg = "now must be a number of seconds since the epoch"
        raise TypeError(msg)
    if not math.isfinite(now) or now < 0:
        msg = "now must be a finite, non-negative number of seconds"
        raise ConfigurationError(msg)
    return now


def _check_int(name: str, value: object, low: int, high: int) -> int:
    """*value* if it is an ``int`` from *low* to *high*, else raise."""
    if type(value) is not int:
        msg = f"{name} must be int"
        raise TypeError(msg)
    if not low <= value <= high:
        msg = f"{name} must be from {low} to {high}"
        raise ConfigurationError(msg)
    return value


def _check_algorithm(algorithm: object) -> Algorithm:
    algorithm = check_type("algorithm", algorithm, str)
    if algorithm not in _HASH_SIZES:
        msg = "algorithm must be 'sha1', 'sha256' or 'sha512'"
        raise ConfigurationError(msg)
    return cast("Algorithm", algorithm)


def _check_record(
    record: TOTPRecord | HOTPRecord, bounds: dict[str, tuple[int, int]]
) -> None:
    """Raise ``TypeError``/``TwoFactorRecordError`` for a bad record field."""
    if not isinstance(cast("object", record.encrypted_secret), bytes):
        msg = "encrypted_secret must be bytes"
        raise TypeError(msg)
    if not 0 < len(record.encrypted_secret) <= _MAX_CIPHERTEXT:
        raise TwoFactorRecordError(BAD_RECORD)
    if check_type("algorithm", record.algorithm, str) not in _HASH_SIZES:
        raise TwoFactorRecordError(BAD_RECORD)
    for name, (low, high) in {"digits": (6, 8), **bounds}.items():
        value = getattr(record, name)
        if value is None and name == "last_step":
            continue
        if type(value) is not int:
            msg = f"{name} must be int"
            raise TypeError(msg)
        if not low <= value <= high:
            raise TwoFactorRecordError(BAD_RECORD)


def _record_from_json(
    record_type: type[_R],
    kind: str,
    fields: tuple[str, ...],
    text: str | bytes,
) -> _R:
    """Parse the JSON of a *kind* record, whose counters are *fields*."""
    names = {"alg", "digits", "secret", *fields}
    data = load_record(text, kind=kind, names=names, limit=_MAX_JSON)
    try:
        secret = b64decode(cast("str", data["secret"]))
        return record_type(
            secret,
            # The record checks the types.
            cast("Algorithm", data["alg"]),
            cast("int", data["digits"]),
            *(cast("int", data[name]) for name in fields),
        )
    except (ValueError, TypeError, AttributeError):
        raise TwoFactorRecordError(BAD_RECORD) from None


def _record_to_json(
    record: TOTPRecord | HOTPRecord, kind: str, fields: tuple[str, ...]
) -> str:
    return dump_record(
        kind,
        {
            "alg": record.algorithm,
            "digits": record.digits,
            **{name: getattr(record, name) for name in fields},
            "secret": b64encode(record.encrypted_secret),
        },
    )


@dataclass(frozen=True)
class TOTPRecord:
    """What to store for one TOTP enrolment: the secret, encrypted by an
    :class:`~dataprotect.encryption.Encryptor`, its parameters, and the last
    time step a code was accepted for.

    Store the record :meth:`TOTP.verify` returns after every accepted code:
    the last accepted step is what refuses a replayed code.  The parameters
    are bound to the ciphertext, so a record whose digits or period were
    changed in the database fails to decrypt.

    Args:
        encrypted_secret: The ciphertext (not in ``repr``).
        algorithm: The HMAC hash.
        digits: Code length, 6 to 8.
        period: Seconds per time step, 15 to 300.
        last_step: The last accepted time step (``None``: none yet).

    Raises:
        TypeError: A field has the wrong type.
        dataprotect.errors.TwoFactorRecordError: A field is out of bounds.

    .. versionadded:: 0.1.0
    """

    encrypted_secret: bytes = field(repr=False)
    algorithm: Algorithm = "sha1"
    digits: int = 6
    period: int = 30
    last_step: int | None = None

    def __post_init__(self) -> None:
        _check_record(
            self,
            {
                "period": (_MIN_PERIOD, _MAX_PERIOD),
                "last_step": (0, _MAX_STEP),
            },
        )

    def to_json(self) -> str:
        """The record as compact JSON (format in ``docs/formats``)."""
        return _record_to_json(self, "totp", _TOTP_FIELDS)

    @classmethod
    def from_json(cls, text: str | bytes) -> TOTPRecord:
        """Parse :meth:`to_json` output.

        Raises:
            TypeError: *text* is neither ``str`` nor ``bytes``.
            dataprotect.errors.TwoFactorRecordError: Not a TOTP record of a
                known version, longer than 4 KiB, or a field is out of
                bounds.
        """
        return _record_from_json(cls, "totp", _TOTP_FIELDS, text)


@dataclass(frozen=True)
class HOTPRecord:
    """What to store for one HOTP enrolment: the secret, encrypted by an
    :class:`~dataprotect.encryption.Encryptor`, its parameters, and the
    next counter value a code may be accepted for.

    Store the record :meth:`HOTP.verify` returns after every accepted code:
    the counter moves past the accepted one, so a code is never accepted
    twice.

    Args:
        encrypted_secret: The ciphertext (not in ``repr``).
        algorithm: The HMAC hash.
        digits: Code length, 6 to 8.
        counter: The lowest counter value still accepted.

    Raises:
        TypeError: A field has the wrong type.
        dataprotect.errors.TwoFactorRecordError: A field is out of bounds.

    .. versionadded:: 0.1.0
    """

    encrypted_secret: bytes = field(repr=False)
    algorithm: Algorithm = "sha1"
    digits: int = 6
    counter: int = 0

    def __post_init__(self) -> None:
        # 2**64: every counter value is spent.
        _check_record(self, {"counter": (0, _MAX_STEP + 1)})

    def to_json(self) -> str:
        """The record as compact JSON (format in ``docs/formats``)."""
        return _record_to_json(self, "hotp", _HOTP_FIELDS)

    @classmethod
    def from_json(cls, text: str | bytes) -> HOTPRecord:
        """Parse :meth:`to_json` output.

        Raises:
            TypeError: *text* is neither ``str`` nor ``bytes``.
            dataprotect.errors.TwoFactorRecordError: Not an HOTP record of
                a known version, longer than 4 KiB, or a field is out of
                bounds.
        """
        return _record_from_json(cls, "hotp", _HOTP_FIELDS, text)


def _check_label(name: str, value: object) -> str:
    text = check_type(name, value, str)
    if not text or len(text) > _MAX_LABEL or ":" in text:
        msg = f"{name} must be 1 to {_MAX_LABEL} characters without ':'"
        raise ConfigurationError(msg)
    return text


class _OTP(Unpicklable, Generic[_R]):
    """What TOTP and HOTP share: configuration, the sealed secret, URIs."""

    __slots__ = ("_algorithm", "_digits", "_encryptor", "_secret_size")

    _KIND: ClassVar[str]

    def __init__(
        self,
        encryptor: Encryptor,
        *,
        algorithm: Algorithm,
        digits: int,
        secret_size: int | None,
    ) -> None:
        self._encryptor = check_type("encryptor", encryptor, Encryptor)
        self._algorithm = _check_algorithm(algorithm)
        self._digits = _check_int("digits", digits, 6, 8)
        if secret_size is None:
            secret_size = _HASH_SIZES[self._algorithm]
        self._secret_size = _check_int(
            "secret_size", secret_size, _MIN_SECRET, _MAX_SECRET
        )

    def _aad(self, record: _R, context: bytes) -> bytes:
        """The associated data binding a secret to its parameters."""
        if type(context) is not bytes:
            context = check_bytes("context", context)
        period: int = getattr(record, "period", 0)
        params = (self._KIND, record.algorithm, record.digits, period)
        prefix = _AAD_PREFIXES.get(params)
        if prefix is None:
            prefix = b"dataprotect/v1/%s\x00%s:%d:%d\x00" % (
                self._KIND.encode(),
                record.algorithm.encode(),
                record.digits,
                period,
            )
            _AAD_PREFIXES[params] = prefix
        return prefix + context

    def _seal(self, record: _R, secret: bytes, context: bytes) -> _R:
        secret = check_bytes("secret", secret)
        if not _MIN_SECRET <= len(secret) <= _MAX_SECRET:
            msg = f"secret must be {_MIN_SECRET} to {_MAX_SECRET} bytes"
            raise ConfigurationError(msg)
        ciphertext = self._encryptor.encrypt(
            secret, self._aad(record, context)
        )
        return _replace(record, "encrypted_secret", ciphertext)

    def _open(self, record: _R, context: bytes) -> bytes:
        # DecryptionError for a tampered record or the wrong context.
        return self._encryptor.decrypt(
            record.encrypted_secret, self._aad(record, context)
        )

    def _check(self, record: object) -> _R:
        raise NotImplementedError

    def from_secret(self, secret: bytes, *, context: bytes = b"") -> _R:
        raise NotImplementedError

    def new(self, *, context: bytes = b"") -> _R:
        """A new enrolment with a random secret (an HOTP counter starts at
        0).

        Args:
            context: Binds the record to its owner, e.g. ``b"users:42"``;
                pass the same to every other method.
        """
        return self.from_secret(os.urandom(self._secret_size), context=context)

    def setup_key(self, record: _R, *, context: bytes = b"") -> str:
        """The secret in base32, in groups of four, for typing into an app.

        .. danger::

           This is the secret: show it only to the user enrolling, over
           HTTPS, and never log or cache it.

        Raises:
            dataprotect.errors.DecryptionError: The record was tampered
                with, or *context* is wrong.
        """
        secret = self._open(self._check(record), context)
        text = base64.b32encode(secret).decode("ascii").rstrip("=")
        return " ".join(text[i : i + 4] for i in range(0, len(text), 4))

    def provisioning_uri(
        self,
        record: _R,
        account: str,
        *,
        issuer: str,
        context: bytes = b"",
    ) -> str:
        """The ``otpauth://`` URI an authenticator app enrols from.

        Show it as a QR code (:func:`qr_svg`, :func:`qr_png`).  The format
        is Google Authenticator's "Key Uri Format": label
        ``issuer:account``, parameters ``secret``, ``issuer``,
        ``algorithm``, ``digits`` and ``period`` (``counter`` for HOTP).

        .. danger::

           The URI holds the secret: show it only to the user enrolling,
           over HTTPS (``Cache-Control: no-store``), and never log it.

        Args:
            record: The record.
            account: The user's name as the app shows it, e.g. an email
                address: 1 to 256 characters, no ``:``.
            issuer: Your service's name, same rules.
            context: The context the record was made with.

        Raises:
            dataprotect.errors.ConfigurationError: *account* or *issuer*
                breaks the rules above.
            dataprotect.errors.DecryptionError: As :meth:`setup_key`.
        """
        account = _check_label("account", account)
        issuer = _check_label("issuer", issuer)
        record = self._check(record)
        secret = base64.b32encode(self._open(record, context))
        params = [
            ("secret", secret.decode("ascii").rstrip("=")),
            ("issuer", issuer),
            ("algorithm", record.algorithm.upper()),
            ("digits", str(record.digits)),
            *self._uri_params(record),
        ]
        query = "&".join(f"{k}={quote(v, safe='')}" for k, v in params)
        label = f"{quote(issuer, safe='')}:{quote(account, safe='')}"
        return f"otpauth://{self._KIND}/{label}?{query}"

    def _uri_params(self, record: _R) -> list[tuple[str, str]]:
        raise NotImplementedError

    def rotate(self, record: _R, *, context: bytes = b"") -> _R:
        """*record* with its secret re-encrypted under the primary key.

        Returns *record* itself when nothing changed, like
        :meth:`Encryptor.reencrypt <dataprotect.encryption.Encryptor.reencrypt>`.

        Raises:
            dataprotect.errors.DecryptionError: As :meth:`setup_key`.
            dataprotect.errors.KeyNotFoundError: The record's key is not in
                the keyring, or was retired or destroyed.
        """
        record = self._check(record)
        ciphertext = self._encryptor.reencrypt(
            record.encrypted_secret, self._aad(record, context)
        )
        if ciphertext is record.encrypted_secret:
            return record
        return _replace(record, "encrypted_secret", ciphertext)


def _replace(record: _R, name: str, value: object) -> _R:
    """A copy of *record* with field *name* set to *value*, unchecked.

    Every caller passes a value it computed itself, within bounds.
    """
    new = object.__new__(type(record))
    # Frozen dataclasses refuse __setattr__, not their __dict__.
    fields = new.__dict__
    fields.update(record.__dict__)
    fields[name] = value
    return new


class TOTP(_OTP[TOTPRecord]):
    """Time-based one-time passwords (RFC 6238) with replay protection.

    Configure once; every record made keeps its own algorithm, digits and
    period, so changing the configuration later does not break existing
    enrolments.  Secrets are random (``os.urandom``) and stored only
    encrypted, bound to *context* (e.g. ``b"users:42"``) and the
    parameters.  :meth:`verify` accepts a code for the current time step or
    up to *window* steps either side (clock drift), compares in constant
    time, and never accepts a code for a step at or before the last
    accepted one: not the same code twice, and no older code after a newer
    one.

    Args:
        encryptor: Encrypts the secrets.
        algorithm: The HMAC hash of new records.
        digits: Code length of new records, 6 to 8.
        period: Seconds per time step of new records, 15 to 300.
        window: Time steps accepted either side of the current one, 0
            to 10 (1 accepts codes up to 30 s early or late).
        secret_size: Secret length in bytes, 16 to 64 (default: the hash's
            output size, as RFC 6238 recommends).

    Raises:
        TypeError: An argument has the wrong type.
        dataprotect.errors.ConfigurationError: An argument is out of bounds
            or the algorithm is unknown.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_order", "_period", "_window")

    _KIND = "totp"

    def __init__(
        self,
        encryptor: Encryptor,
        *,
        algorithm: Algorithm = "sha1",
        digits: int = 6,
        period: int = 30,
        window: int = 1,
        secret_size: int | None = None,
    ) -> None:
        super().__init__(
            encryptor,
            algorithm=algorithm,
            digits=digits,
            secret_size=secret_size,
        )
        self._period = _check_int("period", period, _MIN_PERIOD, _MAX_PERIOD)
        self._window = _check_int("window", window, 0, _MAX_WINDOW)
        # The current step first, then outwards: 0, -1, 1, -2, 2, ...
        self._order = (
            0,
            *(d for i in range(1, self._window + 1) for d in (-i, i)),
        )

    def __repr__(self) -> str:
        return (
            f"<TOTP {self._algorithm} digits={self._digits} "
            f"period={self._period} window={self._window}>"
        )

    def _check(self, record: object) -> TOTPRecord:
        if type(record) is not TOTPRecord:
            return check_type("record", record, TOTPRecord)
        return record

    def _uri_params(self, record: TOTPRecord) -> list[tuple[str, str]]:
        return [("period", str(record.period))]

    def from_secret(
        self, secret: bytes, *, context: bytes = b""
    ) -> TOTPRecord:
        """A record for an existing secret (to migrate enrolments).

        Raises:
            TypeError: *secret* is not ``bytes``.
            dataprotect.errors.ConfigurationError: *secret* is not 16 to 64
                bytes long.
        """
        template = TOTPRecord(
            b"\x00", self._algorithm, self._digits, self._period
        )
        return self._seal(template, secret, context)

    def verify(
        self,
        record: TOTPRecord,
        code: str,
        *,
        context: bytes = b"",
        now: float | None = None,
    ) -> tuple[bool, TOTPRecord]:
        """Check *code*; return whether it is accepted and what to store.

        Store the returned record whenever the code was accepted (it holds
        the new last accepted step), with a conditional update (``UPDATE
        ... WHERE last_step IS <old value>``) so that two concurrent
        requests with the same code cannot both pass.  Rate-limit calls:
        see :func:`second_factor_throttle`.

        Args:
            record: The stored record.
            code: What the user typed; white space is ignored.  Anything
                but the record's number of ASCII digits is simply wrong.
            context: The context the record was made with.
            now: Seconds since the epoch (default: :func:`time.time`).

        Returns:
            ``(True, updated record)`` or ``(False, record)``.

        Raises:
            TypeError: *record* or *code* has the wrong type.
            dataprotect.errors.DecryptionError: The record was tampered
                with, or *context* is wrong.
            dataprotect.errors.KeyNotFoundError: The record's key is not in
                the keyring, or was retired or destroyed.
        """
        if type(record) is not TOTPRecord:
            check_type("record", record, TOTPRecord)
        digits = record.digits
        # The common case (exactly the digits) skips the normalising call.
        if not (
            type(code) is str
            and len(code) == digits
            and code.isascii()
            and code.isdigit()
        ):
            wanted = _normalise_code(code, digits)
            if wanted is None:
                return False, record
            code = wanted
        step = int(
            (time.time() if now is None else _now(now)) // record.period
        )
        last = -1 if record.last_step is None else record.last_step
        code_at = None
        for delta in self._order:
            s = step + delta
            if s <= last or s > _MAX_STEP:
                continue
            if code_at is None:
                code_at = otp_generator(
                    self._open(record, context), record.algorithm, digits
                )
            if hmac.compare_digest(code_at(s), code):
                return True, _replace(record, "last_step", s)
        return False, record

    def code(
        self,
        record: TOTPRecord,
        *,
        context: bytes = b"",
        now: float | None = None,
    ) -> str:
        """The code an authenticator app shows at *now* (for tests, demos
        and support tools; a server never needs it to verify).

        Raises:
            dataprotect.errors.ConfigurationError: *now* is negative, not
                finite, or beyond the last time step.
            dataprotect.errors.DecryptionError: As :meth:`verify`.
        """
        record = self._check(record)
        step = int(_now(now) // record.period)
        if step > _MAX_STEP:
            msg = "now must be before the last time step (2**64 - 1)"
            raise ConfigurationError(msg)
        key = self._open(record, context)
        return otp_generator(key, record.algorithm, record.digits)(step)


class HOTP(_OTP[HOTPRecord]):
    """Counter-based one-time passwords (RFC 4226) for hardware tokens.

    Like :class:`TOTP`, with a counter instead of the time: :meth:`verify`
    accepts a code for the record's counter or up to *look_ahead* values
    beyond it (presses of the token's button that were never used), and
    moves the counter past the accepted value, so no code is accepted
    twice and none older than an accepted one.

    Args:
        encryptor: Encrypts the secrets.
        algorithm: The HMAC hash of new records.
        digits: Code length of new records, 6 to 8.
        look_ahead: Counter values accepted beyond the expected one, 0 to
            100 (RFC 4226 section 7.4's resynchronisation window).
        secret_size: Secret length in bytes, 16 to 64 (default: the
            hash's output size).

    Raises:
        TypeError: An argument has the wrong type.
        dataprotect.errors.ConfigurationError: An argument is out of bounds
            or the algorithm is unknown.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_look_ahead",)

    _KIND = "hotp"

    def __init__(
        self,
        encryptor: Encryptor,
        *,
        algorithm: Algorithm = "sha1",
        digits: int = 6,
        look_ahead: int = 10,
        secret_size: int | None = None,
    ) -> None:
        super().__init__(
            encryptor,
            algorithm=algorithm,
            digits=digits,
            secret_size=secret_size,
        )
        self._look_ahead = _check_int(
            "look_ahead", look_ahead, 0, _MAX_LOOK_AHEAD
        )

    def __repr__(self) -> str:
        return (
            f"<HOTP {self._algorithm} digits={self._digits} "
            f"look_ahead={self._look_ahead}>"
        )

    def _check(self, record: object) -> HOTPRecord:
        return check_type("record", record, HOTPRecord)

    def _uri_params(self, record: HOTPRecord) -> list[tuple[str, str]]:
        return [("counter", str(record.counter))]

    def from_secret(
        self, secret: bytes, *, context: bytes = b"", counter: int = 0
    ) -> HOTPRecord:
        """A record for an existing secret and counter (a token's seed).

        Raises:
            TypeError: An argument has the wrong type.
            dataprotect.errors.ConfigurationError: *secret* is not 16 to 64
                bytes long, or *counter* is not from 0 to 2**64 - 1.
        """
        counter = _check_int("counter", counter, 0, _MAX_STEP)
        template = HOTPRecord(b"\x00", self._algorithm, self._digits, counter)
        return self._seal(template, secret, context)

    def verify(
        self, record: HOTPRecord, code: str, *, context: bytes = b""
    ) -> tuple[bool, HOTPRecord]:
        """Check *code*; return whether it is accepted and what to store.

        Store the returned record whenever the code was accepted, with a
        conditional update (``UPDATE ... WHERE counter = <old value>``).

        Returns:
            ``(True, updated record)`` or ``(False, record)``.

        Raises:
            TypeError: *record* or *code* has the wrong type.
            dataprotect.errors.DecryptionError: The record was tampered
                with, or *context* is wrong.
            dataprotect.errors.KeyNotFoundError: The record's key is not
                usable.
        """
        record = self._check(record)
        wanted = _normalise_code(code, record.digits)
        first = record.counter
        last = min(first + self._look_ahead, _MAX_STEP)
        if wanted is None or first > last:
            return False, record
        code_at = otp_generator(
            self._open(record, context), record.algorithm, record.digits
        )
        for counter in range(first, last + 1):
            if hmac.compare_digest(code_at(counter), wanted):
                return True, _replace(record, "counter", counter + 1)
        return False, record

    def code(
        self,
        record: HOTPRecord,
        *,
        context: bytes = b"",
        counter: int | None = None,
    ) -> str:
        """The code for *counter* (default: the record's), for tests.

        Raises:
            dataprotect.errors.DecryptionError: As :meth:`verify`.
        """
        record = self._check(record)
        if counter is None:
            counter = record.counter
        counter = _check_int("counter", counter, 0, _MAX_STEP)
        key = self._open(record, context)
        return otp_generator(key, record.algorithm, record.digits)(counter)

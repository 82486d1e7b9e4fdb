"""Calls every public two-factor signature so mypy --strict checks them."""

from __future__ import annotations

from dataprotect import Encryptor, Keyring, TokenHasher
from dataprotect.errors import TwoFactorError, TwoFactorRecordError
from dataprotect.ratelimit import LoginThrottle, RateLimiter
from dataprotect.twofactor import (
    HOTP,
    TOTP,
    Algorithm,
    HOTPRecord,
    RecoveryCodes,
    RecoveryCodeSet,
    TOTPRecord,
    qr_png,
    qr_svg,
    qr_terminal,
    second_factor_throttle,
)


enc = Encryptor(Keyring.generate())
algorithm: Algorithm = "sha256"
totp = TOTP(
    enc, algorithm=algorithm, digits=8, period=60, window=2, secret_size=32
)
record: TOTPRecord = totp.new(context=b"users:1")
record = totp.from_secret(bytes(20), context=b"users:1")
accepted: bool
accepted, record = totp.verify(record, "123456", context=b"u", now=0.0)
code: str = totp.code(record, context=b"u", now=30)
uri: str = totp.provisioning_uri(record, "alice", issuer="ACME", context=b"u")
key: str = totp.setup_key(record, context=b"u")
record = totp.rotate(record, context=b"u")
record = TOTPRecord.from_json(record.to_json())
record = TOTPRecord.from_json(record.to_json().encode())
last: int | None = record.last_step

hotp = HOTP(enc, algorithm="sha1", digits=6, look_ahead=20, secret_size=20)
token: HOTPRecord = hotp.new(context=b"t")
token = hotp.from_secret(bytes(20), context=b"t", counter=5)
accepted, token = hotp.verify(token, "123456", context=b"t")
code = hotp.code(token, context=b"t", counter=7)
uri = hotp.provisioning_uri(token, "bob", issuer="ACME", context=b"t")
key = hotp.setup_key(token)
token = HOTPRecord.from_json(hotp.rotate(token).to_json())
counter: int = token.counter

recovery = RecoveryCodes(TokenHasher(bytes(32)), count=8)
codes: list[str]
codes_record: RecoveryCodeSet
codes, codes_record = recovery.generate()
accepted, codes_record = recovery.verify(codes_record, codes[0])
left: int = codes_record.remaining
codes_record = RecoveryCodeSet.from_json(codes_record.to_json())

svg: str = qr_svg(uri, scale=8)
png: bytes = qr_png(uri, scale=2)
text: str = qr_terminal(uri, compact=False)

throttle: LoginThrottle = second_factor_throttle(
    RateLimiter("memory://"),
    per_pair="5/15 minutes",
    per_account="10/hour",
    per_ip="50/hour",
    backoff=2,
    backoff_after=3,
    backoff_max=900,
)
scoped = LoginThrottle(scope="sso")
error: type[TwoFactorError] = TwoFactorRecordError

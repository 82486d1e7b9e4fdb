"""Type-checked calls of the age and retention APIs (mypy --strict)."""

from __future__ import annotations

import datetime as dt
import io

from dataprotect.backup import RetentionPlan, RetentionPolicy, age
from dataprotect.errors import AgeError, BackupError


ident: age.X25519Identity = age.generate_x25519_identity()
pq: age.HybridIdentity = age.generate_hybrid_identity()
recipient: age.X25519Recipient | age.HybridRecipient = age.parse_recipient(
    str(ident.recipient)
)
secret: str = ident.to_text()
parsed: list[age.X25519Identity | age.HybridIdentity] = age.parse_identities(
    secret
)
n: int = age.encrypt(io.BytesIO(b"x"), io.BytesIO(), [recipient, "age1..."])
n = age.encrypt(io.BytesIO(), io.BytesIO(), passphrase="pw", work_factor=10)
n = age.decrypt(io.BytesIO(), io.BytesIO(), [ident, secret], armor=None)
n = age.decrypt(
    io.BytesIO(), io.BytesIO(), passphrase=b"pw", max_work_factor=20
)
n = age.encrypt_file("a", "b", [pq.recipient], armor=True)
n = age.decrypt_file("b", "a", [pq])
error: type[BackupError] = AgeError

policy = RetentionPolicy(keep_daily=7, keep_within="1y6m")
plan: RetentionPlan[dt.datetime] = policy.select([dt.datetime.now(tz=dt.UTC)])
named: RetentionPlan[tuple[str, dt.datetime]] = policy.select(
    [("a", dt.datetime.now(tz=dt.UTC))], key=lambda item: item[1]
)
why: tuple[tuple[str, ...], ...] = named.reasons

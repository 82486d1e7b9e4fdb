"""Calls every public signature so that mypy --strict checks the API."""

from __future__ import annotations

import io

from datetime import datetime, timezone

import dataprotect

from dataprotect import (
    PKCS11KEK,
    XAES256GCM,
    BlindIndex,
    Encryptor,
    EnvKEK,
    Keyring,
    PassphraseKEK,
    fips_status,
)
from dataprotect.errors import DataProtectError, DecryptionError
from dataprotect.integrations.django import PasswordStrengthValidator
from dataprotect.keys import KEK, KeyInfo
from dataprotect.scan.ssh import SSHReport, check_ssh
from dataprotect.strength import (
    BreachedPasswords,
    PasswordFeedback,
    Violation,
    check_password,
    check_policy,
    message_text,
)


ring: Keyring = Keyring.generate(now=datetime.now(timezone.utc))
new_id: int = ring.rotate()
infos: list[KeyInfo] = ring.keys()
kek: KEK = EnvKEK("V", environ={"V": EnvKEK.generate_value()})
blob: bytes = ring.to_bytes(kek=kek)
ring = Keyring.from_bytes(blob, kek=kek)
ring.save("path", kek=kek)
ring = Keyring.load("path", kek=PassphraseKEK("pw", time_cost=1))
hsm: KEK = PKCS11KEK("pkcs11:token=t;object=k?module-path=/m.so", pin="1")

enc = Encryptor(ring)
ct: bytes = enc.encrypt(b"x", b"ctx")
pt: bytes = enc.decrypt(ct, b"ctx")
ct = enc.reencrypt(ct, b"ctx")
text: str = enc.decrypt_str(enc.encrypt_str("x", b"c"), b"c")
n: int = enc.encrypt_stream(io.BytesIO(), io.BytesIO(), context=b"c")
n = enc.decrypt_stream(io.BytesIO(), io.BytesIO(), progress=print)
n = enc.encrypt_file("a", "b", context=b"c")
n = enc.decrypt_file("b", "a")
digest: bytes = BlindIndex(ring, "t.c", bits=32).digest("v")
digests: list[bytes] = BlindIndex(ring, "t.c").candidates(b"v")
xaes = XAES256GCM(XAES256GCM.generate_key())
ct = xaes.encrypt(bytes(24), b"", None)
fips: bool = fips_status().fips_enabled
error: type[DataProtectError] = DecryptionError
names: list[str] = dataprotect.__all__

# dataprotect.strength and its Django validator
breached = BreachedPasswords.build("dir", ["pw", ("pw2", 3)], min_count=1)
seen: int = BreachedPasswords("dir", min_count=2).count("pw")
entries: list[tuple[str, int]] = breached.range("ABCDE")
feedback: PasswordFeedback = check_password(
    "pw",
    user_inputs=["alice"],
    locale="de",
    min_length=15,
    max_length=4096,
    min_score=3,
    breached=breached,
)
score: int = feedback.score
ok: bool = feedback.acceptable
warning: str | None = feedback.warning
suggestions: list[str] = feedback.suggestions
violations: list[Violation] = feedback.violations
guesses: float = feedback.guesses_log10
payload: dict[str, object] = feedback.to_dict()
check_policy(min_length=15, max_length=4096, min_score=3)
check_policy()
too_guessable: str = message_text("too_guessable", "de-CH")
rules_text: str = message_text("help_text", min_length=15)
validator = PasswordStrengthValidator(min_length=8, service_names=["example"])
validator.validate("pw", None)
help_text: str = validator.get_help_text()
ssh: SSHReport = check_ssh("host", 22, timeout=1.0, deadline=3)
ssh_notes: list[str] = ssh.notes

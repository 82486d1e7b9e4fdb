"""Generate ``twofactor-v1.json`` once; the committed file is the reference.

A keyring file (EnvKEK), TOTP and HOTP records as ``to_json`` writes them
with their secrets, contexts and a known code each, and a recovery code set
with its codes, so a later release cannot silently stop reading the records
an earlier one stored.

Run from the repository root:
``PYTHONPATH=src python tests/vectors/make_twofactor_vectors.py``.
Re-running makes new random vectors; only do it for a new record format,
never over a committed file.
"""

from __future__ import annotations

import base64
import json

from pathlib import Path

from dataprotect import Encryptor, EnvKEK, Keyring, TokenHasher
from dataprotect.twofactor import HOTP, TOTP, RecoveryCodes


def main() -> None:
    target = Path(__file__).with_name("twofactor-v1.json")
    if target.exists():
        raise SystemExit(f"{target.name} exists: the committed vectors stay")
    kek_value = EnvKEK.generate_value()
    kek = EnvKEK("KEK", environ={"KEK": kek_value})
    ring = Keyring.generate()
    enc = Encryptor(ring)
    totp = []
    for algorithm, digits, period, context in [
        ("sha1", 6, 30, b""),
        ("sha256", 7, 60, b"users:42"),
        ("sha512", 8, 15, b"staff/7"),
    ]:
        gen = TOTP(enc, algorithm=algorithm, digits=digits, period=period)
        record = gen.new(context=context)
        now = 1_790_000_000
        ok, used = gen.verify(
            record,
            gen.code(record, context=context, now=now),
            context=context,
            now=now,
        )
        assert ok
        totp.append(
            {
                "context": context.hex(),
                "secret": base64.b32encode(
                    enc.decrypt(
                        used.encrypted_secret,
                        b"dataprotect/v1/totp\x00%s:%d:%d\x00"
                        % (algorithm.encode(), digits, period)
                        + context,
                    )
                ).decode(),
                "record": used.to_json(),
                "time": now + period,
                "code": gen.code(used, context=context, now=now + period),
            }
        )
    hotp_gen = HOTP(enc, algorithm="sha256", digits=8)
    hotp_record = hotp_gen.from_secret(
        bytes(range(32)), context=b"token:9", counter=5
    )
    hotp = {
        "context": b"token:9".hex(),
        "secret": bytes(range(32)).hex(),
        "record": hotp_record.to_json(),
        "counter": 7,
        "code": hotp_gen.code(hotp_record, context=b"token:9", counter=7),
    }
    codes, recovery_set = RecoveryCodes(TokenHasher(ring), count=3).generate()
    doc = {
        "description": "dataprotect two-factor record vectors (format 1): "
        "a keyring file (EnvKEK), TOTP and HOTP records as to_json writes "
        "them, each with its secret (base32 for TOTP, hex for HOTP), "
        "context and one code, and a recovery code set with its codes; "
        "see docs/formats/twofactor.md.",
        "kek": kek_value,
        "keyring": base64.b64encode(ring.to_bytes(kek=kek)).decode(),
        "totp": totp,
        "hotp": hotp,
        "recovery": {"codes": codes, "record": recovery_set.to_json()},
    }
    target.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

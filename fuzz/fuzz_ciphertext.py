"""Fuzz target: messages and streams given to Encryptor's decrypt methods."""

from __future__ import annotations

import io

from _harness import each, instrumented, keyring_from, main, vector


with instrumented():
    from dataprotect.encryption import Encryptor

ENCRYPTOR = Encryptor(
    keyring_from(vector("encryption-v2.json"), "DP_FUZZ_KEK")
)


def target(data: bytes) -> None:
    """Decrypt *data* as a message, as base64 text and as a stream."""
    each(
        lambda: ENCRYPTOR.decrypt(data, b"rotation"),
        lambda: ENCRYPTOR.decrypt_str(data.decode("latin-1")),
        lambda: ENCRYPTOR.decrypt_stream(
            io.BytesIO(data), io.BytesIO(), context=b"stream"
        ),
    )


if __name__ == "__main__":
    main(target)

"""Fuzz target: security.txt files given to the RFC 9116 parser."""

from __future__ import annotations

import datetime as dt

from _harness import instrumented, main


with instrumented():
    from dataprotect.disclosure import parse_security_txt

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def target(data: bytes) -> None:
    """Validate *data* as a security.txt fetched from example.com."""
    parse_security_txt(
        data, url="https://example.com/.well-known/security.txt", now=NOW
    )


if __name__ == "__main__":
    main(target)

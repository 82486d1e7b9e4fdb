"""Fuzz target: the secret scanner's built-in rules on hostile text."""

from __future__ import annotations

from _harness import instrumented, main


with instrumented():
    from dataprotect.scan.secrets import scan_text


def target(data: bytes) -> None:
    """Scan *data* (bytes are decoded as UTF-8, invalid bytes replaced)."""
    scan_text(data, filename="fuzz.txt")


if __name__ == "__main__":
    main(target)

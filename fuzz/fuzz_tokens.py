"""Fuzz target: tokens and stored token digests."""

from __future__ import annotations

from _harness import each, instrumented, main


with instrumented():
    from dataprotect.tokens import TokenHasher, is_well_formed

HASHER = TokenHasher(bytes(32))


def target(data: bytes) -> None:
    """Check the first line as a token against the rest as a digest."""
    token, _, digest = data.decode("utf-8", "surrogateescape").partition("\n")
    each(
        lambda: is_well_formed(token),
        lambda: is_well_formed(token, prefix="ghp"),
        lambda: HASHER.verify(token, digest),
        lambda: HASHER.needs_update(digest),
        lambda: HASHER.verify_and_update(token, digest),
    )


if __name__ == "__main__":
    main(target)

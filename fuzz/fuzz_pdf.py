"""Fuzz target: PDFs given to documents.verify_pdf."""

from __future__ import annotations

import logging

from _harness import ROOT, instrumented, main


with instrumented("pyhanko"):
    from dataprotect.documents import verify_pdf

ROOTS = (ROOT / "fuzz" / "pdf-root.pem").read_bytes()


def target(data: bytes) -> None:
    """Verify *data* as a signed PDF."""
    verify_pdf(data, trust_roots=ROOTS)


if __name__ == "__main__":
    # pyhanko's notes on each broken file; only in a fuzzing process (the
    # replay tests import this module and must leave logging alone).
    logging.disable(logging.WARNING)
    main(target)

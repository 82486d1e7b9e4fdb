"""``python -m dataprotect.cli``."""

from __future__ import annotations

from dataprotect.cli import main


main()

"""Calls the public signatures of dataprotect.pseudonymise for mypy --strict."""

from __future__ import annotations

import logging
import os

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from dataprotect.integrations.sentry import before_breadcrumb, before_send
from dataprotect.integrations.structlog import PseudonymisingProcessor
from dataprotect.keys import Keyring
from dataprotect.pseudonymise import (
    DEFAULT_RULES,
    FINDING_TYPES,
    Action,
    Finding,
    Pseudonymiser,
    PseudonymisingFilter,
    delete_expired_logs,
)


now = datetime.now(timezone.utc)
p = Pseudonymiser(
    key=os.urandom(32),
    rules={"ip": "truncate", "payment_card": "mask"},
    rotation="weekly",
    clock=lambda: now,
    default_region="CH",
    phone_regions=("DE", "FR"),
)
q = Pseudonymiser(key=Keyring.generate())
text: str = p.pseudonymise("a@b.ch", now=now)
counted: tuple[str, dict[str, int]] = p.pseudonymise_with_counts("a@b.ch")
found: list[Finding] = q.findings("a@b.ch")
first: Finding = found[0]
kind: str = first.type
span: tuple[int, int] = (first.start, first.end)
pseudonym: str = p.pseudonym("email", "a@b.ch", now=now)
epoch: str = p.epoch(now=now)
rules: Mapping[str, Action] = p.rules
walked: Any = p.walk({"email": "a@b.ch"}, now=now)
defaults: Mapping[str, Action] = DEFAULT_RULES
types: tuple[str, ...] = FINDING_TYPES
log_filter: logging.Filter = PseudonymisingFilter(p)
deleted: list[Path] = delete_expired_logs(
    "logs",
    retention=timedelta(days=30),
    pattern="*.log*",
    now=now,
    dry_run=True,
)
processor = PseudonymisingProcessor(p)
event: Any = processor(None, "info", {"event": "x"})
hook = before_send(p)
crumb_hook = before_breadcrumb(p)
sent: dict[str, Any] = hook({"message": "x"}, {})
crumb: dict[str, Any] = crumb_hook({"message": "x"}, {})

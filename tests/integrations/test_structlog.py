"""The structlog processor, with real structlog rendering."""

from __future__ import annotations

import json

import pytest


structlog = pytest.importorskip("structlog")

from dataprotect.integrations.structlog import PseudonymisingProcessor  # noqa: E402
from dataprotect.pseudonymise import Pseudonymiser  # noqa: E402


KEY = bytes(range(32))


class TestStructlog:
    def test_rendered_json_is_clean(self, capsys) -> None:
        """Event, fields, nested dicts and exception text are pseudonymised."""
        structlog.configure(
            processors=[
                structlog.processors.format_exc_info,
                PseudonymisingProcessor(Pseudonymiser(key=KEY)),
                structlog.processors.JSONRenderer(),
            ],
            logger_factory=structlog.PrintLoggerFactory(),
            cache_logger_on_first_use=False,
        )
        try:
            log = structlog.get_logger()
            log.info(
                "login from 203.0.113.7",
                email="anna@example.ch",
                password="hunter2",
                customer={
                    "name": "Anna Meier",
                    "iban": "CH93 0076 2011 6238 5295 7",
                },
            )
            try:
                raise KeyError("anna@example.ch")
            except KeyError:
                log.exception("lookup failed")
        finally:
            structlog.reset_defaults()
        lines = capsys.readouterr().out.splitlines()
        first, second = (json.loads(line) for line in lines)
        for secret in (
            "203.0.113.7",
            "anna@example.ch",
            "hunter2",
            "Anna Meier",
            "CH93",
        ):
            assert secret not in lines[0] + lines[1]
        assert first["password"] == "[secret_param]"
        assert first["customer"]["name"].startswith("<person_name:")
        assert first["event"].startswith("login from <ip:")
        assert "<email:" in second["exception"]

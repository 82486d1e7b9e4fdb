"""The Sentry hooks, with the real sentry_sdk and an in-process transport."""

from __future__ import annotations

import inspect
import json
import logging

from typing import Any

import pytest


sentry_sdk = pytest.importorskip("sentry_sdk")

from sentry_sdk.transport import Transport  # noqa: E402

from dataprotect.integrations.sentry import (  # noqa: E402
    before_breadcrumb,
    before_send,
)
from dataprotect.pseudonymise import Pseudonymiser  # noqa: E402


KEY = bytes(range(32))
SECRETS = [
    "anna@example.ch",
    "203.0.113.7",
    "hunter2",
    "4111 1111 1111 1111",
    "Anna Meier",
]


def _without_source(obj: Any) -> Any:
    """The events without source lines (this test's code holds literals)."""
    if isinstance(obj, dict):
        return {
            k: _without_source(v)
            for k, v in obj.items()
            if k not in ("pre_context", "context_line", "post_context")
        }
    if isinstance(obj, list):
        return [_without_source(v) for v in obj]
    return obj


class CapturingTransport(Transport):
    """Keeps every envelope's events in memory instead of sending them."""

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        super().__init__(options)
        self.events: list[dict[str, Any]] = []

    def capture_envelope(self, envelope: Any) -> None:
        for item in envelope.items:
            if item.type == "event":
                self.events.append(json.loads(item.payload.get_bytes()))


def _sentry_filters_off() -> dict[str, Any]:
    """init() options that switch Sentry's own scrubbing off (a no-op).

    Before sentry-sdk 3, ``EventScrubber`` scrubbed events and frame
    variables were opt-in; 3.0 removed both options (its
    ``data_collection`` defaults collect frame variables unscrubbed).
    """
    try:
        from sentry_sdk.scrubber import EventScrubber
    except ImportError:  # sentry-sdk >= 3
        return {"data_collection": {"stack_frame_variables": True}}
    # pii_denylist is newer than the sentry-sdk floor; before it, the one
    # denylist held the PII keys too.
    params = inspect.signature(EventScrubber).parameters
    scrubber = (
        EventScrubber(denylist=[], pii_denylist=[])
        if "pii_denylist" in params
        else EventScrubber(denylist=[])
    )
    return {"event_scrubber": scrubber, "include_local_variables": True}


def _init(transport, integrations=(), **options) -> None:
    """sentry_sdk.init with dataprotect's hooks, sending to *transport*."""
    p = Pseudonymiser(key=KEY)
    sentry_sdk.init(
        dsn="https://public@sentry.invalid/1",
        transport=transport,
        before_send=before_send(p),
        before_breadcrumb=before_breadcrumb(p),
        default_integrations=False,
        integrations=list(integrations),
        **options,
    )


@pytest.fixture(name="transport")
def _transport():
    transport = CapturingTransport()
    # Sentry's own scrubber off, so this test sees what the hook does
    _init(transport, **_sentry_filters_off())
    yield transport
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # back to a disabled client


class TestSentry:
    def test_exception_event(self, transport) -> None:
        """Message, exception, frame variables, user, extra and crumbs are clean."""
        sentry_sdk.add_breadcrumb(
            message="login anna@example.ch from 203.0.113.7", category="auth"
        )
        sentry_sdk.add_breadcrumb(
            data={"password": "hunter2"}, message="submit"
        )
        sentry_sdk.set_user(
            {"email": "anna@example.ch", "ip_address": "203.0.113.7"}
        )
        sentry_sdk.set_extra("card", "4111 1111 1111 1111")
        sentry_sdk.set_tag("customer", "Anna Meier")

        def charge(password: str) -> None:
            email = "anna@example.ch"  # noqa: F841 - a frame variable
            raise ValueError(
                "card 4111 1111 1111 1111 declined for anna@example.ch"
            )

        try:
            charge(SECRETS[2])  # source context lines hold no literal secret
        except ValueError:
            sentry_sdk.capture_exception()
        sentry_sdk.capture_message("plain message from 203.0.113.7")
        sentry_sdk.flush()
        assert len(transport.events) == 2
        dump = json.dumps(_without_source(transport.events))
        for secret in SECRETS:
            at = dump.find(secret)
            assert at < 0, dump[max(0, at - 200) : at + 20]
        event = transport.events[0]
        assert "<email:" in event["exception"]["values"][0]["value"]
        crumbs = event["breadcrumbs"]["values"]
        assert crumbs[0]["message"].startswith("login <email:")
        assert crumbs[1]["data"]["password"] == "[secret_param]"
        assert event["user"]["email"].startswith("<email:")
        frames = event["exception"]["values"][0]["stacktrace"]["frames"]
        assert frames[-1]["vars"]["password"] == "[secret_param]"
        assert transport.events[1]["message"].startswith(
            "plain message from <ip:"
        )

    def test_logging_breadcrumbs(self, transport) -> None:
        """Breadcrumbs recorded by the logging integration are clean too."""
        from sentry_sdk.integrations.logging import LoggingIntegration

        sentry_sdk.get_client().close()
        _init(
            transport,
            [
                LoggingIntegration(
                    level=logging.INFO, event_level=logging.ERROR
                )
            ],
        )
        log = logging.getLogger("dataprotect-sentry-test")
        log.setLevel(logging.INFO)
        log.info("user %s signed in", "anna@example.ch")
        log.error("payment failed for %s", "anna@example.ch")
        sentry_sdk.flush()
        dump = json.dumps(transport.events)
        assert transport.events
        assert "anna@example.ch" not in dump
        assert "<email:" in dump

    def test_hook_fails_closed(self) -> None:
        """Nesting beyond the walk's depth and non-str keys are not kept raw."""
        hook = before_send(Pseudonymiser(key=KEY))
        deep: Any = "anna@example.ch"
        for _ in range(80):
            deep = {"k": deep}
        event = {"extra": {"deep": deep, "ids": {7: "anna@example.ch"}}}
        assert "anna@example.ch" not in json.dumps(hook(event, {}))

"""security.txt served by the Django, Flask and Starlette adapters."""

from __future__ import annotations

import datetime as dt

import pytest

from dataprotect.disclosure import SecurityTxt, parse_security_txt
from dataprotect.errors import ConfigurationError
from helpers import starlette_test_client


TXT = SecurityTxt(
    "mailto:security@example.com",
    dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=60),
)
PATH = "/.well-known/security.txt"


def _assert_served(status: int, content_type: str, body: bytes) -> None:
    assert status == 200
    assert content_type == "text/plain; charset=utf-8"
    assert parse_security_txt(body).security_txt == TXT


class TestFlask:
    def test_serves_the_file(self):
        """register_security_txt answers at the well-known path."""
        flask = pytest.importorskip("flask")
        from dataprotect.integrations.flask import register_security_txt

        app = flask.Flask(__name__)
        register_security_txt(app, TXT)
        response = app.test_client().get(PATH)
        _assert_served(
            response.status_code,
            response.headers["Content-Type"],
            response.data,
        )

    def test_serves_a_string_as_given(self):
        """A pre-rendered (signed) text is served byte for byte."""
        flask = pytest.importorskip("flask")
        from dataprotect.integrations.flask import register_security_txt

        app = flask.Flask(__name__)
        register_security_txt(app, "Contact: mailto:x@example.com\n")
        assert app.test_client().get(PATH).data == (
            b"Contact: mailto:x@example.com\n"
        )

    def test_expired_fails_at_start_up(self):
        """An expired SecurityTxt is refused when registered."""
        flask = pytest.importorskip("flask")
        from dataprotect.integrations.flask import register_security_txt

        old = SecurityTxt(
            "mailto:a@example.com",
            dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc),
        )
        with pytest.raises(ConfigurationError):
            register_security_txt(flask.Flask(__name__), old)
        with pytest.raises(TypeError):
            register_security_txt(flask.Flask(__name__), b"bytes")  # type: ignore[arg-type]  # the bad type under test


class TestStarlette:
    def test_serves_the_file(self):
        """security_txt_route is a GET route at the well-known path."""
        pytest.importorskip("starlette")
        from starlette.applications import Starlette

        from dataprotect.integrations.starlette import security_txt_route

        app = Starlette(routes=[security_txt_route(TXT)])
        with starlette_test_client(app) as client:
            response = client.get(PATH)
        _assert_served(
            response.status_code,
            response.headers["content-type"],
            response.content,
        )


class TestDjango:
    def test_serves_the_file(self):
        """security_txt_view answers with the file."""
        pytest.importorskip("django")
        from django.test import RequestFactory

        from dataprotect.integrations.django import security_txt_view

        view = security_txt_view(TXT)
        response = view(RequestFactory().get(PATH))
        _assert_served(
            response.status_code, response["Content-Type"], response.content
        )

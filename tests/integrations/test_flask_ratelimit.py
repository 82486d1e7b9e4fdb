"""Rate limiting adapter for Flask, via Flask's test client."""

from __future__ import annotations

import flask

from dataprotect.errors import RateLimitExceeded
from dataprotect.integrations.flask import rate_limit, register_error_handler
from dataprotect.ratelimit import LoginThrottle, RateLimiter


def _app() -> flask.Flask:
    limiter = RateLimiter()
    throttle = LoginThrottle(limiter, per_pair="1/minute", backoff=0)
    app = flask.Flask(__name__)

    @app.get("/")
    @rate_limit("2/minute", limiter=limiter)
    def home():
        return "ok"

    @app.get("/user")
    @rate_limit("1/minute", key=lambda r: r.args.get("u", ""), limiter=limiter)
    def user():
        return "ok"

    @app.post("/login")
    @rate_limit("100/minute", limiter=limiter)
    def login():
        throttle.check("alice", flask.request.remote_addr)
        throttle.record_failure("alice", flask.request.remote_addr)
        return "bad password", 401

    @app.get("/async")
    @rate_limit("1/minute", limiter=limiter)
    async def async_view():
        return "ok"

    @app.get("/raw")
    def raw():
        raise RateLimitExceeded(0.2)

    register_error_handler(app)
    return app


def _assert_429(response) -> None:
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert response.get_data(as_text=True) == "Too Many Requests"
    assert not any(
        h.lower().startswith("x-ratelimit") for h, _ in response.headers
    )


class TestFlask:
    def test_limits_and_answers_429(self):
        """The 3rd request in a minute gets 429 with Retry-After."""
        client = _app().test_client()
        assert client.get("/").status_code == 200
        assert client.get("/").status_code == 200
        _assert_429(client.get("/"))

    def test_key_function(self):
        """A custom key separates users."""
        client = _app().test_client()
        assert client.get("/user?u=a").status_code == 200
        assert client.get("/user?u=a").status_code == 429
        assert client.get("/user?u=b").status_code == 200

    def test_login_throttle_in_view(self):
        """A LoginThrottle refusal inside a decorated view becomes 429."""
        client = _app().test_client()
        assert client.post("/login").status_code == 401
        _assert_429(client.post("/login"))

    def test_error_handler(self):
        """register_error_handler answers 429 for any raising view."""
        response = _app().test_client().get("/raw")
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "1"

    def test_async_view(self):
        """Async Flask views are limited through the async path."""
        client = _app().test_client()
        assert client.get("/async").status_code == 200
        _assert_429(client.get("/async"))

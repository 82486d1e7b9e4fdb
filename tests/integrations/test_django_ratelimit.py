"""Rate limiting adapter for Django views, via RequestFactory and Client."""

from __future__ import annotations

import asyncio

from types import ModuleType

import django
import pytest

from django.conf import settings


if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="test-only",
        ALLOWED_HOSTS=["testserver"],
        INSTALLED_APPS=[],
        MIDDLEWARE=[],
        ROOT_URLCONF=__name__,
    )
    django.setup()

from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import path

from dataprotect.errors import RateLimitExceeded
from dataprotect.integrations.django import (
    RateLimitExceededMiddleware,
    rate_limit,
)
from dataprotect.ratelimit import LoginThrottle, RateLimiter


LIMITER = RateLimiter()
THROTTLE = LoginThrottle(LIMITER, per_pair="1/minute", backoff=0)


@rate_limit("2/minute", limiter=LIMITER)
def home(request):
    return HttpResponse("ok")


@rate_limit("100/minute", limiter=LIMITER)
def login(request):
    THROTTLE.check("alice", request.META["REMOTE_ADDR"])
    THROTTLE.record_failure("alice", request.META["REMOTE_ADDR"])
    return HttpResponse("bad password", status=401)


def raw(request):
    raise RateLimitExceeded(3.2)


def broken(request):
    raise ValueError("not a rate limit")


URLS = ModuleType("dataprotect_ratelimit_test_urls")
URLS.urlpatterns = [
    path("", home),
    path("login", login),
    path("raw", raw),
    path("broken", broken),
]


def _assert_429(response) -> None:
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.content == b"Too Many Requests"
    assert not any(
        h.lower().startswith("x-ratelimit") for h in response.headers
    )


class TestDjango:
    def test_sync_view(self):
        """The 3rd request in a minute gets 429 with Retry-After."""
        LIMITER.reset("2/minute")
        factory = RequestFactory()

        @rate_limit("2/minute", limiter=RateLimiter())
        def view(request):
            return HttpResponse("ok")

        codes = [view(factory.get("/")).status_code for _ in range(2)]
        assert codes == [200, 200]
        _assert_429(view(factory.get("/")))

    def test_async_view(self):
        """Async views go through the async limiter path."""
        factory = RequestFactory()

        @rate_limit(
            "1/minute", key=lambda r: r.GET.get("u", ""), limiter=RateLimiter()
        )
        async def view(request):
            return HttpResponse("ok")

        async def main():
            first = await view(factory.get("/?u=a"))
            second = await view(factory.get("/?u=a"))
            other = await view(factory.get("/?u=b"))
            return first, second, other

        first, second, other = asyncio.run(main())
        assert first.status_code == 200
        _assert_429(second)
        assert other.status_code == 200

    def test_client_and_login_throttle(self):
        """Through the test Client: a LoginThrottle refusal becomes 429."""
        with override_settings(ROOT_URLCONF=URLS):
            client = Client(REMOTE_ADDR="192.0.2.44")
            assert client.post("/login").status_code == 401
            _assert_429(client.post("/login"))

    def test_middleware(self):
        """RateLimitExceededMiddleware turns a raising view into 429."""
        mw = [
            f"{RateLimitExceededMiddleware.__module__}.RateLimitExceededMiddleware"
        ]
        with override_settings(ROOT_URLCONF=URLS, MIDDLEWARE=mw):
            response = Client().get("/raw")
        assert response.status_code == 429
        assert response["Retry-After"] == "4"

    def test_middleware_leaves_other_errors(self):
        """Other exceptions pass the middleware to Django's handling."""
        mw = [
            f"{RateLimitExceededMiddleware.__module__}.RateLimitExceededMiddleware"
        ]
        with override_settings(ROOT_URLCONF=URLS, MIDDLEWARE=mw):
            with pytest.raises(ValueError, match="not a rate limit"):
                Client().get("/broken")
            response = Client(raise_request_exception=False).get("/broken")
        assert response.status_code == 500
        assert "Retry-After" not in response


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

"""Rate limiting adapters for Starlette and FastAPI, via their TestClient."""

from __future__ import annotations

import pytest

from fastapi import Depends, FastAPI
from starlette import exceptions as starlette_exceptions
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from dataprotect.errors import RateLimitExceeded
from dataprotect.integrations import fastapi as fastapi_adapter
from dataprotect.integrations.starlette import (
    RateLimit,
    RateLimitMiddleware,
    rate_limit_exceeded_handler,
)
from dataprotect.ratelimit import LoginThrottle, RateLimiter
from helpers import starlette_test_client


_HAS_STARLETTE_WARNING = hasattr(
    starlette_exceptions, "StarletteDeprecationWarning"
)


def _assert_429(response) -> None:
    assert response.status_code == 429
    retry = int(response.headers["retry-after"])
    assert 1 <= retry <= 60
    assert not any(h.startswith("x-ratelimit") for h in response.headers)


def _starlette_app(limiter: RateLimiter, **kwargs) -> Starlette:
    throttle = LoginThrottle(limiter, per_pair="1/minute", backoff=0)

    async def home(request):
        return PlainTextResponse("ok")

    async def login(request):
        throttle.check("alice", request.client.host)
        throttle.record_failure("alice", request.client.host)
        return PlainTextResponse("bad password", status_code=401)

    app = Starlette(
        routes=[Route("/", home), Route("/login", login, methods=["POST"])]
    )
    app.add_middleware(
        RateLimitMiddleware, rate="3/minute", limiter=limiter, **kwargs
    )
    return app


class TestMiddleware:
    def test_limits_and_answers_429(self):
        """The 4th request in a minute gets 429 with Retry-After only."""
        with starlette_test_client(_starlette_app(RateLimiter())) as client:
            assert [client.get("/").status_code for _ in range(3)] == [200] * 3
            response = client.get("/")
            _assert_429(response)
            assert response.text == "Too Many Requests"

    def test_paths_filter(self):
        """Only the listed path prefixes are limited."""
        app = _starlette_app(RateLimiter(), paths=["/login"])
        with starlette_test_client(app) as client:
            assert all(client.get("/").status_code == 200 for _ in range(6))

    def test_view_raising_rate_limit_exceeded(self):
        """A LoginThrottle refusal inside a view becomes the same 429."""
        with starlette_test_client(_starlette_app(RateLimiter())) as client:
            assert client.post("/login").status_code == 401
            _assert_429(client.post("/login"))

    def test_key_function(self):
        """A custom key separates clients."""
        app = _starlette_app(
            RateLimiter(), key=lambda r: r.headers.get("x-user", "anon")
        )
        with starlette_test_client(app) as client:
            for _ in range(3):
                client.get("/", headers={"x-user": "a"})
            assert client.get("/", headers={"x-user": "a"}).status_code == 429
            assert client.get("/", headers={"x-user": "b"}).status_code == 200

    def test_exception_handler(self):
        """rate_limit_exceeded_handler answers 429 for a raising view."""

        async def view(request):
            raise RateLimitExceeded(2.5)

        app = Starlette(
            routes=[Route("/", view)],
            exception_handlers={
                RateLimitExceeded: rate_limit_exceeded_handler
            },
        )
        with starlette_test_client(app) as client:
            response = client.get("/")
            assert response.status_code == 429
            assert response.headers["retry-after"] == "3"

    def test_refusal_after_response_started_propagates(self):
        """Once the response has started, a refusal cannot become a 429."""
        from starlette.responses import StreamingResponse

        async def chunks():
            yield b"first chunk"
            raise RateLimitExceeded(2.0)

        async def stream(request):
            return StreamingResponse(chunks())

        app = Starlette(routes=[Route("/stream", stream)])
        app.add_middleware(
            RateLimitMiddleware, rate="5/minute", limiter=RateLimiter()
        )
        with (
            starlette_test_client(app) as client,
            pytest.raises(Exception) as info,
        ):
            client.get("/stream")
        # Starlette 0.40 (the floor) wraps it in an exception group.
        raised = info.value
        while getattr(raised, "exceptions", None):
            (raised,) = raised.exceptions  # type: ignore[attr-defined]
        assert isinstance(raised, RateLimitExceeded)
        with starlette_test_client(
            app, raise_server_exceptions=False
        ) as client:
            response = client.get("/stream")
        assert response.status_code == 200
        # Starlette 0.40's test client drops the partial body.
        assert response.content in {b"first chunk", b""}

    def test_fail_closed_answers_429_not_500(self):
        """A dead Redis gives 429 (fail closed), never a 500."""
        from helpers import free_port

        limiter = RateLimiter(
            f"redis://:secret-pw@127.0.0.1:{free_port()}", secret=b"k" * 32
        )
        with starlette_test_client(_starlette_app(limiter)) as client:
            _assert_429(client.get("/"))


class TestFastAPIDependency:
    def _app(self, limiter: RateLimiter) -> FastAPI:
        app = FastAPI()

        @app.post(
            "/login",
            dependencies=[Depends(RateLimit("2/minute", limiter=limiter))],
        )
        async def login():
            return {"ok": True}

        @app.post(
            "/other",
            dependencies=[Depends(RateLimit("2/minute", limiter=limiter))],
        )
        async def other():
            return {"ok": True}

        return app

    def test_dependency_limits_per_route(self):
        """The dependency answers 429 with Retry-After, per route."""
        with starlette_test_client(self._app(RateLimiter())) as client:
            assert client.post("/login").status_code == 200
            assert client.post("/login").status_code == 200
            _assert_429(client.post("/login"))
            assert client.post("/other").status_code == 200

    def test_dependency_plain_body(self):
        """The refusal is the plain body every adapter sends, not FastAPI's JSON."""
        with starlette_test_client(self._app(RateLimiter())) as client:
            for _ in range(2):
                client.post("/login")
            for _ in range(2):  # the handler, once added, stays right
                response = client.post("/login")
                _assert_429(response)
                assert response.text == "Too Many Requests"
                assert response.headers["content-type"].startswith(
                    "text/plain"
                )

    def test_app_handler_for_429_decides(self):
        """A handler the app registers for status 429 still shapes the answer."""
        from fastapi.responses import JSONResponse

        app = self._app(RateLimiter())

        @app.exception_handler(429)
        async def mine(request, exc):
            return JSONResponse({"error": "slow down"}, status_code=429)

        with starlette_test_client(app) as client:
            for _ in range(2):
                client.post("/login")
            response = client.post("/login")
        assert response.status_code == 429
        assert response.json() == {"error": "slow down"}

    def test_dependency_outside_an_app(self):
        """Called without Starlette's handlers in the scope, it raises HTTPException(429)."""
        import asyncio

        from starlette.exceptions import HTTPException
        from starlette.requests import Request

        dependency = RateLimit("1/minute", limiter=RateLimiter())
        scope = {
            "type": "http",
            "method": "GET",
            "path": "/x",
            "headers": [],
            "client": ("192.0.2.1", 1234),
            "query_string": b"",
        }
        asyncio.run(dependency(Request(scope)))
        with pytest.raises(HTTPException) as info:
            asyncio.run(dependency(Request(scope)))
        assert info.value.status_code == 429
        assert info.value.detail == "Too Many Requests"
        assert info.value.headers == {"Retry-After": "60"}

    def test_fastapi_module_reexports(self):
        """dataprotect.integrations.fastapi offers the same names."""
        assert fastapi_adapter.RateLimit is RateLimit
        assert fastapi_adapter.RateLimitMiddleware is RateLimitMiddleware

    def test_middleware_on_fastapi(self):
        """The middleware works on a FastAPI app too."""
        app = FastAPI()
        app.add_middleware(
            RateLimitMiddleware, rate="1/minute", limiter=RateLimiter()
        )

        @app.get("/")
        async def home():
            return {"ok": True}

        with starlette_test_client(app) as client:
            assert client.get("/").status_code == 200
            _assert_429(client.get("/"))


pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning")]
if _HAS_STARLETTE_WARNING:
    pytestmark.append(
        pytest.mark.filterwarnings(
            "ignore::starlette.exceptions.StarletteDeprecationWarning"
        )
    )

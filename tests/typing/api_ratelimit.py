"""Calls every public rate-limiting signature so mypy --strict checks them."""

from __future__ import annotations

import asyncio
import os

from dataprotect.errors import RateLimitExceeded
from dataprotect.keys import Keyring
from dataprotect.ratelimit import (
    KeyPart,
    LoginThrottle,
    RateLimiter,
    default_limiter,
    rate_limit,
    rate_limit_decorator,
    redact_uri,
)


limiter = RateLimiter(
    "memory://",
    "fixed-window",
    secret=os.urandom(32),
    fail_mode="open",
    clock=lambda: 0.0,
)
shared = RateLimiter("redis://127.0.0.1:6379/0", secret=Keyring.generate())
ok: bool = limiter.hit("5/minute", "user", 42, b"raw", cost=2)
limiter.check("5/minute", "user")
left: int = limiter.remaining("5/minute", "user")
would: bool = limiter.test("5/minute", "user")
limiter.reset("5/minute", "user")
limiter.close()
safe: str = redact_uri("redis://u:p@h:1/0")


async def _use() -> None:
    admitted: bool = await limiter.ahit("5/minute", "user")
    await limiter.acheck("5/minute", "user", cost=1)
    await limiter.areset("5/minute", "user")
    await limiter.aclose()
    del admitted


asyncio.run(_use())


@rate_limit("2/second", key=lambda user: user, limiter=limiter)
def view(user: str) -> str:
    return user


@rate_limit("2/second")
async def aview(user: str) -> int:
    return len(user)


name: str = view("x")
process_wide: RateLimiter = default_limiter()


class Request:
    peer = "192.0.2.1"


def _request(request: Request, *args: object, **kwargs: object) -> Request:
    return request


def _answer(exc: RateLimitExceeded) -> str:
    return f"429 Retry-After {exc.retry_after}"


def _scope(name: str, request: Request) -> tuple[KeyPart, ...]:
    return ("web", name)


@rate_limit_decorator(
    "5/minute",
    get_request=_request,
    respond=_answer,
    key=lambda request: request.peer,
    scope=_scope,
    limiter=limiter,
    cost=1,
)
def web_view(request: Request, page: int) -> str:
    return str(page)


@rate_limit_decorator("5/minute", get_request=_request)
async def async_web_view(request: Request) -> str:
    return request.peer


page: str = web_view(Request(), 1)
throttle = LoginThrottle(
    limiter,
    per_pair="5/minute",
    per_account="50/hour",
    per_ip="100/hour",
    per_device="5/minute",
    backoff=1,
    backoff_after=3,
    backoff_max=60,
    device_cookie_key=os.urandom(32),
    device_cookie_max_age=3600,
    now=lambda: 0.0,
)
cookie: str = throttle.issue_device_cookie("alice")
try:
    throttle.check("alice", "192.0.2.1", device_cookie=cookie)
except RateLimitExceeded as exc:
    wait: float = exc.retry_after
throttle.record_failure("alice", "192.0.2.1")
throttle.record_success("alice", "192.0.2.1", device_cookie=cookie)
same: RateLimiter = throttle.limiter


async def _login() -> None:
    await throttle.acheck("alice", "192.0.2.1", device_cookie=None)
    await throttle.arecord_failure("alice", "192.0.2.1")
    await throttle.arecord_success("alice", "192.0.2.1")

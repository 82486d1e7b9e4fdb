"""Rate limiting: dataprotect vs raw ``limits``, Flask-Limiter and slowapi.

Measured in one run:

1. per-check cost (µs) and checks/s of ``RateLimiter.hit`` against the same
   strategy of raw ``limits`` on the same storage (memory, and a real
   ``redis-server`` started here on a loopback port); 1,000 keys in turn,
   every check admitted;
2. exactness under threads: raw ``limits`` ``MemoryStorage`` vs
   dataprotect's locking storage, 8 threads, 1 µs switch interval;
3. a trivial endpoint's request time with no limit, under Flask-Limiter /
   slowapi, and under dataprotect's adapters, each through the framework's
   test client.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import limits


# FastAPI resolves endpoint annotations from module globals.
from fastapi import Request
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import (
    FixedWindowRateLimiter,
    MovingWindowRateLimiter,
    SlidingWindowCounterRateLimiter,
)

from dataprotect.ratelimit import RateLimiter


STRATEGIES: dict[str, Callable[[Any], limits.strategies.RateLimiter]] = {
    "moving-window": MovingWindowRateLimiter,
    "fixed-window": FixedWindowRateLimiter,
    "sliding-window-counter": SlidingWindowCounterRateLimiter,
}
SECRET = os.urandom(32)
BIG = "1000000/hour"


def _best(fn: Callable[[], None], number: int, repeat: int) -> float:
    """Best seconds per call of *fn* over *repeat* runs of *number* calls."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


@contextmanager
def _redis() -> Iterator[str | None]:
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import redis

    client = redis.Redis(host="127.0.0.1", port=port)
    try:
        for _ in range(200):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        client.close()
        proc.terminate()
        proc.wait(timeout=10)


def _hitters(
    raw: limits.strategies.RateLimiter,
    ours: RateLimiter,
    item: limits.RateLimitItem,
    keys: list[str],
) -> tuple[Callable[[], None], Callable[[], None]]:
    """Two closures hitting the same keys in turn through each limiter."""
    state = {"i": 0}

    def raw_hit() -> None:
        state["i"] = (state["i"] + 1) % 1000
        raw.hit(item, keys[state["i"]])

    def our_hit() -> None:
        state["i"] = (state["i"] + 1) % 1000
        ours.hit(BIG, keys[state["i"]])

    return raw_hit, our_hit


def _per_check(uri: str, quick: bool) -> list[str]:
    rows = []
    number = (
        (100 if quick else 300)
        if uri != "memory://"
        else (500 if quick else 2000)
    )
    repeat = 5 if quick else 31
    item = limits.parse(BIG)
    for name, cls in STRATEGIES.items():
        keys = [f"{name}-user-{i}" for i in range(1000)]
        if uri == "memory://":
            raw = cls(MemoryStorage())
            ours = RateLimiter(strategy=name)  # type: ignore[arg-type]
        else:
            raw = cls(storage_from_string(uri))
            ours = RateLimiter(uri, name, secret=SECRET)  # type: ignore[arg-type]
        raw_hit, our_hit = _hitters(raw, ours, item, keys)

        t_raw, t_ours, ratio = _paired(raw_hit, our_hit, number, repeat)
        ours.close()
        storage = uri.partition("://")[0]
        rows.append(
            f"| {storage} | {name} | {t_raw * 1e6:.1f} | {t_ours * 1e6:.1f} "
            f"| {1 / t_ours:,.0f} | **{ratio:.2f}x** |"
        )
    return rows


def _paired(
    raw: Callable[[], None],
    ours: Callable[[], None],
    number: int,
    rounds: int,
) -> tuple[float, float, float]:
    """Median seconds per call of each, and the median of per-round ratios.

    Each round times *number* calls of both, the order alternating; the
    ratio of one round compares two runs a moment apart, so a slow spell
    of the shared machine (or of redis-server) weighs on both sides of it.
    """
    raws, ourses, ratios = [], [], []
    for i in range(rounds):
        if i % 2:
            t_ours, t_raw = _best(ours, number, 1), _best(raw, number, 1)
        else:
            t_raw, t_ours = _best(raw, number, 1), _best(ours, number, 1)
        raws.append(t_raw)
        ourses.append(t_ours)
        ratios.append(t_ours / t_raw)
    return (
        statistics.median(raws),
        statistics.median(ourses),
        statistics.median(ratios),
    )


def _threads(
    hit: Callable[[], bool], threads: int = 8, each: int = 100
) -> int:
    admitted = [0] * threads
    barrier = threading.Barrier(threads)

    def work(i: int) -> None:
        barrier.wait()
        admitted[i] = sum(hit() for _ in range(each))

    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for t in pool:
            t.start()
        for t in pool:
            t.join()
    finally:
        sys.setswitchinterval(old)
    return sum(admitted)


def _hitter(lim: RateLimiter) -> Callable[[], bool]:
    return lambda: lim.hit("100/hour", "k")


def _getter(client: Any) -> Callable[[], None]:
    return lambda: client.get("/")


def _exactness(quick: bool) -> list[str]:
    rows = []
    item = limits.parse("100/hour")
    trials = 3 if quick else 30
    for name, cls in STRATEGIES.items():
        raw_max = 0
        raw_errors = 0
        ours_max = 0
        for _ in range(trials):
            storage = MemoryStorage()
            raw = cls(storage)

            def raw_hit(raw: limits.strategies.RateLimiter = raw) -> bool:
                nonlocal raw_errors
                try:
                    return raw.hit(item, "k")
                except RuntimeError:
                    raw_errors += 1
                    return False

            raw_max = max(raw_max, _threads(raw_hit))
            storage.timer.cancel()
            ours = RateLimiter(strategy=name)  # type: ignore[arg-type]
            ours_max = max(ours_max, _threads(_hitter(ours)))
        rows.append(f"| {name} | {raw_max} | {raw_errors} | {ours_max} |")
    return rows


def _flask_rows(quick: bool) -> tuple[list[str], float]:
    import flask

    from flask_limiter import Limiter
    from flask_limiter.util import get_remote_address

    from dataprotect.integrations.flask import rate_limit

    bare = flask.Flask("bare")
    bare.add_url_rule("/", "home", lambda: "ok")

    fl_app = flask.Flask("flask_limiter")
    fl = Limiter(get_remote_address, app=fl_app, storage_uri="memory://")
    fl_app.add_url_rule("/", "home", fl.limit(BIG)(lambda: "ok"))

    ours_app = flask.Flask("ours")
    ours_app.add_url_rule(
        "/", "home", rate_limit(BIG, limiter=RateLimiter())(lambda: "ok")
    )
    clients = {
        "no limit": bare.test_client(),
        "Flask-Limiter": fl_app.test_client(),
        "dataprotect `rate_limit`": ours_app.test_client(),
    }
    number = 300 if quick else 2000
    times = dict.fromkeys(clients, float("inf"))
    for _ in range(3 if quick else 5):
        for label, client in clients.items():
            times[label] = min(times[label], _best(_getter(client), number, 1))
    ref = times["Flask-Limiter"]
    rows = [
        f"| Flask | {label} | {t * 1e6:.0f} | {t / ref:.2f}x |"
        for label, t in times.items()
    ]
    return rows, times["dataprotect `rate_limit`"] / ref


async def _asgi_time(app: Callable[..., object], number: int) -> float:
    """Seconds per GET / of *app*, called as ASGI in this event loop."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/",
        "raw_path": b"/",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    statuses: list[int] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(int(message["status"]))  # type: ignore[call-overload]

    start = time.perf_counter()
    for _ in range(number):
        await app(dict(scope), receive, send)  # type: ignore[misc]
    elapsed = (time.perf_counter() - start) / number
    if set(statuses) != {200}:
        msg = f"unexpected statuses {set(statuses)}"
        raise RuntimeError(msg)
    return elapsed


def _starlette_rows(quick: bool) -> tuple[list[str], float, float]:
    from fastapi import Depends, FastAPI
    from slowapi import Limiter, _rate_limit_exceeded_handler
    from slowapi.errors import RateLimitExceeded as SlowRateLimitExceeded
    from slowapi.util import get_remote_address

    from dataprotect.integrations.starlette import (
        RateLimit,
        RateLimitMiddleware,
    )

    bare = FastAPI()

    @bare.get("/")
    async def bare_home() -> dict[str, bool]:
        return {"ok": True}

    slow = FastAPI()
    sl = Limiter(key_func=get_remote_address, storage_uri="memory://")
    slow.state.limiter = sl
    slow.add_exception_handler(
        SlowRateLimitExceeded,
        _rate_limit_exceeded_handler,  # type: ignore[arg-type]
    )

    @slow.get("/")
    @sl.limit(BIG)
    async def slow_home(
        request: Request,  # noqa: ARG001 (slowapi needs it)
    ) -> dict[str, bool]:
        return {"ok": True}

    dep = FastAPI()
    lim = RateLimiter()

    @dep.get("/", dependencies=[Depends(RateLimit(BIG, limiter=lim))])
    async def dep_home() -> dict[str, bool]:
        return {"ok": True}

    mw = FastAPI()
    mw.add_middleware(RateLimitMiddleware, rate=BIG, limiter=RateLimiter())

    @mw.get("/")
    async def mw_home() -> dict[str, bool]:
        return {"ok": True}

    apps = {
        "no limit": bare,
        "slowapi": slow,
        "dataprotect `RateLimit` dependency": dep,
        "dataprotect `RateLimitMiddleware`": mw,
    }
    number = 300 if quick else 3000
    times = dict.fromkeys(apps, float("inf"))

    async def measure() -> None:
        # Drive each ASGI app directly in one event loop: the test client's
        # thread portal costs ~1 ms a request and drowns the difference.
        for _ in range(3 if quick else 7):
            for label, app in apps.items():
                times[label] = min(times[label], await _asgi_time(app, number))

    asyncio.run(measure())
    ref = times["slowapi"]
    rows = [
        f"| FastAPI | {label} | {t * 1e6:.0f} | {t / ref:.2f}x |"
        for label, t in times.items()
    ]
    return (
        rows,
        times["dataprotect `RateLimit` dependency"] / ref,
        times["dataprotect `RateLimitMiddleware`"] / ref,
    )


def _async_row(uri: str, quick: bool) -> str:
    lim = RateLimiter(uri, secret=SECRET)
    number = 300 if quick else 2000

    async def main() -> float:
        start = time.perf_counter()
        for i in range(number):
            await lim.ahit(BIG, f"user-{i % 1000}")
        elapsed = (time.perf_counter() - start) / number
        await lim.aclose()
        return elapsed

    t = asyncio.run(main())
    lim.close()
    return f"| {uri.partition('://')[0]} (async, moving-window) | {t * 1e6:.1f} | {1 / t:,.0f} |"


def run(quick: bool) -> str:
    """Run every measurement; return the Markdown tables."""
    out = [
        (
            "Per check: `RateLimiter.hit` vs the same `limits` strategy on "
            "the same storage (1,000 keys in turn, all admitted); "
            "median time per check, and the median of the per-round ratios "
            "(rounds alternate the two, so a slow spell weighs on both "
            "sides of a ratio). Target <= 1.3x."
        ),
        "",
        "| storage | strategy | raw limits µs | dataprotect µs | dataprotect checks/s | ratio |",
        "|---|---|---:|---:|---:|---:|",
    ]
    out += _per_check("memory://", quick)
    async_rows = [_async_row("memory://", quick)]
    with _redis() as uri:
        if uri is None:
            out.append(
                "| redis | (redis-server not installed: skipped) | | | | |"
            )
        else:
            out += _per_check(uri, quick)
            async_rows.append(_async_row(uri, quick))
    out += [
        "",
        "Async path (`ahit`; Redis through `limits`' async storage):",
        "",
        "| storage | µs per check | checks/s |",
        "|---|---:|---:|",
        *async_rows,
        "",
        (
            "Exactness under threads: 8 threads x 100 hits on one key, "
            "limit 100, `sys.setswitchinterval(1e-6)`; most admitted over "
            "the trials (and `RuntimeError`s raised by raw `limits`' expiry "
            "timer)."
        ),
        "",
        "| strategy | raw limits MemoryStorage admitted | raw errors | dataprotect admitted |",
        "|---|---:|---:|---:|",
        *_exactness(quick),
    ]
    flask_rows, flask_ratio = _flask_rows(quick)
    star_rows, dep_ratio, mw_ratio = _starlette_rows(quick)
    out += [
        "",
        (
            "A trivial endpoint, memory storage, limit never reached "
            "(Flask through its test client; FastAPI called as an ASGI app "
            "in one event loop). Target: dataprotect <= 1.10x the peer "
            "limiter."
        ),
        "",
        "| framework | endpoint | µs per request | vs peer limiter |",
        "|---|---|---:|---:|",
        *flask_rows,
        *star_rows,
        "",
        (
            f"Adapters vs peers: Flask {flask_ratio:.2f}x Flask-Limiter; "
            f"FastAPI dependency {dep_ratio:.2f}x and middleware "
            f"{mw_ratio:.2f}x slowapi."
        ),
    ]
    return "\n".join(out)

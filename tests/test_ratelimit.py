"""Tests for dataprotect.ratelimit against memory:// and a real redis-server."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid

from collections.abc import Iterator
from pathlib import Path

import pytest

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dataprotect.errors import (
    BackendError,
    ConfigurationError,
    DataProtectError,
    RateLimitExceeded,
)
from dataprotect.keys import Keyring
from dataprotect.ratelimit import (
    LoginThrottle,
    RateLimiter,
    default_limiter,
    rate_limit,
    rate_limit_decorator,
    redact_uri,
)
from dataprotect.ratelimit._limiter import _QUIET_BEFORE_RECOVERY
from helpers import free_port, outcome, shown_text
from redis_servers import assert_exact_under_processes, redis_server
from strategies import raw_uri_passwords, secret_texts


STRATEGIES = ["moving-window", "fixed-window", "sliding-window-counter"]
SECRET = os.urandom(32)
REDIS_PASSWORD = "pw-" + uuid.uuid4().hex
VECTORS = Path(__file__).parent / "vectors" / "device-cookie.json"


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@contextlib.contextmanager
def _run_redis(
    workdir: Path,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A real redis-server on a free loopback port, with a password."""
    with redis_server(REDIS_PASSWORD, workdir) as node:
        assert node.proc is not None
        yield f"redis://:{REDIS_PASSWORD}@127.0.0.1:{node.port}/0", node.proc


@pytest.fixture(name="redis_url", scope="session")
def _redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server shared by the session's tests."""
    with _run_redis(tmp_path_factory.mktemp("redis")) as (url, _):
        yield url


@pytest.fixture(name="own_redis")
def _own_redis(
    tmp_path: Path,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A real redis-server of this test's own, which it may stop (SIGSTOP)."""
    with _run_redis(tmp_path) as found:
        yield found


@pytest.fixture(autouse=True)
def _close_limiters(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Close every limiter a test made, so no Redis socket is left open."""
    made: list[RateLimiter] = []
    init = RateLimiter.__init__

    def tracking_init(self, *args, **kwargs):
        init(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(RateLimiter, "__init__", tracking_init)
    yield
    for lim in made:
        lim.close()


@pytest.fixture(name="storage", params=["memory://", "redis"])
def _storage(request: pytest.FixtureRequest) -> str:
    """Each storage the tests run against."""
    if request.param == "redis":
        request.applymarker(pytest.mark.services)
        return str(request.getfixturevalue("redis_url"))
    return str(request.param)


def _key() -> str:
    return uuid.uuid4().hex


def _dead_redis() -> str:
    return f"redis://admin:{REDIS_PASSWORD}@127.0.0.1:{free_port()}/0"


def _importable(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


class TestRateLimiter:
    @pytest.mark.parametrize("strategy", STRATEGIES)
    def test_admits_rate_then_refuses(self, storage, strategy):
        """Each strategy admits exactly the rate, then refuses."""
        lim = RateLimiter(storage, strategy, secret=SECRET)
        key = _key()
        results = [lim.hit("5/day", key) for _ in range(8)]
        assert results == [True] * 5 + [False] * 3
        assert lim.remaining("5/day", key) == 0
        assert not lim.test("5/day", key)

    @pytest.mark.parametrize("strategy", STRATEGIES)
    def test_check_retry_after_within_window(self, storage, strategy):
        """check raises RateLimitExceeded with 0 < retry_after <= window."""
        lim = RateLimiter(storage, strategy, secret=SECRET)
        key = _key()
        for _ in range(3):
            lim.check("3/minute", key)
        with pytest.raises(RateLimitExceeded) as info:
            lim.check("3/minute", key)
        assert 0 < info.value.retry_after <= 60
        assert isinstance(info.value, DataProtectError)
        assert str(info.value) == "rate limit exceeded; retry later"

    @pytest.mark.parametrize("strategy", STRATEGIES)
    def test_reset_and_remaining(self, storage, strategy):
        """reset forgets the hits; remaining counts down."""
        lim = RateLimiter(storage, strategy, secret=SECRET)
        key = _key()
        assert lim.remaining("4 per hour", key) == 4
        lim.hit("4 per hour", key, cost=3)
        assert lim.remaining("4 per hour", key) == 1
        lim.reset("4 per hour", key)
        assert lim.remaining("4 per hour", key) == 4
        assert lim.test("4 per hour", key)

    def test_keys_and_rates_are_separate(self, storage):
        """Different keys, key splits and rates keep separate counts."""
        lim = RateLimiter(storage, secret=SECRET)
        key = _key()
        assert lim.hit("1/hour", key, "a")
        assert not lim.hit("1/hour", key, "a")
        assert lim.hit("1/hour", key, "b")
        assert lim.hit("1/hour", key + "a")  # no ambiguity from joining
        assert lim.hit("2/hour", key, "a")

    def test_exception_pickles(self):
        """RateLimitExceeded survives pickling with its retry_after."""
        import pickle

        exc = pickle.loads(pickle.dumps(RateLimitExceeded(2.5)))
        assert exc.retry_after == 2.5
        assert str(exc) == "rate limit exceeded; retry later"

    def test_rate_object(self):
        """A limits.RateLimitItem works like a string rate."""
        from limits import RateLimitItemPerSecond

        lim = RateLimiter()
        item = RateLimitItemPerSecond(2)
        assert [lim.hit(item, "k") for _ in range(3)] == [True, True, False]

    @pytest.mark.parametrize(
        ("args", "kwargs"),
        [
            (("memcached://localhost:11211",), {}),
            (("memory://", "leaky-bucket"), {}),
            (("redis://127.0.0.1:1",), {}),
            (("redis://127.0.0.1:1",), {"secret": SECRET, "clock": time.time}),
            (("memory://",), {"fail_mode": "maybe"}),
            (("memory://",), {"secret": b"short"}),
            (("memory://",), {"storage_options": {"socket_timeout": 1}}),
        ],
    )
    def test_bad_configuration(self, args, kwargs):
        """Invalid settings raise ConfigurationError."""
        with pytest.raises(ConfigurationError):
            RateLimiter(*args, **kwargs)

    def test_bad_rate(self):
        """An unparsable rate raises ConfigurationError."""
        with pytest.raises(ConfigurationError):
            RateLimiter().hit("often", "k")

    def test_bad_key_part_type(self):
        """Key parts must be str, bytes or int."""
        with pytest.raises(TypeError):
            RateLimiter().hit("1/second", 1.5)  # type: ignore[arg-type]

    def test_keyring_secret(self):
        """A Keyring can supply the key material."""
        lim = RateLimiter(secret=Keyring.generate())
        assert lim.hit("1/second", "k")

    def test_not_picklable(self):
        """Limiters refuse pickling (they hold a key)."""
        import pickle

        with pytest.raises(TypeError):
            pickle.dumps(RateLimiter())

    @pytest.mark.parametrize(
        ("args", "kwargs"),
        [
            ((b"memory://",), {}),
            (("memory://",), {"secret": "k" * 32}),
        ],
    )
    def test_bad_argument_types(self, args, kwargs):
        """A storage that is not a string, a secret not bytes: TypeError."""
        with pytest.raises(TypeError) as info:
            RateLimiter(*args, **kwargs)
        assert "k" * 32 not in str(info.value)

    def test_rate_of_another_type(self):
        """A rate that is neither a string nor a RateLimitItem: TypeError."""
        with pytest.raises(TypeError, match="rate must be"):
            RateLimiter().hit(5, "k")  # type: ignore[arg-type]

    def test_storage_uri_refused_by_limits(self):
        """A URI limits refuses is a ConfigurationError, password masked."""
        uri = "redis+sentinel://:Zq9-pw@127.0.0.1:1"
        with pytest.raises(ConfigurationError) as info:
            RateLimiter(uri, secret=SECRET)
        assert str(info.value) == (
            "invalid rate-limit storage URI "
            "redis+sentinel://:[secure]@127.0.0.1:1"
        )
        assert info.value.__cause__ is None

    @pytest.mark.parametrize(
        "uri",
        [
            "redis://h/0?token=Zq9-pw",
            "redis://127.0.0.1:1/0?token=Zq9-pw",
            "rediss://127.0.0.1:1/0?token=Zq9-pw",
            "redis+unix:///tmp/redis.sock?token=Zq9-pw",
            "valkey://127.0.0.1:1/0?token=Zq9-pw",
        ],
    )
    def test_unknown_uri_option_refused_at_construction(self, uri):
        """An option the client does not know is a ConfigurationError when
        the limiter is made (not a TypeError at the first hit), redacted."""
        with pytest.raises(ConfigurationError) as info:
            RateLimiter(uri, secret=SECRET)
        assert str(info.value) == (
            f"invalid rate-limit storage URI {redact_uri(uri)}"
        )
        assert "Zq9-pw" not in str(info.value)
        assert info.value.__cause__ is None

    @given(
        key=st.sampled_from(["token", "api_key", "secret", "auth_token"]),
        value=secret_texts,
    )
    def test_secret_query_option_never_shown(self, key, value):
        """Any value (lone surrogates too) of a secret-looking option the
        client does not take is a ConfigurationError that never shows it."""
        assume(not set(value) & set("&#"))
        lim = outcome(
            lambda: RateLimiter(
                f"redis://127.0.0.1:1/0?{key}={value}", secret=SECRET
            )
        )
        assert isinstance(lim, ConfigurationError)
        assert value not in shown_text(lim)

    def test_unknown_storage_option_refused_at_construction(self):
        """An unknown storage_options key is refused when the limiter is made."""
        with pytest.raises(ConfigurationError, match="invalid rate-limit"):
            RateLimiter(
                "redis://127.0.0.1:1/0",
                secret=SECRET,
                storage_options={"token": "x"},
            )

    def test_valkey_without_client_names_valkey(self, monkeypatch):
        """valkey:// without its client library says what to install."""
        from dataprotect.errors import MissingDependencyError

        pytest.importorskip("redis")
        monkeypatch.setitem(sys.modules, "valkey", None)
        with pytest.raises(
            MissingDependencyError, match=r"install dataprotect\[valkey\]"
        ):
            RateLimiter("valkey://127.0.0.1:1", secret=SECRET)

    def test_unreachable_cluster_is_a_dataprotect_error(self):
        """An unreachable cluster at start-up is a BackendError, password masked."""
        pytest.importorskip("redis")
        uri = f"redis+cluster://:Zq9-pw@127.0.0.1:{free_port()}"
        with pytest.raises(BackendError) as info:
            RateLimiter(uri, secret=SECRET)
        assert "Zq9-pw" not in str(info.value)
        assert info.value.__cause__ is None

    @pytest.mark.services
    def test_valkey_client_against_a_real_server(self, redis_url):
        """valkey:// counts exactly on a real server (the RESP protocol)."""
        uri = redis_url.replace("redis://", "valkey://")
        lim = RateLimiter(uri, secret=SECRET)
        key = f"valkey-{time.monotonic_ns()}"
        assert [lim.hit("3/minute", key) for _ in range(4)] == [
            True,
            True,
            True,
            False,
        ]

        async def main() -> list[bool]:
            got = [await lim.ahit("3/minute", f"a{key}") for _ in range(4)]
            await lim.aclose()
            return got

        assert asyncio.run(main()) == [True, True, True, False]
        lim.close()

    def test_many_rates_and_keys(self):
        """Beyond the rate and key-hash caches, counting stays exact."""
        lim = RateLimiter(clock=FakeClock())
        for i in range(1100):
            assert lim.hit(f"{i + 1}/hour", "k")
        for i in range(4200):
            assert lim.hit("1/hour", "user", i)
        assert not lim.hit("1/hour", "user", 0)
        assert not lim.hit("1/hour", "user", 4199)
        assert lim.hit("1/hour", "user", 4200)

    @pytest.mark.parametrize("strategy", STRATEGIES)
    def test_cost_above_rate_always_refused(self, strategy):
        """A single hit costing more than the rate is never admitted."""
        lim = RateLimiter(strategy=strategy, clock=FakeClock())
        assert not lim.hit("2/minute", "k", cost=3)
        with pytest.raises(RateLimitExceeded) as info:
            lim.check("2/minute", "k", cost=3)
        assert 0 < info.value.retry_after <= 60
        if strategy != "fixed-window":  # a fixed window counts refusals too
            assert lim.remaining("2/minute", "k") == 2
            assert lim.hit("2/minute", "k", cost=2)

    def test_failing_clock_is_not_a_storage_failure(self):
        """A clock error propagates; fail_mode='open' does not swallow it."""

        def broken() -> float:
            raise ZeroDivisionError

        lim = RateLimiter(clock=broken, fail_mode="open")
        with pytest.raises(ZeroDivisionError):
            lim.hit("1/minute", "k")

    @pytest.mark.services
    def test_redis_holds_no_clear_keys(self, redis_url):
        """Redis keys hold only hashes: no usernames or addresses."""
        import redis

        lim = RateLimiter(redis_url, secret=SECRET)
        marker = "alice-" + _key()
        lim.hit("5/minute", marker, "203.0.113.7")
        throttle = LoginThrottle(lim)
        throttle.record_failure(marker, "203.0.113.7")
        client = redis.Redis.from_url(redis_url)
        keys = [k.decode() for k in client.scan_iter("*")]
        assert keys
        assert all(k.startswith("dataprotect:") for k in keys)
        for k in keys:
            assert marker not in k
            assert "203.0.113.7" not in k
        client.close()

    def test_memory_holds_no_clear_keys(self):
        """The memory storage holds only hashes too."""
        lim = RateLimiter(strategy="fixed-window")
        lim.hit("5/minute", "alice@example.com")
        held = " ".join(lim._storage._counters)
        assert "alice" not in held

    @given(
        user=st.text(min_size=3, max_size=20).map(lambda t: "Zq9" + t),
        ip=st.ip_addresses().map(str),
    )
    def test_login_keys_hold_no_user_or_address(self, user, ip):
        """Login throttle storage keys and logs never hold a username or IP."""
        lim = RateLimiter(strategy="fixed-window", secret=SECRET)
        throttle = LoginThrottle(lim)
        throttle.record_failure(user, ip)
        held = " ".join(lim._storage._counters) + repr(throttle)
        assert "Zq9" not in held
        assert ip not in held

    @pytest.mark.services
    def test_same_secret_shares_counts_across_limiters(self, redis_url):
        """Two servers with the same secret share one count in Redis."""
        a = RateLimiter(redis_url, secret=SECRET)
        b = RateLimiter(redis_url, secret=SECRET)
        key = _key()
        assert a.hit("2/hour", key)
        assert b.hit("2/hour", key)
        assert not a.hit("2/hour", key)


class TestAsync:
    @pytest.mark.parametrize("strategy", STRATEGIES)
    def test_ahit_admits_rate(self, storage, strategy):
        """Async hits admit exactly the rate and share counts with sync."""
        lim = RateLimiter(storage, strategy, secret=SECRET)
        key = _key()

        async def main():
            got = [await lim.ahit("4/day", key) for _ in range(3)]
            got.append(lim.hit("4/day", key))
            got.append(await lim.ahit("4/day", key))
            with pytest.raises(RateLimitExceeded) as info:
                await lim.acheck("4/day", key)
            await lim.areset("4/day", key)
            await lim.acheck("4/day", key)
            await lim.aclose()
            return got, info.value.retry_after

        got, retry = asyncio.run(main())
        assert got == [True, True, True, True, False]
        assert 0 < retry <= 86400

    @pytest.mark.services
    def test_new_event_loop_gets_new_storage(self, redis_url):
        """A limiter works across several event loops (one client each)."""
        lim = RateLimiter(redis_url, secret=SECRET)
        key = _key()

        async def once():
            await lim.acheck("10/minute", key)
            await lim.aclose()

        for _ in range(3):
            asyncio.run(once())
        assert lim.remaining("10/minute", key) == 7


def _shown(uri):
    """repr of a limiter on *uri*, or the message it was refused with."""
    try:
        return repr(RateLimiter(uri, secret=SECRET))
    except ConfigurationError as exc:
        return str(exc)


class TestRedaction:
    def test_redact_examples(self):
        """Passwords and secret query values become [secure]."""
        assert redact_uri("redis://user:pw@host:6379/0") == (
            "redis://user:[secure]@host:6379/0"
        )
        assert redact_uri("redis://:pw@h1:1,h2:2/m?password=x&db=1") == (
            "redis://:[secure]@h1:1,h2:2/m?password=[secure]&db=1"
        )
        assert redact_uri("redis://tok@host") == "redis://[secure]@host"
        assert redact_uri("memory://") == "memory://"

    @given(password=st.text(min_size=1).map(lambda t: "Zq9" + t))
    def test_password_never_shown(self, password):
        """No generated password survives redaction or repr."""
        from urllib.parse import quote

        uri = f"redis://user:{quote(password, safe='')}@127.0.0.1:6379/0"
        assert quote(password, safe="") not in redact_uri(uri)
        lim = RateLimiter(uri, secret=SECRET)
        assert quote(password, safe="") not in repr(lim)

    @given(
        password=raw_uri_passwords,
        query=st.sampled_from(["", "?db=0", "?pwd=Zq9", "?credential=Zq9"]),
    )
    def test_unencoded_password_never_shown(self, password, query):
        """A password with raw '/', '?', '#' or '@' is still redacted."""
        uri = f"redis://user:{password}@127.0.0.1:6379/0{query}"
        assert "Zq9" not in redact_uri(uri)
        assert "Zq9" not in redact_uri(f"user:{password}@127.0.0.1{query}")
        assert "Zq9" not in _shown(uri)

    def test_unencoded_password_examples(self):
        """Everything up to the last '@' is masked when the parser misses it."""
        assert redact_uri("redis://u:p#ss@h:1/0?password=x") == (
            "redis://[secure]@h:1/0?password=[secure]"
        )
        assert redact_uri("redis://u:pa/ss@h") == "redis://[secure]@h"
        assert redact_uri("user:pass@host") == "[unparsable uri]"

    def test_secret_not_in_repr(self):
        """repr shows the storage and strategy only."""
        lim = RateLimiter(secret=SECRET)
        assert SECRET.hex() not in repr(lim)
        assert repr(lim) == "<RateLimiter memory:// moving-window>"


class TestFailMode:
    def test_fail_closed_refuses_and_logs(self, caplog):
        """An unreachable Redis refuses hits, logs once, raises nothing else."""
        uri = _dead_redis()
        lim = RateLimiter(
            uri, secret=SECRET, storage_options={"socket_timeout": 0.5}
        )
        with caplog.at_level(logging.WARNING, "dataprotect.ratelimit"):
            assert lim.hit("5/minute", "k") is False
            with pytest.raises(RateLimitExceeded) as info:
                lim.check("5/minute", "k")
        assert 0 < info.value.retry_after <= 60
        text = caplog.text
        assert "failing closed: request refused" in text
        assert "admin:[secure]@127.0.0.1" in text
        assert REDIS_PASSWORD not in text

    def test_fail_open_allows_and_logs(self, caplog):
        """fail_mode='open' lets hits through and logs it."""
        lim = RateLimiter(_dead_redis(), secret=SECRET, fail_mode="open")
        with caplog.at_level(logging.WARNING, "dataprotect.ratelimit"):
            assert lim.hit("5/minute", "k") is True
            lim.check("5/minute", "k")
        assert "failing open: request allowed" in caplog.text
        assert REDIS_PASSWORD not in caplog.text

    def test_other_calls_raise_backend_error_redacted(self):
        """remaining/reset/test raise BackendError naming the redacted URI."""
        lim = RateLimiter(_dead_redis(), secret=SECRET)
        for call in (lim.remaining, lim.reset, lim.test):
            with pytest.raises(BackendError) as info:
                call("5/minute", "k")
            assert REDIS_PASSWORD not in str(info.value)
            assert "[secure]" in str(info.value)
            assert info.value.__cause__ is None

    def test_async_fail_closed(self):
        """The async path fails closed too."""
        lim = RateLimiter(_dead_redis(), secret=SECRET)

        async def main():
            assert await lim.ahit("5/minute", "k") is False
            with pytest.raises(RateLimitExceeded):
                await lim.acheck("5/minute", "k")
            with pytest.raises(BackendError):
                await lim.areset("5/minute", "k")
            await lim.aclose()

        asyncio.run(main())

    def test_login_throttle_fails_closed_by_default(self, caplog):
        """A login throttle on a dead Redis refuses logins, never crashes,
        and logs the outage once."""
        throttle = LoginThrottle(RateLimiter(_dead_redis(), secret=SECRET))
        with caplog.at_level(logging.WARNING, "dataprotect.ratelimit"):
            with pytest.raises(RateLimitExceeded):
                throttle.check("alice", "192.0.2.1")
            throttle.record_failure("alice", "192.0.2.1")
            throttle.record_success("alice", "192.0.2.1")
        assert len(caplog.records) == 1
        assert "failing closed: request refused" in caplog.text
        assert REDIS_PASSWORD not in caplog.text

    @pytest.mark.parametrize("outcome", ["failure", "success"])
    def test_unrecorded_login_is_logged(self, caplog, outcome):
        """A login outcome the dead storage could not record is logged."""
        throttle = LoginThrottle(RateLimiter(_dead_redis(), secret=SECRET))
        with caplog.at_level(logging.WARNING, "dataprotect.ratelimit"):
            getattr(throttle, f"record_{outcome}")("alice", "192.0.2.1")
        assert f"login {outcome} not recorded" in caplog.text
        assert REDIS_PASSWORD not in caplog.text

    def test_login_throttle_can_fail_open(self):
        """With fail_mode='open' logins proceed while Redis is down."""
        lim = RateLimiter(_dead_redis(), secret=SECRET, fail_mode="open")
        LoginThrottle(lim).check("alice", "192.0.2.1")

    def test_async_fail_open(self, caplog):
        """The async paths allow requests when failing open, and log it."""
        lim = RateLimiter(_dead_redis(), secret=SECRET, fail_mode="open")
        throttle = LoginThrottle(lim)

        async def main():
            await lim.acheck("5/minute", "k")
            await throttle.acheck("alice", "192.0.2.1")
            await lim.aclose()

        with caplog.at_level(logging.WARNING, "dataprotect.ratelimit"):
            asyncio.run(main())
        assert caplog.text.count("failing open: request allowed") == 1
        assert len(caplog.records) == 1
        assert REDIS_PASSWORD not in caplog.text

    @pytest.mark.services
    def test_corrupt_backoff_entry_fails_closed(self, redis_url, caplog):
        """A storage error on the back-off entry refuses, sync and async."""
        import redis

        lim = RateLimiter(redis_url, secret=SECRET)
        throttle = LoginThrottle(lim)
        user = _key()
        _, wait_key = throttle._pair_keys(user, "192.0.2.1")
        client = redis.Redis.from_url(redis_url)
        client.rpush(f"dataprotect:{wait_key}", "not a counter")
        client.close()

        async def main():
            with pytest.raises(RateLimitExceeded) as info:
                await throttle.acheck(user, "192.0.2.1")
            await lim.aclose()
            return info.value.retry_after

        with caplog.at_level(logging.WARNING, "dataprotect.ratelimit"):
            with pytest.raises(RateLimitExceeded) as info:
                throttle.check(user, "192.0.2.1")
            assert info.value.retry_after == 1.0
            assert asyncio.run(main()) == 1.0
        assert caplog.text.count("failing closed: request refused") == 1
        assert "(ResponseError)" in caplog.text
        assert REDIS_PASSWORD not in caplog.text


class TestMissingScript:
    """A server that lost its Lua scripts (NOSCRIPT, after a failover)
    costs no request: the call, which ran nothing, is made once more."""

    @staticmethod
    def _noscript_once(monkeypatch, lim: RateLimiter, times: int) -> None:
        import limits.errors

        from redis.exceptions import NoScriptError

        calls = {"n": 0}

        def fail_first(name: str):
            real = getattr(type(lim._strategy), name)

            def wrapper(self, *args, **kwargs):
                calls["n"] += 1
                if calls["n"] <= times:
                    raise limits.errors.StorageError(NoScriptError("NOSCRIPT"))
                return real(self, *args, **kwargs)

            return wrapper

        for name in ("hit", "test"):
            monkeypatch.setattr(type(lim._strategy), name, fail_first(name))

    @pytest.mark.services
    def test_retried_once(self, redis_url, monkeypatch, caplog):
        """One NOSCRIPT: admitted, nothing logged."""
        lim = RateLimiter(redis_url, secret=SECRET)
        self._noscript_once(monkeypatch, lim, 1)
        with caplog.at_level(logging.INFO, "dataprotect.ratelimit"):
            assert lim.hit("5/minute", _key())
        assert _records(caplog) == []

    @pytest.mark.services
    def test_twice_is_a_failure(self, redis_url, monkeypatch, caplog):
        """NOSCRIPT again on the repeat: the fail mode applies."""
        lim = RateLimiter(redis_url, secret=SECRET)
        self._noscript_once(monkeypatch, lim, 2)
        with caplog.at_level(logging.INFO, "dataprotect.ratelimit"):
            assert not lim.hit("5/minute", _key())
        assert "failed (NoScriptError)" in caplog.text

    @pytest.mark.services
    def test_async_retried_once(self, redis_url, monkeypatch, caplog):
        """The async paths repeat the call once too."""
        import limits.errors

        from redis.exceptions import NoScriptError

        lim = RateLimiter(redis_url, secret=SECRET)
        throttle = LoginThrottle(lim)

        async def main(times: int) -> bool:
            _, strategy = lim._async()
            real = type(strategy).hit
            calls = {"n": 0}

            async def hit(self, *args, **kwargs):
                calls["n"] += 1
                if calls["n"] <= times:
                    raise limits.errors.StorageError(NoScriptError("NOSCRIPT"))
                return await real(self, *args, **kwargs)

            monkeypatch.setattr(type(strategy), "hit", hit)
            try:
                admitted = await lim.ahit("5/minute", _key())
                calls["n"] = 0
                await throttle.arecord_failure(_key(), "192.0.2.1")
                return admitted
            finally:
                monkeypatch.setattr(type(strategy), "hit", real)
                await lim.aclose()

        with caplog.at_level(logging.INFO, "dataprotect.ratelimit"):
            assert asyncio.run(main(1))
        assert _records(caplog) == []
        with caplog.at_level(logging.INFO, "dataprotect.ratelimit"):
            assert not asyncio.run(main(2))
        assert "failed (NoScriptError)" in caplog.text


class TestTimeouts:
    """Shared storages get socket timeouts by default, so a server that
    stops answering cannot block a request for ever."""

    @staticmethod
    def _kwargs(client) -> dict[str, object]:
        return dict(client.connection_pool.connection_kwargs)

    def test_default_timeouts(self):
        """Connect and answer timeouts default to SOCKET_TIMEOUT seconds."""
        from dataprotect.ratelimit.backends._uri import SOCKET_TIMEOUT

        lim = RateLimiter("redis://127.0.0.1:1/0", secret=SECRET)
        kwargs = self._kwargs(lim._storage.storage)
        assert kwargs["socket_timeout"] == SOCKET_TIMEOUT == 1.0
        assert kwargs["socket_connect_timeout"] == SOCKET_TIMEOUT

        async def main():
            storage, _ = lim._async()
            return self._kwargs(storage.bridge.storage)

        kwargs = asyncio.run(main())
        assert kwargs["socket_timeout"] == SOCKET_TIMEOUT
        assert kwargs["socket_connect_timeout"] == SOCKET_TIMEOUT

    def test_storage_options_override_the_timeouts(self):
        """storage_options sets other timeouts."""
        lim = RateLimiter(
            "redis://127.0.0.1:1/0",
            secret=SECRET,
            storage_options={"socket_timeout": 5, "socket_connect_timeout": 2},
        )
        kwargs = self._kwargs(lim._storage.storage)
        assert kwargs["socket_timeout"] == 5
        assert kwargs["socket_connect_timeout"] == 2

    def test_sentinels_get_the_timeouts_too(self):
        """The sentinels are asked within the same timeouts as the servers."""
        lim = RateLimiter(
            "redis+sentinel://127.0.0.1:1/primary",
            secret=SECRET,
            storage_options={"socket_timeout": 3},
        )
        sentinel = lim._storage.sentinel
        assert self._kwargs(sentinel.sentinels[0]) == {
            **self._kwargs(sentinel.sentinels[0]),
            "socket_timeout": 3,
            "socket_connect_timeout": 1.0,
        }
        assert sentinel.connection_kwargs["socket_timeout"] == 3


def _outcome(call) -> tuple[str, float]:
    """What *call* did ("returned ..." or the exception's name) and how long it took."""
    start = time.monotonic()
    try:
        got = call()
        if asyncio.iscoroutine(got):
            got = asyncio.run(asyncio.wait_for(got, 30))
    except Exception as exc:  # the outcome under test
        what = type(exc).__name__
    else:
        what = f"returned {got}"
    return what, time.monotonic() - start


def _bounded(calls, seconds: float) -> list[tuple[str, float]]:
    """The outcomes of *calls*, run in a thread that must end in *seconds*."""
    outcomes: list[tuple[str, float]] = []
    worker = threading.Thread(
        target=lambda: outcomes.extend(_outcome(c) for c in calls),
        daemon=True,
    )
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"blocked; finished only {outcomes}"
    return outcomes


def _records(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    return [
        (r.levelno, r.getMessage())
        for r in caplog.records
        if r.name == "dataprotect.ratelimit"
    ]


@pytest.mark.services
class TestStorageOutage:
    """A Redis that stops answering (SIGSTOP) gives the fail mode in bounded
    time, and one log line per outage."""

    @pytest.mark.parametrize(
        ("fail_mode", "expected"),
        [
            ("closed", ["returned False", "RateLimitExceeded"] * 2),
            ("open", ["returned True", "returned None"] * 2),
        ],
    )
    def test_stopped_server_gives_the_fail_mode_in_bounded_time(
        self, own_redis, fail_mode, expected
    ):
        """With the default timeouts hit/check/ahit and the throttle return
        or raise per fail mode instead of blocking for ever."""
        url, proc = own_redis
        lim = RateLimiter(url, secret=SECRET, fail_mode=fail_mode)
        throttle = LoginThrottle(lim)
        assert lim.hit("5/minute", "k")
        proc.send_signal(signal.SIGSTOP)
        outcomes = _bounded(
            [
                lambda: lim.hit("5/minute", "k"),
                lambda: throttle.check("alice", "192.0.2.1"),
                lambda: lim.ahit("5/minute", "k"),
                lambda: lim.acheck("5/minute", "k"),
            ],
            30,
        )
        assert [what for what, _ in outcomes] == expected
        assert all(took < 10 for _, took in outcomes)

    def test_one_warning_per_outage_and_one_line_on_recovery(
        self, own_redis, caplog
    ):
        """Many refused requests log one warning; recovery logs one info."""
        url, proc = own_redis
        lim = RateLimiter(
            url,
            secret=SECRET,
            storage_options={"socket_timeout": 0.1},
        )
        throttle = LoginThrottle(lim)
        with caplog.at_level(logging.INFO, "dataprotect.ratelimit"):
            assert lim.hit("5/minute", _key())
            proc.send_signal(signal.SIGSTOP)
            outcomes = _bounded(
                [
                    lambda: lim.hit("5/minute", "k"),
                    lambda: lim.check("5/minute", "k"),
                    lambda: throttle.check("alice", "192.0.2.1"),
                    lambda: throttle.record_failure("alice", "192.0.2.1"),
                    lambda: throttle.record_success("alice", "192.0.2.1"),
                ]
                * 4,
                60,
            )
            assert {what for what, _ in outcomes} == {
                "returned False",
                "RateLimitExceeded",
                "returned None",
            }
            assert _records(caplog) == [
                (
                    logging.WARNING,
                    (
                        f"rate-limit storage {redact_uri(url)} failed "
                        "(TimeoutError); failing closed: request refused "
                        "(further failures are not logged until it answers)"
                    ),
                )
            ]
            proc.send_signal(signal.SIGCONT)
            assert all(lim.hit("5/minute", _key()) for _ in range(5))
            assert len(_records(caplog)) == 1  # not yet a quiet second
            time.sleep(_QUIET_BEFORE_RECOVERY)
            throttle.check("bob", "192.0.2.2")
        assert _records(caplog)[1:] == [
            (
                logging.INFO,
                f"rate-limit storage {redact_uri(url)} answers again",
            )
        ]
        assert REDIS_PASSWORD not in caplog.text

    def test_flapping_storage_logs_one_outage(self, own_redis, caplog):
        """Failures interleaved with answers (a cluster with one shard
        down) log one warning; the info line waits for a quiet second."""
        url, proc = own_redis
        lim = RateLimiter(
            url, secret=SECRET, storage_options={"socket_timeout": 0.1}
        )
        with caplog.at_level(logging.INFO, "dataprotect.ratelimit"):
            for _ in range(3):
                proc.send_signal(signal.SIGSTOP)
                assert not lim.hit("5/minute", _key())
                proc.send_signal(signal.SIGCONT)
                assert lim.hit("5/minute", _key())
            assert [level for level, _ in _records(caplog)] == [
                logging.WARNING
            ]
            time.sleep(_QUIET_BEFORE_RECOVERY)
            assert lim.hit("5/minute", _key())
            assert lim.hit("5/minute", _key())
        assert [level for level, _ in _records(caplog)] == [
            logging.WARNING,
            logging.INFO,
        ]

    def test_async_one_warning_per_outage(self, own_redis, caplog):
        """The async paths log one warning per outage and one on recovery."""
        url, proc = own_redis
        lim = RateLimiter(
            url,
            secret=SECRET,
            fail_mode="open",
            storage_options={"socket_timeout": 0.1},
        )
        throttle = LoginThrottle(lim)

        async def outage():
            assert await lim.ahit("5/minute", _key())
            proc.send_signal(signal.SIGSTOP)
            for _ in range(4):
                assert await lim.ahit("5/minute", "k")
                await lim.acheck("5/minute", "k")
                await throttle.acheck("alice", "192.0.2.1")
                await throttle.arecord_failure("alice", "192.0.2.1")
                await throttle.arecord_success("alice", "192.0.2.1")
            proc.send_signal(signal.SIGCONT)
            assert await lim.ahit("5/minute", _key())
            await asyncio.sleep(_QUIET_BEFORE_RECOVERY)
            for _ in range(3):
                assert await lim.ahit("5/minute", _key())
            await lim.aclose()

        with caplog.at_level(logging.INFO, "dataprotect.ratelimit"):
            asyncio.run(asyncio.wait_for(outage(), 60))
        assert [level for level, _ in _records(caplog)] == [
            logging.WARNING,
            logging.INFO,
        ]
        assert "failing open: request allowed" in caplog.text
        assert REDIS_PASSWORD not in caplog.text


def _hammer_threads(
    lim: RateLimiter, rate: str, threads: int, each: int, key: str = "shared"
) -> int:
    admitted = [0] * threads
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def work(i: int) -> None:
        start.wait()
        try:
            admitted[i] = sum(lim.hit(rate, key) for _ in range(each))
        except BaseException as exc:  # a hit must never raise
            errors.append(exc)

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
    assert errors == []
    return sum(admitted)


class TestConcurrency:
    @pytest.mark.parametrize("strategy", STRATEGIES)
    def test_memory_exact_under_threads(self, strategy):
        """8 threads with a 1 µs switch interval admit exactly N, each round."""
        lim = RateLimiter(strategy=strategy, clock=FakeClock())
        for round_ in range(5):
            key = f"shared-{round_}"
            assert _hammer_threads(lim, "100/minute", 8, 100, key) == 100
            with pytest.raises(RateLimitExceeded) as info:
                lim.check("100/minute", key)
            assert 0 < info.value.retry_after <= 60

    @pytest.mark.parametrize("strategy", STRATEGIES)
    def test_memory_exact_under_threads_real_clock(self, strategy):
        """The same holds on the real clock, and hits never raise."""
        lim = RateLimiter(strategy=strategy)
        assert _hammer_threads(lim, "150/day", 6, 60) == 150

    def test_sweeps_under_threads(self, monkeypatch):
        """Frequent expiry sweeps while threads hit many keys never raise."""
        import dataprotect.ratelimit.backends._memory as memory

        monkeypatch.setattr(memory, "_SWEEP_EVERY", 7)
        clock = FakeClock()
        lim = RateLimiter(strategy="fixed-window", clock=clock)
        errors: list[BaseException] = []

        def work(i: int) -> None:
            try:
                for j in range(300):
                    lim.hit("5/second", f"k{i}-{j % 50}")
                    clock.advance(0.01)
            except BaseException as exc:
                errors.append(exc)

        pool = [threading.Thread(target=work, args=(i,)) for i in range(6)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        assert errors == []
        assert len(lim._storage._counters) <= 6 * 50

    @pytest.mark.services
    @pytest.mark.parametrize("strategy", STRATEGIES)
    def test_redis_exact_under_processes(self, redis_url, strategy):
        """4 processes hammering one key through Redis admit exactly N."""
        assert_exact_under_processes(
            redis_url, strategy, procs=4, each=60, secret=SECRET
        )


class TestMemoryStorage:
    """The limits storage interface of the memory:// backend itself."""

    def test_counter_interface(self):
        """incr, decr (not below zero), get, expiry, check and reset."""
        from dataprotect.ratelimit.backends._memory import LockingMemoryStorage

        clock = FakeClock(50.0)
        storage = LockingMemoryStorage(clock=clock)
        assert storage.check() is True
        assert storage.decr("a") == 0  # nothing to decrement
        assert storage.incr("a", 10, amount=3) == 3
        assert storage.decr("a", 2) == 1
        assert storage.decr("a", 5) == 0
        assert storage.get("a") == 0
        assert storage.get_expiry("a") == 60.0
        storage.incr("b", 10)
        assert storage.acquire_entry("c", 2, 10)
        assert storage.reset() == 3
        assert storage.get("b") == 0
        assert storage.get_moving_window("c", 2, 10) == (50.0, 0)
        clock.advance(11)
        assert storage.incr("a", 10) == 1  # an expired counter restarts

    def test_sweep_drops_expired_windows(self, monkeypatch):
        """The amortised sweep forgets moving windows that have expired."""
        import dataprotect.ratelimit.backends._memory as memory

        monkeypatch.setattr(memory, "_SWEEP_EVERY", 10)
        clock = FakeClock()
        lim = RateLimiter(clock=clock)
        for i in range(30):
            lim.hit("5/second", f"old-{i}")
        clock.advance(2)
        for i in range(10):
            lim.hit("5/second", f"new-{i}")
        assert len(lim._storage._events) == 10
        assert lim.remaining("5/second", "old-0") == 5


_ops = st.lists(
    st.one_of(
        st.tuples(st.just("hit"), st.integers(1, 3)),
        st.tuples(st.just("wait"), st.floats(0, 25, allow_nan=False)),
    ),
    max_size=60,
)


def _run(
    strategy: str, ops
) -> tuple[list[tuple[float, int]], RateLimiter, FakeClock, list[float]]:
    clock = FakeClock(1000.0)
    lim = RateLimiter(strategy=strategy, clock=clock)
    admitted: list[tuple[float, int]] = []
    waits: list[float] = []
    for op, arg in ops:
        if op == "wait":
            clock.advance(arg)
            continue
        try:
            lim.check("5/10 seconds", "k", cost=arg)
            admitted.append((clock.now, arg))
        except RateLimitExceeded as exc:
            waits.append(exc.retry_after)
    return admitted, lim, clock, waits


def _in_window(admitted, end: float, length: float) -> int:
    return sum(c for t, c in admitted if end - length < t <= end)


class TestProperties:
    @given(ops=_ops)
    def test_moving_window_never_exceeds(self, ops):
        """Moving window: every 10 s window admits at most 5."""
        admitted, *_, waits = _run("moving-window", ops)
        for t, _ in admitted:
            assert _in_window(admitted, t, 10) <= 5
        assert all(0 < w <= 10 for w in waits)

    @given(ops=_ops)
    def test_fixed_window_never_exceeds(self, ops):
        """Fixed window: each window admits at most 5, any 10 s at most 10."""
        admitted, *_, waits = _run("fixed-window", ops)
        window_start = None
        count = 0
        for t, c in admitted:
            if window_start is None or t >= window_start + 10:
                window_start, count = t, 0
            count += c
            assert count <= 5
        for t, _ in admitted:
            assert _in_window(admitted, t, 10) <= 10
        assert all(0 < w <= 10 for w in waits)

    @given(ops=_ops)
    def test_sliding_counter_never_exceeds(self, ops):
        """Sliding counter: each aligned bucket <= 5, any 10 s at most 10."""
        admitted, *_, waits = _run("sliding-window-counter", ops)
        buckets: dict[int, int] = {}
        for t, c in admitted:
            buckets[int(t / 10)] = buckets.get(int(t / 10), 0) + c
        assert all(v <= 5 for v in buckets.values())
        for t, _ in admitted:
            assert _in_window(admitted, t, 10) <= 10
        assert all(0 < w <= 10 for w in waits)

    @given(
        ops=_ops, strategy=st.sampled_from(["moving-window", "fixed-window"])
    )
    def test_retry_after_is_enough(self, ops, strategy):
        """After waiting retry_after, a single hit is admitted again."""
        _, lim, clock, _ = _run(strategy, ops)
        while lim.hit("5/10 seconds", "k"):
            pass
        with pytest.raises(RateLimitExceeded) as info:
            lim.check("5/10 seconds", "k")
        clock.advance(info.value.retry_after + 1e-6)
        assert lim.hit("5/10 seconds", "k")

    @given(name=st.text(min_size=3).filter(lambda s: s.strip() == s))
    def test_storage_never_holds_the_key(self, name):
        """Whatever the key, the storage holds only its hash."""

        def shapes(key: str) -> list[str]:
            lim = RateLimiter(strategy="fixed-window")
            lim.hit("1/second", key)
            # A short name can occur by chance inside the random hex digest
            # or in "1/second"; compare the keys with the digest blanked.
            return [
                re.sub("[0-9a-f]{32}", "<digest>", k)
                for k in lim._storage._counters
            ]

        assert shapes(name) == shapes("reference key")


class TestRateLimitDecorator:
    def test_sync(self):
        """The key function sees the call's arguments; over the rate raises."""
        lim = RateLimiter()

        @rate_limit("2/minute", key=lambda user, **_: user, limiter=lim)
        def login(user: str, *, password: str) -> str:
            """Log in."""
            return f"hello {user}"

        assert login("a", password="x") == "hello a"
        assert login("a", password="x") == "hello a"
        with pytest.raises(RateLimitExceeded):
            login("a", password="x")
        assert login("b", password="x") == "hello b"
        assert login.__name__ == "login"
        assert login.__doc__ == "Log in."

    def test_stacked_limits_all_apply(self):
        """Several stacked rates all apply."""
        lim = RateLimiter()

        @rate_limit("3/minute", limiter=lim)
        @rate_limit("2/second", key=lambda x: x, limiter=lim)
        def f(x: int) -> int:
            return x

        assert f(1) == 1
        assert f(1) == 1
        with pytest.raises(RateLimitExceeded):
            f(1)  # the per-key 2/second
        with pytest.raises(RateLimitExceeded):
            f(2)  # the global 3/minute (the refused call above counted)

    def test_functions_counted_separately(self):
        """Two decorated functions do not share a count."""
        lim = RateLimiter()

        @rate_limit("1/minute", limiter=lim)
        def f() -> None:
            pass

        @rate_limit("1/minute", limiter=lim)
        def g() -> None:
            pass

        f()
        g()
        with pytest.raises(RateLimitExceeded):
            f()

    def test_async(self):
        """Async functions are limited through the async path."""
        lim = RateLimiter()

        @rate_limit("2/minute", key=lambda x: ("t", x), limiter=lim)
        async def f(x: int) -> int:
            await asyncio.sleep(0)
            return x

        async def main():
            assert await f(1) == 1
            assert await f(1) == 1
            with pytest.raises(RateLimitExceeded):
                await f(1)

        asyncio.run(main())

    def test_default_limiter(self):
        """Without limiter= a process-wide memory limiter is used."""

        @rate_limit("1/minute")
        def f() -> int:
            return 1

        assert f() == 1
        with pytest.raises(RateLimitExceeded):
            f()

    def test_default_limiter_created_once_under_threads(self, monkeypatch):
        """Threads racing to the first use share one default limiter."""
        from dataprotect.ratelimit import _decorator as ratelimit

        monkeypatch.setattr(ratelimit, "_default", None)
        code = ratelimit._default_limiter.__code__
        got: list[RateLimiter] = []
        workers = [
            threading.Thread(
                target=lambda: got.append(ratelimit._default_limiter())
            )
            for _ in range(4)
        ]
        with ratelimit._default_lock:  # every worker must queue on it
            for w in workers:
                w.start()
            deadline = time.monotonic() + 30
            while not all(
                (frame := sys._current_frames().get(w.ident)) is not None
                and frame.f_code is code
                for w in workers
            ):
                assert time.monotonic() < deadline, "workers never queued"
                time.sleep(0.001)
        for w in workers:
            w.join()
        assert len(got) == 4
        assert all(lim is got[0] for lim in got)
        assert ratelimit._default is got[0]

    def test_bad_key_result(self):
        """A key function returning another type is a TypeError."""

        @rate_limit("1/minute", key=lambda: 1.5, limiter=RateLimiter())
        def f() -> None:
            pass

        with pytest.raises(TypeError):
            f()


class TestRateLimitDecoratorFactory:
    """rate_limit_decorator, the seam of the web-framework adapters."""

    @staticmethod
    def _limited(lim: RateLimiter, **kwargs):
        return rate_limit_decorator(
            "2/minute",
            get_request=lambda request, *args, **kw: request,
            respond=lambda exc: ("429", exc.retry_after),
            key=lambda request: request["ip"],
            scope=lambda name, request: ("web", name),
            limiter=lim,
            **kwargs,
        )

    def test_sync_view(self):
        """The key comes from the request; a refusal becomes the answer."""
        lim = RateLimiter()

        @self._limited(lim)
        def view(request: dict[str, str], page: int) -> str:
            return f"page {page}"

        ann, bob = {"ip": "192.0.2.1"}, {"ip": "192.0.2.2"}
        assert view(ann, 1) == "page 1"
        assert view(ann, page=2) == "page 2"
        status, wait = view(ann, 3)
        assert status == "429"
        assert 0 < wait <= 60
        assert view(bob, 4) == "page 4"
        name = f"{view.__module__}.{view.__qualname__}"
        assert not lim.test("2/minute", "web", name, "192.0.2.1")
        assert lim.test("2/minute", "web", name, "192.0.2.2")
        assert view.__name__ == "view"

    def test_async_view(self):
        """Async views are limited through the async path."""
        lim = RateLimiter()

        @self._limited(lim, cost=2)
        async def view(request: dict[str, str]) -> str:
            return "ok"

        async def main() -> None:
            request = {"ip": "192.0.2.1"}
            assert await view(request) == "ok"
            status, _ = await view(request)
            assert status == "429"

        asyncio.run(main())

    def test_refusal_raised_by_the_view(self):
        """A RateLimitExceeded the view raises gets the same answer."""

        @self._limited(RateLimiter())
        def view(request: dict[str, str]) -> str:
            raise RateLimitExceeded(7.0)

        assert view({"ip": "192.0.2.1"}) == ("429", 7.0)

    def test_without_respond_the_refusal_propagates(self):
        """Without respond the wrapped function raises, as rate_limit's."""
        lim = RateLimiter()

        @rate_limit_decorator(
            "1/minute", get_request=lambda user: user, key=str, limiter=lim
        )
        def greet(user: str) -> str:
            return f"hello {user}"

        assert greet("ann") == "hello ann"
        with pytest.raises(RateLimitExceeded):
            greet("ann")
        name = f"{greet.__module__}.{greet.__qualname__}"
        assert not lim.test("1/minute", name, "ann")

    def test_default_limiter(self):
        """Without limiter= both decorators count in default_limiter()."""
        assert default_limiter() is default_limiter()

        @rate_limit("1/minute")
        def f() -> None:
            pass

        f()
        name = f"{f.__module__}.{f.__qualname__}"
        assert not default_limiter().test("1/minute", name)


def _throttle(clock: FakeClock | None = None, **kwargs) -> LoginThrottle:
    clock = clock or FakeClock()
    kwargs.setdefault("device_cookie_key", b"d" * 32)
    return LoginThrottle(RateLimiter(clock=clock), now=clock, **kwargs)


def _fails(throttle: LoginThrottle, user: str, ip: str, n: int, **kw) -> None:
    for _ in range(n):
        throttle.record_failure(user, ip, **kw)


class TestLoginThrottle:
    def test_pair_throttled_first(self):
        """The (account, address) pair is throttled; other addresses are not."""
        t = _throttle(per_pair="3/minute", backoff=0)
        _fails(t, "alice", "192.0.2.1", 3)
        with pytest.raises(RateLimitExceeded) as info:
            t.check("alice", "192.0.2.1")
        assert 0 < info.value.retry_after <= 60
        t.check("alice", "192.0.2.2")

    def test_account_limit_stops_distributed_guessing(self):
        """Many addresses guessing one account hit the account limit."""
        t = _throttle(per_account="5/hour", backoff=0)
        for i in range(5):
            t.record_failure("alice", f"198.51.100.{i}")
        with pytest.raises(RateLimitExceeded):
            t.check("alice", "198.51.100.200")

    def test_ip_limit_stops_spraying(self):
        """One address trying many accounts hits the address limit."""
        t = _throttle(per_ip="4/hour", backoff=0)
        for i in range(4):
            t.record_failure(f"user{i}", "203.0.113.9")
        with pytest.raises(RateLimitExceeded):
            t.check("someone-else", "203.0.113.9")

    def test_exponential_backoff(self):
        """Consecutive failures of a pair wait 1, 2, 4... seconds, capped."""
        clock = FakeClock()
        t = _throttle(
            clock,
            backoff=1,
            backoff_after=2,
            backoff_max=8,
            per_pair="100/hour",
        )
        waits = []
        for _ in range(7):
            t.record_failure("bob", "192.0.2.5")
            try:
                t.check("bob", "192.0.2.5")
                waits.append(0.0)
            except RateLimitExceeded as exc:
                waits.append(round(exc.retry_after))
        assert waits == [0, 0, 1, 2, 4, 8, 8]
        clock.advance(8.5)
        t.check("bob", "192.0.2.5")

    def test_success_resets_pair(self):
        """A success clears the pair count and back-off."""
        t = _throttle(per_pair="3/minute")
        _fails(t, "carol", "192.0.2.7", 3)
        with pytest.raises(RateLimitExceeded):
            t.check("carol", "192.0.2.7")
        t.record_success("carol", "192.0.2.7")
        t.check("carol", "192.0.2.7")

    def test_no_permanent_lockout(self):
        """Every limit expires: after the windows pass, logins proceed."""
        clock = FakeClock()
        t = _throttle(clock)
        _fails(t, "dave", "192.0.2.8", 200)
        with pytest.raises(RateLimitExceeded):
            t.check("dave", "192.0.2.8")
        clock.advance(3601)
        t.check("dave", "192.0.2.8")

    @pytest.mark.parametrize(
        "variant",
        ["ALICE", " alice ", "\uff21\uff4c\uff49\uff43\uff45", "AlIcE"],
    )
    def test_username_variants_share_count(self, variant):
        """Case, width and surrounding space do not escape the limit."""
        t = _throttle(per_pair="2/minute", backoff=0)
        _fails(t, "alice", "192.0.2.1", 1)
        t.record_failure(variant, "192.0.2.1")
        with pytest.raises(RateLimitExceeded):
            t.check("alice", "192.0.2.1")

    def test_ipv6_counts_per_64(self):
        """Addresses in one IPv6 /64 share a count; mapped IPv4 is IPv4."""
        t = _throttle(per_pair="2/minute", backoff=0)
        t.record_failure("erin", "2001:db8::1")
        t.record_failure("erin", "2001:db8::ffff:2")
        with pytest.raises(RateLimitExceeded):
            t.check("erin", "2001:db8::99")
        t.record_failure("erin", "::ffff:192.0.2.1")
        t.record_failure("erin", "192.0.2.1")
        with pytest.raises(RateLimitExceeded):
            t.check("erin", "192.0.2.1")

    def test_non_ip_address_counts_as_given(self):
        """An address that is no IP (a socket path) is counted trimmed."""
        t = _throttle(per_pair="2/minute", backoff=0)
        t.record_failure("erin", "unix:/run/app.sock")
        t.record_failure("erin", " unix:/run/app.sock ")
        with pytest.raises(RateLimitExceeded):
            t.check("erin", "unix:/run/app.sock")
        t.check("erin", "unix:/run/other.sock")

    def test_device_cookie_survives_account_attack(self):
        """The owner's device keeps working while the account is attacked."""
        t = _throttle(per_account="5/hour", backoff=0)
        cookie = t.issue_device_cookie("frank")
        for i in range(10):
            t.record_failure("frank", f"198.51.100.{i}")
        with pytest.raises(RateLimitExceeded):
            t.check("frank", "192.0.2.50")
        t.check("frank", "192.0.2.50", device_cookie=cookie)

    def test_device_cookie_is_limited_itself(self):
        """Failures with a device cookie are limited per cookie."""
        t = _throttle(per_device="3/hour")
        cookie = t.issue_device_cookie("gina")
        _fails(t, "gina", "192.0.2.1", 3, device_cookie=cookie)
        with pytest.raises(RateLimitExceeded):
            t.check("gina", "192.0.2.1", device_cookie=cookie)
        t.record_success("gina", "192.0.2.1", device_cookie=cookie)
        t.check("gina", "192.0.2.1", device_cookie=cookie)

    def test_bad_device_cookies_are_untrusted(self):
        """Tampered, foreign-user, expired and junk cookies give no trust."""
        clock = FakeClock()
        t = _throttle(
            clock, per_account="2/hour", backoff=0, device_cookie_max_age=100
        )
        cookie = t.issue_device_cookie("hank")
        _fails(t, "hank", "192.0.2.1", 2)
        flipped = (
            cookie[:-2] + ("A" if cookie[-2] != "A" else "B") + cookie[-1]
        )
        for bad in (
            flipped,
            t.issue_device_cookie("ivy"),
            "dpdc1.!!",
            "x",
            "",
        ):
            with pytest.raises(RateLimitExceeded):
                t.check("hank", "192.0.2.9", device_cookie=bad)
        t.check("hank", "192.0.2.9", device_cookie=cookie)
        clock.advance(101)
        with pytest.raises(RateLimitExceeded):
            t.check("hank", "192.0.2.9", device_cookie=cookie)

    def test_surrogate_username_with_cookie(self):
        """A username with a lone surrogate gets a cookie and is checked."""
        t = _throttle(per_account="1/hour", backoff=0)
        user = "Zq9-user\udc80"
        cookie = t.issue_device_cookie(user)
        t.check(user, "192.0.2.9", device_cookie=cookie)
        t.record_failure(user, "192.0.2.9", device_cookie=cookie)

    def test_device_cookie_has_one_spelling(self):
        """Junk characters or non-canonical base64 make a cookie untrusted."""
        t = _throttle(per_account="1/hour", backoff=0)
        cookie = t.issue_device_cookie("kim")
        _fails(t, "kim", "192.0.2.1", 1)
        t.check("kim", "192.0.2.9", device_cookie=cookie)
        last = (
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        )
        i = last.index(cookie[-1])
        twin = cookie[:-1] + last[i ^ 1]  # same bytes, other padding bits
        for bad in (twin, cookie[:10] + "!" + cookie[10:], cookie + "*"):
            with pytest.raises(RateLimitExceeded):
                t.check("kim", "192.0.2.9", device_cookie=bad)

    def test_device_cookie_needs_key(self):
        """Issuing a cookie without a key is a ConfigurationError."""
        t = LoginThrottle()
        with pytest.raises(ConfigurationError):
            t.issue_device_cookie("x")

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"backoff": -1},
            {"backoff_after": -1},
            {"backoff": 10, "backoff_max": 5},
        ],
    )
    def test_bad_backoff(self, kwargs):
        """Negative back-off values or a cap below the start are refused."""
        with pytest.raises(ConfigurationError, match="backoff"):
            LoginThrottle(**kwargs)

    @pytest.mark.parametrize(
        ("user", "ip"), [(b"alice", "192.0.2.1"), ("alice", b"192.0.2.1")]
    )
    def test_username_and_ip_must_be_str(self, user, ip):
        """Bytes for a username or an address are a TypeError."""
        t = LoginThrottle()
        with pytest.raises(TypeError, match="must be str"):
            t.check(user, ip)

    def test_limiter_property(self):
        """The throttle exposes the limiter that holds its counts."""
        lim = RateLimiter()
        assert LoginThrottle(lim).limiter is lim
        assert isinstance(LoginThrottle().limiter, RateLimiter)

    def test_device_cookie_of_wrong_length(self):
        """A well-formed cookie of the wrong length is untrusted."""
        import base64

        t = _throttle(per_account="1/hour", backoff=0)
        _fails(t, "lee", "192.0.2.1", 1)
        cookie = t.issue_device_cookie("lee")
        body = base64.urlsafe_b64decode(cookie[6:] + "==")
        for raw in (body[:-1], body + b"\x00", b""):
            short = "dpdc1." + base64.urlsafe_b64encode(raw).decode().rstrip(
                "="
            )
            with pytest.raises(RateLimitExceeded):
                t.check("lee", "192.0.2.9", device_cookie=short)
        t.check("lee", "192.0.2.9", device_cookie=cookie)

    def test_keyring_device_key_and_repr(self):
        """A Keyring can sign cookies; repr shows no key."""
        ring = Keyring.generate()
        t = LoginThrottle(device_cookie_key=ring)
        cookie = t.issue_device_cookie("jo")
        assert cookie.startswith("dpdc1.")
        assert "Secret" not in repr(t)
        assert (
            repr(t) == "<LoginThrottle <RateLimiter memory:// moving-window>>"
        )

    def test_device_cookie_vectors(self):
        """Device cookies match the committed test vectors."""
        for vec in json.loads(VECTORS.read_text())["vectors"]:
            t = LoginThrottle(
                device_cookie_key=bytes.fromhex(vec["key"]),
                now=lambda v=vec: float(v["now"]),
            )
            cookie = t._encode_cookie(
                bytes.fromhex(vec["nonce"]), vec["issued"], vec["username"]
            )
            assert cookie == vec["cookie"]
            assert t._device(vec["username"], cookie) == bytes.fromhex(
                vec["nonce"]
            )

    @pytest.mark.services
    def test_on_redis(self, redis_url):
        """The same policy works against Redis."""
        t = LoginThrottle(
            RateLimiter(redis_url, secret=SECRET),
            per_pair="2/minute",
            backoff=0,
        )
        user = _key()
        _fails(t, user, "192.0.2.1", 2)
        with pytest.raises(RateLimitExceeded):
            t.check(user, "192.0.2.1")
        t.record_success(user, "192.0.2.1")
        t.check(user, "192.0.2.1")

    @pytest.mark.services
    def test_backoff_on_redis(self, redis_url):
        """Back-off delays are whole seconds that Redis accepts."""
        t = LoginThrottle(
            RateLimiter(redis_url, secret=SECRET), backoff=2, backoff_after=1
        )
        user = _key()
        _fails(t, user, "192.0.2.1", 3)
        with pytest.raises(RateLimitExceeded) as info:
            t.check(user, "192.0.2.1")
        assert 0 < info.value.retry_after <= 4


class TestStrategiesShareStorage:
    @pytest.mark.services
    def test_strategies_never_collide(self, redis_url):
        """Limiters with different strategies on one Redis keep apart."""
        key = _key()
        for strategy in STRATEGIES:
            lim = RateLimiter(redis_url, strategy, secret=SECRET)
            assert lim.hit("2/minute", key)
            assert lim.hit("2/minute", key)
            assert not lim.hit("2/minute", key)


class TestDemo:
    def test_demo_step(self):
        """The demo's rate-limiting step runs and tells its story."""
        from click.testing import CliRunner

        from dataprotect.cli._app import cli

        result = CliRunner().invoke(cli, ["demo"])
        assert result.exit_code == 0, result.output
        assert "Rate-limited logins" in result.output
        assert "still gets through" in result.output
        assert "no permanent lockout" in result.output


class TestLoginProperties:
    @given(name=st.text(max_size=20))
    def test_username_normalisation_is_idempotent(self, name):
        """Normalising a normalised username changes nothing."""
        from dataprotect.ratelimit._throttle import _normalise_user

        once = _normalise_user(name)
        assert _normalise_user(once) == once

    @given(
        name=st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1),
        flips=st.lists(st.booleans(), min_size=1, max_size=8),
    )
    def test_case_variants_normalise_alike(self, name, flips):
        """Any upper/lower-case variant of an ASCII name is the same user."""
        from dataprotect.ratelimit._throttle import _normalise_user

        variant = "".join(
            c.upper() if flips[i % len(flips)] else c
            for i, c in enumerate(name)
        )
        assert _normalise_user(variant) == _normalise_user(name)

    @given(index=st.integers(0, 55), bit=st.integers(0, 7))
    @settings(max_examples=60)
    def test_any_flipped_bit_untrusts_cookie(self, index, bit):
        """Flipping any bit of a device cookie makes it worthless."""
        import base64

        t = LoginThrottle(device_cookie_key=b"c" * 32)
        cookie = t.issue_device_cookie("kim")
        body = cookie.removeprefix("dpdc1.")
        raw = bytearray(
            base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        )
        raw[index] ^= 1 << bit
        bad = "dpdc1." + base64.urlsafe_b64encode(bytes(raw)).decode().rstrip(
            "="
        )
        assert t._device("kim", bad) is None
        assert t._device("kim", cookie) is not None


class TestLoginThrottleAsync:
    def test_async_policy(self, storage):
        """acheck/arecord_* apply the same policy through the async path."""
        lim = RateLimiter(storage, secret=SECRET)
        t = LoginThrottle(
            lim,
            per_pair="3/minute",
            backoff=1,
            backoff_after=5,
            device_cookie_key=b"d" * 32,
        )
        user = _key()
        cookie = t.issue_device_cookie(user)

        async def main():
            for _ in range(3):
                await t.acheck(user, "192.0.2.1")
                await t.arecord_failure(user, "192.0.2.1")
            with pytest.raises(RateLimitExceeded) as info:
                await t.acheck(user, "192.0.2.1")
            await t.acheck(user, "192.0.2.1", device_cookie=cookie)
            await t.arecord_failure(user, "192.0.2.1", device_cookie=cookie)
            await t.arecord_success(user, "192.0.2.1", device_cookie=cookie)
            await t.arecord_success(user, "192.0.2.1")
            await t.acheck(user, "192.0.2.1")
            await lim.aclose()
            return info.value.retry_after

        assert 0 < asyncio.run(main()) <= 60

    @pytest.mark.services
    def test_async_backoff_on_redis(self, redis_url):
        """Async back-off works against Redis."""
        lim = RateLimiter(redis_url, secret=SECRET)
        t = LoginThrottle(lim, backoff=2, backoff_after=1)
        user = _key()

        async def main():
            for _ in range(3):
                await t.arecord_failure(user, "192.0.2.1")
            with pytest.raises(RateLimitExceeded) as info:
                await t.acheck(user, "192.0.2.1")
            await lim.aclose()
            return info.value.retry_after

        assert 0 < asyncio.run(main()) <= 4

    def test_async_fail_closed(self, caplog):
        """The async login path fails closed and never crashes."""
        lim = RateLimiter(_dead_redis(), secret=SECRET)
        t = LoginThrottle(lim)

        async def main():
            await t.arecord_failure("alice", "192.0.2.1")
            with pytest.raises(RateLimitExceeded):
                await t.acheck("alice", "192.0.2.1")
            await t.arecord_success("alice", "192.0.2.1")
            await lim.aclose()

        with caplog.at_level(logging.WARNING, "dataprotect.ratelimit"):
            asyncio.run(main())
        assert len(caplog.records) == 1
        assert "login failure not recorded" in caplog.text
        assert REDIS_PASSWORD not in caplog.text

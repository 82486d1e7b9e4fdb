"""Tests for dataprotect.ratelimit against a real Redis Cluster (3 masters,
3 replicas) and a Sentinel group (1 master, 2 replicas, 3 sentinels):
exactness under processes, a master failover under load, and the hash slots
of LoginThrottle's keys."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import logging
import os
import signal
import threading
import time
import uuid

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest

from dataprotect.errors import RateLimitExceeded
from dataprotect.ratelimit import LoginThrottle, RateLimiter, redact_uri
from dataprotect.ratelimit._limiter import _QUIET_BEFORE_RECOVERY
from helpers import require_binary
from redis_servers import (
    Cluster,
    RedisNode,
    Sentinels,
    assert_exact_under_processes,
    wait_until,
)


pytestmark = pytest.mark.services

STRATEGIES = ["moving-window", "fixed-window", "sliding-window-counter"]
SECRET = os.urandom(32)
PASSWORD = "pw-" + uuid.uuid4().hex
Fleet = Cluster | Sentinels


@contextlib.contextmanager
def _running(fleet: Fleet) -> Iterator[Fleet]:
    try:
        fleet.start()
        yield fleet
    finally:
        fleet.stop()


@pytest.fixture(name="cluster", scope="session")
def _cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """A Redis Cluster on loopback: 3 masters, each with a replica."""
    require_binary("redis-server")
    require_binary("redis-cli")
    with _running(Cluster(tmp_path_factory.mktemp("cluster"), PASSWORD)) as c:
        yield c


@pytest.fixture(name="sentinels", scope="session")
def _sentinels(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Sentinels]:
    """A master, 2 replicas and 3 sentinels on loopback."""
    require_binary("redis-server")
    with _running(
        Sentinels(tmp_path_factory.mktemp("sentinel"), PASSWORD)
    ) as s:
        yield s


@pytest.fixture(name="fleet", params=["cluster", "sentinels"])
def _fleet(request: pytest.FixtureRequest) -> Fleet:
    """Each deployment, healthy (a failover test may have left it
    recovering)."""
    fleet: Fleet = request.getfixturevalue(request.param)
    fleet.wait_healthy()
    return fleet


def _key() -> str:
    return uuid.uuid4().hex


def _storage_key(lim: RateLimiter, rate: str, *parts: str) -> str:
    """The Redis key *lim* keeps *parts*' count under (moving/fixed)."""
    return "dataprotect:" + lim._limit(rate).item.key_for(lim._ident(parts))


def _records(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    return [
        (r.levelno, r.getMessage())
        for r in caplog.records
        if r.name == "dataprotect.ratelimit"
    ]


class TestExactness:
    @pytest.mark.parametrize("client", ["redis", "valkey"])
    @pytest.mark.parametrize("strategy", STRATEGIES)
    def test_exact_under_8_processes(self, fleet, strategy, client):
        """8 processes hammering one key admit exactly N, then refuse,
        through redis-py and through valkey-py."""
        uri = fleet.uri.replace("redis+", f"{client}+", 1)
        lim, key = assert_exact_under_processes(
            uri, strategy, procs=8, each=40, secret=SECRET
        )
        assert lim.remaining("100/day", key) == 0
        lim.close()


@dataclass
class Load:
    """8 threads hitting fresh keys (each *amount* + 5 times) on one shard,
    recording the wrong answers: a refusal below *amount* (under-admission)
    and an admission above it (over-admission)."""

    lim: RateLimiter
    keys: Iterator[str]
    rate: str
    amount: int
    # (when the key was begun, hits admitted)
    results: list[tuple[float, int]] = field(default_factory=list)
    # (when the answer came, "under" or "over")
    wrong: list[tuple[float, str]] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    slowest: float = 0.0
    asynchronous: bool = False
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def work(self) -> None:
        if not self.asynchronous:
            self._work(lambda key: self.lim.hit(self.rate, key))
            return
        # Each thread its own event loop (and so its own async client).
        loop = asyncio.new_event_loop()
        try:
            self._work(
                lambda key: loop.run_until_complete(
                    self.lim.ahit(self.rate, key)
                )
            )
        finally:
            loop.run_until_complete(self.lim.aclose())
            loop.close()

    def _work(self, hit: Callable[[str], bool]) -> None:
        while not self.stop.is_set():
            with self.lock:
                key = next(self.keys)
            started = time.monotonic()
            admitted = 0
            try:
                for _ in range(self.amount + 5):
                    begin = time.monotonic()
                    ok = hit(key)
                    self.slowest = max(self.slowest, time.monotonic() - begin)
                    if ok != (admitted < self.amount):
                        answered = time.monotonic()
                        self.wrong.append(
                            (answered, "over" if ok else "under")
                        )
                    admitted += ok
            except BaseException as exc:  # no exception may escape hit
                self.errors.append(exc)
                return
            self.results.append((started, admitted))

    def count(self, kind: str) -> int:
        return sum(1 for _, k in self.wrong if k == kind)

    def start(self) -> Load:
        self.threads = [threading.Thread(target=self.work) for _ in range(8)]
        for t in self.threads:
            t.start()
        return self

    def finish(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(60)


def _fresh_keys(fleet: Fleet, lim: RateLimiter, rate: str, victim: RedisNode):
    """Endless fresh key names whose counts live on *victim*'s shard."""
    serves = fleet.serves(victim)
    for n in itertools.count():
        name = f"fresh-{n}-{_key()}"
        if serves(_storage_key(lim, rate, name)):
            yield name


def _restore(fleet: Fleet, victim: RedisNode, how: str) -> None:
    if how == "kill":
        victim.start()
    else:
        victim.signal(signal.SIGCONT)
    fleet.wait_healthy()


@pytest.mark.slow
class TestFailover:
    """A master fails under load (SIGKILL: a crash; SIGSTOP: a hung
    server); the replica takes over."""

    @pytest.mark.parametrize(
        ("how", "fail_mode"),
        [("kill", "closed"), ("stop", "closed"), ("kill", "open")],
    )
    def test_master_failover_under_load(self, fleet, how, fail_mode, caplog):
        """See _failover: the sync API."""
        _failover(fleet, how, fail_mode, "sync", caplog)

    # redis-py's async cluster client drops a dead master's ClusterNode and
    # some of its connections without closing them (out of reach of
    # aclose); they warn whenever the garbage is collected.
    @pytest.mark.filterwarnings("ignore::ResourceWarning")
    def test_async_master_failover_under_load(self, fleet, caplog):
        """See _failover: the async API."""
        _failover(fleet, "kill", "closed", "async", caplog)


def _failover(fleet, how, fail_mode, api, caplog):
    """The fail mode applies during the failover, with one warning and
    one info line, no exception; afterwards the limiter recovers by
    itself, keeps replicated counts (no over-admission) and admits
    exactly N per key again."""
    rate, amount = "20/hour", 20
    lim = RateLimiter(
        fleet.uri,
        secret=SECRET,
        fail_mode=fail_mode,
        storage_options={"socket_timeout": 0.5},
    )
    full = _key()
    victim = fleet.master_of(_storage_key(lim, rate, full))
    assert sum(lim.hit(rate, full) for _ in range(amount + 2)) == amount
    client = victim.client()
    assert client.execute_command("WAIT", 1, 5000) >= 1
    client.close()
    keys = _fresh_keys(fleet, lim, rate, victim)
    with caplog.at_level(logging.INFO, "dataprotect.ratelimit"):
        load = Load(
            lim, keys, rate, amount, asynchronous=api == "async"
        ).start()
        time.sleep(0.5)
        failed_at = time.monotonic()
        if how == "kill":
            victim.kill()
        else:
            victim.signal(signal.SIGSTOP)
        try:
            wait_until(
                lambda: fleet.failed_over(
                    victim, _storage_key(lim, rate, full)
                ),
                30,
                "the failover",
            )
            failed_over_at = time.monotonic()
            # Let the load run on past the quiet period.
            time.sleep(_QUIET_BEFORE_RECOVERY + 1.5)
        finally:
            load.finish()
            _restore(fleet, victim, how)
            gc.collect()  # what the client dropped: warn within this test
    assert load.errors == []
    assert load.slowest < 10
    # The replicated count survived: no over-admission on that key.
    assert not lim.hit(rate, full)
    assert lim.remaining(rate, full) == 0
    # Keys begun after the failover are exact again.
    after = [a for t, a in load.results if t > failed_over_at + 1]
    assert after
    assert set(after) == {amount}
    over, under = load.count("over"), load.count("under")
    # Wrong answers only from the failure on: none answered before it.
    # (When a hit began says less: on a busy machine a thread may wait
    # for a core for longer than a socket timeout before it sends.)
    assert all(t > failed_at for t, _ in load.wrong)
    if fail_mode == "closed":
        # Only a hit the master answered but had not yet replicated
        # when it died can be lost (Redis replicates asynchronously):
        # at most one per thread.
        assert over <= 8
    else:
        assert under == 0
    levels = [level for level, _ in _records(caplog)]
    if levels:
        assert levels == [logging.WARNING, logging.INFO]
        warning = _records(caplog)[0][1]
        redacted = redact_uri(fleet.uri)
        assert warning.startswith(f"rate-limit storage {redacted} failed")
        assert f"failing {fail_mode}" in warning
    else:
        # The client rode out the failover (it retried while the
        # replica took over): nothing failed, nothing to log.
        assert load.wrong == []
    assert PASSWORD not in caplog.text
    times = [t for t, _ in load.wrong]
    window = max(times) - min(times) if times else 0.0
    hits = sum(a for _, a in load.results)
    print(
        f"\n| {type(fleet).__name__} | {how} | {fail_mode} {api} | "
        f"{window:.1f} s | {hits:,} | {over} | {under} | "
        f"{load.slowest:.2f} s | {len(levels)} |"
    )
    lim.close()


class TestLoginThrottleOnCluster:
    @pytest.mark.parametrize("strategy", STRATEGIES)
    def test_policy_runs_without_crossslot(self, cluster, strategy, caplog):
        """Every LoginThrottle call, sync and async, works on the cluster:
        nothing fails (a CROSSSLOT error would fail closed and log)."""
        cluster.wait_healthy()
        lim = RateLimiter(cluster.uri, strategy, secret=SECRET)
        policy = {"per_pair": "3/minute", "backoff": 2, "backoff_after": 2}
        t = LoginThrottle(lim, device_cookie_key=b"d" * 32, **policy)
        user, ip = _key(), "192.0.2.1"
        with caplog.at_level(logging.WARNING, "dataprotect.ratelimit"):
            for _ in range(3):
                t.record_failure(user, ip)
            with pytest.raises(RateLimitExceeded) as info:
                t.check(user, ip)
            assert 0 < info.value.retry_after <= 60
            t.record_success(user, ip)
            t.check(user, ip)
            cookie = t.issue_device_cookie(user)
            t.record_failure(user, ip, device_cookie=cookie)
            t.check(user, ip, device_cookie=cookie)
            t.record_success(user, ip, device_cookie=cookie)

            async def main() -> None:
                other = _key()
                for _ in range(3):
                    await t.arecord_failure(other, ip)
                with pytest.raises(RateLimitExceeded):
                    await t.acheck(other, ip)
                await t.arecord_success(other, ip)
                await t.acheck(other, ip)
                await lim.aclose()

            asyncio.run(main())
        assert _records(caplog) == []
        lim.close()

    def test_pair_keys_share_one_slot(self, cluster):
        """A pair's back-off keys carry one hash tag: one slot, so a
        multi-key command on both works on a cluster."""
        import redis.cluster

        from redis.crc import key_slot

        lim = RateLimiter(cluster.uri, secret=SECRET)
        t = LoginThrottle(lim, backoff=1, backoff_after=0)
        slots = set()
        for n in range(50):
            user = f"user{n}"
            streak, wait = (
                "dataprotect:" + k for k in t._pair_keys(user, "192.0.2.1")
            )
            assert key_slot(streak.encode()) == key_slot(wait.encode())
            slots.add(key_slot(streak.encode()))
            t.record_failure(user, "192.0.2.1")
        assert len(slots) > 10  # pairs still spread over the cluster
        client = redis.cluster.RedisCluster(
            host="127.0.0.1", port=cluster.nodes[0].port, password=PASSWORD
        )
        try:
            keys = [
                "dataprotect:" + k for k in t._pair_keys("user0", "192.0.2.1")
            ]
            assert client.exists(*keys) == 2
            untagged = [k.replace("{", "").replace("}", "") for k in keys]
            assert key_slot(untagged[0].encode()) != key_slot(
                untagged[1].encode()
            )
            with pytest.raises(redis.exceptions.RedisClusterException):
                client.execute_command("EXISTS", *untagged)
        finally:
            client.close()
        lim.close()

    def test_sliding_window_keys_share_one_slot(self, cluster):
        """The sliding window counter's two keys (one Lua script) share a
        slot, so it runs on a cluster."""
        from redis.crc import key_slot

        lim = RateLimiter(cluster.uri, "sliding-window-counter", secret=SECRET)
        key = _key()
        assert lim.hit("5/minute", key)
        base = lim._limit("5/minute").item.key_for(lim._ident((key,)))
        storage = lim._storage
        current = storage.prefixed_key(storage._current_window_key(base))
        previous = storage.prefixed_key(storage._previous_window_key(base))
        assert key_slot(current.encode()) == key_slot(previous.encode())
        lim.close()


def _connected(clients) -> int:
    """How many connections of *clients* (sync or async) hold a socket."""
    count = 0
    for client in clients:
        pool = client.connection_pool
        for conn in [*pool._available_connections, *pool._in_use_connections]:
            count += (
                getattr(conn, "_sock", None) is not None
                or getattr(conn, "_reader", None) is not None
            )
    return count


class TestClose:
    def test_close_releases_sentinel_connections(self, sentinels):
        """close and aclose also close the replica's and the sentinels'
        connections, not only the master's."""
        lim = RateLimiter(sentinels.uri, secret=SECRET)
        assert lim.hit("5/minute", _key())
        storage = lim._storage
        clients = [
            storage.storage,
            storage.storage_slave,
            *storage.sentinel.sentinels,
        ]
        assert _connected(clients) >= 2  # the master's and a sentinel's
        lim.close()
        assert _connected(clients) == 0

        async def main() -> int:
            assert await lim.ahit("5/minute", _key())
            bridge = lim._async()[0].bridge
            clients = [
                bridge.storage,
                bridge.storage_replica,
                *bridge.sentinel.sentinels,
            ]
            assert _connected(clients) >= 2
            await lim.aclose()
            return _connected(clients)

        assert asyncio.run(main()) == 0


class TestScriptsOnCluster:
    def test_async_noscript_loads_scripts_on_every_node(
        self, cluster, monkeypatch
    ):
        """On NOSCRIPT the async limiter loads the strategies' scripts on
        every node the cluster client knows (every master), then repeats
        the call."""
        import hashlib

        import limits.errors

        from redis.exceptions import NoScriptError

        cluster.wait_healthy()
        for node in cluster.nodes:
            client = node.client()
            client.execute_command("SCRIPT", "FLUSH")
            client.close()
        lim = RateLimiter(cluster.uri, secret=SECRET)

        async def main() -> tuple[bool, list[str]]:
            storage, strategy = lim._async()
            real = type(strategy).hit
            calls = {"n": 0}

            async def hit(self, *args, **kwargs):
                calls["n"] += 1
                if calls["n"] == 1:
                    raise limits.errors.StorageError(NoScriptError("NOSCRIPT"))
                return await real(self, *args, **kwargs)

            monkeypatch.setattr(type(strategy), "hit", hit)
            try:
                admitted = await lim.ahit("5/minute", _key())
            finally:
                monkeypatch.setattr(type(strategy), "hit", real)
            scripts = [
                found.script
                for found in vars(storage.bridge).values()
                if isinstance(getattr(found, "script", None), str | bytes)
            ]
            await lim.aclose()
            return admitted, scripts

        admitted, scripts = asyncio.run(main())
        assert admitted
        assert len(scripts) >= 4
        shas = [
            hashlib.sha1(
                s.encode() if isinstance(s, str) else s, usedforsecurity=False
            ).hexdigest()
            for s in scripts
        ]
        masters = {cluster.master_of(f"k{n}") for n in range(64)}
        assert len(masters) == 3
        for node in masters:
            client = node.client()
            assert client.script_exists(*shas) == [True] * len(shas)
            client.close()
        lim.close()

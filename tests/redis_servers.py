"""Real Redis deployments on loopback for the tests: one server, a Redis
Cluster (3 masters, 3 replicas) and a Sentinel group (1 master, 2 replicas,
3 sentinels), all from Debian's ``redis-server`` (``redis-server --sentinel``
is the sentinel) and ``redis-cli --cluster create``, in temporary
directories, with a password.

Import as ``from redis_servers import ...`` (``tests`` is on the path).
"""

from __future__ import annotations

import contextlib
import random
import signal
import socket
import subprocess
import time

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from helpers import free_port, require_binary


if TYPE_CHECKING:
    from dataprotect.ratelimit import RateLimiter


SENTINEL_SERVICE = "dpprimary"


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def cluster_port() -> int:
    """A free port whose cluster bus port (+10000) is free too."""
    while True:
        port = random.randrange(20000, 40000)
        if _port_free(port) and _port_free(port + 10000):
            return port


def wait_until(
    condition: Callable[[], object], seconds: float, what: str
) -> None:
    """Poll *condition* (exceptions count as false) until true or time out."""
    deadline = time.monotonic() + seconds
    while True:
        with contextlib.suppress(Exception):
            if condition():
                return
        if time.monotonic() > deadline:
            msg = f"timed out waiting for {what}"
            raise TimeoutError(msg)
        time.sleep(0.05)


def replica_synced(node: RedisNode) -> bool:
    """Whether *node* is a replica whose link to its master is up."""
    client = node.client()
    try:
        info = client.info("replication")
    finally:
        client.close()
    return bool(
        info["role"] == "slave" and info.get("master_link_status") == "up"
    )


class RedisNode:
    """One ``redis-server`` process (a server or a sentinel) that a test
    may stop, continue, kill and start again on the same port and dir."""

    def __init__(
        self, port: int, args: list[str], password: str | None
    ) -> None:
        self.port = port
        self.args = args
        self.password = password
        self.proc: subprocess.Popen[bytes] | None = None
        self.paused = False  # SIGSTOPped: up, but answers nothing

    def client(self, **kwargs: object):  # -> redis.Redis
        """A redis-py client of this node alone."""
        import redis

        return redis.Redis(
            host="127.0.0.1",
            port=self.port,
            password=self.password,
            socket_timeout=2,
            **kwargs,
        )

    def start(self) -> None:
        """Start the process and wait until it answers PING."""
        self.proc = subprocess.Popen(
            [require_binary("redis-server"), *self.args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = self.client()
        try:
            wait_until(
                lambda: self.alive() and client.ping(),
                15,
                f"redis on port {self.port}",
            )
        finally:
            client.close()

    def alive(self) -> bool:
        """Whether the process runs."""
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig: signal.Signals) -> None:
        """Send *sig* to the process."""
        assert self.proc is not None
        self.proc.send_signal(sig)
        if sig in (signal.SIGSTOP, signal.SIGCONT):
            self.paused = sig == signal.SIGSTOP

    def kill(self) -> None:
        """SIGKILL the process (a crash: no shutdown, no handover)."""
        if self.proc is not None and self.alive():
            self.proc.kill()
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        """End the process, also if it is stopped (SIGSTOP)."""
        if self.proc is None or not self.alive():
            return
        self.proc.send_signal(signal.SIGCONT)
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()


def _server_args(port: int, password: str, workdir: Path) -> list[str]:
    """A server on loopback *port*, with *password*, no persistence, its
    files (and log) in *workdir*."""
    options = {
        "port": str(port),
        "bind": "127.0.0.1",
        "dir": str(workdir),
        "save": "",
        "appendonly": "no",
        "requirepass": password,
        "masterauth": password,
        "logfile": str(workdir / "redis.log"),
        "repl-diskless-sync-delay": "0",
    }
    return [
        part for item in options.items() for part in (f"--{item[0]}", item[1])
    ]


@contextlib.contextmanager
def redis_server(password: str, workdir: Path) -> Iterator[RedisNode]:
    """A single real redis-server on a free loopback port."""
    port = free_port()
    node = RedisNode(port, _server_args(port, password, workdir), password)
    try:
        node.start()
        yield node
    finally:
        node.stop()


class Cluster:
    """A Redis Cluster of 3 masters and 3 replicas."""

    def __init__(self, workdir: Path, password: str) -> None:
        self.password = password
        self.nodes: list[RedisNode] = []
        for _ in range(6):
            port = cluster_port()
            nodedir = workdir / str(port)
            nodedir.mkdir()
            self.nodes.append(
                RedisNode(
                    port,
                    [
                        *_server_args(port, password, nodedir),
                        "--cluster-enabled",
                        "yes",
                        "--cluster-config-file",
                        "nodes.conf",
                        "--cluster-node-timeout",
                        "1000",
                        "--cluster-replica-validity-factor",
                        "0",
                    ],
                    password,
                )
            )

    @property
    def uri(self) -> str:
        """The ``redis+cluster://`` URI (three startup nodes)."""
        hosts = ",".join(f"127.0.0.1:{n.port}" for n in self.nodes[:3])
        return f"redis+cluster://:{self.password}@{hosts}"

    def start(self) -> None:
        """Start the nodes, create the cluster, wait until it is ok."""
        for node in self.nodes:
            node.start()
        subprocess.run(
            [
                require_binary("redis-cli"),
                "-a",
                self.password,
                "--no-auth-warning",
                "--cluster",
                "create",
                *(f"127.0.0.1:{n.port}" for n in self.nodes),
                "--cluster-replicas",
                "1",
                "--cluster-yes",
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        self.wait_healthy()

    def _nodes(self) -> list[list[str]]:
        """``CLUSTER NODES`` as seen by the first live node, split."""
        node = next(n for n in self.nodes if n.alive() and not n.paused)
        client = node.client()
        try:
            text = client.execute_command("CLUSTER", "NODES")
        finally:
            client.close()
        if isinstance(text, bytes):
            text = text.decode()
        return [line.split() for line in str(text).splitlines()]

    def healthy(self) -> bool:
        """Every node up and connected, no failure flag, cluster state ok,
        3 masters with slots, each with one replica."""
        if not all(n.alive() for n in self.nodes):
            return False
        for node in self.nodes:
            client = node.client()
            try:
                if b"cluster_state:ok" not in client.execute_command(
                    "CLUSTER", "INFO"
                ):
                    return False
            finally:
                client.close()
        lines = self._nodes()
        if len(lines) != 6 or any(
            "fail" in line[2] or line[7] != "connected" for line in lines
        ):
            return False
        masters = [
            row[0] for row in lines if "master" in row[2] and len(row) > 8
        ]
        replicas = sorted(row[3] for row in lines if "slave" in row[2])
        ports = {
            int(row[1].split("@")[0].rpartition(":")[2])
            for row in lines
            if "slave" in row[2]
        }
        return (
            len(masters) == 3
            and replicas == sorted(masters)
            and all(replica_synced(n) for n in self.nodes if n.port in ports)
        )

    def wait_healthy(self, seconds: float = 60) -> None:
        """Wait until :meth:`healthy`."""
        wait_until(self.healthy, seconds, "a healthy cluster")

    def _ranges(self) -> dict[int, list[tuple[int, int]]]:
        """Port of each live master -> the slot ranges it serves."""
        found: dict[int, list[tuple[int, int]]] = {}
        for line in self._nodes():
            if "master" not in line[2] or "fail" in line[2]:
                continue
            port = int(line[1].split("@")[0].rpartition(":")[2])
            for part in line[8:]:
                lo, _, hi = part.partition("-")
                found.setdefault(port, []).append((int(lo), int(hi or lo)))
        return found

    def master_of(self, key: str) -> RedisNode:
        """The master that serves *key*'s slot now."""
        from redis.crc import key_slot

        slot = key_slot(key.encode())
        for port, ranges in self._ranges().items():
            if any(lo <= slot <= hi for lo, hi in ranges):
                return next(n for n in self.nodes if n.port == port)
        msg = f"no master serves slot {slot}"
        raise LookupError(msg)

    def serves(self, node: RedisNode) -> Callable[[str], bool]:
        """A test of whether *node* serves a key's slot (as of now)."""
        from redis.crc import key_slot

        ranges = self._ranges().get(node.port, [])
        return lambda key: any(
            lo <= key_slot(key.encode()) <= hi for lo, hi in ranges
        )

    def failed_over(self, victim: RedisNode, key: str) -> bool:
        """Whether another master, not *victim*, serves *key* and the
        cluster state is ok again."""
        node = self.master_of(key)
        client = node.client()
        try:
            ok = b"cluster_state:ok" in client.execute_command(
                "CLUSTER", "INFO"
            )
        finally:
            client.close()
        return node is not victim and ok

    def stop(self) -> None:
        """End every node."""
        for node in self.nodes:
            node.stop()


def _process_worker(uri, strategy, rate, key, each, secret, barrier, results):
    from dataprotect.ratelimit import RateLimiter

    lim = RateLimiter(uri, strategy, secret=secret)
    barrier.wait()
    results.put(sum(lim.hit(rate, key) for _ in range(each)))
    lim.close()


def admitted_by_processes(
    uri: str,
    strategy: str,
    rate: str,
    key: str,
    *,
    procs: int,
    each: int,
    secret: bytes,
) -> int:
    """How many of the *procs* times *each* hits on *key*, made at once by *procs*
    forked processes each with a limiter of its own, were admitted."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(procs)
    results = ctx.Queue()
    workers = [
        ctx.Process(
            target=_process_worker,
            args=(uri, strategy, rate, key, each, secret, barrier, results),
        )
        for _ in range(procs)
    ]
    for w in workers:
        w.start()
    total = sum(results.get(timeout=120) for _ in workers)
    for w in workers:
        w.join(timeout=30)
        assert w.exitcode == 0
    return total


def assert_exact_under_processes(
    uri: str, strategy: str, *, procs: int, each: int, secret: bytes
) -> tuple[RateLimiter, str]:
    """*procs* processes hammering one fresh key at "100/day" admit exactly
    100, and a check after them is refused with a retry within the day.
    Returns a limiter on *uri* and the key, for more checks."""
    import uuid

    import pytest

    from dataprotect.errors import RateLimitExceeded
    from dataprotect.ratelimit import RateLimiter

    key = uuid.uuid4().hex
    total = admitted_by_processes(
        uri, strategy, "100/day", key, procs=procs, each=each, secret=secret
    )
    assert total == 100
    lim = RateLimiter(uri, strategy, secret=secret)
    with pytest.raises(RateLimitExceeded) as info:
        lim.check("100/day", key)
    assert 0 < info.value.retry_after <= 86400
    return lim, key


class Sentinels:
    """A master, 2 replicas and 3 sentinels watching it."""

    def __init__(self, workdir: Path, password: str) -> None:
        self.password = password
        self.workdir = workdir
        ports = [free_port() for _ in range(3)]
        self.servers = [
            RedisNode(
                port,
                [
                    *_server_args(port, password, self._dir(f"s{port}")),
                    *(
                        ["--replicaof", "127.0.0.1", str(ports[0])]
                        if i
                        else []
                    ),
                ],
                password,
            )
            for i, port in enumerate(ports)
        ]
        self.sentinels: list[RedisNode] = []
        for _ in range(3):
            port = free_port()
            conf = self._dir(f"sentinel{port}") / "sentinel.conf"
            conf.write_text(
                f"port {port}\n"
                "bind 127.0.0.1\n"
                f"dir {conf.parent}\n"
                f"sentinel monitor {SENTINEL_SERVICE} 127.0.0.1 {ports[0]} 2\n"
                f"requirepass {password}\n"
                f"sentinel sentinel-pass {password}\n"
                f"sentinel auth-pass {SENTINEL_SERVICE} {password}\n"
                f"sentinel down-after-milliseconds {SENTINEL_SERVICE} 1000\n"
                f"sentinel failover-timeout {SENTINEL_SERVICE} 5000\n"
                f"sentinel parallel-syncs {SENTINEL_SERVICE} 2\n"
                f"logfile {conf.parent / 'sentinel.log'}\n",
                encoding="ascii",
            )
            self.sentinels.append(
                RedisNode(port, [str(conf), "--sentinel"], password)
            )

    def _dir(self, name: str) -> Path:
        path = self.workdir / name
        path.mkdir()
        return path

    @property
    def uri(self) -> str:
        """The ``redis+sentinel://`` URI (the three sentinels)."""
        hosts = ",".join(f"127.0.0.1:{s.port}" for s in self.sentinels)
        return f"redis+sentinel://:{self.password}@{hosts}/{SENTINEL_SERVICE}"

    def start(self) -> None:
        """Start the servers and sentinels; wait until all see each other."""
        for node in [*self.servers, *self.sentinels]:
            node.start()
        self.wait_healthy()

    def master_of(self, key: str) -> RedisNode:
        """The master (every key lives there)."""
        del key
        return self.master()

    def serves(self, node: RedisNode) -> Callable[[str], bool]:
        """A test of whether *node* holds a key: the master holds all."""
        del node
        return lambda key: True

    def failed_over(self, victim: RedisNode, key: str) -> bool:
        """Whether every sentinel names a master other than *victim*."""
        del key
        ports = set()
        for sentinel in self.sentinels:
            client = sentinel.client()
            try:
                _, port = client.execute_command(
                    "SENTINEL", "GET-MASTER-ADDR-BY-NAME", SENTINEL_SERVICE
                )
            finally:
                client.close()
            ports.add(int(port))
        return len(ports) == 1 and victim.port not in ports

    def master(self) -> RedisNode:
        """The server the sentinels name master now."""
        client = self.sentinels[0].client()
        try:
            _, port = client.execute_command(
                "SENTINEL", "GET-MASTER-ADDR-BY-NAME", SENTINEL_SERVICE
            )
        finally:
            client.close()
        return next(s for s in self.servers if s.port == int(port))

    def healthy(self) -> bool:
        """Every process up; each sentinel sees the same master, 2 replicas
        and 2 other sentinels; the master says it is master, with 2
        replicas connected."""
        if not all(n.alive() for n in [*self.servers, *self.sentinels]):
            return False
        masters = set()
        for sentinel in self.sentinels:
            client = sentinel.client()
            try:
                raw = client.execute_command(
                    "SENTINEL", "MASTER", SENTINEL_SERVICE
                )
            finally:
                client.close()
            if isinstance(raw, list):
                raw = dict(zip(raw[::2], raw[1::2], strict=True))
            info = {
                (k.decode() if isinstance(k, bytes) else k): (
                    v.decode() if isinstance(v, bytes) else v
                )
                for k, v in raw.items()
            }
            if (
                int(info["num-slaves"]) != 2
                or int(info["num-other-sentinels"]) != 2
                or info["flags"] != "master"
            ):
                return False
            masters.add(int(info["port"]))
        master = self.master()
        client = master.client()
        try:
            role = client.execute_command("ROLE")
        finally:
            client.close()
        return (
            len(masters) == 1
            and role[0] == b"master"
            and len(role[2]) == 2
            and all(replica_synced(s) for s in self.servers if s is not master)
        )

    def wait_healthy(self, seconds: float = 60) -> None:
        """Wait until :meth:`healthy`."""
        wait_until(self.healthy, seconds, "a healthy sentinel group")

    def stop(self) -> None:
        """End every process."""
        for node in [*self.sentinels, *self.servers]:
            node.stop()

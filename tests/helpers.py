"""Helpers for tests that need real services or binaries.

Import as ``from helpers import require_binary`` (``tests`` is on the path).
"""

from __future__ import annotations

import contextlib
import gc
import os
import pty
import resource
import select
import shutil
import socket
import subprocess
import threading
import time
import traceback

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest


if TYPE_CHECKING:
    from click.testing import Result
    from cryptography.hazmat.primitives.asymmetric.types import (
        PrivateKeyTypes,
    )

    from dataprotect.keys import Keyring


IN_CI = bool(os.environ.get("CI"))


def require_binary(name: str, *candidates: str) -> str:
    """The path of binary *name*; fail in CI, skip elsewhere, if missing."""
    for candidate in (name, *candidates):
        path = shutil.which(candidate) or (
            candidate
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK)
            else None
        )
        if path:
            return path
    reason = f"{name} is not installed (CI installs it in .ci/run)"
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)
    raise AssertionError  # unreachable


def require_file(path: str, what: str) -> str:
    """*path* if it exists; fail in CI, skip elsewhere."""
    if os.path.exists(path):
        return path
    reason = f"{what} not found at {path} (CI installs it in .ci/run)"
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)
    raise AssertionError  # unreachable


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def no_free_file_descriptors() -> Iterator[None]:
    """No file descriptor left for a new socket (RLIMIT_NOFILE lowered)."""
    limits = resource.getrlimit(resource.RLIMIT_NOFILE)
    lowest_free = os.dup(0)
    os.close(lowest_free)
    resource.setrlimit(resource.RLIMIT_NOFILE, (lowest_free, limits[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, limits)


@contextlib.contextmanager
def address_space_capped(headroom: int) -> Iterator[None]:
    """RLIMIT_AS lowered to this process's address space plus *headroom*
    bytes, as under a container's memory cap: larger allocations fail.

    Garbage left by earlier tests is collected first: memory it frees under
    the cap would otherwise widen the headroom (a freed 256 MiB mapping
    lets a 256 MiB allocation through).
    """
    gc.collect()
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[0])
    limits = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(
        resource.RLIMIT_AS,
        (pages * os.sysconf("SC_PAGE_SIZE") + headroom, limits[1]),
    )
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, limits)


def tty_run(argv: list[str], passphrase: bytes, timeout: float = 120) -> int:
    """Run *argv* on a pseudo-terminal, answering passphrase prompts."""
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        os.execvp(argv[0], argv)
    seen = b""
    answered = 0
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                seen += chunk
                while seen.lower().count(b"passphrase") > answered:
                    os.write(fd, passphrase + b"\n")
                    answered += 1
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return os.waitstatus_to_exitcode(status)
        _, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status)
    finally:
        os.close(fd)


def outcome(call: Callable[[], object]) -> object:
    """What *call* returns, or the exception it raises (to assert on)."""
    try:
        return call()
    except Exception as exc:  # the outcome is what the test checks
        return exc


def shown_text(exc: BaseException) -> str:
    """Everything *exc* shows: str, repr, args and the formatted traceback,
    and the same of every exception chained to it (``__cause__``, and
    ``__context__`` even when ``from None`` hides it from the traceback:
    it is still reachable, e.g. by an error reporter).
    """
    parts = ["".join(traceback.format_exception(exc))]
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        parts += [str(current), repr(current), repr(current.args)]
        todo += [current.__cause__, current.__context__]
    return "\n".join(parts)


def starlette_test_client(app: object, **kwargs: object) -> object:
    """Starlette's TestClient for *app*, without starlette 1.x's warning
    that it prefers httpx2 (httpx still works; older starlette, down to
    the floor, has no such warning)."""
    import warnings

    from starlette import exceptions as starlette_exceptions

    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore",
            getattr(
                starlette_exceptions,
                "StarletteDeprecationWarning",
                DeprecationWarning,
            ),
        )
        from starlette.testclient import TestClient

    return TestClient(app, **kwargs)  # type: ignore[arg-type]


def run_cli(command: str, *args: object, **kwargs: Any) -> Result:
    """Invoke the dataprotect CLI in a CliRunner: *command* is split into
    words at spaces, each of *args* (a path, a value) is one word;
    *kwargs* go to ``CliRunner.invoke`` (input=, env=)."""
    from click.testing import CliRunner

    from dataprotect.cli._app import cli

    words = [*command.split(), *map(str, args)]
    return CliRunner().invoke(cli, words, **kwargs)


def keyring_with(material: bytes, key_id: int) -> Keyring:
    """A keyring holding one known key (for test vectors)."""
    import base64
    import json

    from datetime import datetime, timezone

    from dataprotect.keys import Keyring

    payload = {
        "primary": key_id,
        "keys": [
            {
                "id": key_id,
                "status": "active",
                "created": datetime(
                    2026, 1, 1, tzinfo=timezone.utc
                ).isoformat(),
                "material": base64.b64encode(material).decode("ascii"),
            }
        ],
    }
    return Keyring._from_payload(json.dumps(payload).encode())


class LoopbackServer:
    """A loopback TCP server whose connections *handler* serves, one at a
    time, in a thread (*conn_timeout* on each connection if given)."""

    def __init__(
        self,
        handler: Callable[[socket.socket], None],
        *,
        backlog: int = 8,
        conn_timeout: float | None = None,
    ) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(backlog)
        self.sock.settimeout(0.2)
        self.port = int(self.sock.getsockname()[1])
        self.stop = threading.Event()
        self.handler = handler
        self.conn_timeout = conn_timeout
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            if self.conn_timeout is not None:
                conn.settimeout(self.conn_timeout)
            try:
                self.handler(conn)
            except OSError:  # ssl.SSLError too
                pass
            finally:
                conn.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        self.sock.close()


@contextlib.contextmanager
def loopback_servers(
    *, backlog: int = 8, conn_timeout: float | None = None
) -> Iterator[Callable[[Callable[[socket.socket], None]], int]]:
    """A function that starts a LoopbackServer (with these options) for a
    handler and gives its port; all stop when the block ends."""
    servers: list[LoopbackServer] = []

    def start(handler: Callable[[socket.socket], None]) -> int:
        server = LoopbackServer(
            handler, backlog=backlog, conn_timeout=conn_timeout
        )
        servers.append(server)
        return server.port

    try:
        yield start
    finally:
        for server in servers:
            server.close()


def tool_output(*argv: object, input: bytes | None = None) -> bytes:
    """The stdout of running *argv* (paths become strings), which must
    succeed; *input* goes to its stdin."""
    return subprocess.run(
        [str(a) for a in argv], input=input, check=True, capture_output=True
    ).stdout


def pem_private_key(key: PrivateKeyTypes) -> bytes:
    """*key* as unencrypted PKCS#8 PEM."""
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )

"""``dataprotect demo --serve``: the password-feedback page on loopback,
started as a user starts it, checked with HTTP and in Chromium, stopped
with Ctrl-C (SIGINT)."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import threading
import time

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from dataprotect.cli._feedback import DEMO_BREACHED
from helpers import free_port


SRC = str(Path(__file__).resolve().parent.parent / "src")


class Server:
    """A running ``dataprotect demo --serve``."""

    def __init__(self, *args: str) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, (SRC, env.get("PYTHONPATH")))
        )
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dataprotect.cli",
                "demo",
                "--serve",
                *args,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], 60)
        assert ready, "the server printed no URL"
        line = self.process.stdout.readline()
        assert line.startswith("password feedback: http://127.0.0.1:"), line
        self.url = line.split(": ", 1)[1].strip()
        self.base = self.url.removesuffix("/password-feedback")
        # uvicorn answers once the socket listens; it was bound before the
        # URL was printed, so connections queue until then.

    def stop(self) -> tuple[int, str, str]:
        """Ctrl-C: the exit status, stdout and stderr."""
        self.process.send_signal(signal.SIGINT)
        out, err = self.process.communicate(timeout=30)
        return self.process.returncode, out, err


@pytest.fixture(name="server")
def _server() -> Iterator[Server]:
    server = Server("--locale", "de")
    yield server
    if server.process.poll() is None:
        server.process.kill()
        server.process.communicate()


class TestServe:
    def test_serves_checks_and_stops_cleanly(self):
        """In this process: the page, the widget and the endpoint answer on
        127.0.0.1, the demo's breached list is used, Ctrl-C (SIGINT) stops
        it with status 0, and the password is in no log line."""
        import logging.config

        import uvicorn.config

        from click.testing import CliRunner

        from dataprotect.cli._app import cli

        # As if an earlier server had configured uvicorn's own logging
        # (its access logger then does not propagate): the command's log
        # still goes through its pseudonymising handler.
        logging.config.dictConfig(uvicorn.config.LOGGING_CONFIG)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        seen: dict[str, object] = {}

        def visit() -> None:
            try:
                deadline = time.monotonic() + 60
                while True:
                    try:
                        page = httpx.get(base + "/", follow_redirects=True)
                        break
                    except httpx.TransportError:
                        if time.monotonic() > deadline:
                            raise
                        time.sleep(0.1)
                seen["page"] = page
                seen["script"] = httpx.get(base + "/password-feedback.js")
                seen["breached"] = httpx.post(
                    base + "/password-feedback",
                    json={"password": DEMO_BREACHED[0]},
                )
                seen["context"] = httpx.post(
                    base + "/password-feedback",
                    json={"password": "example.com2024!"},
                )
            finally:
                os.kill(os.getpid(), signal.SIGINT)

        visitor = threading.Thread(target=visit)
        visitor.start()
        result = CliRunner().invoke(
            cli, ["demo", "--serve", "--port", str(port), "--locale", "de"]
        )
        visitor.join()
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines() == [
            f"password feedback: {base}/password-feedback",
            "breached in this demo: " + ", ".join(DEMO_BREACHED),
            "press Ctrl-C to stop",
            "stopped",
        ]
        page = seen["page"]
        assert isinstance(page, httpx.Response)
        assert page.status_code == 200
        assert '<html lang="de">' in page.text
        assert page.headers["cache-control"] == "no-store"
        script = seen["script"]
        assert isinstance(script, httpx.Response)
        assert script.headers["content-type"].startswith("text/javascript")
        breached = seen["breached"]
        assert isinstance(breached, httpx.Response)
        verdict = json.loads(breached.content)
        assert verdict["breached"] is True
        assert verdict["locale"] == "en"
        context = seen["context"]
        assert isinstance(context, httpx.Response)
        ids = [v["id"] for v in context.json()["violations"]]
        assert "context" in ids
        assert '"POST /password-feedback HTTP/1.1" 200' in result.stderr
        assert DEMO_BREACHED[0] not in result.stderr
        assert "example.com2024!" not in result.stderr
        assert "Traceback" not in result.stderr

    def test_stopped_by_sigint_as_a_process(self, server):
        """As a user runs it: a separate process, stopped by Ctrl-C."""
        answer = httpx.post(server.url, json={"password": "password"})
        assert answer.json()["violations"][0]["id"] == "blocklisted"
        status, out, err = server.stop()
        assert status == 0, err
        assert out.rstrip().endswith("stopped")
        assert "Traceback" not in err

    def test_busy_port_is_one_line(self, server):
        """A port already in use is one clear line and status 2."""
        port = server.base.rsplit(":", 1)[1]
        env = dict(os.environ, PYTHONPATH=SRC)
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "dataprotect.cli",
                "demo",
                "--serve",
                "--port",
                port,
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        assert done.returncode == 2
        assert done.stderr.strip().splitlines() == [
            "Error: Address already in use"
        ]

    @pytest.mark.services
    def test_in_the_browser(self, server, chromium):
        """A newcomer's view: the page opens in German and typing a
        breached password shows it as breached."""
        from selenium.webdriver.common.by import By

        chromium.get(server.base + "/")
        field = chromium.find_element(By.ID, "password")
        for char in DEMO_BREACHED[1]:
            field.send_keys(char)
        deadline = time.monotonic() + 60
        text = ""
        while "Geleakt." not in text and time.monotonic() < deadline:
            time.sleep(0.1)
            text = chromium.find_element(By.CSS_SELECTOR, "[role=status]").text
        assert "Geleakt." in text
        assert "Datenleck" in text

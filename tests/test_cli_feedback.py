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
import time

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from dataprotect.cli._feedback import DEMO_BREACHED


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
    def test_serves_checks_and_stops_cleanly(self, server):
        """The page, the widget and the endpoint answer on 127.0.0.1; the
        demo's breached list is used; Ctrl-C stops it with status 0 and the
        password is in no log line."""
        page = httpx.get(server.base + "/", follow_redirects=True)
        assert page.status_code == 200
        assert '<html lang="de">' in page.text
        assert page.headers["cache-control"] == "no-store"
        script = httpx.get(server.base + "/password-feedback.js")
        assert script.headers["content-type"].startswith("text/javascript")
        answer = httpx.post(server.url, json={"password": DEMO_BREACHED[0]})
        assert answer.status_code == 200
        verdict = json.loads(answer.content)
        assert verdict["breached"] is True
        assert verdict["locale"] == "en"
        context = httpx.post(
            server.url, json={"password": "example.com2024!"}
        ).json()
        assert "context" in [v["id"] for v in context["violations"]]
        status, out, err = server.stop()
        assert status == 0, err
        assert out.rstrip().endswith("stopped")
        assert "Traceback" not in err
        assert '"POST /password-feedback HTTP/1.1" 200' in err
        assert DEMO_BREACHED[0] not in err
        assert "example.com2024!" not in err

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
        deadline = time.monotonic() + 20
        text = ""
        while "Geleakt." not in text and time.monotonic() < deadline:
            time.sleep(0.1)
            text = chromium.find_element(By.CSS_SELECTOR, "[role=status]").text
        assert "Geleakt." in text
        assert "Datenleck" in text

"""Headless Chromium for the tests, and loopback servers for it to visit.

:func:`chromium` starts the Debian ``chromium`` through ``chromedriver``
with Selenium; CI installs both (``.ci/run``), so there a missing browser
fails the run, and on a developer machine it skips.  :func:`serve_asgi`
(uvicorn) and :func:`serve_wsgi` (werkzeug) run an app on a free loopback
port in a thread for the browser to load.

Import as ``from browser import chromium`` (``tests`` is on the path); the
``chromium`` fixture in ``conftest.py`` wraps it.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import IN_CI, free_port, require_binary


__all__ = ["chromium", "serve_asgi", "serve_wsgi"]

_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=900,900",
)


def _selenium() -> Any:
    try:
        from selenium import webdriver
    except ImportError:
        reason = "selenium is not installed (the tests group has it)"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    return webdriver


@contextlib.contextmanager
def chromium(profile: Path) -> Iterator[Any]:
    """A headless Chromium WebDriver with its profile in *profile*."""
    binary = require_binary("chromium", "chromium-browser")
    driver_path = require_binary("chromedriver", "/usr/bin/chromedriver")
    webdriver = _selenium()
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in (*_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    # chromedriver's log goes to a sink this fixture owns and closes:
    # selenium 4.11 opens os.devnull itself when given none and leaks it.
    with open(os.devnull, "wb") as sink:
        driver = webdriver.Chrome(
            service=Service(executable_path=driver_path, log_output=sink),
            options=options,
        )
        try:
            driver.set_script_timeout(30)
            yield driver
        finally:
            driver.quit()


@contextlib.contextmanager
def serve_asgi(app: Any) -> Iterator[str]:
    """Serve the ASGI *app* with uvicorn on loopback; yields its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_config=None,
            log_level="warning",
            lifespan="off",
            interface="asgi3",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            msg = "uvicorn did not start"
            raise RuntimeError(msg)
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


@contextlib.contextmanager
def serve_wsgi(app: Any) -> Iterator[str]:
    """Serve the WSGI *app* with werkzeug on loopback; yields its base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=20)

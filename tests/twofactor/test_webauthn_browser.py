"""End to end: Chromium's virtual authenticator against RelyingParty.

A small test page (HTML and JavaScript, no CDN) is served by a loopback
HTTP server whose endpoints call the ceremonies and store the credential
JSON; headless Chromium, driven by Selenium through the Debian
``chromedriver``, registers a key on its WebAuthn virtual authenticator and
signs in with it, by user name and without one (a discoverable
credential).  The browser is the shared ``chromium`` fixture
(``tests/browser.py``): CI installs ``chromium`` and ``chromium-driver``
(``.ci/run``); a missing browser fails the run there and skips it on a
developer machine.
"""

from __future__ import annotations

import base64
import json
import threading

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from dataprotect.errors import DataProtectError
from dataprotect.keys import Keyring
from dataprotect.twofactor import Credential, RelyingParty, WebAuthnUser


pytestmark = pytest.mark.services

PAGE = b"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>dataprotect WebAuthn</title></head>
<body>
<p>dataprotect WebAuthn end-to-end test page</p>
<script>
async function post(path, body) {
  const answer = await fetch(path, {
    method: "POST",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify(body),
  });
  return {status: answer.status, body: await answer.json()};
}
async function register(name) {
  const begin = await post("/register/begin", {name});
  const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(
    JSON.parse(begin.body.options));
  const credential = await navigator.credentials.create({publicKey});
  return post("/register/finish",
              {state: begin.body.state, response: credential.toJSON()});
}
async function signIn(name) {
  const begin = await post("/login/begin", {name});
  const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(
    JSON.parse(begin.body.options));
  const credential = await navigator.credentials.get({publicKey});
  return post("/login/finish", {state: begin.body.state, name,
                                response: credential.toJSON()});
}
window.ceremony = function (kind, name, done) {
  const run = kind === "register" ? register : signIn;
  run(name).then(done, (error) => done({status: 0, body: {error: String(error)}}));
};
</script>
</body>
</html>
"""


class Site:
    """The server side: a relying party and a credential table."""

    def __init__(self, port: int) -> None:
        self.rp = RelyingParty(
            "localhost",
            "dataprotect test",
            [f"http://localhost:{port}"],
            Keyring.generate(),
        )
        self.users: dict[str, bytes] = {}
        self.table: dict[bytes, str] = {}  # credential id -> Credential JSON
        self.events: list[tuple[str, str]] = []

    def credentials(self, name: str) -> list[Credential]:
        handle = self.users.get(name)
        return [
            c
            for c in map(Credential.from_json, self.table.values())
            if c.user_handle == handle
        ]

    def handle(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        if path == "/register/begin":
            handle = self.users.setdefault(
                body["name"], WebAuthnUser.new_handle()
            )
            user = WebAuthnUser(handle, body["name"])
            options, state = self.rp.begin_registration(
                user, exclude=self.credentials(body["name"])
            )
            return {"options": options, "state": state}
        if path == "/register/finish":
            credential = self.rp.finish_registration(
                body["state"], body["response"]
            )
            self.table[credential.id] = credential.to_json()
            self.events.append(("registered", credential.to_json()))
            return {"ok": True}
        if path == "/login/begin":
            name = body.get("name")
            allowed = self.credentials(name) if name else []
            options, state = self.rp.begin_authentication(allowed)
            return {"options": options, "state": state}
        if path == "/login/finish":

            def lookup(credential_id: bytes) -> Credential | None:
                text = self.table.get(credential_id)
                return None if text is None else Credential.from_json(text)

            result = self.rp.finish_authentication(
                body["state"], body["response"], lookup
            )
            self.table[result.credential.id] = result.credential.to_json()
            self.events.append(("signed-in", result.credential.to_json()))
            return {
                "ok": True,
                "signCount": result.credential.sign_count,
                "userVerified": result.user_verified,
            }
        raise LookupError(path)


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            """Quiet."""

        def _send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            if self.path == "/":
                self._send(200, PAGE, "text/html; charset=utf-8")
            else:
                self._send(404, b"{}", "application/json")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length))
            try:
                answer = site.handle(self.path, body)
                status = 200
            except DataProtectError as exc:
                answer = {"error": type(exc).__name__, "message": str(exc)}
                status = 400
            self._send(status, json.dumps(answer).encode(), "application/json")

    return Handler


@pytest.fixture(name="site")
def _site() -> Iterator[tuple[Site, str]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(Site(0)))
    port = server.server_address[1]
    site = Site(port)
    server.RequestHandlerClass = _handler(site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield site, f"http://localhost:{port}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(name="browser")
def _browser(chromium) -> Any:
    """The shared headless Chromium with a CTAP2 virtual authenticator."""
    from selenium.webdriver.common.virtual_authenticator import (
        VirtualAuthenticatorOptions,
    )

    chromium.add_virtual_authenticator(
        VirtualAuthenticatorOptions(
            protocol=VirtualAuthenticatorOptions.Protocol.CTAP2,
            transport=VirtualAuthenticatorOptions.Transport.USB,
            has_resident_key=True,
            has_user_verification=True,
            is_user_consenting=True,
            is_user_verified=True,
        )
    )
    return chromium


def _ceremony(driver: Any, kind: str, name: str | None) -> dict[str, Any]:
    result = driver.execute_async_script(
        "window.ceremony(arguments[0], arguments[1], arguments[2]);",
        kind,
        name,
    )
    assert isinstance(result, dict)
    return result


class TestChromiumVirtualAuthenticator:
    def test_register_then_sign_in(self, site, browser):
        """Chromium registers a key and signs in with it, by user name and
        without one; the server accepted every ceremony."""
        server, url = site
        browser.get(url)

        registered = _ceremony(browser, "register", "alice")
        assert registered == {"status": 200, "body": {"ok": True}}, registered
        assert [kind for kind, _ in server.events] == ["registered"]
        (stored,) = [Credential.from_json(t) for t in server.table.values()]
        assert stored.user_handle == server.users["alice"]
        assert stored.algorithm in (-7, -8, -257)
        (virtual,) = browser.get_credentials()
        # Selenium gives the id in padded base64url.
        assert base64.urlsafe_b64decode(virtual.id) == stored.id

        signed_in = _ceremony(browser, "login", "alice")
        assert signed_in["status"] == 200, signed_in
        assert signed_in["body"]["ok"] is True
        assert signed_in["body"]["userVerified"] is True
        first = signed_in["body"]["signCount"]

        # Without a user name: the discoverable credential answers.
        again = _ceremony(browser, "login", None)
        assert again["status"] == 200, again
        assert again["body"]["signCount"] > first or first == 0
        assert [kind for kind, _ in server.events] == [
            "registered",
            "signed-in",
            "signed-in",
        ]
        latest = Credential.from_json(server.table[stored.id])
        assert latest.last_used_at is not None

    def test_second_registration_of_the_same_key_is_refused(
        self, site, browser
    ):
        """excludeCredentials keeps Chromium from registering a key twice."""
        server, url = site
        browser.get(url)
        assert _ceremony(browser, "register", "bob")["status"] == 200
        second = _ceremony(browser, "register", "bob")
        assert second["status"] == 0
        assert "InvalidStateError" in second["body"]["error"]
        assert len(server.table) == 1

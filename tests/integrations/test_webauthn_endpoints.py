"""The WebAuthn JSON endpoints of the Flask, Starlette and Django adapters.

Each framework's test client drives the four endpoints with the software
authenticator of ``tests/webauthn_authenticator.py``; the credentials live
in a dict-backed ``CredentialStore``.
"""

from __future__ import annotations

import json
import logging

from collections.abc import Iterable
from typing import Any

import pytest

from dataprotect.keys import Keyring
from dataprotect.twofactor import (
    AuthenticationResult,
    Credential,
    CredentialStore,
    RelyingParty,
    WebAuthnUser,
)
from helpers import starlette_test_client
from webauthn_authenticator import SoftAuthenticator, b64


ORIGIN = "https://example.com"
FAILED = {"error": "WebAuthn verification failed"}
BAD = {"error": "bad request"}


class DictStore:
    """Credential JSON in a dict."""

    def __init__(self) -> None:
        self.rows: dict[bytes, tuple[bytes, str]] = {}

    def credentials(self, user_handle: bytes) -> Iterable[str]:
        return [text for h, text in self.rows.values() if h == user_handle]

    def credential(self, credential_id: bytes) -> str | None:
        row = self.rows.get(credential_id)
        return None if row is None else row[1]

    def save(
        self, credential_id: bytes, user_handle: bytes, credential_json: str
    ) -> None:
        self.rows[credential_id] = (user_handle, credential_json)


class App:
    """One framework's app and client, with the test's account state."""

    def __init__(self, framework: str) -> None:
        self.rp = RelyingParty(
            "example.com", "Example", [ORIGIN], Keyring.generate()
        )
        self.store = DictStore()
        assert isinstance(self.store, CredentialStore)
        self.users = {
            "alice": WebAuthnUser(b"alice-handle", "alice"),
            "bob": WebAuthnUser(b"bob-handle", "bob"),
        }
        self.signed_in: WebAuthnUser | None = None
        self.sign_ins: list[AuthenticationResult] = []
        getattr(self, "_" + framework)()

    def find_user(self, name: str) -> bytes | None:
        user = self.users.get(name)
        return None if user is None else user.id

    def _flask(self) -> None:
        flask = pytest.importorskip("flask")
        from dataprotect.integrations.flask import webauthn_blueprint

        app = flask.Flask(__name__)
        app.register_blueprint(
            webauthn_blueprint(
                self.rp,
                self.store,
                current_user=lambda: self.signed_in,
                find_user=self.find_user,
                on_sign_in=self.sign_ins.append,
            ),
            url_prefix="/webauthn",
        )
        client = app.test_client()

        def post(path: str, body: Any = None, raw: bytes | None = None):
            if raw is not None:
                answer = client.post(path, data=raw)
            else:
                answer = client.post(path, json=body)
            return answer.status_code, answer.get_json()

        self.post = post

    def _starlette(self) -> None:
        pytest.importorskip("starlette")
        from starlette.applications import Starlette

        from dataprotect.integrations.starlette import webauthn_routes

        app = Starlette(
            routes=webauthn_routes(
                self.rp,
                self.store,
                current_user=lambda request: self.signed_in,
                find_user=self.find_user,
                on_sign_in=lambda request, result: self.sign_ins.append(
                    result
                ),
                prefix="/webauthn",
            )
        )
        client = starlette_test_client(app)

        def post(path: str, body: Any = None, raw: bytes | None = None):
            if raw is not None:
                answer = client.post(path, content=raw)
            else:
                answer = client.post(path, json=body)
            return answer.status_code, answer.json()

        self.post = post

    def _django(self) -> None:
        pytest.importorskip("django")
        from django.test import RequestFactory

        from dataprotect.integrations.django import webauthn_urls

        patterns = webauthn_urls(
            self.rp,
            self.store,
            current_user=lambda request: self.signed_in,
            find_user=self.find_user,
            on_sign_in=lambda request, result: self.sign_ins.append(result),
        )
        self.views = {f"/webauthn/{p.pattern}": p.callback for p in patterns}
        factory = RequestFactory()

        def post(path: str, body: Any = None, raw: bytes | None = None):
            data = json.dumps(body).encode() if raw is None else raw
            request = factory.post(
                path, data=data, content_type="application/json"
            )
            answer = self.views[path](request)
            return answer.status_code, json.loads(answer.content)

        self.post = post

    def register(self, auth: SoftAuthenticator, **tamper: Any):
        status, begun = self.post("/webauthn/register/begin")
        assert status == 200
        response = auth.create(
            json.dumps(begun["publicKey"]), ORIGIN, **tamper
        )
        return self.post(
            "/webauthn/register/finish",
            {"state": begun["state"], "response": response},
        )


@pytest.fixture(name="app", params=["flask", "starlette", "django"])
def _app(request) -> App:
    return App(request.param)


class TestEndpoints:
    def test_register_and_sign_in(self, app):
        """A signed-in user registers a key; then signs in by name and
        without one; the store holds the updated credential JSON."""
        auth = SoftAuthenticator()
        app.signed_in = app.users["alice"]
        status, body = app.register(auth)
        assert status == 200
        assert body["ok"] is True
        (credential_id,) = app.store.rows
        assert body["credentialId"] == b64(credential_id)

        app.signed_in = None
        status, begun = app.post(
            "/webauthn/login/begin", {"username": "alice"}
        )
        assert status == 200
        assert begun["publicKey"]["allowCredentials"][0]["id"] == b64(
            credential_id
        )
        response = auth.get(json.dumps(begun["publicKey"]), ORIGIN)
        finish = {"state": begun["state"], "response": response}
        assert app.post("/webauthn/login/finish", finish) == (
            200,
            {"ok": True},
        )
        (result,) = app.sign_ins
        assert result.user_handle == b"alice-handle"
        stored = Credential.from_json(app.store.rows[credential_id][1])
        assert stored.sign_count == 1

        # A replay is refused, with the one generic answer.
        assert app.post("/webauthn/login/finish", finish) == (400, FAILED)

        status, begun = app.post("/webauthn/login/begin", {})
        assert "allowCredentials" not in begun["publicKey"]
        response = auth.get(json.dumps(begun["publicKey"]), ORIGIN)
        status, _ = app.post(
            "/webauthn/login/finish",
            {"state": begun["state"], "response": response},
        )
        assert status == 200
        assert len(app.sign_ins) == 2

    def test_registration_needs_a_signed_in_user(self, app):
        """Without a signed-in user the registration endpoints answer 403."""
        assert app.post("/webauthn/register/begin")[0] == 403
        assert app.post("/webauthn/register/finish", {})[0] == 403

    def test_refused_registration(self, app, caplog):
        """A tampered response answers the generic 400 and logs the check's
        error class; nothing is stored."""
        app.signed_in = app.users["alice"]
        with caplog.at_level(logging.INFO, logger="dataprotect.webauthn"):
            status, body = app.register(
                SoftAuthenticator(), client_data={"origin": "https://evil"}
            )
        assert (status, body) == (400, FAILED)
        assert "OriginMismatchError" in caplog.text
        assert app.store.rows == {}

    def test_registration_for_another_account(self, app):
        """A ceremony begun for Alice cannot be finished while Bob is signed
        in."""
        app.signed_in = app.users["alice"]
        _, begun = app.post("/webauthn/register/begin")
        response = SoftAuthenticator().create(
            json.dumps(begun["publicKey"]), ORIGIN
        )
        app.signed_in = app.users["bob"]
        status, body = app.post(
            "/webauthn/register/finish",
            {"state": begun["state"], "response": response},
        )
        assert (status, body) == (400, FAILED)
        assert app.store.rows == {}

    @pytest.mark.parametrize(
        "body",
        [
            None,
            [1],
            {"state": 5, "response": {}},
            {"state": "x", "response": "text"},
            {"state": "x"},
        ],
    )
    def test_bad_bodies(self, app, body):
        """Bodies without a state token and a response object are 400."""
        app.signed_in = app.users["alice"]
        assert app.post("/webauthn/register/finish", body) == (400, BAD)
        assert app.post("/webauthn/login/finish", body) == (400, BAD)

    def test_not_json_or_too_large(self, app):
        """A body that is not JSON, or over the size bound, is 400."""
        app.signed_in = app.users["alice"]
        for raw in (b"{not json", b"x" * (200 * 1024)):
            assert app.post("/webauthn/login/finish", raw=raw) == (400, BAD)
            assert app.post("/webauthn/register/finish", raw=raw) == (400, BAD)

    def test_login_begin_names(self, app):
        """An unknown user name still gets a ceremony; a bad one is 400."""
        status, begun = app.post("/webauthn/login/begin", {"username": "eve"})
        assert status == 200
        assert "allowCredentials" not in begun["publicKey"]
        assert app.post("/webauthn/login/begin", {"username": 5}) == (400, BAD)
        assert app.post("/webauthn/login/begin", raw=b"")[0] == 200


def test_django_views_take_post_only():
    """The Django views answer 405 to a GET."""
    from django.test import RequestFactory

    app = App("django")
    view = app.views["/webauthn/login/begin"]
    assert (
        view(RequestFactory().get("/webauthn/login/begin")).status_code == 405
    )


def test_parse_body_bounds_the_size():
    """The shared body parser refuses oversized bodies itself."""
    from dataprotect.integrations._webauthn_http import MAX_BODY, parse_body

    assert parse_body(b'{"a": 1}') == {"a": 1}
    assert parse_body(b" " * (MAX_BODY + 1)) is None

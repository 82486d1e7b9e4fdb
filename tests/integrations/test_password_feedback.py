"""The password-feedback endpoint: the framework-neutral contract, and the
Starlette, Flask and Django adapters under their test clients."""

from __future__ import annotations

import json
import logging
import types

from pathlib import Path
from typing import ClassVar

import jsonschema
import pytest

from hypothesis import given
from hypothesis import strategies as st

from dataprotect.errors import ConfigurationError, RateLimitExceeded
from dataprotect.integrations.password_feedback import (
    ASSETS,
    MAX_BODY,
    FeedbackEndpoint,
    asset,
    demo_page,
    negotiate_locale,
    rate_limited,
)
from dataprotect.ratelimit import RateLimiter
from dataprotect.strength import BreachedPasswords, check_password
from helpers import starlette_test_client


STRONG = "plinth rowboat gazebo nectar"
JSON = "application/json"

_MESSAGE = {
    "type": "object",
    "required": ["id", "message"],
    "properties": {"id": {"type": "string"}, "message": {"type": "string"}},
    "additionalProperties": False,
}
#: The documented answer of POST /password-feedback.
SCHEMA = {
    "type": "object",
    "required": [
        *check_password("x").to_dict(),
        "breached",
        "nist_ok",
        "verdict",
        "crack_time",
    ],
    "additionalProperties": False,
    "properties": {
        "score": {"type": "integer", "minimum": 0, "maximum": 4},
        "acceptable": {"type": "boolean"},
        "warning": {"oneOf": [{"type": "null"}, _MESSAGE]},
        "suggestions": {"type": "array", "items": _MESSAGE},
        "violations": {"type": "array", "items": _MESSAGE},
        "guesses_log10": {"type": "number", "minimum": 0},
        "length": {"type": "integer", "minimum": 0},
        "analysed_length": {"type": "integer", "minimum": 0},
        "truncated": {"type": "boolean"},
        "locale": {"enum": ["en", "de", "fr", "it"]},
        "breached": {"type": "boolean"},
        "nist_ok": {"type": "boolean"},
        "verdict": {"type": "string", "minLength": 1},
        "crack_time": {
            "type": "object",
            "required": ["seconds", "display"],
            "additionalProperties": False,
            "properties": {
                "seconds": {"type": "number", "minimum": 0},
                "display": {"type": "string", "minLength": 1},
            },
        },
    },
}
ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {"error": {"type": "string", "minLength": 1}},
}


#: Content types that are not JSON (415).
NOT_JSON = ["text/plain", None, "application/json; charset=latin-1"]
#: Bodies that are not a valid request (400), one a line.
BAD_JSON = rb"""not json
\xff\xfe{}
"a string"
[1, 2]
{}
{"password": 12345678}
{"password": null}
{"password": "x", "user_inputs": "alice"}
{"password": "x", "user_inputs": [1]}
{"password": "x", "locale": 1}
{"password": "x", "locale": "es"}
{"password": "x", "admin": true}""".replace(
    b"\\xff\\xfe", b"\xff\xfe"
).splitlines()


def _post(endpoint: FeedbackEndpoint, payload: object, **kwargs):
    body = json.dumps(payload).encode()
    return endpoint.answer(body, content_type=JSON, **kwargs)


class TestFeedbackEndpoint:
    def test_verdict_matches_the_schema(self):
        """A valid request answers 200 with the documented JSON and
        no-store headers."""
        answer = _post(FeedbackEndpoint(), {"password": "password"})
        assert answer.status == 200
        jsonschema.validate(answer.payload, SCHEMA)
        assert answer.headers["Cache-Control"] == "no-store"
        assert answer.payload["acceptable"] is False
        assert answer.payload["verdict"] == (
            "This password is on a list of commonly used passwords."
        )
        assert answer.payload["crack_time"]["display"] == "less than a second"
        assert json.loads(answer.body()) == answer.payload

    def test_strong_password_is_acceptable(self):
        """A long passphrase is acceptable and takes centuries offline."""
        answer = _post(FeedbackEndpoint(), {"password": STRONG})
        payload = answer.payload
        assert payload["acceptable"] is True
        assert payload["nist_ok"] is True
        assert payload["verdict"] == "This password is acceptable."
        assert payload["crack_time"]["display"] == "centuries"

    def test_too_guessable_without_violation(self):
        """A low score with no failed rule gives the too-guessable verdict."""
        answer = _post(FeedbackEndpoint(), {"password": "qwerty7890"})
        assert answer.payload["nist_ok"] is True
        assert answer.payload["acceptable"] is False
        assert (
            answer.payload["verdict"] == "This password is too easy to guess."
        )

    def test_breached_and_context(self, tmp_path):
        """A breached password is flagged; user inputs and service names
        are context words."""
        breached = BreachedPasswords.build(tmp_path, ["Zq8#vL2!rT9@mK"])
        endpoint = FeedbackEndpoint(breached=breached, service_names=["acme"])
        flagged = _post(endpoint, {"password": "Zq8#vL2!rT9@mK"}).payload
        assert flagged["breached"] is True
        assert [v["id"] for v in flagged["violations"]] == ["breached"]
        context = _post(
            endpoint,
            {"password": "aliceacme2024!", "user_inputs": ["alice"]},
        ).payload
        assert [v["id"] for v in context["violations"]] == ["context"]
        server = endpoint.answer(
            json.dumps({"password": "bob.smith99"}).encode(),
            content_type=JSON,
            user_inputs=["bob.smith@example.com"],
        ).payload
        assert "context" in [v["id"] for v in server["violations"]]

    @pytest.mark.parametrize(
        ("locale", "verdict"),
        [
            ("en", "This password is acceptable."),
            ("de", "Dieses Passwort ist geeignet."),
            ("fr-CH", "Ce mot de passe convient."),
            ("it", "Questa password è adeguata."),
        ],
    )
    def test_locales(self, locale, verdict):
        """The verdict and crack time are in the requested language."""
        payload = _post(
            FeedbackEndpoint(), {"password": STRONG, "locale": locale}
        ).payload
        assert payload["verdict"] == verdict
        assert payload["locale"] == locale[:2]

    def test_accept_language_decides_without_locale(self):
        """Without ``locale`` the Accept-Language header picks the language."""
        payload = _post(
            FeedbackEndpoint(),
            {"password": "password"},
            accept_language="es;q=1, it;q=0.8, de;q=0.5",
        ).payload
        assert payload["locale"] == "it"

    def test_extra_check_makes_it_unacceptable(self):
        """Failures of further rules are violations and refuse the
        password; the check never sees anything but the password."""
        seen = []

        def extra(password):
            seen.append(password)
            return [("house_rule", "No gazebos.")]

        payload = (
            FeedbackEndpoint()
            .answer(
                json.dumps({"password": STRONG}).encode(),
                content_type=JSON,
                extra_check=extra,
            )
            .payload
        )
        assert seen == [STRONG]
        assert payload["acceptable"] is False
        assert payload["nist_ok"] is True
        assert payload["violations"] == [
            {"id": "house_rule", "message": "No gazebos."}
        ]
        assert payload["verdict"] == "No gazebos."

    @pytest.mark.parametrize(
        ("body", "content_type", "status"),
        [
            *((b"{}", kind, 415) for kind in NOT_JSON),
            (b"password=hunter2", "application/x-www-form-urlencoded", 415),
            *((body, JSON, 400) for body in BAD_JSON),
            (b"[" * 3000, JSON, 400),
            (b"x" * (MAX_BODY + 1), JSON, 413),
            (None, JSON, 413),
        ],
    )
    def test_bad_input_is_one_clear_4xx(self, body, content_type, status):
        """Bad requests answer a 4xx with one JSON error, never a 500."""
        answer = FeedbackEndpoint().answer(body, content_type=content_type)
        assert answer.status == status
        jsonschema.validate(answer.payload, ERROR_SCHEMA)
        assert answer.headers["Cache-Control"] == "no-store"

    def test_charset_utf8_is_accepted(self):
        """``application/json; charset=utf-8`` is JSON too."""
        answer = FeedbackEndpoint().answer(
            b'{"password": "x"}',
            content_type='application/json; charset="UTF-8"',
        )
        assert answer.status == 200

    def test_surrogates_are_an_answer(self):
        """A lone surrogate (valid JSON escape) is a violation, not an
        error."""
        answer = FeedbackEndpoint().answer(
            b'{"password": "abc\\ud800defghij"}', content_type=JSON
        )
        assert answer.status == 200
        ids = [v["id"] for v in answer.payload["violations"]]
        assert "invalid_character" in ids

    def test_max_body_is_configurable(self):
        """A larger ``max_body`` lets a 4096-character password through."""
        endpoint = FeedbackEndpoint(max_body=8192)
        answer = _post(endpoint, {"password": "a" * 4096})
        assert answer.status == 200
        assert endpoint.too_large(8193)
        assert not endpoint.too_large(None)
        with pytest.raises(ConfigurationError, match="max_body"):
            FeedbackEndpoint(max_body=10)
        with pytest.raises(ConfigurationError, match="min_length"):
            FeedbackEndpoint(min_length=4)

    def test_repr_holds_no_list(self, tmp_path):
        """The repr names the policy only."""
        breached = BreachedPasswords.build(tmp_path, ["hunter2hunter2"])
        text = repr(FeedbackEndpoint(breached=breached))
        assert text == (
            "<FeedbackEndpoint min_length=8 min_score=3 breached=True>"
        )

    @given(
        password=st.text(min_size=12, max_size=80).filter(
            lambda p: p.strip() == p and len(set(p)) > 6
        ),
        inputs=st.lists(st.text(max_size=20), max_size=4),
    )
    def test_answer_never_holds_the_password(self, password, inputs):
        """Property: no answer, log record or header holds the password."""
        records: list[logging.LogRecord] = []
        handler = logging.Handler()
        handler.emit = records.append  # type: ignore[method-assign]
        root = logging.getLogger()
        root.addHandler(handler)
        old = root.level
        root.setLevel(logging.DEBUG)
        try:
            answer = FeedbackEndpoint().answer(
                json.dumps(
                    {"password": password, "user_inputs": inputs}
                ).encode(),
                content_type=JSON,
            )
        finally:
            root.removeHandler(handler)
            root.setLevel(old)
        assert answer.status == 200
        dumped = answer.body().decode()
        assert password not in dumped
        assert json.dumps(password)[1:-1] not in dumped
        assert all(password not in r.getMessage() for r in records)
        assert all(password not in v for v in answer.headers.values())

    @given(st.binary(max_size=600), st.sampled_from([JSON, "text/plain"]))
    def test_any_bytes_get_a_4xx_or_a_verdict(self, body, content_type):
        """Property: whatever the body, the answer is 200 or a 4xx, never
        an exception."""
        answer = FeedbackEndpoint().answer(body, content_type=content_type)
        assert answer.status in (200, 400, 413, 415)
        json.loads(answer.body())


class TestHelpers:
    @pytest.mark.parametrize(
        ("header", "locale"),
        [
            (None, "en"),
            ("", "en"),
            ("de-CH", "de"),
            ("fr_FR,en;q=0.9", "fr"),
            ("en;q=0.1, it;q=0.9", "it"),
            ("es, pt", "en"),
            ("de;q=bad, fr;q=0.2", "fr"),
            ("*", "en"),
        ],
    )
    def test_negotiate_locale(self, header, locale):
        """The best supported language of Accept-Language, else English."""
        assert negotiate_locale(header) == locale

    @pytest.mark.parametrize(
        ("seconds", "locale", "text"),
        [
            (0.5, "en", "less than a second"),
            (1, "en", "1 second"),
            (59, "de", "59 Sekunden"),
            (90, "fr", "2 minutes"),
            (3600, "it", "1 ora"),
            (86400 * 3, "de", "3 Tage"),
            (2_678_400 * 2, "fr", "2 mois"),
            (31_536_000, "it", "1 anno"),
            (31_536_000 * 50, "en", "50 years"),
            (31_536_000 * 100, "de", "Jahrhunderte"),
        ],
    )
    def test_crack_time_display(self, seconds, locale, text):
        """Crack times read as zxcvbn shows them, in four languages."""
        from dataprotect.integrations.password_feedback import (
            _crack_time_display,
        )

        assert _crack_time_display(seconds, locale) == text

    def test_assets(self):
        """The script and style sheet ship as package data; no other name
        is served."""
        js = asset("password-feedback.js").decode()
        assert "export function attach" in js
        assert "https://" not in js
        assert "http://" not in js
        assert b".dp-password-feedback" in asset("password-feedback.css")
        assert set(ASSETS) == {"password-feedback.js", "password-feedback.css"}
        with pytest.raises(ConfigurationError):
            asset("../__init__.py")

    def test_demo_page(self):
        """The demo page escapes its URLs and refuses unknown languages."""
        page = demo_page(endpoint='/x"y', csrf_token="<t>", locale="it")
        assert '<html lang="it">' in page
        assert 'data-endpoint="/x&quot;y"' in page
        assert 'data-csrf-token="&lt;t&gt;"' in page
        assert "data-csrf-token" not in demo_page()
        with pytest.raises(ConfigurationError, match="locale"):
            demo_page(locale="es")

    def test_rate_limited(self):
        """The 429 answer: Retry-After in whole seconds and a JSON error."""
        answer = rate_limited(RateLimitExceeded(retry_after=2.2))
        assert answer.status == 429
        assert answer.headers["Retry-After"] == "3"
        assert answer.payload == {"error": "Too Many Requests"}


# -- The adapters under their test clients ------------------------------------


class _Client:
    """One app under its framework's test client."""

    def __init__(self, send) -> None:
        # send(method, path, body, headers) -> (status, headers, content)
        self._send = send

    def post(self, body, content_type=JSON, **headers):
        if content_type:
            headers["Content-Type"] = content_type
        return self._send("POST", "/account/password-feedback", body, headers)

    def get(self, path):
        return self._send("GET", f"/account/{path}", None, {})


def _starlette_client(limiter, page):
    from starlette.applications import Starlette

    from dataprotect.integrations.starlette import password_feedback_routes

    client = starlette_test_client(
        Starlette(
            routes=password_feedback_routes(
                prefix="/account", limiter=limiter, rate="3/minute", page=page
            )
        )
    )

    def send(method, path, body, headers):
        r = client.request(method, path, content=body, headers=headers)
        return r.status_code, r.headers, r.content

    return _Client(send)


def _flask_client(limiter, page):
    import flask

    from dataprotect.integrations.flask import password_feedback_blueprint

    app = flask.Flask(__name__)
    app.register_blueprint(
        password_feedback_blueprint(
            limiter=limiter, rate="3/minute", page=page
        ),
        url_prefix="/account",
    )
    client = app.test_client()

    def send(method, path, body, headers):
        r = client.open(path, method=method, data=body, headers=headers)
        return r.status_code, r.headers, r.data

    return _Client(send)


def _django_client(limiter, page):
    pytest.importorskip("django")
    from django.test import Client, override_settings
    from django.urls import include, path

    from dataprotect.integrations.django import password_feedback_urls

    urls = types.ModuleType("password_feedback_test_urls")
    urls.urlpatterns = [  # type: ignore[attr-defined]
        path(
            "account/",
            include(password_feedback_urls(limiter=limiter, rate="3/minute")),
        )
    ]
    client = Client()

    def send(method, url, body, headers):
        content_type = headers.pop("Content-Type", "")
        with override_settings(ROOT_URLCONF=urls):
            r = client.generic(
                method,
                url,
                data=body or b"",
                content_type=content_type,
                headers=headers,
            )
        return r.status_code, r.headers, r.content

    return _Client(send)


FRAMEWORKS = {
    "starlette": _starlette_client,
    "flask": _flask_client,
    "django": _django_client,
}


@pytest.fixture(name="client", params=sorted(FRAMEWORKS))
def _client(request):
    return FRAMEWORKS[request.param](RateLimiter(), page=False)


class TestAdapters:
    def test_verdict(self, client):
        """POST answers the schema's JSON, no-store, per the language."""
        status, headers, body = client.post(
            json.dumps({"password": "password", "locale": "de"}).encode()
        )
        assert status == 200
        assert headers["Cache-Control"] == "no-store"
        assert headers["Content-Type"].startswith("application/json")
        payload = json.loads(body)
        jsonschema.validate(payload, SCHEMA)
        assert payload["locale"] == "de"

    def test_429_with_retry_after_past_the_limit(self, client):
        """Past the rate the answer is 429, Retry-After, one JSON error."""
        body = json.dumps({"password": STRONG}).encode()
        for _ in range(3):
            assert client.post(body)[0] == 200
        status, headers, answer = client.post(body)
        assert status == 429
        assert 1 <= int(headers["Retry-After"]) <= 60
        assert headers["Cache-Control"] == "no-store"
        assert json.loads(answer) == {"error": "Too Many Requests"}

    @pytest.mark.parametrize(
        ("body", "content_type", "status"),
        [
            (b"x" * (4 * 1024 + 1), JSON, 413),
            (b"{" + b" " * 2_000_000 + b"}", JSON, 413),
            (b"{}", "text/plain", 415),
            (b"\xc3\x28", JSON, 400),
            (b'{"password": ["a"]}', JSON, 400),
            (b"", None, 415),
        ],
    )
    def test_bad_input(self, client, body, content_type, status):
        """Bad requests get one clear JSON 4xx under every framework."""
        got, headers, answer = client.post(body, content_type)
        assert got == status
        jsonschema.validate(json.loads(answer), ERROR_SCHEMA)
        assert headers["Cache-Control"] == "no-store"

    @pytest.mark.parametrize("name", sorted(ASSETS))
    def test_assets_are_served(self, client, name):
        """The widget's files are served with their content type."""
        status, headers, body = client.get(name)
        assert status == 200
        assert headers["Content-Type"] == ASSETS[name]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert body == asset(name)

    def test_no_password_in_any_log_record(self, client, caplog):
        """Nothing any logger writes, the framework's included, holds the
        password, also for refused requests."""
        secret = "Tr0ub4dor&3-unique-secret"
        with caplog.at_level(logging.DEBUG):
            client.post(json.dumps({"password": secret}).encode())
            client.post(
                json.dumps({"password": secret}).encode(), "text/plain"
            )
            client.post(json.dumps({"password": [secret]}).encode())
        assert caplog.records
        for record in caplog.records:
            assert secret not in record.getMessage()
            assert secret not in repr(record.args)


@pytest.mark.parametrize("framework", ["starlette", "flask"])
def test_demo_page_only_when_asked(framework):
    """GET serves the demo page only with ``page=True``."""
    with_page = FRAMEWORKS[framework](RateLimiter(), page=True)
    status, headers, body = with_page.get("password-feedback")
    assert status == 200
    assert headers["Cache-Control"] == "no-store"
    assert b'data-password-feedback-for="password"' in body
    without = FRAMEWORKS[framework](RateLimiter(), page=False)
    assert without.get("password-feedback")[0] in (404, 405)


class TestDjango:
    """The Django view follows AUTH_PASSWORD_VALIDATORS."""

    VALIDATORS: ClassVar[list[dict[str, object]]] = [
        {
            "NAME": "dataprotect.integrations.django.PasswordStrengthValidator",
            "OPTIONS": {"min_length": 10, "service_names": ["acmecorp"]},
        },
        {
            "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
            "OPTIONS": {"min_length": 30},
        },
        {
            "NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"
        },
    ]

    def _post(self, payload, *, user=None, language="en"):
        pytest.importorskip("django")
        from django.test import RequestFactory, override_settings
        from django.utils import translation

        from dataprotect.integrations.django import password_feedback_view

        request = RequestFactory().post(
            "/password-feedback",
            data=json.dumps(payload),
            content_type=JSON,
        )
        if user is not None:
            request.user = user
        with (
            override_settings(AUTH_PASSWORD_VALIDATORS=self.VALIDATORS),
            translation.override(language),
        ):
            from django.contrib.auth import password_validation

            password_validation.get_default_password_validators.cache_clear()
            try:
                response = password_feedback_view(request)
            finally:
                password_validation.get_default_password_validators.cache_clear()
        return response.status_code, json.loads(response.content)

    def test_policy_and_other_validators(self):
        """The strength validator's policy applies, and every other
        validator's failure is one more violation."""
        status, payload = self._post({"password": STRONG})
        assert status == 200
        assert payload["nist_ok"] is True
        assert payload["acceptable"] is False
        assert [v["id"] for v in payload["violations"]] == [
            "password_too_short"
        ]
        status, payload = self._post({"password": "Zq8#vL2!rT"[:9]})
        ids = [v["id"] for v in payload["violations"]]
        assert ids[0] == "too_short"
        assert payload["violations"][0]["message"] == (
            "Use at least 10 characters."
        )

    def test_service_names_and_user_are_context(self):
        """The service names and the signed-in user's attributes are
        context words."""
        from django.contrib.auth.models import User

        user = User(username="zorblax", email="zorblax@example.com")
        assert user.is_authenticated
        _, payload = self._post({"password": "acmecorp2024!!"})
        assert "context" in [v["id"] for v in payload["violations"]]
        _, payload = self._post({"password": "zorblax2024!!"}, user=user)
        assert "context" in [v["id"] for v in payload["violations"]]

    def test_active_language(self):
        """Without ``locale`` Django's active language decides."""
        _, payload = self._post({"password": "password"}, language="fr")
        assert payload["locale"] == "fr"

    def test_get_is_not_allowed(self):
        """Only POST is answered."""
        from django.test import RequestFactory

        from dataprotect.integrations.django import password_feedback_view

        response = password_feedback_view(RequestFactory().get("/"))
        assert response.status_code == 405

    def test_declared_length_over_the_limit(self):
        """A declared Content-Length over 4 KiB is refused unread."""
        from django.test import RequestFactory

        from dataprotect.integrations.django import password_feedback_view

        request = RequestFactory().post(
            "/", data=b"{}", content_type=JSON, CONTENT_LENGTH="999999"
        )
        response = password_feedback_view(request)
        assert response.status_code == 413

    def test_template_tags(self):
        """The tags render the assets and the widget's container with
        the reversed URLs and the CSRF token."""
        from django.template import Context, Engine
        from django.test import RequestFactory, override_settings
        from django.urls import include, path

        from dataprotect.integrations.django import password_feedback_urls

        urls = types.ModuleType("password_feedback_tag_urls")
        urls.urlpatterns = [  # type: ignore[attr-defined]
            path("acct/", include(password_feedback_urls()))
        ]
        engine = Engine(
            libraries={
                "dataprotect_feedback": (
                    "dataprotect.integrations.templatetags."
                    "dataprotect_feedback"
                )
            }
        )
        source = (
            "{% load dataprotect_feedback %}{% password_feedback_assets %}"
            '{% password_feedback "id_password1" inputs="id_username" %}'
        )
        request = RequestFactory().get("/")
        with override_settings(ROOT_URLCONF=urls):
            html = engine.from_string(source).render(
                Context({"request": request})
            )
            bare = engine.from_string(
                '{% load dataprotect_feedback %}{% password_feedback "p" locale="it" %}'
            ).render(Context({}))
        assert (
            '<link rel="stylesheet" href="/acct/password-feedback.css">'
            in html
        )
        assert (
            '<script type="module" src="/acct/password-feedback.js"></script>'
            in html
        )
        assert 'data-password-feedback-for="id_password1"' in html
        assert 'data-endpoint="/acct/password-feedback"' in html
        assert 'data-inputs="id_username"' in html
        assert 'data-csrf-token=""' not in html
        assert 'data-locale="it"' in bare
        assert 'data-csrf-token=""' in bare

    def test_installed_app(self):
        """With ``dataprotect.integrations`` in INSTALLED_APPS (label
        ``dataprotect``) the tag library loads by name and the widget's
        files are where ``collectstatic`` looks."""
        from django.apps import apps
        from django.template.backends.django import DjangoTemplates
        from django.test import override_settings

        from dataprotect.integrations.django import password_feedback_urls

        urls = types.ModuleType("password_feedback_app_urls")
        urls.urlpatterns = password_feedback_urls()  # type: ignore[attr-defined]
        installed = [
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "dataprotect.integrations",
        ]
        with override_settings(INSTALLED_APPS=installed, ROOT_URLCONF=urls):
            config = apps.get_app_config("dataprotect")
            backend = DjangoTemplates(
                {"NAME": "t", "DIRS": [], "APP_DIRS": False, "OPTIONS": {}}
            )
            html = backend.from_string(
                "{% load dataprotect_feedback %}"
                '{% password_feedback "pw" locale="de" %}'
            ).render({})
        assert config.name == "dataprotect.integrations"
        assert 'data-password-feedback-for="pw"' in html
        assert 'data-endpoint="/password-feedback"' in html
        static = Path(config.path) / "static" / "dataprotect"
        assert sorted(p.name for p in static.iterdir()) == sorted(ASSETS)


def test_fastapi_takes_the_starlette_routes():
    """A FastAPI app serves the Starlette routes as documented."""
    from fastapi import FastAPI

    from dataprotect.integrations.starlette import password_feedback_routes

    app = FastAPI()
    app.router.routes.extend(password_feedback_routes(limiter=RateLimiter()))
    client = starlette_test_client(app)
    answer = client.post("/password-feedback", json={"password": "password"})
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    assert answer.json()["violations"][0]["id"] == "blocklisted"

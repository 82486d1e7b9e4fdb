"""The password-feedback widget in a real browser.

Headless Debian Chromium (the shared ``chromium`` fixture, Selenium and
chromedriver) loads the demo page from a real loopback server (uvicorn for
Starlette, werkzeug for Flask and Django), types passwords character by
character and reads what a person would see and what a screen reader
would announce: the meter, the verdict and the advice in the ARIA live
region.  A screenshot of the page is saved as a test artefact (in
``$TEST_ARTIFACTS``, default the test's temporary directory).
"""

from __future__ import annotations

import os
import time
import types

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from browser import serve_asgi, serve_wsgi
from dataprotect.integrations.password_feedback import FeedbackEndpoint
from dataprotect.ratelimit import RateLimiter
from dataprotect.strength import BreachedPasswords


pytestmark = pytest.mark.services

BREACHED = "Zq8#vL2!rT9@mK"
STRONG = "plinth rowboat gazebo nectar"
LIVE = "#password-feedback [role=status]"
#: locale -> (the meter's label, part of the verdict) for "password".
LANGUAGES = {
    "en": ("Password strength: Very weak.", "commonly used passwords"),
    "de": ("Passwortstärke: Sehr schwach.", "häufig verwendeter"),
    "fr": ("Robustesse du mot de passe: Très faible.", "couramment"),
    "it": ("Robustezza della password: Molto debole.", "uso comune"),
}


def _starlette_app(
    endpoint: FeedbackEndpoint, rate: str, posts: list[str]
) -> Any:
    from starlette.applications import Starlette

    from dataprotect.integrations.starlette import password_feedback_routes

    app = Starlette(
        routes=password_feedback_routes(
            endpoint, rate=rate, limiter=RateLimiter(), page=True
        )
    )

    async def counting(scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "POST":
            posts.append(scope["path"])
        await app(scope, receive, send)

    return counting


class Page:
    """The demo page in the browser, and what the server saw."""

    def __init__(
        self, driver: Any, url: str, posts: list[str], live: str = LIVE
    ) -> None:
        self.driver = driver
        self.posts = posts
        self.live = live
        driver.get(url)
        self.wait(
            lambda: self.js(
                "return !!document.querySelector(arguments[0])", live
            )
        )

    def js(self, script: str, *args: object) -> Any:
        return self.driver.execute_script(script, *args)

    def find(self, css: str) -> Any:
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, css)

    def wait(
        self, condition: Callable[[], object], timeout: float = 60
    ) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                msg = f"timed out; live region: {self.live_text()!r}"
                raise AssertionError(msg)
            time.sleep(0.05)

    def type(self, css: str, text: str, pause: float = 0.02) -> None:
        """Type *text* key by key, as a person does."""
        field = self.find(css)
        for char in text:
            field.send_keys(char)
            time.sleep(pause)

    def clear(self, css: str) -> None:
        from selenium.webdriver.common.keys import Keys

        field = self.find(css)
        field.send_keys(Keys.CONTROL, "a")
        field.send_keys(Keys.BACKSPACE)

    def live_text(self) -> str:
        return str(
            self.js(
                "const el = document.querySelector(arguments[0]);"
                "return el ? el.textContent : '';",
                self.live,
            )
        )

    def state(self) -> dict[str, Any]:
        return dict(
            self.js(
                "const c = document.getElementById('password-feedback');"
                "const m = c.querySelector('meter');"
                "return {state: c.dataset.state || '', score: c.dataset.score,"
                " breached: c.dataset.breached, meter: m.value,"
                " valuetext: m.getAttribute('aria-valuetext'),"
                " label: c.querySelector('.dp-pf-label').textContent,"
                " busy: c.getAttribute('aria-busy'), hidden: c.hidden,"
                " items: [...c.querySelectorAll('li')].map(li => li.textContent)};"
            )
        )

    def settled(self, count: int) -> None:
        """Wait until *count* checks were posted and the last one shown."""
        self.wait(lambda: len(self.posts) >= count)
        self.wait(
            lambda: (
                self.state()["busy"] is None
                and self.state()["state"] not in ("", "empty")
            )
        )


@pytest.fixture(name="served")
def _served(chromium, tmp_path) -> Iterator[Callable[..., Page]]:
    """Open the demo page of a Starlette app under uvicorn."""
    stack: list[Any] = []

    def open_page(
        *, rate: str = "1000/minute", endpoint: FeedbackEndpoint | None = None
    ) -> Page:
        posts: list[str] = []
        checker = endpoint or FeedbackEndpoint(
            breached=BreachedPasswords.build(tmp_path / "breached", [BREACHED])
        )
        server = serve_asgi(_starlette_app(checker, rate, posts))
        base = server.__enter__()
        stack.append(server)
        return Page(chromium, f"{base}/password-feedback", posts)

    yield open_page
    for server in stack:
        server.__exit__(None, None, None)


class TestWidget:
    def test_typing_updates_meter_and_live_region(self, served, tmp_path):
        """Typing a common password shows a weak meter and the blocklist
        verdict in the live region (a screenshot is kept); a passphrase then
        shows a full, green meter."""
        page = served()
        assert page.state()["hidden"] is True
        page.type("#password", "password")
        page.settled(1)
        state = page.state()
        assert state["state"] == "refused"
        assert state["meter"] == 0
        assert state["valuetext"] == "Very weak"
        assert state["label"] == "Password strength: Very weak."
        live = page.live_text()
        assert "This password is on a list of commonly used passwords." in live
        assert "This is a top-10 common password." in state["items"]
        assert "Time to crack offline: less than a second" in live
        verdict = page.find(".dp-pf-verdict")
        assert verdict.is_displayed()
        assert verdict.size["height"] > 5
        assert verdict.size["width"] > 100
        artefacts = Path(os.environ.get("TEST_ARTIFACTS") or tmp_path)
        artefacts.mkdir(parents=True, exist_ok=True)
        shot = artefacts / "password-feedback.png"
        assert page.driver.save_screenshot(str(shot))
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

        page.clear("#password")
        page.type("#password", STRONG)
        page.wait(lambda: page.state()["state"] == "acceptable")
        state = page.state()
        assert state["meter"] == 4
        assert state["valuetext"] == "Very strong"
        assert "This password is acceptable." in page.live_text()
        assert "centuries" in page.live_text()

    def test_debounced(self, served):
        """A burst of keystrokes (one WebDriver call types them key by
        key, faster than the 300 ms pause) posts once; after a pause, a
        second burst once more; clearing the field posts nothing and hides
        the widget."""
        page = served()
        page.js(
            "window.inputs = 0; document.getElementById('password')"
            ".addEventListener('input', () => { window.inputs += 1; });"
        )
        field = page.find("#password")
        field.send_keys("correct horse battery")
        page.settled(1)
        time.sleep(0.8)
        assert page.js("return window.inputs") == 21
        assert len(page.posts) == 1
        field.send_keys(" staple")
        page.settled(2)
        time.sleep(0.8)
        assert page.js("return window.inputs") == 28
        assert len(page.posts) == 2
        page.clear("#password")
        time.sleep(0.8)
        assert len(page.posts) == 2
        assert page.state()["hidden"] is True
        assert page.state()["state"] == "empty"

    def test_breached_password_is_called_breached(self, served):
        """A password on the server's breached list is flagged."""
        page = served()
        page.type("#password", BREACHED)
        page.wait(lambda: page.state()["breached"] == "true")
        live = page.live_text()
        assert "Breached." in live
        assert "appeared in a data breach" in live
        assert page.state()["state"] == "refused"

    def test_user_context_is_used(self, served):
        """User name, email and site are context words; editing them
        re-checks the password."""
        page = served()
        page.type("#username", "zorblax")
        page.type("#password", "quux2024!!")
        page.settled(1)
        assert "user name" not in page.live_text()
        page.clear("#username")
        page.type("#username", "quux")
        page.wait(lambda: "built from your user name" in page.live_text())
        page.type("#email", "x@example.org")
        page.clear("#site")
        page.clear("#password")
        page.type("#password", "example.org2024!!")
        page.wait(lambda: len(page.posts) >= 3)
        page.wait(lambda: "built from your user name" in page.live_text())

    def test_rate_limit_is_shown(self, served):
        """Past the rate the widget says so, with the server's
        Retry-After."""
        page = served(rate="2/minute")
        page.type("#password", "first-try")
        page.settled(1)
        page.type("#password", "2")
        page.settled(2)
        page.type("#password", "3")
        page.wait(lambda: page.state()["state"] == "rate-limited")
        text = page.live_text()
        assert text.startswith("Too many checks. Try again in ")
        seconds = int(
            text.removeprefix("Too many checks. Try again in ").split()[0]
        )
        assert 1 <= seconds <= 60

    @pytest.mark.parametrize("locale", sorted(LANGUAGES))
    def test_each_language(self, served, locale):
        """The language switch changes the labels and the server's verdict."""
        from selenium.webdriver.support.ui import Select

        label, verdict = LANGUAGES[locale]
        page = served()
        Select(page.find("#language")).select_by_value(locale)
        page.type("#password", "password")
        page.wait(lambda: verdict in page.live_text())
        assert page.state()["label"] == label
        assert page.js("return document.documentElement.lang") == locale

    def test_keyboard_and_aria(self, served):
        """The field keeps focus while feedback arrives, the widget is
        described to assistive technology, and Tab leaves the field."""
        from selenium.webdriver.common.keys import Keys

        page = served()
        page.find("#password").click()
        page.type("#password", "password")
        page.settled(1)
        assert page.js("return document.activeElement.id") == "password"
        live_id = page.js(
            "return document.querySelector(arguments[0]).id", LIVE
        )
        described = page.find("#password").get_attribute("aria-describedby")
        assert live_id in described.split()
        live = page.find(LIVE)
        assert live.get_attribute("aria-live") == "polite"
        assert live.get_attribute("aria-atomic") == "true"
        meter = page.find("#password-feedback meter")
        label_id = meter.get_attribute("aria-labelledby")
        assert page.find(f"#{label_id}").text.startswith("Password strength")
        assert meter.get_attribute("max") == "4"
        page.find("#password").send_keys(Keys.TAB)
        assert page.js("return document.activeElement.id") != "password"

    def test_password_never_in_a_url(self, served):
        """The browser sent the password only in POST bodies: no URL it
        loaded holds it."""
        page = served()
        page.type("#password", BREACHED)
        page.settled(1)
        urls = page.js(
            "return performance.getEntriesByType('resource')"
            ".map(e => e.name).concat([location.href]);"
        )
        assert urls
        assert all(BREACHED not in url for url in urls)
        assert set(page.posts) == {"/password-feedback"}


# -- The same page served by Flask and by Django ------------------------------


def _flask_app(posts: list[str]) -> Any:
    import flask

    from dataprotect.integrations.flask import password_feedback_blueprint

    app = flask.Flask(__name__)
    app.register_blueprint(
        password_feedback_blueprint(limiter=RateLimiter(), page=True),
        url_prefix="/flask",
    )

    @app.before_request
    def count() -> None:
        if flask.request.method == "POST":
            posts.append(flask.request.path)

    return app


def test_flask_serves_the_widget(chromium):
    """The Flask blueprint's page works in the browser."""
    posts: list[str] = []
    with serve_wsgi(_flask_app(posts)) as base:
        page = Page(chromium, f"{base}/flask/password-feedback", posts)
        page.type("#password", "password")
        page.settled(1)
        assert "commonly used passwords" in page.live_text()
    assert posts == ["/flask/password-feedback"]


def test_django_serves_the_widget(chromium):
    """The Django view, URLs and template tags work in the browser, with
    Django's CSRF protection on and AUTH_PASSWORD_VALIDATORS applied."""
    pytest.importorskip("django")
    from django.core.handlers.wsgi import WSGIHandler
    from django.http import HttpResponse
    from django.template import Context, Engine
    from django.test import override_settings
    from django.urls import path

    from dataprotect.integrations.django import password_feedback_urls

    engine = Engine(
        libraries={
            "dataprotect_feedback": (
                "dataprotect.integrations.templatetags.dataprotect_feedback"
            )
        }
    )
    template = engine.from_string(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<title>sign up</title>"
        "{% load dataprotect_feedback %}{% password_feedback_assets %}</head>"
        "<body><label for='id_username'>User name</label>"
        "<input id='id_username'>"
        "<label for='id_password1'>Password</label>"
        "<input id='id_password1' type='password'>"
        "{% password_feedback 'id_password1' inputs='id_username' %}"
        "</body></html>"
    )

    def signup(request):
        return HttpResponse(template.render(Context({"request": request})))

    urls = types.ModuleType("password_feedback_browser_urls")
    urls.urlpatterns = [  # type: ignore[attr-defined]
        path("signup", signup),
        *password_feedback_urls(limiter=RateLimiter()),
    ]
    posts: list[str] = []
    handler = WSGIHandler()

    def app(environ, start_response):
        if environ["REQUEST_METHOD"] == "POST":
            posts.append(environ["PATH_INFO"])
        return handler(environ, start_response)

    validators = [
        {
            "NAME": "dataprotect.integrations.django.PasswordStrengthValidator",
            "OPTIONS": {"min_length": 12},
        }
    ]
    from django.contrib.auth import password_validation

    password_validation.get_default_password_validators.cache_clear()
    with (
        override_settings(
            ROOT_URLCONF=urls,
            ALLOWED_HOSTS=["127.0.0.1"],
            MIDDLEWARE=["django.middleware.csrf.CsrfViewMiddleware"],
            AUTH_PASSWORD_VALIDATORS=validators,
            LANGUAGE_CODE="de",
        ),
        serve_wsgi(app) as base,
    ):
        try:
            page = Page(chromium, f"{base}/signup", posts, "[role=status]")
            page.type("#id_username", "zorblax")
            page.type("#id_password1", "zorblax2024")
            page.wait(lambda: "Zeichen" in page.live_text())
            text = page.live_text()
        finally:
            password_validation.get_default_password_validators.cache_clear()
    assert "Verwenden Sie mindestens 12 Zeichen." in text
    assert "Benutzernamen" in text
    assert posts == ["/password-feedback"]

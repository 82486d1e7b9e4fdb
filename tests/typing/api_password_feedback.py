"""Calls every public password-feedback signature so mypy --strict checks
them."""

from __future__ import annotations

import flask

from starlette.applications import Starlette
from starlette.routing import Route

from dataprotect.errors import RateLimitExceeded
from dataprotect.integrations import django as django_adapter
from dataprotect.integrations.flask import password_feedback_blueprint
from dataprotect.integrations.password_feedback import (
    ASSETS,
    CRACK_GUESSES_PER_SECOND,
    MAX_BODY,
    NO_STORE,
    FeedbackAnswer,
    FeedbackEndpoint,
    asset,
    asset_headers,
    demo_page,
    negotiate_locale,
    page_locale,
    rate_limited,
)
from dataprotect.integrations.starlette import password_feedback_routes
from dataprotect.ratelimit import RateLimiter
from dataprotect.strength import BreachedPasswords


endpoint = FeedbackEndpoint(
    min_length=10,
    max_length=128,
    min_score=2,
    breached=BreachedPasswords("/srv/pwned"),
    service_names=["example.com"],
    max_body=MAX_BODY,
)
answer: FeedbackAnswer = endpoint.answer(
    b"{}",
    content_type="application/json",
    accept_language="de",
    user_inputs=["alice"],
    extra_check=lambda password: [("rule", password[:0])],
)
status: int = answer.status
payload: dict[str, object] = answer.payload
body: bytes = answer.body()
large: bool = endpoint.too_large(None)
refused: FeedbackAnswer = rate_limited(RateLimitExceeded(retry_after=1.0))
script: bytes = asset("password-feedback.js")
headers: dict[str, str] = asset_headers(ASSETS["password-feedback.css"])
page: str = demo_page(
    endpoint="/x",
    script="/x.js",
    stylesheet="/x.css",
    locale="fr",
    csrf_token="t",
)
locale: str = negotiate_locale("de-CH, en;q=0.5")
first: str = page_locale("it", None)
rate: float = CRACK_GUESSES_PER_SECOND
cache: str = NO_STORE["Cache-Control"]

routes: list[Route] = password_feedback_routes(
    endpoint, prefix="/a", rate="5/minute", limiter=RateLimiter(), page=True
)
app = Starlette(routes=routes)
blueprint: flask.Blueprint = password_feedback_blueprint(
    endpoint, rate="5/minute", limiter=RateLimiter(), page=False, name="pf"
)
patterns = django_adapter.password_feedback_urls(
    rate="5/minute", limiter=RateLimiter()
)
view = django_adapter.password_feedback_view

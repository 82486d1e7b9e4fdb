"""Calls every public WebAuthn signature so mypy --strict checks them."""

from __future__ import annotations

import uuid

from datetime import datetime

import flask

from cryptography import x509
from django.urls import URLPattern
from starlette.routing import Route

from dataprotect.errors import (
    AttestationError,
    AuthenticatorFlagsError,
    AuthenticatorNotAllowedError,
    ChallengeExpiredError,
    ChallengeMismatchError,
    ChallengeReusedError,
    ClonedAuthenticatorError,
    OriginMismatchError,
    RelyingPartyMismatchError,
    TwoFactorError,
    UnknownCredentialError,
    UnsupportedAlgorithmError,
    WebAuthnError,
    WebAuthnFormatError,
    WebAuthnSignatureError,
    WebAuthnStateError,
    WebAuthnVerificationError,
)
from dataprotect.keys import Keyring
from dataprotect.twofactor import (
    AuthenticationResult,
    ChallengeStore,
    Credential,
    CredentialLookup,
    CredentialStore,
    MemoryChallengeStore,
    RelyingParty,
    WebAuthnUser,
)


def _roots() -> list[x509.Certificate]:
    return []


store: ChallengeStore = MemoryChallengeStore(clock=lambda: 0.0)
fresh: bool = store.consume(b"challenge", 1.0)
rp = RelyingParty(
    "example.com",
    "Example",
    ["https://example.com"],
    Keyring.generate(),
    user_verification="preferred",
    attestation="direct",
    allowed_aaguids=[uuid.uuid4(), "00000000-0000-0000-0000-000000000000"],
    attestation_roots=_roots(),
    allow_backup_eligible=False,
    resident_key="required",
    challenge_ttl=120,
    challenge_store=store,
    sign_count="report",
    clock=lambda: 0.0,
)
rp_id: str = rp.rp_id
user = WebAuthnUser(WebAuthnUser.new_handle(), "alice", "Alice")
options, state = rp.begin_registration(
    user, exclude=[], authenticator_attachment="cross-platform"
)
credential: Credential = rp.finish_registration(state, options)
text: str = credential.to_json()
loaded: Credential = Credential.from_json(text.encode())
created: datetime = loaded.created_at
last: datetime | None = loaded.last_used_at
model: uuid.UUID = loaded.aaguid
transports: tuple[str, ...] = loaded.transports
options, state = rp.begin_authentication([credential], user_handle=user.id)


def lookup(credential_id: bytes) -> Credential | None:
    return credential if credential_id == credential.id else None


finder: CredentialLookup = lookup
result: AuthenticationResult = rp.finish_authentication(
    state, {"id": "x"}, finder
)
result = rp.finish_authentication(state, "{}", [credential])
updated: Credential = result.credential
handle: bytes = result.user_handle
verified: bool = result.user_verified
regressed: bool = result.sign_count_regressed
errors: tuple[type[TwoFactorError], ...] = (
    WebAuthnError,
    WebAuthnFormatError,
    UnsupportedAlgorithmError,
    WebAuthnStateError,
    ChallengeExpiredError,
    ChallengeReusedError,
    WebAuthnVerificationError,
    ChallengeMismatchError,
    OriginMismatchError,
    RelyingPartyMismatchError,
    AuthenticatorFlagsError,
    WebAuthnSignatureError,
    ClonedAuthenticatorError,
    AttestationError,
    AuthenticatorNotAllowedError,
    UnknownCredentialError,
)


class Store:
    def credentials(self, user_handle: bytes) -> list[str]:
        return []

    def credential(self, credential_id: bytes) -> str | None:
        return None

    def save(
        self, credential_id: bytes, user_handle: bytes, credential_json: str
    ) -> None:
        pass


def _endpoints() -> tuple[flask.Blueprint, list[Route], list[URLPattern]]:
    from dataprotect.integrations.django import webauthn_urls
    from dataprotect.integrations.flask import webauthn_blueprint
    from dataprotect.integrations.starlette import webauthn_routes

    store: CredentialStore = Store()
    blueprint: flask.Blueprint = webauthn_blueprint(
        rp,
        store,
        current_user=lambda: user,
        find_user=lambda name: None,
        on_sign_in=lambda result: None,
        name="keys",
    )
    routes: list[Route] = webauthn_routes(
        rp,
        store,
        current_user=lambda request: None,
        find_user=lambda name: user.id,
        on_sign_in=lambda request, result: None,
        prefix="/webauthn",
    )
    patterns: list[URLPattern] = webauthn_urls(
        rp,
        store,
        current_user=lambda request: None,
        find_user=lambda name: None,
        on_sign_in=lambda request, result: None,
    )
    return blueprint, routes, patterns

"""The WebAuthn JSON endpoints, once for every framework adapter.

Four POST endpoints, each a thin call of a
:class:`~dataprotect.twofactor.RelyingParty` ceremony:

- ``register/begin`` (signed-in user) answers ``{"publicKey": options,
  "state": token}``;
- ``register/finish`` takes ``{"state": token, "response":
  credential.toJSON()}``, stores the new credential's JSON and answers
  ``{"ok": true, "credentialId": ...}``;
- ``login/begin`` takes ``{"username": name}`` (or nothing, for a sign-in
  without a user name) and answers like ``register/begin``;
- ``login/finish`` takes ``{"state": ..., "response": ...}``, stores the
  updated credential and hands the result to the application, which signs
  the user in.

Every WebAuthn failure answers 400 with one fixed body, whichever check
failed (the specific error is logged, without any value).
"""

from __future__ import annotations

import json
import logging

from collections.abc import Callable, Mapping

from dataprotect._encoding import b64encode
from dataprotect.errors import WebAuthnError
from dataprotect.twofactor import (
    AuthenticationResult,
    Credential,
    CredentialStore,
    RelyingParty,
    WebAuthnUser,
)


__all__ = [
    "BAD_REQUEST",
    "FAILED",
    "FORBIDDEN",
    "MAX_BODY",
    "Endpoints",
    "parse_body",
]

logger = logging.getLogger("dataprotect.webauthn")

Answer = tuple[int, dict[str, object]]
#: (status, body) of every refused ceremony.
FAILED: Answer = (400, {"error": "WebAuthn verification failed"})
BAD_REQUEST: Answer = (400, {"error": "bad request"})
FORBIDDEN: Answer = (403, {"error": "sign in first"})


#: Largest request body read, in bytes (the ceremony bounds its fields).
MAX_BODY = 192 * 1024


def parse_body(raw: bytes) -> object:
    """The JSON request body, or ``None`` when oversized or not JSON."""
    if len(raw) > MAX_BODY:
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None


def _split(body: object) -> tuple[str, Mapping[str, object]] | None:
    if not isinstance(body, Mapping):
        return None
    state, response = body.get("state"), body.get("response")
    if not isinstance(state, str) or not isinstance(response, Mapping):
        return None
    return state, response


class Endpoints:
    """The four endpoints' logic; adapters parse and answer HTTP."""

    __slots__ = ("_rp", "_store")

    def __init__(self, rp: RelyingParty, store: CredentialStore) -> None:
        self._rp = rp
        self._store = store

    def _user_credentials(self, user_handle: bytes) -> list[Credential]:
        return [
            Credential.from_json(text)
            for text in self._store.credentials(user_handle)
        ]

    def _lookup(self, credential_id: bytes) -> Credential | None:
        text = self._store.credential(credential_id)
        return None if text is None else Credential.from_json(text)

    def register_begin(self, user: WebAuthnUser | None) -> Answer:
        """Options and state for the signed-in *user*."""
        if user is None:
            return FORBIDDEN
        options, state = self._rp.begin_registration(
            user, exclude=self._user_credentials(user.id)
        )
        return 200, {"publicKey": json.loads(options), "state": state}

    def register_finish(
        self, user: WebAuthnUser | None, body: object
    ) -> Answer:
        """Verify, and store the credential for *user*."""
        if user is None:
            return FORBIDDEN
        parts = _split(body)
        if parts is None:
            return BAD_REQUEST
        try:
            credential = self._rp.finish_registration(*parts)
        except WebAuthnError as exc:
            logger.info(
                "WebAuthn registration refused: %s", type(exc).__name__
            )
            return FAILED
        if credential.user_handle != user.id:
            # The ceremony was begun for another account.
            logger.info("WebAuthn registration refused: another account")
            return FAILED
        self._store.save(credential.id, user.id, credential.to_json())
        return 200, {"ok": True, "credentialId": b64encode(credential.id)}

    def login_begin(
        self, body: object, find_user: Callable[[str], bytes | None]
    ) -> Answer:
        """Options and state for ``{"username": ...}`` or no user name."""
        name = body.get("username") if isinstance(body, Mapping) else None
        if name is None:
            options, state = self._rp.begin_authentication()
        else:
            if not isinstance(name, str) or len(name) > 256:
                return BAD_REQUEST
            handle = find_user(name)
            # An unknown name gets a ceremony too (with no credentials), so
            # the answer does not tell which accounts exist.
            allowed = [] if handle is None else self._user_credentials(handle)
            options, state = self._rp.begin_authentication(
                allowed, user_handle=handle
            )
        return 200, {"publicKey": json.loads(options), "state": state}

    def login_finish(
        self, body: object
    ) -> tuple[int, dict[str, object], AuthenticationResult | None]:
        """Verify; store the updated credential; return the result."""
        parts = _split(body)
        if parts is None:
            return (*BAD_REQUEST, None)
        try:
            result = self._rp.finish_authentication(*parts, self._lookup)
        except WebAuthnError as exc:
            logger.info("WebAuthn sign-in refused: %s", type(exc).__name__)
            return (*FAILED, None)
        credential = result.credential
        self._store.save(
            credential.id, credential.user_handle, credential.to_json()
        )
        return 200, {"ok": True}, result

"""WebAuthn relying party against a software authenticator.

The authenticator (``tests/webauthn_authenticator.py``) is written on
``cryptography`` with its own CBOR encoder: ES256 and EdDSA credentials,
``none`` and ``packed`` attestation.  Every field is tampered with one by
one, before signing (so the specific check fires) and after (so the
signature does), and bad input of every kind must raise a
``DataProtectError`` subclass, never anything else.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import pickle
import struct
import threading
import uuid

from datetime import datetime, timezone
from typing import Any

import pytest

from hypothesis import given
from hypothesis import strategies as st

from dataprotect import errors
from dataprotect.errors import (
    AttestationError,
    AuthenticatorFlagsError,
    AuthenticatorNotAllowedError,
    ChallengeExpiredError,
    ChallengeMismatchError,
    ChallengeReusedError,
    ClonedAuthenticatorError,
    ConfigurationError,
    DataProtectError,
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
    MemoryChallengeStore,
    RelyingParty,
    WebAuthnUser,
)
from webauthn_authenticator import (
    AT,
    BE,
    BS,
    ED,
    UP,
    UV,
    AttestationCA,
    SoftAuthenticator,
    b64,
    cbor,
    unb64,
)


ORIGIN = "https://example.com"
RP_ID = "example.com"
RP_HASH = hashlib.sha256(RP_ID.encode()).digest()


class Clock:
    """A settable clock."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(name="keyring", scope="module")
def _keyring() -> Keyring:
    return Keyring.generate()


@pytest.fixture(name="clock")
def _clock() -> Clock:
    return Clock()


@pytest.fixture(name="make_rp")
def _make_rp(keyring, clock):
    def make(**kwargs: Any) -> RelyingParty:
        kwargs.setdefault("clock", clock)
        return RelyingParty(RP_ID, "Example", [ORIGIN], keyring, **kwargs)

    return make


@pytest.fixture(name="rp")
def _rp(make_rp) -> RelyingParty:
    return make_rp()


@pytest.fixture(name="user")
def _user() -> WebAuthnUser:
    return WebAuthnUser(
        WebAuthnUser.new_handle(), "alice@example.com", "Alice"
    )


def register(
    rp: RelyingParty,
    user: WebAuthnUser,
    auth: SoftAuthenticator,
    **tamper: Any,
) -> Credential:
    options, state = rp.begin_registration(user)
    return rp.finish_registration(
        state, auth.create(options, ORIGIN, **tamper)
    )


def sign_in(
    rp: RelyingParty,
    credential: Credential,
    auth: SoftAuthenticator,
    **tamper: Any,
) -> AuthenticationResult:
    options, state = rp.begin_authentication([credential])
    response = auth.get(options, ORIGIN, **tamper)
    return rp.finish_authentication(state, response, [credential])


class TestErrors:
    def test_family(self):
        """Every WebAuthn error is a TwoFactorError and a DataProtectError."""
        for name in errors.__all__:
            cls = getattr(errors, name)
            if issubclass(cls, WebAuthnError):
                assert issubclass(cls, TwoFactorError)
                assert "versionadded" in (cls.__doc__ or "")
        assert issubclass(WebAuthnFormatError, ValueError)
        assert issubclass(UnknownCredentialError, LookupError)


class TestRegistration:
    @pytest.mark.parametrize("alg", ["ES256", "EdDSA"])
    @pytest.mark.parametrize(
        ("attestation", "policy"),
        [("none", "none"), ("packed", "none"), ("packed", "direct")],
    )
    def test_register_and_sign_in(
        self, make_rp, user, clock, alg, attestation, policy
    ):
        """ES256 and EdDSA keys with none and packed attestation register
        and sign in; the credential JSON round-trips."""
        rp = make_rp(attestation=policy)
        auth = SoftAuthenticator(alg, attestation=attestation)
        credential = register(rp, user, auth)
        assert credential.algorithm == (-7 if alg == "ES256" else -8)
        assert credential.user_handle == user.id
        assert credential.transports == ("usb", "nfc")
        assert credential.attestation_format == (
            "none" if attestation == "none" else "packed"
        )
        assert credential.aaguid == uuid.UUID(int=0)
        assert credential.sign_count == 0
        assert not credential.backup_eligible
        assert not credential.backed_up
        assert credential.created_at == datetime.fromtimestamp(
            clock.now, timezone.utc
        )
        assert credential.last_used_at is None
        stored = Credential.from_json(credential.to_json())
        assert stored == credential

        clock.now += 60
        result = sign_in(rp, stored, auth)
        assert result.user_handle == user.id
        assert result.user_verified
        assert not result.sign_count_regressed
        assert result.credential.sign_count == 1
        assert result.credential.last_used_at == datetime.fromtimestamp(
            clock.now, timezone.utc
        )
        again = sign_in(rp, result.credential, auth)
        assert again.credential.sign_count == 2

    def test_options_are_creation_options_json(self, rp, user):
        """begin_registration returns PublicKeyCredentialCreationOptionsJSON."""
        auth = SoftAuthenticator()
        old = register(rp, user, auth)
        options, state = rp.begin_registration(
            user, exclude=[old], authenticator_attachment="cross-platform"
        )
        data = json.loads(options)
        assert data["rp"] == {"name": "Example", "id": RP_ID}
        assert data["user"] == {
            "id": b64(user.id),
            "name": "alice@example.com",
            "displayName": "Alice",
        }
        assert len(unb64(data["challenge"])) == 32
        algs = [p["alg"] for p in data["pubKeyCredParams"]]
        assert algs[:2] == [-7, -8]
        assert data["timeout"] == 300_000
        assert data["excludeCredentials"] == [
            {
                "type": "public-key",
                "id": b64(old.id),
                "transports": ["usb", "nfc"],
            }
        ]
        selection = data["authenticatorSelection"]
        assert selection["userVerification"] == "required"
        assert selection["residentKey"] == "preferred"
        assert selection["authenticatorAttachment"] == "cross-platform"
        assert data["attestation"] == "none"
        assert isinstance(state, str)
        assert len(state) < 200

    def test_display_name_defaults_to_name(self, rp):
        """Without a display name the options repeat the name."""
        options, _ = rp.begin_registration(WebAuthnUser(b"u", "bob"))
        assert json.loads(options)["user"]["displayName"] == "bob"

    def test_user_verification_preferred(self, make_rp, user):
        """Under "preferred" a key without UV registers and signs in, and the
        result says the user was not verified."""
        rp = make_rp(user_verification="preferred")
        auth = SoftAuthenticator(uv=False)
        credential = register(rp, user, auth)
        result = sign_in(rp, credential, auth)
        assert not result.user_verified

    def test_backup_flags_are_reported(self, rp, user):
        """A synced passkey registers with its backup flags recorded."""
        auth = SoftAuthenticator(backup_eligible=True, backed_up=True)
        credential = register(rp, user, auth)
        assert credential.backup_eligible
        assert credential.backed_up
        auth.backed_up = False
        result = sign_in(rp, credential, auth)
        assert not result.credential.backed_up

    def test_transports_are_filtered(self, rp, user):
        """Unknown transports are dropped and duplicates removed."""
        options, state = rp.begin_registration(user)
        response = SoftAuthenticator().create(options, ORIGIN)
        response["response"]["transports"] = ["usb", "teleport", "usb"]
        credential = rp.finish_registration(state, response)
        assert credential.transports == ("usb",)
        options, state = rp.begin_registration(user)
        response = SoftAuthenticator().create(options, ORIGIN)
        del response["response"]["transports"]
        assert rp.finish_registration(state, response).transports == ()


class TestAttestationPolicy:
    @pytest.fixture(name="ca")
    def _ca(self) -> AttestationCA:
        return AttestationCA(uuid.uuid4().bytes)

    def _strict(
        self, make_rp, ca: AttestationCA, **kwargs: Any
    ) -> RelyingParty:
        return make_rp(
            attestation="direct",
            allowed_aaguids=[str(uuid.UUID(bytes=ca.aaguid))],
            attestation_roots=[ca.root],
            **kwargs,
        )

    def test_allowed_model_registers(self, make_rp, user, ca):
        """A key whose attestation chains to a root, of an allowed model,
        registers with its AAGUID."""
        rp = self._strict(make_rp, ca, allow_backup_eligible=False)
        auth = SoftAuthenticator(
            attestation="packed-x5c", aaguid=ca.aaguid, ca=ca
        )
        credential = register(rp, user, auth)
        assert credential.aaguid == uuid.UUID(bytes=ca.aaguid)
        assert sign_in(rp, credential, auth).user_verified

    def test_other_model_is_refused(self, make_rp, user, ca):
        """A trusted key of a model not in the allow-list is refused."""
        other = AttestationCA(uuid.uuid4().bytes, root_key=ca.root_key)
        rp = self._strict(make_rp, ca)
        auth = SoftAuthenticator(
            attestation="packed-x5c", aaguid=other.aaguid, ca=other
        )
        with pytest.raises(AuthenticatorNotAllowedError, match="AAGUID"):
            register(rp, user, auth)

    def test_several_roots(self, make_rp, user, ca):
        """The root that issued the chain is found among several."""
        other = AttestationCA(ca.aaguid, root_name="Another Root")
        rp = make_rp(
            attestation="direct",
            allowed_aaguids=[uuid.UUID(bytes=ca.aaguid)],
            attestation_roots=[other.root, ca.root],
        )
        auth = SoftAuthenticator(
            attestation="packed-x5c", aaguid=ca.aaguid, ca=ca
        )
        assert register(rp, user, auth).attestation_format == "packed"

    @pytest.mark.parametrize("root_name", ["Test FIDO Root CA", "Rogue Root"])
    def test_untrusted_root_is_refused(self, make_rp, user, ca, root_name):
        """A chain to another root (of the same name or not) is refused even
        for an allowed AAGUID."""
        rogue = AttestationCA(ca.aaguid, root_name=root_name)
        rp = self._strict(make_rp, ca)
        auth = SoftAuthenticator(
            attestation="packed-x5c", aaguid=ca.aaguid, ca=rogue
        )
        with pytest.raises(AttestationError):
            register(rp, user, auth)

    @pytest.mark.parametrize("attestation", ["none", "packed"])
    def test_self_or_no_attestation_is_refused(
        self, make_rp, user, ca, attestation
    ):
        """Self or no attestation vouches for no model: refused."""
        rp = self._strict(make_rp, ca)
        auth = SoftAuthenticator(attestation=attestation, aaguid=ca.aaguid)
        with pytest.raises(AttestationError):
            register(rp, user, auth)

    def test_backup_eligible_is_refused(self, make_rp, user):
        """allow_backup_eligible=False refuses synced passkeys."""
        rp = make_rp(allow_backup_eligible=False)
        with pytest.raises(AuthenticatorNotAllowedError, match="synced"):
            register(rp, user, SoftAuthenticator(backup_eligible=True))

    def test_backup_eligible_refused_at_sign_in(self, make_rp, user):
        """A passkey registered under a lenient policy cannot sign in once
        the policy refuses them."""
        auth = SoftAuthenticator(backup_eligible=True)
        credential = register(make_rp(), user, auth)
        strict = make_rp(allow_backup_eligible=False)
        with pytest.raises(AuthenticatorNotAllowedError):
            sign_in(strict, credential, auth)

    def test_direct_accepts_none_statement(self, make_rp, user):
        """Without an allow-list, "direct" accepts a client that strips the
        attestation, and records the format."""
        rp = make_rp(attestation="direct")
        credential = register(rp, user, SoftAuthenticator(attestation="none"))
        assert credential.attestation_format == "none"

    def test_direct_verifies_the_statement(self, make_rp, user):
        """Under "direct" a packed signature over other data is refused."""
        rp = make_rp(attestation="direct")
        options, state = rp.begin_registration(user)
        response = SoftAuthenticator(attestation="packed").create(
            options, ORIGIN
        )
        obj = _cbor_decode(unb64(response["response"]["attestationObject"]))
        sig = bytearray(obj["attStmt"]["sig"])
        sig[-1] ^= 1
        obj["attStmt"]["sig"] = bytes(sig)
        response["response"]["attestationObject"] = b64(cbor(obj))
        with pytest.raises(AttestationError):
            rp.finish_registration(state, response)

    def test_unknown_format_is_refused_under_direct(self, make_rp, user):
        """An attestation format fido2 does not know is not trusted."""
        rp = make_rp(attestation="direct")
        with pytest.raises(AttestationError):
            register(
                rp, user, SoftAuthenticator(attestation="packed"), fmt="x-y"
            )

    def test_none_statement_must_be_empty(self, make_rp, user):
        """Under "direct", fmt "none" with a statement is refused."""
        rp = make_rp(attestation="direct")
        with pytest.raises(AttestationError):
            register(
                rp, user, SoftAuthenticator(attestation="packed"), fmt="none"
            )


def _cbor_decode(data: bytes) -> Any:
    from fido2 import cbor as fido_cbor

    return fido_cbor.decode(data)


class TestRegistrationTampering:
    """Each field, changed before the authenticator signs, fails its check."""

    @pytest.mark.parametrize(
        ("tamper", "error"),
        [
            (
                {"client_data": {"challenge": b64(b"x" * 32)}},
                ChallengeMismatchError,
            ),
            (
                {"client_data": {"origin": "https://evil.example"}},
                OriginMismatchError,
            ),
            (
                {"client_data": {"origin": "https://example.com:443"}},
                OriginMismatchError,
            ),
            (
                {"client_data": {"origin": "http://example.com"}},
                OriginMismatchError,
            ),
            ({"client_data": {"crossOrigin": True}}, OriginMismatchError),
            ({"client_data": {"crossOrigin": "yes"}}, OriginMismatchError),
            (
                {"client_data": {"type": "webauthn.get"}},
                WebAuthnVerificationError,
            ),
            ({"rp_id": "evil.example"}, RelyingPartyMismatchError),
            ({"rp_id": "sub.example.com"}, RelyingPartyMismatchError),
            ({"flags": AT | UV}, AuthenticatorFlagsError),
            ({"flags": AT | UP}, AuthenticatorFlagsError),
            ({"flags": AT | UP | UV | BS}, AuthenticatorFlagsError),
        ],
    )
    @pytest.mark.parametrize("attestation", ["none", "packed"])
    def test_field(self, make_rp, user, tamper, error, attestation):
        """The tampered response raises the check's own error class."""
        rp = make_rp(attestation="direct" if attestation != "none" else "none")
        auth = SoftAuthenticator(attestation=attestation)
        with pytest.raises(error) as info:
            register(rp, user, auth, **tamper)
        if error is WebAuthnVerificationError:
            assert type(info.value) is WebAuthnVerificationError

    @pytest.mark.parametrize(
        "cose",
        [
            {1: 2, 3: -999, -1: 1, -2: b"x" * 32, -3: b"y" * 32},
            {1: 2, 3: -36, -1: 3, -2: b"x" * 66, -3: b"y" * 66},
            {1: 1, 3: -7, -1: 6, -2: b"x" * 32},
            {1: 2, 3: -7, -1: 1, -2: b"\x01" * 32, -3: b"\x02" * 32},
            {1: 1, 3: -8, -1: 6, -2: b"short"},
            {1: 3, 3: -257, -1: b"\xff" * 128, -2: b"\x01\x00\x01"},
            {1: 3, 3: -257, -1: "text", -2: b"\x01\x00\x01"},
            {3: -7},
        ],
        ids=[
            "unknown-alg",
            "es512-not-offered",
            "wrong-kty",
            "point-off-curve",
            "short-ed25519",
            "rsa-1024",
            "rsa-text-modulus",
            "no-key",
        ],
    )
    def test_unsupported_or_invalid_key(self, rp, user, cose):
        """Unknown algorithms and invalid keys are refused at registration."""
        with pytest.raises(UnsupportedAlgorithmError):
            register(rp, user, SoftAuthenticator(), cose=cose)

    def test_rsa_key_registers(self, rp, user):
        """An RS256 key of 2048 bits is accepted (Windows Hello)."""
        from cryptography.hazmat.primitives.asymmetric import rsa

        numbers = (
            rsa.generate_private_key(65537, 2048).public_key().public_numbers()
        )
        cose = {
            1: 3,
            3: -257,
            -1: numbers.n.to_bytes(256, "big"),
            -2: numbers.e.to_bytes(3, "big"),
        }
        credential = register(rp, user, SoftAuthenticator(), cose=cose)
        assert credential.algorithm == -257

    def test_cose_key_too_large(self, rp, user):
        """A COSE key beyond the size bound is refused."""
        from cryptography.hazmat.primitives.asymmetric import ec

        numbers = (
            ec.generate_private_key(ec.SECP256R1())
            .public_key()
            .public_numbers()
        )
        cose = {
            1: 2,
            3: -7,
            -1: 1,
            -2: numbers.x.to_bytes(32, "big"),
            -3: numbers.y.to_bytes(32, "big"),
            7: b"z" * 3000,
        }
        with pytest.raises(UnsupportedAlgorithmError, match="too large"):
            register(rp, user, SoftAuthenticator(), cose=cose)

    def test_raw_id_must_be_the_attested_id(self, rp, user):
        """rawId must name the credential the authenticator attested."""
        options, state = rp.begin_registration(user)
        response = SoftAuthenticator().create(options, ORIGIN)
        response["id"] = response["rawId"] = b64(b"another id")
        with pytest.raises(WebAuthnFormatError):
            rp.finish_registration(state, response)

    def test_attested_data_is_required(self, rp, user):
        """Registration authenticator data without the AT flag is refused."""
        options, state = rp.begin_registration(user)
        response = SoftAuthenticator().create(options, ORIGIN)
        obj = _cbor_decode(unb64(response["response"]["attestationObject"]))
        obj["authData"] = obj["authData"][:37]
        obj["authData"] = (
            obj["authData"][:32] + bytes([UP | UV]) + obj["authData"][33:]
        )
        response["response"]["attestationObject"] = b64(cbor(obj))
        with pytest.raises(WebAuthnFormatError, match="AT flag"):
            rp.finish_registration(state, response)


def _assertion(rp, enrolled):
    """Begin a sign-in for the enrolled credential and let its
    authenticator answer: the credential, the state and the response."""
    auth, credential = enrolled
    options, state = rp.begin_authentication([credential])
    return credential, state, auth.get(options, ORIGIN)


class TestAuthenticationTampering:
    @pytest.fixture(name="enrolled")
    def _enrolled(self, rp, user):
        auth = SoftAuthenticator()
        return auth, register(rp, user, auth)

    @pytest.mark.parametrize(
        ("tamper", "error"),
        [
            (
                {"client_data": {"challenge": b64(b"x" * 32)}},
                ChallengeMismatchError,
            ),
            (
                {"client_data": {"origin": "https://example.org"}},
                OriginMismatchError,
            ),
            (
                {"client_data": {"type": "webauthn.create"}},
                WebAuthnVerificationError,
            ),
            ({"rp_id": "example.org"}, RelyingPartyMismatchError),
            ({"flags": UV}, AuthenticatorFlagsError),
            ({"flags": UP}, AuthenticatorFlagsError),
            ({"flags": UP | UV | BE}, AuthenticatorFlagsError),
            ({"counter": 0}, ClonedAuthenticatorError),
        ],
    )
    def test_field_signed(self, rp, enrolled, tamper, error):
        """A signed assertion over a wrong field fails that field's check."""
        auth, credential = enrolled
        first = sign_in(rp, credential, auth).credential
        with pytest.raises(error) as info:
            sign_in(rp, first, auth, **tamper)
        if error is WebAuthnVerificationError:
            assert type(info.value) is WebAuthnVerificationError

    @pytest.mark.parametrize(
        ("offset", "error"),
        [
            (0, RelyingPartyMismatchError),  # RP ID hash
            (31, RelyingPartyMismatchError),
            (32, AuthenticatorFlagsError),  # flags: UP cleared
            (33, WebAuthnSignatureError),  # counter
            (36, WebAuthnSignatureError),
        ],
    )
    def test_authenticator_data_after_signing(
        self, rp, enrolled, offset, error
    ):
        """Changing a byte of the signed authenticator data is caught."""
        credential, state, response = _assertion(rp, enrolled)
        data = bytearray(unb64(response["response"]["authenticatorData"]))
        data[offset] ^= 0x01
        response["response"]["authenticatorData"] = b64(bytes(data))
        with pytest.raises(error):
            rp.finish_authentication(state, response, [credential])

    def test_reserved_flag_after_signing(self, rp, enrolled):
        """Setting a reserved flag bit after signing breaks the signature."""
        credential, state, response = _assertion(rp, enrolled)
        data = bytearray(unb64(response["response"]["authenticatorData"]))
        data[32] |= 0x02
        response["response"]["authenticatorData"] = b64(bytes(data))
        with pytest.raises(WebAuthnSignatureError):
            rp.finish_authentication(state, response, [credential])

    def test_signature(self, rp, enrolled):
        """A changed signature byte is rejected."""
        credential, state, response = _assertion(rp, enrolled)
        sig = bytearray(unb64(response["response"]["signature"]))
        sig[-1] ^= 0x01
        response["response"]["signature"] = b64(bytes(sig))
        with pytest.raises(WebAuthnSignatureError):
            rp.finish_authentication(state, response, [credential])

    def test_client_data_after_signing(self, rp, enrolled):
        """clientDataJSON changed after signing breaks the signature."""
        credential, state, response = _assertion(rp, enrolled)
        client_data = json.loads(unb64(response["response"]["clientDataJSON"]))
        client_data["extra"] = 1
        response["response"]["clientDataJSON"] = b64(
            json.dumps(client_data).encode()
        )
        with pytest.raises(WebAuthnSignatureError):
            rp.finish_authentication(state, response, [credential])

    def test_other_credentials_key(self, rp, user, enrolled):
        """A signature by another key under this credential id fails."""
        auth, credential = enrolled
        other = register(rp, user, SoftAuthenticator())
        swapped = Credential.from_json(
            credential.to_json().replace(
                b64(credential.public_key), b64(other.public_key)
            )
        )
        with pytest.raises(WebAuthnSignatureError):
            sign_in(rp, swapped, auth)

    def test_sign_count_report_policy(self, make_rp, user):
        """Under sign_count="report" a regressed counter signs in and is
        reported; the stored count never goes down."""
        rp = make_rp(sign_count="report")
        auth = SoftAuthenticator()
        credential = register(rp, user, auth)
        first = sign_in(rp, credential, auth, counter=5).credential
        result = sign_in(rp, first, auth, counter=3)
        assert result.sign_count_regressed
        assert result.credential.sign_count == 5

    def test_counter_zero_means_unsupported(self, rp, user):
        """An authenticator that always reports 0 is not a clone."""
        auth = SoftAuthenticator()
        credential = register(rp, user, auth)
        for _ in range(2):
            result = sign_in(rp, credential, auth, counter=0)
            assert not result.sign_count_regressed
            credential = result.credential

    def test_unknown_credential(self, rp, enrolled, user):
        """An id that is not among the credentials is unknown."""
        credential, state, response = _assertion(rp, enrolled)
        with pytest.raises(UnknownCredentialError):
            rp.finish_authentication(state, response, [])
        _, state = rp.begin_authentication([credential])
        other = Credential.from_json(
            credential.to_json().replace(b64(credential.id), b64(b"other"))
        )
        with pytest.raises(UnknownCredentialError):
            rp.finish_authentication(state, response, [other])
        _, state = rp.begin_authentication([credential])
        with pytest.raises(UnknownCredentialError):
            rp.finish_authentication(state, response, lambda cid: None)

    def test_another_accounts_credential(self, rp, enrolled):
        """A ceremony begun for Bob does not accept Alice's credential."""
        auth, credential = enrolled
        bob = WebAuthnUser(b"bob-handle", "bob")
        options, _ = rp.begin_authentication([credential])
        _, state = rp.begin_authentication(user_handle=bob.id)
        response = auth.get(options, ORIGIN)
        with pytest.raises(UnknownCredentialError):
            rp.finish_authentication(state, response, [credential])

    def test_user_handle_mismatch(self, rp, enrolled):
        """The response's user handle must be the credential's."""
        auth, credential = enrolled
        options, state = rp.begin_authentication()
        response = auth.get(options, ORIGIN, user_handle=b"someone else")
        with pytest.raises(UnknownCredentialError):
            rp.finish_authentication(state, response, [credential])

    def test_discoverable_sign_in(self, rp, enrolled, user):
        """Without a user name the lookup finds the credential by id."""
        auth, credential = enrolled
        options, state = rp.begin_authentication()
        assert "allowCredentials" not in json.loads(options)
        table = {credential.id: credential.to_json()}
        response = auth.get(options, ORIGIN)
        result = rp.finish_authentication(
            state,
            json.dumps(response),
            lambda cid: (
                Credential.from_json(table[cid]) if cid in table else None
            ),
        )
        assert result.user_handle == user.id

    def test_missing_user_handle_is_fine(self, rp, enrolled):
        """A non-discoverable credential may return no user handle."""
        auth, credential = enrolled
        options, state = rp.begin_authentication([credential])
        response = auth.get(options, ORIGIN, user_handle=None)
        assert "userHandle" not in response["response"]
        assert rp.finish_authentication(state, response, [credential])

    def test_request_options(self, rp, enrolled):
        """begin_authentication returns PublicKeyCredentialRequestOptionsJSON."""
        _, credential = enrolled
        options, _ = rp.begin_authentication([credential])
        data = json.loads(options)
        assert data["rpId"] == RP_ID
        assert data["userVerification"] == "required"
        assert data["allowCredentials"] == [
            {
                "type": "public-key",
                "id": b64(credential.id),
                "transports": ["usb", "nfc"],
            }
        ]

    def test_credentials_of_two_accounts(self, rp, enrolled):
        """begin_authentication refuses credentials of several accounts."""
        _, credential = enrolled
        other = Credential.from_json(
            credential.to_json().replace(
                b64(credential.user_handle), b64(b"other")
            )
        )
        with pytest.raises(ConfigurationError):
            rp.begin_authentication([credential, other])
        with pytest.raises(ConfigurationError):
            rp.begin_authentication([credential], user_handle=b"other")

    def test_corrupt_stored_key(self, rp, enrolled):
        """A stored public key that does not parse is a format error."""
        auth, credential = enrolled
        broken = Credential.from_json(
            credential.to_json().replace(
                b64(credential.public_key), b64(b"\xa1\x01")
            )
        )
        with pytest.raises(WebAuthnFormatError):
            sign_in(rp, broken, auth)
        broken = Credential.from_json(
            credential.to_json().replace(
                b64(credential.public_key), b64(b"\x01")
            )
        )
        with pytest.raises(WebAuthnFormatError):
            sign_in(rp, broken, auth)

    def test_lookup_must_return_a_credential(self, rp, enrolled):
        """A lookup returning another type is a programming error."""
        _, state, response = _assertion(rp, enrolled)
        with pytest.raises(TypeError):
            rp.finish_authentication(state, response, lambda cid: "nope")


class TestStateToken:
    def test_single_use(self, rp, user):
        """A state token is accepted once; a replay is refused."""
        auth = SoftAuthenticator()
        options, state = rp.begin_registration(user)
        response = auth.create(options, ORIGIN)
        credential = rp.finish_registration(state, response)
        with pytest.raises(ChallengeReusedError):
            rp.finish_registration(state, response)
        options, state = rp.begin_authentication([credential])
        response = auth.get(options, ORIGIN)
        rp.finish_authentication(state, response, [credential])
        with pytest.raises(ChallengeReusedError):
            rp.finish_authentication(state, response, [credential])

    def test_a_failed_attempt_uses_the_token(self, rp, user):
        """A finish that fails still uses up its token."""
        options, state = rp.begin_registration(user)
        with pytest.raises(WebAuthnFormatError):
            rp.finish_registration(state, "{}")
        response = SoftAuthenticator().create(options, ORIGIN)
        with pytest.raises(ChallengeReusedError):
            rp.finish_registration(state, response)

    def test_expiry(self, make_rp, clock, user):
        """A token is good for challenge_ttl seconds, not one more."""
        rp = make_rp(challenge_ttl=60)
        auth = SoftAuthenticator()
        options, state = rp.begin_registration(user)
        assert json.loads(options)["timeout"] == 60_000
        clock.now += 60
        rp.finish_registration(state, auth.create(options, ORIGIN))
        options, state = rp.begin_registration(user)
        clock.now += 60.01
        with pytest.raises(ChallengeExpiredError):
            rp.finish_registration(state, auth.create(options, ORIGIN))

    def test_wrong_ceremony(self, rp, user):
        """A registration token does not finish a sign-in, nor the reverse."""
        auth = SoftAuthenticator()
        options, reg_state = rp.begin_registration(user)
        credential = rp.finish_registration(
            reg_state, auth.create(options, ORIGIN)
        )
        _, reg_state = rp.begin_registration(user)
        options, auth_state = rp.begin_authentication([credential])
        response = auth.get(options, ORIGIN)
        with pytest.raises(WebAuthnStateError, match="invalid"):
            rp.finish_authentication(reg_state, response, [credential])
        with pytest.raises(WebAuthnStateError, match="invalid"):
            rp.finish_registration(auth_state, response)

    def test_other_relying_party_or_keyring(self, keyring, clock, user):
        """A token from another RP ID or keyring is refused."""
        rp = RelyingParty(RP_ID, "Ex", [ORIGIN], keyring, clock=clock)
        other_rp = RelyingParty(
            "example.org", "Ex", ["https://example.org"], keyring, clock=clock
        )
        other_keys = RelyingParty(
            RP_ID, "Ex", [ORIGIN], Keyring.generate(), clock=clock
        )
        options, state = rp.begin_registration(user)
        response = SoftAuthenticator().create(options, ORIGIN)
        for party in (other_rp, other_keys):
            with pytest.raises(WebAuthnStateError, match="invalid"):
                party.finish_registration(state, response)

    def test_survives_key_rotation(self, clock, user):
        """A token sealed before a key rotation still opens after it."""
        keyring = Keyring.generate()
        rp = RelyingParty(RP_ID, "Ex", [ORIGIN], keyring, clock=clock)
        options, state = rp.begin_registration(user)
        keyring.rotate()
        rp.finish_registration(
            state, SoftAuthenticator().create(options, ORIGIN)
        )

    @pytest.mark.parametrize(
        "token",
        [None, 5, b"bytes", "", "!!!", "A" * 600, b64(b"x" * 60)],
    )
    def test_garbage(self, rp, token):
        """Anything but a genuine token is an invalid state token."""
        with pytest.raises(
            WebAuthnStateError, match="^invalid WebAuthn state"
        ):
            rp.finish_registration(token, "{}")

    def test_short_plaintext(self, keyring, rp):
        """A token that authenticates but holds too little is refused."""
        from dataprotect.encryption import Encryptor

        context = b"dataprotect/v1/webauthn-state\x00" + RP_ID.encode()
        for plain in (b"", b"\x01R", b"\x02" + bytes(43)):
            token = b64(Encryptor(keyring).encrypt(plain, context))
            with pytest.raises(WebAuthnStateError):
                rp.finish_registration(token, "{}")

    @given(position=st.integers(0, 200), bit=st.integers(0, 7))
    def test_any_flipped_bit(self, keyring, position, bit):
        """Flipping any bit of a token makes it invalid, with one message."""
        rp = RelyingParty(RP_ID, "Ex", [ORIGIN], keyring)
        _, state = rp.begin_registration(WebAuthnUser(b"u", "u"))
        raw = bytearray(unb64(state))
        raw[position % len(raw)] ^= 1 << bit
        with pytest.raises(WebAuthnStateError) as info:
            rp.finish_registration(b64(bytes(raw)), "{}")
        assert str(info.value) == "invalid WebAuthn state token"

    def test_custom_store(self, make_rp, user):
        """A custom ChallengeStore decides whether a token is fresh."""

        class Refusing:
            def __init__(self) -> None:
                self.calls: list[tuple[bytes, float]] = []

            def consume(self, challenge: bytes, expires_at: float) -> bool:
                self.calls.append((challenge, expires_at))
                return False

        store = Refusing()
        assert isinstance(store, ChallengeStore)
        rp = make_rp(challenge_store=store)
        options, state = rp.begin_registration(user)
        with pytest.raises(ChallengeReusedError):
            rp.finish_registration(
                state, SoftAuthenticator().create(options, ORIGIN)
            )
        ((challenge, expires_at),) = store.calls
        assert b64(challenge) == json.loads(options)["challenge"]
        assert expires_at == pytest.approx(1_800_000_300.0)


class TestMemoryChallengeStore:
    def test_forgets_expired(self, clock):
        """Expired challenges are forgotten; live ones are remembered."""
        store = MemoryChallengeStore(clock=clock)
        assert store.consume(b"a", clock.now + 10)
        assert store.consume(b"b", clock.now + 20)
        assert not store.consume(b"a", clock.now + 10)
        clock.now += 15
        assert store.consume(b"c", clock.now + 10)
        assert len(store) == 2
        assert "entries=2" in repr(store)
        clock.now += 100
        assert store.consume(b"a", clock.now + 10)
        assert len(store) == 1

    def test_default_clock(self):
        """The default clock is the wall clock."""
        store = MemoryChallengeStore()
        assert store.consume(b"x", 0.0)
        assert store.consume(b"y", 0.0)
        assert len(store) == 1

    def test_concurrent_consumers(self, clock):
        """Of many threads consuming one challenge, exactly one wins."""
        store = MemoryChallengeStore(clock=clock)
        wins: list[bool] = []
        barrier = threading.Barrier(8)

        def consume() -> None:
            barrier.wait()
            wins.append(store.consume(b"same", clock.now + 60))

        threads = [threading.Thread(target=consume) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(wins) == [False] * 7 + [True]

    def test_not_picklable(self, rp):
        """Neither the store nor the relying party pickles."""
        with pytest.raises(TypeError):
            pickle.dumps(MemoryChallengeStore())
        with pytest.raises(TypeError):
            pickle.dumps(rp)
        assert repr(rp) == "<RelyingParty rp_id='example.com'>"
        assert rp.rp_id == RP_ID


def _valid_registration(rp: RelyingParty, user: WebAuthnUser):
    options, _ = rp.begin_registration(user)
    return SoftAuthenticator().create(options, ORIGIN)


def _fresh_state(rp: RelyingParty, user: WebAuthnUser) -> str:
    return rp.begin_registration(user)[1]


class TestBadInput:
    @pytest.mark.parametrize(
        "response",
        [
            "not json",
            b"\xff\xfe",
            "[1, 2]",
            "null",
            "42",
            "[" * 100_000 + "]" * 100_000,
            "x" * (129 * 1024),
            [1, 2],
            None,
            7,
        ],
        ids=[
            "text",
            "bytes",
            "array",
            "null",
            "number",
            "deep",
            "huge",
            "list",
            "none",
            "int",
        ],
    )
    def test_not_an_object(self, rp, user, response):
        """Non-JSON, non-object and oversized responses are format errors."""
        with pytest.raises(WebAuthnFormatError):
            rp.finish_registration(_fresh_state(rp, user), response)

    @pytest.mark.parametrize(
        ("path", "value"),
        [
            (("rawId",), 12),
            (("rawId",), None),
            (("rawId",), "not base64!"),
            (("rawId",), ""),
            (("rawId",), b64(b"x" * 1024)),
            (("id",), "other"),
            (("type",), "password"),
            (("response",), []),
            (("response",), None),
            (("response", "clientDataJSON"), 5),
            (("response", "clientDataJSON"), {"type": "webauthn.create"}),
            (("response", "clientDataJSON"), b64(b"x" * 9000)),
            (("response", "clientDataJSON"), b64(b"\xff\xfe")),
            (("response", "clientDataJSON"), b64(b"[1]")),
            (("response", "clientDataJSON"), b64(b'{"type": 1}')),
            (
                ("response", "clientDataJSON"),
                b64(
                    b'{"type": "webauthn.create", "challenge": 5, "origin": "x"}'
                ),
            ),
            (
                ("response", "clientDataJSON"),
                b64(
                    b'{"type": "webauthn.create", "challenge": "AA", "origin": 5}'
                ),
            ),
            (
                ("response", "clientDataJSON"),
                b64(
                    '{"type": "webauthn.create", "challenge": "AA", "origin": "x"}'.encode(
                        "utf-16"
                    )
                ),
            ),
            (("response", "attestationObject"), True),
            (("response", "attestationObject"), b64(b"")),
            (("response", "attestationObject"), b64(b"\xff")),
            (("response", "attestationObject"), b64(b"\x01")),
            (("response", "attestationObject"), b64(b"\x9a\xff\xff\xff\xff")),
            (("response", "attestationObject"), b64(b"\x81" * 5000 + b"\x01")),
            (
                ("response", "attestationObject"),
                b64(cbor({"fmt": 1, "authData": b"", "attStmt": {}})),
            ),
            (
                ("response", "attestationObject"),
                b64(cbor({"fmt": "none", "authData": 37, "attStmt": {}})),
            ),
            (
                ("response", "attestationObject"),
                b64(
                    cbor({"fmt": "none", "authData": b"x" * 10, "attStmt": {}})
                ),
            ),
            (
                ("response", "attestationObject"),
                b64(
                    cbor(
                        {
                            "fmt": "none",
                            "authData": b"\x00" * 32
                            + bytes([AT])
                            + b"\x00" * 4
                            + b"\x00" * 16
                            + b"\x00\x05ab",
                            "attStmt": {},
                        }
                    )
                ),
            ),
            (("response", "attestationObject"), b64(b"A" * 17000)),
            (("response", "transports"), "usb"),
            (("response", "transports"), [1]),
            (("response", "transports"), ["usb"] * 9),
            (("response", "transports"), ["x" * 40]),
        ],
    )
    def test_field(self, rp, user, path, value):
        """A field of the wrong type, size or content is a format error."""
        response = _valid_registration(rp, user)
        target = response
        for key in path[:-1]:
            target = target[key]
        if value is None:
            target.pop(path[-1])
        else:
            target[path[-1]] = value
        with pytest.raises(WebAuthnFormatError):
            rp.finish_registration(_fresh_state(rp, user), response)

    @pytest.mark.parametrize(
        ("key", "value"),
        [
            ("authenticatorData", 5),
            ("authenticatorData", b64(b"short")),
            (
                "authenticatorData",
                b64(RP_HASH + bytes([UP | UV | ED]) + b"\x00\x00\x00\x09\xff"),
            ),
            (
                "authenticatorData",
                b64(RP_HASH + bytes([UP | UV | ED]) + b"\x00\x00\x00\x09\x01"),
            ),
            ("authenticatorData", b64(b"\x00" * 5000)),
            ("signature", b64(b"x" * 1025)),
            ("signature", None),
            ("userHandle", b64(b"x" * 65)),
            ("userHandle", 5),
        ],
    )
    def test_assertion_field(self, rp, user, key, value):
        """Assertion fields of the wrong type or size are format errors."""
        auth = SoftAuthenticator()
        credential = register(rp, user, auth)
        options, state = rp.begin_authentication([credential])
        response = auth.get(options, ORIGIN)
        if value is None:
            del response["response"][key]
        else:
            response["response"][key] = value
        with pytest.raises(WebAuthnFormatError):
            rp.finish_authentication(state, response, [credential])

    @given(garbage=st.binary(min_size=0, max_size=300))
    def test_cbor_garbage(self, keyring, garbage):
        """Random bytes as an attestation object are a format error."""
        rp = RelyingParty(RP_ID, "Ex", [ORIGIN], keyring)
        user = WebAuthnUser(b"u", "u")
        response = _valid_registration(rp, user)
        response["response"]["attestationObject"] = b64(garbage or b"\x00")
        with pytest.raises(WebAuthnFormatError):
            rp.finish_registration(_fresh_state(rp, user), response)

    @given(
        garbage=st.binary(min_size=0, max_size=200),
        flags=st.integers(0, 255),
    )
    def test_authenticator_data_garbage(self, keyring, garbage, flags):
        """Random attested data after a valid header never escapes as
        anything but a WebAuthn error."""
        rp = RelyingParty(RP_ID, "Ex", [ORIGIN], keyring)
        user = WebAuthnUser(b"u", "u")
        options, state = rp.begin_registration(user)
        response = SoftAuthenticator().create(options, ORIGIN)
        auth_data = (
            hashlib.sha256(RP_ID.encode()).digest()
            + struct.pack(">BI", flags, 0)
            + garbage
        )
        response["response"]["attestationObject"] = b64(
            cbor({"fmt": "none", "authData": auth_data, "attStmt": {}})
        )
        with pytest.raises(WebAuthnError):
            rp.finish_registration(state, response)

    @given(
        path=st.sampled_from(
            [
                ("id",),
                ("rawId",),
                ("type",),
                ("response",),
                ("response", "clientDataJSON"),
                ("response", "attestationObject"),
                ("response", "transports"),
            ]
        ),
        value=st.recursive(
            st.none()
            | st.booleans()
            | st.integers()
            | st.floats(allow_nan=False)
            | st.text(max_size=50),
            lambda inner: (
                st.lists(inner, max_size=4)
                | st.dictionaries(st.text(max_size=5), inner, max_size=4)
            ),
            max_leaves=10,
        ),
    )
    def test_any_json_value_in_any_field(self, keyring, path, value):
        """Any JSON value in any field raises a WebAuthn error or, where it
        happens to be harmless, registers; never anything else."""
        rp = RelyingParty(RP_ID, "Ex", [ORIGIN], keyring)
        user = WebAuthnUser(b"u", "u")
        options, state = rp.begin_registration(user)
        response = SoftAuthenticator().create(options, ORIGIN)
        target = response
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        with contextlib.suppress(WebAuthnError):
            rp.finish_registration(state, json.dumps(response))

    def test_deep_cbor(self, rp, user):
        """Deeply nested CBOR is a format error, not a RecursionError."""
        response = _valid_registration(rp, user)
        response["response"]["attestationObject"] = b64(
            b"\x81" * 12000 + b"\x01"
        )
        with pytest.raises(WebAuthnFormatError):
            rp.finish_registration(_fresh_state(rp, user), response)


class TestCredential:
    @pytest.fixture(name="credential")
    def _credential(self, rp, user) -> Credential:
        return register(rp, user, SoftAuthenticator())

    def test_json_is_plain(self, credential):
        """The JSON names every field; bytes are base64url."""
        data = json.loads(credential.to_json())
        assert data["v"] == 1
        assert base64.urlsafe_b64decode(data["id"] + "==") == credential.id
        assert data["aaguid"] == "00000000-0000-0000-0000-000000000000"
        assert data["lastUsedAt"] is None
        assert set(data) == {
            "v",
            "id",
            "userHandle",
            "publicKey",
            "alg",
            "signCount",
            "transports",
            "aaguid",
            "backupEligible",
            "backedUp",
            "fmt",
            "createdAt",
            "lastUsedAt",
        }

    def test_round_trip_with_last_use(self, rp, user):
        """A credential that signed in round-trips with its last use."""
        auth = SoftAuthenticator(backup_eligible=True, backed_up=True)
        used = sign_in(rp, register(rp, user, auth), auth).credential
        assert used.last_used_at is not None
        assert Credential.from_json(used.to_json()) == used

    @pytest.mark.parametrize(
        ("key", "value"),
        [
            ("v", 2),
            ("id", 5),
            ("id", ""),
            ("id", "!!"),
            ("id", b64(b"x" * 1024)),
            ("userHandle", b64(b"x" * 65)),
            ("publicKey", None),
            ("alg", "ES256"),
            ("alg", True),
            ("alg", 2**40),
            ("signCount", -1),
            ("transports", "usb"),
            ("transports", ["carrier-pigeon"]),
            ("transports", ["usb"] * 7),
            ("aaguid", "not-a-uuid"),
            ("aaguid", "0" * 32),
            ("aaguid", "zzzzzzzz-0000-0000-0000-000000000000"),
            ("backupEligible", "no"),
            ("backedUp", 0),
            ("fmt", ""),
            ("fmt", 7),
            ("createdAt", "yesterday"),
            ("createdAt", "2025-01-01T00:00:00"),
            ("createdAt", None),
            ("lastUsedAt", 5),
        ],
    )
    def test_invalid_field(self, credential, key, value):
        """Each invalid stored field is a format error."""
        data = json.loads(credential.to_json())
        data[key] = value
        with pytest.raises(WebAuthnFormatError):
            Credential.from_json(json.dumps(data))

    @pytest.mark.parametrize(
        "text",
        ["", "not json", "[]", "{}", "x" * 9000, "[" * 5000 + "]" * 5000],
    )
    def test_not_a_credential(self, text):
        """Anything but a stored credential is a format error."""
        with pytest.raises(WebAuthnFormatError):
            Credential.from_json(text)

    def test_wrong_type(self):
        """A non-text argument is a TypeError (a programming error)."""
        with pytest.raises(TypeError):
            Credential.from_json(5)  # type: ignore[arg-type]

    def test_from_bytes_and_timezones(self, credential):
        """Bytes load too; a timestamp in another zone becomes UTC."""
        data = json.loads(credential.to_json())
        data["lastUsedAt"] = "2030-01-01T02:00:00+02:00"
        loaded = Credential.from_json(json.dumps(data).encode())
        assert loaded.last_used_at == datetime(2030, 1, 1, tzinfo=timezone.utc)

    def test_defaults(self):
        """A credential made by hand gets safe defaults."""
        credential = Credential(
            id=b"i", user_handle=b"u", public_key=b"k", algorithm=-7
        )
        assert credential.aaguid == uuid.UUID(int=0)
        assert credential.created_at.tzinfo is timezone.utc
        assert Credential.from_json(credential.to_json()) == credential


class TestConfiguration:
    @pytest.mark.parametrize(
        ("rp_id", "origins"),
        [
            ("Example.com", [ORIGIN]),
            ("https://example.com", [ORIGIN]),
            ("example.com:443", [ORIGIN]),
            ("", [ORIGIN]),
            (RP_ID, []),
            (RP_ID, ["https://example.com/"]),
            (RP_ID, ["https://example.com/login"]),
            (RP_ID, ["https://Example.com"]),
            (RP_ID, ["https://example.com:443x"]),
            (RP_ID, ["http://example.com"]),
            (RP_ID, ["ftp://example.com"]),
            (RP_ID, ["https://example.org"]),
            (RP_ID, ["https://badexample.com"]),
            (RP_ID, ["example.com"]),
            (RP_ID, ["https://"]),
        ],
    )
    def test_rp_id_and_origins(self, keyring, rp_id, origins):
        """RP IDs and origins are checked exactly."""
        with pytest.raises(ConfigurationError):
            RelyingParty(rp_id, "Ex", origins, keyring)

    def test_good_origins(self, keyring):
        """Subdomains, ports and http on localhost are allowed; a single
        origin may be given as a string."""
        RelyingParty(
            RP_ID,
            "Ex",
            ["https://login.example.com:8443", ORIGIN],
            keyring,
        )
        RelyingParty("localhost", "Ex", "http://localhost:8000", keyring)
        RelyingParty("app.localhost", "Ex", ["http://app.localhost"], keyring)

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"user_verification": "discouraged"},
            {"attestation": "indirect"},
            {"resident_key": "always"},
            {"sign_count": "ignore"},
            {"challenge_ttl": 0},
            {"challenge_ttl": 86401},
            {"allowed_aaguids": [uuid.uuid4()]},
            {"allowed_aaguids": [uuid.uuid4()], "attestation": "direct"},
            {"allowed_aaguids": ["nope"]},
        ],
    )
    def test_bad_policy(self, keyring, kwargs):
        """Invalid or inconsistent policies are configuration errors."""
        with pytest.raises(ConfigurationError):
            RelyingParty(RP_ID, "Ex", [ORIGIN], keyring, **kwargs)

    @pytest.mark.parametrize(
        ("args", "kwargs"),
        [
            ((5, "Ex", [ORIGIN]), {}),
            ((RP_ID, None, [ORIGIN]), {}),
            ((RP_ID, "Ex", [5]), {}),
            ((RP_ID, "Ex", [ORIGIN]), {"challenge_ttl": "300"}),
            ((RP_ID, "Ex", [ORIGIN]), {"challenge_ttl": True}),
            ((RP_ID, "Ex", [ORIGIN]), {"challenge_store": object()}),
            ((RP_ID, "Ex", [ORIGIN]), {"attestation_roots": ["pem"]}),
            ((RP_ID, "Ex", [ORIGIN]), {"allowed_aaguids": [5]}),
        ],
    )
    def test_wrong_types(self, keyring, args, kwargs):
        """Arguments of the wrong type are TypeErrors."""
        with pytest.raises(TypeError):
            RelyingParty(*args, keyring, **kwargs)
        with pytest.raises(TypeError):
            RelyingParty(RP_ID, "Ex", [ORIGIN], "keyring")  # type: ignore[arg-type]

    def test_rp_name_length(self, keyring):
        """rp_name must be 1 to 256 characters."""
        for name in ("", "x" * 257):
            with pytest.raises(ConfigurationError):
                RelyingParty(RP_ID, name, [ORIGIN], keyring)

    def test_user(self):
        """WebAuthnUser checks its handle and names."""
        assert len(WebAuthnUser.new_handle()) == 32
        assert WebAuthnUser(bytearray(b"h"), "n").id == b"h"  # type: ignore[arg-type]
        for args in (
            (b"", "n"),
            (b"x" * 65, "n"),
            (b"h", ""),
            (b"h", "x" * 257),
        ):
            with pytest.raises(ConfigurationError):
                WebAuthnUser(*args)
        with pytest.raises(ConfigurationError):
            WebAuthnUser(b"h", "n", "x" * 257)
        with pytest.raises(TypeError):
            WebAuthnUser("h", "n")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            WebAuthnUser(b"h", 5)  # type: ignore[arg-type]

    def test_begin_arguments(self, rp, user):
        """begin_* check their arguments."""
        with pytest.raises(TypeError):
            rp.begin_registration("alice")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            rp.begin_registration(user, exclude=["x"])  # type: ignore[list-item]
        with pytest.raises(ConfigurationError):
            rp.begin_registration(user, authenticator_attachment="usb")  # type: ignore[arg-type]
        options, _ = rp.begin_registration(
            user, authenticator_attachment="platform"
        )
        assert (
            json.loads(options)["authenticatorSelection"][
                "authenticatorAttachment"
            ]
            == "platform"
        )
        with pytest.raises(TypeError):
            rp.begin_authentication(["x"])  # type: ignore[list-item]
        auth = SoftAuthenticator()
        register(rp, user, auth)
        options, state = rp.begin_authentication()
        response = auth.get(options, ORIGIN)
        with pytest.raises(TypeError):
            rp.finish_authentication(state, response, ["x"])  # type: ignore[list-item]


class TestNoTraceback:
    def test_every_error_is_a_dataprotect_error(self, rp, user):
        """The errors of the ceremonies all derive from DataProtectError."""
        for cls in (
            WebAuthnFormatError,
            WebAuthnStateError,
            WebAuthnVerificationError,
            UnknownCredentialError,
        ):
            assert issubclass(cls, DataProtectError)

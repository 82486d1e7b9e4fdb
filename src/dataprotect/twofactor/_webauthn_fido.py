"""The WebAuthn ceremonies on Yubico's ``fido2`` (2.x) server classes.

``fido2`` parses the browser's JSON, the CBOR attestation object and the
COSE keys, verifies attestation statements and assertion signatures
(:class:`fido2.server.Fido2Server`).  This module puts a strict front in
front of it: every JSON field is type- and size-checked before ``fido2``
sees it (``fido2`` coerces some wrong types, e.g. an integer ``rawId`` to
zero bytes), every parse failure becomes a
:class:`~dataprotect.errors.WebAuthnFormatError`, and each ceremony check
runs once here first with its own error class; ``Fido2Server`` then checks
the response again and verifies the signature or attestation.
"""

from __future__ import annotations

import hmac
import json

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from hashlib import sha256
from typing import TYPE_CHECKING, Final, NoReturn
from uuid import UUID

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import Encoding
from fido2 import cbor
from fido2.attestation.base import (
    Attestation,
    AttestationResult,
    AttestationType,
    AttestationVerifier,
    NoneAttestation,
)
from fido2.cose import CoseKey
from fido2.server import Fido2Server
from fido2.utils import websafe_encode
from fido2.webauthn import (
    AttestationConveyancePreference,
    AttestationObject,
    AttestedCredentialData,
    AuthenticationResponse,
    AuthenticatorAssertionResponse,
    AuthenticatorAttachment,
    AuthenticatorAttestationResponse,
    AuthenticatorData,
    AuthenticatorTransport,
    CollectedClientData,
    PublicKeyCredentialDescriptor,
    PublicKeyCredentialParameters,
    PublicKeyCredentialRpEntity,
    PublicKeyCredentialType,
    PublicKeyCredentialUserEntity,
    RegistrationResponse,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from dataprotect._encoding import b64decode
from dataprotect.errors import (
    AttestationError,
    AuthenticatorFlagsError,
    AuthenticatorNotAllowedError,
    ChallengeMismatchError,
    OriginMismatchError,
    RelyingPartyMismatchError,
    UnsupportedAlgorithmError,
    WebAuthnFormatError,
    WebAuthnSignatureError,
    WebAuthnVerificationError,
)
from dataprotect.twofactor._webauthn import (
    MAX_CREDENTIAL_ID,
    MAX_PUBLIC_KEY,
    MAX_USER_HANDLE,
    TRANSPORTS,
)


if TYPE_CHECKING:
    from collections.abc import Sequence

    from dataprotect.twofactor._webauthn import Credential, WebAuthnUser


__all__ = ["ALGORITHMS", "Engine"]

#: COSE algorithms offered, in order of preference: ES256, EdDSA, ES384,
#: PS256, RS256 (Windows Hello).
ALGORITHMS: Final = (-7, -8, -35, -37, -257)
_KEY_TYPES: Final = {-7: 2, -8: 1, -35: 2, -37: 3, -257: 3}
_MIN_RSA_BITS: Final = 2048

#: Largest response JSON text accepted, in characters.
MAX_RESPONSE_JSON: Final = 128 * 1024
MAX_CLIENT_DATA: Final = 8192
MAX_ATTESTATION_OBJECT: Final = 16384
MAX_AUTHENTICATOR_DATA: Final = 4096
MAX_SIGNATURE: Final = 1024
_MAX_TRANSPORTS: Final = 8

_UP = AuthenticatorData.FLAG.UP
_UV = AuthenticatorData.FLAG.UV
_BE = AuthenticatorData.FLAG.BE
_BS = AuthenticatorData.FLAG.BS
_PUBLIC_KEY = PublicKeyCredentialType.PUBLIC_KEY


def _bad(message: str) -> NoReturn:
    raise WebAuthnFormatError(message) from None


def _load(response: object) -> Mapping[str, object]:
    """The response as a mapping, from JSON text or as given."""
    data: object = response
    if isinstance(response, (str, bytes)):
        if len(response) > MAX_RESPONSE_JSON:
            _bad("the WebAuthn response is too large")
        try:
            data = json.loads(response)
        except (ValueError, RecursionError):
            _bad("the WebAuthn response is not JSON")
    if not isinstance(data, Mapping):
        _bad("the WebAuthn response is not a JSON object")
    return data


def _str(data: Mapping[str, object], key: str, limit: int) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not 0 < len(value) <= limit:
        _bad(f"the WebAuthn response field {key} is missing or invalid")
    return value


def _b64(data: Mapping[str, object], key: str, limit: int) -> bytes:
    """Field *key*: base64url of 1 to *limit* bytes."""
    text = _str(data, key, (limit * 4 + 2) // 3 + 2)
    try:
        raw = b64decode(text)
    except ValueError:
        _bad(f"the WebAuthn response field {key} is not base64url")
    if not 0 < len(raw) <= limit:
        _bad(f"the WebAuthn response field {key} is missing or invalid")
    return raw


def _common(
    response: object,
) -> tuple[bytes, Mapping[str, object], CollectedClientData]:
    """The credential id, inner ``response`` and client data of both."""
    data = _load(response)
    raw_id = _b64(data, "rawId", MAX_CREDENTIAL_ID)
    if data.get("id") != data["rawId"]:
        _bad("the WebAuthn response's id and rawId differ")
    if data.get("type") != "public-key":
        _bad("the WebAuthn response's type is not public-key")
    inner = data.get("response")
    if not isinstance(inner, Mapping):
        _bad("the WebAuthn response field response is missing or invalid")
    raw = _b64(inner, "clientDataJSON", MAX_CLIENT_DATA)
    # fido2 would take a number for the challenge (as no bytes): check the
    # members' types first.
    try:
        members = json.loads(raw)
    except (ValueError, RecursionError):
        _bad("clientDataJSON is not JSON")
    if not isinstance(members, dict) or not all(
        isinstance(members.get(k), str)
        for k in ("type", "challenge", "origin")
    ):
        _bad("clientDataJSON is malformed")
    try:
        client_data = CollectedClientData(raw)
    except ValueError:
        _bad("clientDataJSON is malformed")
    return raw_id, inner, client_data


def _transports(inner: Mapping[str, object]) -> tuple[str, ...]:
    value = inner.get("transports")
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > _MAX_TRANSPORTS:
        _bad("the WebAuthn response field transports is invalid")
    if not all(isinstance(t, str) and len(t) <= 32 for t in value):
        _bad("the WebAuthn response field transports is invalid")
    # Unknown transports are ignored, as browsers must (WebAuthn L3).
    return tuple(dict.fromkeys(t for t in value if t in TRANSPORTS))


def _attestation_object(raw: bytes) -> AttestationObject:
    try:
        decoded = cbor.decode(raw)
    except Exception:  # noqa: BLE001 - fido2's CBOR decoder on untrusted bytes: any failure is malformed input
        _bad("attestationObject is not CBOR")
    if not (
        isinstance(decoded, dict)
        and isinstance(decoded.get("fmt"), str)
        and 0 < len(decoded["fmt"]) <= 32
        and isinstance(decoded.get("authData"), bytes)
        and isinstance(decoded.get("attStmt"), dict)
    ):
        _bad("attestationObject is malformed")
    try:
        return AttestationObject(raw)
    except Exception:  # noqa: BLE001 - fido2 parses untrusted bytes: any failure is malformed input
        _bad("attestationObject is malformed")


def _public_key(credential_data: AttestedCredentialData) -> CoseKey:
    """The credential's COSE key, if of an accepted algorithm and valid."""
    key = credential_data.public_key
    alg = key.ALGORITHM
    if alg not in ALGORITHMS or key.get(1) != _KEY_TYPES[alg]:
        msg = "the credential's public key algorithm is not supported"
        raise UnsupportedAlgorithmError(msg)
    if _KEY_TYPES[alg] == 3:
        modulus = key.get(-1)
        if not isinstance(modulus, bytes) or (
            int.from_bytes(modulus, "big").bit_length() < _MIN_RSA_BITS
        ):
            msg = "the credential's RSA key is shorter than 2048 bits"
            raise UnsupportedAlgorithmError(msg)
    # fido2 builds the key on each verify: probe once that it can.
    valid = False
    try:
        key.verify(b"dataprotect key check", b"\x00")
    except InvalidSignature:
        valid = True
    except Exception:  # noqa: BLE001, S110 - fido2 and cryptography reject a malformed key in many ways
        pass
    if not valid:
        msg = "the credential's public key is not a valid key of its algorithm"
        raise UnsupportedAlgorithmError(msg)
    return key


@lru_cache(maxsize=1024)
def _attested(
    credential_id: bytes, public_key: bytes
) -> AttestedCredentialData:
    """A stored credential as fido2's type (cached: parsing costs)."""
    try:
        decoded = cbor.decode(public_key)
        if not isinstance(decoded, Mapping):
            raise TypeError  # noqa: TRY301 - one message for every failure
        cose = CoseKey.parse(decoded)
        return AttestedCredentialData.create(bytes(16), credential_id, cose)
    except Exception:  # noqa: BLE001 - a corrupt stored key may fail to parse in many ways
        msg = "the stored credential's public key is malformed"
        raise WebAuthnFormatError(msg) from None


@dataclass(frozen=True, slots=True)
class NewCredential:
    """A verified registration, before it becomes a ``Credential``."""

    credential_id: bytes
    public_key: bytes
    algorithm: int
    sign_count: int
    transports: tuple[str, ...]
    aaguid: bytes
    backup_eligible: bool
    backed_up: bool
    fmt: str


@dataclass(frozen=True, slots=True)
class Assertion:
    """A parsed (unverified) authentication response."""

    credential_id: bytes
    user_handle: bytes | None
    response: AuthenticationResponse


@dataclass(frozen=True, slots=True)
class Checked:
    """A verified assertion's facts."""

    sign_count: int
    user_verified: bool
    backed_up: bool
    sign_count_regressed: bool


class _RootVerifier(AttestationVerifier):
    """fido2's attestation verifier with the relying party's roots."""

    def __init__(self, roots: Sequence[x509.Certificate]) -> None:
        super().__init__()
        self._roots = roots

    def ca_lookup(
        self,
        attestation_result: AttestationResult,
        _auth_data: AuthenticatorData,
    ) -> bytes | None:
        """The root that issued the top of the trust path, if any."""
        if (
            attestation_result.attestation_type
            not in (
                AttestationType.BASIC,
                AttestationType.ATT_CA,
            )
            or not attestation_result.trust_path
        ):
            return None  # self or no attestation: no model is vouched for
        top = x509.load_der_x509_certificate(attestation_result.trust_path[-1])
        for root in self._roots:
            if root.subject == top.issuer:
                return root.public_bytes(Encoding.DER)
        return None


class Engine:
    """The ceremonies of one relying party, on ``fido2``."""

    __slots__ = (
        "_aaguids",
        "_origins",
        "_rp_hash",
        "_server",
        "_uv",
        "_uv_required",
        "_verifier",
    )

    def __init__(
        self,
        *,
        rp_id: str,
        rp_name: str,
        origins: frozenset[str],
        uv_required: bool,
        attestation: str,
        allowed_aaguids: frozenset[UUID] | None,
        roots: Sequence[x509.Certificate],
        timeout_ms: int,
    ) -> None:
        self._origins = origins
        self._uv_required = uv_required
        self._uv = (
            UserVerificationRequirement.REQUIRED
            if uv_required
            else UserVerificationRequirement.PREFERRED
        )
        self._aaguids = allowed_aaguids
        self._verifier = _RootVerifier(roots) if roots else None
        self._rp_hash = sha256(rp_id.encode("ascii")).digest()
        self._server = Fido2Server(
            PublicKeyCredentialRpEntity(name=rp_name, id=rp_id),
            attestation=AttestationConveyancePreference(attestation),
            verify_origin=origins.__contains__,
            verify_attestation=(
                self._attest if attestation == "direct" else None
            ),
        )
        self._server.allowed_algorithms = [
            PublicKeyCredentialParameters(type=_PUBLIC_KEY, alg=alg)
            for alg in ALGORITHMS
        ]
        self._server.timeout = timeout_ms  # type: ignore[assignment]  # fido2 annotates it None; it takes milliseconds

    # -- options -----------------------------------------------------------

    @staticmethod
    def _descriptors(
        credentials: Sequence[tuple[bytes, tuple[str, ...]]],
    ) -> list[PublicKeyCredentialDescriptor] | None:
        if not credentials:
            return None
        return [
            PublicKeyCredentialDescriptor(
                type=_PUBLIC_KEY,
                id=cid,
                transports=[AuthenticatorTransport(x) for x in t] or None,
            )
            for cid, t in credentials
        ]

    def registration_options(
        self,
        challenge: bytes,
        user: WebAuthnUser,
        exclude: Sequence[tuple[bytes, tuple[str, ...]]],
        resident_key: str,
        attachment: str | None,
    ) -> str:
        """``PublicKeyCredentialCreationOptionsJSON`` as text."""
        options, _ = self._server.register_begin(
            PublicKeyCredentialUserEntity(
                id=user.id,
                name=user.name,
                display_name=user.display_name or user.name,
            ),
            credentials=self._descriptors(exclude),
            resident_key_requirement=ResidentKeyRequirement(resident_key),
            user_verification=self._uv,
            authenticator_attachment=(
                None
                if attachment is None
                else AuthenticatorAttachment(attachment)
            ),
            challenge=challenge,
        )
        return json.dumps(dict(options.public_key), separators=(",", ":"))

    def authentication_options(
        self,
        challenge: bytes,
        allow: Sequence[tuple[bytes, tuple[str, ...]]],
    ) -> str:
        """``PublicKeyCredentialRequestOptionsJSON`` as text."""
        options, _ = self._server.authenticate_begin(
            self._descriptors(allow),
            user_verification=self._uv,
            challenge=challenge,
        )
        return json.dumps(dict(options.public_key), separators=(",", ":"))

    # -- shared checks -----------------------------------------------------

    def _state(self, challenge: bytes) -> dict[str, object]:
        return {
            "challenge": websafe_encode(challenge),
            "user_verification": self._uv,
        }

    def _check_client_data(
        self, client_data: CollectedClientData, kind: str, challenge: bytes
    ) -> None:
        if client_data.type != kind:
            msg = f"clientDataJSON's type is not {kind}"
            raise WebAuthnVerificationError(msg)
        if not hmac.compare_digest(client_data.challenge, challenge):
            msg = "the response signs another challenge"
            raise ChallengeMismatchError(msg)
        if (
            client_data.origin not in self._origins
            or client_data.cross_origin is not False
        ):
            msg = "the response comes from an origin that is not allowed"
            raise OriginMismatchError(msg)

    def _check_auth_data(self, auth_data: AuthenticatorData) -> None:
        if not hmac.compare_digest(auth_data.rp_id_hash, self._rp_hash):
            msg = "the authenticator data is for another RP ID"
            raise RelyingPartyMismatchError(msg)
        flags = auth_data.flags
        if not flags & _UP:
            msg = "the user was not present (UP flag clear)"
            raise AuthenticatorFlagsError(msg)
        if self._uv_required and not flags & _UV:
            msg = "user verification is required (UV flag clear)"
            raise AuthenticatorFlagsError(msg)
        if flags & _BS and not flags & _BE:
            msg = "the backup state flag is set without backup eligibility"
            raise AuthenticatorFlagsError(msg)

    # -- registration ------------------------------------------------------

    def verify_registration(
        self,
        challenge: bytes,
        response: object,
        *,
        allow_backup_eligible: bool,
    ) -> NewCredential:
        """Parse and verify a registration response."""
        raw_id, inner, client_data = _common(response)
        attestation = _attestation_object(
            _b64(inner, "attestationObject", MAX_ATTESTATION_OBJECT)
        )
        transports = _transports(inner)
        auth_data = attestation.auth_data
        credential_data = auth_data.credential_data
        if credential_data is None:
            _bad("the attestation object holds no credential (AT flag clear)")
        if credential_data.credential_id != raw_id:
            _bad("rawId is not the attested credential id")
        self._check_client_data(client_data, "webauthn.create", challenge)
        self._check_auth_data(auth_data)
        key = _public_key(credential_data)
        public_key = cbor.encode(key)
        if len(public_key) > MAX_PUBLIC_KEY:
            msg = "the credential's public key is too large"
            raise UnsupportedAlgorithmError(msg)
        if auth_data.flags & _BE and not allow_backup_eligible:
            msg = (
                "the credential is backup-eligible (a synced passkey); only "
                "device-bound keys are allowed"
            )
            raise AuthenticatorNotAllowedError(msg)
        registration = RegistrationResponse(
            raw_id=raw_id,
            response=AuthenticatorAttestationResponse(
                client_data=client_data, attestation_object=attestation
            ),
        )
        try:
            self._server.register_complete(
                self._state(challenge), registration
            )
        except ValueError:  # pragma: no cover - every check ran above
            msg = "the registration response failed verification"
            raise WebAuthnVerificationError(msg) from None
        return NewCredential(
            credential_id=raw_id,
            public_key=public_key,
            algorithm=key.ALGORITHM,
            sign_count=auth_data.counter,
            transports=transports,
            aaguid=bytes(credential_data.aaguid),
            backup_eligible=bool(auth_data.flags & _BE),
            backed_up=bool(auth_data.flags & _BS),
            fmt=attestation.fmt,
        )

    def _attest(
        self, attestation: AttestationObject, client_data_hash: bytes
    ) -> None:
        """Verify the attestation statement (``attestation="direct"``)."""
        try:
            if self._aaguids is not None and self._verifier is not None:
                self._verifier.verify_attestation(
                    attestation, client_data_hash
                )
            elif attestation.fmt == "none":
                NoneAttestation().verify(  # type: ignore[no-untyped-call]  # fido2 leaves verify unannotated
                    attestation.att_stmt,
                    attestation.auth_data,
                    client_data_hash,
                )
            else:
                Attestation.for_type(attestation.fmt)().verify(
                    attestation.att_stmt,
                    attestation.auth_data,
                    client_data_hash,
                )
        except Exception:  # noqa: BLE001 - fido2's verifiers raise many types for one verdict: untrusted
            msg = "the attestation statement is invalid or not trusted"
            raise AttestationError(msg) from None
        if self._aaguids is not None:
            credential_data = attestation.auth_data.credential_data
            assert credential_data is not None  # noqa: S101 - checked before
            if UUID(bytes=bytes(credential_data.aaguid)) not in self._aaguids:
                msg = "the authenticator model (AAGUID) is not allowed"
                raise AuthenticatorNotAllowedError(msg)

    # -- authentication ----------------------------------------------------

    def parse_assertion(self, response: object) -> Assertion:
        """Parse an authentication response (no checks yet)."""
        raw_id, inner, client_data = _common(response)
        raw_auth_data = _b64(
            inner, "authenticatorData", MAX_AUTHENTICATOR_DATA
        )
        try:
            auth_data = AuthenticatorData(raw_auth_data)
        except Exception:  # noqa: BLE001 - fido2 parses untrusted bytes: any failure is malformed input
            _bad("authenticatorData is malformed")
        if auth_data.extensions is not None and not isinstance(
            auth_data.extensions, dict
        ):
            _bad("authenticatorData is malformed")
        signature = _b64(inner, "signature", MAX_SIGNATURE)
        handle = inner.get("userHandle")
        user_handle = (
            None
            if handle is None or handle == ""
            else _b64(inner, "userHandle", MAX_USER_HANDLE)
        )
        response_obj = AuthenticationResponse(
            raw_id=raw_id,
            response=AuthenticatorAssertionResponse(
                client_data=client_data,
                authenticator_data=auth_data,
                signature=signature,
                user_handle=user_handle,
            ),
        )
        return Assertion(raw_id, user_handle, response_obj)

    def verify_assertion(
        self,
        challenge: bytes,
        assertion: Assertion,
        credential: Credential,
        *,
        allow_backup_eligible: bool,
    ) -> Checked:
        """Verify a parsed assertion against the stored *credential*."""
        inner = assertion.response.response
        auth_data = inner.authenticator_data
        self._check_client_data(inner.client_data, "webauthn.get", challenge)
        self._check_auth_data(auth_data)
        eligible = bool(auth_data.flags & _BE)
        if eligible != credential.backup_eligible:
            msg = "the backup eligibility flag changed since registration"
            raise AuthenticatorFlagsError(msg)
        if eligible and not allow_backup_eligible:
            msg = (
                "backup-eligible credentials (synced passkeys) are not allowed"
            )
            raise AuthenticatorNotAllowedError(msg)
        attested = _attested(credential.id, credential.public_key)
        try:
            self._server.authenticate_complete(
                self._state(challenge), [attested], assertion.response
            )
        except Exception:  # noqa: BLE001 - every other check ran above: what fails here is the signature
            msg = "the assertion signature is invalid"
            raise WebAuthnSignatureError(msg) from None
        new, old = auth_data.counter, credential.sign_count
        return Checked(
            sign_count=new,
            user_verified=bool(auth_data.flags & _UV),
            backed_up=bool(auth_data.flags & _BS),
            sign_count_regressed=(new != 0 or old != 0) and new <= old,
        )

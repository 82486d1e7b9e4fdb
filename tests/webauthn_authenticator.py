"""A software WebAuthn authenticator (and client) on ``cryptography``.

It answers a relying party's options JSON as a browser would, with a
``PublicKeyCredential.toJSON()`` dict: ES256 or EdDSA credentials, ``none``
or ``packed`` attestation (self or with an x5c chain from a test root), and
hooks to tamper with every field before (or after) signing.  Its CBOR
encoder is its own, so the tests do not trust the library under test to
build what it then parses.

Import as ``from webauthn_authenticator import SoftAuthenticator``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import struct

from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID


UP, UV, BE, BS, AT, ED = 0x01, 0x04, 0x08, 0x10, 0x40, 0x80
AAGUID_OID = x509.ObjectIdentifier("1.3.6.1.4.1.45724.1.1.4")


def b64(data: bytes) -> str:
    """base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    """Decode base64url with or without padding."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for ai, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if value < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | ai]) + struct.pack(fmt, value)
    raise ValueError(value)


def cbor(value: Any) -> bytes:  # noqa: PLR0911 - one branch per CBOR type
    """Canonical CBOR of ints, bytes, text, lists, maps and booleans."""
    if value is True:
        return b"\xf5"
    if value is False:
        return b"\xf4"
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode()
        return _head(3, len(raw)) + raw
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(cbor(v) for v in value)
    if isinstance(value, dict):
        items = sorted(
            (cbor(k), cbor(v)) for k, v in value.items()
        )  # length-first canonical order is not needed by the RP
        return _head(5, len(items)) + b"".join(k + v for k, v in items)
    raise TypeError(type(value))


@dataclass
class _Key:
    alg: str
    private: ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey

    @classmethod
    def generate(cls, alg: str) -> _Key:
        if alg == "ES256":
            return cls(alg, ec.generate_private_key(ec.SECP256R1()))
        if alg == "EdDSA":
            return cls(alg, ed25519.Ed25519PrivateKey.generate())
        raise ValueError(alg)

    @property
    def cose_alg(self) -> int:
        return -7 if self.alg == "ES256" else -8

    def cose(self) -> dict[int, Any]:
        if isinstance(self.private, ec.EllipticCurvePrivateKey):
            numbers = self.private.public_key().public_numbers()
            return {
                1: 2,
                3: -7,
                -1: 1,
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        raw = self.private.public_key().public_bytes_raw()
        return {1: 1, 3: -8, -1: 6, -2: raw}

    def sign(self, message: bytes) -> bytes:
        if isinstance(self.private, ec.EllipticCurvePrivateKey):
            return self.private.sign(message, ec.ECDSA(hashes.SHA256()))
        return self.private.sign(message)


@dataclass
class AttestationCA:
    """A test root CA and a packed attestation certificate under it."""

    aaguid: bytes
    root_name: str = "Test FIDO Root CA"
    root_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    root: x509.Certificate = field(init=False)
    cert: x509.Certificate = field(init=False)

    def __post_init__(self) -> None:
        now = dt.datetime.now(dt.timezone.utc)
        root_name = x509.Name(
            [x509.NameAttribute(NameOID.COMMON_NAME, self.root_name)]
        )

        def ten_years(
            subject: x509.Name, key: ec.EllipticCurvePrivateKey, *, ca: bool
        ) -> x509.CertificateBuilder:
            """A certificate for *key* issued by the root, from yesterday."""
            return (
                x509.CertificateBuilder()
                .subject_name(subject)
                .issuer_name(root_name)
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(days=1))
                .not_valid_after(now + dt.timedelta(days=3650))
                .add_extension(
                    x509.BasicConstraints(ca=ca, path_length=None),
                    critical=True,
                )
            )

        self.root = ten_years(root_name, self.root_key, ca=True).sign(
            self.root_key, hashes.SHA256()
        )
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "SE"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test Keys AB"),
                x509.NameAttribute(
                    NameOID.ORGANIZATIONAL_UNIT_NAME,
                    "Authenticator Attestation",
                ),
                x509.NameAttribute(NameOID.COMMON_NAME, "Test Key Series 1"),
            ]
        )
        self.cert = (
            ten_years(subject, self.key, ca=False)
            .add_extension(
                x509.UnrecognizedExtension(
                    AAGUID_OID, b"\x04\x10" + self.aaguid
                ),
                critical=False,
            )
            .sign(self.root_key, hashes.SHA256())
        )

    def der(self) -> bytes:
        """The attestation certificate, DER."""
        from cryptography.hazmat.primitives.serialization import Encoding

        return self.cert.public_bytes(Encoding.DER)


@dataclass
class _Stored:
    key: _Key
    rp_id: str
    user_handle: bytes
    counter: int


class SoftAuthenticator:
    """A software authenticator and client in one.

    Args:
        alg: ``"ES256"`` or ``"EdDSA"``.
        attestation: ``"none"``, ``"packed"`` (self attestation) or
            ``"packed-x5c"`` (needs *ca*).
        aaguid: The model (16 bytes).
        ca: The attestation CA for ``"packed-x5c"``.
        uv: Set the UV flag.
        backup_eligible, backed_up: Set the BE / BS flags.
    """

    def __init__(
        self,
        alg: str = "ES256",
        *,
        attestation: str = "none",
        aaguid: bytes = bytes(16),
        ca: AttestationCA | None = None,
        uv: bool = True,
        backup_eligible: bool = False,
        backed_up: bool = False,
    ) -> None:
        self.alg = alg
        self.attestation = attestation
        self.aaguid = aaguid
        self.ca = ca
        self.uv = uv
        self.backup_eligible = backup_eligible
        self.backed_up = backed_up
        self.credentials: dict[bytes, _Stored] = {}

    def _flags(self, *extra: int) -> int:
        flags = UP | (UV if self.uv else 0)
        flags |= BE if self.backup_eligible else 0
        flags |= BS if self.backed_up else 0
        for bit in extra:
            flags |= bit
        return flags

    @staticmethod
    def _client_data(
        kind: str, challenge: str, origin: str, overrides: dict[str, Any]
    ) -> bytes:
        data: dict[str, Any] = {
            "type": kind,
            "challenge": challenge,
            "origin": origin,
            "crossOrigin": False,
        }
        for key, value in overrides.items():
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
        return json.dumps(data, separators=(",", ":")).encode()

    def create(
        self,
        options_json: str,
        origin: str,
        *,
        client_data: dict[str, Any] | None = None,
        rp_id: str | None = None,
        flags: int | None = None,
        counter: int = 0,
        credential_id: bytes | None = None,
        cose: dict[int, Any] | None = None,
        fmt: str | None = None,
    ) -> dict[str, Any]:
        """Answer ``navigator.credentials.create()``; tamper as asked."""
        options = json.loads(options_json)
        key = _Key.generate(self.alg)
        cred_id = credential_id or os.urandom(32)
        rp = rp_id or options["rp"]["id"]
        user_handle = unb64(options["user"]["id"])
        cdj = self._client_data(
            "webauthn.create", options["challenge"], origin, client_data or {}
        )
        public = cbor(cose if cose is not None else key.cose())
        attested = (
            self.aaguid + struct.pack(">H", len(cred_id)) + cred_id + public
        )
        auth_data = (
            hashlib.sha256(rp.encode()).digest()
            + struct.pack(
                ">BI", self._flags(AT) if flags is None else flags, counter
            )
            + attested
        )
        signed = auth_data + hashlib.sha256(cdj).digest()
        if self.attestation == "none":
            statement: dict[str, Any] = {}
        elif self.attestation == "packed":
            statement = {"alg": key.cose_alg, "sig": key.sign(signed)}
        else:
            assert self.ca is not None
            statement = {
                "alg": -7,
                "sig": self.ca.key.sign(signed, ec.ECDSA(hashes.SHA256())),
                "x5c": [self.ca.der()],
            }
        fmt = fmt or ("none" if self.attestation == "none" else "packed")
        attestation_object = cbor(
            {"fmt": fmt, "authData": auth_data, "attStmt": statement}
        )
        self.credentials[cred_id] = _Stored(key, rp, user_handle, counter)
        return {
            "id": b64(cred_id),
            "rawId": b64(cred_id),
            "type": "public-key",
            "authenticatorAttachment": "cross-platform",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": b64(cdj),
                "attestationObject": b64(attestation_object),
                "transports": ["usb", "nfc"],
            },
        }

    def get(
        self,
        options_json: str,
        origin: str,
        *,
        client_data: dict[str, Any] | None = None,
        rp_id: str | None = None,
        flags: int | None = None,
        counter: int | None = None,
        credential_id: bytes | None = None,
        user_handle: bytes | bool | None = True,
    ) -> dict[str, Any]:
        """Answer ``navigator.credentials.get()``; tamper as asked.

        The counter goes up by one per signature unless *counter* is given.
        """
        options = json.loads(options_json)
        allowed = [unb64(c["id"]) for c in options.get("allowCredentials", [])]
        if credential_id is None:
            candidates = [
                cid
                for cid, s in self.credentials.items()
                if s.rp_id == options["rpId"]
                and (not allowed or cid in allowed)
            ]
            credential_id = candidates[0]
        stored = self.credentials[credential_id]
        stored.counter = stored.counter + 1 if counter is None else counter
        rp = rp_id or options["rpId"]
        cdj = self._client_data(
            "webauthn.get", options["challenge"], origin, client_data or {}
        )
        auth_data = hashlib.sha256(rp.encode()).digest() + struct.pack(
            ">BI", self._flags() if flags is None else flags, stored.counter
        )
        signature = stored.key.sign(auth_data + hashlib.sha256(cdj).digest())
        handle = stored.user_handle if user_handle is True else user_handle
        response: dict[str, Any] = {
            "clientDataJSON": b64(cdj),
            "authenticatorData": b64(auth_data),
            "signature": b64(signature),
        }
        if handle:
            response["userHandle"] = b64(handle)
        return {
            "id": b64(credential_id),
            "rawId": b64(credential_id),
            "type": "public-key",
            "authenticatorAttachment": "cross-platform",
            "clientExtensionResults": {},
            "response": response,
        }

"""WebAuthn / FIDO2 relying party: ceremonies, state tokens, credentials.

This module holds what needs no FIDO library: the policy, the encrypted
state tokens, the single-use challenge store and the :class:`Credential`
record.  The parsing and verification of the browser's responses is done by
Yubico's ``fido2`` in :mod:`dataprotect.twofactor._webauthn_fido`, imported
when a :class:`RelyingParty` is made, so ``import dataprotect.twofactor``
works without the ``webauthn`` extra.
"""

from __future__ import annotations

import json
import os
import re
import struct
import threading
import time
import uuid

from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import (
    TYPE_CHECKING,
    Final,
    Literal,
    NoReturn,
    Protocol,
    TypeAlias,
    runtime_checkable,
)
from urllib.parse import urlsplit

from cryptography import x509

from dataprotect._encoding import b64decode, b64encode
from dataprotect._secret import Unpicklable, check_bytes, check_type
from dataprotect.encryption import Encryptor
from dataprotect.errors import (
    ChallengeExpiredError,
    ChallengeReusedError,
    ClonedAuthenticatorError,
    ConfigurationError,
    DecryptionError,
    KeyNotFoundError,
    MissingDependencyError,
    UnknownCredentialError,
    WebAuthnFormatError,
    WebAuthnStateError,
)
from dataprotect.keys import Keyring


if TYPE_CHECKING:
    from dataprotect.twofactor._webauthn_fido import Engine


__all__ = [
    "AuthenticationResult",
    "ChallengeStore",
    "Credential",
    "CredentialLookup",
    "CredentialStore",
    "MemoryChallengeStore",
    "RelyingParty",
    "WebAuthnUser",
]

#: Bytes of a fresh challenge (the spec asks for at least 16).
CHALLENGE_SIZE: Final = 32
#: Largest user handle the spec allows.
MAX_USER_HANDLE: Final = 64
#: Largest credential id the spec allows.
MAX_CREDENTIAL_ID: Final = 1023
#: Largest COSE public key accepted (an RSA-4096 key is about 550 bytes).
MAX_PUBLIC_KEY: Final = 2048
#: Longest user name and display name accepted, in characters.
MAX_NAME: Final = 256
#: Largest stored credential JSON accepted by :meth:`Credential.from_json`.
MAX_CREDENTIAL_JSON: Final = 8192
_MAX_STATE_TOKEN: Final = 512
_MAX_TTL: Final = 86400.0

TRANSPORTS: Final = frozenset(
    {"usb", "nfc", "ble", "hybrid", "internal", "smart-card"}
)
_STATE_VERSION: Final = 1
_REGISTRATION: Final = 0x52  # "R"
_AUTHENTICATION: Final = 0x41  # "A"
_STATE_HEAD: Final = struct.Struct(">BBQ32sB")  # version kind exp chal len
_STATE_CONTEXT: Final = b"dataprotect/v1/webauthn-state\x00"
_BAD_STATE: Final = "invalid WebAuthn state token"
_CREDENTIAL_VERSION: Final = 1
_RP_ID: Final = re.compile(
    r"(?=.{1,253}\Z)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
    r"(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*"
)

UserVerification = Literal["required", "preferred"]
Attestation = Literal["none", "direct"]
ResidentKey = Literal["discouraged", "preferred", "required"]
Attachment = Literal["platform", "cross-platform"]
SignCountPolicy = Literal["reject", "report"]


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


@dataclass(frozen=True, slots=True)
class WebAuthnUser:
    """The account a credential is registered for.

    Args:
        id: The *user handle*: 1 to 64 opaque bytes that identify the
            account and never change.  The authenticator stores it and
            returns it when signing in without a user name, so it must not
            hold personal data (no e-mail address): use
            :meth:`new_handle` and store it with the account.
        name: The account name shown by the authenticator (e.g. the e-mail
            address or user name), at most 256 characters.
        display_name: A friendly name (defaults to *name*).

    .. versionadded:: 0.1.0
    """

    id: bytes
    name: str
    display_name: str = ""

    def __post_init__(self) -> None:
        handle = check_bytes("id", self.id)
        object.__setattr__(self, "id", handle)
        check_type("name", self.name, str)
        check_type("display_name", self.display_name, str)
        if not 1 <= len(handle) <= MAX_USER_HANDLE:
            msg = "id (the user handle) must be 1 to 64 bytes"
            raise ConfigurationError(msg)
        if not self.name or len(self.name) > MAX_NAME:
            msg = "name must be 1 to 256 characters"
            raise ConfigurationError(msg)
        if len(self.display_name) > MAX_NAME:
            msg = "display_name must be at most 256 characters"
            raise ConfigurationError(msg)

    @staticmethod
    def new_handle() -> bytes:
        """A fresh random user handle (32 bytes) for a new account."""
        return os.urandom(32)


@dataclass(frozen=True, slots=True, kw_only=True)
class Credential:
    """A registered WebAuthn credential: what to store per security key.

    :meth:`to_json` and :meth:`from_json` turn it into a JSON text for any
    database; nothing in it is secret (it holds a *public* key), but it
    must not be changed by anyone but the server, so store it server-side.
    :meth:`RelyingParty.finish_authentication` returns an updated copy
    (sign count, backup state, last use): store that one.

    Attributes:
        id: The credential id the authenticator chose.
        user_handle: The :attr:`WebAuthnUser.id` it was registered for.
        public_key: The COSE_Key (CBOR) of the credential.
        algorithm: Its COSE algorithm (-7 ES256, -8 EdDSA, -257 RS256...).
        sign_count: The last signature counter seen (0 if unsupported).
        transports: How the browser can reach the authenticator (``usb``,
            ``nfc``, ``ble``, ``hybrid``, ``internal``, ``smart-card``).
        aaguid: The authenticator model; trustworthy only when the
            attestation was verified against an allow-list.
        backup_eligible: The credential can be synced to other devices (a
            passkey in a password manager or cloud keychain).
        backed_up: It is currently backed up (synced).
        attestation_format: The attestation statement format (``none``,
            ``packed``...).
        created_at: When it was registered (UTC).
        last_used_at: When it last signed in (UTC), or ``None``.

    .. versionadded:: 0.1.0
    """

    id: bytes
    user_handle: bytes
    public_key: bytes
    algorithm: int
    sign_count: int = 0
    transports: tuple[str, ...] = ()
    aaguid: uuid.UUID = field(default_factory=lambda: uuid.UUID(int=0))
    backup_eligible: bool = False
    backed_up: bool = False
    attestation_format: str = "none"
    created_at: datetime = field(
        default_factory=lambda: datetime.now(timezone.utc)
    )
    last_used_at: datetime | None = None

    def to_json(self) -> str:
        """This credential as a JSON object (bytes in base64url)."""
        return json.dumps(
            {
                "v": _CREDENTIAL_VERSION,
                "id": b64encode(self.id),
                "userHandle": b64encode(self.user_handle),
                "publicKey": b64encode(self.public_key),
                "alg": self.algorithm,
                "signCount": self.sign_count,
                "transports": list(self.transports),
                "aaguid": str(self.aaguid),
                "backupEligible": self.backup_eligible,
                "backedUp": self.backed_up,
                "fmt": self.attestation_format,
                "createdAt": self.created_at.isoformat(),
                "lastUsedAt": (
                    None
                    if self.last_used_at is None
                    else self.last_used_at.isoformat()
                ),
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Credential:
        """Load a credential written by :meth:`to_json`.

        Raises:
            dataprotect.errors.WebAuthnFormatError: *text* is not such a
                JSON object, or a field is of the wrong type or size.
        """
        given: object = text
        if not isinstance(given, (str, bytes)):
            msg = "text must be str or bytes"
            raise TypeError(msg)
        if len(given) > MAX_CREDENTIAL_JSON:
            _format("stored credential is too large")
        try:
            data = json.loads(given)
        except (ValueError, RecursionError):
            _format("stored credential is not JSON")
        if not isinstance(data, dict) or data.get("v") != _CREDENTIAL_VERSION:
            _format("stored credential is not a version 1 credential")
        transports = data.get("transports")
        if (
            not isinstance(transports, list)
            or len(transports) > len(TRANSPORTS)
            or not all(
                isinstance(t, str) and t in TRANSPORTS for t in transports
            )
        ):
            _format("stored credential has invalid transports")
        last_used = data.get("lastUsedAt")
        return cls(
            id=_b64_field(data, "id", MAX_CREDENTIAL_ID),
            user_handle=_b64_field(data, "userHandle", MAX_USER_HANDLE),
            public_key=_b64_field(data, "publicKey", MAX_PUBLIC_KEY),
            algorithm=_int_field(data, "alg", -(2**31), 2**31),
            sign_count=_int_field(data, "signCount", 0, 2**32 - 1),
            transports=tuple(transports),
            aaguid=_uuid_field(data),
            backup_eligible=_bool_field(data, "backupEligible"),
            backed_up=_bool_field(data, "backedUp"),
            attestation_format=_short_str(data, "fmt"),
            created_at=_time_field(data.get("createdAt")),
            last_used_at=(
                None if last_used is None else _time_field(last_used)
            ),
        )


def _format(message: str) -> NoReturn:
    raise WebAuthnFormatError(message) from None


def _invalid(key: str) -> NoReturn:
    msg = f"stored credential field {key} is invalid"
    raise WebAuthnFormatError(msg)


def _bool_field(data: dict[str, object], key: str) -> bool:
    value = data.get(key)
    if not isinstance(value, bool):
        _invalid(key)
    return value


def _str_field(data: dict[str, object], key: str, limit: int) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not 1 <= len(value) <= limit:
        _invalid(key)
    return value


def _b64_field(data: dict[str, object], key: str, limit: int) -> bytes:
    value = _str_field(data, key, 2 * limit)
    try:
        raw = b64decode(value)
    except ValueError:
        _invalid(key)
    if not 1 <= len(raw) <= limit:
        _invalid(key)
    return raw


def _int_field(data: dict[str, object], key: str, low: int, high: int) -> int:
    value = data.get(key)
    if type(value) is not int or not low <= value <= high:
        _invalid(key)
    return value


def _short_str(data: dict[str, object], key: str) -> str:
    return _str_field(data, key, 32)


def _uuid_field(data: dict[str, object]) -> uuid.UUID:
    value = _str_field(data, "aaguid", 36)
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        _invalid("aaguid")
    if str(parsed) != value:
        _invalid("aaguid")
    return parsed


def _time_field(value: object) -> datetime:
    if isinstance(value, str) and len(value) <= 40:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            if parsed.utcoffset() is not None:
                return parsed.astimezone(timezone.utc)
    msg = "stored credential has an invalid timestamp"
    raise WebAuthnFormatError(msg)


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthenticationResult:
    """What :meth:`RelyingParty.finish_authentication` found.

    Attributes:
        credential: The credential that signed in, updated (new sign
            count, backup state, :attr:`~Credential.last_used_at`): store
            it in place of the old one.
        user_handle: The account that signed in.
        user_verified: The authenticator verified the user (PIN or
            biometric), not only their presence.
        sign_count_regressed: The signature counter did not increase, a
            sign of a cloned authenticator.  Only ever ``True`` under the
            ``sign_count="report"`` policy (the default policy refuses
            the sign-in instead).

    .. versionadded:: 0.1.0
    """

    credential: Credential
    user_handle: bytes
    user_verified: bool
    sign_count_regressed: bool = False


@runtime_checkable
class ChallengeStore(Protocol):
    """**Protocol:** remembers which challenges were used.

    A state token is authenticated but not single-use by itself: a stateless
    server cannot tell a replayed token from a fresh one.  The store closes
    that gap: :meth:`consume` records a challenge and says whether it was
    new.  It need only remember a challenge until *expires_at*: after that
    the token is refused as expired anyway.

    .. versionadded:: 0.1.0
    """

    def consume(self, challenge: bytes, expires_at: float) -> bool:
        """Record *challenge*; ``True`` if it was not recorded before.

        Must be atomic: of two concurrent calls with one challenge, exactly
        one returns ``True``.  *expires_at* is a Unix time in seconds.
        """
        ...  # pragma: no cover - protocol


class MemoryChallengeStore(Unpicklable):
    """A thread-safe :class:`ChallengeStore` in this process's memory.

    Right for one process.  Several processes or servers behind a load
    balancer each have their own memory, so a token replayed to another
    process would be accepted there: share a store between them instead
    (see the Redis recipe in the docs).

    Args:
        clock: Returns the current Unix time in seconds (default
            :func:`time.time`), to forget expired challenges.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_clock", "_lock", "_seen")

    def __init__(self, *, clock: Callable[[], float] | None = None) -> None:
        self._clock = time.time if clock is None else clock
        self._lock = threading.Lock()
        self._seen: OrderedDict[bytes, float] = OrderedDict()

    def __repr__(self) -> str:
        return f"<MemoryChallengeStore entries={len(self._seen)}>"

    def __len__(self) -> int:
        return len(self._seen)

    def consume(self, challenge: bytes, expires_at: float) -> bool:
        """Record *challenge*; ``True`` if it was not recorded before."""
        now = self._clock()
        with self._lock:
            seen = self._seen
            # Forget expired entries, oldest first (expiries are nearly in
            # insertion order: one TTL per relying party).
            while seen:
                oldest = next(iter(seen))
                if seen[oldest] >= now:
                    break
                del seen[oldest]
            if challenge in seen:
                return False
            seen[challenge] = expires_at
            return True


@runtime_checkable
class CredentialStore(Protocol):
    """**Protocol:** where the application keeps credential JSON.

    Three methods over one table of ``(credential id, user handle, JSON)``
    rows, indexed by both ids.

    The web framework adapters
    (:func:`~dataprotect.integrations.flask.webauthn_blueprint`,
    :func:`~dataprotect.integrations.starlette.webauthn_routes`) keep
    credentials in one.

    .. versionadded:: 0.1.0
    """

    def credentials(self, user_handle: bytes) -> Iterable[str]:
        """The JSON of every credential of the account *user_handle*."""
        ...  # pragma: no cover - protocol

    def credential(self, credential_id: bytes) -> str | None:
        """The JSON of credential *credential_id*, or ``None``."""
        ...  # pragma: no cover - protocol

    def save(
        self, credential_id: bytes, user_handle: bytes, credential_json: str
    ) -> None:
        """Insert or replace credential *credential_id*'s JSON."""
        ...  # pragma: no cover - protocol


#: Finds a stored credential by its id (``None`` when unknown).
CredentialLookup: TypeAlias = Callable[[bytes], "Credential | None"]


@dataclass(frozen=True, slots=True)
class _State:
    kind: int
    expires_at: float
    challenge: bytes
    user_handle: bytes | None


def _check_origin(origin: str, rp_id: str) -> str:
    check_type("origin", origin, str)
    try:
        parts = urlsplit(origin)
        port = parts.port
    except ValueError:
        port, parts = None, None
    host = parts.hostname if parts is not None else None
    if parts is None or host is None:
        msg = "each origin must be scheme://host[:port]"
        raise ConfigurationError(msg)
    canonical = f"{parts.scheme}://{host}" + (
        "" if port is None else f":{port}"
    )
    if origin != canonical:
        msg = "each origin must be scheme://host[:port], lower case, no path"
        raise ConfigurationError(msg)
    local = host == "localhost" or host.endswith(".localhost")
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        msg = "origins must be https (http only for localhost)"
        raise ConfigurationError(msg)
    if host != rp_id and not host.endswith("." + rp_id):
        msg = "each origin's host must be rp_id or a subdomain of it"
        raise ConfigurationError(msg)
    return origin


def _check_rp(
    rp_id: str, rp_name: str, origins: Iterable[str]
) -> frozenset[str]:
    check_type("rp_id", rp_id, str)
    check_type("rp_name", rp_name, str)
    if not _RP_ID.fullmatch(rp_id):
        msg = "rp_id must be a lower-case domain name (no scheme or port)"
        raise ConfigurationError(msg)
    if not 1 <= len(rp_name) <= MAX_NAME:
        msg = "rp_name must be 1 to 256 characters"
        raise ConfigurationError(msg)
    if isinstance(origins, str):
        origins = [origins]
    checked = frozenset(_check_origin(o, rp_id) for o in origins)
    if not checked:
        msg = "origins must name at least one origin"
        raise ConfigurationError(msg)
    return checked


def _check_attestation(
    attestation: str,
    allowed_aaguids: Iterable[uuid.UUID | str] | None,
    roots: tuple[x509.Certificate, ...],
) -> frozenset[uuid.UUID] | None:
    for root in roots:
        check_type("attestation_roots", root, x509.Certificate)
    if allowed_aaguids is None:
        return None
    aaguids = frozenset(_aaguid(a) for a in allowed_aaguids)
    if attestation != "direct" or not roots:
        msg = (
            "allowed_aaguids needs attestation='direct' and "
            "attestation_roots: a model is only trusted when its "
            "attestation chains to a vendor root"
        )
        raise ConfigurationError(msg)
    return aaguids


def _check_ttl(challenge_ttl: object) -> None:
    if isinstance(challenge_ttl, bool) or not isinstance(
        challenge_ttl, (int, float)
    ):
        msg = "challenge_ttl must be a number"
        raise TypeError(msg)
    if not 1 <= challenge_ttl <= _MAX_TTL:
        msg = "challenge_ttl must be 1 to 86400 seconds"
        raise ConfigurationError(msg)


class RelyingParty(Unpicklable):
    """A WebAuthn relying party: registers security keys and signs in.

    The four ceremony methods take and return the JSON the browser's
    ``navigator.credentials.create()``/``get()`` use
    (``PublicKeyCredential.parseCreationOptionsFromJSON()`` and
    ``toJSON()``), so any front end can call them.  Between *begin* and
    *finish* the server keeps nothing: the *state token* (encrypted and
    authenticated under *keyring*) travels with the client, carrying the
    challenge, its expiry and the user handle; the *challenge_store* makes
    each token single-use.

    Args:
        rp_id: The RP ID: the site's registrable domain or a parent of it
            (``example.com``); credentials are scoped to it for good.
        rp_name: The name authenticators may show.
        origins: The exact origins allowed (``https://example.com``,
            ``https://login.example.com:8443``); ``http`` only for
            ``localhost``.
        keyring: Encrypts the state tokens.
        user_verification: ``"required"`` (default: a PIN or biometric on
            every ceremony) or ``"preferred"`` (presence suffices; the
            result reports whether the user was verified).
        attestation: ``"none"`` (default) or ``"direct"``: ask for and
            verify the authenticator's attestation statement.
        allowed_aaguids: Accept only these authenticator models (needs
            ``attestation="direct"`` and *attestation_roots*): the
            attestation must chain to one of the roots, so a model cannot
            be claimed by software.
        attestation_roots: The vendors' attestation root certificates.
        allow_backup_eligible: ``False`` refuses credentials that can be
            synced (passkeys in a cloud keychain), accepting device-bound
            keys only.
        resident_key: Whether to ask for a discoverable credential (sign in
            without typing a user name).
        challenge_ttl: Seconds a ceremony may take (default 300).
        challenge_store: Remembers used challenges (default: a
            :class:`MemoryChallengeStore`, right for one process only).
        sign_count: On a signature counter that did not increase:
            ``"reject"`` (default) raises
            :class:`~dataprotect.errors.ClonedAuthenticatorError`;
            ``"report"`` signs in and sets
            :attr:`AuthenticationResult.sign_count_regressed`.
        clock: Returns the current Unix time in seconds (default
            :func:`time.time`); the state token's expiry is wall-clock time,
            since it crosses processes.

    Raises:
        dataprotect.errors.ConfigurationError: An invalid or inconsistent
            setting.
        dataprotect.errors.MissingDependencyError: ``fido2`` is not
            installed (``dataprotect[webauthn]``).

    .. versionadded:: 0.1.0
    """

    __slots__ = (
        "_allow_backup_eligible",
        "_clock",
        "_context",
        "_encryptor",
        "_engine",
        "_origins",
        "_resident_key",
        "_rp_id",
        "_sign_count",
        "_store",
        "_ttl",
        "_uv_required",
    )

    def __init__(
        self,
        rp_id: str,
        rp_name: str,
        origins: Iterable[str],
        keyring: Keyring,
        *,
        user_verification: UserVerification = "required",
        attestation: Attestation = "none",
        allowed_aaguids: Iterable[uuid.UUID | str] | None = None,
        attestation_roots: Iterable[x509.Certificate] = (),
        allow_backup_eligible: bool = True,
        resident_key: ResidentKey = "preferred",
        challenge_ttl: float = 300,
        challenge_store: ChallengeStore | None = None,
        sign_count: SignCountPolicy = "reject",
        clock: Callable[[], float] | None = None,
    ) -> None:
        checked = _check_rp(rp_id, rp_name, origins)
        check_type("keyring", keyring, Keyring)
        _choose("user_verification", user_verification, UserVerification)
        _choose("attestation", attestation, Attestation)
        _choose("resident_key", resident_key, ResidentKey)
        _choose("sign_count", sign_count, SignCountPolicy)
        roots = tuple(attestation_roots)
        aaguids = _check_attestation(attestation, allowed_aaguids, roots)
        _check_ttl(challenge_ttl)
        store: object = challenge_store
        if store is not None and not isinstance(store, ChallengeStore):
            msg = "challenge_store must have a consume() method"
            raise TypeError(msg)
        self._clock = time.time if clock is None else clock
        self._rp_id = rp_id
        self._origins = checked
        self._uv_required = user_verification == "required"
        self._resident_key = resident_key
        self._allow_backup_eligible = bool(allow_backup_eligible)
        self._ttl = float(challenge_ttl)
        self._sign_count = sign_count
        self._store: ChallengeStore = (
            MemoryChallengeStore(clock=self._clock)
            if challenge_store is None
            else challenge_store
        )
        self._encryptor = Encryptor(keyring)
        self._context = _STATE_CONTEXT + rp_id.encode("ascii")
        try:
            from dataprotect.twofactor import _webauthn_fido
        except ImportError:  # pragma: no cover - exercised without the extra
            msg = "WebAuthn needs fido2: install dataprotect[webauthn]"
            raise MissingDependencyError(msg) from None
        self._engine: Engine = _webauthn_fido.Engine(
            rp_id=rp_id,
            rp_name=rp_name,
            origins=checked,
            uv_required=self._uv_required,
            attestation=attestation,
            allowed_aaguids=aaguids,
            roots=roots,
            timeout_ms=int(self._ttl * 1000),
        )

    def __repr__(self) -> str:
        return f"<RelyingParty rp_id={self._rp_id!r}>"

    @property
    def rp_id(self) -> str:
        """The RP ID credentials are scoped to."""
        return self._rp_id

    # -- state tokens ------------------------------------------------------

    def _seal(self, kind: int, challenge: bytes, user: bytes | None) -> str:
        expires_ms = int((self._clock() + self._ttl) * 1000)
        handle = b"" if user is None else user
        plain = (
            _STATE_HEAD.pack(
                _STATE_VERSION, kind, expires_ms, challenge, len(handle)
            )
            + handle
        )
        return b64encode(self._encryptor.encrypt(plain, self._context))

    def _open(self, token: object, kind: int) -> _State:
        """Authenticate, check and consume a state token."""
        if not isinstance(token, str) or len(token) > _MAX_STATE_TOKEN:
            raise WebAuthnStateError(_BAD_STATE)
        try:
            plain = self._encryptor.decrypt(b64decode(token), self._context)
        except (ValueError, DecryptionError, KeyNotFoundError):
            raise WebAuthnStateError(_BAD_STATE) from None
        head = _STATE_HEAD.size
        if len(plain) < head:
            raise WebAuthnStateError(_BAD_STATE)
        version, got, expires_ms, challenge, size = _STATE_HEAD.unpack_from(
            plain
        )
        if (
            version != _STATE_VERSION
            or got != kind
            or len(plain) != head + size
        ):
            raise WebAuthnStateError(_BAD_STATE)
        expires_at = expires_ms / 1000
        if self._clock() > expires_at:
            msg = "the WebAuthn challenge expired: begin the ceremony again"
            raise ChallengeExpiredError(msg)
        if not self._store.consume(challenge, expires_at):
            msg = "the WebAuthn state token was already used"
            raise ChallengeReusedError(msg)
        return _State(kind, expires_at, challenge, plain[head:] or None)

    # -- registration ------------------------------------------------------

    def begin_registration(
        self,
        user: WebAuthnUser,
        *,
        exclude: Iterable[Credential] = (),
        authenticator_attachment: Attachment | None = None,
    ) -> tuple[str, str]:
        """Start registering a security key for *user*.

        Args:
            user: The account.
            exclude: The account's registered credentials, so the same
                authenticator is not registered twice.
            authenticator_attachment: Ask for a ``"platform"``
                authenticator (built into the device) or a
                ``"cross-platform"`` one (a USB/NFC key); default: either.

        Returns:
            ``(options_json, state_token)``: send both to the client; pass
            the options to
            ``PublicKeyCredential.parseCreationOptionsFromJSON()``, and
            return the state token with the response to
            :meth:`finish_registration`.
        """
        check_type("user", user, WebAuthnUser)
        excluded = [check_type("exclude", c, Credential) for c in exclude]
        if authenticator_attachment is not None:
            _choose(
                "authenticator_attachment",
                authenticator_attachment,
                Attachment,
            )
        challenge = os.urandom(CHALLENGE_SIZE)
        options = self._engine.registration_options(
            challenge,
            user,
            [(c.id, c.transports) for c in excluded],
            self._resident_key,
            authenticator_attachment,
        )
        return options, self._seal(_REGISTRATION, challenge, user.id)

    def finish_registration(
        self, state: str, response: str | bytes | Mapping[str, object]
    ) -> Credential:
        """Verify the browser's registration response; return the new
        credential.

        Args:
            state: The state token from :meth:`begin_registration`.
            response: ``PublicKeyCredential.toJSON()`` of the created
                credential, as JSON text or already parsed.

        Returns:
            The credential to store for the account.  Nothing is stored on
            any failure.

        Raises:
            dataprotect.errors.WebAuthnStateError: A forged, foreign or
                wrong-ceremony token; its subclasses
                :class:`~dataprotect.errors.ChallengeExpiredError` and
                :class:`~dataprotect.errors.ChallengeReusedError`.
            dataprotect.errors.WebAuthnFormatError: A malformed response.
            dataprotect.errors.WebAuthnVerificationError: A failed check
                (its subclass names which).
        """
        st = self._open(state, _REGISTRATION)
        assert st.user_handle is not None  # noqa: S101 - begin always sets it
        new = self._engine.verify_registration(
            st.challenge,
            response,
            allow_backup_eligible=self._allow_backup_eligible,
        )
        return Credential(
            id=new.credential_id,
            user_handle=st.user_handle,
            public_key=new.public_key,
            algorithm=new.algorithm,
            sign_count=new.sign_count,
            transports=new.transports,
            aaguid=uuid.UUID(bytes=new.aaguid),
            backup_eligible=new.backup_eligible,
            backed_up=new.backed_up,
            attestation_format=new.fmt,
            created_at=_utc(self._clock()),
        )

    # -- authentication ----------------------------------------------------

    def begin_authentication(
        self,
        credentials: Iterable[Credential] = (),
        *,
        user_handle: bytes | None = None,
    ) -> tuple[str, str]:
        """Start signing in.

        Args:
            credentials: The account's registered credentials, when the user
                named their account; empty for a sign-in without a user name
                (the authenticator picks a discoverable credential).
            user_handle: The account, when *credentials* is empty but the
                account is known; taken from *credentials* otherwise.

        Returns:
            ``(options_json, state_token)``: pass the options to
            ``PublicKeyCredential.parseRequestOptionsFromJSON()``.

        Raises:
            dataprotect.errors.ConfigurationError: *credentials* belong to
                several accounts, or not to *user_handle*.
        """
        allowed = [
            check_type("credentials", c, Credential) for c in credentials
        ]
        handles = {c.user_handle for c in allowed}
        if user_handle is not None:
            handles.add(check_bytes("user_handle", user_handle))
        if len(handles) > 1:
            msg = "credentials must all belong to one account (user_handle)"
            raise ConfigurationError(msg)
        handle = handles.pop() if handles else None
        challenge = os.urandom(CHALLENGE_SIZE)
        options = self._engine.authentication_options(
            challenge, [(c.id, c.transports) for c in allowed]
        )
        return options, self._seal(_AUTHENTICATION, challenge, handle)

    def finish_authentication(
        self,
        state: str,
        response: str | bytes | Mapping[str, object],
        credentials: Iterable[Credential] | CredentialLookup,
    ) -> AuthenticationResult:
        """Verify the browser's sign-in response.

        Args:
            state: The state token from :meth:`begin_authentication`.
            response: ``PublicKeyCredential.toJSON()`` of the assertion, as
                JSON text or already parsed.
            credentials: The account's credentials, or a function that finds
                a stored credential by its id (for sign-in without a user
                name).

        Returns:
            The result; store :attr:`AuthenticationResult.credential` in
            place of the old record (its sign count changed).

        Raises:
            dataprotect.errors.WebAuthnStateError: As
                :meth:`finish_registration`.
            dataprotect.errors.WebAuthnFormatError: A malformed response.
            dataprotect.errors.UnknownCredentialError: The credential is
                not registered, not allowed, or another account's.
            dataprotect.errors.WebAuthnVerificationError: A failed check
                (its subclass names which), including
                :class:`~dataprotect.errors.ClonedAuthenticatorError`.
        """
        st = self._open(state, _AUTHENTICATION)
        assertion = self._engine.parse_assertion(response)
        credential = _find(credentials, assertion.credential_id)
        if credential is None or (
            st.user_handle is not None
            and credential.user_handle != st.user_handle
        ):
            msg = "the credential is not registered for this account"
            raise UnknownCredentialError(msg)
        if (
            assertion.user_handle is not None
            and assertion.user_handle != credential.user_handle
        ):
            msg = "the response's user handle is not the credential's"
            raise UnknownCredentialError(msg)
        checked = self._engine.verify_assertion(
            st.challenge,
            assertion,
            credential,
            allow_backup_eligible=self._allow_backup_eligible,
        )
        regressed = checked.sign_count_regressed
        if regressed and self._sign_count == "reject":
            msg = (
                "the signature counter did not increase: the authenticator "
                "may be cloned"
            )
            raise ClonedAuthenticatorError(msg)
        updated = replace(
            credential,
            sign_count=max(checked.sign_count, credential.sign_count),
            backed_up=checked.backed_up,
            last_used_at=_utc(self._clock()),
        )
        return AuthenticationResult(
            credential=updated,
            user_handle=credential.user_handle,
            user_verified=checked.user_verified,
            sign_count_regressed=regressed,
        )


def _find(
    credentials: Iterable[Credential] | CredentialLookup, credential_id: bytes
) -> Credential | None:
    if callable(credentials):
        found = credentials(credential_id)
        return (
            None
            if found is None
            else check_type("credential", found, Credential)
        )
    for candidate in credentials:
        check_type("credentials", candidate, Credential)
        if candidate.id == credential_id:
            return candidate
    return None


def _choose(name: str, value: object, kind: object) -> None:
    allowed = getattr(kind, "__args__", ())
    if value not in allowed:
        msg = f"{name} must be one of {', '.join(map(repr, allowed))}"
        raise ConfigurationError(msg)


def _aaguid(value: uuid.UUID | str) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    check_type("allowed_aaguids", value, str)
    try:
        return uuid.UUID(value)
    except ValueError:
        msg = "allowed_aaguids must hold UUIDs"
        raise ConfigurationError(msg) from None

"""A KEK held as an AES-256 key on a PKCS#11 token (an HSM, SoftHSM2).

The data key is wrapped with CKM_AES_GCM inside the token, so the KEK never
leaves it.  ``python-pkcs11`` is imported only when the KEK is used.
"""

from __future__ import annotations

import contextlib
import os

from collections.abc import Iterator
from typing import Any, Final

from dataprotect._secret import Secret, Unpicklable, encode_secret
from dataprotect.errors import (
    BackendError,
    ConfigurationError,
    DataProtectError,
    KeyringError,
    MissingDependencyError,
)


__all__ = ["PKCS11KEK", "load_library", "resolve_token", "token_errors"]

_NONCE_SIZE: Final = 12
_UNWRAP_FAILED: Final = "cannot unlock keyring: wrong HSM key or corrupt file"


def _parse_uri(uri: str) -> dict[str, str]:
    """The attributes of an RFC 7512 ``pkcs11:`` URI (path and query)."""
    # Imported here, not with dataprotect.keys: only a pkcs11: KEK needs it.
    from urllib.parse import unquote

    if not uri.startswith("pkcs11:"):
        msg = "a PKCS#11 URI must start with 'pkcs11:'"
        raise ConfigurationError(msg)
    path, _, query = uri[len("pkcs11:") :].partition("?")
    attrs: dict[str, str] = {}
    for part in [*path.split(";"), *query.split("&")]:
        if part:
            name, sep, value = part.partition("=")
            if not sep:
                msg = "malformed PKCS#11 URI attribute"
                raise ConfigurationError(msg)
            attrs[name] = unquote(value)
    return attrs


def load_library(module: str) -> Any:
    """``pkcs11.lib(module)``; a module that does not load is a BackendError.

    python-pkcs11 raises ``PKCS11Error`` (a ``RuntimeError``) or ``OSError``
    here, which would otherwise look like a failed token operation.
    """
    import pkcs11

    try:
        return pkcs11.lib(module)
    except (RuntimeError, OSError):
        msg = "cannot load the PKCS#11 module"
        raise BackendError(msg) from None


@contextlib.contextmanager
def token_errors(user_error: type[DataProtectError]) -> Iterator[None]:
    """Translate python-pkcs11's errors inside the block, naming no secret.

    A wrong PIN or a missing token or key is *user_error* (the caller's
    configuration); any other token failure is a BackendError naming only
    the PKCS#11 error type.
    """
    import pkcs11

    try:
        yield
    except pkcs11.PinIncorrect:
        msg = "PKCS#11: wrong PIN"
        raise user_error(msg) from None
    except (
        pkcs11.NoSuchToken,
        pkcs11.NoSuchKey,
        pkcs11.MultipleObjectsReturned,
    ):
        msg = "PKCS#11: token or key not found"
        raise user_error(msg) from None
    except pkcs11.PKCS11Error as exc:
        msg = f"PKCS#11 operation failed: {type(exc).__name__}"
        raise BackendError(msg) from None


def resolve_token(
    uri: str | None,
    module: str | None,
    token_label: str | None,
    key_label: str | None,
    pin: str | None,
    what: str,
) -> tuple[str, str, str, Secret | None]:
    """Module, token, key label and PIN from a URI and keyword overrides.

    The URI may carry ``pin-value`` or ``pin-source=file:...``; keyword
    arguments override it.  *what* names the user in the error message.

    Raises:
        dataprotect.errors.ConfigurationError: Malformed URI, unreadable
            pin-source, or a missing part.
    """
    attrs = _parse_uri(uri) if uri is not None else {}
    if pin is None and "pin-source" in attrs:
        source = attrs["pin-source"].removeprefix("file:")
        try:
            with open(source, encoding="utf-8") as fh:
                pin = fh.read().strip()
        except OSError:
            msg = "cannot read the PKCS#11 pin-source file"
            raise ConfigurationError(msg) from None
    module = module or attrs.get("module-path")
    token_label = token_label or attrs.get("token")
    key_label = key_label or attrs.get("object")
    pin = pin if pin is not None else attrs.get("pin-value")
    if not (module and token_label and key_label):
        msg = f"a PKCS#11 {what} needs a module path, a token and a key label"
        raise ConfigurationError(msg)
    secret = (
        None
        if pin is None
        else Secret(encode_secret("PIN", pin, ConfigurationError), label="PIN")
    )
    return module, token_label, key_label, secret


class PKCS11KEK(Unpicklable):
    """A KEK that is an AES-256 secret key on a PKCS#11 token.

    Give either an RFC 7512 URI or the parts::

        PKCS11KEK("pkcs11:token=prod;object=dataprotect-kek"
                  "?module-path=/usr/lib/softhsm/libsofthsm2.so", pin=pin)

    The URI may carry ``pin-value`` or ``pin-source=file:...``; otherwise
    pass *pin*.  Keyword arguments override the URI.

    Args:
        uri: A ``pkcs11:`` URI naming the token (``token``), the key
            (``object``) and the module (``module-path`` query attribute).
        module: Path of the PKCS#11 library.
        token_label: The token's label.
        key_label: The AES key's label (``CKA_LABEL``).
        pin: The user PIN.

    Raises:
        dataprotect.errors.ConfigurationError: The URI is malformed or a
            part is missing.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_pin", "key_label", "module", "token_label")

    kind: Final = "pkcs11"

    def __init__(
        self,
        uri: str | None = None,
        *,
        module: str | None = None,
        token_label: str | None = None,
        key_label: str | None = None,
        pin: str | None = None,
    ) -> None:
        resolved = resolve_token(
            uri, module, token_label, key_label, pin, "KEK"
        )
        self.module: str = resolved[0]
        self.token_label: str = resolved[1]
        self.key_label: str = resolved[2]
        self._pin: Secret | None = resolved[3]

    def __repr__(self) -> str:
        return f"<PKCS11KEK token={self.token_label!r} key={self.key_label!r}>"

    def _run(self, op: str, data: bytes, nonce: bytes, aad: bytes) -> bytes:
        try:
            import pkcs11

            from pkcs11.mechanisms import GCMParams
        except ImportError:
            msg = "PKCS11KEK needs python-pkcs11: install dataprotect[hsm]"
            raise MissingDependencyError(msg) from None
        with token_errors(KeyringError):
            lib = load_library(self.module)
            token = lib.get_token(token_label=self.token_label)
            pin = None if self._pin is None else self._pin.reveal().decode()
            with token.open(user_pin=pin) as session:
                key: Any = session.get_key(
                    object_class=pkcs11.ObjectClass.SECRET_KEY,
                    key_type=pkcs11.KeyType.AES,
                    label=self.key_label,
                )
                fn: Any = key.encrypt if op == "wrap" else key.decrypt
                try:
                    return bytes(
                        fn(
                            data,
                            mechanism=pkcs11.Mechanism.AES_GCM,
                            mechanism_param=GCMParams(nonce, aad, 128),
                        )
                    )
                except pkcs11.PKCS11Error as exc:
                    if op == "unwrap" and type(exc).__name__ in _TAG_ERRORS:
                        raise KeyringError(_UNWRAP_FAILED) from None
                    raise

    def wrap(self, data_key: bytes, associated_data: bytes) -> bytes:
        """Encrypt *data_key* with AES-GCM inside the token."""
        nonce = os.urandom(_NONCE_SIZE)
        return nonce + self._run("wrap", data_key, nonce, associated_data)

    def unwrap(self, wrapped: bytes, associated_data: bytes) -> bytes:
        """Decrypt a blob made by :meth:`wrap` inside the token.

        Raises:
            dataprotect.errors.KeyringError: Wrong PIN, key or blob.
            dataprotect.errors.BackendError: The token failed otherwise.
        """
        if len(wrapped) <= _NONCE_SIZE:
            raise KeyringError(_UNWRAP_FAILED)
        return self._run(
            "unwrap",
            wrapped[_NONCE_SIZE:],
            wrapped[:_NONCE_SIZE],
            associated_data,
        )


# Exceptions by which tokens report a failed GCM tag check on unwrap.
_TAG_ERRORS: Final = frozenset(
    {
        "DataInvalid",
        "EncryptedDataInvalid",
        "EncryptedDataLenRange",
        "FunctionFailed",
        "GeneralError",  # SoftHSM2 reports a failed GCM tag so
    }
)

"""Signing keys for PDF signatures: in memory (PKCS#12, PEM) or on a token.

Both kinds load their key once and keep it: pyHanko's stock
``SimpleSigner`` re-parses the private key on every signature.
"""

# ruff: noqa: E402 - pyHanko is imported after require_pyhanko() names the missing extra

from __future__ import annotations

import asyncio
import hashlib
import threading

from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Final

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import (
    ec,
    ed448,
    ed25519,
    padding,
    rsa,
)
from cryptography.hazmat.primitives.asymmetric.utils import (
    encode_dss_signature,
)
from cryptography.hazmat.primitives.serialization import pkcs12

from dataprotect._pkcs11 import load_library, token_errors
from dataprotect._secret import Secret, Unpicklable
from dataprotect.documents._deps import require_pyhanko
from dataprotect.errors import (
    BackendError,
    CertificateValidityError,
    ConfigurationError,
    MissingDependencyError,
    SignerError,
)


require_pyhanko()

from asn1crypto import x509 as asn1_x509
from pyhanko.sign.signers.pdf_cms import Signer as _HankoSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore


__all__ = ["CertificateLike", "Signer", "load_certificates"]

#: A certificate as a ``cryptography`` object, PEM or DER bytes, or a path.
CertificateLike = x509.Certificate | bytes | str | Path

_PKCS12_FAILED: Final = "cannot load PKCS#12: wrong passphrase or corrupt file"
_HASHES: Final[dict[str, type[hashes.HashAlgorithm]]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}
_PrivateKey = (
    rsa.RSAPrivateKey
    | ec.EllipticCurvePrivateKey
    | ed25519.Ed25519PrivateKey
    | ed448.Ed448PrivateKey
)


def _read(value: object, what: str) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, (str, Path)):
        try:
            return Path(value).read_bytes()
        except OSError:
            msg = f"cannot read the {what} file"
            raise SignerError(msg) from None
    msg = f"{what} must be bytes or a path"
    raise TypeError(msg)


def _certificates_from(data: bytes) -> list[x509.Certificate]:
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificates(data)
    return [x509.load_der_x509_certificate(data)]


def load_certificates(
    items: Iterable[CertificateLike] | CertificateLike, what: str
) -> list[x509.Certificate]:
    """Certificates from objects, PEM/DER bytes (PEM may hold several) or
    paths; :class:`ConfigurationError` naming *what* when one is unusable."""
    if isinstance(items, (bytes, str, Path, x509.Certificate)):
        items = [items]
    certs: list[x509.Certificate] = []
    for item in items:
        if isinstance(item, x509.Certificate):
            certs.append(item)
            continue
        data: object = item
        if isinstance(item, (str, Path)):
            try:
                data = Path(item).read_bytes()
            except OSError:
                msg = f"cannot read a {what} file"
                raise ConfigurationError(msg) from None
        if not isinstance(data, bytes):
            msg = f"{what} must be certificates, PEM/DER bytes or paths"
            raise TypeError(msg)
        try:
            certs.extend(_certificates_from(data))
        except ValueError:
            msg = f"a {what} is not a PEM or DER certificate"
            raise ConfigurationError(msg) from None
    return certs


def _to_asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(
        cert.public_bytes(serialization.Encoding.DER)
    )


def _public_der(key: Any) -> bytes:
    return bytes(
        key.public_bytes(
            serialization.Encoding.DER,
            serialization.PublicFormat.SubjectPublicKeyInfo,
        )
    )


def _placeholder_size(cert: x509.Certificate) -> int:
    """The largest signature the certificate's key can make, for dry runs."""
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return (key.key_size + 7) // 8
    if isinstance(key, ec.EllipticCurvePublicKey):
        return 2 * ((key.curve.key_size + 7) // 8) + 16
    if isinstance(key, ed448.Ed448PublicKey):
        return 114
    return 64


def _mechanism(signer: _HankoSigner, digest_algorithm: str) -> str:
    sda = signer.get_signature_mechanism_for_digest(digest_algorithm)
    try:
        return str(sda.signature_algo)
    except ValueError:  # pragma: no cover - pure mechanisms such as ed25519
        return str(sda["algorithm"].native)


class _ChainSigner(_HankoSigner):
    """A pyHanko signer for *cert* that embeds *chain*."""

    def __init__(
        self, cert: x509.Certificate, chain: Sequence[x509.Certificate]
    ) -> None:
        store = SimpleCertificateStore()  # type: ignore[no-untyped-call]  # pyhanko-certvalidator leaves it unannotated
        store.register_multiple([_to_asn1(c) for c in chain])
        super().__init__(signing_cert=_to_asn1(cert), cert_registry=store)
        self._size = _placeholder_size(cert)


class _KeySigner(_ChainSigner):
    """A pyHanko signer over a parsed ``cryptography`` private key."""

    def __init__(
        self,
        key: _PrivateKey,
        cert: x509.Certificate,
        chain: Sequence[x509.Certificate],
    ) -> None:
        super().__init__(cert, chain)
        self._key = key

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        if dry_run:
            return bytes(self._size)
        key = self._key
        mechanism = _mechanism(self, digest_algorithm)
        if (
            isinstance(key, rsa.RSAPrivateKey)
            and mechanism == "rsassa_pkcs1v15"
        ):
            return key.sign(
                data, padding.PKCS1v15(), _HASHES[digest_algorithm]()
            )
        if isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(_HASHES[digest_algorithm]()))
        if isinstance(key, (ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey)):
            return key.sign(data)
        msg = (
            "the signing key's algorithm is not supported"  # pragma: no cover
        )
        raise SignerError(msg)  # pragma: no cover


class _PKCS11Signer(_ChainSigner):
    """A pyHanko signer whose private key stays on a PKCS#11 token.

    The session and the key handle are opened on first use and kept, so
    later signatures skip the login and the object search.
    """

    def __init__(
        self,
        *,
        module: str,
        token_label: str,
        key_label: str,
        pin: Secret | None,
        cert: x509.Certificate,
        chain: Sequence[x509.Certificate],
    ) -> None:
        super().__init__(cert, chain)
        self._module = module
        self._token_label = token_label
        self._key_label = key_label
        self._pin = pin
        self._ec = isinstance(cert.public_key(), ec.EllipticCurvePublicKey)
        self._lock = threading.Lock()
        self._session: Any = None
        self._key: Any = None

    def _open(self) -> Any:
        import pkcs11

        if self._key is None:
            lib = load_library(self._module)
            token = lib.get_token(token_label=self._token_label)
            pin = None if self._pin is None else self._pin.reveal().decode()
            session = token.open(user_pin=pin)
            try:
                self._key = session.get_key(
                    object_class=pkcs11.ObjectClass.PRIVATE_KEY,
                    label=self._key_label,
                )
            except BaseException:
                session.close()
                raise
            self._session = session
        return self._key

    def close(self) -> None:
        with self._lock:
            if self._session is not None:
                self._session.close()
            self._session = self._key = None

    def _sign(self, data: bytes, digest_algorithm: str) -> bytes:
        import pkcs11

        mechanism = _mechanism(self, digest_algorithm)
        try:
            with token_errors(SignerError), self._lock:
                key = self._open()
                if self._ec:
                    digest = hashlib.new(digest_algorithm, data).digest()
                    raw = bytes(
                        key.sign(digest, mechanism=pkcs11.Mechanism.ECDSA)
                    )
                    half = len(raw) // 2
                    return encode_dss_signature(
                        int.from_bytes(raw[:half], "big"),
                        int.from_bytes(raw[half:], "big"),
                    )
                if mechanism != "rsassa_pkcs1v15":
                    msg = "the token key's algorithm is not supported"
                    raise SignerError(msg)
                mech = getattr(
                    pkcs11.Mechanism,
                    f"{digest_algorithm.upper()}_RSA_PKCS",
                )
                return bytes(key.sign(data, mechanism=mech))
        except BackendError:
            self.close()  # the session may be dead: reopen next time
            raise

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        if dry_run:
            return bytes(self._size)
        return await asyncio.to_thread(self._sign, data, digest_algorithm)


def _passphrase_bytes(passphrase: str | bytes | None) -> bytes | None:
    # surrogatepass: a lone surrogate is a wrong passphrase like any other,
    # not a UnicodeEncodeError holding the passphrase in its args.
    if isinstance(passphrase, str):
        return passphrase.encode("utf-8", "surrogatepass")
    return passphrase


class Signer(Unpicklable):
    """A signing key with its certificate and chain, loaded once.

    Build one with :meth:`from_pkcs12`, :meth:`from_pem` or
    :meth:`from_pkcs11` and pass it to :func:`~dataprotect.documents.sign_pdf`
    as often as needed: the key is parsed (or the token session opened)
    once, not per signature.

    The ``repr`` shows the certificate's subject only.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_backend", "_certificate", "_chain")

    def __init__(
        self,
        backend: object,
        certificate: x509.Certificate,
        chain: Sequence[x509.Certificate] = (),
    ) -> None:
        """Not for direct use: call one of the ``from_*`` class methods."""
        if not isinstance(backend, _HankoSigner):
            msg = "use Signer.from_pkcs12(), from_pem() or from_pkcs11()"
            raise TypeError(msg)
        self._backend: _HankoSigner = backend
        self._certificate = certificate
        self._chain = tuple(chain)

    @classmethod
    def from_pkcs12(
        cls, data_or_path: bytes | str | Path, passphrase: str | bytes | None
    ) -> Signer:
        """Load the key, certificate and chain from a PKCS#12 (``.p12``) file.

        Args:
            data_or_path: The PKCS#12 bytes, or the path of the file.
            passphrase: Its passphrase (``None`` for an unencrypted file).

        Raises:
            dataprotect.errors.SignerError: Wrong passphrase or corrupt file
                (one message for both), or no key or certificate inside.
        """
        data = _read(data_or_path, "PKCS#12")
        pw = _passphrase_bytes(passphrase)
        if pw is not None and b"\x00" in pw:
            # cryptography panics (with the passphrase in the message) on NUL
            raise SignerError(_PKCS12_FAILED)
        try:
            key, cert, extra = pkcs12.load_key_and_certificates(data, pw)
        except (ValueError, TypeError):
            raise SignerError(_PKCS12_FAILED) from None
        if key is None or cert is None:
            msg = "the PKCS#12 file holds no private key and certificate"
            raise SignerError(msg)
        return cls._from_key(key, cert, extra)

    @classmethod
    def from_pem(
        cls,
        key: bytes | str | Path,
        cert: CertificateLike,
        chain: Iterable[CertificateLike] = (),
        *,
        passphrase: str | bytes | None = None,
    ) -> Signer:
        """Load a private key and its certificate (PEM or DER).

        Args:
            key: The private key (PKCS#8 or traditional), bytes or a path.
            cert: The signer's certificate: an object, bytes or a path.
            chain: Intermediate certificates to embed in each signature.
            passphrase: The key's passphrase, if it is encrypted.

        Raises:
            dataprotect.errors.SignerError: The key cannot be loaded (wrong
                passphrase or corrupt, one message), or does not match the
                certificate.
        """
        data = _read(key, "key")
        pw = _passphrase_bytes(passphrase)
        try:
            if pw is not None and b"\x00" in pw:
                raise ValueError  # noqa: TRY301 - same path as a wrong one
            if b"-----BEGIN" in data:
                private = serialization.load_pem_private_key(data, pw)
            else:
                private = serialization.load_der_private_key(data, pw)
        except (ValueError, TypeError):
            msg = (
                "cannot load the private key: wrong passphrase or corrupt key"
            )
            raise SignerError(msg) from None
        try:
            (certificate,) = load_certificates([cert], "certificate")[:1]
            intermediates = load_certificates(list(chain), "chain certificate")
        except ConfigurationError as exc:
            raise SignerError(str(exc)) from None
        return cls._from_key(private, certificate, intermediates)

    @classmethod
    def _from_key(
        cls,
        key: object,
        cert: x509.Certificate,
        chain: Sequence[x509.Certificate],
    ) -> Signer:
        if not isinstance(
            key,
            (
                rsa.RSAPrivateKey,
                ec.EllipticCurvePrivateKey,
                ed25519.Ed25519PrivateKey,
                ed448.Ed448PrivateKey,
            ),
        ):
            msg = "the key must be RSA, EC, Ed25519 or Ed448"
            raise SignerError(msg)
        if _public_der(key.public_key()) != _public_der(cert.public_key()):
            msg = "the private key does not match the certificate"
            raise SignerError(msg)
        return cls(_KeySigner(key, cert, chain), cert, chain)

    @classmethod
    def from_pkcs11(
        cls,
        uri: str | None = None,
        *,
        module: str | None = None,
        token_label: str | None = None,
        key_label: str | None = None,
        pin: str | None = None,
        cert: CertificateLike | None = None,
        chain: Iterable[CertificateLike] = (),
    ) -> Signer:
        """Use a private key that stays on a PKCS#11 token (an HSM, a smart
        card, SoftHSM2).

        Give an RFC 7512 URI (``pkcs11:token=...;object=...?module-path=...``,
        optionally with ``pin-value`` or ``pin-source``) or the parts.  The
        certificate is read from the token (a certificate object with the
        key's label) unless *cert* is given.  RSA (PKCS#1 v1.5) and EC keys
        are supported; python-pkcs11 0.10 is used directly.

        Args:
            uri: A ``pkcs11:`` URI.
            module: Path of the PKCS#11 library.
            token_label: The token's label.
            key_label: The private key's label (``CKA_LABEL``).
            pin: The user PIN.
            cert: The signer's certificate, if not on the token.
            chain: Intermediate certificates to embed.

        Raises:
            dataprotect.errors.ConfigurationError: The URI is malformed.
            dataprotect.errors.SignerError: Wrong PIN, token, key or
                certificate not found.
            dataprotect.errors.MissingDependencyError: python-pkcs11 is
                missing.
        """
        from dataprotect._pkcs11 import resolve_token

        module, token_label, key_label, secret_pin = resolve_token(
            uri, module, token_label, key_label, pin, "signer"
        )
        try:
            intermediates = load_certificates(list(chain), "chain certificate")
            if cert is None:
                certificate = _token_certificate(
                    module, token_label, key_label, secret_pin
                )
            else:
                certificate = load_certificates([cert], "certificate")[0]
        except ConfigurationError as exc:
            raise SignerError(str(exc)) from None
        backend = _PKCS11Signer(
            module=module,
            token_label=token_label,
            key_label=key_label,
            pin=secret_pin,
            cert=certificate,
            chain=intermediates,
        )
        return cls(backend, certificate, intermediates)

    @property
    def certificate(self) -> x509.Certificate:
        """The signer's certificate."""
        return self._certificate

    @property
    def chain(self) -> tuple[x509.Certificate, ...]:
        """The intermediate certificates embedded with each signature."""
        return self._chain

    @property
    def subject(self) -> str:
        """The certificate's subject as an RFC 4514 string."""
        return self._certificate.subject.rfc4514_string()

    def check_validity(self, now: datetime | None = None) -> None:
        """Raise unless the certificate is valid at *now* (default: now).

        Raises:
            dataprotect.errors.CertificateValidityError: Expired or not yet
                valid.
        """
        moment = now or datetime.now(timezone.utc)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        if moment < self._certificate.not_valid_before_utc:
            msg = "the signer's certificate is not yet valid"
            raise CertificateValidityError(msg)
        if moment > self._certificate.not_valid_after_utc:
            msg = "the signer's certificate has expired"
            raise CertificateValidityError(msg)

    def close(self) -> None:
        """Close the token session of a PKCS#11 signer (no-op otherwise).

        A later signature opens it again.
        """
        if isinstance(self._backend, _PKCS11Signer):
            self._backend.close()

    def __repr__(self) -> str:
        return f"<Signer {self.subject}>"


def _token_certificate(
    module: str, token_label: str, key_label: str, pin: Secret | None
) -> x509.Certificate:
    try:
        import pkcs11
    except ImportError:
        msg = "PKCS#11 signing needs python-pkcs11: install dataprotect[hsm]"
        raise MissingDependencyError(msg) from None
    with token_errors(SignerError):
        token = load_library(module).get_token(token_label=token_label)
        with token.open(
            user_pin=None if pin is None else pin.reveal().decode()
        ) as s:
            found = list(
                s.get_objects(
                    {
                        pkcs11.Attribute.CLASS: pkcs11.ObjectClass.CERTIFICATE,
                        pkcs11.Attribute.LABEL: key_label,
                    }
                )
            )
            if len(found) != 1:
                msg = "PKCS#11: no single certificate with the key's label"
                raise SignerError(msg)
            der = bytes(found[0][pkcs11.Attribute.VALUE])
    try:
        return x509.load_der_x509_certificate(der)
    except ValueError:
        msg = "PKCS#11: the token's certificate is corrupt"
        raise SignerError(msg) from None


def hanko_signer(signer: Signer) -> _HankoSigner:
    """The pyHanko signer behind *signer* (private to this package)."""
    return signer._backend  # noqa: SLF001 - the package's one seam into Signer

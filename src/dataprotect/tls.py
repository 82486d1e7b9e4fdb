"""Hardened TLS contexts and a TLS configuration scanner.

:func:`server_context` and :func:`client_context` build :class:`ssl.SSLContext`
objects following Mozilla's server-side TLS guidelines (the *modern* and
*intermediate* profiles).  :func:`check_tls` connects to a server, finds which
protocol versions and cipher suites it accepts and what certificate it
presents, and grades the result against a Mozilla profile.

Nothing is sent anywhere but to the server named.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import ssl
import warnings

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from dataprotect._deadline import (
    Deadline,
    DeadlineError,
    failure,
    positive,
)
from dataprotect._grading import (
    Issue,
    Severity,
    acceptable,
    by_severity,
    printable,
    unchecked,
)
from dataprotect.errors import ConfigurationError


__all__ = [
    "INTERMEDIATE_CIPHERS",
    "MODERN_TLS13_SUITES",
    "CertificateInfo",
    "TLSIssue",
    "TLSReport",
    "check_tls",
    "client_context",
    "server_context",
]

Profile = Literal["modern", "intermediate"]
#: The default deadline of a whole check, in timeouts.
_DEADLINE_TIMEOUTS = 12
#: The check's deadline and the timeout of each wait.
_Clock = tuple[Deadline, float]

#: Mozilla's intermediate cipher list for TLS 1.2 (OpenSSL names), v5.7.
INTERMEDIATE_CIPHERS = (
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-RSA-CHACHA20-POLY1305",
    "DHE-RSA-AES128-GCM-SHA256",
    "DHE-RSA-AES256-GCM-SHA384",
    "DHE-RSA-CHACHA20-POLY1305",
)
#: The TLS 1.3 suites both profiles accept.
MODERN_TLS13_SUITES = (
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
)
_VERSIONS = (
    ("TLSv1.0", ssl.TLSVersion.TLSv1),
    ("TLSv1.1", ssl.TLSVersion.TLSv1_1),
    ("TLSv1.2", ssl.TLSVersion.TLSv1_2),
    ("TLSv1.3", ssl.TLSVersion.TLSv1_3),
)


def _profile(profile: str) -> Profile:
    if profile not in {"modern", "intermediate"}:
        msg = "profile must be 'modern' or 'intermediate'"
        raise ConfigurationError(msg)
    return "modern" if profile == "modern" else "intermediate"


def _harden(ctx: ssl.SSLContext, profile: Profile) -> ssl.SSLContext:
    ctx.minimum_version = (
        ssl.TLSVersion.TLSv1_3
        if profile == "modern"
        else ssl.TLSVersion.TLSv1_2
    )
    ctx.set_ciphers(":".join(INTERMEDIATE_CIPHERS))
    ctx.options |= ssl.OP_NO_COMPRESSION | ssl.OP_NO_RENEGOTIATION
    return ctx


def server_context(
    profile: str = "intermediate",
    *,
    certfile: str | None = None,
    keyfile: str | None = None,
) -> ssl.SSLContext:
    """A server-side context following Mozilla's guidelines.

    *intermediate* accepts TLS 1.2 with the nine AEAD, forward-secret cipher
    suites of Mozilla's list and TLS 1.3; *modern* accepts TLS 1.3 only.
    Compression and renegotiation are off.

    Args:
        profile: ``"intermediate"`` (default) or ``"modern"``.
        certfile: PEM certificate chain to load (optional).
        keyfile: PEM private key for *certfile* (default: inside *certfile*).

    Raises:
        ConfigurationError: An unknown profile.

    .. versionadded:: 0.1.0
    """
    ctx = _harden(ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER), _profile(profile))
    if certfile is not None:
        ctx.load_cert_chain(certfile, keyfile)
    return ctx


def client_context(
    profile: str = "intermediate",
    *,
    ca_file: str | None = None,
) -> ssl.SSLContext:
    """A client-side context following Mozilla's guidelines.

    Certificates and host names are verified (against *ca_file*, or the
    system's trust store); TLS 1.2+ (*intermediate*) or TLS 1.3 (*modern*).

    Raises:
        ConfigurationError: An unknown profile.

    .. versionadded:: 0.1.0
    """
    ctx = ssl.create_default_context(cafile=ca_file)
    return _harden(ctx, _profile(profile))


# ------------------------------------------------------------------ report


class TLSIssue(Issue):
    """One problem found: a stable code, a severity and one line of advice.

    .. versionadded:: 0.1.0
    """


@dataclass(frozen=True)
class CertificateInfo:
    """The server's leaf certificate, as far as the scanner judges it.

    .. versionadded:: 0.1.0
    """

    subject: str
    issuer: str
    san: tuple[str, ...]
    not_before: dt.datetime
    not_after: dt.datetime
    days_to_expiry: int
    key_type: str
    key_size: int
    signature_algorithm: str
    self_signed: bool
    chain_length: int


@dataclass
class TLSReport:
    """What :func:`check_tls` found.

    Attributes:
        host, port, server_name: The target.
        profile: The Mozilla profile graded against.
        protocols: ``{"TLSv1.0": bool, ..., "TLSv1.3": bool}``.
        ciphers: Accepted cipher suites per protocol version (for TLS 1.3,
            the suite negotiated: Python cannot offer them one by one).
        certificate: The leaf certificate, or None without a handshake.
        chain_valid: Whether the chain verifies to a trusted root.
        chain_error: OpenSSL's reason when it does not.
        hostname_match: Whether the certificate names *server_name*.
        issues: Problems, most severe first.
        notes: Why something could not be checked (time-outs, resets).

    .. versionadded:: 0.1.0
    """

    host: str
    port: int
    server_name: str
    profile: str
    protocols: dict[str, bool] = field(default_factory=dict)
    ciphers: dict[str, list[str]] = field(default_factory=dict)
    certificate: CertificateInfo | None = None
    chain_valid: bool | None = None
    chain_error: str | None = None
    hostname_match: bool | None = None
    issues: list[TLSIssue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no issue of medium severity or worse was found."""
        return acceptable(self.issues)


# ----------------------------------------------------------------- probing


def _probe_context(
    version: ssl.TLSVersion, ciphers: str | None
) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    # the local OpenSSL refuses TLS 1.0/1.1 and weak suites above level 0
    ctx.set_ciphers((ciphers or "ALL:COMPLEMENTOFALL") + ":@SECLEVEL=0")
    with warnings.catch_warnings():
        # probing deprecated versions is the point of a scanner
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = version
        ctx.maximum_version = version
    return ctx


def _handshake(
    host: str,
    port: int,
    server_name: str,
    ctx: ssl.SSLContext,
    clock: _Clock,
    inspect: Callable[[ssl.SSLSocket], None] | None = None,
) -> tuple[str, str] | None:
    """(version, cipher) on success, None when the server refuses.

    Each wait lasts at most the timeout, and never past the deadline.

    Raises:
        OSError: The connection failed (refused, reset before TLS, time-out).
        DeadlineError: The check's deadline passed.
    """
    deadline, timeout = clock
    with deadline.connect((host, port), timeout) as raw:
        raw.setblocking(False)
        try:
            sni = None if _is_ip(server_name) else server_name
            with ctx.wrap_socket(
                raw, server_hostname=sni, do_handshake_on_connect=False
            ) as tls:
                _drive(tls, clock)
                if inspect is not None:
                    inspect(tls)
                cipher = tls.cipher()
                version = tls.version()
                return (version or "", cipher[0] if cipher else "")
        except ssl.SSLCertVerificationError:
            raise
        except ssl.SSLError:
            return None
        except (ConnectionResetError, BrokenPipeError):
            return None


def _drive(tls: ssl.SSLSocket, clock: _Clock) -> None:
    """The handshake on the non-blocking *tls*, bounded by *clock*."""
    deadline, timeout = clock
    while (write := _step(tls)) is not None:
        deadline.ready(tls, timeout, write=write)


def _step(tls: ssl.SSLSocket) -> bool | None:
    """One handshake step: None when done, else whether it must write."""
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        return False
    except ssl.SSLWantWriteError:  # pragma: no cover - loopback buffers
        return True
    return None


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _enumerate_ciphers(
    host: str,
    port: int,
    server_name: str,
    version: ssl.TLSVersion,
    clock: _Clock,
) -> list[str]:
    """Offer every suite, remove the one the server picks, repeat."""
    ctx = _probe_context(version, None)
    offered = [
        c["name"]
        for c in ctx.get_ciphers()
        if not c["name"].startswith("TLS_")
    ]
    accepted: list[str] = []
    while offered:
        try:
            ctx = _probe_context(version, ":".join(offered))
        except ssl.SSLError:
            break
        result = _handshake(host, port, server_name, ctx, clock)
        if result is None or result[1] not in offered:
            break
        accepted.append(result[1])
        offered.remove(result[1])
    return accepted


# ------------------------------------------------------------ certificates


def _cert_info(ders: list[bytes], now: dt.datetime) -> CertificateInfo | None:
    from cryptography import x509
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric import (
        dsa,
        ec,
        ed448,
        ed25519,
        rsa,
    )

    if not ders:
        return None
    try:
        cert = x509.load_der_x509_certificate(ders[0])
        key = cert.public_key()
    except (ValueError, x509.InvalidVersion, UnsupportedAlgorithm):
        return None
    key_type, key_size = type(key).__name__, 0
    if isinstance(key, rsa.RSAPublicKey):
        key_type, key_size = "RSA", key.key_size
    elif isinstance(key, ec.EllipticCurvePublicKey):
        key_type, key_size = f"EC {key.curve.name}", key.curve.key_size
    elif isinstance(key, dsa.DSAPublicKey):
        key_type, key_size = "DSA", key.key_size
    elif isinstance(key, ed25519.Ed25519PublicKey):
        key_type, key_size = "Ed25519", 256
    elif isinstance(key, ed448.Ed448PublicKey):
        key_type, key_size = "Ed448", 456
    try:
        ext = cert.extensions.get_extension_for_class(
            x509.SubjectAlternativeName
        )
        san = tuple(
            [*ext.value.get_values_for_type(x509.DNSName)]
            + [str(ip) for ip in ext.value.get_values_for_type(x509.IPAddress)]
        )
    except x509.ExtensionNotFound:
        san = ()
    oid = cert.signature_algorithm_oid
    sig = getattr(oid, "_name", None) or oid.dotted_string
    return CertificateInfo(
        subject=printable(cert.subject.rfc4514_string()),
        issuer=printable(cert.issuer.rfc4514_string()),
        san=san,
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        days_to_expiry=(cert.not_valid_after_utc - now).days,
        key_type=key_type,
        key_size=key_size,
        signature_algorithm=sig,
        self_signed=cert.issuer == cert.subject,
        chain_length=len(ders),
    )


def _hostname_matches(name: str, san: tuple[str, ...]) -> bool:
    name = name.lower().rstrip(".")
    if _is_ip(name):
        return any(
            _is_ip(s) and ipaddress.ip_address(s) == ipaddress.ip_address(name)
            for s in san
        )
    for pattern in (s.lower().rstrip(".") for s in san if not _is_ip(s)):
        if pattern == name:
            return True
        if pattern.startswith("*.") and "." in name:
            head, _, rest = name.partition(".")
            if head and rest == pattern[2:]:
                return True
    return False


# ----------------------------------------------------------------- grading

_BROKEN = (
    "NULL",
    "EXP",
    "RC4",
    "DES-CBC-",
    "ADH",
    "AECDH",
    "MD5",
    "anon",
    "PSK",
    "SRP",
)


def _cipher_issue(name: str) -> TLSIssue | None:
    if name in INTERMEDIATE_CIPHERS:
        return None
    if any(b in name for b in _BROKEN) or "DES-CBC3" in name:
        return TLSIssue(
            f"cipher-broken:{name}",
            "critical"
            if "NULL" in name or "EXP" in name or "ADH" in name
            else "high",
            "disable this suite: it gives no or breakable encryption",
        )
    if not name.startswith(("ECDHE-", "DHE-")):
        return TLSIssue(
            f"cipher-no-forward-secrecy:{name}",
            "medium",
            "disable static-RSA suites: use ECDHE or DHE key exchange",
        )
    return TLSIssue(
        f"cipher-not-in-profile:{name}",
        "low",
        "limit TLS 1.2 to Mozilla's AEAD (GCM, ChaCha20-Poly1305) suites",
    )


def _handshake_issues(report: TLSReport) -> list[TLSIssue]:
    """What the protocol versions and TLS 1.2 suites accepted are worth."""
    issues: list[TLSIssue] = []
    p = report.protocols
    add = issues.append
    for old in ("TLSv1.0", "TLSv1.1"):
        if p.get(old):
            add(
                TLSIssue(
                    f"protocol-{old.lower()}",
                    "high",
                    f"disable {old}: deprecated by RFC 8996",
                )
            )
    if not p.get("TLSv1.3"):
        sev: Severity = "high" if report.profile == "modern" else "low"
        add(TLSIssue("protocol-no-tlsv1.3", sev, "enable TLS 1.3"))
    if report.profile == "modern" and p.get("TLSv1.2"):
        add(
            TLSIssue(
                "protocol-tlsv1.2",
                "medium",
                "the modern profile accepts TLS 1.3 only",
            )
        )
    if any(p.values()) and not (p.get("TLSv1.2") or p.get("TLSv1.3")):
        add(
            TLSIssue(
                "protocol-no-modern-tls",
                "critical",
                "enable TLS 1.2 and TLS 1.3",
            )
        )
    seen: set[str] = set()
    for version, suites in report.ciphers.items():
        if version == "TLSv1.3":
            continue
        for name in suites:
            issue = _cipher_issue(name)
            if issue is not None and issue.code not in seen:
                seen.add(issue.code)
                add(issue)
    return issues


def _certificate_issues(
    report: TLSReport, cert: CertificateInfo, now: dt.datetime
) -> list[TLSIssue]:
    """What the leaf certificate, its chain and its names are worth."""
    issues: list[TLSIssue] = []
    add = issues.append
    if cert.not_after < now:
        add(
            TLSIssue(
                "cert-expired",
                "critical",
                "renew the certificate: it has expired",
            )
        )
    elif cert.not_before > now:
        add(
            TLSIssue(
                "cert-not-yet-valid",
                "high",
                "check the server clock and the certificate's start date",
            )
        )
    elif cert.days_to_expiry < 30:
        add(
            TLSIssue(
                "cert-expiring",
                "medium",
                f"renew the certificate: it expires in {cert.days_to_expiry} days",
            )
        )
    if cert.self_signed:
        add(
            TLSIssue(
                "cert-self-signed",
                "high",
                "use a certificate issued by a trusted CA",
            )
        )
    if report.chain_valid is False and not cert.self_signed:
        add(
            TLSIssue(
                "cert-untrusted",
                "high",
                "serve the full chain of a certificate from a trusted CA",
            )
        )
    if report.hostname_match is False:
        add(
            TLSIssue(
                "cert-hostname-mismatch",
                "high",
                "use a certificate whose SAN names this host",
            )
        )
    if (
        (cert.key_type == "RSA" and cert.key_size < 2048)
        or (cert.key_type.startswith("EC") and cert.key_size < 256)
        or cert.key_type == "DSA"
    ):
        add(
            TLSIssue(
                "cert-weak-key",
                "high",
                "use an RSA key of 2048+ bits or ECDSA P-256",
            )
        )
    sig = cert.signature_algorithm.lower()
    if "sha1" in sig or "md5" in sig or "md2" in sig:
        add(
            TLSIssue(
                "cert-weak-signature",
                "high",
                "reissue the certificate with a SHA-256 signature",
            )
        )
    lifetime = (cert.not_after - cert.not_before).days
    if lifetime > 398:
        add(
            TLSIssue(
                "cert-lifetime",
                "low",
                "issue certificates valid for 90 to 366 days",
            )
        )
    return issues


def _grade(report: TLSReport, now: dt.datetime) -> None:
    issues = _handshake_issues(report)
    if report.certificate is not None:
        issues += _certificate_issues(report, report.certificate, now)
    report.issues = by_severity(issues)


def _probe(report: TLSReport, clock: _Clock) -> list[bytes]:
    """Fill in the protocol versions and suites accepted; the chain shown."""
    chain: list[bytes] = []

    def grab_chain(tls: ssl.SSLSocket) -> None:
        sslobj = getattr(tls, "_sslobj", None)
        getter = getattr(sslobj, "get_unverified_chain", None)
        certs = getter() if getter is not None else None
        if certs:
            chain[:] = [
                ssl.PEM_cert_to_DER_cert(c.public_bytes()) for c in certs
            ]
        else:
            der = tls.getpeercert(binary_form=True)
            chain[:] = [der] if der else []

    try:
        for label, version in _VERSIONS:
            try:
                ctx = _probe_context(version, None)
            except (ssl.SSLError, ValueError):
                report.protocols[label] = False
                report.notes.append(
                    f"{label} cannot be probed with the local OpenSSL"
                )
                continue
            result = _handshake(
                report.host,
                report.port,
                report.server_name,
                ctx,
                clock,
                grab_chain if not chain else None,
            )
            report.protocols[label] = result is not None
            if result is None:
                continue
            if label == "TLSv1.3":
                report.ciphers[label] = [result[1]]
            else:
                report.ciphers[label] = _enumerate_ciphers(
                    report.host,
                    report.port,
                    report.server_name,
                    version,
                    clock,
                )
    except (DeadlineError, OSError) as exc:
        report.notes.append(failure(exc, clock[0]))
    return chain


def _check_chain(
    report: TLSReport, ca_file: str | None, clock: _Clock
) -> None:
    """Verify the chain against the trust store, separately from probing."""
    verify = ssl.create_default_context(cafile=ca_file)
    verify.check_hostname = False
    with warnings.catch_warnings(), contextlib.suppress(ValueError):
        # ValueError: this OpenSSL has no TLS 1.0 (keep its minimum).
        warnings.simplefilter("ignore", DeprecationWarning)
        verify.minimum_version = ssl.TLSVersion.TLSv1
    verify.set_ciphers("ALL:@SECLEVEL=0")
    presented: list[bool] = []
    try:
        done = _handshake(
            report.host,
            report.port,
            report.server_name,
            verify,
            clock,
            lambda tls: presented.append(tls.getpeercert(True) is not None),
        )
        if done is None:
            report.notes.append("chain check failed: handshake refused")
        elif not presented[0]:
            # An anonymous suite: nothing was verified.
            report.chain_valid = False
            report.chain_error = "no certificate presented"
        else:
            report.chain_valid = True
    except ssl.SSLCertVerificationError as exc:
        report.chain_valid = False
        report.chain_error = exc.verify_message
    except DeadlineError as exc:
        report.notes.append(failure(exc, clock[0]))
    except OSError as exc:
        report.notes.append(
            f"chain check failed: {exc.strerror or type(exc).__name__}"
        )


def check_tls(
    host: str,
    port: int,
    *,
    server_name: str | None = None,
    ca_file: str | None = None,
    profile: str = "intermediate",
    timeout: float = 5.0,
    deadline: float | None = None,
    now: dt.datetime | None = None,
) -> TLSReport:
    """Scan a TLS server's protocol versions, cipher suites and certificate.

    Never raises for a misbehaving server.  A target that could not be
    checked completely (a refused connection, a time-out, a reset, a peer
    that does not speak TLS, a probe cut short, a certificate that cannot
    be parsed, a check past its *deadline*) is never a pass: the report has
    a note saying why and a ``could-not-check`` issue of severity
    ``unchecked``, so ``ok`` is False.

    The certificate's subject and issuer are the server's text with escape
    sequences and control characters removed, so printing a report cannot
    drive the terminal.

    Args:
        host: Host name or IP address to connect to.
        port: TCP port.
        server_name: Name sent as SNI and checked against the certificate
            (default: *host*).
        ca_file: PEM trust roots (default: the system's trust store).
        profile: Mozilla profile to grade against: ``"intermediate"``
            (default) or ``"modern"``.
        timeout: Seconds for each connection and for each wait on the
            server.
        deadline: Seconds for the whole check, every connection included
            (default: twelve times *timeout*).  A server that sends a byte
            now and then, never pausing for *timeout*, is cut off here.
        now: The time to judge expiry against (default: now).

    Returns:
        A :class:`TLSReport` with ``.issues``, most severe first.

    Raises:
        ConfigurationError: An unknown profile, a bad port, or a timeout or
            deadline that is not a positive number.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.1.0
       *deadline*; an incomplete check is no longer ``ok``.
    """
    profile = _profile(profile)
    if not 0 < port < 65536:
        msg = "port must be between 1 and 65535"
        raise ConfigurationError(msg)
    total = _DEADLINE_TIMEOUTS * timeout if deadline is None else deadline
    if not (positive(timeout) and positive(total)):
        msg = "timeout and deadline must be positive numbers of seconds"
        raise ConfigurationError(msg)
    clock = (Deadline(total), timeout)
    now = now or dt.datetime.now(dt.timezone.utc)
    name = server_name or host
    report = TLSReport(host=host, port=port, server_name=name, profile=profile)
    chain = _probe(report, clock)
    if not any(report.protocols.values()):
        if not report.notes:
            report.notes.append(
                "no TLS handshake succeeded: the server does not speak TLS "
                "or shares no protocol version with this client"
            )
    else:
        report.certificate = _cert_info(chain, now)
        if report.certificate is None and chain:
            report.notes.append("the server's certificate could not be parsed")
        _check_chain(report, ca_file, clock)
        if report.certificate is not None:
            report.hostname_match = _hostname_matches(
                name, report.certificate.san
            )
        _grade(report, now)
    if report.notes:
        report.issues.insert(0, unchecked(TLSIssue))
    return report
